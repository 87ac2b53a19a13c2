//! `lode explain` (SPEC §10): over every row of every shipped scenario the
//! terms make the value `lode run` prints and every citation holds the text
//! it cites; small worlds worked by hand show each kind of term.

use std::path::Path;
use std::process::Command;

use lode::eval::{self, EvalOptions};
use lode::explain::{self, Cited, Combine, ExplainOptions, Explanation, Target, Term};
use lode::loader::{FsLoader, MemoryLoader};
use lode::pipeline::{self, Compiled, Input};
use lode::program::{Metric, MetricRef, Subject};
use lode::results::Row;
use lode::source::{SourceId, SourceMap};

fn compile_file(path: &Path) -> Compiled {
    pipeline::compile(Input::File(path), &FsLoader::for_file(path, None))
        .unwrap_or_else(|f| panic!("{} does not check: {:?}", path.display(), f.diags))
}

fn compile_text(text: &str) -> Compiled {
    let loader = MemoryLoader::new().with("main.lode", text);
    match pipeline::compile(Input::File(Path::new("main.lode")), &loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

/// Explains `metric` (as written, `SCENARIO:` prefix allowed).
fn explain_text(c: &Compiled, metric: &str) -> Explanation {
    let mut sources = c.sources.clone();
    let opts = ExplainOptions::default();
    let target = explain::resolve(&c.checked, &mut sources, "<metric>", metric, &opts)
        .unwrap_or_else(|d| {
            panic!(
                "{metric}: {:?}",
                d.iter().map(|d| &d.message).collect::<Vec<_>>()
            )
        });
    let e = explain::explain(&c.checked, &sources, &target, &opts)
        .unwrap_or_else(|n| panic!("{metric}: {n}"));
    check_combines(&e);
    check_citations(&e, &sources);
    e
}

fn near(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9
}

fn sum(terms: &[Term]) -> f64 {
    terms.iter().map(|t| t.value).sum()
}

/// The terms make the value as `combine` says, and every term with terms
/// of its own is their sum.
fn check_combines(e: &Explanation) {
    let made = match e.combine {
        Combine::Sum => sum(&e.terms),
        Combine::Ratio => {
            assert_eq!(e.terms.len(), 2, "{}: a ratio has two terms", e.metric);
            e.terms[0].value / e.terms[1].value
        }
        Combine::Max => e.terms.iter().map(|t| t.value).fold(0.0, f64::max),
        Combine::Itself => {
            assert_eq!(e.terms.len(), 1, "{}: `itself` is one term", e.metric);
            e.terms[0].value
        }
    };
    assert!(
        near(made, e.value),
        "{} in {}: the terms make {made}, the value is {}",
        e.metric,
        e.scenario,
        e.value
    );
    fn nested(metric: &str, terms: &[Term]) {
        for t in terms {
            if !t.terms.is_empty() {
                assert!(
                    near(sum(&t.terms), t.value),
                    "{metric}: the terms of `{}` add up to {}, not {}",
                    t.label,
                    sum(&t.terms),
                    t.value
                );
            }
            nested(metric, &t.terms);
        }
    }
    nested(&e.metric, &e.terms);
}

/// Every cited `file:line` holds the cited text.
fn check_citations(e: &Explanation, sources: &SourceMap) {
    let line_of = |c: &Cited| -> String {
        let file = (0..sources.len() as u32)
            .filter_map(|i| sources.get(SourceId(i)))
            .find(|f| f.name == c.file)
            .unwrap_or_else(|| panic!("{}: no file `{}`", e.metric, c.file));
        let text = file.text.to_string();
        let line = text
            .split('\n')
            .nth(c.line - 1)
            .unwrap_or_else(|| panic!("{}: `{}` has no line {}", e.metric, c.file, c.line));
        line.trim().to_string()
    };
    let mut all: Vec<&Cited> = e
        .lines
        .iter()
        .chain(e.shocks.iter().map(|s| &s.line))
        .collect();
    fn collect<'a>(terms: &'a [Term], out: &mut Vec<&'a Cited>) {
        for t in terms {
            out.extend(&t.lines);
            collect(&t.terms, out);
        }
    }
    collect(&e.terms, &mut all);
    for c in all {
        assert_eq!(line_of(c), c.text, "{}: {}:{}", e.metric, c.file, c.line);
    }
}

/// The metrics of a row, each with the value `lode run` shows (`None`: no
/// data or absent).
fn metrics_of(row: &Row, c: &Compiled) -> Vec<(Metric, Option<f64>)> {
    let world = &c.checked.world;
    let mineral = world
        .minerals
        .iter()
        .find(|m| m.name == row.mineral)
        .unwrap();
    let mut out = vec![
        (Metric::Demand, Some(row.demand)),
        (Metric::ImportReliance, row.import_reliance),
        (Metric::TopSupplier, row.top_supplier_share),
        (Metric::TopSupplierShare, row.top_supplier_share),
        (Metric::Hhi, row.hhi),
        (Metric::AtRisk, row.at_risk),
        (Metric::Shortfall, row.shortfall),
        (Metric::CoverDays, row.cover_days),
    ];
    for (s, (stage, v)) in row.output.iter().enumerate() {
        assert_eq!(&mineral.stages[s], stage);
        out.push((Metric::Output(s), Some(*v)));
    }
    let code = |name: &str| world.actors.iter().position(|a| a.code == name).unwrap();
    match &row.dependency {
        Some(deps) => {
            for (supplier, v) in deps {
                out.push((
                    Metric::Dependency(lode::program::ActorId::new(code(supplier))),
                    Some(*v),
                ));
            }
            // A supplier off the list: a share under 0.1%, or none.
            let listed = |a: &str| deps.iter().any(|(s, _)| &**s == a);
            if let Some(other) = ["ROW", "AQ", "CN", "US"].into_iter().find(|a| !listed(a)) {
                out.push((
                    Metric::Dependency(lode::program::ActorId::new(code(other))),
                    None,
                ));
            }
        }
        None => out.push((
            Metric::Dependency(lode::program::ActorId::new(code("CN"))),
            None,
        )),
    }
    out
}

#[test]
fn every_metric_of_every_row_of_every_shipped_scenario() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "lode"))
        .collect();
    files.sort();
    assert!(files.len() >= 7, "{files:?}");
    let mut explained = 0;
    for path in &files {
        let c = compile_file(path);
        let results = eval::evaluate(&c.checked, &c.sources, &EvalOptions::default()).results;
        let world = &c.checked.world;
        for scenario in &results.scenarios {
            let sid = c.checked.scenario_id(&scenario.name).unwrap();
            for row in &scenario.rows {
                let subject = match world.actors.iter().position(|a| a.code == row.actor) {
                    Some(i) => Subject::Actor(lode::program::ActorId::new(i)),
                    None => Subject::Group(lode::program::GroupId::new(
                        world
                            .groups
                            .iter()
                            .position(|g| g.name == row.actor)
                            .unwrap(),
                    )),
                };
                let mineral = lode::program::MineralId::new(
                    world
                        .minerals
                        .iter()
                        .position(|m| m.name == row.mineral)
                        .unwrap(),
                );
                for (metric, shown) in metrics_of(row, &c) {
                    let kind = metric.kind();
                    let target = Target {
                        scenario: sid,
                        mref: MetricRef {
                            subject,
                            mineral,
                            metric: metric.clone(),
                        },
                        text: format!("{}.{}.{kind}", row.actor, row.mineral),
                    };
                    let opts = ExplainOptions::default();
                    let got = explain::explain(&c.checked, &c.sources, &target, &opts);
                    let at = format!(
                        "{}: {} {}.{} {kind}",
                        path.display(),
                        scenario.name,
                        row.actor,
                        row.mineral
                    );
                    match (got, shown) {
                        (Ok(e), Some(v)) => {
                            assert!(near(e.value, v), "{at}: explained {}, shown {v}", e.value);
                            if kind == lode::metric::MetricKind::TopSupplier {
                                assert_eq!(e.supplier, row.top_supplier, "{at}");
                            }
                            check_combines(&e);
                            check_citations(&e, &c.sources);
                            explained += 1;
                        }
                        // A dependency off the list is under 0.1%, or none.
                        (Ok(e), None)
                            if matches!(metric, Metric::Dependency(_))
                                && row.dependency.is_some() =>
                        {
                            assert!(e.value < 0.001, "{at}: {}", e.value);
                            check_combines(&e);
                            check_citations(&e, &c.sources);
                        }
                        (Err(no), None) => assert!(!no.reason.is_empty(), "{at}"),
                        (Ok(e), None) => {
                            panic!("{at}: explained {} where the row shows none", e.value)
                        }
                        (Err(no), Some(v)) => panic!("{at}: shown {v}, but: {no}"),
                    }
                }
            }
        }
    }
    assert!(explained > 1000, "only {explained} explanations");
}

