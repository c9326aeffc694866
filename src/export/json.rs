//! `export --target json`: the resolved model as one JSON document,
//! `model.json`, for other tools. The schema is
//! `docs/schemas/model.schema.json` (draft 2020-12) and `docs/export.md`
//! describes it. Everything of the model maps, so the target reports no
//! W0900; drills are left out (they test the model, they are not part of
//! it).
//!
//! Resolved means: time zones are the effective ones (a declaration
//! without `tz` has the org's), durations are seconds, datetimes are
//! instants in RFC 3339 UTC (local datetimes read in their zone by the
//! SPEC's local-time rules), a service's labels are one object (a later
//! duplicate key wins). Every key is always present (`null` when a value
//! is absent), objects are built in the schema's key order, declarations
//! of each kind are sorted by name and routes keep their order.

use super::FileTree;
use crate::model::Model;
use crate::syntax::ast::*;
use crate::time::{datetime_instant, Instant};
use chrono::DateTime;
use chrono_tz::Tz;
use serde_json::{json, Map, Value};

/// The version of the document's schema (`"version"`).
pub const VERSION: u64 = 1;

/// The file this target writes.
pub const FILE: &str = "model.json";

pub fn export(m: &Model) -> FileTree {
    let mut tree = FileTree::new();
    tree.insert(FILE.to_string(), super::common::json_file(&document(m)));
    tree
}

/// The whole document.
pub fn document(m: &Model) -> Value {
    let mut persons: Vec<&Person> = m.persons.iter().collect();
    persons.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut teams: Vec<&Team> = m.teams.iter().collect();
    teams.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut calendars: Vec<&Calendar> = m.calendars.iter().collect();
    calendars.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut hours: Vec<&Hours> = m.hours.iter().collect();
    hours.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut schedules: Vec<&Schedule> = m.schedules.iter().collect();
    schedules.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut policies: Vec<&Policy> = m.policies.iter().collect();
    policies.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut services: Vec<&Service> = m.services.iter().collect();
    services.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    json!({
        "version": VERSION,
        "org": org(m),
        "persons": persons.into_iter().map(|p| person(m, p)).collect::<Vec<_>>(),
        "teams": teams.into_iter().map(team).collect::<Vec<_>>(),
        "calendars": calendars.into_iter().map(calendar).collect::<Vec<_>>(),
        "hours": hours.into_iter().map(|h| hours_decl(m, h)).collect::<Vec<_>>(),
        "schedules": schedules.into_iter().map(|s| schedule(m, s)).collect::<Vec<_>>(),
        "policies": policies.into_iter().map(policy).collect::<Vec<_>>(),
        "services": services.into_iter().map(service).collect::<Vec<_>>(),
        "routes": m.routes.iter().map(route).collect::<Vec<_>>(),
    })
}

/// RFC 3339 UTC with seconds: `2026-01-05T14:00:00Z`.
pub fn instant(t: Instant) -> String {
    DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

fn zone_name(tz: Tz) -> &'static str {
    tz.name()
}

fn opt_secs(d: &Option<Spanned<Secs>>) -> Value {
    d.as_ref().map_or(Value::Null, |d| json!(d.value))
}

fn names(ids: &[Ident]) -> Vec<&str> {
    ids.iter().map(|i| i.name.as_str()).collect()
}

