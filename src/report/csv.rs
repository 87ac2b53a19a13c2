//! `--format csv`: one header, then one record per scenario, row and mineral,
//! then one record per (actor, mineral) of every comparison.
//!
//! Columns:
//!
//! ```text
//! scenario,actor,kind,mineral,demand,demand_basis,output,import_reliance,
//! top_supplier,top_supplier_share,hhi,dependency,at_risk,shortfall,cover_days
//! ```
//!
//! - Numbers are written at full precision (Rust's shortest round-trip `{}`
//!   of an `f64`: `0.07`, `4350`), fractions as fractions, never rounded.
//! - `output` and `dependency` are one column each of `KEY=VALUE` pairs joined
//!   by `;` (`mining=0.1;refining=0.02`), in the evaluator's order.
//! - An absent value (`top_supplier`, `cover_days`) is an empty field, and so
//!   is every metric of a row with no demand data (`demand_basis` `none`):
//!   no data is never 0.
//! - `demand_basis` says where the demand figure comes from: `data`,
//!   `covers` (a coalition's claim supplied it) or `none`.
//!
//! Comparisons follow the scenario records under the same header, as delta
//! records built from the comparison's own delta rows:
//!
//! - `scenario` is `AGAINST vs BASE` (`japan_cutoff vs base`);
//! - `kind` is the row's kind, and `top_supplier` the against scenario's,
//!   both looked up in the scenario records (empty if that row is absent);
//! - every numeric column holds `against − base` for that metric, and is
//!   empty when either scenario has no value for it (a `cover_days` that
//!   appears, a row without data); `demand_basis` is the against scenario's;
//! - `output` and `dependency` hold `KEY=delta` over the keys the comparison
//!   reports (the union of both scenarios' keys);
//! - records appear in the order their (actor, mineral) first appears in the
//!   comparison.
//!
//! With `--units t` ([`Units::Tonnes`]) two columns follow, `at_risk_t` and
//! `shortfall_t`: tonnes a year (`tonnes.rs`), empty where the mineral has
//! no volume or the row no data; in delta records, the against scenario's
//! tonnes less the base's.
//!
//! Expectations and warnings are not part of the CSV.

use super::Units;
use super::tonnes::Volumes;
use crate::metric::MetricKind;
use crate::results::{Comparison, Results, Row, Stats};

pub(crate) const HEADER: [&str; 15] = [
    "scenario",
    "actor",
    "kind",
    "mineral",
    "demand",
    "demand_basis",
    "output",
    "import_reliance",
    "top_supplier",
    "top_supplier_share",
    "hhi",
    "dependency",
    "at_risk",
    "shortfall",
    "cover_days",
];

/// The columns added by `--units t`.
pub(crate) const TONNES: [&str; 2] = ["at_risk_t", "shortfall_t"];

pub(crate) fn render(results: &Results, units: Units) -> String {
    let mut bytes = Vec::new();
    match write(results, units, &mut bytes) {
        Ok(()) => String::from_utf8(bytes)
            .unwrap_or_else(|e| format!("internal error: could not write CSV: {e}\n")),
        // Writing to memory cannot fail; say so rather than panic if it does.
        Err(e) => format!("internal error: could not write CSV: {e}\n"),
    }
}

/// Streams the CSV of `results` into `out`, record by record: the text of
/// a large run never exists whole in memory.
pub(crate) fn write(
    results: &Results,
    units: Units,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut w = csv::WriterBuilder::new()
        .buffer_capacity(1 << 16)
        .from_writer(out);
    if results.sampling.is_some() {
        write_sampled(results, &mut w)?;
    } else {
        write_plain(results, units, &mut w)?;
    }
    w.flush()
}

type Writer<'w> = csv::Writer<&'w mut dyn std::io::Write>;

