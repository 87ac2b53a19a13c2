//! Scenario assembly (SPEC §2.5), in two parts:
//!
//! - **structure** ([`scenario`]): world data, then base's statements, then
//!   each ancestor's, then the scenario's own, in order — which lines are in
//!   force at the evaluation date (SPEC §8: dated statements on
//!   `[from, until)`, restrictions suspended by lifts), with their numbers
//!   still as [`Num`]s;
//! - **values** ([`resolve`], [`market`]): the numbers filled in from a
//!   [`Values`], coalition `covers` claims applied, and one model
//!   [`Market`] per mineral.
//!
//! A scenario's structure is built once; sampling and sensitivity analyses
//! evaluate it again and again with other values.

use std::collections::{BTreeMap, HashMap};

use super::MineralEval;
use crate::date::Date;
use crate::diagnostic::{Code, Diag};
use crate::model::{self, Disruption, Market, Restriction, Rule, Sourcing};
use crate::program::{
    Action, ActionKind, ActorId, Allocation, Checked, GroupKind, Line, MineralId, Num, ScenarioId,
    ShareEntry, Shares, SourcingLine, Stock, Values,
};
use crate::results::DemandBasis;
use crate::source::Span;

/// A `restricts`/`bans` statement as it applies to one mineral.
#[derive(Debug, Clone)]
pub struct RestrictionLine {
    pub exporter: ActorId,
    pub importers: Vec<ActorId>,
    pub stages: Vec<usize>,
    pub fraction: Num,
    /// A quota in tonnes per year in place of `fraction`.
    pub quota: Option<Num>,
    /// From the restricting actor to the end of the target.
    pub span: Span,
    /// The whole statement.
    pub statement: Span,
}

/// A `disrupt` statement as it applies to one mineral.
#[derive(Debug, Clone)]
pub struct DisruptionLine {
    pub actor: ActorId,
    pub stages: Vec<usize>,
    pub fraction: Num,
    pub statement: Span,
}

/// An `adds` statement as it applies to one stage.
#[derive(Debug, Clone)]
pub struct AddLine {
    pub actor: ActorId,
    pub stage: usize,
    pub amount: Num,
    pub statement: Span,
}

/// One mineral's lines in force after a scenario's statements.
#[derive(Debug, Clone, Default)]
pub struct MineralState {
    pub stage_shares: Vec<Option<Shares>>,
    pub demand: Option<Shares>,
    pub sourcing: Vec<SourcingLine>,
    pub adds: Vec<AddLine>,
    /// The stockpile in force per actor, with its statement.
    pub stock: BTreeMap<ActorId, (Stock, Span)>,
    pub restrictions: Vec<RestrictionLine>,
    pub disruptions: Vec<DisruptionLine>,
}

/// What a scenario is: the lines in force for every mineral, the allocation
/// rule and the rerouting share, and the warnings its data raises.
#[derive(Debug, Clone, Default)]
pub struct ScenarioState {
    pub id: ScenarioId,
    /// The date it is assembled at; `None`: undated, every statement in force.
    pub at: Option<Date>,
    pub minerals: Vec<MineralState>,
    pub allocation: Allocation,
    pub rerouting: Num,
    pub warnings: Vec<Diag>,
}

/// Applies a scenario's statements in force at `at` to the world data, and
/// checks the `covers` claims against the plain values. `at` is the
/// evaluation date (`Checked::as_of` for the scenario's own, or `--at`).
pub fn scenario(checked: &Checked, id: ScenarioId, at: Option<Date>) -> ScenarioState {
    let mut st = structure(checked, id, at);
    st.warnings = covers_warnings(checked, &st, &checked.plain_values());
    st
}

