//! Renderers: turn an evaluated [`Results`] into the text `lode run` prints.
//!
//! Six formats (SPEC §4.1, §12): an aligned terminal `table` (the default),
//! GitHub-flavoured `markdown`, `csv`, `csv-long` (one value a row, for
//! spreadsheets to pivot), `json` and a self-contained `html` page with
//! charts (`html/`). With [`Units::Tonnes`] (`--units t`)
//! each also gives at-risk and shortfall in tonnes a year (`tonnes.rs`). Rendering only formats: it
//! never reorders rows (the evaluator already sorted them), never computes a
//! metric, and never prints warnings (the CLI sends those to stderr).
//!
//! `table` and `markdown` show the same content, built once in `sections.rs`
//! (one section per scenario, one per comparison, one for the expectations)
//! so the two cannot drift apart; `table.rs` and `markdown.rs` only lay it
//! out. Every output ends with a newline, and no input makes one panic.

mod csv;
mod csv_long;
pub mod html;
pub mod json;
mod markdown;
mod sections;
pub mod sweep;
mod table;
pub mod timeline;
pub mod tonnes;

pub use tonnes::Units;

use std::fmt;
use std::str::FromStr;

use crate::results::Results;

/// An output format of `lode run --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Aligned tables for a terminal.
    #[default]
    Table,
    /// GitHub-flavoured markdown: headings and pipe tables.
    Markdown,
    /// One header, one record per scenario, row and mineral.
    Csv,
    /// One record per value, for spreadsheets to pivot.
    CsvLong,
    /// Every result, comparison and expectation as JSON (schema in the README).
    Json,
    /// One self-contained HTML page with tables and inline SVG charts.
    Html,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Markdown => "markdown",
            Format::Csv => "csv",
            Format::CsvLong => "csv-long",
            Format::Json => "json",
            Format::Html => "html",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of parsing an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownFormat(pub String);

impl fmt::Display for UnknownFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown format `{}` (expected table, markdown, csv, csv-long, json or html)",
            self.0
        )
    }
}

impl std::error::Error for UnknownFormat {}

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "table" => Ok(Format::Table),
            "markdown" => Ok(Format::Markdown),
            "csv" => Ok(Format::Csv),
            "csv-long" => Ok(Format::CsvLong),
            "json" => Ok(Format::Json),
            "html" => Ok(Format::Html),
            _ => Err(UnknownFormat(s.to_string())),
        }
    }
}

/// How to render. Only `table` looks at these; the other formats are the
/// same everywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// Emit ANSI colour. The caller decides (terminal, `NO_COLOR`); the
    /// renderer never probes the environment for it.
    pub color: bool,
    /// Wrap tables to this many columns. `None` leaves it to comfy-table:
    /// the terminal's width when stdout is one, no wrapping otherwise.
    pub width: Option<u16>,
}

/// Renders `results` in `format`. The text always ends with a newline.
pub fn render(results: &Results, format: Format, opts: &RenderOptions) -> String {
    render_in(results, format, opts, Units::Shares)
}

