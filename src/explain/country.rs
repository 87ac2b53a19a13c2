//! The terms of a country's metrics (SPEC §10's table), and the pieces a
//! group's explanation reuses: a member's loss and dependency terms at any
//! weight, and the concentration of a supply.

use super::paths::{Dependency, Sticky, flow_term};
use super::reroute::Rerouted;
use super::{Cited, Combine, Ctx, Part, Term, sig};
use crate::metric::{Unit, percent};
use crate::model;
use crate::program::{ActionKind, ActorId, Metric, Stock};
use crate::results::DemandBasis;

/// A country's metric as parts.
pub(crate) fn explain(ctx: &Ctx<'_>, a: ActorId, metric: &Metric) -> Part {
    let code = &ctx.checked.world.actors[a].code;
    let Some(&c) = ctx.ev.local.get(&a) else {
        return Part {
            formula: format!(
                "{code} takes no part in {}: no output, no demand in this scenario",
                ctx.mineral_name()
            ),
            combine: Combine::Sum,
            per: "nothing".into(),
            terms: Vec::new(),
            lines: ctx.cite.demand(a),
        };
    };
    let demand = ctx.ev.market.demand[c];
    match metric {
        Metric::Demand => demand_part(ctx, a, demand),
        Metric::Output(s) => output_part(ctx, c, *s),
        Metric::ImportReliance => import_reliance(ctx, c, demand),
        Metric::TopSupplier | Metric::TopSupplierShare | Metric::Hhi => {
            let supply = ctx.eq().supply(c);
            let mut part = concentration(ctx, &supply, code, metric, Some(c));
            part.lines = ctx.cite.demand(a);
            part
        }
        Metric::Dependency(p) => dependency(ctx, c, *p, demand),
        Metric::AtRisk => loss_part(ctx, c, demand, false),
        Metric::Shortfall => loss_part(ctx, c, demand, true),
        Metric::CoverDays => cover_days(ctx, c, demand),
    }
}

fn demand_part(ctx: &Ctx<'_>, a: ActorId, demand: f64) -> Part {
    let code = &ctx.checked.world.actors[a].code;
    let basis = ctx.ev.basis.get(&a).copied().unwrap_or(DemandBasis::None);
    let from = if a == ctx.checked.world.row() {
        "what the demand line leaves to the rest of the world"
    } else {
        match basis {
            DemandBasis::Data => "its entry on the demand line",
            DemandBasis::Covers => "a coalition's `covers` claim, split among its members",
            DemandBasis::None => "not named on the demand line: no demand figure",
        }
    };
    Part {
        formula: format!("demand = D[{code}] = {}", percent(demand, 1)),
        combine: Combine::Itself,
        per: "the demand line".into(),
        terms: vec![
            Term::new(code.clone(), demand, Unit::Fraction)
                .detail(format!("share of world demand: {from}"))
                .lines(ctx.cite.demand(a)),
        ],
        lines: Vec::new(),
    }
}

/// `output.S = cap / max(1, Σ cap)`, with the share line and any `adds`.
pub(crate) fn output_term(ctx: &Ctx<'_>, c: usize, s: usize) -> Term {
    let a = ctx.ev.global[c];
    let capacity = &ctx.ev.market.capacity[s];
    let scale = capacity.iter().sum::<f64>().max(1.0);
    let value = ctx.eq().output[s][c];
    let values = ctx.checked.plain_values();
    let adds: Vec<_> = ctx.state.minerals[ctx.ev.mineral]
        .adds
        .iter()
        .filter(|l| l.stage == s && l.actor == a)
        .collect();
    let added: f64 = adds.iter().map(|l| l.amount.get(&values)).sum();
    let mut term = Term::new(ctx.code(c), value, Unit::Fraction).lines(ctx.cite.output(s, a));
    if scale > 1.0 {
        term.detail = Some(format!(
            "capacity {} of world output / {} in all (added capacity takes share from everyone)",
            sig(capacity[c]),
            sig(scale)
        ));
    }
    if !adds.is_empty() {
        let share = capacity[c] - added;
        let mut parts = vec![
            Term::new("share line", share / scale, Unit::Fraction)
                .lines(ctx.cite.entry(crate::program::Line::Stage(s), a)),
        ];
        for l in adds {
            parts.push(
                Term::new("adds", l.amount.get(&values) / scale, Unit::Fraction)
                    .lines(ctx.cite.spans([l.statement])),
            );
        }
        term.terms = parts;
    }
    term
}

