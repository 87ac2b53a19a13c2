//! Diagnostics with their places resolved: file names, byte spans, and
//! 1-based lines and columns. `lode check --format json` prints these, and
//! the language server turns the same records into LSP diagnostics, so the
//! two agree on codes and spans.

use serde::Serialize;

use crate::diagnostic::Diag;
use crate::source::{SourceId, SourceMap, Span};

/// `"error"` or `"warning"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A byte range, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

/// One diagnostic, as `lode check --format json` prints it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Located {
    /// `lode::E0201`
    pub code: String,
    pub severity: Severity,
    pub message: String,
    /// The file of the primary label (as diagnostics name it), or the file
    /// the diagnostic is about when it has no label.
    pub file: Option<String>,
    /// The primary label's byte range.
    pub span: Option<ByteSpan>,
    /// 1-based line of the span's start.
    pub line: Option<usize>,
    /// 1-based column of the span's start, in characters (not bytes).
    pub column: Option<usize>,
    /// Every label, the primary one first.
    pub labels: Vec<LocatedLabel>,
    pub help: Option<String>,
    /// The source of the primary label.
    #[serde(skip)]
    pub source: Option<SourceId>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LocatedLabel {
    pub message: Option<String>,
    pub file: Option<String>,
    pub span: ByteSpan,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub source: SourceId,
}

/// The 1-based line and character column of byte `offset` in `source`.
pub fn line_column(sources: &SourceMap, source: SourceId, offset: usize) -> (usize, usize) {
    let Some(file) = sources.get(source) else {
        return (1, 1);
    };
    let (line, range) = file.line_at(offset);
    let end = offset.clamp(range.start, range.end.max(range.start));
    let column = file
        .text
        .get(range.start..end)
        .map_or(end - range.start, |s| s.chars().count());
    (line.max(1), column + 1)
}

impl Located {
    /// Places `diag` in `sources`; `fallback` names the file when the
    /// diagnostic has no label (a file that cannot be read).
    pub fn of(diag: &Diag, sources: &SourceMap, fallback: Option<&str>) -> Located {
        let name = |id: SourceId| sources.get(id).map(|f| f.name.clone());
        let labels: Vec<LocatedLabel> = diag
            .labels
            .iter()
            .map(|l| {
                let Span { source, start, end } = l.span;
                let (line, column) = line_column(sources, source, start);
                LocatedLabel {
                    message: l.text.clone(),
                    file: name(source),
                    span: ByteSpan { start, end },
                    line,
                    column,
                    source,
                }
            })
            .collect();
        let primary = labels.first();
        Located {
            code: diag.code.as_str().to_string(),
            severity: if diag.is_warning() {
                Severity::Warning
            } else {
                Severity::Error
            },
            message: diag.message.clone(),
            file: primary
                .and_then(|l| l.file.clone())
                .or_else(|| fallback.map(str::to_string)),
            span: primary.map(|l| l.span),
            line: primary.map(|l| l.line),
            column: primary.map(|l| l.column),
            help: diag.help.clone(),
            source: primary.map(|l| l.source),
            labels,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;

    /// Columns count characters: `é` and `日` are one column each, though
    /// they take two and three bytes.
    #[test]
    fn columns_count_characters() {
        let mut sources = SourceMap::new();
        let text = "# é\nlet 日本 = 1 + x";
        let id = sources.add("f.lode", text, None);
        // "# é\n" is 5 bytes; "let 日本 = 1 + " is 4 + 6 + 7 = 17 bytes.
        let at = text.find('x').unwrap();
        assert_eq!(at, 5 + 17);
        let d = Diag::new(Code::UnknownVariable, "unknown variable `x`")
            .with_label(Span::new(id, at, at + 1), "here")
            .help("declare it");
        let l = Located::of(&d, &sources, None);
        // "let 日本 = 1 + " is 4 + 2 + 7 = 13 characters: column 14.
        assert_eq!((l.line, l.column), (Some(2), Some(14)));
        assert_eq!(l.span, Some(ByteSpan { start: 22, end: 23 }));
        assert_eq!(l.file.as_deref(), Some("f.lode"));
        assert_eq!(l.severity, Severity::Error);
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["code"], "lode::E0204");
        assert_eq!(json["labels"][0]["message"], "here");
        assert_eq!(json["help"], "declare it");
        assert!(json.get("source").is_none());
    }

    #[test]
    fn a_diagnostic_without_a_place_names_the_file_it_is_about() {
        let d = Diag::new(Code::CannotRead, "cannot read `x.lode`: no such file");
        let l = Located::of(&d, &SourceMap::new(), Some("x.lode"));
        assert_eq!(l.file.as_deref(), Some("x.lode"));
        assert_eq!((l.span, l.line, l.column), (None, None, None));
    }
}
