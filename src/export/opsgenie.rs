//! `export --target opsgenie`: Opsgenie / Jira Service Management Ops REST
//! request bodies (Swagger `Create…Payload` definitions), one file per
//! object:
//!
//! - `users.json`: `CreateUserPayload` bodies keyed by email;
//! - `teams/<team>.json`: `CreateTeamPayload` with the members;
//! - `schedules/<schedule>.json`: `CreateSchedulePayload`, one rotation
//!   per layer (`only` windows become the rotation's `timeRestriction`);
//! - `schedule_overrides/<schedule>.json`: an array of
//!   `CreateScheduleOverridePayload` bodies, in written order;
//! - `escalations/<policy>.json`: `CreateEscalationPayload`, one rule per
//!   tier target;
//! - `team_routing_rules/<team>.json`: an array of
//!   `CreateTeamRoutingRulePayload` bodies in rule order, for every team
//!   that owns a service;
//! - `apply-order.txt`.
//!
//! Opsgenie resolves references by name (`recipient.name`,
//! `ownerTeam.name`) and users by their email `username`, so the bodies
//! need no `${kind.name}` placeholders. Alerts are expected to reach the
//! owner team of their service (its integration) with the summary as
//! `message`, the severity as `priority` and `service` and every label as
//! extra properties (`details`).
//!
//! Escalation rule delays are offsets from the start of the escalation
//! (ENGINES.md §2.1), so a tier's rules fire at the sum of the earlier
//! tiers' `escalate after`, each rounded up to whole minutes. What Opsgenie
//! cannot express is a W0900 finding and exported in the approximation its
//! message names (docs/export.md: "What does not map, per target").

use super::common::{self, minutes_up, renotify_minutes};
use super::{Exported, FileTree};
use crate::checks::routes::fmt_secs;
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::time::datetime_instant;
use chrono::{NaiveDate, Offset, TimeZone, Timelike};
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use week::Week;

const ENGINE: &str = "Opsgenie";
/// Weekday restrictions per rotation or routing rule (Swagger `maxItems`).
const MAX_RESTRICTIONS: usize = 15;
/// `repeat.count` (20 per the JSM Operations documentation).
const MAX_REPEAT: u32 = 20;
/// Routing rules one route may expand into (one per alternative of its
/// condition).
const MAX_RULES_PER_ROUTE: usize = 64;
/// Re-notifications exported per tier.
const MAX_RENOTIFY: i64 = 50;
/// Monday 2020-01-06 00:00 UTC: the start of a layer that always covers,
/// and the instant at which route time zones are compared.
const REFERENCE: i64 = 1_578_268_800;

pub fn export(m: &Model) -> Exported {
    let mut x = Ctx::new(m);
    let mut tree = FileTree::new();
    let mut order = Vec::new();

    let (users, dup) = common::users_by_email(m, ENGINE);
    x.findings.extend(dup);
    for f in common::paged_without_email(m, ENGINE, "leaves them out: a rotation turn of theirs becomes a `none` participant (a gap), and rules that page them are dropped") {
        x.push(f);
    }
    let mut manifest = Map::new();
    for (email, p) in &users {
        let full = p.display_name.as_ref().map(|d| d.value.clone()).unwrap_or_else(|| p.name.name.clone());
        manifest.insert((*email).to_string(), json!({"username": email, "fullName": full, "role": {"name": "user"}, "timeZone": m.zone(&p.tz).name()}));
    }
    tree.insert("users.json".into(), common::json_file(&Value::Object(manifest)));
    order.push("users.json".to_string());

    let owners = common::policy_owners(m);
    let schedule_owners = common::schedule_owners(m, &owners);

    let mut teams: Vec<&Team> = m.teams.iter().collect();
    teams.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    for t in &teams {
        let members: Vec<Value> = t
            .members
            .iter()
            .filter_map(|n| m.person(&n.name).and_then(common::email))
            .map(|e| json!({"user": {"username": e}, "role": "user"}))
            .collect();
        let path = format!("teams/{}.json", t.name.name);
        tree.insert(path.clone(), common::json_file(&json!({"name": t.name.name, "members": members})));
        order.push(path);
    }

    let mut schedules: Vec<usize> = (0..m.schedules.len()).collect();
    schedules.sort_by(|a, b| m.schedules[*a].name.name.cmp(&m.schedules[*b].name.name));
    let mut override_files = Vec::new();
    for &si in &schedules {
        let s = &m.schedules[si];
        let owner = schedule_owners[si].map(|t| m.teams[t].name.name.as_str());
        let path = format!("schedules/{}.json", s.name.name);
        tree.insert(path.clone(), common::json_file(&x.schedule(s, owner)));
        order.push(path);
        if !s.overrides.is_empty() {
            let path = format!("schedule_overrides/{}.json", s.name.name);
            tree.insert(path.clone(), common::json_file(&x.overrides(s)));
            override_files.push(path);
        }
    }
    order.extend(override_files);

    let mut policies: Vec<usize> = (0..m.policies.len()).collect();
    policies.sort_by(|a, b| m.policies[*a].name.name.cmp(&m.policies[*b].name.name));
    for &pi in &policies {
        let owner = owners[pi].map(|t| m.teams[t].name.name.as_str());
        let path = format!("escalations/{}.json", m.policies[pi].name.name);
        tree.insert(path.clone(), common::json_file(&x.escalation(pi, owner)));
        order.push(path);
    }

    let mut owned: Vec<Vec<&Service>> = vec![Vec::new(); m.teams.len()];
    for s in &m.services {
        if let Some(ti) = s.owner.as_ref().and_then(|o| m.ns_team.get(&o.name)) {
            owned[ti].push(s);
        }
    }
    let candidates = routes_by_team(m);
    for t in &teams {
        let Some(ti) = m.ns_team.get(&t.name.name) else { continue };
        let services = &owned[ti];
        if services.is_empty() {
            continue;
        }
        let rules = x.team_rules(ti, services, &candidates[ti]);
        let path = format!("team_routing_rules/{}.json", t.name.name);
        tree.insert(path.clone(), common::json_file(&Value::Array(rules)));
        order.push(path);
    }
    for r in &m.routes {
        x.route_notes(r);
    }

    tree.insert("apply-order.txt".into(), common::apply_order(&order));
    Exported { tree, findings: x.findings }
}

/// The Opsgenie priority (1–5 for P1–P5) of a severity by rank: an alias
/// naming `P1`…`P5`, else its position; `None` beyond P5.
pub fn priority(m: &Model, rank: usize) -> Option<u8> {
    let s = m.org.severities.get(rank)?;
    for a in &s.aliases {
        let a = a.trim();
        if a.len() == 2 && (a.starts_with('P') || a.starts_with('p')) {
            if let Some(d) = a[1..].parse::<u8>().ok().filter(|d| (1..=5).contains(d)) {
                return Some(d);
            }
        }
    }
    u8::try_from(rank + 1).ok().filter(|p| *p <= 5)
}

struct Ctx<'m> {
    m: &'m Model,
    findings: Vec<Finding>,
    /// (span, message) of every finding pushed: a construct shared by
    /// several files (a policy inlined by a handoff, a route in every
    /// team's rules) is reported once
    seen: HashSet<(Span, String)>,
    /// label key → the first service declaring it, and whether others do
    label_services: HashMap<String, Option<(&'m str, bool)>>,
}

/// One escalation rule before rendering.
struct Rule {
    delay: i64,
    condition: &'static str,
    notify_type: &'static str,
    recipient: Value,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// the last tier timed out (`repeat` applies)
    Timeout,
    /// a tier without `escalate after`
    Terminal,
    /// a handoff (inlined or cut by a cycle)
    Handoff,
}

#[derive(Default)]
struct Walk {
    rules: Vec<Rule>,
    /// side effects, for the description
    notes: Vec<String>,
    /// minutes at which the last tier times out
    end: i64,
    /// the delay of the last tier rule (not counting `unresolved` rules)
    last_rule: i64,
}

