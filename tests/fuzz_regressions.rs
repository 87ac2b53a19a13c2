//! Every input that crashed, hung or exhausted lode, found by fuzzing
//! (`fuzz/`), mutation testing (`tests/mutation.rs`) or by hand while
//! hardening for issue 8, kept so it stays fixed. Each test says what the
//! input did and where it was fixed.
//!
//! Small inputs live as files in `tests/fuzz_regressions/` (a fuzzer's
//! minimised artifact goes there as it is); inputs that are large by nature
//! are generated here. Everything runs through the real binary: a stack
//! overflow aborts the process, which only its exit status shows.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: these ran for minutes or forever before their fix.
const BOUND: Duration = Duration::from_secs(60);

/// Runs `lode run FILE --format json`, under a 2 GB address-space limit
/// where `sh` can set one, killed after [`BOUND`].
fn run(path: &Path) -> (Output, Duration) {
    let lode = env!("CARGO_BIN_EXE_lode");
    let limited = Command::new("sh")
        .arg("-c")
        .arg("ulimit -v 2000000 2>/dev/null; exec \"$0\" run \"$1\" --format json")
        .arg(lode)
        .arg(path)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn();
    let child = match limited {
        Ok(c) => c,
        Err(_) => Command::new(lode)
            .args(["run", &path.to_string_lossy(), "--format", "json"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start lode"),
    };
    bounded(child)
}

fn bounded(mut child: std::process::Child) -> (Output, Duration) {
    let mut stderr = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stderr, &mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > BOUND {
            let _ = child.kill();
            let _ = child.wait();
            panic!("lode did not finish within {BOUND:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = started.elapsed();
    let out = Output {
        status,
        stdout: Vec::new(),
        stderr: reader.join().unwrap_or_default(),
    };
    (out, took)
}

/// Writes `text` to a temporary file and runs it; asserts exit 0 or 1, no
/// panic, and (when given) the diagnostic code.
#[track_caller]
fn assert_handled(text: &str, code: Option<&str>) -> Duration {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("input.lode");
    std::fs::write(&path, text).expect("write");
    check(&path, code)
}

#[track_caller]
fn check(path: &Path, code: Option<&str>) -> Duration {
    let (out, took) = run(path);
    let err = String::from_utf8_lossy(&out.stderr);
    let head = prefix(&err, 2000);
    assert!(
        !err.contains("panicked"),
        "{}: panicked:\n{head}",
        path.display()
    );
    assert!(
        !err.contains("has overflowed its stack"),
        "{}: stack overflow",
        path.display()
    );
    assert!(
        !err.contains("memory allocation"),
        "{}: out of memory:\n{head}",
        path.display()
    );
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}: exit {:?}\n{head}",
        path.display(),
        out.status
    );
    if let Some(code) = code {
        assert!(
            err.contains(code),
            "{}: expected {code}:\n{head}",
            path.display()
        );
    }
    took
}

/// Three-letter actor codes AAA, AAB, … and their declaration.
fn actors(n: usize) -> (Vec<String>, String) {
    let codes: Vec<String> = (0..n)
        .map(|i| {
            let l = |k: usize| char::from(b'A' + (k % 26) as u8);
            format!("{}{}{}", l(i / 676), l(i / 26), l(i))
        })
        .collect();
    let decl = codes
        .chunks(50)
        .map(|c| format!("actor {}\n", c.join(", ")))
        .collect();
    (codes, decl)
}

#[test]
fn saved_inputs_are_handled() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_none_or(|x| x != "md"));
    files.sort();
    for f in &files {
        check(f, None);
    }
    eprintln!("{} saved inputs", files.len());
}

/// `let x = 1+1+…+1`: the pre-scan sees no nesting, but lowering built a
/// left-deep tree 200,000 levels deep and `check::values::eval` overflowed
/// the stack (SIGABRT). First fixed by refusing trees deeper than
/// `MAX_EXPR_DEPTH` (E0104), which refused a flat sum of 300 terms too;
/// now `syntax::lower` (`Lowerer::chain`) folds a long chain into a tree
/// of logarithmic depth, and the chain is accepted.
#[test]
fn a_long_operator_chain_overflowed_the_stack() {
    for text in [
        format!("let x = 1{}\n", "+1".repeat(200_000)),
        format!("let x = 2{}\n", "/1".repeat(200_000)),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("input.lode");
        std::fs::write(&path, text).expect("write");
        let (out, _) = run(&path);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{}", prefix(&err, 2000));
    }
}

/// `group g0 = g1`, `group g1 = g2`, … 9,000 deep: `Checker::expand_group`
/// recursed once per level and overflowed the stack. Fixed in
/// `check::world` (`expand_group`): groups nested deeper than 64 are E0104.
#[test]
fn a_deep_chain_of_groups_overflowed_the_stack() {
    let mut text = String::from("actor AA\n");
    for i in 0..9_000 {
        text.push_str(&format!("group g{i} = g{}\n", i + 1));
    }
    text.push_str("group g9000 = AA\n");
    assert_handled(&text, Some("lode::E0104"));
}

