//! Lexicographically max-min fair fill levels by progressive filling with
//! parametric max-flow (SPEC §3.5).
//!
//! The network (built by [`super::allocate`]) ends in *sink edges*
//! `node → t`, each with capacity `fixed + level · weight`. A sink with
//! `weight > 0` belongs to a buyer whose fill level (received / weight on
//! that edge) is to be made max-min fair; `fixed` is a demand that must be met
//! whatever the levels (coalition_first's phase-1 amounts).
//!
//! ## The method
//!
//! Progressive filling raises every *active* sink's level together as one
//! parameter λ, while *frozen* sinks keep the level at which they stopped.
//! Write `demand(λ) = Fixed + λ·W` for the sum of all sink capacities
//! (`Fixed` = fixed parts plus frozen levels × weights, `W` = active weight).
//! A level λ is feasible iff the max flow saturates every sink edge, i.e.
//! `maxflow(λ) = demand(λ)`. By max-flow/min-cut, for every s–t cut `C`
//! (the set on the source side)
//!
//! ```text
//! cap(C, λ) = A(C) + λ·W_in(C)
//! ```
//!
//! where `W_in(C)` is the active weight whose sink edge leaves `C` and `A(C)`
//! collects every capacity that does not depend on λ (ordinary edges leaving
//! `C`, fixed and frozen sink capacities leaving `C`). Feasibility is
//! `cap(C, λ) ≥ demand(λ)` for all `C`, that is
//!
//! ```text
//! λ · W_out(C) ≤ A(C) − Fixed         (W_out = W − W_in)
//! ```
//!
//! so the highest common level is `λ* = min_C (A(C) − Fixed) / W_out(C)`
//! over cuts with `W_out(C) > 0`. `g(λ) = min_C cap(C, λ) − demand(λ)` is
//! concave and piecewise linear, so Newton's (Dinkelbach's) iteration from
//! above converges to its largest root in finitely many steps:
//! start at λ₀ = 1 (if feasible, every active buyer is filled completely);
//! otherwise take the minimum cut `C_k` of the max flow at λ_k (the nodes
//! reachable in the residual graph), whose capacity is the flow value `F_k`,
//! so `A(C_k) = F_k − λ_k·W_in(C_k)`, and set
//! `λ_{k+1} = (A(C_k) − Fixed) / W_out(C_k)`. Each `λ_{k+1}` is the root of a
//! line lying above `g`, hence `λ* ≤ λ_{k+1} < λ_k`; the iteration stops when
//! the max flow at `λ_{k+1}` saturates all sinks (then `C_k` is a minimum cut
//! at λ*). No bisection and no tolerance on λ is involved: each step is one
//! exact max flow.
//!
//! ## Which buyers stop
//!
//! An active sink on the sink side of *any* minimum cut at λ* cannot rise:
//! all flow into that side crosses the saturated cut, which is exactly what
//! the sinks there already take, so one could only rise if another fell
//! below its level. We freeze the union of two such sets: the sink side of
//! the last Newton cut `C_k` (a minimum cut at λ*, never empty) and the
//! nodes not reachable in the residual graph of the max flow at λ* (the
//! largest such sink side). Every remaining active sink is reachable, i.e.
//! has an augmenting path, and all of them lie on the source side of every
//! minimum cut at λ*, so together they can rise above λ* in the next round.
//! Each round freezes at least one sink, so there are at most as many rounds
//! as buyers, and in practice as many as there are distinct bottlenecks.

use super::maxflow::{EdgeId, FlowNetwork};

/// Levels above this count as fully filled.
const FULL: f64 = 1.0 - 1e-12;
/// A max flow this close to the total demand saturates the sinks.
const SATURATED: f64 = 1e-11;
/// Newton steps per level; real networks need two or three.
const MAX_STEPS: usize = 64;

/// A sink edge `node → t` with capacity `fixed + level · weight`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sink {
    pub edge: EdgeId,
    pub node: usize,
    pub fixed: f64,
    pub weight: f64,
}

struct Filling<'a> {
    net: &'a mut FlowNetwork,
    source: usize,
    sink: usize,
    sinks: &'a [Sink],
    level: Vec<f64>,
    active: Vec<bool>,
}

