//! Shocks on the equilibrium and the two pure outcomes (SPEC §3.4–3.5).
//!
//! Both outcomes walk the stages in order, each feeding its own outputs
//! forward:
//! - stage 1 produces `P_1 · (1 − f_disrupt)`;
//! - a producer b at stage s+1 whose inputs at stage s were filled to
//!   `φ_b = received_b / N_eq[b]` (N_eq = its equilibrium output) produces
//!   `P_{s+1}[b] · min(1 − f_disrupt, φ_b)`, never more than in equilibrium;
//!   one with no equilibrium output produces nothing.
//!
//! Several disruptions on one (actor, stage) multiply like restrictions:
//! `(1 − f1)(1 − f2)`. A restriction with the exporter as importer is
//! ignored (restricting oneself has no effect, SPEC §2.4).
//!
//! **sticky**: every equilibrium flow out of producer p (self-supply too)
//! scales with p's output ratio (shocked / equilibrium output), and a
//! restricted flow is further multiplied by its restriction factor. Nothing
//! reroutes; blocked volume stays unsold.
//!
//! **rerouted** (`market` or `coalition_first`): every stage clears again
//! on the shocked outputs, home first, then the import market of
//! [`super::allocate`]. Decisions where the SPEC is silent:
//! - A buyer's need in the shocked market is its *shocked capacity*: at an
//!   intermediate stage `N'[b] = P_{s+1}[b] · (1 − f_disrupt[b][s+1])` (a
//!   disrupted refiner does not bid for ore it cannot process); at the
//!   final stage it is demand `D[c]`.
//! - A restriction caps the pair (p, b) at `(1 − f) · x_eq[b][p]`, the
//!   equilibrium flow of that pair at that stage, whatever the shock does
//!   elsewhere; so a restricted pair with no equilibrium flow cannot open up,
//!   and `by 0%` still pins the pair to its equilibrium flow. Pairs without
//!   a restriction are unlimited.
//! - Bilateral sourcing plays no role after the shock: rerouted buyers take
//!   what the fair allocation gives them.

use super::allocate::{self, Problem, amount, merge_sorted};
use super::equilibrium::{Equilibrium, StageFlows};
use super::{Market, Rule};

/// Final-stage quantity received per actor under the sticky rule.
pub fn sticky(market: &Market, equilibrium: &Equilibrium) -> Vec<f64> {
    run(market, equilibrium, Mode::Sticky, false).0
}

/// Final-stage quantity received per actor under full rerouting with the
/// market's rule.
pub fn rerouted(market: &Market, equilibrium: &Equilibrium) -> Vec<f64> {
    run(market, equilibrium, Mode::of(&market.rule), false).0
}

/// The sticky outcome stage by stage, flows included.
pub fn sticky_trace(market: &Market, equilibrium: &Equilibrium) -> Trace {
    Trace {
        stages: run(market, equilibrium, Mode::Sticky, true).1,
    }
}

/// The rerouted outcome stage by stage, flows included.
pub fn rerouted_trace(market: &Market, equilibrium: &Equilibrium) -> Trace {
    Trace {
        stages: run(market, equilibrium, Mode::of(&market.rule), true).1,
    }
}

/// One outcome, stage by stage (for inspection and invariant checks).
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    pub stages: Vec<ShockedStage>,
}

/// How one stage clears after the shock. Indexed by actor.
#[derive(Debug, Clone, PartialEq)]
pub struct ShockedStage {
    /// Shocked output of the stage's producers.
    pub output: Vec<f64>,
    /// What each buyer could take: its equilibrium need under sticky, its
    /// shocked need `N'` when rerouting.
    pub need: Vec<f64>,
    /// What each buyer received (self-supply plus imports).
    pub received: Vec<f64>,
    /// Per buyer `(supplier, amount)`, self-supply included, sorted by
    /// supplier.
    pub flows: Vec<Vec<(usize, f64)>>,
}

