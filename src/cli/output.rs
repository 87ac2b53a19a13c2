//! Writing results: standard output that tolerates a closed pipe, and the
//! files `-o FILE` and the REPL's `:save FILE` write.
//!
//! What happens to FILE depends on what is there ([`Target::of`]):
//!
//! - `-`, `/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/1`: standard output.
//! - nothing, or a regular file: replaced atomically ([`super::atomic`]): a
//!   failed or killed run leaves the old file whole.
//! - a symbolic link to a regular file: the file it points to is replaced
//!   atomically and the link stays a link.
//! - a character device or a FIFO (`/dev/null`, `/dev/stderr`, a named pipe,
//!   a shell's `>(…)`): opened and written in place, streaming — there is
//!   no file to rename over, so this is not atomic; it is opened only once
//!   the output is ready, so a failed run never opens it.
//! - a dangling symbolic link, a directory, a block device or a socket:
//!   refused, and nothing is written.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Writes to stdout; a closed pipe (`lode run … | head`) is not an error.
pub fn stdout(text: &str) -> io::Result<()> {
    stdout_with(|w| w.write_all(text.as_bytes()))
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

/// Where an output path sends the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Standard output.
    Stdout,
    /// A regular file (or none yet) at this path, replaced atomically: the
    /// path named, or the file a symbolic link points to.
    Replace(PathBuf),
    /// A character device or FIFO, written in place.
    Stream(PathBuf),
}

/// Paths that name this process's standard output.
const STDOUT_NAMES: [&str; 3] = ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"];

impl Target {
    /// What `path` is, and so how to write it; an error for what lode
    /// does not write over.
    pub fn of(path: &Path) -> io::Result<Target> {
        if path == Path::new("-") || STDOUT_NAMES.iter().any(|n| path == Path::new(n)) {
            return Ok(Target::Stdout);
        }
        let link = match std::fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok(Target::Replace(path.to_path_buf()));
            }
            Err(e) => return Err(e),
        };
        let meta = if link.file_type().is_symlink() {
            match std::fs::metadata(path) {
                Ok(m) => m,
                Err(e) if e.kind() == io::ErrorKind::NotFound => {
                    let to = std::fs::read_link(path)
                        .map(|t| format!(" to `{}`", t.display()))
                        .unwrap_or_default();
                    return Err(io::Error::new(
                        io::ErrorKind::NotFound,
                        format!("it is a symbolic link{to}, which does not exist"),
                    ));
                }
                Err(e) => return Err(e),
            }
        } else {
            link.clone()
        };
        let kind = meta.file_type();
        if kind.is_file() {
            if link.file_type().is_symlink() {
                return Ok(Target::Replace(std::fs::canonicalize(path)?));
            }
            return Ok(Target::Replace(path.to_path_buf()));
        }
        if kind.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            ));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_char_device() || kind.is_fifo() {
                return Ok(Target::Stream(path.to_path_buf()));
            }
            let what = if kind.is_block_device() {
                "a block device"
            } else if kind.is_socket() {
                "a socket"
            } else {
                "a special file"
            };
            Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "it is {what}; lode writes regular files, character devices such as /dev/null, and FIFOs"
                ),
            ))
        }
        #[cfg(not(unix))]
        Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "it is not a regular file",
        ))
    }
}

/// Writes `text` to `path` (see the module doc for what each kind of path
/// gets).
pub fn write_file(path: &Path, text: &str) -> io::Result<()> {
    write_file_with(path, |w| w.write_all(text.as_bytes()))
}

/// Writes what `fill` writes to `path`, streaming (so large output is never
/// built in memory first).
pub fn write_file_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    match Target::of(path)? {
        Target::Stdout => stdout_with(fill),
        Target::Replace(file) => super::atomic::replace(&file, fill),
        Target::Stream(device) => {
            let file = std::fs::OpenOptions::new().write(true).open(&device)?;
            let mut w = io::BufWriter::new(file);
            match fill(&mut w).and_then(|_| w.flush()) {
                // A reader that went away (`-o >(head -1)`) is not an error,
                // as on standard output.
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other,
            }
        }
    }
}

/// The file `-o PATH` would replace, by canonical path, when it is one of
/// `sources` (the program, a file it `use`s, a file under test): writing
/// there would silently replace the source with results.
pub fn replaced_source<'a>(
    path: &Path,
    sources: impl IntoIterator<Item = &'a Path>,
) -> Option<&'a Path> {
    let Ok(Target::Replace(file)) = Target::of(path) else {
        return None;
    };
    let target = std::fs::canonicalize(file).ok()?;
    sources
        .into_iter()
        .find(|s| std::fs::canonicalize(s).is_ok_and(|s| s == target))
}

/// `lode::E0603`: `-o PATH` names `source`, which the run reads; `what`
/// says what it is to the run (`the program itself`).
pub fn replaced_source_diag(path: &Path, source: &Path, what: &str) -> lode::diagnostic::Diag {
    lode::diagnostic::Diag::new(
        lode::diagnostic::Code::OutputIsSource,
        format!(
            "`-o {}` would replace `{}`, {what}",
            path.display(),
            source.display()
        ),
    )
    .help("write the output to another file; lode never writes over a file it reads")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dash_and_stdout_names_are_standard_output() {
        for p in ["-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"] {
            assert_eq!(Target::of(Path::new(p)).unwrap(), Target::Stdout, "{p}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn kinds_of_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").unwrap();
        let new = dir.path().join("new.txt");
        assert_eq!(Target::of(&new).unwrap(), Target::Replace(new.clone()));
        assert_eq!(Target::of(&file).unwrap(), Target::Replace(file.clone()));
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("f.txt", &link).unwrap();
        assert_eq!(
            Target::of(&link).unwrap(),
            Target::Replace(std::fs::canonicalize(&file).unwrap())
        );
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("nowhere.txt", &dangling).unwrap();
        let e = Target::of(&dangling).unwrap_err();
        assert!(e.to_string().contains("`nowhere.txt`"), "{e}");
        assert!(Target::of(dir.path()).is_err());
        assert_eq!(
            Target::of(Path::new("/dev/null")).unwrap(),
            Target::Stream(PathBuf::from("/dev/null"))
        );
    }
}
