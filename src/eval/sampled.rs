//! A sampled evaluation (SPEC §9): the plain evaluation's results, each row
//! with its metrics over N samples, and the expectations about samples
//! judged on them.
//!
//! Every scenario's structure is assembled once. A (scenario, mineral)
//! whose numbers read no range is evaluated once; the others are evaluated
//! for each sample, in parallel, in chunks whose results are merged in
//! sample order — so the statistics are the same whatever the number of
//! threads.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use super::assemble::{self, ScenarioState};
use super::exposure::{Exposures, Figures};
use super::plan::Plan;
use super::{EvalOptions, Evaluation, MineralEval, Progress, Silent, evaluate_mineral};
use crate::diagnostic::{Code, Diag};
use crate::metric::MetricKind;
use crate::program::{
    ActorId, Checked, Expected, Measure, Metric, MetricRef, MineralId, Num, ScenarioId, Stock,
    Subject, Values,
};
use crate::results::{Mode, RowStats, SamplingInfo, WarningInfo};
use crate::sample::{self, SampleOptions, Stats};
use crate::source::SourceMap;

/// Samples evaluated between two merges: bounds the memory of results in
/// flight.
const CHUNK: usize = 256;

/// One row's figures in one sample.
#[derive(Debug, Clone, PartialEq)]
struct Draw {
    data: bool,
    /// demand, import_reliance, top_supplier_share, hhi, at_risk, shortfall.
    scalars: [f64; 6],
    cover: Option<f64>,
    output: Vec<f64>,
    top: Option<ActorId>,
    dependency: Vec<(ActorId, f64)>,
}

const SCALARS: [MetricKind; 6] = [
    MetricKind::Demand,
    MetricKind::ImportReliance,
    MetricKind::TopSupplierShare,
    MetricKind::Hhi,
    MetricKind::AtRisk,
    MetricKind::Shortfall,
];

fn draw(ev: &MineralEval, f: &Figures<'_>) -> Draw {
    let x = &*f.x;
    Draw {
        data: f.has_data(),
        scalars: [
            super::clean(x.demand),
            super::clean(x.import_reliance),
            super::clean(x.top_supplier_share),
            super::clean_count(x.hhi),
            super::clean(x.at_risk),
            super::clean(x.shortfall),
        ],
        cover: x.cover_days.map(super::clean_count),
        output: x.output.iter().map(|v| super::clean(*v)).collect(),
        top: x.top_supplier.map(|i| ev.global[i]),
        dependency: x
            .dependency
            .iter()
            .map(|&(i, v)| (ev.global[i], super::clean(v)))
            .collect(),
    }
}

/// A row's figures over the samples, in sample order.
#[derive(Debug, Default)]
struct Series {
    n: usize,
    data: bool,
    scalars: [Vec<f64>; 6],
    /// `None` where a sample has no cover days.
    cover: Vec<Option<f64>>,
    output: Vec<Vec<f64>>,
    top: Vec<Option<ActorId>>,
    /// Per supplier, its dependency in every sample (0 where it supplies
    /// nothing).
    dependency: BTreeMap<ActorId, Vec<f64>>,
}

impl Series {
    fn push(&mut self, d: &Draw) {
        self.data |= d.data;
        for (v, x) in self.scalars.iter_mut().zip(d.scalars) {
            v.push(x);
        }
        self.cover.push(d.cover);
        if self.output.len() < d.output.len() {
            self.output.resize(d.output.len(), vec![0.0; self.n]);
        }
        for (v, x) in self.output.iter_mut().zip(&d.output) {
            v.push(*x);
        }
        self.top.push(d.top);
        for &(a, x) in &d.dependency {
            self.dependency
                .entry(a)
                .or_insert_with(|| vec![0.0; self.n])
                .push(x);
        }
        self.n += 1;
        for v in self.dependency.values_mut() {
            if v.len() < self.n {
                v.push(0.0);
            }
        }
    }

    /// The same figures in all `n` samples.
    fn constant(d: &Draw, n: usize) -> Series {
        let mut s = Series::default();
        for _ in 0..n {
            s.push(d);
        }
        s
    }

