//! Import markets worked by hand from SPEC §3.5.

use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

fn flow(flows: &[Vec<(usize, f64)>], buyer: usize, supplier: usize) -> f64 {
    flows[buyer]
        .iter()
        .find(|&&(p, _)| p == supplier)
        .map_or(0.0, |&(_, x)| x)
}

#[test]
fn uncapped_shortage_is_shared_at_one_fill_ratio() {
    // Actors 0, 1 export 0.3 and 0.1; buyers 2, 3 need 0.2 and 0.6.
    // Fill = 0.4 / 0.8 = 0.5: imports 0.1 and 0.3.
    let surplus = [0.3, 0.1, 0.0, 0.0];
    let need = [0.0, 0.0, 0.2, 0.6];
    let caps = vec![Vec::new(); 4];
    let a = market(&Problem {
        surplus: &surplus,
        need: &need,
        caps: &caps,
    });
    assert!(close(a.imports[2], 0.1));
    assert!(close(a.imports[3], 0.3));
    // The pool splits by supply: buyer 3 gets 0.3 · 0.3/0.4 = 0.225
    // from actor 0 and 0.3 · 0.1/0.4 = 0.075 from actor 1.
    let rows = a.flows.by_buyer(4);
    assert!(close(flow(&rows, 3, 0), 0.225));
    assert!(close(flow(&rows, 3, 1), 0.075));
}

#[test]
fn fairness_binds_on_a_restriction_cap() {
    // Exporter 0 has 0.45; buyers 1 and 2 need 0.4 each; the pair
    // 0 → 1 is capped at 0.1. Common fill λ: buyer 1 gets
    // min(0.4λ, 0.1) and stops at λ = 0.1 / 0.4 = 0.25; buyer 2 takes
    // the rest, 0.45 − 0.1 = 0.35 (fill 0.875 < 1).
    let surplus = [0.45, 0.0, 0.0];
    let need = [0.0, 0.4, 0.4];
    let caps = vec![Vec::new(), vec![(0, 0.1)], Vec::new()];
    let a = market(&Problem {
        surplus: &surplus,
        need: &need,
        caps: &caps,
    });
    assert!(close(a.imports[1], 0.1));
    assert!(close(a.imports[2], 0.35));
}

#[test]
fn capped_buyer_uses_the_other_exporter_first() {
    // Exporters 0 (0.35, capped at 0.05 towards buyer 2) and 1 (0.15).
    // Buyers 2 and 3 need 0.4 each. Uncapped, both would get
    // 0.5 / 0.8 = 62.5%, i.e. 0.25, but buyer 2 can get at most
    // 0.05 + 0.15 = 0.2 (fill 0.5). Buyer 3 gets the rest:
    // 0.5 − 0.2 = 0.3 (fill 0.75), all of it from exporter 0.
    let surplus = [0.35, 0.15, 0.0, 0.0];
    let need = [0.0, 0.0, 0.4, 0.4];
    let caps = vec![Vec::new(), Vec::new(), vec![(0, 0.05)], Vec::new()];
    let a = market(&Problem {
        surplus: &surplus,
        need: &need,
        caps: &caps,
    });
    assert!(close(a.imports[2], 0.2));
    assert!(close(a.imports[3], 0.3));
    let rows = a.flows.by_buyer(4);
    assert!(close(flow(&rows, 2, 0), 0.05));
    assert!(close(flow(&rows, 2, 1), 0.15));
    assert!(close(flow(&rows, 3, 0), 0.3));
    assert!(close(flow(&rows, 3, 1), 0.0));
}

#[test]
fn coalition_buyers_come_first() {
    // Member exporter 0 (0.3), outsider exporter 1 (0.1); member buyer 2
    // and outsider buyer 3 need 0.3 each.
    // market: fill 0.4 / 0.6 = 2/3 each → 0.2 and 0.2.
    // coalition_first: phase 1 gives buyer 2 all of exporter 0's 0.3
    // (g = 0.3, fill 1); phase 2 leaves exporter 1's 0.1 for buyer 3.
    let surplus = [0.3, 0.1, 0.0, 0.0];
    let need = [0.0, 0.0, 0.3, 0.3];
    let caps = vec![Vec::new(); 4];
    let problem = Problem {
        surplus: &surplus,
        need: &need,
        caps: &caps,
    };
    let m = market(&problem);
    assert!(close(m.imports[2], 0.2));
    assert!(close(m.imports[3], 0.2));
    let c = coalition_first(&problem, &[true, false, true, false]);
    assert!(close(c.imports[2], 0.3));
    assert!(close(c.imports[3], 0.1));
}

