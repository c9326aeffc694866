//! The timeline readers against a direct reading of SPEC §5 "Timeline" and
//! "Rejected events": events are built as values (a valid alert, ack or
//! resolve, then a few fields removed, retyped, repeated or added), written
//! as JSON Lines, a JSON document or a YAML document, read back, and every
//! line must come out as the event the test expects or as a rejection at
//! that line; the counts add up.

use escalade::sim::event::{AlertEvent, Event, EventKind, Rejected};
use escalade::sim::timeline::{Format, OpenError, Timeline};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use std::collections::BTreeMap;
use std::io::Cursor;

/// A JSON/YAML value as written; maps keep their order and duplicates.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Str(String),
    Int(i64),
    /// a float, by its text (which both formats read back unchanged)
    Float(&'static str),
    Bool(bool),
    Null,
    List(Vec<V>),
    Map(Vec<(String, V)>),
}

/// 2026-07-01T00:00:00Z
const BASE: i64 = 1_782_864_000;

const IDS: &[&str] = &["A1", "b-2", "x y", "é", "0"];
const TEXTS: &[&str] = &["", " ", "eu", "sev1", "P1", "disk full", "a\"b", "back\\slash", "tab\tnew\nline", "日本", "😀", "nul\u{0}"];
const FLOATS: &[&str] = &["1.5", "-2.5", "0.25"];
const KEYS: &[&str] = &[
    "at", "alert", "ack", "resolve", "service", "severity", "summary", "source", "labels", "fingerprint", "by", "extra", "Alert", "",
];
const INVALID_TIMES: &[&str] = &[
    "2026-02-30T00:00:00Z",
    "2026-07-01T25:00:00Z",
    "2026-13-01T00:00:00Z",
    "2026-07-01",
    "2026-07-01T02:14:00+24:00",
    "yesterday",
    "",
    "1782864000",
    "2026-07-01T02:14:00 Z",
];

/// An `at` text: either a valid time (instant, had an offset) or not.
#[derive(Debug, Clone)]
pub struct At {
    text: String,
    value: Option<(i64, bool)>,
}

fn at() -> impl Strategy<Value = At> {
    let valid = (0i64..600, 0usize..7).prop_map(|(minute, form)| {
        let t = BASE + minute * 60;
        let utc = chrono::DateTime::from_timestamp(t, 0).expect("in range").naive_utc();
        let plus2 = utc + chrono::Duration::hours(2);
        let minus530 = utc - chrono::Duration::minutes(330);
        let (text, offset) = match form {
            0 => (utc.format("%Y-%m-%dT%H:%M:%SZ").to_string(), true),
            1 => (plus2.format("%Y-%m-%dt%H:%M:%S+02:00").to_string(), true),
            // no offset: read in the org zone (UTC here), noticed once
            2 => (utc.format("%Y-%m-%d %H:%M").to_string(), false),
            3 => (utc.format("%Y-%m-%dT%H:%M:%S.250Z").to_string(), true),
            4 => (minus530.format("%Y-%m-%dT%H:%M-05:30").to_string(), true),
            5 => (utc.format(" %Y-%m-%dT%H:%M:%Sz ").to_string(), true),
            _ => (utc.format("%Y-%m-%dT%H:%M:%S").to_string(), false),
        };
        At { text, value: Some((t, offset)) }
    });
    prop_oneof![12 => valid, 1 => select(INVALID_TIMES).prop_map(|s| At { text: s.into(), value: None })]
}

fn text() -> impl Strategy<Value = V> {
    select(TEXTS).prop_map(|s| V::Str(s.into()))
}

/// Any value, mostly scalars.
fn value() -> impl Strategy<Value = V> {
    let scalar = prop_oneof![
        3 => text(),
        1 => select(IDS).prop_map(|s| V::Str(s.into())),
        1 => (-5i64..100).prop_map(V::Int),
        1 => select(FLOATS).prop_map(V::Float),
        1 => any::<bool>().prop_map(V::Bool),
        1 => Just(V::Null),
    ];
    scalar.prop_recursive(2, 6, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(V::List),
            proptest::collection::vec((select(IDS).prop_map(String::from), inner), 0..3).prop_map(V::Map),
        ]
    })
}

