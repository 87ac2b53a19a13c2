//! Checks made before the parser runs, so no input can make it (or anything
//! after it) recurse without bound or read gigabytes.

use crate::diagnostic::{Code, Diag};
use crate::source::{SourceId, Span};

/// The largest file lode reads (SPEC §6).
pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
/// The deepest nesting of parentheses and blocks (SPEC §6).
pub const MAX_DEPTH: usize = 64;
/// The longest run of unary minus signs.
pub const MAX_UNARY: usize = 64;
/// The most digits a number literal may have.
pub const MAX_DIGITS: usize = 40;
/// The deepest expression tree (operators and minus signs on the way from
/// the root to a leaf), so no expression can make later stages recurse
/// without bound. Nesting counts, length does not: a long flat chain
/// `1+1+…+1` is folded into a tree of logarithmic depth (`lower::chain`).
pub const MAX_EXPR_DEPTH: usize = 256;

/// Turns raw bytes into text, or says why they are not a lode program.
/// On failure the returned text is a lossy copy, for the diagnostic's snippet.
pub fn decode(bytes: &[u8], source: SourceId) -> Result<String, (Diag, String)> {
    if bytes.len() > MAX_FILE_BYTES {
        let diag = Diag::new(
            Code::FileTooLarge,
            format!(
                "file is {:.1} MiB; lode reads files up to 16 MiB",
                bytes.len() as f64 / (1024.0 * 1024.0)
            ),
        )
        .help("split the data into several files and `use` them");
        return Err((diag, String::new()));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            if let Some(pos) = text.find('\0') {
                let diag = Diag::new(
                    Code::NotText,
                    "input contains a NUL byte: this looks like a binary file",
                )
                .with_label(Span::new(source, pos, pos + 1), "NUL byte")
                .help("lode reads UTF-8 text files");
                return Err((diag, text.replace('\0', " ")));
            }
            Ok(text.to_string())
        }
        Err(e) => {
            let pos = e.valid_up_to();
            let lossy = String::from_utf8_lossy(bytes).into_owned();
            // In the lossy copy the bad byte became U+FFFD (3 bytes) at `pos`.
            let diag = Diag::new(
                Code::NotText,
                format!("input is not valid UTF-8 (byte {pos})"),
            )
            .with_label(Span::new(source, pos, pos + 3), "not UTF-8")
            .help("save the file as UTF-8");
            Err((diag, lossy))
        }
    }
}

/// The most statements one program may have, the files it uses included
/// (SPEC §6). Each line of a mineral block counts as one.
pub const MAX_STATEMENTS: usize = 200_000;

/// Finds nesting deeper than [`MAX_DEPTH`], outside strings and comments.
pub fn check_depth(text: &str, source: SourceId) -> Result<(), Diag> {
    let mut depth = 0usize;
    for (i, c) in code_chars(text) {
        match c {
            '(' | '{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Diag::new(
                        Code::TooDeep,
                        format!("nesting deeper than {MAX_DEPTH} levels"),
                    )
                    .with_label(
                        Span::new(source, i, i + 1),
                        format!("this bracket is {depth} deep"),
                    )
                    .help(format!(
                        "lode allows {MAX_DEPTH} levels of parentheses and blocks; \
                         simplify the expression"
                    )));
                }
            }
            ')' | '}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// [`check_depth`], and more than [`MAX_STATEMENTS`] statements refused
/// before the parser runs, so that a file of millions of lines costs one
/// pass over its characters rather than seconds of parsing.
pub fn check_size(text: &str, source: SourceId) -> Result<(), Diag> {
    check_depth(text, source)?;
    match statement_starts(text).nth(MAX_STATEMENTS) {
        None => Ok(()),
        Some((i, c)) => Err(Diag::new(
            Code::TooMany,
            format!(
                "the program has more than {MAX_STATEMENTS} statements; \
                 lode allows {MAX_STATEMENTS}"
            ),
        )
        .with_label(
            Span::new(source, i, i + c.len_utf8()),
            format!("statement {} starts here", MAX_STATEMENTS + 1),
        )
        .help("split the program into files and evaluate them separately")),
    }
}

