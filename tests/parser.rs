//! Parser tests: every statement form of SPEC §1–§2 parses to the expected
//! syntax tree, and every span points at the text it names.

use lode::ast::*;
use lode::source::{SourceId, Span};
use lode::syntax::{is_incomplete, parse, parse_repl};

fn stmts(src: &str) -> Vec<StmtKind> {
    match parse(src, SourceId(0)) {
        Ok(p) => p.stmts.into_iter().map(|s| s.kind).collect(),
        Err(d) => panic!("{src:?} did not parse: {d:?}"),
    }
}

fn one(src: &str) -> StmtKind {
    let mut v = stmts(src);
    assert_eq!(v.len(), 1, "{src:?} should be one statement");
    v.remove(0)
}

/// The source text under a span.
fn at(src: &str, span: Span) -> &str {
    &src[span.start..span.end]
}

/// A name's span covers exactly its text.
fn name_ok(src: &str, n: &Name) {
    assert_eq!(at(src, n.span), n.text, "span of {:?}", n.text);
}

fn lit(e: &Expr) -> (f64, Unit) {
    match e.kind {
        ExprKind::Literal { value, unit } => (value, unit),
        ref k => panic!("not a literal: {k:?}"),
    }
}

#[test]
fn comments_separators_and_blank_lines() {
    let src = "# a comment\n\nlet a = 1 ; let b = 2 # trailing\n\r\nlet c = 3\n";
    let v = stmts(src);
    assert_eq!(v.len(), 3);
}

