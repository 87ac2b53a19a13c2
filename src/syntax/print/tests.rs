//! Every form of the grammar, formatted. The table below must hold an
//! example of every statement rule and, taken together, make the parser
//! match every rule of `grammar/lode.pest`: a new rule without an example
//! here fails `every_rule_of_the_grammar_has_an_example`.

use std::collections::BTreeSet;

use super::format;
use crate::source::SourceId;
use crate::syntax::tree;

/// (the statement rule it shows, input, canonical output)
const FORMS: &[(&str, &str, &str)] = &[
    ("use_stmt", "use   world2024", "use world2024\n"),
    (
        "use_stmt",
        "use \"data/extra.lode\"",
        "use \"data/extra.lode\"\n",
    ),
    (
        "actor_stmt",
        "actor JP \"Japan\"  alias japan,nippon gdp $4.03T",
        "actor JP \"Japan\" alias japan, nippon gdp $4.03T\n",
    ),
    ("actor_stmt", "actor CN,JP ,US", "actor CN, JP, US\n"),
    (
        "group_stmt",
        "group G7=US+JP +  DE",
        "group G7 = US + JP + DE\n",
    ),
    (
        "group_stmt",
        "group allies = G7+EU",
        "group allies = G7 + EU\n",
    ),
    (
        "mineral_stmt",
        "mineral rare_earths { stages mining,refining; volume 390kt\nmining:CN 69%,US 12%\n  demand : CN 60%\nJP sources refining:CN 60%, MY 20%\n JP sources: CN 10%\nsource \"USGS\"   }",
        "mineral rare_earths {\n  stages mining, refining\n  volume 390 kt\n  mining: CN 69%, US 12%\n  demand: CN 60%\n  JP sources refining: CN 60%, MY 20%\n  JP sources: CN 10%\n  source \"USGS\"\n}\n",
    ),
    (
        "mineral_stmt",
        "mineral widget {\n\n}",
        "mineral widget {}\n",
    ),
    (
        "coalition_stmt",
        "coalition allies = G7+EU covers 60% demand of lithium,cobalt",
        "coalition allies = G7 + EU covers 60% demand of lithium, cobalt\n",
    ),
    (
        "coalition_stmt",
        "coalition G7 + AU+IN covers 60% demand",
        "coalition G7+AU+IN covers 60% demand\n",
    ),
    (
        "let_stmt",
        "let x=-(1+2)*3/ - y - 4+-5",
        "let x = -(1 + 2) * 3 / -y - 4 + -5\n",
    ),
    ("let_stmt", "let n = 1_000.50", "let n = 1_000.50\n"),
    ("let_stmt", "let r = 85% .. 92%", "let r = 85%..92%\n"),
    (
        "let_stmt",
        "let tri = 88% ( 85% .. 92% )",
        "let tri = 88% (85%..92%)\n",
    ),
    ("let_stmt", "let v = 2kt+ $300M", "let v = 2 kt + $300M\n"),
    (
        "restrict_stmt",
        "china restricts rare_earths,magnets to JP+KR by 50%",
        "china restricts rare_earths, magnets to JP + KR by 50%\n",
    ),
    (
        "restrict_stmt",
        "CN bans gallium.refining to all except G7+EU",
        "CN bans gallium.refining to all except G7 + EU\n",
    ),
    (
        "restrict_stmt",
        "CN restricts graphite to all   from 2025-01-01 until 2026Q1",
        "CN restricts graphite to all from 2025-01-01 until 2026Q1\n",
    ),
    (
        "restrict_stmt",
        "Japan restricts Rare_earths to Cn",
        "Japan restricts Rare_earths to Cn\n",
    ),
    (
        "disrupt_stmt",
        "disrupt CD cobalt.mining by 30% until 2026-06-30",
        "disrupt CD cobalt.mining by 30% until 2026-06-30\n",
    ),
    (
        "adds_stmt",
        "AU adds 3%  rare_earths.refining",
        "AU adds 3% rare_earths.refining\n",
    ),
    (
        "stockpile_stmt",
        "stockpile JP rare_earths 60days",
        "stockpile JP rare_earths 60 days\n",
    ),
    (
        "stockpile_stmt",
        "stockpile JP+KR rare_earths 4.4 kt",
        "stockpile JP + KR rare_earths 4.4 kt\n",
    ),
    ("rerouting_stmt", "rerouting   25%", "rerouting 25%\n"),
    (
        "allocation_stmt",
        "allocation coalition_first allies",
        "allocation coalition_first allies\n",
    ),
    (
        "allocation_stmt",
        "allocation sticky",
        "allocation sticky\n",
    ),
    (
        "allocation_stmt",
        "allocation  market",
        "allocation market\n",
    ),
    (
        "lift_stmt",
        "CN lifts restrictions on rare_earths,magnets from 2025-11-07 until 2026-11-10",
        "CN lifts restrictions on rare_earths, magnets from 2025-11-07 until 2026-11-10\n",
    ),
    (
        "lift_stmt",
        "CN lifts restrictions",
        "CN lifts restrictions\n",
    ),
    (
        "lift_stmt",
        "CN lifts ban_us   from 2025-11-09 until  2026-11-27",
        "CN lifts ban_us from 2025-11-09 until 2026-11-27\n",
    ),
    (
        "restrict_stmt",
        "CN bans gallium,germanium to US from 2024-12-03  as ban_us",
        "CN bans gallium, germanium to US from 2024-12-03 as ban_us\n",
    ),
    ("at_stmt", "at   2026-01-12", "at 2026-01-12\n"),
    (
        "expect_stmt",
        "expect cut  at 2026Q2:JP.rare_earths.shortfall==0%",
        "expect cut at 2026Q2: JP.rare_earths.shortfall == 0%\n",
    ),
    (
        "expect_stmt",
        "expect at 2026-06 : JP.rare_earths.shortfall==0%",
        "expect at 2026-06: JP.rare_earths.shortfall == 0%\n",
    ),
    (
        "scenario_stmt",
        "scenario cut extends base {CN bans gallium to US; rerouting 10%}",
        "scenario cut extends base {\n  CN bans gallium to US\n  rerouting 10%\n}\n",
    ),
    (
        "scenario_stmt",
        "scenario empty {  }",
        "scenario empty {}\n",
    ),
    (
        "report_stmt",
        "report for G7 + AU, JP on rare_earths,graphite",
        "report for G7+AU, JP on rare_earths, graphite\n",
    ),
    ("report_stmt", "report on gallium", "report on gallium\n"),
    ("compare_stmt", "compare base,cut", "compare base, cut\n"),
    (
        "expect_stmt",
        "expect cut:JP.rare_earths.shortfall>30%",
        "expect cut: JP.rare_earths.shortfall > 30%\n",
    ),
    (
        "expect_stmt",
        "expect allies.rare_earths.demand==60% +-5%",
        "expect allies.rare_earths.demand == 60% +- 5%\n",
    ),
    (
        "expect_stmt",
        "expect allies.rare_earths.demand == 60% ± 5%",
        "expect allies.rare_earths.demand == 60% ± 5%\n",
    ),
    (
        "expect_stmt",
        "expect JP.gallium.top_supplier==CN",
        "expect JP.gallium.top_supplier == CN\n",
    ),
    (
        "expect_stmt",
        "expect G7+AU.rare_earths.dependency.CN >= 85%",
        "expect G7+AU.rare_earths.dependency.CN >= 85%\n",
    ),
    (
        "expect_stmt",
        "expect JP.rare_earths.output.refining != 0",
        "expect JP.rare_earths.output.refining != 0\n",
    ),
    (
        "expect_stmt",
        "expect cut:JP.rare_earths.shortfall>base:JP.rare_earths.shortfall",
        "expect cut: JP.rare_earths.shortfall > base: JP.rare_earths.shortfall\n",
    ),
    (
        "expect_stmt",
        "expect JP.gallium.at_risk<US.gallium.at_risk",
        "expect JP.gallium.at_risk < US.gallium.at_risk\n",
    ),
    (
        "expect_stmt",
        "expect JP.gallium.demand == 1%+2%*x-1% +- 0.1%",
        "expect JP.gallium.demand == 1% + 2% * x - 1% +- 0.1%\n",
    ),
    (
        "expect_stmt",
        "expect p95 ( JP.rare_earths.shortfall )<80%",
        "expect p95(JP.rare_earths.shortfall) < 80%\n",
    ),
    (
        "expect_stmt",
        "expect cut:chance(JP.rare_earths.shortfall>50%)>=90%",
        "expect cut: chance(JP.rare_earths.shortfall > 50%) >= 90%\n",
    ),
    ("samples_stmt", "samples   10_000", "samples 10_000\n"),
    ("seed_stmt", "seed 42", "seed 42\n"),
    (
        "share_override",
        "rare_earths.refining:CN 80%",
        "rare_earths.refining: CN 80%\n",
    ),
    ("share_override", "refining :  CN 80%", "refining: CN 80%\n"),
    (
        "share_override",
        "rare_earths.refining  only:CN 87%, MY 4%",
        "rare_earths.refining only: CN 87%, MY 4%\n",
    ),
    (
        "sourcing_stmt",
        "JP sources rare_earths.refining:CN 60%,MY 20%",
        "JP sources rare_earths.refining: CN 60%, MY 20%\n",
    ),
    (
        "source_stmt",
        "source   \"USGS 2025\"",
        "source \"USGS 2025\"\n",
    ),
];

