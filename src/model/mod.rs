//! The model: one mineral in one scenario, from capacities to exposures.
//!
//! Everything here is a pure function of a [`Market`]: no names, no I/O, no
//! diagnostics. Actors are dense indices `0..market.actors`; the caller
//! orders them by code, so a lower index is the alphabetically first code
//! (ties in `top_supplier` go to the lower index).
//!
//! Every quantity is a fraction of the mineral's baseline world demand
//! (SPEC §3). The pipeline is
//! [`equilibrium`] (SPEC §3.1–3.3) → shocks and allocation (§3.4–3.5) →
//! [`metrics`] (§3.6):
//!
//! ```text
//! Market ─ equilibrium::solve ─▶ Equilibrium ─┬─ shock::sticky ────────┐
//!                                             └─ shock::rerouted ──────┤
//!            allocate (one stage's import market, market/coalition_first)
//!              └─ fair (max-min fair levels) └─ maxflow (Dinic)      │
//!                              evaluate: (1 − r)·sticky + r·rerouted ◀─┘
//!                                  └─▶ metrics::country / metrics::group
//! ```
//!
//! Non-finite or negative inputs never panic: amounts count as 0 and
//! fractions are clamped to `[0, 1]` (the checker rejects them upstream).

pub mod allocate;
pub mod equilibrium;
mod fair;
pub mod maxflow;
pub mod metrics;
pub mod shock;

pub use equilibrium::Equilibrium;
pub use metrics::Exposure;

/// One mineral in one scenario, resolved to indices and fractions.
#[derive(Debug, Clone, PartialEq)]
pub struct Market {
    /// Number of actors; every per-actor vector has this length.
    pub actors: usize,
    /// Capacity per stage and actor: the share line plus any `adds`, as a
    /// fraction of world baseline output (so a stage without adds sums to 1).
    pub capacity: Vec<Vec<f64>>,
    /// Share of final-stage demand per actor; sums to 1.
    pub demand: Vec<f64>,
    /// Bilateral sourcing lines (SPEC §3.3).
    pub sourcing: Vec<Sourcing>,
    /// `disrupt` shocks, one per (actor, stage).
    pub disruptions: Vec<Disruption>,
    /// `restricts`/`bans`, expanded to one per (exporter, importer, stage).
    /// Several on one pair multiply: `(1 - f1)(1 - f2)`.
    pub restrictions: Vec<Restriction>,
    /// How the rerouted part of the market is allocated.
    pub rule: Rule,
    /// Share of the market that reroutes, 0..=1 (SPEC §3.5).
    pub rerouting: f64,
}

impl Market {
    /// A market with no sourcing and no shocks, `allocation market` and
    /// `rerouting 0%`; `actors` is the length of `demand`.
    pub fn new(capacity: Vec<Vec<f64>>, demand: Vec<f64>) -> Self {
        Market {
            actors: demand.len(),
            capacity,
            demand,
            sourcing: Vec::new(),
            disruptions: Vec::new(),
            restrictions: Vec::new(),
            rule: Rule::Market,
            rerouting: 0.0,
        }
    }

    pub fn stages(&self) -> usize {
        self.capacity.len()
    }
}

/// `C sources [stage]: P1 s1, P2 s2` — fixes C's import shares at a stage.
#[derive(Debug, Clone, PartialEq)]
pub struct Sourcing {
    pub buyer: usize,
    pub stage: usize,
    /// (supplier, share of the buyer's import need), shares sum to ≤ 1.
    pub shares: Vec<(usize, f64)>,
}

/// `disrupt A m.s by f`: A's output at stage s falls to `(1 - f)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disruption {
    pub actor: usize,
    pub stage: usize,
    pub fraction: f64,
}

/// `A restricts m.s to T by f`: the flow exporter → importer at stage s may
/// carry at most `(1 - f)` of its equilibrium value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Restriction {
    pub exporter: usize,
    pub importer: usize,
    pub stage: usize,
    pub fraction: f64,
}

/// The rule for the rerouted share of the market (SPEC §3.5). `sticky` is
/// expressed as `Rule::Market` with `rerouting = 0`.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    Market,
    /// `members[a]` is true when actor a belongs to the coalition.
    CoalitionFirst {
        members: Vec<bool>,
    },
}

/// Something the model noticed that the user should hear about.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelWarning {
    /// A `sources` flow exceeded the exporter's surplus and was capped.
    SourcingCapped {
        buyer: usize,
        supplier: usize,
        stage: usize,
        requested: f64,
        granted: f64,
    },
}

/// The result of evaluating one [`Market`].
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub equilibrium: Equilibrium,
    /// Final-stage quantity received per actor under the sticky rule.
    pub sticky: Vec<f64>,
    /// Final-stage quantity received per actor under full rerouting with the
    /// market's rule (market or coalition_first).
    pub rerouted: Vec<f64>,
    /// `(1 - r) * sticky + r * rerouted`.
    pub received: Vec<f64>,
    pub warnings: Vec<ModelWarning>,
}

/// Evaluates a market: equilibrium, both pure outcomes, and their mix.
pub fn evaluate(market: &Market) -> Outcome {
    let (equilibrium, warnings) = equilibrium::solve(market);
    let sticky = shock::sticky(market, &equilibrium);
    // A rerouting share outside 0..=1 (or NaN) is rejected upstream; here
    // it is clamped so the mix stays between the two outcomes.
    let r = if market.rerouting.is_nan() {
        0.0
    } else {
        market.rerouting.clamp(0.0, 1.0)
    };
    let rerouted = if r > 0.0 {
        shock::rerouted(market, &equilibrium)
    } else {
        sticky.clone()
    };
    let received = sticky
        .iter()
        .zip(&rerouted)
        .map(|(s, m)| (1.0 - r) * s + r * m)
        .collect();
    Outcome {
        equilibrium,
        sticky,
        rerouted,
        received,
        warnings,
    }
}
