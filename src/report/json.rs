//! `--format json`: [`Results`] serialised as SPEC §4.2 describes, pretty
//! printed, with a trailing newline. The shape lives in the `Serialize`
//! derives of `results.rs`; this module only prints it.

use crate::results::Results;

pub(crate) fn render(results: &Results) -> String {
    match serde_json::to_string_pretty(results) {
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
    serde_json::to_writer_pretty(&mut *w, results).map_err(std::io::Error::from)?;
    w.write_all(b"\n")
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
