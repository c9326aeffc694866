//! `export --target splunk-oncall`: the bodies have the shape ENGINES.md
//! §4 describes (required keys present and typed), placeholders refer to
//! files of the same export, the export of `policies/` matches the golden
//! files byte for byte (`ESCALADE_BLESS=1` rewrites them), two exports are
//! identical, and `check --target splunk-oncall` reports what does not map
//! (W0900).

mod export_common;

use assert_cmd::Command;
use export_common::{compare_golden, exportable_workspaces, export_workspace, findings_text};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const TARGET: &str = "splunk-oncall";

fn string(v: &Value, key: &str, at: &str) -> String {
    v[key].as_str().unwrap_or_else(|| panic!("{at}: `{key}` is not a string in {v}")).to_string()
}

fn object<'a>(v: &'a Value, key: &str, at: &str) -> &'a Value {
    assert!(v[key].is_object(), "{at}: `{key}` is not an object in {v}");
    &v[key]
}

/// `${kind.name}` placeholders in a string.
fn placeholders(s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let tail = &rest[i + 2..];
        let Some(j) = tail.find('}') else { break };
        if let Some((k, n)) = tail[..j].split_once('.') {
            out.push((k.to_string(), n.to_string()));
        }
        rest = &tail[j + 1..];
    }
    out
}

/// Every body of one export checked against ENGINES.md §4.4 and the
/// relations between the files; returns the number of bodies checked.
fn check_tree(name: &str, tree: &BTreeMap<String, Vec<u8>>) -> usize {
    let json = |p: &str| -> Value { serde_json::from_slice(tree.get(p).unwrap_or_else(|| panic!("{name}: no {p}"))).unwrap_or_else(|e| panic!("{name}: {p}: {e}")) };
    let mut n = 0;
    let users = json("users.json");
    let mut usernames = BTreeSet::new();
    for (email, u) in users.as_object().expect("users.json is an object") {
        let at = format!("{name}: users.json[{email}]");
        for k in ["firstName", "lastName", "username", "email"] {
            string(u, k, &at);
        }
        assert_eq!(&string(u, "email", &at), email, "{at}: keyed by its email");
        assert!(usernames.insert(string(u, "username", &at)), "{at}: username taken twice");
        n += 1;
    }
    let rotations = String::from_utf8(tree.get("ROTATIONS.md").cloned().unwrap_or_default()).expect("utf8");
    assert!(rotations.starts_with("# Splunk On-Call rotations to set up by hand\n"), "{name}: ROTATIONS.md");
    let mut referenced: Vec<(String, String, String)> = Vec::new();
    for (path, bytes) in tree {
        let at = format!("{name}: {path}");
        let v: Value = if path.ends_with(".json") { serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{at}: {e}")) } else { continue };
        if let Some(team) = path.strip_prefix("teams/") {
            assert_eq!(format!("{}.json", string(&v, "name", &at)), team, "{at}: name");
            n += 1;
        } else if path.starts_with("team_members/") {
            for m in v.as_array().unwrap_or_else(|| panic!("{at}: an array")) {
                assert!(usernames.contains(&string(m, "username", &at)), "{at}: unknown user {m}");
                n += 1;
            }
        } else if let Some(file) = path.strip_prefix("policies/") {
            assert_eq!(format!("{}.json", string(&v, "name", &at)), file, "{at}: name");
            let team = string(&v, "teamSlug", &at);
            referenced.extend(placeholders(&team).into_iter().map(|(k, x)| (path.clone(), k, x)));
            assert!(v["ignoreCustomPagingPolicies"].is_boolean(), "{at}: ignoreCustomPagingPolicies");
            let steps = v["steps"].as_array().unwrap_or_else(|| panic!("{at}: steps"));
            assert!(!steps.is_empty(), "{at}: no steps");
            for (i, s) in steps.iter().enumerate() {
                let t = s["timeout"].as_i64().unwrap_or_else(|| panic!("{at}: step {i} timeout is not an integer"));
                assert!(t >= 0 && (i == 0 || t > 0), "{at}: step {i} timeout {t}");
                let entries = s["entries"].as_array().unwrap_or_else(|| panic!("{at}: step {i} entries"));
                assert!(!entries.is_empty(), "{at}: step {i} has no entries");
                for e in entries {
                    let kind = string(e, "executionType", &at);
                    let target = match kind.as_str() {
                        "user" => {
                            let u = string(object(e, "user", &at), "username", &at);
                            assert!(usernames.contains(&u), "{at}: unknown user {u}");
                            continue;
                        }
                        "rotation_group" => string(object(e, "rotationGroup", &at), "slug", &at),
                        "policy_routing" => string(object(e, "targetPolicy", &at), "policySlug", &at),
                        other => panic!("{at}: executionType {other}"),
                    };
                    let refs = placeholders(&target);
                    assert_eq!(refs.len(), 1, "{at}: {target} is not a placeholder");
                    referenced.extend(refs.into_iter().map(|(k, x)| (path.clone(), k, x)));
                }
            }
            n += 1;
        } else if path == "routing_keys.json" {
            let mut keys = BTreeSet::new();
            for k in v.as_array().unwrap_or_else(|| panic!("{at}: an array")) {
                assert!(keys.insert(string(k, "routingKey", &at)), "{at}: key twice");
                let targets = k["targets"].as_array().unwrap_or_else(|| panic!("{at}: targets"));
                assert!(!targets.is_empty(), "{at}: no targets in {k}");
                for t in targets {
                    let t = t.as_str().unwrap_or_else(|| panic!("{at}: target {t}"));
                    referenced.extend(placeholders(t).into_iter().map(|(k, x)| (path.clone(), k, x)));
                }
                n += 1;
            }
        } else if path != "users.json" {
            panic!("{at}: unexpected file");
        }
    }
    // placeholders resolve, and the apply order puts their files first
    let order: Vec<String> = String::from_utf8(tree["apply-order.txt"].clone()).expect("utf8").lines().map(String::from).collect();
    let files: BTreeSet<String> = tree.keys().filter(|k| k.as_str() != "apply-order.txt").cloned().collect();
    assert_eq!(order.iter().cloned().collect::<BTreeSet<_>>(), files, "{name}: apply order lists every file");
    assert_eq!(order.len(), files.len(), "{name}: a file listed twice");
    let pos = |p: &str| order.iter().position(|x| x == p);
    for (from, kind, target) in referenced {
        let file = match kind.as_str() {
            "team" => format!("teams/{target}.json"),
            "policy" => format!("policies/{target}.json"),
            "schedule" => {
                assert!(rotations.contains(&format!("\n## `{target}`\n")), "{name}: {from}: schedule {target} not in ROTATIONS.md");
                "ROTATIONS.md".to_string()
            }
            k => panic!("{name}: {from}: placeholder kind {k}"),
        };
        let (a, b) = (pos(&file).unwrap_or_else(|| panic!("{name}: {from} refers to {file}, not exported")), pos(&from).unwrap_or(0));
        // a handoff cycle cannot be ordered
        assert!(a < b || (kind == "policy" && from.starts_with("policies/")), "{name}: {file} is applied after {from}");
    }
    n
}

#[test]
fn every_body_has_the_documented_shape_and_its_references_resolve() {
    let list = exportable_workspaces(TARGET);
    assert!(list.len() >= 40, "only {} workspaces", list.len());
    let mut total = 0;
    for (name, ws) in &list {
        let exported = export_workspace(ws, TARGET);
        total += check_tree(name, &exported.tree);
    }
    eprintln!("checked {total} Splunk On-Call bodies from {} workspaces", list.len());
    assert!(total >= 300, "only {total} bodies");
}

#[test]
fn policies_export_matches_the_golden_files() {
    let ws = escalade::workspace::load(&[Path::new("policies").to_path_buf()]).expect("policies/ loads");
    let exported = export_workspace(&ws, TARGET);
    compare_golden(&exported.tree, Path::new("fixtures/export/splunk-oncall/policies"));
    let mut w0900 = BTreeMap::new();
    w0900.insert("W0900.txt".to_string(), findings_text(&ws, &exported.findings).into_bytes());
    compare_golden(&w0900, Path::new("fixtures/export/splunk-oncall/findings"));
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
        export_common::read_dir_tree(dir)
    };
    let (a, b) = (run(&t.path().join("a")), run(&t.path().join("b")));
    assert_eq!(a, b, "two exports differ");
    let ws = escalade::workspace::load(&[Path::new("policies").to_path_buf()]).expect("policies/ loads");
    let x = export_workspace(&ws, TARGET);
    for (k, v) in &x.tree {
        assert!(v.ends_with(b"\n"), "{k} has no trailing newline");
        assert_eq!(a.get(k), Some(v), "{k} differs between the library and the CLI");
    }
    assert_eq!(a.len(), x.tree.len());
}

