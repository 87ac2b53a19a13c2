//! Stockpiles that deplete (SPEC §8.3): one country's stock of one
//! mineral, step by step. Pure arithmetic on days; no model here.
//!
//! A stock `L`, in days of normal use, starts at the stockpile's size at
//! the first step, or at the first step a dated stockpile is in force. Over
//! a step of `Δ` days with shortfall `f` it covers the shortfall and falls
//! by `f·Δ` until it is empty; it is never refilled. What it does not cover
//! is `uncovered = max(0, f·Δ − L) / Δ`, and it runs out `L / f` days into
//! the step when `L ≤ f·Δ`.

use crate::date::Date;
use crate::source::Span;

/// The stock of one stockpile statement.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Tank {
    /// The statement, so that a stockpile coming into force later (another
    /// statement) starts afresh, and the same one is never refilled.
    statement: Span,
    left: f64,
}

/// One step of one country: what it shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drawn {
    /// Stock left at the step's start, in days of normal use; `None`
    /// without a stockpile in force.
    pub stock_days: Option<f64>,
    /// The part of the step's shortfall the stock does not cover, averaged
    /// over the step; `None` when the shortfall has no data.
    pub uncovered: Option<f64>,
}

/// A country's stock over the steps of a timeline.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Depletion {
    tank: Option<Tank>,
    /// The size of the first stockpile, in days.
    pub size: Option<f64>,
    /// The first step at which the stock covered a shortfall.
    pub since: Option<Date>,
    /// The day the stock is empty, and exactly how many days after the
    /// timeline's start that is.
    pub stock_out: Option<(Date, f64)>,
}

impl Depletion {
    /// The step starting at `t`, `elapsed` whole days after the timeline's
    /// start and `days` long, with shortfall `f` (after rerouting; `None`:
    /// no data) and the stockpile in force then (its size in days, and its
    /// statement).
    pub fn step(
        &mut self,
        t: Date,
        elapsed: i64,
        days: f64,
        f: Option<f64>,
        stockpile: Option<(f64, Span)>,
    ) -> Drawn {
        self.tank = match (stockpile, self.tank) {
            (None, _) => None,
            (Some((_, statement)), Some(tank)) if tank.statement == statement => Some(tank),
            (Some((size, statement)), _) => {
                self.size.get_or_insert(size.max(0.0));
                Some(Tank {
                    statement,
                    left: size.max(0.0),
                })
            }
        };
        let stock_days = self.tank.map(|t| t.left);
        let Some(f) = f else {
            return Drawn {
                stock_days,
                uncovered: None,
            };
        };
        let f = f.clamp(0.0, 1.0);
        let left = stock_days.unwrap_or(0.0);
        let need = f * days;
        let uncovered = if days > 0.0 {
            (need - left).max(0.0) / days
        } else {
            f
        };
        if let Some(tank) = self.tank.as_mut() {
            if f > 0.0 {
                if left > 0.0 && self.since.is_none() {
                    self.since = Some(t);
                }
                if self.stock_out.is_none() && left <= need {
                    let lasts = left / f;
                    // Rounded down to whole days: the stock runs out during
                    // that day (a hair of float error is not a day).
                    let whole = (lasts + 1e-9).floor() as i64;
                    if let Some(day) = t.plus_days(whole) {
                        self.stock_out = Some((day, elapsed as f64 + lasts));
                    }
                }
            }
            tank.left = (left - need).max(0.0);
        }
        Drawn {
            stock_days,
            uncovered: Some(uncovered),
        }
    }

    /// Stock left now, in days; `None` without a stockpile in force.
    pub fn left(&self) -> Option<f64> {
        self.tank.map(|t| t.left)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn span() -> Span {
        Span::default()
    }

    #[test]
    fn a_constant_shortfall_empties_the_stock_after_size_over_f_days() {
        // 60 days of stock, shortfall 75% from 2026-01-01, monthly steps.
        // It lasts 60 / 0.75 = 80 days: January (31 days) draws 23.25,
        // leaving 36.75; February (28) draws 21, leaving 15.75; March
        // needs 23.25 > 15.75, so it runs out 15.75 / 0.75 = 21 days into
        // March: 2026-03-22, 31 + 28 + 21 = 80 days after the start.
        let mut s = Depletion::default();
        let a = s.step(d("2026-01-01"), 0, 31.0, Some(0.75), Some((60.0, span())));
        assert_eq!(a.stock_days, Some(60.0));
        assert_eq!(a.uncovered, Some(0.0));
        let b = s.step(d("2026-02-01"), 31, 28.0, Some(0.75), Some((60.0, span())));
        assert_eq!(b.stock_days, Some(36.75));
        let c = s.step(d("2026-03-01"), 59, 31.0, Some(0.75), Some((60.0, span())));
        assert_eq!(c.stock_days, Some(15.75));
        // uncovered = (0.75 × 31 − 15.75) / 31 = 7.5 / 31
        assert!((c.uncovered.unwrap() - 7.5 / 31.0).abs() < 1e-12);
        assert_eq!(s.stock_out, Some((d("2026-03-22"), 80.0)));
        assert_eq!(s.since, Some(d("2026-01-01")));
        let e = s.step(d("2026-04-01"), 90, 30.0, Some(0.75), Some((60.0, span())));
        assert_eq!(e.stock_days, Some(0.0));
        assert_eq!(e.uncovered, Some(0.75));
        // Never refilled, and the first run-out stays.
        assert_eq!(s.stock_out, Some((d("2026-03-22"), 80.0)));
    }

    #[test]
    fn no_shortfall_keeps_the_stock_and_no_stockpile_covers_nothing() {
        let mut s = Depletion::default();
        let a = s.step(d("2026-01-01"), 0, 31.0, Some(0.0), Some((60.0, span())));
        assert_eq!((a.stock_days, a.uncovered), (Some(60.0), Some(0.0)));
        assert_eq!(s.left(), Some(60.0));
        assert_eq!(s.since, None);
        let mut none = Depletion::default();
        let b = none.step(d("2026-01-01"), 0, 31.0, Some(0.4), None);
        assert_eq!((b.stock_days, b.uncovered), (None, Some(0.4)));
        assert_eq!(none.stock_out, None);
        // No data: nothing is drawn and nothing is said about the shortfall.
        let c = s.step(d("2026-02-01"), 31, 28.0, None, Some((60.0, span())));
        assert_eq!((c.stock_days, c.uncovered), (Some(60.0), None));
        assert_eq!(s.left(), Some(60.0));
    }

    #[test]
    fn a_stockpile_coming_into_force_later_starts_then() {
        let later = Span::new(crate::source::SourceId(0), 5, 9);
        let mut s = Depletion::default();
        let a = s.step(d("2026-01-01"), 0, 31.0, Some(0.5), None);
        assert_eq!((a.stock_days, a.uncovered), (None, Some(0.5)));
        // 10 days of stock at f = 0.5 last 20 days into February.
        let b = s.step(d("2026-02-01"), 31, 28.0, Some(0.5), Some((10.0, later)));
        assert_eq!(b.stock_days, Some(10.0));
        // (0.5 × 28 − 10) / 28 = 4 / 28
        assert!((b.uncovered.unwrap() - 4.0 / 28.0).abs() < 1e-12);
        assert_eq!(s.stock_out, Some((d("2026-02-21"), 51.0)));
        assert_eq!(s.since, Some(d("2026-02-01")));
        // Out of force: no stock at all.
        let c = s.step(d("2026-03-01"), 59, 31.0, Some(0.5), None);
        assert_eq!(c.stock_days, None);
    }
}
