//! Help for syntax errors: what the user probably meant. Where a fix can be
//! checked, it is, by parsing the text again with the fix applied: a hint is
//! only given when the fixed text gets further than the original.

use pest::Parser;

use super::KEYWORDS;
use super::grammar::{LodeParser, Rule};

/// What a syntax error should say beyond "expected X, found Y".
#[derive(Debug, Default)]
pub(super) struct Hint {
    /// Replaces the message (and the label) when the problem is known exactly.
    pub message: Option<(String, String)>,
    pub help: Option<String>,
}

impl Hint {
    fn help(text: impl Into<String>) -> Option<Hint> {
        Some(Hint {
            message: None,
            help: Some(text.into()),
        })
    }
}

/// The failed parse: the text, the rule it was parsed with, where it failed
/// and what the grammar expected there (in words).
pub(super) struct Failure<'a> {
    pub text: &'a str,
    pub rule: Rule,
    pub pos: usize,
    pub expected: &'a [&'a str],
}

/// Expected items that mean "a name is declared or referred to here".
const NAME_POSITIONS: &[&str] = &[
    "a name",
    "a group name",
    "a string",
    "an actor",
    "an actor code (`CN`)",
];

pub(super) fn hint(f: &Failure<'_>) -> Option<Hint> {
    let rest = f.text.get(f.pos..).unwrap_or("");
    let before = f.text.get(..f.pos).unwrap_or("");
    if rest.is_empty() && before.matches('{').count() > before.matches('}').count() {
        return Hint::help("a `{` block is not closed: add `}`");
    }
    let word = word_at(f.text, f.pos);
    if !word.is_empty() {
        if let Some(h) = reserved_name(f, word) {
            return Some(h);
        }
        if let Some(h) = miscased(f, word) {
            return Some(h);
        }
        if word.starts_with(|c: char| c.is_ascii_lowercase()) {
            if let Some(kw) = keyword_typo(word) {
                return Hint::help(format!("did you mean `{kw}`?"));
            }
        }
        if word == "except" {
            if let Some(h) = except_after_group(f) {
                return Some(h);
            }
        }
        if let Some(h) = stage_without_dot(f, word) {
            return Some(h);
        }
    }
    if rest.starts_with(',') {
        if let Some(h) = comma_in_members(f) {
            return Some(h);
        }
    }
    if rest.starts_with('=') {
        if let Some(h) = miscased_coalition(f) {
            return Some(h);
        }
    }
    if f.expected.contains(&"a percentage") || rest.starts_with('%') {
        return Hint::help("percentages are written `60%`");
    }
    None
}

/// The identifier starting at `pos` (letters, digits, `_`).
fn word_at(text: &str, pos: usize) -> &str {
    let rest = text.get(pos..).unwrap_or("");
    let len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    rest.get(..len).unwrap_or("")
}

/// The identifier that ends just before `pos`, past blanks (not line
/// ends): its start and text.
fn word_before(text: &str, pos: usize) -> Option<(usize, &str)> {
    let before = text.get(..pos)?;
    let trimmed = before.trim_end_matches(BLANKS);
    let start = after_last(trimmed, |c| !(c.is_ascii_alphanumeric() || c == '_'));
    let word = trimmed.get(start..)?;
    (!word.is_empty()).then_some((start, word))
}

/// What the grammar skips between tokens on one line (`WHITESPACE` in
/// grammar/lode.pest): a byte-order mark is one of them, and it is three
/// bytes long, so no code here may assume a blank is one byte.
pub(super) const BLANKS: [char; 3] = [' ', '\t', '\u{feff}'];

