//! E0400 unowned-service (error).
//!
//! # What it finds
//! A service without an `owner`, or whose owner team has no members (a
//! team's `lead` is not a member). Reported at the service's name. An
//! owner naming no team is E0100 and is not reported again here.
//!
//! # Why it matters
//! The owner is the team accountable for the service. Without one nobody is
//! responsible for its alerts, `team` conditions cannot match them, and
//! reports cannot attribute their load.
//!
//! # Example
//! ```text
//! team platform { lead dave }
//! service api { policy main }
//! service web { owner platform  policy main }
//! ```
//! `api` has no owner; `platform` has no members.
//!
//! # Fix
//! Name an owner team that has members.

use super::Ctx;
use crate::diag::Finding;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let mut out = Vec::new();
    for s in &m.services {
        match &s.owner {
            None => out.push(
                Finding::new("E0400", s.name.span, format!("service `{}` has no owner", s.name.name))
                    .with_label("no `owner`")
                    .with_help("add `owner TEAM`, naming the team accountable for this service"),
            ),
            Some(o) => {
                // An undefined owner is E0100.
                let Some(team) = m.team(&o.name) else { continue };
                if team.members.is_empty() {
                    let lead = if team.lead.is_some() { " (its `lead` is not a member)" } else { "" };
                    out.push(
                        Finding::new(
                            "E0400",
                            s.name.span,
                            format!("service `{}` is owned by team `{}`, which has no members{lead}", s.name.name, o.name),
                        )
                        .with_label("owner without members")
                        .with_related(o.span, "owner named here")
                        .with_related(team.name.span, "team declared here without `members`")
                        .with_help(format!("add `members …` to team `{}`, or name an owner team that has members", o.name)),
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::graph::Graph;

    fn load(src: &str) -> crate::workspace::Workspace {
        crate::checks::testing::load(src)
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        let ws = load(src);
        let graph = Graph::build(&ws.model);
        check(&Ctx { model: &ws.model, graph: &graph })
            .iter()
            .map(|f| (f.code, ws.sources.get(f.span.file).line_col(f.span.start as usize).line))
            .collect()
    }

    const BASE: &str = "\
person ann { email \"a@x\" }
person dave { phone \"+1\" }
team ops { members ann }
team platform { lead dave }
team nobody-home { }
policy main { tier a { notify team ops } }
";

    #[test]
    fn cases() {
        let cases: &[(&str, &[(&str, usize)])] = &[
            ("service api { policy main }\n", &[("E0400", 7)]),
            ("service web {\n  owner platform\n  policy main\n}\n", &[("E0400", 7)]),
            ("service web { owner nobody-home }\n", &[("E0400", 7)]),
            ("service ok { owner ops  policy main }\n", &[]),
            (
                "service a { owner ops }\nservice b { policy main }\nservice c { owner platform }\n",
                &[("E0400", 8), ("E0400", 9)],
            ),
        ];
        for (src, want) in cases {
            let src = format!("{BASE}{src}");
            assert_eq!(&run(&src), want, "{src}");
        }
    }

    #[test]
    fn undefined_owner_is_left_to_e0100() {
        let src = format!("{BASE}service api {{ owner opz }}\n");
        let ws = crate::workspace::load_texts(".".into(), vec![("t.esc".into(), src.into_bytes())]);
        assert!(ws.findings.iter().any(|f| f.code == "E0100"));
        let graph = Graph::build(&ws.model);
        assert!(check(&Ctx { model: &ws.model, graph: &graph }).is_empty());
    }

    #[test]
    fn messages() {
        let ws = load(&format!("{BASE}service api {{ }}\nservice web {{ owner platform }}\n"));
        let graph = Graph::build(&ws.model);
        let fs = check(&Ctx { model: &ws.model, graph: &graph });
        let msgs: Vec<&str> = fs.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            msgs,
            vec!["service `api` has no owner", "service `web` is owned by team `platform`, which has no members (its `lead` is not a member)"]
        );
        assert_eq!(fs[1].related.len(), 2);
    }
}