/// Two refiners, one of which also mines: the dependency on the miner AA
/// follows both refiners' ore back to it.
#[test]
fn a_two_stage_dependency_path() {
    let c = compile_text(
        "actor AA, BB, CC, DD\n\
         mineral ore {\n  stages mining, refining\n  mining: AA 60%, BB 40%\n  refining: CC 50%, BB 50%\n  demand: DD 100%\n}\n",
    );
    // Mining: BB refines its own 0.4 and buys 0.1; CC buys 0.5; AA's 0.6 is
    // the whole pool, so φ[CC][AA] = 0.5/0.5 = 1 and φ[BB][AA] = 0.1/0.5 = 0.2.
    // DD buys 0.5 refined from each: dependency.AA = (0.5×1 + 0.5×0.2)/1 = 0.6.
    let e = explain_text(&c, "DD.ore.dependency.AA");
    assert!(near(e.value, 0.6));
    assert_eq!(e.combine, Combine::Sum);
    let labels: Vec<(&str, f64)> = e
        .terms
        .iter()
        .map(|t| (t.label.as_str(), t.value))
        .collect();
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0].0, "CC refining");
    assert!(near(labels[0].1, 0.5));
    assert_eq!(labels[1].0, "BB refining");
    assert!(near(labels[1].1, 0.1));
    // The path: each refiner's term holds the ore it bought from AA.
    assert_eq!(e.terms[1].terms.len(), 1);
    assert_eq!(e.terms[1].terms[0].label, "AA mining");
    assert!(near(e.terms[1].terms[0].value, 0.1));
    // Each term cites its supplier's share entry, line 5 of main.lode.
    assert_eq!(e.terms[0].lines[0].line, 5);
    assert_eq!(e.terms[0].lines[0].text, "refining: CC 50%, BB 50%");
    // BB's own refining counts in full: dependency.BB = (0.5×0 + 0.5×1)/1
    // = 0.5. CC's refined ore is all AA's: a term of 0 that says so.
    let b = explain_text(&c, "DD.ore.dependency.BB");
    assert!(near(b.value, 0.5));
    assert_eq!(b.terms.len(), 2);
    assert_eq!(
        (b.terms[1].label.as_str(), b.terms[1].value),
        ("CC refining", 0.0)
    );
    let why = b.terms[1].detail.as_deref().unwrap();
    assert!(
        why.contains("none of it through BB: CC's mining inputs come from AA 0.5"),
        "{why}"
    );
}

