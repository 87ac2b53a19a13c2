//! Structure-aware fuzzing: `arbitrary` builds a valid-looking lode program
//! (actors, minerals with stages and share lines, groups, coalitions,
//! variables, restrictions, disruptions, adds, stockpiles, allocations,
//! scenarios, reports, comparisons, expectations), which is rendered to text
//! and run through the same pipeline as `parse_check_eval`. Names come from
//! small pools so most references resolve and the evaluator, not just the
//! checker, gets exercised. Afterwards, noise goes anywhere in the text:
//! byte-order marks, bare `\r`, wide characters, runs of blanks thousands
//! long.
#![no_main]

mod common;

use std::fmt::Write;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

const ACTORS: &[&str] = &[
    "CN", "JP", "US", "AU", "DE", "MY", "MM", "IN", "KR", "FR", "CD", "CL", "ROW", "ZZ", "china",
];
const GROUPS: &[&str] = &["G7", "EU", "allies", "buyers", "QX"];
const MINERALS: &[&str] = &[
    "rare_earths",
    "graphite",
    "gallium",
    "lithium",
    "cobalt",
    "germanium",
    "widget",
    "m",
];
const STAGES: &[&str] = &["mining", "refining", "magnets", "supply", "smelting"];
const VARS: &[&str] = &["cut", "jp_stock", "x", "vol"];
const SCENARIOS: &[&str] = &["base", "a", "b", "cutoff", "response"];
const METRICS: &[&str] = &[
    "demand",
    "import_reliance",
    "top_supplier",
    "top_supplier_share",
    "hhi",
    "at_risk",
    "shortfall",
    "cover_days",
    "dependency",
    "output",
    "nonsense",
];
const UNITS: &[&str] = &[
    "%", "%", "%", "", " t", " kt", " Mt", " days", " months", " years",
];

fn pick<'a>(pool: &[&'a str], i: u8) -> &'a str {
    pool[i as usize % pool.len()]
}

#[derive(Arbitrary, Debug)]
struct Program {
    use_world: bool,
    declare_world: bool,
    items: Vec<Item>,
    scenarios: Vec<Scenario>,
    /// Text put into the rendered program afterwards, anywhere.
    noise: Vec<Noise>,
}

/// Characters a careless or hostile file holds between (or inside) tokens:
/// a byte-order mark (a blank to the grammar, three bytes long), a bare
/// `\r` (a line end to lode), other wide characters, long runs of blanks.
#[derive(Arbitrary, Debug)]
struct Noise {
    /// Where, as a fraction of the text's length (0 to 65,535).
    at: u16,
    kind: u8,
    /// For runs: how long, in thousands.
    len: u8,
}

const NOISE: &[&str] = &[
    "\u{feff}", "\r", "\r\n", "é", "±", "日", "\u{a0}", "\t", "\"", "+ -",
];

fn add_noise(text: &mut String, noise: &[Noise]) {
    for n in noise.iter().take(8) {
        let mut at = text.len() * usize::from(n.at) / 65_536;
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let run;
        let what = match n.kind % (NOISE.len() as u8 + 2) {
            k if usize::from(k) < NOISE.len() => NOISE[usize::from(k)],
            k if usize::from(k) == NOISE.len() => {
                run = " ".repeat(usize::from(n.len) * 1_000);
                run.as_str()
            }
            _ => {
                run = format!("{}\r", "x".repeat(usize::from(n.len) * 1_000));
                run.as_str()
            }
        };
        text.insert_str(at, what);
    }
}

#[derive(Arbitrary, Debug)]
struct Scenario {
    name: u8,
    extends: Option<u8>,
    body: Vec<Stmt>,
}

#[derive(Arbitrary, Debug)]
enum Item {
    Actor {
        codes: Vec<u8>,
        name: bool,
        alias: Option<u8>,
        gdp: Option<u16>,
    },
    Group {
        name: u8,
        members: Vec<u8>,
    },
    Mineral(Mineral),
    Coalition {
        name: Option<u8>,
        members: Vec<u8>,
        covers: Option<(u8, Vec<u8>)>,
    },
    Report {
        rows: Vec<u8>,
        minerals: Vec<u8>,
    },
    Compare(Vec<u8>),
    Stmt(Stmt),
    /// Something repeated many times: sizes are where limits live.
    Bulk {
        kind: u8,
        count: u16,
    },
}

