//! `lode sweep` (SPEC §11): on top of a scenario, one event per mineral,
//! stage and producer (not ROW) with an output share at or above a
//! threshold — `disrupt P m.s by X`, or `P restricts m.s to all by X` —
//! each evaluated exactly as if that statement were appended to the
//! scenario.
//!
//! The scenario's structure is assembled once. An event changes one
//! mineral, so it re-evaluates that mineral alone, from a copy of the
//! mineral's lines with the event's line appended; events run in parallel
//! and come back in a fixed order (mineral, stage, descending share, code),
//! so the result is the same whatever the number of threads.

use rayon::prelude::*;
use serde::Serialize;

use crate::date::Date;
use crate::eval::assemble::{self, DisruptionLine, MineralState, RestrictionLine, ScenarioState};
use crate::eval::{Exposures, Figures, Progress, clean, evaluate_mineral};
use crate::program::{
    Action, ActionKind, ActorId, Allocation, Checked, GroupKind, MineralId, Num, ReportSel,
    ScenarioId, Subject,
};
use crate::results::{DemandBasis, RowKind};
use crate::source::Span;

/// What each event does to its producer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    /// `disrupt P m.s by X`: the producer's own output falls.
    #[default]
    Disrupt,
    /// `P restricts m.s to all by X`: its exports stop, home use is kept.
    Restrict,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Disrupt => "disrupt",
            EventKind::Restrict => "restrict",
        }
    }
}

/// What to sweep.
#[derive(Debug, Clone)]
pub struct SweepOptions {
    /// The scenario the events are added to (`base` by default).
    pub scenario: ScenarioId,
    pub kind: EventKind,
    /// `X` of each event, 0..=1 (default 1: the whole output or exports).
    pub by: f64,
    /// Producers with an output share below this at a stage are left out
    /// (default 1%).
    pub min_share: f64,
    /// Rows; default: the scenario's `report`, else the default rows.
    pub rows: Option<Vec<Subject>>,
    /// Minerals swept and shown; default: the scenario's `report`, else all.
    pub minerals: Option<Vec<MineralId>>,
    /// Evaluate at this date rather than the scenario's own (SPEC §8.2).
    pub at: Option<Date>,
}

impl Default for SweepOptions {
    fn default() -> Self {
        SweepOptions {
            scenario: ScenarioId::BASE,
            kind: EventKind::Disrupt,
            by: 1.0,
            min_share: 0.01,
            rows: None,
            minerals: None,
            at: None,
        }
    }
}

/// A sweep's result: its events, and per row and mineral the row's
/// at-risk and shortfall without any event and with each event on its
/// mineral.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sweep {
    pub lode_version: &'static str,
    /// The scenario the events are added to.
    pub scenario: String,
    /// The date it is evaluated at; `null`: undated.
    pub at: Option<String>,
    pub kind: EventKind,
    /// `X` of every event, a fraction.
    pub by: f64,
    /// The output-share threshold of a producer, a fraction.
    pub min_share: f64,
    /// `market`, `sticky` or `coalition_first NAME`, with the rerouting share.
    pub allocation: String,
    /// Every event, in order: mineral (file order), stage, descending
    /// share, code.
    pub events: Vec<Event>,
    /// Every (row, mineral) shown, in SPEC §4.1 order.
    pub rows: Vec<SweepRow>,
}

/// One event: a statement appended to the scenario.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Its index in [`Sweep::events`].
    pub id: usize,
    /// The statement, as it would be written: `disrupt CN rare_earths.refining by 100%`.
    pub statement: String,
    /// The producer's code.
    pub actor: String,
    pub mineral: String,
    pub stage: String,
    /// The producer's share of world output at that stage in the
    /// scenario's equilibrium.
    pub share: f64,
}

/// One row of one mineral, without and with each event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SweepRow {
    pub actor: String,
    pub kind: RowKind,
    pub mineral: String,
    pub demand: f64,
    pub demand_basis: DemandBasis,
    /// In the scenario as it stands; `null`: no data.
    pub at_risk: Option<f64>,
    /// In the scenario as it stands; `null`: no data.
    pub shortfall: Option<f64>,
    /// One per event on this mineral, in event order.
    pub events: Vec<EventEffect>,
}

/// A row's figures with one event appended.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct EventEffect {
    /// Index into [`Sweep::events`].
    pub event: usize,
    /// `null`: no data (as in the row).
    pub at_risk: Option<f64>,
    pub shortfall: Option<f64>,
}

