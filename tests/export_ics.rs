//! `export --target ics`: RFC 5545 output that a calendar parser reads
//! back, byte-identical across runs, written atomically.

use assert_cmd::Command;
use std::io::BufReader;

fn export(dir: &std::path::Path) -> std::process::Output {
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["export", "fixtures/time/dst", "--target", "ics", "--from", "2026-10-20T00:00:00Z", "-o"])
        .arg(dir)
        .output()
        .expect("runs")
}

fn read_tree(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry"))
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).expect("read")))
        .collect();
    v.sort();
    v
}

#[test]
fn ics_parses_back_and_is_deterministic() {
    let t = tempfile::tempdir().expect("tempdir");
    let a = t.path().join("a");
    let b = t.path().join("b");
    assert_eq!(export(&a).status.code(), Some(0));
    assert_eq!(export(&b).status.code(), Some(0));
    let ta = read_tree(&a);
    assert_eq!(ta, read_tree(&b), "two exports differ");
    let names: Vec<&str> = ta.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, vec![".escalade-export", "berlin-weekly.ics", "elapsed-12h.ics", "ny-daynight.ics"]);

    let ics = std::fs::read(a.join("ny-daynight.ics")).expect("read");
    let text = String::from_utf8(ics.clone()).expect("utf8");
    assert!(text.lines().all(|l| l.len() <= 76), "unfolded long line");
    assert!(text.contains("\r\n"));
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_slice()));
    let cal = parser.next().expect("one calendar").expect("parses");
    assert!(parser.next().is_none());
    // 4 weeks from 2026-10-20T00:00Z (Mon 20:00 EDT, a night handoff): two
    // shifts a day (night 20-08, day 08-20 New York) = 56 events, the last
    // day shift clipped at the horizon (19:00 EST).
    assert_eq!(cal.events.len(), 56);
    let mut uids = std::collections::HashSet::new();
    let mut prev_end = String::new();
    for e in &cal.events {
        let prop = |n: &str| e.properties.iter().find(|p| p.name == n).and_then(|p| p.value.clone()).unwrap_or_default();
        assert!(uids.insert(prop("UID")), "duplicate UID");
        let (start, end) = (prop("DTSTART"), prop("DTEND"));
        assert!(start.ends_with('Z') && end.ends_with('Z') && start < end);
        if !prev_end.is_empty() {
            assert_eq!(prev_end, start, "shifts are contiguous: no gap, no overlap");
        }
        prev_end = end;
    }
    // the US fall-back night (Sat 2026-10-31 20:00 EDT → Sun 08:00 EST) lasts 13 h
    assert!(text.contains("DTSTART:20261101T000000Z\r\nDTEND:20261101T130000Z"), "13 h night missing");
}

#[test]
fn export_refuses_a_directory_that_is_not_an_export() {
    let t = tempfile::tempdir().expect("tempdir");
    std::fs::write(t.path().join("notes.txt"), "mine").expect("write");
    let out = export(t.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("neither empty nor a previous escalade export"));
    assert_eq!(std::fs::read_to_string(t.path().join("notes.txt")).expect("kept"), "mine");
}

#[test]
fn re_export_replaces_the_previous_tree_and_check_detects_changes() {
    let t = tempfile::tempdir().expect("tempdir");
    let d = t.path().join("out");
    assert_eq!(export(&d).status.code(), Some(0));
    std::fs::write(d.join("stale.ics"), "old").expect("write");
    let check = |dir: &std::path::Path| {
        Command::cargo_bin("escalade")
            .expect("binary")
            .args(["export", "fixtures/time/dst", "--target", "ics", "--from", "2026-10-20T00:00:00Z", "--check", "-o"])
            .arg(dir)
            .output()
            .expect("runs")
    };
    let c = check(&d);
    assert_eq!(c.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&c.stdout), "stale.ics\n");
    assert_eq!(export(&d).status.code(), Some(0));
    assert!(!d.join("stale.ics").exists(), "stale file survived a re-export");
    assert_eq!(check(&d).status.code(), Some(0));
}

#[test]
fn unknown_target_exits_two() {
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["export", "fixtures/time/dst", "--target", "nope", "-o", "/tmp/never"])
        .assert()
        .code(2);
}

/// The export of `policies/` from a fixed instant, byte for byte against
/// `fixtures/export/ics/policies/` (`ESCALADE_BLESS=1` rewrites it after a
/// reviewed change).
#[test]
fn policies_export_matches_the_golden_files() {
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("ics");
    let out = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["export", "policies", "--target", "ics", "--from", "2026-11-02T00:00:00Z", "-o"])
        .arg(&dir)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let got: Vec<(String, Vec<u8>)> = read_tree(&dir).into_iter().filter(|(n, _)| n.ends_with(".ics")).collect();
    assert!(got.len() >= 5, "one calendar per schedule of policies/");
    let golden = std::path::Path::new("fixtures/export/ics/policies");
    if std::env::var_os("ESCALADE_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(golden);
        std::fs::create_dir_all(golden).expect("golden dir");
        for (n, b) in &got {
            std::fs::write(golden.join(n), b).expect("golden write");
        }
    }
    let want = read_tree(golden);
    assert_eq!(got.iter().map(|x| &x.0).collect::<Vec<_>>(), want.iter().map(|x| &x.0).collect::<Vec<_>>(), "the calendars differ from {}", golden.display());
    for ((n, a), (_, b)) in got.iter().zip(&want) {
        assert!(a == b, "{n} differs from its golden file (ESCALADE_BLESS=1 rewrites it after review)");
    }
}