#[derive(Arbitrary, Debug)]
struct Mineral {
    name: u8,
    stages: Vec<u8>,
    volume: Option<Num>,
    lines: Vec<(Option<u8>, Vec<Share>)>,
    sourcing: Vec<(u8, Option<u8>, Vec<Share>)>,
    source: bool,
}

#[derive(Arbitrary, Debug)]
struct Share {
    actor: u8,
    pct: u8,
}

#[derive(Arbitrary, Debug)]
enum Stmt {
    Let(u8, Expr),
    Restrict {
        actor: u8,
        ban: bool,
        minerals: Vec<MRef>,
        target: Target,
        by: Option<Expr>,
    },
    Disrupt {
        actor: u8,
        minerals: Vec<MRef>,
        by: Expr,
    },
    Adds {
        actor: u8,
        amount: Expr,
        minerals: Vec<MRef>,
    },
    Stockpile {
        actor: u8,
        minerals: Vec<MRef>,
        amount: Expr,
    },
    Rerouting(Expr),
    Allocation(u8, Option<u8>),
    Override {
        mineral: Option<u8>,
        line: Option<u8>,
        shares: Vec<Share>,
    },
    Sourcing {
        buyer: u8,
        target: MRef,
        shares: Vec<Share>,
    },
    Expect {
        scenario: Option<u8>,
        actor: u8,
        mineral: u8,
        metric: u8,
        key: u8,
        op: u8,
        rhs: Expr,
        code_rhs: Option<u8>,
        tolerance: Option<Num>,
    },
}

#[derive(Arbitrary, Debug)]
enum Target {
    All,
    AllExcept(Vec<u8>),
    Actors(Vec<u8>),
}

#[derive(Arbitrary, Debug)]
struct MRef {
    mineral: u8,
    stage: Option<u8>,
    bare_stage: bool,
}

#[derive(Arbitrary, Debug)]
struct Num {
    int: u16,
    frac: Option<u8>,
    unit: u8,
}

/// A flat expression: `[-](atom) op [-](atom) …`, with optional parentheses
/// around each atom, so no generator recursion is needed.
#[derive(Arbitrary, Debug)]
struct Expr {
    first: Atom,
    rest: Vec<(u8, Atom)>,
}

#[derive(Arbitrary, Debug)]
struct Atom {
    neg: bool,
    paren: bool,
    kind: AtomKind,
}

#[derive(Arbitrary, Debug)]
enum AtomKind {
    Pct(u8),
    Num(Num),
    Var(u8),
    Money(u16, u8),
    Range(u8, u8),
}

fn num(out: &mut String, n: &Num) {
    let _ = write!(out, "{}", n.int);
    if let Some(f) = n.frac {
        let _ = write!(out, ".{f}");
    }
    out.push_str(pick(UNITS, n.unit));
}

fn atom(out: &mut String, a: &Atom) {
    if a.neg {
        out.push('-');
    }
    if a.paren {
        out.push('(');
    }
    match &a.kind {
        AtomKind::Pct(p) => {
            let _ = write!(out, "{}%", p % 101);
        }
        AtomKind::Num(n) => num(out, n),
        AtomKind::Var(v) => out.push_str(pick(VARS, *v)),
        AtomKind::Money(m, s) => {
            let _ = write!(out, "${m}{}", pick(&["", "M", "B", "T"], *s));
        }
        AtomKind::Range(lo, hi) => {
            let _ = write!(out, "{}%..{}%", lo % 101, hi % 101);
        }
    }
    if a.paren {
        out.push(')');
    }
}

fn expr(out: &mut String, e: &Expr) {
    atom(out, &e.first);
    for (op, a) in e.rest.iter().take(6) {
        out.push_str(pick(
            &[" + ", " - ", " * ", " / ", " + -", " +-", " - -"],
            *op,
        ));
        atom(out, a);
    }
}

fn list(out: &mut String, pool: &[&str], items: &[u8], sep: &str) {
    if items.is_empty() {
        out.push_str(pool[0]);
    }
    for (i, x) in items.iter().take(8).enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(pick(pool, *x));
    }
}

