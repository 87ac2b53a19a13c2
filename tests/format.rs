//! `lode fmt` keeps meaning and comments, and is idempotent: on every
//! `.lode` file of the repository and on generated programs. The layout
//! of each form is pinned in `src/format/tests.rs`.

use std::path::{Path, PathBuf};

use lode::ast::TriviaKind;
use lode::eval::{EvalOptions, Silent};
use lode::format::format;
use lode::loader::{FsLoader, MemoryLoader};
use lode::pipeline::{self, Input};
use lode::source::SourceId;
use proptest::prelude::*;

/// The comments of a text, in order.
fn comments(text: &str) -> Vec<String> {
    lode::syntax::trivia::scan(text, SourceId(0))
        .into_iter()
        .filter(|t| t.kind == TriviaKind::Comment)
        .map(|t| text[t.span.start..t.span.end].trim_end().to_string())
        .collect()
}

/// The syntax tree without its spans: what a program says, not where; or
/// what stops it from being built (a number too long, too many signs).
fn shape(text: &str) -> Result<String, Vec<String>> {
    let program = lode::syntax::parse(text, SourceId(0))
        .map_err(|ds| ds.iter().map(|d| d.message.clone()).collect::<Vec<_>>())?;
    let debug = format!("{:?}", program.stmts);
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug.as_str();
    while let Some(i) = rest.find("Span {") {
        out.push_str(&rest[..i]);
        let close = rest[i..].find('}').expect("span closes");
        out.push_str("Span");
        rest = &rest[i + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// What a program means to `lode run --format json`, or the diagnostics
/// (code and message) that stop it.
fn meaning(input: Input<'_>, loader: &dyn lode::loader::Loader) -> Result<String, Vec<String>> {
    match pipeline::compile(input, loader) {
        Ok(c) => {
            let run = pipeline::evaluate(&c, &EvalOptions::default(), &Silent);
            let mut out = Vec::new();
            lode::report::json::write(&run.results, &mut out).unwrap();
            Ok(String::from_utf8(out).unwrap())
        }
        Err(f) => Err(f
            .diags
            .iter()
            .map(|d| format!("{} {}", d.code, d.message))
            .collect()),
    }
}

fn lode_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            lode_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "lode") {
            out.push(path);
        }
    }
}

#[test]
fn every_lode_file_of_the_repository_keeps_its_meaning() {
    let mut files = Vec::new();
    for dir in ["scenarios", "data", "tests", "tools", "examples"] {
        if Path::new(dir).is_dir() {
            lode_files(Path::new(dir), &mut files);
        }
    }
    files.sort();
    let mut formatted_count = 0;
    let mut evaluated = 0;
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // the not-UTF-8 fixture
        };
        let Ok(once) = format(&text) else {
            continue; // fixtures of syntax errors
        };
        formatted_count += 1;
        let name = path.display();
        assert_eq!(format(&once).unwrap(), once, "{name}: not idempotent");
        assert_eq!(comments(&text), comments(&once), "{name}: comments");
        assert_eq!(shape(&text), shape(&once), "{name}: syntax tree");
        // The same program, run from the same directory.
        let dir = lode::loader::parent_dir(path);
        let root = if path.starts_with("tests/diagnostics") {
            PathBuf::from("tests/diagnostics")
        } else {
            dir.clone()
        };
        let before = meaning(Input::File(path), &FsLoader::for_file(path, Some(&root)));
        let after = meaning(
            Input::Text {
                name: &name.to_string(),
                text: once.clone(),
            },
            &FsLoader::new(&root, &dir),
        );
        // A file that refers to itself by name cannot be run as text.
        if before.is_ok() {
            evaluated += 1;
        }
        assert_eq!(before, after, "{name}: meaning");
    }
    assert!(
        formatted_count >= 60,
        "only {formatted_count} files formatted"
    );
    assert!(evaluated >= 20, "only {evaluated} files evaluated");
}

// ---------------------------------------------------------------- generated programs

/// A small deterministic generator: programs of a world of their own (so
/// each evaluates in well under a millisecond), laid out with random
/// blanks, separators, parentheses and comments.
struct Gen {
    state: u64,
    out: String,
    /// The last token was a word (a space must separate the next word).
    word: bool,
}

const ACTORS: &[&str] = &["AA", "BB", "CC", "DD", "aa_alias", "G1", "EE"];
const MINERALS: &[&str] = &["ore", "ore.s1", "ore.s2", "gem", "s2"];

