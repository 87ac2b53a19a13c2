//! Properties of the model engine over random markets (SPEC §3): flow
//! invariants on the real per-stage flows of both outcomes, bounds on the
//! metrics, max-min fairness of the market rule checked by an independent
//! augmenting-path argument, and monotonicity of sticky in a restriction.

use lode::model::allocate::{self, Problem};
use lode::model::equilibrium::{self, Equilibrium};
use lode::model::shock::{self, Trace, restriction_factors};
use lode::model::{Disruption, Market, Restriction, Rule, Sourcing, evaluate, metrics};
use proptest::prelude::*;

const TOL: f64 = 1e-9;

/// Non-negative weights summing to 1 (all on the last actor, ROW-like,
/// when every draw is zero).
fn shares(n: usize) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec(prop_oneof![Just(0.0), 0.01f64..1.0], n).prop_map(|w| {
        let total: f64 = w.iter().sum();
        if total > 0.0 {
            w.iter().map(|x| x / total).collect()
        } else {
            let mut v = vec![0.0; w.len()];
            v[w.len() - 1] = 1.0;
            v
        }
    })
}

fn fraction() -> impl Strategy<Value = f64> {
    prop_oneof![Just(1.0), 0.0f64..=1.0]
}

fn market() -> impl Strategy<Value = Market> {
    (2usize..=8, 1usize..=3).prop_flat_map(|(n, k)| {
        let sourcing = (0..n, 0..k, prop::collection::vec((0..n, 0.0f64..0.5), 1..3)).prop_map(
            |(buyer, stage, shares)| Sourcing {
                buyer,
                stage,
                shares,
            },
        );
        (
            prop::collection::vec(shares(n), k),
            prop::collection::vec((0..k, 0..n, 0.0f64..0.3), 0..2),
            shares(n),
            prop::collection::vec(sourcing, 0..3),
            prop::collection::vec((0..n, 0..k, fraction()), 0..4),
            prop::collection::vec((0..n, 0..n, 0..k, fraction()), 0..5),
            prop::option::of(prop::collection::vec(any::<bool>(), n)),
            prop_oneof![Just(0.0), Just(1.0), 0.0f64..=1.0],
        )
            .prop_map(
                move |(mut capacity, adds, demand, sourcing, disrupt, restrict, coalition, r)| {
                    for (stage, actor, extra) in adds {
                        capacity[stage][actor] += extra;
                    }
                    let mut market = Market::new(capacity, demand);
                    market.sourcing = sourcing;
                    market.disruptions = disrupt
                        .into_iter()
                        .map(|(actor, stage, fraction)| Disruption {
                            actor,
                            stage,
                            fraction,
                        })
                        .collect();
                    market.restrictions = restrict
                        .into_iter()
                        .map(|(exporter, importer, stage, fraction)| Restriction {
                            exporter,
                            importer,
                            stage,
                            fraction,
                        })
                        .collect();
                    market.rule = match coalition {
                        Some(members) => Rule::CoalitionFirst { members },
                        None => Rule::Market,
                    };
                    market.rerouting = r;
                    market
                },
            )
    })
}

/// Flow invariants of one outcome, stage by stage, on its real flows.
fn check_trace(trace: &Trace, eq: &Equilibrium, market: &Market, rerouted: bool) {
    let n = market.actors;
    assert_eq!(trace.stages.len(), eq.stages.len());
    for (s, stage) in trace.stages.iter().enumerate() {
        let caps = restriction_factors(market, s, n);
        let mut shipped = vec![0.0; n];
        for (b, row) in stage.flows.iter().enumerate() {
            let mut total = 0.0;
            for &(p, x) in row {
                assert!(x >= 0.0 && x.is_finite(), "stage {s}: flow {p}→{b} = {x}");
                shipped[p] += x;
                total += x;
                let x_eq = eq.stages[s].flow(b, p);
                if let Some(&(_, f)) = caps[b].iter().find(|&&(q, _)| q == p) {
                    assert!(
                        x <= f * x_eq + TOL,
                        "stage {s}: cap {p}→{b}: {x} > {f} · {x_eq}"
                    );
                }
                if !rerouted {
                    assert!(x <= x_eq + TOL, "sticky flow {p}→{b} above equilibrium");
                }
            }
            assert!(
                (total - stage.received[b]).abs() < TOL,
                "stage {s}: flows vs received of {b}"
            );
            assert!(
                stage.received[b] <= stage.need[b] + TOL,
                "stage {s}: {b} over its need"
            );
        }
        for (p, &shipped) in shipped.iter().enumerate() {
            assert!(
                stage.output[p] <= eq.output[s][p] + TOL,
                "output above equilibrium"
            );
            assert!(
                shipped <= stage.output[p] + TOL,
                "stage {s}: {p} ships {shipped} of {}",
                stage.output[p]
            );
        }
    }
}

