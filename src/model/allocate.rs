//! One stage's import market after a shock: who ships how much to whom
//! (SPEC §3.5, rules `market` and `coalition_first`).
//!
//! The input is what is left after home supply: each exporter's surplus
//! `X'`, each buyer's import need `M'`, and the restriction caps on
//! particular (exporter, buyer) pairs. Pairs without a cap are unlimited.
//! The output gives each buyer's imports and the flows behind them.
//!
//! ## The network
//!
//! `source → exporter` (capacity `X'[p]`), exporter → buyer, `buyer → sink`
//! (capacity set by [`super::fair`] as the fill level times `M'[b]`). A
//! complete bipartite middle would have `exporters × buyers` edges; instead,
//! buyers whose set of capped exporters is the same share one *hub* node fed
//! by every uncapped exporter through unlimited edges, and only capped pairs
//! get their own edge (with the cap). Since unlimited edges impose nothing,
//! routing through a hub allows exactly the same (shipped, received) totals
//! as direct unlimited edges, and any hub flow splits back into pair flows
//! proportionally (see [`Flows`]). With restrictions from a few exporters
//! the network has O(exporters + buyers) edges instead of their product.
//!
//! ## coalition_first
//!
//! Phase 1 is `market` restricted to coalition exporters and coalition
//! buyers; each coalition buyer `b` receives `g[b]`. Phase 2 allocates all
//! surplus to every buyer's remaining need `M' − g`, max-min fair, on one
//! network that also keeps phase 1's amounts feasible: a coalition buyer is
//! split into `b_C` (fed by coalition exporters), `b_N` (fed by the others)
//! and `b_rest`; `b_C → sink` must carry exactly `g[b]` (a fixed demand),
//! `b_C → b_rest` and `b_N → b_rest` are unlimited, and `b_rest → sink` is
//! the parametric edge `λ·(M' − g)`. Each capped pair still has a single
//! edge, so a cap bounds both phases' flows on that pair together, and which
//! coalition exporter delivers `g[b]` is left to the max flow.

use std::collections::BTreeMap;

use super::fair::{self, Sink};
use super::maxflow::{EdgeId, FlowNetwork};

/// One stage's import market, after home supply.
#[derive(Debug, Clone, Copy)]
pub struct Problem<'a> {
    /// Surplus `X'` per actor.
    pub surplus: &'a [f64],
    /// Import need `M'` per actor.
    pub need: &'a [f64],
    /// Per buyer: `(exporter, cap)` for each capped pair, one entry per
    /// exporter. Pairs not listed are unlimited.
    pub caps: &'a [Vec<(usize, f64)>],
}

/// The result of allocating one import market.
#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    /// Imports received per actor.
    pub imports: Vec<f64>,
    pub flows: Flows,
}

/// Import flows in compact form: explicit pair flows plus pools whose flows
/// split proportionally (`inflow[p] · outflow[b] / Σ outflow`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Flows {
    /// `(supplier, buyer, amount)`.
    pub direct: Vec<(usize, usize, f64)>,
    pub pools: Vec<Pool>,
}

/// A set of exporters shipping into a set of buyers with no cap between them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pool {
    /// `(supplier, amount shipped into the pool)`.
    pub inflow: Vec<(usize, f64)>,
    /// `(buyer, amount received from the pool)`.
    pub outflow: Vec<(usize, f64)>,
}

impl Flows {
    /// The flows per buyer as `(supplier, amount)`, sorted by supplier,
    /// positive amounts only.
    pub fn by_buyer(&self, actors: usize) -> Vec<Vec<(usize, f64)>> {
        let mut rows: Vec<Vec<(usize, f64)>> = vec![Vec::new(); actors];
        for &(p, b, amount) in &self.direct {
            if amount > 0.0 && b < actors {
                rows[b].push((p, amount));
            }
        }
        for pool in &self.pools {
            let total: f64 = pool.outflow.iter().map(|&(_, o)| o).sum();
            if total <= 0.0 {
                continue;
            }
            for &(b, out) in &pool.outflow {
                if out <= 0.0 || b >= actors {
                    continue;
                }
                for &(p, into) in &pool.inflow {
                    if into > 0.0 {
                        rows[b].push((p, into * out / total));
                    }
                }
            }
        }
        rows.iter_mut().for_each(merge_sorted);
        rows
    }
}

