//! The content `table` and `markdown` share: one [`Section`] per scenario,
//! per comparison and for the expectations, each a list of formatted cells,
//! plus the number formatting both use. Built once here so the two formats
//! cannot drift apart; they differ only in layout.
//!
//! Conventions: fractions are percentages with one decimal (`63.0%`), deltas
//! of fractions signed percentage points (`+63.0 pp`), `hhi` an integer,
//! `cover_days` one decimal, an absent value `–`.

use super::Units;
use super::tonnes::Volumes;
use crate::results::{
    Comparison, DeltaRow, DemandBasis, ExpectationResult, Results, Row, RowKind, RowStats,
    ScenarioResult, Stats,
};

/// A hint for colour; only the terminal table acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tone {
    Plain,
    /// Something is lost, but little (a shortfall under 10%).
    Caution,
    /// A shortfall of 10% or more.
    Alarm,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cell {
    pub text: String,
    pub tone: Tone,
    /// Shorter renderings of the same value, one per narrowing level, each
    /// no wider than the one before, for a terminal table that would not
    /// fit otherwise.
    pub shorter: Vec<String>,
}

impl Cell {
    fn plain(text: impl Into<String>) -> Self {
        Cell {
            text: text.into(),
            tone: Tone::Plain,
            shorter: Vec::new(),
        }
    }

    /// The text at a narrowing level: 0 is the full text; past the last
    /// shorter form, the shortest.
    pub fn at_level(&self, level: usize) -> &str {
        match level.checked_sub(1) {
            None => &self.text,
            Some(i) => self
                .shorter
                .get(i)
                .or(self.shorter.last())
                .unwrap_or(&self.text),
        }
    }
}

/// A column header and whether its values are right-aligned numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Column {
    pub name: &'static str,
    /// The header on two lines, broken where it reads well (`world` /
    /// `demand`); a header is never broken elsewhere (`at` / `risk`).
    pub wrapped: &'static str,
    pub numeric: bool,
}

const fn text_col(name: &'static str, wrapped: &'static str) -> Column {
    Column {
        name,
        wrapped,
        numeric: false,
    }
}

const fn num_col(name: &'static str, wrapped: &'static str) -> Column {
    Column {
        name,
        wrapped,
        numeric: true,
    }
}

pub(crate) const SCENARIO_COLUMNS: [Column; 10] = [
    text_col("mineral", "mineral"),
    text_col("actor", "actor"),
    num_col("world demand", "world\ndemand"),
    num_col("import rel.", "import\nrel."),
    text_col("top supplier", "top\nsupplier"),
    num_col("HHI", "HHI"),
    text_col("dependency", "dependency"),
    num_col("at risk", "at risk"),
    num_col("shortfall", "shortfall"),
    num_col("cover days", "cover\ndays"),
];

pub(crate) const COMPARE_COLUMNS: [Column; 6] = [
    text_col("mineral", "mineral"),
    text_col("actor", "actor"),
    text_col("metric", "metric"),
    num_col("base", "base"),
    num_col("value", "value"),
    num_col("delta", "delta"),
];

/// One rendered block of the table or markdown output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Section {
    Scenario {
        name: String,
        at: Option<String>,
        rows: Vec<Vec<Cell>>,
        /// Lines under the table: what the figures are shares of, what the
        /// marks mean, which groups have data for only some members.
        notes: Vec<String>,
    },
    Compare {
        against: String,
        base: String,
        rows: Vec<Vec<Cell>>,
        /// Delta rows left out because nothing changed.
        hidden: usize,
    },
    Expectations(Vec<ExpectLine>),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExpectLine {
    pub passed: bool,
    pub scenario: String,
    pub text: String,
    /// The actual value, formatted like the metric (`63.0%`, `4350`, `CN`).
    pub actual: String,
}

/// A comparison shows a metric only when it moved by more than this.
pub(crate) const DELTA_EPSILON: f64 = 5e-4;

