//! An explanation as text a person reads top-down: the value, the formula,
//! the terms largest first with the lines each rests on, what the
//! restrictions and disruptions did, and who delivered more or less after
//! rerouting. Long lists are cut to their largest entries (the JSON keeps
//! every term); a line cited twice shows its source once.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::{Cited, Combine, Explanation, Term};
use crate::metric::{MetricKind, Unit, fixed, percent};

/// Terms shown at the top level, and under each term.
const TOP: usize = 12;
const NESTED: usize = 6;

/// Renders an explanation in at most `width` columns (at least 60).
pub fn text(e: &Explanation, width: usize) -> String {
    let width = width.max(60);
    let mut r = Renderer {
        out: String::new(),
        width,
        seen: HashSet::new(),
    };
    r.head(e);
    if !e.lines.is_empty() {
        r.out.push_str("\nRests on\n");
        for c in &e.lines {
            r.cite(c, 2, true);
        }
    }
    r.terms_section(e);
    r.shocks(e);
    r.rerouting(e);
    r.out
}

struct Renderer {
    out: String,
    width: usize,
    seen: HashSet<(String, usize)>,
}

impl Renderer {
    fn head(&mut self, e: &Explanation) {
        let value = match (&e.supplier, e.kind) {
            (Some(s), _) => format!("{s} ({} of the supply)", percent(e.value, 1)),
            (None, MetricKind::TopSupplier) => "none (no supply)".into(),
            (None, kind) => kind.format_with_unit(e.value),
        };
        let _ = writeln!(
            self.out,
            "{} = {value}   (scenario {})",
            e.metric, e.scenario
        );
        let _ = writeln!(self.out);
        self.wrapped(&e.formula, 2);
    }

    fn terms_section(&mut self, e: &Explanation) {
        let how = match e.combine {
            Combine::Sum if unit_of(e) == e.kind.unit() => {
                format!(
                    "they add up to {}",
                    e.kind.format_with_unit(total(&e.terms))
                )
            }
            Combine::Sum => format!("they add up to {}", value_text(total(&e.terms), unit_of(e))),
            Combine::Ratio => "the value is the first divided by the second".into(),
            Combine::Max => "the value is the largest".into(),
            Combine::Itself => "the one term is the value".into(),
        };
        let _ = writeln!(self.out);
        self.wrapped(&format!("Terms, per {}; {how}:", e.per), 0);
        if e.terms.is_empty() {
            self.out.push_str("  (none)\n");
        }
        self.list(&e.terms, 0, TOP);
    }

    fn list(&mut self, terms: &[Term], depth: usize, limit: usize) {
        let shown = if terms.len() > limit {
            limit - 1
        } else {
            terms.len()
        };
        for t in &terms[..shown] {
            self.term(t, depth);
        }
        if shown < terms.len() {
            let rest = &terms[shown..];
            let unit = rest[0].unit;
            let _ = writeln!(
                self.out,
                "{}{:>9}  … {} more",
                "  ".repeat(depth + 1),
                value_text(total(rest), unit),
                rest.len()
            );
        }
    }

    fn term(&mut self, t: &Term, depth: usize) {
        let indent = 2 * (depth + 1);
        let head = format!(
            "{}{:>9}  {}",
            " ".repeat(indent),
            value_text(t.value, t.unit),
            t.label
        );
        match &t.detail {
            Some(d) if head.chars().count() + 3 + d.chars().count() <= self.width => {
                let _ = writeln!(self.out, "{head}   {d}");
            }
            Some(d) => {
                let _ = writeln!(self.out, "{head}");
                self.wrapped(d, indent + 11);
            }
            None => {
                let _ = writeln!(self.out, "{head}");
            }
        }
        for c in &t.lines {
            self.cite(c, indent + 11, false);
        }
        // A single part that is the whole term and has no parts of its own
        // says only why: one line under the term, not a level deeper.
        if let [only] = t.terms.as_slice()
            && only.terms.is_empty()
            && (only.value - t.value).abs() <= 1e-12
        {
            let why = match &only.detail {
                Some(d) => format!("{}: {d}", only.label),
                None => only.label.clone(),
            };
            self.wrapped(&why, indent + 11);
            for c in &only.lines {
                self.cite(c, indent + 11, false);
            }
            return;
        }
        self.list(&t.terms, depth + 1, NESTED);
    }

    /// `file:line  text`, then its source the first time the line is cited.
    /// A line cited again shows only `(cited above)` among the terms;
    /// `full` shows its text anyway.
    fn cite(&mut self, c: &Cited, indent: usize, full: bool) {
        let at = format!("{}:{}", c.file, c.line);
        let first = self.seen.insert((c.file.clone(), c.line));
        let text = if first || full {
            c.text.as_str()
        } else {
            "(cited above)"
        };
        let line = format!("{}{at}  {text}", " ".repeat(indent));
        let _ = writeln!(self.out, "{}", fit(&line, self.width));
        if let (true, Some(s)) = (first, &c.source) {
            let pad = indent + at.chars().count() + 2;
            let src = format!("{}— source \"{s}\"", " ".repeat(pad));
            let _ = writeln!(self.out, "{}", fit(&src, self.width));
        }
    }

