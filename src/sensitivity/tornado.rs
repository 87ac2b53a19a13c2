//! `lode tornado` (SPEC §11): the inputs of one metric ranked by how much
//! they move it. Each uncertain value (`a..b`, `m (a..b)`) is set to its
//! low and its high end in turn, every other input at its plain value;
//! with a `vary` share, each `let` with a plain number is also moved down
//! and up by that share of its value. Bars are sorted by swing
//! `|high − low|`, largest first, ties in input order.
//!
//! The scenario's structure is assembled once; an input's two ends
//! re-evaluate only the metric's mineral, with new values.

use rayon::prelude::*;
use serde::Serialize;

use crate::ast::ReplInput;
use crate::date::Date;
use crate::diagnostic::{Code, Diag};
use crate::eval::{Exposures, Measured, assemble, evaluate_mineral, measure};
use crate::program::{Checked, InputKind, Metric, MetricRef, ScenarioId, Values};
use crate::source::{SourceMap, Span};

/// What to vary.
#[derive(Debug, Clone, Default)]
pub struct TornadoOptions {
    /// The scenario when the metric reference names none (`--scenario`);
    /// `base` when neither does.
    pub scenario: Option<String>,
    /// Also move each plain `let` down and up by this share of its value
    /// (`--vary 10%`).
    pub vary: Option<f64>,
    /// Evaluate at this date rather than the scenario's own (SPEC §8.2).
    pub at: Option<Date>,
}

/// The metric's inputs, ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tornado {
    pub lode_version: &'static str,
    /// `JP.rare_earths.shortfall`, with codes in place of aliases.
    pub metric: String,
    pub scenario: String,
    /// The date it is evaluated at; `null`: undated.
    pub at: Option<String>,
    /// The metric at every input's plain value (what `lode run` shows).
    pub value: f64,
    /// The share each `let` is moved by; `null`: lets are not moved.
    pub vary: Option<f64>,
    /// Largest swing first.
    pub bars: Vec<TornadoBar>,
    /// How the metric's values are written.
    #[serde(skip)]
    pub kind: crate::metric::MetricKind,
}

/// One input at its two ends.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TornadoBar {
    /// `range` (an uncertain value) or `let` (moved by `vary`).
    pub kind: &'static str,
    /// The variable it is bound to, if any.
    pub name: Option<String>,
    /// The value as written: `85%..92%`, or the `let`'s name.
    pub text: String,
    pub file: String,
    pub line: usize,
    /// The input's value at its low end and its high end (in the
    /// language's base units: a fraction, tonnes, days, dollars).
    pub input_low: f64,
    pub input_high: f64,
    /// The metric with the input at its low end; `null`: no value there
    /// (a `cover_days` without shortfall).
    pub low: Option<f64>,
    /// The metric with the input at its high end.
    pub high: Option<f64>,
    /// `|high − low|`; 0 when either end has no value.
    pub swing: f64,
}

/// Why there is no tornado.
#[derive(Debug, Clone, PartialEq)]
pub enum TornadoError {
    /// The reference does not resolve (coded diagnostics).
    Diags(Vec<Diag>),
    /// The metric has no value in the scenario, or is not a number.
    NoValue { metric: String, reason: String },
}

impl std::fmt::Display for TornadoError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TornadoError::Diags(d) => write!(f, "{} error(s) in the metric reference", d.len()),
            TornadoError::NoValue { metric, reason } => {
                write!(f, "{metric} has no value to vary: {reason}")
            }
        }
    }
}

