//! Route conditions as a small tree: a proptest strategy that builds them
//! from the names a workspace declares, a renderer to `.esc` text, and a
//! direct recursive evaluation (SPEC §3.8) that the compiled evaluator of
//! `escalade::sim::route_eval` is compared with.

use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

/// A field of a comparison (severity is compared by rank).
#[derive(Debug, Clone, PartialEq)]
pub enum Field {
    Severity,
    Service,
    Summary,
    Source,
    Team,
    Label(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Ge,
    Gt,
    Le,
    Lt,
}

impl Op {
    fn text(self) -> &'static str {
        match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Ge => ">=",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Lt => "<",
        }
    }
}

/// One weekly window: days (mon = 0) and minutes `[start, end)`; an end
/// before the start wraps past midnight into the next day.
#[derive(Debug, Clone, PartialEq)]
pub struct Window {
    pub days: Vec<&'static str>,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Hours {
    Windows(Vec<Window>),
    /// index of a declared `hours` block
    Named(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub enum C {
    /// severity comparisons take a severity index, the others a string
    Cmp(Field, Op, Val),
    In(Field, Vec<Val>),
    Matches(Field, &'static str),
    Within(Hours),
    Outside(Hours),
    Not(Box<C>),
    And(Vec<C>),
    Or(Vec<C>),
    /// redundant parentheses
    Paren(Box<C>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Sev(usize),
    Str(&'static str),
}

/// What conditions may name.
#[derive(Debug, Clone)]
pub struct Vocab {
    pub severities: Vec<String>,
    pub hours: usize,
    pub services: Vec<&'static str>,
    pub teams: Vec<&'static str>,
}

pub const STRINGS: &[&str] = &["", "eu", "us", "prod", "staging", "x y", "é ü", "disk full", "CPU high", "a\"b", "back\\slash", "tab\tin"];
pub const LABEL_KEYS: &[&str] = &["region", "env", "k-1", "_x", "app.kubernetes.io/name", "Zone"];
pub const PATTERNS: &[&str] = &["", "^e", "u$", "(?i)cpu", "dis[kc]", "^$", "\\d+", "é", "a|b", "^(eu|us)$", "\\s", "full$"];
pub const DAYS: &[&str] = &["mon", "tue", "wed", "thu", "fri", "sat", "sun", "mon-fri", "sat-sun", "fri-mon", "mon-mon", "sun-tue"];
pub const CLOCKS: &[u32] = &[0, 390, 540, 735, 1020, 1320, 1439];

fn clock(m: u32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

pub fn window() -> impl Strategy<Value = Window> {
    (proptest::collection::vec(select(DAYS), 1..3), select(CLOCKS), prop_oneof![4 => select(CLOCKS), 1 => Just(1440u32)]).prop_map(|(days, start, end)| {
        // an empty range is E0102: move the end
        let end = if end == start { if start == 0 { 1440 } else { 0 } } else { end };
        Window { days, start, end }
    })
}

pub fn windows() -> impl Strategy<Value = Vec<Window>> {
    proptest::collection::vec(window(), 1..3)
}

fn hours(n_hours: usize) -> BoxedStrategy<Hours> {
    if n_hours == 0 {
        windows().prop_map(Hours::Windows).boxed()
    } else {
        prop_oneof![windows().prop_map(Hours::Windows), (0..n_hours).prop_map(Hours::Named)].boxed()
    }
}

fn text_field() -> BoxedStrategy<Field> {
    prop_oneof![
        1 => Just(Field::Service),
        1 => Just(Field::Summary),
        1 => Just(Field::Source),
        1 => Just(Field::Team),
        2 => select(LABEL_KEYS).prop_map(|k| Field::Label(k.to_string())),
    ]
    .boxed()
}

/// A string value for a text field: names of services and teams are
/// likely, so that comparisons are sometimes true.
fn text_val(v: &Vocab) -> BoxedStrategy<Val> {
    let mut pool: Vec<&'static str> = STRINGS.to_vec();
    pool.extend(v.services.iter().copied());
    pool.extend(v.teams.iter().copied());
    select(pool).prop_map(Val::Str).boxed()
}

fn leaf(v: &Vocab) -> BoxedStrategy<C> {
    let ns = v.severities.len();
    let sev = (0..ns).prop_map(Val::Sev);
    let ops = select(&[Op::Eq, Op::Ne, Op::Ge, Op::Gt, Op::Le, Op::Lt][..]);
    prop_oneof![
        3 => (ops, sev.clone()).prop_map(|(op, s)| C::Cmp(Field::Severity, op, s)),
        4 => (text_field(), select(&[Op::Eq, Op::Ne][..]), text_val(v)).prop_map(|(f, op, s)| C::Cmp(f, op, s)),
        1 => proptest::collection::vec(sev, 1..4).prop_map(|vals| C::In(Field::Severity, vals)),
        2 => (text_field(), proptest::collection::vec(text_val(v), 1..4)).prop_map(|(f, vals)| C::In(f, vals)),
        2 => (text_field(), select(PATTERNS)).prop_map(|(f, p)| C::Matches(f, p)),
        1 => hours(v.hours).prop_map(C::Within),
        1 => hours(v.hours).prop_map(C::Outside),
    ]
    .boxed()
}

/// Conditions up to `depth` levels deep, of about `size` leaves at most.
pub fn cond(v: &Vocab, depth: u32, size: u32) -> BoxedStrategy<C> {
    leaf(v)
        .prop_recursive(depth, size, 3, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| C::Not(Box::new(c))),
                proptest::collection::vec(inner.clone(), 2..4).prop_map(C::And),
                proptest::collection::vec(inner.clone(), 2..4).prop_map(C::Or),
                inner.prop_map(|c| C::Paren(Box::new(c))),
            ]
        })
        .boxed()
}

// ---------------------------------------------------------------- text

/// A string literal of the language (SPEC §2 "Strings"); backslashes are
/// always doubled, so regexes reach the engine as written here.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `labels.KEY`, quoting a key that is not bare (§2 "Label keys").
fn label_ref(k: &str) -> String {
    let bare = k.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if bare {
        format!("labels.{k}")
    } else {
        format!("labels.{}", quote(k))
    }
}

fn field_text(f: &Field) -> String {
    match f {
        Field::Severity => "severity".into(),
        Field::Service => "service".into(),
        Field::Summary => "summary".into(),
        Field::Source => "source".into(),
        Field::Team => "team".into(),
        Field::Label(k) => label_ref(k),
    }
}

fn val_text(v: &Val, sevs: &[String]) -> String {
    match v {
        Val::Sev(i) => sevs[*i].clone(),
        Val::Str(s) => quote(s),
    }
}

pub fn window_tokens(ws: &[Window], out: &mut Vec<String>) {
    for (i, w) in ws.iter().enumerate() {
        if i > 0 {
            out.push(",".into());
        }
        for (j, d) in w.days.iter().enumerate() {
            if j > 0 {
                out.push(",".into());
            }
            out.push(d.to_string());
        }
        out.push(format!("{}-{}", clock(w.start), if w.end == 1440 { "24:00".into() } else { clock(w.end) }));
    }
}

fn hours_tokens(h: &Hours, out: &mut Vec<String>) {
    match h {
        Hours::Windows(ws) => window_tokens(ws, out),
        Hours::Named(i) => out.push(format!("h{i}")),
    }
}

fn prec(c: &C) -> u8 {
    match c {
        C::Or(_) => 0,
        C::And(_) => 1,
        _ => 2,
    }
}

/// The tokens of a condition; parentheses where precedence needs them.
pub fn tokens(c: &C, sevs: &[String], out: &mut Vec<String>) {
    fn go(c: &C, min: u8, sevs: &[String], out: &mut Vec<String>) {
        let wrap = prec(c) < min;
        if wrap {
            out.push("(".into());
        }
        match c {
            C::Cmp(f, op, v) => {
                out.push(field_text(f));
                out.push(op.text().into());
                out.push(val_text(v, sevs));
            }
            C::In(f, vs) => {
                out.push(field_text(f));
                out.push("in".into());
                out.push("[".into());
                for (i, v) in vs.iter().enumerate() {
                    if i > 0 {
                        out.push(",".into());
                    }
                    out.push(val_text(v, sevs));
                }
                out.push("]".into());
            }
            C::Matches(f, p) => {
                out.push(field_text(f));
                out.push("matches".into());
                out.push(quote(p));
            }
            C::Within(h) | C::Outside(h) => {
                out.push(if matches!(c, C::Within(_)) { "within" } else { "outside" }.into());
                hours_tokens(h, out);
            }
            C::Not(x) => {
                out.push("not".into());
                go(x, 2, sevs, out);
            }
            C::And(xs) | C::Or(xs) => {
                let (kw, child) = if matches!(c, C::And(_)) { ("and", 2) } else { ("or", 1) };
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push(kw.into());
                    }
                    go(x, child, sevs, out);
                }
            }
            C::Paren(x) => {
                out.push("(".into());
                go(x, 0, sevs, out);
                out.push(")".into());
            }
        }
        if wrap {
            out.push(")".into());
        }
    }
    go(c, 0, sevs, out)
}

// ------------------------------------------------------------ reference

/// An alert as the reference sees it.
#[derive(Debug, Clone)]
pub struct Alert {
    pub service: &'static str,
    pub summary: Option<&'static str>,
    pub source: Option<&'static str>,
    pub labels: BTreeMap<String, String>,
    /// Unix seconds
    pub at: i64,
}

/// Service facts the conditions read.
#[derive(Debug, Clone, Default)]
pub struct SvcInfo {
    pub owner: Option<&'static str>,
    /// in written order; later duplicates win
    pub labels: Vec<(&'static str, &'static str)>,
}

/// Everything a condition is evaluated against, besides the alert.
pub struct World<'a> {
    pub services: &'a BTreeMap<&'static str, SvcInfo>,
    /// `hours` blocks: (UTC offset in seconds, windows)
    pub hours: &'a [(i64, Vec<Window>)],
    /// the org zone's UTC offset, for inline windows
    pub org_offset: i64,
}

