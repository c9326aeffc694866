//! `export --target pagerduty` and `pagerduty-terraform`: the mapping from
//! the model to PagerDuty's objects, shared by both targets.
//!
//! [`plan`] turns the model into a [`Plan`] — users, schedules, escalation
//! policies, services and the event orchestration, with cross-references
//! as [`Ref`]s — plus a W0900 finding for every construct PagerDuty cannot
//! express and every engine limit the workspace exceeds. [`rest`] writes
//! the plan as REST API v2 request bodies with `${kind.name}`
//! placeholders, [`terraform`] as one `main.tf`. Neither decides anything
//! about the mapping.
//!
//! Limits used here (ENGINES.md §1): at most 10 targets per escalation
//! rule, `num_loops` 0..9, `escalation_delay_in_minutes` whole minutes and
//! at least 1, layer turns of 1 hour to 365 days, at most 25 conditions per
//! orchestration rule.

pub mod rest;
pub mod terraform;

use crate::diag::Finding;
use crate::model::{Model, Severity};
use crate::source::Span;
use crate::syntax::ast::{
    Channel, CmpOp, Cond, DateTimeLit, Field, Layer, Notify, Policy, Route, RotationKind, SetAction, TargetKind, Tier, Value, WindowsOrHours,
};
use crate::time::{datetime_instant, resolve_local, Instant};
use chrono::{Offset, SecondsFormat, TimeZone};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// `num_loops` is 0..9 (the web UI's "maximum is 9 times", the Terraform
/// provider's validation).
pub const MAX_LOOPS: u32 = 9;
/// `targets` of an escalation rule: minItems 1, maxItems 10 (REST schema).
pub const MAX_TARGETS: usize = 10;
/// `escalation_delay_in_minutes` is at least 1 (Terraform provider).
pub const MIN_DELAY_MINUTES: i64 = 1;
/// `rotation_turn_length_seconds`: 1 hour to 365 days (Terraform provider).
pub const MIN_TURN_SECONDS: i64 = 3_600;
pub const MAX_TURN_SECONDS: i64 = 365 * 86_400;
/// Conditions per event-orchestration rule.
pub const MAX_CONDITIONS: usize = 25;
/// The delay given to a rule that never escalates (a terminal tier): any
/// value behaves the same, as nothing follows and the policy does not
/// loop; 30 minutes is PagerDuty's own default.
pub const TERMINAL_DELAY_MINUTES: i64 = 30;
/// PagerDuty's alert severities, most severe first.
pub const PD_SEVERITIES: [&str; 4] = ["critical", "error", "warning", "info"];

/// A cross-reference to another exported object, written `${kind.name}`
/// in REST bodies and as a resource attribute in Terraform.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ref {
    User(String),
    Schedule(String),
    EscalationPolicy(String),
    Service(String),
}

impl Ref {
    /// The REST placeholder.
    pub fn placeholder(&self) -> String {
        let (kind, name) = match self {
            Ref::User(n) => ("user", n),
            Ref::Schedule(n) => ("schedule", n),
            Ref::EscalationPolicy(n) => ("escalation_policy", n),
            Ref::Service(n) => ("service", n),
        };
        format!("${{{kind}.{name}}}")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// the person (and the placeholder's name)
    pub person: String,
    pub email: String,
    pub name: String,
    pub time_zone: String,
}

/// A weekly (`day` 1 = Monday … 7) or daily (`day` None) restriction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Restriction {
    pub day: Option<u8>,
    /// `HH:MM:SS`
    pub start: String,
    pub duration_seconds: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleLayer {
    pub name: String,
    /// RFC 3339 in the schedule's zone
    pub start: String,
    pub end: Option<String>,
    pub rotation_virtual_start: String,
    pub turn_seconds: i64,
    /// persons, in rotation order
    pub users: Vec<String>,
    pub restrictions: Vec<Restriction>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub name: String,
    pub time_zone: String,
    pub description: String,
    /// written order: the last layer takes precedence
    pub layers: Vec<ScheduleLayer>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub delay_minutes: i64,
    /// `Ref::User` or `Ref::Schedule`
    pub targets: Vec<Ref>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationPolicy {
    pub name: String,
    pub description: String,
    pub num_loops: u32,
    pub rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: String,
    pub description: String,
    pub policy: Option<String>,
    /// seconds; None disables
    pub auto_resolve_seconds: Option<i64>,
}

/// The actions of one orchestration rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Actions {
    /// id of the set evaluated next (`continue`)
    pub route_to: Option<String>,
    pub suppress: bool,
    pub escalation_policy: Option<String>,
    pub severity: Option<&'static str>,
    /// (target path, template)
    pub extractions: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrchestrationRule {
    pub label: String,
    /// PCL expressions; the rule matches when any does; none = always
    pub conditions: Vec<String>,
    pub disabled: bool,
    pub actions: Actions,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSet {
    pub id: String,
    pub rules: Vec<OrchestrationRule>,
}

/// A router rule: events naming `service` go to its PagerDuty service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterRule {
    pub service: String,
    pub condition: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Orchestration {
    pub name: String,
    pub description: String,
    /// global orchestration sets, `start` first: our routes
    pub global: Vec<RuleSet>,
    /// router: one rule per service
    pub router: Vec<RouterRule>,
}

/// Everything both PagerDuty targets write, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// keyed by email
    pub users: BTreeMap<String, User>,
    pub schedules: Vec<Schedule>,
    pub policies: Vec<EscalationPolicy>,
    pub services: Vec<Service>,
    pub orchestration: Orchestration,
}

/// The PagerDuty severity of a declared severity: an alias naming one of
/// PagerDuty's values (any case) wins, else the position (1 → critical,
/// 2 → error, 3 → warning, 4 and beyond → info).
pub fn pd_severity(sev: &Severity, rank: usize) -> &'static str {
    for a in &sev.aliases {
        if let Some(v) = PD_SEVERITIES.iter().find(|v| a.eq_ignore_ascii_case(v)) {
            return v;
        }
    }
    PD_SEVERITIES[rank.min(PD_SEVERITIES.len() - 1)]
}

/// A finding of this target.
fn w0900(span: Span, message: String, help: &str) -> Finding {
    Finding::new("W0900", span, message).with_help(help.to_string())
}

fn join_spans(a: Span, b: Span) -> Span {
    if a.file == b.file {
        Span { file: a.file, start: a.start.min(b.start), end: a.end.max(b.end) }
    } else {
        a
    }
}

/// A duration as written in escalade (`1h30m`, `90s` → `1m30s`).
fn esc_duration(secs: i64) -> String {
    let mut out = String::new();
    let mut rest = secs;
    for (unit, len) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= len {
            out.push_str(&format!("{}{unit}", rest / len));
            rest %= len;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

/// Offset of `tz` from UTC at `t`, minutes.
fn offset_minutes(tz: Tz, t: Instant) -> i32 {
    tz.timestamp_opt(t, 0).single().map(|d| d.offset().fix().local_minus_utc() / 60).unwrap_or(0)
}

/// RFC 3339 in `tz`, whole seconds.
fn rfc3339(tz: Tz, t: Instant) -> String {
    tz.timestamp_opt(t, 0).single().map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, false)).unwrap_or_default()
}

fn email_of(p: &crate::syntax::ast::Person) -> Option<&str> {
    p.contacts.iter().find(|c| c.channel == Channel::Email).and_then(|c| c.address.as_deref())
}

/// The mapping state: which persons became users, and the findings.
struct Mapper<'m> {
    m: &'m Model,
    /// person → the person whose user they are (persons sharing an email
    /// become one user); absent: no user
    user_of: HashMap<&'m str, &'m str>,
    findings: Vec<Finding>,
    /// persons referenced by an exported layer or rule
    referenced: BTreeSet<&'m str>,
}

