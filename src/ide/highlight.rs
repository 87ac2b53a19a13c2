//! The class of every token of a file, for semantic highlighting. The
//! scan is lexical, so a file that does not parse is still coloured;
//! where the checker resolved a name, its class comes from what the name
//! stands for (an alias is an actor, `allies` a group).

use std::collections::{HashMap, HashSet};

use crate::program::Def;
use crate::syntax::KEYWORDS;

use super::analysis::Analysis;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenClass {
    Keyword,
    Comment,
    String,
    Number,
    Date,
    Operator,
    Actor,
    Group,
    Mineral,
    Stage,
    Metric,
    Variable,
    Scenario,
}

impl TokenClass {
    pub const ALL: &'static [TokenClass] = &[
        TokenClass::Keyword,
        TokenClass::Comment,
        TokenClass::String,
        TokenClass::Number,
        TokenClass::Date,
        TokenClass::Operator,
        TokenClass::Actor,
        TokenClass::Group,
        TokenClass::Mineral,
        TokenClass::Stage,
        TokenClass::Metric,
        TokenClass::Variable,
        TokenClass::Scenario,
    ];
}

/// A token: bytes `start..end` of the text, on one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub class: TokenClass,
}

/// What the checker knows: the class of each resolved name, by its span,
/// and the names of minerals and variables.
#[derive(Default)]
struct Known {
    spans: HashMap<(usize, usize), TokenClass>,
    minerals: HashSet<String>,
    variables: HashSet<String>,
}

fn known(a: Option<&Analysis>) -> Known {
    let mut k = Known::default();
    let Some(a) = a else { return k };
    let Some(checked) = &a.checked else { return k };
    let mut add = |span: crate::source::Span, def: Def| {
        if span.source != a.main {
            return;
        }
        let class = match def {
            Def::Actor(_) => TokenClass::Actor,
            Def::Group(_) => TokenClass::Group,
            Def::Mineral(_) => TokenClass::Mineral,
            Def::Stage(..) => TokenClass::Stage,
            Def::Variable(_) => TokenClass::Variable,
            Def::Scenario(_) => TokenClass::Scenario,
            Def::File(_) => return,
        };
        k.spans.insert((span.start, span.end), class);
    };
    for u in &checked.uses {
        add(u.span, u.def);
    }
    let w = &checked.world;
    for id in w.actor_ids() {
        add(w.actors[id].span, Def::Actor(id));
    }
    for id in w.group_ids() {
        add(w.groups[id].span, Def::Group(id));
    }
    for id in w.mineral_ids() {
        add(w.minerals[id].span, Def::Mineral(id));
    }
    k.minerals = w.minerals.iter().map(|m| m.name.clone()).collect();
    k.variables = checked
        .inputs
        .iter()
        .filter_map(|i| i.name.clone())
        .collect();
    k
}

