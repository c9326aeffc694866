//! W0502 dependency-cycle (warning).
//!
//! # What it finds
//! A cycle in the services' `depends-on` lists: `api` depends on `auth`,
//! which depends (directly or through other services) on `api`, or a
//! service that depends on itself. One finding per cycle, at the name of
//! its first service in declaration order; the message spells the cycle
//! out.
//!
//! # Why it matters
//! `depends-on` is informational, but it appears in the `json`, `dot` and
//! `mermaid` exports and in `escalade graph`, which responders read to find
//! a root cause. A cycle is usually a typo or a stale entry; when real, it
//! is a recovery hazard.
//!
//! # Example
//! ```text
//! service api { owner ops  policy main  depends-on auth }
//! service auth { owner ops  policy main  depends-on api }
//! ```
//!
//! # Fix
//! Remove the dependency that is not real, or suppress the warning with a
//! reason when the cycle is real.

use super::w0501_handoff_cycle::shortest_loop;
use super::Ctx;
use crate::diag::Finding;
use crate::model::graph::Graph;
use crate::source::Span;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let succ = |si: usize| -> Vec<(usize, Span)> {
        m.services[si].depends_on.iter().filter_map(|d| m.ns_service.get(&d.name).map(|t| (t, d.span))).collect()
    };
    let mut out = Vec::new();
    for scc in Graph::dependency_cycles(m) {
        let start = scc[0];
        let path = shortest_loop(start, &scc, succ);
        let s = &m.services[start];
        let mut names = vec![format!("`{}`", s.name.name)];
        names.extend(path.iter().map(|(n, _)| format!("`{}`", m.services[*n].name.name)));
        let mut msg = if path.len() == 1 {
            format!("service `{}` depends on itself", s.name.name)
        } else {
            format!("`depends-on` cycle: {}", names.join(" → "))
        };
        let others: Vec<String> =
            scc.iter().filter(|&&i| !path.iter().any(|(n, _)| *n == i)).map(|&i| format!("`{}`", m.services[i].name.name)).collect();
        if !others.is_empty() {
            msg.push_str(&format!(" (the cycle also involves {})", others.join(", ")));
        }
        let mut f = Finding::new("W0502", s.name.span, msg)
            .with_label("dependencies loop back here")
            .with_help("remove the `depends-on` entry that is not real; if the cycle is real, allow W0502 with a reason");
        let mut from = start;
        for (to, span) in &path {
            f = f.with_related(*span, format!("`{}` depends on `{}`", m.services[from].name.name, m.services[*to].name.name));
            from = *to;
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

    const BASE: &str = "person ann { email \"a@x\" }\nteam ops { members ann }\npolicy main { tier a { notify team ops } }\n";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            (
                "service api {\n  owner ops\n  depends-on auth, db\n}\nservice auth {\n  owner ops\n  depends-on api\n}\nservice db { owner ops }\n",
                &[("W0502", 4)],
            ),
            ("service api { owner ops  depends-on api }\n", &[("W0502", 4)]),
            // a chain, and a diamond: no cycle
            (
                "service a { owner ops  depends-on b, c }\nservice b { owner ops  depends-on d }\nservice c { owner ops  depends-on d }\nservice d { owner ops }\n",
                &[],
            ),
            // two cycles, declared out of order
            (
                "service x { owner ops  depends-on b }\nservice a { owner ops  depends-on b }\nservice b { owner ops  depends-on a }\nservice y { owner ops  depends-on y }\n",
                &[("W0502", 5), ("W0502", 7)],
            ),
        ];
        for (src, want) in cases {
            let src = format!("{BASE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn messages() {
        let (_, fs) = findings(&format!(
            "{BASE}service api {{ owner ops  depends-on auth }}\nservice auth {{ owner ops  depends-on db }}\nservice db {{ owner ops  depends-on api }}\nservice me {{ owner ops  depends-on me }}\n"
        ));
        let msgs: Vec<&str> = fs.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs, vec!["`depends-on` cycle: `api` → `auth` → `db` → `api`", "service `me` depends on itself"]);
        assert_eq!(fs[0].related.len(), 3);
        assert!(fs.iter().all(|f| f.help.is_some()));
    }
}
