//! The examples in the docs are real: every ```esc block of the language
//! reference parses without a syntax error, and every check page's first
//! (failing) example parses too unless it demonstrates E0001.

use escalade::workspace::load_texts;
use std::path::PathBuf;

fn blocks(md: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for (i, line) in md.lines().enumerate() {
        if let Some((start, text)) = cur.as_mut() {
            if line.trim_start().starts_with("```") {
                out.push((*start, std::mem::take(text)));
                cur = None;
            } else {
                text.push_str(line);
                text.push('\n');
            }
        } else if line.trim_start().starts_with("```esc") {
            cur = Some((i + 1, String::new()));
        }
    }
    out
}

fn syntax_errors(src: &str) -> Vec<String> {
    let ws = load_texts(PathBuf::from("."), vec![("doc.esc".into(), src.as_bytes().to_vec())]);
    ws.findings.iter().filter(|f| f.code == "E0001").map(|f| f.message.clone()).collect()
}

#[test]
fn language_reference_examples_parse() {
    let md = std::fs::read_to_string("docs/language.md").expect("docs/language.md");
    let bs = blocks(&md);
    assert!(bs.len() >= 10);
    let mut bad = Vec::new();
    for (line, src) in bs {
        let errs = syntax_errors(&src);
        // blocks that show a mistake say so in a comment
        if !errs.is_empty() && !src.contains("E0001") && !src.contains("error") {
            bad.push(format!("docs/language.md:{line}: {errs:?}\n{src}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn check_page_examples_parse() {
    let mut bad = Vec::new();
    for c in escalade::checks::registry::CODES {
        if c.code == "E0001" {
            continue;
        }
        for (line, src) in blocks(c.docs) {
            let errs = syntax_errors(&src);
            if !errs.is_empty() {
                bad.push(format!("{}:{line}: {errs:?}", c.code));
            }
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
