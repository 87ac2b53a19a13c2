//! Honest numbers (SPEC v0.3 §2–§3.6): no data is never 0%, figures from
//! a claim are marked, and the language says what analysts mean. Every
//! value here is computed by hand from the SPEC (arithmetic in comments).

use lode::diagnostic::Code;
use lode::eval::{EvalOptions, Silent};
use lode::loader::MemoryLoader;
use lode::pipeline::{self, Input};
use lode::report::{self, Format, RenderOptions};
use lode::results::{DemandBasis, Results, Row};

fn compile(text: &str) -> Result<pipeline::Compiled, pipeline::Failed> {
    pipeline::compile(
        Input::Text {
            name: "t.lode",
            text: text.to_string(),
        },
        &MemoryLoader::new(),
    )
}

fn run(text: &str) -> (Results, Vec<lode::diagnostic::Diag>) {
    let c = match compile(text) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    };
    let run = pipeline::evaluate(&c, &EvalOptions::default(), &Silent);
    (run.results, run.warnings)
}

fn errors(text: &str) -> Vec<lode::diagnostic::Diag> {
    match compile(text) {
        Ok(_) => panic!("compiles"),
        Err(f) => f.diags,
    }
}

fn row<'r>(r: &'r Results, scenario: &str, actor: &str, mineral: &str) -> &'r Row {
    r.scenarios
        .iter()
        .find(|s| s.name == scenario)
        .and_then(|s| {
            s.rows
                .iter()
                .find(|x| x.actor == actor && x.mineral == mineral)
        })
        .unwrap_or_else(|| panic!("no row {scenario}/{actor}/{mineral}"))
}

