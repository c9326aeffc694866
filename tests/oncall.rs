//! `escalade oncall --at` across DST changes, through the binary. The
//! instants and their reasoning are documented in
//! fixtures/time/dst/schedules.esc; the expected names were worked out
//! with wall-clock arithmetic independent of escalade.

use assert_cmd::Command;

fn oncall(at: &str) -> serde_json::Value {
    let out = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["oncall", "fixtures/time/dst", "--format", "json", "--at", at])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("json")
}

#[test]
fn documented_instants_across_dst() {
    // (at, ny-daynight, berlin-weekly, elapsed-12h)
    let cases = [
        ("2026-03-08T06:59:00Z", "dan", "cho", "ben"), // 01:59 EST, last minute before the gap
        ("2026-03-08T07:00:00Z", "dan", "cho", "ben"), // 03:00 EDT, first minute after it
        ("2026-03-08T11:59:00Z", "dan", "cho", "ben"), // 07:59 EDT: the short (11 h) night still runs
        ("2026-03-08T13:00:00Z", "ana", "cho", "ana"), // 08:00 EDT day handoff; 13:00Z is elapsed shift 124 (even: ana)
        ("2026-03-09T00:00:00Z", "cho", "cho", "ana"), // 20:00 EDT night handoff
        ("2026-11-01T05:30:00Z", "dan", "ana", "ben"), // 01:30 EDT (first occurrence)
        ("2026-11-01T06:30:00Z", "dan", "ana", "ben"), // 01:30 EST (second occurrence), same night
        ("2026-11-01T12:59:00Z", "dan", "ana", "ben"), // 07:59 EST: the 13 h night
        ("2026-11-01T13:00:00Z", "ana", "ana", "ana"), // 08:00 EST handoff
        ("2026-03-29T00:59:00Z", "cho", "cho", "ana"), // Berlin 01:59 CET
        ("2026-03-29T01:00:00Z", "cho", "cho", "ben"), // Berlin 03:00 CEST
        ("2026-03-30T06:59:00Z", "dan", "cho", "ben"), // Berlin Mon 08:59 CEST
        ("2026-03-30T07:00:00Z", "dan", "ana", "ben"), // Berlin Mon 09:00 CEST weekly handoff
        ("2026-10-26T07:59:00Z", "dan", "cho", "ben"), // Berlin Mon 08:59 CET
        ("2026-10-26T08:00:00Z", "dan", "ana", "ben"), // Berlin Mon 09:00 CET weekly handoff
    ];
    for (at, ny, berlin, elapsed) in cases {
        let v = oncall(at);
        assert_eq!(v["version"], 1);
        assert_eq!(v["at"], at);
        assert_eq!(v["schedules"]["ny-daynight"], ny, "ny-daynight at {at}");
        assert_eq!(v["schedules"]["berlin-weekly"], berlin, "berlin-weekly at {at}");
        assert_eq!(v["schedules"]["elapsed-12h"], elapsed, "elapsed-12h at {at}");
    }
}

#[test]
fn local_at_uses_the_org_zone_and_gap_rules() {
    // 2026-03-08 02:30 New York does not exist: it means 03:00 EDT (07:00Z)
    let v = oncall("2026-03-08 02:30");
    assert_eq!(v["at"], "2026-03-08T07:00:00Z");
    // 2026-11-01 01:30 happens twice: the first (EDT, 05:30Z)
    let v = oncall("2026-11-01 01:30");
    assert_eq!(v["at"], "2026-11-01T05:30:00Z");
}

#[test]
fn gaps_are_null_and_unknown_schedules_exit_two() {
    let v = oncall("2025-12-01T00:00:00Z");
    assert_eq!(v["schedules"]["ny-daynight"], serde_json::Value::Null);
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["oncall", "fixtures/time/dst", "--schedule", "nope"])
        .assert()
        .code(2);
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["oncall", "fixtures/time/dst", "--schedule", "berlin-weekly", "--at", "2026-03-30T07:00:00Z"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("berlin-weekly  ana"));
}