/// The lines in force in a scenario at `at` (every statement when `None`),
/// without any warning.
pub fn structure(checked: &Checked, id: ScenarioId, at: Option<Date>) -> ScenarioState {
    let world = &checked.world;
    let actions = checked.actions(id);
    // Lifts suspend restrictions while they are in force (SPEC §8.1).
    let lifts: Vec<&Action> = actions
        .iter()
        .copied()
        .filter(|a| matches!(a.kind, ActionKind::Lift { .. }) && a.in_force(at))
        .collect();
    let mut st = ScenarioState {
        id,
        at,
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
    let mut rerouting: Option<Num> = None;
    let row = world.row();
    for action in actions {
        if !action.in_force(at) {
            continue;
        }
        let statement = action.span;
        match &action.kind {
            ActionKind::Shares {
                mineral,
                line,
                shares,
                only,
            } => {
                let ms = &mut st.minerals[*mineral];
                let slot = match line {
                    Line::Stage(s) => &mut ms.stage_shares[*s],
                    Line::Demand => &mut ms.demand,
                };
                let current = slot.take().unwrap_or_default();
                *slot = Some(current.restated(shares, *only, row));
            }
            ActionKind::Sourcing { mineral, line } => {
                let ms = &mut st.minerals[*mineral];
                ms.sourcing
                    .retain(|l| !(l.buyer == line.buyer && l.stage == line.stage));
                ms.sourcing.push(line.clone());
            }
            ActionKind::Adds {
                actor,
                mineral,
                stage,
                amount,
            } => st.minerals[*mineral].adds.push(AddLine {
                actor: *actor,
                stage: *stage,
                amount: *amount,
                statement,
            }),
            ActionKind::Stockpile {
                actor,
                mineral,
                stock,
            } => {
                st.minerals[*mineral]
                    .stock
                    .insert(*actor, (*stock, statement));
            }
            ActionKind::Restrict {
                exporter,
                importers,
                mineral,
                stages,
                fraction,
                quota,
                target_span,
            } => {
                let mut stages = stages.clone();
                for lift in &lifts {
                    let suspended = lift.suspends(action);
                    stages.retain(|s| !suspended.contains(s));
                }
                if stages.is_empty() {
                    continue;
                }
                st.minerals[*mineral].restrictions.push(RestrictionLine {
                    exporter: *exporter,
                    importers: importers.clone(),
                    stages,
                    fraction: *fraction,
                    quota: *quota,
                    span: *target_span,
                    statement,
                })
            }
            ActionKind::Disrupt {
                actor,
                mineral,
                stages,
                fraction,
            } => st.minerals[*mineral].disruptions.push(DisruptionLine {
                actor: *actor,
                stages: stages.clone(),
                fraction: *fraction,
                statement,
            }),
            ActionKind::Rerouting(r) => rerouting = Some(*r),
            ActionKind::Allocation(a) => allocation = Some(*a),
            ActionKind::Lift { .. } => {}
        }
    }
    // SPEC §3.5 defaults: market with no rerouting; naming market or
    // coalition_first without a rerouting line reroutes everything; sticky
    // never reroutes.
    st.allocation = allocation.unwrap_or(Allocation::Market);
    st.rerouting = match (allocation, rerouting) {
        (Some(Allocation::Sticky), _) => Num::constant(0.0),
        (_, Some(r)) => r,
        (Some(_), None) => Num::constant(1.0),
        (None, None) => Num::constant(0.0),
    };
    st
}

// ---------------------------------------------------------------- values

/// One mineral of a scenario with every number filled in.
#[derive(Debug, Clone, Default)]
pub struct Resolved {
    /// Capacity per stage and actor: share line plus `adds`.
    pub caps: Vec<BTreeMap<ActorId, f64>>,
    /// Final-stage demand per actor, `covers` claims applied, ROW included.
    pub demand: BTreeMap<ActorId, f64>,
    /// Where each actor's demand figure comes from; an actor not here has
    /// none (ROW is never here).
    pub basis: BTreeMap<ActorId, DemandBasis>,
    pub sourcing: Vec<Sourced>,
    pub restrictions: Vec<Restricted>,
    pub disruptions: Vec<Disrupted>,
    pub rerouting: f64,
    /// A share line's named shares added up to more than 100% with these
    /// values (a sample can draw that) and were scaled down to 100%.
    pub scaled: bool,
}

/// A sourcing line with its shares.
#[derive(Debug, Clone)]
pub struct Sourced {
    pub buyer: ActorId,
    pub stage: usize,
    pub shares: Vec<(ActorId, f64)>,
}

/// A restriction with its fraction.
#[derive(Debug, Clone)]
pub struct Restricted {
    pub exporter: ActorId,
    pub importers: Vec<ActorId>,
    pub stages: Vec<usize>,
    pub fraction: f64,
    /// A quota as a share of world demand, in place of `fraction`: set
    /// once the equilibrium flows it is taken from are known.
    pub quota: Option<f64>,
}

/// A disruption with its fraction.
#[derive(Debug, Clone)]
pub struct Disrupted {
    pub actor: ActorId,
    pub stages: Vec<usize>,
    pub fraction: f64,
}

/// Fills in a mineral's numbers from `values`.
pub fn resolve(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
    values: &Values,
) -> Resolved {
    let ms = &st.minerals[mineral];
    let scaled = ms
        .stage_shares
        .iter()
        .chain(std::iter::once(&ms.demand))
        .flatten()
        .any(|line| named_sum(line, values) > 1.0 + 1e-9);
    let caps = (0..ms.stage_shares.len())
        .map(|s| {
            let mut c = with_row(checked, ms.stage_shares[s].as_ref(), values);
            for add in ms.adds.iter().filter(|a| a.stage == s) {
                *c.entry(add.actor).or_insert(0.0) += add.amount.get(values);
            }
            c
        })
        .collect();
    let fraction = |n: Num| n.get(values).clamp(0.0, 1.0);
    let (demand, basis) = demand_with_covers(checked, st, mineral, values);
    Resolved {
        scaled,
        caps,
        demand,
        basis,
        sourcing: ms
            .sourcing
            .iter()
            .map(|l| Sourced {
                buyer: l.buyer,
                stage: l.stage,
                shares: entries(&l.shares, values),
            })
            .collect(),
        restrictions: ms
            .restrictions
            .iter()
            .map(|l| Restricted {
                exporter: l.exporter,
                importers: l.importers.clone(),
                stages: l.stages.clone(),
                fraction: fraction(l.fraction),
                quota: l.quota.map(|q| {
                    let volume = checked.world.minerals[mineral]
                        .volume_t
                        .unwrap_or(f64::INFINITY);
                    (q.get(values) / volume).max(0.0)
                }),
            })
            .collect(),
        disruptions: ms
            .disruptions
            .iter()
            .map(|d| Disrupted {
                actor: d.actor,
                stages: d.stages.clone(),
                fraction: fraction(d.fraction),
            })
            .collect(),
        rerouting: fraction(st.rerouting),
    }
}

fn entries(list: &[ShareEntry], values: &Values) -> Vec<(ActorId, f64)> {
    list.iter()
        .map(|e| (e.actor, e.value.get(values)))
        .collect()
}

/// Final-stage demand per actor (ROW included) of a mineral in a scenario,
/// at the plain values.
pub fn demand_of(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
) -> BTreeMap<ActorId, f64> {
    demand_with_covers(checked, st, mineral, &checked.plain_values()).0
}

/// A share line as a full distribution: named entries plus ROW's remainder.
fn with_row(checked: &Checked, shares: Option<&Shares>, values: &Values) -> BTreeMap<ActorId, f64> {
    let named: Vec<(ActorId, f64)> = shares
        .map(|s| entries(&s.entries, values))
        .unwrap_or_default();
    full_line(checked, &named)
}

fn named_sum(line: &Shares, values: &Values) -> f64 {
    line.entries.iter().map(|e| e.value.get(values)).sum()
}

/// A share line as a full distribution. Named shares over 100% (which only
/// a sample can draw: the checker refuses them) are scaled down to 100%,
/// leaving ROW nothing (SPEC §9.2).
fn full_line(checked: &Checked, named: &[(ActorId, f64)]) -> BTreeMap<ActorId, f64> {
    let row = checked.world.row();
    let mut out = BTreeMap::new();
    let total: f64 = named.iter().map(|(_, v)| v).sum();
    let scale = if total > 1.0 + 1e-9 { 1.0 / total } else { 1.0 };
    let mut sum = 0.0;
    let mut row_named = false;
    for &(a, v) in named {
        let v = v * scale;
        *out.entry(a).or_insert(0.0) += v;
        sum += v;
        row_named |= a == row;
    }
    if !row_named {
        // What the named shares leave to ROW; within rounding of nothing
        // (57% + 22% + 21% leaves 1e-16), nothing.
        let rest = 1.0 - sum;
        let rest = if rest < 1e-12 { 0.0 } else { rest };
        *out.entry(row).or_insert(0.0) += rest;
    }
    out
}

/// The coalitions with a `covers` claim on `mineral`.
fn claims(
    checked: &Checked,
    mineral: MineralId,
) -> impl Iterator<Item = (crate::program::GroupId, &crate::program::CoversClaim)> + '_ {
    let world = &checked.world;
    world
        .group_ids()
        .zip(&world.groups)
        .filter(|(_, g)| g.kind == GroupKind::Coalition)
        .filter_map(move |(id, g)| {
            let claim = g.covers.as_ref()?;
            let applies = claim
                .minerals
                .as_ref()
                .is_none_or(|ms| ms.contains(&mineral));
            applies.then_some((id, claim))
        })
}