impl<'m> Ctx<'m> {
    fn new(m: &'m Model) -> Ctx<'m> {
        Ctx { m, findings: Vec::new(), seen: HashSet::new(), label_services: HashMap::new() }
    }

    fn push(&mut self, f: Finding) {
        if self.seen.insert((f.span, f.message.clone())) {
            self.findings.push(f);
        }
    }

    fn warn(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.push(Finding::new("W0900", span, message).with_help(help));
    }

    // ----- schedules ------------------------------------------------------

    fn schedule(&mut self, s: &'m Schedule, owner: Option<&str>) -> Value {
        let m = self.m;
        let tz = m.zone(&s.tz);
        let mut o = Map::new();
        o.insert("name".into(), json!(s.name.name));
        o.insert("timezone".into(), json!(tz.name()));
        o.insert("enabled".into(), json!(true));
        if let Some(t) = owner {
            o.insert("ownerTeam".into(), json!({"name": t}));
        }
        let mut rotations = Vec::new();
        // (active range, weekly coverage) per layer, for the overlap check
        let mut cover: Vec<((i64, i64), Week)> = Vec::new();
        for l in &s.layers {
            let (rot, active, week) = self.rotation(s, l, tz);
            rotations.push(rot);
            cover.push((active, week));
        }
        for (j, l) in s.layers.iter().enumerate() {
            let ((a2, b2), w2) = &cover[j];
            let earlier: Vec<&str> = (0..j)
                .filter(|&i| {
                    let ((a1, b1), w1) = &cover[i];
                    a1 < b2 && a2 < b1 && !w1.intersect(w2).is_empty()
                })
                .map(|i| s.layers[i].name.name.as_str())
                .collect();
            if !earlier.is_empty() {
                self.warn(
                    l.name.span,
                    format!(
                        "layer `{}` can be on call at the same time as {}; Opsgenie puts every rotation of a schedule on call at once, where escalade's last written layer wins",
                        l.name.name,
                        earlier.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                    ),
                    "exported as rotations that are on call together, so the schedule pages both; restrict the layers with `only` so that they do not overlap",
                );
            }
        }
        if !rotations.is_empty() {
            o.insert("rotations".into(), Value::Array(rotations));
        }
        Value::Object(o)
    }

    /// One rotation, its active range and its weekly coverage (schedule tz).
    fn rotation(&mut self, s: &Schedule, l: &'m Layer, tz: Tz) -> (Value, (i64, i64), Week) {
        let m = self.m;
        let (kind, length, from, until) = match &l.rotation {
            Some(r) => {
                let (kind, length) = match r.kind {
                    RotationKind::Daily => ("daily", 1),
                    RotationKind::Weekly => ("weekly", 1),
                    RotationKind::Every(d) if d % 3600 == 0 => ("hourly", d / 3600),
                    RotationKind::Every(d) => {
                        let hours = ((d + 1800) / 3600).max(1);
                        self.warn(
                            r.span,
                            format!("Opsgenie rotations turn by whole hours, days or weeks; `every {}` is none of them", fmt_secs(d)),
                            format!("exported as an hourly rotation of length {hours} (the nearest whole hours); use a whole number of hours"),
                        );
                        ("hourly", hours)
                    }
                };
                (kind, length, Some(&r.from), r.until.as_ref())
            }
            None => ("weekly", 1, l.from.as_ref(), l.until.as_ref()),
        };
        let start = match from {
            Some(f) => self.half_hour(tz, datetime_instant(tz, &f.value), f.span, "start"),
            None => always_from(tz),
        };
        let end = until.map(|u| self.half_hour(tz, datetime_instant(tz, &u.value), u.span, "end"));
        let participants: Vec<Value> = l
            .members
            .iter()
            .map(|n| match m.person(&n.name).and_then(common::email) {
                Some(e) => json!({"type": "user", "username": e}),
                None => json!({"type": "none"}),
            })
            .collect();
        let mut o = Map::new();
        o.insert("name".into(), json!(l.name.name));
        o.insert("type".into(), json!(kind));
        o.insert("length".into(), json!(length));
        o.insert("startDate".into(), json!(stamp(tz, start)));
        if let Some(e) = end {
            o.insert("endDate".into(), json!(stamp(tz, e)));
        }
        o.insert("participants".into(), if participants.is_empty() { json!([{"type": "none"}]) } else { Value::Array(participants) });
        let mut week = Week::full();
        if !l.only.is_empty() {
            let mut w = Week::default();
            for only in &l.only {
                let span = woh_span(only).unwrap_or(l.name.span);
                let part = self.woh_week(only, tz, tz, start, span, &format!("schedule `{}`", s.name.name));
                w = w.union(&part);
            }
            week = w.clone();
            if let Some(r) = self.restriction(&w, woh_span(&l.only[0]).unwrap_or(l.name.span), "rotation") {
                o.insert("timeRestriction".into(), r);
            }
        }
        let active = (from.map(|_| start).unwrap_or(i64::MIN), end.unwrap_or(i64::MAX));
        (Value::Object(o), active, week)
    }

    /// Opsgenie moves rotation times to the nearest :00 or :30; so does the
    /// export, with a W0900 when that moves one.
    fn half_hour(&mut self, tz: Tz, t: i64, span: Span, what: &str) -> i64 {
        let (r, moved) = round_half_hour(tz, t);
        if moved {
            self.warn(
                span,
                format!("Opsgenie rotation start and end times fall on :00 or :30 of the hour; this {what} does not"),
                format!("exported as {} (the nearest half hour, as Opsgenie would move it); use :00 or :30", stamp(tz, r)),
            );
        }
        r
    }

    fn overrides(&mut self, s: &Schedule) -> Value {
        let m = self.m;
        let tz = m.zone(&s.tz);
        let list: Vec<Value> = s
            .overrides
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let user = if o.is_nobody() {
                    json!({"type": "none"})
                } else {
                    match m.person(&o.person.name).and_then(common::email) {
                        Some(e) => json!({"type": "user", "username": e}),
                        None => json!({"type": "none"}),
                    }
                };
                json!({
                    "alias": format!("{}-{}", s.name.name, i + 1),
                    "user": user,
                    "startDate": stamp(tz, datetime_instant(tz, &o.from.value)),
                    "endDate": stamp(tz, datetime_instant(tz, &o.to.value)),
                })
            })
            .collect();
        Value::Array(list)
    }

    /// The weekly coverage of `only`/`within` windows or hours, in zone
    /// `target`; inline windows are in `own`. Holidays (`except`) and zone
    /// offsets that drift apart over the year are W0900.
    fn woh_week(&mut self, w: &WindowsOrHours, own: Tz, target: Tz, at: i64, span: Span, reader: &str) -> Week {
        let m = self.m;
        let (windows, tz): (&[Window], Tz) = match w {
            WindowsOrHours::Windows(ws) => (ws, own),
            WindowsOrHours::Hours(h) => match m.hours_named(&h.name) {
                Some(hrs) => {
                    if !hrs.except.is_empty() {
                        let cals: Vec<String> = hrs.except.iter().map(|c| format!("`{}`", c.name)).collect();
                        self.warn(
                            span,
                            format!("hours `{}` leave out the days of {}; Opsgenie time restrictions repeat every week and have no holidays", h.name, cals.join(", ")),
                            "exported without the holidays: the restriction also holds on them; add an override or a routing rule by hand for those days",
                        );
                    }
                    (&hrs.windows, m.zone(&hrs.tz))
                }
                None => return Week::default(),
            },
        };
        let mut week = Week::from_windows(windows);
        if tz != target {
            let (shift, steady) = zone_shift(tz, target, at);
            week = week.shift(shift);
            if !steady {
                let name = match w {
                    WindowsOrHours::Hours(h) => format!("hours `{}`", h.name),
                    WindowsOrHours::Windows(_) => "these windows".into(),
                };
                self.warn(
                    span,
                    format!(
                        "{name} are in {}, but Opsgenie reads the restriction in {} ({reader}); the offset between the zones changes over the year (daylight saving)",
                        tz.name(),
                        target.name()
                    ),
                    format!("exported with the offset of {} ({}), so the window moves by the difference for part of the year; use hours in {}", date_of(at), fmt_shift(shift), target.name()),
                );
            }
        }
        week
    }

    /// A `weekday-and-time-of-day` restriction for a weekly coverage, or
    /// `None` when it is the whole week. Boundaries move to the nearest :00
    /// or :30 and more than 15 periods merge across their shortest gaps
    /// (W0900 each).
    fn restriction(&mut self, w: &Week, span: Span, what: &str) -> Option<Value> {
        let (mut w, moved) = w.round_half_hours();
        if moved {
            self.warn(
                span,
                format!("Opsgenie time restrictions start and end on :00 or :30 of the hour; this {what}'s windows do not"),
                "exported with each boundary moved to the nearest half hour, as Opsgenie would move it; use :00 or :30",
            );
        }
        if w.is_full() {
            return None;
        }
        let n = w.periods().len();
        if n > MAX_RESTRICTIONS {
            self.warn(
                span,
                format!("this {what} needs {n} weekly time restrictions; Opsgenie allows at most {MAX_RESTRICTIONS}"),
                format!("exported with the {} shortest gaps between the windows filled in (it covers more); use fewer windows", n - MAX_RESTRICTIONS),
            );
            w = w.at_most(MAX_RESTRICTIONS);
        }
        Some(restriction_json(&w))
    }

    // ----- escalations ----------------------------------------------------

    fn escalation(&mut self, pi: usize, owner: Option<&str>) -> Value {
        let m = self.m;
        let p = &m.policies[pi];
        let mut w = Walk::default();
        let end = self.walk(pi, 0, &mut Vec::new(), &mut w);
        let tier_rules = w.rules.len();
        let repeats = end == End::Timeout && tier_rules > 0 && p.repeat.as_ref().is_some_and(|r| r.value > 0);
        if let Some(u) = &p.unresolved {
            self.unresolved(p, u, repeats, &mut w);
        }
        let mut rules = std::mem::take(&mut w.rules);
        rules.sort_by_key(|r| r.delay);
        let mut o = Map::new();
        o.insert("name".into(), json!(p.name.name));
        if !w.notes.is_empty() {
            o.insert("description".into(), json!(format!("Side effects escalade records (not run by Opsgenie): {}.", w.notes.join("; "))));
        }
        if let Some(t) = owner {
            o.insert("ownerTeam".into(), json!({"name": t}));
        }
        o.insert(
            "rules".into(),
            Value::Array(
                rules
                    .iter()
                    .map(|r| {
                        json!({
                            "condition": r.condition,
                            "notifyType": r.notify_type,
                            "delay": {"timeAmount": r.delay, "timeUnit": "minutes"},
                            "recipient": r.recipient,
                        })
                    })
                    .collect(),
            ),
        );
        if let (Some(rep), true) = (&p.repeat, repeats) {
            let count = rep.value.min(MAX_REPEAT);
            if rep.value > MAX_REPEAT {
                self.warn(
                    rep.span,
                    format!("`repeat {}`: Opsgenie repeats an escalation at most {MAX_REPEAT} times", rep.value),
                    format!("exported as `repeat.count` {MAX_REPEAT}"),
                );
            }
            // the time from the last tier rule to the last tier's timeout
            o.insert(
                "repeat".into(),
                json!({"waitInterval": (w.end - w.last_rule).max(0), "count": count, "resetRecipientStates": false, "closeAlertAfterAll": false}),
            );
        }
        Value::Object(o)
    }

    /// Add the rules of policy `pi`'s tiers from `offset` minutes on;
    /// handoffs continue with the target policy's tiers.
    fn walk(&mut self, pi: usize, mut offset: i64, visited: &mut Vec<usize>, w: &mut Walk) -> End {
        let m = self.m;
        let p = &m.policies[pi];
        visited.push(pi);
        let prefix = if visited.len() > 1 { format!("{}.", p.name.name) } else { String::new() };
        for tier in &p.tiers {
            self.side_effects(tier, &prefix, w);
            if let Some(h) = &tier.handoff {
                match m.ns_policy.get(&h.name) {
                    Some(target) if !visited.contains(&target) => {
                        self.warn(
                            h.span,
                            format!("Opsgenie escalation rules cannot hand off to another escalation (`handoff policy {}`)", h.name),
                            format!("exported with the tiers of `{}` inlined from +{offset}m; its `repeat` and `unresolved after` do not carry over", h.name),
                        );
                        return self.walk(target, offset, visited, w);
                    }
                    _ => {
                        self.warn(
                            h.span,
                            format!("Opsgenie escalation rules cannot hand off to another escalation (`handoff policy {}`), and this one was already entered", h.name),
                            "exported without it: the escalation ends here, as escalade's handoff cycle does",
                        );
                        return End::Handoff;
                    }
                }
            }
            let mut recipients: Vec<(Value, &'static str)> = Vec::new();
            for n in &tier.notify {
                if let Some(v) = n.via.first() {
                    let chans: Vec<&str> = n.via.iter().map(|c| c.value.as_str()).collect();
                    self.warn(
                        v.span,
                        format!("Opsgenie notifies through each user's own notification rules; an escalation rule cannot choose channels (`via {}`)", chans.join(", ")),
                        "exported without `via`: users are notified as their notification rules say",
                    );
                }
                for r in self.recipients(n) {
                    if !recipients.contains(&r) {
                        recipients.push(r);
                    }
                }
            }
            if recipients.is_empty() {
                // reaches nobody: skipped at once, no timer starts
                continue;
            }
            let add = |delay: i64, w: &mut Walk| {
                for (r, nt) in &recipients {
                    w.rules.push(Rule { delay, condition: "if-not-acked", notify_type: nt, recipient: r.clone() });
                }
                w.last_rule = w.last_rule.max(delay);
            };
            add(offset, w);
            if let Some(re) = &tier.renotify {
                match &tier.escalate_after {
                    Some(e) => {
                        let at = renotify_minutes(re.value, e.value, MAX_RENOTIFY);
                        for &rel in &at {
                            add(offset + rel, w);
                        }
                        let list: Vec<String> = at.iter().map(|r| format!("+{r}m")).collect();
                        self.warn(
                            re.span,
                            format!("Opsgenie has no re-notification within an escalation rule (`renotify every {}`)", fmt_secs(re.value)),
                            if list.is_empty() {
                                "exported without it: no re-notification falls before the tier's timeout in whole minutes".to_string()
                            } else {
                                format!("exported as the tier's rules repeated at {} after it is entered (schedules are read again at each)", list.join(", "))
                            },
                        );
                    }
                    None => self.warn(
                        re.span,
                        format!("Opsgenie has no re-notification within an escalation rule (`renotify every {}` on a tier without `escalate after`)", fmt_secs(re.value)),
                        "exported without it: the tier is notified once; give the tier an `escalate after` to get repeated rules",
                    ),
                }
            }
            match &tier.escalate_after {
                None => return End::Terminal,
                Some(e) => {
                    let (mins, whole) = minutes_up(e.value);
                    if !whole {
                        self.warn(
                            e.span,
                            format!("Opsgenie escalation delays are whole minutes, counted from the start of the escalation; `escalate after {}` is not", fmt_secs(e.value)),
                            format!("exported as {mins}m (rounded up, as `simulate --engine opsgenie` does)"),
                        );
                    }
                    offset += mins;
                }
            }
        }
        w.end = offset;
        End::Timeout
    }

    fn side_effects(&mut self, tier: &'m Tier, prefix: &str, w: &mut Walk) {
        for c in &tier.checkpoints {
            self.warn(
                c.span,
                format!("Opsgenie escalations have no manual checkpoint (`checkpoint \"{}\"`)", c.value),
                "exported as a line of the escalation's description only; nothing waits for it",
            );
            w.notes.push(format!("{prefix}{}: checkpoint \"{}\"", tier.name.name, c.value));
        }
        for c in &tier.channels {
            self.warn(
                c.span,
                format!("Opsgenie escalations do not open channels (`open channel \"{}\"`)", c.value),
                "exported as a line of the escalation's description only; open it with an Opsgenie action or integration",
            );
            w.notes.push(format!("{prefix}{}: open channel \"{}\"", tier.name.name, c.value));
        }
    }

    /// `unresolved after D escalate to T`: T's targets as `if-not-closed`
    /// rules at D (W0900: they also fire when nobody acknowledged, and not
    /// for an acknowledgement after D).
    fn unresolved(&mut self, p: &'m Policy, u: &'m Unresolved, repeats: bool, w: &mut Walk) {
        let m = self.m;
        let Some((_, tier)) = m.tier(p, &u.tier.name) else { return };
        let (mins, whole) = minutes_up(u.after.value);
        let mut n = 0;
        for notify in &tier.notify {
            for (r, nt) in self.recipients(notify) {
                w.rules.push(Rule { delay: mins, condition: "if-not-closed", notify_type: nt, recipient: r });
                n += 1;
            }
        }
        let rounded = if whole { String::new() } else { format!(" ({} rounded up to {mins}m)", fmt_secs(u.after.value)) };
        self.warn(
            u.span,
            "Opsgenie has no resolution timeout that pages only acknowledged alerts (`unresolved after`)",
            if n == 0 {
                format!("not exported: tier `{}` pages nobody; its side effects are in the description", u.tier.name)
            } else {
                format!(
                    "exported as `if-not-closed` rules for tier `{}` at +{mins}m{rounded}: they also fire when nobody acknowledged, and not for an acknowledgement after that{}",
                    u.tier.name,
                    if repeats { "; `repeat` runs them again in every round" } else { "" }
                )
            },
        );
    }

    /// The rule recipients of one `notify`, with their `notifyType`; targets
    /// that statically reach nobody and people without email are left out.
    fn recipients(&self, n: &Notify) -> Vec<(Value, &'static str)> {
        let m = self.m;
        let mut out = Vec::new();
        for t in &n.targets {
            if !m.target_people(t).iter().any(|p| m.reachable(p, &n.via)) {
                continue;
            }
            let user = |name: &str| m.person(name).and_then(common::email).map(|e| (json!({"type": "user", "username": e}), "default"));
            let r = match t.kind {
                TargetKind::Person => user(&t.name.name),
                TargetKind::Lead => m.team(&t.name.name).and_then(|team| team.lead.as_ref()).and_then(|l| user(&l.name)),
                TargetKind::Team => Some((json!({"type": "team", "name": t.name.name}), "all")),
                TargetKind::Schedule => Some((json!({"type": "schedule", "name": t.name.name}), "default")),
            };
            out.extend(r);
        }
        out
    }

    // ----- team routing rules ---------------------------------------------

    /// The routing rules of team `ti` from the routes (indexes, in order)
    /// that can match its alerts.
    fn team_rules(&mut self, ti: usize, services: &[&'m Service], routes: &[usize]) -> Vec<Value> {
        let m = self.m;
        let team = &m.teams[ti];
        let cx = TeamCx { team: &team.name.name, services: services.iter().map(|s| s.name.name.as_str()).collect() };
        let mut rules: Vec<Value> = Vec::new();
        let escalation = |p: &str| json!({"type": "escalation", "name": p});
        for r in routes.iter().filter_map(|&i| m.routes.get(i)) {
            if r.when.as_ref().is_some_and(|c| static_value(m, &c.value, &cx) == Some(false)) {
                // never matches this team's alerts
                continue;
            }
            let mut b = DnfBuilder { overflow: false };
            let mut dnf: Dnf = Vec::new();
            for conj in match &r.when {
                Some(c) => self.dnf(&c.value, true, &cx, &mut b),
                None => vec![Vec::new()],
            } {
                if !dnf.contains(&conj) {
                    dnf.push(conj);
                }
            }
            if b.overflow {
                self.warn(
                    r.name.span,
                    format!("route `{}` expands into more than {MAX_RULES_PER_ROUTE} Opsgenie routing rules (one per alternative of its condition)", r.name.name),
                    format!("only the first {MAX_RULES_PER_ROUTE} are exported; alerts matching the others fall through to later rules"),
                );
            }
            let targets: Vec<(Vec<Lit>, Value)> = if let Some(p) = &r.to {
                dnf.into_iter().map(|c| (c, escalation(&p.name))).collect()
            } else if r.suppress.is_some() {
                dnf.into_iter().map(|c| (c, json!({"type": "none"}))).collect()
            } else if r.cont.is_some() {
                Vec::new()
            } else {
                // a matching route that neither decides nor continues ends
                // evaluation: the service's own policy applies
                let mut v = Vec::new();
                for c in dnf {
                    for s in services {
                        let mut conj = c.clone();
                        conj.push(Lit::Cond(Cond1::service(&s.name.name)));
                        let notify = s.policy.as_ref().map(|p| escalation(&p.name)).unwrap_or_else(|| json!({"type": "none"}));
                        v.push((conj, notify));
                    }
                }
                v
            };
            let many = targets.len() > 1;
            for (k, (conj, notify)) in targets.into_iter().take(MAX_RULES_PER_ROUTE).enumerate() {
                let name = if many { format!("{}-{}", r.name.name, k + 1) } else { r.name.name.clone() };
                if let Some(rule) = self.routing_rule(&name, rules.len(), conj, notify) {
                    rules.push(rule);
                }
            }
        }
        for s in services {
            if let Some(p) = &s.policy {
                let name = format!("service-{}", s.name.name);
                if let Some(rule) = self.routing_rule(&name, rules.len(), vec![Lit::Cond(Cond1::service(&s.name.name))], escalation(&p.name)) {
                    rules.push(rule);
                }
            }
        }
        rules.push(json!({"name": "unrouted", "order": rules.len(), "criteria": {"type": "match-all"}, "notify": {"type": "none"}}));
        rules
    }

    /// One routing rule body; `None` when its time restriction is empty.
    fn routing_rule(&mut self, name: &str, order: usize, conj: Vec<Lit>, notify: Value) -> Option<Value> {
        let mut conds: Vec<Cond1> = Vec::new();
        let mut time: Option<(Week, Tz, Span)> = None;
        for lit in conj {
            match lit {
                Lit::Cond(c) => {
                    if !conds.contains(&c) {
                        conds.push(c);
                    }
                }
                Lit::Time(w, tz, sp) => {
                    time = Some(match time {
                        None => (w, tz, sp),
                        Some((w0, tz0, sp0)) => {
                            let (shift, steady) = zone_shift(tz, tz0, REFERENCE);
                            if !steady {
                                self.warn(
                                    sp,
                                    format!("this condition's windows are in {}, another one's of the same rule in {}; Opsgenie reads a routing rule's restriction in one zone, and their offset changes over the year", tz.name(), tz0.name()),
                                    format!("exported with the offset of {} ({})", date_of(REFERENCE), fmt_shift(shift)),
                                );
                            }
                            (w0.intersect(&w.shift(shift)), tz0, sp0)
                        }
                    });
                }
            }
        }
        if contradictory(&conds) {
            return None;
        }
        let mut o = Map::new();
        o.insert("name".into(), json!(name));
        o.insert("order".into(), json!(order));
        o.insert(
            "criteria".into(),
            if conds.is_empty() {
                json!({"type": "match-all"})
            } else {
                json!({"type": "match-all-conditions", "conditions": conds.iter().enumerate().map(|(i, c)| c.json(i)).collect::<Vec<_>>()})
            },
        );
        if let Some((w, tz, sp)) = time {
            if w.is_empty() {
                return None;
            }
            if let Some(r) = self.restriction(&w, sp, "routing rule") {
                o.insert("timeRestriction".into(), r);
                o.insert("timezone".into(), json!(tz.name()));
            }
        }
        o.insert("notify".into(), notify);
        Some(Value::Object(o))
    }

    /// W0900 for what a route does besides deciding or suppressing.
    fn route_notes(&mut self, r: &'m Route) {
        for s in &r.sets {
            let what = match &s.value {
                SetAction::Severity(id) => format!("set severity {}", id.name),
                SetAction::Label { key, value } => format!("set {} \"{}\"", Field::Label(key.value.clone()).describe(), value.value),
            };
            self.warn(
                s.span,
                format!("Opsgenie team routing rules cannot change an alert (`{what}`)"),
                "not exported: later rules see the alert as it arrived; an Opsgenie alert policy can modify alerts before routing",
            );
        }
        for a in &r.also {
            let targets: Vec<String> = a.targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.name.name)).collect();
            self.warn(
                a.span,
                format!("an Opsgenie routing rule notifies one escalation or schedule; `also {}` pages more", targets.join(", ")),
                "not exported: add the targets as responders with an Opsgenie alert policy",
            );
        }
    }

    /// The condition in disjunctive normal form for one team's alerts:
    /// alternatives of conjunctions of Opsgenie conditions and time
    /// windows. `team` is decided by the team itself, `service` by its
    /// services; `pos` false negates.
    fn dnf(&mut self, c: &'m Cond, pos: bool, cx: &TeamCx, b: &mut DnfBuilder) -> Dnf {
        let m = self.m;
        match c {
            Cond::Not(x) => self.dnf(x, !pos, cx, b),
            Cond::And(xs) | Cond::Or(xs) => {
                let conjunctive = matches!(c, Cond::And(_)) == pos;
                let parts: Vec<Dnf> = xs.iter().map(|x| self.dnf(x, pos, cx, b)).collect();
                if conjunctive {
                    parts.into_iter().fold(vec![Vec::new()], |acc, p| b.product(acc, p))
                } else {
                    let mut out = Vec::new();
                    for p in parts {
                        out.extend(p);
                    }
                    b.cap(out)
                }
            }
            Cond::In { field, values } => {
                let parts: Vec<Dnf> = values.iter().map(|v| self.atom_eq(&field.value, field.span, v, pos, cx)).collect();
                if pos {
                    b.cap(parts.into_iter().flatten().collect())
                } else {
                    parts.into_iter().fold(vec![Vec::new()], |acc, p| b.product(acc, p))
                }
            }
            Cond::Cmp { field, op, value } => match op {
                CmpOp::Eq => self.atom_eq(&field.value, field.span, value, pos, cx),
                CmpOp::Ne => self.atom_eq(&field.value, field.span, value, !pos, cx),
                _ => {
                    let Some(r) = m.severity_rank(&value.text).filter(|_| field.value == Field::Severity) else { return constant(!pos) };
                    let n = m.org.severities.len();
                    let ranks: Vec<usize> = match op {
                        CmpOp::Ge => (0..=r).collect(),
                        CmpOp::Gt => (0..r).collect(),
                        CmpOp::Le => (r..n).collect(),
                        _ => (r + 1..n).collect(),
                    };
                    self.severities(&ranks, value.span, pos)
                }
            },
            Cond::Matches { field, pattern } => match &field.value {
                Field::Team => constant(m.regex(&pattern.value).is_some_and(|re| re.is_match(cx.team)) == pos),
                Field::Service => {
                    let hits = cx.services.iter().filter(|s| m.regex(&pattern.value).is_some_and(|re| re.is_match(s))).count();
                    if hits == 0 || hits == cx.services.len() {
                        constant((hits > 0) == pos)
                    } else {
                        vec![vec![Lit::Cond(Cond1::field(&field.value, "matches", format!(".*(?:{}).*", pattern.value), !pos))]]
                    }
                }
                f => {
                    self.label_note(f, field.span);
                    vec![vec![Lit::Cond(Cond1::field(f, "matches", format!(".*(?:{}).*", pattern.value), !pos))]]
                }
            },
            Cond::Within { hours, span } | Cond::Outside { hours, span } => {
                let inside = matches!(c, Cond::Within { .. }) == pos;
                let tz = match hours {
                    WindowsOrHours::Hours(h) => m.hours_named(&h.name).map(|x| m.zone(&x.tz)).unwrap_or(m.org.tz),
                    WindowsOrHours::Windows(_) => m.org.tz,
                };
                let w = self.woh_week(hours, m.org.tz, tz, REFERENCE, *span, "routing rule");
                let w = if inside { w } else { w.complement() };
                vec![vec![Lit::Time(w, tz, *span)]]
            }
        }
    }

    /// `field == value` (or its negation).
    fn atom_eq(&mut self, field: &Field, field_span: Span, v: &crate::syntax::ast::Value, pos: bool, cx: &TeamCx) -> Dnf {
        match field {
            Field::Team => constant((v.text == cx.team) == pos),
            Field::Service if !cx.services.contains(&v.text.as_str()) => constant(!pos),
            Field::Severity => match self.m.severity_rank(&v.text) {
                Some(r) => self.severities(&[r], v.span, pos),
                None => constant(!pos),
            },
            f => {
                self.label_note(f, field_span);
                vec![vec![Lit::Cond(Cond1::field(f, "equals", v.text.clone(), !pos))]]
            }
        }
    }

    /// "the severity is one of `ranks`" as priority conditions.
    fn severities(&mut self, ranks: &[usize], span: Span, pos: bool) -> Dnf {
        let m = self.m;
        let mut ps: Vec<u8> = Vec::new();
        for &r in ranks {
            let p = match priority(m, r) {
                Some(p) => p,
                None => {
                    let name = m.org.severities.get(r).map(|s| s.name.as_str()).unwrap_or("?");
                    self.warn(
                        span,
                        format!("severity `{name}` is beyond P5; Opsgenie alert priorities are P1–P5"),
                        format!("read as P5 in this condition; give `{name}` an alias \"P1\"…\"P5\" in the org's `severities` to choose its priority"),
                    );
                    5
                }
            };
            if !ps.contains(&p) {
                ps.push(p);
            }
        }
        ps.sort_unstable();
        if ps.is_empty() || ps.len() == 5 {
            // no severity, or every priority: the condition is constant
            return constant((ps.len() == 5) == pos);
        }
        let lit = |p: u8, not: bool| Lit::Cond(Cond1 { field: "priority", key: None, op: "equals", value: format!("P{p}"), not });
        if pos {
            ps.iter().map(|&p| vec![lit(p, false)]).collect()
        } else {
            vec![ps.iter().map(|&p| lit(p, true)).collect()]
        }
    }

    /// A condition on `labels.KEY` that a service declares reads the
    /// service's label in escalade, which Opsgenie alerts do not carry.
    fn label_note(&mut self, f: &Field, span: Span) {
        let Field::Label(k) = f else { return };
        let m = self.m;
        let declared = *self.label_services.entry(k.clone()).or_insert_with(|| {
            let mut with = m.services.iter().filter(|s| s.labels.iter().any(|l| &l.key.value == k)).map(|s| s.name.name.as_str());
            with.next().map(|first| (first, with.next().is_some()))
        });
        if let Some((first, more)) = declared {
            self.warn(
                span,
                format!("Opsgenie routing rules read only the alert's own extra properties; `{}` falls back to the label of service `{first}`{} in escalade", f.describe(), if more { " and others" } else { "" }),
                "exported as a condition on the alert's extra property: alerts must carry the service's labels themselves",
            );
        }
    }
}

