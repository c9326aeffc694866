//! When does a tier or a policy reach someone? (E0202, SPEC §4 Scopes.)

use super::{schedule_segments, Instant, IntervalSet, Segment, Who};
use crate::model::Model;
use crate::syntax::ast::{Notify, Policy, TargetKind, Tier};

/// Segments of every schedule over one window, computed once and shared
/// by the time-based checks.
pub struct SegmentCache {
    pub a: Instant,
    pub b: Instant,
    pub by_schedule: Vec<Vec<Segment>>,
}

impl SegmentCache {
    pub fn new(m: &Model, a: Instant, b: Instant) -> SegmentCache {
        SegmentCache { a, b, by_schedule: m.schedules.iter().map(|s| schedule_segments(m, s, a, b)).collect() }
    }
}

/// Does a non-schedule target of the statement reach someone (at every
/// instant, since persons, teams and leads do not depend on time)?
fn static_reach(m: &Model, n: &Notify) -> bool {
    n.targets.iter().any(|t| t.kind != TargetKind::Schedule && m.target_people(t).iter().any(|p| m.reachable(p, &n.via)))
}

/// Where one `notify` statement reaches a person within the cache window.
pub fn notify_reach(m: &Model, n: &Notify, cache: &SegmentCache) -> IntervalSet {
    let (a, b) = (cache.a, cache.b);
    if static_reach(m, n) {
        return IntervalSet::full(a, b);
    }
    let mut all = IntervalSet::default();
    for t in &n.targets {
        let set = match t.kind {
            TargetKind::Schedule => match m.ns_schedule.get(&t.name.name) {
                Some(s) => IntervalSet::from_unsorted(
                    cache.by_schedule[s]
                        .iter()
                        .copied()
                        .filter(|seg| match seg.who {
                            Who::Person(p) => m.reachable(&m.persons[p], &n.via),
                            _ => false,
                        })
                        .map(|seg| (seg.start, seg.end))
                        .collect(),
                ),
                None => IntervalSet::default(),
            },
            _ => IntervalSet::default(),
        };
        all = all.union(&set);
    }
    all
}

pub fn tier_reach(m: &Model, t: &Tier, cache: &SegmentCache) -> IntervalSet {
    let mut all = IntervalSet::default();
    for n in &t.notify {
        all = all.union(&notify_reach(m, n, cache));
    }
    all
}

/// The tiers an incident can enter: up to and including the first
/// terminal or handoff tier.
pub fn reachable_tiers(p: &Policy) -> &[Tier] {
    let end = p.tiers.iter().position(|t| t.is_terminal() || t.is_handoff()).map(|i| i + 1).unwrap_or(p.tiers.len());
    &p.tiers[..end]
}

/// Policies an incident of `policy` can enter (handoffs followed).
fn entered_policies(m: &Model, policy: usize) -> Vec<usize> {
    let mut seen = vec![policy];
    let mut i = 0;
    while i < seen.len() {
        for t in reachable_tiers(&m.policies[seen[i]]) {
            if let Some(h) = t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)) {
                if !seen.contains(&h) {
                    seen.push(h);
                }
            }
        }
        i += 1;
    }
    seen
}

/// Where some reachable tier of the policy (following handoffs) reaches
/// someone within the cache window.
pub fn policy_reach(m: &Model, policy: usize, cache: &SegmentCache) -> IntervalSet {
    let entered = entered_policies(m, policy);
    // a person, team or lead target reaches someone at every instant
    if entered.iter().any(|&p| reachable_tiers(&m.policies[p]).iter().any(|t| t.notify.iter().any(|n| static_reach(m, n)))) {
        return IntervalSet::full(cache.a, cache.b);
    }
    let mut all = IntervalSet::default();
    let seen = entered;
    let mut i = 0;
    while i < seen.len() {
        let p = &m.policies[seen[i]];
        for t in reachable_tiers(p) {
            all = all.union(&tier_reach(m, t, cache));
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
