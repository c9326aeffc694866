//! `escalade explain` (SPEC §7), through the binary, on the workspace in
//! fixtures/explain (its org.esc says what is on call at the instant used
//! here) and on the SPEC example.
//!
//! The instant: Tuesday 2026-07-07 10:00 Europe/Berlin = 08:00Z. Then
//! web-primary is held by ben (daily rotation of ana, ben from Monday
//! 2026-01-05: day 183, odd), web-secondary (nights only) is in a gap, and
//! team leads reaches dmitri by phone but not eve (chat only).

use std::process::Command;

const WS: &str = "fixtures/explain";
const AT: &str = "2026-07-07 10:00";

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn escalade(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_escalade")).args(args).output().expect("runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
    }
}

/// `explain fixtures/explain --at AT PAIRS…`, which must succeed.
fn explain(pairs: &[&str]) -> String {
    let mut args = vec!["explain", WS, "--at", AT];
    args.extend_from_slice(pairs);
    let r = escalade(&args);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    assert_eq!(r.stderr, "", "nothing on stderr");
    r.stdout
}

fn assert_lines(out: &str, expected: &[&str]) {
    let lines: Vec<&str> = out.lines().collect();
    for e in expected {
        assert!(lines.contains(e), "missing line {e:?} in:\n{out}");
    }
}

#[test]
fn routed_alert_shows_routes_policy_and_every_tier() {
    let out = explain(&["service=web", "severity=sev3", "labels.customer=vip", "summary=checkout down"]);
    let expected = r##"alert: service=web severity=sev3 summary="checkout down" labels.customer=vip
at: 2026-07-07T08:00:00Z (2026-07-07 10:00 CEST)
service: web (owner web, default policy web-low)
severity: sev3, set to sev1 by route vip-upgrade
routes: 2 of 4 matched, in order
  vip-upgrade (when labels.customer == "vip")
    set severity sev1
    set labels.plan "gold"
    continue
  web-urgent (when service == "web" and severity >= sev2)
    also person cleo via email (paged at open)
    to policy web-critical: decides
decision: policy web-critical, decided by route web-urgent

timeline (nobody acknowledges):
  +0s     2026-07-07T08:00:00Z  `also` pages, at open
                                  page cleo via email: also of route web-urgent (person cleo)
  +0s     2026-07-07T08:00:00Z  enter web-critical.primary (round 1): renotify every 5m, escalate after 15m
                                  page ben via sms, phone: tier (schedule web-primary)
  +5m     2026-07-07T08:05:00Z  renotify web-critical.primary (round 1) every 5m: 2 times, until +10m
                                  page ben via sms, phone: renotify, 2 pages
  +15m    2026-07-07T08:15:00Z  escalate: web-critical.primary not acknowledged within 15m
  +15m    2026-07-07T08:15:00Z  skip web-critical.backup (round 1): reaches nobody
                                  why: schedule web-secondary: nobody on call (a gap in the schedule)
  +15m    2026-07-07T08:15:00Z  enter web-critical.leads (round 1): escalate after 20m
                                  page dmitri via phone: tier (team leads)
                                  not reached: team leads: eve has no phone
                                  open channel "#web-incident"
                                  checkpoint "tell the customer"
  +35m    2026-07-07T08:35:00Z  escalate: web-critical.leads not acknowledged within 20m
  +35m    2026-07-07T08:35:00Z  repeat web-critical: round 2 of 2
  +35m    2026-07-07T08:35:00Z  enter web-critical.primary (round 2): renotify every 5m, escalate after 15m
                                  page ben via sms, phone: tier (schedule web-primary)
  +40m    2026-07-07T08:40:00Z  renotify web-critical.primary (round 2) every 5m: 2 times, until +45m
                                  page ben via sms, phone: renotify, 2 pages
  +50m    2026-07-07T08:50:00Z  escalate: web-critical.primary not acknowledged within 15m
  +50m    2026-07-07T08:50:00Z  skip web-critical.backup (round 2): reaches nobody
                                  why: schedule web-secondary: nobody on call (a gap in the schedule)
  +50m    2026-07-07T08:50:00Z  enter web-critical.leads (round 2): escalate after 20m
                                  page dmitri via phone: tier (team leads)
                                  not reached: team leads: eve has no phone
                                  open channel "#web-incident"
                                  checkpoint "tell the customer"
  +1h10m  2026-07-07T09:10:00Z  exhausted: the last round timed out; nobody is left to page

pages: 9 to 3 people: ben 6, cleo 1, dmitri 2
"##;
    assert_eq!(out, expected);
}

#[test]
fn output_is_deterministic() {
    let pairs = ["service=web", "severity=P2", "labels.customer=vip", "labels.region=eu"];
    assert_eq!(explain(&pairs), explain(&pairs));
}