impl Gen {
    fn new(seed: u64) -> Self {
        Gen {
            state: seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407)
                | 1,
            out: String::new(),
            word: false,
        }
    }

    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, pool: &[&'a str]) -> &'a str {
        pool[self.below(pool.len())]
    }

    fn blanks(&mut self, required: bool) {
        let n = match (required, self.below(6)) {
            (false, 0..=2) => 0,
            (_, 5) => 3,
            (_, 4) => 2,
            _ => 1,
        };
        for _ in 0..n {
            let c = if self.chance(15) { '\t' } else { ' ' };
            self.out.push(c);
        }
    }

    /// A word: a keyword, name, number or other token that a following
    /// word must be separated from.
    fn w(&mut self, text: &str) {
        self.blanks(self.word);
        self.out.push_str(text);
        self.word = true;
    }

    /// Punctuation: blanks around it are optional.
    fn p(&mut self, text: &str) {
        self.blanks(false);
        self.out.push_str(text);
        self.word = false;
    }

    fn end_statement(&mut self, in_block: bool) {
        if self.chance(25) {
            let n = self.below(100);
            self.blanks(false);
            self.out.push_str(&format!("# note {n}"));
            self.out.push('\n');
        } else {
            match self.below(5) {
                0 => self.out.push_str(" ; "),
                1 if !in_block => self.out.push_str("\n\n\n"),
                2 => self.out.push_str(";\n"),
                _ => self.out.push('\n'),
            }
        }
        if self.chance(10) {
            self.out.push_str("  # own line\n");
        }
        self.word = false;
    }

    fn percent(&mut self, max: usize) {
        let n = self.below(max + 1);
        let text = if self.chance(30) {
            format!("{n}.5%")
        } else {
            format!("{n}%")
        };
        self.w(&text);
    }

    /// A fraction: a percentage, a range, a variable or arithmetic on them.
    fn fraction(&mut self, depth: usize) {
        match self.below(if depth > 2 { 3 } else { 6 }) {
            0 | 1 => self.percent(40),
            2 => self.w("cut"),
            3 => {
                let low = self.below(10);
                let high = low + self.below(10);
                self.w(&format!("{low}%"));
                self.p("..");
                self.w(&format!("{high}%"));
            }
            4 => {
                self.p("(");
                self.fraction(depth + 1);
                self.p(")");
            }
            _ => {
                self.fraction(depth + 1);
                let op = self.pick(&["+", "-", "*"]);
                self.p(op);
                if op == "*" {
                    let n = self.below(2);
                    self.w(&format!("{n}"));
                } else {
                    self.fraction(depth + 1);
                }
            }
        }
    }

    fn members(&mut self) {
        let n = 1 + self.below(3);
        for i in 0..n {
            if i > 0 {
                self.p("+");
            }
            let a = self.pick(&["AA", "BB", "CC", "DD", "aa_alias"]);
            self.w(a);
        }
    }

    fn minerals(&mut self) {
        let n = 1 + self.below(2);
        for i in 0..n {
            if i > 0 {
                self.p(",");
            }
            let m = self.pick(MINERALS);
            self.w(m);
        }
    }

    fn shares(&mut self) {
        let mut used = Vec::new();
        let n = 1 + self.below(3);
        for i in 0..n {
            let a = self.pick(&["AA", "BB", "CC", "DD"]);
            if used.contains(&a) {
                continue;
            }
            used.push(a);
            if i > 0 {
                self.p(",");
            }
            self.w(a);
            self.percent(30);
        }
    }

    fn world(&mut self) {
        self.w("actor");
        self.w("AA");
        if self.chance(50) {
            self.w("\"A land\"");
        }
        self.w("alias");
        self.w("aa_alias");
        self.w("gdp");
        self.w("$1.5T");
        self.p(",");
        self.w("BB");
        self.p(",");
        self.w("CC");
        self.p(",");
        self.w("DD");
        self.w("gdp");
        self.w("$300B");
        self.end_statement(false);
        self.w("actor");
        self.w("EE");
        self.end_statement(false);
        self.w("group");
        self.w("G1");
        self.p("=");
        self.w("AA");
        self.p("+");
        self.w("BB");
        self.end_statement(false);
        self.w("let");
        self.w("cut");
        self.p("=");
        self.percent(50);
        self.end_statement(false);
        for (name, stages) in [("ore", true), ("gem", false)] {
            self.w("mineral");
            self.w(name);
            self.p("{");
            if self.chance(50) {
                self.out.push('\n');
            }
            if stages {
                self.w("stages");
                self.w("s1");
                self.p(",");
                self.w("s2");
                self.end_statement(true);
                self.w("volume");
                self.w("100");
                self.w("kt");
                self.end_statement(true);
                for line in ["s1", "s2"] {
                    self.w(line);
                    self.p(":");
                    self.shares();
                    self.end_statement(true);
                }
            } else {
                self.w("supply");
                self.p(":");
                self.shares();
                self.end_statement(true);
            }
            self.w("demand");
            self.p(":");
            self.shares();
            if self.chance(50) {
                self.end_statement(true);
                self.w("source");
                self.w("\"a # report\"");
            }
            self.p("}");
            self.end_statement(false);
        }
    }

    fn statement(&mut self, in_block: bool) {
        match self.below(13) {
            0 => {
                let a = self.pick(ACTORS);
                self.w(a);
                let verb = self.pick(&["restricts", "bans"]);
                self.w(verb);
                self.minerals();
                self.w("to");
                if self.chance(40) {
                    self.w("all");
                    if self.chance(50) {
                        self.w("except");
                        self.members();
                    }
                } else {
                    self.members();
                }
                if verb == "restricts" && self.chance(70) {
                    self.w("by");
                    self.fraction(0);
                }
            }
            1 => {
                self.w("disrupt");
                let a = self.pick(ACTORS);
                self.w(a);
                self.minerals();
                self.w("by");
                self.fraction(0);
            }
            2 => {
                let a = self.pick(ACTORS);
                self.w(a);
                self.w("adds");
                self.percent(20);
                self.minerals();
            }
            3 => {
                self.w("stockpile");
                let a = self.pick(ACTORS);
                self.w(a);
                self.minerals();
                let n = 10 + self.below(80);
                self.w(&format!("{n}"));
                let unit = self.pick(&["days", "months", "kt"]);
                self.w(unit);
            }
            4 => {
                self.w("rerouting");
                self.percent(100);
            }
            5 => {
                self.w("allocation");
                let rule = self.pick(&["sticky", "market"]);
                self.w(rule);
            }
            6 if !in_block => {
                self.w("coalition");
                if self.chance(50) {
                    let n = self.below(1000);
                    self.w(&format!("c{n}"));
                    self.p("=");
                    self.members();
                } else {
                    self.w("CC");
                    self.p("+");
                    self.w("DD");
                    self.p("+");
                    self.w("AA");
                }
                if self.chance(50) {
                    self.w("covers");
                    self.percent(60);
                    self.w("demand");
                }
            }
            7 => {
                self.w("expect");
                let a = self.pick(&["AA", "BB", "G1", "aa_alias"]);
                let m = self.pick(&["ore", "gem"]);
                let metric = self.pick(&[
                    "shortfall",
                    "at_risk",
                    "demand",
                    "import_reliance",
                    "hhi",
                    "dependency.CC",
                ]);
                self.w(&format!("{a}.{m}.{metric}"));
                let op = self.pick(&["<", "<=", ">", ">=", "==", "!="]);
                self.p(op);
                self.percent(100);
                if op == "==" && self.chance(50) {
                    self.p("+-");
                    self.percent(5);
                }
            }
            8 => {
                self.w("report");
                if self.chance(70) {
                    self.w("for");
                    self.members();
                    self.p(",");
                    self.w("BB");
                }
                self.w("on");
                self.w("ore");
            }
            9 => {
                self.w("let");
                let n = self.below(1000);
                self.w(&format!("v{n}"));
                self.p("=");
                self.p("-");
                self.fraction(0);
            }
            10 => {
                let line = self.pick(&["ore.s1", "ore.s2", "s1", "gem.supply"]);
                self.w(line);
                self.p(":");
                self.shares();
            }
            11 => {
                self.w("BB");
                self.w("sources");
                self.w("ore.s2");
                self.p(":");
                self.w("CC");
                self.percent(10);
            }
            _ => {
                self.w("rerouting");
                self.w("cut");
            }
        }
        self.end_statement(in_block);
    }

    fn program(mut self) -> String {
        self.world();
        for _ in 0..self.below(6) {
            self.statement(false);
        }
        let scenarios = self.below(3);
        for s in 0..scenarios {
            self.w("scenario");
            self.w(&format!("s{s}"));
            if s > 0 && self.chance(50) {
                self.w("extends");
                self.w(&format!("s{}", s - 1));
            }
            self.p("{");
            for _ in 0..self.below(4) {
                self.statement(true);
            }
            self.p("}");
            self.end_statement(false);
        }
        if scenarios > 0 {
            self.w("compare");
            self.w("base");
            self.p(",");
            self.w("s0");
            self.end_statement(false);
        }
        self.out
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_programs_keep_their_meaning(seed in any::<u64>()) {
        let text = Gen::new(seed).program();
        prop_assert!(lode::syntax::parse(&text, SourceId(0)).is_ok(), "generator wrote:\n{text}");
        let once = format(&text).unwrap();
        prop_assert_eq!(&format(&once).unwrap(), &once, "not idempotent:\n{}", text);
        prop_assert_eq!(comments(&text), comments(&once));
        prop_assert_eq!(shape(&text), shape(&once));
        let loader = MemoryLoader::new();
        let before = meaning(Input::Text { name: "p.lode", text: text.clone() }, &loader);
        let after = meaning(Input::Text { name: "p.lode", text: once.clone() }, &loader);
        prop_assert_eq!(before, after, "{}\n---\n{}", text, once);
    }
}

/// The generator is not vacuous: most of its programs pass the checker and
/// are evaluated, so the JSON comparison above compares results.
#[test]
fn most_generated_programs_evaluate() {
    let loader = MemoryLoader::new();
    let ok = (0..200u64)
        .filter(|&seed| {
            let text = Gen::new(seed).program();
            meaning(
                Input::Text {
                    name: "p.lode",
                    text,
                },
                &loader,
            )
            .is_ok()
        })
        .count();
    assert!(ok >= 100, "only {ok} of 200 generated programs evaluate");
}