#[test]
fn every_form_prints_in_its_canonical_layout() {
    for (rule, input, expected) in FORMS {
        let got = format(input).unwrap_or_else(|d| panic!("{rule}: {input:?} fails: {d:?}"));
        assert_eq!(&got, expected, "{rule}: {input:?}");
        assert_eq!(
            format(expected).unwrap(),
            *expected,
            "{rule}: not idempotent"
        );
    }
}

/// The rules named in `grammar/lode.pest`, each with whether it is silent
/// (`_{`), and the alternatives of `stmt` and `mineral_item`.
fn grammar() -> (Vec<(String, bool)>, Vec<String>) {
    let text = include_str!("../../../grammar/lode.pest");
    let mut rules = Vec::new();
    for line in text.lines() {
        let Some((name, body)) = line.split_once('=') else {
            continue;
        };
        let name = name.trim();
        if name.is_empty()
            || line.starts_with(char::is_whitespace)
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let body = body.trim_start();
        rules.push((name.to_string(), body.starts_with('_')));
    }
    let alternatives = |rule: &str| -> Vec<String> {
        let start = text
            .find(&format!("\n{rule} "))
            .unwrap_or_else(|| panic!("no rule {rule}"));
        let body = &text[start..];
        let open = body.find('{').unwrap();
        let close = body.find('}').unwrap();
        body[open + 1..close]
            .split('|')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect()
    };
    let mut statements = alternatives("stmt");
    statements.extend(alternatives("mineral_item"));
    (rules, statements)
}

