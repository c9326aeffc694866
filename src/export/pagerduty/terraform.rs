//! `export --target pagerduty-terraform`: the [`Plan`] as one `main.tf`
//! for the PagerDuty Terraform provider. Users are looked up by email
//! (`data "pagerduty_user"`); schedules, escalation policies, services and
//! the event orchestration (global rules and router) are resources that
//! reference each other by attribute, so Terraform orders the apply.

use super::{Actions, OrchestrationRule, Plan, Ref};
use crate::export::FileTree;

/// An HCL expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Str(String),
    Int(i64),
    Bool(bool),
    /// a reference such as `pagerduty_schedule.x.id`, written as is
    Raw(String),
    List(Vec<Expr>),
}

/// An item of an HCL body.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Attr(&'static str, Expr),
    Block(&'static str, Vec<String>, Vec<Item>),
}

/// A quoted HCL string: `"` and `\` escaped, control characters written
/// as escapes, and `${` / `%{` doubled so they are not templates.
pub fn quote(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                o.push(c);
                o.push(c);
            }
            c if c.is_control() => o.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn expr(e: &Expr) -> String {
    match e {
        Expr::Str(s) => quote(s),
        Expr::Int(i) => i.to_string(),
        Expr::Bool(b) => b.to_string(),
        Expr::Raw(r) => r.clone(),
        Expr::List(xs) => format!("[{}]", xs.iter().map(expr).collect::<Vec<_>>().join(", ")),
    }
}

/// Write a body: one item a line, `=` aligned within a run of attributes
/// (as `terraform fmt` does), blocks indented by two spaces.
pub fn write_body(out: &mut String, items: &[Item], indent: usize) {
    let pad = " ".repeat(indent);
    let mut i = 0;
    while i < items.len() {
        match &items[i] {
            Item::Attr(..) => {
                let run_end = items[i..].iter().position(|x| matches!(x, Item::Block(..))).map_or(items.len(), |p| i + p);
                let width = items[i..run_end].iter().map(|x| if let Item::Attr(k, _) = x { k.len() } else { 0 }).max().unwrap_or(0);
                for it in &items[i..run_end] {
                    if let Item::Attr(k, v) = it {
                        out.push_str(&format!("{pad}{k:width$} = {}\n", expr(v)));
                    }
                }
                i = run_end;
            }
            Item::Block(name, labels, body) => {
                out.push_str(&pad);
                out.push_str(name);
                for l in labels {
                    out.push(' ');
                    out.push_str(&quote(l));
                }
                if body.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push_str(" {\n");
                    write_body(out, body, indent + 2);
                    out.push_str(&pad);
                    out.push_str("}\n");
                }
                i += 1;
            }
        }
    }
}

fn s(v: &str) -> Expr {
    Expr::Str(v.to_string())
}

/// The Terraform reference of an exported object's id.
fn reference(r: &Ref) -> Expr {
    Expr::Raw(match r {
        Ref::User(n) => format!("data.pagerduty_user.{n}.id"),
        Ref::Schedule(n) => format!("pagerduty_schedule.{n}.id"),
        Ref::EscalationPolicy(n) => format!("pagerduty_escalation_policy.{n}.id"),
        Ref::Service(n) => format!("pagerduty_service.{n}.id"),
    })
}

fn target_type(r: &Ref) -> &'static str {
    match r {
        Ref::Schedule(_) => "schedule_reference",
        _ => "user_reference",
    }
}

fn actions(a: &Actions) -> Item {
    let mut body = Vec::new();
    if let Some(p) = &a.escalation_policy {
        body.push(Item::Attr("escalation_policy", reference(&Ref::EscalationPolicy(p.clone()))));
    }
    if let Some(sev) = a.severity {
        body.push(Item::Attr("severity", s(sev)));
    }
    if a.suppress {
        body.push(Item::Attr("suppress", Expr::Bool(true)));
    }
    if let Some(r) = &a.route_to {
        body.push(Item::Attr("route_to", s(r)));
    }
    for (t, v) in &a.extractions {
        body.push(Item::Block("extraction", vec![], vec![Item::Attr("target", s(t)), Item::Attr("template", s(v))]));
    }
    Item::Block("actions", vec![], body)
}

fn rule(r: &OrchestrationRule) -> Item {
    let mut body = vec![Item::Attr("label", s(&r.label))];
    if r.disabled {
        body.push(Item::Attr("disabled", Expr::Bool(true)));
    }
    for c in &r.conditions {
        body.push(Item::Block("condition", vec![], vec![Item::Attr("expression", s(c))]));
    }
    body.push(actions(&r.actions));
    Item::Block("rule", vec![], body)
}

fn resource(kind: &str, name: &str, body: Vec<Item>) -> Item {
    Item::Block("resource", vec![kind.to_string(), name.to_string()], body)
}

