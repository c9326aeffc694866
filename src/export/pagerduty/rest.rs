//! `export --target pagerduty`: the [`Plan`] as PagerDuty REST API v2
//! request bodies, one file per object, with `${kind.name}` placeholders
//! for the ids PagerDuty assigns, and `apply-order.txt`.
//!
//! Layout: `users.json` (keyed by email: the placeholder and a POST /users
//! body), `schedules/NAME.json` (POST /schedules), `escalation_policies/NAME.json`
//! (POST /escalation_policies), `services/NAME.json` (POST /services),
//! `event_orchestration.json` (POST /event_orchestrations, then PUT
//! …/{id}/global and PUT …/{id}/router). Objects are built in a fixed key
//! order; maps are sorted.

use super::{Actions, EscalationPolicy, OrchestrationRule, Plan, Ref, Restriction, Schedule, Service};
use crate::export::FileTree;
use serde_json::{json, Map, Value};

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

fn target(r: &Ref) -> Value {
    let kind = match r {
        Ref::User(_) => "user_reference",
        Ref::Schedule(_) => "schedule_reference",
        Ref::EscalationPolicy(_) => "escalation_policy_reference",
        Ref::Service(_) => "service_reference",
    };
    json!({"id": r.placeholder(), "type": kind})
}

fn restriction(r: &Restriction) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), json!(if r.day.is_some() { "weekly_restriction" } else { "daily_restriction" }));
    o.insert("start_time_of_day".into(), json!(r.start));
    o.insert("duration_seconds".into(), json!(r.duration_seconds));
    if let Some(d) = r.day {
        o.insert("start_day_of_week".into(), json!(d));
    }
    Value::Object(o)
}

/// POST /schedules.
pub fn schedule_body(s: &Schedule) -> Value {
    let layers: Vec<Value> = s
        .layers
        .iter()
        .map(|l| {
            let mut o = Map::new();
            o.insert("name".into(), json!(l.name));
            o.insert("start".into(), json!(l.start));
            if let Some(e) = &l.end {
                o.insert("end".into(), json!(e));
            }
            o.insert("rotation_virtual_start".into(), json!(l.rotation_virtual_start));
            o.insert("rotation_turn_length_seconds".into(), json!(l.turn_seconds));
            let users: Vec<Value> = l.users.iter().map(|u| json!({"user": target(&Ref::User(u.clone()))})).collect();
            o.insert("users".into(), Value::Array(users));
            o.insert("restrictions".into(), Value::Array(l.restrictions.iter().map(restriction).collect()));
            Value::Object(o)
        })
        .collect();
    json!({"schedule": {
        "type": "schedule",
        "name": s.name,
        "time_zone": s.time_zone,
        "description": s.description,
        "schedule_layers": layers,
    }})
}

/// POST /escalation_policies. `escalation_rule_assignment_strategy` is
/// never sent: its default, everyone on the rule, is what escalade means
/// (and the schema and PagerDuty's own example disagree on its type).
pub fn policy_body(p: &EscalationPolicy) -> Value {
    let rules: Vec<Value> = p
        .rules
        .iter()
        .map(|r| json!({"escalation_delay_in_minutes": r.delay_minutes, "targets": r.targets.iter().map(target).collect::<Vec<_>>()}))
        .collect();
    json!({"escalation_policy": {
        "type": "escalation_policy",
        "name": p.name,
        "description": p.description,
        "num_loops": p.num_loops,
        "escalation_rules": rules,
    }})
}

/// POST /services. Timeouts of 0 are disabled: acknowledgements are final
/// in escalade, and auto-resolve only when the org sets it.
pub fn service_body(s: &Service) -> Value {
    let mut o = Map::new();
    o.insert("type".into(), json!("service"));
    o.insert("name".into(), json!(s.name));
    o.insert("description".into(), json!(s.description));
    if let Some(p) = &s.policy {
        o.insert("escalation_policy".into(), target(&Ref::EscalationPolicy(p.clone())));
    }
    o.insert("auto_resolve_timeout".into(), json!(s.auto_resolve_seconds.unwrap_or(0)));
    o.insert("acknowledgement_timeout".into(), json!(0));
    json!({ "service": Value::Object(o) })
}

