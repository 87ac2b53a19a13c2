//! Expressions to numbers, with units checked.
//!
//! Percentages are plain numbers (`60%` is 0.6); the other dimensions are
//! mass (kept in tonnes), time (days) and money (dollars). `+ -` need equal
//! dimensions; `*` needs one side dimensionless; `/` gives a plain number
//! when both sides agree.
//!
//! Besides its plain value, a number that depends on an input (a range, or
//! a `let` variable) keeps the expression that recomputes it from the
//! inputs, so sampling and sensitivity analyses can redraw it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{BinOp, Expr, ExprKind, Unit};
use crate::diagnostic::{Code, Diag};
use crate::program::{Def, Input, InputId, InputKind, Use, ValueExpr};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dim {
    Number,
    Mass,
    Time,
    Money,
}

impl Dim {
    pub fn describe(self) -> &'static str {
        match self {
            Dim::Number => "a plain number or percentage",
            Dim::Mass => "a mass (t, kt, Mt)",
            Dim::Time => "a duration (days, months, years)",
            Dim::Money => "an amount of money ($…M/B/T)",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    pub value: f64,
    pub dim: Dim,
    /// Written as a percentage (for messages only).
    pub percent: bool,
    /// How to recompute the value from the inputs, when it depends on any.
    pub sym: Option<Arc<ValueExpr>>,
}

impl Value {
    pub fn number(value: f64) -> Self {
        Value {
            value,
            dim: Dim::Number,
            percent: false,
            sym: None,
        }
    }

    fn sym_or_const(&self) -> ValueExpr {
        match &self.sym {
            Some(e) => (**e).clone(),
            None => ValueExpr::Const(self.value),
        }
    }
}

/// Where evaluation records what it meets: ranges become inputs, variables
/// are uses of their `let`.
pub struct Sink<'a> {
    pub inputs: &'a mut Vec<Input>,
    pub uses: &'a mut Vec<Use>,
}

/// `None` evaluates plainly (a REPL query, a tolerance).
pub type Inputs<'a> = Option<Sink<'a>>;

/// Registers an input and returns the expression that stands for it.
pub fn new_input(
    inputs: &mut Vec<Input>,
    kind: InputKind,
    span: Span,
    name: Option<String>,
) -> Arc<ValueExpr> {
    let id = InputId::new(inputs.len());
    inputs.push(Input { kind, span, name });
    Arc::new(ValueExpr::Input(id))
}

/// Variables visible in one scope, with where each was defined.
pub type Vars = HashMap<String, (Value, Span)>;

fn literal(value: f64, unit: Unit) -> Value {
    let (v, dim, percent) = match unit {
        Unit::None => (value, Dim::Number, false),
        Unit::Percent => (value / 100.0, Dim::Number, true),
        Unit::Tonnes => (value, Dim::Mass, false),
        Unit::Kilotonnes => (value * 1e3, Dim::Mass, false),
        Unit::Megatonnes => (value * 1e6, Dim::Mass, false),
        Unit::Days => (value, Dim::Time, false),
        Unit::Months => (value * 30.0, Dim::Time, false),
        Unit::Years => (value * 365.0, Dim::Time, false),
        Unit::Dollars => (value, Dim::Money, false),
        Unit::Millions => (value * 1e6, Dim::Money, false),
        Unit::Billions => (value * 1e9, Dim::Money, false),
        Unit::Trillions => (value * 1e12, Dim::Money, false),
    };
    Value {
        value: v,
        dim,
        percent,
        sym: None,
    }
}

/// Evaluates an expression plainly (ranges at their midpoint or mode).
pub fn eval(expr: &Expr, vars: &Vars) -> Result<Value, Diag> {
    eval_with(expr, vars, &mut None)
}

