//! E0200 empty-policy (error).
//!
//! # What it finds
//! A dead end: a policy with no tiers at all (reported at the policy's
//! name), and every reference that leads to such a policy: a route's
//! `to policy P` and a service's `policy P` (reported at the reference).
//!
//! # Why it matters
//! An incident routed to an empty policy pages nobody: it is exhausted the
//! instant it opens. `export` refuses to run while E0200 is present.
//!
//! # Example
//! ```text
//! policy payments-critical { }
//! service payments-api { owner ops  policy payments-critical }
//! ```
//! Both the policy's name and the service's `policy payments-critical`
//! reference are reported.
//!
//! # Fix
//! Give the policy at least one tier that reaches someone, or point the
//! route or service at a working policy.

use super::Ctx;
use crate::diag::Finding;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();
    let is_empty = |name: &str| m.policy(name).is_some_and(|p| p.tiers.is_empty());

    for p in &m.policies {
        if p.tiers.is_empty() {
            out.push(
                Finding::new("E0200", p.name.span, format!("policy `{}` has no tiers", p.name.name))
                    .with_label("no tier: incidents routed here page nobody")
                    .with_help(format!("add a tier, e.g. `tier primary {{ notify team … }}`, to `{}`, or delete the policy", p.name.name)),
            );
        }
    }
    for s in &m.services {
        if let Some(r) = &s.policy {
            if is_empty(&r.name) {
                let decl = m.policy(&r.name).map(|p| p.name.span);
                let mut f = Finding::new(
                    "E0200",
                    r.span,
                    format!("service `{}` uses policy `{}`, which has no tiers", s.name.name, r.name),
                )
                .with_label("leads to an empty policy")
                .with_help(format!("give `{}` a tier or name a policy that has tiers", r.name));
                if let Some(d) = decl {
                    f = f.with_related(d, "declared here without tiers");
                }
                out.push(f);
            }
        }
    }
    for rt in &m.routes {
        if let Some(r) = &rt.to {
            if is_empty(&r.name) {
                let decl = m.policy(&r.name).map(|p| p.name.span);
                let mut f = Finding::new(
                    "E0200",
                    r.span,
                    format!("route `{}` sends alerts to policy `{}`, which has no tiers", rt.name.name, r.name),
                )
                .with_label("leads to an empty policy")
                .with_help(format!("give `{}` a tier or route to a policy that has tiers", r.name));
                if let Some(d) = decl {
                    f = f.with_related(d, "declared here without tiers");
                }
                out.push(f);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        crate::checks::testing::lines(check, src)
    }

    const PEOPLE: &str = "person ann { email \"a@x\" }\nteam ops { members ann }\n";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // empty policy, used by a service and a route
            (
                "policy empty { }\nservice api {\n  owner ops\n  policy empty\n}\nroutes {\n  route r {\n    to policy empty\n  }\n}\n",
                &[("E0200", 3), ("E0200", 6), ("E0200", 10)],
            ),
            // empty but unused: only the policy
            ("policy empty {\n  repeat 2\n}\n", &[("E0200", 3)]),
            // a policy with a tier is not empty, even an empty tier
            ("policy p { tier a { } }\nservice api { owner ops  policy p }\n", &[]),
            ("policy p { tier a { notify team ops } }\nroutes { route r { to policy p } }\n", &[]),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn messages_name_the_policy() {
        let src = format!("{PEOPLE}policy empty {{ }}\nservice api {{ owner ops  policy empty }}\n");
        let ws = crate::workspace::load_texts(".".into(), vec![("t.esc".into(), src.into_bytes())]);
        let graph = crate::model::graph::Graph::build(&ws.model);
        let fs = check(&Ctx { model: &ws.model, graph: &graph });
        assert_eq!(fs.len(), 2);
        assert_eq!(fs[0].message, "policy `empty` has no tiers");
        assert!(fs[1].message.contains("service `api`"));
        assert_eq!(fs[1].related.len(), 1);
        assert!(fs.iter().all(|f| f.help.is_some()));
    }
}
