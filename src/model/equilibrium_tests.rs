//! Equilibrium worked by hand from SPEC §3.1–3.3 and §3.6 (dependency).

use super::*;
use crate::model::{Market, ModelWarning, Sourcing};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn assert_rows(actual: &[(usize, f64)], expected: &[(usize, f64)]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        assert_eq!(a.0, e.0, "{actual:?} vs {expected:?}");
        assert!(close(a.1, e.1), "{actual:?} vs {expected:?}");
    }
}

#[test]
fn one_stage_home_first_then_pool() {
    // Actors A=0, B=1, C=2. Supply A 0.6, B 0.4; demand A 0.2, B 0.3, C 0.5.
    // h = min(P, N): A 0.2, B 0.3, C 0. X: A 0.4, B 0.1. M: C 0.5.
    // Pool: x[C][A] = 0.5 · 0.4 / 0.5 = 0.4, x[C][B] = 0.5 · 0.1 / 0.5 = 0.1.
    let market = Market::new(vec![vec![0.6, 0.4, 0.0]], vec![0.2, 0.3, 0.5]);
    let (eq, warnings) = solve(&market);
    assert!(warnings.is_empty());
    let stage = &eq.stages[0];
    assert_rows(
        &stage.home.iter().copied().enumerate().collect::<Vec<_>>(),
        &[(0, 0.2), (1, 0.3), (2, 0.0)],
    );
    assert!(close(stage.surplus[0], 0.4));
    assert!(close(stage.surplus[1], 0.1));
    assert!(close(stage.import_need[2], 0.5));
    assert_rows(&eq.supply(2), &[(0, 0.4), (1, 0.1)]);
    assert_rows(&eq.supply(0), &[(0, 0.2)]);
    assert!(close(stage.received[2], 0.5));
    // One stage: φ[i] = e_i, so dependency is the supply share:
    // C on A 0.4 / 0.5 = 0.8, on B 0.1 / 0.5 = 0.2; A on itself 1.
    assert_rows(&eq.dependency(2), &[(0, 0.8), (1, 0.2)]);
    assert_rows(&eq.dependency(0), &[(0, 1.0)]);
}

#[test]
fn added_capacity_is_normalised_pro_rata() {
    // cap A 0.8, B 0.4 (A added 20%): Σ = 1.2, P = cap / 1.2:
    // A 0.8 / 1.2 = 2/3, B 0.4 / 1.2 = 1/3. A stage below 1 is not scaled up:
    // cap 0.5 + 0.3 = 0.8 stays 0.5, 0.3.
    let market = Market::new(vec![vec![0.8, 0.4], vec![0.5, 0.3]], vec![0.5, 0.5]);
    let (eq, _) = solve(&market);
    assert!(close(eq.output[0][0], 2.0 / 3.0));
    assert!(close(eq.output[0][1], 1.0 / 3.0));
    assert!(close(eq.output[1][0], 0.5));
    assert!(close(eq.output[1][1], 0.3));
}

#[test]
fn short_pool_is_scaled_so_no_exporter_overships() {
    // One stage with Σ cap = 0.8: A 0.5, B 0.3; demand A 0.2, C 0.8.
    // h: A 0.2. X: A 0.3, B 0.3 (Σ 0.6). M: C 0.8 > 0.6, so the pool is
    // scaled by 1 / max(0.6, 0.8): x[C][A] = 0.8 · 0.3 / 0.8 = 0.3,
    // x[C][B] = 0.3; C receives 0.6 of its 0.8.
    let market = Market::new(vec![vec![0.5, 0.3, 0.0]], vec![0.2, 0.0, 0.8]);
    let (eq, _) = solve(&market);
    assert_rows(&eq.supply(2), &[(0, 0.3), (1, 0.3)]);
    assert!(close(eq.stages[0].received[2], 0.6));
}

/// CN=0, AU=1, JP=2, MY=3. Mining CN 0.6, AU 0.4; refining CN 0.9, MY 0.1;
/// demand CN 0.5, JP 0.3, MY 0.2.
fn two_stage_market() -> Market {
    Market::new(
        vec![vec![0.6, 0.4, 0.0, 0.0], vec![0.9, 0.0, 0.0, 0.1]],
        vec![0.5, 0.0, 0.3, 0.2],
    )
}

