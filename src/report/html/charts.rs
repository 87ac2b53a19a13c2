//! The charts of the HTML report, made from [`Results`] and [`Timeline`]s:
//! what to draw, in the terms of [`super::svg`]. Every figure a chart
//! writes is formatted as the tables format it.

use super::svg::{self, Axis, Bar, BarChart, Group, Line, Mark, Panel, Series, Span, StepChart};
use crate::metric::{MetricKind, Unit, percent, signed};

/// Shares other than at risk and shortfall are charted from this change.
const SMALL_CHANGE: f64 = 0.01;
use crate::results::{Comparison, DemandBasis, ExpectationResult, Results, Row, RowKind, Stats};
use crate::timeline::{Timeline, TimelineRow};

/// Hands out chart ids, `c1`, `c2`, … in page order: stable, unique.
#[derive(Debug, Default)]
pub struct Ids(usize);

impl Ids {
    pub fn fresh(&mut self) -> String {
        self.0 += 1;
        format!("c{}", self.0)
    }
}

/// The smallest round number (1, 2, 2.5 or 5 times a power of ten) not
/// below `v`; 0.05 at least, so a chart of zeros still has an axis.
pub fn nice_ceiling(v: f64) -> f64 {
    let v = if v.is_finite() { v.max(0.05) } else { 1.0 };
    let mag = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|c| *c >= v * (1.0 - 1e-12))
        .unwrap_or(10.0 * mag)
}

pub(super) fn pct_tick(v: f64) -> String {
    let s = crate::metric::fixed(
        v * 100.0,
        if (v * 100.0).fract().abs() < 1e-9 {
            0
        } else {
            1
        },
    );
    format!("{s}%")
}

fn pp_tick(v: f64) -> String {
    let d = if (v * 100.0).fract().abs() < 1e-9 {
        0
    } else {
        1
    };
    if v == 0.0 {
        "0".to_string()
    } else {
        signed(v * 100.0, d)
    }
}

fn count_tick(v: f64) -> String {
    if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

pub(super) fn days_tick(v: f64) -> String {
    crate::metric::fixed(v, 0)
}

/// `JP`, `eu (group)`, `allies (coalition)`, with ` *` when a `covers`
/// claim supplied the demand.
pub fn actor_label(actor: &str, kind: RowKind, basis: DemandBasis) -> String {
    let mut s = match kind {
        RowKind::Country => actor.to_string(),
        k => format!("{actor} ({})", k.as_str()),
    };
    if basis == DemandBasis::Covers {
        s.push_str(" *");
    }
    s
}

/// A metric's figure and whisker: the plain value, or under sampling the
/// median with p5–p95; `None`: no data.
fn figure(plain: Option<f64>, stats: Option<Option<Stats>>) -> Option<(f64, Option<(f64, f64)>)> {
    match stats {
        Some(s) => s.map(|s| (s.p50, Some((s.p5, s.p95)))),
        None => plain.map(|v| (v, None)),
    }
}

/// A figure as the table writes it: `31.3%`, or `31.3% [28.0%–35.0%]`.
fn figure_text(f: Option<(f64, Option<(f64, f64)>)>) -> String {
    match f {
        None => "no data".to_string(),
        Some((v, Some((lo, hi)))) if lo != hi => {
            format!("{} [{}–{}]", percent(v, 1), percent(lo, 1), percent(hi, 1))
        }
        Some((v, _)) => percent(v, 1),
    }
}

fn at_risk(r: &Row) -> Option<(f64, Option<(f64, f64)>)> {
    figure(r.at_risk, r.stats.as_ref().map(|s| s.at_risk))
}

fn shortfall(r: &Row) -> Option<(f64, Option<(f64, f64)>)> {
    figure(r.shortfall, r.stats.as_ref().map(|s| s.shortfall))
}

/// The minerals in the order the rows name them.
pub fn minerals(results: &Results) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in results.scenarios.iter().flat_map(|s| &s.rows) {
        if !out.contains(&r.mineral) {
            out.push(r.mineral.clone());
        }
    }
    out
}

