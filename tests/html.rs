//! `--format html` (SPEC §12): the page of a small hand scenario, plain and
//! sampled, as snapshots, with its figures checked by hand; the page of
//! `scenarios/coalition_2026.lode` against `--format table`, cell by cell;
//! a timeline's page with its stock-out day.

use std::path::Path;

use lode::eval::{EvalOptions, Silent};
use lode::loader::FsLoader;
use lode::pipeline::{self, Input};
use lode::report::html::{self, Page};
use lode::report::{self, Format, RenderOptions, Units};
use lode::results::Results;
use lode::sample::SampleOptions;

const SMALL: &str = "tests/fixtures/html/small.lode";

fn compile(file: &str) -> pipeline::Compiled {
    let path = Path::new(file);
    match pipeline::compile(Input::File(path), &FsLoader::for_file(path, None)) {
        Ok(c) => c,
        Err(f) => panic!("{file} does not compile: {:?}", f.diags),
    }
}

fn evaluate(c: &pipeline::Compiled, samples: Option<usize>) -> Results {
    let opts = EvalOptions {
        sampling: samples.map(|samples| SampleOptions { samples, seed: 0 }),
        ..EvalOptions::default()
    };
    pipeline::evaluate(c, &opts, &Silent).results
}

fn page_of(c: &pipeline::Compiled) -> Page {
    let main = c.sources.get(c.main).expect("the main source");
    Page::of_source(&main.name, &main.text)
}

/// The text of every `<td>` of every `<tr>` with `width` cells, in order.
fn html_rows(html: &str, width: usize) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for tr in html.split("<tr>").skip(1) {
        let tr = tr.split("</tr>").next().unwrap_or("");
        let cells: Vec<String> = tr
            .split("<td")
            .skip(1)
            .map(|td| {
                let inner = td.split_once('>').map_or("", |(_, r)| r);
                let inner = inner.split("</td>").next().unwrap_or("");
                html_escape::decode_html_entities(inner).into_owned()
            })
            .collect();
        if cells.len() == width {
            rows.push(cells);
        }
    }
    rows
}

/// The cells of the terminal table's lines with `width` columns (columns
/// are two or more blanks apart), headers left out.
fn table_rows(table: &str, width: usize) -> Vec<Vec<String>> {
    table
        .lines()
        .map(|l| {
            l.split("  ")
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|cells| cells.len() == width && cells[0] != "mineral")
        .collect()
}

/// Every `http` in the page is the SVG namespace, never a fetch.
fn assert_self_contained(page: &str) {
    assert!(page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;; style-src &#x27;unsafe-inline&#x27;; img-src data:"
    ) || page.contains(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    ), "no CSP");
    let fetches = page
        .match_indices("http")
        .filter(|(i, _)| {
            let rest = &page[*i..];
            !rest.starts_with("http://www.w3.org/2000/svg\"") && !rest.starts_with("http-equiv")
        })
        .count();
    assert_eq!(fetches, 0, "a URL other than the SVG namespace");
    assert!(!page.contains("<script"));
    assert!(!page.contains("@font-face") && !page.contains("@import"));
    assert!(!page.contains("src=") && !page.contains("<link"));
}

