//! `escalade export`: compile the workspace into files an engine or a tool
//! imports. Each target is a pure function model → file tree; writing the
//! tree (atomically) is the CLI's job through [`write_tree`].

pub mod alertmanager;
pub mod common;
pub mod grafana_oncall;
pub mod graph;
pub mod ics;
pub mod json;
pub mod opsgenie;
pub mod pagerduty;
pub mod splunk_oncall;

use crate::diag::Finding;
use crate::model::Model;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Relative path (with `/`) → contents.
pub type FileTree = BTreeMap<String, Vec<u8>>;

/// The export targets of this version (SPEC §6), sorted.
pub const TARGETS: &[&str] = &["alertmanager", "dot", "grafana-oncall", "ics", "json", "mermaid", "opsgenie", "pagerduty", "pagerduty-terraform", "splunk-oncall"];

/// What every target is given besides the model.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// start of time-dependent output (`--from`), Unix seconds
    pub from: i64,
    /// `--receiver-url-template` (Alertmanager): `{receiver}` is replaced
    /// by the receiver name
    pub receiver_url_template: Option<String>,
}

/// A target's output: the files, and a W0900 finding for everything that
/// does not map or exceeds the engine's limits (exported in its documented
/// approximation). `check --target` reports the same findings.
#[derive(Debug, Default)]
pub struct Exported {
    pub tree: FileTree,
    pub findings: Vec<Finding>,
}

/// Export `m` (a sound model) to `target`; `None` for an unknown target.
pub fn export(m: &Model, target: &str, opts: &ExportOptions) -> Option<Exported> {
    Some(match target {
        "alertmanager" => alertmanager::export(m, opts),
        "dot" => Exported { tree: graph::export_dot(m), findings: Vec::new() },
        "grafana-oncall" => grafana_oncall::export(m),
        "ics" => Exported { tree: ics::export(m, opts.from), findings: Vec::new() },
        "json" => Exported { tree: json::export(m), findings: Vec::new() },
        "mermaid" => Exported { tree: graph::export_mermaid(m), findings: Vec::new() },
        "pagerduty" => {
            let (plan, findings) = pagerduty::plan(m);
            Exported { tree: pagerduty::rest::files(&plan), findings }
        }
        "pagerduty-terraform" => {
            let (plan, findings) = pagerduty::plan(m);
            Exported { tree: pagerduty::terraform::files(&plan), findings }
        }
        "opsgenie" => opsgenie::export(m),
        "splunk-oncall" => splunk_oncall::export(m),
        _ => return None,
    })
}

/// The marker file of a directory escalade exported into.
pub const MARKER: &str = ".escalade-export";

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("`{0}` exists and is neither empty nor a previous escalade export (no {MARKER} in it)")]
    NotAnExport(String),
    #[error("cannot write `{path}`: {reason}")]
    Io { path: String, reason: String },
}

fn io(path: &Path, e: std::io::Error) -> WriteError {
    WriteError::Io { path: crate::workspace::display_path(path), reason: e.to_string() }
}

/// May `dir` be (re)written? Absent, empty, or holding the marker.
pub fn check_target_dir(dir: &Path) -> Result<(), WriteError> {
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io(dir, e)),
        Ok(mut rd) => {
            if dir.join(MARKER).is_file() || rd.next().is_none() {
                Ok(())
            } else {
                Err(WriteError::NotAnExport(crate::workspace::display_path(dir)))
            }
        }
    }
}

