//! The command line as a user meets it: what `check`, `run` and `test` print,
//! where, and with which exit code.

use std::process::Command;

fn lode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lode");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `lode check` reports the warnings about the data that need the
/// equilibrium (here W0301: XA + XC demand 20% + 50% = 70%, not the 20%
/// claimed), still with nothing on stdout and exit 0.
#[test]
fn check_reports_data_warnings_and_exits_zero() {
    let (code, out, err) = lode(&["check", "tests/diagnostics/W0301_covers_mismatch.lode"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains("the data gives 70.0%"), "{err}");
}

/// `--scenario` shows that scenario and only its own comparison.
#[test]
fn run_one_scenario_shows_only_its_comparison() {
    let (code, out, err) = lode(&[
        "run",
        "scenarios/japan_2026.lode",
        "--scenario",
        "market_response",
    ]);
    assert_eq!(code, 0, "{err}");
    let headings: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("scenario ") || l.starts_with("compare "))
        .collect();
    assert_eq!(
        headings,
        [
            "scenario market_response",
            "compare market_response against base"
        ]
    );
}

/// A failed `-o` names the file asked for and what is wrong, not the
/// temporary file lode would have written first.
#[test]
fn unwritable_output_says_why_in_the_users_terms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("missing").join("out.txt");
    let target = target.to_str().expect("UTF-8");
    let (code, _, err) = lode(&["run", "scenarios/seed.lode", "-o", target]);
    assert_eq!(code, 2);
    let missing = dir.path().join("missing");
    assert!(
        err.contains(&format!(
            "error: cannot write `{target}`: the directory `{}` does not exist",
            missing.display()
        )),
        "{err}"
    );
    assert!(!err.contains(".lode-"), "{err}");
}

/// `lode test --root` widens where `use "path"` may read, as for `run`.
#[test]
fn test_takes_a_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("shared.lode");
    std::fs::write(&shared, "let floor = 1%\n").expect("write");
    let sub = dir.path().join("checks");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(
        sub.join("t.lode"),
        "use world2024\nuse \"../shared.lode\"\nexpect JP.rare_earths.demand > 1%\n",
    )
    .expect("write");
    let sub = sub.to_str().expect("UTF-8");
    // By default the root is the file's own directory: `..` leaves it.
    let (code, out, err) = lode(&["test", sub]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("lode::E0601"), "{err}");
    let root = dir.path().to_str().expect("UTF-8");
    let (code, out, err) = lode(&["test", sub, "--root", root]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "1 passed, 0 failed\n");
}