impl SweepRow {
    /// The events that raise this row's shortfall or at-risk above the
    /// scenario's, worst first: by shortfall, then at-risk, then event
    /// order; at most `n`.
    pub fn worst(&self, n: usize) -> Vec<&EventEffect> {
        let base_s = self.shortfall.unwrap_or(0.0);
        let base_r = self.at_risk.unwrap_or(0.0);
        let mut hurt: Vec<&EventEffect> = self
            .events
            .iter()
            .filter(|e| {
                e.shortfall.is_some_and(|s| s > base_s + 1e-12)
                    || e.at_risk.is_some_and(|r| r > base_r + 1e-12)
            })
            .collect();
        hurt.sort_by(|a, b| {
            let key = |e: &EventEffect| (e.shortfall.unwrap_or(0.0), e.at_risk.unwrap_or(0.0));
            let (sa, ra) = key(a);
            let (sb, rb) = key(b);
            sb.total_cmp(&sa)
                .then(rb.total_cmp(&ra))
                .then(a.event.cmp(&b.event))
        });
        hurt.truncate(n);
        hurt
    }

    /// Whether the row has a demand figure (else every figure is `None`).
    pub fn has_data(&self) -> bool {
        self.demand_basis != DemandBasis::None
    }
}

impl Sweep {
    /// The event an effect is about.
    pub fn event(&self, e: &EventEffect) -> &Event {
        &self.events[e.event]
    }
}

/// An event before evaluation: the producer, mineral and stage.
struct Planned {
    actor: ActorId,
    mineral: MineralId,
    stage: usize,
    share: f64,
}

/// Runs the sweep, reporting one step per event to `progress`.
pub fn sweep(checked: &Checked, opts: &SweepOptions, progress: &dyn Progress) -> Sweep {
    let world = &checked.world;
    let s = opts.scenario;
    let at = opts.at.or_else(|| checked.as_of(s));
    let state = assemble::structure(checked, s, at);
    let values = checked.plain_values();
    let report = checked.report_of(s);
    let selection = ReportSel {
        rows: opts
            .rows
            .clone()
            .or_else(|| report.and_then(|r| r.rows.clone())),
        minerals: opts
            .minerals
            .clone()
            .or_else(|| report.and_then(|r| r.minerals.clone())),
    };
    let shown = crate::eval::plan::rows_for(checked, &state, Some(&selection));
    let mut minerals: Vec<MineralId> = match &selection.minerals {
        Some(m) => m.clone(),
        None => world.mineral_ids().collect(),
    };
    minerals.sort_unstable();
    minerals.dedup();
    let subjects_of = |m: MineralId| -> Vec<Subject> {
        shown
            .iter()
            .filter(|(_, sm)| *sm == m)
            .map(|(sub, _)| *sub)
            .collect()
    };
    // Each mineral without any event: its rows, and the producers' shares.
    let row = world.row();
    let baselines: Vec<(Vec<SweepRow>, Vec<Planned>)> = minerals
        .par_iter()
        .map(|&m| {
            let ev = evaluate_mineral(checked, &state, m, &values);
            let mut exposures = Exposures::new(&ev);
            let rows = subjects_of(m)
                .into_iter()
                .map(|sub| {
                    let f = exposures.get(checked, sub);
                    let (at_risk, shortfall) = figures(&f);
                    SweepRow {
                        actor: world.subject_name(sub).to_string(),
                        kind: row_kind(checked, sub),
                        mineral: world.minerals[m].name.clone(),
                        demand: clean(f.x.demand),
                        demand_basis: f.basis,
                        at_risk,
                        shortfall,
                        events: Vec::new(),
                    }
                })
                .collect();
            let mut planned = Vec::new();
            for (stage, output) in ev.outcome.equilibrium.output.iter().enumerate() {
                let mut at_stage: Vec<Planned> = output
                    .iter()
                    .enumerate()
                    .filter(|&(i, &share)| {
                        ev.global[i] != row && share > 0.0 && share >= opts.min_share - 1e-12
                    })
                    .map(|(i, &share)| Planned {
                        actor: ev.global[i],
                        mineral: m,
                        stage,
                        share: clean(share),
                    })
                    .collect();
                at_stage.sort_by(|a, b| {
                    b.share
                        .total_cmp(&a.share)
                        .then_with(|| world.actors[a.actor].code.cmp(&world.actors[b.actor].code))
                });
                planned.extend(at_stage);
            }
            (rows, planned)
        })
        .collect();
    let planned: Vec<&Planned> = baselines.iter().flat_map(|(_, p)| p).collect();
    let n = planned.len();
    progress.begin(n, &format!("{n} event{}", if n == 1 { "" } else { "s" }));
    let lifts: Vec<&Action> = checked
        .actions(s)
        .into_iter()
        .filter(|a| matches!(a.kind, ActionKind::Lift { .. }) && a.in_force(at))
        .collect();
    // Per event, the figures of its mineral's rows.
    let effects: Vec<Vec<(Option<f64>, Option<f64>)>> = planned
        .par_iter()
        .map(|p| {
            let st = with_event(checked, &state, p, opts, &lifts);
            let ev = evaluate_mineral(checked, &st, p.mineral, &values);
            let mut exposures = Exposures::new(&ev);
            let out = subjects_of(p.mineral)
                .into_iter()
                .map(|sub| figures(&exposures.get(checked, sub)))
                .collect();
            progress.step();
            out
        })
        .collect();
    progress.finish();
    let events: Vec<Event> = planned
        .iter()
        .enumerate()
        .map(|(id, p)| Event {
            id,
            statement: statement(checked, p, opts),
            actor: world.actors[p.actor].code.clone(),
            mineral: world.minerals[p.mineral].name.clone(),
            stage: world.minerals[p.mineral].stages[p.stage].clone(),
            share: p.share,
        })
        .collect();
    let mut rows = Vec::new();
    let mut next = 0;
    for (mineral_rows, mineral_planned) in baselines {
        let ids = next..next + mineral_planned.len();
        next = ids.end;
        for (k, mut r) in mineral_rows.into_iter().enumerate() {
            r.events = ids
                .clone()
                .map(|id| {
                    let (at_risk, shortfall) = effects[id][k];
                    EventEffect {
                        event: id,
                        at_risk,
                        shortfall,
                    }
                })
                .collect();
            rows.push(r);
        }
    }
    Sweep {
        lode_version: env!("CARGO_PKG_VERSION"),
        scenario: checked.scenarios[s].name.clone(),
        at: at.map(|d| d.to_string()),
        kind: opts.kind,
        by: opts.by,
        min_share: opts.min_share,
        allocation: allocation(checked, &state, &values),
        events,
        rows,
    }
}

