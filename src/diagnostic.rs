//! One diagnostic type for every user-facing error and warning.
//!
//! A [`Diag`] is plain data: a stable [`Code`], a message, labelled spans and
//! an optional help line. It knows nothing about terminals; [`render`] turns
//! it into miette's graphical report with the sources attached once, at the
//! boundary. A broken invariant inside lode is not a `Diag`: it is a panic
//! that says "internal error".

use std::fmt;
use std::sync::Arc;

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
    ImportColumn = "E0701", "trade table lacks a column";
    ImportNoRows = "E0702", "trade table has no import row for that year or code";
    ImportNumber = "E0703", "trade table number not readable";
    ImportShape = "E0704", "trade table malformed or ambiguous";
    ImportOption = "E0705", "import option not usable";
    NotSupported = "E0901", "not supported yet";
    CoversMismatch = "W0301", "coalition demand claim differs from the data";
    SourcingCapped = "W0302", "sourcing flow capped at the exporter's surplus";
    SelfRestriction = "W0303", "actor restricts itself";
    EmptyTarget = "W0304", "restriction reaches no one, or no flow";
    ImportUnmapped = "W0701", "trade code maps to no country";
    ImportMissing = "W0702", "trade rows without the measure left out";
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
    source: Option<NamedSource<Windowed>>,
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

fn clamp(span: Span, len: usize) -> (usize, usize) {
    let start = span.start.min(len);
    let end = span.end.clamp(start, len);
    (start, end - start)
}

/// The longest line shown as a snippet. miette pads with the column as a
/// format width, which Rust caps at `u16::MAX`, so a label far into a very
/// long line (a generated file, a pasted blob) would panic; such a label is
/// shown as `file:line:column` instead.
const MAX_SNIPPET_LINE: usize = 10_000;

/// `Some((line, column))`, 1-based, when the span starts or ends on a line
/// longer than [`MAX_SNIPPET_LINE`] bytes.
fn far_out(file: &SourceFile, start: usize, end: usize) -> Option<(usize, usize)> {
    let (line, range) = file.line_at(start);
    if range.len() <= MAX_SNIPPET_LINE && file.line_at(end).1.len() <= MAX_SNIPPET_LINE {
        return None;
    }
    let before = file
        .text
        .get(range.start..start)
        .map_or(start - range.start, |s| s.chars().count());
    Some((line, before + 1))
}

/// A source as miette reads it, but from a few lines before the span rather
/// than from the top: miette finds lines by scanning from the start of the
/// text, which made each diagnostic in a large file cost the whole file.
/// Shared, not copied.
#[derive(Debug)]
struct Windowed {
    text: Arc<str>,
    starts: Arc<[u32]>,
}

impl Windowed {
    fn of(file: &SourceFile) -> Self {
        Windowed {
            text: file.text.clone(),
            starts: file.line_starts(),
        }
    }
}

impl miette::SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        // Start one line earlier than the context needs, at a line start, and
        // let miette read from there; then shift its answer back.
        let line = self
            .starts
            .partition_point(|&s| s as usize <= span.offset())
            .saturating_sub(1);
        let first = line.saturating_sub(before + 1);
        let base = self.starts.get(first).map_or(0, |&s| s as usize);
        let bytes = self.text.as_bytes().get(base..).unwrap_or_default();
        let shifted =
            miette::SourceSpan::new((span.offset().saturating_sub(base)).into(), span.len());
        let inner = bytes.read_span(&shifted, before, after)?;
        Ok(Box::new(miette::MietteSpanContents::new(
            inner.data(),
            miette::SourceSpan::new((inner.span().offset() + base).into(), inner.span().len()),
            inner.line() + first,
            inner.column(),
            inner.line_count() + first,
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
    let mut labels = Vec::new();
    let mut related = Vec::new();
    for (i, label) in diag.labels.iter().enumerate() {
        let Some(file) = sources.get(label.span.source) else {
            continue;
        };
        let (offset, len) = clamp(label.span, file.text.len());
        if let Some((line, col)) = far_out(file, offset, offset + len) {
            related.push(Rendered {
                code: diag.code.as_str(),
                message: format!(
                    "{}:{line}:{col}: {}",
                    file.name,
                    label.text.as_deref().unwrap_or("here")
                ),
                severity: Severity::Advice,
                help: None,
                source: None,
                labels: Vec::new(),
                related: Vec::new(),
            });
            continue;
        }
        let ls = if i == 0 {
            LabeledSpan::new_primary_with_span(label.text.clone(), (offset, len))
        } else {
            LabeledSpan::new_with_span(label.text.clone(), (offset, len))
        };
        if Some(label.span.source) == primary {
            labels.push(ls);
        } else {
            related.push(Rendered {
                code: diag.code.as_str(),
                message: label
                    .text
                    .clone()
                    .unwrap_or_else(|| "related location".into()),
                severity: Severity::Advice,
                help: None,
                source: Some(NamedSource::new(&file.name, Windowed::of(file))),
                labels: vec![LabeledSpan::new_with_span(None, (offset, len))],
                related: Vec::new(),
            });
        }
    }
    let source = primary
        .and_then(|id| sources.get(id))
        // Shared, not copied: a 16 MiB file with many errors must not be
        // copied once per error.
        .map(|f| NamedSource::new(&f.name, Windowed::of(f)));
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

/// Renders many diagnostics, grouping repeats: the first of each code and
/// place in full, the others one line each (one `covers` claim can be off
/// for a dozen minerals).
pub fn render_grouped<'a>(
    diags: impl IntoIterator<Item = &'a Diag>,
    sources: &SourceMap,
    style: Style,
) -> String {
    let mut out = String::new();
    let mut seen = std::collections::HashSet::new();
    for d in diags {
        let kind = (d.code, d.primary_span());
        if !seen.insert(kind) {
            let mark = if d.is_warning() { "⚠" } else { "×" };
            out.push_str(&format!("  {mark} also: {}\n", d.message));
        } else {
            out.push_str(&render(d, sources, style));
        }
    }
    out
}

/// Renders many diagnostics, errors and warnings in the order given.
pub fn render_all(diags: &[Diag], sources: &SourceMap, style: Style) -> String {
    diags.iter().map(|d| render(d, sources, style)).collect()
}
