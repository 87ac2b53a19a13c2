//! The scenario's own equilibrium (SPEC §3.1–3.3): outputs, home supply,
//! bilateral sourcing and the pooled import market, stage by stage.
//!
//! Every stage clears independently: its producers supply the next stage's
//! producers (whose need is their own output, `N[b] = P_{s+1}[b]`) or, at
//! the final stage, the consumers (`N[c] = D[c]`). The equilibrium is what
//! `demand`, `import_reliance`, `hhi`, `top_supplier` and `dependency` are
//! measured on, and what the shocks of [`super::shock`] act upon. It knows
//! nothing of shocks.
//!
//! Flows are kept in the compact form the pooled market gives them
//! ([`StageFlows`]): home supply, sourced flows, and one pool whose flows
//! are `x[b][p] = M'[b] · X'[p] · scale`. Materialise them with
//! [`StageFlows::supply`] or [`StageFlows::flows`].

use super::allocate::{amount, merge_sorted};
use super::{Market, ModelWarning, Sourcing};

/// A sparse vector over actors: `(actor, value)` sorted by actor.
type Sparse = Vec<(usize, f64)>;

/// The equilibrium of one mineral in one scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Equilibrium {
    /// `P_s[a]`: output per stage and actor.
    pub output: Vec<Vec<f64>>,
    /// How each stage clears; `stages[s]`'s buyers are stage s+1's
    /// producers (the consumers at the final stage).
    pub stages: Vec<StageFlows>,
    /// φ of each final-stage producer (SPEC §3.6), sparse `(P, share)`.
    phi: Vec<Vec<(usize, f64)>>,
    /// `Σ_p X'[p] · scale · φ[p]` at the final stage: the upstream mix of
    /// one unit of need bought in the final pool.
    pool_phi: Vec<(usize, f64)>,
    /// `pool_phi` largest first (ties by index): most consumers buy only
    /// from the pool, and their dependency is this list scaled.
    pool_phi_by_share: Vec<(usize, f64)>,
    /// The final stage's `(p, X'[p])` with `X'[p] > 0`, by index: the pool's
    /// exporters, far fewer than the actors.
    final_pool: Vec<(usize, f64)>,
}

/// How one stage clears in equilibrium. Indexed by actor throughout.
#[derive(Debug, Clone, PartialEq)]
pub struct StageFlows {
    /// `N`: the buyers' need (next stage's output, or final demand).
    pub need: Vec<f64>,
    /// `h = min(P, N)`: self-supply.
    pub home: Vec<f64>,
    /// `X = P − h`.
    pub surplus: Vec<f64>,
    /// `M = N − h`.
    pub import_need: Vec<f64>,
    /// Per buyer, flows fixed by bilateral sourcing: `(supplier, amount)`,
    /// sorted by supplier.
    pub sourced: Vec<Vec<(usize, f64)>>,
    /// `M'`: import need left for the pool after sourcing.
    pub pool_need: Vec<f64>,
    /// `X'`: surplus left for the pool after sourcing.
    pub pool_surplus: Vec<f64>,
    /// `1 / max(Σ X', Σ M')` (0 when both are 0): the pool flow is
    /// `x[b][p] = M'[b] · X'[p] · scale`, so no exporter ships more than
    /// `X'` and no buyer gets more than `M'`.
    pub pool_scale: f64,
    /// What each buyer receives: `h + sourced + pooled` (≤ N).
    pub received: Vec<f64>,
}

impl StageFlows {
    pub fn actors(&self) -> usize {
        self.need.len()
    }

    /// The flow `supplier → buyer`, self-supply included.
    pub fn flow(&self, buyer: usize, supplier: usize) -> f64 {
        if buyer >= self.actors() || supplier >= self.actors() {
            return 0.0;
        }
        if buyer == supplier {
            return self.home[buyer];
        }
        let sourced = self.sourced[buyer]
            .binary_search_by_key(&supplier, |&(p, _)| p)
            .map_or(0.0, |i| self.sourced[buyer][i].1);
        sourced + self.pool_need[buyer] * self.pool_surplus[supplier] * self.pool_scale
    }