fn actions(a: &Actions) -> Value {
    let mut o = Map::new();
    if let Some(p) = &a.escalation_policy {
        o.insert("escalation_policy".into(), json!(Ref::EscalationPolicy(p.clone()).placeholder()));
    }
    if let Some(s) = a.severity {
        o.insert("severity".into(), json!(s));
    }
    if a.suppress {
        o.insert("suppress".into(), json!(true));
    }
    if !a.extractions.is_empty() {
        let ex: Vec<Value> = a.extractions.iter().map(|(t, v)| json!({"target": t, "template": v})).collect();
        o.insert("extractions".into(), Value::Array(ex));
    }
    if let Some(r) = &a.route_to {
        o.insert("route_to".into(), json!(r));
    }
    Value::Object(o)
}

fn rule(r: &OrchestrationRule) -> Value {
    let mut o = Map::new();
    o.insert("label".into(), json!(r.label));
    let conds: Vec<Value> = r.conditions.iter().map(|c| json!({ "expression": c })).collect();
    o.insert("conditions".into(), Value::Array(conds));
    o.insert("actions".into(), actions(&r.actions));
    if r.disabled {
        o.insert("disabled".into(), json!(true));
    }
    Value::Object(o)
}

/// The three requests of the event orchestration: `orchestration` (POST
/// /event_orchestrations), `global` (PUT /event_orchestrations/{id}/global:
/// our routes) and `router` (PUT /event_orchestrations/{id}/router: each
/// event to its service).
pub fn orchestration_bodies(p: &Plan) -> Value {
    let o = &p.orchestration;
    let sets: Vec<Value> = o.global.iter().map(|s| json!({"id": s.id, "rules": s.rules.iter().map(rule).collect::<Vec<_>>()})).collect();
    let router: Vec<Value> = o
        .router
        .iter()
        .map(|r| {
            json!({
                "label": format!("service {}", r.service),
                "conditions": [{"expression": r.condition}],
                "actions": {"route_to": Ref::Service(r.service.clone()).placeholder()},
            })
        })
        .collect();
    json!({
        "orchestration": {"orchestration": {"name": o.name, "description": o.description}},
        "global": {"orchestration_path": {"sets": sets, "catch_all": {"actions": {}}}},
        "router": {"orchestration_path": {
            "sets": [{"id": "start", "rules": router}],
            "catch_all": {"actions": {"route_to": "unrouted"}},
        }},
    })
}

/// `users.json`: email → the placeholder and a POST /users body.
pub fn users_manifest(p: &Plan) -> Value {
    let mut o = Map::new();
    for (email, u) in &p.users {
        o.insert(
            email.clone(),
            json!({
                "placeholder": Ref::User(u.person.clone()).placeholder(),
                "user": {"type": "user", "name": u.name, "email": u.email, "time_zone": u.time_zone},
            }),
        );
    }
    Value::Object(o)
}

pub fn files(p: &Plan) -> FileTree {
    let mut tree = FileTree::new();
    let mut order = vec!["users.json".to_string()];
    tree.insert("users.json".into(), pretty(&users_manifest(p)));
    for s in &p.schedules {
        let f = format!("schedules/{}.json", s.name);
        tree.insert(f.clone(), pretty(&schedule_body(s)));
        order.push(f);
    }
    for e in &p.policies {
        let f = format!("escalation_policies/{}.json", e.name);
        tree.insert(f.clone(), pretty(&policy_body(e)));
        order.push(f);
    }
    for s in &p.services {
        let f = format!("services/{}.json", s.name);
        tree.insert(f.clone(), pretty(&service_body(s)));
        order.push(f);
    }
    tree.insert("event_orchestration.json".into(), pretty(&orchestration_bodies(p)));
    order.push("event_orchestration.json".into());
    let mut text = order.join("\n");
    text.push('\n');
    tree.insert("apply-order.txt".into(), text.into_bytes());
    tree
}
