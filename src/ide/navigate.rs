//! What a position in a file refers to: the name under the cursor (a use
//! the checker resolved, or a definition), where it is defined, and what
//! to say about it on hover.

use std::collections::HashMap;

use crate::ast::{Expect, ExpectRhs, Program, Stmt, StmtKind};
use crate::check::values::{self, Dim, Value, Vars};
use crate::eval::{self, Measured, assemble};
use crate::metric::MetricKind;
use crate::program::Expected;
use crate::program::{Checked, Def, GroupKind, InputKind, ROW, Shares};
use crate::source::{SourceMap, Span};

use super::analysis::Analysis;

/// Hover text (markdown) and the span it is about.
#[derive(Debug, Clone, PartialEq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end && span.end > span.start
}

/// The name at byte `offset` of the main file and what it stands for: a
/// use the checker resolved, or the name in a definition.
pub fn name_at(a: &Analysis, offset: usize) -> Option<(Def, Span)> {
    let checked = a.checked.as_ref()?;
    let in_main = |s: Span| s.source == a.main && contains(s, offset);
    let used = checked
        .uses
        .iter()
        .filter(|u| in_main(u.span))
        .min_by_key(|u| u.span.len())
        .map(|u| (u.def, u.span));
    if used.is_some() {
        return used;
    }
    let w = &checked.world;
    let defined = w
        .actor_ids()
        .map(|id| (Def::Actor(id), w.actors[id].span))
        .chain(w.group_ids().map(|id| (Def::Group(id), w.groups[id].span)))
        .chain(
            w.mineral_ids()
                .map(|id| (Def::Mineral(id), w.minerals[id].span)),
        )
        .chain(
            checked
                .scenario_ids()
                .map(|id| (Def::Scenario(id), checked.scenarios[id].span)),
        )
        .find(|(_, s)| in_main(*s));
    defined.or_else(|| {
        let program = a.program.as_ref()?;
        let mut found = None;
        each_stmt(&program.stmts, &mut |s| match &s.kind {
            StmtKind::Let(l) if in_main(l.name.span) => {
                found = Some((Def::Variable(l.name.span), l.name.span));
            }
            // An alias where it is declared.
            StmtKind::Actor(decls) => {
                for d in decls {
                    let Some(alias) = d.aliases.iter().find(|a| in_main(a.span)) else {
                        continue;
                    };
                    if let Some(id) = w.actor_ids().find(|&id| w.actors[id].code == d.code.text) {
                        found = Some((Def::Actor(id), alias.span));
                    }
                }
            }
            _ => {}
        });
        found
    })
}

/// Every statement, those inside scenario blocks included, in file order.
pub fn each_stmt<'p>(stmts: &'p [Stmt], f: &mut impl FnMut(&'p Stmt)) {
    for s in stmts {
        f(s);
        if let StmtKind::Scenario(sc) = &s.kind {
            each_stmt(&sc.body, f);
        }
    }
}

/// Where the name at `offset` is defined: a span in the file itself, in a
/// file it uses, or in an embedded data set.
pub fn definition(a: &Analysis, offset: usize) -> Option<Span> {
    let (def, _) = name_at(a, offset)?;
    def_span(a, def)
}

/// Where `def` is written.
pub fn def_span(a: &Analysis, def: Def) -> Option<Span> {
    let checked = a.checked.as_ref()?;
    let w = &checked.world;
    let span = match def {
        Def::Actor(id) if w.actors[id].code == ROW => return None,
        Def::Actor(id) => w.actors[id].span,
        Def::Group(id) => w.groups[id].span,
        Def::Mineral(id) => w.minerals[id].span,
        Def::Stage(m, i) => stage_span(&a.sources, w.minerals[m].span, &w.minerals[m].stages[i])
            .unwrap_or(w.minerals[m].span),
        Def::Variable(span) => span,
        Def::Scenario(id) => checked.scenarios[id].span,
        Def::File(id) => Span::new(id, 0, 0),
    };
    Some(span)
}

