//! Expectations with a date of their own (`expect japan_cutoff at
//! 2026-06-01: …`, SPEC §8.2) that differs from their scenario's
//! evaluation date: each (scenario, date) is assembled apart and only the
//! minerals the expectations name are evaluated. Both sides of a
//! comparison between metrics are measured at the expectation's date.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::plan::{self, Plan, Side};
use super::{Exposures, Measured, assemble, evaluate_mineral, measure};
use crate::date::Date;
use crate::program::{Checked, MineralId, ScenarioId};

/// The measured sides of the plan's dated expectations.
pub(super) fn measure_all(checked: &Checked, plan: &Plan<'_>) -> Vec<(usize, Side, Measured)> {
    if plan.at_dates.is_empty() {
        return Vec::new();
    }
    // (scenario, date) → mineral → the sides measured there.
    type Sides = Vec<(usize, Side)>;
    let mut work: BTreeMap<(ScenarioId, Date), BTreeMap<MineralId, Sides>> = BTreeMap::new();
    for &i in &plan.at_dates {
        let e = plan.expectations[i];
        let Some(at) = e.at else { continue };
        for (side, s, m) in plan::sides(e) {
            work.entry((s, at))
                .or_default()
                .entry(m.mineral)
                .or_default()
                .push((i, side));
        }
    }
    let values = checked.plain_values();
    let jobs: Vec<((ScenarioId, Date), MineralId, Sides)> = work
        .into_iter()
        .flat_map(|(key, minerals)| minerals.into_iter().map(move |(m, s)| (key, m, s)))
        .collect();
    // One structure per (scenario, date), shared by its minerals.
    let mut states: BTreeMap<(ScenarioId, Date), assemble::ScenarioState> = BTreeMap::new();
    for ((s, at), _, _) in &jobs {
        states
            .entry((*s, *at))
            .or_insert_with(|| assemble::structure(checked, *s, Some(*at)));
    }
    jobs.par_iter()
        .flat_map_iter(|(key, m, sides)| {
            let state = &states[key];
            let ev = evaluate_mineral(checked, state, *m, &values);
            let mut exposures = Exposures::new(&ev);
            sides
                .iter()
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
                .collect::<Vec<_>>()
        })
        .collect()
}
