//! The lines a figure rests on: `file:line`, the line's text, and the
//! `source` that line cites.
//!
//! SPEC §2.1: a `source "…"` line cites the line above it, or the whole
//! mineral when it comes first in the block. The checked program keeps a
//! mineral's sources as a plain list, so the citation is found in the text:
//! after the cited line, past blank lines, comments and `;`, a `source`
//! string is that line's source; a line of a mineral block without one
//! falls back to the mineral's own.

use serde::Serialize;

use crate::eval::ScenarioState;
use crate::program::{ActorId, Checked, GroupKind, Line, MineralId, Shares};
use crate::source::{SourceId, SourceMap, Span};

/// One line of a file, as cited.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cited {
    /// The file's name as diagnostics give it: a path, `world2024`, `<repl:3>`.
    pub file: String,
    /// 1-based.
    pub line: usize,
    /// The line, without its indentation.
    pub text: String,
    /// The `source` that applies to the line, if any.
    pub source: Option<String>,
}

/// Finds the lines of one mineral in one scenario.
pub(crate) struct Citer<'a> {
    checked: &'a Checked,
    sources: &'a SourceMap,
    state: &'a ScenarioState,
    mineral: MineralId,
    /// The mineral's block: its source, byte range, and the block's own
    /// `source` if it comes first.
    block: Option<(SourceId, std::ops::Range<usize>, Option<String>)>,
}

impl<'a> Citer<'a> {
    pub fn new(
        checked: &'a Checked,
        sources: &'a SourceMap,
        state: &'a ScenarioState,
        mineral: MineralId,
    ) -> Self {
        let name = checked.world.minerals[mineral].span;
        let block = sources
            .get(name.source)
            .and_then(|f| mineral_block(&f.text, name.end))
            .map(|(range, own)| (name.source, range, own));
        Citer {
            checked,
            sources,
            state,
            mineral,
            block,
        }
    }

    /// The line holding `span`, with its source.
    pub fn span(&self, span: Span) -> Option<Cited> {
        let file = self.sources.get(span.source)?;
        let (line, range) = file.line_at(span.start);
        let (_, last) = file.line_at(span.end.max(span.start + 1) - 1);
        let text = file.text.get(range)?.trim().to_string();
        let source = source_after(&file.text, last.end).or_else(|| {
            let (id, block, own) = self.block.as_ref()?;
            (*id == span.source && block.contains(&span.start))
                .then(|| own.clone())
                .flatten()
        });
        Some(Cited {
            file: file.name.clone(),
            line,
            text,
            source,
        })
    }

    /// Several spans' lines, each line once, in order of appearance.
    pub fn spans(&self, spans: impl IntoIterator<Item = Span>) -> Vec<Cited> {
        let mut out: Vec<Cited> = Vec::new();
        for c in spans.into_iter().filter_map(|s| self.span(s)) {
            if !out.iter().any(|o| o.file == c.file && o.line == c.line) {
                out.push(c);
            }
        }
        out
    }