pub(crate) fn sections(results: &Results, units: Units) -> Vec<Section> {
    let volumes = Volumes::of(results, units);
    let mut out: Vec<Section> = results
        .scenarios
        .iter()
        .map(|s| scenario_section(s, &volumes))
        .collect();
    // How to read the tables, once, under the last of them.
    let all: Vec<&Row> = results.scenarios.iter().flat_map(|s| &s.rows).collect();
    if let Some(Section::Scenario { notes, .. }) = out.last_mut() {
        notes.extend(legend(&all, &volumes));
        if let Some(s) = &results.sampling {
            notes.push(format!(
                "over {} samples (seed {}): each figure is the median [5th–95th percentile]; \
                 the dependency lists medians; the top supplier is the most frequent one",
                s.samples, s.seed
            ));
        }
    }
    out.extend(
        results
            .comparisons
            .iter()
            .map(|c| compare_section(results, c)),
    );
    if !results.expectations.is_empty() {
        out.push(Section::Expectations(
            results.expectations.iter().map(expect_line).collect(),
        ));
    }
    out
}

fn scenario_section(s: &ScenarioResult, volumes: &Volumes) -> Section {
    Section::Scenario {
        name: s.name.clone(),
        at: s.at.clone(),
        rows: s.rows.iter().map(|r| scenario_cells(r, volumes)).collect(),
        notes: partial_data(&s.rows),
    }
}

/// Shown for a metric with no data: the row has no demand figure.
pub(crate) const NO_DATA: &str = "no data";

/// Marks a demand figure that a `covers` claim supplied.
pub(crate) const CLAIMED: &str = "*";

/// A row over the samples: each figure `p50 [p5–p95]`, the top supplier
/// with how often it is the top one, the dependency by median.
fn sampled_cells(row: &Row, st: &RowStats) -> Vec<Cell> {
    let data = row.has_data();
    let range = |s: Option<Stats>, f: &dyn Fn(f64) -> String| -> String {
        match s {
            None if !data => NO_DATA.to_string(),
            None => DASH.to_string(),
            Some(s) if s.p5 == s.p95 => f(s.p50),
            Some(s) => format!("{} [{}–{}]", f(s.p50), f(s.p5), f(s.p95)),
        }
    };
    let pct = |v: f64| percent(v);
    let top = match &st.top_supplier {
        Some(m) => format!(
            "{} ({} of samples)",
            m.mode,
            fixed(m.frequency * 100.0, 0) + "%"
        ),
        None if !data => NO_DATA.to_string(),
        None => DASH.to_string(),
    };
    let dependency = |most: usize| match &st.dependency {
        Some(d) => {
            let medians: Vec<(&str, f64)> = d.iter().map(|(k, s)| (&**k, s.p50)).collect();
            dependency_summary(&medians, most)
        }
        None => NO_DATA.to_string(),
    };
    let demand = match row.demand_basis {
        DemandBasis::Covers => format!("{}{CLAIMED}", range(Some(st.demand), &pct)),
        _ => range(Some(st.demand), &pct),
    };
    let shortfall = st.shortfall.map_or(0.0, |s| s.p50);
    vec![
        Cell::plain(row.mineral.clone()),
        Cell::plain(actor_label(&row.actor, Some(row.kind))),
        Cell::plain(demand),
        Cell::plain(range(st.import_reliance, &pct)),
        Cell::plain(top),
        Cell::plain(range(st.hhi, &|v| fixed(v, 0))),
        Cell {
            text: dependency(3),
            tone: Tone::Plain,
            shorter: vec![dependency(2), dependency(1)],
        },
        Cell::plain(range(st.at_risk, &pct)),
        Cell {
            text: range(st.shortfall, &pct),
            tone: if shortfall >= 0.1 {
                Tone::Alarm
            } else if shortfall >= DELTA_EPSILON {
                Tone::Caution
            } else {
                Tone::Plain
            },
            shorter: Vec::new(),
        },
        Cell::plain(range(st.cover_days, &|v| fixed(v, 1))),
    ]
}

