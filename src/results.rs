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
    /// The `--at` date [next]; always `null` for now.
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

/// One (actor, mineral) row: every metric of SPEC §3.6, fractions in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub actor: String,
    pub kind: RowKind,
    pub mineral: String,
    pub demand: f64,
    /// Output share per stage, in stage order.
    #[serde(serialize_with = "ser_map")]
    pub output: Vec<(String, f64)>,
    pub import_reliance: f64,
    pub top_supplier: Option<String>,
    pub top_supplier_share: f64,
    pub hhi: f64,
    /// Every supplier with a share ≥ 0.001, largest first.
    #[serde(serialize_with = "ser_map_arc")]
    pub dependency: Vec<(std::sync::Arc<str>, f64)>,
    pub at_risk: f64,
    pub shortfall: f64,
    pub cover_days: Option<f64>,
}

/// A delta table against the first scenario of a `compare` line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub base: String,
    pub against: String,
    pub rows: Vec<DeltaRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DeltaRow {
    pub actor: String,
    pub mineral: String,
    /// `shortfall`, `dependency.CN`, `output.refining`, …
    pub metric: MetricKey,
    pub base: f64,
    pub value: f64,
    pub delta: f64,
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
    /// The metric's value; `null` for `top_supplier` (see `actual_text`).
    pub actual: Option<f64>,
    #[serde(skip)]
    pub actual_text: Option<String>,
    /// How far the value is from passing (0 when it passes), in the metric's unit.
    #[serde(skip)]
    pub margin: f64,
    /// `file:line` of the expectation.
    #[serde(skip)]
    pub location: String,
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
    pairs: &[(std::sync::Arc<str>, f64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
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
    /// The scalar metrics a comparison reports, with their names.
    pub fn scalars(&self) -> Vec<(MetricKey, f64)> {
        use MetricKind as M;
        let mut out = vec![
            (MetricKey::plain(M::Demand), self.demand),
            (MetricKey::plain(M::ImportReliance), self.import_reliance),
            (
                MetricKey::plain(M::TopSupplierShare),
                self.top_supplier_share,
            ),
            (MetricKey::plain(M::Hhi), self.hhi),
            (MetricKey::plain(M::AtRisk), self.at_risk),
            (MetricKey::plain(M::Shortfall), self.shortfall),
        ];
        if let Some(c) = self.cover_days {
            out.push((MetricKey::plain(M::CoverDays), c));
        }
        out.extend(
            self.output
                .iter()
                .map(|(s, v)| (MetricKey::keyed(M::Output, s.clone()), *v)),
        );
        out.extend(
            self.dependency
                .iter()
                .map(|(p, v)| (MetricKey::keyed(M::Dependency, &**p), *v)),
        );
        out
    }
}
