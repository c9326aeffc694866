//! The parse driver: one top-level declaration (and inside `routes`, one
//! route) at a time, with recovery, limits and targeted help.

use super::ast::{AllowComment, BrokenDecl, Decl, FileAst, Ident};
use super::lower::Lowerer;
use super::phrases::{join_alternatives, phrase};
use crate::diag::Finding;
use crate::source::{FileId, Span};
use pest::error::InputLocation;
use pest::Parser;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/escalade.pest"]
pub struct EscParser;

pub const MAX_FILE_BYTES: usize = 16 * 1024 * 1024;
pub const MAX_LINE_BYTES: usize = 1024 * 1024;
pub const MAX_EXPR_DEPTH: usize = 64;
pub const MAX_BLOCK_DEPTH: usize = 16;

pub const TOP_KEYWORDS: [&str; 10] =
    ["org", "person", "team", "calendar", "hours", "schedule", "policy", "service", "routes", "drill"];

/// Keywords that start a statement in some block; used to explain a
/// trailing comma that swallowed the next statement's keyword.
const STATEMENT_KEYWORDS: &[&str] = &[
    "tz", "severities", "dedup", "auto-resolve", "horizon", "name", "email", "sms", "phone", "chat", "push",
    "works", "members", "lead", "layer", "rotation", "only", "override", "from", "tier", "notify", "handoff",
    "renotify", "escalate", "open", "checkpoint", "repeat", "unresolved", "owner", "policy", "ack-sla",
    "depends-on", "labels", "risk", "when", "to", "set", "also", "suppress", "continue", "at", "alert",
    "resolve", "responder", "expect", "except",
];

pub const RESERVED: [&str; 14] =
    ["and", "or", "not", "in", "matches", "within", "outside", "mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The finding for a file over [`MAX_FILE_BYTES`] (`None`: of unknown
/// size, e.g. a device).
pub fn too_large(file: FileId, size: Option<u64>) -> Finding {
    let what = match size {
        Some(n) => format!("file is {n} bytes; the limit is 16 MiB"),
        None => format!("file is more than {MAX_FILE_BYTES} bytes; the limit is 16 MiB"),
    };
    Finding::new("E0001", Span::new(file, 0, 0), what).with_help("split the workspace into several files")
}

/// Parse one file's text. Never fails: returns what parsed plus findings.
pub fn parse_file(file: FileId, text: &str) -> (FileAst, Vec<Finding>) {
    let mut out = FileAst::default();
    let mut findings = Vec::new();
    if text.len() > MAX_FILE_BYTES {
        findings.push(too_large(file, Some(text.len() as u64)));
        return (out, findings);
    }
    let scan = Scan::new(text);
    if let Some((line_start, len)) = scan.long_line {
        // the line's first character, however many bytes it takes
        let first = text[line_start..].chars().next().map_or(0, char::len_utf8);
        findings.push(
            Finding::new(
                "E0001",
                Span::new(file, line_start, line_start + first),
                format!("line is {len} bytes long; the limit is 1 MiB"),
            )
            .with_help("break the line; no token needs to be this long"),
        );
        return (out, findings);
    }
    if let Some(at) = scan.lone_cr {
        findings.push(
            Finding::new("E0001", Span::new(file, at, at + 1), "a carriage return (CR) without a line feed ends no line: this comment runs on past it")
                .with_help("save the file with LF or CR LF line breaks"),
        );
    }
    out.allows = scan.allows.iter().map(|a| AllowComment { span: Span::new(file, a.1.start, a.1.end), ..a.0.clone() }).collect();

    let mut driver = Driver { file, text, scan: &scan, findings: &mut findings, out: &mut out };
    driver.run();
    (out, findings)
}

struct Driver<'a> {
    file: FileId,
    text: &'a str,
    scan: &'a Scan,
    findings: &'a mut Vec<Finding>,
    out: &'a mut FileAst,
}