/// The byte offset just past the last character of `text` matching `pat`,
/// or 0: always a character boundary, whatever the width of that character.
pub(super) fn after_last(text: &str, pat: impl Fn(char) -> bool) -> usize {
    text.char_indices()
        .rev()
        .find(|&(_, c)| pat(c))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

/// The statement's text on this line up to `pos`, from the last `;`.
fn line_before(text: &str, pos: usize) -> &str {
    let before = text.get(..pos).unwrap_or("");
    let start = after_last(before, |c| matches!(c, '\n' | ';' | '{'));
    before.get(start..).unwrap_or("")
}

/// What a reserved word is, for "cannot be a name".
fn reserved_kind(word: &str) -> Option<&'static str> {
    Some(match word {
        "t" => "the unit tonnes",
        "kt" => "the unit kilotonnes",
        "Mt" => "the unit megatonnes",
        "days" => "the unit days",
        "months" => "the unit months (30 days)",
        "years" => "the unit years (365 days)",
        w if KEYWORDS.contains(&w) => "a keyword",
        _ => return None,
    })
}

/// `scenario t {}`, `let kt = 3`: a keyword or unit where a name is declared
/// or referred to.
fn reserved_name(f: &Failure<'_>, word: &str) -> Option<Hint> {
    let kind = reserved_kind(word)?;
    let name_here = f
        .expected
        .iter()
        .any(|e| *e == "a name" || *e == "a group name")
        && f.expected.iter().all(|e| NAME_POSITIONS.contains(e));
    if !name_here {
        return None;
    }
    Some(Hint {
        message: Some((
            format!("`{word}` is a reserved word ({kind}) and cannot be a name"),
            "reserved word".into(),
        )),
        help: Some(format!(
            "choose another name, such as `{}_1`",
            word.to_lowercase()
        )),
    })
}

/// `Scenario`, `To`: a keyword in the wrong case; `let Cut = 3`,
/// `group Allies = …`: a name in mixed case where one is declared.
fn miscased(f: &Failure<'_>, word: &str) -> Option<Hint> {
    let has_upper = word.chars().any(|c| c.is_ascii_uppercase());
    let has_lower = word.chars().any(|c| c.is_ascii_lowercase());
    if !(has_upper && has_lower) {
        return None;
    }
    let lower = word.to_lowercase();
    if KEYWORDS.contains(&lower.as_str()) && word != "Mt" {
        return Hint::help(format!("keywords are lower case: `{lower}`"));
    }
    let upper = word.to_uppercase();
    if f.expected.contains(&"an actor code (`CN`)") {
        return Hint::help(format!(
            "actor codes are upper case, and a lower-case alias may follow: `actor {upper} \"{word}\" alias {lower}`"
        ));
    }
    if f.expected.contains(&"a group name") {
        return Hint::help(format!(
            "group and coalition names are all upper case or all lower case: `{upper}` or `{lower}`"
        ));
    }
    if f.expected.contains(&"a name") {
        return Hint::help(format!("names are lower case: `{lower}`"));
    }
    None
}

/// `coalition Allies = …`: the name is read as a member, and `=` is where
/// the parse stops.
fn miscased_coalition(f: &Failure<'_>) -> Option<Hint> {
    let (_, word) = word_before(f.text, f.pos)?;
    let line = line_before(f.text, f.pos).trim_start();
    let mixed = word.chars().any(|c| c.is_ascii_uppercase())
        && word.chars().any(|c| c.is_ascii_lowercase());
    if !mixed || !line.starts_with("coalition") {
        return None;
    }
    Hint::help(format!(
        "group and coalition names are all upper case or all lower case: `{}` or `{}`",
        word.to_uppercase(),
        word.to_lowercase()
    ))
}

/// `disrupt CD cobalt mining by 30%`: a stage written after its mineral
/// with a space instead of a dot.
fn stage_without_dot(f: &Failure<'_>, word: &str) -> Option<Hint> {
    if !is_lower_name(word) {
        return None;
    }
    let (start, prev) = word_before(f.text, f.pos)?;
    if !is_lower_name(prev) || start + prev.len() == f.pos {
        return None;
    }
    let end = start + prev.len();
    // `rare earths`: one mineral written as two words.
    let joined = format!("{prev}_{word}");
    if world_minerals().any(|m| m == joined) {
        let fixed = format!("{}_{}", f.text.get(..end)?, f.text.get(f.pos..)?);
        if gets_past(&fixed, f.rule, end + 1 + word.len()) {
            return Hint::help(format!("a mineral's name is one word: `{joined}`"));
        }
    }
    // `lithium cobalt`: two minerals, not a mineral and a stage.
    if world_minerals().any(|m| m == word) {
        let fixed = format!("{}, {}", f.text.get(..end)?, f.text.get(f.pos..)?);
        if !gets_past(&fixed, f.rule, end + 2 + word.len()) {
            return None;
        }
        return Hint::help(format!("separate minerals with commas: `{prev}, {word}`"));
    }
    let fixed = format!("{}.{}", f.text.get(..end)?, f.text.get(f.pos..)?);
    // In the fixed text, the stage ends at `end + 1 + word.len()`.
    if !gets_past(&fixed, f.rule, end + 1 + word.len()) {
        return None;
    }
    Hint::help(format!("write the stage after a dot: `{prev}.{word}`"))
}

