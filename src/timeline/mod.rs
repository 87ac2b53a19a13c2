//! Timelines (SPEC §8.3): one scenario evaluated at each step date
//! `t0 < t1 < …`, with stockpiles that deplete between the steps.
//!
//! The situation at a step holds until the next one. Each mineral is
//! evaluated once per distinct set of statements in force (the dated
//! statements that touch it): a step where nothing about a mineral changed
//! reuses the earlier evaluation, so a three-year monthly timeline runs the
//! model only as often as the news changes. The results are typed data;
//! `report::timeline` renders them.

mod sampled;
mod select;
mod stock;

use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::Serialize;

use crate::date::{Date, Step};
use crate::eval::{Exposures, assemble, clean, clean_count};
use crate::program::{ActionKind, ActorId, Checked, MineralId, ReportSel, ScenarioId, Subject};
use crate::results::RowKind;

pub use sampled::{StockOutStats, timeline_sampled};
pub use select::{resolve_minerals, resolve_rows};
pub use stock::{Depletion, Drawn};

/// The most steps one timeline may have: 100 years monthly.
pub const MAX_STEPS: usize = 1_200;

/// Months after the latest date a scenario names that a default range ends.
pub const DEFAULT_MONTHS_AFTER: i64 = 12;

/// What to compute.
#[derive(Debug, Clone, Default)]
pub struct TimelineOptions {
    /// The scenario (`base` by default).
    pub scenario: ScenarioId,
    /// The first step; default: the earliest date the scenario's
    /// statements name.
    pub from: Option<Date>,
    /// The end of the last step (not itself a step); default: 12 months
    /// after the latest date the statements name.
    pub until: Option<Date>,
    pub step: Step,
    /// Rows; default: the scenario's `report`, else the default rows.
    pub rows: Option<Vec<Subject>>,
    /// Minerals; default: the scenario's `report`, else all.
    pub minerals: Option<Vec<MineralId>>,
}

/// Why there is no timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelineError {
    /// No `--from`/`--until`, and the scenario names no date.
    Undated { scenario: String },
    /// `until` is not after `from`.
    Empty { from: Date, until: Date },
    /// More than [`MAX_STEPS`] steps.
    TooManySteps { steps: usize, step: Step },
    /// A step date past the calendar's range (year 9999).
    Calendar,
}

impl std::fmt::Display for TimelineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelineError::Undated { scenario } => write!(
                f,
                "scenario `{scenario}` names no date, so a timeline has no range: give --from and \
                 --until, or date its statements (`from 2026-01-12`)"
            ),
            TimelineError::Empty { from, until } => write!(
                f,
                "the timeline ends ({until}) before it starts ({from}): --until must be after --from"
            ),
            TimelineError::TooManySteps { steps, step } => write!(
                f,
                "the range holds about {steps} {} steps; a timeline has at most {MAX_STEPS}: a \
                 longer step or a shorter range",
                step.name()
            ),
            TimelineError::Calendar => write!(f, "the range runs past the year 9999"),
        }
    }
}

impl std::error::Error for TimelineError {}

/// A scenario over time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub lode_version: &'static str,
    pub scenario: String,
    /// The first step.
    pub from: Date,
    /// The end of the last step.
    pub until: Date,
    pub step: Step,
    /// The step dates, `from` first.
    pub steps: Vec<Date>,
    pub rows: Vec<TimelineRow>,
    /// One per country and mineral holding a stockpile during the range.
    pub stockpiles: Vec<StockSummary>,
    /// How many times a mineral was evaluated: once per mineral and
    /// distinct set of dated statements in force that touch it.
    #[serde(skip)]
    pub evaluations: usize,
    /// With `--samples`: how the samples were drawn (the figures above are
    /// the plain run's; the statistics sit beside them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling: Option<crate::results::SamplingInfo>,
}

