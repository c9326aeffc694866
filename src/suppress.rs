//! Suppressing findings (SPEC §4): `# escalade: allow CODE` comments and
//! `escalade.toml` (`[checks] allow = […]`, `deny = […]`), and W0902 for an
//! allow comment that suppresses nothing.

use crate::checks::registry;
use crate::diag::{Finding, Level};
use crate::model::Model;
use crate::source::{SourceMap, Span};
use crate::syntax::ast::AllowComment;
use serde::Deserialize;

/// `escalade.toml` at the workspace root.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub checks: ChecksConfig,
}

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChecksConfig {
    #[serde(default)]
    pub allow: Vec<String>,
    #[serde(default)]
    pub deny: Vec<String>,
}

impl Config {
    /// Parse `escalade.toml`; unknown codes are an error.
    pub fn parse(text: &str) -> Result<Config, String> {
        let c: Config = toml::from_str(text).map_err(|e| e.to_string())?;
        for code in c.checks.allow.iter().chain(&c.checks.deny) {
            if registry::lookup(code).is_none() {
                return Err(format!("unknown check code `{code}`"));
            }
        }
        for code in &c.checks.allow {
            if registry::is_model_error(code) {
                return Err(format!("`{code}` is a model error and cannot be allowed"));
            }
        }
        Ok(c)
    }
}

/// Declarations by name line: (file, name line, whole span).
fn declaration_spans(m: &Model) -> Vec<(Span, Span)> {
    let mut v: Vec<(Span, Span)> = Vec::new();
    v.extend(m.persons.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.teams.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.calendars.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.hours.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.schedules.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.policies.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.services.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.routes.iter().map(|x| (x.name.span, x.span)));
    v.extend(m.drills.iter().map(|x| (x.name.span, x.span)));
    if let (Some(n), Some(s)) = (&m.org.name, m.org.span) {
        v.push((n.span, s));
    }
    v
}

/// Apply allow comments (per file id), the config's allow and deny, and
/// add W0902 for allow comments that suppressed nothing.
pub fn apply(findings: &mut Vec<Finding>, allows: &[Vec<AllowComment>], model: &Model, sources: &SourceMap, config: &Config) {
    let decls = declaration_spans(model);
    // for each allow comment: the spans it covers
    struct Cover {
        file: u32,
        codes: Vec<String>,
        lines: (usize, usize),
        whole: Option<Span>,
        comment: Span,
        /// per code: did it suppress something?
        used: Vec<bool>,
    }
    let mut covers: Vec<Cover> = Vec::new();
    for (file, list) in allows.iter().enumerate() {
        let file = file as u32;
        for a in list {
            let whole = decls
                .iter()
                .find(|(name, _)| name.file == file && sources.get(file).line_col(name.start as usize).line == a.line)
                .map(|(_, w)| *w);
            covers.push(Cover { file, codes: a.codes.clone(), lines: (a.line, a.line + 1), whole, comment: a.span, used: vec![false; a.codes.len()] });
        }
    }
    for f in findings.iter_mut() {
        if registry::is_model_error(f.code) {
            continue;
        }
        if config.checks.allow.iter().any(|c| c.eq_ignore_ascii_case(f.code)) {
            f.suppressed = true;
        }
        let line = sources.get(f.span.file).line_col(f.span.start as usize).line;
        for c in covers.iter_mut() {
            let Some(k) = c.codes.iter().position(|x| x == f.code) else { continue };
            if c.file != f.span.file {
                continue;
            }
            let on_line = line == c.lines.0 || line == c.lines.1;
            let in_decl = c.whole.is_some_and(|w| f.span.start >= w.start && f.span.start < w.end);
            if on_line || in_decl {
                f.suppressed = true;
                c.used[k] = true;
            }
        }
        if config.checks.deny.iter().any(|c| c.eq_ignore_ascii_case(f.code)) {
            f.level = Level::Error;
        }
    }
    for c in &covers {
        let unused: Vec<&str> = c.codes.iter().zip(&c.used).filter(|(_, u)| !**u).map(|(x, _)| x.as_str()).collect();
        if unused.is_empty() {
            continue;
        }
        let msg = if unused.len() == c.codes.len() {
            format!("`allow {}` suppresses nothing", c.codes.join(", "))
        } else {
            format!("`{}` in this allow suppresses nothing", unused.join("`, `"))
        };
        let mut f = Finding::new("W0902", c.comment, msg)
            .with_help("remove the unused codes, or move the comment to the line of the finding or the line above it");
        if unused.iter().any(|x| registry::is_model_error(x)) {
            f = f.with_help("model errors (E0001, E0100, E0101, E0102) cannot be allowed; fix them instead");
        }
        if config.checks.deny.iter().any(|x| x == "W0902") {
            f.level = Level::Error;
        }
        if config.checks.allow.iter().any(|x| x == "W0902") {
            f.suppressed = true;
        }
        findings.push(f);
    }
}