/// Evaluates an expression; each range met becomes an input in `inputs`.
pub fn eval_with(expr: &Expr, vars: &Vars, inputs: &mut Inputs<'_>) -> Result<Value, Diag> {
    let v = match &expr.kind {
        ExprKind::Literal { value, unit } => literal(*value, *unit),
        ExprKind::Var(name) => match vars.get(&name.text) {
            Some((v, def)) => {
                if let Some(sink) = inputs.as_mut() {
                    sink.uses.push(Use {
                        span: name.span,
                        def: Def::Variable(*def),
                    });
                }
                v.clone()
            }
            None => {
                let mut d = Diag::new(
                    Code::UnknownVariable,
                    format!("unknown variable `{}`", name.text),
                )
                .with_label(name.span, "not defined by any `let` in scope");
                if let Some(s) =
                    crate::diagnostic::suggest(&name.text, vars.keys().map(|k| k.as_str()))
                {
                    d = d.help(format!("did you mean `{s}`?"));
                } else {
                    d = d.help(format!("define it first: `let {} = …`", name.text));
                }
                return Err(d);
            }
        },
        ExprKind::Neg(inner) => {
            let v = eval_with(inner, vars, inputs)?;
            Value {
                value: -v.value,
                sym: v
                    .sym
                    .map(|e| Arc::new(ValueExpr::Neg(Box::new((*e).clone())))),
                ..v
            }
        }
        ExprKind::Binary(op, lhs, rhs) => {
            let a = eval_with(lhs, vars, inputs)?;
            let b = eval_with(rhs, vars, inputs)?;
            binary(*op, a, b, lhs.span, rhs.span, expr.span)?
        }
        ExprKind::Uncertain { low, mode, high } => {
            let lo = eval(low, vars)?;
            let hi = eval(high, vars)?;
            if lo.dim != hi.dim {
                return Err(mismatch(&lo, &hi, low.span, high.span));
            }
            if lo.value > hi.value {
                return Err(Diag::new(
                    Code::OutOfRange,
                    "the low end of a range is above the high end",
                )
                .with_label(expr.span, "low..high must have low ≤ high"));
            }
            let mut v = match mode {
                Some(m) => {
                    let mv = eval(m, vars)?;
                    if mv.dim != lo.dim {
                        return Err(mismatch(&mv, &lo, m.span, low.span));
                    }
                    if mv.value < lo.value || mv.value > hi.value {
                        return Err(Diag::new(
                            Code::OutOfRange,
                            "the most likely value lies outside its range",
                        )
                        .with_label(m.span, "not between the low and high ends"));
                    }
                    mv
                }
                // Deterministic evaluation uses the midpoint of a plain interval.
                None => Value {
                    value: (lo.value + hi.value) / 2.0,
                    ..lo.clone()
                },
            };
            if let Some(sink) = inputs.as_mut() {
                let kind = InputKind::Range {
                    low: lo.value,
                    mode: mode.as_ref().map(|_| v.value),
                    high: hi.value,
                };
                v.sym = Some(new_input(sink.inputs, kind, expr.span, None));
            }
            v
        }
    };
    if !v.value.is_finite() {
        return Err(
            Diag::new(Code::BadNumber, "this value is not a finite number")
                .with_label(expr.span, "overflows")
                .help("use figures of a sensible size"),
        );
    }
    Ok(v)
}

fn mismatch(a: &Value, b: &Value, sa: Span, sb: Span) -> Diag {
    Diag::new(Code::UnitMismatch, "units do not agree")
        .with_label(sa, format!("this is {}", a.dim.describe()))
        .with_label(sb, format!("this is {}", b.dim.describe()))
}

fn binary(op: BinOp, a: Value, b: Value, sa: Span, sb: Span, whole: Span) -> Result<Value, Diag> {
    let sym = (a.sym.is_some() || b.sym.is_some()).then(|| {
        let (x, y) = (Box::new(a.sym_or_const()), Box::new(b.sym_or_const()));
        Arc::new(match op {
            BinOp::Add => ValueExpr::Add(x, y),
            BinOp::Sub => ValueExpr::Sub(x, y),
            BinOp::Mul => ValueExpr::Mul(x, y),
            BinOp::Div => ValueExpr::Div(x, y),
        })
    });
    let mut v = binary_plain(op, a, b, sa, sb, whole)?;
    v.sym = sym;
    Ok(v)
}

fn binary_plain(
    op: BinOp,
    a: Value,
    b: Value,
    sa: Span,
    sb: Span,
    whole: Span,
) -> Result<Value, Diag> {
    match op {
        BinOp::Add | BinOp::Sub => {
            if a.dim != b.dim {
                return Err(mismatch(&a, &b, sa, sb));
            }
            let value = if op == BinOp::Add {
                a.value + b.value
            } else {
                a.value - b.value
            };
            Ok(Value {
                value,
                dim: a.dim,
                percent: a.percent && b.percent,
                sym: None,
            })
        }
        BinOp::Mul => {
            let dim = match (a.dim, b.dim) {
                (Dim::Number, d) | (d, Dim::Number) => d,
                _ => {
                    return Err(mismatch(&a, &b, sa, sb)
                        .help("one side of `*` must be a plain number or percentage"));
                }
            };
            Ok(Value {
                value: a.value * b.value,
                dim,
                percent: a.percent || b.percent,
                sym: None,
            })
        }
        BinOp::Div => {
            if b.value == 0.0 {
                let _ = whole;
                return Err(Diag::new(Code::DivisionByZero, "division by zero")
                    .with_label(sb, "this is zero"));
            }
            let dim = match (a.dim, b.dim) {
                (d, Dim::Number) => d,
                (x, y) if x == y => Dim::Number,
                _ => {
                    return Err(mismatch(&a, &b, sa, sb)
                        .help("divide by a plain number, or by a value of the same unit"));
                }
            };
            Ok(Value {
                value: a.value / b.value,
                dim,
                percent: a.percent && b.dim == Dim::Number,
                sym: None,
            })
        }
    }
}

