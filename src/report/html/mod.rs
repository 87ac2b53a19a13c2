//! `--format html` (SPEC §12): one self-contained page that can be mailed
//! or archived. No request leaves it: a Content-Security-Policy of
//! `default-src 'none'` with inline styles and `data:` images only, no
//! script, no web font. It holds the tables of `--format table` as
//! `<table>` elements (the same cells, from `sections.rs`) and charts as
//! inline SVG (`svg.rs` draws, `charts.rs` decides what), and prints on A4.
//!
//! The output is stable: chart ids count up in page order, nothing holds
//! a time or a random number, so the same results give the same bytes.

mod charts;
mod page;
mod sensitivity;
pub mod svg;

pub use sensitivity::{render_sweep, render_tornado};

pub use charts::{Ids, nice_ceiling};

use std::fmt::Write;

use super::Units;
use super::sections::{self, COMPARE_COLUMNS, SCENARIO_COLUMNS, Section};
use crate::metric::{fixed, percent};
use crate::results::Results;
use crate::timeline::Timeline;

/// What the page is called: the file's name and the first paragraph of
/// its first comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub title: String,
    pub lede: Option<String>,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            title: "lode report".to_string(),
            lede: None,
        }
    }
}

impl Page {
    /// The page of a program read from `name` (a path, `<stdin>`,
    /// `<expr>`): the file's stem, and the first comment of `text`.
    pub fn of_source(name: &str, text: &str) -> Page {
        let stem = std::path::Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty() && !name.starts_with('<'))
            .unwrap_or_else(|| name.to_string());
        Page {
            title: stem,
            lede: first_comment(text),
        }
    }
}

/// The first paragraph of the first comment of a program: the `#` lines
/// at its top (blank lines before them skipped) up to an empty `#` line
/// or the first line that is not a comment, joined with spaces.
pub fn first_comment(text: &str) -> Option<String> {
    let mut words: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() && words.is_empty() {
            continue;
        }
        let Some(rest) = line.strip_prefix('#') else {
            break;
        };
        let rest = rest.trim();
        if rest.is_empty() {
            if words.is_empty() {
                continue;
            }
            break;
        }
        words.push(rest);
    }
    if words.is_empty() {
        None
    } else {
        Some(words.join(" "))
    }
}

