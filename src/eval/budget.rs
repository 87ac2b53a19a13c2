//! The budget of an evaluation (SPEC §6): before anything large is
//! allocated, lode estimates the memory a checked program needs to
//! evaluate and refuses (`lode::E0106`) a program whose estimate is over
//! the limit, so a program that would exhaust the machine gets a diagnostic
//! instead of an out-of-memory abort. The limit is 4 GiB unless raised
//! (`--max-memory`, or [`Budget`] for library callers).
//!
//! The estimate is computed from the assembled scenarios without running
//! the model: cheap, linear in the program's size, and independent of
//! `--scenario`. It adds
//!
//! - the results: every row each scenario shows (and each comparison's
//!   delta rows), with a dependency list as long as the mineral has
//!   suppliers (at most `stages × 1000`: entries under 0.1% are not
//!   listed), and what rendering them as a table takes besides;
//! - the assembled scenarios, which stay in memory while rows are built;
//! - the model of the largest (scenario, mineral) market, once per thread
//!   that evaluates: its flows pair each participant with each supplier at
//!   each stage.
//!
//! The unit costs below are measured sizes (PERFORMANCE.md, "Scale"), so
//! the estimate tracks the peak resident memory of `lode run` within tens
//! of percent on the synthetic worlds; it is meant to refuse what would
//! not fit, not to predict the last megabyte.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};

use super::assemble::{self, MineralState};
use crate::diagnostic::{Code, Diag};
use crate::program::{ActionKind, ActorId, Checked, GroupKind, MineralId, ScenarioId};

/// The most work assembling every scenario may take: each scenario applies
/// base's statements, its ancestors' and its own, and a statement counts
/// once plus once per actor and stage it names. 1,000 scenarios extending a
/// base of 10,000 statements fit. Checked first: the estimate itself
/// assembles every scenario.
pub const MAX_ASSEMBLED: usize = 10_000_000;

/// The memory an evaluation may use unless raised: 4 GiB.
pub const DEFAULT_MAX_MEMORY: u64 = 4 << 30;

/// Bytes of one row in the results besides its dependency list: the
/// `Row` itself, its names and its output per stage (`stage_bytes` each).
const ROW_BYTES: u64 = std::mem::size_of::<crate::results::Row>() as u64 + 96;
/// Bytes of one output stage of a row.
const STAGE_BYTES: u64 = 64;
/// Bytes of one dependency entry: `(Arc<str>, f64)`, the code shared.
const DEPENDENCY_BYTES: u64 = std::mem::size_of::<(std::sync::Arc<str>, f64)>() as u64;
/// Bytes a table or markdown rendering adds per row and per listed
/// dependency entry (its cells are built before they are laid out).
const RENDER_ROW_BYTES: u64 = 640;
const RENDER_DEPENDENCY_BYTES: u64 = 16;
/// Bytes of one delta row of a comparison, its names included.
const DELTA_BYTES: u64 = std::mem::size_of::<crate::results::DeltaRow>() as u64 + 64;
/// Bytes of one statement entry of an assembled scenario.
const ASSEMBLED_BYTES: u64 = 48;
/// Bytes of the model per (participant, supplier). Flows are sparse where
/// consumers buy from a pool (its mix is shared), but a market that trades
/// between stages holds actor × actor tables: one mineral of 10,000 actors
/// over two stages took 2.7 GB for three scenarios. Two `(usize, f64)`
/// entries per pair covers that, and a country's exposure listing each
/// supplier while its mineral's rows are built.
const PAIR_BYTES: u64 = 32;
/// Bytes of the model per participant and stage (capacities, demand,
/// outputs, scratch vectors).
const ACTOR_BYTES: u64 = 512;
/// Most dependency entries listed per stage: each is at least 0.1% of a
/// row's supply at that stage.
const LISTED_PER_STAGE: u64 = 1000;
/// A supplier whose share of every stage is under this cannot reach the
/// 0.1% listing floor in a row's dependency unless restrictions move ten
/// times its share to that row's suppliers; it is not counted as listed.
const LISTED_SHARE: f64 = 0.0001;

/// The limits an evaluation is held to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// The most memory the estimate may reach, in bytes.
    pub max_memory: u64,
}

impl Default for Budget {
    /// [`DEFAULT_MAX_MEMORY`], or what [`set_max_memory`] set.
    fn default() -> Self {
        Budget {
            max_memory: MAX_MEMORY.load(Ordering::Relaxed),
        }
    }
}

static MAX_MEMORY: AtomicU64 = AtomicU64::new(DEFAULT_MAX_MEMORY);

/// Sets the limit every later [`check`] in this process applies (the
/// `lode` command's `--max-memory`), so every command and the REPL share
/// one setting.
pub fn set_max_memory(bytes: u64) {
    MAX_MEMORY.store(bytes, Ordering::Relaxed);
}

