//! Checked program to results: assemble each scenario's world (SPEC §2.5),
//! build one [`Market`] per mineral, run the model, and pick the rows,
//! comparisons and expectations to report.

pub mod assemble;
pub mod budget;
pub mod expect;
pub mod progress;

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use rayon::prelude::*;

use crate::diagnostic::Diag;
use crate::model::{self, Exposure, Market, Outcome};
use crate::program::{ActorId, Checked, GroupKind, MineralId, ScenarioId, Stock, Subject};
use crate::results::{
    Comparison, DeltaRow, MineralInfo, Results, Row, RowKind, ScenarioResult, WarningInfo,
};
use crate::source::SourceMap;

pub use assemble::{MineralState, ScenarioState};
pub use expect::{ExpectOutcome, check_expectation};
pub use progress::Progress;

/// Smallest dependency share listed (SPEC §4.2).
const DEPENDENCY_FLOOR: f64 = 0.001;

/// One mineral of one scenario, evaluated: enough to compute the exposure of
/// any actor or group.
pub struct MineralEval {
    pub mineral: MineralId,
    pub market: Market,
    pub outcome: Outcome,
    /// Local model index of each world actor that takes part.
    pub local: HashMap<ActorId, usize>,
    /// World actor of each local index.
    pub global: Vec<ActorId>,
    /// Stockpile in days of normal use, by local index.
    pub stock_days: Vec<Option<f64>>,
}

impl MineralEval {
    pub fn exposure(&self, checked: &Checked, subject: Subject) -> Exposure {
        match subject {
            Subject::Actor(a) => match self.local.get(&a) {
                Some(&i) => {
                    model::metrics::country(&self.market, &self.outcome, i, self.stock_days[i])
                }
                None => self.empty(),
            },
            Subject::Group(g) => {
                let members: Vec<usize> = checked.world.groups[g]
                    .members
                    .iter()
                    .filter_map(|a| self.local.get(a).copied())
                    .collect();
                let stocks: Vec<Option<f64>> =
                    members.iter().map(|&i| self.stock_days[i]).collect();
                model::metrics::group(&self.market, &self.outcome, &members, &stocks)
            }
        }
    }

    /// The exposure of an actor that takes no part in this market.
    fn empty(&self) -> Exposure {
        model::metrics::group(&self.market, &self.outcome, &[], &[])
    }
}

/// Evaluates one mineral of an assembled scenario.
pub fn evaluate_mineral(
    checked: &Checked,
    state: &ScenarioState,
    mineral: MineralId,
) -> MineralEval {
    let (market, local, global) = assemble::market(checked, state, mineral);
    let outcome = model::evaluate(&market);
    let volume = checked.world.minerals[mineral].volume_t;
    let ms = &state.minerals[mineral];
    let stock_days = global
        .iter()
        .enumerate()
        .map(|(i, a)| {
            ms.stock.get(a).and_then(|s| match *s {
                Stock::Days(d) => Some(d),
                Stock::Tonnes(t) => {
                    let d = market.demand[i];
                    match volume {
                        Some(v) if d > 0.0 => Some(365.0 * t / (d * v)),
                        _ => None,
                    }
                }
            })
        })
        .collect();
    MineralEval {
        mineral,
        market,
        outcome,
        local,
        global,
        stock_days,
    }
}

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Only this scenario (`--scenario NAME`).
    pub only: Option<ScenarioId>,
}

/// Results plus the warnings the model raised (as diagnostics).
pub struct Evaluation {
    pub results: Results,
    pub warnings: Vec<Diag>,
}

/// Evaluates every scenario and renders-ready results.
pub fn evaluate(checked: &Checked, sources: &SourceMap, opts: &EvalOptions) -> Evaluation {
    evaluate_with_progress(checked, sources, opts, &Progress::none())
}

/// Country exposures of one evaluated mineral, each computed at most once:
/// a group's row reuses its members' (SPEC §3.6 defines a group's metrics
/// from its members'), and most members have a row of their own.
pub struct Exposures<'a> {
    ev: &'a MineralEval,
    countries: Vec<Option<Exposure>>,
}

impl<'a> Exposures<'a> {
    pub fn new(ev: &'a MineralEval) -> Self {
        Exposures {
            ev,
            countries: vec![None; ev.global.len()],
        }
    }

