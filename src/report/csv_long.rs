//! `--format csv-long`: one record per value, so a spreadsheet can pivot
//! (scenarios against actors, a metric across minerals) without splitting
//! cells.
//!
//! Columns:
//!
//! ```text
//! scenario,at,mineral,actor,kind,metric,key,value,demand_basis,compared_to,base,delta
//! ```
//!
//! Scenario records come first: for each scenario, row and mineral (in the
//! order of the other formats), one record per metric, in this order:
//! `demand`, `output` (one per stage, `key` the stage), `import_reliance`,
//! `top_supplier_share` (`key` the top supplier), `hhi`, `dependency` (one
//! per listed supplier, `key` the supplier), `at_risk`, `shortfall`,
//! `cover_days`; with `--units t` then `at_risk_t` and `shortfall_t`
//! (tonnes a year, `tonnes.rs`). `compared_to`, `base` and `delta` are
//! empty.
//!
//! Comparison records follow, one per value a comparison reports (every
//! one, changed or not), with `scenario` the against scenario (and its
//! `at`), `compared_to` the base scenario, `value` the against scenario's
//! value, `base` the base scenario's and `delta` = value − base. `kind` and
//! `demand_basis` are the against scenario's row's (the base's when the row
//! is only there), and `key` of `top_supplier_share` the against
//! scenario's top supplier. With `--units t`, `at_risk_t` and `shortfall_t`
//! records follow each row's.
//!
//! - Every metric's record is there for every row: a value with no data
//!   (a row without a demand figure, `demand_basis` `none`), no stockpile
//!   (`cover_days`) or no volume (`at_risk_t`) is an empty `value`, never 0.
//!   A row without data has one `dependency` record with an empty `key`.
//! - A value that appears or disappears in a comparison has an empty `base`
//!   or `value`, and an empty `delta`.
//! - Numbers are at full precision (`0.07`, `4350`); fractions are
//!   fractions (`at_risk` 0.63 is 63%), `hhi` 0–10,000, `cover_days` days.
//! - `kind` is `country`, `group` or `coalition`; `at` is empty for an
//!   undated scenario.
//!
//! Expectations and warnings are not part of the CSV.

use super::Units;
use super::csv::{find_row, num};
use super::tonnes::Volumes;
use crate::metric::MetricKind;
use crate::results::{Comparison, DeltaRow, Results, Row};

pub(crate) const HEADER: [&str; 12] = [
    "scenario",
    "at",
    "mineral",
    "actor",
    "kind",
    "metric",
    "key",
    "value",
    "demand_basis",
    "compared_to",
    "base",
    "delta",
];

pub(crate) fn render(results: &Results, units: Units) -> String {
    match write(results, units) {
        Ok(text) => text,
        // Writing to memory cannot fail; say so rather than panic if it does.
        Err(e) => format!("internal error: could not write CSV: {e}\n"),
    }
}

/// One record, before it is written.
struct Record<'a> {
    scenario: &'a str,
    at: &'a str,
    row: RowId<'a>,
    metric: &'a str,
    key: String,
    value: Option<f64>,
    /// `compared_to`, `base` and `delta`, for comparison records.
    compared: Option<(&'a str, Option<f64>, Option<f64>)>,
}

/// What a record says of its row.
struct RowId<'a> {
    mineral: &'a str,
    actor: &'a str,
    kind: &'a str,
    demand_basis: &'a str,
}

impl Record<'_> {
    fn fields(&self) -> [String; 12] {
        let opt = |v: Option<f64>| v.map(num).unwrap_or_default();
        let (compared_to, base, delta) = match self.compared {
            Some((to, base, delta)) => (to.to_string(), opt(base), opt(delta)),
            None => Default::default(),
        };
        [
            self.scenario.to_string(),
            self.at.to_string(),
            self.row.mineral.to_string(),
            self.row.actor.to_string(),
            self.row.kind.to_string(),
            self.metric.to_string(),
            self.key.clone(),
            opt(self.value),
            self.row.demand_basis.to_string(),
            compared_to,
            base,
            delta,
        ]
    }
}

