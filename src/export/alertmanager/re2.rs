//! Rust `regex` syntax → RE2 syntax (Go's `regexp`, which Alertmanager
//! compiles matchers with).
//!
//! The pattern is parsed with `regex-syntax` and printed back in a form
//! RE2 parses with the same meaning where one exists:
//! - capture groups become non-capturing (matching ignores captures, and
//!   RE2 builds predate `(?<name>…)`);
//! - `(?x)` is dropped (the printer writes no insignificant whitespace),
//!   `(?u)`/`(?-u)` are dropped and their effect is written out;
//! - `\u{…}` and other escapes RE2 lacks become `\x{…}`;
//! - Unicode `\d` becomes `\p{Nd}`; Unicode `\s`, `\w`, `\p{…}` classes and
//!   bracketed classes with nesting or set operations (`&&`, `--`, `~~`)
//!   are written as explicit ranges, so both engines read the same set;
//!
//! What has no RE2 equivalent is approximated and reported as an issue
//! (the caller turns issues into W0900): Unicode word boundaries (RE2's
//! `\b` is ASCII), the `\b{start}`/`\<`-style boundaries (written `\b`),
//! CRLF mode `(?R)` (dropped) and repetition counts over RE2's 1000
//! (clamped).

use regex_syntax::ast::{self, Ast, ClassSet, ClassSetItem, GroupKind};
use regex_syntax::hir::{Class, Hir, HirKind};

/// The RE2 form of a pattern, and what it could only approximate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    pub pattern: String,
    pub issues: Vec<String>,
}

/// Translate a pattern that Rust's `regex` accepts. `Err` carries the
/// parser's message for a pattern it rejects (not reached for a sound
/// model, whose patterns all compiled).
pub fn translate(pattern: &str) -> Result<Translated, String> {
    let ast = ast::parse::Parser::new().parse(pattern).map_err(|e| e.to_string())?;
    let mut p = Printer { src: pattern, out: String::new(), issues: Vec::new(), flags: vec![State::default()] };
    p.ast(&ast);
    let mut issues = p.issues;
    issues.dedup();
    Ok(Translated { pattern: p.out, issues })
}

/// RE2 text for a literal string: every metacharacter escaped.
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        lit(c, &mut o);
    }
    o
}

#[derive(Debug, Clone, Copy)]
struct State {
    unicode: bool,
    case_insensitive: bool,
    ignore_whitespace: bool,
}

impl Default for State {
    fn default() -> Self {
        State { unicode: true, case_insensitive: false, ignore_whitespace: false }
    }
}

struct Printer<'a> {
    src: &'a str,
    out: String,
    issues: Vec<String>,
    /// flag state per open group (the last is current)
    flags: Vec<State>,
}

/// A character outside a class.
fn lit(c: char, o: &mut String) {
    match c {
        '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$' => {
            o.push('\\');
            o.push(c);
        }
        _ => plain(c, o),
    }
}

/// A character inside a class.
fn class_lit(c: char, o: &mut String) {
    match c {
        '\\' | ']' | '[' | '^' | '-' => {
            o.push('\\');
            o.push(c);
        }
        _ => plain(c, o),
    }
}

fn plain(c: char, o: &mut String) {
    match c {
        '\n' => o.push_str("\\n"),
        '\t' => o.push_str("\\t"),
        '\r' => o.push_str("\\r"),
        '\x0C' => o.push_str("\\f"),
        '\x0B' => o.push_str("\\v"),
        '\x07' => o.push_str("\\a"),
        ' ' => o.push(' '),
        c if c.is_control() || c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{206F}' | '\u{FEFF}') => {
            o.push_str(&format!("\\x{{{:X}}}", c as u32))
        }
        c => o.push(c),
    }
}

