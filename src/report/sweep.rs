//! `lode sweep` and `lode tornado`: a [`Sweep`] or a [`Tornado`] as an
//! aligned table, markdown, CSV or JSON.
//!
//! A sweep's table and markdown show, per row and mineral, the row as the
//! scenario stands and its worst events by shortfall (the single points of
//! failure); its CSV has one record per event × row, its JSON is the whole
//! [`Sweep`]. A tornado shows one line per input, largest swing first,
//! with a bar scaled to the largest swing.

use super::{Format, RenderOptions};
use crate::metric::{MetricKind, percent};
use crate::sensitivity::{Sweep, SweepRow, Tornado};

const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Renders `sweep` in `format` with at most `top` events per row in a
/// table or markdown; the text ends with a newline.
pub fn render(sweep: &Sweep, format: Format, top: usize, opts: &RenderOptions) -> String {
    let mut out = match format {
        Format::Table => table(sweep, top, opts),
        Format::Markdown => markdown(sweep, top),
        Format::Csv | Format::CsvLong => csv(sweep),
        Format::Json => json(sweep),
        Format::Html => super::html::render_sweep(sweep, top, &super::html::Page::default()),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// `sweep of base — disrupt each producer with ≥ 1% of a stage by 100%:
/// 57 events (market, rerouting 100%)`.
fn title(s: &Sweep) -> String {
    let what = match s.kind {
        crate::sensitivity::EventKind::Disrupt => "disrupt",
        crate::sensitivity::EventKind::Restrict => "restrict the exports of",
    };
    let n = s.events.len();
    let at =
        s.at.as_ref()
            .map(|d| format!(" — as of {d}"))
            .unwrap_or_default();
    format!(
        "sweep of {}{at} — {what} each producer with ≥ {} of a stage by {}: {n} event{} ({})",
        s.scenario,
        crate::sensitivity::written_percent(s.min_share),
        crate::sensitivity::written_percent(s.by),
        if n == 1 { "" } else { "s" },
        s.allocation
    )
}

fn row_title(r: &SweepRow) -> String {
    let star = if r.demand_basis == crate::results::DemandBasis::Covers {
        "*"
    } else {
        ""
    };
    match r.kind {
        crate::results::RowKind::Country => format!("{}{star}", r.actor),
        kind => format!("{}{star} ({})", r.actor, kind.as_str()),
    }
}

fn fraction(v: Option<f64>) -> String {
    v.map_or_else(|| "no data".to_string(), |v| percent(v, 1))
}

/// The lines of one mineral's block: `[row, rank, event, at risk, shortfall]`.
/// With them, the rows without a demand figure.
fn block<'s>(s: &'s Sweep, mineral: &str, top: usize) -> (Vec<[String; 5]>, Vec<&'s str>) {
    let mut lines = Vec::new();
    let mut without: Vec<&str> = Vec::new();
    for r in s.rows.iter().filter(|r| r.mineral == mineral) {
        if !r.has_data() {
            without.push(&r.actor);
            continue;
        }
        lines.push([
            row_title(r),
            String::new(),
            "as the scenario stands".to_string(),
            fraction(r.at_risk),
            fraction(r.shortfall),
        ]);
        let worst = r.worst(top);
        if r.worst(1).is_empty() {
            lines.push([
                String::new(),
                String::new(),
                "no event raises its at-risk or shortfall".to_string(),
                String::new(),
                String::new(),
            ]);
        }
        for (k, e) in worst.iter().enumerate() {
            lines.push([
                String::new(),
                (k + 1).to_string(),
                s.event(e).statement.clone(),
                fraction(e.at_risk),
                fraction(e.shortfall),
            ]);
        }
    }
    (lines, without)
}

/// `no demand data, so no figure: AU, CA`, or nothing.
fn no_data_note(without: &[&str]) -> String {
    if without.is_empty() {
        String::new()
    } else {
        format!("no demand data, so no figure: {}\n", without.join(", "))
    }
}

/// The minerals of the rows, in order, each once.
fn minerals(s: &Sweep) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for r in &s.rows {
        if !out.contains(&r.mineral.as_str()) {
            out.push(&r.mineral);
        }
    }
    out
}

const COLUMNS: [&str; 5] = ["row", "#", "worst events", "at risk", "shortfall"];

