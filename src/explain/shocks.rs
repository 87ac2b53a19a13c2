//! What each restriction and disruption does to the row, and who delivered
//! more or less after rerouting.
//!
//! A statement's effect is measured by taking it away: the scenario is
//! evaluated again without it, all else equal, and the difference in
//! `at_risk` (or `shortfall`) is the share of the row's demand it removed.
//! Two statements on one flow multiply, so their effects need not add up to
//! the whole; each says what that one line does.

use super::paths::Sticky;
use super::reroute::Rerouted;
use super::{Ctx, Delivery, Rerouting, Shock};
use crate::eval::{self, Measured, MineralState, ScenarioState};
use crate::metric::MetricKind;
use crate::program::{Allocation, Metric, MetricRef, Subject, Values};
use crate::results::DemandBasis;
use crate::source::Span;

/// Every restriction and disruption on the mineral, with what taking it
/// away changes (0: nothing, for this row).
pub(crate) fn effects(ctx: &Ctx<'_>, values: &Values) -> Vec<Shock> {
    let m = ctx.ev.mineral;
    let ms = &ctx.state.minerals[m];
    let mut statements: Vec<Span> = Vec::new();
    for s in ms
        .restrictions
        .iter()
        .map(|l| l.statement)
        .chain(ms.disruptions.iter().map(|d| d.statement))
    {
        if !statements.contains(&s) {
            statements.push(s);
        }
    }
    let (kind, metric) = match ctx.target.mref.metric {
        Metric::AtRisk => (MetricKind::AtRisk, Metric::AtRisk),
        _ => (MetricKind::Shortfall, Metric::Shortfall),
    };
    let mref = MetricRef {
        subject: ctx.target.mref.subject,
        mineral: m,
        metric,
    };
    let with = value_of(ctx, &mref, ctx.ev);
    let mut out: Vec<Shock> = statements
        .into_iter()
        .filter_map(|s| {
            let state = without(ctx.state, m, s);
            let ev = eval::evaluate_mineral(ctx.checked, &state, m, values);
            let without = value_of(ctx, &mref, &ev);
            let removed = with - without;
            let removed = if removed.abs() <= 1e-12 { 0.0 } else { removed };
            Some(Shock {
                line: ctx.cite.span(s)?,
                metric: kind.name(),
                removed,
                without,
            })
        })
        .collect();
    out.sort_by(|a, b| b.removed.total_cmp(&a.removed));
    out
}

fn value_of(ctx: &Ctx<'_>, mref: &MetricRef, ev: &eval::MineralEval) -> f64 {
    let f = ev.exposure(ctx.checked, mref.subject);
    match eval::measure(ctx.checked, mref, &f, ev) {
        Measured::Number(v) => v,
        _ => 0.0,
    }
}

/// The scenario's state for one mineral without the lines of one statement
/// (a group's restriction is one line per member, all from one statement).
fn without(state: &ScenarioState, m: crate::program::MineralId, statement: Span) -> ScenarioState {
    let mut ms: MineralState = state.minerals[m].clone();
    ms.restrictions.retain(|l| l.statement != statement);
    ms.disruptions.retain(|d| d.statement != statement);
    let mut minerals = vec![MineralState::default(); state.minerals.len()];
    minerals[m] = ms;
    ScenarioState {
        id: state.id,
        at: state.at,
        minerals,
        allocation: state.allocation,
        rerouting: state.rerouting,
        warnings: Vec::new(),
    }
}

/// Who delivered what to the row (a country, or a group's members with a
/// demand figure together) when part of the market reroutes.
pub(crate) fn rerouting(ctx: &Ctx<'_>, metric: &Metric) -> Option<Rerouting> {
    let r = ctx.rerouting_share();
    if r <= 0.0 || *metric == Metric::AtRisk {
        return None;
    }
    let ev = ctx.ev;
    let buyers: Vec<usize> = match ctx.target.mref.subject {
        Subject::Actor(a) => ev.local.get(&a).copied().into_iter().collect(),
        Subject::Group(g) => ctx.checked.world.groups[g]
            .members
            .iter()
            .filter(|a| ev.basis.get(a).is_some_and(|b| *b != DemandBasis::None))
            .filter_map(|a| ev.local.get(a).copied())
            .collect(),
    };
    let last = ctx.last();
    let sticky = Sticky::new(ctx);
    let rerouted = Rerouted::new(ctx)?;
    // (supplier, equilibrium, sticky, rerouted), summed over the buyers.
    let mut rows: Vec<(usize, f64, f64, f64)> = Vec::new();
    let mut add = |j: usize, e: f64, s: f64, r: f64| match rows.iter_mut().find(|x| x.0 == j) {
        Some(x) => {
            x.1 += e;
            x.2 += s;
            x.3 += r;
        }
        None => rows.push((j, e, s, r)),
    };
    for &b in &buyers {
        for (j, x) in ctx.eq().supply(b) {
            add(j, x, sticky.flow(last, b, j, x), 0.0);
        }
        for &(j, x) in rerouted.supply(last, b) {
            add(j, 0.0, 0.0, x);
        }
    }
    let mut suppliers: Vec<Delivery> = rows
        .into_iter()
        .map(|(j, e, s, rr)| Delivery {
            supplier: ctx.code(j).to_string(),
            equilibrium: e,
            sticky: s,
            rerouted: rr,
            change: (1.0 - r) * s + r * rr - e,
        })
        .collect();
    suppliers.sort_by(|a, b| {
        b.change
            .total_cmp(&a.change)
            .then_with(|| a.supplier.cmp(&b.supplier))
    });
    let rule = match ctx.state.allocation {
        Allocation::CoalitionFirst(g) => {
            format!("coalition_first {}", ctx.checked.world.groups[g].name)
        }
        _ => "market".to_string(),
    };
    Some(Rerouting {
        share: r,
        rule,
        suppliers,
    })
}
