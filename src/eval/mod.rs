//! Checked program to results: assemble each scenario's world (SPEC §2.5),
//! build one [`Market`] per mineral, run the model, and pick the rows,
//! comparisons and expectations to report.

pub mod assemble;
pub mod expect;

use std::collections::{BTreeSet, HashMap};

use crate::diagnostic::Diag;
use crate::model::{self, Exposure, Market, Outcome};
use crate::program::{ActorId, Checked, GroupKind, MineralId, ScenarioId, Stock, Subject};
use crate::results::{
    Comparison, DeltaRow, MineralInfo, Results, Row, RowKind, ScenarioResult, WarningInfo,
};
use crate::source::SourceMap;

pub use assemble::{MineralState, ScenarioState};
pub use expect::{ExpectOutcome, check_expectation};

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
    let scenario_ids: Vec<ScenarioId> = match opts.only {
        Some(s) => vec![s],
        None => (0..checked.scenarios.len()).collect(),
    };
    let mut warnings = Vec::new();
    let mut seen_warnings = BTreeSet::new();
    // Which (subject, mineral) rows each scenario must compute.
    let shown: Vec<Vec<(Subject, MineralId)>> = (0..checked.scenarios.len())
        .map(|s| default_or_report_rows(checked, s))
        .collect();
    let compares: Vec<&Vec<ScenarioId>> = checked
        .compares
        .iter()
        .filter(|c| opts.only.is_none_or(|o| c.contains(&o)))
        .collect();
    let mut needed: Vec<BTreeSet<(Subject, MineralId)>> =
        vec![BTreeSet::new(); checked.scenarios.len()];
    for &s in &scenario_ids {
        needed[s].extend(shown[s].iter().copied());
    }
    for c in &compares {
        for &s in c.iter() {
            needed[s].extend(shown[c[0]].iter().copied());
        }
    }
    let expectations: Vec<_> = checked
        .expectations
        .iter()
        .filter(|e| opts.only.is_none_or(|o| e.scenario == o))
        .collect();
    for e in &expectations {
        needed[e.scenario].insert((e.metric.subject, e.metric.mineral));
    }

    // Evaluate every scenario that has something to compute.
    let mut rows_of: Vec<HashMap<(Subject, MineralId), Row>> =
        vec![HashMap::new(); checked.scenarios.len()];
    let mut expect_results: Vec<Option<ExpectOutcome>> =
        expectations.iter().map(|_| None).collect();
    for s in 0..checked.scenarios.len() {
        if needed[s].is_empty() && !scenario_ids.contains(&s) {
            continue;
        }
        let state = assemble::scenario(checked, s);
        for w in &state.warnings {
            if seen_warnings.insert(w.message.clone()) {
                warnings.push(w.clone());
            }
        }
        // Every mineral of a shown scenario is evaluated, so the model's
        // warnings are heard even where no row is shown.
        let minerals: BTreeSet<MineralId> = if scenario_ids.contains(&s) {
            (0..checked.world.minerals.len()).collect()
        } else {
            needed[s].iter().map(|(_, m)| *m).collect()
        };
        for m in minerals {
            let ev = evaluate_mineral(checked, &state, m);
            for w in assemble::model_warnings(checked, &ev) {
                if seen_warnings.insert(w.message.clone()) {
                    warnings.push(w);
                }
            }
            for &(subject, mm) in needed[s].iter().filter(|(_, mm)| *mm == m) {
                let exposure = ev.exposure(checked, subject);
                rows_of[s].insert((subject, mm), row(checked, &ev, subject, &exposure));
            }
            for (i, e) in expectations.iter().enumerate() {
                if e.scenario == s && e.metric.mineral == m {
                    let exposure = ev.exposure(checked, e.metric.subject);
                    expect_results[i] =
                        Some(check_expectation(checked, e, &exposure, &ev, sources));
                }
            }
        }
    }

    let scenarios = scenario_ids
        .iter()
        .map(|&s| ScenarioResult {
            name: checked.scenarios[s].name.clone(),
            at: None,
            rows: shown[s]
                .iter()
                .filter_map(|k| rows_of[s].get(k).cloned())
                .collect(),
        })
        .collect();

    let mut comparisons = Vec::new();
    for c in compares {
        let base = c[0];
        for &other in &c[1..] {
            let mut rows = Vec::new();
            for key in &shown[base] {
                let (Some(b), Some(o)) = (rows_of[base].get(key), rows_of[other].get(key)) else {
                    continue;
                };
                rows.extend(delta_rows(b, o));
            }
            comparisons.push(Comparison {
                base: checked.scenarios[base].name.clone(),
                against: checked.scenarios[other].name.clone(),
                rows,
            });
        }
    }

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
fn default_or_report_rows(checked: &Checked, s: ScenarioId) -> Vec<(Subject, MineralId)> {
    let world = &checked.world;
    let report = checked.scenarios[s].report.as_ref();
    let minerals: Vec<MineralId> = report
        .and_then(|r| r.minerals.clone())
        .unwrap_or_else(|| (0..world.minerals.len()).collect());
    let explicit = report.and_then(|r| r.rows.clone());
    // Demand needs the assembled scenario (covers and overrides); computed
    // cheaply from the share lines without running the model.
    let state = assemble::scenario(checked, s);
    let mut out = Vec::new();
    for m in minerals {
        let demand = assemble::demand_of(checked, &state, m);
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

fn row(checked: &Checked, ev: &MineralEval, subject: Subject, x: &Exposure) -> Row {
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
        dependency: x
            .dependency
            .iter()
            .filter(|(_, v)| *v >= DEPENDENCY_FLOOR)
            .map(|&(i, v)| (code(i), clean(v)))
            .collect(),
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
    let mut keys: Vec<String> = b.iter().map(|(k, _)| k.clone()).collect();
    for (k, _) in &o {
        if !keys.contains(k) {
            keys.push(k.clone());
        }
    }
    let get = |v: &[(String, f64)], k: &str| v.iter().find(|(kk, _)| kk == k).map(|(_, x)| *x);
    keys.into_iter()
        .filter_map(|k| {
            // cover_days exists only where there is a stockpile and a shortfall.
            let (bv, ov) = match (get(&b, &k), get(&o, &k)) {
                (None, None) => return None,
                (bv, ov) if k == "cover_days" && (bv.is_none() || ov.is_none()) => return None,
                (bv, ov) => (bv.unwrap_or(0.0), ov.unwrap_or(0.0)),
            };
            Some(DeltaRow {
                actor: base.actor.clone(),
                mineral: base.mineral.clone(),
                metric: k,
                base: bv,
                value: ov,
                delta: ov - bv,
            })
        })
        .collect()
}
