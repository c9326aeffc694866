//! `--format sarif`: SARIF 2.1.0 for code-scanning upload (SPEC §4).
//!
//! One run. `tool.driver.rules` lists every code of the registry (in
//! registry order, so `ruleIndex` is stable) with its short description,
//! the "What it finds" section of its docs page as full description, and
//! the whole page as help. Results carry the finding's level, its message
//! (plus help), the primary span as a region (1-based, columns in Unicode
//! code points, end one past the last character), related spans as
//! `relatedLocations` and, for suppressed findings, an in-source
//! suppression.
//!
//! File paths are relative to `%SRCROOT%` (the directory escalade ran in).
//! Its absolute URI is deliberately left out of `originalUriBaseIds` so the
//! output is the same on every machine (SARIF §3.14.14 allows this).
//! Paths outside that directory (absolute display paths) become `file:`
//! URIs without a base.

use serde_json::{json, Map, Value};

use super::Position;
use crate::checks::registry::{self, CodeInfo};
use crate::diag::{Finding, Level};
use crate::source::{SourceMap, Span};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

/// The SARIF log, pretty-printed, with a trailing newline.
pub fn sarif(findings: &[Finding], sources: &SourceMap) -> String {
    let mut driver = Map::new();
    driver.insert("name".into(), json!("escalade"));
    driver.insert("version".into(), json!(env!("CARGO_PKG_VERSION")));
    if let Some(uri) = information_uri() {
        driver.insert("informationUri".into(), json!(uri));
    }
    driver.insert("rules".into(), Value::Array(registry::CODES.iter().map(rule).collect()));

    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": driver },
            "originalUriBaseIds": {
                SRCROOT: {
                    "description": { "text": "The directory escalade was run in; result file paths are relative to it." }
                }
            },
            "results": findings.iter().map(|f| result(f, sources)).collect::<Vec<_>>(),
            "columnKind": "unicodeCodePoints",
        }],
    });
    let mut out = serde_json::to_string_pretty(&log).unwrap_or_default();
    out.push('\n');
    out
}

/// The package's homepage or repository, when Cargo.toml names one.
fn information_uri() -> Option<&'static str> {
    [option_env!("CARGO_PKG_HOMEPAGE"), option_env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .flatten()
        .find(|s| !s.trim().is_empty())
}

fn level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
    }
}

fn rule(info: &CodeInfo) -> Value {
    json!({
        "id": info.code,
        "name": info.name,
        "shortDescription": { "text": info.summary },
        "fullDescription": { "text": what_it_finds(info) },
        "help": { "text": info.docs, "markdown": info.docs },
        "defaultConfiguration": { "level": level(info.level) },
    })
}

/// The "What it finds" section of a code's docs page (the summary when the
/// page has none).
fn what_it_finds(info: &CodeInfo) -> String {
    let mut lines = info.docs.lines().skip_while(|l| l.trim() != "## What it finds");
    if lines.next().is_none() {
        return info.summary.to_string();
    }
    let section: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    let text = section.join("\n").trim().to_string();
    if text.is_empty() {
        info.summary.to_string()
    } else {
        text
    }
}

fn result(f: &Finding, sources: &SourceMap) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(f.code));
    if let Some(index) = registry::CODES.iter().position(|c| c.code == f.code) {
        r.insert("ruleIndex".into(), json!(index));
    }
    r.insert("level".into(), json!(level(f.level)));
    let text = match &f.help {
        Some(help) => format!("{}\nhelp: {help}", f.message),
        None => f.message.clone(),
    };
    r.insert("message".into(), json!({ "text": text }));
    r.insert("locations".into(), json!([location(f.span, &f.label, sources)]));
    if !f.related.is_empty() {
        let related: Vec<Value> = f.related.iter().map(|rel| location(rel.span, &rel.message, sources)).collect();
        r.insert("relatedLocations".into(), Value::Array(related));
    }
    // An empty array states "not suppressed"; absence would mean "unknown".
    let suppressions = if f.suppressed { json!([{ "kind": "inSource" }]) } else { json!([]) };
    r.insert("suppressions".into(), suppressions);
    Value::Object(r)
}

fn location(span: Span, message: &str, sources: &SourceMap) -> Value {
    let p = Position::of(span, sources);
    let mut loc = Map::new();
    loc.insert(
        "physicalLocation".into(),
        json!({
            "artifactLocation": artifact_location(p.file),
            "region": {
                "startLine": p.line,
                "startColumn": p.column,
                "endLine": p.end_line,
                "endColumn": p.end_column,
            },
        }),
    );
    if !message.is_empty() {
        loc.insert("message".into(), json!({ "text": message }));
    }
    Value::Object(loc)
}

