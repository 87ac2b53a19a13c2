//! A small Dinic max-flow on `f64` capacities, with explicit tolerances.
//!
//! The allocation rules (SPEC §3.5) solve one parametric max-flow problem
//! per progressive-filling step, several times per stage. This module is our
//! own rather than `petgraph::algo::dinics` because the filling needs three
//! things petgraph does not give directly:
//! - the **minimum cut** of a max flow (the nodes reachable from the source
//!   in the residual graph), read with the same tolerance the augmentation
//!   used, so a cut is "saturated" exactly when the flow says so;
//! - capacities that change between solves on one graph (the sink edges
//!   move with the fill level λ) without rebuilding it, and buffers (levels,
//!   queue, edge cursors) reused across solves;
//! - a guard against non-finite capacities: a NaN or negative capacity is
//!   stored as 0 instead of panicking or poisoning every later comparison.
//!
//! Residual capacities at or below [`EPS`] count as zero. With quantities
//! that are fractions of world demand (1e-6 .. 1), this keeps float dust
//! from producing endless tiny augmentations while losing at most `EPS` per
//! cut edge.

/// Residual capacity at or below this is treated as zero.
pub const EPS: f64 = 1e-13;

/// Index of an edge returned by [`FlowNetwork::add_edge`].
pub type EdgeId = usize;

/// A directed network for repeated max-flow solves.
///
/// Edges are stored in pairs: edge `e` and its reverse `e ^ 1` (capacity 0).
/// Flow is antisymmetric: `flow[e ^ 1] == -flow[e]`.
#[derive(Debug, Clone, Default)]
pub struct FlowNetwork {
    adjacency: Vec<Vec<EdgeId>>,
    to: Vec<usize>,
    capacity: Vec<f64>,
    flow: Vec<f64>,
    level: Vec<u32>,
    cursor: Vec<usize>,
    queue: Vec<usize>,
}

const UNSEEN: u32 = u32::MAX;

impl FlowNetwork {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node and returns its index.
    pub fn add_node(&mut self) -> usize {
        self.adjacency.push(Vec::new());
        self.adjacency.len() - 1
    }

    pub fn nodes(&self) -> usize {
        self.adjacency.len()
    }

    /// Adds an edge `from → to` with the given capacity and returns its id.
    pub fn add_edge(&mut self, from: usize, to: usize, capacity: f64) -> EdgeId {
        let e = self.to.len();
        self.to.push(to);
        self.capacity.push(sanitize(capacity));
        self.flow.push(0.0);
        self.adjacency[from].push(e);
        self.to.push(from);
        self.capacity.push(0.0);
        self.flow.push(0.0);
        self.adjacency[to].push(e + 1);
        e
    }

    /// Changes an edge's capacity; takes effect at the next [`Self::max_flow`].
    pub fn set_capacity(&mut self, edge: EdgeId, capacity: f64) {
        self.capacity[edge] = sanitize(capacity);
    }

    /// The flow on an edge after the last solve (never negative for a
    /// forward edge).
    pub fn flow(&self, edge: EdgeId) -> f64 {
        self.flow[edge].max(0.0)
    }

    /// The head node of an edge.
    pub fn head(&self, edge: EdgeId) -> usize {
        self.to[edge]
    }

    fn residual(&self, edge: EdgeId) -> f64 {
        self.capacity[edge] - self.flow[edge]
    }

    /// Computes a maximum flow from `source` to `sink`, starting from zero
    /// flow, and returns its value.
    pub fn max_flow(&mut self, source: usize, sink: usize) -> f64 {
        self.flow.iter_mut().for_each(|f| *f = 0.0);
        let n = self.nodes();
        self.level.resize(n, UNSEEN);
        self.cursor.resize(n, 0);
        let mut total = 0.0;
        while self.bfs(source, sink) {
            self.cursor.iter_mut().for_each(|c| *c = 0);
            loop {
                let pushed = self.augment(source, sink, f64::INFINITY);
                if pushed <= 0.0 {
                    break;
                }
                total += pushed;
            }
        }
        total
    }

    /// Builds BFS levels over residual edges; true when the sink is reached.
    fn bfs(&mut self, source: usize, sink: usize) -> bool {
        self.level.iter_mut().for_each(|l| *l = UNSEEN);
        self.queue.clear();
        self.level[source] = 0;
        self.queue.push(source);
        let mut head = 0;
        while head < self.queue.len() {
            let u = self.queue[head];
            head += 1;
            for i in 0..self.adjacency[u].len() {
                let e = self.adjacency[u][i];
                let v = self.to[e];
                if self.level[v] == UNSEEN && self.residual(e) > EPS {
                    self.level[v] = self.level[u] + 1;
                    self.queue.push(v);
                }
            }
        }
        self.level[sink] != UNSEEN
    }

