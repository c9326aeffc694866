//! `escalade explain` (SPEC §7): one alert, at one instant, through the
//! routes and the policy, with nobody acknowledging.
//!
//! The alert is run through the simulation engine (the same code as
//! `simulate` and `drill`) with [`NoAcks`], from `--at` to the horizon:
//! the org `auto-resolve` when set; otherwise 24h or, when one full pass
//! through a policy's tiers and repeat rounds could take longer, that pass
//! plus 24h (capped at one year): a terminal tier renotifies without end.
//! The trace is then written out for humans:
//!
//! - the alert as read (severity names and aliases as in timelines, an
//!   unknown severity read as none), the service;
//! - every route that matched, in order, with its `set`s, `also`s and what
//!   its `to` / `suppress` / `continue` did;
//! - the decision: the policy and who decided it, or why the alert was
//!   suppressed or is unrouted;
//! - the timeline: one line per step (offset from the alert, UTC instant),
//!   the people paged under the step that paged them, with channels and
//!   cause; renotifications of one tier entry collapsed into one line;
//!   skipped tiers with the reason each target reached nobody; the end
//!   (exhausted, auto-resolved, or waiting at a terminal tier at the
//!   horizon);
//! - a page count per person.

use crate::cli::{instant_arg, load_sound, usage_error};
use crate::model::Model;
use crate::sim::engine::{channels_of, fmt_dur, CauseKind, ChannelMask, Compiled, Engine, EngineKind, NoAcks, Options, PageCause, Sink, Step, TraceRecord};
use crate::sim::event::{AlertEvent, Event, EventKind, Instant};
use crate::syntax::ast::{Channel, Notify, SetAction, Target, TargetKind, Tier};
use crate::time::{schedule_segments, Who};
use crate::workspace::Workspace;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// The alert's instant (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz); default: now
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// KEY=VALUE: service, severity, summary, source, labels.KEY
    #[arg(value_name = "KEY=VALUE")]
    pub pairs: Vec<String>,
}

pub fn run_explain(a: ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let alert = match parse_pairs(&a.pairs) {
        Ok(x) => x,
        Err(e) => return usage_error(err, &e),
    };
    let ws = match load_sound(&a.workspace, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let at = match instant_arg(&a.at, &ws, "--at") {
        Ok(t) => t,
        Err(e) => return usage_error(err, &e),
    };
    let text = explain(&ws, &alert, at.timestamp());
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    0
}

// ---------------------------------------------------------------------------
// KEY=VALUE

const KEYS: &str = "service, severity, summary, source, labels.KEY";
const ALERT_ID: &str = "explain";
const DAY: i64 = 86_400;
const YEAR: i64 = 366 * DAY;

/// The alert described by the pairs. The value is everything after the
/// first `=`, kept as written (§5: label values are text).
pub fn parse_pairs(pairs: &[String]) -> Result<AlertEvent, String> {
    let mut a = AlertEvent { id: ALERT_ID.into(), ..Default::default() };
    let mut service: Option<String> = None;
    // key → the pair that set it, for "given twice"
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else {
            return Err(format!("`{pair}` is not KEY=VALUE; keys are {KEYS}"));
        };
        let canonical = if let Some(k) = key.strip_prefix("labels.") {
            let k = unquote(k);
            if k.is_empty() {
                return Err(format!("`{pair}`: a label needs a key, as in `labels.region=eu`"));
            }
            a.labels.insert(k, value);
            format!("labels.{k}")
        } else {
            let slot = match key {
                "service" => &mut service,
                "severity" => &mut a.severity,
                "summary" => &mut a.summary,
                "source" => &mut a.source,
                _ => {
                    let hint = crate::diag::did_you_mean(key, ["service", "severity", "summary", "source", "labels"])
                        .map(|k| if k == "labels" { " (did you mean `labels.KEY`?)".to_string() } else { format!(" (did you mean `{k}`?)") })
                        .unwrap_or_default();
                    return Err(format!("unknown key `{key}` in `{pair}`{hint}; keys are {KEYS}"));
                }
            };
            *slot = Some(value.to_string());
            key.to_string()
        };
        if let Some(first) = seen.insert(canonical.clone(), pair) {
            return Err(format!("`{canonical}` is given twice (`{first}` and `{pair}`)"));
        }
    }
    match service {
        Some(s) => a.service = s,
        None => return Err(format!("the alert needs a service: add `service=NAME` (keys are {KEYS})")),
    }
    Ok(a)
}

