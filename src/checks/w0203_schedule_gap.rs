//! W0203 schedule-gap.
//!
//! # What it finds
//! A schedule that yields nobody for some window within the horizon (from
//! `--from`, org `horizon`): the first window and the total uncovered time.
//! Deliberate gaps (`override nobody`) are not reported; a schedule nothing
//! refers to gets W0901 only.
//!
//! # Why it matters
//! Whoever relies on the schedule in that window pages nobody; the tier is
//! skipped or, if it was the last, the incident is exhausted.
//!
//! # Example
//! ```esc
//! schedule office { layer d { members ann only mon-fri 09:00-17:00 } }
//! ```
//!
//! # Fix
//! Add a layer that covers the rest of the week (layers written later win
//! where they overlap), or write the gap as `override nobody from … to …`.

use super::TimeCtx;
use crate::diag::Finding;
use crate::syntax::ast::TargetKind;
use crate::time::reach::{format_instant, format_span, minute_windows};
use crate::time::{IntervalSet, Who};

pub fn check(ctx: &TimeCtx) -> Vec<Finding> {
    let m = ctx.model;
    let used: std::collections::HashSet<&str> = m
        .policies
        .iter()
        .flat_map(|p| p.tiers.iter().flat_map(|t| t.notify.iter()))
        .chain(m.routes.iter().flat_map(|r| r.also.iter()))
        .flat_map(|n| n.targets.iter())
        .filter(|t| t.kind == TargetKind::Schedule)
        .map(|t| t.name.name.as_str())
        .collect();
    let mut out = Vec::new();
    for (si, s) in m.schedules.iter().enumerate() {
        if !used.contains(s.name.name.as_str()) {
            continue;
        }
        let gaps = IntervalSet::from_unsorted(
            ctx.segments.by_schedule[si].iter().filter(|x| x.who == Who::Nobody).map(|x| (x.start, x.end)).collect(),
        );
        let gaps = minute_windows(&gaps);
        let Some(&(x, y)) = gaps.0.first() else { continue };
        out.push(
            Finding::new(
                "W0203",
                s.name.span,
                format!(
                    "schedule `{}` has nobody on call from {} to {} ({} uncovered within the horizon)",
                    s.name.name,
                    format_instant(m, x),
                    format_instant(m, y),
                    format_span(gaps.total())
                ),
            )
            .with_label("nobody on call in that window")
            .with_help("add a layer covering the rest of the week, or mark a deliberate gap with `override nobody from … to …`"),
        );
    }
    out
}
