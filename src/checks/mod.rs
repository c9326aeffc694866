//! Checks: one module per code, pure functions over the model and graph.
//! `run` applies every check in registry order; suppression (`allow`) and
//! level changes (`deny`) are applied by `crate::suppress`.

pub mod registry;
pub mod routes;
pub mod e0200_empty_policy;
pub mod e0201_unreachable_target;
pub mod e0300_unreachable_tier;
pub mod w0301_ineffective_repeat;
pub mod e0400_unowned_service;
pub mod e0401_unrouted_service;
pub mod w0500_shadowed_route;
pub mod w0501_handoff_cycle;
pub mod w0502_dependency_cycle;
pub mod w0600_unenforceable_ack_sla;
pub mod w0700_single_point_of_failure;
pub mod w0701_missing_contact;
pub mod w0800_missing_checkpoint;
pub mod w0901_unused_definition;
pub mod e0202_dead_end_in_time;
pub mod w0203_schedule_gap;

use crate::diag::Finding;
use crate::model::graph::Graph;
use crate::model::Model;

/// What every check reads.
pub struct Ctx<'a> {
    pub model: &'a Model,
    pub graph: &'a Graph,
}

/// A check: a pure function from the context to findings.
pub type CheckFn = fn(&Ctx) -> Vec<Finding>;

/// Every non-time check, in code order.
pub const CHECKS: &[CheckFn] = &[
        e0200_empty_policy::check,
        e0201_unreachable_target::check,
        e0300_unreachable_tier::check,
        w0301_ineffective_repeat::check,
        e0400_unowned_service::check,
        e0401_unrouted_service::check,
        w0500_shadowed_route::check,
        w0501_handoff_cycle::check,
        w0502_dependency_cycle::check,
        w0600_unenforceable_ack_sla::check,
        w0700_single_point_of_failure::check,
        w0701_missing_contact::check,
        w0800_missing_checkpoint::check,
        w0901_unused_definition::check,
];

/// Run every check on a model without model errors.
pub fn run(model: &Model) -> Vec<Finding> {
    let graph = Graph::build(model);
    let ctx = Ctx { model, graph: &graph };
    let mut out = Vec::new();
    for c in CHECKS {
        out.extend(c(&ctx));
    }
    out
}

/// What the time-based checks read: the model and the instant they look
/// from (`--from`); they look over the org `horizon`.
pub struct TimeCtx<'a> {
    pub model: &'a Model,
    /// Unix seconds
    pub from: i64,
    /// every schedule's segments over `[from, from + horizon)`
    pub segments: crate::time::reach::SegmentCache,
}

/// The time-based checks (E0202, W0203, and W0701 for schedule members).
pub fn run_time(model: &Model, from: i64) -> Vec<Finding> {
    let segments = crate::time::reach::SegmentCache::new(model, from, from + model.org.horizon);
    let ctx = TimeCtx { model, from, segments };
    let mut out = e0202_dead_end_in_time::check(&ctx);
    out.extend(w0203_schedule_gap::check(&ctx));
    out.extend(w0701_missing_contact::check_schedules(&ctx));
    out
}

/// Helpers for the checks' unit tests.
#[cfg(test)]
pub(crate) mod testing {
    use super::{CheckFn, Ctx};
    use crate::diag::Finding;
    use crate::model::graph::Graph;
    use crate::workspace::{load_texts, Workspace};

    /// Load one file, which must have no model findings.
    pub fn load(src: &str) -> Workspace {
        let ws = load_texts(std::path::PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.is_empty(), "model findings: {:#?}", ws.findings);
        ws
    }

    /// Load one file and run a check.
    pub fn findings(check: CheckFn, src: &str) -> (Workspace, Vec<Finding>) {
        let ws = load(src);
        let graph = Graph::build(&ws.model);
        let fs = check(&Ctx { model: &ws.model, graph: &graph });
        (ws, fs)
    }

    /// (code, line) of every finding of a check on one file.
    pub fn lines(check: CheckFn, src: &str) -> Vec<(&'static str, usize)> {
        let (ws, fs) = findings(check, src);
        fs.iter().map(|f| (f.code, ws.sources.get(f.span.file).line_col(f.span.start as usize).line)).collect()
    }
}
