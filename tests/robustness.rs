//! Bad input never panics the parser, the model builder, the timeline
//! readers or the route evaluator, and every malformed input yields a
//! located finding or rejection.
//!
//! The property tests run 10,000 cases per entry point on structured,
//! near-valid input: grammar-shaped workspaces with mutations (`esc`),
//! timeline events with mutated fields in every format (`timeline`), and
//! random route lists evaluated against a direct reading of the SPEC
//! (`routes`). The fuzz targets' entry points (`fuzz/src/lib.rs`) are
//! shared, and the crash inputs the fuzzer found are replayed here.

use escalade::workspace::load_texts;
use proptest::prelude::*;
use std::path::{Path, PathBuf};

#[path = "../fuzz/src/lib.rs"]
mod harness;

#[path = "robustness/cond.rs"]
mod cond;
#[path = "robustness/esc.rs"]
mod esc;
#[path = "robustness/routes.rs"]
mod routes;
#[path = "robustness/timeline.rs"]
mod timeline;

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
fn limit_findings_fall_on_character_boundaries() {
    // a line over the limit that starts with a two-byte character
    let s = format!("é{}\n", "x".repeat(1024 * 1024 + 1));
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
    harness::assert_located(&ws);
    // a file over the limit
    let s = "é".repeat(9 * 1024 * 1024);
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
    harness::assert_located(&ws);
}

#[test]
fn deep_braces_are_limited() {
    let s = format!("person a {}{}\n", "{".repeat(40), "}".repeat(40));
    let ws = load(s.as_bytes());
    assert_eq!(codes(&ws), vec!["E0001"]);
}

pub const TOKENS: &[&str] = &[
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, .. ProptestConfig::default() })]

    /// Grammar-shaped workspaces: unmutated, they load without a syntax or
    /// model error; mutated, every finding is located, and a mutation that
    /// unbalances the braces is an E0001.
    #[test]
    fn grammar_shaped_workspaces(case in esc::case()) {
        let files = case.files();
        let ws = load_texts(PathBuf::from("."), files.clone());
        harness::assert_located(&ws);
        let shown = || files.iter().map(|(p, b)| format!("--- {p}\n{}", String::from_utf8_lossy(b))).collect::<String>();
        if case.mutations.is_empty() {
            prop_assert!(!escalade::check::has_model_errors(&ws), "{}\n{:#?}", shown(), ws.findings);
        }
        if case.must_fail() {
            prop_assert!(ws.findings.iter().any(|f| f.code == "E0001"), "{}\nno E0001: {:#?}", shown(), ws.findings);
        }
    }
}

/// The inputs the fuzzer found crashing (minimized), and edge cases of each
/// target, replayed through the fuzz targets' own entry points.
#[test]
fn fuzz_regressions_replay() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fuzz-regressions");
    for (target, run) in harness::TARGETS {
        let dir = root.join(target);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("readable directory entry").path())
            .collect();
        paths.sort();
        // a directory that lost its inputs would pass silently
        assert!(!paths.is_empty(), "no inputs in {}", dir.display());
        for p in paths {
            let data = std::fs::read(&p).expect("readable regression input");
            let res = std::panic::catch_unwind(|| run(&data));
            assert!(res.is_ok(), "{target}: {} panics", p.display());
        }
    }
}
