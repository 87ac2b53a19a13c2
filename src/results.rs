//! What an evaluation produces, ready to render: the rows of every scenario,
//! the comparisons, the minerals with their sources, the expectations and the
//! warnings. Names are resolved to codes here; renderers only format.

use serde::Serialize;

use crate::metric::{MetricKey, MetricKind};

/// Everything `lode run` prints, in SPEC §4.2's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub lode_version: &'static str,
    pub scenarios: Vec<ScenarioResult>,
    pub comparisons: Vec<Comparison>,
    pub minerals: Vec<MineralInfo>,
    pub expectations: Vec<ExpectationResult>,
    pub warnings: Vec<WarningInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScenarioResult {
    pub name: String,
    /// The date the scenario is evaluated at (SPEC §8.2); `null` undated.
    pub at: Option<String>,
    pub rows: Vec<Row>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RowKind {
    Coalition,
    Group,
    Country,
}

impl RowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RowKind::Coalition => "coalition",
            RowKind::Group => "group",
            RowKind::Country => "country",
        }
    }
}

/// Where a row's demand figure comes from (SPEC §3.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DemandBasis {
    /// The mineral's demand line names it (for a group: every member with
    /// a figure has it from the data).
    Data,
    /// A coalition's `covers X demand` claim supplied it (for a group: at
    /// least one member's).
    Covers,
    /// No figure: the metrics measured against demand have no data.
    None,
}

impl DemandBasis {
    pub fn as_str(self) -> &'static str {
        match self {
            DemandBasis::Data => "data",
            DemandBasis::Covers => "covers",
            DemandBasis::None => "none",
        }
    }
}

/// One (actor, mineral) row: every metric of SPEC §3.6, fractions in [0, 1].
/// A metric measured against the row's demand is `None` — no data — when
/// the row has no demand figure (SPEC §3.6): never 0.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub actor: String,
    pub kind: RowKind,
    pub mineral: String,
    pub demand: f64,
    pub demand_basis: DemandBasis,
    /// For a group: how many of its members have a demand figure, of all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_members: Option<[usize; 2]>,
    /// Output share per stage, in stage order.
    #[serde(serialize_with = "ser_map")]
    pub output: Vec<(String, f64)>,
    pub import_reliance: Option<f64>,
    pub top_supplier: Option<String>,
    pub top_supplier_share: Option<f64>,
    pub hhi: Option<f64>,
    /// Every supplier with a share ≥ 0.001, largest first.
    #[serde(serialize_with = "ser_map_arc")]
    pub dependency: Option<Vec<(std::sync::Arc<str>, f64)>>,
    pub at_risk: Option<f64>,
    pub shortfall: Option<f64>,
    pub cover_days: Option<f64>,
    /// Suppliers under the listing floor, kept only where a comparison
    /// needs their exact share.
    #[serde(skip)]
    pub dependency_small: Vec<(std::sync::Arc<str>, f64)>,
}

/// A delta table against the first scenario of a `compare` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub base: String,
    pub against: String,
    pub rows: Vec<DeltaRow>,
}

/// One metric of one row in two scenarios. A metric that has a value in
/// only one of them (a stockpile's `cover_days` that appears, a supplier
/// that leaves) has `None` on the other side and no delta.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeltaRow {
    pub actor: String,
    pub mineral: String,
    /// `shortfall`, `dependency.CN`, `output.refining`, …
    pub metric: MetricKey,
    pub base: Option<f64>,
    pub value: Option<f64>,
    pub delta: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MineralInfo {
    pub name: String,
    pub stages: Vec<String>,
    pub volume_t: Option<f64>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExpectationResult {
    pub scenario: String,
    pub text: String,
    /// The metric tested, so a renderer writes its value in its unit.
    #[serde(skip)]
    pub metric: MetricKind,
    pub passed: bool,
    /// The metric's value; `null` for `top_supplier` (see `actual_text`)
    /// and when the metric has no data.
    pub actual: Option<f64>,
    #[serde(skip)]
    pub actual_text: Option<String>,
    /// Why there is no value to compare, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// How far the value is from passing (0 when it passes), in the metric's unit.
    #[serde(skip)]
    pub margin: f64,
    /// `file:line` of the expectation.
    #[serde(skip)]
    pub location: String,
    /// The date it names (`expect SCENARIO at DATE: …`, SPEC §8.2), at
    /// which it was measured; absent for an expectation measured at its
    /// scenario's own date.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

impl ExpectationResult {
    /// `japan_cutoff`, or `japan_cutoff at 2026-06-01` for an expectation
    /// with a date of its own.
    pub fn scenario_label(&self) -> String {
        match &self.at {
            Some(d) => format!("{} at {d}", self.scenario),
            None => self.scenario.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WarningInfo {
    pub code: String,
    pub message: String,
}

impl WarningInfo {
    pub fn of(d: &crate::diagnostic::Diag) -> Self {
        WarningInfo {
            code: d.code.as_str().to_string(),
            message: d.message.clone(),
        }
    }
}

fn ser_map_arc<S: serde::Serializer>(
    pairs: &Option<Vec<(std::sync::Arc<str>, f64)>>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let Some(pairs) = pairs else {
        return s.serialize_none();
    };
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(&**k, v)?;
    }
    map.end()
}

fn ser_map<S: serde::Serializer>(pairs: &[(String, f64)], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(pairs.len()))?;
    for (k, v) in pairs {
        map.serialize_entry(k, v)?;
    }
    map.end()
}

impl Row {
    /// The scalar metrics a comparison reports, with their names; `None`
    /// where the row has no value (no data, no stockpile).
    pub fn scalars(&self) -> Vec<(MetricKey, Option<f64>)> {
        use MetricKind as M;
        let mut out = vec![
            (MetricKey::plain(M::Demand), Some(self.demand)),
            (MetricKey::plain(M::ImportReliance), self.import_reliance),
            (
                MetricKey::plain(M::TopSupplierShare),
                self.top_supplier_share,
            ),
            (MetricKey::plain(M::Hhi), self.hhi),
            (MetricKey::plain(M::AtRisk), self.at_risk),
            (MetricKey::plain(M::Shortfall), self.shortfall),
            (MetricKey::plain(M::CoverDays), self.cover_days),
        ];
        out.extend(
            self.output
                .iter()
                .map(|(s, v)| (MetricKey::keyed(M::Output, s.clone()), Some(*v))),
        );
        out.extend(
            self.dependency
                .iter()
                .flatten()
                .map(|(p, v)| (MetricKey::keyed(M::Dependency, &**p), Some(*v))),
        );
        out
    }

    /// The exact dependency on `supplier`, listed or not: 0 when the row
    /// buys nothing through it, `None` without data.
    pub fn dependency_on(&self, supplier: &str) -> Option<f64> {
        let listed = self.dependency.as_ref()?;
        Some(
            listed
                .iter()
                .chain(&self.dependency_small)
                .find(|(k, _)| &**k == supplier)
                .map_or(0.0, |(_, v)| *v),
        )
    }

    /// The row has a demand figure, so its metrics have data.
    pub fn has_data(&self) -> bool {
        self.demand_basis != DemandBasis::None
    }
}
