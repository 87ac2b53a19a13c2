//! Statements: policies, shocks, structure overrides, scenarios, reports,
//! comparisons and expectations.

use std::collections::HashMap;

use super::names::Named;
use super::values::{Dim, Vars, Want, eval, eval_as};
use super::{Checker, MAX_SCENARIOS, Unit};
use crate::ast::{self, CmpOp, ExpectRhs, MineralRef, Stmt, StmtKind, Target};
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{
    Action, ActorId, Allocation, Checked, Expectation, Expected, GroupKind, Line, Metric,
    MetricRef, MineralId, ReportSel, Scenario, ScenarioId, Stock,
};
use crate::source::Span;

pub const METRICS: &[&str] = &[
    "demand",
    "output",
    "import_reliance",
    "top_supplier",
    "top_supplier_share",
    "hhi",
    "dependency",
    "at_risk",
    "shortfall",
    "cover_days",
];

/// The most choices a help line lists before "and N more".
const MAX_LISTED: usize = 12;

/// Statements that are checked once every scenario name is known.
struct Deferred<'s> {
    scenario: ScenarioId,
    stmt: &'s Stmt,
    vars: Vars,
}

impl Checker<'_> {
    pub(super) fn scenarios(&mut self, units: &[Unit], base_vars: Vars, checked: &mut Checked) {
        let Some(main) = units.iter().find(|u| u.main) else {
            return;
        };
        checked.scenarios.push(Scenario {
            name: "base".into(),
            span: Span::new(main.source, 0, 0),
            parent: None,
            actions: Vec::new(),
            report: None,
        });
        // Declare every block first, so `extends`, `compare` and `expect` may
        // name a scenario written further down.
        let mut blocks: Vec<(&ast::ScenarioDecl, Span)> = Vec::new();
        let mut ids: HashMap<String, ScenarioId> = HashMap::from([("base".to_string(), 0)]);
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
                d = if prev == 0 {
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
            ids.insert(s.name.text.clone(), checked.scenarios.len());
            checked.scenarios.push(Scenario {
                name: s.name.text.clone(),
                span: s.name.span,
                parent: None,
                actions: Vec::new(),
                report: None,
            });
            blocks.push((s, stmt.span));
        }
        // Parents.
        for (i, (s, _)) in blocks.iter().enumerate() {
            if let Some(p) = &s.extends {
                match ids.get(&p.text) {
                    Some(&pid) => checked.scenarios[i + 1].parent = Some(pid),
                    None => {
                        let d = self.unknown_scenario(&p.text, p.span, &ids);
                        self.error(d);
                    }
                }
            }
        }
        let order = self.scenario_order(checked);

        let mut deferred: Vec<Deferred> = Vec::new();
        // base
        let mut scope_of: HashMap<ScenarioId, Vars> = HashMap::new();
        for stmt in &main.program.stmts {
            if self.statement(stmt, &base_vars, 0, checked, false) {
                deferred.push(Deferred {
                    scenario: 0,
                    stmt,
                    vars: base_vars.clone(),
                });
            }
        }
        scope_of.insert(0, base_vars);
        // blocks, parents first
        for id in order {
            let (decl, _) = blocks[id - 1];
            let parent = checked.scenarios[id].parent.unwrap_or(0);
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
                    match eval(&l.value, &vars) {
                        Ok(v) => {
                            vars.insert(l.name.text.clone(), (v, l.name.span));
                            own.insert(l.name.text.clone(), (v, l.name.span));
                        }
                        Err(d) => self.error(d),
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
    }

    /// Blocks in an order where every parent comes before its children;
    /// cycles are reported and broken.
    fn scenario_order(&mut self, checked: &mut Checked) -> Vec<ScenarioId> {
        let n = checked.scenarios.len();
        let mut state = vec![0u8; n];
        let mut order = Vec::new();
        for start in 1..n {
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
                        .map(|&p: &usize| checked.scenarios[p].name.clone())
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
                    Some(p) if p != 0 => cur = p,
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

    /// Checks one statement of a scenario and records its action. Returns
    /// true for statements that need every scenario name (checked later).
    fn statement(
        &mut self,
        stmt: &Stmt,
        vars: &Vars,
        scenario: ScenarioId,
        checked: &mut Checked,
        in_block: bool,
    ) -> bool {
        let actions = match &stmt.kind {
            StmtKind::Use(_)
            | StmtKind::Actor(_)
            | StmtKind::Group(_)
            | StmtKind::Mineral(_)
            | StmtKind::Coalition(_)
            | StmtKind::Scenario(_) => {
                if in_block {
                    let what = match &stmt.kind {
                        StmtKind::Use(_) => "`use`",
                        StmtKind::Scenario(_) => "a scenario",
                        _ => "a declaration",
                    };
                    self.error(
                        Diag::new(Code::NotHere, format!("{what} cannot appear inside a scenario block"))
                            .with_label(stmt.span, "inside a block")
                            .help("declare actors, groups, coalitions, minerals and scenarios at the top level; a block may restate a share line to override world data"),
                    );
                }
                return false;
            }
            StmtKind::Let(_) | StmtKind::Source(_) => return false,
            StmtKind::Report(_) | StmtKind::Compare(_) | StmtKind::Expect(_) => return true,
            StmtKind::ShareOverride(o) => self.share_override(o, vars, stmt.span),
            StmtKind::Sourcing(s) => self.sourcing_override(s, vars, stmt.span),
            StmtKind::Restrict(r) => self.restrict(r, vars, stmt.span),
            StmtKind::Disrupt(d) => {
                self.not_dated(&d.dated);
                let actor = self.single_actor(&d.actor.text, d.actor.span, "`disrupt`");
                let targets = self.mineral_targets(&d.minerals);
                let f = self.fraction(&d.by, vars, "`by`");
                let (Some(actor), Some(targets), Some(fraction)) = (actor, targets, f) else {
                    return false;
                };
                targets
                    .into_iter()
                    .map(|(mineral, stages)| Action::Disrupt {
                        actor,
                        mineral,
                        stages,
                        fraction,
                    })
                    .collect()
            }
            StmtKind::Adds(a) => {
                self.not_dated(&a.dated);
                let actor = self.single_actor(&a.actor.text, a.actor.span, "`adds`");
                let targets = self.mineral_targets(&a.minerals);
                let amount = self.fraction(&a.amount, vars, "added capacity");
                let (Some(actor), Some(targets), Some(amount)) = (actor, targets, amount) else {
                    return false;
                };
                let mut out = Vec::new();
                for (mineral, stages) in targets {
                    for stage in stages {
                        out.push(Action::Adds {
                            actor,
                            mineral,
                            stage,
                            amount,
                        });
                    }
                }
                out
            }
            StmtKind::Stockpile(s) => self.stockpile(s, vars),
            StmtKind::Rerouting(e) => self
                .fraction(e, vars, "`rerouting`")
                .map(Action::Rerouting)
                .into_iter()
                .collect(),
            StmtKind::Allocation(a) => self
                .allocation(a, stmt.span)
                .map(Action::Allocation)
                .into_iter()
                .collect(),
            StmtKind::Lift(l) => {
                self.error(
                    Diag::new(
                        Code::NotSupported,
                        "`lifts restrictions` is not supported yet",
                    )
                    .with_label(stmt.span, "dated policies are planned for a later release")
                    .help("model the suspension as a scenario without the restriction"),
                );
                let _ = l;
                return false;
            }
        };
        checked.scenarios[scenario].actions.extend(actions);
        false
    }

    fn fraction(&mut self, e: &ast::Expr, vars: &Vars, what: &'static str) -> Option<f64> {
        match eval_as(e, vars, Want::Fraction(what)) {
            Ok(v) => Some(v),
            Err(d) => {
                self.error(d);
                None
            }
        }
    }

    fn not_dated(&mut self, dated: &ast::Dated) {
        if let Some(span) = dated.span {
            self.error(
                Diag::new(
                    Code::NotSupported,
                    "dated policies (`from`, `until`) are not supported yet",
                )
                .with_label(span, "planned for a later release")
                .help("remove the dates, or model each period as its own scenario"),
            );
        }
    }

    fn share_override(&mut self, o: &ast::ShareOverride, vars: &Vars, span: Span) -> Vec<Action> {
        let (mineral, line) = match &o.mineral {
            Some(m) => {
                let Some(mid) = self.mineral(&m.text, m.span) else {
                    return Vec::new();
                };
                if o.line.text == "demand" {
                    (mid, Line::Demand)
                } else {
                    match self.stage(mid, &o.line.text, o.line.span) {
                        Some(s) => (mid, Line::Stage(s)),
                        None => return Vec::new(),
                    }
                }
            }
            None => {
                let r = MineralRef {
                    first: o.line.clone(),
                    stage: None,
                    span: o.line.span,
                };
                match self.bare_stage(&r) {
                    Some((m, Some(s))) => (m, Line::Stage(s)),
                    Some((_, None)) => {
                        self.error(
                            Diag::new(
                                Code::NotHere,
                                format!("`{}` is a mineral; name the line to restate", o.line.text),
                            )
                            .with_label(o.line.span, "a mineral, not a stage")
                            .help(format!(
                                "write `{}.STAGE: …` or `{}.demand: …`",
                                o.line.text, o.line.text
                            )),
                        );
                        return Vec::new();
                    }
                    None => return Vec::new(),
                }
            }
        };
        match self.shares(&o.shares, vars, span) {
            Some(shares) => vec![Action::Shares {
                mineral,
                line,
                shares,
            }],
            None => Vec::new(),
        }
    }

    fn sourcing_override(
        &mut self,
        s: &ast::SourcingOverride,
        vars: &Vars,
        span: Span,
    ) -> Vec<Action> {
        let Some(targets) = self.mineral_targets(std::slice::from_ref(&s.target)) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for (mineral, stages) in targets {
            let stage_name = if s.target.stage.is_some()
                || !self.names.minerals.contains_key(&s.target.first.text)
            {
                stages.first().map(|&st| ast::Name {
                    text: self.world.minerals[mineral].stages[st].clone(),
                    span: s.target.span,
                })
            } else {
                None
            };
            if let Some(line) = self.sourcing_line(
                mineral,
                &s.buyer,
                stage_name.as_ref(),
                &s.shares,
                vars,
                span,
            ) {
                out.push(Action::Sourcing { mineral, line });
            }
        }
        out
    }

    fn restrict(&mut self, r: &ast::Restrict, vars: &Vars, _span: Span) -> Vec<Action> {
        self.not_dated(&r.dated);
        let exporter = self.single_actor(&r.actor.text, r.actor.span, "restrictions");
        let targets = self.mineral_targets(&r.minerals);
        let fraction = match (&r.by, r.ban) {
            (Some(by), true) => {
                self.error(
                    Diag::new(
                        Code::BanBy,
                        "`bans` takes no `by`: a ban stops the whole flow",
                    )
                    .with_label(by.span, "remove this")
                    .with_label(r.verb_span, "a ban")
                    .help("write `restricts … by X` for a partial cut"),
                );
                None
            }
            (None, _) => Some(1.0),
            (Some(by), false) => self.fraction(by, vars, "`by`"),
        };
        if self.restricted_flows_left.is_none() {
            // Over the limit already (and reported): expanding `all` is wasted work.
            return Vec::new();
        }
        let importers = match &r.target {
            Target::All { except, .. } => {
                let excluded = self.expand(except).unwrap_or_default();
                Some(
                    (0..self.world.actors.len())
                        // `expand` sorts, so the lookup is a binary search.
                        .filter(|a| Some(*a) != exporter && excluded.binary_search(a).is_err())
                        .collect::<Vec<ActorId>>(),
                )
            }
            Target::Actors(names) => self.expand(names),
        };
        let (Some(exporter), Some(targets), Some(fraction), Some(mut importers)) =
            (exporter, targets, fraction, importers)
        else {
            return Vec::new();
        };
        if importers.contains(&exporter) {
            importers.retain(|&a| a != exporter);
            let code = self.world.actors[exporter].code.clone();
            self.warn(
                Diag::new(
                    Code::SelfRestriction,
                    format!("`{code}` restricts its own supply; that part has no effect"),
                )
                .with_label(r.actor.span, "restricting actor")
                .label(target_span(&r.target), Some(format!("includes {code}")))
                .help(format!(
                    "a restriction limits exports; to cut {code}'s own output use `disrupt`"
                )),
            );
        }
        let flows = importers.len().saturating_mul(targets.len());
        let Some(left) = self.restricted_flows_left.filter(|&left| flows <= left) else {
            if self.restricted_flows_left.is_some() {
                self.error(
                    Diag::new(
                        Code::TooMany,
                        format!(
                            "restrictions name more than {} flows in all",
                            super::MAX_RESTRICTED_FLOWS
                        ),
                    )
                    .with_label(r.actor.span, "this restriction goes over the limit")
                    .help("restrict fewer importers or minerals per statement, or fewer times"),
                );
            }
            // Reported once; later restrictions are not stored either.
            self.restricted_flows_left = None;
            return Vec::new();
        };
        self.restricted_flows_left = Some(left - flows);
        if importers.is_empty() {
            self.warn(
                Diag::new(Code::EmptyTarget, "this restriction reaches no one")
                    .with_label(target_span(&r.target), "no importer left")
                    .help("check the target list"),
            );
        }
        let span = r.actor.span.to(target_span(&r.target));
        targets
            .into_iter()
            .map(|(mineral, stages)| Action::Restrict {
                exporter,
                importers: importers.clone(),
                mineral,
                stages,
                fraction,
                span,
            })
            .collect()
    }

    fn stockpile(&mut self, s: &ast::Stockpile, vars: &Vars) -> Vec<Action> {
        self.not_dated(&s.dated);
        let actor = self.single_actor(&s.actor.text, s.actor.span, "stockpiles");
        let mut minerals = Vec::new();
        for r in &s.minerals {
            if let Some(st) = &r.stage {
                self.error(
                    Diag::new(Code::NotHere, "a stockpile holds a mineral, not a stage")
                        .with_label(st.span, "remove the stage")
                        .help(format!(
                            "write `stockpile {} {} …`",
                            s.actor.text, r.first.text
                        )),
                );
                continue;
            }
            let actor = self.text_of(s.actor.span);
            let amount = self.text_of(s.amount.span);
            let example = |m: &str| {
                Some(format!(
                    "stockpiles are per mineral: `stockpile {actor} {m} {amount}`"
                ))
            };
            if let Some(m) = self.mineral_in(&r.first.text, r.first.span, &example) {
                minerals.push(m);
            }
        }
        let stock = match eval(&s.amount, vars) {
            Ok(v) => match v.dim {
                Dim::Time if v.value >= 0.0 => Some(Stock::Days(v.value)),
                Dim::Mass if v.value >= 0.0 => Some(Stock::Tonnes(v.value)),
                Dim::Time | Dim::Mass => {
                    self.error(
                        Diag::new(Code::OutOfRange, "a stockpile cannot be negative")
                            .with_label(s.amount.span, "negative"),
                    );
                    None
                }
                _ => {
                    self.error(
                        Diag::new(Code::WrongUnit, "a stockpile is a duration or a mass")
                            .with_label(s.amount.span, format!("this is {}", v.dim.describe()))
                            .help("write days of normal use (`60 days`) or a mass (`5 kt`)"),
                    );
                    None
                }
            },
            Err(d) => {
                self.error(d);
                None
            }
        };
        let (Some(actor), Some(stock)) = (actor, stock) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for m in minerals {
            if matches!(stock, Stock::Tonnes(_)) && self.world.minerals[m].volume_t.is_none() {
                let name = self.world.minerals[m].name.clone();
                self.error(
                    Diag::new(
                        Code::NeedsVolume,
                        format!("`{name}` has no `volume`, so a mass cannot be turned into days"),
                    )
                    .with_label(s.amount.span, "a mass")
                    .help(format!(
                        "give the stockpile in days, or add `volume … kt` to `{name}`"
                    )),
                );
                continue;
            }
            out.push(Action::Stockpile {
                actor,
                mineral: m,
                stock,
            });
        }
        out
    }

    fn allocation(&mut self, a: &ast::Allocation, span: Span) -> Option<Allocation> {
        match a.rule {
            ast::AllocRule::Sticky => Some(Allocation::Sticky),
            ast::AllocRule::Market => Some(Allocation::Market),
            ast::AllocRule::CoalitionFirst => {
                let coalitions: Vec<usize> = (0..self.world.groups.len())
                    .filter(|&g| self.world.groups[g].kind == GroupKind::Coalition)
                    .collect();
                match &a.coalition {
                    Some(n) => match self.lookup(&n.text, n.span)? {
                        Named::Group(g) if self.world.groups[g].kind == GroupKind::Coalition => {
                            Some(Allocation::CoalitionFirst(g))
                        }
                        _ => {
                            self.error(
                                Diag::new(
                                    Code::NotACoalition,
                                    format!("`{}` is not a coalition", n.text),
                                )
                                .with_label(n.span, "coalition_first needs a coalition")
                                .help(format!("declare it with `coalition {} = …`", n.text)),
                            );
                            None
                        }
                    },
                    None => {
                        match coalitions.as_slice() {
                            [one] => Some(Allocation::CoalitionFirst(*one)),
                            [] => {
                                self.error(
                                    Diag::new(
                                        Code::CoalitionChoice,
                                        "`coalition_first` needs a coalition, and none is declared",
                                    )
                                    .label(span, None::<String>)
                                    .help("declare one: `coalition allies = G7 + AU`"),
                                );
                                None
                            }
                            many => {
                                let names: Vec<String> = many
                                    .iter()
                                    .map(|&g| self.world.groups[g].name.clone())
                                    .collect();
                                self.error(
                                Diag::new(Code::CoalitionChoice, "several coalitions are declared; name the one that goes first")
                                    .label(span, None::<String>)
                                    .help(format!("write `allocation coalition_first {}` (or one of: {})", names[0], names.join(", "))),
                            );
                                None
                            }
                        }
                    }
                }
            }
        }
    }

    /// Mineral list items to (mineral, stages); all stages when none named.
    fn mineral_targets(&mut self, refs: &[MineralRef]) -> Option<Vec<(MineralId, Vec<usize>)>> {
        let mut out = Vec::new();
        let mut ok = true;
        for r in refs {
            match &r.stage {
                Some(st) => {
                    let Some(m) = self.mineral(&r.first.text, r.first.span) else {
                        ok = false;
                        continue;
                    };
                    match self.stage(m, &st.text, st.span) {
                        Some(s) => out.push((m, vec![s])),
                        None => ok = false,
                    }
                }
                None => match self.bare_stage(r) {
                    Some((m, Some(s))) => out.push((m, vec![s])),
                    Some((m, None)) => {
                        out.push((m, (0..self.world.minerals[m].stages.len()).collect()))
                    }
                    None => ok = false,
                },
            }
        }
        ok.then_some(out)
    }

    /// A bare name: a mineral, or a stage belonging to exactly one mineral.
    fn bare_stage(&mut self, r: &MineralRef) -> Option<(MineralId, Option<usize>)> {
        let name = &r.first.text;
        if let Some(&m) = self.names.minerals.get(name) {
            return Some((m, None));
        }
        let owners: Vec<(MineralId, usize)> = self
            .world
            .minerals
            .iter()
            .enumerate()
            .filter_map(|(i, m)| m.stages.iter().position(|s| s == name).map(|s| (i, s)))
            .collect();
        match owners.as_slice() {
            [(m, s)] => Some((*m, Some(*s))),
            [] => {
                // Unknown: suggest among minerals and stage names alike.
                let mut d = Diag::new(
                    Code::UnknownMineral,
                    format!("unknown mineral or stage `{name}`"),
                )
                .with_label(r.first.span, "not declared");
                let mut cands: Vec<String> = self.names.minerals.keys().cloned().collect();
                for m in &self.world.minerals {
                    cands.extend(m.stages.iter().cloned());
                }
                let suggestion = suggest(name, cands.iter().map(|c| c.as_str()));
                let same_but_case = suggestion
                    .as_deref()
                    .is_some_and(|s| s.to_lowercase() == name.to_lowercase());
                if !same_but_case && super::names::world2024().minerals.contains(name) {
                    d = d.help(format!(
                        "{}; add `use world2024` or declare `mineral {name} {{ … }}`",
                        self.world_off()
                    ));
                } else if let Some(s) = suggestion {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                self.error(d);
                None
            }
            many => {
                let options: Vec<String> = many
                    .iter()
                    .take(MAX_LISTED)
                    .map(|(m, _)| format!("{}.{}", self.world.minerals[*m].name, name))
                    .collect();
                let more = match many.len().saturating_sub(MAX_LISTED) {
                    0 => String::new(),
                    n => format!(" and {n} more"),
                };
                self.error(
                    Diag::new(
                        Code::AmbiguousStage,
                        format!("stage `{name}` belongs to {} minerals", many.len()),
                    )
                    .with_label(r.first.span, "which mineral?")
                    .help(format!("write one of: {}{more}", options.join(", "))),
                );
                None
            }
        }
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
                        Some(&id) => list.push(id),
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
                        Some(&id) => Some(id),
                        None => {
                            let d = self.unknown_scenario(&n.text, n.span, ids);
                            self.error(d);
                            None
                        }
                    },
                    None => Some(scenario),
                };
                let exp = self.expectation(e, vars, stmt.span);
                if let (Some(target), Some(mut exp)) = (target, exp) {
                    exp.scenario = target;
                    checked.expectations.push(exp);
                }
            }
            _ => {}
        }
    }

    /// Resolves `ACTOR.MINERAL.METRIC[.KEY]`.
    pub(crate) fn metric_ref(&mut self, p: &ast::MetricPath) -> Option<MetricRef> {
        let subject = self.subject(&p.actor.text, p.actor.span);
        let example = |m: &str| {
            let actor = &p.actor.text;
            let metric = match &p.key {
                Some(k) => format!("{}.{}", p.metric.text, k.text),
                None => p.metric.text.clone(),
            };
            let mut help = format!("metrics are per mineral: `{actor}.{m}.{metric}`");
            if p.metric.text != "output" {
                let stage = &p.mineral.text;
                help.push_str(&format!(
                    "; the output at this stage is `{actor}.{m}.output.{stage}`"
                ));
            }
            Some(help)
        };
        let mineral = self.mineral_in(&p.mineral.text, p.mineral.span, &example);
        let mineral = mineral?;
        let name = p.metric.text.as_str();
        let needs_key = matches!(name, "output" | "dependency");
        if !METRICS.contains(&name) {
            let mut d = Diag::new(Code::UnknownMetric, format!("unknown metric `{name}`"))
                .with_label(p.metric.span, "not a metric");
            d = match suggest(name, METRICS.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(format!("the metrics are: {}", METRICS.join(", "))),
            };
            self.error(d);
            return None;
        }
        let metric = match (&p.key, needs_key) {
            (None, true) => {
                let example = if name == "output" {
                    format!("{}.{}", name, self.world.minerals[mineral].stages[0])
                } else {
                    format!("{name}.CN")
                };
                self.error(
                    Diag::new(Code::UnknownMetric, format!("`{name}` needs a key"))
                        .with_label(
                            p.metric.span,
                            if name == "output" {
                                "which stage?"
                            } else {
                                "on which supplier?"
                            },
                        )
                        .help(format!(
                            "write `{}.{}.{example}`",
                            p.actor.text, p.mineral.text
                        )),
                );
                return None;
            }
            (Some(k), false) => {
                self.error(
                    Diag::new(Code::UnknownMetric, format!("`{name}` takes no key"))
                        .with_label(k.span, "remove this"),
                );
                return None;
            }
            (Some(k), true) if name == "output" => {
                Metric::Output(self.stage(mineral, &k.text, k.span)?)
            }
            (Some(k), _) => {
                Metric::Dependency(self.single_actor(&k.text, k.span, "dependency keys")?)
            }
            (None, false) => match name {
                "demand" => Metric::Demand,
                "import_reliance" => Metric::ImportReliance,
                "top_supplier" => Metric::TopSupplier,
                "top_supplier_share" => Metric::TopSupplierShare,
                "hhi" => Metric::Hhi,
                "at_risk" => Metric::AtRisk,
                "shortfall" => Metric::Shortfall,
                _ => Metric::CoverDays,
            },
        };
        Some(MetricRef {
            subject: subject?,
            mineral,
            metric,
        })
    }

    fn expectation(&mut self, e: &ast::Expect, vars: &Vars, span: Span) -> Option<Expectation> {
        let metric = self.metric_ref(&e.path);
        let tolerance = match &e.tolerance {
            Some(t) if e.op != CmpOp::Eq => {
                self.error(
                    Diag::new(
                        Code::ToleranceOp,
                        format!("a tolerance only goes with `==`, not `{}`", e.op.symbol()),
                    )
                    .with_label(t.span, "tolerance")
                    .with_label(e.op_span, "not `==`")
                    .help("write `== VALUE +- TOLERANCE`, or drop the tolerance"),
                );
                return None;
            }
            Some(t) => match eval(t, vars) {
                Ok(v) if v.value >= 0.0 => Some(v.value),
                Ok(_) => {
                    self.error(
                        Diag::new(Code::OutOfRange, "a tolerance cannot be negative")
                            .with_label(t.span, "negative"),
                    );
                    return None;
                }
                Err(d) => {
                    self.error(d);
                    return None;
                }
            },
            None => None,
        };
        let metric = metric?;
        let expected = match (&e.rhs, &metric.metric) {
            (ExpectRhs::Code(c), Metric::TopSupplier) => {
                Expected::Actor(self.single_actor(&c.text, c.span, "`top_supplier`")?)
            }
            (ExpectRhs::Code(c), _) => {
                self.error(
                    Diag::new(
                        Code::WrongUnit,
                        "only `top_supplier` is compared with an actor",
                    )
                    .with_label(c.span, "an actor")
                    .help("compare this metric with a number or percentage"),
                );
                return None;
            }
            // An alias reads as a bare name: `top_supplier == china`.
            (
                ExpectRhs::Value(ast::Expr {
                    kind: ast::ExprKind::Var(n),
                    ..
                }),
                Metric::TopSupplier,
            ) => Expected::Actor(self.single_actor(&n.text, n.span, "`top_supplier`")?),
            (ExpectRhs::Value(v), Metric::TopSupplier) => {
                self.error(
                    Diag::new(Code::WrongUnit, "`top_supplier` is compared with an actor")
                        .with_label(v.span, "a value, not an actor")
                        .help("write an actor code or alias: `top_supplier == CN`"),
                );
                return None;
            }
            // `shortfall == china`: an actor where a number belongs.
            (
                ExpectRhs::Value(ast::Expr {
                    kind: ast::ExprKind::Var(n),
                    ..
                }),
                _,
            ) if !vars.contains_key(&n.text) && self.names.actors.contains_key(&n.text) => {
                self.error(
                    Diag::new(
                        Code::WrongUnit,
                        "only `top_supplier` is compared with an actor",
                    )
                    .with_label(n.span, "an actor")
                    .help("compare this metric with a number or percentage"),
                );
                return None;
            }
            (ExpectRhs::Value(v), m) => {
                let val = match eval(v, vars) {
                    Ok(x) => x,
                    Err(d) => {
                        self.error(d);
                        return None;
                    }
                };
                let ok_dim = match m {
                    Metric::CoverDays => matches!(val.dim, Dim::Time | Dim::Number),
                    _ => val.dim == Dim::Number,
                };
                if !ok_dim {
                    self.error(
                        Diag::new(
                            Code::WrongUnit,
                            format!(
                                "`{}` is not compared with {}",
                                e.path.metric.text,
                                val.dim.describe()
                            ),
                        )
                        .with_label(v.span, "wrong kind of value"),
                    );
                    return None;
                }
                let fraction_metric = !matches!(m, Metric::Hhi | Metric::CoverDays);
                if fraction_metric && !val.percent && val.value > 1.0 {
                    self.error(
                        Diag::new(
                            Code::OutOfRange,
                            format!("`{}` is a fraction between 0 and 1", e.path.metric.text),
                        )
                        .with_label(v.span, "above 1")
                        .help(format!("did you mean `{}%`?", val.value)),
                    );
                    return None;
                }
                Expected::Value(val.value)
            }
        };
        if matches!(expected, Expected::Actor(_)) && !matches!(e.op, CmpOp::Eq | CmpOp::Ne) {
            self.error(
                Diag::new(
                    Code::WrongUnit,
                    "`top_supplier` is compared with `==` or `!=`",
                )
                .with_label(e.op_span, "not an equality"),
            );
            return None;
        }
        Some(Expectation {
            scenario: 0,
            metric,
            op: e.op,
            expected,
            tolerance,
            text: e.text.clone(),
            span,
        })
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

fn target_span(t: &Target) -> Span {
    match t {
        Target::All { span, .. } => *span,
        Target::Actors(names) => match (names.first(), names.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => Span::default(),
        },
    }
}
