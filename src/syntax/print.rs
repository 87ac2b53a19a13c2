//! The canonical layout of a program, printed from its concrete syntax
//! tree: what `lode fmt` writes ([`crate::format`]) and how an `expect`
//! line is named in results ([`inline`]). It lives beside the parser
//! because lowering names expectations with it; the rules of the layout
//! are described at [`crate::format`].
//!
//! The layout of each grammar rule is decided in [`layout`], one match arm
//! per rule: a new rule does not compile until it has its arm, and the
//! tests in `print/tests.rs` fail until `FORMS` has an example that makes
//! the parser match it.

#[cfg(test)]
mod tests;

use crate::ast::TriviaKind;
use crate::diagnostic::Diag;
use crate::source::SourceId;
use crate::syntax::Rule;
use crate::syntax::tree::{self, Node};

/// `text` in the canonical layout, or the syntax errors that stop it from
/// being read (the text is then left as it is).
pub fn format(text: &str) -> Result<String, Vec<Diag>> {
    format_source(text, SourceId(0))
}

/// [`format`], with diagnostics that point into `source`.
pub fn format_source(text: &str, source: SourceId) -> Result<String, Vec<Diag>> {
    let tree = tree::parse(text, source)?;
    let comments: Vec<(usize, usize)> = crate::syntax::trivia::scan(text, source)
        .into_iter()
        .filter(|t| t.kind == TriviaKind::Comment)
        .map(|t| (t.span.start, t.span.end))
        .collect();
    let mut p = Printer::new(text, &comments, 0);
    p.node(&tree, false);
    Ok(p.finish())
}

