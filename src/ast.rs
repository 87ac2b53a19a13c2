//! The syntax tree: what the user wrote, with owned spans, before any name is
//! resolved. Built by `syntax::lower`; read by `check`.

use crate::source::Span;

/// A name as written (`CN`, `china`, `rare_earths`, `G7`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Program {
    pub stmts: Vec<Stmt>,
    /// Comments and blank lines, in order, for printers that keep them.
    pub trivia: Vec<Trivia>,
}

impl Program {
    pub fn new(stmts: Vec<Stmt>) -> Self {
        Program {
            stmts,
            trivia: Vec::new(),
        }
    }
}

/// What the grammar skips but a printer must keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriviaKind {
    /// `# …` to the end of the line (the span holds the `#`, not the newline).
    Comment,
    /// A line with nothing but blanks (the span covers those blanks).
    BlankLine,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trivia {
    pub kind: TriviaKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    Use(UseTarget),
    Actor(Vec<ActorDecl>),
    Group(GroupDecl),
    Mineral(MineralDecl),
    Coalition(CoalitionDecl),
    Let(LetDecl),
    /// `samples N`: how many samples to draw by default (SPEC §9.2).
    Samples(Expr),
    /// `seed S`: the default seed.
    Seed(Expr),
    Source(StringLit),
    /// `rare_earths.refining: CN 80%` (or a bare stage) outside a mineral block.
    ShareOverride(ShareOverride),
    /// `JP sources rare_earths.refining: CN 60%` outside a mineral block.
    Sourcing(SourcingOverride),
    Restrict(Restrict),
    Disrupt(Disrupt),
    Adds(Adds),
    Stockpile(Stockpile),
    Rerouting(Expr),
    Allocation(Allocation),
    Lift(Lift),
    /// `at DATE`: the date the scenario is evaluated at (SPEC §8.2).
    At(StringLit),
    Scenario(ScenarioDecl),
    Report(Report),
    Compare(Vec<Name>),
    Expect(Expect),
}

