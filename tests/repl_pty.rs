//! `lode repl` end to end in a pseudo-terminal: the real binary, rustyline
//! and all. The checks look for plain text only (NO_COLOR is set, and no
//! test relies on an exact escape sequence), with generous timeouts.
#![cfg(unix)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::process::unix::WaitStatus;
use expectrl::session::OsSession;
use expectrl::{ControlCode, Eof, Expect, Regex, Session};

const PROMPT: &str = "lode> ";
const CONTINUE: &str = "...> ";
/// A value as the REPL prints it, on a line of its own.
const PERCENT: &str = r"\n\d+\.\d%\r?\n";

fn spawn(history: &Path, args: &[&str]) -> OsSession {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_lode"));
    cmd.arg("repl")
        .args(args)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm")
        .env("LODE_HISTORY", history)
        .env("COLUMNS", "100");
    let mut p = Session::spawn(cmd).expect("lode repl starts in a pty");
    p.set_expect_timeout(Some(Duration::from_secs(60)));
    p
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Waits for the prompt; returns what came before it.
fn prompt(p: &mut OsSession) -> String {
    let found = p.expect(PROMPT).expect("the prompt appears");
    text(found.before())
}

fn enter(p: &mut OsSession, line: &str) {
    p.send(format!("{line}\r")).expect("send a line");
}

fn quits_cleanly(mut p: OsSession) {
    enter(&mut p, ":quit");
    p.expect(Eof).expect("the REPL leaves on :quit");
    match p.get_process().wait() {
        Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, 0, ":quit exits with 0"),
        other => panic!("unexpected end of the REPL: {other:?}"),
    }
}

#[test]
fn prompt_banner_statements_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    let banner = prompt(&mut p);
    assert!(
        banner.contains("world2024"),
        "the banner says world2024 is loaded: {banner}"
    );
    enter(
        &mut p,
        "coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP",
    );
    prompt(&mut p);
    enter(&mut p, "JP.rare_earths.shortfall");
    let found = p.expect(Regex(PERCENT)).expect("a value is printed");
    assert_ne!(
        text(found.get(0).unwrap()).trim(),
        "0.0%",
        "the restriction bites"
    );
    prompt(&mut p);
    quits_cleanly(p);
}

#[test]
fn a_block_continues_at_the_continuation_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    prompt(&mut p);
    enter(&mut p, "scenario cut {");
    p.expect(CONTINUE).expect("`...> ` inside an open block");
    enter(&mut p, "  CN bans gallium to US");
    p.expect(CONTINUE).expect("still inside the block");
    enter(&mut p, "}");
    let before = prompt(&mut p);
    assert!(!before.contains('×'), "the block is accepted: {before}");
    enter(&mut p, "cut: US.gallium.shortfall");
    p.expect(Regex(PERCENT)).expect("the scenario's value");
    prompt(&mut p);
    quits_cleanly(p);
}

#[test]
fn a_typo_shows_the_diagnostic_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    prompt(&mut p);
    enter(&mut p, "JP.rare_earth.shortfall");
    p.expect("did you mean `rare_earths`")
        .expect("a suggestion for the typo");
    prompt(&mut p);
    // The session is still there and unchanged.
    enter(&mut p, "JP.rare_earths.shortfall");
    let found = p.expect(Regex(PERCENT)).expect("a value");
    assert_eq!(text(found.get(0).unwrap()).trim(), "0.0%");
    prompt(&mut p);
    quits_cleanly(p);
}

#[test]
fn tab_completes_a_mineral_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    prompt(&mut p);
    p.send("JP.rare_e").unwrap();
    p.send("\t").unwrap();
    p.expect("rare_earths").expect("the mineral is completed");
    // Only a completed name makes this line a valid query.
    enter(&mut p, ".demand");
    let found = p.expect(Regex(PERCENT)).expect("the completed query runs");
    let before = text(found.before());
    assert!(!before.contains("unknown"), "{before}");
    prompt(&mut p);
    quits_cleanly(p);
}

#[test]
fn ctrl_c_clears_the_line_and_ctrl_d_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    prompt(&mut p);
    p.send("china bans everything to everyone").unwrap();
    p.send(ControlCode::EndOfText).unwrap(); // Ctrl-C
    prompt(&mut p);
    // Also inside a block: Ctrl-C drops the unfinished block.
    enter(&mut p, "scenario half {");
    p.expect(CONTINUE).unwrap();
    p.send(ControlCode::EndOfText).unwrap();
    prompt(&mut p);
    enter(&mut p, "JP.rare_earths.demand");
    let found = p
        .expect(Regex(PERCENT))
        .expect("the next line runs on its own");
    let before = text(found.before());
    assert!(
        !before.contains('×'),
        "nothing of the cleared lines ran: {before}"
    );
    prompt(&mut p);
    p.send(ControlCode::EndOfTransmission).unwrap(); // Ctrl-D
    p.expect(Eof).expect("Ctrl-D leaves");
}

#[test]
fn history_is_written_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("state").join("history");
    let mut p = spawn(&history, &["--empty"]);
    let banner = prompt(&mut p);
    assert!(banner.contains("empty"), "{banner}");
    enter(&mut p, "let remembered = 42");
    prompt(&mut p);
    quits_cleanly(p);
    let written = std::fs::read_to_string(&history).expect("a history file was written");
    assert!(written.contains("let remembered = 42"), "{written}");
    assert!(written.contains(":quit"), "{written}");

    // A new session reads it back: Up, Up recalls the `let` (before
    // `:quit`), and Enter runs it again.
    let mut p = spawn(&history, &["--empty"]);
    prompt(&mut p);
    p.send("\x1b[A").unwrap();
    p.send("\x1b[A").unwrap();
    p.send("\r").unwrap();
    let before = prompt(&mut p);
    assert!(!before.contains('×'), "{before}");
    enter(&mut p, "remembered / 2");
    p.expect(Regex(r"\n21\r?\n"))
        .expect("the recalled `let` ran again");
    prompt(&mut p);
    quits_cleanly(p);
}

/// Lines typed (or pasted without bracketed paste) faster than the REPL
/// reads them. rustyline keeps such type-ahead between two prompts only
/// with its `buffer-redux` feature; without it the lines after the first are
/// lost.
#[test]
fn a_block_typed_ahead_is_read_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut p = spawn(&dir.path().join("history"), &[]);
    prompt(&mut p);
    p.send("scenario y {\r  disrupt CD cobalt by 50%\r}\ry: US.cobalt.shortfall\r")
        .unwrap();
    let found = p
        .expect(Regex(PERCENT))
        .expect("the block and the query ran");
    let before = text(found.before());
    assert!(!before.contains('×'), "{before}");
    prompt(&mut p);
    quits_cleanly(p);
}
