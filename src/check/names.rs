//! The one namespace of actor codes, aliases, group and coalition names
//! (SPEC §1), and name lookups with "did you mean".

use std::collections::HashMap;

use super::Checker;
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{Actor, ActorId, GroupId, MineralId, ROW, Subject};
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
        for (i, a) in world.actors.iter().enumerate() {
            names
                .actors
                .insert(a.code.clone(), (Named::Actor(i), a.span));
            for al in &a.aliases {
                names.actors.insert(al.clone(), (Named::Actor(i), a.span));
            }
        }
        for (i, g) in world.groups.iter().enumerate() {
            names
                .actors
                .insert(g.name.clone(), (Named::Group(i), g.span));
        }
        for (i, m) in world.minerals.iter().enumerate() {
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
            .insert(ROW.into(), (Named::Actor(0), Span::default()));
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
        let mut d = Diag::new(Code::UnknownActor, format!("unknown actor `{name}`"))
            .with_label(span, "not declared");
        let cands = self.names.actors.keys().map(|k| k.as_str());
        if let Some(s) = suggest(name, cands) {
            d = d.help(format!("did you mean `{s}`?"));
        } else if name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            d = d.help(format!("declare it: `actor {name} \"Name\"`"));
        } else {
            d = d.help("actors are declared with `actor CODE`, groups with `group NAME = …`");
        }
        d
    }

    /// An actor, group or coalition by code, alias or name.
    pub(super) fn lookup(&mut self, name: &str, span: Span) -> Option<Named> {
        match self.names.actors.get(name) {
            Some((n, _)) => Some(*n),
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
        if let Some(&m) = self.names.minerals.get(name) {
            return Some(m);
        }
        let mut d = Diag::new(Code::UnknownMineral, format!("unknown mineral `{name}`"))
            .with_label(span, "not declared");
        let cands = self.names.minerals.keys().map(|k| k.as_str());
        d = match suggest(name, cands) {
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

pub(super) fn abbreviate(names: &[&str]) -> String {
    if names.len() <= 12 {
        names.join(", ")
    } else {
        format!("{}, … ({} in all)", names[..12].join(", "), names.len())
    }
}
