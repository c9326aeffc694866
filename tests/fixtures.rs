//! Every fixture under fixtures/checks yields exactly the findings its
//! `# expect:` lines list (code and line, per file), and its rendered
//! human and JSON output matches the snapshot.

use escalade::check::{self, CheckOptions};
use escalade::render;
use escalade::workspace;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("fixtures/checks")
        .expect("fixtures/checks exists")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "esc"))
        .collect();
    v.sort();
    v
}

/// (file, code, line) expected by the `# expect:` lines of every file.
fn expected(ws: &workspace::Workspace) -> BTreeSet<(String, String, usize)> {
    let mut out = BTreeSet::new();
    for f in &ws.sources.files {
        let mut seen = false;
        for line in f.text.lines() {
            let Some(rest) = line.trim().strip_prefix("# expect:") else { continue };
            seen = true;
            for item in rest.split_whitespace() {
                if item == "none" {
                    continue;
                }
                let (code, l) = item.split_once('@').unwrap_or_else(|| panic!("{}: bad expect item {item}", f.path));
                out.insert((f.path.clone(), code.to_string(), l.parse().expect("line number")));
            }
        }
        assert!(seen, "{} has no `# expect:` line", f.path);
    }
    out
}

pub fn from() -> chrono::DateTime<chrono::Utc> {
    "2026-11-09T00:00:00Z".parse().expect("instant")
}

#[test]
fn every_fixture_yields_exactly_its_expected_findings() {
    let mut failures = Vec::new();
    let list = fixtures();
    assert!(list.len() >= 40, "only {} fixtures", list.len());
    for p in &list {
        let ws = workspace::load(std::slice::from_ref(p)).expect("fixture loads");
        let findings = check::check(&ws, &CheckOptions { from: Some(from().timestamp()), ..CheckOptions::default() });
        let got: BTreeSet<(String, String, usize)> = findings
            .iter()
            .filter(|f| !f.suppressed)
            .map(|f| {
                let file = ws.sources.get(f.span.file);
                (file.path.clone(), f.code.to_string(), file.line_col(f.span.start as usize).line)
            })
            .collect();
        let want = expected(&ws);
        if got != want {
            let msgs: Vec<String> = findings.iter().map(|f| format!("  {} {}", f.code, f.message)).collect();
            failures.push(format!(
                "{}:\n  expected {:?}\n  got      {:?}\n{}",
                p.display(),
                want,
                got,
                msgs.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) differ:\n{}", failures.len(), failures.join("\n"));
}

fn snapshot_name(p: &Path) -> String {
    p.file_stem().map(|s| s.to_string_lossy().replace('.', "_")).unwrap_or_default()
}

#[test]
fn fixture_output_snapshots() {
    for p in fixtures() {
        let ws = workspace::load(std::slice::from_ref(&p)).expect("fixture loads");
        let findings = check::check(&ws, &CheckOptions { from: Some(from().timestamp()), ..CheckOptions::default() });
        let human = render::human(&findings, &ws.sources, Some(from()), &render::HumanOptions { color: false, width: 100 });
        let json = render::json(&findings, &ws.sources, from());
        let name = snapshot_name(&p);
        insta::assert_snapshot!(format!("{name}.human"), human);
        insta::assert_snapshot!(format!("{name}.json"), json);
    }
}
