//! The one pipeline every front end goes through: read (through the host's
//! [`Loader`]) → decode → parse → check → resource limits → evaluate.
//!
//! The command line, the REPL, `lode test`, the language server and the
//! tests all call these functions, so they see the same diagnostics, the
//! same limits and the same warnings. Nothing here prints: results and
//! diagnostics come back as data.

use std::path::{Path, PathBuf};

use crate::ast::Program;
use crate::check::{self, CheckOptions};
use crate::diagnostic::{Code, Diag};
use crate::eval::{self, EvalOptions, Progress};
use crate::loader::Loader;
use crate::program::Checked;
use crate::results::{Results, WarningInfo};
use crate::source::{SourceId, SourceMap, Span};

/// A checked program with its sources and the checker's warnings.
pub struct Compiled {
    pub sources: SourceMap,
    pub main: SourceId,
    pub checked: Checked,
    pub warnings: Vec<Diag>,
}

/// Why a program could not be compiled.
pub struct Failed {
    pub sources: SourceMap,
    pub diags: Vec<Diag>,
    /// An I/O problem with the file named on the command line (exit 2).
    pub io: bool,
}

impl Failed {
    fn of(sources: SourceMap, diags: Vec<Diag>) -> Self {
        Failed {
            sources,
            diags,
            io: false,
        }
    }
}

/// Where a program's text comes from.
pub enum Input<'a> {
    /// A file, read through the loader.
    File(&'a Path),
    /// Text already in hand (`-e TEXT`, standard input, an editor buffer);
    /// its `use` paths start from the loader's base directory.
    Text { name: &'a str, text: String },
}

/// Reads, parses and checks a program, and applies the resource limits.
pub fn compile(input: Input<'_>, loader: &dyn Loader) -> Result<Compiled, Failed> {
    let mut sources = SourceMap::new();
    let main = SourceId(0);
    let (text, key) = match input {
        Input::File(path) => {
            let file = loader.main(path).map_err(|e| Failed {
                sources: SourceMap::new(),
                diags: vec![e.main_diag(&path.display().to_string())],
                io: e.is_io(),
            })?;
            match crate::syntax::limits::decode(&file.bytes, main) {
                Ok(text) => {
                    sources.add(file.name, text.clone(), file.path);
                    (text, Some(file.key))
                }
                Err((d, lossy)) => {
                    sources.add(file.name, lossy, file.path);
                    return Err(Failed::of(sources, vec![d]));
                }
            }
        }
        Input::Text { name, text } => {
            if text.len() > crate::syntax::limits::MAX_FILE_BYTES {
                return Err(Failed::of(
                    sources,
                    vec![Diag::new(Code::FileTooLarge, "input is larger than 16 MiB")],
                ));
            }
            if let Some(pos) = text.find('\0') {
                let id = sources.add(name, text.replace('\0', " "), None);
                return Err(Failed::of(
                    sources,
                    vec![Diag::at(
                        Code::NotText,
                        Span::new(id, pos, pos + 1),
                        "input contains a NUL byte: this looks like binary data",
                    )],
                ));
            }
            sources.add(name, text.clone(), None);
            (text, None)
        }
    };
    let program = match crate::syntax::parse(&text, main) {
        Ok(p) => p,
        Err(diags) => return Err(Failed::of(sources, diags)),
    };
    check_program(sources, main, program, key.as_deref(), loader, true)
}

/// Checks an already parsed program (the REPL's accumulated statements)
/// and applies the resource limits. `main_key` is the main file's key in
/// `loader`; `implicit_world` turns on SPEC §2.1's implicit `use world2024`.
pub fn check_program(
    mut sources: SourceMap,
    main: SourceId,
    program: Program,
    main_key: Option<&Path>,
    loader: &dyn Loader,
    implicit_world: bool,
) -> Result<Compiled, Failed> {
    let opts = CheckOptions {
        loader,
        main_key,
        implicit_world,
    };
    match check::check(&mut sources, main, program, opts) {
        Ok((checked, warnings)) => {
            // Limits that need the assembled scenarios.
            let mut over = eval::budget::check(&checked);
            if !over.is_empty() {
                over.extend(warnings);
                return Err(Failed::of(sources, over));
            }
            Ok(Compiled {
                sources,
                main,
                checked,
                warnings,
            })
        }
        Err(diags) => Err(Failed::of(sources, diags)),
    }
}

/// The results of a compiled program, with every warning: the checker's
/// first, then the evaluation's.
pub struct Run {
    pub results: Results,
    pub warnings: Vec<Diag>,
}

/// The sampling a run of `compiled` uses: the command line's `--samples`
/// and `--seed`, else the file's `samples` and `seed` lines. A program whose
/// expectations are about samples cannot run without: that is an error
/// (`lode::E0406`) at each such expectation.
pub fn sampling(
    compiled: &Compiled,
    samples: Option<usize>,
    seed: Option<u64>,
) -> Result<Option<crate::sample::SampleOptions>, Vec<Diag>> {
    match crate::sample::resolve(&compiled.checked, samples, seed) {
        Some(s) => Ok(Some(s)),
        None => {
            let errors = crate::sample::requires_samples(&compiled.checked);
            if errors.is_empty() {
                Ok(None)
            } else {
                Err(errors)
            }
        }
    }
}

/// Evaluates a compiled program: plainly, or over samples when `opts`
/// says so.
pub fn evaluate(compiled: &Compiled, opts: &EvalOptions, progress: &dyn Progress) -> Run {
    let evaluation = match opts.sampling {
        Some(s) => eval::evaluate_sampled(&compiled.checked, &compiled.sources, opts, s, progress),
        None => eval::evaluate_with_progress(&compiled.checked, &compiled.sources, opts, progress),
    };
    let mut results = evaluation.results;
    let mut infos: Vec<WarningInfo> = compiled.warnings.iter().map(WarningInfo::of).collect();
    infos.append(&mut results.warnings);
    results.warnings = infos;
    let mut warnings = compiled.warnings.clone();
    warnings.extend(evaluation.warnings);
    Run { results, warnings }
}

/// The directory a program given as a file resolves its `use` paths from.
pub fn base_dir(input: &Input<'_>) -> PathBuf {
    match input {
        Input::File(p) => crate::loader::parent_dir(p),
        Input::Text { .. } => PathBuf::from("."),
    }
}