fn table(s: &Sweep, top: usize, opts: &RenderOptions) -> String {
    let bold = |t: &str| {
        if opts.color {
            format!("{BOLD}{t}{RESET}")
        } else {
            t.to_string()
        }
    };
    let mut out = format!("{}\n", bold(&title(s)));
    if s.rows.is_empty() {
        out += "no rows\n";
    }
    for m in minerals(s) {
        let n = s.events.iter().filter(|e| e.mineral == m).count();
        out += &format!(
            "\n{}\n",
            bold(&format!("{m} — {n} event{}", if n == 1 { "" } else { "s" }))
        );
        let (body, without) = block(s, m, top);
        if !body.is_empty() {
            out += &aligned(&COLUMNS, &body, &[false, true, false, true, true]);
        }
        out += &no_data_note(&without);
    }
    if s.rows
        .iter()
        .any(|r| r.demand_basis == crate::results::DemandBasis::Covers)
    {
        out += "\n* demand from a coalition's `covers` claim, not from data\n";
    }
    out
}

/// Columns padded to their widest cell; `right` aligns numbers.
fn aligned<const N: usize>(header: &[&str; N], body: &[[String; N]], right: &[bool; N]) -> String {
    let widths: Vec<usize> = (0..N)
        .map(|i| {
            body.iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].chars().count()])
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
                if right[i] {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        format!("{}\n", parts.join("  ").trim_end())
    };
    let head: Vec<String> = header.iter().map(|c| c.to_string()).collect();
    let mut out = line(&head);
    let total = widths.iter().sum::<usize>() + 2 * (N - 1);
    out += &format!("{}\n", "─".repeat(total));
    for c in body {
        out += &line(c);
    }
    out
}

fn markdown(s: &Sweep, top: usize) -> String {
    let mut out = format!("## {}\n", escape(&title(s)));
    if s.rows.is_empty() {
        out += "\nno rows\n";
    }
    for m in minerals(s) {
        out += &format!("\n### {}\n\n", escape(m));
        let (body, without) = block(s, m, top);
        if !body.is_empty() {
            out += "| row | # | worst events | at risk | shortfall |\n";
            out += "| --- | ---: | --- | ---: | ---: |\n";
            for l in body {
                let cells: Vec<String> = l.iter().map(|c| escape(c)).collect();
                out += &format!("| {} |\n", cells.join(" | "));
            }
        }
        if !without.is_empty() {
            out += &format!("\n{}", escape(&no_data_note(&without)));
        }
    }
    if s.rows
        .iter()
        .any(|r| r.demand_basis == crate::results::DemandBasis::Covers)
    {
        out += "\n\\* demand from a coalition's `covers` claim, not from data\n";
    }
    out
}

/// Characters that would start emphasis, links or HTML (`_` in names is
/// left alone, as in `lode run`'s markdown).
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

/// The CSV header: one record per event and row of the event's mineral.
pub const CSV_HEADER: [&str; 14] = [
    "scenario",
    "event",
    "statement",
    "producer",
    "mineral",
    "stage",
    "share",
    "actor",
    "kind",
    "demand_basis",
    "at_risk",
    "shortfall",
    "scenario_at_risk",
    "scenario_shortfall",
];

fn csv(s: &Sweep) -> String {
    let write = || -> Result<String, Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(CSV_HEADER)?;
        let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        for r in &s.rows {
            for e in &r.events {
                let ev = s.event(e);
                w.write_record([
                    s.scenario.clone(),
                    ev.id.to_string(),
                    ev.statement.clone(),
                    ev.actor.clone(),
                    ev.mineral.clone(),
                    ev.stage.clone(),
                    format!("{}", ev.share),
                    r.actor.clone(),
                    r.kind.as_str().to_string(),
                    basis(r.demand_basis).to_string(),
                    opt(e.at_risk),
                    opt(e.shortfall),
                    opt(r.at_risk),
                    opt(r.shortfall),
                ])?;
            }
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes)?)
    };
    write().unwrap_or_else(|e| format!("internal error: could not write CSV: {e}\n"))
}

fn basis(b: crate::results::DemandBasis) -> &'static str {
    match b {
        crate::results::DemandBasis::Data => "data",
        crate::results::DemandBasis::Covers => "covers",
        crate::results::DemandBasis::None => "none",
    }
}