/// The tokens of `node` from byte `from` on, on one line in the canonical
/// spacing, without comments: how an `expect` line is named in results, so
/// that formatting a file does not change its output.
pub(crate) fn inline(node: &Node, text: &str, from: usize) -> String {
    let mut p = Printer::new(text, &[], from);
    p.node(node, false);
    p.finish_line();
    p.lines
        .iter()
        .filter_map(|l| match l {
            Line::Code { code, .. } => Some(code.as_str()),
            Line::Blank => None,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How a rule is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Statements, one a line, between `{` and `}` when the rule has them.
    Lines,
    /// One token, as written, spaced by its class.
    Token(Class),
    /// The children and the literals between them, in order.
    Sequence,
}

/// What a token is, as far as the spaces around it go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Word,
    /// `,`
    Comma,
    /// `:` after a share line's name or an expectation's scenario.
    Colon,
    /// `(`
    Open,
    /// `)`, and the `}` of an empty block.
    Close,
    /// `..` of a range.
    Range,
    /// Unary `-`.
    Prefix,
    /// `+` in the name of an anonymous coalition.
    Join,
    /// `{` of a block that has lines.
    OpenBrace,
    /// `}` on its own line.
    CloseBrace,
    /// The name of a call, written against its `(`: `p95(`, `chance(`.
    Callee,
}

/// One space between `prev` and `next` on a line?
fn spaced(prev: Class, next: Class) -> bool {
    use Class::*;
    let tight = matches!(next, Comma | Colon | Close | Range | Join)
        || matches!(prev, Open | Range | Prefix | Join)
        || (prev == Callee && next == Open);
    !tight
}

/// The layout of every rule of the grammar. Exhaustive on purpose: a rule
/// added to `grammar/lode.pest` does not compile until it is placed here.
fn layout(rule: Rule) -> Layout {
    use Class::*;
    use Layout::*;
    use Rule::*;
    match rule {
        program | block | mineral_body => Lines,
        lbrace => Token(OpenBrace),
        rbrace => Token(CloseBrace),
        lparen => Token(Open),
        rparen => Token(Close),
        colon => Token(Colon),
        neg => Token(Prefix),
        // Atoms, printed as written. The compound ones (`rare_earths.refining`,
        // `JP.gallium.shortfall`, `60%`, `$8.5B`, `2026Q1`) admit no blanks.
        code | ident | ident_raw | miscased | number | string | string_inner | percent | money
        | money_scale | unit | date_lit | mineral_ref | override_target | metric_path
        | path_head | path_part | line_name | cmp_op | equals | add | plus | sub | mul | div
        | EOI => Token(Word),
        kw_use | kw_actor | kw_alias | kw_gdp | kw_group | kw_mineral | kw_stages | kw_volume
        | kw_sources | kw_source | kw_coalition | kw_covers | kw_demand | kw_of | kw_let
        | kw_restricts | kw_bans | kw_to | kw_all | kw_except | kw_by | kw_disrupt | kw_adds
        | kw_stockpile | kw_rerouting | kw_allocation | kw_sticky | kw_market
        | kw_coalition_first | kw_scenario | kw_extends | kw_report | kw_for | kw_on
        | kw_compare | kw_expect | kw_from | kw_until | kw_lifts | kw_restrictions | kw_only
        | kw_samples | kw_seed | kw_as | kw_at => Token(Word),
        // Statements and their parts: tokens one space apart.
        use_stmt | dataset | actor_stmt | actor_decl | aliases | gdp | group_stmt | group_name
        | members | mineral_stmt | stages_line | volume_line | share_line | sources_line
        | share_list | share | source_stmt | share_override | sourcing_stmt | coalition_stmt
        | covers | let_stmt | restrict_stmt | target | all_except | by | disrupt_stmt
        | adds_stmt | stockpile_stmt | rerouting_stmt | allocation_stmt | allocation_rule
        | lift_stmt | dated | from_date | until_date | mineral_list | scenario_stmt
        | report_stmt | report_for | report_on | compare_stmt | expect_stmt | expect_rhs
        | other_metric | expect_expr | tolerance | samples_stmt | seed_stmt | statistic
        | chance | as_name | lift_name | at_stmt | expect_at => Sequence,
        stat_name | kw_chance => Token(Callee),
        expr | unary | paren | variable | uncertain | quantity | actor_ref => Sequence,
        repl_line | query => Sequence,
        // Silent or lookahead-only rules: never in a tree.
        WHITESPACE | COMMENT | sep | stmt | mineral_item | bin_op | expect_op | primary
        | scalar | ident_char | keyword | ci_keyword | kw_any | ci_kw_any => Sequence,
    }
}

/// Whether the `members` inside `node` spell a name (`G7+AU+IN`): an
/// anonymous coalition, and the rows of a `report for`, which name such
/// coalitions.
fn joins_members(node: &Node) -> bool {
    match node.rule {
        Rule::report_for => true,
        Rule::coalition_stmt => node.child(Rule::group_name).is_none(),
        _ => false,
    }
}

/// A literal the grammar does not name, found between two children.
fn literal_class(text: &str, join: bool) -> Class {
    match text {
        "," => Class::Comma,
        ".." => Class::Range,
        "+" if join => Class::Join,
        _ => Class::Word,
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Blank,
    Code {
        indent: usize,
        /// The code, or the text of a comment on a line of its own.
        code: String,
        /// A comment after the code.
        comment: Option<String>,
    },
}

struct Printer<'a> {
    text: &'a str,
    /// Byte ranges of the comments, in order.
    comments: &'a [(usize, usize)],
    next_comment: usize,
    /// Tokens before this byte are not printed.
    from: usize,
    lines: Vec<Line>,
    indent: usize,
    code: String,
    comment: Option<String>,
    /// The class of the last token on the current line.
    prev: Option<Class>,
    depth: usize,
    /// The next token starts a new line.
    break_pending: bool,
    /// The current line opened a block: no blank line follows it.
    after_open: bool,
    /// The end of the last token or comment placed.
    last_end: usize,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str, comments: &'a [(usize, usize)], from: usize) -> Self {
        Printer {
            text,
            comments,
            next_comment: 0,
            from,
            lines: Vec::new(),
            indent: 0,
            code: String::new(),
            comment: None,
            prev: None,
            depth: 0,
            break_pending: false,
            after_open: false,
            // Blank lines are looked for from here on: an `inline` print of
            // one statement must not scan the file before it.
            last_end: from,
        }
    }

    fn node(&mut self, n: &Node, join: bool) {
        if n.start == n.end {
            return;
        }
        match layout(n.rule) {
            Layout::Lines => self.lines(n),
            Layout::Token(class) => self.token(n.start, n.end, class),
            Layout::Sequence => {
                let joins = joins_members(n);
                let mut pos = n.start;
                for c in &n.children {
                    self.gap(pos, c.start, join);
                    self.node(c, join || (joins && c.rule == Rule::members));
                    pos = c.end;
                }
                self.gap(pos, n.end, join);
            }
        }
    }

    /// A program or a block: each statement on a line of its own.
    fn lines(&mut self, n: &Node) {
        let empty = n
            .children
            .iter()
            .all(|c| matches!(c.rule, Rule::lbrace | Rule::rbrace | Rule::EOI))
            && !self.comment_within(n.start, n.end);
        for c in &n.children {
            match c.rule {
                Rule::lbrace => {
                    self.token(c.start, c.end, Class::OpenBrace);
                    if !empty {
                        self.depth += 1;
                        self.break_pending = true;
                        self.after_open = true;
                    }
                }
                Rule::rbrace if empty => self.token(c.start, c.end, Class::Close),
                Rule::rbrace => {
                    // Comments before `}` belong inside the block.
                    self.comments_before(c.start);
                    self.depth = self.depth.saturating_sub(1);
                    self.break_pending = true;
                    self.token(c.start, c.end, Class::CloseBrace);
                }
                Rule::EOI => {}
                _ => {
                    self.break_pending = true;
                    self.node(c, false);
                }
            }
        }
    }

    /// The literals between two children: `,`, `+`, `..`, `+-`. Blanks,
    /// statement separators and comments are not literals.
    fn gap(&mut self, from: usize, to: usize, join: bool) {
        let text = self.text;
        let mut i = from;
        while i < to {
            let rest = &text[i..to];
            let Some(c) = rest.chars().next() else { break };
            if c.is_whitespace() || c == ';' || c == '\u{feff}' {
                i += c.len_utf8();
            } else if c == '#' {
                i += rest.find(['\n', '\r']).unwrap_or(rest.len());
            } else {
                let len = rest
                    .find(|c: char| c.is_whitespace() || c == ';' || c == '#')
                    .unwrap_or(rest.len());
                self.token(i, i + len, literal_class(&rest[..len], join));
                i += len;
            }
        }
    }

    fn token(&mut self, start: usize, end: usize, class: Class) {
        if start < self.from {
            return;
        }
        self.comments_before(start);
        // A rule that ends in a lookahead (`add`) ends after the blanks
        // before it: they are not part of the token.
        let text =
            self.text[start..end].trim_end_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if self.break_pending || self.line_is_empty() {
            self.new_line(start, class == Class::CloseBrace);
        } else if self.prev.is_some_and(|p| spaced(p, class)) {
            self.code.push(' ');
        }
        self.code.push_str(text);
        self.prev = Some(class);
        self.last_end = end;
    }

    fn line_is_empty(&self) -> bool {
        self.code.is_empty() && self.comment.is_none()
    }

    /// Ends the current line and starts one at the current depth, after a
    /// blank line where the source had one before `pos`.
    fn new_line(&mut self, pos: usize, closing: bool) {
        self.finish_line();
        let blank = !closing
            && !self.after_open
            && line_breaks(&self.text[self.last_end.min(pos)..pos]) >= 2
            && matches!(self.lines.last(), Some(Line::Code { .. }));
        if blank {
            self.lines.push(Line::Blank);
        }
        self.after_open = false;
        self.break_pending = false;
        self.indent = self.depth;
        self.prev = None;
    }

    fn finish_line(&mut self) {
        if !self.line_is_empty() {
            self.lines.push(Line::Code {
                indent: self.indent,
                code: std::mem::take(&mut self.code),
                comment: self.comment.take(),
            });
        }
    }

    /// Places the comments that start before `pos`.
    fn comments_before(&mut self, pos: usize) {
        while let Some(&(start, end)) = self.comments.get(self.next_comment) {
            if start >= pos {
                break;
            }
            self.next_comment += 1;
            let body = self.text[start..end].trim_end().to_string();
            let same_line = line_breaks(&self.text[self.last_end.min(start)..start]) == 0;
            if same_line && !self.line_is_empty() {
                self.comment = Some(body);
            } else {
                self.new_line(start, false);
                self.code = body;
                self.break_pending = true;
            }
            self.last_end = end;
        }
    }

    fn comment_within(&self, start: usize, end: usize) -> bool {
        let i = self.comments.partition_point(|&(s, _)| s < start);
        self.comments.get(i).is_some_and(|&(s, _)| s < end)
    }

    fn finish(mut self) -> String {
        self.comments_before(usize::MAX);
        self.finish_line();
        while matches!(self.lines.last(), Some(Line::Blank)) {
            self.lines.pop();
        }
        let eol = line_ending(self.text);
        render(&self.lines, eol)
    }
}