/// `"app.kubernetes.io/name"` → `app.kubernetes.io/name` (§2 label keys).
fn unquote(k: &str) -> &str {
    match k.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        Some(x) if k.len() >= 2 => x,
        _ => k,
    }
}

// ---------------------------------------------------------------------------
// Running the engine

/// One tier entry's renotifications, collapsed.
#[derive(Debug, Clone)]
struct Renotifications {
    policy: u32,
    tier: u32,
    round: u32,
    first: Instant,
    last: Instant,
    count: u64,
    /// (person, channels, pages)
    people: Vec<(u32, ChannelMask, u64)>,
}

/// Keeps every record but renotifications, which are counted per tier
/// entry: a terminal tier renotifies until the horizon.
#[derive(Default)]
struct Collect {
    records: Vec<TraceRecord>,
    renotified: Vec<Renotifications>,
}

impl Collect {
    fn run(&mut self, r: &TraceRecord) -> &mut Renotifications {
        let (policy, tier, round) = (r.policy.unwrap_or(u32::MAX), r.tier.unwrap_or(u32::MAX), r.round.unwrap_or(0));
        let i = match self.renotified.iter().position(|x| (x.policy, x.tier, x.round) == (policy, tier, round)) {
            Some(i) => i,
            None => {
                self.renotified.push(Renotifications { policy, tier, round, first: r.t, last: r.t, count: 0, people: Vec::new() });
                self.renotified.len() - 1
            }
        };
        &mut self.renotified[i]
    }
}

impl Sink for Collect {
    fn record(&mut self, r: &TraceRecord) {
        let only_renotify = r.step == Step::Paged && !r.causes.is_empty() && r.causes.iter().all(|c| c.kind == CauseKind::Renotify);
        if r.step == Step::Renotified {
            let run = self.run(r);
            run.count += 1;
            run.last = r.t;
        } else if only_renotify {
            let (person, channels) = (r.person.unwrap_or(u32::MAX), r.channels);
            let run = self.run(r);
            match run.people.iter_mut().find(|x| x.0 == person) {
                Some(x) => {
                    x.1 |= channels;
                    x.2 += 1;
                }
                None => run.people.push((person, channels, 1)),
            }
        } else {
            self.records.push(r.clone());
        }
    }
}

/// How far the run goes, and how to say so.
fn horizon(m: &Model) -> (i64, String) {
    if let Some(d) = m.org.auto_resolve {
        return (d, format!("the org auto-resolve, {}", fmt_dur(d)));
    }
    // one full pass through every policy (handoffs enter each policy at
    // most once): an upper bound on the time to exhaustion
    let full: i64 = m
        .policies
        .iter()
        .map(|p| {
            // a terminal tier ends the pass: later tiers and `repeat` never act
            let terminal = p.tiers.iter().position(Tier::is_terminal);
            let reached = &p.tiers[..terminal.map_or(p.tiers.len(), |i| i + 1)];
            let round: i64 = reached.iter().filter_map(|t| t.escalate_after.as_ref()).map(|d| d.value).fold(0i64, i64::saturating_add);
            let rounds = if terminal.is_some() { 1 } else { i64::from(p.repeat.as_ref().map_or(0, |r| r.value)) + 1 };
            round.saturating_mul(rounds)
        })
        .fold(0i64, i64::saturating_add);
    if full <= DAY {
        (DAY, format!("{}: the org has no auto-resolve", fmt_dur(DAY)))
    } else {
        // the longest pass, then a day of waiting at a terminal tier
        let d = full.saturating_add(DAY).min(YEAR);
        (d, format!("{}: the org has no auto-resolve", fmt_dur(d)))
    }
}

// ---------------------------------------------------------------------------
// The explanation

