//! Scenarios (SPEC §2.5): the blocks and their `extends` chains, the scope
//! of variables in each, and the order their statements are checked in;
//! then `report`, `compare` and `expect`, once every scenario is declared.

use std::collections::HashMap;

use super::values::Vars;
use super::{Checker, MAX_SCENARIOS, Unit};
use crate::ast::{self, Stmt, StmtKind};
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{Checked, Def, Expected, ReportSel, Scenario, ScenarioId};
use crate::source::Span;

/// Statements that are checked once every scenario name is known.
struct Deferred<'s> {
    scenario: ScenarioId,
    stmt: &'s Stmt,
    vars: Vars,
}

impl Checker<'_> {
    pub(super) fn scenarios(
        &mut self,
        units: &[Unit],
        base_vars: Vars,
        used_vars: Vec<Vars>,
        checked: &mut Checked,
    ) {
        let Some(main) = units.iter().find(|u| u.main) else {
            return;
        };
        checked.scenarios.push(Scenario {
            name: "base".into(),
            span: Span::new(main.source, 0, 0),
            parent: None,
            actions: Vec::new(),
            report: None,
            at: None,
        });
        // Declare every block first, so `extends`, `compare` and `expect` may
        // name a scenario written further down.
        let mut blocks: Vec<(&ast::ScenarioDecl, Span)> = Vec::new();
        let mut ids: HashMap<String, ScenarioId> =
            HashMap::from([("base".to_string(), ScenarioId::BASE)]);
        for stmt in &main.program.stmts {
            let StmtKind::Scenario(s) = &stmt.kind else {
                continue;
            };
            if let Some(&prev) = ids.get(&s.name.text) {
                let mut d = Diag::new(
                    Code::Redefinition,
                    format!("scenario `{}` is defined twice", s.name.text),
                )
                .with_label(s.name.span, "defined again here");
                d = if prev == ScenarioId::BASE {
                    d.help(
                        "`base` is the scenario of the top-level statements; choose another name",
                    )
                } else {
                    d.with_label(checked.scenarios[prev].span, "first defined here")
                };
                self.error(d);
                continue;
            }
            if checked.scenarios.len() >= MAX_SCENARIOS {
                self.error(
                    Diag::new(
                        Code::TooMany,
                        format!("more than {MAX_SCENARIOS} scenarios"),
                    )
                    .with_label(s.name.span, "one too many"),
                );
                break;
            }
            ids.insert(
                s.name.text.clone(),
                ScenarioId::new(checked.scenarios.len()),
            );
            checked.scenarios.push(Scenario {
                name: s.name.text.clone(),
                span: s.name.span,
                parent: None,
                actions: Vec::new(),
                report: None,
                at: None,
            });
            blocks.push((s, stmt.span));
        }
        // Parents.
        for (i, (s, _)) in blocks.iter().enumerate() {
            if let Some(p) = &s.extends {
                match ids.get(&p.text) {
                    Some(&pid) => {
                        self.used(p.span, Def::Scenario(pid));
                        checked.scenarios[i + 1].parent = Some(pid)
                    }
                    None => {
                        let d = self.unknown_scenario(&p.text, p.span, &ids);
                        self.error(d);
                    }
                }
            }
        }
        let order = self.scenario_order(checked);

        let mut deferred: Vec<Deferred> = Vec::new();
        // The dated policies of used files join base first, in the order
        // the files are used (each file after the files it uses).
        let used = units.iter().filter(|u| !u.main).zip(&used_vars);
        for (u, vars) in used {
            for stmt in u
                .program
                .stmts
                .iter()
                .filter(|s| super::world::dated_policy(s))
            {
                self.statement(stmt, vars, ScenarioId::BASE, checked, false);
            }
        }
        // base
        let mut scope_of: HashMap<ScenarioId, Vars> = HashMap::new();
        for stmt in &main.program.stmts {
            if self.statement(stmt, &base_vars, ScenarioId::BASE, checked, false) {
                deferred.push(Deferred {
                    scenario: ScenarioId::BASE,
                    stmt,
                    vars: base_vars.clone(),
                });
            }
        }
        scope_of.insert(ScenarioId::BASE, base_vars);
        // blocks, parents first
        for id in order {
            let (decl, _) = blocks[id.index() - 1];
            let parent = checked.scenarios[id].parent.unwrap_or(ScenarioId::BASE);
            let mut vars = scope_of.get(&parent).cloned().unwrap_or_default();
            let mut own: Vars = Vars::new();
            for stmt in &decl.body {
                if let StmtKind::Let(l) = &stmt.kind {
                    if let Some((_, prev)) = own.get(&l.name.text) {
                        let prev = *prev;
                        self.error(
                            Diag::new(
                                Code::Redefinition,
                                format!("variable `{}` is defined twice", l.name.text),
                            )
                            .with_label(l.name.span, "defined again here")
                            .with_label(prev, "first defined here"),
                        );
                        continue;
                    }
                    if let Some(v) = self.let_value(l, &vars) {
                        vars.insert(l.name.text.clone(), (v.clone(), l.name.span));
                        own.insert(l.name.text.clone(), (v, l.name.span));
                    }
                    continue;
                }
                if self.statement(stmt, &vars, id, checked, true) {
                    deferred.push(Deferred {
                        scenario: id,
                        stmt,
                        vars: vars.clone(),
                    });
                }
            }
            scope_of.insert(id, vars);
        }
        for d in deferred {
            self.late_statement(d.stmt, &d.vars, d.scenario, checked, &ids);
        }
        self.check_lifts(checked);
    }

    /// Blocks in an order where every parent comes before its children;
    /// cycles are reported and broken.
    fn scenario_order(&mut self, checked: &mut Checked) -> Vec<ScenarioId> {
        let n = checked.scenarios.len();
        let mut state = vec![0u8; n];
        let mut order = Vec::new();
        for start in ScenarioId::all(n).skip(1) {
            let mut path = Vec::new();
            let mut cur = start;
            loop {
                if state[cur] == 2 {
                    break;
                }
                if state[cur] == 1 {
                    let names: Vec<String> = path
                        .iter()
                        .skip_while(|&&p| p != cur)
                        .map(|&p: &ScenarioId| checked.scenarios[p].name.clone())
                        .collect();
                    self.error(
                        Diag::new(
                            Code::ExtendsCycle,
                            format!("scenario `{}` extends itself", checked.scenarios[cur].name),
                        )
                        .with_label(
                            checked.scenarios[cur].span,
                            format!("{} → {}", names.join(" → "), checked.scenarios[cur].name),
                        )
                        .help("remove one `extends` so the chain ends at base"),
                    );
                    checked.scenarios[cur].parent = None;
                    break;
                }
                state[cur] = 1;
                path.push(cur);
                match checked.scenarios[cur].parent {
                    Some(p) if p != ScenarioId::BASE => cur = p,
                    _ => break,
                }
            }
            for &p in path.iter().rev() {
                if state[p] != 2 {
                    state[p] = 2;
                    order.push(p);
                }
            }
        }
        order
    }

    fn unknown_scenario(&self, name: &str, span: Span, ids: &HashMap<String, ScenarioId>) -> Diag {
        let names: Vec<&str> = ids.keys().map(|k| k.as_str()).collect();
        unknown_scenario(name, span, &names)
    }

    /// `report`, `compare` and `expect`, once every scenario is declared.
    fn late_statement(
        &mut self,
        stmt: &Stmt,
        vars: &Vars,
        scenario: ScenarioId,
        checked: &mut Checked,
        ids: &HashMap<String, ScenarioId>,
    ) {
        match &stmt.kind {
            StmtKind::Report(r) => {
                let mut sel = ReportSel::default();
                if !r.rows.is_empty() {
                    let mut rows = Vec::new();
                    for n in &r.rows {
                        if let Some(s) = self.subject(&n.text, n.span) {
                            if !rows.contains(&s) {
                                rows.push(s);
                            }
                        }
                    }
                    sel.rows = Some(rows);
                }
                if !r.minerals.is_empty() {
                    let mut ms = Vec::new();
                    let example =
                        |m: &str| Some(format!("reports are per mineral: `report on {m}`"));
                    for m in &r.minerals {
                        if let Some(id) = self.mineral_in(&m.text, m.span, &example) {
                            if !ms.contains(&id) {
                                ms.push(id);
                            }
                        }
                    }
                    sel.minerals = Some(ms);
                }
                checked.scenarios[scenario].report = Some(sel);
            }
            StmtKind::Compare(names) => {
                let mut list = Vec::new();
                for n in names {
                    match ids.get(&n.text) {
                        Some(&id) => {
                            self.used(n.span, Def::Scenario(id));
                            list.push(id)
                        }
                        None => {
                            let d = self.unknown_scenario(&n.text, n.span, ids);
                            self.error(d);
                        }
                    }
                }
                if list.len() == names.len() {
                    checked.compares.push(list);
                }
            }
            StmtKind::Expect(e) => {
                let target = match &e.scenario {
                    Some(n) => match ids.get(&n.text) {
                        Some(&id) => {
                            self.used(n.span, Def::Scenario(id));
                            Some(id)
                        }
                        None => {
                            let d = self.unknown_scenario(&n.text, n.span, ids);
                            self.error(d);
                            None
                        }
                    },
                    None => Some(scenario),
                };
                let exp = self.expectation(e, vars, stmt.span, ids);
                let at = match &e.at {
                    Some(lit) => self.date(lit).map(Some),
                    None => Some(None),
                };
                if let (Some(target), Some(mut exp), Some(at)) = (target, exp, at) {
                    exp.scenario = target;
                    exp.at = at;
                    // The other side defaults to this expectation's scenario.
                    if let (
                        Expected::Metric {
                            scenario: other, ..
                        },
                        ast::ExpectRhs::Metric { scenario: None, .. },
                    ) = (&mut exp.expected, &e.rhs)
                    {
                        *other = target;
                    }
                    checked.expectations.push(exp);
                }
            }
            _ => {}
        }
    }
}

/// "unknown scenario", with "did you mean" among `names` (or the list of
/// them).
pub fn unknown_scenario(name: &str, span: Span, names: &[&str]) -> Diag {
    let d = Diag::new(Code::UnknownScenario, format!("unknown scenario `{name}`"))
        .with_label(span, "no scenario of this name");
    match suggest(name, names.iter().copied()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => {
            let mut names = names.to_vec();
            names.sort_unstable();
            d.help(format!("the scenarios are: {}", names.join(", ")))
        }
    }
}
