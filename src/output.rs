//! Writing results: stdout that tolerates a closed pipe, and files written
//! atomically (temporary file in the target directory, sync, rename), so a
//! failed run never leaves a half-written file or clobbers the old one.

use std::io::{self, Write};
use std::path::Path;

/// Writes to stdout; a closed pipe (`lode run … | head`) is not an error.
pub fn stdout(text: &str) -> io::Result<()> {
    let out = io::stdout();
    let mut lock = out.lock();
    match lock.write_all(text.as_bytes()).and_then(|_| lock.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes to stderr, ignoring a closed pipe.
pub fn stderr(text: &str) {
    let err = io::stderr();
    let mut lock = err.lock();
    let _ = lock.write_all(text.as_bytes());
    let _ = lock.flush();
}

/// Replaces `path` with `text` atomically.
pub fn write_atomic(path: &Path, text: &str) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".lode-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
