//! Seeded Monte Carlo over a program's uncertain values (SPEC §9).
//!
//! Sample `i` draws every range of the program once, from a ChaCha8 stream
//! seeded with the seed and numbered `i`: the draws depend on `(seed, i)`
//! alone, so results are the same byte for byte whatever the number of
//! threads. A `let` bound to a range is one input, drawn once per sample
//! and shared by all its uses; a plain `let` keeps its value.

use rand::SeedableRng;
use rand::rngs::ChaCha8Rng;
use rand_distr::{Distribution, Triangular, Uniform};
use serde::Serialize;

use crate::diagnostic::{Code, Diag};
use crate::program::{Checked, Input, InputKind, ValueExpr, Values};
use crate::source::Span;

/// The most samples one run may draw.
pub const MAX_SAMPLES: usize = 1_000_000;

/// How many samples, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    pub samples: usize,
    pub seed: u64,
}

/// A sample count from 1 to [`MAX_SAMPLES`]; `value` as written.
pub fn check_count(value: f64, span: Span) -> Result<usize, Diag> {
    if value >= 1.0 && value <= MAX_SAMPLES as f64 && value.fract() == 0.0 {
        return Ok(value as usize);
    }
    Err(Diag::at(
        Code::OutOfRange,
        span,
        format!("a run draws from 1 to {MAX_SAMPLES} samples"),
    )
    .help("write `samples 10000`"))
}

/// A seed: a whole number from 0 to 2^64 − 1.
pub fn check_seed(value: f64, span: Span) -> Result<u64, Diag> {
    if (0.0..18_446_744_073_709_551_616.0).contains(&value) && value.fract() == 0.0 {
        return Ok(value as u64);
    }
    Err(
        Diag::at(Code::OutOfRange, span, "a seed is a whole number from 0 up")
            .help("write `seed 42`"),
    )
}

/// The options a command line gives (`--samples`, `--seed`), checked the
/// same way; `None` where absent. Errors are coded diagnostics without a
/// place in a file.
pub fn from_options(
    samples: Option<&str>,
    seed: Option<&str>,
) -> Result<(Option<usize>, Option<u64>), Diag> {
    let samples = match samples {
        None => None,
        Some(text) => match text.trim().replace('_', "").parse::<f64>() {
            Ok(v) if v >= 1.0 && v <= MAX_SAMPLES as f64 && v.fract() == 0.0 => Some(v as usize),
            _ => {
                return Err(Diag::new(
                    Code::OutOfRange,
                    format!("`--samples {text}`: a run draws from 1 to {MAX_SAMPLES} samples"),
                )
                .help("give a whole number, such as `--samples 10000`"));
            }
        },
    };
    let seed = match seed {
        None => None,
        Some(text) => match text.trim().replace('_', "").parse::<u64>() {
            Ok(v) => Some(v),
            Err(_) => {
                return Err(Diag::new(
                    Code::OutOfRange,
                    format!("`--seed {text}`: a seed is a whole number from 0 to 2^64 − 1"),
                )
                .help("give a whole number, such as `--seed 42`"));
            }
        },
    };
    Ok((samples, seed))
}

/// The sampling a run uses: the command line's options, else the file's
/// `samples` and `seed` lines (seed 0 by default); `None` without samples.
pub fn resolve(
    checked: &Checked,
    samples: Option<usize>,
    seed: Option<u64>,
) -> Option<SampleOptions> {
    let samples = samples.or(checked.sampling.samples.map(|(n, _)| n))?;
    let seed = seed.or(checked.sampling.seed.map(|(s, _)| s)).unwrap_or(0);
    Some(SampleOptions { samples, seed })
}

/// Expectations that need samples, as errors, when a run has none.
pub fn requires_samples(checked: &Checked) -> Vec<Diag> {
    checked
        .expectations
        .iter()
        .filter(|e| e.measure.needs_samples())
        .map(|e| {
            Diag::at(
                Code::NeedsSamples,
                e.span,
                "this expectation is about the samples, and the run draws none",
            )
            .help("add `samples 10000` to the file, or run with `--samples 10000`")
        })
        .collect()
}