/// Sorts `(index, amount)` pairs by index and adds up duplicates.
pub(crate) fn merge_sorted(row: &mut Vec<(usize, f64)>) {
    row.sort_by_key(|&(i, _)| i);
    let mut merged: Vec<(usize, f64)> = Vec::with_capacity(row.len());
    for &(i, x) in row.iter() {
        match merged.last_mut() {
            Some(last) if last.0 == i => last.1 += x,
            _ => merged.push((i, x)),
        }
    }
    *row = merged;
}

/// `market`: imports max-min fair in `received / M'`, subject to surpluses
/// and caps.
pub fn market(problem: &Problem) -> Allocation {
    let mut builder = Builder::new(problem, &[], |_| true);
    for b in 0..builder.actors() {
        let need = amount(problem.need[b]);
        if need > 0.0 {
            let node = builder.net.add_node();
            builder.connect(node, b, Side::All);
            builder.sink(node, b, 0.0, need);
        }
    }
    builder.solve()
}

/// `coalition_first`: phase 1 among coalition members, then phase 2 for
/// everyone on the remaining needs, keeping phase 1's amounts feasible.
/// `members[a]` is true for coalition members (missing entries: false).
pub fn coalition_first(problem: &Problem, members: &[bool]) -> Allocation {
    let is_member = |a: usize| members.get(a).copied().unwrap_or(false);

    let mut phase1 = Builder::new(problem, members, is_member);
    for b in 0..phase1.actors() {
        let need = amount(problem.need[b]);
        if need > 0.0 && is_member(b) {
            let node = phase1.net.add_node();
            phase1.connect(node, b, Side::Members);
            phase1.sink(node, b, 0.0, need);
        }
    }
    let granted = phase1.solve().imports;

    let mut phase2 = Builder::new(problem, members, |_| true);
    for (b, &g) in granted.iter().enumerate() {
        let need = amount(problem.need[b]);
        if need <= 0.0 {
            continue;
        }
        if !is_member(b) {
            let node = phase2.net.add_node();
            phase2.connect(node, b, Side::All);
            phase2.sink(node, b, 0.0, need);
            continue;
        }
        let g = g.min(need);
        let rest = need - g;
        let from_members = phase2.net.add_node();
        phase2.connect(from_members, b, Side::Members);
        if g > 0.0 {
            phase2.sink(from_members, b, g, 0.0);
        }
        // Dust left by phase 1 is not a need worth a fill level.
        if rest > 1e-14 {
            let from_others = phase2.net.add_node();
            phase2.connect(from_others, b, Side::Outsiders);
            let remaining = phase2.net.add_node();
            let big = phase2.big;
            phase2.net.add_edge(from_members, remaining, big);
            phase2.net.add_edge(from_others, remaining, big);
            phase2.sink(remaining, b, 0.0, rest);
        }
    }
    phase2.solve()
}

/// Which exporters may feed a buyer's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    All,
    Members,
    Outsiders,
}

struct Builder<'a> {
    problem: &'a Problem<'a>,
    members: &'a [bool],
    net: FlowNetwork,
    source: usize,
    sink: usize,
    /// Network node per exporting actor.
    exporter: Vec<Option<usize>>,
    /// Capacity standing for "unlimited": more than all surplus together.
    big: f64,
    /// Hub per (side, excluded exporters); `None` when it would be empty.
    hubs: BTreeMap<(Side, Vec<usize>), Option<usize>>,
    hub_node: Vec<usize>,
    /// (hub, exporter, edge) and (hub, buyer, edge).
    hub_in: Vec<(usize, usize, EdgeId)>,
    hub_out: Vec<(usize, usize, EdgeId)>,
    /// (exporter, buyer, edge) for capped pairs.
    direct: Vec<(usize, usize, EdgeId)>,
    sinks: Vec<Sink>,
    sink_buyer: Vec<usize>,
}

impl<'a> Builder<'a> {
    fn new(problem: &'a Problem<'a>, members: &'a [bool], exports: impl Fn(usize) -> bool) -> Self {
        let mut net = FlowNetwork::new();
        let source = net.add_node();
        let sink = net.add_node();
        let mut exporter = vec![None; problem.surplus.len()];
        let mut total = 0.0;
        for (p, slot) in exporter.iter_mut().enumerate() {
            let surplus = amount(problem.surplus[p]);
            if surplus > 0.0 && exports(p) {
                let node = net.add_node();
                net.add_edge(source, node, surplus);
                *slot = Some(node);
                total += surplus;
            }
        }
        Builder {
            problem,
            members,
            net,
            source,
            sink,
            exporter,
            big: 2.0 * total + 1.0,
            hubs: BTreeMap::new(),
            hub_node: Vec::new(),
            hub_in: Vec::new(),
            hub_out: Vec::new(),
            direct: Vec::new(),
            sinks: Vec::new(),
            sink_buyer: Vec::new(),
        }
    }

