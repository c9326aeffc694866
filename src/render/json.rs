//! `--format json`: one versioned object (SPEC §4).
//!
//! ```json
//! {"version": 1, "from": "2026-11-09T00:00:00Z",
//!  "findings": [{"code": "E0101", "level": "error", "message": "...",
//!                "file": "policies/pay.esc", "line": 12, "column": 3,
//!                "end_line": 12, "end_column": 20, "help": "...",
//!                "related": [{"file": "policies/core.esc", "line": 4, "column": 8,
//!                             "end_line": 4, "end_column": 25,
//!                             "message": "first defined here"}],
//!                "suppressed": false}],
//!  "errors": 1, "warnings": 0}
//! ```
//!
//! Keys always appear, in this order; `help` is `null` when a finding has
//! none and `related` is `[]`. Suppressed findings are listed with
//! `"suppressed": true` and not counted.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::{counts, Position};
use crate::diag::Finding;
use crate::source::SourceMap;

/// The JSON report, pretty-printed, with a trailing newline.
pub fn json(findings: &[Finding], sources: &SourceMap, from: DateTime<Utc>) -> String {
    let (errors, warnings) = counts(findings);
    let report = json!({
        "version": 1,
        "from": from.to_rfc3339_opts(SecondsFormat::Secs, true),
        "findings": findings.iter().map(|f| finding(f, sources)).collect::<Vec<_>>(),
        "errors": errors,
        "warnings": warnings,
    });
    let mut out = serde_json::to_string_pretty(&report).unwrap_or_default();
    out.push('\n');
    out
}

fn finding(f: &Finding, sources: &SourceMap) -> Value {
    let p = Position::of(f.span, sources);
    let related: Vec<Value> = f
        .related
        .iter()
        .map(|r| {
            let q = Position::of(r.span, sources);
            json!({
                "file": q.file,
                "line": q.line,
                "column": q.column,
                "end_line": q.end_line,
                "end_column": q.end_column,
                "message": r.message,
            })
        })
        .collect();
    json!({
        "code": f.code,
        "level": f.level.as_str(),
        "message": f.message,
        "file": p.file,
        "line": p.line,
        "column": p.column,
        "end_line": p.end_line,
        "end_column": p.end_column,
        "help": f.help,
        "related": related,
        "suppressed": f.suppressed,
    })
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use chrono::TimeZone;

    fn from() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 9, 0, 0, 0).single().unwrap_or_default()
    }

    fn keys(v: &Value) -> Vec<&str> {
        v.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    #[test]
    fn shape_matches_the_spec_example() {
        let m = sources();
        let out = json(&findings(&m), &m, from());
        assert!(out.ends_with("}\n"));
        let v: Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(keys(&v), ["version", "from", "findings", "errors", "warnings"]);
        assert_eq!(v["version"], 1);
        assert_eq!(v["from"], "2026-11-09T00:00:00Z");
        assert_eq!((v["errors"].as_u64(), v["warnings"].as_u64()), (Some(1), Some(1)));
        let f = &v["findings"];
        assert_eq!(f.as_array().map(Vec::len), Some(3));
        let e = &f[0];
        assert_eq!(
            keys(e),
            ["code", "level", "message", "file", "line", "column", "end_line", "end_column", "help", "related", "suppressed"]
        );
        assert_eq!(
            e,
            &json!({
                "code": "E0101", "level": "error", "message": "team `payé` is defined twice",
                "file": "policies/pay.esc", "line": 2, "column": 6, "end_line": 2, "end_column": 10,
                "help": "rename one of the teams, or merge them",
                "related": [{"file": "policies/core.esc", "line": 2, "column": 6,
                             "end_line": 2, "end_column": 10, "message": "first defined here"}],
                "suppressed": false
            })
        );
        assert_eq!(keys(&e["related"][0]), ["file", "line", "column", "end_line", "end_column", "message"]);
        // related is always present; a suppressed finding is listed but not counted
        assert_eq!(f[1]["related"], json!([]));
        assert_eq!(f[2]["suppressed"], true);
        assert_eq!(f[2]["help"], Value::Null);
    }

    #[test]
    fn no_findings() {
        let m = sources();
        let out = json(&[], &m, from());
        let v: Value = serde_json::from_str(&out).expect("valid JSON");
        assert_eq!(v, json!({"version": 1, "from": "2026-11-09T00:00:00Z", "findings": [], "errors": 0, "warnings": 0}));
        assert_eq!(keys(&v), ["version", "from", "findings", "errors", "warnings"]);
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"));
    }

    #[test]
    fn from_is_utc_seconds() {
        let t = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 5).single().unwrap_or_default()
            + chrono::Duration::milliseconds(250);
        let v: Value = serde_json::from_str(&json(&[], &SourceMap::default(), t)).expect("valid JSON");
        assert_eq!(v["from"], "2026-03-29T01:30:05Z");
    }
}
