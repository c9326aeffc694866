//! W0800 missing-checkpoint (warning).
//!
//! # What it finds
//! A `risk high` service for which some alert, of any severity, can reach
//! a policy none of whose reachable tiers has a `checkpoint`. Reachable
//! policies are those of the non-suppressed end states of symbolic route
//! evaluation ([`super::routes`]), the service's own `policy` included
//! wherever an alert can end undecided. A policy's reachable tiers are
//! judged as E0300 does: the tiers up to and including the first terminal
//! or handoff tier, without those first entered at or after the org
//! `auto-resolve`, plus the tier named by `unresolved … escalate to` (its
//! side effects are recorded on the jump). A reachable handoff tier adds
//! the reachable tiers of the policy it hands off to, transitively (a
//! checkpoint there counts). A checkpoint on an unreachable tier (E0300)
//! does not count. One finding per such policy, on the service's name,
//! with the policy's name as related span.
//!
//! # Why it matters
//! High-risk services (customer data, payments) should have a manual
//! confirmation step during an incident; a `checkpoint` is recorded in the
//! audit trail whenever its tier is entered, so drills and simulations
//! show that the step was asked for.
//!
//! # Example
//! ```esc
//! policy payments {
//!   tier primary { notify schedule payments-primary  escalate after 10m }
//!   tier leads { notify team eng-leads }
//! }
//! service checkout { owner payments  policy payments  risk high }
//! ```
//!
//! # Fix
//! Add a `checkpoint "…"` to a tier every incident reaches (the first one,
//! or the tier named by `unresolved … escalate to`) of every policy the
//! service can reach, including policies chosen by routes.
//!
//! # What the analysis cannot decide
//! Time conditions and regexes on unknown values count as "may match", so
//! a policy is reachable unless the routes provably keep every alert of the
//! service away from it. A checkpoint on a reachable tier counts even
//! though a given incident may be acknowledged before entering it. When a service's exploration exceeds
//! its state budget, only the outcomes found so far are checked.

use super::routes::Analyzer;
use super::Ctx;
use crate::diag::Finding;
use crate::model::Model;
use crate::syntax::ast::{Risk, Secs};

