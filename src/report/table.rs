//! `--format table`: the sections of [`super::sections::sections`] as aligned
//! terminal tables (comfy-table), one after another with a blank line
//! between them.
//!
//! Layout: a heading line (`scenario NAME`, `compare A against B`,
//! `expectations (N passed, M failed)`), then the table: no vertical rules,
//! a rule under the header, numbers right-aligned. Colour appears only when
//! [`RenderOptions::color`] is set: shortfalls yellow (under 10%) or red,
//! `✓` green, `✗` red, headings bold. Without it there is no escape code.

use comfy_table::presets::NOTHING;
use comfy_table::{CellAlignment, ColumnConstraint, ContentArrangement, LineStyle, Table, Width};

use super::RenderOptions;
use super::sections::{
    self, COMPARE_COLUMNS, Cell, Column, ExpectLine, SCENARIO_COLUMNS, Section, Tone,
};
use crate::results::Results;

const BOLD: &str = "\x1b[1m";
const GREEN: &str = "\x1b[32m";
const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

pub(crate) fn render(results: &Results, opts: &RenderOptions) -> String {
    let sections = sections::sections(results);
    if sections.is_empty() {
        return "no scenarios\n".to_string();
    }
    let blocks: Vec<String> = sections.iter().map(|s| section(s, opts)).collect();
    blocks.join("\n")
}

fn section(section: &Section, opts: &RenderOptions) -> String {
    let mut out = String::new();
    match section {
        Section::Scenario {
            name,
            at,
            rows,
            notes,
        } => {
            let heading = match at {
                Some(at) => format!("scenario {name} — as of {at}"),
                None => format!("scenario {name}"),
            };
            out += &heading_line(&heading, opts);
            if rows.is_empty() {
                out += "no rows\n";
            } else {
                out += &grid(&SCENARIO_COLUMNS, rows, opts);
            }
            let width = opts.width.map_or(usize::MAX, usize::from).max(20);
            for note in notes {
                out += &wrap_words(note, width);
            }
        }
        Section::Compare {
            against,
            base,
            rows,
            hidden,
        } => {
            out += &heading_line(&format!("compare {against} against {base}"), opts);
            if rows.is_empty() {
                out += "no changes\n";
            } else {
                out += &grid(&COMPARE_COLUMNS, rows, opts);
            }
            if *hidden > 0 {
                out += &format!("{}\n", sections::hidden_note(*hidden));
            }
        }
        Section::Expectations(lines) => {
            out += &heading_line(&sections::expectations_heading(lines), opts);
            for line in lines {
                out += &expect_line(line, opts);
            }
        }
    }
    out
}

/// `text` broken between words into lines of at most `width` characters
/// (a word longer than that stands alone), later lines indented two.
fn wrap_words(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out += &format!("{line}\n");
            line = format!("  {word}");
        } else {
            if len > 0 {
                line.push(' ');
            }
            line.push_str(word);
        }
    }
    if !line.is_empty() {
        out += &format!("{line}\n");
    }
    out
}

fn heading_line(text: &str, opts: &RenderOptions) -> String {
    if opts.color {
        format!("{BOLD}{text}{RESET}\n")
    } else {
        format!("{text}\n")
    }
}

fn expect_line(line: &ExpectLine, opts: &RenderOptions) -> String {
    let (mark, color) = if line.passed {
        ("✓", GREEN)
    } else {
        ("✗", RED)
    };
    let mark = if opts.color {
        format!("{color}{mark}{RESET}")
    } else {
        mark.to_string()
    };
    format!(
        "{mark} {}: {}  (actual {})\n",
        line.scenario, line.text, line.actual
    )
}

fn grid(columns: &[Column], rows: &[Vec<Cell>], opts: &RenderOptions) -> String {
    let mut table = Table::new();
    // No vertical rules, one continuous rule under the header; columns are
    // kept apart by padding alone.
    table.load_style(NOTHING);
    table.style_mut().header_separator = LineStyle::none().fill('─');
    table.set_content_arrangement(ContentArrangement::Dynamic);
    // Never look at the terminal: the output must not depend on where it
    // runs. The front end passes the terminal's width when it wants a fit.
    #[cfg(feature = "color")]
    table.force_no_tty();
    if let Some(width) = opts.width {
        table.set_width(width);
    }
    #[cfg(feature = "color")]
    if opts.color {
        table.enforce_styling();
        table.style_text_only();
    }
    let Some((level, wrap_headers, bounds)) = fit(columns, rows, table.width()) else {
        let width = table.width().map_or(usize::MAX, usize::from);
        return records(columns, rows, width, opts.color);
    };
    table.set_header(
        columns
            .iter()
            .map(|c| comfy_table::Cell::new(if wrap_headers { c.wrapped } else { c.name })),
    );
    for row in rows {
        table.add_row(row.iter().map(|cell| styled(cell, level, opts.color)));
    }
    let last = columns.len().saturating_sub(1);
    for (i, column) in columns.iter().enumerate() {
        if let Some(c) = table.column_mut(i) {
            let padding = if i == last { 0 } else { GAP };
            c.set_padding((0, padding));
            c.set_cell_alignment(if column.numeric {
                CellAlignment::Right
            } else {
                CellAlignment::Left
            });
            // comfy-table counts the padding in a column's width.
            let bound = bounds[i].saturating_add(padding);
            c.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(bound)));
        }
    }
    // Padding of the last column would leave trailing blanks on every line.
    let mut out = table.trim_fmt();
    out.push('\n');
    out
}