/// The stage's name in the `stages` line of the mineral named at
/// `mineral`, found in the text of the block.
fn stage_span(sources: &SourceMap, mineral: Span, stage: &str) -> Option<Span> {
    let text = &sources.get(mineral.source)?.text;
    let body_start = mineral.end;
    let body_end = text[body_start..]
        .find('}')
        .map_or(text.len(), |i| body_start + i);
    let body = &text[body_start..body_end];
    let at = body.find("stages")?;
    let line_end = body[at..].find(['\n', ';']).map_or(body.len(), |i| at + i);
    let line = &body[at..line_end];
    let mut pos = 0;
    while let Some(i) = line[pos..].find(stage) {
        let start = pos + i;
        let end = start + stage.len();
        let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
        let before = line[..start].chars().next_back().is_some_and(word);
        let after = line[end..].chars().next().is_some_and(word);
        if !before && !after {
            let s = body_start + at + start;
            return Some(Span::new(mineral.source, s, s + stage.len()));
        }
        pos = end;
    }
    None
}

// ---------------------------------------------------------------- hover

/// What to show for the position `offset` of the main file.
pub fn hover(a: &Analysis, offset: usize) -> Option<Hover> {
    if let Some(h) = metric_hover(a, offset) {
        return Some(h);
    }
    let (def, span) = name_at(a, offset)?;
    let markdown = describe(a, def)?;
    Some(Hover { span, markdown })
}

/// The `expect` with a metric path under `offset`, its index among the
/// checked expectations, and whether the path is the right-hand one
/// (`expect … > base: JP.rare_earths.shortfall`).
fn expect_at(a: &Analysis, offset: usize) -> Option<(&Expect, usize, bool)> {
    let program = a.program.as_ref()?;
    let checked = a.checked.as_ref()?;
    let mut found = None;
    each_stmt(&program.stmts, &mut |s| {
        if let StmtKind::Expect(e) = &s.kind {
            let right = match &e.rhs {
                ExpectRhs::Metric { path, .. } => contains(path.span, offset),
                _ => false,
            };
            if right || contains(e.path.span, offset) {
                let index = checked.expectations.iter().position(|x| x.span == s.span);
                found = index.map(|i| (e, i, right));
            }
        }
    });
    found
}

/// A metric path of an `expect`: its value in the expectation's scenario
/// (for the right-hand metric of a comparison, in the scenario it names).
fn metric_hover(a: &Analysis, offset: usize) -> Option<Hover> {
    let (e, index, right) = expect_at(a, offset)?;
    if right {
        return right_metric_hover(a, e, index);
    }
    let checked = a.checked.as_ref()?;
    let x = &checked.expectations[index];
    let scenario = &checked.scenarios[x.scenario].name;
    let path = a.text.get(e.path.span.start..e.path.span.end)?;
    let mut md = format!("**{path}** in scenario `{scenario}`\n\n");
    let result = a
        .results
        .as_ref()
        .filter(|r| r.expectations.len() == checked.expectations.len())
        .map(|r| &r.expectations[index]);
    match result {
        Some(r) => {
            let value = match (&r.actual_text, r.actual) {
                (Some(t), _) => t.clone(),
                (None, Some(v)) => r.metric.format_with_unit(v),
                (None, None) => "no data".to_string(),
            };
            let verdict = if r.passed { "passes" } else { "fails" };
            md.push_str(&format!(
                "value: **{value}** — `expect {}` {verdict}",
                r.text
            ));
        }
        None => md.push_str("(no value while the file has errors)"),
    }
    if let Some(kind) = MetricKind::from_name(&e.path.metric.text) {
        md.push_str(&format!("\n\n{}", metric_note(kind)));
    }
    Some(Hover {
        span: e.path.span,
        markdown: md,
    })
}

