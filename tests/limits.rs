//! Resource limits (SPEC §6, issue 8): hostile input gets a diagnostic with
//! a stable code and the right exit code — 1 for content, 2 for I/O and
//! usage — never a panic, a hang or a stack overflow.
//!
//! Most tests run the real binary, because a stack overflow aborts the
//! process and only the binary's exit status shows it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lode::check::{
    MAX_ACTORS, MAX_GROUP_MEMBERS, MAX_MINERALS, MAX_SCENARIOS, MAX_STAGES, MAX_STATEMENTS,
};
use lode::syntax::limits::{MAX_DEPTH, MAX_EXPR_DEPTH, MAX_FILE_BYTES};

/// Kill the binary after this long: a hang is a failure, not a stuck CI.
const BOUND: Duration = Duration::from_secs(60);

fn lode(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lode");
    let feeder = stdin.map(|bytes| {
        let mut pipe = child.stdin.take().expect("stdin");
        let bytes = bytes.to_vec();
        // lode may stop reading early (too large); a broken pipe is fine.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        })
    });
    let out = wait_bounded(child);
    if let Some(f) = feeder {
        let _ = f.join();
    }
    out
}

fn wait_bounded(mut child: std::process::Child) -> Output {
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lode did not finish within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Output {
        status,
        stdout: out_reader.join().unwrap_or_default(),
        stderr: err_reader.join().unwrap_or_default(),
    }
}

/// Asserts the exit code and that stderr names `code`, with no panic.
#[track_caller]
fn expect(out: &Output, exit: i32, code: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "lode panicked:\n{err}");
    assert!(
        !err.contains("has overflowed its stack"),
        "lode overflowed its stack:\n{err}"
    );
    assert_eq!(
        out.status.code(),
        Some(exit),
        "exit status {:?}, expected {exit}; stderr:\n{}",
        out.status,
        prefix(&err, 3000)
    );
    assert!(
        err.contains(code),
        "stderr does not name {code}:\n{}",
        prefix(&err, 3000)
    );
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

fn write(dir: &Path, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write fixture");
    path
}

fn run_file(path: &Path) -> Output {
    lode(&["run", path.to_str().expect("UTF-8 path")], None)
}

fn run_text(text: &str) -> Output {
    lode(&["run", "-"], Some(text.as_bytes()))
}

// ---------------------------------------------------------------- nesting

#[test]
fn ten_thousand_open_parentheses() {
    let text = format!("let x = {}1", "(".repeat(10_000));
    expect(&run_text(&text), 1, "lode::E0104");
}

#[test]
fn ten_thousand_balanced_parentheses() {
    let text = format!("let x = {}1{}", "(".repeat(10_000), ")".repeat(10_000));
    expect(&run_text(&text), 1, "lode::E0104");
}

/// The REPL asks whether a line is complete before parsing it, and the
/// formatter's hints re-parse pieces of a failed file: neither may hand
/// pest more nesting than the limit (it recurses once per bracket, on a
/// test thread's 2 MiB stack).
#[test]
fn deep_nesting_in_the_repl_and_hints_is_refused_not_recursed() {
    let deep = format!("let x = {}1", "(".repeat(200_000));
    assert!(!lode::syntax::is_incomplete(&deep));
    let deep_block = format!("scenario s {}", "{ (".repeat(100_000));
    assert!(!lode::syntax::is_incomplete(&deep_block));
    let err = lode::syntax::parse_repl(&deep, lode::source::SourceId(0)).unwrap_err();
    assert_eq!(err[0].code.as_str(), "lode::E0104");
}

