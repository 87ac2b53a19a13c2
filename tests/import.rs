//! `lode import` (SPEC §14): trade tables → sourcing lines, the library
//! function on small tables whose shares are worked out by hand here, the
//! command line's errors, and the round trip through `use`.

use std::path::Path;
use std::process::Command;

use lode::diagnostic::Code;
use lode::import::{self, ImportLine, Imported, Measure, Options, Source};
use lode::source::SourceId;

const COMTRADE: &str = include_str!("fixtures/import/comtrade_nickel_sample.csv");
const BACI: &str = include_str!("fixtures/import/baci_cobalt_sample.csv");

fn run(text: &str, opts: &Options) -> Imported {
    match import::import(text, SourceId(0), opts) {
        Ok(i) => i,
        Err(d) => panic!(
            "import failed: {:?}",
            d.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

fn fails(text: &str, opts: &Options) -> Vec<lode::diagnostic::Diag> {
    match import::import(text, SourceId(0), opts) {
        Ok(i) => panic!("import succeeded:\n{}", i.text),
        Err(d) => d,
    }
}

fn line<'a>(i: &'a Imported, importer: &str) -> &'a ImportLine {
    i.lines
        .iter()
        .find(|l| l.importer == importer)
        .unwrap_or_else(|| panic!("no line for {importer}: {:?}", i.lines))
}

fn shares(l: &ImportLine) -> Vec<(&str, f64)> {
    l.shares.iter().map(|&(p, s)| (p, s)).collect()
}

fn comtrade(mineral: &str) -> Options {
    Options::new(Source::Comtrade, mineral, "comtrade_nickel_sample.csv")
}

fn baci() -> Options {
    let mut o = Options::new(Source::Baci, "cobalt", "baci_cobalt_sample.csv");
    o.stage = Some("refining".into());
    o
}

/// The Comtrade sample, 2024 (the latest year), by net weight.
#[test]
fn comtrade_shares_by_net_weight() {
    let mut o = comtrade("nickel");
    o.stage = Some("refining".into());
    let i = run(COMTRADE, &o);
    assert_eq!(i.year, 2024);
    assert_eq!(i.codes, ["750210"]);
    // JP's World row is 9,990,000 kg, equal to the sum of its partner rows
    // (9,000,000 + 600,000 + 250,000 + 40,000 + 100,000):
    //   RU 9,000,000 / 9,990,000 = 90.09% → 90.0%
    //   AU   600,000 / 9,990,000 =  6.006% → 6.0%
    //   FI   250,000 / 9,990,000 =  2.502% → 2.5%
    //   NO    40,000 / 9,990,000 =  0.40%, under 1%: left out
    //   _X (Areas, nes) 100,000 = 1.0%: no country, left out
    // The export row (flowCode X, JP → CN) is not read.
    let jp = line(&i, "JP");
    assert_eq!(jp.total, 9_990_000.0);
    assert_eq!(shares(jp), [("RU", 0.9), ("AU", 0.06), ("FI", 0.025)]);
    // KR has no World row: its total is the sum of its partners, 5,000,000
    // kg: ID 3,000,000 = 60%, AU 1,000,000 = 20%, RU and FI 500,000 = 10%.
    // Exact shares stay exact (0.6 · 1000 is not floored to 599).
    let kr = line(&i, "KR");
    assert_eq!(kr.total, 5_000_000.0);
    assert_eq!(
        shares(kr),
        [("ID", 0.6), ("AU", 0.2), ("FI", 0.1), ("RU", 0.1)]
    );
    assert!(i.warnings.is_empty(), "{:?}", i.warnings);
    assert!(
        i.text
            .contains("\nJP sources nickel.refining: RU 90.0%, AU 6.0%, FI 2.5%\nsource \"UN Comtrade, comtrade_nickel_sample.csv: JP's imports of HS 750210 in 2024, by net weight (netWgt) (lode import)\"\n"),
        "{}",
        i.text
    );
    assert!(
        i.text
            .contains("\nKR sources nickel.refining: ID 60.0%, AU 20.0%, FI 10.0%, RU 10.0%\n"),
        "{}",
        i.text
    );
}

/// Real figures: Japan's 2024 imports of lithium hydroxide (HS 282520),
/// the China and World rows of UN Comtrade as copied verbatim into
/// /work/shared/data-sources/trade/comtrade_quad_imports_from_china_2019_2024.csv
/// (see tests/fixtures/import/README.md). That file gives China's share as
/// 86.0% by weight and 84.1% by value (rounded to nearest).
#[test]
fn comtrade_real_lithium_hydroxide_rows() {
    const REAL: &str = include_str!("fixtures/import/comtrade_jp_lithium_hydroxide_2024.csv");
    let mut o = Options::new(Source::Comtrade, "lithium", "jp.csv");
    o.stage = Some("refining".into());
    let i = run(REAL, &o);
    // 32,353,760 kg of 37,639,553 kg = 85.957% (86.0% to nearest) → 85.9%.
    assert_eq!(line(&i, "JP").total, 37_639_553.0);
    assert_eq!(shares(line(&i, "JP")), [("CN", 0.859)]);
    assert!(i.text.contains("\nJP sources lithium.refining: CN 85.9%\n"));
    // US$525,121,171.688 of 624,500,248.848 = 84.087% (84.1%) → 84.0%.
    o.measure = Measure::Value;
    assert_eq!(shares(line(&run(REAL, &o), "JP")), [("CN", 0.84)]);
}

/// An earlier year, by value, with a threshold, and without a stage.
#[test]
fn comtrade_year_value_and_threshold() {
    let mut o = comtrade("nickel");
    o.year = Some(2023);
    o.measure = Measure::Value;
    let i = run(COMTRADE, &o);
    // 2023: JP World US$180,000,000; RU 144,000,000 = 80%, AU 36,000,000 = 20%.
    assert_eq!(shares(line(&i, "JP")), [("RU", 0.8), ("AU", 0.2)]);
    assert!(i.text.contains("\nJP sources nickel: RU 80.0%, AU 20.0%\n"));
    assert!(i.text.contains("by value (primaryValue, US$)"));

    // 2024 with partners at 7% or more: JP keeps RU only (AU 6.006% < 7%).
    let mut o = comtrade("nickel");
    o.min_share = 0.07;
    let i = run(COMTRADE, &o);
    assert_eq!(shares(line(&i, "JP")), [("RU", 0.9)]);
    // At 95%, nobody: the importer is listed without a line.
    o.min_share = 0.95;
    let i = run(COMTRADE, &o);
    assert!(line(&i, "JP").shares.is_empty());
    assert!(!i.text.contains("JP sources"), "{}", i.text);
    assert!(
        i.text
            .contains("# JP: no partner with 95.0% or more of its imports"),
        "{}",
        i.text
    );
}

/// The BACI sample, HS 282200, 2023 (the latest), by weight (`q`, tonnes).
#[test]
fn baci_shares_by_weight() {
    let mut o = baci();
    o.hs = vec!["282200".into()];
    let i = run(BACI, &o);
    assert_eq!(i.year, 2023);
    // JP (392) imports: CN (156) 2,000 t, FI (246) 1,000 t, BE (56) 500 t,
    // TW (490, "Other Asia, nes") 50 t; FR (251) has no quantity (`NA`) and
    // is left out with a warning. Total 3,550 t:
    //   CN 2000/3550 = 56.34% → 56.3%   FI 1000/3550 = 28.17% → 28.1%
    //   BE  500/3550 = 14.08% → 14.0%   TW   50/3550 =  1.41% →  1.4%
    // (rounded down: 28.17% is 28.1%, so the line never overstates).
    let jp = line(&i, "JP");
    assert_eq!(jp.total, 3550.0);
    assert_eq!(
        shares(jp),
        [("CN", 0.563), ("FI", 0.281), ("BE", 0.14), ("TW", 0.014)]
    );
    // US (842) imports: FI 1,200 t, CA (124) 600 t, and 200 t from 58
    // (Belgium-Luxembourg, no country today). Total 2,000 t: FI 60%, CA
    // 30%; the 10% of code 58 stays with the pooled market.
    assert_eq!(shares(line(&i, "US")), [("FI", 0.6), ("CA", 0.3)]);
    let codes: Vec<Code> = i.warnings.iter().map(|w| w.code).collect();
    assert_eq!(codes, [Code::ImportUnmapped, Code::ImportMissing]);
    assert!(
        i.warnings[0]
            .message
            .contains("partner `58` on line 10 of `baci_cobalt_sample.csv`"),
        "{}",
        i.warnings[0].message
    );
    assert!(
        i.warnings[1]
            .message
            .contains("1 row of 2023 in `baci_cobalt_sample.csv` has no `q` (first on line 7)"),
        "{}",
        i.warnings[1].message
    );
    // The warnings point at the cells.
    let span = i.warnings[0].primary_span().unwrap();
    assert_eq!(&BACI[span.start..span.end], "58");
    let span = i.warnings[1].primary_span().unwrap();
    assert_eq!(BACI[span.start..span.end].trim(), "NA");
}

#[test]
fn baci_by_value_and_every_code() {
    // By value (`v`, thousand US$), HS 282200, 2023: JP's total 5,000 +
    // 2,500 + 1,250 + 125 + 100 = 8,975:
    //   CN 5000/8975 = 55.71% → 55.7%   FI 2500/8975 = 27.86% → 27.8%
    //   BE 1250/8975 = 13.93% → 13.9%   TW  125/8975 =  1.39% →  1.3%
    //   FR  100/8975 =  1.11% →  1.1%
    let mut o = baci();
    o.hs = vec!["282200".into()];
    o.measure = Measure::Value;
    let i = run(BACI, &o);
    assert_eq!(
        shares(line(&i, "JP")),
        [
            ("CN", 0.557),
            ("FI", 0.278),
            ("BE", 0.139),
            ("TW", 0.013),
            ("FR", 0.011)
        ]
    );
    // Without --hs every code of the file counts: 810520 adds 300 t from
    // CN to JP. Total 3,850 t:
    //   CN 2300/3850 = 59.74% → 59.7%   FI 1000/3850 = 25.97% → 25.9%
    //   BE  500/3850 = 12.98% → 12.9%   TW   50/3850 =  1.30% →  1.2%
    // (1.2987%, rounded down).
    let i = run(BACI, &baci());
    assert_eq!(i.codes, ["282200", "810520"]);
    assert_eq!(
        shares(line(&i, "JP")),
        [("CN", 0.597), ("FI", 0.259), ("BE", 0.129), ("TW", 0.012)]
    );
    // A 4-digit code selects the 6-digit rows under it, here 2822 → 282200;
    // 2022's single row (CN 1,600 t) gives CN 100%.
    let mut o = baci();
    o.hs = vec!["2822".into()];
    o.year = Some(2022);
    let i = run(BACI, &o);
    assert_eq!(i.codes, ["282200"]);
    assert_eq!(shares(line(&i, "JP")), [("CN", 1.0)]);
}

/// A code selects its own rows where the file has them, its children
/// otherwise; rows of nested codes would count the same trade twice.
#[test]
fn nested_codes_are_an_error_unless_one_level_is_chosen() {
    let text = "t,i,j,k,v,q\n\
                2023,156,392,7502,10,4\n\
                2023,156,392,750210,6,3\n\
                2023,643,392,750220,4,1\n";
    let mut o = Options::new(Source::Baci, "nickel", "t.csv");
    let d = fails(text, &o);
    assert_eq!(d[0].code, Code::ImportShape);
    assert!(
        d[0].message.contains("both `7502` and `750210`"),
        "{}",
        d[0].message
    );
    // `--hs 7502` reads the 4-digit row only: CN 4 t of 4 = 100%.
    o.hs = vec!["7502".into()];
    assert_eq!(shares(line(&run(text, &o), "JP")), [("CN", 1.0)]);
    // `--hs 750210,750220`: CN 3 t, RU 1 t of 4: 75%, 25%.
    o.hs = vec!["750210".into(), "750220".into()];
    assert_eq!(
        shares(line(&run(text, &o), "JP")),
        [("CN", 0.75), ("RU", 0.25)]
    );
}

/// Monthly rows of a year are summed; annual and monthly rows together are
/// an error. Breakdown rows (mode of transport) are not the total and are
/// not read.
#[test]
fn comtrade_months_and_breakdowns() {
    let head = "period,reporterISO,partnerISO,flowCode,cmdCode,netWgt,primaryValue,motCode\n";
    let months = format!(
        "{head}202401,JPN,PHL,M,2604,300,1,0\n\
         202402,JPN,PHL,M,2604,300,1,0\n\
         202402,JPN,PHL,M,2604,300,1,2100\n\
         202402,JPN,IDN,M,2604,400,1,0\n"
    );
    let i = run(&months, &comtrade("nickel"));
    // PH 300 + 300 = 600 (the motCode 2100 row is part of that, not more),
    // ID 400: PH 60%, ID 40%.
    assert_eq!(shares(line(&i, "JP")), [("PH", 0.6), ("ID", 0.4)]);
    assert!(i.text.contains("in 2024, months summed"), "{}", i.text);

    let mixed = format!("{months}2024,JPN,PHL,M,2604,900,1,0\n");
    let d = fails(&mixed, &comtrade("nickel"));
    assert_eq!(d[0].code, Code::ImportShape);
    assert!(
        d[0].message
            .contains("both annual and monthly rows for 2024")
    );
}

/// Errors name the file and the line, and point at the cell.
#[test]
fn table_errors_are_coded_and_placed() {
    let o = comtrade("nickel");
    // A missing column: every missing one is reported, at the header.
    let d = fails("period,reporterISO,flowCode,cmdCode\n2024,JPN,M,2604\n", &o);
    let missing: Vec<&str> = d.iter().map(|d| d.message.as_str()).collect();
    assert_eq!(
        missing,
        [
            "`comtrade_nickel_sample.csv` has no `partnerISO` column (the partner)",
            "`comtrade_nickel_sample.csv` has no `netWgt` column (the net weight)",
        ]
    );
    assert!(d.iter().all(|d| d.code == Code::ImportColumn));
    // The label is on the header's first cell: `period`.
    assert_eq!(d[0].primary_span().map(|s| (s.start, s.end)), Some((0, 6)));

    // A bad number, on the cell.
    let text = "period,reporterISO,partnerISO,flowCode,cmdCode,netWgt\n\
                2024,JPN,PHL,M,2604,12x5\n";
    let d = fails(text, &o);
    assert_eq!(d[0].code, Code::ImportNumber);
    assert_eq!(
        d[0].message,
        "`12x5` on line 2 of `comtrade_nickel_sample.csv` is not a quantity"
    );
    let s = d[0].primary_span().unwrap();
    assert_eq!(&text[s.start..s.end], "12x5");

    // No row for the year asked, with the years there are.
    let mut o2 = comtrade("nickel");
    o2.year = Some(2019);
    let d = fails(COMTRADE, &o2);
    assert_eq!(d[0].code, Code::ImportNoRows);
    assert!(
        d[0].message
            .contains("no import row of any HS code for 2019")
    );
    assert_eq!(
        d[0].help.as_deref(),
        Some("its import rows are for 2023, 2024")
    );

    // No row for the code asked, with the codes there are.
    let mut o3 = comtrade("nickel");
    o3.hs = vec!["2604".into()];
    let d = fails(COMTRADE, &o3);
    assert_eq!(d[0].code, Code::ImportNoRows);
    assert!(d[0].message.contains("no import row of HS 2604"));
    assert_eq!(
        d[0].help.as_deref(),
        Some("its import rows have the codes 750210")
    );

    // A bad option is reported before the table is read.
    let mut o4 = comtrade("Nickel");
    o4.hs = vec!["75021".into()];
    let d = fails(COMTRADE, &o4);
    assert!(d.iter().all(|d| d.code == Code::ImportOption));
    assert_eq!(d.len(), 2);
}

// ------------------------------------------------------------ world data

use lode::loader::MemoryLoader;
use lode::pipeline::{self, Input};

fn compile(loader: &MemoryLoader) -> Result<pipeline::Compiled, pipeline::Failed> {
    pipeline::compile(Input::File(Path::new("p/main.lode")), loader)
}

/// JP's rare-earth refining lines in force: (supplier, share) per line.
fn jp_refining_lines(c: &pipeline::Compiled) -> Vec<Vec<(String, f64)>> {
    let w = &c.checked.world;
    let m = w.minerals.iter().find(|m| m.name == "rare_earths").unwrap();
    let refining = m.stages.iter().position(|s| s == "refining").unwrap();
    m.sourcing
        .iter()
        .filter(|l| w.actors[l.buyer].code == "JP" && l.stage == refining)
        .map(|l| {
            l.shares
                .iter()
                .map(|e| (w.actors[e.actor].code.clone(), e.value.plain))
                .collect()
        })
        .collect()
}

/// A used file's `XX sources m.stage: …` is world data: it replaces
/// world2024's own line for that buyer and stage, whichever file is used
/// first, and its `source` line is listed with the mineral.
#[test]
fn a_used_file_may_hold_sourcing_statements() {
    let trade = "JP sources rare_earths.refining: MY 50%, US 10%\nsource \"my customs data\"\n";
    for main in [
        "use world2024\nuse \"trade.lode\"\n",
        "use \"trade.lode\"\nuse world2024\n",
    ] {
        let loader = MemoryLoader::new()
            .with("p/main.lode", main)
            .with("p/trade.lode", trade);
        let c = compile(&loader).unwrap_or_else(|f| {
            panic!(
                "{:?}",
                f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
            )
        });
        // world2024 says `JP sources refining: CN 60%`; the used file wins.
        assert_eq!(
            jp_refining_lines(&c),
            [vec![("MY".to_string(), 0.5), ("US".to_string(), 0.1)]],
            "{main}"
        );
        let m = c
            .checked
            .world
            .minerals
            .iter()
            .find(|m| m.name == "rare_earths")
            .unwrap();
        assert!(m.sources.contains(&"my customs data".to_string()));
    }
    // Without the used file, world2024's line stands.
    let loader = MemoryLoader::new().with("p/main.lode", "use world2024\n");
    assert_eq!(
        jp_refining_lines(&compile(&loader).ok().unwrap()),
        [vec![("CN".to_string(), 0.6)]]
    );
}

/// Only sourcing statements: a policy in a used file is still an error,
/// and a sourcing statement there is checked like any other.
#[test]
fn a_used_file_still_holds_no_policy() {
    let loader = MemoryLoader::new()
        .with("p/main.lode", "use world2024\nuse \"trade.lode\"\n")
        .with(
            "p/trade.lode",
            "JP sources nickel.refining: RU 90%\nCN restricts nickel to JP\nKR sources nickel.refning: ID 50%\n",
        );
    let Err(f) = compile(&loader) else {
        panic!("compiled")
    };
    let codes: Vec<Code> = f.diags.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::NotHere, Code::UnknownStage], "{:?}", f.diags);
}