/// The page of `lode run --format html`.
pub fn render(results: &Results, page: &Page, units: Units) -> String {
    let mut ids = Ids::default();
    let secs = sections::sections(results, units);
    let mut body = String::new();

    // The lines under the title: the as-of date(s), the sampling, the count.
    let mut meta = Vec::new();
    let dates: Vec<&Option<String>> = results.scenarios.iter().map(|s| &s.at).collect();
    match dates.first() {
        Some(Some(d)) if dates.iter().all(|x| x.as_deref() == Some(d.as_str())) => {
            meta.push(format!("as of {d}"));
        }
        _ if dates.iter().any(|d| d.is_some()) => {
            meta.push(
                "as-of dates differ by scenario: each scenario's heading gives its own".into(),
            );
        }
        _ => {}
    }
    if let Some(s) = &results.sampling {
        meta.push(format!(
            "over {} samples (seed {}): each figure is the median [5th–95th percentile]; \
             charts draw the median with a whisker from the 5th to the 95th percentile",
            s.samples, s.seed
        ));
    }
    let names: Vec<&str> = results.scenarios.iter().map(|s| s.name.as_str()).collect();
    meta.push(match names.len() {
        0 => "no scenarios".to_string(),
        1 => format!("scenario {}", names[0]),
        n => format!("{n} scenarios: {}", names.join(", ")),
    });
    meta.push(format!("lode {}", results.lode_version));

    // Contents.
    let minerals = charts::minerals(results);
    let mut links: Vec<(String, String)> = Vec::new();
    if !results.warnings.is_empty() {
        links.push(("warnings".into(), "warnings".into()));
    }
    if !minerals.is_empty() {
        links.push(("overview".into(), "at risk and shortfall".into()));
    }
    for s in &results.scenarios {
        links.push((
            page::anchor("scenario", &s.name),
            format!("scenario {}", s.name),
        ));
    }
    for c in &results.comparisons {
        links.push((
            page::anchor("compare", &format!("{}-{}", c.against, c.base)),
            format!("compare {} against {}", c.against, c.base),
        ));
    }
    if !results.expectations.is_empty() {
        links.push(("expectations".into(), "expectations".into()));
    }

    body += &page::header(page, &meta);
    // The verdict first: what passed and failed is what a reader looks for.
    if !results.expectations.is_empty() {
        let passed = results.expectations.iter().filter(|e| e.passed).count();
        let failed = results.expectations.len() - passed;
        let _ = writeln!(
            body,
            "<p class=\"lede\"><a href=\"#expectations\">expectations</a>: {} passed, {}</p>",
            passed,
            if failed > 0 {
                format!("<span class=\"fail\">{failed} failed</span>")
            } else {
                "0 failed".to_string()
            }
        );
    }
    body += &page::contents(&links);

    if !results.warnings.is_empty() {
        body += "<section>\n";
        body += &page::heading(
            2,
            Some("warnings"),
            &format!("warnings ({})", results.warnings.len()),
        );
        let list: Vec<(String, String)> = results
            .warnings
            .iter()
            .map(|w| (w.code.clone(), w.message.clone()))
            .collect();
        body += &page::warnings(&list);
        body += "</section>\n";
    }

    if !minerals.is_empty() {
        body += "<section>\n";
        body += &page::heading(2, Some("overview"), "at risk and shortfall");
        for m in &minerals {
            body += &page::heading(3, None, m);
            let svg = charts::mineral_chart(results, m, ids.fresh());
            body += &page::figure(
                &svg,
                &format!(
                    "{m}: at risk (pale) and shortfall after rerouting (dark), in % of each row's \
                     own demand, per scenario"
                ),
            );
        }
        if results
            .scenarios
            .iter()
            .flat_map(|s| &s.rows)
            .any(|r| r.demand_basis == crate::results::DemandBasis::Covers)
        {
            body += &page::note("* demand supplied by a coalition's `covers` claim, not by data");
        }
        body += "</section>\n";
    }

    let mut scenario_index = 0;
    let mut compare_index = 0;
    for sec in &secs {
        match sec {
            Section::Scenario {
                name,
                at,
                rows,
                notes,
            } => {
                let i = scenario_index;
                scenario_index += 1;
                body += "<section>\n";
                let heading = match at {
                    Some(at) => format!("scenario {name} — as of {at}"),
                    None => format!("scenario {name}"),
                };
                body += &page::heading(2, Some(&page::anchor("scenario", name)), &heading);
                if rows.is_empty() {
                    body += &page::note("no rows");
                } else {
                    body += &page::table(&SCENARIO_COLUMNS, rows, &heading);
                }
                for n in notes {
                    body += &page::note(n);
                }
                let scenario = &results.scenarios[i];
                for m in &minerals {
                    if scenario.rows.iter().any(|r| &r.mineral == m) {
                        let svg = charts::dependency_chart(results, i, m, ids.fresh());
                        body += &page::figure(
                            &svg,
                            &format!(
                                "{name}, {m}: dependency by supplier, stacked (a chain passes \
                                 through several suppliers, so a bar may pass 100%)"
                            ),
                        );
                    }
                }
                body += "</section>\n";
            }
            Section::Compare {
                against,
                base,
                rows,
                hidden,
            } => {
                let c = &results.comparisons[compare_index];
                compare_index += 1;
                body += "<section>\n";
                let heading = format!("compare {against} against {base}");
                body += &page::heading(
                    2,
                    Some(&page::anchor("compare", &format!("{against}-{base}"))),
                    &heading,
                );
                if let Some(svg) = charts::compare_chart(c, ids.fresh()) {
                    body += &page::figure(
                        &svg,
                        &format!(
                            "{against} against {base}: the shares that moved, in percentage points"
                        ),
                    );
                }
                if rows.is_empty() {
                    body += &page::note("no changes");
                } else {
                    body += &page::table(&COMPARE_COLUMNS, rows, &heading);
                }
                if *hidden > 0 {
                    body += &page::note(&sections::hidden_note(*hidden));
                }
                body += "</section>\n";
            }
            Section::Expectations(lines) => {
                body += "<section>\n";
                body += &page::heading(
                    2,
                    Some("expectations"),
                    &sections::expectations_heading(lines),
                );
                let svg = charts::expectations_chart(&results.expectations, ids.fresh());
                body += &page::figure(&svg, "expectations passed and failed");
                body += &page::expectations(lines);
                body += "</section>\n";
            }
        }
    }

    let sources: Vec<String> = results
        .minerals
        .iter()
        .filter(|m| !m.sources.is_empty() && minerals.contains(&m.name))
        .map(|m| format!("{}: {}", m.name, m.sources.join("; ")))
        .collect();
    if !sources.is_empty() {
        body += "<footer>\n";
        body += &page::heading(2, Some("sources"), "sources");
        for s in &sources {
            body += &page::note(s);
        }
        body += "</footer>\n";
    }
    page::document(page, &body)
}

