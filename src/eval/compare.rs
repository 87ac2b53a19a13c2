//! `compare` lines (SPEC §2.6): the delta of every metric of the base's
//! rows between the base and each other scenario.

use std::collections::{HashMap, HashSet};

use crate::metric::{MetricKey, MetricKind};
use crate::results::{DeltaRow, Row};

/// The deltas of one row: the base's metrics, then the other's new ones.
/// A metric with a value on one side only (a stockpile's `cover_days`, a
/// row with no data in one scenario) is kept, with no delta: it appears or
/// disappears. A supplier missing from one side's dependency list (under
/// 0.1%) counts with its exact share there.
pub fn delta_rows(base: &Row, other: &Row) -> Vec<DeltaRow> {
    let b = base.scalars();
    let o = other.scalars();
    // Keys in order: the base's, then the other's new ones; a value is
    // the first one under its key. Looked up by hash, not by scanning:
    // rows with long dependency lists have hundreds of keys.
    fn first(v: &[(MetricKey, Option<f64>)]) -> HashMap<&MetricKey, Option<f64>> {
        let mut map: HashMap<&MetricKey, Option<f64>> = HashMap::with_capacity(v.len());
        for (k, x) in v {
            map.entry(k).or_insert(*x);
        }
        map
    }
    let (bm, om) = (first(&b), first(&o));
    let mut keys: Vec<&MetricKey> = b.iter().map(|(k, _)| k).collect();
    let mut known: HashSet<&MetricKey> = keys.iter().copied().collect();
    for (k, _) in &o {
        if known.insert(k) {
            keys.push(k);
        }
    }
    let side = |row: &Row, map: &HashMap<&MetricKey, Option<f64>>, k: &MetricKey| {
        match (map.get(k), &k.key) {
            (Some(v), _) => *v,
            // A supplier under the listing floor on this side: its exact
            // share, not 0.
            (None, Some(supplier)) if k.kind == MetricKind::Dependency => {
                row.dependency_on(supplier)
            }
            (None, _) => None,
        }
    };
    keys.into_iter()
        .filter_map(|k| {
            let (bv, ov) = (side(base, &bm, k), side(other, &om, k));
            if bv.is_none() && ov.is_none() {
                return None;
            }
            Some(DeltaRow {
                actor: base.actor.clone(),
                mineral: base.mineral.clone(),
                metric: k.clone(),
                base: bv,
                value: ov,
                delta: bv.zip(ov).map(|(b, o)| o - b),
            })
        })
        .collect()
}