#[test]
fn the_small_page_has_the_hand_figures() {
    let c = compile(SMALL);
    let results = evaluate(&c, None);
    let page = html::render(&results, &page_of(&c), Units::Shares);
    assert_self_contained(&page);
    // The title: the file's stem and the first paragraph of its comment.
    assert!(page.contains(
        "<title>small — A small hand world for the HTML report&#x27;s tests. Two suppliers and three buyers of one ore.</title>"
    ) || page.contains(
        "<title>small — A small hand world for the HTML report's tests. Two suppliers and three buyers of one ore.</title>"
    ), "{}", &page[..600]);
    let rows = html_rows(&page, 10);
    let xb_cutoff = &rows[5];
    assert_eq!(xb_cutoff[1], "XB");
    // XB buys all its ore on the market: 80% of it from XA. The cutoff
    // stops 50% of XA's exports to XB: 80% × 50% = 40.0% at risk, and
    // nothing reroutes (XC has no spare output), so 40.0% short.
    assert_eq!(xb_cutoff[7], "40.0%");
    assert_eq!(xb_cutoff[8], "40.0%");
    // HHI: 80² + 20² = 6400 + 400 = 6800.
    assert_eq!(xb_cutoff[5], "6800");
    // XE has no demand figure: "no data", in the table and the chart.
    let xe = &rows[3];
    assert_eq!(xe[1], "XE");
    assert_eq!(xe[7], "no data");
    assert!(page.contains(r#"<text class="nodata" x="#));
    // The chart's line for XB in cutoff writes the same figures.
    assert!(page.contains(">40.0% / 40.0%</text>"));
    // XD's supply is untouched: the second expectation fails.
    assert!(page.contains("expectations (1 passed, 1 failed)"));
    assert!(page.contains("✗ failed"));
    // Every chart is labelled for a screen reader.
    let charts = page.matches("<svg ").count();
    assert!(charts >= 4, "{charts} charts");
    assert_eq!(page.matches("role=\"img\"").count(), charts);
    assert_eq!(page.matches("<desc id=").count(), charts);
    assert_eq!(
        page.matches("aria-label=\"").count() - 1,
        charts,
        "one is the nav's"
    );
    insta::assert_snapshot!("small_plain", page);
}

#[test]
fn the_sampled_page_draws_whiskers() {
    let c = compile(SMALL);
    let results = evaluate(&c, Some(200));
    let page = html::render(&results, &page_of(&c), Units::Shares);
    assert_self_contained(&page);
    assert!(page.contains("over 200 samples (seed 0)"));
    // The cut is triangular on 30%..70% with mode 50%: XB's at risk is
    // 80% × cut, so between 24% and 56%, and its p5 and p95 lie inside.
    let rows = html_rows(&page, 10);
    let at_risk = &rows[5][7];
    let (p50, range) = at_risk.split_once(" [").expect("p50 [p5–p95]");
    let (p5, p95) = range.trim_end_matches(']').split_once('–').expect("p5–p95");
    let pct = |s: &str| {
        s.trim_end_matches('%')
            .parse::<f64>()
            .expect("a percentage")
    };
    assert!(24.0 < pct(p5) && pct(p5) < pct(p50) && pct(p50) < pct(p95) && pct(p95) < 56.0);
    assert!(page.contains(r#"class="whisker""#));
    insta::assert_snapshot!("small_sampled", page);
}

#[test]
fn render_in_html_is_a_whole_page() {
    let c = compile(SMALL);
    let results = evaluate(&c, None);
    let page = report::render(&results, Format::Html, &RenderOptions::default());
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert!(page.contains("<title>lode report</title>"));
    // The same results give the same bytes.
    assert_eq!(
        page,
        report::render(&results, Format::Html, &RenderOptions::default())
    );
}

#[test]
fn the_coalition_page_is_small_and_matches_the_table() {
    let c = compile("scenarios/coalition_2026.lode");
    let results = evaluate(&c, None);
    let page = html::render(&results, &page_of(&c), Units::Shares);
    assert!(page.len() < 300 * 1024, "{} bytes", page.len());
    assert_self_contained(&page);
    let table = report::render(
        &results,
        Format::Table,
        &RenderOptions {
            color: false,
            width: None,
        },
    );
    for width in [10, 6] {
        let from_html = html_rows(&page, width);
        let from_table = table_rows(&table, width);
        assert!(!from_html.is_empty());
        assert_eq!(from_html.len(), from_table.len(), "rows of {width} columns");
        for (h, t) in from_html.iter().zip(&from_table) {
            assert_eq!(h, t);
        }
    }
}

#[test]
fn a_timeline_page_marks_the_stock_out_day() {
    let c = compile("scenarios/timeline_2023_2026.lode");
    let opts = lode::timeline::TimelineOptions {
        rows: Some(lode::timeline::resolve_rows(&c.checked, &["JP".to_string()]).expect("JP")),
        minerals: Some(
            lode::timeline::resolve_minerals(&c.checked, &["rare_earths".to_string()])
                .expect("rare_earths"),
        ),
        ..Default::default()
    };
    let t = lode::timeline::timeline(&c.checked, &opts).expect("a timeline");
    let row = &t.rows[0];
    let out = row.stock_out.expect("JP's stock runs out");
    let page = html::render_timeline(&t, &page_of(&c));
    assert_self_contained(&page);
    assert!(page.contains(&format!(">stock out {out}</text>")));
    assert!(page.contains(r#"class="mark""#));
    // One table row per step, as `--format table` lists them.
    assert_eq!(html_rows(&page, 5).len(), row.points.len());
}

/// The pages of `lode sweep` and `lode tornado` on the small world.
#[test]
fn sweep_and_tornado_pages_chart_the_hand_figures() {
    use lode::sensitivity::{self, EventKind, SweepOptions, TornadoOptions};
    let c = compile(SMALL);
    let sweep = sensitivity::sweep(
        &c.checked,
        &SweepOptions {
            scenario: lode::program::ScenarioId::BASE,
            kind: EventKind::Disrupt,
            by: 1.0,
            min_share: 0.01,
            rows: None,
            minerals: None,
            at: None,
        },
        &Silent,
    );
    let page = html::render_sweep(&sweep, 5, &page_of(&c));
    assert_self_contained(&page);
    // Two events: XA (80% of the ore) and XC (20%). XB buys from both in
    // proportion, so losing XA puts 80% of its demand at risk and losing
    // XC 20%: the worst first.
    let rows = html_rows(&page, 4);
    let xb: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[0].starts_with("disrupt"))
        .take(2)
        .collect();
    assert_eq!(xb[0][0], "disrupt XA ore.supply by 100%");
    assert_eq!((xb[0][1].as_str(), xb[0][2].as_str()), ("80.0%", "80.0%"));
    assert_eq!(xb[1][0], "disrupt XC ore.supply by 100%");
    assert_eq!(xb[1][2], "20.0%");
    // XE has no demand figure: named once, no chart.
    assert!(page.contains("no demand data, so no figures: XE ore"));
    assert_eq!(
        page.matches("role=\"img\"").count(),
        page.matches("<svg ").count()
    );

    let mut sources = c.sources.clone();
    let t = sensitivity::tornado(
        &c.checked,
        &mut sources,
        "<metric>",
        "XB.ore.at_risk",
        &TornadoOptions {
            scenario: Some("cutoff".into()),
            vary: None,
            at: None,
        },
    )
    .expect("a tornado");
    let page = html::render_tornado(&t, &page_of(&c));
    assert_self_contained(&page);
    // at risk = 80% × cut: 40.0% at cut's mode 50%, 24.0% at its low end
    // 30%, 56.0% at its high end 70%; swing 32.0 pp.
    assert!(page.contains("XB.ore.at_risk in scenario cutoff: 40.0%"));
    let bars = html_rows(&page, 6);
    assert_eq!(bars.len(), 1);
    assert_eq!(bars[0][0], "cut");
    assert_eq!(
        (
            bars[0][3].as_str(),
            bars[0][4].as_str(),
            bars[0][5].as_str()
        ),
        ("24.0%", "56.0%", "32.0 pp")
    );
    assert!(page.contains(">24.0% → 56.0%</text>"));
}
