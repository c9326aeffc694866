//! Helpers of the engine export tests: the workspaces an export accepts,
//! request bodies per file, golden trees and expected findings.
#![allow(dead_code)]

use escalade::check::{self, CheckOptions};
use escalade::diag::Finding;
use escalade::export::{self, ExportOptions, Exported, FileTree};
use escalade::workspace::{self, Workspace};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn entries(dir: &str, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| keep(p)).collect()).unwrap_or_default();
    v.sort();
    v
}

/// Every workspace `export` accepts (no model error, no E0200/E0201):
/// `policies/`, the SPEC example (when the shared copy is present), the
/// check fixtures, the time fixtures and `fixtures/export/<target>/`.
pub fn exportable_workspaces(target: &str) -> Vec<(String, Workspace)> {
    let mut paths = vec![PathBuf::from("policies"), PathBuf::from("fixtures/time"), PathBuf::from("fixtures/explain")];
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples/spec-example");
    if spec.is_dir() {
        paths.push(spec);
    }
    paths.extend(entries("fixtures/checks", |p| p.is_dir() || p.extension().is_some_and(|x| x == "esc")));
    paths.extend(entries(&format!("fixtures/export/{target}"), |p| p.extension().is_some_and(|x| x == "esc")));
    let mut out = Vec::new();
    for p in paths {
        let Ok(ws) = workspace::load(std::slice::from_ref(&p)) else { continue };
        if check::has_model_errors(&ws) {
            continue;
        }
        let blocking = check::check(&ws, &CheckOptions::default()).iter().any(|f| !f.suppressed && (f.code == "E0200" || f.code == "E0201"));
        if !blocking {
            out.push((p.display().to_string(), ws));
        }
    }
    out
}

pub fn export_workspace(ws: &Workspace, target: &str) -> Exported {
    export::export(&ws.model, target, &ExportOptions { from: 1_794_182_400, receiver_url_template: None }).expect("known target")
}

/// The request bodies of every JSON file: the values of an object keyed
/// by email (`users.json`), the items of an array, else the file itself.
pub fn bodies_of(tree: &FileTree) -> Vec<(String, Vec<Value>)> {
    let mut out = Vec::new();
    for (path, bytes) in tree {
        if !path.ends_with(".json") {
            continue;
        }
        let v: Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"));
        let bodies = match v {
            Value::Array(a) => a,
            Value::Object(o) if path == "users.json" => o.into_iter().map(|(_, v)| v).collect(),
            v => vec![v],
        };
        out.push((path.clone(), bodies));
    }
    out
}

/// Every file below `dir` (relative, `/`-separated), the export marker
/// left out.
pub fn read_dir_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn go(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for p in entries(&dir.to_string_lossy(), |_| true) {
            if p.is_dir() {
                go(base, &p, out);
            } else if p.file_name().is_some_and(|n| n != export::MARKER) {
                let rel = p.strip_prefix(base).unwrap_or(&p).to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap_or_default());
            }
        }
    }
    let mut out = BTreeMap::new();
    go(dir, dir, &mut out);
    out
}

/// The tree must equal the golden directory byte for byte;
/// `ESCALADE_BLESS=1` rewrites the directory instead.
pub fn compare_golden(tree: &FileTree, dir: &Path) {
    if std::env::var_os("ESCALADE_BLESS").is_some_and(|v| v == "1") {
        let _ = std::fs::remove_dir_all(dir);
        for (rel, bytes) in tree {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(&p, bytes).expect("write golden");
        }
        return;
    }
    let golden = read_dir_tree(dir);
    let missing: Vec<&String> = tree.keys().filter(|k| !golden.contains_key(*k)).collect();
    let extra: Vec<&String> = golden.keys().filter(|k| !tree.contains_key(*k)).collect();
    assert!(missing.is_empty() && extra.is_empty(), "{}: files not in the golden tree {missing:?}, golden files not exported {extra:?} (ESCALADE_BLESS=1 rewrites)", dir.display());
    for (rel, bytes) in tree {
        let g = &golden[rel];
        if g != bytes {
            let (a, b) = (String::from_utf8_lossy(g), String::from_utf8_lossy(bytes));
            let line = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or_else(|| a.lines().count().min(b.lines().count()));
            panic!(
                "{}/{rel} differs from the export at line {}:\n  golden: {:?}\n  export: {:?}\n(ESCALADE_BLESS=1 rewrites)",
                dir.display(),
                line + 1,
                a.lines().nth(line).unwrap_or("<end>"),
                b.lines().nth(line).unwrap_or("<end>")
            );
        }
    }
}

/// `file:line: message` and the help of every finding, in output order.
pub fn findings_text(ws: &Workspace, findings: &[Finding]) -> String {
    let mut fs = findings.to_vec();
    escalade::render::sort_findings(&mut fs, &ws.sources);
    let mut out = String::new();
    for f in &fs {
        let file = ws.sources.get(f.span.file);
        let line = file.line_col(f.span.start as usize).line;
        out.push_str(&format!("{}:{line}: {} {}\n", file.path, f.code, f.message));
        if let Some(h) = &f.help {
            out.push_str(&format!("    help: {h}\n"));
        }
    }
    out
}

/// The findings a fixture announces: lines `# W0900@LINE text` (the
/// message contains `text`).
pub fn expected_lines(path: &str) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(path).expect("fixture");
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("# W0900@"))
        .map(|rest| {
            let (n, t) = rest.split_once(' ').unwrap_or((rest, ""));
            (n.parse().expect("line number"), t.trim().to_string())
        })
        .collect()
}