/// Computes the max-min fair levels (each in `[0, 1]`; 0 for sinks with no
/// weight) and leaves `net` holding a max flow at those levels, from which
/// the caller reads the edge flows.
pub(crate) fn fill(net: &mut FlowNetwork, source: usize, sink: usize, sinks: &[Sink]) -> Vec<f64> {
    let mut filling = Filling {
        net,
        source,
        sink,
        sinks,
        level: vec![0.0; sinks.len()],
        active: sinks.iter().map(|s| s.weight > 0.0).collect(),
    };
    let mut floor = 0.0;
    while filling.active.iter().any(|&a| a) {
        let (lambda, newton_cut) = filling.highest_level(floor);
        if lambda >= FULL {
            filling.freeze_all(1.0);
            break;
        }
        let reachable = filling.net.reachable(filling.source);
        let mut froze = false;
        for (i, s) in sinks.iter().enumerate() {
            let stuck = !reachable[s.node] || newton_cut.as_ref().is_some_and(|c| !c[s.node]);
            if filling.active[i] && stuck {
                filling.level[i] = lambda;
                filling.active[i] = false;
                froze = true;
            }
        }
        if !froze {
            // Only float trouble can get here (a Newton cut always has
            // active weight on its sink side); stop rather than loop.
            filling.freeze_all(lambda);
        }
        floor = lambda;
    }
    filling.set_capacities(0.0);
    filling.net.max_flow(source, sink);
    filling.level
}