#[test]
fn parentheses_at_the_limit_are_fine() {
    let text = format!(
        "let x = {}1{}\nexpect base: JP.rare_earths.demand >= 0",
        "(".repeat(MAX_DEPTH),
        ")".repeat(MAX_DEPTH)
    );
    let out = run_text(&text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ten_thousand_unary_minus_signs() {
    let text = format!("let x = {}1", "-".repeat(10_000));
    expect(&run_text(&text), 1, "lode::E0104");
}

#[test]
fn minus_signs_inside_parentheses_inside_minus_signs() {
    // 60 levels of `-(-(…))`, each with 60 minus signs: under both limits
    // on their own, 3,600 deep together.
    let unit = format!("{}(", "-".repeat(60));
    let text = format!("let x = {}1{}", unit.repeat(60), ")".repeat(60));
    expect(&run_text(&text), 1, "lode::E0104");
}

#[test]
fn a_long_chain_of_operators_is_not_nesting() {
    // A flat `1+1+…` is read left to right, and folded into a shallow tree
    // (runs of 32 terms, then runs of runs): long, but not deep.
    let text = format!(
        "let x = 1{}\nexpect base: JP.rare_earths.demand >= 0",
        "+1".repeat(200_000)
    );
    let out = run_text(&text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        prefix(&String::from_utf8_lossy(&out.stderr), 3000)
    );
    let text = format!(
        "let x = 1{}\nexpect base: JP.rare_earths.demand >= 0",
        "*1".repeat(200_000)
    );
    let out = run_text(&text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        prefix(&String::from_utf8_lossy(&out.stderr), 3000)
    );
}

/// An expression whose tree is `MAX_EXPR_DEPTH` deep plus `extra`: a chain
/// of 32 terms (depth 32, folded as written) inside four parenthesised runs
/// of 56 minus signs (4 × 56 = 224 levels more).
fn deepest_expression(extra: usize) -> String {
    assert_eq!(32 + 4 * 56, MAX_EXPR_DEPTH);
    let mut e = format!("1{}", " - 1".repeat(31));
    for level in 0..4 {
        let signs = 56 + if level == 0 { extra } else { 0 };
        e = format!("{}({e})", "-".repeat(signs));
    }
    e
}

#[test]
fn a_chain_of_operators_at_the_limit_evaluates() {
    let text = format!(
        "let x = {}\nexpect base: JP.rare_earths.demand >= 0",
        deepest_expression(0)
    );
    let out = run_text(&text);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = format!("let x = {}", deepest_expression(1));
    expect(&run_text(&text), 1, "lode::E0104");
}

#[test]
fn the_deepest_allowed_expression_fits_a_small_stack() {
    // The deepest tree the limits allow, checked on 2 MiB, the default stack
    // of a spawned thread (the CLI's main thread has 8 MiB). A debug build's
    // checker takes about 5 KiB per level.
    let text = format!("let x = {}\nlet y = x", deepest_expression(0));
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let r = lode::pipeline::compile(
                lode::pipeline::Input::Text { name: "deep", text },
                &lode::loader::FsLoader::for_text(None),
            );
            assert!(r.is_ok(), "the deepest allowed expression compiles");
        })
        .expect("spawn")
        .join()
        .expect("no stack overflow");
}

#[test]
fn blocks_a_hundred_deep() {
    let text = format!("{}{}", "scenario s {\n".repeat(100), "}\n".repeat(100));
    expect(&run_text(&text), 1, "lode::E0104");
}

#[test]
fn groups_nested_ten_thousand_deep() {
    let mut text = String::from("actor AA\n");
    for i in 0..10_000 {
        text.push_str(&format!("group g{i} = g{}\n", i + 1));
    }
    text.push_str("group g10000 = AA\n");
    expect(&run_text(&text), 1, "lode::E0104");
}

// ---------------------------------------------------------------- size and bytes

fn seventeen_mib() -> Vec<u8> {
    let line = b"# padding padding padding padding padding padding padding padding\n";
    let mut v = Vec::with_capacity(17 << 20);
    while v.len() < 17 << 20 {
        v.extend_from_slice(line);
    }
    assert!(v.len() > MAX_FILE_BYTES);
    v
}

#[test]
fn a_17_mib_file() {
    let dir = temp_dir();
    let path = write(dir.path(), "big.lode", seventeen_mib());
    expect(&run_file(&path), 1, "lode::E0102");
    expect(
        &lode(&["check", path.to_str().expect("UTF-8")], None),
        1,
        "lode::E0102",
    );
}

