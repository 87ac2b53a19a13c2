//! Terms that follow a flow back through the stages: the dependency paths
//! (SPEC §3.6) and the sticky losses (SPEC §3.4–3.5).
//!
//! **Dependency.** `dependency[c][P] = Σ_j x[c][j]·φ[j][P] / D`; for a
//! producer j ≠ P at stage s > 1, `φ_s[j][P] = Σ_i y[j][i]·φ_{s−1}[i][P]`.
//! So the term of supplier j splits exactly into one term per supplier i of
//! j's inputs, `x[c][j]/D · y[j][i] · φ_{s−1}[i][P]`, down to P itself.
//!
//! **Sticky loss.** Without rerouting, the flow j → b at stage s carries
//! `x_eq·ρ_j·f`, where `ρ_j` is j's output ratio (shocked / equilibrium)
//! and `f` the restriction factor on the pair. Its loss splits exactly:
//! `x_eq·(1 − ρ_j·f) = x_eq·ρ_j·(1 − f)` (the restriction) `+ x_eq·(1 − ρ_j)`
//! (j's output fell). j's output fell either by a disruption (`ρ = 1 − f_d`,
//! a leaf) or for want of inputs (`ρ = received/N`), and then
//! `1 − ρ = Σ_i loss[j][i] / N[j]`: one term per supplier of j's inputs,
//! each split the same way one stage up.

use super::{Ctx, Term, sig};
use crate::metric::{Unit, percent};
use crate::model::shock;

/// Terms below this are float dust and left out.
const TINY: f64 = 1e-15;

/// Sorts terms largest first (ties by label), and their terms too.
pub(crate) fn sort_terms(terms: &mut [Term]) {
    terms.sort_by(|a, b| {
        b.value
            .total_cmp(&a.value)
            .then_with(|| a.label.cmp(&b.label))
    });
    for t in terms {
        sort_terms(&mut t.terms);
    }
}

/// The dependency paths of one consumer on one supplier.
pub(crate) struct Dependency<'c, 'a> {
    ctx: &'c Ctx<'a>,
    target: usize,
    /// `φ_s[i][target]` per stage and producer.
    phi: Vec<Vec<f64>>,
}

impl<'c, 'a> Dependency<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>, target: usize) -> Self {
        let eq = ctx.eq();
        let n = ctx.ev.market.actors;
        let mut phi: Vec<Vec<f64>> = Vec::with_capacity(eq.output.len());
        for (s, output) in eq.output.iter().enumerate() {
            let row = (0..n)
                .map(|j| {
                    if output[j] <= 0.0 {
                        return 0.0;
                    }
                    if j == target {
                        return 1.0;
                    }
                    if s == 0 {
                        return 0.0;
                    }
                    let inputs = &eq.stages[s - 1];
                    let need = inputs.need[j];
                    if need <= 0.0 {
                        return 0.0;
                    }
                    inputs
                        .supply(j)
                        .iter()
                        .map(|&(i, x)| x / need * phi[s - 1][i])
                        .sum()
                })
                .collect();
            phi.push(row);
        }
        Dependency { ctx, target, phi }
    }

    /// `φ[j][target]` of a final-stage producer j.
    pub fn phi_final(&self, j: usize) -> f64 {
        self.phi.last().map_or(0.0, |row| row[j])
    }

    /// One term per final-stage supplier of `consumer`, each `weight · x · φ`;
    /// a supplier none of whose supply passes through the target is a term
    /// of 0 that says where its inputs came from instead.
    pub fn terms(&self, consumer: usize, weight: f64) -> Vec<Term> {
        let last = self.ctx.last();
        self.ctx
            .eq()
            .supply(consumer)
            .into_iter()
            .map(|(j, x)| {
                self.node(last, consumer, j, x, weight)
                    .unwrap_or_else(|| self.elsewhere(last, consumer, j, x))
            })
            .collect()
    }

    /// The flow `supplier → buyer` at stage `s` that does not pass through
    /// the target: where the supplier's inputs came from, and any sourcing
    /// line of its that the exporters' surplus could not honour.
    fn elsewhere(&self, s: usize, buyer: usize, supplier: usize, x: f64) -> Term {
        let ctx = self.ctx;
        let target = ctx.code(self.target);
        let mut term = flow_term(ctx, s, buyer, supplier, 0.0);
        let Some(prev) = s.checked_sub(1) else {
            term.detail = Some(format!(
                "{} of world demand, none of it through {target}",
                sig(x)
            ));
            return term;
        };
        let mut inputs = ctx.eq().stages[prev].supply(supplier);
        inputs.sort_by(|a, b| b.1.total_cmp(&a.1));
        let from: Vec<String> = inputs
            .iter()
            .take(5)
            .map(|&(i, xi)| format!("{} {}", ctx.code(i), sig(xi)))
            .collect();
        let more = if inputs.len() > 5 { ", …" } else { "" };
        let mut why = format!(
            "{} of world demand, none of it through {target}: {}'s {} inputs come from {}{more}",
            sig(x),
            ctx.code(supplier),
            ctx.stage(prev),
            from.join(", ")
        );
        for w in &ctx.ev.outcome.warnings {
            let crate::model::ModelWarning::SourcingCapped {
                buyer: b,
                supplier: p,
                stage,
                requested,
                granted,
            } = *w;
            if b == supplier && stage == prev {
                why.push_str(&format!(
                    "; its sourcing line asks {} for {} but gets {}: no more to spare",
                    ctx.code(p),
                    sig(requested),
                    sig(granted)
                ));
                term.lines
                    .extend(ctx.cite.sourcing(prev, ctx.ev.global[b], ctx.ev.global[p]));
            }
        }
        term.detail = Some(why);
        term
    }

    /// The flow `supplier → buyer` at stage `s`, carrying `x`, as a path
    /// to the target.
    fn node(&self, s: usize, buyer: usize, supplier: usize, x: f64, weight: f64) -> Option<Term> {
        let phi = self.phi[s][supplier];
        let value = weight * x * phi;
        if value.abs() <= TINY {
            return None;
        }
        let ctx = self.ctx;
        let mut term = flow_term(ctx, s, buyer, supplier, value);
        if supplier == self.target {
            term.detail = Some(format!(
                "{} of world demand from {} itself",
                sig(x),
                ctx.code(supplier)
            ));
            return Some(term);
        }
        let inputs = &ctx.eq().stages[s - 1];
        let need = inputs.need[supplier];
        term.detail = Some(format!(
            "{} of world demand × {} of {}'s {} inputs from {} = {}",
            sig(x),
            percent(phi, 1),
            ctx.code(supplier),
            ctx.stage(s - 1),
            ctx.code(self.target),
            sig(x * phi)
        ));
        term.terms = inputs
            .supply(supplier)
            .into_iter()
            .filter_map(|(i, xi)| self.node(s - 1, supplier, i, xi, weight * x / need))
            .collect();
        Some(term)
    }
}

