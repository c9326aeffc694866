//! YAML text for `alertmanager.yml`. Alertmanager reads its configuration
//! with a YAML 1.1 parser, where `yes`, `on`, `y`, `~`, `0755`, `1e3`,
//! `12:30` or `2026-01-01` are not strings; every scalar that is not
//! unmistakably a string is quoted.

/// A scalar as YAML text: plain when no YAML 1.1 or 1.2 reader could take
/// it for anything but this string, single-quoted when printable,
/// double-quoted with escapes otherwise.
pub fn scalar(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    if s.chars().all(|c| !c.is_control() && c != '\u{FEFF}' && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{85}')) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut o = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{FEFF}' | '\u{2028}' | '\u{2029}' | '\u{85}') => {
                let n = c as u32;
                if n <= 0xFF {
                    o.push_str(&format!("\\x{n:02X}"))
                } else {
                    o.push_str(&format!("\\u{n:04X}"))
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Words YAML 1.1 resolves to booleans or null (any case is checked).
const RESERVED: &[&str] = &["y", "n", "yes", "no", "true", "false", "on", "off", "null", "~", "nan", "inf"];

/// May `s` be written as a plain scalar? Only strings that start with a
/// letter, hold letters, digits and `_ - . /` only, are not a YAML 1.1
/// boolean or null word in any case, and do not end in a way that makes
/// them a number (`e10` is not one: no leading digit).
fn plain_ok(s: &str) -> bool {
    let mut cs = s.chars();
    let Some(first) = cs.next() else { return false };
    if !first.is_ascii_alphabetic() {
        return false;
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')) {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    !RESERVED.contains(&lower.as_str())
}

/// Builds the document line by line.
#[derive(Default)]
pub struct Out {
    pub text: String,
}

impl Out {
    pub fn line(&mut self, indent: usize, s: &str) {
        for _ in 0..indent {
            self.text.push(' ');
        }
        self.text.push_str(s);
        self.text.push('\n');
    }

    /// `key: scalar`
    pub fn kv(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {}", scalar(value)));
    }

    /// `key:` and a block list of scalars.
    pub fn list(&mut self, indent: usize, key: &str, items: &[String]) {
        self.line(indent, &format!("{key}:"));
        for i in items {
            self.line(indent + 2, &format!("- {}", scalar(i)));
        }
    }

    /// A comment line; line breaks in `s` become spaces.
    pub fn comment(&mut self, indent: usize, s: &str) {
        let s: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        self.line(indent, &format!("# {s}"));
    }
}

#[cfg(test)]
mod tests {
    use super::scalar;

    #[test]
    fn yaml_1_1_words_and_numbers_are_quoted() {
        for s in [
            "yes", "Yes", "YES", "no", "y", "Y", "n", "N", "on", "ON", "off", "true", "False", "null", "NULL", "~", "", "1e3", "0755", "0x1F",
            "0b101", "12:30", "1_000", "2026-01-01", "+1", "-1", ".5", ".inf", ".NaN", "<<", "=", "-", "?", "!tag", "&a", "*a", "#x",
            "a: b", "a #b", "%x", "@x", "`x", "|", ">", "[x]", "{x}", "x,y", " x", "x ", "'q'", "\"q\"",
        ] {
            let q = scalar(s);
            assert!(q.starts_with('\'') || q.starts_with('"'), "{s:?} was written plain: {q}");
        }
        assert_eq!(scalar("it's"), "'it''s'");
        assert_eq!(scalar("a\nb"), "\"a\\nb\"");
        assert_eq!(scalar("tab\there"), "\"tab\\there\"");
        assert_eq!(scalar("service=\"x\""), "'service=\"x\"'");
    }

    #[test]
    fn names_stay_plain() {
        for s in ["payments-critical", "team-sre", "sev1", "unrouted", "suppress", "e10", "yes-please", "nope", "onward", "lead-payments", "Europe/Berlin", "UTC"] {
            assert_eq!(scalar(s), s);
        }
    }

    #[test]
    fn quoted_scalars_read_back_as_the_same_string() {
        for s in ["yes", "on", "1e3", "0755", "~", "", "a'b", "x\ny", "é", "\u{1}", "12:30", "service=~\".*(?:a).*\""] {
            let doc = format!("k: {}\n", scalar(s));
            let v: serde_yaml::Value = serde_yaml::from_str(&doc).expect("parses");
            assert_eq!(v.get("k").and_then(|x| x.as_str()), Some(s), "{doc}");
        }
    }
}
