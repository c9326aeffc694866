//! W0700 single-point-of-failure — not yet implemented.

use super::Ctx;
use crate::diag::Finding;

pub fn check(_ctx: &Ctx) -> Vec<Finding> {
    Vec::new()
}