/// Map the model (sound: no model errors) to PagerDuty's objects.
pub fn plan(m: &Model) -> (Plan, Vec<Finding>) {
    let mut mp = Mapper { m, user_of: HashMap::new(), findings: Vec::new(), referenced: BTreeSet::new() };
    let users = mp.users();
    let mut schedules: Vec<Schedule> = m.schedules.iter().map(|s| mp.schedule(s)).collect();
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    let mut policies: Vec<EscalationPolicy> = (0..m.policies.len()).map(|i| mp.policy(i)).collect();
    policies.sort_by(|a, b| a.name.cmp(&b.name));
    let mut services: Vec<Service> = m.services.iter().map(|s| mp.service(s)).collect();
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let orchestration = mp.orchestration();
    mp.org_findings();
    mp.email_findings();
    let plan = Plan { users, schedules, policies, services, orchestration };
    (plan, mp.findings)
}

impl<'m> Mapper<'m> {
    fn w(&mut self, span: Span, message: String, help: &str) {
        self.findings.push(w0900(span, message, help));
    }

    fn users(&mut self) -> BTreeMap<String, User> {
        let m = self.m;
        let mut by_email: BTreeMap<String, User> = BTreeMap::new();
        for p in &m.persons {
            let Some(email) = email_of(p) else { continue };
            if let Some(first) = by_email.get(email) {
                let first = first.person.clone();
                let Some(&canon) = self.user_of.get(first.as_str()) else { continue };
                self.user_of.insert(&p.name.name, canon);
                self.w(
                    p.name.span,
                    format!("PagerDuty keys users by email; person `{}` shares \"{email}\" with `{first}`, so both are one PagerDuty user", p.name.name),
                    "give every person their own `email`",
                );
                continue;
            }
            self.user_of.insert(&p.name.name, &p.name.name);
            let tz = m.zone(&p.tz);
            let name = p.display_name.as_ref().map(|d| d.value.clone()).unwrap_or_else(|| p.name.name.clone());
            by_email.insert(
                email.to_string(),
                User { person: p.name.name.clone(), email: email.to_string(), name, time_zone: tz.name().to_string() },
            );
        }
        by_email
    }

    /// The user a person is exported as, noting the reference.
    fn user(&mut self, person: &'m str) -> Option<String> {
        self.referenced.insert(person);
        self.user_of.get(person).map(|u| u.to_string())
    }

    /// W0900 for referenced persons who can be paged but have no email.
    fn email_findings(&mut self) {
        let m = self.m;
        let missing: Vec<&crate::syntax::ast::Person> = self
            .referenced
            .iter()
            .filter_map(|n| m.person(n))
            .filter(|p| !p.contacts.is_empty() && email_of(p).is_none())
            .collect();
        for p in missing {
            self.w(
                p.name.span,
                format!("PagerDuty keys users by email, and person `{}` can be paged but has no `email`; they are left out of every layer and escalation rule", p.name.name),
                "add `email \"…\"` to the person (the address of their PagerDuty user)",
            );
        }
    }

    fn org_findings(&mut self) {
        let m = self.m;
        if let (Some(d), Some(span)) = (m.org.dedup, m.org.span) {
            self.w(
                span,
                format!(
                    "PagerDuty folds an event into an open alert with the same dedup_key for as long as that alert is open; `dedup within {}` has no equivalent window and is not exported",
                    esc_duration(d)
                ),
                "send the events with dedup_key = service + fingerprint; duplicates then fold while the alert is open, without a time limit",
            );
        }
    }

    // ---------------------------------------------------------------- schedules

    fn schedule(&mut self, s: &'m crate::syntax::ast::Schedule) -> Schedule {
        let m = self.m;
        let tz = m.zone(&s.tz);
        let mut layers = Vec::new();
        for l in &s.layers {
            if let Some(x) = self.layer(tz, l) {
                layers.push(x);
            }
        }
        for o in &s.overrides {
            let who = if o.is_nobody() { "nobody".to_string() } else { format!("`{}`", o.person.name) };
            self.w(
                o.span,
                format!("a PagerDuty schedule body has no overrides (they are created one by one, and Terraform has no resource for them); the override by {who} is not exported"),
                "create the override in PagerDuty (POST /schedules/{id}/overrides) once the schedule exists",
            );
        }
        Schedule {
            name: s.name.name.clone(),
            time_zone: tz.name().to_string(),
            description: format!("Managed by escalade: schedule {}", s.name.name),
            layers,
        }
    }

    /// A layer's instant as PagerDuty takes it: whole minutes.
    fn layer_time(&mut self, tz: Tz, d: &crate::syntax::ast::Spanned<DateTimeLit>) -> Instant {
        let t = datetime_instant(tz, &d.value);
        if t.rem_euclid(60) != 0 {
            self.w(
                d.span,
                "PagerDuty rejects schedule layer times that are not whole minutes; the seconds are dropped".to_string(),
                "write the time without seconds",
            );
        }
        t - t.rem_euclid(60)
    }

    fn layer(&mut self, tz: Tz, l: &'m Layer) -> Option<ScheduleLayer> {
        let users: Vec<String> = l.members.iter().filter_map(|x| self.user(&x.name)).collect();
        if users.is_empty() {
            return None;
        }
        let (from, until, turn) = match &l.rotation {
            Some(r) => {
                let turn = match r.kind {
                    RotationKind::Daily => 86_400,
                    RotationKind::Weekly => 7 * 86_400,
                    RotationKind::Every(d) => {
                        let c = d.clamp(MIN_TURN_SECONDS, MAX_TURN_SECONDS);
                        if c != d {
                            self.w(
                                r.span,
                                format!(
                                    "PagerDuty layer turns last 1 hour to 365 days (rotation_turn_length_seconds {MIN_TURN_SECONDS}..{MAX_TURN_SECONDS}); `every {}` is exported as {c} seconds",
                                    esc_duration(d)
                                ),
                                "use a turn between 1h and 365d",
                            );
                        }
                        c
                    }
                };
                (Some(&r.from), r.until.as_ref(), turn)
            }
            // one member: the turn length does not matter
            None => (l.from.as_ref(), l.until.as_ref(), 7 * 86_400),
        };
        let start = match from {
            Some(f) => self.layer_time(tz, f),
            None => default_layer_start(tz),
        };
        let end = until.map(|u| self.layer_time(tz, u));
        let restrictions = self.restrictions(tz, &l.only, start);
        Some(ScheduleLayer {
            name: l.name.name.clone(),
            start: rfc3339(tz, start),
            end: end.map(|e| rfc3339(tz, e)),
            rotation_virtual_start: rfc3339(tz, start),
            turn_seconds: turn,
            users,
            restrictions,
        })
    }

