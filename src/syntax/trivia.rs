//! Comments and blank lines, kept beside the syntax tree so a printer can
//! put them back where they were. The grammar skips them; this scan finds
//! them with the same rules (a `#` outside a string starts a comment that
//! runs to the end of the line; a string ends at its closing quote or at the
//! end of the line).

use crate::ast::{Trivia, TriviaKind};
use crate::source::{SourceId, Span};

/// Every comment and blank line of `text`, in order.
pub fn scan(text: &str, source: SourceId) -> Vec<Trivia> {
    let mut out = Vec::new();
    let mut line_start = 0;
    let mut only_blanks = true;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                (false, '\n' | '\r') => in_string = false,
                _ => {}
            }
            if c != '\n' && c != '\r' {
                continue;
            }
        }
        match c {
            '#' => {
                let end = text[i..].find(['\n', '\r']).map_or(text.len(), |n| i + n);
                out.push(Trivia {
                    kind: TriviaKind::Comment,
                    span: Span::new(source, i, end),
                });
                // Skip to the end of the comment; the newline is seen next.
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
                only_blanks = false;
            }
            '"' => {
                in_string = true;
                only_blanks = false;
            }
            '\n' | '\r' => {
                // `\r\n` is one line end.
                if c == '\r' && chars.peek().is_some_and(|&(_, n)| n == '\n') {
                    chars.next();
                }
                if only_blanks {
                    out.push(Trivia {
                        kind: TriviaKind::BlankLine,
                        span: Span::new(source, line_start, i),
                    });
                }
                line_start = chars.peek().map_or(text.len(), |&(j, _)| j);
                only_blanks = true;
            }
            c if c.is_whitespace() || c == '\u{feff}' => {}
            _ => only_blanks = false,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(TriviaKind, &str)> {
        scan(text, SourceId(0))
            .into_iter()
            .map(|t| (t.kind, &text[t.span.start..t.span.end]))
            .collect()
    }

    #[test]
    fn comments_and_blank_lines_in_order() {
        let text = "# head\nlet x = 1  # tail\n\n  \nsource \"a # not a comment\"\r\n# last";
        assert_eq!(
            kinds(text),
            vec![
                (TriviaKind::Comment, "# head"),
                (TriviaKind::Comment, "# tail"),
                (TriviaKind::BlankLine, ""),
                (TriviaKind::BlankLine, "  "),
                (TriviaKind::Comment, "# last"),
            ]
        );
    }

    #[test]
    fn an_open_string_ends_at_the_line() {
        assert_eq!(
            kinds("source \"open\n# comment"),
            vec![(TriviaKind::Comment, "# comment")]
        );
    }
}
