//! Simulation (SPEC §3.9, §5): timeline readers, the discrete-event
//! engine, drills and metrics.

pub mod event;
pub mod import;
pub mod timeline;
pub mod route_eval;
pub mod engine;
pub mod drill;
pub mod metrics;
pub mod report;
pub mod html;
pub mod trace;
pub mod simulate;
