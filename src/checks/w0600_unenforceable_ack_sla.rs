//! W0600 unenforceable-ack-sla (warning).
//!
//! # What it finds
//! A service's `ack-sla SEV D` that is strictly shorter than the first
//! tier's `escalate after` of some policy an alert of that service can
//! reach with final severity SEV (after every route `set`), the service's
//! own `policy` included wherever an alert can end undecided and not
//! suppressed. A terminal first tier counts as infinitely long (reported
//! as "never escalates"); a handoff first tier counts as the first tier of
//! the policy it hands off to, recursively (a handoff cycle counts as
//! never escalating). One finding per severity and policy, on the
//! service's name, with the counted `escalate after` as related span.
//!
//! # Why it matters
//! If the first responder does not answer, nobody else is paged before the
//! SLA is already breached: the policy cannot enforce the promise.
//!
//! # Example
//! ```esc
//! policy standard {
//!   tier primary { notify schedule primary  escalate after 30m }
//!   tier backup { notify team sre }
//! }
//! service api { owner ops  policy standard  ack-sla sev1 5m }
//! ```
//!
//! # Fix
//! Shorten the first tier's `escalate after` to at most the SLA, or route
//! that severity to a faster policy. Equal durations are accepted.
//!
//! # What the analysis cannot decide
//! Reachability comes from symbolic route evaluation
//! ([`super::routes`]): time conditions and regexes on unknown values count
//! as "may match", so a policy is considered reachable unless the routes
//! provably keep the severity away from it. When a service's exploration
//! exceeds its state budget, only the outcomes found so far are checked.

use super::routes::{fmt_secs, Analyzer};
use super::Ctx;
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::Secs;

