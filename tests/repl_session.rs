//! The REPL's session engine, driven directly (no terminal): define, query,
//! errors that change nothing, undo, reset, save-then-load; plus completion
//! and `lode repl` in a pipe.

use std::io::Write;
use std::process::{Command, Stdio};

use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};
use lode::report::{self, Format, RenderOptions};
use lode::session::complete::{Completion, complete};
use lode::session::{Reply, Session, Start};

/// A two-actor, one-stage world. With no `stages` line the one stage is
/// `supply`; the named shares sum to 100%, so ROW has none.
const TINY: &[&str] = &[
    "actor AA \"Aland\" alias aland, BB \"Bland\" alias bland",
    "mineral widget {\n  supply: AA 60%, BB 40%\n  demand: AA 25%, BB 75%\n}",
];

fn ok(s: &mut Session, text: &str) -> Reply {
    let r = s.input(text);
    assert!(!r.failed, "`{text}` failed:\n{}", r.diagnostics);
    r
}

fn value(s: &mut Session, query: &str) -> String {
    ok(s, query).output.trim_end().to_string()
}

fn tiny() -> Session {
    let mut s = Session::new(Start::Empty).expect("an empty session starts");
    for line in TINY {
        let r = ok(&mut s, line);
        assert_eq!(r.output, "", "a statement prints nothing");
    }
    s
}

#[test]
fn define_then_query_values_computed_by_hand() {
    let mut s = tiny();
    // Equilibrium (SPEC §3.2): h[BB] = min(P, N) = min(40%, 75%) = 40%,
    // so BB imports M = 35% from AA's surplus X = 60% - 25% = 35%.
    // import_reliance = M / D = 35 / 75 = 46.666…%
    assert_eq!(value(&mut s, "BB.widget.import_reliance"), "46.7%");
    // BB's supply: itself 40/75 = 53.3%, AA 35/75 = 46.7% → top is BB, and
    // hhi = 10000 × (0.5333² + 0.4667²) = 10000 × (0.28444 + 0.21778) = 5022.
    assert_eq!(value(&mut s, "BB.widget.top_supplier"), "BB");
    assert_eq!(value(&mut s, "BB.widget.top_supplier_share"), "53.3%");
    assert_eq!(value(&mut s, "bland.widget.hhi"), "5022");
    assert_eq!(value(&mut s, "BB.widget.dependency.AA"), "46.7%");
    assert_eq!(value(&mut s, "AA.widget.demand"), "25.0%");
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "0.0%");

    // A statement extends the session: the flow AA → BB (35%) may now carry
    // at most 60% of itself = 21%. Default allocation is market with no
    // rerouting, i.e. sticky: BB receives 40% + 21% = 61% of its 75%, so
    // shortfall = 1 - 61/75 = 18.666…%.
    ok(&mut s, "AA restricts widget to BB by 40%");
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "18.7%");
    assert_eq!(value(&mut s, "BB.widget.at_risk"), "18.7%");
    assert_eq!(value(&mut s, "AA.widget.shortfall"), "0.0%");
    assert_eq!(
        value(&mut s, "BB.widget.cover_days"),
        "absent (no stockpile, or no shortfall)"
    );
    // 30 days of stock over an 18.67% shortfall: 30 / 0.18667 = 160.7 days.
    ok(&mut s, "stockpile BB widget 30 days");
    assert_eq!(value(&mut s, "BB.widget.cover_days"), "160.7 days");
    // A whole map when the key is left out.
    assert_eq!(value(&mut s, "BB.widget.output"), "supply   40.0%");
}

#[test]
fn expressions_use_the_sessions_variables() {
    let mut s = tiny();
    ok(&mut s, "let cut = 40%");
    assert_eq!(value(&mut s, "cut * 2"), "80.0%");
    assert_eq!(value(&mut s, "60 days + 2 months"), "120 days");
    assert_eq!(value(&mut s, "(1 + 2) * 2.5"), "7.5");
    ok(&mut s, "AA restricts widget to BB by cut");
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "18.7%");
    let r = s.input("60 days + 2 kt");
    assert!(r.failed);
    assert!(
        r.diagnostics.contains("units do not agree"),
        "{}",
        r.diagnostics
    );
}

