//! Exposure metrics per (row, mineral) (SPEC §3.6), read off an evaluated
//! [`Outcome`].
//!
//! `demand`, `output`, `import_reliance`, `top_supplier`, `hhi` and
//! `dependency` describe the equilibrium; `at_risk` the sticky outcome;
//! `shortfall` and `cover_days` the scenario's mix of outcomes.
//!
//! Decisions where the SPEC is silent:
//! - `hhi` and `top_supplier_share` use each supplier's share of the supply
//!   actually received in equilibrium (the shares sum to 1, so a single
//!   supplier gives 10,000 and 100% even when the market is short). In a
//!   balanced market the supply received is the demand.
//! - Two suppliers whose flows differ by less than 1e-12 tie; the tie goes
//!   to the lower index (the alphabetically first code).
//! - A group's `cover_days` pools its stockpiles:
//!   `Σ_m days_m · D_m / Σ_m shortfall_m · D_m`, i.e. how long the members'
//!   stocks together cover the group's combined shortfall. Members without
//!   a stockpile add nothing to the numerator; absent when no member has a
//!   stockpile or the group has no shortfall.
//! - Fractions are clamped to `[0, 1]` only to absorb float noise.

use super::equilibrium::sort_shares;
use super::{Market, Outcome};

/// Shares below this are noise and dropped from `dependency`.
const TINY: f64 = 1e-12;

/// One row's metrics for one mineral. Fractions of world demand unless
/// noted.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposure {
    pub demand: f64,
    /// Output share per stage, in stage order.
    pub output: Vec<f64>,
    pub import_reliance: f64,
    /// The largest immediate final-stage supplier (an actor index).
    pub top_supplier: Option<usize>,
    pub top_supplier_share: f64,
    /// Herfindahl–Hirschman index, 0..=10,000.
    pub hhi: f64,
    /// `(supplier, share)` above 1e-12, largest first, ties by index.
    pub dependency: Vec<(usize, f64)>,
    pub at_risk: f64,
    pub shortfall: f64,
    /// Days a stockpile covers the shortfall.
    pub cover_days: Option<f64>,
}

/// Metrics of one country. `stock_days` is its stockpile in days of normal
/// use, if any.
pub fn country(
    market: &Market,
    outcome: &Outcome,
    actor: usize,
    stock_days: Option<f64>,
) -> Exposure {
    let eq = &outcome.equilibrium;
    let demand = value(&market.demand, actor);
    let output = eq.output.iter().map(|stage| value(stage, actor)).collect();
    let import_reliance = eq
        .final_stage()
        .map_or(0.0, |stage| ratio(value(&stage.import_need, actor), demand));
    let (top_supplier, top_share, hhi) = concentration(&eq.supply(actor));
    let shortfall = loss(value(&outcome.received, actor), demand);
    let cover_days = match stock_days {
        Some(days) if shortfall > TINY => Some(days / shortfall),
        _ => None,
    };
    Exposure {
        demand,
        output,
        import_reliance,
        top_supplier,
        top_supplier_share: top_share,
        hhi,
        dependency: eq.dependency(actor),
        at_risk: loss(value(&outcome.sticky, actor), demand),
        shortfall,
        cover_days,
    }
}

/// Metrics of a group or coalition, members deduplicated by the caller.
/// `stock_days[i]` is member `members[i]`'s stockpile (missing: none).
pub fn group(
    market: &Market,
    outcome: &Outcome,
    members: &[usize],
    stock_days: &[Option<f64>],
) -> Exposure {
    let parts: Vec<Exposure> = members
        .iter()
        .enumerate()
        .map(|(i, &m)| country(market, outcome, m, stock_days.get(i).copied().flatten()))
        .collect();
    let parts: Vec<&Exposure> = parts.iter().collect();
    group_of(outcome, members, &parts, stock_days)
}