/// For every team (by index), the routes (indexes, in order) that may
/// match its alerts: those whose `when` names no `service` or `team` it
/// must have, and those naming one of the team's services or the team.
fn routes_by_team(m: &Model) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); m.teams.len()];
    for (ri, r) in m.routes.iter().enumerate() {
        let restricted = r.when.as_ref().and_then(|c| restriction(&c.value));
        match restricted {
            None => out.iter_mut().for_each(|v| v.push(ri)),
            Some(names) => {
                let mut teams: Vec<usize> = Vec::new();
                for (field, name) in names {
                    let t = match field {
                        Field::Team => m.ns_team.get(name),
                        _ => m.service(name).and_then(|s| s.owner.as_ref()).and_then(|o| m.ns_team.get(&o.name)),
                    };
                    if let Some(t) = t.filter(|t| !teams.contains(t)) {
                        teams.push(t);
                    }
                }
                for t in teams {
                    out[t].push(ri);
                }
            }
        }
    }
    out
}

/// The `service` and `team` values a condition requires one of, when it
/// does (positive `==` and `in` atoms under `and`, all branches of `or`).
fn restriction(c: &Cond) -> Option<Vec<(&Field, &str)>> {
    match c {
        Cond::Cmp { field, op: CmpOp::Eq, value } if matches!(field.value, Field::Service | Field::Team) => Some(vec![(&field.value, value.text.as_str())]),
        Cond::In { field, values } if matches!(field.value, Field::Service | Field::Team) => Some(values.iter().map(|v| (&field.value, v.text.as_str())).collect()),
        Cond::And(xs) => xs.iter().find_map(restriction),
        Cond::Or(xs) => {
            let mut all = Vec::new();
            for x in xs {
                all.extend(restriction(x)?);
            }
            Some(all)
        }
        _ => None,
    }
}

