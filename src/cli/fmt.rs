//! `lode fmt [--check] [FILE...]`: rewrites files in the canonical layout of
//! [`lode::format`], or with `--check` prints what would change as a
//! unified diff. A file that does not parse is reported and left as it is.

use std::io::Read;
use std::path::{Path, PathBuf};

use lode::loader::{FsLoader, Loader};
use lode::source::{SourceId, SourceMap};

use super::{ExitCode, output, print_diags};

pub fn command(files: &[PathBuf], check: bool) -> ExitCode {
    if files.is_empty() {
        return standard_input(check);
    }
    let mut worst = ExitCode::Ok;
    for file in files {
        let code = one_file(file, check);
        if code == ExitCode::Usage || worst == ExitCode::Ok {
            worst = code;
        }
    }
    worst
}

/// What formatting one text gave.
enum Outcome {
    Same,
    Changed(String),
    Failed,
}

fn format_text(name: &str, text: &str) -> Outcome {
    match lode::format::format(text) {
        Ok(formatted) if formatted == text => Outcome::Same,
        Ok(formatted) => Outcome::Changed(formatted),
        Err(diags) => {
            let mut sources = SourceMap::new();
            sources.add(name, text, None);
            print_diags(&diags, &sources);
            Outcome::Failed
        }
    }
}

fn one_file(file: &Path, check: bool) -> ExitCode {
    let shown = file.display().to_string();
    let loaded = match FsLoader::for_file(file, None).main(file) {
        Ok(l) => l,
        Err(e) => {
            print_diags(&[e.main_diag(&shown)], &SourceMap::new());
            return if e.is_io() {
                ExitCode::Usage
            } else {
                ExitCode::Failed
            };
        }
    };
    let text = match lode::syntax::limits::decode(&loaded.bytes, SourceId(0)) {
        Ok(t) => t,
        Err((d, lossy)) => {
            let mut sources = SourceMap::new();
            sources.add(shown, lossy, None);
            print_diags(&[d], &sources);
            return ExitCode::Failed;
        }
    };
    match format_text(&shown, &text) {
        Outcome::Same => ExitCode::Ok,
        Outcome::Failed => ExitCode::Failed,
        Outcome::Changed(new) if check => {
            print_diff(&shown, &text, &new);
            ExitCode::Failed
        }
        Outcome::Changed(new) => match output::write_atomic(file, &new) {
            Ok(()) => ExitCode::Ok,
            Err(e) => {
                output::stderr(&format!("error: cannot write `{shown}`: {e}\n"));
                ExitCode::Usage
            }
        },
    }
}

fn standard_input(check: bool) -> ExitCode {
    let mut bytes = Vec::new();
    let limit = lode::syntax::limits::MAX_FILE_BYTES as u64 + 1;
    if let Err(e) = std::io::stdin().take(limit).read_to_end(&mut bytes) {
        output::stderr(&format!("error: cannot read standard input: {e}\n"));
        return ExitCode::Usage;
    }
    let text = match lode::syntax::limits::decode(&bytes, SourceId(0)) {
        Ok(t) => t,
        Err((d, lossy)) => {
            let mut sources = SourceMap::new();
            sources.add("<stdin>", lossy, None);
            print_diags(&[d], &sources);
            return ExitCode::Failed;
        }
    };
    let written = match format_text("<stdin>", &text) {
        Outcome::Failed => return ExitCode::Failed,
        Outcome::Same if check => return ExitCode::Ok,
        Outcome::Changed(new) if check => {
            print_diff("<stdin>", &text, &new);
            return ExitCode::Failed;
        }
        Outcome::Same => text,
        Outcome::Changed(new) => new,
    };
    match output::stdout(&written) {
        Ok(()) => ExitCode::Ok,
        Err(e) => {
            output::stderr(&format!("error: cannot write output: {e}\n"));
            ExitCode::Usage
        }
    }
}

/// A unified diff from `old` to `new`, with `a/` and `b/` before the name
/// so `git apply` and `patch -p1` take it.
fn print_diff(name: &str, old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string();
    let _ = output::stdout(&text);
}
