//! What an evaluation produces, ready to render: the rows of every scenario,
//! the comparisons, the minerals with their sources, the expectations and the
//! warnings. Names are resolved to codes here; renderers only format.

use serde::Serialize;

use crate::metric::{MetricKey, MetricKind};

/// Everything `lode run` prints, in SPEC §4.2's shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub lode_version: &'static str,
    /// With `--samples`: how many samples, from which seed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingInfo>,
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
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub actor: String,
    pub kind: RowKind,
    pub mineral: String,
    pub demand: f64,
    pub demand_basis: DemandBasis,
    /// For a group: how many of its members have a demand figure, of all.
    pub data_members: Option<[usize; 2]>,
    /// Output share per stage, in stage order.
    pub output: Vec<(String, f64)>,
    pub import_reliance: Option<f64>,
    pub top_supplier: Option<String>,
    pub top_supplier_share: Option<f64>,
    pub hhi: Option<f64>,
    /// Every supplier with a share ≥ 0.001, largest first.
    pub dependency: Option<Vec<(std::sync::Arc<str>, f64)>>,
    pub at_risk: Option<f64>,
    pub shortfall: Option<f64>,
    pub cover_days: Option<f64>,
    /// Suppliers under the listing floor, kept only where a comparison
    /// needs their exact share.
    pub dependency_small: Vec<(std::sync::Arc<str>, f64)>,
    /// With `--samples`: the metrics over the samples. JSON then writes
    /// these in place of the deterministic figures (see `report::json`).
    pub stats: Option<Box<RowStats>>,
}

/// How a sampled run drew its samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SamplingInfo {
    pub samples: usize,
    pub seed: u64,
}

/// The most frequent `top_supplier` over the samples.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Mode {
    pub mode: String,
    /// The share of samples in which it is the top supplier.
    pub frequency: f64,
}

/// A row's metrics over the samples (SPEC §9.3): each numeric metric as
/// `{mean, p5, p50, p95}`, `top_supplier` as its mode. `None` where the
/// row has no data (or, for `cover_days`, no sample has a value).
#[derive(Debug, Clone, PartialEq)]
pub struct RowStats {
    pub demand: Stats,
    pub output: Vec<(String, Stats)>,
    pub import_reliance: Option<Stats>,
    pub top_supplier: Option<Mode>,
    pub top_supplier_share: Option<Stats>,
    pub hhi: Option<Stats>,
    pub dependency: Option<Vec<(std::sync::Arc<str>, Stats)>>,
    pub at_risk: Option<Stats>,
    pub shortfall: Option<Stats>,
    pub cover_days: Option<Stats>,
}

pub use crate::sample::Stats;

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

/// SPEC §4.2's row: the deterministic figures, or with `--samples` each
/// numeric metric as `{mean, p5, p50, p95}` and `top_supplier` as
/// `{mode, frequency}` (§9.3).
impl Serialize for Row {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("actor", &self.actor)?;
        m.serialize_entry("kind", &self.kind)?;
        m.serialize_entry("mineral", &self.mineral)?;
        match &self.stats {
            None => {
                m.serialize_entry("demand", &self.demand)?;
                m.serialize_entry("demand_basis", &self.demand_basis)?;
                if let Some(k) = &self.data_members {
                    m.serialize_entry("data_members", k)?;
                }
                m.serialize_entry("output", &Pairs(&self.output))?;
                m.serialize_entry("import_reliance", &self.import_reliance)?;
                m.serialize_entry("top_supplier", &self.top_supplier)?;
                m.serialize_entry("top_supplier_share", &self.top_supplier_share)?;
                m.serialize_entry("hhi", &self.hhi)?;
                m.serialize_entry("dependency", &self.dependency.as_deref().map(Pairs))?;
                m.serialize_entry("at_risk", &self.at_risk)?;
                m.serialize_entry("shortfall", &self.shortfall)?;
                m.serialize_entry("cover_days", &self.cover_days)?;
            }
            Some(st) => {
                m.serialize_entry("demand", &st.demand)?;
                m.serialize_entry("demand_basis", &self.demand_basis)?;
                if let Some(k) = &self.data_members {
                    m.serialize_entry("data_members", k)?;
                }
                m.serialize_entry("output", &Pairs(&st.output))?;
                m.serialize_entry("import_reliance", &st.import_reliance)?;
                m.serialize_entry("top_supplier", &st.top_supplier)?;
                m.serialize_entry("top_supplier_share", &st.top_supplier_share)?;
                m.serialize_entry("hhi", &st.hhi)?;
                m.serialize_entry("dependency", &st.dependency.as_deref().map(Pairs))?;
                m.serialize_entry("at_risk", &st.at_risk)?;
                m.serialize_entry("shortfall", &st.shortfall)?;
                m.serialize_entry("cover_days", &st.cover_days)?;
            }
        }
        m.end()
    }
}

/// `(key, value)` pairs as a JSON object, in order.
struct Pairs<'a, K, V>(&'a [(K, V)]);

impl<K: std::fmt::Display, V: Serialize> Serialize for Pairs<'_, K, V> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(&k.to_string(), v)?;
        }
        map.end()
    }
}

#[allow(dead_code)]
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

#[allow(dead_code)]
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
