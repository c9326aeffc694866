//! Bad input never panics the parser or the model builder, and every
//! malformed input yields a located E0001.

use escalade::workspace::load_texts;
use proptest::prelude::*;
use std::path::PathBuf;

fn load(text: &[u8]) -> escalade::workspace::Workspace {
    load_texts(PathBuf::from("."), vec![("t.esc".into(), text.to_vec())])
}

fn codes(ws: &escalade::workspace::Workspace) -> Vec<&'static str> {
    ws.findings.iter().map(|f| f.code).collect()
}

#[test]
fn empty_file_has_no_findings() {
    assert!(load(b"").findings.is_empty());
    assert!(load(b"   \n# only a comment\n").findings.is_empty());
}

#[test]
fn binary_garbage_is_e0001_at_the_first_bad_byte() {
    let ws = load(b"person a { email \"x\" }\n\xff\xfe\x00garbage");
    assert_eq!(codes(&ws), vec!["E0001"]);
    let f = &ws.findings[0];
    assert_eq!(f.span.start, 23);
    assert!(f.message.contains("UTF-8"));
}

#[test]
fn ten_thousand_nested_parentheses_do_not_overflow_the_stack() {
    let mut s = String::from("routes {\n  route deep {\n    when ");
    s.push_str(&"(".repeat(10_000));
    s.push_str("severity == sev1");
    s.push_str(&")".repeat(10_000));
    s.push_str("\n    suppress\n  }\n}\n");
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
    assert!(ws.findings[0].message.contains("nest more than 64"), "{}", ws.findings[0].message);
}

#[test]
fn sixty_four_nested_parentheses_are_fine() {
    let mut s = String::from("routes {\n  route deep {\n    when ");
    s.push_str(&"(".repeat(64));
    s.push_str("severity == sev1");
    s.push_str(&")".repeat(64));
    s.push_str("\n    suppress\n  }\n}\n");
    let ws = load(s.as_bytes());
    assert!(ws.findings.is_empty(), "{:?}", ws.findings);
}

#[test]
fn deep_not_chains_are_fine() {
    let mut s = String::from("routes { route r { when ");
    s.push_str(&"not ".repeat(20_000));
    s.push_str("severity == sev1 suppress } }\n");
    let ws = load(s.as_bytes());
    assert!(ws.findings.is_empty(), "{:?}", ws.findings);
}

#[test]
fn ten_megabyte_file_parses_or_reports() {
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 10 * 1024 * 1024 {
        s.push_str(&format!("person p{i} {{ email \"p{i}@example.com\" }}\n"));
        i += 1;
    }
    let ws = load(s.as_bytes());
    assert!(ws.findings.is_empty());
    assert_eq!(ws.model.persons.len(), i);
}

#[test]
fn a_ten_megabyte_line_is_rejected_with_a_limit() {
    let s = format!("person a {{ name \"{}\" }}\n", "x".repeat(2 * 1024 * 1024));
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
    assert!(ws.findings[0].message.contains("limit is 1 MiB"));
}

#[test]
fn oversized_file_is_rejected() {
    let s = "# filler\n".repeat(2 * 1024 * 1024);
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
    assert!(ws.findings[0].message.contains("16 MiB"));
}

#[test]
fn deep_braces_are_limited() {
    let s = format!("person a {}{}\n", "{".repeat(40), "}".repeat(40));
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
}

const TOKENS: &[&str] = &[
    "org", "person", "team", "calendar", "hours", "schedule", "policy", "service", "routes", "route", "drill",
    "tier", "layer", "notify", "via", "escalate", "after", "renotify", "every", "when", "and", "or", "not", "in",
    "matches", "within", "outside", "{", "}", "(", ")", "[", "]", ",", "==", "!=", ">=", "<", "\"x\"", "\"",
    "5m", "1h30m", "0s", "mon-fri", "09:00-17:00", "2026-01-05", "2026-01-05 09:00", "alice", "sev1", "labels.env",
    "severity", "service", "team", "schedule", "lead", "members", "handoff", "repeat", "3", "expect", "paged",
    "# c\n", "\n", " ", "\u{feff}", "é", "\r\n", "also", "suppress", "continue", "set", "to", "at", "alert",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let ws = load(&bytes);
        for f in &ws.findings {
            prop_assert!(f.span.end as usize <= bytes.len() + 3);
        }
    }

    #[test]
    fn random_token_soup_never_panics(toks in proptest::collection::vec(proptest::sample::select(TOKENS), 0..120)) {
        let text = toks.join(" ");
        let ws = load(text.as_bytes());
        // every syntax error is located inside the file
        for f in ws.findings.iter().filter(|f| f.code == "E0001") {
            prop_assert!(f.span.start as usize <= text.len());
        }
    }
}