/// Per mineral: at risk (pale, behind) and shortfall (dark, in front) of
/// each row in each scenario, with p5–p95 whiskers under sampling. A row
/// without data in any scenario is one line saying so.
pub fn mineral_chart(results: &Results, mineral: &str, id: String) -> String {
    let mut actors: Vec<(&str, RowKind, DemandBasis)> = Vec::new();
    for r in results.scenarios.iter().flat_map(|s| &s.rows) {
        if r.mineral == mineral && !actors.iter().any(|(a, _, _)| *a == r.actor) {
            actors.push((&r.actor, r.kind, r.demand_basis));
        }
    }
    let mut top: f64 = 0.0;
    let mut worst: Option<(f64, String)> = None;
    let mut groups = Vec::new();
    for (actor, kind, basis) in &actors {
        let mut bars = Vec::new();
        for s in &results.scenarios {
            let Some(r) = s
                .rows
                .iter()
                .find(|r| r.mineral == mineral && r.actor == *actor)
            else {
                continue;
            };
            let (risk, short) = (at_risk(r), shortfall(r));
            let mut spans = Vec::new();
            for (series, f) in [(0, risk), (1, short)] {
                if let Some((v, w)) = f {
                    top = top.max(v).max(w.map_or(0.0, |w| w.1));
                    spans.push(Span {
                        series,
                        from: 0.0,
                        to: v,
                        whisker: w.filter(|(lo, hi)| lo != hi),
                    });
                }
            }
            if let Some((v, _)) = short
                && worst.as_ref().is_none_or(|(w, _)| v > *w)
            {
                worst = Some((v, format!("{actor} in {}", s.name)));
            }
            let mark = if r.demand_basis == DemandBasis::Covers {
                " *"
            } else {
                ""
            };
            let text = if spans.is_empty() {
                "no data".to_string()
            } else {
                format!("{} / {}{mark}", figure_text(risk), figure_text(short))
            };
            bars.push(Bar {
                label: s.name.clone(),
                spans,
                text,
            });
        }
        if bars.iter().all(|b| b.spans.is_empty()) && bars.len() > 1 {
            bars = vec![Bar {
                label: "every scenario".to_string(),
                spans: vec![],
                text: "no data".to_string(),
            }];
        }
        groups.push(Group {
            label: actor_label(actor, *kind, *basis),
            bars,
        });
    }
    let sampled = results.sampling.is_some();
    let mut desc = format!(
        "{mineral}: for each row and scenario, the share of the row's demand at risk (pale bar) \
         and its shortfall after rerouting (dark bar inside it){}. ",
        if sampled {
            ", medians with whiskers from the 5th to the 95th percentile"
        } else {
            ""
        }
    );
    match &worst {
        Some((v, who)) if *v > 0.0 => {
            desc += &format!("The largest shortfall is {} for {who}.", percent(*v, 1));
        }
        Some(_) => desc += "No row has a shortfall.",
        None => desc += "No row has data.",
    }
    svg::bar_chart(&BarChart {
        id,
        title: format!("{mineral}: at risk and shortfall by row and scenario"),
        desc,
        axis: Axis {
            label: "% of the row's demand (bar: at risk / inner bar: shortfall)".to_string(),
            min: 0.0,
            max: nice_ceiling(top),
            tick: pct_tick,
            reference: None,
        },
        series: vec![
            Series {
                name: "at risk".to_string(),
                fill: svg::PALE,
                inset: false,
            },
            Series {
                name: "shortfall".to_string(),
                fill: svg::DARK,
                inset: true,
            },
        ],
        groups,
    })
}