fn hir_class(h: &Hir) -> Option<Vec<(char, char)>> {
    match h.kind() {
        HirKind::Class(Class::Unicode(c)) => Some(c.ranges().iter().map(|r| (r.start(), r.end())).collect()),
        HirKind::Class(Class::Bytes(c)) => {
            c.ranges().iter().map(|r| if r.end() < 0x80 { Some((char::from(r.start()), char::from(r.end()))) } else { None }).collect()
        }
        HirKind::Literal(l) => {
            let s = std::str::from_utf8(&l.0).ok()?;
            let mut cs = s.chars();
            let c = cs.next()?;
            cs.next().is_none().then(|| vec![(c, c)])
        }
        HirKind::Concat(xs) => {
            let mut found = None;
            for x in xs {
                match x.kind() {
                    HirKind::Empty => {}
                    _ if found.is_none() => found = Some(hir_class(x)?),
                    _ => return None,
                }
            }
            found
        }
        _ => None,
    }
}

/// An explicit RE2 class for a set of ranges.
pub fn ranges_class(ranges: &[(char, char)]) -> String {
    if ranges.is_empty() {
        return "[^\\x00-\\x{10FFFF}]".into();
    }
    let mut o = String::from("[");
    for &(a, b) in ranges {
        class_lit(a, &mut o);
        if b != a {
            if b as u32 > a as u32 + 1 {
                o.push('-');
            }
            class_lit(b, &mut o);
        }
    }
    o.push(']');
    o
}

