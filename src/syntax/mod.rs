//! Text to syntax tree. The only module that touches pest.
//!
//! `parse` runs the limit checks, the pest parser and the lowering; a syntax
//! error comes back as one diagnostic naming, in words, what was expected at
//! the first place the text stopped making sense.

mod grammar;
pub mod limits;
mod lower;
mod rules;

use pest::Parser;

use crate::ast::{Program, ReplInput};
use crate::diagnostic::{Code, Diag};
use crate::source::{SourceId, Span};
use grammar::{LodeParser, Rule};

/// Parses a whole program.
pub fn parse(text: &str, source: SourceId) -> Result<Program, Vec<Diag>> {
    limits::check_depth(text, source).map_err(|d| vec![d])?;
    let mut pairs =
        LodeParser::parse(Rule::program, text).map_err(|e| vec![syntax_error(e, text, source)])?;
    let pair = pairs
        .next()
        .unwrap_or_else(|| panic!("internal error: no program pair"));
    let mut lowerer = lower::Lowerer::new(source);
    let program = lowerer.program(pair);
    if lowerer.errors.is_empty() {
        Ok(program)
    } else {
        Err(lowerer.errors)
    }
}

/// Parses one REPL input: statements, or a metric or expression to print.
pub fn parse_repl(text: &str, source: SourceId) -> Result<ReplInput, Vec<Diag>> {
    limits::check_depth(text, source).map_err(|d| vec![d])?;
    let mut pairs = LodeParser::parse(Rule::repl_line, text)
        .map_err(|e| vec![syntax_error(e, text, source)])?;
    let pair = pairs
        .next()
        .unwrap_or_else(|| panic!("internal error: no repl pair"));
    let mut lowerer = lower::Lowerer::new(source);
    let input = lowerer.repl_line(pair);
    if lowerer.errors.is_empty() {
        Ok(input)
    } else {
        Err(lowerer.errors)
    }
}

/// True when `text` fails to parse only because it ended too soon: an open
/// block, parenthesis or string, or a trailing operator. The REPL keeps
/// reading lines while this holds.
pub fn is_incomplete(text: &str) -> bool {
    match LodeParser::parse(Rule::repl_line, text) {
        Ok(_) => false,
        Err(e) => {
            let pos = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            pos >= text.trim_end().len() && open_brackets(text)
                || pos >= text.trim_end().len() && ends_with_operator(text)
        }
    }
}

/// True when a parenthesis or block is still open. A string left open at
/// the end of a line is not: strings cannot span lines, so more input would
/// not complete it.
fn open_brackets(text: &str) -> bool {
    let mut depth: i64 = 0;
    for (_, c) in limits::code_chars(text) {
        match c {
            '(' | '{' => depth += 1,
            ')' | '}' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

fn ends_with_operator(text: &str) -> bool {
    let t = text.trim_end();
    t.ends_with(['+', '-', '*', '/', '=', ',', '<', '>']) && !t.ends_with("+-")
}

fn syntax_error(err: pest::error::Error<Rule>, text: &str, source: SourceId) -> Diag {
    use pest::error::{ErrorVariant, InputLocation};
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let found = describe_found(text, pos);
    let end = (pos + found.1).min(text.len());
    let span = Span::new(source, pos, end.max(pos));
    let expected: Vec<&str> = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let mut words: Vec<&str> = positives
                .iter()
                .filter_map(|r| rules::describe(*r))
                .collect();
            words.sort_unstable();
            words.dedup();
            words
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if found.1 == 0 && pos >= text.trim_end().len() {
        if let Some(open) = unclosed_brace(text) {
            return Diag::new(Code::Syntax, "this block is not closed")
                .with_label(Span::new(source, open, open + 1), "opened here")
                .help("add `}` at the end of the block");
        }
    }
    let message = if expected.is_empty() {
        format!("unexpected {}", found.0)
    } else if expected.len() > 6 {
        format!("expected a statement, found {}", found.0)
    } else {
        format!("expected {}, found {}", join_or(&expected), found.0)
    };
    let label = if expected.len() > 6 {
        "not understood here".to_string()
    } else {
        label_for(&expected)
    };
    let mut diag = Diag::new(Code::Syntax, message).with_label(span, label);
    if let Some(help) = hint(text, pos, &expected) {
        diag = diag.help(help);
    }
    diag
}

/// The byte offset of the last `{` left open, outside strings and comments.
fn unclosed_brace(text: &str) -> Option<usize> {
    let mut open: Vec<usize> = Vec::new();
    for (i, c) in limits::code_chars(text) {
        match c {
            '{' => open.push(i),
            '}' => {
                open.pop();
            }
            _ => {}
        }
    }
    open.pop()
}

fn label_for(expected: &[&str]) -> String {
    match expected {
        [] => "not understood here".into(),
        [one] => format!("expected {one} here"),
        _ => "not understood here".into(),
    }
}

fn join_or(words: &[&str]) -> String {
    match words {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}

/// What is at `pos`, in words, and how many bytes to underline.
fn describe_found(text: &str, pos: usize) -> (String, usize) {
    let rest = text.get(pos..).unwrap_or("");
    let Some(c) = rest.chars().next() else {
        return ("end of input".into(), 0);
    };
    if c == '\n' || c == '\r' {
        return ("end of line".into(), 1);
    }
    if c.is_alphanumeric() || c == '_' {
        let word: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        let word = word.trim_end_matches('.').to_string();
        let len = word.len();
        return (format!("`{word}`"), len);
    }
    (format!("`{c}`"), c.len_utf8())
}

fn hint(text: &str, pos: usize, expected: &[&str]) -> Option<String> {
    let rest = text.get(pos..).unwrap_or("");
    let before = text.get(..pos).unwrap_or("");
    if rest.is_empty() && before.matches('{').count() > before.matches('}').count() {
        return Some("a `{` block is not closed: add `}`".into());
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !word.is_empty() && word.chars().next().is_some_and(|c| c.is_ascii_lowercase()) {
        if let Some(kw) = keyword_typo(&word) {
            return Some(format!("did you mean `{kw}`?"));
        }
    }
    if expected.contains(&"a percentage") || rest.starts_with('%') {
        return Some("percentages are written `60%`".into());
    }
    None
}

/// The lower-case keywords of the language (SPEC §2), units included: none
/// may be used as a name.
pub const KEYWORDS: &[&str] = &[
    "use",
    "actor",
    "alias",
    "gdp",
    "group",
    "mineral",
    "stages",
    "volume",
    "sources",
    "source",
    "coalition",
    "covers",
    "demand",
    "of",
    "let",
    "restricts",
    "bans",
    "to",
    "all",
    "except",
    "by",
    "disrupt",
    "adds",
    "stockpile",
    "rerouting",
    "allocation",
    "sticky",
    "market",
    "coalition_first",
    "scenario",
    "extends",
    "report",
    "for",
    "on",
    "compare",
    "expect",
    "from",
    "until",
    "lifts",
    "restrictions",
    "days",
    "months",
    "years",
    "t",
    "kt",
];

fn keyword_typo(word: &str) -> Option<&'static str> {
    if word.len() < 3 || KEYWORDS.contains(&word) {
        return None;
    }
    KEYWORDS
        .iter()
        .filter(|k| k.len() >= 3)
        .map(|k| (strsim::damerau_levenshtein(word, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, k)| k)
}