/// The inputs of sample `i`: every range drawn once from the stream of
/// `(seed, i)`, in the order the program wrote them; plain `let`s keep
/// their value.
pub fn draw(checked: &Checked, seed: u64, i: usize) -> Values {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(i as u64);
    let inputs = checked
        .inputs
        .iter()
        .map(|input| match &input.kind {
            InputKind::Let { value } => *value,
            InputKind::Range { low, mode, high } => {
                if high <= low {
                    return *low;
                }
                match mode {
                    Some(m) => match Triangular::new(*low, *high, *m) {
                        Ok(t) => t.sample(&mut rng),
                        Err(_) => *m,
                    },
                    None => match Uniform::new_inclusive(*low, *high) {
                        Ok(u) => u.sample(&mut rng),
                        Err(_) => *low,
                    },
                }
            }
        })
        .collect();
    Values::from_inputs(checked, inputs)
}

/// Which parameters change from sample to sample: those that read a range.
pub fn varying_params(checked: &Checked) -> Vec<bool> {
    let ranged: Vec<bool> = checked
        .inputs
        .iter()
        .map(|i| matches!(i.kind, InputKind::Range { .. }))
        .collect();
    checked
        .params
        .iter()
        .map(|p| reads_range(&p.expr, &ranged))
        .collect()
}

fn reads_range(e: &ValueExpr, ranged: &[bool]) -> bool {
    match e {
        ValueExpr::Const(_) => false,
        ValueExpr::Input(i) => ranged.get(i.index()).copied().unwrap_or(false),
        ValueExpr::Neg(a) => reads_range(a, ranged),
        ValueExpr::Add(a, b)
        | ValueExpr::Sub(a, b)
        | ValueExpr::Mul(a, b)
        | ValueExpr::Div(a, b) => reads_range(a, ranged) || reads_range(b, ranged),
    }
}

/// The least and greatest value `e` can take over the ranges it reads
/// (interval arithmetic; a plain `let` is its value). `None` when a
/// division's divisor can be zero. Bounds are not always tight — `x - x`
/// gives `[low − high, high − low]` — so a check against them errs on the
/// side of refusing.
pub fn bounds(e: &ValueExpr, inputs: &[Input]) -> Option<(f64, f64)> {
    Some(match e {
        ValueExpr::Const(c) => (*c, *c),
        ValueExpr::Input(i) => match &inputs.get(i.index())?.kind {
            InputKind::Let { value } => (*value, *value),
            InputKind::Range { low, high, .. } => (*low, *high),
        },
        ValueExpr::Neg(a) => {
            let (lo, hi) = bounds(a, inputs)?;
            (-hi, -lo)
        }
        ValueExpr::Add(a, b) => {
            let ((al, ah), (bl, bh)) = (bounds(a, inputs)?, bounds(b, inputs)?);
            (al + bl, ah + bh)
        }
        ValueExpr::Sub(a, b) => {
            let ((al, ah), (bl, bh)) = (bounds(a, inputs)?, bounds(b, inputs)?);
            (al - bh, ah - bl)
        }
        ValueExpr::Mul(a, b) => {
            let ((al, ah), (bl, bh)) = (bounds(a, inputs)?, bounds(b, inputs)?);
            let p = [al * bl, al * bh, ah * bl, ah * bh];
            (
                p.iter().copied().fold(f64::INFINITY, f64::min),
                p.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        }
        ValueExpr::Div(a, b) => {
            let ((al, ah), (bl, bh)) = (bounds(a, inputs)?, bounds(b, inputs)?);
            if bl <= 0.0 && bh >= 0.0 {
                return None;
            }
            let q = [al / bl, al / bh, ah / bl, ah / bh];
            (
                q.iter().copied().fold(f64::INFINITY, f64::min),
                q.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            )
        }
    })
}

/// The mean and percentiles of a metric over the samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stats {
    pub mean: f64,
    pub p5: f64,
    pub p50: f64,
    pub p95: f64,
}

impl Stats {
    /// Of `values` (reordered in place); `None` when empty.
    pub fn of(values: &mut [f64]) -> Option<Stats> {
        if values.is_empty() {
            return None;
        }
        // Summed in sample order, before sorting: the same sum for any
        // number of threads.
        let mean = values.iter().sum::<f64>() / values.len() as f64;
        values.sort_by(f64::total_cmp);
        // All samples alike: the mean is that value, not the rounding of
        // adding it up n times.
        let mean = if values[0] == values[values.len() - 1] {
            values[0]
        } else {
            mean
        };
        Some(Stats {
            mean,
            p5: percentile(values, 0.05),
            p50: percentile(values, 0.50),
            p95: percentile(values, 0.95),
        })
    }

