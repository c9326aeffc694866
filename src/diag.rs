//! Findings: what every layer (syntax, model, checks) reports.
//!
//! A finding carries a stable code, a level, a one-line message, an
//! optional help line, its primary span and related spans. Rendering
//! (miette, JSON, SARIF, GitHub) lives in `crate::render`.

use crate::source::Span;
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
        }
    }
}

/// A span with a message, shown next to a finding's primary span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub code: &'static str,
    pub level: Level,
    pub message: String,
    pub help: Option<String>,
    pub span: Span,
    /// Label shown at the primary span (miette); empty for none.
    pub label: String,
    pub related: Vec<Related>,
    /// Set by `# escalade: allow` comments or `escalade.toml`.
    pub suppressed: bool,
}

impl Finding {
    /// A finding at the default level of its code.
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Finding {
        let level = crate::checks::registry::default_level(code);
        Finding {
            code,
            level,
            message: message.into(),
            help: None,
            span,
            label: String::new(),
            related: Vec::new(),
            suppressed: false,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, label: impl Into<String>) -> Finding {
        self.label = label.into();
        self
    }
    pub fn with_related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related { span, message: message.into() });
        self
    }
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }
}

/// Collects findings.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    pub findings: Vec<Finding>,
}

impl Diagnostics {
    pub fn push(&mut self, f: Finding) {
        self.findings.push(f);
    }
    pub fn extend(&mut self, other: impl IntoIterator<Item = Finding>) {
        self.findings.extend(other);
    }
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(|f| f.is_error() && !f.suppressed)
    }
}

/// "did you mean `x`?" for a name among candidates (edit distance). A
/// candidate that differs only in look-alike characters (a Cyrillic `а`
/// for a Latin `a`) is the best, however many there are.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut best: Option<(usize, &str)> = None;
    let look = crate::confusable::first_lookalike(name).map(|_| crate::confusable::skeleton(name));
    for c in candidates {
        if look.as_deref() == Some(c) {
            return Some(c.to_string());
        }
        let d = strsim::damerau_levenshtein(name, c);
        let limit = (name.chars().count().max(3) / 3).max(1) + usize::from(name.len() > 6);
        if d <= limit && best.is_none_or(|(bd, bc)| d < bd || (d == bd && c < bc)) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn suggestions_prefer_closest() {
        let c = ["payments", "payment-api", "sre"];
        assert_eq!(did_you_mean("paymnets", c).as_deref(), Some("payments"));
        assert_eq!(did_you_mean("xyz", c), None);
        assert_eq!(did_you_mean("sre", ["sre"]).as_deref(), Some("sre"));
        // five Cyrillic letters are five edits, but look like none
        let zones = ["Europe/Berlin", "Europe/Brussels"];
        assert_eq!(did_you_mean("\u{0415}ur\u{043E}p\u{0435}/B\u{0435}rlin", zones).as_deref(), Some("Europe/Berlin"));
    }
}
