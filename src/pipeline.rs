//! The whole pipeline for one program: read → parse → check → evaluate.
//! Used by the CLI, the REPL, `lode test` and the tests, so they all see the
//! same diagnostics.

use std::path::{Path, PathBuf};

use crate::check::{self, CheckOptions};
use crate::diagnostic::{Code, Diag};
use crate::program::Checked;
use crate::source::{SourceId, SourceMap};

/// A checked program with its sources and warnings.
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

/// Where a program's text comes from.
pub enum Input<'a> {
    File(&'a Path),
    Text { name: &'a str, text: String },
}

/// Parses and checks a program.
pub fn compile(input: Input<'_>, root: Option<&Path>) -> Result<Compiled, Failed> {
    let mut sources = SourceMap::new();
    let (main, text, dir) = match input {
        Input::File(path) => {
            let shown = path.display().to_string();
            let bytes = match crate::load::read_bytes(path) {
                Ok(b) => b,
                Err(e) => {
                    let io = e.is_io() || matches!(e, crate::load::ReadError::NotAFile(_));
                    return Err(Failed {
                        sources,
                        diags: vec![Diag::new(e.code(), e.message(&shown))],
                        io,
                    });
                }
            };
            let id = SourceId(0);
            match crate::syntax::limits::decode(&bytes, id) {
                Ok(text) => {
                    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
                    let dir = if dir.as_os_str().is_empty() {
                        PathBuf::from(".")
                    } else {
                        dir
                    };
                    sources.add(shown, text.clone(), Some(path.to_path_buf()));
                    (id, text, dir)
                }
                Err((d, lossy)) => {
                    sources.add(shown, lossy, Some(path.to_path_buf()));
                    return Err(Failed {
                        sources,
                        diags: vec![d],
                        io: false,
                    });
                }
            }
        }
        Input::Text { name, text } => {
            if text.len() > crate::syntax::limits::MAX_FILE_BYTES {
                return Err(Failed {
                    sources,
                    diags: vec![Diag::new(Code::FileTooLarge, "input is larger than 16 MiB")],
                    io: false,
                });
            }
            if text.contains('\0') {
                let pos = text.find('\0').unwrap_or(0);
                let id = sources.add(name, text.replace('\0', " "), None);
                return Err(Failed {
                    sources,
                    diags: vec![Diag::at(
                        Code::NotText,
                        crate::source::Span::new(id, pos, pos + 1),
                        "input contains a NUL byte: this looks like binary data",
                    )],
                    io: false,
                });
            }
            let id = sources.add(name, text.clone(), None);
            (id, text, PathBuf::from("."))
        }
    };
    let program = match crate::syntax::parse(&text, main) {
        Ok(p) => p,
        Err(diags) => {
            return Err(Failed {
                sources,
                diags,
                io: false,
            });
        }
    };
    let root = root.map(Path::to_path_buf).unwrap_or_else(|| dir.clone());
    let opts = CheckOptions {
        root,
        dir,
        implicit_world: true,
    };
    match check::check(&mut sources, main, program, &opts) {
        Ok((checked, warnings)) => {
            // Resource limits that need the assembled scenarios.
            let mut over = crate::eval::budget::check(&checked);
            if !over.is_empty() {
                over.extend(warnings);
                return Err(Failed {
                    sources,
                    diags: over,
                    io: false,
                });
            }
            Ok(Compiled {
                sources,
                main,
                checked,
                warnings,
            })
        }
        Err(diags) => Err(Failed {
            sources,
            diags,
            io: false,
        }),
    }
}