/// An error past column 65,535 of one line: miette pads with the column as
/// a format width, which Rust caps at `u16::MAX` — "Formatting argument out
/// of range" panic while printing the diagnostic. Found with a generated
/// coalition of 5,000 members on one line. Fixed in `diagnostic` (now
/// `Excerpt`): a long line is shown as a window around the label.
#[test]
fn a_label_far_into_a_long_line_panicked_in_miette() {
    assert_handled(
        &format!("let x = 1{} @\n", " ".repeat(70_000)),
        Some("lode::E0101"),
    );
    let (_, decl) = actors(1);
    let text = format!(
        "{decl}coalition c = AAA{} + NOPE\n",
        " + AAA".repeat(12_000)
    );
    assert_handled(&text, Some("lode::E0201"));
}

/// 9,000 actors, `group g0 =` all of them, then thousands of `group gN =
/// g0`: every group held 9,000 members, gigabytes in all (killed at 4 GB).
/// Fixed in `check::world` (`expand_group`): all groups together hold at
/// most `MAX_GROUP_MEMBERS` (E0106), and `g0 + g0 + …` is expanded once.
#[test]
fn groups_of_a_large_group_exhausted_memory() {
    let (codes, decl) = actors(9_000);
    let mut text = decl;
    text.push_str(&format!("group g0 = {}\n", codes.join(" + ")));
    for i in 1..20_000 {
        text.push_str(&format!("group g{i} = g0\n"));
    }
    assert_handled(&text, Some("lode::E0106"));
}

/// 9,000 actors and 20,000 × `AAA restricts m to all`: each restriction
/// stored 9,000 importers (gigabytes), and `all except …` scanned the
/// exclusions linearly. Fixed in `check::stmts` (`restrict`): at most
/// `MAX_RESTRICTED_FLOWS` restricted flows (E0106), binary search for
/// exclusions.
#[test]
fn restrictions_to_all_exhausted_memory() {
    let (_, decl) = actors(9_000);
    let text = format!(
        "{decl}mineral m {{\n  supply: AAA 50%\n  demand: AAB 50%\n}}\n{}",
        "AAA restricts m to all except AAC + AAD by 1%\n".repeat(20_000)
    );
    assert_handled(&text, Some("lode::E0106"));
}

/// 190,000 restrictions in base, inherited by 990 scenarios: evaluation
/// assembled every scenario's statements at once (5 GB, killed). Fixed in
/// `eval::budget` (`assembled_size`): the statements all scenarios apply are
/// limited to `MAX_ASSEMBLED` (E0106), checked by `pipeline::compile`.
#[test]
fn inherited_statements_exhausted_memory() {
    let mut text =
        String::from("actor AA, BB\nmineral m {\n  supply: AA 60%\n  demand: BB 50%\n}\n");
    text.push_str(&"AA restricts m to BB by 1%\n".repeat(190_000));
    for i in 0..990 {
        text.push_str(&format!("scenario s{i} {{ }}\n"));
    }
    assert_handled(&text, Some("lode::E0106"));
}

