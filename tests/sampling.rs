//! Uncertainty (SPEC §9): ranges drawn per sample, percentiles, `chance`,
//! determinism across threads. Expected values are the closed forms of the
//! distributions (arithmetic in comments); the tolerances are what 20,000
//! samples allow.

use std::process::Command;

use lode::diagnostic::Code;
use lode::eval::{EvalOptions, Silent};
use lode::loader::MemoryLoader;
use lode::pipeline::{self, Input};
use lode::results::{Results, Row};
use lode::sample::SampleOptions;

fn run(text: &str, samples: Option<usize>, seed: u64) -> Results {
    let c = pipeline::compile(
        Input::Text {
            name: "t.lode",
            text: text.to_string(),
        },
        &MemoryLoader::new(),
    )
    .unwrap_or_else(|f| panic!("{:?}", f.diags));

    let opts = EvalOptions {
        sampling: samples.map(|samples| SampleOptions { samples, seed }),
        ..EvalOptions::default()
    };
    pipeline::evaluate(&c, &opts, &Silent).results
}

fn row<'r>(r: &'r Results, actor: &str) -> &'r Row {
    r.scenarios[0]
        .rows
        .iter()
        .find(|x| x.actor == actor)
        .expect("a row")
}

/// XB buys all its ore from XA; nothing reroutes: its at-risk share is
/// exactly the restriction's fraction.
const LINEAR: &str = "actor XA, XB\nmineral ore {\n  supply: XA 100%\n  demand: XB 100%\n}\n\
    report for XB\n";

#[test]
fn a_uniform_range_gives_its_quantiles() {
    let r = run(
        &format!(
            "{LINEAR}let cut = 20%..60%\nXA restricts ore to XB by cut\n\
             expect chance(XB.ore.at_risk > 50%) == 25% +- 1%\n\
             expect p50(XB.ore.at_risk) == 40% +- 0.6%"
        ),
        Some(20_000),
        0,
    );
    let st = row(&r, "XB").stats.as_ref().expect("statistics");
    let s = st.at_risk.expect("at risk");
    // Uniform on [0.2, 0.6]: quantile q = 0.2 + 0.4·q: p5 22%, p50 40%,
    // p95 58%; mean 40%.
    for (got, want) in [(s.p5, 0.22), (s.p50, 0.40), (s.p95, 0.58), (s.mean, 0.40)] {
        assert!((got - want).abs() < 0.006, "{got} against {want}");
    }
    // P(cut > 0.5) = (0.6 − 0.5) / 0.4 = 25%.
    assert!(
        r.expectations.iter().all(|e| e.passed),
        "{:?}",
        r.expectations
    );
    // The plain figure is the midpoint.
    assert_eq!(row(&r, "XB").at_risk, Some(0.4));
}

#[test]
fn a_triangular_range_gives_its_quantiles() {
    let r = run(
        &format!("{LINEAR}XA restricts ore to XB by 30% (20%..60%)"),
        Some(20_000),
        7,
    );
    let s = row(&r, "XB").stats.as_ref().unwrap().at_risk.unwrap();
    // Triangular a = 0.2, c = 0.3, b = 0.6: F(c) = 0.1/0.4 = 0.25.
    // q ≤ 0.25: a + √(q·0.4·0.1); q > 0.25: b − √((1 − q)·0.4·0.3).
    let p5 = 0.2 + (0.05f64 * 0.04).sqrt(); // 0.24472
    let p50 = 0.6 - (0.5f64 * 0.12).sqrt(); // 0.35505
    let p95 = 0.6 - (0.05f64 * 0.12).sqrt(); // 0.52254
    let mean = (0.2 + 0.3 + 0.6) / 3.0; // 0.36667
    for (got, want) in [(s.p5, p5), (s.p50, p50), (s.p95, p95), (s.mean, mean)] {
        assert!((got - want).abs() < 0.006, "{got} against {want}");
    }
    // The plain figure is the mode.
    assert!((row(&r, "XB").at_risk.unwrap() - 0.3).abs() < 1e-12);
}

