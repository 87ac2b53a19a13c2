//! `lode sweep` and `lode tornado` (SPEC §11): every sweep entry is the
//! run of its scenario with the event's statement appended; the events are
//! exactly the producers at or above the threshold; each tornado bar is two
//! plain runs with the input at its ends; and values worked out by hand.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use lode::eval::{EvalOptions, Silent};
use lode::loader::MemoryLoader;
use lode::pipeline::{self, Compiled, Input};
use lode::sensitivity::{self, EventKind, SweepOptions, TornadoOptions};
use lode::session::{Session, Start};
use lode::source::SourceMap;

/// Three stages, mining → refining → magnets, two minerals, a coalition,
/// a producer under 1% (US mining, 0.5%), a home producer of magnets (JP)
/// and half the market rerouting.
const THREE_STAGES: &str = "\
actor AA, BB, CC, DD, EE, JP, US, KR
coalition allies = JP + US
mineral re {
  stages mining, refining, magnets
  mining: AA 60%, BB 30%, CC 5%, US 0.5%
  refining: AA 80%, DD 20%
  magnets: AA 50%, JP 30%, EE 20%
  demand: JP 40%, US 30%, KR 10%
}
mineral ga {
  supply: AA 90%, US 10%
  demand: US 50%, JP 20%
}
allocation market
rerouting 50%
";

/// Two stages, bilateral sourcing, coalition-first allocation, and a
/// restriction already in the scenario the events are added to.
const SOURCED: &str = "\
actor AA, BB, CC, JP, US, DE
coalition allies = JP + US + DE
mineral li {
  stages mining, refining
  mining: AA 50%, BB 30%, CC 20%
  refining: AA 60%, US 25%, DE 15%
  demand: JP 30%, US 30%, DE 20%
  JP sources refining: US 50%, AA 50%
}
allocation coalition_first
rerouting 80%
AA restricts li.refining to JP by 40%
";

