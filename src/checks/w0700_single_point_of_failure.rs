//! W0700 single-point-of-failure (warning).
//!
//! # What it finds
//! A policy in which every notify tier can reach only one person, and the
//! same person for every tier. The check is static: it counts every member
//! of the schedules and teams a tier names and the leads it names (whoever
//! is on call at a given time), keeping those who have a contact method
//! for the statement's `via`. Tiers that reach nobody (E0201) are left out,
//! and tiers of the policies handed off to count too: a handoff to another
//! team's policy is a way out. Reported at the policy's name.
//!
//! # Why it matters
//! Escalation exists so that someone else is paged when the first person
//! does not answer. If every tier pages the same person, a flat battery or
//! a missed page means nobody responds, however many tiers and repeats the
//! policy has.
//!
//! # Example
//! ```text
//! team storage { members ann }
//! policy storage {
//!   tier primary { notify person ann  escalate after 10m }
//!   tier backup { notify team storage via phone }
//!   repeat 2
//! }
//! ```
//!
//! # Fix
//! Give at least one tier a second person, such as a backup team or a lead.

use super::Ctx;
use crate::diag::Finding;
use crate::model::graph::Graph;
use crate::syntax::ast::Tier;
use std::collections::BTreeSet;

/// Names of the people a tier can reach, over all its statements.
fn tier_people<'a>(m: &'a crate::model::Model, t: &'a Tier) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    for n in &t.notify {
        for tg in &n.targets {
            for p in m.target_people(tg) {
                if m.reachable(p, &n.via) {
                    out.insert(p.name.name.as_str());
                }
            }
        }
    }
    out
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();
    for (pi, p) in m.policies.iter().enumerate() {
        let mut people: BTreeSet<&str> = BTreeSet::new();
        let mut live_tiers = Vec::new();
        for q in Graph::handoff_closure(m, pi) {
            for t in &m.policies[q].tiers {
                if t.is_handoff() {
                    continue;
                }
                let tp = tier_people(m, t);
                if !tp.is_empty() {
                    people.extend(tp);
                    live_tiers.push(t);
                }
            }
        }
        if people.len() != 1 {
            continue;
        }
        let Some(who) = people.into_iter().next() else { continue };
        let n = live_tiers.len();
        let tiers = if n == 1 { "1 tier reaches someone".to_string() } else { format!("{n} tiers reach someone") };
        let mut f = Finding::new(
            "W0700",
            p.name.span,
            format!("policy `{}` is a single point of failure: every tier pages only `{who}` ({tiers})", p.name.name),
        )
        .with_label(format!("only `{who}` is ever paged"))
        .with_help(format!("give at least one tier a second person (a backup team, a schedule with several members, a lead) besides `{who}`"));
        for t in live_tiers {
            f = f.with_related(t.name.span, format!("reaches only `{who}`"));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(src: &str) -> (crate::workspace::Workspace, Vec<Finding>) {
        crate::checks::testing::findings(check, src)
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        crate::checks::testing::lines(check, src)
    }

    const PEOPLE: &str = "\
person ann { email \"a@x\"  phone \"+1\" }
person bob { email \"b@x\" }
person dave { phone \"+2\" }
person mute { }
team storage { members ann }
team pair { members ann, bob }
team solo-led { members ann  lead dave }
";
    // PEOPLE is 7 lines; declarations below start at line 8.

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // the docs example
            (
                "policy storage {\n  tier primary { notify person ann  escalate after 10m }\n  tier backup { notify team storage via phone }\n  repeat 2\n}\n",
                &[("W0700", 8)],
            ),
            // one tier, one person
            ("policy p { tier a { notify person ann } }\n", &[("W0700", 8)]),
            // a second person in some tier
            ("policy p {\n  tier a { notify person ann  escalate after 1m }\n  tier b { notify team pair }\n}\n", &[]),
            // the lead counts
            ("policy p { tier a { notify team solo-led, lead solo-led } }\n", &[]),
            // different people in different tiers
            ("policy p {\n  tier a { notify person ann  escalate after 1m }\n  tier b { notify person bob }\n}\n", &[]),
            // bob has no phone, mute no contact at all: only ann is reachable
            ("policy p {\n  tier a { notify team pair via phone  escalate after 1m }\n  tier b { notify person mute }\n}\n", &[("W0700", 8)]),
            // schedules: every member counts, whoever is on call
            (
                "schedule s { layer l { rotation weekly from 2026-01-05 09:00  members ann, bob } }\npolicy p { tier a { notify schedule s } }\n",
                &[],
            ),
            ("schedule s { layer l { members ann } }\npolicy p { tier a { notify schedule s } }\n", &[("W0700", 9)]),
            // a handoff to another person's policy is a way out; that policy
            // itself is a single point of failure on bob
            (
                "policy p {\n  tier a { notify person ann  escalate after 1m }\n  tier h { handoff policy q }\n}\npolicy q { tier a { notify person bob } }\n",
                &[("W0700", 12)],
            ),
            // nobody reachable at all: that is E0201, not W0700
            ("policy p { tier a { notify person mute } }\n", &[]),
            ("policy p { tier a { } }\n", &[]),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn message() {
        let (_, fs) = findings(&format!(
            "{PEOPLE}policy p {{\n  tier a {{ notify person ann  escalate after 1m }}\n  tier b {{ notify team storage }}\n  tier c {{ notify person mute }}\n}}\n"
        ));
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].message, "policy `p` is a single point of failure: every tier pages only `ann` (2 tiers reach someone)");
        assert_eq!(fs[0].related.len(), 2);
        assert!(fs[0].help.is_some());
    }
}