#[test]
fn every_statement_rule_has_an_example() {
    let (_, statements) = grammar();
    assert!(statements.len() >= 20, "{statements:?}");
    let shown: BTreeSet<&str> = FORMS.iter().map(|(r, _, _)| *r).collect();
    // Items of a mineral block are shown inside `mineral_stmt`'s example.
    let in_mineral = [
        "stages_line",
        "volume_line",
        "sources_line",
        "share_line",
        "source_stmt",
    ];
    for s in &statements {
        assert!(
            shown.contains(s.as_str()) || in_mineral.contains(&s.as_str()),
            "the statement rule `{s}` has no example in FORMS"
        );
    }
    // Each example of a statement rule parses as that rule.
    for (rule, input, _) in FORMS {
        let t = tree::parse(input, SourceId(0)).unwrap();
        let first = t.children.first().unwrap();
        assert_eq!(format!("{:?}", first.rule), *rule, "{input:?}");
    }
}

#[test]
fn every_rule_of_the_grammar_has_an_example() {
    let (rules, _) = grammar();
    let mut seen = BTreeSet::new();
    for (_, input, _) in FORMS {
        tree::parse(input, SourceId(0)).unwrap().walk(&mut |n| {
            seen.insert(format!("{:?}", n.rule));
        });
    }
    // Rules that are never in a tree: matched only as a lookahead
    // (`keyword`, `ci_keyword`) or only inside an atomic rule (`ident_raw`),
    // or parsed only from a REPL line (`repl_line`, `query`).
    let never = ["keyword", "ci_keyword", "ident_raw", "repl_line", "query"];
    for (name, silent) in &rules {
        if *silent || never.contains(&name.as_str()) {
            continue;
        }
        assert!(
            seen.contains(name),
            "no example in FORMS makes the parser match `{name}`: add one"
        );
    }
}

