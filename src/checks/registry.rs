//! The single table of every finding code. Codes are never reused: a
//! removed check stays here marked as removed.

use crate::diag::Level;

#[derive(Debug, Clone, Copy)]
pub struct CodeInfo {
    pub code: &'static str,
    /// kebab-case name
    pub name: &'static str,
    pub level: Level,
    /// one-line description (SARIF `shortDescription`)
    pub summary: &'static str,
    /// the `--explain` page (Markdown)
    pub docs: &'static str,
    /// a model error: blocks every command and cannot be allowed
    pub model_error: bool,
}

macro_rules! code {
    ($code:literal, $name:literal, $level:ident, $model:literal, $summary:literal) => {
        CodeInfo {
            code: $code,
            name: $name,
            level: Level::$level,
            summary: $summary,
            docs: include_str!(concat!("../../docs/checks/", $code, ".md")),
            model_error: $model,
        }
    };
}

pub const CODES: &[CodeInfo] = &[
    code!("E0001", "syntax-error", Error, true, "Syntax error, invalid UTF-8, or an exceeded parser limit"),
    code!("E0100", "undefined-name", Error, true, "Reference to an undefined name"),
    code!("E0101", "duplicate-definition", Error, true, "The same name defined twice, or a singleton statement given twice"),
    code!("E0102", "invalid-value", Error, true, "Invalid value: time zone, duration, date, regex, severity, limit"),
    code!("W0103", "unknown-name-in-condition", Warning, false, "A service or team string in a condition names no service or team"),
    code!("E0200", "empty-policy", Error, false, "Dead end: a policy with no tiers"),
    code!("E0201", "unreachable-target", Error, false, "Dead end: a tier or policy that can never reach anyone"),
    code!("E0202", "dead-end-in-time", Error, false, "Dead end in time: a window in which no tier of a policy reaches anyone"),
    code!("W0203", "schedule-gap", Warning, false, "A schedule yields nobody for some window within the horizon"),
    code!("E0300", "unreachable-tier", Error, false, "A tier that can never be entered"),
    code!("W0301", "ineffective-repeat", Warning, false, "`repeat` on a policy whose last tier cannot time out"),
    code!("E0400", "unowned-service", Error, false, "A service without an owner team with members"),
    code!("E0401", "unrouted-service", Error, false, "Some alert of a service reaches no policy"),
    code!("W0500", "shadowed-route", Warning, false, "An earlier route matches every alert this route matches"),
    code!("W0501", "handoff-cycle", Warning, false, "Policies hand off to each other in a loop"),
    code!("W0502", "dependency-cycle", Warning, false, "A `depends-on` cycle among services"),
    code!("W0600", "unenforceable-ack-sla", Warning, false, "Ack SLA shorter than the first tier's escalation timeout"),
    code!("W0700", "single-point-of-failure", Warning, false, "Every tier of a policy reaches only the same one person"),
    code!("W0701", "missing-contact", Warning, false, "A `via` channel the notified person has no address for"),
    code!("W0800", "missing-checkpoint", Warning, false, "A high-risk service can reach a policy without a checkpoint"),
    code!("W0900", "engine-limit", Warning, false, "A target engine's limit exceeded, or a construct it cannot express"),
    code!("W0901", "unused-definition", Warning, false, "A definition nothing refers to"),
    code!("W0902", "unused-allow", Warning, false, "An `allow` that suppresses nothing"),
];

pub fn lookup(code: &str) -> Option<&'static CodeInfo> {
    let code = code.trim();
    CODES.iter().find(|c| c.code.eq_ignore_ascii_case(code) || c.name == code)
}

pub fn default_level(code: &str) -> Level {
    lookup(code).map(|c| c.level).unwrap_or(Level::Error)
}

pub fn is_model_error(code: &str) -> bool {
    lookup(code).is_some_and(|c| c.model_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_round_trip() {
        for (i, c) in CODES.iter().enumerate() {
            assert!(CODES[i + 1..].iter().all(|d| d.code != c.code && d.name != c.name), "{}", c.code);
            assert_eq!(lookup(c.code).map(|x| x.name), Some(c.name));
            assert_eq!(lookup(c.name).map(|x| x.code), Some(c.code));
            let level = if c.code.starts_with('E') { Level::Error } else { Level::Warning };
            assert_eq!(c.level, level, "{}", c.code);
        }
    }

    #[test]
    fn every_code_has_a_docs_page_with_the_fixed_headings() {
        for c in CODES {
            let first = c.docs.lines().next().unwrap_or_default();
            assert_eq!(first, format!("# {} {} ({})", c.code, c.name, c.level.as_str()));
            for h in ["## What it finds", "## Why it matters", "## Example", "## Fix"] {
                assert!(c.docs.contains(h), "{} lacks {h}", c.code);
            }
        }
    }
}
