//! The terms of a group's or coalition's metrics (SPEC §3.6, §10): means
//! weighted by the members' demand, sums over members, and the
//! concentration of the members' summed supply. Members without a demand
//! figure take no part in what is measured against demand.

use super::country::{self, listed, residual};
use super::paths::Sticky;
use super::reroute::Rerouted;
use super::{Combine, Ctx, Part, Term, sig};
use crate::metric::{Unit, percent};
use crate::model::{self, Exposure};
use crate::program::{GroupId, Metric};
use crate::results::DemandBasis;

pub(crate) fn explain(ctx: &Ctx<'_>, g: GroupId, metric: &Metric) -> Part {
    let world = &ctx.checked.world;
    let group = &world.groups[g];
    let ev = ctx.ev;
    let with_data: Vec<usize> = group
        .members
        .iter()
        .filter(|a| ev.basis.get(a).is_some_and(|b| *b != DemandBasis::None))
        .filter_map(|a| ev.local.get(a).copied())
        .collect();
    let demand: f64 = with_data.iter().map(|&m| ev.market.demand[m]).sum();
    let name = &group.name;
    let mut part = match metric {
        Metric::Demand => {
            let terms: Vec<Term> = with_data
                .iter()
                .map(|&m| {
                    Term::new(ctx.code(m), ev.market.demand[m], Unit::Fraction)
                        .lines(ctx.cite.demand(ev.global[m]))
                })
                .collect();
            Part {
                formula: format!(
                    "demand = Σ_m D_m = {} = {}",
                    listed(terms.iter().map(|t| sig(t.value)), " + "),
                    percent(demand, 1)
                ),
                combine: Combine::Sum,
                per: "member m with a demand figure: D_m".into(),
                terms,
                lines: Vec::new(),
            }
        }
        Metric::Output(s) => {
            let everyone: Vec<usize> = group
                .members
                .iter()
                .filter_map(|a| ev.local.get(a).copied())
                .filter(|&m| ctx.eq().output[*s][m] > 0.0)
                .collect();
            let terms: Vec<Term> = everyone
                .iter()
                .map(|&m| country::output_term(ctx, m, *s))
                .collect();
            let total: f64 = terms.iter().map(|t| t.value).sum();
            Part {
                formula: format!(
                    "output.{} = Σ_m P_m = {} = {}",
                    ctx.stage(*s),
                    if terms.is_empty() {
                        "0".to_string()
                    } else {
                        listed(terms.iter().map(|t| sig(t.value)), " + ")
                    },
                    percent(total, 1)
                ),
                combine: Combine::Sum,
                per: format!("member m: its output share at {}", ctx.stage(*s)),
                terms,
                lines: Vec::new(),
            }
        }
        Metric::ImportReliance => import_reliance(ctx, &with_data, demand),
        Metric::TopSupplier | Metric::TopSupplierShare | Metric::Hhi => {
            let mut supply: Vec<(usize, f64)> = Vec::new();
            for &m in &with_data {
                for (j, x) in ctx.eq().supply(m) {
                    match supply.iter_mut().find(|(k, _)| *k == j) {
                        Some((_, sum)) => *sum += x,
                        None => supply.push((j, x)),
                    }
                }
            }
            supply.sort_by_key(|&(j, _)| j);
            country::concentration(ctx, &supply, name, metric, None)
        }
        Metric::Dependency(_) | Metric::AtRisk | Metric::Shortfall => {
            weighted_mean(ctx, &with_data, demand, metric)
        }
        Metric::CoverDays => cover_days(ctx, &with_data, demand),
    };
    if let Some(declared) = ctx.cite.span(group.span) {
        part.lines.insert(0, declared);
    }
    part
}

fn exposure(ctx: &Ctx<'_>, m: usize) -> Exposure {
    model::metrics::country(&ctx.ev.market, &ctx.ev.outcome, m, ctx.ev.stock_days[m])
}

