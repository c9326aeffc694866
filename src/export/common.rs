//! Small helpers shared by the engine targets: users keyed by email,
//! `${kind.name}` placeholders, the team a policy or schedule belongs to,
//! services by owner and by label,
//! whole-minute delays, and the JSON and `apply-order.txt` files.

use crate::diag::Finding;
use crate::model::Model;
use crate::syntax::ast::{Channel, Person, Secs, TargetKind};
use std::collections::{BTreeMap, BTreeSet};

/// A cross-reference the engine resolves to an id it assigns: `${kind.name}`.
pub fn placeholder(kind: &str, name: &str) -> String {
    format!("${{{kind}.{name}}}")
}

/// A person's first `email` address.
pub fn email(p: &Person) -> Option<&str> {
    p.contacts.iter().find(|c| c.channel == Channel::Email).and_then(|c| c.address.as_deref())
}

/// The engine users: every person with an email, keyed by it (sorted). A
/// second person with an address already taken is W0900 and shares that
/// user; `engine` names the target in the message.
pub fn users_by_email<'m>(m: &'m Model, engine: &str) -> (BTreeMap<&'m str, &'m Person>, Vec<Finding>) {
    let mut users: BTreeMap<&str, &Person> = BTreeMap::new();
    let mut findings = Vec::new();
    for p in &m.persons {
        let Some(e) = email(p) else { continue };
        match users.get(e) {
            Some(first) => findings.push(
                Finding::new("W0900", p.name.span, format!("person `{}` has the email of `{}` ({e}); {engine} users are unique by email", p.name.name, first.name.name))
                    .with_help(format!("give `{}` an address of their own; the export makes both one {engine} user", p.name.name)),
            ),
            None => {
                users.insert(e, p);
            }
        }
    }
    (users, findings)
}

/// W0900 for every person who can be paged (has a contact method and is
/// reached by some `notify` or `also` target) but has no `email`: engines
/// key users by email. `approximation` says what the export does instead.
pub fn paged_without_email(m: &Model, engine: &str, approximation: &str) -> Vec<Finding> {
    let mut paged: BTreeSet<&str> = BTreeSet::new();
    let notifies = m.policies.iter().flat_map(|p| p.tiers.iter().flat_map(|t| t.notify.iter())).chain(m.routes.iter().flat_map(|r| r.also.iter()));
    for n in notifies {
        for t in &n.targets {
            paged.extend(m.target_people(t).into_iter().map(|p| p.name.name.as_str()));
        }
    }
    m.persons
        .iter()
        .filter(|p| paged.contains(p.name.name.as_str()) && !p.contacts.is_empty() && email(p).is_none())
        .map(|p| {
            Finding::new("W0900", p.name.span, format!("person `{}` can be paged but has no `email`; {engine} users are keyed by email", p.name.name))
                .with_help(format!("add `email \"…\"` to `{}`; the export {approximation}", p.name.name))
        })
        .collect()
}

/// Owner name → the services it owns, in model order. Built once per
/// export: `team` conditions look a team up instead of scanning every
/// service for every route.
pub fn owned_services(m: &Model) -> BTreeMap<&str, Vec<&str>> {
    let mut owned: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for s in &m.services {
        if let Some(o) = &s.owner {
            owned.entry(o.name.as_str()).or_default().push(s.name.name.as_str());
        }
    }
    owned
}

/// Label key → (service, value) of every service declaring it (a
/// service's later duplicates win), in model order: the fallback a
/// `labels.KEY` condition reads when the alert has no such label.
pub fn services_by_label(m: &Model) -> BTreeMap<&str, Vec<(&str, &str)>> {
    let mut by_key: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for s in &m.services {
        for (k, v) in crate::model::service_labels(s) {
            by_key.entry(k).or_default().push((s.name.name.as_str(), v));
        }
    }
    by_key
}

/// The team each policy belongs to (by policy index): the owner of the
/// first service (declaration order) using it as its default `policy`,
/// else the first team a tier notifies (`team X`, `lead X`), else the
/// owner of the first service whose routes can decide it (a route for
/// every service, like a keyword route, would make that the first team's);
/// `None` when nothing ties the policy to a team.
pub fn policy_owners(m: &Model) -> Vec<Option<usize>> {
    let mut owners: Vec<Option<usize>> = vec![None; m.policies.len()];
    let owner = |s: &crate::syntax::ast::Service| s.owner.as_ref().and_then(|o| m.ns_team.get(&o.name));
    for s in &m.services {
        if let (Some(p), Some(t)) = (s.policy.as_ref().and_then(|p| m.ns_policy.get(&p.name)), owner(s)) {
            owners[p].get_or_insert(t);
        }
    }
    for (pi, p) in m.policies.iter().enumerate() {
        if owners[pi].is_none() {
            owners[pi] = p
                .tiers
                .iter()
                .flat_map(|t| t.notify.iter().flat_map(|n| n.targets.iter()))
                .find(|t| matches!(t.kind, TargetKind::Team | TargetKind::Lead))
                .and_then(|t| m.ns_team.get(&t.name.name));
        }
    }
    if owners.iter().any(Option::is_none) && !m.routes.is_empty() {
        let an = crate::checks::routes::Analyzer::new(m);
        for (si, s) in m.services.iter().enumerate() {
            let Some(t) = owner(s) else { continue };
            for reach in an.reachable_policies(si).0 {
                if let Some(o) = owners.get_mut(reach.policy) {
                    o.get_or_insert(t);
                }
            }
        }
    }
    owners
}