fn actor_or_group(i: u8) -> &'static str {
    if i < 200 {
        pick(ACTORS, i)
    } else {
        pick(GROUPS, i)
    }
}

fn members(out: &mut String, items: &[u8]) {
    if items.is_empty() {
        out.push_str("JP");
    }
    for (i, x) in items.iter().take(8).enumerate() {
        if i > 0 {
            out.push_str(" + ");
        }
        out.push_str(actor_or_group(*x));
    }
}

fn shares(out: &mut String, s: &[Share]) {
    if s.is_empty() {
        out.push_str("CN 50%");
    }
    for (i, sh) in s.iter().take(8).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{} {}%", pick(ACTORS, sh.actor), sh.pct % 101);
    }
}

fn mineral_refs(out: &mut String, refs: &[MRef]) {
    if refs.is_empty() {
        out.push_str("rare_earths");
    }
    for (i, r) in refs.iter().take(4).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        if r.bare_stage {
            out.push_str(pick(STAGES, r.mineral));
            continue;
        }
        out.push_str(pick(MINERALS, r.mineral));
        if let Some(s) = r.stage {
            out.push('.');
            out.push_str(pick(STAGES, s));
        }
    }
}

fn stmt(out: &mut String, s: &Stmt) {
    match s {
        Stmt::Let(v, e) => {
            let _ = write!(out, "let {} = ", pick(VARS, *v));
            expr(out, e);
        }
        Stmt::Restrict {
            actor,
            ban,
            minerals,
            target,
            by,
        } => {
            let verb = if *ban { "bans" } else { "restricts" };
            let _ = write!(out, "{} {verb} ", pick(ACTORS, *actor));
            mineral_refs(out, minerals);
            out.push_str(" to ");
            match target {
                Target::All => out.push_str("all"),
                Target::AllExcept(m) => {
                    out.push_str("all except ");
                    members(out, m);
                }
                Target::Actors(m) => members(out, m),
            }
            if let Some(e) = by {
                out.push_str(" by ");
                expr(out, e);
            }
        }
        Stmt::Disrupt {
            actor,
            minerals,
            by,
        } => {
            let _ = write!(out, "disrupt {} ", pick(ACTORS, *actor));
            mineral_refs(out, minerals);
            out.push_str(" by ");
            expr(out, by);
        }
        Stmt::Adds {
            actor,
            amount,
            minerals,
        } => {
            let _ = write!(out, "{} adds ", pick(ACTORS, *actor));
            expr(out, amount);
            out.push(' ');
            mineral_refs(out, minerals);
        }
        Stmt::Stockpile {
            actor,
            minerals,
            amount,
        } => {
            let _ = write!(out, "stockpile {} ", pick(ACTORS, *actor));
            mineral_refs(out, minerals);
            out.push(' ');
            expr(out, amount);
        }
        Stmt::Rerouting(e) => {
            out.push_str("rerouting ");
            expr(out, e);
        }
        Stmt::Allocation(r, c) => {
            let _ = write!(
                out,
                "allocation {}",
                pick(&["sticky", "market", "coalition_first"], *r)
            );
            if let Some(c) = c {
                let _ = write!(out, " {}", pick(GROUPS, *c));
            }
        }
        Stmt::Override {
            mineral,
            line,
            shares: s,
        } => {
            let line = line.map_or("demand", |l| pick(STAGES, l));
            match mineral {
                Some(m) => {
                    let _ = write!(out, "{}.{line}: ", pick(MINERALS, *m));
                }
                None => {
                    let _ = write!(out, "{line}: ");
                }
            }
            shares(out, s);
        }
        Stmt::Sourcing {
            buyer,
            target,
            shares: s,
        } => {
            let _ = write!(out, "{} sources ", pick(ACTORS, *buyer));
            mineral_refs(out, std::slice::from_ref(target));
            out.push_str(": ");
            shares(out, s);
        }
        Stmt::Expect {
            scenario,
            actor,
            mineral,
            metric,
            key,
            op,
            rhs,
            code_rhs,
            tolerance,
        } => {
            out.push_str("expect ");
            if let Some(s) = scenario {
                let _ = write!(out, "{}: ", pick(SCENARIOS, *s));
            }
            let metric = pick(METRICS, *metric);
            let _ = write!(
                out,
                "{}.{}.{metric}",
                actor_or_group(*actor),
                pick(MINERALS, *mineral)
            );
            match metric {
                "dependency" => {
                    let _ = write!(out, ".{}", pick(ACTORS, *key));
                }
                "output" => {
                    let _ = write!(out, ".{}", pick(STAGES, *key));
                }
                _ => {}
            }
            let _ = write!(out, " {} ", pick(&["<", "<=", ">", ">=", "==", "!="], *op));
            match code_rhs {
                Some(c) => out.push_str(pick(ACTORS, *c)),
                None => expr(out, rhs),
            }
            if let Some(t) = tolerance {
                out.push_str(" +- ");
                num(out, t);
            }
        }
    }
}