    fn line_of(&self, line: Line) -> Option<&'a Shares> {
        let ms = &self.state.minerals[self.mineral];
        match line {
            Line::Stage(s) => ms.stage_shares.get(s)?.as_ref(),
            Line::Demand => ms.demand.as_ref(),
        }
    }

    /// The entry of `actor` on a share line, or the whole line when the
    /// actor takes part through ROW's remainder; nothing when no line says.
    pub fn entry(&self, line: Line, actor: ActorId) -> Vec<Cited> {
        let Some(shares) = self.line_of(line) else {
            return Vec::new();
        };
        match shares.entries.iter().find(|e| e.actor == actor) {
            Some(e) => self.span(e.span).into_iter().collect(),
            None if actor == self.checked.world.row() => {
                self.span(shares.span).into_iter().collect()
            }
            None => Vec::new(),
        }
    }

    /// Where an actor's demand figure comes from: its entry on the demand
    /// line, or the coalition claim that supplied it.
    pub fn demand(&self, actor: ActorId) -> Vec<Cited> {
        let entry = self.entry(Line::Demand, actor);
        if !entry.is_empty() {
            return entry;
        }
        let world = &self.checked.world;
        let claim = world.groups.iter().find_map(|g| {
            let c = g.covers.as_ref()?;
            let applies = g.kind == GroupKind::Coalition
                && g.members.binary_search(&actor).is_ok()
                && c.minerals
                    .as_ref()
                    .is_none_or(|ms| ms.contains(&self.mineral));
            applies.then_some(c.span)
        });
        match claim {
            Some(span) => self.span(span).into_iter().collect(),
            // Not named: the demand line is what says so.
            None => self
                .line_of(Line::Demand)
                .and_then(|s| self.span(s.span))
                .into_iter()
                .collect(),
        }
    }

    /// A producer's output at a stage: its share entry and its `adds`.
    pub fn output(&self, stage: usize, actor: ActorId) -> Vec<Cited> {
        let ms = &self.state.minerals[self.mineral];
        let mut out = self.entry(Line::Stage(stage), actor);
        let adds = ms
            .adds
            .iter()
            .filter(|a| a.stage == stage && a.actor == actor)
            .map(|a| a.statement);
        for c in self.spans(adds) {
            if !out.contains(&c) {
                out.push(c);
            }
        }
        out
    }

    /// The sourcing line of `buyer` at a stage, if it names `supplier`.
    pub fn sourcing(&self, stage: usize, buyer: ActorId, supplier: ActorId) -> Vec<Cited> {
        let ms = &self.state.minerals[self.mineral];
        let spans = ms
            .sourcing
            .iter()
            .filter(|l| {
                l.stage == stage && l.buyer == buyer && l.shares.iter().any(|e| e.actor == supplier)
            })
            .map(|l| l.span);
        self.spans(spans)
    }

    /// The restrictions on the flow exporter → importer at a stage.
    pub fn restrictions(&self, stage: usize, exporter: ActorId, importer: ActorId) -> Vec<Cited> {
        let ms = &self.state.minerals[self.mineral];
        let spans = ms
            .restrictions
            .iter()
            .filter(|l| {
                l.exporter == exporter
                    && l.stages.contains(&stage)
                    && l.importers.contains(&importer)
            })
            .map(|l| l.statement);
        self.spans(spans)
    }

    /// The disruptions of an actor's output at a stage.
    pub fn disruptions(&self, stage: usize, actor: ActorId) -> Vec<Cited> {
        let ms = &self.state.minerals[self.mineral];
        let spans = ms
            .disruptions
            .iter()
            .filter(|d| d.actor == actor && d.stages.contains(&stage))
            .map(|d| d.statement);
        self.spans(spans)
    }

    /// The stockpile an actor holds.
    pub fn stock(&self, actor: ActorId) -> Vec<Cited> {
        let ms = &self.state.minerals[self.mineral];
        ms.stock
            .get(&actor)
            .and_then(|(_, span)| self.span(*span))
            .into_iter()
            .collect()
    }
}

/// The `source` string that follows the line ending at byte `from`, past
/// blanks, comments and `;`.
fn source_after(text: &str, from: usize) -> Option<String> {
    let rest = text.get(from..)?;
    let mut chars = rest.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() || c == ';' => {
                chars.next();
            }
            '#' => while chars.next_if(|&(_, c)| c != '\n' && c != '\r').is_some() {},
            _ => return source_string(&rest[i..]),
        }
    }
    None
}

/// `source "…"` at the start of `text`: the string, unescaped.
fn source_string(text: &str) -> Option<String> {
    let after = text.strip_prefix("source")?;
    let quoted = after.trim_start_matches([' ', '\t']);
    if quoted.len() == after.len() {
        return None;
    }
    let body = quoted.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.push(chars.next()?),
            c => out.push(c),
        }
    }
    None
}

/// The byte range of the mineral block whose name ends at `name_end`, and
/// its own `source` when that comes first in the block.
fn mineral_block(text: &str, name_end: usize) -> Option<(std::ops::Range<usize>, Option<String>)> {
    let rest = text.get(name_end..)?;
    let open = name_end + rest.find('{')?;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut comment = false;
    let mut end = text.len();
    for (i, c) in text[open..].char_indices() {
        if comment {
            comment = c != '\n' && c != '\r';
            continue;
        }
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '#' => comment = true,
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    end = open + i + 1;
                    break;
                }
            }
            _ => {}
        }
    }
    let own = source_after(text, open + 1);
    Some((open..end, own))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_line_cites_the_line_above_it() {
        let text = "mineral m {\n  source \"whole\"\n  a: CN 50%\n  # a comment\n\n  source \"for a\"\n  b: CN 10%\n}\n";
        let a_end = text.find("50%").unwrap() + 3;
        assert_eq!(source_after(text, a_end).as_deref(), Some("for a"));
        // `b` has none of its own: the block ends.
        let b_end = text.find("10%").unwrap() + 3;
        assert_eq!(source_after(text, b_end), None);
        let (range, own) = mineral_block(text, "mineral m".len()).unwrap();
        assert_eq!(own.as_deref(), Some("whole"));
        assert_eq!(&text[range.end - 1..range.end], "}");
    }

    #[test]
    fn strings_unescape_and_braces_in_them_do_not_count() {
        assert_eq!(
            source_string("source \"a \\\"b\\\" {c}\"").as_deref(),
            Some("a \"b\" {c}")
        );
        assert_eq!(source_string("sourced \"x\""), None);
        assert_eq!(source_string("source"), None);
        let text = "mineral m { source \"}\" # }\n a: X 1%\n}\nrest";
        let (range, _) = mineral_block(text, "mineral m".len()).unwrap();
        assert_eq!(&text[range.end..], "\nrest");
    }
}
