//! Calendar dates of the dated forms (SPEC §8): `2026-01-12`, `2026-01`
//! (its first day) and `2026Q1` (its first day), and the steps of a
//! timeline. The calendar arithmetic is jiff's; a quarter is a small type of
//! ours, as jiff has none.

use std::fmt;

use jiff::civil;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(civil::Date);

/// A quarter of a year: `2026Q1` is January to March 2026.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    pub year: i16,
    /// 1 to 4.
    pub number: u8,
}

impl Quarter {
    /// Its first day: `2026Q2` is 2026-04-01.
    pub fn first_day(self) -> Date {
        Date::ymd(self.year, (self.number as i8 - 1) * 3 + 1, 1)
            .unwrap_or_else(|| panic!("internal error: quarter {self} has no first day"))
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}Q{}", self.year, self.number)
    }
}

/// Why a written date is not one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateError {
    /// Not of the form `YYYY-MM-DD`, `YYYY-MM` or `YYYYQn`.
    Form,
    /// `2026-13-01`: there is no such month.
    Month { month: u32 },
    /// `2026-02-30`: the month has fewer days.
    Day { year: i16, month: u8, day: u32 },
    /// `2026Q5`: quarters run from 1 to 4.
    Quarter { number: u32 },
}

impl DateError {
    /// What is wrong, for a diagnostic's message.
    pub fn message(&self, written: &str) -> String {
        match self {
            DateError::Form => format!("`{written}` is not a date"),
            DateError::Month { month } => format!("there is no month {month}"),
            DateError::Day { year, month, day } => {
                let days = days_in_month(*year, *month);
                format!(
                    "{} {year} has {days} days, not {day}",
                    MONTHS[(*month as usize).saturating_sub(1) % 12]
                )
            }
            DateError::Quarter { number } => format!("there is no quarter {number}"),
        }
    }

    /// How to write it, for a diagnostic's help.
    pub fn help(&self) -> String {
        match self {
            DateError::Form => FORMS.to_string(),
            DateError::Month { .. } => "months run from 01 to 12".to_string(),
            DateError::Day { year, month, .. } => format!(
                "the last day of that month is {year:04}-{month:02}-{:02}",
                days_in_month(*year, *month)
            ),
            DateError::Quarter { .. } => "quarters run from Q1 to Q4".to_string(),
        }
    }
}

/// The forms a date may take, for help lines.
pub const FORMS: &str = "write a day `2026-01-12`, a month `2026-01` (its first day) or a quarter \
                         `2026Q1` (its first day)";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

fn days_in_month(year: i16, month: u8) -> i8 {
    civil::Date::new(year, month as i8, 1)
        .map(|d| d.days_in_month())
        .unwrap_or(31)
}

/// The digits of `s`, all ASCII digits and exactly `n` of them.
fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

impl Date {
    /// A day, if it exists.
    pub fn ymd(year: i16, month: i8, day: i8) -> Option<Date> {
        civil::Date::new(year, month, day).ok().map(Date)
    }

    /// `2026-01-12`, `2026-01` (the first of the month) or `2026Q1` (the
    /// first day of the quarter).
    pub fn parse(text: &str) -> Result<Date, DateError> {
        if let Some((y, q)) = text.split_once('Q') {
            let (Some(year), Some(number)) = (digits(y, 4), digits(q, 1)) else {
                return Err(DateError::Form);
            };
            if !(1..=4).contains(&number) {
                return Err(DateError::Quarter { number });
            }
            return Ok(Quarter {
                year: year as i16,
                number: number as u8,
            }
            .first_day());
        }
        let parts: Vec<&str> = text.split('-').collect();
        let (y, m, d) = match parts.as_slice() {
            [y, m] => (*y, *m, None),
            [y, m, d] => (*y, *m, Some(*d)),
            _ => return Err(DateError::Form),
        };
        let (Some(year), Some(month)) = (digits(y, 4), digits(m, 2)) else {
            return Err(DateError::Form);
        };
        let day = match d {
            Some(d) => digits(d, 2).ok_or(DateError::Form)?,
            None => 1,
        };
        if !(1..=12).contains(&month) {
            return Err(DateError::Month { month });
        }
        let year = year as i16;
        Date::ymd(year, month as i8, day.min(99) as i8).ok_or(DateError::Day {
            year,
            month: month as u8,
            day,
        })
    }

    pub fn year(self) -> i16 {
        self.0.year()
    }

    pub fn month(self) -> i8 {
        self.0.month()
    }

    pub fn day(self) -> i8 {
        self.0.day()
    }