fn output_part(ctx: &Ctx<'_>, c: usize, s: usize) -> Part {
    let capacity = &ctx.ev.market.capacity[s];
    let total: f64 = capacity.iter().sum();
    let value = ctx.eq().output[s][c];
    let formula = if total > 1.0 {
        format!(
            "output.{stage} = capacity / Σ capacity = {}/{} = {}",
            sig(capacity[c]),
            sig(total),
            percent(value, 1),
            stage = ctx.stage(s)
        )
    } else {
        format!(
            "output.{} = share of world output = {}",
            ctx.stage(s),
            percent(value, 1)
        )
    };
    Part {
        formula,
        combine: Combine::Itself,
        per: format!("the {} line", ctx.stage(s)),
        terms: vec![output_term(ctx, c, s)],
        lines: Vec::new(),
    }
}

fn import_reliance(ctx: &Ctx<'_>, c: usize, demand: f64) -> Part {
    let last = ctx.last();
    let stage = &ctx.eq().stages[last];
    let weight = if demand > 0.0 { 1.0 / demand } else { 0.0 };
    let mut terms: Vec<Term> = ctx
        .eq()
        .supply(c)
        .into_iter()
        .filter(|&(j, _)| j != c)
        .map(|(j, x)| flow_term(ctx, last, c, j, x * weight).detail(format!("imports {}", sig(x))))
        .collect();
    let value = if demand > 0.0 {
        stage.import_need[c] / demand
    } else {
        0.0
    };
    residual(&mut terms, value, "import need not met in equilibrium");
    Part {
        formula: format!(
            "import_reliance = M/D = (D − min(P, D))/D = ({} − {})/{} = {}",
            sig(demand),
            sig(stage.home[c]),
            sig(demand),
            percent(value, 1)
        ),
        combine: Combine::Sum,
        per: format!("exporter j of {}: x[j] / D", ctx.stage(last)),
        terms,
        lines: ctx.cite.demand(ctx.ev.global[c]),
    }
}

/// `top_supplier`, `top_supplier_share` or `hhi` of a supply by supplier
/// (a country's, or a group's summed). `consumer` names the buyer whose
/// sourcing lines to cite.
pub(crate) fn concentration(
    ctx: &Ctx<'_>,
    supply: &[(usize, f64)],
    who: &str,
    metric: &Metric,
    consumer: Option<usize>,
) -> Part {
    let last = ctx.last();
    let total: f64 = supply.iter().map(|&(_, x)| x).sum();
    let term_of = |j: usize, value: f64, unit: Unit| {
        let mut lines = ctx.cite.output(last, ctx.ev.global[j]);
        if let Some(c) = consumer {
            lines.extend(ctx.cite.sourcing(last, ctx.ev.global[c], ctx.ev.global[j]));
        }
        let own = if Some(j) == consumer { " (own)" } else { "" };
        Term::new(format!("{}{own}", ctx.code(j)), value, unit).lines(lines)
    };
    let share = |x: f64| if total > 0.0 { x / total } else { 0.0 };
    let stage = ctx.stage(last);
    match metric {
        Metric::Hhi => {
            let terms: Vec<Term> = supply
                .iter()
                .map(|&(j, x)| {
                    let pct = 100.0 * share(x);
                    term_of(j, pct.powi(2), Unit::Index).detail(format!(
                        "{} of {who}'s {stage} supply: {:.1}²",
                        percent(share(x), 1),
                        pct
                    ))
                })
                .collect();
            let value: f64 = terms.iter().map(|t| t.value).sum::<f64>().min(10_000.0);
            let mut squares: Vec<(f64, String)> = supply
                .iter()
                .map(|&(_, x)| (share(x), format!("{:.1}²", 100.0 * share(x))))
                .collect();
            squares.sort_by(|a, b| b.0.total_cmp(&a.0));
            Part {
                formula: format!(
                    "hhi = Σ_j (100 · x_j / Σx)² = {} = {}",
                    listed(squares.into_iter().map(|(_, s)| s), " + "),
                    crate::metric::fixed(value, 0)
                ),
                combine: Combine::Sum,
                per: format!("{stage} supplier j: 10000 · share_j²"),
                terms,
                lines: Vec::new(),
            }
        }
        _ => {
            let top = model_top(supply);
            let share_of_top = top.map_or(0.0, |(_, x)| share(x));
            let top_code = top.map_or("none".to_string(), |(j, _)| ctx.code(j).to_string());
            if *metric == Metric::TopSupplierShare {
                let terms = top
                    .map(|(j, x)| {
                        term_of(j, share(x), Unit::Fraction).detail(format!(
                            "{} of {} received",
                            sig(x),
                            sig(total)
                        ))
                    })
                    .into_iter()
                    .collect();
                Part {
                    formula: format!(
                        "top_supplier_share = x[{top_code}] / Σx = {}/{} = {}",
                        sig(top.map_or(0.0, |(_, x)| x)),
                        sig(total),
                        percent(share_of_top, 1)
                    ),
                    combine: Combine::Itself,
                    per: format!("the largest {stage} flow"),
                    terms,
                    lines: Vec::new(),
                }
            } else {
                let terms = supply
                    .iter()
                    .map(|&(j, x)| {
                        term_of(j, share(x), Unit::Fraction).detail(format!(
                            "{} of {} received",
                            sig(x),
                            sig(total)
                        ))
                    })
                    .collect();
                Part {
                    formula: format!(
                        "top_supplier = the largest share of {who}'s {stage} supply = {top_code} ({})",
                        percent(share_of_top, 1)
                    ),
                    combine: Combine::Max,
                    per: format!("{stage} supplier j: x_j / Σx (a tie goes to the first code)"),
                    terms,
                    lines: Vec::new(),
                }
            }
        }
    }
}