/// One scenario's dependency on each supplier, per row of `mineral`, as
/// stacked bars: the six largest suppliers by name, the rest as "other".
pub fn dependency_chart(results: &Results, scenario: usize, mineral: &str, id: String) -> String {
    let s = &results.scenarios[scenario];
    let rows: Vec<&Row> = s.rows.iter().filter(|r| r.mineral == mineral).collect();
    let deps = |r: &Row| -> Option<Vec<(String, f64)>> {
        match &r.stats {
            Some(st) => st
                .dependency
                .as_ref()
                .map(|d| d.iter().map(|(k, v)| (k.to_string(), v.p50)).collect()),
            None => r
                .dependency
                .as_ref()
                .map(|d| d.iter().map(|(k, v)| (k.to_string(), *v)).collect()),
        }
    };
    // The suppliers named: largest share in any row of the mineral in any
    // scenario first, so a supplier keeps its fill from one scenario's
    // chart to the next.
    let all: Vec<&Row> = results
        .scenarios
        .iter()
        .flat_map(|s| &s.rows)
        .filter(|r| r.mineral == mineral)
        .collect();
    let mut best: Vec<(String, f64)> = Vec::new();
    for r in &all {
        for (k, v) in deps(r).unwrap_or_default() {
            match best.iter_mut().find(|(b, _)| *b == k) {
                Some(e) => e.1 = e.1.max(v),
                None => best.push((k, v)),
            }
        }
    }
    best.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let named: Vec<String> = best.iter().take(6).map(|(k, _)| k.clone()).collect();
    let other = rows
        .iter()
        .filter_map(|r| deps(r))
        .any(|d| d.iter().any(|(c, v)| *v > 0.0 && !named.contains(c)));
    let mut series: Vec<Series> = named
        .iter()
        .enumerate()
        .map(|(i, k)| Series {
            name: k.clone(),
            fill: svg::PALETTE[i],
            inset: false,
        })
        .collect();
    if other {
        series.push(Series {
            name: "other".to_string(),
            fill: svg::PALETTE[6],
            inset: false,
        });
    }
    let mut top: f64 = 0.0;
    let mut bars = Vec::new();
    for r in &rows {
        let label = actor_label(&r.actor, r.kind, r.demand_basis);
        let Some(d) = deps(r) else {
            bars.push(Bar {
                label,
                spans: vec![],
                text: "no data".to_string(),
            });
            continue;
        };
        let mut spans = Vec::new();
        let mut x = 0.0;
        for (i, k) in named.iter().enumerate() {
            if let Some((_, v)) = d.iter().find(|(c, _)| c == k)
                && *v > 0.0
            {
                spans.push(Span {
                    series: i,
                    from: x,
                    to: x + v,
                    whisker: None,
                });
                x += v;
            }
        }
        let rest: f64 = d
            .iter()
            .filter(|(c, _)| !named.contains(c))
            .map(|(_, v)| v)
            .sum();
        if rest > 0.0 {
            spans.push(Span {
                series: named.len(),
                from: x,
                to: x + rest,
                whisker: None,
            });
            x += rest;
        }
        top = top.max(x);
        let text = match d.first() {
            Some((k, v)) => format!("{k} {}", percent(*v, 1)),
            None => "–".to_string(),
        };
        if spans.is_empty() {
            // Data, but no supplier: the row uses none of the mineral.
            bars.push(Bar {
                label,
                spans: vec![Span {
                    series: 0,
                    from: 0.0,
                    to: 0.0,
                    whisker: None,
                }],
                text,
            });
        } else {
            bars.push(Bar { label, spans, text });
        }
    }
    let desc = format!(
        "Scenario {}, {mineral}: for each row, the share of its supply that passes through each \
         supplier at some stage, stacked; a supply chain passes through several suppliers, so a \
         bar can pass 100%. The text after each bar names the largest supplier.{}",
        s.name,
        if results.sampling.is_some() {
            " Medians over the samples."
        } else {
            ""
        }
    );
    svg::bar_chart(&BarChart {
        id,
        title: format!("{}: {mineral} dependency by supplier", s.name),
        desc,
        axis: Axis {
            label: "% of the row's supply through each supplier (stacked)".to_string(),
            min: 0.0,
            max: nice_ceiling(top),
            tick: pct_tick,
            reference: None,
        },
        series,
        groups: vec![Group {
            label: String::new(),
            bars,
        }],
    })
}