impl Filling<'_> {
    fn freeze_all(&mut self, lambda: f64) {
        for i in 0..self.sinks.len() {
            if self.active[i] {
                self.level[i] = lambda;
                self.active[i] = false;
            }
        }
    }

    /// Sets sink capacities for active level λ; returns the total demand.
    fn set_capacities(&mut self, lambda: f64) -> f64 {
        let mut demand = 0.0;
        for (i, s) in self.sinks.iter().enumerate() {
            let level = if self.active[i] {
                lambda
            } else {
                self.level[i]
            };
            let capacity = s.fixed + level * s.weight;
            self.net.set_capacity(s.edge, capacity);
            demand += capacity;
        }
        demand
    }

    /// Sum of fixed and frozen sink capacities.
    fn fixed_demand(&self) -> f64 {
        self.sinks
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.fixed
                    + if self.active[i] {
                        0.0
                    } else {
                        self.level[i] * s.weight
                    }
            })
            .sum()
    }

    /// Newton's iteration from λ = 1 down to λ* (never below `floor`, the
    /// level where the previous round stopped and which is known feasible).
    /// Returns λ* and the last Newton cut (source side), if a step was
    /// taken. On return the network holds a max flow at λ*.
    fn highest_level(&mut self, floor: f64) -> (f64, Option<Vec<bool>>) {
        let mut lambda = 1.0;
        let mut cut = None;
        for _ in 0..MAX_STEPS {
            let demand = self.set_capacities(lambda);
            let flow = self.net.max_flow(self.source, self.sink);
            if flow >= demand - SATURATED {
                return (lambda, cut);
            }
            let side = self.net.reachable(self.source);
            let (mut w_in, mut w_out) = (0.0, 0.0);
            for (i, s) in self.sinks.iter().enumerate() {
                if self.active[i] {
                    if side[s.node] {
                        w_in += s.weight;
                    } else {
                        w_out += s.weight;
                    }
                }
            }
            if w_out <= 0.0 {
                // The shortfall is not on any active sink: float dust in
                // the fixed demands. Nothing active can be helped by a lower λ.
                return (lambda, cut);
            }
            let next = (flow - lambda * w_in - self.fixed_demand()) / w_out;
            cut = Some(side);
            if next.is_nan() || next <= floor {
                self.set_capacities(floor);
                self.net.max_flow(self.source, self.sink);
                return (floor, cut);
            }
            if next >= lambda {
                // No progress: λ is the root up to float precision.
                return (lambda, cut);
            }
            lambda = next;
        }
        self.set_capacities(lambda);
        self.net.max_flow(self.source, self.sink);
        (lambda, cut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// s → e (supply) → node_b (uncapped or capped) → t (λ · weight).
    struct Toy {
        net: FlowNetwork,
        s: usize,
        t: usize,
        sinks: Vec<Sink>,
    }

    impl Toy {
        fn new() -> Self {
            let mut net = FlowNetwork::new();
            let s = net.add_node();
            let t = net.add_node();
            Toy {
                net,
                s,
                t,
                sinks: Vec::new(),
            }
        }
        fn exporter(&mut self, supply: f64) -> usize {
            let e = self.net.add_node();
            self.net.add_edge(self.s, e, supply);
            e
        }
        fn buyer(&mut self, weight: f64, fixed: f64) -> usize {
            let b = self.net.add_node();
            let edge = self.net.add_edge(b, self.t, 0.0);
            self.sinks.push(Sink {
                edge,
                node: b,
                fixed,
                weight,
            });
            b
        }
        fn fill(&mut self) -> Vec<f64> {
            fill(&mut self.net, self.s, self.t, &self.sinks)
        }
    }

    #[test]
    fn enough_supply_fills_everyone() {
        // Supply 1.0 ≥ needs 0.3 + 0.5: both at level 1.
        let mut toy = Toy::new();
        let e = toy.exporter(1.0);
        let a = toy.buyer(0.3, 0.0);
        let b = toy.buyer(0.5, 0.0);
        toy.net.add_edge(e, a, 10.0);
        toy.net.add_edge(e, b, 10.0);
        assert_eq!(toy.fill(), vec![1.0, 1.0]);
    }

    #[test]
    fn shortage_shared_at_one_ratio() {
        // Supply 0.4 for needs 0.3 + 0.5 = 0.8: level 0.4 / 0.8 = 0.5 each.
        let mut toy = Toy::new();
        let e = toy.exporter(0.4);
        let a = toy.buyer(0.3, 0.0);
        let b = toy.buyer(0.5, 0.0);
        toy.net.add_edge(e, a, 10.0);
        toy.net.add_edge(e, b, 10.0);
        let level = toy.fill();
        assert!((level[0] - 0.5).abs() < 1e-12);
        assert!((level[1] - 0.5).abs() < 1e-12);
    }

    #[test]
    fn capped_buyer_stops_early_and_the_other_takes_the_rest() {
        // Supply 0.6, needs a = 0.4 (edge capped at 0.1), b = 0.4.
        // Common level λ: a gets min(0.4λ, 0.1), b gets 0.4λ; total ≤ 0.6.
        // a stops at λ = 0.1 / 0.4 = 0.25; then b alone rises to
        // min(1, (0.6 − 0.1) / 0.4) = 1.
        let mut toy = Toy::new();
        let e = toy.exporter(0.6);
        let a = toy.buyer(0.4, 0.0);
        let b = toy.buyer(0.4, 0.0);
        toy.net.add_edge(e, a, 0.1);
        toy.net.add_edge(e, b, 10.0);
        let level = toy.fill();
        assert!((level[0] - 0.25).abs() < 1e-12);
        assert!((level[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn three_levels() {
        // Exporters e1 (0.2) serving only a; e2 (0.5) serving b and c;
        // e3 (0.3) serving only c. Needs a = b = c = 0.5.
        // a: 0.2 / 0.5 = 0.4. b and c share e2 + e3 = 0.8 for 1.0 of need,
        // but c can use e3 alone: level 0.8 for both (b 0.4 from e2, c 0.1
        // from e2 + 0.3 from e3). Result 0.4, 0.8, 0.8.
        let mut toy = Toy::new();
        let e1 = toy.exporter(0.2);
        let e2 = toy.exporter(0.5);
        let e3 = toy.exporter(0.3);
        let a = toy.buyer(0.5, 0.0);
        let b = toy.buyer(0.5, 0.0);
        let c = toy.buyer(0.5, 0.0);
        toy.net.add_edge(e1, a, 10.0);
        toy.net.add_edge(e2, b, 10.0);
        toy.net.add_edge(e2, c, 10.0);
        toy.net.add_edge(e3, c, 10.0);
        let level = toy.fill();
        assert!((level[0] - 0.4).abs() < 1e-12);
        assert!((level[1] - 0.8).abs() < 1e-12);
        assert!((level[2] - 0.8).abs() < 1e-12);
    }

    #[test]
    fn fixed_demand_is_kept() {
        // One exporter with 0.5; a fixed demand of 0.3 on a node fed by it,
        // and a buyer of weight 0.4 fed by it: the buyer gets 0.2, level 0.5.
        let mut toy = Toy::new();
        let e = toy.exporter(0.5);
        let f = toy.buyer(0.0, 0.3);
        let b = toy.buyer(0.4, 0.0);
        toy.net.add_edge(e, f, 10.0);
        toy.net.add_edge(e, b, 10.0);
        let level = toy.fill();
        assert!((level[1] - 0.5).abs() < 1e-12);
        let edge = toy.sinks[0].edge;
        assert!((toy.net.flow(edge) - 0.3).abs() < 1e-12);
    }

    #[test]
    fn unconnected_buyer_gets_zero() {
        let mut toy = Toy::new();
        let e = toy.exporter(0.5);
        let a = toy.buyer(0.2, 0.0);
        let _b = toy.buyer(0.2, 0.0);
        toy.net.add_edge(e, a, 10.0);
        assert_eq!(toy.fill(), vec![1.0, 0.0]);
    }
}
