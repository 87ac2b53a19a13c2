//! The one namespace of actor codes, aliases, group and coalition names
//! (SPEC §1), and name lookups with "did you mean".

use std::collections::HashMap;

use super::Checker;
use crate::ast::StmtKind;
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{Actor, ActorId, Def, GroupId, MineralId, ROW, Subject};
use crate::source::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    Actor(ActorId),
    Group(GroupId),
}

#[derive(Debug, Default)]
pub struct Names {
    pub actors: HashMap<String, (Named, Span)>,
    pub minerals: HashMap<String, MineralId>,
}

impl Names {
    /// The namespace of an already checked world.
    pub fn from_world(world: &crate::program::World) -> Self {
        let mut names = Names::default();
        for (i, a) in world.actor_ids().zip(&world.actors) {
            names
                .actors
                .insert(a.code.clone(), (Named::Actor(i), a.span));
            for al in &a.aliases {
                names.actors.insert(al.clone(), (Named::Actor(i), a.span));
            }
        }
        for (i, g) in world.group_ids().zip(&world.groups) {
            names
                .actors
                .insert(g.name.clone(), (Named::Group(i), g.span));
        }
        for (i, m) in world.mineral_ids().zip(&world.minerals) {
            names.minerals.insert(m.name.clone(), i);
        }
        names
    }
}

