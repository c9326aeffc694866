//! W0701 missing-contact (warning).
//!
//! # What it finds
//! A `notify` (tier) or `also` (route) statement with `via CHANNEL…` that
//! notifies a person who has no address for one of those channels (no
//! `email`, `sms`, `phone` or `chat` line, or no `push`). One finding per
//! statement, channel and person, at the channel in the `via` list. It
//! covers persons named directly, team members, leads and schedule members.
//!
//! # Why it matters
//! A person is notified only on the `via` channels they have; with none of
//! them they are not reachable by that statement at all, and a tier that
//! pages "the team by phone" silently skips whoever has no phone. If nobody
//! in the tier is reachable, E0201 is reported as well.
//!
//! # Example
//! ```text
//! person ann { email "ann@example.com" }
//! team ops { members ann, bob }
//! policy main { tier first { notify team ops via phone } }
//! ```
//! `ann` has no `phone`.
//!
//! # Fix
//! Add the missing contact method to the person, or widen or change the
//! channel list.

use super::Ctx;
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::{Channel, Notify, Person, Target, TargetKind};
use std::collections::HashSet;

/// Which people of a target count: persons, team members and leads
/// always; schedule members only when on call within the horizon, which
/// the time-based pass (`check_schedules`) decides.
type PeopleOf<'a> = dyn Fn(&Target) -> Vec<&'a Person> + 'a;

fn statement<'a>(m: &'a Model, n: &Notify, people_of: &PeopleOf<'a>, seen: &mut HashSet<(Span, String)>, out: &mut Vec<Finding>) {
    for ch in &n.via {
        for tg in &n.targets {
            for p in people_of(tg) {
                if p.contacts.iter().any(|c| c.channel == ch.value) {
                    continue;
                }
                let c = ch.value.as_str();
                let msg = format!("`{}` has no `{c}` contact", p.name.name);
                if !seen.insert((ch.span, msg.clone())) {
                    continue;
                }
                let add = if ch.value == Channel::Push { "`push`".to_string() } else { format!("`{c} \"…\"`") };
                let also = if m.reachable(p, &n.via) { "" } else { " (so this statement cannot reach them at all)" };
                out.push(
                    Finding::new("W0701", ch.span, format!("{msg}{also}"))
                        .with_label(format!("`{}` is not notified by {c}", p.name.name))
                        .with_related(tg.span, format!("notifies `{}` through `{} {}`", p.name.name, tg.kind.as_str(), tg.name.name))
                        .with_related(p.name.span, format!("person `{}` is declared here", p.name.name))
                        .with_help(format!("add {add} to person `{}`, or change the `via` list", p.name.name)),
                );
            }
        }
    }
}

fn every_statement<'a>(m: &'a Model, people_of: &PeopleOf<'a>) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for p in &m.policies {
        for t in &p.tiers {
            for n in &t.notify {
                statement(m, n, people_of, &mut seen, &mut out);
            }
        }
    }
    for r in &m.routes {
        for a in &r.also {
            statement(m, a, people_of, &mut seen, &mut out);
        }
    }
    out
}

/// Persons, team members and leads.
pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    every_statement(m, &|t: &Target| if t.kind == TargetKind::Schedule { Vec::new() } else { m.target_people(t) })
}