/// What a `covers X demand` claim does to one mineral (SPEC §2.2).
enum ClaimEffect {
    /// Members have data: the claim is only checked against `computed`.
    Checked { computed: f64 },
    /// No member has data: the claim supplies `share`, split among
    /// `members` by `weights`; `room` is less than the claim when the
    /// data leaves no more to others.
    Supplies {
        share: f64,
        room: Option<f64>,
        members: Vec<ActorId>,
        weights: Vec<f64>,
    },
    /// No member but ROW.
    Nothing,
}

fn claim_effect(
    checked: &Checked,
    g: crate::program::GroupId,
    claim_share: f64,
    named: &[(ActorId, f64)],
    values: &Values,
) -> ClaimEffect {
    let world = &checked.world;
    let row = world.row();
    let group = &world.groups[g];
    // Members are sorted (program::Group), so lookups are binary searches.
    let is_member = |a: &ActorId| group.members.binary_search(a).is_ok();
    // A member named in the demand line has data, even at 0% (SPEC §2.2:
    // the claim is then only checked).
    if named.iter().any(|(a, _)| is_member(a)) {
        let computed = named
            .iter()
            .filter(|(a, _)| is_member(a))
            .map(|(_, v)| v)
            .sum();
        return ClaimEffect::Checked { computed };
    }
    let members: Vec<ActorId> = group
        .members
        .iter()
        .copied()
        .filter(|&a| a != row)
        .collect();
    if members.is_empty() {
        return ClaimEffect::Nothing;
    }
    let others: f64 = named
        .iter()
        .filter(|(a, _)| !is_member(a) && *a != row)
        .map(|(_, v)| v)
        .sum();
    let room = (others + claim_share > 1.0 + 1e-9).then(|| {
        let left = 1.0 - others;
        if left < 1e-12 { 0.0 } else { left }
    });
    let gdps: Option<Vec<f64>> = members
        .iter()
        .map(|&a| world.actors[a].gdp.map(|n| n.get(values)))
        .collect();
    let weights = match gdps {
        Some(g) if g.iter().sum::<f64>() > 0.0 => g,
        _ => vec![1.0; members.len()],
    };
    ClaimEffect::Supplies {
        share: room.unwrap_or(claim_share),
        room,
        members,
        weights,
    }
}

