//! Words for grammar rules, so a syntax error speaks to a person.
//!
//! The match is exhaustive on purpose: a new rule cannot be added to the
//! grammar without deciding what it is called here.

use super::grammar::Rule;

/// What the user would call the thing a rule expects, or `None` for rules
/// that never appear alone in an error.
pub(crate) fn describe(rule: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        EOI => "end of input",
        program | repl_line | stmt | use_stmt | actor_stmt | group_stmt | mineral_stmt
        | coalition_stmt | let_stmt | scenario_stmt | report_stmt | compare_stmt | expect_stmt
        | rerouting_stmt | allocation_stmt | stockpile_stmt | disrupt_stmt | source_stmt
        | share_override | sourcing_stmt | restrict_stmt | adds_stmt | lift_stmt | samples_stmt
        | seed_stmt | at_stmt => "a statement",
        query => "a statement or a query",
        sep => "end of statement",
        block | mineral_body => "a `{` block",
        dataset => "a data set name",
        actor_decl => "an actor code",
        aliases => "`alias`",
        gdp => "`gdp`",
        group_name => "a group name",
        members => "an actor or group",
        mineral_item => "a mineral line",
        stages_line => "`stages`",
        volume_line => "`volume`",
        share_line | line_name => "a stage name or `demand`",
        sources_line => "a `sources` line",
        share_list | share => "a share (`CN 60%`)",
        override_target => "a mineral or stage",
        covers => "`covers`",
        target | all_except => "`all` or an actor",
        by => "`by`",
        allocation_rule => "`sticky`, `market` or `coalition_first`",
        dated | from_date | until_date => "`from` or `until`",
        as_name => "`as`",
        lift_name => "`restrictions` or a restriction's name",
        date_lit => "a date (`2026-01-12`, `2026-01` or `2026Q1`)",
        expect_at => "`at`",
        mineral_list | mineral_ref => "a mineral",
        report_for => "`for`",
        report_on => "`on`",
        expect_rhs => "a value",
        other_metric => "a metric (`JP.rare_earths.shortfall`)",
        metric_path | path_head | path_part => "a metric (`JP.rare_earths.shortfall`)",
        cmp_op => "a comparison (`<`, `<=`, `>`, `>=`, `==`, `!=`)",
        tolerance => "a tolerance (`+- 5%`)",
        statistic | stat_name => "`p5(…)`, `p50(…)`, `p95(…)` or `mean(…)`",
        chance | kw_chance => "`chance(…)`",
        expr | expect_expr | unary | primary | scalar | uncertain => "a value",
        bin_op | expect_op | add | plus | sub | mul | div => "an operator",
        neg => "`-`",
        paren => "`(`",
        variable => "a variable",
        percent => "a percentage",
        quantity => "a quantity",
        unit => "a unit (t, kt, Mt, days, months, years)",
        money => "an amount of money (`$8.5B`)",
        money_scale => "`M`, `B` or `T`",
        number => "a number",
        actor_ref => "an actor",
        code => "an actor code (`CN`)",
        ident | ident_raw | miscased => "a name",
        ident_char => "a letter, digit or `_`",
        string | string_inner => "a string",
        keyword | ci_keyword | kw_any | ci_kw_any => "a keyword",
        kw_use => "`use`",
        kw_actor => "`actor`",
        kw_alias => "`alias`",
        kw_gdp => "`gdp`",
        kw_group => "`group`",
        kw_mineral => "`mineral`",
        kw_stages => "`stages`",
        kw_volume => "`volume`",
        kw_sources => "`sources`",
        kw_source => "`source`",
        kw_coalition => "`coalition`",
        kw_covers => "`covers`",
        kw_demand => "`demand`",
        kw_of => "`of`",
        kw_let => "`let`",
        kw_restricts => "`restricts`",
        kw_bans => "`bans`",
        kw_to => "`to`",
        kw_all => "`all`",
        kw_except => "`except`",
        kw_by => "`by`",
        kw_disrupt => "`disrupt`",
        kw_adds => "`adds`",
        kw_stockpile => "`stockpile`",
        kw_rerouting => "`rerouting`",
        kw_allocation => "`allocation`",
        kw_sticky => "`sticky`",
        kw_market => "`market`",
        kw_coalition_first => "`coalition_first`",
        kw_scenario => "`scenario`",
        kw_extends => "`extends`",
        kw_report => "`report`",
        kw_for => "`for`",
        kw_on => "`on`",
        kw_compare => "`compare`",
        kw_expect => "`expect`",
        kw_from => "`from`",
        kw_until => "`until`",
        kw_lifts => "`lifts`",
        kw_restrictions => "`restrictions`",
        kw_only => "`only`",
        kw_as => "`as`",
        kw_at => "`at`",
        kw_samples => "`samples`",
        kw_seed => "`seed`",
        colon => "`:`",
        equals => "`=`",
        lbrace => "`{`",
        rbrace => "`}`",
        lparen => "`(`",
        rparen => "`)`",
        WHITESPACE | COMMENT => return None,
    })
}

/// Rules that carry no content of their own: keywords and punctuation.
pub(crate) fn is_token(rule: Rule) -> bool {
    use Rule::*;
    matches!(
        rule,
        kw_use
            | kw_actor
            | kw_alias
            | kw_gdp
            | kw_group
            | kw_mineral
            | kw_stages
            | kw_volume
            | kw_sources
            | kw_source
            | kw_coalition
            | kw_covers
            | kw_demand
            | kw_of
            | kw_let
            | kw_to
            | kw_all
            | kw_except
            | kw_by
            | kw_disrupt
            | kw_adds
            | kw_stockpile
            | kw_rerouting
            | kw_allocation
            | kw_scenario
            | kw_extends
            | kw_report
            | kw_for
            | kw_on
            | kw_compare
            | kw_expect
            | kw_from
            | kw_until
            | kw_lifts
            | kw_restrictions
            | kw_as
            | kw_at
            | kw_samples
            | kw_seed
            | colon
            | equals
            | lbrace
            | rbrace
            | lparen
            | rparen
            | EOI
    )
}
