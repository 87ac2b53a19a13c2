//! `lode test`: evaluate every `expect` of a file, and report failures
//! with their location and margin, as text or as JUnit XML for CI systems.
//! Files are read through the host's loader; nothing is printed here.
//!
//! A file that only declares data for other files to `use` ([`is_data`])
//! is not a test: it is skipped, and its errors show through the files
//! that use it, once for all of them.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::ast::{Program, StmtKind};
use crate::diagnostic::{Diag, Style, render_all};
use crate::eval::EvalOptions;
use crate::loader::Loader;
use crate::pipeline::{self, Input};
use crate::results::ExpectationResult;
use crate::source::{SourceId, SourceMap};

/// Why a file could not be tested: its diagnostics, as data.
pub struct Failure {
    pub diags: Vec<Diag>,
    pub sources: SourceMap,
    /// An I/O problem reading the file itself.
    pub io: bool,
}

impl Failure {
    /// The files the errors are in (not the warnings), each once, in the
    /// order met: `(canonical path, name as diagnostics show it)`. A file
    /// whose errors are all in a file it uses has only that file here.
    pub fn error_files(&self) -> Vec<(PathBuf, String)> {
        let mut out: Vec<(PathBuf, String)> = Vec::new();
        for d in self.diags.iter().filter(|d| !d.is_warning()) {
            let Some(file) = d.primary_span().and_then(|s| self.sources.get(s.source)) else {
                continue;
            };
            let key = file
                .path
                .as_deref()
                .map(|p| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf()))
                .unwrap_or_else(|| PathBuf::from(&file.name));
            if !out.iter().any(|(k, _)| *k == key) {
                out.push((key, file.name.clone()));
            }
        }
        out
    }
}

/// The outcome of one file.
pub struct FileReport {
    pub path: PathBuf,
    pub expectations: Vec<ExpectationResult>,
    /// The diagnostics when the file does not check.
    pub error: Option<Failure>,
    /// The file only declares data for others to `use`: not tested.
    pub skipped: bool,
    /// The warnings of a file that checks; `sources` renders them.
    pub warnings: Vec<Diag>,
    /// The sources of a file that checks (the file and what it uses);
    /// empty otherwise (see [`Failure::sources`]).
    pub sources: SourceMap,
    /// How long reading, checking and evaluating the file took.
    pub time: Duration,
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
    /// The test cases a JUnit report gives the file: one per expectation,
    /// one for a file that does not check, one for a skipped file.
    fn cases(&self) -> usize {
        self.expectations.len() + usize::from(self.error.is_some()) + usize::from(self.skipped)
    }
}

/// Statements that only declare data: what a file others `use` may hold
/// (SPEC §2.1, and sourcing lines, §14).
fn declares_data(kind: &StmtKind) -> bool {
    matches!(
        kind,
        StmtKind::Use(_)
            | StmtKind::Actor(_)
            | StmtKind::Group(_)
            | StmtKind::Mineral(_)
            | StmtKind::Coalition(_)
            | StmtKind::Let(_)
            | StmtKind::Source(_)
            | StmtKind::Sourcing(_)
    )
}

/// A program that only declares data for other files to `use`: at least one
/// statement, and every one a declaration (so no `expect`, no policy, no
/// scenario).
pub fn is_data(program: &Program) -> bool {
    !program.stmts.is_empty() && program.stmts.iter().all(|s| declares_data(&s.kind))
}

/// Whether the file at `path` only declares data ([`is_data`]). A file that
/// cannot be read or parsed is not: testing it reports why.
pub fn is_data_file(path: &Path, loader: &dyn Loader) -> bool {
    let Ok(file) = loader.main(path) else {
        return false;
    };
    let Ok(text) = crate::syntax::limits::decode(&file.bytes, SourceId(0)) else {
        return false;
    };
    crate::syntax::parse(&text, SourceId(0)).is_ok_and(|p| is_data(&p))
}

/// Evaluates one file's expectations, reading it through `loader`; a file
/// that only declares data is skipped.
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
    let started = Instant::now();
    let mut report = FileReport {
        path: path.to_path_buf(),
        expectations: Vec::new(),
        error: None,
        skipped: false,
        warnings: Vec::new(),
        sources: SourceMap::new(),
        time: Duration::ZERO,
    };
    if is_data_file(path, loader) {
        report.skipped = true;
    } else {
        match pipeline::compile(Input::File(path), loader) {
            Ok(c) => match pipeline::sampling(&c, samples, seed) {
                Ok(sampling) => {
                    let opts = EvalOptions {
                        sampling,
                        at,
                        ..EvalOptions::default()
                    };
                    let run = pipeline::evaluate(&c, &opts, &crate::eval::Silent);
                    report.expectations = run.results.expectations;
                    report.warnings = run.warnings;
                    report.sources = c.sources;
                }
                Err(diags) => {
                    report.error = Some(Failure {
                        diags,
                        sources: c.sources,
                        io: false,
                    })
                }
            },
            Err(f) => {
                report.error = Some(Failure {
                    diags: f.diags,
                    sources: f.sources,
                    io: f.io,
                })
            }
        }
    }
    report.time = started.elapsed();
    report
}