#[test]
fn use_dataset_and_file() {
    let src = "use world2024\nuse \"data/extra.lode\"";
    let v = stmts(src);
    match &v[0] {
        StmtKind::Use(UseTarget::Dataset(n)) => {
            assert_eq!(n.text, "world2024");
            name_ok(src, n);
        }
        k => panic!("{k:?}"),
    }
    match &v[1] {
        StmtKind::Use(UseTarget::File(s)) => {
            assert_eq!(s.value, "data/extra.lode");
            assert_eq!(at(src, s.span), "\"data/extra.lode\"");
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn actors_with_names_aliases_and_gdp() {
    let src = r#"actor JP "Japan" alias japan, nippon gdp $4.03T"#;
    let StmtKind::Actor(decls) = one(src) else {
        panic!()
    };
    assert_eq!(decls.len(), 1);
    let d = &decls[0];
    name_ok(src, &d.code);
    assert_eq!(d.name.as_ref().map(|s| s.value.as_str()), Some("Japan"));
    let aliases: Vec<&str> = d.aliases.iter().map(|a| a.text.as_str()).collect();
    assert_eq!(aliases, ["japan", "nippon"]);
    d.aliases.iter().for_each(|a| name_ok(src, a));
    assert_eq!(lit(d.gdp.as_ref().unwrap()), (4.03, Unit::Trillions));

    let src = "actor CN, JP, US, AU, EU_OTHER";
    let StmtKind::Actor(decls) = one(src) else {
        panic!()
    };
    let codes: Vec<&str> = decls.iter().map(|d| d.code.text.as_str()).collect();
    assert_eq!(codes, ["CN", "JP", "US", "AU", "EU_OTHER"]);
    decls.iter().for_each(|d| name_ok(src, &d.code));
}

#[test]
fn string_escapes() {
    let src = r#"actor XA "A \"quoted\" back\\slash""#;
    let StmtKind::Actor(decls) = one(src) else {
        panic!()
    };
    assert_eq!(
        decls[0].name.as_ref().unwrap().value,
        r#"A "quoted" back\slash"#
    );
}

#[test]
fn groups_of_actors_and_groups() {
    let src = "group EU = DE + FR + IT + EU_OTHER";
    let StmtKind::Group(g) = one(src) else {
        panic!()
    };
    name_ok(src, &g.name);
    assert_eq!(g.members.len(), 4);
    g.members.iter().for_each(|m| name_ok(src, m));
    let StmtKind::Group(g) = one("group allies = G7 + eu_core") else {
        panic!()
    };
    assert_eq!(g.name.text, "allies");
    assert_eq!(g.members[1].text, "eu_core");
}

#[test]
fn mineral_block_with_every_line() {
    let src = "mineral rare_earths {\n  source \"whole\"\n  stages mining, refining\n  volume 390 kt\n  mining:   CN 69%, US 12%\n  source \"line\"\n  demand: CN 60%, ROW 40%\n  JP sources refining: CN 60%, MY 20%\n  JP sources: CN 50%\n}";
    let StmtKind::Mineral(m) = one(src) else {
        panic!()
    };
    name_ok(src, &m.name);
    let kinds: Vec<&MineralItemKind> = m.items.iter().map(|i| &i.kind).collect();
    assert!(matches!(kinds[0], MineralItemKind::Source(s) if s.value == "whole"));
    match kinds[1] {
        MineralItemKind::Stages(s) => {
            assert_eq!(
                s.iter().map(|n| n.text.as_str()).collect::<Vec<_>>(),
                ["mining", "refining"]
            );
            s.iter().for_each(|n| name_ok(src, n));
        }
        k => panic!("{k:?}"),
    }
    match kinds[2] {
        MineralItemKind::Volume(e) => assert_eq!(lit(e), (390.0, Unit::Kilotonnes)),
        k => panic!("{k:?}"),
    }
    match kinds[3] {
        MineralItemKind::Shares(l) => {
            assert_eq!(l.line.text, "mining");
            assert_eq!(l.shares.len(), 2);
            assert_eq!(at(src, l.shares[1].span), "US 12%");
            assert_eq!(lit(&l.shares[0].value), (69.0, Unit::Percent));
        }
        k => panic!("{k:?}"),
    }
    assert!(
        matches!(kinds[5], MineralItemKind::Shares(l) if l.line.text == "demand" && l.shares[1].actor.text == "ROW")
    );
    match kinds[6] {
        MineralItemKind::Sourcing {
            buyer,
            stage,
            shares,
        } => {
            name_ok(src, buyer);
            assert_eq!(stage.as_ref().unwrap().text, "refining");
            assert_eq!(shares.len(), 2);
        }
        k => panic!("{k:?}"),
    }
    assert!(matches!(
        kinds[7],
        MineralItemKind::Sourcing { stage: None, .. }
    ));
    // The item span covers the line.
    assert_eq!(at(src, m.items[2].span), "volume 390 kt");
}

#[test]
fn coalitions_named_anonymous_and_limited() {
    let src = "coalition allies = G7 + EU + AU covers 60% demand";
    let StmtKind::Coalition(c) = one(src) else {
        panic!()
    };
    assert_eq!(c.name.as_ref().unwrap().text, "allies");
    assert_eq!(c.members.len(), 3);
    let cov = c.covers.as_ref().unwrap();
    assert_eq!(lit(&cov.share), (60.0, Unit::Percent));
    assert!(cov.minerals.is_empty());
    assert_eq!(at(src, cov.span), "covers 60% demand");

    let src = "coalition G7+AU+IN+KR+MX covers 60% demand";
    let StmtKind::Coalition(c) = one(src) else {
        panic!()
    };
    assert!(c.name.is_none());
    assert_eq!(c.members_text, "G7+AU+IN+KR+MX");
    assert_eq!(at(src, c.members_span), "G7+AU+IN+KR+MX");

    let StmtKind::Coalition(c) = one("coalition b = JP + KR covers 30% demand of lithium, cobalt")
    else {
        panic!()
    };
    let ms: Vec<String> = c
        .covers
        .unwrap()
        .minerals
        .into_iter()
        .map(|m| m.text)
        .collect();
    assert_eq!(ms, ["lithium", "cobalt"]);

    let StmtKind::Coalition(c) = one("coalition x = G7") else {
        panic!()
    };
    assert!(c.covers.is_none());
}

#[test]
fn expressions_with_precedence_units_and_unary_minus() {
    // -(2 + 3) * 4 / 2 - 1 parses as ((-(2+3)) * 4 / 2) - 1
    let StmtKind::Let(l) = one("let e = -(2 + 3) * 4 / 2 - 1") else {
        panic!()
    };
    let ExprKind::Binary(BinOp::Sub, lhs, rhs) = &l.value.kind else {
        panic!("{:?}", l.value)
    };
    assert_eq!(lit(rhs), (1.0, Unit::None));
    let ExprKind::Binary(BinOp::Div, mul, two) = &lhs.kind else {
        panic!()
    };
    assert_eq!(lit(two), (2.0, Unit::None));
    let ExprKind::Binary(BinOp::Mul, neg, four) = &mul.kind else {
        panic!()
    };
    assert_eq!(lit(four), (4.0, Unit::None));
    assert!(matches!(neg.kind, ExprKind::Neg(_)));

    for (src, value, unit) in [
        ("let a = 1_000", 1000.0, Unit::None),
        ("let a = 12.5", 12.5, Unit::None),
        ("let a = 60%", 60.0, Unit::Percent),
        ("let a = 5 t", 5.0, Unit::Tonnes),
        ("let a = 5 kt", 5.0, Unit::Kilotonnes),
        ("let a = 5 Mt", 5.0, Unit::Megatonnes),
        ("let a = 60 days", 60.0, Unit::Days),
        ("let a = 2 months", 2.0, Unit::Months),
        ("let a = 1 years", 1.0, Unit::Years),
        ("let a = $8.5B", 8.5, Unit::Billions),
        ("let a = $300M", 300.0, Unit::Millions),
        ("let a = $4.03T", 4.03, Unit::Trillions),
    ] {
        let StmtKind::Let(l) = one(src) else { panic!() };
        assert_eq!(lit(&l.value), (value, unit), "{src}");
        name_ok(src, &l.name);
    }
    let src = "let b = licensing_cut * 2";
    let StmtKind::Let(l) = one(src) else { panic!() };
    let ExprKind::Binary(BinOp::Mul, var, _) = &l.value.kind else {
        panic!()
    };
    let ExprKind::Var(n) = &var.kind else {
        panic!()
    };
    name_ok(src, n);
}

#[test]
fn uncertain_values_parse_for_later() {
    let StmtKind::Let(l) = one("let u = 88% (85%..92%)") else {
        panic!()
    };
    assert!(matches!(
        l.value.kind,
        ExprKind::Uncertain { mode: Some(_), .. }
    ));
    let StmtKind::Let(l) = one("let v = 85%..92%") else {
        panic!()
    };
    assert!(matches!(
        l.value.kind,
        ExprKind::Uncertain { mode: None, .. }
    ));
}

#[test]
fn restrictions_in_every_form() {
    let src = "CN restricts rare_earths, magnets to JP";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    name_ok(src, &r.actor);
    assert!(!r.ban && r.by.is_none());
    assert_eq!(at(src, r.verb_span), "restricts");
    assert_eq!(r.minerals.len(), 2);
    r.minerals.iter().for_each(|m| name_ok(src, &m.first));
    assert!(matches!(&r.target, Target::Actors(t) if t.len() == 1 && t[0].text == "JP"));

    let src = "china restricts graphite to US by 50%";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.actor.text, "china");
    assert_eq!(lit(r.by.as_ref().unwrap()), (50.0, Unit::Percent));

    let src = "CN restricts graphite.refining to all except G7 + KR by licensing_cut";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.minerals[0].first.text, "graphite");
    let stage = r.minerals[0].stage.as_ref().unwrap();
    name_ok(src, stage);
    assert_eq!(at(src, r.minerals[0].span), "graphite.refining");
    match &r.target {
        Target::All { except, span } => {
            assert_eq!(except.len(), 2);
            assert_eq!(at(src, *span), "all except G7 + KR");
        }
        t => panic!("{t:?}"),
    }
    let StmtKind::Restrict(r) = one("CN restricts graphite to all") else {
        panic!()
    };
    assert!(matches!(&r.target, Target::All { except, .. } if except.is_empty()));

    let src = "CN bans gallium, germanium to US + JP";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    assert!(r.ban);
    assert_eq!(at(src, r.verb_span), "bans");
    assert!(matches!(&r.target, Target::Actors(t) if t.len() == 2));
}

#[test]
fn shocks_capacity_and_stockpiles() {
    let src = "disrupt CD cobalt.mining by 30%";
    let StmtKind::Disrupt(d) = one(src) else {
        panic!()
    };
    name_ok(src, &d.actor);
    assert_eq!(lit(&d.by), (30.0, Unit::Percent));

    let src = "AU adds 3% rare_earths.refining";
    let StmtKind::Adds(a) = one(src) else {
        panic!()
    };
    name_ok(src, &a.actor);
    assert_eq!(lit(&a.amount), (3.0, Unit::Percent));
    assert_eq!(a.minerals[0].stage.as_ref().unwrap().text, "refining");

    let src = "stockpile JP rare_earths 60 days";
    let StmtKind::Stockpile(s) = one(src) else {
        panic!()
    };
    assert_eq!(lit(&s.amount), (60.0, Unit::Days));
    assert_eq!(at(src, s.amount.span), "60 days");
    let StmtKind::Stockpile(s) = one("stockpile JP rare_earths 5 kt") else {
        panic!()
    };
    assert_eq!(lit(&s.amount), (5.0, Unit::Kilotonnes));
    let StmtKind::Stockpile(s) = one("stockpile JP rare_earths jp_stock") else {
        panic!()
    };
    assert!(matches!(s.amount.kind, ExprKind::Var(_)));
}

#[test]
fn rerouting_and_allocation() {
    assert!(
        matches!(one("rerouting 25%"), StmtKind::Rerouting(e) if lit(&e) == (25.0, Unit::Percent))
    );
    for (src, rule) in [
        ("allocation sticky", AllocRule::Sticky),
        ("allocation market", AllocRule::Market),
        ("allocation coalition_first", AllocRule::CoalitionFirst),
    ] {
        assert!(
            matches!(one(src), StmtKind::Allocation(a) if a.rule == rule && a.coalition.is_none())
        );
    }
    let src = "allocation coalition_first allies";
    let StmtKind::Allocation(a) = one(src) else {
        panic!()
    };
    name_ok(src, a.coalition.as_ref().unwrap());
}

#[test]
fn overrides_of_world_data() {
    let src = "rare_earths.refining: CN 80%";
    let StmtKind::ShareOverride(o) = one(src) else {
        panic!()
    };
    name_ok(src, o.mineral.as_ref().unwrap());
    name_ok(src, &o.line);
    let StmtKind::ShareOverride(o) = one("refining: CN 80%") else {
        panic!()
    };
    assert!(o.mineral.is_none());
    let StmtKind::ShareOverride(o) = one("rare_earths.demand: CN 50%") else {
        panic!()
    };
    assert_eq!(o.line.text, "demand");
    let src = "JP sources rare_earths.refining: CN 50%, MY 30%";
    let StmtKind::Sourcing(s) = one(src) else {
        panic!()
    };
    name_ok(src, &s.buyer);
    assert_eq!(s.shares.len(), 2);
}

#[test]
fn scenarios_blocks_and_extends() {
    let src = "scenario japan_cutoff {\n  CN restricts rare_earths to JP\n}\nscenario response extends japan_cutoff { allocation market; rerouting 50% }\nscenario empty {}";
    let v = stmts(src);
    let StmtKind::Scenario(a) = &v[0] else {
        panic!()
    };
    name_ok(src, &a.name);
    assert!(a.extends.is_none());
    assert_eq!(a.body.len(), 1);
    let StmtKind::Scenario(b) = &v[1] else {
        panic!()
    };
    name_ok(src, b.extends.as_ref().unwrap());
    assert_eq!(b.body.len(), 2);
    let StmtKind::Scenario(c) = &v[2] else {
        panic!()
    };
    assert!(c.body.is_empty());
}

#[test]
fn reports_comparisons_and_expectations() {
    let src = "report for JP, allies on rare_earths, graphite";
    let StmtKind::Report(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.rows.len(), 2);
    assert_eq!(r.minerals.len(), 2);
    r.rows
        .iter()
        .chain(&r.minerals)
        .for_each(|n| name_ok(src, n));
    assert!(matches!(one("report on lithium"), StmtKind::Report(r) if r.rows.is_empty()));

    let src = "compare base, japan_cutoff, coalition_response";
    let StmtKind::Compare(c) = one(src) else {
        panic!()
    };
    assert_eq!(c.len(), 3);
    c.iter().for_each(|n| name_ok(src, n));

    let src = "expect japan_cutoff: JP.rare_earths.shortfall > 30%";
    let StmtKind::Expect(e) = one(src) else {
        panic!()
    };
    name_ok(src, e.scenario.as_ref().unwrap());
    assert_eq!(e.op, CmpOp::Gt);
    assert_eq!(at(src, e.op_span), ">");
    assert_eq!(e.text, "JP.rare_earths.shortfall > 30%");
    assert_eq!(at(src, e.path.span), "JP.rare_earths.shortfall");
    name_ok(src, &e.path.actor);
    name_ok(src, &e.path.mineral);
    name_ok(src, &e.path.metric);

    let src = "expect allies.rare_earths.dependency.CN >= 85%";
    let StmtKind::Expect(e) = one(src) else {
        panic!()
    };
    assert!(e.scenario.is_none());
    name_ok(src, e.path.key.as_ref().unwrap());

    // `+-` is a tolerance, not `+ -`.
    let StmtKind::Expect(e) = one("expect base: allies.rare_earths.demand == 60% +- 5%") else {
        panic!()
    };
    assert!(matches!(&e.rhs, ExpectRhs::Value(v) if lit(v) == (60.0, Unit::Percent)));
    assert_eq!(lit(e.tolerance.as_ref().unwrap()), (5.0, Unit::Percent));
    let StmtKind::Expect(e) = one("expect JP.x.demand == 60% ± 5%") else {
        panic!()
    };
    assert!(e.tolerance.is_some());

    for (op, want) in [
        ("<", CmpOp::Lt),
        ("<=", CmpOp::Le),
        (">=", CmpOp::Ge),
        ("==", CmpOp::Eq),
        ("!=", CmpOp::Ne),
    ] {
        let StmtKind::Expect(e) = one(&format!("expect JP.x.hhi {op} 3000")) else {
            panic!()
        };
        assert_eq!(e.op, want);
    }
    let StmtKind::Expect(e) = one("expect JP.rare_earths.top_supplier == CN") else {
        panic!()
    };
    assert!(matches!(e.rhs, ExpectRhs::Code(ref c) if c.text == "CN"));
}

#[test]
fn dated_forms_and_lifts_are_parsed_for_later() {
    let src = "CN restricts rare_earths to JP from 2026-01-12 until 2026Q3";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.dated.from.as_ref().unwrap().value, "2026-01-12");
    assert_eq!(r.dated.until.as_ref().unwrap().value, "2026Q3");
    let StmtKind::Lift(l) =
        one("CN lifts restrictions on rare_earths, magnets from 2025-11-07 until 2026-11-10")
    else {
        panic!()
    };
    assert_eq!(l.minerals.len(), 2);
}