    fn country(&mut self, i: usize) -> &Exposure {
        let ev = self.ev;
        self.countries[i].get_or_insert_with(|| {
            model::metrics::country(&ev.market, &ev.outcome, i, ev.stock_days[i])
        })
    }

    /// The same value as [`MineralEval::exposure`].
    pub fn get(&mut self, checked: &Checked, subject: Subject) -> Cow<'_, Exposure> {
        let ev = self.ev;
        match subject {
            Subject::Actor(a) => match ev.local.get(&a) {
                Some(&i) => Cow::Borrowed(self.country(i)),
                None => Cow::Owned(ev.empty()),
            },
            Subject::Group(g) => {
                let members: Vec<usize> = checked.world.groups[g]
                    .members
                    .iter()
                    .filter_map(|a| ev.local.get(a).copied())
                    .collect();
                for &i in &members {
                    self.country(i);
                }
                let parts: Vec<&Exposure> = members
                    .iter()
                    .filter_map(|&i| self.countries[i].as_ref())
                    .collect();
                let stocks: Vec<Option<f64>> = members.iter().map(|&i| ev.stock_days[i]).collect();
                Cow::Owned(model::metrics::group_of(
                    &ev.outcome,
                    &members,
                    &parts,
                    &stocks,
                ))
            }
        }
    }
}

/// What one (scenario, mineral) evaluation contributes.
#[derive(Default)]
struct MineralResult {
    rows: Vec<(Subject, Row)>,
    expectations: Vec<(usize, ExpectOutcome)>,
    warnings: Vec<Diag>,
}