/// A line per file that does not check (files whose errors are all in one
/// file they use share one line, naming that file) and per failing
/// expectation; `skipped N data files` when there are some; then
/// `N passed, M failed` alone on the last line.
pub fn text_report(reports: &[FileReport], passed: usize, failed: usize) -> String {
    let mut out = String::new();
    let mut shared_done: Vec<Vec<PathBuf>> = Vec::new();
    for r in reports {
        if let Some(f) = &r.error {
            match used_file_errors(r, f) {
                None => out.push_str(&format!(
                    "FAIL {}: does not check (see diagnostics)\n",
                    r.path.display()
                )),
                Some(files) => {
                    let keys: Vec<PathBuf> = files.iter().map(|(k, _)| k.clone()).collect();
                    if !shared_done.contains(&keys) {
                        let users: Vec<String> = reports
                            .iter()
                            .filter(|o| {
                                o.error
                                    .as_ref()
                                    .and_then(|of| used_file_errors(o, of))
                                    .is_some_and(|of| of.iter().map(|(k, _)| k).eq(keys.iter()))
                            })
                            .map(|o| o.path.display().to_string())
                            .collect();
                        let names: Vec<String> = files
                            .iter()
                            .map(|(k, name)| shown_as(reports, k, name))
                            .collect();
                        out.push_str(&format!(
                            "FAIL {} (used by {}): does not check (see diagnostics)\n",
                            names.join(", "),
                            users.join(", ")
                        ));
                        shared_done.push(keys);
                    }
                }
            }
        }
        let mut failing: Vec<&ExpectationResult> =
            r.expectations.iter().filter(|e| !e.passed).collect();
        failing.sort_by_key(|e| line_of(e));
        for e in failing {
            out.push_str(&failure_line(e));
            out.push('\n');
        }
    }
    let skipped = reports.iter().filter(|r| r.skipped).count();
    if skipped > 0 {
        let files = if skipped == 1 { "file" } else { "files" };
        out.push_str(&format!(
            "skipped {skipped} data {files} (only declarations, for other files to use)\n"
        ));
    }
    out.push_str(&format!("{passed} passed, {failed} failed\n"));
    out
}

/// `FAIL file:line [scenario] expect TEXT: actual VALUE, missed by D`: a
/// failed expectation in one line, as `lode test` prints it.
pub fn failure_line(e: &ExpectationResult) -> String {
    format!(
        "FAIL {} [{}] expect {}: actual {}{}",
        e.location,
        e.scenario_label(),
        e.text,
        actual_text(e),
        missed(e)
    )
}

/// The files `r`'s errors are in, when none is `r` itself: the errors come
/// from files it uses.
fn used_file_errors(r: &FileReport, f: &Failure) -> Option<Vec<(PathBuf, String)>> {
    let files = f.error_files();
    let own = std::fs::canonicalize(&r.path).unwrap_or_else(|_| r.path.clone());
    (!files.is_empty() && files.iter().all(|(k, _)| *k != own)).then_some(files)
}