fn write_plain(results: &Results, units: Units, w: &mut Writer<'_>) -> std::io::Result<()> {
    let volumes = Volumes::of(results, units);
    let tonnes = units == Units::Tonnes;
    let mut header = HEADER.to_vec();
    if tonnes {
        header.extend(TONNES);
    }
    w.write_record(header)?;
    let mut f = Fields::default();
    for scenario in &results.scenarios {
        for row in &scenario.rows {
            f.row(w, &scenario.name, row)?;
            if tonnes {
                f.opt(w, volumes.at_risk(row))?;
                f.opt(w, volumes.shortfall(row))?;
            }
            f.end(w)?;
        }
    }
    if results.comparisons.is_empty() {
        return Ok(());
    }
    let index = RowIndex::of(results);
    for comparison in &results.comparisons {
        for (actor, mineral, record) in delta_records(&index, comparison) {
            for field in &record {
                f.text(w, field)?;
            }
            if tonnes {
                let rows =
                    [&comparison.against, &comparison.base].map(|s| index.get(s, actor, mineral));
                let change = |of: &dyn Fn(&Row) -> Option<f64>| match rows {
                    [Some(a), Some(b)] => Some(of(a)? - of(b)?),
                    _ => None,
                };
                f.opt(w, change(&|r| volumes.at_risk(r)))?;
                f.opt(w, change(&|r| volumes.shortfall(r)))?;
            }
            f.end(w)?;
        }
    }
    Ok(())
}

/// The rows of every scenario by (scenario, actor, mineral): the first
/// such row, as [`find_row`] finds it, without scanning.
pub(crate) struct RowIndex<'r> {
    rows: std::collections::HashMap<(&'r str, &'r str, &'r str), &'r Row>,
}

impl<'r> RowIndex<'r> {
    pub(crate) fn of(results: &'r Results) -> Self {
        let mut rows = std::collections::HashMap::new();
        for s in &results.scenarios {
            for r in &s.rows {
                rows.entry((s.name.as_str(), r.actor.as_str(), r.mineral.as_str()))
                    .or_insert(r);
            }
        }
        RowIndex { rows }
    }

    pub(crate) fn get(&self, scenario: &str, actor: &str, mineral: &str) -> Option<&'r Row> {
        self.rows.get(&(scenario, actor, mineral)).copied()
    }
}

/// Writes fields one at a time, numbers formatted into one reused buffer.
#[derive(Default)]
struct Fields {
    buf: String,
}

impl Fields {
    fn text(&mut self, w: &mut Writer<'_>, s: &str) -> std::io::Result<()> {
        w.write_field(s).map_err(into_io)
    }

    fn num(&mut self, w: &mut Writer<'_>, v: f64) -> std::io::Result<()> {
        use std::fmt::Write;
        self.buf.clear();
        let _ = write!(self.buf, "{v}");
        w.write_field(&self.buf).map_err(into_io)
    }

    fn opt(&mut self, w: &mut Writer<'_>, v: Option<f64>) -> std::io::Result<()> {
        match v {
            Some(v) => self.num(w, v),
            None => self.text(w, ""),
        }
    }

    fn map<K: std::fmt::Display>(
        &mut self,
        w: &mut Writer<'_>,
        pairs: &[(K, f64)],
    ) -> std::io::Result<()> {
        use std::fmt::Write;
        self.buf.clear();
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                self.buf.push(';');
            }
            let _ = write!(self.buf, "{k}={v}");
        }
        w.write_field(&self.buf).map_err(into_io)
    }

    /// The 15 columns of a scenario's row.
    fn row(&mut self, w: &mut Writer<'_>, scenario: &str, row: &Row) -> std::io::Result<()> {
        self.text(w, scenario)?;
        self.text(w, &row.actor)?;
        self.text(w, row.kind.as_str())?;
        self.text(w, &row.mineral)?;
        self.num(w, row.demand)?;
        self.text(w, row.demand_basis.as_str())?;
        self.map(w, &row.output)?;
        self.opt(w, row.import_reliance)?;
        self.text(w, row.top_supplier.as_deref().unwrap_or_default())?;
        self.opt(w, row.top_supplier_share)?;
        self.opt(w, row.hhi)?;
        self.map(w, row.dependency.as_deref().unwrap_or_default())?;
        self.opt(w, row.at_risk)?;
        self.opt(w, row.shortfall)?;
        self.opt(w, row.cover_days)
    }

    /// Ends the record.
    fn end(&mut self, w: &mut Writer<'_>) -> std::io::Result<()> {
        w.write_record(None::<&[u8]>).map_err(into_io)
    }
}