/// [`group`] from its members' [`country`] exposures, already computed
/// (`parts[i]` for `members[i]`, with `stock_days[i]`): a caller that shows
/// the members' own rows too computes each country once.
pub fn group_of(
    outcome: &Outcome,
    members: &[usize],
    parts: &[&Exposure],
    stock_days: &[Option<f64>],
) -> Exposure {
    let eq = &outcome.equilibrium;
    let stages = eq.output.len();
    let demand: f64 = parts.iter().map(|p| p.demand).sum();
    let output: Vec<f64> = (0..stages)
        .map(|s| parts.iter().map(|p| p.output[s]).sum())
        .collect();
    let final_output = output.last().copied().unwrap_or(0.0);
    let import_reliance = ratio((demand - final_output).max(0.0), demand);

    let supply = merge_dense(members.iter().flat_map(|&m| eq.supply(m)));
    let (top_supplier, top_share, hhi) = concentration(&supply);

    let weighted = |metric: fn(&Exposure) -> f64| -> f64 {
        if demand > 0.0 {
            parts.iter().map(|p| p.demand * metric(p)).sum::<f64>() / demand
        } else {
            0.0
        }
    };
    let at_risk = weighted(|p| p.at_risk).clamp(0.0, 1.0);
    let shortfall = weighted(|p| p.shortfall).clamp(0.0, 1.0);

    let mut dependency = merge_dense(
        parts
            .iter()
            .flat_map(|p| p.dependency.iter().map(move |&(s, x)| (s, x * p.demand))),
    );
    dependency
        .iter_mut()
        .for_each(|(_, x)| *x = ratio(*x, demand));
    dependency.retain(|&(_, x)| x > TINY);
    sort_shares(&mut dependency);

    // A stockpile held by a member that uses none of the mineral covers
    // nothing: it does not make the group's cover days present.
    let any_stock = (0..members.len()).any(|i| {
        stock_days.get(i).copied().flatten().is_some()
            && parts.get(i).is_some_and(|p| p.demand > 0.0)
    });
    let cover_days = if any_stock && shortfall > TINY {
        let stock: f64 = parts
            .iter()
            .enumerate()
            .map(|(i, p)| stock_days.get(i).copied().flatten().unwrap_or(0.0) * p.demand)
            .sum();
        let lost: f64 = parts.iter().map(|p| p.shortfall * p.demand).sum();
        Some(stock / lost)
    } else {
        None
    };
    Exposure {
        demand,
        output,
        import_reliance,
        top_supplier,
        top_supplier_share: top_share,
        hhi,
        dependency,
        at_risk,
        shortfall,
        cover_days,
    }
}

/// [`super::allocate::merge_sorted`] of the collected pairs without the
/// sort: amounts are added up per index in the order they come (so the
/// sums are the same to the last bit) in a dense scratch vector, and come
/// out sorted by index. Groups merge tens of members' lists of tens of
/// entries each.
fn merge_dense(pairs: impl Iterator<Item = (usize, f64)>) -> Vec<(usize, f64)> {
    let mut sums: Vec<Option<f64>> = Vec::new();
    let mut count = 0;
    for (i, x) in pairs {
        if i >= sums.len() {
            sums.resize(i + 1, None);
        }
        match &mut sums[i] {
            Some(sum) => *sum += x,
            slot => {
                *slot = Some(x);
                count += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(count);
    out.extend(
        sums.into_iter()
            .enumerate()
            .filter_map(|(i, x)| x.map(|x| (i, x))),
    );
    out
}

/// The top supplier (ties within 1e-12 to the lower index), its flow, and
/// the HHI of the supply, from `(supplier, amount)` sorted by supplier.
/// The top supplier, its share of the supply received, and the HHI.
fn concentration(supply: &[(usize, f64)]) -> (Option<usize>, f64, f64) {
    let total: f64 = supply.iter().map(|&(_, x)| x).sum();
    if total.is_nan() || total <= 0.0 {
        return (None, 0.0, 0.0);
    }
    let mut top: Option<(usize, f64)> = None;
    for &(p, x) in supply {
        match top {
            Some((_, best)) if x <= best + TINY => {}
            _ => top = Some((p, x)),
        }
    }
    let hhi = supply
        .iter()
        .map(|&(_, x)| (100.0 * x / total).powi(2))
        .sum::<f64>()
        .min(10_000.0);
    (
        top.map(|(p, _)| p),
        top.map_or(0.0, |(_, x)| x / total),
        hhi,
    )
}

fn value(values: &[f64], actor: usize) -> f64 {
    values
        .get(actor)
        .copied()
        .filter(|x| x.is_finite())
        .unwrap_or(0.0)
}

/// `part / whole`, 0 when the whole is 0.
fn ratio(part: f64, whole: f64) -> f64 {
    if whole > 0.0 { part / whole } else { 0.0 }
}

/// `1 − received / demand` in `[0, 1]`; 0 without demand.
fn loss(received: f64, demand: f64) -> f64 {
    if demand > 0.0 {
        (1.0 - received / demand).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

#[cfg(test)]
#[path = "metrics_tests.rs"]
mod tests;
