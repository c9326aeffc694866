//! escalade: a policy-as-code compiler and simulator for incident escalation.
//!
//! See ARCHITECTURE.md for the pipeline and its invariants.

pub mod checks;
pub mod diag;
pub mod confusable;
pub mod source;
pub mod syntax;
pub mod model;
pub mod workspace;
pub mod check;
pub mod suppress;
pub mod render;
pub mod cli;
pub mod time;
pub mod oncall;
pub mod export;
pub mod sim;
pub mod fxhash;