fn compile(text: &str) -> Compiled {
    let loader = MemoryLoader::new().with("w/main.lode", text);
    match pipeline::compile(Input::File(Path::new("w/main.lode")), &loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

/// `(actor, mineral) → (at_risk, shortfall)` of a plain run's base scenario.
fn run(text: &str) -> HashMap<(String, String), (Option<f64>, Option<f64>)> {
    let c = compile(text);
    let r = pipeline::evaluate(&c, &EvalOptions::default(), &Silent);
    r.results.scenarios[0]
        .rows
        .iter()
        .map(|row| {
            (
                (row.actor.clone(), row.mineral.clone()),
                (row.at_risk, row.shortfall),
            )
        })
        .collect()
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() <= 1e-12,
        (None, None) => true,
        _ => false,
    }
}

/// Every entry of the sweep equals the run with its statement appended.
fn every_entry_is_a_run(text: &str, opts: &SweepOptions) -> usize {
    let c = compile(text);
    let sweep = sensitivity::sweep(&c.checked, opts, &Silent);
    let base = run(text);
    for row in &sweep.rows {
        let key = (row.actor.clone(), row.mineral.clone());
        let (r, s) = base[&key];
        assert!(close(row.at_risk, r) && close(row.shortfall, s), "{key:?}");
    }
    for event in &sweep.events {
        let appended = run(&format!("{text}{}\n", event.statement));
        let mut seen = 0;
        for row in sweep.rows.iter().filter(|r| r.mineral == event.mineral) {
            let e = row.events.iter().find(|e| e.event == event.id).unwrap();
            let key = (row.actor.clone(), row.mineral.clone());
            let (r, s) = appended[&key];
            assert!(
                close(e.at_risk, r) && close(e.shortfall, s),
                "`{}`, row {key:?}: sweep {:?}/{:?}, run {r:?}/{s:?}",
                event.statement,
                e.at_risk,
                e.shortfall
            );
            seen += 1;
        }
        assert!(seen > 0, "`{}` has rows", event.statement);
    }
    sweep.events.len()
}

#[test]
fn each_disruption_equals_the_run_with_its_statement_appended() {
    let n = every_entry_is_a_run(THREE_STAGES, &SweepOptions::default());
    // re: mining AA, BB, CC (US 0.5% is under 1%); refining AA, DD;
    // magnets AA, JP, EE; ga: AA, US. 3 + 2 + 3 + 2 = 10.
    assert_eq!(n, 10);
    let n = every_entry_is_a_run(SOURCED, &SweepOptions::default());
    // mining AA, BB, CC; refining AA, US, DE.
    assert_eq!(n, 6);
}

#[test]
fn each_restriction_and_partial_cut_equals_the_run_with_its_statement_appended() {
    for text in [THREE_STAGES, SOURCED] {
        for (kind, by) in [(EventKind::Restrict, 1.0), (EventKind::Restrict, 0.35)] {
            let opts = SweepOptions {
                kind,
                by,
                ..SweepOptions::default()
            };
            every_entry_is_a_run(text, &opts);
        }
        let opts = SweepOptions {
            by: 0.4,
            ..SweepOptions::default()
        };
        every_entry_is_a_run(text, &opts);
    }
}

#[test]
fn a_sweep_of_a_block_scenario_appends_to_that_block() {
    let text = format!("{THREE_STAGES}scenario cut {{\n  AA restricts re.refining to JP by 50%\n");
    let c = compile(&format!("{text}}}\n"));
    let opts = SweepOptions {
        scenario: c.checked.scenario_id("cut").unwrap(),
        ..SweepOptions::default()
    };
    let sweep = sensitivity::sweep(&c.checked, &opts, &Silent);
    assert_eq!(sweep.scenario, "cut");
    for event in &sweep.events {
        let c2 = compile(&format!("{text}  {}\n}}\n", event.statement));
        let only = EvalOptions {
            only: c2.checked.scenario_id("cut"),
            ..EvalOptions::default()
        };
        let r = pipeline::evaluate(&c2, &only, &Silent);
        for row in sweep.rows.iter().filter(|r| r.mineral == event.mineral) {
            let got = r.results.scenarios[0]
                .rows
                .iter()
                .find(|x| x.actor == row.actor && x.mineral == row.mineral)
                .unwrap();
            let e = row.events.iter().find(|e| e.event == event.id).unwrap();
            assert!(close(e.shortfall, got.shortfall), "{}", event.statement);
            assert!(close(e.at_risk, got.at_risk), "{}", event.statement);
        }
    }
}

#[test]
fn the_events_are_exactly_the_producers_at_or_above_the_threshold() {
    let c = compile(THREE_STAGES);
    let names = |min: f64| -> Vec<String> {
        let opts = SweepOptions {
            min_share: min,
            ..SweepOptions::default()
        };
        sensitivity::sweep(&c.checked, &opts, &Silent)
            .events
            .iter()
            .map(|e| format!("{} {}.{}", e.actor, e.mineral, e.stage))
            .collect()
    };
    // At 1% (the default): all but US mining (0.5%). Order: mineral, stage,
    // descending share, code.
    assert_eq!(
        names(0.01),
        [
            "AA re.mining",
            "BB re.mining",
            "CC re.mining",
            "AA re.refining",
            "DD re.refining",
            "AA re.magnets",
            "JP re.magnets",
            "EE re.magnets",
            "AA ga.supply",
            "US ga.supply",
        ]
    );
    // Exactly 20%: DD refining, EE magnets and AA... stay (≥), CC 5% goes.
    assert_eq!(
        names(0.2),
        [
            "AA re.mining",
            "BB re.mining",
            "AA re.refining",
            "DD re.refining",
            "AA re.magnets",
            "JP re.magnets",
            "EE re.magnets",
            "AA ga.supply",
        ]
    );
    // 0.5% takes US mining in; ROW (4.5% of mining) is never an event.
    let all = names(0.005);
    assert!(all.contains(&"US re.mining".to_string()));
    assert!(!all.iter().any(|n| n.starts_with("ROW")));
    assert_eq!(all.len(), 11);
}

/// A market world small enough to solve by hand: AA 60% and US 40% of
/// supply; JP and US each half the demand; `allocation market` reroutes
/// everything.
const HAND: &str = "\
actor AA, JP, US
mineral ore {
  supply: AA 60%, US 40%
  demand: JP 50%, US 50%
}
allocation market
";

#[test]
fn a_sweep_worked_out_by_hand() {
    let c = compile(HAND);
    let sweep = sensitivity::sweep(&c.checked, &SweepOptions::default(), &Silent);
    let statements: Vec<&str> = sweep.events.iter().map(|e| e.statement.as_str()).collect();
    assert_eq!(
        statements,
        [
            "disrupt AA ore.supply by 100%",
            "disrupt US ore.supply by 100%"
        ]
    );
    let get = |actor: &str, event: usize| {
        let row = sweep.rows.iter().find(|r| r.actor == actor).unwrap();
        let e = row.events.iter().find(|e| e.event == event).unwrap();
        (e.at_risk.unwrap(), e.shortfall.unwrap())
    };
    // Equilibrium: US supplies itself 0.4 and imports 0.1 from AA; JP
    // imports its 0.5 from AA.
    // Disrupt AA: nothing is left to import. JP receives 0 → 100% at risk
    // and short; US keeps its own 0.4 of 0.5 → 1 − 0.4/0.5 = 20%.
    assert_eq!(get("JP", 0), (1.0, 1.0));
    let (r, s) = get("US", 0);
    assert!((r - 0.2).abs() < 1e-12 && (s - 0.2).abs() < 1e-12);
    // Disrupt US: sticky, JP still gets its 0.5 from AA (0% at risk) and US
    // its 0.1 (1 − 0.1/0.5 = 80%). Rerouted, US has no home output, so two
    // import needs of 0.5 share AA's 0.6 max-min fair: 0.3 each, and each
    // is 1 − 0.3/0.5 = 40% short.
    let (r, s) = get("JP", 1);
    assert!(r.abs() < 1e-12 && (s - 0.4).abs() < 1e-12, "{r} {s}");
    let (r, s) = get("US", 1);
    assert!(
        (r - 0.8).abs() < 1e-12 && (s - 0.4).abs() < 1e-12,
        "{r} {s}"
    );
    // JP's worst event is the loss of AA; US's is the loss of its own output.
    let worst = |actor: &str| {
        let row = sweep.rows.iter().find(|r| r.actor == actor).unwrap();
        row.worst(1)[0].event
    };
    assert_eq!(worst("JP"), 0);
    assert_eq!(worst("US"), 1);

    // A restriction keeps home use: `US restricts ore.supply to all`
    // touches no flow (US exports nothing), so nothing changes; `AA
    // restricts …` cuts all of AA's exports: JP 100%, US 20% as above.
    let opts = SweepOptions {
        kind: EventKind::Restrict,
        ..SweepOptions::default()
    };
    let sweep = sensitivity::sweep(&c.checked, &opts, &Silent);
    let us = sweep.rows.iter().find(|r| r.actor == "US").unwrap();
    let jp = sweep.rows.iter().find(|r| r.actor == "JP").unwrap();
    assert_eq!(jp.events[0].shortfall, Some(1.0));
    assert!((us.events[0].shortfall.unwrap() - 0.2).abs() < 1e-12);
    assert_eq!(jp.events[1].shortfall, Some(0.0));
    assert_eq!(us.events[1].shortfall, Some(0.0));
    assert!(us.worst(3).len() == 1 && jp.worst(3).len() == 1);
}

/// The metric of a tornado: shortfall of JP, which buys all its ore
/// refined, 70% from CC (restricted to JP by `cut`) and 30% from DD; the
/// mines feed both refiners 60:40 from AA and BB, and AA is disrupted.
const TORNADO: &str = "\
let cut = 20%..60%
let jp_share = 10%
actor AA, BB, CC, DD, JP, US
mineral ore {
  stages mining, refining
  mining: AA 60%, BB 40%
  refining: CC 70%, DD 30%
  demand: JP jp_share, US 30%
}
CC restricts ore to JP by cut
disrupt AA ore.mining by 50% (40%..80%)
";

#[test]
fn a_tornado_worked_out_by_hand() {
    let c = compile(TORNADO);
    let mut sources = c.sources.clone();
    let opts = TornadoOptions {
        vary: Some(0.1),
        ..TornadoOptions::default()
    };
    let t =
        sensitivity::tornado(&c.checked, &mut sources, "<m>", "JP.ore.shortfall", &opts).unwrap();
    // With nobody rerouting, a refiner's inputs fill to
    // φ = 0.6·(1 − d) + 0.4 after AA loses d of its output, and JP keeps
    // φ·(0.7·(1 − cut) + 0.3) of its need.
    // Plain (cut 40%, d 50%): φ = 0.7; 1 − 0.7·(0.42 + 0.3) = 0.496.
    assert!((t.value - 0.496).abs() < 1e-12, "{}", t.value);
    let bar = |text: &str| t.bars.iter().find(|b| b.text == text).unwrap();
    // cut 20%: 1 − 0.7·(0.56 + 0.3) = 0.398; 60%: 1 − 0.7·0.58 = 0.594.
    let cut = bar("20%..60%");
    assert!((cut.low.unwrap() - 0.398).abs() < 1e-12);
    assert!((cut.high.unwrap() - 0.594).abs() < 1e-12);
    assert!((cut.swing - 0.196).abs() < 1e-12);
    assert_eq!(cut.name.as_deref(), Some("cut"));
    assert_eq!((cut.file.as_str(), cut.line), ("w/main.lode", 1));
    // d 40%: φ = 0.76, 1 − 0.76·0.72 = 0.4528; 80%: φ = 0.52, 1 − 0.3744 = 0.6256.
    let d = bar("50% (40%..80%)");
    assert!((d.low.unwrap() - 0.4528).abs() < 1e-12);
    assert!((d.high.unwrap() - 0.6256).abs() < 1e-12);
    assert_eq!(d.line, 11);
    // JP's share of demand moves its need, not the share of it that is short.
    assert_eq!(t.bars.len(), 3, "two ranges, one plain let moved by ±10%");
    assert_eq!(
        t.bars.iter().map(|b| b.text.as_str()).collect::<Vec<_>>(),
        ["20%..60%", "50% (40%..80%)", "jp_share"],
        "largest swing first"
    );
    let jp = bar("jp_share");
    assert_eq!(jp.kind, "let");
    assert!((jp.input_low - 0.09).abs() < 1e-12 && (jp.input_high - 0.11).abs() < 1e-12);
    assert!(jp.swing < 1e-12);
}

#[test]
fn each_tornado_bar_equals_two_plain_runs_with_the_input_at_its_ends() {
    let c = compile(TORNADO);
    let mut sources = c.sources.clone();
    let opts = TornadoOptions {
        vary: Some(0.25),
        ..TornadoOptions::default()
    };
    let t =
        sensitivity::tornado(&c.checked, &mut sources, "<m>", "JP.ore.shortfall", &opts).unwrap();
    // Each input written as a plain value at its end, in place.
    let with = |from: &str, to: &str| -> f64 {
        let text = TORNADO.replacen(from, to, 1);
        assert_ne!(text, TORNADO);
        run(&text)[&("JP".to_string(), "ore".to_string())]
            .1
            .unwrap()
    };
    let pct = |v: f64| format!("{}%", v * 100.0);
    for b in &t.bars {
        let (from, lo, hi) = match b.text.as_str() {
            "20%..60%" => ("20%..60%", "20%".to_string(), "60%".to_string()),
            "50% (40%..80%)" => ("50% (40%..80%)", "40%".to_string(), "80%".to_string()),
            "jp_share" => (
                "jp_share = 10%",
                format!("jp_share = {}", pct(b.input_low)),
                format!("jp_share = {}", pct(b.input_high)),
            ),
            other => panic!("unexpected input {other}"),
        };
        assert!(
            (b.low.unwrap() - with(from, &lo)).abs() < 1e-12,
            "{}",
            b.text
        );
        assert!(
            (b.high.unwrap() - with(from, &hi)).abs() < 1e-12,
            "{}",
            b.text
        );
    }
}

#[test]
fn a_tornado_of_a_metric_that_does_not_resolve_is_a_coded_diagnostic() {
    let c = compile(TORNADO);
    let mut sources = c.sources.clone();
    let err = sensitivity::tornado(
        &c.checked,
        &mut sources,
        "<m>",
        "JP.ore.shortfal",
        &TornadoOptions::default(),
    )
    .unwrap_err();
    match err {
        sensitivity::TornadoError::Diags(d) => {
            assert_eq!(d[0].code.as_str(), "lode::E0206");
            assert_eq!(d[0].help.as_deref(), Some("did you mean `shortfall`?"));
        }
        other => panic!("{other}"),
    }
    let mut sources = SourceMap::new();
    let d = sensitivity::percent_option(&mut sources, "--by", "150%").unwrap_err();
    assert_eq!(d.code.as_str(), "lode::E0402");
}

// ---------------------------------------------------------------- CLI

fn lode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .output()
        .expect("lode runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn hand_file() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hand.lode"), HAND).unwrap();
    std::fs::write(dir.path().join("three.lode"), THREE_STAGES).unwrap();
    dir
}

