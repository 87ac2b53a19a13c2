//! A checked program: every name resolved to an index, every expression to a
//! number in the unit its statement needs. Built by `check`; read by `eval`.
//! Nothing here can be wrong in a way the user should hear about — the
//! checker has already said it.

use crate::ast::CmpOp;
use crate::date::Date;
use crate::source::Span;

/// Dense ids of the program's spaces, each its own type, so a world actor
/// is never mistaken for a model's local index or a mineral. `Vec`s of the
/// program are indexed by them directly.
macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
        pub struct $name(pub u32);

        impl $name {
            pub fn new(index: usize) -> Self {
                $name(u32::try_from(index).unwrap_or_else(|_| {
                    panic!("internal error: more than 2^32 {}s", stringify!($name))
                }))
            }

            pub fn index(self) -> usize {
                self.0 as usize
            }

            /// Every id below `n`.
            pub fn all(n: usize) -> impl DoubleEndedIterator<Item = $name> + Clone {
                (0..n).map($name::new)
            }
        }

        impl<T> std::ops::Index<$name> for Vec<T> {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.index()]
            }
        }

        impl<T> std::ops::IndexMut<$name> for Vec<T> {
            fn index_mut(&mut self, id: $name) -> &mut T {
                &mut self[id.index()]
            }
        }

        impl<T> std::ops::Index<$name> for [T] {
            type Output = T;
            fn index(&self, id: $name) -> &T {
                &self[id.index()]
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

ids! {
    /// An actor of the world (`ROW` included).
    ActorId;
    /// A group or coalition.
    GroupId;
    MineralId;
    /// A scenario: `base` is 0, then the blocks in file order.
    ScenarioId;
}

impl ScenarioId {
    pub const BASE: ScenarioId = ScenarioId(0);
}

/// The implicit rest-of-world actor.
pub const ROW: &str = "ROW";

#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub code: String,
    pub name: Option<String>,
    pub aliases: Vec<String>,
    /// GDP in US dollars.
    pub gdp: Option<Num>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupKind {
    Group,
    Coalition,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub name: String,
    pub kind: GroupKind,
    /// Expanded to countries, sorted, deduplicated.
    pub members: Vec<ActorId>,
    pub span: Span,
    /// Declared in the file being run (not in a data set it uses): shown by default.
    pub in_main: bool,
    pub covers: Option<CoversClaim>,
}

/// `covers X demand [of m, …]`
#[derive(Debug, Clone, PartialEq)]
pub struct CoversClaim {
    pub share: Num,
    /// `None`: every mineral.
    pub minerals: Option<Vec<MineralId>>,
    pub span: Span,
}

// ---------------------------------------------------------------- numbers

ids! {
    /// An uncertain value or a `let` variable: what sampling redraws and a
    /// sensitivity analysis moves.
    InputId;
    /// A number of the program that depends on inputs.
    ParamId;
}

/// A number of the checked program: its plain value (SPEC §9.1: ranges at
/// their midpoint or mode), and, when it depends on inputs, the parameter
/// that recomputes it from them. Structure and numbers are thus kept apart:
/// new values for the inputs are evaluated without checking again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num {
    pub plain: f64,
    pub param: Option<ParamId>,
}

impl Default for Num {
    fn default() -> Self {
        Num::constant(0.0)
    }
}

impl Num {
    pub fn constant(plain: f64) -> Self {
        Num { plain, param: None }
    }

    /// The value under `values`.
    pub fn get(self, values: &Values) -> f64 {
        match self.param {
            Some(p) => values.params.get(p.index()).copied().unwrap_or(self.plain),
            None => self.plain,
        }
    }
}

/// An expression over inputs, with units already applied (`60%` is 0.6,
/// `2 kt` is 2000 t).
#[derive(Debug, Clone, PartialEq)]
pub enum ValueExpr {
    Const(f64),
    Input(InputId),
    Neg(Box<ValueExpr>),
    Add(Box<ValueExpr>, Box<ValueExpr>),
    Sub(Box<ValueExpr>, Box<ValueExpr>),
    Mul(Box<ValueExpr>, Box<ValueExpr>),
    Div(Box<ValueExpr>, Box<ValueExpr>),
}

impl ValueExpr {
    pub fn eval(&self, inputs: &[f64]) -> f64 {
        match self {
            ValueExpr::Const(v) => *v,
            ValueExpr::Input(i) => inputs.get(i.index()).copied().unwrap_or(f64::NAN),
            ValueExpr::Neg(a) => -a.eval(inputs),
            ValueExpr::Add(a, b) => a.eval(inputs) + b.eval(inputs),
            ValueExpr::Sub(a, b) => a.eval(inputs) - b.eval(inputs),
            ValueExpr::Mul(a, b) => a.eval(inputs) * b.eval(inputs),
            ValueExpr::Div(a, b) => a.eval(inputs) / b.eval(inputs),
        }
    }
}

/// What an input is.
#[derive(Debug, Clone, PartialEq)]
pub enum InputKind {
    /// `a..b` (`mode: None`, uniform) or `m (a..b)` (triangular).
    Range {
        low: f64,
        mode: Option<f64>,
        high: f64,
    },
    /// A `let` variable with a plain value.
    Let { value: f64 },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    pub kind: InputKind,
    /// The range as written, or the `let`'s name.
    pub span: Span,
    /// The variable it is bound to, if any.
    pub name: Option<String>,
}

impl Input {
    /// The value a plain evaluation uses: the midpoint of a uniform range,
    /// the mode of a triangular one, a `let`'s value.
    pub fn plain(&self) -> f64 {
        match &self.kind {
            InputKind::Range { low, mode, high } => mode.unwrap_or((low + high) / 2.0),
            InputKind::Let { value } => *value,
        }
    }
}

/// A number that depends on inputs: how to recompute it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub expr: ValueExpr,
    pub span: Span,
}