/// The right-hand metric of `expect A > SCENARIO: B`: B's value in its
/// scenario, evaluated at the expectation's date as the comparison is.
fn right_metric_hover(a: &Analysis, e: &Expect, index: usize) -> Option<Hover> {
    let ExpectRhs::Metric { path, .. } = &e.rhs else {
        return None;
    };
    let checked = a.checked.as_ref()?;
    let x = &checked.expectations[index];
    let Expected::Metric { scenario, metric } = &x.expected else {
        return None;
    };
    let name = &checked.scenarios[*scenario].name;
    let text = a.text.get(path.span.start..path.span.end)?;
    let mut md = format!("**{text}** in scenario `{name}`\n\n");
    if a.results.is_some() {
        let at = x.at.or_else(|| checked.as_of(*scenario));
        let state = assemble::structure(checked, *scenario, at);
        let values = checked.plain_values();
        let ev = eval::evaluate_mineral(checked, &state, metric.mineral, &values);
        let figures = ev.exposure(checked, metric.subject);
        let kind = metric.metric.kind();
        let value = match eval::measure(checked, metric, &figures, &ev) {
            Measured::Number(v) => kind.format_with_unit(v),
            Measured::Actor(Some(a)) => checked.world.actors[a].code.clone(),
            Measured::Actor(None) => "none".to_string(),
            Measured::Absent { shown, reason } => format!("{shown} ({reason})"),
        };
        md.push_str(&format!(
            "value: **{value}** — the right-hand side of `expect {}`",
            x.text
        ));
    } else {
        md.push_str("(no value while the file has errors)");
    }
    if let Some(kind) = MetricKind::from_name(&path.metric.text) {
        md.push_str(&format!("\n\n{}", metric_note(kind)));
    }
    Some(Hover {
        span: path.span,
        markdown: md,
    })
}

fn metric_note(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Demand => "`demand`: share of world demand for the final product",
        MetricKind::Output => "`output.STAGE`: share of world output of that stage",
        MetricKind::ImportReliance => {
            "`import_reliance`: share of demand not met by own final-stage output"
        }
        MetricKind::TopSupplier => "`top_supplier`: the largest supplier of the final stage",
        MetricKind::TopSupplierShare => "`top_supplier_share`: that supplier's share of supply",
        MetricKind::Hhi => "`hhi`: concentration of supply (0–10000)",
        MetricKind::Dependency => {
            "`dependency.P`: share of demand that passes through P anywhere on the chain"
        }
        MetricKind::AtRisk => "`at_risk`: share of demand whose supply the shocks remove",
        MetricKind::Shortfall => "`shortfall`: share of demand unmet after rerouting",
        MetricKind::CoverDays => "`cover_days`: days the stockpile covers the shortfall",
    }
}