/// AA may no longer sell to CC; the market reroutes: CC gets all of BB's
/// 0.3 and loses 40% of its demand; BB delivers more than before, a
/// negative term.
#[test]
fn a_rerouted_shortfall_with_a_negative_term() {
    let c = compile_text(
        "actor AA, BB, CC, DD\n\
         mineral ore {\n  supply: AA 70%, BB 30%\n  demand: CC 50%, DD 50%\n  source \"made up\"\n}\n\
         AA restricts ore to CC\nallocation market\n",
    );
    // Equilibrium: CC buys 0.35 from AA and 0.15 from BB. Rerouted,
    // max-min fair: CC can buy only from BB (0.3), so both fill to 0.6, then
    // DD fills to 1 from AA. shortfall = 1 − 0.3/0.5 = 40%;
    // terms: AA (0.35 − 0)/0.5 = 0.7, BB (0.15 − 0.3)/0.5 = −0.3.
    let e = explain_text(&c, "CC.ore.shortfall");
    assert!(near(e.value, 0.4));
    assert_eq!(e.terms.len(), 2);
    assert_eq!(e.terms[0].label, "AA supply");
    assert!(near(e.terms[0].value, 0.7));
    assert_eq!(e.terms[1].label, "BB supply");
    assert!(near(e.terms[1].value, -0.3));
    // The restriction bit: it is cited under AA's term, and without it the
    // shortfall is 0.
    assert!(
        e.terms[0]
            .lines
            .iter()
            .any(|l| l.text == "AA restricts ore to CC")
    );
    assert_eq!(e.shocks.len(), 1);
    assert!(near(e.shocks[0].removed, 0.4) && near(e.shocks[0].without, 0.0));
    assert_eq!(e.shocks[0].line.line, 7);
    // Who delivered more: BB 0.15 more, AA 0.35 less.
    let r = e.rerouting.as_ref().unwrap();
    assert!(near(r.share, 1.0));
    assert_eq!(r.suppliers[0].supplier, "BB");
    assert!(near(r.suppliers[0].change, 0.15));
    assert_eq!(r.suppliers[1].supplier, "AA");
    assert!(near(r.suppliers[1].change, -0.35));
    // BB's entry has no `source` of its own; the demand line has one.
    assert_eq!(e.terms[1].lines[0].source, None);
    assert_eq!(e.lines[0].source.as_deref(), Some("made up"));
    // Sticky, nobody reroutes: at_risk = 0.35/0.5 = 70%, all on AA.
    let s = explain_text(&c, "CC.ore.at_risk");
    assert!(near(s.value, 0.7));
    assert_eq!(s.terms.len(), 1);

    // A quarter reroutes: each flow is 0.75 × sticky + 0.25 × rerouted.
    // AA: (0.35 − 0)/0.5 = 0.7 either way; BB: 0.75 × (0.15 − 0.15)/0.5 +
    // 0.25 × (0.15 − 0.3)/0.5 = −0.075. shortfall = 0.75 × 70% + 0.25 × 40%
    // = 62.5% = 0.7 − 0.075.
    let c = compile_text(
        "actor AA, BB, CC, DD\n\
         mineral ore {\n  supply: AA 70%, BB 30%\n  demand: CC 50%, DD 50%\n}\n\
         AA restricts ore to CC\nallocation market\nrerouting 25%\n",
    );
    let e = explain_text(&c, "CC.ore.shortfall");
    assert!(near(e.value, 0.625));
    assert!(near(e.terms[0].value, 0.7));
    assert!(near(e.terms[1].value, -0.075));
    // BB's term: nothing more without rerouting, all of it from rerouting.
    let parts: Vec<&str> = e.terms[1].terms.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(parts, ["rerouted (25%)"]);
    assert!(near(e.rerouting.as_ref().unwrap().share, 0.25));
}