/// The minerals of the embedded world2024 (`mineral NAME {` lines).
fn world_minerals() -> impl Iterator<Item = &'static str> {
    crate::data::WORLD2024.lines().filter_map(|line| {
        let rest = line.strip_prefix("mineral ")?;
        rest.split_whitespace().next()
    })
}

/// `to JP, KR`: several targets (or members) joined with commas.
fn comma_in_members(f: &Failure<'_>) -> Option<Hint> {
    let (_, prev) = word_before(f.text, f.pos)?;
    let next = word_at(f.text, skip_spaces(f.text, f.pos + 1));
    if next.is_empty() {
        return None;
    }
    let fixed = format!("{} +{}", f.text.get(..f.pos)?, f.text.get(f.pos + 1..)?);
    let next_end = skip_spaces(&fixed, f.pos + 2) + next.len();
    if !gets_past(&fixed, f.rule, next_end) {
        return None;
    }
    let line = line_before(f.text, f.pos);
    let words: Vec<&str> = line.split_whitespace().collect();
    // `let dual_use = gallium, germanium`: a list of minerals is not a value.
    if words.first() == Some(&"let") && world_minerals().any(|m| m == prev) {
        return Hint::help(format!(
            "`let` names a number or a quantity, not a list of minerals: write the minerals in \
             each statement, as in `CN restricts {prev}, {next} to US`"
        ));
    }
    let keyword = words
        .iter()
        .rev()
        .find(|w| matches!(**w, "to" | "except" | "=" | "for"));
    Hint::help(match keyword {
        Some(&"to") => format!("join several targets with `+`: `to {prev} + {next}`"),
        Some(&"except") => format!("join several exceptions with `+`: `except {prev} + {next}`"),
        _ => format!("join several members with `+`: `{prev} + {next}`"),
    })
}

/// `to G7 except JP`: `except` follows `all` only.
fn except_after_group(f: &Failure<'_>) -> Option<Hint> {
    let (_, group) = word_before(f.text, f.pos)?;
    let line = line_before(f.text, f.pos);
    if !line.split_whitespace().any(|w| w == "to") || group == "all" {
        return None;
    }
    let after = skip_spaces(f.text, f.pos + "except".len());
    let excluded = word_at(f.text, after);
    let excluded = if excluded.is_empty() { "JP" } else { excluded };
    Hint::help(format!(
        "`except` follows `all`: `to all except {excluded}`; to leave {excluded} out of {group}, list the other members joined with `+`"
    ))
}

fn skip_spaces(text: &str, pos: usize) -> usize {
    let rest = text.get(pos..).unwrap_or("");
    pos + (rest.len() - rest.trim_start_matches(BLANKS).len())
}

/// True when `text` parses, or fails only at byte `past` or later.
fn gets_past(text: &str, rule: Rule, past: usize) -> bool {
    // The parser recurses once per bracket: never past the depth limit.
    if super::limits::check_depth(text, crate::source::SourceId(0)).is_err() {
        return false;
    }
    match LodeParser::parse(rule, text) {
        Ok(_) => true,
        Err(e) => {
            let pos = match e.location {
                pest::error::InputLocation::Pos(p) => p,
                pest::error::InputLocation::Span((s, _)) => s,
            };
            pos >= past
        }
    }
}

fn is_lower_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && word
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !KEYWORDS.contains(&word)
}

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
