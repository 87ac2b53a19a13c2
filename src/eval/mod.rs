//! Checked program to results, in named stages:
//!
//! ```text
//! plan::Plan::new     which scenarios, comparisons and expectations
//!   → assemble        each involved scenario's world (SPEC §2.5)
//!   → plan.schedule   the rows each scenario shows; the (scenario, mineral) jobs
//!   → run_jobs        one model per job, in parallel: rows, expectations, warnings
//!   → merge           in (scenario, mineral) order, warnings once each
//!   → compare         delta tables
//! ```
//!
//! The results are the same byte for byte whatever the number of threads.

pub mod assemble;
pub mod budget;
pub mod compare;
mod dated;
pub mod expect;
mod exposure;
pub(crate) mod plan;
pub mod progress;
mod rows;
mod sampled;

use std::collections::HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::date::Date;
use crate::diagnostic::{Diag, Identity};
use crate::program::{Checked, MineralId, ScenarioId, Subject};
use crate::results::{Comparison, MineralInfo, Results, Row, ScenarioResult, WarningInfo};
use crate::source::SourceMap;

pub use assemble::{MineralState, ScenarioState};
pub use expect::{Measured, judge, measure};

/// The metrics an expectation measures, each with the scenario it is
/// measured in: its own, and the one it compares with.
pub fn plan_sides(
    e: &crate::program::Expectation,
) -> Vec<(ScenarioId, &crate::program::MetricRef)> {
    plan::sides(e).into_iter().map(|(_, s, m)| (s, m)).collect()
}
pub use exposure::{Exposures, Figures, MineralEval, evaluate_mineral};
pub use progress::{Progress, Silent};
pub(crate) use rows::{clean, clean_count};
pub use sampled::evaluate_sampled;

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Only this scenario (`--scenario NAME`).
    pub only: Option<ScenarioId>,
    /// Every scenario at this date (`--at DATE`), whatever its own
    /// (SPEC §8.2).
    pub at: Option<Date>,
    /// Draw samples of the uncertain values (SPEC §9); `None`: a plain run.
    pub sampling: Option<crate::sample::SampleOptions>,
}

impl EvalOptions {
    /// The date scenario `s` is evaluated at: `--at`, else its own as-of
    /// date (`Checked::as_of`); `None` when undated.
    pub fn date_of(&self, checked: &Checked, s: ScenarioId) -> Option<Date> {
        self.at.or_else(|| checked.as_of(s))
    }
}

/// Results plus the warnings the model raised (as diagnostics).
pub struct Evaluation {
    pub results: Results,
    pub warnings: Vec<Diag>,
}

/// Evaluates every scenario into render-ready results.
pub fn evaluate(checked: &Checked, sources: &SourceMap, opts: &EvalOptions) -> Evaluation {
    evaluate_with_progress(checked, sources, opts, &Silent)
}

/// What one (scenario, mineral) job contributes.
#[derive(Default)]
struct JobResult {
    rows: Vec<(Subject, Row)>,
    /// Sides of expectations measured here.
    measures: Vec<(usize, plan::Side, Measured)>,
    warnings: Vec<Diag>,
}

/// [`evaluate`], reporting one step per (scenario, mineral) to `progress`.
pub fn evaluate_with_progress(
    checked: &Checked,
    sources: &SourceMap,
    opts: &EvalOptions,
    progress: &dyn Progress,
) -> Evaluation {
    let mut plan = plan::Plan::new(checked, opts);
    let states: Vec<Option<ScenarioState>> = checked
        .scenario_ids()
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|s| {
            plan.involved[s.index()]
                .then(|| assemble::scenario(checked, s, opts.date_of(checked, s)))
        })
        .collect();
    let shown = plan.schedule(checked, &states, opts.only);
    let done = run_jobs(checked, &plan, &states, progress);
    let at_dates = dated::measure_all(checked, &plan);
    let merged = merge(checked, sources, &plan, &states, done, at_dates);
    let comparisons = comparisons(checked, &plan, &shown, &merged.rows);
    let scenarios = scenario_results(checked, &plan, &shown, merged.rows, &states);
    let minerals = checked
        .world
        .minerals
        .iter()
        .map(|m| MineralInfo {
            name: m.name.clone(),
            stages: m.stages.clone(),
            volume_t: m.volume_t,
            sources: m.sources.clone(),
        })
        .collect();
    Evaluation {
        results: Results {
            lode_version: env!("CARGO_PKG_VERSION"),
            sampling: None,
            scenarios,
            comparisons,
            minerals,
            expectations: merged.expectations,
            warnings: merged.warnings.iter().map(WarningInfo::of).collect(),
        },
        warnings: merged.warnings,
    }
}

