//! Diagnostics shown once across the files of one `lode check` or `lode
//! test`: a mistake in a file that ten others `use` is reported by each of
//! the ten, and shown once. Two diagnostics are the same when they have the
//! same code and message at the same place of the same file on disk (each
//! file's own source map names it, so the place is compared by path).

use std::collections::HashSet;
use std::path::PathBuf;

use lode::diagnostic::{Code, Diag};
use lode::source::SourceMap;

/// Where a diagnostic points: the file (its canonical path, or its name
/// when it has no path), and the byte range.
type Place = Option<(PathBuf, usize, usize)>;

/// The diagnostics already shown.
#[derive(Default)]
pub struct Seen {
    shown: HashSet<(Code, String, Place)>,
}

impl Seen {
    /// Those of `diags` not shown yet (and from now on, shown).
    pub fn fresh<'a>(&mut self, diags: &'a [Diag], sources: &SourceMap) -> Vec<&'a Diag> {
        diags
            .iter()
            .filter(|d| {
                let place = d.primary_span().and_then(|span| {
                    let file = sources.get(span.source)?;
                    let key = match &file.path {
                        Some(p) => std::fs::canonicalize(p).unwrap_or_else(|_| p.clone()),
                        None => PathBuf::from(&file.name),
                    };
                    Some((key, span.start, span.end))
                });
                self.shown.insert((d.code, d.message.clone(), place))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lode::source::Span;

    #[test]
    fn the_same_place_of_the_same_file_is_shown_once() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data.lode");
        std::fs::write(&data, "mineral ore {}\n").unwrap();
        // Two programs that use data.lode, each with its own source map in
        // which data.lode has another id and another name.
        let mut a = SourceMap::new();
        a.add("a.lode", "use \"data.lode\"\n", None);
        let in_a = a.add("data.lode", "mineral ore {}\n", Some(data.clone()));
        let mut b = SourceMap::new();
        b.add("sub/b.lode", "let x = 1\nuse \"../data.lode\"\n", None);
        b.add("sub/other.lode", "\n", None);
        let in_b = b.add("../data.lode", "mineral ore {}\n", Some(data));
        let diag = |span: Span| Diag::at(Code::MineralShape, span, "empty");
        let mut seen = Seen::default();
        let first = [diag(Span::new(in_a, 0, 7))];
        assert_eq!(seen.fresh(&first, &a).len(), 1);
        let again = [diag(Span::new(in_b, 0, 7)), diag(Span::new(in_b, 8, 11))];
        let fresh = seen.fresh(&again, &b);
        assert_eq!(fresh.len(), 1, "only the other place is new");
        assert_eq!(fresh[0].primary_span().map(|s| s.start), Some(8));
    }
}