/// The demand line of a mineral with every `covers` claim applied: a claim
/// supplies demand where no member has any (split by GDP, else equally).
/// With it, where each named actor's figure comes from.
fn demand_with_covers(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
    values: &Values,
) -> (BTreeMap<ActorId, f64>, BTreeMap<ActorId, DemandBasis>) {
    let row = checked.world.row();
    let mut named: Vec<(ActorId, f64)> = st.minerals[mineral]
        .demand
        .as_ref()
        .map(|d| entries(&d.entries, values))
        .unwrap_or_default();
    let mut basis: BTreeMap<ActorId, DemandBasis> =
        named.iter().map(|&(a, _)| (a, DemandBasis::Data)).collect();
    for (g, claim) in claims(checked, mineral) {
        if let ClaimEffect::Supplies {
            share,
            members,
            weights,
            ..
        } = claim_effect(checked, g, claim.share.get(values), &named, values)
            && share > 0.0
        {
            let total: f64 = weights.iter().sum();
            named.retain(|(a, _)| *a != row);
            for (a, w) in members.iter().zip(&weights) {
                named.push((*a, share * w / total));
                basis.insert(*a, DemandBasis::Covers);
            }
        }
    }
    // ROW's figure is what the named shares leave: it is data too.
    basis.insert(row, DemandBasis::Data);
    (full_line(checked, &named), basis)
}

