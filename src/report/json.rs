//! `--format json`: [`Results`] serialised as SPEC §4.2 describes, pretty
//! printed, with a trailing newline. The shape lives in the `Serialize`
//! derives of `results.rs`; this module only prints it.

use std::io::Write as _;

use serde::Serialize;

use super::Units;
use super::tonnes::Volumes;
use crate::results::{
    Comparison, ExpectationResult, MineralInfo, Results, Row, SamplingInfo, WarningInfo,
};

pub(crate) fn render(results: &Results, units: Units) -> String {
    let text = match units {
        Units::Shares => serde_json::to_string_pretty(results),
        Units::Tonnes => serde_json::to_string_pretty(&WithTonnes::of(results)),
    };
    match text {
        Ok(mut text) => {
            text.push('\n');
            text
        }
        // Unreachable for these types (serde_json writes non-finite numbers
        // as null); still an error object rather than a panic.
        Err(e) => format!(
            "{}\n",
            serde_json::json!({ "error": format!("internal error: {e}") })
        ),
    }
}

/// Streams the same JSON as [`render`] into a writer.
pub fn write(results: &Results, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    write_in(results, Units::Shares, w)
}

/// Streams the JSON of `results` in `units` into a writer.
pub fn write_in(
    results: &Results,
    units: Units,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    // A concrete buffer between the serializer and `w`: serde_json writes
    // a few bytes at a time, and each write through `dyn Write` is a call.
    let mut buf = std::io::BufWriter::with_capacity(1 << 16, w);
    match units {
        Units::Shares => serde_json::to_writer_pretty(&mut buf, results),
        Units::Tonnes => serde_json::to_writer_pretty(&mut buf, &WithTonnes::of(results)),
    }
    .map_err(std::io::Error::from)?;
    buf.write_all(b"\n")?;
    buf.flush()
}

/// [`Results`] with `at_risk_t` and `shortfall_t` after each row's fields
/// (`--units t`): the same shape otherwise, borrowed, so it streams.
#[derive(Serialize)]
struct WithTonnes<'a> {
    lode_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sampling: &'a Option<SamplingInfo>,
    scenarios: Vec<ScenarioWithTonnes<'a>>,
    comparisons: &'a [Comparison],
    minerals: &'a [MineralInfo],
    expectations: &'a [ExpectationResult],
    warnings: &'a [WarningInfo],
}

#[derive(Serialize)]
struct ScenarioWithTonnes<'a> {
    name: &'a str,
    at: &'a Option<String>,
    rows: Vec<RowWithTonnes<'a>>,
}

#[derive(Serialize)]
struct RowWithTonnes<'a> {
    #[serde(flatten)]
    row: &'a Row,
    at_risk_t: Option<f64>,
    shortfall_t: Option<f64>,
}

