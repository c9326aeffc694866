//! Checks: one module per code, pure functions over the model.

pub mod registry;