/// The numbers one evaluation uses: every input's value and every
/// parameter computed from them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Values {
    pub inputs: Vec<f64>,
    pub params: Vec<f64>,
}

impl Values {
    /// Parameters recomputed from `inputs`.
    pub fn from_inputs(checked: &Checked, inputs: Vec<f64>) -> Self {
        let params = checked
            .params
            .iter()
            .map(|p| p.expr.eval(&inputs))
            .collect();
        Values { inputs, params }
    }
}

// ---------------------------------------------------------------- world data

/// One entry of a share list: `CN 69%`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ShareEntry {
    pub actor: ActorId,
    pub value: Num,
    /// The entry as written.
    pub span: Span,
}

/// A share list with its implicit remainder left to `ROW`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shares {
    /// Named entries in the order written (ROW may be among them).
    pub entries: Vec<ShareEntry>,
    /// The whole line.
    pub span: Span,
}

impl Shares {
    /// This line restated by `new`: `only` replaces it; otherwise each
    /// actor `new` names gets its new share (in place, or added at the end)
    /// and the others keep theirs. An explicit `ROW` entry that `new` does
    /// not name is dropped, so ROW absorbs the difference as the
    /// remainder.
    pub fn restated(&self, new: &Shares, only: bool, row: ActorId) -> Shares {
        if only {
            return new.clone();
        }
        let mut entries: Vec<ShareEntry> = self
            .entries
            .iter()
            .filter(|e| e.actor != row || new.entries.iter().any(|n| n.actor == row))
            .copied()
            .collect();
        for n in &new.entries {
            match entries.iter_mut().find(|e| e.actor == n.actor) {
                Some(e) => *e = *n,
                None => entries.push(*n),
            }
        }
        Shares {
            entries,
            span: new.span,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourcingLine {
    pub buyer: ActorId,
    pub stage: usize,
    pub shares: Vec<ShareEntry>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Mineral {
    pub name: String,
    pub stages: Vec<String>,
    /// World demand, tonnes per year.
    pub volume_t: Option<f64>,
    /// One share line per stage (`None`: all `ROW`).
    pub stage_shares: Vec<Option<Shares>>,
    pub demand: Option<Shares>,
    pub sourcing: Vec<SourcingLine>,
    pub sources: Vec<String>,
    pub span: Span,
}

/// Which share line a statement restates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    Stage(usize),
    Demand,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stock {
    Days(Num),
    Tonnes(Num),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allocation {
    Sticky,
    #[default]
    Market,
    CoalitionFirst(GroupId),
}

// ---------------------------------------------------------------- scenarios

/// A resolved statement of a scenario, with the statement it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Action {
    pub kind: ActionKind,
    /// The whole statement.
    pub span: Span,
    /// In force from this day on (SPEC §8.1); `None`: since always.
    pub from: Option<Date>,
    /// In force until the day before this one; `None`: for ever.
    pub until: Option<Date>,
    /// `as NAME` on a restriction, which `lifts NAME` suspends alone.
    pub name: Option<String>,
}

impl Action {
    /// An undated, unnamed action.
    pub fn new(kind: ActionKind, span: Span) -> Self {
        Action {
            kind,
            span,
            from: None,
            until: None,
            name: None,
        }
    }

    /// In force at `at`: on `[from, until)`. Undated (`None`), every
    /// statement is in force (SPEC §8.2).
    pub fn in_force(&self, at: Option<Date>) -> bool {
        match at {
            None => true,
            Some(t) => self.from.is_none_or(|f| f <= t) && self.until.is_none_or(|u| t < u),
        }
    }

    /// The stages of `restriction` (a `Restrict` action on `mineral`) that
    /// this action, a lift, suspends while it is in force: restrictions by
    /// the lifting actor on the minerals it names (all of them without
    /// `on`), or the one it names, whose own `from` is earlier than the
    /// lift's `from`, or that have none (SPEC §8.1). Empty when it suspends
    /// none of them.
    pub fn suspends(&self, restriction: &Action) -> Vec<usize> {
        let (
            ActionKind::Lift { actor, lifted },
            ActionKind::Restrict {
                exporter,
                mineral,
                stages,
                ..
            },
        ) = (&self.kind, &restriction.kind)
        else {
            return Vec::new();
        };
        let earlier = match (restriction.from, self.from) {
            (None, _) => true,
            (Some(r), Some(l)) => r < l,
            (Some(_), None) => false,
        };
        if actor != exporter || !earlier {
            return Vec::new();
        }
        match lifted {
            Lifted::All => stages.clone(),
            Lifted::Named(n) => {
                if restriction.name.as_deref() == Some(n.as_str()) {
                    stages.clone()
                } else {
                    Vec::new()
                }
            }
            Lifted::On(list) => {
                let mut out: Vec<usize> = stages
                    .iter()
                    .copied()
                    .filter(|s| {
                        list.iter()
                            .any(|(m, ls)| m == mineral && (ls.is_empty() || ls.contains(s)))
                    })
                    .collect();
                out.dedup();
                out
            }
        }
    }

    /// Whether the two are ever in force together.
    pub fn overlaps(&self, other: &Action) -> bool {
        let start = self.from.max(other.from);
        let end = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        match (start, end) {
            (Some(s), Some(e)) => s < e,
            _ => true,
        }
    }
}

/// What a `lifts` statement suspends.
#[derive(Debug, Clone, PartialEq)]
pub enum Lifted {
    /// `lifts restrictions`: every restriction of the actor.
    All,
    /// `lifts restrictions on m, m.stage`: those minerals (an empty stage
    /// list is every stage).
    On(Vec<(MineralId, Vec<usize>)>),
    /// `lifts NAME`: the restriction named so with `as`.
    Named(String),
}

/// What a statement does, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub enum ActionKind {
    /// A restated share line: `only` replaces the line, else the named
    /// actors' shares are updated and the others kept (SPEC §2.1).
    Shares {
        mineral: MineralId,
        line: Line,
        shares: Shares,
        only: bool,
    },
    Sourcing {
        mineral: MineralId,
        line: SourcingLine,
    },
    Adds {
        actor: ActorId,
        mineral: MineralId,
        stage: usize,
        amount: Num,
    },
    Stockpile {
        actor: ActorId,
        mineral: MineralId,
        stock: Stock,
    },
    Restrict {
        exporter: ActorId,
        importers: Vec<ActorId>,
        mineral: MineralId,
        stages: Vec<usize>,
        fraction: Num,
        /// `by 10 kt`: a quota in tonnes per year in place of `fraction`,
        /// taken off the flows pro rata to their equilibrium size.
        quota: Option<Num>,
        /// From the restricting actor to the end of the target.
        target_span: Span,
    },
    Disrupt {
        actor: ActorId,
        mineral: MineralId,
        stages: Vec<usize>,
        fraction: Num,
    },
    Rerouting(Num),
    Allocation(Allocation),
    /// `lifts`: suspends restrictions while in force (SPEC §8.1).
    Lift {
        actor: ActorId,
        lifted: Lifted,
    },
}

// ---------------------------------------------------------------- uses

/// What a name written in the program stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Def {
    Actor(ActorId),
    Group(GroupId),
    Mineral(MineralId),
    Stage(MineralId, usize),
    /// A `let` variable, by the span of its name where it is defined.
    Variable(Span),
    Scenario(ScenarioId),
    /// A file or data set brought in by `use`, by its source.
    File(crate::source::SourceId),
}

/// One use of a name: where it is written, and what it resolved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Use {
    pub span: Span,
    pub def: Def,
}

/// What a metric path names.
#[derive(Debug, Clone, PartialEq)]
pub enum Metric {
    Demand,
    Output(usize),
    ImportReliance,
    TopSupplier,
    TopSupplierShare,
    Hhi,
    Dependency(ActorId),
    AtRisk,
    Shortfall,
    CoverDays,
}

impl Metric {
    pub fn kind(&self) -> crate::metric::MetricKind {
        use crate::metric::MetricKind as K;
        match self {
            Metric::Demand => K::Demand,
            Metric::Output(_) => K::Output,
            Metric::ImportReliance => K::ImportReliance,
            Metric::TopSupplier => K::TopSupplier,
            Metric::TopSupplierShare => K::TopSupplierShare,
            Metric::Hhi => K::Hhi,
            Metric::Dependency(_) => K::Dependency,
            Metric::AtRisk => K::AtRisk,
            Metric::Shortfall => K::Shortfall,
            Metric::CoverDays => K::CoverDays,
        }
    }
}

/// The row a metric path is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject {
    Actor(ActorId),
    Group(GroupId),
}

