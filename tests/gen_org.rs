//! The organisation generator shared by the benches and
//! `examples/gen_org.rs` (benches/support/gen_org.rs): what it writes is a
//! workspace `escalade check` finds nothing in, of the promised shape, and
//! its timeline replays through `escalade simulate` with no rejected line.
//! Deterministic for a seed.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

#[path = "../benches/support/gen_org.rs"]
mod gen_org;

fn escalade(args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("escalade").expect("binary").args(args).output().expect("runs");
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned(), String::from_utf8_lossy(&out.stderr).into_owned())
}

fn write_timeline(org: &gen_org::Org, alerts: u64, seed: u64, path: &Path) -> u64 {
    let mut f = std::fs::File::create(path).expect("timeline file");
    gen_org::Timeline::new(org, alerts, seed).write_to(&mut f).expect("written")
}

#[test]
fn generated_org_checks_clean_and_its_timeline_replays_without_rejections() {
    for (services, seed) in [(1, 3), (60, 2)] {
        let dir = tempfile::tempdir().expect("tempdir");
        let org = gen_org::org(services, seed);
        org.write_to(dir.path()).expect("written");
        let ws = dir.path().to_str().expect("utf-8 path");
        let (code, stdout, stderr) = escalade(&["check", ws, "--from", "2026-02-02T00:00:00Z", "--format", "json"]);
        assert_eq!(code, Some(0), "{services} services, seed {seed}: {stdout}{stderr}");
        let report: Value = serde_json::from_str(&stdout).expect("JSON findings");
        assert_eq!(report["findings"], Value::Array(vec![]), "{services} services, seed {seed}");

        let timeline = dir.path().join("timeline.jsonl");
        let alerts = 3_000;
        let lines = write_timeline(&org, alerts, seed, &timeline);
        assert!(lines > alerts, "acknowledgements and resolutions follow the alerts");
        let (code, stdout, stderr) = escalade(&["simulate", ws, "--timeline", timeline.to_str().expect("utf-8"), "--format", "json"]);
        assert_eq!(code, Some(0), "{stderr}");
        assert!(!stderr.contains("rejected"), "{stderr}");
        let m = &serde_json::from_str::<Value>(&stdout).expect("JSON report")["metrics"];
        assert_eq!(m["rejected_events"], 0, "{stderr}");
        assert_eq!(m["alerts"], alerts);
        // the timeline exercises what it says it does
        for key in ["deduplicated", "suppressed", "acknowledged", "escalated", "pages", "stale_events"] {
            assert!(m[key].as_u64().is_some_and(|v| v > 0), "{key} is {} ({services} services)", m[key]);
        }
        assert_eq!(m["unrouted"], 0);
    }
}

#[test]
fn generated_org_has_the_promised_shape() {
    let org = gen_org::org(300, 7);
    assert_eq!(org.services.len(), 300);
    let ws = escalade::workspace::load_texts(".".into(), org.files.clone());
    assert!(ws.findings.is_empty(), "{:?}", &ws.findings[..ws.findings.len().min(3)]);
    let m = &ws.model;
    assert_eq!(m.services.len(), 300);
    let sizes: BTreeSet<usize> = m.teams.iter().map(|t| t.members.len()).collect();
    assert!(sizes.iter().all(|n| (4..=8).contains(n)), "team sizes {sizes:?}");
    assert!(sizes.len() >= 4, "team sizes vary: {sizes:?}");
    let layers: BTreeSet<usize> = m.schedules.iter().map(|s| s.layers.len()).collect();
    assert_eq!(layers, BTreeSet::from([2, 3]), "layers per schedule");
    let zones: BTreeSet<&str> = m.persons.iter().filter_map(|p| p.tz.as_ref()).map(|t| t.value.as_str()).collect();
    assert!(zones.len() >= 20, "{} zones", zones.len());
    assert!(m.policies.iter().all(|p| p.tiers.len() == 3), "every policy has three tiers");
    // a route per service, and global routes before and after them
    assert_eq!(m.routes.len(), 300 + 4);
    let routes: BTreeSet<&str> = m.routes.iter().map(|r| r.name.name.as_str()).collect();
    for s in &m.services {
        let n = &s.name.name;
        assert!(routes.contains(format!("{n}-urgent").as_str()) || routes.contains(format!("{n}-quiet-hours").as_str()), "no route for {n}");
    }
}

#[test]
fn generation_is_deterministic_for_a_seed() {
    let text = |seed| {
        let org = gen_org::org(40, seed);
        let mut t = Vec::new();
        gen_org::Timeline::new(&org, 500, seed).write_to(&mut t).expect("written");
        (org.files, t)
    };
    let a = text(5);
    assert_eq!(a, text(5));
    let b = text(6);
    assert_ne!(a.0, b.0);
    assert_ne!(a.1, b.1);
    // in time order, every line a JSON object with `at`
    let mut last = String::new();
    for line in String::from_utf8(a.1).expect("utf-8").lines() {
        let v: Value = serde_json::from_str(line).expect("JSON");
        let at = v["at"].as_str().expect("at").to_string();
        assert!(at >= last, "{at} after {last}");
        last = at;
    }
}