/// The team each schedule belongs to (by schedule index): the team of the
/// first policy (declaration order) that notifies it and belongs to one.
pub fn schedule_owners(m: &Model, policy_owners: &[Option<usize>]) -> Vec<Option<usize>> {
    let mut owners: Vec<Option<usize>> = vec![None; m.schedules.len()];
    for (pi, p) in m.policies.iter().enumerate() {
        let Some(team) = policy_owners.get(pi).copied().flatten() else { continue };
        for t in p.tiers.iter().flat_map(|t| t.notify.iter().flat_map(|n| n.targets.iter())) {
            if t.kind == TargetKind::Schedule {
                if let Some(si) = m.ns_schedule.get(&t.name.name) {
                    owners[si].get_or_insert(team);
                }
            }
        }
    }
    owners
}

/// A delay in whole minutes, rounded up (at least 1 for a non-zero delay),
/// and whether it was already whole.
pub fn minutes_up(s: Secs) -> (i64, bool) {
    if s <= 0 {
        return (0, true);
    }
    ((s + 59) / 60, s % 60 == 0)
}

/// A tier's re-notifications written out as repeated rules (engines that
/// have none): whole minutes after the tier starts, rounded up as the
/// delays are, each once, strictly before the tier's own timeout
/// (`escalate`), at most `max` of them.
pub fn renotify_minutes(renotify: Secs, escalate: Secs, max: i64) -> Vec<i64> {
    let limit = minutes_up(escalate).0;
    let mut at: Vec<i64> = Vec::new();
    let mut k = 1;
    while k <= max && k * renotify < escalate {
        let rel = minutes_up(k * renotify).0;
        if rel >= limit {
            break;
        }
        if at.last() != Some(&rel) {
            at.push(rel);
        }
        k += 1;
    }
    at
}

/// Pretty JSON with a trailing newline.
pub fn json_file(v: &serde_json::Value) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(v).unwrap_or_default();
    out.push(b'\n');
    out
}

/// `apply-order.txt`: one path a line.
pub fn apply_order(paths: &[String]) -> Vec<u8> {
    let mut out = String::new();
    for p in paths {
        out.push_str(p);
        out.push('\n');
    }
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_minutes() {
        assert_eq!(placeholder("schedule", "payments-primary"), "${schedule.payments-primary}");
        assert_eq!(minutes_up(300), (5, true));
        assert_eq!(minutes_up(90), (2, false));
        assert_eq!(minutes_up(1), (1, false));
        assert_eq!(minutes_up(0), (0, true));
    }

    #[test]
    fn users_are_keyed_by_email_and_people_without_one_are_reported() {
        let src = r#"
person a { email "a@x.io" }
person b { email "a@x.io" sms "+1" }
person c { sms "+2" }
person d { sms "+3" }
team t { members a, b, c }
policy p { tier one { notify team t } }
"#;
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        let (users, dup) = users_by_email(&ws.model, "Engine");
        assert_eq!(users.keys().copied().collect::<Vec<_>>(), vec!["a@x.io"]);
        assert_eq!(users["a@x.io"].name.name, "a");
        assert_eq!(dup.len(), 1);
        assert!(dup[0].message.contains("`b` has the email of `a`"));
        let missing = paged_without_email(&ws.model, "Engine", "leaves them out");
        // c is paged through team t; d is paged by nothing
        assert_eq!(missing.len(), 1);
        assert!(missing[0].message.contains("person `c` can be paged but has no `email`"));
    }

    #[test]
    fn owners_come_from_services_then_targets_then_routes() {
        let src = r#"
person a { email "a@x.io" }
team t { members a }
team u { members a }
schedule s { layer l { members a } }
policy by-default { tier one { notify schedule s } }
policy by-route { tier one { notify person a } }
policy by-target { tier one { notify lead u, team u } }
service api { owner t  policy by-default }
routes { route r { when severity == sev1 to policy by-route } }
"#;
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        let m = &ws.model;
        let owners = policy_owners(m);
        let names: Vec<Option<&str>> = owners.iter().map(|o| o.map(|t| m.teams[t].name.name.as_str())).collect();
        assert_eq!(names, vec![Some("t"), Some("t"), Some("u")]);
        let s = schedule_owners(m, &owners);
        assert_eq!(s, vec![Some(0)]);
    }
}
