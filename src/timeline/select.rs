//! `--for` and `--on` of a timeline: names of rows and minerals, resolved
//! against the checked world, with "did you mean" for a misspelt one.

use crate::diagnostic::suggest;
use crate::program::{Checked, MineralId, Subject};

/// Actor codes, aliases, groups and coalitions, each to its row.
pub fn resolve_rows(checked: &Checked, names: &[String]) -> Result<Vec<Subject>, String> {
    let world = &checked.world;
    let mut out = Vec::new();
    for name in names {
        let found = world
            .actors
            .iter()
            .position(|a| a.code == *name || a.aliases.iter().any(|x| x == name))
            .map(|i| Subject::Actor(crate::program::ActorId::new(i)))
            .or_else(|| {
                world
                    .groups
                    .iter()
                    .position(|g| g.name == *name)
                    .map(|i| Subject::Group(crate::program::GroupId::new(i)))
            });
        match found {
            Some(s) if !out.contains(&s) => out.push(s),
            Some(_) => {}
            None => {
                let candidates = world
                    .actors
                    .iter()
                    .flat_map(|a| std::iter::once(&a.code).chain(&a.aliases))
                    .chain(world.groups.iter().map(|g| &g.name))
                    .map(String::as_str);
                let hint = suggest(name, candidates)
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(format!("no actor, group or coalition `{name}`{hint}"));
            }
        }
    }
    Ok(out)
}

/// Mineral names.
pub fn resolve_minerals(checked: &Checked, names: &[String]) -> Result<Vec<MineralId>, String> {
    let world = &checked.world;
    let mut out = Vec::new();
    for name in names {
        match world.minerals.iter().position(|m| m.name == *name) {
            Some(i) => {
                let id = MineralId::new(i);
                if !out.contains(&id) {
                    out.push(id);
                }
            }
            None => {
                let hint = suggest(name, world.minerals.iter().map(|m| m.name.as_str()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(format!("no mineral `{name}`{hint}"));
            }
        }
    }
    Ok(out)
}