    /// The statistic an expectation names.
    pub fn get(&self, kind: crate::ast::StatKind) -> f64 {
        match kind {
            crate::ast::StatKind::P5 => self.p5,
            crate::ast::StatKind::P50 => self.p50,
            crate::ast::StatKind::P95 => self.p95,
            crate::ast::StatKind::Mean => self.mean,
        }
    }
}

/// The `p`-th quantile of sorted values by linear interpolation between
/// order statistics (numpy's default): position `p·(n − 1)`.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = p * (n - 1) as f64;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    let frac = h - lo as f64;
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_numpy() {
        // numpy.percentile([1, 2, 3, 4], [5, 50, 95]) = 1.15, 2.5, 3.85:
        // positions 0.15, 1.5, 2.85.
        let v = [1.0, 2.0, 3.0, 4.0];
        assert!((percentile(&v, 0.05) - 1.15).abs() < 1e-12);
        assert!((percentile(&v, 0.50) - 2.5).abs() < 1e-12);
        assert!((percentile(&v, 0.95) - 3.85).abs() < 1e-12);
        assert_eq!(percentile(&[7.0], 0.95), 7.0);
        let mut w = vec![4.0, 1.0, 3.0, 2.0];
        let s = Stats::of(&mut w).unwrap();
        assert_eq!((s.mean, s.p50), (2.5, 2.5));
    }

    #[test]
    fn bounds_follow_the_ranges() {
        let inputs = vec![
            Input {
                kind: InputKind::Range {
                    low: 0.2,
                    mode: None,
                    high: 0.6,
                },
                span: Span::default(),
                name: None,
            },
            Input {
                kind: InputKind::Let { value: 0.5 },
                span: Span::default(),
                name: None,
            },
        ];
        let x = || Box::new(ValueExpr::Input(crate::program::InputId::new(0)));
        let half = || Box::new(ValueExpr::Input(crate::program::InputId::new(1)));
        // [0.2, 0.6] * 0.5 = [0.1, 0.3]; 1 - [0.2, 0.6] = [0.4, 0.8];
        // [0.2, 0.6] + [0.2, 0.6] = [0.4, 1.2] (the same input twice: not tight).
        let (lo, hi) = bounds(&ValueExpr::Mul(x(), half()), &inputs).unwrap();
        assert!((lo - 0.1).abs() < 1e-12 && (hi - 0.3).abs() < 1e-12);
        let (lo, hi) = bounds(
            &ValueExpr::Sub(Box::new(ValueExpr::Const(1.0)), x()),
            &inputs,
        )
        .unwrap();
        assert!((lo - 0.4).abs() < 1e-12 && (hi - 0.8).abs() < 1e-12);
        let (lo, hi) = bounds(&ValueExpr::Add(x(), x()), &inputs).unwrap();
        assert!((lo - 0.4).abs() < 1e-12 && (hi - 1.2).abs() < 1e-12);
        // Dividing by a range that holds 0 has no bound.
        let zero_to = ValueExpr::Sub(x(), Box::new(ValueExpr::Const(0.3)));
        assert!(bounds(&ValueExpr::Div(half(), Box::new(zero_to)), &inputs).is_none());
    }

    #[test]
    fn counts_and_seeds_are_checked() {
        let span = Span::default();
        assert_eq!(check_count(10_000.0, span), Ok(10_000));
        assert!(check_count(0.0, span).is_err());
        assert!(check_count(1.5, span).is_err());
        assert!(check_count((MAX_SAMPLES + 1) as f64, span).is_err());
        assert_eq!(check_seed(42.0, span), Ok(42));
        assert!(check_seed(-1.0, span).is_err());
        assert!(from_options(Some("0"), None).is_err());
        assert!(from_options(None, Some("-1")).is_err());
        assert_eq!(
            from_options(Some("10_000"), Some("7")),
            Ok((Some(10_000), Some(7)))
        );
    }
}
