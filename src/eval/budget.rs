//! Limits on the work a checked program asks of the evaluator (SPEC §6). They are checked after `check` and before evaluating, so a
//! program that would take minutes or gigabytes to evaluate gets a
//! diagnostic (`lode::E0106`) instead of a hang or an out-of-memory abort.
//!
//! The estimates are upper bounds computed from the assembled scenarios
//! without running the model: cheap, and independent of `--scenario`.

use std::collections::HashSet;

use super::assemble::{self, MineralState};
use crate::diagnostic::{Code, Diag};
use crate::program::{ActionKind, ActorId, Checked, GroupKind, ScenarioId, Subject};

/// The most work assembling every scenario may take: each scenario applies
/// base's statements, its ancestors' and its own, and a statement counts
/// once plus once per actor and stage it names. 1,000 scenarios extending a
/// base of 10,000 statements fit.
pub const MAX_ASSEMBLED: usize = 10_000_000;

/// The most actor pairs one scenario's markets may hold together: the sum
/// over minerals of (actors taking part)². The model's time and memory grow
/// with it; one mineral of 1,000 actors is the largest single market.
pub const MAX_MARKET_PAIRS: usize = 1_000_000;

/// The most output one run may produce: the rows of every scenario and
/// comparison, plus the expectations; a group's or coalition's row (or
/// expectation) counts once per member, as computing it costs that much.
pub const MAX_OUTPUT: usize = 1_000_000;

/// Every limit the program goes over, as diagnostics.
pub fn check(checked: &Checked) -> Vec<Diag> {
    let world = &checked.world;
    let weight = |s: &Subject| match s {
        Subject::Actor(_) => 1,
        Subject::Group(g) => 1 + world.groups[*g].members.len(),
    };
    let shown_groups: usize = world
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Coalition || g.in_main)
        .map(|g| 1 + g.members.len())
        .sum();
    let row = world.row();
    let assembled = assembled_size(checked);
    if assembled > MAX_ASSEMBLED {
        // Assembling the scenarios to check the rest would cost as much.
        return vec![Diag::new(
            Code::TooMany,
            format!(
                "the scenarios apply about {assembled} statement entries in all (each scenario \
                 repeats base's and its ancestors'); lode allows {MAX_ASSEMBLED}"
            ),
        )
        .help("fewer scenarios, or fewer or shorter statements in base and in scenarios others extend")];
    }
    let mut errors = Vec::new();
    let mut too_large: Vec<(&str, usize, usize, usize)> = Vec::new();
    let mut rows_of = Vec::with_capacity(checked.scenarios.len());
    for (s, scenario) in checked.scenario_ids().zip(&checked.scenarios) {
        // Undated: every statement in force, an upper bound for any date.
        let state = assemble::structure(checked, s, None);
        let mut pairs = 0usize;
        let mut largest = (0usize, 0usize);
        for (m, ms) in state.minerals.iter().enumerate() {
            let n = participants(ms, row);
            pairs = pairs.saturating_add(n.saturating_mul(n));
            largest = largest.max((n, m));
        }
        if pairs > MAX_MARKET_PAIRS {
            too_large.push((&scenario.name, pairs, largest.0, largest.1));
        }
        let report = checked.report_of(s);
        let minerals: Vec<crate::program::MineralId> = report
            .and_then(|r| r.minerals.clone())
            .unwrap_or_else(|| world.mineral_ids().collect());
        let rows: usize = match report.and_then(|r| r.rows.as_ref()) {
            Some(explicit) => minerals.len() * explicit.iter().map(weight).sum::<usize>(),
            None => minerals
                .iter()
                .map(|&m| shown_groups + demand_actors(&state.minerals[m], row))
                .sum(),
        };
        rows_of.push(rows);
    }
    // One error for all scenarios over the limit: they usually share the data.
    if let Some(&(name, pairs, n, m)) = too_large.first() {
        let others = match too_large.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more scenario)".to_string(),
            k => format!(" (and {k} more scenarios)"),
        };
        errors.push(
            Diag::new(
                Code::TooMany,
                format!(
                    "scenario `{name}`{others} is too large to evaluate: its markets hold {pairs} \
                     actor pairs; lode allows {MAX_MARKET_PAIRS}"
                ),
            )
            .with_label(
                world.minerals[m].span,
                format!("the largest: {n} actors take part in this mineral"),
            )
            .help(
                "the sum over minerals of (actors taking part)² is limited; split the data into \
                 several programs",
            ),
        );
    }
    let mut output: usize = rows_of.iter().sum();
    for c in &checked.compares {
        if let Some(&first) = c.first() {
            output = output.saturating_add((c.len() - 1).saturating_mul(rows_of[first]));
        }
    }
    for e in &checked.expectations {
        output = output.saturating_add(weight(&e.metric.subject));
    }
    if output > MAX_OUTPUT {
        errors.push(
            Diag::new(
                Code::TooMany,
                format!("the results would hold about {output} rows; lode allows {MAX_OUTPUT}"),
            )
            .help(
                "choose rows and minerals with `report for … on …`, compare fewer scenarios, \
                 or split the program (a group's row counts once per member)",
            ),
        );
    }
    errors
}

