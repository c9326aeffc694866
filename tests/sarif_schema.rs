//! `--format sarif` output validates against the official OASIS SARIF
//! 2.1.0 schema (fixtures/schemas/sarif-schema-2.1.0.json, see the README
//! there). The schema declares JSON Schema draft-04; every `$ref` in it
//! points into the document itself, so nothing is fetched.
//!
//! Draft-04 knows no `uri-reference` format, so the check for
//! `artifactLocation.uri` would be skipped. The output is therefore also
//! validated under draft-07 rules: the schema uses no keyword whose meaning
//! differs between the two drafts (no `exclusiveMinimum`/`Maximum`, no
//! external `$ref`), so the only difference is that `uri-reference` is
//! checked as well.

use escalade::diag::{Finding, Level};
use escalade::render;
use escalade::source::{SourceFile, SourceMap, Span};
use serde_json::Value;

fn validators() -> [jsonschema::Validator; 2] {
    [validator(jsonschema::Draft::Draft4), validator(jsonschema::Draft::Draft7)]
}

fn validator(draft: jsonschema::Draft) -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/schemas/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(path).expect("read the SARIF schema fixture");
    let schema: Value = serde_json::from_str(&text).expect("the SARIF schema is JSON");
    jsonschema::options()
        .with_draft(draft)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid(sarif: &str) {
    let instance: Value = serde_json::from_str(sarif).expect("SARIF output is JSON");
    for (validator, draft) in validators().iter().zip(["draft-04", "draft-07"]) {
        let errors: Vec<String> =
            validator.iter_errors(&instance).map(|e| format!("{} at {}", e, e.instance_path)).collect();
        assert!(
            errors.is_empty(),
            "SARIF output does not match the schema ({draft}):\n{}\n\n{sarif}",
            errors.join("\n")
        );
    }
}

fn at(m: &SourceMap, file: u32, needle: &str) -> Span {
    let text = &m.get(file).text;
    let start = text.find(needle).unwrap_or_else(|| panic!("{needle:?} not in file {file}"));
    Span::new(file, start, start + needle.len())
}

fn workspace() -> SourceMap {
    let mut m = SourceMap::default();
    m.add(SourceFile::new(
        "policies/pay.esc",
        "team payé { lead ann }\npolicy pay {\n  tier first {\n    notify team payé\n  }\n}\n",
    ));
    m.add(SourceFile::new("policies/core.esc", "person ann { email \"ann@example.com\" }\nteam payé { }\n"));
    m.add(SourceFile::new("odd dir/a:b#1.esc", "policy p { }\n"));
    m.add(SourceFile::new("/srv/shared/escalation.esc", "person bob { }\n"));
    m
}

fn findings(m: &SourceMap) -> Vec<Finding> {
    let mut suppressed = Finding::new("W0700", at(m, 0, "pay {"), "every tier of `pay` reaches only `ann`")
        .with_help("add a second person or a schedule to a tier");
    suppressed.suppressed = true;
    let mut denied = Finding::new("W0901", at(m, 3, "bob"), "person `bob` is never used");
    denied.level = Level::Error; // raised by `deny` in escalade.toml
    vec![
        Finding::new("E0101", at(m, 0, "payé"), "team `payé` is defined twice")
            .with_label("defined again here")
            .with_help("rename one of the teams, or merge them")
            .with_related(at(m, 1, "payé"), "first defined here"),
        // a multi-line span and a related span in the same file
        Finding::new("E0300", at(m, 0, "tier first {\n    notify"), "tier `first` can never be entered")
            .with_related(at(m, 0, "policy pay"), "in this policy"),
        suppressed,
        // an empty span, and a path that needs percent-encoding
        Finding::new("E0200", Span::new(2, 11, 11), "policy `p` has no tiers"),
        // a file outside the current directory
        denied,
    ]
}

#[test]
fn findings_validate() {
    let m = workspace();
    let mut f = findings(&m);
    render::sort_findings(&mut f, &m);
    let out = render::sarif(&f, &m);
    assert_valid(&out);

    let v: Value = serde_json::from_str(&out).expect("JSON");
    let results = v["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), 5);
    assert!(results.iter().any(|r| r["suppressions"] == serde_json::json!([{"kind": "inSource"}])));
    assert!(results.iter().any(|r| r["relatedLocations"][0]["message"]["text"] == "first defined here"));
}

#[test]
fn no_findings_validate() {
    assert_valid(&render::sarif(&[], &SourceMap::default()));
    assert_valid(&render::sarif(&[], &workspace()));
}

#[test]
fn the_validators_reject_broken_logs() {
    let m = workspace();
    let out = render::sarif(&findings(&m), &m);
    let good: Value = serde_json::from_str(&out).expect("JSON");
    let [draft4, draft7] = validators();
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        v
    };
    assert!(draft4.is_valid(&good) && draft7.is_valid(&good));

    let bad_level = broken(&|v| v["runs"][0]["results"][0]["level"] = Value::from("fatal"));
    assert!(!draft4.is_valid(&bad_level) && !draft7.is_valid(&bad_level), "an unknown level must be rejected");

    let line_zero =
        broken(&|v| v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = Value::from(0));
    assert!(!draft4.is_valid(&line_zero) && !draft7.is_valid(&line_zero), "line 0 must be rejected");

    let bad_uri = broken(&|v| {
        v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = Value::from("a b%")
    });
    assert!(!draft7.is_valid(&bad_uri), "a malformed URI reference must be rejected");
}