/// [`evaluate`], advancing `progress` once per (scenario, mineral).
///
/// Each scenario involved is assembled once; then every (scenario, mineral)
/// pair is evaluated in parallel (rayon) into its own rows, expectation
/// outcomes and warnings, collected in (scenario, mineral) order and merged
/// in that order, so the results are the same byte for byte whatever the
/// number of threads.
pub fn evaluate_with_progress(
    checked: &Checked,
    sources: &SourceMap,
    opts: &EvalOptions,
    progress: &Progress,
) -> Evaluation {
    let count = checked.scenarios.len();
    let scenario_ids: Vec<ScenarioId> = match opts.only {
        Some(s) => vec![s],
        None => (0..count).collect(),
    };
    // With one scenario chosen, a comparison shows only that scenario
    // against the comparison's base.
    let compares: Vec<Vec<ScenarioId>> = checked
        .compares
        .iter()
        .filter_map(|c| match opts.only {
            None => Some(c.clone()),
            Some(o) => c[1..].contains(&o).then(|| vec![c[0], o]),
        })
        .collect();
    let expectations: Vec<_> = checked
        .expectations
        .iter()
        .filter(|e| opts.only.is_none_or(|o| e.scenario == o))
        .collect();

    // Which scenarios show rows (their own, or as a comparison's base), and
    // which take part at all.
    let mut shows = vec![false; count];
    let mut involved = vec![false; count];
    for &s in &scenario_ids {
        shows[s] = true;
        involved[s] = true;
    }
    for c in &compares {
        shows[c[0]] = true;
        c.iter().for_each(|&s| involved[s] = true);
    }
    for e in &expectations {
        involved[e.scenario] = true;
    }
    let states: Vec<Option<ScenarioState>> = (0..count)
        .into_par_iter()
        .map(|s| involved[s].then(|| assemble::scenario(checked, s)))
        .collect();
    // Which (subject, mineral) rows each scenario shows and must compute.
    let shown: Vec<Vec<(Subject, MineralId)>> = (0..count)
        .map(|s| match &states[s] {
            Some(state) if shows[s] => default_or_report_rows(checked, state, s),
            _ => Vec::new(),
        })
        .collect();
    let mut needed: Vec<BTreeSet<(Subject, MineralId)>> = vec![BTreeSet::new(); count];
    for &s in &scenario_ids {
        needed[s].extend(shown[s].iter().copied());
    }
    for c in &compares {
        for &s in c.iter() {
            needed[s].extend(shown[c[0]].iter().copied());
        }
    }
    for e in &expectations {
        needed[e.scenario].insert((e.metric.subject, e.metric.mineral));
    }

    // Every scenario that has something to compute, with its minerals.
    // Every mineral of a shown scenario is evaluated, so the model's
    // warnings are heard even where no row is shown.
    let mineral_count = checked.world.minerals.len();
    let mut jobs: Vec<(ScenarioId, MineralId)> = Vec::new();
    let mut evaluated: Vec<ScenarioId> = Vec::new();
    // Per scenario and mineral, the subjects whose rows are needed.
    let mut subjects: Vec<Vec<Vec<Subject>>> = vec![Vec::new(); count];
    for s in 0..count {
        // `shows[s]` without the comparison bases: is s in scenario_ids?
        let listed = opts.only.is_none_or(|o| o == s);
        if needed[s].is_empty() && !listed {
            continue;
        }
        evaluated.push(s);
        subjects[s] = vec![Vec::new(); mineral_count];
        for &(subject, m) in &needed[s] {
            subjects[s][m].push(subject);
        }
        if listed {
            jobs.extend((0..mineral_count).map(|m| (s, m)));
        } else {
            let minerals: BTreeSet<MineralId> = needed[s].iter().map(|&(_, m)| m).collect();
            jobs.extend(minerals.into_iter().map(|m| (s, m)));
        }
    }
    // Expectations by (scenario, mineral): scanning all of them in every job
    // would cost scenarios × minerals × expectations.
    let mut expects_at: HashMap<(ScenarioId, MineralId), Vec<usize>> = HashMap::new();
    for (i, e) in expectations.iter().enumerate() {
        expects_at
            .entry((e.scenario, e.metric.mineral))
            .or_default()
            .push(i);
    }
    progress.begin(
        jobs.len(),
        &format!(
            "{} scenario{}",
            evaluated.len(),
            if evaluated.len() == 1 { "" } else { "s" }
        ),
    );
    let codes: Vec<std::sync::Arc<str>> = checked
        .world
        .actors
        .iter()
        .map(|a| std::sync::Arc::from(a.code.as_str()))
        .collect();
    let done: Vec<MineralResult> = jobs
        .par_iter()
        .map(|&(s, m)| {
            let state = states[s].as_ref().unwrap_or_else(|| {
                unreachable!("internal error: scenario {s} is evaluated, so it is assembled")
            });
            let ev = evaluate_mineral(checked, state, m);
            let mut exposures = Exposures::new(&ev);
            let rows = subjects[s][m]
                .iter()
                .map(|&subject| {
                    let x = exposures.get(checked, subject);
                    (subject, row(checked, &codes, &ev, subject, &x))
                })
                .collect();
            let expectations = expects_at
                .get(&(s, m))
                .into_iter()
                .flatten()
                .map(|&i| {
                    let e = expectations[i];
                    let x = exposures.get(checked, e.metric.subject);
                    (i, check_expectation(checked, e, &x, &ev, sources))
                })
                .collect();
            let warnings = assemble::model_warnings(checked, state, &ev);
            progress.step();
            MineralResult {
                rows,
                expectations,
                warnings,
            }
        })
        .collect();
    progress.finish();

    // Merge in (scenario, mineral) order: a scenario's own warnings, then
    // its minerals' rows, expectations and warnings.
    // A warning raised in several scenarios is given once, with the
    // scenarios it came from.
    let mut warnings: Vec<Diag> = Vec::new();
    let mut warned_in: Vec<Vec<ScenarioId>> = Vec::new();
    let mut seen_warnings: HashMap<String, usize> = HashMap::new();
    let mut note = |w: Diag, s: ScenarioId| match seen_warnings.get(&w.message) {
        Some(&i) => {
            if warned_in[i].last() != Some(&s) {
                warned_in[i].push(s);
            }
        }
        None => {
            seen_warnings.insert(w.message.clone(), warnings.len());
            warnings.push(w);
            warned_in.push(vec![s]);
        }
    };
    let mut rows_of: Vec<HashMap<(Subject, MineralId), Row>> = vec![HashMap::new(); count];
    let mut expect_results: Vec<Option<ExpectOutcome>> =
        expectations.iter().map(|_| None).collect();
    let mut done = jobs.iter().zip(done).peekable();
    for &s in &evaluated {
        let state = states[s].as_ref();
        for w in state.map_or(&[][..], |st| st.warnings.as_slice()) {
            note(w.clone(), s);
        }
        while let Some((&(_, m), result)) = done.next_if(|((js, _), _)| *js == s) {
            for w in result.warnings {
                note(w, s);
            }
            rows_of[s].extend(
                result
                    .rows
                    .into_iter()
                    .map(|(subject, row)| ((subject, m), row)),
            );
            for (i, outcome) in result.expectations {
                expect_results[i] = Some(outcome);
            }
        }
    }
    // Name the scenarios unless the warning holds in every one evaluated.
    for (w, from) in warnings.iter_mut().zip(&warned_in) {
        if from.len() < evaluated.len() {
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
    }

    let comparisons: Vec<Comparison> = compares
        .iter()
        .flat_map(|c| c[1..].iter().map(move |&other| (c[0], other)))
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|(base, other)| {
            let mut rows = Vec::new();
            for key in &shown[base] {
                let (Some(b), Some(o)) = (rows_of[base].get(key), rows_of[other].get(key)) else {
                    continue;
                };
                rows.extend(delta_rows(b, o));
            }
            Comparison {
                base: checked.scenarios[base].name.clone(),
                against: checked.scenarios[other].name.clone(),
                rows,
            }
        })
        .collect();

    // The rows move into the results; a key shown twice is cloned for all
    // but its last showing.
    let scenarios = scenario_ids
        .iter()
        .map(|&s| {
            let mut left: HashMap<(Subject, MineralId), usize> = HashMap::new();
            for key in &shown[s] {
                *left.entry(*key).or_insert(0) += 1;
            }
            let rows = shown[s]
                .iter()
                .filter_map(|key| {
                    let n = left.get_mut(key)?;
                    *n -= 1;
                    if *n == 0 {
                        rows_of[s].remove(key)
                    } else {
                        rows_of[s].get(key).cloned()
                    }
                })
                .collect();
            ScenarioResult {
                name: checked.scenarios[s].name.clone(),
                at: None,
                rows,
            }
        })
        .collect();

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

    let expectations = expect_results
        .into_iter()
        .flatten()
        .map(|o: ExpectOutcome| o.result)
        .collect();

    let warning_infos = warnings
        .iter()
        .map(|w: &Diag| WarningInfo {
            code: w.code.as_str().to_string(),
            message: w.message.clone(),
        })
        .collect();

    Evaluation {
        results: Results {
            lode_version: env!("CARGO_PKG_VERSION"),
            scenarios,
            comparisons,
            minerals,
            expectations,
            warnings: warning_infos,
        },
        warnings,
    }
}