/// Markdown about a definition.
pub fn describe(a: &Analysis, def: Def) -> Option<String> {
    let checked = a.checked.as_ref()?;
    let w = &checked.world;
    let from = |span: Span| -> String {
        match a.sources.get(span.source) {
            Some(f) if span.source != a.main => format!("\n\ndeclared in `{}`", f.name),
            _ => String::new(),
        }
    };
    Some(match def {
        Def::Actor(id) => {
            let actor = &w.actors[id];
            if actor.code == ROW {
                return Some("**ROW** — the rest of the world (built in)".into());
            }
            let mut md = format!("**{}**", actor.code);
            if let Some(n) = &actor.name {
                md.push_str(&format!(" — {n}"));
            }
            if !actor.aliases.is_empty() {
                md.push_str(&format!("\n\naliases: {}", actor.aliases.join(", ")));
            }
            let groups: Vec<&str> = w
                .groups
                .iter()
                .filter(|g| g.members.contains(&id))
                .map(|g| g.name.as_str())
                .collect();
            if !groups.is_empty() {
                md.push_str(&format!("\n\nin: {}", groups.join(", ")));
            }
            if let Some(gdp) = actor.gdp {
                md.push_str(&format!("\n\nGDP: {}", money(gdp.plain)));
            }
            md.push_str(&from(actor.span));
            md
        }
        Def::Group(id) => {
            let g = &w.groups[id];
            let kind = match g.kind {
                GroupKind::Group => "group",
                GroupKind::Coalition => "coalition",
            };
            let members: Vec<&str> = g
                .members
                .iter()
                .map(|&m| w.actors[m].code.as_str())
                .collect();
            let mut md = format!(
                "**{}** — {kind} of {} countries: {}",
                g.name,
                members.len(),
                members.join(", ")
            );
            if let Some(c) = &g.covers {
                let of = match &c.minerals {
                    Some(ms) => format!(
                        " of {}",
                        ms.iter()
                            .map(|&m| w.minerals[m].name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    None => String::new(),
                };
                md.push_str(&format!(
                    "\n\nclaims {} of demand{of}",
                    crate::metric::percent(c.share.plain, 1)
                ));
            }
            md.push_str(&from(g.span));
            md
        }
        Def::Mineral(id) => {
            let m = &w.minerals[id];
            let mut md = format!("**{}** — stages: {}", m.name, m.stages.join(" → "));
            if let Some(v) = m.volume_t {
                md.push_str(&format!("\n\nworld demand: {}", tonnes(v)));
            }
            for (i, stage) in m.stages.iter().enumerate() {
                if let Some(line) = m.stage_shares.get(i).and_then(Option::as_ref) {
                    md.push_str(&share_line(a, checked, stage, line));
                }
            }
            if let Some(line) = &m.demand {
                md.push_str(&share_line(a, checked, "demand", line));
            }
            if !m.sourcing.is_empty() {
                md.push_str(&format!("\n\n{} sourcing lines", m.sourcing.len()));
            }
            md.push_str(&from(m.span));
            md
        }
        Def::Stage(id, i) => {
            let m = &w.minerals[id];
            let stage = &m.stages[i];
            let mut md = format!(
                "**{stage}** — stage {} of {} of `{}` ({})",
                i + 1,
                m.stages.len(),
                m.name,
                m.stages.join(" → ")
            );
            if let Some(line) = m.stage_shares.get(i).and_then(Option::as_ref) {
                md.push_str(&share_line(a, checked, stage, line));
            }
            md
        }
        Def::Variable(span) => variable(a, checked, span)?,
        Def::Scenario(id) => {
            let s = &checked.scenarios[id];
            let mut md = format!("**{}** — scenario", s.name);
            if let Some(p) = s.parent {
                md.push_str(&format!(", extends `{}`", checked.scenarios[p].name));
            }
            md.push_str(&format!(
                "\n\n{} statements of its own, {} with what it inherits",
                s.actions.len(),
                checked.actions(id).len()
            ));
            md
        }
        Def::File(id) => {
            let f = a.sources.get(id)?;
            let lines = f.text.lines().count();
            format!("**{}** — {lines} lines", f.name)
        }
    })
}

/// `mining: CN 69%, US 12%` with the `source` line that cites it.
fn share_line(a: &Analysis, checked: &Checked, name: &str, line: &Shares) -> String {
    let entries: Vec<String> = line
        .entries
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                checked.world.actors[e.actor].code,
                crate::metric::percent(e.value.plain, 1)
            )
        })
        .collect();
    let mut md = format!("\n\n`{name}`: {}", entries.join(", "));
    if let Some(source) = source_after(&a.sources, line.span) {
        md.push_str(&format!("  \n*source:* {source}"));
    }
    md
}

/// The text of the `source "…"` line right after the line of `span`, which
/// cites it (SPEC §2.1).
pub fn source_after(sources: &SourceMap, span: Span) -> Option<String> {
    let file = sources.get(span.source)?;
    let text = &file.text;
    let (_, line) = file.line_at(span.end.saturating_sub(1).max(span.start));
    let next_start = text[line.end..].find('\n').map(|i| line.end + i + 1)?;
    let next_end = text[next_start..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| next_start + i);
    let next = text[next_start..next_end].trim();
    let rest = next.strip_prefix("source")?.trim_start();
    let body = rest.strip_prefix('"')?;
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Some(out),
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    None
}