fn day_index(d: &str) -> usize {
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].iter().position(|x| *x == d).unwrap_or(0)
}

/// The days a day spec covers (mon = 0), wrapping ranges included.
fn day_mask(spec: &str) -> [bool; 7] {
    let (a, b) = spec.split_once('-').unwrap_or((spec, spec));
    let (a, b) = (day_index(a), day_index(b));
    let mut m = [false; 7];
    let mut d = a;
    loop {
        m[d] = true;
        if d == b {
            break;
        }
        d = (d + 1) % 7;
    }
    m
}

/// Is the instant inside the windows, read at a fixed UTC offset?
pub fn in_windows(ws: &[Window], offset: i64, at: i64) -> bool {
    let local = at + offset;
    let days = local.div_euclid(86_400);
    // 1970-01-01 was a Thursday (index 3)
    let wd = (days + 3).rem_euclid(7) as usize;
    let prev = (wd + 6) % 7;
    let minute = (local.rem_euclid(86_400) / 60) as u32;
    ws.iter().any(|w| {
        let mut mask = [false; 7];
        for d in &w.days {
            for (i, x) in day_mask(d).iter().enumerate() {
                mask[i] |= *x;
            }
        }
        if w.start < w.end {
            mask[wd] && w.start <= minute && minute < w.end
        } else {
            (mask[wd] && minute >= w.start) || (mask[prev] && minute < w.end)
        }
    })
}

