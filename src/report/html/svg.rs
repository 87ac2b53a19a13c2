//! A small SVG writer for the charts of the HTML report: horizontal bars
//! (grouped, stacked, diverging, with p5–p95 whiskers, or spanning a range
//! as a tornado does) and step lines over dates.
//!
//! Why our own: the charts are few and simple, the page must make no
//! request (so no font files, no script), and the output must be the same
//! bytes on every machine for snapshot tests. Text is laid out by an
//! estimate of its width (0.6 em a character), which is generous for the
//! sans-serif fonts browsers pick.
//!
//! Every chart is `role="img"` with a `<title>` and a `<desc>` that says in
//! words what it shows, an `aria-label`, axis labels with their unit, and
//! fills that differ in lightness and, past the first few, in pattern, so
//! that a greyscale print still tells the series apart. A bar without a
//! value is drawn as the words "no data", never as a bar of zero.

use std::fmt::Write;

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};

/// The width every chart is laid out for: about A4's printable width in
/// CSS pixels; the page scales it down on narrower screens.
pub const WIDTH: f64 = 680.0;

const FONT: f64 = 11.0;
const CHAR: f64 = FONT * 0.6;
const BAR: f64 = 14.0;
const GAP: f64 = 4.0;
const GROUP_GAP: f64 = 10.0;
const NO_DATA: &str = "no data";
/// Between two panels of a step chart: room for the lower one's top tick.
const PANEL_GAP: f64 = 22.0;

/// How one series is filled. Lightness differs from one to the next, and
/// some carry a pattern, so greyscale keeps them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fill {
    pub color: &'static str,
    pub pattern: Pattern,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Solid,
    /// White diagonal lines.
    Hatch,
    /// White dots.
    Dots,
    /// White crossed lines.
    Cross,
}

/// Fills for series that stand side by side (suppliers of a stack, events
/// of a sweep): dark, light, mid hatched, very light, dark dotted, mid
/// crossed, white.
pub const PALETTE: [Fill; 7] = [
    Fill {
        color: "#1d3f72",
        pattern: Pattern::Solid,
    },
    Fill {
        color: "#e3a33b",
        pattern: Pattern::Solid,
    },
    Fill {
        color: "#5b86c4",
        pattern: Pattern::Hatch,
    },
    Fill {
        color: "#f3dcae",
        pattern: Pattern::Solid,
    },
    Fill {
        color: "#7a3b1c",
        pattern: Pattern::Dots,
    },
    Fill {
        color: "#8fa98c",
        pattern: Pattern::Cross,
    },
    Fill {
        color: "#ffffff",
        pattern: Pattern::Solid,
    },
];

/// A pale fill for a bar drawn behind another (at risk behind shortfall).
pub const PALE: Fill = Fill {
    color: "#c6d3e8",
    pattern: Pattern::Solid,
};
/// A dark fill for the bar in front.
pub const DARK: Fill = PALETTE[0];
/// Red-brown, hatched: something bad (a failed expectation, a rise).
pub const BAD: Fill = Fill {
    color: "#a4332b",
    pattern: Pattern::Hatch,
};

/// A named series with its fill, for the legend.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub fill: Fill,
    /// Drawn at half height, in front of the full-height series (a bullet).
    pub inset: bool,
}

/// The value axis: its label (with the unit), its range and how ticks read.
#[derive(Debug, Clone)]
pub struct Axis {
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub tick: fn(f64) -> String,
    /// A vertical line across the bars, with its label (a tornado's plain value).
    pub reference: Option<(f64, String)>,
}

/// One part of a bar: `from` to `to` on the axis in a series' fill, with
/// an optional whisker (p5–p95).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub series: usize,
    pub from: f64,
    pub to: f64,
    pub whisker: Option<(f64, f64)>,
}

/// One line of a chart. No spans: the value is missing, and `text` says
/// why ("no data").
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub spans: Vec<Span>,
    /// Written after the bar: the figures, as the table writes them.
    pub text: String,
}

/// Bars under a heading (a row's scenarios, a mineral's rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub label: String,
    pub bars: Vec<Bar>,
}

/// A horizontal bar chart.
#[derive(Debug, Clone)]
pub struct BarChart {
    /// Unique within the page and stable (`c3`): prefixes the ids inside.
    pub id: String,
    pub title: String,
    pub desc: String,
    pub axis: Axis,
    pub series: Vec<Series>,
    pub groups: Vec<Group>,
}

/// Estimated width of `s` in pixels.
fn width_of(s: &str) -> f64 {
    s.chars().count() as f64 * CHAR
}

