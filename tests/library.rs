//! The engine as a library: every read goes through the host's loader, the
//! library builds without the front ends, and the REPL and `lode run` share
//! one pipeline.

use std::path::Path;
use std::sync::Arc;

use lode::eval::{EvalOptions, Silent};
use lode::loader::{Loader, MemoryLoader};
use lode::pipeline::{self, Input};
use lode::session::{Session, Start};

fn compile_memory(loader: &MemoryLoader, main: &str) -> pipeline::Compiled {
    match pipeline::compile(Input::File(Path::new(main)), loader) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

/// A world kept in memory: `use "data/x.lode"` resolves to a string, and the
/// numbers are the SPEC's for that world.
#[test]
fn use_resolves_to_an_in_memory_source() {
    let loader = MemoryLoader::new()
        .with(
            "proj/main.lode",
            "use \"data/world.lode\"\nAA restricts ore to BB by 50%\nreport for BB on ore",
        )
        .with(
            "proj/data/world.lode",
            "actor AA, BB\nmineral ore {\n  supply: AA 100%\n  demand: BB 100%\n}",
        );
    let c = compile_memory(&loader, "proj/main.lode");
    let run = pipeline::evaluate(&c, &EvalOptions::default(), &Silent);
    let row = &run.results.scenarios[0].rows[0];
    assert_eq!((row.actor.as_str(), row.mineral.as_str()), ("BB", "ore"));
    // BB imports everything from AA; the restriction halves that flow and
    // nothing reroutes: at risk = 1 − 0.5·1/1 = 50%.
    assert_eq!(row.at_risk, Some(0.5));
    assert_eq!(row.import_reliance, Some(1.0));
    // The used file is a source of the program, named by its path.
    let names: Vec<String> = (0..c.sources.len() as u32)
        .filter_map(|i| c.sources.get(lode::source::SourceId(i)))
        .map(|f| f.name.clone())
        .collect();
    assert!(
        names.contains(&"proj/data/world.lode".to_string()),
        "{names:?}"
    );
}

#[test]
fn an_in_memory_use_cannot_leave_its_root() {
    let loader = MemoryLoader::new()
        .with("p/main.lode", "use \"../secret.lode\"\nactor AA")
        .with("secret.lode", "actor ZZ")
        .rooted("p");
    let Err(f) = pipeline::compile(Input::File(Path::new("p/main.lode")), &loader) else {
        panic!("a use outside the root compiled");
    };
    assert_eq!(f.diags[0].code, lode::diagnostic::Code::OutsideRoot);
}

/// Nothing on disk is read: a loader that refuses everything is asked
/// for the `use` and for nothing else.
#[test]
fn text_programs_read_only_through_the_loader() {
    struct Refuse(std::sync::Mutex<Vec<String>>);
    impl Loader for Refuse {
        fn main(&self, path: &Path) -> Result<lode::loader::Loaded, lode::loader::LoadError> {
            self.0.lock().unwrap().push(path.display().to_string());
            Err(lode::loader::LoadError::Io("refused".into()))
        }
        fn resolve(
            &self,
            written: &str,
            _: Option<&Path>,
        ) -> Result<lode::loader::Loaded, lode::loader::LoadError> {
            self.0.lock().unwrap().push(written.to_string());
            Err(lode::loader::LoadError::Io("refused".into()))
        }
    }
    let loader = Refuse(Default::default());
    let text = "use \"Cargo.toml\"\nactor AA".to_string();
    let r = pipeline::compile(Input::Text { name: "t", text }, &loader);
    assert!(r.is_err());
    assert_eq!(*loader.0.lock().unwrap(), vec!["Cargo.toml".to_string()]);
}

/// `cargo tree --no-default-features -e normal` lists none of the front
/// ends' crates: the library builds without them.
#[test]
fn the_library_does_without_the_front_ends() {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["tree", "--no-default-features", "-e", "normal", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    for front in ["clap", "rustyline", "indicatif", "crossterm", "tempfile"] {
        assert!(
            !tree.contains(&format!(" {front} v")),
            "{front} is in the library's tree:\n{tree}"
        );
    }
    assert!(tree.contains(" pest v"), "{tree}");
}

/// A mineral named like a metric does not change how values print: the
/// metric's type decides, not the text of the expectation.
#[test]
fn lode_test_formats_by_the_metric_not_the_name() {
    let loader = MemoryLoader::new().with(
        "t.lode",
        "actor AA, BB\nmineral hhi_ore {\n  supply: AA 100%\n  demand: BB 100%\n}\n\
         AA bans hhi_ore to BB\n\
         expect BB.hhi_ore.shortfall < 50%\n\
         expect BB.hhi_ore.hhi < 5000\n",
    );
    let report = lode::testing::test_file(Path::new("t.lode"), &loader);
    let text = lode::testing::text_report(&[report], 0, 2);
    // The ban leaves BB nothing: shortfall 100%, missed by 100 − 50 = 50 pp.
    // BB buys all from AA: HHI = 10000·1² = 10000, missed by 5000.
    assert!(
        text.contains("expect BB.hhi_ore.shortfall < 50%: actual 100.00%, missed by 50.00 pp"),
        "{text}"
    );
    assert!(
        text.contains("expect BB.hhi_ore.hhi < 5000: actual 10000.0, missed by 5000.0"),
        "{text}"
    );
}

/// A world whose results would not fit lode's default memory budget: one
/// market of 9,000 actors, in 20 scenarios.
fn too_large() -> String {
    let n = 9_000;
    let codes: Vec<String> = (0..n)
        .map(|i| {
            let l = |k: usize| char::from(b'A' + (k % 26) as u8);
            format!("{}{}{}", l(i / 676), l(i / 26), l(i))
        })
        .collect();
    let share = 99.0 / n as f64;
    let list: Vec<String> = codes.iter().map(|c| format!("{c} {share:.6}%")).collect();
    let declare: String = codes
        .chunks(50)
        .map(|c| format!("actor {}\n", c.join(", ")))
        .collect();
    let scenarios: String = (1..20).map(|i| format!("scenario s{i} {{ }}\n")).collect();
    format!(
        "{declare}mineral m {{\n  supply: {}\n  demand: {}\n}}\n{scenarios}",
        list.join(", "),
        list.join(", ")
    )
}

/// What `lode run` refuses for size, the REPL refuses the same way, from a
/// `:load` and from typed input.
#[test]
fn the_repl_applies_the_same_limits_as_run() {
    let text = too_large();
    let loader = Arc::new(MemoryLoader::new().with("big.lode", text.clone()));
    let run = pipeline::compile(Input::File(Path::new("big.lode")), loader.as_ref());
    let Err(f) = run else {
        panic!("lode run evaluates a market over the limit")
    };
    assert_eq!(f.diags[0].code.as_str(), "lode::E0106");

    let mut s = Session::with_loader(Start::Empty, loader).expect("empty session");
    let r = s.input(":load big.lode");
    assert!(r.failed, "{}", r.output);
    assert!(r.diagnostics.contains("lode::E0106"), "{}", r.diagnostics);
    let r = s.input(&text);
    assert!(r.failed);
    assert!(r.diagnostics.contains("lode::E0106"), "{}", r.diagnostics);
    // The session is unchanged.
    assert!(s.checked().world.minerals.is_empty());
}

fn compile_text(text: &str) -> pipeline::Compiled {
    let loader = MemoryLoader::new();
    match pipeline::compile(
        Input::Text {
            name: "t",
            text: text.to_string(),
        },
        &loader,
    ) {
        Ok(c) => c,
        Err(f) => panic!(
            "does not compile: {:?}",
            f.diags.iter().map(|d| &d.message).collect::<Vec<_>>()
        ),
    }
}

/// Every use of a name is recorded with what it resolved to.
#[test]
fn uses_point_to_their_definitions() {
    use lode::program::Def;
    let text = "let cut = 40%\nchina restricts rare_earths.refining to JP by cut";
    let c = compile_text(text);
    let main = c.main;
    let at = |word: &str, nth: usize| {
        let start = text.match_indices(word).nth(nth).expect("in the text").0;
        lode::source::Span::new(main, start, start + word.len())
    };
    let world = &c.checked.world;
    let cn = world.actor_ids().find(|&a| world.actors[a].code == "CN");
    assert_eq!(c.checked.def_at(at("china", 0)), cn.map(Def::Actor));
    let jp = world.actor_ids().find(|&a| world.actors[a].code == "JP");
    assert_eq!(c.checked.def_at(at("JP", 0)), jp.map(Def::Actor));
    let re = world
        .mineral_ids()
        .find(|&m| world.minerals[m].name == "rare_earths")
        .expect("rare_earths");
    assert_eq!(
        c.checked.def_at(at("rare_earths", 0)),
        Some(Def::Mineral(re))
    );
    let refining = world.minerals[re]
        .stages
        .iter()
        .position(|s| s == "refining")
        .expect("a refining stage");
    assert_eq!(
        c.checked.def_at(at("refining", 0)),
        Some(Def::Stage(re, refining))
    );
    // `by cut` uses the `let` on the first line.
    assert_eq!(
        c.checked.def_at(at("cut", 1)),
        Some(Def::Variable(at("cut", 0)))
    );
    // world2024 was brought in implicitly: its names are defined there.
    let cn_decl = world.actors[cn.expect("CN")].span;
    assert_eq!(
        c.sources.get(cn_decl.source).map(|f| f.name.as_str()),
        Some("world2024")
    );
}

/// Each share entry keeps its own span, in the file that wrote it.
#[test]
fn share_entries_keep_their_spans() {
    let c = compile_text("use world2024");
    let world = &c.checked.world;
    let re = world
        .minerals
        .iter()
        .find(|m| m.name == "rare_earths")
        .expect("rare_earths");
    let mining = re.stage_shares[0].as_ref().expect("a mining line");
    for e in &mining.entries {
        let written = c.sources.text(e.span);
        assert!(
            written.starts_with(&world.actors[e.actor].code),
            "{written:?} is not {}'s entry",
            world.actors[e.actor].code
        );
    }
}

/// A `let` with a range is one input shared by its uses; new values for
/// the inputs are evaluated without checking again.
#[test]
fn new_values_without_rebuilding_the_structure() {
    use lode::eval::{assemble, evaluate_mineral};
    use lode::program::{ActionKind, InputKind, MineralId, ScenarioId, Values};
    let c = compile_text(
        "actor AA, BB, CC\nmineral ore {\n  supply: AA 100%\n  demand: BB 50%, CC 50%\n}\n\
         let cut = 20%..60%\nAA restricts ore to BB by cut\nAA restricts ore to CC by cut",
    );
    let ck = &c.checked;
    assert_eq!(ck.inputs.len(), 1);
    assert_eq!(
        ck.inputs[0].kind,
        InputKind::Range {
            low: 0.2,
            mode: None,
            high: 0.6
        }
    );
    let fractions: Vec<_> = ck.scenarios[ScenarioId::BASE]
        .actions
        .iter()
        .filter_map(|a| match &a.kind {
            ActionKind::Restrict { fraction, .. } => Some(*fraction),
            _ => None,
        })
        .collect();
    // Both restrictions read the one draw: plain value the midpoint, 40%.
    assert_eq!(fractions.len(), 2);
    assert!(fractions.iter().all(|f| (f.plain - 0.4).abs() < 1e-12));
    assert!(fractions[0].param.is_some() && fractions[1].param.is_some());

    let state = assemble::scenario(ck, ScenarioId::BASE, None);
    let ore = MineralId(0);
    let bb = ck
        .world
        .actor_ids()
        .find(|&a| ck.world.actors[a].code == "BB")
        .unwrap();
    for (cut, at_risk) in [(0.2, 0.2), (0.4, 0.4), (0.6, 0.6)] {
        let values = Values::from_inputs(ck, vec![cut]);
        let ev = evaluate_mineral(ck, &state, ore, &values);
        let x = ev.exposure(ck, lode::program::Subject::Actor(bb));
        // BB imports all its need from AA; sticky: at risk = cut.
        assert!(
            (x.x.at_risk - at_risk).abs() < 1e-12,
            "cut {cut}: {}",
            x.x.at_risk
        );
    }
}

/// Comments and blank lines are kept beside the tree.
#[test]
fn comments_are_kept_beside_the_tree() {
    use lode::ast::TriviaKind;
    let text = "# a scenario\n\nactor AA # the only one\n";
    let p = lode::syntax::parse(text, lode::source::SourceId(0)).expect("parses");
    let kinds: Vec<(TriviaKind, &str)> = p
        .trivia
        .iter()
        .map(|t| (t.kind, &text[t.span.start..t.span.end]))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (TriviaKind::Comment, "# a scenario"),
            (TriviaKind::BlankLine, ""),
            (TriviaKind::Comment, "# the only one"),
        ]
    );
}
