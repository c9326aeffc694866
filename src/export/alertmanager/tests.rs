use super::re2::{escape, translate};
use super::*;
use crate::workspace::load_texts;
use std::path::PathBuf;

fn tr(p: &str) -> (String, Vec<String>) {
    let t = translate(p).expect("a pattern Rust accepts");
    (t.pattern, t.issues)
}

#[test]
fn regex_common_patterns_are_kept() {
    for p in [
        "(?i)breach|exfiltrat|credential[- ]stuffing|credentials? leak|unauthori[sz]ed access|ransomware",
        "^payment",
        "a.b*c+?",
        "(?:x|y){2,5}",
        "(?i:abc)def",
        "[^a-z0-9_]",
        "[[:alpha:]]+",
        "(?s).$",
        "\\Aabc\\z",
        "[\\-\\]]",
    ] {
        let (out, issues) = tr(p);
        assert!(issues.is_empty(), "{p}: {issues:?}");
        assert_eq!(regex::Regex::new(&out).map(|_| ()), Ok(()), "{p} -> {out}");
        if !p.contains("\\-") {
            assert_eq!(out, p, "{p}");
        }
    }
    assert_eq!(tr("[\\-\\]]").0, "[-\\]]");
}

#[test]
fn regex_rust_only_syntax_is_rewritten_exactly() {
    // capture groups: non-capturing (names are a Go 1.22 addition)
    assert_eq!(tr("(?P<x>a)(b)(?<y>c)").0, "(?:a)(?:b)(?:c)");
    // verbose mode: whitespace and comments dropped with the flag
    assert_eq!(tr("(?x) a b # comment\n c").0, "abc");
    // escapes RE2 lacks
    assert_eq!(tr("\\u{41}\\u0042\\x43").0, "ABC");
    assert_eq!(tr("\\x{7}").0, "\\a");
    // Unicode \d is Nd; ASCII mode keeps \d
    assert_eq!(tr("\\d+\\D").0, "\\p{Nd}+\\P{Nd}");
    assert_eq!(tr("(?-u:\\d\\w)").0, "(?:\\d\\w)");
    // nested repetition needs a group in RE2
    assert_eq!(tr("(?:ab)*").0, "(?:ab)*");
    // class set operations and nested classes: explicit ranges
    assert_eq!(tr("[a-z&&[^aeiou]]").0, "[b-df-hj-np-tv-z]");
    assert_eq!(tr("[[ab][cd]]").0, "[a-d]");
    assert_eq!(tr("[a-c--b]").0, "[ac]");
    // Unicode \s and \p{…} classes: explicit ranges, same set
    let (s, issues) = tr("\\s");
    assert!(issues.is_empty());
    assert!(s.starts_with("[\\t-\\r "), "{s}");
    for (p, probe) in [("\\s", "\u{2003}"), ("\\w", "é"), ("\\p{Greek}", "λ"), ("\\pL", "ж"), ("[\\d_]", "٣")] {
        let out = tr(p).0;
        let re = regex::Regex::new(&format!("^(?:{out})$")).expect("compiles");
        assert!(re.is_match(probe), "{p} -> {out} misses {probe}");
        assert!(!re.is_match("\u{0}"), "{p} -> {out}");
    }
}

#[test]
fn regex_what_has_no_re2_form_is_reported() {
    let (out, issues) = tr("\\bfoo\\b");
    assert_eq!(out, "\\bfoo\\b");
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert!(issues[0].contains("Unicode word boundaries"));
    assert!(tr("(?-u:\\bfoo\\b)").1.is_empty(), "ASCII boundaries are RE2's");
    let (out, issues) = tr("\\b{start}x\\>");
    assert_eq!(out, "\\bx\\b");
    assert_eq!(issues.len(), 2, "{issues:?}");
    let (out, issues) = tr("a{1001}");
    assert_eq!(out, "a{1000}");
    assert!(issues[0].contains("clamped"));
    let (out, issues) = tr("(?R)^a$");
    assert_eq!(out, "^a$");
    assert!(issues[0].contains("CRLF"));
}

#[test]
fn regex_escape_quotes_metacharacters() {
    assert_eq!(escape("a.b|c(d)[e]{f}^$*+?\\"), "a\\.b\\|c\\(d\\)\\[e\\]\\{f\\}\\^\\$\\*\\+\\?\\\\");
    assert_eq!(escape("payments-api"), "payments-api");
    let re = regex::Regex::new(&format!("^(?:{})$", escape("1e3 (x)"))).expect("compiles");
    assert!(re.is_match("1e3 (x)"));
}

fn export_text(src: &str) -> (String, Vec<Finding>) {
    let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
    assert!(!crate::check::has_model_errors(&ws), "model errors: {:#?}", ws.findings);
    let e = export(&ws.model, &ExportOptions::default());
    let text = String::from_utf8(e.tree.get("alertmanager.yml").cloned().unwrap_or_default()).expect("utf8");
    (text, e.findings)
}

const BASE: &str = r#"
org o { severities sev1 "P1" "critical", sev2 "P2", sev3 "P3" }
person a { email "a@x" }
team t { members a }
policy p1 { tier one { notify person a } }
policy yes { tier one { notify person a } }
service api { owner t policy p1 labels region "eu" }
service web { owner t }
"#;

#[test]
fn empty_accepting_matchers_require_a_value_and_service_labels_fall_back() {
    let (text, findings) = export_text(&format!("{BASE}\nroutes {{ route r {{ when labels.region matches \"x*\" to policy yes }} }}"));
    assert!(findings.is_empty(), "{findings:?}");
    assert!(text.contains(r#"- 'region=~".*(?:x*).*"'"#), "{text}");
    assert!(text.contains(r#"- 'region=~".+"'"#), "{text}");
    // the alert has no region: api's own label "eu" is read
    assert!(text.contains(r#"- 'region=""'"#) && text.contains(r#"- 'service="api"'"#), "{text}");
    // a YAML 1.1 boolean as a receiver name is quoted
    assert!(text.contains("- receiver: 'yes'"), "{text}");
    assert!(text.contains("- name: 'yes'"), "{text}");
}

#[test]
fn severity_comparisons_are_alternations_of_names_and_aliases() {
    let (text, _) = export_text(&format!("{BASE}\nroutes {{ route r {{ when severity >= sev2 to policy p1 }} }}"));
    assert!(text.contains(r#"'severity=~"(?i:sev1|P1|critical|sev2|P2)"'"#), "{text}");
}

#[test]
fn within_and_a_set_read_later_are_w0900() {
    let src = format!(
        "{BASE}\nroutes {{\n route up {{ when service == \"api\" set severity sev1 continue }}\n route hot {{ when severity == sev1 and within mon-fri 09:00-17:00 to policy p1 }}\n}}"
    );
    let (text, findings) = export_text(&src);
    let msgs: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(findings.len(), 2, "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("`set severity sev1` changes a value that route `hot` reads later")), "{msgs:?}");
    assert!(msgs.iter().any(|m| m.starts_with("`within mon-fri 09:00-17:00` cannot choose a route")), "{msgs:?}");
    assert!(findings.iter().all(|f| f.code == "W0900" && f.help.is_some()));
    assert!(text.contains("active_time_intervals:\n") && text.contains("- route/hot/1"), "{text}");
    assert!(text.contains("- 'monday:friday'") && text.contains("start_time: '09:00'"), "{text}");
}