fn write(results: &Results, units: Units) -> Result<String, Box<dyn std::error::Error>> {
    let volumes = Volumes::of(results, units);
    let tonnes = units == Units::Tonnes;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for scenario in &results.scenarios {
        let at = scenario.at.as_deref().unwrap_or("");
        for row in &scenario.rows {
            for (metric, key, value) in values(row) {
                let r = Record {
                    scenario: &scenario.name,
                    at,
                    row: row_id(row),
                    metric,
                    key,
                    value,
                    compared: None,
                };
                w.write_record(r.fields())?;
            }
            if tonnes {
                for (metric, value) in [
                    ("at_risk_t", volumes.at_risk(row)),
                    ("shortfall_t", volumes.shortfall(row)),
                ] {
                    let r = Record {
                        scenario: &scenario.name,
                        at,
                        row: row_id(row),
                        metric,
                        key: String::new(),
                        value,
                        compared: None,
                    };
                    w.write_record(r.fields())?;
                }
            }
        }
    }
    for c in &results.comparisons {
        comparison(&mut w, results, c, tonnes.then_some(&volumes))?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8(bytes)?)
}

fn row_id(row: &Row) -> RowId<'_> {
    RowId {
        mineral: &row.mineral,
        actor: &row.actor,
        kind: row.kind.as_str(),
        demand_basis: row.demand_basis.as_str(),
    }
}

/// Every value of a scenario row: `(metric, key, value)`.
fn values(row: &Row) -> Vec<(&'static str, String, Option<f64>)> {
    let plain = |m: MetricKind, v: Option<f64>| (m.name(), String::new(), v);
    let mut out = vec![plain(MetricKind::Demand, Some(row.demand))];
    out.extend(
        row.output
            .iter()
            .map(|(stage, v)| (MetricKind::Output.name(), stage.clone(), Some(*v))),
    );
    out.push(plain(MetricKind::ImportReliance, row.import_reliance));
    out.push((
        MetricKind::TopSupplierShare.name(),
        row.top_supplier.clone().unwrap_or_default(),
        row.top_supplier_share,
    ));
    out.push(plain(MetricKind::Hhi, row.hhi));
    match &row.dependency {
        Some(d) => out.extend(
            d.iter()
                .map(|(p, v)| (MetricKind::Dependency.name(), p.to_string(), Some(*v))),
        ),
        None => out.push(plain(MetricKind::Dependency, None)),
    }
    out.push(plain(MetricKind::AtRisk, row.at_risk));
    out.push(plain(MetricKind::Shortfall, row.shortfall));
    out.push(plain(MetricKind::CoverDays, row.cover_days));
    out
}

