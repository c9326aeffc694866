//! `--format github`: GitHub Actions workflow commands, one per line.
//!
//! ```text
//! ::error file=policies/pay.esc,line=12,endLine=12,col=3,endColumn=20,title=E0101::E0101 team `pay` is defined twice — help: rename one
//! ```
//!
//! Errors are `::error`, warnings `::warning`. `col`/`endColumn` are given
//! only for a span on one line (GitHub ignores them otherwise). Property
//! values escape `%`, CR, LF, `:` and `,`; the message escapes `%`, CR and
//! LF, so every command stays on one line. Suppressed findings are left
//! out; no findings, no output.

use std::fmt::Write;

use super::Position;
use crate::diag::{Finding, Level};
use crate::source::SourceMap;

/// The workflow commands for the unsuppressed findings.
pub fn github(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for f in findings.iter().filter(|f| !f.suppressed) {
        let p = Position::of(f.span, sources);
        let command = match f.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let mut props = format!("file={},line={},endLine={}", property(p.file), p.line, p.end_line);
        if p.single_line() {
            let _ = write!(props, ",col={},endColumn={}", p.column, p.end_column);
        }
        let _ = write!(props, ",title={}", property(f.code));
        let mut message = format!("{} {}", f.code, f.message);
        if let Some(help) = &f.help {
            let _ = write!(message, " — help: {help}");
        }
        let _ = writeln!(out, "::{command} {props}::{}", data(&message));
    }
    out
}

/// Escape a command's message (GitHub's `escapeData`).
fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escape a property value (GitHub's `escapeProperty`): the message
/// escapes plus `:` and `,`, which separate properties.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::source::{SourceFile, Span};

    #[test]
    fn escaping() {
        let cases = [
            ("plain", "plain", "plain"),
            ("100%", "100%25", "100%25"),
            ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"),
            ("x: y, z", "x%3A y%2C z", "x: y, z"),
            ("%0A", "%250A", "%250A"),
            ("é — ok", "é — ok", "é — ok"),
        ];
        for (input, prop, msg) in cases {
            assert_eq!(property(input), prop, "property {input:?}");
            assert_eq!(data(input), msg, "data {input:?}");
        }
    }

    #[test]
    fn commands() {
        let m = sources();
        let out = github(&findings(&m), &m);
        assert_eq!(
            out,
            "::error file=policies/pay.esc,line=2,endLine=2,col=6,endColumn=10,title=E0101::E0101 team `payé` is defined twice — help: rename one of the teams, or merge them\n\
             ::warning file=policies/core.esc,line=1,endLine=1,col=8,endColumn=11,title=W0901::W0901 person `ann` is never used — help: remove it, or refer to it from a team, schedule or policy\n"
        );
    }

    #[test]
    fn multi_line_spans_have_no_columns_and_paths_are_escaped() {
        let mut m = crate::source::SourceMap::default();
        m.add(SourceFile::new("odd,dir/a:b%.esc", "policy p {\n}\n"));
        let f = finding("E0200", Level::Error, Span::new(0, 0, 12), "policy `p` has no tiers\nat all: 100%");
        let out = github(&[f], &m);
        assert_eq!(
            out,
            "::error file=odd%2Cdir/a%3Ab%25.esc,line=1,endLine=2,title=E0200::E0200 policy `p` has no tiers%0Aat all: 100%25\n"
        );
        assert_eq!(out.lines().count(), 1);
    }

    #[test]
    fn no_findings_no_output() {
        let m = sources();
        assert_eq!(github(&[], &m), "");
        let only_suppressed: Vec<_> = findings(&m).into_iter().filter(|f| f.suppressed).collect();
        assert_eq!(only_suppressed.len(), 1);
        assert_eq!(github(&only_suppressed, &m), "");
    }
}
