//! `lode fmt`, `lode check --format json` and the editor grammar, as a user
//! runs them.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

fn lode(args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run lode");
    {
        let mut input = child.stdin.take().unwrap();
        if let Some(text) = stdin {
            input.write_all(text.as_bytes()).unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const MESSY: &str = "let  a=1 # one\ncoalition G7 + AU covers 60% demand;CN bans gallium to US\n";
const TIDY: &str = "let a = 1  # one\ncoalition G7+AU covers 60% demand\nCN bans gallium to US\n";

#[test]
fn fmt_rewrites_a_file_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.lode");
    std::fs::write(&path, MESSY).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let (code, out, err) = lode(&["fmt", path.to_str().unwrap()], None);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), TIDY);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }
    // Nothing left behind but the file.
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(entries.len(), 1);
    // Formatted: a second run changes nothing and --check agrees.
    let (code, out, _) = lode(&["fmt", "--check", path.to_str().unwrap()], None);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn fmt_check_prints_a_diff_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.lode");
    std::fs::write(&path, MESSY).unwrap();
    let shown = path.to_str().unwrap();
    let (code, out, _) = lode(&["fmt", "--check", shown], None);
    assert_eq!(code, 1);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), MESSY);
    let expected = format!(
        "--- a/{shown}\n+++ b/{shown}\n@@ -1,2 +1,3 @@\n-let  a=1 # one\n-coalition G7 + AU covers 60% demand;CN bans gallium to US\n+let a = 1  # one\n+coalition G7+AU covers 60% demand\n+CN bans gallium to US\n"
    );
    assert_eq!(out, expected);
}

#[test]
fn fmt_leaves_a_file_that_does_not_parse_alone() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.lode");
    let bad = dir.path().join("bad.lode");
    std::fs::write(&good, MESSY).unwrap();
    std::fs::write(&bad, "let  a=1\nCN restricts\n").unwrap();
    let (code, out, err) = lode(
        &["fmt", bad.to_str().unwrap(), good.to_str().unwrap()],
        None,
    );
    assert_eq!(code, 1);
    assert_eq!(out, "");
    assert!(err.contains("lode::E0101"), "{err}");
    assert!(err.contains("bad.lode:2:"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&bad).unwrap(),
        "let  a=1\nCN restricts\n"
    );
    // The other file is formatted all the same.
    assert_eq!(std::fs::read_to_string(&good).unwrap(), TIDY);
    let (code, _, err) = lode(&["fmt", "missing.lode"], None);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn fmt_reads_standard_input() {
    assert_eq!(
        lode(&["fmt"], Some(MESSY)),
        (0, TIDY.to_string(), String::new())
    );
    let (code, out, _) = lode(&["fmt", "--check"], Some(MESSY));
    assert_eq!(code, 1);
    assert!(out.starts_with("--- a/<stdin>\n+++ b/<stdin>\n"), "{out}");
    assert_eq!(
        lode(&["fmt", "--check"], Some(TIDY)),
        (0, String::new(), String::new())
    );
    let (code, out, err) = lode(&["fmt"], Some("CN restricts"));
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("<stdin>:1:"), "{err}");
}

#[test]
fn check_json_lists_every_diagnostic_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.lode");
    // Columns count characters: `"Zoë"` is five characters and six bytes.
    std::fs::write(&path, "actor XX \"Zoë\"; XX restricts ore to YY\n").unwrap();
    let (code, out, err) = lode(
        &[
            "check",
            "--format",
            "json",
            path.to_str().unwrap(),
            "nope.lode",
        ],
        None,
    );
    assert_eq!(code, 2, "{err}");
    assert_eq!(err, "");
    let all: Value = serde_json::from_str(&out).unwrap();
    let all = all.as_array().unwrap();
    let codes: Vec<&str> = all.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["lode::E0202", "lode::E0201", "lode::E0602"]);
    let ore = &all[0];
    // `actor XX "Zoë"; XX restricts ` is 29 characters, 30 bytes.
    assert_eq!(ore["span"]["start"], 30);
    assert_eq!(ore["span"]["end"], 33);
    assert_eq!(
        (ore["line"].as_u64(), ore["column"].as_u64()),
        (Some(1), Some(30))
    );
    assert_eq!(ore["severity"], "error");
    assert_eq!(ore["file"], path.to_str().unwrap());
    assert_eq!(ore["labels"][0]["span"], ore["span"]);
    assert!(ore.get("help").is_some());
    let missing = &all[2];
    assert_eq!(missing["file"], "nope.lode");
    assert_eq!(missing["span"], Value::Null);
    // Warnings are there too, and the exit code stays 0 for them alone.
    let (code, out, _) = lode(
        &[
            "check",
            "--format",
            "json",
            "tests/diagnostics/W0301_covers_mismatch.lode",
        ],
        None,
    );
    assert_eq!(code, 0);
    let w: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(w[0]["severity"], "warning");
    assert_eq!(w[0]["code"], "lode::W0301");
    // A clean file: an empty list.
    let (code, out, _) = lode(
        &["check", "--format", "json", "scenarios/japan_2026.lode"],
        None,
    );
    assert_eq!((code, out.trim()), (0, "[]"));
}

/// The extension's TextMate grammar is made from the language's keyword
/// list: after a keyword changes, `lode editor-grammar >
/// editors/vscode/syntaxes/lode.tmLanguage.json` brings it up to date.
#[test]
fn the_editor_grammar_is_up_to_date() {
    let committed =
        std::fs::read_to_string("editors/vscode/syntaxes/lode.tmLanguage.json").unwrap();
    let (code, out, _) = lode(&["editor-grammar"], None);
    assert_eq!(code, 0);
    assert!(
        committed == out,
        "editors/vscode/syntaxes/lode.tmLanguage.json is out of date: run \
         `cargo run -- editor-grammar > editors/vscode/syntaxes/lode.tmLanguage.json`"
    );
}