/// A group's shortfall is its members' weighted by demand; a member with
/// no demand figure takes no part.
#[test]
fn a_groups_weighted_mean() {
    let c = compile_text(
        "actor AA, BB, CC, DD\ngroup G = BB + CC + DD\n\
         mineral ore {\n  supply: AA 100%\n  demand: BB 30%, CC 20%\n}\n\
         AA restricts ore to BB by 50%\n",
    );
    // ΣD = 0.3 + 0.2 = 0.5 (DD has no figure). BB loses half: 50%, CC 0%.
    // at_risk = (0.3×50% + 0.2×0%)/0.5 = 0.6×50% = 30%.
    let e = explain_text(&c, "G.ore.at_risk");
    assert!(near(e.value, 0.3));
    assert_eq!(e.combine, Combine::Sum);
    let members: Vec<&str> = e.terms.iter().map(|t| t.label.as_str()).collect();
    assert_eq!(members, ["BB", "CC"]);
    assert!(near(e.terms[0].value, 0.3));
    assert!(near(e.terms[1].value, 0.0));
    // BB's term holds its own supplier term, AA: 0.15 lost of ΣD 0.5.
    assert_eq!(e.terms[0].terms[0].label, "AA supply");
    assert!(near(e.terms[0].terms[0].value, 0.3));
    // The group's demand is the sum of the members': 0.3 + 0.2.
    let d = explain_text(&c, "G.ore.demand");
    assert!(near(d.value, 0.5));
    assert_eq!(d.terms.len(), 2);
    // Its import reliance is itself: max(0, 0.5 − 0)/0.5 = 100%.
    let ir = explain_text(&c, "G.ore.import_reliance");
    assert_eq!(ir.combine, Combine::Itself);
    assert!(near(ir.value, 1.0));
}

