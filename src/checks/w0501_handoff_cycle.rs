//! W0501 handoff-cycle (warning).
//!
//! # What it finds
//! Policies that hand off to each other in a loop through `handoff policy`
//! tiers (`a` → `b` → `a`, longer chains, or a policy handing off to
//! itself). One finding per loop, at the name of its first policy in
//! declaration order; the message spells the loop out.
//!
//! # Why it matters
//! A handoff into a policy the incident has already entered cannot page
//! anyone new: at run time the incident is exhausted on the spot (trace
//! step `handoff-cycle`), open and unacknowledged with nobody left to page.
//!
//! # Example
//! ```text
//! policy database {
//!   tier dba { notify team dba  escalate after 10m }
//!   tier app { handoff policy backend }
//! }
//! policy backend {
//!   tier backend { notify team backend  escalate after 10m }
//!   tier db { handoff policy database }
//! }
//! ```
//!
//! # Fix
//! End one policy of the loop with its own last notify tier instead of a
//! handoff.

use super::Ctx;
use crate::diag::Finding;
use crate::model::graph::Graph;
use crate::source::Span;
use std::collections::VecDeque;

/// The shortest loop from `start` back to itself through `succ`, staying
/// inside `members`; each step carries the span of the edge taken.
/// Successors are tried in the order `succ` gives them, so the loop is
/// deterministic.
pub(crate) fn shortest_loop(start: usize, members: &[usize], succ: impl Fn(usize) -> Vec<(usize, Span)>) -> Vec<(usize, Span)> {
    // BFS; prev[node] = (from, edge span)
    let mut prev: std::collections::HashMap<usize, (usize, Span)> = std::collections::HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(n) = queue.pop_front() {
        for (s, span) in succ(n) {
            if !members.contains(&s) {
                continue;
            }
            if s == start {
                // walk back from n to start
                let mut path = vec![(start, span)];
                let mut cur = n;
                while cur != start {
                    let (p, sp) = prev[&cur];
                    path.push((cur, sp));
                    cur = p;
                }
                path.reverse();
                // path holds (node entered, span of the edge into it)
                return path;
            }
            if s != start && !prev.contains_key(&s) {
                prev.insert(s, (n, span));
                queue.push_back(s);
            }
        }
    }
    Vec::new()
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let succ = |pi: usize| -> Vec<(usize, Span)> {
        m.policies[pi]
            .tiers
            .iter()
            .filter_map(|t| t.handoff.as_ref())
            .filter_map(|h| m.ns_policy.get(&h.name).map(|q| (q, h.span)))
            .collect()
    };
    let mut out = Vec::new();
    for scc in Graph::handoff_cycles(m) {
        let start = scc[0];
        let path = shortest_loop(start, &scc, succ);
        let mut names = vec![format!("`{}`", m.policies[start].name.name)];
        names.extend(path.iter().map(|(n, _)| format!("`{}`", m.policies[*n].name.name)));
        let p = &m.policies[start];
        let msg = if path.len() == 1 {
            format!("policy `{}` hands off to itself", p.name.name)
        } else {
            format!("handoff cycle: {}", names.join(" → "))
        };
        let mut f = Finding::new("W0501", p.name.span, msg)
            .with_label("handoffs loop back here")
            .with_help("end one policy of the loop with its own last notify tier instead of a handoff; a handoff back into an entered policy exhausts the incident");
        let mut from = start;
        for (to, span) in &path {
            f = f.with_related(*span, format!("`{}` hands off to `{}`", m.policies[from].name.name, m.policies[*to].name.name));
            from = *to;
        }
        let others: Vec<&str> = scc.iter().filter(|&&i| !path.iter().any(|(n, _)| *n == i)).map(|&i| m.policies[i].name.name.as_str()).collect();
        if !others.is_empty() {
            f.message.push_str(&format!(" (the loop also involves {})", others.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")));
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> crate::workspace::Workspace {
        crate::checks::testing::load(src)
    }

    fn findings(src: &str) -> (crate::workspace::Workspace, Vec<Finding>) {
        let ws = load(src);
        let graph = Graph::build(&ws.model);
        let fs = check(&Ctx { model: &ws.model, graph: &graph });
        (ws, fs)
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        let (ws, fs) = findings(src);
        fs.iter().map(|f| (f.code, ws.sources.get(f.span.file).line_col(f.span.start as usize).line)).collect()
    }

    const PEOPLE: &str = "person ann { email \"a@x\" }\n";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            // two policies handing off to each other: at the first one
            (
                "policy database {\n  tier dba { notify person ann  escalate after 10m }\n  tier app { handoff policy backend }\n}\npolicy backend {\n  tier b { notify person ann  escalate after 10m }\n  tier db { handoff policy database }\n}\n",
                &[("W0501", 2)],
            ),
            // self-handoff
            ("policy x { tier a { notify person ann  escalate after 1m }  tier h { handoff policy x } }\n", &[("W0501", 2)]),
            // a chain that ends: no cycle
            (
                "policy a { tier h { handoff policy b } }\npolicy b { tier h { handoff policy c } }\npolicy c { tier x { notify person ann } }\n",
                &[],
            ),
            // two separate loops, one finding each; the first policy of a
            // loop is the one declared first even if the entry is elsewhere
            (
                "policy entry { tier h { handoff policy q } }\npolicy p { tier h { handoff policy q } }\npolicy q { tier h { handoff policy p } }\npolicy r { tier h { handoff policy s } }\npolicy s { tier h { handoff policy r } }\n",
                &[("W0501", 3), ("W0501", 5)],
            ),
        ];
        for (src, want) in cases {
            let src = format!("{PEOPLE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn message_spells_the_loop() {
        let (_, fs) = findings(&format!(
            "{PEOPLE}policy a {{ tier h {{ handoff policy b }} }}\npolicy b {{ tier h {{ handoff policy c }} }}\npolicy c {{ tier h {{ handoff policy a }} }}\n"
        ));
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].message, "handoff cycle: `a` → `b` → `c` → `a`");
        assert_eq!(fs[0].related.len(), 3);
        assert_eq!(fs[0].related[2].message, "`c` hands off to `a`");
        let (_, fs) = findings(&format!("{PEOPLE}policy x {{ tier h {{ handoff policy x }} }}\n"));
        assert_eq!(fs[0].message, "policy `x` hands off to itself");
    }

    #[test]
    fn larger_component_reports_a_shortest_loop_and_the_rest() {
        // a → b → a and b → c → a: one component {a, b, c}
        let (_, fs) = findings(&format!(
            "{PEOPLE}policy a {{ tier h {{ handoff policy b }} }}\npolicy b {{\n  tier h1 {{ handoff policy a }}\n  tier h2 {{ handoff policy c }}\n}}\npolicy c {{ tier h {{ handoff policy a }} }}\n"
        ));
        assert_eq!(fs.len(), 1);
        assert_eq!(fs[0].message, "handoff cycle: `a` → `b` → `a` (the loop also involves `c`)");
    }
}
