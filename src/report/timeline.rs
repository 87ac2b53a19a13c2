//! `lode timeline`: a [`Timeline`] as an aligned table, markdown, CSV,
//! JSON or an HTML page (`html::render_timeline`). One block per (row,
//! mineral): a line per step with its shortfall, the stock left at the
//! step's start and what the stock does not cover; then one sentence per
//! stockpile saying when it runs out.

use super::{Format, RenderOptions};
use crate::metric::percent;
use crate::timeline::{Point, Timeline, TimelineRow};

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// The columns of a row's block.
const COLUMNS: [&str; 5] = ["date", "days", "shortfall", "stock days", "uncovered"];

/// Renders `timeline` in `format`; the text ends with a newline.
pub fn render(timeline: &Timeline, format: Format, opts: &RenderOptions) -> String {
    match format {
        Format::Table => table(timeline, opts),
        Format::Markdown => markdown(timeline),
        // A timeline's CSV is already one record per (row, step).
        Format::Csv | Format::CsvLong => csv(timeline),
        Format::Json => json(timeline),
        Format::Html => super::html::render_timeline(timeline, &super::html::Page::default()),
    }
}

/// `timeline base — 2026-01-01 to 2027-01-01, monthly`.
fn title(t: &Timeline) -> String {
    format!(
        "timeline {} — {} to {}, {}",
        t.scenario,
        t.from,
        t.until,
        t.step.adverb()
    )
}

/// `JP rare_earths`, `partners (coalition) rare_earths`.
fn row_title(r: &TimelineRow) -> String {
    match r.kind {
        crate::results::RowKind::Country => format!("{} {}", r.actor, r.mineral),
        kind => format!("{} ({}) {}", r.actor, kind.as_str(), r.mineral),
    }
}

fn cells(p: &Point) -> [String; 5] {
    [
        p.date.to_string(),
        p.days.to_string(),
        p.shortfall
            .map_or_else(|| "no data".to_string(), |v| percent(v, 1)),
        p.stock_days
            .map_or_else(|| "–".to_string(), |v| crate::metric::fixed(v, 1)),
        p.uncovered
            .map_or_else(|| "no data".to_string(), |v| percent(v, 1)),
    ]
}

/// What a row's block ends with, if anything.
fn row_note(r: &TimelineRow, t: &Timeline) -> Option<String> {
    match (r.stock_out, r.stock_out_day) {
        (Some(out), Some(day)) => Some(format!(
            "stock runs out {out} ({day:.1} days after {})",
            t.from
        )),
        _ => None,
    }
}

fn table(t: &Timeline, opts: &RenderOptions) -> String {
    let bold = |s: &str| {
        if opts.color {
            format!("{BOLD}{s}{RESET}")
        } else {
            s.to_string()
        }
    };
    let mut out = format!("{}\n", bold(&title(t)));
    if t.rows.is_empty() {
        out += "no rows\n";
    }
    for r in &t.rows {
        out += "\n";
        out += &format!("{}\n", bold(&row_title(r)));
        let body: Vec<[String; 5]> = r.points.iter().map(cells).collect();
        let widths: Vec<usize> = (0..COLUMNS.len())
            .map(|i| {
                body.iter()
                    .map(|c| c[i].chars().count())
                    .chain([COLUMNS[i].chars().count()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| -> String {
            let parts: Vec<String> = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let w = widths[i];
                    if i == 0 {
                        format!("{c:<w$}")
                    } else {
                        format!("{c:>w$}")
                    }
                })
                .collect();
            format!("{}\n", parts.join("  ").trim_end())
        };
        let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
        out += &line(&header);
        let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
        out += &format!("{}\n", "─".repeat(total));
        for c in &body {
            out += &line(c);
        }
        if let Some(note) = row_note(r, t) {
            out += &format!("{note}\n");
        }
    }
    if !t.stockpiles.is_empty() {
        out += "\n";
        out += &format!("{}\n", bold("stockpiles"));
        for s in &t.stockpiles {
            out += &format!("{}\n", s.sentence(t.until));
        }
    }
    out
}

fn markdown(t: &Timeline) -> String {
    let mut out = format!("## {}\n", escape(&title(t)));
    if t.rows.is_empty() {
        out += "\nno rows\n";
    }
    for r in &t.rows {
        out += &format!("\n### {}\n\n", escape(&row_title(r)));
        out += "| date | days | shortfall | stock days | uncovered |\n";
        out += "| --- | ---: | ---: | ---: | ---: |\n";
        for p in &r.points {
            out += &format!("| {} |\n", cells(p).join(" | "));
        }
        if let Some(note) = row_note(r, t) {
            out += &format!("\n{}\n", escape(&note));
        }
    }
    if !t.stockpiles.is_empty() {
        out += "\n### stockpiles\n\n";
        for s in &t.stockpiles {
            out += &format!("- {}\n", escape(&s.sentence(t.until)));
        }
    }
    out
}

/// Characters that would start emphasis, links or HTML (as `report`'s
/// markdown: `_` in names is left alone).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The CSV header: one record per row, mineral and step.
pub const CSV_HEADER: [&str; 11] = [
    "scenario",
    "actor",
    "kind",
    "mineral",
    "date",
    "days",
    "shortfall",
    "stock_days",
    "uncovered",
    "stock_out",
    "stock_out_day",
];

fn csv(t: &Timeline) -> String {
    let write = || -> Result<String, Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_HEADER)?;
        let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        for r in &t.rows {
            for p in &r.points {
                w.write_record([
                    t.scenario.clone(),
                    r.actor.clone(),
                    r.kind.as_str().to_string(),
                    r.mineral.clone(),
                    p.date.to_string(),
                    p.days.to_string(),
                    opt(p.shortfall),
                    opt(p.stock_days),
                    opt(p.uncovered),
                    r.stock_out.map(|d| d.to_string()).unwrap_or_default(),
                    opt(r.stock_out_day),
                ])?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes)?)
    };
    write().unwrap_or_else(|e| format!("internal error: could not write CSV: {e}\n"))
}

fn json(t: &Timeline) -> String {
    match serde_json::to_string_pretty(t) {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        Err(e) => format!(
            "{}\n",
            serde_json::json!({ "error": format!("internal error: {e}") })
        ),
    }
}