#[test]
fn a_17_mib_stdin() {
    expect(
        &lode(&["run", "-"], Some(&seventeen_mib())),
        1,
        "lode::E0102",
    );
}

#[test]
fn a_17_mib_file_used_by_another() {
    let dir = temp_dir();
    write(dir.path(), "big.lode", seventeen_mib());
    let main = write(dir.path(), "main.lode", "use \"big.lode\"\n");
    expect(&run_file(&main), 1, "lode::E0102");
}

#[test]
fn a_number_with_400_digits() {
    let text = format!("let x = {}", "9".repeat(400));
    expect(&run_text(&text), 1, "lode::E0105");
    let text = format!("let x = 0.{}1%", "0".repeat(400));
    expect(&run_text(&text), 1, "lode::E0105");
}

#[test]
fn a_value_that_overflows() {
    let big = "9".repeat(39);
    let text =
        format!("let x = {big} * {big} * {big} * {big} * {big} * {big} * {big} * {big} * {big}");
    expect(&run_text(&text), 1, "lode::E0105");
}

#[test]
fn random_bytes() {
    // A fixed xorshift stream: the same bytes every run.
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let bytes: Vec<u8> = (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    let dir = temp_dir();
    let path = write(dir.path(), "noise.lode", &bytes);
    expect(&run_file(&path), 1, "lode::E0103");
    expect(&lode(&["run", "-"], Some(&bytes)), 1, "lode::E0103");
}

#[test]
fn a_nul_byte() {
    let dir = temp_dir();
    let path = write(dir.path(), "nul.lode", b"let x = 1\0\n");
    expect(&run_file(&path), 1, "lode::E0103");
    expect(
        &lode(&["run", "-"], Some(b"let x = 1\0\n")),
        1,
        "lode::E0103",
    );
    // `-e` text cannot hold a NUL (the OS refuses it), so through the library.
    let failed = lode::pipeline::compile(
        lode::pipeline::Input::Text {
            name: "<expr>",
            text: "let x = 1\0".into(),
        },
        &lode::loader::FsLoader::for_text(None),
    )
    .err()
    .expect("a NUL byte is an error");
    assert_eq!(failed.diags[0].code, lode::diagnostic::Code::NotText);
}

#[test]
fn invalid_utf8() {
    let dir = temp_dir();
    let path = write(dir.path(), "latin1.lode", b"actor FR \"Fran\xe7ais\"\n");
    let out = run_file(&path);
    expect(&out, 1, "lode::E0103");
    assert!(String::from_utf8_lossy(&out.stderr).contains("UTF-8"));
    expect(
        &lode(&["run", "-"], Some(b"actor FR \"Fran\xe7ais\"\n")),
        1,
        "lode::E0103",
    );
}

#[test]
fn a_very_long_line_with_an_error_at_its_end() {
    // A label beyond column 65,535 used to panic inside miette.
    let text = format!("let x = 1{} @", " ".repeat(70_000));
    expect(&run_text(&text), 1, "lode::E0101");
}

// ---------------------------------------------------------------- not a file

#[test]
fn a_directory() {
    let dir = temp_dir();
    expect(&run_file(dir.path()), 2, "lode::E0602");
    // check and test take directories, and refuse one with nothing to read.
    for cmd in ["check", "test"] {
        expect(
            &lode(&[cmd, dir.path().to_str().expect("UTF-8")], None),
            2,
            "no `*.lode` file below",
        );
    }
}

#[test]
fn a_fifo_does_not_hang() {
    let dir = temp_dir();
    let fifo = dir.path().join("pipe.lode");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("mkfifo unavailable; skipped");
        return;
    }
    // Nobody ever writes to the FIFO: opening it for reading would block.
    let started = Instant::now();
    expect(&run_file(&fifo), 2, "lode::E0602");
    assert!(started.elapsed() < Duration::from_secs(10));
    // Nor through `use`.
    let main = write(dir.path(), "main.lode", "use \"pipe.lode\"\n");
    expect(&run_file(&main), 1, "lode::E0602");
}

