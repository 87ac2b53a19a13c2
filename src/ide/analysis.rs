//! One file as an editor sees it: its diagnostics (exactly what `lode
//! check` says), its syntax tree, what checked (even when something did
//! not), and the evaluation when nothing is wrong.

use std::path::Path;

use crate::ast::Program;
use crate::check::{self, CheckOptions};
use crate::eval::{EvalOptions, Silent};
use crate::loader::Loader;
use crate::pipeline::{self, Input};
use crate::program::Checked;
use crate::results::Results;
use crate::source::{SourceId, SourceMap};

use super::located::Located;

/// What lode knows about one file.
pub struct Analysis {
    /// The sources `checked` refers to; the file itself is [`Analysis::main`].
    pub sources: SourceMap,
    pub main: SourceId,
    /// The file's text.
    pub text: String,
    /// The file's statements, when it parses.
    pub program: Option<Program>,
    /// Everything that checked: the whole program when `diagnostics` holds
    /// no error, else what resolved (see [`check::Partial`]).
    pub checked: Option<Checked>,
    /// The evaluation, when the program has no error.
    pub results: Option<Results>,
    /// What `lode check` reports for the file, in its order.
    pub diagnostics: Vec<Located>,
    /// The sources the diagnostics point into (`sources`, unless a check
    /// with errors was redone for [`Analysis::checked`]).
    pub diagnostic_sources: SourceMap,
}

impl Analysis {
    /// Whether `diagnostics` holds an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == super::located::Severity::Error)
    }
}

/// Reads `path` through `loader` (which holds the editor's text of it) and
/// checks it the way `lode check` does: the diagnostics are the same, and a
/// program without errors is evaluated for the warnings that need the
/// equilibrium.
pub fn analyze(path: &Path, loader: &dyn Loader) -> Analysis {
    let shown = path.display().to_string();
    match pipeline::compile(Input::File(path), loader) {
        Ok(compiled) => {
            let run = pipeline::evaluate(&compiled, &EvalOptions::default(), &Silent);
            let diagnostics = run
                .warnings
                .iter()
                .map(|d| Located::of(d, &compiled.sources, Some(&shown)))
                .collect();
            let text = main_text(&compiled.sources, compiled.main);
            let program = crate::syntax::parse(&text, compiled.main).ok();
            Analysis {
                main: compiled.main,
                text,
                program,
                checked: Some(compiled.checked),
                results: Some(run.results),
                diagnostics,
                diagnostic_sources: compiled.sources.clone(),
                sources: compiled.sources,
            }
        }
        Err(failed) => {
            let diagnostics = failed
                .diags
                .iter()
                .map(|d| Located::of(d, &failed.sources, Some(&shown)))
                .collect();
            let main = SourceId(0);
            let text = main_text(&failed.sources, main);
            let mut analysis = Analysis {
                diagnostic_sources: failed.sources.clone(),
                sources: failed.sources,
                main,
                text,
                program: None,
                checked: None,
                results: None,
                diagnostics,
            };
            if !failed.io {
                partial(&mut analysis, path, loader);
            }
            analysis
        }
    }
}

fn main_text(sources: &SourceMap, main: SourceId) -> String {
    sources
        .get(main)
        .map(|f| f.text.to_string())
        .unwrap_or_default()
}

/// A file with errors: what checked, from the same text, so names still
/// resolve around the mistake.
fn partial(analysis: &mut Analysis, path: &Path, loader: &dyn Loader) {
    let Ok(program) = crate::syntax::parse(&analysis.text, analysis.main) else {
        return;
    };
    analysis.program = Some(program.clone());
    let Ok(file) = loader.main(path) else {
        return;
    };
    let mut sources = SourceMap::new();
    let main = sources.add(file.name, analysis.text.clone(), file.path);
    let opts = CheckOptions {
        loader,
        main_key: Some(&file.key),
        implicit_world: true,
    };
    let partial = check::check_partial(&mut sources, main, program, opts);
    analysis.checked = Some(partial.checked);
    analysis.sources = sources;
    analysis.main = main;
}
