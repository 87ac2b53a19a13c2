//! Hostile and careless input: byte-order marks and other wide characters
//! anywhere, bare carriage returns, very long lines, flat chains thousands
//! of terms long, groups nested in declaration order, floods of identical
//! warnings, and messages that must say what is really wrong.
//!
//! Most tests run the real binary: a panic or a stack overflow shows only
//! in its exit status and standard error.

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use lode::ast::ReplInput;
use lode::check::values::{Vars, eval};
use lode::diagnostic::{Code, Diag, Style, render, render_grouped};
use lode::source::{SourceId, SourceMap, Span};
use lode::syntax::limits::{MAX_DEPTH, MAX_EXPR_DEPTH};

/// Kill the binary after this long: a hang is a failure, not a stuck CI.
const BOUND: Duration = Duration::from_secs(60);

/// Runs lode with `args`, writing `stdin` to it, killed after [`BOUND`].
fn lode(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lode");
    let mut pipe = child.stdin.take().expect("stdin");
    let bytes = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&bytes);
    });
    let mut stdout = child.stdout.take().expect("stdout");
    let mut stderr = child.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut v);
        v
    });
    let err = std::thread::spawn(move || {
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
    let _ = feeder.join();
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// Writes `text` to `input.lode` in a fresh directory and runs
/// `lode COMMAND input.lode`.
fn on_file(command: &str, text: &str) -> Output {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("input.lode");
    std::fs::write(&path, text).expect("write");
    lode(&[command, path.to_str().expect("UTF-8 path")], b"")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a clean exit with `exit`, no panic, and `code` on stderr.
#[track_caller]
fn assert_diag(out: &Output, exit: i32, code: &str) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "lode panicked:\n{err}");
    assert!(!err.contains("overflowed"), "stack overflow:\n{err}");
    assert_eq!(out.status.code(), Some(exit), "stderr:\n{}", prefix(&err));
    assert!(err.contains(code), "no {code} in:\n{}", prefix(&err));
}

fn prefix(s: &str) -> &str {
    let mut end = s.len().min(4000);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A world whose numbers are known exactly: XA has 20% of world demand for
/// `ore` (its `demand` line says so), XB none.
const ORE: &str = "actor XA \"Alpha\", XB \"Beta\", XC \"Gamma\"
mineral ore {
  supply: XA 60%, XC 40%
  demand: XC 80%, XA 20%
}
";

/// `lode test` on `ORE` followed by `tail`: the summary line.
fn test_summary(tail: &str) -> (String, String) {
    let out = on_file("test", &format!("{ORE}{tail}"));
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let summary = text.lines().last().unwrap_or_default().to_string();
    (summary, format!("{text}\n{}", prefix(&stderr(&out))))
}

/// The value of one expression, as the REPL computes it.
fn value_of(expr: &str) -> f64 {
    match lode::syntax::parse_repl(expr, SourceId(0)) {
        Ok(ReplInput::Expr(e)) => {
            eval(&e, &Vars::new())
                .unwrap_or_else(|d| panic!("`{expr}` does not evaluate: {}", d.message))
                .value
        }
        other => panic!("`{expr}` is not an expression: {other:?}"),
    }
}

// ---------------------------------------------------------------- wide characters

/// `let x = 1<U+FEFF>y`: the grammar skips a byte-order mark as a blank,
/// and the hint for the syntax error sliced inside its three bytes
/// ("start byte index … is not a char boundary").
#[test]
fn a_byte_order_mark_inside_a_line_at_a_syntax_error() {
    let text = "let x = 1\u{feff}y\n";
    for command in ["check", "run", "test"] {
        let out = on_file(command, text);
        assert_diag(&out, 1, "lode::E0101");
    }
    // A REPL session lives on after it.
    let out = lode(&["repl"], "let x = 1\u{feff}y\n40 + 2\n".as_bytes());
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("42"),
        "the session ended: {err}"
    );
}

/// Every multi-byte character the grammar may meet, put at every character
/// boundary of programs with and without errors: parsing, the hints for a
/// syntax error and the rendering of every diagnostic must not panic.
#[test]
fn wide_characters_anywhere_never_panic() {
    let programs = [
        "let x = 1 y\n",
        "disrupt CD cobalt mining by 30%\n",
        "CN restricts rare_earths to JP, KR\n",
        "CN restricts rare_earths to G7 except JP\n",
        "coalition Allies = JP + KR\n",
        "let x = 2 * JP.rare_earths.demand\n",
        "expect JP.rare_earths.shortfall == 5% +- 1%\n",
        "scenario s {\n  allocation market\n",
        "actor XX \"Name\" alias xx\nlet t = 3\n",
        "let y = JP.rare_earths.demand + 1\n",
    ];
    let wide = ['\u{feff}', 'é', '±', '日', '🙂', '\u{a0}'];
    let mut parsed = 0;
    for program in programs {
        let bounds: Vec<usize> = (0..=program.len())
            .filter(|&i| program.is_char_boundary(i))
            .collect();
        for &at in &bounds {
            for c in wide {
                let text = format!("{}{c}{}", &program[..at], &program[at..]);
                let mut sources = SourceMap::new();
                let id = sources.add("wide.lode", text.as_str(), None);
                let mut diags = match lode::syntax::parse(&text, id) {
                    Ok(_) => Vec::new(),
                    Err(d) => d,
                };
                if let Err(d) = lode::syntax::parse_repl(&text, id) {
                    diags.extend(d);
                }
                for d in &diags {
                    let shown = render(d, &sources, Style::plain());
                    assert!(shown.contains(d.code.as_str()), "{shown}");
                }
                parsed += 1;
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} variants");
}

// ---------------------------------------------------------------- long lines

/// A label far into a line that holds a bare `\r`: lode ends a line at a
/// lone `\r`, miette drew it as part of the line, so the long-line guard
/// let through a label 70,000 columns in and miette panicked ("Formatting
/// argument out of range").
#[test]
fn a_label_after_a_bare_carriage_return_far_into_a_line() {
    let text = format!("CN restricts rare_earths to {}JPN\rx\n", " ".repeat(70_000));
    let out = on_file("check", &text);
    assert_diag(&out, 1, "lode::E0101");
    let err = stderr(&out);
    // Line 2 is `x`, on its own, and the label is under it.
    assert!(err.contains("input.lode:2:2]"), "{err}");
    assert!(err.lines().any(|l| l.ends_with("│ x")), "{err}");
    assert!(err.len() < 2_000, "{} bytes of diagnostics", err.len());
}

/// Where the label points in a snippet: the column (in characters) of the
/// first `─`, `┬` or `▲` on the line under the one that ends with `marker`,
/// and the column of `marker`'s start on its own line.
fn label_columns(shown: &str, marker: &str) -> (usize, usize) {
    let lines: Vec<&str> = shown.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.contains(marker) && l.contains('│'))
        .unwrap_or_else(|| panic!("no line with {marker}:\n{shown}"));
    let text_col = lines[i][..lines[i].find(marker).unwrap_or(0)]
        .chars()
        .count();
    let under = lines[i + 1];
    let bar_col = under
        .chars()
        .position(|c| matches!(c, '─' | '┬' | '▲'))
        .unwrap_or_else(|| panic!("no underline under line {i}:\n{shown}"));
    (text_col, bar_col)
}

/// An error on a 30 KB line printed the whole line, and an underline as
/// long. Now the line is cut to a window around the label, with `…` where
/// text is left out, and the label still points at the right characters.
#[test]
fn an_error_on_a_thirty_kilobyte_line_shows_a_window() {
    let text = format!(
        "let y = 3 {}+ zz + 2 {}\n",
        "+ 1 ".repeat(4_000),
        "+ 1 ".repeat(3_500)
    );
    let out = on_file("check", &text);
    assert_diag(&out, 1, "lode::E0204");
    let err = stderr(&out);
    assert!(err.len() < 1_500, "{} bytes:\n{}", err.len(), prefix(&err));
    assert!(err.contains('…'), "{err}");
    // Byte column of `zz`: 10 + 16,000 + 2, plus one.
    assert!(err.contains("input.lode:1:16013]"), "{err}");
    let (text_col, bar_col) = label_columns(&err, "zz");
    assert_eq!(text_col, bar_col, "the label is not under `zz`:\n{err}");
}

/// Labels on a cut line keep pointing at their characters when wide
/// characters and `\r\n` line ends come before them, and a label's long
/// middle is left out.
#[test]
fn labels_on_cut_lines_point_at_their_characters() {
    let line1 = "# first line\r\n";
    let head = format!("let café = {}", "é + ".repeat(100));
    let label = "unknown_thing";
    let text = format!(
        "{line1}{head}{label}{}\r\nlet z = 1\r\n",
        " + 1".repeat(100)
    );
    let start = line1.len() + head.len();
    let mut sources = SourceMap::new();
    let id = sources.add("cut.lode", text.as_str(), None);
    let diag = Diag::new(Code::UnknownVariable, "unknown variable")
        .with_label(Span::new(id, start, start + label.len()), "here");
    let shown = render(&diag, &sources, Style::plain());
    let (text_col, bar_col) = label_columns(&shown, label);
    assert_eq!(text_col, bar_col, "{shown}");
    // Line 2, byte column of the label: `head` is 12 + 100 × 5 bytes long
    // (`é` is two bytes), plus one.
    assert!(shown.contains("cut.lode:2:513]"), "{shown}");
    assert!(shown.lines().all(|l| l.chars().count() < 200), "{shown}");

    // A label over the whole long line: its start and end are shown, its
    // middle is an ellipsis, and the underline spans what is shown.
    let whole = Diag::new(Code::UnknownVariable, "unknown variable").with_label(
        Span::new(id, line1.len(), start + label.len() + 400),
        "all of it",
    );
    let shown = render(&whole, &sources, Style::plain());
    let row = shown
        .lines()
        .find(|l| l.contains("let café"))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(row.matches('…').count() >= 1, "{shown}");
    assert!(row.chars().count() < 200, "{shown}");
}

// ---------------------------------------------------------------- expressions

/// `1 + -2` was a syntax error ("expected … an operator …, found `+`"):
/// `+` followed by `-` was kept for the tolerance `+-` everywhere.
#[test]
fn plus_followed_by_a_minus_sign_adds_a_negative_number() {
    assert_eq!(value_of("1 + -2"), -1.0);
    assert_eq!(value_of("1 +-2"), -1.0);
    assert_eq!(value_of("1+-2"), -1.0);
    assert_eq!(value_of("1 + - - 2"), 3.0);
    // 3 - ((-2) × (-1)) = 3 - 2
    assert_eq!(value_of("3 - -2 * -1"), 1.0);
    let out = on_file("check", &format!("{ORE}let x = 1 + -2\n"));
    assert!(out.status.success(), "{}", stderr(&out));
}

/// In `expect … == v +- t` the `+-` written together is still the
/// tolerance; with a blank between, `+ -` adds a negative number there too.
/// XA's demand is 20%.
#[test]
fn plus_minus_after_an_expected_value_is_a_tolerance() {
    let (summary, all) = test_summary(
        "expect XA.ore.demand == 25% +- 6%\n\
         expect XA.ore.demand == 25% +-6%\n\
         expect XA.ore.demand == 25% + -5%\n\
         expect XA.ore.demand == 30% + -5% +- 5%\n\
         expect XA.ore.demand == 25% +- 4%\n\
         expect XA.ore.demand == 25% +-4%\n",
    );
    // |20% - 25%| = 5 pp: within 6 pp, not within 4 pp; 25% - 5% = 20%
    // exactly, and 30% - 5% = 25% is 5 pp off, within 5 pp.
    assert_eq!(summary, "4 passed, 2 failed", "{all}");
}

/// A flat sum of 300 terms was refused as "more than 256 operations
/// deep": a chain read left to right is not nesting.
#[test]
fn a_flat_sum_of_three_hundred_terms_is_not_nesting() {
    let sum = vec!["1"; 300].join(" + ");
    // 300 / 1500 = 20%
    let (summary, all) = test_summary(&format!(
        "let x = {sum}\nexpect XA.ore.demand == x / 1500\n"
    ));
    assert_eq!(summary, "1 passed, 0 failed", "{all}");
}

/// Long chains of every operator, and mixed, keep the value of reading
/// them left to right.
#[test]
fn long_chains_keep_their_left_to_right_value() {
    // 1 + 200,000 × 1 = 200,001
    let long = format!("1{}", " + 1".repeat(200_000));
    assert_eq!(value_of(&long), 200_001.0);
    // 1000 - 300 × 1 = 700
    let minus = format!("1000{}", " - 1".repeat(300));
    assert_eq!(value_of(&minus), 700.0);
    // 1 + 400 × (+2 - 1) = 401
    let mixed = format!("1{}", " + 2 - 1".repeat(400));
    assert_eq!(value_of(&mixed), 401.0);
    // 5 × (×2 ÷ 2)^150 = 5, and 1 ÷ 1^300 ÷ 5 = 0.2: powers of two and
    // ones, so no rounding.
    let product = format!("5{}", " * 2 / 2".repeat(150));
    assert_eq!(value_of(&product), 5.0);
    let quotient = format!("1{} / 5", " / 1".repeat(300));
    assert_eq!(value_of(&quotient), 0.2);
    // 2 × 3 - 4 ÷ 2 repeated: each term adds 6 - 2 = 4; 100 × 4 = 400.
    let terms = format!("0{}", " + 2 * 3 - 4 / 2".repeat(100));
    assert_eq!(value_of(&terms), 400.0);
    let (summary, all) = test_summary(&format!(
        "let x = {long}\nexpect XA.ore.demand == (x - 1) / 1000000\n"
    ));
    assert_eq!(summary, "1 passed, 0 failed", "{all}");
}

/// An expression nested exactly [`MAX_EXPR_DEPTH`] deep: a chain of 32
/// terms (depth 32) inside four runs of 56 minus signs with parentheses
/// (4 × 56 = 224 more). One more minus sign is E0104.
fn nested_expression(extra: usize) -> String {
    let core = format!("1{}", " - 1".repeat(31));
    let mut e = core;
    for level in 0..4 {
        let signs = 56 + if level == 0 { extra } else { 0 };
        e = format!("{}({e})", "-".repeat(signs));
    }
    e
}

#[test]
fn real_nesting_is_still_limited() {
    assert_eq!(32 + 4 * 56, MAX_EXPR_DEPTH);
    // 1 - 31 = -30, negated 4 × 56 times (an even number): -30.
    assert_eq!(value_of(&nested_expression(0)), -30.0);
    let out = on_file("check", &format!("let x = {}\n", nested_expression(1)));
    assert_diag(&out, 1, "lode::E0104");
    let out = on_file("check", &format!("let x = {}1\n", "(".repeat(10_000)));
    assert_diag(&out, 1, "lode::E0104");
    let out = on_file("check", &format!("let x = {}1\n", "-".repeat(10_000)));
    assert_diag(&out, 1, "lode::E0104");
}

// ---------------------------------------------------------------- groups

/// `group g0 = AA`, `group g1 = g0`, … declared innermost first: each group
/// was expanded after the one inside it, so the walk never went deep and
/// 100,000 levels were accepted (1.8 s, 147 MB).
#[test]
fn groups_nested_in_declaration_order_are_limited() {
    let mut text = String::from("actor AA\ngroup g0 = AA\n");
    for i in 1..100_000 {
        text.push_str(&format!("group g{i} = g{}\n", i - 1));
    }
    let out = on_file("check", &text);
    assert_diag(&out, 1, "lode::E0104");
    let err = stderr(&out);
    // g0 holds actors: one level. g64 holds 64 levels below it; it is on
    // line 64 + 2, its name at column 7.
    assert!(err.contains("input.lode:66:7]"), "{}", prefix(&err));
    assert!(err.contains("`g64` holds groups nested 64 deep"), "{err}");
    assert_eq!(err.matches("lode::E0104").count(), 1, "{err}");
}

/// 64 levels are allowed: g63 is 64 deep and holds AA.
#[test]
fn groups_nested_sixty_four_deep_are_fine() {
    let mut text = String::from(
        "actor AA\nmineral m {\n  supply: AA 100%\n  demand: AA 100%\n}\ngroup g0 = AA\n",
    );
    for i in 1..MAX_DEPTH {
        text.push_str(&format!("group g{i} = g{}\n", i - 1));
    }
    text.push_str(&format!("expect g{}.m.demand == 100%\n", MAX_DEPTH - 1));
    let out = on_file("test", &text);
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("1 passed, 0 failed"),
        "{shown}{}",
        stderr(&out)
    );
}

// ---------------------------------------------------------------- floods

/// Sixty copies of one restriction that reaches no one printed sixty
/// full warnings of each kind (about 1,000 lines): repeats of one message
/// from different statements are grouped under the first, at most
/// `MAX_ALSO` listed, the rest counted.
#[test]
fn sixty_identical_warnings_are_grouped() {
    let text = format!("{ORE}{}", "XA restricts ore to XA\n".repeat(60));
    let out = on_file("run", &text);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    // Two kinds: W0303 (restricts itself) and W0304 (reaches no one).
    assert_eq!(err.matches("lode::W030").count(), 2, "{err}");
    // 60 = 1 in full + 5 listed + 54 counted, for each.
    assert_eq!(err.matches("and 54 more like it").count(), 2, "{err}");
    assert!(err.contains("also at "), "{err}");
    assert!(err.contains("input.lode:7:21"), "{err}");
    assert!(
        err.lines().count() < 50,
        "{} lines:\n{err}",
        err.lines().count()
    );
}

/// Repeats at one place keep their own message; past `MAX_ALSO`, a count.
#[test]
fn repeats_at_one_place_keep_their_messages() {
    let mut sources = SourceMap::new();
    let id = sources.add("one.lode", "coalition c = XA covers 60% demand\n", None);
    let span = Span::new(id, 0, 9);
    let diags: Vec<Diag> = (0..9)
        .map(|i| {
            Diag::at(
                Code::CoversMismatch,
                span,
                format!("claim off for mineral m{i}"),
            )
        })
        .collect();
    let shown = render_grouped(&diags, &sources, Style::plain());
    assert_eq!(shown.matches("lode::W0301").count(), 1, "{shown}");
    for i in 1..=5 {
        assert!(
            shown.contains(&format!("also: claim off for mineral m{i}")),
            "{shown}"
        );
    }
    assert!(!shown.contains("m6"), "{shown}");
    // 9 = 1 + 5 + 3
    assert!(shown.contains("and 3 more like it"), "{shown}");
}

// ---------------------------------------------------------------- messages

/// `report for G20 + ASEAN`: both groups exist in world2024, but their
/// union is not declared; the message spoke of letter case.
#[test]
fn an_undeclared_union_of_groups_says_how_to_declare_it() {
    let out = lode(&["run", "-"], b"report for G20 + ASEAN\n");
    assert_diag(&out, 1, "lode::E0201");
    let err = stderr(&out);
    assert!(
        err.contains("no group or coalition `G20+ASEAN` is declared"),
        "{err}"
    );
    assert!(err.contains("`group NAME = G20 + ASEAN`"), "{err}");
    assert!(!err.contains("case"), "{err}");

    // A member that is not declared is named.
    let out = lode(&["run", "-"], b"report for G20 + NOPE\n");
    assert_diag(&out, 1, "lode::E0201");
    let err = stderr(&out);
    assert!(err.contains("`NOPE` is not declared"), "{err}");
    assert!(err.contains("`group NAME = G20 + NOPE`"), "{err}");
}

/// A string with a line end in it: "expected a string, found `\"`".
#[test]
fn a_string_not_closed_on_its_line_says_so() {
    let out = on_file("check", "actor XX \"Some\nLand\"\n");
    assert_diag(&out, 1, "lode::E0101");
    let err = stderr(&out);
    assert!(
        err.contains("this string is not closed before the end of the line"),
        "{err}"
    );
    assert!(!err.contains("found `\"`"), "{err}");
}

/// `use ""` said "it is a directory".
#[test]
fn use_of_an_empty_path_says_it_is_empty() {
    let out = on_file("check", "use \"\"\n");
    assert_diag(&out, 1, "lode::E0602");
    let err = stderr(&out);
    assert!(err.contains("the path is empty"), "{err}");
    assert!(!err.contains("directory, not a file"), "{err}");
}