impl Driver<'_> {
    fn run(&mut self) {
        let mut pos = if self.text.starts_with('\u{feff}') { 3 } else { 0 };
        loop {
            pos = self.scan.skip_trivia(self.text, pos);
            if pos >= self.text.len() {
                break;
            }
            // where to resume after a broken declaration: only looked for
            // when something is wrong (it scans the whole declaration)
            if let Some((limit, resume)) = self.scan.limit_in_decl(self.text, pos) {
                self.findings.push(limit.finding(self.file));
                self.record_broken(pos);
                pos = resume;
                continue;
            }
            if self.scan.word_at(self.text, pos) == Some("routes") {
                pos = self.parse_routes(pos);
                continue;
            }
            match EscParser::parse(Rule::decl_at, &self.text[pos..]) {
                Ok(mut pairs) => {
                    let Some(top) = pairs.next() else { break };
                    let end = pos + top.as_span().end();
                    let mut lw = Lowerer::new(self.file, pos, self.findings);
                    if let Some(decl_pair) = top.into_inner().next() {
                        if let Some(d) = lw.decl(decl_pair) {
                            self.out.decls.push(d);
                        }
                    }
                    pos = end.max(pos + 1);
                }
                Err(e) => {
                    self.findings.push(syntax_finding(self.file, self.text, pos, &e, self.scan));
                    self.record_broken(pos);
                    pos = self.scan.resume_point(self.text, pos);
                }
            }
        }
    }

    fn record_broken(&mut self, pos: usize) {
        let Some(kind) = self.scan.word_at(self.text, pos) else { return };
        let Some(kind) = TOP_KEYWORDS.iter().find(|k| **k == kind) else { return };
        let after = self.scan.skip_trivia(self.text, pos + kind.len());
        let name = broken_name(self.text, after).map(|(name, end)| Ident { name, span: Span::new(self.file, after, end) });
        self.out.broken.push(BrokenDecl { kind, name });
    }

    /// `routes { route … }`: routes are parsed one by one so that a broken
    /// route costs only itself.
    fn parse_routes(&mut self, start: usize) -> usize {
        let open = match EscParser::parse(Rule::routes_open, &self.text[start..]) {
            Ok(p) => p.last().map(|p| start + p.as_span().end()).unwrap_or(start),
            Err(e) => {
                self.findings.push(syntax_finding(self.file, self.text, start, &e, self.scan));
                return self.scan.resume_point(self.text, start);
            }
        };
        let mut routes = Vec::new();
        let mut pos = open;
        let end;
        loop {
            pos = self.scan.skip_trivia(self.text, pos);
            // a plain look at the next byte: building a pest error for every
            // route just to learn that it is not `}` would be costly
            if self.text.as_bytes().get(pos) == Some(&b'}') {
                end = pos + 1;
                break;
            }
            if let Some((limit, route_resume)) = self.scan.limit_in_route(self.text, pos) {
                self.findings.push(limit.finding(self.file));
                pos = route_resume;
            } else {
                match EscParser::parse(Rule::route_at, &self.text[pos..]) {
                    Ok(mut pairs) => {
                        let Some(top) = pairs.next() else { return self.scan.resume_point(self.text, start) };
                        let route_end = pos + top.as_span().end();
                        let mut lw = Lowerer::new(self.file, pos, self.findings);
                        if let Some(r) = top.into_inner().next().and_then(|p| lw.route(p)) {
                            routes.push(r);
                        }
                        pos = route_end;
                        continue;
                    }
                    Err(e) => {
                        self.findings.push(syntax_finding(self.file, self.text, pos, &e, self.scan));
                        pos = self.scan.route_resume_point(self.text, pos);
                    }
                }
            }
            // after a broken route: stop at a top-level declaration
            let next = self.scan.skip_trivia(self.text, pos);
            if next >= self.text.len() || self.scan.is_top_keyword_at_col1(self.text, next) {
                end = next;
                break;
            }
        }
        let routes_kw = self.scan.word_at(self.text, start).map(|w| w.len()).unwrap_or(6);
        let _ = routes_kw;
        self.out.decls.push(Decl::Routes(super::ast::Routes { routes, span: Span::new(self.file, start, end) }));
        end.max(start + 1)
    }
}

/// Build an E0001 from a pest error, with a phrase list and targeted help.
fn syntax_finding(file: FileId, text: &str, base: usize, e: &pest::error::Error<Rule>, scan: &Scan) -> Finding {
    let at = base
        + match e.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        };
    let at = at.min(text.len());
    let (expected, positives): (Vec<String>, Vec<Rule>) = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut v: Vec<String> = Vec::new();
            for r in positives {
                let p = phrase(*r);
                if !v.contains(&p) {
                    v.push(p);
                }
            }
            (v, positives.clone())
        }
        pest::error::ErrorVariant::CustomError { message } => (vec![message.clone()], vec![]),
    };
    let found = describe_token(text, at);
    let token_end = token_end(text, at);
    let message = if expected.is_empty() {
        format!("unexpected {found}")
    } else {
        format!("expected {}, found {found}", join_alternatives(&expected))
    };
    let mut f = Finding::new("E0001", Span::new(file, at, token_end.max(at)), message)
        .with_label(if at >= text.len() { "file ends here".to_string() } else { "unexpected here".to_string() });
    if let Some(help) = targeted_help(text, base, at, &positives, scan) {
        f = f.with_help(help);
    }
    f
}