#[test]
fn the_introduction_one_liner() {
    let v = stmts("coalition G7+AU+IN+KR+MX covers 60% demand; china restricts rare_earths to JP");
    assert!(matches!(v[0], StmtKind::Coalition(_)));
    assert!(matches!(v[1], StmtKind::Restrict(_)));
}

#[test]
fn repl_inputs_queries_and_continuation() {
    assert!(matches!(
        parse_repl("JP.rare_earths.shortfall", SourceId(0)),
        Ok(ReplInput::Metric(_))
    ));
    assert!(matches!(
        parse_repl("1 + 2 * x", SourceId(0)),
        Ok(ReplInput::Expr(_))
    ));
    assert!(matches!(
        parse_repl("CN bans gallium to US", SourceId(0)),
        Ok(ReplInput::Stmts(_))
    ));
    assert!(is_incomplete("scenario x {"));
    assert!(is_incomplete("let a = (1 +"));
    assert!(is_incomplete("let a = 1 +"));
    assert!(!is_incomplete("let a = 1"));
    assert!(!is_incomplete("CN restricts rare_earths JP"));
    // Braces inside comments and strings do not count.
    assert!(is_incomplete("scenario x { # }"));
    assert!(is_incomplete("scenario x { source \"}\""));
    assert!(!is_incomplete("let a = 1 # (("));
    // A string cannot span lines, so an open one is an error, not a reason
    // to keep reading.
    assert!(!is_incomplete("source \"IEA 2024"));
}