#[test]
fn a_failing_line_leaves_the_session_unchanged() {
    let mut s = tiny();
    ok(&mut s, "AA restricts widget to BB by 40%");
    let policies = ok(&mut s, ":show policies").output;
    let scenario = ok(&mut s, ":show scenario").output;
    let before = value(&mut s, "BB.widget.shortfall");

    // A name error: the diagnostic points into this line, with a suggestion.
    let r = s.input("AA restricts widgit to BB");
    assert!(r.failed);
    assert!(r.output.is_empty());
    assert!(r.diagnostics.contains("<repl:"), "{}", r.diagnostics);
    assert!(
        r.diagnostics.contains("AA restricts widgit to BB"),
        "{}",
        r.diagnostics
    );
    assert!(
        r.diagnostics.contains("did you mean `widget`"),
        "{}",
        r.diagnostics
    );
    // A syntax error, a redefinition, and a statement that is fine followed
    // by one that is not: all or nothing.
    assert!(s.input("AA restricts widget to").failed);
    assert!(s.input("actor AA").failed);
    assert!(
        s.input("BB restricts widget to AA; disrupt AA widget by 300%")
            .failed
    );
    // A failed query changes nothing either.
    let r = s.input("BB.widget.shortfal");
    assert!(r.failed);
    assert!(
        r.diagnostics.contains("did you mean `shortfall`"),
        "{}",
        r.diagnostics
    );

    assert_eq!(ok(&mut s, ":show policies").output, policies);
    assert_eq!(ok(&mut s, ":show scenario").output, scenario);
    assert_eq!(value(&mut s, "BB.widget.shortfall"), before);
    assert!(!policies.contains("BB restricts"), "{policies}");
}

#[test]
fn undo_takes_back_the_last_change_not_queries() {
    let mut s = tiny();
    ok(&mut s, "AA restricts widget to BB by 40%");
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "18.7%");
    // Queries and failures are not changes.
    value(&mut s, "BB.widget.hhi");
    assert!(s.input("nonsense here").failed);
    let r = ok(&mut s, ":undo");
    assert!(
        r.output.contains("AA restricts widget to BB"),
        "{}",
        r.output
    );
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "0.0%");
    // Back through the mineral and the actors to nothing at all.
    ok(&mut s, ":undo");
    assert!(s.input("BB.widget.shortfall").failed);
    ok(&mut s, ":undo");
    assert!(s.input(":undo").failed, "nothing left to undo");
    assert_eq!(s.text(), "");
}

#[test]
fn reset_returns_to_the_start_and_can_be_undone() {
    let mut s = Session::new(Start::World).expect("world2024 loads");
    assert!(s.banner().contains("world2024"), "{}", s.banner());
    let start_text = ok(&mut s, ":show scenario").output;
    let start_value = value(&mut s, "JP.rare_earths.shortfall");
    assert_eq!(start_value, "0.0%");
    ok(&mut s, "china restricts rare_earths to JP");
    let cut = value(&mut s, "JP.rare_earths.shortfall");
    assert_ne!(cut, start_value);
    let r = ok(&mut s, ":reset");
    assert!(r.output.contains("world2024"), "{}", r.output);
    assert_eq!(ok(&mut s, ":show scenario").output, start_text);
    assert!(ok(&mut s, ":show policies").output.contains("no policies"));
    assert_eq!(value(&mut s, "JP.rare_earths.shortfall"), start_value);
    ok(&mut s, ":undo");
    assert_eq!(value(&mut s, "JP.rare_earths.shortfall"), cut);
}

#[test]
fn scenario_blocks_span_lines_and_can_be_queried() {
    let mut s = tiny();
    ok(&mut s, "scenario cut {\n  AA bans widget to BB\n}");
    // In `cut` BB gets only its own 40% of 75%: shortfall 1 - 40/75 = 46.7%.
    assert_eq!(value(&mut s, "cut: BB.widget.shortfall"), "46.7%");
    assert_eq!(value(&mut s, "BB.widget.shortfall"), "0.0%");
    let policies = ok(&mut s, ":show policies").output;
    assert!(
        policies.contains("scenario cut:\n  AA bans widget to BB"),
        "{policies}"
    );
    // An expectation is evaluated as soon as it is accepted.
    let r = ok(&mut s, "expect cut: BB.widget.shortfall > 40%");
    assert!(r.output.contains("✓ passed"), "{}", r.output);
    let r = ok(&mut s, "expect BB.widget.shortfall > 40%");
    assert!(
        r.output.contains("✗ failed") && r.output.contains("actual 0.0%"),
        "{}",
        r.output
    );
}