fn describe_token(text: &str, at: usize) -> String {
    if at >= text.len() {
        return "end of file".into();
    }
    let end = token_end(text, at);
    let tok = &text[at..end];
    if tok.is_empty() {
        "end of file".into()
    } else {
        // control characters escaped, so that the message prints as one line
        let shown: String = tok.chars().take(40).flat_map(|c| if c.is_control() { c.escape_default().collect::<Vec<_>>() } else { vec![c] }).collect();
        format!("`{shown}`")
    }
}

fn token_end(text: &str, at: usize) -> usize {
    let rest = &text[at.min(text.len())..];
    let mut chars = rest.char_indices();
    let Some((_, first)) = chars.next() else { return at };
    if first.is_alphanumeric() || first == '_' {
        let len = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '-' || *c == ':' || *c == '.'))
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        at + len
    } else if first == '"' {
        let len = rest[1..].find(['"', '\n']).map(|i| i + 2).unwrap_or(rest.len());
        at + len.min(rest.len())
    } else {
        at + first.len_utf8()
    }
}

/// The word that ends right before `at` (skipping whitespace and comments
/// is not needed: we look back over plain whitespace).
fn prev_tokens(text: &str, at: usize) -> Vec<&str> {
    let before = &text[..at];
    let mut toks = Vec::new();
    let mut end = before.len();
    for _ in 0..3 {
        let trimmed = before[..end].trim_end();
        end = trimmed.len();
        if end == 0 {
            break;
        }
        let last = trimmed.chars().last().unwrap_or(' ');
        let start = if last == ',' || last == '{' || last == '}' {
            end - 1
        } else {
            trimmed
                .char_indices()
                .rev()
                .find(|(_, c)| c.is_whitespace() || *c == ',' || *c == '{' || *c == '}')
                .map(|(i, c)| i + c.len_utf8())
                .unwrap_or(0)
        };
        toks.push(&trimmed[start..end]);
        end = start;
    }
    toks
}

/// The name a broken declaration declares, with its end: the word at
/// `at`, read through look-alike characters (`аlice` with a Cyrillic `а`)
/// and folded to the ASCII it imitates, so that references to `alice` are
/// not reported again (the declaration already has its E0001).
fn broken_name(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = text.get(at..)?;
    let end = rest
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || crate::confusable::lookalike(*c).is_some_and(|(a, _)| a.chars().all(|x| x.is_ascii_alphanumeric()))))
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let name = crate::confusable::skeleton(&rest[..end]);
    name.starts_with(|c: char| c.is_ascii_lowercase()).then_some((name, at + end))
}

/// The word around the character at `at`, look-alike characters included:
/// what a person reads as one token; just that character when it is no
/// part of a word.
fn word_around(text: &str, at: usize) -> &str {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-' || crate::confusable::lookalike(c).is_some_and(|(a, _)| a != " ");
    let Some(here) = text[at..].chars().next() else { return "" };
    if !part(here) {
        return &text[at..at + here.len_utf8()];
    }
    let start = text[..at].char_indices().rev().take_while(|(_, c)| part(*c)).last().map_or(at, |(i, _)| i);
    let end = text[at..].char_indices().find(|(_, c)| !part(*c)).map_or(text.len(), |(i, _)| at + i);
    &text[start..end.max(at)]
}

