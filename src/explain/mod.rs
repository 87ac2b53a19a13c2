//! How one number is made (SPEC §10): `lode explain FILE METRIC_REF` and the
//! REPL's `:explain`.
//!
//! An [`Explanation`] holds the value, the formula with the actual figures,
//! and the *terms* that make the value up, each with the lines of data and
//! policy it rests on (`file:line`, the text, the `source` it cites) and,
//! where a term has parts, its own terms:
//!
//! ```text
//! target::resolve   METRIC_REF text → scenario + MetricRef (checker diagnostics)
//!   → explain       evaluate the mineral once, then per metric:
//!       country / group   the terms of SPEC §10's table
//!       paths             dependency paths and sticky losses through the stages
//!       shocks            what each restriction and disruption removed; rerouting
//!       cite              `file:line`, text and source of a span
//!   → render::text  for people; JSON is the type itself (serde)
//! ```
//!
//! The terms combine to the value (`sum`, `ratio`, `max` or `itself`) within
//! 1e-9; nested terms always add up to their parent. Nothing here changes a
//! result: the value is the one `lode run` prints, the terms are read off the
//! same evaluated model.

mod cite;
mod country;
mod group;
mod paths;
mod render;
mod reroute;
mod shocks;
mod target;

use serde::Serialize;

use crate::eval::{self, Measured, MineralEval, ScenarioState, assemble};
use crate::metric::{MetricKind, Unit};
use crate::program::{Checked, Metric, Subject};
use crate::source::SourceMap;

pub use cite::Cited;
pub use render::text;
pub use target::{Target, resolve};

/// What to explain beyond the metric itself.
#[derive(Debug, Clone, Default)]
pub struct ExplainOptions {
    /// The scenario when the metric reference names none (`--scenario`);
    /// `base` when neither does.
    pub scenario: Option<String>,
    /// Explain at this date (`--at`, the REPL's `:at`) rather than the
    /// scenario's own as-of date (SPEC §8.2).
    pub at: Option<crate::date::Date>,
}

/// How a number is made.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// `JP.rare_earths.shortfall`, with codes in place of aliases.
    pub metric: String,
    pub scenario: String,
    /// The date the scenario is evaluated at (SPEC §8.2); `null` undated.
    pub at: Option<String>,
    /// The value `lode run` shows. For `top_supplier`, the supplier's share.
    pub value: f64,
    /// `top_supplier`: the supplier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The definition with the actual figures.
    pub formula: String,
    pub combine: Combine,
    /// What one term is: `final-stage (magnets) supplier j: (x_eq[j] − x_shock[j]) / D`.
    pub per: String,
    pub terms: Vec<Term>,
    /// The lines the row itself rests on: its demand, its stockpile, the
    /// allocation and rerouting lines.
    pub lines: Vec<Cited>,
    /// The restrictions and disruptions on this mineral in the scenario,
    /// with how much each takes away from this row (0: nothing).
    pub shocks: Vec<Shock>,
    /// After a shock with rerouting: who delivered more and who less.
    pub rerouting: Option<Rerouting>,
    #[serde(skip)]
    pub kind: MetricKind,
}

/// How the terms make the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Combine {
    /// The value is the sum of the terms.
    Sum,
    /// The value is the first term divided by the second.
    Ratio,
    /// The value is the largest term (`top_supplier`).
    Max,
    /// The one term is the value.
    Itself,
}

/// One part of a number. Its own terms, if any, add up to its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Term {
    pub label: String,
    pub value: f64,
    /// The figures behind the value, in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub lines: Vec<Cited>,
    pub terms: Vec<Term>,
    /// How the value is written (a fraction, index points, days).
    #[serde(skip)]
    pub unit: Unit,
}

impl Term {
    fn new(label: impl Into<String>, value: f64, unit: Unit) -> Self {
        Term {
            label: label.into(),
            value,
            detail: None,
            lines: Vec::new(),
            terms: Vec::new(),
            unit,
        }
    }

    fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    fn lines(mut self, lines: Vec<Cited>) -> Self {
        self.lines = lines;
        self
    }

    fn terms(mut self, terms: Vec<Term>) -> Self {
        self.terms = terms;
        self
    }
}

/// A restriction or disruption, and what it does to this row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Shock {
    #[serde(flatten)]
    pub line: Cited,
    /// The metric compared: `at_risk`, or `shortfall` (also for `cover_days`).
    pub metric: &'static str,
    /// The share of this row's demand the statement takes away: the metric
    /// with it minus the metric without it (negative: it helps this row).
    pub removed: f64,
    /// The metric without the statement, all else equal.
    pub without: f64,
}

/// Rerouting in a scenario: the share that reroutes, the rule, and per
/// final-stage supplier of this row what it delivered.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rerouting {
    /// `r`, 0..=1.
    pub share: f64,
    /// `market` or `coalition_first NAME`.
    pub rule: String,
    pub suppliers: Vec<Delivery>,
}

/// What one supplier delivered to the row, as fractions of world demand.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Delivery {
    pub supplier: String,
    pub equilibrium: f64,
    /// With nobody rerouting.
    pub sticky: f64,
    /// With everyone rerouting.
    pub rerouted: f64,
    /// `(1 − r)·sticky + r·rerouted − equilibrium`: positive, more than before.
    pub change: f64,
}

/// Why a metric cannot be explained: it has no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoValue {
    pub metric: String,
    pub scenario: String,
    /// `no data`, `absent`.
    pub shown: String,
    pub reason: String,
}

impl std::fmt::Display for NoValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} in scenario `{}` has no value to explain: {} ({})",
            self.metric, self.scenario, self.shown, self.reason
        )
    }
}