/// `lode check DIR` checks every `*.lode` below it, as `lode test DIR`
/// finds them: here the error is two directories down.
#[test]
fn check_takes_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = dir.path().join("a").join("b");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(dir.path().join("fine.lode"), "let x = 1\n").expect("write");
    std::fs::write(deep.join("typo.lode"), "CN restricts rare_earht to JP\n").expect("write");
    std::fs::write(deep.join("notes.txt"), "not lode\n").expect("write");
    let (code, out, err) = lode(&["check", dir.path().to_str().expect("UTF-8")]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert_eq!(err.matches("lode::E0202").count(), 1, "{err}");
    assert!(err.contains("typo.lode:1:"), "{err}");
    // A clean directory checks clean.
    std::fs::remove_file(deep.join("typo.lode")).expect("rm");
    let (code, out, err) = lode(&["check", dir.path().to_str().expect("UTF-8")]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

/// Below a directory, a file that only declares data is checked through
/// the files that use it (it relies on the `use world2024` they make), and
/// alone when none does; its mistakes are shown once.
#[test]
fn check_reaches_data_files_through_their_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 100%\n  demand: JP 100%\n}\n",
    );
    let user = "use world2024\nuse \"ore.lode\"\n";
    write("a.lode", user);
    write("b.lode", user);
    let path = dir.path().to_str().expect("UTF-8");
    let (code, _, err) = lode(&["check", path]);
    assert_eq!((code, err.as_str()), (0, ""));
    // Shares over 100% (100 + 5): one diagnostic, not one per user.
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 100%, AU 5%\n  demand: JP 100%\n}\n",
    );
    let (code, _, err) = lode(&["check", path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("lode::E0301").count(), 1, "{err}");
    // With no user left, the data file is checked alone.
    std::fs::remove_file(dir.path().join("a.lode")).expect("rm");
    std::fs::remove_file(dir.path().join("b.lode")).expect("rm");
    write(
        "orphan.lode",
        "actor XA\nmineral m {\n  supply: XA 100%, XB 1%\n}\n",
    );
    let (code, _, err) = lode(&["check", path]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown actor `XB`"), "{err}");
}

/// `--deny-warnings` turns any warning into exit code 1 and says so, on
/// `check`, `run` (whose output is still written) and `test`. The fixture
/// warns W0301: XA + XC demand 20% + 50% = 70%, not the 20% claimed.
#[test]
fn deny_warnings_fails_on_any_warning() {
    let warns = "tests/diagnostics/W0301_covers_mismatch.lode";
    let said = "error: 1 warning, and --deny-warnings makes any warning fail the run";
    let (code, _, err) = lode(&["check", warns]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = lode(&["check", "--deny-warnings", warns]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains(said), "{err}");

    let (code, out, err) = lode(&["run", warns, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let (code, denied_out, err) = lode(&["run", warns, "--format", "csv", "--deny-warnings"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(said), "{err}");
    assert_eq!(denied_out, out, "the output is written all the same");

    // `lode test` shows warnings only when they are denied.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(warns).expect("fixture");
    let file = dir.path().join("t.lode");
    std::fs::write(&file, format!("{text}\nexpect XA.ore.demand == 20%\n")).expect("write");
    let file = file.to_str().expect("UTF-8");
    let (code, out, err) = lode(&["test", file]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "1 passed, 0 failed\n", "")
    );
    let (code, out, err) = lode(&["test", file, "--deny-warnings"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "1 passed, 0 failed\n");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains(said), "{err}");
    // Clean files pass with the option.
    let (code, _, err) = lode(&["check", "--deny-warnings", "tests/expect/pass.lode"]);
    assert_eq!(code, 0, "{err}");
}

/// One stage: supply XA 60%, XB 40%; demand XA 20%, XC 50% (ROW 30%);
/// `ore` has a volume of 100 kt a year, `dust` none.
const TONNES: &str = "actor XA, XB, XC
mineral ore {
  volume 100 kt
  supply: XA 60%, XB 40%
  demand: XA 20%, XC 50%
}
mineral dust {
  supply: XA 100%
  demand: XC 100%
}
scenario cut {
  XA bans ore, dust to XC
  allocation market
}
report for XC on ore, dust
compare base, cut
";

/// `--units t` puts tonnes a year beside at-risk and shortfall. In `cut`,
/// XC (demand 50% of 100 kt = 50 kt a year) bought .25 of its .5 from XA:
/// at risk 50% → 0.5 × 0.5 × 100,000 t = 25,000 t = 25.0 kt; the market
/// reroutes XB's .4 to it: shortfall (.5 − .4)/.5 = 20% → 0.2 × 0.5 ×
/// 100,000 t = 10,000 t = 10.0 kt. `dust` has no volume: shares only.
#[test]
fn units_t_gives_tonnes_a_year_where_there_is_a_volume() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("t.lode");
    std::fs::write(&file, TONNES).expect("write");
    let file = file.to_str().expect("UTF-8");

    let (code, out, err) = lode(&["run", file, "--units", "t", "--scenario", "cut"]);
    assert_eq!(code, 0, "{err}");
    let ore = out
        .lines()
        .find(|l| l.starts_with("ore"))
        .expect("an ore row");
    assert!(
        ore.contains("50.0% (25.0 kt/yr)  20.0% (10.0 kt/yr)"),
        "{out}"
    );
    let dust = out
        .lines()
        .find(|l| l.starts_with("dust"))
        .expect("a dust row");
    assert!(dust.contains("100.0%") && !dust.contains("t/yr"), "{out}");
    let (_, md, _) = lode(&["run", file, "--units", "t", "--format", "markdown"]);
    assert!(
        md.contains("| 50.0% (25.0 kt/yr) | 20.0% (10.0 kt/yr) |"),
        "{md}"
    );
    let (_, plain, _) = lode(&["run", file, "--scenario", "cut"]);
    assert!(!plain.contains("t/yr"), "{plain}");

    let (code, json, err) = lode(&["run", file, "--units", "t", "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let row = |scenario: usize, mineral: &str| -> serde_json::Value {
        v["scenarios"][scenario]["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .find(|r| r["mineral"] == mineral)
            .expect("a row")
            .clone()
    };
    let close = |a: &serde_json::Value, b: f64| (a.as_f64().expect("a number") - b).abs() < 1e-6;
    assert!(close(&row(1, "ore")["at_risk_t"], 25_000.0), "{json}");
    assert!(close(&row(1, "ore")["shortfall_t"], 10_000.0), "{json}");
    assert!(close(&row(0, "ore")["at_risk_t"], 0.0), "{json}");
    assert!(row(1, "dust")["at_risk_t"].is_null(), "{json}");
    let (_, plain_json, _) = lode(&["run", file, "--format", "json"]);
    assert!(!plain_json.contains("at_risk_t"), "only with the option");

    let (_, csv, _) = lode(&["run", file, "--units", "t", "--format", "csv"]);
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().expect("header").clone();
    assert_eq!(&header[15], "at_risk_t");
    assert_eq!(&header[16], "shortfall_t");
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid")).collect();
    let tonnes = |r: &csv::StringRecord| -> (f64, f64) {
        (
            r[15].parse().expect("a number"),
            r[16].parse().expect("a number"),
        )
    };
    let near =
        |(a, b): (f64, f64), (x, y): (f64, f64)| (a - x).abs() < 1e-6 && (b - y).abs() < 1e-6;
    let cut_ore = records
        .iter()
        .find(|r| &r[0] == "cut" && &r[3] == "ore")
        .expect("cut ore");
    assert!(near(tonnes(cut_ore), (25_000.0, 10_000.0)), "{cut_ore:?}");
    let cut_dust = records
        .iter()
        .find(|r| &r[0] == "cut" && &r[3] == "dust")
        .expect("cut dust");
    assert_eq!((&cut_dust[15], &cut_dust[16]), ("", ""));
    // The delta record: 25,000 t against base's 0 t.
    let delta = records
        .iter()
        .find(|r| &r[0] == "cut vs base" && &r[3] == "ore")
        .expect("delta");
    assert!(near(tonnes(delta), (25_000.0, 10_000.0)), "{delta:?}");
}

/// `--format csv-long`: a value a record, parsed back. XC's shortfall in
/// `cut` is 20% (see above), against 0 in base.
#[test]
fn csv_long_has_a_record_per_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("t.lode");
    std::fs::write(&file, TONNES).expect("write");
    let (code, out, err) = lode(&["run", file.to_str().expect("UTF-8"), "--format", "csv-long"]);
    assert_eq!(code, 0, "{err}");
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(
        reader.headers().expect("header").iter().collect::<Vec<_>>(),
        [
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
            "delta"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("valid")).collect();
    let find = |scenario: &str, compared: &str, mineral: &str, metric: &str, key: &str| {
        records
            .iter()
            .find(|r| {
                &r[0] == scenario
                    && &r[9] == compared
                    && &r[2] == mineral
                    && &r[5] == metric
                    && &r[6] == key
            })
            .unwrap_or_else(|| panic!("{scenario} {compared} {mineral} {metric} {key}"))
    };
    let shortfall: f64 = find("cut", "", "ore", "shortfall", "")[7]
        .parse()
        .expect("number");
    assert!((shortfall - 0.2).abs() < 1e-9);
    let d = find("cut", "base", "ore", "shortfall", "");
    let delta: f64 = d[11].parse().expect("number");
    assert!((delta - 0.2).abs() < 1e-9);
    assert_eq!(&d[10], "0");
    // XC imports all its ore: half from XA, half from XB in base.
    let xa: f64 = find("base", "", "ore", "dependency", "XA")[7]
        .parse()
        .expect("number");
    assert!((xa - 0.5).abs() < 1e-9);
    // No stockpile: no cover days, an empty value.
    assert_eq!(&find("cut", "", "ore", "cover_days", "")[7], "");
}

/// A failed expectation with `--format csv` (which has no place for it)
/// or with `-o` is said on stderr, so exit 1 is never unexplained.
/// tests/expect/fail.lode has 4 failing expectations of 5.
#[test]
fn failed_expectations_are_said_on_stderr_when_the_output_cannot_show_them() {
    for args in [
        vec!["run", "tests/expect/fail.lode", "--format", "csv"],
        vec!["run", "tests/expect/fail.lode", "--format", "csv-long"],
    ] {
        let (code, out, err) = lode(&args);
        assert_eq!(code, 1, "{err}");
        assert!(out.starts_with("scenario,"), "{out}");
        assert!(
            err.contains(
                "FAIL tests/expect/fail.lode:15 [cut] expect XC.ore.shortfall < 10%: \
                 actual 20.00%, missed by 10.00 pp"
            ),
            "{err}"
        );
        assert!(
            err.ends_with("error: 4 of 5 expectations failed\n"),
            "{err}"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("out.md");
    let out = out.to_str().expect("UTF-8");
    let (code, _, err) = lode(&[
        "run",
        "tests/expect/fail.lode",
        "--format",
        "markdown",
        "-o",
        out,
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("error: 4 of 5 expectations failed"), "{err}");
    // On stdout the table shows them; stderr stays quiet (`-o -` is
    // standard output too).
    for args in [
        vec!["run", "tests/expect/fail.lode"],
        vec!["run", "tests/expect/fail.lode", "-o", "-"],
    ] {
        let (code, out, err) = lode(&args);
        assert_eq!(code, 1);
        assert!(out.contains("expectations (1 passed, 4 failed)"), "{out}");
        assert_eq!(err, "");
    }
}