/// A failing input: its rendered diagnostics.
fn fails(s: &mut Session, text: &str) -> String {
    let r = s.input(text);
    assert!(r.failed, "`{text}` was accepted:\n{}", r.output);
    assert!(r.output.is_empty());
    r.diagnostics
}

#[test]
fn a_scenario_prefix_that_names_no_scenario_is_an_unknown_scenario() {
    let mut s = tiny();
    ok(&mut s, "scenario cut {\n  AA bans widget to BB\n}");
    let d = fails(&mut s, "z: BB.widget.shortfall");
    assert!(d.contains("lode::E0205"), "{d}");
    assert!(d.contains("unknown scenario `z`"), "{d}");
    assert!(d.contains("the scenarios are: base, cut"), "{d}");
    let d = fails(&mut s, "cutt: BB.widget.shortfall");
    assert!(d.contains("did you mean `cut`?"), "{d}");
    // The label is on the name, not on the metric.
    assert!(
        d.contains("1 │ cutt: BB.widget.shortfall\n   · ──┬─"),
        "{d}"
    );
    // Arithmetic on a metric is refused in words, with or without a prefix.
    for text in [
        "cut: BB.widget.shortfall * 2",
        "BB.widget.shortfall * 2",
        "2 * BB.widget.shortfall",
    ] {
        let d = fails(&mut s, text);
        assert!(
            d.contains("a metric cannot be part of an expression")
                && d.contains("arithmetic on metrics is not supported"),
            "{text}: {d}"
        );
        assert!(!d.contains("E0205"), "{text}: {d}");
    }
    let d = fails(&mut s, "cutt: BB.widget.shortfall * 2");
    assert!(
        d.contains("did you mean `cut`?") && d.contains("arithmetic on metrics"),
        "{d}"
    );
    // Through `expect` as well.
    let d = fails(&mut s, "expect z: BB.widget.shortfall > 1%");
    assert!(d.contains("unknown scenario `z`"), "{d}");
}

#[test]
fn names_are_suggested_ignoring_case_and_aliases_compare_as_actors() {
    let mut s = tiny();
    let d = fails(&mut s, "AA restricts widget to bb");
    assert!(d.contains("did you mean `BB`?"), "{d}");
    let d = fails(&mut s, "AA restricts widget to Bland");
    assert!(
        d.contains(
            "actor names are codes like `BB` or lower-case aliases like `bland`; did you mean `bland`?"
        ),
        "{d}"
    );
    let d = fails(&mut s, "Aland restricts widget to BB");
    assert!(d.contains("did you mean `aland`?"), "{d}");
    // BB's top supplier is itself (53.3%, see above); an alias is an actor
    // on either side of the comparison.
    let r = ok(&mut s, "expect BB.widget.top_supplier == bland");
    assert!(r.output.contains("✓ passed"), "{}", r.output);
    let r = ok(&mut s, "expect bland.widget.top_supplier != aland");
    assert!(r.output.contains("✓ passed"), "{}", r.output);
    let d = fails(&mut s, "expect BB.widget.top_supplier == 50%");
    assert!(d.contains("a value, not an actor"), "{d}");
    // A stage where a mineral belongs.
    let d = fails(&mut s, "stockpile BB supply 60 days");
    assert!(
        d.contains("`supply` is a stage of `widget`, not a mineral")
            && d.contains("stockpiles are per mineral: `stockpile BB widget 60 days`"),
        "{d}"
    );
    // An empty session has no world2024: the help says so.
    let d = fails(&mut s, "CN restricts widget to BB");
    assert!(
        d.contains("world2024 is not loaded; add `use world2024` or declare `actor CN`"),
        "{d}"
    );
}

