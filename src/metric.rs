//! The metrics of SPEC §3.6 as one type: their names, which take a key,
//! what unit their values are in, and how a value is written for people.
//! Every part of lode that names or formats a metric goes through here.

use std::fmt;

use serde::Serialize;

/// A metric, without its key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MetricKind {
    Demand,
    Output,
    ImportReliance,
    TopSupplier,
    TopSupplierShare,
    Hhi,
    Dependency,
    AtRisk,
    Shortfall,
    CoverDays,
}

/// What a metric's value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A fraction in [0, 1], written as a percentage.
    Fraction,
    /// The Herfindahl–Hirschman index, 0–10,000.
    Index,
    /// Days of normal use.
    Days,
    /// An actor code (`top_supplier`).
    Actor,
}

impl MetricKind {
    /// Every metric, in the order of SPEC §3.6.
    pub const ALL: [MetricKind; 10] = [
        MetricKind::Demand,
        MetricKind::Output,
        MetricKind::ImportReliance,
        MetricKind::TopSupplier,
        MetricKind::TopSupplierShare,
        MetricKind::Hhi,
        MetricKind::Dependency,
        MetricKind::AtRisk,
        MetricKind::Shortfall,
        MetricKind::CoverDays,
    ];

    /// The name in metric paths and output (`at_risk`).
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Demand => "demand",
            MetricKind::Output => "output",
            MetricKind::ImportReliance => "import_reliance",
            MetricKind::TopSupplier => "top_supplier",
            MetricKind::TopSupplierShare => "top_supplier_share",
            MetricKind::Hhi => "hhi",
            MetricKind::Dependency => "dependency",
            MetricKind::AtRisk => "at_risk",
            MetricKind::Shortfall => "shortfall",
            MetricKind::CoverDays => "cover_days",
        }
    }

    pub fn from_name(name: &str) -> Option<MetricKind> {
        MetricKind::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Every metric name, for "did you mean" and completion.
    pub fn names() -> impl Iterator<Item = &'static str> {
        MetricKind::ALL.into_iter().map(MetricKind::name)
    }

    /// `output.STAGE` and `dependency.SUPPLIER` take a key.
    pub fn takes_key(self) -> bool {
        matches!(self, MetricKind::Output | MetricKind::Dependency)
    }

    pub fn unit(self) -> Unit {
        match self {
            MetricKind::Hhi => Unit::Index,
            MetricKind::CoverDays => Unit::Days,
            MetricKind::TopSupplier => Unit::Actor,
            _ => Unit::Fraction,
        }
    }

    /// A value the way tables print it: `63.0%`, `4350`, `88.0` (days).
    pub fn format(self, v: f64) -> String {
        match self.unit() {
            Unit::Index => fixed(v, 0),
            Unit::Days => fixed(v, 1),
            Unit::Fraction | Unit::Actor => percent(v, 1),
        }
    }

    /// A value with its unit spelt out, as the REPL answers a query:
    /// `63.0%`, `4350`, `88.0 days`.
    pub fn format_with_unit(self, v: f64) -> String {
        match self.unit() {
            Unit::Days => format!("{} days", fixed(v, 1)),
            _ => self.format(v),
        }
    }

    /// A change between two values: `+63.0 pp` for fractions, `+120` for
    /// the HHI, `-3.2` for days.
    pub fn format_delta(self, d: f64) -> String {
        match self.unit() {
            Unit::Index => signed(d, 0),
            Unit::Days => signed(d, 1),
            Unit::Fraction | Unit::Actor => format!("{} pp", signed(d * 100.0, 1)),
        }
    }

    /// A value with more digits, for test reports where a near miss must
    /// show: `63.04%`, `4350.0`, `88.0`.
    pub fn format_precise(self, v: f64) -> String {
        match self.unit() {
            Unit::Index | Unit::Days => fixed(v, 1),
            Unit::Fraction | Unit::Actor => percent(v, 2),
        }
    }

    /// How far a value is from passing: `10.00 pp` for fractions.
    pub fn format_distance(self, d: f64) -> String {
        match self.unit() {
            Unit::Index | Unit::Days => format!("{d:.1}"),
            Unit::Fraction | Unit::Actor => format!("{:.2} pp", d * 100.0),
        }
    }
}

