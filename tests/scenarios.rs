//! The repository's scenarios: each one's table is a snapshot reviewed
//! against the sources (China's refining shares, Japan's dependency on China,
//! the coalition's demand share), and one scenario is snapshotted in all four
//! formats.

use std::path::Path;

use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};
use lode::report::{self, Format, RenderOptions};
use lode::results::Results;

fn results(path: &Path) -> Results {
    let c = pipeline::compile(
        Input::File(path),
        &lode::loader::FsLoader::for_file(path, None),
    )
    .unwrap_or_else(|f| panic!("{} does not check: {:?}", path.display(), f.diags));
    // As `lode run` does: a file with a `samples` line is evaluated over
    // its samples (its `p5(…)` and `chance(…)` expectations need them).
    let sampling = pipeline::sampling(&c, None, None)
        .unwrap_or_else(|d| panic!("{}: {:?}", path.display(), d));
    let opts = EvalOptions {
        sampling,
        ..EvalOptions::default()
    };
    pipeline::evaluate(&c, &opts, &eval::Silent).results
}

fn render(r: &Results, format: Format) -> String {
    report::render(
        r,
        format,
        &RenderOptions {
            color: false,
            width: Some(120),
        },
    )
}

#[test]
fn every_scenario_table() {
    insta::glob!("..", "scenarios/*.lode", |path| {
        let r = results(path);
        assert!(
            r.expectations.iter().all(|e| e.passed),
            "{}: an expectation fails",
            path.display()
        );
        insta::assert_snapshot!(render(&r, Format::Table));
    });
}

#[test]
fn japan_2026_in_every_format() {
    let r = results(Path::new("scenarios/japan_2026.lode"));
    insta::assert_snapshot!("japan_table", render(&r, Format::Table));
    insta::assert_snapshot!("japan_markdown", render(&r, Format::Markdown));
    insta::assert_snapshot!("japan_csv", render(&r, Format::Csv));
    insta::assert_snapshot!("japan_json", render(&r, Format::Json));
}