/// `lode test DIR` with symbolic links back up the tree: the walk followed
/// them round and round (2^40 paths before the OS said ELOOP): a hang.
#[cfg(unix)]
#[test]
fn lode_test_on_a_directory_with_symlink_loops_finishes() {
    let dir = temp_dir();
    let d = dir.path().join("d");
    std::fs::create_dir(&d).expect("mkdir");
    std::os::unix::fs::symlink("..", d.join("up1")).expect("symlink");
    std::os::unix::fs::symlink("..", d.join("up2")).expect("symlink");
    std::os::unix::fs::symlink(".", d.join("here")).expect("symlink");
    write(&d, "t.lode", "expect base: JP.rare_earths.demand >= 0\n");
    let out = lode(&["test", d.to_str().expect("UTF-8")], None);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("1 passed"), "{all}");
}

#[test]
fn a_missing_file() {
    let dir = temp_dir();
    expect(&run_file(&dir.path().join("nope.lode")), 2, "lode::E0602");
    let main = write(dir.path(), "main.lode", "use \"nope.lode\"\n");
    expect(&run_file(&main), 1, "lode::E0602");
}

#[test]
fn usage_errors_exit_2() {
    let out = lode(&["run"], None);
    assert_eq!(out.status.code(), Some(2));
    let out = lode(&["run", "--format", "pdf", "x.lode"], None);
    assert_eq!(out.status.code(), Some(2));
}

// ---------------------------------------------------------------- counts

/// `n` three-letter codes: AAA, AAB, …
fn codes(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let l = |k: usize| char::from(b'A' + (k % 26) as u8);
            format!("{}{}{}", l(i / 676), l(i / 26), l(i))
        })
        .collect()
}

fn declare(codes: &[String]) -> String {
    codes
        .chunks(50)
        .map(|c| format!("actor {}\n", c.join(", ")))
        .collect()
}