    /// A metric's value in every sample; `None` in a sample without one.
    fn values(&self, metric: &Metric, codes: &dyn Fn(ActorId) -> bool) -> Vec<Option<f64>> {
        let _ = codes;
        let scalar = |k: MetricKind| {
            let i = SCALARS.iter().position(|m| *m == k).unwrap_or(0);
            self.scalars[i].iter().map(|v| Some(*v)).collect()
        };
        match metric {
            Metric::Demand => scalar(MetricKind::Demand),
            Metric::ImportReliance => scalar(MetricKind::ImportReliance),
            Metric::TopSupplierShare => scalar(MetricKind::TopSupplierShare),
            Metric::Hhi => scalar(MetricKind::Hhi),
            Metric::AtRisk => scalar(MetricKind::AtRisk),
            Metric::Shortfall => scalar(MetricKind::Shortfall),
            Metric::CoverDays => self.cover.clone(),
            Metric::Output(s) => match self.output.get(*s) {
                Some(v) => v.iter().map(|x| Some(*x)).collect(),
                None => vec![Some(0.0); self.n],
            },
            Metric::Dependency(a) => match self.dependency.get(a) {
                Some(v) => v.iter().map(|x| Some(*x)).collect(),
                None => vec![Some(0.0); self.n],
            },
            Metric::TopSupplier => vec![None; self.n],
        }
    }

    fn stats(&self, checked: &Checked, stages: &[String]) -> RowStats {
        let of = |v: &[f64]| Stats::of(&mut v.to_vec());
        let measured = |i: usize| {
            if self.data {
                of(&self.scalars[i])
            } else {
                None
            }
        };
        let demand = of(&self.scalars[0]).unwrap_or(Stats {
            mean: 0.0,
            p5: 0.0,
            p50: 0.0,
            p95: 0.0,
        });
        let top = if self.data {
            let mut counts: BTreeMap<ActorId, usize> = BTreeMap::new();
            for a in self.top.iter().flatten() {
                *counts.entry(*a).or_insert(0) += 1;
            }
            // The most frequent; a tie goes to the code first in
            // alphabetical order, as for the deterministic figure.
            let code = |a: &ActorId| checked.world.actors[*a].code.as_str();
            counts
                .iter()
                .max_by(|x, y| x.1.cmp(y.1).then_with(|| code(y.0).cmp(code(x.0))))
                .map(|(a, c)| Mode {
                    mode: code(a).to_string(),
                    frequency: *c as f64 / self.n.max(1) as f64,
                })
        } else {
            None
        };
        let dependency = self.data.then(|| {
            let mut list: Vec<(Arc<str>, Stats)> = self
                .dependency
                .iter()
                .filter_map(|(a, v)| {
                    let s = of(v)?;
                    (s.p95 >= 0.001 || s.mean >= 0.001)
                        .then(|| (Arc::from(checked.world.actors[*a].code.as_str()), s))
                })
                .collect();
            list.sort_by(|a, b| b.1.p50.total_cmp(&a.1.p50).then_with(|| a.0.cmp(&b.0)));
            list
        });
        let covers: Vec<f64> = self.cover.iter().flatten().copied().collect();
        RowStats {
            demand,
            output: stages
                .iter()
                .zip(&self.output)
                .filter_map(|(s, v)| Some((s.clone(), of(v)?)))
                .collect(),
            import_reliance: measured(1),
            top_supplier: top,
            top_supplier_share: measured(2),
            hhi: measured(3),
            dependency,
            at_risk: measured(4),
            shortfall: measured(5),
            cover_days: if self.data {
                Stats::of(&mut covers.clone())
            } else {
                None
            },
        }
    }
}

/// Whether any number one (scenario, mineral) reads changes with the samples.
fn varies(checked: &Checked, st: &ScenarioState, m: MineralId, varying: &[bool]) -> bool {
    let v = |n: Num| {
        n.param
            .is_some_and(|p| varying.get(p.index()).copied().unwrap_or(false))
    };
    let ms = &st.minerals[m];
    let lines = ms
        .stage_shares
        .iter()
        .chain(std::iter::once(&ms.demand))
        .flatten()
        .any(|l| l.entries.iter().any(|e| v(e.value)));
    let sourcing = ms
        .sourcing
        .iter()
        .any(|l| l.shares.iter().any(|e| v(e.value)));
    let adds = ms.adds.iter().any(|a| v(a.amount));
    let stock = ms.stock.values().any(|(s, _)| match s {
        Stock::Days(n) | Stock::Tonnes(n) => v(*n),
    });
    let restrictions = ms
        .restrictions
        .iter()
        .any(|r| v(r.fraction) || r.quota.is_some_and(v));
    let disruptions = ms.disruptions.iter().any(|d| v(d.fraction));
    // `covers` claims: their share and the members' GDPs.
    let covers = checked.world.groups.iter().any(|g| {
        g.covers.as_ref().is_some_and(|c| {
            c.minerals.as_ref().is_none_or(|ms| ms.contains(&m))
                && (v(c.share)
                    || g.members
                        .iter()
                        .any(|&a| checked.world.actors[a].gdp.is_some_and(v)))
        })
    });
    lines || sourcing || adds || stock || restrictions || disruptions || covers || v(st.rerouting)
}

