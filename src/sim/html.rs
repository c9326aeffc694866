//! `--format html`: one self-contained page with SVG charts (SPEC §5).
//!
//! The page has an inline `<style>` and inline `<svg>` elements only: no
//! scripts, fonts, stylesheets or images are referenced. Every piece of
//! user text (people, services, policies, paths) is escaped. The output is
//! a pure function of its inputs: maps are iterated in key order, ties are
//! broken by name and numbers are printed with fixed decimals.
//!
//! The charts are drawn from [`Report::charts`]: pages per person per week,
//! the MTTA distribution, the escalation funnel by tier and the off-hours
//! heat map; in a what-if the baseline is drawn next to the candidate.

use crate::sim::metrics::{Breakdown, Charts, Kind, Report, Section, Val, METRICS};
use crate::sim::report::{cell, kind_of, notes, when, Meta, Shown, BREAKDOWN};
use chrono::{Datelike, NaiveDate, Weekday};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use svg::El;

// ---------------------------------------------------------------------------
// escaping and numbers

/// Escape text for HTML and XML, in element content and attribute values.
pub fn esc(s: &str) -> String {
    crate::sim::drill::xml_escape(s)
}

/// A coordinate or length: one decimal, never `-0.0`, `0.0` when not finite.
fn fx(x: f64) -> String {
    fixed(x, 1)
}

fn fixed(x: f64, dp: usize) -> String {
    let x = if x.is_finite() { x } else { 0.0 };
    let s = format!("{x:.dp$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    }
}

/// `part` of `whole` in percent, one decimal.
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "–".into();
    }
    format!("{}%", fixed(part as f64 * 100.0 / whole as f64, 1))
}

/// At most `n` characters, with `…` when cut.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

// ---------------------------------------------------------------------------
// a tiny SVG writer

/// A minimal SVG element tree: elements with attributes, text and
/// children. Attribute values and text are escaped when rendered; element
/// and attribute names are compile-time constants.
pub(crate) mod svg {
    use super::{esc, fx};

    /// The SVG namespace (the only URL a page holds).
    pub const XMLNS: &str = "http://www.w3.org/2000/svg";

    #[derive(Debug, Clone, PartialEq)]
    enum Node {
        El(El),
        Text(String),
    }

    /// An element.
    #[derive(Debug, Clone, PartialEq)]
    pub struct El {
        name: &'static str,
        attrs: Vec<(&'static str, String)>,
        kids: Vec<Node>,
    }

    impl El {
        pub fn new(name: &'static str) -> El {
            El { name, attrs: Vec::new(), kids: Vec::new() }
        }

        /// An attribute (escaped when rendered); a repeated name replaces
        /// the earlier value.
        pub fn attr(mut self, k: &'static str, v: impl Into<String>) -> El {
            let v = v.into();
            match self.attrs.iter_mut().find(|(n, _)| *n == k) {
                Some(slot) => slot.1 = v,
                None => self.attrs.push((k, v)),
            }
            self
        }

        /// A numeric attribute with one decimal.
        pub fn num(self, k: &'static str, v: f64) -> El {
            self.attr(k, fx(v))
        }

        pub fn class(self, c: &str) -> El {
            self.attr("class", c)
        }

        pub fn fill(self, c: &str) -> El {
            self.attr("fill", c)
        }

        /// Text content (escaped when rendered).
        pub fn text(mut self, t: impl Into<String>) -> El {
            self.kids.push(Node::Text(t.into()));
            self
        }

        /// A `<title>` child (a tooltip), placed first.
        pub fn title(mut self, t: impl Into<String>) -> El {
            self.kids.insert(0, Node::El(El::new("title").text(t)));
            self
        }

        pub fn child(mut self, e: El) -> El {
            self.kids.push(Node::El(e));
            self
        }

        pub fn push(&mut self, e: El) {
            self.kids.push(Node::El(e));
        }

        pub fn render(&self) -> String {
            let mut out = String::new();
            self.write(&mut out);
            out
        }

        fn write(&self, out: &mut String) {
            out.push('<');
            out.push_str(self.name);
            for (k, v) in &self.attrs {
                out.push(' ');
                out.push_str(k);
                out.push_str("=\"");
                out.push_str(&esc(v));
                out.push('"');
            }
            if self.kids.is_empty() {
                out.push_str("/>");
                return;
            }
            out.push('>');
            for k in &self.kids {
                match k {
                    Node::El(e) => e.write(out),
                    Node::Text(t) => out.push_str(&esc(t)),
                }
            }
            out.push_str("</");
            out.push_str(self.name);
            out.push('>');
        }
    }

    /// The root: `<svg xmlns viewBox width height role="img">` with an id
    /// and an accessible label.
    pub fn doc(id: &str, label: &str, w: f64, h: f64) -> El {
        El::new("svg")
            .attr("xmlns", XMLNS)
            .attr("id", id)
            .attr("class", "chart")
            .attr("viewBox", format!("0 0 {} {}", fx(w), fx(h)))
            .num("width", w)
            .num("height", h)
            .attr("role", "img")
            .attr("aria-label", label)
    }

    pub fn rect(x: f64, y: f64, w: f64, h: f64) -> El {
        El::new("rect").num("x", x).num("y", y).num("width", w.max(0.0)).num("height", h.max(0.0))
    }

    pub fn text(x: f64, y: f64, t: impl Into<String>) -> El {
        El::new("text").num("x", x).num("y", y).text(t)
    }

    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64) -> El {
        El::new("line").num("x1", x1).num("y1", y1).num("x2", x2).num("y2", y2)
    }

    pub fn group() -> El {
        El::new("g")
    }
}

// ---------------------------------------------------------------------------
// charts

/// Width of every chart.
const W: f64 = 760.0;
/// The most people the weekly chart draws.
const TOP_PEOPLE: usize = 12;
/// The most weeks the weekly axis fills in (beyond: only weeks with pages).
const MAX_WEEKS: usize = 520;
const CAND: &str = "#3b6fd4";
const BASE: &str = "#9aa3b2";
const HEAT: &str = "#c2410c";
const EMPTY: &str = "#eef0f4";
const AXIS: &str = "#8a8f98";
const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// One side of the charts: the candidate, or the baseline of a what-if.
struct Side<'a> {
    label: &'static str,
    colour: &'static str,
    c: &'a Charts,
}

/// Draws one chart from the sides; None: nothing to draw.
type Draw = fn(&[Side]) -> Option<Chart>;

/// A drawn chart and what it shows.
struct Chart {
    svg: El,
    caption: String,
}

/// The sides drawn: the baseline first (left, grey), then the candidate.
fn sides(s: &Shown) -> Vec<Side<'_>> {
    match s {
        Shown::One(r) => r.charts.as_deref().map(|c| Side { label: "candidate", colour: CAND, c }).into_iter().collect(),
        Shown::Against { baseline, candidate, .. } => {
            let mut v = Vec::new();
            if let Some(c) = baseline.charts.as_deref() {
                v.push(Side { label: "baseline", colour: BASE, c });
            }
            if let Some(c) = candidate.charts.as_deref() {
                v.push(Side { label: "candidate", colour: CAND, c });
            }
            v
        }
    }
}