    fn shocks(&mut self, e: &Explanation) {
        let who = e.metric.split('.').next().unwrap_or("");
        let whose = if who.ends_with('s') {
            format!("{who}'")
        } else {
            format!("{who}'s")
        };
        let (bite, idle): (Vec<_>, Vec<_>) = e.shocks.iter().partition(|s| s.removed.abs() > 1e-9);
        if !bite.is_empty() {
            self.out
                .push_str("\nRestrictions and disruptions that bite (each taken away alone)\n");
        }
        for s in bite {
            self.cite(&s.line, 2, true);
            let what = if s.removed >= 0.0 {
                format!(
                    "removes supply worth {} of {whose} demand",
                    percent(s.removed, 1)
                )
            } else {
                format!(
                    "gives {who} back supply worth {} of its demand",
                    percent(-s.removed, 1)
                )
            };
            let _ = writeln!(
                self.out,
                "      {what}: without it, {} would be {}",
                s.metric,
                percent(s.without, 1)
            );
        }
        if !idle.is_empty() {
            let at: Vec<String> = idle
                .iter()
                .map(|s| format!("{}:{}", s.line.file, s.line.line))
                .collect();
            self.out.push('\n');
            self.wrapped(
                &format!(
                    "In force but without effect on this number (taken away, it stays the same): {}",
                    at.join(", ")
                ),
                0,
            );
        }
    }

    fn rerouting(&mut self, e: &Explanation) {
        let Some(r) = &e.rerouting else { return };
        let _ = writeln!(
            self.out,
            "\nRerouting {} ({}): who delivered more and who less than in equilibrium",
            percent(r.share, 0),
            r.rule
        );
        let how = if r.share >= 1.0 {
            "in shares of world demand: equilibrium → after rerouting".to_string()
        } else {
            format!(
                "in shares of world demand: equilibrium → {} × nobody rerouting + {} × everyone rerouting",
                super::sig(1.0 - r.share),
                super::sig(r.share)
            )
        };
        self.wrapped(&how, 2);
        let changed: Vec<_> = r
            .suppliers
            .iter()
            .filter(|d| d.change.abs() > 1e-12)
            .collect();
        if changed.is_empty() {
            self.out
                .push_str("  every supplier delivered what it did in equilibrium\n");
        }
        let w = changed.iter().map(|d| d.supplier.len()).max().unwrap_or(0);
        for d in changed {
            let verdict = if d.change > 0.0 { "more" } else { "less" };
            let after = if r.share >= 1.0 {
                super::sig(d.rerouted)
            } else {
                format!(
                    "{}×{} + {}×{}",
                    super::sig(1.0 - r.share),
                    super::sig(d.sticky),
                    super::sig(r.share),
                    super::sig(d.rerouted)
                )
            };
            let line = format!(
                "  {verdict}  {:<w$}  {:>9}   {} → {after}",
                d.supplier,
                signed(d.change),
                super::sig(d.equilibrium),
            );
            let _ = writeln!(self.out, "{}", fit(&line, self.width));
        }
    }

    /// Text wrapped at word boundaries to the width, indented.
    fn wrapped(&mut self, text: &str, indent: usize) {
        let room = self.width.saturating_sub(indent).max(20);
        let mut line = String::new();
        for word in text.split(' ') {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
                let _ = writeln!(self.out, "{}{line}", " ".repeat(indent));
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        if !line.is_empty() {
            let _ = writeln!(self.out, "{}{line}", " ".repeat(indent));
        }
    }
}

fn unit_of(e: &Explanation) -> Unit {
    e.terms.first().map_or(e.kind.unit(), |t| t.unit)
}

fn total(terms: &[Term]) -> f64 {
    terms.iter().map(|t| t.value).sum()
}

/// A term's value in its unit: `57.6%`, `0.04%`, `8029.4`, `60.0 days`.
fn value_text(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Index => fixed(v, 1),
        Unit::Days => format!("{} days", fixed(v, 1)),
        Unit::Fraction | Unit::Actor => {
            if v == 0.0 || v.abs() >= 0.000_95 {
                percent(v, 1)
            } else {
                percent(v, 3)
            }
        }
    }
}

/// A change in a share of world demand: `+0.0012`, `−0.007`.
fn signed(v: f64) -> String {
    let s = super::sig(v.abs());
    if s == "0" {
        "0".into()
    } else if v > 0.0 {
        format!("+{s}")
    } else {
        format!("−{s}")
    }
}

/// The line cut to `width` characters with `…`.
fn fit(line: &str, width: usize) -> String {
    if line.chars().count() <= width {
        return line.to_string();
    }
    let mut cut: String = line.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}
