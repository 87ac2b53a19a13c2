//! World data: actors, groups, coalitions and minerals.

use std::collections::HashSet;

use super::names::Named;
use super::values::{Vars, Want};
use super::{Checker, MAX_GROUP_MEMBERS, MAX_STAGES, Unit};
use crate::ast::{self, MineralItemKind, Share, StmtKind};
use crate::diagnostic::{Code, Diag};
use crate::program::{
    ActionKind, Actor, ActorId, CoversClaim, Group, GroupId, GroupKind, Mineral, MineralId, ROW,
    ShareEntry, Shares, SourcingLine,
};
use crate::source::Span;
use crate::syntax::limits::MAX_DEPTH;

/// Tolerance on share sums: 0.1 percentage point (SPEC §2.1).
pub(super) const SUM_TOLERANCE: f64 = 0.001;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Visit {
    New,
    /// Being expanded: met again, it is a cycle.
    Open,
    Done,
}

/// The state of expanding all groups.
struct GroupWalk {
    state: Vec<Visit>,
    /// Each expanded group's nesting: 1 for a group of actors only.
    height: Vec<usize>,
    /// How many members all groups may still hold together (`None` once
    /// over the limit), so a file of groups of groups cannot claim unbounded
    /// memory or time.
    budget: Option<usize>,
    /// Nesting deeper than [`MAX_DEPTH`] was reported.
    too_deep: bool,
}

/// A group being expanded: its members so far, the subgroups taken in, the
/// next member name to read, and the deepest nesting among its subgroups.
struct Frame {
    group: GroupId,
    next: usize,
    members: Vec<ActorId>,
    subgroups: HashSet<GroupId>,
    height: usize,
}

impl Frame {
    fn new(group: GroupId) -> Self {
        Frame {
            group,
            next: 0,
            members: Vec::new(),
            subgroups: HashSet::new(),
            height: 0,
        }
    }
}

