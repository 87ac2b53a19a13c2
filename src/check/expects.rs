//! Metric references and expectations (SPEC §2.6).

use super::Checker;
use super::values::{Dim, Vars, eval};
use crate::ast::{self, CmpOp, ExpectRhs};
use crate::diagnostic::{Code, Diag, suggest};
use crate::metric::MetricKind;
use std::collections::HashMap;

use crate::program::{Def, Expectation, Expected, Measure, Metric, MetricRef, ScenarioId};
use crate::source::Span;

impl Checker<'_> {
    /// Resolves `ACTOR.MINERAL.METRIC[.KEY]`.
    pub(crate) fn metric_ref(&mut self, p: &ast::MetricPath) -> Option<MetricRef> {
        let subject = self.subject(&p.actor.text, p.actor.span);
        let example = |m: &str| {
            let actor = &p.actor.text;
            let metric = match &p.key {
                Some(k) => format!("{}.{}", p.metric.text, k.text),
                None => p.metric.text.clone(),
            };
            let mut help = format!("metrics are per mineral: `{actor}.{m}.{metric}`");
            if p.metric.text != "output" {
                let stage = &p.mineral.text;
                help.push_str(&format!(
                    "; the output at this stage is `{actor}.{m}.output.{stage}`"
                ));
            }
            Some(help)
        };
        let mineral = self.mineral_in(&p.mineral.text, p.mineral.span, &example);
        let mineral = mineral?;
        let name = p.metric.text.as_str();
        let Some(kind) = MetricKind::from_name(name) else {
            let mut d = Diag::new(Code::UnknownMetric, format!("unknown metric `{name}`"))
                .with_label(p.metric.span, "not a metric");
            d = match suggest(name, MetricKind::names()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!(
                    "the metrics are: {}",
                    MetricKind::names().collect::<Vec<_>>().join(", ")
                )),
            };
            self.error(d);
            return None;
        };
        let metric = match (&p.key, kind.takes_key()) {
            (None, true) => {
                let example = if name == "output" {
                    format!("{}.{}", name, self.world.minerals[mineral].stages[0])
                } else {
                    format!("{name}.CN")
                };
                self.error(
                    Diag::new(Code::UnknownMetric, format!("`{name}` needs a key"))
                        .with_label(
                            p.metric.span,
                            if name == "output" {
                                "which stage?"
                            } else {
                                "on which supplier?"
                            },
                        )
                        .help(format!(
                            "write `{}.{}.{example}`",
                            p.actor.text, p.mineral.text
                        )),
                );
                return None;
            }
            (Some(k), false) => {
                self.error(
                    Diag::new(Code::UnknownMetric, format!("`{name}` takes no key"))
                        .with_label(k.span, "remove this"),
                );
                return None;
            }
            (Some(k), true) if kind == MetricKind::Output => {
                Metric::Output(self.stage(mineral, &k.text, k.span)?)
            }
            (Some(k), _) => {
                Metric::Dependency(self.single_actor(&k.text, k.span, "dependency keys")?)
            }
            (None, false) => match kind {
                MetricKind::Demand => Metric::Demand,
                MetricKind::ImportReliance => Metric::ImportReliance,
                MetricKind::TopSupplier => Metric::TopSupplier,
                MetricKind::TopSupplierShare => Metric::TopSupplierShare,
                MetricKind::Hhi => Metric::Hhi,
                MetricKind::AtRisk => Metric::AtRisk,
                MetricKind::Shortfall => Metric::Shortfall,
                MetricKind::CoverDays => Metric::CoverDays,
                MetricKind::Output | MetricKind::Dependency => {
                    unreachable!("internal error: {name} takes a key")
                }
            },
        };
        Some(MetricRef {
            subject: subject?,
            mineral,
            metric,
        })
    }

    pub(super) fn expectation(
        &mut self,
        e: &ast::Expect,
        vars: &Vars,
        span: Span,
        ids: &HashMap<String, ScenarioId>,
    ) -> Option<Expectation> {
        let metric = self.metric_ref(&e.path);
        let tolerance = match &e.tolerance {
            Some(t) if e.op != CmpOp::Eq => {
                self.error(
                    Diag::new(
                        Code::ToleranceOp,
                        format!("a tolerance only goes with `==`, not `{}`", e.op.symbol()),
                    )
                    .with_label(t.span, "tolerance")
                    .with_label(e.op_span, "not `==`")
                    .help("write `== VALUE +- TOLERANCE`, or drop the tolerance"),
                );
                return None;
            }
            Some(t) => match eval(t, vars) {
                Ok(v) if v.value >= 0.0 => Some(v.value),
                Ok(_) => {
                    self.error(
                        Diag::new(Code::OutOfRange, "a tolerance cannot be negative")
                            .with_label(t.span, "negative"),
                    );
                    return None;
                }
                Err(d) => {
                    self.error(d);
                    return None;
                }
            },
            None => None,
        };
        let metric = metric?;
        let (measure, expected) = match &e.measure {
            ast::Measure::Value => (
                Measure::Value,
                self.expected_of(&e.rhs, e.op, e.op_span, &metric, &e.path, vars, ids)?,
            ),
            ast::Measure::Stat(kind, span) => {
                if metric.metric == Metric::TopSupplier {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            format!("`{}` is taken of a number, not of an actor", kind.name()),
                        )
                        .with_label(*span, "a statistic")
                        .help(
                            "ask how often an actor is the top supplier: `chance(… == CN) >= 90%`",
                        ),
                    );
                    return None;
                }
                let expected =
                    self.expected_of(&e.rhs, e.op, e.op_span, &metric, &e.path, vars, ids)?;
                if matches!(expected, Expected::Metric { .. }) {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            format!("`{}(…)` is compared with a value", kind.name()),
                        )
                        .with_label(e.op_span, "compared with another metric")
                        .help("write a value: `p95(JP.rare_earths.shortfall) < 80%`"),
                    );
                    return None;
                }
                (Measure::Stat(*kind), expected)
            }
            ast::Measure::Chance {
                op, op_span, rhs, ..
            } => {
                let inner = self.expected_of(rhs, *op, *op_span, &metric, &e.path, vars, ids)?;
                if matches!(inner, Expected::Metric { .. }) {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            "`chance(…)` compares a metric with a value",
                        )
                        .with_label(*op_span, "compared with another metric")
                        .help("write a value: `chance(JP.rare_earths.shortfall > 50%) >= 90%`"),
                    );
                    return None;
                }
                (
                    Measure::Chance {
                        op: *op,
                        expected: inner,
                    },
                    Expected::Value(self.probability(&e.rhs, vars)?),
                )
            }
        };
        Some(Expectation {
            scenario: ScenarioId::BASE,
            metric,
            measure,
            op: e.op,
            expected,
            tolerance,
            text: e.text.clone(),
            span,
            at: None,
        })
    }

    /// The share of samples a `chance(…)` is compared with: 0..100%.
    fn probability(&mut self, rhs: &ExpectRhs, vars: &Vars) -> Option<f64> {
        let ExpectRhs::Value(v) = rhs else {
            let span = match rhs {
                ExpectRhs::Code(c) => c.span,
                ExpectRhs::Metric { path, .. } => path.span,
                ExpectRhs::Value(v) => v.span,
            };
            self.error(
                Diag::new(
                    Code::WrongUnit,
                    "`chance(…)` is compared with a share of samples",
                )
                .with_label(span, "not a percentage")
                .help("write a percentage: `chance(JP.rare_earths.shortfall > 50%) >= 90%`"),
            );
            return None;
        };
        match super::values::eval_as(
            v,
            vars,
            super::values::Want::Fraction("`chance(…)`"),
            &mut None,
        ) {
            Ok(x) => Some(x.value),
            Err(d) => {
                self.error(d);
                None
            }
        }
    }

    /// What the metric is compared with: a value in its unit, an actor for
    /// `top_supplier`, or another metric.
    #[allow(clippy::too_many_arguments)]
    fn expected_of(
        &mut self,
        rhs: &ExpectRhs,
        op: CmpOp,
        op_span: Span,
        metric: &MetricRef,
        path: &ast::MetricPath,
        vars: &Vars,
        ids: &HashMap<String, ScenarioId>,
    ) -> Option<Expected> {
        let expected = match (rhs, &metric.metric) {
            (ExpectRhs::Metric { scenario, path }, m) => {
                let other_scenario = match scenario {
                    Some(n) => match ids.get(&n.text) {
                        Some(&id) => {
                            self.used(n.span, Def::Scenario(id));
                            id
                        }
                        None => {
                            let d = super::scenarios::unknown_scenario(
                                &n.text,
                                n.span,
                                &ids.keys().map(String::as_str).collect::<Vec<_>>(),
                            );
                            self.error(d);
                            return None;
                        }
                    },
                    // Set to the expectation's own scenario by the caller.
                    None => ScenarioId::BASE,
                };
                let other = self.metric_ref(path)?;
                let (a, b) = (m.kind().unit(), other.metric.kind().unit());
                if a != b {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            format!(
                                "`{}` and `{}` are not measured in the same unit",
                                m.kind(),
                                other.metric.kind()
                            ),
                        )
                        .with_label(path.metric.span, format!("{}", m.kind()))
                        .with_label(path.metric.span, format!("{}", other.metric.kind()))
                        .help("compare fractions with fractions, the HHI with the HHI, days with days"),
                    );
                    return None;
                }
                if matches!(m, Metric::TopSupplier) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            "`top_supplier` is compared with `==` or `!=`",
                        )
                        .with_label(op_span, "not an equality"),
                    );
                    return None;
                }
                Expected::Metric {
                    scenario: other_scenario,
                    metric: other,
                }
            }
            (ExpectRhs::Code(c), Metric::TopSupplier) => {
                Expected::Actor(self.single_actor(&c.text, c.span, "`top_supplier`")?)
            }
            (ExpectRhs::Code(c), _) => {
                self.error(
                    Diag::new(
                        Code::WrongUnit,
                        "only `top_supplier` is compared with an actor",
                    )
                    .with_label(c.span, "an actor")
                    .help("compare this metric with a number or percentage"),
                );
                return None;
            }
            // An alias reads as a bare name: `top_supplier == china`.
            (
                ExpectRhs::Value(ast::Expr {
                    kind: ast::ExprKind::Var(n),
                    ..
                }),
                Metric::TopSupplier,
            ) => Expected::Actor(self.single_actor(&n.text, n.span, "`top_supplier`")?),
            (ExpectRhs::Value(v), Metric::TopSupplier) => {
                self.error(
                    Diag::new(Code::WrongUnit, "`top_supplier` is compared with an actor")
                        .with_label(v.span, "a value, not an actor")
                        .help("write an actor code or alias: `top_supplier == CN`"),
                );
                return None;
            }
            // `shortfall == china`: an actor where a number belongs.
            (
                ExpectRhs::Value(ast::Expr {
                    kind: ast::ExprKind::Var(n),
                    ..
                }),
                _,
            ) if !vars.contains_key(&n.text) && self.names.actors.contains_key(&n.text) => {
                self.error(
                    Diag::new(
                        Code::WrongUnit,
                        "only `top_supplier` is compared with an actor",
                    )
                    .with_label(n.span, "an actor")
                    .help("compare this metric with a number or percentage"),
                );
                return None;
            }
            (ExpectRhs::Value(v), m) => {
                let val = match eval(v, vars) {
                    Ok(x) => x,
                    Err(d) => {
                        self.error(d);
                        return None;
                    }
                };
                let ok_dim = match m {
                    Metric::CoverDays => matches!(val.dim, Dim::Time | Dim::Number),
                    _ => val.dim == Dim::Number,
                };
                if !ok_dim {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            format!(
                                "`{}` is not compared with {}",
                                path.metric.text,
                                val.dim.describe()
                            ),
                        )
                        .with_label(v.span, "wrong kind of value"),
                    );
                    return None;
                }
                let fraction_metric = !matches!(m, Metric::Hhi | Metric::CoverDays);
                if fraction_metric && !val.percent && val.value > 1.0 {
                    self.error(
                        Diag::new(
                            Code::OutOfRange,
                            format!("`{}` is a fraction between 0 and 1", path.metric.text),
                        )
                        .with_label(v.span, "above 1")
                        .help(format!("did you mean `{}%`?", val.value)),
                    );
                    return None;
                }
                Expected::Value(val.value)
            }
        };
        if matches!(expected, Expected::Actor(_)) && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            self.error(
                Diag::new(
                    Code::WrongUnit,
                    "`top_supplier` is compared with `==` or `!=`",
                )
                .with_label(op_span, "not an equality"),
            );
            return None;
        }
        Some(expected)
    }
}
