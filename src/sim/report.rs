//! Rendering simulation reports (SPEC §5 "Outputs"): `table` (the
//! default), `json`, `markdown`; `html` lives in [`crate::sim::html`].

use crate::sim::event::Instant;
use crate::sim::metrics::{Breakdown, Kind, Report, ReportJson, Val, METRICS};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;

/// What a report is about.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Meta {
    /// the candidate workspace as given
    pub candidate: String,
    /// `--against`
    pub baseline: Option<String>,
    /// the timeline as given (`-` for stdin)
    pub timeline: String,
    /// `--engine` (`default` when not given)
    pub engine: String,
    pub runs: u32,
    pub seed: u64,
    /// first and last timeline event processed
    pub first_event: Option<Instant>,
    pub last_event: Option<Instant>,
    /// the end instant of the (candidate's) simulation
    pub end: Option<Instant>,
    /// timeline events processed
    pub events: u64,
}

/// One report, or a what-if.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    One(Report),
    Against { baseline: Report, candidate: Report, delta: Report },
}

impl Shown {
    /// The report whose charts the HTML draws first.
    pub fn candidate(&self) -> &Report {
        match self {
            Shown::One(r) => r,
            Shown::Against { candidate, .. } => candidate,
        }
    }
}

/// `--format json` (§5): `{"version": 1, "metrics", "by_service",
/// "by_policy"}` or `{"version": 1, "baseline", "candidate", "delta"}`,
/// written as it is made (a single run's breakdowns section by section).
pub fn write_json(s: &Shown, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    /// `{"version": 1, "baseline", "candidate", "delta"}`
    struct Against<'a>(&'a Report, &'a Report, &'a Report);
    impl serde::Serialize for Against<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeMap;
            let mut o = s.serialize_map(Some(4))?;
            o.serialize_entry("version", &1)?;
            o.serialize_entry("baseline", &ReportJson { report: self.0, version: false })?;
            o.serialize_entry("candidate", &ReportJson { report: self.1, version: false })?;
            o.serialize_entry("delta", &ReportJson { report: self.2, version: false })?;
            o.end()
        }
    }
    let mut w = std::io::BufWriter::new(w);
    // serialising maps with string keys and numbers fails only on I/O
    match s {
        Shown::One(r) => serde_json::to_writer_pretty(&mut w, &ReportJson { report: r, version: true }),
        Shown::Against { baseline, candidate, delta } => serde_json::to_writer_pretty(&mut w, &Against(baseline, candidate, delta)),
    }
    .map_err(std::io::Error::from)?;
    w.write_all(b"\n")?;
    w.flush()
}

