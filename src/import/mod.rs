//! The analyst's own trade data (SPEC §14): a trade table as analysts
//! download it (UN Comtrade or CEPII BACI) → a lode fragment of sourcing
//! statements to `use`.
//!
//! [`import`] is a pure function over the table's text: it reads nothing and
//! writes nothing; the command line reads the file and writes the fragment.
//!
//! What it does, in order:
//! 1. keeps the import rows (Comtrade `flowCode` M; every BACI row is one)
//!    of the HS codes asked for. A code selects the rows whose code equals
//!    it; where no row has exactly that code, the rows whose code starts
//!    with it (`--hs 2604` on BACI's `260400`). Without `--hs`, every code
//!    in the file. Rows of nested codes (`7502` and `750210`) would count
//!    the same trade twice, so they are an error;
//! 2. keeps the year asked for, or the latest of those rows; monthly rows
//!    of the year are summed (a year with both annual and monthly rows is an
//!    error);
//! 3. per importer, sums the measure (net weight or value) by partner. The
//!    importer's total is its World row (Comtrade `W00`) or the sum of its
//!    partner rows, whichever is larger: a download of a few partners plus
//!    World gives shares of the true total;
//! 4. writes `XX sources M.STAGE: P1 s1, P2 s2, …` with the partners at
//!    `min_share` or more of the total, largest first. Shares are rounded
//!    *down* to 0.1 percentage point, so a line never adds up to more than
//!    the partners' true shares, nor to more than 100%. What is left out —
//!    partners under the threshold, areas that are not countries, codes
//!    that map to no country, the importer's re-imports from itself — stays
//!    with the pooled market (SPEC §3.3).
//!
//! Country codes are mapped as [`codes`] documents.

pub mod codes;
mod table;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

use crate::diagnostic::{Code, Diag};
use crate::source::{SourceId, Span};
use codes::Party;
use table::{Reader, Record};

/// Where a table comes from: which columns and codes it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A UN Comtrade CSV (API columns, ISO alpha-3 codes).
    Comtrade,
    /// A CEPII BACI CSV (`t,i,j,k,v,q`, numeric codes).
    Baci,
}

/// What a share is a share of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Measure {
    /// Net weight (Comtrade `netWgt`, kg; BACI `q`, tonnes).
    #[default]
    Weight,
    /// Value (Comtrade `primaryValue`, US$; BACI `v`, thousand US$).
    Value,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub from: Source,
    /// The mineral the lines are for, declared elsewhere (world2024).
    pub mineral: String,
    /// Its stage; without one, the line is for the mineral's last stage.
    pub stage: Option<String>,
    /// HS codes to keep; empty keeps every code in the file.
    pub hs: Vec<String>,
    /// The year to read; `None` reads the latest.
    pub year: Option<i32>,
    pub measure: Measure,
    /// Partners under this share of an importer's imports (a fraction,
    /// 0.01 = 1%) are left to the pooled market.
    pub min_share: f64,
    /// What the `source` lines call the table (its file name).
    pub label: String,
}

impl Options {
    pub fn new(from: Source, mineral: impl Into<String>, label: impl Into<String>) -> Self {
        Options {
            from,
            mineral: mineral.into(),
            stage: None,
            hs: Vec::new(),
            year: None,
            measure: Measure::Weight,
            min_share: 0.01,
            label: label.into(),
        }
    }
}

/// One importer's sourcing line.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportLine {
    /// Alpha-2 code.
    pub importer: &'static str,
    /// The importer's total imports in the measure's unit.
    pub total: f64,
    /// Partners and their shares (fractions, rounded down to 0.001).
    pub shares: Vec<(&'static str, f64)>,
}

/// A fragment to `use`, and what went into it.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The lode text.
    pub text: String,
    /// Every importer of the year, in code order; an importer with no
    /// partner at `min_share` has no shares and no line in `text`.
    pub lines: Vec<ImportLine>,
    pub year: i32,
    /// The HS codes of the rows read.
    pub codes: Vec<String>,
    /// Codes that map to no country, rows without the measure.
    pub warnings: Vec<Diag>,
}