#[test]
fn keywords_are_not_names() {
    assert!(parse("let to = 1", SourceId(0)).is_err());
    assert!(parse("actor jp", SourceId(0)).is_err());
    assert!(parse("let rareEarths = 1", SourceId(0)).is_err());
}

#[test]
fn anonymous_coalitions_are_named_by_their_members() {
    let src = "report for G7+AU+IN, JP on rare_earths";
    let StmtKind::Report(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.rows[0].text, "G7+AU+IN");
    assert_eq!(at(src, r.rows[0].span), "G7+AU+IN");
    let src = "expect G7+AU+IN.rare_earths.at_risk > 30%";
    let StmtKind::Expect(e) = one(src) else {
        panic!()
    };
    name_ok(src, &e.path.actor);
    assert!(matches!(
        parse_repl("G7+AU.rare_earths.shortfall", SourceId(0)),
        Ok(ReplInput::Metric(_))
    ));
    assert!(matches!(
        parse_repl("a + b", SourceId(0)),
        Ok(ReplInput::Expr(_))
    ));
}

/// The one syntax error of `src`: its message and help.
fn syntax_error(src: &str) -> (String, String) {
    match parse(src, SourceId(0)) {
        Ok(_) => panic!("{src:?} parsed"),
        Err(d) => {
            assert_eq!(d.len(), 1, "{src:?}: {d:?}");
            assert_eq!(d[0].code, lode::diagnostic::Code::Syntax, "{src:?}");
            (d[0].message.clone(), d[0].help.clone().unwrap_or_default())
        }
    }
}