    /// Whole days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        self.0.duration_until(later.0).as_secs() / 86_400
    }

    /// `n` days later (earlier for a negative `n`); `None` past the
    /// calendar's range (years -9999 to 9999).
    pub fn plus_days(self, n: i64) -> Option<Date> {
        let span = jiff::Span::new().try_days(n).ok()?;
        self.0.checked_add(span).ok().map(Date)
    }

    /// `n` months later, on the same day or the month's last if it is
    /// shorter (2026-01-31 plus one month is 2026-02-28).
    pub fn plus_months(self, n: i64) -> Option<Date> {
        let span = jiff::Span::new().try_months(n).ok()?;
        self.0.checked_add(span).ok().map(Date)
    }

    /// The date as jiff sees it, for hosts that do their own arithmetic.
    pub fn civil(self) -> civil::Date {
        self.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The step of a timeline (SPEC §8.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Step {
    Week,
    #[default]
    Month,
    Quarter,
    Year,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::Week, Step::Month, Step::Quarter, Step::Year];

    pub fn name(self) -> &'static str {
        match self {
            Step::Week => "week",
            Step::Month => "month",
            Step::Quarter => "quarter",
            Step::Year => "year",
        }
    }

    /// `weekly`, `monthly`, … for headers.
    pub fn adverb(self) -> &'static str {
        match self {
            Step::Week => "weekly",
            Step::Month => "monthly",
            Step::Quarter => "quarterly",
            Step::Year => "yearly",
        }
    }

    /// The `i`-th step date from `start`: counted from `start` each time,
    /// so 2026-01-31 monthly is 2026-02-28, then 2026-03-31.
    pub fn nth(self, start: Date, i: i64) -> Option<Date> {
        match self {
            Step::Week => start.plus_days(i.checked_mul(7)?),
            Step::Month => start.plus_months(i),
            Step::Quarter => start.plus_months(i.checked_mul(3)?),
            Step::Year => start.plus_months(i.checked_mul(12)?),
        }
    }
}

impl std::str::FromStr for Step {
    type Err = String;

    fn from_str(s: &str) -> Result<Step, String> {
        Step::ALL
            .into_iter()
            .find(|st| st.name() == s)
            .ok_or_else(|| format!("`{s}` is not a step: write week, month, quarter or year"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn the_three_forms_name_their_first_day() {
        assert_eq!(d("2026-01-12").to_string(), "2026-01-12");
        assert_eq!(d("2026-03").to_string(), "2026-03-01");
        assert_eq!(d("2026Q1").to_string(), "2026-01-01");
        assert_eq!(d("2026Q2").to_string(), "2026-04-01");
        assert_eq!(d("2026Q3").to_string(), "2026-07-01");
        assert_eq!(d("2026Q4").to_string(), "2026-10-01");
    }

    #[test]
    fn days_that_do_not_exist_are_refused_with_the_month_length() {
        let e = Date::parse("2026-02-30").unwrap_err();
        assert_eq!(
            e,
            DateError::Day {
                year: 2026,
                month: 2,
                day: 30
            }
        );
        assert_eq!(e.message("2026-02-30"), "February 2026 has 28 days, not 30");
        // 2024 is a leap year: 29 February exists.
        assert_eq!(d("2024-02-29").to_string(), "2024-02-29");
        assert!(Date::parse("2025-02-29").is_err());
        assert_eq!(
            Date::parse("2026-13-01"),
            Err(DateError::Month { month: 13 })
        );
        assert_eq!(Date::parse("2026-00"), Err(DateError::Month { month: 0 }));
        assert_eq!(
            Date::parse("2026-04-00").unwrap_err().help(),
            "the last day of that month is 2026-04-30"
        );
        assert_eq!(Date::parse("2026Q5"), Err(DateError::Quarter { number: 5 }));
        assert_eq!(Date::parse("2026Q0"), Err(DateError::Quarter { number: 0 }));
    }

    #[test]
    fn other_shapes_are_not_dates() {
        for s in [
            "2026",
            "2026-1-12",
            "2026/01/12",
            "12-01-2026",
            "2026-01-12-",
            "20260112",
            "2026Q",
            "2026Q12",
            "2026-01-1x",
            "",
            "２０２６-01-12",
        ] {
            assert_eq!(Date::parse(s), Err(DateError::Form), "{s}");
        }
    }

    #[test]
    fn day_arithmetic() {
        // 2026-01-12 + 50 days: 19 days to 31 January, 28 in February,
        // 3 in March = 50 → 2026-03-03.
        assert_eq!(d("2026-01-12").plus_days(50), Some(d("2026-03-03")));
        assert_eq!(d("2026-01-12").days_until(d("2026-03-03")), 50);
        assert_eq!(d("2026-03-03").days_until(d("2026-01-12")), -50);
        // 2024 has 366 days.
        assert_eq!(d("2024-01-01").days_until(d("2025-01-01")), 366);
    }

    #[test]
    fn steps_count_from_the_start() {
        let start = d("2026-01-31");
        assert_eq!(Step::Month.nth(start, 1), Some(d("2026-02-28")));
        assert_eq!(Step::Month.nth(start, 2), Some(d("2026-03-31")));
        assert_eq!(Step::Week.nth(d("2026-01-01"), 2), Some(d("2026-01-15")));
        assert_eq!(Step::Quarter.nth(d("2026-01-01"), 3), Some(d("2026-10-01")));
        assert_eq!(Step::Year.nth(d("2024-02-29"), 1), Some(d("2025-02-28")));
        assert_eq!("quarter".parse::<Step>(), Ok(Step::Quarter));
        assert!("daily".parse::<Step>().is_err());
    }
}
