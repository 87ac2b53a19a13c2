//! `compare` lines (SPEC §2.6): the delta of every metric of the base's
//! rows between the base and each other scenario.

use std::collections::{HashMap, HashSet};

use crate::metric::{MetricKey, MetricKind};
use crate::results::{DeltaRow, Row};

/// The deltas of one row: the base's metrics, then the other's new ones.
pub fn delta_rows(base: &Row, other: &Row) -> Vec<DeltaRow> {
    let b = base.scalars();
    let o = other.scalars();
    // Keys in order: the base's, then the other's new ones; a value is
    // the first one under its key. Looked up by hash, not by scanning:
    // rows with long dependency lists have hundreds of keys.
    fn first(v: &[(MetricKey, f64)]) -> HashMap<&MetricKey, f64> {
        let mut map: HashMap<&MetricKey, f64> = HashMap::with_capacity(v.len());
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
    keys.into_iter()
        .filter_map(|k| {
            // cover_days exists only where there is a stockpile and a shortfall.
            let (bv, ov) = match (bm.get(k).copied(), om.get(k).copied()) {
                (None, None) => return None,
                (bv, ov) if k.kind == MetricKind::CoverDays && (bv.is_none() || ov.is_none()) => {
                    return None;
                }
                (bv, ov) => (bv.unwrap_or(0.0), ov.unwrap_or(0.0)),
            };
            Some(DeltaRow {
                actor: base.actor.clone(),
                mineral: base.mineral.clone(),
                metric: k.clone(),
                base: bv,
                value: ov,
                delta: ov - bv,
            })
        })
        .collect()
}