fn close(a: Option<f64>, b: f64) {
    let a = a.expect("a value");
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn table(r: &Results) -> String {
    report::render(
        r,
        Format::Table,
        &RenderOptions {
            color: false,
            width: Some(160),
        },
    )
}

/// CC sells ore to AA only; BB is in the group but the demand line does
/// not name it.
const PAIR: &str = "actor AA, BB, CC\ngroup pair = AA + BB\n\
    mineral ore {\n  supply: CC 100%\n  demand: AA 40%, CC 60%\n}\n";

#[test]
fn a_country_without_a_demand_figure_has_no_data() {
    let (r, _) = run(&format!(
        "{PAIR}CC restricts ore to AA by 50%\nreport for pair, AA, BB on ore"
    ));
    let bb = row(&r, "base", "BB", "ore");
    assert_eq!(bb.demand_basis, DemandBasis::None);
    assert_eq!(bb.demand, 0.0);
    for v in [
        bb.import_reliance,
        bb.top_supplier_share,
        bb.hhi,
        bb.at_risk,
        bb.shortfall,
        bb.cover_days,
    ] {
        assert_eq!(v, None, "no data is not 0");
    }
    assert_eq!(bb.dependency, None);
    // JSON null, `no data` in the table, an empty CSV cell.
    let json = lode::report::render(&r, Format::Json, &RenderOptions::default());
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let bb_json = &v["scenarios"][0]["rows"][2];
    assert_eq!(bb_json["actor"], "BB");
    assert!(bb_json["at_risk"].is_null() && bb_json["dependency"].is_null());
    assert_eq!(bb_json["demand_basis"], "none");
    let t = table(&r);
    let line = t.lines().find(|l| l.contains("  BB ")).unwrap();
    assert!(line.contains("no data"), "{line}");
    assert!(!line.contains("0.0%  ") || line.contains("no data"));
    let csv = lode::report::render(&r, Format::Csv, &RenderOptions::default());
    let bb_csv = csv.lines().find(|l| l.contains(",BB,")).unwrap();
    // scenario,actor,kind,mineral,demand,demand_basis,output,import_reliance,…
    let cells: Vec<&str> = bb_csv.split(',').collect();
    assert_eq!(cells[5], "none");
    assert_eq!(cells[7], "", "{bb_csv}");
}

#[test]
fn a_group_is_computed_over_the_members_with_data() {
    let (r, _) = run(&format!(
        "{PAIR}CC restricts ore to AA by 50%\nreport for pair, AA, BB on ore"
    ));
    let pair = row(&r, "base", "pair", "ore");
    // One of its two members has a figure.
    assert_eq!(pair.data_members, Some([1, 2]));
    // AA imports its whole 40% from CC; half the flow is cut, nothing
    // reroutes: at risk = 1 − 0.2/0.4 = 50%. The group is AA alone.
    close(pair.at_risk, 0.5);
    close(Some(pair.demand), 0.4);
    close(pair.import_reliance, 1.0);
    let t = table(&r);
    assert!(
        t.contains("pair: figures over the members with demand data: 1 of 2 for ore"),
        "{t}"
    );
}

#[test]
fn an_expectation_on_no_data_fails_and_says_why() {
    let (r, _) = run(&format!(
        "{PAIR}expect BB.ore.shortfall <= 65%\nexpect pair.ore.shortfall <= 65%"
    ));
    let e = &r.expectations[0];
    assert!(!e.passed, "an expectation on no data cannot pass");
    assert_eq!(e.actual, None);
    assert_eq!(e.reason.as_deref(), Some("no demand data for BB ore"));
    // The group has a member with data: it is judged on it (0% ≤ 65%).
    assert!(r.expectations[1].passed);
    let report = lode::testing::text_report(
        &[lode::testing::test_file(
            std::path::Path::new("t.lode"),
            &MemoryLoader::new().with("t.lode", format!("{PAIR}expect BB.ore.hhi < 5000")),
        )],
        0,
        1,
    );
    assert!(
        report.contains("actual no data (no demand data for BB ore)"),
        "{report}"
    );
}

#[test]
fn the_eu_meets_no_benchmark_on_no_data() {
    // world2024 names no EU member in lithium's demand line.
    let (r, _) = run("expect EU.lithium.dependency.CN <= 65%");
    let e = &r.expectations[0];
    assert!(!e.passed);
    assert_eq!(
        e.reason.as_deref(),
        Some("no demand data for EU lithium: none of its 27 members has a figure")
    );
}

#[test]
fn demand_from_a_claim_is_marked_and_warned_once() {
    // Neither member is named: the claim supplies 40%, split by GDP 3:1,
    // so AA 30% and BB 10%.
    let text = "actor AA gdp $3T, BB gdp $1T, CC\ncoalition club = AA + BB covers 40% demand\n\
        mineral ore {\n  supply: CC 100%\n  demand: CC 50%\n}\n\
        mineral dust {\n  supply: CC 100%\n  demand: CC 50%\n}\nreport for club, AA, CC";
    let (r, warnings) = run(text);
    let aa = row(&r, "base", "AA", "ore");
    assert_eq!(aa.demand_basis, DemandBasis::Covers);
    close(Some(aa.demand), 0.3);
    close(Some(row(&r, "base", "club", "ore").demand), 0.4);
    assert_eq!(
        row(&r, "base", "club", "ore").demand_basis,
        DemandBasis::Covers
    );
    assert_eq!(row(&r, "base", "CC", "ore").demand_basis, DemandBasis::Data);
    // One warning for the coalition, listing both minerals.
    let w: Vec<_> = warnings
        .iter()
        .filter(|d| d.code == Code::CoversSupplies)
        .collect();
    assert_eq!(w.len(), 1);
    assert!(w[0].message.contains("ore, dust"), "{}", w[0].message);
    let t = table(&r);
    assert!(t.contains("30.0%*"), "{t}");
    assert!(t.contains("* demand supplied by a coalition's `covers` claim"));
}

#[test]
fn a_member_named_at_zero_has_data_and_the_claim_is_only_checked() {
    let text = "actor XA, XB, XC\ncoalition club = XA covers 20% demand\n\
        mineral ore {\n  supply: XC 100%\n  demand: XA 0%, XB 50%\n}";
    let (r, warnings) = run(text);
    // XA has data (0%): the claim is checked (0% against 20%, W0301), and
    // supplies nothing.
    assert_eq!(row(&r, "base", "club", "ore").demand, 0.0);
    assert!(warnings.iter().any(|d| d.code == Code::CoversMismatch));
    assert!(!warnings.iter().any(|d| d.code == Code::CoversSupplies));
}

#[test]
fn a_metric_that_appears_is_compared() {
    // XB imports all its 50% from XA. In `cut`, half of it is banned and a
    // 30-day stock covers a 50% shortfall: 30 / 0.5 = 60 days. Base has no
    // stockpile: cover days appear, `– → 60.0`.
    let text = "actor XA, XB\nmineral ore {\n  supply: XA 100%\n  demand: XA 50%, XB 50%\n}\n\
        scenario cut {\n  XA restricts ore to XB by 50%\n  stockpile XB ore 30 days\n}\n\
        report for XB\ncompare base, cut";
    let (r, _) = run(text);
    let d = r.comparisons[0]
        .rows
        .iter()
        .find(|d| d.metric == "cover_days")
        .expect("cover_days is compared");
    assert_eq!((d.base, d.delta), (None, None));
    close(d.value, 60.0);
    assert!(table(&r).contains("– → 60.0"), "{}", table(&r));
}

#[test]
fn a_restriction_on_missing_demand_data_says_so() {
    let (_, warnings) = run(&format!("{PAIR}CC bans ore to BB"));
    let w = warnings
        .iter()
        .find(|d| d.code == Code::EmptyTarget)
        .expect("W0304");
    assert!(
        w.message.ends_with("BB has no demand data for ore"),
        "{}",
        w.message
    );
}

#[test]
fn the_table_says_what_its_figures_are_shares_of() {
    let (r, _) = run(&format!(
        "{PAIR}stockpile AA ore 10 days\nCC bans ore to AA\nreport for pair, AA on ore"
    ));
    let t = table(&r);
    assert!(t.contains("world demand"), "{t}");
    assert!(t.contains("shares of the row's own demand"), "{t}");
    assert!(t.contains("a group's cover days"), "{t}");
    // A header is never broken inside a word pair, at any width.
    for width in [40u16, 60, 80, 100, 120] {
        let narrow = report::render(
            &r,
            Format::Table,
            &RenderOptions {
                color: false,
                width: Some(width),
            },
        );
        for line in narrow.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            assert!(
                !words.windows(1).any(|w| w == ["at"]) || line.contains("at risk"),
                "width {width}: {line}"
            );
            assert!(!line.trim_end().ends_with(" at"), "width {width}: {line}");
        }
    }
}