#[derive(Clone, Copy)]
enum Mode<'a> {
    Sticky,
    Market,
    CoalitionFirst(&'a [bool]),
}

impl<'a> Mode<'a> {
    fn of(rule: &'a Rule) -> Self {
        match rule {
            Rule::Market => Mode::Market,
            Rule::CoalitionFirst { members } => Mode::CoalitionFirst(members),
        }
    }
}

/// Walks the stages; returns final-stage received and, when `trace`, every
/// stage with its flows.
fn run(
    market: &Market,
    eq: &Equilibrium,
    mode: Mode,
    trace: bool,
) -> (Vec<f64>, Vec<ShockedStage>) {
    let n = market.actors;
    let stages = eq.stages.len();
    let mut output: Vec<f64> = match eq.output.first() {
        Some(first) => scale(first, &disruption_factors(market, 0, n)),
        None => return (vec![0.0; n], Vec::new()),
    };
    let mut traced = Vec::new();
    let mut received = vec![0.0; n];
    for s in 0..stages {
        let eq_stage = &eq.stages[s];
        let restrict = restriction_factors(market, s, n);
        let next = eq
            .output
            .get(s + 1)
            .map(|p| (p, disruption_factors(market, s + 1, n)));
        let stage = match mode {
            Mode::Sticky => sticky_stage(eq_stage, &eq.output[s], output, &restrict, trace),
            Mode::Market | Mode::CoalitionFirst(_) => {
                let need = match &next {
                    Some((p, disrupt)) => scale(p, disrupt),
                    None => eq_stage.need.clone(),
                };
                let members = match mode {
                    Mode::CoalitionFirst(m) => Some(m),
                    _ => None,
                };
                market_stage(eq_stage, output, need, &restrict, members, trace)
            }
        };
        received.clone_from(&stage.received);
        if let Some((p, disrupt)) = &next {
            output = (0..n)
                .map(|b| {
                    if p[b] > 0.0 {
                        let fill = (received[b] / p[b]).min(1.0);
                        (p[b] * disrupt[b].min(fill)).max(0.0)
                    } else {
                        0.0
                    }
                })
                .collect();
        } else {
            output = Vec::new();
        }
        if trace {
            traced.push(stage);
        }
    }
    (received, traced)
}

fn scale(values: &[f64], factors: &[f64]) -> Vec<f64> {
    values.iter().zip(factors).map(|(v, f)| v * f).collect()
}

/// Per actor, the product of `(1 − f)` of the disruptions at a stage.
pub fn disruption_factors(market: &Market, stage: usize, n: usize) -> Vec<f64> {
    let mut factor = vec![1.0; n];
    for d in &market.disruptions {
        if d.stage == stage && d.actor < n {
            factor[d.actor] *= 1.0 - fraction(d.fraction);
        }
    }
    factor
}

/// Per importer, `(exporter, Π (1 − f))` for each restricted pair at a
/// stage, sorted by exporter.
pub fn restriction_factors(market: &Market, stage: usize, n: usize) -> Vec<Vec<(usize, f64)>> {
    let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for r in &market.restrictions {
        if r.stage == stage && r.importer < n && r.exporter < n && r.exporter != r.importer {
            rows[r.importer].push((r.exporter, 1.0 - fraction(r.fraction)));
        }
    }
    for row in &mut rows {
        row.sort_by_key(|&(p, _)| p);
        let mut merged: Vec<(usize, f64)> = Vec::with_capacity(row.len());
        for &(p, f) in row.iter() {
            match merged.last_mut() {
                Some(last) if last.0 == p => last.1 *= f,
                _ => merged.push((p, f)),
            }
        }
        *row = merged;
    }
    rows
}

/// A fraction in `[0, 1]`; NaN counts as 0 (no effect).
fn fraction(f: f64) -> f64 {
    if f.is_nan() { 0.0 } else { f.clamp(0.0, 1.0) }
}

