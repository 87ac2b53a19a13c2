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

/// Streams to stdout through a buffer; a closed pipe is not an error.
pub fn stdout_with(fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let out = io::stdout();
    let mut w = io::BufWriter::new(out.lock());
    match fill(&mut w).and_then(|_| w.flush()) {
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
    write_atomic_with(path, |w| w.write_all(text.as_bytes()))
}

/// Replaces `path` atomically with what `fill` writes (so large output can
/// be streamed rather than built in memory first).
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".lode-").suffix(".tmp");
    // A temporary file is private (0600); the result should be an ordinary
    // file (0666 less the umask), or keep the mode of the file it replaces.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // tempfile's own error names the temporary file, which the user never
    // asked for; say what is wrong with the directory instead.
    let mut tmp = builder.tempfile_in(dir).map_err(|e| {
        let why = match e.kind() {
            io::ErrorKind::NotFound => format!("the directory `{}` does not exist", dir.display()),
            io::ErrorKind::PermissionDenied => {
                format!("no permission to create files in `{}`", dir.display())
            }
            kind => format!("cannot create a file in `{}`: {kind}", dir.display()),
        };
        io::Error::new(e.kind(), why)
    })?;
    if let Ok(old) = std::fs::metadata(path) {
        if old.is_file() {
            tmp.as_file().set_permissions(old.permissions())?;
        }
    }
    {
        let mut w = io::BufWriter::new(tmp.as_file_mut());
        fill(&mut w)?;
        w.flush()?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Make the rename itself durable; not every platform can sync a directory.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}
