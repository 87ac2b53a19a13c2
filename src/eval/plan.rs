//! What an evaluation must compute: which scenarios take part, which rows
//! each shows, and the (scenario, mineral) jobs that produce them. Decided
//! from the checked program and the assembled scenarios, before any model
//! runs.

use std::collections::{BTreeSet, HashMap};

use super::EvalOptions;
use super::assemble::{self, ScenarioState};
use crate::date::Date;
use crate::program::{
    ActorId, Checked, Expectation, Expected, GroupKind, MetricRef, MineralId, ScenarioId, Subject,
};

/// The work of one evaluation.
pub struct Plan<'c> {
    /// The scenarios whose rows are listed (`--scenario` keeps one).
    pub listed: Vec<ScenarioId>,
    /// Comparisons, each a base and the scenarios compared with it.
    pub compares: Vec<Vec<ScenarioId>>,
    pub expectations: Vec<&'c Expectation>,
    /// Per scenario: takes part at all (assembled).
    pub involved: Vec<bool>,
    /// Per scenario: shows rows (its own, or as a comparison's base).
    pub shows: Vec<bool>,
    /// The evaluated scenarios, in order.
    pub evaluated: Vec<ScenarioId>,
    /// (scenario, mineral) pairs to evaluate, in that order.
    pub jobs: Vec<(ScenarioId, MineralId)>,
    /// Per scenario and mineral, the subjects whose rows are computed.
    pub subjects: Vec<Vec<Vec<Subject>>>,
    /// The sides of expectations each (scenario, mineral) measures, as
    /// indices into `expectations`.
    pub expects_at: HashMap<(ScenarioId, MineralId), Vec<(usize, Side)>>,
    /// Expectations measured at a date of their own (`expect S at DATE`)
    /// that differs from their scenarios' evaluation dates, as indices
    /// into `expectations`: evaluated apart (`eval::dated`).
    pub at_dates: Vec<usize>,
}

/// Which side of an expectation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The metric before the comparison operator.
    Left,
    /// Another metric after it (`expect a: X > b: Y`).
    Right,
}

/// The metrics an expectation measures: its own, and the one it compares
/// with, each with its scenario.
pub fn sides(e: &Expectation) -> Vec<(Side, ScenarioId, &MetricRef)> {
    let mut out = vec![(Side::Left, e.scenario, &e.metric)];
    if let Expected::Metric { scenario, metric } = &e.expected {
        out.push((Side::Right, *scenario, metric));
    }
    out
}