/// The columns a table's rows are read from.
struct Columns {
    year: usize,
    importer: usize,
    partner: usize,
    hs: usize,
    amount: usize,
    /// Comtrade's `flowCode`: only `M` rows are kept.
    flow: Option<usize>,
    /// Comtrade's breakdowns (mode of transport, customs procedure, second
    /// partner): only the rows of their totals are kept, so a download
    /// with breakdowns counts each shipment once.
    totals: Vec<(usize, &'static [&'static str])>,
    /// What the `source` line calls the measure.
    measure_name: &'static str,
}

/// A header name → column, letter case and blanks ignored.
struct Header {
    names: Vec<String>,
    /// Where each name is written, for labels.
    cells: Vec<Range<usize>>,
}

impl Header {
    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n.eq_ignore_ascii_case(name))
    }

    /// A column's name in the header line.
    fn cell(&self, column: usize) -> Range<usize> {
        self.cells.get(column).cloned().unwrap_or(0..0)
    }
}

/// Reads a trade table and writes the fragment. `source` is the id the
/// caller gave the table's text, so diagnostics point into it.
pub fn import(text: &str, source: SourceId, opts: &Options) -> Result<Imported, Vec<Diag>> {
    check_options(opts)?;
    let at = |r: Range<usize>| Span::new(source, r.start, r.end);
    let label = &opts.label;

    // The header.
    let mut reader = Reader::new(text);
    let mut rec = Record::default();
    match reader.next_into(&mut rec) {
        Ok(true) => {}
        Ok(false) => {
            return Err(vec![Diag::new(
                Code::ImportShape,
                format!("`{label}` is empty: a trade table starts with a header line"),
            )]);
        }
        Err(u) => return Err(vec![unclosed(source, label, u)]),
    }
    let header = Header {
        names: rec
            .fields
            .iter()
            .map(|f| f.value(text).into_owned())
            .collect(),
        cells: rec.fields.iter().map(|f| f.outer.clone()).collect(),
    };
    let cols = columns(&header, opts, source, label)?;

    // Pass 1: the import rows whose code starts with a code asked for.
    let wanted: Vec<String> = opts.hs.iter().map(|c| c.trim().to_string()).collect();
    let mut rows: Vec<(Record, String)> = Vec::new();
    let needed = [cols.year, cols.importer, cols.partner, cols.hs, cols.amount]
        .into_iter()
        .chain(cols.flow)
        .chain(cols.totals.iter().map(|t| t.0))
        .max()
        .unwrap_or(0);
    let mut any_import = false;
    loop {
        match reader.next_into(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(u) => return Err(vec![unclosed(source, label, u)]),
        }
        if rec.fields.len() <= needed {
            return Err(vec![
                Diag::new(
                    Code::ImportShape,
                    format!(
                        "line {} of `{label}` has {} fields; the header has {}",
                        rec.line,
                        rec.fields.len(),
                        header.names.len()
                    ),
                )
                .with_label(at(rec.span.clone()), "too few fields")
                .help(
                    "every row needs a value (or an empty field) under each column of the header",
                ),
            ]);
        }
        if let Some(f) = cols.flow {
            if !rec.fields[f].value(text).eq_ignore_ascii_case("M") {
                continue;
            }
        }
        if !cols
            .totals
            .iter()
            .all(|&(c, ok)| ok.contains(&rec.fields[c].value(text).as_ref()))
        {
            continue;
        }
        any_import = true;
        let mut code = rec.fields[cols.hs].value(text).into_owned();
        if opts.from == Source::Baci && code.len() == 5 && code.bytes().all(|b| b.is_ascii_digit())
        {
            // HS6 with its leading zero lost to a spreadsheet.
            code.insert(0, '0');
        }
        if wanted.is_empty() || wanted.iter().any(|w| code.starts_with(w.as_str())) {
            rows.push((rec.clone(), code));
        }
    }
    let what = match opts.from {
        Source::Comtrade => "import rows (flowCode M)",
        Source::Baci => "rows",
    };
    if !any_import {
        let column = cols.flow.unwrap_or(cols.year);
        return Err(vec![
            Diag::new(Code::ImportNoRows, format!("`{label}` has no {what}"))
                .with_label(at(header.cell(column)), "no row has `M` in this column"),
        ]);
    }

    // The codes: exact where the file has the code itself, else its children.
    if !wanted.is_empty() {
        let present: BTreeSet<&str> = rows.iter().map(|(_, c)| c.as_str()).collect();
        let exact: Vec<&str> = wanted
            .iter()
            .map(|w| w.as_str())
            .filter(|w| present.contains(w))
            .collect();
        rows.retain(|(_, c)| {
            wanted
                .iter()
                .any(|w| c == w || (!exact.contains(&w.as_str()) && c.starts_with(w.as_str())))
        });
        if rows.is_empty() {
            return Err(vec![no_code(text, source, opts, &header, &cols)]);
        }
    }
    nested_codes(&rows, &cols, source, label)?;

    // The year.
    let mut years: Vec<(i32, bool)> = Vec::with_capacity(rows.len());
    for (r, _) in &rows {
        let f = &r.fields[cols.year];
        let value = f.value(text);
        let parsed = match opts.from {
            Source::Comtrade => comtrade_period(&value),
            Source::Baci => value
                .parse::<i32>()
                .ok()
                .filter(|y| (1000..=9999).contains(y))
                .map(|y| (y, false)),
        };
        match parsed {
            Some(y) => years.push(y),
            None => {
                let column = &header.names[cols.year];
                return Err(vec![
                    Diag::new(
                        Code::ImportNumber,
                        format!("`{value}` on line {} of `{label}` is not a year", r.line),
                    )
                    .with_label(at(f.outer.clone()), format!("`{column}`"))
                    .help(match opts.from {
                        Source::Comtrade => "`period` is a year (`2024`) or a month (`202401`)",
                        Source::Baci => "`t` is a year (`2024`)",
                    }),
                ]);
            }
        }
    }
    let all_years: BTreeSet<i32> = years.iter().map(|y| y.0).collect();
    let year = match opts.year {
        Some(y) if all_years.contains(&y) => y,
        Some(y) => {
            let list: Vec<String> = all_years.iter().map(|y| y.to_string()).collect();
            return Err(vec![
                Diag::new(
                    Code::ImportNoRows,
                    format!(
                        "`{label}` has no import row of {} for {y}",
                        codes_text(&opts.hs)
                    ),
                )
                .with_label(at(header.cell(cols.year)), format!("no import row has {y}"))
                .help(format!("its import rows are for {}", list.join(", "))),
            ]);
        }
        None => *all_years.iter().next_back().unwrap_or(&0),
    };
    let mut kept: Vec<(Record, String)> = Vec::new();
    let (mut annual, mut monthly) = (None, None);
    for ((r, code), (y, m)) in rows.into_iter().zip(years) {
        if y != year {
            continue;
        }
        let first = if m { &mut monthly } else { &mut annual };
        first.get_or_insert(r.fields[cols.year].outer.clone());
        kept.push((r, code));
    }
    if let (Some(a), Some(m)) = (annual.clone(), monthly.clone()) {
        return Err(vec![
            Diag::new(
                Code::ImportShape,
                format!("`{label}` has both annual and monthly rows for {year}"),
            )
            .with_label(at(a), "a year")
            .with_label(at(m), "a month")
            .help("summing both would count the year twice: download one frequency"),
        ]);
    }

    // Pass 2: sum by importer and partner.
    let mut warnings = Vec::new();
    let mut unmapped: BTreeSet<String> = BTreeSet::new();
    let mut missing: Option<(usize, Range<usize>)> = None;
    let mut missing_rows = 0usize;
    let mut by_importer: BTreeMap<&'static str, Totals> = BTreeMap::new();
    let map = |code: &str| match opts.from {
        Source::Comtrade => codes::comtrade(code),
        Source::Baci => codes::baci(code),
    };
    for (r, _) in &kept {
        let f = &r.fields[cols.amount];
        let raw = f.value(text);
        let amount = if raw.is_empty() || raw.eq_ignore_ascii_case("NA") {
            None
        } else {
            match raw.parse::<f64>() {
                Ok(v) if v.is_finite() && v >= 0.0 => Some(v),
                _ => {
                    let column = &header.names[cols.amount];
                    return Err(vec![
                        Diag::new(
                            Code::ImportNumber,
                            format!(
                                "`{raw}` on line {} of `{label}` is not a quantity",
                                r.line
                            ),
                        )
                        .with_label(at(f.outer.clone()), format!("`{column}`"))
                        .help("a quantity is a plain number of zero or more, `1234.5` or `1.2e6`, without thousands separators"),
                    ]);
                }
            }
        };
        let Some(amount) = amount else {
            missing_rows += 1;
            missing.get_or_insert((r.line, f.outer.clone()));
            continue;
        };
        let importer_field = &r.fields[cols.importer];
        let importer_code = importer_field.value(text);
        let importer = match map(&importer_code) {
            Party::Country(c) => c,
            Party::Unknown => {
                if unmapped.insert(importer_code.to_ascii_uppercase()) {
                    warnings.push(unmapped_diag(
                        &importer_code,
                        "importer",
                        r.line,
                        at(importer_field.outer.clone()),
                        label,
                        "its imports are left out",
                    ));
                }
                continue;
            }
            Party::World | Party::Area => continue,
        };
        let t = by_importer.entry(importer).or_default();
        let partner_field = &r.fields[cols.partner];
        let partner_code = partner_field.value(text);
        match map(&partner_code) {
            Party::World => t.world += amount,
            Party::Area => t.partners += amount,
            Party::Unknown => {
                t.partners += amount;
                if unmapped.insert(partner_code.to_ascii_uppercase()) {
                    warnings.push(unmapped_diag(
                        &partner_code,
                        "partner",
                        r.line,
                        at(partner_field.outer.clone()),
                        label,
                        "its share stays with the pooled market",
                    ));
                }
            }
            Party::Country(p) => {
                t.partners += amount;
                // Re-imports from itself count in the total, as home supply
                // they are not an import partner.
                if p != importer {
                    *t.by_partner.entry(p).or_default() += amount;
                }
            }
        }
    }
    if let Some((line, span)) = missing {
        let column = &header.names[cols.amount];
        let other = match (opts.from, opts.measure) {
            (Source::Comtrade, Measure::Weight) => "`--measure value` reads `primaryValue`",
            (Source::Comtrade, Measure::Value) => "`--measure weight` reads `netWgt`",
            (Source::Baci, Measure::Weight) => "`--measure value` reads `v`",
            (Source::Baci, Measure::Value) => "`--measure weight` reads `q`",
        };
        let (rows, have, they) = if missing_rows == 1 {
            ("1 row".to_string(), "has", "it is")
        } else {
            (format!("{missing_rows} rows"), "have", "they are")
        };
        warnings.push(
            Diag::new(
                Code::ImportMissing,
                format!(
                    "{rows} of {year} in `{label}` {have} no `{column}` (first on line {line}); {they} left out of the shares"
                ),
            )
            .with_label(at(span), "no value")
            .help(format!("the shares are of the rows that have one; {other}")),
        );
    }

    let mut lines = Vec::new();
    for (importer, t) in by_importer {
        let total = t.world.max(t.partners);
        if total <= 0.0 {
            continue;
        }
        let mut shares: Vec<(&'static str, u64, f64)> = t
            .by_partner
            .iter()
            .filter_map(|(&p, &v)| {
                let share = v / total;
                // Rounded down to 0.1 pp; the tiny slack keeps an exact
                // 60% (0.6 · 1000 = 599.999…) at 60.0%.
                let tenths = (share * 1000.0 + 1e-6).floor() as u64;
                (share + 1e-12 >= opts.min_share && tenths > 0).then_some((p, tenths, share))
            })
            .collect();
        shares.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.total_cmp(&a.2)).then(a.0.cmp(b.0)));
        lines.push((
            ImportLine {
                importer,
                total,
                shares: shares
                    .iter()
                    .map(|&(p, tenths, _)| (p, tenths as f64 / 1000.0))
                    .collect(),
            },
            shares.iter().map(|s| (s.0, s.1)).collect::<Vec<_>>(),
        ));
    }
    if lines.is_empty() {
        let column = &header.names[cols.amount];
        return Err(vec![
            Diag::new(
                Code::ImportNoRows,
                format!(
                    "`{label}` has no import of {} in {year} with a `{column}` above zero from a country's row",
                    codes_text(&opts.hs)
                ),
            )
            .with_label(at(header.cell(cols.amount)), "no usable value in this column"),
        ]);
    }

    let codes: Vec<String> = kept
        .iter()
        .map(|(_, c)| c.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let text = render(
        opts,
        year,
        monthly.is_some(),
        &codes,
        cols.measure_name,
        &lines,
    );
    Ok(Imported {
        text,
        lines: lines.into_iter().map(|(l, _)| l).collect(),
        year,
        codes,
        warnings,
    })
}

