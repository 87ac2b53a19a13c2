//! One diagnostic type for every user-facing error and warning.
//!
//! A [`Diag`] is plain data: a stable [`Code`], a message, labelled spans and
//! an optional help line. It knows nothing about terminals; [`render`] turns
//! it into miette's graphical report with the sources attached once, at the
//! boundary. A broken invariant inside lode is not a `Diag`: it is a panic
//! that says "internal error".

use std::fmt;
use std::ops::Range;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity};

use crate::source::{SourceFile, SourceMap, Span};

macro_rules! codes {
    ($($variant:ident = $code:literal, $title:literal;)*) => {
        /// Stable diagnostic codes. The README's table lists each with an example.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $($variant),* }

        impl Code {
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// `lode::E0201`
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => concat!("lode::", $code)),* }
            }

            /// A short title for documentation and `--explain`-style listings.
            pub fn title(self) -> &'static str {
                match self { $(Code::$variant => $title),* }
            }
        }
    };
}

codes! {
    Syntax = "E0101", "syntax error";
    FileTooLarge = "E0102", "file larger than 16 MiB";
    NotText = "E0103", "input is not UTF-8 text";
    TooDeep = "E0104", "nesting deeper than 64";
    BadNumber = "E0105", "number not finite or too long";
    TooMany = "E0106", "a resource limit was exceeded";
    UnknownActor = "E0201", "unknown actor, group or coalition";
    UnknownMineral = "E0202", "unknown mineral";
    UnknownStage = "E0203", "unknown stage";
    UnknownVariable = "E0204", "unknown variable";
    UnknownScenario = "E0205", "unknown scenario";
    UnknownMetric = "E0206", "unknown metric";
    Redefinition = "E0207", "name defined twice";
    AmbiguousStage = "E0208", "bare stage name belongs to several minerals";
    UnknownDataset = "E0209", "unknown data set";
    NotACoalition = "E0210", "name is not a coalition";
    SharesOver = "E0301", "shares add up to more than 100%";
    RowNotFull = "E0302", "share list with ROW does not add up to 100%";
    DuplicateShare = "E0303", "actor listed twice in one share list";
    UnitMismatch = "E0401", "units do not agree";
    OutOfRange = "E0402", "value out of range";
    WrongUnit = "E0403", "value of the wrong kind";
    NeedsVolume = "E0404", "mass stockpile on a mineral without volume";
    DivisionByZero = "E0405", "division by zero";
    NeedsSamples = "E0406", "a statistic over samples in a run without samples";
    GroupCycle = "E0501", "group contains itself";
    UseCycle = "E0502", "files use each other in a cycle";
    ExtendsCycle = "E0503", "scenarios extend each other in a cycle";
    CoalitionChoice = "E0504", "coalition_first needs one coalition";
    ToleranceOp = "E0505", "tolerance on a comparison other than ==";
    NotHere = "E0506", "statement not allowed here";
    MineralShape = "E0507", "malformed mineral block";
    BanBy = "E0508", "`bans` takes no `by`";
    OutsideRoot = "E0601", "path leaves the project root";
    CannotRead = "E0602", "cannot read file";
    OutputIsSource = "E0603", "output would replace a source file";
    ImportColumn = "E0701", "trade table lacks a column";
    ImportNoRows = "E0702", "trade table has no import row for that year or code";
    ImportNumber = "E0703", "trade table number not readable";
    ImportShape = "E0704", "trade table malformed or ambiguous";
    ImportOption = "E0705", "import option not usable";
    BadDate = "E0801", "not a date";
    DateOrder = "E0802", "`until` not after `from`, or a date given twice";
    UnknownRestriction = "E0803", "unknown restriction name";
    CoversMismatch = "W0301", "coalition demand claim differs from the data";
    SourcingCapped = "W0302", "sourcing flow capped at the exporter's surplus";
    SelfRestriction = "W0303", "actor restricts itself";
    EmptyTarget = "W0304", "restriction reaches no one, or no flow";
    CoversSupplies = "W0305", "a coalition's claim supplies demand the data lack";
    IdleDisruption = "W0306", "disruption of an actor with no output there";
    SharesScaled = "W0307", "sampled shares over 100% scaled down";
    ImportUnmapped = "W0701", "trade code maps to no country";
    ImportMissing = "W0702", "trade rows without the measure left out";
    LiftsNothing = "W0801", "a lift suspends no restriction";
}