/// A term for the flow `supplier → buyer` at stage `s`: labelled with the
/// supplier and stage, citing the supplier's output line and the buyer's
/// sourcing line if it names the supplier.
pub(crate) fn flow_term(
    ctx: &Ctx<'_>,
    s: usize,
    buyer: usize,
    supplier: usize,
    value: f64,
) -> Term {
    let (b, p) = (ctx.ev.global[buyer], ctx.ev.global[supplier]);
    let own = if buyer == supplier { " (own)" } else { "" };
    let mut lines = ctx.cite.output(s, p);
    lines.extend(ctx.cite.sourcing(s, b, p));
    Term::new(
        format!("{} {}{own}", ctx.code(supplier), ctx.stage(s)),
        value,
        Unit::Fraction,
    )
    .lines(lines)
}

/// The sticky outcome, stage by stage: each producer's output ratio and
/// input fill, and the shock factors.
pub(crate) struct Sticky<'c, 'a> {
    ctx: &'c Ctx<'a>,
    /// `ρ_s[i]`: shocked / equilibrium output, 0 without equilibrium output.
    ratio: Vec<Vec<f64>>,
    /// `received / N` of each producer's inputs, for stages after the first.
    fill: Vec<Vec<f64>>,
    disrupt: Vec<Vec<f64>>,
    restrict: Vec<Vec<Vec<(usize, f64)>>>,
}

impl<'c, 'a> Sticky<'c, 'a> {
    pub fn new(ctx: &'c Ctx<'a>) -> Self {
        let market = &ctx.ev.market;
        let eq = ctx.eq();
        let n = market.actors;
        let trace = shock::sticky_trace(market, eq);
        let stages = eq.output.len();
        let ratio = (0..stages)
            .map(|s| {
                (0..n)
                    .map(|i| {
                        let e = eq.output[s][i];
                        if e > 0.0 {
                            (trace.stages[s].output[i] / e).clamp(0.0, 1.0)
                        } else {
                            0.0
                        }
                    })
                    .collect()
            })
            .collect();
        let fill = (0..stages)
            .map(|s| {
                (0..n)
                    .map(|i| match s.checked_sub(1) {
                        Some(prev) if eq.output[s][i] > 0.0 => {
                            (trace.stages[prev].received[i] / eq.output[s][i]).min(1.0)
                        }
                        _ => 1.0,
                    })
                    .collect()
            })
            .collect();
        Sticky {
            ctx,
            ratio,
            fill,
            disrupt: (0..stages)
                .map(|s| shock::disruption_factors(market, s, n))
                .collect(),
            restrict: (0..stages)
                .map(|s| shock::restriction_factors(market, s, n))
                .collect(),
        }
    }