/// A coordinate with one decimal, `-0.0` written as `0`.
fn n(v: f64) -> String {
    let s = format!("{v:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s).to_string();
    if s == "-0" { "0".to_string() } else { s }
}

/// The `fill` attribute of a series: a colour or a pattern of the chart.
fn fill_ref(id: &str, i: usize, f: Fill) -> String {
    match f.pattern {
        Pattern::Solid => f.color.to_string(),
        _ => format!("url(#{id}-p{i})"),
    }
}

/// `<defs>` with the patterns of the fills that have one.
fn defs(id: &str, fills: &[Fill]) -> String {
    let mut out = String::new();
    for (i, f) in fills.iter().enumerate() {
        let marks = match f.pattern {
            Pattern::Solid => continue,
            Pattern::Hatch => {
                r##"<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#fff" stroke-width="1.5"/>"##
            }
            Pattern::Dots => r##"<circle cx="3" cy="3" r="1.2" fill="#fff"/>"##,
            Pattern::Cross => r##"<path d="M0 6L6 0M0 0L6 6" stroke="#fff" stroke-width="1"/>"##,
        };
        let _ = write!(
            out,
            r#"<pattern id="{id}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="{}"/>{marks}</pattern>"#,
            f.color
        );
    }
    if out.is_empty() {
        out
    } else {
        format!("<defs>{out}</defs>")
    }
}

/// The opening tag with the accessible name and description.
fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{label}" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>"#,
        w = n(WIDTH),
        h = n(height),
        label = attr(title),
        title = text(title),
        desc = text(desc),
    )
}

/// A legend line of swatches, from `x` at `y`; returns the markup.
fn legend(id: &str, series: &[Series], y: f64) -> String {
    let mut out = String::new();
    let mut x = 0.0;
    for (i, s) in series.iter().enumerate() {
        let h = if s.inset { BAR / 2.0 } else { BAR };
        let _ = write!(
            out,
            r##"<rect x="{}" y="{}" width="14" height="{}" fill="{}" stroke="#555" stroke-width="0.5"/><text x="{}" y="{}">{}</text>"##,
            n(x),
            n(y + (BAR - h) / 2.0),
            n(h),
            fill_ref(id, i, s.fill),
            n(x + 18.0),
            n(y + 11.0),
            text(&s.name)
        );
        x += 18.0 + width_of(&s.name) + 16.0;
    }
    out
}