/// Max-min fairness of the market rule at every stage: no buyer with a
/// fill ratio below 1 can be raised by an augmenting path that starts at
/// unused surplus or at a buyer with a strictly higher fill ratio (raising
/// it along such a path would be a lexicographic improvement).
fn check_fair(trace: &Trace, eq: &Equilibrium, market: &Market) {
    let n = market.actors;
    for (s, stage) in trace.stages.iter().enumerate() {
        let caps = restriction_factors(market, s, n);
        let cap = |p: usize, b: usize| {
            caps[b]
                .iter()
                .find(|&&(q, _)| q == p)
                .map_or(f64::INFINITY, |&(_, f)| f * eq.stages[s].flow(b, p))
        };
        let home: Vec<f64> = (0..n).map(|a| stage.output[a].min(stage.need[a])).collect();
        let need: Vec<f64> = (0..n).map(|a| stage.need[a] - home[a]).collect();
        let surplus: Vec<f64> = (0..n).map(|a| stage.output[a] - home[a]).collect();
        let mut flow = vec![vec![0.0; n]; n]; // flow[p][b], imports only
        for (b, row) in stage.flows.iter().enumerate() {
            for &(p, x) in row {
                if p != b {
                    flow[p][b] += x;
                }
            }
        }
        let fill: Vec<f64> = (0..n)
            .map(|b| {
                if need[b] > 1e-12 {
                    (stage.received[b] - home[b]) / need[b]
                } else {
                    1.0
                }
            })
            .collect();
        for b in 0..n {
            if need[b] <= 1e-9 || fill[b] >= 1.0 - 1e-7 {
                continue;
            }
            // Nodes 0..n exporters, n..2n buyers.
            let mut seen = vec![false; 2 * n];
            let mut queue = Vec::new();
            for p in 0..n {
                let exported: f64 = flow[p].iter().sum();
                if surplus[p] - exported > 1e-8 {
                    seen[p] = true;
                    queue.push(p);
                }
            }
            for c in 0..n {
                if need[c] > 1e-9 && fill[c] > fill[b] + 1e-7 {
                    seen[n + c] = true;
                    queue.push(n + c);
                }
            }
            while let Some(u) = queue.pop() {
                let next: Vec<usize> = if u < n {
                    // exporter u can send more to buyer c
                    (0..n)
                        .filter(|&c| c != u && need[c] > 1e-9 && flow[u][c] < cap(u, c) - 1e-8)
                        .map(|c| n + c)
                        .collect()
                } else {
                    // buyer u can give back what exporter p sends it
                    let c = u - n;
                    (0..n).filter(|&p| flow[p][c] > 1e-8).collect()
                };
                for v in next {
                    if !seen[v] {
                        seen[v] = true;
                        queue.push(v);
                    }
                }
            }
            assert!(
                !seen[n + b],
                "stage {s}: buyer {b} at fill {} could be raised (fills {fill:?})",
                fill[b]
            );
        }
    }
}