    /// The restriction factor on `exporter → importer` at stage `s`.
    fn factor(&self, s: usize, importer: usize, exporter: usize) -> f64 {
        if importer == exporter {
            return 1.0;
        }
        let row = &self.restrict[s][importer];
        row.binary_search_by_key(&exporter, |&(p, _)| p)
            .map_or(1.0, |i| row[i].1)
    }

    /// What the flow `supplier → buyer` at stage `s` carries without
    /// rerouting, given `x_eq` in equilibrium.
    pub fn flow(&self, s: usize, buyer: usize, supplier: usize, x_eq: f64) -> f64 {
        x_eq * self.ratio[s][supplier] * self.factor(s, buyer, supplier)
    }

    /// The loss on the flow `supplier → buyer` at stage `s` (equilibrium
    /// `x_eq`), times `weight`, with its causes as terms.
    pub fn loss(
        &self,
        s: usize,
        buyer: usize,
        supplier: usize,
        x_eq: f64,
        weight: f64,
    ) -> Option<Term> {
        let ctx = self.ctx;
        let rho = self.ratio[s][supplier];
        let f = self.factor(s, buyer, supplier);
        let value = weight * x_eq * (1.0 - rho * f);
        if value.abs() <= TINY {
            return None;
        }
        let mut term = flow_term(ctx, s, buyer, supplier, value).detail(format!(
            "{} → {} of world demand",
            sig(x_eq),
            sig(x_eq * rho * f)
        ));
        let mut parts = Vec::new();
        if f < 1.0 {
            let (e, b) = (ctx.ev.global[supplier], ctx.ev.global[buyer]);
            let cut = weight * x_eq * rho * (1.0 - f);
            if cut.abs() > TINY {
                parts.push(
                    Term::new(
                        format!(
                            "restricted: {} → {} {}",
                            ctx.code(supplier),
                            ctx.code(buyer),
                            ctx.stage(s)
                        ),
                        cut,
                        Unit::Fraction,
                    )
                    .detail(if f <= 0.0 {
                        format!("the flow is stopped: {} → 0", sig(x_eq * rho))
                    } else {
                        format!(
                            "the flow may carry {} of {}",
                            percent(f, 1),
                            sig(x_eq * rho)
                        )
                    })
                    .lines(ctx.cite.restrictions(s, e, b)),
                );
            }
        }
        if rho < 1.0 {
            parts.extend(self.output_fell(s, supplier, weight * x_eq));
        }
        term.terms = parts;
        Some(term)
    }

    /// Why `producer`'s output at stage `s` is `ρ` of equilibrium; the term
    /// is `weight · (1 − ρ)`.
    fn output_fell(&self, s: usize, producer: usize, weight: f64) -> Option<Term> {
        let ctx = self.ctx;
        let rho = self.ratio[s][producer];
        let value = weight * (1.0 - rho);
        if value.abs() <= TINY {
            return None;
        }
        let who = format!("{} {}", ctx.code(producer), ctx.stage(s));
        let d = self.disrupt[s][producer];
        let fill = self.fill[s][producer];
        let p = ctx.ev.global[producer];
        if s == 0 || d <= fill {
            return Some(
                Term::new(format!("{who} output disrupted"), value, Unit::Fraction)
                    .detail(format!("output cut to {} of equilibrium", percent(rho, 1)))
                    .lines(ctx.cite.disruptions(s, p)),
            );
        }
        let inputs = &ctx.eq().stages[s - 1];
        let need = inputs.need[producer];
        let mut terms: Vec<Term> = inputs
            .supply(producer)
            .into_iter()
            .filter_map(|(i, x)| self.loss(s - 1, producer, i, x, weight / need))
            .collect();
        // In a balanced equilibrium every producer receives its need, and
        // the inputs' losses are exactly `1 − ρ`; say so if not.
        let rest = value - terms.iter().map(|t| t.value).sum::<f64>();
        if rest.abs() > 1e-12 {
            terms.push(
                Term::new("inputs short in equilibrium", rest, Unit::Fraction).detail(format!(
                    "{who} did not receive its whole need of {} in equilibrium",
                    ctx.stage(s - 1)
                )),
            );
        }
        Some(
            Term::new(format!("{who} output fell"), value, Unit::Fraction)
                .detail(format!(
                    "output at {} of equilibrium: its {} inputs filled to {}",
                    percent(rho, 1),
                    ctx.stage(s - 1),
                    percent(fill, 1)
                ))
                .terms(terms),
        )
    }
}
