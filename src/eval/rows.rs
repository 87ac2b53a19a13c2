//! From an exposure to the row the results show: codes in place of model
//! indices, floating-point dust removed.

use std::sync::Arc;

use super::MineralEval;
use super::exposure::Figures;
use crate::program::{Checked, GroupKind, Subject};
use crate::results::{Row, RowKind};

/// Smallest dependency share listed (SPEC §4.2).
const DEPENDENCY_FLOOR: f64 = 0.001;

/// The row of `subject` in an evaluated mineral. `codes` holds every
/// actor's code, shared among rows. Without a demand figure, every metric
/// measured against demand is `None`.
pub fn row(
    checked: &Checked,
    codes: &[Arc<str>],
    ev: &MineralEval,
    subject: Subject,
    f: &Figures<'_>,
    keep_small: bool,
) -> Row {
    let x = &*f.x;
    let data = f.has_data();
    let measured = |v: f64| data.then(|| clean(v));
    let world = &checked.world;
    let mineral = &world.minerals[ev.mineral];
    let kind = match subject {
        Subject::Actor(_) => RowKind::Country,
        Subject::Group(g) if world.groups[g].kind == GroupKind::Coalition => RowKind::Coalition,
        Subject::Group(_) => RowKind::Group,
    };
    let code = |i: usize| world.actors[ev.global[i]].code.clone();
    Row {
        actor: world.subject_name(subject).to_string(),
        kind,
        mineral: mineral.name.clone(),
        demand: clean(x.demand),
        demand_basis: f.basis,
        data_members: f.data_members,
        output: mineral
            .stages
            .iter()
            .zip(x.output.iter().chain(std::iter::repeat(&0.0)))
            .map(|(s, v)| (s.clone(), clean(*v)))
            .collect(),
        import_reliance: measured(x.import_reliance),
        top_supplier: x.top_supplier.filter(|_| data).map(code),
        top_supplier_share: measured(x.top_supplier_share),
        hhi: data.then(|| clean_count(x.hhi)),
        dependency: data.then(|| {
            // Sized exactly: rows are many and their lists long.
            let listed = |&&(_, v): &&(usize, f64)| v >= DEPENDENCY_FLOOR;
            let mut list = Vec::with_capacity(x.dependency.iter().filter(listed).count());
            list.extend(
                x.dependency
                    .iter()
                    .filter(listed)
                    .map(|&(i, v)| (codes[ev.global[i]].clone(), clean(v))),
            );
            list
        }),
        at_risk: measured(x.at_risk),
        shortfall: measured(x.shortfall),
        cover_days: x.cover_days.filter(|_| data).map(clean_count),
        dependency_small: if keep_small && data {
            x.dependency
                .iter()
                .filter(|&&(_, v)| v < DEPENDENCY_FLOOR)
                .map(|&(i, v)| (codes[ev.global[i]].clone(), clean(v)))
                .collect()
        } else {
            Vec::new()
        },
        stats: None,
    }
}

/// A fraction without floating-point dust: within 1e-12 of 0 or 1 it is
/// exactly 0 or 1 (and never `-0`).
pub(crate) fn clean(v: f64) -> f64 {
    if v.abs() < 1e-12 {
        0.0
    } else if (v - 1.0).abs() < 1e-12 {
        1.0
    } else {
        v
    }
}

/// An HHI or a number of days: within 1e-9 of a whole number, that number.
pub(crate) fn clean_count(v: f64) -> f64 {
    let r = v.round();
    if (v - r).abs() < 1e-9 { r + 0.0 } else { v }
}
