//! `lode check FILE|DIR...`: parse, check and evaluate each file (results
//! dropped) and print its diagnostics; nothing on stdout.
//!
//! Below a directory, every `*.lode` file (as `lode test` finds them). A file
//! found there that only declares data ([`lode::testing::is_data`]) is
//! checked through the files that use it — it may rely on what they load
//! before it — and alone only when none of them uses it. A file named on
//! the command line is always checked alone. A diagnostic in a file that
//! several others use is shown once.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use lode::eval::EvalOptions;
use lode::loader::FsLoader;
use lode::pipeline::{self, Input};
use lode::source::{SourceId, SourceMap};

use super::seen::Seen;
use super::{CheckArgs, ExitCode, deny_warnings, output, print_diags, test::collect};

/// What checking has met so far.
#[derive(Default)]
struct Checking {
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

    fn file(&mut self, f: &Path, root: Option<&Path>) {
        match pipeline::compile(Input::File(f), &FsLoader::for_file(f, root)) {
            Ok(c) => {
                // The warnings about the data (a `covers` claim off the
                // data, a capped sourcing line) need the equilibrium, so the
                // program is evaluated, its results dropped.
                let run = pipeline::evaluate(&c, &EvalOptions::default(), &lode::eval::Silent);
                let fresh = self.seen.fresh(&run.warnings, &c.sources);
                self.warnings += fresh.len();
                print_diags(fresh, &c.sources);
                self.remember(&c.sources);
            }
            Err(fail) => {
                print_diags(self.seen.fresh(&fail.diags, &fail.sources), &fail.sources);
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
    let mut checking = Checking::default();
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
    if deny_warnings(args.deny_warnings, checking.warnings) {
        checking.fail(ExitCode::Failed);
    }
    checking.worst.unwrap_or(ExitCode::Ok)
}