/// A used file as the report names it: its path on the command line when
/// it is one of the files tested, else its name in the diagnostics.
fn shown_as(reports: &[FileReport], key: &Path, name: &str) -> String {
    reports
        .iter()
        .find(|r| std::fs::canonicalize(&r.path).is_ok_and(|c| c == key))
        .map_or_else(|| name.to_string(), |r| r.path.display().to_string())
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

/// JUnit XML: a `testsuite` per file, a `testcase` per expectation (one
/// named `check` for a file that does not check, one named `data file`,
/// skipped, for a file that only declares data).
///
/// Every test case has `file` and `line` attributes (where the expectation
/// or the first error is; no `line` for a skipped file) and a `time` in
/// seconds. Time is measured per file — reading, checking and evaluating
/// it — and is the suite's `time`; its test cases share it evenly (each
/// has the file's time divided by the number of its cases), since one
/// evaluation answers all of a file's expectations.
pub fn junit(reports: &[FileReport]) -> String {
    let tests: usize = reports.iter().map(FileReport::cases).sum();
    let failures: usize = reports
        .iter()
        .map(|r| r.expectations.iter().filter(|e| !e.passed).count())
        .sum();
    let errors: usize = reports.iter().filter(|r| r.error.is_some()).count();
    let skipped: usize = reports.iter().filter(|r| r.skipped).count();
    let total: f64 = reports.iter().map(|r| r.time.as_secs_f64()).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"lode\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"{}\">\n",
        seconds(total)
    ));
    for r in reports {
        let name = xml(&r.path.display().to_string());
        let t = r.cases();
        let f = r.expectations.iter().filter(|e| !e.passed).count();
        let e = usize::from(r.error.is_some());
        let s = usize::from(r.skipped);
        let case_time = seconds(r.time.as_secs_f64() / t.max(1) as f64);
        out.push_str(&format!(
            "  <testsuite name=\"{name}\" tests=\"{t}\" failures=\"{f}\" errors=\"{e}\" skipped=\"{s}\" time=\"{}\">\n",
            seconds(r.time.as_secs_f64())
        ));
        if r.skipped {
            out.push_str(&format!(
                "    <testcase name=\"data file\" classname=\"{name}\" file=\"{name}\" time=\"{case_time}\">\n      <skipped message=\"only declarations, for other files to use\"/>\n    </testcase>\n"
            ));
        }
        if let (Some(err), Some(failure)) = (r.error_text(), &r.error) {
            let (file, line) = first_error_at(reports, r, failure);
            let message = match used_file_errors(r, failure) {
                Some(files) => format!(
                    "file does not check: the errors are in {}",
                    files
                        .iter()
                        .map(|(k, n)| shown_as(reports, k, n))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "file does not check".to_string(),
            };
            let line = line.map(|l| format!(" line=\"{l}\"")).unwrap_or_default();
            out.push_str(&format!(
                "    <testcase name=\"check\" classname=\"{name}\" file=\"{}\"{line} time=\"{case_time}\">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                xml(&file),
                xml(&message),
                xml(&err)
            ));
        }
        for x in &r.expectations {
            let case = xml(&format!("{}: {}", x.scenario_label(), x.text));
            let at = format!(
                "classname=\"{name}\" file=\"{name}\" line=\"{}\" time=\"{case_time}\"",
                line_of(x)
            );
            if x.passed {
                out.push_str(&format!("    <testcase name=\"{case}\" {at}/>\n"));
            } else {
                let msg = format!("expected {}, actual {}", x.text, actual_text(x));
                out.push_str(&format!(
                    "    <testcase name=\"{case}\" {at}>\n      <failure message=\"{}\" type=\"expectation\">{} at {}: actual {}{}</failure>\n    </testcase>\n",
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

/// Seconds with microseconds: `0.012345`.
fn seconds(s: f64) -> String {
    format!("{s:.6}")
}

/// Where a file's first error is: the file (the report's path when the
/// error is in the file itself) and the line, when the error has a place.
fn first_error_at(reports: &[FileReport], r: &FileReport, f: &Failure) -> (String, Option<usize>) {
    let own = r.path.display().to_string();
    let Some(span) = f
        .diags
        .iter()
        .filter(|d| !d.is_warning())
        .find_map(Diag::primary_span)
    else {
        return (own, None);
    };
    let line = f.sources.line(span);
    let file = match f.sources.get(span.source) {
        Some(src) if span.source != SourceId(0) => match &src.path {
            Some(p) => shown_as(
                reports,
                &std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
                &src.name,
            ),
            None => src.name.clone(),
        },
        _ => own,
    };
    (file, Some(line))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(text: &str) -> bool {
        is_data(&crate::syntax::parse(text, SourceId(0)).expect("parses"))
    }

    #[test]
    fn declarations_only_are_data() {
        assert!(data(
            "use world2024\nactor XA \"A\"\ngroup g = XA + XB\ncoalition c = XA + XB covers 50% demand\n\
             let x = 1%\nmineral ore {\n  supply: XA 100%\n}\nsource \"a table\"\n\
             JP sources ore.supply: XA 60%\n"
        ));
        assert!(!data(""), "an empty file is not a data file");
        assert!(!data("actor XA\nexpect XA.ore.demand > 1%\n"));
        assert!(!data("actor XA\nXA bans ore to XB\n"));
        assert!(!data("actor XA\nscenario s {}\n"));
        assert!(!data("actor XA\nore.supply: XA 80%\n"));
        assert!(!data("actor XA\nreport for XA\n"));
    }
}
