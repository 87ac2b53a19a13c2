//! The server in process, over `Connection::memory()`: a client sends what
//! an editor sends and reads the replies. (`tests/lsp.rs` runs `lode lsp`
//! as a subprocess.)

use std::path::Path;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use serde_json::{Value, json};

use super::position::LineIndex;

struct Client {
    conn: Connection,
    next: i32,
    /// Notifications read while waiting for something else.
    pending: Vec<Notification>,
    server: Option<JoinHandle<Result<(), String>>>,
}

const WAIT: Duration = Duration::from_secs(60);

impl Client {
    fn start() -> Client {
        Client::with_cache(std::env::temp_dir().join("lode-lsp-tests"))
    }

    fn with_cache(cache: std::path::PathBuf) -> Client {
        let (server, conn) = Connection::memory();
        let handle = std::thread::spawn(move || super::serve_with(&server, cache));
        let mut c = Client {
            conn,
            next: 1,
            pending: Vec::new(),
            server: Some(handle),
        };
        let init = c.request("initialize", json!({ "capabilities": {} }));
        assert!(init.response_result.is_ok(), "{init:?}");
        c.notify("initialized", json!({}));
        c
    }

    fn notify(&mut self, method: &str, params: Value) {
        let n = Notification::new(method.to_string(), params);
        self.conn.sender.send(Message::Notification(n)).unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Response {
        let id = RequestId::from(self.next);
        self.next += 1;
        let req = Request::new(id.clone(), method.to_string(), params);
        self.conn.sender.send(Message::Request(req)).unwrap();
        loop {
            match self.conn.receiver.recv_timeout(WAIT).expect("a reply") {
                Message::Response(r) if r.id == id => return r,
                Message::Notification(n) => self.pending.push(n),
                _ => {}
            }
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        match self.request(method, params).response_result {
            Ok(v) => v,
            Err(e) => panic!("{method}: {e:?}"),
        }
    }

    /// The next diagnostics published for `uri` at `version`.
    fn diagnostics(&mut self, uri: &str, version: i64) -> Vec<Value> {
        loop {
            if let Some(i) = self.pending.iter().position(|n| {
                n.method == "textDocument/publishDiagnostics"
                    && n.params["uri"] == uri
                    && n.params["version"] == version
            }) {
                let n = self.pending.remove(i);
                return n.params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            match self.conn.receiver.recv_timeout(WAIT).expect("diagnostics") {
                Message::Notification(n) => self.pending.push(n),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "lode", "version": 1, "text": text } }),
        );
        self.diagnostics(uri, 1)
    }

    fn at(&mut self, method: &str, uri: &str, line: u32, character: u32) -> Value {
        self.result(
            method,
            json!({ "textDocument": { "uri": uri }, "position": { "line": line, "character": character } }),
        )
    }

    fn labels(&mut self, uri: &str, line: u32, character: u32) -> Vec<String> {
        let items = self.at("textDocument/completion", uri, line, character);
        items
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    }

    fn stop(mut self) {
        let r = self.request("shutdown", Value::Null);
        assert!(r.response_result.is_ok());
        self.notify("exit", Value::Null);
        let result = self.server.take().unwrap().join().unwrap();
        assert_eq!(result, Ok(()));
    }
}

fn uri_of(path: &Path) -> String {
    super::files::to_uri(path).unwrap().as_str().to_string()
}

/// A world small enough to compute by hand.
const OWN: &str = "actor AA \"Aland\" alias aland, BB
group pair = AA + BB
mineral ore {
  supply: AA 100%
  source \"hand-made\"
  demand: BB 100%
}
let half = 50%
scenario cut {
  AA restricts ore to BB by half
}
report for pair, BB on ore
expect cut: BB.ore.at_risk == 50%
";

fn own_world() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("own.lode");
    std::fs::write(&path, OWN).unwrap();
    let uri = uri_of(&path);
    (dir, uri)
}