/// Where each statement starts, as far as can be told without parsing: the
/// first code character, other than a blank or a closing bracket, after a
/// newline, a `\r` or a `;`. No statement spans two lines (the lines of a
/// block are statements of their own, and a mineral block's lines count
/// as statements), so a program that parses has at least this many.
pub(crate) fn statement_starts(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_statement = false;
    code_chars(text).filter(move |&(_, c)| match c {
        '\n' | '\r' | ';' => {
            in_statement = false;
            false
        }
        ' ' | '\t' | '\u{feff}' | '}' | ')' => false,
        _ => !std::mem::replace(&mut in_statement, true),
    })
}

/// The characters of `text` that are code, with their byte offsets: string
/// literals and comments are skipped, quotes included. Both end at the end
/// of the line as the grammar's `NEWLINE` has it, a bare `\r` included
/// (else a comment ended by `\r` would hide the brackets after it from
/// [`check_depth`]); that line end is code.
pub(crate) fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        let line_end = c == '\n' || c == '\r';
        if in_comment {
            in_comment = !line_end;
            return line_end;
        }
        if in_string {
            match (escaped, c) {
                (_, '\n' | '\r') => {
                    (in_string, escaped) = (false, false);
                    return true;
                }
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            return false;
        }
        match c {
            '#' => in_comment = true,
            '"' => in_string = true,
            _ => return true,
        }
        false
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(text: &str) -> Vec<usize> {
        statement_starts(text).map(|(i, _)| i).collect()
    }

    #[test]
    fn statements_start_after_each_separator() {
        // Three statements on lines ended by `\n`, `\r\n` and a bare `\r`.
        assert_eq!(
            starts("let a = 1\nlet b = 2\r\nlet c = 3\rlet d = 4"),
            [0, 10, 21, 31]
        );
        // `;` separates; blank stretches, braces and comments do not count.
        assert_eq!(
            starts("  ;; let a = 1;let b = 2 # x; y\n\n  } }\n"),
            [5, 15]
        );
        // A block's opening line is one statement, each line inside another.
        let text = "scenario s {\n  CN bans gallium to US\n\n}\nmineral m {\n stages a\n}";
        assert_eq!(starts(text).len(), 4);
    }

    #[test]
    fn strings_and_comments_hide_separators_until_the_line_ends() {
        // `;` and `#` inside a string, `;` inside a comment: one statement each line.
        assert_eq!(
            starts("source \"a; b # c\"\nlet x = 1 # y; z\nlet w = 2").len(),
            3
        );
        // A comment ended by a bare `\r` (a line end to the grammar).
        assert_eq!(starts("# note\rlet a = 1"), [7]);
        // An unterminated string ends with its line.
        assert_eq!(starts("source \"open\nlet a = 1"), [0, 13]);
    }

    #[test]
    fn brackets_after_a_comment_ended_by_a_bare_cr_are_counted() {
        let text = format!("# note\rlet x = {}1", "(".repeat(MAX_DEPTH + 1));
        let err = check_depth(&text, SourceId(0)).unwrap_err();
        assert_eq!(err.code, Code::TooDeep);
    }

    #[test]
    fn more_statements_than_the_limit_are_refused_before_parsing() {
        let text = "let a = 1\n".repeat(MAX_STATEMENTS) + "# end\n}\n";
        assert!(check_size(&text, SourceId(0)).is_ok());
        let text = text + "let b = 2";
        let err = check_size(&text, SourceId(0)).unwrap_err();
        assert_eq!(err.code, Code::TooMany);
        // The label is on the first character of statement 200,001.
        let at = err.labels[0].span.start;
        assert_eq!(&text[at..], "let b = 2");
    }
}