/// The warnings of the `covers` claims: a claim more than 5 points off the
/// data, or larger than the data leaves room for. In the order of the
/// coalitions, then of the minerals each claims.
pub fn covers_warnings(checked: &Checked, st: &ScenarioState, values: &Values) -> Vec<Diag> {
    let world = &checked.world;
    let row = world.row();
    let mut named: Vec<Vec<(ActorId, f64)>> = st
        .minerals
        .iter()
        .map(|ms| {
            ms.demand
                .as_ref()
                .map(|d| entries(&d.entries, values))
                .unwrap_or_default()
        })
        .collect();
    let mut out = Vec::new();
    for (g, group) in world.group_ids().zip(&world.groups) {
        let Some(claim) = group
            .covers
            .as_ref()
            .filter(|_| group.kind == GroupKind::Coalition)
        else {
            continue;
        };
        let minerals: Vec<MineralId> = claim
            .minerals
            .clone()
            .unwrap_or_else(|| world.mineral_ids().collect());
        let share = claim.share.get(values);
        let mut supplied: Vec<&str> = Vec::new();
        for m in minerals {
            let mname = &world.minerals[m].name;
            let gname = &group.name;
            match claim_effect(checked, g, share, &named[m.index()], values) {
                ClaimEffect::Checked { computed } => {
                    if (computed - share).abs() > 0.05 + 1e-12 {
                        out.push(
                            Diag::new(
                                Code::CoversMismatch,
                                format!(
                                    "coalition `{gname}` claims {} of {mname} demand; the data gives {}",
                                    pct(share),
                                    pct(computed)
                                ),
                            )
                            .with_label(claim.span, "the claim")
                            .help("the data stands; the claim is only checked")
                            .about([m.index() as u64, share.to_bits(), computed.to_bits()]),
                        );
                    }
                }
                ClaimEffect::Supplies {
                    share: used,
                    room,
                    members,
                    weights,
                } => {
                    let supplies = used > 0.0;
                    if let Some(room) = room {
                        out.push(
                            Diag::new(
                                Code::CoversMismatch,
                                format!(
                                    "coalition `{gname}` claims {} of {mname} demand, but the data leaves only {} to others; {} used",
                                    pct(share),
                                    pct(room),
                                    pct(room)
                                ),
                            )
                            .with_label(claim.span, "the claim")
                            .about([m.index() as u64, share.to_bits(), room.to_bits()]),
                        );
                    }
                    if supplies {
                        let total: f64 = weights.iter().sum();
                        let line = &mut named[m.index()];
                        line.retain(|(a, _)| *a != row);
                        for (a, w) in members.iter().zip(&weights) {
                            line.push((*a, used * w / total));
                        }
                        supplied.push(mname);
                    }
                }
                ClaimEffect::Nothing => {}
            }
        }
        if !supplied.is_empty() {
            let split = if world.groups[g]
                .members
                .iter()
                .all(|&a| a == row || world.actors[a].gdp.is_some())
            {
                "split among the members by GDP"
            } else {
                "split equally among the members (not all have a GDP)"
            };
            out.push(
                Diag::new(
                    Code::CoversSupplies,
                    format!(
                        "coalition `{}` supplies the demand of {} from its claim, {split}: \
                         no member has a figure in the data",
                        group.name,
                        supplied.join(", ")
                    ),
                )
                .with_label(claim.span, "the claim")
                .help(
                    "these rows stand on the claim, not on data; they are marked `*` in \
                     tables and `\"demand_basis\": \"covers\"` in JSON",
                ),
            );
        }
    }
    out
}