/// Actors that take part in one mineral's market, as `assemble::market`
/// counts them (an upper bound: an `adds` that is cancelled is counted).
fn participants(ms: &MineralState, row: ActorId) -> usize {
    let mut part: HashSet<ActorId> = HashSet::new();
    part.insert(row);
    for shares in ms.stage_shares.iter().flatten().chain(ms.demand.as_ref()) {
        part.extend(
            shares
                .entries
                .iter()
                .filter(|e| e.value.plain > 0.0)
                .map(|e| e.actor),
        );
    }
    part.extend(ms.adds.iter().map(|a| a.actor));
    for l in &ms.sourcing {
        part.insert(l.buyer);
        part.extend(l.shares.iter().map(|e| e.actor));
    }
    part.len()
}

/// Actors with a demand share, ROW excepted: the default country rows.
fn demand_actors(ms: &MineralState, row: ActorId) -> usize {
    ms.demand.as_ref().map_or(0, |d| {
        d.entries
            .iter()
            .filter(|e| e.actor != row)
            .map(|e| e.actor)
            .collect::<HashSet<_>>()
            .len()
    })
}

/// Work to assemble every scenario: the size of its own statements plus its
/// parent's total (base's for a block without `extends`), memoised.
fn assembled_size(checked: &Checked) -> usize {
    let own: Vec<usize> = checked
        .scenarios
        .iter()
        .map(|s| {
            s.actions
                .iter()
                .map(action_size)
                .fold(0, usize::saturating_add)
        })
        .collect();
    let mut total: Vec<Option<usize>> = vec![None; own.len()];
    let base = ScenarioId::BASE;
    for s in checked.scenario_ids() {
        // Walk up to a scenario already counted (or base), then come back down.
        let mut chain = vec![s];
        let mut cur = s;
        while total[cur].is_none() {
            match checked.scenarios[cur]
                .parent
                .or((cur != base).then_some(base))
            {
                Some(p) if !chain.contains(&p) && total[p].is_none() => {
                    chain.push(p);
                    cur = p;
                }
                _ => break,
            }
        }
        for &c in chain.iter().rev() {
            let parent = checked.scenarios[c].parent.or((c != base).then_some(base));
            let inherited = parent.and_then(|p| total[p]).unwrap_or(0);
            total[c] = Some(own[c].saturating_add(inherited));
        }
    }
    total.into_iter().flatten().fold(0, usize::saturating_add)
}

fn action_size(a: &crate::program::Action) -> usize {
    1 + match &a.kind {
        ActionKind::Shares { shares, .. } => shares.entries.len(),
        ActionKind::Sourcing { line, .. } => line.shares.len(),
        ActionKind::Restrict {
            importers, stages, ..
        } => importers.len().saturating_mul(stages.len().max(1)),
        ActionKind::Disrupt { stages, .. } => stages.len(),
        ActionKind::Adds { .. }
        | ActionKind::Stockpile { .. }
        | ActionKind::Rerouting(_)
        | ActionKind::Allocation(_)
        | ActionKind::Lift { .. } => 0,
    }
}