/// Does some reachable tier of the policy, or of a policy a reachable
/// handoff tier leads to, have a `checkpoint`?
pub fn has_reachable_checkpoint(m: &Model, policy: usize) -> bool {
    let mut seen = vec![policy];
    let mut i = 0;
    while i < seen.len() {
        let p = &m.policies[seen[i]];
        i += 1;
        let jump = p.unresolved.as_ref().map(|u| u.tier.name.as_str());
        let mut entered: Secs = 0;
        for (ti, t) in p.tiers.iter().enumerate() {
            let late = ti > 0 && m.org.auto_resolve.is_some_and(|ar| entered >= ar);
            if late {
                break;
            }
            if !t.checkpoints.is_empty() {
                return true;
            }
            if let Some(h) = t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)) {
                if !seen.contains(&h) {
                    seen.push(h);
                }
            }
            match &t.escalate_after {
                Some(d) if !t.is_handoff() => entered = entered.saturating_add(d.value),
                _ => break, // terminal or handoff: later tiers are unreachable
            }
        }
        // the `unresolved` target records its side effects on the jump
        if let Some((_, t)) = jump.and_then(|j| m.tier(p, j)) {
            if !t.checkpoints.is_empty() {
                return true;
            }
        }
    }
    false
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    if m.services.iter().all(|s| s.risk() != Risk::High) {
        return Vec::new();
    }
    let an = Analyzer::new(m);
    // per policy: does it (or a policy it hands off to) have a checkpoint?
    let mut has_checkpoint: Vec<Option<bool>> = vec![None; m.policies.len()];
    let mut out = Vec::new();
    for (si, s) in m.services.iter().enumerate() {
        if s.risk() != Risk::High {
            continue;
        }
        let (reach, _complete) = an.reachable_policies(si);
        for p in reach.iter().map(|r| r.policy) {
            let ok = *has_checkpoint[p].get_or_insert_with(|| has_reachable_checkpoint(m, p));
            if ok {
                continue;
            }
            let pol = &m.policies[p];
            out.push(
                Finding::new(
                    "W0800",
                    s.name.span,
                    format!("high-risk service `{}` can reach policy `{}`, which has no `checkpoint`", s.name.name, pol.name.name),
                )
                .with_label("`risk high`")
                .with_help(format!(
                    "add `checkpoint \"confirm customer communication\"` (or another manual step) to a tier of `{}` that every incident enters",
                    pol.name.name
                ))
                .with_related(pol.name.span, "no reachable tier of this policy (or of a policy it hands off to) has a checkpoint"),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::routes::test_support::check as chk;
    use super::check;

    const BASE: &str = "team ops { members a }\nperson a { email \"a@x\" }\npolicy plain { tier one { notify person a  escalate after 5m }  tier two { notify person a } }\npolicy safe { tier one { notify person a  checkpoint \"confirm\" } }\npolicy hand { tier one { notify person a  escalate after 5m }  tier h { handoff policy safe } }\n";
    // BASE has 5 lines.

    fn c(src: &str, expected: &[(&str, usize)]) -> Vec<String> {
        chk(check, &format!("{BASE}{src}"), expected)
    }

    #[test]
    fn default_policy_without_checkpoint() {
        let msgs = c("service pay { owner ops  policy plain  risk high }\n", &[("W0800", 6)]);
        assert_eq!(msgs, vec!["high-risk service `pay` can reach policy `plain`, which has no `checkpoint`"]);
        c("service pay { owner ops  policy plain  risk medium }\n", &[]);
        c("service pay { owner ops  policy safe  risk high }\n", &[]);
    }

    #[test]
    fn checkpoint_through_handoff_counts() {
        c("service pay { owner ops  policy hand  risk high }\n", &[]);
    }

    #[test]
    fn unreachable_tiers_do_not_count() {
        // after a terminal tier (E0300)
        c("policy late { tier one { notify person a }  tier two { notify person a  checkpoint \"x\" } }\nservice pay { owner ops  policy late  risk high }\n", &[("W0800", 7)]);
        // after a handoff tier; the policy handed off to has none
        c(
            "policy late { tier one { handoff policy plain }  tier two { notify person a  checkpoint \"x\" } }\nservice pay { owner ops  policy late  risk high }\n",
            &[("W0800", 7)],
        );
        // first entered at auto-resolve
        c(
            "org o { auto-resolve 1h }\npolicy late { tier one { notify person a  escalate after 1h }  tier two { notify person a  checkpoint \"x\" } }\nservice pay { owner ops  policy late  risk high }\n",
            &[("W0800", 8)],
        );
        // ... but the `unresolved` target is reachable by the jump
        c(
            "policy late { tier one { notify person a }  tier two { notify person a  checkpoint \"x\" }  unresolved after 1h escalate to two }\nservice pay { owner ops  policy late  risk high }\n",
            &[],
        );
    }

    #[test]
    fn policies_chosen_by_routes() {
        // sev1 goes to `plain`: reported even though the default is safe
        c(
            "service pay { owner ops  policy safe  risk high }\nroutes {\n route crit { when service == \"pay\" and severity == sev1  to policy plain }\n}\n",
            &[("W0800", 6)],
        );
        // the route covers every alert, so the default `plain` is never used
        c(
            "service pay { owner ops  policy plain  risk high }\nroutes {\n route all { when service == \"pay\"  to policy safe }\n}\n",
            &[],
        );
        // suppressed alerts reach nothing
        c(
            "service pay { owner ops  policy safe  risk high }\nroutes {\n route drop { when severity == sev5  suppress }\n route low { when severity == sev5  to policy plain }\n}\n",
            &[],
        );
    }
}