/// `cover_days` is a ratio: the stock in days of normal use over the
/// shortfall.
#[test]
fn cover_days_as_a_ratio() {
    let c = compile_text(
        "actor AA, BB\n\
         mineral ore {\n  volume 100 kt\n  supply: AA 100%\n  demand: BB 40%\n}\n\
         AA restricts ore to BB by 25%\nstockpile BB ore 2 kt\n",
    );
    // 2 kt is 365 × 2000 / (0.4 × 100,000) = 18.25 days of BB's use; the
    // shortfall is 25%, so the stock lasts 18.25 / 0.25 = 73 days.
    let e = explain_text(&c, "BB.ore.cover_days");
    assert_eq!(e.combine, Combine::Ratio);
    assert!(near(e.value, 73.0));
    assert!(near(e.terms[0].value, 18.25));
    assert!(near(e.terms[1].value, 0.25));
    assert_eq!(e.terms[0].lines[0].text, "stockpile BB ore 2 kt");
    let detail = e.terms[0].detail.as_deref().unwrap();
    assert!(detail.contains("days of normal use"), "{detail}");
}

#[test]
fn unknown_names_get_the_checkers_did_you_mean() {
    let c = compile_file(Path::new("scenarios/seed.lode"));
    let mut sources = c.sources.clone();
    let opts = ExplainOptions::default();
    let d = explain::resolve(
        &c.checked,
        &mut sources,
        "<metric>",
        "JP.rare_earths.shortfal",
        &opts,
    )
    .unwrap_err();
    assert_eq!(d[0].code, lode::diagnostic::Code::UnknownMetric);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `shortfall`?"));
    let d = explain::resolve(
        &c.checked,
        &mut sources,
        "<metric>",
        "nope: JP.rare_earths.shortfall",
        &opts,
    )
    .unwrap_err();
    assert_eq!(d[0].code, lode::diagnostic::Code::UnknownScenario);
    // An alias and a scenario prefix are understood.
    let t = explain::resolve(
        &c.checked,
        &mut sources,
        "<metric>",
        "base: japan.rare_earths.at_risk",
        &opts,
    )
    .unwrap();
    assert_eq!(t.text, "JP.rare_earths.at_risk");
}

