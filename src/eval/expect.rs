//! Expectations (SPEC §2.6): a metric of one scenario against a value, an
//! actor, or another metric. Each side is measured in its own (scenario,
//! mineral) evaluation; the two are judged together once both are known.

use super::MineralEval;
use super::exposure::Figures;
use crate::ast::CmpOp;
use crate::program::{ActorId, Checked, Expectation, Expected, Metric, MetricRef, Subject};
use crate::results::ExpectationResult;
use crate::source::SourceMap;

/// Default tolerance of `==` without `+-`.
const EXACT: f64 = 1e-9;

/// One side of an expectation, measured.
#[derive(Debug, Clone, PartialEq)]
pub enum Measured {
    Number(f64),
    /// `top_supplier`: the code, or none when nothing is supplied.
    Actor(Option<ActorId>),
    /// No value: why (no demand data, no stockpile).
    Absent {
        shown: String,
        reason: String,
    },
}

/// A metric's value for a row's figures. A metric measured against demand
/// has no value for a row without a demand figure.
pub fn measure(checked: &Checked, mref: &MetricRef, f: &Figures<'_>, ev: &MineralEval) -> Measured {
    let x = &*f.x;
    let needs_demand = !matches!(mref.metric, Metric::Demand | Metric::Output(_));
    if needs_demand && !f.has_data() {
        return Measured::Absent {
            shown: "no data".into(),
            reason: no_data_reason(checked, mref, f),
        };
    }
    let v = match &mref.metric {
        Metric::Demand => x.demand,
        Metric::Output(s) => x.output.get(*s).copied().unwrap_or(0.0),
        Metric::ImportReliance => x.import_reliance,
        Metric::TopSupplier => return Measured::Actor(x.top_supplier.map(|i| ev.global[i])),
        Metric::TopSupplierShare => x.top_supplier_share,
        Metric::Hhi => x.hhi,
        Metric::Dependency(a) => ev
            .local
            .get(a)
            .and_then(|&i| x.dependency.iter().find(|(j, _)| *j == i))
            .map_or(0.0, |(_, v)| *v),
        Metric::AtRisk => x.at_risk,
        Metric::Shortfall => x.shortfall,
        Metric::CoverDays => match x.cover_days {
            Some(d) => d,
            None => {
                return Measured::Absent {
                    shown: "absent".into(),
                    reason: "no stockpile, or no shortfall".into(),
                };
            }
        },
    };
    Measured::Number(match mref.metric {
        Metric::Hhi | Metric::CoverDays => super::clean_count(v),
        _ => super::clean(v),
    })
}

/// "no demand data for EU lithium: none of its 27 members has a figure".
fn no_data_reason(checked: &Checked, mref: &MetricRef, f: &Figures<'_>) -> String {
    let world = &checked.world;
    let name = world.subject_name(mref.subject);
    let mineral = &world.minerals[mref.mineral].name;
    match (mref.subject, f.data_members) {
        (Subject::Group(_), Some([_, n])) => format!(
            "no demand data for {name} {mineral}: none of its {n} member{} has a figure",
            if n == 1 { "" } else { "s" }
        ),
        _ => format!("no demand data for {name} {mineral}"),
    }
}

/// Judges an expectation on its measured sides (`rhs` only for a
/// comparison with another metric).
pub fn judge(
    checked: &Checked,
    e: &Expectation,
    lhs: &Measured,
    rhs: Option<&Measured>,
    sources: &SourceMap,
) -> ExpectationResult {
    let location = format!(
        "{}:{}",
        sources
            .get(e.span.source)
            .map(|f| f.name.as_str())
            .unwrap_or("?"),
        sources.line(e.span)
    );
    let code = |a: Option<ActorId>| {
        a.map(|a| checked.world.actors[a].code.clone())
            .unwrap_or_else(|| "none".into())
    };
    let absent = |shown: &str, reason: &str| {
        (
            false,
            None,
            Some(shown.to_string()),
            Some(reason.to_string()),
            0.0,
        )
    };
    let (passed, actual, actual_text, reason, margin) = match (lhs, &e.expected) {
        (Measured::Absent { shown, reason }, _) => absent(shown, reason),
        (Measured::Actor(got), Expected::Actor(want)) => {
            let eq = *got == Some(*want);
            let passed = if e.op == CmpOp::Ne { !eq } else { eq };
            (passed, None, Some(code(*got)), None, 0.0)
        }
        (Measured::Number(v), Expected::Value(want)) => {
            let (passed, margin) = compare(*v, e.op, *want, e.tolerance);
            (passed, Some(*v), None, None, margin)
        }
        (Measured::Number(v), Expected::Metric { .. }) => match rhs {
            Some(Measured::Number(w)) => {
                let (passed, margin) = compare(*v, e.op, *w, e.tolerance);
                (passed, Some(*v), None, None, margin)
            }
            Some(Measured::Absent { reason, .. }) => (
                false,
                Some(*v),
                None,
                Some(format!("the other side has no value: {reason}")),
                0.0,
            ),
            _ => (
                false,
                Some(*v),
                None,
                Some("the other side has no value".into()),
                0.0,
            ),
        },
        (Measured::Actor(got), Expected::Metric { .. }) => match rhs {
            Some(Measured::Actor(other)) => {
                let eq = got == other;
                let passed = if e.op == CmpOp::Ne { !eq } else { eq };
                (passed, None, Some(code(*got)), None, 0.0)
            }
            _ => (
                false,
                None,
                Some(code(*got)),
                Some("the other side has no value".into()),
                0.0,
            ),
        },
        // The checker pairs actors with `top_supplier` and numbers with the
        // other metrics; anything else cannot pass.
        (Measured::Actor(got), Expected::Value(_)) => (false, None, Some(code(*got)), None, 0.0),
        (Measured::Number(v), Expected::Actor(_)) => (false, Some(*v), None, None, 0.0),
    };
    ExpectationResult {
        scenario: checked.scenarios[e.scenario].name.clone(),
        text: e.text.clone(),
        metric: e.metric.metric.kind(),
        passed,
        actual,
        actual_text,
        reason,
        margin: if margin.is_finite() { margin } else { 0.0 },
        location,
        at: None,
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
