//! Metric queries over samples (SPEC §9): with `:samples N` a bare metric
//! answers with its median and 5th–95th percentiles over N draws of the
//! session's ranges, as `lode run --samples N` would show it.

use rayon::prelude::*;

use crate::ast::MetricPath;
use crate::diagnostic::Diag;
use crate::eval::{self, Measured, assemble};
use crate::metric::Unit;
use crate::program::{ActorId, Checked, ScenarioId};
use crate::sample::{self, SampleOptions, Stats};
use crate::source::SourceMap;

/// A metric of a scenario of the session over `opts`' samples:
/// `63.0% [58.1%–68.2%]` (median [5th–95th percentile]); `top_supplier`
/// as its most frequent value and how often. `Ok(None)` for a whole map
/// (`dependency`, `output` without a key), which is answered plainly.
pub fn metric(
    checked: &Checked,
    sources: &mut SourceMap,
    path: &MetricPath,
    scenario: ScenarioId,
    at: Option<crate::date::Date>,
    opts: SampleOptions,
) -> Result<Option<String>, Vec<Diag>> {
    if path.key.is_none() && matches!(path.metric.text.as_str(), "dependency" | "output") {
        return Ok(None);
    }
    let mref = crate::check::resolve_metric(sources, &checked.world, path)?;
    let state = assemble::structure(checked, scenario, at);
    let measured: Vec<Measured> = (0..opts.samples)
        .into_par_iter()
        .map(|i| {
            let values = sample::draw(checked, opts.seed, i);
            let ev = eval::evaluate_mineral(checked, &state, mref.mineral, &values);
            let f = ev.exposure(checked, mref.subject);
            eval::measure(checked, &mref, &f, &ev)
        })
        .collect();
    let n = measured.len();
    let kind = mref.metric.kind();
    let mut numbers = Vec::with_capacity(n);
    let mut actors: Vec<Option<ActorId>> = Vec::new();
    let mut absent: Option<(String, String)> = None;
    let mut absent_count = 0usize;
    for m in measured {
        match m {
            Measured::Number(v) => numbers.push(v),
            Measured::Actor(a) => actors.push(a),
            Measured::Absent { shown, reason } => {
                absent_count += 1;
                absent.get_or_insert((shown, reason));
            }
        }
    }
    if !actors.is_empty() {
        return Ok(Some(top_supplier(checked, &actors)));
    }
    let Some(stats) = Stats::of(&mut numbers) else {
        let (shown, reason) = absent.unwrap_or_default();
        return Ok(Some(format!("{shown} ({reason}) in all {n} samples")));
    };
    let f = |v: f64| kind.format(v);
    let mut out = format!("{} [{}–{}]", f(stats.p50), f(stats.p5), f(stats.p95));
    if kind.unit() == Unit::Days {
        out.push_str(" days");
    }
    if let Some((shown, reason)) = absent {
        let s = if absent_count == 1 { "" } else { "s" };
        out.push_str(&format!(
            " ({absent_count} of {n} sample{s}: {shown}, {reason})"
        ));
    }
    Ok(Some(out))
}

/// The most frequent supplier (ties to the code first in alphabetical
/// order, as a plain `top_supplier`) and the share of samples it leads.
fn top_supplier(checked: &Checked, actors: &[Option<ActorId>]) -> String {
    let name = |a: &Option<ActorId>| match a {
        Some(a) => checked.world.actors[*a].code.clone(),
        None => "none".to_string(),
    };
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for a in actors {
        *counts.entry(name(a)).or_insert(0) += 1;
    }
    let (code, count) = counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(c, k)| (c.clone(), *k))
        .unwrap_or_default();
    let share = count as f64 / actors.len() as f64;
    format!(
        "{code} (in {} of samples)",
        crate::metric::percent(share, 1)
    )
}
