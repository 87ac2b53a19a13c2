//! Deterministic mutation testing (issue 8): thousands of mutants of the
//! repository's scenario files and of `data/world2024.lode` — tokens deleted,
//! duplicated, swapped, replaced, junk inserted — must each give a result or
//! diagnostics, never a panic, a hang or a stack overflow.
//!
//! The mutants come from a small seeded PRNG (no clock, no `rand`), so every
//! run tests the same inputs for the same files. A failure prints the mutant
//! in full; paste it into `tests/fuzz_regressions.rs` to keep it.

use std::io::Write;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lode::diagnostic::{Style, render_all};
use lode::eval::{self, EvalOptions};
use lode::pipeline::{self, Input};
use lode::report::{self, Format, RenderOptions};

/// Mutants run through the library, in total over all files.
const LIBRARY_MUTANTS: usize = 3000;
/// Mutants run through the real binary (`lode run -`).
const BINARY_MUTANTS: usize = 50;
/// A mutant that takes longer than this in the library is a failure.
const LIBRARY_BOUND: Duration = Duration::from_secs(10);
/// The binary is killed after this long, and the test fails.
const BINARY_BOUND: Duration = Duration::from_secs(10);
const SEED: u64 = 0x10de_5eed_2026_0008;

/// SplitMix64: tiny, seeded, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The files mutated: every scenario, and the embedded data set.
fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = std::fs::read_dir(root.join("scenarios"))
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "lode"))
        .collect();
    paths.sort();
    paths.push(root.join("data/world2024.lode"));
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("corpus file is UTF-8");
            (p, text)
        })
        .collect()
}

/// Splits text into tokens so that concatenating them gives the text back:
/// words (letters, digits, `_ . % $`), runs of blanks, and single other
/// characters (newlines, brackets, operators, quotes, `#`).
fn tokens(text: &str) -> Vec<&str> {
    #[derive(PartialEq)]
    enum Class {
        Word,
        Blank,
        Other,
    }
    let class = |c: char| {
        if c.is_alphanumeric() || "_.%$".contains(c) {
            Class::Word
        } else if c == ' ' || c == '\t' {
            Class::Blank
        } else {
            Class::Other
        }
    };
    let mut out = Vec::new();
    let mut start = 0;
    let mut prev: Option<Class> = None;
    for (i, c) in text.char_indices() {
        let k = class(c);
        let joins = prev.as_ref().is_some_and(|p| *p == k && k != Class::Other);
        if !joins && i > start {
            out.push(&text[start..i]);
            start = i;
        }
        prev = Some(k);
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Things worth inserting: brackets, operators, keywords, edge-case numbers
/// and non-ASCII text.
const JUNK: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "\"",
    "#",
    "\n",
    ";",
    ":",
    ",",
    ".",
    "+",
    "-",
    "*",
    "/",
    "%",
    "$",
    "=",
    "+-",
    "±",
    "..",
    "0",
    "0%",
    "100%",
    "101%",
    "1e9",
    "-1",
    "999999999999999999999999",
    "1_000",
    "0.000000001%",
    "/ 0",
    "* 0",
    "$4.03T",
    "390 kt",
    "60 days",
    "2026Q1",
    "2026-01-12",
    "ROW",
    "all",
    "except",
    "to",
    "by",
    "use",
    "use world2024",
    "use \"x.lode\"",
    "scenario s {",
    "extends",
    "base",
    "mineral",
    "stages",
    "demand",
    "sources",
    "source \"s\"",
    "coalition",
    "covers",
    "group",
    "actor",
    "alias",
    "gdp",
    "let",
    "restricts",
    "bans",
    "disrupt",
    "adds",
    "stockpile",
    "rerouting",
    "allocation",
    "coalition_first",
    "sticky",
    "market",
    "report",
    "compare",
    "expect",
    "from",
    "until",
    "lifts",
    "restrictions",
    "on",
    "for",
    "of",
    "CN",
    "JP",
    "ZZ",
    "rare_earths",
    "refining",
    "é",
    "日本",
    "\u{feff}",
    "\r",
    "\t",
    "\\",
    "`",
    "@",
    "..",
    "9999 Mt",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut toks: Vec<String> = tokens(text).into_iter().map(String::from).collect();
    let words: Vec<String> = toks
        .iter()
        .filter(|t| t.chars().any(|c| c.is_alphanumeric()))
        .cloned()
        .collect();
    let edits = 1 + rng.below(4);
    for _ in 0..edits {
        if toks.is_empty() {
            toks.push(rng.pick(JUNK).to_string());
            continue;
        }
        let i = rng.below(toks.len());
        match rng.below(7) {
            0 => {
                toks.remove(i);
            }
            1 => {
                let t = toks[i].clone();
                toks.insert(i, t);
            }
            2 => {
                // Swap with a nearby token (same statement, usually) or any.
                let j = if rng.below(2) == 0 {
                    (i + 1 + rng.below(6)).min(toks.len() - 1)
                } else {
                    rng.below(toks.len())
                };
                toks.swap(i, j);
            }
            3 | 4 => toks.insert(i, rng.pick(JUNK).to_string()),
            5 => {
                if !words.is_empty() {
                    toks[i] = rng.pick(&words).clone();
                }
            }
            _ => {
                // Delete a whole run of tokens (a line's tail, a block's end).
                let end = (i + 1 + rng.below(20)).min(toks.len());
                toks.drain(i..end);
            }
        }
    }
    toks.concat()
}

/// compile → evaluate → render in every format; on failure, render the
/// diagnostics. What the CLI does, minus the I/O. True when it compiled.
fn pipeline(text: String) -> bool {
    match pipeline::compile(
        Input::Text {
            name: "<mutant>",
            text,
        },
        &lode::loader::FsLoader::for_text(None),
    ) {
        Ok(compiled) => {
            let ev = eval::evaluate(
                &compiled.checked,
                &compiled.sources,
                &EvalOptions::default(),
            );
            let _ = render_all(&compiled.warnings, &compiled.sources, Style::plain());
            let _ = render_all(&ev.warnings, &compiled.sources, Style::plain());
            let opts = RenderOptions {
                color: false,
                width: Some(100),
            };
            for f in [Format::Json, Format::Csv, Format::Table, Format::Markdown] {
                let _ = report::render(&ev.results, f, &opts);
            }
            true
        }
        Err(failed) => {
            assert!(!failed.diags.is_empty(), "a failed compile must say why");
            let _ = render_all(&failed.diags, &failed.sources, Style::plain());
            false
        }
    }
}

/// All mutants, in a fixed order: file by file, `per_file` of each.
fn mutants(per_file: usize, seed: u64) -> Vec<(String, String)> {
    let mut rng = Rng(seed);
    let mut out = Vec::new();
    for (path, text) in corpus() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for k in 0..per_file {
            out.push((format!("{name}#{k}"), mutate(&mut rng, &text)));
        }
    }
    out
}