fn org(m: &Model) -> Value {
    let o = &m.org;
    json!({
        "name": o.name.as_ref().map(|n| n.name.as_str()),
        "tz": zone_name(o.tz),
        "severities": o.severities.iter().map(|s| json!({"name": s.name, "aliases": s.aliases})).collect::<Vec<_>>(),
        "dedup_within_s": o.dedup,
        "auto_resolve_s": o.auto_resolve,
        "horizon_s": o.horizon,
    })
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn clock(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// `{"days": [...], "start": "HH:MM", "end": "HH:MM"}`; an end at or
/// before the start wraps past midnight, `24:00` is the end of the day.
fn window(w: &Window) -> Value {
    let days: Vec<&str> = DAYS.iter().zip(w.days.iter()).filter(|(_, on)| **on).map(|(d, _)| *d).collect();
    json!({"days": days, "start": clock(w.start_min), "end": clock(w.end_min)})
}

/// The keys of `works`, `only`, `within` and `outside`: an `hours` name
/// or inline windows (the other one `null` / empty).
fn when_fields(w: &WindowsOrHours, obj: &mut Map<String, Value>) {
    match w {
        WindowsOrHours::Hours(h) => {
            obj.insert("hours".into(), json!(h.name));
            obj.insert("windows".into(), json!([]));
        }
        WindowsOrHours::Windows(ws) => {
            obj.insert("hours".into(), Value::Null);
            obj.insert("windows".into(), Value::Array(ws.iter().map(window).collect()));
        }
    }
}

fn when(w: &WindowsOrHours) -> Value {
    let mut obj = Map::new();
    when_fields(w, &mut obj);
    Value::Object(obj)
}

fn person(m: &Model, p: &Person) -> Value {
    let contacts: Vec<Value> = p.contacts.iter().map(|c| json!({"channel": c.channel.as_str(), "address": c.address})).collect();
    let works: Vec<Value> = p
        .works
        .iter()
        .map(|w| {
            let mut obj = Map::new();
            when_fields(&w.when, &mut obj);
            obj.insert("except".into(), json!(names(&w.except)));
            Value::Object(obj)
        })
        .collect();
    json!({
        "name": p.name.name,
        "display_name": p.display_name.as_ref().map(|d| d.value.as_str()),
        "tz": zone_name(m.zone(&p.tz)),
        "contacts": contacts,
        "works": works,
    })
}

fn team(t: &Team) -> Value {
    json!({"name": t.name.name, "members": names(&t.members), "lead": t.lead.as_ref().map(|l| l.name.as_str())})
}

fn calendar(c: &Calendar) -> Value {
    let dates: Vec<String> = c.dates.iter().map(|d| d.value.format("%Y-%m-%d").to_string()).collect();
    json!({"name": c.name.name, "dates": dates})
}

fn hours_decl(m: &Model, h: &Hours) -> Value {
    json!({
        "name": h.name.name,
        "tz": zone_name(m.zone(&h.tz)),
        "windows": h.windows.iter().map(window).collect::<Vec<_>>(),
        "except": names(&h.except),
    })
}

fn at(tz: Tz, d: &Spanned<DateTimeLit>) -> String {
    instant(datetime_instant(tz, &d.value))
}

fn layer(tz: Tz, l: &Layer) -> Value {
    let (rotation, every_s, from, until, from_local) = match &l.rotation {
        Some(r) => {
            let (kind, every) = match r.kind {
                RotationKind::Daily => ("daily", None),
                RotationKind::Weekly => ("weekly", None),
                RotationKind::Every(d) => ("every", Some(d)),
            };
            // daily and weekly turns repeat the wall time of `from` in the
            // schedule's zone (SPEC §3.5): as written for a local datetime,
            // the instant's local time for an RFC 3339 one
            let wall = match (&r.kind, &r.from.value) {
                (RotationKind::Every(_), _) => None,
                (_, DateTimeLit::Local(l)) => Some(*l),
                (_, DateTimeLit::Fixed(f)) => Some(f.with_timezone(&tz).naive_local()),
            };
            (Some(kind), every, Some(at(tz, &r.from)), r.until.as_ref().map(|u| at(tz, u)), wall.map(|w| w.format("%Y-%m-%dT%H:%M:%S").to_string()))
        }
        None => (None, None, l.from.as_ref().map(|f| at(tz, f)), l.until.as_ref().map(|u| at(tz, u)), None),
    };
    json!({
        "name": l.name.name,
        "members": names(&l.members),
        "rotation": rotation,
        "every_s": every_s,
        "from": from,
        "from_local": from_local,
        "until": until,
        "only": l.only.iter().map(when).collect::<Vec<_>>(),
    })
}

fn schedule(m: &Model, s: &Schedule) -> Value {
    let tz = m.zone(&s.tz);
    let overrides: Vec<Value> = s
        .overrides
        .iter()
        .map(|o| json!({"person": if o.is_nobody() { None } else { Some(o.person.name.as_str()) }, "from": at(tz, &o.from), "to": at(tz, &o.to)}))
        .collect();
    json!({
        "name": s.name.name,
        "tz": zone_name(tz),
        "layers": s.layers.iter().map(|l| layer(tz, l)).collect::<Vec<_>>(),
        "overrides": overrides,
    })
}

fn target(t: &Target) -> Value {
    json!({"kind": t.kind.as_str(), "name": t.name.name})
}

/// A `notify` or `also` statement.
fn notify(n: &Notify) -> Value {
    json!({
        "targets": n.targets.iter().map(target).collect::<Vec<_>>(),
        "via": n.via.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(),
    })
}

fn tier(t: &Tier) -> Value {
    json!({
        "name": t.name.name,
        "kind": if t.is_handoff() { "handoff" } else { "notify" },
        "notify": t.notify.iter().map(notify).collect::<Vec<_>>(),
        "handoff": t.handoff.as_ref().map(|h| h.name.as_str()),
        "escalate_after_s": opt_secs(&t.escalate_after),
        "renotify_every_s": opt_secs(&t.renotify),
        "channels": t.channels.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(),
        "checkpoints": t.checkpoints.iter().map(|c| c.value.as_str()).collect::<Vec<_>>(),
    })
}

fn policy(p: &Policy) -> Value {
    json!({
        "name": p.name.name,
        "tiers": p.tiers.iter().map(tier).collect::<Vec<_>>(),
        "repeat": p.repeat.as_ref().map_or(0, |r| r.value),
        "unresolved": p.unresolved.as_ref().map(|u| json!({"after_s": u.after.value, "tier": u.tier.name})),
    })
}

fn risk(r: Risk) -> &'static str {
    match r {
        Risk::Low => "low",
        Risk::Medium => "medium",
        Risk::High => "high",
    }
}

fn service(s: &Service) -> Value {
    let labels: Map<String, Value> = crate::model::service_labels(s).into_iter().map(|(k, v)| (k.to_string(), json!(v))).collect();
    json!({
        "name": s.name.name,
        "owner": s.owner.as_ref().map(|o| o.name.as_str()),
        "policy": s.policy.as_ref().map(|p| p.name.as_str()),
        "ack_sla": s.ack_sla.iter().map(|a| json!({"severity": a.severity.name, "after_s": a.after.value})).collect::<Vec<_>>(),
        "depends_on": names(&s.depends_on),
        "labels": labels,
        "risk": risk(s.risk()),
    })
}

/// `{"field": "severity"}`, or `{"field": "label", "key": K}`: the field
/// keys of a condition or a `set`.
fn field_fields(f: &Field, obj: &mut Map<String, Value>) {
    let name = match f {
        Field::Severity => "severity",
        Field::Service => "service",
        Field::Summary => "summary",
        Field::Source => "source",
        Field::Team => "team",
        Field::Label(_) => "label",
    };
    obj.insert("field".into(), json!(name));
    obj.insert("key".into(), if let Field::Label(k) = f { json!(k) } else { Value::Null });
}

/// A condition as a tree: comparisons are leaves, `not`/`and`/`or` nodes.
pub fn cond(c: &Cond) -> Value {
    let mut obj = Map::new();
    match c {
        Cond::Cmp { field, op, value } => {
            obj.insert("op".into(), json!(op.as_str()));
            field_fields(&field.value, &mut obj);
            obj.insert("value".into(), json!(value.text));
        }
        Cond::In { field, values } => {
            obj.insert("op".into(), json!("in"));
            field_fields(&field.value, &mut obj);
            obj.insert("values".into(), Value::Array(values.iter().map(|v| json!(v.text)).collect()));
        }
        Cond::Matches { field, pattern } => {
            obj.insert("op".into(), json!("matches"));
            field_fields(&field.value, &mut obj);
            obj.insert("pattern".into(), json!(pattern.value));
        }
        Cond::Within { hours, .. } => {
            obj.insert("op".into(), json!("within"));
            when_fields(hours, &mut obj);
        }
        Cond::Outside { hours, .. } => {
            obj.insert("op".into(), json!("outside"));
            when_fields(hours, &mut obj);
        }
        Cond::Not(x) => {
            obj.insert("op".into(), json!("not"));
            obj.insert("arg".into(), cond(x));
        }
        Cond::And(xs) | Cond::Or(xs) => {
            obj.insert("op".into(), json!(if matches!(c, Cond::And(_)) { "and" } else { "or" }));
            obj.insert("args".into(), Value::Array(xs.iter().map(cond).collect()));
        }
    }
    Value::Object(obj)
}

fn set(s: &SetAction) -> Value {
    match s {
        SetAction::Severity(id) => json!({"field": "severity", "key": null, "value": id.name}),
        SetAction::Label { key, value } => json!({"field": "label", "key": key.value, "value": value.value}),
    }
}

fn route(r: &Route) -> Value {
    json!({
        "name": r.name.name,
        "when": r.when.as_ref().map(|w| cond(&w.value)),
        "set": r.sets.iter().map(|s| set(&s.value)).collect::<Vec<_>>(),
        "also": r.also.iter().map(notify).collect::<Vec<_>>(),
        "to": r.to.as_ref().map(|p| p.name.as_str()),
        "suppress": r.suppress.is_some(),
        "continue": r.cont.is_some(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(src: &str) -> Value {
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "{:?}", ws.findings);
        document(&ws.model)
    }

    #[test]
    fn local_datetimes_become_utc_instants_and_wall_times_are_kept() {
        let v = doc(r#"
person a { email "a@x.io" }
person b { email "b@x.io" }
schedule s {
  tz "America/New_York"
  layer l { rotation daily from 2026-03-08 02:30 members a, b }
  layer m { rotation every 12h from 2026-01-05T09:00:00+01:00 until 2026-02-01 00:00 members a, b }
  override nobody from 2026-07-04 00:00 to 2026-07-05 00:00
}
"#);
        let s = &v["schedules"][0];
        assert_eq!(s["tz"], "America/New_York");
        // 02:30 on 2026-03-08 does not exist in New York: 03:00 EDT = 07:00Z
        assert_eq!(s["layers"][0]["from"], "2026-03-08T07:00:00Z");
        assert_eq!(s["layers"][0]["from_local"], "2026-03-08T02:30:00");
        assert_eq!(s["layers"][0]["rotation"], "daily");
        assert_eq!(s["layers"][0]["every_s"], Value::Null);
        assert_eq!(s["layers"][1]["rotation"], "every");
        assert_eq!(s["layers"][1]["every_s"], 43_200);
        assert_eq!(s["layers"][1]["from"], "2026-01-05T08:00:00Z");
        assert_eq!(s["layers"][1]["from_local"], Value::Null);
        assert_eq!(s["layers"][1]["until"], "2026-02-01T05:00:00Z");
        assert_eq!(s["overrides"][0]["person"], Value::Null);
        assert_eq!(s["overrides"][0]["from"], "2026-07-04T04:00:00Z");
    }

    #[test]
    fn conditions_are_trees_and_key_order_is_fixed() {
        let v = doc(r#"
org o { severities sev1 "P1", sev2 }
policy p { tier t { } }
routes {
  route r {
    when not (severity >= sev2 or labels."a.b" in ["x", "y"]) and within mon-fri 22:00-06:00
    set labels.k "v"
    to policy p
    continue
  }
}
"#);
        assert_eq!(v["version"], 1);
        let keys: Vec<&String> = v.as_object().map(|o| o.keys().collect()).unwrap_or_default();
        assert_eq!(keys, ["version", "org", "persons", "teams", "calendars", "hours", "schedules", "policies", "services", "routes"]);
        assert_eq!(v["org"]["severities"][0], json!({"name": "sev1", "aliases": ["P1"]}));
        let w = &v["routes"][0]["when"];
        assert_eq!(w["op"], "and");
        assert_eq!(w["args"][0]["op"], "not");
        assert_eq!(w["args"][0]["arg"]["op"], "or");
        assert_eq!(w["args"][0]["arg"]["args"][0], json!({"op": ">=", "field": "severity", "key": null, "value": "sev2"}));
        assert_eq!(w["args"][0]["arg"]["args"][1], json!({"op": "in", "field": "label", "key": "a.b", "values": ["x", "y"]}));
        assert_eq!(w["args"][1], json!({"op": "within", "hours": null, "windows": [{"days": ["mon", "tue", "wed", "thu", "fri"], "start": "22:00", "end": "06:00"}]}));
        assert_eq!(v["routes"][0]["set"][0], json!({"field": "label", "key": "k", "value": "v"}));
        assert_eq!(v["routes"][0]["continue"], true);
        assert_eq!(v["policies"][0]["repeat"], 0);
        assert_eq!(v["policies"][0]["tiers"][0]["kind"], "notify");
    }
}