#[test]
fn table_selects_rows_through_the_checker() {
    let mut s = tiny();
    ok(&mut s, "AA restricts widget to BB by 40%");
    let all = ok(&mut s, ":table").output;
    assert!(all.contains("scenario base"), "{all}");
    assert!(all.contains("AA") && all.contains("BB"), "{all}");
    let one = ok(&mut s, ":table for BB on widget").output;
    assert!(one.contains("18.7%"), "{one}");
    let actors: Vec<&str> = one
        .lines()
        .filter_map(|l| l.split_whitespace().nth(1))
        .collect();
    assert!(actors.contains(&"BB") && !actors.contains(&"AA"), "{one}");
    let r = s.input(":table for CC");
    assert!(r.failed);
    assert!(r.diagnostics.contains(":table for CC"), "{}", r.diagnostics);
    // The table command never changes the session.
    assert_eq!(ok(&mut s, ":table").output, all);
    assert!(s.input(":table nowhere").failed);
}

/// Renders what `lode run FILE` prints for the base scenario.
fn run_base_table(path: &std::path::Path) -> String {
    let compiled = match pipeline::compile(
        Input::File(path),
        &lode::loader::FsLoader::for_file(path, None),
    ) {
        Ok(c) => c,
        Err(_) => panic!("the saved file does not check"),
    };
    let mut results = eval::evaluate(
        &compiled.checked,
        &compiled.sources,
        &EvalOptions {
            only: Some(lode::program::ScenarioId::BASE),
            ..EvalOptions::default()
        },
    )
    .results;
    results.comparisons.clear();
    results.expectations.clear();
    report::render(
        &results,
        Format::Table,
        &RenderOptions {
            color: false,
            width: Some(120),
        },
    )
}

fn write_file(path: &std::path::Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| e.to_string())
}

#[test]
fn save_then_load_reproduces_the_tables() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("session.lode");
    let mut s = tiny();
    // The session asks its host to write; this host writes plainly.
    s.saver = Box::new(write_file);
    ok(&mut s, "let cut = 40%");
    ok(&mut s, "AA restricts widget to BB by cut");
    assert!(s.input("AA restricts widgit to BB").failed);
    ok(&mut s, "scenario cut {\n  AA bans widget to BB\n}");
    let base = ok(&mut s, ":table").output;
    let block = ok(&mut s, ":table cut").output;
    let r = ok(&mut s, &format!(":save {}", path.display()));
    assert!(r.output.contains("saved 5 inputs"), "{}", r.output);
    let saved = std::fs::read_to_string(&path).expect("saved file");
    assert_eq!(saved, s.text());
    assert!(
        !saved.contains("widgit"),
        "failed inputs are not saved:\n{saved}"
    );

    // Loaded into a fresh session…
    let mut fresh = Session::new(Start::Empty).expect("empty");
    ok(&mut fresh, &format!(":load {}", path.display()));
    assert_eq!(ok(&mut fresh, ":table").output, base);
    assert_eq!(ok(&mut fresh, ":table cut").output, block);
    // …or started from it…
    let mut from_file = Session::new(Start::File(path.clone())).expect("file start");
    assert_eq!(ok(&mut from_file, ":table").output, base);
    // …or run with `lode run`: the same base table.
    assert_eq!(run_base_table(&path), base);
}

#[test]
fn the_world_session_saves_a_runnable_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("seed.lode");
    let mut s = Session::new(Start::World).expect("world");
    s.saver = Box::new(write_file);
    let r = ok(
        &mut s,
        "coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP",
    );
    assert!(
        r.diagnostics.contains("W0301"),
        "the covers claim is checked: {}",
        r.diagnostics
    );
    let table = ok(&mut s, ":table").output;
    ok(&mut s, &format!(":save {}", path.display()));
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("use world2024\n")
    );
    assert_eq!(run_base_table(&path), table);
}

