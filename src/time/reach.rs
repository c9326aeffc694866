//! When does a tier or a policy reach someone? (E0202, SPEC §4 Scopes.)

use super::{schedule_segments, Instant, IntervalSet, Who};
use crate::model::Model;
use crate::syntax::ast::{Notify, Policy, TargetKind, Tier};

/// Where one `notify` statement reaches a person within `[a, b)`.
pub fn notify_reach(m: &Model, n: &Notify, a: Instant, b: Instant) -> IntervalSet {
    let mut all = IntervalSet::default();
    for t in &n.targets {
        let set = match t.kind {
            TargetKind::Schedule => match m.schedule(&t.name.name) {
                Some(s) => IntervalSet::from_unsorted(
                    schedule_segments(m, s, a, b)
                        .into_iter()
                        .filter(|seg| match seg.who {
                            Who::Person(p) => m.reachable(&m.persons[p], &n.via),
                            _ => false,
                        })
                        .map(|seg| (seg.start, seg.end))
                        .collect(),
                ),
                None => IntervalSet::default(),
            },
            _ => {
                if m.target_people(t).iter().any(|p| m.reachable(p, &n.via)) {
                    IntervalSet::full(a, b)
                } else {
                    IntervalSet::default()
                }
            }
        };
        all = all.union(&set);
        if all.0.len() == 1 && all.0[0] == (a, b) {
            break;
        }
    }
    all
}

pub fn tier_reach(m: &Model, t: &Tier, a: Instant, b: Instant) -> IntervalSet {
    let mut all = IntervalSet::default();
    for n in &t.notify {
        all = all.union(&notify_reach(m, n, a, b));
    }
    all
}

/// The tiers an incident can enter: up to and including the first
/// terminal or handoff tier.
pub fn reachable_tiers(p: &Policy) -> &[Tier] {
    let end = p.tiers.iter().position(|t| t.is_terminal() || t.is_handoff()).map(|i| i + 1).unwrap_or(p.tiers.len());
    &p.tiers[..end]
}

/// Where some reachable tier of the policy (following handoffs) reaches
/// someone within `[a, b)`.
pub fn policy_reach(m: &Model, policy: usize, a: Instant, b: Instant) -> IntervalSet {
    let mut all = IntervalSet::default();
    let mut seen = vec![policy];
    let mut i = 0;
    while i < seen.len() {
        let p = &m.policies[seen[i]];
        for t in reachable_tiers(p) {
            all = all.union(&tier_reach(m, t, a, b));
            if let Some(h) = t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)) {
                if !seen.contains(&h) {
                    seen.push(h);
                }
            }
        }
        i += 1;
    }
    all
}

/// Windows of at least one minute.
pub fn minute_windows(s: &IntervalSet) -> IntervalSet {
    IntervalSet(s.0.iter().copied().filter(|(x, y)| y - x >= 60).collect())
}

/// "2026-11-09 18:00 EST"
pub fn format_instant(m: &Model, t: Instant) -> String {
    use chrono::TimeZone;
    match m.org.tz.timestamp_opt(t, 0).single() {
        Some(x) => x.format("%Y-%m-%d %H:%M %Z").to_string(),
        None => t.to_string(),
    }
}

/// "3d 4h 30m"
pub fn format_span(secs: i64) -> String {
    let (d, h, mi) = (secs / 86_400, (secs % 86_400) / 3600, (secs % 3600) / 60);
    let mut parts = Vec::new();
    if d > 0 {
        parts.push(format!("{d}d"));
    }
    if h > 0 {
        parts.push(format!("{h}h"));
    }
    if mi > 0 || parts.is_empty() {
        parts.push(format!("{mi}m"));
    }
    parts.join(" ")
}