/// The page of `lode timeline --format html`: per row a chart of the
/// shortfall, what stock leaves uncovered and the stock, with the stock-out
/// day marked, and the table of its steps.
pub fn render_timeline(t: &Timeline, page: &Page) -> String {
    let mut ids = Ids::default();
    let mut body = String::new();
    let range = format!(
        "timeline {} — {} to {}, {}",
        t.scenario,
        t.from,
        t.until,
        t.step.adverb()
    );
    body += &page::header(page, &[range, format!("lode {}", t.lode_version)]);
    if t.rows.is_empty() {
        body += &page::note("no rows");
    }
    let links: Vec<(String, String)> = t
        .rows
        .iter()
        .map(|r| {
            let who = charts::actor_label(&r.actor, r.kind, crate::results::DemandBasis::Data);
            (
                page::anchor("row", &format!("{}-{}", r.actor, r.mineral)),
                format!("{who} {}", r.mineral),
            )
        })
        .collect();
    body += &page::contents(&links);
    // Which stock runs out, first: the reason to read a timeline.
    let outs: Vec<String> = t
        .stockpiles
        .iter()
        .filter(|s| s.stock_out.is_some())
        .map(|s| s.sentence(t.until))
        .collect();
    if !outs.is_empty() {
        body += "<section>\n";
        body += &page::heading(2, Some("stock-outs"), "stock-outs");
        for o in &outs {
            let _ = writeln!(
                body,
                "<p class=\"lede\">{}</p>",
                html_escape::encode_text(o)
            );
        }
        body += "</section>\n";
    }
    for (r, (anchor, label)) in t.rows.iter().zip(&links) {
        body += "<section>\n";
        body += &page::heading(2, Some(anchor), label);
        let svg = charts::timeline_chart(t, r, ids.fresh());
        let caption = match (r.stock_out, r.stock_out_day) {
            (Some(out), Some(day)) => format!(
                "{label}: shortfall, uncovered share and stock; stock runs out {out} ({day:.1} days after {})",
                t.from
            ),
            _ => format!("{label}: shortfall, uncovered share and stock"),
        };
        body += &page::figure(&svg, &caption);
        let rows: Vec<Vec<String>> = r
            .points
            .iter()
            .map(|p| {
                vec![
                    p.date.to_string(),
                    p.days.to_string(),
                    p.shortfall
                        .map_or_else(|| "no data".into(), |v| percent(v, 1)),
                    p.stock_days.map_or_else(|| "–".into(), |v| fixed(v, 1)),
                    p.uncovered
                        .map_or_else(|| "no data".into(), |v| percent(v, 1)),
                ]
            })
            .collect();
        body += &page::plain_table(
            &["date", "days", "shortfall", "stock days", "uncovered"],
            &[false, true, true, true, true],
            &rows,
        );
        body += "</section>\n";
    }
    if !t.stockpiles.is_empty() {
        body += "<section>\n";
        body += &page::heading(2, Some("stockpiles"), "stockpiles");
        for s in &t.stockpiles {
            body += &page::note(&s.sentence(t.until));
        }
        body += "</section>\n";
    }
    page::document(page, &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_comment_is_its_first_paragraph() {
        let text = "\n# The coalition of 12 January 2026.\n# Second line.\n#\n# More.\nrow\n";
        assert_eq!(
            first_comment(text).as_deref(),
            Some("The coalition of 12 January 2026. Second line.")
        );
        assert_eq!(first_comment("use world2024\n# late\n"), None);
        assert_eq!(
            first_comment("#\n# after a bare mark\n"),
            Some("after a bare mark".into())
        );
        let page = Page::of_source("scenarios/coalition_2026.lode", "# Title\n");
        assert_eq!(page.title, "coalition_2026");
        assert_eq!(page.lede.as_deref(), Some("Title"));
        assert_eq!(Page::of_source("<expr>", "").title, "<expr>");
    }
}