/// What a statement needs from a value.
#[derive(Debug, Clone, Copy)]
pub enum Want {
    /// A fraction in 0..=100%: shares, `by`, `rerouting`, `covers`.
    Fraction(&'static str),
    Mass,
    Money,
}

/// Evaluates and checks an expression against what its statement needs;
/// ranges become inputs in `inputs`.
pub fn eval_as(
    expr: &Expr,
    vars: &Vars,
    want: Want,
    inputs: &mut Inputs<'_>,
) -> Result<Value, Diag> {
    let v = eval_with(expr, vars, inputs)?;
    let v = as_wanted(v, expr.span, want)?;
    if let Some(sink) = inputs.as_ref() {
        range_fits(&v, expr.span, want, sink.inputs)?;
    }
    Ok(v)
}

/// A sample may draw any value of a range: a value that reads ranges must
/// fit what its statement allows at both ends of what it can draw.
pub fn range_fits(v: &Value, span: Span, want: Want, inputs: &[Input]) -> Result<(), Diag> {
    if let Some(sym) = &v.sym
        && let Some((low, high)) = crate::sample::bounds(sym, inputs)
    {
        let refused = match want {
            Want::Fraction(what) => (low < -1e-12 || high > 1.0 + 1e-12)
                .then(|| format!("{what} must lie between 0% and 100% over its whole range")),
            Want::Mass | Want::Money => (low < 0.0)
                .then(|| "this value cannot be negative over its whole range".to_string()),
        };
        if let Some(message) = refused {
            return Err(Diag::new(Code::OutOfRange, message)
                .with_label(
                    span,
                    format!(
                        "a sample can draw from {} to {}",
                        shown(low, v.percent),
                        shown(high, v.percent)
                    ),
                )
                .help("narrow the range so that both ends are allowed"));
        }
    }
    Ok(())
}

/// A bound for a message: a percentage where the value was written as one.
fn shown(x: f64, percent: bool) -> String {
    if percent {
        let s = format!("{:.4}", x * 100.0);
        format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
    } else {
        let s = format!("{x:.4}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// Checks an evaluated value against what its statement needs.
pub fn as_wanted(mut v: Value, span: Span, want: Want) -> Result<Value, Diag> {
    let expr_span = span;
    match want {
        Want::Fraction(what) => {
            if v.dim != Dim::Number {
                return Err(
                    Diag::new(Code::WrongUnit, format!("{what} takes a percentage"))
                        .with_label(expr_span, format!("this is {}", v.dim.describe()))
                        .help("write a percentage such as `40%`"),
                );
            }
            if !(0.0..=1.0 + 1e-12).contains(&v.value) {
                let shown = format!("{:.4}", v.value * 100.0);
                let shown = shown.trim_end_matches('0').trim_end_matches('.');
                let mut d = Diag::new(
                    Code::OutOfRange,
                    format!("{what} must lie between 0% and 100%"),
                )
                .with_label(expr_span, format!("this is {shown}%"));
                if !v.percent && v.value > 1.0 && v.value <= 100.0 {
                    d = d.help(format!("did you mean `{}%`?", v.value));
                }
                return Err(d);
            }
            v.value = v.value.clamp(0.0, 1.0);
            Ok(v)
        }
        Want::Mass | Want::Money => {
            let (dim, hint) = match want {
                Want::Mass => (Dim::Mass, "write a mass such as `390 kt`"),
                _ => (Dim::Money, "write an amount such as `$4.03T`"),
            };
            if v.dim != dim {
                return Err(
                    Diag::new(Code::WrongUnit, format!("expected {}", dim.describe()))
                        .with_label(expr_span, format!("this is {}", v.dim.describe()))
                        .help(hint),
                );
            }
            if v.value < 0.0 {
                return Err(Diag::new(Code::OutOfRange, "this value cannot be negative")
                    .with_label(expr_span, "negative"));
            }
            Ok(v)
        }
    }
}