/// The shares a comparison moved, in percentage points: rises dark, falls
/// hatched. `None` when no share moved.
pub fn compare_chart(c: &Comparison, id: String) -> Option<String> {
    let mut groups: Vec<Group> = Vec::new();
    let (mut low, mut high): (f64, f64) = (0.0, 0.0);
    for d in &c.rows {
        if d.metric.kind.unit() != Unit::Fraction {
            continue;
        }
        // At risk and shortfall whenever they move; other shares from one
        // percentage point (the table lists every change).
        let floor = match d.metric.kind {
            MetricKind::AtRisk | MetricKind::Shortfall => crate::report::sections::DELTA_EPSILON,
            _ => SMALL_CHANGE,
        };
        let moved = match d.delta {
            Some(x) => x.abs() >= floor || !x.is_finite(),
            None => true,
        };
        if !moved {
            continue;
        }
        let label = format!("{} · {}", d.mineral, d.actor);
        let bar = match d.delta {
            Some(x) if x.is_finite() => {
                low = low.min(x);
                high = high.max(x);
                Bar {
                    label: d.metric.to_string(),
                    spans: vec![Span {
                        series: usize::from(x < 0.0),
                        from: 0.0,
                        to: x,
                        whisker: None,
                    }],
                    text: d.metric.kind.format_delta(x),
                }
            }
            _ => {
                let side =
                    |v: Option<f64>| v.map_or("–".to_string(), |v| d.metric.kind.format(v));
                Bar {
                    label: d.metric.to_string(),
                    spans: vec![],
                    text: format!("{} → {}", side(d.base), side(d.value)),
                }
            }
        };
        match groups.last_mut() {
            Some(g) if g.label == label => g.bars.push(bar),
            _ => groups.push(Group {
                label,
                bars: vec![bar],
            }),
        }
    }
    if groups.is_empty() {
        return None;
    }
    let min = if low < 0.0 { -nice_ceiling(-low) } else { 0.0 };
    let max = if high > 0.0 || low >= 0.0 {
        nice_ceiling(high)
    } else {
        0.0
    };
    Some(svg::bar_chart(&BarChart {
        id,
        title: format!("{} against {}: changes in shares", c.against, c.base),
        desc: format!(
            "The shares that differ between {} and {}, in percentage points: bars to the right \
             are rises, to the left falls. At risk and shortfall are drawn whenever they move, \
             other shares from one percentage point; the table lists every change, the HHI and \
             cover days too.",
            c.against, c.base
        ),
        axis: Axis {
            label: format!("change from {} to {}, percentage points", c.base, c.against),
            min,
            max,
            tick: pp_tick,
            reference: None,
        },
        series: vec![
            Series {
                name: "rise".to_string(),
                fill: svg::DARK,
                inset: false,
            },
            Series {
                name: "fall".to_string(),
                fill: svg::PALETTE[2],
                inset: false,
            },
        ],
        groups,
    }))
}

/// How many expectations passed and failed, as one bar, and each failed
/// one by how far it missed is in the table.
pub fn expectations_chart(exps: &[ExpectationResult], id: String) -> String {
    let passed = exps.iter().filter(|e| e.passed).count();
    let failed = exps.len() - passed;
    let mut spans = Vec::new();
    if passed > 0 {
        spans.push(Span {
            series: 0,
            from: 0.0,
            to: passed as f64,
            whisker: None,
        });
    }
    if failed > 0 {
        spans.push(Span {
            series: 1,
            from: passed as f64,
            to: exps.len() as f64,
            whisker: None,
        });
    }
    let text = format!("{passed} passed, {failed} failed");
    svg::bar_chart(&BarChart {
        id,
        title: format!("expectations: {text}"),
        desc: format!("Of {} expectations, {text}.", exps.len()),
        axis: Axis {
            label: "number of expectations".to_string(),
            min: 0.0,
            max: exps.len().max(1) as f64,
            tick: count_tick,
            reference: None,
        },
        series: vec![
            Series {
                name: "passed".to_string(),
                fill: svg::DARK,
                inset: false,
            },
            Series {
                name: "failed".to_string(),
                fill: svg::BAD,
                inset: false,
            },
        ],
        groups: vec![Group {
            label: String::new(),
            bars: vec![Bar {
                label: "expectations".to_string(),
                spans,
                text,
            }],
        }],
    })
}

