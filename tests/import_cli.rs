//! `escalade import KIND FILE -o OUT.jsonl` through the binary.

use assert_cmd::Command;

#[test]
fn alertmanager_webhooks_become_a_timeline() {
    let d = tempfile::tempdir().expect("tempdir");
    let input = d.path().join("webhooks.jsonl");
    std::fs::write(
        &input,
        concat!(
            r#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighLatency","service":"checkout","severity":"critical"},"annotations":{"summary":"p99 over 2s"},"startsAt":"2026-07-01T02:14:00Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc"}]}"#,
            "\n",
            r#"{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"HighLatency","service":"checkout","severity":"critical"},"annotations":{"summary":"p99 over 2s"},"startsAt":"2026-07-01T02:14:00Z","endsAt":"2026-07-01T02:40:00Z","fingerprint":"abc"}]}"#,
            "\n",
            "not json\n",
        ),
    )
    .expect("write");
    let out = d.path().join("timeline.jsonl");
    let o = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["import", "alertmanager"])
        .arg(&input)
        .arg("-o")
        .arg(&out)
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(":3: "), "the garbage line is reported with its line: {stderr}");
    let text = std::fs::read_to_string(&out).expect("timeline written");
    let lines: Vec<serde_json::Value> = text.lines().map(|l| serde_json::from_str(l).expect("json line")).collect();
    assert_eq!(lines.len(), 2, "{text}");
    assert_eq!(lines[0]["at"], "2026-07-01T02:14:00Z");
    assert_eq!(lines[0]["service"], "checkout");
    assert_eq!(lines[0]["severity"], "critical");
    assert_eq!(lines[0]["summary"], "p99 over 2s");
    assert_eq!(lines[1]["at"], "2026-07-01T02:40:00Z");
    assert_eq!(lines[1]["resolve"], lines[0]["alert"]);
}

#[test]
fn unknown_importer_and_missing_file_exit_two() {
    let d = tempfile::tempdir().expect("tempdir");
    let out = d.path().join("t.jsonl");
    Command::cargo_bin("escalade").expect("binary").args(["import", "nagios", "x"]).arg("-o").arg(&out).assert().code(2);
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["import", "pagerduty", "/definitely/not/here.json"])
        .arg("-o")
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
}