/// Write `tree` to `dir` atomically: into a temporary sibling directory
/// first, then swapped in by renames, so that no partial or stale file
/// survives a failure.
pub fn write_tree(dir: &Path, tree: &FileTree) -> Result<(), WriteError> {
    check_target_dir(dir)?;
    // every file stays inside the new tree: a path that is absolute or
    // climbs out (`..`) is refused before anything is written
    if let Some(bad) = tree.keys().find(|rel| !inside(rel)) {
        return Err(WriteError::Io { path: bad.clone(), reason: "not a relative path inside the export directory".into() });
    }
    let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let base = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
    std::fs::create_dir_all(&parent).map_err(|e| io(&parent, e))?;
    let tmp = parent.join(format!(".{base}.escalade-tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let result = (|| {
        std::fs::create_dir_all(&tmp).map_err(|e| io(&tmp, e))?;
        for (rel, bytes) in tree {
            let p = tmp.join(rel);
            if let Some(d) = p.parent() {
                std::fs::create_dir_all(d).map_err(|e| io(d, e))?;
            }
            std::fs::write(&p, bytes).map_err(|e| io(&p, e))?;
        }
        std::fs::write(tmp.join(MARKER), b"written by escalade export; the whole directory is replaced on every export\n")
            .map_err(|e| io(&tmp, e))?;
        let old = parent.join(format!(".{base}.escalade-old-{}", std::process::id()));
        let had_old = dir.exists();
        if had_old {
            std::fs::rename(dir, &old).map_err(|e| io(dir, e))?;
        }
        if let Err(e) = std::fs::rename(&tmp, dir) {
            if had_old {
                let _ = std::fs::rename(&old, dir);
            }
            return Err(io(dir, e));
        }
        if had_old {
            let _ = std::fs::remove_dir_all(&old);
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// Is `rel` a non-empty relative path made of plain names only?
fn inside(rel: &str) -> bool {
    let p = Path::new(rel);
    p.components().next().is_some() && p.components().all(|c| matches!(c, std::path::Component::Normal(_)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Every file below `dir` with its bytes, and every directory.
    fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Option<Vec<u8>>> {
        fn go(base: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Option<Vec<u8>>>) {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).expect("readable").map(|e| e.expect("entry").path()).collect();
            entries.sort();
            for p in entries {
                let rel = p.strip_prefix(base).expect("below base").to_path_buf();
                if p.is_dir() {
                    out.insert(rel, None);
                    go(base, &p, out);
                } else {
                    out.insert(rel, Some(std::fs::read(&p).expect("readable")));
                }
            }
        }
        let mut out = BTreeMap::new();
        go(dir, dir, &mut out);
        out
    }

    fn siblings(parent: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(parent).expect("readable").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
        v.sort();
        v
    }

    fn tree(files: &[(&str, &str)]) -> FileTree {
        files.iter().map(|(k, v)| (k.to_string(), v.as_bytes().to_vec())).collect()
    }

    fn previous_export(t: &Path) -> (PathBuf, BTreeMap<PathBuf, Option<Vec<u8>>>) {
        let dir = t.join("out");
        write_tree(&dir, &tree(&[("model.json", "{\"version\": 1}\n"), ("nested/escalation.dot", "digraph escalation {}\n")])).expect("first export");
        let before = snapshot(&dir);
        assert!(before.contains_key(Path::new(MARKER)));
        (dir, before)
    }

    #[test]
    fn a_write_failing_midway_keeps_the_previous_export_and_no_temporary_directory() {
        let t = tempfile::tempdir().expect("tempdir");
        let (dir, before) = previous_export(t.path());
        // `a` is written as a file first (the tree is sorted); `a/b` then
        // needs `a` to be a directory, so the write fails halfway through
        let broken = tree(&[("a", "a file"), ("a/b", "needs a directory"), ("z", "never reached")]);
        let e = write_tree(&dir, &broken).expect_err("a file where a directory is needed");
        assert!(matches!(&e, WriteError::Io { .. }), "{e}");
        assert!(e.to_string().contains("cannot write"), "{e}");
        assert_eq!(snapshot(&dir), before, "the previous export changed");
        assert_eq!(siblings(t.path()), ["out"], "a temporary directory was left behind");
        // and a good tree still replaces it afterwards
        write_tree(&dir, &tree(&[("model.json", "{}\n")])).expect("export again");
        assert_eq!(std::fs::read(dir.join("model.json")).expect("written"), b"{}\n");
        assert!(!dir.join("nested").exists(), "a stale file survived");
        assert_eq!(siblings(t.path()), ["out"]);
    }

    #[test]
    fn a_first_export_failing_midway_leaves_nothing() {
        let t = tempfile::tempdir().expect("tempdir");
        let dir = t.path().join("out");
        let e = write_tree(&dir, &tree(&[("a", "x"), ("a/b", "y")])).expect_err("fails");
        assert!(matches!(e, WriteError::Io { .. }));
        assert!(siblings(t.path()).is_empty(), "{:?}", siblings(t.path()));
    }

    #[test]
    fn paths_leaving_the_export_directory_are_refused_before_writing() {
        let t = tempfile::tempdir().expect("tempdir");
        let (dir, before) = previous_export(t.path());
        for bad in ["../escaped.txt", "a/../../escaped.txt", "/tmp/escalade-escaped.txt", ""] {
            let e = write_tree(&dir, &tree(&[("model.json", "{}"), (bad, "x")])).expect_err(bad);
            assert!(e.to_string().contains("not a relative path"), "{bad}: {e}");
            assert_eq!(snapshot(&dir), before, "{bad}");
            assert_eq!(siblings(t.path()), ["out"], "{bad}");
        }
        assert!(!Path::new("/tmp/escalade-escaped.txt").exists());
    }

    #[test]
    fn a_directory_that_is_not_an_export_is_refused() {
        let t = tempfile::tempdir().expect("tempdir");
        std::fs::write(t.path().join("notes.txt"), "mine").expect("write");
        let e = write_tree(t.path(), &tree(&[("model.json", "{}")])).expect_err("refused");
        assert!(matches!(e, WriteError::NotAnExport(_)));
        assert_eq!(siblings(t.path()), ["notes.txt"]);
    }
}
