//! E0300 unreachable-tier (error).
//!
//! # What it finds
//! A tier that no incident can ever enter, reported at the tier's name:
//! - it is written after a terminal tier (a notify tier without `escalate
//!   after`) or after a handoff tier;
//! - it is first entered at or after the org `auto-resolve`: the sum of
//!   the earlier tiers' `escalate after` is at least the `auto-resolve`
//!   delay.
//!
//! A tier named by `unresolved … escalate to` is never unreachable. An
//! `unresolved … escalate to T` whose T names no tier of the policy is
//! reported at T.
//!
//! # Why it matters
//! The tier looks like part of the escalation, but nobody is ever paged by
//! it. Usually an `escalate after` was forgotten on the tier before it.
//!
//! # Example
//! ```text
//! policy main {
//!   tier primary { notify schedule primary }
//!   tier backup { notify team sre  escalate after 30m }
//!   unresolved after 30m escalate to leadrship
//! }
//! ```
//! `primary` is terminal, so `backup` is unreachable; `leadrship` is no
//! tier of `main`.
//!
//! # Fix
//! Give the earlier tier a timeout, name an existing tier, or shorten the
//! timeouts (or lengthen `auto-resolve`).

use super::Ctx;
use crate::diag::{did_you_mean, Finding};
use crate::syntax::ast::Secs;

