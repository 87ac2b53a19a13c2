//! The page around the charts: the document head with its
//! Content-Security-Policy and style sheet, headings, tables, notes.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

use super::Page;
use crate::report::sections::{Cell, Column, ExpectLine, Tone};

/// Nothing may be fetched: no script, no font, no image from elsewhere,
/// no form. Inline styles and `data:` images only. (`frame-ancestors`
/// would be ignored in a `<meta>` element, and browsers say so.)
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// The style sheet: system fonts only, tables and charts that fit A4 when
/// printed, and marks that survive greyscale (bold and ✓/✗, not colour
/// alone).
const STYLE: &str = r#"
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #111; background: #fff; margin: 0 auto; max-width: 60rem; padding: 1.5rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid #999; padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lede { font-size: 1.05rem; margin: 0 0 .5rem; }
p.meta, p.note, figcaption { color: #444; font-size: .85rem; margin: .3rem 0; }
nav ol { columns: 2; font-size: .9rem; }
table { border-collapse: collapse; font-size: .8rem; margin: .4rem 0; width: 100%; }
th, td { padding: .15rem .4rem; text-align: left; vertical-align: top; border-bottom: 1px solid #ddd; }
th { border-bottom: 1.5px solid #333; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.alarm { font-weight: 700; color: #8a1c14; }
td.caution { font-weight: 600; color: #7a5200; }
td.nodata { color: #666; font-style: italic; }
.pass { color: #14532d; font-weight: 700; }
.fail { color: #8a1c14; font-weight: 700; }
ul.warnings li { margin: .2rem 0; }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .85em; }
figure { margin: .8rem 0 1.2rem; }
svg.chart { display: block; max-width: 100%; height: auto; font-size: 11px; font-family: inherit; }
svg.chart text { fill: #111; }
svg.chart text.group { font-weight: 600; }
svg.chart text.nodata { fill: #555; font-style: italic; }
svg.chart text.axis { fill: #333; }
svg.chart text.mark { fill: #8a1c14; font-weight: 600; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  figure, tr { break-inside: avoid; }
  thead { display: table-header-group; }
  table { font-size: 7.5pt; }
  td.alarm, td.caution, .pass, .fail { color: #000; }
}
"#;

/// The document around `body`.
pub fn document(page: &Page, body: &str) -> String {
    let title = match &page.lede {
        Some(lede) => format!("{} — {lede}", page.title),
        None => page.title.clone(),
    };
    let mut out = String::with_capacity(body.len() + STYLE.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"lode {}\">\n<title>{}</title>\n<style>{}</style>\n\
         </head>\n<body>\n",
        attr(CSP),
        env!("CARGO_PKG_VERSION"),
        text(&title),
        STYLE
    );
    out += body;
    out += "</body>\n</html>\n";
    out
}

/// `<h1>` with the lede and the lines under it.
pub fn header(page: &Page, meta: &[String]) -> String {
    let mut out = format!("<header>\n<h1>{}</h1>\n", text(&page.title));
    if let Some(lede) = &page.lede {
        let _ = writeln!(out, "<p class=\"lede\">{}</p>", text(lede));
    }
    for m in meta {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", text(m));
    }
    out += "</header>\n";
    out
}

/// A list of links to the page's sections: (anchor, label).
pub fn contents(links: &[(String, String)]) -> String {
    if links.len() < 3 {
        return String::new();
    }
    let mut out = String::from("<nav aria-label=\"contents\">\n<ol>\n");
    for (id, label) in links {
        let _ = writeln!(
            out,
            "<li><a href=\"#{}\">{}</a></li>",
            attr(id),
            text(label)
        );
    }
    out += "</ol>\n</nav>\n";
    out
}

/// An id for an anchor: letters, digits, `-` and `_` only.
pub fn anchor(prefix: &str, name: &str) -> String {
    let clean: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("{prefix}-{clean}")
}

pub fn heading(level: u8, id: Option<&str>, label: &str) -> String {
    match id {
        Some(id) => format!("<h{level} id=\"{}\">{}</h{level}>\n", attr(id), text(label)),
        None => format!("<h{level}>{}</h{level}>\n", text(label)),
    }
}

pub fn note(s: &str) -> String {
    format!("<p class=\"note\">{}</p>\n", text(s))
}

/// A chart in a `<figure>` with a caption.
pub fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
        text(caption)
    )
}

/// A `<table>` of the same cells the terminal table prints.
pub fn table(columns: &[Column], rows: &[Vec<Cell>], caption: &str) -> String {
    let mut out = format!(
        "<table>\n<caption class=\"sr\">{}</caption>\n<thead><tr>",
        text(caption)
    );
    for c in columns {
        let class = if c.numeric { " class=\"num\"" } else { "" };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", text(c.name));
    }
    out += "</tr></thead>\n<tbody>\n";
    for row in rows {
        out += "<tr>";
        for (i, cell) in row.iter().enumerate() {
            let numeric = columns.get(i).is_some_and(|c| c.numeric);
            let mut classes = Vec::new();
            if numeric {
                classes.push("num");
            }
            match cell.tone {
                Tone::Alarm => classes.push("alarm"),
                Tone::Caution => classes.push("caution"),
                Tone::Plain => {}
            }
            if cell.text == crate::report::sections::NO_DATA {
                classes.push("nodata");
            }
            let class = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", classes.join(" "))
            };
            let _ = write!(out, "<td{class}>{}</td>", text(&cell.text));
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    out
}

/// A table of plain strings (the timeline's steps): `numeric[i]` aligns
/// column `i` right.
pub fn plain_table(columns: &[&str], numeric: &[bool], rows: &[Vec<String>]) -> String {
    let mut out = String::from("<table>\n<thead><tr>");
    for (i, c) in columns.iter().enumerate() {
        let class = if numeric.get(i).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        };
        let _ = write!(out, "<th scope=\"col\"{class}>{}</th>", text(c));
    }
    out += "</tr></thead>\n<tbody>\n";
    for row in rows {
        out += "<tr>";
        for (i, cell) in row.iter().enumerate() {
            let mut classes = Vec::new();
            if numeric.get(i).copied().unwrap_or(false) {
                classes.push("num");
            }
            if cell == "no data" {
                classes.push("nodata");
            }
            let class = if classes.is_empty() {
                String::new()
            } else {
                format!(" class=\"{}\"", classes.join(" "))
            };
            let _ = write!(out, "<td{class}>{}</td>", text(cell));
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    out
}

/// The expectations as a table: a mark that reads without colour, the
/// scenario, the expectation, the actual value.
pub fn expectations(lines: &[ExpectLine]) -> String {
    let mut out = String::from(
        "<table>\n<thead><tr><th scope=\"col\">result</th><th scope=\"col\">scenario</th>\
         <th scope=\"col\">expectation</th><th scope=\"col\" class=\"num\">actual</th></tr></thead>\n<tbody>\n",
    );
    for l in lines {
        let mark = if l.passed {
            "<span class=\"pass\">✓ passed</span>"
        } else {
            "<span class=\"fail\">✗ failed</span>"
        };
        let _ = writeln!(
            out,
            "<tr><td>{mark}</td><td>{}</td><td><code>{}</code></td><td class=\"num\">{}</td></tr>",
            text(&l.scenario),
            text(&l.text),
            text(&l.actual)
        );
    }
    out += "</tbody>\n</table>\n";
    out
}

/// The warnings, each with its code.
pub fn warnings(list: &[(String, String)]) -> String {
    let mut out = String::from("<ul class=\"warnings\">\n");
    for (code, message) in list {
        let _ = writeln!(
            out,
            "<li><code>{}</code> {}</li>",
            text(code),
            text(message)
        );
    }
    out += "</ul>\n";
    out
}