#[test]
fn a_shared_let_moves_its_uses_together() {
    // XB buys half from XA and half from XC. One draw for both cuts: at
    // risk = ½u + ½u = u ~ U(0, 1), so p5 = 5%. Two independent draws: at
    // risk = (u₁ + u₂)/2, triangular on [0, 1] with mode ½, so
    // P(X ≤ x) = 2x² below ½, so p5 = √(0.05/2) = 15.8%.
    let world = "actor XA, XB, XC\nmineral ore {\n  supply: XA 50%, XC 50%\n  demand: XB 100%\n}\n\
        report for XB\n";
    let shared = run(
        &format!(
            "{world}let cut = 0%..100%\nXA restricts ore to XB by cut\nXC restricts ore to XB by cut"
        ),
        Some(20_000),
        1,
    );
    let independent = run(
        &format!("{world}XA restricts ore to XB by 0%..100%\nXC restricts ore to XB by 0%..100%"),
        Some(20_000),
        1,
    );
    let p5 = |r: &Results| row(r, "XB").stats.as_ref().unwrap().at_risk.unwrap().p5;
    assert!(
        (p5(&shared) - 0.05).abs() < 0.006,
        "shared: {}",
        p5(&shared)
    );
    assert!(
        (p5(&independent) - 0.025f64.sqrt()).abs() < 0.006,
        "independent: {}",
        p5(&independent)
    );
}

#[test]
fn a_range_of_one_value_is_the_plain_run() {
    let plain = run(&format!("{LINEAR}XA restricts ore to XB by 40%"), None, 0);
    let point = run(
        &format!("{LINEAR}XA restricts ore to XB by 40%..40%"),
        Some(50),
        3,
    );
    let s = row(&point, "XB").stats.as_ref().unwrap().at_risk.unwrap();
    let v = row(&plain, "XB").at_risk.unwrap();
    assert_eq!((s.p5, s.p50, s.p95, s.mean), (v, v, v, v));
}

#[test]
fn statistics_need_samples() {
    let c = pipeline::compile(
        Input::Text {
            name: "t",
            text: format!("{LINEAR}expect p95(XB.ore.at_risk) < 80%"),
        },
        &MemoryLoader::new(),
    )
    .unwrap_or_else(|f| panic!("{:?}", f.diags));
    let Err(d) = pipeline::sampling(&c, None, None) else {
        panic!("a statistic ran without samples");
    };
    assert_eq!(d[0].code, Code::NeedsSamples);
    // A `samples` line in the file is enough; the option overrides it.
    let c = pipeline::compile(
        Input::Text {
            name: "t",
            text: format!("{LINEAR}samples 100\nseed 5\nexpect p95(XB.ore.at_risk) < 80%"),
        },
        &MemoryLoader::new(),
    )
    .unwrap_or_else(|f| panic!("{:?}", f.diags));
    assert_eq!(
        pipeline::sampling(&c, None, None).unwrap(),
        Some(SampleOptions {
            samples: 100,
            seed: 5
        })
    );
    assert_eq!(
        pipeline::sampling(&c, Some(7), None).unwrap(),
        Some(SampleOptions {
            samples: 7,
            seed: 5
        })
    );
}

fn lode(args: &[&str], threads: &str) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("RAYON_NUM_THREADS", threads)
        .output()
        .expect("lode runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn the_same_seed_gives_the_same_bytes_on_any_number_of_threads() {
    let text = "china restricts rare_earths to JP by 40%..90%\nrare_earths.refining: CN 80%..92%\n\
        report for JP, US, KR on rare_earths";
    let args = [
        "run",
        "-e",
        text,
        "--samples",
        "600",
        "--seed",
        "9",
        "--format",
        "json",
    ];
    let (one, _, c1) = lode(&args, "1");
    let (two, _, c2) = lode(&args, "2");
    let (again, _, _) = lode(&args, "2");
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(one, two);
    assert_eq!(two, again);
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(v["sampling"]["samples"], 600);
    let jp = &v["scenarios"][0]["rows"][0];
    assert!(jp["at_risk"]["p5"].is_number() && jp["at_risk"]["p95"].is_number());
    assert!(jp["top_supplier"]["mode"].is_string());
    // Another seed, other draws.
    let (other, _, _) = lode(
        &[
            "run",
            "-e",
            text,
            "--samples",
            "600",
            "--seed",
            "10",
            "--format",
            "json",
        ],
        "2",
    );
    assert_ne!(one, other);
}

#[test]
fn bad_sampling_options_are_coded() {
    for args in [
        ["--samples", "0"],
        ["--samples", "2000000"],
        ["--seed", "-1"],
    ] {
        let mut all = vec!["run", "-e", "china restricts rare_earths to JP"];
        all.extend(args);
        let (out, err, code) = lode(&all, "2");
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains("lode::E0402"), "{err}");
    }
    let (_, err, code) = lode(&["run", "-e", "samples 0"], "2");
    assert_eq!(code, 1);
    assert!(err.contains("lode::E0402"), "{err}");
}