fn id() -> impl Strategy<Value = V> {
    prop_oneof![4 => select(IDS).prop_map(|s| V::Str(s.into())), 1 => (0i64..1000).prop_map(V::Int)]
}

fn labels() -> impl Strategy<Value = V> {
    let label_value = prop_oneof![6 => text(), 1 => (-5i64..100).prop_map(V::Int), 1 => any::<bool>().prop_map(V::Bool), 1 => select(FLOATS).prop_map(V::Float)];
    proptest::collection::vec((select(&["region", "env", "k", "é", ""][..]).prop_map(String::from), label_value), 0..4).prop_map(V::Map)
}

/// A valid event, fields in random order.
fn valid_event() -> impl Strategy<Value = (At, Vec<(String, V)>)> {
    let opt_text = || proptest::option::of(text());
    let alert = (id(), select(&["api", "web", "payments-api", "日本", "0"][..]), proptest::option::of(text()), opt_text(), opt_text(), proptest::option::of(labels()), opt_text()).prop_map(
        |(id, svc, sev, summary, source, labels, fp)| {
            let mut v = vec![("alert".to_string(), id), ("service".to_string(), V::Str(svc.into()))];
            for (k, x) in [("severity", sev), ("summary", summary), ("source", source), ("labels", labels), ("fingerprint", fp)] {
                if let Some(x) = x {
                    v.push((k.into(), x));
                }
            }
            v
        },
    );
    let ack = (id(), proptest::option::of(prop_oneof![Just(V::Str("alice".into())), text()])).prop_map(|(id, by)| {
        let mut v = vec![("ack".to_string(), id)];
        if let Some(b) = by {
            v.push(("by".into(), b));
        }
        v
    });
    let resolve = id().prop_map(|id| vec![("resolve".to_string(), id)]);
    (at(), prop_oneof![3 => alert, 1 => ack, 1 => resolve]).prop_flat_map(|(at, mut fields)| {
        fields.push(("at".into(), V::Str(at.text.clone())));
        (Just(at), Just(fields).prop_shuffle())
    })
}

#[derive(Debug, Clone)]
enum Mutation {
    Remove(Index),
    Retype(Index, V),
    Repeat(Index),
    Add(Index, &'static str, V),
    /// a label value replaced
    Label(Index, V),
    /// the whole event replaced by another value
    NotAMap(V),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => any::<Index>().prop_map(Mutation::Remove),
        3 => (any::<Index>(), value()).prop_map(|(i, v)| Mutation::Retype(i, v)),
        1 => any::<Index>().prop_map(Mutation::Repeat),
        3 => (any::<Index>(), select(KEYS), value()).prop_map(|(i, k, v)| Mutation::Add(i, k, v)),
        2 => (any::<Index>(), value()).prop_map(|(i, v)| Mutation::Label(i, v)),
        1 => prop_oneof![Just(V::Null), Just(V::List(vec![])), text(), (0i64..9).prop_map(V::Int)].prop_map(Mutation::NotAMap),
    ]
}

/// An event as written, and its `at`.
#[derive(Debug, Clone)]
pub struct Ev {
    value: V,
    at: At,
    /// bit i set: the first letter of the event's key i is written as a
    /// `\u` escape (the same key to every reader, but not to the fast path)
    escapes: u8,
}

fn event() -> impl Strategy<Value = Ev> {
    (valid_event(), prop_oneof![3 => Just(vec![]), 4 => proptest::collection::vec(mutation(), 1..3)], prop_oneof![4 => Just(0u8), 1 => any::<u8>()]).prop_map(|((at, mut fields), muts, escapes)| {
        let mut whole = None;
        for m in muts {
            match m {
                Mutation::Remove(i) if !fields.is_empty() => {
                    fields.remove(i.index(fields.len()));
                }
                Mutation::Retype(i, v) if !fields.is_empty() => {
                    let k = i.index(fields.len());
                    fields[k].1 = v;
                }
                Mutation::Repeat(i) if !fields.is_empty() => {
                    let x = fields[i.index(fields.len())].clone();
                    fields.push(x);
                }
                Mutation::Add(i, k, v) => {
                    let at = i.index(fields.len() + 1);
                    fields.insert(at, (k.to_string(), v));
                }
                Mutation::Label(i, v) => {
                    if let Some((_, V::Map(ls))) = fields.iter_mut().find(|(k, _)| k == "labels") {
                        if ls.is_empty() {
                            ls.push(("k".into(), v));
                        } else {
                            let k = i.index(ls.len());
                            ls[k].1 = v;
                        }
                    }
                }
                Mutation::NotAMap(v) => whole = Some(v),
                _ => {}
            }
        }
        Ev { value: whole.unwrap_or(V::Map(fields)), at, escapes }
    })
}

