//! `export --target splunk-oncall`: Splunk On-Call (VictorOps) public API
//! request bodies (ENGINES.md §4.4):
//!
//! - `users.json`: user bodies (`firstName`, `lastName`, `username`,
//!   `email`) keyed by email; the username is the escalade person name;
//! - `teams/<team>.json` (`{"name"}`) and `team_members/<team>.json` (an
//!   array of `{"username"}` membership bodies);
//! - `policies/<policy>.json`: escalation policies (`name`, `teamSlug`,
//!   `ignoreCustomPagingPolicies`, `steps[{timeout, entries}]`);
//! - `routing_keys.json`: an array of `{"routingKey", "targets"}` bodies;
//! - `ROTATIONS.md`: every schedule as a rotation to set up by hand (the
//!   provider cannot create rotations; one W0900 per schedule);
//! - `apply-order.txt`, with `ROTATIONS.md` at the point where the manual
//!   setup must be done.
//!
//! Splunk On-Call assigns slugs, so teams, rotation groups and policies are
//! referenced by placeholders: `${team.T}`, `${schedule.S}`, `${policy.P}`.
//! A step's `timeout` is in minutes and counts from the previous step (the
//! first from the incident or the calling policy), so a tier's step waits
//! for the previous tier's `escalate after`. Splunk On-Call has no `team`
//! target: `team X` expands to its members in member order.

use super::common::{self, minutes_up, placeholder, renotify_minutes};
use super::{Exported, FileTree};
use crate::checks::routes::fmt_secs;
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::*;
use crate::time::datetime_instant;
use chrono::TimeZone;
use chrono_tz::Tz;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashSet};

const ENGINE: &str = "Splunk On-Call";
/// Re-notifications exported per tier.
const MAX_RENOTIFY: i64 = 50;

pub fn export(m: &Model) -> Exported {
    let (users, dup) = common::users_by_email(m, ENGINE);
    let mut x = Ctx { m, findings: dup, seen: HashSet::new(), users };
    for f in common::paged_without_email(m, ENGINE, "leaves them out of users, teams and escalation steps") {
        x.push(f);
    }
    let mut tree = FileTree::new();
    let mut order = Vec::new();

    let mut manifest = Map::new();
    for (email, p) in &x.users {
        let full = p.display_name.as_ref().map(|d| d.value.trim().to_string()).filter(|d| !d.is_empty()).unwrap_or_else(|| p.name.name.clone());
        let (first, last) = full.split_once(' ').map(|(a, b)| (a.to_string(), b.trim().to_string())).unwrap_or((full.clone(), String::new()));
        manifest.insert((*email).to_string(), json!({"firstName": first, "lastName": last, "username": p.name.name, "email": email}));
    }
    tree.insert("users.json".into(), common::json_file(&Value::Object(manifest)));
    order.push("users.json".to_string());

    let mut teams: Vec<&Team> = m.teams.iter().collect();
    teams.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut member_files = Vec::new();
    for t in &teams {
        let path = format!("teams/{}.json", t.name.name);
        tree.insert(path.clone(), common::json_file(&json!({"name": t.name.name})));
        order.push(path);
        let mut members: Vec<Value> = Vec::new();
        for n in &t.members {
            if let Some(u) = x.username(&n.name) {
                let v = json!({"username": u});
                if !members.contains(&v) {
                    members.push(v);
                }
            }
        }
        let path = format!("team_members/{}.json", t.name.name);
        tree.insert(path.clone(), common::json_file(&Value::Array(members)));
        member_files.push(path);
    }
    order.extend(member_files);

    let owners = common::policy_owners(m);
    let schedule_owners = common::schedule_owners(m, &owners);
    tree.insert("ROTATIONS.md".into(), x.rotations(&schedule_owners).into_bytes());
    order.push("ROTATIONS.md".into());

    for pi in handoff_order(m) {
        let p = &m.policies[pi];
        let team = match owners[pi] {
            Some(t) => placeholder("team", &m.teams[t].name.name),
            None => {
                let fallback = teams.first().map(|t| t.name.name.as_str());
                x.warn(
                    p.name.span,
                    format!("policy `{}` belongs to no team (no service reaches it and no tier notifies a team); every Splunk On-Call escalation policy belongs to one", p.name.name),
                    match fallback {
                        Some(t) => format!("exported under team `{t}` (the first by name); use the policy from a service or notify a team in it"),
                        None => "exported with teamSlug `${team.unassigned}`: declare a team".to_string(),
                    },
                );
                placeholder("team", fallback.unwrap_or("unassigned"))
            }
        };
        let body = x.policy(pi, &team);
        let path = format!("policies/{}.json", p.name.name);
        tree.insert(path.clone(), common::json_file(&body));
        order.push(path);
    }

    tree.insert("routing_keys.json".into(), common::json_file(&x.routing_keys()));
    order.push("routing_keys.json".into());
    tree.insert("apply-order.txt".into(), common::apply_order(&order));
    Exported { tree, findings: x.findings }
}

