//! `--units t`: what is at risk or short in tonnes a year, beside the shares.
//!
//! A row's `at_risk` and `shortfall` are shares of its own demand, and its
//! `demand` a share of world demand, so where the mineral has a `volume`
//! (world demand in tonnes a year):
//!
//! ```text
//! tonnes = share × row demand × volume
//! ```
//!
//! A mineral without a volume, or a row without data, has no tonnes. Tables
//! write them after the share, `68.1% (17.8 kt/yr)`; JSON and CSV add the
//! fields `at_risk_t` and `shortfall_t`.

use std::collections::HashMap;

use crate::results::{Results, Row};

/// How `at_risk` and `shortfall` are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Units {
    /// Shares of the row's demand only.
    #[default]
    Shares,
    /// Shares, and tonnes a year where the mineral has a volume.
    Tonnes,
}

/// Each mineral's volume in tonnes a year, for the rows to look up.
pub(crate) struct Volumes<'a> {
    by_mineral: HashMap<&'a str, f64>,
}

impl<'a> Volumes<'a> {
    /// The volumes of `results`' minerals; none at all under
    /// [`Units::Shares`], so nothing gets tonnes.
    pub fn of(results: &'a Results, units: Units) -> Self {
        let by_mineral = match units {
            Units::Shares => HashMap::new(),
            Units::Tonnes => results
                .minerals
                .iter()
                .filter_map(|m| Some((m.name.as_str(), m.volume_t?)))
                .collect(),
        };
        Volumes { by_mineral }
    }

    /// `share` of `row`'s demand in tonnes a year.
    pub fn tonnes(&self, row: &Row, share: Option<f64>) -> Option<f64> {
        let volume = self.by_mineral.get(row.mineral.as_str())?;
        Some(share? * row.demand * volume)
    }

    pub fn at_risk(&self, row: &Row) -> Option<f64> {
        self.tonnes(row, row.at_risk)
    }

    pub fn shortfall(&self, row: &Row) -> Option<f64> {
        self.tonnes(row, row.shortfall)
    }
}

/// A mass a year for people: three significant digits in t, kt or Mt
/// (`950 t`, `17.8 kt`, `2.35 Mt`), the unit chosen after rounding (so
/// 999,600 t is `1.00 Mt`, not `1000 kt`); under a tonne, two decimals
/// (`0.40 t`), and `<0.01 t` for less.
pub fn format(t: f64) -> String {
    if !t.is_finite() {
        return "–".to_string();
    }
    let t = t.max(0.0);
    if t == 0.0 {
        return "0 t".to_string();
    }
    if t < 0.005 {
        return "<0.01 t".to_string();
    }
    for (unit, size) in [("t", 1.0), ("kt", 1e3), ("Mt", 1e6)] {
        let v = t / size;
        // The last digit kept at three significant figures, and whether
        // rounding there reaches the next unit.
        let decimals = if v < 9.995 {
            2
        } else if v < 99.95 {
            1
        } else {
            0
        };
        if v < 999.5 || unit == "Mt" {
            return format!("{v:.decimals$} {unit}");
        }
    }
    unreachable!("the last unit always returns")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_significant_digits_in_a_fitting_unit() {
        assert_eq!(format(0.0), "0 t");
        assert_eq!(format(0.001), "<0.01 t");
        assert_eq!(format(0.4), "0.40 t");
        assert_eq!(format(1.0), "1.00 t");
        assert_eq!(format(12.34), "12.3 t");
        assert_eq!(format(950.0), "950 t");
        assert_eq!(format(999.4), "999 t");
        assert_eq!(format(999.6), "1.00 kt");
        assert_eq!(format(17_800.0), "17.8 kt");
        assert_eq!(format(390_000.0), "390 kt");
        assert_eq!(format(999_600.0), "1.00 Mt");
        assert_eq!(format(2_346_000.0), "2.35 Mt");
        assert_eq!(format(1_234_000_000.0), "1234 Mt");
        assert_eq!(format(-1e-9), "0 t");
    }
}
