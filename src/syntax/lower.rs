//! From pest pairs to the typed syntax tree with owned spans.
//!
//! The grammar guarantees the shape of every pair, so a pair of an unexpected
//! rule here is a bug in lode, reported as an internal error by the caller's
//! panic hook — never a user error. Problems the grammar cannot see (a number
//! too long, too many unary minus signs) are collected as diagnostics.

use pest::iterators::Pair;

use super::grammar::Rule;
use super::limits::{MAX_DIGITS, MAX_EXPR_DEPTH, MAX_UNARY};
use super::rules::is_token;
use crate::ast::*;
use crate::diagnostic::{Code, Diag};
use crate::source::{SourceId, Span};

pub(crate) struct Lowerer {
    pub source: SourceId,
    pub errors: Vec<Diag>,
    /// The expression being lowered was already reported as too deep.
    too_deep: bool,
}

type P<'i> = Pair<'i, Rule>;

/// The content-bearing children of a pair (keywords and punctuation skipped).
fn kids(pair: P<'_>) -> impl Iterator<Item = P<'_>> {
    pair.into_inner().filter(|p| !is_token(p.as_rule()))
}

fn cmp_op(text: &str) -> CmpOp {
    match text {
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Le,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Ge,
        "!=" => CmpOp::Ne,
        _ => CmpOp::Eq,
    }
}

fn unexpected(pair: &P<'_>) -> ! {
    panic!(
        "internal error: unexpected grammar rule {:?} at byte {}",
        pair.as_rule(),
        pair.as_span().start()
    )
}

impl Lowerer {
    pub fn new(source: SourceId) -> Self {
        Lowerer {
            source,
            errors: Vec::new(),
            too_deep: false,
        }
    }

    /// The pair's span without the blanks pest's implicit whitespace leaves
    /// at its end (a rule ending in an optional part that matched nothing),
    /// so labels underline exactly what was written.
    fn span(&self, pair: &P<'_>) -> Span {
        let s = pair.as_span();
        let written = s
            .as_str()
            .trim_end_matches([' ', '\t', '\u{feff}', '\r', '\n']);
        Span::new(self.source, s.start(), s.start() + written.len())
    }

    fn name(&self, pair: P<'_>) -> Name {
        Name {
            text: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    pub fn program(&mut self, pair: P<'_>) -> Program {
        let stmts = kids(pair).map(|p| self.stmt(p)).collect();
        Program::new(stmts)
    }

    pub fn repl_line(&mut self, pair: P<'_>) -> ReplInput {
        let mut stmts = Vec::new();
        for p in kids(pair) {
            if p.as_rule() == Rule::query {
                let Some(q) = kids(p).next() else {
                    return ReplInput::Stmts(Program::new(stmts));
                };
                return match q.as_rule() {
                    Rule::metric_path => ReplInput::Metric(self.metric_path(q)),
                    _ => ReplInput::Expr(self.expr(q)),
                };
            }
            stmts.push(self.stmt(p));
        }
        ReplInput::Stmts(Program::new(stmts))
    }

    fn stmt(&mut self, pair: P<'_>) -> Stmt {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::use_stmt => {
                let p = kids(pair)
                    .next()
                    .unwrap_or_else(|| panic!("internal error: empty use"));
                match p.as_rule() {
                    Rule::string => {
                        let path = self.string(p);
                        if path.value.is_empty() {
                            self.errors.push(
                                Diag::new(Code::CannotRead, "`use \"\"` names no file: the path is empty")
                                    .with_label(path.span, "empty path")
                                    .help("write the path of a .lode file, relative to this file's directory (`use \"data/minerals.lode\"`), or the name of a data set (`use world2024`)"),
                            );
                        }
                        StmtKind::Use(UseTarget::File(path))
                    }
                    _ => StmtKind::Use(UseTarget::Dataset(self.name(p))),
                }
            }
            Rule::actor_stmt => StmtKind::Actor(kids(pair).map(|p| self.actor_decl(p)).collect()),
            Rule::group_stmt => {
                let mut it = kids(pair);
                let name = self.first_name(&mut it);
                let members = self.members(it.next());
                StmtKind::Group(GroupDecl { name, members })
            }
            Rule::mineral_stmt => StmtKind::Mineral(self.mineral(pair)),
            Rule::coalition_stmt => StmtKind::Coalition(self.coalition(pair)),
            Rule::let_stmt => {
                let mut it = kids(pair);
                let name = self.first_name(&mut it);
                let value = self.next_expr(&mut it);
                StmtKind::Let(LetDecl { name, value })
            }
            Rule::samples_stmt => {
                let mut it = kids(pair);
                StmtKind::Samples(self.next_expr(&mut it))
            }
            Rule::seed_stmt => {
                let mut it = kids(pair);
                StmtKind::Seed(self.next_expr(&mut it))
            }
            Rule::source_stmt => {
                let p = kids(pair)
                    .next()
                    .unwrap_or_else(|| panic!("internal error: empty source"));
                StmtKind::Source(self.string(p))
            }
            Rule::share_override => {
                let mut it = kids(pair).peekable();
                let target = it
                    .next()
                    .unwrap_or_else(|| panic!("internal error: override"));
                let mut parts: Vec<Name> = target.into_inner().map(|p| self.name(p)).collect();
                let only = it.next_if(|p| p.as_rule() == Rule::kw_only).is_some();
                let shares = self.share_list(it.next());
                let (mineral, line) = if parts.len() == 2 {
                    let line = parts.pop().unwrap_or_else(|| panic!("internal error"));
                    (parts.pop(), line)
                } else {
                    (
                        None,
                        parts.pop().unwrap_or_else(|| panic!("internal error")),
                    )
                };
                StmtKind::ShareOverride(ShareOverride {
                    mineral,
                    line,
                    only,
                    shares,
                })
            }
            Rule::sourcing_stmt => {
                let mut it = kids(pair);
                let buyer = self.actor_ref(it.next());
                let target = self.mineral_ref(it.next());
                let shares = self.share_list(it.next());
                StmtKind::Sourcing(SourcingOverride {
                    buyer,
                    target,
                    shares,
                })
            }
            Rule::restrict_stmt => StmtKind::Restrict(self.restrict(pair)),
            Rule::disrupt_stmt => {
                let mut it = kids(pair);
                let actor = self.actor_ref(it.next());
                let minerals = self.mineral_list(it.next());
                let by = self.by(it.next());
                let dated = self.dated(it.next());
                StmtKind::Disrupt(Disrupt {
                    actor,
                    minerals,
                    by,
                    dated,
                })
            }
            Rule::adds_stmt => {
                let mut it = kids(pair);
                let actor = self.actor_ref(it.next());
                let amount = self.next_expr(&mut it);
                let minerals = self.mineral_list(it.next());
                let dated = self.dated(it.next());
                StmtKind::Adds(Adds {
                    actor,
                    amount,
                    minerals,
                    dated,
                })
            }
            Rule::stockpile_stmt => {
                let mut it = kids(pair);
                let holders = self.members(it.next());
                let minerals = self.mineral_list(it.next());
                let amount = self.next_expr(&mut it);
                let dated = self.dated(it.next());
                StmtKind::Stockpile(Stockpile {
                    holders,
                    minerals,
                    amount,
                    dated,
                })
            }
            Rule::rerouting_stmt => {
                let mut it = kids(pair);
                StmtKind::Rerouting(self.next_expr(&mut it))
            }
            Rule::allocation_stmt => {
                let mut it = kids(pair);
                let rule_pair = it
                    .next()
                    .unwrap_or_else(|| panic!("internal error: allocation"));
                let rule = match rule_pair.into_inner().next().map(|p| p.as_rule()) {
                    Some(Rule::kw_sticky) => AllocRule::Sticky,
                    Some(Rule::kw_market) => AllocRule::Market,
                    _ => AllocRule::CoalitionFirst,
                };
                let coalition = it.next().map(|p| self.name(p));
                StmtKind::Allocation(Allocation { rule, coalition })
            }
            Rule::lift_stmt => {
                let mut actor = None;
                let mut minerals = Vec::new();
                let mut name = None;
                let mut dated = Dated::default();
                for p in kids(pair) {
                    match p.as_rule() {
                        Rule::actor_ref => actor = Some(self.actor_ref(Some(p))),
                        Rule::mineral_list => minerals = self.mineral_list(Some(p)),
                        Rule::lift_name => name = kids(p).next().map(|n| self.name(n)),
                        Rule::dated => dated = self.dated(Some(p)),
                        _ => {}
                    }
                }
                StmtKind::Lift(Lift {
                    actor: actor.unwrap_or_else(|| panic!("internal error: lift")),
                    minerals,
                    name,
                    dated,
                })
            }
            Rule::at_stmt => {
                let date = kids(pair)
                    .next()
                    .unwrap_or_else(|| panic!("internal error: `at` without a date"));
                StmtKind::At(self.date(date))
            }
            Rule::scenario_stmt => {
                let mut it = kids(pair);
                let name = self.first_name(&mut it);
                let mut extends = None;
                let mut body = Vec::new();
                for p in it {
                    match p.as_rule() {
                        Rule::ident => extends = Some(self.name(p)),
                        Rule::block => body = kids(p).map(|s| self.stmt(s)).collect(),
                        _ => unexpected(&p),
                    }
                }
                StmtKind::Scenario(ScenarioDecl {
                    name,
                    extends,
                    body,
                })
            }
            Rule::report_stmt => {
                let mut rows = Vec::new();
                let mut minerals = Vec::new();
                for p in kids(pair) {
                    match p.as_rule() {
                        Rule::report_for => rows = kids(p).map(|m| self.joined(m)).collect(),
                        Rule::report_on => minerals = kids(p).map(|m| self.name(m)).collect(),
                        _ => unexpected(&p),
                    }
                }
                StmtKind::Report(Report { rows, minerals })
            }
            Rule::compare_stmt => StmtKind::Compare(kids(pair).map(|p| self.name(p)).collect()),
            Rule::expect_stmt => StmtKind::Expect(self.expect(pair)),
            _ => unexpected(&pair),
        };
        Stmt { kind, span }
    }

    fn first_name<'i>(&self, it: &mut impl Iterator<Item = P<'i>>) -> Name {
        let p = it
            .next()
            .unwrap_or_else(|| panic!("internal error: missing name"));
        self.name(p)
    }

    fn string(&self, pair: P<'_>) -> StringLit {
        let span = self.span(&pair);
        let raw = pair.into_inner().next().map(|p| p.as_str()).unwrap_or("");
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(n) = chars.next() {
                    value.push(n);
                }
            } else {
                value.push(c);
            }
        }
        StringLit { value, span }
    }

    fn actor_decl(&mut self, pair: P<'_>) -> ActorDecl {
        let span = self.span(&pair);
        let mut it = kids(pair);
        let code = self.first_name(&mut it);
        let mut decl = ActorDecl {
            code,
            name: None,
            aliases: Vec::new(),
            gdp: None,
            span,
        };
        for p in it {
            match p.as_rule() {
                Rule::string => decl.name = Some(self.string(p)),
                Rule::aliases => decl.aliases = kids(p).map(|a| self.name(a)).collect(),
                Rule::gdp => {
                    let mut g = kids(p);
                    decl.gdp = Some(self.next_expr(&mut g));
                }
                _ => unexpected(&p),
            }
        }
        decl
    }

    fn actor_ref(&self, pair: Option<P<'_>>) -> Name {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing actor"));
        match pair.as_rule() {
            Rule::actor_ref | Rule::group_name => {
                let inner = pair
                    .into_inner()
                    .next()
                    .unwrap_or_else(|| panic!("internal error"));
                self.name(inner)
            }
            _ => self.name(pair),
        }
    }

    fn members(&self, pair: Option<P<'_>>) -> Vec<Name> {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing members"));
        kids(pair).map(|p| self.actor_ref(Some(p))).collect()
    }

    /// `G7+AU+IN` as one name: an anonymous coalition is named by its members.
    fn joined(&self, pair: P<'_>) -> Name {
        let span = self.span(&pair);
        let names = self.members(Some(pair));
        match names.as_slice() {
            [one] => one.clone(),
            _ => Name {
                text: names
                    .iter()
                    .map(|n| n.text.as_str())
                    .collect::<Vec<_>>()
                    .join("+"),
                span,
            },
        }
    }

    fn mineral(&mut self, pair: P<'_>) -> MineralDecl {
        let mut it = kids(pair);
        let name = self.first_name(&mut it);
        let body = it
            .next()
            .unwrap_or_else(|| panic!("internal error: mineral body"));
        let items = kids(body).map(|p| self.mineral_item(p)).collect();
        MineralDecl { name, items }
    }

    fn mineral_item(&mut self, pair: P<'_>) -> MineralItem {
        let span = self.span(&pair);
        let kind = match pair.as_rule() {
            Rule::stages_line => {
                MineralItemKind::Stages(kids(pair).map(|p| self.name(p)).collect())
            }
            Rule::volume_line => {
                let mut it = kids(pair);
                MineralItemKind::Volume(self.next_expr(&mut it))
            }
            Rule::source_stmt => {
                let p = kids(pair)
                    .next()
                    .unwrap_or_else(|| panic!("internal error: source"));
                MineralItemKind::Source(self.string(p))
            }
            Rule::share_line => {
                let mut it = kids(pair);
                let line = self.first_name(&mut it);
                let shares = self.share_list(it.next());
                MineralItemKind::Shares(ShareLine { line, shares })
            }
            Rule::sources_line => {
                let mut buyer = None;
                let mut stage = None;
                let mut shares = Vec::new();
                for p in kids(pair) {
                    match p.as_rule() {
                        Rule::actor_ref => buyer = Some(self.actor_ref(Some(p))),
                        Rule::ident => stage = Some(self.name(p)),
                        Rule::share_list => shares = self.share_list(Some(p)),
                        Rule::kw_sources => {}
                        _ => unexpected(&p),
                    }
                }
                MineralItemKind::Sourcing {
                    buyer: buyer.unwrap_or_else(|| panic!("internal error: sources")),
                    stage,
                    shares,
                }
            }
            _ => unexpected(&pair),
        };
        MineralItem { kind, span }
    }

    fn share_list(&mut self, pair: Option<P<'_>>) -> Vec<Share> {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing share list"));
        kids(pair)
            .map(|p| {
                let span = self.span(&p);
                let mut it = kids(p);
                let actor = self.actor_ref(it.next());
                let value = self.next_expr(&mut it);
                Share { actor, value, span }
            })
            .collect()
    }

    fn coalition(&mut self, pair: P<'_>) -> CoalitionDecl {
        let mut decl = CoalitionDecl {
            name: None,
            members: Vec::new(),
            members_text: String::new(),
            members_span: Span::default(),
            covers: None,
        };
        for p in kids(pair) {
            match p.as_rule() {
                Rule::group_name => decl.name = Some(self.actor_ref(Some(p))),
                Rule::members => {
                    decl.members_span = self.span(&p);
                    decl.members = self.members(Some(p));
                    decl.members_text = decl
                        .members
                        .iter()
                        .map(|m| m.text.as_str())
                        .collect::<Vec<_>>()
                        .join("+");
                }
                Rule::covers => {
                    let span = self.span(&p);
                    let mut it = kids(p);
                    let share = self.next_expr(&mut it);
                    let minerals = it.map(|m| self.name(m)).collect();
                    decl.covers = Some(Covers {
                        share,
                        minerals,
                        span,
                    });
                }
                _ => unexpected(&p),
            }
        }
        decl
    }

    fn restrict(&mut self, pair: P<'_>) -> Restrict {
        let mut actor = None;
        let mut ban = false;
        let mut verb_span = Span::default();
        let mut minerals = Vec::new();
        let mut target = Target::Actors(Vec::new());
        let mut by = None;
        let mut dated = Dated::default();
        for p in kids(pair) {
            match p.as_rule() {
                Rule::actor_ref => actor = Some(self.actor_ref(Some(p))),
                Rule::kw_restricts => verb_span = self.span(&p),
                Rule::kw_bans => {
                    ban = true;
                    verb_span = self.span(&p);
                }
                Rule::mineral_list => minerals = self.mineral_list(Some(p)),
                Rule::target => {
                    let inner = p
                        .into_inner()
                        .next()
                        .unwrap_or_else(|| panic!("internal error"));
                    target = match inner.as_rule() {
                        Rule::all_except => {
                            let span = self.span(&inner);
                            let except = kids(inner)
                                .next()
                                .map(|m| self.members(Some(m)))
                                .unwrap_or_default();
                            Target::All { except, span }
                        }
                        _ => Target::Actors(self.members(Some(inner))),
                    };
                }
                Rule::by => by = Some(self.by(Some(p))),
                Rule::dated => dated = self.dated(Some(p)),
                _ => unexpected(&p),
            }
        }
        Restrict {
            actor: actor.unwrap_or_else(|| panic!("internal error: restrict")),
            ban,
            verb_span,
            minerals,
            target,
            by,
            dated,
        }
    }

    fn by(&mut self, pair: Option<P<'_>>) -> Expr {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing by"));
        let mut it = kids(pair);
        self.next_expr(&mut it)
    }

    fn dated(&mut self, pair: Option<P<'_>>) -> Dated {
        let mut dated = Dated::default();
        let Some(pair) = pair else { return dated };
        let span = self.span(&pair);
        if !span.is_empty() {
            dated.span = Some(span);
        }
        for p in kids(pair) {
            let rule = p.as_rule();
            let clause = self.span(&p);
            let Some(inner) = kids(p).next() else {
                continue;
            };
            let slot_taken = match rule {
                Rule::from_date => dated.from.replace(self.date(inner)).is_some(),
                Rule::until_date => dated.until.replace(self.date(inner)).is_some(),
                Rule::as_name => dated.name.replace(self.name(inner)).is_some(),
                _ => unexpected(&inner),
            };
            if slot_taken {
                dated.repeated.push(clause);
            }
        }
        dated
    }

    /// A date as written, for the checker to read.
    fn date(&self, pair: P<'_>) -> StringLit {
        StringLit {
            value: pair.as_str().to_string(),
            span: self.span(&pair),
        }
    }

    fn mineral_list(&self, pair: Option<P<'_>>) -> Vec<MineralRef> {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing minerals"));
        kids(pair).map(|p| self.mineral_ref(Some(p))).collect()
    }

    fn mineral_ref(&self, pair: Option<P<'_>>) -> MineralRef {
        let pair = pair.unwrap_or_else(|| panic!("internal error: missing mineral"));
        let span = self.span(&pair);
        let mut it = pair.into_inner().map(|p| self.name(p));
        let first = it
            .next()
            .unwrap_or_else(|| panic!("internal error: mineral ref"));
        MineralRef {
            first,
            stage: it.next(),
            span,
        }
    }

    fn metric_path(&self, pair: P<'_>) -> MetricPath {
        let span = self.span(&pair);
        let mut parts = pair.into_inner().map(|p| self.name(p));
        let mut next = || {
            parts
                .next()
                .unwrap_or_else(|| panic!("internal error: metric path"))
        };
        let actor = next();
        let mineral = next();
        let metric = next();
        let key = parts.next();
        MetricPath {
            actor,
            mineral,
            metric,
            key,
            span,
        }
    }

    fn expect(&mut self, pair: P<'_>) -> Expect {
        let tree = super::tree::Node::of(pair.clone());
        let input = pair.get_input();
        let mut scenario = None;
        let mut at = None;
        let mut path = None;
        let mut measure = Measure::Value;
        let mut op = CmpOp::Eq;
        let mut op_span = Span::default();
        let mut rhs = None;
        let mut tolerance = None;
        for p in kids(pair) {
            match p.as_rule() {
                Rule::ident => scenario = Some(self.name(p)),
                Rule::expect_at => at = kids(p).next().map(|d| self.date(d)),
                Rule::metric_path => path = Some(self.metric_path(p)),
                Rule::statistic => {
                    let mut it = kids(p);
                    let name = it
                        .next()
                        .unwrap_or_else(|| panic!("internal error: statistic"));
                    let kind = match name.as_str() {
                        "p5" => StatKind::P5,
                        "p50" => StatKind::P50,
                        "p95" => StatKind::P95,
                        _ => StatKind::Mean,
                    };
                    measure = Measure::Stat(kind, self.span(&name));
                    path = it.next().map(|q| self.metric_path(q));
                }
                Rule::chance => {
                    let span = self.span(&p);
                    let mut it = kids(p).filter(|q| q.as_rule() != Rule::kw_chance);
                    path = it.next().map(|q| self.metric_path(q));
                    let op_pair = it
                        .next()
                        .unwrap_or_else(|| panic!("internal error: chance without operator"));
                    let inner_span = self.span(&op_pair);
                    let inner_op = cmp_op(op_pair.as_str());
                    let inner_rhs = it
                        .next()
                        .map(|q| self.expect_rhs(q))
                        .unwrap_or_else(|| panic!("internal error: chance without value"));
                    measure = Measure::Chance {
                        op: inner_op,
                        op_span: inner_span,
                        rhs: Box::new(inner_rhs),
                        span,
                    };
                }
                Rule::cmp_op => {
                    op_span = self.span(&p);
                    op = cmp_op(p.as_str());
                }
                Rule::expect_rhs => {
                    rhs = Some(self.expect_rhs(p));
                }
                Rule::tolerance => {
                    let mut it = kids(p);
                    tolerance = Some(self.next_expr(&mut it));
                }
                _ => unexpected(&p),
            }
        }
        let path = path.unwrap_or_else(|| panic!("internal error: expect without path"));
        // Named in the canonical layout, without comments, so that the
        // results do not depend on how the line is spaced.
        // A statistic or a chance is part of the expectation's text.
        let start = match &measure {
            Measure::Value => path.span.start,
            Measure::Stat(_, span) | Measure::Chance { span, .. } => {
                span.start.min(path.span.start)
            }
        };
        let text = super::print::inline(&tree, input, start);
        Expect {
            scenario,
            at,
            measure,
            path,
            op,
            op_span,
            rhs: rhs.unwrap_or_else(|| panic!("internal error: expect without value")),
            tolerance,
            text,
        }
    }

    fn expect_rhs(&mut self, p: P<'_>) -> ExpectRhs {
        let inner = p
            .into_inner()
            .next()
            .unwrap_or_else(|| panic!("internal error: empty expectation value"));
        match inner.as_rule() {
            Rule::code | Rule::miscased => ExpectRhs::Code(self.name(inner)),
            Rule::other_metric => {
                let mut scenario = None;
                let mut path = None;
                for q in kids(inner) {
                    match q.as_rule() {
                        Rule::ident => scenario = Some(self.name(q)),
                        Rule::metric_path => path = Some(self.metric_path(q)),
                        _ => unexpected(&q),
                    }
                }
                ExpectRhs::Metric {
                    scenario,
                    path: Box::new(
                        path.unwrap_or_else(|| {
                            panic!("internal error: other metric without a path")
                        }),
                    ),
                }
            }
            _ => ExpectRhs::Value(self.expr(inner)),
        }
    }

    fn next_expr<'i>(&mut self, it: &mut impl Iterator<Item = P<'i>>) -> Expr {
        let p = it
            .next()
            .unwrap_or_else(|| panic!("internal error: missing expression"));
        self.expr(p)
    }

    /// `expr = unary (op unary)*`, folded with the usual precedence.
    fn expr(&mut self, pair: P<'_>) -> Expr {
        self.too_deep = false;
        self.expr_d(pair).0
    }

    /// Builds an operator node, unless the tree would grow deeper than
    /// [`MAX_EXPR_DEPTH`]: then reports it once and gives a leaf instead, so
    /// no later stage (checking, evaluating, dropping) recurses without bound.
    fn join(&mut self, op: BinOp, lhs: (Expr, usize), rhs: (Expr, usize)) -> (Expr, usize) {
        let depth = lhs.1.max(rhs.1) + 1;
        let e = binary(op, lhs.0, rhs.0);
        self.bounded(e, depth)
    }

    fn bounded(&mut self, e: Expr, depth: usize) -> (Expr, usize) {
        if depth <= MAX_EXPR_DEPTH {
            return (e, depth);
        }
        let span = e.span;
        if !std::mem::replace(&mut self.too_deep, true) {
            self.errors.push(
                Diag::new(
                    Code::TooDeep,
                    format!("expression more than {MAX_EXPR_DEPTH} operations deep"),
                )
                .with_label(span, "nested too deeply")
                .help("split it with `let` into smaller parts"),
            );
        }
        // `e` is at most one level over the limit, so dropping it is safe.
        drop(e);
        (
            Expr {
                kind: ExprKind::Literal {
                    value: 0.0,
                    unit: Unit::None,
                },
                span,
            },
            1,
        )
    }

    /// An expression and the depth of its tree.
    fn expr_d(&mut self, pair: P<'_>) -> (Expr, usize) {
        if !matches!(pair.as_rule(), Rule::expr | Rule::expect_expr) {
            return self.operand(pair);
        }
        let mut operands: Vec<(Expr, usize)> = Vec::new();
        let mut ops: Vec<BinOp> = Vec::new();
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::add | Rule::plus => ops.push(BinOp::Add),
                Rule::sub => ops.push(BinOp::Sub),
                Rule::mul => ops.push(BinOp::Mul),
                Rule::div => ops.push(BinOp::Div),
                _ => operands.push(self.operand(p)),
            }
        }
        // Two precedence levels: `* /` bind first, then `+ -`; each chain is
        // read left to right.
        let mut terms: Vec<(Expr, usize)> = Vec::new();
        let mut term_ops: Vec<BinOp> = Vec::new();
        let mut factors: Vec<(Expr, usize)> = Vec::new();
        let mut factor_ops: Vec<BinOp> = Vec::new();
        let mut operands = operands.into_iter();
        let Some(first) = operands.next() else {
            panic!("internal error: empty expression")
        };
        factors.push(first);
        for (op, rhs) in ops.into_iter().zip(operands) {
            match op {
                BinOp::Mul | BinOp::Div => {
                    factor_ops.push(op);
                    factors.push(rhs);
                }
                BinOp::Add | BinOp::Sub => {
                    let product = std::mem::take(&mut factors);
                    terms.push(self.chain(product, std::mem::take(&mut factor_ops)));
                    term_ops.push(op);
                    factors.push(rhs);
                }
            }
        }
        terms.push(self.chain(factors, factor_ops));
        self.chain(terms, term_ops)
    }

    /// Folds a chain `a op b op c …` of one precedence level, where `ops[i]`
    /// stands before `items[i + 1]`. A chain of up to [`CHAIN`] items is
    /// folded left to right, as written. A longer one (only generated text
    /// has one) is cut into runs of [`CHAIN`] items, each folded left to
    /// right and then joined the same way, so its tree grows with the
    /// logarithm of its length, not with the length: a flat sum is not
    /// nesting, and only nesting counts towards [`MAX_EXPR_DEPTH`]. A run
    /// after a `-` (`/`) is subtracted (divided by) as a whole, so the
    /// operators inside it are flipped: `a - b + c` is `a - (b - c)`.
    fn chain(&mut self, mut items: Vec<(Expr, usize)>, mut ops: Vec<BinOp>) -> (Expr, usize) {
        while items.len() > CHAIN {
            let mut joined = Vec::with_capacity(items.len().div_ceil(CHAIN));
            let mut leads = Vec::with_capacity(joined.capacity());
            let mut items_it = items.into_iter();
            let mut ops_it = ops.into_iter();
            let mut lead = None;
            loop {
                let run: Vec<(Expr, usize)> = items_it.by_ref().take(CHAIN).collect();
                if run.is_empty() {
                    break;
                }
                let flip = matches!(lead, Some(BinOp::Sub | BinOp::Div));
                let inner: Vec<BinOp> = ops_it
                    .by_ref()
                    .take(run.len() - 1)
                    .map(|op| if flip { flipped(op) } else { op })
                    .collect();
                joined.push(self.fold_left(run, inner));
                if let Some(op) = lead {
                    leads.push(op);
                }
                lead = ops_it.next();
            }
            items = joined;
            ops = leads;
        }
        self.fold_left(items, ops)
    }

    fn fold_left(&mut self, items: Vec<(Expr, usize)>, ops: Vec<BinOp>) -> (Expr, usize) {
        let mut items = items.into_iter();
        let Some(mut acc) = items.next() else {
            panic!("internal error: empty chain")
        };
        for (op, rhs) in ops.into_iter().zip(items) {
            acc = self.join(op, acc, rhs);
        }
        acc
    }

    fn operand(&mut self, pair: P<'_>) -> (Expr, usize) {
        let span = self.span(&pair);
        let leaf = |e: Expr| (e, 1);
        match pair.as_rule() {
            Rule::unary => {
                let mut negs: Vec<Span> = Vec::new();
                let mut primary = None;
                for p in pair.into_inner() {
                    if p.as_rule() == Rule::neg {
                        negs.push(self.span(&p));
                    } else {
                        primary = Some(self.operand(p));
                    }
                }
                let (mut e, mut depth) = primary.unwrap_or_else(|| panic!("internal error: unary"));
                if let (Some(&first), Some(&last), true) =
                    (negs.first(), negs.last(), negs.len() > MAX_UNARY)
                {
                    self.errors.push(
                        Diag::new(
                            Code::TooDeep,
                            format!("more than {MAX_UNARY} minus signs in a row"),
                        )
                        .with_label(first.to(last), format!("{} signs", negs.len()))
                        .help("two minus signs cancel; write the value with at most one"),
                    );
                    return (e, depth);
                }
                // Fold innermost first; iterative so a long run cannot recurse.
                for neg in negs.into_iter().rev() {
                    let span = neg.to(e.span);
                    e = Expr {
                        kind: ExprKind::Neg(Box::new(e)),
                        span,
                    };
                    depth += 1;
                }
                self.bounded(e, depth)
            }
            Rule::paren => {
                let inner = kids(pair)
                    .next()
                    .unwrap_or_else(|| panic!("internal error: paren"));
                let (mut e, depth) = self.expr_d(inner);
                e.span = span;
                (e, depth)
            }
            Rule::variable => {
                let inner = pair
                    .into_inner()
                    .next()
                    .unwrap_or_else(|| panic!("internal error"));
                leaf(Expr {
                    kind: ExprKind::Var(self.name(inner)),
                    span,
                })
            }
            Rule::uncertain => {
                let parts: Vec<(Expr, usize)> = kids(pair).map(|p| self.operand(p)).collect();
                let depth = parts.iter().map(|p| p.1).max().unwrap_or(0) + 1;
                let parts: Vec<Expr> = parts.into_iter().map(|p| p.0).collect();
                let kind = match <[Expr; 2]>::try_from(parts) {
                    Ok([low, high]) => ExprKind::Uncertain {
                        low: Box::new(low),
                        mode: None,
                        high: Box::new(high),
                    },
                    Err(parts) => {
                        let mut it = parts.into_iter();
                        let mut next = || it.next().unwrap_or_else(|| panic!("internal error"));
                        let mode = next();
                        let low = next();
                        let high = next();
                        ExprKind::Uncertain {
                            low: Box::new(low),
                            mode: Some(Box::new(mode)),
                            high: Box::new(high),
                        }
                    }
                };
                (Expr { kind, span }, depth)
            }
            Rule::number => leaf(self.literal(pair.as_str(), Unit::None, span)),
            Rule::percent => {
                let num = pair
                    .into_inner()
                    .next()
                    .unwrap_or_else(|| panic!("internal error"));
                leaf(self.literal(num.as_str(), Unit::Percent, span))
            }
            Rule::quantity => {
                let mut it = pair.into_inner();
                let num = it.next().unwrap_or_else(|| panic!("internal error"));
                let unit = match it.next().map(|u| u.as_str()) {
                    Some("t") => Unit::Tonnes,
                    Some("kt") => Unit::Kilotonnes,
                    Some("Mt") => Unit::Megatonnes,
                    Some("days") => Unit::Days,
                    Some("months") => Unit::Months,
                    _ => Unit::Years,
                };
                leaf(self.literal(num.as_str(), unit, span))
            }
            Rule::money => {
                let mut it = pair.into_inner();
                let num = it.next().unwrap_or_else(|| panic!("internal error"));
                let unit = match it.next().map(|u| u.as_str()) {
                    Some("M") => Unit::Millions,
                    Some("B") => Unit::Billions,
                    Some("T") => Unit::Trillions,
                    _ => Unit::Dollars,
                };
                leaf(self.literal(num.as_str(), unit, span))
            }
            Rule::expr => self.expr_d(pair),
            _ => unexpected(&pair),
        }
    }

    fn literal(&mut self, text: &str, unit: Unit, span: Span) -> Expr {
        let digits: String = text.chars().filter(|c| *c != '_').collect();
        let count = digits.chars().filter(|c| c.is_ascii_digit()).count();
        let value = digits.parse::<f64>().unwrap_or(f64::INFINITY);
        if count > MAX_DIGITS || !value.is_finite() {
            self.errors.push(
                Diag::new(Code::BadNumber, format!("number has {count} digits"))
                    .with_label(span, "too long to be a figure")
                    .help(format!("numbers may have at most {MAX_DIGITS} digits")),
            );
        }
        Expr {
            kind: ExprKind::Literal {
                value: if value.is_finite() { value } else { 0.0 },
                unit,
            },
            span,
        }
    }
}

/// The longest chain of one precedence level folded as written; see
/// [`Lowerer::chain`].
const CHAIN: usize = 32;

/// The operator that has the same effect inside a run that is subtracted
/// or divided by as a whole.
fn flipped(op: BinOp) -> BinOp {
    match op {
        BinOp::Add => BinOp::Sub,
        BinOp::Sub => BinOp::Add,
        BinOp::Mul => BinOp::Div,
        BinOp::Div => BinOp::Mul,
    }
}

fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr {
        kind: ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)),
        span,
    }
}