#[derive(Debug, Clone, PartialEq)]
pub struct MetricRef {
    pub subject: Subject,
    pub mineral: MineralId,
    pub metric: Metric,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Value(f64),
    Actor(ActorId),
    /// Another metric, in this scenario or the one named (SPEC §2.6).
    Metric {
        scenario: ScenarioId,
        metric: MetricRef,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub scenario: ScenarioId,
    pub metric: MetricRef,
    /// What is taken of the metric (SPEC §9.4).
    pub measure: Measure,
    pub op: CmpOp,
    pub expected: Expected,
    pub tolerance: Option<f64>,
    pub text: String,
    pub span: Span,
    /// `expect SCENARIO at DATE: …`: measured at that date rather than the
    /// scenario's own (both sides of a comparison between metrics).
    pub at: Option<Date>,
}

/// What an expectation compares: the metric's deterministic value, a
/// statistic over the samples, or the share of samples in which a
/// comparison holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    Value,
    Stat(crate::ast::StatKind),
    Chance { op: CmpOp, expected: Expected },
}

impl Measure {
    pub fn needs_samples(&self) -> bool {
        !matches!(self, Measure::Value)
    }
}

/// `samples N` and `seed S` of the main file, with where they are written.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Sampling {
    pub samples: Option<(usize, Span)>,
    pub seed: Option<(u64, Span)>,
}