impl fmt::Display for MetricKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A metric with its key as results name it: `shortfall`,
/// `dependency.CN`, `output.refining`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MetricKey {
    pub kind: MetricKind,
    pub key: Option<String>,
}

impl MetricKey {
    pub fn plain(kind: MetricKind) -> Self {
        MetricKey { kind, key: None }
    }

    pub fn keyed(kind: MetricKind, key: impl Into<String>) -> Self {
        MetricKey {
            kind,
            key: Some(key.into()),
        }
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(k) => write!(f, "{}.{k}", self.kind.name()),
            None => f.write_str(self.kind.name()),
        }
    }
}

/// `key == "dependency.CN"`: compares with the written form.
impl PartialEq<&str> for MetricKey {
    fn eq(&self, other: &&str) -> bool {
        match (&self.key, other.split_once('.')) {
            (Some(k), Some((name, key))) => self.kind.name() == name && k == key,
            (None, None) => self.kind.name() == *other,
            _ => false,
        }
    }
}

impl std::str::FromStr for MetricKey {
    type Err = String;

    /// `shortfall`, `dependency.CN`, `output.refining`.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, key) = match text.split_once('.') {
            Some((n, k)) => (n, Some(k.to_string())),
            None => (text, None),
        };
        let kind = MetricKind::from_name(name).ok_or_else(|| format!("unknown metric `{name}`"))?;
        if kind.takes_key() != key.is_some() {
            return Err(format!(
                "`{text}`: `{name}` {} a key",
                if kind.takes_key() {
                    "needs"
                } else {
                    "takes no"
                }
            ));
        }
        Ok(MetricKey { kind, key })
    }
}

impl Serialize for MetricKey {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `v` with `decimals` decimals, never `-0.0`.
pub fn fixed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// A fraction as a percentage with `decimals` decimals (`63.0%`), never
/// `-0.0%`. The one percentage formatter of lode.
pub fn percent(v: f64, decimals: usize) -> String {
    format!("{}%", fixed(v * 100.0, decimals))
}

/// A signed value with `decimals` decimals (`+1.5`, `-1.5`, `+0.0`), never
/// `-0.0`.
pub fn signed(v: f64, decimals: usize) -> String {
    let s = fixed(v, decimals);
    if s.starts_with('-') || v.is_nan() {
        s
    } else {
        format!("+{s}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_units() {
        for m in MetricKind::ALL {
            assert_eq!(MetricKind::from_name(m.name()), Some(m));
        }
        assert_eq!(MetricKind::from_name("hhi_ore"), None);
        assert_eq!(MetricKind::Hhi.unit(), Unit::Index);
        assert_eq!(
            MetricKey::keyed(MetricKind::Dependency, "CN").to_string(),
            "dependency.CN"
        );
    }

    #[test]
    fn percentages_never_show_minus_zero() {
        assert_eq!(percent(0.63, 1), "63.0%");
        assert_eq!(percent(-0.0001, 1), "0.0%");
        assert_eq!(percent(-0.01, 1), "-1.0%");
        assert_eq!(percent(0.68097, 2), "68.10%");
        assert_eq!(fixed(-0.2, 0), "0");
        assert_eq!(fixed(4350.4, 0), "4350");
    }

    #[test]
    fn deltas_are_signed_in_the_metric_unit() {
        assert_eq!(MetricKind::Shortfall.format_delta(0.63), "+63.0 pp");
        assert_eq!(MetricKind::Dependency.format_delta(-0.05), "-5.0 pp");
        assert_eq!(MetricKind::Hhi.format_delta(120.0), "+120");
        assert_eq!(MetricKind::Hhi.format_delta(-120.4), "-120");
        assert_eq!(MetricKind::CoverDays.format_delta(-3.25), "-3.2");
        assert_eq!(MetricKind::Shortfall.format_delta(f64::NAN), "NaN pp");
        // A mineral named like a metric changes nothing: the kind decides.
        assert_eq!(MetricKind::Shortfall.format_precise(1.0), "100.00%");
        assert_eq!(MetricKind::Hhi.format_precise(4350.0), "4350.0");
    }
}