/// Schedule members who are on call at some instant within the horizon
/// (SPEC §4 Scopes, W0701).
pub fn check_schedules(ctx: &super::TimeCtx) -> Vec<Finding> {
    let m = ctx.model;
    let on_call: Vec<Vec<usize>> = ctx
        .segments
        .by_schedule
        .iter()
        .map(|segs| {
            let mut v: Vec<usize> = segs.iter().filter_map(|s| if let crate::time::Who::Person(p) = s.who { Some(p) } else { None }).collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    every_statement(m, &|t: &Target| {
        if t.kind != TargetKind::Schedule {
            return Vec::new();
        }
        // in the order of `target_people` (layers, then overrides)
        match m.ns_schedule.get(&t.name.name) {
            Some(si) => m.target_people(t).into_iter().filter(|p| m.ns_person.get(&p.name.name).is_some_and(|i| on_call[si].binary_search(&i).is_ok())).collect(),
            None => Vec::new(),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::graph::Graph;

    fn findings(src: &str) -> (crate::workspace::Workspace, Vec<Finding>) {
        let ws = crate::workspace::load_texts(std::path::PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.is_empty(), "model findings: {:#?}", ws.findings);
        let graph = Graph::build(&ws.model);
        let mut fs = check(&Ctx { model: &ws.model, graph: &graph });
        // schedule members: on call within 4 weeks from 2026-11-09
        let from = 1_794_182_400;
        let segments = crate::time::reach::SegmentCache::new(&ws.model, from, from + ws.model.org.horizon);
        fs.extend(check_schedules(&crate::checks::TimeCtx { model: &ws.model, from, segments }));
        (ws, fs)
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        let (ws, fs) = findings(src);
        fs.iter().map(|f| (f.code, ws.sources.get(f.span.file).line_col(f.span.start as usize).line)).collect()
    }

    const PEOPLE: &str = "\
person ann { email \"a@x\" }
person bob { email \"b@x\"  phone \"+1\"  push }
person dave { sms \"+2\" }
team ops { members ann, bob  lead dave }
";
    // PEOPLE is 4 lines; declarations below start at line 5.

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // the docs example: ann has no phone
            ("policy main {\n  tier first { notify team ops via phone }\n}\n", &[("W0701", 6)]),
            // no `via`: nothing to check
            ("policy main { tier first { notify team ops, lead ops } }\n", &[]),
            // every channel everybody has
            ("policy main { tier first { notify person bob via phone, push } }\n", &[]),
            // leads count; one finding per channel the lead lacks
            ("policy main {\n  tier first {\n    notify lead ops via phone, email\n  }\n}\n", &[("W0701", 7), ("W0701", 7)]),
            // schedule members on call within the horizon count
            (
                "schedule s { layer l { rotation daily from 2026-01-05 09:00  members ann, bob } }\npolicy main {\n  tier first { notify schedule s via push }\n}\n",
                &[("W0701", 7)],
            ),
            // a member never on call within the horizon does not count: the
            // rotation ended before 2026-11-09, so only the later layer's ann
            (
                "schedule s {\n  layer old { rotation daily from 2026-01-05 09:00 until 2026-02-01 09:00  members bob, dave }\n  layer now { members ann }\n}\npolicy main {\n  tier first { notify schedule s via email }\n}\n",
                &[],
            ),
            // route `also`
            (
                "policy main { tier first { notify team ops } }\nroutes {\n  route r {\n    to policy main\n    also person dave via email\n  }\n}\n",
                &[("W0701", 9)],
            ),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn messages_and_dedup() {
        // ann is reached twice by the same statement (directly and through
        // the team): one finding per (channel, person)
        let (_, fs) = findings(&format!("{PEOPLE}policy main {{ tier first {{ notify person ann, team ops via phone, sms }} }}\n"));
        let msgs: Vec<&str> = fs.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec![
                "`ann` has no `phone` contact (so this statement cannot reach them at all)",
                "`ann` has no `sms` contact (so this statement cannot reach them at all)",
                "`bob` has no `sms` contact",
            ]
        );
        assert!(fs.iter().all(|f| f.help.is_some()));
        assert_eq!(fs[0].help.as_deref(), Some("add `phone \"…\"` to person `ann`, or change the `via` list"));
    }

    #[test]
    fn separate_statements_report_separately() {
        let (ws, fs) = findings(&format!(
            "{PEOPLE}policy main {{\n  tier a {{ notify person ann via phone  escalate after 1m }}\n  tier b {{ notify person ann via phone }}\n}}\n"
        ));
        let lines: Vec<usize> = fs.iter().map(|f| ws.sources.get(f.span.file).line_col(f.span.start as usize).line).collect();
        assert_eq!(lines, vec![6, 7]);
    }
}