/// Policies by name, each after the policies it hands off to (a cycle is
/// cut where it closes).
fn handoff_order(m: &Model) -> Vec<usize> {
    fn visit(m: &Model, pi: usize, state: &mut [u8], out: &mut Vec<usize>) {
        if state[pi] != 0 {
            return;
        }
        state[pi] = 1;
        for h in m.policies[pi].tiers.iter().filter_map(|t| t.handoff.as_ref()) {
            if let Some(q) = m.ns_policy.get(&h.name) {
                visit(m, q, state, out);
            }
        }
        state[pi] = 2;
        out.push(pi);
    }
    let mut by_name: Vec<usize> = (0..m.policies.len()).collect();
    by_name.sort_by(|a, b| m.policies[*a].name.name.cmp(&m.policies[*b].name.name));
    let mut state = vec![0u8; m.policies.len()];
    let mut out = Vec::new();
    for pi in by_name {
        visit(m, pi, &mut state, &mut out);
    }
    out
}

struct Ctx<'m> {
    m: &'m Model,
    findings: Vec<Finding>,
    seen: HashSet<(Span, String)>,
    users: BTreeMap<&'m str, &'m Person>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Timeout,
    Terminal,
    Handoff,
}

impl<'m> Ctx<'m> {
    fn push(&mut self, f: Finding) {
        if self.seen.insert((f.span, f.message.clone())) {
            self.findings.push(f);
        }
    }

    fn warn(&mut self, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.push(Finding::new("W0900", span, message).with_help(help));
    }