/// What a condition is for every alert of the team, from its `team` and
/// `service` atoms alone (`None`: it depends on other fields). A cheap
/// test before the expansion into alternatives.
fn static_value(m: &Model, c: &Cond, cx: &TeamCx) -> Option<bool> {
    let eq = |f: &Field, v: &str| match f {
        Field::Team => Some(v == cx.team),
        Field::Service if !cx.services.contains(&v) => Some(false),
        _ => None,
    };
    match c {
        Cond::Not(x) => static_value(m, x, cx).map(|b| !b),
        Cond::And(xs) => {
            let vs: Vec<Option<bool>> = xs.iter().map(|x| static_value(m, x, cx)).collect();
            if vs.contains(&Some(false)) {
                Some(false)
            } else if vs.iter().all(|v| *v == Some(true)) {
                Some(true)
            } else {
                None
            }
        }
        Cond::Or(xs) => {
            let vs: Vec<Option<bool>> = xs.iter().map(|x| static_value(m, x, cx)).collect();
            if vs.contains(&Some(true)) {
                Some(true)
            } else if vs.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Cond::Cmp { field, op: CmpOp::Eq, value } => eq(&field.value, &value.text),
        Cond::Cmp { field, op: CmpOp::Ne, value } => eq(&field.value, &value.text).map(|b| !b),
        Cond::In { field, values } => {
            let vs: Vec<Option<bool>> = values.iter().map(|v| eq(&field.value, &v.text)).collect();
            if vs.contains(&Some(true)) {
                Some(true)
            } else if vs.iter().all(|v| *v == Some(false)) {
                Some(false)
            } else {
                None
            }
        }
        Cond::Matches { field, pattern } if field.value == Field::Team => m.regex(&pattern.value).map(|re| re.is_match(cx.team)),
        _ => None,
    }
}

/// The team whose routing rules are being built.
struct TeamCx<'a> {
    team: &'a str,
    services: Vec<&'a str>,
}

