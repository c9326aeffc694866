//! `escalade drill` (SPEC §3.9): every `drill` block is a scripted
//! incident run through the engine, its expectations judged on the trace.
//!
//! - Events: the alerts at `at` (+ `after`), named `A1`, `A2`, … in file
//!   order, and `resolve after D` (resolves every incident open then),
//!   sorted by instant, ties in file order.
//! - Responders: only the drill's `responder` lines (the last line for a
//!   person wins); nobody else acknowledges.
//! - Span: `at` … `at` + org `auto-resolve` (24h when unset), end inclusive.
//! - "The first alert" is the first `alert` line without `after` (the
//!   earliest alert when every line has one). Incident expectations concern
//!   the incident it opened or folded into; `deduplicated N` counts the
//!   alerts folded into that incident. Person expectations count the pages
//!   of every incident of the drill.
//! - `within D` is inclusive and measured from `at`.

use crate::model::Model;
use crate::sim::engine::{channels_of, fmt_dur, CauseKind, Compiled, Engine, EngineKind, FixedResponders, Options, Step, TraceRecord};
use crate::sim::event::{AlertEvent, Event, EventKind, Instant};
use crate::source::{SourceMap, Span};
use crate::syntax::ast::{Channel, Drill, Expect, ResponderBehaviour, TierRef};
use crate::time::datetime_instant;
use crate::workspace::Workspace;

const DAY: i64 = 86_400;

/// A failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// the expectation as written (`expect not paged erin`)
    pub expect: String,
    /// the fact that contradicts it
    pub actual: String,
    /// 1-based line of the expectation in its file
    pub line: usize,
}

/// The outcome of one drill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillResult {
    pub name: String,
    /// display path of the file declaring the drill
    pub file: String,
    pub line: usize,
    pub passed: bool,
    pub failures: Vec<Failure>,
}

/// Run the drills whose name contains `filter` (all without one), in
/// workspace order.
pub fn run_all(ws: &Workspace, engine: EngineKind, filter: Option<&str>) -> Vec<DrillResult> {
    let c = Compiled::new(&ws.model, engine);
    ws.model
        .drills
        .iter()
        .filter(|d| filter.is_none_or(|f| d.name.value.contains(f)))
        .map(|d| run_drill(&c, &ws.sources, d))
        .collect()
}

enum Input {
    /// boxed as the engine takes it (an alert is far larger than the
    /// other input)
    Alert(Box<AlertEvent>),
    ResolveAll,
}

/// The drill's events, sorted by instant (ties in file order), and the id
/// of its first alert.
fn script(d: &Drill, at: Instant) -> (Vec<(Instant, u32, Input)>, Option<String>) {
    let mut inputs: Vec<(Instant, u32, Input)> = Vec::new();
    for (i, a) in d.alerts.iter().enumerate() {
        let labels: crate::sim::event::Labels = a.labels.iter().map(|l| (l.key.value.clone(), l.value.value.clone())).collect();
        let ev = AlertEvent {
            id: format!("A{}", i + 1),
            service: a.service.as_ref().map(|s| s.value.clone()).unwrap_or_default(),
            severity: a.severity.as_ref().map(|s| s.value.clone()),
            summary: a.summary.as_ref().map(|s| s.value.clone()),
            source: a.source.as_ref().map(|s| s.value.clone()),
            labels,
            fingerprint: a.fingerprint.as_ref().map(|s| s.value.clone()),
        };
        let t = at.saturating_add(a.after.as_ref().map_or(0, |x| x.value));
        inputs.push((t, a.span.start, Input::Alert(Box::new(ev))));
    }
    if let Some(r) = &d.resolve_after {
        inputs.push((at.saturating_add(r.value), r.span.start, Input::ResolveAll));
    }
    let first = match d.alerts.iter().position(|a| a.after.is_none()) {
        Some(i) => Some(i),
        None => d.alerts.iter().enumerate().min_by_key(|(_, a)| (a.after.as_ref().map_or(0, |x| x.value), a.span.start)).map(|(i, _)| i),
    };
    inputs.sort_by_key(|(t, pos, _)| (*t, *pos));
    (inputs, first.map(|i| format!("A{}", i + 1)))
}

