//! File safety (SPEC §2.1, §5; issue 8): `-o` replaces a file atomically or
//! not at all, a killed run never leaves a half-written file, `use` never
//! reads outside the project root, and a closed stdout is not a crash.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const OLD: &str = "the previous results, which must survive\n";

fn lode() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lode"));
    c.env("NO_COLOR", "1").stdin(Stdio::null());
    c
}

fn run(args: &[&str]) -> Output {
    lode().args(args).output().expect("run lode")
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, text).expect("write fixture");
    path
}

/// Names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------- -o

#[test]
fn a_failed_run_leaves_the_old_output_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = write(dir.path(), "out.json", OLD);
    let bad = write(dir.path(), "bad.lode", "CN restricts unobtainium to JP\n");
    let broken = write(dir.path(), "broken.lode", "scenario {\n");
    let before = listing(dir.path());
    for format in ["table", "json", "csv", "markdown"] {
        let r = run(&["run", s(&bad), "--format", format, "-o", s(&out)]);
        assert_eq!(r.status.code(), Some(1), "{}", stderr(&r));
        assert!(stderr(&r).contains("lode::E0202"), "{}", stderr(&r));
        assert_eq!(std::fs::read_to_string(&out).expect("read"), OLD);
        assert_eq!(listing(dir.path()), before, "no temporary file is left");
    }
    // Nor does a syntax error, a missing input or a usage error.
    for args in [
        vec!["run", s(&broken), "-o", s(&out)],
        vec!["run", "missing.lode", "-o", s(&out)],
        vec!["run", s(&bad), "--scenario", "nope", "-o", s(&out)],
    ] {
        let r = run(&args);
        assert!(matches!(r.status.code(), Some(1 | 2)), "{}", stderr(&r));
        assert_eq!(std::fs::read_to_string(&out).expect("read"), OLD);
    }
    assert_eq!(listing(dir.path()), before);
}