#[test]
fn too_many_actors() {
    // ROW is always declared, so MAX_ACTORS codes are one too many.
    let text = declare(&codes(MAX_ACTORS));
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn too_many_scenarios() {
    let text: String = (0..MAX_SCENARIOS)
        .map(|i| format!("scenario s{i} {{ }}\n"))
        .collect();
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn too_many_statements() {
    let text = "rerouting 10%\n".repeat(MAX_STATEMENTS + 1);
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn too_many_stages() {
    let stages: Vec<String> = (0..=MAX_STAGES).map(|i| format!("s{i}")).collect();
    let text = format!(
        "actor AA\nmineral m {{\n  stages {}\n}}\n",
        stages.join(", ")
    );
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn too_many_minerals() {
    let text: String = std::iter::once("actor AA\n".to_string())
        .chain((0..=MAX_MINERALS).map(|i| format!("mineral m{i} {{ }}\n")))
        .collect();
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn groups_holding_too_many_members() {
    let cs = codes(9_000);
    let mut text = declare(&cs);
    text.push_str(&format!("group g0 = {}\n", cs.join(" + ")));
    let copies = MAX_GROUP_MEMBERS / cs.len() + 1;
    for i in 1..=copies {
        text.push_str(&format!("group g{i} = g0\n"));
    }
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn a_group_repeated_a_million_times_is_cheap() {
    // `G7 + G7 + …` must cost one G7, not a million.
    let text = format!("group big = G7{}\n", " + G7".repeat(1_000_000));
    let started = Instant::now();
    let out = run_text(&text);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "{err}"
    );
    assert!(!err.contains("panicked"));
    eprintln!("a million group references: {:?}", started.elapsed());
}

#[test]
fn restrictions_naming_too_many_flows() {
    let cs = codes(9_000);
    let mut text = declare(&cs);
    text.push_str("mineral m {\n  a: AAA 50%\n  demand: AAB 50%\n}\n");
    text.push_str(&"AAA restricts m to all by 1%\n".repeat(2_000));
    expect(&run_text(&text), 1, "lode::E0106");
}

#[test]
fn results_too_large_for_the_memory_budget() {
    // One mineral of 9,000 producers and consumers and 20 scenarios: 180,000
    // rows, each listing up to 1,000 suppliers (every share is 0.011%, over
    // the 0.01% the budget counts), about 40 bytes each: over 7 GB of
    // results against the 4 GiB default.
    let cs = codes(9_000);
    let share = 99.0 / cs.len() as f64;
    let list: Vec<String> = cs.iter().map(|c| format!("{c} {share:.6}%")).collect();
    let mut text = format!(
        "{}mineral m {{\n  supply: {}\n  demand: {}\n}}\n",
        declare(&cs),
        list.join(", "),
        list.join(", ")
    );
    for i in 1..20 {
        text.push_str(&format!("scenario s{i} {{ }}\n"));
    }
    let out = run_text(&text);
    expect(&out, 1, "lode::E0106");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--max-memory"), "{err}");
}

// ---------------------------------------------------------------- large but allowed

/// Runs the library pipeline and returns how long evaluation took.
fn evaluate(text: String) -> (usize, Duration) {
    let compiled = match lode::pipeline::compile(
        lode::pipeline::Input::Text {
            name: "large",
            text,
        },
        &lode::loader::FsLoader::for_text(None),
    ) {
        Ok(c) => c,
        Err(f) => panic!(
            "the program should be allowed:\n{}",
            lode::diagnostic::render_all(&f.diags, &f.sources, lode::diagnostic::Style::plain())
        ),
    };
    let started = Instant::now();
    let ev = lode::eval::evaluate(
        &compiled.checked,
        &compiled.sources,
        &lode::eval::EvalOptions::default(),
    );
    let json = lode::report::render(
        &ev.results,
        lode::report::Format::Json,
        &lode::report::RenderOptions::default(),
    );
    assert!(json.ends_with('\n'));
    (compiled.checked.scenarios.len(), started.elapsed())
}

#[test]
fn the_largest_market_evaluates() {
    // One mineral of 999 actors, with trade at every stage
    // (producers and consumers are different actors), a restriction and
    // both rerouting rules.
    let n = 999;
    let cs = codes(n - 1); // and ROW
    let (a, b) = cs.split_at(cs.len() / 2);
    let line = |set: &[String]| {
        let share = 99.0 / set.len() as f64;
        set.iter()
            .map(|c| format!("{c} {share:.6}%"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "{}mineral m {{\n  stages mining, refining\n  mining: {}\n  refining: {}\n  demand: {}\n}}\n\
         coalition c = {}\nreport for c on m\n\
         scenario cut {{ {} restricts m to all by 50%\n allocation market }}\n\
         scenario first {{ disrupt {} m by 50%\n allocation coalition_first }}\n",
        declare(&cs),
        line(a),
        line(b),
        line(a),
        b[..b.len() / 2].join(" + "),
        a[0],
        b[0],
    );
    let (scenarios, took) = evaluate(text);
    eprintln!("{n} actors, {scenarios} scenarios: {took:?}");
}

#[test]
fn the_most_scenarios_evaluate() {
    let mut text =
        String::from("use world2024\nscenario s0 { CN restricts rare_earths to JP by 10% }\n");
    for i in 1..MAX_SCENARIOS - 1 {
        text.push_str(&format!(
            "scenario s{i} extends s{} {{ CN restricts graphite to US by 1% }}\n",
            i - 1
        ));
    }
    text.push_str("report for JP, US on rare_earths, graphite\n");
    let (scenarios, took) = evaluate(text);
    assert_eq!(scenarios, MAX_SCENARIOS);
    eprintln!("{scenarios} scenarios: {took:?}");
}

/// At most `n` bytes of `s`, cut at a character boundary.
fn prefix(s: &str, n: usize) -> &str {
    let end = (0..=n.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    &s[..end]
}