impl Code {
    pub fn is_warning(self) -> bool {
        self.as_str().as_bytes().get(6) == Some(&b'W')
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    pub span: Span,
    pub text: Option<String>,
}

/// An error or warning about the user's input.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct Diag {
    pub code: Code,
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    pub help: Option<String>,
    /// What the diagnostic is about beyond its place (the mineral, the
    /// actors, the figures), as ids: with the code and the primary span, it
    /// says when two diagnostics are the same one (see [`Diag::identity`]).
    pub about: Box<[u64]>,
}

/// What makes two diagnostics the same one: raised again in another
/// scenario, it is the same warning.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identity {
    code: Code,
    span: Option<Span>,
    about: Box<[u64]>,
    /// Only for diagnostics with neither a place nor ids.
    message: Option<String>,
}

impl Diag {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diag {
            code,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            about: Box::default(),
        }
    }

    /// Says what the diagnostic is about (see [`Diag::identity`]).
    pub fn about(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        let mut all = self.about.into_vec();
        all.extend(ids);
        self.about = all.into_boxed_slice();
        self
    }

    /// The code, the primary span and [`Diag::about`]; the message only
    /// when there is nothing else to tell diagnostics apart.
    pub fn identity(&self) -> Identity {
        let span = self.primary_span();
        Identity {
            code: self.code,
            span,
            about: self.about.clone(),
            message: (span.is_none() && self.about.is_empty()).then(|| self.message.clone()),
        }
    }

    /// A diagnostic with a primary label.
    pub fn at(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diag::new(code, message).label(span, None::<String>)
    }

    pub fn label(mut self, span: Span, text: impl Into<Option<String>>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    pub fn with_label(self, span: Span, text: impl Into<String>) -> Self {
        self.label(span, Some(text.into()))
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn is_warning(&self) -> bool {
        self.code.is_warning()
    }

    pub fn primary_span(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

thread_local! {
    /// Name comparisons [`suggest`] may still make on this thread.
    static SUGGESTIONS_LEFT: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
}

/// Limits the work of later [`suggest`] calls on this thread to about
/// `comparisons` name comparisons; past it, no "did you mean". The checker
/// sets it per program, so a file with a million misspelt names against
/// ten thousand declared ones cannot take hours.
pub fn limit_suggestions(comparisons: usize) {
    SUGGESTIONS_LEFT.with(|left| left.set(comparisons));
}

/// "did you mean" from a set of names: the closest by edit distance ≤ 2,
/// letter case ignored, so `jp` finds `JP` and `USA` finds the alias `usa`.
/// A name that differs only in case is always preferred; among equally close
/// names, the one closer in case, then the first in alphabetical order. A
/// name is never "close" to one that shares no letter with it in place: a
/// two-letter code is two edits from every other, and `jp` is not `AD`.
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    // (distance ignoring case, distance with case, candidate)
    let mut best: Option<(usize, usize, &str)> = None;
    let len = name.chars().count();
    let folded = name.to_lowercase();
    for cand in candidates {
        if cand == name {
            continue;
        }
        let spent = SUGGESTIONS_LEFT.with(|left| {
            let n = left.get();
            left.set(n.saturating_sub(1));
            n == 0
        });
        if spent {
            return None;
        }
        // The distance is at least the difference in length: skip the
        // quadratic comparison (a name may be megabytes long).
        if cand.chars().count().abs_diff(len) > 2 {
            continue;
        }
        let d = strsim::damerau_levenshtein(&folded, &cand.to_lowercase());
        if d > 2 || d >= len {
            continue;
        }
        let exact = strsim::damerau_levenshtein(name, cand);
        if best.is_none_or(|b| (d, exact, cand) < b) {
            best = Some((d, exact, cand));
        }
    }
    best.map(|(_, _, c)| c.to_string())
}

/// How rendered diagnostics look.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
    pub width: usize,
}

impl Style {
    /// Pinned for snapshots: unicode, no colour, 100 columns.
    pub fn plain() -> Self {
        Style {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

#[derive(Debug)]
struct Rendered {
    code: &'static str,
    message: String,
    severity: Severity,
    help: Option<String>,
    source: Option<NamedSource<Excerpt>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(
                self.related.iter().map(|r| r as &dyn miette::Diagnostic),
            ))
        }
    }
}

/// A span's start and end in `text`, inside it and on character boundaries.
fn clamp(span: Span, text: &str) -> (usize, usize) {
    let start = floor_boundary(text, span.start);
    let end = floor_boundary(text, span.end.max(start));
    (start, end)
}

/// The longest line shown whole, in characters. A longer one (a generated
/// file, a pasted blob) is cut to a window around each label, with `…`
/// where text is left out: a snippet stays readable, and miette, which pads
/// with the column as a format width (capped at `u16::MAX`), never sees a
/// long line.
const LONG_LINE: usize = 120;
/// Characters kept before a label and after it on a cut line.
const AROUND: usize = 30;
/// Characters kept of a long label on a cut line: its start and its end.
const LABEL_HEAD: usize = 40;
const LABEL_TAIL: usize = 16;
/// A part of a line shorter than this is shown rather than cut.
const MIN_CUT: usize = 8;
/// Lines kept around each label; miette shows one of them on each side.
const CONTEXT_LINES: usize = 2;
const ELLIPSIS: &str = "…";

/// The part of a source a diagnostic shows: the lines around its labels,
/// long lines cut, every line ending in `\n`. Lines are split where lode
/// splits them (`\n`, `\r\n` or a lone `\r`, [`SourceFile::line_starts`]);
/// miette, which reads a lone `\r` as part of a line when it draws one but
/// as a line end when it counts lines, never sees a `\r`.
///
/// Offsets in an excerpt are its own: [`Excerpt::map`] turns a source
/// offset into one. Chunks (runs of adjacent lines) are one offset apart,
/// so no span miette reads runs from one into the next: labels far apart
/// are drawn as separate snippets, never with every line between them.
#[derive(Debug)]
struct Excerpt {
    chunks: Vec<Chunk>,
}

#[derive(Debug)]
struct Chunk {
    /// Where the chunk starts in the excerpt's offsets.
    base: usize,
    /// 0-based number of its first line in the source.
    first_line: usize,
    text: String,
    lines: Vec<ShownLine>,
}

/// One source line as shown.
#[derive(Debug)]
struct ShownLine {
    /// Source offset where the line starts.
    start: usize,
    /// Chunk offset where it is shown.
    shown_at: usize,
    /// Source byte ranges kept, in order, each with the chunk offset where
    /// it is shown. An ellipsis stands between two of them, and before the
    /// first or after the last when the line is cut there.
    pieces: Vec<(Range<usize>, usize)>,
    /// The line is cut after its last piece.
    cut_end: bool,
}

/// The character boundary at or before `at` (at most `text.len()`).
fn floor_boundary(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `n` characters before `at` (a character boundary), or the start.
fn chars_back(text: &str, at: usize, n: usize) -> usize {
    text.get(..at)
        .and_then(|t| t.char_indices().rev().take(n).last())
        .map_or(at, |(i, _)| i)
}

/// `n` characters after `at` (a character boundary), or the end.
fn chars_forward(text: &str, at: usize, n: usize) -> usize {
    text.get(at..)
        .and_then(|t| t.char_indices().nth(n))
        .map_or(text.len(), |(i, _)| at + i)
}

impl Excerpt {
    /// The lines of `file` around `spans` (source offsets, start and end).
    fn of(file: &SourceFile, spans: &[(usize, usize)]) -> Self {
        let last_line = file.line_starts().len() - 1;
        let mut ranges: Vec<(usize, usize)> = spans
            .iter()
            .map(|&(s, e)| {
                let first = file.line_at(s).0 - 1;
                let last = file.line_at(e).0 - 1;
                (
                    first.saturating_sub(CONTEXT_LINES),
                    (last + CONTEXT_LINES).min(last_line),
                )
            })
            .collect();
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (a, b) in ranges {
            match merged.last_mut() {
                Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
                _ => merged.push((a, b)),
            }
        }
        let mut chunks = Vec::with_capacity(merged.len());
        let mut base = 0;
        for (first, last) in merged {
            let chunk = Chunk::of(file, first..=last, spans, base);
            base += chunk.text.len() + 1;
            chunks.push(chunk);
        }
        Excerpt { chunks }
    }

    /// The excerpt offset that shows source offset `at`. An offset in a
    /// part left out is shown at the ellipsis standing for it: before it
    /// for a span's start, after it for a span's end.
    fn map(&self, file: &SourceFile, at: usize, is_end: bool) -> usize {
        let line = file.line_at(at).0 - 1;
        let Some(chunk) = self
            .chunks
            .iter()
            .find(|c| (c.first_line..c.first_line + c.lines.len()).contains(&line))
        else {
            return 0;
        };
        let shown = &chunk.lines[line - chunk.first_line];
        let mut after = shown.shown_at;
        for (range, offset) in &shown.pieces {
            if at < range.start {
                let gap = if is_end {
                    *offset
                } else {
                    offset - ELLIPSIS.len()
                };
                return chunk.base + gap;
            }
            if at <= range.end {
                return chunk.base + offset + (at - range.start);
            }
            after = offset + range.len();
        }
        // Past the last piece: in the part cut off, or in the line end.
        if shown.cut_end && is_end {
            after += ELLIPSIS.len();
        }
        chunk.base + after
    }
}

impl Chunk {
    fn of(
        file: &SourceFile,
        lines: std::ops::RangeInclusive<usize>,
        spans: &[(usize, usize)],
        base: usize,
    ) -> Self {
        let starts = file.line_starts();
        let first_line = *lines.start();
        let mut text = String::new();
        let mut shown_lines = Vec::new();
        for line in lines {
            let (_, range) = file.line_at(starts[line] as usize);
            let next = if line + 1 < starts.len() {
                starts[line + 1] as usize
            } else {
                file.text.len() + 1
            };
            // A `\r\n` line's range holds the `\r`.
            let content = file.text.get(range.clone()).unwrap_or("");
            let content = content.strip_suffix('\r').unwrap_or(content);
            let kept = keep(content, range.start, next, spans);
            let shown_at = text.len();
            let mut pieces = Vec::with_capacity(kept.len());
            for (i, &(a, b)) in kept.iter().enumerate() {
                if i > 0 || a > 0 {
                    text.push_str(ELLIPSIS);
                }
                pieces.push((range.start + a..range.start + b, text.len()));
                text.push_str(content.get(a..b).unwrap_or(""));
            }
            let cut_end = kept.last().is_some_and(|&(_, b)| b < content.len());
            if cut_end {
                text.push_str(ELLIPSIS);
            }
            if line + 1 < starts.len() {
                text.push('\n');
            }
            shown_lines.push(ShownLine {
                start: range.start,
                shown_at,
                pieces,
                cut_end,
            });
        }
        Chunk {
            base,
            first_line,
            text,
            lines: shown_lines,
        }
    }

    /// The source byte column of chunk offset `at`, for miette's
    /// `line:column`.
    fn column(&self, at: usize) -> usize {
        let i = self.lines.partition_point(|l| l.shown_at <= at);
        let Some(line) = self.lines.get(i.saturating_sub(1)) else {
            return 0;
        };
        let source = line
            .pieces
            .iter()
            .find(|(range, offset)| at <= offset + range.len())
            .map_or(line.start, |(range, offset)| {
                range.start + at.saturating_sub(*offset)
            });
        source - line.start
    }
}

/// The byte ranges of one line to show. `content` is the line without its
/// end; it starts at source offset `start`, and the next line at `next`.
/// A short line is shown whole; a long one as a window around each span
/// start and end on it, or as its beginning when there is none.
fn keep(content: &str, start: usize, next: usize, spans: &[(usize, usize)]) -> Vec<(usize, usize)> {
    if content.len() <= LONG_LINE || content.chars().nth(LONG_LINE).is_none() {
        return vec![(0, content.len())];
    }
    let here = |at: usize| (start..next).contains(&at);
    let local = |at: usize| floor_boundary(content, at.saturating_sub(start));
    let before = |at: usize, n: usize| chars_back(content, at, n);
    let after = |at: usize, n: usize| chars_forward(content, at, n);
    let mut windows: Vec<(usize, usize)> = Vec::new();
    for &(s, e) in spans {
        let (ls, le) = (local(s), local(e));
        let short = content
            .get(ls..le)
            .is_some_and(|l| l.chars().nth(LABEL_HEAD + LABEL_TAIL).is_none());
        if here(s) && here(e) && short {
            windows.push((before(ls, AROUND), after(le, AROUND)));
            continue;
        }
        if here(s) {
            windows.push((before(ls, AROUND), after(ls, LABEL_HEAD)));
        }
        if here(e) {
            windows.push((before(le, LABEL_TAIL), after(le, AROUND)));
        }
    }
    if windows.is_empty() {
        windows.push((0, after(0, LONG_LINE - AROUND)));
    }
    windows.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in windows {
        match merged.last_mut() {
            Some(last) if a <= after(last.1, MIN_CUT) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    if let Some(first) = merged.first_mut() {
        if first.0 <= after(0, MIN_CUT) {
            first.0 = 0;
        }
    }
    if let Some(last) = merged.last_mut() {
        if after(last.1, MIN_CUT) == content.len() {
            last.1 = content.len();
        }
    }
    merged
}

impl miette::SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let end = span.offset() + span.len();
        let chunk = self
            .chunks
            .iter()
            .find(|c| c.base <= span.offset() && end <= c.base + c.text.len())
            .ok_or(miette::MietteError::OutOfBounds)?;
        let local = miette::SourceSpan::new((span.offset() - chunk.base).into(), span.len());
        let inner = chunk.text.as_bytes().read_span(&local, before, after)?;
        // miette gives a column only without context lines: the byte column
        // in the source, not in the cut line.
        let column = if before == 0 {
            chunk.column(local.offset())
        } else {
            inner.column()
        };
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new(
                (inner.span().offset() + chunk.base).into(),
                inner.span().len(),
            ),
            inner.line() + chunk.first_line,
            column,
            inner.line_count() + chunk.first_line,
        )))
    }
}