/// Ranks the inputs of the metric written as `text` (added to `sources`
/// as `name`, so diagnostics point into it).
pub fn tornado(
    checked: &Checked,
    sources: &mut SourceMap,
    name: &str,
    text: &str,
    opts: &TornadoOptions,
) -> Result<Tornado, TornadoError> {
    let (scenario, mref) = resolve(checked, sources, name, text, opts.scenario.as_deref())
        .map_err(TornadoError::Diags)?;
    let metric = written(checked, &mref);
    if mref.metric == Metric::TopSupplier {
        return Err(TornadoError::NoValue {
            metric,
            reason: "`top_supplier` is a code, not a number; try `top_supplier_share`".into(),
        });
    }
    let at = opts.at.or_else(|| checked.as_of(scenario));
    let state = assemble::structure(checked, scenario, at);
    let value_with = |values: &Values| -> Measured {
        let ev = evaluate_mineral(checked, &state, mref.mineral, values);
        let mut exposures = Exposures::new(&ev);
        let f = exposures.get(checked, mref.subject);
        measure(checked, &mref, &f, &ev)
    };
    let plain = checked.plain_values();
    let value = match value_with(&plain) {
        Measured::Number(v) => v,
        Measured::Absent { shown, reason } => {
            return Err(TornadoError::NoValue {
                metric,
                reason: format!("{shown} ({reason})"),
            });
        }
        Measured::Actor(_) => {
            return Err(TornadoError::NoValue {
                metric,
                reason: "not a number".into(),
            });
        }
    };
    // (input, kind, low, high)
    let moved: Vec<(usize, &'static str, f64, f64)> = checked
        .inputs
        .iter()
        .enumerate()
        .filter_map(|(i, input)| match (&input.kind, opts.vary) {
            (InputKind::Range { low, high, .. }, _) => Some((i, "range", *low, *high)),
            (InputKind::Let { value }, Some(p)) => {
                Some((i, "let", value * (1.0 - p), value * (1.0 + p)))
            }
            (InputKind::Let { .. }, None) => None,
        })
        .collect();
    let number = |m: Measured| match m {
        Measured::Number(v) => Some(v),
        _ => None,
    };
    let mut bars: Vec<(usize, TornadoBar)> = moved
        .par_iter()
        .map(|&(i, kind, lo, hi)| {
            let at_value = |v: f64| {
                let mut inputs = plain.inputs.clone();
                inputs[i] = v;
                number(value_with(&Values::from_inputs(checked, inputs)))
            };
            let (low, high) = (at_value(lo), at_value(hi));
            let input = &checked.inputs[i];
            let file = sources
                .get(input.span.source)
                .map(|f| f.name.clone())
                .unwrap_or_default();
            let swing = match (low, high) {
                (Some(l), Some(h)) => (h - l).abs(),
                _ => 0.0,
            };
            (
                i,
                TornadoBar {
                    kind,
                    name: input.name.clone(),
                    text: sources.text(input.span).to_string(),
                    file,
                    line: sources.line(input.span),
                    input_low: lo,
                    input_high: hi,
                    low,
                    high,
                    swing,
                },
            )
        })
        .collect();
    bars.sort_by(|(i, a), (j, b)| b.swing.total_cmp(&a.swing).then(i.cmp(j)));
    Ok(Tornado {
        lode_version: env!("CARGO_PKG_VERSION"),
        metric,
        scenario: checked.scenarios[scenario].name.clone(),
        at: at.map(|d| d.to_string()),
        value,
        vary: opts.vary,
        bars: bars.into_iter().map(|(_, b)| b).collect(),
        kind: mref.metric.kind(),
    })
}

/// `SCENARIO: ACTOR.MINERAL.METRIC` or `ACTOR.MINERAL.METRIC`, resolved by
/// the checker's metric path rules (the same "did you mean" as an `expect`
/// line). Every error is reported at once.
fn resolve(
    checked: &Checked,
    sources: &mut SourceMap,
    name: &str,
    text: &str,
    option: Option<&str>,
) -> Result<(ScenarioId, MetricRef), Vec<Diag>> {
    let id = sources.add(name, text.to_string(), None);
    // A `name:` prefix is blanked in place so spans keep pointing into `text`.
    let (prefix, rest) = match text.split_once(':') {
        Some((head, tail))
            if !head.trim().is_empty()
                && head
                    .trim()
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_') =>
        {
            let start = head.len() - head.trim_start().len();
            let n = head.trim();
            (
                Some((n.to_string(), Span::new(id, start, start + n.len()))),
                format!("{}{tail}", " ".repeat(head.len() + 1)),
            )
        }
        _ => (None, text.to_string()),
    };
    let path = match crate::syntax::parse_repl(&rest, id) {
        Ok(ReplInput::Metric(p)) => p,
        Ok(_) => {
            return Err(vec![
                Diag::at(
                    Code::UnknownMetric,
                    Span::new(id, 0, text.len()),
                    "not a metric: a tornado varies ACTOR.MINERAL.METRIC",
                )
                .help("for example `JP.rare_earths.shortfall` or `base: G7.lithium.dependency.CN`"),
            ]);
        }
        Err(d) => return Err(d),
    };
    let mut errors = Vec::new();
    let names = checked.scenario_names();
    let lookup = |n: &str, span: Span| {
        checked
            .scenario_id(n)
            .ok_or_else(|| crate::check::unknown_scenario(n, span, &names))
    };
    let scenario = match (&prefix, option) {
        (Some((written, _)), Some(o)) if written != o => Err(Diag::new(
            Code::UnknownScenario,
            format!("two scenarios named: `{written}` before the metric and `{o}` by --scenario"),
        )
        .help("name the scenario once")),
        (Some((written, span)), _) => lookup(written, *span),
        (None, Some(o)) => {
            let oid = sources.add("--scenario", o.to_string(), None);
            lookup(o, Span::new(oid, 0, o.len()))
        }
        (None, None) => Ok(ScenarioId::BASE),
    };
    let scenario = scenario.map_err(|d| errors.push(d)).ok();
    let mref = crate::check::resolve_metric(sources, &checked.world, &path)
        .map_err(|d| errors.extend(d))
        .ok();
    match (scenario, mref) {
        (Some(s), Some(m)) if errors.is_empty() => Ok((s, m)),
        _ => Err(errors),
    }
}

/// A metric as results name it, with codes: `JP.rare_earths.dependency.CN`.
fn written(checked: &Checked, mref: &MetricRef) -> String {
    let world = &checked.world;
    let mineral = &world.minerals[mref.mineral];
    let metric = match &mref.metric {
        Metric::Output(s) => format!("output.{}", mineral.stages[*s]),
        Metric::Dependency(a) => format!("dependency.{}", world.actors[*a].code),
        m => m.kind().name().to_string(),
    };
    format!(
        "{}.{}.{metric}",
        world.subject_name(mref.subject),
        mineral.name
    )
}