/// Rows to show: `None` means the default rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportSel {
    pub rows: Option<Vec<Subject>>,
    pub minerals: Option<Vec<MineralId>>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub name: String,
    pub span: Span,
    /// `extends`; base (index 0) has none, and every block inherits base.
    pub parent: Option<ScenarioId>,
    /// This scenario's own statements; see [`Checked::actions`].
    pub actions: Vec<Action>,
    pub report: Option<ReportSel>,
    /// Its own `at DATE` (the last one written), with the statement.
    pub at: Option<(Date, Span)>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct World {
    pub actors: Vec<Actor>,
    pub groups: Vec<Group>,
    pub minerals: Vec<Mineral>,
}

impl World {
    pub fn row(&self) -> ActorId {
        self.actors
            .iter()
            .position(|a| a.code == ROW)
            .map(ActorId::new)
            .unwrap_or_else(|| panic!("internal error: ROW is always declared"))
    }

    pub fn actor_ids(&self) -> impl DoubleEndedIterator<Item = ActorId> + Clone {
        ActorId::all(self.actors.len())
    }

    pub fn group_ids(&self) -> impl DoubleEndedIterator<Item = GroupId> + Clone {
        GroupId::all(self.groups.len())
    }

    pub fn mineral_ids(&self) -> impl DoubleEndedIterator<Item = MineralId> + Clone {
        MineralId::all(self.minerals.len())
    }

