//! The full UCI ServiceNow incident event log, imported and replayed against
//! the workspaces `fixtures/sim/uci` (the current policy) and
//! `fixtures/sim/uci-faster` (the what-if: acknowledgement timeouts halved).
//!
//! The log lives in `../shared/data` (CI has it there); without it the test
//! prints a skip message and passes. It runs the README's command,
//!
//! ```text
//! escalade simulate fixtures/sim/uci-faster --against fixtures/sim/uci \
//!   --timeline ../shared/data/servicenow-uci/incident_event_log.csv.zip --import servicenow --format json
//! ```
//!
//! whose `baseline` section is exactly `simulate fixtures/sim/uci` on its own
//! (the what-if runs both workspaces on the same timeline), and
//! `escalade import servicenow` for the numbers computed independently here.
//!
//! The pinned metrics were checked by hand: a separate re-implementation of
//! the SPEC §5 rules for this workspace's shape (queue team → lead + wider
//! group → duty manager, recorded acks only) reproduced acknowledged,
//! lost_responders and escalated incident by incident, and pages, the MTTA
//! mean/p50/p90/max, mttr, sla_breaches, auto_resolved and stale_events; the
//! 12-hour maxima were recomputed from the `--trace` page records. For
//! scale: the recorded first assignments that can acknowledge (18,209) have a
//! median delay of 300 s; the 12,303 tickets acknowledged by their group's
//! queue team keep their recorded delay (median 240 s), the 4,801
//! acknowledged by the wider group, lead or duty manager are shifted to their
//! first page (median 2,160 s), hence mtta_p50_s = 480. Both processes run at
//! once; in a debug build the what-if takes 35-45 s, in release about 4 s.

use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_escalade");

/// The org's `auto-resolve 30d`.
const AUTO_RESOLVE_S: i64 = 30 * 86_400;

fn data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/servicenow-uci/incident_event_log.csv.zip");
    if p.exists() {
        Some(p)
    } else {
        eprintln!("skipped: the UCI ServiceNow log {} is absent (see ../shared/data/README.md)", p.display());
        None
    }
}

