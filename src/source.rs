//! Named sources and owned spans.
//!
//! Every piece of text lode reads (a file, the embedded data set, a REPL line,
//! `-e TEXT`) becomes a [`SourceFile`] in a [`SourceMap`]; a [`Span`] is a byte
//! range plus the id of its source, so diagnostics can point into any of them
//! long after parsing.

use std::path::PathBuf;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SourceId(pub u32);

/// A byte range in one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub source: SourceId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(source: SourceId, start: usize, end: usize) -> Self {
        Span { source, start, end }
    }

    /// The smallest span covering both (same source assumed).
    pub fn to(self, other: Span) -> Span {
        Span {
            source: self.source,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(&self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A value with the span it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(node: T, span: Span) -> Self {
        Spanned { node, span }
    }
}

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// What diagnostics call it: a path as the user wrote it, `world2024`, `<repl:3>`.
    pub name: String,
    pub text: Arc<str>,
    /// The canonical path on disk, for files.
    pub path: Option<PathBuf>,
    /// Byte offset of each line's start, built on first use by
    /// [`SourceMap::line`] (one scan per file, not one per lookup).
    line_starts: std::sync::OnceLock<Arc<[u32]>>,
}

impl SourceFile {
    /// Byte offset of each line's start. Lines end at `\n`, `\r\n` or a
    /// lone `\r`, as in the grammar and in miette.
    pub fn line_starts(&self) -> Arc<[u32]> {
        self.line_starts
            .get_or_init(|| {
                let bytes = self.text.as_bytes();
                let mut starts = vec![0u32];
                for (i, &b) in bytes.iter().enumerate() {
                    let lone_cr = b == b'\r' && bytes.get(i + 1) != Some(&b'\n');
                    if b == b'\n' || lone_cr {
                        // Files are at most 16 MiB, so offsets fit in u32.
                        starts.push(i as u32 + 1);
                    }
                }
                starts.into()
            })
            .clone()
    }

    /// The 1-based line holding byte `offset`, and that line's byte range
    /// (without its newline). One scan of the text on first use, then a
    /// binary search: diagnostics and expectations ask this many times.
    pub fn line_at(&self, offset: usize) -> (usize, std::ops::Range<usize>) {
        let starts = self.line_starts();
        // Files are at most 16 MiB, so offsets fit in u32.
        let at = offset.min(self.text.len()) as u32;
        let line = starts.partition_point(|&s| s <= at);
        let start = starts.get(line.wrapping_sub(1)).map_or(0, |&s| s as usize);
        let end = starts
            .get(line)
            .map_or(self.text.len(), |&next| next as usize - 1);
        (line, start..end)
    }
}

/// All the sources of one run or session.
#[derive(Debug, Clone, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn add(
        &mut self,
        name: impl Into<String>,
        text: impl Into<Arc<str>>,
        path: Option<PathBuf>,
    ) -> SourceId {
        let id = SourceId(self.files.len() as u32);
        self.files.push(SourceFile {
            name: name.into(),
            text: text.into(),
            path,
            line_starts: std::sync::OnceLock::new(),
        });
        id
    }

    pub fn get(&self, id: SourceId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn text(&self, span: Span) -> &str {
        self.get(span.source)
            .and_then(|f| f.text.get(span.start..span.end))
            .unwrap_or("")
    }

    /// 1-based line number of a span's start.
    pub fn line(&self, span: Span) -> usize {
        self.get(span.source)
            .map(|f| f.line_at(span.start).0)
            .unwrap_or(0)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Drops every source added after the first `len` (REPL rollback).
    pub fn truncate(&mut self, len: usize) {
        self.files.truncate(len);
    }
}
