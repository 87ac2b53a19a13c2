//! `lode test`: text and JUnit reports on fixtures with known passing and
//! failing expectations (values worked out in the fixtures' comments).

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

#[test]
fn passing_file_exits_zero() {
    let (code, out, _) = lode(&["test", "tests/expect/pass.lode"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "7 passed, 0 failed\n");
}

#[test]
fn text_report_names_each_failure_and_ends_with_the_summary() {
    let (code, out, err) = lode(&["test", "tests/expect"]);
    assert_eq!(code, 1);
    assert_eq!(out.lines().last(), Some("8 passed, 5 failed"));
    // The file that does not check shows its diagnostic on stderr.
    assert!(err.contains("lode::E0202"), "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn junit_report_parses_back_with_the_right_counts() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.xml");
    let (code, out, err) = lode(&[
        "test",
        "tests/expect",
        "--format",
        "junit",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert!(err.contains("8 passed, 5 failed"), "{err}");
    let xml = std::fs::read_to_string(&path).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    assert_eq!(root.attribute("tests"), Some("13"));
    assert_eq!(root.attribute("failures"), Some("4"));
    assert_eq!(root.attribute("errors"), Some("1"));
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    assert_eq!(suites.len(), 3, "one suite per file");
    let cases = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .count();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let errors = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .count();
    assert_eq!((cases, failures, errors), (13, 4, 1));
    let failed: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.parent().and_then(|p| p.attribute("name")))
        .collect();
    assert!(
        failed.contains(&"cut: XC.ore.shortfall < 10%"),
        "{failed:?}"
    );
    insta::assert_snapshot!(xml);
}

#[test]
fn expectations_appear_in_run_json() {
    let (code, out, _) = lode(&["run", "tests/expect/fail.lode", "--format", "json"]);
    assert_eq!(code, 1, "a failed expectation fails the run");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ex = v["expectations"].as_array().unwrap();
    assert_eq!(ex.len(), 5);
    let s = ex
        .iter()
        .find(|e| e["text"] == "XC.ore.shortfall == 20%")
        .unwrap();
    assert_eq!(s["scenario"], "cut");
    assert_eq!(s["passed"], true);
    // Market: XC fills .4/.5 from XB, so the shortfall is .2.
    assert!((s["actual"].as_f64().unwrap() - 0.2).abs() < 1e-9);
}

#[test]
fn a_missing_path_is_a_usage_error() {
    let (code, _, err) = lode(&["test", "tests/expect/nowhere.lode"]);
    assert_eq!(code, 2);
    assert!(err.contains("no such file"), "{err}");
}