/// The value of a text field, with the labels the routes set so far.
fn text_value<'a>(f: &Field, a: &'a Alert, w: &'a World, sets: &'a [(String, String)]) -> Option<&'a str> {
    let svc = w.services.get(a.service);
    match f {
        Field::Severity => None,
        Field::Service => Some(a.service),
        Field::Summary => a.summary,
        Field::Source => a.source,
        Field::Team => svc.and_then(|s| s.owner),
        Field::Label(k) => sets
            .iter()
            .rev()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.as_str())
            .or_else(|| a.labels.get(k).map(String::as_str))
            .or_else(|| svc.and_then(|s| s.labels.iter().rev().find(|(x, _)| x == k).map(|(_, v)| *v))),
    }
}

/// SPEC §3.8, directly: rank 0 is the most severe; a missing value makes
/// everything but `!=` false.
pub fn eval(c: &C, a: &Alert, sev: Option<usize>, w: &World, sets: &[(String, String)]) -> bool {
    match c {
        C::Cmp(Field::Severity, op, Val::Sev(r)) => match sev {
            None => *op == Op::Ne,
            Some(s) => match op {
                Op::Eq => s == *r,
                Op::Ne => s != *r,
                Op::Ge => s <= *r,
                Op::Gt => s < *r,
                Op::Le => s >= *r,
                Op::Lt => s > *r,
            },
        },
        C::Cmp(f, op, Val::Str(v)) => match text_value(f, a, w, sets) {
            None => *op == Op::Ne,
            Some(x) => match op {
                Op::Eq => x == *v,
                Op::Ne => x != *v,
                _ => unreachable!("the generator compares text with == and != only"),
            },
        },
        C::Cmp(..) => unreachable!("the generator pairs severity with severity values"),
        C::In(Field::Severity, vals) => sev.is_some_and(|s| vals.contains(&Val::Sev(s))),
        C::In(f, vals) => text_value(f, a, w, sets).is_some_and(|x| vals.iter().any(|v| matches!(v, Val::Str(s) if *s == x))),
        C::Matches(f, p) => text_value(f, a, w, sets).is_some_and(|x| regex_of(p).is_match(x)),
        C::Within(h) => within(h, a.at, w),
        C::Outside(h) => !within(h, a.at, w),
        C::Not(x) => !eval(x, a, sev, w, sets),
        C::And(xs) => xs.iter().all(|x| eval(x, a, sev, w, sets)),
        C::Or(xs) => xs.iter().any(|x| eval(x, a, sev, w, sets)),
        C::Paren(x) => eval(x, a, sev, w, sets),
    }
}

/// The compiled `PATTERNS`, compiled once.
fn regex_of(p: &str) -> &'static regex::Regex {
    static RES: std::sync::OnceLock<Vec<regex::Regex>> = std::sync::OnceLock::new();
    let res = RES.get_or_init(|| PATTERNS.iter().map(|p| regex::Regex::new(p).expect("the test's patterns compile")).collect());
    let i = PATTERNS.iter().position(|x| *x == p).expect("a pattern of PATTERNS");
    &res[i]
}

fn within(h: &Hours, at: i64, w: &World) -> bool {
    match h {
        Hours::Windows(ws) => in_windows(ws, w.org_offset, at),
        Hours::Named(i) => w.hours.get(*i).is_some_and(|(off, ws)| in_windows(ws, *off, at)),
    }
}
