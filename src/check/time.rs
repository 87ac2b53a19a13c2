//! Dated statements (SPEC §8): `from`, `until` and `as NAME` on policies,
//! `lifts`, `at DATE`, and the rules that need every scenario checked
//! first: lifts by name, and lifts that suspend nothing.

use std::collections::HashMap;

use super::Checker;
use crate::ast::{self, StringLit};
use crate::date::Date;
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{Action, ActionKind, Checked, Lifted};
use crate::source::Span;

/// When a statement is in force, and its name.
#[derive(Debug, Clone, Default)]
pub(super) struct When {
    pub from: Option<Date>,
    pub until: Option<Date>,
    pub name: Option<String>,
}

impl When {
    pub fn apply(&self, kind: ActionKind, span: Span) -> Action {
        Action {
            kind,
            span,
            from: self.from,
            until: self.until,
            name: self.name.clone(),
        }
    }
}

/// Restriction names and the lifts that name one, across the program.
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// Each name with where it is given.
    pub restrictions: HashMap<String, Span>,
    /// `lifts NAME`, resolved once every statement is checked.
    pub lifted: Vec<ast::Name>,
}

impl Checker<'_> {
    /// A date as written, or an error on its span.
    pub(super) fn date(&mut self, lit: &StringLit) -> Option<Date> {
        match Date::parse(&lit.value) {
            Ok(d) => Some(d),
            Err(e) => {
                self.error(
                    Diag::new(Code::BadDate, e.message(&lit.value))
                        .with_label(lit.span, "not a date")
                        .help(e.help()),
                );
                None
            }
        }
    }

    /// The `from`, `until` and `as` of a statement; `nameable` for
    /// restrictions. Errors are reported; what is wrong is left out.
    pub(super) fn when(&mut self, d: &ast::Dated, nameable: bool) -> When {
        for &span in &d.repeated {
            let text = self.text_of(span);
            let word = text.split_whitespace().next().unwrap_or("this clause");
            self.error(
                Diag::new(Code::DateOrder, format!("`{word}` is given twice"))
                    .with_label(span, "again here")
                    .help("give each of `from`, `until` and `as` once"),
            );
        }
        let from = d.from.as_ref().and_then(|l| self.date(l));
        let until = d.until.as_ref().and_then(|l| self.date(l));
        let mut when = When {
            from,
            until,
            name: None,
        };
        if let (Some(f), Some(u), Some(fl), Some(ul)) = (from, until, &d.from, &d.until) {
            if u <= f {
                self.error(
                    Diag::new(
                        Code::DateOrder,
                        format!(
                            "`until {u}` is not after `from {f}`: the statement would never be in force"
                        ),
                    )
                    .with_label(ul.span, "ends here")
                    .with_label(fl.span, "starts here")
                    .help("a statement is in force from its `from` day up to the day before its `until`"),
                );
                when.from = None;
                when.until = None;
            }
        }
        if let Some(n) = &d.name {
            if !nameable {
                self.error(
                    Diag::new(Code::NotHere, "only a restriction can be named")
                        .with_label(n.span, "a name on a statement that is not `restricts` or `bans`")
                        .help("`as NAME` goes on `restricts` and `bans`, so that `lifts NAME` can suspend that one"),
                );
            } else if let Some(&first) = self.time.restrictions.get(&n.text) {
                self.error(
                    Diag::new(
                        Code::Redefinition,
                        format!("restriction `{}` is named twice", n.text),
                    )
                    .with_label(n.span, "named again here")
                    .with_label(first, "first named here")
                    .help("give each restriction its own name"),
                );
            } else {
                self.time.restrictions.insert(n.text.clone(), n.span);
                when.name = Some(n.text.clone());
            }
        }
        when
    }

    /// `A lifts restrictions [on …]` or `A lifts NAME`.
    pub(super) fn lift(&mut self, l: &ast::Lift) -> Vec<ActionKind> {
        let actors = self.actors_or_group(&l.actor.text, l.actor.span);
        let lifted = match &l.name {
            Some(n) => {
                self.time.lifted.push(n.clone());
                Some(Lifted::Named(n.text.clone()))
            }
            None if l.minerals.is_empty() => Some(Lifted::All),
            None => self.mineral_targets(&l.minerals).map(Lifted::On),
        };
        let (Some((actors, _)), Some(lifted)) = (actors, lifted) else {
            return Vec::new();
        };
        actors
            .into_iter()
            .map(|actor| ActionKind::Lift {
                actor,
                lifted: lifted.clone(),
            })
            .collect()
    }

    /// Once every statement is checked: each `lifts NAME` names a
    /// restriction, and each lift suspends one somewhere (a warning).
    pub(super) fn check_lifts(&mut self, checked: &Checked) {
        let lifted = std::mem::take(&mut self.time.lifted);
        for n in &lifted {
            if self.time.restrictions.contains_key(&n.text) {
                continue;
            }
            let mut d = Diag::new(
                Code::UnknownRestriction,
                format!("no restriction is named `{}`", n.text),
            )
            .with_label(n.span, "not a restriction's name");
            let names: Vec<&str> = self.time.restrictions.keys().map(String::as_str).collect();
            d = match suggest(&n.text, names.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None if names.is_empty() => d.help(
                    "name a restriction with `as`: `CN bans gallium to US from 2024-12-03 as ban_us`; \
                     `lifts restrictions [on …]` suspends them all",
                ),
                None => {
                    let mut names = names;
                    names.sort_unstable();
                    d.help(format!("the named restrictions are: {}", names.join(", ")))
                }
            };
            self.error(d);
        }
        if !self.errors.is_empty() {
            return;
        }
        self.idle_lifts(checked);
    }

    /// W0801: a lift that, in every scenario it belongs to, suspends no
    /// restriction while both are in force.
    fn idle_lifts(&mut self, checked: &Checked) {
        let mut effective: HashMap<Span, bool> = HashMap::new();
        let has_lifts = checked.scenarios.iter().any(|s| {
            s.actions
                .iter()
                .any(|a| matches!(a.kind, ActionKind::Lift { .. }))
        });
        if !has_lifts {
            return;
        }
        let mut first: Vec<&Action> = Vec::new();
        for s in checked.scenario_ids() {
            let actions = checked.actions(s);
            let restrictions: Vec<&Action> = actions
                .iter()
                .copied()
                .filter(|a| matches!(a.kind, ActionKind::Restrict { .. }))
                .collect();
            for lift in actions
                .iter()
                .filter(|a| matches!(a.kind, ActionKind::Lift { .. }))
            {
                let works = restrictions
                    .iter()
                    .any(|r| lift.overlaps(r) && !lift.suspends(r).is_empty());
                let slot = effective.entry(lift.span).or_insert_with(|| {
                    first.push(lift);
                    false
                });
                *slot |= works;
            }
        }
        for lift in first {
            if effective.get(&lift.span).copied().unwrap_or(true) {
                continue;
            }
            let ActionKind::Lift { actor, lifted } = &lift.kind else {
                continue;
            };
            let code = self.world.actors[*actor].code.clone();
            let help = match lifted {
                Lifted::Named(n) => format!(
                    "`{n}` must be a restriction by {code} that starts before this lift's `from` and is in force with it"
                ),
                _ => format!(
                    "a lift suspends {code}'s restrictions on those minerals that start before its `from` (or have none) and are in force with it"
                ),
            };
            self.warn(
                Diag::new(Code::LiftsNothing, "this lift suspends no restriction")
                    .with_label(lift.span, "suspends nothing")
                    .help(help),
            );
        }
    }
}
