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
    assert_eq!(root.attribute("skipped"), Some("0"));
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
    // Every test case says where it is: the expectation's line in the
    // fixture (fail.lode: `XC.ore.shortfall < 10%` is on line 15), the
    // first error's for a file that does not check (broken.lode line 2).
    let case = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("testcase") && n.attribute("name") == Some(name))
            .unwrap_or_else(|| panic!("no test case {name}"))
    };
    let shortfall = case("cut: XC.ore.shortfall < 10%");
    assert_eq!(shortfall.attribute("file"), Some("tests/expect/fail.lode"));
    assert_eq!(shortfall.attribute("line"), Some("15"));
    let demand = case("base: XC.ore.demand == 60% +- 5%");
    assert_eq!(demand.attribute("line"), Some("19"));
    let check = case("check");
    assert_eq!(check.attribute("file"), Some("tests/expect/broken.lode"));
    assert_eq!(check.attribute("line"), Some("2"));
    // Times in seconds: each suite's is its file's, shared evenly by its
    // test cases, and the suites' add up to the total (each written to the
    // microsecond, so within a microsecond per number).
    let time = |n: roxmltree::Node| -> f64 {
        let t: f64 = n
            .attribute("time")
            .expect("a time")
            .parse()
            .expect("seconds");
        assert!((0.0..60.0).contains(&t), "{t}");
        t
    };
    let mut sum = 0.0;
    for suite in &suites {
        let cases: Vec<f64> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .map(time)
            .collect();
        let each = cases[0];
        assert!(cases.iter().all(|&t| t == each), "{cases:?}");
        let per_file = time(*suite);
        assert!(
            (each * cases.len() as f64 - per_file).abs() <= 1e-6 * cases.len() as f64,
            "{each} × {} vs {per_file}",
            cases.len()
        );
        sum += per_file;
    }
    assert!((time(root) - sum).abs() <= 1e-6 * (suites.len() as f64 + 1.0));
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r#"time="[0-9.]+""#, r#"time="[seconds]""#);
    settings.bind(|| insta::assert_snapshot!(xml));
}

/// A directory of test files and the data files they `use`: the data
/// files are skipped, never failures; an error in a used file is shown once
/// and named once, with the files that could not be tested because of it.
#[test]
fn data_files_are_skipped_and_a_used_files_error_is_reported_once() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    // World data another file relies on: standalone it names world2024's
    // actors without loading it, so it would not check on its own.
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 60%, AU 40%\n  demand: JP 20%, KR 50%\n}\n",
    );
    write("shared.lode", "actor XA, XB\nlet floor = 1%\n");
    // Two test files over ore.lode: KR imports all its ore (no KR supply).
    let test = "use world2024\nuse \"ore.lode\"\nexpect KR.ore.import_reliance == 100%\n";
    write("a.lode", test);
    write("b.lode", test);
    let path = dir.path().to_str().unwrap();
    let (code, out, err) = lode(&["test", path]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        out,
        "skipped 2 data files (only declarations, for other files to use)\n2 passed, 0 failed\n"
    );

    // A mistake in the used file: shares over 100% (60 + 50 = 110%).
    write(
        "ore.lode",
        "mineral ore {\n  supply: CN 60%, AU 50%\n  demand: JP 20%, KR 50%\n}\n",
    );
    let (code, out, err) = lode(&["test", path]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.matches("lode::E0301").count(), 1, "{err}");
    assert_eq!(err.matches("shares add up to 110%").count(), 1, "{err}");
    let ore = dir.path().join("ore.lode");
    let (a, b) = (dir.path().join("a.lode"), dir.path().join("b.lode"));
    assert_eq!(
        out,
        format!(
            "FAIL {} (used by {}, {}): does not check (see diagnostics)\n\
             skipped 2 data files (only declarations, for other files to use)\n\
             0 passed, 2 failed\n",
            ore.display(),
            a.display(),
            b.display()
        )
    );
    // In JUnit each file that could not be tested has its error case,
    // which says where the error is, and a data file is a skipped case.
    let (_, xml, _) = lode(&["test", path, "--format", "junit"]);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.attribute("errors"), Some("2"));
    assert_eq!(root.attribute("skipped"), Some("2"));
    let messages: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("error"))
        .filter_map(|n| n.attribute("message"))
        .collect();
    let expected = format!("file does not check: the errors are in {}", ore.display());
    assert_eq!(messages, [expected.as_str(), expected.as_str()]);
    let ore_name = ore.display().to_string();
    let check_at: Vec<(Option<&str>, Option<&str>)> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase") && n.attribute("name") == Some("check"))
        .map(|n| (n.attribute("file"), n.attribute("line")))
        .collect();
    assert_eq!(check_at, [(Some(ore_name.as_str()), Some("2")); 2]);
    let skipped = doc
        .descendants()
        .filter(|n| n.has_tag_name("skipped"))
        .count();
    assert_eq!(skipped, 2);
}

/// A file with a mistake of its own is still a failure, even when it holds
/// only declarations and parses: here it does not parse.
#[test]
fn a_file_that_does_not_parse_is_not_a_data_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.lode"), "actor XA,\n").unwrap();
    let (code, out, err) = lode(&["test", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("lode::E0101"), "{err}");
    assert!(out.ends_with("0 passed, 1 failed\n"), "{out}");
    assert!(!out.contains("skipped"), "{out}");
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