fn scenario_cells(row: &Row, volumes: &Volumes) -> Vec<Cell> {
    if let Some(st) = &row.stats {
        return sampled_cells(row, st);
    }
    let data = row.has_data();
    // With data but no demand (a 0% entry) there is nothing to import,
    // concentrate or lose: the zeros would read as "safe", so "–".
    let measured = |v: Option<f64>, text: &dyn Fn(f64) -> String| -> String {
        match v {
            None if !data => NO_DATA.to_string(),
            None => DASH.to_string(),
            Some(_) if row.demand <= 0.0 => DASH.to_string(),
            Some(v) => text(v),
        }
    };
    let top = match (&row.top_supplier, row.top_supplier_share) {
        (Some(code), Some(share)) => format!("{code} {}", percent(share)),
        _ if !data => NO_DATA.to_string(),
        _ => DASH.to_string(),
    };
    let shortfall = row.shortfall.unwrap_or(0.0);
    let shortfall_tone = if shortfall >= 0.1 {
        Tone::Alarm
    } else if shortfall >= DELTA_EPSILON {
        Tone::Caution
    } else {
        Tone::Plain
    };
    // The list as the table shows it, and narrowed to two and one supplier.
    let [dependency, two, one] = match &row.dependency {
        Some(d) => dependency_summaries(d),
        None => std::array::from_fn(|_| NO_DATA.to_string()),
    };
    // SPEC §3's demand of a country the demand line does not name is 0;
    // shown as 0.0% it would read as a figure, so the table says so.
    let demand = match row.demand_basis {
        DemandBasis::Covers => format!("{}{CLAIMED}", percent(row.demand)),
        DemandBasis::None if !data => NO_DATA.to_string(),
        _ => percent(row.demand),
    };
    vec![
        Cell::plain(row.mineral.clone()),
        Cell::plain(actor_label(&row.actor, Some(row.kind))),
        Cell::plain(demand),
        Cell::plain(measured(row.import_reliance, &percent)),
        Cell::plain(top),
        Cell::plain(measured(row.hhi, &|v| fixed(v, 0))),
        Cell {
            text: dependency,
            tone: Tone::Plain,
            shorter: vec![two, one],
        },
        with_tonnes(
            measured(row.at_risk, &percent),
            volumes.at_risk(row),
            Tone::Plain,
        ),
        with_tonnes(
            measured(row.shortfall, &percent),
            volumes.shortfall(row),
            shortfall_tone,
        ),
        Cell::plain(match row.cover_days {
            Some(d) => fixed(d, 1),
            None if !data => NO_DATA.to_string(),
            None => DASH.to_string(),
        }),
    ]
}

/// A share and, with `--units t`, its tonnes a year after it:
/// `68.1% (17.8 kt/yr)`. A table too narrow for everything else shows the
/// share alone (narrowing level 3, past the dependency list's).
fn with_tonnes(share: String, tonnes: Option<f64>, tone: Tone) -> Cell {
    match tonnes {
        Some(t) if share != DASH && share != NO_DATA => {
            let full = format!("{share} ({}/yr)", super::tonnes::format(t));
            Cell {
                text: full.clone(),
                tone,
                shorter: vec![full.clone(), full, share],
            }
        }
        _ => Cell {
            text: share,
            tone,
            shorter: Vec::new(),
        },
    }
}

/// How to read the scenario tables: what the figures are shares of, and
/// what the marks in `rows` mean.
fn legend(rows: &[&Row], volumes: &Volumes) -> Vec<String> {
    if rows.is_empty() {
        return Vec::new();
    }
    let mut notes = vec![
        "world demand is a share of world demand; import rel., top supplier, dependency, \
         at risk and shortfall are shares of the row's own demand"
            .to_string(),
    ];
    if rows
        .iter()
        .any(|r| r.dependency.as_ref().is_some_and(|d| d.len() > 3))
    {
        notes.push(
            "dependency: the share of the row's supply that passes through each supplier at \
             some stage of the chain, so the shares add up to more than 100%; the largest \
             first, then +N for N more suppliers"
                .to_string(),
        );
    }
    if rows.iter().any(|r| volumes.at_risk(r).is_some()) {
        notes.push(
            "(… t/yr) after at risk and shortfall: tonnes a year, the share × the row's demand × \
             the mineral's volume (world demand a year); minerals without a volume show shares only"
                .to_string(),
        );
    }
    if rows.iter().any(|r| r.demand_basis == DemandBasis::Covers) {
        notes.push(format!(
            "{CLAIMED} demand supplied by a coalition's `covers` claim, not by data"
        ));
    }
    if rows.iter().any(|r| !r.has_data()) {
        notes.push(format!(
            "{NO_DATA}: the data give no demand figure for that row and mineral"
        ));
    }
    if rows
        .iter()
        .any(|r| r.kind != RowKind::Country && r.cover_days.is_some())
    {
        notes.push(
            "a group's cover days: its members' stockpiles over their combined shortfall"
                .to_string(),
        );
    }
    notes
}

