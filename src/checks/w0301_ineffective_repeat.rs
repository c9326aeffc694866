//! W0301 ineffective-repeat (warning).
//!
//! # What it finds
//! `repeat N` on a policy whose last tier has no `escalate after`: the last
//! tier is either terminal (a notify tier without a timeout) or a handoff
//! tier. Reported at the `repeat` statement.
//!
//! # Why it matters
//! A new round starts only when the last tier times out. A terminal tier
//! never times out, and after a handoff the other policy's tiers and
//! `repeat` apply. The policy looks like it loops, but it does not.
//!
//! # Example
//! ```text
//! policy main {
//!   tier primary { notify schedule primary  escalate after 10m }
//!   tier backup { notify team sre }
//!   repeat 3
//! }
//! ```
//!
//! # Fix
//! Give the last tier an `escalate after`, or remove `repeat` (use
//! `renotify every D` on the terminal tier instead). For a handoff, put the
//! `repeat` on the policy handed off to.

use super::Ctx;
use crate::diag::Finding;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &ctx.model.policies {
        let (Some(rep), Some(last)) = (&p.repeat, p.tiers.last()) else { continue };
        if last.escalate_after.is_some() {
            continue;
        }
        let (why, help) = if last.is_handoff() {
            (
                format!("its last tier `{}` hands off to another policy", last.name.name),
                "remove `repeat`, or put it on the policy handed off to".to_string(),
            )
        } else {
            (
                format!("its last tier `{}` has no `escalate after`", last.name.name),
                format!("add `escalate after D` to tier `{}`, or remove `repeat` (use `renotify every D` to page again)", last.name.name),
            )
        };
        out.push(
            Finding::new("W0301", rep.span, format!("`repeat {}` on policy `{}` can never run: {why}", rep.value, p.name.name))
                .with_label("never repeats")
                .with_related(last.name.span, "the last tier never times out")
                .with_help(help),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::graph::Graph;

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        crate::checks::testing::lines(check, src)
    }

    const PEOPLE: &str = "person ann { email \"a@x\" }\n";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // terminal last tier
            (
                "policy p {\n  tier a { notify person ann  escalate after 10m }\n  tier b { notify person ann }\n  repeat 3\n}\n",
                &[("W0301", 5)],
            ),
            // handoff last tier
            (
                "policy p {\n  repeat 2\n  tier a { notify person ann  escalate after 10m }\n  tier b { handoff policy q }\n}\npolicy q { tier x { notify person ann } }\n",
                &[("W0301", 3)],
            ),
            // last tier times out: the repeat runs
            (
                "policy p {\n  tier a { notify person ann  escalate after 10m }\n  tier b { notify person ann  escalate after 5m }\n  repeat 3\n}\n",
                &[],
            ),
            // an empty last tier with a timeout still times out
            ("policy p {\n  tier a { notify person ann  escalate after 10m }\n  tier b { escalate after 5m }\n  repeat 1\n}\n", &[]),
            // no repeat: nothing
            ("policy p {\n  tier a { notify person ann }\n}\n", &[]),
            // no tiers: E0200's business
            ("policy p {\n  repeat 2\n}\n", &[]),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn message() {
        let src = format!("{PEOPLE}policy p {{ tier a {{ handoff policy q }}  repeat 2 }}\npolicy q {{ tier x {{ notify person ann }} }}\n");
        let ws = crate::workspace::load_texts(".".into(), vec![("t.esc".into(), src.into_bytes())]);
        let graph = Graph::build(&ws.model);
        let fs = check(&Ctx { model: &ws.model, graph: &graph });
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].message, "`repeat 2` on policy `p` can never run: its last tier `a` hands off to another policy");
        assert!(fs[0].help.is_some());
    }
}
