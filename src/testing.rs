//! `lode test`: evaluate every `expect` of a file, and report failures
//! with their location and margin, as text or as JUnit XML for CI systems.
//! Files are read through the host's loader; nothing is printed here.

use std::path::{Path, PathBuf};

use crate::diagnostic::{Diag, Style, render_all};
use crate::eval::EvalOptions;
use crate::loader::Loader;
use crate::pipeline::{self, Input};
use crate::results::ExpectationResult;
use crate::source::SourceMap;

/// Why a file could not be tested: its diagnostics, as data.
pub struct Failure {
    pub diags: Vec<Diag>,
    pub sources: SourceMap,
    /// An I/O problem reading the file itself.
    pub io: bool,
}

/// The outcome of one file.
pub struct FileReport {
    pub path: PathBuf,
    pub expectations: Vec<ExpectationResult>,
    /// The diagnostics when the file does not check.
    pub error: Option<Failure>,
}

impl FileReport {
    pub fn failed(&self) -> usize {
        self.expectations.iter().filter(|e| !e.passed).count() + usize::from(self.error.is_some())
    }
    pub fn passed(&self) -> usize {
        self.expectations.iter().filter(|e| e.passed).count()
    }
    /// The diagnostics of a file that does not check, rendered plainly.
    pub fn error_text(&self) -> Option<String> {
        self.error
            .as_ref()
            .map(|f| render_all(&f.diags, &f.sources, Style::plain()))
    }
}

/// Evaluates one file's expectations, reading it through `loader`.
pub fn test_file(path: &Path, loader: &dyn Loader) -> FileReport {
    test_file_with(path, loader, None, None, None)
}

/// [`test_file`] with `--samples`, `--seed` and `--at` from the command
/// line; an `expect … at DATE` keeps its own date under `--at`.
pub fn test_file_with(
    path: &Path,
    loader: &dyn Loader,
    samples: Option<usize>,
    seed: Option<u64>,
    at: Option<crate::date::Date>,
) -> FileReport {
    match pipeline::compile(Input::File(path), loader) {
        Ok(c) => {
            let sampling = match pipeline::sampling(&c, samples, seed) {
                Ok(s) => s,
                Err(diags) => {
                    return FileReport {
                        path: path.to_path_buf(),
                        expectations: Vec::new(),
                        error: Some(Failure {
                            diags,
                            sources: c.sources,
                            io: false,
                        }),
                    };
                }
            };
            let opts = EvalOptions {
                sampling,
                at,
                ..EvalOptions::default()
            };
            let run = pipeline::evaluate(&c, &opts, &crate::eval::Silent);
            FileReport {
                path: path.to_path_buf(),
                expectations: run.results.expectations,
                error: None,
            }
        }
        Err(f) => FileReport {
            path: path.to_path_buf(),
            expectations: Vec::new(),
            error: Some(Failure {
                diags: f.diags,
                sources: f.sources,
                io: f.io,
            }),
        },
    }
}

/// A line per failing expectation, then `N passed, M failed` alone on the last line.
pub fn text_report(reports: &[FileReport], passed: usize, failed: usize) -> String {
    let mut out = String::new();
    for r in reports {
        if r.error.is_some() {
            out.push_str(&format!(
                "FAIL {}: does not check (see diagnostics)\n",
                r.path.display()
            ));
        }
        let mut failing: Vec<&ExpectationResult> =
            r.expectations.iter().filter(|e| !e.passed).collect();
        failing.sort_by_key(|e| line_of(e));
        for e in failing {
            out.push_str(&format!(
                "FAIL {} [{}] expect {}: actual {}{}\n",
                e.location,
                e.scenario_label(),
                e.text,
                actual_text(e),
                missed(e)
            ));
        }
    }
    out.push_str(&format!("{passed} passed, {failed} failed\n"));
    out
}

fn line_of(e: &ExpectationResult) -> usize {
    e.location
        .rsplit(':')
        .next()
        .and_then(|l| l.parse().ok())
        .unwrap_or(0)
}

/// `, missed by 10.00 pp` — empty where no distance applies.
fn missed(e: &ExpectationResult) -> String {
    if e.margin <= 0.0 || e.actual.is_none() {
        return String::new();
    }
    format!(", missed by {}", e.metric.format_distance(e.margin))
}

/// The actual value, and why there is none where there is none.
fn actual_text(e: &ExpectationResult) -> String {
    let value = match (&e.actual, &e.actual_text) {
        (Some(v), _) => e.metric.format_precise(*v),
        (None, Some(t)) => t.clone(),
        (None, None) => "none".into(),
    };
    match &e.reason {
        Some(why) => format!("{value} ({why})"),
        None => value,
    }
}

fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' && c != '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// JUnit XML: a `testsuite` per file, a `testcase` per expectation.
pub fn junit(reports: &[FileReport]) -> String {
    let tests: usize = reports
        .iter()
        .map(|r| r.expectations.len() + usize::from(r.error.is_some()))
        .sum();
    let failures: usize = reports
        .iter()
        .map(|r| r.expectations.iter().filter(|e| !e.passed).count())
        .sum();
    let errors: usize = reports.iter().filter(|r| r.error.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"lode\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\">\n"
    ));
    for r in reports {
        let name = xml(&r.path.display().to_string());
        let t = r.expectations.len() + usize::from(r.error.is_some());
        let f = r.expectations.iter().filter(|e| !e.passed).count();
        let e = usize::from(r.error.is_some());
        out.push_str(&format!(
            "  <testsuite name=\"{name}\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\">\n"
        ));
        if let Some(err) = r.error_text() {
            out.push_str(&format!(
                "    <testcase name=\"check\" classname=\"{name}\">\n      <error message=\"file does not check\">{}</error>\n    </testcase>\n",
                xml(&err)
            ));
        }
        for x in &r.expectations {
            let case = xml(&format!("{}: {}", x.scenario_label(), x.text));
            if x.passed {
                out.push_str(&format!(
                    "    <testcase name=\"{case}\" classname=\"{name}\"/>\n"
                ));
            } else {
                let msg = format!("expected {}, actual {}", x.text, actual_text(x));
                out.push_str(&format!(
                    "    <testcase name=\"{case}\" classname=\"{name}\">\n      <failure message=\"{}\" type=\"expectation\">{} at {}: actual {}{}</failure>\n    </testcase>\n",
                    xml(&msg),
                    xml(&x.text),
                    xml(&x.location),
                    xml(&actual_text(x)),
                    xml(&missed(x))
                ));
            }
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
