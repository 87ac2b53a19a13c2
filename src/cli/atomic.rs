//! Replacing a regular file atomically: the new content is written and
//! synced in a file of the target's directory that has no name, which is
//! then given a temporary name and renamed over the target. A failed or
//! killed run leaves the old file as it was, and a killed run leaves no
//! temporary file behind.
//!
//! On Linux the file without a name is `O_TMPFILE`; it is linked into the
//! directory (through `/proc/self/fd`) only once it is complete, so the
//! temporary name exists for the instant between the link and the rename.
//! Where that is not available (another system, a file system without
//! `O_TMPFILE`, no `/proc`), the content is written under a temporary name
//! from the start, which a killed run leaves behind. Either way, each write
//! first removes such leftovers of earlier runs from the directory: files
//! named `.lode-*.tmp`, regular, owned by this user and untouched for a
//! minute.

use std::fs::File;
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The temporary names: `.lode-XXXXXXXXXXXX.tmp`.
const PREFIX: &str = ".lode-";
const SUFFIX: &str = ".tmp";

/// A temporary file untouched for this long is a leftover of a killed run.
pub const STALE_AFTER: Duration = Duration::from_secs(60);

/// Replaces the regular file `path` (or creates it) with what `fill` writes.
pub fn replace(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    remove_stale(dir);
    let old = std::fs::metadata(path).ok().filter(|m| m.is_file());
    let (mut file, named) = create(dir)?;
    // A temporary file is private; the result is an ordinary file (0666
    // less the umask), or keeps the mode of the file it replaces.
    if let Some(old) = &old {
        file.set_permissions(old.permissions())?;
    }
    let written = (|| {
        let mut w = io::BufWriter::new(&mut file);
        fill(&mut w)?;
        w.flush()?;
        drop(w);
        file.sync_all()
    })();
    let temp = match (written, named) {
        (Err(e), Some(name)) => {
            let _ = std::fs::remove_file(&name);
            return Err(e);
        }
        (Err(e), None) => return Err(e),
        (Ok(()), Some(name)) => name,
        (Ok(()), None) => link(&mut file, dir)?,
    };
    if let Err(e) = std::fs::rename(&temp, path) {
        let _ = std::fs::remove_file(&temp);
        return Err(e);
    }
    // Make the rename itself durable; not every platform can sync a directory.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// A new file in `dir` to write: without a name where the system allows
/// it (`None`), else under a temporary name (`Some`).
fn create(dir: &Path) -> io::Result<(File, Option<PathBuf>)> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let anonymous = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .mode(0o666)
            .custom_flags(libc::O_TMPFILE)
            .open(dir);
        match anonymous {
            Ok(f) => return Ok((f, None)),
            // Errors that say what is wrong with the directory itself.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound
                        | io::ErrorKind::PermissionDenied
                        | io::ErrorKind::NotADirectory
                ) =>
            {
                return Err(directory_error(dir, e));
            }
            // The file system cannot: a file with a name instead.
            Err(_) => {}
        }
    }
    let (file, name) = named(dir)?;
    Ok((file, Some(name)))
}

/// A new file under a fresh temporary name in `dir`.
fn named(dir: &Path) -> io::Result<(File, PathBuf)> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(PREFIX).suffix(SUFFIX).rand_bytes(12);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let temp = builder
        .tempfile_in(dir)
        .map_err(|e| directory_error(dir, e))?;
    // Kept on disk from here on: `replace` renames or removes it.
    let (file, path) = temp.keep().map_err(|e| e.error)?;
    Ok((file, path))
}

/// tempfile's and open's errors name the temporary file, which the user
/// never asked for; say what is wrong with the directory instead.
fn directory_error(dir: &Path, e: io::Error) -> io::Error {
    let why = match e.kind() {
        io::ErrorKind::NotFound => format!("the directory `{}` does not exist", dir.display()),
        io::ErrorKind::PermissionDenied => {
            format!("no permission to create files in `{}`", dir.display())
        }
        io::ErrorKind::NotADirectory => format!("`{}` is not a directory", dir.display()),
        kind => format!("cannot create a file in `{}`: {kind}", dir.display()),
    };
    io::Error::new(e.kind(), why)
}

/// Gives the complete file without a name a temporary name in `dir`; if
/// the system cannot link it, its content is copied into a named file.
fn link(file: &mut File, dir: &Path) -> io::Result<PathBuf> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let by_fd = format!("/proc/self/fd/{}", file.as_raw_fd());
        for _ in 0..16 {
            let name = dir.join(temp_name());
            match rustix::fs::linkat(
                rustix::fs::CWD,
                by_fd.as_str(),
                rustix::fs::CWD,
                &name,
                rustix::fs::AtFlags::SYMLINK_FOLLOW,
            ) {
                Ok(()) => return Ok(name),
                Err(rustix::io::Errno::EXIST) => continue,
                Err(_) => break,
            }
        }
    }
    let (mut copy, name) = named(dir)?;
    let copied = (|| {
        file.rewind()?;
        io::copy(file, &mut copy)?;
        copy.set_permissions(file.metadata()?.permissions())?;
        copy.sync_all()
    })();
    match copied {
        Ok(()) => Ok(name),
        Err(e) => {
            let _ = std::fs::remove_file(&name);
            Err(e)
        }
    }
}

/// `.lode-` and 12 random hexadecimal digits, `.tmp`.
#[cfg(target_os = "linux")]
fn temp_name() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    format!("{PREFIX}{:012x}{SUFFIX}", h.finish() & 0xffff_ffff_ffff)
}

/// Removes what killed runs left in `dir`: regular files named like our
/// temporary files, owned by this user, not modified for [`STALE_AFTER`].
/// A file another lode is writing right now is younger than that. Best
/// effort: what cannot be read or removed is left.
pub fn remove_stale(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !(name.starts_with(PREFIX) && name.ends_with(SUFFIX))
            || name.len() <= PREFIX.len() + SUFFIX.len()
        {
            continue;
        }
        // Not following links: a link is never ours.
        let Ok(meta) = entry.path().symlink_metadata() else {
            continue;
        };
        if !meta.is_file() || !owned(&meta) {
            continue;
        }
        let old = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn owned(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == rustix::process::geteuid().as_raw()
}

#[cfg(not(unix))]
fn owned(_: &std::fs::Metadata) -> bool {
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_and_leaves_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        replace(&path, |w| w.write_all(b"new")).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn a_failed_fill_leaves_the_old_file_and_nothing_beside() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let r = replace(&path, |w| {
            w.write_all(b"half")?;
            Err(io::Error::other("stopped"))
        });
        assert!(r.is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn copying_into_a_named_file_keeps_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"content").unwrap();
        // Not linkable into another file system's directory, or linked:
        // either way a named file with the content.
        let name = link(&mut file, dir.path()).unwrap();
        assert!(
            name.file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with(PREFIX)
        );
        assert_eq!(std::fs::read_to_string(&name).unwrap(), "content");
    }
}