/// The trace of a drill run from `at` to `end`, and the id of its first
/// alert.
pub fn trace(c: &Compiled<'_>, d: &Drill, at: Instant, end: Instant) -> (Vec<TraceRecord>, Option<String>) {
    let m = c.m;
    let mut responders = FixedResponders::default();
    for r in &d.responders {
        if let Some(p) = m.ns_person.get(&r.person.name) {
            let delay = match r.behaviour {
                ResponderBehaviour::Never => None,
                ResponderBehaviour::AcksAfter(x) => Some(x),
            };
            responders.by_person.insert(p, delay);
        }
    }
    let (inputs, first) = script(d, at);
    let mut engine = Engine::new(c, Options { until: Some(end) }, responders, Vec::<TraceRecord>::new());
    for (seq, (t, _, input)) in inputs.into_iter().enumerate() {
        match input {
            Input::Alert(a) => {
                let ev = Event { at: t, kind: EventKind::Alert(a), line: 0, seq: seq as u64 };
                let _ = engine.feed(&ev);
            }
            Input::ResolveAll => engine.resolve_all(t),
        }
    }
    engine.finish(end);
    let (_, records, _) = engine.into_parts();
    (records, first)
}

/// The instants a drill runs between: `at` and `at` + org `auto-resolve`
/// (24h when unset).
pub fn span(m: &Model, d: &Drill) -> Option<(Instant, Instant)> {
    let at = datetime_instant(m.org.tz, &d.at.as_ref()?.value);
    Some((at, at.saturating_add(m.org.auto_resolve.unwrap_or(DAY))))
}

/// Run one drill.
pub fn run_drill(c: &Compiled<'_>, sources: &SourceMap, d: &Drill) -> DrillResult {
    let m = c.m;
    let (file, line) = position(sources, d.name.span);
    let mut result = DrillResult { name: d.name.value.clone(), file, line, passed: true, failures: Vec::new() };
    let Some((at, end)) = span(m, d) else {
        // a drill without `at` is E0102, which stops `drill` before this;
        // kept for library callers
        result.passed = false;
        result.failures.push(Failure { expect: "at".into(), actual: "the drill has no `at`".into(), line });
        return result;
    };
    let (records, first) = trace(c, d, at, end);
    let facts = Facts::new(m, at, end, &records, first.as_deref());
    for e in &d.expects {
        if let Err(actual) = facts.judge(&e.value) {
            let (_, line) = position(sources, e.span);
            result.failures.push(Failure { expect: expect_text(sources, e.span), actual, line });
        }
    }
    result.passed = result.failures.is_empty();
    result
}

fn position(sources: &SourceMap, span: Span) -> (String, usize) {
    match sources.files.get(span.file as usize) {
        Some(f) => (f.path.clone(), f.line_col(span.start as usize).line),
        None => (String::new(), 0),
    }
}

