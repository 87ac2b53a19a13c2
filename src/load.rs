//! Reading program files: size and type checks before any read, and `use`
//! paths confined to the project root after symbolic links are resolved.

use std::fs;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Code, Diag};
use crate::source::Span;
use crate::syntax::limits::MAX_FILE_BYTES;

/// Why a file could not be read. `Missing` and `Io` are I/O errors (exit 2
/// for the file named on the command line); the rest are about its content.
#[derive(Debug)]
pub enum ReadError {
    Missing(String),
    NotAFile(String),
    TooLarge(u64),
    Io(String),
}

impl ReadError {
    pub fn message(&self, shown: &str) -> String {
        match self {
            ReadError::Missing(e) => format!("cannot read `{shown}`: {e}"),
            ReadError::NotAFile(kind) => format!("cannot read `{shown}`: it is {kind}, not a file"),
            ReadError::TooLarge(n) => format!(
                "`{shown}` is {:.1} MiB; lode reads files up to 16 MiB",
                *n as f64 / (1024.0 * 1024.0)
            ),
            ReadError::Io(e) => format!("cannot read `{shown}`: {e}"),
        }
    }

    pub fn is_io(&self) -> bool {
        matches!(self, ReadError::Missing(_) | ReadError::Io(_))
    }

    pub fn code(&self) -> Code {
        match self {
            ReadError::TooLarge(_) => Code::FileTooLarge,
            _ => Code::CannotRead,
        }
    }
}

/// Reads a file's bytes after checking that it is a regular file of at most
/// 16 MiB (a FIFO or a directory is never opened for reading).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    let meta = fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ReadError::Missing("no such file".into()),
        _ => ReadError::Io(e.to_string()),
    })?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(ReadError::NotAFile("a directory".into()));
    }
    if !ft.is_file() {
        return Err(ReadError::NotAFile(
            "a special file (FIFO, socket or device)".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let bytes = fs::read(path).map_err(|e| ReadError::Io(e.to_string()))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Resolves `use "path"` written in a file in `dir`, refusing anything that
/// leaves `root` (checked on the canonical path, so `..` and symbolic links
/// pointing out are both caught).
pub fn resolve_use(root: &Path, dir: &Path, written: &str, span: Span) -> Result<PathBuf, Diag> {
    let joined = dir.join(written);
    let canonical = fs::canonicalize(&joined).map_err(|e| {
        Diag::new(
            Code::CannotRead,
            format!("cannot read `{written}`: {}", io_words(&e)),
        )
        .with_label(span, "this file")
        .help(format!(
            "paths are relative to the directory of the file that uses them ({})",
            dir.display()
        ))
    })?;
    let root = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    if !canonical.starts_with(&root) {
        return Err(Diag::new(
            Code::OutsideRoot,
            format!("`{written}` is outside the project root"),
        )
        .with_label(span, format!("resolves to {}", shown(&canonical).display()))
        .help(format!(
            "`use` reads only files under {}; pass `--root DIR` to widen it",
            shown(&root).display()
        )));
    }
    Ok(canonical)
}

/// A path as the user would type it: relative to the working directory when
/// it lies below it, absolute otherwise.
fn shown(path: &Path) -> PathBuf {
    let here = std::env::current_dir().and_then(fs::canonicalize);
    match here {
        Ok(here) => match path.strip_prefix(&here) {
            Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
            _ => path.to_path_buf(),
        },
        Err(_) => path.to_path_buf(),
    }
}

fn io_words(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}
