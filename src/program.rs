//! A checked program: every name resolved to an index, every expression to a
//! number in the unit its statement needs. Built by `check`; read by `eval`.
//! Nothing here can be wrong in a way the user should hear about — the
//! checker has already said it.

use crate::ast::CmpOp;
use crate::source::Span;

pub type ActorId = usize;
pub type GroupId = usize;
pub type MineralId = usize;
pub type ScenarioId = usize;

/// The implicit rest-of-world actor.
pub const ROW: &str = "ROW";

#[derive(Debug, Clone, PartialEq)]
pub struct Actor {
    pub code: String,
    pub name: Option<String>,
    pub aliases: Vec<String>,
    /// GDP in US dollars.
    pub gdp: Option<f64>,
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
    pub share: f64,
    /// `None`: every mineral.
    pub minerals: Option<Vec<MineralId>>,
    pub span: Span,
}

/// A share list with its implicit remainder left to `ROW`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Shares {
    /// Named entries in the order written (ROW may be among them).
    pub entries: Vec<(ActorId, f64)>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SourcingLine {
    pub buyer: ActorId,
    pub stage: usize,
    pub shares: Vec<(ActorId, f64)>,
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
    Days(f64),
    Tonnes(f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Allocation {
    Sticky,
    #[default]
    Market,
    CoalitionFirst(GroupId),
}

/// A resolved statement of a scenario, applied in order.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Shares {
        mineral: MineralId,
        line: Line,
        shares: Shares,
    },
    Sourcing {
        mineral: MineralId,
        line: SourcingLine,
    },
    Adds {
        actor: ActorId,
        mineral: MineralId,
        stage: usize,
        amount: f64,
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
        fraction: f64,
        /// From the restricting actor to the end of the target.
        span: Span,
    },
    Disrupt {
        actor: ActorId,
        mineral: MineralId,
        stages: Vec<usize>,
        fraction: f64,
    },
    Rerouting(f64),
    Allocation(Allocation),
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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expectation {
    pub scenario: ScenarioId,
    pub metric: MetricRef,
    pub op: CmpOp,
    pub expected: Expected,
    pub tolerance: Option<f64>,
    pub text: String,
    pub span: Span,
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
            .unwrap_or_else(|| panic!("internal error: ROW is always declared"))
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
}

impl Checked {
    /// The statements a scenario runs: base's, then each ancestor's from the
    /// root down, then its own.
    pub fn actions(&self, id: ScenarioId) -> Vec<&Action> {
        let mut chain = vec![id];
        let mut cur = id;
        while let Some(p) = self.scenarios[cur].parent {
            if chain.contains(&p) {
                break;
            }
            chain.push(p);
            cur = p;
        }
        if id != 0 && !chain.contains(&0) {
            chain.push(0);
        }
        chain
            .iter()
            .rev()
            .flat_map(|&s| self.scenarios[s].actions.iter())
            .collect()
    }

    pub fn scenario_id(&self, name: &str) -> Option<ScenarioId> {
        self.scenarios.iter().position(|s| s.name == name)
    }

    /// Scenario names, `base` first, then blocks in file order.
    pub fn scenario_names(&self) -> Vec<&str> {
        self.scenarios.iter().map(|s| s.name.as_str()).collect()
    }
}