#[derive(Default)]
struct Totals {
    /// The World rows.
    world: f64,
    /// Every partner row but World.
    partners: f64,
    by_partner: BTreeMap<&'static str, f64>,
}

/// `2024` → (2024, annual); `202401` → (2024, monthly).
fn comtrade_period(p: &str) -> Option<(i32, bool)> {
    if !p.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match p.len() {
        4 => p.parse().ok().map(|y| (y, false)),
        6 => {
            let month: u32 = p[4..].parse().ok()?;
            (1..=12).contains(&month).then_some(())?;
            p[..4].parse().ok().map(|y| (y, true))
        }
        _ => None,
    }
}

fn columns(
    header: &Header,
    opts: &Options,
    source: SourceId,
    label: &str,
) -> Result<Columns, Vec<Diag>> {
    let (names, all, measure_name): (Vec<(&str, &str)>, &str, &str) = match opts.from {
        Source::Comtrade => {
            let amount = match opts.measure {
                Measure::Weight => ("netWgt", "the net weight"),
                Measure::Value => ("primaryValue", "the value"),
            };
            (
                vec![
                    ("period", "the year"),
                    ("reporterISO", "the importer"),
                    ("partnerISO", "the partner"),
                    ("cmdCode", "the HS code"),
                    amount,
                    ("flowCode", "imports or exports"),
                ],
                "period, reporterISO, partnerISO, flowCode, cmdCode, netWgt, primaryValue",
                match opts.measure {
                    Measure::Weight => "net weight (netWgt)",
                    Measure::Value => "value (primaryValue, US$)",
                },
            )
        }
        Source::Baci => {
            let amount = match opts.measure {
                Measure::Weight => ("q", "the quantity in tonnes"),
                Measure::Value => ("v", "the value in thousand US$"),
            };
            (
                vec![
                    ("t", "the year"),
                    ("j", "the importer"),
                    ("i", "the exporter"),
                    ("k", "the HS6 code"),
                    amount,
                ],
                "t, i, j, k, v, q",
                match opts.measure {
                    Measure::Weight => "weight (q, tonnes)",
                    Measure::Value => "value (v, thousand US$)",
                },
            )
        }
    };
    let mut found = Vec::new();
    let mut diags = Vec::new();
    for (name, what) in &names {
        match header.find(name) {
            Some(i) => found.push(i),
            None => diags.push(
                Diag::new(
                    Code::ImportColumn,
                    format!("`{label}` has no `{name}` column ({what})"),
                )
                .with_label(
                    Span::new(source, header.cell(0).start, header.cell(0).end),
                    format!("the header (line 1) has no `{name}`"),
                )
                .help(match opts.from {
                    Source::Comtrade => format!(
                        "a UN Comtrade table (as the API or the website's CSV download gives it) has the columns {all}"
                    ),
                    Source::Baci => format!("a CEPII BACI table has the columns {all}"),
                }),
            ),
        }
    }
    if !diags.is_empty() {
        return Err(diags);
    }
    let mut totals: Vec<(usize, &'static [&'static str])> = Vec::new();
    if opts.from == Source::Comtrade {
        const ZERO: &[&str] = &["0"];
        const C00: &[&str] = &["C00"];
        const WORLD: &[&str] = &["0", "W00"];
        for (name, ok) in [
            ("motCode", ZERO),
            ("customsCode", C00),
            ("partner2Code", ZERO),
            ("partner2ISO", WORLD),
        ] {
            if let Some(i) = header.find(name) {
                totals.push((i, ok));
            }
        }
    }
    Ok(Columns {
        year: found[0],
        importer: found[1],
        partner: found[2],
        hs: found[3],
        amount: found[4],
        flow: found.get(5).copied(),
        totals,
        measure_name,
    })
}