/// `dependency.P`, `at_risk`, `shortfall`: `Σ_m D_m·metric_m / ΣD`, each
/// member's term holding its own terms at weight `1/ΣD`.
fn weighted_mean(ctx: &Ctx<'_>, members: &[usize], demand: f64, metric: &Metric) -> Part {
    let weight = if demand > 0.0 { 1.0 / demand } else { 0.0 };
    let sticky = Sticky::new(ctx);
    let shortfall = *metric == Metric::Shortfall;
    let rerouted = Rerouted::new(ctx);
    let mut products = Vec::new();
    let terms: Vec<Term> = members
        .iter()
        .map(|&m| {
            let x = exposure(ctx, m);
            let (own, inner) = match metric {
                Metric::Dependency(p) => (
                    ctx.ev
                        .local
                        .get(p)
                        .and_then(|&i| x.dependency.iter().find(|(j, _)| *j == i))
                        .map_or(0.0, |&(_, v)| v),
                    country::dependency_terms(ctx, m, *p, weight),
                ),
                Metric::AtRisk => (
                    x.at_risk,
                    country::loss_terms(ctx, &sticky, rerouted.as_ref(), m, false, weight),
                ),
                _ => (
                    x.shortfall,
                    country::loss_terms(ctx, &sticky, rerouted.as_ref(), m, true, weight),
                ),
            };
            let d = ctx.ev.market.demand[m];
            products.push((
                d * own,
                format!("{} {}×{}", ctx.code(m), sig(d), percent(own, 1)),
            ));
            Term::new(ctx.code(m), weight * d * own, Unit::Fraction)
                .detail(format!(
                    "{} of the group's demand × {}",
                    percent(weight * d, 1),
                    percent(own, 1)
                ))
                .lines(ctx.cite.demand(ctx.ev.global[m]))
                .terms(inner)
        })
        .collect();
    let value: f64 = terms.iter().map(|t| t.value).sum();
    products.sort_by(|a, b| b.0.total_cmp(&a.0));
    let name = match metric {
        Metric::Dependency(p) => format!("dependency.{}", ctx.checked.world.actors[*p].code),
        Metric::AtRisk => "at_risk".into(),
        _ => "shortfall".into(),
    };
    let mut lines = Vec::new();
    if shortfall {
        lines.extend(country::allocation_lines(ctx));
    }
    Part {
        formula: format!(
            "{name} = Σ_m D_m·{name}_m / ΣD = ({}) / {} = {}",
            listed(products.into_iter().map(|(_, s)| s), " + "),
            sig(demand),
            percent(value.clamp(0.0, 1.0), 1)
        ),
        combine: Combine::Sum,
        per: format!("member m with a demand figure: D_m / ΣD · {name}_m"),
        terms,
        lines,
    }
}

/// The group as one economy: `max(0, ΣD − ΣP) / ΣD` at the final stage.
fn import_reliance(ctx: &Ctx<'_>, members: &[usize], demand: f64) -> Part {
    let last = ctx.last();
    let output: f64 = members.iter().map(|&m| ctx.eq().output[last][m]).sum();
    let value = if demand > 0.0 {
        (demand - output).max(0.0) / demand
    } else {
        0.0
    };
    let mut term = Term::new("the group as one economy", value, Unit::Fraction).detail(format!(
        "demand {} against {} output {}",
        sig(demand),
        ctx.stage(last),
        sig(output)
    ));
    if demand > output {
        let mut parts: Vec<Term> = members
            .iter()
            .map(|&m| {
                let (d, p) = (ctx.ev.market.demand[m], ctx.eq().output[last][m]);
                Term::new(ctx.code(m), (d - p) / demand, Unit::Fraction)
                    .detail(format!("demand {} − output {}", sig(d), sig(p)))
                    .lines({
                        let mut l = ctx.cite.demand(ctx.ev.global[m]);
                        l.extend(ctx.cite.output(last, ctx.ev.global[m]));
                        l
                    })
            })
            .collect();
        residual(&mut parts, value, "rounding");
        term.terms = parts;
    }
    Part {
        formula: format!(
            "import_reliance = max(0, ΣD − ΣP) / ΣD = max(0, {} − {}) / {} = {}",
            sig(demand),
            sig(output),
            sig(demand),
            percent(value, 1)
        ),
        combine: Combine::Itself,
        per: format!(
            "the members' demand and {} output, as one economy",
            ctx.stage(last)
        ),
        terms: vec![term],
        lines: Vec::new(),
    }
}

/// `Σ_m days_m·D_m / Σ_m shortfall_m·D_m`: the members' stocks together
/// against their combined shortfall, both per unit of the group's demand.
fn cover_days(ctx: &Ctx<'_>, members: &[usize], demand: f64) -> Part {
    let weight = if demand > 0.0 { 1.0 / demand } else { 0.0 };
    let stocks: Vec<Term> = members
        .iter()
        .filter_map(|&m| country::stock_term(ctx, m, weight * ctx.ev.market.demand[m]))
        .collect();
    let lost: Vec<Term> = members
        .iter()
        .map(|&m| {
            let x = exposure(ctx, m);
            let d = ctx.ev.market.demand[m];
            Term::new(ctx.code(m), weight * d * x.shortfall, Unit::Fraction).detail(format!(
                "{} of the group's demand × shortfall {}",
                percent(weight * d, 1),
                percent(x.shortfall, 1)
            ))
        })
        .collect();
    let stock_days: f64 = stocks.iter().map(|t| t.value).sum();
    let shortfall: f64 = lost.iter().map(|t| t.value).sum();
    let value = if shortfall > 0.0 {
        stock_days / shortfall
    } else {
        0.0
    };
    Part {
        formula: format!(
            "cover_days = Σ_m days_m·D_m / Σ_m shortfall_m·D_m = {} days / {} = {} days",
            crate::metric::fixed(stock_days, 1),
            percent(shortfall, 1),
            crate::metric::fixed(value, 1)
        ),
        combine: Combine::Ratio,
        per: "the members' stock (days of the group's use), then their shortfall".into(),
        terms: vec![
            Term::new("stock", stock_days, Unit::Days)
                .detail("the members' stockpiles, weighted by their demand")
                .terms(stocks),
            Term::new("shortfall", shortfall, Unit::Fraction)
                .detail("the members' shortfalls, weighted by their demand")
                .terms(lost),
        ],
        lines: country::allocation_lines(ctx),
    }
}
