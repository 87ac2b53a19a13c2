//! The rustyline layer: completion, hints from history, highlighting and
//! the validator. The only file that imports rustyline; everything it knows
//! about lode comes from [`complete`] and the parser.

use std::borrow::Cow;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::HistoryHinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper, Hinter};

use lode::session::complete::{self, Completion, KEYWORDS, Vocabulary};

const RESET: &str = "\x1b[0m";
const KEYWORD: &str = "\x1b[1;34m";
const NUMBER: &str = "\x1b[33m";
const CODE: &str = "\x1b[36m";
const STRING: &str = "\x1b[32m";
const COMMENT: &str = "\x1b[2m";
const COMMAND: &str = "\x1b[1m";
const PROMPT: &str = "\x1b[1;32m";
const UNITS: &[&str] = &["t", "kt", "Mt", "days", "months", "years"];

#[derive(Helper, Hinter)]
pub(super) struct LodeHelper {
    pub vocab: Vocabulary,
    /// ANSI colour allowed (a terminal, no `NO_COLOR`).
    pub color: bool,
    files: FilenameCompleter,
    #[rustyline(Hinter)]
    hinter: HistoryHinter,
}

impl LodeHelper {
    pub fn new(vocab: Vocabulary, color: bool) -> Self {
        LodeHelper {
            vocab,
            color,
            files: FilenameCompleter::new(),
            hinter: HistoryHinter::new(),
        }
    }
}

impl Completer for LodeHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        match complete::complete(&self.vocab, line, pos) {
            Completion::File => self.files.complete(line, pos, ctx),
            Completion::Words { start, candidates } => {
                let pairs = candidates
                    .into_iter()
                    .map(|c| Pair {
                        // Show the last part of a path; insert the whole.
                        display: c.rsplit('.').next().unwrap_or(&c).to_string(),
                        replacement: c,
                    })
                    .collect();
                Ok((start, pairs))
            }
        }
    }
}

impl Validator for LodeHelper {
    /// A single line that is unfinished is accepted here and continued at
    /// the `...> ` prompt by the read loop; a buffer that already holds
    /// several lines (a paste, or a block recalled from history) keeps
    /// editing in place until the parser says it is complete.
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        if input.contains('\n')
            && !input.trim_start().starts_with(':')
            && lode::syntax::is_incomplete(input)
        {
            Ok(ValidationResult::Incomplete)
        } else {
            Ok(ValidationResult::Valid(None))
        }
    }
}

impl Highlighter for LodeHelper {
    fn highlight<'l>(&self, line: &'l str, _pos: usize) -> Cow<'l, str> {
        if self.color {
            Cow::Owned(highlight(line))
        } else {
            Cow::Borrowed(line)
        }
    }

    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        if self.color {
            let body = prompt.trim_end();
            let pad = &prompt[body.len()..];
            Cow::Owned(format!("{PROMPT}{body}{RESET}{pad}"))
        } else {
            Cow::Borrowed(prompt)
        }
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if self.color {
            Cow::Owned(format!("{COMMENT}{hint}{RESET}"))
        } else {
            Cow::Borrowed(hint)
        }
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.color && kind != CmdKind::MoveCursor
    }
}

/// Colours keywords, numbers (with their units), codes, strings, comments
/// and a leading `:command`. Only escape codes are added, so the display
/// width is unchanged.
fn highlight(line: &str) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let paint = |out: &mut String, color: &str, text: &str| {
        out.push_str(color);
        out.push_str(text);
        out.push_str(RESET);
    };
    let first = line.len() - line.trim_start().len();
    let mut i = 0;
    let mut after_number = false;
    while i < line.len() {
        let rest = &line[i..];
        let Some(c) = rest.chars().next() else { break };
        if c == '#' {
            paint(&mut out, COMMENT, rest);
            break;
        }
        if c == ':' && i == first {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            paint(&mut out, COMMAND, &rest[..end]);
            i += end;
            continue;
        }
        if c == '"' {
            let mut end = rest.len();
            let mut escaped = false;
            for (j, ch) in rest.char_indices().skip(1) {
                match (escaped, ch) {
                    (true, _) => escaped = false,
                    (false, '\\') => escaped = true,
                    (false, '"') => {
                        end = j + 1;
                        break;
                    }
                    _ => {}
                }
            }
            paint(&mut out, STRING, &rest[..end]);
            i += end;
            continue;
        }
        let money = c == '$' && rest[1..].starts_with(|d: char| d.is_ascii_digit());
        if c.is_ascii_digit() || money {
            let end = rest
                .char_indices()
                .skip(1)
                .find(|&(_, ch)| {
                    !(ch.is_ascii_alphanumeric() || ch == '_' || ch == '.' || ch == '%')
                })
                .map_or(rest.len(), |(j, _)| j);
            paint(&mut out, NUMBER, &rest[..end]);
            i += end;
            after_number = true;
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let end = rest
                .char_indices()
                .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_'))
                .map_or(rest.len(), |(j, _)| j);
            let word = &rest[..end];
            if after_number && UNITS.contains(&word) {
                paint(&mut out, NUMBER, word);
            } else if KEYWORDS.contains(&word) {
                paint(&mut out, KEYWORD, word);
            } else if is_code(word) {
                paint(&mut out, CODE, word);
            } else {
                out.push_str(word);
            }
            after_number = false;
            i += end;
            continue;
        }
        if !c.is_whitespace() {
            after_number = false;
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// `CN`, `G7`, `EU_OTHER`: an actor code or an upper-case group name.
fn is_code(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase())
        && word
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strip(s: &str) -> String {
        let mut out = String::new();
        let mut in_esc = false;
        for c in s.chars() {
            match (in_esc, c) {
                (false, '\x1b') => in_esc = true,
                (true, 'm') => in_esc = false,
                (true, _) => {}
                (false, c) => out.push(c),
            }
        }
        out
    }

    #[test]
    fn highlighting_only_adds_escapes() {
        for line in [
            "china restricts rare_earths to JP by 40% # note",
            ":table for JP on rare_earths",
            "actor SG \"Singa\\\"pore\" gdp $4.03T",
            "let x = 60 days + 2 months",
            "é ü 中 $ 1_000.5",
        ] {
            assert_eq!(strip(&highlight(line)), line);
        }
        let h = highlight("CN restricts gallium to US by 50%");
        assert!(h.contains(&format!("{CODE}CN{RESET}")));
        assert!(h.contains(&format!("{KEYWORD}restricts{RESET}")));
        assert!(h.contains(&format!("{NUMBER}50%{RESET}")));
    }
}