    /// Finds one augmenting path in the level graph and pushes its
    /// bottleneck (which exceeds `EPS`), or returns 0 when none is left.
    /// The recursion depth is bounded by the BFS distance to the sink.
    fn augment(&mut self, u: usize, sink: usize, limit: f64) -> f64 {
        if u == sink {
            return limit;
        }
        while self.cursor[u] < self.adjacency[u].len() {
            let e = self.adjacency[u][self.cursor[u]];
            let v = self.to[e];
            let residual = self.residual(e);
            if self.level[v] == self.level[u].wrapping_add(1) && residual > EPS {
                let pushed = self.augment(v, sink, limit.min(residual));
                if pushed > 0.0 {
                    self.flow[e] += pushed;
                    self.flow[e ^ 1] -= pushed;
                    return pushed;
                }
            }
            // This edge is saturated or leads nowhere: skip it from now on.
            self.cursor[u] += 1;
        }
        0.0
    }

    /// Nodes reachable from `source` over residual edges (residual > `EPS`)
    /// after the last solve: the source side of the minimum cut that is
    /// smallest by inclusion.
    pub fn reachable(&mut self, source: usize) -> Vec<bool> {
        let mut seen = vec![false; self.nodes()];
        self.queue.clear();
        seen[source] = true;
        self.queue.push(source);
        let mut head = 0;
        while head < self.queue.len() {
            let u = self.queue[head];
            head += 1;
            for &e in &self.adjacency[u] {
                let v = self.to[e];
                if !seen[v] && self.residual(e) > EPS {
                    seen[v] = true;
                    self.queue.push(v);
                }
            }
        }
        seen
    }
}

fn sanitize(capacity: f64) -> f64 {
    if capacity > 0.0 { capacity } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_with_bottleneck() {
        // s→a 3, s→b 2, a→b 1, a→t 2, b→t 3.
        // Cut {s,a} | {b,t}: s→b 2 + a→b 1 + a→t 2 = 5 = s's out-capacity,
        // so the max flow is 5.
        let mut g = FlowNetwork::new();
        let (s, a, b, t) = (g.add_node(), g.add_node(), g.add_node(), g.add_node());
        g.add_edge(s, a, 3.0);
        g.add_edge(s, b, 2.0);
        g.add_edge(a, b, 1.0);
        g.add_edge(a, t, 2.0);
        g.add_edge(b, t, 3.0);
        assert!((g.max_flow(s, t) - 5.0).abs() < 1e-12);
        // Everything out of s is saturated, so only s is reachable.
        assert_eq!(g.reachable(s), vec![true, false, false, false]);
    }

    #[test]
    fn capacities_change_between_solves_and_cut_moves() {
        // s→a 1, a→t x: with x = 0.4 the cut is at a→t (a reachable);
        // with x = 2 it is at s→a (a not reachable).
        let mut g = FlowNetwork::new();
        let (s, a, t) = (g.add_node(), g.add_node(), g.add_node());
        g.add_edge(s, a, 1.0);
        let out = g.add_edge(a, t, 0.4);
        assert!((g.max_flow(s, t) - 0.4).abs() < 1e-15);
        assert_eq!(g.reachable(s), vec![true, true, false]);
        g.set_capacity(out, 2.0);
        assert!((g.max_flow(s, t) - 1.0).abs() < 1e-15);
        assert_eq!(g.reachable(s), vec![true, false, false]);
        assert!((g.flow(out) - 1.0).abs() < 1e-15);
    }

    #[test]
    fn nan_and_negative_capacities_are_zero() {
        let mut g = FlowNetwork::new();
        let (s, a, t) = (g.add_node(), g.add_node(), g.add_node());
        g.add_edge(s, a, f64::NAN);
        g.add_edge(a, t, 1.0);
        g.add_edge(s, t, -1.0);
        assert_eq!(g.max_flow(s, t), 0.0);
    }

    #[test]
    fn flow_needing_a_reverse_edge() {
        // Classic: s→a 1, s→b 1, a→b 1, a→t 1, b→t 1... with a greedy first
        // path s→a→b→t the second path must undo a→b. Max flow = 2.
        let mut g = FlowNetwork::new();
        let (s, a, b, t) = (g.add_node(), g.add_node(), g.add_node(), g.add_node());
        g.add_edge(s, a, 1.0);
        g.add_edge(a, b, 1.0);
        g.add_edge(s, b, 1.0);
        g.add_edge(a, t, 1.0);
        g.add_edge(b, t, 1.0);
        assert!((g.max_flow(s, t) - 2.0).abs() < 1e-15);
    }
}