/// How many lines end in `text` (`\r\n` counts once).
fn line_breaks(text: &str) -> usize {
    let b = text.as_bytes();
    b.iter()
        .enumerate()
        .filter(|&(i, &c)| c == b'\n' || (c == b'\r' && b.get(i + 1) != Some(&b'\n')))
        .count()
}

/// The file's own line ending: `\r\n` if its first line ends so.
fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// The lines as text, the trailing comments of consecutive statements
/// aligned two spaces after the longest of their code. A line that opens
/// or closes a block keeps its comment two spaces after its code.
fn render(lines: &[Line], eol: &str) -> String {
    let width = |l: &Line| match l {
        Line::Code { indent, code, .. } => 2 * indent + code.chars().count(),
        Line::Blank => 0,
    };
    let aligned = |l: &Line| match l {
        Line::Code {
            code,
            comment: Some(_),
            ..
        } => !code.ends_with('{') && !code.starts_with('}'),
        _ => false,
    };
    let mut columns: Vec<usize> = lines.iter().map(|l| width(l) + 2).collect();
    let mut i = 0;
    while i < lines.len() {
        if !aligned(&lines[i]) {
            i += 1;
            continue;
        }
        let run = lines[i..].iter().take_while(|l| aligned(l)).count();
        let column = lines[i..i + run].iter().map(width).max().unwrap_or(0) + 2;
        columns[i..i + run].iter_mut().for_each(|c| *c = column);
        i += run;
    }
    let mut out = String::new();
    for (line, column) in lines.iter().zip(columns) {
        if let Line::Code {
            indent,
            code,
            comment,
        } = line
        {
            out.push_str(&"  ".repeat(*indent));
            out.push_str(code);
            if let Some(c) = comment {
                let pad = column - width(line);
                out.push_str(&" ".repeat(pad));
                out.push_str(c);
            }
        }
        out.push_str(eol);
    }
    out
}
