//! The command line as a user meets it: what `check`, `run` and `test` print,
//! where, and with which exit code.

use std::process::Command;

fn lode(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run lode");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `lode check` reports the warnings about the data that need the
/// equilibrium (here W0301: XA + XC demand 20% + 50% = 70%, not the 20%
/// claimed), still with nothing on stdout and exit 0.
#[test]
fn check_reports_data_warnings_and_exits_zero() {
    let (code, out, err) = lode(&["check", "tests/diagnostics/W0301_covers_mismatch.lode"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains("the data gives 70.0%"), "{err}");
}

/// `--scenario` shows that scenario and only its own comparison.
#[test]
fn run_one_scenario_shows_only_its_comparison() {
    let (code, out, err) = lode(&[
        "run",
        "scenarios/japan_2026.lode",
        "--scenario",
        "market_response",
    ]);
    assert_eq!(code, 0, "{err}");
    let headings: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("scenario ") || l.starts_with("compare "))
        .collect();
    assert_eq!(
        headings,
        [
            "scenario market_response",
            "compare market_response against base"
        ]
    );
}

/// A failed `-o` names the file asked for and what is wrong, not the
/// temporary file lode would have written first.
#[test]
fn unwritable_output_says_why_in_the_users_terms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let target = dir.path().join("missing").join("out.txt");
    let target = target.to_str().expect("UTF-8");
    let (code, _, err) = lode(&["run", "scenarios/seed.lode", "-o", target]);
    assert_eq!(code, 2);
    let missing = dir.path().join("missing");
    assert!(
        err.contains(&format!(
            "error: cannot write `{target}`: the directory `{}` does not exist",
            missing.display()
        )),
        "{err}"
    );
    assert!(!err.contains(".lode-"), "{err}");
}

/// `lode test --root` widens where `use "path"` may read, as for `run`.
#[test]
fn test_takes_a_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let shared = dir.path().join("shared.lode");
    std::fs::write(&shared, "let floor = 1%\n").expect("write");
    let sub = dir.path().join("checks");
    std::fs::create_dir(&sub).expect("mkdir");
    std::fs::write(
        sub.join("t.lode"),
        "use world2024\nuse \"../shared.lode\"\nexpect JP.rare_earths.demand > 1%\n",
    )
    .expect("write");
    let sub = sub.to_str().expect("UTF-8");
    // By default the root is the file's own directory: `..` leaves it.
    let (code, out, err) = lode(&["test", sub]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("lode::E0601"), "{err}");
    let root = dir.path().to_str().expect("UTF-8");
    let (code, out, err) = lode(&["test", sub, "--root", root]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out, "1 passed, 0 failed\n");
}

/// `lode check DIR` checks every `*.lode` below it, as `lode test DIR`
/// finds them: here the error is two directories down.
#[test]
fn check_takes_a_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = dir.path().join("a").join("b");
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(dir.path().join("fine.lode"), "let x = 1\n").expect("write");
    std::fs::write(deep.join("typo.lode"), "CN restricts rare_earht to JP\n").expect("write");
    std::fs::write(deep.join("notes.txt"), "not lode\n").expect("write");
    let (code, out, err) = lode(&["check", dir.path().to_str().expect("UTF-8")]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert_eq!(err.matches("lode::E0202").count(), 1, "{err}");
    assert!(err.contains("typo.lode:1:"), "{err}");
    // A clean directory checks clean.
    std::fs::remove_file(deep.join("typo.lode")).expect("rm");
    let (code, out, err) = lode(&["check", dir.path().to_str().expect("UTF-8")]);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

/// Below a directory, a file that only declares data is checked through
/// the files that use it (it relies on the `use world2024` they make), and
/// alone when none does; its mistakes are shown once.
#[test]
fn check_reaches_data_files_through_their_users() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write =
        |name: &str, text: &str| std::fs::write(dir.path().join(name), text).expect("write");
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 100%\n  demand: JP 100%\n}\n",
    );
    let user = "use world2024\nuse \"ore.lode\"\n";
    write("a.lode", user);
    write("b.lode", user);
    let path = dir.path().to_str().expect("UTF-8");
    let (code, _, err) = lode(&["check", path]);
    assert_eq!((code, err.as_str()), (0, ""));
    // Shares over 100% (100 + 5): one diagnostic, not one per user.
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 100%, AU 5%\n  demand: JP 100%\n}\n",
    );
    let (code, _, err) = lode(&["check", path]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("lode::E0301").count(), 1, "{err}");
    // With no user left, the data file is checked alone.
    std::fs::remove_file(dir.path().join("a.lode")).expect("rm");
    std::fs::remove_file(dir.path().join("b.lode")).expect("rm");
    write(
        "orphan.lode",
        "actor XA\nmineral m {\n  supply: XA 100%, XB 1%\n}\n",
    );
    let (code, _, err) = lode(&["check", path]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("unknown actor `XB`"), "{err}");
}

/// `--deny-warnings` turns any warning into exit code 1 and says so, on
/// `check`, `run` (whose output is still written) and `test`. The fixture
/// warns W0301: XA + XC demand 20% + 50% = 70%, not the 20% claimed.
#[test]
fn deny_warnings_fails_on_any_warning() {
    let warns = "tests/diagnostics/W0301_covers_mismatch.lode";
    let said = "error: 1 warning, and --deny-warnings makes any warning fail the run";
    let (code, _, err) = lode(&["check", warns]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = lode(&["check", "--deny-warnings", warns]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains(said), "{err}");

    let (code, out, err) = lode(&["run", warns, "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let (code, denied_out, err) = lode(&["run", warns, "--format", "csv", "--deny-warnings"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(said), "{err}");
    assert_eq!(denied_out, out, "the output is written all the same");

    // `lode test` shows warnings only when they are denied.
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(warns).expect("fixture");
    let file = dir.path().join("t.lode");
    std::fs::write(&file, format!("{text}\nexpect XA.ore.demand == 20%\n")).expect("write");
    let file = file.to_str().expect("UTF-8");
    let (code, out, err) = lode(&["test", file]);
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (0, "1 passed, 0 failed\n", "")
    );
    let (code, out, err) = lode(&["test", file, "--deny-warnings"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(out, "1 passed, 0 failed\n");
    assert!(err.contains("lode::W0301"), "{err}");
    assert!(err.contains(said), "{err}");
    // Clean files pass with the option.
    let (code, _, err) = lode(&["check", "--deny-warnings", "tests/expect/pass.lode"]);
    assert_eq!(code, 0, "{err}");
}
