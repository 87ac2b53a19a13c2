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