impl Checker<'_> {
    /// Pass 1: every name a unit declares.
    pub(super) fn declare(&mut self, unit: &Unit) {
        for stmt in &unit.program.stmts {
            match &stmt.kind {
                StmtKind::Actor(decls) => {
                    for d in decls {
                        let id = ActorId::new(self.world.actors.len());
                        if !self.define(&d.code.text, d.code.span, Named::Actor(id)) {
                            continue;
                        }
                        let mut aliases = Vec::new();
                        for a in &d.aliases {
                            if self.define(&a.text, a.span, Named::Actor(id)) {
                                aliases.push(a.text.clone());
                            }
                        }
                        self.world.actors.push(Actor {
                            code: d.code.text.clone(),
                            name: d.name.as_ref().map(|s| s.value.clone()),
                            aliases,
                            gdp: None,
                            span: d.code.span,
                        });
                    }
                }
                StmtKind::Group(g) => self.declare_group(
                    &g.name.text,
                    g.name.span,
                    GroupKind::Group,
                    unit.main,
                    &g.members,
                ),
                StmtKind::Coalition(c) => {
                    let (name, span) = match &c.name {
                        Some(n) => (n.text.clone(), n.span),
                        None => (c.members_text.clone(), c.members_span),
                    };
                    self.declare_group(&name, span, GroupKind::Coalition, true, &c.members);
                }
                StmtKind::Mineral(m) => self.declare_mineral(m),
                _ => {}
            }
        }
    }

    fn declare_group(
        &mut self,
        name: &str,
        span: Span,
        kind: GroupKind,
        in_main: bool,
        members: &[ast::Name],
    ) {
        let id = GroupId::new(self.world.groups.len());
        if !self.define(name, span, Named::Group(id)) {
            return;
        }
        self.world.groups.push(Group {
            name: name.to_string(),
            kind,
            members: Vec::new(),
            span,
            in_main,
            covers: None,
        });
        self.group_members.push(members.to_vec());
    }

    fn declare_mineral(&mut self, m: &ast::MineralDecl) {
        if let Some(&prev) = self.names.minerals.get(&m.name.text) {
            let prev_span = self.world.minerals[prev].span;
            self.error(
                Diag::new(Code::Redefinition, format!("mineral `{}` is defined twice", m.name.text))
                    .with_label(m.name.span, "defined again here")
                    .with_label(prev_span, "first defined here")
                    .help("to change world data in a scenario, restate a line: `rare_earths.refining: CN 80%`"),
            );
            return;
        }
        let mut stages: Option<Vec<String>> = None;
        for item in &m.items {
            let MineralItemKind::Stages(names) = &item.kind else {
                continue;
            };
            if stages.is_some() {
                self.error(
                    Diag::new(
                        Code::MineralShape,
                        format!("`{}` has two `stages` lines", m.name.text),
                    )
                    .with_label(item.span, "second `stages` line")
                    .help("list every stage on one line: `stages mining, refining`"),
                );
                continue;
            }
            let mut seen: Vec<String> = Vec::new();
            for n in names {
                if n.text == "demand" {
                    self.error(
                        Diag::new(Code::MineralShape, "a stage cannot be called `demand`")
                            .with_label(n.span, "reserved for the demand line"),
                    );
                } else if seen.contains(&n.text) {
                    self.error(
                        Diag::new(
                            Code::MineralShape,
                            format!("stage `{}` is listed twice", n.text),
                        )
                        .with_label(n.span, "repeated"),
                    );
                } else {
                    seen.push(n.text.clone());
                }
            }
            if seen.len() > MAX_STAGES {
                self.error(
                    Diag::new(
                        Code::TooMany,
                        format!("{} stages; lode allows {MAX_STAGES}", seen.len()),
                    )
                    .with_label(item.span, "too many stages"),
                );
                seen.truncate(MAX_STAGES);
            }
            stages = Some(seen);
        }
        let stages = stages
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| vec!["supply".into()]);
        let id = MineralId::new(self.world.minerals.len());
        self.names.minerals.insert(m.name.text.clone(), id);
        self.world.minerals.push(Mineral {
            name: m.name.text.clone(),
            stage_shares: vec![None; stages.len()],
            stages,
            volume_t: None,
            demand: None,
            sourcing: Vec::new(),
            sources: Vec::new(),
            span: m.name.span,
        });
    }

    /// Pass 2: group members, expanded to actors, with cycles reported.
    pub(super) fn resolve_groups(&mut self, _units: &[Unit]) {
        let n = self.world.groups.len();
        let mut walk = GroupWalk {
            state: vec![Visit::New; n],
            height: vec![0; n],
            budget: Some(MAX_GROUP_MEMBERS),
            too_deep: false,
        };
        for g in GroupId::all(n) {
            self.expand_group(g, &mut walk);
        }
    }

    /// Expands group `root`, and every group inside it, to actors. Depth
    /// first, with an explicit stack: a chain of groups of groups may be as
    /// long as the file, and nothing here recurses. A group whose nesting
    /// (its height: 1 for a group of actors, one more than its deepest
    /// subgroup otherwise) passes [`MAX_DEPTH`] is an error at that group,
    /// once, and is left empty.
    fn expand_group(&mut self, root: GroupId, walk: &mut GroupWalk) {
        if walk.state[root] != Visit::New {
            return;
        }
        if walk.budget.is_none() {
            // Over the limit already (and reported): expanding more is wasted work.
            walk.state[root] = Visit::Done;
            return;
        }
        walk.state[root] = Visit::Open;
        let mut stack = vec![Frame::new(root)];
        while let Some(top) = stack.last_mut() {
            let g = top.group;
            if let Some(name) = self.group_members[g.index()].get(top.next).cloned() {
                top.next += 1;
                match self.lookup(&name.text, name.span) {
                    Some(Named::Actor(a)) => top.members.push(a),
                    // Each subgroup once: `g0 + g0 + …` must not multiply work.
                    Some(Named::Group(h)) if top.subgroups.insert(h) => match walk.state[h] {
                        Visit::Done => {
                            top.members
                                .extend(self.world.groups[h].members.iter().copied());
                            top.height = top.height.max(walk.height[h]);
                        }
                        Visit::Open => {
                            let open: Vec<GroupId> = stack.iter().map(|f| f.group).collect();
                            self.group_cycle(h, &open);
                        }
                        Visit::New if walk.budget.is_none() => walk.state[h] = Visit::Done,
                        Visit::New => {
                            walk.state[h] = Visit::Open;
                            stack.push(Frame::new(h));
                        }
                    },
                    Some(Named::Group(_)) | None => {}
                }
                continue;
            }
            let Some(frame) = stack.pop() else { break };
            let height = frame.height + 1;
            let mut members = frame.members;
            members.sort_unstable();
            members.dedup();
            if height > MAX_DEPTH {
                if !std::mem::replace(&mut walk.too_deep, true) {
                    let name = self.world.groups[g].name.clone();
                    self.error(
                        Diag::new(
                            Code::TooDeep,
                            format!("groups nested more than {MAX_DEPTH} deep"),
                        )
                        .with_label(
                            self.world.groups[g].span,
                            format!("`{name}` holds groups nested {MAX_DEPTH} deep"),
                        )
                        .help("list the members of a deeply nested group directly"),
                    );
                }
                members = Vec::new();
            }
            // A subgroup's expansion may have used up the budget.
            if walk.budget.is_none_or(|left| members.len() > left) {
                if walk.budget.is_some() {
                    let span = self.world.groups[g].span;
                    self.error(
                        Diag::new(
                            Code::TooMany,
                            format!(
                                "groups and coalitions hold more than {MAX_GROUP_MEMBERS} members in all"
                            ),
                        )
                        .with_label(span, "this group goes over the limit")
                        .help("declare fewer or smaller groups"),
                    );
                }
                walk.budget = None;
                members = Vec::new();
            }
            if let Some(left) = &mut walk.budget {
                *left -= members.len();
            }
            if let Some(parent) = stack.last_mut() {
                parent.members.extend(members.iter().copied());
                parent.height = parent.height.max(height);
            }
            self.world.groups[g].members = members;
            walk.height[g] = height;
            walk.state[g] = Visit::Done;
        }
    }

    /// `group a = b`, `group b = a`: reported at `g`, which `open` (the
    /// groups being expanded, outermost first) reaches again.
    fn group_cycle(&mut self, g: GroupId, open: &[GroupId]) {
        let names: Vec<String> = open
            .iter()
            .skip_while(|&&p| p != g)
            .map(|&p| self.world.groups[p].name.clone())
            .collect();
        let span = self.world.groups[g].span;
        self.error(
            Diag::new(
                Code::GroupCycle,
                format!("group `{}` contains itself", self.world.groups[g].name),
            )
            .with_label(
                span,
                format!("{} → {}", names.join(" → "), self.world.groups[g].name),
            )
            .help("a group may contain other groups, but not itself through them"),
        );
    }

    /// Top-level `let`s of a unit, in order; each sees the ones before it.
    pub(super) fn file_vars(&mut self, unit: &Unit) -> Vars {
        let mut vars = Vars::new();
        for stmt in &unit.program.stmts {
            if let StmtKind::Let(l) = &stmt.kind {
                self.define_var(&mut vars, l);
            }
        }
        vars
    }

    pub(super) fn define_var(&mut self, vars: &mut Vars, l: &ast::LetDecl) {
        if let Some((_, prev)) = vars.get(&l.name.text) {
            let prev = *prev;
            if prev.source == l.name.span.source {
                // Still evaluated, so its own errors are reported too.
                let _ = self.let_value(l, vars);
                self.error(
                    Diag::new(
                        Code::Redefinition,
                        format!("variable `{}` is defined twice", l.name.text),
                    )
                    .with_label(l.name.span, "defined again here")
                    .with_label(prev, "first defined here")
                    .help("give the second one another name"),
                );
                return;
            }
        }
        if let Some(v) = self.let_value(l, vars) {
            vars.insert(l.name.text.clone(), (v, l.name.span));
        }
    }

    /// World data of a unit: gdp, mineral bodies, coalition claims, and in a
    /// file that is `use`d, sourcing statements (`JP sources nickel.mining:
    /// PH 60%`, SPEC §14). In a used file, anything else is an error.
    pub(super) fn world_data(&mut self, unit: &Unit, vars: &Vars) {
        // The minerals of the sourcing statement just read: a `source` line
        // right after it cites it, and is listed with those minerals.
        let mut cited: Vec<MineralId> = Vec::new();
        for stmt in &unit.program.stmts {
            if let (StmtKind::Source(s), false) = (&stmt.kind, cited.is_empty()) {
                for &m in &cited {
                    let sources = &mut self.world.minerals[m].sources;
                    if !sources.contains(&s.value) {
                        sources.push(s.value.clone());
                    }
                }
            }
            cited.clear();
            match &stmt.kind {
                StmtKind::Sourcing(s) if !unit.main => {
                    cited = self.world_sourcing(s, vars, stmt.span);
                }
                StmtKind::Actor(decls) => {
                    for d in decls {
                        let Some(g) = &d.gdp else { continue };
                        let Some(Named::Actor(id)) = self.names.actors.get(&d.code.text).map(|x| x.0) else {
                            continue;
                        };
                        if self.world.actors[id].span != d.code.span {
                            continue;
                        }
                        if let Some(v) = self.number(g, vars, Want::Money) {
                            self.world.actors[id].gdp = Some(v);
                        }
                    }
                }
                StmtKind::Mineral(m) => self.mineral_body(m, vars),
                StmtKind::Coalition(c) => self.coalition_claim(c, vars),
                StmtKind::Use(_) | StmtKind::Group(_) | StmtKind::Let(_) | StmtKind::Source(_) => {}
                // Dated policies of a used file join base (SPEC §8; README).
                _ if !unit.main && dated_policy(stmt) => {}
                _ if !unit.main => self.error(
                    Diag::new(Code::NotHere, "a used file may only declare data and dated policies")
                        .with_label(stmt.span, "not a declaration or a dated policy")
                        .help("`use` brings in actors, groups, coalitions, minerals, variables, sourcing lines (`JP sources nickel.mining: PH 60%`) and policies with a `from` date; put other policies and scenarios in the main file"),
                ),
                _ => {}
            }
        }
    }

    /// A used file's sourcing statement is world data, in force in every
    /// scenario: it replaces the line of the same buyer and stage, whichever
    /// file stated that line (a mineral block's own line yields to it, see
    /// [`Checker::mineral_body`]). Returns the minerals it applies to.
    fn world_sourcing(
        &mut self,
        s: &ast::SourcingOverride,
        vars: &Vars,
        span: Span,
    ) -> Vec<MineralId> {
        let mut minerals = Vec::new();
        for kind in self.sourcing_override(s, vars, span) {
            if let ActionKind::Sourcing { mineral, line } = kind {
                let lines = &mut self.world.minerals[mineral].sourcing;
                lines.retain(|l| !(l.buyer == line.buyer && l.stage == line.stage));
                lines.push(line);
                minerals.push(mineral);
            }
        }
        minerals
    }

    fn coalition_claim(&mut self, c: &ast::CoalitionDecl, vars: &Vars) {
        let Some(cov) = &c.covers else { return };
        let name = c
            .name
            .as_ref()
            .map(|n| n.text.clone())
            .unwrap_or_else(|| c.members_text.clone());
        let Some(Named::Group(g)) = self.names.actors.get(&name).map(|x| x.0) else {
            return;
        };
        let Some(share) = self.number(&cov.share, vars, Want::Fraction("`covers`")) else {
            return;
        };
        let minerals = if cov.minerals.is_empty() {
            None
        } else {
            let mut ids = Vec::new();
            let example = |m: &str| Some(format!("`covers … demand of` takes minerals: `of {m}`"));
            for m in &cov.minerals {
                if let Some(id) = self.mineral_in(&m.text, m.span, &example) {
                    ids.push(id);
                }
            }
            Some(ids)
        };
        self.world.groups[g].covers = Some(CoversClaim {
            share,
            minerals,
            span: cov.span,
        });
    }

    fn mineral_body(&mut self, m: &ast::MineralDecl, vars: &Vars) {
        let Some(&id) = self.names.minerals.get(&m.name.text) else {
            return;
        };
        if self.world.minerals[id].span != m.name.span {
            return;
        }
        let mut seen_lines: HashSet<String> = HashSet::new();
        let mut volume_seen = false;
        // A mineral has one block, so the sourcing lines it has already
        // come from used files' statements, read earlier; they win.
        let stated = self.world.minerals[id].sourcing.len();
        for item in &m.items {
            match &item.kind {
                MineralItemKind::Stages(_) => {}
                MineralItemKind::Volume(e) => {
                    if volume_seen {
                        self.error(
                            Diag::new(
                                Code::MineralShape,
                                format!("`{}` has two `volume` lines", m.name.text),
                            )
                            .with_label(item.span, "second `volume` line"),
                        );
                        continue;
                    }
                    volume_seen = true;
                    match super::values::eval_as(e, vars, Want::Mass, &mut None) {
                        Ok(v) if v.value > 0.0 => self.world.minerals[id].volume_t = Some(v.value),
                        Ok(_) => self.error(
                            Diag::new(Code::OutOfRange, "a mineral's volume must be above zero")
                                .with_label(e.span, "zero"),
                        ),
                        Err(d) => self.error(d),
                    }
                }
                MineralItemKind::Source(s) => {
                    let sources = &mut self.world.minerals[id].sources;
                    if !sources.contains(&s.value) {
                        sources.push(s.value.clone());
                    }
                }
                MineralItemKind::Shares(line) => {
                    if !seen_lines.insert(line.line.text.clone()) {
                        self.error(
                            Diag::new(
                                Code::MineralShape,
                                format!("the `{}` line of `{}` is stated twice", line.line.text, m.name.text),
                            )
                            .with_label(item.span, "second line")
                            .help("state each stage and the demand once; a scenario may restate a line to override it"),
                        );
                        continue;
                    }
                    let target = if line.line.text == "demand" {
                        None
                    } else {
                        match self.stage(id, &line.line.text, line.line.span) {
                            Some(s) => Some(s),
                            None => continue,
                        }
                    };
                    let Some(shares) = self.shares(&line.shares, vars, item.span) else {
                        continue;
                    };
                    match target {
                        None => self.world.minerals[id].demand = Some(shares),
                        Some(s) => self.world.minerals[id].stage_shares[s] = Some(shares),
                    }
                }
                MineralItemKind::Sourcing {
                    buyer,
                    stage,
                    shares,
                } => {
                    if let Some(line) =
                        self.sourcing_line(id, buyer, stage.as_ref(), shares, vars, item.span)
                    {
                        let mineral = &self.world.minerals[id];
                        // A used file's statement for this buyer and stage,
                        // read earlier, wins over the block's line.
                        if mineral.sourcing[..stated]
                            .iter()
                            .any(|l| l.buyer == line.buyer && l.stage == line.stage)
                        {
                            continue;
                        }
                        // A sourcing line fixes the buyer's import shares at
                        // a stage (SPEC §3.3): a second one would fix them
                        // again.
                        if let Some(first) = mineral.sourcing[stated..]
                            .iter()
                            .find(|l| l.buyer == line.buyer && l.stage == line.stage)
                        {
                            let code = self.world.actors[line.buyer].code.clone();
                            let stage = mineral.stages[line.stage].clone();
                            let first = first.span;
                            self.error(
                                Diag::new(
                                    Code::MineralShape,
                                    format!(
                                        "`{code}` has two sourcing lines for {} {stage}",
                                        m.name.text
                                    ),
                                )
                                .with_label(item.span, "second line")
                                .with_label(first, "first line")
                                .help("list every supplier on one line: `JP sources refining: CN 60%, MY 20%`"),
                            );
                            continue;
                        }
                        self.world.minerals[id].sourcing.push(line);
                    }
                }
            }
        }
    }

    pub(super) fn sourcing_line(
        &mut self,
        mineral: MineralId,
        buyer: &ast::Name,
        stage: Option<&ast::Name>,
        shares: &[Share],
        vars: &Vars,
        span: Span,
    ) -> Option<SourcingLine> {
        let b = self.single_actor(&buyer.text, buyer.span, "`sources` lines");
        let stage = match stage {
            Some(s) => self.stage(mineral, &s.text, s.span),
            None => Some(self.world.minerals[mineral].stages.len() - 1),
        };
        let shares = self.shares(shares, vars, span)?;
        let (b, stage) = (b?, stage?);
        if let Some(e) = shares.entries.iter().find(|e| e.actor == b) {
            if e.value.plain > 0.0 {
                let code = self.world.actors[b].code.clone();
                self.error(
                    Diag::new(
                        Code::NotHere,
                        format!("`{code}` cannot source imports from itself"),
                    )
                    .with_label(span, "buyer listed among its suppliers"),
                );
                return None;
            }
        }
        Some(SourcingLine {
            buyer: b,
            stage,
            shares: shares.entries,
            span,
        })
    }

    /// A share list: single actors, each 0..100%, no duplicates, summing to
    /// at most 100% (exactly 100% when `ROW` is named).
    pub(super) fn shares(&mut self, list: &[Share], vars: &Vars, span: Span) -> Option<Shares> {
        let mut entries: Vec<ShareEntry> = Vec::new();
        let mut ok = true;
        // The sum is checked even when an actor is unknown: the two are
        // independent errors (SPEC §6). A bad value or a duplicate leaves no
        // sum worth reporting.
        let mut sum_known = true;
        let mut sum = 0.0;
        let mut row_share = 0.0;
        for sh in list {
            let actor = self.single_actor(&sh.actor.text, sh.actor.span, "share lines");
            let value = self.number(&sh.value, vars, Want::Fraction("a share"));
            if value.is_none() {
                sum_known = false;
            }
            if let Some(v) = value {
                sum += v.plain;
                if actor.is_some_and(|a| self.world.actors[a].code == ROW) {
                    row_share += v.plain;
                }
            }
            let (Some(a), Some(v)) = (actor, value) else {
                ok = false;
                continue;
            };
            if let Some(i) = entries.iter().position(|e| e.actor == a) {
                self.error(
                    Diag::new(
                        Code::DuplicateShare,
                        format!(
                            "`{}` is listed twice in one share list",
                            self.world.actors[a].code
                        ),
                    )
                    .with_label(sh.span, "again here")
                    .with_label(entries[i].span, "first here")
                    .help("give each actor one share"),
                );
                ok = false;
                sum_known = false;
                continue;
            }
            entries.push(ShareEntry {
                actor: a,
                value: v,
                span: sh.span,
            });
        }
        if !sum_known {
            return None;
        }
        let has_row = entries
            .iter()
            .any(|e| self.world.actors[e.actor].code == ROW);
        if sum > 1.0 + SUM_TOLERANCE {
            self.error(
                Diag::new(Code::SharesOver, format!("shares add up to {}", pct(sum)))
                    .with_label(span, format!("{} in all", pct(sum)))
                    .help("a share list may add up to at most 100%; the actors not named (ROW) share what is left"),
            );
            return None;
        }
        if has_row && (sum - 1.0).abs() > SUM_TOLERANCE {
            self.error(
                Diag::new(
                    Code::RowNotFull,
                    format!(
                        "with `ROW` named, the shares must add up to 100%, not {}",
                        pct(sum)
                    ),
                )
                .with_label(span, format!("{} in all", pct(sum)))
                .help(format!(
                    "set ROW to {} or leave it out to let it take the remainder",
                    pct((1.0 - (sum - row_share)).max(0.0))
                )),
            );
            return None;
        }
        ok.then_some(Shares { entries, span })
    }
}

pub(super) fn pct(v: f64) -> String {
    let s = format!("{:.2}", v * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

/// A policy with a `from` date: a fact of a timeline, which a used file may
/// hold (its policies join base of the program that uses it). An undated
/// policy in a used file would change every scenario at every date, so it
/// stays an error.
pub(super) fn dated_policy(stmt: &crate::ast::Stmt) -> bool {
    let dated = match &stmt.kind {
        StmtKind::Restrict(r) => &r.dated,
        StmtKind::Disrupt(d) => &d.dated,
        StmtKind::Adds(a) => &a.dated,
        StmtKind::Stockpile(s) => &s.dated,
        StmtKind::Lift(l) => &l.dated,
        _ => return false,
    };
    dated.from.is_some()
}