/// One row of a timeline: shortfall (line) and what stock does not cover
/// (hatched area) in % of demand, the stock left in days below, and the
/// stock-out day marked.
pub fn timeline_chart(t: &Timeline, r: &TimelineRow, id: String) -> String {
    let mut starts = Vec::new();
    let mut day = 0.0;
    for p in &r.points {
        starts.push(day);
        day += p.days as f64;
    }
    let end = t
        .steps
        .first()
        .map_or(day, |_| t.from.days_until(t.until) as f64)
        .max(day);
    let short: Vec<Option<f64>> = r.points.iter().map(|p| p.shortfall).collect();
    let unc: Vec<Option<f64>> = r.points.iter().map(|p| p.uncovered).collect();
    let stock: Vec<Option<f64>> = r.points.iter().map(|p| p.stock_days).collect();
    let top = short
        .iter()
        .chain(&unc)
        .flatten()
        .fold(0.0_f64, |a, b| a.max(*b));
    let mut panels = vec![Panel {
        axis: Axis {
            label: "% of demand".to_string(),
            min: 0.0,
            max: nice_ceiling(top),
            tick: pct_tick,
            reference: None,
        },
        lines: vec![
            Line {
                name: "uncovered by stock".to_string(),
                values: unc,
                fill: svg::BAD,
                area: true,
                dashed: false,
            },
            Line {
                name: "shortfall".to_string(),
                values: short,
                fill: svg::DARK,
                area: false,
                dashed: false,
            },
        ],
        height: 120.0,
    }];
    let has_stock = stock.iter().any(Option::is_some);
    if has_stock {
        let most = stock.iter().flatten().fold(0.0_f64, |a, b| a.max(*b));
        panels.push(Panel {
            axis: Axis {
                label: "stock, days".to_string(),
                min: 0.0,
                max: nice_ceiling(most.max(1.0)),
                tick: days_tick,
                reference: None,
            },
            lines: vec![Line {
                name: "stock left (days of normal use)".to_string(),
                values: stock,
                fill: svg::PALETTE[4],
                area: false,
                dashed: true,
            }],
            height: 70.0,
        });
    }
    let marks: Vec<Mark> = match (r.stock_out, r.stock_out_day) {
        (Some(d), Some(x)) => vec![Mark {
            day: x,
            label: format!("stock out {d}"),
        }],
        _ => Vec::new(),
    };
    // At most eight date labels.
    let every = r.points.len().div_ceil(8).max(1);
    let ticks: Vec<(f64, String)> = r
        .points
        .iter()
        .zip(&starts)
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(_, (p, s))| (*s, p.date.to_string()))
        .collect();
    let who = actor_label(&r.actor, r.kind, DemandBasis::Data);
    let peak = r
        .points
        .iter()
        .filter_map(|p| p.shortfall.map(|v| (v, p.date)))
        .fold(
            None,
            |best: Option<(f64, crate::date::Date)>, (v, d)| match best {
                Some((b, _)) if b >= v => best,
                _ => Some((v, d)),
            },
        );
    let mut desc = format!(
        "{who}, {}: shortfall and the part of demand that neither supply nor stock covers, per {} \
         step from {} to {}",
        r.mineral,
        t.step.name(),
        t.from,
        t.until
    );
    if has_stock {
        desc += ", and the stock left in days of normal use";
    }
    desc += ". ";
    match peak {
        Some((v, d)) if v > 0.0 => {
            desc += &format!("The shortfall peaks at {} from {d}. ", percent(v, 1))
        }
        Some(_) => desc += "There is no shortfall. ",
        None => desc += "No data. ",
    }
    if let Some(d) = r.stock_out {
        desc += &format!("The stock runs out on {d}.");
    }
    svg::step_chart(&StepChart {
        id,
        title: format!("{who} {}: timeline", r.mineral),
        desc,
        starts,
        end,
        ticks,
        panels,
        marks,
        time_label: format!("date ({} steps)", t.step.adverb()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_are_round() {
        assert_eq!(nice_ceiling(0.0), 0.05);
        assert_eq!(nice_ceiling(0.313), 0.5);
        assert_eq!(nice_ceiling(0.4), 0.5);
        assert_eq!(nice_ceiling(1.0), 1.0);
        assert_eq!(nice_ceiling(1.38), 2.0);
        assert_eq!(nice_ceiling(0.22), 0.25);
        assert_eq!(nice_ceiling(95.2), 100.0);
    }

    #[test]
    fn a_claimed_demand_keeps_its_mark() {
        assert_eq!(
            actor_label("allies", RowKind::Coalition, DemandBasis::Covers),
            "allies (coalition) *"
        );
        assert_eq!(actor_label("JP", RowKind::Country, DemandBasis::Data), "JP");
    }

    #[test]
    fn ticks_read_as_percentages() {
        assert_eq!(pct_tick(0.2), "20%");
        assert_eq!(pct_tick(0.025), "2.5%");
        assert_eq!(pp_tick(-0.1), "-10");
        assert_eq!(pp_tick(0.0), "0");
        assert_eq!(pp_tick(0.2), "+20");
    }
}
