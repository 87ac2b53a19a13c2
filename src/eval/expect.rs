//! Expectations (SPEC §2.6): a metric of one scenario against a value.

use super::MineralEval;
use crate::ast::CmpOp;
use crate::model::Exposure;
use crate::program::{Checked, Expectation, Expected, Metric};
use crate::results::ExpectationResult;
use crate::source::SourceMap;

/// Default tolerance of `==` without `+-`.
const EXACT: f64 = 1e-9;

pub struct ExpectOutcome {
    pub result: ExpectationResult,
}

/// A metric's value for an exposure, as a number (`None` for top_supplier).
pub fn metric_value(x: &Exposure, metric: &Metric, ev: &MineralEval) -> Option<f64> {
    Some(match metric {
        Metric::Demand => x.demand,
        Metric::Output(s) => x.output.get(*s).copied().unwrap_or(0.0),
        Metric::ImportReliance => x.import_reliance,
        Metric::TopSupplier => return None,
        Metric::TopSupplierShare => x.top_supplier_share,
        Metric::Hhi => x.hhi,
        Metric::Dependency(a) => match ev.local.get(a) {
            Some(&i) => x
                .dependency
                .iter()
                .find(|(j, _)| *j == i)
                .map(|(_, v)| *v)
                .unwrap_or(0.0),
            None => 0.0,
        },
        Metric::AtRisk => x.at_risk,
        Metric::Shortfall => x.shortfall,
        Metric::CoverDays => return x.cover_days,
    })
}

pub fn check_expectation(
    checked: &Checked,
    e: &Expectation,
    x: &Exposure,
    ev: &MineralEval,
    sources: &SourceMap,
) -> ExpectOutcome {
    let scenario = checked.scenarios[e.scenario].name.clone();
    let location = format!(
        "{}:{}",
        sources
            .get(e.span.source)
            .map(|f| f.name.as_str())
            .unwrap_or("?"),
        sources.line(e.span)
    );
    let (passed, actual, actual_text, margin) = match (&e.expected, &e.metric.metric) {
        (Expected::Actor(want), Metric::TopSupplier) => {
            let got = x.top_supplier.map(|i| ev.global[i]);
            let eq = got == Some(*want);
            let passed = if e.op == CmpOp::Ne { !eq } else { eq };
            let text = got
                .map(|a| checked.world.actors[a].code.clone())
                .unwrap_or_else(|| "none".into());
            (passed, None, Some(text), 0.0)
        }
        (Expected::Value(want), metric) => match metric_value(x, metric, ev) {
            Some(v) => {
                let (passed, margin) = compare(v, e.op, *want, e.tolerance);
                (passed, Some(v), None, margin)
            }
            // cover_days is absent without a stockpile or a shortfall.
            None => (false, None, Some("absent".into()), f64::NAN),
        },
        (Expected::Actor(_), _) => (false, None, None, f64::NAN),
    };
    ExpectOutcome {
        result: ExpectationResult {
            scenario,
            text: e.text.clone(),
            passed,
            actual,
            actual_text,
            margin: if margin.is_finite() { margin } else { 0.0 },
            location,
        },
    }
}

/// Whether `actual OP expected` holds, and by how much it misses if not.
pub fn compare(actual: f64, op: CmpOp, expected: f64, tolerance: Option<f64>) -> (bool, f64) {
    match op {
        CmpOp::Lt => (actual < expected, (actual - expected).max(0.0)),
        CmpOp::Le => (actual <= expected, (actual - expected).max(0.0)),
        CmpOp::Gt => (actual > expected, (expected - actual).max(0.0)),
        CmpOp::Ge => (actual >= expected, (expected - actual).max(0.0)),
        CmpOp::Eq => {
            let tol = tolerance.unwrap_or(EXACT);
            let off = (actual - expected).abs();
            (off <= tol + 1e-12, (off - tol).max(0.0))
        }
        CmpOp::Ne => {
            let tol = tolerance.unwrap_or(EXACT);
            ((actual - expected).abs() > tol, 0.0)
        }
    }
}
