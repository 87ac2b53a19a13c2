//! One mineral of one scenario, evaluated, and the exposures of its rows.

use std::borrow::Cow;
use std::collections::HashMap;

use super::assemble::{self, ScenarioState};
use crate::model::{self, Exposure, Market, Outcome};
use crate::program::{ActorId, Checked, GroupId, MineralId, Subject, Values};

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
                let members = self.members(checked, g);
                let stocks: Vec<Option<f64>> =
                    members.iter().map(|&i| self.stock_days[i]).collect();
                model::metrics::group(&self.market, &self.outcome, &members, &stocks)
            }
        }
    }

    /// The local indices of a group's members that take part.
    fn members(&self, checked: &Checked, g: GroupId) -> Vec<usize> {
        checked.world.groups[g]
            .members
            .iter()
            .filter_map(|a| self.local.get(a).copied())
            .collect()
    }

    /// The exposure of an actor that takes no part in this market.
    fn empty(&self) -> Exposure {
        model::metrics::group(&self.market, &self.outcome, &[], &[])
    }
}

/// Evaluates one mineral of an assembled scenario with `values`.
pub fn evaluate_mineral(
    checked: &Checked,
    state: &ScenarioState,
    mineral: MineralId,
    values: &Values,
) -> MineralEval {
    let (market, local, global) = assemble::market(checked, state, mineral, values);
    let outcome = model::evaluate(&market);
    let volume = checked.world.minerals[mineral].volume_t;
    let ms = &state.minerals[mineral];
    let stock_days = global
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (stock, _) = ms.stock.get(a)?;
            assemble::stock_days(*stock, market.demand[i], volume, values)
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
                let members = ev.members(checked, g);
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