/// A legend of the sides (only when there are two), at the top right.
fn legend(svg: &mut El, sides: &[Side], y: f64) {
    if sides.len() < 2 {
        return;
    }
    let mut x = W - 10.0 - 95.0 * sides.len() as f64;
    for s in sides {
        svg.push(svg::rect(x, y - 9.0, 10.0, 10.0).fill(s.colour));
        svg.push(svg::text(x + 14.0, y, s.label));
        x += 95.0;
    }
}

/// `(x, width)` of side `i` of `n` within a slot starting at `x` of width `slot`.
fn sub_bar(x: f64, slot: f64, i: usize, n: usize) -> (f64, f64) {
    if n <= 1 {
        (x + slot * 0.15, slot * 0.7)
    } else {
        let w = slot * 0.8 / n as f64;
        (x + slot * 0.1 + w * i as f64, w)
    }
}

// -- 1. pages per person per week

/// `2026-W27` → the Monday of that ISO week.
fn parse_week(s: &str) -> Option<NaiveDate> {
    let (y, w) = s.split_once("-W")?;
    NaiveDate::from_isoywd_opt(y.parse().ok()?, w.parse().ok()?, Weekday::Mon)
}

fn week_name(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

/// The weeks of the x axis: every week from the first to the last (so
/// quiet weeks show as gaps), or just the given weeks when some do not
/// parse or the span is too long.
fn week_axis(weeks: &BTreeSet<&str>) -> Vec<String> {
    let given = || weeks.iter().map(|w| w.to_string()).collect();
    let dates: Option<Vec<NaiveDate>> = weeks.iter().map(|w| parse_week(w)).collect();
    let Some(dates) = dates else { return given() };
    let (Some(&lo), Some(&hi)) = (dates.iter().min(), dates.iter().max()) else { return given() };
    let n = (hi - lo).num_days() / 7 + 1;
    if n < 1 || n as usize > MAX_WEEKS {
        return given();
    }
    (0..n).filter_map(|i| lo.checked_add_days(chrono::Days::new(7 * i as u64))).map(week_name).collect()
}

fn weekly_chart(sides: &[Side]) -> Option<Chart> {
    // person → total pages per side
    let mut totals: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (i, s) in sides.iter().enumerate() {
        for (p, weeks) in &s.c.weekly_pages {
            totals.entry(p.as_str()).or_insert_with(|| vec![0; sides.len()])[i] += weeks.values().sum::<u64>();
        }
    }
    totals.retain(|_, t| t.iter().any(|&x| x > 0));
    if totals.is_empty() {
        return None;
    }
    let paged = totals.len();
    let mut ranked: Vec<(&str, Vec<u64>)> = totals.into_iter().collect();
    let top = |t: &[u64]| t.iter().copied().max().unwrap_or(0);
    ranked.sort_by(|a, b| top(&b.1).cmp(&top(&a.1)).then_with(|| a.0.cmp(b.0)));
    ranked.truncate(TOP_PEOPLE);

    let weeks: BTreeSet<&str> = ranked
        .iter()
        .flat_map(|(p, _)| sides.iter().filter_map(move |s| s.c.weekly_pages.get(*p)))
        .flat_map(|m| m.iter().filter(|(_, &n)| n > 0).map(|(w, _)| w.as_str()))
        .collect();
    let axis = week_axis(&weeks);
    let ymax =
        ranked.iter().flat_map(|(p, _)| sides.iter().filter_map(move |s| s.c.weekly_pages.get(*p))).flat_map(|m| m.values().copied()).max().unwrap_or(0).max(1);

    let (label_w, total_w, top_y, row_h, bar_h) = (150.0, 90.0, 30.0, 30.0, 24.0);
    let plot_x = label_w;
    let plot_w = W - label_w - total_w;
    let slot = plot_w / axis.len().max(1) as f64;
    let h = top_y + ranked.len() as f64 * row_h + 40.0;
    let mut svg = svg::doc("chart-weekly-pages", "pages per person per week", W, h);
    svg.push(svg::text(plot_x, 16.0, format!("pages per week (bar height up to {ymax})")).class("sub"));
    legend(&mut svg, sides, 16.0);
    for (row, (person, tot)) in ranked.iter().enumerate() {
        let base_y = top_y + (row as f64 + 1.0) * row_h - 3.0;
        let mut g = svg::group().class("person");
        g.push(svg::text(plot_x - 8.0, base_y - 6.0, clip(person, 20)).attr("text-anchor", "end").title(person.to_string()));
        g.push(svg::line(plot_x, base_y, plot_x + plot_w, base_y).attr("stroke", AXIS).attr("stroke-width", "0.5"));
        for (wi, week) in axis.iter().enumerate() {
            for (si, s) in sides.iter().enumerate() {
                let n = s.c.weekly_pages.get(*person).and_then(|m| m.get(week)).copied().unwrap_or(0);
                if n == 0 {
                    continue;
                }
                let (x, w) = sub_bar(plot_x + slot * wi as f64, slot, si, sides.len());
                let bh = bar_h * n as f64 / ymax as f64;
                let side = if sides.len() > 1 { format!(" ({})", s.label) } else { String::new() };
                g.push(svg::rect(x, base_y - bh, w, bh).class("bar").fill(s.colour).title(format!("{person}, {week}: {}{side}", plural(n, "page", "pages"))));
            }
        }
        let total = tot.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(" → ");
        g.push(svg::text(plot_x + plot_w + 8.0, base_y - 6.0, total).class("num"));
        svg.push(g);
    }
    // week labels: at most ~8
    let axis_y = top_y + ranked.len() as f64 * row_h + 16.0;
    let every = axis.len().div_ceil(8).max(1);
    for (wi, week) in axis.iter().enumerate().step_by(every) {
        svg.push(svg::text(plot_x + slot * (wi as f64 + 0.5), axis_y, week.clone()).attr("text-anchor", "middle").class("tick"));
    }
    svg.push(svg::text(plot_x + plot_w + 8.0, top_y - 4.0, "total").class("sub"));
    let mut caption = format!(
        "Pages per ISO week (organisation time zone) for each paged person, {}; the total is at the right{}.",
        plural(axis.len() as u64, "week", "weeks"),
        if sides.len() > 1 { " (baseline → candidate)" } else { "" }
    );
    if paged > TOP_PEOPLE {
        let _ = write!(caption, " Showing the {TOP_PEOPLE} people with the most pages of {paged} paged.");
    }
    Some(Chart { svg, caption })
}

// -- 2. MTTA distribution

/// The histogram's buckets: `[lo, hi)` seconds and a label.
const BUCKETS: &[(i64, i64, &str)] = &[
    (0, 60, "0–1m"),
    (60, 120, "1–2m"),
    (120, 300, "2–5m"),
    (300, 600, "5–10m"),
    (600, 900, "10–15m"),
    (900, 1800, "15–30m"),
    (1800, 3600, "30m–1h"),
    (3600, 7200, "1–2h"),
    (7200, i64::MAX, ">2h"),
];

/// The bucket of an acknowledgement delay (negative delays count as 0).
fn bucket_of(secs: i64) -> usize {
    BUCKETS.iter().position(|&(lo, hi, _)| secs.max(0) >= lo && secs.max(0) < hi).unwrap_or(BUCKETS.len() - 1)
}

fn mtta_buckets(mtta: &[(i64, u64)]) -> Vec<u64> {
    let mut b = vec![0u64; BUCKETS.len()];
    for &(secs, n) in mtta {
        b[bucket_of(secs)] += n;
    }
    b
}

fn mtta_chart(sides: &[Side]) -> Option<Chart> {
    let hists: Vec<Vec<u64>> = sides.iter().map(|s| mtta_buckets(&s.c.mtta)).collect();
    let ymax = hists.iter().flatten().copied().max().unwrap_or(0);
    if ymax == 0 {
        return None;
    }
    let (left, top, plot_h) = (50.0, 30.0, 180.0);
    let plot_w = W - left - 20.0;
    let slot = plot_w / BUCKETS.len() as f64;
    let base_y = top + plot_h;
    let mut svg = svg::doc("chart-mtta", "MTTA distribution", W, base_y + 44.0);
    svg.push(svg::text(left, 16.0, "acknowledged incidents by time to acknowledge").class("sub"));
    legend(&mut svg, sides, 16.0);
    // grid lines: 0, half, max
    let mut ticks = vec![0, ymax.div_ceil(2), ymax];
    ticks.dedup();
    for t in ticks {
        let y = base_y - plot_h * t as f64 / ymax as f64;
        svg.push(svg::line(left, y, left + plot_w, y).attr("stroke", if t == 0 { AXIS } else { EMPTY }));
        svg.push(svg::text(left - 6.0, y + 4.0, t.to_string()).attr("text-anchor", "end").class("tick"));
    }
    for (bi, &(_, _, label)) in BUCKETS.iter().enumerate() {
        let x0 = left + slot * bi as f64;
        let mut g = svg::group().class("bucket");
        for (si, (s, hist)) in sides.iter().zip(&hists).enumerate() {
            let n = hist[bi];
            let (x, w) = sub_bar(x0, slot, si, sides.len());
            let bh = plot_h * n as f64 / ymax as f64;
            let side = if sides.len() > 1 { format!(" ({})", s.label) } else { String::new() };
            g.push(svg::rect(x, base_y - bh, w, bh).class("bar").fill(s.colour).title(format!("{label}: {}{side}", plural(n, "incident", "incidents"))));
            if n > 0 {
                g.push(svg::text(x + w / 2.0, base_y - bh - 4.0, n.to_string()).attr("text-anchor", "middle").class("tick"));
            }
        }
        g.push(svg::text(x0 + slot / 2.0, base_y + 16.0, label).attr("text-anchor", "middle").class("tick"));
        svg.push(g);
    }
    svg.push(svg::text(left + plot_w / 2.0, base_y + 36.0, "time to acknowledge").attr("text-anchor", "middle").class("sub"));
    let counts: Vec<String> = sides.iter().zip(&hists).map(|(s, h)| format!("{} {}", s.label, h.iter().sum::<u64>())).collect();
    let caption = format!("Acknowledged incidents by time from open to first acknowledgement ({}).", counts.join(", "));
    Some(Chart { svg, caption })
}

// -- 3. escalation funnel

/// Width of a funnel bar: `count` of `scale` over `plot_w`, capped.
fn bar_width(count: u64, scale: u64, plot_w: f64) -> f64 {
    if scale == 0 {
        return 0.0;
    }
    (plot_w * count as f64 / scale as f64).min(plot_w)
}

/// The funnel's plot width for `n` panels side by side.
fn funnel_geometry(n: usize) -> (f64, f64, f64) {
    // (panel width, label width, plot width)
    let n = n.max(1) as f64;
    let panel = (W - 20.0 - 20.0 * (n - 1.0)) / n;
    let label = 70.0;
    let plot = panel - label - 110.0;
    (panel, label, plot)
}

fn funnel_chart(sides: &[Side]) -> Option<Chart> {
    let drawn: Vec<&Side> = sides.iter().filter(|s| s.c.routed > 0 || s.c.funnel.iter().any(|&x| x > 0)).collect();
    if drawn.is_empty() {
        return None;
    }
    let tiers = drawn.iter().map(|s| s.c.funnel.len()).max().unwrap_or(0);
    // one scale for every panel: bar lengths compare across sides
    let scale = drawn.iter().flat_map(|s| std::iter::once(s.c.routed).chain(s.c.funnel.iter().copied())).max().unwrap_or(0);
    let (panel_w, label_w, plot_w) = funnel_geometry(drawn.len());
    let (top, row_h, bar_h) = (34.0, 28.0, 20.0);
    let h = top + (tiers as f64 + 1.0) * row_h + 10.0;
    let mut svg = svg::doc("chart-funnel", "escalation funnel by tier", W, h);
    for (pi, s) in drawn.iter().enumerate() {
        let x0 = 10.0 + pi as f64 * (panel_w + 20.0);
        let mut g = svg::group().class("panel");
        if drawn.len() > 1 {
            g.push(svg::text(x0, 16.0, s.label).class("sub"));
        } else {
            g.push(svg::text(x0, 16.0, "routed incidents that entered at least k tiers").class("sub"));
        }
        let rows =
            std::iter::once(("routed".to_string(), s.c.routed)).chain((0..tiers).map(|k| (format!("tier {}", k + 1), s.c.funnel.get(k).copied().unwrap_or(0))));
        for (ri, (label, n)) in rows.enumerate() {
            let y = top + ri as f64 * row_h;
            let w = bar_width(n, scale, plot_w);
            let share = pct(n, s.c.routed);
            let what = if ri == 0 { "routed incidents".to_string() } else { format!("entered at least {ri} tiers") };
            g.push(svg::text(x0 + label_w - 8.0, y + bar_h * 0.7, label.clone()).attr("text-anchor", "end"));
            g.push(svg::rect(x0 + label_w, y, plot_w, bar_h).fill(EMPTY));
            g.push(svg::rect(x0 + label_w, y, w, bar_h).class("bar").fill(s.colour).title(format!("{label}: {n} {what} ({share} of routed)")));
            g.push(svg::text(x0 + label_w + plot_w + 6.0, y + bar_h * 0.7, format!("{n} ({share})")).class("num"));
        }
        svg.push(g);
    }
    let caption = if drawn.len() > 1 {
        "Routed incidents that entered at least k tiers, with the share of routed incidents; both panels share one scale.".to_string()
    } else {
        "Routed incidents that entered at least k tiers, with the share of routed incidents.".to_string()
    };
    Some(Chart { svg, caption })
}

// -- 4. off-hours heat map

/// The fill of a heat-map cell with `n` of at most `max`.
fn heat_fill(n: u64, max: u64) -> (&'static str, Option<String>) {
    if n == 0 || max == 0 {
        (EMPTY, None)
    } else {
        (HEAT, Some(fixed(0.15 + 0.85 * n as f64 / max as f64, 3)))
    }
}

fn heat_cell(x: f64, y: f64, w: f64, h: f64, n: u64, max: u64) -> El {
    let (fill, opacity) = heat_fill(n, max);
    let r = svg::rect(x, y, w, h).fill(fill);
    match opacity {
        Some(o) => r.attr("fill-opacity", o),
        None => r,
    }
}

fn heat_chart(sides: &[Side]) -> Option<Chart> {
    let sum = |g: &[[u64; 24]; 7]| g.iter().flatten().sum::<u64>();
    if sides.iter().all(|s| sum(&s.c.off_hours) == 0 && sum(&s.c.all_pages) == 0) {
        return None;
    }
    let max = sides.iter().flat_map(|s| s.c.off_hours.iter().flatten().copied()).max().unwrap_or(0);
    let (left, cw, ch) = (44.0, 28.0, 20.0);
    let grid_h = 7.0 * ch;
    // the candidate first (it is the subject), then the baseline
    let order: Vec<&Side> = sides.iter().rev().collect();
    let head = 40.0;
    let panel_h = head + grid_h + 12.0;
    let h = panel_h * order.len() as f64 + 40.0;
    let mut svg = svg::doc("chart-off-hours", "off-hours heat map", W, h);
    for (pi, s) in order.iter().enumerate() {
        let y0 = pi as f64 * panel_h;
        let mut g = svg::group().class("grid");
        let (off, all) = (sum(&s.c.off_hours), sum(&s.c.all_pages));
        let title = if order.len() > 1 { format!("{}: ", s.label) } else { String::new() };
        g.push(svg::text(left, y0 + 14.0, format!("{title}{off} off-hours pages of {all} ({})", pct(off, all))).class("sub"));
        for hour in 0..24 {
            g.push(svg::text(left + cw * (hour as f64 + 0.5), y0 + head - 6.0, format!("{hour:02}")).attr("text-anchor", "middle").class("tick"));
        }
        for (d, day) in DAYS.iter().enumerate() {
            let y = y0 + head + ch * d as f64;
            g.push(svg::text(left - 6.0, y + ch * 0.7, *day).attr("text-anchor", "end").class("tick"));
            for hour in 0..24 {
                let (n, every) = (s.c.off_hours[d][hour], s.c.all_pages[d][hour]);
                g.push(heat_cell(left + cw * hour as f64, y, cw - 1.0, ch - 1.0, n, max).class("cell").title(format!(
                    "{day} {hour:02}:00–{:02}:00: {n} off-hours of {}",
                    hour + 1,
                    plural(every, "page", "pages")
                )));
            }
        }
        svg.push(g);
    }
    // legend: five steps from 0 to the maximum
    let ly = h - 24.0;
    let mut lg = svg::group().class("legend");
    lg.push(svg::text(left, ly + 12.0, "off-hours pages:").class("tick"));
    let steps: Vec<u64> = if max == 0 { vec![0] } else { (0..5u64).map(|i| (max * i).div_ceil(4)).collect::<BTreeSet<_>>().into_iter().collect() };
    let mut x = left + 100.0;
    for n in steps {
        lg = lg.child(heat_cell(x, ly, 18.0, 14.0, n, max).title(n.to_string())).child(svg::text(x + 22.0, ly + 12.0, n.to_string()).class("tick"));
        x += 60.0;
    }
    svg.push(lg);
    let caption = "Pages outside the paged person's works hours by weekday and hour (organisation time zone); \
                   darker is more. People without works hours are not counted. Hover a cell for its counts."
        .to_string();
    Some(Chart { svg, caption })
}

// ---------------------------------------------------------------------------
// tables

/// A `<td>`: right-aligned, escaped.
fn td(out: &mut String, text: &str, class: &str) {
    let _ = write!(out, "<td class=\"{}\">{}</td>", esc(class), esc(text));
}

fn th_row(out: &mut String, name: &str) {
    let _ = write!(out, "<th scope=\"row\">{}</th>", esc(name));
}

fn head(out: &mut String, cols: &[&str]) {
    out.push_str("<thead><tr>");
    for (i, c) in cols.iter().enumerate() {
        let _ = write!(out, "<th scope=\"col\"{}>{}</th>", if i == 0 { "" } else { " class=\"num\"" }, esc(c));
    }
    out.push_str("</tr></thead>\n");
}

fn metrics_table(out: &mut String, s: &Shown) {
    out.push_str("<table class=\"metrics\">\n");
    let scalar = METRICS.iter().filter(|(_, kind, _)| *kind != Kind::PersonMap);
    match s {
        Shown::One(r) => {
            head(out, &["metric", "value"]);
            out.push_str("<tbody>\n");
            for (name, kind, _) in scalar {
                let Some(v) = r.metrics.get(*name) else { continue };
                out.push_str("<tr>");
                th_row(out, name);
                td(out, &cell(v, *kind, false), "num");
                out.push_str("</tr>\n");
            }
        }
        Shown::Against { baseline, candidate, delta } => {
            head(out, &["metric", "baseline", "candidate", "delta"]);
            out.push_str("<tbody>\n");
            for (name, kind, _) in scalar {
                let Some(c) = candidate.metrics.get(*name) else { continue };
                let b = baseline.metrics.get(*name).map_or_else(|| "–".to_string(), |v| cell(v, *kind, false));
                let d = delta.metrics.get(*name).map_or_else(|| "–".to_string(), |v| cell(v, *kind, true));
                out.push_str("<tr>");
                th_row(out, name);
                td(out, &b, "num");
                td(out, &cell(c, *kind, false), "num");
                td(out, &d, &delta_class(&d));
                out.push_str("</tr>\n");
            }
        }
    }
    out.push_str("</tbody>\n</table>\n");
}

/// `num delta up|down` by the sign of a rendered delta.
fn delta_class(d: &str) -> String {
    match d.chars().next() {
        Some('+') => "num delta up".into(),
        Some('-') => "num delta down".into(),
        _ => "num delta".into(),
    }
}

fn map_of<'a>(r: &'a Report, name: &str) -> Option<&'a BTreeMap<String, Val>> {
    match r.metrics.get(name) {
        Some(Val::Map(m)) => Some(m),
        _ => None,
    }
}

