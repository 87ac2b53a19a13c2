//! Time (SPEC §8): dated statements in force on `[from, until)`, lifts, the
//! as-of date of each scenario, `expect … at DATE`, and timelines with
//! stockpiles that deplete. Every number is worked out by hand from the
//! world below.
//!
//! The world: one stage, `supply: CN 75%, AU 25%`, `demand: CN 50%, JP 30%,
//! US 20%`. China uses 50 of its 75 and has 25 to spare; Australia uses none
//! and has 25. Japan imports 30 and the US 20 from that pool of 50, half of
//! it Chinese: Japan buys 15 from China, the US 10. Under sticky
//! allocation a ban from China costs Japan 15 / 30 = 50% of its use, a
//! restriction `by 50%` half that, 25%; the same for the US.

use std::path::Path;
use std::process::Command;

use lode::date::Date;
use lode::eval::{EvalOptions, Silent};
use lode::loader::MemoryLoader;
use lode::pipeline::{self, Input};
use lode::results::Results;
use lode::session::{Session, Start};
use lode::timeline::{self, Timeline, TimelineOptions};

const WORLD: &str = "actor CN, JP, US, AU\n\
mineral ore {\n  supply: CN 75%, AU 25%\n  demand: CN 50%, JP 30%, US 20%\n}\n\
allocation sticky\n";

