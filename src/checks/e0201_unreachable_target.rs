//! E0201 unreachable-target (error).
//!
//! # What it finds
//! A dead end in a tier: a notify tier with at least one `notify`
//! statement none of whose targets can ever reach anyone (an empty team, a
//! schedule with no members or only unreachable ones, persons without any
//! contact method or without any of the statement's `via` channels). It is
//! reported at the tier's name, and the message lists why each target
//! fails. A `lead X` target whose team has no `lead` is reported at the
//! target, wherever it appears. Finally a policy that has tiers but none of
//! whose tiers, following handoffs, can reach anyone is reported at the
//! policy's name. Handoff tiers and tiers without `notify` get no finding
//! of their own (a policy without tiers is E0200).
//!
//! # Why it matters
//! At run time a tier that reaches nobody is skipped at once: the
//! escalation written is not the one that happens. `export` refuses to run
//! while E0201 is present.
//!
//! # Example
//! ```text
//! person bob { }
//! team ops { members ann, bob }
//! policy main {
//!   tier first { notify person bob  escalate after 5m }
//!   tier second { notify team ops via phone  escalate after 10m }
//!   tier third { notify lead ops }
//! }
//! ```
//! `bob` has no contact method, nobody in `ops` has a `phone`, `ops` has no
//! lead; no tier reaches anyone, so `main` is reported too.
//!
//! # Fix
//! Give people the contact methods the tier uses, add members to teams and
//! schedules, and declare the lead.

use super::Ctx;
use crate::diag::Finding;
use crate::model::graph::Graph;
use crate::model::Model;
use crate::syntax::ast::{Notify, Spanned, Channel, Target, TargetKind, Tier};

/// Can any target of any `notify` of this tier reach someone?
pub(crate) fn tier_reaches_someone(m: &Model, t: &Tier) -> bool {
    t.notify.iter().any(|n| n.targets.iter().any(|tg| m.target_people(tg).iter().any(|p| m.reachable(p, &n.via))))
}

fn via_text(via: &[Spanned<Channel>]) -> String {
    let v: Vec<String> = via.iter().map(|c| format!("`{}`", c.value.as_str())).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].clone(),
        _ => format!("any of {}", v.join(", ")),
    }
}

/// Why a target reaches nobody; `None` when it reaches someone.
fn why_unreachable(m: &Model, tg: &Target, n: &Notify) -> Option<String> {
    let people = m.target_people(tg);
    if people.iter().any(|p| m.reachable(p, &n.via)) {
        return None;
    }
    let name = &tg.name.name;
    let lacks = if n.via.is_empty() { "a contact method".to_string() } else { via_text(&n.via) };
    Some(match tg.kind {
        TargetKind::Person => {
            if n.via.is_empty() {
                format!("`{name}` has no contact method")
            } else {
                format!("`{name}` has no {lacks} contact")
            }
        }
        TargetKind::Team => {
            if people.is_empty() {
                format!("team `{name}` has no members")
            } else {
                format!("no member of team `{name}` has {lacks}")
            }
        }
        TargetKind::Lead => match people.first() {
            None => format!("team `{name}` has no lead"),
            Some(p) => format!("`{}`, the lead of `{name}`, has no {lacks}", p.name.name),
        },
        TargetKind::Schedule => {
            if people.is_empty() {
                format!("schedule `{name}` has no members")
            } else {
                format!("no member of schedule `{name}` has {lacks}")
            }
        }
    })
}

