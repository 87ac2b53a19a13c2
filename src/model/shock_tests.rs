//! Shocked outcomes worked by hand from SPEC §3.4–3.5.

use super::*;
use crate::model::equilibrium::solve;
use crate::model::{Disruption, Market, Restriction, Rule, evaluate};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn assert_all(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len());
    for (a, e) in actual.iter().zip(expected) {
        assert!(close(*a, *e), "{actual:?} vs {expected:?}");
    }
}

fn disrupt(market: &mut Market, actor: usize, stage: usize, fraction: f64) {
    market.disruptions.push(Disruption {
        actor,
        stage,
        fraction,
    });
}

fn restrict(market: &mut Market, exporter: usize, importer: usize, stage: usize, fraction: f64) {
    market.restrictions.push(Restriction {
        exporter,
        importer,
        stage,
        fraction,
    });
}

fn outcomes(market: &Market) -> (Vec<f64>, Vec<f64>) {
    let (eq, _) = solve(market);
    (sticky(market, &eq), rerouted(market, &eq))
}

/// A=0, B=1, C=2; supply A 0.6, B 0.4; demand A 0.2, B 0.3, C 0.5.
/// Equilibrium: h A 0.2, B 0.3; x[C][A] = 0.4, x[C][B] = 0.1.
fn one_stage() -> Market {
    Market::new(vec![vec![0.6, 0.4, 0.0]], vec![0.2, 0.3, 0.5])
}

#[test]
fn no_shock_gives_the_equilibrium() {
    let (s, m) = outcomes(&one_stage());
    assert_all(&s, &[0.2, 0.3, 0.5]);
    assert_all(&m, &[0.2, 0.3, 0.5]);
}

#[test]
fn disrupt_scales_sticky_flows_and_market_keeps_home_first() {
    // A loses 50%: P'_A = 0.3, ratio 0.5.
    // sticky: A 0.2 · 0.5 = 0.1; B 0.3; C 0.4 · 0.5 + 0.1 = 0.3.
    // market: h'_A = min(0.3, 0.2) = 0.2, X'_A = 0.1; h'_B = 0.3, X'_B = 0.1;
    // C needs 0.5 and gets 0.2.
    let mut market = one_stage();
    disrupt(&mut market, 0, 0, 0.5);
    let (s, m) = outcomes(&market);
    assert_all(&s, &[0.1, 0.3, 0.3]);
    assert_all(&m, &[0.2, 0.3, 0.2]);
}

#[test]
fn two_disruptions_multiply() {
    // (1 − 0.5)(1 − 0.5) = 0.25: P'_A = 0.15. sticky C: 0.4 · 0.25 + 0.1.
    let mut market = one_stage();
    disrupt(&mut market, 0, 0, 0.5);
    disrupt(&mut market, 0, 0, 0.5);
    let (s, _) = outcomes(&market);
    assert!(close(s[2], 0.4 * 0.25 + 0.1));
}

#[test]
fn restriction_caps_the_pair_and_restrictions_multiply() {
    // A restricts C by 50%: sticky C = 0.4 · 0.5 + 0.1 = 0.3.
    // market: cap A→C = 0.5 · 0.4 = 0.2; C gets 0.2 from A + 0.1 from B = 0.3
    // (the other 0.2 of A's surplus stays unsold).
    let mut market = one_stage();
    restrict(&mut market, 0, 2, 0, 0.5);
    let (s, m) = outcomes(&market);
    assert_all(&s, &[0.2, 0.3, 0.3]);
    assert_all(&m, &[0.2, 0.3, 0.3]);
    // A second 50% on the same pair: factor 0.5 · 0.5 = 0.25:
    // sticky C = 0.4 · 0.25 + 0.1 = 0.2; market cap 0.1, C = 0.1 + 0.1 = 0.2.
    restrict(&mut market, 0, 2, 0, 0.5);
    let (s, m) = outcomes(&market);
    assert!(close(s[2], 0.2));
    assert!(close(m[2], 0.2));
}

#[test]
fn restricting_oneself_has_no_effect() {
    let mut market = one_stage();
    restrict(&mut market, 0, 0, 0, 1.0);
    let (s, m) = outcomes(&market);
    assert_all(&s, &[0.2, 0.3, 0.5]);
    assert_all(&m, &[0.2, 0.3, 0.5]);
}

/// Exporter A=0 (supply 1, no demand); buyers B=1, C=2 with demand 0.5
/// each; x_eq[B][A] = x_eq[C][A] = 0.5. A loses 40% (P'_A = 0.6) and
/// restricts B by 80% (cap 0.2 · 0.5 = 0.1).
fn binding_cap() -> Market {
    let mut market = Market::new(vec![vec![1.0, 0.0, 0.0]], vec![0.0, 0.5, 0.5]);
    disrupt(&mut market, 0, 0, 0.4);
    restrict(&mut market, 0, 1, 0, 0.8);
    market
}