// ------------------------------------------------------------ command line

fn lode(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lode");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
        .display()
        .to_string()
}

/// Import → `use` after world2024 → `lode run`: the sourcing line decides
/// JP's top supplier of refined nickel.
#[test]
fn imported_lines_run_after_world2024() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = lode(
        &[
            "import",
            &fixture("comtrade_nickel_sample.csv"),
            "--from",
            "comtrade",
            "--mineral",
            "nickel",
            "--stage",
            "refining",
            "-o",
            "nickel_trade.lode",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert_eq!(
        err,
        "wrote 2 sourcing lines (2024, HS 750210) to nickel_trade.lode\n"
    );
    std::fs::write(
        dir.path().join("main.lode"),
        "use world2024\nuse \"nickel_trade.lode\"\n",
    )
    .unwrap();
    let (code, out, err) = lode(&["run", "main.lode", "--format", "json"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert_eq!(err, "", "no warning: every sourced partner has the surplus");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    let row = |actor: &str| {
        json["scenarios"][0]["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["actor"] == actor && r["mineral"] == "nickel")
            .cloned()
            .unwrap()
    };
    // world2024, refined nickel: JP and KR refine none and use 3.4% and 3.0%
    // of world output, all imported. Exporters' surplus: ID 42.9, RU 3.6,
    // AU 2.3, FI 1.8 - 0.1 = 1.7, ROW 18.1 - 17.0 = 1.1 (ROW's demand is
    // 100 - 83.0). The import lines fix, in % of world output:
    //   JP: RU 0.900·3.4 = 3.06, AU 0.060·3.4 = 0.204, FI 0.025·3.4 = 0.085
    //   KR: ID 1.8, AU 0.6, FI 0.3, RU 0.3
    // The pool then serves what is left, pro rata to the surplus left:
    // RU 3.6 - 3.06 - 0.3 = 0.24 of 45.251 (= 51.6 import need - 6.349
    // sourced). JP's own remainder is 3.4·(1 - 0.985) = 0.051, so
    //   JP from RU = (3.06 + 0.051·0.24/45.251) / 3.4 = 0.9000796.
    let jp = row("JP");
    assert_eq!(jp["top_supplier"], "RU");
    let share = jp["top_supplier_share"].as_f64().unwrap();
    assert!((share - 0.9000796).abs() < 1e-6, "{share}");
    // KR's line adds up to 100%: ID is its top supplier at exactly 60%.
    let kr = row("KR");
    assert_eq!(kr["top_supplier"], "ID");
    assert!((kr["top_supplier_share"].as_f64().unwrap() - 0.6).abs() < 1e-9);
    // The import's `source` lines are listed with the mineral.
    let nickel = json["minerals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "nickel")
        .unwrap();
    assert!(
        nickel["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().starts_with(
                "UN Comtrade, comtrade_nickel_sample.csv: JP's imports of HS 750210 in 2024"
            ))
    );
}

/// A failed import exits 1, names the file and line, and leaves `-o` as it
/// was: an old file untouched, no new file.
#[test]
fn failed_imports_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("no_weight.csv"),
        "period,reporterISO,partnerISO,flowCode,cmdCode,primaryValue\n2024,JPN,PHL,M,2604,5\n",
    )
    .unwrap();
    std::fs::write(p.join("old.lode"), "# old\n").unwrap();
    let args = |file: &str, out: &str| {
        vec![
            "import".to_string(),
            file.to_string(),
            "--from".into(),
            "comtrade".into(),
            "--mineral".into(),
            "nickel".into(),
            "-o".into(),
            out.to_string(),
        ]
    };
    let call = |a: Vec<String>| lode(&a.iter().map(|s| s.as_str()).collect::<Vec<_>>(), p);

    // Missing column.
    let (code, out, err) = call(args("no_weight.csv", "old.lode"));
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("lode::E0701"), "{err}");
    assert!(
        err.contains("`no_weight.csv` has no `netWgt` column"),
        "{err}"
    );
    assert!(err.contains("[no_weight.csv:1:1]"), "{err}");
    assert_eq!(
        std::fs::read_to_string(p.join("old.lode")).unwrap(),
        "# old\n"
    );

    // No rows for the year.
    let sample = fixture("comtrade_nickel_sample.csv");
    let mut a = args(&sample, "new.lode");
    a.extend(["--year".into(), "2020".into()]);
    let (code, _, err) = call(a);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("lode::E0702"), "{err}");
    assert!(
        err.contains("has no import row of any HS code for 2020"),
        "{err}"
    );
    assert!(!p.join("new.lode").exists());

    // A bad number, shown on its line.
    std::fs::write(
        p.join("bad.csv"),
        "period,reporterISO,partnerISO,flowCode,cmdCode,netWgt\n2024,JPN,PHL,M,2604,100\n2024,JPN,IDN,M,2604,n/a\n",
    )
    .unwrap();
    let (code, _, err) = call(args("bad.csv", "new.lode"));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("lode::E0703"), "{err}");
    assert!(err.contains("[bad.csv:3:21]"), "{err}");
    assert!(!p.join("new.lode").exists());

    // An unreadable file is an I/O error (exit 2), coded too.
    let (code, _, err) = call(args("missing.csv", "new.lode"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("lode::E0602"), "{err}");
    assert!(err.contains("cannot read `missing.csv`"), "{err}");
    assert!(!p.join("new.lode").exists());
}

