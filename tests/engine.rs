//! The language and the engine together on a small world whose every number
//! is computed by hand from SPEC §3 (arithmetic in the comments).
//!
//! World: one stage; supply XA 60%, XB 40% (ROW 0); demand XA 20%, XC 50%,
//! ROW 30%. Equilibrium (SPEC 3.2):
//!   h = min(P, D): XA .2, others 0;   surplus X: XA .4, XB .4 (ΣX .8)
//!   import need M: XC .5, ROW .3 (ΣM .8)
//!   x[XC][XA] = .5·.4/.8 = .25, x[XC][XB] = .25; x[ROW][XA] = x[ROW][XB] = .15

use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};
use lode::results::{Results, Row, RowKind};

const WORLD: &str = r#"
actor XA "Alpha" gdp $3T, XB "Beta" gdp $1T, XC "Gamma"
mineral ore {
  volume 100 kt
  supply: XA 60%, XB 40%
  demand: XA 20%, XC 50%
}
mineral dust {
  supply: XB 100%
  demand: XC 50%
}
"#;

fn run(program: &str) -> Results {
    let text = format!("{WORLD}\n{program}");
    let c = match pipeline::compile(
        Input::Text { name: "test", text },
        &lode::loader::FsLoader::for_text(None),
    ) {
        Ok(c) => c,
        Err(f) => panic!("does not check: {:?}", f.diags),
    };
    eval::evaluate(&c.checked, &c.sources, &EvalOptions::default()).results
}

fn row<'a>(r: &'a Results, scenario: &str, actor: &str, mineral: &str) -> &'a Row {
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

/// A metric's value; a metric with no data fails the test.
trait Value {
    fn value(self) -> f64;
}

impl Value for f64 {
    fn value(self) -> f64 {
        self
    }
}

impl Value for Option<f64> {
    fn value(self) -> f64 {
        self.expect("the metric has data")
    }
}