#[test]
fn market_fairness_binds_on_the_restriction_cap() {
    // Common fill λ: B gets min(0.5λ, 0.1), so B stops at λ = 0.2 (0.1);
    // C rises alone to min(1, (0.6 − 0.1) / 0.5) = 1 → 0.5.
    // sticky: ratio 0.6; B 0.5 · 0.6 · 0.2 = 0.06; C 0.5 · 0.6 = 0.3.
    let (s, m) = outcomes(&binding_cap());
    assert_all(&s, &[0.0, 0.06, 0.3]);
    assert_all(&m, &[0.0, 0.1, 0.5]);
}

#[test]
fn rerouting_mixes_the_two_outcomes() {
    // r = 0.25: B = 0.75 · 0.06 + 0.25 · 0.1 = 0.07;
    //           C = 0.75 · 0.3 + 0.25 · 0.5 = 0.35.
    let mut market = binding_cap();
    market.rerouting = 0.25;
    let outcome = evaluate(&market);
    assert_all(&outcome.received, &[0.0, 0.07, 0.35]);
    assert_all(&outcome.sticky, &[0.0, 0.06, 0.3]);
    assert_all(&outcome.rerouted, &[0.0, 0.1, 0.5]);
}

/// CN=0, AU=1, JP=2, MY=3. Mining CN 0.6, AU 0.4; refining CN 0.9, MY 0.1;
/// demand CN 0.5, JP 0.3, MY 0.2. Equilibrium: mining h CN 0.6,
/// x[CN][AU] = 0.3, x[MY][AU] = 0.1; refining h CN 0.5, MY 0.1,
/// x[JP][CN] = 0.3, x[MY][CN] = 0.1.
fn two_stage() -> Market {
    Market::new(
        vec![vec![0.6, 0.4, 0.0, 0.0], vec![0.9, 0.0, 0.0, 0.1]],
        vec![0.5, 0.0, 0.3, 0.2],
    )
}

#[test]
fn upstream_loss_propagates_to_the_next_stage() {
    // AU's mining loses 50%: P'_AU = 0.2, ratio 0.5.
    // sticky mining: CN receives 0.6 + 0.3 · 0.5 = 0.75, MY 0.1 · 0.5 = 0.05.
    // Refining output: CN 0.9 · min(1, 0.75 / 0.9) = 0.75 (ratio 5/6),
    // MY 0.1 · 0.05 / 0.1 = 0.05 (ratio 0.5).
    // Final: CN 0.5 · 5/6; JP 0.3 · 5/6 = 0.25;
    //        MY 0.1 · 0.5 + 0.1 · 5/6 = 0.05 + 1/12.
    let mut market = two_stage();
    disrupt(&mut market, 1, 0, 0.5);
    let (eq, _) = solve(&market);
    let trace = sticky_trace(&market, &eq);
    assert_all(&trace.stages[1].output, &[0.75, 0.0, 0.0, 0.05]);
    assert_all(
        &sticky(&market, &eq),
        &[0.5 * 5.0 / 6.0, 0.0, 0.25, 0.05 + 1.0 / 12.0],
    );
    // market mining: X'_AU = 0.2 for M' CN 0.3, MY 0.1 → fill 0.5:
    // CN 0.6 + 0.15 = 0.75, MY 0.05 → refining output 0.75, 0.05.
    // Final: h' CN 0.5, MY 0.05; X'_CN 0.25 for M' JP 0.3, MY 0.15 → fill
    // 0.25 / 0.45 = 5/9: JP 0.3 · 5/9 = 1/6, MY 0.05 + 0.15 · 5/9 = 0.05 + 1/12.
    let trace = rerouted_trace(&market, &eq);
    assert_all(&trace.stages[1].output, &[0.75, 0.0, 0.0, 0.05]);
    assert_all(
        &rerouted(&market, &eq),
        &[0.5, 0.0, 1.0 / 6.0, 0.05 + 1.0 / 12.0],
    );
}

#[test]
fn disrupted_refiner_does_not_bid_for_ore() {
    // MY's refining loses 50%.
    // sticky: mining unchanged; MY's refining output 0.1 · min(0.5, 1) = 0.05
    // (ratio 0.5): MY gets 0.1 · 0.5 + 0.1 = 0.15, JP 0.3, CN 0.5.
    // market mining: N'_MY = 0.1 · 0.5 = 0.05, so AU's 0.4 covers CN 0.3 and
    // MY 0.05 fully. Refining: MY produces 0.1 · min(0.5, 0.05 / 0.1) = 0.05;
    // h' CN 0.5, MY 0.05; X'_CN 0.4 for M' JP 0.3, MY 0.15 → fill 0.4 / 0.45
    // = 8/9: JP 0.3 · 8/9, MY 0.05 + 0.15 · 8/9.
    let mut market = two_stage();
    disrupt(&mut market, 3, 1, 0.5);
    let (eq, _) = solve(&market);
    assert_all(&sticky(&market, &eq), &[0.5, 0.0, 0.3, 0.15]);
    let trace = rerouted_trace(&market, &eq);
    assert_all(&trace.stages[0].need, &[0.9, 0.0, 0.0, 0.05]);
    assert_all(&trace.stages[0].received, &[0.9, 0.0, 0.0, 0.05]);
    assert_all(
        &rerouted(&market, &eq),
        &[0.5, 0.0, 0.3 * 8.0 / 9.0, 0.05 + 0.15 * 8.0 / 9.0],
    );
}

