//! `--format human`: miette's graphical report for each finding.
//!
//! ```text
//! checked 2 files from 2026-11-09 00:00:00 UTC
//!
//! E0101 (error)
//!
//!   × team `pay` is defined twice
//!    ╭─[policies/pay.esc:2:6]
//!  1 │ # payments
//!  2 │ team pay { lead ann }
//!    ·      ─┬─
//!    ·       ╰── defined again here
//!  3 │ policy pay {
//!    ╰────
//!   help: rename one of the teams, or merge them
//!
//! Advice:
//!   ☞ first defined here
//!    ╭─[policies/core.esc:2:6]
//! …
//!
//! 1 error, 0 warnings
//! ```
//!
//! The theme and width are chosen by the caller ([`HumanOptions`]), never
//! read from the terminal, so snapshots are stable. Related spans in the
//! finding's own file are extra labels in its snippet; those in another
//! file are a related diagnostic with that file's snippet. Suppressed
//! findings are left out (and counted in the summary line only as
//! "suppressed").

use std::fmt;
use std::fmt::Write;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity, SourceCode};

use super::{clamp, counts, source_file};
use crate::diag::{Finding, Level};
use crate::source::{SourceMap, Span};

/// How to draw: colour or not, and the width to wrap at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    pub color: bool,
    pub width: usize,
}

impl Default for HumanOptions {
    fn default() -> HumanOptions {
        HumanOptions { color: false, width: 100 }
    }
}

/// The human report: a header line, each unsuppressed finding, a summary.
pub fn human(findings: &[Finding], sources: &SourceMap, from: Option<DateTime<Utc>>, opts: &HumanOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width.max(20))
        .with_links(false)
        .without_syntax_highlighting();

    let files = sources.files.len();
    let mut out = format!("checked {files} {}", plural(files, "file", "files"));
    if let Some(from) = from {
        let _ = write!(out, " from {}", from.format("%Y-%m-%d %H:%M:%S UTC"));
    }
    out.push('\n');

    for f in findings.iter().filter(|f| !f.suppressed) {
        out.push('\n');
        let report = Report::of(f, sources);
        let mut text = String::new();
        if handler.render_report(&mut text, &report).is_err() {
            // Rendering into a String cannot fail; keep the finding visible
            // in plain form should miette ever refuse.
            text = format!("{}: {}\n", f.code, f.message);
        }
        // miette leaves trailing spaces on some lines ("Advice: "); they
        // only make snapshots fragile.
        for line in text.trim_end_matches('\n').lines() {
            out.push_str(line.trim_end_matches(' '));
            out.push('\n');
        }
    }

    let (errors, warnings) = counts(findings);
    let suppressed = findings.iter().filter(|f| f.suppressed).count();
    out.push('\n');
    if errors == 0 && warnings == 0 {
        out.push_str("no findings");
    } else {
        let _ = write!(
            out,
            "{errors} {}, {warnings} {}",
            plural(errors, "error", "errors"),
            plural(warnings, "warning", "warnings")
        );
    }
    if suppressed > 0 {
        let _ = write!(out, " ({suppressed} suppressed)");
    }
    out.push('\n');
    out
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

/// One finding (or one of its related spans in another file) as a miette
/// diagnostic.
#[derive(Debug)]
struct Report {
    code: Option<String>,
    severity: Severity,
    message: String,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn of(f: &Finding, sources: &SourceMap) -> Report {
        let severity = match f.level {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
        };
        let mut labels = Vec::new();
        let mut related = Vec::new();
        if !showable(f.span, sources) {
            // no snippet: say where, and keep the output readable
            return Report {
                code: Some(format!("{} ({})", f.code, f.level.as_str())),
                severity,
                message: format!("{}: {} (the line is too long to show)", location(f.span, sources), f.message),
                help: f.help.clone(),
                source: None,
                labels,
                related,
            };
        }
        let source = source_file(f.span, sources).map(|file| {
            let label = (!f.label.is_empty()).then(|| f.label.clone());
            labels.push(LabeledSpan::new_primary_with_span(label, miette_span(f.span, sources)));
            NamedSource::new(&file.path, file.text.clone())
        });
        for r in &f.related {
            let same_file = r.span.file == f.span.file && source.is_some();
            if !showable(r.span, sources) {
                related.push(Report {
                    code: None,
                    severity: Severity::Advice,
                    message: format!("{}: {}", location(r.span, sources), r.message),
                    help: None,
                    source: None,
                    labels: Vec::new(),
                    related: Vec::new(),
                });
            } else if same_file {
                let label = (!r.message.is_empty()).then(|| r.message.clone());
                labels.push(LabeledSpan::new_with_span(label, miette_span(r.span, sources)));
            } else if let Some(file) = source_file(r.span, sources) {
                related.push(Report {
                    code: None,
                    severity: Severity::Advice,
                    message: r.message.clone(),
                    help: None,
                    source: Some(NamedSource::new(&file.path, file.text.clone())),
                    labels: vec![LabeledSpan::new_primary_with_span(None, miette_span(r.span, sources))],
                    related: Vec::new(),
                });
            }
        }
        Report {
            code: Some(format!("{} ({})", f.code, f.level.as_str())),
            severity,
            message: f.message.clone(),
            help: f.help.clone(),
            source,
            labels,
            related,
        }
    }
}