    /// `only` windows as restrictions in the schedule's zone. Windows of an
    /// `hours` in another zone are moved by the offset difference at
    /// `anchor` (the layer's start).
    fn restrictions(&mut self, tz: Tz, only: &[WindowsOrHours], anchor: Instant) -> Vec<Restriction> {
        let m = self.m;
        let mut occ: Vec<(u8, u16, u16)> = Vec::new(); // (day 0 = Monday, start minute, duration minutes)
        for w in only {
            let (windows, delta) = match w {
                WindowsOrHours::Windows(ws) => (ws.as_slice(), 0),
                WindowsOrHours::Hours(id) => {
                    let Some(h) = m.hours_named(&id.name) else { continue };
                    let htz = m.zone(&h.tz);
                    if !h.except.is_empty() {
                        let cals: Vec<&str> = h.except.iter().map(|c| c.name.as_str()).collect();
                        self.w(
                            id.span,
                            format!(
                                "PagerDuty restrictions repeat every week and cannot skip dates; the `except {}` of hours `{}` is not exported",
                                cals.join(", "),
                                id.name
                            ),
                            "cover the holidays with overrides in PagerDuty, or accept that the layer also covers them",
                        );
                    }
                    let delta = offset_minutes(tz, anchor) - offset_minutes(htz, anchor);
                    let half_year = anchor + 182 * 86_400;
                    let later = offset_minutes(tz, half_year) - offset_minutes(htz, half_year);
                    if htz != tz && later != delta {
                        self.w(
                            id.span,
                            format!(
                                "PagerDuty restrictions are in the schedule's time zone ({}); hours `{}` are in {}, whose offset from it changes during the year, so they are moved by {} minutes, the difference when the layer starts",
                                tz.name(),
                                id.name,
                                htz.name(),
                                delta
                            ),
                            "write the `only` windows in the schedule's zone, or give the schedule the zone of the hours",
                        );
                    }
                    (h.windows.as_slice(), delta)
                }
            };
            for win in windows {
                let dur = if win.end_min > win.start_min { win.end_min - win.start_min } else { win.end_min + 1440 - win.start_min };
                for (d, on) in win.days.iter().enumerate() {
                    if !on {
                        continue;
                    }
                    let s = i32::from(win.start_min) + delta;
                    let day = (d as i32 + s.div_euclid(1440)).rem_euclid(7) as u8;
                    occ.push((day, s.rem_euclid(1440) as u16, dur));
                }
            }
        }
        restrictions_of(&occ)
    }

    // ---------------------------------------------------------------- policies

