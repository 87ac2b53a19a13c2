//! Scenario assembly (SPEC §2.5): world data, then base's statements, then
//! each ancestor's, then the scenario's own, in order; then coalition
//! `covers` claims; then one model [`Market`] per mineral.

use std::collections::{BTreeMap, HashMap};

use super::MineralEval;
use crate::diagnostic::{Code, Diag};
use crate::model::{self, Disruption, Market, Restriction, Rule, Sourcing};
use crate::program::{
    Action, ActorId, Allocation, Checked, GroupKind, Line, MineralId, ScenarioId, Shares,
    SourcingLine, Stock,
};
use crate::source::Span;

/// A `restricts`/`bans` statement as it applies to one mineral.
#[derive(Debug, Clone)]
pub struct RestrictionLine {
    pub exporter: ActorId,
    pub importers: Vec<ActorId>,
    pub stages: Vec<usize>,
    pub fraction: f64,
    pub span: Span,
}

/// One mineral's data after a scenario's statements.
#[derive(Debug, Clone, Default)]
pub struct MineralState {
    pub stage_shares: Vec<Option<Shares>>,
    pub demand: Option<Shares>,
    pub sourcing: Vec<SourcingLine>,
    pub adds: Vec<(ActorId, usize, f64)>,
    pub stock: HashMap<ActorId, Stock>,
    pub restrictions: Vec<RestrictionLine>,
    pub disruptions: Vec<(ActorId, Vec<usize>, f64)>,
}

#[derive(Debug, Clone, Default)]
pub struct ScenarioState {
    pub minerals: Vec<MineralState>,
    pub allocation: Allocation,
    pub rerouting: f64,
    pub warnings: Vec<Diag>,
}

/// Applies a scenario's statements to the world data.
pub fn scenario(checked: &Checked, id: ScenarioId) -> ScenarioState {
    let world = &checked.world;
    let mut st = ScenarioState {
        minerals: world
            .minerals
            .iter()
            .map(|m| MineralState {
                stage_shares: m.stage_shares.clone(),
                demand: m.demand.clone(),
                sourcing: m.sourcing.clone(),
                ..MineralState::default()
            })
            .collect(),
        ..ScenarioState::default()
    };
    let mut allocation: Option<Allocation> = None;
    let mut rerouting: Option<f64> = None;
    for action in checked.actions(id) {
        match action {
            Action::Shares {
                mineral,
                line,
                shares,
            } => {
                let ms = &mut st.minerals[*mineral];
                match line {
                    Line::Stage(s) => ms.stage_shares[*s] = Some(shares.clone()),
                    Line::Demand => ms.demand = Some(shares.clone()),
                }
            }
            Action::Sourcing { mineral, line } => {
                let ms = &mut st.minerals[*mineral];
                ms.sourcing
                    .retain(|l| !(l.buyer == line.buyer && l.stage == line.stage));
                ms.sourcing.push(line.clone());
            }
            Action::Adds {
                actor,
                mineral,
                stage,
                amount,
            } => {
                st.minerals[*mineral].adds.push((*actor, *stage, *amount));
            }
            Action::Stockpile {
                actor,
                mineral,
                stock,
            } => {
                st.minerals[*mineral].stock.insert(*actor, *stock);
            }
            Action::Restrict {
                exporter,
                importers,
                mineral,
                stages,
                fraction,
                span,
            } => {
                st.minerals[*mineral].restrictions.push(RestrictionLine {
                    exporter: *exporter,
                    importers: importers.clone(),
                    stages: stages.clone(),
                    fraction: *fraction,
                    span: *span,
                });
            }
            Action::Disrupt {
                actor,
                mineral,
                stages,
                fraction,
            } => {
                st.minerals[*mineral]
                    .disruptions
                    .push((*actor, stages.clone(), *fraction));
            }
            Action::Rerouting(r) => rerouting = Some(*r),
            Action::Allocation(a) => allocation = Some(*a),
        }
    }
    // SPEC §3.5 defaults: market with no rerouting; naming market or
    // coalition_first without a rerouting line reroutes everything; sticky
    // never reroutes.
    st.allocation = allocation.unwrap_or(Allocation::Market);
    st.rerouting = match (allocation, rerouting) {
        (Some(Allocation::Sticky), _) => 0.0,
        (_, Some(r)) => r,
        (Some(_), None) => 1.0,
        (None, None) => 0.0,
    };
    apply_covers(checked, &mut st);
    st
}