impl Checker<'_> {
    pub(super) fn declare_row(&mut self) {
        self.world.actors.push(Actor {
            code: ROW.into(),
            name: Some("Rest of world".into()),
            aliases: Vec::new(),
            gdp: None,
            span: Span::default(),
        });
        self.names
            .actors
            .insert(ROW.into(), (Named::Actor(ActorId(0)), Span::default()));
    }

    /// Adds a name to the shared namespace, or reports a redefinition with
    /// both places labelled.
    pub(super) fn define(&mut self, name: &str, span: Span, what: Named) -> bool {
        if let Some((_, prev)) = self.names.actors.get(name) {
            let prev = *prev;
            let mut d = Diag::new(Code::Redefinition, format!("`{name}` is defined twice"))
                .with_label(span, "defined again here");
            if prev == Span::default() {
                d = d.help("`ROW` (rest of world) always exists; choose another name");
            } else {
                d = d.with_label(prev, "first defined here").help(
                    "codes, aliases, groups and coalitions share one namespace; rename one of them",
                );
            }
            self.error(d);
            return false;
        }
        self.names.actors.insert(name.to_string(), (what, span));
        true
    }

    fn unknown_actor(&self, name: &str, span: Span) -> Diag {
        if name.contains('+') {
            return self.unknown_union(name, span);
        }
        let mut d = Diag::new(Code::UnknownActor, format!("unknown actor `{name}`"));
        let cands = self.names.actors.keys().map(|k| k.as_str());
        let suggestion = suggest(name, cands);
        if !is_code(name) && !is_lower_name(name) {
            // `Japan`, `Cn`: neither a code nor an alias, so never declared.
            d = d.with_label(span, "codes are upper case, aliases lower case");
            return d.help(self.miscased_help(name, suggestion.as_deref()));
        }
        d = d.with_label(span, "not declared");
        let same_but_case = suggestion
            .as_deref()
            .is_some_and(|s| s.to_lowercase() == name.to_lowercase());
        if let (false, Some(decl)) = (same_but_case, world2024().actors.get(name)) {
            return d.help(format!(
                "{}; add `use world2024` or declare `{decl}`",
                self.world_off()
            ));
        }
        if let Some(s) = suggestion {
            d = d.help(format!("did you mean `{s}`{}?", self.alias_note(&s)));
        } else if is_code(name) {
            d = d.help(format!("declare it: `actor {name} \"Name\"`"));
        } else {
            d = d.help("actors are declared with `actor CODE`, groups with `group NAME = …`");
        }
        d
    }

    /// `report for G20 + ASEAN`, `G7+AU.rare_earths.shortfall`: members
    /// joined with `+` outside a declaration name the coalition declared
    /// anonymously with those members (SPEC §2.2), and there is none. Says
    /// which members are not declared, if any, and how to declare the union.
    fn unknown_union(&self, name: &str, span: Span) -> Diag {
        let parts: Vec<&str> = name.split('+').collect();
        let mut missing: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|p| !self.names.actors.contains_key(*p))
            .collect();
        missing.dedup();
        let union = format!("`group NAME = {}`", parts.join(" + "));
        if missing.is_empty() {
            return Diag::new(
                Code::UnknownActor,
                format!("no group or coalition `{name}` is declared"),
            )
            .with_label(span, "members joined with `+`")
            .help(format!(
                "to use the union of these members, declare it: {union}, then write NAME \
                 (a coalition declared as `coalition {}` is also known as `{name}`)",
                parts.join(" + ")
            ));
        }
        let names = join_names(&missing);
        let verb = if missing.len() == 1 { "is" } else { "are" };
        let how: Vec<String> = missing
            .iter()
            .map(|m| {
                let cands = self.names.actors.keys().map(|k| k.as_str());
                match (world2024().actors.get(*m), suggest(m, cands)) {
                    (_, Some(s)) if s.to_lowercase() == m.to_lowercase() => {
                        format!("`{m}`: did you mean `{s}`?")
                    }
                    (Some(decl), _) => format!(
                        "`{m}` is declared in world2024, and {}: add `use world2024` or declare `{decl}`.",
                        self.world_off()
                    ),
                    (None, Some(s)) => format!("`{m}`: did you mean `{s}`?"),
                    (None, None) if is_code(m) => {
                        format!("Declare `{m}` with `actor {m}` or `group {m} = …`.")
                    }
                    (None, None) => format!("Declare `{m}` with `group {m} = …` or as an alias."),
                }
            })
            .collect();
        Diag::new(Code::UnknownActor, format!("{names} {verb} not declared"))
            .with_label(span, format!("{names} {verb} not declared"))
            .help(format!(
                "{} Then declare the union, {union}, and write NAME.",
                how.join(" ")
            ))
    }

    /// ` (an alias of `US`)` when `name` is an alias, so a suggestion says
    /// which actor it stands for.
    fn alias_note(&self, name: &str) -> String {
        match self.names.actors.get(name).map(|x| x.0) {
            Some(Named::Actor(a)) if self.world.actors[a].code != name => {
                format!(" (an alias of `{}`)", self.world.actors[a].code)
            }
            _ => String::new(),
        }
    }

    /// Help for an actor name in mixed case, naming the declared name it
    /// matches (ignoring case) when there is one.
    fn miscased_help(&self, name: &str, suggestion: Option<&str>) -> String {
        let Some(s) = suggestion else {
            return format!(
                "actor names are upper-case codes or lower-case aliases, and `{name}` is neither"
            );
        };
        match self.names.actors.get(s).map(|x| x.0) {
            Some(Named::Actor(a)) => {
                let actor = &self.world.actors[a];
                match actor.aliases.first() {
                    Some(alias) => format!(
                        "actor names are codes like `{}` or lower-case aliases like `{alias}`; did you mean `{s}`?",
                        actor.code
                    ),
                    None => format!(
                        "actor names are upper-case codes like `{}`; did you mean `{s}`?",
                        actor.code
                    ),
                }
            }
            _ => format!(
                "group and coalition names are all upper case or all lower case; did you mean `{s}`?"
            ),
        }
    }

    /// Why a name of world2024 is not declared here.
    pub(super) fn world_off(&self) -> &'static str {
        if self.own_data {
            "this file declares its own data, so world2024 is not loaded"
        } else {
            "world2024 is not loaded"
        }
    }

    /// An actor, group or coalition by code, alias or name.
    pub(super) fn lookup(&mut self, name: &str, span: Span) -> Option<Named> {
        match self.names.actors.get(name) {
            Some((n, _)) => {
                let n = *n;
                self.used(
                    span,
                    match n {
                        Named::Actor(a) => Def::Actor(a),
                        Named::Group(g) => Def::Group(g),
                    },
                );
                Some(n)
            }
            None => {
                let d = self.unknown_actor(name, span);
                self.error(d);
                None
            }
        }
    }

    pub(super) fn subject(&mut self, name: &str, span: Span) -> Option<Subject> {
        self.lookup(name, span).map(|n| match n {
            Named::Actor(a) => Subject::Actor(a),
            Named::Group(g) => Subject::Group(g),
        })
    }

    /// A single actor (not a group), as share lines and metric keys need.
    pub(super) fn single_actor(
        &mut self,
        name: &str,
        span: Span,
        context: &str,
    ) -> Option<ActorId> {
        match self.lookup(name, span)? {
            Named::Actor(a) => Some(a),
            Named::Group(g) => {
                let gname = self.world.groups[g].name.clone();
                self.error(
                    Diag::new(
                        Code::NotHere,
                        format!("`{gname}` is a group; {context} name single actors"),
                    )
                    .with_label(span, "a group")
                    .help("list its members one by one"),
                );
                None
            }
        }
    }

    /// Actors of a list of names, groups expanded, in order, deduplicated.
    pub(super) fn expand(&mut self, names: &[crate::ast::Name]) -> Option<Vec<ActorId>> {
        let mut out = Vec::new();
        let mut ok = true;
        let mut groups = std::collections::HashSet::new();
        for n in names {
            match self.lookup(&n.text, n.span) {
                Some(Named::Actor(a)) => out.push(a),
                // Each group once: `G7 + G7 + …` must not multiply the work.
                Some(Named::Group(g)) if groups.insert(g) => {
                    out.extend(self.world.groups[g].members.iter().copied())
                }
                Some(Named::Group(_)) => {}
                None => ok = false,
            }
        }
        out.sort_unstable();
        out.dedup();
        ok.then_some(out)
    }

    pub(super) fn mineral(&mut self, name: &str, span: Span) -> Option<MineralId> {
        self.mineral_in(name, span, &|_| None)
    }

    /// A mineral by name. When `name` is a stage, `per_mineral` may say, for
    /// the mineral that has it, how the statement is written with the
    /// mineral instead (`stockpiles are per mineral: …`).
    pub(super) fn mineral_in(
        &mut self,
        name: &str,
        span: Span,
        per_mineral: &dyn Fn(&str) -> Option<String>,
    ) -> Option<MineralId> {
        if let Some(&m) = self.names.minerals.get(name) {
            self.used(span, Def::Mineral(m));
            return Some(m);
        }
        let owners: Vec<&str> = self
            .world
            .minerals
            .iter()
            .filter(|m| m.stages.iter().any(|s| s == name))
            .map(|m| m.name.as_str())
            .collect();
        if let Some(&first) = owners.first() {
            let message = match owners.as_slice() {
                [one] => format!("`{name}` is a stage of `{one}`, not a mineral"),
                many => format!(
                    "`{name}` is a stage of {} minerals, not a mineral",
                    many.len()
                ),
            };
            let help = per_mineral(first).unwrap_or_else(|| {
                format!("name the mineral, such as `{first}`, or write `{first}.{name}` where a stage is allowed")
            });
            let d = Diag::new(Code::UnknownMineral, message)
                .with_label(span, "a stage")
                .help(help);
            self.error(d);
            return None;
        }
        let mut d = Diag::new(Code::UnknownMineral, format!("unknown mineral `{name}`"))
            .with_label(span, "not declared");
        let cands = self.names.minerals.keys().map(|k| k.as_str());
        let suggestion = suggest(name, cands);
        let same_but_case = suggestion
            .as_deref()
            .is_some_and(|s| s.to_lowercase() == name.to_lowercase());
        d = match suggestion {
            Some(s) if same_but_case => d.help(format!("did you mean `{s}`?")),
            _ if world2024().minerals.contains(name) => d.help(format!(
                "{}; add `use world2024` or declare `mineral {name} {{ … }}`",
                self.world_off()
            )),
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => {
                let mut known: Vec<&str> = self.names.minerals.keys().map(|k| k.as_str()).collect();
                known.sort_unstable();
                if known.is_empty() {
                    d.help("no minerals are declared: add `use world2024` or a `mineral` block")
                } else {
                    d.help(format!("known minerals: {}", abbreviate(&known)))
                }
            }
        };
        self.error(d);
        None
    }

    pub(super) fn stage(&mut self, mineral: MineralId, name: &str, span: Span) -> Option<usize> {
        let m = &self.world.minerals[mineral];
        if let Some(i) = m.stages.iter().position(|s| s == name) {
            self.used(span, Def::Stage(mineral, i));
            return Some(i);
        }
        let mname = m.name.clone();
        let stages: Vec<&str> = m.stages.iter().map(|s| s.as_str()).collect();
        let mut d = Diag::new(
            Code::UnknownStage,
            format!("`{mname}` has no stage `{name}`"),
        )
        .with_label(span, "unknown stage");
        d = match suggest(name, stages.iter().copied()) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!(
                "the stages of `{mname}` are: {}",
                stages.join(", ")
            )),
        };
        self.error(d);
        None
    }
}