impl Printer<'_> {
    fn state(&self) -> State {
        self.flags.last().copied().unwrap_or_default()
    }

    fn state_mut(&mut self) -> &mut State {
        if self.flags.is_empty() {
            self.flags.push(State::default());
        }
        let n = self.flags.len() - 1;
        &mut self.flags[n]
    }

    fn issue(&mut self, s: impl Into<String>) {
        let s = s.into();
        if !self.issues.contains(&s) {
            self.issues.push(s);
        }
    }

    /// Apply flags to the current state; return the RE2 flag text
    /// (`i-s`), empty when nothing RE2 knows remains.
    fn flags(&mut self, f: &ast::Flags) -> String {
        let (mut on, mut off) = (String::new(), String::new());
        let mut negated = false;
        for item in &f.items {
            match &item.kind {
                ast::FlagsItemKind::Negation => negated = true,
                ast::FlagsItemKind::Flag(fl) => {
                    let letter = match fl {
                        ast::Flag::CaseInsensitive => {
                            self.state_mut().case_insensitive = !negated;
                            Some('i')
                        }
                        ast::Flag::MultiLine => Some('m'),
                        ast::Flag::DotMatchesNewLine => Some('s'),
                        ast::Flag::SwapGreed => Some('U'),
                        ast::Flag::Unicode => {
                            self.state_mut().unicode = !negated;
                            None
                        }
                        ast::Flag::IgnoreWhitespace => {
                            self.state_mut().ignore_whitespace = !negated;
                            None
                        }
                        ast::Flag::CRLF => {
                            if !negated {
                                self.issue("CRLF mode `(?R)` is dropped: `^`, `$` and `.` treat a lone `\\r` as RE2 does");
                            }
                            None
                        }
                    };
                    if let Some(l) = letter {
                        if negated {
                            off.push(l)
                        } else {
                            on.push(l)
                        }
                    }
                }
            }
        }
        match (on.is_empty(), off.is_empty()) {
            (true, true) => String::new(),
            (false, true) => on,
            _ => format!("{on}-{off}"),
        }
    }

    /// Translate one class written at `span` through regex-syntax's HIR,
    /// with the flags in force, and print its ranges.
    fn via_hir(&mut self, span: &ast::Span) {
        let st = self.state();
        let text = self.src.get(span.start.offset..span.end.offset).unwrap_or("");
        let prefix = format!(
            "(?{}{}{})",
            if st.case_insensitive { "i" } else { "" },
            if st.ignore_whitespace { "x" } else { "" },
            if st.unicode { "u" } else { "-u" }
        );
        let hir = regex_syntax::ParserBuilder::new().build().parse(&format!("{prefix}{text}"));
        match hir.ok().as_ref().and_then(hir_class) {
            Some(r) => self.out.push_str(&ranges_class(&r)),
            None => {
                // not reached for a class Rust accepts; keep the text
                self.issue(format!("the class `{text}` could not be rewritten for RE2"));
                self.out.push_str(text);
            }
        }
    }

    fn ast(&mut self, a: &Ast) {
        match a {
            Ast::Empty(_) => {}
            Ast::Flags(f) => {
                let t = self.flags(&f.flags);
                if !t.is_empty() {
                    self.out.push_str(&format!("(?{t})"));
                }
            }
            Ast::Literal(l) => lit(l.c, &mut self.out),
            Ast::Dot(_) => self.out.push('.'),
            Ast::Assertion(x) => self.assertion(x),
            Ast::ClassUnicode(c) => self.via_hir(&c.span),
            Ast::ClassPerl(c) => {
                let st = self.state();
                match (c.kind.clone(), st.unicode) {
                    (ast::ClassPerlKind::Digit, true) => self.out.push_str(if c.negated { "\\P{Nd}" } else { "\\p{Nd}" }),
                    (ast::ClassPerlKind::Digit, false) => self.out.push_str(if c.negated { "\\D" } else { "\\d" }),
                    (ast::ClassPerlKind::Word, false) => self.out.push_str(if c.negated { "\\W" } else { "\\w" }),
                    _ => self.via_hir(&c.span),
                }
            }
            Ast::ClassBracketed(c) => {
                if simple_class(&c.kind) {
                    self.out.push('[');
                    if c.negated {
                        self.out.push('^');
                    }
                    let start = self.out.len();
                    self.class_set(&c.kind);
                    // `-` first or last in a class is literal in RE2 too
                    let body = &self.out[start..];
                    let body = body.strip_prefix("\\-").map(|b| format!("-{b}")).unwrap_or_else(|| body.to_string());
                    let body = match body.strip_suffix("\\-") {
                        Some(b) if !b.ends_with('\\') && !b.is_empty() => format!("{b}-"),
                        _ => body,
                    };
                    self.out.truncate(start);
                    self.out.push_str(&body);
                    self.out.push(']');
                } else {
                    self.via_hir(&c.span)
                }
            }
            Ast::Repetition(r) => {
                let wrap = !matches!(&*r.ast, Ast::Literal(_) | Ast::Dot(_) | Ast::ClassUnicode(_) | Ast::ClassPerl(_) | Ast::ClassBracketed(_) | Ast::Group(_));
                if wrap {
                    self.out.push_str("(?:");
                }
                self.ast(&r.ast);
                if wrap {
                    self.out.push(')');
                }
                let clamp = |p: &mut Self, n: u32| -> u32 {
                    if n > 1000 {
                        p.issue(format!("repetition count {n} exceeds RE2's 1000 and is clamped to 1000"));
                        1000
                    } else {
                        n
                    }
                };
                match &r.op.kind {
                    ast::RepetitionKind::ZeroOrOne => self.out.push('?'),
                    ast::RepetitionKind::ZeroOrMore => self.out.push('*'),
                    ast::RepetitionKind::OneOrMore => self.out.push('+'),
                    ast::RepetitionKind::Range(ast::RepetitionRange::Exactly(n)) => {
                        let n = clamp(self, *n);
                        self.out.push_str(&format!("{{{n}}}"))
                    }
                    ast::RepetitionKind::Range(ast::RepetitionRange::AtLeast(n)) => {
                        let n = clamp(self, *n);
                        self.out.push_str(&format!("{{{n},}}"))
                    }
                    ast::RepetitionKind::Range(ast::RepetitionRange::Bounded(a, b)) => {
                        let (a, b) = (clamp(self, *a), clamp(self, *b));
                        self.out.push_str(&format!("{{{a},{b}}}"))
                    }
                }
                if !r.greedy {
                    self.out.push('?');
                }
            }
            Ast::Group(g) => {
                let saved = self.state();
                self.flags.push(saved);
                match &g.kind {
                    GroupKind::CaptureIndex(_) | GroupKind::CaptureName { .. } => self.out.push_str("(?:"),
                    GroupKind::NonCapturing(f) => {
                        let t = self.flags(f);
                        self.out.push_str(&format!("(?{t}:"));
                    }
                }
                self.ast(&g.ast);
                self.out.push(')');
                self.flags.pop();
            }
            Ast::Alternation(x) => {
                for (i, a) in x.asts.iter().enumerate() {
                    if i > 0 {
                        self.out.push('|');
                    }
                    self.ast(a);
                }
            }
            Ast::Concat(x) => {
                for a in &x.asts {
                    self.ast(a);
                }
            }
        }
    }

    fn assertion(&mut self, x: &ast::Assertion) {
        use ast::AssertionKind as K;
        let unicode = self.state().unicode;
        let t = match x.kind {
            K::StartLine => "^",
            K::EndLine => "$",
            K::StartText => "\\A",
            K::EndText => "\\z",
            K::WordBoundary | K::NotWordBoundary => {
                if unicode {
                    self.issue("`\\b` and `\\B` are Unicode word boundaries in escalade and ASCII ones in RE2");
                }
                if x.kind == K::WordBoundary {
                    "\\b"
                } else {
                    "\\B"
                }
            }
            _ => {
                let text = self.src.get(x.span.start.offset..x.span.end.offset).unwrap_or("");
                self.issue(format!("RE2 cannot parse the word boundary `{text}`; it is exported as `\\b`"));
                "\\b"
            }
        };
        self.out.push_str(t);
    }

    fn class_set(&mut self, s: &ClassSet) {
        if let ClassSet::Item(i) = s {
            self.class_item(i)
        }
    }

    fn class_item(&mut self, i: &ClassSetItem) {
        match i {
            ClassSetItem::Empty(_) => {}
            ClassSetItem::Literal(l) => class_lit(l.c, &mut self.out),
            ClassSetItem::Range(r) => {
                class_lit(r.start.c, &mut self.out);
                self.out.push('-');
                class_lit(r.end.c, &mut self.out);
            }
            ClassSetItem::Ascii(a) => {
                let name = ascii_name(&a.kind);
                self.out.push_str(&format!("[:{}{name}:]", if a.negated { "^" } else { "" }));
            }
            ClassSetItem::Union(u) => {
                for x in &u.items {
                    self.class_item(x);
                }
            }
            // excluded by `simple_class`
            ClassSetItem::Unicode(_) | ClassSetItem::Perl(_) | ClassSetItem::Bracketed(_) => {}
        }
    }
}