#[derive(Debug, Clone, PartialEq)]
pub struct StringLit {
    pub value: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UseTarget {
    Dataset(Name),
    File(StringLit),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActorDecl {
    pub code: Name,
    pub name: Option<StringLit>,
    pub aliases: Vec<Name>,
    pub gdp: Option<Expr>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GroupDecl {
    pub name: Name,
    pub members: Vec<Name>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MineralDecl {
    pub name: Name,
    pub items: Vec<MineralItem>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MineralItem {
    pub kind: MineralItemKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MineralItemKind {
    Stages(Vec<Name>),
    Volume(Expr),
    Source(StringLit),
    /// `mining: CN 69%` or `demand: CN 60%`.
    Shares(ShareLine),
    /// `JP sources refining: CN 60%`.
    Sourcing {
        buyer: Name,
        stage: Option<Name>,
        shares: Vec<Share>,
    },
}

/// A share list for a stage or for demand.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareLine {
    /// The stage name, or `demand`.
    pub line: Name,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    pub actor: Name,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ShareOverride {
    /// `Some(mineral)` in `rare_earths.refining:`, `None` for a bare stage.
    pub mineral: Option<Name>,
    pub line: Name,
    /// `only`: the line replaces the whole line; without it, it updates
    /// the named actors' shares (SPEC §2.1).
    pub only: bool,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourcingOverride {
    pub buyer: Name,
    pub target: MineralRef,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CoalitionDecl {
    /// `None` for an anonymous coalition, named after its members as written.
    pub name: Option<Name>,
    pub members: Vec<Name>,
    /// The members' source text joined by `+`, the anonymous coalition's name.
    pub members_text: String,
    pub members_span: Span,
    pub covers: Option<Covers>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Covers {
    pub share: Expr,
    pub minerals: Vec<Name>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LetDecl {
    pub name: Name,
    pub value: Expr,
}

/// A mineral list item: `rare_earths`, `rare_earths.refining`, or a bare stage.
#[derive(Debug, Clone, PartialEq)]
pub struct MineralRef {
    pub first: Name,
    pub stage: Option<Name>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// `to all [except A + B]`
    All { except: Vec<Name>, span: Span },
    /// `to JP + KR`
    Actors(Vec<Name>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Restrict {
    pub actor: Name,
    /// `bans` rather than `restricts`.
    pub ban: bool,
    pub verb_span: Span,
    pub minerals: Vec<MineralRef>,
    pub target: Target,
    pub by: Option<Expr>,
    pub dated: Dated,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disrupt {
    pub actor: Name,
    pub minerals: Vec<MineralRef>,
    pub by: Expr,
    pub dated: Dated,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Adds {
    pub actor: Name,
    pub amount: Expr,
    pub minerals: Vec<MineralRef>,
    pub dated: Dated,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stockpile {
    /// The actors or groups that hold it, each member as much.
    pub holders: Vec<Name>,
    pub minerals: Vec<MineralRef>,
    pub amount: Expr,
    pub dated: Dated,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocRule {
    Sticky,
    Market,
    CoalitionFirst,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Allocation {
    pub rule: AllocRule,
    pub coalition: Option<Name>,
}

/// `CN lifts restrictions [on m, …]`, or `CN lifts NAME` (SPEC §8.1).
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    pub actor: Name,
    pub minerals: Vec<MineralRef>,
    /// The one restriction lifted, by its `as` name.
    pub name: Option<Name>,
    pub dated: Dated,
}

/// `from DATE`, `until DATE` and `as NAME` (SPEC §8.1). Dates are kept as
/// written; the checker reads them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dated {
    pub from: Option<StringLit>,
    pub until: Option<StringLit>,
    /// `as NAME`: only restrictions take one.
    pub name: Option<Name>,
    /// A clause given twice (`from … from …`): the later one, kept for
    /// the checker to point at.
    pub repeated: Vec<Span>,
    pub span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioDecl {
    pub name: Name,
    pub extends: Option<Name>,
    pub body: Vec<Stmt>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub rows: Vec<Name>,
    pub minerals: Vec<Name>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }
}

/// `ACTOR.MINERAL.METRIC[.KEY]`
#[derive(Debug, Clone, PartialEq)]
pub struct MetricPath {
    pub actor: Name,
    pub mineral: Name,
    pub metric: Name,
    pub key: Option<Name>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectRhs {
    Value(Expr),
    /// An actor code, for `top_supplier == CN`.
    Code(Name),
    /// Another metric, in the scenario named or this one:
    /// `… > base: JP.rare_earths.shortfall`.
    Metric {
        scenario: Option<Name>,
        path: Box<MetricPath>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expect {
    pub scenario: Option<Name>,
    /// `expect SCENARIO at DATE: …`: measured at that date.
    pub at: Option<StringLit>,
    /// What is taken of the metric: its value, a statistic over the
    /// samples, or the chance that a comparison holds (SPEC §9.4).
    pub measure: Measure,
    pub path: MetricPath,
    pub op: CmpOp,
    pub op_span: Span,
    pub rhs: ExpectRhs,
    pub tolerance: Option<Expr>,
    /// The expectation after `expect` (and the scenario prefix), in the
    /// canonical layout of `lode fmt`: `JP.rare_earths.shortfall > 30%`.
    pub text: String,
}

/// A statistic over the samples of a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatKind {
    P5,
    P50,
    P95,
    Mean,
}

impl StatKind {
    pub fn name(self) -> &'static str {
        match self {
            StatKind::P5 => "p5",
            StatKind::P50 => "p50",
            StatKind::P95 => "p95",
            StatKind::Mean => "mean",
        }
    }
}

/// What an expectation takes of its metric.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// The deterministic value.
    Value,
    /// `p5(…)`, `p50(…)`, `p95(…)`, `mean(…)`.
    Stat(StatKind, Span),
    /// `chance(METRIC OP VALUE)`: the share of samples where it holds.
    Chance {
        op: CmpOp,
        op_span: Span,
        rhs: Box<ExpectRhs>,
        span: Span,
    },
}

/// A REPL input: statements, or a query to print.
#[derive(Debug, Clone, PartialEq)]
pub enum ReplInput {
    Stmts(Program),
    Metric(MetricPath),
    Expr(Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A plain number.
    None,
    Percent,
    Tonnes,
    Kilotonnes,
    Megatonnes,
    Days,
    Months,
    Years,
    Dollars,
    Millions,
    Billions,
    Trillions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal: the number as written (`60` for `60%`) and its unit.
    Literal {
        value: f64,
        unit: Unit,
    },
    Var(Name),
    Neg(Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// [next] `85%..92%` (mode = None: uniform) or `88% (85%..92%)`.
    Uncertain {
        low: Box<Expr>,
        mode: Option<Box<Expr>>,
        high: Box<Expr>,
    },
}
