//! `lode check FILE|DIR...`: parse, check and evaluate each file (results
//! dropped) and print its diagnostics; nothing on stdout.
//!
//! Below a directory, every `*.lode` file (as `lode test` finds them). A file
//! found there that only declares data ([`lode::testing::is_data`]) is
//! checked through the files that use it — it may rely on what they load
//! before it — and alone only when none of them uses it. A file named on
//! the command line is always checked alone. A diagnostic in a file that
//! several others use is shown once. `--format json` writes the
//! diagnostics as one JSON array on stdout instead.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use lode::diagnostic::Diag;
use lode::eval::EvalOptions;
use lode::ide::located::Located;
use lode::loader::FsLoader;
use lode::pipeline::{self, Input};
use lode::source::{SourceId, SourceMap};

use super::seen::Seen;
use super::{
    CheckArgs, CheckFormat, ExitCode, deny_warnings, output, print_diags, test::collect,
    write_stdout,
};

/// What checking has met so far.
#[derive(Default)]
struct Checking {
    /// The diagnostics for `--format json`, in order.
    located: Option<Vec<Located>>,
    seen: Seen,
    /// Every file read, by canonical path.
    read: HashSet<PathBuf>,
    warnings: usize,
    worst: Option<ExitCode>,
}

impl Checking {
    fn fail(&mut self, code: ExitCode) {
        if self.worst.is_none() || code == ExitCode::Usage {
            self.worst = Some(code);
        }
    }

    fn remember(&mut self, sources: &SourceMap) {
        for i in 0..sources.len() {
            if let Some(p) = sources
                .get(SourceId(i as u32))
                .and_then(|f| f.path.as_deref())
            {
                self.read.insert(canonical(p));
            }
        }
    }

    /// Shows diagnostics of `file` (`sources` places them): on stderr, or
    /// kept for the JSON array.
    fn show(&mut self, diags: Vec<&Diag>, sources: &SourceMap, file: &Path) {
        match &mut self.located {
            None => print_diags(diags, sources),
            Some(located) => {
                let shown = file.display().to_string();
                located.extend(diags.iter().map(|d| Located::of(d, sources, Some(&shown))));
            }
        }
    }

    fn file(&mut self, f: &Path, root: Option<&Path>) {
        match pipeline::compile(Input::File(f), &FsLoader::for_file(f, root)) {
            Ok(c) => {
                // The warnings about the data (a `covers` claim off the
                // data, a capped sourcing line) need the equilibrium, so the
                // program is evaluated, its results dropped.
                let run = pipeline::evaluate(&c, &EvalOptions::default(), &lode::eval::Silent);
                let fresh = self.seen.fresh(&run.warnings, &c.sources);
                self.warnings += fresh.len();
                self.show(fresh, &c.sources, f);
                self.remember(&c.sources);
            }
            Err(fail) => {
                let fresh = self.seen.fresh(&fail.diags, &fail.sources);
                self.show(fresh, &fail.sources, f);
                self.remember(&fail.sources);
                self.fail(if fail.io {
                    ExitCode::Usage
                } else {
                    ExitCode::Failed
                });
            }
        }
    }
}

fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf())
}

pub fn command(args: &CheckArgs) -> ExitCode {
    let root = args.root.as_deref();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut data: Vec<PathBuf> = Vec::new();
    let mut checking = Checking {
        located: (args.format == CheckFormat::Json).then(Vec::new),
        ..Checking::default()
    };
    for p in &args.paths {
        if !p.is_dir() {
            files.push(p.clone());
            continue;
        }
        match collect(std::slice::from_ref(p)) {
            Ok(found) => {
                for f in found {
                    if lode::testing::is_data_file(&f, &FsLoader::for_file(&f, root)) {
                        data.push(f);
                    } else {
                        files.push(f);
                    }
                }
            }
            Err(e) => {
                output::stderr(&format!("error: {e}\n"));
                checking.fail(ExitCode::Usage);
            }
        }
    }
    for f in &files {
        checking.file(f, root);
    }
    for f in &data {
        if !checking.read.contains(&canonical(f)) {
            checking.file(f, root);
        }
    }
    if let Some(located) = &checking.located {
        let json = serde_json::to_string_pretty(located).unwrap_or_else(|_| "[]".into());
        if write_stdout(&format!("{json}\n")) != ExitCode::Ok {
            return ExitCode::Usage;
        }
    }
    if deny_warnings(args.deny_warnings, checking.warnings) {
        checking.fail(ExitCode::Failed);
    }
    checking.worst.unwrap_or(ExitCode::Ok)
}