/// The expectation as written: a trailing comment removed, whitespace runs
/// collapsed.
fn expect_text(sources: &SourceMap, span: Span) -> String {
    let text = sources.files.get(span.file as usize).map(|f| f.slice(span)).unwrap_or("");
    strip_comment(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text before the first `#` outside a string (SPEC §2 comments).
pub(crate) fn strip_comment(text: &str) -> &str {
    let mut in_string = false;
    let mut escaped = false;
    for (i, ch) in text.char_indices() {
        if in_string {
            if escaped {
                escaped = false;
            } else if ch == '\\' {
                escaped = true;
            } else if ch == '"' {
                in_string = false;
            }
        } else if ch == '"' {
            in_string = true;
        } else if ch == '#' {
            return &text[..i];
        }
    }
    text
}

// ---------------------------------------------------------------------------
// Judging

/// What happened to the first alert.
enum First {
    /// it opened, or folded into, the incident with this sequence
    Incident(u64),
    /// suppressed: index of the `suppressed` record
    Suppressed(usize),
    /// never processed (after the span)
    Missing,
}

struct Facts<'a> {
    m: &'a Model,
    at: Instant,
    end: Instant,
    recs: &'a [TraceRecord],
    first: First,
    /// the first alert folded into this incident (its id)
    folded_into: Option<String>,
}

type Judged = Result<(), String>;

impl<'a> Facts<'a> {
    fn new(m: &'a Model, at: Instant, end: Instant, recs: &'a [TraceRecord], first_alert: Option<&str>) -> Facts<'a> {
        let mut first = First::Missing;
        let mut folded_into = None;
        if let Some(id) = first_alert {
            for (i, r) in recs.iter().enumerate() {
                if r.alert.as_deref() != Some(id) {
                    continue;
                }
                match r.step {
                    Step::Opened | Step::Folded => {
                        first = First::Incident(r.seq);
                        if r.step == Step::Folded {
                            folded_into = Some(r.incident.to_string());
                        }
                        break;
                    }
                    Step::Suppressed => {
                        first = First::Suppressed(i);
                        break;
                    }
                    _ => {}
                }
            }
        }
        Facts { m, at, end, recs, first, folded_into }
    }

    fn off(&self, t: Instant) -> String {
        format!("+{}", fmt_dur(t - self.at))
    }

    fn person(&self, p: Option<u32>) -> &'a str {
        p.and_then(|p| self.m.persons.get(p as usize)).map(|x| x.name.name.as_str()).unwrap_or("?")
    }

    fn route(&self, r: u32) -> &'a str {
        self.m.routes.get(r as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
    }

    fn policy(&self, p: u32) -> &'a str {
        self.m.policies.get(p as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
    }

    fn seq(&self) -> Option<u64> {
        match self.first {
            First::Incident(s) => Some(s),
            _ => None,
        }
    }

    fn incident(&self) -> impl Iterator<Item = &'a TraceRecord> + '_ {
        let seq = self.seq();
        self.recs.iter().filter(move |r| seq.is_some_and(|s| r.seq == s))
    }

    fn find(&self, step: Step) -> Option<&'a TraceRecord> {
        self.incident().find(|r| r.step == step)
    }

    /// Why there is no incident to judge.
    fn no_incident(&self) -> String {
        match self.first {
            First::Suppressed(i) => match self.recs.get(i).and_then(|r| r.route) {
                Some(r) => format!("the alert was suppressed by route {}; there is no incident", self.route(r)),
                None => "the alert was suppressed; there is no incident".into(),
            },
            First::Missing => "the first alert was not processed within the drill's span; there is no incident".into(),
            First::Incident(_) => String::new(),
        }
    }

    fn need_incident(&self) -> Judged {
        match self.first {
            First::Incident(_) => Ok(()),
            _ => Err(self.no_incident()),
        }
    }

    /// How the incident's escalation stopped, if it did.
    fn fate(&self) -> String {
        for r in self.incident() {
            match r.step {
                Step::Acknowledged => return self.ack_text(r),
                Step::Exhausted => return format!("exhausted at {}", self.off(r.t)),
                Step::Resolved => return format!("resolved at {}", self.off(r.t)),
                Step::AutoResolved => return format!("auto-resolved at {}", self.off(r.t)),
                Step::OpenAtEnd => return format!("still open at the end of the drill ({})", self.off(self.end)),
                _ => {}
            }
        }
        "no further step".into()
    }

    fn ack_text(&self, r: &TraceRecord) -> String {
        match r.person {
            Some(p) => format!("acknowledged by {} at {}", self.person(Some(p)), self.off(r.t)),
            None => format!("acknowledged at {}", self.off(r.t)),
        }
    }

    /// How the incident was routed.
    fn routing(&self) -> String {
        if let Some(r) = self.find(Step::Routed) {
            let p = r.policy.map(|p| self.policy(p)).unwrap_or("?");
            let mut s = match r.route {
                Some(route) => format!("routed to policy {p} by route {}", self.route(route)),
                None => format!("routed to policy {p} (the service's default)"),
            };
            let handoffs: Vec<&str> = self.incident().filter(|x| x.step == Step::Handoff).filter_map(|x| x.policy).map(|p| self.policy(p)).collect();
            if !handoffs.is_empty() {
                s.push_str(&format!(", then handed off to {}", handoffs.join(", ")));
            }
            return s;
        }
        if let Some(r) = self.find(Step::Unrouted) {
            return format!("the incident was unrouted ({})", r.reason.as_deref().unwrap_or("no policy"));
        }
        self.no_incident()
    }

    fn page_text(&self, r: &TraceRecord, with_channels: bool) -> String {
        let mut s = format!("paged {} at {}", self.person(r.person), self.off(r.t));
        if let Some(c) = r.causes.first() {
            s.push_str(&format!(" via {}", c.target.describe(self.m)));
            match c.kind {
                CauseKind::Tier => {}
                CauseKind::Renotify => s.push_str(" (renotification)"),
                CauseKind::Also => s.push_str(&format!(" (also of route {})", c.route.map(|x| self.route(x)).unwrap_or("?"))),
                CauseKind::Unresolved => s.push_str(" (unresolved jump)"),
            }
        }
        if with_channels {
            let ch: Vec<&str> = channels_of(r.channels).map(Channel::as_str).collect();
            s.push_str(&format!(" on {}", ch.join(", ")));
        }
        s
    }

    fn within(&self, t: Instant, d: Option<i64>) -> bool {
        d.is_none_or(|d| t - self.at <= d)
    }

    fn pages_of(&self, person: &str) -> Vec<&'a TraceRecord> {
        let p = self.m.ns_person.get(person).map(|x| x as u32);
        self.recs.iter().filter(|r| r.step == Step::Paged && p.is_some() && r.person == p).collect()
    }

    fn judge(&self, e: &Expect) -> Judged {
        match e {
            Expect::Route(r) => self.route_matched(&r.name),
            Expect::Policy(p) => self.policy_entered(&p.name),
            Expect::Tier { tier, within } => self.tier(tier, *within, false),
            Expect::Skipped(tier) => self.tier(tier, None, true),
            Expect::Paged { person, via, within } => self.paged(&person.name, *via, *within),
            Expect::NotPaged(person) => match self.pages_of(&person.name).first() {
                None => Ok(()),
                Some(r) => Err(self.page_text(r, false)),
            },
            Expect::Pages { person, count } => {
                let pages = self.pages_of(&person.name);
                if pages.len() as u64 == *count {
                    return Ok(());
                }
                if pages.is_empty() {
                    return Err(format!("{} was never paged", person.name));
                }
                let times: Vec<String> = pages.iter().map(|r| self.off(r.t)).collect();
                let n = pages.len();
                Err(format!("{} was paged {n} time{}: {}", person.name, if n == 1 { "" } else { "s" }, times.join(", ")))
            }
            Expect::Acked { by, within } => {
                self.need_incident()?;
                let Some(r) = self.find(Step::Acknowledged) else {
                    return Err(format!("the incident was never acknowledged ({})", self.fate()));
                };
                let by_ok = by.as_ref().is_none_or(|b| r.person.is_some() && self.person(r.person) == b.name);
                if by_ok && self.within(r.t, *within) {
                    Ok(())
                } else {
                    Err(self.ack_text(r))
                }
            }
            Expect::NotAcked => match self.find(Step::Acknowledged) {
                None => Ok(()),
                Some(r) => Err(self.ack_text(r)),
            },
            Expect::Escalated { within } => {
                self.need_incident()?;
                let Some(r) = self.incident().find(|r| r.step == Step::Paged && r.escalation) else {
                    return Err(format!("no escalation page ({})", self.fate()));
                };
                if self.within(r.t, *within) {
                    Ok(())
                } else {
                    Err(format!("first escalation page: {}", self.page_text(r, false)))
                }
            }
            Expect::Exhausted => {
                self.need_incident()?;
                match self.find(Step::Exhausted) {
                    Some(_) => Ok(()),
                    None => Err(format!("the incident was never exhausted ({})", self.fate())),
                }
            }
            Expect::Suppressed => match self.first {
                First::Suppressed(_) => Ok(()),
                First::Missing => Err(self.no_incident()),
                First::Incident(_) => Err(self.first_alert_text()),
            },
            Expect::Unrouted => {
                self.need_incident()?;
                match self.find(Step::Unrouted) {
                    Some(_) => Ok(()),
                    None => Err(self.routing()),
                }
            }
            Expect::Deduplicated(n) => {
                self.need_incident()?;
                let k = self.incident().filter(|r| r.step == Step::Folded).count() as u64;
                if k == *n {
                    Ok(())
                } else if k == 0 {
                    Err("no alert was folded into the incident".into())
                } else {
                    Err(format!("{k} alert{} folded into the incident", if k == 1 { " was" } else { "s were" }))
                }
            }
            Expect::Checkpoint(text) => self.side_effect(Step::Checkpoint, text, "checkpoint"),
            Expect::Channel(name) => self.side_effect(Step::ChannelOpened, name, "channel"),
        }
    }

    /// For `suppressed`: what happened to the first alert instead.
    fn first_alert_text(&self) -> String {
        match &self.folded_into {
            Some(id) => format!("the alert was folded into incident {id}"),
            None => format!("the alert was not suppressed: {}", self.routing()),
        }
    }

    fn route_matched(&self, name: &str) -> Judged {
        let Some(ri) = self.m.ns_route.get(name).map(|x| x as u32) else {
            return Err(format!("no route is named {name}"));
        };
        let rec = match self.first {
            First::Incident(_) => self.find(Step::Opened),
            First::Suppressed(i) => self.recs.get(i),
            First::Missing => return Err(self.no_incident()),
        };
        let matched: &[u32] = rec.map(|r| &*r.matched).unwrap_or(&[]);
        if matched.contains(&ri) {
            return Ok(());
        }
        if matched.is_empty() {
            return Err("no route matched".into());
        }
        let names: Vec<&str> = matched.iter().map(|&r| self.route(r)).collect();
        Err(format!("routes matched: {}", names.join(", ")))
    }

    fn policy_entered(&self, name: &str) -> Judged {
        self.need_incident()?;
        let Some(pi) = self.m.ns_policy.get(name).map(|x| x as u32) else {
            return Err(format!("no policy is named {name}"));
        };
        let routed = self.find(Step::Routed).and_then(|r| r.policy) == Some(pi);
        let handoff = self.incident().any(|r| r.step == Step::Handoff && r.policy == Some(pi));
        if routed || handoff {
            Ok(())
        } else {
            Err(self.routing())
        }
    }

    fn tier(&self, tref: &TierRef, within: Option<i64>, skipped_only: bool) -> Judged {
        self.need_incident()?;
        let policy = match &tref.policy {
            Some(p) => match self.m.ns_policy.get(&p.name) {
                Some(i) => i as u32,
                None => return Err(format!("no policy is named {}", p.name)),
            },
            None => match self.find(Step::Routed).and_then(|r| r.policy) {
                Some(p) => p,
                None => return Err(self.routing()),
            },
        };
        let shown = match &tref.policy {
            Some(p) => format!("{}.{}", p.name, tref.tier.name),
            None => tref.tier.name.clone(),
        };
        let Some(pol) = self.m.policies.get(policy as usize) else { return Err(format!("no policy {shown}")) };
        let Some((ti, _)) = self.m.tier(pol, &tref.tier.name) else {
            return Err(format!("policy {} has no tier {}", pol.name.name, tref.tier.name));
        };
        let ti = ti as u32;
        let mut entries = self.incident().filter(|r| matches!(r.step, Step::TierEntered | Step::TierSkipped) && r.policy == Some(policy) && r.tier == Some(ti));
        if skipped_only {
            let all: Vec<&TraceRecord> = entries.collect();
            if all.iter().any(|r| r.step == Step::TierSkipped) {
                return Ok(());
            }
            return match all.first() {
                Some(r) => Err(format!("tier {shown} was entered at {} and not skipped", self.off(r.t))),
                None => Err(format!("tier {shown} was never entered ({})", self.fate())),
            };
        }
        match entries.next() {
            Some(r) if self.within(r.t, within) => Ok(()),
            Some(r) => Err(format!("tier {shown} was first entered at {}", self.off(r.t))),
            None => Err(format!("tier {shown} was never entered ({})", self.fate())),
        }
    }

    fn paged(&self, person: &str, via: Option<Channel>, within: Option<i64>) -> Judged {
        let pages = self.pages_of(person);
        let Some(first) = pages.first() else {
            return Err(format!("{person} was never paged"));
        };
        let on_channel = |r: &&TraceRecord| via.is_none_or(|c| r.channels & crate::sim::engine::channel_bit(c) != 0);
        let Some(hit) = pages.iter().copied().find(on_channel) else {
            return Err(self.page_text(first, true));
        };
        if self.within(hit.t, within) {
            Ok(())
        } else {
            Err(self.page_text(hit, via.is_some()))
        }
    }

    fn side_effect(&self, step: Step, text: &str, what: &str) -> Judged {
        self.need_incident()?;
        let mut seen: Vec<&str> = Vec::new();
        for r in self.incident().filter(|r| r.step == step) {
            let Some(x) = r.item_text(self.m) else { continue };
            if x == text {
                return Ok(());
            }
            if !seen.contains(&x) {
                seen.push(x);
            }
        }
        if seen.is_empty() {
            return Err(match step {
                Step::Checkpoint => "no checkpoint was recorded".into(),
                _ => "no channel was opened".into(),
            });
        }
        let list: Vec<String> = seen.iter().map(|s| format!("\"{}\"", escape_str(s))).collect();
        Err(match step {
            Step::Checkpoint => format!("{what}s recorded: {}", list.join(", ")),
            _ => format!("{what}s opened: {}", list.join(", ")),
        })
    }
}