#[test]
fn diagnostics_follow_the_editors_text_and_columns_are_utf16() {
    let (_dir, uri) = own_world();
    let mut c = Client::start();
    assert_eq!(c.open(&uri, OWN), Vec::<Value>::new());
    // Line 13 (0-based): `actor DD "Zoë 🙂"; AA restricts ore to CC`.
    // Before CC: `actor DD ` 9 units, `"Zoë 🙂"` 8 (🙂 is two), `; ` 2 and
    // `AA restricts ore to ` 20: character 39. In bytes it is 42 (ë two,
    // 🙂 four).
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 2 }, "contentChanges": [
            { "range": { "start": { "line": 13, "character": 0 }, "end": { "line": 13, "character": 0 } },
              "text": "actor DD \"Zoë 🙂\"; AA restricts ore to CC\n" } ] }),
    );
    let diags = c.diagnostics(&uri, 2);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d["code"], "lode::E0201");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "lode");
    assert_eq!(
        d["range"],
        json!({ "start": { "line": 13, "character": 39 }, "end": { "line": 13, "character": 41 } })
    );
    // The record `lode check --format json` prints rides along: bytes and
    // 1-based character columns (`"Zoë 🙂"` is 7 characters, so 38
    // characters come before CC: column 39).
    let start = OWN.len() + 42;
    assert_eq!(
        d["data"]["span"],
        json!({ "start": start, "end": start + 2 })
    );
    assert_eq!(
        (d["data"]["line"].clone(), d["data"]["column"].clone()),
        (json!(14), json!(39))
    );
    // Hover after the non-ASCII text: `AA` is at characters 19..21.
    let h = c.at("textDocument/hover", &uri, 13, 20);
    assert!(
        h["contents"]["value"]
            .as_str()
            .unwrap()
            .starts_with("**AA** — Aland"),
        "{h}"
    );
    assert_eq!(
        h["range"],
        json!({ "start": { "line": 13, "character": 19 }, "end": { "line": 13, "character": 21 } })
    );
    // Removing the line clears the diagnostic.
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [
            { "range": { "start": { "line": 13, "character": 0 }, "end": { "line": 14, "character": 0 } }, "text": "" } ] }),
    );
    assert_eq!(c.diagnostics(&uri, 3), Vec::<Value>::new());
    c.stop();
}