/// A readable duration: `1h30m`, `45s`.
fn dur(s: Secs) -> String {
    let mut out = String::new();
    let mut rest = s;
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= n {
            out.push_str(&format!("{}{unit}", rest / n));
            rest %= n;
        }
    }
    if out.is_empty() {
        out.push_str("0s");
    }
    out
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();
    for p in &m.policies {
        let jump_target = p.unresolved.as_ref().map(|u| u.tier.name.as_str());
        // The first terminal or handoff tier: everything after it is
        // unreachable.
        let mut blocker: Option<usize> = None;
        // When the tier is first entered (round 1), while no blocker.
        let mut entered: Secs = 0;
        for (i, t) in p.tiers.iter().enumerate() {
            let named_by_jump = jump_target == Some(t.name.name.as_str());
            if let Some(b) = blocker {
                if !named_by_jump {
                    let bt = &p.tiers[b];
                    let (what, help) = if bt.is_handoff() {
                        (
                            format!("tier `{}` hands off to another policy", bt.name.name),
                            "move this tier before the handoff tier, or into the policy handed off to".to_string(),
                        )
                    } else {
                        (
                            format!("tier `{}` has no `escalate after`", bt.name.name),
                            format!("add `escalate after D` to tier `{}`, or delete this tier", bt.name.name),
                        )
                    };
                    out.push(
                        Finding::new(
                            "E0300",
                            t.name.span,
                            format!("tier `{}` of policy `{}` can never be entered: {what}", t.name.name, p.name.name),
                        )
                        .with_label("unreachable tier")
                        .with_related(bt.name.span, if bt.is_handoff() { "the incident leaves the policy here" } else { "the escalation stops here" })
                        .with_help(help),
                    );
                }
                continue;
            }
            if let Some(ar) = m.org.auto_resolve {
                if i > 0 && entered >= ar && !named_by_jump {
                    let mut f = Finding::new(
                        "E0300",
                        t.name.span,
                        format!(
                            "tier `{}` of policy `{}` would first be entered at +{}, but incidents auto-resolve at +{}",
                            t.name.name,
                            p.name.name,
                            dur(entered),
                            dur(ar)
                        ),
                    )
                    .with_label("unreachable tier")
                    .with_help("shorten the earlier tiers' `escalate after`, or lengthen the org `auto-resolve`");
                    if let Some(span) = m.org.name.as_ref().map(|n| n.span).or(m.org.span) {
                        f = f.with_related(span, "`auto-resolve` is set in this org");
                    }
                    out.push(f);
                }
            }
            if t.is_handoff() || t.escalate_after.is_none() {
                blocker = Some(i);
            } else if let Some(d) = &t.escalate_after {
                entered = entered.saturating_add(d.value);
            }
        }
        if let Some(u) = &p.unresolved {
            if m.tier(p, &u.tier.name).is_none() {
                let names: Vec<&str> = p.tiers.iter().map(|t| t.name.name.as_str()).collect();
                let help = match did_you_mean(&u.tier.name, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if names.is_empty() => format!("policy `{}` has no tiers; add one", p.name.name),
                    None => format!("name one of the tiers of `{}`: {}", p.name.name, names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")),
                };
                out.push(
                    Finding::new("E0300", u.tier.span, format!("policy `{}` has no tier `{}`", p.name.name, u.tier.name))
                        .with_label("no such tier")
                        .with_help(help),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The findings of this check on one file.
    fn findings(src: &str) -> Vec<Finding> {
        crate::checks::testing::findings(check, src).1
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        crate::checks::testing::lines(check, src)
    }

    const PEOPLE: &str = "person ann { email \"a@x\" }\n";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // after a terminal tier: every later tier
            (
                "policy p {\n  tier a { notify person ann }\n  tier b { notify person ann  escalate after 5m }\n  tier c { notify person ann }\n}\n",
                &[("E0300", 4), ("E0300", 5)],
            ),
            // after a handoff tier
            (
                "policy p {\n  tier a { notify person ann  escalate after 5m }\n  tier h { handoff policy q }\n  tier c { notify person ann }\n}\npolicy q { tier x { notify person ann } }\n",
                &[("E0300", 5)],
            ),
            // a well-formed chain, last tier terminal
            (
                "policy p {\n  tier a { notify person ann  escalate after 5m }\n  tier b { notify person ann  escalate after 5m }\n  tier c { notify person ann }\n}\n",
                &[],
            ),
            // an `unresolved` target after a terminal tier is reachable
            (
                "policy p {\n  tier a { notify person ann }\n  tier lead { notify person ann }\n  unresolved after 1h escalate to lead\n}\n",
                &[],
            ),
            // an `unresolved` naming no tier
            (
                "policy p {\n  tier a { notify person ann  escalate after 5m }\n  tier leadership { notify person ann }\n  unresolved after 1h escalate to leadrship\n}\n",
                &[("E0300", 5)],
            ),
            // an empty tier does not block (it has a timeout)
            ("policy p {\n  tier a { escalate after 5m }\n  tier b { notify person ann }\n}\n", &[]),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn auto_resolve() {
        let org = "org acme { auto-resolve 1h }\n";
        let cases: &[(&str, &[(&str, usize)])] = &[
            // leads entered at exactly 60m: unreachable
            (
                "policy slow {\n  tier a { notify person ann  escalate after 30m }\n  tier b { notify person ann  escalate after 30m }\n  tier leads { notify person ann }\n}\n",
                &[("E0300", 6)],
            ),
            // entered at 59m: fine
            (
                "policy ok {\n  tier a { notify person ann  escalate after 30m }\n  tier b { notify person ann  escalate after 29m }\n  tier leads { notify person ann }\n}\n",
                &[],
            ),
            // every tier after the limit is reported, except the jump target
            (
                "policy p {\n  tier a { notify person ann  escalate after 2h }\n  tier b { notify person ann  escalate after 5m }\n  tier c { notify person ann }\n  unresolved after 30m escalate to c\n}\n",
                &[("E0300", 5)],
            ),
        ];
        for (src, want) in cases {
            let src = format!("{org}{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn messages() {
        let fs = findings(&format!(
            "org acme {{ auto-resolve 1h }}\n{PEOPLE}policy p {{\n  tier a {{ notify person ann }}\n  tier b {{ notify person ann }}\n  unresolved after 1h escalate to leadrship\n}}\npolicy q {{\n  tier a {{ notify person ann  escalate after 1h30m }}\n  tier b {{ notify person ann }}\n}}\n"
        ));
        let msgs: Vec<String> = fs.into_iter().map(|f| f.message).collect();
        assert_eq!(
            msgs,
            vec![
                "tier `b` of policy `p` can never be entered: tier `a` has no `escalate after`",
                "policy `p` has no tier `leadrship`",
                "tier `b` of policy `q` would first be entered at +1h30m, but incidents auto-resolve at +1h",
            ]
        );
    }
}