// ------------------------------------------------------------- writing

fn json_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// JSON, on one line; also valid YAML flow syntax (with the spaces YAML
/// wants after `:` and `,`).
fn write(v: &V, out: &mut String) {
    match v {
        V::Str(s) => json_str(s, out),
        V::Int(i) => out.push_str(&i.to_string()),
        V::Float(f) => out.push_str(f),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Null => out.push_str("null"),
        V::List(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(x, out);
            }
            out.push(']');
        }
        V::Map(es) => {
            out.push('{');
            for (i, (k, x)) in es.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                json_str(k, out);
                out.push_str(": ");
                write(x, out);
            }
            out.push('}');
        }
    }
}

fn written(e: &Ev) -> String {
    let mut s = String::new();
    match &e.value {
        V::Map(es) if e.escapes != 0 => {
            s.push('{');
            for (i, (k, x)) in es.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                match k.chars().next() {
                    Some(c) if c.is_ascii_alphabetic() && e.escapes & (1 << (i % 8)) != 0 => {
                        let mut rest = String::new();
                        json_str(&k[1..], &mut rest);
                        s.push_str(&format!("\"\\u{:04x}{}", c as u32, &rest[1..]));
                    }
                    _ => json_str(k, &mut s),
                }
                s.push_str(": ");
                write(x, &mut s);
            }
            s.push('}');
        }
        v => write(v, &mut s),
    }
    s
}

// ----------------------------------------------------------- reference