#[test]
fn tokens_round_trip() {
    for (path, text) in corpus() {
        assert_eq!(tokens(&text).concat(), text, "{}", path.display());
    }
}

#[test]
fn mutants_never_panic_in_the_library() {
    let files = corpus().len();
    let all = mutants(LIBRARY_MUTANTS.div_ceil(files), SEED);
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
        .clamp(1, 4);
    let started = Instant::now();
    // Panics are caught and reported below; keep the default hook's message
    // short by silencing it (the failure report names the mutant).
    let hook = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let compiled = std::sync::atomic::AtomicUsize::new(0);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let all = &all;
                let compiled = &compiled;
                std::thread::Builder::new()
                    // The size of the main thread's stack, which the CLI runs on.
                    .stack_size(8 << 20)
                    .spawn_scoped(s, move || {
                        let mut failures = Vec::new();
                        for (name, text) in all.iter().skip(t).step_by(threads) {
                            let t0 = Instant::now();
                            let result =
                                panic::catch_unwind(AssertUnwindSafe(|| pipeline(text.clone())));
                            let took = t0.elapsed();
                            if let Ok(true) = result {
                                compiled.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            }
                            if let Err(e) = result {
                                let msg = e
                                    .downcast_ref::<String>()
                                    .cloned()
                                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                    .unwrap_or_default();
                                failures.push(format!("{name} panicked: {msg}\n---\n{text}\n---"));
                            } else if took > LIBRARY_BOUND {
                                failures.push(format!("{name} took {took:?}\n---\n{text}\n---"));
                            }
                        }
                        failures
                    })
                    .expect("spawn a test thread")
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|_| vec!["a test thread died".into()])
            })
            .collect()
    });
    panic::set_hook(hook);
    eprintln!(
        "{} mutants on {threads} threads in {:?}; {} compiled and were evaluated",
        all.len(),
        started.elapsed(),
        compiled.into_inner()
    );
    assert!(
        failures.is_empty(),
        "{} of {} mutants failed; the first:\n{}",
        failures.len(),
        all.len(),
        failures[0]
    );
}

/// Runs `lode run -` with `text` on stdin; kills it after [`BINARY_BOUND`].
fn run_binary(text: &str) -> Result<(i32, String), String> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(["run", "-", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start lode: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let input = text.to_string();
    // Feed stdin from a thread so a child that stops reading cannot block us.
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(input.as_bytes());
    });
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > BINARY_BOUND => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("did not finish within {BINARY_BOUND:?}"));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(format!("wait failed: {e}")),
        }
    };
    let _ = feeder.join();
    let err = reader.join().unwrap_or_default();
    match status.code() {
        Some(code) => Ok((code, err)),
        None => Err(format!("killed by a signal (crash?)\n{err}")),
    }
}

#[test]
fn mutants_exit_0_or_1_from_the_binary() {
    let files = corpus().len();
    // A different seed: not the library's first mutants again.
    let all = mutants(BINARY_MUTANTS.div_ceil(files), SEED ^ 0xb1);
    let started = Instant::now();
    let mut failures = Vec::new();
    for (name, text) in &all {
        match run_binary(text) {
            Ok((0 | 1, err)) if !err.contains("panicked") && !err.contains("internal error") => {}
            Ok((code, err)) => failures.push(format!("{name}: exit {code}\n{err}\n---\n{text}")),
            Err(e) => failures.push(format!("{name}: {e}\n---\n{text}")),
        }
    }
    eprintln!(
        "{} mutants through the binary in {:?}",
        all.len(),
        started.elapsed()
    );
    assert!(
        failures.is_empty(),
        "{} of {} mutants failed; the first:\n{}",
        failures.len(),
        all.len(),
        failures[0]
    );
}
