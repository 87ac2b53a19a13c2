//! Sweeps and sensitivity (SPEC §11): which single supplier's loss hurts
//! whom most ([`sweep`]), and which inputs move one metric most
//! ([`tornado`]).
//!
//! Both assemble the scenario's structure once and evaluate it again and
//! again: a sweep event changes one mineral, so only that mineral is
//! evaluated for it; a tornado moves one input, so only the metric's
//! mineral is evaluated for each end. Both return typed data that
//! `report::sweep` renders; neither touches a terminal.

pub mod sweep;
pub mod tornado;

pub use sweep::{Event, EventEffect, EventKind, Sweep, SweepOptions, SweepRow, sweep};
pub use tornado::{Tornado, TornadoBar, TornadoError, TornadoOptions, tornado};

use crate::ast::ReplInput;
use crate::check::values::{Vars, Want, eval_as};
use crate::diagnostic::{Code, Diag};
use crate::source::{SourceMap, Span};

/// A percentage given as a command-line option (`--by 50%`), read as the
/// language reads a `by` value: `50%` is 0.5, a plain `0.5` is 0.5 too.
/// The text is added to `sources` as `option` (`--by`) so a diagnostic
/// points into it; a value outside 0..100% is `E0402`, as on a statement.
pub fn percent_option(sources: &mut SourceMap, option: &str, text: &str) -> Result<f64, Diag> {
    let id = sources.add(option, text.to_string(), None);
    let whole = Span::new(id, 0, text.len());
    let expr = match crate::syntax::parse_repl(text, id) {
        Ok(ReplInput::Expr(e)) => e,
        _ => {
            return Err(Diag::at(
                Code::WrongUnit,
                whole,
                format!("`{option}` takes a percentage"),
            )
            .help("write a percentage such as `50%`"));
        }
    };
    let what: &'static str = match option {
        "--by" => "`--by`",
        "--min-share" => "`--min-share`",
        "--vary" => "`--vary`",
        _ => "the option",
    };
    eval_as(&expr, &Vars::new(), Want::Fraction(what), &mut None).map(|v| v.value)
}

/// A fraction as a statement would write it as a percentage: `100%`, `12.5%`.
pub fn written_percent(v: f64) -> String {
    let s = format!("{:.6}", v * 100.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_as_the_language_reads_percentages() {
        let mut sources = SourceMap::new();
        assert_eq!(percent_option(&mut sources, "--by", "50%").unwrap(), 0.5);
        assert_eq!(percent_option(&mut sources, "--by", "0.25").unwrap(), 0.25);
        let e = percent_option(&mut sources, "--by", "150%").unwrap_err();
        assert_eq!(e.code, Code::OutOfRange);
        let e = percent_option(&mut sources, "--min-share", "-1%").unwrap_err();
        assert_eq!(e.code, Code::OutOfRange);
        let e = percent_option(&mut sources, "--by", "5 kt").unwrap_err();
        assert_eq!(e.code, Code::WrongUnit);
        assert!(percent_option(&mut sources, "--by", "lots").is_err());
    }

    #[test]
    fn percentages_are_written_without_trailing_zeros() {
        assert_eq!(written_percent(1.0), "100%");
        assert_eq!(written_percent(0.125), "12.5%");
        assert_eq!(written_percent(0.0), "0%");
    }
}
