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
    // Over samples: the median [5th–95th percentile], one figure when
    // every sample agrees.
    let shortfall = match (&p.shortfall_stats, p.shortfall) {
        (Some(s), _) if s.p5 == s.p95 => percent(s.p50, 1),
        (Some(s), _) => format!(
            "{} [{}–{}]",
            percent(s.p50, 1),
            percent(s.p5, 1),
            percent(s.p95, 1)
        ),
        (None, v) => v.map_or_else(|| "no data".to_string(), |v| percent(v, 1)),
    };
    [
        p.date.to_string(),
        p.days.to_string(),
        shortfall,
        p.stock_days
            .map_or_else(|| "–".to_string(), |v| crate::metric::fixed(v, 1)),
        p.uncovered
            .map_or_else(|| "no data".to_string(), |v| percent(v, 1)),
    ]
}

/// What a row's block ends with, if anything.
fn row_note(r: &TimelineRow, t: &Timeline) -> Option<String> {
    let plain = match (r.stock_out, r.stock_out_day) {
        (Some(out), Some(day)) => Some(format!(
            "stock runs out {out} ({day:.1} days after {})",
            t.from
        )),
        _ => None,
    };
    let Some(st) = &r.stock_out_stats else {
        return plain;
    };
    let plain = match plain {
        Some(p) => format!("{p} in the plain run"),
        None => "stock lasts the range in the plain run".to_string(),
    };
    let over = match &st.day {
        Some(d) => format!(
            "; over the samples it runs out in {} of them, {} [{}–{}] days after {}",
            percent(st.share, 1),
            crate::metric::fixed(d.p50, 1),
            crate::metric::fixed(d.p5, 1),
            crate::metric::fixed(d.p95, 1),
            t.from
        ),
        None => "; it lasts the range in every sample".to_string(),
    };
    Some(format!("{plain}{over}"))
}

/// Under a sampled timeline: what its figures are.
fn legend(t: &Timeline) -> Option<String> {
    t.sampling.map(|s| {
        format!(
            "over {} samples (seed {}): shortfall is the median [5th–95th percentile]; stock days, \
             uncovered and the stockpile lines are the plain run's",
            s.samples, s.seed
        )
    })
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
    if let Some(l) = legend(t) {
        out += &format!("\n{l}\n");
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
    if let Some(l) = legend(t) {
        out += &format!("\n{}\n", escape(&l));
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

/// The columns a sampled timeline adds: the shortfall over the samples,
/// the share of samples in which the row's stock runs out and the day.
pub const CSV_SAMPLED: [&str; 9] = [
    "shortfall_mean",
    "shortfall_p5",
    "shortfall_p50",
    "shortfall_p95",
    "stock_out_share",
    "stock_out_day_mean",
    "stock_out_day_p5",
    "stock_out_day_p50",
    "stock_out_day_p95",
];

fn csv(t: &Timeline) -> String {
    let write = || -> Result<String, Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let sampled = t.sampling.is_some();
        let mut header: Vec<&str> = CSV_HEADER.to_vec();
        if sampled {
            header.extend(CSV_SAMPLED);
        }
        w.write_record(&header)?;
        let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        let four = |s: Option<&crate::sample::Stats>| -> [String; 4] {
            match s {
                Some(s) => [s.mean, s.p5, s.p50, s.p95].map(|v| format!("{v}")),
                None => Default::default(),
            }
        };
        for r in &t.rows {
            for p in &r.points {
                let mut record: Vec<String> = vec![
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
                ];
                if sampled {
                    record.extend(four(p.shortfall_stats.as_ref()));
                    let out = r.stock_out_stats.as_ref();
                    record.push(opt(out.map(|o| o.share)));
                    record.extend(four(out.and_then(|o| o.day.as_ref())));
                }
                w.write_record(&record)?;
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