#[test]
fn two_stages_needs_are_next_stage_outputs() {
    // Mining buyers are refiners: N = CN 0.9, MY 0.1.
    // h: CN min(0.6, 0.9) = 0.6. X: AU 0.4. M: CN 0.3, MY 0.1.
    // Pool (Σ X = Σ M = 0.4): x[CN][AU] = 0.3, x[MY][AU] = 0.1.
    // Refining: h CN min(0.9, 0.5) = 0.5, MY min(0.1, 0.2) = 0.1.
    // X: CN 0.4. M: JP 0.3, MY 0.1 → x[JP][CN] = 0.3, x[MY][CN] = 0.1.
    let (eq, _) = solve(&two_stage_market());
    assert_rows(
        &eq.stages[0]
            .need
            .iter()
            .copied()
            .enumerate()
            .collect::<Vec<_>>(),
        &[(0, 0.9), (1, 0.0), (2, 0.0), (3, 0.1)],
    );
    assert_rows(&eq.stages[0].supply(0), &[(0, 0.6), (1, 0.3)]);
    assert_rows(&eq.stages[0].supply(3), &[(1, 0.1)]);
    assert_rows(&eq.supply(2), &[(0, 0.3)]);
    assert_rows(&eq.supply(3), &[(0, 0.1), (3, 0.1)]);
}

#[test]
fn dependency_through_two_stages() {
    // φ at refining: CN takes 0.6/0.9 = 2/3 from itself and 0.3/0.9 = 1/3
    // from AU, so φ[CN] = {CN: 1 (itself), AU: 1/3}; MY takes all from AU:
    // φ[MY] = {MY: 1, AU: 1}.
    // JP buys 0.3 from CN: dep = φ[CN] = {CN 1, AU 1/3} (sum 4/3 ≥ 1).
    // MY: (0.1 φ[MY] + 0.1 φ[CN]) / 0.2 = MY 0.5, CN 0.5,
    //     AU (0.1 · 1 + 0.1 · 1/3) / 0.2 = 2/3.
    // CN: home 0.5 → φ[CN] = {CN 1, AU 1/3}.
    let (eq, _) = solve(&two_stage_market());
    assert_rows(&eq.dependency(2), &[(0, 1.0), (1, 1.0 / 3.0)]);
    // Sorted by share, the tie CN/MY at 0.5 by index (CN = 0 first).
    assert_rows(&eq.dependency(3), &[(1, 2.0 / 3.0), (0, 0.5), (3, 0.5)]);
    assert_rows(&eq.dependency(0), &[(0, 1.0), (1, 1.0 / 3.0)]);
    assert!(eq.dependency(1).is_empty(), "AU has no demand");
}

#[test]
fn dependency_through_three_stages_counts_each_actor_once() {
    // A=0, B=1, C=2. Mining A 1; refining B 1; magnets A 0.5, C 0.5;
    // demand B 1.
    // Mining: B imports 1 from A → φ_2[B] = {A 1, B 1}.
    // Refining: C and A each import 0.5 from B → φ_3[C] = {A 1, B 1, C 1},
    // φ_3[A] = {A 1 (itself, not 2), B 1}.
    // B buys 0.5 from C and 0.5 from A:
    // dep = 0.5 φ_3[C] + 0.5 φ_3[A] = A 1, B 1, C 0.5.
    let market = Market::new(
        vec![
            vec![1.0, 0.0, 0.0],
            vec![0.0, 1.0, 0.0],
            vec![0.5, 0.0, 0.5],
        ],
        vec![0.0, 1.0, 0.0],
    );
    let (eq, _) = solve(&market);
    assert_rows(&eq.dependency(1), &[(0, 1.0), (1, 1.0), (2, 0.5)]);
}

/// CN=0, MY=1, US=2, JP=3. Supply CN 0.7, MY 0.2, US 0.1; demand CN 0.4,
/// US 0.2, JP 0.4. h: CN 0.4, US 0.1. X: CN 0.3, MY 0.2. M: JP 0.4, US 0.1.
fn sourcing_market(shares: Vec<(usize, f64)>) -> Market {
    let mut market = Market::new(vec![vec![0.7, 0.2, 0.1, 0.0]], vec![0.4, 0.0, 0.2, 0.4]);
    market.sourcing.push(Sourcing {
        buyer: 3,
        stage: 0,
        shares,
    });
    market
}