/// Rows of a code and of a code inside it would count the same trade twice.
fn nested_codes(
    rows: &[(Record, String)],
    cols: &Columns,
    source: SourceId,
    label: &str,
) -> Result<(), Vec<Diag>> {
    let mut first: BTreeMap<&str, Range<usize>> = BTreeMap::new();
    for (r, c) in rows {
        first
            .entry(c.as_str())
            .or_insert_with(|| r.fields[cols.hs].outer.clone());
    }
    let codes: Vec<&str> = first.keys().copied().collect();
    for a in &codes {
        let inside =
            |b: &&&str| **b != *a && (a.eq_ignore_ascii_case("TOTAL") || b.starts_with(*a));
        if let Some(b) = codes.iter().find(inside) {
            let at = |c: &str| {
                let r = &first[c];
                Span::new(source, r.start, r.end)
            };
            return Err(vec![
                Diag::new(
                    Code::ImportShape,
                    format!("`{label}` has rows of both `{a}` and `{b}`, which is part of it"),
                )
                .with_label(at(a), format!("`{a}`"))
                .with_label(at(b), format!("`{b}`, inside `{a}`"))
                .help(format!(
                    "summing both would count that trade twice: choose one level with `--hs`, e.g. `--hs {b}`"
                )),
            ]);
        }
    }
    Ok(())
}