#[test]
fn a_good_run_replaces_the_old_output_whole() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = write(dir.path(), "out.json", OLD);
    let good = write(
        dir.path(),
        "good.lode",
        "use world2024\nscenario cut { CN restricts rare_earths to JP }\n",
    );
    let r = run(&["run", s(&good), "--format", "json", "-o", s(&out)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let text = std::fs::read_to_string(&out).expect("read");
    let json: serde_json::Value = serde_json::from_str(&text).expect("complete JSON");
    assert_eq!(json["scenarios"][1]["name"], "cut");
    assert_eq!(listing(dir.path()), vec!["good.lode", "out.json"]);
}

#[test]
fn an_unwritable_target_is_an_io_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(dir.path(), "good.lode", "use world2024\n");
    // Into a directory that does not exist, and onto a directory.
    let missing = dir.path().join("no/such/dir/out.json");
    let r = run(&["run", s(&good), "-o", s(&missing)]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    let r = run(&["run", s(&good), "-o", s(dir.path())]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert_eq!(listing(dir.path()), vec!["good.lode"]);
}

#[cfg(unix)]
#[test]
fn output_gets_ordinary_permissions_or_keeps_the_old_ones() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
    let dir = tempfile::tempdir().expect("tempdir");
    // What any new file gets here (0666 less the umask), not a private 0600.
    let plain = write(dir.path(), "plain.txt", "x");
    let fresh = dir.path().join("fresh.json");
    let r = run(&["run", "-e", "let x = 1", "-o", s(&fresh)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(mode(&fresh), mode(&plain));
    // A replaced file keeps its mode.
    let kept = write(dir.path(), "kept.json", OLD);
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let r = run(&["run", "-e", "let x = 1", "-o", s(&kept)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(mode(&kept), 0o640);
}

/// A program whose JSON output is several megabytes, so a kill can land
/// while it is being written.
fn large_program() -> String {
    let mut text = String::from("use world2024\nscenario s0 { CN restricts rare_earths to JP }\n");
    for i in 1..300 {
        text.push_str(&format!(
            "scenario s{i} extends s{} {{ CN restricts graphite to US by 1% }}\n",
            i - 1
        ));
    }
    text
}

#[test]
fn a_killed_run_leaves_the_old_file_or_the_new_one_never_half() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = write(dir.path(), "large.lode", &large_program());
    // The complete new output, for comparison, and how long a run takes.
    let reference = dir.path().join("reference.json");
    let started = Instant::now();
    let r = run(&["run", s(&program), "--format", "json", "-o", s(&reference)]);
    let full = started.elapsed();
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let new = std::fs::read(&reference).expect("reference");
    assert!(new.len() > 1 << 20, "output is large: {} bytes", new.len());

    // Kill at delays spread over the second half of a run and a little past
    // it (a fixed sequence: the same delays every time), so some land in
    // evaluation and some in the write, sync or rename.
    let out = dir.path().join("out.json");
    let tries = 16u32;
    let (mut old_seen, mut new_seen) = (0, 0);
    for k in 0..tries {
        std::fs::write(&out, OLD).expect("old file");
        let delay = full.mul_f64(0.5 + 0.6 * f64::from((k * 7) % tries) / f64::from(tries));
        let mut child = lode()
            .args(["run", s(&program), "--format", "json", "-o", s(&out)])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL: no destructors, no cleanup
        let _ = child.wait();
        let now = std::fs::read(&out).expect("the target always exists");
        if now == OLD.as_bytes() {
            old_seen += 1;
        } else if now == new {
            new_seen += 1;
        } else {
            panic!(
                "after a kill at {delay:?} the file is neither old nor new ({} of {} bytes)",
                now.len(),
                new.len()
            );
        }
        // A killed process cannot remove its temporary file; never mind it,
        // but make sure it is never the target itself.
        for name in listing(dir.path()) {
            if name.starts_with(".lode-") {
                std::fs::remove_file(dir.path().join(name)).expect("remove temp");
            }
        }
    }
    eprintln!("{tries} kills over {full:?}: old file {old_seen} times, new file {new_seen} times");
}

// ---------------------------------------------------------------- use and the root

/// A file outside the root whose content would give its own error if it
/// were ever read: an invalid byte (E0103) and a syntax error (E0101).
fn bait(dir: &Path) -> PathBuf {
    let path = dir.join("secret.lode");
    std::fs::write(&path, b"\xff\xfe not lode @@@\n").expect("bait");
    path
}

#[track_caller]
fn refused(out: &Output) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("lode::E0601"), "{err}");
    assert!(
        !err.contains("E0103") && !err.contains("E0101"),
        "the target was read:\n{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn use_cannot_climb_out_of_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    let root = outside.path().join("project");
    bait(outside.path());
    let main = write(&root, "main.lode", "use \"../secret.lode\"\n");
    refused(&run(&["run", s(&main)]));
    refused(&run(&["check", s(&main)]));
    // Deeper, through a directory that exists.
    write(&root, "sub/x.lode", "");
    let main = write(&root, "main2.lode", "use \"sub/../../secret.lode\"\n");
    refused(&run(&["run", s(&main)]));
    // From a nested file: the root stays the main file's directory.
    write(&root, "sub/inner.lode", "use \"../../secret.lode\"\n");
    let main = write(&root, "main3.lode", "use \"sub/inner.lode\"\n");
    refused(&run(&["run", s(&main)]));
}

#[test]
fn use_cannot_name_an_absolute_path_outside_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = bait(outside.path());
    let root = tempfile::tempdir().expect("tempdir");
    let main = write(
        root.path(),
        "main.lode",
        &format!("use \"{}\"\n", s(&secret)),
    );
    refused(&run(&["run", s(&main)]));
    // Not even with `-e`, whose root is the working directory.
    let out = lode()
        .current_dir(root.path())
        .args(["run", "-e", &format!("use \"{}\"", s(&secret))])
        .output()
        .expect("run");
    refused(&out);
}

#[cfg(unix)]
#[test]
fn use_cannot_follow_a_symbolic_link_out_of_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    let secret = bait(outside.path());
    let root = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink(&secret, root.path().join("link.lode")).expect("symlink");
    std::os::unix::fs::symlink(outside.path(), root.path().join("dirlink")).expect("symlink");
    let main = write(root.path(), "main.lode", "use \"link.lode\"\n");
    refused(&run(&["run", s(&main)]));
    let main = write(root.path(), "main2.lode", "use \"dirlink/secret.lode\"\n");
    refused(&run(&["run", s(&main)]));
}

#[test]
fn use_inside_the_root_and_a_wider_root_are_fine() {
    let outside = tempfile::tempdir().expect("tempdir");
    let root = outside.path().join("project");
    write(outside.path(), "shared.lode", "group shared = JP + US\n");
    write(&root, "sub/data.lode", "group buyers = JP + KR\n");
    let main = write(
        &root,
        "main.lode",
        "use world2024\nuse \"sub/../sub/data.lode\"\nCN restricts rare_earths to buyers\n",
    );
    let r = run(&["run", s(&main)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    // `--root` widens it.
    let main = write(
        &root,
        "main2.lode",
        "use world2024\nuse \"../shared.lode\"\n",
    );
    refused(&run(&["run", s(&main)]));
    let r = run(&["run", s(&main), "--root", s(outside.path())]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
}

// ---------------------------------------------------------------- stdout

#[test]
fn a_closed_stdout_is_not_a_crash() {
    // `lode run FILE | head -1`: the reader goes away after one line, and
    // the output is far larger than a pipe's buffer.
    let dir = tempfile::tempdir().expect("tempdir");
    let program = write(dir.path(), "large.lode", &large_program());
    for format in ["table", "json"] {
        let mut child = lode()
            .args(["run", s(&program), "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let mut stdout = child.stdout.take().expect("stdout");
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).expect("some output");
        drop(stdout);
        let mut err = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("stderr");
        let status = child.wait().expect("wait");
        assert!(!err.contains("panicked"), "{err}");
        assert_eq!(status.code(), Some(0), "{format}: {status:?}\n{err}");
    }
    // The same through a shell, as users write it, where there is one.
    let sh = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' run '{}' | head -1 >/dev/null; echo \"${{PIPESTATUS:-}}\"",
            env!("CARGO_BIN_EXE_lode"),
            s(&program)
        ))
        .stderr(Stdio::piped())
        .output();
    if let Ok(out) = sh {
        assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    }
}

#[test]
fn a_killed_reader_does_not_hang_lode() {
    let dir = tempfile::tempdir().expect("tempdir");
    let program = write(dir.path(), "large.lode", &large_program());
    let mut child = lode()
        .args(["run", s(&program), "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            assert_eq!(status.code(), Some(0));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "lode hangs on a closed pipe"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

// ---------------------------------------------------------------- -o onto what is there

/// A program with one row whose CSV is known: XB imports all its ore.
const SMALL: &str = "actor XA, XB\nmineral ore {\n  supply: XA 100%\n  demand: XB 100%\n}\n";

#[test]
fn dash_is_standard_output_not_a_file_named_dash() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "p.lode", SMALL);
    let r = lode()
        .current_dir(dir.path())
        .args(["run", "p.lode", "--format", "csv", "-o", "-"])
        .output()
        .expect("run");
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let out = String::from_utf8_lossy(&r.stdout);
    assert!(out.starts_with("scenario,actor,"), "{out}");
    assert!(out.contains("base,XB,country,ore,1,"), "{out}");
    assert_eq!(listing(dir.path()), vec!["p.lode"]);
}

#[cfg(unix)]
#[test]
fn dev_stdout_is_standard_output_and_stays_a_link() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    let r = run(&["run", s(&p), "--format", "csv", "-o", "/dev/stdout"]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert!(String::from_utf8_lossy(&r.stdout).contains("base,XB,country,ore,1,"));
    let meta = std::fs::symlink_metadata("/dev/stdout").expect("/dev/stdout");
    assert!(meta.file_type().is_symlink(), "/dev/stdout is still a link");
}

#[cfg(unix)]
#[test]
fn a_symbolic_link_to_a_file_stays_a_link_and_its_file_is_replaced() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    write(dir.path(), "real.csv", OLD);
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).expect("symlink");
    let r = run(&["run", s(&p), "--format", "csv", "-o", s(&link)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let meta = std::fs::symlink_metadata(&link).expect("link");
    assert!(meta.file_type().is_symlink(), "the link stays a link");
    let text = std::fs::read_to_string(dir.path().join("real.csv")).expect("read");
    assert!(text.contains("base,XB,country,ore,1,"), "{text}");
    assert_eq!(listing(dir.path()), vec!["link.csv", "p.lode", "real.csv"]);
}

#[cfg(unix)]
#[test]
fn a_dangling_link_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    let link = dir.path().join("link.csv");
    std::os::unix::fs::symlink("nowhere.csv", &link).expect("symlink");
    let r = run(&["run", s(&p), "-o", s(&link)]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(
        stderr(&r).contains("it is a symbolic link to `nowhere.csv`, which does not exist"),
        "{}",
        stderr(&r)
    );
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(listing(dir.path()), vec!["link.csv", "p.lode"]);
}

/// Made with `mkfifo`; read without blocking, so the test never hangs
/// whatever lode does with it.
#[cfg(unix)]
#[test]
fn a_fifo_is_written_in_place_and_stays_a_fifo() {
    use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("no mkfifo here; skipped");
        return;
    }
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&fifo)
        .expect("open the FIFO to read");
    let mut child = lode()
        .args(["run", s(&p), "--format", "csv", "-o", s(&fifo)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut got = Vec::new();
    let started = Instant::now();
    let status = loop {
        let mut buf = [0u8; 4096];
        match reader.read(&mut buf) {
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read: {e}"),
        }
        if let Some(status) = child.try_wait().expect("wait") {
            // Whatever is still in the pipe.
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                got.extend_from_slice(&buf[..n]);
            }
            break status;
        }
        assert!(started.elapsed() < Duration::from_secs(60), "lode hangs");
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err)
        .expect("stderr");
    assert_eq!(status.code(), Some(0), "{err}");
    let got = String::from_utf8_lossy(&got);
    assert!(
        got.contains("base,XB,country,ore,1,"),
        "read from the FIFO: {got:?}"
    );
    let meta = std::fs::symlink_metadata(&fifo).expect("still there");
    assert!(meta.file_type().is_fifo(), "still a FIFO");
    assert_eq!(listing(dir.path()), vec!["p.lode", "pipe"]);
}

/// A character device is written in place, never renamed over. As root a
/// device node of our own (a copy of /dev/null, major 1 minor 3) in a
/// temporary directory stands for /dev/null, so a regression could never
/// replace the real one; otherwise /dev/null itself, which a user cannot
/// replace anyway.
#[cfg(unix)]
#[test]
fn a_character_device_stays_a_character_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    let node = dir.path().join("null");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let device = if made {
        node
    } else {
        PathBuf::from("/dev/null")
    };
    let r = run(&["run", s(&p), "-o", s(&device)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    let meta = std::fs::symlink_metadata(&device).expect("still there");
    assert!(
        meta.file_type().is_char_device(),
        "{} is still a device",
        device.display()
    );
    let expected: Vec<&str> = if made {
        vec!["null", "p.lode"]
    } else {
        vec!["p.lode"]
    };
    assert_eq!(listing(dir.path()), expected);
}

/// Leftovers of a killed run (our prefix and suffix, a regular file of
/// ours, untouched for over a minute) are removed by the next write to
/// that directory; anything else is left alone.
#[cfg(unix)]
#[test]
fn stale_temporary_files_of_a_killed_run_are_removed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = write(dir.path(), "p.lode", SMALL);
    let old = std::time::SystemTime::now() - Duration::from_secs(120);
    let aged = |name: &str| {
        let path = write(dir.path(), name, "half a result");
        let f = std::fs::File::options()
            .write(true)
            .open(&path)
            .expect("open");
        f.set_modified(old).expect("set mtime");
    };
    aged(".lode-a1b2c3d4e5f6.tmp"); // a killed run's: removed
    write(dir.path(), ".lode-0f0f0f0f0f0f.tmp", "being written"); // fresh: kept
    aged(".lode-notes.txt"); // not our suffix: kept
    aged("keep.tmp"); // not our prefix: kept
    std::os::unix::fs::symlink("keep.tmp", dir.path().join(".lode-777777777777.tmp"))
        .expect("symlink"); // a link is never ours: kept
    let out = dir.path().join("out.csv");
    let r = run(&["run", s(&p), "--format", "csv", "-o", s(&out)]);
    assert_eq!(r.status.code(), Some(0), "{}", stderr(&r));
    assert_eq!(
        listing(dir.path()),
        vec![
            ".lode-0f0f0f0f0f0f.tmp",
            ".lode-777777777777.tmp",
            ".lode-notes.txt",
            "keep.tmp",
            "out.csv",
            "p.lode"
        ]
    );
}

/// The REPL's `:save` goes the same way: onto a link, the file it points
/// to is replaced and the link stays.
#[cfg(unix)]
#[test]
fn save_onto_a_link_keeps_the_link() {
    use std::io::Write;
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "real.lode", OLD);
    std::os::unix::fs::symlink("real.lode", dir.path().join("link.lode")).expect("symlink");
    let mut child = lode()
        .current_dir(dir.path())
        .args(["repl", "--empty"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"let x = 2\n:save link.lode\n")
        .expect("input");
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let meta = std::fs::symlink_metadata(dir.path().join("link.lode")).expect("link");
    assert!(meta.file_type().is_symlink());
    let saved = std::fs::read_to_string(dir.path().join("real.lode")).expect("read");
    assert!(saved.contains("let x = 2"), "{saved}");
}

/// `-o` onto the program or a file it uses would replace the source with
/// results: refused with `lode::E0603` before anything is evaluated (the
/// expectation below would fail, exit 1, if it were), whatever the path
/// is spelt like, and the files are untouched.
#[test]
fn output_onto_a_source_file_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = write(dir.path(), "data.lode", SMALL);
    let program_text = "use \"data.lode\"\nexpect XB.ore.shortfall > 50%\n";
    let program = write(dir.path(), "s.lode", program_text);
    let spelt_otherwise = dir.path().join("sub/../s.lode");
    std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
    let cases = [
        (program.clone(), "s.lode`, the program itself"),
        (spelt_otherwise, "s.lode`, the program itself"),
        (data.clone(), "data.lode`, a file the program uses"),
    ];
    for (target, says) in cases {
        let r = run(&["run", s(&program), "-o", s(&target)]);
        assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
        let err = stderr(&r);
        assert!(err.contains("lode::E0603"), "{err}");
        assert!(err.contains(says), "{err}");
        assert_eq!(
            std::fs::read_to_string(&program).expect("read"),
            program_text
        );
        assert_eq!(std::fs::read_to_string(&data).expect("read"), SMALL);
    }
    #[cfg(unix)]
    {
        let link = dir.path().join("link.lode");
        std::os::unix::fs::symlink("data.lode", &link).expect("symlink");
        let r = run(&["run", s(&program), "-o", s(&link)]);
        assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
        assert!(stderr(&r).contains("lode::E0603"), "{}", stderr(&r));
        assert_eq!(std::fs::read_to_string(&data).expect("read"), SMALL);
    }
    // `lode test -o` onto a file under test, likewise.
    let r = run(&["test", s(dir.path()), "-o", s(&program)]);
    assert_eq!(r.status.code(), Some(2), "{}", stderr(&r));
    assert!(stderr(&r).contains("lode::E0603"), "{}", stderr(&r));
    assert_eq!(
        std::fs::read_to_string(&program).expect("read"),
        program_text
    );
}
