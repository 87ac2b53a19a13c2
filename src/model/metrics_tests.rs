//! Metrics worked by hand from SPEC §3.6.

use super::*;
use crate::model::{Disruption, Market, Rule, evaluate};

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

/// A=0, B=1, C=2, Z=3 (no data); supply A 0.6, B 0.4; demand A 0.2,
/// B 0.3, C 0.5. Equilibrium: h A 0.2, B 0.3; x[C][A] = 0.4, x[C][B] = 0.1.
fn world() -> Market {
    Market::new(vec![vec![0.6, 0.4, 0.0, 0.0]], vec![0.2, 0.3, 0.5, 0.0])
}

/// The world with A's output down 50%, fully rerouted by the market.
/// sticky: A 0.2 · 0.5 = 0.1, B 0.3, C 0.4 · 0.5 + 0.1 = 0.3.
/// market: A keeps 0.2 (home first), B 0.3, C gets 0.1 + 0.1 = 0.2.
fn shocked(rerouting: f64) -> Market {
    let mut market = world();
    market.disruptions.push(Disruption {
        actor: 0,
        stage: 0,
        fraction: 0.5,
    });
    market.rule = Rule::Market;
    market.rerouting = rerouting;
    market
}

#[test]
fn country_in_equilibrium() {
    let market = world();
    let outcome = evaluate(&market);
    let c = country(&market, &outcome, 2, None);
    assert!(close(c.demand, 0.5));
    assert_eq!(c.output, vec![0.0]);
    // C produces nothing: M = 0.5, reliance 0.5 / 0.5 = 1.
    assert!(close(c.import_reliance, 1.0));
    // Supply A 0.4, B 0.1: top A with 0.4 / 0.5 = 0.8;
    // hhi = 80² + 20² = 6400 + 400 = 6800.
    assert_eq!(c.top_supplier, Some(0));
    assert!(close(c.top_supplier_share, 0.8));
    assert!((c.hhi - 6800.0).abs() < 1e-9);
    assert_rows(&c.dependency, &[(0, 0.8), (1, 0.2)]);
    assert_eq!((c.at_risk, c.shortfall, c.cover_days), (0.0, 0.0, None));

    // A supplies itself: reliance 0, top A (self) with share 1, hhi 10,000.
    let a = country(&market, &outcome, 0, Some(30.0));
    assert!(close(a.output[0], 0.6));
    assert_eq!(a.import_reliance, 0.0);
    assert_eq!(a.top_supplier, Some(0));
    assert!(close(a.top_supplier_share, 1.0));
    assert!((a.hhi - 10_000.0).abs() < 1e-9);
    assert_rows(&a.dependency, &[(0, 1.0)]);
    // A stockpile without a shortfall covers nothing: absent.
    assert_eq!(a.cover_days, None);
}

#[test]
fn at_risk_shortfall_and_cover_days() {
    // Full rerouting: at_risk(C) = 1 − 0.3 / 0.5 = 0.4,
    // shortfall(C) = 1 − 0.2 / 0.5 = 0.6; 60 days / 0.6 = 100 days.
    let market = shocked(1.0);
    let outcome = evaluate(&market);
    let c = country(&market, &outcome, 2, Some(60.0));
    assert!(close(c.at_risk, 0.4));
    assert!(close(c.shortfall, 0.6));
    assert!((c.cover_days.unwrap() - 100.0).abs() < 1e-9);
    // Half rerouting: received 0.5 · 0.3 + 0.5 · 0.2 = 0.25, shortfall
    // 1 − 0.25 / 0.5 = 0.5, cover 60 / 0.5 = 120 days; at_risk unchanged.
    let market = shocked(0.5);
    let outcome = evaluate(&market);
    let c = country(&market, &outcome, 2, Some(60.0));
    assert!(close(c.at_risk, 0.4));
    assert!(close(c.shortfall, 0.5));
    assert!((c.cover_days.unwrap() - 120.0).abs() < 1e-9);
    // Equilibrium metrics ignore the shock: reliance and dependency stay.
    assert!(close(c.import_reliance, 1.0));
    assert_rows(&c.dependency, &[(0, 0.8), (1, 0.2)]);
}