fn no_code(text: &str, source: SourceId, opts: &Options, header: &Header, cols: &Columns) -> Diag {
    // The codes the file's import rows do have, for the help line.
    let mut reader = Reader::new(text);
    let mut rec = Record::default();
    let mut present = BTreeSet::new();
    let _ = reader.next_into(&mut rec);
    while let Ok(true) = reader.next_into(&mut rec) {
        if let Some(f) = rec.fields.get(cols.hs) {
            let flow_ok = cols.flow.is_none_or(|fl| {
                rec.fields
                    .get(fl)
                    .is_some_and(|f| f.value(text).eq_ignore_ascii_case("M"))
            });
            if flow_ok && present.len() < 12 {
                present.insert(f.value(text).into_owned());
            }
        }
    }
    let list: Vec<String> = present.into_iter().collect();
    Diag::new(
        Code::ImportNoRows,
        format!(
            "`{}` has no import row of {}",
            opts.label,
            codes_text(&opts.hs)
        ),
    )
    .with_label(
        Span::new(source, header.cell(cols.hs).start, header.cell(cols.hs).end),
        "no import row has that code",
    )
    .help(format!(
        "its import rows have the codes {}",
        list.join(", ")
    ))
}

fn unclosed(source: SourceId, label: &str, u: table::Unclosed) -> Diag {
    Diag::new(
        Code::ImportShape,
        format!("a quote on line {} of `{label}` is never closed", u.line),
    )
    .with_label(Span::new(source, u.at, u.at + 1), "opens here")
    .help("a quoted field ends with `\"`; a quote inside it is written `\"\"`")
}