/// A snippet line longer than this is not shown (a 1 MiB line would fill
/// the terminal); the finding then gives its position in its message.
const MAX_SHOWN_LINE_BYTES: usize = 4096;

/// Can the lines miette shows for `span` (the span's lines and one more on
/// each side) be shown?
fn showable(span: Span, sources: &SourceMap) -> bool {
    let Some(file) = source_file(span, sources) else { return true };
    let (start, end) = clamp(span, file);
    let first = file.line_col(start).line.saturating_sub(1).max(1);
    let last = (file.line_col(end).line + 1).min(file.line_count());
    (first..=last).all(|l| file.line_text(l).len() <= MAX_SHOWN_LINE_BYTES)
}

/// `path:line:column` of a span's start.
fn location(span: Span, sources: &SourceMap) -> String {
    match source_file(span, sources) {
        Some(file) => {
            let p = file.line_col(clamp(span, file).0);
            format!("{}:{}:{}", file.path, p.line, p.column)
        }
        None => String::new(),
    }
}

/// A span as miette's (offset, length), clamped to its file.
fn miette_span(span: Span, sources: &SourceMap) -> (usize, usize) {
    match source_file(span, sources) {
        Some(file) => {
            let (start, end) = clamp(span, file);
            (start, end - start)
        }
        None => (0, 0),
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use chrono::TimeZone;

    fn from() -> Option<DateTime<Utc>> {
        Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).single()
    }

    #[test]
    fn header_snippets_and_summary() {
        let m = sources();
        let out = human(&findings(&m), &m, from(), &HumanOptions::default());
        assert!(out.starts_with("checked 2 files from 2026-11-09 00:00:00 UTC\n"), "{out}");
        assert!(out.ends_with("\n1 error, 1 warning (1 suppressed)\n"), "{out}");
        for want in [
            "E0101 (error)",
            "team `payé` is defined twice",
            "[policies/pay.esc:2:6]",
            "defined again here",
            "help: rename one of the teams, or merge them",
            // the related span lives in another file: its own snippet
            "first defined here",
            "[policies/core.esc:2:6]",
            "W0901 (warning)",
            "[policies/core.esc:1:8]",
        ] {
            assert!(out.contains(want), "missing {want:?} in\n{out}");
        }
        assert!(!out.contains("single point of failure"), "suppressed finding shown:\n{out}");
        assert!(!out.contains('\u{1b}'), "colour without asking:\n{out}");
        assert!(out.lines().all(|l| l.chars().count() <= 100), "{out}");
        assert!(out.lines().all(|l| !l.ends_with(' ')), "trailing spaces:\n{out}");
    }

    #[test]
    fn related_in_the_same_file_is_a_label() {
        let m = sources();
        let f = finding("E0101", Level::Error, span_of(&m, 0, "pay {"), "policy `pay` is defined twice")
            .with_related(span_of(&m, 0, "payments"), "first defined here");
        let out = human(&[f], &m, None, &HumanOptions::default());
        assert!(out.starts_with("checked 2 files\n"), "{out}");
        assert_eq!(out.matches("╭─[").count(), 1, "one snippet expected:\n{out}");
        assert!(out.contains("first defined here"), "{out}");
        assert!(out.ends_with("\n1 error, 0 warnings\n"), "{out}");
    }

    #[test]
    fn no_findings() {
        let m = sources();
        let out = human(&[], &m, from(), &HumanOptions::default());
        assert_eq!(out, "checked 2 files from 2026-11-09 00:00:00 UTC\n\nno findings\n");
        let one = crate::source::SourceMap { files: vec![m.get(0).clone()] };
        assert_eq!(human(&[], &one, None, &HumanOptions::default()), "checked 1 file\n\nno findings\n");
    }

    #[test]
    fn colour_only_when_asked() {
        let m = sources();
        let out = human(&findings(&m), &m, from(), &HumanOptions { color: true, width: 100 });
        assert!(out.contains('\u{1b}'), "{out}");
    }

    #[test]
    fn a_finding_on_a_very_long_line_gives_its_place_without_the_line() {
        let text = format!("person ann {{ name \"{}\" }}\nperson bob {{ }}\n", "x".repeat(10_000));
        let m = crate::source::SourceMap { files: vec![crate::source::SourceFile::new("long.esc", text.as_str())] };
        let at = text.find("bob").expect("bob");
        let f = finding("E0001", Level::Error, Span::new(0, at, at + 3), "something about bob");
        let out = human(&[f], &m, None, &HumanOptions::default());
        assert!(out.contains("long.esc:2:8: something about bob (the line is too long to show)"), "{out}");
        assert!(out.len() < 1000, "{out}");
    }

    #[test]
    fn empty_span_at_end_of_file_renders() {
        let m = sources();
        let len = m.get(0).text.len();
        let f = finding("E0001", Level::Error, Span::new(0, len, len + 5), "expected `}`");
        let out = human(&[f], &m, None, &HumanOptions::default());
        assert!(out.contains("expected `}`"), "{out}");
        assert!(!out.contains("Failed to read"), "{out}");
    }
}