/// Ticks for `[min, max]`: 0 and about four round steps each way.
fn ticks(min: f64, max: f64) -> Vec<f64> {
    let span = (max - min).abs();
    if span <= 0.0 || !span.is_finite() {
        return vec![min];
    }
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let first = (min / step).ceil() as i64;
    let last = (max / step).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// A label no wider than `max` pixels, cut with `…`.
fn fit(label: &str, max: f64) -> String {
    // The epsilon keeps a label of exactly `max` pixels whole.
    let most = ((max + 0.01) / CHAR).floor().max(1.0) as usize;
    if label.chars().count() <= most {
        label.to_string()
    } else {
        let cut: String = label.chars().take(most.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Draws a [`BarChart`]. Groups with a label get a heading line; each bar
/// has its label on the left, its spans in the middle and its text after
/// the longest bar.
pub fn bar_chart(c: &BarChart) -> String {
    let id = &c.id;
    let labels = c
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().map(|b| width_of(&b.label)))
        .fold(0.0, f64::max);
    let label_w = (labels + 8.0).clamp(40.0, 220.0);
    let text_w = c
        .groups
        .iter()
        .flat_map(|g| g.bars.iter().map(|b| width_of(&b.text)))
        .fold(0.0, f64::max)
        .clamp(40.0, 280.0)
        + 8.0;
    let x0 = label_w;
    let plot_w = (WIDTH - label_w - text_w).max(120.0);
    // The axis need not hold 0 (a tornado around a plain value of 5000).
    let (min, max) = (c.axis.min, c.axis.max.max(c.axis.min + 1e-9));
    let sx = |v: f64| x0 + (v.clamp(min, max) - min) / (max - min) * plot_w;

    let mut body = String::new();
    let mut y = if c.series.len() > 1 { BAR + 10.0 } else { 0.0 };
    let legend_y = 0.0;
    let top = y;
    for g in &c.groups {
        if !g.label.is_empty() {
            let _ = write!(
                body,
                r#"<text class="group" x="0" y="{}">{}</text>"#,
                n(y + 11.0),
                text(&fit(&g.label, WIDTH))
            );
            y += BAR + 2.0;
        }
        for b in &g.bars {
            let mid = y + BAR / 2.0;
            let _ = write!(
                body,
                r#"<text x="{}" y="{}" text-anchor="end">{}</text>"#,
                n(x0 - 6.0),
                n(mid + 4.0),
                text(&fit(&b.label, label_w - 8.0))
            );
            let mut end = sx(0.0);
            if b.spans.is_empty() {
                let _ = write!(
                    body,
                    r#"<text class="nodata" x="{}" y="{}">{}</text>"#,
                    n(sx(0.0) + 4.0),
                    n(mid + 4.0),
                    text(if b.text.is_empty() { NO_DATA } else { &b.text })
                );
                y += BAR + GAP;
                continue;
            }
            for s in &b.spans {
                let series = c.series.get(s.series);
                let inset = series.is_some_and(|s| s.inset);
                let fill = series.map_or(PALETTE[0], |s| s.fill);
                let h = if inset { BAR / 2.0 } else { BAR };
                let (a, z) = (sx(s.from.min(s.to)), sx(s.from.max(s.to)));
                // A value of exactly zero still shows as a hairline, so it
                // reads as "nothing" rather than "missing".
                let w = (z - a).max(1.0);
                let _ = write!(
                    body,
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{}" stroke="#333" stroke-width="0.4"/>"##,
                    n(a),
                    n(y + (BAR - h) / 2.0),
                    n(w),
                    n(h),
                    fill_ref(id, s.series, fill)
                );
                end = end.max(a + w);
                if let Some((lo, hi)) = s.whisker {
                    let (l, r) = (sx(lo), sx(hi));
                    let _ = write!(
                        body,
                        // A white halo under the black line keeps it visible on a dark bar.
                        r##"<path d="M{l} {m}H{r}M{l} {t}V{b}M{r} {t}V{b}" stroke="#fff" stroke-width="3" fill="none"/><path class="whisker" d="M{l} {m}H{r}M{l} {t}V{b}M{r} {t}V{b}" stroke="#000" stroke-width="1.2" fill="none"/>"##,
                        l = n(l),
                        r = n(r),
                        m = n(mid),
                        t = n(mid - 4.0),
                        b = n(mid + 4.0)
                    );
                    end = end.max(r);
                }
            }
            let _ = write!(
                body,
                r#"<text class="value" x="{}" y="{}">{}</text>"#,
                n(end + 4.0),
                n(mid + 4.0),
                text(&b.text)
            );
            y += BAR + GAP;
        }
        y += GROUP_GAP - GAP;
    }
    // The axis: grid lines, ticks, the label with its unit.
    let mut axis = String::new();
    let bottom = y;
    for t in ticks(min, max) {
        let x = sx(t);
        let _ = write!(
            axis,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="{}" stroke-width="0.5"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            n(top),
            n(bottom),
            if t == 0.0 { "#333" } else { "#ccc" },
            n(bottom + 12.0),
            text(&(c.axis.tick)(t)),
            x = n(x),
        );
    }
    if let Some((v, label)) = &c.axis.reference {
        let x = sx(*v);
        let _ = write!(
            axis,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#000" stroke-width="1" stroke-dasharray="3 2"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            n(top - 2.0),
            n(bottom),
            n(top - 4.0),
            text(label),
            x = n(x),
        );
    }
    let _ = write!(
        axis,
        r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        n(x0 + plot_w / 2.0),
        n(bottom + 26.0),
        text(&c.axis.label)
    );
    let height = bottom + 32.0;
    let fills: Vec<Fill> = c.series.iter().map(|s| s.fill).collect();
    let mut out = open(id, &c.title, &c.desc, height);
    out += &defs(id, &fills);
    // Grid first, bars over it.
    out += &axis;
    if c.series.len() > 1 {
        out += &legend(id, &c.series, legend_y);
    }
    out += &body;
    out += "</svg>";
    out
}

/// A line over time: one value per step (a step holds until the next),
/// `None` where there is no data.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    pub name: String,
    pub values: Vec<Option<f64>>,
    pub fill: Fill,
    /// Filled down to zero (an area) rather than a line.
    pub area: bool,
    pub dashed: bool,
}

/// A panel of lines sharing a value axis.
#[derive(Debug, Clone)]
pub struct Panel {
    pub axis: Axis,
    pub lines: Vec<Line>,
    pub height: f64,
}

/// A vertical mark at a day: a stock-out.
#[derive(Debug, Clone, PartialEq)]
pub struct Mark {
    pub day: f64,
    pub label: String,
}

/// Step lines over days, in panels one above the other sharing the time
/// axis.
#[derive(Debug, Clone)]
pub struct StepChart {
    pub id: String,
    pub title: String,
    pub desc: String,
    /// The first day of each step, in days after the start, and the end.
    pub starts: Vec<f64>,
    pub end: f64,
    /// Labels on the time axis: (day, text).
    pub ticks: Vec<(f64, String)>,
    pub panels: Vec<Panel>,
    pub marks: Vec<Mark>,
    pub time_label: String,
}

/// Draws a [`StepChart`].
pub fn step_chart(c: &StepChart) -> String {
    let id = &c.id;
    let x0 = 56.0;
    let plot_w = WIDTH - x0 - 12.0;
    let end = c.end.max(1.0);
    let sx = |d: f64| x0 + d.clamp(0.0, end) / end * plot_w;
    let lines: Vec<&Line> = c.panels.iter().flat_map(|p| &p.lines).collect();
    let mut out = String::new();
    let mut y = 0.0;
    // Legend.
    let series: Vec<Series> = lines
        .iter()
        .map(|l| Series {
            name: l.name.clone(),
            fill: l.fill,
            inset: !l.area,
        })
        .collect();
    let fills: Vec<Fill> = series.iter().map(|s| s.fill).collect();
    out += &legend(id, &series, y);
    y += BAR + 14.0;
    let top = y;
    let mut k = 0;
    for p in &c.panels {
        let (lo, hi) = (p.axis.min.min(0.0), p.axis.max.max(p.axis.min + 1e-9));
        let sy = |v: f64| y + p.height - (v.clamp(lo, hi) - lo) / (hi - lo) * p.height;
        for t in ticks(lo, hi) {
            let _ = write!(
                out,
                r##"<line x1="{}" y1="{yy}" x2="{}" y2="{yy}" stroke="{}" stroke-width="0.5"/><text x="{}" y="{}" text-anchor="end">{}</text>"##,
                n(x0),
                n(x0 + plot_w),
                if t == 0.0 { "#333" } else { "#ccc" },
                n(x0 - 4.0),
                n(sy(t) + 4.0),
                text(&(p.axis.tick)(t)),
                yy = n(sy(t)),
            );
        }
        let _ = write!(
            out,
            r#"<text class="axis" x="{}" y="{}" transform="rotate(-90 {} {})" text-anchor="middle">{}</text>"#,
            n(10.0),
            n(y + p.height / 2.0),
            n(10.0),
            n(y + p.height / 2.0),
            text(&p.axis.label)
        );
        for l in &p.lines {
            // One path per run of steps with data.
            let mut runs: Vec<Vec<(f64, f64, f64)>> = Vec::new();
            let mut open_run = false;
            for (i, v) in l.values.iter().enumerate() {
                let a = c.starts.get(i).copied().unwrap_or(end);
                let b = c.starts.get(i + 1).copied().unwrap_or(end);
                match v {
                    Some(v) => {
                        if !open_run {
                            runs.push(Vec::new());
                            open_run = true;
                        }
                        if let Some(r) = runs.last_mut() {
                            r.push((a, b, *v));
                        }
                    }
                    None => open_run = false,
                }
            }
            for r in &runs {
                let mut d = String::new();
                for (j, (a, b, v)) in r.iter().enumerate() {
                    let cmd = if j == 0 { 'M' } else { 'L' };
                    let _ = write!(d, "{cmd}{} {}H{}", n(sx(*a)), n(sy(*v)), n(sx(*b)));
                }
                if l.area {
                    let (first, last) = (r[0].0, r[r.len() - 1].1);
                    let _ = write!(d, "V{}H{}Z", n(sy(0.0_f64.max(lo))), n(sx(first)));
                    let _ = last;
                    let _ = write!(
                        out,
                        r##"<path d="{d}" fill="{}" stroke="#333" stroke-width="0.5"/>"##,
                        fill_ref(id, k, l.fill)
                    );
                } else {
                    let _ = write!(
                        out,
                        r#"<path d="{d}" fill="none" stroke="{}" stroke-width="2"{}/>"#,
                        l.fill.color,
                        if l.dashed {
                            r#" stroke-dasharray="5 3""#
                        } else {
                            ""
                        }
                    );
                }
            }
            if runs.is_empty() {
                let _ = write!(
                    out,
                    r#"<text class="nodata" x="{}" y="{}">{}: {NO_DATA}</text>"#,
                    n(x0 + 6.0),
                    n(y + 14.0),
                    text(&l.name)
                );
            }
            k += 1;
        }
        y += p.height + PANEL_GAP;
    }
    let bottom = y - PANEL_GAP;
    for (d, label) in &c.ticks {
        let x = sx(*d);
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#333" stroke-width="0.5"/><text x="{x}" y="{}" text-anchor="middle">{}</text>"##,
            n(bottom),
            n(bottom + 4.0),
            n(bottom + 16.0),
            text(label),
            x = n(x),
        );
    }
    for m in &c.marks {
        let x = sx(m.day);
        let anchor = if x > x0 + plot_w * 0.7 {
            "end"
        } else {
            "start"
        };
        let dx = if anchor == "end" { -4.0 } else { 4.0 };
        let _ = write!(
            out,
            r##"<line class="mark" x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#a4332b" stroke-width="1.5" stroke-dasharray="4 2"/><text class="mark" x="{}" y="{}" text-anchor="{anchor}">{}</text>"##,
            n(top - 6.0),
            n(bottom),
            n(x + dx),
            n(top + 4.0),
            text(&m.label),
            x = n(x),
        );
    }
    let _ = write!(
        out,
        r#"<text class="axis" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        n(x0 + plot_w / 2.0),
        n(bottom + 32.0),
        text(&c.time_label)
    );
    let height = bottom + 38.0;
    let mut svg = open(id, &c.title, &c.desc, height);
    svg += &defs(id, &fills);
    svg += &out;
    svg += "</svg>";
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pct(v: f64) -> String {
        format!("{}%", (v * 100.0).round())
    }

    fn chart(bars: Vec<Bar>) -> BarChart {
        BarChart {
            id: "c1".into(),
            title: "t".into(),
            desc: "d".into(),
            axis: Axis {
                label: "shortfall, % of demand".into(),
                min: 0.0,
                max: 1.0,
                tick: pct,
                reference: None,
            },
            series: vec![Series {
                name: "shortfall".into(),
                fill: DARK,
                inset: false,
            }],
            groups: vec![Group {
                label: String::new(),
                bars,
            }],
        }
    }

    #[test]
    fn ticks_are_round() {
        assert_eq!(
            ticks(0.0, 1.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(-0.5, 0.5).len(), 5);
        assert_eq!(ticks(0.0, 0.0), vec![0.0]);
    }

    #[test]
    fn a_bar_without_a_value_says_no_data_and_draws_nothing() {
        let svg = bar_chart(&chart(vec![Bar {
            label: "AU".into(),
            spans: vec![],
            text: "no data".into(),
        }]));
        assert!(svg.contains(r#"class="nodata""#), "{svg}");
        assert!(svg.contains(">no data</text>"));
        // Only the legend could hold a rect, and one series has none.
        assert!(!svg.contains("<rect"), "{svg}");
    }

    #[test]
    fn a_zero_is_a_hairline_and_a_half_is_half_the_plot() {
        let svg = bar_chart(&chart(vec![
            Bar {
                label: "JP".into(),
                spans: vec![Span {
                    series: 0,
                    from: 0.0,
                    to: 0.0,
                    whisker: None,
                }],
                text: "0.0%".into(),
            },
            Bar {
                label: "DE".into(),
                spans: vec![Span {
                    series: 0,
                    from: 0.0,
                    to: 0.5,
                    whisker: Some((0.4, 0.6)),
                }],
                text: "50.0% [40.0%–60.0%]".into(),
            },
        ]));
        assert!(svg.contains(r#"width="1" height="14""#), "{svg}");
        // Labels "JP"/"DE" are 2 chars: 13.2 px + 8 → clamped to 40. The
        // text "50.0% [40.0%–60.0%]" is 19 chars: 125.4 + 8 = 133.4. The
        // plot is 680 − 40 − 133.4 = 506.6 wide, so 50% is 253.3 px.
        assert!(svg.contains(r#"x="40" y="18" width="253.3""#), "{svg}");
        assert!(svg.contains(r#"class="whisker""#));
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title id=\"c1-t\">t</title>"));
    }

    #[test]
    fn text_is_escaped() {
        let mut c = chart(vec![Bar {
            label: "<b>".into(),
            spans: vec![],
            text: "a & b".into(),
        }]);
        c.title = "\"x\" <y>".into();
        let svg = bar_chart(&c);
        assert!(svg.contains("&lt;b&gt;") && svg.contains("a &amp; b"));
        assert!(
            svg.contains(r#"aria-label="&quot;x&quot; &lt;y&gt;""#),
            "{svg}"
        );
        assert!(!svg.contains("<b>"));
    }
}