fn unmapped_diag(code: &str, role: &str, line: usize, span: Span, label: &str, then: &str) -> Diag {
    let shown = if code.is_empty() { "(empty)" } else { code };
    Diag::new(
        Code::ImportUnmapped,
        format!(
            "{role} `{shown}` on line {line} of `{label}` maps to no country; {then}"
        ),
    )
    .with_label(span, "no country world2024 declares")
    .help("lode maps ISO codes and the trade sources' own codes for countries (README, \"Your own trade data\"); areas and groups are never guessed")
}

fn codes_text(hs: &[String]) -> String {
    if hs.is_empty() {
        "any HS code".to_string()
    } else {
        format!("HS {}", hs.join(", "))
    }
}

/// Whether `s` can be a mineral or stage name (SPEC §1).
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !crate::syntax::KEYWORDS.contains(&s)
}

fn check_options(opts: &Options) -> Result<(), Vec<Diag>> {
    let mut diags = Vec::new();
    let mut bad = |m: String, help: &str| {
        diags.push(Diag::new(Code::ImportOption, m).help(help.to_string()));
    };
    if !is_name(&opts.mineral) {
        bad(
            format!("`{}` is not a mineral name", opts.mineral),
            "mineral names are lower case: `nickel`, `rare_earths`",
        );
    }
    if let Some(s) = &opts.stage {
        if !is_name(s) || s == "demand" {
            bad(
                format!("`{s}` is not a stage name"),
                "stage names are lower case: `mining`, `refining`",
            );
        }
    }
    for c in &opts.hs {
        let c = c.trim();
        if !(2..=6).contains(&c.len()) || c.len() % 2 != 0 || !c.bytes().all(|b| b.is_ascii_digit())
        {
            bad(
                format!("`{c}` is not an HS code"),
                "an HS code has 2, 4 or 6 digits: `75`, `7502`, `750210`",
            );
        }
    }
    if !(0.0..1.0).contains(&opts.min_share) {
        bad(
            format!(
                "a minimum share of {}% leaves no partner",
                opts.min_share * 100.0
            ),
            "`--min-share` takes a percentage from 0 up to (not including) 100",
        );
    }
    if diags.is_empty() { Ok(()) } else { Err(diags) }
}