/// One (actor, mineral) over the steps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineRow {
    pub actor: String,
    pub kind: RowKind,
    pub mineral: String,
    /// One per step.
    pub points: Vec<Point>,
    /// A country's stock runs out on this day (the exact moment rounded
    /// down to whole days); `null` when it lasts the range, or for a group.
    pub stock_out: Option<Date>,
    /// The exact moment, in days after `from`: `t_i + L_i / f_i`.
    pub stock_out_day: Option<f64>,
    /// With `--samples`, for a country with a stockpile: in how many
    /// samples it runs out, and when.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stock_out_stats: Option<StockOutStats>,
}

/// One step of one row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Point {
    /// The step's first day.
    pub date: Date,
    /// Its length in days.
    pub days: i64,
    /// After rerouting, before any stock; `null`: no data.
    pub shortfall: Option<f64>,
    /// Stock left at the step's start, in days of normal use; `null`
    /// without a stockpile (for a group: none of its members holds one).
    pub stock_days: Option<f64>,
    /// `max(0, f·Δ − L) / Δ`: the share of demand neither supply nor stock
    /// covers over the step; `null`: no data.
    pub uncovered: Option<f64>,
    /// With `--samples`: the shortfall over the samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shortfall_stats: Option<crate::sample::Stats>,
}

/// What became of one stockpile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StockSummary {
    pub actor: String,
    pub mineral: String,
    /// Its size when it came into force, in days of normal use.
    pub size_days: f64,
    /// The first step at which it covered a shortfall; `null` if none did.
    pub drawn_from: Option<Date>,
    /// The day it runs out; `null` when it lasts the range.
    pub stock_out: Option<Date>,
    /// Days left at the end of the range (0 once out; `null` when no
    /// stockpile is in force then).
    pub left_days: Option<f64>,
}

impl StockSummary {
    /// `JP rare_earths: stock runs out 2026-03-03, 50 days after 2026-01-12`.
    pub fn sentence(&self, until: Date) -> String {
        let who = format!("{} {}", self.actor, self.mineral);
        match (self.stock_out, self.drawn_from) {
            (Some(out), Some(since)) => format!(
                "{who}: stock runs out {out}, {} days after {since}",
                since.days_until(out)
            ),
            (Some(out), None) => format!("{who}: stock runs out {out}"),
            (None, Some(since)) => format!(
                "{who}: stock lasts the range, drawn on from {since}: {} of {} days left on {until}",
                days(self.left_days.unwrap_or(0.0)),
                days(self.size_days)
            ),
            (None, None) => format!(
                "{who}: stock of {} days untouched to {until}",
                days(self.size_days)
            ),
        }
    }
}

