//! The rerouted outcome followed back through the stages (SPEC §3.5).
//!
//! After rerouting, the flow j → b carries `x_rr` instead of `x_eq`; the
//! difference is what b lost from j (negative: j delivered more). Which
//! flows the fair market reassigns has no finer split, with one exception:
//! the flow from b's own output. When b uses all of its output at home
//! before and after the shock, its loss is `P − P'` — its output fell —
//! and its output fell either by a disruption or for want of inputs, and
//! then `P − P' = Σ_k (x_eq[b][k] − x_rr[b][k])` over the suppliers of its
//! inputs one stage up: who delivered less, and who more.

use super::paths::flow_term;
use super::{Ctx, Term, sig};
use crate::metric::{Unit, percent};
use crate::model::shock::{self, ShockedStage};

const TINY: f64 = 1e-15;

/// The rerouted outcome of a scenario that reroutes.
pub(crate) struct Rerouted<'c, 'a> {
    ctx: &'c Ctx<'a>,
    stages: Vec<ShockedStage>,
    disrupt: Vec<Vec<f64>>,
}

impl<'c, 'a> Rerouted<'c, 'a> {
    /// `None` when nothing reroutes (`rerouting 0%`).
    pub fn new(ctx: &'c Ctx<'a>) -> Option<Self> {
        if ctx.rerouting_share() <= 0.0 {
            return None;
        }
        let market = &ctx.ev.market;
        let stages = shock::rerouted_trace(market, ctx.eq()).stages;
        let disrupt = (0..stages.len())
            .map(|s| shock::disruption_factors(market, s, market.actors))
            .collect();
        Some(Rerouted {
            ctx,
            stages,
            disrupt,
        })
    }

    /// A buyer's supply at stage `s` after rerouting, by supplier.
    pub fn supply(&self, s: usize, buyer: usize) -> &[(usize, f64)] {
        self.stages
            .get(s)
            .and_then(|st| st.flows.get(buyer))
            .map_or(&[], |v| v.as_slice())
    }

    pub fn flow(&self, s: usize, buyer: usize, supplier: usize) -> f64 {
        amount(self.supply(s, buyer), supplier)
    }

    /// `weight · (x_eq − x_rr)` on the flow `supplier → buyer` at stage `s`.
    pub fn loss(
        &self,
        s: usize,
        buyer: usize,
        supplier: usize,
        x_eq: f64,
        weight: f64,
    ) -> Option<Term> {
        let ctx = self.ctx;
        let x_rr = self.flow(s, buyer, supplier);
        let value = weight * (x_eq - x_rr);
        if value.abs() <= TINY {
            return None;
        }
        let more = if x_rr > x_eq {
            ", more than before"
        } else {
            ""
        };
        let mut term = flow_term(ctx, s, buyer, supplier, value).detail(format!(
            "{} → {} of world demand after rerouting{more}",
            sig(x_eq),
            sig(x_rr)
        ));
        let (e, b) = (ctx.ev.global[supplier], ctx.ev.global[buyer]);
        term.lines.extend(ctx.cite.restrictions(s, e, b));
        let eq = ctx.eq();
        let p = eq.output[s][buyer];
        let shocked = self.stages[s].output[buyer];
        // Own output used whole at home, before and after: the loss is the
        // output's fall.
        let whole_home = (x_eq - p).abs() <= 1e-12 && (x_rr - shocked).abs() <= 1e-12;
        if supplier == buyer && whole_home && shocked < p {
            term.terms = self.output_fell(s, buyer, weight).into_iter().collect();
        }
        Some(term)
    }

    /// Why `producer`'s output at stage `s` fell after rerouting; the term
    /// is `weight · (P − P')`.
    fn output_fell(&self, s: usize, producer: usize, weight: f64) -> Option<Term> {
        let ctx = self.ctx;
        let p = ctx.eq().output[s][producer];
        let shocked = self.stages[s].output[producer];
        let value = weight * (p - shocked);
        if value.abs() <= TINY || p <= 0.0 {
            return None;
        }
        let who = format!("{} {}", ctx.code(producer), ctx.stage(s));
        let d = self.disrupt[s][producer];
        let received = match s.checked_sub(1) {
            Some(prev) => self.stages[prev].received[producer],
            None => p,
        };
        let fill = (received / p).min(1.0);
        if s == 0 || d <= fill {
            return Some(
                Term::new(format!("{who} output disrupted"), value, Unit::Fraction)
                    .detail(format!(
                        "output cut to {} of equilibrium",
                        percent(shocked / p, 1)
                    ))
                    .lines(ctx.cite.disruptions(s, ctx.ev.global[producer])),
            );
        }
        let inputs = ctx.eq().stages[s - 1].supply(producer);
        let mut suppliers: Vec<usize> = inputs
            .iter()
            .chain(self.supply(s - 1, producer))
            .map(|&(k, _)| k)
            .collect();
        suppliers.sort_unstable();
        suppliers.dedup();
        let mut terms: Vec<Term> = suppliers
            .into_iter()
            .filter_map(|k| self.loss(s - 1, producer, k, amount(&inputs, k), weight))
            .collect();
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
                    "output at {} of equilibrium after rerouting: its {} inputs filled to {}",
                    percent(shocked / p, 1),
                    ctx.stage(s - 1),
                    percent(fill, 1)
                ))
                .terms(terms),
        )
    }
}

fn amount(list: &[(usize, f64)], j: usize) -> f64 {
    list.binary_search_by_key(&j, |&(k, _)| k)
        .map_or(0.0, |i| list[i].1)
}