/// The seed's headline: Japan's rare-earth shortfall, made of its own
/// magnets' lost inputs and the magnets it bought from China.
#[test]
fn japans_rare_earth_shortfall_in_the_seed() {
    let c = compile_file(Path::new("scenarios/seed.lode"));
    let e = explain_text(&c, "JP.rare_earths.shortfall");
    // world2024: JP makes 6% of the world's magnets for 6.7% demand and
    // buys 0.7% from China. Its magnet makers source 60% of their 6%
    // refined input from China (0.036) and 0.024 from the pool, where
    // China's surplus is 0.007 of 0.064: 0.024 × 0.007/0.064 = 0.002625.
    // Cut off, JP's magnet output falls to 1 − 0.038625/0.06 = 35.625%:
    // 0.021375 of 0.067. shortfall = 1 − 0.021375/0.067 = 68.10%.
    assert!(near(e.value, 1.0 - 0.021375 / 0.067));
    assert!(
        near(e.terms[0].value, 0.038625 / 0.067),
        "{}",
        e.terms[0].value
    );
    assert!(near(e.terms[1].value, 0.007 / 0.067));
    assert!(e.lines[0].file == "world2024" && e.lines[0].text.starts_with("demand: CN 67.4%"));
    assert!(
        e.lines[0]
            .source
            .as_deref()
            .unwrap()
            .starts_with("Stand-in [D]")
    );
    assert_eq!(e.shocks[0].line.file, "scenarios/seed.lode");
    assert_eq!(e.shocks[0].line.line, 23);
    let text = explain::text(&e, 100);
    assert!(
        text.starts_with("JP.rare_earths.shortfall = 68.1%"),
        "{text}"
    );
    assert!(text.contains("1 − 0.0214/0.067 = 68.1%"), "{text}");
    assert!(
        text.contains("world2024:416  JP sources refining: CN 60% (60%..71%)"),
        "{text}"
    );
    assert!(
        text.contains("removes supply worth 68.1% of JP's demand"),
        "{text}"
    );
}

fn lode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
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
fn the_command_line() {
    let (code, out, _) = lode(&[
        "explain",
        "scenarios/seed.lode",
        "JP.rare_earths.dependency.CN",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let j: serde_json::Value = serde_json::from_str(&out).unwrap();
    for key in [
        "metric", "scenario", "at", "value", "formula", "combine", "terms",
    ] {
        assert!(j.get(key).is_some(), "no `{key}` in {out}");
    }
    assert_eq!(j["combine"], "sum");
    assert!(j["at"].is_null());
    let term = &j["terms"][0];
    for key in ["label", "value", "lines", "terms"] {
        assert!(term.get(key).is_some(), "no `{key}` in a term");
    }
    let line = &term["lines"][0];
    for key in ["file", "line", "text", "source"] {
        assert!(line.get(key).is_some(), "no `{key}` in a line");
    }
    // No data: a country the demand line does not name.
    let (code, _, err) = lode(&["explain", "scenarios/seed.lode", "FR.rare_earths.shortfall"]);
    assert_eq!(code, 1);
    assert!(err.contains("no data"), "{err}");
    // A misspelt actor: the checker's diagnostic.
    let (code, _, err) = lode(&["explain", "scenarios/seed.lode", "JX.rare_earths.shortfall"]);
    assert_eq!(code, 1);
    assert!(err.contains("E0201"), "{err}");
    let (code, _, err) = lode(&[
        "explain",
        "scenarios/seed.lode",
        "JP.rare_earths.shortfall",
        "--scenario",
        "bse",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("did you mean `base`"), "{err}");
}

/// `:explain` in the REPL: the same explanation, citing the session's own
/// lines; a misspelt metric leaves the session as it was.
#[test]
fn the_repl_explains() {
    let mut s = lode::session::Session::new(lode::session::Start::World).unwrap();
    assert!(!s.input("china restricts rare_earths to JP").failed);
    let r = s.input(":explain JP.rare_earths.shortfall");
    assert!(!r.failed, "{}", r.diagnostics);
    assert!(
        r.output
            .starts_with("JP.rare_earths.shortfall = 68.1%   (scenario base)"),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains("<repl:1>:1  china restricts rare_earths to JP"),
        "{}",
        r.output
    );
    let r = s.input(":explain JP.rare_earths.shortfal");
    assert!(r.failed);
    assert!(
        r.diagnostics.contains("did you mean `shortfall`?"),
        "{}",
        r.diagnostics
    );
    let r = s.input(":explain FR.rare_earths.at_risk");
    assert!(
        r.failed && r.diagnostics.contains("no data"),
        "{}",
        r.diagnostics
    );
    assert_eq!(s.len(), 2);
}