impl<'c> Plan<'c> {
    /// The scenarios, comparisons and expectations `opts` asks for.
    pub fn new(checked: &'c Checked, opts: &EvalOptions) -> Self {
        let count = checked.scenarios.len();
        let listed: Vec<ScenarioId> = match opts.only {
            Some(s) => vec![s],
            None => checked.scenario_ids().collect(),
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
        let expectations: Vec<&Expectation> = checked
            .expectations
            .iter()
            .filter(|e| opts.only.is_none_or(|o| e.scenario == o))
            .collect();
        let mut shows = vec![false; count];
        let mut involved = vec![false; count];
        for &s in &listed {
            shows[s] = true;
            involved[s] = true;
        }
        for c in &compares {
            shows[c[0]] = true;
            c.iter().for_each(|&s| involved[s] = true);
        }
        let dates: Vec<Option<Date>> = checked
            .scenario_ids()
            .map(|s| opts.date_of(checked, s))
            .collect();
        let mut expects_at: HashMap<(ScenarioId, MineralId), Vec<(usize, Side)>> = HashMap::new();
        let mut at_dates = Vec::new();
        for (i, e) in expectations.iter().enumerate() {
            // `expect S at DATE` keeps its own date, even under `--at`.
            let own_date =
                e.at.is_some_and(|d| sides(e).iter().any(|(_, s, _)| dates[*s] != Some(d)));
            if own_date {
                at_dates.push(i);
                continue;
            }
            for (side, s, m) in sides(e) {
                involved[s] = true;
                expects_at
                    .entry((s, m.mineral))
                    .or_default()
                    .push((i, side));
            }
        }
        Plan {
            listed,
            compares,
            expectations,
            involved,
            shows,
            evaluated: Vec::new(),
            jobs: Vec::new(),
            subjects: Vec::new(),
            expects_at,
            at_dates,
        }
    }

    /// Decides the rows and jobs, given the assembled scenarios; returns the
    /// rows each scenario shows, in SPEC §4.1 order.
    pub fn schedule(
        &mut self,
        checked: &Checked,
        states: &[Option<ScenarioState>],
        only: Option<ScenarioId>,
    ) -> Vec<Vec<(Subject, MineralId)>> {
        let count = checked.scenarios.len();
        let shown: Vec<Vec<(Subject, MineralId)>> = checked
            .scenario_ids()
            .map(|s| match &states[s] {
                Some(state) if self.shows[s] => shown_rows(checked, state, s),
                _ => Vec::new(),
            })
            .collect();
        let mut needed: Vec<BTreeSet<(Subject, MineralId)>> = vec![BTreeSet::new(); count];
        for &s in &self.listed {
            needed[s].extend(shown[s].iter().copied());
        }
        for c in &self.compares {
            for &s in c.iter() {
                needed[s].extend(shown[c[0]].iter().copied());
            }
        }
        for e in &self.expectations {
            for (_, s, m) in sides(e) {
                needed[s].insert((m.subject, m.mineral));
            }
        }
        // Every mineral of a listed scenario is evaluated, so the model's
        // warnings are heard even where no row is shown.
        let mineral_count = checked.world.minerals.len();
        self.subjects = vec![Vec::new(); count];
        for (s, needed) in checked.scenario_ids().zip(&needed) {
            let listed = only.is_none_or(|o| o == s);
            if needed.is_empty() && !listed {
                continue;
            }
            self.evaluated.push(s);
            self.subjects[s] = vec![Vec::new(); mineral_count];
            for &(subject, m) in needed {
                self.subjects[s][m].push(subject);
            }
            if listed {
                self.jobs
                    .extend(MineralId::all(mineral_count).map(|m| (s, m)));
            } else {
                let minerals: BTreeSet<MineralId> = needed.iter().map(|&(_, m)| m).collect();
                self.jobs.extend(minerals.into_iter().map(|m| (s, m)));
            }
        }
        shown
    }
}

/// The rows a scenario shows, in SPEC §4.1 order: mineral in file order, then
/// coalitions, groups, countries, each by descending demand, ties by name.
fn shown_rows(
    checked: &Checked,
    state: &ScenarioState,
    s: ScenarioId,
) -> Vec<(Subject, MineralId)> {
    rows_for(checked, state, checked.report_of(s))
}

/// The rows a `report` selection shows (the default rows without one), in
/// SPEC §4.1 order.
pub(crate) fn rows_for(
    checked: &Checked,
    state: &ScenarioState,
    report: Option<&crate::program::ReportSel>,
) -> Vec<(Subject, MineralId)> {
    let world = &checked.world;
    // Minerals in file order (SPEC §4.1), whatever order `on` lists them in.
    let minerals: Vec<MineralId> = match report.and_then(|r| r.minerals.as_ref()) {
        Some(listed) => {
            let mut m = listed.clone();
            m.sort_unstable();
            m.dedup();
            m
        }
        None => world.mineral_ids().collect(),
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
                let mut v: Vec<Subject> = world
                    .group_ids()
                    .filter(|&g| {
                        world.groups[g].kind == GroupKind::Coalition || world.groups[g].in_main
                    })
                    .map(Subject::Group)
                    .collect();
                let row_actor = world.row();
                // Every actor with demand data (SPEC §2.6): a 0% entry is
                // data too.
                let mut actors: Vec<ActorId> = demand
                    .keys()
                    .filter(|a| **a != row_actor)
                    .copied()
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