/// The explanation of `alert` at `at`, as printed.
pub fn explain(ws: &Workspace, alert: &AlertEvent, at: Instant) -> String {
    let m = &ws.model;
    let c = Compiled::new(m, EngineKind::Default);
    let (span, horizon_text) = horizon(m);
    let end = at.saturating_add(span);
    let mut engine = Engine::new(&c, Options { until: Some(end) }, NoAcks, Collect::default());
    let ev = Event { at, kind: EventKind::Alert(Box::new(alert.clone())), line: 0, seq: 0 };
    let _ = engine.feed(&ev);
    engine.finish(end);
    let (_, collect, _) = engine.into_parts();

    let mut s = String::new();
    header(ws, alert, at, &collect.records, &mut s);
    let suppressed = collect.records.iter().any(|r| r.step == Step::Suppressed);
    if suppressed {
        return s;
    }
    let routed = collect.records.iter().any(|r| r.step == Step::Routed);
    let paged = collect.records.iter().any(|r| r.step == Step::Paged);
    // an unrouted incident that pages nobody has no timeline worth showing
    let lines = if routed || paged { timeline(m, at, &collect, &horizon_text) } else { Vec::new() };
    if !lines.is_empty() {
        s.push('\n');
        s.push_str("timeline (nobody acknowledges):\n");
    }
    let w = lines.iter().map(|l| l.offset.chars().count()).max().unwrap_or(0);
    let indent = " ".repeat(2 + w + 2 + 20 + 2 + 2);
    for l in &lines {
        s.push_str(&format!("  {:<w$}  {}  {}\n", l.offset, rfc3339(l.t), l.head));
        for c in l.children.iter().chain(&l.effects) {
            s.push_str(&format!("{indent}{c}\n"));
        }
    }
    s.push('\n');
    s.push_str(&page_summary(m, &collect));
    for note in notes(m, &collect.records) {
        s.push_str(&format!("note: {note}\n"));
    }
    s
}

fn rfc3339(t: Instant) -> String {
    crate::sim::trace::rfc3339(t)
}