    /// One buyer's supply by supplier, self-supply included, sorted by
    /// supplier, positive amounts only.
    pub fn supply(&self, buyer: usize) -> Vec<(usize, f64)> {
        if buyer >= self.actors() {
            return Vec::new();
        }
        let sourced = &self.sourced[buyer];
        if sourced.windows(2).all(|w| w[0].0 < w[1].0) {
            return self.supply_in_order(buyer);
        }
        let mut row = Vec::new();
        if self.home[buyer] > 0.0 {
            row.push((buyer, self.home[buyer]));
        }
        row.extend_from_slice(&self.sourced[buyer]);
        let per_unit = self.pool_need[buyer] * self.pool_scale;
        if per_unit > 0.0 {
            for (p, &x) in self.pool_surplus.iter().enumerate() {
                if x > 0.0 && p != buyer {
                    row.push((p, per_unit * x));
                }
            }
        }
        merge_sorted(&mut row);
        row.retain(|&(_, x)| x > 0.0);
        row
    }

    /// [`Self::supply`] in one pass over the suppliers, for a buyer whose
    /// sourced flows are sorted by supplier without repeats (as
    /// [`solve`] makes them): each supplier's amount is summed in the same
    /// order as there (home, sourced, pooled), so the result is the same.
    fn supply_in_order(&self, buyer: usize) -> Vec<(usize, f64)> {
        let n = self.actors();
        let per_unit = self.pool_need[buyer] * self.pool_scale;
        let pooled = per_unit > 0.0;
        let mut sourced = self.sourced[buyer].iter().peekable();
        let mut row = Vec::new();
        for p in 0..n {
            let mut amount: Option<f64> = None;
            let mut add = |x: f64| amount = Some(amount.map_or(x, |a| a + x));
            if p == buyer && self.home[buyer] > 0.0 {
                add(self.home[buyer]);
            }
            if let Some(&(_, x)) = sourced.next_if(|&&(q, _)| q == p) {
                add(x);
            }
            if pooled && p != buyer {
                let x = self.pool_surplus[p];
                if x > 0.0 {
                    add(per_unit * x);
                }
            }
            if let Some(a) = amount.filter(|&a| a > 0.0) {
                row.push((p, a));
            }
        }
        row
    }

    /// Every buyer's supply (see [`Self::supply`]).
    pub fn flows(&self) -> Vec<Vec<(usize, f64)>> {
        (0..self.actors()).map(|b| self.supply(b)).collect()
    }
}

impl Equilibrium {
    /// The final stage, if the mineral has any stage.
    pub fn final_stage(&self) -> Option<&StageFlows> {
        self.stages.last()
    }

    /// A consumer's equilibrium supply at the final stage by immediate
    /// supplier, self-supply included.
    pub fn supply(&self, consumer: usize) -> Vec<(usize, f64)> {
        let Some(stage) = self.final_stage() else {
            return Vec::new();
        };
        let sourced = match stage.sourced.get(consumer) {
            Some(row) if row.windows(2).all(|w| w[0].0 < w[1].0) => row,
            _ => return stage.supply(consumer),
        };
        // [`StageFlows::supply`] as a merge of three lists sorted by
        // supplier — home, sourced, and the final pool's exporters — rather
        // than a pass over every actor: the same amounts, added up per
        // supplier in the same order (home, sourced, pooled).
        let per_unit = stage.pool_need[consumer] * stage.pool_scale;
        let pool: &[(usize, f64)] = if per_unit > 0.0 {
            &self.final_pool
        } else {
            &[]
        };
        let home = stage.home[consumer];
        let mut home_left = home > 0.0;
        let (mut i, mut j) = (0, 0);
        let mut row = Vec::with_capacity(sourced.len() + pool.len() + 1);
        loop {
            let next = [
                home_left.then_some(consumer),
                sourced.get(i).map(|&(p, _)| p),
                pool.get(j).map(|&(p, _)| p),
            ]
            .into_iter()
            .flatten()
            .min();
            let Some(p) = next else { break };
            let mut amount: Option<f64> = None;
            let mut add = |x: f64| amount = Some(amount.map_or(x, |a| a + x));
            if home_left && p == consumer {
                add(home);
                home_left = false;
            }
            if let Some(&(q, x)) = sourced.get(i)
                && q == p
            {
                add(x);
                i += 1;
            }
            if let Some(&(q, x)) = pool.get(j)
                && q == p
            {
                if p != consumer {
                    add(per_unit * x);
                }
                j += 1;
            }
            if let Some(a) = amount.filter(|&a| a > 0.0) {
                row.push((p, a));
            }
        }
        row
    }

