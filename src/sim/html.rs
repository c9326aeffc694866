//! `--format html`: one self-contained page with SVG charts (SPEC §5).

use crate::sim::report::{Meta, Shown};

/// The HTML report.
pub fn html(s: &Shown, meta: &Meta) -> String {
    let _ = (s, meta);
    String::new()
}