/// A=0, B=1 export (supply 0.5 each); C=2 (demand 0.2, coalition) and
/// O=3 (demand 0.8, outsider). Equilibrium pool: x[C][A] = x[C][B] = 0.1,
/// x[O][A] = x[O][B] = 0.4. Shock: A and B lose 70% (P' = 0.15 each) and B
/// bans O (cap 0). Coalition {A, B, C}.
fn coalition_world() -> Market {
    let mut market = Market::new(vec![vec![0.5, 0.5, 0.0, 0.0]], vec![0.0, 0.0, 0.2, 0.8]);
    disrupt(&mut market, 0, 0, 0.7);
    disrupt(&mut market, 1, 0, 0.7);
    restrict(&mut market, 1, 3, 0, 1.0);
    market.rule = Rule::CoalitionFirst {
        members: vec![true, true, true, false],
    };
    market
}

#[test]
fn coalition_first_keeps_phase_one_and_frees_the_exporter_choice() {
    // coalition_first: phase 1 gives C its full 0.2 out of the coalition's
    // 0.3. Phase 2: O can only buy from A; C's 0.2 is kept as an amount, so
    // C takes all of B's 0.15 and 0.05 of A, leaving O 0.1 of A.
    let market = coalition_world();
    let (s, c) = outcomes(&market);
    assert_all(&c, &[0.0, 0.0, 0.2, 0.1]);
    // sticky: ratio 0.3; C 0.1 · 0.3 + 0.1 · 0.3 = 0.06; O 0.4 · 0.3 = 0.12
    // (the 0.4 · 0.3 from B is banned).
    assert_all(&s, &[0.0, 0.0, 0.06, 0.12]);
    // market instead: common fill λ with O ≤ 0.15 (A only): O stops at
    // λ = 0.15 / 0.8 = 0.1875 with all of A; C then rises on B's 0.15 alone
    // (fill 0.75).
    let mut market = market;
    market.rule = Rule::Market;
    let (_, m) = outcomes(&market);
    assert_all(&m, &[0.0, 0.0, 0.15, 0.15]);
}

#[test]
fn coalition_first_applies_at_every_stage() {
    // A=0 mines 1 (coalition); refiners R1=1 (coalition) and R2=2 (outside)
    // 0.5 each; consumers C=3 (coalition) and O=4 (outside) 0.5 each.
    // Equilibrium: x[R1][A] = x[R2][A] = 0.5; final pool x[·][R·] = 0.25.
    // A loses 50% (P'_A = 0.5).
    // coalition_first: mining phase 1 gives R1 all 0.5 (fill 1), R2 none;
    // refining output R1 0.5, R2 0; final phase 1 gives C 0.5, O nothing.
    // market: mining 0.25 each → refining 0.25 each → C 0.25, O 0.25.
    let mut market = Market::new(
        vec![vec![1.0, 0.0, 0.0, 0.0, 0.0], vec![0.0, 0.5, 0.5, 0.0, 0.0]],
        vec![0.0, 0.0, 0.0, 0.5, 0.5],
    );
    disrupt(&mut market, 0, 0, 0.5);
    market.rule = Rule::CoalitionFirst {
        members: vec![true, true, false, true, false],
    };
    let (eq, _) = solve(&market);
    assert_all(&rerouted(&market, &eq), &[0.0, 0.0, 0.0, 0.5, 0.0]);
    market.rule = Rule::Market;
    assert_all(&rerouted(&market, &eq), &[0.0, 0.0, 0.0, 0.25, 0.25]);
}

#[test]
fn traces_agree_with_the_fast_path() {
    // Sum of traced flows per buyer equals the received amount, for both
    // outcomes, on a world with sourcing, restriction and disruption.
    let mut market = two_stage();
    market.sourcing.push(crate::model::Sourcing {
        buyer: 2,
        stage: 1,
        shares: vec![(3, 0.5)],
    });
    disrupt(&mut market, 1, 0, 0.3);
    restrict(&mut market, 0, 2, 1, 0.6);
    let (eq, _) = solve(&market);
    for trace in [sticky_trace(&market, &eq), rerouted_trace(&market, &eq)] {
        for stage in &trace.stages {
            for (b, row) in stage.flows.iter().enumerate() {
                let sum: f64 = row.iter().map(|&(_, x)| x).sum();
                assert!(
                    close(sum, stage.received[b]),
                    "{b}: {sum} vs {}",
                    stage.received[b]
                );
            }
        }
    }
    let last = |t: &Trace| t.stages.last().unwrap().received.clone();
    assert_all(&last(&sticky_trace(&market, &eq)), &sticky(&market, &eq));
    assert_all(
        &last(&rerouted_trace(&market, &eq)),
        &rerouted(&market, &eq),
    );
}