fn into_io(e: csv::Error) -> std::io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// The columns of a sampled run: each numeric metric split into its mean
/// and percentiles (SPEC §9.3), a map into one column of `KEY=VALUE` pairs
/// per statistic, the top supplier as its mode and how often.
fn sampled_header() -> Vec<String> {
    let mut h: Vec<String> = ["scenario", "actor", "kind", "mineral"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let four =
        |name: &str| -> Vec<String> { STATS.iter().map(|s| format!("{name}_{s}")).collect() };
    h.extend(four("demand"));
    h.push("demand_basis".into());
    h.extend(four("output"));
    h.extend(four("import_reliance"));
    h.push("top_supplier".into());
    h.push("top_supplier_frequency".into());
    for name in [
        "top_supplier_share",
        "hhi",
        "dependency",
        "at_risk",
        "shortfall",
        "cover_days",
    ] {
        h.extend(four(name));
    }
    h
}

const STATS: [&str; 4] = ["mean", "p5", "p50", "p95"];

fn stats4(s: Option<Stats>) -> [String; 4] {
    match s {
        Some(s) => [num(s.mean), num(s.p5), num(s.p50), num(s.p95)],
        None => Default::default(),
    }
}

fn map4<K: std::fmt::Display>(pairs: Option<&[(K, Stats)]>) -> [String; 4] {
    let Some(pairs) = pairs else {
        return Default::default();
    };
    let one = |f: fn(&Stats) -> f64| {
        pairs
            .iter()
            .map(|(k, s)| format!("{k}={}", f(s)))
            .collect::<Vec<_>>()
            .join(";")
    };
    [
        one(|s| s.mean),
        one(|s| s.p5),
        one(|s| s.p50),
        one(|s| s.p95),
    ]
}

/// A sampled run: one record per scenario, row and mineral, with the
/// statistics of every metric. Comparisons are of the deterministic
/// figures and are left to the JSON and the tables.
fn write_sampled(results: &Results, w: &mut Writer<'_>) -> std::io::Result<()> {
    w.write_record(sampled_header())?;
    for scenario in &results.scenarios {
        for row in &scenario.rows {
            let Some(st) = &row.stats else { continue };
            let mut rec: Vec<String> = vec![
                scenario.name.clone(),
                row.actor.clone(),
                row.kind.as_str().to_string(),
                row.mineral.clone(),
            ];
            rec.extend(stats4(Some(st.demand)));
            rec.push(row.demand_basis.as_str().to_string());
            rec.extend(map4(Some(&st.output)));
            rec.extend(stats4(st.import_reliance));
            rec.push(
                st.top_supplier
                    .as_ref()
                    .map(|m| m.mode.clone())
                    .unwrap_or_default(),
            );
            rec.push(
                st.top_supplier
                    .as_ref()
                    .map(|m| num(m.frequency))
                    .unwrap_or_default(),
            );
            rec.extend(stats4(st.top_supplier_share));
            rec.extend(stats4(st.hhi));
            rec.extend(map4(st.dependency.as_deref()));
            rec.extend(stats4(st.at_risk));
            rec.extend(stats4(st.shortfall));
            rec.extend(stats4(st.cover_days));
            w.write_record(rec)?;
        }
    }
    Ok(())
}

/// The deltas of one (actor, mineral) in a comparison.
#[derive(Default)]
struct Deltas<'a> {
    actor: &'a str,
    mineral: &'a str,
    scalars: Vec<(MetricKind, Option<f64>)>,
    output: Vec<(String, f64)>,
    dependency: Vec<(String, f64)>,
}

impl Deltas<'_> {
    fn scalar(&self, metric: MetricKind) -> String {
        self.scalars
            .iter()
            .find(|(m, _)| *m == metric)
            .and_then(|(_, d)| *d)
            .map(num)
            .unwrap_or_default()
    }
}