/// One Opsgenie condition.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cond1 {
    field: &'static str,
    key: Option<String>,
    op: &'static str,
    value: String,
    not: bool,
}

impl Cond1 {
    fn field(f: &Field, op: &'static str, value: String, not: bool) -> Cond1 {
        let (field, key) = match f {
            Field::Summary => ("message", None),
            Field::Source => ("source", None),
            Field::Service => ("extra-properties", Some("service".to_string())),
            Field::Label(k) => ("extra-properties", Some(k.clone())),
            Field::Severity => ("priority", None),
            Field::Team => ("teams", None),
        };
        Cond1 { field, key, op, value, not }
    }
    fn service(name: &str) -> Cond1 {
        Cond1::field(&Field::Service, "equals", name.to_string(), false)
    }
    fn json(&self, order: usize) -> Value {
        let mut o = Map::new();
        o.insert("field".into(), json!(self.field));
        if let Some(k) = &self.key {
            o.insert("key".into(), json!(k));
        }
        o.insert("not".into(), json!(self.not));
        o.insert("operation".into(), json!(self.op));
        o.insert("expectedValue".into(), json!(self.value));
        o.insert("order".into(), json!(order));
        Value::Object(o)
    }
}

/// Two positive `equals` on one field with different values, or a
/// condition together with its negation: the rule can never match.
fn contradictory(conds: &[Cond1]) -> bool {
    conds.iter().enumerate().any(|(i, a)| {
        conds[i + 1..].iter().any(|b| {
            a.field == b.field
                && a.key == b.key
                && ((a.op == b.op && a.value == b.value && a.not != b.not) || (a.op == "equals" && b.op == "equals" && !a.not && !b.not && a.value != b.value))
        })
    })
}

