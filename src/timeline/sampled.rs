//! A timeline over samples (SPEC §9.2 on §8.3): the scenario is followed
//! step by step once per sample, each with every range drawn once from
//! the stream of `(seed, i)`, and each step's shortfall and each
//! stockpile's stock-out day are summarised over the samples. The figures
//! of the plain run stay as they are; the statistics sit beside them.

use rayon::prelude::*;
use serde::Serialize;

use super::{Timeline, TimelineError, TimelineOptions, timeline_with};
use crate::program::Checked;
use crate::results::{RowKind, SamplingInfo};
use crate::sample::{self, SampleOptions, Stats};

/// Samples followed between two merges: bounds the memory in flight.
const CHUNK: usize = 256;

/// When a country's stockpile runs out, over the samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockOutStats {
    /// The share of samples in which it runs out within the range.
    pub share: f64,
    /// The day it runs out, in days after `from`, over the samples in
    /// which it does; `null` when it lasts the range in every sample.
    pub day: Option<Stats>,
}

/// The timeline of the plain run, with each step's shortfall and each
/// stockpile's stock-out day over `sampling`'s samples. The result is the
/// same for any number of threads: samples are merged in order.
pub fn timeline_sampled(
    checked: &Checked,
    opts: &TimelineOptions,
    sampling: SampleOptions,
) -> Result<Timeline, TimelineError> {
    let mut plain = timeline_with(checked, opts, &checked.plain_values())?;
    let n = sampling.samples;
    let steps = plain.steps.len();
    let rows = plain.rows.len();
    let mut shortfalls: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); steps]; rows];
    let mut outs: Vec<Vec<f64>> = vec![Vec::new(); rows];
    let mut holds = vec![false; rows];
    for start in (0..n).step_by(CHUNK) {
        let end = (start + CHUNK).min(n);
        let chunk: Vec<Result<Timeline, TimelineError>> = (start..end)
            .into_par_iter()
            .map(|i| timeline_with(checked, opts, &sample::draw(checked, sampling.seed, i)))
            .collect();
        for t in chunk {
            for (k, r) in t?.rows.iter().enumerate().take(rows) {
                for (j, p) in r.points.iter().enumerate().take(steps) {
                    if let Some(f) = p.shortfall {
                        shortfalls[k][j].push(f);
                    }
                }
                if let Some(d) = r.stock_out_day {
                    outs[k].push(d);
                }
                holds[k] |= r.points.iter().any(|p| p.stock_days.is_some());
            }
        }
    }
    for (k, r) in plain.rows.iter_mut().enumerate() {
        for (j, p) in r.points.iter_mut().enumerate() {
            p.shortfall_stats = Stats::of(&mut shortfalls[k][j]);
        }
        if holds[k] && r.kind == RowKind::Country {
            r.stock_out_stats = Some(StockOutStats {
                share: outs[k].len() as f64 / n as f64,
                day: Stats::of(&mut outs[k]),
            });
        }
    }
    plain.sampling = Some(SamplingInfo {
        samples: n,
        seed: sampling.seed,
    });
    Ok(plain)
}