#[test]
fn sourcing_fixes_shares_before_the_pool() {
    // JP sources CN 60%, MY 20% of M = 0.4: 0.24 from CN, 0.08 from MY.
    // X' = CN 0.3 − 0.24 = 0.06, MY 0.2 − 0.08 = 0.12 (Σ 0.18);
    // M' = JP 0.4 − 0.32 = 0.08, US 0.1 (Σ 0.18).
    // JP: CN 0.24 + 0.08 · 0.06 / 0.18 = 0.24 + 0.08/3,
    //     MY 0.08 + 0.08 · 0.12 / 0.18 = 0.08 + 0.16/3.
    // US: CN 0.1 · 0.06 / 0.18 = 0.1/3, MY 0.1 · 0.12 / 0.18 = 0.2/3; home 0.1.
    let (eq, warnings) = solve(&sourcing_market(vec![(0, 0.6), (1, 0.2)]));
    assert!(warnings.is_empty());
    assert_rows(
        &eq.supply(3),
        &[(0, 0.24 + 0.08 / 3.0), (1, 0.08 + 0.16 / 3.0)],
    );
    assert_rows(&eq.supply(2), &[(0, 0.1 / 3.0), (1, 0.2 / 3.0), (2, 0.1)]);
    assert!(close(eq.stages[0].flow(3, 0), 0.24 + 0.08 / 3.0));
}

#[test]
fn sourcing_beyond_surplus_is_capped_with_a_warning() {
    // JP sources MY 80% of 0.4 = 0.32, but MY's surplus is 0.2: granted 0.2.
    // X' = CN 0.3, MY 0; M' = JP 0.2, US 0.1 → JP gets 0.2 from CN, US 0.1.
    let (eq, warnings) = solve(&sourcing_market(vec![(1, 0.8)]));
    assert_eq!(warnings.len(), 1);
    let ModelWarning::SourcingCapped {
        buyer,
        supplier,
        stage,
        requested,
        granted,
    } = warnings[0].clone();
    assert_eq!((buyer, supplier, stage), (3, 1, 0));
    assert!(close(requested, 0.32));
    assert!(close(granted, 0.2));
    assert_rows(&eq.supply(3), &[(0, 0.2), (1, 0.2)]);
    assert_rows(&eq.supply(2), &[(0, 0.1), (2, 0.1)]);
}

#[test]
fn competing_sourcing_requests_are_capped_pro_rata() {
    // JP asks MY for 0.8 · 0.4 = 0.32, US asks MY for 1.0 · 0.1 = 0.1:
    // 0.42 > 0.2, so both get 0.2 / 0.42 of their request:
    // JP 0.32 · 0.2 / 0.42, US 0.1 · 0.2 / 0.42; two warnings.
    let mut market = sourcing_market(vec![(1, 0.8)]);
    market.sourcing.push(Sourcing {
        buyer: 2,
        stage: 0,
        shares: vec![(1, 1.0)],
    });
    let (eq, warnings) = solve(&market);
    assert_eq!(warnings.len(), 2);
    let jp = eq.stages[0].sourced[3][0].1;
    let us = eq.stages[0].sourced[2][0].1;
    assert!(close(jp, 0.32 * 0.2 / 0.42));
    assert!(close(us, 0.1 * 0.2 / 0.42));
    // Everyone still gets what they need: Σ X = Σ M = 0.5.
    assert!(close(eq.stages[0].received[3], 0.4));
    assert!(close(eq.stages[0].received[2], 0.2));
}

#[test]
fn shares_above_one_are_scaled_down() {
    // Two lines for JP: CN 70% and MY 60% (1.3 in all) → scaled to
    // CN 7/13 and MY 6/13 of M = 0.4: 0.4 · 7/13 ≈ 0.215 ≤ CN's 0.3 and
    // 0.4 · 6/13 ≈ 0.185 ≤ MY's 0.2, so nothing is capped, and JP's sourced
    // total is exactly its import need 0.4 (nothing left for the pool).
    let mut market = sourcing_market(vec![(0, 0.7)]);
    market.sourcing.push(Sourcing {
        buyer: 3,
        stage: 0,
        shares: vec![(1, 0.6)],
    });
    let (eq, warnings) = solve(&market);
    assert!(warnings.is_empty());
    assert_rows(
        &eq.stages[0].sourced[3],
        &[(0, 0.4 * 7.0 / 13.0), (1, 0.4 * 6.0 / 13.0)],
    );
    assert!(close(eq.stages[0].pool_need[3], 0.0));
    assert!(close(eq.stages[0].received[3], 0.4));
}

#[test]
fn degenerate_inputs_do_not_panic() {
    let mut market = Market::new(vec![vec![f64::NAN, 0.5]], vec![0.5, f64::INFINITY]);
    market.sourcing.push(Sourcing {
        buyer: 7,
        stage: 3,
        shares: vec![(9, 0.5)],
    });
    let (eq, _) = solve(&market);
    assert_eq!(eq.output[0], vec![0.0, 0.5]);
    assert!(eq.dependency(1).is_empty());
    let empty = Market::new(Vec::new(), vec![1.0]);
    let (eq, _) = solve(&empty);
    assert!(eq.final_stage().is_none());
    assert!(eq.dependency(0).is_empty());
    assert!(eq.supply(0).is_empty());
}