/// At-risk and shortfall as `lode run` shows them: `None` without data.
fn figures(f: &Figures<'_>) -> (Option<f64>, Option<f64>) {
    let data = f.has_data();
    (
        data.then(|| clean(f.x.at_risk)),
        data.then(|| clean(f.x.shortfall)),
    )
}

fn row_kind(checked: &Checked, sub: Subject) -> RowKind {
    match sub {
        Subject::Actor(_) => RowKind::Country,
        Subject::Group(g) if checked.world.groups[g].kind == GroupKind::Coalition => {
            RowKind::Coalition
        }
        Subject::Group(_) => RowKind::Group,
    }
}

/// The scenario's state with the event's line appended to its mineral's
/// lines. Only that mineral's lines are kept: an event re-evaluates its
/// own mineral alone.
fn with_event(
    checked: &Checked,
    state: &ScenarioState,
    p: &Planned,
    opts: &SweepOptions,
    lifts: &[&Action],
) -> ScenarioState {
    let mut ms: MineralState = state.minerals[p.mineral].clone();
    let fraction = Num::constant(opts.by);
    match opts.kind {
        EventKind::Disrupt => ms.disruptions.push(DisruptionLine {
            actor: p.actor,
            stages: vec![p.stage],
            fraction,
            statement: Span::default(),
        }),
        EventKind::Restrict => {
            // `to all`: every actor but the restricting one (SPEC §2.4).
            let importers: Vec<ActorId> = checked
                .world
                .actor_ids()
                .filter(|&a| a != p.actor)
                .collect();
            let kind = ActionKind::Restrict {
                exporter: p.actor,
                importers: importers.clone(),
                mineral: p.mineral,
                stages: vec![p.stage],
                fraction,
                quota: None,
                target_span: Span::default(),
            };
            // An undated statement appended to the scenario is suspended by
            // a lift in force, as any restriction without `from` is
            // (SPEC §8.1).
            let action = Action::new(kind, Span::default());
            let suspended = lifts.iter().any(|l| l.suspends(&action).contains(&p.stage));
            if !suspended {
                ms.restrictions.push(RestrictionLine {
                    exporter: p.actor,
                    importers,
                    stages: vec![p.stage],
                    fraction,
                    quota: None,
                    span: Span::default(),
                    statement: Span::default(),
                });
            }
        }
    }
    let mut minerals = vec![MineralState::default(); state.minerals.len()];
    minerals[p.mineral] = ms;
    ScenarioState {
        id: state.id,
        at: state.at,
        minerals,
        allocation: state.allocation,
        rerouting: state.rerouting,
        warnings: Vec::new(),
    }
}

/// The event's statement as it would be written in the scenario.
fn statement(checked: &Checked, p: &Planned, opts: &SweepOptions) -> String {
    let world = &checked.world;
    let code = &world.actors[p.actor].code;
    let mineral = &world.minerals[p.mineral];
    let target = format!("{}.{}", mineral.name, mineral.stages[p.stage]);
    let by = super::written_percent(opts.by);
    match opts.kind {
        EventKind::Disrupt => format!("disrupt {code} {target} by {by}"),
        EventKind::Restrict => format!("{code} restricts {target} to all by {by}"),
    }
}

/// `market, rerouting 100%`.
fn allocation(checked: &Checked, state: &ScenarioState, values: &crate::program::Values) -> String {
    let rule = match state.allocation {
        Allocation::Sticky => "sticky".to_string(),
        Allocation::Market => "market".to_string(),
        Allocation::CoalitionFirst(g) => {
            format!("coalition_first {}", checked.world.groups[g].name)
        }
    };
    let r = state.rerouting.get(values).clamp(0.0, 1.0);
    format!("{rule}, rerouting {}", super::written_percent(r))
}