/// Runs every job of the plan in parallel, each into its own result.
fn run_jobs(
    checked: &Checked,
    plan: &plan::Plan<'_>,
    states: &[Option<ScenarioState>],
    progress: &dyn Progress,
) -> Vec<JobResult> {
    let n = plan.evaluated.len();
    progress.begin(
        plan.jobs.len(),
        &format!("{n} scenario{}", if n == 1 { "" } else { "s" }),
    );
    let values = checked.plain_values();
    // Scenarios in a comparison keep their rows' small dependencies, so a
    // delta is exact even under the listing floor.
    let mut compared = vec![false; checked.scenarios.len()];
    for c in &plan.compares {
        for &s in c {
            compared[s.index()] = true;
        }
    }
    let compared = |s: ScenarioId| compared[s.index()];
    let codes: Vec<Arc<str>> = checked
        .world
        .actors
        .iter()
        .map(|a| Arc::from(a.code.as_str()))
        .collect();
    let done = plan
        .jobs
        .par_iter()
        .map(|&(s, m)| {
            let state = states[s].as_ref().unwrap_or_else(|| {
                unreachable!("internal error: scenario {s} is evaluated, so it is assembled")
            });
            let ev = evaluate_mineral(checked, state, m, &values);
            let mut exposures = Exposures::new(&ev);
            let rows = plan.subjects[s][m]
                .iter()
                .map(|&subject| {
                    let f = exposures.get(checked, subject);
                    (
                        subject,
                        rows::row(checked, &codes, &ev, subject, &f, compared(s)),
                    )
                })
                .collect();
            let measures = plan
                .expects_at
                .get(&(s, m))
                .into_iter()
                .flatten()
                .map(|&(i, side)| {
                    let e = plan.expectations[i];
                    let mref = plan::sides(e)
                        .into_iter()
                        .find(|(sd, _, _)| *sd == side)
                        .map(|(_, _, m)| m)
                        .unwrap_or(&e.metric);
                    let f = exposures.get(checked, mref.subject);
                    (i, side, measure(checked, mref, &f, &ev))
                })
                .collect();
            let warnings = assemble::model_warnings(checked, state, &ev);
            progress.step();
            JobResult {
                rows,
                measures,
                warnings,
            }
        })
        .collect();
    progress.finish();
    done
}

/// The jobs' results merged in (scenario, mineral) order.
struct Merged {
    rows: Vec<HashMap<(Subject, MineralId), Row>>,
    expectations: Vec<crate::results::ExpectationResult>,
    warnings: Vec<Diag>,
}

/// Merges in (scenario, mineral) order: a scenario's own warnings, then its
/// minerals' rows, expectations and warnings. A warning raised in several
/// scenarios is given once, naming the scenarios it holds in (unless it
/// holds in every one evaluated).
fn merge(
    checked: &Checked,
    sources: &SourceMap,
    plan: &plan::Plan<'_>,
    states: &[Option<ScenarioState>],
    done: Vec<JobResult>,
    at_dates: Vec<(usize, plan::Side, Measured)>,
) -> Merged {
    let count = checked.scenarios.len();
    let mut warnings = Warnings::default();
    let mut rows: Vec<HashMap<(Subject, MineralId), Row>> = vec![HashMap::new(); count];
    let mut measured: Vec<[Option<Measured>; 2]> =
        plan.expectations.iter().map(|_| [None, None]).collect();
    let mut done = plan.jobs.iter().zip(done).peekable();
    for &s in &plan.evaluated {
        let own = states[s]
            .as_ref()
            .map_or(&[][..], |st| st.warnings.as_slice());
        for w in own {
            warnings.note(w.clone(), s);
        }
        while let Some((&(_, m), result)) = done.next_if(|((js, _), _)| *js == s) {
            for w in result.warnings {
                warnings.note(w, s);
            }
            rows[s].extend(
                result
                    .rows
                    .into_iter()
                    .map(|(subject, row)| ((subject, m), row)),
            );
            for (i, side, m) in result.measures {
                measured[i][side as usize] = Some(m);
            }
        }
    }
    for (i, side, m) in at_dates {
        measured[i][side as usize] = Some(m);
    }
    let expectations = plan
        .expectations
        .iter()
        .zip(&measured)
        .filter_map(|(e, [lhs, rhs])| {
            let mut r = judge(checked, e, lhs.as_ref()?, rhs.as_ref(), sources);
            r.at = e.at.map(|d| d.to_string());
            Some(r)
        })
        .collect();
    Merged {
        rows,
        expectations,
        warnings: warnings.finish(checked, plan.evaluated.len()),
    }
}