fn targeted_help(text: &str, base: usize, at: usize, positives: &[Rule], scan: &Scan) -> Option<String> {
    // a character that looks like ASCII but is not (pasted text)
    let here = text.get(at..).and_then(|r| r.chars().next());
    if let Some(c) = here.filter(|c| c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\r')) {
        return Some(format!("{} is not allowed outside strings and comments: remove it", crate::confusable::describe(c)));
    }
    if let Some(c) = here.filter(|c| !c.is_ascii()) {
        let word = word_around(text, at);
        return Some(crate::confusable::token_help(word).unwrap_or_else(|| {
            format!(
                "{} is not ASCII: outside strings and comments only ASCII is read (names are `[a-z][a-z0-9_-]*`)",
                crate::confusable::describe(c)
            )
        }));
    }
    let prev = prev_tokens(text, at);
    let cur = &text[at..token_end(text, at)];
    let cur_is_duration = cur.chars().next().is_some_and(|c| c.is_ascii_digit())
        && cur.chars().any(|c| c.is_ascii_alphabetic())
        && !cur.contains(':');
    // trailing comma made a statement keyword a list item
    if let [kw, ",", item, ..] = prev.as_slice() {
        if STATEMENT_KEYWORDS.contains(kw) && !item.is_empty() {
            return Some(format!("a trailing comma made `{kw}` a list item; remove the comma after `{item}`"));
        }
    }
    if positives.contains(&Rule::k_after) && cur_is_duration {
        if let Some(p) = prev.first() {
            return Some(format!("write `{p} after {cur}`"));
        }
    }
    if positives.contains(&Rule::k_every) && cur_is_duration {
        if let Some(p) = prev.first() {
            return Some(format!("write `{p} every {cur}`"));
        }
    }
    if positives.contains(&Rule::channel) || (positives.contains(&Rule::k_email) && prev.first() == Some(&"via")) {
        return Some(format!("`{cur}` is not a channel; channels are `email`, `sms`, `phone`, `chat` and `push`"));
    }
    if cur == "-" {
        if let Some(p) = prev.first() {
            let rest = scan.skip_trivia(text, at + 1);
            let next = &text[rest..token_end(text, rest)];
            if RESERVED[7..].contains(p) && RESERVED[7..].contains(&next) {
                return Some(format!("write `{p}-{next}`: a day range is one token without spaces"));
            }
        }
    }
    if cur_is_duration {
        if let Some(p) = prev.first() {
            if p.chars().next().is_some_and(|c| c.is_ascii_digit()) && p.chars().last().is_some_and(|c| c.is_ascii_alphabetic()) {
                return Some(format!("write `{p}{cur}`: a duration is one token without spaces"));
            }
        }
    }
    if positives.contains(&Rule::rb) {
        let at_top = at >= text.len() || scan.is_top_keyword_at_col1(text, at);
        if at_top {
            if let Some(open) = scan.innermost_open_brace(text, base, at) {
                let line = text[..open].bytes().filter(|b| *b == b'\n').count() + 1;
                return Some(format!("the block opened at line {line} is never closed; add a `}}`"));
            }
        }
    }
    if cur.starts_with('"') && cur.contains('\r') {
        return Some("a string cannot hold a carriage return (CR): remove it".into());
    }
    if cur.len() > 1 && cur.starts_with('"') && !cur.ends_with('"') {
        return Some("this string is never closed: a string ends with `\"` on the line where it starts".into());
    }
    if positives.contains(&Rule::duration) && !cur.is_empty() && cur.bytes().all(|b| b.is_ascii_digit()) {
        return Some(format!("a duration needs a unit: `{cur}m`, `{cur}s`, `{cur}h`, …"));
    }
    if positives.contains(&Rule::duration) && cur == "-" {
        return Some("durations are never negative".into());
    }
    if (positives.contains(&Rule::name) || positives.contains(&Rule::ref_name))
        && cur.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            return Some("names are lower case: `[a-z][a-z0-9_-]*`".into());
        }
    None
}

// ------------------------------------------------------------- lexical scan

/// A parser limit that was exceeded somewhere in the file.
#[derive(Debug, Clone)]
pub struct LimitHit {
    pub at: usize,
    pub message: String,
}

impl LimitHit {
    fn finding(&self, file: FileId) -> Finding {
        Finding::new("E0001", Span::new(file, self.at, self.at + 1), self.message.clone())
            .with_help("simplify the declaration: deep nesting is not needed to express any policy")
    }
}

/// One pass over the bytes that knows strings and comments: top-level
/// keyword positions, limit violations and allow comments.
pub struct Scan {
    /// byte offsets of the start of every token that is a top-level keyword at column 1
    col1_keywords: Vec<usize>,
    /// offsets of every `route` word that is the first token on its line
    route_lines: Vec<usize>,
    limits: Vec<LimitHit>,
    long_line: Option<(usize, usize)>,
    /// the first CR not followed by LF inside a comment: it breaks no line,
    /// so the comment runs on past it (a file with old Mac line breaks)
    lone_cr: Option<usize>,
    allows: Vec<(AllowComment, std::ops::Range<usize>)>,
}

