//! `export --target opsgenie`: every request body validates against its
//! `Create…Payload` definition in the Opsgenie Swagger document (when the
//! shared copy is present), references between the files resolve, the
//! export of `policies/` matches the golden files byte for byte
//! (`ESCALADE_BLESS=1` rewrites them), two exports are identical, and
//! `check --target opsgenie` reports the engine's limits (W0900).

mod export_common;

use assert_cmd::Command;
use export_common::{bodies_of, compare_golden, exportable_workspaces, export_workspace, findings_text};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TARGET: &str = "opsgenie";
const SWAGGER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data/schemas/opsgenie-swagger.json");

/// The Swagger definition each file's bodies are checked against.
fn definition(path: &str) -> Option<&'static str> {
    let dir = path.split('/').next().unwrap_or("");
    Some(match dir {
        "users.json" => "CreateUserPayload",
        "teams" => "CreateTeamPayload",
        "schedules" => "CreateSchedulePayload",
        "schedule_overrides" => "CreateScheduleOverridePayload",
        "escalations" => "CreateEscalationPayload",
        "team_routing_rules" => "CreateTeamRoutingRulePayload",
        _ => return None,
    })
}

/// Swagger 2.0 polymorphism (`discriminator` + `x-discriminator-value`)
/// is not JSON Schema: for every base definition with a discriminator,
/// `<Base>__poly` requires the base and, by the discriminator's value, the
/// matching subtype; every other reference to the base points there.
fn with_discriminators(doc: &Value) -> Value {
    let mut defs = doc["definitions"].as_object().cloned().unwrap_or_default();
    let bases: Vec<(String, String)> =
        defs.iter().filter_map(|(k, v)| v["discriminator"].as_str().map(|d| (k.clone(), d.to_string()))).collect();
    let mut subtypes: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (name, d) in &defs {
        let Some(value) = d["x-discriminator-value"].as_str() else { continue };
        for item in d["allOf"].as_array().into_iter().flatten() {
            if let Some(base) = item["$ref"].as_str().and_then(|r| r.strip_prefix("#/definitions/")) {
                subtypes.entry(base.to_string()).or_default().push((value.to_string(), name.clone()));
            }
        }
    }
    let base_names: BTreeSet<String> = bases.iter().map(|(b, _)| b.clone()).collect();
    // redirect references to a base, except a subtype's own `allOf` link
    let names: Vec<String> = defs.keys().cloned().collect();
    for name in names {
        if let Some(d) = defs.get_mut(&name) {
            redirect(d, &base_names, true, d_is_subtype(&name, &subtypes));
        }
    }
    for (base, field) in bases {
        let subs = subtypes.get(&base).cloned().unwrap_or_default();
        let all: Vec<String> = defs[&base]["properties"][&field]["enum"].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(String::from)).collect();
        let mut any: Vec<Value> = subs
            .iter()
            .map(|(v, sub)| json!({"properties": {field.clone(): {"enum": [v]}}, "allOf": [{"$ref": format!("#/definitions/{sub}")}]}))
            .collect();
        let plain: Vec<&String> = all.iter().filter(|v| !subs.iter().any(|(s, _)| s == *v)).collect();
        if !plain.is_empty() {
            any.push(json!({"properties": {field.clone(): {"enum": plain}}}));
        }
        defs.insert(format!("{base}__poly"), json!({"allOf": [{"$ref": format!("#/definitions/{base}")}], "anyOf": any}));
    }
    Value::Object(Map::from_iter([("definitions".to_string(), Value::Object(defs))]))
}

fn d_is_subtype(name: &str, subtypes: &BTreeMap<String, Vec<(String, String)>>) -> bool {
    subtypes.values().any(|v| v.iter().any(|(_, s)| s == name))
}