#[test]
fn hover_names_actors_groups_minerals_variables_and_metric_values() {
    let (_dir, uri) = own_world();
    let mut c = Client::start();
    c.open(&uri, OWN);
    let hover = |c: &mut Client, line, ch| -> String {
        c.at("textDocument/hover", &uri, line, ch)["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    // `aland` in `actor AA "Aland" alias aland`: the actor, its aliases, its group.
    let actor = hover(&mut c, 0, 25);
    assert!(actor.contains("**AA** — Aland"), "{actor}");
    assert!(actor.contains("aliases: aland"), "{actor}");
    assert!(actor.contains("in: pair"), "{actor}");
    // `pair` in the report line.
    let group = hover(&mut c, 11, 12);
    assert!(
        group.contains("**pair** — group of 2 countries: AA, BB"),
        "{group}"
    );
    // The mineral in the restriction: its stage, its share line, its source.
    let ore = hover(&mut c, 9, 16);
    assert!(ore.contains("**ore** — stages: supply"), "{ore}");
    assert!(ore.contains("`supply`: AA 100.0%"), "{ore}");
    assert!(ore.contains("*source:* hand-made"), "{ore}");
    // The variable `half` after `by`: its statement and value.
    let var = hover(&mut c, 9, 30);
    assert!(var.contains("let half = 50%"), "{var}");
    assert!(var.contains("value: **50%**"), "{var}");
    // The metric of the expectation in scenario `cut`: BB takes all its
    // demand from AA, and the restriction halves that flow with nothing to
    // reroute to, so at risk = 1 − 0.5 = 50%.
    let metric = hover(&mut c, 12, 16);
    assert!(
        metric.contains("**BB.ore.at_risk** in scenario `cut`"),
        "{metric}"
    );
    assert!(metric.contains("value: **50.0%**"), "{metric}");
    assert!(metric.contains("passes"), "{metric}");
    // Nothing to say about a keyword.
    assert_eq!(c.at("textDocument/hover", &uri, 9, 6), Value::Null);
    c.stop();
}

/// The right-hand metric of a comparison between metrics has a value of
/// its own, in the scenario it names.
#[test]
fn hover_on_the_right_hand_metric_gives_its_value_in_its_scenario() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("compare.lode");
    // Line 12: the left side is in `base`, the right in `cut`.
    let text = OWN.replace(
        "expect cut: BB.ore.at_risk == 50%",
        "expect base: BB.ore.demand > cut: BB.ore.at_risk",
    );
    std::fs::write(&path, &text).unwrap();
    let uri = uri_of(&path);
    let mut c = Client::start();
    c.open(&uri, &text);
    // `expect base: BB.ore.demand > cut: ` is 6 + 1 + 5 + 1 + 13 + 1 + 1 + 1
    // + 4 + 1 = 34 characters: the right-hand path (14) runs from 34 to 48. In `cut`, AA's restriction halves BB's only
    // supply with nothing to reroute to: at risk = 1 − 0.5 = 50%.
    let h = c.at("textDocument/hover", &uri, 12, 40);
    let md = h["contents"]["value"].as_str().unwrap_or("");
    assert!(md.contains("**BB.ore.at_risk** in scenario `cut`"), "{md}");
    assert!(md.contains("value: **50.0%**"), "{md}");
    assert_eq!(
        h["range"],
        json!({ "start": { "line": 12, "character": 34 }, "end": { "line": 12, "character": 48 } })
    );
    // The left-hand path: BB's demand in base is the whole demand line, 100%.
    let left = c.at("textDocument/hover", &uri, 12, 16)["contents"]["value"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        left.contains("**BB.ore.demand** in scenario `base`"),
        "{left}"
    );
    assert!(left.contains("value: **100.0%**"), "{left}");
    c.stop();
}

#[test]
fn definitions_of_variables_scenarios_groups_files_and_world_data() {
    let (dir, uri) = own_world();
    let cache = tempfile::tempdir().unwrap();
    let mut c = Client::with_cache(cache.path().to_path_buf());
    c.open(&uri, OWN);
    let def = |c: &mut Client, line, ch| c.at("textDocument/definition", &uri, line, ch);
    let range = |l1, c1, l2, c2| json!({ "start": { "line": l1, "character": c1 }, "end": { "line": l2, "character": c2 } });
    // `half` → `let half`
    let d = def(&mut c, 9, 30);
    assert_eq!(
        (d["uri"].as_str().unwrap(), &d["range"]),
        (uri.as_str(), &range(7, 4, 7, 8))
    );
    // `cut:` → `scenario cut`
    assert_eq!(def(&mut c, 12, 8)["range"], range(8, 9, 8, 12));
    // `pair` → `group pair`
    assert_eq!(def(&mut c, 11, 12)["range"], range(1, 6, 1, 10));
    // `ore` in the restriction → `mineral ore`
    assert_eq!(def(&mut c, 9, 16)["range"], range(2, 8, 2, 11));
    // `BB` in the metric path → `actor …, BB`
    assert_eq!(def(&mut c, 12, 12)["range"], range(0, 30, 0, 32));

    // A file used by another: `use "data.lode"` opens it, and its actor is
    // defined there.
    let data = dir.path().join("data.lode");
    std::fs::write(
        &data,
        "actor XA, XB\nmineral dust {\n  supply: XA 100%\n  demand: XB 100%\n}\n",
    )
    .unwrap();
    let main = dir.path().join("main.lode");
    let text = "use \"data.lode\"\nXA restricts dust to XB\n";
    std::fs::write(&main, text).unwrap();
    let main_uri = uri_of(&main);
    assert_eq!(c.open(&main_uri, text), Vec::<Value>::new());
    let d = c.at("textDocument/definition", &main_uri, 0, 7);
    assert_eq!(d["uri"], uri_of(&std::fs::canonicalize(&data).unwrap()));
    let d = c.at("textDocument/definition", &main_uri, 1, 15);
    assert_eq!(d["range"], range(1, 8, 1, 12));

    // A world2024 name opens a read-only copy of the embedded data set at
    // the actor's line.
    let w = dir.path().join("w.lode");
    let wuri = uri_of(&w);
    c.open(&wuri, "china restricts gallium to JP\n");
    let d = c.at("textDocument/definition", &wuri, 0, 2);
    let target = super::files::to_path(&d["uri"].as_str().unwrap().parse().unwrap()).unwrap();
    assert!(target.starts_with(cache.path()), "{target:?}");
    let copy = std::fs::read_to_string(&target).unwrap();
    assert_eq!(copy, lode::data::dataset("world2024").unwrap());
    assert!(std::fs::metadata(&target).unwrap().permissions().readonly());
    let line = d["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(
        copy.lines()
            .nth(line)
            .unwrap()
            .starts_with("actor CN \"China\""),
        "{d}"
    );
    c.stop();
}

#[test]
fn completion_follows_the_statement() {
    let mut c = Client::start();
    let mut case = |text: &str| -> Vec<String> {
        let uri = format!("untitled:case-{}", text.len());
        c.open(&uri, text);
        let line = text.lines().count().saturating_sub(1) as u32;
        let ch = text.lines().last().unwrap_or("").encode_utf16().count() as u32;
        c.labels(&uri, line, ch)
    };
    // These lines do not parse yet: the names come from the rest.
    let minerals = case("CN restricts ");
    assert!(
        minerals.contains(&"rare_earths".to_string()),
        "{minerals:?}"
    );
    assert!(!minerals.contains(&"JP".to_string()), "{minerals:?}");
    let actors = case("CN restricts gallium to ");
    for want in ["JP", "all", "G7", "japan"] {
        assert!(actors.contains(&want.to_string()), "{want}: {actors:?}");
    }
    assert!(!actors.contains(&"gallium".to_string()));
    let metrics = case("expect JP.rare_earths.");
    for want in ["shortfall", "dependency", "at_risk"] {
        assert!(metrics.contains(&want.to_string()), "{want}: {metrics:?}");
    }
    assert!(!metrics.contains(&"JP".to_string()));
    let suppliers = case("expect JP.rare_earths.dependency.");
    assert!(suppliers.contains(&"CN".to_string()), "{suppliers:?}");
    let prefix = case("let x = 1\nCN restricts gal");
    assert_eq!(prefix, ["gallium"]);
    let rules = case("allocation ");
    assert_eq!(rules, ["sticky", "market", "coalition_first"]);
    c.stop();
}

/// The edit replaces only the word being typed, in UTF-16 columns.
#[test]
fn completion_replaces_the_word_being_typed() {
    let mut c = Client::start();
    let uri = "untitled:word";
    // `# é🙂` is 4 UTF-16 units; the word `gal` starts at 18 on line 1.
    c.open(uri, "# é🙂\nCN restricts gal");
    let items = c.at("textDocument/completion", uri, 1, 16);
    let first = &items[0];
    assert_eq!(first["label"], "gallium");
    assert_eq!(
        first["textEdit"]["range"],
        json!({ "start": { "line": 1, "character": 13 }, "end": { "line": 1, "character": 16 } })
    );
    c.stop();
}

#[test]
fn formatting_returns_the_canonical_layout() {
    let mut c = Client::start();
    let uri = "untitled:fmt";
    let text = "# keep\nlet  a=1;let b = 2   # two\n";
    c.open(uri, text);
    let edits = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    // The unchanged first line is not part of the edit.
    assert_eq!(
        edits[0]["range"]["start"],
        json!({ "line": 1, "character": 0 })
    );
    let idx = LineIndex::new(text);
    let pos = |v: &Value| {
        idx.offset(
            text,
            lsp_types::Position::new(
                v["line"].as_u64().unwrap() as u32,
                v["character"].as_u64().unwrap() as u32,
            ),
        )
    };
    let mut out = text.to_string();
    out.replace_range(
        pos(&edits[0]["range"]["start"])..pos(&edits[0]["range"]["end"]),
        edits[0]["newText"].as_str().unwrap(),
    );
    assert_eq!(out, "# keep\nlet a = 1\nlet b = 2  # two\n");
    // A file that does not parse gets no edit.
    let broken = "untitled:broken";
    c.open(broken, "CN restricts");
    let none = c.result(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": broken }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(none, Value::Null);
    c.stop();
}

#[test]
fn symbols_and_semantic_tokens() {
    let (_dir, uri) = own_world();
    let mut c = Client::start();
    c.open(&uri, OWN);
    let symbols = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri } }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["AA", "BB", "pair", "ore", "half", "cut"]);
    assert_eq!(symbols[0]["detail"], "Aland");
    assert_eq!(symbols[2]["detail"], "AA + BB");
    let nested = "untitled:nested";
    c.open(
        nested,
        "mineral m {\n  stages a, b\n}\nscenario s {\n  let x = 1\n}\n",
    );
    let inner = c.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": nested } }),
    );
    assert_eq!(inner[0]["detail"], "a → b");
    assert_eq!(inner[0]["children"][1]["name"], "b");
    assert_eq!(inner[1]["children"][0]["name"], "x");
    assert_eq!(
        inner[1]["selectionRange"],
        json!({ "start": { "line": 3, "character": 9 }, "end": { "line": 3, "character": 10 } })
    );
    let tokens = c.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let data: Vec<u64> = tokens["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    // Decode (line, start, length, type) back to absolute positions.
    let (mut line, mut col) = (0, 0);
    let mut decoded = Vec::new();
    for t in data.chunks(5) {
        if t[0] > 0 {
            line += t[0];
            col = t[1];
        } else {
            col += t[1];
        }
        decoded.push((line, col, t[2], t[3]));
    }
    let types = &super::handlers::capabilities();
    let legend = match &types.semantic_tokens_provider {
        Some(lsp_types::SemanticTokensServerCapabilities::SemanticTokensOptions(o)) => {
            o.legend.token_types.clone()
        }
        _ => panic!("no legend"),
    };
    let kind = |line: u64, col: u64| -> String {
        let t = decoded
            .iter()
            .find(|d| d.0 == line && d.1 == col)
            .unwrap_or_else(|| panic!("no token at {line}:{col}: {decoded:?}"));
        legend[t.3 as usize].as_str().to_string()
    };
    assert_eq!(kind(0, 0), "keyword"); // actor
    assert_eq!(kind(0, 6), "class"); // AA
    assert_eq!(kind(0, 9), "string"); // "Aland"
    assert_eq!(kind(1, 6), "namespace"); // pair
    assert_eq!(kind(2, 8), "type"); // ore
    assert_eq!(kind(3, 2), "enumMember"); // supply
    assert_eq!(kind(9, 28), "variable"); // half
    assert_eq!(kind(12, 7), "function"); // cut
    assert_eq!(kind(12, 15), "type"); // ore in BB.ore.at_risk
    assert_eq!(kind(12, 19), "property"); // at_risk
    assert_eq!(kind(12, 30), "number"); // 50%
    c.stop();
}

