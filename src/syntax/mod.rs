//! Text to syntax tree. The only module that touches pest.
//!
//! `parse` runs the limit checks, the pest parser and the lowering; a syntax
//! error comes back as one diagnostic naming, in words, what was expected at
//! the first place the text stopped making sense.

mod grammar;
mod hints;
pub mod limits;
mod lower;
pub(crate) mod print;
mod rules;
pub(crate) mod tree;
pub mod trivia;

use pest::Parser;

use crate::ast::{Program, ReplInput};
use crate::diagnostic::{Code, Diag};
use crate::source::{SourceId, Span};
use grammar::LodeParser;
pub(crate) use grammar::Rule;

/// Parses a whole program.
pub fn parse(text: &str, source: SourceId) -> Result<Program, Vec<Diag>> {
    limits::check_size(text, source).map_err(|d| vec![d])?;
    let mut pairs = LodeParser::parse(Rule::program, text)
        .map_err(|e| vec![syntax_error(e, Rule::program, text, source)])?;
    let pair = pairs
        .next()
        .unwrap_or_else(|| panic!("internal error: no program pair"));
    let mut lowerer = lower::Lowerer::new(source);
    let mut program = lowerer.program(pair);
    if lowerer.errors.is_empty() {
        program.trivia = trivia::scan(text, source);
        Ok(program)
    } else {
        Err(lowerer.errors)
    }
}

/// Parses one REPL input: statements, or a metric or expression to print.
pub fn parse_repl(text: &str, source: SourceId) -> Result<ReplInput, Vec<Diag>> {
    limits::check_depth(text, source).map_err(|d| vec![d])?;
    let mut pairs = LodeParser::parse(Rule::repl_line, text)
        .map_err(|e| vec![syntax_error(e, Rule::repl_line, text, source)])?;
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
    // Too deep is complete: the parse that follows says so.
    if limits::check_depth(text, SourceId(0)).is_err() {
        return false;
    }
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

fn syntax_error(err: pest::error::Error<Rule>, rule: Rule, text: &str, source: SourceId) -> Diag {
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
    if let Some(d) = unclosed_string(text, pos, source) {
        return d;
    }
    if let Some(d) = metric_in_expression(text, pos, rule, source) {
        return d;
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
    let failure = hints::Failure {
        text,
        rule,
        pos,
        expected: &expected,
    };
    let hint = hints::hint(&failure).unwrap_or_default();
    let (message, label) = hint.message.unwrap_or((message, label));
    let mut diag = Diag::new(Code::Syntax, message).with_label(span, label);
    if let Some(help) = hint.help {
        diag = diag.help(help);
    }
    diag
}

/// `actor XX "Name` and a line end: the parse stops at the opening quote,
/// and "expected a string, found `"`" would not say why.
fn unclosed_string(text: &str, pos: usize, source: SourceId) -> Option<Diag> {
    let rest = text.get(pos..)?.strip_prefix('"')?;
    let mut escaped = false;
    let mut len = 0;
    for c in rest.chars() {
        match (escaped, c) {
            (_, '\n' | '\r') => break,
            (false, '"') => return None,
            (false, '\\') => escaped = true,
            _ => escaped = false,
        }
        len += c.len_utf8();
    }
    let end = pos + 1 + len;
    let message = if end == text.len() {
        "this string is not closed before the end of the input"
    } else {
        "this string is not closed before the end of the line"
    };
    Some(
        Diag::new(Code::Syntax, message)
            .with_label(Span::new(source, pos, end), "not closed")
            .help("add `\"` at its end: a string ends on the line where it starts"),
    )
}

/// `US.gallium.shortfall * 2`, `let x = 2 * JP.rare_earths.demand`: a
/// metric inside an expression. Expressions are over numbers and variables
/// only (SPEC §2.3), which the plain syntax error would not say.
fn metric_in_expression(text: &str, pos: usize, rule: Rule, source: SourceId) -> Option<Diag> {
    let is_op = |c: char| matches!(c, '+' | '-' | '*' | '/');
    let rest = text.get(pos..).unwrap_or("");
    let before = text
        .get(..pos)
        .unwrap_or("")
        .trim_end_matches(hints::BLANKS);
    // A metric that the parse stopped at, right after an operator or `=`.
    let at = metric_len(rest)
        .filter(|_| before.ends_with(|c: char| is_op(c) || c == '(' || c == '='))
        .map(|len| (pos, pos + len));
    // A metric that the parse stopped right after, before an operator.
    let after = || {
        if !rest.starts_with(is_op) || rest.starts_with("+-") {
            return None;
        }
        let start = hints::after_last(before, |c| {
            !(c.is_ascii_alphanumeric() || c == '_' || c == '.')
        });
        let len = metric_len(before.get(start..)?)?;
        (start + len == before.len()).then_some((start, before.len()))
    };
    let (start, end) = at.or_else(after)?;
    let metric = text.get(start..end)?;
    Some(
        Diag::new(Code::Syntax, "a metric cannot be part of an expression")
            .with_label(Span::new(source, start, end), "a metric")
            .help(if rule == Rule::repl_line {
                format!(
                    "arithmetic on metrics is not supported: query `{metric}` on its own; expressions take numbers, quantities and `let` variables"
                )
            } else {
                "arithmetic on metrics is not supported: `expect` compares one metric with a value, and expressions take numbers, quantities and `let` variables".to_string()
            }),
    )
}

/// True when `text` starts with a metric path (`JP.rare_earths.shortfall`).
pub fn starts_with_metric(text: &str) -> bool {
    metric_len(text).is_some()
}

/// The length of the metric path (`JP.rare_earths.shortfall`) at the start
/// of `text`, if there is one.
fn metric_len(text: &str) -> Option<usize> {
    let pairs = LodeParser::parse(Rule::metric_path, text).ok()?;
    pairs.last().map(|p| p.as_span().end())
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
    "only",
    "as",
    "at",
    "samples",
    "seed",
    "days",
    "months",
    "years",
    "t",
    "kt",
];