#[test]
fn comments_stay_where_they_were() {
    let input = "# head\n\nuse world2024   # the data\nlet x = 1 # one\nlet yy = 22    # two\n\n# own\nscenario s { # opens\n  # inside\n  CN bans gallium to US   # trailing\n\n\n     # before close   \n}  # after close\n# end\n";
    let expected = "# head\n\nuse world2024  # the data\nlet x = 1      # one\nlet yy = 22    # two\n\n# own\nscenario s {  # opens\n  # inside\n  CN bans gallium to US  # trailing\n\n  # before close\n}  # after close\n# end\n";
    assert_eq!(format(input).unwrap(), expected);
    assert_eq!(format(expected).unwrap(), expected);
}

#[test]
fn trailing_comments_align_within_statements_not_across_braces() {
    assert_eq!(
        format(
            "scenario s { # open\nlet a = 1 # a\nlet bbb = 2 # b\n} # close\ncompare base, s # c"
        )
        .unwrap(),
        "scenario s {  # open\n  let a = 1    # a\n  let bbb = 2  # b\n}  # close\ncompare base, s  # c\n"
    );
}

#[test]
fn a_comment_after_a_separator_stays_with_its_statement() {
    assert_eq!(
        format("let a = 1; # on a\nlet b = 2; let c = 3 # on c").unwrap(),
        "let a = 1  # on a\nlet b = 2\nlet c = 3  # on c\n"
    );
}

#[test]
fn a_comment_inside_an_otherwise_empty_block_keeps_it_open() {
    assert_eq!(
        format("scenario s { # nothing yet\n}").unwrap(),
        "scenario s {  # nothing yet\n}\n"
    );
    assert_eq!(
        format("scenario s {\n# later\n}").unwrap(),
        "scenario s {\n  # later\n}\n"
    );
}

#[test]
fn blank_lines_collapse_and_vanish_at_the_edges() {
    assert_eq!(
        format("\n\n\nlet a = 1\n\n\n\nlet b = 2\n\n\n").unwrap(),
        "let a = 1\n\nlet b = 2\n"
    );
    assert_eq!(
        format("scenario s {\n\n  let a = 1\n\n\n  let b = 2\n\n}").unwrap(),
        "scenario s {\n  let a = 1\n\n  let b = 2\n}\n"
    );
}

#[test]
fn nested_blocks_indent_by_two() {
    // A mineral inside a scenario is refused by the checker, not by the
    // grammar: the printer still lays it out.
    assert_eq!(
        format("scenario s { mineral m { stages a; a: CN 10% } }").unwrap(),
        "scenario s {\n  mineral m {\n    stages a\n    a: CN 10%\n  }\n}\n"
    );
}

#[test]
fn line_endings_and_edges() {
    assert_eq!(format("").unwrap(), "");
    assert_eq!(format("\n\n  \n").unwrap(), "");
    assert_eq!(format("# only\n").unwrap(), "# only\n");
    assert_eq!(
        format("let a = 1\r\nlet b=2\r\n").unwrap(),
        "let a = 1\r\nlet b = 2\r\n"
    );
    assert_eq!(format("\u{feff}let a = 1").unwrap(), "let a = 1\n");
    assert_eq!(
        format("source \"a # not a comment\"  # a comment").unwrap(),
        "source \"a # not a comment\"  # a comment\n"
    );
}

#[test]
fn a_text_that_does_not_parse_is_an_error() {
    let diags = format("CN restricts").unwrap_err();
    assert_eq!(diags[0].code, crate::diagnostic::Code::Syntax);
    let diags = format(&"(".repeat(100)).unwrap_err();
    assert_eq!(diags[0].code, crate::diagnostic::Code::TooDeep);
}

#[test]
fn deep_nesting_within_the_limits_formats() {
    let depth = crate::syntax::limits::MAX_DEPTH - 1;
    let input = format!("let x = {}1{}", "(".repeat(depth), ")".repeat(depth));
    assert_eq!(format(&input).unwrap(), format!("{input}\n"));
}

#[test]
fn expectations_are_named_in_the_canonical_layout() {
    let p = crate::syntax::parse(
        "expect cut:JP.rare_earths.shortfall>30%+-1%   # why\nexpect JP.g.top_supplier==CN",
        SourceId(0),
    )
    .unwrap();
    let texts: Vec<&str> = p
        .stmts
        .iter()
        .map(|s| match &s.kind {
            crate::ast::StmtKind::Expect(e) => e.text.as_str(),
            _ => panic!("not an expectation"),
        })
        .collect();
    assert_eq!(
        texts,
        [
            "JP.rare_earths.shortfall > 30% +- 1%",
            "JP.g.top_supplier == CN"
        ]
    );
}
