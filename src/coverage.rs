//! How much of a data set is named, and how well it is sourced
//! (`lode data NAME --coverage`).
//!
//! Per mineral:
//! - per stage and for demand, the share the named countries hold; the rest
//!   is `ROW` (SPEC §2.1), so a line that names little leaves most of the
//!   world to the residual;
//! - the figures by confidence label. A figure is a data line of the mineral
//!   block (`volume`, a stage's shares, `demand`, a `sources` line); the
//!   `source` line right after it cites it (a `source` line before any
//!   figure cites the whole mineral and is not counted). The labels are the
//!   bracketed letters in that citation — `[V]` verified at the source,
//!   `[S]` a named source read in a secondary report, `[D]` derived by
//!   arithmetic, `[U]` unverified (`[V, dated]` counts as `[V]`). A figure
//!   counts once under each label its citation carries, so the label
//!   columns can add up to more than the figures; a citation with no label
//!   (a primary table such as USGS's, cited as such) counts under "none";
//! - the members of the coalition of SPEC's introduction, `G7+AU+IN+KR+MX`,
//!   and of the EU, that have no demand figure: for them a `covers` claim
//!   supplies the demand, or they stay in ROW.
//!
//! Everything comes from the checked program ([`program::World`]) but the
//! labels, which are in the text of the citations and so are read from the
//! data set's syntax tree.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::ast::{MineralItemKind, StmtKind};
use crate::loader::MemoryLoader;
use crate::pipeline::{self, Compiled, Failed, Input};
use crate::program::{self, ROW, Shares};

/// The coalition whose members' demand figures are looked for.
pub const COALITION: &[&str] = &["G7", "AU", "IN", "KR", "MX", "EU"];

/// Figures by confidence label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Labels {
    pub verified: usize,
    pub secondary: usize,
    pub derived: usize,
    pub unverified: usize,
    /// Cited without a label, or not cited.
    pub none: usize,
}

/// One share line: a stage, or demand.
#[derive(Debug, Clone, PartialEq)]
pub struct LineCoverage {
    /// The stage's name, or `demand`.
    pub line: String,
    /// The share the named countries hold (0 when the data set has no such
    /// line: all of it is ROW).
    pub named: f64,
    /// How many countries the line names.
    pub countries: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MineralCoverage {
    pub name: String,
    /// Each stage in order, then demand.
    pub lines: Vec<LineCoverage>,
    /// Data lines in the mineral's block.
    pub figures: usize,
    pub labels: Labels,
    /// Coalition members with no demand figure, by code.
    pub no_demand: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub dataset: String,
    /// The coalition's members the data set declares, by code.
    pub coalition: Vec<String>,
    pub minerals: Vec<MineralCoverage>,
}

/// The coverage of an embedded data set, compiled as `use NAME`.
pub fn dataset(name: &str) -> Result<Coverage, Failed> {
    let compiled = pipeline::compile(
        Input::Text {
            name: "<coverage>",
            text: format!("use {name}"),
        },
        &MemoryLoader::new(),
    )?;
    Ok(of(&compiled, name))
}

/// The coverage of a compiled program's world.
pub fn of(compiled: &Compiled, dataset: &str) -> Coverage {
    let world = &compiled.checked.world;
    let code = |a: program::ActorId| world.actors[a].code.as_str();

    let mut members: BTreeSet<&str> = BTreeSet::new();
    for name in COALITION {
        if let Some(g) = world.groups.iter().find(|g| g.name == *name) {
            members.extend(g.members.iter().map(|&a| code(a)));
        } else if world.actors.iter().any(|a| a.code == *name) {
            members.insert(name);
        }
    }

    let labels = labels_by_mineral(compiled);
    let named = |shares: &Option<Shares>| -> (f64, usize) {
        shares.as_ref().map_or((0.0, 0), |s| {
            let mut sum = 0.0;
            let mut n = 0;
            for e in &s.entries {
                if code(e.actor) != ROW {
                    sum += e.value.plain;
                    n += 1;
                }
            }
            (sum, n)
        })
    };
    let minerals = world
        .minerals
        .iter()
        .map(|m| {
            let mut lines: Vec<LineCoverage> = m
                .stages
                .iter()
                .zip(&m.stage_shares)
                .map(|(stage, shares)| {
                    let (named, countries) = named(shares);
                    LineCoverage {
                        line: stage.clone(),
                        named,
                        countries,
                    }
                })
                .collect();
            let (demand, countries) = named(&m.demand);
            lines.push(LineCoverage {
                line: "demand".into(),
                named: demand,
                countries,
            });
            let with_demand: BTreeSet<&str> = m
                .demand
                .iter()
                .flat_map(|s| s.entries.iter())
                .filter(|e| e.value.plain > 0.0)
                .map(|e| code(e.actor))
                .collect();
            let (figures, labels) = labels
                .iter()
                .find(|(n, _, _)| *n == m.name)
                .map(|&(_, f, l)| (f, l))
                .unwrap_or_default();
            MineralCoverage {
                name: m.name.clone(),
                lines,
                figures,
                labels,
                no_demand: members
                    .iter()
                    .filter(|c| !with_demand.contains(*c))
                    .map(|c| c.to_string())
                    .collect(),
            }
        })
        .collect();
    Coverage {
        dataset: dataset.to_string(),
        coalition: members.iter().map(|c| c.to_string()).collect(),
        minerals,
    }
}

/// The labels in a citation: `[V]`, `[S]`, `[D]`, `[U]`, also as the first
/// letter of a longer bracket (`[V, dated]`).
pub fn labels_in(citation: &str) -> BTreeSet<char> {
    let mut out = BTreeSet::new();
    let bytes = citation.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b != b'[' {
            continue;
        }
        let (Some(&l), Some(&after)) = (bytes.get(i + 1), bytes.get(i + 2)) else {
            continue;
        };
        if matches!(l, b'V' | b'S' | b'D' | b'U') && matches!(after, b']' | b',') {
            out.insert(l as char);
        }
    }
    out
}