/// A code that maps to no country is a warning naming the file and line,
/// reported once however often it occurs; the fragment is still written.
#[test]
fn unknown_codes_warn_once() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(
        p.join("t.csv"),
        "period,reporterISO,partnerISO,flowCode,cmdCode,netWgt\n\
         2024,JPN,PHL,M,2604,700\n\
         2024,JPN,XXA,M,2604,200\n\
         2024,KOR,XXA,M,2604,50\n\
         2024,KOR,IDN,M,2604,50\n",
    )
    .unwrap();
    let (code, out, err) = lode(
        &[
            "import",
            "t.csv",
            "--from",
            "comtrade",
            "--mineral",
            "nickel",
        ],
        p,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(err.matches("lode::W0701").count(), 1, "{err}");
    assert!(
        err.contains("partner `XXA` on line 3 of `t.csv` maps to no country"),
        "{err}"
    );
    assert!(err.contains("[t.csv:3:10]"), "{err}");
    // JP: PH 700 of 900 = 77.77…%, rounded down to 77.7%; XXA's 22.2% is
    // left to the pooled market.
    assert!(out.contains("\nJP sources nickel: PH 77.7%\n"), "{out}");
    // KR: ID 50 of 100.
    assert!(out.contains("\nKR sources nickel: ID 50.0%\n"), "{out}");
}

/// Bad options are usage errors (exit 2).
#[test]
fn bad_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let sample = fixture("comtrade_nickel_sample.csv");
    for extra in [
        &["--min-share", "100"][..],
        &["--min-share", "abc"][..],
        &["--hs", "7x02"][..],
        &["--stage", "Refining"][..],
    ] {
        let mut a = vec![
            "import",
            &sample,
            "--from",
            "comtrade",
            "--mineral",
            "nickel",
        ];
        a.extend_from_slice(extra);
        let (code, out, err) = lode(&a, dir.path());
        assert_eq!(code, 2, "{extra:?}: {err}");
        assert_eq!(out, "");
    }
}