fn close(a: impl Value, b: f64) {
    let a = a.value();
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

fn dep(r: &Row, supplier: &str) -> f64 {
    r.dependency
        .iter()
        .flatten()
        .find(|(k, _)| &**k == supplier)
        .map(|(_, v)| *v)
        .unwrap_or(0.0)
}

#[test]
fn equilibrium_metrics_of_countries() {
    let r = run("report for XA, XC on ore");
    let xc = row(&r, "base", "XC", "ore");
    close(xc.demand, 0.5);
    close(xc.import_reliance, 1.0); // M/D = .5/.5
    // XA and XB tie at .25; the tie goes to the alphabetically first code.
    assert_eq!(xc.top_supplier.as_deref(), Some("XA"));
    close(xc.top_supplier_share, 0.5); // .25/.5
    close(xc.hhi, 5000.0); // 50² + 50²
    close(dep(xc, "XA"), 0.5);
    close(dep(xc, "XB"), 0.5);
    close(xc.at_risk, 0.0);
    assert_eq!(xc.cover_days, None);
    let xa = row(&r, "base", "XA", "ore");
    close(xa.import_reliance, 0.0);
    close(xa.hhi, 10000.0);
    assert_eq!(xa.output, vec![("supply".to_string(), 0.6)]);
}

#[test]
fn sticky_market_and_rerouting_mix() {
    let r = run("stockpile XC ore 10 kt
         scenario cut { XA bans ore to XC; allocation sticky; report for XC on ore }
         scenario cut_market extends cut { allocation market; report for XC on ore }
         scenario half extends cut { allocation market; rerouting 50%; report for XC on ore }");
    // Sticky: XC keeps only XB's .25 → at_risk = 1 − .25/.5 = .5.
    let sticky = row(&r, "cut", "XC", "ore");
    close(sticky.at_risk, 0.5);
    close(sticky.shortfall, 0.5);
    // 10 kt of 100 kt/yr world demand, XC uses half: 365·10/(.5·100) = 73 days;
    // at a 50% shortfall that lasts 146 days.
    close(sticky.cover_days.unwrap(), 146.0);
    // Market: XC can buy only from XB (the ban caps XA→XC at 0); max-min
    // fair fill of XC is XB's .4 / .5 = .8, ROW fills from XA. Shortfall .2.
    let market = row(&r, "cut_market", "XC", "ore");
    close(market.at_risk, 0.5);
    close(market.shortfall, 0.2);
    close(market.cover_days.unwrap(), 365.0); // 73 / .2
    // Half rerouted: received/D = .5·.5 + .5·.8 = .65 → shortfall .35.
    close(row(&r, "half", "XC", "ore").shortfall, 0.35);
}

#[test]
fn groups_aggregate_their_members() {
    let r = run("group both = XA + XC\nscenario cut { XA bans ore to XC; allocation sticky }");
    let g = row(&r, "base", "both", "ore");
    assert_eq!(g.kind, RowKind::Group);
    close(g.demand, 0.7);
    // As one economy: (ΣD − ΣP) / ΣD = (.7 − .6)/.7.
    close(g.import_reliance, 0.1 / 0.7);
    // Summed supply: XA .2 (self) + .25 (to XC) = .45, XB .25 → shares .45/.7, .25/.7.
    assert_eq!(g.top_supplier.as_deref(), Some("XA"));
    close(g.top_supplier_share, 0.45 / 0.7);
    close(
        g.hhi,
        10000.0 * ((0.45f64 / 0.7).powi(2) + (0.25f64 / 0.7).powi(2)),
    );
    // Demand-weighted: (.2·0 + .5·.5)/.7.
    close(row(&r, "cut", "both", "ore").at_risk, 0.25 / 0.7);
}

#[test]
fn structure_overrides_and_added_capacity() {
    let r = run(
        "scenario flip { ore.supply: XB 60%, XA 40%; report for XC on ore }
         scenario grow { XC adds 20% ore; report for XC on ore }",
    );
    // flip: XA surplus .4 − .2 = .2, XB .6; XC gets .5·.2/.8 = .125 from XA.
    close(dep(row(&r, "flip", "XC", "ore"), "XA"), 0.25);
    // grow: capacities .6/.4/.2 sum 1.2 → outputs .5, 1/3, 1/6. XC self-supplies
    // 1/6 and imports 1/3; XA surplus .3, XB 1/3; ΣX = ΣM = 19/30.
    let g = row(&r, "grow", "XC", "ore");
    close(g.import_reliance, (1.0 / 3.0) / 0.5);
    close(dep(g, "XC"), (1.0 / 6.0) / 0.5);
    close(dep(g, "XA"), (1.0 / 3.0) * 0.3 / (19.0 / 30.0) / 0.5);
}

#[test]
fn covers_supplies_missing_demand_by_gdp() {
    let r = run(
        "coalition buyers = XA + XB covers 40% demand of dust\nreport for XA, XB, buyers on dust",
    );
    // No member has dust demand: 40% split by gdp 3:1 → XA 30%, XB 10%.
    close(row(&r, "base", "XA", "dust").demand, 0.3);
    close(row(&r, "base", "XB", "dust").demand, 0.1);
    let b = row(&r, "base", "buyers", "dust");
    assert_eq!(b.kind, RowKind::Coalition);
    close(b.demand, 0.4);
}

#[test]
fn covers_checks_existing_data_with_a_warning() {
    let r = run("coalition buyers = XA + XB covers 40% demand of ore");
    // Members have ore data: XA 20% + XB 0% = 20%, 20 points from the claim.
    assert_eq!(r.warnings.len(), 1);
    assert_eq!(r.warnings[0].code, "lode::W0301");
    assert!(r.warnings[0].message.contains("40.0%") && r.warnings[0].message.contains("20.0%"));
}

#[test]
fn default_rows_and_their_order() {
    let r = run("coalition buyers = XA + XB\ngroup pair = XB + XC");
    let rows: Vec<(&str, &str)> = r.scenarios[0]
        .rows
        .iter()
        .map(|x| (x.mineral.as_str(), x.actor.as_str()))
        .collect();
    // Minerals in file order; coalitions, groups, countries with demand
    // (not ROW), each by descending demand.
    assert_eq!(
        rows,
        [
            ("ore", "buyers"),
            ("ore", "pair"),
            ("ore", "XC"),
            ("ore", "XA"),
            ("dust", "buyers"),
            ("dust", "pair"),
            ("dust", "XC"),
        ]
    );
}

#[test]
fn expectations_and_comparisons() {
    let r = run(
        "scenario cut { XA bans ore to XC; allocation sticky; report for XC on ore }
         report for XC on ore
         compare base, cut
         expect cut: XC.ore.shortfall == 50% +- 0.1%
         expect cut: XC.ore.shortfall < 0.4
         expect XC.ore.top_supplier == XA
         expect XC.ore.hhi >= 5000",
    );
    let passed: Vec<bool> = r.expectations.iter().map(|e| e.passed).collect();
    assert_eq!(passed, [true, false, true, true]);
    close(r.expectations[1].actual.unwrap(), 0.5);
    close(r.expectations[1].margin, 0.1); // .5 − .4
    let c = &r.comparisons[0];
    assert_eq!((c.base.as_str(), c.against.as_str()), ("base", "cut"));
    let d = c.rows.iter().find(|d| d.metric == "shortfall").unwrap();
    close(d.delta, 0.5);
    let d = c.rows.iter().find(|d| d.metric == "dependency.XA").unwrap();
    close(d.delta, 0.0); // dependency is structure: a ban does not change it
}

/// `--scenario NAME` (EvalOptions::only) keeps only that scenario, its own
/// expectations and its comparison against the base.
#[test]
fn one_scenario_keeps_only_its_comparison() {
    let text = format!(
        "{WORLD}\nscenario a {{ XA bans ore to XC }}\nscenario b {{ XB bans ore to XC }}\n\
         compare base, a, b\nexpect b: XC.ore.at_risk == 50% +- 0.1%\nexpect a: XC.ore.demand == 50%"
    );
    let Ok(c) = pipeline::compile(
        Input::Text { name: "t", text },
        &lode::loader::FsLoader::for_text(None),
    ) else {
        panic!("does not check")
    };
    let b = c.checked.scenario_id("b").unwrap();
    let r = eval::evaluate(
        &c.checked,
        &c.sources,
        &EvalOptions {
            only: Some(b),
            ..Default::default()
        },
    )
    .results;
    let names: Vec<&str> = r.scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["b"]);
    let pairs: Vec<(&str, &str)> = r
        .comparisons
        .iter()
        .map(|c| (c.base.as_str(), c.against.as_str()))
        .collect();
    assert_eq!(pairs, [("base", "b")]);
    // XB's .25 of XC's .5 is banned under sticky: at_risk = .25/.5 = 50%.
    assert_eq!(r.expectations.len(), 1);
    assert!(r.expectations[0].passed);
    // Choosing the comparison's base shows no comparison: none is about it.
    let base = c.checked.scenario_id("base").unwrap();
    let r = eval::evaluate(
        &c.checked,
        &c.sources,
        &EvalOptions {
            only: Some(base),
            ..Default::default()
        },
    )
    .results;
    assert!(r.comparisons.is_empty());
}

/// W0302 points at the sourcing line in force in the scenario (its own
/// line replaces base's for the same buyer and stage) and, raised in one
/// scenario of two, names it.
#[test]
fn capped_sourcing_names_its_scenario_and_line() {
    // Surplus: XA .6 − .2 = .4. Base asks .5 · 50% = .25 of XA (fits);
    // scenario s asks .5 · 100% = .5 (over .4: capped).
    let text = format!("{WORLD}\nXC sources ore: XA 50%\nscenario s {{ XC sources ore: XA 100% }}");
    let Ok(c) = pipeline::compile(
        Input::Text { name: "t", text },
        &lode::loader::FsLoader::for_text(None),
    ) else {
        panic!("does not check")
    };
    let ev = eval::evaluate(&c.checked, &c.sources, &EvalOptions::default());
    let capped: Vec<_> = ev
        .warnings
        .iter()
        .filter(|w| w.code.as_str() == "lode::W0302")
        .collect();
    assert_eq!(capped.len(), 1, "{:?}", ev.warnings);
    let w = capped[0];
    assert!(
        w.message.starts_with("scenario `s`: XC sources 50.0%"),
        "{}",
        w.message
    );
    assert!(
        w.message.contains("XA has only 40.0% to spare"),
        "{}",
        w.message
    );
    assert_eq!(c.sources.text(w.labels[0].span), "XC sources ore: XA 100%");
}

/// An expectation may compare with a variable.
#[test]
fn expectations_compare_with_variables() {
    // Sticky ban of XA's .25 of XC's .5: shortfall 50%.
    let r = run("let floor = 40%
         let ceiling = floor + 20%
         scenario cut { XA bans ore to XC; allocation sticky }
         expect cut: XC.ore.shortfall > floor
         expect cut: XC.ore.shortfall < ceiling
         expect cut: XC.ore.shortfall > ceiling");
    let passed: Vec<bool> = r.expectations.iter().map(|e| e.passed).collect();
    assert_eq!(passed, [true, true, false]);
}