/// coalition_first keeps phase 1: every coalition buyer imports at least
/// what the coalition's surplus alone gives it under the market rule.
fn check_coalition_priority(trace: &Trace, eq: &Equilibrium, market: &Market, members: &[bool]) {
    let n = market.actors;
    for (s, stage) in trace.stages.iter().enumerate() {
        let factors = restriction_factors(market, s, n);
        let caps: Vec<Vec<(usize, f64)>> = (0..n)
            .map(|b| {
                factors[b]
                    .iter()
                    .map(|&(p, f)| (p, f * eq.stages[s].flow(b, p)))
                    .collect()
            })
            .collect();
        let home: Vec<f64> = (0..n).map(|a| stage.output[a].min(stage.need[a])).collect();
        let only = |v: Vec<f64>| -> Vec<f64> {
            v.into_iter()
                .enumerate()
                .map(|(a, x)| if members[a] { x } else { 0.0 })
                .collect()
        };
        let surplus = only((0..n).map(|a| stage.output[a] - home[a]).collect());
        let need = only((0..n).map(|a| stage.need[a] - home[a]).collect());
        let phase1 = allocate::market(&Problem {
            surplus: &surplus,
            need: &need,
            caps: &caps,
        });
        for b in (0..n).filter(|&b| members[b]) {
            let imports = stage.received[b] - home[b];
            assert!(
                imports >= phase1.imports[b] - TOL,
                "stage {s}: member {b} imports {imports} < phase 1's {}",
                phase1.imports[b]
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn flows_respect_the_invariants(market in market()) {
        let (eq, _) = equilibrium::solve(&market);
        check_trace(&shock::sticky_trace(&market, &eq), &eq, &market, false);
        check_trace(&shock::rerouted_trace(&market, &eq), &eq, &market, true);
        // Equilibrium flows too: nobody ships more than its output or
        // receives more than its need.
        for (s, stage) in eq.stages.iter().enumerate() {
            let mut shipped = vec![0.0; market.actors];
            for (b, row) in stage.flows().iter().enumerate() {
                let total: f64 = row.iter().map(|&(_, x)| x).sum();
                prop_assert!(total <= stage.need[b] + TOL);
                prop_assert!((total - stage.received[b]).abs() < TOL);
                for &(p, x) in row {
                    prop_assert!(x >= 0.0);
                    shipped[p] += x;
                }
            }
            for (p, &shipped) in shipped.iter().enumerate() {
                prop_assert!(shipped <= eq.output[s][p] + TOL);
            }
        }
    }

    #[test]
    fn metrics_stay_in_range(market in market()) {
        let outcome = evaluate(&market);
        let eq = &outcome.equilibrium;
        for c in 0..market.actors {
            let d = market.demand[c];
            prop_assert!(outcome.sticky[c] <= d + TOL);
            prop_assert!(outcome.rerouted[c] <= d + TOL);
            prop_assert!(outcome.received[c] <= d + TOL);
            let x = metrics::country(&market, &outcome, c, Some(30.0));
            prop_assert!((0.0..=1.0).contains(&x.at_risk));
            prop_assert!((0.0..=1.0).contains(&x.shortfall));
            prop_assert!((0.0..=1.0 + TOL).contains(&x.import_reliance));
            prop_assert!((0.0..=10_000.0).contains(&x.hhi));
            prop_assert!(x.top_supplier_share <= 1.0 + TOL);
            if d > 0.0 {
                // Every stage sums to ≥ 1 and demand to 1, so equilibrium
                // supply is complete and dependency sums to at least 1.
                let total: f64 = x.dependency.iter().map(|&(_, s)| s).sum();
                prop_assert!(total >= 1.0 - TOL, "dependency of {c} sums to {total}");
                let full: f64 = eq.supply(c).iter().map(|&(_, s)| s).sum();
                prop_assert!((full - d).abs() < TOL);
            }
            for w in x.dependency.windows(2) {
                prop_assert!(w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0));
            }
        }
        let everyone: Vec<usize> = (0..market.actors).collect();
        let g = metrics::group(&market, &outcome, &everyone, &[]);
        prop_assert!((g.demand - 1.0).abs() < TOL);
        prop_assert!((0.0..=1.0).contains(&g.shortfall));
        prop_assert!((0.0..=1.0).contains(&g.at_risk));
    }

    #[test]
    fn no_shock_means_no_loss(market in market()) {
        let mut market = market;
        market.disruptions.clear();
        market.restrictions.clear();
        let outcome = evaluate(&market);
        for c in 0..market.actors {
            prop_assert!((outcome.sticky[c] - market.demand[c]).abs() < TOL);
            prop_assert!((outcome.rerouted[c] - market.demand[c]).abs() < TOL);
        }
    }

    #[test]
    fn market_rule_is_max_min_fair(market in market()) {
        let mut market = market;
        market.rule = Rule::Market;
        let (eq, _) = equilibrium::solve(&market);
        check_fair(&shock::rerouted_trace(&market, &eq), &eq, &market);
    }

    #[test]
    fn coalition_first_keeps_phase_one(market in market()) {
        let Rule::CoalitionFirst { members } = market.rule.clone() else {
            return Ok(());
        };
        let (eq, _) = equilibrium::solve(&market);
        check_coalition_priority(&shock::rerouted_trace(&market, &eq), &eq, &market, &members);
    }

    #[test]
    fn stronger_restriction_never_lowers_at_risk(
        market in market(),
        pick in any::<prop::sample::Index>(),
        pair in (0usize..8, 0usize..8, 0usize..3, 0.0f64..=1.0),
        extra in 0.0f64..=1.0,
    ) {
        let mut market = market;
        if market.restrictions.is_empty() {
            let (exporter, importer, stage, fraction) = pair;
            market.restrictions.push(Restriction {
                exporter: exporter % market.actors,
                importer: importer % market.actors,
                stage: stage % market.stages(),
                fraction,
            });
        }
        let i = pick.index(market.restrictions.len());
        let target = market.restrictions[i].importer;
        let before = metrics::country(&market, &evaluate(&market), target, None).at_risk;
        let mut stronger = market.clone();
        let f = &mut stronger.restrictions[i].fraction;
        *f += (1.0 - *f) * extra;
        let after = metrics::country(&stronger, &evaluate(&stronger), target, None).at_risk;
        prop_assert!(after >= before - TOL, "at_risk fell from {before} to {after}");
    }
}
