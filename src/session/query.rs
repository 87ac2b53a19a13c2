//! Answers to queries: a metric of the session (`JP.rare_earths.shortfall`)
//! or an expression (`licensing_cut * 2`), formatted for people.

use crate::ast::{MetricPath, Name};
use crate::check::values::{Dim, Value};
use crate::diagnostic::Diag;
use crate::eval::{self, Measured, assemble};
use crate::program::{Checked, Metric, ScenarioId};
use crate::source::SourceMap;

/// Evaluates a metric path in a scenario of the session. `dependency` and
/// `output` without a key list every entry.
pub fn metric(
    checked: &Checked,
    sources: &mut SourceMap,
    path: &MetricPath,
    scenario: ScenarioId,
    at: Option<crate::date::Date>,
) -> Result<String, Vec<Diag>> {
    let whole_map =
        path.key.is_none() && matches!(path.metric.text.as_str(), "dependency" | "output");
    let mref = if whole_map {
        // Resolve actor and mineral through a metric that takes no key.
        let probe = MetricPath {
            metric: Name {
                text: "demand".into(),
                span: path.metric.span,
            },
            ..path.clone()
        };
        crate::check::resolve_metric(sources, &checked.world, &probe)?
    } else {
        crate::check::resolve_metric(sources, &checked.world, path)?
    };
    let state = assemble::structure(checked, scenario, at);
    let ev = eval::evaluate_mineral(checked, &state, mref.mineral, &checked.plain_values());
    let f = ev.exposure(checked, mref.subject);
    let x = &*f.x;
    let world = &checked.world;
    if whole_map && path.metric.text != "output" && !f.has_data() {
        return Ok(format!(
            "no data (no demand data for {} {})",
            world.subject_name(mref.subject),
            world.minerals[mref.mineral].name
        ));
    }
    if whole_map {
        let entries: Vec<(String, f64)> = if path.metric.text == "output" {
            world.minerals[mref.mineral]
                .stages
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), x.output.get(i).copied().unwrap_or(0.0)))
                .collect()
        } else {
            let mut d: Vec<(String, f64)> = x
                .dependency
                .iter()
                .filter(|(_, v)| *v >= 0.0005)
                .map(|&(i, v)| (world.actors[ev.global[i]].code.clone(), v))
                .collect();
            d.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            d
        };
        if entries.is_empty() {
            return Ok("none".into());
        }
        let width = entries.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
        return Ok(entries
            .iter()
            .map(|(k, v)| format!("{k:<width$}  {:>6}", percent(*v)))
            .collect::<Vec<_>>()
            .join("\n"));
    }
    Ok(match eval::measure(checked, &mref, &f, &ev) {
        Measured::Actor(Some(a)) => world.actors[a].code.clone(),
        Measured::Actor(None) => "none (no supply)".into(),
        Measured::Number(v) => format_metric(&mref.metric, v),
        Measured::Absent { shown, reason } => format!("{shown} ({reason})"),
    })
}

/// A metric's value the way the REPL answers: `63.0%`, `4350`, `88.0 days`.
pub fn format_metric(metric: &Metric, v: f64) -> String {
    metric.kind().format_with_unit(v)
}

/// A fraction as a percentage with one decimal (`63.0%`), never `-0.0%`.
pub fn percent(v: f64) -> String {
    crate::metric::percent(v, 1)
}

/// An expression's value with its unit.
pub fn format_value(v: Value) -> String {
    match v.dim {
        Dim::Number if v.percent => percent(v.value),
        Dim::Number => number(v.value),
        Dim::Mass => {
            let t = v.value;
            if t.abs() >= 1e6 {
                format!("{} Mt", number(t / 1e6))
            } else if t.abs() >= 1e3 {
                format!("{} kt", number(t / 1e3))
            } else {
                format!("{} t", number(t))
            }
        }
        Dim::Time => format!("{} days", number(v.value)),
        Dim::Money => {
            let d = v.value;
            let (scaled, suffix) = if d.abs() >= 1e12 {
                (d / 1e12, "T")
            } else if d.abs() >= 1e9 {
                (d / 1e9, "B")
            } else if d.abs() >= 1e6 {
                (d / 1e6, "M")
            } else {
                (d, "")
            };
            let sign = if scaled < 0.0 { "-" } else { "" };
            format!("{sign}${}{suffix}", number(scaled.abs()))
        }
    }
}

/// Up to six decimals, trailing zeros dropped.
fn number(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}
