//! `--format markdown`: the sections of [`super::sections::sections`] as
//! GitHub-flavoured markdown, never coloured.
//!
//! `## scenario NAME` and `## compare A against B` headings, each followed by
//! a pipe table (numbers right-aligned with `---:`), and a
//! `## expectations (N passed, M failed)` list. The tables are written by hand
//! rather than with comfy-table so they never wrap (a wrapped row breaks a
//! markdown table) and can carry column alignment.

use super::Units;
use super::sections::{self, COMPARE_COLUMNS, Cell, Column, ExpectLine, SCENARIO_COLUMNS, Section};
use crate::results::Results;

pub(crate) fn render(results: &Results, units: Units) -> String {
    let sections = sections::sections(results, units);
    if sections.is_empty() {
        return "_No scenarios._\n".to_string();
    }
    let blocks: Vec<String> = sections.iter().map(section).collect();
    blocks.join("\n")
}

fn section(section: &Section) -> String {
    let mut out = String::new();
    match section {
        Section::Scenario {
            name,
            at,
            rows,
            notes,
        } => {
            match at {
                Some(at) => {
                    out += &format!("## scenario {} — as of {}\n\n", inline(name), inline(at))
                }
                None => out += &format!("## scenario {}\n\n", inline(name)),
            }
            if rows.is_empty() {
                out += "_No rows._\n";
            } else {
                out += &pipe_table(&SCENARIO_COLUMNS, rows);
            }
            if !notes.is_empty() {
                out.push('\n');
                for note in notes {
                    out += &format!("_{}_  \n", inline(note));
                }
            }
        }
        Section::Compare {
            against,
            base,
            rows,
            hidden,
        } => {
            out += &format!(
                "## compare {} against {}\n\n",
                inline(against),
                inline(base)
            );
            if rows.is_empty() {
                out += "_No changes._\n";
            } else {
                out += &pipe_table(&COMPARE_COLUMNS, rows);
            }
            if *hidden > 0 {
                out += &format!("\n_{}._\n", sections::hidden_note(*hidden));
            }
        }
        Section::Expectations(lines) => {
            out += &format!("## {}\n\n", sections::expectations_heading(lines));
            for line in lines {
                out += &expect_item(line);
            }
        }
    }
    out
}

fn expect_item(line: &ExpectLine) -> String {
    let mark = if line.passed { "✓" } else { "✗" };
    format!(
        "- {mark} {}: {} (actual {})\n",
        inline(&line.scenario),
        code(&line.text),
        inline(&line.actual)
    )
}

/// A pipe table with every column padded to its widest cell.
fn pipe_table(columns: &[Column], rows: &[Vec<Cell>]) -> String {
    let header: Vec<String> = columns.iter().map(|c| cell_text(c.name)).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|c| cell_text(&c.text)).collect())
        .collect();
    let widths: Vec<usize> = (0..columns.len())
        .map(|i| {
            body.iter()
                .filter_map(|r| r.get(i))
                .chain(header.get(i))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
                .max(3)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let padded: Vec<String> = columns
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (col, &w))| {
                let text = cells.get(i).map_or("", String::as_str);
                if col.numeric {
                    format!("{text:>w$}")
                } else {
                    format!("{text:<w$}")
                }
            })
            .collect();
        format!("| {} |\n", padded.join(" | "))
    };
    let rule: Vec<String> = columns
        .iter()
        .zip(&widths)
        .map(|(col, &w)| {
            if col.numeric {
                format!("{}:", "-".repeat(w - 1))
            } else {
                "-".repeat(w)
            }
        })
        .collect();
    let mut out = line(&header);
    out += &format!("| {} |\n", rule.join(" | "));
    for row in &body {
        out += &line(row);
    }
    out
}

/// A table cell: pipes escaped, line breaks flattened.
fn cell_text(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// Text in running markdown: characters that would start emphasis, links or
/// HTML are escaped. `_` is left alone: GitHub does not read the underscores
/// inside `rare_earths` as emphasis, and names are read raw more often.
fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '`' | '*' | '[' | ']' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(if c == '\n' || c == '\r' { ' ' } else { c });
    }
    out
}

/// A code span that survives backticks inside `s`.
fn code(s: &str) -> String {
    let s = s.replace(['\n', '\r'], " ");
    let longest_run = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    if longest_run > 0 || s.starts_with(' ') || s.ends_with(' ') {
        format!("{fence} {s} {fence}")
    } else {
        format!("{fence}{s}{fence}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Format, RenderOptions, fixture, render};
    use super::*;

    fn markdown() -> String {
        render(
            &fixture::results(),
            Format::Markdown,
            &RenderOptions {
                color: true,
                width: Some(40),
            },
        )
    }

    #[test]
    fn snapshot() {
        insta::assert_snapshot!(markdown());
    }

    #[test]
    fn never_coloured_or_wrapped() {
        let out = markdown();
        assert!(!out.contains('\x1b'));
        // Every table line has the same number of unescaped pipes as its header.
        for block in out.split("\n\n") {
            let table: Vec<&str> = block.lines().filter(|l| l.starts_with('|')).collect();
            if let Some(first) = table.first() {
                let pipes = |l: &str| l.replace("\\|", "").matches('|').count();
                assert!(table.iter().all(|l| pipes(l) == pipes(first)), "{block}");
            }
        }
    }

    #[test]
    fn escaping() {
        assert_eq!(cell_text("a|b"), "a\\|b");
        assert_eq!(inline("rare_earths"), "rare_earths");
        assert_eq!(inline("a*b<c>"), "a\\*b\\<c\\>");
        assert_eq!(code("a > b"), "`a > b`");
        assert_eq!(code("a `b` c"), "`` a `b` c ``");
    }
}
