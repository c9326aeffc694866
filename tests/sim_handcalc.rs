//! `escalade simulate` against a hand-computed fixture (SPEC §5):
//! fixtures/sim/handcalc/. The expected reports were written by hand; the
//! arithmetic behind every number is in fixtures/sim/handcalc/ARITHMETIC.md.
//! The same events are read from YAML and from JSON Lines (with
//! `--responders` taking the YAML's `responders:` section), alone and with
//! `--against` a baseline workspace.

use serde_json::Value;
use std::process::Command;

const DIR: &str = "fixtures/sim/handcalc";

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn escalade(args: &[&str]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_escalade"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .expect("the escalade binary runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn path(name: &str) -> String {
    format!("{DIR}/{name}")
}

fn expected(name: &str) -> Value {
    let file = format!("{}/{DIR}/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"))
}

/// Runs `simulate` with `--format json` and parses stdout.
fn simulate_json(args: &[&str]) -> Value {
    let mut all = vec!["simulate"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let o = escalade(&all);
    assert_eq!(o.code, Some(0), "escalade {}\nstdout:\n{}\nstderr:\n{}", all.join(" "), o.stdout, o.stderr);
    serde_json::from_str(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}\nstderr:\n{}", o.stdout, o.stderr))
}

/// Every difference between `actual` and `expected`, one line each, with its
/// JSON path. Numbers compare as serde_json values: `300` (integer) differs
/// from `300.0` (a mean or rate must be written with decimals, SPEC §5).
fn diff(actual: &Value, expected: &Value, at: &str, out: &mut Vec<String>) {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => {
            for (k, ev) in e {
                match a.get(k) {
                    Some(av) => diff(av, ev, &format!("{at}/{k}"), out),
                    None => out.push(format!("{at}/{k}: missing (expected {ev})")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{at}/{k}: unexpected key (value {})", a[k]));
            }
        }
        _ if actual == expected => {}
        _ => out.push(format!("{at}: got {actual}, expected {expected}")),
    }
}

/// SPEC §5 "maps have sorted keys": every object inside `metrics`,
/// `by_service` and `by_policy` (the envelopes `{"version", "metrics", …}`
/// and `{"version", "baseline", …}` follow the SPEC's written order).
fn unsorted_keys_in_reports(v: &Value, out: &mut Vec<String>) {
    let reports: Vec<(&str, &Value)> = match v.get("candidate") {
        Some(_) => ["baseline", "candidate", "delta"].iter().map(|s| (*s, &v[*s])).collect(),
        None => vec![("", v)],
    };
    for (side, r) in reports {
        for k in ["metrics", "by_service", "by_policy"] {
            unsorted_keys(&r[k], &format!("/{side}/{k}").replace("//", "/"), out);
        }
    }
}

fn unsorted_keys(v: &Value, at: &str, out: &mut Vec<String>) {
    if let Value::Object(m) = v {
        let keys: Vec<&String> = m.keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        if keys != sorted {
            out.push(format!("{at}: keys not sorted: {keys:?}"));
        }
        for (k, child) in m {
            unsorted_keys(child, &format!("{at}/{k}"), out);
        }
    }
}

fn assert_report(actual: &Value, expected_file: &str, what: &str) {
    let mut d = Vec::new();
    diff(actual, &expected(expected_file), "", &mut d);
    unsorted_keys_in_reports(actual, &mut d);
    assert!(
        d.is_empty(),
        "{what}: {} difference(s) from {DIR}/{expected_file} (see {DIR}/ARITHMETIC.md):\n{}",
        d.len(),
        d.join("\n")
    );
}

#[test]
fn yaml_timeline_reproduces_every_metric() {
    let got = simulate_json(&[&path("candidate"), "--timeline", &path("timeline.yaml")]);
    assert_report(&got, "expected.json", "candidate, YAML timeline");
}

#[test]
fn jsonl_timeline_reproduces_every_metric() {
    let got = simulate_json(&[
        &path("candidate"),
        "--timeline",
        &path("timeline.jsonl"),
        "--responders",
        &path("timeline.yaml"),
    ]);
    assert_report(&got, "expected.json", "candidate, JSON Lines timeline");
}

#[test]
fn against_baseline_yaml_reproduces_both_sides_and_deltas() {
    let got = simulate_json(&[
        &path("candidate"),
        "--timeline",
        &path("timeline.yaml"),
        "--against",
        &path("baseline"),
    ]);
    assert_report(&got, "expected-against.json", "--against, YAML timeline");
}

#[test]
fn against_baseline_jsonl_reproduces_both_sides_and_deltas() {
    let got = simulate_json(&[
        &path("candidate"),
        "--timeline",
        &path("timeline.jsonl"),
        "--responders",
        &path("timeline.yaml"),
        "--against",
        &path("baseline"),
    ]);
    assert_report(&got, "expected-against.json", "--against, JSON Lines timeline");
}

#[test]
fn the_candidate_alone_is_the_candidate_side_of_against() {
    // Internal consistency of the hand-written files themselves.
    let alone = expected("expected.json");
    let against = expected("expected-against.json");
    assert_eq!(against["version"], 1);
    for k in ["metrics", "by_service", "by_policy"] {
        assert_eq!(alone[k], against["candidate"][k], "{k}");
    }
}

#[test]
fn against_table_shows_baseline_candidate_and_delta() {
    let args = [
        "simulate",
        &path("candidate"),
        "--timeline",
        &path("timeline.yaml"),
        "--against",
        &path("baseline"),
        "--format",
        "table",
    ];
    let o = escalade(&args);
    assert_eq!(o.code, Some(0), "stdout:\n{}\nstderr:\n{}", o.stdout, o.stderr);
    let lower = o.stdout.to_lowercase();
    for column in ["baseline", "candidate", "delta"] {
        assert!(lower.contains(column), "no `{column}` column:\n{}", o.stdout);
    }
    // pages: baseline 15, candidate 18, delta +3 — on one row.
    let row = o
        .stdout
        .lines()
        .find(|l| l.split_whitespace().next().is_some_and(|w| w.trim_matches('|') == "pages") || l.contains("| pages "))
        .unwrap_or_else(|| panic!("no `pages` row:\n{}", o.stdout));
    let nums: Vec<&str> = row.split(|c: char| c.is_whitespace() || c == '|').filter(|w| !w.is_empty()).collect();
    assert!(nums.contains(&"15") && nums.contains(&"18"), "pages row lacks 15 and 18: {row}");
    assert!(nums.iter().any(|w| *w == "+3" || *w == "3"), "pages row lacks the delta 3: {row}");
    // Human-readable reports state how many paged people have no `works`
    // (ben and dee on both sides).
    assert!(lower.contains("works"), "no mention of paged people without `works`:\n{}", o.stdout);
}