    /// The targets of a tier: team targets expanded to members in member
    /// order, leads to the person, people who cannot be paged through the
    /// statement's `via` left out, duplicates removed.
    fn targets(&mut self, tier: &'m Tier) -> Vec<Ref> {
        let m = self.m;
        let mut out: Vec<Ref> = Vec::new();
        for n in &tier.notify {
            for t in &n.targets {
                let people: Vec<&'m str> = match t.kind {
                    TargetKind::Schedule => {
                        let r = Ref::Schedule(t.name.name.clone());
                        if !out.contains(&r) {
                            out.push(r);
                        }
                        continue;
                    }
                    TargetKind::Person => vec![t.name.name.as_str()],
                    TargetKind::Team => m.team(&t.name.name).map(|x| x.members.iter().map(|i| i.name.as_str()).collect()).unwrap_or_default(),
                    TargetKind::Lead => m.team(&t.name.name).and_then(|x| x.lead.as_ref()).map(|l| vec![l.name.as_str()]).unwrap_or_default(),
                };
                for p in people {
                    let Some(person) = m.person(p) else { continue };
                    if !m.reachable(person, &n.via) {
                        continue;
                    }
                    if let Some(u) = self.user(p) {
                        let r = Ref::User(u);
                        if !out.contains(&r) {
                            out.push(r);
                        }
                    }
                }
            }
        }
        out
    }

    /// W0900 for what a tier carries that an escalation rule cannot.
    fn tier_findings(&mut self, tier: &Tier) {
        for n in &tier.notify {
            self.via_finding(n, "escalation rule");
        }
        if let Some(r) = &tier.renotify {
            self.w(
                r.span,
                format!(
                    "PagerDuty escalation rules do not re-page their targets; `renotify every {}` is not exported (each user's notification rules repeat instead)",
                    esc_duration(r.value)
                ),
                "rely on the users' PagerDuty notification rules, or split the tier into rules with shorter delays",
            );
        }
        for c in &tier.channels {
            self.w(
                c.span,
                format!("PagerDuty escalation rules cannot open a channel; `open channel \"{}\"` is not exported", c.value),
                "open the channel with a PagerDuty incident workflow or a chat integration",
            );
        }
        for c in &tier.checkpoints {
            self.w(
                c.span,
                format!("PagerDuty escalation rules have no manual checkpoints; `checkpoint \"{}\"` is not exported", c.value),
                "keep the step in the incident's runbook or an incident workflow",
            );
        }
    }

    fn via_finding(&mut self, n: &Notify, what: &str) {
        if let (Some(first), Some(last)) = (n.via.first(), n.via.last()) {
            let via: Vec<&str> = n.via.iter().map(|v| v.value.as_str()).collect();
            self.w(
                join_spans(first.span, last.span),
                format!(
                    "PagerDuty notifies every user through their own notification rules; the {what} cannot choose channels, so `via {}` is not exported",
                    via.join(", ")
                ),
                "set the users' notification rules in PagerDuty (e.g. phone and SMS for high urgency)",
            );
        }
    }

    fn policy(&mut self, index: usize) -> EscalationPolicy {
        let m = self.m;
        let p = &m.policies[index];
        let mut rules = Vec::new();
        let mut labels: Vec<String> = Vec::new();
        let mut visited = vec![index];
        let mut current = index;
        let mut last_policy = index;
        let mut ends_terminal = false;
        loop {
            let cur: &'m Policy = &m.policies[current];
            let own = current == index;
            let mut next = None;
            for tier in crate::time::reach::reachable_tiers(cur) {
                let label = if own { tier.name.name.clone() } else { format!("{}.{}", cur.name.name, tier.name.name) };
                if own {
                    self.tier_findings(tier);
                }
                if let Some(h) = &tier.handoff {
                    if own {
                        self.w(
                            h.span,
                            format!(
                                "PagerDuty escalation rules cannot hand off to another policy; the rules of `{}` are appended here, and the policy's num_loops then repeats all of them",
                                h.name
                            ),
                            "accept the inlined rules, or route the alerts to that policy directly",
                        );
                    }
                    next = m.ns_policy.get(&h.name).filter(|n| !visited.contains(n));
                    break;
                }
                let targets = self.targets(tier);
                let delay = match &tier.escalate_after {
                    None => {
                        ends_terminal = true;
                        TERMINAL_DELAY_MINUTES
                    }
                    Some(d) => {
                        let minutes = ((d.value + 59) / 60).max(MIN_DELAY_MINUTES);
                        if own && minutes * 60 != d.value {
                            self.w(
                                d.span,
                                format!(
                                    "PagerDuty escalation delays are whole minutes, at least {MIN_DELAY_MINUTES} (escalation_delay_in_minutes); `escalate after {}` is exported as {minutes}",
                                    esc_duration(d.value)
                                ),
                                "write the delay in whole minutes",
                            );
                        }
                        minutes
                    }
                };
                if targets.is_empty() {
                    // escalade skips a tier that reaches nobody at once, as
                    // PagerDuty does with a level nobody is on call for
                    continue;
                }
                let mut targets = targets;
                if targets.len() > MAX_TARGETS {
                    if own {
                        self.w(
                            tier.name.span,
                            format!(
                                "PagerDuty allows at most {MAX_TARGETS} targets per escalation rule; tier `{}` has {} (teams count their members), and only the first {MAX_TARGETS} are exported",
                                tier.name.name,
                                targets.len()
                            ),
                            "split the tier into two tiers, or notify a schedule instead of the whole team",
                        );
                    }
                    targets.truncate(MAX_TARGETS);
                }
                rules.push(Rule { delay_minutes: delay, targets });
                labels.push(label);
            }
            match next {
                Some(n) => {
                    visited.push(n);
                    current = n;
                    last_policy = n;
                }
                None => break,
            }
        }
        let last = &m.policies[last_policy];
        let repeat = last.repeat.as_ref().map(|r| r.value).unwrap_or(0);
        let num_loops = if ends_terminal || crate::time::reach::reachable_tiers(last).last().is_some_and(|t| t.is_handoff()) { 0 } else { repeat.min(MAX_LOOPS) };
        if let Some(r) = &p.repeat {
            let effective = crate::time::reach::reachable_tiers(p).last().is_some_and(|t| !t.is_terminal() && !t.is_handoff());
            if effective && r.value > MAX_LOOPS {
                self.w(
                    r.span,
                    format!("PagerDuty allows at most {MAX_LOOPS} loops (num_loops); `repeat {}` is exported as {MAX_LOOPS}", r.value),
                    "repeat at most 9 times, or add tiers",
                );
            }
        }
        if let Some(u) = &p.unresolved {
            self.w(
                u.span,
                format!(
                    "PagerDuty has no resolution timeout in escalation policies; `unresolved after {} escalate to {}` is not exported (acknowledged incidents stay acknowledged: the acknowledgement timeout is disabled)",
                    esc_duration(u.after.value),
                    u.tier.name
                ),
                "page the tier by hand, or with an incident workflow, when an acknowledged incident stays open too long",
            );
        }
        let mut description = format!("Managed by escalade: policy {}; rules from tiers {}", p.name.name, labels.join(", "));
        if labels.is_empty() {
            description = format!("Managed by escalade: policy {}; no tier reaches anyone", p.name.name);
        }
        EscalationPolicy { name: p.name.name.clone(), description, num_loops, rules }
    }

    // ---------------------------------------------------------------- services

    fn service(&mut self, s: &'m crate::syntax::ast::Service) -> Service {
        let m = self.m;
        let policy = match &s.policy {
            Some(p) => Some(p.name.clone()),
            // PagerDuty requires one; the routes decide every alert of the
            // service (E0401), so the first policy a route decides stands in
            None => {
                let first = m.routes.iter().find_map(|r| r.to.as_ref()).map(|p| p.name.clone());
                if first.is_none() {
                    self.w(
                        s.name.span,
                        format!("a PagerDuty service needs an escalation policy; service `{}` has no `policy` and no route decides one", s.name.name),
                        "give the service a `policy`",
                    );
                }
                first
            }
        };
        let owner = s.owner.as_ref().map(|o| format!("; owner team {}", o.name)).unwrap_or_default();
        Service {
            name: s.name.name.clone(),
            description: format!("Managed by escalade: service {}{owner}", s.name.name),
            policy,
            auto_resolve_seconds: m.org.auto_resolve,
        }
    }

    // ---------------------------------------------------------------- routes

    fn orchestration(&mut self) -> Orchestration {
        let m = self.m;
        let name = m.org.name.as_ref().map(|n| n.name.clone()).unwrap_or_else(|| "escalade".to_string());
        self.route_findings();
        let mut services: Vec<&str> = m.services.iter().map(|s| s.name.name.as_str()).collect();
        services.sort_unstable();
        let router = services
            .into_iter()
            .map(|s| RouterRule { service: s.to_string(), condition: format!("{SERVICE_PATH} matches {}", pcl_string(s)) })
            .collect();
        let global = self.global_sets();
        Orchestration {
            name: name.clone(),
            description: format!("Managed by escalade: the routes of {name}; events carry the escalade service in custom_details.service"),
            global,
            router,
        }
    }

    /// Findings about routes that do not depend on the set they land in.
    fn route_findings(&mut self) {
        let m = self.m;
        let service_label_keys: BTreeSet<&str> = m.services.iter().flat_map(|s| s.labels.iter().map(|l| l.key.value.as_str())).collect();
        for (i, r) in m.routes.iter().enumerate() {
            for a in &r.also {
                let targets: Vec<String> = a.targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.name.name)).collect();
                self.w(
                    a.span,
                    format!("PagerDuty event orchestration cannot page extra responders; `also {}` is not exported", targets.join(", ")),
                    "add the responders with an incident workflow triggered by the same conditions",
                );
            }
            for s in &r.sets {
                if let SetAction::Label { key, .. } = &s.value {
                    if !is_pcl_key(&key.value) {
                        self.w(
                            key.span,
                            format!(
                                "PCL paths name custom details with letters, digits and `_`; `{}` is written as it is",
                                Field::Label(key.value.clone()).describe()
                            ),
                            "use label keys made of letters, digits and `_`",
                        );
                    }
                }
                let field = match &s.value {
                    SetAction::Severity(_) => Field::Severity,
                    SetAction::Label { key, .. } => Field::Label(key.value.clone()),
                };
                if let Some(later) = m.routes[i + 1..].iter().find(|x| x.when.as_ref().is_some_and(|w| reads(&w.value, &field))) {
                    self.w(
                        s.span,
                        format!(
                            "route `{}` reads `{}`, which this `set` changes; PagerDuty applies a rule's actions to the resulting alert and does not document that later rules see the change",
                            later.name.name,
                            field.describe()
                        ),
                        "test the original value in the later route as well, or do not depend on the enrichment",
                    );
                }
            }
            if let Some(w) = &r.when {
                let mut fields = Vec::new();
                fields_of(&w.value, &mut fields);
                let mut seen = BTreeSet::new();
                for (f, span) in fields {
                    let Field::Label(k) = &f else { continue };
                    if service_label_keys.contains(k.as_str()) && seen.insert(k.clone()) {
                        self.w(
                            span,
                            format!(
                                "PagerDuty conditions read only the event's custom details; the services' `labels {k}` are not a default there, so `{}` tests the event's own label only",
                                f.describe()
                            ),
                            "send the label with every event, or test the service instead",
                        );
                    }
                    if !is_pcl_key(k) && seen.insert(format!("\u{0}{k}")) {
                        self.w(
                            span,
                            format!("PCL paths name custom details with letters, digits and `_`; `{}` is written as it is", f.describe()),
                            "use label keys made of letters, digits and `_`",
                        );
                    }
                }
            }
        }
    }

    /// Our routes as global-orchestration sets: `start` holds every route
    /// in order; a matching route with `continue` sends the event on to a
    /// set holding the routes after it. Once a policy is decided, later
    /// sets no longer decide one nor suppress.
    fn global_sets(&mut self) -> Vec<RuleSet> {
        let m = self.m;
        let n = m.routes.len();
        // (first route, decided) → id, in creation order
        let mut queue: Vec<(usize, bool, String)> = vec![(0, false, "start".to_string())];
        let mut sets = Vec::new();
        let mut converted: HashMap<usize, Option<Converted>> = HashMap::new();
        let mut i = 0;
        while i < queue.len() {
            let (first, decided, id) = queue[i].clone();
            i += 1;
            let mut rules = Vec::new();
            for k in first..n {
                let r = &m.routes[k];
                let conv = match converted.get(&k) {
                    Some(c) => c.clone(),
                    None => {
                        let c = self.convert_route(r);
                        converted.insert(k, c.clone());
                        c
                    }
                };
                let Some(conv) = conv else { continue };
                let mut actions = Actions::default();
                if let Some(sev) = r.sets.iter().rev().find_map(|s| match &s.value {
                    SetAction::Severity(id) => Some(id),
                    SetAction::Label { .. } => None,
                }) {
                    actions.severity = m.severity_rank(&sev.name).map(|rank| pd_severity(&m.org.severities[rank], rank));
                }
                for s in &r.sets {
                    if let SetAction::Label { key, value } = &s.value {
                        actions.extractions.push((format!("{CUSTOM_DETAILS}.{}", key.value), value.value.clone()));
                    }
                }
                if !decided {
                    actions.suppress = r.suppress.is_some();
                    actions.escalation_policy = r.to.as_ref().map(|p| p.name.clone());
                }
                if r.cont.is_some() && k + 1 < n {
                    let now_decided = decided || r.to.is_some();
                    let target = match queue.iter().find(|(f, d, _)| *f == k + 1 && *d == now_decided) {
                        Some((_, _, id)) => id.clone(),
                        None => {
                            let id = if now_decided { format!("after-{}-decided", r.name.name) } else { format!("after-{}", r.name.name) };
                            queue.push((k + 1, now_decided, id.clone()));
                            id
                        }
                    };
                    actions.route_to = Some(target);
                }
                let mut label = format!("route {}", r.name.name);
                if let Some(t) = &conv.timed {
                    label.push_str(&format!(" (disabled: add the time condition `{t}` by hand)"));
                }
                rules.push(OrchestrationRule { label, conditions: conv.conditions, disabled: conv.timed.is_some(), actions });
            }
            sets.push(RuleSet { id, rules });
        }
        sets
    }

    /// A route's condition as PCL; None when it can never match.
    fn convert_route(&mut self, r: &Route) -> Option<Converted> {
        let Some(when) = &r.when else {
            return Some(Converted { conditions: Vec::new(), timed: None });
        };
        let mut tr = Translator { mp: self, timed: Vec::new(), overflow: false };
        let dnf = tr.cond(&when.value, true);
        let (timed, overflow) = (std::mem::take(&mut tr.timed), tr.overflow);
        let dnf = absorb(dnf);
        if dnf.is_empty() {
            return None;
        }
        let mut conditions: Vec<String> = if dnf.iter().any(|c| c.is_empty()) { Vec::new() } else { dnf.iter().map(pcl_conj).collect() };
        if overflow || conditions.len() > MAX_CONDITIONS {
            self.w(
                when.span,
                format!(
                    "PagerDuty allows at most {MAX_CONDITIONS} conditions per orchestration rule; the condition of route `{}` needs {} as alternatives of `and`s, and only the first {MAX_CONDITIONS} are exported",
                    r.name.name,
                    if overflow { "too many".to_string() } else { conditions.len().to_string() }
                ),
                "split the route into several routes",
            );
            conditions.truncate(MAX_CONDITIONS);
        }
        let timed_text = if timed.is_empty() {
            None
        } else {
            let spans: Vec<Span> = timed.iter().map(|(s, _)| *s).collect();
            let texts: Vec<String> = timed.iter().map(|(_, t)| t.clone()).collect();
            let span = spans.iter().copied().reduce(join_spans).unwrap_or(when.span);
            self.w(
                span,
                format!(
                    "escalade exports no time windows to PagerDuty event orchestration; route `{}` depends on `{}`, so its rule is exported disabled",
                    r.name.name,
                    texts.join("`, `")
                ),
                "enable the rule in PagerDuty after adding the time condition there, or route by time in a schedule instead",
            );
            Some(texts.join(", "))
        };
        Some(Converted { conditions, timed: timed_text })
    }
}

