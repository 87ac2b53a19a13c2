//! Where program text comes from.
//!
//! The library reads every program file through a [`Loader`] its host gives
//! it, and never opens a file by itself: the command line passes an
//! [`FsLoader`] (files on disk, `use` confined to a root directory), an
//! editor passes its open buffers, a test passes a [`MemoryLoader`] of
//! strings. A loader returns bytes; the pipeline decodes them, so every host
//! gets the same size, UTF-8 and NUL checks.

use std::collections::BTreeMap;
use std::fs;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::diagnostic::{Code, Diag};
use crate::source::Span;
use crate::syntax::limits::MAX_FILE_BYTES;

/// A file a loader found.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file's identity: two `use` lines that reach the same file give
    /// the same key (for files on disk, the canonical path). Later `use`
    /// paths in this file are resolved from the key's directory.
    pub key: PathBuf,
    /// What diagnostics call the file.
    pub name: String,
    pub bytes: Vec<u8>,
    /// The file on disk, when there is one.
    pub path: Option<PathBuf>,
}

/// Why a file could not be read.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadError {
    /// No file at that path; `dir` is where relative paths start.
    Missing {
        dir: PathBuf,
    },
    /// Resolving the path failed for another reason (permissions, …).
    Unreadable {
        reason: String,
        dir: PathBuf,
    },
    /// A directory, a FIFO, a device: never opened for reading.
    NotAFile(&'static str),
    TooLarge(u64),
    Io(String),
    /// `use` would leave the root: `resolved` is where the path leads.
    Outside {
        resolved: PathBuf,
        root: PathBuf,
    },
    /// `use ""`.
    EmptyPath,
}

impl LoadError {
    /// An I/O problem with the file a command names (exit code 2), rather
    /// than a problem with the program.
    pub fn is_io(&self) -> bool {
        matches!(
            self,
            LoadError::Missing { .. }
                | LoadError::Unreadable { .. }
                | LoadError::Io(_)
                | LoadError::NotAFile(_)
        )
    }

    pub fn code(&self) -> Code {
        match self {
            LoadError::TooLarge(_) => Code::FileTooLarge,
            LoadError::Outside { .. } => Code::OutsideRoot,
            _ => Code::CannotRead,
        }
    }

    /// The diagnostic for the file named on the command line.
    pub fn main_diag(&self, shown: &str) -> Diag {
        Diag::new(self.code(), self.message(shown))
    }

    fn message(&self, shown: &str) -> String {
        match self {
            LoadError::Missing { .. } => format!("cannot read `{shown}`: no such file"),
            LoadError::Unreadable { reason, .. } => format!("cannot read `{shown}`: {reason}"),
            LoadError::NotAFile(kind) => format!("cannot read `{shown}`: it is {kind}, not a file"),
            LoadError::TooLarge(n) => format!(
                "`{shown}` is {:.1} MiB; lode reads files up to 16 MiB",
                *n as f64 / (1024.0 * 1024.0)
            ),
            LoadError::Io(e) => format!("cannot read `{shown}`: {e}"),
            LoadError::Outside { .. } => format!("`{shown}` is outside the project root"),
            LoadError::EmptyPath => "`use \"\"` names no file".to_string(),
        }
    }

    /// The diagnostic for `use "written"` at `span`.
    pub fn use_diag(&self, written: &str, span: Span) -> Diag {
        match self {
            LoadError::Missing { dir } | LoadError::Unreadable { dir, .. } => {
                let reason = match self {
                    LoadError::Unreadable { reason, .. } => reason.as_str(),
                    _ => "no such file",
                };
                Diag::new(
                    Code::CannotRead,
                    format!("cannot read `{written}`: {reason}"),
                )
                .with_label(span, "this file")
                .help(format!(
                    "paths are relative to the directory of the file that uses them ({})",
                    dir.display()
                ))
            }
            LoadError::Outside { resolved, root } => Diag::new(
                Code::OutsideRoot,
                format!("`{written}` is outside the project root"),
            )
            .with_label(span, format!("resolves to {}", resolved.display()))
            .help(format!(
                "`use` reads only files under {}; pass `--root DIR` to widen it",
                root.display()
            )),
            LoadError::EmptyPath => Diag::new(Code::CannotRead, self.message(written))
                .with_label(span, "an empty path")
                .help("write the path of a `.lode` file, relative to this file: `use \"data/extra.lode\"`"),
            _ => Diag::new(self.code(), self.message(written)).with_label(span, "used here"),
        }
    }
}

/// How a host supplies program files.
pub trait Loader: Send + Sync {
    /// The program file a command names.
    fn main(&self, path: &Path) -> Result<Loaded, LoadError>;

    /// `use "written"` in the file whose key is `from` (`None`: a program
    /// given as text, such as `lode run -e`, a REPL line or standard input).
    fn resolve(&self, written: &str, from: Option<&Path>) -> Result<Loaded, LoadError>;
}