    /// The Splunk On-Call username of a person: the name of the person
    /// that holds their email; `None` without email.
    fn username(&self, person: &str) -> Option<&'m str> {
        let e = self.m.person(person).and_then(common::email)?;
        self.users.get(e).map(|p| p.name.name.as_str())
    }

    // ----- escalation policies --------------------------------------------

    fn policy(&mut self, pi: usize, team: &str) -> Value {
        let m = self.m;
        let p = &m.policies[pi];
        let mut steps: Vec<(i64, Vec<Value>)> = Vec::new();
        let mut offset = 0;
        let mut end = End::Timeout;
        for tier in &p.tiers {
            self.side_effects(tier);
            if let Some(h) = &tier.handoff {
                if m.ns_policy.get(&h.name).is_some_and(|q| hands_off_to(m, q, pi)) {
                    self.warn(
                        h.span,
                        format!("`handoff policy {}` closes a cycle; Splunk On-Call executes the policies around it again and again, where escalade stops at the cycle", h.name),
                        "exported as an `Execute policy` step all the same; break the cycle",
                    );
                }
                steps.push((offset, vec![json!({"executionType": "policy_routing", "targetPolicy": {"policySlug": placeholder("policy", &h.name)}})]));
                end = End::Handoff;
                break;
            }
            let mut entries: Vec<Value> = Vec::new();
            for n in &tier.notify {
                if let Some(v) = n.via.first() {
                    let chans: Vec<&str> = n.via.iter().map(|c| c.value.as_str()).collect();
                    self.warn(
                        v.span,
                        format!("Splunk On-Call pages each user through their own paging policy; an escalation step cannot choose channels (`via {}`)", chans.join(", ")),
                        "exported without `via`: users are paged as their paging policies say",
                    );
                }
                for e in self.entries(n) {
                    if !entries.contains(&e) {
                        entries.push(e);
                    }
                }
            }
            if entries.is_empty() {
                // reaches nobody: skipped at once, no timer starts
                continue;
            }
            steps.push((offset, entries.clone()));
            if let Some(re) = &tier.renotify {
                match &tier.escalate_after {
                    Some(e) => {
                        let at = renotify_minutes(re.value, e.value, MAX_RENOTIFY);
                        for &rel in &at {
                            steps.push((offset + rel, entries.clone()));
                        }
                        let list: Vec<String> = at.iter().map(|r| format!("+{r}m")).collect();
                        self.warn(
                            re.span,
                            format!("Splunk On-Call escalation steps do not re-notify (`renotify every {}`)", fmt_secs(re.value)),
                            if list.is_empty() {
                                "exported without it: no re-notification falls before the tier's timeout in whole minutes".to_string()
                            } else {
                                format!("exported as the tier's step repeated at {} after it starts (rotations are read again at each)", list.join(", "))
                            },
                        );
                    }
                    None => self.warn(
                        re.span,
                        format!("Splunk On-Call escalation steps do not re-notify (`renotify every {}` on a tier without `escalate after`)", fmt_secs(re.value)),
                        "exported without it: the step pages once; users' paging policies may repeat",
                    ),
                }
            }
            match &tier.escalate_after {
                None => {
                    end = End::Terminal;
                    break;
                }
                Some(e) => {
                    let (mins, whole) = minutes_up(e.value);
                    if !whole {
                        self.warn(
                            e.span,
                            format!("Splunk On-Call step timeouts are whole minutes; `escalate after {}` is not", fmt_secs(e.value)),
                            format!("exported as {mins}m (rounded up)"),
                        );
                    }
                    offset += mins;
                }
            }
        }
        if let (Some(rep), End::Timeout) = (&p.repeat, end) {
            // no repeat field: the steps of the later rounds are written out
            let base = steps.clone();
            for k in 1..=i64::from(rep.value) {
                steps.extend(base.iter().map(|(o, e)| (o + k * offset, e.clone())));
            }
        }
        if let Some(u) = &p.unresolved {
            self.warn(
                u.span,
                "Splunk On-Call has no resolution timeout: escalation stops at the acknowledgement (`unresolved after`)",
                format!("not exported: nobody is paged when an acknowledged incident stays open; page tier `{}` by hand or with a scheduled check", u.tier.name),
            );
        }
        let mut prev = 0;
        let steps: Vec<Value> = steps
            .into_iter()
            .map(|(o, entries)| {
                let timeout = o - prev;
                prev = o;
                json!({"timeout": timeout, "entries": entries})
            })
            .collect();
        json!({"name": p.name.name, "teamSlug": team, "ignoreCustomPagingPolicies": false, "steps": steps})
    }

    fn side_effects(&mut self, tier: &Tier) {
        for c in &tier.checkpoints {
            self.warn(
                c.span,
                format!("Splunk On-Call escalation policies have no manual checkpoint (`checkpoint \"{}\"`)", c.value),
                "not exported: nothing records or waits for it",
            );
        }
        for c in &tier.channels {
            self.warn(
                c.span,
                format!("Splunk On-Call escalation policies do not open channels (`open channel \"{}\"`)", c.value),
                "not exported: open it with a Splunk On-Call integration or webhook",
            );
        }
    }

    /// The step entries of one `notify`: users (teams expanded to their
    /// members) and rotation groups; targets that statically reach nobody
    /// and people without email are left out.
    fn entries(&self, n: &Notify) -> Vec<Value> {
        let m = self.m;
        let user = |u: &str| json!({"executionType": "user", "user": {"username": u}});
        let mut out = Vec::new();
        for t in &n.targets {
            match t.kind {
                TargetKind::Schedule => {
                    if m.target_people(t).iter().any(|p| m.reachable(p, &n.via)) {
                        out.push(json!({"executionType": "rotation_group", "rotationGroup": {"slug": placeholder("schedule", &t.name.name)}}));
                    }
                }
                _ => {
                    for p in m.target_people(t) {
                        if m.reachable(p, &n.via) {
                            if let Some(u) = self.username(&p.name.name) {
                                out.push(user(u));
                            }
                        }
                    }
                }
            }
        }
        out
    }

    // ----- routing keys ---------------------------------------------------

    fn routing_keys(&mut self) -> Value {
        let m = self.m;
        let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut analyzer = None;
        for (si, s) in m.services.iter().enumerate() {
            let targets: Vec<String> = match &s.policy {
                Some(p) => vec![p.name.clone()],
                None => {
                    let an = analyzer.get_or_insert_with(|| crate::checks::routes::Analyzer::new(m));
                    let mut names: Vec<String> = an.reachable_policies(si).0.iter().map(|r| m.policies[r.policy].name.name.clone()).collect();
                    names.sort();
                    if names.len() > 1 {
                        self.warn(
                            s.name.span,
                            format!("service `{}` has no default `policy`: its routes decide between {} policies, and Splunk On-Call pages every target of a routing key", s.name.name, names.len()),
                            format!("its routing key targets all of them ({}); give the service a default `policy`", names.join(", ")),
                        );
                    }
                    names
                }
            };
            if !targets.is_empty() {
                keys.insert(s.name.name.clone(), targets);
            }
        }
        for r in &m.routes {
            if let Some(p) = &r.to {
                let mut key = r.name.name.clone();
                if keys.contains_key(&key) {
                    key = format!("route-{key}");
                }
                let help = match &r.when {
                    Some(_) => format!("exported as routing key `{key}` (→ {}): senders must pick it for the alerts the condition matches, or re-key them with a Splunk On-Call alert rule set up by hand", p.name),
                    None => format!("exported as routing key `{key}` (→ {}); the services' own keys still target their default policies", p.name),
                };
                self.warn(r.name.span, format!("Splunk On-Call selects escalation policies by routing key, not by alert fields: route `{}` is not evaluated", r.name.name), help);
                keys.entry(key).or_insert_with(|| vec![p.name.clone()]);
            } else if r.suppress.is_some() {
                self.warn(
                    r.name.span,
                    format!("Splunk On-Call routing keys cannot drop alerts (route `{}` suppresses)", r.name.name),
                    "not exported: the alerts it drops page their service's policy; filter them at the sender or with an alert rule set up by hand",
                );
            }
            for s in &r.sets {
                self.warn(s.span, "Splunk On-Call routing keys cannot change an alert (`set`)", "not exported: later routes and the policy see the alert as it arrived");
            }
            for a in &r.also {
                let targets: Vec<String> = a.targets.iter().map(|t| format!("{} {}", t.kind.as_str(), t.name.name)).collect();
                self.warn(
                    a.span,
                    format!("Splunk On-Call routing keys target escalation policies only; `also {}` pages people directly", targets.join(", ")),
                    "not exported: add a policy for them to the routing key by hand",
                );
            }
        }
        Value::Array(
            keys.into_iter()
                .map(|(k, targets)| json!({"routingKey": k, "targets": targets.iter().map(|p| placeholder("policy", p)).collect::<Vec<_>>()}))
                .collect(),
        )
    }

    // ----- rotations ------------------------------------------------------

    /// `ROTATIONS.md`, and one W0900 per schedule.
    fn rotations(&mut self, owners: &[Option<usize>]) -> String {
        let m = self.m;
        let mut out = String::from(
            "# Splunk On-Call rotations to set up by hand\n\n\
             Splunk On-Call's Terraform provider has no rotation resource and its rotations API\n\
             is not documented well enough to write request bodies for, so `escalade export\n\
             --target splunk-oncall` describes every schedule here (each one is also a W0900\n\
             finding). Create each as a rotation of the team named, then replace its placeholder\n\
             `${schedule.NAME}` in `policies/*.json` with the rotation group's slug (`rtg-…`).\n\n\
             A layer becomes a shift. Times are wall-clock times in the rotation's time zone.\n\
             Where a schedule's layers overlap, escalade's last written layer wins and overrides\n\
             win over all layers; Splunk On-Call pages whoever any shift has on call.\n",
        );
        let mut order: Vec<usize> = (0..m.schedules.len()).collect();
        order.sort_by(|a, b| m.schedules[*a].name.name.cmp(&m.schedules[*b].name.name));
        if order.is_empty() {
            out.push_str("\nThis workspace has no schedules.\n");
        }
        for si in order {
            let s = &m.schedules[si];
            let tz = m.zone(&s.tz);
            let team = owners.get(si).copied().flatten().map(|t| &m.teams[t]);
            out.push_str(&format!("\n## `{}`\n\n", s.name.name));
            match team {
                Some(t) => out.push_str(&format!("- Team: `{}` (`{}`)\n", t.name.name, placeholder("team", &t.name.name))),
                None => out.push_str("- Team: none in escalade (no policy that belongs to a team notifies this schedule); choose one\n"),
            }
            out.push_str(&format!("- Time zone: {}\n", tz.name()));
            out.push_str(&format!("- Placeholder: `{}`\n", placeholder("schedule", &s.name.name)));
            let mut outsiders: Vec<&str> = Vec::new();
            for l in &s.layers {
                out.push_str(&format!("\n### Shift `{}`\n\n", l.name.name));
                out.push_str(&self.layer_text(l, tz));
                if let Some(t) = team {
                    for n in &l.members {
                        if !t.members.iter().any(|x| x.name == n.name) && !outsiders.contains(&n.name.as_str()) {
                            outsiders.push(&n.name);
                        }
                    }
                }
            }
            if s.layers.is_empty() {
                out.push_str("\nNo layers: nobody is on call outside the overrides.\n");
            }
            if !s.overrides.is_empty() {
                out.push_str("\n### Scheduled overrides\n\n");
                for o in &s.overrides {
                    let who = if o.is_nobody() { "nobody (a deliberate gap: leave the shift uncovered)".to_string() } else { self.person_text(&o.person.name) };
                    out.push_str(&format!(
                        "- {who}, from {} to {}\n",
                        local(tz, datetime_instant(tz, &o.from.value)),
                        local(tz, datetime_instant(tz, &o.to.value))
                    ));
                }
            }
            if let (Some(t), false) = (team, outsiders.is_empty()) {
                let list: Vec<String> = outsiders.iter().map(|n| format!("`{n}`")).collect();
                out.push_str(&format!("\nNot members of team `{}` in escalade: {}; add them to the Splunk On-Call team first.\n", t.name.name, list.join(", ")));
            }
            self.warn(
                s.name.span,
                format!("Splunk On-Call rotations cannot be created from request bodies (its Terraform provider has no rotation resource): schedule `{}` needs manual setup", s.name.name),
                format!("described in ROTATIONS.md; after creating it, replace `{}` in the policies with the rotation group's slug", placeholder("schedule", &s.name.name)),
            );
        }
        out
    }

    fn layer_text(&self, l: &Layer, tz: Tz) -> String {
        let mut out = String::new();
        let partial = !l.only.is_empty();
        match &l.rotation {
            Some(r) => {
                let from = datetime_instant(tz, &r.from.value);
                let handoff = match r.kind {
                    RotationKind::Daily => format!("daily at {}", clock(tz, from)),
                    RotationKind::Weekly => format!("weekly, {} at {}", weekday(tz, from), clock(tz, from)),
                    RotationKind::Every(d) => format!(
                        "every {} (exact elapsed time); Splunk On-Call hands off daily or weekly, so use the nearest daily or weekly handoff or one shift per turn",
                        fmt_secs(d)
                    ),
                };
                let kind = match (&r.kind, partial) {
                    (RotationKind::Daily, false) => "24/7 (daily handoff)",
                    (RotationKind::Weekly, false) => "multi-day, seven days (weekly handoff)",
                    (RotationKind::Daily, true) => "partial day (daily handoff)",
                    (RotationKind::Weekly, true) => "partial day (weekly handoff)",
                    (RotationKind::Every(_), _) => "closest of 24/7, partial day or multi-day",
                };
                out.push_str(&format!("- Shift type: {kind}\n- Handoff: {handoff}\n- First shift starts: {}\n", local(tz, from)));
                if let Some(u) = &r.until {
                    out.push_str(&format!("- Ends: {} (remove the shift then)\n", local(tz, datetime_instant(tz, &u.value))));
                }
            }
            None => {
                out.push_str(&format!("- Shift type: {} (one member, no handoff)\n", if partial { "partial day" } else { "24/7" }));
                if let Some(f) = &l.from {
                    out.push_str(&format!("- Starts: {}\n", local(tz, datetime_instant(tz, &f.value))));
                }
                if let Some(u) = &l.until {
                    out.push_str(&format!("- Ends: {} (remove the shift then)\n", local(tz, datetime_instant(tz, &u.value))));
                }
            }
        }
        let members: Vec<String> = l.members.iter().map(|n| self.person_text(&n.name)).collect();
        out.push_str(&format!("- Members, in turn order: {}\n", members.join(", ")));
        if partial {
            let parts: Vec<String> = l.only.iter().map(|o| self.when_text(o)).collect();
            out.push_str(&format!("- On call only: {}\n", parts.join("; ")));
        }
        out
    }

    fn person_text(&self, name: &str) -> String {
        match self.m.person(name).and_then(common::email) {
            Some(e) => format!("`{}` ({e})", self.username(name).unwrap_or(name)),
            None => format!("`{name}` (no email: not a Splunk On-Call user; leave the turn empty)"),
        }
    }

    fn when_text(&self, w: &WindowsOrHours) -> String {
        match w {
            WindowsOrHours::Windows(ws) => ws.iter().map(crate::checks::routes::fmt_window).collect::<Vec<_>>().join(", "),
            WindowsOrHours::Hours(h) => match self.m.hours_named(&h.name) {
                Some(hrs) => {
                    let mut t = format!("hours `{}` ({}: {}", h.name, self.m.zone(&hrs.tz).name(), hrs.windows.iter().map(crate::checks::routes::fmt_window).collect::<Vec<_>>().join(", "));
                    if !hrs.except.is_empty() {
                        let cals: Vec<String> = hrs.except.iter().map(|c| format!("`{}`", c.name)).collect();
                        t.push_str(&format!("; except the days of {}", cals.join(", ")));
                    }
                    t.push(')');
                    t
                }
                None => format!("hours `{}`", h.name),
            },
        }
    }
}