/// The top-level blocks of `main.tf`, in apply order.
pub fn blocks(p: &Plan) -> Vec<Item> {
    let mut out = Vec::new();
    let mut users: Vec<&super::User> = p.users.values().collect();
    users.sort_by(|a, b| a.person.cmp(&b.person));
    for u in users {
        out.push(Item::Block("data", vec!["pagerduty_user".into(), u.person.clone()], vec![Item::Attr("email", s(&u.email))]));
    }
    for sc in &p.schedules {
        let mut body = vec![Item::Attr("name", s(&sc.name)), Item::Attr("time_zone", s(&sc.time_zone)), Item::Attr("description", s(&sc.description))];
        for l in &sc.layers {
            let mut lb = vec![Item::Attr("name", s(&l.name)), Item::Attr("start", s(&l.start))];
            if let Some(e) = &l.end {
                lb.push(Item::Attr("end", s(e)));
            }
            lb.push(Item::Attr("rotation_virtual_start", s(&l.rotation_virtual_start)));
            lb.push(Item::Attr("rotation_turn_length_seconds", Expr::Int(l.turn_seconds)));
            lb.push(Item::Attr("users", Expr::List(l.users.iter().map(|u| reference(&Ref::User(u.clone()))).collect())));
            for r in &l.restrictions {
                let mut rb = vec![
                    Item::Attr("type", s(if r.day.is_some() { "weekly_restriction" } else { "daily_restriction" })),
                    Item::Attr("start_time_of_day", s(&r.start)),
                    Item::Attr("duration_seconds", Expr::Int(r.duration_seconds)),
                ];
                if let Some(d) = r.day {
                    rb.push(Item::Attr("start_day_of_week", Expr::Int(i64::from(d))));
                }
                lb.push(Item::Block("restriction", vec![], rb));
            }
            body.push(Item::Block("layer", vec![], lb));
        }
        out.push(resource("pagerduty_schedule", &sc.name, body));
    }
    for e in &p.policies {
        let mut body = vec![
            Item::Attr("name", s(&e.name)),
            Item::Attr("description", s(&e.description)),
            Item::Attr("num_loops", Expr::Int(i64::from(e.num_loops))),
        ];
        for r in &e.rules {
            let mut rb = vec![Item::Attr("escalation_delay_in_minutes", Expr::Int(r.delay_minutes))];
            for t in &r.targets {
                rb.push(Item::Block("target", vec![], vec![Item::Attr("type", s(target_type(t))), Item::Attr("id", reference(t))]));
            }
            body.push(Item::Block("rule", vec![], rb));
        }
        out.push(resource("pagerduty_escalation_policy", &e.name, body));
    }
    for sv in &p.services {
        let mut body = vec![Item::Attr("name", s(&sv.name)), Item::Attr("description", s(&sv.description))];
        if let Some(pol) = &sv.policy {
            body.push(Item::Attr("escalation_policy", reference(&Ref::EscalationPolicy(pol.clone()))));
        }
        // the provider takes both timeouts as strings; "null" disables
        let auto = sv.auto_resolve_seconds.map(|x| x.to_string()).unwrap_or_else(|| "null".into());
        body.push(Item::Attr("auto_resolve_timeout", Expr::Str(auto)));
        body.push(Item::Attr("acknowledgement_timeout", s("null")));
        out.push(resource("pagerduty_service", &sv.name, body));
    }
    let o = &p.orchestration;
    let orch_ref = Expr::Raw(format!("pagerduty_event_orchestration.{}.id", o.name));
    out.push(resource("pagerduty_event_orchestration", &o.name, vec![Item::Attr("name", s(&o.name)), Item::Attr("description", s(&o.description))]));
    let mut global = vec![Item::Attr("event_orchestration", orch_ref.clone())];
    for set in &o.global {
        let mut sb = vec![Item::Attr("id", s(&set.id))];
        sb.extend(set.rules.iter().map(rule));
        global.push(Item::Block("set", vec![], sb));
    }
    global.push(Item::Block("catch_all", vec![], vec![Item::Block("actions", vec![], vec![])]));
    out.push(resource("pagerduty_event_orchestration_global", &o.name, global));
    let mut router_set = vec![Item::Attr("id", s("start"))];
    for r in &o.router {
        router_set.push(Item::Block(
            "rule",
            vec![],
            vec![
                Item::Attr("label", Expr::Str(format!("service {}", r.service))),
                Item::Block("condition", vec![], vec![Item::Attr("expression", s(&r.condition))]),
                Item::Block("actions", vec![], vec![Item::Attr("route_to", reference(&Ref::Service(r.service.clone())))]),
            ],
        ));
    }
    out.push(resource(
        "pagerduty_event_orchestration_router",
        &o.name,
        vec![
            Item::Attr("event_orchestration", orch_ref),
            Item::Block("set", vec![], router_set),
            Item::Block("catch_all", vec![], vec![Item::Block("actions", vec![], vec![Item::Attr("route_to", s("unrouted"))])]),
        ],
    ));
    out
}

pub fn files(p: &Plan) -> FileTree {
    let mut text = String::from(
        "# Written by `escalade export --target pagerduty-terraform`; edit the .esc files and export again.\n\
         # Users are looked up by email and must exist in PagerDuty.\n",
    );
    for b in blocks(p) {
        text.push('\n');
        write_body(&mut text, std::slice::from_ref(&b), 0);
    }
    let mut tree = FileTree::new();
    tree.insert("main.tf".into(), text.into_bytes());
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_and_templates_disarmed() {
        assert_eq!(quote(r#"a "b" \c"#), r#""a \"b\" \\c""#);
        assert_eq!(quote("${user.x} %{if} $5 100%"), r#""$${user.x} %%{if} $5 100%""#);
        assert_eq!(quote("two\nlines\t"), r#""two\nlines\t""#);
    }

    #[test]
    fn attributes_align_and_blocks_nest() {
        let mut out = String::new();
        let body = vec![
            Item::Attr("name", Expr::Str("x".into())),
            Item::Attr("num_loops", Expr::Int(2)),
            Item::Block("rule", vec![], vec![Item::Attr("ids", Expr::List(vec![Expr::Raw("a.b.id".into()), Expr::Bool(true)]))]),
            Item::Block("catch_all", vec![], vec![]),
        ];
        write_body(&mut out, &[Item::Block("resource", vec!["t".into(), "n".into()], body)], 0);
        assert_eq!(
            out,
            "resource \"t\" \"n\" {\n  name      = \"x\"\n  num_loops = 2\n  rule {\n    ids = [a.b.id, true]\n  }\n  catch_all {}\n}\n"
        );
    }
}