    fn actors(&self) -> usize {
        self.problem.need.len()
    }

    fn on_side(&self, actor: usize, side: Side) -> bool {
        let member = self.members.get(actor).copied().unwrap_or(false);
        match side {
            Side::All => true,
            Side::Members => member,
            Side::Outsiders => !member,
        }
    }

    fn exporter_on(&self, actor: usize, side: Side) -> Option<usize> {
        self.exporter
            .get(actor)
            .copied()
            .flatten()
            .filter(|_| self.on_side(actor, side))
    }

    /// Feeds `port`, a node receiving for `buyer`, from the exporters on
    /// `side`: capped pairs directly, the rest through a shared hub.
    fn connect(&mut self, port: usize, buyer: usize, side: Side) {
        let mut excluded = Vec::new();
        let caps = self.problem.caps.get(buyer).map_or(&[][..], Vec::as_slice);
        for &(p, cap) in caps {
            if p == buyer || excluded.contains(&p) {
                continue;
            }
            if let Some(node) = self.exporter_on(p, side) {
                excluded.push(p);
                let cap = amount(cap);
                if cap > 0.0 {
                    let edge = self.net.add_edge(node, port, cap);
                    self.direct.push((p, buyer, edge));
                }
            }
        }
        // Nobody imports from itself.
        if self.exporter_on(buyer, side).is_some() {
            excluded.push(buyer);
        }
        excluded.sort_unstable();
        if let Some(hub) = self.hub(side, excluded) {
            let edge = self.net.add_edge(self.hub_node[hub], port, self.big);
            self.hub_out.push((hub, buyer, edge));
        }
    }

    /// The hub fed by every exporter on `side` except `excluded`.
    fn hub(&mut self, side: Side, excluded: Vec<usize>) -> Option<usize> {
        let key = (side, excluded);
        if let Some(&hub) = self.hubs.get(&key) {
            return hub;
        }
        let feeders: Vec<(usize, usize)> = (0..self.exporter.len())
            .filter(|p| key.1.binary_search(p).is_err())
            .filter_map(|p| self.exporter_on(p, side).map(|node| (p, node)))
            .collect();
        let hub = if feeders.is_empty() {
            None
        } else {
            let hub = self.hub_node.len();
            let node = self.net.add_node();
            self.hub_node.push(node);
            for (p, from) in feeders {
                let edge = self.net.add_edge(from, node, self.big);
                self.hub_in.push((hub, p, edge));
            }
            Some(hub)
        };
        self.hubs.insert(key, hub);
        hub
    }

    fn sink(&mut self, node: usize, buyer: usize, fixed: f64, weight: f64) {
        let edge = self.net.add_edge(node, self.sink, 0.0);
        self.sinks.push(Sink {
            edge,
            node,
            fixed,
            weight,
        });
        self.sink_buyer.push(buyer);
    }

    /// Runs the progressive filling and reads the flows off the network.
    fn solve(mut self) -> Allocation {
        fair::fill(&mut self.net, self.source, self.sink, &self.sinks);
        let mut imports = vec![0.0; self.actors()];
        for (s, &b) in self.sinks.iter().zip(&self.sink_buyer) {
            imports[b] += self.net.flow(s.edge);
        }
        let positive = |x: f64| x > 0.0;
        let direct = self
            .direct
            .iter()
            .map(|&(p, b, e)| (p, b, self.net.flow(e)))
            .filter(|&(_, _, f)| positive(f))
            .collect();
        let mut pools = vec![Pool::default(); self.hub_node.len()];
        for &(hub, p, e) in &self.hub_in {
            let f = self.net.flow(e);
            if positive(f) {
                pools[hub].inflow.push((p, f));
            }
        }
        for &(hub, b, e) in &self.hub_out {
            let f = self.net.flow(e);
            if positive(f) {
                pools[hub].outflow.push((b, f));
            }
        }
        pools.retain(|pool| !pool.outflow.is_empty());
        Allocation {
            imports,
            flows: Flows { direct, pools },
        }
    }
}

/// A non-negative finite amount; anything else (NaN, negative, infinite)
/// counts as nothing.
pub(crate) fn amount(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 { x } else { 0.0 }
}

#[cfg(test)]
#[path = "allocate_tests.rs"]
mod tests;