/// Does policy `from` reach policy `to` through handoffs?
fn hands_off_to(m: &Model, from: usize, to: usize) -> bool {
    let mut seen = vec![false; m.policies.len()];
    let mut stack = vec![from];
    while let Some(p) = stack.pop() {
        if p == to {
            return true;
        }
        if std::mem::replace(&mut seen[p], true) {
            continue;
        }
        stack.extend(m.policies[p].tiers.iter().filter_map(|t| t.handoff.as_ref()).filter_map(|h| m.ns_policy.get(&h.name)));
    }
    false
}

/// `2026-01-05 09:00 (Monday)`
fn local(tz: Tz, t: i64) -> String {
    tz.timestamp_opt(t, 0).single().map(|d| d.format("%Y-%m-%d %H:%M (%A)").to_string()).unwrap_or_default()
}

fn clock(tz: Tz, t: i64) -> String {
    tz.timestamp_opt(t, 0).single().map(|d| d.format("%H:%M").to_string()).unwrap_or_default()
}

fn weekday(tz: Tz, t: i64) -> String {
    tz.timestamp_opt(t, 0).single().map(|d| d.format("%A").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(src: &str) -> crate::workspace::Workspace {
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.is_empty(), "{:?}", ws.findings);
        ws
    }

    fn ctx(m: &Model) -> Ctx<'_> {
        let (users, _) = common::users_by_email(m, ENGINE);
        Ctx { m, findings: Vec::new(), seen: HashSet::new(), users }
    }

    #[test]
    fn steps_are_relative_teams_expand_and_repeat_unrolls() {
        let w = ws(r#"
person a { email "a@x.io" }
person b { email "b@x.io" }
person c { sms "+1" }
team t { members b, a, c  lead a }
schedule s { layer l { members a } }
policy p {
  tier one { notify schedule s  renotify every 2m  escalate after 5m }
  tier empty { checkpoint "x"  escalate after 7m }
  tier two { notify team t, lead t  escalate after 90s }
  repeat 1
}
"#);
        let m = &w.model;
        let mut x = ctx(m);
        let v = x.policy(0, "${team.t}");
        let timeouts: Vec<i64> = v["steps"].as_array().into_iter().flatten().filter_map(|s| s["timeout"].as_i64()).collect();
        // round 1: 0, +2, +4 (renotify), +5 → tier two at 5 (the empty tier is
        // skipped at once); round 2 starts at 5 + 2 = 7
        assert_eq!(timeouts, vec![0, 2, 2, 1, 2, 2, 2, 1]);
        assert_eq!(
            v["steps"][3]["entries"],
            json!([
                {"executionType": "user", "user": {"username": "b"}},
                {"executionType": "user", "user": {"username": "a"}},
            ])
        );
        assert_eq!(v["steps"][0]["entries"][0], json!({"executionType": "rotation_group", "rotationGroup": {"slug": "${schedule.s}"}}));
        assert_eq!(v["teamSlug"], "${team.t}");
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
    }

    #[test]
    fn handoffs_execute_the_target_policy_and_order_the_files() {
        let w = ws(r#"
person a { email "a@x.io" }
policy z-first { tier one { notify person a  escalate after 10m } tier two { handoff policy a-second } }
policy a-second { tier one { notify person a }  unresolved after 1h escalate to one }
"#);
        let m = &w.model;
        let mut x = ctx(m);
        let v = x.policy(0, "${team.t}");
        assert_eq!(v["steps"][1], json!({"timeout": 10, "entries": [{"executionType": "policy_routing", "targetPolicy": {"policySlug": "${policy.a-second}"}}]}));
        assert_eq!(handoff_order(m), vec![1, 0]);
    }

    #[test]
    fn routing_keys_per_service_and_per_deciding_route() {
        let w = ws(r#"
person a { email "a@x.io" }
team t { members a }
policy crit { tier one { notify person a } }
policy std { tier one { notify person a } }
service api { owner t  policy std }
service web { owner t }
routes {
  route major { when severity == sev1 to policy crit }
  route web { when service == "web" to policy std }
  route noise { when severity == sev5 suppress }
}
"#);
        let m = &w.model;
        let mut x = ctx(m);
        let v = x.routing_keys();
        assert_eq!(
            v,
            json!([
                {"routingKey": "api", "targets": ["${policy.std}"]},
                {"routingKey": "major", "targets": ["${policy.crit}"]},
                {"routingKey": "route-web", "targets": ["${policy.std}"]},
                {"routingKey": "web", "targets": ["${policy.crit}", "${policy.std}"]},
            ])
        );
        let msgs: Vec<&str> = x.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 4, "{msgs:?}");
    }

    #[test]
    fn rotations_document_every_layer() {
        let w = ws(r#"
person a { name "Ann Lee"  email "a@x.io" }
person b { sms "+1" }
hours day { tz "America/New_York"  mon-fri 09:00-17:00 }
team t { members a }
schedule s {
  tz "America/New_York"
  layer rota { rotation weekly from 2026-01-05 09:00  members a, b  only day  only sat 10:00-12:00 }
  override nobody from 2026-12-24 00:00 to 2026-12-26 00:00
}
policy p { tier one { notify schedule s, team t } }
"#);
        let m = &w.model;
        let mut x = ctx(m);
        let text = x.rotations(&[Some(0)]);
        assert!(text.contains("## `s`\n\n- Team: `t` (`${team.t}`)\n- Time zone: America/New_York\n"), "{text}");
        assert!(text.contains("- Shift type: partial day (weekly handoff)\n- Handoff: weekly, Monday at 09:00\n- First shift starts: 2026-01-05 09:00 (Monday)\n"), "{text}");
        assert!(text.contains("- Members, in turn order: `a` (a@x.io), `b` (no email"), "{text}");
        assert!(text.contains("- On call only: hours `day` (America/New_York: mon-fri 09:00-17:00); sat 10:00-12:00\n"), "{text}");
        assert!(text.contains("- nobody (a deliberate gap"), "{text}");
        assert!(text.contains("Not members of team `t` in escalade: `b`"), "{text}");
        assert_eq!(x.findings.len(), 1);
    }
}