fn pct(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

/// The model's view of one mineral: participants indexed in code order,
/// numbers from `values`.
pub fn market(
    checked: &Checked,
    st: &ScenarioState,
    mineral: MineralId,
    values: &Values,
) -> (Market, HashMap<ActorId, usize>, Vec<ActorId>) {
    let r = resolve(checked, st, mineral, values);
    market_of(checked, st, &r)
}

/// The model's view of a resolved mineral.
pub fn market_of(
    checked: &Checked,
    st: &ScenarioState,
    r: &Resolved,
) -> (Market, HashMap<ActorId, usize>, Vec<ActorId>) {
    let world = &checked.world;
    let mut part: Vec<ActorId> = Vec::new();
    for c in &r.caps {
        part.extend(c.iter().filter(|(_, v)| **v > 0.0).map(|(a, _)| *a));
    }
    part.extend(r.demand.iter().filter(|(_, v)| **v > 0.0).map(|(a, _)| *a));
    for l in &r.sourcing {
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
    let capacity: Vec<Vec<f64>> = r.caps.iter().map(vec_of).collect();
    let demand_v = vec_of(&r.demand);
    let sourcing = r
        .sourcing
        .iter()
        .map(|l| Sourcing {
            buyer: local[&l.buyer],
            stage: l.stage,
            shares: l.shares.iter().map(|(a, v)| (local[a], *v)).collect(),
        })
        .collect();
    let mut restrictions = Vec::new();
    for l in &r.restrictions {
        let Some(&e) = local.get(&l.exporter) else {
            continue;
        };
        for imp in &l.importers {
            let Some(&i) = local.get(imp) else { continue };
            for &s in &l.stages {
                restrictions.push(Restriction {
                    exporter: e,
                    importer: i,
                    stage: s,
                    fraction: l.fraction,
                });
            }
        }
    }
    let mut disruptions = Vec::new();
    for d in &r.disruptions {
        let Some(&i) = local.get(&d.actor) else {
            continue;
        };
        for &s in &d.stages {
            disruptions.push(Disruption {
                actor: i,
                stage: s,
                fraction: d.fraction,
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
        rerouting: r.rerouting,
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
                    ev.mineral.index() as u64,
                    ev.global[*buyer].index() as u64,
                    ev.global[*supplier].index() as u64,
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
        .chain(idle_disruptions(checked, state, ev))
        .collect()
}

/// Disruptions of an actor with no output at the disrupted stages in this
/// scenario's equilibrium: they change nothing.
fn idle_disruptions<'a>(
    checked: &'a Checked,
    state: &'a ScenarioState,
    ev: &'a MineralEval,
) -> impl Iterator<Item = Diag> + 'a {
    let world = &checked.world;
    let mineral = &world.minerals[ev.mineral];
    let eq = &ev.outcome.equilibrium;
    state.minerals[ev.mineral]
        .disruptions
        .iter()
        .filter(move |d| {
            let output: f64 = match ev.local.get(&d.actor) {
                Some(&i) => d
                    .stages
                    .iter()
                    .map(|&s| {
                        eq.output
                            .get(s)
                            .and_then(|o| o.get(i))
                            .copied()
                            .unwrap_or(0.0)
                    })
                    .sum(),
                None => 0.0,
            };
            output <= 1e-12
        })
        .map(move |d| {
            let a = &world.actors[d.actor].code;
            let what = if d.stages.len() == mineral.stages.len() {
                mineral.name.clone()
            } else {
                d.stages
                    .iter()
                    .map(|&s| format!("{}.{}", mineral.name, mineral.stages[s]))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            Diag::new(
                Code::IdleDisruption,
                format!("disrupting {a}'s {what} changes nothing: {a} has no output there"),
            )
            .with_label(d.statement, "changes nothing")
            .about([ev.mineral.index() as u64, d.actor.index() as u64])
            .help(format!(
                "`disrupt` cuts an actor's own output, and {a} produces no {what} in this scenario"
            ))
        })
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
    let lines = &state.minerals[ev.mineral].restrictions;
    let carries = move |line: &RestrictionLine| {
        let Some(&e) = ev.local.get(&line.exporter) else {
            return false;
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
        carried > 1e-12
    };
    // A group's restriction is one line per member: it is idle only when
    // no member's part reaches a flow, and then said once, of the first.
    lines
        .iter()
        .enumerate()
        // An empty target list has had its warning from the checker.
        .filter(|(_, line)| !line.importers.is_empty())
        .filter(move |(i, line)| {
            let same = |l: &&RestrictionLine| l.statement == line.statement;
            let first = lines.iter().position(|l| same(&l)) == Some(*i);
            first && !lines.iter().filter(same).any(carries)
        })
        .map(|(_, line)| line)
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
            // Targets with no demand figure buy nothing because the data
            // do not say they use the mineral: say that, not only that no
            // flow is reached.
            let without_data = line
                .importers
                .iter()
                .filter(|a| !ev.basis.contains_key(a))
                .count();
            let (reason, help) = if without_data == line.importers.len() {
                let have = if line.importers.len() == 1 {
                    "has"
                } else {
                    "have"
                };
                (
                    format!("{targets} {have} no demand data for {}", mineral.name),
                    format!(
                        "give {targets} a demand figure (`{}.demand: …`) or a coalition's \
                         `covers` claim, if the restriction should bite",
                        mineral.name
                    ),
                )
            } else {
                let buy = if line.importers.len() == 1 {
                    "buys"
                } else {
                    "buy"
                };
                (
                    format!(
                        "{targets} {buy} no {} from {e} in equilibrium",
                        mineral.name
                    ),
                    format!(
                        "a restriction caps flows that exist in equilibrium, and {targets} buy{} \
                         {} elsewhere; a sourcing line from {e} would make it bite",
                        if line.importers.len() == 1 { "s" } else { "" },
                        mineral.name
                    ),
                )
            };
            Diag::new(
                Code::EmptyTarget,
                format!("{e}'s restriction of {what} to {targets} reaches no flow: {reason}"),
            )
            .with_label(line.span, "changes nothing")
            .about([ev.mineral.index() as u64])
            .help(help)
        })
}

/// A stockpile in days of normal use for an actor with demand `d` (a
/// fraction of world demand); `None` when a mass cannot be converted.
pub fn stock_days(stock: Stock, d: f64, volume: Option<f64>, values: &Values) -> Option<f64> {
    match stock {
        Stock::Days(n) => Some(n.get(values)),
        Stock::Tonnes(t) => match volume {
            Some(v) if d > 0.0 => Some(365.0 * t.get(values) / (d * v)),
            _ => None,
        },
    }
}