fn lead_missing(m: &Model, tg: &Target) -> bool {
    tg.kind == TargetKind::Lead && m.team(&tg.name.name).is_some_and(|t| t.lead.is_none())
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();

    for p in &m.policies {
        for t in &p.tiers {
            // `lead X` without a lead: at the target, even when the tier
            // reaches someone else.
            for n in &t.notify {
                for tg in &n.targets {
                    if lead_missing(m, tg) {
                        let mut f = Finding::new("E0201", tg.span, format!("`lead {}`: team `{}` has no lead", tg.name.name, tg.name.name))
                            .with_label("pages nobody")
                            .with_help(format!("add `lead PERSON` to team `{}`, or notify another target", tg.name.name));
                        if let Some(team) = m.team(&tg.name.name) {
                            f = f.with_related(team.name.span, "team declared here without `lead`");
                        }
                        out.push(f);
                    }
                }
            }
            if t.is_handoff() || t.notify.is_empty() || tier_reaches_someone(m, t) {
                continue;
            }
            // Every target fails; when they all fail only for a missing
            // lead, the target findings above already say everything.
            if t.notify.iter().all(|n| n.targets.iter().all(|tg| lead_missing(m, tg))) {
                continue;
            }
            let mut reasons: Vec<String> = Vec::new();
            for n in &t.notify {
                for tg in &n.targets {
                    if let Some(r) = why_unreachable(m, tg, n) {
                        if !reasons.contains(&r) {
                            reasons.push(r);
                        }
                    }
                }
            }
            let mut f = Finding::new(
                "E0201",
                t.name.span,
                format!("tier `{}` of policy `{}` can never reach anyone: {}", t.name.name, p.name.name, reasons.join("; ")),
            )
            .with_label("reaches nobody: skipped at run time")
            .with_help("give the notified people the contact methods the tier uses (or widen `via`), and add members to empty teams and schedules");
            if let Some(first) = t.notify.first().and_then(|n| n.targets.first()) {
                f = f.with_related(first.span, "first target");
            }
            out.push(f);
        }
    }

    for a in m.routes.iter().flat_map(|r| r.also.iter()) {
        for tg in &a.targets {
            if lead_missing(m, tg) {
                let mut f = Finding::new("E0201", tg.span, format!("`lead {}`: team `{}` has no lead", tg.name.name, tg.name.name))
                    .with_label("pages nobody")
                    .with_help(format!("add `lead PERSON` to team `{}`, or page another target", tg.name.name));
                if let Some(team) = m.team(&tg.name.name) {
                    f = f.with_related(team.name.span, "team declared here without `lead`");
                }
                out.push(f);
            }
        }
    }

    for (pi, p) in m.policies.iter().enumerate() {
        if p.tiers.is_empty() {
            continue; // E0200
        }
        let closure = Graph::handoff_closure(m, pi);
        let reaches = closure.iter().any(|&q| m.policies[q].tiers.iter().any(|t| tier_reaches_someone(m, t)));
        if !reaches {
            let msg = if closure.len() > 1 {
                format!("policy `{}` can never reach anyone: no tier, including those of the policies it hands off to, reaches a person", p.name.name)
            } else {
                format!("policy `{}` can never reach anyone: none of its tiers reaches a person", p.name.name)
            };
            out.push(
                Finding::new("E0201", p.name.span, msg)
                    .with_label("every incident here is exhausted at once")
                    .with_help("make at least one tier notify a person who has a contact method for the tier's channels"),
            );
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

    const PEOPLE: &str = "\
person ann { email \"a@x\" }
person bob { }
person cat { sms \"+1\" }
team ops { members ann, bob }
team empty { }
team led { members ann  lead cat }
";
    // PEOPLE is 6 lines; declarations below start at line 7.

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // the SPEC/docs example: three dead tiers and the policy
            (
                "policy main {\n  tier first { notify person bob  escalate after 5m }\n  tier second { notify team ops via phone  escalate after 10m }\n  tier third {\n    notify lead ops\n  }\n}\n",
                &[("E0201", 8), ("E0201", 9), ("E0201", 11), ("E0201", 7)],
            ),
            // one dead tier among live ones: tier only, not the policy
            (
                "policy p {\n  tier a { notify team empty  escalate after 5m }\n  tier b { notify team ops }\n}\n",
                &[("E0201", 8)],
            ),
            // a team reachable through one member is fine
            ("policy p { tier a { notify team ops } }\n", &[]),
            // via: cat has sms, so `via sms` reaches; `via phone` does not
            ("policy p {\n  tier a { notify person cat via sms  escalate after 1m }\n  tier b { notify person cat via phone }\n}\n", &[("E0201", 9)]),
            // one failing statement is fine when another one reaches
            ("policy p {\n  tier a {\n    notify person bob\n    notify person ann\n  }\n}\n", &[]),
            // lead without lead, next to a reachable target: at the target only
            ("policy p {\n  tier a {\n    notify person ann, lead ops\n  }\n}\n", &[("E0201", 9)]),
            // the lead exists but cannot be reached by phone
            ("policy p {\n  tier a { notify lead led via phone }\n}\n", &[("E0201", 8), ("E0201", 7)]),
            // schedules: no members (only a nobody override) / only unreachable members
            (
                "schedule s1 { override nobody from 2026-01-01 00:00 to 2026-01-02 00:00 }\nschedule s2 { layer l { members bob } }\npolicy p {\n  tier a { notify schedule s1  escalate after 1m }\n  tier b { notify schedule s2 }\n}\n",
                &[("E0201", 10), ("E0201", 11), ("E0201", 9)],
            ),
            // empty tiers and handoff tiers get nothing of their own, but the
            // policy reaches nobody
            ("policy p {\n  tier a { escalate after 5m }\n  tier b { handoff policy q }\n}\npolicy q { tier x { } }\n", &[("E0201", 7), ("E0201", 11)]),
            // following the handoff, someone is reached
            ("policy p {\n  tier a { }\n  tier b { handoff policy q }\n}\npolicy q { tier x { notify person ann } }\n", &[]),
            // a policy without tiers is E0200's business
            ("policy p { }\n", &[]),
            // `also lead X` without a lead
            ("policy p { tier a { notify person ann } }\nroutes {\n  route r {\n    to policy p\n    also lead ops\n  }\n}\n", &[("E0201", 11)]),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn message_lists_every_reason() {
        let fs = findings(&format!("{PEOPLE}policy p {{\n  tier a {{ notify team empty, person bob  notify team ops via push }}\n}}\n"));
        let tier = fs.iter().find(|f| f.message.starts_with("tier")).expect("tier finding");
        assert_eq!(
            tier.message,
            "tier `a` of policy `p` can never reach anyone: team `empty` has no members; `bob` has no contact method; no member of team `ops` has `push`"
        );
        assert!(tier.help.is_some());
        assert_eq!(tier.related.len(), 1);
        let pol = fs.iter().find(|f| f.message.starts_with("policy")).expect("policy finding");
        assert!(pol.message.contains("`p`"));
    }
}