fn mineral(out: &mut String, m: &Mineral) {
    let _ = writeln!(out, "mineral {} {{", pick(MINERALS, m.name));
    if m.source {
        out.push_str("  source \"fuzz \\\"data\\\"\"\n");
    }
    if !m.stages.is_empty() {
        out.push_str("  stages ");
        list(out, STAGES, &m.stages[..m.stages.len().min(5)], ", ");
        out.push('\n');
    }
    if let Some(v) = &m.volume {
        out.push_str("  volume ");
        num(out, v);
        out.push('\n');
    }
    for (line, s) in m.lines.iter().take(6) {
        let line = line.map_or("demand", |l| pick(STAGES, l));
        let _ = write!(out, "  {line}: ");
        shares(out, s);
        out.push('\n');
    }
    for (buyer, stage, s) in m.sourcing.iter().take(3) {
        let _ = write!(out, "  {} sources", pick(ACTORS, *buyer));
        if let Some(st) = stage {
            let _ = write!(out, " {}", pick(STAGES, *st));
        }
        out.push_str(": ");
        shares(out, s);
        out.push('\n');
    }
    out.push_str("}\n");
}

fn item(out: &mut String, it: &Item, bulk_left: &mut usize) {
    match it {
        Item::Actor {
            codes,
            name,
            alias,
            gdp,
        } => {
            out.push_str("actor ");
            list(out, &ACTORS[..14], codes, ", ");
            if codes.len() <= 1 {
                if *name {
                    out.push_str(" \"Some Land\"");
                }
                if let Some(a) = alias {
                    let _ = write!(out, " alias {}", pick(&["china", "nippon", "land"], *a));
                }
                if let Some(g) = gdp {
                    let _ = write!(out, " gdp ${g}B");
                }
            }
        }
        Item::Group { name, members: m } => {
            let _ = write!(out, "group {} = ", pick(GROUPS, *name));
            members(out, m);
        }
        Item::Mineral(m) => mineral(out, m),
        Item::Coalition {
            name,
            members: m,
            covers,
        } => {
            out.push_str("coalition ");
            if let Some(n) = name {
                let _ = write!(out, "{} = ", pick(GROUPS, *n));
            }
            members(out, m);
            if let Some((pct, of)) = covers {
                let _ = write!(out, " covers {}% demand", pct % 101);
                if !of.is_empty() {
                    out.push_str(" of ");
                    list(out, MINERALS, of, ", ");
                }
            }
        }
        Item::Report { rows, minerals } => {
            out.push_str("report");
            if !rows.is_empty() {
                out.push_str(" for ");
                let names: Vec<&str> = rows.iter().take(6).map(|r| actor_or_group(*r)).collect();
                out.push_str(&names.join(", "));
            }
            if !minerals.is_empty() {
                out.push_str(" on ");
                list(out, MINERALS, minerals, ", ");
            }
        }
        Item::Compare(names) => {
            out.push_str("compare ");
            list(out, SCENARIOS, names, ", ");
        }
        Item::Stmt(s) => stmt(out, s),
        Item::Bulk { kind, count } if *bulk_left > 0 => {
            let n = usize::from(*count).min(*bulk_left);
            // Kind 9, 200,000 statements and more, ends the bulk.
            *bulk_left = if kind % 11 == 9 { 0 } else { *bulk_left - n };
            bulk(out, *kind, n);
        }
        Item::Bulk { .. } => {}
    }
    out.push('\n');
}