fn json<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_string_pretty(v) {
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

// ---------------------------------------------------------------- tornado

/// Width of the longest bar, in characters.
const BAR: usize = 24;

/// Renders `tornado` in `format`; the text ends with a newline.
pub fn render_tornado(t: &Tornado, format: Format, opts: &RenderOptions) -> String {
    let mut out = match format {
        Format::Table => tornado_table(t, opts),
        Format::Markdown => tornado_markdown(t),
        Format::Csv | Format::CsvLong => tornado_csv(t),
        Format::Json => json(t),
        Format::Html => super::html::render_tornado(t, &super::html::Page::default()),
    };
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out
}

fn tornado_title(t: &Tornado) -> String {
    let at =
        t.at.as_ref()
            .map(|d| format!(" as of {d}"))
            .unwrap_or_default();
    let vary = t
        .vary
        .map(|v| {
            format!(
                "; each plain `let` moved by ±{}",
                crate::sensitivity::written_percent(v)
            )
        })
        .unwrap_or_default();
    format!(
        "tornado of {} in {}{at}: {} at the plain values{vary}",
        t.metric,
        t.scenario,
        t.kind.format(t.value)
    )
}

/// `licensing_cut = 20%..60%`, `jp_days (let)`.
fn input_label(b: &crate::sensitivity::TornadoBar) -> String {
    match (b.kind, &b.name) {
        ("let", Some(n)) => format!("{n} (let)"),
        (_, Some(n)) if *n != b.text => format!("{n} = {}", b.text),
        _ => b.text.clone(),
    }
}

fn metric_cell(kind: MetricKind, v: Option<f64>) -> String {
    v.map_or_else(|| "absent".to_string(), |v| kind.format(v))
}

pub(crate) fn swing_cell(kind: MetricKind, v: f64) -> String {
    match kind.unit() {
        crate::metric::Unit::Fraction | crate::metric::Unit::Actor => {
            format!("{} pp", crate::metric::fixed(v * 100.0, 1))
        }
        _ => kind.format(v),
    }
}

fn tornado_lines(t: &Tornado) -> Vec<[String; 6]> {
    let widest = t.bars.iter().map(|b| b.swing).fold(0.0_f64, f64::max);
    t.bars
        .iter()
        .map(|b| {
            let n = if widest > 0.0 {
                ((b.swing / widest) * BAR as f64).round() as usize
            } else {
                0
            };
            [
                input_label(b),
                format!("{}:{}", b.file, b.line),
                metric_cell(t.kind, b.low),
                metric_cell(t.kind, b.high),
                swing_cell(t.kind, b.swing),
                "█".repeat(n),
            ]
        })
        .collect()
}

const TORNADO_COLUMNS: [&str; 6] = ["input", "line", "at low", "at high", "swing", ""];

fn tornado_table(t: &Tornado, opts: &RenderOptions) -> String {
    let title = tornado_title(t);
    let mut out = if opts.color {
        format!("{BOLD}{title}{RESET}\n")
    } else {
        format!("{title}\n")
    };
    if t.bars.is_empty() {
        out += if t.vary.is_some() {
            "no uncertain value (`a..b`) and no plain `let`: nothing to vary\n"
        } else {
            "no uncertain value (`a..b`) to vary; `--vary 10%` also moves each plain `let`\n"
        };
        return out;
    }
    out += "\n";
    out += &aligned(
        &TORNADO_COLUMNS,
        &tornado_lines(t),
        &[false, false, true, true, true, false],
    );
    out
}

fn tornado_markdown(t: &Tornado) -> String {
    let mut out = format!("## {}\n\n", escape(&tornado_title(t)));
    out += "| input | line | at low | at high | swing |\n";
    out += "| --- | --- | ---: | ---: | ---: |\n";
    for l in tornado_lines(t) {
        let cells: Vec<String> = l[..5].iter().map(|c| escape(c)).collect();
        out += &format!("| {} |\n", cells.join(" | "));
    }
    out
}

/// One record per input.
pub const TORNADO_CSV_HEADER: [&str; 13] = [
    "metric",
    "scenario",
    "value",
    "kind",
    "name",
    "text",
    "file",
    "line",
    "input_low",
    "input_high",
    "low",
    "high",
    "swing",
];

fn tornado_csv(t: &Tornado) -> String {
    let write = || -> Result<String, Box<dyn std::error::Error>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(TORNADO_CSV_HEADER)?;
        let opt = |v: Option<f64>| v.map(|v| format!("{v}")).unwrap_or_default();
        for b in &t.bars {
            w.write_record([
                t.metric.clone(),
                t.scenario.clone(),
                format!("{}", t.value),
                b.kind.to_string(),
                b.name.clone().unwrap_or_default(),
                b.text.clone(),
                b.file.clone(),
                b.line.to_string(),
                format!("{}", b.input_low),
                format!("{}", b.input_high),
                opt(b.low),
                opt(b.high),
                format!("{}", b.swing),
            ])?;
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes)?)
    };
    write().unwrap_or_else(|e| format!("internal error: could not write CSV: {e}\n"))
}