/// `covers X demand`: supplies demand data where no member has any, and
/// checks it against the data elsewhere (SPEC §2.2).
fn apply_covers(checked: &Checked, st: &mut ScenarioState) {
    let world = &checked.world;
    let row = world.row();
    for g in world
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Coalition)
    {
        let Some(claim) = &g.covers else { continue };
        let minerals: Vec<MineralId> = claim
            .minerals
            .clone()
            .unwrap_or_else(|| (0..world.minerals.len()).collect());
        for m in minerals {
            let mname = &world.minerals[m].name;
            let ms = &mut st.minerals[m];
            let entries = ms
                .demand
                .as_ref()
                .map(|d| d.entries.clone())
                .unwrap_or_default();
            // Members are sorted (program::Group), so lookups are binary searches.
            let is_member = |a: &ActorId| g.members.binary_search(a).is_ok();
            let member_named = entries.iter().any(|(a, v)| is_member(a) && *v > 0.0);
            if member_named {
                let computed: f64 = entries
                    .iter()
                    .filter(|(a, _)| is_member(a))
                    .map(|(_, v)| v)
                    .sum();
                if (computed - claim.share).abs() > 0.05 + 1e-12 {
                    st.warnings.push(
                        Diag::new(
                            Code::CoversMismatch,
                            format!(
                                "coalition `{}` claims {} of {mname} demand; the data gives {}",
                                g.name,
                                pct(claim.share),
                                pct(computed)
                            ),
                        )
                        .with_label(claim.span, "the claim")
                        .help("the data stands; the claim is only checked")
                        .about([
                            m as u64,
                            claim.share.to_bits(),
                            computed.to_bits(),
                        ]),
                    );
                }
                continue;
            }
            let members: Vec<ActorId> = g.members.iter().copied().filter(|&a| a != row).collect();
            if members.is_empty() {
                continue;
            }
            let others: f64 = entries
                .iter()
                .filter(|(a, _)| !is_member(a) && *a != row)
                .map(|(_, v)| v)
                .sum();
            let mut share = claim.share;
            if others + share > 1.0 + 1e-9 {
                let room = (1.0 - others).max(0.0);
                st.warnings.push(
                    Diag::new(
                        Code::CoversMismatch,
                        format!(
                            "coalition `{}` claims {} of {mname} demand, but the data leaves only {} to others; {} used",
                            g.name,
                            pct(claim.share),
                            pct(room),
                            pct(room)
                        ),
                    )
                    .with_label(claim.span, "the claim")
                    .about([m as u64, claim.share.to_bits(), room.to_bits()]),
                );
                share = room;
            }
            let gdps: Option<Vec<f64>> = members.iter().map(|&a| world.actors[a].gdp).collect();
            let weights: Vec<f64> = match gdps {
                Some(g) if g.iter().sum::<f64>() > 0.0 => g,
                _ => vec![1.0; members.len()],
            };
            let total: f64 = weights.iter().sum();
            let mut new_entries: Vec<(ActorId, f64)> =
                entries.into_iter().filter(|(a, _)| *a != row).collect();
            for (a, w) in members.iter().zip(&weights) {
                new_entries.push((*a, share * w / total));
            }
            let span = ms.demand.as_ref().map(|d| d.span).unwrap_or(claim.span);
            ms.demand = Some(Shares {
                entries: new_entries,
                span,
            });
        }
    }
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// Final-stage demand per actor (ROW included) of a mineral in a scenario.
pub fn demand_of(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
) -> BTreeMap<ActorId, f64> {
    with_row(checked, st.minerals[mineral].demand.as_ref())
}