#[test]
fn report_is_inherited_by_blocks() {
    let text = format!(
        "{PAIR}report for AA on ore\nscenario a {{ CC bans ore to AA }}\n\
         scenario b extends a {{ rerouting 0% }}"
    );
    let (r, _) = run(&text);
    for s in &r.scenarios {
        let actors: Vec<&str> = s.rows.iter().map(|x| x.actor.as_str()).collect();
        assert_eq!(actors, ["AA"], "scenario {}", s.name);
    }
}

/// XA 50%, XB 30%, ROW the other 20% of supply.
const WORLD3: &str = "actor XA, XB, XC\nmineral ore {\n  volume 100 kt\n  \
    supply: XA 50%, XB 30%\n  demand: XC 100%\n}\n";

#[test]
fn a_restated_line_updates_the_named_actors() {
    let (r, _) = run(&format!(
        "{WORLD3}scenario up {{ ore.supply: XA 60% }}\n\
         scenario replaced {{ ore.supply only: XA 60% }}\nreport for XC"
    ));
    let dep = |s: &str, p: &str| row(&r, s, "XC", "ore").dependency_on(p);
    // Update: XA 60%, XB keeps 30%, ROW the remaining 10%.
    close(dep("up", "XA"), 0.6);
    close(dep("up", "XB"), 0.3);
    close(dep("up", "ROW"), 0.1);
    // Only: XA 60% and ROW 40%; XB is gone.
    close(dep("replaced", "XA"), 0.6);
    close(dep("replaced", "XB"), 0.0);
    close(dep("replaced", "ROW"), 0.4);
}

#[test]
fn an_update_that_overfills_the_line_is_an_error() {
    // 80% + the kept 30% = 110%.
    let d = errors(&format!("{WORLD3}ore.supply: XA 80%"));
    assert_eq!(d[0].code, Code::SharesOver);
    assert!(d[0].message.contains("110%"), "{}", d[0].message);
    let help = d[0].help.as_deref().unwrap();
    assert!(help.contains("XB 30%") && help.contains("only"), "{help}");
}

