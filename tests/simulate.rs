//! `escalade simulate` through the binary (SPEC §5): report shapes, the
//! what-if, --runs, determinism, --until, --trace, formats, usage errors.
//! The hand-computed metrics are in tests/sim_handcalc.rs, bad timelines
//! in tests/sim_bad_timelines.rs, the UCI replay in tests/sim_uci.rs.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;

const TIMELINE: &str = "fixtures/sim/basic/timeline.yaml";

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn sim(args: &[&str]) -> Out {
    sim_stdin(args, "")
}

fn sim_stdin(args: &[&str], stdin: &str) -> Out {
    let out = Command::cargo_bin("escalade").expect("binary").arg("simulate").args(args).write_stdin(stdin).output().expect("runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn json(args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["--format", "json"]);
    let o = sim(&a);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    serde_json::from_str(&o.stdout).expect("JSON report")
}

/// Every metric of SPEC §5 "Metrics".
const METRICS: &[&str] = &[
    "alerts",
    "incidents",
    "suppressed",
    "deduplicated",
    "unrouted",
    "reached_nobody",
    "acknowledged",
    "exhausted",
    "auto_resolved",
    "open_at_end",
    "lost_responders",
    "suppressed_but_acked",
    "unknown_severity",
    "rejected_events",
    "stale_events",
    "mtta_s",
    "mtta_p50_s",
    "mtta_p90_s",
    "mtta_max_s",
    "mttr_s",
    "escalated",
    "escalation_rate",
    "time_to_escalation_s",
    "pages",
    "pages_by_person",
    "off_hours_pages_by_person",
    "paged_without_works",
    "pages_per_person_week",
    "max_pages_in_12h",
    "max_incidents_in_12h",
    "sla_breaches",
];

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

#[test]
fn json_report_has_every_metric_and_the_breakdowns() {
    let r = json(&["policies", "--timeline", TIMELINE]);
    assert_eq!(r["version"], 1);
    assert_eq!(keys(&r), ["by_policy", "by_service", "metrics", "version"].iter().map(|s| s.to_string()).collect());
    let want: BTreeSet<String> = METRICS.iter().map(|s| s.to_string()).collect();
    assert_eq!(keys(&r["metrics"]), want);
    let m = &r["metrics"];
    // the timeline (fixtures/sim/basic/timeline.yaml): 7 alerts, one folded
    // by dedup (A2 into A1), one unknown service, one without severity, one
    // ack of an id never seen
    assert_eq!(m["alerts"], 7);
    assert_eq!(m["deduplicated"], 1);
    assert_eq!(m["incidents"], 6);
    assert_eq!(m["unrouted"], 1);
    assert_eq!(m["unknown_severity"], 1);
    assert_eq!(m["stale_events"], 1);
    assert_eq!(m["rejected_events"], 0);
    assert!(m["mtta_s"].is_f64(), "means are numbers with decimals: {}", m["mtta_s"]);
    assert!(m["mtta_p50_s"].is_i64(), "percentiles are integers: {}", m["mtta_p50_s"]);
    // the breakdowns hold the same metrics but the totals-only ones
    let mut per: BTreeSet<String> = want.clone();
    per.remove("rejected_events");
    per.remove("stale_events");
    for by in ["by_service", "by_policy"] {
        for (k, v) in r[by].as_object().expect("object") {
            assert_eq!(keys(v), per, "{by}.{k}");
        }
    }
    // unknown services appear by service only
    assert_eq!(r["by_service"]["no-such-service"]["unrouted"], 1);
    assert!(r["by_policy"].as_object().expect("object").keys().all(|k| k != "no-such-service"));
    // counts add up across services
    let sum: i64 = r["by_service"].as_object().expect("object").values().map(|s| s["alerts"].as_i64().expect("count")).sum();
    assert_eq!(sum, 7);
}

#[test]
fn same_input_and_seed_give_byte_identical_json_and_trace() {
    let d = tempfile::tempdir().expect("tempdir");
    let (t1, t2) = (d.path().join("a.jsonl"), d.path().join("b.jsonl"));
    let run = |trace: &std::path::Path, seed: &str| {
        let o = sim(&["policies", "--timeline", TIMELINE, "--format", "json", "--seed", seed, "--trace", trace.to_str().expect("utf-8")]);
        assert_eq!(o.code, Some(0), "{}", o.stderr);
        (o.stdout, std::fs::read(trace).expect("trace written"))
    };
    let (j1, tr1) = run(&t1, "7");
    let (j2, tr2) = run(&t2, "7");
    assert_eq!(j1, j2);
    assert_eq!(tr1, tr2);
    let (j3, _) = run(&t2, "8");
    assert_ne!(j1, j3, "another seed draws other responders (lognormal, miss)");
}

#[test]
fn trace_is_one_json_record_per_step() {
    let d = tempfile::tempdir().expect("tempdir");
    let t = d.path().join("trace.jsonl");
    let o = sim(&["policies", "--timeline", TIMELINE, "--trace", t.to_str().expect("utf-8")]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let steps: BTreeSet<&str> = [
        "opened", "folded", "suppressed", "routed", "unrouted", "tier-entered", "tier-skipped", "paged", "renotified", "escalated", "repeat", "handoff",
        "handoff-cycle", "unresolved-jump", "checkpoint", "channel-opened", "acknowledged", "lost-responder", "exhausted", "auto-resolved", "resolved",
        "open-at-end", "engine-adjusted",
    ]
    .into_iter()
    .collect();
    let text = std::fs::read_to_string(&t).expect("trace");
    let mut last = String::new();
    let mut seen = BTreeSet::new();
    for line in text.lines() {
        let r: Value = serde_json::from_str(line).expect("a JSON record per line");
        let ts = r["t"].as_str().expect("t");
        assert!(ts.ends_with('Z') && ts.len() == 20, "RFC 3339 UTC with seconds: {ts}");
        assert!(ts >= last.as_str(), "records in time order: {ts} after {last}");
        last = ts.to_string();
        assert!(r["incident"].is_string());
        let step = r["step"].as_str().expect("step");
        assert!(steps.contains(step), "{step}");
        seen.insert(step.to_string());
        if step == "paged" {
            assert!(r["person"].is_string() && r["channels"].is_array() && r["cause"].is_array(), "{line}");
        }
    }
    for s in ["opened", "folded", "routed", "unrouted", "paged", "acknowledged", "resolved", "auto-resolved", "lost-responder"] {
        assert!(seen.contains(s), "{s} in {seen:?}");
    }
    // the trace agrees with the report
    let r = json(&["policies", "--timeline", TIMELINE]);
    let pages = text.lines().filter(|l| l.contains(r#""step":"paged""#)).count() as i64;
    assert_eq!(r["metrics"]["pages"].as_i64(), Some(pages));
}

#[test]
fn what_if_prints_both_sides_and_deltas() {
    let r = json(&["policies", "--timeline", TIMELINE, "--against", "policies"]);
    assert_eq!(keys(&r), ["baseline", "candidate", "delta", "version"].iter().map(|s| s.to_string()).collect());
    assert_eq!(r["baseline"], r["candidate"], "same workspace, same draws");
    assert_eq!(r["delta"]["metrics"]["pages"], 0);
    assert_eq!(r["delta"]["metrics"]["mtta_s"], 0.0);
    assert_eq!(r["delta"]["metrics"]["mtta_p50_s"], 0);
    assert!(r["delta"]["by_service"]["no-such-service"]["mtta_s"].is_null(), "null on both sides stays null");
    let t = sim(&["policies", "--timeline", TIMELINE, "--against", "policies"]);
    assert_eq!(t.code, Some(0), "{}", t.stderr);
    let head = t.stdout.lines().find(|l| l.starts_with("metric")).expect("table head");
    assert_eq!(head.split_whitespace().collect::<Vec<_>>(), ["metric", "baseline", "candidate", "delta"]);
    assert!(t.stdout.contains("candidate policies against baseline policies"), "{}", t.stdout);
}

#[test]
fn runs_report_mean_and_bounds_per_metric() {
    let r = json(&["policies", "--timeline", TIMELINE, "--runs", "12", "--seed", "3"]);
    let pages = &r["metrics"]["pages"];
    assert_eq!(keys(pages), ["mean", "p5", "p95"].iter().map(|s| s.to_string()).collect());
    let (lo, mean, hi) = (pages["p5"].as_f64().expect("p5"), pages["mean"].as_f64().expect("mean"), pages["p95"].as_f64().expect("p95"));
    assert!(lo <= mean && mean <= hi, "{pages}");
    // alerts do not depend on responders: the same in every run
    assert_eq!(r["metrics"]["alerts"]["p5"], 7);
    assert_eq!(r["metrics"]["alerts"]["p95"], 7);
    // maps: the mean per key
    assert!(r["metrics"]["pages_by_person"].as_object().expect("map").values().all(Value::is_number));
    // the first run alone is seed 3
    let one = json(&["policies", "--timeline", TIMELINE, "--seed", "3"]);
    assert_eq!(one["metrics"]["alerts"], 7);
}

#[test]
fn until_ends_the_simulation_and_skips_later_events() {
    let o = sim(&["policies", "--timeline", TIMELINE, "--format", "json", "--until", "2026-07-02T00:00:00Z"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let r: Value = serde_json::from_str(&o.stdout).expect("json");
    // alerts A1, A2, B1, C1 are before the end; D1, E1, the ack of ZZZ, F1
    // and its resolve after
    assert_eq!(r["metrics"]["alerts"], 4);
    assert!(o.stderr.contains("note: 5 events after --until were skipped"), "{}", o.stderr);
    // B1 (09:30, never resolved, org auto-resolve 24h) is still open at the end
    assert_eq!(r["metrics"]["open_at_end"], 1);
}

#[test]
fn json_lines_on_stdin_match_the_yaml_document() {
    let jsonl = concat!(
        r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"payments-api","severity":"sev1","summary":"checkout 500s"}"#,
        "\n",
        r#"{"at":"2026-07-01T02:19:00Z","ack":"A1","by":"priya"}"#,
        "\n",
        r#"{"at":"2026-07-01T03:00:00Z","resolve":"A1"}"#,
        "\n"
    );
    let d = tempfile::tempdir().expect("tempdir");
    let y = d.path().join("t.yaml");
    std::fs::write(
        &y,
        "events:\n  - { at: 2026-07-01T02:14:00Z, alert: A1, service: payments-api, severity: sev1, summary: \"checkout 500s\" }\n  - { at: 2026-07-01T02:19:00Z, ack: A1, by: priya }\n  - { at: 2026-07-01T03:00:00Z, resolve: A1 }\n",
    )
    .expect("write");
    let a = sim_stdin(&["policies", "--timeline", "-", "--format", "json"], jsonl);
    assert_eq!(a.code, Some(0), "{}", a.stderr);
    let b = sim(&["policies", "--timeline", y.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
    let r: Value = serde_json::from_str(&a.stdout).expect("json");
    assert_eq!(r["metrics"]["mttr_s"], 2760.0, "46m from open to the recorded resolve");
}

#[test]
fn markdown_and_output_file() {
    let d = tempfile::tempdir().expect("tempdir");
    let out = d.path().join("report.md");
    let o = sim(&["policies", "--timeline", TIMELINE, "--format", "markdown", "-o", out.to_str().expect("utf-8")]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "-o writes the file, not stdout");
    let md = std::fs::read_to_string(&out).expect("report written");
    assert!(md.starts_with("## escalade simulation"), "{md}");
    assert!(md.contains("| metric | value |\n| --- | ---: |\n| alerts | 7 |"), "{md}");
    assert!(md.contains("### By service"), "{md}");
    assert!(md.contains("paged people have no `works` hours"), "{md}");
}

#[test]
fn html_is_one_self_contained_file() {
    let o = sim(&["policies", "--timeline", TIMELINE, "--format", "html"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let h = &o.stdout;
    assert!(h.contains("<svg"), "charts are inline SVG");
    assert!(!h.contains("<script") && !h.contains("<link") && !h.contains("@import"), "nothing external");
}

#[test]
fn explain_engine_needs_no_timeline() {
    let o = sim(&["--explain-engine", "--engine", "goalert"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stdout.contains("an empty tier waits out its `escalate after` delay"), "{}", o.stdout);
    assert!(o.stdout.contains("`repeat` is clamped to 5"), "{}", o.stdout);
    let p = sim(&["--explain-engine", "--engine", "pagerduty"]);
    assert!(p.stdout.contains("`repeat` is clamped to 9"), "{}", p.stdout);
    let d = sim(&["--explain-engine"]);
    assert!(d.stdout.contains("changes no rule"), "{}", d.stdout);
}

#[test]
fn engines_change_the_outcome_and_say_so() {
    let o = sim(&["policies", "--timeline", TIMELINE, "--engine", "pagerduty", "--format", "json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let r: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(r["metrics"]["alerts"], 7);
}

#[test]
fn usage_errors_exit_two() {
    for (args, needle) in [
        (vec!["policies", "--timeline", TIMELINE, "--engine", "nope"], "unknown engine `nope`"),
        (vec!["policies", "--timeline", TIMELINE, "--import", "nope"], "nope"),
        (vec!["policies", "--timeline", "fixtures/sim/basic/timeline.txt"], "unknown timeline extension"),
        (vec!["policies", "--timeline", "fixtures/sim/basic/absent.jsonl"], "absent.jsonl"),
        (vec!["policies"], "--timeline"),
        (vec!["policies", "--timeline", TIMELINE, "--reorder-window", "soon"], "--reorder-window"),
        (vec!["policies", "--timeline", TIMELINE, "--until", "tomorrow"], "--until"),
        (vec!["policies", "--timeline", TIMELINE, "--runs", "0"], "--runs"),
        (vec!["no-such-dir", "--timeline", TIMELINE], "no-such-dir"),
    ] {
        let o = sim(&args);
        assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
        assert!(o.stderr.contains(needle), "{args:?}: {}", o.stderr);
    }
}

#[test]
fn responders_file_replaces_the_timeline_section() {
    let d = tempfile::tempdir().expect("tempdir");
    let r = d.path().join("r.yaml");
    std::fs::write(&r, "responders:\n  default: { ack-after: 1m }\n  nobody-here: { ack-after: 1m }\nevents: []\n").expect("write");
    let o = sim(&["policies", "--timeline", TIMELINE, "--responders", r.to_str().expect("utf-8"), "--format", "json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    assert!(o.stderr.contains("replaces the timeline's own `responders` section"), "{}", o.stderr);
    assert!(o.stderr.contains("`nobody-here` names no person"), "{}", o.stderr);
    let v: Value = serde_json::from_str(&o.stdout).expect("json");
    // everyone acks after 1m, except recorded acks (A1 by priya at +5m)
    assert_eq!(v["metrics"]["mtta_p50_s"], 60);
}

#[test]
fn a_directory_is_not_a_timeline() {
    let d = tempfile::tempdir().expect("tempdir");
    let dir = d.path().join("events.jsonl");
    std::fs::create_dir(&dir).expect("mkdir");
    let o = sim(&["policies", "--timeline", dir.to_str().expect("utf-8")]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("is a directory"), "{}", o.stderr);
}

#[test]
fn rejections_are_reported_in_line_order_and_strict_stops_at_the_first() {
    let d = tempfile::tempdir().expect("tempdir");
    let t = d.path().join("t.jsonl");
    std::fs::write(
        &t,
        concat!(
            r#"{"at":"2026-07-01T00:00:00Z","alert":"A1","service":"payments-api","severity":"sev1"}"#,
            "\n",
            r#"{"at":"2026-07-01T00:01:00Z","alert":"A1","service":"payments-api","severity":"sev1"}"#,
            "\n",
            "garbage\n",
            r#"{"at":"2026-07-01T00:03:00Z","resolve":"A1"}"#,
            "\n",
        ),
    )
    .expect("write");
    let p = t.to_str().expect("utf-8");
    let o = sim(&["policies", "--timeline", p, "--format", "json"]);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let lines: Vec<&str> = o.stderr.lines().filter(|l| l.contains("rejected")).collect();
    // line 2 is rejected by the engine (A1 is open), line 3 by the reader
    assert_eq!(lines.len(), 2, "{}", o.stderr);
    assert!(lines[0].ends_with(":2: rejected: alert id `A1` repeats an alert of open incident `A1`"), "{}", o.stderr);
    assert!(lines[1].contains(":3: rejected: not a JSON event"), "{}", o.stderr);
    let r: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(r["metrics"]["rejected_events"], 2);
    assert_eq!(r["metrics"]["alerts"], 1);
    let s = sim(&["policies", "--timeline", p, "--strict"]);
    assert_eq!(s.code, Some(2), "{}", s.stderr);
    assert!(s.stderr.contains(":2: alert id `A1` repeats"), "the earliest line wins: {}", s.stderr);
}

/// The engines run one batch while the next is read (unless `--threads
/// 1`): the output must not show it. Three batches of events; the second
/// holds an engine rejection, the third (read while the second runs) a
/// zone-less time, whose notice must still come after the second batch's
/// rejection, as when nothing is read ahead.
#[test]
fn reading_ahead_of_the_engines_changes_no_output() {
    let d = tempfile::tempdir().expect("tempdir");
    let t = d.path().join("t.jsonl");
    let services = ["payments-api", "checkout-web", "search-api"];
    let start = 1_782_864_000i64; // 2026-07-01T00:00:00Z
    let stamp = |t: i64| chrono::DateTime::from_timestamp(t, 0).expect("time").format("%Y-%m-%dT%H:%M:%S").to_string();
    let mut text = String::new();
    let n = 12_000;
    for i in 0..n {
        let line = i + 1;
        let at = start + 30 * i as i64;
        let id = if line == 8_000 { format!("A{}", i - 1) } else { format!("A{i}") };
        match line {
            3 => text.push_str("garbage"),
            _ if line == n => text.push_str(&format!(r#"{{"at":"{}","resolve":"A0"}}"#, stamp(at + 86_400))),
            _ => text.push_str(&format!(r#"{{"at":"{}Z","alert":"{id}","service":"{}","severity":"sev2"}}"#, stamp(at), services[i % 3])),
        }
        text.push('\n');
    }
    std::fs::write(&t, text).expect("write");
    let p = t.to_str().expect("utf-8");
    let ahead = sim(&["policies", "--timeline", p, "--format", "json"]);
    let one = sim(&["policies", "--timeline", p, "--format", "json", "--threads", "1"]);
    assert_eq!(ahead.code, Some(0), "{}", ahead.stderr);
    assert_eq!((&ahead.stdout, &ahead.stderr), (&one.stdout, &one.stderr));
    let at = |needle: &str| ahead.stderr.find(needle).unwrap_or_else(|| panic!("`{needle}` in {}", ahead.stderr));
    assert!(at(":3: rejected") < at(":8000: rejected"), "{}", ahead.stderr);
    assert!(at(":8000: rejected") < at("without a UTC offset"), "{}", ahead.stderr);
    let r: Value = serde_json::from_str(&ahead.stdout).expect("json");
    assert_eq!(r["metrics"]["rejected_events"], 2);
    assert_eq!(r["metrics"]["alerts"], n - 3);
}