/// Per mineral block in the program's sources: its name, its figures and
/// their labels.
fn labels_by_mineral(compiled: &Compiled) -> Vec<(String, usize, Labels)> {
    let mut out = Vec::new();
    for i in 0..compiled.sources.len() {
        let id = crate::source::SourceId(i as u32);
        if id == compiled.main {
            continue;
        }
        let Some(file) = compiled.sources.get(id) else {
            continue;
        };
        let Ok(program) = crate::syntax::parse(&file.text, id) else {
            continue;
        };
        for stmt in &program.stmts {
            let StmtKind::Mineral(m) = &stmt.kind else {
                continue;
            };
            let mut labels = Labels::default();
            let mut figures = 0;
            // Whether the last item was a figure still waiting for its citation.
            let mut waiting = false;
            for item in &m.items {
                match &item.kind {
                    MineralItemKind::Source(s) if waiting => {
                        waiting = false;
                        let found = labels_in(&s.value);
                        if found.is_empty() {
                            labels.none += 1;
                        }
                        for l in found {
                            match l {
                                'V' => labels.verified += 1,
                                'S' => labels.secondary += 1,
                                'D' => labels.derived += 1,
                                _ => labels.unverified += 1,
                            }
                        }
                    }
                    MineralItemKind::Source(_) | MineralItemKind::Stages(_) => {}
                    MineralItemKind::Volume(_)
                    | MineralItemKind::Shares(_)
                    | MineralItemKind::Sourcing { .. } => {
                        if waiting {
                            labels.none += 1;
                        }
                        figures += 1;
                        waiting = true;
                    }
                }
            }
            if waiting {
                labels.none += 1;
            }
            out.push((m.name.text.clone(), figures, labels));
        }
    }
    out
}

/// The coverage as aligned text tables.
pub fn render(c: &Coverage) -> String {
    let pct = |v: f64| format!("{:.1}%", v * 100.0);
    let mut out = String::new();
    let _ = writeln!(out, "Coverage of {}", c.dataset);
    out.push('\n');

    let _ = writeln!(
        out,
        "Share of world output (per stage) and of demand held by named countries; the rest is ROW"
    );
    let mut rows = vec![vec![
        "mineral".to_string(),
        "line".into(),
        "named".into(),
        "ROW".into(),
        "countries".into(),
    ]];
    for m in &c.minerals {
        for (i, l) in m.lines.iter().enumerate() {
            rows.push(vec![
                if i == 0 {
                    m.name.clone()
                } else {
                    String::new()
                },
                l.line.clone(),
                pct(l.named),
                pct((1.0 - l.named).max(0.0)),
                l.countries.to_string(),
            ]);
        }
    }
    table(&mut out, &rows, &[false, false, true, true, true]);
    out.push('\n');

    let _ = writeln!(
        out,
        "Figures by confidence label: [V] verified, [S] secondary report, [D] derived, [U] unverified;\n\
         a figure counts under each label its citation carries, \"none\" if it carries none"
    );
    let mut rows = vec![vec![
        "mineral".to_string(),
        "figures".into(),
        "[V]".into(),
        "[S]".into(),
        "[D]".into(),
        "[U]".into(),
        "none".into(),
    ]];
    for m in &c.minerals {
        let l = m.labels;
        rows.push(vec![
            m.name.clone(),
            m.figures.to_string(),
            l.verified.to_string(),
            l.secondary.to_string(),
            l.derived.to_string(),
            l.unverified.to_string(),
            l.none.to_string(),
        ]);
    }
    table(
        &mut out,
        &rows,
        &[false, true, true, true, true, true, true],
    );
    out.push('\n');

    let _ = writeln!(
        out,
        "Members of G7+AU+IN+KR+MX and the EU ({} countries) without a demand figure",
        c.coalition.len()
    );
    let mut rows = vec![vec![
        "mineral".to_string(),
        "count".into(),
        "members".into(),
    ]];
    for m in &c.minerals {
        rows.push(vec![
            m.name.clone(),
            m.no_demand.len().to_string(),
            m.no_demand.join(" "),
        ]);
    }
    table(&mut out, &rows, &[false, true, false]);
    out
}

/// Columns padded to their widest cell; `right` aligns numbers.
fn table(out: &mut String, rows: &[Vec<String>], right: &[bool]) {
    let cols = rows.first().map_or(0, |r| r.len());
    let widths: Vec<usize> = (0..cols)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            let pad = widths[c] - cell.chars().count();
            if right[c] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                if c + 1 < cols {
                    line.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_read_from_brackets() {
        let l = |s: &str| labels_in(s).into_iter().collect::<String>();
        assert_eq!(l("USGS [V]; Argus [S]; shares [D]"), "DSV");
        assert_eq!(l("Cobalt Institute [V, dated]"), "V");
        assert_eq!(l("no label; [see p. 4]; [Vx]"), "");
        assert_eq!(l("[U] [U]"), "U");
    }
}
