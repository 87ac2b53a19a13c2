//! The pages of `lode sweep --format html` and `lode tornado --format
//! html`: the single points of failure per row as bar charts beside their
//! tables, and a tornado as spans from the low end's value to the high
//! end's around the plain value.

use super::Page;
use super::charts::{self, Ids, days_tick, nice_ceiling, pct_tick};
use super::page;
use super::svg::{self, Axis, Bar, BarChart, Group, Series, Span};
use crate::metric::{MetricKind, Unit, percent};
use crate::sensitivity::{EventKind, Sweep, Tornado};

/// `12.3%`, or `no data`.
fn share(v: Option<f64>) -> String {
    v.map_or_else(|| "no data".to_string(), |v| percent(v, 1))
}

/// The page of a sweep: per row and mineral, the row as the scenario
/// stands and its `top` worst events, as a chart (at risk pale, shortfall
/// dark inside it) and a table.
pub fn render_sweep(s: &Sweep, top: usize, page: &Page) -> String {
    let mut ids = Ids::default();
    let mut body = String::new();
    let what = match s.kind {
        EventKind::Disrupt => "disrupt",
        EventKind::Restrict => "restrict the exports of",
    };
    let at =
        s.at.as_ref()
            .map(|d| format!(" — as of {d}"))
            .unwrap_or_default();
    let lede = format!(
        "sweep of {}{at}: {what} each producer with ≥ {} of a stage by {}; {} events ({})",
        s.scenario,
        crate::sensitivity::written_percent(s.min_share),
        crate::sensitivity::written_percent(s.by),
        s.events.len(),
        s.allocation
    );
    body += &page::header(page, &[lede, format!("lode {}", s.lode_version)]);
    let with_data: Vec<_> = s.rows.iter().filter(|r| r.has_data()).collect();
    let links: Vec<(String, String)> = with_data
        .iter()
        .map(|r| {
            let who = charts::actor_label(&r.actor, r.kind, r.demand_basis);
            (
                page::anchor("row", &format!("{}-{}", r.actor, r.mineral)),
                format!("{who} {}", r.mineral),
            )
        })
        .collect();
    body += &page::contents(&links);
    for (r, (anchor, label)) in with_data.iter().zip(&links) {
        body += "<section>\n";
        body += &page::heading(2, Some(anchor), label);
        let worst = r.worst(top);
        if worst.is_empty() {
            body += &page::note(&format!(
                "no single event raises {label}'s at risk or shortfall above the scenario's ({} / {})",
                share(r.at_risk),
                share(r.shortfall)
            ));
            body += "</section>\n";
            continue;
        }
        let bar = |name: String, risk: Option<f64>, short: Option<f64>| Bar {
            label: name,
            spans: [(0, risk), (1, short)]
                .into_iter()
                .filter_map(|(series, v)| {
                    v.map(|v| Span {
                        series,
                        from: 0.0,
                        to: v,
                        whisker: None,
                    })
                })
                .collect(),
            text: format!("{} / {}", share(risk), share(short)),
        };
        let mut bars = vec![bar("as the scenario stands".into(), r.at_risk, r.shortfall)];
        let mut top_value: f64 = r.at_risk.unwrap_or(0.0).max(r.shortfall.unwrap_or(0.0));
        let mut rows = Vec::new();
        for e in &worst {
            let event = s.event(e);
            top_value = top_value
                .max(e.at_risk.unwrap_or(0.0))
                .max(e.shortfall.unwrap_or(0.0));
            // The lede says what an event does; the bar names whose output.
            bars.push(bar(
                format!("{} {}.{}", event.actor, event.mineral, event.stage),
                e.at_risk,
                e.shortfall,
            ));
            rows.push(vec![
                event.statement.clone(),
                percent(event.share, 1),
                share(e.at_risk),
                share(e.shortfall),
            ]);
        }
        let first = s.event(worst[0]);
        let svg = svg::bar_chart(&BarChart {
            id: ids.fresh(),
            title: format!("{label}: the worst single events"),
            desc: format!(
                "{label}: at risk (pale bar) and shortfall after rerouting (dark bar inside it) \
                 as the scenario stands and with each of the {} worst single events; the worst \
                 is `{}`, leaving a shortfall of {}.",
                worst.len(),
                first.statement,
                share(worst[0].shortfall)
            ),
            axis: Axis {
                label: "% of the row's demand (bar: at risk / inner bar: shortfall)".to_string(),
                min: 0.0,
                max: nice_ceiling(top_value),
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
            groups: vec![Group {
                label: String::new(),
                bars,
            }],
        });
        body += &page::figure(
            &svg,
            &format!("{label}: at risk and shortfall with each of its worst single events"),
        );
        body += &page::plain_table(
            &[
                "event",
                "producer's share of the stage",
                "at risk",
                "shortfall",
            ],
            &[false, true, true, true],
            &rows,
        );
        body += "</section>\n";
    }
    let without: Vec<String> = s
        .rows
        .iter()
        .filter(|r| !r.has_data())
        .map(|r| format!("{} {}", r.actor, r.mineral))
        .collect();
    if !without.is_empty() {
        body += &page::note(&format!(
            "no demand data, so no figures: {}",
            without.join(", ")
        ));
    }
    page::document(page, &body)
}

/// How the metric's values read on the axis.
fn tick_of(kind: MetricKind) -> fn(f64) -> String {
    match kind.unit() {
        Unit::Fraction => pct_tick,
        _ => days_tick,
    }
}

/// The page of a tornado: one span per input from the metric at the
/// input's low end to the metric at its high end, around the plain value.
pub fn render_tornado(t: &Tornado, page: &Page) -> String {
    let mut ids = Ids::default();
    let mut body = String::new();
    let at =
        t.at.as_ref()
            .map(|d| format!(" as of {d}"))
            .unwrap_or_default();
    let lede = format!(
        "tornado of {} in scenario {}{at}: {}",
        t.metric,
        t.scenario,
        t.kind.format_with_unit(t.value)
    );
    body += &page::header(page, &[lede, format!("lode {}", t.lode_version)]);
    if t.bars.is_empty() {
        body += &page::note("the metric rests on no range and no moved `let`: nothing to rank");
        return page::document(page, &body);
    }
    let values = t
        .bars
        .iter()
        .flat_map(|b| [b.low, b.high])
        .flatten()
        .chain([t.value]);
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let fraction = t.kind.unit() == Unit::Fraction;
    let max = if fraction {
        nice_ceiling(hi).min(1.0).max(hi)
    } else {
        nice_ceiling(hi)
    };
    let min = if lo >= 0.0 { 0.0 } else { lo };
    let bars = t
        .bars
        .iter()
        .map(|b| {
            let written = |v: Option<f64>| {
                v.map_or_else(|| "no value".to_string(), |v| t.kind.format_with_unit(v))
            };
            let spans = match (b.low, b.high) {
                (Some(l), Some(h)) => vec![Span {
                    series: usize::from(h < l),
                    from: l.min(h),
                    to: l.max(h),
                    whisker: None,
                }],
                _ => Vec::new(),
            };
            // Where it is written is in the table below the chart.
            Bar {
                label: b.name.clone().unwrap_or_else(|| b.text.clone()),
                spans,
                text: format!("{} → {}", written(b.low), written(b.high)),
            }
        })
        .collect();
    let first = &t.bars[0];
    let svg = svg::bar_chart(&BarChart {
        id: ids.fresh(),
        title: format!("{}: which input moves it most", t.metric),
        desc: format!(
            "{} in scenario {} is {} with every input at its plain value. Each bar spans the \
             metric from the input's low end to its high end; the largest swing is {} from `{}`.",
            t.metric,
            t.scenario,
            t.kind.format_with_unit(t.value),
            crate::report::sweep::swing_cell(t.kind, first.swing),
            first.name.as_deref().unwrap_or(&first.text)
        ),
        axis: Axis {
            label: format!("{} (line: the plain value)", t.metric),
            min,
            max,
            tick: tick_of(t.kind),
            reference: Some((t.value, format!("plain {}", t.kind.format(t.value)))),
        },
        series: vec![
            Series {
                name: "rises with the input".to_string(),
                fill: svg::PALE,
                inset: false,
            },
            Series {
                name: "falls as the input rises".to_string(),
                fill: svg::DARK,
                inset: false,
            },
        ],
        groups: vec![Group {
            label: String::new(),
            bars,
        }],
    });
    body += &page::figure(
        &svg,
        &format!("{}: the metric at each input's two ends", t.metric),
    );
    let rows: Vec<Vec<String>> = t
        .bars
        .iter()
        .map(|b| {
            let written = |v: Option<f64>| {
                v.map_or_else(|| "no value".to_string(), |v| t.kind.format_with_unit(v))
            };
            vec![
                b.name.clone().unwrap_or_else(|| b.text.clone()),
                b.text.clone(),
                format!("{}:{}", b.file, b.line),
                written(b.low),
                written(b.high),
                crate::report::sweep::swing_cell(t.kind, b.swing),
            ]
        })
        .collect();
    body += &page::plain_table(
        &[
            "input",
            "as written",
            "where",
            "at its low end",
            "at its high end",
            "swing",
        ],
        &[false, false, false, true, true, true],
        &rows,
    );
    page::document(page, &body)
}