/// `pages_by_person` and `off_hours_pages_by_person`, one row per person.
fn people_table(out: &mut String, s: &Shown) -> bool {
    const MAPS: [&str; 2] = ["pages_by_person", "off_hours_pages_by_person"];
    let reports: Vec<(&Report, bool)> = match s {
        Shown::One(r) => vec![(r, false)],
        Shown::Against { baseline, candidate, delta } => vec![(baseline, false), (candidate, false), (delta, true)],
    };
    let people: BTreeSet<&str> =
        reports.iter().flat_map(|(r, _)| MAPS.iter().filter_map(|m| map_of(r, m))).flat_map(|m| m.keys().map(|k| k.as_str())).collect();
    if people.is_empty() {
        return false;
    }
    out.push_str("<table class=\"people\">\n");
    if reports.len() == 1 {
        head(out, &["person", "pages", "off-hours pages"]);
    } else {
        out.push_str(
            "<thead><tr><th scope=\"col\" rowspan=\"2\">person</th><th scope=\"colgroup\" colspan=\"3\">pages</th>\
             <th scope=\"colgroup\" colspan=\"3\">off-hours pages</th></tr>\n<tr>",
        );
        for _ in MAPS {
            for c in ["baseline", "candidate", "delta"] {
                let _ = write!(out, "<th scope=\"col\" class=\"num\">{c}</th>");
            }
        }
        out.push_str("</tr></thead>\n");
    }
    out.push_str("<tbody>\n");
    for p in people {
        out.push_str("<tr>");
        th_row(out, p);
        for m in MAPS {
            for (r, signed) in &reports {
                let text = map_of(r, m).and_then(|x| x.get(p)).map_or_else(|| "–".to_string(), |v| cell(v, Kind::Count, *signed));
                let class = if *signed { delta_class(&text) } else { "num".to_string() };
                td(out, &text, &class);
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    true
}

/// A `by_service` / `by_policy` table; false when it has no rows.
fn breakdown_table(out: &mut String, s: &Shown, pick: fn(&Report) -> &Breakdown, first: &str) -> bool {
    let mut cols = vec![first];
    cols.extend_from_slice(BREAKDOWN);
    let mut body = String::new();
    match s {
        Shown::One(r) => {
            for (k, sec) in pick(r).iter() {
                body.push_str("<tr>");
                th_row(&mut body, k);
                for c in BREAKDOWN {
                    td(&mut body, &sec.get(*c).map_or_else(|| "–".to_string(), |v| cell(v, kind_of(c), false)), "num");
                }
                body.push_str("</tr>\n");
            }
        }
        Shown::Against { baseline, candidate, delta } => {
            for (k, d) in pick(delta).iter() {
                body.push_str("<tr>");
                th_row(&mut body, k);
                let (bs, cs) = (pick(baseline).get(k), pick(candidate).get(k));
                for c in BREAKDOWN {
                    let kind = kind_of(c);
                    let side = |x: &Option<Cow<Section>>| x.as_ref().and_then(|x| x.get(*c)).map_or_else(|| "–".to_string(), |v| cell(v, kind, false));
                    let dv = d.get(*c).map_or_else(|| "–".to_string(), |v| cell(v, kind, true));
                    let _ = write!(
                        body,
                        "<td class=\"num\">{} → {}<span class=\"{}\">{}</span></td>",
                        esc(&side(&bs)),
                        esc(&side(&cs)),
                        esc(&delta_class(&dv)),
                        esc(&dv)
                    );
                }
                body.push_str("</tr>\n");
            }
        }
    }
    if body.is_empty() {
        return false;
    }
    out.push_str("<table class=\"breakdown\">\n");
    head(out, &cols);
    out.push_str("<tbody>\n");
    out.push_str(&body);
    out.push_str("</tbody>\n</table>\n");
    true
}

/// Text with `code` spans: the backquoted parts of a note.
fn with_code(s: &str) -> String {
    let mut out = String::new();
    for (i, part) in s.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

fn meta_list(out: &mut String, meta: &Meta) {
    let mut items: Vec<(&str, String)> = Vec::new();
    match &meta.baseline {
        Some(b) => {
            items.push(("candidate", meta.candidate.clone()));
            items.push(("baseline", b.clone()));
        }
        None => items.push(("workspace", meta.candidate.clone())),
    }
    items.push(("timeline", meta.timeline.clone()));
    items.push(("engine", meta.engine.clone()));
    items.push((
        "runs",
        if meta.runs > 1 { format!("{} (values are the mean, p5 … p95 over the runs; charts show the first run)", meta.runs) } else { meta.runs.to_string() },
    ));
    items.push(("seed", meta.seed.to_string()));
    let at = |t: Option<i64>| t.map_or_else(|| "–".to_string(), when);
    items.push(("first event", at(meta.first_event)));
    items.push(("last event", at(meta.last_event)));
    items.push(("simulated until", at(meta.end)));
    items.push(("events", meta.events.to_string()));
    out.push_str("<dl class=\"meta\">\n");
    for (k, v) in items {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", esc(k), esc(&v));
    }
    out.push_str("</dl>\n");
}

const STYLE: &str = "
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; color: #1f2328; margin: 0; background: #fafbfc; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 20px; }
h1 { font-size: 22px; margin: 0 0 10px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #d8dee4; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
dl.meta dt { color: #59636e; }
dl.meta dd { margin: 0; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0 12px; background: #fff; }
th, td { border: 1px solid #d8dee4; padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: #f0f3f6; }
th[scope=row] { font-weight: normal; font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.delta { color: #59636e; }
td span.delta { display: block; font-size: 12px; }
.up { color: #0b6e4f; }
.down { color: #a4262c; }
.notes { background: #fff8c5; border: 1px solid #e9d67a; padding: 8px 12px; }
.notes p { margin: 0; }
.nodata { color: #59636e; font-style: italic; }
figure { margin: 10px 0 24px; }
figcaption { color: #59636e; font-size: 13px; margin-top: 4px; max-width: 760px; }
svg.chart { display: block; max-width: 100%; height: auto; background: #fff; border: 1px solid #d8dee4; }
svg text { font: 11px system-ui, -apple-system, \"Segoe UI\", Roboto, sans-serif; fill: #1f2328; }
svg text.sub { fill: #59636e; font-size: 12px; }
svg text.tick { fill: #59636e; font-size: 10px; }
svg text.num { font-variant-numeric: tabular-nums; }
footer { color: #59636e; font-size: 12px; padding-bottom: 24px; }
";

/// The HTML report.
pub fn html(s: &Shown, meta: &Meta) -> String {
    let what_if = matches!(s, Shown::Against { .. });
    let title = if what_if { "escalade what-if" } else { "escalade simulation" };
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}: {}</title>", esc(title), esc(&meta.candidate));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("</head>\n<body>\n<header>\n");
    let _ = writeln!(out, "<h1>{}</h1>", esc(title));
    meta_list(&mut out, meta);
    out.push_str("</header>\n<main>\n");

    out.push_str("<section id=\"notes\" class=\"notes\">\n");
    for n in notes(s) {
        let _ = writeln!(out, "<p>{}</p>", with_code(&n));
    }
    out.push_str("</section>\n");

    out.push_str("<section id=\"metrics\">\n<h2>Metrics</h2>\n");
    metrics_table(&mut out, s);
    out.push_str("</section>\n");

    out.push_str("<section id=\"charts\">\n<h2>Charts</h2>\n");
    let sides = sides(s);
    let charts: [(&str, &str, Draw); 4] = [
        ("weekly-pages", "Pages per person per week", weekly_chart),
        ("mtta", "MTTA distribution", mtta_chart),
        ("funnel", "Escalation funnel by tier", funnel_chart),
        ("off-hours", "Off-hours heat map", heat_chart),
    ];
    for (id, name, draw) in charts {
        let _ = writeln!(out, "<figure id=\"figure-{id}\">\n<h3>{}</h3>", esc(name));
        match draw(&sides) {
            Some(c) => {
                out.push_str(&c.svg.render());
                let _ = writeln!(out, "\n<figcaption>{}</figcaption>", esc(&c.caption));
            }
            None => {
                let _ = writeln!(out, "<p class=\"nodata\" id=\"nodata-{id}\">No data for this chart.</p>");
            }
        }
        out.push_str("</figure>\n");
    }
    out.push_str("</section>\n");

    let mut people = String::new();
    if people_table(&mut people, s) {
        out.push_str("<section id=\"people\">\n<h2>Pages by person</h2>\n");
        out.push_str(&people);
        out.push_str("<p class=\"nodata\">– : not in this report (off-hours pages are kept only for people with <code>works</code> hours).</p>\n");
        out.push_str("</section>\n");
    }
    for (id, name, pick, first) in [
        ("by-service", "By service", (|r: &Report| &r.by_service) as fn(&Report) -> &Breakdown, "service"),
        ("by-policy", "By policy", |r: &Report| &r.by_policy, "policy"),
    ] {
        let mut t = String::new();
        if breakdown_table(&mut t, s, pick, first) {
            let _ = writeln!(out, "<section id=\"{id}\">\n<h2>{}</h2>", esc(name));
            out.push_str(&t);
            if what_if {
                out.push_str("<p class=\"nodata\">Each cell: baseline → candidate, then the delta.</p>\n");
            }
            out.push_str("</section>\n");
        }
    }
    out.push_str("</main>\n");
    let _ = writeln!(out, "<footer>escalade {}</footer>", esc(env!("CARGO_PKG_VERSION")));
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const EVIL: &str = "<script>&\"x\"";
    const EVIL_ESC: &str = "&lt;script&gt;&amp;&quot;x&quot;";

    fn count_map(pairs: &[(&str, i64)]) -> Val {
        Val::Map(pairs.iter().map(|(k, v)| (k.to_string(), Val::Count(*v))).collect())
    }

    fn section(pages: i64, mtta: Option<f64>) -> Section {
        let mut s = Section::new();
        s.insert("alerts".into(), Val::Count(pages + 2));
        s.insert("incidents".into(), Val::Count(pages));
        s.insert("pages".into(), Val::Count(pages));
        s.insert("acknowledged".into(), Val::Count(pages / 2));
        s.insert("mtta_s".into(), Val::Stat(mtta, 3));
        s.insert("escalation_rate".into(), Val::Stat(Some(0.25), 4));
        s.insert("sla_breaches".into(), Val::Count(1));
        s.insert("open_at_end".into(), Val::Count(0));
        s
    }

    fn charts() -> Charts {
        let mut weekly = BTreeMap::new();
        weekly.insert(EVIL.to_string(), [("2026-W01".to_string(), 3u64), ("2026-W04".to_string(), 1)].into_iter().collect());
        weekly.insert("ana".to_string(), [("2026-W02".to_string(), 2u64)].into_iter().collect());
        let mut off = [[0u64; 24]; 7];
        let mut all = [[0u64; 24]; 7];
        off[0][3] = 4;
        all[0][3] = 9;
        off[6][23] = 2;
        all[6][23] = 2;
        all[2][10] = 5;
        Charts {
            weekly_pages: weekly,
            mtta: vec![(30, 2), (90, 1), (400, 3), (9000, 1)],
            funnel: vec![180, 50, 10],
            routed: 200,
            off_hours: off,
            all_pages: all,
        }
    }

    fn report(pages: i64) -> Report {
        let mut metrics = section(pages, Some(252.5));
        metrics.insert("pages_by_person".into(), count_map(&[(EVIL, pages - 2), ("ana", 2)]));
        metrics.insert("off_hours_pages_by_person".into(), count_map(&[("ana", 1)]));
        metrics.insert("paged_without_works".into(), Val::Count(1));
        Report {
            metrics,
            by_service: [(format!("svc-{EVIL}"), section(pages, None)), ("checkout".to_string(), section(3, Some(60.0)))].into_iter().collect(),
            by_policy: [(format!("pol-{EVIL}"), section(pages, Some(120.0)))].into_iter().collect(),
            charts: Some(Box::new(charts())),
        }
    }

    fn meta() -> Meta {
        Meta {
            candidate: format!("ws/{EVIL}"),
            baseline: None,
            timeline: "t.jsonl".into(),
            engine: "default".into(),
            runs: 1,
            seed: 7,
            first_event: Some(1_767_225_600),
            last_event: Some(1_767_830_400),
            end: Some(1_767_916_800),
            events: 42,
        }
    }

    fn what_if() -> (Shown, Meta) {
        let baseline = report(10);
        let mut candidate = report(13);
        if let Some(c) = candidate.charts.as_mut() {
            c.routed = 100;
            c.funnel = vec![100, 20];
        }
        let delta = crate::sim::metrics::delta(&baseline, &candidate);
        (Shown::Against { baseline, candidate, delta }, Meta { baseline: Some("main/ws".into()), ..meta() })
    }

    /// The `<svg …>…</svg>` fragment with this id.
    fn fragment<'a>(doc: &'a str, id: &str) -> &'a str {
        let at = doc.find(&format!("id=\"{id}\"")).unwrap_or_else(|| panic!("{id} missing"));
        let start = doc[..at].rfind("<svg").expect("svg start");
        let end = start + doc[start..].find("</svg>").expect("svg end") + "</svg>".len();
        &doc[start..end]
    }

    fn svgs(doc: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut i = 0;
        while let Some(s) = doc[i..].find("<svg") {
            let start = i + s;
            let end = start + doc[start..].find("</svg>").expect("svg end") + "</svg>".len();
            out.push(&doc[start..end]);
            i = end;
        }
        out
    }

    /// Text and attribute values: no raw `<` or `>`, every `&` an entity.
    fn check_text(t: &str) -> Result<(), String> {
        if t.contains('<') || t.contains('>') {
            return Err(format!("unescaped < or > in {t:?}"));
        }
        for (i, _) in t.match_indices('&') {
            let rest = &t[i..];
            if !["&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&apos;"].iter().any(|e| rest.starts_with(e)) {
                return Err(format!("bare & in {t:?}"));
            }
        }
        Ok(())
    }

    /// A small well-formedness check: balanced tags (`voids` need no end
    /// tag), quoted attributes with escaped values, escaped text.
    fn well_formed(doc: &str, voids: &[&str]) -> Result<(), String> {
        let mut stack: Vec<&str> = Vec::new();
        let mut i = 0;
        while let Some(lt) = doc[i..].find('<') {
            let start = i + lt;
            check_text(&doc[i..start])?;
            if doc[start..].starts_with("<!DOCTYPE html>") {
                i = start + "<!DOCTYPE html>".len();
                continue;
            }
            // the tag's end, outside quotes
            let mut quote = None;
            let mut end = None;
            for (j, ch) in doc[start + 1..].char_indices() {
                match (quote, ch) {
                    (Some(q), c) if c == q => quote = None,
                    (Some(_), _) => {}
                    (None, '"') => quote = Some('"'),
                    (None, '<') => return Err(format!("< inside a tag at {start}")),
                    (None, '>') => {
                        end = Some(start + 1 + j);
                        break;
                    }
                    (None, _) => {}
                }
            }
            let end = end.ok_or("unterminated tag")?;
            let tag = &doc[start + 1..end];
            if let Some(name) = tag.strip_prefix('/') {
                match stack.pop() {
                    Some(open) if open == name.trim() => {}
                    other => return Err(format!("</{name}> closes {other:?}")),
                }
            } else {
                let self_closing = tag.ends_with('/');
                let body = tag.trim_end_matches('/');
                let name_end = body.find(char::is_whitespace).unwrap_or(body.len());
                let name = &body[..name_end];
                if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
                    return Err(format!("bad tag name {name:?}"));
                }
                // attributes: name="value" …
                let mut rest = body[name_end..].trim_start();
                while !rest.is_empty() {
                    let eq = rest.find("=\"").ok_or_else(|| format!("unquoted attribute in <{tag}>"))?;
                    let aname = &rest[..eq];
                    if aname.is_empty() || !aname.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ':') {
                        return Err(format!("bad attribute name {aname:?}"));
                    }
                    let vstart = eq + 2;
                    let vend = vstart + rest[vstart..].find('"').ok_or("unterminated value")?;
                    check_text(&rest[vstart..vend])?;
                    rest = rest[vend + 1..].trim_start();
                }
                if !self_closing && !voids.contains(&name) {
                    stack.push(name);
                }
            }
            i = end + 1;
        }
        check_text(&doc[i..])?;
        if stack.is_empty() {
            Ok(())
        } else {
            Err(format!("unclosed {stack:?}"))
        }
    }

    #[test]
    fn svg_writer_escapes_and_nests() {
        let e = svg::group()
            .class("a&b")
            .child(svg::rect(1.0, 2.25, -3.0, 4.0).fill("#fff").title(EVIL))
            .child(svg::text(0.0, -0.04, "x < y"))
            .child(svg::line(0.0, 0.0, 10.0, 10.0));
        assert_eq!(
            e.render(),
            format!(
                "<g class=\"a&amp;b\"><rect x=\"1.0\" y=\"2.2\" width=\"0.0\" height=\"4.0\" fill=\"#fff\"><title>{EVIL_ESC}</title></rect>\
                 <text x=\"0.0\" y=\"0.0\">x &lt; y</text><line x1=\"0.0\" y1=\"0.0\" x2=\"10.0\" y2=\"10.0\"/></g>"
            )
        );
        assert_eq!(esc("'"), "&apos;");
        assert_eq!(svg::El::new("a").attr("k", "1").attr("k", "2").render(), "<a k=\"2\"/>", "an attribute is set once");
        assert_eq!(fixed(-0.0001, 3), "0.000");
        assert_eq!(fixed(f64::NAN, 1), "0.0");
        assert_eq!(fixed(-1.25, 1), "-1.2");
        assert!(well_formed(&e.render(), &[]).is_ok());
        assert!(well_formed("<g><rect></g>", &[]).is_err(), "the checker catches unbalanced tags");
        assert!(well_formed("<g>a & b</g>", &[]).is_err(), "and bare ampersands");
    }

    #[test]
    fn user_text_is_escaped() {
        let h = html(&Shown::One(report(10)), &meta());
        assert!(!h.contains(EVIL), "raw name leaked");
        assert!(!h.contains("<script"));
        assert!(h.contains(&format!("<th scope=\"row\">{EVIL_ESC}</th>")), "person row");
        assert!(h.contains(&format!("<th scope=\"row\">svc-{EVIL_ESC}</th>")), "service row");
        assert!(h.contains(&format!("<th scope=\"row\">pol-{EVIL_ESC}</th>")), "policy row");
        assert!(h.contains(&format!("<dd>ws/{EVIL_ESC}</dd>")), "path in the header");
        assert!(h.contains(&format!("<title>{EVIL_ESC}, 2026-W01: 3 pages</title>")), "weekly bar tooltip");
    }

    #[test]
    fn nothing_external() {
        for (s, m) in [(Shown::One(report(10)), meta()), what_if()] {
            let h = html(&s, &m);
            let lower = h.to_ascii_lowercase();
            for bad in ["<script", "<link", "@import", "url(", "https://", "<img", "<iframe", "src=", "href="] {
                assert!(!lower.contains(bad), "found {bad}");
            }
            let xmlns = "xmlns=\"http://www.w3.org/2000/svg\"";
            let n_svg = h.matches("<svg ").count();
            assert_eq!(n_svg, 4, "four charts");
            assert_eq!(lower.matches("http://").count(), n_svg, "one URL per svg");
            assert_eq!(h.matches(xmlns).count(), n_svg, "and it is the SVG namespace");
            for (i, _) in lower.match_indices("http://") {
                assert!(h[..i].ends_with("xmlns=\""), "http:// outside xmlns at {i}");
                assert!(h[i..].starts_with("http://www.w3.org/2000/svg\""));
            }
        }
    }

    #[test]
    fn page_and_charts_are_well_formed() {
        for (s, m) in [(Shown::One(report(10)), meta()), what_if()] {
            let h = html(&s, &m);
            assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
            assert!(h.ends_with("</html>\n"));
            let frags = svgs(&h);
            assert_eq!(frags.len(), 4);
            for f in frags {
                well_formed(f, &[]).unwrap_or_else(|e| panic!("{e}\n{f}"));
            }
            well_formed(&h, &["meta"]).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    #[test]
    fn four_charts_with_ids() {
        let h = html(&Shown::One(report(10)), &meta());
        for id in ["chart-weekly-pages", "chart-mtta", "chart-funnel", "chart-off-hours"] {
            assert_eq!(h.matches(&format!("id=\"{id}\"")).count(), 1, "{id}");
        }
        assert!(!h.contains("class=\"nodata\" id="), "no chart is empty");
        // the metadata header
        for needle in ["<dt>engine</dt><dd>default</dd>", "<dt>seed</dt><dd>7</dd>", "<dt>events</dt><dd>42</dd>", "<dd>2026-01-01 00:00:00 UTC</dd>"] {
            assert!(h.contains(needle), "{needle}");
        }
    }

    #[test]
    fn funnel_bars_are_proportional() {
        let h = html(&Shown::One(report(10)), &meta());
        let f = fragment(&h, "chart-funnel");
        let (_, _, plot_w) = funnel_geometry(1);
        assert_eq!(bar_width(50, 200, plot_w), plot_w / 4.0);
        assert_eq!(bar_width(300, 200, plot_w), plot_w, "capped");
        assert_eq!(bar_width(1, 0, plot_w), 0.0);
        let at = f.find("<title>tier 2: 50 entered at least 2 tiers (25.0% of routed)</title>").expect("tier 2 bar");
        let rect = &f[f[..at].rfind("<rect").expect("rect")..at];
        assert!(rect.contains(&format!("width=\"{}\"", fx(plot_w / 4.0))), "{rect}");
        let routed = f.find("<title>routed: 200 routed incidents (100.0% of routed)</title>").expect("routed bar");
        let rect = &f[f[..routed].rfind("<rect").expect("rect")..routed];
        assert!(rect.contains(&format!("width=\"{}\"", fx(plot_w))), "{rect}");
        assert!(f.contains(">10 (5.0%)</text>"), "count and share label");
        assert_eq!(f.matches("class=\"bar\"").count(), 4, "routed + 3 tiers");
    }

    #[test]
    fn heat_map_has_168_cells() {
        let h = html(&Shown::One(report(10)), &meta());
        let f = fragment(&h, "chart-off-hours");
        assert_eq!(f.matches("class=\"cell\"").count(), 168);
        assert!(f.contains("<title>Mon 03:00–04:00: 4 off-hours of 9 pages</title>"));
        assert!(f.contains("<title>Sun 23:00–24:00: 2 off-hours of 2 pages</title>"));
        assert!(f.contains("<title>Wed 10:00–11:00: 0 off-hours of 5 pages</title>"));
        for d in DAYS {
            assert!(f.contains(&format!(">{d}</text>")), "{d} label");
        }
        assert!(f.contains(">00</text>") && f.contains(">23</text>"), "hour labels");
        assert!(f.contains("fill-opacity=\"1.000\""), "the busiest cell is fully dark");
        assert!(f.contains("class=\"legend\""));
        assert!(f.contains("6 off-hours pages of 16 (37.5%)"));
        assert_eq!(heat_fill(1, 4), (HEAT, Some("0.362".to_string())));
        assert_eq!(heat_fill(0, 4), (EMPTY, None));
        // a what-if draws both grids on one scale
        let (s, m) = what_if();
        assert_eq!(fragment(&html(&s, &m), "chart-off-hours").matches("class=\"cell\"").count(), 336);
    }

    #[test]
    fn mtta_histogram_buckets() {
        assert_eq!(bucket_of(90), 1, "90 s is in 1–2m");
        assert_eq!(BUCKETS[bucket_of(90)].2, "1–2m");
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(59), 0);
        assert_eq!(bucket_of(60), 1);
        assert_eq!(bucket_of(-5), 0);
        assert_eq!(bucket_of(7199), 7);
        assert_eq!(bucket_of(7200), 8);
        assert_eq!(bucket_of(i64::MAX), 8);
        assert_eq!(mtta_buckets(&[(30, 2), (90, 1), (400, 3), (9000, 1)]), vec![2, 1, 0, 3, 0, 0, 0, 0, 1]);
        let h = html(&Shown::One(report(10)), &meta());
        let f = fragment(&h, "chart-mtta");
        assert!(f.contains("<title>1–2m: 1 incident</title>"));
        assert!(f.contains("<title>5–10m: 3 incidents</title>"));
        assert!(f.contains("<title>&gt;2h: 1 incident</title>"));
        assert_eq!(f.matches("class=\"bar\"").count(), BUCKETS.len());
    }

    #[test]
    fn weekly_chart_fills_weeks_and_caps_people() {
        let weeks: BTreeSet<&str> = ["2025-W52", "2026-W02"].into_iter().collect();
        assert_eq!(week_axis(&weeks), vec!["2025-W52", "2026-W01", "2026-W02"]);
        let odd: BTreeSet<&str> = ["2026-W01", "someday"].into_iter().collect();
        assert_eq!(week_axis(&odd), vec!["2026-W01", "someday"], "unparsable weeks are kept as given");

        let h = html(&Shown::One(report(10)), &meta());
        let f = fragment(&h, "chart-weekly-pages");
        assert_eq!(f.matches("class=\"person\"").count(), 2);
        assert!(f.contains(">2026-W01</text>"), "first week labelled");
        assert!(h.contains("4 weeks"), "W01…W04 with the quiet W03");
        assert!(!h.contains("Showing the"), "no cap note for 2 people");

        let mut c = charts();
        c.weekly_pages = (0..15).map(|i| (format!("p{i:02}"), [("2026-W10".to_string(), i as u64 + 1)].into_iter().collect())).collect();
        let r = Report { charts: Some(Box::new(c)), ..report(10) };
        let h = html(&Shown::One(r), &meta());
        let f = fragment(&h, "chart-weekly-pages");
        assert_eq!(f.matches("class=\"person\"").count(), TOP_PEOPLE);
        assert!(f.contains(">p14</text>") && !f.contains(">p02</text>"), "the busiest are drawn");
        assert!(h.contains("Showing the 12 people with the most pages of 15 paged."));
    }

    #[test]
    fn what_if_renders_deltas_and_both_sides() {
        let (s, m) = what_if();
        let h = html(&s, &m);
        assert!(h.contains("<h1>escalade what-if</h1>"));
        assert!(h.contains("<dt>baseline</dt><dd>main/ws</dd>"));
        assert!(
            h.contains("<th scope=\"col\" class=\"num\">baseline</th><th scope=\"col\" class=\"num\">candidate</th><th scope=\"col\" class=\"num\">delta</th>")
        );
        // pages 10 → 13
        assert!(h.contains("<tr><th scope=\"row\">pages</th><td class=\"num\">10</td><td class=\"num\">13</td><td class=\"num delta up\">+3</td></tr>"));
        assert!(h.contains("<td class=\"num delta\">0</td>"), "unchanged delta");
        // by service: b → c and the delta
        assert!(h.contains("<td class=\"num\">10 → 13<span class=\"num delta up\">+3</span></td>"));
        // per person: EVIL had 8, now 11
        assert!(
            h.contains(&format!("<tr><th scope=\"row\">{EVIL_ESC}</th><td class=\"num\">8</td><td class=\"num\">11</td><td class=\"num delta up\">+3</td>"))
        );
        // the funnel side by side, on one scale
        let f = fragment(&h, "chart-funnel");
        assert_eq!(f.matches("class=\"panel\"").count(), 2);
        assert!(f.contains(">baseline</text>") && f.contains(">candidate</text>"));
        let (_, _, plot_w) = funnel_geometry(2);
        let at = f.find("<title>routed: 100 routed incidents (100.0% of routed)</title>").expect("candidate routed");
        let rect = &f[f[..at].rfind("<rect").expect("rect")..at];
        assert!(rect.contains(&format!("width=\"{}\"", fx(plot_w / 2.0))), "100 of the baseline's 200: {rect}");
        // MTTA grouped: both sides per bucket
        let mt = fragment(&h, "chart-mtta");
        assert!(mt.contains("<title>1–2m: 1 incident (baseline)</title>") && mt.contains("<title>1–2m: 1 incident (candidate)</title>"));
        assert!(h.contains("baseline 1, candidate 1."), "notes for both sides");
    }

    #[test]
    fn notes_are_shown() {
        let h = html(&Shown::One(report(10)), &meta());
        assert!(h.contains("<p>1 paged people have no <code>works</code> hours; their off-hours pages are not counted.</p>"), "{h}");
    }

    #[test]
    fn missing_charts_say_no_data() {
        for charts in [None, Some(Box::default())] {
            let r = Report { charts, ..report(10) };
            let h = html(&Shown::One(r), &meta());
            assert!(!h.contains("<svg"));
            for id in ["weekly-pages", "mtta", "funnel", "off-hours"] {
                assert!(h.contains(&format!("<p class=\"nodata\" id=\"nodata-{id}\">No data for this chart.</p>")), "{id}");
            }
            well_formed(&h, &["meta"]).unwrap_or_else(|e| panic!("{e}"));
        }
        // an empty report renders too
        let h = html(&Shown::One(Report::default()), &Meta::default());
        well_formed(&h, &["meta"]).unwrap_or_else(|e| panic!("{e}"));
        assert!(h.contains("<dt>first event</dt><dd>–</dd>"));
    }

    #[test]
    fn runs_values_render_mean_and_range() {
        let reports: Vec<Report> = (1..=4).map(|i| report(10 + i)).collect();
        let a = crate::sim::metrics::aggregate(&reports);
        let h = html(&Shown::One(a), &Meta { runs: 4, ..meta() });
        assert!(h.contains("<tr><th scope=\"row\">pages</th><td class=\"num\">12.500 (p5 11 … p95 14)</td></tr>"), "{h}");
        assert!(h.contains("values are the mean, p5 … p95 over the runs"));
    }

    #[test]
    fn output_is_deterministic() {
        let one = || html(&Shown::One(report(10)), &meta());
        assert_eq!(one(), one());
        let (s, m) = what_if();
        assert_eq!(html(&s, &m), html(&s.clone(), &m.clone()));
    }
}
