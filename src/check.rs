//! `escalade check` as a library function: every finding of a workspace,
//! with suppression applied and sorted.

use crate::checks;
use crate::checks::registry;
use crate::diag::{Finding, Level};
use crate::suppress::{self, Config};
use crate::workspace::Workspace;

#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub config: Config,
    /// `--deny warnings`
    pub deny_warnings: bool,
    /// Where time-based checks (E0202, W0203) start, Unix seconds; `None`
    /// runs only the non-time checks.
    pub from: Option<i64>,
    /// `--target E`: also report what export target E cannot express
    /// (W0900). Must be one of [`crate::export::TARGETS`].
    pub target: Option<String>,
}

/// Does the workspace have a model error (E0001, E0100, E0101, E0102)?
pub fn has_model_errors(ws: &Workspace) -> bool {
    ws.findings.iter().any(|f| registry::is_model_error(f.code))
}

/// All findings: syntax and model findings, then (when the model is
/// sound) every check; suppression applied; sorted for output.
pub fn check(ws: &Workspace, opts: &CheckOptions) -> Vec<Finding> {
    let mut findings = ws.findings.clone();
    if !has_model_errors(ws) {
        findings.extend(checks::run(&ws.model));
        if let Some(from) = opts.from {
            findings.extend(checks::run_time(&ws.model, from));
        }
        if let Some(target) = &opts.target {
            let eo = crate::export::ExportOptions { from: opts.from.unwrap_or(0), receiver_url_template: None };
            if let Some(e) = crate::export::export(&ws.model, target, &eo) {
                findings.extend(e.findings);
            }
        }
    }
    suppress::apply(&mut findings, &ws.allows, &ws.model, &ws.sources, &opts.config);
    crate::render::sort_findings(&mut findings, &ws.sources);
    findings.dedup();
    findings
}

/// Exit status for `check`: 1 on unsuppressed errors, or on warnings with
/// `--deny warnings`; else 0.
pub fn exit_status(findings: &[Finding], deny_warnings: bool) -> i32 {
    let bad = findings.iter().filter(|f| !f.suppressed).any(|f| f.level == Level::Error || (deny_warnings && f.level == Level::Warning));
    i32::from(bad)
}