fn escape_str(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

// ---------------------------------------------------------------------------
// Output

pub fn counts(results: &[DrillResult]) -> (usize, usize) {
    let passed = results.iter().filter(|r| r.passed).count();
    (passed, results.len() - passed)
}

/// One line per drill, failed expectations indented below it, then
/// `N passed, M failed`.
pub fn human(results: &[DrillResult]) -> String {
    let mut out = String::new();
    for r in results {
        out.push_str(if r.passed { "PASS " } else { "FAIL " });
        out.push_str(&r.name);
        out.push('\n');
        for f in &r.failures {
            out.push_str(&format!("  line {}: {} — actual: {}\n", f.line, f.expect, f.actual));
        }
    }
    let (p, f) = counts(results);
    out.push_str(&format!("{p} passed, {f} failed\n"));
    out
}

/// `{"version": 1, "drills": [{"name", "passed", "failures": [{"expect",
/// "actual", "line"}]}], "passed": n, "failed": m}`
pub fn json(results: &[DrillResult]) -> String {
    let drills: Vec<serde_json::Value> = results
        .iter()
        .map(|r| {
            serde_json::json!({
                "name": r.name,
                "passed": r.passed,
                "failures": r.failures.iter().map(|f| serde_json::json!({
                    "expect": f.expect,
                    "actual": f.actual,
                    "line": f.line,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let (p, f) = counts(results);
    let v = serde_json::json!({ "version": 1, "drills": drills, "passed": p, "failed": f });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_else(|_| "{}".into());
    s.push('\n');
    s
}

/// XML text: markup characters escaped, characters XML 1.0 forbids
/// replaced by U+FFFD.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// A JUnit XML report: one test case per drill, its file as class name.
pub fn junit(results: &[DrillResult]) -> String {
    let (_, failed) = counts(results);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!("<testsuites name=\"escalade drill\" tests=\"{}\" failures=\"{failed}\" errors=\"0\">\n", results.len()));
    out.push_str(&format!(
        "  <testsuite name=\"escalade drill\" tests=\"{}\" failures=\"{failed}\" errors=\"0\" skipped=\"0\" time=\"0\">\n",
        results.len()
    ));
    for r in results {
        out.push_str(&format!(
            "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\" time=\"0\"",
            xml_escape(&r.name),
            xml_escape(&r.file),
            xml_escape(&r.file),
            r.line
        ));
        if r.passed {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        let n = r.failures.len();
        let message = format!("{n} expectation{} failed", if n == 1 { "" } else { "s" });
        let body: Vec<String> = r.failures.iter().map(|f| format!("{}:{}: {} — actual: {}", r.file, f.line, f.expect, f.actual)).collect();
        out.push_str(&format!(
            "      <failure message=\"{}\" type=\"expectation\">{}</failure>\n",
            xml_escape(&message),
            xml_escape(&body.join("\n"))
        ));
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::load_texts;
    use std::path::PathBuf;

    fn ws(src: &str) -> Workspace {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "model errors: {:#?}", ws.findings);
        ws
    }

    const BASE: &str = r#"
person ann { email "ann@x" sms "+1" }
person bob { phone "+2" }
person cat { chat "@cat" }
team ops { members ann, bob }
policy main {
  tier first { notify person ann  renotify every 2m  escalate after 5m }
  tier second { notify team ops via phone  checkpoint "call the customer"  escalate after 10m }
}
service api { owner ops policy main }
"#;

    fn run(drill: &str) -> DrillResult {
        let w = ws(&format!("{BASE}\n{drill}"));
        let mut r = run_all(&w, EngineKind::Default, None);
        assert_eq!(r.len(), 1);
        r.remove(0)
    }

    #[test]
    fn passing_drill() {
        let r = run(r#"drill "d" {
  at 2026-07-04 03:00
  alert service api severity sev1
  responder bob acks after 1m
  expect policy main
  expect paged ann within 0s
  expect pages ann 3
  expect tier second within 5m
  expect paged bob via phone within 5m
  expect acked by bob within 6m
  expect escalated within 5m
  expect checkpoint "call the customer"
  expect not paged cat
}"#);
        assert!(r.passed, "{:#?}", r.failures);
    }

    #[test]
    fn failures_name_the_fact() {
        let r = run(r##"drill "d" {
  at 2026-07-04 03:00
  alert service api severity sev1
  responder bob acks after 1m
  expect not paged ann
  expect pages ann 2
  expect tier second within 4m59s
  expect paged bob via email
  expect acked by ann
  expect exhausted
  expect channel "#war-room"
  expect checkpoint "nope"
  expect unrouted
  expect suppressed
  expect deduplicated 1
}"##);
        let got: Vec<(usize, &str, &str)> = r.failures.iter().map(|f| (f.line, f.expect.as_str(), f.actual.as_str())).collect();
        assert_eq!(
            got,
            vec![
                (16, "expect not paged ann", "paged ann at +0s via person ann"),
                (17, "expect pages ann 2", "ann was paged 3 times: +0s, +2m, +4m"),
                (18, "expect tier second within 4m59s", "tier second was first entered at +5m"),
                (19, "expect paged bob via email", "paged bob at +5m via team ops on phone"),
                (20, "expect acked by ann", "acknowledged by bob at +6m"),
                (21, "expect exhausted", "the incident was never exhausted (acknowledged by bob at +6m)"),
                (22, "expect channel \"#war-room\"", "no channel was opened"),
                (23, "expect checkpoint \"nope\"", "checkpoints recorded: \"call the customer\""),
                (24, "expect unrouted", "routed to policy main (the service's default)"),
                (25, "expect suppressed", "the alert was not suppressed: routed to policy main (the service's default)"),
                (26, "expect deduplicated 1", "no alert was folded into the incident"),
            ]
        );
    }


    #[test]
    fn comments_are_not_part_of_the_expectation() {
        assert_eq!(strip_comment(r##"expect channel "#a\"#b" # c "d""##), r##"expect channel "#a\"#b" "##);
        assert_eq!(strip_comment("expect exhausted"), "expect exhausted");
    }

    #[test]
    fn junit_and_json_escape() {
        let r = DrillResult {
            name: "a <b> & \"c\"\u{1}".into(),
            file: "d.esc".into(),
            line: 1,
            passed: false,
            failures: vec![Failure { expect: "expect checkpoint \"x<y\"".into(), actual: "no checkpoint was recorded".into(), line: 3 }],
        };
        let x = junit(std::slice::from_ref(&r));
        assert!(x.contains("name=\"a &lt;b&gt; &amp; &quot;c&quot;\u{FFFD}\""), "{x}");
        assert!(x.contains("expect checkpoint &quot;x&lt;y&quot;"), "{x}");
        let j: serde_json::Value = serde_json::from_str(&json(&[r])).unwrap();
        assert_eq!(j["failed"], 1);
        assert_eq!(j["drills"][0]["failures"][0]["line"], 3);
    }
}