#[test]
fn check_target_reports_what_does_not_map() {
    let fixture = "fixtures/export/splunk-oncall/limits.esc";
    let out = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["check", fixture, "--target", TARGET, "--format", "json", "--from", "2026-11-09T00:00:00Z"])
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
    let expected = export_common::expected_lines(fixture);
    for (line, text) in &expected {
        assert!(got.iter().any(|(l, m)| l == line && m.contains(text.as_str())), "no W0900 at line {line} containing {text:?}; got {got:#?}");
    }
    assert_eq!(got.len(), expected.len(), "unexpected findings: {got:#?}");
    let others: Vec<&Value> = report["findings"].as_array().into_iter().flatten().filter(|f| f["code"] != "W0900").collect();
    assert!(others.is_empty(), "{others:#?}");
    // the export writes the approximations: the urgent policy pages the
    // rotation, and cy (no email) is left out of its step
    let t = tempfile::tempdir().expect("tempdir");
    let out = Command::cargo_bin("escalade").expect("binary").args(["export", fixture, "--target", TARGET, "-o"]).arg(t.path().join("o")).output().expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let p: Value = serde_json::from_slice(&std::fs::read(t.path().join("o/policies/ops-urgent.json")).expect("policy")).expect("json");
    assert_eq!(p["steps"][0]["entries"].as_array().map(Vec::len), Some(1));
    let keys: Value = serde_json::from_slice(&std::fs::read(t.path().join("o/routing_keys.json")).expect("keys")).expect("json");
    assert_eq!(keys, serde_json::json!([{"routingKey": "api", "targets": ["${policy.ops-main}"]}, {"routingKey": "major", "targets": ["${policy.ops-urgent}"]}]));
}
