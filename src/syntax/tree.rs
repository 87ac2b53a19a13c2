//! The concrete syntax tree: every grammar rule the parser matched, with its
//! byte range, nothing resolved or dropped. The formatter prints from it
//! (every token as written), where the typed [`crate::ast`] would have lost
//! parentheses and spelling.

use pest::Parser;
use pest::iterators::Pair;

use super::grammar::{LodeParser, Rule};
use crate::diagnostic::Diag;
use crate::source::SourceId;

/// One matched rule: its kind, its byte range in the text, and the rules
/// matched inside it. Keywords and punctuation that the grammar names
/// (`kw_to`, `colon`, `lbrace`) are nodes; literals it does not name (`,`,
/// `+` between members, `..`, `+-`) lie in the gaps between children.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub rule: Rule,
    pub start: usize,
    pub end: usize,
    pub children: Vec<Node>,
}

impl Node {
    pub fn of(pair: Pair<'_, Rule>) -> Node {
        let span = pair.as_span();
        Node {
            rule: pair.as_rule(),
            start: span.start(),
            end: span.end(),
            children: pair.into_inner().map(Node::of).collect(),
        }
    }

    pub fn child(&self, rule: Rule) -> Option<&Node> {
        self.children.iter().find(|c| c.rule == rule)
    }

    /// Every node of the tree, this one first, depth first.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn walk(&self, f: &mut impl FnMut(&Node)) {
        f(self);
        for c in &self.children {
            c.walk(f);
        }
    }
}

/// Parses a whole program into its concrete tree, with the same limits and
/// the same syntax errors as [`super::parse`]. Problems the grammar cannot
/// see (a number with too many digits) are not errors here: the tree is
/// what was written.
pub fn parse(text: &str, source: SourceId) -> Result<Node, Vec<Diag>> {
    super::limits::check_depth(text, source).map_err(|d| vec![d])?;
    let mut pairs = LodeParser::parse(Rule::program, text)
        .map_err(|e| vec![super::syntax_error(e, Rule::program, text, source)])?;
    let pair = pairs
        .next()
        .unwrap_or_else(|| panic!("internal error: no program pair"));
    Ok(Node::of(pair))
}