/// Builds the miette view: labels in the primary label's source stay on the
/// diagnostic; labels in other sources become related notes with their own
/// snippet.
fn build(diag: &Diag, sources: &SourceMap) -> Rendered {
    let severity = if diag.is_warning() {
        Severity::Warning
    } else {
        Severity::Error
    };
    let primary = diag.labels.first().map(|l| l.span.source);
    let primary_file = primary.and_then(|id| sources.get(id));
    let in_primary: Vec<(usize, usize)> = match primary_file {
        Some(file) => diag
            .labels
            .iter()
            .filter(|l| Some(l.span.source) == primary)
            .map(|l| clamp(l.span, &file.text))
            .collect(),
        None => Vec::new(),
    };
    let excerpt = primary_file.map(|f| Excerpt::of(f, &in_primary));
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for (i, label) in diag.labels.iter().enumerate() {
        let Some(file) = sources.get(label.span.source) else {
            continue;
        };
        let (start, end) = clamp(label.span, &file.text);
        let shown = |x: &Excerpt| {
            let a = x.map(file, start, false);
            let b = x.map(file, end, true).max(a);
            (a, b - a)
        };
        match (&excerpt, Some(label.span.source) == primary) {
            (Some(x), true) => {
                let at = shown(x);
                labels.push(if i == 0 {
                    LabeledSpan::new_primary_with_span(label.text.clone(), at)
                } else {
                    LabeledSpan::new_with_span(label.text.clone(), at)
                });
            }
            _ => {
                let x = Excerpt::of(file, &[(start, end)]);
                let at = shown(&x);
                related.push(Rendered {
                    code: diag.code.as_str(),
                    message: label
                        .text
                        .clone()
                        .unwrap_or_else(|| "related location".into()),
                    severity: Severity::Advice,
                    help: None,
                    source: Some(NamedSource::new(&file.name, x)),
                    labels: vec![LabeledSpan::new_with_span(None, at)],
                    related: Vec::new(),
                });
            }
        }
    }
    let source = primary_file
        .zip(excerpt)
        .map(|(f, x)| NamedSource::new(&f.name, x));
    Rendered {
        code: diag.code.as_str(),
        message: diag.message.clone(),
        severity,
        help: diag.help.clone(),
        source,
        labels,
        related,
    }
}

