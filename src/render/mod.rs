//! Rendering findings: one renderer per output format (SPEC §4 "Output
//! formats").
//!
//! - [`human`]: miette's graphical report, theme and width pinned by the
//!   caller so the output does not depend on the terminal;
//! - [`json`]: the versioned, documented `--format json` object;
//! - [`sarif`]: SARIF 2.1.0 for code-scanning upload;
//! - [`github`]: GitHub Actions workflow commands.
//!
//! Renderers are pure: they take findings and the source map and return
//! the text to print. They do no IO, read no environment and never panic
//! on a span that does not fit its file (positions are clamped). Every
//! renderer writes findings in the order it is given; callers sort with
//! [`sort_findings`] first (`check` does).

mod github;
mod human;
mod json;
mod sarif;

pub use github::github;
pub use human::{human, HumanOptions};
pub use json::json;
pub use sarif::sarif;

use crate::diag::{Finding, Level};
use crate::source::{SourceFile, SourceMap, Span};

/// Sort findings by file path (bytewise), line, column, code, message —
/// SPEC §4. Ties are broken by the rest of the finding (end position,
/// level, help, label, related spans, suppression) so that the order is
/// total and identical findings end up adjacent (for `dedup`).
pub fn sort_findings(findings: &mut [Finding], sources: &SourceMap) {
    findings.sort_by_cached_key(|f| {
        let at = Position::of(f.span, sources);
        let related: Vec<(String, usize, usize, usize, usize, String)> = f
            .related
            .iter()
            .map(|r| {
                let p = Position::of(r.span, sources);
                (p.file.to_string(), p.line, p.column, p.end_line, p.end_column, r.message.clone())
            })
            .collect();
        (
            at.file.to_string(),
            at.line,
            at.column,
            f.code,
            f.message.clone(),
            (at.end_line, at.end_column),
            f.level,
            f.help.clone(),
            f.label.clone(),
            related,
            f.suppressed,
        )
    });
}

/// Where a span is, for people and tools: the file's display path and
/// 1-based line/column of the first character and of the position one
/// past the last character (columns in Unicode scalar values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Position<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl<'a> Position<'a> {
    /// The position of `span`. A span whose file is not in the map (an
    /// internal bug, never user data) is reported at 1:1 of `<unknown>`
    /// rather than panicking.
    pub fn of(span: Span, sources: &'a SourceMap) -> Position<'a> {
        let Some(file) = source_file(span, sources) else {
            return Position { file: "<unknown>", line: 1, column: 1, end_line: 1, end_column: 1 };
        };
        let (start, end) = clamp(span, file);
        let s = file.line_col(start);
        // "One past the last character" is taken on the line of the last
        // character, so a span that ends with a line break still ends on
        // its own line.
        let (end_line, end_column) = if end > start {
            let last = file.text[..end].char_indices().next_back().map_or(start, |(i, _)| i);
            let lc = file.line_col(last);
            (lc.line, lc.column + 1)
        } else {
            (s.line, s.column)
        };
        Position { file: &file.path, line: s.line, column: s.column, end_line, end_column }
    }

    /// Does the span start and end on the same line?
    pub fn single_line(&self) -> bool {
        self.line == self.end_line
    }
}

pub(crate) fn source_file(span: Span, sources: &SourceMap) -> Option<&SourceFile> {
    sources.files.get(span.file as usize)
}

/// The span's byte range clamped to the file and snapped back to
/// character boundaries.
pub(crate) fn clamp(span: Span, file: &SourceFile) -> (usize, usize) {
    let text = &file.text;
    let snap = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = snap(span.start as usize);
    let end = snap(span.end as usize).max(start);
    (start, end)
}