fn factor(row: &[(usize, f64)], exporter: usize) -> f64 {
    row.binary_search_by_key(&exporter, |&(p, _)| p)
        .map_or(1.0, |i| row[i].1)
}

/// sticky at one stage: equilibrium flows × exporter's output ratio ×
/// restriction factor. The pool is rank one, so a buyer's pooled imports
/// are `M'[b] · scale · Σ_p X'[p] · ratio[p]`, corrected for its few
/// restricted exporters; flows are only materialised for a trace.
fn sticky_stage(
    eq: &StageFlows,
    eq_output: &[f64],
    output: Vec<f64>,
    restrict: &[Vec<(usize, f64)>],
    trace: bool,
) -> ShockedStage {
    let n = eq.actors();
    let ratio: Vec<f64> = (0..n)
        .map(|p| {
            if eq_output[p] > 0.0 {
                (output[p] / eq_output[p]).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let pooled: f64 = (0..n).map(|p| eq.pool_surplus[p] * ratio[p]).sum();
    let received = (0..n)
        .map(|b| {
            let own = eq.home[b] * ratio[b];
            let sourced: f64 = eq.sourced[b]
                .iter()
                .map(|&(i, x)| x * ratio[i] * factor(&restrict[b], i))
                .sum();
            let blocked: f64 = restrict[b]
                .iter()
                .map(|&(p, f)| eq.pool_surplus[p] * ratio[p] * (1.0 - f))
                .sum();
            let pool = eq.pool_need[b] * eq.pool_scale * (pooled - blocked).max(0.0);
            own + sourced + pool
        })
        .collect();
    let flows = if trace {
        (0..n)
            .map(|b| {
                let mut row: Vec<(usize, f64)> = eq
                    .supply(b)
                    .into_iter()
                    .map(|(p, x)| {
                        let f = if p == b { 1.0 } else { factor(&restrict[b], p) };
                        (p, x * ratio[p] * f)
                    })
                    .collect();
                row.retain(|&(_, x)| x > 0.0);
                row
            })
            .collect()
    } else {
        Vec::new()
    };
    ShockedStage {
        output,
        need: eq.need.clone(),
        received,
        flows,
    }
}

/// market / coalition_first at one stage: home first on the shocked
/// outputs and needs, then the fair import market with restriction caps.
fn market_stage(
    eq: &StageFlows,
    output: Vec<f64>,
    need: Vec<f64>,
    restrict: &[Vec<(usize, f64)>],
    members: Option<&[bool]>,
    trace: bool,
) -> ShockedStage {
    let n = eq.actors();
    let home: Vec<f64> = (0..n).map(|a| amount(output[a].min(need[a]))).collect();
    let surplus: Vec<f64> = (0..n).map(|a| amount(output[a] - home[a])).collect();
    let import_need: Vec<f64> = (0..n).map(|a| amount(need[a] - home[a])).collect();
    let caps: Vec<Vec<(usize, f64)>> = (0..n)
        .map(|b| {
            restrict[b]
                .iter()
                .map(|&(p, f)| (p, f * eq.flow(b, p)))
                .collect()
        })
        .collect();
    let problem = Problem {
        surplus: &surplus,
        need: &import_need,
        caps: &caps,
    };
    let allocation = match members {
        Some(members) => allocate::coalition_first(&problem, members),
        None => allocate::market(&problem),
    };
    let received = (0..n).map(|b| home[b] + allocation.imports[b]).collect();
    let flows = if trace {
        let mut rows = allocation.flows.by_buyer(n);
        for (b, row) in rows.iter_mut().enumerate() {
            if home[b] > 0.0 {
                row.push((b, home[b]));
                merge_sorted(row);
            }
        }
        rows
    } else {
        Vec::new()
    };
    ShockedStage {
        output,
        need,
        received,
        flows,
    }
}

#[cfg(test)]
#[path = "shock_tests.rs"]
mod tests;