fn d(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn compile(program: &str) -> pipeline::Compiled {
    let loader = MemoryLoader::new().with("main.lode", format!("{WORLD}{program}"));
    match pipeline::compile(Input::File(Path::new("main.lode")), &loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

fn run(program: &str, at: Option<&str>) -> Results {
    let c = compile(program);
    let opts = EvalOptions {
        at: at.map(d),
        ..EvalOptions::default()
    };
    pipeline::evaluate(&c, &opts, &Silent).results
}

/// A metric of a row in a scenario.
fn metric(
    r: &Results,
    scenario: &str,
    actor: &str,
    pick: fn(&lode::results::Row) -> Option<f64>,
) -> Option<f64> {
    let s = r.scenarios.iter().find(|s| s.name == scenario).unwrap();
    let row = s.rows.iter().find(|row| row.actor == actor).unwrap();
    pick(row)
}

fn at_risk(r: &Results, scenario: &str, actor: &str) -> f64 {
    metric(r, scenario, actor, |row| row.at_risk).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn a_dated_statement_is_in_force_from_its_from_day_to_the_day_before_its_until() {
    let p = "CN bans ore to JP from 2026-01-01 until 2026-07-01\nreport for JP on ore";
    // The day before `from`, `from` itself, the day before `until`, `until`.
    for (at, want) in [
        ("2025-12-31", 0.0),
        ("2026-01-01", 0.5),
        ("2026-06-30", 0.5),
        ("2026-07-01", 0.0),
    ] {
        let r = run(p, Some(at));
        assert!(close(at_risk(&r, "base", "JP"), want), "at {at}");
        assert_eq!(r.scenarios[0].at.as_deref(), Some(at));
    }
    // A month and a quarter name their first day: `2026Q3` is 2026-07-01.
    let r = run(
        "CN bans ore to JP until 2026Q3\nreport for JP on ore",
        Some("2026-06-30"),
    );
    assert!(close(at_risk(&r, "base", "JP"), 0.5));
    let r = run(
        "CN bans ore to JP until 2026Q3\nreport for JP on ore",
        Some("2026-07"),
    );
    assert!(close(at_risk(&r, "base", "JP"), 0.0));
}

#[test]
fn a_lift_suspends_earlier_restrictions_and_not_later_ones() {
    let p = "CN restricts ore to JP by 50% from 2025-01-01\n\
             CN lifts restrictions on ore from 2025-06-01 until 2026-06-01\n\
             CN restricts ore to US by 50% from 2025-09-01\n\
             report for JP, US on ore";
    // Before the lift: Japan's restriction only (25%); the US's not yet.
    let r = run(p, Some("2025-03-01"));
    assert!(close(at_risk(&r, "base", "JP"), 0.25));
    assert!(close(at_risk(&r, "base", "US"), 0.0));
    // During the lift: Japan's (started 2025-01-01, before the lift's
    // 2025-06-01) is suspended; the US's (2025-09-01, after it) is not.
    let r = run(p, Some("2025-10-01"));
    assert!(close(at_risk(&r, "base", "JP"), 0.0));
    assert!(close(at_risk(&r, "base", "US"), 0.25));
    // After the lift: both.
    let r = run(p, Some("2026-06-01"));
    assert!(close(at_risk(&r, "base", "JP"), 0.25));
    assert!(close(at_risk(&r, "base", "US"), 0.25));
    // A restriction starting the lift's own day is not earlier: in force.
    let r = run(
        "CN restricts ore to JP by 50% from 2025-06-01\n\
         CN lifts restrictions from 2025-06-01\nreport for JP on ore",
        Some("2025-07-01"),
    );
    assert!(close(at_risk(&r, "base", "JP"), 0.25));
}

#[test]
fn a_restriction_without_from_is_suspended_and_a_named_lift_suspends_its_own_alone() {
    // No `from`: a lift suspends it while the lift is in force.
    let r = run(
        "CN restricts ore to JP by 50%\nCN lifts restrictions from 2025-01-01\nreport for JP on ore",
        Some("2025-06-01"),
    );
    assert!(close(at_risk(&r, "base", "JP"), 0.0));
    // `lifts ban_us` leaves the earlier licensing of Japan in force.
    let p = "CN bans ore to US from 2024-12-03 as ban_us\n\
             CN restricts ore to JP by 50% from 2023-08-01\n\
             CN lifts ban_us from 2025-11-09 until 2026-11-27\n\
             report for JP, US on ore";
    let r = run(p, Some("2026-01-12"));
    assert!(close(at_risk(&r, "base", "US"), 0.0));
    assert!(close(at_risk(&r, "base", "JP"), 0.25));
    let r = run(p, Some("2026-11-27"));
    assert!(close(at_risk(&r, "base", "US"), 0.5));
}

#[test]
fn a_scenario_is_read_as_of_its_latest_from_else_undated() {
    // Latest `from`: 2026-03-01, when both restrictions are in force
    // (25% + a second 50% cut on the rest: 1 − 0.5 × 0.5 = 75% of Japan's
    // Chinese half, 37.5%).
    let r = run(
        "CN restricts ore to JP by 50% from 2025-01-01\n\
         CN restricts ore to JP by 50% from 2026-03-01 until 2026-09-01\n\
         report for JP on ore",
        None,
    );
    assert_eq!(r.scenarios[0].at.as_deref(), Some("2026-03-01"));
    assert!(close(at_risk(&r, "base", "JP"), 0.375));
    // No date at all: undated, `null` in JSON, every statement in force.
    let r = run("CN restricts ore to JP by 50%\nreport for JP on ore", None);
    assert_eq!(r.scenarios[0].at, None);
    let json = lode::report::render(&r, lode::report::Format::Json, &Default::default());
    assert!(json.contains("\"at\": null"), "{json}");
    // Only an `until`: still undated, and the statement is in force.
    let r = run(
        "CN bans ore to JP until 2020-01-01\nreport for JP on ore",
        None,
    );
    assert_eq!(r.scenarios[0].at, None);
    assert!(close(at_risk(&r, "base", "JP"), 0.5));
}

#[test]
fn at_is_inherited_through_extends_the_last_wins_and_dash_dash_at_overrides_all() {
    let p = "CN bans ore to JP from 2026-01-01 until 2026-07-01\n\
             at 2025-06-01\n\
             report for JP on ore\n\
             scenario a { }\n\
             scenario b extends a { at 2026-02-01 }\n\
             scenario c extends b { }\n\
             scenario e { at 2026-03-01\n at 2026-08-01 }";
    let r = run(p, None);
    let at: Vec<(&str, Option<&str>)> = r
        .scenarios
        .iter()
        .map(|s| (s.name.as_str(), s.at.as_deref()))
        .collect();
    assert_eq!(
        at,
        [
            ("base", Some("2025-06-01")),
            ("a", Some("2025-06-01")),
            ("b", Some("2026-02-01")),
            ("c", Some("2026-02-01")),
            ("e", Some("2026-08-01")),
        ]
    );
    // The ban is in force on 2026-02-01 only.
    assert!(close(at_risk(&r, "a", "JP"), 0.0));
    assert!(close(at_risk(&r, "c", "JP"), 0.5));
    assert!(close(at_risk(&r, "e", "JP"), 0.0));
    // `--at` wins over every `at` and every latest `from`.
    let r = run(p, Some("2026-04-01"));
    assert!(
        r.scenarios
            .iter()
            .all(|s| s.at.as_deref() == Some("2026-04-01"))
    );
    assert!(
        r.scenarios
            .iter()
            .all(|s| close(at_risk(&r, &s.name, "JP"), 0.5))
    );
}

#[test]
fn expect_at_a_date_measures_there_even_under_dash_dash_at() {
    let p = "CN bans ore to JP from 2026-01-01 until 2026-07-01\n\
             scenario cut { }\n\
             expect cut at 2025-12-31: JP.ore.at_risk == 0%\n\
             expect cut at 2026-01-01: JP.ore.at_risk == 50%\n\
             expect at 2026-07-01: JP.ore.at_risk == 0%\n\
             expect cut: JP.ore.at_risk == 50%";
    // `cut` is read as of its latest `from`, 2026-01-01: the ban is in
    // force, so the undated expectation passes too.
    let r = run(p, None);
    assert!(r.expectations.iter().all(|e| e.passed));
    assert_eq!(r.expectations[0].at.as_deref(), Some("2025-12-31"));
    assert_eq!(r.expectations[3].at, None);
    // Under `--at 2027-01-01` the dated ones keep their dates and pass; the
    // undated one is measured in 2027, after the ban: 0%, and fails.
    let r = run(p, Some("2027-01-01"));
    let passed: Vec<bool> = r.expectations.iter().map(|e| e.passed).collect();
    assert_eq!(passed, [true, true, true, false]);
}

/// A used file may hold dated policies: they join base. An undated policy
/// there is still an error.
#[test]
fn a_used_file_brings_dated_policies_into_base() {
    let loader = MemoryLoader::new()
        .with(
            "main.lode",
            "use \"world.lode\"\nuse \"policies.lode\"\nallocation sticky\nreport for JP on ore",
        )
        .with("world.lode", WORLD.replace("allocation sticky\n", ""))
        .with(
            "policies.lode",
            "use \"world.lode\"\nCN bans ore to JP from 2026-01-01 as cut\nCN lifts cut from 2026-03-01",
        );
    let c = match pipeline::compile(Input::File(Path::new("main.lode")), &loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "{:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    };
    for (at, want) in [("2026-02-01", 0.5), ("2026-03-01", 0.0)] {
        let opts = EvalOptions {
            at: Some(d(at)),
            ..EvalOptions::default()
        };
        let r = pipeline::evaluate(&c, &opts, &Silent).results;
        assert!(close(at_risk(&r, "base", "JP"), want), "at {at}");
    }
    let bad = MemoryLoader::new()
        .with("main.lode", "use \"world.lode\"\nuse \"p.lode\"")
        .with("world.lode", WORLD)
        .with("p.lode", "use \"world.lode\"\nCN bans ore to JP");
    let Err(f) = pipeline::compile(Input::File(Path::new("main.lode")), &bad) else {
        panic!("an undated policy in a used file checks");
    };
    assert!(
        f.diags
            .iter()
            .any(|d| d.code.as_str() == "lode::E0506" && d.message.contains("dated policies")),
        "{:?}",
        f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
}

fn follow(program: &str, from: &str, until: &str) -> Timeline {
    let c = compile(program);
    let opts = TimelineOptions {
        from: Some(d(from)),
        until: Some(d(until)),
        ..TimelineOptions::default()
    };
    timeline::timeline(&c.checked, &opts).unwrap()
}

fn row<'t>(t: &'t Timeline, actor: &str) -> &'t timeline::TimelineRow {
    t.rows.iter().find(|r| r.actor == actor).unwrap()
}

/// A constant shortfall f = 50% from t0 and a 60-day stock: it lasts
/// 60 / 0.5 = 120 days, exactly the cover_days of `lode run --at t0`:
/// 2026-01-01 + 120 days (31 + 28 + 31 + 30) = 2026-05-01. The stock falls
/// by f·Δ a step: 60, 60 − 15.5 = 44.5, 44.5 − 14 = 30.5, 30.5 − 15.5 = 15,
/// and April's 0.5 × 30 = 15 empties it exactly.
#[test]
fn a_constant_shortfall_empties_a_stock_of_s_days_after_s_over_f_days() {
    let p = "stockpile JP ore 60 days\nCN bans ore to JP from 2026-01-01\nreport for JP on ore";
    let t = follow(p, "2026-01-01", "2026-07-01");
    let jp = row(&t, "JP");
    let stock: Vec<f64> = jp.points.iter().map(|p| p.stock_days.unwrap()).collect();
    assert_eq!(stock, [60.0, 44.5, 30.5, 15.0, 0.0, 0.0]);
    let f: Vec<f64> = jp.points.iter().map(|p| p.shortfall.unwrap()).collect();
    assert!(f.iter().all(|&f| close(f, 0.5)));
    assert!(close(jp.stock_out_day.unwrap(), 120.0));
    assert_eq!(jp.stock_out, Some(d("2026-05-01")));
    let r = run(p, Some("2026-01-01"));
    let cover = metric(&r, "base", "JP", |row| row.cover_days).unwrap();
    assert!(close(cover, jp.stock_out_day.unwrap()));
    // Covered while it lasts; uncovered in full once it is gone.
    let unc: Vec<f64> = jp.points.iter().map(|p| p.uncovered.unwrap()).collect();
    assert!(close(unc[3], 0.0) && close(unc[4], 0.5) && close(unc[5], 0.5));
}

/// uncovered = max(0, f·Δ − L) / Δ. With 50 days: 50 − 15.5 − 14 − 15.5 =
/// 5 left on 1 April; April needs 15: (15 − 5) / 30 = 1/3 uncovered, and the
/// stock runs out 5 / 0.5 = 10 days in, on 2026-04-11 (day 90 + 10 = 100 =
/// 50 / 0.5). A group of JP and CN (China short of nothing, no stock):
/// stock_days = Σ L·D / Σ D = 50 × 30 / 80 = 18.75 at the start, and
/// uncovered the demand-weighted mean, (1/3 × 30 + 0 × 50) / 80 = 0.125.
#[test]
fn uncovered_is_what_the_stock_cannot_cover_and_groups_weigh_by_demand() {
    let p = "group pair = JP + CN\nstockpile JP ore 50 days\nCN bans ore to JP from 2026-01-01\n\
             report for JP, pair on ore";
    let t = follow(p, "2026-01-01", "2026-06-01");
    let jp = row(&t, "JP");
    assert!(close(jp.points[3].uncovered.unwrap(), 1.0 / 3.0));
    assert!(close(jp.points[3].stock_days.unwrap(), 5.0));
    assert_eq!(jp.stock_out, Some(d("2026-04-11")));
    assert!(close(jp.stock_out_day.unwrap(), 100.0));
    let pair = row(&t, "pair");
    assert!(close(pair.points[0].stock_days.unwrap(), 18.75));
    assert!(close(pair.points[3].uncovered.unwrap(), 0.125));
    assert_eq!(pair.stock_out, None);
    // One sentence per stockpile.
    assert_eq!(t.stockpiles.len(), 1);
    assert_eq!(
        t.stockpiles[0].sentence(t.until),
        "JP ore: stock runs out 2026-04-11, 100 days after 2026-01-01"
    );
}

/// A dated stockpile starts when it comes into force: 20 days from 1 March
/// at f = 0.5: March draws 15.5, leaving 4.5; April needs 15:
/// (15 − 4.5) / 30 = 0.35 uncovered, out 9 days in (2026-04-10).
#[test]
fn a_dated_stockpile_starts_when_it_comes_into_force() {
    let p = "stockpile JP ore 20 days from 2026-03-01\nCN bans ore to JP from 2026-01-01\n\
             report for JP on ore";
    let t = follow(p, "2026-01-01", "2026-06-01");
    let jp = row(&t, "JP");
    assert_eq!(jp.points[0].stock_days, None);
    assert!(close(jp.points[0].uncovered.unwrap(), 0.5));
    assert_eq!(jp.points[2].stock_days, Some(20.0));
    assert!(close(jp.points[3].uncovered.unwrap(), 0.35));
    assert_eq!(jp.stock_out, Some(d("2026-04-10")));
    assert!(close(jp.stock_out_day.unwrap(), 99.0));
}

/// The range: from 2026-01-15 (the earliest date named) to 12 months
/// after 2026-03-01 (the latest), monthly: 14 steps, each seeing the
/// situation on its own first day.
#[test]
fn the_default_range_runs_from_the_earliest_date_to_twelve_months_after_the_latest() {
    let c = compile("CN bans ore to JP from 2026-01-15 until 2026-03-01\nreport for JP on ore");
    let t = timeline::timeline(&c.checked, &TimelineOptions::default()).unwrap();
    assert_eq!((t.from, t.until), (d("2026-01-15"), d("2027-03-01")));
    assert_eq!(t.steps.len(), 14);
    let f: Vec<f64> = row(&t, "JP")
        .points
        .iter()
        .map(|p| p.shortfall.unwrap())
        .collect();
    // 2026-01-15 and 2026-02-15 fall in the ban; from 2026-03-15 it is over.
    assert!(close(f[0], 0.5) && close(f[1], 0.5) && close(f[2], 0.0));
    // Two situations in 14 steps, so two evaluations of the one mineral:
    // during the ban (2 steps) and after it (12).
    assert_eq!(t.evaluations, 2);
    let undated = compile("CN bans ore to JP\nreport for JP on ore");
    let e = timeline::timeline(&undated.checked, &TimelineOptions::default()).unwrap_err();
    assert!(e.to_string().contains("names no date"), "{e}");
}

fn lode(args: &[&str], file_text: Option<&str>) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    if let Some(text) = file_text {
        let path = dir.path().join("t.lode");
        std::fs::write(&path, text).unwrap();
        for a in args.iter_mut() {
            if a == "FILE" {
                *a = path.display().to_string();
            }
        }
    }
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(&args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_dates_are_coded_diagnostics_and_a_bad_dash_dash_at_is_a_usage_error() {
    for (text, code) in [
        (
            "CN restricts rare_earths to JP from tomorrow",
            "lode::E0101",
        ),
        (
            "CN restricts rare_earths to JP from 2026-02-30",
            "lode::E0801",
        ),
        ("CN restricts rare_earths to JP from 2026Q5", "lode::E0801"),
        ("CN restricts rare_earths to JP from 2026-13", "lode::E0801"),
        (
            "CN restricts rare_earths to JP from 2026-06-01 until 2026-01-01",
            "lode::E0802",
        ),
        (
            "CN restricts rare_earths to JP from 2026-01-01 as a\nCN lifts b",
            "lode::E0803",
        ),
        (
            "CN bans gallium to US as a\nCN bans germanium to US as a",
            "lode::E0207",
        ),
    ] {
        let (code_out, stdout, stderr) = lode(&["run", "FILE"], Some(text));
        assert_eq!(code_out, 1, "{text}: {stderr}");
        assert_eq!(stdout, "", "{text}");
        assert!(stderr.contains(code), "{text}: {stderr}");
    }
    let (c, stdout, stderr) = lode(&["run", "FILE", "--at", "garbage"], Some("use world2024"));
    assert_eq!((c, stdout.as_str()), (2, ""));
    assert!(stderr.contains("`garbage` is not a date"), "{stderr}");
    let (c, stdout, stderr) = lode(
        &["run", "FILE", "--at", "2026-02-30"],
        Some("use world2024"),
    );
    assert_eq!((c, stdout.as_str()), (2, ""));
    assert!(stderr.contains("February 2026 has 28 days"), "{stderr}");
    // The option is documented, with an example.
    let (_, help, _) = lode(&["run", "--help"], None);
    assert!(help.contains("--at <DATE>"), "{help}");
    assert!(help.contains("--at 2026-01-12"), "{help}");
}

#[test]
fn lode_timeline_prints_steps_and_when_the_stock_runs_out() {
    let text = format!(
        "{WORLD}stockpile JP ore 60 days\nCN bans ore to JP from 2026-01-01\nreport for JP on ore"
    );
    let (c, out, err) = lode(&["timeline", "FILE", "--until", "2026-07-01"], Some(&text));
    assert_eq!(c, 0, "{err}");
    assert!(
        out.starts_with("timeline base — 2026-01-01 to 2026-07-01, monthly\n"),
        "{out}"
    );
    assert!(
        out.contains("2026-04-01    30      50.0%        15.0       0.0%"),
        "{out}"
    );
    assert!(
        out.contains("JP ore: stock runs out 2026-05-01, 120 days after 2026-01-01"),
        "{out}"
    );
    let (c, csv, _) = lode(
        &[
            "timeline",
            "FILE",
            "--until",
            "2026-03-01",
            "--format",
            "csv",
        ],
        Some(&text),
    );
    assert_eq!(c, 0);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "scenario,actor,kind,mineral,date,days,shortfall,stock_days,uncovered,stock_out,stock_out_day"
    );
    // January: 60 days of stock, 31 days long, f = 0.5, all covered; the
    // stock lasts beyond the range, so no stock_out.
    assert_eq!(lines[1], "base,JP,country,ore,2026-01-01,31,0.5,60,0,,");
    // No date and no range: an error that says so, nothing on stdout.
    let (c, out, err) = lode(
        &["timeline", "FILE"],
        Some(&format!("{WORLD}CN bans ore to JP")),
    );
    assert_eq!((c, out.as_str()), (2, ""));
    assert!(err.contains("names no date"), "{err}");
    let (_, help, _) = lode(&["timeline", "--help"], None);
    assert!(
        help.contains("--step <STEP>") && help.contains("Examples:"),
        "{help}"
    );
}

#[test]
fn the_session_sets_its_date_with_colon_at_and_undoes_it() {
    let mut s = Session::new(Start::Empty).unwrap();
    let r = s.input(WORLD);
    assert!(!r.failed, "{}", r.diagnostics);
    let r = s.input("CN bans ore to JP from 2026-01-01 until 2026-07-01");
    assert!(!r.failed, "{}", r.diagnostics);
    assert_eq!(
        s.input(":at").output,
        "as of 2026-01-01: the latest `from` of the session's statements\n"
    );
    assert_eq!(s.input("JP.ore.at_risk").output, "50.0%\n");
    assert!(!s.input(":at 2026-07-01").failed);
    assert_eq!(s.input("JP.ore.at_risk").output, "0.0%\n");
    assert!(
        s.input(":at")
            .output
            .starts_with("as of 2026-07-01 (set with `:at`")
    );
    assert!(!s.input(":undo").failed);
    assert_eq!(s.input("JP.ore.at_risk").output, "50.0%\n");
    let bad = s.input(":at 2026Q5");
    assert!(bad.failed && bad.diagnostics.contains("there is no quarter 5"));
    let t = s.input(":timeline for JP on ore");
    assert!(!t.failed, "{}", t.diagnostics);
    assert!(
        t.output
            .starts_with("timeline base — 2026-01-01 to 2027-07-01, monthly\n"),
        "{}",
        t.output
    );
}

/// `use policies2025`: China's ban of 3 Dec 2024 (MOFCOM No. 46) and its
/// suspension from 9 Nov 2025 to 27 Nov 2026 (No. 72). World2024's gallium:
/// China refines 98.4% and uses 89.5%, Russia, Japan and Korea spare 1.6
/// points, so the US buys 8.9 / 10.5 of its gallium from China; sticky, the
/// ban takes all of that.
#[test]
fn the_embedded_policies_date_the_gallium_ban_and_its_suspension() {
    let program = "use policies2025\nallocation sticky\nreport for US on gallium";
    let c = match pipeline::compile(
        Input::Text {
            name: "<test>",
            text: program.to_string(),
        },
        &MemoryLoader::new(),
    ) {
        Ok(c) => c,
        Err(f) => panic!(
            "{:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    };
    let at = |date: Option<&str>| {
        let opts = EvalOptions {
            at: date.map(d),
            ..EvalOptions::default()
        };
        let r = pipeline::evaluate(&c, &opts, &Silent).results;
        (r.scenarios[0].at.clone(), at_risk(&r, "base", "US"))
    };
    // Read as of its latest `from`, the suspension: nothing at risk.
    assert_eq!(at(None), (Some("2025-11-09".into()), 0.0));
    assert!(close(at(Some("2024-12-03")).1, 8.9 / 10.5));
    assert!(close(at(Some("2024-12-02")).1, 0.0));
    assert!(close(at(Some("2026-11-27")).1, 8.9 / 10.5));
}

/// The chronology of `scenarios/timeline_2023_2026.lode`, 36 months from
/// January 2024 over all 13 minerals: 468 (mineral, step) pairs, but a
/// mineral is evaluated again only when a dated statement touching it
/// changes. The situations, by the first step that sees them:
/// - gallium and germanium (licensing throughout; the ban from 2025-01, its
///   suspension 2025-12 to 2026-11): 3 each;
/// - antimony (licensing from 2024-10, then as gallium): 4;
/// - rare_earths (October controls from 2025-11, suspended 2025-12 to
///   2026-11; Japan from 2026-01): none, controls, suspended, suspended with
///   Japan, controls with Japan: 5;
/// - graphite and lithium (October controls and their suspension): none,
///   controls, suspended — and controls again in 2026-12, as in 2025-11: 3
///   each;
/// - the 7 others, no dated statement: 1 each.
///
/// 3 + 3 + 4 + 5 + 3 + 3 + 7 = 28.
#[test]
fn a_timeline_evaluates_a_mineral_once_per_situation() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/timeline_2023_2026.lode");
    let loader = lode::loader::FsLoader::for_file(&path, None);
    let c = match pipeline::compile(Input::File(&path), &loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "{:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    };
    let minerals: Vec<lode::program::MineralId> = c.checked.world.mineral_ids().collect();
    assert_eq!(minerals.len(), 13);
    let opts = TimelineOptions {
        from: Some(d("2024-01")),
        until: Some(d("2027-01")),
        minerals: Some(minerals),
        ..TimelineOptions::default()
    };
    let t = timeline::timeline(&c.checked, &opts).unwrap();
    assert_eq!(t.steps.len(), 36);
    assert_eq!(t.evaluations, 28);
}
