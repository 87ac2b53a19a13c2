//! Mineral list items (SPEC §2.4): a mineral, `mineral.stage`, or a bare
//! stage that belongs to exactly one mineral.

use super::Checker;
use crate::ast::MineralRef;
use crate::diagnostic::{Code, Diag, suggest};
use crate::program::{Def, MineralId};

/// The most choices a help line lists before "and N more".
const MAX_LISTED: usize = 12;

impl Checker<'_> {
    /// Mineral list items to (mineral, stages); all stages when none named.
    pub(super) fn mineral_targets(
        &mut self,
        refs: &[MineralRef],
    ) -> Option<Vec<(MineralId, Vec<usize>)>> {
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
    pub(super) fn bare_stage(&mut self, r: &MineralRef) -> Option<(MineralId, Option<usize>)> {
        let name = &r.first.text;
        if let Some(&m) = self.names.minerals.get(name) {
            self.used(r.first.span, Def::Mineral(m));
            return Some((m, None));
        }
        let owners: Vec<(MineralId, usize)> = self
            .world
            .mineral_ids()
            .zip(&self.world.minerals)
            .filter_map(|(i, m)| m.stages.iter().position(|s| s == name).map(|s| (i, s)))
            .collect();
        match owners.as_slice() {
            [(m, s)] => {
                self.used(r.first.span, Def::Stage(*m, *s));
                Some((*m, Some(*s)))
            }
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
}