    /// `dependency[c][P]` (SPEC §3.6): the share of c's demand whose supply
    /// passes through P at any stage, for every P with a share above 1e-12,
    /// largest first (ties by index). Empty when c has no demand.
    pub fn dependency(&self, consumer: usize) -> Vec<(usize, f64)> {
        let Some(stage) = self.final_stage() else {
            return Vec::new();
        };
        let Some(&demand) = stage.need.get(consumer) else {
            return Vec::new();
        };
        if demand <= 0.0 {
            return Vec::new();
        }
        let own = stage.home[consumer] / demand;
        let sourced = &stage.sourced[consumer];
        // The accumulator skips a weight that is NaN or not positive.
        let skipped = |w: f64| w.is_nan() || w <= 0.0;
        if sourced.is_empty() && (self.phi[consumer].is_empty() || skipped(own)) {
            // Only the pool: `pool_phi` scaled by one weight, the same
            // products the accumulator below would form, already in order
            // (sorting a sorted list is one pass).
            let weight = stage.pool_need[consumer] / demand;
            if skipped(weight) {
                return Vec::new();
            }
            let mut shares: Vec<(usize, f64)> = self
                .pool_phi_by_share
                .iter()
                .map(|&(i, x)| (i, weight * x))
                .filter(|&(_, x)| x > 1e-12)
                .collect();
            sort_shares(&mut shares);
            return shares;
        }
        let mut acc = Accumulator::new(stage.actors());
        acc.add(&self.phi[consumer], stage.home[consumer] / demand);
        for &(i, x) in &stage.sourced[consumer] {
            acc.add(&self.phi[i], x / demand);
        }
        acc.add(&self.pool_phi, stage.pool_need[consumer] / demand);
        let mut shares = acc.drain();
        shares.retain(|&(_, x)| x > 1e-12);
        sort_shares(&mut shares);
        shares
    }
}

/// Sorts `(actor, share)` by share descending, then actor ascending.
pub(crate) fn sort_shares(shares: &mut [(usize, f64)]) {
    shares.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
}

/// Solves the equilibrium; warns when a sourcing flow had to be capped.
pub fn solve(market: &Market) -> (Equilibrium, Vec<ModelWarning>) {
    let n = market.actors;
    let output: Vec<Vec<f64>> = market.capacity.iter().map(|c| normalise(c, n)).collect();
    let demand = per_actor(&market.demand, n);
    let mut warnings = Vec::new();
    let stages: Vec<StageFlows> = (0..output.len())
        .map(|s| {
            let need = output.get(s + 1).unwrap_or(&demand);
            clear(s, &output[s], need, &market.sourcing, &mut warnings)
        })
        .collect();
    let (phi, pool_phi) = dependency_basis(&output, &stages, n);
    let mut pool_phi_by_share = pool_phi.clone();
    sort_shares(&mut pool_phi_by_share);
    let final_pool = stages.last().map_or_else(Vec::new, |stage| {
        (0..stage.actors())
            .map(|p| (p, stage.pool_surplus[p]))
            .filter(|&(_, x)| x > 0.0)
            .collect()
    });
    let equilibrium = Equilibrium {
        output,
        stages,
        phi,
        pool_phi,
        pool_phi_by_share,
        final_pool,
    };
    (equilibrium, warnings)
}

/// `P[a] = cap[a] / max(1, Σ cap)`: added capacity is used and everyone
/// gives up share pro rata, so a stage never exceeds world demand.
fn normalise(capacity: &[f64], n: usize) -> Vec<f64> {
    let cap = per_actor(capacity, n);
    let total: f64 = cap.iter().sum();
    let scale = total.max(1.0);
    cap.iter().map(|c| c / scale).collect()
}