/// Days with at most one decimal, without a trailing `.0`.
fn days(v: f64) -> String {
    let s = format!("{:.1}", v);
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

/// The step dates and the range: `--from`/`--until` or the default.
pub fn range(
    checked: &Checked,
    opts: &TimelineOptions,
) -> Result<(Vec<Date>, Date), TimelineError> {
    let s = opts.scenario;
    let mut named = checked.dates(s);
    if let Some((d, _)) = own_at(checked, s) {
        named.push(d);
        named.sort_unstable();
    }
    let months = |d: Date, n: i64| d.plus_months(n).ok_or(TimelineError::Calendar);
    let (from, until) = match (opts.from, opts.until, named.first(), named.last()) {
        (Some(f), Some(u), _, _) => (f, u),
        (Some(f), None, _, last) => (
            f,
            months(last.copied().unwrap_or(f).max(f), DEFAULT_MONTHS_AFTER)?,
        ),
        (None, Some(u), first, _) => (
            match first {
                Some(&f) if f < u => f,
                _ => months(u, -DEFAULT_MONTHS_AFTER)?,
            },
            u,
        ),
        (None, None, Some(&f), Some(&l)) => (f, months(l, DEFAULT_MONTHS_AFTER)?),
        (None, None, _, _) => {
            return Err(TimelineError::Undated {
                scenario: checked.scenarios[s].name.clone(),
            });
        }
    };
    if until <= from {
        return Err(TimelineError::Empty { from, until });
    }
    let mut steps = Vec::new();
    for i in 0.. {
        // Past the calendar's last day the range is over too: `until` is
        // within the calendar.
        let Some(t) = opts.step.nth(from, i).filter(|&t| t < until) else {
            break;
        };
        if steps.len() == MAX_STEPS {
            // Count them all for the message, cheaply.
            let per_year = match opts.step {
                Step::Week => 52,
                Step::Month => 12,
                Step::Quarter => 4,
                Step::Year => 1,
            };
            let years = from.days_until(until) as usize / 365 + 1;
            return Err(TimelineError::TooManySteps {
                steps: (years * per_year).max(MAX_STEPS + 1),
                step: opts.step,
            });
        }
        steps.push(t);
    }
    Ok((steps, until))
}

/// The nearest `at` of a scenario's chain.
fn own_at(checked: &Checked, s: ScenarioId) -> Option<(Date, crate::source::Span)> {
    let mut cur = Some(s);
    let mut seen = 0;
    while let Some(c) = cur {
        if let Some(at) = checked.scenarios[c].at {
            return Some(at);
        }
        seen += 1;
        cur = match checked.scenarios[c].parent {
            Some(p) if seen <= checked.scenarios.len() => Some(p),
            _ if c != ScenarioId::BASE => Some(ScenarioId::BASE),
            _ => None,
        };
    }
    None
}

/// What one evaluation of a mineral gives the timeline.
struct Figures {
    /// Per country needed: shortfall (`None`: no data) and demand.
    countries: HashMap<ActorId, (Option<f64>, f64)>,
    /// Per group row: its shortfall (`None`: no data).
    groups: HashMap<Subject, Option<f64>>,
}

/// Evaluates a scenario over time.
pub fn timeline(checked: &Checked, opts: &TimelineOptions) -> Result<Timeline, TimelineError> {
    timeline_with(checked, opts, &checked.plain_values())
}

/// Evaluates a scenario over time with the uncertain values at `values`.
pub(crate) fn timeline_with(
    checked: &Checked,
    opts: &TimelineOptions,
    values: &crate::program::Values,
) -> Result<Timeline, TimelineError> {
    let s = opts.scenario;
    let (steps, until) = range(checked, opts)?;
    let states: Vec<assemble::ScenarioState> = steps
        .par_iter()
        .map(|&t| assemble::structure(checked, s, Some(t)))
        .collect();
    // Rows, from the first step's structure (demand is not dated).
    let report = ReportSel {
        rows: opts
            .rows
            .clone()
            .or_else(|| checked.report_of(s).and_then(|r| r.rows.clone())),
        minerals: opts
            .minerals
            .clone()
            .or_else(|| checked.report_of(s).and_then(|r| r.minerals.clone())),
    };
    let rows = crate::eval::plan::rows_for(checked, &states[0], Some(&report));
    let mut minerals: Vec<MineralId> = rows.iter().map(|&(_, m)| m).collect();
    minerals.dedup();
    let world = &checked.world;
    // The countries each mineral's rows need.
    let mut needed: BTreeMap<MineralId, Vec<Subject>> = BTreeMap::new();
    for &(subject, m) in &rows {
        needed.entry(m).or_default().push(subject);
    }
    // Which dated statements are in force, per mineral and step: the key
    // of an evaluation.
    // A lift touches the minerals of the restrictions it can suspend.
    let actions = checked.actions(s);
    let dated: Vec<(usize, MineralId)> = actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.from.is_some() || a.until.is_some())
        .flat_map(|(i, a)| match &a.kind {
            ActionKind::Restrict { mineral, .. }
            | ActionKind::Disrupt { mineral, .. }
            | ActionKind::Adds { mineral, .. } => vec![(i, *mineral)],
            ActionKind::Lift { .. } => {
                let mut touched: Vec<(usize, MineralId)> = actions
                    .iter()
                    .filter_map(|r| match &r.kind {
                        ActionKind::Restrict { mineral, .. } if !a.suspends(r).is_empty() => {
                            Some((i, *mineral))
                        }
                        _ => None,
                    })
                    .collect();
                touched.sort_unstable();
                touched.dedup();
                touched
            }
            // A stockpile changes the stock, not the market.
            _ => Vec::new(),
        })
        .collect();
    let key = |m: MineralId, t: Date| -> Vec<bool> {
        dated
            .iter()
            .filter(|(_, am)| *am == m)
            .map(|&(i, _)| actions[i].in_force(Some(t)))
            .collect()
    };
    // Each distinct (mineral, key) once, at its first step.
    let mut first_step: BTreeMap<(MineralId, Vec<bool>), usize> = BTreeMap::new();
    let mut step_key: Vec<Vec<(MineralId, Vec<bool>)>> = Vec::with_capacity(steps.len());
    for (i, &t) in steps.iter().enumerate() {
        let keys: Vec<(MineralId, Vec<bool>)> = minerals.iter().map(|&m| (m, key(m, t))).collect();
        for k in &keys {
            first_step.entry(k.clone()).or_insert(i);
        }
        step_key.push(keys);
    }
    let jobs: Vec<((MineralId, Vec<bool>), usize)> = first_step.into_iter().collect();
    let evaluations = jobs.len();
    let evaluated: HashMap<(MineralId, Vec<bool>), Figures> = jobs
        .into_par_iter()
        .map(|((m, k), i)| {
            let ev = crate::eval::evaluate_mineral(checked, &states[i], m, values);
            let mut exposures = Exposures::new(&ev);
            let mut countries = HashMap::new();
            let mut groups = HashMap::new();
            for &subject in &needed[&m] {
                let members: Vec<ActorId> = match subject {
                    Subject::Actor(a) => vec![a],
                    Subject::Group(g) => {
                        let f = exposures.get(checked, subject);
                        groups.insert(subject, f.has_data().then(|| clean(f.x.shortfall)));
                        world.groups[g].members.clone()
                    }
                };
                for a in members {
                    if countries.contains_key(&a) {
                        continue;
                    }
                    let f = exposures.get(checked, Subject::Actor(a));
                    let shortfall = f.has_data().then(|| clean(f.x.shortfall));
                    countries.insert(a, (shortfall, f.x.demand));
                }
            }
            ((m, k), Figures { countries, groups })
        })
        .collect();
    let figures = |i: usize, m: MineralId| -> &Figures {
        let k = step_key[i]
            .iter()
            .find(|(km, _)| *km == m)
            .unwrap_or_else(|| panic!("internal error: no key for a mineral of the timeline"));
        &evaluated[k]
    };
    let lengths: Vec<i64> = steps
        .iter()
        .enumerate()
        .map(|(i, &t)| t.days_until(steps.get(i + 1).copied().unwrap_or(until)))
        .collect();
    let start = steps[0];
    // Every country's stock, per mineral, over the steps.
    let mut depletions: BTreeMap<(MineralId, ActorId), (Depletion, Vec<Drawn>)> = BTreeMap::new();
    for (&m, subjects) in &needed {
        let volume = world.minerals[m].volume_t;
        let mut countries: Vec<ActorId> = subjects
            .iter()
            .flat_map(|&sub| match sub {
                Subject::Actor(a) => vec![a],
                Subject::Group(g) => world.groups[g].members.clone(),
            })
            .collect();
        countries.sort_unstable();
        countries.dedup();
        for a in countries {
            let mut dep = Depletion::default();
            let mut drawn = Vec::with_capacity(steps.len());
            for (i, &t) in steps.iter().enumerate() {
                let (f, demand) = figures(i, m).countries[&a];
                let stockpile = states[i].minerals[m]
                    .stock
                    .get(&a)
                    .and_then(|(stock, span)| {
                        assemble::stock_days(*stock, demand, volume, values).map(|d| (d, *span))
                    });
                drawn.push(dep.step(t, start.days_until(t), lengths[i] as f64, f, stockpile));
            }
            depletions.insert((m, a), (dep, drawn));
        }
    }
    let mut out_rows = Vec::with_capacity(rows.len());
    for &(subject, m) in &rows {
        let mineral = world.minerals[m].name.clone();
        let (kind, points, stock_out) = match subject {
            Subject::Actor(a) => {
                let (dep, drawn) = &depletions[&(m, a)];
                let points = steps
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| Point {
                        date: t,
                        days: lengths[i],
                        shortfall: figures(i, m).countries[&a].0,
                        stock_days: drawn[i].stock_days.map(clean_count),
                        uncovered: drawn[i].uncovered.map(clean),
                        shortfall_stats: None,
                    })
                    .collect();
                (RowKind::Country, points, dep.stock_out)
            }
            Subject::Group(g) => {
                let group = &world.groups[g];
                let kind = if group.kind == crate::program::GroupKind::Coalition {
                    RowKind::Coalition
                } else {
                    RowKind::Group
                };
                let points = steps
                    .iter()
                    .enumerate()
                    .map(|(i, &t)| {
                        let fig = figures(i, m);
                        // Members with data, weighted by demand.
                        let mut weight = 0.0;
                        let mut unc = 0.0;
                        let mut stock = 0.0;
                        let mut holds = false;
                        for a in &group.members {
                            let (f, d) = fig.countries[a];
                            let drawn = &depletions[&(m, *a)].1[i];
                            if f.is_none() {
                                continue;
                            }
                            weight += d;
                            unc += d * drawn.uncovered.unwrap_or(0.0);
                            if let Some(l) = drawn.stock_days {
                                holds = true;
                                stock += d * l;
                            }
                        }
                        let has = fig.groups.get(&subject).copied().flatten().is_some();
                        let mean = |x: f64| (has && weight > 0.0).then(|| x / weight);
                        Point {
                            date: t,
                            days: lengths[i],
                            shortfall: fig.groups.get(&subject).copied().flatten(),
                            stock_days: if holds {
                                mean(stock).map(clean_count)
                            } else {
                                None
                            },
                            uncovered: if has && weight <= 0.0 {
                                Some(0.0)
                            } else {
                                mean(unc).map(clean)
                            },
                            shortfall_stats: None,
                        }
                    })
                    .collect();
                (kind, points, None)
            }
        };
        out_rows.push(TimelineRow {
            actor: world.subject_name(subject).to_string(),
            kind,
            mineral,
            points,
            stock_out: stock_out.map(|(d, _)| d),
            stock_out_day: stock_out.map(|(_, x)| clean_count(x)),
            stock_out_stats: None,
        });
    }
    let mut stockpiles = Vec::new();
    for ((m, a), (dep, _)) in &depletions {
        let shown = rows
            .iter()
            .any(|&(sub, rm)| rm == *m && sub == Subject::Actor(*a));
        let Some(size) = dep.size.filter(|_| shown) else {
            continue;
        };
        stockpiles.push(StockSummary {
            actor: world.actors[*a].code.clone(),
            mineral: world.minerals[*m].name.clone(),
            size_days: clean_count(size),
            drawn_from: dep.since,
            stock_out: dep.stock_out.map(|(d, _)| d),
            left_days: dep.left().map(clean_count),
        });
    }
    Ok(Timeline {
        lode_version: env!("CARGO_PKG_VERSION"),
        scenario: checked.scenarios[s].name.clone(),
        from: start,
        until,
        step: opts.step,
        steps,
        rows: out_rows,
        stockpiles,
        evaluations,
        sampling: None,
    })
}