/// Evaluates every scenario, then its rows over `sampling`'s samples.
pub fn evaluate_sampled(
    checked: &Checked,
    sources: &SourceMap,
    opts: &EvalOptions,
    sampling: SampleOptions,
    progress: &dyn Progress,
) -> Evaluation {
    let mut evaluation = super::evaluate_with_progress(checked, sources, opts, &Silent);
    let mut plan = Plan::new(checked, opts);
    let states: Vec<Option<ScenarioState>> = checked
        .scenario_ids()
        .map(|s| {
            plan.involved[s.index()]
                .then(|| assemble::structure(checked, s, opts.date_of(checked, s)))
        })
        .collect();
    plan.schedule(checked, &states, opts.only);
    let varying = sample::varying_params(checked);
    let n = sampling.samples;
    // The jobs, the subjects each samples, and whether it varies.
    let jobs: Vec<(ScenarioId, MineralId, Vec<Subject>, bool)> = plan
        .jobs
        .iter()
        .filter(|&&(s, m)| !plan.subjects[s][m].is_empty())
        .map(|&(s, m)| {
            let state = states[s.index()]
                .as_ref()
                .unwrap_or_else(|| unreachable!("internal error: a job's scenario is assembled"));
            (
                s,
                m,
                plan.subjects[s][m].clone(),
                varies(checked, state, m, &varying),
            )
        })
        .collect();
    let plain = checked.plain_values();
    let evaluate = |s: ScenarioId, m: MineralId, subjects: &[Subject], values: &Values| {
        let state = states[s.index()]
            .as_ref()
            .unwrap_or_else(|| unreachable!("internal error: a job's scenario is assembled"));
        let ev = evaluate_mineral(checked, state, m, values);
        let mut exposures = Exposures::new(&ev);
        let draws: Vec<Draw> = subjects
            .iter()
            .map(|&subject| draw(&ev, &exposures.get(checked, subject)))
            .collect();
        (draws, ev.scaled)
    };
    // Constant jobs once; varying ones per sample.
    let mut series: Vec<Vec<Series>> = jobs
        .iter()
        .map(|(s, m, subjects, varies)| {
            if *varies {
                subjects.iter().map(|_| Series::default()).collect()
            } else {
                let (draws, _) = evaluate(*s, *m, subjects, &plain);
                draws.iter().map(|d| Series::constant(d, n)).collect()
            }
        })
        .collect();
    let moving: Vec<usize> = (0..jobs.len()).filter(|&j| jobs[j].3).collect();
    let mut scaled_samples = 0usize;
    // One step a sample, counted from the threads that evaluate them.
    progress.begin(n, &format!("{n} sample{}", if n == 1 { "" } else { "s" }));
    if !moving.is_empty() {
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            let chunk: Vec<(Vec<Vec<Draw>>, bool)> = (start..end)
                .into_par_iter()
                .map(|i| {
                    let values = sample::draw(checked, sampling.seed, i);
                    let mut scaled = false;
                    let rows = moving
                        .iter()
                        .map(|&j| {
                            let (s, m, subjects, _) = &jobs[j];
                            let (draws, sc) = evaluate(*s, *m, subjects, &values);
                            scaled |= sc;
                            draws
                        })
                        .collect();
                    progress.step();
                    (rows, scaled)
                })
                .collect();
            for (rows, scaled) in chunk {
                scaled_samples += usize::from(scaled);
                for (&j, draws) in moving.iter().zip(rows) {
                    for (acc, d) in series[j].iter_mut().zip(&draws) {
                        acc.push(d);
                    }
                }
            }
        }
    }
    progress.finish();

    // Where each (scenario, subject, mineral) stands in `series`.
    let mut at: HashMap<(ScenarioId, Subject, MineralId), (usize, usize)> = HashMap::new();
    for (j, (s, m, subjects, _)) in jobs.iter().enumerate() {
        for (k, subject) in subjects.iter().enumerate() {
            at.insert((*s, *subject, *m), (j, k));
        }
    }
    attach_stats(checked, &plan, &states, &series, &at, &mut evaluation);
    judge_sampled(checked, &plan, &series, &at, &mut evaluation);
    if scaled_samples > 0 {
        let w = Diag::new(
            Code::SharesScaled,
            format!(
                "in {scaled_samples} of {n} samples, a share line's named shares added up to \
                 more than 100% and were scaled down to 100% (ROW took none)"
            ),
        )
        .help("narrow the ranges on that line so their high ends fit in 100%");
        evaluation.results.warnings.push(WarningInfo::of(&w));
        evaluation.warnings.push(w);
    }
    evaluation.results.sampling = Some(SamplingInfo {
        samples: n,
        seed: sampling.seed,
    });
    evaluation
}