/// Explains one metric of one scenario.
pub fn explain(
    checked: &Checked,
    sources: &SourceMap,
    target: &Target,
    opts: &ExplainOptions,
) -> Result<Explanation, NoValue> {
    let mref = &target.mref;
    let at = opts.at.or_else(|| checked.as_of(target.scenario));
    let state = assemble::structure(checked, target.scenario, at);
    let values = checked.plain_values();
    let ev = eval::evaluate_mineral(checked, &state, mref.mineral, &values);
    let figures = ev.exposure(checked, mref.subject);
    let scenario = checked.scenarios[target.scenario].name.clone();
    let (value, supplier) = match eval::measure(checked, mref, &figures, &ev) {
        Measured::Number(v) => (v, None),
        Measured::Actor(a) => (
            eval::clean(figures.x.top_supplier_share),
            a.map(|a| checked.world.actors[a].code.clone()),
        ),
        Measured::Absent { shown, reason } => {
            return Err(NoValue {
                metric: target.text.clone(),
                scenario,
                shown,
                reason: cover_reason(checked, &state, target, &figures, reason),
            });
        }
    };
    let ctx = Ctx::new(checked, sources, &state, &ev, target);
    let mut part = match mref.subject {
        Subject::Actor(a) => country::explain(&ctx, a, &mref.metric),
        Subject::Group(g) => group::explain(&ctx, g, &mref.metric),
    };
    paths::sort_terms(&mut part.terms);
    let kind = mref.metric.kind();
    let shocked = matches!(
        mref.metric,
        Metric::AtRisk | Metric::Shortfall | Metric::CoverDays
    );
    let (shocks, rerouting) = if shocked {
        (
            shocks::effects(&ctx, &values),
            shocks::rerouting(&ctx, &mref.metric),
        )
    } else {
        (Vec::new(), None)
    };
    Ok(Explanation {
        metric: target.text.clone(),
        scenario,
        at: at.map(|d| d.to_string()),
        value,
        supplier,
        formula: part.formula,
        combine: part.combine,
        per: part.per,
        terms: part.terms,
        lines: part.lines,
        shocks,
        rerouting,
        kind,
    })
}

/// `cover_days` absent: say which of its two parts is missing, with the
/// stockpile line when there is one.
fn cover_reason(
    checked: &Checked,
    state: &ScenarioState,
    target: &Target,
    figures: &eval::Figures<'_>,
    reason: String,
) -> String {
    if target.mref.metric != Metric::CoverDays || !figures.has_data() {
        return reason;
    }
    let members: Vec<_> = match target.mref.subject {
        Subject::Actor(a) => vec![a],
        Subject::Group(g) => checked.world.groups[g].members.clone(),
    };
    let stocked = members
        .iter()
        .any(|a| state.minerals[target.mref.mineral].stock.contains_key(a));
    let who = checked.world.subject_name(target.mref.subject);
    if stocked {
        format!(
            "{who} holds a stockpile, but has no shortfall to cover (shortfall {})",
            crate::metric::percent(figures.x.shortfall, 1)
        )
    } else {
        format!("{who} holds no stockpile of this mineral in this scenario")
    }
}

/// What one metric's explanation is made of, before shocks are added.
pub(crate) struct Part {
    pub formula: String,
    pub combine: Combine,
    pub per: String,
    pub terms: Vec<Term>,
    pub lines: Vec<Cited>,
}

/// Everything the parts of an explanation read.
pub(crate) struct Ctx<'a> {
    pub checked: &'a Checked,
    pub state: &'a ScenarioState,
    pub ev: &'a MineralEval,
    pub target: &'a Target,
    pub cite: cite::Citer<'a>,
}

impl<'a> Ctx<'a> {
    fn new(
        checked: &'a Checked,
        sources: &'a SourceMap,
        state: &'a ScenarioState,
        ev: &'a MineralEval,
        target: &'a Target,
    ) -> Self {
        Ctx {
            checked,
            state,
            ev,
            target,
            cite: cite::Citer::new(checked, sources, state, ev.mineral),
        }
    }

    /// The code of a model index.
    pub fn code(&self, i: usize) -> &'a str {
        &self.checked.world.actors[self.ev.global[i]].code
    }

    pub fn stage(&self, s: usize) -> &'a str {
        &self.checked.world.minerals[self.ev.mineral].stages[s]
    }

    /// The final stage's index.
    pub fn last(&self) -> usize {
        self.ev.outcome.equilibrium.stages.len().saturating_sub(1)
    }

    pub fn eq(&self) -> &'a crate::model::Equilibrium {
        &self.ev.outcome.equilibrium
    }

    /// The rerouting share of the scenario, as the model clamps it.
    pub fn rerouting_share(&self) -> f64 {
        let r = self.ev.market.rerouting;
        if r.is_nan() { 0.0 } else { r.clamp(0.0, 1.0) }
    }

    pub fn mineral_name(&self) -> &'a str {
        &self.checked.world.minerals[self.ev.mineral].name
    }
}

/// A fraction of world demand written with three significant digits, as
/// the formulas show figures: `0.0214`, `0.067`, `0`.
pub(crate) fn sig(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() {
            "0".into()
        } else {
            x.to_string()
        };
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (2 - magnitude).clamp(0, 12) as usize;
    let s = format!("{x:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" { "0".into() } else { s }
}

#[cfg(test)]
mod tests {
    use super::sig;

    #[test]
    fn figures_have_three_significant_digits() {
        assert_eq!(sig(0.021375), "0.0214");
        assert_eq!(sig(0.067), "0.067");
        assert_eq!(sig(0.0), "0");
        assert_eq!(sig(60.0), "60");
        assert_eq!(sig(88.08), "88.1");
        assert_eq!(sig(1.0), "1");
        assert_eq!(sig(-0.0035), "-0.0035");
    }
}