/// "`A`, `B` and `C`"
fn join_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, init)) if !init.is_empty() => format!("{} and {last}", init.join(", ")),
        _ => quoted.concat(),
    }
}

/// `CN`, `G7`, `EU_OTHER`: an actor code as the grammar reads one.
fn is_code(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// `china`, `allies`: a lower-case name as the grammar reads one.
fn is_lower_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// What world2024 declares, for the help when a file that does not load it
/// names one of its actors or minerals.
#[derive(Debug, Default)]
pub(crate) struct WorldIndex {
    /// Each code, alias, group and coalition name, with the declaration that
    /// would make it known (`actor CN`, `actor CN alias china`, `group G7 = …`).
    pub actors: HashMap<String, String>,
    pub minerals: std::collections::HashSet<String>,
}

/// The names of the embedded world2024, read once.
pub(crate) fn world2024() -> &'static WorldIndex {
    static INDEX: std::sync::OnceLock<WorldIndex> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index = WorldIndex::default();
        let Some(text) = crate::data::dataset("world2024") else {
            return index;
        };
        let Ok(program) = crate::syntax::parse(text, crate::source::SourceId(u32::MAX)) else {
            return index;
        };
        for stmt in program.stmts {
            match stmt.kind {
                StmtKind::Actor(decls) => {
                    for d in decls {
                        for a in &d.aliases {
                            index.actors.insert(
                                a.text.clone(),
                                format!("actor {} alias {}", d.code.text, a.text),
                            );
                        }
                        let decl = format!("actor {}", d.code.text);
                        index.actors.insert(d.code.text, decl);
                    }
                }
                StmtKind::Group(g) => {
                    let decl = format!("group {} = …", g.name.text);
                    index.actors.insert(g.name.text, decl);
                }
                StmtKind::Coalition(c) => {
                    if let Some(n) = c.name {
                        let decl = format!("coalition {} = …", n.text);
                        index.actors.insert(n.text, decl);
                    }
                }
                StmtKind::Mineral(m) => {
                    index.minerals.insert(m.name.text);
                }
                _ => {}
            }
        }
        index
    })
}

pub(super) fn abbreviate(names: &[&str]) -> String {
    if names.len() <= 12 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..12].join(", "), names.len())
    }
}