/// Long chains, long lines and many declarations, up to ~65,000 of each.
fn bulk(out: &mut String, kind: u8, n: usize) {
    match kind % 11 {
        0 => {
            out.push_str("let bulk = 1%");
            for i in 0..n {
                out.push_str(pick(&[" + 1%", " - 1%", " * 1", " / 1"], i as u8));
            }
        }
        1 => {
            for i in 0..n {
                let _ = writeln!(out, "group b{i} = b{}", i + 1);
            }
            let _ = write!(out, "group b{n} = JP");
        }
        2 => {
            for i in 0..n {
                let _ = writeln!(out, "actor X{i}");
            }
        }
        3 => {
            out.push_str("coalition bulk = JP");
            for i in 0..n {
                let _ = write!(out, " + {}", pick(ACTORS, i as u8));
            }
        }
        4 => {
            out.push_str("scenario bulk0 { }\n");
            for i in 1..n.min(1_200) {
                let _ = writeln!(
                    out,
                    "scenario bulk{i} extends bulk{} {{ CN restricts rare_earths to JP by 1% }}",
                    i - 1
                );
            }
        }
        5 => {
            for i in 0..n {
                let _ = writeln!(
                    out,
                    "expect {}.rare_earths.demand >= 0",
                    pick(ACTORS, i as u8)
                );
            }
        }
        6 => {
            out.push_str("let x = 1");
            out.push_str(&" ".repeat(n * 2));
            out.push_str(" @ zz");
        }
        7 => {
            // A label far into a line that holds a bare `\r`.
            let _ = write!(
                out,
                "CN restricts rare_earths to {}JPN\rx",
                " ".repeat(n * 2)
            );
        }
        8 => {
            // Groups nested innermost first.
            out.push_str("group n0 = JP");
            for i in 1..n {
                let _ = write!(out, "\ngroup n{i} = n{}", i - 1);
            }
        }
        9 => {
            // Just over the statement limit, refused before parsing.
            let over = lode::check::MAX_STATEMENTS + 1 + n % 1_000;
            out.push_str(&"rerouting 1%;".repeat(over));
        }
        _ => {
            let _ = write!(
                out,
                "let deep = {}1{}",
                "-(".repeat(n.min(200)),
                ")".repeat(n.min(200))
            );
        }
    }
}

fn render(p: &Program) -> String {
    let mut out = String::new();
    if p.use_world {
        out.push_str("use world2024\n");
    }
    if p.declare_world {
        out.push_str("actor CN \"China\" alias china, prc\nactor JP, US, AU, MY\n");
        out.push_str(
            "mineral m {\n  stages mining, refining\n  volume 10 kt\n  mining: CN 60%, AU 20%\n  \
             refining: CN 90%\n  demand: JP 30%, US 20%, CN 40%\n}\n",
        );
    }
    // Repeated lines in all: enough to pass every count limit but the
    // statements' (10,000 actors, 1,000 scenarios, 64 levels of groups),
    // which kind 9 of `bulk` passes with short statements, refused before
    // parsing. Without a cap, six blocks of 65,535 lines make a 13 MB
    // program that the instrumented parser takes longer than the time
    // limit to read; with a cap of 80,000 the typical input of a run was
    // a megabyte and the fuzzer managed 7 programs a second.
    let mut bulk_left = 12_000;
    for it in p.items.iter().take(40) {
        item(&mut out, it, &mut bulk_left);
    }
    for s in p.scenarios.iter().take(6) {
        let _ = write!(out, "scenario {}", pick(SCENARIOS, s.name));
        if let Some(e) = s.extends {
            let _ = write!(out, " extends {}", pick(SCENARIOS, e));
        }
        out.push_str(" {\n");
        for st in s.body.iter().take(12) {
            out.push_str("  ");
            stmt(&mut out, st);
            out.push('\n');
        }
        out.push_str("}\n");
    }
    add_noise(&mut out, &p.noise);
    out
}

fuzz_target!(|p: Program| {
    let text = render(&p);
    // `LODE_FUZZ_PRINT=1 cargo fuzz run -s none structured ARTIFACT` shows the program.
    if std::env::var_os("LODE_FUZZ_PRINT").is_some() {
        eprintln!("{text}");
    }
    common::run(&text);
});
