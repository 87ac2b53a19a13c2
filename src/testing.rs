//! `lode test`: evaluate every `expect` of every file, report failures with
//! their location and margin, and a JUnit XML report for CI systems.

use std::path::{Path, PathBuf};

use crate::cli::{ExitCode, TestArgs, TestFormat, print_diags};
use crate::diagnostic::{Style, render_all};
use crate::eval::{self, EvalOptions};
use crate::output;
use crate::pipeline::{self, Input};
use crate::results::ExpectationResult;

/// The outcome of one file.
pub struct FileReport {
    pub path: PathBuf,
    pub expectations: Vec<ExpectationResult>,
    /// Rendered diagnostics when the file does not check.
    pub error: Option<String>,
}

impl FileReport {
    pub fn failed(&self) -> usize {
        self.expectations.iter().filter(|e| !e.passed).count() + usize::from(self.error.is_some())
    }
    pub fn passed(&self) -> usize {
        self.expectations.iter().filter(|e| e.passed).count()
    }
}

/// Every `*.lode` file below the given paths, sorted, each once.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out, &mut std::collections::HashSet::new())
                .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!(
                "cannot read `{}`: no such file or directory",
                p.display()
            ));
        }
    }
    out.dedup();
    Ok(out)
}

/// `seen` holds the directories already walked, by canonical path, so a
/// symbolic link back up the tree is not followed round and round.
fn walk(
    dir: &Path,
    out: &mut Vec<PathBuf>,
    seen: &mut std::collections::HashSet<PathBuf>,
) -> std::io::Result<()> {
    if !seen.insert(std::fs::canonicalize(dir)?) {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            walk(&e, out, seen)?;
        } else if e.extension().is_some_and(|x| x == "lode") {
            out.push(e);
        }
    }
    Ok(())
}

/// Evaluates one file's expectations; `use "path"` may not leave `root`
/// (the file's directory when `None`).
pub fn test_file(path: &Path, root: Option<&Path>) -> FileReport {
    match pipeline::compile(Input::File(path), root) {
        Ok(c) => {
            let ev = eval::evaluate(&c.checked, &c.sources, &EvalOptions::default());
            FileReport {
                path: path.to_path_buf(),
                expectations: ev.results.expectations,
                error: None,
            }
        }
        Err(f) => FileReport {
            path: path.to_path_buf(),
            expectations: Vec::new(),
            error: Some(render_all(&f.diags, &f.sources, Style::plain())),
        },
    }
}

pub fn command(args: &TestArgs) -> ExitCode {
    let files = match collect(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            output::stderr(&format!("error: {e}\n"));
            return ExitCode::Usage;
        }
    };
    let reports: Vec<FileReport> = files
        .iter()
        .map(|f| test_file(f, args.root.as_deref()))
        .collect();
    let passed: usize = reports.iter().map(FileReport::passed).sum();
    let failed: usize = reports.iter().map(FileReport::failed).sum();
    let text = match args.format {
        TestFormat::Text => {
            for r in &reports {
                if r.error.is_some() {
                    // Re-render with the terminal's style for the user.
                    if let Err(f) = pipeline::compile(Input::File(&r.path), args.root.as_deref()) {
                        print_diags(&f.diags, &f.sources);
                    }
                }
            }
            text_report(&reports, passed, failed)
        }
        TestFormat::Junit => junit(&reports),
    };
    let written = match &args.output {
        Some(path) => output::write_atomic(path, &text)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display())),
        None => output::stdout(&text).map_err(|e| e.to_string()),
    };
    if let Err(e) = written {
        output::stderr(&format!("error: {e}\n"));
        return ExitCode::Usage;
    }
    if args.format == TestFormat::Junit && args.output.is_some() {
        output::stderr(&format!("{passed} passed, {failed} failed\n"));
    }
    if failed == 0 {
        ExitCode::Ok
    } else {
        ExitCode::Failed
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
                e.scenario,
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

fn is_count(text: &str) -> bool {
    text.contains(".hhi") || text.contains(".cover_days")
}

/// A value the way the expectation wrote it: percentages for fractions.
fn show(v: f64, text: &str) -> String {
    if is_count(text) {
        format!("{v:.1}")
    } else {
        format!("{:.2}%", v * 100.0)
    }
}

/// `, missed by 10.00 pp` — empty where no distance applies.
fn missed(e: &ExpectationResult) -> String {
    if e.margin <= 0.0 || e.actual.is_none() {
        return String::new();
    }
    if is_count(&e.text) {
        format!(", missed by {:.1}", e.margin)
    } else {
        format!(", missed by {:.2} pp", e.margin * 100.0)
    }
}

fn actual_text(e: &ExpectationResult) -> String {
    match (&e.actual, &e.actual_text) {
        (Some(v), _) => show(*v, &e.text),
        (None, Some(t)) => t.clone(),
        (None, None) => "none".into(),
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
        if let Some(err) = &r.error {
            out.push_str(&format!(
                "    <testcase name=\"check\" classname=\"{name}\">\n      <error message=\"file does not check\">{}</error>\n    </testcase>\n",
                xml(err)
            ));
        }
        for x in &r.expectations {
            let case = xml(&format!("{}: {}", x.scenario, x.text));
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
