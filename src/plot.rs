//! SVG charts written by hand: grouped bars of welfare (EV) by consumer and scenario, and lines
//! of welfare against a swept parameter. Each series is a `<g class="series">` with a
//! `data-series` attribute, so that tests (and scripts) can find it.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::error::Error;
use crate::report::Row;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 440.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 190.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;

/// Colour-blind-safe palette (Okabe & Ito 2008).
const PALETTE: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000",
];

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "Nice" axis ticks covering [lo, hi].
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / 5.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * mag);
    let start = (lo / step).floor() * step;
    let mut t = Vec::new();
    let mut v = start;
    while v <= hi + step * 0.5 {
        t.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
        v += step;
    }
    t
}

fn fmt_tick(v: f64) -> String {
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

struct Frame {
    y_lo: f64,
    y_hi: f64,
}

impl Frame {
    fn new(values: impl Iterator<Item = f64>) -> Self {
        let (mut lo, mut hi) = (0.0_f64, 0.0_f64);
        for v in values.filter(|v| v.is_finite()) {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        if (hi - lo).abs() < 1e-12 {
            hi = lo + 1.0;
        }
        let t = ticks(lo, hi);
        Frame {
            y_lo: t.first().copied().unwrap_or(lo).min(lo),
            y_hi: t.last().copied().unwrap_or(hi).max(hi),
        }
    }
    fn y(&self, v: f64) -> f64 {
        let h = HEIGHT - TOP - BOTTOM;
        TOP + h * (self.y_hi - v) / (self.y_hi - self.y_lo)
    }
}

fn header(s: &mut String, title: &str, y_label: &str, frame: &Frame) {
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Helvetica, Arial, sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<title>{}</title>"#, esc(title));
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="28" font-size="16" font-weight="bold">{}</text>"#,
        LEFT,
        esc(title)
    );
    let x0 = LEFT;
    let x1 = WIDTH - RIGHT;
    let _ = writeln!(s, r#"<g class="axis y">"#);
    for t in ticks(frame.y_lo, frame.y_hi) {
        if t < frame.y_lo - 1e-12 || t > frame.y_hi + 1e-12 {
            continue;
        }
        let y = frame.y(t);
        let colour = if t == 0.0 { "#333" } else { "#ddd" };
        let _ = writeln!(
            s,
            r#"<line x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}" stroke="{colour}"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            x0 - 6.0,
            y + 4.0,
            fmt_tick(t)
        );
    }
    let mid = (TOP + HEIGHT - BOTTOM) / 2.0;
    let _ = writeln!(
        s,
        r#"<text transform="translate(18 {mid:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
        esc(y_label)
    );
    let _ = writeln!(s, "</g>");
}

fn legend(s: &mut String, names: &[String]) {
    let x = WIDTH - RIGHT + 16.0;
    let _ = writeln!(s, r#"<g class="legend">"#);
    for (i, n) in names.iter().enumerate() {
        let y = TOP + 8.0 + 20.0 * i as f64;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            y - 10.0,
            PALETTE[i % PALETTE.len()],
            x + 18.0,
            y,
            esc(n)
        );
    }
    let _ = writeln!(s, "</g>");
}

/// The money unit shared by the EV rows (or "money").
fn unit(rows: &[&Row]) -> String {
    rows.first().map_or("money".into(), |r| r.unit.clone())
}

/// Grouped bars: one group per consumer, one bar (series) per scenario, height = EV.
///
/// # Errors
/// [`Error::Invalid`] if the rows hold no `ev` row.
pub fn welfare_bars(rows: &[Row], title: &str) -> Result<String, Error> {
    let ev: Vec<&Row> = rows.iter().filter(|r| r.variable == "ev").collect();
    if ev.is_empty() {
        return Err(Error::invalid(
            "plot",
            "the results hold no welfare (`ev`) rows; run with `welfare = true` under [report]",
        ));
    }
    let mut scenarios: Vec<String> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for r in &ev {
        if !scenarios.contains(&r.scenario) {
            scenarios.push(r.scenario.clone());
        }
        if !groups.contains(&r.index) {
            groups.push(r.index.clone());
        }
    }
    let value: BTreeMap<(&str, &str), f64> = ev
        .iter()
        .map(|r| ((r.scenario.as_str(), r.index.as_str()), r.value))
        .collect();
    let frame = Frame::new(ev.iter().map(|r| r.value));
    let mut s = String::new();
    header(
        &mut s,
        title,
        &format!("equivalent variation [{}]", unit(&ev)),
        &frame,
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let group_w = plot_w / groups.len() as f64;
    let bar_w = (group_w * 0.8) / scenarios.len() as f64;
    for (k, sc) in scenarios.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<g class="series" data-series="{}" fill="{}">"#,
            esc(sc),
            PALETTE[k % PALETTE.len()]
        );
        for (g, group) in groups.iter().enumerate() {
            let Some(v) = value.get(&(sc.as_str(), group.as_str())) else {
                continue;
            };
            let x = LEFT + group_w * g as f64 + group_w * 0.1 + bar_w * k as f64;
            let (y0, y1) = (frame.y(0.0), frame.y(*v));
            let _ = writeln!(
                s,
                r#"<rect class="bar" data-group="{}" data-value="{v}" x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}"><title>{}: {} = {v:.4}</title></rect>"#,
                esc(group),
                y0.min(y1),
                bar_w.max(1.0),
                (y1 - y0).abs().max(0.5),
                esc(sc),
                esc(group)
            );
        }
        let _ = writeln!(s, "</g>");
    }
    let _ = writeln!(s, r#"<g class="axis x">"#);
    for (g, group) in groups.iter().enumerate() {
        let x = LEFT + group_w * (g as f64 + 0.5);
        let _ = writeln!(
            s,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            HEIGHT - BOTTOM + 18.0,
            esc(group)
        );
    }
    let _ = writeln!(s, "</g>");
    legend(&mut s, &scenarios);
    s.push_str("</svg>\n");
    Ok(s)
}

/// Lines: EV of each consumer (and scenario, when there are several) against the swept
/// parameter.
///
/// # Errors
/// [`Error::Invalid`] if the rows hold no `ev` row with a parameter value.
pub fn sweep_lines(rows: &[Row], title: &str) -> Result<String, Error> {
    let ev: Vec<&Row> = rows
        .iter()
        .filter(|r| r.variable == "ev" && r.parameter_value.is_some())
        .collect();
    if ev.is_empty() {
        return Err(Error::invalid(
            "plot",
            "the results hold no welfare rows of a sweep",
        ));
    }
    let several = ev.iter().any(|r| r.scenario != ev[0].scenario);
    let mut series: BTreeMap<String, Vec<(f64, f64)>> = BTreeMap::new();
    for r in &ev {
        let name = if several {
            format!("{} / {}", r.scenario, r.index)
        } else {
            r.index.clone()
        };
        series
            .entry(name)
            .or_default()
            .push((r.parameter_value.unwrap_or(f64::NAN), r.value));
    }
    for pts in series.values_mut() {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    let (x_lo, x_hi) = ev
        .iter()
        .filter_map(|r| r.parameter_value)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    let frame = Frame::new(ev.iter().map(|r| r.value));
    let mut s = String::new();
    header(
        &mut s,
        title,
        &format!("equivalent variation [{}]", unit(&ev)),
        &frame,
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let x = |v: f64| LEFT + plot_w * (v - x_lo) / (x_hi - x_lo);
    let names: Vec<String> = series.keys().cloned().collect();
    for (k, (name, pts)) in series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let path: Vec<String> = pts
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|(px, py)| format!("{:.1},{:.1}", x(*px), frame.y(*py)))
            .collect();
        let _ = writeln!(s, r#"<g class="series" data-series="{}">"#, esc(name));
        let _ = writeln!(
            s,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="2" points="{}"/>"#,
            path.join(" ")
        );
        for (px, py) in pts.iter().filter(|p| p.1.is_finite()) {
            let _ = writeln!(
                s,
                r#"<circle class="point" data-x="{px}" data-value="{py}" cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#,
                x(*px),
                frame.y(*py)
            );
        }
        let _ = writeln!(s, "</g>");
    }
    let _ = writeln!(s, r#"<g class="axis x">"#);
    for t in ticks(x_lo, x_hi) {
        if t < x_lo - 1e-12 || t > x_hi + 1e-12 {
            continue;
        }
        let _ = writeln!(
            s,
            r##"<line x1="{0:.1}" y1="{1:.1}" x2="{0:.1}" y2="{2:.1}" stroke="#333"/><text x="{0:.1}" y="{3:.1}" text-anchor="middle">{4}</text>"##,
            x(t),
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 5.0,
            HEIGHT - BOTTOM + 18.0,
            fmt_tick(t)
        );
    }
    let param = ev[0].parameter.clone().unwrap_or_default();
    let _ = writeln!(
        s,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
        LEFT + plot_w / 2.0,
        HEIGHT - 22.0,
        esc(&param)
    );
    let _ = writeln!(s, "</g>");
    legend(&mut s, &names);
    s.push_str("</svg>\n");
    Ok(s)
}

/// The chart that suits the rows: lines for a sweep, bars otherwise.
///
/// # Errors
/// As [`welfare_bars`] and [`sweep_lines`].
pub fn chart(rows: &[Row], title: &str) -> Result<String, Error> {
    if rows.iter().any(|r| r.parameter_value.is_some()) {
        sweep_lines(rows, title)
    } else {
        welfare_bars(rows, title)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 1.0),
            [0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        let t = ticks(-3.2, 7.9);
        assert!(t[0] <= -3.2 && *t.last().unwrap() >= 7.9);
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
    }
}