/// A vector of length `n`, missing or unusable entries as 0.
fn per_actor(values: &[f64], n: usize) -> Vec<f64> {
    (0..n)
        .map(|a| values.get(a).copied().map_or(0.0, amount))
        .collect()
}

/// Clears one stage: home first, then sourcing, then the pool.
fn clear(
    stage: usize,
    output: &[f64],
    need: &[f64],
    sourcing: &[Sourcing],
    warnings: &mut Vec<ModelWarning>,
) -> StageFlows {
    let n = output.len();
    let home: Vec<f64> = (0..n).map(|a| output[a].min(need[a])).collect();
    let surplus: Vec<f64> = (0..n).map(|a| output[a] - home[a]).collect();
    let import_need: Vec<f64> = (0..n).map(|a| need[a] - home[a]).collect();

    let sourced = source(stage, &surplus, &import_need, sourcing, warnings);
    let mut pool_need = import_need.clone();
    let mut pool_surplus = surplus.clone();
    for (b, row) in sourced.iter().enumerate() {
        for &(p, x) in row {
            pool_need[b] -= x;
            pool_surplus[p] -= x;
        }
    }
    // Subtraction dust must not turn into negative flows.
    pool_need.iter_mut().for_each(|x| *x = x.max(0.0));
    pool_surplus.iter_mut().for_each(|x| *x = x.max(0.0));

    let total_surplus: f64 = pool_surplus.iter().sum();
    let total_need: f64 = pool_need.iter().sum();
    let bigger = total_surplus.max(total_need);
    let pool_scale = if bigger > 0.0 { 1.0 / bigger } else { 0.0 };
    let received = (0..n)
        .map(|b| {
            let sourced: f64 = sourced[b].iter().map(|&(_, x)| x).sum();
            home[b] + sourced + pool_need[b] * total_surplus * pool_scale
        })
        .collect();
    StageFlows {
        need: need.to_vec(),
        home,
        surplus,
        import_need,
        sourced,
        pool_need,
        pool_surplus,
        pool_scale,
        received,
    }
}

/// Bilateral sourcing at one stage (SPEC §3.3): buyer C asks `M[C] · s_i`
/// of supplier i, out of i's surplus before the pool.
///
/// Decisions where the SPEC is silent:
/// - several lines for one buyer and stage add up; if their shares exceed
///   1 they are scaled down to sum to 1 (a buyer never asks for more than
///   its import need);
/// - when requests to one supplier exceed its surplus, every request to it
///   is scaled by the same factor (so the result does not depend on the
///   order of the lines), and each capped request gets a warning.
fn source(
    stage: usize,
    surplus: &[f64],
    import_need: &[f64],
    sourcing: &[Sourcing],
    warnings: &mut Vec<ModelWarning>,
) -> Vec<Vec<(usize, f64)>> {
    let n = surplus.len();
    let mut shares: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for line in sourcing {
        if line.stage != stage || line.buyer >= n {
            continue;
        }
        for &(p, s) in &line.shares {
            let s = amount(s);
            if p < n && s > 0.0 {
                shares[line.buyer].push((p, s));
            }
        }
    }
    let mut asked = vec![0.0; n];
    for (b, row) in shares.iter_mut().enumerate() {
        merge_sorted(row);
        let total: f64 = row.iter().map(|&(_, s)| s).sum();
        let scale = if total > 1.0 { 1.0 / total } else { 1.0 };
        for (p, s) in row.iter_mut() {
            // From here on the row holds requested amounts.
            *s *= scale * import_need[b];
            asked[*p] += *s;
        }
    }
    let grant: Vec<f64> = (0..n)
        .map(|p| {
            if asked[p] > surplus[p] {
                surplus[p] / asked[p]
            } else {
                1.0
            }
        })
        .collect();
    for (b, row) in shares.iter_mut().enumerate() {
        for (p, x) in row.iter_mut() {
            let requested = *x;
            let granted = requested * grant[*p];
            if granted < requested - 1e-12 {
                warnings.push(ModelWarning::SourcingCapped {
                    buyer: b,
                    supplier: *p,
                    stage,
                    requested,
                    granted,
                });
            }
            *x = granted;
        }
        row.retain(|&(_, x)| x > 0.0);
    }
    shares
}