/// The top supplier as the model picks it: the largest flow, a tie within
/// 1e-12 going to the lower index.
fn model_top(supply: &[(usize, f64)]) -> Option<(usize, f64)> {
    let mut top: Option<(usize, f64)> = None;
    for &(p, x) in supply {
        match top {
            Some((_, best)) if x <= best + 1e-12 => {}
            _ => top = Some((p, x)),
        }
    }
    top
}

/// One consumer's dependency terms at `weight` (1/D for itself, 1/ΣD in a
/// group).
pub(crate) fn dependency_terms(ctx: &Ctx<'_>, c: usize, p: ActorId, weight: f64) -> Vec<Term> {
    match ctx.ev.local.get(&p) {
        Some(&target) => Dependency::new(ctx, target).terms(c, weight),
        None => Vec::new(),
    }
}

fn dependency(ctx: &Ctx<'_>, c: usize, p: ActorId, demand: f64) -> Part {
    let weight = if demand > 0.0 { 1.0 / demand } else { 0.0 };
    let code = &ctx.checked.world.actors[p].code;
    let (terms, mut products) = match ctx.ev.local.get(&p) {
        Some(&target) => {
            let paths = Dependency::new(ctx, target);
            let products: Vec<(f64, String)> = ctx
                .eq()
                .supply(c)
                .into_iter()
                .map(|(j, x)| (j, x, paths.phi_final(j)))
                .filter(|&(_, x, phi)| x * phi > 0.0)
                .map(|(j, x, phi)| (x * phi, format!("{} {}×{}", ctx.code(j), sig(x), sig(phi))))
                .collect();
            (paths.terms(c, weight), products)
        }
        None => (Vec::new(), Vec::new()),
    };
    let value: f64 = terms.iter().map(|t| t.value).sum();
    products.sort_by(|a, b| b.0.total_cmp(&a.0));
    let sum = if products.is_empty() {
        "0".to_string()
    } else {
        listed(products.into_iter().map(|(_, s)| s), " + ")
    };
    Part {
        formula: format!(
            "dependency.{code} = Σ_j x[j]·φ[j][{code}] / D = ({sum}) / {} = {}",
            sig(demand),
            percent(value, 1)
        ),
        combine: Combine::Sum,
        per: format!(
            "{} supplier j: x[j]·φ[j][{code}] / D, φ followed back through the stages",
            ctx.stage(ctx.last())
        ),
        terms,
        lines: ctx.cite.demand(ctx.ev.global[c]),
    }
}