/// Renders `results` in `format`, with at-risk and shortfall in `units`.
/// The text always ends with a newline.
pub fn render_in(results: &Results, format: Format, opts: &RenderOptions, units: Units) -> String {
    let mut out = match format {
        Format::Table => table::render(results, opts, units),
        Format::Markdown => markdown::render(results, units),
        Format::Csv => csv::render(results, units),
        Format::CsvLong => csv_long::render(results, units),
        Format::Json => json::render(results, units),
        Format::Html => html::render(results, &html::Page::default(), units),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// Writes `results` in `format` into `w`, as [`render_in`] renders them;
/// `csv` and `json` are streamed, so a large run's text never exists whole
/// in memory.
pub fn write_in(
    results: &Results,
    format: Format,
    opts: &RenderOptions,
    units: Units,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => json::write_in(results, units, w),
        Format::Csv => csv::write(results, units, w),
        _ => w.write_all(render_in(results, format, opts, units).as_bytes()),
    }
}

/// The hand-built results every renderer's tests render.
#[cfg(test)]
pub(crate) mod fixture {
    use crate::results::*;

    pub fn empty() -> Results {
        Results {
            lode_version: "0.1.0",
            sampling: None,
            scenarios: vec![],
            comparisons: vec![],
            minerals: vec![],
            expectations: vec![],
            warnings: vec![],
        }
    }

    fn pairs(p: &[(&str, f64)]) -> Vec<(String, f64)> {
        p.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        actor: &str,
        kind: RowKind,
        demand: f64,
        output: &[(&str, f64)],
        import_reliance: f64,
        top: Option<(&str, f64)>,
        hhi: f64,
        dependency: &[(&str, f64)],
        at_risk: f64,
        shortfall: f64,
        cover_days: Option<f64>,
    ) -> Row {
        Row {
            actor: actor.into(),
            kind,
            mineral: "rare_earths".into(),
            demand,
            demand_basis: DemandBasis::Data,
            data_members: None,
            output: pairs(output),
            import_reliance: Some(import_reliance),
            top_supplier: top.map(|(c, _)| c.to_string()),
            top_supplier_share: Some(top.map_or(0.0, |(_, s)| s)),
            hhi: Some(hhi),
            dependency: Some(dependency.iter().map(|(k, v)| ((*k).into(), *v)).collect()),
            at_risk: Some(at_risk),
            shortfall: Some(shortfall),
            cover_days,
            dependency_small: Vec::new(),
            stats: None,
        }
    }

    /// Two scenarios with a coalition, a group and a country row each, one
    /// comparison, two expectations (one failing) and a warning.
    pub fn results() -> Results {
        let stages = |m: f64, r: f64| [("mining", m), ("refining", r)];
        let base = vec![
            row(
                "allies",
                RowKind::Coalition,
                0.31,
                &stages(0.1, 0.02),
                0.9,
                Some(("CN", 0.7)),
                5210.0,
                &[
                    ("CN", 0.86),
                    ("AU", 0.05),
                    ("MY", 0.04),
                    ("US", 0.03),
                    ("JP", 0.002),
                ],
                0.0,
                0.0,
                None,
            ),
            row(
                "eu",
                RowKind::Group,
                0.12,
                &stages(0.0, 0.01),
                1.0,
                Some(("CN", 0.8)),
                6600.0,
                &[("CN", 0.9), ("EE", 0.08)],
                0.0,
                0.0,
                None,
            ),
            row(
                "JP",
                RowKind::Country,
                0.07,
                &stages(0.0, 0.0),
                1.0,
                Some(("CN", 0.63)),
                4350.0,
                &[("CN", 0.88), ("AU", 0.05), ("MY", 0.04)],
                0.0,
                0.0,
                None,
            ),
        ];
        let mut base = base;
        base[0].data_members = Some([5, 9]);
        base[1].data_members = Some([3, 3]);
        let mut cutoff = base.clone();
        cutoff[0].at_risk = Some(0.142);
        cutoff[0].shortfall = Some(0.0461);
        cutoff[2].at_risk = Some(0.63);
        cutoff[2].shortfall = Some(0.2325);
        cutoff[2].cover_days = Some(95.2);
        cutoff[2].hhi = Some(4470.0);
        cutoff[2].output[1].1 = 0.0001;
        cutoff[2].dependency = Some(
            [("CN", 0.8), ("AU", 0.13), ("MY", 0.04)]
                .iter()
                .map(|(k, v)| ((*k).into(), *v))
                .collect(),
        );
        let delta = |actor: &str, metric: &str, base: f64, value: f64| DeltaRow {
            actor: actor.into(),
            mineral: "rare_earths".into(),
            metric: metric.parse().unwrap(),
            base: Some(base),
            value: Some(value),
            delta: Some(value - base),
        };
        Results {
            lode_version: "0.1.0",
            sampling: None,
            scenarios: vec![
                ScenarioResult {
                    name: "base".into(),
                    at: None,
                    rows: base,
                },
                ScenarioResult {
                    name: "japan_cutoff".into(),
                    at: None,
                    rows: cutoff,
                },
            ],
            comparisons: vec![Comparison {
                base: "base".into(),
                against: "japan_cutoff".into(),
                rows: vec![
                    delta("allies", "demand", 0.31, 0.31),
                    delta("allies", "at_risk", 0.0, 0.142),
                    delta("allies", "shortfall", 0.0, 0.0461),
                    delta("allies", "dependency.CN", 0.86, 0.86),
                    delta("JP", "demand", 0.07, 0.07),
                    delta("JP", "hhi", 4350.0, 4470.0),
                    delta("JP", "at_risk", 0.0, 0.63),
                    delta("JP", "shortfall", 0.0, 0.2325),
                    delta("JP", "dependency.CN", 0.88, 0.8),
                    delta("JP", "dependency.AU", 0.05, 0.13),
                    delta("JP", "output.refining", 0.0, 0.0001),
                ],
            }],
            minerals: vec![MineralInfo {
                name: "rare_earths".into(),
                stages: vec!["mining".into(), "refining".into()],
                volume_t: Some(390000.0),
                sources: vec!["USGS Mineral Commodity Summaries 2025".into()],
            }],
            expectations: vec![
                ExpectationResult {
                    scenario: "japan_cutoff".into(),
                    text: "JP.rare_earths.shortfall > 20%".into(),
                    metric: crate::metric::MetricKind::Shortfall,
                    passed: true,
                    actual: Some(0.2325),
                    actual_text: None,
                    margin: 0.0,
                    reason: None,
                    location: "demo.lode:12".into(),
                    at: None,
                },
                ExpectationResult {
                    scenario: "base".into(),
                    text: "allies.rare_earths.hhi < 5000".into(),
                    metric: crate::metric::MetricKind::Hhi,
                    passed: false,
                    actual: Some(5210.0),
                    actual_text: None,
                    margin: 210.0,
                    reason: None,
                    location: "demo.lode:13".into(),
                    at: None,
                },
                ExpectationResult {
                    scenario: "base".into(),
                    text: "JP.rare_earths.top_supplier == CN".into(),
                    metric: crate::metric::MetricKind::TopSupplier,
                    passed: true,
                    actual: None,
                    actual_text: Some("CN".into()),
                    margin: 0.0,
                    reason: None,
                    location: "demo.lode:14".into(),
                    at: None,
                },
            ],
            warnings: vec![WarningInfo {
                code: "lode::W0301".into(),
                message: "AU sources 40% from MY, more than MY's surplus; capped".into(),
            }],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ScenarioResult;

    #[test]
    fn format_names_round_trip() {
        for f in [
            Format::Table,
            Format::Markdown,
            Format::Csv,
            Format::CsvLong,
            Format::Json,
            Format::Html,
        ] {
            assert_eq!(f.as_str().parse::<Format>(), Ok(f));
            assert_eq!(f.to_string(), f.as_str());
        }
        assert!("yaml".parse::<Format>().is_err());
        assert_eq!("JSON".parse::<Format>(), Ok(Format::Json));
    }

    #[test]
    fn every_format_survives_empty_results() {
        let empty = fixture::empty();
        let mut one_empty = fixture::empty();
        one_empty.scenarios.push(ScenarioResult {
            name: "base".into(),
            at: None,
            rows: vec![],
        });
        for results in [&empty, &one_empty] {
            for format in [
                Format::Table,
                Format::Markdown,
                Format::Csv,
                Format::CsvLong,
                Format::Json,
                Format::Html,
            ] {
                for color in [false, true] {
                    for width in [None, Some(0), Some(1), Some(120)] {
                        for units in [Units::Shares, Units::Tonnes] {
                            let opts = RenderOptions { color, width };
                            let out = render_in(results, format, &opts, units);
                            assert!(out.ends_with('\n'), "{format} {color} {width:?}: {out:?}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn narrow_widths_do_not_panic() {
        let results = fixture::results();
        for width in [0, 1, 5, 20, 40, 80] {
            let out = render(
                &results,
                Format::Table,
                &RenderOptions {
                    color: true,
                    width: Some(width),
                },
            );
            assert!(out.ends_with('\n'));
        }
    }
}