#[test]
fn a_panic_in_a_handler_is_an_error_reply_and_the_server_goes_on() {
    let (_dir, uri) = own_world();
    let mut c = Client::start();
    c.open(&uri, OWN);
    let r = c.request("lode/panic", Value::Null);
    let e = r.response_result.expect_err("an error");
    assert_eq!(e.code, lsp_server::ErrorCode::InternalError as i32);
    assert!(e.message.contains("a deliberate panic"), "{}", e.message);
    let h = c.at("textDocument/hover", &uri, 0, 6);
    assert!(h["contents"]["value"].as_str().unwrap().contains("Aland"));
    let unknown = c.request("textDocument/rename", json!({}));
    assert_eq!(
        unknown.response_result.err().map(|e| e.code),
        Some(lsp_server::ErrorCode::MethodNotFound as i32)
    );
    c.stop();
}

/// A small deterministic generator (xorshift), for random edits.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A thousand random edits of a real scenario file, with non-ASCII text
/// and positions past the ends of lines, each followed by a random request:
/// no reply is an error, and each comes back. The times are in
/// PERFORMANCE.md (the bound here only catches a hang).
#[test]
fn a_thousand_random_edits() {
    let mut text = std::fs::read_to_string("scenarios/japan_2026.lode").unwrap();
    let uri = "untitled:random";
    let mut c = Client::start();
    c.open(uri, &text);
    let snippets = [
        " ",
        "\n",
        "é",
        "🙂",
        "CN ",
        "restricts ",
        "rare_earths",
        ".",
        "JP.rare_earths.",
        "{",
        "}",
        "#",
        "\"",
        "60%",
        ";",
        "(",
        ")",
        "+-",
        "scenario x {\n",
        "expect ",
        "\r\n",
        "let",
        "to all except G7",
        "日本",
    ];
    let methods = [
        "textDocument/hover",
        "textDocument/completion",
        "textDocument/definition",
        "textDocument/documentSymbol",
        "textDocument/semanticTokens/full",
        "textDocument/formatting",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut times: Vec<(Duration, &str)> = Vec::new();
    for version in 2..1002 {
        let idx = LineIndex::new(&text);
        let lines = text.lines().count().max(1);
        let pos = |rng: &mut Rng| {
            lsp_types::Position::new(rng.below(lines + 1) as u32, rng.below(90) as u32)
        };
        let start = pos(&mut rng);
        let (end, insert) = if rng.below(3) == 0 {
            let mut end = start;
            end.character += rng.below(20) as u32;
            (end, String::new())
        } else {
            (start, snippets[rng.below(snippets.len())].to_string())
        };
        let (s, e) = (idx.offset(&text, start), idx.offset(&text, end));
        let (s, e) = (s.min(e), s.max(e));
        text.replace_range(s..e, &insert);
        c.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [
                { "range": { "start": start, "end": end }, "text": insert } ] }),
        );
        let method = methods[rng.below(methods.len())];
        let at = pos(&mut rng);
        let params = json!({ "textDocument": { "uri": uri }, "position": at,
                             "options": { "tabSize": 2, "insertSpaces": true } });
        let t0 = Instant::now();
        let r = c.request(method, params);
        times.push((t0.elapsed(), method));
        assert!(
            r.response_result.is_ok(),
            "{method} after edit {version}: {:?}",
            r.response_result
        );
    }
    // The server's text is the client's.
    let symbols_ok = c.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": uri }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert!(symbols_ok.response_result.is_ok());
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| ms(times[((times.len() - 1) as f64 * q) as usize].0);
    eprintln!(
        "1000 edits, one request each: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({})",
        p(0.5),
        p(0.9),
        p(0.99),
        ms(times[times.len() - 1].0),
        times[times.len() - 1].1
    );
    assert!(
        times[times.len() - 1].0 < Duration::from_secs(10),
        "a reply took {:?}",
        times[times.len() - 1]
    );
    c.stop();
}