#[test]
fn completion_offers_names_metrics_and_commands() {
    let mut s = Session::new(Start::World).expect("world");
    ok(
        &mut s,
        "scenario japan_cutoff {\n  china restricts rare_earths to JP\n}",
    );
    let v = s.vocabulary();
    let words = |line: &str| match complete(&v, line, line.len()) {
        Completion::Words { start, candidates } => (start, candidates),
        Completion::File => panic!("`{line}` completed as a file"),
    };
    assert_eq!(words("JP.rare_e"), (0, vec!["JP.rare_earths".to_string()]));
    let (start, metrics) = words("x JP.rare_earths.");
    assert_eq!(start, 2);
    assert!(
        metrics.contains(&"JP.rare_earths.shortfall".to_string()),
        "{metrics:?}"
    );
    assert_eq!(metrics.len(), 10);
    let (_, suppliers) = words("JP.rare_earths.dependency.");
    assert!(
        suppliers.contains(&"JP.rare_earths.dependency.CN".to_string()),
        "{suppliers:?}"
    );
    assert!(
        suppliers.contains(&"JP.rare_earths.dependency.ROW".to_string()),
        "{suppliers:?}"
    );
    assert_eq!(
        words("JP.rare_earths.output.ref").1,
        vec!["JP.rare_earths.output.refining".to_string()]
    );
    assert_eq!(
        words("china restricts rare_earths.mi").1,
        vec!["rare_earths.mining".to_string()]
    );
    assert_eq!(words(":sh").1, vec![":show".to_string()]);
    assert_eq!(words(":show p").1, vec!["policies".to_string()]);
    assert!(words("japan_").1.contains(&"japan_cutoff".to_string()));
    assert!(words("chi").1.contains(&"china".to_string()));
    assert!(words("restr").1.contains(&"restricts".to_string()));
    assert!(words("G").1.contains(&"G7".to_string()));
    assert!(words(":table for J").1.contains(&"JP".to_string()));
    assert_eq!(complete(&v, ":save /tm", 9), Completion::File);
}

#[test]
fn unknown_commands_suggest_the_right_one() {
    let mut s = tiny();
    let r = s.input(":tabel");
    assert!(r.failed);
    assert!(
        r.diagnostics.contains("did you mean `:table`"),
        "{}",
        r.diagnostics
    );
    assert!(s.input(":show things").failed);
    assert!(ok(&mut s, ":help").output.contains(":table"));
    assert!(ok(&mut s, ":quit").quit);
}

fn pipe(args: &[&str], stdin: &str) -> (String, String, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LODE_HISTORY", "/nonexistent/never-written")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lode runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn in_a_pipe_it_prints_values_without_banner_or_prompts() {
    let (out, err, code) = pipe(&["repl"], "JP.rare_earths.shortfall\n");
    assert_eq!((out.as_str(), err.as_str(), code), ("0.0%\n", "", 0));

    let input = "actor AA, BB\nmineral widget {\n  supply: AA 60%, BB 40%\n  demand: AA 25%, BB 75%\n}\n\
                 scenario cut {\n  AA restricts widget to BB by 40%\n}\ncut: BB.widget.shortfall\n";
    let (out, err, code) = pipe(&["repl", "--empty"], input);
    assert_eq!((out.as_str(), err.as_str(), code), ("18.7%\n", "", 0));

    let (out, err, code) = pipe(
        &["repl"],
        "JP.rare_earth.shortfall\nJP.rare_earths.demand\n",
    );
    assert_eq!(code, 1, "a failed input fails the run");
    assert!(err.contains("did you mean `rare_earths`"), "{err}");
    assert!(out.ends_with("%\n") && !out.contains("lode>"), "{out}");
}

/// `:load` shows each expectation of the file with its scenario and result.
#[test]
fn load_prints_each_expectation_with_its_scenario() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("e.lode");
    // BB imports 35 of its 75 from AA; a 40% cut removes 0.4·35 = 14:
    // shortfall 14/75 = 18.67%.
    std::fs::write(
        &path,
        "scenario cut {\n  AA restricts widget to BB by 40%\n}\n\
         expect cut: BB.widget.shortfall > 18%\nexpect BB.widget.shortfall > 1%\n",
    )
    .expect("written");
    let mut s = tiny();
    let r = ok(&mut s, &format!(":load {}", path.display()));
    assert!(
        r.output
            .contains("✓ passed [cut]: BB.widget.shortfall > 18% (actual 18.7%)"),
        "{}",
        r.output
    );
    assert!(
        r.output
            .contains("✗ failed [base]: BB.widget.shortfall > 1% (actual 0.0%)"),
        "{}",
        r.output
    );
}
