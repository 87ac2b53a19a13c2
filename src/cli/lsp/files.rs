//! Where the language server's files come from and how editors name them:
//! `file://` URIs to paths and back, the editor's open buffers over the
//! disk, and read-only copies of the embedded data sets that "go to
//! definition" can open.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use lode::loader::{FsLoader, LoadError, Loaded, Loader, normalize, parent_dir};
use lsp_types::Uri;

/// The path of a `file://` URI.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // `file:///p` or `file://localhost/p`; no other host is local.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let mut bytes = Vec::with_capacity(path.len());
    let raw = path.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        if raw[i] == b'%' {
            let hex = std::str::from_utf8(raw.get(i + 1..i + 3)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            bytes.push(raw[i]);
            i += 1;
        }
    }
    Some(PathBuf::from(String::from_utf8(bytes).ok()?))
}

/// The `file://` URI of an absolute path.
pub fn to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_str()?;
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

/// A path for a buffer that is not a file (`untitled:Untitled-1`): under a
/// directory that does not exist, so its `use` paths resolve to nothing.
pub fn untitled_path(uri: &Uri) -> PathBuf {
    let name: String = uri
        .as_str()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    PathBuf::from(format!("/nonexistent-lode-buffers/{name}.lode"))
}

/// The key a path has among open buffers: its canonical form when it exists.
pub fn key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalize(path))
}

/// The disk, with the editor's open buffers in front of it: a program and
/// the files it uses are read as the editor holds them, saved or not.
/// `use` stays inside the program's directory, as for `lode check FILE`.
pub struct Buffers<'a> {
    pub open: &'a HashMap<PathBuf, &'a str>,
    pub fs: FsLoader,
}

impl Loader for Buffers<'_> {
    fn main(&self, path: &Path) -> Result<Loaded, LoadError> {
        let key = key(path);
        match self.open.get(&key) {
            Some(text) => Ok(Loaded {
                key,
                name: path.display().to_string(),
                bytes: text.as_bytes().to_vec(),
                path: Some(path.to_path_buf()),
            }),
            None => self.fs.main(path),
        }
    }

    fn resolve(&self, written: &str, from: Option<&Path>) -> Result<Loaded, LoadError> {
        match self.fs.resolve(written, from) {
            Ok(mut loaded) => {
                if let Some(text) = self.open.get(&loaded.key) {
                    loaded.bytes = text.as_bytes().to_vec();
                }
                Ok(loaded)
            }
            // A new buffer, not saved yet.
            Err(LoadError::Missing { dir }) => {
                let wanted = normalize(&from.map(parent_dir).unwrap_or_default().join(written));
                match self.open.get(&wanted) {
                    Some(text) => Ok(Loaded {
                        key: wanted.clone(),
                        name: written.to_string(),
                        bytes: text.as_bytes().to_vec(),
                        path: Some(wanted),
                    }),
                    None => Err(LoadError::Missing { dir }),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// FNV-1a: a hash of a data set's text that stays the same from one build
/// to the next, to name its copy on disk.
fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Where read-only copies of the embedded data sets go:
/// `$LODE_CACHE_DIR`, else `<the user's cache directory>/lode`, else the
/// temporary directory.
pub fn cache_dir() -> PathBuf {
    std::env::var_os("LODE_CACHE_DIR")
        .map(PathBuf::from)
        .or_else(|| dirs::cache_dir().map(|d| d.join("lode")))
        .unwrap_or_else(|| std::env::temp_dir().join("lode"))
}

/// A read-only copy of the embedded data set `name` on disk, written once
/// per content: `<base>/data-<hash>/<name>.lode`. Editors open it like any
/// file; the server treats it as the data set it copies.
pub fn dataset_copy(name: &str, base: &Path) -> Option<PathBuf> {
    let text = lode::data::dataset(name)?;
    let dir = base.join(format!("data-{:016x}", fnv(text)));
    let path = dir.join(format!("{name}.lode"));
    if std::fs::read_to_string(&path).is_ok_and(|t| t == text) {
        return Some(path);
    }
    std::fs::create_dir_all(&dir).ok()?;
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, text).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o444));
    }
    std::fs::rename(&tmp, &path).ok()?;
    Some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip() {
        let p = Path::new("/home/a b/é/x.lode");
        let uri = to_uri(p).unwrap();
        assert_eq!(uri.as_str(), "file:///home/a%20b/%C3%A9/x.lode");
        assert_eq!(to_path(&uri).unwrap(), p);
        let local = Uri::from_str("file://localhost/tmp/x.lode").unwrap();
        assert_eq!(to_path(&local).unwrap(), Path::new("/tmp/x.lode"));
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(to_path(&untitled), None);
    }
}