    pub fn subject_name(&self, s: Subject) -> &str {
        match s {
            Subject::Actor(a) => &self.actors[a].code,
            Subject::Group(g) => &self.groups[g].name,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Checked {
    pub world: World,
    /// `base` first, then the blocks in file order.
    pub scenarios: Vec<Scenario>,
    pub compares: Vec<Vec<ScenarioId>>,
    pub expectations: Vec<Expectation>,
    /// The inputs sampling and sensitivity analyses vary.
    pub inputs: Vec<Input>,
    /// The numbers that depend on inputs.
    pub params: Vec<Param>,
    /// Every use of a name, in the order the checker met them.
    pub uses: Vec<Use>,
    /// `samples` and `seed` statements.
    pub sampling: Sampling,
}

impl Checked {
    /// The values of a plain evaluation.
    pub fn plain_values(&self) -> Values {
        Values::from_inputs(self, self.inputs.iter().map(Input::plain).collect())
    }

    /// What the name written at `span` stands for, if anything.
    pub fn def_at(&self, span: Span) -> Option<Def> {
        self.uses.iter().find(|u| u.span == span).map(|u| u.def)
    }

    /// Every place a definition is used.
    pub fn uses_of(&self, def: Def) -> impl Iterator<Item = Span> + '_ {
        self.uses
            .iter()
            .filter(move |u| u.def == def)
            .map(|u| u.span)
    }

    /// The statements a scenario runs: base's, then each ancestor's from the
    /// root down, then its own.
    /// Every statement comes back, dated or not; `eval::assemble` keeps
    /// those in force at a date.
    pub fn actions(&self, id: ScenarioId) -> Vec<&Action> {
        self.chain(id)
            .iter()
            .rev()
            .flat_map(|&s| self.scenarios[s].actions.iter())
            .collect()
    }

    /// The scenarios a scenario's statements come from: itself, its
    /// ancestors, then base (the order [`Checked::actions`] reverses).
    fn chain(&self, id: ScenarioId) -> Vec<ScenarioId> {
        let mut chain = vec![id];
        let mut cur = id;
        while let Some(p) = self.scenarios[cur].parent {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            cur = p;
        }
        if id != ScenarioId::BASE && !chain.contains(&ScenarioId::BASE) {
            chain.push(ScenarioId::BASE);
        }
        chain
    }

    /// The date a scenario is evaluated at on its own (SPEC §8.2): its
    /// `at`, else the nearest ancestor's, else base's; else the latest
    /// `from` among its statements, inherited ones included; else `None`,
    /// undated. `--at` overrides it (see `eval::EvalOptions`).
    pub fn as_of(&self, id: ScenarioId) -> Option<Date> {
        let chain = self.chain(id);
        if let Some((d, _)) = chain.iter().find_map(|&s| self.scenarios[s].at) {
            return Some(d);
        }
        self.latest_from(id)
    }

    /// The latest `from` among a scenario's statements, inherited included.
    pub fn latest_from(&self, id: ScenarioId) -> Option<Date> {
        self.actions(id).iter().filter_map(|a| a.from).max()
    }

    /// Every date a scenario's statements name (`from` and `until`),
    /// sorted, each once: the days its situation can change.
    pub fn dates(&self, id: ScenarioId) -> Vec<Date> {
        let mut out: Vec<Date> = self
            .actions(id)
            .iter()
            .flat_map(|a| [a.from, a.until])
            .flatten()
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The `report` a scenario uses: its own, else its nearest ancestor's,
    /// else base's (SPEC §2.5: `report` is inherited).
    pub fn report_of(&self, id: ScenarioId) -> Option<&ReportSel> {
        let mut cur = id;
        let mut seen = 0;
        loop {
            if let Some(r) = &self.scenarios[cur].report {
                return Some(r);
            }
            seen += 1;
            match self.scenarios[cur].parent {
                Some(p) if seen <= self.scenarios.len() => cur = p,
                _ if cur != ScenarioId::BASE => cur = ScenarioId::BASE,
                _ => return None,
            }
        }
    }

    pub fn scenario_id(&self, name: &str) -> Option<ScenarioId> {
        self.scenarios
            .iter()
            .position(|s| s.name == name)
            .map(ScenarioId::new)
    }

    pub fn scenario_ids(&self) -> impl DoubleEndedIterator<Item = ScenarioId> + Clone {
        ScenarioId::all(self.scenarios.len())
    }

    /// Scenario names, `base` first, then blocks in file order.
    pub fn scenario_names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }
}
