//! Syntax: pest grammar → syntax tree with spans, never panicking.

pub mod ast;
pub mod lower;
pub mod parser;
pub mod phrases;

pub use parser::parse_file;

/// `labels.KEY`, quoting keys that are not bare.
pub fn format_label_key(k: &str) -> String {
    let bare = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("labels.{k}")
    } else {
        format!("labels.{k:?}")
    }
}