/// A path with `.` and `..` folded away, without looking at the disk.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

// ---------------------------------------------------------------- on disk

/// Files on disk. `use` may not leave `root`: checked on the path with every
/// symbolic link resolved, and again on the file actually opened, so a link
/// swapped in between the check and the read is caught too.
#[derive(Debug, Clone)]
pub struct FsLoader {
    root: PathBuf,
    /// Where relative `use` paths of a program given as text start.
    base: PathBuf,
}

impl FsLoader {
    /// `use` confined to `root`; programs given as text resolve `use` paths
    /// from `base`.
    pub fn new(root: impl Into<PathBuf>, base: impl Into<PathBuf>) -> Self {
        FsLoader {
            root: root.into(),
            base: base.into(),
        }
    }

    /// For the program file `file`: the root is `root`, else the file's
    /// directory.
    pub fn for_file(file: &Path, root: Option<&Path>) -> Self {
        let dir = parent_dir(file);
        FsLoader::new(
            root.map(Path::to_path_buf).unwrap_or_else(|| dir.clone()),
            dir,
        )
    }

    /// For a program given as text: relative to the working directory.
    pub fn for_text(root: Option<&Path>) -> Self {
        let here = PathBuf::from(".");
        FsLoader::new(
            root.map(Path::to_path_buf).unwrap_or_else(|| here.clone()),
            here,
        )
    }
}