impl<'a> WithTonnes<'a> {
    fn of(results: &'a Results) -> Self {
        let volumes = Volumes::of(results, Units::Tonnes);
        WithTonnes {
            lode_version: results.lode_version,
            sampling: &results.sampling,
            scenarios: results
                .scenarios
                .iter()
                .map(|s| ScenarioWithTonnes {
                    name: &s.name,
                    at: &s.at,
                    rows: s
                        .rows
                        .iter()
                        .map(|row| RowWithTonnes {
                            row,
                            at_risk_t: volumes.at_risk(row),
                            shortfall_t: volumes.shortfall(row),
                        })
                        .collect(),
                })
                .collect(),
            comparisons: &results.comparisons,
            minerals: &results.minerals,
            expectations: &results.expectations,
            warnings: &results.warnings,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, RenderOptions, fixture, render};
    use serde_json::Value;

    fn json_text() -> String {
        render(&fixture::results(), Format::Json, &RenderOptions::default())
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(json_text());
    }

    #[test]
    fn parses_back_in_the_spec_shape() {
        let text = json_text();
        assert!(text.ends_with("}\n"));
        let v: Value = serde_json::from_str(&text).expect("valid JSON");
        let input = fixture::results();
        assert_eq!(
            v["scenarios"][0]["rows"][0]["demand"].as_f64(),
            Some(input.scenarios[0].rows[0].demand)
        );
        assert_eq!(v["lode_version"], "0.1.0");
        assert_eq!(v["scenarios"][1]["name"], "japan_cutoff");
        assert!(v["scenarios"][1]["at"].is_null());

        let row = &v["scenarios"][1]["rows"][2];
        let keys: Vec<&str> = row
            .as_object()
            .expect("a row object")
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = [
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
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        expected.sort_unstable();
        assert_eq!(sorted, expected);
        assert_eq!(row["kind"], "country");
        assert_eq!(row["output"]["refining"], 0.0001);
        assert_eq!(row["dependency"]["CN"], 0.8);
        assert_eq!(row["cover_days"], 95.2);
        assert!(v["scenarios"][0]["rows"][2]["cover_days"].is_null());
        assert_eq!(v["scenarios"][0]["rows"][0]["kind"], "coalition");
        assert_eq!(v["scenarios"][0]["rows"][1]["kind"], "group");

        let delta = &v["comparisons"][0];
        assert_eq!(delta["base"], "base");
        assert_eq!(delta["against"], "japan_cutoff");
        assert_eq!(delta["rows"][0]["metric"], "demand");

        let mineral = &v["minerals"][0];
        assert_eq!(mineral["stages"][1], "refining");
        assert_eq!(mineral["volume_t"], 390000.0);

        // Only the SPEC's four fields; location and margin stay internal.
        let e = v["expectations"][1].as_object().expect("an expectation");
        let mut fields: Vec<&str> = e.keys().map(String::as_str).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["actual", "passed", "scenario", "text"]);
        assert_eq!(v["expectations"][1]["passed"], false);
        assert!(v["expectations"][2]["actual"].is_null());

        assert_eq!(v["warnings"][0]["code"], "lode::W0301");
    }

    /// `--units t` adds `at_risk_t` and `shortfall_t` to each row and
    /// changes nothing else (so the borrowed shape cannot drift from
    /// `Results`). Fixture: japan_cutoff JP at risk 0.63 of demand 0.07 of
    /// 390,000 t = 17,199 t; shortfall 0.2325 × 0.07 × 390,000 = 6,347.25 t.
    #[test]
    fn tonnes_add_two_fields_to_rows_and_nothing_else() {
        use super::super::{Units, render_in};
        let mut results = fixture::results();
        // Every top-level field there, to compare.
        results.sampling = Some(crate::results::SamplingInfo {
            samples: 10,
            seed: 7,
        });
        let plain: Value =
            serde_json::from_str(&render(&results, Format::Json, &RenderOptions::default()))
                .expect("JSON");
        let text = render_in(
            &results,
            Format::Json,
            &RenderOptions::default(),
            Units::Tonnes,
        );
        let mut tonnes: Value = serde_json::from_str(&text).expect("JSON");
        let jp = &tonnes["scenarios"][1]["rows"][2];
        assert!((jp["at_risk_t"].as_f64().expect("t") - 17_199.0).abs() < 1e-6);
        assert!((jp["shortfall_t"].as_f64().expect("t") - 6_347.25).abs() < 1e-6);
        let mut streamed = Vec::new();
        super::write_in(&results, Units::Tonnes, &mut streamed).expect("write");
        assert_eq!(String::from_utf8(streamed).expect("UTF-8"), text);
        for scenario in tonnes["scenarios"].as_array_mut().expect("scenarios") {
            for row in scenario["rows"].as_array_mut().expect("rows") {
                let row = row.as_object_mut().expect("a row");
                assert!(row.remove("at_risk_t").is_some());
                assert!(row.remove("shortfall_t").is_some());
            }
        }
        assert_eq!(tonnes, plain);
    }

    #[test]
    fn non_finite_numbers_do_not_panic() {
        let mut results = fixture::results();
        results.scenarios[0].rows[0].demand = f64::NAN;
        results.scenarios[0].rows[0].hhi = Some(f64::INFINITY);
        let text = render(&results, Format::Json, &RenderOptions::default());
        let v: Value = serde_json::from_str(&text).expect("still valid JSON");
        assert!(v["scenarios"][0]["rows"][0]["demand"].is_null());
    }
}