/// Warnings seen once each (by [`Diag::identity`]), with the scenarios
/// each was raised in.
#[derive(Default)]
struct Warnings {
    list: Vec<(Diag, Vec<ScenarioId>)>,
    seen: HashMap<Identity, usize>,
}

impl Warnings {
    fn note(&mut self, w: Diag, s: ScenarioId) {
        match self.seen.get(&w.identity()) {
            Some(&i) => {
                let from = &mut self.list[i].1;
                if from.last() != Some(&s) {
                    from.push(s);
                }
            }
            None => {
                self.seen.insert(w.identity(), self.list.len());
                self.list.push((w, vec![s]));
            }
        }
    }

    /// The warnings, each naming its scenarios unless it holds in all
    /// `evaluated` of them.
    fn finish(self, checked: &Checked, evaluated: usize) -> Vec<Diag> {
        self.list
            .into_iter()
            .map(|(mut w, from)| {
                if from.len() < evaluated {
                    let names: Vec<String> = from
                        .iter()
                        .map(|&s| format!("`{}`", checked.scenarios[s].name))
                        .collect();
                    let label = if names.len() == 1 {
                        "scenario"
                    } else {
                        "scenarios"
                    };
                    w.message = format!("{label} {}: {}", names.join(", "), w.message);
                }
                w
            })
            .collect()
    }
}

/// Every comparison of the plan, in order.
fn comparisons(
    checked: &Checked,
    plan: &plan::Plan<'_>,
    shown: &[Vec<(Subject, MineralId)>],
    rows: &[HashMap<(Subject, MineralId), Row>],
) -> Vec<Comparison> {
    plan.compares
        .iter()
        .flat_map(|c| c[1..].iter().map(move |&other| (c[0], other)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(base, other)| {
            let mut deltas = Vec::new();
            for key in &shown[base] {
                let (Some(b), Some(o)) = (rows[base].get(key), rows[other].get(key)) else {
                    continue;
                };
                deltas.extend(compare::delta_rows(b, o));
            }
            Comparison {
                base: checked.scenarios[base].name.clone(),
                against: checked.scenarios[other].name.clone(),
                rows: deltas,
            }
        })
        .collect()
}

/// The listed scenarios with their rows. The rows move into the results;
/// a row shown twice is cloned for all but its last showing.
fn scenario_results(
    checked: &Checked,
    plan: &plan::Plan<'_>,
    shown: &[Vec<(Subject, MineralId)>],
    mut rows: Vec<HashMap<(Subject, MineralId), Row>>,
    states: &[Option<ScenarioState>],
) -> Vec<ScenarioResult> {
    plan.listed
        .iter()
        .map(|&s| {
            let mut left: HashMap<(Subject, MineralId), usize> = HashMap::new();
            for key in &shown[s] {
                *left.entry(*key).or_insert(0) += 1;
            }
            let list = shown[s]
                .iter()
                .filter_map(|key| {
                    let n = left.get_mut(key)?;
                    *n -= 1;
                    if *n == 0 {
                        rows[s].remove(key)
                    } else {
                        rows[s].get(key).cloned()
                    }
                })
                .collect();
            ScenarioResult {
                name: checked.scenarios[s].name.clone(),
                at: states[s]
                    .as_ref()
                    .and_then(|st| st.at)
                    .map(|d| d.to_string()),
                rows: list,
            }
        })
        .collect()
}