/// What evaluating a program is estimated to take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Estimate {
    /// Everything, in bytes.
    pub bytes: u64,
    /// The results (rows, deltas, rendering), in bytes.
    pub results: u64,
    /// Rows in the results, comparisons' compared rows included.
    pub rows: u64,
    /// Dependency entries those rows may list.
    pub dependency_entries: u64,
    /// The model of the largest market, in bytes, and how many run at once.
    pub model: u64,
    pub threads: u64,
    /// The largest market: its scenario, mineral and participants.
    pub largest: Option<(ScenarioId, MineralId, usize)>,
}

/// Every limit the program goes over, as diagnostics, against the default
/// [`Budget`].
pub fn check(checked: &Checked) -> Vec<Diag> {
    check_with(checked, &Budget::default())
}

/// Every limit the program goes over, as diagnostics.
pub fn check_with(checked: &Checked, budget: &Budget) -> Vec<Diag> {
    let assembled = assembled_size(checked);
    if assembled > MAX_ASSEMBLED {
        // Assembling the scenarios to estimate the rest would cost as much.
        return vec![Diag::new(
            Code::TooMany,
            format!(
                "the scenarios apply about {assembled} statement entries in all (each scenario \
                 repeats base's and its ancestors'); lode allows {MAX_ASSEMBLED}"
            ),
        )
        .help("fewer scenarios, or fewer or shorter statements in base and in scenarios others extend")];
    }
    let e = estimate(checked);
    if e.bytes <= budget.max_memory {
        return Vec::new();
    }
    let mut d = Diag::new(
        Code::TooMany,
        format!(
            "evaluating this program would take about {} of memory; the limit is {} \
             (raise it with `--max-memory {}`)",
            size(e.bytes),
            size(budget.max_memory),
            size_arg(e.bytes),
        ),
    );
    if let Some((s, m, n)) = e.largest {
        let world = &checked.world;
        d = d.with_label(
            world.minerals[m].span,
            format!(
                "the largest market: {n} actors take part in this mineral{}",
                if checked.scenarios.len() > 1 {
                    format!(" in scenario `{}`", checked.scenarios[s].name)
                } else {
                    String::new()
                }
            ),
        );
    }
    vec![d.help(format!(
        "results {} ({} rows listing up to {} dependency entries), the largest market's model {} \
         × {} thread{}; choose rows and minerals with `report for … on …`, compare fewer \
         scenarios, or split the program",
        size(e.results),
        group_digits(e.rows),
        group_digits(e.dependency_entries),
        size(e.model),
        e.threads,
        if e.threads == 1 { "" } else { "s" },
    ))]
}

/// The memory evaluating `checked` is estimated to take (see the module
/// documentation). Assembles every scenario: call it only on a program
/// within [`MAX_ASSEMBLED`].
pub fn estimate(checked: &Checked) -> Estimate {
    let world = &checked.world;
    let row = world.row();
    let shown_groups = world
        .groups
        .iter()
        .filter(|g| g.kind == GroupKind::Coalition || g.in_main)
        .count() as u64;
    let mut e = Estimate {
        threads: rayon::current_num_threads().max(1) as u64,
        ..Estimate::default()
    };
    // Per scenario: its rows' bytes, rows and dependency entries.
    let mut of_scenario: Vec<(u64, u64, u64)> = Vec::with_capacity(checked.scenarios.len());
    let mut largest_model = (0u64, None);
    for s in checked.scenario_ids() {
        // Undated: every statement in force, an upper bound for any date.
        let state = assemble::structure(checked, s, None);
        let report = checked.report_of(s);
        let explicit = report.and_then(|r| r.rows.as_ref());
        let chosen: Option<Vec<MineralId>> = report.and_then(|r| r.minerals.clone());
        let mut bytes = 0u64;
        let mut rows = 0u64;
        let mut entries = 0u64;
        for (m, ms) in world.mineral_ids().zip(&state.minerals) {
            let stages = world.minerals[m].stages.len().max(1) as u64;
            let market = market_of(ms, row);
            let model = (market.participants as u64)
                .saturating_mul(market.suppliers as u64)
                .saturating_mul(PAIR_BYTES)
                .saturating_add(
                    (market.participants as u64)
                        .saturating_mul(stages)
                        .saturating_mul(ACTOR_BYTES),
                );
            if model > largest_model.0 {
                largest_model = (model, Some((s, m, market.participants)));
            }
            if chosen.as_ref().is_some_and(|c| !c.contains(&m)) {
                continue;
            }
            let n: u64 = match explicit {
                Some(list) => list.len() as u64,
                None => shown_groups + demand_actors(ms, row) as u64,
            };
            let listed = (market.listed as u64).min(stages * LISTED_PER_STAGE);
            rows = rows.saturating_add(n);
            entries = entries.saturating_add(n.saturating_mul(listed));
            bytes = bytes.saturating_add(n.saturating_mul(
                ROW_BYTES
                    + RENDER_ROW_BYTES
                    + stages * STAGE_BYTES
                    + listed * (DEPENDENCY_BYTES + RENDER_DEPENDENCY_BYTES),
            ));
        }
        of_scenario.push((bytes, rows, entries));
    }
    for (bytes, rows, entries) in &of_scenario {
        e.results = e.results.saturating_add(*bytes);
        e.rows = e.rows.saturating_add(*rows);
        e.dependency_entries = e.dependency_entries.saturating_add(*entries);
    }
    // A comparison holds a delta row per metric of every compared row:
    // about ten figures, and each dependency entry.
    for c in &checked.compares {
        if let Some(&first) = c.first() {
            let (_, rows, entries) = of_scenario[first];
            let deltas = rows.saturating_mul(10).saturating_add(entries);
            let others = (c.len() as u64).saturating_sub(1);
            e.results = e
                .results
                .saturating_add(others.saturating_mul(deltas).saturating_mul(DELTA_BYTES));
            e.rows = e.rows.saturating_add(others.saturating_mul(rows));
        }
    }
    e.results = e
        .results
        .saturating_add((checked.expectations.len() as u64).saturating_mul(ROW_BYTES));
    e.model = largest_model.0;
    e.largest = largest_model.1;
    let assembled = (assembled_size(checked) as u64).saturating_mul(ASSEMBLED_BYTES);
    e.bytes = e
        .results
        .saturating_add(assembled)
        .saturating_add(e.model.saturating_mul(e.threads));
    e
}

