//! One mineral of one scenario, evaluated, and the exposures of its rows,
//! with where each row's demand figure comes from.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::assemble::{self, ScenarioState};
use crate::model::{self, Exposure, Market, Outcome};
use crate::program::{ActorId, Checked, GroupId, MineralId, Subject, Values};
use crate::results::DemandBasis;

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
    /// Where each actor's demand figure comes from; absent: no data.
    pub basis: BTreeMap<ActorId, DemandBasis>,
    /// A share line was scaled down to 100% with these values.
    pub scaled: bool,
}

/// A row's exposure with its data basis (SPEC §3.6 "No data").
#[derive(Debug, Clone, PartialEq)]
pub struct Figures<'a> {
    pub x: Cow<'a, Exposure>,
    pub basis: DemandBasis,
    /// For a group: members with a demand figure, and all members.
    pub data_members: Option<[usize; 2]>,
}

impl Figures<'_> {
    pub fn has_data(&self) -> bool {
        self.basis != DemandBasis::None
    }
}

impl MineralEval {
    /// The figures of `subject`, computed on their own.
    pub fn exposure(&self, checked: &Checked, subject: Subject) -> Figures<'static> {
        let mut e = Exposures::new(self);
        let f = e.get(checked, subject);
        Figures {
            x: Cow::Owned(f.x.into_owned()),
            basis: f.basis,
            data_members: f.data_members,
        }
    }

    fn basis_of(&self, a: ActorId) -> DemandBasis {
        self.basis.get(&a).copied().unwrap_or(DemandBasis::None)
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
    let mut resolved = assemble::resolve(checked, state, mineral, values);
    let (mut market, mut local, mut global) = assemble::market_of(checked, state, &resolved);
    if resolved.restrictions.iter().any(|r| r.quota.is_some()) {
        // A quota (`by 10 kt`) is taken off the restricted flows pro rata
        // to their equilibrium size: f = quota / Σ flows, at most 1.
        let (eq, _) = model::equilibrium::solve(&market);
        let stages = &eq.stages;
        for r in resolved.restrictions.iter_mut() {
            let Some(q) = r.quota else { continue };
            let flow: f64 = match local.get(&r.exporter) {
                Some(&e) => r
                    .importers
                    .iter()
                    .filter_map(|a| local.get(a))
                    .flat_map(|&i| {
                        r.stages
                            .iter()
                            .map(move |&s| stages.get(s).map_or(0.0, |st| st.flow(i, e)))
                    })
                    .sum(),
                None => 0.0,
            };
            r.fraction = if flow > 1e-12 {
                (q / flow).min(1.0)
            } else {
                0.0
            };
        }
        (market, local, global) = assemble::market_of(checked, state, &resolved);
    }
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
        basis: resolved.basis,
        scaled: resolved.scaled,
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

    /// The figures of `subject`. A group's metrics are computed over the
    /// members with a demand figure (SPEC §3.6); its output over all of
    /// them.
    pub fn get(&mut self, checked: &Checked, subject: Subject) -> Figures<'_> {
        let ev = self.ev;
        match subject {
            Subject::Actor(a) => {
                let basis = ev.basis_of(a);
                let x = match ev.local.get(&a) {
                    Some(&i) => Cow::Borrowed(self.country(i)),
                    None => Cow::Owned(ev.empty()),
                };
                Figures {
                    x,
                    basis,
                    data_members: None,
                }
            }
            Subject::Group(g) => self.group(checked, g),
        }
    }

    fn group(&mut self, checked: &Checked, g: GroupId) -> Figures<'_> {
        let ev = self.ev;
        let all = &checked.world.groups[g].members;
        let with_data: Vec<ActorId> = all
            .iter()
            .copied()
            .filter(|&a| ev.basis_of(a) != DemandBasis::None)
            .collect();
        let basis = if with_data.is_empty() {
            DemandBasis::None
        } else if with_data
            .iter()
            .any(|&a| ev.basis_of(a) == DemandBasis::Covers)
        {
            DemandBasis::Covers
        } else {
            DemandBasis::Data
        };
        let local = |members: &[ActorId]| -> Vec<usize> {
            members
                .iter()
                .filter_map(|a| ev.local.get(a).copied())
                .collect()
        };
        let members = local(&with_data);
        for &i in &members {
            self.country(i);
        }
        let parts: Vec<&Exposure> = members
            .iter()
            .filter_map(|&i| self.countries[i].as_ref())
            .collect();
        let stocks: Vec<Option<f64>> = members.iter().map(|&i| ev.stock_days[i]).collect();
        let mut x = model::metrics::group_of(&ev.outcome, &members, &parts, &stocks);
        // Output is not measured against demand: every member's counts.
        let everyone = local(all);
        let eq = &ev.outcome.equilibrium;
        x.output = (0..eq.output.len())
            .map(|s| everyone.iter().map(|&i| eq.output[s][i]).sum())
            .collect();
        Figures {
            x: Cow::Owned(x),
            basis,
            data_members: Some([with_data.len(), all.len()]),
        }
    }
}