/// Scalar text: strings as they are, numbers and booleans as written.
fn scalar(v: &V) -> Option<String> {
    match v {
        V::Str(s) => Some(s.clone()),
        V::Int(i) => Some(i.to_string()),
        V::Float(f) => Some(f.to_string()),
        V::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// An optional text field: absent or null is none; lists and maps reject.
fn opt_text(v: Option<&V>) -> Result<Option<String>, ()> {
    match v {
        None | Some(V::Null) => Ok(None),
        Some(V::List(_) | V::Map(_)) => Err(()),
        Some(x) => Ok(scalar(x)),
    }
}

fn has_duplicate(es: &[(String, V)]) -> bool {
    es.iter().enumerate().any(|(i, (k, _))| es[..i].iter().any(|(j, _)| j == k))
}

/// SPEC §5: the event a value is, with its `at` (and whether the time had
/// an offset), or a rejection.
fn expected(ev: &Ev) -> Result<(i64, bool, EventKind), ()> {
    let V::Map(es) = &ev.value else { return Err(()) };
    if has_duplicate(es) {
        return Err(());
    }
    let get = |k: &str| es.iter().find(|(x, _)| x == k).map(|(_, v)| v);
    let kinds: Vec<&str> = ["alert", "ack", "resolve"].into_iter().filter(|k| get(k).is_some()).collect();
    let [kind] = kinds.as_slice() else { return Err(()) };
    let (t, offset) = match get("at") {
        // the only time strings written are those of `ev.at`; any other
        // string (a retyped `at`) is not a time
        Some(V::Str(s)) if *s == ev.at.text => ev.at.value.ok_or(())?,
        Some(V::Str(s)) if TEXTS.contains(&s.as_str()) || IDS.contains(&s.as_str()) => return Err(()),
        Some(V::Str(s)) => panic!("unexpected `at` text {s:?}"),
        _ => return Err(()),
    };
    let id = match get(kind) {
        Some(V::Str(s)) if !s.trim().is_empty() => s.clone(),
        Some(V::Int(i)) => i.to_string(),
        _ => return Err(()),
    };
    let k = match *kind {
        "alert" => {
            let service = match get("service") {
                None | Some(V::Null | V::List(_) | V::Map(_)) => return Err(()),
                Some(x) => scalar(x).unwrap_or_default(),
            };
            if service.trim().is_empty() {
                return Err(());
            }
            let mut labels = BTreeMap::new();
            match get("labels") {
                None | Some(V::Null) => {}
                Some(V::Map(ls)) => {
                    if has_duplicate(ls) {
                        return Err(());
                    }
                    for (k, v) in ls {
                        labels.insert(k.clone(), scalar(v).ok_or(())?);
                    }
                }
                Some(_) => return Err(()),
            }
            EventKind::Alert(Box::new(AlertEvent {
                id,
                service,
                severity: opt_text(get("severity"))?,
                summary: opt_text(get("summary"))?,
                source: opt_text(get("source"))?,
                labels: labels.into(),
                fingerprint: opt_text(get("fingerprint"))?,
            }))
        }
        "ack" => EventKind::Ack { id, by: opt_text(get("by"))? },
        _ => EventKind::Resolve { id },
    };
    Ok((t, offset, k))
}

/// What a reader hands out, in order.
fn drain(tl: &mut Timeline) -> Vec<Result<Event, Rejected>> {
    tl.by_ref().collect()
}

fn zoneless_notices(tl: &Timeline) -> usize {
    tl.notices.iter().filter(|n| n.contains("without a UTC offset")).count()
}

// ----------------------------------------------------------- JSON Lines

#[derive(Debug, Clone)]
enum Line {
    Event(Ev),
    Blank(&'static str),
    Garbage(&'static [u8]),
}

const GARBAGE: &[&[u8]] = &[
    b"not json",
    b"{",
    b"}",
    b"[1,2",
    b"null",
    b"[]",
    b"\"text\"",
    b"42",
    b"{\"at\": \"2026-07-01T02:14:00Z\", \"resolve\": \"A\"} trailing",
    b"{\"at\":\"2026-07-01T02:14:00Z\",\"resolve\":\"A\",}",
    b"\xff\xfe{}",
    b"{\"at\":\"2026-07-01T02:14:00Z\",\"resolve\":\"\xc3\"}",
];

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        12 => event().prop_map(Line::Event),
        1 => select(&["", " ", "\t", "  \t "][..]).prop_map(Line::Blank),
        1 => select(GARBAGE).prop_map(Line::Garbage),
    ]
}

#[derive(Debug, Clone)]
pub struct JsonLinesCase {
    lines: Vec<Line>,
    crlf: bool,
    bom: bool,
    final_newline: bool,
    window: i64,
}

fn jsonl_case() -> impl Strategy<Value = JsonLinesCase> {
    (proptest::collection::vec(line(), 0..24), any::<bool>(), proptest::bool::weighted(0.2), proptest::bool::weighted(0.8), select(&[0i64, 60, 1800, 3600, 86_400][..]))
        .prop_map(|(lines, crlf, bom, final_newline, window)| JsonLinesCase { lines, crlf, bom, final_newline, window })
}

impl JsonLinesCase {
    fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        if self.bom {
            out.extend_from_slice("\u{feff}".as_bytes());
        }
        for (i, l) in self.lines.iter().enumerate() {
            if i > 0 {
                out.extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
            }
            match l {
                Line::Event(e) => out.extend_from_slice(written(e).as_bytes()),
                Line::Blank(s) => out.extend_from_slice(s.as_bytes()),
                Line::Garbage(g) => out.extend_from_slice(g),
            }
        }
        if self.final_newline && !self.lines.is_empty() {
            out.extend_from_slice(if self.crlf { b"\r\n" } else { b"\n" });
        }
        out
    }
}

/// SPEC §5 "Order and memory": an event more than the window earlier than
/// the latest `at` already read is rejected.
fn check_jsonl(case: &JsonLinesCase) -> Result<(), TestCaseError> {
    let bytes = case.bytes();
    let mut tl = Timeline::from_reader(Cursor::new(bytes), Format::JsonLines, chrono_tz::UTC, case.window, "t.jsonl").map_err(|e| TestCaseError::fail(e.to_string()))?;
    let out = drain(&mut tl);

    let mut want_events: Vec<(i64, usize, EventKind)> = Vec::new();
    let mut want_rejected: Vec<usize> = Vec::new();
    let mut latest: Option<i64> = None;
    let mut zoneless = false;
    let mut non_blank = 0;
    for (i, l) in case.lines.iter().enumerate() {
        let n = i + 1;
        match l {
            Line::Blank(_) => {}
            Line::Garbage(_) => {
                non_blank += 1;
                want_rejected.push(n);
            }
            Line::Event(e) => {
                non_blank += 1;
                match expected(e) {
                    Err(()) => want_rejected.push(n),
                    Ok((t, offset, k)) => {
                        zoneless |= !offset;
                        if latest.is_some_and(|l| t < l - case.window) {
                            want_rejected.push(n);
                        } else {
                            latest = Some(latest.map_or(t, |l| l.max(t)));
                            want_events.push((t, n, k));
                        }
                    }
                }
            }
        }
    }
    want_events.sort_by_key(|e| (e.0, e.1));

    let got_events: Vec<(i64, usize, EventKind)> = out.iter().filter_map(|x| x.as_ref().ok()).map(|e| (e.at, e.line, e.kind.clone())).collect();
    let got_rejected: Vec<usize> = out.iter().filter_map(|x| x.as_ref().err()).map(|r| r.line).collect();
    prop_assert_eq!(got_events.len() + got_rejected.len(), non_blank, "accepted + rejected == non-blank lines");
    prop_assert_eq!(&got_rejected, &want_rejected, "rejected lines; {:?}", out);
    prop_assert_eq!(&got_events, &want_events);
    // a rejection comes after every event of an earlier line
    for (i, item) in out.iter().enumerate() {
        if let Err(r) = item {
            prop_assert!(!out[i..].iter().filter_map(|x| x.as_ref().ok()).any(|e| e.line < r.line), "rejection at line {} before an event of an earlier line", r.line);
            prop_assert!(!r.reason.is_empty());
        }
    }
    // events carry their file order
    let seqs: Vec<u64> = out.iter().filter_map(|x| x.as_ref().ok()).map(|e| e.seq).collect();
    let mut by_line: Vec<(usize, u64)> = out.iter().filter_map(|x| x.as_ref().ok()).map(|e| (e.line, e.seq)).collect();
    by_line.sort();
    prop_assert!(by_line.windows(2).all(|w| w[0].1 < w[1].1), "seq follows the line order: {:?}", seqs);
    prop_assert_eq!(zoneless_notices(&tl), usize::from(zoneless));
    Ok(())
}

// ------------------------------------------------------------ documents

#[derive(Debug, Clone)]
enum DocShape {
    Plain,
    /// an unknown top-level key (a notice)
    UnknownKey,
    /// a `responders` section that is wrong: the whole file is refused
    BadResponders,
    /// a good `responders` section
    Responders,
    /// `events: null`: nothing to read
    NullEvents,
}

#[derive(Debug, Clone)]
pub struct DocCase {
    events: Vec<Ev>,
    shape: DocShape,
}

fn doc_case() -> impl Strategy<Value = DocCase> {
    (
        proptest::collection::vec(event(), 0..16),
        prop_oneof![
            6 => Just(DocShape::Plain),
            1 => Just(DocShape::UnknownKey),
            1 => Just(DocShape::BadResponders),
            1 => Just(DocShape::Responders),
            1 => Just(DocShape::NullEvents),
        ],
    )
        .prop_map(|(events, shape)| DocCase { events, shape })
}

impl DocCase {
    /// The document, one event per line; the line of the first event.
    fn text(&self, format: Format) -> (String, usize) {
        let head: Option<String> = match self.shape {
            DocShape::UnknownKey => Some("\"x-extra\": [1, 2]".into()),
            DocShape::BadResponders => Some("\"responders\": {\"dave\": {\"ack-after\": 5}}".into()),
            DocShape::Responders => Some("\"responders\": {\"default\": {\"ack-after\": \"4m\", \"miss\": 0.25}}".into()),
            _ => None,
        };
        let null = matches!(self.shape, DocShape::NullEvents);
        match format {
            Format::Json => {
                let mut s = String::from("{");
                if let Some(h) = head {
                    s.push_str(&h);
                    s.push_str(", ");
                }
                if null {
                    s.push_str("\"events\": null}\n");
                    return (s, 0);
                }
                s.push_str("\"events\": [\n");
                let lines: Vec<String> = self.events.iter().map(written).collect();
                s.push_str(&lines.join(",\n"));
                s.push_str("\n]}\n");
                (s, 2)
            }
            _ => {
                let mut s = String::new();
                let mut first = 2;
                if let Some(h) = head {
                    s.push_str(&h);
                    s.push('\n');
                    first += 1;
                }
                if null {
                    s.push_str("events: null\n");
                    return (s, 0);
                }
                if self.events.is_empty() {
                    s.push_str("events: []\n");
                    return (s, 0);
                }
                s.push_str("events:\n");
                for e in &self.events {
                    s.push_str("  - ");
                    s.push_str(&written(e));
                    s.push('\n');
                }
                (s, first)
            }
        }
    }
}

/// SPEC §5: a document is read whole; rejected events first, in file order,
/// then the events by time, ties in file order.
fn check_document(case: &DocCase, format: Format) -> Result<(), TestCaseError> {
    let (text, first_line) = case.text(format);
    let res = Timeline::from_reader(Cursor::new(text.clone().into_bytes()), format, chrono_tz::UTC, 0, "t");
    let mut tl = match (res, &case.shape) {
        (Err(OpenError::Invalid { message, .. }), DocShape::BadResponders) => {
            prop_assert!(message.contains("needs a unit"), "{}", message);
            return Ok(());
        }
        (Ok(_), DocShape::BadResponders) => return Err(TestCaseError::fail("a bad responders section was accepted")),
        (Err(e), _) => return Err(TestCaseError::fail(format!("{e}\n{text}"))),
        (Ok(tl), _) => tl,
    };
    let out = drain(&mut tl);
    if matches!(case.shape, DocShape::NullEvents) {
        prop_assert!(out.is_empty());
        return Ok(());
    }
    let mut want_rejected = Vec::new();
    let mut want_events = Vec::new();
    let mut zoneless = false;
    for (i, e) in case.events.iter().enumerate() {
        let line = first_line + i;
        match expected(e) {
            Err(()) => want_rejected.push(Err(line)),
            Ok((t, offset, k)) => {
                zoneless |= !offset;
                want_events.push(Ok((t, line, i as u64, k)));
            }
        }
    }
    want_events.sort_by_key(|e: &Result<(i64, usize, u64, EventKind), usize>| e.as_ref().map(|x| (x.0, x.2)).unwrap_or_default());
    want_rejected.extend(want_events);
    let got: Vec<Result<(i64, usize, u64, EventKind), usize>> = out.iter().map(|x| x.as_ref().map(|e| (e.at, e.line, e.seq, e.kind.clone())).map_err(|r| r.line)).collect();
    prop_assert_eq!(got, want_rejected, "{}", text);
    prop_assert_eq!(zoneless_notices(&tl), usize::from(zoneless));
    let unknown = tl.notices.iter().any(|n| n.contains("unknown top-level key `x-extra`"));
    prop_assert_eq!(unknown, matches!(case.shape, DocShape::UnknownKey));
    if matches!(case.shape, DocShape::Responders) {
        prop_assert!(tl.responders.as_ref().is_some_and(|r| r.contains_key("default")));
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    #[test]
    fn json_lines_read_as_the_spec_says(case in jsonl_case()) {
        check_jsonl(&case)?;
    }

    #[test]
    fn json_documents_read_as_the_spec_says(case in doc_case()) {
        check_document(&case, Format::Json)?;
    }

    #[test]
    fn yaml_documents_read_as_the_spec_says(case in doc_case()) {
        check_document(&case, Format::Yaml)?;
    }
}