/// The size of one market: actors that take part, actors that supply it
/// (capacity at some stage, a sourcing line's seller, ROW), and the
/// suppliers a row's dependency list may name.
struct MarketSize {
    participants: usize,
    suppliers: usize,
    listed: usize,
}

/// The size of one mineral's market, as `assemble::market` counts its
/// actors (an upper bound: an `adds` that is cancelled is counted).
fn market_of(ms: &MineralState, row: ActorId) -> MarketSize {
    let mut part: HashSet<ActorId> = HashSet::new();
    let mut listed: HashSet<ActorId> = HashSet::new();
    part.insert(row);
    listed.insert(row);
    for shares in ms.stage_shares.iter().flatten() {
        for e in &shares.entries {
            if e.value.plain > 0.0 {
                part.insert(e.actor);
            }
            if e.value.plain >= LISTED_SHARE {
                listed.insert(e.actor);
            }
        }
    }
    for a in ms.adds.iter().map(|a| a.actor) {
        part.insert(a);
        listed.insert(a);
    }
    for e in ms.sourcing.iter().flat_map(|l| &l.shares) {
        part.insert(e.actor);
        listed.insert(e.actor);
    }
    let suppliers = part.len();
    for shares in ms.demand.iter() {
        part.extend(
            shares
                .entries
                .iter()
                .filter(|e| e.value.plain > 0.0)
                .map(|e| e.actor),
        );
    }
    part.extend(ms.sourcing.iter().map(|l| l.buyer));
    MarketSize {
        participants: part.len(),
        suppliers,
        listed: listed.len(),
    }
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

/// A size in bytes for people: `512 MiB`, `4.0 GiB`.
pub fn size(bytes: u64) -> String {
    const MIB: f64 = (1u64 << 20) as f64;
    const GIB: f64 = (1u64 << 30) as f64;
    let b = bytes as f64;
    if b >= GIB {
        format!("{:.1} GiB", b / GIB)
    } else {
        format!("{} MiB", (b / MIB).ceil() as u64)
    }
}

/// A `--max-memory` value at least `bytes`, in whole GiB (whole MiB under
/// 1 GiB), to suggest in a diagnostic.
fn size_arg(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB {
        format!("{}GiB", bytes.div_ceil(GIB))
    } else {
        format!("{}MiB", bytes.div_ceil(MIB))
    }
}

fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Parses a `--max-memory` value: a whole number of bytes, or a number with
/// a unit — `K`, `M`, `G`, `T` (powers of 1024, also written `KiB`, `MiB`,
/// `GiB`, `TiB`, `KB`, `MB`, `GB`, `TB`), case-insensitive: `512MiB`,
/// `8G`, `1.5GiB`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size (expected e.g. `8GiB` or `512MiB`)"))?;
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        "t" | "tb" | "tib" => 40,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{}` (expected KiB, MiB, GiB or TiB)",
                unit.trim()
            ));
        }
    };
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes < 1.0 || bytes >= u64::MAX as f64 {
        return Err(format!("`{text}` is not a usable memory limit"));
    }
    Ok(bytes as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("8GiB"), Ok(8 << 30));
        assert_eq!(parse_size("8g"), Ok(8 << 30));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        // 1.5 × 2^30
        assert_eq!(parse_size("1.5GiB"), Ok(1_610_612_736));
        assert_eq!(parse_size("1000"), Ok(1000));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("8 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn sizes_print() {
        assert_eq!(size(4 << 30), "4.0 GiB");
        assert_eq!(size(300 << 20), "300 MiB");
        assert_eq!(size_arg((4 << 30) + 1), "5GiB");
        assert_eq!(size_arg(300 << 20), "300MiB");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        assert_eq!(group_digits(999), "999");
    }
}