#[test]
fn the_table_shows_medians_and_ranges() {
    let (out, _, code) = lode(
        &[
            "run",
            "-e",
            &format!("{LINEAR}XA restricts ore to XB by 20%..60%"),
            "--samples",
            "2000",
        ],
        "2",
    );
    assert_eq!(code, 0);
    // p50 [p5–p95] of U(20%, 60%): about 40.0% [22.0%–58.0%].
    assert!(out.contains("% ["), "{out}");
    assert!(out.contains("over 2000 samples (seed 0)"), "{out}");
}

fn diagnostics(text: &str) -> Vec<(Code, String)> {
    match pipeline::compile(
        Input::Text {
            name: "t.lode",
            text: text.to_string(),
        },
        &MemoryLoader::new(),
    ) {
        Ok(_) => Vec::new(),
        Err(f) => f
            .diags
            .iter()
            .map(|d| (d.code, d.message.clone()))
            .collect(),
    }
}

#[test]
fn a_range_must_fit_its_statement_at_both_ends() {
    // The plain values (midpoints 95%, 80%, 60 − 45 = 15 kt) are allowed;
    // the high ends (110%, 120% = 2 × 60%) and the low end (60 − 70 =
    // −10 kt) are not.
    let cases = [
        "actor XA\nmineral ore { supply: XA 80%..110% }",
        "actor XA, XB\nmineral ore { supply: XA 100%\n demand: XB 100% }\n\
         let cut = 20%..60%\nXA restricts ore to XB by cut * 2",
        "actor XA, XB\nmineral ore { volume 100 kt\n supply: XA 100%\n demand: XB 100% }\n\
         XA restricts ore to XB by 60 kt - 20 kt..70 kt",
    ];
    for text in cases {
        let diags = diagnostics(text);
        assert!(
            diags
                .iter()
                .any(|(c, m)| *c == Code::OutOfRange && m.contains("over its whole range")),
            "{text}: {diags:?}"
        );
    }
    // At both ends inside: accepted.
    assert!(diagnostics("actor XA\nmineral ore { supply: XA 80%..100% }").is_empty());
}

/// The REPL answers a metric over samples once `:samples N` is set: XB's
/// at-risk share is the cut, uniform on [20%, 60%], so its median is 40%
/// and its 5th and 95th percentiles 22% and 58% (20% + q × 40%). With
/// 4,000 samples the standard errors are 40 pp × √(0.05 × 0.95 / 4000) =
/// 0.14 pp at the ends and 40 pp × √(0.25 / 4000) = 0.32 pp at the median:
/// all three within 1 pp.
#[test]
fn the_repl_answers_over_samples() {
    use lode::session::{Session, Start};
    let mut s = Session::new(Start::Empty).expect("an empty session starts");
    for line in [
        "actor XA, XB",
        "mineral ore {\n  supply: XA 100%\n  demand: XB 100%\n}",
        "let cut = 20%..60%",
        "XA restricts ore to XB by cut",
    ] {
        let r = s.input(line);
        assert!(!r.failed, "{line}: {}", r.diagnostics);
    }
    // Plain: the midpoint.
    assert_eq!(s.input("XB.ore.at_risk").output.trim(), "40.0%");
    assert!(s.input(":samples").output.contains("plainly"));
    let r = s.input(":samples 4000");
    assert!(
        !r.failed && r.output.contains("4000 samples (seed 0)"),
        "{r:?}"
    );
    let answer = s.input("XB.ore.at_risk").output;
    let numbers: Vec<f64> = answer
        .split(|c: char| !(c.is_ascii_digit() || c == '.'))
        .filter_map(|w| w.parse().ok())
        .collect();
    assert_eq!(numbers.len(), 3, "{answer}");
    for (got, want) in numbers.iter().zip([40.0, 22.0, 58.0]) {
        assert!((got - want).abs() <= 1.0, "{answer}");
    }
    assert!(answer.contains('[') && answer.contains('–'), "{answer}");
    // The same seed gives the same answer; another seed may differ but
    // keeps within the same bounds.
    assert_eq!(s.input("XB.ore.at_risk").output, answer);
    assert!(s.input(":seed 9").output.contains("seed 9"));
    assert_eq!(s.input(":seed").output.trim(), "seed 9");
    // The top supplier over samples: XA in all of them.
    assert_eq!(
        s.input("XB.ore.top_supplier").output.trim(),
        "XA (in 100.0% of samples)"
    );
    // Bad counts are refused and change nothing.
    assert!(s.input(":samples 0").failed);
    assert!(s.input(":samples lots").failed);
    assert!(s.input(":seed -1").failed);
    // `:undo` takes back `:seed`, `:samples off` answers plainly again.
    assert!(!s.input(":undo").failed);
    assert_eq!(s.input(":seed").output.trim(), "seed 0");
    assert!(!s.input(":samples off").failed);
    assert_eq!(s.input("XB.ore.at_risk").output.trim(), "40.0%");
    // Both commands are in the help.
    let help = s.input(":help").output;
    assert!(
        help.contains(":samples") && help.contains(":seed"),
        "{help}"
    );
}