/// Blanks between two columns.
const GAP: u16 = 2;

/// How to fit a table into `width` columns: the narrowing level of the cells
/// (see [`Cell::at_level`]) and how narrow each column may get.
///
/// Headers wrap between words. The first of these that fits is taken: values
/// whole, with only the actor labels wrapped (`allies` / `(coalition)`);
/// the same with the dependency list cut to two suppliers, then to one
/// (`CN 85.7% +11`); then the top supplier and the metric name may wrap
/// too. When none fits, the table is printed as records instead
/// ([`records`]).
fn fit(
    columns: &[Column],
    rows: &[Vec<Cell>],
    width: Option<u16>,
) -> Option<(usize, bool, Vec<u16>)> {
    let widest = |i: usize, level: usize, by_word: bool| -> usize {
        rows.iter()
            .filter_map(|r| r.get(i))
            .map(|c| {
                let text = c.at_level(level);
                if by_word {
                    text.split(' ')
                        .map(|w| w.chars().count())
                        .max()
                        .unwrap_or(0)
                } else {
                    text.chars().count()
                }
            })
            .max()
            .unwrap_or(0)
    };
    // A header is on one line, or on the two lines of its wrapped form;
    // never broken elsewhere (`at` / `risk` would read as two columns).
    let header = |i: usize, wrap: bool| -> usize {
        let text = if wrap {
            columns[i].wrapped
        } else {
            columns[i].name
        };
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    };
    let bounds = |level: usize, wrap: bool, wrapping: &[&str]| -> Vec<usize> {
        (0..columns.len())
            .map(|i| widest(i, level, wrapping.contains(&columns[i].name)).max(header(i, wrap)))
            .collect()
    };
    let gaps = usize::from(GAP) * columns.len().saturating_sub(1);
    let fits = |bounds: &Vec<usize>| {
        width.is_none_or(|w| bounds.iter().sum::<usize>() + gaps <= usize::from(w))
    };
    let tiers: [(usize, bool, &[&str]); 5] = [
        (0, false, &["actor"]),
        (0, true, &["actor"]),
        (1, true, &["actor"]),
        (2, true, &["actor"]),
        (2, true, &["actor", "top supplier", "metric"]),
    ];
    let (level, wrap, bounds) = tiers
        .iter()
        .map(|&(level, wrap, wrapping)| (level, wrap, bounds(level, wrap, wrapping)))
        .find(|(_, _, b)| fits(b))?;
    let bounds = bounds
        .into_iter()
        .map(|b| u16::try_from(b).unwrap_or(u16::MAX))
        .collect();
    Some((level, wrap, bounds))
}

/// Columns that begin a new line of a record: the equilibrium figures, the
/// dependency list and the shock figures each have their own.
const LINE_STARTS: [&str; 2] = ["dependency", "at risk"];