/// A bracketed class RE2 reads as Rust does: literals, ranges and ASCII
/// classes only.
fn simple_class(s: &ClassSet) -> bool {
    fn item(i: &ClassSetItem) -> bool {
        match i {
            ClassSetItem::Empty(_) | ClassSetItem::Ascii(_) => true,
            ClassSetItem::Literal(_) | ClassSetItem::Range(_) => true,
            ClassSetItem::Union(u) => !u.items.is_empty() && u.items.iter().all(item),
            ClassSetItem::Unicode(_) | ClassSetItem::Perl(_) | ClassSetItem::Bracketed(_) => false,
        }
    }
    match s {
        ClassSet::Item(i) => !matches!(i, ClassSetItem::Empty(_)) && item(i),
        ClassSet::BinaryOp(_) => false,
    }
}

fn ascii_name(k: &ast::ClassAsciiKind) -> &'static str {
    use ast::ClassAsciiKind as K;
    match k {
        K::Alnum => "alnum",
        K::Alpha => "alpha",
        K::Ascii => "ascii",
        K::Blank => "blank",
        K::Cntrl => "cntrl",
        K::Digit => "digit",
        K::Graph => "graph",
        K::Lower => "lower",
        K::Print => "print",
        K::Punct => "punct",
        K::Space => "space",
        K::Upper => "upper",
        K::Word => "word",
        K::Xdigit => "xdigit",
    }
}
