//! The content `table` and `markdown` share: one [`Section`] per scenario,
//! per comparison and for the expectations, each a list of formatted cells,
//! plus the number formatting both use. Built once here so the two formats
//! cannot drift apart; they differ only in layout.
//!
//! Conventions: fractions are percentages with one decimal (`63.0%`), deltas
//! of fractions signed percentage points (`+63.0 pp`), `hhi` an integer,
//! `cover_days` one decimal, an absent value `–`.

use crate::results::{
    Comparison, DeltaRow, ExpectationResult, Results, Row, RowKind, ScenarioResult,
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
    /// Shorter renderings of the same value, each narrower than the one
    /// before, for a terminal table that would not fit otherwise.
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
    pub numeric: bool,
}

const fn text_col(name: &'static str) -> Column {
    Column {
        name,
        numeric: false,
    }
}

const fn num_col(name: &'static str) -> Column {
    Column {
        name,
        numeric: true,
    }
}

pub(crate) const SCENARIO_COLUMNS: [Column; 10] = [
    text_col("mineral"),
    text_col("actor"),
    num_col("demand"),
    num_col("import rel."),
    text_col("top supplier"),
    num_col("HHI"),
    text_col("dependency"),
    num_col("at risk"),
    num_col("shortfall"),
    num_col("cover days"),
];

pub(crate) const COMPARE_COLUMNS: [Column; 6] = [
    text_col("mineral"),
    text_col("actor"),
    text_col("metric"),
    num_col("base"),
    num_col("value"),
    num_col("delta"),
];

/// One rendered block of the table or markdown output.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Section {
    Scenario {
        name: String,
        at: Option<String>,
        rows: Vec<Vec<Cell>>,
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

pub(crate) fn sections(results: &Results) -> Vec<Section> {
    let mut out: Vec<Section> = results.scenarios.iter().map(scenario_section).collect();
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

fn scenario_section(s: &ScenarioResult) -> Section {
    Section::Scenario {
        name: s.name.clone(),
        at: s.at.clone(),
        rows: s.rows.iter().map(scenario_cells).collect(),
    }
}

fn scenario_cells(row: &Row) -> Vec<Cell> {
    let top = match &row.top_supplier {
        Some(code) => format!("{code} {}", percent(row.top_supplier_share)),
        None => DASH.to_string(),
    };
    let shortfall_tone = if row.shortfall >= 0.1 {
        Tone::Alarm
    } else if row.shortfall >= DELTA_EPSILON {
        Tone::Caution
    } else {
        Tone::Plain
    };
    // Without demand there is nothing to import, concentrate or lose: the
    // SPEC's zeros would read as "safe", so the table says "–".
    let needs_demand = |text: String| {
        if row.demand > 0.0 {
            text
        } else {
            DASH.to_string()
        }
    };
    vec![
        Cell::plain(row.mineral.clone()),
        Cell::plain(actor_label(&row.actor, Some(row.kind))),
        Cell::plain(percent(row.demand)),
        Cell::plain(needs_demand(percent(row.import_reliance))),
        Cell::plain(top),
        Cell::plain(needs_demand(fixed(row.hhi, 0))),
        Cell {
            text: dependency_summary(&row.dependency, 3),
            tone: Tone::Plain,
            shorter: vec![
                dependency_summary(&row.dependency, 2),
                dependency_summary(&row.dependency, 1),
            ],
        },
        Cell::plain(needs_demand(percent(row.at_risk))),
        Cell {
            text: needs_demand(percent(row.shortfall)),
            tone: shortfall_tone,
            shorter: Vec::new(),
        },
        Cell::plain(row.cover_days.map_or(DASH.to_string(), |d| fixed(d, 1))),
    ]
}

fn compare_section(results: &Results, c: &Comparison) -> Section {
    let (shown, hidden): (Vec<&DeltaRow>, Vec<&DeltaRow>) = c
        .rows
        .iter()
        .partition(|d| d.delta.abs() > DELTA_EPSILON || !d.delta.is_finite());
    let rows = shown
        .into_iter()
        .map(|d| {
            let kind = row_kind(results, &[&c.against, &c.base], &d.actor, &d.mineral);
            vec![
                Cell::plain(d.mineral.clone()),
                Cell::plain(actor_label(&d.actor, kind)),
                Cell::plain(d.metric.to_string()),
                Cell::plain(d.metric.kind.format(d.base)),
                Cell::plain(d.metric.kind.format(d.value)),
                Cell::plain(d.metric.kind.format_delta(d.delta)),
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
    ExpectLine {
        passed: e.passed,
        scenario: e.scenario.clone(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
