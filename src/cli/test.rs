//! `lode test FILE|DIR...`: every `*.lode` file below the paths, each its
//! own program, evaluated by [`lode::testing`]; a text or JUnit report.
//! Files that only declare data are skipped; a diagnostic in a file many
//! others use is shown once.

use std::path::{Path, PathBuf};

use lode::loader::FsLoader;
use lode::source::{SourceId, SourceMap};
use lode::testing::{self, FileReport};

use super::seen::Seen;
use super::{ExitCode, TestArgs, TestFormat, deny_warnings, output, print_diags};

/// Every `*.lode` file below the given paths, sorted, each once.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out, &mut std::collections::HashSet::new())
                .map_err(|e| format!("cannot read `{}`: {e}", p.display()))?;
            // A mistyped directory in CI would otherwise pass with nothing tested.
            if out.len() == before {
                return Err(format!("no `*.lode` file below `{}`", p.display()));
            }
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

pub fn command(args: &TestArgs) -> ExitCode {
    let files = match collect(&args.paths) {
        Ok(f) => f,
        Err(e) => {
            output::stderr(&format!("error: {e}\n"));
            return ExitCode::Usage;
        }
    };
    // `-o` onto a file under test would replace it with the report.
    if let Some(out) = &args.output {
        if let Some(file) = output::replaced_source(out, files.iter().map(PathBuf::as_path)) {
            let d = output::replaced_source_diag(out, file, "a file under test");
            print_diags(&[d], &SourceMap::new());
            return ExitCode::Usage;
        }
    }
    let (samples, seed) = match args.sampling.parse() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let reports: Vec<FileReport> = files
        .iter()
        .map(|f| {
            testing::test_file_with(
                f,
                &FsLoader::for_file(f, args.root.as_deref()),
                samples,
                seed,
                args.at,
            )
        })
        .collect();
    if let Some(out) = &args.output {
        for r in &reports {
            let sources = r.error.as_ref().map_or(&r.sources, |f| &f.sources);
            let used = (1..sources.len())
                .filter_map(|i| sources.get(SourceId(i as u32)))
                .filter_map(|f| f.path.as_deref());
            if let Some(file) = output::replaced_source(out, used) {
                let d = output::replaced_source_diag(out, file, "a file the tests use");
                print_diags(&[d], &SourceMap::new());
                return ExitCode::Usage;
            }
        }
    }
    let passed: usize = reports.iter().map(FileReport::passed).sum();
    let failed: usize = reports.iter().map(FileReport::failed).sum();
    // A file that many others use is reported once, not by each of them.
    let mut seen = Seen::default();
    let text = match args.format {
        TestFormat::Text => {
            for r in &reports {
                if let Some(f) = &r.error {
                    print_diags(seen.fresh(&f.diags, &f.sources), &f.sources);
                }
            }
            testing::text_report(&reports, passed, failed)
        }
        TestFormat::Junit => testing::junit(&reports),
    };
    let mut warnings = 0;
    if args.deny_warnings {
        for r in &reports {
            let fresh = seen.fresh(&r.warnings, &r.sources);
            warnings += fresh.len();
            print_diags(fresh, &r.sources);
        }
    }
    let written = match &args.output {
        Some(path) => output::write_file(path, &text)
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
    let denied = deny_warnings(args.deny_warnings, warnings);
    if failed == 0 && !denied {
        ExitCode::Ok
    } else {
        ExitCode::Failed
    }
}