#[test]
fn severity_aliases_and_unknown_severities() {
    let out = explain(&["service=web", "severity=p2"]);
    assert_lines(&out, &["severity: p2 (read as sev2)", "decision: policy web-critical, decided by route web-urgent"]);
    // an unknown severity is no severity: `severity >= sev2` is false, so
    // the service's default policy applies
    let out = explain(&["service=web", "severity=sev9"]);
    assert_lines(
        &out,
        &[
            "severity: sev9 (unknown: read as no severity)",
            "routes: none of 4 matched",
            "decision: policy web-low, the default policy of service web (no route decided)",
            "  +0s  2026-07-07T08:00:00Z  enter web-low.only (round 1): terminal: no `escalate after`",
            "                               page ben via sms, phone: tier (schedule web-primary)",
            "                               page dmitri via phone: tier (lead web)",
            "  +1d  2026-07-08T08:00:00Z  still waiting at terminal tier web-low.only for an acknowledgement; shown until the horizon (1d: the org has no auto-resolve)",
            "pages: 2 to 2 people: ben 1, dmitri 1",
        ],
    );
}

#[test]
fn suppressed_alert() {
    let out = explain(&["service=web", "severity=sev4", "labels.env=staging"]);
    let expected = r#"alert: service=web severity=sev4 labels.env=staging
at: 2026-07-07T08:00:00Z (2026-07-07 10:00 CEST)
service: web (owner web, default policy web-low)
severity: sev4
routes: 1 of 4 matched, in order
  noise (when severity == sev4 or labels.env == "staging")
    suppress: the alert is dropped
decision: suppressed by route noise: the alert is dropped and nobody is paged
"#;
    assert_eq!(out, expected);
}

#[test]
fn unknown_service_is_unrouted_not_an_error() {
    let out = explain(&["service=wbe", "severity=sev1"]);
    let expected = "alert: service=wbe severity=sev1
at: 2026-07-07T08:00:00Z (2026-07-07 10:00 CEST)
service: wbe (not declared in the workspace; did you mean `web`?)
severity: sev1
routes: none of 4 matched
decision: unrouted: no route decided a policy and service wbe is not declared, so it has no default policy; no policy pages anyone

pages: none
";
    assert_eq!(out, expected);
}

#[test]
fn label_routing_follows_the_handoff_to_a_terminal_tier() {
    // the alert's labels.region wins over the service's `region "us"`
    let out = explain(&["service=db", "labels.region=eu"]);
    let expected = r#"alert: service=db labels.region=eu
at: 2026-07-07T08:00:00Z (2026-07-07 10:00 CEST)
service: db (owner dba, default policy dba-oncall)
severity: none
routes: 1 of 4 matched, in order
  eu-region (when labels.region == "eu")
    to policy web-db: decides
decision: policy web-db, decided by route eu-region

timeline (nobody acknowledges):
  +0s   2026-07-07T08:00:00Z  enter web-db.first (round 1): escalate after 5m
                                page cleo via email: tier (person cleo)
  +5m   2026-07-07T08:05:00Z  escalate: web-db.first not acknowledged within 5m
  +5m   2026-07-07T08:05:00Z  enter web-db.dba (round 1): hand off to policy dba-oncall
  +5m   2026-07-07T08:05:00Z  enter dba-oncall.one (round 1): renotify every 30m, terminal: no `escalate after`
                                page finn via email: tier (team dba)
  +35m  2026-07-07T08:35:00Z  renotify dba-oncall.one (round 1) every 30m: 47 times, until +23h35m
                                page finn via email: renotify, 47 pages
  +1d   2026-07-08T08:00:00Z  still waiting at terminal tier dba-oncall.one for an acknowledgement; shown until the horizon (1d: the org has no auto-resolve)

pages: 49 to 2 people: cleo 1, finn 48
"#;
    assert_eq!(out, expected);
    // without the label, the service's own `region "us"` does not match
    let out = explain(&["service=web", "labels.region=us"]);
    assert_lines(&out, &["decision: policy web-low, the default policy of service web (no route decided)"]);
}