/// Groups whose figures stand on some of their members only, one line a
/// group.
fn partial_data(rows: &[Row]) -> Vec<String> {
    let mut notes = Vec::new();
    let mut partial: Vec<(String, Vec<String>)> = Vec::new();
    for r in rows {
        let Some([k, n]) = r.data_members else {
            continue;
        };
        if k == n || k == 0 {
            continue;
        }
        let entry = format!("{k} of {n} for {}", r.mineral);
        match partial.iter_mut().find(|(a, _)| *a == r.actor) {
            Some((_, list)) => list.push(entry),
            None => partial.push((r.actor.clone(), vec![entry])),
        }
    }
    for (actor, list) in partial {
        notes.push(format!(
            "{actor}: figures over the members with demand data: {}",
            list.join(", ")
        ));
    }
    notes
}

fn compare_section(results: &Results, c: &Comparison) -> Section {
    let (shown, hidden): (Vec<&DeltaRow>, Vec<&DeltaRow>) =
        c.rows.iter().partition(|d| match d.delta {
            Some(delta) => delta.abs() > DELTA_EPSILON || !delta.is_finite(),
            // A value that appears or disappears is a change.
            None => true,
        });
    let rows = shown
        .into_iter()
        .map(|d| {
            let kind = d.metric.kind;
            let side = |v: Option<f64>| v.map_or(DASH.to_string(), |v| kind.format(v));
            let row_kind = row_kind(results, &[&c.against, &c.base], &d.actor, &d.mineral);
            vec![
                Cell::plain(d.mineral.clone()),
                Cell::plain(actor_label(&d.actor, row_kind)),
                Cell::plain(d.metric.to_string()),
                Cell::plain(side(d.base)),
                Cell::plain(side(d.value)),
                Cell::plain(match d.delta {
                    Some(delta) => kind.format_delta(delta),
                    None => format!("{} → {}", side(d.base), side(d.value)),
                }),
            ]
        })
        .collect();
    Section::Compare {
        against: c.against.clone(),
        base: c.base.clone(),
        rows,
        hidden: hidden.len(),
    }
}

fn expect_line(e: &ExpectationResult) -> ExpectLine {
    let actual = match (&e.actual_text, e.actual) {
        (Some(text), _) => text.clone(),
        (None, Some(v)) => e.metric.format(v),
        (None, None) => DASH.to_string(),
    };
    let actual = match &e.reason {
        Some(why) => format!("{actual}: {why}"),
        None => actual,
    };
    ExpectLine {
        passed: e.passed,
        scenario: e.scenario_label(),
        text: e.text.clone(),
        actual,
    }
}

/// `3 unchanged values hidden`: said under a comparison's table.
pub(crate) fn hidden_note(hidden: usize) -> String {
    match hidden {
        1 => "1 unchanged value hidden".to_string(),
        n => format!("{n} unchanged values hidden"),
    }
}

/// `expectations (2 passed, 1 failed)`.
pub(crate) fn expectations_heading(lines: &[ExpectLine]) -> String {
    let passed = lines.iter().filter(|l| l.passed).count();
    format!(
        "expectations ({passed} passed, {} failed)",
        lines.len() - passed
    )
}

/// The kind of `actor`'s row for `mineral`, looked up in the named scenarios
/// in order (delta rows do not carry it).
fn row_kind(results: &Results, scenarios: &[&str], actor: &str, mineral: &str) -> Option<RowKind> {
    scenarios.iter().find_map(|name| {
        results
            .scenarios
            .iter()
            .filter(|s| s.name == *name)
            .flat_map(|s| &s.rows)
            .find(|r| r.actor == actor && r.mineral == mineral)
            .map(|r| r.kind)
    })
}