/// One consumer's loss terms per final-stage supplier at `weight`:
/// `at_risk` (sticky) or `shortfall` (the scenario's mix of the sticky and
/// the rerouted outcome).
pub(crate) fn loss_terms(
    ctx: &Ctx<'_>,
    sticky: &Sticky<'_, '_>,
    rerouted: Option<&Rerouted<'_, '_>>,
    c: usize,
    shortfall: bool,
    weight: f64,
) -> Vec<Term> {
    let last = ctx.last();
    let eq = ctx.eq().supply(c);
    let (r, rerouted) = match rerouted {
        Some(rr) if shortfall => (ctx.rerouting_share(), rr),
        _ => {
            return eq
                .iter()
                .filter_map(|&(j, x)| sticky.loss(last, c, j, x, weight))
                .collect();
        }
    };
    let rr = rerouted.supply(last, c);
    let mut suppliers: Vec<usize> = eq.iter().chain(rr).map(|&(j, _)| j).collect();
    suppliers.sort_unstable();
    suppliers.dedup();
    let amount = |list: &[(usize, f64)], j: usize| {
        list.iter().find(|&&(k, _)| k == j).map_or(0.0, |&(_, x)| x)
    };
    suppliers
        .into_iter()
        .filter_map(|j| {
            let x_eq = amount(&eq, j);
            let rerouted_part = rerouted.loss(last, c, j, x_eq, weight * r);
            if r >= 1.0 {
                return rerouted_part;
            }
            let x_st = sticky.flow(last, c, j, x_eq);
            let x_rr = rerouted.flow(last, c, j);
            let value = weight * ((1.0 - r) * (x_eq - x_st) + r * (x_eq - x_rr));
            if value.abs() <= 1e-15 {
                return None;
            }
            let mut term = flow_term(ctx, last, c, j, value).detail(format!(
                "{} → {} of world demand: {} × {} with nobody rerouting + {} × {} with everyone",
                sig(x_eq),
                sig((1.0 - r) * x_st + r * x_rr),
                sig(1.0 - r),
                sig(x_st),
                sig(r),
                sig(x_rr)
            ));
            let mut parts = Vec::new();
            if let Some(mut s) = sticky.loss(last, c, j, x_eq, weight * (1.0 - r)) {
                s.label = format!("not rerouted ({})", percent(1.0 - r, 0));
                s.lines.clear();
                parts.push(s);
            }
            if let Some(mut p) = rerouted_part {
                p.label = format!("rerouted ({})", percent(r, 0));
                p.lines.retain(|l| !term.lines.contains(l));
                parts.push(p);
            }
            term.terms = parts;
            Some(term)
        })
        .collect()
}

fn loss_part(ctx: &Ctx<'_>, c: usize, demand: f64, shortfall: bool) -> Part {
    let weight = if demand > 0.0 { 1.0 / demand } else { 0.0 };
    let sticky = Sticky::new(ctx);
    let rerouted = Rerouted::new(ctx);
    let mut terms = loss_terms(ctx, &sticky, rerouted.as_ref(), c, shortfall, weight);
    let outcome = &ctx.ev.outcome;
    let (received, name) = if shortfall {
        (outcome.received[c], "shortfall")
    } else {
        (outcome.sticky[c], "at_risk")
    };
    let value = if demand > 0.0 {
        (1.0 - received / demand).clamp(0.0, 1.0)
    } else {
        0.0
    };
    residual(&mut terms, value, "not supplied in equilibrium");
    let r = ctx.rerouting_share();
    let how = if !shortfall {
        "with nobody rerouting".to_string()
    } else if r > 0.0 {
        format!(
            "received = (1 − r)·sticky + r·rerouted = {}×{} + {}×{} = {}",
            sig(1.0 - r),
            sig(outcome.sticky[c]),
            sig(r),
            sig(outcome.rerouted[c]),
            sig(received)
        )
    } else {
        "rerouting 0%: nobody finds a new supplier, as at_risk".to_string()
    };
    let mut lines = ctx.cite.demand(ctx.ev.global[c]);
    if shortfall {
        lines.extend(allocation_lines(ctx));
    }
    Part {
        formula: format!(
            "{name} = 1 − received/demand = 1 − {}/{} = {}; {how}",
            sig(received),
            sig(demand),
            percent(value, 1)
        ),
        combine: Combine::Sum,
        per: format!(
            "{} supplier j: (x_eq[j] − x_shock[j]) / D, negative where rerouting brings more",
            ctx.stage(ctx.last())
        ),
        terms,
        lines,
    }
}