#[test]
fn masses_in_adds_and_by() {
    // `adds 10 kt` of a 100 kt mineral is 10% of world output: caps XA
    // 0.6, XB 0.3, ROW 0.2 sum to 1.1, so XA's share is 0.6 / 1.1.
    let (r, _) = run(&format!(
        "{WORLD3}XA adds 10 kt ore\nreport for XC\nexpect XC.ore.dependency.XA == 54.545454545% +- 0.000001%"
    ));
    assert!(r.expectations[0].passed, "{:?}", r.expectations[0]);
    // A 10 kt quota on XA's exports to XC: XC buys 50 kt from XA in
    // equilibrium, so 10/50 = 20% of the flow is cut: at risk = 0.1 / 1.
    let (r, _) = run(&format!(
        "{WORLD3}XA restricts ore to XC by 10 kt\nreport for XC"
    ));
    close(row(&r, "base", "XC", "ore").at_risk, 0.1);
    // A quota larger than the flow stops it all: 0.5 of XC's supply.
    let (r, _) = run(&format!(
        "{WORLD3}XA restricts ore to XC by 80 kt\nreport for XC"
    ));
    close(row(&r, "base", "XC", "ore").at_risk, 0.5);
    // Without a volume, a mass cannot be a share.
    let d =
        errors("actor XA, XB\nmineral ore { supply: XA 100%; demand: XB 100% }\nXA adds 1 kt ore");
    assert_eq!(d[0].code, Code::NeedsVolume);
}

#[test]
fn comparisons_between_metrics() {
    let text = format!(
        "{PAIR}scenario cut {{ CC bans ore to AA }}\n\
         expect cut: AA.ore.shortfall > base: AA.ore.shortfall\n\
         expect cut: AA.ore.shortfall > CC.ore.shortfall\n\
         expect AA.ore.shortfall < CC.ore.hhi"
    );
    let d = errors(&text);
    assert_eq!(
        d[0].code,
        Code::WrongUnit,
        "shortfall is not compared with the HHI"
    );
    let text = text.replace("\nexpect AA.ore.shortfall < CC.ore.hhi", "");
    let (r, _) = run(&text);
    // cut: AA loses its whole import (100%) against 0% in base and CC's 0%.
    assert!(
        r.expectations.iter().all(|e| e.passed),
        "{:?}",
        r.expectations
    );
    close(r.expectations[0].actual, 1.0);
}

#[test]
fn groups_act_as_each_member() {
    // Both members of `sellers` sell to XC; the group bans ore to XC, so
    // XC loses everything it imports: 100%.
    let text = "actor XA, XB, XC\ngroup sellers = XA + XB\n\
        mineral ore {\n  supply: XA 60%, XB 40%\n  demand: XC 100%\n}\n\
        sellers bans ore to XC\nstockpile XC + XA ore 30 days\nreport for XC";
    let (r, warnings) = run(text);
    let xc = row(&r, "base", "XC", "ore");
    close(xc.at_risk, 1.0);
    // Each holder has the stock: 30 days over a 100% shortfall.
    close(xc.cover_days, 30.0);
    assert!(warnings.iter().all(|w| w.code != Code::SelfRestriction));
    // `sellers bans ore to all`: a member never restricts itself.
    let (r, _) = run(&text.replace("to XC", "to all"));
    close(row(&r, "base", "XC", "ore").at_risk, 1.0);
}

#[test]
fn a_disruption_of_no_output_warns() {
    let (_, warnings) = run("disrupt JP cobalt.mining by 50%");
    let w = warnings
        .iter()
        .find(|d| d.code == Code::IdleDisruption)
        .expect("W0306");
    assert!(
        w.message.contains("JP has no output there"),
        "{}",
        w.message
    );
}

#[test]
fn help_that_leads_somewhere() {
    let help = |text: &str| -> String { errors(text)[0].help.clone().unwrap_or_default() };
    assert_eq!(
        help("china restricts rare earths to JP"),
        "a mineral's name is one word: `rare_earths`"
    );
    assert!(
        help("let dual_use = gallium, germanium")
            .starts_with("`let` names a number or a quantity, not a list of minerals"),
    );
    assert!(help("report for G7+AU").contains("declare it: `group NAME = G7 + AU`"));
}

#[test]
fn a_second_sourcing_line_for_one_buyer_and_stage_is_an_error() {
    let d = errors(
        "actor XA, XB, XD\nmineral ore {\n  supply: XA 50%, XB 50%\n  demand: XD 20%\n  \
         XD sources: XA 100%\n  XD sources: XB 100%\n}",
    );
    assert_eq!(d[0].code, Code::MineralShape);
}