#[test]
fn reserved_words_are_refused_as_names_in_every_name_position() {
    let cases = [
        ("scenario t {}", "t", "the unit tonnes"),
        ("let kt = 3", "kt", "the unit kilotonnes"),
        ("actor JP \"Japan\" alias days", "days", "the unit days"),
        (
            "group months = US + JP",
            "months",
            "the unit months (30 days)",
        ),
        (
            "coalition years = US + JP",
            "years",
            "the unit years (365 days)",
        ),
        ("mineral t {}", "t", "the unit tonnes"),
        (
            "mineral ore { stages mining, kt }",
            "kt",
            "the unit kilotonnes",
        ),
        ("scenario a extends market {}", "market", "a keyword"),
        ("compare base, days", "days", "the unit days"),
    ];
    for (src, word, kind) in cases {
        let (message, help) = syntax_error(src);
        assert_eq!(
            message,
            format!("`{word}` is a reserved word ({kind}) and cannot be a name"),
            "{src:?}"
        );
        assert!(help.starts_with("choose another name"), "{src:?}: {help}");
    }
    // The span is the word.
    let src = "scenario t {}";
    let d = parse(src, SourceId(0)).unwrap_err();
    assert_eq!(at(src, d[0].primary_span().unwrap()), "t");
}

#[test]
fn capitalised_names_are_read_where_an_actor_or_mineral_is_named() {
    // The checker, which knows the declared names, says which was meant.
    let src = "China restricts Rare_earths to Japan + KR";
    let StmtKind::Restrict(r) = one(src) else {
        panic!()
    };
    assert_eq!(r.actor.text, "China");
    name_ok(src, &r.actor);
    assert_eq!(r.minerals[0].first.text, "Rare_earths");
    let Target::Actors(to) = &r.target else {
        panic!()
    };
    assert_eq!(to[0].text, "Japan");
    name_ok(src, &to[0]);
    let src = "expect Japan.rare_earths.top_supplier == China";
    let StmtKind::Expect(e) = one(src) else {
        panic!()
    };
    assert_eq!(e.path.actor.text, "Japan");
    assert!(matches!(&e.rhs, ExpectRhs::Code(c) if c.text == "China"));
    // An alias compared with `top_supplier` is a bare name.
    let StmtKind::Expect(e) = one("expect JP.rare_earths.top_supplier == china") else {
        panic!()
    };
    assert!(matches!(
        &e.rhs,
        ExpectRhs::Value(Expr { kind: ExprKind::Var(n), .. }) if n.text == "china"
    ));
    // A keyword in any case is still a keyword, not a name.
    let (message, help) = syntax_error("Scenario x {}");
    assert_eq!(message, "expected a statement, found `Scenario`");
    assert_eq!(help, "keywords are lower case: `scenario`");
    let (_, help) = syntax_error("CN restricts rare_earths To JP");
    assert_eq!(help, "keywords are lower case: `to`");
    // Where a name is declared, mixed case stays an error, with a help.
    let (_, help) = syntax_error("let Cut = 40%");
    assert_eq!(help, "names are lower case: `cut`");
    let (_, help) = syntax_error("group Allies = US + JP");
    assert_eq!(
        help,
        "group and coalition names are all upper case or all lower case: `ALLIES` or `allies`"
    );
    let (_, help) = syntax_error("coalition Allies = US + JP");
    assert_eq!(
        help,
        "group and coalition names are all upper case or all lower case: `ALLIES` or `allies`"
    );
    let (_, help) = syntax_error("actor Japan");
    assert!(
        help.contains("`actor JAPAN \"Japan\" alias japan`"),
        "{help}"
    );
}