/// The tokens of `text`, in order. `analysis` (of the same text) refines
/// the classes of names.
pub fn highlight(text: &str, analysis: Option<&Analysis>) -> Vec<Token> {
    let known = known(analysis.filter(|a| a.text == text));
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    // The last keyword, for names the checker did not resolve.
    let mut keyword: &str = "";
    let push = |out: &mut Vec<Token>, start: usize, end: usize, class| {
        if end > start {
            out.push(Token { start, end, class });
        }
    };
    while i < bytes.len() {
        let c = bytes[i];
        let rest = &text[i..];
        let line_end = rest.find(['\n', '\r']).map_or(text.len(), |n| i + n);
        match c {
            b'\n' | b'\r' | b';' | b'{' | b'}' => {
                keyword = "";
                i += 1;
            }
            b'#' => {
                push(&mut out, i, line_end, TokenClass::Comment);
                i = line_end;
            }
            b'"' => {
                let mut j = i + 1;
                while j < line_end {
                    match bytes[j] {
                        b'\\' => j += 2,
                        b'"' => {
                            j += 1;
                            break;
                        }
                        _ => j += 1,
                    }
                }
                let end = j.min(line_end);
                push(&mut out, i, end, TokenClass::String);
                i = end;
            }
            b'0'..=b'9' | b'$' => {
                let end = number_end(text, i);
                let class = if is_date(&text[i..end]) {
                    TokenClass::Date
                } else {
                    TokenClass::Number
                };
                push(&mut out, i, end, class);
                i = end.max(i + 1);
            }
            b'+' | b'-' | b'*' | b'/' | b'=' | b'<' | b'>' | b'!' => {
                let len = if rest.starts_with("+-")
                    || rest.starts_with("<=")
                    || rest.starts_with(">=")
                    || rest.starts_with("==")
                    || rest.starts_with("!=")
                {
                    2
                } else {
                    1
                };
                push(&mut out, i, i + len, TokenClass::Operator);
                i += len;
            }
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                    .map_or(text.len(), |n| i + n);
                let word = &text[i..end];
                if word.contains('.') {
                    path(&known, text, i, end, &mut out);
                } else {
                    let colon = text[end..].trim_start_matches([' ', '\t']).starts_with(':');
                    let class = name_class(&known, word, (i, end), keyword, colon);
                    if let Some(class) = class {
                        push(&mut out, i, end, class);
                    }
                    if let Some(k) = KEYWORDS.iter().find(|k| **k == word) {
                        keyword = k;
                    }
                }
                i = end;
            }
            _ => {
                if rest.starts_with('±') {
                    push(&mut out, i, i + '±'.len_utf8(), TokenClass::Operator);
                }
                i += rest.chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    out
}

fn number_end(text: &str, start: usize) -> usize {
    let bytes = text.as_bytes();
    let digits = |from: usize, n: usize| {
        bytes
            .get(from..from + n)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    let boundary = |at: usize| {
        !bytes
            .get(at)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    // `2026-01-12`, `2026Q1`
    if digits(start, 4) {
        if bytes.get(start + 4) == Some(&b'-')
            && digits(start + 5, 2)
            && bytes.get(start + 7) == Some(&b'-')
            && digits(start + 8, 2)
            && boundary(start + 10)
        {
            return start + 10;
        }
        if bytes.get(start + 4) == Some(&b'Q') && digits(start + 5, 1) && boundary(start + 6) {
            return start + 6;
        }
    }
    let mut j = start;
    if bytes.get(j) == Some(&b'$') {
        j += 1;
    }
    while j < bytes.len() {
        let b = bytes[j];
        if b.is_ascii_digit() || b == b'_' || (b == b'.' && digits(j + 1, 1)) {
            j += 1;
        } else {
            break;
        }
    }
    if matches!(bytes.get(j), Some(b'%' | b'T' | b'B' | b'M')) && boundary(j + 1) {
        j += 1;
    }
    j.max(start + 1)
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 10 && b[4] == b'-' && b[7] == b'-') || (b.len() == 6 && b[4] == b'Q')
}

/// The class of a name: what the checker resolved it to, else a guess
/// from its case and the keyword before it. `colon`: a `:` follows it (a
/// share line's stage, or the scenario of an `expect`).
fn name_class(
    known: &Known,
    word: &str,
    span: (usize, usize),
    keyword: &str,
    colon: bool,
) -> Option<TokenClass> {
    if let Some(&c) = known.spans.get(&span) {
        return Some(c);
    }
    if KEYWORDS.contains(&word) || word == "Mt" {
        return Some(TokenClass::Keyword);
    }
    if colon {
        return Some(if keyword == "expect" {
            TokenClass::Scenario
        } else {
            TokenClass::Stage
        });
    }
    if word.starts_with(|c: char| c.is_ascii_uppercase()) {
        return Some(TokenClass::Actor);
    }
    Some(match keyword {
        "let" => TokenClass::Variable,
        "scenario" | "extends" | "compare" => TokenClass::Scenario,
        "mineral" => TokenClass::Mineral,
        "group" | "coalition" | "alias" => TokenClass::Group,
        "stages" => TokenClass::Stage,
        _ if known.minerals.contains(word) => TokenClass::Mineral,
        _ if known.variables.contains(word) => TokenClass::Variable,
        _ => return None,
    })
}

/// `JP.rare_earths.shortfall`, `rare_earths.refining`: each part by its place.
fn path(known: &Known, text: &str, start: usize, end: usize, out: &mut Vec<Token>) {
    let mut parts = Vec::new();
    let mut s = start;
    for (i, c) in text[start..end].char_indices() {
        if c == '.' {
            parts.push((s, start + i));
            s = start + i + 1;
        }
    }
    parts.push((s, end));
    let metric_path = parts.len() >= 3;
    let metric = parts.get(2).map(|&(a, b)| &text[a..b]);
    for (n, &(a, b)) in parts.iter().enumerate() {
        if b <= a {
            continue;
        }
        let class = known
            .spans
            .get(&(a, b))
            .copied()
            .unwrap_or(match (metric_path, n) {
                (true, 0) if text[a..b].starts_with(|c: char| c.is_ascii_uppercase()) => {
                    TokenClass::Actor
                }
                (true, 0) => TokenClass::Group,
                (true, 1) | (false, 0) => TokenClass::Mineral,
                (true, 2) => TokenClass::Metric,
                (true, _) if metric == Some("output") => TokenClass::Stage,
                (true, _) => TokenClass::Actor,
                (false, _) => TokenClass::Stage,
            });
        out.push(Token {
            start: a,
            end: b,
            class,
        });
    }
}