#[test]
fn coalition_phase_two_is_fair_on_remaining_need() {
    // Member exporter 0 (0.1), outsider exporter 1 (0.5); member buyer 2
    // and outsider buyer 3 need 0.4 each.
    // Phase 1: g[2] = 0.1. Phase 2: remaining needs 0.3 and 0.4 share
    // the remaining 0.5: λ = 0.5 / 0.7 = 5/7.
    // Buyer 2: 0.1 + 0.3 · 5/7 = 0.1 + 1.5/7; buyer 3: 0.4 · 5/7 = 2/7.
    let surplus = [0.1, 0.5, 0.0, 0.0];
    let need = [0.0, 0.0, 0.4, 0.4];
    let caps = vec![Vec::new(); 4];
    let c = coalition_first(
        &Problem {
            surplus: &surplus,
            need: &need,
            caps: &caps,
        },
        &[true, false, true, false],
    );
    assert!(close(c.imports[2], 0.1 + 1.5 / 7.0));
    assert!(close(c.imports[3], 2.0 / 7.0));
}

#[test]
fn coalition_exporter_choice_is_left_to_the_joint_flow() {
    // Member exporters 0 and 1 have 0.2 each; member buyer 2 needs 0.2;
    // outsider buyer 3 needs 0.2 but exporter 1 may not ship to it
    // (cap 0). Phase 1: g[2] = 0.2 (any mix of 0 and 1). Phase 2: buyer 3
    // can only use exporter 0; keeping g[2] as an amount (not as fixed
    // flows) lets buyer 2 take all of exporter 1, so buyer 3 gets the full
    // 0.2 from exporter 0. A proportional phase-1 split (0.1 + 0.1) would
    // have left it only 0.1.
    let surplus = [0.2, 0.2, 0.0, 0.0];
    let need = [0.0, 0.0, 0.2, 0.2];
    let caps = vec![Vec::new(), Vec::new(), Vec::new(), vec![(1, 0.0)]];
    let c = coalition_first(
        &Problem {
            surplus: &surplus,
            need: &need,
            caps: &caps,
        },
        &[true, true, true, false],
    );
    assert!(close(c.imports[2], 0.2));
    assert!(close(c.imports[3], 0.2));
    let rows = c.flows.by_buyer(4);
    assert!(close(flow(&rows, 2, 1), 0.2));
    assert!(close(flow(&rows, 3, 0), 0.2));
    assert!(close(flow(&rows, 3, 1), 0.0));
}

#[test]
fn cap_bounds_both_phases_together() {
    // Member exporter 0 (1.0) and member buyer 1 (need 0.5) with the pair
    // capped at 0.2; outsider exporter 2 (0.1). Phase 1: g[1] = 0.2 (the
    // cap). Phase 2: the cap is used up, so buyer 1 adds only exporter
    // 2's 0.1: total 0.3, of which 0.2 from exporter 0.
    let surplus = [1.0, 0.0, 0.1];
    let need = [0.0, 0.5, 0.0];
    let caps = vec![Vec::new(), vec![(0, 0.2)], Vec::new()];
    let c = coalition_first(
        &Problem {
            surplus: &surplus,
            need: &need,
            caps: &caps,
        },
        &[true, true, false],
    );
    assert!(close(c.imports[1], 0.3));
    let rows = c.flows.by_buyer(3);
    assert!(close(flow(&rows, 1, 0), 0.2));
    assert!(close(flow(&rows, 1, 2), 0.1));
}

#[test]
fn nan_inputs_count_as_nothing() {
    let surplus = [f64::NAN, 0.2, 0.0];
    let need = [0.0, 0.0, f64::NAN];
    let caps = vec![Vec::new(); 3];
    let a = market(&Problem {
        surplus: &surplus,
        need: &need,
        caps: &caps,
    });
    assert_eq!(a.imports, vec![0.0, 0.0, 0.0]);
}