/// The `allocation` and `rerouting` lines in force in the scenario.
pub(crate) fn allocation_lines(ctx: &Ctx<'_>) -> Vec<Cited> {
    let actions = ctx.checked.actions(ctx.target.scenario);
    let last_of = |want: fn(&ActionKind) -> bool| {
        actions.iter().rev().find(|a| want(&a.kind)).map(|a| a.span)
    };
    let spans = [
        last_of(|k| matches!(k, ActionKind::Allocation(_))),
        last_of(|k| matches!(k, ActionKind::Rerouting(_))),
    ];
    ctx.cite.spans(spans.into_iter().flatten())
}

/// The stock in days of normal use as a term, with the conversion from a
/// mass spelt out.
pub(crate) fn stock_term(ctx: &Ctx<'_>, c: usize, weight: f64) -> Option<Term> {
    let days = ctx.ev.stock_days[c]?;
    let a = ctx.ev.global[c];
    let ms = &ctx.state.minerals[ctx.ev.mineral];
    let values = ctx.checked.plain_values();
    let detail = match ms.stock.get(&a).map(|(s, _)| *s) {
        Some(Stock::Tonnes(t)) => format!(
            "{} t = 365 × {} t / ({} × {} t) = {} days of normal use",
            sig(t.get(&values)),
            sig(t.get(&values)),
            percent(ctx.ev.market.demand[c], 1),
            sig(ctx.checked.world.minerals[ctx.ev.mineral]
                .volume_t
                .unwrap_or(0.0)),
            crate::metric::fixed(days, 1)
        ),
        _ => format!("{} days of normal use", crate::metric::fixed(days, 1)),
    };
    Some(
        Term::new(ctx.code(c), days * weight, Unit::Days)
            .detail(detail)
            .lines(ctx.cite.stock(a)),
    )
}

fn cover_days(ctx: &Ctx<'_>, c: usize, demand: f64) -> Part {
    let x = model::metrics::country(&ctx.ev.market, &ctx.ev.outcome, c, ctx.ev.stock_days[c]);
    let shortfall = loss_part(ctx, c, demand, true);
    let mut stock = stock_term(ctx, c, 1.0).unwrap_or_else(|| Term::new("stock", 0.0, Unit::Days));
    stock.label = "stock".into();
    let days = stock.value;
    let lost = Term::new("shortfall", x.shortfall, Unit::Fraction)
        .detail(shortfall.formula.clone())
        .terms(shortfall.terms);
    let value = x.cover_days.unwrap_or(0.0);
    Part {
        formula: format!(
            "cover_days = stock / shortfall = {} days / {} = {} days",
            crate::metric::fixed(days, 1),
            percent(x.shortfall, 1),
            crate::metric::fixed(value, 1)
        ),
        combine: Combine::Ratio,
        per: "the stock (days of normal use), then the shortfall it covers".into(),
        terms: vec![stock, lost],
        lines: shortfall.lines,
    }
}

/// Adds a term for what the others leave unexplained, when it is more
/// than float noise (a market that does not balance in equilibrium).
pub(crate) fn residual(terms: &mut Vec<Term>, value: f64, label: &str) {
    let rest = value - terms.iter().map(|t| t.value).sum::<f64>();
    if rest.abs() > 1e-10 {
        terms.push(Term::new(label, rest, Unit::Fraction));
    }
}

/// Up to six items joined, then `…`.
pub(crate) fn listed(items: impl Iterator<Item = String>, sep: &str) -> String {
    let items: Vec<String> = items.collect();
    if items.len() <= 6 {
        return items.join(sep);
    }
    format!("{}{sep}…", items[..6].join(sep))
}
