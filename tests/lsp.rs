//! `lode lsp` as an editor runs it: a subprocess spoken to over pipes. Its
//! diagnostics for every fixture of `tests/diagnostics/` are those of
//! `lode check --format json`, with positions in UTF-16.
#![cfg(feature = "cli")]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next: i64,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_lode"))
            .arg("lsp")
            .env(
                "LODE_CACHE_DIR",
                std::env::temp_dir().join("lode-lsp-pipes"),
            )
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start lode lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length")];
                reader.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            messages: rx,
            next: 1,
        };
        s.request("initialize", json!({ "capabilities": {} }), &mut Vec::new());
        s.send(json!({ "jsonrpc": "2.0", "method": "initialized", "params": {} }));
        s
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a request and waits for its reply; notifications that arrive
    /// meanwhile go to `seen`.
    fn request(&mut self, method: &str, params: Value, seen: &mut Vec<Value>) -> Value {
        let id = self.next;
        self.next += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let msg = self
                .messages
                .recv_timeout(Duration::from_secs(60))
                .expect("a reply from lode lsp");
            if msg["id"] == id {
                assert!(msg.get("error").is_none(), "{method}: {msg}");
                return msg["result"].clone();
            }
            seen.push(msg);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null, &mut Vec::new());
        self.notify("exit", Value::Null);
        let status = self.child.wait().unwrap();
        assert!(status.success(), "{status}");
    }
}

fn uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().unwrap().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The LSP position of byte `offset`: the line is the number of line ends
/// before it, the character the UTF-16 units from the line's start.
fn position(text: &str, offset: usize) -> Value {
    let before = &text[..offset];
    let line = before.matches('\n').count();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let character = before[start..].encode_utf16().count();
    json!({ "line": line, "character": character })
}

/// What `lode check --format json FILE` prints.
fn check_json(file: &Path) -> Vec<Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_lode"))
        .args(["check", "--format", "json"])
        .arg(file)
        .output()
        .unwrap();
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn diagnostics_are_those_of_lode_check_for_every_fixture() {
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir("tests/diagnostics")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "lode"))
        .collect();
    fixtures.sort();
    let mut server = Server::start();
    let mut compared = 0;
    let mut diagnostics = 0;
    for fixture in &fixtures {
        let path = std::fs::canonicalize(fixture).unwrap();
        // An editor sends text, which cannot hold the bytes that are not
        // UTF-8 this fixture is about.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let expected = check_json(&path);
        let u = uri(&path);
        server.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u, "languageId": "lode", "version": 1, "text": text } }),
        );
        // A request after the change: its reply comes after the diagnostics.
        let mut seen = Vec::new();
        server.request(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": u } }),
            &mut seen,
        );
        let published: Vec<(String, Value)> = seen
            .iter()
            .filter(|m| m["method"] == "textDocument/publishDiagnostics")
            .flat_map(|m| {
                let uri = m["params"]["uri"].as_str().unwrap().to_string();
                m["params"]["diagnostics"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(move |d| (uri.clone(), d.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        let name = fixture.display();
        let mut got: Vec<String> = published
            .iter()
            .map(|(_, d)| d["data"].to_string())
            .collect();
        let mut want: Vec<String> = expected.iter().map(Value::to_string).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
        for (target, d) in &published {
            let data = &d["data"];
            assert_eq!(d["code"], data["code"], "{name}");
            assert_eq!(d["source"], "lode");
            let severity = if data["severity"] == "error" { 1 } else { 2 };
            assert_eq!(d["severity"], severity, "{name}");
            let mut message = data["message"].as_str().unwrap().to_string();
            if let Some(help) = data["help"].as_str() {
                message.push_str(&format!("\nhelp: {help}"));
            }
            assert_eq!(d["message"], message, "{name}");
            // The range is the byte span, in UTF-16 positions of the file
            // it is published for.
            let file_text = if *target == u {
                text.clone()
            } else {
                let p = PathBuf::from(target.strip_prefix("file://").unwrap());
                std::fs::read_to_string(p).unwrap()
            };
            if let Some(span) = data["span"].as_object() {
                let (s, e) = (
                    span["start"].as_u64().unwrap() as usize,
                    span["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(
                    d["range"],
                    json!({ "start": position(&file_text, s), "end": position(&file_text, e.min(file_text.len())) }),
                    "{name}"
                );
            }
            diagnostics += 1;
        }
        server.notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": u } }),
        );
        compared += 1;
    }
    assert!(compared >= 50, "only {compared} fixtures");
    assert!(diagnostics >= 50, "only {diagnostics} diagnostics");
    server.stop();
}

/// A short session over pipes: open, hover, complete, go to definition,
/// format, edit, exit.
#[test]
fn a_session_over_pipes() {
    let dir = tempfile::tempdir().unwrap();
    let path = std::fs::canonicalize(dir.path())
        .unwrap()
        .join("japan.lode");
    let text = "# Zoë's desk\nlet cut = 40%\nchina restricts rare_earths to JP by cut\nexpect JP.rare_earths.shortfall > 30%\n";
    std::fs::write(&path, text).unwrap();
    let u = uri(&path);
    let mut server = Server::start();
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": u, "languageId": "lode", "version": 1, "text": text } }),
    );
    let mut seen = Vec::new();
    let at = |line: u32, character: u32| json!({ "textDocument": { "uri": u }, "position": { "line": line, "character": character } });
    let hover = server.request("textDocument/hover", at(2, 2), &mut seen);
    let hover = hover["contents"]["value"].as_str().unwrap();
    assert!(hover.starts_with("**CN** — China"), "{hover}");
    assert!(hover.contains("aliases: china"), "{hover}");
    let published = seen
        .iter()
        .find(|m| m["method"] == "textDocument/publishDiagnostics")
        .expect("diagnostics on open");
    assert_eq!(published["params"]["diagnostics"], json!([]));
    let metric = server.request("textDocument/hover", at(3, 12), &mut seen);
    assert!(
        metric["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("in scenario `base`"),
        "{metric}"
    );
    let def = server.request("textDocument/definition", at(2, 38), &mut seen);
    assert_eq!(def["uri"], u);
    assert_eq!(def["range"]["start"], json!({ "line": 1, "character": 4 }));
    // Typing a restriction: minerals after `restricts`.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": u, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 4, "character": 0 }, "end": { "line": 4, "character": 0 } },
              "text": "CN restricts gal" } ] }),
    );
    let items = server.request("textDocument/completion", at(4, 16), &mut seen);
    let labels: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["gallium"]);
    // The half-typed line is a syntax error, said where it is.
    let errors = seen
        .iter()
        .rev()
        .find(|m| m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2)
        .expect("diagnostics after the change");
    assert_eq!(errors["params"]["diagnostics"][0]["code"], "lode::E0101");
    assert_eq!(
        errors["params"]["diagnostics"][0]["range"]["start"]["line"],
        4
    );
    let edits = server.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": u }, "options": { "tabSize": 2, "insertSpaces": true } }),
        &mut seen,
    );
    // A file that does not parse is not formatted.
    assert_eq!(edits, Value::Null);
    server.stop();
}