/// A share line as a full distribution: named entries plus ROW's remainder.
fn with_row(checked: &Checked, shares: Option<&Shares>) -> BTreeMap<ActorId, f64> {
    let row = checked.world.row();
    let mut out = BTreeMap::new();
    let mut named = 0.0;
    let mut row_named = false;
    if let Some(s) = shares {
        for &(a, v) in &s.entries {
            *out.entry(a).or_insert(0.0) += v;
            named += v;
            row_named |= a == row;
        }
    }
    if !row_named {
        let rest = (1.0 - named).max(0.0);
        *out.entry(row).or_insert(0.0) += rest;
    }
    out
}

/// The model's view of one mineral: participants indexed in code order.
pub fn market(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
) -> (Market, HashMap<ActorId, usize>, Vec<ActorId>) {
    let world = &checked.world;
    let ms = &st.minerals[mineral];
    let stages = world.minerals[mineral].stages.len();
    let caps: Vec<BTreeMap<ActorId, f64>> = (0..stages)
        .map(|s| {
            let mut c = with_row(checked, ms.stage_shares[s].as_ref());
            for &(a, stage, amount) in &ms.adds {
                if stage == s {
                    *c.entry(a).or_insert(0.0) += amount;
                }
            }
            c
        })
        .collect();
    let demand = with_row(checked, ms.demand.as_ref());
    let mut part: Vec<ActorId> = Vec::new();
    for c in &caps {
        part.extend(c.iter().filter(|(_, v)| **v > 0.0).map(|(a, _)| *a));
    }
    part.extend(demand.iter().filter(|(_, v)| **v > 0.0).map(|(a, _)| *a));
    for l in &ms.sourcing {
        part.push(l.buyer);
        part.extend(l.shares.iter().map(|(a, _)| *a));
    }
    part.push(world.row());
    part.sort_by(|a, b| world.actors[*a].code.cmp(&world.actors[*b].code));
    part.dedup();
    let local: HashMap<ActorId, usize> = part.iter().enumerate().map(|(i, a)| (*a, i)).collect();
    let n = part.len();
    let vec_of = |m: &BTreeMap<ActorId, f64>| {
        let mut v = vec![0.0; n];
        for (a, x) in m {
            if let Some(&i) = local.get(a) {
                v[i] += *x;
            }
        }
        v
    };
    let capacity: Vec<Vec<f64>> = caps.iter().map(vec_of).collect();
    let demand_v = vec_of(&demand);
    let sourcing = ms
        .sourcing
        .iter()
        .map(|l| Sourcing {
            buyer: local[&l.buyer],
            stage: l.stage,
            shares: l.shares.iter().map(|(a, v)| (local[a], *v)).collect(),
        })
        .collect();
    let mut restrictions = Vec::new();
    for line in &ms.restrictions {
        let Some(&e) = local.get(&line.exporter) else {
            continue;
        };
        for imp in &line.importers {
            let Some(&i) = local.get(imp) else { continue };
            for &s in &line.stages {
                restrictions.push(Restriction {
                    exporter: e,
                    importer: i,
                    stage: s,
                    fraction: line.fraction,
                });
            }
        }
    }
    let mut disruptions = Vec::new();
    for (a, stages_d, f) in &ms.disruptions {
        let Some(&i) = local.get(a) else { continue };
        for &s in stages_d {
            disruptions.push(Disruption {
                actor: i,
                stage: s,
                fraction: *f,
            });
        }
    }
    let rule = match st.allocation {
        Allocation::CoalitionFirst(g) => {
            let mut members = vec![false; n];
            for a in &world.groups[g].members {
                if let Some(&i) = local.get(a) {
                    members[i] = true;
                }
            }
            Rule::CoalitionFirst { members }
        }
        _ => Rule::Market,
    };
    let market = Market {
        actors: n,
        capacity,
        demand: demand_v,
        sourcing,
        disruptions,
        restrictions,
        rule,
        rerouting: st.rerouting,
    };
    (market, local, part)
}