/// Puts each shown row's statistics on it.
fn attach_stats(
    checked: &Checked,
    plan: &Plan<'_>,
    states: &[Option<ScenarioState>],
    series: &[Vec<Series>],
    at: &HashMap<(ScenarioId, Subject, MineralId), (usize, usize)>,
    evaluation: &mut Evaluation,
) {
    let world = &checked.world;
    // Rows are matched by scenario, actor and mineral name.
    let mut by_name: HashMap<(&str, &str, &str), (usize, usize)> = HashMap::new();
    for (&(s, subject, m), &pos) in at {
        by_name.insert(
            (
                checked.scenarios[s].name.as_str(),
                world.subject_name(subject),
                world.minerals[m].name.as_str(),
            ),
            pos,
        );
    }
    let _ = (plan, states);
    for scenario in &mut evaluation.results.scenarios {
        for row in &mut scenario.rows {
            let key = (
                scenario.name.as_str(),
                row.actor.as_str(),
                row.mineral.as_str(),
            );
            let Some(&(j, k)) = by_name.get(&key) else {
                continue;
            };
            let stages = world
                .minerals
                .iter()
                .find(|m| m.name == row.mineral)
                .map(|m| m.stages.clone())
                .unwrap_or_default();
            row.stats = Some(Box::new(series[j][k].stats(checked, &stages)));
        }
    }
}

/// Judges the expectations about samples (`p5(…)`, `chance(…)`); plain
/// expectations keep their deterministic verdict (SPEC §9.4).
fn judge_sampled(
    checked: &Checked,
    plan: &Plan<'_>,
    series: &[Vec<Series>],
    at: &HashMap<(ScenarioId, Subject, MineralId), (usize, usize)>,
    evaluation: &mut Evaluation,
) {
    for (i, e) in plan.expectations.iter().enumerate() {
        if !e.measure.needs_samples() {
            continue;
        }
        let Some(result) = evaluation.results.expectations.get_mut(i) else {
            continue;
        };
        let Some(&(j, k)) = at.get(&(e.scenario, e.metric.subject, e.metric.mineral)) else {
            continue;
        };
        let s = &series[j][k];
        result.actual_text = None;
        result.reason = None;
        if !s.data && !matches!(e.metric.metric, Metric::Demand | Metric::Output(_)) {
            let world = &checked.world;
            result.passed = false;
            result.actual = None;
            result.actual_text = Some("no data".into());
            result.reason = Some(format!(
                "no demand data for {} {}",
                world.subject_name(e.metric.subject),
                world.minerals[e.metric.mineral].name
            ));
            continue;
        }
        let value = match &e.measure {
            Measure::Value => continue,
            Measure::Stat(kind) => {
                let mut present: Vec<f64> = s
                    .values(&e.metric.metric, &|_| true)
                    .into_iter()
                    .flatten()
                    .collect();
                Stats::of(&mut present).map(|st| st.get(*kind))
            }
            Measure::Chance { op, expected } => Some(chance(s, e.metric.clone(), *op, expected)),
        };
        let Some(value) = value else {
            result.passed = false;
            result.actual = None;
            result.actual_text = Some("absent".into());
            result.reason = Some("no sample has a value".into());
            continue;
        };
        let Expected::Value(want) = e.expected else {
            continue;
        };
        let (passed, margin) = super::expect::compare(value, e.op, want, e.tolerance);
        result.passed = passed;
        result.actual = Some(value);
        result.margin = margin;
        if matches!(e.measure, Measure::Chance { .. }) {
            // A share of samples is a fraction whatever the metric.
            result.metric = MetricKind::Shortfall;
        }
    }
    let _ = checked;
}

/// The share of samples in which `metric OP expected` holds.
fn chance(s: &Series, mref: MetricRef, op: crate::ast::CmpOp, expected: &Expected) -> f64 {
    let n = s.n.max(1) as f64;
    let hits = match (expected, &mref.metric) {
        (Expected::Actor(want), Metric::TopSupplier) => {
            let eq = s.top.iter().filter(|t| **t == Some(*want)).count();
            if op == crate::ast::CmpOp::Ne {
                s.n - eq
            } else {
                eq
            }
        }
        (Expected::Value(want), metric) => s
            .values(metric, &|_| true)
            .into_iter()
            .filter(|v| v.is_some_and(|v| super::expect::compare(v, op, *want, None).0))
            .count(),
        _ => 0,
    };
    hits as f64 / n
}