fn person_name(m: &Model, p: u32) -> &str {
    m.persons.get(p as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
}

fn policy_name(m: &Model, p: u32) -> &str {
    m.policies.get(p as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
}

fn tier_of(m: &Model, p: u32, t: u32) -> Option<&Tier> {
    m.policies.get(p as usize)?.tiers.get(t as usize)
}

/// `payments-critical.primary` (the drills' `tier P.T`).
fn tier_label(m: &Model, p: u32, t: u32) -> String {
    format!("{}.{}", policy_name(m, p), tier_of(m, p, t).map(|x| x.name.name.as_str()).unwrap_or("?"))
}

fn route_name(m: &Model, r: u32) -> &str {
    m.routes.get(r as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
}

fn channel_list(mask: ChannelMask) -> String {
    channels_of(mask).map(Channel::as_str).collect::<Vec<_>>().join(", ")
}

/// A value as shown in the alert line: bare when it is a plain word.
fn shown_value(v: &str) -> String {
    let plain = !v.is_empty() && v.chars().all(|c| c.is_alphanumeric() || "-_./:@+".contains(c));
    if plain {
        v.to_string()
    } else {
        format!("{v:?}")
    }
}

/// `team sre via phone, sms`
fn notify_text(n: &Notify) -> String {
    let targets: Vec<String> = n.targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.name.name)).collect();
    let mut s = targets.join(", ");
    if !n.via.is_empty() {
        let via: Vec<&str> = n.via.iter().map(|c| c.value.as_str()).collect();
        s.push_str(&format!(" via {}", via.join(", ")));
    }
    s
}

/// The source text of a span on one line: comments removed, lines joined.
fn source_text(ws: &Workspace, span: crate::source::Span) -> String {
    let text = ws.sources.files.get(span.file as usize).map(|f| f.slice(span)).unwrap_or("");
    text.lines().map(|l| crate::sim::drill::strip_comment(l).trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

fn header(ws: &Workspace, alert: &AlertEvent, at: Instant, records: &[TraceRecord], s: &mut String) {
    let m = &ws.model;
    // the alert as given
    let mut parts = vec![format!("service={}", shown_value(&alert.service))];
    for (k, v) in [("severity", &alert.severity), ("summary", &alert.summary), ("source", &alert.source)] {
        if let Some(v) = v {
            parts.push(format!("{k}={}", shown_value(v)));
        }
    }
    for (k, v) in alert.labels.iter() {
        parts.push(format!("{}={}", crate::syntax::format_label_key(k), shown_value(v)));
    }
    s.push_str(&format!("alert: {}\n", parts.join(" ")));
    s.push_str(&format!("at: {} ({})\n", rfc3339(at), crate::time::reach::format_instant(m, at)));

    // service
    match m.service(&alert.service) {
        Some(svc) => {
            let mut facts = Vec::new();
            if let Some(o) = &svc.owner {
                facts.push(format!("owner {}", o.name));
            }
            match &svc.policy {
                Some(p) => facts.push(format!("default policy {}", p.name)),
                None => facts.push("no default policy".into()),
            }
            s.push_str(&format!("service: {} ({})\n", svc.name.name, facts.join(", ")));
        }
        None => {
            let hint = crate::diag::did_you_mean(&alert.service, m.services.iter().map(|x| x.name.name.as_str()))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            s.push_str(&format!("service: {} (not declared in the workspace{hint})\n", shown_value(&alert.service)));
        }
    }

    // matched routes, from the engine's `opened` / `suppressed` record
    let opened = records.iter().find(|r| matches!(r.step, Step::Opened | Step::Suppressed));
    let matched: &[u32] = opened.map(|r| &*r.matched).unwrap_or(&[]);
    let suppressed_by = records.iter().find(|r| r.step == Step::Suppressed).and_then(|r| r.route);
    let routed = records.iter().find(|r| r.step == Step::Routed);
    let decided_by = routed.and_then(|r| r.route);

    // severity: as read, then as the routes leave it
    let read = alert.severity.as_deref().and_then(|x| m.read_severity(x));
    let mut sev_line = match (&alert.severity, read) {
        (None, _) => "none".to_string(),
        (Some(x), Some(i)) if m.org.severities[i].name == *x => x.clone(),
        (Some(x), Some(i)) => format!("{} (read as {})", shown_value(x), m.org.severities[i].name),
        (Some(x), None) => format!("{} (unknown: read as no severity)", shown_value(x)),
    };
    for &ri in matched {
        let Some(r) = m.routes.get(ri as usize) else { continue };
        for set in &r.sets {
            if let SetAction::Severity(id) = &set.value {
                sev_line.push_str(&format!(", set to {} by route {}", id.name, r.name.name));
            }
        }
    }
    s.push_str(&format!("severity: {sev_line}\n"));

    // routes
    if m.routes.is_empty() {
        s.push_str("routes: the workspace has none\n");
    } else if matched.is_empty() {
        s.push_str(&format!("routes: none of {} matched\n", m.routes.len()));
    } else {
        s.push_str(&format!("routes: {} of {} matched, in order\n", matched.len(), m.routes.len()));
    }
    let mut decided: Option<u32> = None;
    for (i, &ri) in matched.iter().enumerate() {
        let Some(r) = m.routes.get(ri as usize) else { continue };
        let cond = r.when.as_ref().map(|w| format!("when {}", source_text(ws, w.span))).unwrap_or_else(|| "no `when`: matches every alert".into());
        s.push_str(&format!("  {} ({cond})\n", r.name.name));
        let mut effects: Vec<String> = Vec::new();
        for set in &r.sets {
            effects.push(match &set.value {
                SetAction::Severity(id) => format!("set severity {}", id.name),
                SetAction::Label { key, value } => format!("set {} {:?}", crate::syntax::format_label_key(&key.value), value.value),
            });
        }
        for n in &r.also {
            let mut e = format!("also {}", notify_text(n));
            if suppressed_by.is_some() {
                e.push_str(" (cancelled: the alert is suppressed)");
            } else {
                e.push_str(" (paged at open)");
            }
            effects.push(e);
        }
        let last = i + 1 == matched.len();
        if r.suppress.is_some() {
            if suppressed_by == Some(ri) {
                effects.push("suppress: the alert is dropped".into());
            } else {
                let by = decided.map(|d| route_name(m, d)).unwrap_or("?");
                effects.push(format!("suppress: ignored, route {by} already decided a policy; ends evaluation"));
            }
        } else if let Some(p) = &r.to {
            if decided_by == Some(ri) {
                decided = Some(ri);
                effects.push(format!("to policy {}: decides", p.name));
            } else {
                let by = decided.or(decided_by).map(|d| route_name(m, d)).unwrap_or("?");
                effects.push(format!("to policy {}: ignored, route {by} already decided", p.name));
            }
        }
        if r.cont.is_some() {
            effects.push("continue".into());
        } else if last && r.suppress.is_none() && r.to.is_none() {
            effects.push("neither `to` nor `suppress`, no `continue`: ends evaluation".into());
        }
        if effects.is_empty() {
            effects.push("no effect".into());
        }
        for e in effects {
            s.push_str(&format!("    {e}\n"));
        }
    }

    // decision
    if let Some(ri) = suppressed_by {
        s.push_str(&format!("decision: suppressed by route {}: the alert is dropped and nobody is paged\n", route_name(m, ri)));
        return;
    }
    if let Some(r) = routed {
        let p = r.policy.map(|p| policy_name(m, p)).unwrap_or("?");
        match r.route {
            Some(ri) => s.push_str(&format!("decision: policy {p}, decided by route {}\n", route_name(m, ri))),
            None => s.push_str(&format!("decision: policy {p}, the default policy of service {} (no route decided)\n", alert.service)),
        }
        return;
    }
    if records.iter().any(|r| r.step == Step::Unrouted) {
        let why = match m.service(&alert.service) {
            None => format!("no route decided a policy and service {} is not declared, so it has no default policy", shown_value(&alert.service)),
            Some(svc) => format!("no route decided a policy and service {} has no default policy", svc.name.name),
        };
        s.push_str(&format!("decision: unrouted: {why}; no policy pages anyone\n"));
    }
}

/// One line of the timeline, with the lines under it.
struct Line {
    t: Instant,
    offset: String,
    head: String,
    children: Vec<String>,
    /// side effects, shown after the pages
    effects: Vec<String>,
    /// the (policy, tier) of a tier step, to attach pages and side effects
    tier: Option<(u32, u32)>,
    /// an `also` line
    also: bool,
}

impl Line {
    fn new(at: Instant, t: Instant, head: String) -> Line {
        Line { t, offset: format!("+{}", fmt_dur(t - at)), head, children: Vec::new(), effects: Vec::new(), tier: None, also: false }
    }
}

fn cause_text(m: &Model, c: &PageCause) -> String {
    let target = c.target.describe(m);
    match c.kind {
        CauseKind::Tier => format!("tier ({target})"),
        CauseKind::Renotify => format!("renotify ({target})"),
        CauseKind::Also => format!("also of route {} ({target})", c.route.map(|r| route_name(m, r)).unwrap_or("?")),
        CauseKind::Unresolved => format!("unresolved jump ({target})"),
    }
}

fn page_text(m: &Model, r: &TraceRecord) -> String {
    let who = r.person.map(|p| person_name(m, p)).unwrap_or("?");
    let causes: Vec<String> = r.causes.iter().map(|c| cause_text(m, c)).collect();
    format!("page {who} via {}: {}", channel_list(r.channels), causes.join(" + "))
}

fn timeline(m: &Model, at: Instant, collect: &Collect, horizon_text: &str) -> Vec<Line> {
    let mut lines: Vec<Line> = Vec::new();
    let mut runs = collect.renotified.iter().peekable();
    // the last tier entered, for the end of the run
    let mut current: Option<(u32, u32)> = None;
    let mut exhausted = false;
    let records = &collect.records;
    for (i, r) in records.iter().enumerate() {
        while let Some(run) = runs.next_if(|x| x.first < r.t) {
            lines.push(renotify_line(m, at, run));
        }
        let rec_tier = r.policy.zip(r.tier);
        match r.step {
            Step::Opened | Step::Routed | Step::Unrouted | Step::Suppressed | Step::Folded => {}
            Step::Paged => {
                let mut placed = false;
                if r.causes.iter().any(|c| c.kind == CauseKind::Also) {
                    let fresh = !lines.last().is_some_and(|l| l.also && l.t == r.t);
                    if fresh {
                        let mut l = Line::new(at, r.t, "`also` pages, at open".into());
                        l.also = true;
                        lines.push(l);
                    }
                    if let Some(l) = lines.last_mut() {
                        l.children.push(page_text(m, r));
                    }
                    placed = true;
                }
                // tier pages (possibly merged with an `also` page, listed
                // under both: it is one page)
                for c in r.causes.iter().filter(|c| c.kind != CauseKind::Also) {
                    let key = c.policy.zip(c.tier);
                    if let Some(l) = lines.iter_mut().rev().take_while(|l| l.t == r.t).find(|l| l.tier.is_some() && l.tier == key) {
                        let text = page_text(m, r);
                        if !l.children.contains(&text) {
                            l.children.push(text);
                        }
                        placed = true;
                    }
                }
                if !placed {
                    lines.push(Line::new(at, r.t, page_text(m, r)));
                }
            }
            Step::TierEntered => {
                let (p, ti) = rec_tier.unwrap_or((u32::MAX, u32::MAX));
                current = Some((p, ti));
                let mut l = Line::new(at, r.t, format!("enter {} (round {})", tier_label(m, p, ti), r.round.unwrap_or(1)));
                l.tier = Some((p, ti));
                if let Some(tier) = tier_of(m, p, ti) {
                    if let Some(h) = &tier.handoff {
                        l.head.push_str(&format!(": hand off to policy {}", h.name));
                    } else {
                        let mut facts = Vec::new();
                        if let Some(d) = &tier.renotify {
                            facts.push(format!("renotify every {}", fmt_dur(d.value)));
                        }
                        match &tier.escalate_after {
                            Some(d) => facts.push(format!("escalate after {}", fmt_dur(d.value))),
                            None => facts.push("terminal: no `escalate after`".into()),
                        }
                        l.head.push_str(&format!(": {}", facts.join(", ")));
                        // earlier `also` pages merged with this tier's
                        for x in records[..i].iter().rev().take_while(|x| x.t == r.t) {
                            if x.step == Step::Paged && x.causes.iter().any(|c| c.kind == CauseKind::Tier && c.policy.zip(c.tier) == Some((p, ti))) {
                                l.children.push(format!("{} (one page with the `also` page above)", page_text(m, x)));
                            }
                        }
                        for note in target_notes(m, tier, r.t).1 {
                            l.effects.push(format!("not reached: {note}"));
                        }
                    }
                }
                lines.push(l);
            }
            Step::TierSkipped => {
                let (p, ti) = rec_tier.unwrap_or((u32::MAX, u32::MAX));
                let why = match tier_of(m, p, ti) {
                    Some(tier) if tier.notify.is_empty() => "the tier has no `notify`".to_string(),
                    Some(tier) => {
                        let notes = target_notes(m, tier, r.t).1;
                        if notes.is_empty() {
                            "reaches nobody".into()
                        } else {
                            notes.join("; ")
                        }
                    }
                    None => "reaches nobody".into(),
                };
                let mut l = Line::new(at, r.t, format!("skip {} (round {}): reaches nobody", tier_label(m, p, ti), r.round.unwrap_or(1)));
                l.children.push(format!("why: {why}"));
                l.tier = Some((p, ti));
                lines.push(l);
            }
            Step::ChannelOpened | Step::Checkpoint => {
                let what = match r.step {
                    Step::ChannelOpened => format!("open channel {:?}", r.item_text(m).unwrap_or("?")),
                    _ => format!("checkpoint {:?}", r.item_text(m).unwrap_or("?")),
                };
                match lines.iter_mut().rev().take_while(|l| l.t == r.t).find(|l| l.tier.is_some() && l.tier == rec_tier) {
                    Some(l) => l.effects.push(what),
                    None => lines.push(Line::new(at, r.t, what)),
                }
            }
            Step::Escalated => {
                let (p, ti) = rec_tier.unwrap_or((u32::MAX, u32::MAX));
                let reason = r.reason.as_deref().unwrap_or("not acknowledged");
                lines.push(Line::new(at, r.t, format!("escalate: {} {reason}", tier_label(m, p, ti))));
            }
            Step::Repeat => {
                let p = r.policy.unwrap_or(u32::MAX);
                let rounds = m.policies.get(p as usize).and_then(|x| x.repeat.as_ref()).map_or(0, |x| x.value) + 1;
                lines.push(Line::new(at, r.t, format!("repeat {}: round {} of {rounds}", policy_name(m, p), r.round.unwrap_or(0))));
            }
            // the `enter` line of the handoff tier says it
            Step::Handoff => {}
            Step::HandoffCycle => {
                let p = r.policy.unwrap_or(u32::MAX);
                lines.push(Line::new(at, r.t, format!("handoff cycle: policy {} was already entered", policy_name(m, p))));
            }
            Step::Exhausted => {
                exhausted = true;
                let reason = r.reason.as_deref().unwrap_or("nobody left to page");
                lines.push(Line::new(at, r.t, format!("exhausted: {reason}; nobody is left to page")));
            }
            Step::AutoResolved => {
                let d = m.org.auto_resolve.map(fmt_dur).unwrap_or_default();
                lines.push(Line::new(at, r.t, format!("auto-resolved (org auto-resolve {d})")));
            }
            Step::OpenAtEnd => {
                if exhausted {
                    continue;
                }
                let routed = records.iter().any(|x| x.step == Step::Routed);
                let terminal = current.and_then(|(p, ti)| tier_of(m, p, ti)).is_some_and(|t| t.is_terminal());
                if !routed {
                    // nothing escalates an unrouted incident
                    continue;
                }
                let head = if let (true, Some((p, ti))) = (terminal, current) {
                    format!("still waiting at terminal tier {} for an acknowledgement; shown until the horizon ({horizon_text})", tier_label(m, p, ti))
                } else {
                    format!("still escalating at the horizon ({horizon_text}); later steps are not shown")
                };
                lines.push(Line::new(at, r.t, head));
            }
            Step::UnresolvedJump => {
                let (p, ti) = rec_tier.unwrap_or((u32::MAX, u32::MAX));
                let mut l = Line::new(at, r.t, format!("unresolved jump to {}", tier_label(m, p, ti)));
                l.tier = Some((p, ti));
                lines.push(l);
            }
            Step::Acknowledged | Step::LostResponder | Step::Resolved | Step::Renotified | Step::EngineAdjusted => {
                let mut head = r.step.as_str().to_string();
                if let Some(x) = &r.reason {
                    head.push_str(&format!(": {x}"));
                }
                lines.push(Line::new(at, r.t, head));
            }
        }
    }
    for run in runs {
        lines.push(renotify_line(m, at, run));
    }
    lines
}

fn renotify_line(m: &Model, at: Instant, run: &Renotifications) -> Line {
    let every = tier_of(m, run.policy, run.tier).and_then(|t| t.renotify.as_ref()).map(|d| fmt_dur(d.value)).unwrap_or_else(|| "?".into());
    let times = if run.count == 1 { "1 time".to_string() } else { format!("{} times", run.count) };
    let span = if run.count > 1 { format!(", until +{}", fmt_dur(run.last - at)) } else { String::new() };
    let mut l = Line::new(at, run.first, format!("renotify {} (round {}) every {every}: {times}{span}", tier_label(m, run.policy, run.tier), run.round));
    for &(p, ch, n) in &run.people {
        let plural = if n == 1 { "page" } else { "pages" };
        l.children.push(format!("page {} via {}: renotify, {n} {plural}", person_name(m, p), channel_list(ch)));
    }
    l
}

/// Who the targets of a tier reach at `t`, and why some reach nobody or
/// leave someone out: (people reached, notes).
fn target_notes(m: &Model, tier: &Tier, t: Instant) -> (Vec<usize>, Vec<String>) {
    let mut reached: Vec<usize> = Vec::new();
    let mut notes = Vec::new();
    for n in &tier.notify {
        for tg in &n.targets {
            let (people, empty) = candidates(m, tg, t);
            let what = format!("{} {}", tg.kind.as_str(), tg.name.name);
            if let Some(why) = empty {
                notes.push(format!("{what}: {why}"));
                continue;
            }
            let (ok, unreachable): (Vec<usize>, Vec<usize>) = people.into_iter().partition(|&p| m.reachable(&m.persons[p], &n.via));
            for p in ok {
                if !reached.contains(&p) {
                    reached.push(p);
                }
            }
            if !unreachable.is_empty() {
                let names: Vec<&str> = unreachable.iter().map(|&p| m.persons[p].name.name.as_str()).collect();
                let verb = if names.len() == 1 { "has" } else { "have" };
                let lacks = if n.via.is_empty() {
                    "no contact method".to_string()
                } else {
                    let via: Vec<&str> = n.via.iter().map(|c| c.value.as_str()).collect();
                    format!("no {}", via.join(" or "))
                };
                notes.push(format!("{what}: {} {verb} {lacks}", names.join(", ")));
            }
        }
    }
    (reached, notes)
}

/// The people a target names at `t`, or why it names nobody.
fn candidates(m: &Model, tg: &Target, t: Instant) -> (Vec<usize>, Option<String>) {
    match tg.kind {
        TargetKind::Person => match m.ns_person.get(&tg.name.name) {
            Some(p) => (vec![p], None),
            None => (vec![], Some("not declared".into())),
        },
        TargetKind::Team => match m.team(&tg.name.name) {
            Some(team) if team.members.is_empty() => (vec![], Some("the team has no members".into())),
            Some(team) => (team.members.iter().filter_map(|x| m.ns_person.get(&x.name)).collect(), None),
            None => (vec![], Some("not declared".into())),
        },
        TargetKind::Lead => match m.team(&tg.name.name).map(|team| team.lead.as_ref()) {
            Some(Some(l)) => (m.ns_person.get(&l.name).into_iter().collect(), None),
            Some(None) => (vec![], Some("the team has no lead".into())),
            None => (vec![], Some("not declared".into())),
        },
        TargetKind::Schedule => {
            let Some(s) = m.schedule(&tg.name.name) else { return (vec![], Some("not declared".into())) };
            let who = schedule_segments(m, s, t, t + 1).first().map(|x| x.who).unwrap_or(Who::Nobody);
            match who {
                Who::Person(p) => (vec![p], None),
                Who::NobodyOverride => (vec![], Some("nobody on call (override nobody)".into())),
                Who::Nobody => (vec![], Some("nobody on call (a gap in the schedule)".into())),
            }
        }
    }
}

/// `pages: 6 to 2 people: ben 4, cleo 2`
fn page_summary(m: &Model, collect: &Collect) -> String {
    let mut by: BTreeMap<&str, u64> = BTreeMap::new();
    for r in collect.records.iter().filter(|r| r.step == Step::Paged) {
        *by.entry(r.person.map(|p| person_name(m, p)).unwrap_or("?")).or_default() += 1;
    }
    for run in &collect.renotified {
        for &(p, _, n) in &run.people {
            *by.entry(person_name(m, p)).or_default() += n;
        }
    }
    let total: u64 = by.values().sum();
    if total == 0 {
        return "pages: none\n".into();
    }
    let people = if by.len() == 1 { "1 person".to_string() } else { format!("{} people", by.len()) };
    let list: Vec<String> = by.iter().map(|(k, v)| format!("{k} {v}")).collect();
    format!("pages: {total} to {people}: {}\n", list.join(", "))
}

/// Rules that act only on an acknowledged incident.
fn notes(m: &Model, records: &[TraceRecord]) -> Vec<String> {
    let mut entered: Vec<u32> = Vec::new();
    for r in records {
        if let (Step::TierEntered | Step::TierSkipped, Some(p)) = (r.step, r.policy) {
            if !entered.contains(&p) {
                entered.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for p in entered {
        let Some(pol) = m.policies.get(p as usize) else { continue };
        if let Some(u) = &pol.unresolved {
            out.push(format!(
                "{}: `unresolved after {} escalate to {}` acts only on an acknowledged incident, so it never fires here",
                pol.name.name,
                fmt_dur(u.after.value),
                u.tier.name
            ));
        }
    }
    out
}