#[derive(Debug, Clone, PartialEq)]
enum Lit {
    Cond(Cond1),
    /// inside these weekly windows of this zone; the span of the condition
    Time(Week, Tz, Span),
}

/// Alternatives of conjunctions: `[]` is false, `[[]]` is true.
type Dnf = Vec<Vec<Lit>>;

fn constant(b: bool) -> Dnf {
    if b {
        vec![Vec::new()]
    } else {
        Vec::new()
    }
}

struct DnfBuilder {
    overflow: bool,
}

impl DnfBuilder {
    fn cap(&mut self, mut d: Dnf) -> Dnf {
        if d.len() > MAX_RULES_PER_ROUTE {
            d.truncate(MAX_RULES_PER_ROUTE + 1);
            self.overflow = true;
        }
        d
    }
    fn product(&mut self, a: Dnf, b: Dnf) -> Dnf {
        let mut out = Vec::new();
        'outer: for x in &a {
            for y in &b {
                if out.len() > MAX_RULES_PER_ROUTE {
                    self.overflow = true;
                    break 'outer;
                }
                let mut c = x.clone();
                c.extend(y.iter().cloned());
                out.push(c);
            }
        }
        out
    }
}

/// A `weekday-and-time-of-day` restriction from a (rounded) weekly coverage.
fn restriction_json(w: &Week) -> Value {
    let list: Vec<Value> = w
        .periods()
        .into_iter()
        .map(|(a, b)| {
            let (sd, sh, sm) = week::day_time(a);
            let (ed, eh, em) = week::day_time(b);
            json!({"startDay": sd, "startHour": sh, "startMin": sm, "endDay": ed, "endHour": eh, "endMin": em})
        })
        .collect();
    json!({"type": "weekday-and-time-of-day", "restrictions": list})
}

fn woh_span(w: &WindowsOrHours) -> Option<Span> {
    match w {
        WindowsOrHours::Hours(h) => Some(h.span),
        WindowsOrHours::Windows(ws) => {
            let (a, b) = (ws.first()?, ws.last()?);
            Some(Span { end: b.span.end.max(a.span.start), ..a.span })
        }
    }
}

fn offset_secs(tz: Tz, t: i64) -> i64 {
    chrono::DateTime::from_timestamp(t, 0).map(|d| i64::from(tz.offset_from_utc_datetime(&d.naive_utc()).fix().local_minus_utc())).unwrap_or(0)
}

/// Minutes to add to a wall time in `from` to get the same instant's wall
/// time in `to`, at instant `t`, and whether that holds for the year from
/// `t` (weekly samples).
fn zone_shift(from: Tz, to: Tz, t: i64) -> (i64, bool) {
    let at = |t: i64| (offset_secs(to, t) - offset_secs(from, t)).div_euclid(60);
    let d = at(t);
    let steady = (1..=53).all(|k| at(t + k * 7 * 86_400) == d);
    (d, steady)
}

fn fmt_shift(minutes: i64) -> String {
    let sign = if minutes < 0 { '-' } else { '+' };
    let a = minutes.abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

fn date_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// `2026-01-05T09:00:00-05:00`: the instant as a wall time of `tz`.
fn stamp(tz: Tz, t: i64) -> String {
    tz.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%dT%H:%M:%S%:z").to_string()).unwrap_or_default()
}

/// The instant moved to the nearest :00 or :30 of its wall time in `tz`
/// (half up), and whether it moved.
fn round_half_hour(tz: Tz, t: i64) -> (i64, bool) {
    let Some(local) = tz.timestamp_opt(t, 0).single() else { return (t, false) };
    let x = i64::from(local.minute() * 60 + local.second());
    let r = (x + 900) / 1800 * 1800;
    (t - x + r, x % 1800 != 0)
}

/// Monday 2020-01-06 00:00 in `tz`: the start of a layer that always covers.
fn always_from(tz: Tz) -> i64 {
    NaiveDate::from_ymd_opt(2020, 1, 6)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|l| crate::time::resolve_local(tz, l))
        .unwrap_or(REFERENCE)
}

/// Weekly coverage as minutes of the week from Monday 00:00.
pub mod week {
    use crate::syntax::ast::Window;