fn comparison(
    w: &mut csv::Writer<Vec<u8>>,
    results: &Results,
    c: &Comparison,
    volumes: Option<&Volumes>,
) -> Result<(), Box<dyn std::error::Error>> {
    let at = results
        .scenarios
        .iter()
        .find(|s| s.name == c.against)
        .and_then(|s| s.at.as_deref())
        .unwrap_or("");
    // The delta rows of one (actor, mineral) together, in order of first
    // appearance.
    let mut groups: Vec<(&str, &str, Vec<&DeltaRow>)> = Vec::new();
    for d in &c.rows {
        match groups
            .iter_mut()
            .find(|(a, m, _)| *a == d.actor && *m == d.mineral)
        {
            Some((_, _, rows)) => rows.push(d),
            None => groups.push((&d.actor, &d.mineral, vec![d])),
        }
    }
    for (actor, mineral, deltas) in groups {
        let against = find_row(results, &c.against, actor, mineral);
        let base = find_row(results, &c.base, actor, mineral);
        let shown = against.or(base);
        let id = || RowId {
            mineral,
            actor,
            kind: shown.map_or("", |r| r.kind.as_str()),
            demand_basis: shown.map_or("", |r| r.demand_basis.as_str()),
        };
        for d in deltas {
            let key = match (&d.metric.key, d.metric.kind) {
                (Some(k), _) => k.clone(),
                (None, MetricKind::TopSupplierShare) => against
                    .and_then(|r| r.top_supplier.clone())
                    .unwrap_or_default(),
                (None, _) => String::new(),
            };
            let r = Record {
                scenario: &c.against,
                at,
                row: id(),
                metric: d.metric.kind.name(),
                key,
                value: d.value,
                compared: Some((&c.base, d.base, d.delta)),
            };
            w.write_record(r.fields())?;
        }
        if let Some(volumes) = volumes {
            type Of<'v> = &'v dyn Fn(&Row) -> Option<f64>;
            let at_risk: Of = &|r| volumes.at_risk(r);
            let shortfall: Of = &|r| volumes.shortfall(r);
            for (metric, of) in [("at_risk_t", at_risk), ("shortfall_t", shortfall)] {
                let value = against.and_then(of);
                let base_value = base.and_then(of);
                let delta = value.zip(base_value).map(|(v, b)| v - b);
                let r = Record {
                    scenario: &c.against,
                    at,
                    row: id(),
                    metric,
                    key: String::new(),
                    value,
                    compared: Some((&c.base, base_value, delta)),
                };
                w.write_record(r.fields())?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::{Format, RenderOptions, fixture, render_in};
    use super::*;

    fn records(units: Units) -> Vec<csv::StringRecord> {
        let text = render_in(
            &fixture::results(),
            Format::CsvLong,
            &RenderOptions::default(),
            units,
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> = reader
            .headers()
            .expect("header")
            .iter()
            .map(str::to_string)
            .collect();
        assert_eq!(header, HEADER);
        let all: Vec<csv::StringRecord> =
            reader.records().collect::<Result<_, _>>().expect("records");
        assert!(all.iter().all(|r| r.len() == HEADER.len()));
        all
    }

    /// The record of `scenario`/`actor`/`metric`/`key`, scenario records
    /// only when `compared_to` is empty.
    fn find<'r>(
        all: &'r [csv::StringRecord],
        scenario: &str,
        compared_to: &str,
        actor: &str,
        metric: &str,
        key: &str,
    ) -> &'r csv::StringRecord {
        all.iter()
            .find(|r| {
                &r[0] == scenario
                    && &r[9] == compared_to
                    && &r[3] == actor
                    && &r[5] == metric
                    && &r[6] == key
            })
            .unwrap_or_else(|| panic!("no {scenario} {compared_to} {actor} {metric} {key}"))
    }

    #[test]
    fn one_record_per_value() {
        let all = records(Units::Shares);
        // The fixture's rows: allies (2 stages, 5 suppliers), eu (2, 2),
        // JP (2, 3) in both scenarios. Each row: demand, 2 outputs,
        // import_reliance, top_supplier_share, hhi, its suppliers, at_risk,
        // shortfall, cover_days = 9 + suppliers records.
        let scenario_records = 2 * ((9 + 5) + (9 + 2) + (9 + 3));
        // Then the comparison's 11 delta rows, one record each.
        assert_eq!(all.len(), scenario_records + 11);

        let jp = find(&all, "japan_cutoff", "", "JP", "shortfall", "");
        assert_eq!(&jp[2], "rare_earths");
        assert_eq!(&jp[4], "country");
        assert_eq!(&jp[7], "0.2325");
        assert_eq!(&jp[8], "data");
        assert_eq!((&jp[10], &jp[11]), ("", ""));
        assert_eq!(
            &find(&all, "japan_cutoff", "", "JP", "dependency", "AU")[7],
            "0.13"
        );
        assert_eq!(
            &find(&all, "japan_cutoff", "", "JP", "output", "refining")[7],
            "0.0001"
        );
        assert_eq!(
            &find(&all, "base", "", "JP", "top_supplier_share", "CN")[7],
            "0.63"
        );
        // No stockpile in base: an empty value, not 0.
        assert_eq!(&find(&all, "base", "", "JP", "cover_days", "")[7], "");
        assert_eq!(
            &find(&all, "japan_cutoff", "", "JP", "cover_days", "")[7],
            "95.2"
        );
        assert_eq!(&find(&all, "base", "", "eu", "hhi", "")[4], "group");

        // JP's dependency on AU: 0.05 in base, 0.13 after: delta 0.08.
        let d = find(&all, "japan_cutoff", "base", "JP", "dependency", "AU");
        assert_eq!((&d[7], &d[10]), ("0.13", "0.05"));
        let delta: f64 = d[11].parse().expect("a number");
        assert!((delta - 0.08).abs() < 1e-12);
        assert_eq!(&d[4], "country");
        let hhi = find(&all, "japan_cutoff", "base", "JP", "hhi", "");
        assert_eq!((&hhi[7], &hhi[10], &hhi[11]), ("4470", "4350", "120"));
    }

    #[test]
    fn no_data_is_an_empty_value() {
        let mut results = fixture::results();
        let row = &mut results.scenarios[0].rows[2];
        row.demand_basis = crate::results::DemandBasis::None;
        row.import_reliance = None;
        row.top_supplier = None;
        row.top_supplier_share = None;
        row.hhi = None;
        row.dependency = None;
        row.at_risk = None;
        row.shortfall = None;
        results.comparisons.clear();
        let text = render_in(
            &results,
            Format::CsvLong,
            &RenderOptions::default(),
            Units::Tonnes,
        );
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let jp: Vec<csv::StringRecord> = reader
            .records()
            .map(|r| r.expect("valid"))
            .filter(|r| &r[0] == "base" && &r[3] == "JP")
            .collect();
        let metrics: Vec<&str> = jp.iter().map(|r| r.get(5).unwrap_or("")).collect();
        assert_eq!(
            metrics,
            [
                "demand",
                "output",
                "output",
                "import_reliance",
                "top_supplier_share",
                "hhi",
                "dependency",
                "at_risk",
                "shortfall",
                "cover_days",
                "at_risk_t",
                "shortfall_t"
            ]
        );
        for r in jp.iter().filter(|r| !matches!(&r[5], "demand" | "output")) {
            assert_eq!((&r[6], &r[7], &r[8]), ("", "", "none"), "{r:?}");
        }
    }

    #[test]
    fn tonnes_a_year_with_units_t() {
        let all = records(Units::Tonnes);
        // japan_cutoff JP: shortfall 0.2325 of its demand 0.07 of the
        // world's 390,000 t a year = 0.2325 × 0.07 × 390,000 = 6,347.25 t.
        let t = find(&all, "japan_cutoff", "", "JP", "shortfall_t", "");
        let tonnes: f64 = t[7].parse().expect("a number");
        assert!((tonnes - 6347.25).abs() < 1e-6, "{tonnes}");
        // at risk 0.63 × 0.07 × 390,000 = 17,199 t; in base 0 t.
        let d = find(&all, "japan_cutoff", "base", "JP", "at_risk_t", "");
        let (v, b, delta): (f64, f64, f64) = (
            d[7].parse().expect("value"),
            d[10].parse().expect("base"),
            d[11].parse().expect("delta"),
        );
        assert!((v - 17_199.0).abs() < 1e-6 && b == 0.0 && (delta - 17_199.0).abs() < 1e-6);
        // Without the option there are none.
        assert!(records(Units::Shares).iter().all(|r| !r[5].ends_with("_t")));
    }

    #[test]
    fn empty_is_just_the_header() {
        let text = render_in(
            &fixture::empty(),
            Format::CsvLong,
            &RenderOptions::default(),
            Units::Shares,
        );
        assert_eq!(text, format!("{}\n", HEADER.join(",")));
    }
}