/// A timeline over samples: XB buys all its ore from XA, which restricts
/// it by a cut uniform on [20%, 60%] from 2026-01-01; XB holds 60 days.
/// Each step's shortfall is the cut: p5 22%, p50 40%, p95 58% (20% + q ×
/// 40%). The stock lasts 60 / cut days, from 100 (cut 60%) to 300 (cut
/// 20%), inside the year in every sample; its quantiles are the cut's
/// turned over: p5 = 60 / 0.58 = 103.4, p50 = 60 / 0.40 = 150, p95 =
/// 60 / 0.22 = 272.7 days. With 4,000 samples the cut's quantiles carry a
/// standard error of 0.14 pp, which moves 60 / c by at most 60 / 0.22² ×
/// 0.0014 = 1.7 days.
#[test]
fn a_timeline_over_samples_gives_quantiles_per_step_and_of_the_stock_out() {
    use lode::date::Date;
    use lode::timeline::{self, TimelineOptions};
    let c = pipeline::compile(
        Input::Text {
            name: "t.lode",
            text: format!(
                "{LINEAR}stockpile XB ore 60 days\nlet cut = 20%..60%\n\
                 XA restricts ore to XB by cut from 2026-01-01"
            ),
        },
        &MemoryLoader::new(),
    )
    .unwrap_or_else(|f| panic!("{:?}", f.diags));
    let d = |s: &str| Date::parse(s).unwrap();
    let opts = TimelineOptions {
        from: Some(d("2026-01-01")),
        until: Some(d("2027-01-01")),
        ..TimelineOptions::default()
    };
    let plain = timeline::timeline(&c.checked, &opts).unwrap();
    let t = timeline::timeline_sampled(
        &c.checked,
        &opts,
        SampleOptions {
            samples: 4000,
            seed: 11,
        },
    )
    .unwrap();
    let row = &t.rows[0];
    assert_eq!(row.actor, "XB");
    // The plain figures are kept: the midpoint 40% lasts 150 days.
    assert_eq!(row.points, {
        let mut p = plain.rows[0].points.clone();
        for (q, s) in p.iter_mut().zip(&row.points) {
            q.shortfall_stats = s.shortfall_stats;
        }
        p
    });
    assert_eq!(row.stock_out_day, Some(150.0));
    assert_eq!(row.points.len(), 12);
    for p in &row.points {
        let s = p.shortfall_stats.expect("statistics on every step");
        for (got, want) in [(s.p5, 0.22), (s.p50, 0.40), (s.p95, 0.58)] {
            assert!((got - want).abs() < 0.005, "{:?}: {got} vs {want}", p.date);
        }
    }
    let out = row.stock_out_stats.as_ref().expect("a stockpile");
    assert_eq!(out.share, 1.0);
    let day = out.day.expect("days");
    for (got, want) in [
        (day.p5, 60.0 / 0.58),
        (day.p50, 150.0),
        (day.p95, 60.0 / 0.22),
    ] {
        assert!((got - want).abs() < 2.0, "{got} vs {want}");
    }
    // The same seed gives the same timeline; the table says what it shows.
    let again = timeline::timeline_sampled(
        &c.checked,
        &opts,
        SampleOptions {
            samples: 4000,
            seed: 11,
        },
    )
    .unwrap();
    assert_eq!(again, t);
    let table = lode::report::timeline::render(
        &t,
        lode::report::Format::Table,
        &lode::report::RenderOptions::default(),
    );
    assert!(table.contains("over 4000 samples (seed 11)"), "{table}");
    assert!(table.contains("runs out in 100.0% of them"), "{table}");
    let csv = lode::report::timeline::render(
        &t,
        lode::report::Format::Csv,
        &lode::report::RenderOptions::default(),
    );
    assert!(
        csv.lines().next().unwrap().ends_with("stock_out_day_p95"),
        "{csv}"
    );
}
