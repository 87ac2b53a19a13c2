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
    let v = raw_value(x, metric, ev)?;
    Some(match metric {
        Metric::Hhi | Metric::CoverDays => super::clean_count(v),
        _ => super::clean(v),
    })
}

fn raw_value(x: &Exposure, metric: &Metric, ev: &MineralEval) -> Option<f64> {
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
            metric: e.metric.metric.kind(),
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
        // Non-strict comparisons forgive floating-point noise as `==` does:
        // an HHI of 4999.999999999999 meets `>= 5000`.
        CmpOp::Le => (
            actual <= expected + slack(expected),
            (actual - expected).max(0.0),
        ),
        CmpOp::Gt => (actual > expected, (expected - actual).max(0.0)),
        CmpOp::Ge => (
            actual >= expected - slack(expected),
            (expected - actual).max(0.0),
        ),
        CmpOp::Eq => {
            let tol = tolerance.unwrap_or_else(|| slack(expected));
            let off = (actual - expected).abs();
            (off <= tol + 1e-12, (off - tol).max(0.0))
        }
        CmpOp::Ne => {
            let tol = tolerance.unwrap_or_else(|| slack(expected));
            ((actual - expected).abs() > tol, 0.0)
        }
    }
}

/// 1e-9, relative for values above 1 (HHI, days).
fn slack(expected: f64) -> f64 {
    EXACT * expected.abs().max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comparisons_and_margins() {
        assert_eq!(
            compare(0.5, CmpOp::Lt, 0.4, None),
            (false, 0.09999999999999998)
        );
        assert!(compare(0.3, CmpOp::Lt, 0.4, None).0);
        assert!(compare(4999.999999999999, CmpOp::Ge, 5000.0, None).0);
        assert!(!compare(4999.9, CmpOp::Ge, 5000.0, None).0);
        assert!(!compare(5000.0, CmpOp::Gt, 5000.0, None).0);
        // == 60% +- 5%: 0.56 passes, 0.54 misses by one point.
        assert!(compare(0.56, CmpOp::Eq, 0.6, Some(0.05)).0);
        let (ok, margin) = compare(0.54, CmpOp::Eq, 0.6, Some(0.05));
        assert!(!ok && (margin - 0.01).abs() < 1e-12);
        assert!(compare(0.1 + 0.2, CmpOp::Eq, 0.3, None).0);
        assert!(compare(0.31, CmpOp::Ne, 0.3, None).0);
    }
}