/// A table too wide for the terminal, as one record per row: the first two
/// cells (mineral and actor) as a heading line, then `header value` pairs,
/// indented, as many to a line as fit in `width` (and a new line at each of
/// [`LINE_STARTS`]).
///
/// ```text
/// rare_earths  JP
///   demand 6.7%  import rel. 10.4%  top supplier JP 89.6%  HHI 8129
///   dependency JP 89.6% CN 68.1% MY 25.2% +9
///   at risk 68.1%  shortfall 68.1%  cover 88.1
/// ```
fn records(columns: &[Column], rows: &[Vec<Cell>], width: usize, color: bool) -> String {
    const INDENT: &str = "  ";
    let mut out = String::new();
    let mut previous: Option<String> = None;
    for row in rows {
        let heading: Vec<&str> = row.iter().take(2).map(|c| c.text.as_str()).collect();
        let heading = heading.join("  ");
        // Consecutive rows of one mineral and actor (a comparison's
        // metrics) share their heading.
        if previous.as_deref() != Some(heading.as_str()) {
            if color {
                out += &format!("{BOLD}{heading}{RESET}\n");
            } else {
                out += &format!("{heading}\n");
            }
            previous = Some(heading);
        }
        let mut line = String::new();
        let mut used = 0;
        for (column, cell) in columns.iter().zip(row).skip(2) {
            let plain = format!("{} {}", column.name, cell.text);
            let len = plain.chars().count();
            let starts_line = LINE_STARTS.contains(&column.name);
            if used > 0 && (starts_line || INDENT.len() + used + 2 + len > width) {
                out += &format!("{INDENT}{line}\n");
                line.clear();
                used = 0;
            }
            if used > 0 {
                line += "  ";
                used += 2;
            }
            line += &match (color, cell.tone) {
                (false, _) | (true, Tone::Plain) => plain,
                (true, tone) => {
                    let code = if tone == Tone::Alarm { RED } else { YELLOW };
                    format!("{} {code}{}{RESET}", column.name, cell.text)
                }
            };
            used += len;
        }
        if used > 0 {
            out += &format!("{INDENT}{line}\n");
        }
    }
    out
}

fn styled(cell: &Cell, level: usize, color: bool) -> comfy_table::Cell {
    let c = comfy_table::Cell::new(cell.at_level(level));
    #[cfg(feature = "color")]
    {
        use comfy_table::Color;
        match (color, cell.tone) {
            (false, _) | (true, Tone::Plain) => c,
            (true, Tone::Caution) => c.fg(Color::DarkYellow),
            (true, Tone::Alarm) => c.fg(Color::Red),
        }
    }
    #[cfg(not(feature = "color"))]
    {
        let _ = color;
        c
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, fixture, render};
    use super::*;

    fn plain(width: Option<u16>) -> String {
        render(
            &fixture::results(),
            Format::Table,
            &RenderOptions {
                color: false,
                width,
            },
        )
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(plain(Some(120)));
    }

    #[test]
    fn narrow_snapshot() {
        // Too narrow for every supplier: the dependency lists are cut to
        // the largest one (`CN 86.0% +4`), the columns stay whole.
        insta::assert_snapshot!(plain(Some(100)));
    }

    #[test]
    fn records_snapshot() {
        // Too narrow for the table: one record per row.
        insta::assert_snapshot!(plain(Some(60)));
    }

    #[test]
    fn every_width_keeps_lines_within_it() {
        for width in [40u16, 60, 80, 90, 100, 120] {
            let out = plain(Some(width));
            for line in out.lines().filter(|l| l.starts_with("rare_earths")) {
                // A single `name value` pair longer than the width may
                // overflow; nothing in the fixture is that long at 40.
                assert!(
                    line.chars().count() <= usize::from(width),
                    "width {width}: {line:?}"
                );
            }
        }
    }

    #[test]
    fn colour_only_when_asked() {
        let coloured = render(
            &fixture::results(),
            Format::Table,
            &RenderOptions {
                color: true,
                width: Some(120),
            },
        );
        assert!(coloured.contains("\x1b["));
        assert!(!plain(Some(120)).contains('\x1b'));
        assert!(!plain(None).contains('\x1b'));
    }

    #[test]
    fn content() {
        let out = plain(Some(120));
        assert!(out.starts_with("scenario base\n"));
        assert!(out.contains("scenario japan_cutoff\n"));
        assert!(out.contains("compare japan_cutoff against base\n"));
        assert!(out.contains("CN 63.0%"));
        assert!(out.contains("CN 86.0% AU 5.0% MY 4.0% +2"));
        assert!(out.contains("allies (coalition)"));
        assert!(out.contains("eu (group)"));
        assert!(out.contains("95.2"));
        assert!(out.contains("+23.2 pp"));
        assert!(out.contains("✗ base: allies.rare_earths.hhi < 5000  (actual 5210)"));
        // The warning goes to stderr, not here.
        assert!(!out.contains("W0301"));
        assert!(out.lines().all(|l| l == l.trim_end()));
        // Every percentage in the tables has exactly one decimal: `d.d%`
        // (expectation lines quote the user's own text and notes are prose,
        // so only table rows are looked at).
        for line in out.lines().filter(|l| l.starts_with("rare_earths")) {
            let chars: Vec<char> = line.chars().collect();
            for (i, _) in chars.iter().enumerate().filter(|(_, c)| **c == '%') {
                assert!(i >= 3, "{line}");
                let (a, dot, b) = (chars[i - 3], chars[i - 2], chars[i - 1]);
                assert!(
                    a.is_ascii_digit() && dot == '.' && b.is_ascii_digit(),
                    "{line}"
                );
            }
        }
    }
}