/// The first tier's timeout of a policy, following handoff first tiers:
/// `Some((secs, span of escalate after, policy whose tier counts))`, or
/// `None` when it never escalates (terminal, empty, or a handoff cycle).
pub fn first_tier_timeout(m: &Model, policy: usize) -> Option<(Secs, Span, usize)> {
    let mut p = policy;
    // a chain of first-tier handoffs longer than the number of policies is a cycle
    for _ in 0..=m.policies.len() {
        let t = m.policies.get(p)?.tiers.first()?;
        if let Some(h) = &t.handoff {
            p = m.ns_policy.get(&h.name)?;
            continue;
        }
        return t.escalate_after.as_ref().map(|e| (e.value, e.span, p));
    }
    None
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    if m.services.iter().all(|s| s.ack_sla.is_empty()) {
        return Vec::new();
    }
    let an = Analyzer::new(m);
    let mut timeouts: Vec<Option<Option<(Secs, Span, usize)>>> = vec![None; m.policies.len()];
    let mut out = Vec::new();
    for (si, s) in m.services.iter().enumerate() {
        if s.ack_sla.is_empty() {
            continue;
        }
        let (reach, _complete) = an.reachable_policies(si);
        for sla in &s.ack_sla {
            let Some(rank) = m.severity_rank(&sla.severity.name) else { continue };
            for r in reach.iter().filter(|r| r.may_have_severity(rank)) {
                let p = r.policy;
                let pol = &m.policies[p];
                let timeout = *timeouts[p].get_or_insert_with(|| first_tier_timeout(m, p));
                let (wait, span, via) = match timeout {
                    Some((secs, span, via)) if sla.after.value < secs => (fmt_secs(secs), Some(span), Some(via)),
                    Some(_) => continue,
                    None if pol.tiers.is_empty() => continue, // E0200
                    None => ("forever (its first tier never escalates)".to_string(), None, None),
                };
                let via_text = match via {
                    Some(v) if v != p => format!(" (first tier of `{}`, handed off to)", m.policies[v].name.name),
                    _ => String::new(),
                };
                let mut f = Finding::new(
                    "W0600",
                    s.name.span,
                    format!(
                        "ack SLA for {} is {}, but policy `{}` waits {wait}{via_text} before escalating",
                        sla.severity.name,
                        fmt_secs(sla.after.value),
                        pol.name.name
                    ),
                )
                .with_label(format!("{} alerts can reach `{}`", sla.severity.name, pol.name.name))
                .with_help(format!(
                    "shorten the first tier's `escalate after` to at most {}, or route {} alerts of `{}` to a faster policy",
                    fmt_secs(sla.after.value),
                    sla.severity.name,
                    s.name.name
                ));
                f = match span {
                    Some(sp) => f.with_related(sp, "first escalation after this long"),
                    None => f.with_related(pol.name.span, "this policy's first tier never escalates"),
                };
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::routes::test_support::check as chk;
    use super::check;

    const BASE: &str = "team ops { members a }\nperson a { email \"a@x\" }\npolicy slow { tier one { notify person a  escalate after 30m }  tier two { notify person a } }\npolicy fast { tier one { notify person a  escalate after 5m }  tier two { notify person a } }\npolicy term { tier one { notify person a } }\npolicy hand { tier h { handoff policy slow } }\n";
    // BASE has 6 lines.

    fn c(src: &str, expected: &[(&str, usize)]) -> Vec<String> {
        chk(check, &format!("{BASE}{src}"), expected)
    }

    #[test]
    fn default_policy_too_slow() {
        let msgs = c("service api { owner ops  policy slow  ack-sla sev1 5m, sev3 1h }\n", &[("W0600", 7)]);
        assert_eq!(msgs, vec!["ack SLA for sev1 is 5m, but policy `slow` waits 30m before escalating"]);
        c("service api { owner ops  policy slow  ack-sla sev1 30m }\n", &[]);
    }

    #[test]
    fn routes_send_severity_to_fast_policy() {
        c(
            "service api { owner ops  policy slow  ack-sla sev1 5m }\nroutes {\n route crit { when service == \"api\" and severity == sev1  to policy fast }\n}\n",
            &[],
        );
        // `>= sev2` (sev1 and sev2) is routed fast; sev3 falls back to `slow`
        c(
            "service api { owner ops  policy slow  ack-sla sev1 5m, sev3 10m }\nroutes {\n route crit { when severity >= sev2  to policy fast }\n}\n",
            &[("W0600", 7)],
        );
    }

    #[test]
    fn upgrade_by_set_reaches_policy() {
        // vip alerts become sev1 and go to `slow`; plain sev1 goes to `fast`
        let msgs = c(
            "service api { owner ops  policy fast  ack-sla sev1 5m }\nroutes {\n route vip { when labels.customer == \"vip\"  set severity sev1  continue }\n route vips { when labels.customer == \"vip\"  to policy slow }\n}\n",
            &[("W0600", 7)],
        );
        assert_eq!(msgs, vec!["ack SLA for sev1 is 5m, but policy `slow` waits 30m before escalating"]);
        // downgrade: sev1 alerts are set to sev2 before reaching `slow`
        c(
            "service api { owner ops  policy fast  ack-sla sev1 5m }\nroutes {\n route down { when severity == sev1  set severity sev2  continue }\n route s2 { when severity == sev2  to policy slow }\n}\n",
            &[],
        );
    }

    #[test]
    fn terminal_and_handoff_first_tiers() {
        let msgs = c("service api { owner ops  policy term  ack-sla sev2 1h }\n", &[("W0600", 7)]);
        assert_eq!(msgs, vec!["ack SLA for sev2 is 1h, but policy `term` waits forever (its first tier never escalates) before escalating"]);
        let msgs = c("service api { owner ops  policy hand  ack-sla sev2 10m }\n", &[("W0600", 7)]);
        assert_eq!(msgs, vec!["ack SLA for sev2 is 10m, but policy `hand` waits 30m (first tier of `slow`, handed off to) before escalating"]);
    }

    #[test]
    fn suppressed_severities_do_not_count() {
        c(
            "service api { owner ops  policy slow  ack-sla sev5 1m }\nroutes {\n route drop { when severity == sev5  suppress }\n}\n",
            &[],
        );
    }

    #[test]
    fn handoff_cycle_is_guarded() {
        let src = "policy c1 { tier h { handoff policy c2 } }\npolicy c2 { tier h { handoff policy c1 } }\nservice api { owner ops  policy c1  ack-sla sev1 5m }\n";
        let msgs = c(src, &[("W0600", 9)]);
        assert_eq!(msgs.len(), 1);
    }
}