#[test]
fn syntax_errors_with_a_likely_fix_say_what_to_write() {
    let cases = [
        (
            "disrupt CD cobalt mining by 30%",
            "expected `by`, found `mining`",
            "write the stage after a dot: `cobalt.mining`",
        ),
        (
            "CN restricts rare_earths refining to JP",
            "expected `to`, found `refining`",
            "write the stage after a dot: `rare_earths.refining`",
        ),
        (
            "CN restricts magnets to JP, KR by 50%",
            "expected `as`, `by`, `from`, `until` or end of input, found `,`",
            "join several targets with `+`: `to JP + KR`",
        ),
        (
            "CN restricts magnets to all except JP, KR",
            "expected `as`, `by`, `from`, `until` or end of input, found `,`",
            "join several exceptions with `+`: `except JP + KR`",
        ),
        (
            "group quad = US, JP, AU, IN",
            "expected end of input, found `,`",
            "join several members with `+`: `US + JP`",
        ),
        (
            "CN restricts magnets to G7 except JP",
            "expected `as`, `by`, `from`, `until` or end of input, found `except`",
            "`except` follows `all`: `to all except JP`; to leave JP out of G7, list the other members joined with `+`",
        ),
        (
            "expect JP.rare_earths.shortfall * 2 > 10%",
            "a metric cannot be part of an expression",
            "arithmetic on metrics is not supported: `expect` compares one metric with a value, and expressions take numbers, quantities and `let` variables",
        ),
        (
            "let x = 2 * JP.rare_earths.shortfall",
            "a metric cannot be part of an expression",
            "arithmetic on metrics is not supported: `expect` compares one metric with a value, and expressions take numbers, quantities and `let` variables",
        ),
    ];
    for (src, message, help) in cases {
        assert_eq!(syntax_error(src), (message.into(), help.into()), "{src:?}");
    }
    // Two minerals of world2024 are a list, not a mineral and a stage.
    let (_, help) = syntax_error("CN restricts lithium cobalt to JP");
    assert_eq!(help, "separate minerals with commas: `lithium, cobalt`");
    // A fix that would not get further is not offered.
    let (_, help) = syntax_error("report on cobalt nickel");
    assert!(!help.contains("after a dot"), "{help}");
    // In the REPL, a metric in an expression is a query.
    let d = parse_repl("US.gallium.shortfall * 2", SourceId(0)).unwrap_err();
    assert_eq!(d[0].message, "a metric cannot be part of an expression");
    assert_eq!(
        at("US.gallium.shortfall * 2", d[0].primary_span().unwrap()),
        "US.gallium.shortfall"
    );
    assert!(
        d[0].help
            .as_deref()
            .unwrap()
            .contains("query `US.gallium.shortfall` on its own"),
        "{d:?}"
    );
}
