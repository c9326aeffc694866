//! `escalade export`: compile the workspace into files an engine or a tool
//! imports. Each target is a pure function model → file tree; writing the
//! tree (atomically) is the CLI's job through [`write_tree`].

pub mod common;
pub mod grafana_oncall;
pub mod alertmanager;
pub mod ics;
pub mod pagerduty;
pub mod opsgenie;
pub mod splunk_oncall;

use crate::diag::Finding;
use crate::model::Model;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Relative path (with `/`) → contents.
pub type FileTree = BTreeMap<String, Vec<u8>>;

/// The export targets of this version (SPEC §6), sorted.
pub const TARGETS: &[&str] = &["alertmanager", "grafana-oncall", "ics", "opsgenie", "pagerduty", "pagerduty-terraform", "splunk-oncall"];

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
        "grafana-oncall" => grafana_oncall::export(m),
        "alertmanager" => alertmanager::export(m, opts),
        "ics" => Exported { tree: ics::export(m, opts.from), findings: Vec::new() },
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