#[test]
fn group_sums_supply_and_weights_by_demand() {
    let market = shocked(1.0);
    let outcome = evaluate(&market);
    let g = group(&market, &outcome, &[0, 2], &[Some(30.0), None]);
    // demand 0.2 + 0.5 = 0.7; output 0.6 + 0 = 0.6;
    // reliance max(0, 0.7 − 0.6) / 0.7 = 1/7.
    assert!(close(g.demand, 0.7));
    assert!(close(g.output[0], 0.6));
    assert!(close(g.import_reliance, 0.1 / 0.7));
    // Summed supply: A 0.2 (A's own) + 0.4 (to C) = 0.6, B 0.1.
    // top A, share 0.6 / 0.7; hhi over shares of 0.7:
    // (100 · 6/7)² + (100 · 1/7)² = 10,000 · 37 / 49.
    assert_eq!(g.top_supplier, Some(0));
    assert!(close(g.top_supplier_share, 0.6 / 0.7));
    assert!((g.hhi - 370_000.0 / 49.0).abs() < 1e-9);
    // dependency (0.2 · {A 1} + 0.5 · {A 0.8, B 0.2}) / 0.7:
    // A 0.6 / 0.7, B 0.1 / 0.7.
    assert_rows(&g.dependency, &[(0, 0.6 / 0.7), (1, 0.1 / 0.7)]);
    // at_risk: A 1 − 0.1 / 0.2 = 0.5, C 0.4 → (0.2 · 0.5 + 0.5 · 0.4) / 0.7
    // = 0.3 / 0.7. shortfall: A 0, C 0.6 → 0.5 · 0.6 / 0.7 = 0.3 / 0.7.
    assert!(close(g.at_risk, 0.3 / 0.7));
    assert!(close(g.shortfall, 0.3 / 0.7));
    // cover_days: Σ days · D = 30 · 0.2 = 6 over Σ shortfall · D = 0.3:
    // 20 days.
    assert!((g.cover_days.unwrap() - 20.0).abs() < 1e-9);
}

#[test]
fn group_without_stockpiles_or_demand() {
    let market = shocked(1.0);
    let outcome = evaluate(&market);
    let g = group(&market, &outcome, &[0, 2], &[]);
    assert_eq!(g.cover_days, None);
    // Z has no demand and no output: everything zero, no top supplier.
    let z = group(&market, &outcome, &[3], &[Some(10.0)]);
    assert_eq!(z.demand, 0.0);
    assert_eq!(z.output, vec![0.0]);
    assert_eq!(z.top_supplier, None);
    assert_eq!(
        (z.import_reliance, z.top_supplier_share, z.hhi),
        (0.0, 0.0, 0.0)
    );
    assert!(z.dependency.is_empty());
    assert_eq!((z.at_risk, z.shortfall, z.cover_days), (0.0, 0.0, None));
    let empty = group(&market, &outcome, &[], &[]);
    assert_eq!(empty.demand, 0.0);
}

#[test]
fn short_market_hhi_uses_shares_of_supply() {
    // Supply A 0.5, B 0.3 (Σ 0.8); demand A 0.2, C 0.8. C gets 0.3 from
    // each: hhi = 50² + 50² = 5000; top supplier A (tie → lower index)
    // with 0.3 of the 0.6 C receives = 0.5 (SPEC §3.6: a share of c's
    // supply, not of its demand). Even unshocked C is short:
    // shortfall = at_risk = 1 − 0.6 / 0.8 = 0.25.
    let market = Market::new(vec![vec![0.5, 0.3, 0.0]], vec![0.2, 0.0, 0.8]);
    let outcome = evaluate(&market);
    let c = country(&market, &outcome, 2, None);
    assert!((c.hhi - 5000.0).abs() < 1e-9);
    assert_eq!(c.top_supplier, Some(0));
    assert!(close(c.top_supplier_share, 0.5));
    assert!(close(c.shortfall, 0.25));
    assert!(close(c.at_risk, 0.25));
}

#[test]
fn unknown_actor_is_all_zero() {
    let market = world();
    let outcome = evaluate(&market);
    let x = country(&market, &outcome, 99, Some(5.0));
    assert_eq!(x.demand, 0.0);
    assert_eq!(x.top_supplier, None);
    assert_eq!(x.cover_days, None);
}