/// Unsuppressed (errors, warnings).
pub(crate) fn counts(findings: &[Finding]) -> (usize, usize) {
    let live = findings.iter().filter(|f| !f.suppressed);
    let errors = live.clone().filter(|f| f.level == Level::Error).count();
    let warnings = live.filter(|f| f.level == Level::Warning).count();
    (errors, warnings)
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::diag::{Finding, Level};
    use crate::source::{SourceFile, SourceMap, Span};

    /// Two files; `pay.esc` has a non-ASCII name on line 2.
    pub fn sources() -> SourceMap {
        let mut m = SourceMap::default();
        m.add(SourceFile::new(
            "policies/pay.esc",
            "# payments\nteam payé { lead ann }\npolicy pay {\n  tier first {\n    notify team payé\n  }\n}\n",
        ));
        m.add(SourceFile::new("policies/core.esc", "person ann { email \"ann@example.com\" }\nteam payé { }\n"));
        m
    }

    /// A span over the first occurrence of `needle` in file `file`.
    pub fn span_of(m: &SourceMap, file: u32, needle: &str) -> Span {
        let text = &m.get(file).text;
        let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in file {file}"));
        Span::new(file, start, start + needle.len())
    }

    pub fn finding(code: &'static str, level: Level, span: Span, message: &str) -> Finding {
        Finding {
            code,
            level,
            message: message.to_string(),
            help: None,
            span,
            label: String::new(),
            related: Vec::new(),
            suppressed: false,
        }
    }

    /// E0101 with a related span in another file, W0901 with help,
    /// and a suppressed W0700.
    pub fn findings(m: &SourceMap) -> Vec<Finding> {
        vec![
            finding("E0101", Level::Error, span_of(m, 0, "payé"), "team `payé` is defined twice")
                .with_label("defined again here")
                .with_help("rename one of the teams, or merge them")
                .with_related(span_of(m, 1, "payé"), "first defined here"),
            finding("W0901", Level::Warning, span_of(m, 1, "ann"), "person `ann` is never used")
                .with_help("remove it, or refer to it from a team, schedule or policy"),
            Finding { suppressed: true, ..finding("W0700", Level::Warning, span_of(m, 0, "pay {"), "single point of failure") },
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;

    #[test]
    fn positions_are_one_based_scalar_columns_end_exclusive() {
        let m = sources();
        let p = Position::of(span_of(&m, 0, "{ lead"), &m);
        // "team payé " is 10 scalar values (11 bytes)
        assert_eq!((p.file, p.line, p.column, p.end_line, p.end_column), ("policies/pay.esc", 2, 11, 2, 17));
        let empty = Position::of(Span::new(0, 0, 0), &m);
        assert_eq!((empty.line, empty.column, empty.end_line, empty.end_column), (1, 1, 1, 1));
        // a span ending with its line break stays on its line
        let nl = Position::of(Span::new(0, 0, 11), &m);
        assert_eq!((nl.line, nl.end_line, nl.end_column), (1, 1, 12));
        assert!(nl.single_line());
        // multi-line
        let multi = Position::of(span_of(&m, 0, "policy pay {\n  tier"), &m);
        assert_eq!((multi.line, multi.column, multi.end_line, multi.end_column), (3, 1, 4, 7));
        assert!(!multi.single_line());
    }

    #[test]
    fn out_of_range_spans_do_not_panic() {
        let m = sources();
        let p = Position::of(Span::new(0, 10_000, 20_000), &m);
        assert_eq!(p.line, m.get(0).line_count());
        let q = Position::of(Span::new(9, 0, 1), &m);
        assert_eq!(q.file, "<unknown>");
        // inside the two bytes of 'é'
        let text = &m.get(0).text;
        let e = text.find('é').unwrap_or(0);
        let r = Position::of(Span::new(0, e + 1, e + 1), &m);
        assert_eq!((r.line, r.column), (2, 9));
    }

    #[test]
    fn sort_order_is_file_line_column_code_message() {
        let mut m = SourceMap::default();
        m.add(SourceFile::new("b.esc", "x y\nz\n"));
        m.add(SourceFile::new("a.esc", "x y\nz\n"));
        m.add(SourceFile::new("B.esc", "x\n"));
        let f = |code, file, start, msg: &str| finding(code, Level::Warning, Span::new(file, start, start + 1), msg);
        let mut v = vec![
            f("W0901", 0, 4, "m"),
            f("W0901", 0, 2, "m"),
            f("E0100", 0, 2, "z"),
            f("E0100", 0, 2, "a"),
            f("W0500", 1, 0, "m"),
            f("W0500", 2, 0, "m"),
            f("E0100", 0, 0, "m"),
        ];
        sort_findings(&mut v, &m);
        let got: Vec<(String, usize, usize, &str, &str)> = v
            .iter()
            .map(|x| {
                let p = Position::of(x.span, &m);
                (p.file.to_string(), p.line, p.column, x.code, x.message.as_str())
            })
            .collect();
        let want = [
            ("B.esc", 1, 1, "W0500", "m"), // bytewise: 'B' < 'a' < 'b'
            ("a.esc", 1, 1, "W0500", "m"),
            ("b.esc", 1, 1, "E0100", "m"),
            ("b.esc", 1, 3, "E0100", "a"),
            ("b.esc", 1, 3, "E0100", "z"),
            ("b.esc", 1, 3, "W0901", "m"),
            ("b.esc", 2, 1, "W0901", "m"),
        ];
        let want: Vec<(String, usize, usize, &str, &str)> =
            want.iter().map(|&(a, b, c, d, e)| (a.to_string(), b, c, d, e)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn identical_findings_end_up_adjacent() {
        let m = sources();
        let s = span_of(&m, 0, "pay");
        let a = finding("W0901", Level::Warning, s, "m").with_help("h1");
        let b = finding("W0901", Level::Warning, s, "m").with_help("h2");
        let mut v = vec![a.clone(), b.clone(), a.clone()];
        sort_findings(&mut v, &m);
        v.dedup();
        assert_eq!(v, vec![a, b]);
    }

    #[test]
    fn counts_skip_suppressed() {
        let m = sources();
        assert_eq!(counts(&findings(&m)), (1, 1));
        assert_eq!(counts(&[]), (0, 0));
    }
}