#[test]
fn values_keep_everything_after_the_first_equals_sign() {
    let out = explain(&["service=web", "summary=a=b c", r#"labels."app.kubernetes.io/name"=api"#]);
    assert_lines(&out, &[r#"alert: service=web summary="a=b c" labels."app.kubernetes.io/name"=api"#]);
}

#[test]
fn bad_pairs_exit_two_naming_the_pair() {
    let cases: &[(&[&str], &str)] = &[
        (&["service=web", "severity"], "error: `severity` is not KEY=VALUE; keys are service, severity, summary, source, labels.KEY"),
        (
            &["service=web", "sevrity=sev1"],
            "error: unknown key `sevrity` in `sevrity=sev1` (did you mean `severity`?); keys are service, severity, summary, source, labels.KEY",
        ),
        (&["service=web", "fingerprint=x"], "error: unknown key `fingerprint` in `fingerprint=x`; keys are service, severity, summary, source, labels.KEY"),
        (&["service=web", "labels.=x"], "error: `labels.=x`: a label needs a key, as in `labels.region=eu`"),
        (&["service=web", "service=db"], "error: `service` is given twice (`service=web` and `service=db`)"),
        (&["service=web", "labels.a=1", "labels.a=2"], "error: `labels.a` is given twice (`labels.a=1` and `labels.a=2`)"),
    ];
    for (pairs, message) in cases {
        let mut args = vec!["explain", WS, "--at", AT];
        args.extend_from_slice(pairs);
        let r = escalade(&args);
        assert_eq!(r.code, 2, "{pairs:?}");
        assert_eq!(r.stdout, "", "{pairs:?}");
        assert_eq!(r.stderr.trim_end(), *message, "{pairs:?}");
    }
}

#[test]
fn missing_service_exits_two() {
    for pairs in [&["severity=sev1"][..], &[][..]] {
        let mut args = vec!["explain", WS, "--at", AT];
        args.extend_from_slice(pairs);
        let r = escalade(&args);
        assert_eq!(r.code, 2);
        assert_eq!(r.stdout, "");
        assert_eq!(r.stderr.trim_end(), "error: the alert needs a service: add `service=NAME` (keys are service, severity, summary, source, labels.KEY)");
    }
}

#[test]
fn bad_at_exits_two_and_default_at_is_now() {
    let r = escalade(&["explain", WS, "--at", "yesterday", "service=web"]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.starts_with("error: --at: `yesterday` is not an instant"), "{}", r.stderr);
    // without --at: now, truncated to the minute
    let r = escalade(&["explain", WS, "service=web"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let at = r.stdout.lines().find(|l| l.starts_with("at: ")).expect("an at line");
    assert!(at[4..].starts_with("20") && at[4..24].ends_with(":00Z"), "{at}");
}

#[test]
fn at_in_rfc3339_without_seconds_is_the_same_instant() {
    // SPEC §2: RFC 3339 seconds are optional
    let with = escalade(&["explain", WS, "--at", "2026-07-07T08:00:00Z", "service=web"]);
    assert_eq!(with.code, 0, "{}", with.stderr);
    for at in ["2026-07-07T08:00Z", "2026-07-07T10:00+02:00", "2026-07-07t08:00z"] {
        let r = escalade(&["explain", WS, "--at", at, "service=web"]);
        assert_eq!(r.code, 0, "{at}: {}", r.stderr);
        assert_eq!(r.stdout, with.stdout, "{at}");
    }
}

#[test]
fn model_errors_exit_one() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a.esc"), "service s { owner nobody-here }\n").expect("write");
    let r = escalade(&["explain", dir.path().to_str().expect("utf-8 path"), "service=s"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stdout, "");
}

#[test]
fn spec_example_sev1_at_3am() {
    let r = escalade(&["explain", "../shared/examples/spec-example", "--at", "2026-07-04T03:00:00Z", "service=payments-api", "severity=sev1"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out = r.stdout;
    assert_lines(
        &out,
        &[
            "alert: service=payments-api severity=sev1",
            "at: 2026-07-04T03:00:00Z (2026-07-04 03:00 UTC)",
            "service: payments-api (owner payments, default policy payments-critical)",
            "severity: sev1",
            "routes: 1 of 5 matched, in order",
            r#"  payments-sev1 (when severity >= sev2 and service matches "^payment")"#,
            "    to policy payments-critical: decides",
            "decision: policy payments-critical, decided by route payments-sev1",
            // 03:00Z is Friday 23:00 in New York: the nights layer, erin
            "  +0s     2026-07-04T03:00:00Z  enter payments-critical.primary (round 1): renotify every 5m, escalate after 10m",
            "                                  page erin via sms: tier (schedule payments-primary)",
            "  +5m     2026-07-04T03:05:00Z  renotify payments-critical.primary (round 1) every 5m: 1 time",
            "  +10m    2026-07-04T03:10:00Z  escalate: payments-critical.primary not acknowledged within 10m",
            "  +10m    2026-07-04T03:10:00Z  enter payments-critical.backup (round 1): escalate after 15m",
            "                                  page carol via email, sms: tier (schedule payments-secondary)",
            "                                  page frank via email: tier (team sre)",
            "                                  page grace via chat: tier (team sre)",
            "                                  page dave via phone: tier (lead payments)",
            "  +25m    2026-07-04T03:25:00Z  enter payments-critical.leadership (round 1): escalate after 30m",
            "                                  page henry via phone: tier (team eng-leads)",
            "                                  page iris via phone: tier (team eng-leads)",
            r##"                                  open channel "#incident-critical""##,
            r#"                                  checkpoint "confirm customer communication""#,
            "  +55m    2026-07-04T03:55:00Z  repeat payments-critical: round 2 of 3",
            "  +1h50m  2026-07-04T04:50:00Z  repeat payments-critical: round 3 of 3",
            "  +2h15m  2026-07-04T05:15:00Z  enter payments-critical.leadership (round 3): escalate after 30m",
            "  +2h45m  2026-07-04T05:45:00Z  exhausted: the last round timed out; nobody is left to page",
            "  +1d     2026-07-05T03:00:00Z  auto-resolved (org auto-resolve 1d)",
            "pages: 24 to 7 people: carol 3, dave 3, erin 6, frank 3, grace 3, henry 3, iris 3",
            "note: payments-critical: `unresolved after 1h escalate to leadership` acts only on an acknowledged incident, so it never fires here",
        ],
    );
    // nobody outside the policy's reach
    assert!(!out.contains("page alice") && !out.contains("page bob"), "{out}");
}