/// One mineral with 10,000 actors trading at every stage: the model holds
/// actor × actor tables (2.7 GB, 21 s for three scenarios). Fixed in
/// `eval::budget` (`check`): the sum over minerals of (actors taking part)²
/// is limited to `MAX_MARKET_PAIRS` per scenario (E0106).
#[test]
fn a_market_of_ten_thousand_actors_exhausted_memory() {
    let (codes, decl) = actors(9_998);
    let (a, b) = codes.split_at(codes.len() / 2);
    let line = |set: &[String]| {
        let share = 90.0 / set.len() as f64;
        set.iter()
            .map(|c| format!("{c} {share:.6}%"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let text = format!(
        "{decl}mineral m {{\n  stages mining, refining\n  mining: {}\n  refining: {}\n  demand: {}\n}}\n\
         scenario cut {{ AAA restricts m to all by 50% }}\n",
        line(a),
        line(b),
        line(a)
    );
    assert_handled(&text, Some("lode::E0106"));
}

/// 100 scenarios × 1,000 minerals × 150,000 expectations took 100 s: each
/// (scenario, mineral) scanned every expectation, and every expectation's
/// line number was counted from the start of a 5 MB file. Fixed in
/// `eval::evaluate_with_progress` (expectations indexed by scenario and
/// mineral) and `source::SourceMap::line` (line starts computed once).
#[test]
fn many_expectations_took_minutes() {
    let mut text = String::from("actor AA, BB\n");
    for i in 0..300 {
        text.push_str(&format!(
            "mineral m{i} {{\n  supply: AA 60%\n  demand: BB 50%\n}}\n"
        ));
    }
    text.push_str("report for AA on m0\n");
    for i in 0..30 {
        text.push_str(&format!("scenario s{i} {{ report for AA on m0\n }}\n"));
    }
    for i in 0..30_000 {
        text.push_str(&format!(
            "expect s{}: AA.m{}.demand >= 0\n",
            i % 30,
            i % 300
        ));
    }
    let took = assert_handled(&text, None);
    eprintln!("30,000 expectations: {took:?}");
}

/// Found by the `structured` fuzzer (Bulk item): one `coalition` line of
/// 36,000 names, undeclared because the file declares its own world: 22 s
/// in the fuzz build. Each error copied the whole source into its snippet
/// (`diagnostic::build`), measured its 183 KB line byte by byte
/// (`far_out`, since replaced by `Excerpt`) and searched every declared
/// name for "did you mean", and the CLI grouped repeats with a linear scan. Fixed: sources are shared
/// (`Arc<str>`), lines looked up in `SourceFile::line_at`, "did you mean"
/// skips names of another length and has a per-check budget
/// (`diagnostic::limit_suggestions`), and one check reports at most
/// `MAX_DIAGNOSTICS` errors (`check::Checker::error`), then a count.
#[test]
fn a_line_of_thirty_thousand_unknown_names_took_seconds() {
    let names = ["JP", "CN", "US", "AU", "DE", "MY", "ZZ", "china"];
    let mut text =
        String::from("actor CN \"China\" alias china, prc\nactor QQ\ncoalition bulk = QQ");
    for i in 0..36_000 {
        text.push_str(" + ");
        text.push_str(names[i % names.len()]);
    }
    text.push('\n');
    let took = assert_handled(&text, Some("lode::E0201"));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// Found by the `structured` fuzzer: 85,000 lines of `expect X.rare_earths…`
/// in a file without `rare_earths`: a timeout (over 20 s). Same fixes.
#[test]
fn eighty_thousand_expectations_of_an_unknown_mineral_timed_out() {
    let mut text =
        String::from("actor CN, JP\nmineral m {\n  supply: CN 60%\n  demand: JP 30%\n}\n");
    for who in ["CN", "china", "ZZ", "JP", "ROW"]
        .iter()
        .cycle()
        .take(80_000)
    {
        text.push_str(&format!("expect {who}.rare_earths.demand >= 0\n"));
    }
    let took = assert_handled(&text, Some("lode::E0202"));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// Found by the `structured` fuzzer: six blocks of 65,535 expectations, a
/// 13.5 MB program of 393,000 statements, timed out: lode refused it with
/// E0106 only after parsing all of it (3.3 s in a release build, over 10 s
/// in the fuzz build). Now the pass before the parser counts the
/// statements and refuses the program there, pointing at the first one
/// over the limit.
#[test]
fn four_hundred_thousand_statements_were_parsed_before_being_refused() {
    let mut text = String::from(
        "actor CN, JP\nmineral m {\n  stages mining\n  volume 10 kt\n  \
         mining: CN 60%\n  demand: JP 30%\n}\n",
    );
    for _ in 0..6 * 65_535 {
        text.push_str("expect JP.m.demand >= 0\n");
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("input.lode");
    std::fs::write(&path, &text).expect("write");
    let (out, _) = run(&path);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{}", prefix(&err, 2000));
    assert!(err.contains("lode::E0106"), "{}", prefix(&err, 2000));
    assert!(
        err.contains("the program has more than 200000 statements"),
        "{}",
        prefix(&err, 2000)
    );
    assert!(err.contains("statement 200001 starts here"));
    // Seven lines of world hold 6 statements (`actor`, `mineral` and its
    // four lines; `}` is none), so expectation k is statement 6 + k on line
    // 7 + k: statement 200,001 is expectation 199,995, on line 200,002.
    assert!(
        err.contains("input.lode:200002:1"),
        "{}",
        prefix(&err, 2000)
    );
}

/// A name a megabyte long: "did you mean" compared it with every declared
/// name at quadratic cost (seconds per name). Fixed in
/// `diagnostic::suggest`: names whose lengths differ by more than 3 are
/// skipped.
#[test]
fn a_megabyte_long_name_was_slow_to_suggest_for() {
    let text = format!(
        "use world2024\nCN restricts rare_earths to {}\n",
        "a".repeat(1 << 20)
    );
    let took = assert_handled(&text, Some("lode::E0201"));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

/// At most `n` bytes of `s`, cut at a character boundary.
fn prefix(s: &str, n: usize) -> &str {
    let end = (0..=n.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    &s[..end]
}

/// Found by the `structured` fuzzer (Bulk item): 35,000 `actor` lines,
/// twice — 35,000 redefinitions (43 s in the fuzz build). Capped at
/// `MAX_DIAGNOSTICS`, each of the thousand shown still made miette scan the
/// 500 KB file from its start to find the line. Fixed in
/// `diagnostic::Windowed` (now `Excerpt`): miette reads only the lines
/// around the span, found with `SourceFile::line_starts`.
#[test]
fn seventy_thousand_lines_of_redefinitions_timed_out() {
    let decls: String = (0..35_000).map(|i| format!("actor X{i}\n")).collect();
    let text = format!("{decls}\n{decls}");
    let took = assert_handled(&text, Some("lode::E0207"));
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