/// The directory of a file, `.` when it has none.
pub fn parent_dir(file: &Path) -> PathBuf {
    match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

impl Loader for FsLoader {
    fn main(&self, path: &Path) -> Result<Loaded, LoadError> {
        let bytes = read_regular(path, None)?;
        let key = fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(Loaded {
            key,
            name: path.display().to_string(),
            bytes,
            path: Some(path.to_path_buf()),
        })
    }

    fn resolve(&self, written: &str, from: Option<&Path>) -> Result<Loaded, LoadError> {
        if written.is_empty() {
            return Err(LoadError::EmptyPath);
        }
        let dir = match from {
            Some(f) => parent_dir(f),
            None => self.base.clone(),
        };
        let canonical = fs::canonicalize(dir.join(written)).map_err(|e| {
            let dir = shown(&dir);
            match e.kind() {
                std::io::ErrorKind::NotFound => LoadError::Missing { dir },
                std::io::ErrorKind::PermissionDenied => LoadError::Unreadable {
                    reason: "permission denied".into(),
                    dir,
                },
                _ => LoadError::Unreadable {
                    reason: e.to_string(),
                    dir,
                },
            }
        })?;
        let root = fs::canonicalize(&self.root).unwrap_or_else(|_| self.root.clone());
        let outside = |resolved: &Path| LoadError::Outside {
            resolved: shown(resolved),
            root: shown(&root),
        };
        if !canonical.starts_with(&root) {
            return Err(outside(&canonical));
        }
        let bytes = read_regular(&canonical, Some(&root)).map_err(|e| match e {
            LoadError::Outside { resolved, .. } => outside(&resolved),
            e => e,
        })?;
        let name = canonical
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_else(|_| written.to_string());
        Ok(Loaded {
            key: canonical.clone(),
            name,
            bytes,
            path: Some(canonical),
        })
    }
}

/// Opens `path` once and reads it from that handle: a regular file of at
/// most 16 MiB (a FIFO, a device or a directory is refused before any read,
/// and at most the limit plus one byte is ever read). With `root`, the last
/// component is not followed if it is a symbolic link, and the file opened
/// must lie inside `root`.
fn read_regular(path: &Path, root: Option<&Path>) -> Result<Vec<u8>, LoadError> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking, so opening a FIFO does not wait for a writer; not
        // following a final link, so `use` cannot be redirected after the
        // root check.
        let mut flags = libc::O_NONBLOCK;
        if root.is_some() {
            flags |= libc::O_NOFOLLOW;
        }
        options.custom_flags(flags);
    }
    let file = options.open(path).map_err(|e| open_error(&e))?;
    let meta = file.metadata().map_err(|e| LoadError::Io(e.to_string()))?;
    let ft = meta.file_type();
    if ft.is_dir() {
        return Err(LoadError::NotAFile("a directory"));
    }
    if !ft.is_file() {
        return Err(LoadError::NotAFile(
            "a special file (FIFO, socket or device)",
        ));
    }
    if let Some(root) = root {
        if let Some(real) = opened_path(&file, path) {
            if !real.starts_with(root) {
                return Err(LoadError::Outside {
                    resolved: real,
                    root: root.to_path_buf(),
                });
            }
        }
    }
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(LoadError::TooLarge(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| LoadError::Io(e.to_string()))?;
    if bytes.len() > MAX_FILE_BYTES {
        return Err(LoadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

fn open_error(e: &std::io::Error) -> LoadError {
    match e.kind() {
        std::io::ErrorKind::NotFound => LoadError::Missing {
            dir: PathBuf::from("."),
        },
        // ELOOP: the last component became a symbolic link.
        _ if e.raw_os_error() == Some(libc_eloop()) => LoadError::NotAFile("a symbolic link"),
        _ => LoadError::Io(e.to_string()),
    }
}

#[cfg(unix)]
fn libc_eloop() -> i32 {
    libc::ELOOP
}

#[cfg(not(unix))]
fn libc_eloop() -> i32 {
    -1
}

/// Where the file behind an open handle really is. On Linux the kernel
/// says (`/proc/self/fd`); elsewhere the handle's identity is compared with
/// the path's, and `None` means they are not the same file.
fn opened_path(file: &fs::File, path: &Path) -> Option<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::io::AsRawFd;
        if let Ok(real) = fs::read_link(format!("/proc/self/fd/{}", file.as_raw_fd())) {
            return Some(real);
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let (a, b) = (file.metadata().ok()?, fs::metadata(path).ok()?);
        if a.dev() == b.dev() && a.ino() == b.ino() {
            return Some(path.to_path_buf());
        }
        Some(PathBuf::from("/"))
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        None
    }
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

// ---------------------------------------------------------------- in memory

/// Files held in memory, by path: an editor's unsaved buffers, a test's
/// strings. Paths are folded (`a/../b` is `b`) without touching the disk;
/// `use` may not leave `root` (default: no restriction).
#[derive(Debug, Clone, Default)]
pub struct MemoryLoader {
    files: BTreeMap<PathBuf, Vec<u8>>,
    root: Option<PathBuf>,
    base: PathBuf,
}

impl MemoryLoader {
    pub fn new() -> Self {
        MemoryLoader::default()
    }

    /// Adds (or replaces) a file.
    pub fn with(mut self, path: impl AsRef<Path>, text: impl Into<String>) -> Self {
        self.insert(path, text);
        self
    }

    pub fn insert(&mut self, path: impl AsRef<Path>, text: impl Into<String>) {
        self.files
            .insert(normalize(path.as_ref()), text.into().into_bytes());
    }

    /// Confines `use` to `root`.
    pub fn rooted(mut self, root: impl AsRef<Path>) -> Self {
        self.root = Some(normalize(root.as_ref()));
        self
    }

    /// Where relative `use` paths of a program given as text start.
    pub fn based(mut self, base: impl AsRef<Path>) -> Self {
        self.base = normalize(base.as_ref());
        self
    }

    fn get(&self, key: PathBuf) -> Result<Loaded, LoadError> {
        let dir = parent_dir(&key);
        let bytes = self
            .files
            .get(&key)
            .ok_or(LoadError::Missing { dir })?
            .clone();
        if bytes.len() > MAX_FILE_BYTES {
            return Err(LoadError::TooLarge(bytes.len() as u64));
        }
        Ok(Loaded {
            name: key.display().to_string(),
            key,
            bytes,
            path: None,
        })
    }
}

impl Loader for MemoryLoader {
    fn main(&self, path: &Path) -> Result<Loaded, LoadError> {
        self.get(normalize(path))
    }

    fn resolve(&self, written: &str, from: Option<&Path>) -> Result<Loaded, LoadError> {
        if written.is_empty() {
            return Err(LoadError::EmptyPath);
        }
        let dir = from.map(parent_dir).unwrap_or_else(|| self.base.clone());
        let key = normalize(&dir.join(written));
        if let Some(root) = &self.root {
            if !key.starts_with(root) || key.starts_with("..") {
                return Err(LoadError::Outside {
                    resolved: key,
                    root: root.clone(),
                });
            }
        }
        self.get(key).map_err(|e| match e {
            LoadError::Missing { .. } => LoadError::Missing { dir },
            e => e,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_fold_without_the_disk() {
        assert_eq!(
            normalize(Path::new("a/./b/../c.lode")),
            PathBuf::from("a/c.lode")
        );
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
    }

    #[test]
    fn memory_files_resolve_relative_to_the_user() {
        let l = MemoryLoader::new()
            .with("p/main.lode", "use \"data/x.lode\"")
            .with("p/data/x.lode", "actor XX")
            .with("p/y.lode", "actor YY");
        let x = l
            .resolve("data/x.lode", Some(Path::new("p/main.lode")))
            .unwrap();
        assert_eq!(x.key, PathBuf::from("p/data/x.lode"));
        // From p/data/x.lode, `../y.lode` is p/y.lode.
        let y = l.resolve("../y.lode", Some(&x.key)).unwrap();
        assert_eq!(y.bytes, b"actor YY");
        assert!(matches!(
            l.resolve("nope.lode", None),
            Err(LoadError::Missing { .. })
        ));
        let rooted = l.clone().rooted("p");
        assert!(matches!(
            rooted.resolve("../../etc/passwd", Some(Path::new("p/main.lode"))),
            Err(LoadError::Outside { .. })
        ));
        assert_eq!(l.resolve("", None).unwrap_err(), LoadError::EmptyPath);
    }
}