/// A display path as an `artifactLocation`: relative paths against
/// `%SRCROOT%`, absolute ones as `file:` URIs.
fn artifact_location(path: &str) -> Value {
    let bytes = path.as_bytes();
    let windows_drive = bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if path.starts_with('/') {
        json!({ "uri": format!("file://{}", encode_path(path)) })
    } else if windows_drive {
        json!({ "uri": format!("file:///{}:{}", &path[..1], encode_path(&path[2..])) })
    } else {
        json!({ "uri": encode_path(path), "uriBaseId": SRCROOT })
    }
}

/// Percent-encode a `/`-separated path for use in a URI: everything but
/// RFC 3986 unreserved characters and `/` (so a `:` in a relative path is
/// never taken for a scheme).
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn parse(s: &str) -> Value {
        serde_json::from_str(s).expect("valid JSON")
    }

    #[test]
    fn rules_cover_the_registry() {
        let v = parse(&sarif(&[], &sources()));
        let rules = v["runs"][0]["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
        assert_eq!(rules.len(), registry::CODES.len());
        for (rule, info) in rules.iter().zip(registry::CODES) {
            assert_eq!(rule["id"], info.code);
            assert_eq!(rule["name"], info.name);
            assert_eq!(rule["shortDescription"]["text"], info.summary);
            assert_eq!(rule["help"]["markdown"], info.docs);
            assert_eq!(rule["defaultConfiguration"]["level"], level(info.level));
            let full = rule["fullDescription"]["text"].as_str().unwrap_or_default();
            assert!(!full.is_empty() && !full.contains("## "), "{}: {full:?}", info.code);
        }
    }

    #[test]
    fn no_findings() {
        let out = sarif(&[], &sources());
        assert!(out.ends_with("}\n"));
        let v = parse(&out);
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(v["runs"].as_array().map(Vec::len), Some(1));
        assert_eq!(v["runs"][0]["results"], json!([]));
        assert_eq!(v["runs"][0]["columnKind"], "unicodeCodePoints");
        assert_eq!(v["runs"][0]["tool"]["driver"]["name"], "escalade");
        assert_eq!(v["runs"][0]["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn results() {
        let m = sources();
        let v = parse(&sarif(&findings(&m), &m));
        let results = &v["runs"][0]["results"];
        let e = &results[0];
        let e0101 = registry::CODES.iter().position(|c| c.code == "E0101");
        assert_eq!(e["ruleId"], "E0101");
        assert_eq!(e["ruleIndex"].as_u64(), e0101.map(|i| i as u64));
        assert_eq!(e["level"], "error");
        assert_eq!(e["message"]["text"], "team `payé` is defined twice\nhelp: rename one of the teams, or merge them");
        assert_eq!(
            e["locations"][0],
            json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": "policies/pay.esc", "uriBaseId": "%SRCROOT%" },
                    "region": { "startLine": 2, "startColumn": 6, "endLine": 2, "endColumn": 10 }
                },
                "message": { "text": "defined again here" }
            })
        );
        assert_eq!(e["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"], "policies/core.esc");
        assert_eq!(e["relatedLocations"][0]["message"]["text"], "first defined here");
        assert_eq!(e["suppressions"], json!([]));
        assert_eq!(results[1]["level"], "warning");
        assert!(results[1].get("relatedLocations").is_none());
        assert_eq!(results[2]["suppressions"], json!([{ "kind": "inSource" }]));
    }

    #[test]
    fn deterministic() {
        let m = sources();
        assert_eq!(sarif(&findings(&m), &m), sarif(&findings(&m), &m));
    }

    #[test]
    fn uris() {
        assert_eq!(artifact_location("a b/é.esc"), json!({ "uri": "a%20b/%C3%A9.esc", "uriBaseId": "%SRCROOT%" }));
        assert_eq!(artifact_location("x:y.esc"), json!({ "uri": "x%3Ay.esc", "uriBaseId": "%SRCROOT%" }));
        assert_eq!(artifact_location("/srv/p #1/a.esc"), json!({ "uri": "file:///srv/p%20%231/a.esc" }));
        assert_eq!(artifact_location("C:/work/a.esc"), json!({ "uri": "file:///C:/work/a.esc" }));
    }
}