// ---------------------------------------------------------------------------
// Number formatting shared by the text formats.

/// Shown for an absent value.
pub(crate) const DASH: &str = "–";

pub(crate) use crate::metric::fixed;

/// A fraction as a percentage with one decimal: `0.63` → `63.0%`.
pub(crate) fn percent(fraction: f64) -> String {
    crate::metric::percent(fraction, 1)
}

/// `JP`, `eu (group)`, `allies (coalition)`.
fn actor_label(actor: &str, kind: Option<RowKind>) -> String {
    match kind {
        Some(RowKind::Country) | None => actor.to_string(),
        Some(kind) => format!("{actor} ({})", kind.as_str()),
    }
}

/// The `most` largest suppliers, then `+N` for the rest:
/// `CN 88.0% AU 5.0% MY 4.0% +2` for three.
fn dependency_summary<K: std::fmt::Display>(dependency: &[(K, f64)], most: usize) -> String {
    if dependency.is_empty() {
        return DASH.to_string();
    }
    let mut parts: Vec<String> = dependency
        .iter()
        .take(most)
        .map(|(code, share)| format!("{code} {}", percent(*share)))
        .collect();
    if dependency.len() > most {
        parts.push(format!("+{}", dependency.len() - most));
    }
    parts.join(" ")
}

/// [`dependency_summary`] of three, two and one suppliers, each supplier
/// formatted once.
fn dependency_summaries<K: std::fmt::Display>(dependency: &[(K, f64)]) -> [String; 3] {
    if dependency.is_empty() {
        return std::array::from_fn(|_| DASH.to_string());
    }
    let parts: Vec<String> = dependency
        .iter()
        .take(3)
        .map(|(code, share)| format!("{code} {}", percent(*share)))
        .collect();
    let summary = |most: usize| {
        let mut s = parts[..most.min(parts.len())].join(" ");
        if dependency.len() > most {
            s.push_str(&format!(" +{}", dependency.len() - most));
        }
        s
    };
    [summary(3), summary(2), summary(1)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_the_summaries_of_three_two_and_one() {
        for n in 0..6 {
            let dep: Vec<(String, f64)> = (0..n)
                .map(|i| (format!("C{i}"), 0.1 / (i + 1) as f64))
                .collect();
            assert_eq!(
                dependency_summaries(&dep),
                [3, 2, 1].map(|most| dependency_summary(&dep, most))
            );
        }
        let dep = [("CN", 0.88), ("AU", 0.05), ("MY", 0.04), ("US", 0.02)];
        assert_eq!(
            dependency_summaries(&dep),
            [
                "CN 88.0% AU 5.0% MY 4.0% +1".to_string(),
                "CN 88.0% AU 5.0% +2".to_string(),
                "CN 88.0% +3".to_string()
            ]
        );
    }

    #[test]
    fn percentages_have_one_decimal() {
        assert_eq!(percent(0.63), "63.0%");
        assert_eq!(percent(1.0), "100.0%");
        assert_eq!(percent(0.0), "0.0%");
        assert_eq!(percent(-1e-12), "0.0%");
        assert_eq!(percent(0.12345), "12.3%");
        assert_eq!(fixed(-0.2, 0), "0");
        assert_eq!(fixed(4350.4, 0), "4350");
    }

    #[test]
    fn dependency_summary_keeps_three() {
        let dep =
            |n: usize| -> Vec<(String, f64)> { (0..n).map(|i| (format!("C{i}"), 0.1)).collect() };
        assert_eq!(dependency_summary(&dep(0), 3), DASH);
        assert_eq!(dependency_summary(&dep(3), 3), "C0 10.0% C1 10.0% C2 10.0%");
        assert_eq!(
            dependency_summary(&dep(5), 3),
            "C0 10.0% C1 10.0% C2 10.0% +2"
        );
        assert_eq!(dependency_summary(&dep(5), 1), "C0 10.0% +4");
        assert_eq!(dependency_summary(&dep(1), 1), "C0 10.0%");
    }
}