fn redirect(v: &mut Value, bases: &BTreeSet<String>, top: bool, subtype: bool) {
    match v {
        Value::Object(o) => {
            if let Some(Value::String(r)) = o.get_mut("$ref") {
                if let Some(b) = r.strip_prefix("#/definitions/") {
                    if bases.contains(b) {
                        *r = format!("{r}__poly");
                    }
                }
            }
            for (k, x) in o.iter_mut() {
                if top && subtype && k == "allOf" {
                    continue;
                }
                redirect(x, bases, false, subtype);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(|x| redirect(x, bases, false, subtype)),
        _ => {}
    }
}

struct Swagger {
    doc: Value,
    validators: BTreeMap<&'static str, jsonschema::Validator>,
}

fn swagger() -> Option<Swagger> {
    let Ok(text) = std::fs::read_to_string(SWAGGER) else {
        eprintln!("skipped: {SWAGGER} is absent (the shared data directory holds the Opsgenie Swagger document)");
        return None;
    };
    let doc: Value = serde_json::from_str(&text).expect("the Swagger document is JSON");
    let mut schema = with_discriminators(&doc);
    let mut validators = BTreeMap::new();
    for def in ["CreateUserPayload", "CreateTeamPayload", "CreateSchedulePayload", "CreateScheduleOverridePayload", "CreateEscalationPayload", "CreateTeamRoutingRulePayload"] {
        schema["allOf"] = json!([{"$ref": format!("#/definitions/{def}")}]);
        let v = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft4)
            .should_validate_formats(true)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{def} compiles: {e}"));
        validators.insert(def, v);
    }
    Some(Swagger { doc, validators })
}

impl Swagger {
    fn errors(&self, def: &str, body: &Value) -> Vec<String> {
        let mut out: Vec<String> = self.validators[def].iter_errors(body).map(|e| format!("{e} at {}", e.instance_path)).collect();
        unknown_keys(&self.doc, &json!({"$ref": format!("#/definitions/{def}")}), body, "", &mut out);
        out
    }
}

/// Object keys the definitions do not declare (the Swagger document
/// allows any key, so a misspelt one would pass the schema).
fn unknown_keys(doc: &Value, schema: &Value, inst: &Value, path: &str, out: &mut Vec<String>) {
    let mut schemas = Vec::new();
    applicable(doc, schema, inst, &mut Vec::new(), &mut schemas);
    match inst {
        Value::Object(o) => {
            for (k, v) in o {
                let prop = schemas.iter().find_map(|s| s["properties"].get(k)).or_else(|| schemas.iter().find_map(|s| s.get("additionalProperties").filter(|a| a.is_object())));
                match prop {
                    Some(p) => unknown_keys(doc, p, v, &format!("{path}/{k}"), out),
                    None => out.push(format!("undeclared key {path}/{k}")),
                }
            }
        }
        Value::Array(a) => {
            if let Some(items) = schemas.iter().find_map(|s| s.get("items")) {
                for (i, v) in a.iter().enumerate() {
                    unknown_keys(doc, items, v, &format!("{path}/{i}"), out);
                }
            }
        }
        _ => {}
    }
}

/// The schemas that apply to an instance: `$ref`s resolved, `allOf`
/// flattened, and a discriminated base's subtype added.
fn applicable(doc: &Value, s: &Value, inst: &Value, seen: &mut Vec<String>, out: &mut Vec<Value>) {
    if let Some(r) = s["$ref"].as_str() {
        let name = r.trim_start_matches("#/definitions/").to_string();
        if seen.contains(&name) {
            return;
        }
        seen.push(name.clone());
        let def = &doc["definitions"][&name];
        applicable(doc, def, inst, seen, out);
        if let Some(field) = def["discriminator"].as_str() {
            if let Some(value) = inst[field].as_str() {
                let sub = doc["definitions"].as_object().into_iter().flatten().find(|(_, d)| {
                    d["x-discriminator-value"].as_str() == Some(value) && d["allOf"].as_array().into_iter().flatten().any(|i| i["$ref"].as_str() == Some(r))
                });
                if let Some((sub, _)) = sub {
                    applicable(doc, &json!({"$ref": format!("#/definitions/{sub}")}), inst, seen, out);
                }
            }
        }
        return;
    }
    for item in s["allOf"].as_array().into_iter().flatten() {
        applicable(doc, item, inst, seen, out);
    }
    out.push(s.clone());
}

#[test]
fn every_request_body_validates_against_the_swagger_definitions() {
    let Some(sw) = swagger() else { return };
    // the validator is not vacuous: the discriminated subtypes are checked
    let bad = [
        ("CreateEscalationPayload", json!({"name": "x", "rules": [{"condition": "if-not-acked", "notifyType": "default", "delay": {"timeAmount": 0}}]})),
        ("CreateSchedulePayload", json!({"name": "x", "rotations": [{"type": "monthly", "startDate": "2026-01-05T09:00:00Z", "participants": [{"type": "none"}]}]})),
        ("CreateTeamRoutingRulePayload", json!({"notify": {"type": "none"}, "criteria": {"type": "match-all-conditions"}})),
        ("CreateTeamRoutingRulePayload", json!({"notify": {"type": "none"}, "timeRestriction": {"type": "weekday-and-time-of-day", "restrictions": []}})),
        ("CreateTeamRoutingRulePayload", json!({"notify": {"type": "none", "nmae": "x"}})),
        ("CreateScheduleOverridePayload", json!({"user": {"type": "user"}, "startDate": "soon", "endDate": "2026-01-05T09:00:00Z"})),
    ];
    for (def, body) in &bad {
        assert!(!sw.errors(def, body).is_empty(), "{def} accepts {body}");
    }

    let mut total = 0;
    let mut by_def: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let list = exportable_workspaces(TARGET);
    assert!(list.len() >= 40, "only {} workspaces", list.len());
    for (name, ws) in &list {
        let exported = export_workspace(ws, TARGET);
        for (path, bodies) in bodies_of(&exported.tree) {
            let Some(def) = definition(&path) else { continue };
            for body in bodies {
                let errs = sw.errors(def, &body);
                if !errs.is_empty() {
                    failures.push(format!("{name}: {path} ({def}):\n  {}\n  {body}", errs.join("\n  ")));
                }
                total += 1;
                *by_def.entry(def).or_default() += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} invalid bodies:\n{}", failures.len(), failures.join("\n"));
    eprintln!("validated {total} Opsgenie request bodies from {} workspaces: {by_def:?}", list.len());
    assert!(total >= 300, "only {total} bodies");
    for def in ["CreateUserPayload", "CreateTeamPayload", "CreateSchedulePayload", "CreateScheduleOverridePayload", "CreateEscalationPayload", "CreateTeamRoutingRulePayload"] {
        assert!(by_def.get(def).copied().unwrap_or(0) > 0, "no {def} body validated");
    }
}

/// Every name a body refers to is a file of the same export, and
/// `apply-order.txt` lists every file once, users first and every file
/// after the files it refers to.
#[test]
fn references_resolve_and_the_apply_order_is_complete() {
    for (name, ws) in exportable_workspaces(TARGET) {
        let exported = export_workspace(&ws, TARGET);
        let tree = &exported.tree;
        let users: Value = serde_json::from_slice(&tree["users.json"]).expect("users.json");
        let order: Vec<String> = String::from_utf8(tree["apply-order.txt"].clone()).expect("utf8").lines().map(String::from).collect();
        let files: BTreeSet<String> = tree.keys().filter(|k| k.as_str() != "apply-order.txt").cloned().collect();
        assert_eq!(order.iter().cloned().collect::<BTreeSet<_>>(), files, "{name}: apply order");
        assert_eq!(order.len(), files.len(), "{name}: a file listed twice");
        assert_eq!(order[0], "users.json");
        let pos = |p: &str| order.iter().position(|x| x == p);
        for (path, bodies) in bodies_of(tree) {
            let at = pos(&path).unwrap_or(0);
            let mut check = |v: &Value| {
                let (kind, n) = (v["type"].as_str().unwrap_or(""), v["name"].as_str().unwrap_or(""));
                let file = match kind {
                    "schedule" => format!("schedules/{n}.json"),
                    "team" => format!("teams/{n}.json"),
                    "escalation" => format!("escalations/{n}.json"),
                    "user" => {
                        let u = v["username"].as_str().unwrap_or("");
                        assert!(users.get(u).is_some(), "{name}: {path} names user {u}, not in users.json");
                        return;
                    }
                    _ => return,
                };
                let p = pos(&file).unwrap_or_else(|| panic!("{name}: {path} refers to {file}, which is not exported"));
                assert!(p < at, "{name}: {file} is applied after {path}");
            };
            for b in &bodies {
                walk(b, &mut check);
            }
        }
    }
}

fn walk(v: &Value, f: &mut impl FnMut(&Value)) {
    match v {
        Value::Object(o) => {
            if o.contains_key("type") {
                f(v);
            }
            o.values().for_each(|x| walk(x, f));
        }
        Value::Array(a) => a.iter().for_each(|x| walk(x, f)),
        _ => {}
    }
}

#[test]
fn policies_export_matches_the_golden_files() {
    let ws = escalade::workspace::load(&[Path::new("policies").to_path_buf()]).expect("policies/ loads");
    let exported = export_workspace(&ws, TARGET);
    compare_golden(&exported.tree, Path::new("fixtures/export/opsgenie/policies"));
    let mut w0900 = BTreeMap::new();
    w0900.insert("W0900.txt".to_string(), findings_text(&ws, &exported.findings).into_bytes());
    compare_golden(&w0900, Path::new("fixtures/export/opsgenie/findings"));
}

#[test]
fn two_exports_are_identical() {
    let t = tempfile::tempdir().expect("tempdir");
    let run = |dir: &Path| {
        let out = Command::cargo_bin("escalade")
            .expect("binary")
            .args(["export", "policies", "--target", TARGET, "--from", "2026-11-09T00:00:00Z", "-o"])
            .arg(dir)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(String::from_utf8_lossy(&out.stderr).contains("W0900"));
        export_common::read_dir_tree(dir)
    };
    let (a, b) = (run(&t.path().join("a")), run(&t.path().join("b")));
    assert!(a.len() > 20);
    assert_eq!(a, b, "two exports differ");
    // --from does not change the Opsgenie bodies
    let ws = escalade::workspace::load(&[Path::new("policies").to_path_buf()]).expect("policies/ loads");
    let x = escalade::export::export(&ws.model, TARGET, &escalade::export::ExportOptions { from: 0, receiver_url_template: None }).expect("target");
    let y = escalade::export::export(&ws.model, TARGET, &escalade::export::ExportOptions { from: 1_900_000_000, receiver_url_template: None }).expect("target");
    assert_eq!(x.tree, y.tree);
    for (k, v) in &x.tree {
        assert!(v.ends_with(b"\n"), "{k} has no trailing newline");
        assert_eq!(a.get(k), Some(v), "{k} differs between the library and the CLI");
    }
}

#[test]
fn check_target_reports_priorities_beyond_p5_and_delays_in_minutes() {
    let out = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["check", "fixtures/export/opsgenie/limits.esc", "--target", TARGET, "--format", "json", "--from", "2026-11-09T00:00:00Z"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "warnings only: {}", String::from_utf8_lossy(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(u64, String)> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["code"] == "W0900")
        .map(|f| (f["line"].as_u64().unwrap_or(0), f["message"].as_str().unwrap_or("").to_string()))
        .collect();
    let has = |line: u64, text: &str| got.iter().any(|(l, m)| *l == line && m.contains(text));
    let expected_lines = export_common::expected_lines("fixtures/export/opsgenie/limits.esc");
    for (line, text) in &expected_lines {
        assert!(has(*line, text), "no W0900 at line {line} containing {text:?}; got {got:#?}");
    }
    assert_eq!(got.len(), expected_lines.len(), "unexpected findings: {got:#?}");
    let others: Vec<&Value> = report["findings"].as_array().into_iter().flatten().filter(|f| f["code"] != "W0900").collect();
    assert!(others.is_empty(), "{others:#?}");
    // without --target, no W0900
    let plain = Command::cargo_bin("escalade").expect("binary").args(["check", "fixtures/export/opsgenie/limits.esc", "--format", "json"]).output().expect("runs");
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("W0900"));
    // --deny warnings fails on them
    let deny = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["check", "fixtures/export/opsgenie/limits.esc", "--target", TARGET, "--deny", "warnings"])
        .output()
        .expect("runs");
    assert_eq!(deny.status.code(), Some(1));
}
