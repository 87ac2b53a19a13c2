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

/// The characters of `text` that are code, with their byte offsets: string
/// literals (which end at a closing quote or at the end of the line) and
/// comments are skipped, quotes included.
pub(crate) fn code_chars(text: &str) -> impl Iterator<Item = (usize, char)> + '_ {
    let mut in_string = false;
    let mut in_comment = false;
    let mut escaped = false;
    text.char_indices().filter(move |&(_, c)| {
        if in_comment {
            in_comment = c != '\n';
            return false;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') | (false, '\n') => in_string = false,
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
