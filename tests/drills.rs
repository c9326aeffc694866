//! `escalade drill` through the binary (SPEC §3.9): the SPEC's conformance
//! example, the showcase workspace, and fixtures/drills (see its README).

use assert_cmd::Command;
use std::path::Path;

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn drill(args: &[&str]) -> Out {
    let out = Command::cargo_bin("escalade").expect("binary").arg("drill").args(args).output().expect("runs");
    Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn spec_example_passes() {
    let dir = "/work/shared/examples/spec-example";
    if !Path::new(dir).is_dir() {
        eprintln!("skipped: {dir} is absent");
        return;
    }
    let o = drill(&[dir]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert_eq!(last_line(&o.stdout), "2 passed, 0 failed", "{}", o.stdout);
}

#[test]
fn showcase_drills_pass() {
    let o = drill(&["policies"]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert_eq!(last_line(&o.stdout), "5 passed, 0 failed", "{}", o.stdout);
    assert!(o.stdout.lines().take(5).all(|l| l.starts_with("PASS ")), "{}", o.stdout);
}

#[test]
fn passing_fixture_covers_every_expect_form() {
    let o = drill(&["fixtures/drills/passing.esc"]);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    assert_eq!(last_line(&o.stdout), "11 passed, 0 failed", "{}", o.stdout);
    // every expect form appears in the fixture
    let text = std::fs::read_to_string("fixtures/drills/passing.esc").expect("fixture");
    let forms = [
        "expect route ",
        "expect policy ",
        "expect tier primary within",
        "expect tier web-critical.leads within",
        "expect tier ops-oncall.first",
        "expect skipped night\n",
        "expect skipped night-first.night",
        "expect paged ann\n",
        "expect paged ann within",
        "expect paged ann via sms\n",
        "expect paged ann via email within",
        "expect not paged ",
        "expect pages ",
        "expect acked\n",
        "expect acked by ann\n",
        "expect acked within",
        "expect acked by ann within",
        "expect not acked",
        "expect escalated\n",
        "expect escalated within",
        "expect exhausted",
        "expect suppressed",
        "expect unrouted",
        "expect deduplicated 2",
        "expect deduplicated 0",
        "expect checkpoint ",
        "expect channel ",
    ];
    for f in forms {
        assert!(text.contains(f), "no `{}` in passing.esc", f.trim());
    }
}

#[test]
fn failing_fixture_reports_the_contradicting_facts() {
    let o = drill(&["fixtures/drills/failing.esc"]);
    assert_eq!(o.code, Some(1), "{}{}", o.stdout, o.stderr);
    let expected = std::fs::read_to_string("fixtures/drills/failing.out").expect("expected output");
    assert_eq!(o.stdout, expected);
    // the boundary facts, spelled out here too
    for line in [
        "  line 63: expect tier secondary within 4m59s — actual: tier secondary was first entered at +5m",
        "  line 72: expect pages ann 4 — actual: ann was paged 6 times: +0s, +2m, +4m, +25m, +27m, +29m",
        "  line 73: expect not paged ann — actual: paged ann at +0s via schedule web-primary",
        "  line 74: expect paged bob via sms — actual: paged bob at +5m via team web on phone",
        "  line 98: expect tier leads — actual: tier leads was never entered (acknowledged by ann at +5m)",
        "  line 99: expect paged dan within 59m59s — actual: paged dan at +1h via lead web (unresolved jump)",
        "  line 106: expect unrouted — actual: the alert was suppressed by route staging; there is no incident",
    ] {
        assert!(o.stdout.lines().any(|l| l == line), "missing: {line}\n{}", o.stdout);
    }
}

#[test]
fn failing_fixture_as_json() {
    let o = drill(&["fixtures/drills/failing.esc", "--format", "json"]);
    assert_eq!(o.code, Some(1), "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(keys, ["version", "drills", "passed", "failed"]);
    assert_eq!(v["version"], 1);
    assert_eq!(v["passed"], 0);
    assert_eq!(v["failed"], 6);
    let d = &v["drills"][0];
    assert_eq!(d["name"], "off by one second");
    assert_eq!(d["passed"], false);
    assert_eq!(
        d["failures"][1],
        serde_json::json!({"expect": "expect paged bob within 4m59s", "actual": "paged bob at +5m via team web", "line": 64})
    );
    let last = &v["drills"][5];
    assert_eq!(last["failures"].as_array().map(Vec::len), Some(3), "{last}");
}

#[test]
fn passing_fixture_as_json_and_junit() {
    let o = drill(&["fixtures/drills/passing.esc", "--format", "json"]);
    assert_eq!(o.code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(v["passed"], 11);
    assert!(v["drills"].as_array().expect("drills").iter().all(|d| d["passed"] == true && d["failures"] == serde_json::json!([])));

    let o = drill(&["fixtures/drills/passing.esc", "--format", "junit"]);
    assert_eq!(o.code, Some(0));
    assert!(o.stdout.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites"), "{}", o.stdout);
    assert_eq!(o.stdout.matches("<testcase ").count(), 11);
    assert_eq!(o.stdout.matches("<failure").count(), 0);
}

#[test]
fn junit_escapes_and_counts_failures() {
    let o = drill(&["fixtures/drills/failing.esc", "--format", "junit"]);
    assert_eq!(o.code, Some(1));
    let x = &o.stdout;
    assert!(x.contains("tests=\"6\" failures=\"6\""), "{x}");
    assert_eq!(x.matches("<testcase ").count(), 6);
    assert_eq!(x.matches("<failure message=").count(), 6);
    assert!(x.contains("<failure message=\"16 expectations failed\" type=\"expectation\">"), "{x}");
    assert!(x.contains("expect checkpoint &quot;call the lawyer&quot; — actual: checkpoints recorded: &quot;call the customer&quot;"), "{x}");
    // nothing unescaped between the tags
    for body in x.split("<failure").skip(1) {
        let inner = body.split_once('>').map(|(_, b)| b).unwrap_or("");
        let inner = inner.split("</failure>").next().unwrap_or("");
        assert!(!inner.contains('<') && !inner.contains('"'), "{inner}");
    }
    assert!(x.trim_end().ends_with("</testsuites>"));
}

#[test]
fn filter_is_a_case_sensitive_substring() {
    let o = drill(&["fixtures/drills/failing.esc", "--filter", "wrong facts about a"]);
    assert_eq!(o.code, Some(1));
    assert_eq!(o.stdout.lines().filter(|l| l.starts_with("FAIL ")).count(), 2, "{}", o.stdout);
    assert_eq!(last_line(&o.stdout), "0 passed, 2 failed");

    let o = drill(&["fixtures/drills/failing.esc", "--filter", "Wrong facts"]);
    assert_eq!(o.code, Some(0));
    assert_eq!(o.stdout, "0 passed, 0 failed\n");

    let o = drill(&["fixtures/drills/passing.esc", "--filter", "dedup"]);
    assert_eq!(o.stdout, "0 passed, 0 failed\n");
    let o = drill(&["fixtures/drills/passing.esc", "--filter", "folds"]);
    assert_eq!(o.stdout, "PASS flapping disk alert folds into one incident\n1 passed, 0 failed\n");
}

#[test]
fn engines() {
    let f = "fixtures/drills/engines.esc";
    for e in [None, Some("default"), Some("splunk-oncall")] {
        let mut args = vec![f];
        if let Some(e) = e {
            args.extend(["--engine", e]);
        }
        let o = drill(&args);
        assert_eq!(o.code, Some(0), "{e:?}: {}", o.stdout);
        assert_eq!(o.stdout, "PASS engine semantics\n1 passed, 0 failed\n");
        assert_eq!(o.stderr, "");
    }
    let cases: [(&str, &[&str]); 4] = [
        ("pagerduty", &["  line 26: expect tier two within 90s — actual: tier two was first entered at +2m"]),
        ("opsgenie", &["  line 26: expect tier two within 90s — actual: tier two was first entered at +2m"]),
        (
            "goalert",
            &[
                "  line 26: expect tier two within 90s — actual: tier two was first entered at +12m",
                "  line 27: expect skipped empty — actual: tier empty was entered at +2m and not skipped",
                "  line 28: expect pages ann 8 — actual: ann was paged 6 times: +0s, +13m, +26m, +39m, +52m, +1h5m",
            ],
        ),
        (
            "grafana-oncall",
            &["  line 28: expect pages ann 8 — actual: ann was paged 6 times: +0s, +2m30s, +5m, +7m30s, +10m, +12m30s"],
        ),
    ];
    for (engine, failures) in cases {
        let o = drill(&[f, "--engine", engine]);
        assert_eq!(o.code, Some(1), "{engine}: {}", o.stdout);
        let mut expected = String::from("FAIL engine semantics\n");
        for l in failures {
            expected.push_str(l);
            expected.push('\n');
        }
        expected.push_str("0 passed, 1 failed\n");
        assert_eq!(o.stdout, expected, "{engine}");
        assert!(o.stderr.starts_with(&format!("note: --engine {engine} changes ")), "{engine}: {}", o.stderr);
    }
    let o = drill(&[f, "--engine", "nope"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("unknown engine `nope`"), "{}", o.stderr);
    assert_eq!(o.stdout, "");
}

#[test]
fn refuses_on_model_errors_and_missing_paths() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("broken.esc");
    std::fs::write(
        &p,
        "person ann { email \"a@x\" }\ndrill \"d\" {\n  at 2026-07-06 10:00\n  alert service s\n  expect paged zed\n}\n",
    )
    .expect("write");
    let o = drill(&[p.to_str().unwrap_or("")]);
    assert_eq!(o.code, Some(1));
    assert!(o.stderr.contains("E0100"), "{}", o.stderr);
    assert_eq!(o.stdout, "");

    let o = drill(&["/nonexistent/escalade-drills"]);
    assert_eq!(o.code, Some(2));
}

#[test]
fn output_is_deterministic() {
    let a = drill(&["fixtures/drills/failing.esc", "--format", "json"]);
    let b = drill(&["fixtures/drills/failing.esc", "--format", "json"]);
    assert_eq!(a.stdout, b.stdout);
}
