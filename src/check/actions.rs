//! Policy and shock statements (SPEC §2.4) and restated data lines: each
//! becomes the actions a scenario applies in order.

use super::Checker;
use super::names::Named;
use super::values::{Dim, Value, Vars, Want};
use crate::ast::{self, MineralRef, Stmt, StmtKind, Target};
use crate::diagnostic::{Code, Diag};
use crate::program::{
    ActionKind, ActorId, Allocation, Checked, GroupId, GroupKind, Line, MineralId, Num, ScenarioId,
    Shares, Stock,
};
use crate::source::Span;

/// `by` and `adds`: a share, or a mass per year (made a share per mineral,
/// or kept as a quota).
pub(super) enum Amount {
    Fraction(Num),
    Mass(Value),
}

impl Checker<'_> {
    /// Checks one statement of a scenario and records its actions. Returns
    /// true for statements that need every scenario name (checked later).
    pub(super) fn statement(
        &mut self,
        stmt: &Stmt,
        vars: &Vars,
        scenario: ScenarioId,
        checked: &mut Checked,
        in_block: bool,
    ) -> bool {
        // `from`, `until` and `as` (SPEC §8.1).
        let when = match &stmt.kind {
            StmtKind::Restrict(r) => self.when(&r.dated, true),
            StmtKind::Disrupt(d) => self.when(&d.dated, false),
            StmtKind::Adds(a) => self.when(&a.dated, false),
            StmtKind::Stockpile(s) => self.when(&s.dated, false),
            StmtKind::Lift(l) => self.when(&l.dated, false),
            _ => super::time::When::default(),
        };
        let kinds: Vec<ActionKind> = match &stmt.kind {
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
            StmtKind::Samples(e) | StmtKind::Seed(e) => {
                let samples = matches!(stmt.kind, StmtKind::Samples(_));
                if in_block {
                    self.error(
                        Diag::new(
                            Code::NotHere,
                            format!(
                                "`{}` applies to the whole file, not to a scenario",
                                if samples { "samples" } else { "seed" }
                            ),
                        )
                        .with_label(stmt.span, "inside a block")
                        .help("write it at the top level"),
                    );
                } else {
                    self.sampling_line(e, vars, samples, stmt.span, checked);
                }
                return false;
            }
            StmtKind::Report(_) | StmtKind::Compare(_) | StmtKind::Expect(_) => return true,
            StmtKind::ShareOverride(o) => {
                self.share_override(o, vars, stmt.span, checked, scenario)
            }
            StmtKind::Sourcing(s) => self.sourcing_override(s, vars, stmt.span),
            StmtKind::Restrict(r) => self.restrict(r, vars),
            StmtKind::Disrupt(d) => {
                // A group's disruption hits each member.
                let actors = self.actors_or_group(&d.actor.text, d.actor.span);
                let targets = self.mineral_targets(&d.minerals);
                let f = self.fraction(&d.by, vars, "`by`");
                let (Some((actors, _)), Some(targets), Some(fraction)) = (actors, targets, f)
                else {
                    return false;
                };
                let mut out = Vec::new();
                for (mineral, stages) in targets {
                    for &actor in &actors {
                        out.push(ActionKind::Disrupt {
                            actor,
                            mineral,
                            stages: stages.clone(),
                            fraction,
                        });
                    }
                }
                out
            }
            StmtKind::Adds(a) => {
                let actor = self.single_actor(&a.actor.text, a.actor.span, "`adds`");
                let targets = self.mineral_targets(&a.minerals);
                let amount = self.amount(&a.amount, vars, "added capacity");
                let (Some(actor), Some(targets), Some(amount)) = (actor, targets, amount) else {
                    return false;
                };
                let mut out = Vec::new();
                for (mineral, stages) in targets {
                    let amount = match &amount {
                        Amount::Fraction(f) => *f,
                        Amount::Mass(v) => match self.mass_share(v, mineral, a.amount.span) {
                            Some(n) => n,
                            None => continue,
                        },
                    };
                    for stage in stages {
                        out.push(ActionKind::Adds {
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
                .map(ActionKind::Rerouting)
                .into_iter()
                .collect(),
            StmtKind::Allocation(a) => self
                .allocation(a, stmt.span)
                .map(ActionKind::Allocation)
                .into_iter()
                .collect(),
            StmtKind::Lift(l) => self.lift(l),
            StmtKind::At(lit) => {
                // The last `at` of a scenario wins (SPEC §8.2).
                if let Some(d) = self.date(lit) {
                    checked.scenarios[scenario].at = Some((d, stmt.span));
                }
                return false;
            }
        };
        let span = stmt.span;
        checked.scenarios[scenario]
            .actions
            .extend(kinds.into_iter().map(|kind| when.apply(kind, span)));
        false
    }

    /// `samples N` (1 to [`crate::sample::MAX_SAMPLES`]) or `seed S` (a
    /// whole number from 0 to 2^64 − 1); the last one written wins.
    fn sampling_line(
        &mut self,
        e: &ast::Expr,
        vars: &Vars,
        samples: bool,
        span: Span,
        checked: &mut Checked,
    ) {
        let v = match super::values::eval(e, vars) {
            Ok(v) => v,
            Err(d) => return self.error(d),
        };
        let what = if samples { "`samples`" } else { "`seed`" };
        if v.dim != Dim::Number || v.percent || v.value.fract() != 0.0 {
            return self.error(
                Diag::new(Code::WrongUnit, format!("{what} takes a whole number"))
                    .with_label(e.span, "not a whole number")
                    .help(if samples {
                        "write `samples 10000`"
                    } else {
                        "write `seed 42`"
                    }),
            );
        }
        if samples {
            match crate::sample::check_count(v.value, e.span) {
                Ok(n) => checked.sampling.samples = Some((n, span)),
                Err(d) => self.error(d),
            }
        } else {
            match crate::sample::check_seed(v.value, e.span) {
                Ok(s) => checked.sampling.seed = Some((s, span)),
                Err(d) => self.error(d),
            }
        }
    }

    /// A fraction in 0..=100%, as a number of the program.
    pub(super) fn fraction(
        &mut self,
        e: &ast::Expr,
        vars: &Vars,
        what: &'static str,
    ) -> Option<Num> {
        self.number(e, vars, Want::Fraction(what))
    }

    fn share_override(
        &mut self,
        o: &ast::ShareOverride,
        vars: &Vars,
        span: Span,
        checked: &Checked,
        scenario: ScenarioId,
    ) -> Vec<ActionKind> {
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
        let Some(shares) = self.shares(&o.shares, vars, span) else {
            return Vec::new();
        };
        if !o.only && !self.restated_fits(checked, scenario, mineral, line, &shares) {
            return Vec::new();
        }
        vec![ActionKind::Shares {
            mineral,
            line,
            shares,
            only: o.only,
        }]
    }

    /// The line a restatement in `scenario` updates, as it stands there:
    /// the world's, restated by the statements in force before this one.
    fn line_in_scope(
        &self,
        checked: &Checked,
        scenario: ScenarioId,
        mineral: crate::program::MineralId,
        line: Line,
    ) -> Shares {
        let m = &self.world.minerals[mineral];
        let mut current = match line {
            Line::Stage(s) => m.stage_shares[s].clone(),
            Line::Demand => m.demand.clone(),
        }
        .unwrap_or_default();
        let row = self.world.row();
        for a in checked.actions(scenario) {
            if let ActionKind::Shares {
                mineral: am,
                line: al,
                shares,
                only,
            } = &a.kind
            {
                if *am == mineral && *al == line {
                    current = current.restated(shares, *only, row);
                }
            }
        }
        current
    }

    /// An update keeps the actors it does not name: their shares and the
    /// new ones must still add up to at most 100% (exactly 100% with ROW
    /// named).
    fn restated_fits(
        &mut self,
        checked: &Checked,
        scenario: ScenarioId,
        mineral: crate::program::MineralId,
        line: Line,
        new: &Shares,
    ) -> bool {
        let row = self.world.row();
        let merged = self
            .line_in_scope(checked, scenario, mineral, line)
            .restated(new, false, row);
        let sum: f64 = merged.entries.iter().map(|e| e.value.plain).sum();
        let has_row = merged.entries.iter().any(|e| e.actor == row);
        let kept: Vec<String> = merged
            .entries
            .iter()
            .filter(|e| !new.entries.iter().any(|n| n.actor == e.actor))
            .map(|e| {
                format!(
                    "{} {}",
                    self.world.actors[e.actor].code,
                    super::world::pct(e.value.plain)
                )
            })
            .collect();
        let over = sum > 1.0 + super::world::SUM_TOLERANCE;
        let row_off = has_row && (sum - 1.0).abs() > super::world::SUM_TOLERANCE;
        if !over && !row_off {
            return true;
        }
        let message = if over {
            format!(
                "with the shares this line keeps, the line adds up to {}",
                super::world::pct(sum)
            )
        } else {
            format!(
                "with `ROW` named, the line must add up to 100%, not {}",
                super::world::pct(sum)
            )
        };
        self.error(
            Diag::new(Code::SharesOver, message)
                .with_label(new.span, format!("{} in all", super::world::pct(sum)))
                .help(format!(
                    "a restated line updates the actors it names and keeps the others ({}); \
                     write `… only: …` to replace the whole line",
                    kept.join(", ")
                )),
        );
        false
    }

    pub(super) fn sourcing_override(
        &mut self,
        s: &ast::SourcingOverride,
        vars: &Vars,
        span: Span,
    ) -> Vec<ActionKind> {
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
                out.push(ActionKind::Sourcing { mineral, line });
            }
        }
        out
    }

    fn restrict(&mut self, r: &ast::Restrict, vars: &Vars) -> Vec<ActionKind> {
        // A group restricts as each of its members does (SPEC §2.4).
        let exporters = self.actors_or_group(&r.actor.text, r.actor.span);
        let targets = self.mineral_targets(&r.minerals);
        let amount = match (&r.by, r.ban) {
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
            (None, _) => Some(Amount::Fraction(Num::constant(1.0))),
            (Some(by), false) => self.amount(by, vars, "`by`"),
        };
        if self.restricted_flows_left.is_none() {
            // Over the limit already (and reported): expanding `all` is wasted work.
            return Vec::new();
        }
        let importers = match &r.target {
            Target::All { except, .. } => {
                let excluded = self.expand(except).unwrap_or_default();
                Some(
                    self.world
                        .actor_ids()
                        // `expand` sorts, so the lookup is a binary search.
                        .filter(|a| excluded.binary_search(a).is_err())
                        .collect::<Vec<ActorId>>(),
                )
            }
            Target::Actors(names) => self.expand(names),
        };
        let (Some((exporters, is_group)), Some(targets), Some(amount), Some(importers)) =
            (exporters, targets, amount, importers)
        else {
            return Vec::new();
        };
        // `to all` never means the restricting actor itself; naming it is a
        // mistake worth a warning (but a group's members are each excluded
        // from their own restriction silently).
        if let (false, [exporter], Target::Actors(_)) = (is_group, exporters.as_slice(), &r.target)
        {
            if importers.contains(exporter) {
                let code = self.world.actors[*exporter].code.clone();
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
        }
        let flows = importers
            .len()
            .saturating_mul(targets.len())
            .saturating_mul(exporters.len());
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
        if importers.iter().all(|a| exporters.contains(a)) {
            self.warn(
                Diag::new(Code::EmptyTarget, "this restriction reaches no one")
                    .with_label(target_span(&r.target), "no importer left")
                    .help("check the target list"),
            );
        }
        let target_span = r.actor.span.to(target_span(&r.target));
        // One restriction per mineral, over every stage the list names for
        // it, each once: `ore.mine, ore.mill by 10 kt` takes 10 kt off both
        // flows together, and `ore.mine, ore` does not cut the mine twice.
        let mut merged: Vec<(MineralId, Vec<usize>)> = Vec::new();
        for (mineral, stages) in targets {
            match merged.iter_mut().find(|(m, _)| *m == mineral) {
                Some((_, all)) => all.extend(stages),
                None => merged.push((mineral, stages)),
            }
        }
        for (_, stages) in &mut merged {
            stages.sort_unstable();
            stages.dedup();
        }
        let mut out = Vec::new();
        for (mineral, stages) in merged {
            let (fraction, quota) = match &amount {
                Amount::Fraction(f) => (*f, None),
                Amount::Mass(v) => {
                    if self
                        .volume_of(mineral, r.by.as_ref().map_or(r.verb_span, |b| b.span))
                        .is_none()
                    {
                        continue;
                    }
                    (Num::constant(1.0), Some(self.num(v, target_span)))
                }
            };
            for &exporter in &exporters {
                out.push(ActionKind::Restrict {
                    exporter,
                    importers: importers
                        .iter()
                        .copied()
                        .filter(|&a| a != exporter)
                        .collect(),
                    mineral,
                    stages: stages.clone(),
                    fraction,
                    quota,
                    target_span,
                });
            }
        }
        out
    }

    /// The actor a policy names, or each member of a group (`BRICS
    /// restricts …`, `stockpile JP + KR …`); with whether it was a group.
    pub(super) fn actors_or_group(
        &mut self,
        name: &str,
        span: Span,
    ) -> Option<(Vec<ActorId>, bool)> {
        match self.lookup(name, span)? {
            super::names::Named::Actor(a) => Some((vec![a], false)),
            super::names::Named::Group(g) => {
                let members = self.world.groups[g].members.clone();
                if members.is_empty() {
                    self.warn(
                        Diag::new(
                            Code::EmptyTarget,
                            format!("`{name}` has no members: this statement does nothing"),
                        )
                        .with_label(span, "an empty group"),
                    );
                }
                Some((members, true))
            }
        }
    }

    /// A percentage, or a mass per year (`10 kt`) for minerals with a
    /// `volume` (SPEC §2.4).
    pub(super) fn amount(
        &mut self,
        e: &ast::Expr,
        vars: &Vars,
        what: &'static str,
    ) -> Option<Amount> {
        let v = match self.eval_value(e, vars) {
            Ok(v) => v,
            Err(d) => {
                self.error(d);
                return None;
            }
        };
        if v.dim == Dim::Mass {
            if v.value < 0.0 {
                self.error(
                    Diag::new(Code::OutOfRange, format!("{what} cannot be negative"))
                        .with_label(e.span, "negative"),
                );
                return None;
            }
            if let Err(d) = super::values::range_fits(&v, e.span, Want::Mass, &self.inputs) {
                self.error(d);
                return None;
            }
            return Some(Amount::Mass(v));
        }
        let checked = super::values::as_wanted(v, e.span, Want::Fraction(what)).and_then(|v| {
            super::values::range_fits(&v, e.span, Want::Fraction(what), &self.inputs).map(|()| v)
        });
        match checked {
            Ok(v) => Some(Amount::Fraction(self.num(&v, e.span))),
            Err(mut d) => {
                if d.code == Code::WrongUnit {
                    d.message = format!("{what} takes a percentage or a mass per year");
                    d.help = Some(
                        "write a percentage such as `40%`, or a mass such as `10 kt` for a \
                         mineral with a `volume`"
                            .into(),
                    );
                }
                self.error(d);
                None
            }
        }
    }

    /// A mineral's `volume`, or an error at `span` that a mass needs one.
    pub(super) fn volume_of(&mut self, mineral: MineralId, span: Span) -> Option<f64> {
        let m = &self.world.minerals[mineral];
        if let Some(v) = m.volume_t {
            return Some(v);
        }
        let name = m.name.clone();
        self.error(
            Diag::new(
                Code::NeedsVolume,
                format!("`{name}` has no `volume`, so a mass cannot be turned into a share"),
            )
            .with_label(span, "a mass")
            .help(format!(
                "give a percentage of world output, or add `volume … kt` to `{name}`"
            )),
        );
        None
    }

    /// A mass per year as a share of a mineral's world demand.
    fn mass_share(&mut self, v: &Value, mineral: MineralId, span: Span) -> Option<Num> {
        let volume = self.volume_of(mineral, span)?;
        let share = Value {
            value: v.value / volume,
            dim: Dim::Number,
            percent: false,
            sym: v.sym.as_ref().map(|e| {
                std::sync::Arc::new(crate::program::ValueExpr::Div(
                    Box::new((**e).clone()),
                    Box::new(crate::program::ValueExpr::Const(volume)),
                ))
            }),
        };
        if share.value > 1.0 + 1e-12 {
            let name = &self.world.minerals[mineral].name;
            self.error(
                Diag::new(
                    Code::OutOfRange,
                    format!("this is more than all of {name}'s world output"),
                )
                .with_label(span, format!("{:.1}% of world output", share.value * 100.0))
                .help("added capacity is at most 100% of world output"),
            );
            return None;
        }
        Some(self.num(&share, span))
    }

    fn stockpile(&mut self, s: &ast::Stockpile, vars: &Vars) -> Vec<ActionKind> {
        // `stockpile JP + KR …`, `stockpile G7 …`: each actor or member holds
        // that much (SPEC §2.4).
        let holders = self.expand(&s.holders);
        let holders_text = match (s.holders.first(), s.holders.last()) {
            (Some(a), Some(b)) => self.text_of(a.span.to(b.span)),
            _ => String::new(),
        };
        let mut minerals = Vec::new();
        for r in &s.minerals {
            if let Some(st) = &r.stage {
                self.error(
                    Diag::new(Code::NotHere, "a stockpile holds a mineral, not a stage")
                        .with_label(st.span, "remove the stage")
                        .help(format!(
                            "write `stockpile {holders_text} {} …`",
                            r.first.text
                        )),
                );
                continue;
            }
            let actor = holders_text.clone();
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
        let stock = match self.eval_value(&s.amount, vars) {
            Ok(v) => match v.dim {
                Dim::Time if v.value >= 0.0 => Some(Stock::Days(self.num(&v, s.amount.span))),
                Dim::Mass if v.value >= 0.0 => Some(Stock::Tonnes(self.num(&v, s.amount.span))),
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
        let (Some(holders), Some(stock)) = (holders, stock) else {
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
            out.extend(holders.iter().map(|&actor| ActionKind::Stockpile {
                actor,
                mineral: m,
                stock,
            }));
        }
        out
    }

    fn allocation(&mut self, a: &ast::Allocation, span: Span) -> Option<Allocation> {
        match a.rule {
            ast::AllocRule::Sticky => Some(Allocation::Sticky),
            ast::AllocRule::Market => Some(Allocation::Market),
            ast::AllocRule::CoalitionFirst => {
                let coalitions: Vec<GroupId> = self
                    .world
                    .group_ids()
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