impl Scan {
    pub fn new(text: &str) -> Scan {
        let bytes = text.as_bytes();
        let mut s = Scan { col1_keywords: vec![], route_lines: vec![], limits: vec![], long_line: None, lone_cr: None, allows: vec![] };
        let mut i = 0;
        let mut line_start = 0;
        let mut line_no = 1;
        let mut paren = 0usize;
        let mut brace = 0usize;
        let mut first_on_line = true;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'\n' => {
                    if i - line_start > MAX_LINE_BYTES && s.long_line.is_none() {
                        s.long_line = Some((line_start, i - line_start));
                    }
                    line_start = i + 1;
                    line_no += 1;
                    first_on_line = true;
                    i += 1;
                    continue;
                }
                b'#' => {
                    let end = memchr_nl(bytes, i);
                    if let Some(a) = parse_allow(&text[i..end], line_no) {
                        s.allows.push((a, i..end));
                    }
                    if s.lone_cr.is_none() {
                        s.lone_cr = bytes[i..end].iter().enumerate().find(|&(k, &b)| b == b'\r' && i + k + 1 < end).map(|(k, _)| i + k);
                    }
                    i = end;
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                            i += 1;
                        }
                        i += 1;
                    }
                    if i < bytes.len() && bytes[i] == b'"' {
                        i += 1;
                    }
                    first_on_line = false;
                    continue;
                }
                b'(' => {
                    paren += 1;
                    if paren == MAX_EXPR_DEPTH + 1 {
                        s.limits.push(LimitHit { at: i, message: format!("parentheses nest more than {MAX_EXPR_DEPTH} deep") });
                    }
                }
                b')' => paren = paren.saturating_sub(1),
                b'{' => {
                    brace += 1;
                    if brace == MAX_BLOCK_DEPTH + 1 {
                        s.limits.push(LimitHit { at: i, message: format!("blocks nest more than {MAX_BLOCK_DEPTH} deep") });
                    }
                }
                b'}' => {
                    brace = brace.saturating_sub(1);
                    if brace == 0 {
                        paren = 0;
                    }
                }
                b'a'..=b'z' => {
                    let start = i;
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] == b'-') {
                        i += 1;
                    }
                    let w = &text[start..i];
                    if start == line_start && TOP_KEYWORDS.contains(&w) {
                        s.col1_keywords.push(start);
                    }
                    if first_on_line && w == "route" {
                        s.route_lines.push(start);
                    }
                    first_on_line = false;
                    continue;
                }
                b' ' | b'\t' | b'\r' => {
                    i += 1;
                    continue;
                }
                _ => {}
            }
            first_on_line = false;
            i += 1;
        }
        if bytes.len() - line_start > MAX_LINE_BYTES && s.long_line.is_none() {
            s.long_line = Some((line_start, bytes.len() - line_start));
        }
        s
    }

    /// Skip whitespace and comments.
    pub fn skip_trivia(&self, text: &str, mut pos: usize) -> usize {
        let bytes = text.as_bytes();
        while pos < bytes.len() {
            match bytes[pos] {
                b' ' | b'\t' | b'\r' | b'\n' => pos += 1,
                b'#' => pos = memchr_nl(bytes, pos),
                _ => break,
            }
        }
        pos
    }

    pub fn word_at<'t>(&self, text: &'t str, pos: usize) -> Option<&'t str> {
        let rest = text.get(pos..)?;
        let len = rest
            .bytes()
            .position(|b| !(b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-'))
            .unwrap_or(rest.len());
        (len > 0 && rest.as_bytes()[0].is_ascii_lowercase()).then(|| &rest[..len])
    }

    pub fn is_top_keyword_at_col1(&self, _text: &str, pos: usize) -> bool {
        self.col1_keywords.binary_search(&pos).is_ok()
    }

    fn next_col1_keyword(&self, after: usize) -> Option<usize> {
        let i = self.col1_keywords.partition_point(|&p| p <= after);
        self.col1_keywords.get(i).copied()
    }

    /// Offset just past the `}` balancing the first `{` at or after `pos`.
    fn balancing_brace(&self, text: &str, pos: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut i = pos;
        let mut depth = 0usize;
        while i < bytes.len() {
            match bytes[i] {
                b'#' => {
                    i = memchr_nl(bytes, i);
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        if bytes[i] == b'\\' && i + 1 < bytes.len() && bytes[i + 1] != b'\n' {
                            i += 1;
                        }
                        i += 1;
                    }
                }
                b'{' => depth += 1,
                b'}' => {
                    if depth <= 1 {
                        return (depth == 1).then_some(i + 1);
                    }
                    depth -= 1;
                }
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// Where parsing resumes after a broken declaration starting at `pos`:
    /// the next top-level keyword at column 1, or one following the `}`
    /// that balances the declaration's `{`.
    pub fn resume_point(&self, text: &str, pos: usize) -> usize {
        let col1 = self.next_col1_keyword(pos).unwrap_or(text.len());
        if let Some(after) = self.balancing_brace(text, pos) {
            if after < col1 {
                let next = self.skip_trivia(text, after);
                if next >= text.len() || self.word_at(text, next).is_some_and(|w| TOP_KEYWORDS.contains(&w)) {
                    return next;
                }
            }
        }
        col1
    }

    /// Inside `routes`: the next `route` starting a line, or the end of the
    /// broken route's block, or a top-level keyword at column 1.
    pub fn route_resume_point(&self, text: &str, pos: usize) -> usize {
        let col1 = self.next_col1_keyword(pos).unwrap_or(text.len());
        let i = self.route_lines.partition_point(|&p| p <= pos);
        let next_route = self.route_lines.get(i).copied().unwrap_or(text.len());
        let mut best = col1.min(next_route);
        if let Some(after) = self.balancing_brace(text, pos) {
            best = best.min(after);
        }
        best
    }

    fn limit_between(&self, a: usize, b: usize) -> Option<&LimitHit> {
        self.limits.iter().find(|l| l.at >= a && l.at < b)
    }

    /// A limit exceeded in the declaration starting at `pos`, with the
    /// point to resume at (nothing to look for in a file within limits).
    fn limit_in_decl(&self, text: &str, pos: usize) -> Option<(LimitHit, usize)> {
        if self.limits.is_empty() {
            return None;
        }
        let resume = self.resume_point(text, pos);
        self.limit_between(pos, resume).map(|l| (l.clone(), resume))
    }

    /// The same for the route starting at `pos`.
    fn limit_in_route(&self, text: &str, pos: usize) -> Option<(LimitHit, usize)> {
        if self.limits.is_empty() {
            return None;
        }
        let resume = self.route_resume_point(text, pos);
        self.limit_between(pos, resume).map(|l| (l.clone(), resume))
    }

    /// The innermost `{` opened between `from` and `at` and not closed.
    fn innermost_open_brace(&self, text: &str, from: usize, at: usize) -> Option<usize> {
        let bytes = text.as_bytes();
        let mut stack = Vec::new();
        let mut i = from;
        while i < at.min(bytes.len()) {
            match bytes[i] {
                b'#' => {
                    i = memchr_nl(bytes, i);
                    continue;
                }
                b'"' => {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += 1;
                    }
                }
                b'{' => stack.push(i),
                b'}' => {
                    stack.pop();
                }
                _ => {}
            }
            i += 1;
        }
        stack.last().copied()
    }
}

fn memchr_nl(bytes: &[u8], from: usize) -> usize {
    bytes[from..].iter().position(|&b| b == b'\n').map(|p| from + p).unwrap_or(bytes.len())
}

/// `# escalade: allow CODE[, CODE…] [reason]`
fn parse_allow(comment: &str, line: usize) -> Option<AllowComment> {
    let rest = comment.trim_start_matches('#').trim_start();
    let rest = rest.strip_prefix("escalade:")?.trim_start();
    let rest = rest.strip_prefix("allow")?;
    let mut codes = Vec::new();
    for part in rest.split(',') {
        let tok = part.split_whitespace().next().unwrap_or("");
        if tok.len() == 5 && tok.as_bytes()[0].is_ascii_alphabetic() && tok[1..].bytes().all(|b| b.is_ascii_digit()) {
            codes.push(tok.to_ascii_uppercase());
        } else {
            break;
        }
        if part.split_whitespace().count() > 1 {
            break;
        }
    }
    (!codes.is_empty()).then_some(AllowComment { line, codes, span: Span::default() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_comments() {
        let a = parse_allow("# escalade: allow W0901, W0203 reason here", 3).unwrap();
        assert_eq!(a.codes, vec!["W0901", "W0203"]);
        assert_eq!(a.line, 3);
        assert!(parse_allow("# nothing", 1).is_none());
    }

    #[test]
    fn resume_after_broken_decl() {
        let text = "person a { email 5 }\nperson b { email \"x\" }\n";
        let scan = Scan::new(text);
        assert_eq!(scan.resume_point(text, 0), 21);
    }
}