#[test]
fn the_command_line_respects_by_and_min_share() {
    let dir = hand_file();
    let three = dir.path().join("three.lode");
    let three = three.to_str().unwrap();
    let (code, out, err) = lode(&["sweep", three, "--format", "json", "--min-share", "20%"]);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["events"].as_array().unwrap().len(), 8);
    assert_eq!(v["min_share"], 0.2);
    let (code, out, _) = lode(&["sweep", three, "--format", "csv", "--by", "50%"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("scenario,event,statement,producer,mineral,stage,share,actor,"));
    assert!(out.contains("disrupt AA re.mining by 50%"));
    assert!(!out.contains("by 100%"));
    // The CSV is every event × row of its mineral: re has 8 events and 4
    // rows (allies, JP, US, KR), ga 2 events and 3 rows (allies, US, JP).
    assert_eq!(out.lines().count(), 1 + 8 * 4 + 2 * 3);

    // The worked example through the command line: US's worst event.
    let hand = dir.path().join("hand.lode");
    let (code, out, _) = lode(&["sweep", hand.to_str().unwrap(), "--for", "US", "--top", "1"]);
    assert_eq!(code, 0);
    assert!(out.contains("disrupt US ore.supply by 100%"), "{out}");
    assert!(out.contains("80.0%") && out.contains("40.0%"), "{out}");
    assert!(
        !out.contains("disrupt AA"),
        "--top 1 shows one event:\n{out}"
    );
}

