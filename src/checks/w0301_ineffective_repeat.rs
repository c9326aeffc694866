//! W0301 ineffective-repeat — not yet implemented.

use super::Ctx;
use crate::diag::Finding;

pub fn check(_ctx: &Ctx) -> Vec<Finding> {
    Vec::new()
}