/// A `"…"` string with `\` and `"` escaped, on one line.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn render(
    opts: &Options,
    year: i32,
    monthly: bool,
    codes: &[String],
    measure: &str,
    lines: &[(ImportLine, Vec<(&'static str, u64)>)],
) -> String {
    let (source_name, format) = match opts.from {
        Source::Comtrade => ("UN Comtrade", "comtrade"),
        Source::Baci => ("CEPII BACI", "baci"),
    };
    let target = match &opts.stage {
        Some(s) => format!("{}.{s}", opts.mineral),
        None => opts.mineral.clone(),
    };
    let pct = |tenths: u64| format!("{}.{}%", tenths / 10, tenths % 10);
    let min = (opts.min_share * 1000.0).round() as u64;
    let months = if monthly { ", months summed" } else { "" };
    let what = format!(
        "imports of HS {} in {year}{months}, by {measure}",
        codes.join(", ")
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `lode import --from {format}` from {}.",
        opts.label
    );
    let _ = writeln!(out, "# {source_name}: {what}.");
    let _ = writeln!(
        out,
        "# One line per importer: its imports by partner, as shares of its total,\n\
         # rounded down to 0.1 pp. Partners under {}, areas that are not\n\
         # countries and codes that map to none stay with the pooled market.",
        pct(min)
    );
    let _ = writeln!(
        out,
        "# `use` this file after the one that declares `{}` (e.g. `use world2024`).",
        opts.mineral
    );
    for (line, shares) in lines {
        out.push('\n');
        if shares.is_empty() {
            let _ = writeln!(
                out,
                "# {}: no partner with {} or more of its imports",
                line.importer,
                pct(min)
            );
            continue;
        }
        let list: Vec<String> = shares
            .iter()
            .map(|&(p, tenths)| format!("{p} {}", pct(tenths)))
            .collect();
        let _ = writeln!(
            out,
            "{} sources {target}: {}",
            line.importer,
            list.join(", ")
        );
        let _ = writeln!(
            out,
            "source {}",
            quoted(&format!(
                "{source_name}, {}: {}'s {what} (lode import)",
                opts.label, line.importer
            ))
        );
    }
    out
}