/// Renders one diagnostic as text, the way the CLI prints it.
pub fn render(diag: &Diag, sources: &SourceMap, style: Style) -> String {
    let theme = match (style.unicode, style.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    let rendered = build(diag, sources);
    if handler.render_report(&mut out, &rendered).is_err() {
        out = format!("{}: {}\n", diag.code, diag.message);
    }
    out
}

/// The most repeats of one diagnostic listed under it; the rest are counted.
pub const MAX_ALSO: usize = 5;

/// Renders many diagnostics, grouping repeats: the first of each code and
/// place, or of each code and message, in full; under it, its repeats one
/// line each, at most [`MAX_ALSO`] of them, then how many more. One
/// `covers` claim can be off for a dozen minerals, and one restriction
/// copied sixty times reaches no one sixty times.
pub fn render_grouped<'a>(
    diags: impl IntoIterator<Item = &'a Diag>,
    sources: &SourceMap,
    style: Style,
) -> String {
    use std::collections::HashMap;
    // Each group: its first diagnostic and its repeats, in order.
    let mut groups: Vec<(&Diag, Vec<&Diag>)> = Vec::new();
    let mut by_place: HashMap<(Code, Option<Span>), usize> = HashMap::new();
    let mut by_message: HashMap<(Code, &str), usize> = HashMap::new();
    for d in diags {
        let place = (d.code, d.primary_span());
        let message = (d.code, d.message.as_str());
        match by_place.get(&place).or_else(|| by_message.get(&message)) {
            Some(&g) => groups[g].1.push(d),
            None => {
                by_place.insert(place, groups.len());
                by_message.insert(message, groups.len());
                groups.push((d, Vec::new()));
            }
        }
    }
    let mut out = String::new();
    for (first, repeats) in groups {
        out.push_str(&render(first, sources, style));
        let mark = if first.is_warning() { "⚠" } else { "×" };
        for d in repeats.iter().take(MAX_ALSO) {
            let line = if d.message == first.message {
                format!("also at {}", location(d, sources))
            } else {
                format!("also: {}", d.message)
            };
            out.push_str(&format!("  {mark} {line}\n"));
        }
        if repeats.len() > MAX_ALSO {
            out.push_str(&format!(
                "  {mark} and {} more like it\n",
                repeats.len() - MAX_ALSO
            ));
        }
    }
    out
}

/// `file:line:column` of a diagnostic's primary label (byte column, as in
/// the snippet headers), or `another place` without one.
fn location(d: &Diag, sources: &SourceMap) -> String {
    let Some(span) = d.primary_span() else {
        return "another place".into();
    };
    let Some(file) = sources.get(span.source) else {
        return "another place".into();
    };
    let (line, range) = file.line_at(span.start);
    let column = span.start.saturating_sub(range.start) + 1;
    format!("{}:{line}:{column}", file.name)
}

/// Renders many diagnostics, errors and warnings in the order given.
pub fn render_all(diags: &[Diag], sources: &SourceMap, style: Style) -> String {
    diags.iter().map(|d| render(d, sources, style)).collect()
}