/// `let x = …` as written, and its value.
fn variable(a: &Analysis, checked: &Checked, span: Span) -> Option<String> {
    let file = a.sources.get(span.source)?;
    let (_, line) = file.line_at(span.start);
    let written = file.text.get(line)?.trim();
    let statement = written.split(['#', ';']).next().unwrap_or(written).trim();
    let mut md = format!("```lode\n{statement}\n```");
    // A plain `let` is an input by its name; a range bound to a name is an
    // input by the range, on the same line.
    let name = file.text.get(span.start..span.end)?;
    let row = file.line_at(span.start).0;
    let input = checked.inputs.iter().find(|i| {
        i.span == span
            || (i.name.as_deref() == Some(name)
                && i.span.source == span.source
                && file.line_at(i.span.start).0 == row)
    });
    let value = a
        .program
        .as_ref()
        .and_then(|p| variable_values(p).remove(&(span.start, span.end)));
    match (input.map(|i| &i.kind), value) {
        (Some(InputKind::Range { low, mode, high }), _) => {
            let shape = match mode {
                Some(m) => format!(
                    "triangular: low {}, mode {}, high {}",
                    num(*low),
                    num(*m),
                    num(*high)
                ),
                None => format!("uniform on [{}, {}]", num(*low), num(*high)),
            };
            md.push_str(&format!(
                "\n\n{shape}; a plain run uses {}",
                num(input?.plain())
            ));
        }
        (_, Some(v)) => md.push_str(&format!("\n\nvalue: **{}**", shown(&v))),
        (Some(InputKind::Let { value }), None) => {
            md.push_str(&format!("\n\nvalue: **{}**", num(*value)))
        }
        (None, None) => {}
    }
    Some(md)
}

/// Every `let` of the file, by the span of its name, with its value in
/// its scenario: `base`'s variables, then those of the blocks it extends,
/// then its own.
fn variable_values(program: &Program) -> HashMap<(usize, usize), Value> {
    let mut out = HashMap::new();
    let mut base = Vars::new();
    for s in &program.stmts {
        if let StmtKind::Let(l) = &s.kind {
            if let Ok(v) = values::eval(&l.value, &base) {
                out.insert((l.name.span.start, l.name.span.end), v.clone());
                base.insert(l.name.text.clone(), (v, l.name.span));
            }
        }
    }
    let blocks: Vec<&crate::ast::ScenarioDecl> = program
        .stmts
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Scenario(sc) => Some(sc),
            _ => None,
        })
        .collect();
    for block in &blocks {
        // The chain from the root ancestor down to this block.
        let mut chain = vec![*block];
        while let Some(parent) = chain
            .last()
            .and_then(|b| b.extends.as_ref())
            .and_then(|p| blocks.iter().find(|b| b.name.text == p.text))
        {
            if chain.iter().any(|b| std::ptr::eq(*b, *parent)) {
                break;
            }
            chain.push(parent);
        }
        let mut vars = base.clone();
        for b in chain.iter().rev() {
            for s in &b.body {
                if let StmtKind::Let(l) = &s.kind {
                    if let Ok(v) = values::eval(&l.value, &vars) {
                        if std::ptr::eq(*b, *block) {
                            out.insert((l.name.span.start, l.name.span.end), v.clone());
                        }
                        vars.insert(l.name.text.clone(), (v, l.name.span));
                    }
                }
            }
        }
    }
    out
}

/// A value in the unit it was written in.
fn shown(v: &Value) -> String {
    match v.dim {
        Dim::Number if v.percent => format!("{}%", num(v.value * 100.0)),
        Dim::Number => num(v.value),
        Dim::Time => format!("{} days", num(v.value)),
        Dim::Mass => tonnes(v.value),
        Dim::Money => money(v.value),
    }
}

/// A number with at most six decimals, without trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

fn tonnes(t: f64) -> String {
    if t >= 1e6 {
        format!("{} Mt", num(t / 1e6))
    } else if t >= 1e3 {
        format!("{} kt", num(t / 1e3))
    } else {
        format!("{} t", num(t))
    }
}

fn money(d: f64) -> String {
    if d >= 1e12 {
        format!("${}T", num((d / 1e10).round() / 100.0))
    } else if d >= 1e9 {
        format!("${}B", num((d / 1e7).round() / 100.0))
    } else {
        format!("${}M", num((d / 1e4).round() / 100.0))
    }
}
