//! The memory budget (SPEC §6, README "What lode guarantees"): a program
//! whose evaluation is estimated to need more memory than the limit is
//! refused with `lode::E0106` before it is evaluated; the diagnostic gives
//! the estimate, the limit and the option that raises it, and the same
//! program is accepted once the limit is raised.

use std::process::{Command, Output, Stdio};
use std::time::Instant;

use lode::check::CheckOptions;
use lode::eval::budget::{self, Budget, DEFAULT_MAX_MEMORY};
use lode::loader::MemoryLoader;
use lode::pipeline::{self, Input};
use lode::source::SourceMap;

fn codes(n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let l = |k: usize| char::from(b'A' + (k % 26) as u8);
            format!("{}{}{}", l(i / 676), l(i / 26), l(i))
        })
        .collect()
}

/// `actors` actors, each producing and consuming an equal share of each of
/// `minerals` minerals, in `scenarios` scenarios (base included).
fn world(actors: usize, minerals: usize, scenarios: usize) -> String {
    let cs = codes(actors);
    let share = 99.0 / actors as f64;
    let list: Vec<String> = cs.iter().map(|c| format!("{c} {share:.6}%")).collect();
    let list = list.join(", ");
    let mut text: String = cs
        .chunks(50)
        .map(|c| format!("actor {}\n", c.join(", ")))
        .collect();
    for m in 0..minerals {
        text.push_str(&format!(
            "mineral m{m} {{\n  supply: {list}\n  demand: {list}\n}}\n"
        ));
    }
    for s in 1..scenarios {
        text.push_str(&format!("scenario s{s} {{ allocation market }}\n"));
    }
    text
}

fn checked(text: &str) -> lode::program::Checked {
    let mut sources = SourceMap::new();
    let main = sources.add("w.lode", text.to_string(), None);
    let program = lode::syntax::parse(text, main).expect("parses");
    let loader = MemoryLoader::new();
    let opts = CheckOptions {
        loader: &loader,
        main_key: None,
        implicit_world: false,
    };
    match lode::check::check(&mut sources, main, program, opts) {
        Ok((c, _)) => c,
        Err(d) => panic!("does not check: {d:?}"),
    }
}

fn lode(args: &[&str], stdin: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lode");
    let mut pipe = child.stdin.take().expect("stdin");
    let bytes = stdin.as_bytes().to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&bytes);
    });
    let out = child.wait_with_output().expect("lode runs");
    let _ = feeder.join();
    out
}

/// The number of MiB in "about N MiB of memory".
fn estimated_mib(err: &str) -> u64 {
    let after = err.split("about ").nth(1).expect("an estimate");
    let number = after.split(' ').next().expect("a number");
    assert!(after[number.len()..].starts_with(" MiB"), "{err}");
    number.parse().expect("whole MiB")
}

#[test]
fn a_world_just_over_the_default_is_refused_and_fits_a_raised_limit() {
    // 2,000 actors supplying and buying 10 minerals, 6 scenarios: 120,000
    // rows, each listing up to 1,000 suppliers (a share of 0.0495% each)
    // at about 40 bytes: 4.9 GB of results, some 14% over 4 GiB
    // (4,294,967,296 bytes).
    let text = world(2_000, 10, 6);
    let c = checked(&text);
    let e = budget::estimate(&c);
    assert_eq!(e.rows, 120_000);
    assert_eq!(e.dependency_entries, 120_000 * 1_000);
    assert!(e.bytes > DEFAULT_MAX_MEMORY, "{e:?}");
    assert!(e.bytes < DEFAULT_MAX_MEMORY / 2 * 3, "{e:?}");

    // Refused at the default, before evaluating, naming the estimate, the
    // limit and the option.
    let loader = MemoryLoader::new().with("w.lode", text.clone());
    let Err(f) = pipeline::compile(Input::File(std::path::Path::new("w.lode")), &loader) else {
        panic!("a world over the budget compiles");
    };
    assert_eq!(f.diags.len(), 1);
    let d = &f.diags[0];
    assert_eq!(d.code.as_str(), "lode::E0106");
    assert!(d.message.contains(&budget::size(e.bytes)), "{}", d.message);
    assert!(d.message.contains("the limit is 4.0 GiB"), "{}", d.message);
    assert!(d.message.contains("--max-memory 5GiB"), "{}", d.message);

    // Within a raised limit it is accepted.
    assert!(
        budget::check_with(
            &c,
            &Budget {
                max_memory: 5 << 30
            }
        )
        .is_empty()
    );
    assert!(
        budget::check_with(
            &c,
            &Budget {
                max_memory: e.bytes
            }
        )
        .is_empty()
    );
    assert_eq!(
        budget::check_with(
            &c,
            &Budget {
                max_memory: e.bytes - 1
            }
        )
        .len(),
        1
    );
}

#[test]
fn the_option_raises_the_limit_of_every_command() {
    // A small world: refused under a limit below its estimate, run under
    // one at it.
    let text = world(200, 3, 2);
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("w.lode");
    std::fs::write(&file, &text).expect("write");
    let file = file.to_str().expect("UTF-8");
    let out = lode(&["run", file, "--max-memory", "1MiB"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lode::E0106"), "{err}");
    assert!(err.contains("the limit is 1 MiB"), "{err}");
    let mib = estimated_mib(&err);
    assert!(mib >= 2, "{err}");
    assert!(err.contains(&format!("--max-memory {mib}MiB")), "{err}");

    // The estimate is over mib − 1 MiB and at most mib MiB.
    let under = format!("{}MiB", mib - 1);
    let at = format!("{mib}MiB");
    for command in ["run", "test", "check"] {
        let out = lode(&[command, file, "--max-memory", &under], "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{command}: {err}");
        assert!(err.contains("lode::E0106"), "{command}: {err}");
        let out = lode(&[command, file, "--max-memory", &at], "");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("lode::E0106"), "{command}: {err}");
    }
    let out = lode(&["run", file, "--max-memory", &at, "--format", "csv"], "");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    // 2 scenarios × 3 minerals × 200 countries, and the header.
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 1_201);

    let out = lode(&["run", file, "--max-memory", "lots"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_hostile_world_is_refused_before_it_is_evaluated() {
    // 9,999 actors in one market and 1,000 scenarios: about 10 million rows
    // of up to 1,000 entries, hundreds of gigabytes. Refused from the
    // estimate, which assembles one scenario at a time.
    let text = world(9_999, 1, 1_000);
    let started = Instant::now();
    let out = lode(&["run", "-"], &text);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lode::E0106"), "{err}");
    assert!(err.contains("GiB of memory"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    eprintln!("refused in {:?}", started.elapsed());
}