/// [`write_json`] into a string.
pub fn json(s: &Shown) -> String {
    let mut out = Vec::new();
    // writing to a Vec cannot fail
    let _ = write_json(s, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// An instant for people: `2026-07-01 02:14 UTC`.
pub fn when(t: Instant) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d %H:%M:%S UTC").to_string()).unwrap_or_else(|| t.to_string())
}

fn num(x: f64, dp: u8) -> String {
    format!("{x:.*}", dp as usize)
}

/// `1h 2m 3s` for a number of seconds (rounded to whole seconds).
fn secs_text(x: f64) -> String {
    let s = x.round() as i64;
    let (neg, s) = (s < 0, s.abs());
    let (h, m, sec) = (s / 3600, (s % 3600) / 60, s % 60);
    let mut out = String::new();
    if h > 0 {
        let _ = write!(out, "{h}h");
    }
    if m > 0 {
        let _ = write!(out, "{m}m");
    }
    if sec > 0 || out.is_empty() {
        let _ = write!(out, "{sec}s");
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// A value as table text. `signed`: a delta (`+3`).
pub fn cell(v: &Val, kind: Kind, signed: bool) -> String {
    let sign = |s: String, positive: bool| if signed && positive { format!("+{s}") } else { s };
    let scalar = |x: Option<f64>, dp: u8| -> String {
        match x {
            None => "–".to_string(),
            Some(x) => {
                let t = sign(num(x, dp), x > 0.0);
                if matches!(kind, Kind::MeanSecs | Kind::Secs) && x != 0.0 {
                    format!("{t} ({})", sign(secs_text(x), x > 0.0))
                } else {
                    t
                }
            }
        }
    };
    match v {
        Val::Count(n) => sign(n.to_string(), *n > 0),
        Val::Stat(x, dp) => scalar(*x, *dp),
        Val::Map(m) => map_text(m, signed),
        Val::Agg(a) => {
            if a.mean.is_none() {
                return "–".into();
            }
            let range = match (a.p5, a.p95) {
                (Some(lo), Some(hi)) => format!(" (p5 {} … p95 {})", sign(num(lo, a.dp), lo > 0.0), sign(num(hi, a.dp), hi > 0.0)),
                _ => String::new(),
            };
            format!("{}{range}", scalar(a.mean, a.mean_dp))
        }
    }
}

const MAP_SHOWN: usize = 8;

/// `alice 3, bob 2, … 4 more`: the largest values first.
fn map_text(m: &BTreeMap<String, Val>, signed: bool) -> String {
    if m.is_empty() {
        return "–".into();
    }
    let mut entries: Vec<(&String, f64, String)> = m
        .iter()
        .map(|(k, v)| {
            let x = match v {
                Val::Count(n) => *n as f64,
                Val::Stat(Some(x), _) => *x,
                _ => 0.0,
            };
            (k, x, cell(v, Kind::Count, signed))
        })
        .collect();
    entries.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
    let mut parts: Vec<String> = entries.iter().take(MAP_SHOWN).map(|(k, _, t)| format!("{k} {t}")).collect();
    if entries.len() > MAP_SHOWN {
        parts.push(format!("… {} more", entries.len() - MAP_SHOWN));
    }
    parts.join(", ")
}

/// The columns of the per-service and per-policy tables.
pub const BREAKDOWN: &[&str] = &["alerts", "incidents", "pages", "acknowledged", "mtta_s", "escalation_rate", "sla_breaches", "open_at_end"];

/// The kind a breakdown cell is rendered with: plain numbers (no `(4m)`).
pub fn kind_of(name: &str) -> Kind {
    match METRICS.iter().find(|(n, _, _)| *n == name).map_or(Kind::Count, |x| x.1) {
        Kind::MeanSecs | Kind::Secs => Kind::Count,
        k => k,
    }
}

/// A plain-text table with right-aligned columns after the first.
fn text_table(head: &[String], rows: &[Vec<String>]) -> String {
    let n = head.len();
    let mut w = vec![0usize; n];
    for r in std::iter::once(head).chain(rows.iter().map(|r| r.as_slice())) {
        for (i, c) in r.iter().enumerate().take(n) {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let mut out = String::new();
    for r in std::iter::once(head).chain(rows.iter().map(|r| r.as_slice())) {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate().take(n) {
            let pad = w[i] - c.chars().count();
            if i == 0 {
                line.push_str(c);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(c);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn md_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('|', "\\|").replace('\n', " ")
}

fn md_table(head: &[String], rows: &[Vec<String>]) -> String {
    let mut out = String::new();
    let line = |cells: &[String]| format!("| {} |\n", cells.iter().map(|c| md_escape(c)).collect::<Vec<_>>().join(" | "));
    out.push_str(&line(head));
    let align: Vec<String> = (0..head.len()).map(|i| if i == 0 { "---".to_string() } else { "---:".to_string() }).collect();
    out.push_str(&format!("| {} |\n", align.join(" | ")));
    for r in rows {
        out.push_str(&line(r));
    }
    out
}

/// The metric rows of the totals: `[name, value]` or `[name, baseline,
/// candidate, delta]`.
fn total_rows(s: &Shown) -> (Vec<String>, Vec<Vec<String>>) {
    match s {
        Shown::One(r) => {
            let rows = METRICS
                .iter()
                .filter(|(_, kind, _)| *kind != Kind::PersonMap)
                .filter_map(|(name, kind, _)| Some(vec![name.to_string(), cell(r.metrics.get(*name)?, *kind, false)]))
                .collect();
            (vec!["metric".into(), "value".into()], rows)
        }
        Shown::Against { baseline, candidate, delta } => {
            let rows = METRICS
                .iter()
                .filter(|(_, kind, _)| *kind != Kind::PersonMap)
                .filter_map(|(name, kind, _)| {
                    let c = candidate.metrics.get(*name)?;
                    let b = baseline.metrics.get(*name).map_or_else(String::new, |v| cell(v, *kind, false));
                    let d = delta.metrics.get(*name).map_or_else(String::new, |v| cell(v, *kind, true));
                    Some(vec![name.to_string(), b, cell(c, *kind, false), d])
                })
                .collect();
            (vec!["metric".into(), "baseline".into(), "candidate".into(), "delta".into()], rows)
        }
    }
}

/// The per-person maps, one line each: `pages_by_person: ben 3, mei 2`;
/// in a what-if, each side and the delta.
fn map_lines(s: &Shown) -> Vec<String> {
    let maps = METRICS.iter().filter(|(_, kind, _)| *kind == Kind::PersonMap);
    let mut out = Vec::new();
    for (name, _, _) in maps {
        match s {
            Shown::One(r) => {
                if let Some(v) = r.metrics.get(*name) {
                    out.push(format!("{name}: {}", cell(v, Kind::PersonMap, false)));
                }
            }
            Shown::Against { baseline, candidate, delta } => {
                for (label, r, signed) in [("baseline", baseline, false), ("candidate", candidate, false), ("delta", delta, true)] {
                    if let Some(v) = r.metrics.get(*name) {
                        out.push(format!("{name} ({label}): {}", cell(v, Kind::PersonMap, signed)));
                    }
                }
            }
        }
    }
    out
}

/// Rows of a breakdown (`by_service` / `by_policy`).
fn breakdown_rows(s: &Shown, pick: fn(&Report) -> &Breakdown, first: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut head = vec![first.to_string()];
    head.extend(BREAKDOWN.iter().map(|c| c.to_string()));
    let mut rows = Vec::new();
    match s {
        Shown::One(r) => {
            for (k, sec) in pick(r).iter() {
                let mut row = vec![k.to_string()];
                row.extend(BREAKDOWN.iter().map(|c| sec.get(*c).map_or_else(String::new, |v| cell(v, kind_of(c), false))));
                rows.push(row);
            }
        }
        Shown::Against { baseline, candidate, delta } => {
            for (k, d) in pick(delta).iter() {
                let mut row = vec![k.to_string()];
                let (bs, cs) = (pick(baseline).get(k), pick(candidate).get(k));
                for c in BREAKDOWN {
                    let kind = kind_of(c);
                    let b = bs.as_ref().and_then(|x| x.get(*c)).map_or_else(|| "–".to_string(), |v| cell(v, kind, false));
                    let cv = cs.as_ref().and_then(|x| x.get(*c)).map_or_else(|| "–".to_string(), |v| cell(v, kind, false));
                    let dv = d.get(*c).map_or_else(String::new, |v| cell(v, kind, true));
                    row.push(format!("{b} → {cv} ({dv})"));
                }
                rows.push(row);
            }
        }
    }
    (head, rows)
}

/// The notes every human-readable report carries.
pub fn notes(s: &Shown) -> Vec<String> {
    let without = |r: &Report| match r.metrics.get("paged_without_works") {
        Some(Val::Count(n)) => format!("{n}"),
        Some(v) => cell(v, Kind::Count, false),
        None => "0".into(),
    };
    match s {
        Shown::One(r) => vec![format!("{} paged people have no `works` hours; their off-hours pages are not counted.", without(r))],
        Shown::Against { baseline, candidate, .. } => vec![format!(
            "paged people without `works` hours (their off-hours pages are not counted): baseline {}, candidate {}.",
            without(baseline),
            without(candidate)
        )],
    }
}

fn header(meta: &Meta) -> Vec<String> {
    let mut lines = Vec::new();
    match &meta.baseline {
        Some(b) => lines.push(format!("candidate {} against baseline {}, timeline {}", meta.candidate, b, meta.timeline)),
        None => lines.push(format!("workspace {}, timeline {}", meta.candidate, meta.timeline)),
    }
    let mut l = format!("engine {}, seed {}", meta.engine, meta.seed);
    if meta.runs > 1 {
        let _ = write!(l, ", {} runs (mean, p5 … p95 over the runs)", meta.runs);
    }
    lines.push(l);
    match (meta.first_event, meta.last_event, meta.end) {
        (Some(a), Some(b), Some(e)) => lines.push(format!("{} events from {} to {}; simulated until {}", meta.events, when(a), when(b), when(e))),
        _ => lines.push(format!("{} events", meta.events)),
    }
    lines
}

/// `--format table`.
pub fn table(s: &Shown, meta: &Meta) -> String {
    let mut out = String::new();
    for l in header(meta) {
        out.push_str(&l);
        out.push('\n');
    }
    out.push('\n');
    let (h, rows) = total_rows(s);
    out.push_str(&text_table(&h, &rows));
    out.push('\n');
    for l in map_lines(s) {
        out.push_str(&l);
        out.push('\n');
    }
    for n in notes(s) {
        out.push('\n');
        out.push_str(&n);
        out.push('\n');
    }
    for (title, pick, first) in [
        ("by service", (|r: &Report| &r.by_service) as fn(&Report) -> &Breakdown, "service"),
        ("by policy", |r: &Report| &r.by_policy, "policy"),
    ] {
        let (h, rows) = breakdown_rows(s, pick, first);
        if rows.is_empty() {
            continue;
        }
        out.push('\n');
        out.push_str(title);
        out.push('\n');
        out.push_str(&text_table(&h, &rows));
    }
    out
}

/// `--format markdown`: for a pull-request comment.
pub fn markdown(s: &Shown, meta: &Meta) -> String {
    let mut out = String::new();
    out.push_str(if meta.baseline.is_some() { "## escalade what-if\n\n" } else { "## escalade simulation\n\n" });
    for l in header(meta) {
        out.push_str(&md_escape(&l));
        out.push_str("  \n");
    }
    out.push('\n');
    let (h, rows) = total_rows(s);
    out.push_str(&md_table(&h, &rows));
    out.push('\n');
    for l in map_lines(s) {
        out.push_str(&format!("- {}\n", md_escape(&l)));
    }
    for n in notes(s) {
        out.push('\n');
        out.push_str(&md_escape(&n));
        out.push('\n');
    }
    for (title, pick, first) in [
        ("By service", (|r: &Report| &r.by_service) as fn(&Report) -> &Breakdown, "service"),
        ("By policy", |r: &Report| &r.by_policy, "policy"),
    ] {
        let (h, rows) = breakdown_rows(s, pick, first);
        if rows.is_empty() {
            continue;
        }
        out.push_str(&format!("\n### {title}\n\n"));
        out.push_str(&md_table(&h, &rows));
    }
    out
}