fn manifest(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn at(v: &Value) -> i64 {
    let s = v["at"].as_str().expect("`at`");
    chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339").timestamp()
}

/// Metric `key` of report section `r` as an f64 (counts, means, rates).
fn num(r: &Value, key: &str) -> f64 {
    r["metrics"][key].as_f64().unwrap_or_else(|| panic!("metric {key} is not a number: {}", r["metrics"][key]))
}

fn check_clean(dir: &str) {
    let o = Command::new(BIN)
        .args(["check", dir, "--from", "2016-03-01T00:00:00Z", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("check runs");
    let report: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("check {dir}: {e}: {}", String::from_utf8_lossy(&o.stderr)));
    assert_eq!(o.status.code(), Some(0), "check {dir}: {report:#}");
    assert_eq!(report["errors"], 0, "check {dir}: {report:#}");
    assert_eq!(report["warnings"], 0, "check {dir}: {report:#}");
}

#[test]
fn uci_workspaces_check_clean_and_differ_only_in_timeouts() {
    check_clean("fixtures/sim/uci");
    check_clean("fixtures/sim/uci-faster");
    // the what-if changes the policies (and the fallback policy in org.esc) only
    for f in ["people.esc", "teams.esc", "services.esc", "routes.esc"] {
        let a = std::fs::read_to_string(manifest("fixtures/sim/uci").join(f)).expect("uci file");
        let b = std::fs::read_to_string(manifest("fixtures/sim/uci-faster").join(f)).expect("uci-faster file");
        assert!(a == b, "{f} differs between fixtures/sim/uci and fixtures/sim/uci-faster");
    }
}

#[test]
fn uci_servicenow_log_replays_against_both_workspaces() {
    let Some(zip) = data() else { return };
    let started = std::time::Instant::now();
    let tmp = tempfile::tempdir().expect("tempdir");
    let jsonl = tmp.path().join("uci.jsonl");

    // the importer's timeline, for the independent counts (runs alongside the what-if)
    let import = Command::new(BIN)
        .args(["import", "servicenow"])
        .arg(&zip)
        .arg("-o")
        .arg(&jsonl)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("import starts");
    let whatif = Command::new(BIN)
        .args(["simulate", "fixtures/sim/uci-faster", "--against", "fixtures/sim/uci", "--timeline"])
        .arg(&zip)
        .args(["--import", "servicenow", "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("simulate starts");
    let import = import.wait_with_output().expect("import runs");
    assert_eq!(import.status.code(), Some(0), "{}", String::from_utf8_lossy(&import.stderr));
    let whatif = whatif.wait_with_output().expect("simulate runs");
    let stderr = String::from_utf8_lossy(&whatif.stderr);
    assert_eq!(whatif.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("read in the org time zone (UTC)"), "the org tz reads the zone-less dates: {stderr}");
    let report: Value = serde_json::from_slice(&whatif.stdout).expect("JSON report");
    assert_eq!(report["version"], 1);
    let (base, cand, delta) = (&report["baseline"], &report["candidate"], &report["delta"]);

    // -- independent counts from the imported timeline -----------------------
    let text = std::fs::read_to_string(&jsonl).expect("timeline written");
    let (mut alerts, mut originals, mut reopens) = (0i64, 0i64, 0i64);
    let mut opened: HashMap<String, i64> = HashMap::new();
    let mut acks: Vec<(String, i64)> = Vec::new();
    let mut resolves: HashMap<String, i64> = HashMap::new();
    for line in text.lines() {
        let e: Value = serde_json::from_str(line).expect("JSON line");
        if let Some(id) = e["alert"].as_str() {
            alerts += 1;
            if id.contains("-reopen-") {
                reopens += 1;
            } else {
                originals += 1;
            }
            opened.insert(id.to_string(), at(&e));
        } else if let Some(id) = e["ack"].as_str() {
            assert!(e["by"].as_str().is_some_and(|b| b.starts_with("resolver-")), "{line}");
            acks.push((id.to_string(), at(&e)));
        } else if let Some(id) = e["resolve"].as_str() {
            resolves.insert(id.to_string(), at(&e));
        } else {
            panic!("unexpected event {line}");
        }
    }
    // the importer's own summary of the log: 24,918 tickets, 331 reopenings
    assert_eq!((originals, reopens), (24_918, 331));
    assert_eq!(opened.len() as i64, alerts, "alert ids are unique");
    // §3.1: a ticket still unresolved 30d after it opened is auto-resolved;
    // its later resolve, and any ack after that instant, is stale (§5)
    let auto_resolved = opened.iter().filter(|(id, o)| resolves.get(*id).is_none_or(|r| *r > *o + AUTO_RESOLVE_S)).count() as i64;
    let late_resolves = opened.iter().filter(|(id, o)| resolves.get(*id).is_some_and(|r| *r > *o + AUTO_RESOLVE_S)).count() as i64;
    let late_acks = acks.iter().filter(|(id, t)| *t > opened[id] + AUTO_RESOLVE_S).count() as i64;
    // recorded acks that can acknowledge: before the resolve (an ack at the
    // resolve's minute loses to it, §5 fine points) and before auto-resolve
    let usable_acks =
        acks.iter().filter(|(id, t)| *t <= opened[id] + AUTO_RESOLVE_S && resolves.get(id).is_none_or(|r| t < r)).count() as i64;
    assert_eq!(usable_acks, 18_209);
    // acks recorded at the resolve's own instant: the resolve wins (§5), and
    // those by someone never paged count as lost responders
    let same_instant_acks =
        acks.iter().filter(|(id, t)| *t <= opened[id] + AUTO_RESOLVE_S && resolves.get(id).is_some_and(|r| t == r)).count() as i64;

    for (name, r) in [("baseline fixtures/sim/uci", base), ("candidate fixtures/sim/uci-faster", cand)] {
        let m = &r["metrics"];
        assert_eq!(num(r, "alerts") as i64, alerts, "{name}: alerts = tickets + reopenings");
        assert_eq!(num(r, "incidents") as i64, alerts, "{name}: no dedup, no suppress");
        assert_eq!(m["rejected_events"], 0, "{name}");
        assert_eq!(m["unknown_severity"], 0, "{name}: P1..P4 are the org's severities");
        assert_eq!(m["unrouted"], 0, "{name}: every category is a service with a policy");
        assert_eq!(m["reached_nobody"], 0, "{name}");
        assert_eq!(m["exhausted"], 0, "{name}: the duty-manager tier is terminal and always staffed");
        assert_eq!(m["open_at_end"], 0, "{name}: auto-resolve ends every ticket before the end");
        assert_eq!(m["paged_without_works"], 0, "{name}: everybody `works office`");
        assert_eq!(num(r, "auto_resolved") as i64, auto_resolved, "{name}");
        assert_eq!(num(r, "stale_events") as i64, late_resolves + late_acks, "{name}");
        assert!(num(r, "acknowledged") > 0.0, "{name}");
        assert!(num(r, "acknowledged") + num(r, "lost_responders") <= (usable_acks + same_instant_acks) as f64, "{name}");
        let rate = num(r, "escalated") / (num(r, "incidents") - num(r, "unrouted"));
        assert!((num(r, "escalation_rate") - rate).abs() < 5e-5, "{name}: escalation_rate");
    }
    assert_eq!((auto_resolved, late_resolves, late_acks), (1_140, 1_140, 53));

    // -- pinned headline metrics (regression) ----------------------------------
    // lost_responders: recorded acks whose resolver is never paged: not in the
    // group's core team (tier 1), not its lead or wider group (tier 2, entered
    // only while nobody has acknowledged and the ticket is open), not the duty
    // manager on call when tier 3 is entered. The rest of the usable acks
    // (33 / 16) come from tier-2/3 responders whose ack, shifted to their first
    // page + (ack - open), lands after the ticket's resolve. Acks recorded at
    // the resolve's own minute by a never-paged resolver (853 / 809) are lost
    // responders too: the resolve ends the incident before the ack takes
    // effect in phase 2, and the resolver was never paged.
    let pinned: &[(&str, f64, f64)] = &[
        // metric, baseline (uci), candidate (uci-faster)
        ("alerts", 25_249.0, 25_249.0),
        ("incidents", 25_249.0, 25_249.0),
        ("acknowledged", 17_104.0, 17_203.0),
        ("lost_responders", 1_925.0, 1_799.0),
        ("auto_resolved", 1_140.0, 1_140.0),
        ("stale_events", 1_193.0, 1_193.0),
        ("mtta_s", 17_913.438, 17_564.643),
        ("mtta_p50_s", 480.0, 480.0),
        ("mtta_p90_s", 2_820.0, 1_920.0),
        ("mtta_max_s", 2_517_780.0, 2_517_780.0),
        ("mttr_s", 285_595.983, 285_595.983),
        ("escalated", 9_709.0, 11_311.0),
        ("escalation_rate", 0.3845, 0.448),
        ("time_to_escalation_s", 1_800.0, 900.0),
        ("pages", 1_305_108.0, 1_398_969.0),
        ("pages_per_person_week", 110.7669, 118.7331),
        ("max_pages_in_12h", 502.0, 513.0),
        ("max_incidents_in_12h", 415.0, 424.0),
        ("sla_breaches", 3_558.0, 3_518.0),
    ];
    for &(key, b, c) in pinned {
        assert_eq!(num(base, key), b, "baseline {key}");
        assert_eq!(num(cand, key), c, "candidate {key}");
        let d = num(delta, key);
        assert!((d - (c - b)).abs() < 1e-6, "delta {key}: {d} vs {c} - {b}");
    }
    assert_eq!(num(base, "acknowledged") + num(base, "lost_responders") + 33.0, (usable_acks + 853) as f64);
    assert_eq!(num(cand, "acknowledged") + num(cand, "lost_responders") + 16.0, (usable_acks + 809) as f64);
    assert!(853 <= same_instant_acks, "{same_instant_acks}");
    // everybody in the workspace but one resolver (whose only team's group
    // has no tickets of its own) is paged at some point
    assert_eq!(base["metrics"]["pages_by_person"].as_object().expect("map").len(), 233);
    assert_eq!(cand["metrics"]["pages_by_person"].as_object().expect("map").len(), 233);
    // the by_policy breakdown adds up to the totals
    let policy_incidents: f64 = base["by_policy"].as_object().expect("by_policy").values().map(|p| p["incidents"].as_f64().unwrap_or(0.0)).sum();
    assert_eq!(policy_incidents, num(base, "incidents"));
    eprintln!("UCI replay: {alerts} alerts, import + what-if in {:.1?}", started.elapsed());
}