/// The model's warnings as diagnostics with names.
pub fn model_warnings(checked: &Checked, state: &ScenarioState, ev: &MineralEval) -> Vec<Diag> {
    let world = &checked.world;
    let mineral = &world.minerals[ev.mineral];
    // The sourcing lines in force in this scenario: a scenario's own line
    // replaces the world's for the same buyer and stage.
    let sourcing = &state.minerals[ev.mineral].sourcing;
    ev.outcome
        .warnings
        .iter()
        .map(|w| match w {
            model::ModelWarning::SourcingCapped {
                buyer,
                supplier,
                stage,
                requested,
                granted,
            } => {
                let b = &world.actors[ev.global[*buyer]].code;
                let s = &world.actors[ev.global[*supplier]].code;
                let span = sourcing
                    .iter()
                    .find(|l| l.buyer == ev.global[*buyer] && l.stage == *stage)
                    .map(|l| l.span);
                let d = Diag::new(
                    Code::SourcingCapped,
                    format!(
                        "{b} sources {} of {} {} from {s}, but {s} has only {} to spare; capped",
                        pct(*requested),
                        mineral.name,
                        mineral.stages[*stage],
                        pct(*granted)
                    ),
                )
                .help(format!(
                    "give {s} more output at that stage, or lower {b}'s share from it"
                ))
                .about([
                    ev.mineral as u64,
                    ev.global[*buyer] as u64,
                    ev.global[*supplier] as u64,
                    *stage as u64,
                    requested.to_bits(),
                    granted.to_bits(),
                ]);
                match span {
                    Some(sp) => d.with_label(sp, "this sourcing line"),
                    None => d,
                }
            }
        })
        .chain(idle_restrictions(checked, state, ev))
        .collect()
}

/// Restrictions that cap no flow: the targets buy none of the mineral from
/// the exporter at the restricted stages in this scenario's equilibrium
/// (most often, a target with no demand data for the mineral), so the
/// statement changes nothing.
fn idle_restrictions<'a>(
    checked: &'a Checked,
    state: &'a ScenarioState,
    ev: &'a MineralEval,
) -> impl Iterator<Item = Diag> + 'a {
    let world = &checked.world;
    let mineral = &world.minerals[ev.mineral];
    let eq = &ev.outcome.equilibrium;
    state.minerals[ev.mineral]
        .restrictions
        .iter()
        // An empty target list has had its warning from the checker.
        .filter(|line| !line.importers.is_empty())
        .filter(move |line| {
            let Some(&e) = ev.local.get(&line.exporter) else {
                return true;
            };
            let carried: f64 = line
                .importers
                .iter()
                .filter_map(|a| ev.local.get(a))
                .flat_map(|&i| {
                    line.stages
                        .iter()
                        .map(move |&s| eq.stages.get(s).map_or(0.0, |st| st.flow(i, e)))
                })
                .sum();
            carried <= 1e-12
        })
        .map(move |line| {
            let e = &world.actors[line.exporter].code;
            let targets = match line.importers.as_slice() {
                [one] => world.actors[*one].code.clone(),
                few if few.len() <= 4 => few
                    .iter()
                    .map(|&a| world.actors[a].code.as_str())
                    .collect::<Vec<_>>()
                    .join(" + "),
                many => format!("{} actors", many.len()),
            };
            let what = if line.stages.len() == mineral.stages.len() {
                mineral.name.clone()
            } else {
                let stages: Vec<String> = line
                    .stages
                    .iter()
                    .map(|&s| format!("{}.{}", mineral.name, mineral.stages[s]))
                    .collect();
                stages.join(", ")
            };
            let buy = if line.importers.len() == 1 {
                "buys"
            } else {
                "buy"
            };
            Diag::new(
                Code::EmptyTarget,
                format!(
                    "{e}'s restriction of {what} to {targets} reaches no flow: \
                     {targets} {buy} no {} from {e} in equilibrium",
                    mineral.name
                ),
            )
            .with_label(line.span, "changes nothing")
            .about([ev.mineral as u64])
            .help(format!(
                "a restriction caps flows that exist; if it should bite, give {targets} \
                 {} demand (or a sourcing line from {e})",
                mineral.name
            ))
        })
}