#[derive(Debug, Clone)]
struct Converted {
    conditions: Vec<String>,
    /// the time conditions the rule depends on (then disabled)
    timed: Option<String>,
}

/// Where layers without `from` start: any past instant does, PagerDuty
/// starts the layer at once. A Monday at midnight, in the schedule's zone.
fn default_layer_start(tz: Tz) -> Instant {
    let d = chrono::NaiveDate::from_ymd_opt(2020, 1, 6).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default();
    resolve_local(tz, d)
}

/// Restrictions from window occurrences (day 0 = Monday, start minute,
/// duration minutes): none when some day is covered whole every day of the
/// week; one daily restriction for a window on all seven days; else a
/// weekly restriction per day. Sorted, without duplicates.
pub fn restrictions_of(occ: &[(u8, u16, u16)]) -> Vec<Restriction> {
    if occ.is_empty() {
        return Vec::new();
    }
    let full_days: BTreeSet<u8> = occ.iter().filter(|o| o.2 >= 1440).map(|o| o.0).collect();
    if full_days.len() == 7 {
        return Vec::new();
    }
    let mut by_window: BTreeMap<(u16, u16), BTreeSet<u8>> = BTreeMap::new();
    for &(d, s, dur) in occ {
        by_window.entry((s, dur)).or_default().insert(d);
    }
    let hms = |min: u16| format!("{:02}:{:02}:00", min / 60, min % 60);
    let mut out = Vec::new();
    for ((s, dur), days) in by_window {
        if days.len() == 7 && dur < 1440 {
            out.push(Restriction { day: None, start: hms(s), duration_seconds: i64::from(dur) * 60 });
        } else {
            for d in days {
                out.push(Restriction { day: Some(d + 1), start: hms(s), duration_seconds: i64::from(dur) * 60 });
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

// -------------------------------------------------------------------- PCL

const CUSTOM_DETAILS: &str = "event.custom_details";
const SERVICE_PATH: &str = "event.custom_details.service";

/// A literal of a condition in disjunctive normal form.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lit {
    neg: bool,
    atom: String,
}

type Conj = Vec<Lit>;

/// Beyond this many alternatives a condition is not expanded further.
const DNF_CAP: usize = 256;

fn is_pcl_key(k: &str) -> bool {
    let mut cs = k.chars();
    cs.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// A PCL string literal.
fn pcl_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// A regex as a PCL string: kept as written (it reaches RE2 unchanged),
/// a quote escaped.
fn pcl_regex(s: &str) -> String {
    format!("'{}'", s.replace('\'', "\\'"))
}

fn pcl_conj(c: &Conj) -> String {
    let parts: Vec<String> = c.iter().map(|l| if l.neg { format!("not {}", l.atom) } else { l.atom.clone() }).collect();
    parts.join(" and ")
}

/// Does the condition read this field?
fn reads(c: &Cond, f: &Field) -> bool {
    let mut v = Vec::new();
    fields_of(c, &mut v);
    v.iter().any(|(x, _)| x == f)
}

fn fields_of(c: &Cond, out: &mut Vec<(Field, Span)>) {
    match c {
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Matches { field, .. } => out.push((field.value.clone(), field.span)),
        Cond::Within { .. } | Cond::Outside { .. } => {}
        Cond::Not(x) => fields_of(x, out),
        Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| fields_of(x, out)),
    }
}

/// Drop contradictory and duplicate alternatives and those implied by a
/// shorter one.
fn absorb(dnf: Vec<Conj>) -> Vec<Conj> {
    let mut out: Vec<Conj> = Vec::new();
    for c in dnf {
        if c.iter().any(|l| c.iter().any(|k| k.atom == l.atom && k.neg != l.neg)) {
            continue;
        }
        if out.iter().any(|o| o.iter().all(|l| c.contains(l))) {
            continue;
        }
        out.retain(|o| !c.iter().all(|l| o.contains(l)));
        out.push(c);
    }
    out
}

/// Conditions → DNF over PCL atoms (negation pushed to the atoms).
struct Translator<'a, 'm> {
    mp: &'a mut Mapper<'m>,
    /// time conditions met, treated as true
    timed: Vec<(Span, String)>,
    overflow: bool,
}

impl Translator<'_, '_> {
    fn lits(&self, atoms: Vec<String>, pos: bool) -> Vec<Conj> {
        if pos {
            atoms.into_iter().map(|a| vec![Lit { neg: false, atom: a }]).collect()
        } else {
            vec![atoms.into_iter().map(|a| Lit { neg: true, atom: a }).collect()]
        }
    }

    fn union(&mut self, mut a: Vec<Conj>, b: Vec<Conj>) -> Vec<Conj> {
        for c in b {
            if !a.contains(&c) {
                a.push(c);
            }
        }
        if a.len() > DNF_CAP {
            self.overflow = true;
            a.truncate(DNF_CAP);
        }
        a
    }

    fn product(&mut self, a: Vec<Conj>, b: Vec<Conj>) -> Vec<Conj> {
        let mut out: Vec<Conj> = Vec::new();
        'outer: for x in &a {
            for y in &b {
                let mut c = x.clone();
                for l in y {
                    if !c.contains(l) {
                        c.push(l.clone());
                    }
                }
                if !out.contains(&c) {
                    out.push(c);
                }
                if out.len() > DNF_CAP {
                    self.overflow = true;
                    out.truncate(DNF_CAP);
                    break 'outer;
                }
            }
        }
        out
    }

    fn cond(&mut self, c: &Cond, pos: bool) -> Vec<Conj> {
        match c {
            Cond::Not(x) => self.cond(x, !pos),
            Cond::And(xs) | Cond::Or(xs) => {
                let conj = matches!(c, Cond::And(_)) == pos;
                let mut acc: Vec<Conj> = if conj { vec![Vec::new()] } else { Vec::new() };
                for x in xs {
                    let d = self.cond(x, pos);
                    acc = if conj { self.product(acc, d) } else { self.union(acc, d) };
                }
                acc
            }
            Cond::Within { hours, span } | Cond::Outside { hours, span } => {
                let kw = if matches!(c, Cond::Within { .. }) { "within" } else { "outside" };
                let what = match hours {
                    WindowsOrHours::Hours(h) => h.name.clone(),
                    WindowsOrHours::Windows(_) => "windows".to_string(),
                };
                self.timed.push((*span, format!("{kw} {what}")));
                vec![Vec::new()]
            }
            Cond::Matches { field, pattern } => {
                if pattern.value.contains('\'') {
                    self.quote_finding(pattern.span, &pattern.value);
                }
                let atom = format!("{} matches regex {}", path(&field.value), pcl_regex(&pattern.value));
                self.lits(vec![atom], pos)
            }
            Cond::Cmp { field, op, value } => {
                if field.value == Field::Severity {
                    let m = self.mp.m;
                    let Some(rank) = m.severity_rank(&value.text) else { return self.lits(Vec::new(), pos) };
                    let n = m.org.severities.len();
                    let set: Vec<usize> = (0..n)
                        .filter(|&r| match op {
                            CmpOp::Eq | CmpOp::Ne => r == rank,
                            CmpOp::Ge => r <= rank,
                            CmpOp::Gt => r < rank,
                            CmpOp::Le => r >= rank,
                            CmpOp::Lt => r > rank,
                        })
                        .collect();
                    let atoms = self.severity_atoms(&set, value.span, &format!("severity {} {}", op.as_str(), value.text));
                    return self.lits(atoms, pos != (*op == CmpOp::Ne));
                }
                let atoms = self.value_atoms(&field.value, std::slice::from_ref(value));
                self.lits(atoms, pos != (*op == CmpOp::Ne))
            }
            Cond::In { field, values } => {
                if field.value == Field::Severity {
                    let m = self.mp.m;
                    let set: Vec<usize> = values.iter().filter_map(|v| m.severity_rank(&v.text)).collect();
                    let names: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
                    let atoms = self.severity_atoms(&set, field.span, &format!("severity in [{}]", names.join(", ")));
                    return self.lits(atoms, pos);
                }
                let atoms = self.value_atoms(&field.value, values);
                self.lits(atoms, pos)
            }
        }
    }

    fn quote_finding(&mut self, span: Span, text: &str) {
        self.mp.w(
            span,
            format!("PCL strings are single-quoted; \"{text}\" holds a quote or a backslash and is written with backslash escapes, which PagerDuty does not document"),
            "avoid `'` and `\\` in values that routes compare",
        );
    }

    /// `event.severity matches '…'` for each PagerDuty value of the set;
    /// W0900 when those values also stand for severities outside it.
    fn severity_atoms(&mut self, set: &[usize], span: Span, text: &str) -> Vec<String> {
        let m = self.mp.m;
        let sev = |r: usize| pd_severity(&m.org.severities[r], r);
        let mut values: Vec<&'static str> = Vec::new();
        for &r in set {
            let v = sev(r);
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let extra: Vec<&str> =
            (0..m.org.severities.len()).filter(|r| !set.contains(r) && values.contains(&sev(*r))).map(|r| m.org.severities[r].name.as_str()).collect();
        if !extra.is_empty() {
            self.mp.w(
                span,
                format!(
                    "PagerDuty has 4 severities (critical, error, warning, info); `{text}` becomes {} and also matches {}",
                    values.join(" or "),
                    extra.join(", ")
                ),
                "give the severities aliases naming distinct PagerDuty values, or compare so that severities sharing a value stay together",
            );
        }
        values.sort_by_key(|v| PD_SEVERITIES.iter().position(|x| x == v));
        one_of("event.severity", values.into_iter().map(String::from).collect())
    }

    /// The field equals one of the values (a team: its field, the service,
    /// equals one of the services the teams own).
    fn value_atoms(&mut self, field: &Field, values: &[Value]) -> Vec<String> {
        let m = self.mp.m;
        let mut wanted: Vec<String> = Vec::new();
        for v in values {
            if field != &Field::Team && (v.text.contains('\'') || v.text.contains('\\')) {
                self.quote_finding(v.span, &v.text);
            }
            match field {
                Field::Team => {
                    let owned = m.services.iter().filter(|s| s.owner.as_ref().is_some_and(|o| o.name == v.text)).map(|s| s.name.name.clone());
                    wanted.extend(owned);
                }
                _ => wanted.push(v.text.clone()),
            }
        }
        if field == &Field::Team {
            wanted.sort_unstable();
        }
        let mut seen = BTreeSet::new();
        wanted.retain(|w| seen.insert(w.clone()));
        one_of(&path(field), wanted)
    }
}

/// One atom: PATH equals one of the values (`matches 'v'` for one,
/// `matches regex '^(?:a|b)$'` for several); none for no value (false).
fn one_of(path: &str, values: Vec<String>) -> Vec<String> {
    match values.as_slice() {
        [] => Vec::new(),
        [one] => vec![format!("{path} matches {}", pcl_string(one))],
        many => {
            let alts: Vec<String> = many.iter().map(|v| regex_literal(v)).collect();
            vec![format!("{path} matches regex {}", pcl_regex(&format!("^(?:{})$", alts.join("|"))))]
        }
    }
}

/// A string as a regex matching exactly it (RE2 and Rust agree on
/// escaping these metacharacters with a backslash).
fn regex_literal(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            o.push('\\');
        }
        o.push(c);
    }
    o
}

/// The PCL path of an alert field.
fn path(f: &Field) -> String {
    match f {
        Field::Severity => "event.severity".to_string(),
        Field::Service | Field::Team => SERVICE_PATH.to_string(),
        Field::Summary => "event.summary".to_string(),
        Field::Source => "event.source".to_string(),
        Field::Label(k) => format!("{CUSTOM_DETAILS}.{k}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::load_texts;
    use std::path::PathBuf;

    fn model(src: &str) -> Model {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.iter().all(|f| !crate::checks::registry::is_model_error(f.code)), "{:#?}", ws.findings);
        ws.model
    }

    const PEOPLE: &str = r#"
person ann { email "ann@example.com" tz "Europe/Berlin" }
person bob { email "bob@example.com" }
person cid { email "cid@example.com" }
person dan { sms "+15550100" }
"#;

    fn with_people(rest: &str) -> (Plan, Vec<Finding>) {
        plan(&model(&format!("{PEOPLE}{rest}")))
    }

    fn messages(f: &[Finding]) -> Vec<&str> {
        f.iter().map(|f| f.message.as_str()).collect()
    }

    #[test]
    fn weekly_rotation_becomes_a_layer_in_the_schedule_zone() {
        let (p, f) = with_people(
            r#"schedule s { tz "America/New_York"
  layer rota { rotation weekly from 2026-01-05 09:00 until 2026-06-01 09:00  members ann, bob, cid } }"#,
        );
        assert!(f.is_empty(), "{:?}", messages(&f));
        let s = &p.schedules[0];
        assert_eq!(s.time_zone, "America/New_York");
        assert_eq!(
            s.layers,
            vec![ScheduleLayer {
                name: "rota".into(),
                start: "2026-01-05T09:00:00-05:00".into(),
                end: Some("2026-06-01T09:00:00-04:00".into()),
                rotation_virtual_start: "2026-01-05T09:00:00-05:00".into(),
                turn_seconds: 604_800,
                users: vec!["ann".into(), "bob".into(), "cid".into()],
                restrictions: vec![],
            }]
        );
    }

    #[test]
    fn daily_and_elapsed_rotations_give_turn_lengths() {
        let (p, f) = with_people(
            r#"schedule s {
  layer a { rotation daily from 2026-01-05 08:00  members ann, bob }
  layer b { rotation every 12h from 2026-01-05 08:00  members ann, bob }
  layer c { rotation every 30m from 2026-01-05 08:00  members ann, bob }
  layer d { members cid } }"#,
        );
        let turns: Vec<i64> = p.schedules[0].layers.iter().map(|l| l.turn_seconds).collect();
        assert_eq!(turns, vec![86_400, 43_200, 3_600, 604_800]);
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
        assert!(f[0].message.contains("rotation_turn_length_seconds 3600..31536000"), "{}", f[0].message);
        // a one-member layer without `from` covers from a fixed past Monday
        assert_eq!(p.schedules[0].layers[3].start, "2020-01-06T00:00:00+00:00");
    }

    #[test]
    fn only_windows_become_restrictions() {
        let (p, f) = with_people(
            r#"schedule s { tz "Europe/Berlin"
  layer day { rotation daily from 2026-01-05 08:00  members ann, bob  only mon-fri 08:00-20:00 }
  layer night { rotation daily from 2026-01-05 20:00  members ann, bob  only mon-sun 20:00-08:00 }
  layer all { rotation daily from 2026-01-05 08:00  members ann, bob  only mon-sun 00:00-24:00 }
  layer weekend { rotation daily from 2026-01-05 08:00  members ann, bob  only sat-sun 00:00-24:00, fri 22:00-06:00 } }"#,
        );
        assert!(f.is_empty(), "{:?}", messages(&f));
        let l = &p.schedules[0].layers;
        let weekly = |d: u8, s: &str, h: i64| Restriction { day: Some(d), start: s.into(), duration_seconds: h * 3600 };
        assert_eq!(l[0].restrictions, (1..=5).map(|d| weekly(d, "08:00:00", 12)).collect::<Vec<_>>());
        assert_eq!(l[1].restrictions, vec![Restriction { day: None, start: "20:00:00".into(), duration_seconds: 12 * 3600 }]);
        assert_eq!(l[2].restrictions, vec![], "a whole week needs no restriction");
        assert_eq!(l[3].restrictions, vec![weekly(5, "22:00:00", 8), weekly(6, "00:00:00", 24), weekly(7, "00:00:00", 24)]);
    }

    #[test]
    fn hours_in_another_zone_move_by_the_offset_at_the_layer_start() {
        let (p, f) = with_people(
            r#"hours emea { tz "Europe/Berlin"  mon-fri 09:00-17:00 }
hours late { tz "Asia/Singapore"  mon 02:00-04:00 }
schedule s { tz "UTC"
  layer a { rotation weekly from 2026-01-05 08:00  members ann, bob  only emea }
  layer b { rotation weekly from 2026-01-05 08:00  members ann, bob  only late } }"#,
        );
        let l = &p.schedules[0].layers;
        // winter: Berlin is UTC+1
        assert_eq!(l[0].restrictions[0], Restriction { day: Some(1), start: "08:00:00".into(), duration_seconds: 8 * 3600 });
        // Singapore (UTC+8, no DST): Monday 02:00 is Sunday 18:00 UTC, exactly
        assert_eq!(l[1].restrictions, vec![Restriction { day: Some(7), start: "18:00:00".into(), duration_seconds: 2 * 3600 }]);
        assert_eq!(f.len(), 1, "only Berlin's DST is approximated: {:?}", messages(&f));
        assert!(f[0].message.contains("hours `emea`"));
    }

    #[test]
    fn team_targets_expand_to_members_in_member_order() {
        let (p, f) = with_people(
            r#"team ops { members cid, ann, bob  lead bob }
schedule s { layer a { members ann } }
policy main {
  tier one { notify team ops, schedule s  escalate after 5m }
  tier two { notify lead ops, person ann  escalate after 90s }
  tier three { notify team ops via sms }
}"#,
        );
        let pol = &p.policies[0];
        let u = |n: &str| Ref::User(n.into());
        assert_eq!(pol.rules[0].targets, vec![u("cid"), u("ann"), u("bob"), Ref::Schedule("s".into())]);
        assert_eq!(pol.rules[1].targets, vec![u("bob"), u("ann")]);
        assert_eq!(pol.rules[1].delay_minutes, 2, "90s rounds up");
        // nobody in ops has sms: the tier reaches nobody and is skipped
        assert_eq!(pol.rules.len(), 2);
        assert_eq!(pol.num_loops, 0);
        let msgs = messages(&f);
        assert!(msgs.iter().any(|m| m.contains("`escalate after 1m30s` is exported as 2")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("`via sms`")), "{msgs:?}");
    }

    #[test]
    fn more_than_ten_targets_and_loops_are_limits() {
        let members: Vec<String> = (0..11).map(|i| format!("p{i}")).collect();
        let people: String = members.iter().map(|n| format!("person {n} {{ email \"{n}@example.com\" }}\n")).collect();
        let (p, f) = plan(&model(&format!(
            "{people}team big {{ members {} }}\npolicy main {{ tier all {{ notify team big  escalate after 5m }}  repeat 12 }}\n",
            members.join(", ")
        )));
        assert_eq!(p.policies[0].rules[0].targets.len(), 10);
        assert_eq!(p.policies[0].num_loops, 9);
        let msgs = messages(&f);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("at most 10 targets") && m.contains("has 11")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("at most 9 loops (num_loops); `repeat 12`")), "{msgs:?}");
    }

    #[test]
    fn handoffs_inline_the_other_policy() {
        let (p, f) = with_people(
            r#"policy a { tier one { notify person ann  escalate after 5m }  tier two { handoff policy b } }
policy b { tier first { notify person bob  escalate after 10m }  repeat 2 }"#,
        );
        let a = &p.policies[0];
        assert_eq!(a.rules.iter().map(|r| r.delay_minutes).collect::<Vec<_>>(), vec![5, 10]);
        assert_eq!(a.num_loops, 2, "the policy handed off to decides the loops");
        assert!(a.description.contains("one, b.first"), "{}", a.description);
        assert_eq!(messages(&f).len(), 1);
    }

    #[test]
    fn severity_maps_by_position_unless_an_alias_names_the_value() {
        let m = model(r#"org o { severities s1, s2 "Warning", s3, s4, s5 "CRITICAL" }"#);
        let got: Vec<&str> = m.org.severities.iter().enumerate().map(|(i, s)| pd_severity(s, i)).collect();
        assert_eq!(got, vec!["critical", "warning", "warning", "info", "critical"]);
        let d = Model::default();
        let got: Vec<&str> = d.org.severities.iter().enumerate().map(|(i, s)| pd_severity(s, i)).collect();
        assert_eq!(got, vec!["critical", "error", "warning", "info", "info"]);
    }

    #[test]
    fn routes_become_global_rules_with_pcl_conditions() {
        let (p, f) = with_people(
            r#"team ops { members ann }
policy main { tier one { notify person ann } }
policy other { tier one { notify person bob } }
service api { owner ops  policy main }
service web { owner ops  policy main }
routes {
  route up { when labels.customer == "vip" and severity in [sev2, sev3]  set severity sev1  continue }
  route big { when severity >= sev2 and not (team == "ops" or summary matches "x|y")  to policy other  continue }
  route quiet { when severity == sev5  suppress }
}"#,
        );
        let g = &p.orchestration.global;
        let ids: Vec<&str> = g.iter().map(|s| s.id.as_str()).collect();
        // `big` decides a policy whether reached from `start` or `after-up`
        assert_eq!(ids, vec!["start", "after-up", "after-big-decided"]);
        let up = &g[0].rules[0];
        assert_eq!(up.conditions, vec!["event.custom_details.customer matches 'vip' and event.severity matches regex '^(?:error|warning)$'"]);
        assert_eq!(up.actions.severity, Some("critical"));
        assert_eq!(up.actions.route_to.as_deref(), Some("after-up"));
        let big = &g[0].rules[1];
        assert_eq!(
            big.conditions[0],
            "event.severity matches regex '^(?:critical|error)$' and not event.custom_details.service matches regex '^(?:api|web)$' and not event.summary matches regex 'x|y'"
        );
        assert_eq!(big.actions.escalation_policy.as_deref(), Some("other"));
        // after a decision, a suppress route only ends evaluation
        let decided = &g[2];
        assert_eq!(decided.rules[0].label, "route quiet");
        assert_eq!(decided.rules[0].actions, Actions::default());
        assert!(g[1].rules.iter().any(|r| r.actions.suppress));
        // sev4 and sev5 are both info, sev2 error: `severity == sev5` is approximate
        assert!(messages(&f).iter().any(|m| m.contains("`severity == sev5` becomes info and also matches sev4")), "{:?}", messages(&f));
        assert!(messages(&f).iter().any(|m| m.contains("route `big` reads `severity`")), "{:?}", messages(&f));
        assert_eq!(p.orchestration.router.len(), 2);
        assert_eq!(p.orchestration.router[0].condition, "event.custom_details.service matches 'api'");
    }

    #[test]
    fn time_conditions_disable_the_rule() {
        let (p, f) = with_people(
            r#"policy main { tier one { notify person ann } }
hours biz { mon-fri 09:00-17:00 }
routes { route day { when severity == sev1 and within biz  to policy main } }"#,
        );
        let r = &p.orchestration.global[0].rules[0];
        assert!(r.disabled);
        assert_eq!(r.conditions, vec!["event.severity matches 'critical'"]);
        assert!(r.label.contains("within biz"), "{}", r.label);
        assert_eq!(f.len(), 1, "{:?}", messages(&f));
    }

    #[test]
    fn persons_without_email_are_left_out() {
        let (p, f) = with_people(
            r#"schedule s { layer a { rotation weekly from 2026-01-05 08:00  members ann, dan } }
policy main { tier one { notify person dan, person bob  escalate after 5m } }"#,
        );
        assert_eq!(p.schedules[0].layers[0].users, vec!["ann".to_string()]);
        assert_eq!(p.policies[0].rules[0].targets, vec![Ref::User("bob".into())]);
        assert!(!p.users.values().any(|u| u.person == "dan"));
        assert_eq!(p.users.len(), 3);
        assert_eq!(messages(&f).len(), 1, "{:?}", messages(&f));
        assert!(f[0].message.contains("person `dan` can be paged but has no `email`"));
    }

    #[test]
    fn dnf_absorbs_and_drops_contradictions() {
        let l = |a: &str, neg: bool| Lit { neg, atom: a.into() };
        let d = absorb(vec![vec![l("a", false), l("b", false)], vec![l("a", false)], vec![l("c", false), l("c", true)]]);
        assert_eq!(d, vec![vec![l("a", false)]]);
        assert_eq!(pcl_string("it's"), "'it\\'s'");
        assert_eq!(one_of("p", vec!["a.b".into(), "c".into()]), vec!["p matches regex '^(?:a\\.b|c)$'"]);
    }
}