/// Each (actor, mineral) of the comparison, with its delta record.
fn delta_records<'c>(
    index: &RowIndex<'_>,
    c: &'c Comparison,
) -> Vec<(&'c str, &'c str, [String; 15])> {
    let mut groups: Vec<Deltas> = Vec::new();
    let mut at: std::collections::HashMap<(&str, &str), usize> = std::collections::HashMap::new();
    for d in &c.rows {
        let i = *at
            .entry((d.actor.as_str(), d.mineral.as_str()))
            .or_insert_with(|| {
                groups.push(Deltas {
                    actor: &d.actor,
                    mineral: &d.mineral,
                    ..Deltas::default()
                });
                groups.len() - 1
            });
        let g = &mut groups[i];
        match (d.metric.kind, &d.metric.key, d.delta) {
            (MetricKind::Output, Some(stage), Some(delta)) => g.output.push((stage.clone(), delta)),
            (MetricKind::Dependency, Some(supplier), Some(delta)) => {
                g.dependency.push((supplier.clone(), delta))
            }
            (MetricKind::Output | MetricKind::Dependency, _, _) => {}
            (kind, _, delta) => g.scalars.push((kind, delta)),
        }
    }
    let label = format!("{} vs {}", c.against, c.base);
    groups
        .iter()
        .map(|g| {
            let against = index.get(&c.against, g.actor, g.mineral);
            let kind = against
                .or_else(|| index.get(&c.base, g.actor, g.mineral))
                .map(|r| r.kind.as_str().to_string())
                .unwrap_or_default();
            let record = [
                label.clone(),
                g.actor.to_string(),
                kind,
                g.mineral.to_string(),
                g.scalar(MetricKind::Demand),
                against
                    .map(|r| r.demand_basis.as_str().to_string())
                    .unwrap_or_default(),
                map(&g.output),
                g.scalar(MetricKind::ImportReliance),
                against
                    .and_then(|r| r.top_supplier.clone())
                    .unwrap_or_default(),
                g.scalar(MetricKind::TopSupplierShare),
                g.scalar(MetricKind::Hhi),
                map(&g.dependency),
                g.scalar(MetricKind::AtRisk),
                g.scalar(MetricKind::Shortfall),
                g.scalar(MetricKind::CoverDays),
            ];
            (g.actor, g.mineral, record)
        })
        .collect()
}

pub(crate) fn find_row<'r>(
    results: &'r Results,
    scenario: &str,
    actor: &str,
    mineral: &str,
) -> Option<&'r Row> {
    results
        .scenarios
        .iter()
        .filter(|s| s.name == scenario)
        .flat_map(|s| &s.rows)
        .find(|r| r.actor == actor && r.mineral == mineral)
}

pub(crate) fn num(v: f64) -> String {
    format!("{v}")
}

fn map<K: std::fmt::Display>(pairs: &[(K, f64)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::super::{Format, RenderOptions, fixture, render};
    use super::*;

    fn csv_text() -> String {
        render(&fixture::results(), Format::Csv, &RenderOptions::default())
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(csv_text());
    }

    #[test]
    fn parses_back() {
        let text = csv_text();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, HEADER);
        let records: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("records");
        // 3 rows in each of 2 scenarios, then 2 (actor, mineral) deltas.
        assert_eq!(records.len(), 3 + 3 + 2);
        assert!(records.iter().all(|r| r.len() == HEADER.len()));

        let jp = &records[5];
        assert_eq!(&jp[0], "japan_cutoff");
        assert_eq!(&jp[1], "JP");
        assert_eq!(&jp[2], "country");
        assert_eq!(jp[4].parse::<f64>().ok(), Some(0.07));
        assert_eq!(&jp[5], "data");
        assert_eq!(&jp[6], "mining=0;refining=0.0001");
        assert_eq!(&jp[11], "CN=0.8;AU=0.13;MY=0.04");
        assert_eq!(&jp[13], "0.2325");
        assert_eq!(&jp[14], "95.2");
        assert_eq!(&records[0][14], "", "absent cover_days is empty");

        let delta = &records[7];
        assert_eq!(&delta[0], "japan_cutoff vs base");
        assert_eq!(&delta[1], "JP");
        assert_eq!(&delta[2], "country");
        assert_eq!(&delta[8], "CN");
        assert_eq!(&delta[14], "", "no cover_days delta was reported");
        let shortfall: f64 = delta[13].parse().expect("a number");
        assert!((shortfall - 0.2325).abs() < 1e-12);
        let dependency: Vec<(&str, f64)> = delta[11]
            .split(';')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k, v.parse().expect("a number")))
            .collect();
        assert_eq!(dependency.len(), 2);
        assert_eq!(dependency[0].0, "CN");
        assert!((dependency[0].1 + 0.08).abs() < 1e-12);
    }

    #[test]
    fn quoting() {
        let mut results = fixture::results();
        results.scenarios[0].rows[0].actor = "a,b \"c\"".into();
        let text = render(&results, Format::Csv, &RenderOptions::default());
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let first = reader.records().next().expect("a record").expect("valid");
        assert_eq!(&first[1], "a,b \"c\"");
    }

    #[test]
    fn empty_is_just_the_header() {
        let text = render(&fixture::empty(), Format::Csv, &RenderOptions::default());
        assert_eq!(text, format!("{}\n", HEADER.join(",")));
    }
}