/// φ of every final-stage producer and of the final pool (SPEC §3.6):
/// `φ_1[i] = e_i`; for a producer j at stage s > 1,
/// `φ_s[j] = Σ_i y[j][i] φ_{s−1}[i]` with `φ_s[j][j] = 1`, where
/// `y[j][i] = x_{s−1}[j][i] / N_{s−1}[j]`. The pool is rank one, so all
/// pool buyers share one vector `Σ_p X'[p] · scale · φ[p]` and a stage
/// costs O(producers × support) rather than O(buyers × suppliers × support).
fn dependency_basis(output: &[Vec<f64>], stages: &[StageFlows], n: usize) -> (Vec<Sparse>, Sparse) {
    let Some(first) = output.first() else {
        return (vec![Vec::new(); n], Vec::new());
    };
    let mut acc = Accumulator::new(n);
    let mut phi: Vec<Vec<(usize, f64)>> = (0..n)
        .map(|i| {
            if first[i] > 0.0 {
                vec![(i, 1.0)]
            } else {
                Vec::new()
            }
        })
        .collect();
    let mut pool = pool_phi(&stages[0], &phi, &mut acc);
    for s in 1..stages.len() {
        let inputs = &stages[s - 1];
        phi = (0..n)
            .map(|j| {
                let need = inputs.need[j];
                if output[s][j] <= 0.0 || need <= 0.0 {
                    return Vec::new();
                }
                acc.add(&phi[j], inputs.home[j] / need);
                for &(i, x) in &inputs.sourced[j] {
                    acc.add(&phi[i], x / need);
                }
                acc.add(&pool, inputs.pool_need[j] / need);
                acc.set(j, 1.0);
                acc.drain()
            })
            .collect();
        pool = pool_phi(&stages[s], &phi, &mut acc);
    }
    (phi, pool)
}

fn pool_phi(
    stage: &StageFlows,
    phi: &[Vec<(usize, f64)>],
    acc: &mut Accumulator,
) -> Vec<(usize, f64)> {
    for (p, &x) in stage.pool_surplus.iter().enumerate() {
        acc.add(&phi[p], x * stage.pool_scale);
    }
    acc.drain()
}

/// A dense scratch vector that remembers which entries it touched, so
/// sparse sums cost their support, not n.
struct Accumulator {
    values: Vec<f64>,
    used: Vec<bool>,
    touched: Vec<usize>,
}

impl Accumulator {
    fn new(n: usize) -> Self {
        Accumulator {
            values: vec![0.0; n],
            used: vec![false; n],
            touched: Vec::new(),
        }
    }

    fn touch(&mut self, i: usize) {
        if !self.used[i] {
            self.used[i] = true;
            self.touched.push(i);
        }
    }

    fn add(&mut self, vector: &[(usize, f64)], weight: f64) {
        if weight.is_nan() || weight <= 0.0 {
            return;
        }
        for &(i, x) in vector {
            self.touch(i);
            self.values[i] += weight * x;
        }
    }

    fn set(&mut self, i: usize, value: f64) {
        self.touch(i);
        self.values[i] = value;
    }

    /// The non-zero entries sorted by index; resets the accumulator.
    fn drain(&mut self) -> Vec<(usize, f64)> {
        let mut out = Vec::with_capacity(self.touched.len());
        // A dense result is cheaper to collect by a scan than by sorting.
        if self.touched.len() * 16 >= self.values.len() {
            for (i, (value, used)) in self.values.iter_mut().zip(&mut self.used).enumerate() {
                if *value > 0.0 {
                    out.push((i, *value));
                }
                *value = 0.0;
                *used = false;
            }
        } else {
            self.touched.sort_unstable();
            for &i in &self.touched {
                if self.values[i] > 0.0 {
                    out.push((i, self.values[i]));
                }
                self.values[i] = 0.0;
                self.used[i] = false;
            }
        }
        self.touched.clear();
        out
    }
}

#[cfg(test)]
#[path = "equilibrium_tests.rs"]
mod tests;