    pub const WEEK: i64 = 7 * 1440;
    pub const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];

    /// Sorted, disjoint, non-adjacent `[a, b)` intervals within `[0, WEEK]`.
    #[derive(Debug, Clone, Default, PartialEq, Eq)]
    pub struct Week(pub Vec<(i64, i64)>);

    /// (day name, hour, minute) of a minute of the week (wrapping).
    pub fn day_time(t: i64) -> (&'static str, i64, i64) {
        let t = t.rem_euclid(WEEK);
        (DAYS[(t / 1440) as usize], t % 1440 / 60, t % 60)
    }

    impl Week {
        pub fn full() -> Week {
            Week(vec![(0, WEEK)])
        }
        pub fn is_full(&self) -> bool {
            self.0 == [(0, WEEK)]
        }
        pub fn is_empty(&self) -> bool {
            self.0.is_empty()
        }

        /// Intervals in minutes of the week, any of them crossing the end
        /// of the week or lying outside it (taken modulo a week).
        pub fn from_intervals(v: impl IntoIterator<Item = (i64, i64)>) -> Week {
            let mut pieces = Vec::new();
            for (a, b) in v {
                if b <= a {
                    continue;
                }
                if b - a >= WEEK {
                    return Week::full();
                }
                let a0 = a.rem_euclid(WEEK);
                let b0 = a0 + (b - a);
                if b0 <= WEEK {
                    pieces.push((a0, b0));
                } else {
                    pieces.push((a0, WEEK));
                    pieces.push((0, b0 - WEEK));
                }
            }
            pieces.sort_unstable();
            let mut out: Vec<(i64, i64)> = Vec::with_capacity(pieces.len());
            for (a, b) in pieces {
                match out.last_mut() {
                    Some(last) if a <= last.1 => last.1 = last.1.max(b),
                    _ => out.push((a, b)),
                }
            }
            Week(out)
        }

        /// `DAYS HH:MM-HH:MM` windows; a window that wraps midnight belongs
        /// to its start day.
        pub fn from_windows(ws: &[Window]) -> Week {
            let mut v = Vec::new();
            for w in ws {
                let (s, e) = (i64::from(w.start_min), i64::from(w.end_min));
                let len = if e > s { e - s } else { e + 1440 - s };
                for (d, on) in w.days.iter().enumerate() {
                    if *on {
                        let a = d as i64 * 1440 + s;
                        v.push((a, a + len));
                    }
                }
            }
            Week::from_intervals(v)
        }

        pub fn union(&self, o: &Week) -> Week {
            Week::from_intervals(self.0.iter().chain(o.0.iter()).copied())
        }

        pub fn intersect(&self, o: &Week) -> Week {
            let (mut i, mut j) = (0, 0);
            let mut out = Vec::new();
            while i < self.0.len() && j < o.0.len() {
                let (a1, b1) = self.0[i];
                let (a2, b2) = o.0[j];
                let (a, b) = (a1.max(a2), b1.min(b2));
                if a < b {
                    out.push((a, b));
                }
                if b1 < b2 {
                    i += 1;
                } else {
                    j += 1;
                }
            }
            Week(out)
        }

        pub fn complement(&self) -> Week {
            let mut out = Vec::new();
            let mut cur = 0;
            for &(a, b) in &self.0 {
                if a > cur {
                    out.push((cur, a));
                }
                cur = b;
            }
            if cur < WEEK {
                out.push((cur, WEEK));
            }
            Week(out)
        }

        /// Moved by `minutes` (wrapping around the week).
        pub fn shift(&self, minutes: i64) -> Week {
            Week::from_intervals(self.0.iter().map(|&(a, b)| (a + minutes, b + minutes)))
        }

        /// Maximal periods in order, the one crossing the end of the week
        /// (Sunday into Monday) joined into one that ends past `WEEK`.
        pub fn periods(&self) -> Vec<(i64, i64)> {
            let mut v = self.0.clone();
            if v.len() >= 2 && v[0].0 == 0 && v[v.len() - 1].1 == WEEK {
                let first = v.remove(0);
                if let Some(last) = v.last_mut() {
                    last.1 = WEEK + first.1;
                }
            }
            v
        }

        /// Every boundary moved to the nearest :00 or :30 (half up), and
        /// whether any moved.
        pub fn round_half_hours(&self) -> (Week, bool) {
            let round = |t: i64| (t + 15) / 30 * 30;
            let moved = self.0.iter().any(|&(a, b)| a % 30 != 0 || b % 30 != 0);
            (Week::from_intervals(self.0.iter().map(|&(a, b)| (round(a), round(b)))), moved)
        }

        /// At most `n` periods: the shortest gaps (between consecutive
        /// periods, around the week) filled in.
        pub fn at_most(&self, n: usize) -> Week {
            let mut w = self.clone();
            loop {
                let p = w.periods();
                if p.len() <= n.max(1) {
                    return w;
                }
                // gap after period i: to the start of the next (around the week)
                let gap = |i: usize| {
                    let next = if i + 1 < p.len() { p[i + 1].0 } else { p[0].0 + WEEK };
                    (next - p[i].1, i)
                };
                let Some((_, i)) = (0..p.len()).map(gap).min() else { return w };
                let next = if i + 1 < p.len() { p[i + 1].0 } else { p[0].0 + WEEK };
                w = w.union(&Week::from_intervals([(p[i].1, next)]));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::week::{Week, WEEK};
    use super::*;

    fn ws(src: &str) -> crate::workspace::Workspace {
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.is_empty(), "{:?}", ws.findings);
        ws
    }

    fn window(days: &[usize], s: u16, e: u16) -> Window {
        let mut d = [false; 7];
        for &x in days {
            d[x] = true;
        }
        Window { days: d, start_min: s, end_min: e, span: Span::default() }
    }

    #[test]
    fn weekly_windows_wrap_merge_and_join_across_the_week_end() {
        // mon-fri 09:00-17:00: five periods
        let w = Week::from_windows(&[window(&[0, 1, 2, 3, 4], 540, 1020)]);
        assert_eq!(w.0.len(), 5);
        assert_eq!(w.0[0], (540, 1020));
        // sun 22:00-06:00 wraps into Monday: one period across the week end
        let w = Week::from_windows(&[window(&[6], 1320, 360)]);
        assert_eq!(w.0, vec![(0, 360), (6 * 1440 + 1320, WEEK)]);
        assert_eq!(w.periods(), vec![(6 * 1440 + 1320, WEEK + 360)]);
        // every night 20:00-08:00 plus every day 08:00-20:00 is the whole week
        let all = Week::from_windows(&[window(&[0, 1, 2, 3, 4, 5, 6], 1200, 480), window(&[0, 1, 2, 3, 4, 5, 6], 480, 1200)]);
        assert!(all.is_full());
        // 24:00 ends at the next midnight
        let w = Week::from_windows(&[window(&[5], 0, 1440)]);
        assert_eq!(w.0, vec![(5 * 1440, 6 * 1440)]);
        assert!(w.complement().union(&w).is_full());
        assert!(w.complement().intersect(&w).is_empty());
    }

    #[test]
    fn shifts_rounding_and_the_fifteen_period_limit() {
        let w = Week::from_windows(&[window(&[0], 60, 120)]);
        assert_eq!(w.shift(-120).0, vec![(WEEK - 60, WEEK)]);
        let (r, moved) = Week::from_windows(&[window(&[0], 555, 1010)]).round_half_hours();
        assert!(moved);
        assert_eq!(r.0, vec![(570, 1020)]);
        let (_, moved) = Week::from_windows(&[window(&[0], 540, 1050)]).round_half_hours();
        assert!(!moved);
        // 21 one-hour windows (three a day) → 15, the shortest gaps filled first
        let many = Week::from_windows(&[window(&[0, 1, 2, 3, 4, 5, 6], 60, 120), window(&[0, 1, 2, 3, 4, 5, 6], 180, 240), window(&[0, 1, 2, 3, 4, 5, 6], 600, 660)]);
        assert_eq!(many.periods().len(), 21);
        let fewer = many.at_most(15);
        assert_eq!(fewer.periods().len(), 15);
        assert!(many.intersect(&fewer) == many, "merging only adds coverage");
        // the one-hour gaps (02:00-03:00) go first
        assert!(fewer.0.contains(&(60, 240)));
    }

    #[test]
    fn restrictions_name_days_and_end_at_the_next_midnight() {
        let w = Week::from_windows(&[window(&[4], 1320, 360), window(&[0], 0, 1440)]);
        let v = restriction_json(&w);
        assert_eq!(
            v,
            json!({"type": "weekday-and-time-of-day", "restrictions": [
                {"startDay": "monday", "startHour": 0, "startMin": 0, "endDay": "tuesday", "endHour": 0, "endMin": 0},
                {"startDay": "friday", "startHour": 22, "startMin": 0, "endDay": "saturday", "endHour": 6, "endMin": 0},
            ]})
        );
        let w = Week::from_windows(&[window(&[6], 1200, 480)]);
        assert_eq!(
            restriction_json(&w)["restrictions"][0],
            json!({"startDay": "sunday", "startHour": 20, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 0})
        );
    }

    #[test]
    fn zone_shifts_are_steady_only_without_diverging_daylight_saving() {
        let (d, steady) = zone_shift(Tz::Asia__Singapore, Tz::UTC, REFERENCE);
        assert_eq!((d, steady), (-480, true));
        let (d, steady) = zone_shift(Tz::Europe__Berlin, Tz::UTC, REFERENCE);
        assert_eq!((d, steady), (-60, false));
        let (d, steady) = zone_shift(Tz::Europe__Berlin, Tz::Europe__Paris, REFERENCE);
        assert_eq!((d, steady), (0, true));
    }

    #[test]
    fn rotations_map_kinds_lengths_starts_and_restrictions() {
        let w = ws(r#"
person a { email "a@x.io" }
person b { sms "+1" }
hours day { tz "America/New_York"  mon-fri 09:00-17:00 }
schedule s {
  tz "America/New_York"
  layer weekly { rotation weekly from 2026-01-05 09:00 until 2026-06-01 09:00  members a, b }
  layer hourly { rotation every 12h from 2026-01-05 08:00  members a  only sat-sun 08:00-20:00 }
  layer odd { rotation every 90m from 2026-01-05 08:15  members a }
  layer always { members a  only day }
}
"#);
        let m = &w.model;
        let mut x = Ctx::new(m);
        let v = x.schedule(&m.schedules[0], None);
        let r = &v["rotations"];
        assert_eq!(r[0]["type"], "weekly");
        assert_eq!(r[0]["startDate"], "2026-01-05T09:00:00-05:00");
        assert_eq!(r[0]["endDate"], "2026-06-01T09:00:00-04:00");
        assert_eq!(r[0]["participants"], json!([{"type": "user", "username": "a@x.io"}, {"type": "none"}]));
        assert!(r[0].get("timeRestriction").is_none());
        assert_eq!((r[1]["type"].as_str(), r[1]["length"].as_i64()), (Some("hourly"), Some(12)));
        assert_eq!(r[1]["timeRestriction"]["restrictions"].as_array().map(Vec::len), Some(2));
        assert_eq!((r[2]["type"].as_str(), r[2]["length"].as_i64()), (Some("hourly"), Some(2)));
        assert_eq!(r[2]["startDate"], "2026-01-05T08:30:00-05:00");
        assert_eq!(r[3]["startDate"], "2020-01-06T00:00:00-05:00");
        assert_eq!(r[3]["timeRestriction"]["restrictions"][4], json!({"startDay": "friday", "startHour": 9, "startMin": 0, "endDay": "friday", "endHour": 17, "endMin": 0}));
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("`every 1h30m`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("fall on :00 or :30")), "{msgs:?}");
        // the layers overlap: later ones are reported
        assert!(msgs.iter().any(|m| m.starts_with("layer `odd` can be on call at the same time as `weekly`, `hourly`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("layer `always`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.starts_with("layer `hourly` can be on call at the same time as `weekly`;")), "{msgs:?}");
    }

    #[test]
    fn disjoint_layers_and_hours_in_another_zone() {
        let w = ws(r#"
person a { email "a@x.io" }
person b { email "b@x.io" }
hours berlin { tz "Europe/Berlin"  mon-sun 09:00-17:00 }
hours sg { tz "Asia/Singapore"  mon-sun 08:00-16:00 }
schedule s {
  tz "UTC"
  layer day { rotation daily from 2026-01-05 08:00  members a, b  only mon-sun 08:00-20:00 }
  layer night { rotation daily from 2026-01-05 20:00  members b, a  only mon-sun 20:00-08:00 }
}
schedule t {
  tz "UTC"
  layer eu { rotation weekly from 2026-01-05 08:00  members a  only berlin }
  layer apac { rotation weekly from 2026-01-05 08:00  members b  only sg }
}
"#);
        let m = &w.model;
        let mut x = Ctx::new(m);
        x.schedule(&m.schedules[0], Some("ops"));
        assert!(x.findings.is_empty(), "{:?}", x.findings);
        let v = x.schedule(&m.schedules[1], None);
        // Berlin in January is UTC+1: 09:00-17:00 → 08:00-16:00 UTC
        assert_eq!(v["rotations"][0]["timeRestriction"]["restrictions"][0], json!({"startDay": "monday", "startHour": 8, "startMin": 0, "endDay": "monday", "endHour": 16, "endMin": 0}));
        // Singapore is UTC+8 all year: 08:00-16:00 → 00:00-08:00 UTC, no finding
        assert_eq!(v["rotations"][1]["timeRestriction"]["restrictions"][0], json!({"startDay": "monday", "startHour": 0, "startMin": 0, "endDay": "monday", "endHour": 8, "endMin": 0}));
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(msgs[0].starts_with("hours `berlin` are in Europe/Berlin"), "{msgs:?}");
    }

    #[test]
    fn escalation_offsets_renotify_repeat_and_unresolved() {
        let w = ws(r#"
person a { email "a@x.io" }
person b { email "b@x.io" }
team t { members a, b  lead b }
schedule s { layer l { members a } }
policy p {
  tier one { notify schedule s  renotify every 2m  escalate after 5m }
  tier two { notify team t, lead t  escalate after 90s }
  tier three { notify person a  escalate after 10m }
  repeat 25
  unresolved after 1h escalate to three
}
"#);
        let m = &w.model;
        let mut x = Ctx::new(m);
        let v = x.escalation(0, Some("t"));
        let delays: Vec<i64> = v["rules"].as_array().into_iter().flatten().filter_map(|r| r["delay"]["timeAmount"].as_i64()).collect();
        // one at 0, +2, +4; two at 5 (team + lead); three at 5 + 2 (90s rounded up); unresolved at 60
        assert_eq!(delays, vec![0, 2, 4, 5, 5, 7, 60]);
        assert_eq!(v["rules"][3]["notifyType"], "all");
        assert_eq!(v["rules"][4]["recipient"], json!({"type": "user", "username": "b@x.io"}));
        assert_eq!(v["rules"][6]["condition"], "if-not-closed");
        assert_eq!(v["repeat"], json!({"waitInterval": 10, "count": 20, "resetRecipientStates": false, "closeAlertAfterAll": false}));
        assert_eq!(v["ownerTeam"], json!({"name": "t"}));
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("whole minutes") && m.contains("`escalate after 1m30s`")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("at most 20 times")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("re-notification")), "{msgs:?}");
    }

    #[test]
    fn handoffs_are_inlined_and_cycles_cut() {
        let w = ws(r#"
person a { email "a@x.io" }
policy first { tier one { notify person a  escalate after 10m } tier two { handoff policy second } }
policy second { tier one { notify person a  checkpoint "look"  escalate after 5m } tier back { handoff policy first } repeat 2 }
"#);
        let m = &w.model;
        let mut x = Ctx::new(m);
        let v = x.escalation(0, None);
        let delays: Vec<i64> = v["rules"].as_array().into_iter().flatten().filter_map(|r| r["delay"]["timeAmount"].as_i64()).collect();
        assert_eq!(delays, vec![0, 10]);
        assert!(v.get("repeat").is_none());
        assert_eq!(v["description"], "Side effects escalade records (not run by Opsgenie): second.one: checkpoint \"look\".");
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert!(msgs.iter().any(|m| m.contains("already entered")), "{msgs:?}");
    }

    #[test]
    fn routes_become_ordered_team_rules_with_priorities_and_time() {
        let w = ws(r#"
org o { tz "UTC"  severities sev1, sev2, sev3, sev4, sev5, sev6 }
person a { email "a@x.io" }
team t { members a }
team u { members a }
policy crit { tier one { notify person a } }
policy std { tier one { notify person a } }
service api { owner t  policy std }
service web { owner t  policy std }
service other { owner u  policy std }
routes {
  route crit { when team == "t" and severity >= sev2 and within mon-fri 09:00-17:00 to policy crit }
  route noisy { when severity in [sev5, sev6] or labels.env == "staging" suppress }
  route only-u { when team == "u" to policy crit }
  route api { when service matches "^ap" and not (summary matches "test") to policy crit }
}
"#);
        let m = &w.model;
        let mut x = Ctx::new(m);
        let svcs: Vec<&Service> = m.services.iter().filter(|s| s.owner.as_ref().is_some_and(|o| o.name == "t")).collect();
        let rules = x.team_rules(0, &svcs, &routes_by_team(m)[0]);
        let names: Vec<&str> = rules.iter().filter_map(|r| r["name"].as_str()).collect();
        assert_eq!(names, vec!["crit-1", "crit-2", "noisy-1", "noisy-2", "api", "service-api", "service-web", "unrouted"]);
        assert_eq!(rules[0]["criteria"]["conditions"][0], json!({"field": "priority", "not": false, "operation": "equals", "expectedValue": "P1", "order": 0}));
        assert_eq!(rules[0]["timezone"], "UTC");
        assert_eq!(rules[0]["timeRestriction"]["restrictions"].as_array().map(Vec::len), Some(5));
        // sev6 is read as P5 (with a finding)
        assert_eq!(rules[2]["criteria"]["conditions"][0]["expectedValue"], "P5");
        assert_eq!(rules[3]["criteria"]["conditions"][0], json!({"field": "extra-properties", "key": "env", "not": false, "operation": "equals", "expectedValue": "staging", "order": 0}));
        assert_eq!(rules[3]["notify"], json!({"type": "none"}));
        assert_eq!(
            rules[4]["criteria"]["conditions"],
            json!([
                {"field": "extra-properties", "key": "service", "not": false, "operation": "matches", "expectedValue": ".*(?:^ap).*", "order": 0},
                {"field": "message", "not": true, "operation": "matches", "expectedValue": ".*(?:test).*", "order": 1},
            ])
        );
        assert_eq!(rules[7]["order"], 7);
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs, vec!["severity `sev6` is beyond P5; Opsgenie alert priorities are P1–P5"]);
    }

    #[test]
    fn priorities_follow_aliases_then_positions() {
        let w = ws(r#"
org o { severities crit "P1", high, low "p4", info, debug, trace }
"#);
        let m = &w.model;
        let p: Vec<Option<u8>> = (0..6).map(|r| priority(m, r)).collect();
        assert_eq!(p, vec![Some(1), Some(2), Some(4), Some(4), Some(5), None]);
    }
}