#[test]
fn bad_options_are_coded_diagnostics_and_exit_1() {
    let dir = hand_file();
    let hand = dir.path().join("hand.lode");
    let hand = hand.to_str().unwrap();
    let (code, out, err) = lode(&["sweep", hand, "--by", "150%"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("lode::E0402") && err.contains("`--by` must lie between 0% and 100%"));
    let (code, _, err) = lode(&["sweep", hand, "--min-share", "-1%"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("lode::E0402") && err.contains("`--min-share`"),
        "{err}"
    );
    let (code, _, err) = lode(&["tornado", hand, "JP.ore.shortfal"]);
    assert_eq!(code, 1);
    assert!(err.contains("lode::E0206") && err.contains("did you mean `shortfall`?"));
    let (code, _, err) = lode(&["tornado", hand, "ZZ.ore.shortfall"]);
    assert_eq!(code, 1);
    assert!(err.contains("lode::E0201"), "{err}");
    let (code, _, err) = lode(&["sweep", hand, "--scenario", "nope"]);
    assert_eq!(
        code, 2,
        "an unknown --scenario is a usage error, as for timeline"
    );
    assert!(err.contains("no scenario `nope`"));
    let (code, _, err) = lode(&["sweep", hand, "--for", "ZZ"]);
    assert_eq!(code, 2);
    assert!(err.contains("--for: no actor"), "{err}");
}

#[test]
fn the_help_of_each_command_has_examples() {
    for cmd in ["sweep", "tornado"] {
        let (code, out, _) = lode(&[cmd, "--help"]);
        assert_eq!(code, 0);
        assert!(
            out.contains("Examples:") && out.contains(&format!("lode {cmd} ")),
            "{out}"
        );
    }
}

// ---------------------------------------------------------------- REPL

#[test]
fn the_repl_sweeps_and_ranks_inputs() {
    let mut s = Session::new(Start::Empty).unwrap();
    // A block is one input, as the terminal hands it over once it is closed.
    for input in [HAND, "let cut = 20%..60%", "AA restricts ore to US by cut"] {
        let r = s.input(input);
        assert!(!r.failed, "{input}: {}", r.diagnostics);
    }
    let r = s.input(":sweep for US");
    assert!(!r.failed, "{}", r.diagnostics);
    assert!(
        r.output.contains("disrupt US ore.supply by 100%"),
        "{}",
        r.output
    );
    assert!(!r.output.contains("\nJP"), "only US:\n{}", r.output);
    let r = s.input(":tornado US.ore.at_risk");
    assert!(!r.failed, "{}", r.diagnostics);
    // US imports 0.1 of its 0.5 from AA; the cut takes `cut` of it:
    // at risk = 0.1·cut/0.5 = 0.2·cut: 4% at 20%, 12% at 60%.
    assert!(r.output.contains("cut = 20%..60%"), "{}", r.output);
    assert!(
        r.output.contains("4.0%") && r.output.contains("12.0%"),
        "{}",
        r.output
    );
    let r = s.input(":tornado US.ore.shortfal");
    assert!(r.failed && r.diagnostics.contains("lode::E0206"));
}
