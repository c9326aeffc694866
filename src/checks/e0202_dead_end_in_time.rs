//! E0202 dead-end-in-time.
//!
//! # What it finds
//! A window within the horizon (from `--from`, org `horizon`) during which
//! no reachable tier of a policy — following handoffs — reaches anyone:
//! typically every schedule it notifies has a gap at the same time.
//!
//! # Why it matters
//! An alert in that window pages nobody at all: the outage finds the hole.
//!
//! # Example
//! ```esc
//! schedule office { tz "Europe/Berlin" layer d { members ann only mon-fri 09:00-17:00 } }
//! policy p { tier t { notify schedule office } }
//! ```
//!
//! # Fix
//! Cover the rest of the week with another layer or add a tier with an
//! always-reachable target (a team, a second schedule).
//!
//! Policies with no tiers (E0200) or that can never reach anyone (E0201)
//! are left to those checks.

use super::TimeCtx;
use crate::diag::Finding;
use crate::time::reach::{format_instant, format_span, minute_windows, policy_reach};

pub fn check(ctx: &TimeCtx) -> Vec<Finding> {
    let m = ctx.model;
    let (a, b) = (ctx.from, ctx.from + m.org.horizon);
    let mut out = Vec::new();
    for (pi, p) in m.policies.iter().enumerate() {
        if p.tiers.is_empty() {
            continue;
        }
        let reach = policy_reach(m, pi, &ctx.segments);
        if reach.is_empty() {
            continue; // never reaches anyone: E0201
        }
        let dead = minute_windows(&reach.complement_within(a, b));
        let Some(&(x, y)) = dead.0.first() else { continue };
        out.push(
            Finding::new(
                "E0202",
                p.name.span,
                format!(
                    "policy `{}` reaches nobody from {} to {} ({} in total within the horizon)",
                    p.name.name,
                    format_instant(m, x),
                    format_instant(m, y),
                    format_span(dead.total())
                ),
            )
            .with_label("no tier reaches anyone in that window")
            .with_help("cover the gap in its schedules, or add a tier with a target that is always reachable"),
        );
    }
    out
}