/// The rows a scenario shows, in SPEC §4.1 order: mineral in file order, then
/// coalitions, groups, countries, each by descending demand, ties by name.
fn default_or_report_rows(
    checked: &Checked,
    state: &ScenarioState,
    s: ScenarioId,
) -> Vec<(Subject, MineralId)> {
    let world = &checked.world;
    let report = checked.scenarios[s].report.as_ref();
    // Minerals in file order (SPEC §4.1), whatever order `on` lists them in.
    let minerals: Vec<MineralId> = match report.and_then(|r| r.minerals.as_ref()) {
        Some(listed) => {
            let mut m = listed.clone();
            m.sort_unstable();
            m.dedup();
            m
        }
        None => (0..world.minerals.len()).collect(),
    };
    let explicit = report.and_then(|r| r.rows.clone());
    // Demand needs the assembled scenario (covers and overrides); computed
    // cheaply from the share lines without running the model.
    let mut out = Vec::new();
    for m in minerals {
        let demand = assemble::demand_of(checked, state, m);
        let subject_demand = |sub: &Subject| -> f64 {
            match sub {
                Subject::Actor(a) => demand.get(a).copied().unwrap_or(0.0),
                Subject::Group(g) => world.groups[*g]
                    .members
                    .iter()
                    .map(|a| demand.get(a).copied().unwrap_or(0.0))
                    .sum(),
            }
        };
        let subjects: Vec<Subject> = match &explicit {
            Some(rows) => rows.clone(),
            None => {
                let mut v: Vec<Subject> = (0..world.groups.len())
                    .filter(|&g| {
                        world.groups[g].kind == GroupKind::Coalition || world.groups[g].in_main
                    })
                    .map(Subject::Group)
                    .collect();
                let row_actor = world.row();
                let mut actors: Vec<ActorId> = demand
                    .iter()
                    .filter(|(a, d)| **a != row_actor && **d > 0.0)
                    .map(|(a, _)| *a)
                    .collect();
                actors.sort_unstable();
                v.extend(actors.into_iter().map(Subject::Actor));
                v
            }
        };
        let mut keyed: Vec<(u8, f64, String, Subject)> = subjects
            .into_iter()
            .map(|sub| {
                let kind = match sub {
                    Subject::Group(g) if world.groups[g].kind == GroupKind::Coalition => 0,
                    Subject::Group(_) => 1,
                    Subject::Actor(_) => 2,
                };
                (
                    kind,
                    subject_demand(&sub),
                    world.subject_name(sub).to_string(),
                    sub,
                )
            })
            .collect();
        keyed.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.total_cmp(&a.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        out.extend(keyed.into_iter().map(|(_, _, _, sub)| (sub, m)));
    }
    out
}

fn row(
    checked: &Checked,
    codes: &[std::sync::Arc<str>],
    ev: &MineralEval,
    subject: Subject,
    x: &Exposure,
) -> Row {
    let world = &checked.world;
    let mineral = &world.minerals[ev.mineral];
    let kind = match subject {
        Subject::Actor(_) => RowKind::Country,
        Subject::Group(g) if world.groups[g].kind == GroupKind::Coalition => RowKind::Coalition,
        Subject::Group(_) => RowKind::Group,
    };
    let code = |i: usize| world.actors[ev.global[i]].code.clone();
    Row {
        actor: world.subject_name(subject).to_string(),
        kind,
        mineral: mineral.name.clone(),
        demand: clean(x.demand),
        output: mineral
            .stages
            .iter()
            .zip(x.output.iter().chain(std::iter::repeat(&0.0)))
            .map(|(s, v)| (s.clone(), clean(*v)))
            .collect(),
        import_reliance: clean(x.import_reliance),
        top_supplier: x.top_supplier.map(code),
        top_supplier_share: clean(x.top_supplier_share),
        hhi: clean_count(x.hhi),
        dependency: {
            // Sized exactly: rows are many and their lists long.
            let listed = |&&(_, v): &&(usize, f64)| v >= DEPENDENCY_FLOOR;
            let mut list = Vec::with_capacity(x.dependency.iter().filter(listed).count());
            list.extend(
                x.dependency
                    .iter()
                    .filter(listed)
                    .map(|&(i, v)| (codes[ev.global[i]].clone(), clean(v))),
            );
            list
        },
        at_risk: clean(x.at_risk),
        shortfall: clean(x.shortfall),
        cover_days: x.cover_days.map(clean_count),
    }
}

/// A fraction without floating-point dust: within 1e-12 of 0 or 1 it is
/// exactly 0 or 1 (and never `-0`).
pub(crate) fn clean(v: f64) -> f64 {
    if v.abs() < 1e-12 {
        0.0
    } else if (v - 1.0).abs() < 1e-12 {
        1.0
    } else {
        v
    }
}

/// An HHI or a number of days: within 1e-9 of a whole number, that number.
pub(crate) fn clean_count(v: f64) -> f64 {
    let r = v.round();
    if (v - r).abs() < 1e-9 { r + 0.0 } else { v }
}

fn delta_rows(base: &Row, other: &Row) -> Vec<DeltaRow> {
    let b = base.scalars();
    let o = other.scalars();
    // Keys in order: the base's, then the other's new ones; a value is
    // the first one under its key. Looked up by hash, not by scanning:
    // rows with long dependency lists have hundreds of keys.
    fn first(v: &[(String, f64)]) -> HashMap<&str, f64> {
        let mut map: HashMap<&str, f64> = HashMap::with_capacity(v.len());
        for (k, x) in v {
            map.entry(k.as_str()).or_insert(*x);
        }
        map
    }
    let (bm, om) = (first(&b), first(&o));
    let mut keys: Vec<&str> = b.iter().map(|(k, _)| k.as_str()).collect();
    let mut known: HashSet<&str> = keys.iter().copied().collect();
    for (k, _) in &o {
        if known.insert(k.as_str()) {
            keys.push(k.as_str());
        }
    }
    keys.into_iter()
        .filter_map(|k| {
            // cover_days exists only where there is a stockpile and a shortfall.
            let (bv, ov) = match (bm.get(k).copied(), om.get(k).copied()) {
                (None, None) => return None,
                (bv, ov) if k == "cover_days" && (bv.is_none() || ov.is_none()) => return None,
                (bv, ov) => (bv.unwrap_or(0.0), ov.unwrap_or(0.0)),
            };
            Some(DeltaRow {
                actor: base.actor.clone(),
                mineral: base.mineral.clone(),
                metric: k.to_string(),
                base: bv,
                value: ov,
                delta: ov - bv,
            })
        })
        .collect()
}
