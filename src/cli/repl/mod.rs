//! The interactive session (SPEC §7): `lode repl [FILE] [--empty]`, a
//! terminal over the library's [`lode::session`] engine.
//!
//! - `helper`: the rustyline layer (completion, hints, highlighting,
//!   validation) — the only file that imports rustyline.
//!
//! This file reads input: with rustyline on a terminal (prompts, history,
//! `...> ` continuation), or line by line from a pipe (no banner, no prompts,
//! no history; exit code 1 if any input failed), and writes `:save` files.

mod helper;

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use rustyline::{CompletionType, Config, Editor};

use super::{ExitCode, color_allowed, output, stderr_style};
use helper::LodeHelper;
use lode::session::{Display, Reply, Session, Start, StartError};

const PROMPT: &str = "lode> ";
const CONTINUE: &str = "...> ";

pub fn command(file: Option<&Path>, empty: bool) -> ExitCode {
    let start = match (file, empty) {
        (Some(f), _) => Start::File(f.to_path_buf()),
        (None, true) => Start::Empty,
        (None, false) => Start::World,
    };
    let mut session = match Session::new(start) {
        Ok(s) => s,
        Err(StartError::Io(m)) => {
            output::stderr(&format!("error: {m}\n"));
            return ExitCode::Usage;
        }
        Err(StartError::Invalid(rendered)) => {
            output::stderr(&rendered);
            return ExitCode::Failed;
        }
    };
    session.saver = Box::new(|path: &Path, text: &str| {
        output::write_file(path, text).map_err(|e| e.to_string())
    });
    let stdout_tty = std::io::stdout().is_terminal();
    session.display = Display {
        diagnostics: stderr_style(),
        color: stdout_tty && color_allowed(),
        width: if stdout_tty { None } else { Some(120) },
    };
    if std::io::stdin().is_terminal() && stdout_tty {
        interactive(session)
    } else {
        piped(session)
    }
}

/// Prints a reply; false when stdout is gone.
fn print(reply: &Reply) -> bool {
    if !reply.diagnostics.is_empty() {
        output::stderr(&reply.diagnostics);
    }
    output::stdout(&reply.output).is_ok()
}

/// Standard input is not a terminal: read lines, answer each input.
fn piped(mut session: Session) -> ExitCode {
    output::stderr(&session.start_warnings());
    let mut stdin = std::io::stdin().lock();
    let mut failed = false;
    let mut pending = String::new();
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match stdin.read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                output::stderr(&format!("error: cannot read standard input: {e}\n"));
                return ExitCode::Usage;
            }
        }
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches(['\n', '\r']);
        if pending.is_empty() && line.trim_start().starts_with(':') {
            let reply = session.input(line);
            failed |= reply.failed;
            if !print(&reply) || reply.quit {
                return exit(failed);
            }
            continue;
        }
        pending.push_str(line);
        if lode::syntax::is_incomplete(&pending) {
            pending.push('\n');
            continue;
        }
        let reply = session.input(&pending);
        pending.clear();
        failed |= reply.failed;
        if !print(&reply) {
            return exit(failed);
        }
    }
    if !pending.trim().is_empty() {
        let reply = session.input(&pending);
        failed |= reply.failed;
        print(&reply);
    }
    exit(failed)
}

fn exit(failed: bool) -> ExitCode {
    if failed {
        ExitCode::Failed
    } else {
        ExitCode::Ok
    }
}

/// A terminal: rustyline with prompts, completion, hints and history.
fn interactive(mut session: Session) -> ExitCode {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(false)
        .history_ignore_dups(true)
        .and_then(|b| b.max_history_size(10_000))
        .map(|b| b.build())
        .unwrap_or_default();
    let mut rl: Editor<LodeHelper, DefaultHistory> = match Editor::with_config(config) {
        Ok(rl) => rl,
        Err(e) => {
            output::stderr(&format!("error: cannot start the line editor: {e}\n"));
            return ExitCode::Usage;
        }
    };
    rl.set_helper(Some(LodeHelper::new(session.vocabulary(), color_allowed())));
    let history = history_path();
    if let Some(path) = &history {
        // A missing file is the first session; anything else is not worth stopping for.
        let _ = rl.load_history(path);
    }
    let mut history = history;
    output::stderr(&session.banner());
    output::stderr(&session.start_warnings());
    let mut pending = String::new();
    loop {
        let prompt = if pending.is_empty() { PROMPT } else { CONTINUE };
        match rl.readline(prompt) {
            Ok(line) => {
                let is_command = pending.is_empty() && line.trim_start().starts_with(':');
                pending.push_str(&line);
                if !is_command && lode::syntax::is_incomplete(&pending) {
                    pending.push('\n');
                    continue;
                }
                let text = std::mem::take(&mut pending);
                if !text.trim().is_empty() {
                    let _ = rl.add_history_entry(text.as_str());
                    if let Some(path) = &history {
                        if let Err(e) = save_history(&mut rl, path) {
                            output::stderr(&format!(
                                "warning: cannot write the history file `{}`: {e}\n",
                                path.display()
                            ));
                            history = None;
                        }
                    }
                }
                let reply = session.input(&text);
                if !print(&reply) || reply.quit {
                    break;
                }
                if let Some(h) = rl.helper_mut() {
                    h.vocab = session.vocabulary();
                }
            }
            // Ctrl-C: drop the line (and any unfinished block), keep going.
            Err(ReadlineError::Interrupted) => pending.clear(),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                output::stderr(&format!("error: {e}\n"));
                return ExitCode::Usage;
            }
        }
    }
    ExitCode::Ok
}

fn save_history(rl: &mut Editor<LodeHelper, DefaultHistory>, path: &Path) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        if !dir.as_os_str().is_empty() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
    }
    rl.append_history(path).map_err(|e| e.to_string())
}

/// `$LODE_HISTORY`, else `$XDG_STATE_HOME/lode/history` (the platform's
/// state directory), else `~/.lode_history`.
pub fn history_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("LODE_HISTORY").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(dir) = dirs::state_dir() {
        return Some(dir.join("lode").join("history"));
    }
    dirs::home_dir().map(|h| h.join(".lode_history"))
}
