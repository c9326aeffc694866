//! Timeline readers (SPEC §5 "Timeline", "Rejected events", "Order and
//! memory", "Responder model").
//!
//! A timeline is chosen by extension ([`Format::from_path`]):
//! - `.yaml`/`.yml` and `.json` hold one document `{"responders": …,
//!   "events": [ … ]}`. It is read whole; events come out sorted by time,
//!   ties in file order. Rejected events come out first, in file order.
//! - `.jsonl`/`.ndjson`, and `-` (stdin), hold one event per line and
//!   **stream**: events come out in time order through a reorder window of
//!   `reorder_window` seconds. An event at most that much earlier than the
//!   latest `at` already read is re-sorted into place (a FIFO for events read
//!   in order and a min-heap for the others, holding only the window); an earlier one is rejected. Memory grows with
//!   the window, never with the file. A line longer than
//!   [`MAX_LINE_BYTES`] is rejected without being buffered.
//!
//! Reading an event (every format):
//! - `at` (required) is RFC 3339 with an offset (`T`, `t` or a space
//!   between date and time; seconds optional). A time without an offset is
//!   read in the org time zone by the SPEC's local-time rules, and reported
//!   once as a notice. Fractions of a second are truncated.
//! - exactly one of `alert`, `ack`, `resolve`; an id is a non-empty string
//!   or an integer (kept as its text).
//! - `alert` takes `service` (required, non-empty), `severity`, `summary`,
//!   `source`, `fingerprint` (text; numbers and booleans are kept as their
//!   text) and `labels` (a map; number and boolean values become their
//!   JSON/YAML text; a null or nested value rejects the event). `ack` takes
//!   `by`; `resolve` takes nothing.
//! - An optional field given as `null` counts as absent; a list or map where
//!   text is expected rejects the event ("wrong type").
//! - A key given twice in one event rejects it.
//! - Unknown keys, and known keys on the wrong kind of event (`by` on an
//!   `alert`), are ignored with one notice per key name.
//! - Duplicate alert ids of still-open incidents are the engine's business
//!   (it knows which incidents are open); they are not rejected here.
//!
//! Notices are collected in [`Timeline::notices`] (drain them with
//! [`Timeline::take_notices`] while streaming); nothing is printed here.
//!
//! The `responders` section is read by [`parse_responders`]; `--responders
//! FILE` by [`read_responders_file`].

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeSet, BinaryHeap, HashSet, VecDeque};
use std::fmt;
use std::io::{self, BufRead, Read};
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::event::{AckAfter, AlertEvent, Event, EventKind, Instant, Labels, Rejected, ResponderSpec, Responders};
use crate::cli::time_arg::resolve_local;
use crate::syntax::lower::parse_duration;

mod fast;

/// `--reorder-window` default: 1h.
pub const DEFAULT_REORDER_WINDOW: i64 = 3600;
/// A JSON Lines line longer than this is rejected (and not buffered).
pub const MAX_LINE_BYTES: usize = 1 << 20;
/// A YAML or JSON document (read whole) larger than this is refused; JSON
/// Lines, which stream, have no such limit.
pub const MAX_DOCUMENT_BYTES: u64 = 256 << 20;
/// At most this many distinct unknown key names are reported.
const MAX_LISTED_KEYS: usize = 100;

// ---------------------------------------------------------------------------
// formats and errors

/// How a timeline file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// one YAML document (`.yaml`, `.yml`)
    Yaml,
    /// one JSON document (`.json`)
    Json,
    /// one JSON event per line, streamed (`.jsonl`, `.ndjson`, `-`)
    JsonLines,
}

impl Format {
    /// The format for a path by its extension (case-insensitive); `-` is
    /// JSON Lines on stdin. `None` for an unknown extension.
    pub fn from_path(path: &Path) -> Option<Format> {
        if path.as_os_str() == "-" {
            return Some(Format::JsonLines);
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "yaml" | "yml" => Some(Format::Yaml),
            "json" => Some(Format::Json),
            "jsonl" | "ndjson" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// A timeline that cannot be opened at all (exit 2 in the CLI). Problems
/// with single events are [`Rejected`] items instead.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: unknown timeline extension; use .yaml, .yml, .json, .jsonl or .ndjson, or `-` for JSON Lines on stdin")]
    UnknownExtension { path: String },
    #[error("{path}:{line}: {message}")]
    Syntax { path: String, line: usize, message: String },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

// ---------------------------------------------------------------------------
// a raw value that keeps duplicate keys and the text of numbers

/// A parsed YAML/JSON value. Maps keep their entries in order, duplicates
/// included, so they can be reported; numbers keep their JSON/YAML text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Seq(Vec<Raw>),
    Map(Vec<(String, Raw)>),
}

impl Raw {
    fn type_name(&self) -> &'static str {
        match self {
            Raw::Null => "null",
            Raw::Bool(_) => "a boolean",
            Raw::Num(_) => "a number",
            Raw::Str(_) => "a string",
            Raw::Seq(_) => "a list",
            Raw::Map(_) => "a map",
        }
    }

    /// Scalar text: strings as they are, numbers and booleans as their text.
    fn scalar_text(&self) -> Option<String> {
        match self {
            Raw::Str(s) | Raw::Num(s) => Some(s.clone()),
            Raw::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Take the scalar text out (strings and numbers move, booleans are
    /// written out); None for null, lists and maps.
    fn take_text(&mut self) -> Option<String> {
        match self {
            Raw::Str(s) | Raw::Num(s) => Some(std::mem::take(s)),
            Raw::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// Look a key up in a map (first occurrence), to take its value.
    fn get_mut(&mut self, key: &str) -> Option<&mut Raw> {
        match self {
            Raw::Map(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Look a key up in a map (first occurrence).
    fn get(&self, key: &str) -> Option<&Raw> {
        match self {
            Raw::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
}

fn float_text(v: f64) -> String {
    if v.is_nan() {
        ".nan".into()
    } else if v.is_infinite() {
        if v > 0.0 { ".inf".into() } else { "-.inf".into() }
    } else {
        serde_json::Number::from_f64(v).map(|n| n.to_string()).unwrap_or_else(|| v.to_string())
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON/YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        Ok(Raw::Num(v.to_string()))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Ok(Raw::Num(float_text(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element::<Raw>()? {
            out.push(v);
        }
        Ok(Raw::Seq(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut out = Vec::new();
        while let Some(k) = map.next_key::<Key>()? {
            let v = map.next_value::<Raw>()?;
            out.push((k.0, v));
        }
        Ok(Raw::Map(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, _data: A) -> Result<Raw, A::Error> {
        Err(de::Error::custom("tagged values (`!tag`) are not supported"))
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

/// A map key: any scalar, as text.
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Null => Ok(Key("null".into())),
            Raw::Seq(_) | Raw::Map(_) => Err(de::Error::custom("map keys must be text, not lists or maps")),
            mut other => Ok(Key(other.take_text().unwrap_or_default())),
        }
    }
}

fn raw_from_yaml(v: &serde_yaml::Value) -> Raw {
    use serde_yaml::Value as V;
    match v {
        V::Null => Raw::Null,
        V::Bool(b) => Raw::Bool(*b),
        V::Number(n) => match n.as_f64() {
            Some(f) if !n.is_i64() && !n.is_u64() => Raw::Num(float_text(f)),
            _ => Raw::Num(n.to_string()),
        },
        V::String(s) => Raw::Str(s.clone()),
        V::Sequence(items) => Raw::Seq(items.iter().map(raw_from_yaml).collect()),
        V::Mapping(m) => Raw::Map(
            m.iter()
                .map(|(k, v)| {
                    let key = match raw_from_yaml(k) {
                        Raw::Null => "null".to_string(),
                        other => other.scalar_text().unwrap_or_else(|| format!("{k:?}")),
                    };
                    (key, raw_from_yaml(v))
                })
                .collect(),
        ),
        V::Tagged(t) => raw_from_yaml(&t.value),
    }
}

fn duplicate_key(entries: &[(String, Raw)]) -> Option<&str> {
    // events have a handful of keys: comparing pairs beats hashing them
    if entries.len() <= 16 {
        return entries.iter().enumerate().find(|(i, (k, _))| entries[..*i].iter().any(|(j, _)| j == k)).map(|(_, (k, _))| k.as_str());
    }
    let mut seen = HashSet::new();
    entries.iter().map(|(k, _)| k.as_str()).find(|k| !seen.insert(*k))
}

// ---------------------------------------------------------------------------
// time

/// Parse an `at` value: RFC 3339 with an offset, or the same without an
/// offset (then read in `tz`). Returns the instant (seconds, truncated) and
/// whether the text had an offset.
pub fn parse_at(s: &str, tz: Tz) -> Result<(Instant, bool), String> {
    match utc_seconds(s, &mut None) {
        Some(t) => Ok((t, true)),
        None => parse_at_general(s, tz),
    }
}

/// [`parse_at`] for every form but the common `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_at_general(s: &str, tz: Tz) -> Result<(Instant, bool), String> {
    let s = s.trim();
    let bad = || format!("`{s}` is not a time; write RFC 3339 with an offset, like `2026-07-01T02:14:00Z`");
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok((t.timestamp(), true));
    }
    // split an offset off the end: `Z`/`z` or `±HH:MM`
    let bytes = s.as_bytes();
    let (rest, offset): (&str, Option<FixedOffset>) = if s.ends_with('Z') || s.ends_with('z') {
        (&s[..s.len() - 1], FixedOffset::east_opt(0))
    } else if bytes.len() > 16 && matches!(bytes[bytes.len() - 6], b'+' | b'-') && bytes[bytes.len() - 3] == b':' {
        let (head, off) = s.split_at(s.len() - 6);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let hh: i32 = off.get(1..3).and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        let mm: i32 = off.get(4..6).and_then(|x| x.parse().ok()).ok_or_else(bad)?;
        if hh > 23 || mm > 59 {
            return Err(bad());
        }
        (head, Some(FixedOffset::east_opt(sign * (hh * 3600 + mm * 60)).ok_or_else(bad)?))
    } else {
        (s, None)
    };
    // RFC 3339 years have four digits: no sign, no fifth digit
    if !(rest.len() > 4 && rest.as_bytes()[..4].iter().all(u8::is_ascii_digit) && rest.as_bytes()[4] == b'-') {
        return Err(bad());
    }
    // normalise the date/time separator to `T`
    let mut norm = String::with_capacity(rest.len());
    for (i, c) in rest.chars().enumerate() {
        if i == 10 && (c == 't' || c == ' ') {
            norm.push('T');
        } else {
            norm.push(c);
        }
    }
    let naive = NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(&norm, "%Y-%m-%dT%H:%M"))
        .map_err(|_| bad())?;
    match offset {
        Some(off) => match off.from_local_datetime(&naive) {
            chrono::LocalResult::Single(t) => Ok((t.timestamp(), true)),
            _ => Err(bad()),
        },
        None => Ok((resolve_local(tz, naive).timestamp(), false)),
    }
}

/// The common case of `at`, `YYYY-MM-DDTHH:MM:SSZ` exactly, without the
/// general parser; `None` for anything else (including a leap second),
/// which the general parser then reads. `day`: the last date read and its
/// midnight, used when the date is the same and replaced when not.
fn utc_seconds(s: &str, day: &mut Option<([u8; 10], Instant)>) -> Option<Instant> {
    let b = s.as_bytes();
    if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |acc, &c| c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0')))
    };
    let (h, m, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if h > 23 || m > 59 || sec > 59 {
        return None;
    }
    let key: [u8; 10] = b.get(..10)?.try_into().ok()?;
    let midnight = match *day {
        Some((k, t)) if k == key => t,
        _ => {
            let date = chrono::NaiveDate::from_ymd_opt(num(0..4)? as i32, num(5..7)?, num(8..10)?)?;
            let t = date.and_hms_opt(0, 0, 0)?.and_utc().timestamp();
            *day = Some((key, t));
            t
        }
    };
    Some(midnight + i64::from(h * 3600 + m * 60 + sec))
}

// ---------------------------------------------------------------------------
// reading one event

const ALERT_KEYS: [&str; 6] = ["service", "severity", "summary", "source", "labels", "fingerprint"];
const ACK_KEYS: [&str; 1] = ["by"];

/// State shared by the readers of one timeline: the org tz and what has
/// already been noticed.
struct Ctx {
    tz: Tz,
    /// the date of the last `YYYY-MM-DDTHH:MM:SSZ` read and its midnight
    /// (consecutive events mostly share their date)
    day: Option<([u8; 10], Instant)>,
    zoneless_noticed: bool,
    noticed_keys: BTreeSet<String>,
    keys_overflow_noticed: bool,
}

impl Ctx {
    fn new(tz: Tz) -> Ctx {
        Ctx { tz, day: None, zoneless_noticed: false, noticed_keys: BTreeSet::new(), keys_overflow_noticed: false }
    }

    fn notice_key(&mut self, key: &str, text: String, notices: &mut Vec<String>) {
        if self.noticed_keys.contains(key) {
            return;
        }
        if self.noticed_keys.len() >= MAX_LISTED_KEYS {
            if !self.keys_overflow_noticed {
                self.keys_overflow_noticed = true;
                notices.push(format!("more than {MAX_LISTED_KEYS} unknown keys; the others are ignored without a notice"));
            }
            return;
        }
        self.noticed_keys.insert(key.to_string());
        notices.push(text);
    }

    /// [`parse_at`], with the date of the common UTC form remembered.
    fn at(&mut self, s: &str) -> Result<(Instant, bool), String> {
        match utc_seconds(s, &mut self.day) {
            Some(t) => Ok((t, true)),
            None => parse_at_general(s, self.tz),
        }
    }

    /// An accepted event's time had no offset: noticed once.
    fn zoneless(&mut self, line: usize, notices: &mut Vec<String>) {
        if !self.zoneless_noticed {
            self.zoneless_noticed = true;
            notices.push(format!("times without a UTC offset are read in the org time zone ({}){}", self.tz.name(), first_at(line)));
        }
    }
}

/// "; the key `аt` has …" when a key of the event is `want` written with a
/// look-alike character (a Cyrillic `а`); empty otherwise.
fn lookalike_key(entries: &[(String, Raw)], want: &str) -> String {
    entries
        .iter()
        .find_map(|(k, _)| crate::confusable::only_lookalikes(k, want).map(|n| format!("; the key `{k}` is not `{want}`: {n}")))
        .unwrap_or_default()
}

/// "; first at line N" (nothing when the line is unknown).
fn first_at(line: usize) -> String {
    if line == 0 { String::new() } else { format!("; first at line {line}") }
}

fn reject(line: usize, reason: impl Into<String>) -> Rejected {
    Rejected { line, reason: reason.into() }
}

fn id_value(kind: &str, v: Option<&mut Raw>, line: usize) -> Result<String, Rejected> {
    match v {
        Some(Raw::Str(s)) if !s.trim().is_empty() => Ok(std::mem::take(s)),
        Some(Raw::Str(_)) => Err(reject(line, format!("`{kind}` id is empty"))),
        Some(Raw::Num(n)) if n.bytes().all(|b| b.is_ascii_digit() || b == b'-') => Ok(std::mem::take(n)),
        other => Err(reject(line, format!("`{kind}` must be an id (a string), not {}", other.map_or("null", |o| o.type_name())))),
    }
}

/// Optional text field: null = absent; scalars as text; lists/maps rejected.
fn opt_text(key: &str, v: Option<&mut Raw>, line: usize) -> Result<Option<String>, Rejected> {
    match v {
        None | Some(Raw::Null) => Ok(None),
        Some(v @ (Raw::Seq(_) | Raw::Map(_))) => Err(reject(line, format!("`{key}` must be text, not {}", v.type_name()))),
        Some(other) => Ok(other.take_text()),
    }
}

fn labels_value(v: Option<&mut Raw>, line: usize) -> Result<Labels, Rejected> {
    let mut out = Labels::new();
    match v {
        None | Some(Raw::Null) => {}
        Some(Raw::Map(entries)) => {
            if let Some(k) = duplicate_key(entries) {
                return Err(reject(line, format!("label `{k}` is given twice")));
            }
            for (k, val) in entries.iter_mut() {
                match val {
                    Raw::Null => return Err(reject(line, format!("label `{k}` is null; label values are text, numbers or booleans"))),
                    Raw::Seq(_) | Raw::Map(_) => {
                        return Err(reject(line, format!("label `{k}` has a nested value ({}); label values are text, numbers or booleans", val.type_name())))
                    }
                    other => {
                        out.insert(&*k, other.take_text().unwrap_or_default());
                    }
                }
            }
        }
        Some(other) => return Err(reject(line, format!("`labels` must be a map, not {}", other.type_name()))),
    }
    Ok(out)
}

/// Read one event from a parsed map. Notices are only recorded for
/// accepted events.
fn parse_event(raw: &mut Raw, line: usize, seq: u64, ctx: &mut Ctx, notices: &mut Vec<String>) -> Result<Event, Rejected> {
    let Raw::Map(entries) = &*raw else {
        return Err(reject(line, format!("an event must be a map, not {}", raw.type_name())));
    };
    if let Some(k) = duplicate_key(entries) {
        return Err(reject(line, format!("key `{k}` is given twice")));
    }
    let is_kind = |k: &&str| matches!(*k, "alert" | "ack" | "resolve");
    let mut kinds = entries.iter().map(|(k, _)| k.as_str()).filter(is_kind);
    let kind: &'static str = match (kinds.next(), kinds.next()) {
        (Some("alert"), None) => "alert",
        (Some("ack"), None) => "ack",
        (Some(_), None) => "resolve",
        (None, _) => {
            let others: Vec<String> = entries
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| *k != "at" && !ALERT_KEYS.contains(k) && !ACK_KEYS.contains(k))
                .map(|k| format!("`{k}`"))
                .collect();
            let hint = ["alert", "ack", "resolve"].iter().map(|k| lookalike_key(entries, k)).find(|h| !h.is_empty()).unwrap_or_default();
            return Err(if others.is_empty() || !hint.is_empty() {
                reject(line, format!("event has none of `alert`, `ack`, `resolve`{hint}"))
            } else {
                reject(line, format!("unknown event kind ({}); expected `alert`, `ack` or `resolve`", others.join(", ")))
            });
        }
        (Some(_), Some(_)) => {
            let list: Vec<String> = entries.iter().map(|(k, _)| k.as_str()).filter(is_kind).map(|k| format!("`{k}`")).collect();
            return Err(reject(line, format!("an event has exactly one of `alert`, `ack`, `resolve`; this one has {}", list.join(" and "))));
        }
    };
    let at_text = match raw.get("at") {
        None | Some(Raw::Null) => return Err(reject(line, format!("missing `at`{}", lookalike_key(entries, "at")))),
        Some(Raw::Str(s)) => s,
        Some(other) => return Err(reject(line, format!("`at` must be an RFC 3339 time string, not {}", other.type_name()))),
    };
    let (at, had_offset) = ctx.at(at_text).map_err(|e| reject(line, e))?;
    let id = id_value(kind, raw.get_mut(kind), line)?;

    let event_kind = match kind {
        "alert" => {
            let service = match raw.get_mut("service") {
                None | Some(Raw::Null) => {
                    let hint = match &*raw {
                        Raw::Map(entries) => lookalike_key(entries, "service"),
                        _ => String::new(),
                    };
                    return Err(reject(line, format!("alert `{id}` has no `service`{hint}")));
                }
                Some(v @ (Raw::Seq(_) | Raw::Map(_))) => return Err(reject(line, format!("`service` must be text, not {}", v.type_name()))),
                Some(v) => v.take_text().unwrap_or_default(),
            };
            if service.trim().is_empty() {
                return Err(reject(line, format!("alert `{id}` has an empty `service`")));
            }
            EventKind::Alert(Box::new(AlertEvent {
                id,
                service,
                severity: opt_text("severity", raw.get_mut("severity"), line)?,
                summary: opt_text("summary", raw.get_mut("summary"), line)?,
                source: opt_text("source", raw.get_mut("source"), line)?,
                labels: labels_value(raw.get_mut("labels"), line)?,
                fingerprint: opt_text("fingerprint", raw.get_mut("fingerprint"), line)?,
            }))
        }
        "ack" => EventKind::Ack { id, by: opt_text("by", raw.get_mut("by"), line)? },
        _ => EventKind::Resolve { id },
    };

    // accepted: now the notices
    if !had_offset {
        ctx.zoneless(line, notices);
    }
    let Raw::Map(entries) = &*raw else { return Err(reject(line, "an event must be a map")) };
    for (k, _) in entries {
        let k = k.as_str();
        if k == "at" || k == kind {
            continue;
        }
        let applies = match kind {
            "alert" => ALERT_KEYS.contains(&k),
            "ack" => ACK_KEYS.contains(&k),
            _ => false,
        };
        if applies {
            continue;
        }
        if ALERT_KEYS.contains(&k) || ACK_KEYS.contains(&k) {
            let key = format!("{k}@{kind}");
            ctx.notice_key(&key, format!("`{k}` does not apply to `{kind}` events and is ignored{}", first_at(line)), notices);
        } else {
            ctx.notice_key(k, format!("unknown key `{k}` ignored{}", first_at(line)), notices);
        }
    }
    Ok(Event { at, kind: event_kind, line, seq })
}

// ---------------------------------------------------------------------------
// responders

/// Read a `responders` section: person (or `default`) → `{ack-after: never
/// | D | lognormal M P, miss: p}`. `null` is an empty section.
pub fn parse_responders(value: &serde_yaml::Value) -> Result<Responders, String> {
    responders_from_raw(&raw_from_yaml(value))
}

fn responders_from_raw(raw: &Raw) -> Result<Responders, String> {
    let mut out = Responders::new();
    let entries = match raw {
        Raw::Null => return Ok(out),
        Raw::Map(entries) => entries,
        other => return Err(format!("`responders` must be a map of person → {{ack-after: …, miss: …}}, not {}", other.type_name())),
    };
    for (name, spec) in entries {
        if out.contains_key(name) {
            return Err(format!("responder `{name}` is given twice"));
        }
        out.insert(name.clone(), responder_spec(name, spec)?);
    }
    Ok(out)
}

fn responder_spec(name: &str, raw: &Raw) -> Result<ResponderSpec, String> {
    let Raw::Map(entries) = raw else {
        return Err(format!("responder `{name}`: expected `{{ack-after: never | D | lognormal M P, miss: p}}`, not {}", raw.type_name()));
    };
    if let Some(k) = duplicate_key(entries) {
        return Err(format!("responder `{name}`: `{k}` is given twice"));
    }
    let mut spec = ResponderSpec::default();
    for (k, v) in entries {
        match k.as_str() {
            "ack-after" => spec.ack_after = parse_ack_after(v).map_err(|e| format!("responder `{name}`: ack-after: {e}"))?,
            "miss" => {
                let p = match v {
                    Raw::Num(n) => n.parse::<f64>().ok(),
                    _ => None,
                };
                match p {
                    Some(p) if (0.0..=1.0).contains(&p) => spec.miss = p,
                    _ => {
                        let shown = v.scalar_text().unwrap_or_else(|| v.type_name().to_string());
                        return Err(format!("responder `{name}`: miss must be a probability between 0 and 1 (like `0.2`), not `{shown}`"));
                    }
                }
            }
            other => {
                let hint = if other == "ack_after" || other == "ackAfter" { " (write `ack-after`)" } else { "" };
                return Err(format!("responder `{name}`: unknown key `{other}`{hint}; keys are `ack-after` and `miss`"));
            }
        }
    }
    Ok(spec)
}

fn parse_ack_after(v: &Raw) -> Result<AckAfter, String> {
    let text = match v {
        Raw::Str(s) => s.trim(),
        Raw::Num(n) => return Err(format!("`{n}` needs a unit, like `{n}m`")),
        other => return Err(format!("expected `never`, a duration like `4m` or `lognormal 3m 10m`, not {}", other.type_name())),
    };
    if text == "never" {
        return Ok(AckAfter::Never);
    }
    let parts: Vec<&str> = text.split_whitespace().collect();
    if parts.first() == Some(&"lognormal") {
        let [_, m, p] = parts.as_slice() else {
            return Err("write `lognormal MEDIAN P90`, like `lognormal 3m 10m`".into());
        };
        let m = parse_duration(m).map_err(|e| format!("median `{m}`: {e}"))?;
        let p = parse_duration(p).map_err(|e| format!("p90 `{p}`: {e}"))?;
        if !(0 < m && m < p) {
            return Err(format!("`lognormal M P` needs 0 < M < P (M is the median, P the 90th percentile); got {m}s and {p}s"));
        }
        return Ok(AckAfter::LogNormal { median: m as f64, p90: p as f64 });
    }
    if parts.len() != 1 {
        return Err(format!("`{text}`: expected `never`, a duration like `4m` or `lognormal 3m 10m`"));
    }
    parse_duration(text).map(AckAfter::Fixed).map_err(|e| format!("`{text}`: {e}"))
}

/// `[` and `{` of a YAML document nest at most this deep. The YAML reader
/// refuses more than 128 levels anyway, but only after its scanner has
/// read them, in time that grows with the square of the depth (100,000
/// levels take minutes); this limit is checked first, by [`yaml_flow_depth`].
pub const MAX_YAML_FLOW_DEPTH: usize = 1000;

/// The line where the flow collections (`[`, `{`) of a YAML text first nest
/// deeper than [`MAX_YAML_FLOW_DEPTH`], by a scan that knows quotes and
/// comments and, outside brackets, counts a bracket only where a node can
/// start (after `: `, `- `, `? `, an anchor or a tag, or first on a line):
/// `summary: disk [sda` opens nothing.
fn yaml_flow_depth(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (n, line) in text.lines().enumerate() {
        let b = line.as_bytes();
        // the last non-blank byte before `i` on this line, and the first
        // byte of the token it ends
        let (mut last, mut last_token): (Option<u8>, u8) = (None, 0);
        let mut token = 0u8;
        let mut i = 0;
        while i < b.len() {
            let c = b[i];
            let after_blank = i == 0 || matches!(b[i - 1], b' ' | b'\t');
            if matches!(c, b' ' | b'\t') {
                i += 1;
                continue;
            }
            if after_blank {
                token = c;
            }
            // where a node (a quoted scalar, a flow collection) can start
            let node_start = match last {
                None => true,
                Some(b'[' | b'{' | b',' | b':') if depth > 0 => true,
                Some(b'-' | b':' | b'?') => after_blank,
                // after an anchor or a tag: `&a [`, `!!seq [`
                Some(_) => after_blank && matches!(last_token, b'&' | b'!'),
            };
            match c {
                b'#' if after_blank => break,
                b'\'' | b'"' if after_blank || node_start => {
                    // a quoted scalar, to its closing quote or the end of the line
                    i += 1;
                    while i < b.len() && b[i] != c {
                        i += if c == b'"' && b[i] == b'\\' { 2 } else { 1 };
                    }
                }
                b'[' | b'{' if depth > 0 || node_start => {
                    depth += 1;
                    if depth > MAX_YAML_FLOW_DEPTH {
                        return Some(n + 1);
                    }
                }
                b']' | b'}' => depth = depth.saturating_sub(1),
                _ => {}
            }
            last = Some(c);
            last_token = token;
            i += 1;
        }
    }
    None
}

/// A YAML text as a [`Raw`] value, or why not (`line` 0: no line).
fn yaml_raw(text: &str) -> Result<Raw, (usize, String)> {
    if let Some(line) = yaml_flow_depth(text) {
        return Err((line, format!("`[` and `{{` nest more than {MAX_YAML_FLOW_DEPTH} deep")));
    }
    let line_of = |at: usize| 1 + text.as_bytes()[..at.min(text.len())].iter().filter(|&&b| b == b'\n').count();
    serde_yaml::from_str(text).map_err(|e| match e.location() {
        // the reader reports a control character at line 1, with its byte
        // offset only in the message: find it
        Some(_) if e.to_string().contains("control characters are not allowed") => {
            let at = text.char_indices().find(|(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{85}')).map_or(0, |(i, _)| i);
            (line_of(at), e.to_string())
        }
        // the parser reports an error at the end of a text without a final
        // newline one line past it
        Some(l) => (l.line().min(text.lines().count().max(1)), e.to_string()),
        // not at a place: too many aliases, several documents
        None => (0, e.to_string()),
    })
}

fn yaml_error(path: &str, (line, message): (usize, String)) -> OpenError {
    if line == 0 {
        OpenError::Invalid { path: path.into(), message }
    } else {
        OpenError::Syntax { path: path.into(), line, message }
    }
}

/// All of `r`, or `None` when it holds more than `cap` bytes (then at most
/// `cap + 1` bytes were read).
fn read_capped(r: &mut dyn io::Read, cap: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    r.take(cap.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= cap).then_some(bytes))
}

fn too_big(name: &str) -> OpenError {
    OpenError::Invalid {
        path: name.into(),
        message: format!(
            "over {} MiB; YAML and JSON timelines are read whole, so they are limited: write JSON Lines (.jsonl), which stream",
            MAX_DOCUMENT_BYTES >> 20
        ),
    }
}

/// `--responders FILE`: a YAML (or JSON) file whose `responders:` key is
/// read; its other keys are ignored.
pub fn read_responders_file(path: &Path) -> Result<Responders, OpenError> {
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|source| OpenError::Io { path: name.clone(), source })?;
    if file.metadata().is_ok_and(|m| m.len() > MAX_DOCUMENT_BYTES) {
        return Err(too_big(&name));
    }
    let bytes = read_capped(&mut file, MAX_DOCUMENT_BYTES).map_err(|source| OpenError::Io { path: name.clone(), source })?;
    let Some(bytes) = bytes else { return Err(too_big(&name)) };
    let text = String::from_utf8(bytes)
        .map_err(|_| OpenError::Invalid { path: name.clone(), message: "not UTF-8 text".into() })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let raw: Raw = yaml_raw(text).map_err(|e| yaml_error(&name, e))?;
    match raw.get("responders") {
        Some(section) => responders_from_raw(section).map_err(|message| OpenError::Invalid { path: name, message }),
        None => Err(OpenError::Invalid { path: name, message: "no `responders:` section".into() }),
    }
}

// ---------------------------------------------------------------------------
// documents

/// Lines where the elements of the top-level `"events"` array of a JSON
/// document start (1-based), by a structural scan.
fn json_event_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut depth, mut line) = (0usize, 1usize);
    let (mut in_str, mut esc) = (false, false);
    let mut cur = String::new();
    let mut last_str = String::new();
    let mut key = String::new();
    let (mut in_events, mut want_item) = (false, false);
    for c in text.chars() {
        if c == '\n' {
            line += 1;
        }
        if in_str {
            if esc {
                esc = false;
                if depth == 1 {
                    cur.push(c);
                }
            } else if c == '\\' {
                esc = true;
            } else if c == '"' {
                in_str = false;
                if depth == 1 {
                    last_str = std::mem::take(&mut cur);
                }
            } else if depth == 1 {
                cur.push(c);
            }
            continue;
        }
        if c.is_whitespace() {
            continue;
        }
        if in_events && depth == 2 && want_item && c != ']' {
            lines.push(line);
            want_item = false;
        }
        match c {
            '"' => {
                in_str = true;
                cur.clear();
            }
            ':' if depth == 1 => key = std::mem::take(&mut last_str),
            '{' | '[' => {
                if c == '[' && depth == 1 && key == "events" {
                    in_events = true;
                    want_item = true;
                }
                depth += 1;
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                if depth <= 1 {
                    in_events = false;
                }
            }
            ',' if in_events && depth == 2 => want_item = true,
            _ => {}
        }
    }
    lines
}

/// Lines where the items of a top-level block sequence `events:` start in a
/// YAML document (1-based), by a line scan of the common layout. The caller
/// checks the count against the parsed events.
/// The line where each item of the top-level `events` list starts, from the
/// YAML event stream (yaml-rust2 keeps positions, serde_yaml does not): any
/// layout — block or flow lists, JSON saved as YAML, multi-line scalars.
/// `None` when the text does not parse (the caller then falls back).
fn yaml_event_lines_parsed(text: &str) -> Option<Vec<usize>> {
    use yaml_rust2::parser::{Event as YEvent, MarkedEventReceiver, Parser};
    use yaml_rust2::scanner::{Marker, TScalarStyle};

    #[derive(Default)]
    struct Lines {
        /// open containers: (is a mapping, children seen)
        stack: Vec<(bool, usize)>,
        /// the next value is that of the top-level key `events`
        events_key: bool,
        /// inside the top-level `events` list
        in_events: bool,
        out: Vec<usize>,
        /// empty items (`-` and nothing)
        empty: Vec<EmptyItem>,
        /// the last event was an empty item
        after_empty: bool,
    }
    impl MarkedEventReceiver for Lines {
        fn on_event(&mut self, ev: YEvent, mark: Marker) {
            let item = self.in_events
                && self.stack.len() == 2
                && matches!(ev, YEvent::Scalar(..) | YEvent::Alias(..) | YEvent::SequenceStart(..) | YEvent::MappingStart(..));
            if std::mem::take(&mut self.after_empty) {
                if let Some(e) = self.empty.last_mut() {
                    e.next_is_item = item;
                }
            }
            match ev {
                YEvent::Scalar(..) | YEvent::Alias(..) | YEvent::SequenceStart(..) | YEvent::MappingStart(..) => {
                    let depth = self.stack.len();
                    if item {
                        // an empty item is marked where the parser saw the
                        // next token, maybe lines later or past the end:
                        // its line is settled below
                        if matches!(&ev, YEvent::Scalar(v, TScalarStyle::Plain, ..) if v.is_empty()) {
                            self.empty.push(EmptyItem { index: self.out.len(), line: mark.line(), col: mark.col(), next_is_item: false });
                            self.after_empty = true;
                        }
                        self.out.push(mark.line());
                    }
                    if let Some(top) = self.stack.last_mut() {
                        let index = top.1;
                        top.1 += 1;
                        if depth == 1 && top.0 {
                            if index % 2 == 0 {
                                self.events_key = matches!(&ev, YEvent::Scalar(k, ..) if k == "events");
                            } else {
                                self.in_events = self.events_key && matches!(ev, YEvent::SequenceStart(..));
                                self.events_key = false;
                            }
                        }
                    }
                    match ev {
                        YEvent::SequenceStart(..) => self.stack.push((false, 0)),
                        YEvent::MappingStart(..) => self.stack.push((true, 0)),
                        _ => {}
                    }
                }
                YEvent::SequenceEnd | YEvent::MappingEnd => {
                    self.stack.pop();
                    if self.stack.len() < 2 {
                        self.in_events = false;
                    }
                }
                _ => {}
            }
        }
    }
    let mut recv = Lines::default();
    Parser::new_from_str(text).load(&mut recv, false).ok()?;
    if !recv.empty.is_empty() {
        empty_item_lines(text, &recv.empty, &mut recv.out);
    }
    Some(recv.out)
}

/// An empty item of a block list, as yaml-rust2 reports it.
struct EmptyItem {
    /// in the list of item lines
    index: usize,
    /// where the parser marked it: the next token (1-based line, column
    /// from 0)
    line: usize,
    col: usize,
    /// the next token starts another item: its mark comes after that
    /// item's `-`
    next_is_item: bool,
}

/// The line of each empty item of a block list: the line of its `-`, the
/// last `-` before its mark, or the one before that when the mark is that
/// of the next item (which comes after the next item's `-`). Blanks and
/// comments are skipped; lines and columns count as yaml-rust2 counts them
/// (CR, LF and CR LF break a line, columns are characters). One pass, the
/// items in order. Without a `-` (a flow list), the line of the last
/// character before the mark that is not blank.
fn empty_item_lines(text: &str, items: &[EmptyItem], out: &mut [usize]) {
    let (mut line, mut col) = (1usize, 0usize);
    let (mut last, mut dash, mut dash_before) = (1usize, None::<usize>, None::<usize>);
    let (mut in_comment, mut after_blank) = (false, true);
    let mut k = 0;
    let mut settle = |k: &mut usize, at: Option<(usize, usize)>, last: usize, dash: Option<usize>, dash_before: Option<usize>| {
        while let Some(e) = items.get(*k) {
            if at.is_some_and(|p| (e.line, e.col) > p) {
                break;
            }
            let own = if e.next_is_item { dash_before } else { dash };
            if let Some(x) = out.get_mut(e.index) {
                *x = own.unwrap_or(last);
            }
            *k += 1;
        }
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        settle(&mut k, Some((line, col)), last, dash, dash_before);
        if k == items.len() {
            return;
        }
        if c == '\r' || c == '\n' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            (line, col, in_comment, after_blank) = (line + 1, 0, false, true);
            continue;
        }
        col += 1;
        if c == '#' && after_blank {
            in_comment = true;
        }
        let blank = c == ' ' || c == '\t';
        if !blank && !in_comment {
            last = line;
            // a `-` indicator: after a blank or at the start of a line, and
            // followed by a blank, a line break or the end
            if c == '-' && after_blank && chars.peek().is_none_or(|n| matches!(n, ' ' | '\t' | '\r' | '\n')) {
                (dash_before, dash) = (dash, Some(line));
            }
        }
        after_blank = blank;
    }
    settle(&mut k, None, last, dash, dash_before);
}

/// The same by indentation (`events:` at column 0, `- ` items): the
/// fallback for text yaml-rust2 cannot read.
fn yaml_event_lines(text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    // find `events:` at column 0 with nothing after it
    let found = lines.by_ref().any(|(_, l)| {
        let l = l.trim_end();
        let rest = l
            .strip_prefix("events:")
            .or_else(|| l.strip_prefix("\"events\":"))
            .or_else(|| l.strip_prefix("'events':"));
        matches!(rest, Some(r) if r.trim().is_empty() || r.trim_start().starts_with('#'))
    });
    if !found {
        return out;
    }
    let mut indent: Option<usize> = None;
    for (i, l) in lines {
        let trimmed = l.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let ind = l.len() - trimmed.len();
        let is_item = trimmed == "-" || trimmed.starts_with("- ") || trimmed.starts_with("-\t");
        match indent {
            None => {
                if !is_item {
                    return out;
                }
                indent = Some(ind);
                out.push(i + 1);
            }
            Some(n) => {
                if ind < n || (ind == n && !is_item) {
                    break;
                }
                if ind == n {
                    out.push(i + 1);
                }
            }
        }
    }
    out
}

/// What a timeline yields, in order.
type Items = Vec<Result<Event, Rejected>>;

/// The notice for a timeline with nothing in it, in any format.
fn empty_notice(name: &str) -> String {
    format!("{name}: the timeline is empty")
}

fn read_document(text: &str, format: Format, name: &str, ctx: &mut Ctx, notices: &mut Vec<String>) -> Result<(Option<Responders>, Items), OpenError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // an empty file (or only blanks) is an empty timeline in either
    // format, as an empty JSON Lines file is
    let mut raw: Raw = match format {
        _ if text.trim().is_empty() => Raw::Null,
        Format::Json => serde_json::from_str(text).map_err(|e| OpenError::Syntax { path: name.into(), line: e.line(), message: e.to_string() })?,
        _ => yaml_raw(text).map_err(|e| yaml_error(name, e))?,
    };
    let invalid = |message: String| OpenError::Invalid { path: name.into(), message };
    let entries = match &raw {
        Raw::Null => {
            notices.push(empty_notice(name));
            return Ok((None, Vec::new()));
        }
        Raw::Map(entries) => entries,
        other => return Err(invalid(format!("a timeline document is a map with `events:` (and optionally `responders:`), not {}", other.type_name()))),
    };
    if let Some(k) = duplicate_key(entries) {
        return Err(invalid(format!("top-level key `{k}` is given twice")));
    }
    let mut responders = None;
    let mut events_raw: Vec<Raw> = Vec::new();
    let Raw::Map(entries) = &mut raw else { return Ok((None, Vec::new())) };
    for (k, v) in entries.iter_mut() {
        match k.as_str() {
            "responders" => responders = Some(responders_from_raw(v).map_err(invalid)?),
            "events" => match v {
                Raw::Seq(items) => events_raw = std::mem::take(items),
                Raw::Null => {}
                other => return Err(invalid(format!("`events` must be a list, not {}", other.type_name()))),
            },
            other => notices.push(format!("{name}: unknown top-level key `{other}` ignored")),
        }
    }
    let mut lines = match format {
        Format::Json => json_event_lines(text),
        _ => match yaml_event_lines_parsed(text) {
            Some(l) if l.len() == events_raw.len() => l,
            _ => yaml_event_lines(text),
        },
    };
    if lines.len() != events_raw.len() {
        lines = vec![0; events_raw.len()];
    }
    let mut rejected = Vec::new();
    let mut events = Vec::new();
    for (seq, (mut item, line)) in events_raw.into_iter().zip(lines).enumerate() {
        match parse_event(&mut item, line, seq as u64, ctx, notices) {
            Ok(e) => events.push(e),
            Err(r) => rejected.push(Err(r)),
        }
    }
    events.sort_by_key(|e| (e.at, e.seq));
    rejected.extend(events.into_iter().map(Ok));
    Ok((responders, rejected))
}

// ---------------------------------------------------------------------------
// JSON Lines

/// A pending event in the reorder heap, ordered by (at, seq).
struct Pending(Event);

impl PartialEq for Pending {
    fn eq(&self, o: &Self) -> bool {
        (self.0.at, self.0.seq) == (o.0.at, o.0.seq)
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Pending {
    fn cmp(&self, o: &Self) -> Ordering {
        (self.0.at, self.0.seq).cmp(&(o.0.at, o.0.seq))
    }
}

/// The events held for the reorder window, handed out in (time, file
/// order): events read in order (the common case) wait in a FIFO, the few
/// read out of order in a min-heap; the earlier of the two fronts comes out
/// first. Events are large, so the FIFO saves moving them through the heap.
#[derive(Default)]
struct Reorder {
    fifo: VecDeque<Event>,
    heap: BinaryHeap<Reverse<Pending>>,
}

impl Reorder {
    fn push(&mut self, ev: Event) {
        // sequence numbers only grow: the FIFO stays sorted by (at, seq)
        if self.fifo.back().is_none_or(|b| b.at <= ev.at) {
            self.fifo.push_back(ev);
        } else {
            self.heap.push(Reverse(Pending(ev)));
        }
    }

    /// Whether the next event comes from the heap.
    fn heap_first(&self) -> Option<bool> {
        match (self.fifo.front(), self.heap.peek()) {
            (None, None) => None,
            (Some(_), None) => Some(false),
            (None, Some(_)) => Some(true),
            (Some(f), Some(Reverse(h))) => Some((h.0.at, h.0.seq) < (f.at, f.seq)),
        }
    }

    fn peek_at(&self) -> Option<Instant> {
        match self.heap_first()? {
            true => self.heap.peek().map(|Reverse(p)| p.0.at),
            false => self.fifo.front().map(|e| e.at),
        }
    }

    fn pop(&mut self) -> Option<Event> {
        match self.heap_first()? {
            true => self.heap.pop().map(|Reverse(p)| p.0),
            false => self.fifo.pop_front(),
        }
    }
}

enum LineRead {
    Eof,
    Line { terminated: bool, too_long: bool },
}

/// Read one line (without its `\n`) into `buf`, keeping at most `cap`
/// bytes; the rest of a longer line is skipped, not buffered.
fn read_line_capped(r: &mut dyn BufRead, buf: &mut Vec<u8>, cap: usize) -> io::Result<LineRead> {
    buf.clear();
    let mut too_long = false;
    let mut any = false;
    loop {
        let avail = match r.fill_buf() {
            Ok(a) => a,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok(if any { LineRead::Line { terminated: false, too_long } } else { LineRead::Eof });
        }
        any = true;
        let (chunk, found) = match memchr::memchr(b'\n', avail) {
            Some(i) => (&avail[..i], Some(i + 1)),
            None => (avail, None),
        };
        if !too_long {
            if buf.len() + chunk.len() > cap {
                too_long = true;
                buf.clear();
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        let used = found.unwrap_or(avail.len());
        r.consume(used);
        if found.is_some() {
            return Ok(LineRead::Line { terminated: true, too_long });
        }
    }
}

/// The sequence numbers of the events in the reorder heap. They enter in
/// increasing order (one per accepted event) and leave in any order; the
/// smallest one still held is what a deferred rejection waits for.
#[derive(Debug, Default)]
struct Held {
    /// sequence number of `live[0]`
    base: u64,
    /// still in the heap, from `base` on; never starts with `false`
    live: VecDeque<bool>,
}

impl Held {
    fn insert(&mut self, seq: u64) {
        if self.live.is_empty() {
            self.base = seq;
        }
        // sequence numbers come consecutively; a gap would be a bug, and is
        // filled with released entries rather than trusted
        while self.base + (self.live.len() as u64) < seq {
            self.live.push_back(false);
        }
        self.live.push_back(true);
        self.trim();
    }

    fn remove(&mut self, seq: u64) {
        if let Some(x) = seq.checked_sub(self.base).and_then(|i| self.live.get_mut(i as usize)) {
            *x = false;
        }
        self.trim();
    }

    fn trim(&mut self) {
        while self.live.front() == Some(&false) {
            self.live.pop_front();
            self.base += 1;
        }
    }

    fn first(&self) -> Option<u64> {
        (!self.live.is_empty()).then_some(self.base)
    }
}

struct JsonLines {
    reader: Box<dyn BufRead>,
    window: i64,
    heap: Reorder,
    /// rejected lines not yet handed out, each with the number of events
    /// accepted before it: it waits until those have left the reorder heap,
    /// so that rejections and events come out in line order
    pending_rejects: VecDeque<(u64, Rejected)>,
    /// sequence numbers of the events in the heap
    held: Held,
    latest: Option<Instant>,
    line: usize,
    seq: u64,
    eof: bool,
    buf: Vec<u8>,
    ctx: Ctx,
    /// the file's name, for the notice of an empty timeline
    name: String,
    /// some line was rejected
    rejected_any: bool,
}

impl JsonLines {
    /// A rejected line, handed out after the events read before it.
    fn defer(&mut self, r: Rejected) {
        self.rejected_any = true;
        self.pending_rejects.push_back((self.seq, r));
    }

    fn ready(&self) -> bool {
        match (self.heap.peek_at(), self.latest) {
            (Some(at), Some(latest)) => self.eof || at <= latest.saturating_sub(self.window),
            (Some(_), None) => self.eof,
            _ => false,
        }
    }

    fn next(&mut self, notices: &mut Vec<String>) -> Option<Result<Event, Rejected>> {
        loop {
            if let Some((mark, _)) = self.pending_rejects.front() {
                if self.held.first().is_none_or(|first| first >= *mark) {
                    return self.pending_rejects.pop_front().map(|(_, r)| Err(r));
                }
            }
            if self.ready() {
                if let Some(ev) = self.heap.pop() {
                    self.held.remove(ev.seq);
                    return Some(Ok(ev));
                }
            }
            if self.eof {
                return None;
            }
            self.read_one(notices);
        }
    }

    /// Read one line: it ends up in the heap, in the rejects, or nowhere
    /// (blank); or the end of the input is reached.
    fn read_one(&mut self, notices: &mut Vec<String>) {
        let res = read_line_capped(self.reader.as_mut(), &mut self.buf, MAX_LINE_BYTES);
        let (terminated, too_long) = match res {
            Ok(LineRead::Eof) => {
                self.eof = true;
                if self.seq == 0 && !self.rejected_any {
                    notices.push(empty_notice(&self.name));
                }
                return;
            }
            Ok(LineRead::Line { terminated, too_long }) => (terminated, too_long),
            Err(e) => {
                self.eof = true;
                self.defer(reject(self.line + 1, format!("read error: {e}")));
                return;
            }
        };
        self.line += 1;
        let line = self.line;
        if too_long {
            self.defer(reject(line, format!("line longer than {MAX_LINE_BYTES} bytes")));
            return;
        }
        let mut bytes: &[u8] = &self.buf;
        if line == 1 {
            bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
        }
        let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
        let Ok(text) = std::str::from_utf8(bytes) else {
            self.defer(reject(line, "not UTF-8 text"));
            return;
        };
        // most lines start with `{`: no need to trim the whole line
        if !text.starts_with('{') && text.trim().is_empty() {
            return;
        }
        if let Some(ev) = fast::event(text, line, self.seq, &mut self.ctx, notices) {
            self.accept(ev, line);
            return;
        }
        let raw: Raw = match serde_json::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let reason = if !terminated && e.is_eof() {
                    "truncated line at the end of the input (no closing newline; the writer may have been interrupted)".to_string()
                } else {
                    format!("not a JSON event: {e}{}", line_hint(text))
                };
                self.defer(reject(line, reason));
                return;
            }
        };
        let seq = self.seq;
        let mut raw = raw;
        match parse_event(&mut raw, line, seq, &mut self.ctx, notices) {
            Ok(ev) => self.accept(ev, line),
            Err(r) => self.defer(r),
        }
    }

    /// An event read from `line`: into the reorder heap, or rejected as too
    /// late for the window.
    fn accept(&mut self, ev: Event, line: usize) {
        if let Some(latest) = self.latest {
            let earliest = latest.saturating_sub(self.window);
            if ev.at < earliest {
                self.defer(reject(
                    line,
                    format!(
                        "too late for the reorder window: {} is {} before the latest event already read ({}); the window is {}",
                        fmt_instant(ev.at),
                        fmt_secs(latest - ev.at),
                        fmt_instant(latest),
                        fmt_secs(self.window),
                    ),
                ));
                return;
            }
        }
        self.seq += 1;
        self.latest = Some(self.latest.map_or(ev.at, |l| l.max(ev.at)));
        self.held.insert(ev.seq);
        self.heap.push(ev);
    }
}

fn fmt_instant(t: Instant) -> String {
    match chrono::Utc.timestamp_opt(t, 0).single() {
        Some(d) => d.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => format!("@{t}"),
    }
}

fn fmt_secs(s: i64) -> String {
    let mut out = String::new();
    let mut rest = s.max(0);
    for (unit, n) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if rest >= n {
            out.push_str(&format!("{}{unit}", rest / n));
            rest %= n;
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

/// Why a line that is no JSON may look like one in an editor.
fn line_hint(text: &str) -> &'static str {
    if text.starts_with('\u{feff}') {
        "; the line starts with a byte order mark (U+FEFF): files joined together?"
    } else if text.contains('\0') {
        "; the line holds NUL bytes: is the file UTF-16? JSON Lines are UTF-8"
    } else if text.contains('\r') {
        "; the line holds a carriage return (CR) without a line feed: JSON Lines end lines with LF or CR LF"
    } else {
        ""
    }
}

// ---------------------------------------------------------------------------
// the timeline

enum Source {
    Whole(std::vec::IntoIter<Result<Event, Rejected>>),
    Stream(Box<JsonLines>),
}

/// An open timeline: an iterator of events in time order (ties in file
/// order) and rejected events.
pub struct Timeline {
    /// the document's `responders` section, if any (never for JSON Lines)
    pub responders: Option<Responders>,
    /// notices so far (zone-less times, unknown keys, …); JSON Lines add to
    /// them while streaming
    pub notices: Vec<String>,
    source: Source,
}

impl fmt::Debug for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_struct("Timeline").field("responders", &self.responders).field("notices", &self.notices).finish_non_exhaustive()
    }
}

/// Open a timeline file by its extension; `-` reads JSON Lines from stdin.
/// `reorder_window` is in seconds (JSON Lines only).
pub fn open(path: &Path, tz: Tz, reorder_window: i64) -> Result<Timeline, OpenError> {
    let name = path.display().to_string();
    let format = Format::from_path(path).ok_or_else(|| OpenError::UnknownExtension { path: name.clone() })?;
    if path.as_os_str() == "-" {
        return Timeline::from_reader(io::BufReader::new(io::stdin()), Format::JsonLines, tz, reorder_window, "-");
    }
    let file = std::fs::File::open(path).map_err(|source| OpenError::Io { path: name.clone(), source })?;
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return Err(OpenError::Invalid { path: name, message: "is a directory, not a timeline file".into() });
    }
    if format != Format::JsonLines && file.metadata().is_ok_and(|m| m.len() > MAX_DOCUMENT_BYTES) {
        return Err(too_big(&name));
    }
    Timeline::from_reader(io::BufReader::with_capacity(64 * 1024, file), format, tz, reorder_window, &name)
}

impl Timeline {
    /// Read a timeline of a given format from any reader; `name` is used in
    /// errors and notices.
    pub fn from_reader<R: BufRead + 'static>(mut reader: R, format: Format, tz: Tz, reorder_window: i64, name: &str) -> Result<Timeline, OpenError> {
        let mut notices = Vec::new();
        match format {
            Format::JsonLines => Ok(Timeline {
                responders: None,
                notices,
                source: Source::Stream(Box::new(JsonLines {
                    reader: Box::new(reader),
                    window: reorder_window.max(0),
                    heap: Reorder::default(),
                    pending_rejects: VecDeque::new(),
                    held: Default::default(),
                    latest: None,
                    line: 0,
                    seq: 0,
                    eof: false,
                    buf: Vec::new(),
                    ctx: Ctx::new(tz),
                    name: name.to_string(),
                    rejected_any: false,
                })),
            }),
            Format::Yaml | Format::Json => {
                let bytes = read_capped(&mut reader, MAX_DOCUMENT_BYTES).map_err(|source| OpenError::Io { path: name.into(), source })?;
                let Some(bytes) = bytes else { return Err(too_big(name)) };
                let text = String::from_utf8(bytes).map_err(|e| {
                    let line = 1 + e.as_bytes()[..e.utf8_error().valid_up_to()].iter().filter(|&&b| b == b'\n').count();
                    OpenError::Syntax { path: name.into(), line, message: "not UTF-8 text".into() }
                })?;
                let mut ctx = Ctx::new(tz);
                let (responders, items) = read_document(&text, format, name, &mut ctx, &mut notices)?;
                Ok(Timeline { responders, notices, source: Source::Whole(items.into_iter()) })
            }
        }
    }

    /// A timeline over events already in memory (an importer's output),
    /// sorted here by (at, seq).
    pub fn from_events(mut events: Vec<Event>, notices: Vec<String>) -> Timeline {
        events.sort_by_key(|e| (e.at, e.seq));
        let items: Vec<Result<Event, Rejected>> = events.into_iter().map(Ok).collect();
        Timeline { responders: None, notices, source: Source::Whole(items.into_iter()) }
    }

    /// Take the notices collected so far.
    pub fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }
}

impl Iterator for Timeline {
    type Item = Result<Event, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.source {
            Source::Whole(it) => it.next(),
            Source::Stream(s) => s.next(&mut self.notices),
        }
    }
}

// ---------------------------------------------------------------------------
// tests

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read};

    fn utc() -> Tz {
        chrono_tz::UTC
    }

    fn ts(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn read(text: &str, format: Format, window: i64) -> (Timeline, Vec<Event>, Vec<Rejected>) {
        let mut tl = Timeline::from_reader(Cursor::new(text.as_bytes().to_vec()), format, utc(), window, "test").unwrap();
        let (mut ok, mut bad) = (Vec::new(), Vec::new());
        for item in tl.by_ref() {
            match item {
                Ok(e) => ok.push(e),
                Err(r) => bad.push(r),
            }
        }
        (tl, ok, bad)
    }

    /// events without their positions, for comparing formats
    fn strip(events: &[Event]) -> Vec<(Instant, EventKind)> {
        events.iter().map(|e| (e.at, e.kind.clone())).collect()
    }

    const SPEC_YAML: &str = r#"responders:                         # optional behaviour model for people paged
  default: { ack-after: never }     # fallback for people not listed (this is its default)
  dave:   { ack-after: 4m }
  carol:  { ack-after: lognormal 3m 10m, miss: 0.2 }   # median, p90; 20% never answer (seeded)
events:
  - { at: 2026-07-01T02:14:00Z, alert: A1, service: payments-api, severity: sev1,
      summary: "checkout 500s", labels: { region: us-east }, fingerprint: pay-500 }
  - { at: 2026-07-01T02:19:00Z, ack: A1, by: bob }      # recorded acknowledgement
  - { at: 2026-07-01T03:00:00Z, resolve: A1 }
"#;

    const SPEC_JSON: &str = r#"{
  "responders": {
    "default": {"ack-after": "never"},
    "dave": {"ack-after": "4m"},
    "carol": {"ack-after": "lognormal 3m 10m", "miss": 0.2}
  },
  "events": [
    {"at": "2026-07-01T02:14:00Z", "alert": "A1", "service": "payments-api", "severity": "sev1",
     "summary": "checkout 500s", "labels": {"region": "us-east"}, "fingerprint": "pay-500"},
    {"at": "2026-07-01T02:19:00Z", "ack": "A1", "by": "bob"},
    {"at": "2026-07-01T03:00:00Z", "resolve": "A1"}
  ]
}
"#;

    const SPEC_JSONL: &str = r#"{"at": "2026-07-01T02:14:00Z", "alert": "A1", "service": "payments-api", "severity": "sev1", "summary": "checkout 500s", "labels": {"region": "us-east"}, "fingerprint": "pay-500"}
{"at": "2026-07-01T02:19:00Z", "ack": "A1", "by": "bob"}
{"at": "2026-07-01T03:00:00Z", "resolve": "A1"}
"#;

    fn spec_events() -> Vec<(Instant, EventKind)> {
        vec![
            (
                ts("2026-07-01T02:14:00Z"),
                EventKind::Alert(Box::new(AlertEvent {
                    id: "A1".into(),
                    service: "payments-api".into(),
                    severity: Some("sev1".into()),
                    summary: Some("checkout 500s".into()),
                    source: None,
                    labels: [("region".to_string(), "us-east".to_string())].into_iter().collect(),
                    fingerprint: Some("pay-500".into()),
                })),
            ),
            (ts("2026-07-01T02:19:00Z"), EventKind::Ack { id: "A1".into(), by: Some("bob".into()) }),
            (ts("2026-07-01T03:00:00Z"), EventKind::Resolve { id: "A1".into() }),
        ]
    }

    #[test]
    fn yaml_flow_depth_counts_only_brackets_that_open_collections() {
        let deep = format!("events: {}{}\n", "[".repeat(MAX_YAML_FLOW_DEPTH + 1), "]".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(yaml_flow_depth(&deep), Some(1));
        let ok = format!("events: {}{}\n", "[".repeat(MAX_YAML_FLOW_DEPTH), "]".repeat(MAX_YAML_FLOW_DEPTH));
        assert_eq!(yaml_flow_depth(&ok), None);
        // plain scalars, quotes and comments open nothing
        let line = "  - { at: x, note: \"[[[\", c: '{{', d: [\"]]\",\"[\"] } # [[[\n  - summary: disk [sda\n    source: it's [ {, key:[a\n";
        assert_eq!(yaml_flow_depth(&line.repeat(2 * MAX_YAML_FLOW_DEPTH)), None);
        // an anchor or a tag before a bracket does not hide it
        let tagged = format!("events: &a !!seq {}\n", "[".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(yaml_flow_depth(&tagged), Some(1));
        let multi = format!("events:\n  - {}\n", "{a: ".repeat(MAX_YAML_FLOW_DEPTH + 1));
        assert_eq!(yaml_flow_depth(&multi), Some(2));
    }

    #[test]
    fn read_capped_stops_past_the_cap() {
        let mut r = Cursor::new(vec![b'x'; 11]);
        assert_eq!(read_capped(&mut r, 11).unwrap().map(|v| v.len()), Some(11));
        let mut r = Cursor::new(vec![b'x'; 12]);
        assert_eq!(read_capped(&mut r, 11).unwrap(), None);
    }

    #[test]
    fn spec_example_in_every_format() {
        let (ty, y, ry) = read(SPEC_YAML, Format::Yaml, 3600);
        let (tj, j, rj) = read(SPEC_JSON, Format::Json, 3600);
        let (tl, l, rl) = read(SPEC_JSONL, Format::JsonLines, 3600);
        assert!(ry.is_empty() && rj.is_empty() && rl.is_empty(), "{ry:?} {rj:?} {rl:?}");
        assert_eq!(strip(&y), spec_events());
        assert_eq!(strip(&j), spec_events());
        assert_eq!(strip(&l), spec_events());
        // lines where each event starts
        assert_eq!(y.iter().map(|e| e.line).collect::<Vec<_>>(), vec![6, 8, 9]);
        assert_eq!(j.iter().map(|e| e.line).collect::<Vec<_>>(), vec![8, 10, 11]);
        assert_eq!(l.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 2, 3]);
        assert!(ty.notices.is_empty() && tj.notices.is_empty() && tl.notices.is_empty(), "{:?}", ty.notices);
        let r = ty.responders.clone().unwrap();
        assert_eq!(r, tj.responders.clone().unwrap());
        assert_eq!(r["default"], ResponderSpec { ack_after: AckAfter::Never, miss: 0.0 });
        assert_eq!(r["dave"], ResponderSpec { ack_after: AckAfter::Fixed(240), miss: 0.0 });
        assert_eq!(r["carol"], ResponderSpec { ack_after: AckAfter::LogNormal { median: 180.0, p90: 600.0 }, miss: 0.2 });
        assert!(tl.responders.is_none());
    }

    #[test]
    fn documents_are_sorted_ties_in_file_order() {
        let yaml = "events:\n- {at: 2026-07-01T03:00:00Z, resolve: A1}\n- {at: 2026-07-01T02:00:00Z, alert: A1, service: s}\n- {at: 2026-07-01T03:00:00Z, ack: A1}\n";
        let (_, ev, rej) = read(yaml, Format::Yaml, 0);
        assert!(rej.is_empty());
        assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 2, 4]);
        assert!(matches!(ev[1].kind, EventKind::Resolve { .. }));
        assert!(matches!(ev[2].kind, EventKind::Ack { .. }));
    }

    #[test]
    fn empty_yaml_items_are_rejected_at_their_dash() {
        let ok = "{at: 2026-07-01T03:00:00Z, resolve: A1}";
        for (text, rejected, accepted) in [
            // the last item, without a final newline
            ("events:\n-".to_string(), vec![2], vec![]),
            (format!("events:\n-\n- {ok}\n"), vec![2], vec![3]),
            (format!("events:\n  - # nothing\n  # a comment line\n\n  -\n  - {ok}\n"), vec![2, 5], vec![6]),
            (format!("events:\r- \r- {ok}\r"), vec![2], vec![3]),
            (format!("events:\r\n-\r\n- {ok}\r\n-"), vec![2, 4], vec![3]),
            // lists are items too (rejected); one whose content starts
            // on the next line is at that line, like a map
            (format!("events:\n  - - \n  -\n    - {ok}\n  -\n"), vec![2, 4, 5], vec![]),
        ] {
            let (_, ev, rej) = read(&text, Format::Yaml, 0);
            assert_eq!(rej.iter().map(|r| r.line).collect::<Vec<_>>(), rejected, "{text:?}");
            assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), accepted, "{text:?}");
        }
    }

    #[test]
    fn files_by_extension() {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in [("t.yaml", SPEC_YAML), ("t.yml", SPEC_YAML), ("t.json", SPEC_JSON), ("t.jsonl", SPEC_JSONL), ("t.NDJSON", SPEC_JSONL)] {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            let tl = open(&p, utc(), 3600).unwrap();
            let ev: Vec<Event> = tl.map(|r| r.unwrap()).collect();
            assert_eq!(strip(&ev), spec_events(), "{name}");
        }
        let p = dir.path().join("t.txt");
        std::fs::write(&p, SPEC_JSONL).unwrap();
        assert!(matches!(open(&p, utc(), 3600), Err(OpenError::UnknownExtension { .. })));
        assert!(matches!(open(&dir.path().join("missing.jsonl"), utc(), 3600), Err(OpenError::Io { .. })));
        assert_eq!(Format::from_path(Path::new("-")), Some(Format::JsonLines));
    }

    #[test]
    fn reorder_window() {
        let text = [
            r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s"}"#,
            r#"{"at":"2026-07-01T10:30:00Z","alert":"B","service":"s"}"#,
            r#"{"at":"2026-07-01T10:10:00Z","alert":"C","service":"s"}"#, // 20m late: re-sorted
            r#"{"at":"2026-07-01T12:00:00Z","alert":"D","service":"s"}"#,
            r#"{"at":"2026-07-01T10:59:59Z","alert":"E","service":"s"}"#, // 1h0m1s late: rejected
            r#"{"at":"2026-07-01T11:00:00Z","alert":"F","service":"s"}"#, // exactly 1h late: accepted
            r#"{"at":"2026-07-01T11:00:00Z","alert":"G","service":"s"}"#, // tie: file order
        ]
        .join("\n");
        let (_, ev, rej) = read(&text, Format::JsonLines, 3600);
        let ids: Vec<&str> = ev
            .iter()
            .map(|e| match &e.kind {
                EventKind::Alert(a) => a.id.as_str(),
                _ => "",
            })
            .collect();
        assert_eq!(ids, vec!["A", "C", "B", "F", "G", "D"]);
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0].line, 5);
        assert!(rej[0].reason.contains("too late"), "{}", rej[0].reason);
        assert!(rej[0].reason.contains("1h0m1s") || rej[0].reason.contains("1h1s"), "{}", rej[0].reason);
        // window 0: anything earlier than the latest is rejected
        let (_, ev, rej) = read(&text, Format::JsonLines, 0);
        assert_eq!(ev.len(), 3);
        assert_eq!(rej.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3, 5, 6, 7]);
    }

    proptest::proptest! {
        /// The UTC fast path, with its remembered date, reads every
        /// `YYYY-MM-DDTHH:MM:SSZ` as RFC 3339 does (and leaves what RFC
        /// 3339 refuses, or reads as a leap second, to the general
        /// parser), whatever date the line before had.
        #[test]
        fn utc_fast_path_agrees_with_rfc3339(
            times in proptest::collection::vec((1969u32..2101, 0u32..14, 0u32..33, 0u32..26, 0u32..62, 0u32..62), 1..12),
            repeat in proptest::collection::vec(proptest::bool::ANY, 12),
        ) {
            let mut day = None;
            let mut prev: Option<String> = None;
            for (k, &(y, mo, d, h, mi, s)) in times.iter().enumerate() {
                let mut text = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z");
                if let (Some(p), true) = (&prev, repeat[k]) {
                    // the same date as the line before, another time
                    text.replace_range(..10, &p[..10]);
                }
                let want = chrono::DateTime::parse_from_rfc3339(&text).ok().filter(|_| s < 60).map(|t| t.timestamp());
                proptest::prop_assert_eq!(utc_seconds(&text, &mut day), want, "{}", text);
                prev = Some(text);
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
        /// Whatever mix of in-order and late events, what comes out is the
        /// accepted events sorted by time, ties in file order (the FIFO and
        /// the heap of the reorder window agree).
        #[test]
        fn reordering_is_a_stable_sort_of_the_accepted_events(
            minutes in proptest::collection::vec(0i64..90, 0..60),
            window in proptest::sample::select(vec![0i64, 600, 3600, 86_400]),
        ) {
            use proptest::prelude::*;
            let lines: Vec<String> = minutes
                .iter()
                .enumerate()
                .map(|(i, m)| format!(r#"{{"at":"2026-07-01T{:02}:{:02}:00Z","alert":"A{i}","service":"s"}}"#, 10 + m / 60, m % 60))
                .collect();
            let (_, ev, rej) = read(&lines.join("\n"), Format::JsonLines, window);
            // the reader's own acceptance rule, replayed: late by more than
            // the window behind the latest accepted time is rejected
            let mut latest = i64::MIN;
            let mut accepted: Vec<(i64, usize)> = Vec::new();
            for (i, m) in minutes.iter().enumerate() {
                let at = m * 60;
                if latest != i64::MIN && at < latest - window {
                    continue;
                }
                latest = latest.max(at);
                accepted.push((at, i));
            }
            accepted.sort_by_key(|&(at, _)| at);
            let want: Vec<String> = accepted.iter().map(|(_, i)| format!("A{i}")).collect();
            let got: Vec<String> = ev
                .iter()
                .map(|e| match &e.kind {
                    EventKind::Alert(a) => a.id.clone(),
                    _ => String::new(),
                })
                .collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(rej.len() + ev.len(), minutes.len());
        }
    }

    #[test]
    fn streaming_emits_before_the_end() {
        // the first event comes out as soon as a later one proves it safe
        let text = format!(
            "{}\n{}\n",
            r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s"}"#,
            r#"{"at":"2026-07-01T12:00:00Z","alert":"B","service":"s"}"#
        );
        struct Tail {
            inner: Cursor<Vec<u8>>,
        }
        impl Read for Tail {
            fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
                let n = self.inner.read(b)?;
                if n == 0 {
                    return Err(io::Error::other("the input must not be read to the end"));
                }
                Ok(n)
            }
        }
        let reader = io::BufReader::with_capacity(8, Tail { inner: Cursor::new(text.into_bytes()) });
        let mut tl = Timeline::from_reader(reader, Format::JsonLines, utc(), 3600, "t").unwrap();
        let first = tl.next().unwrap().unwrap();
        assert_eq!(first.at, ts("2026-07-01T10:00:00Z"));
    }

    #[test]
    fn garbage_lines_are_counted_with_line_numbers() {
        let mut lines = Vec::new();
        let mut bad_lines = Vec::new();
        let t0 = ts("2026-07-01T00:00:00Z");
        for i in 0..1000 {
            if i % 100 == 37 {
                lines.push(match (i / 100) % 5 {
                    0 => "this is not json".to_string(),
                    1 => "{\"at\": \"2026-07-01T00:00:00Z\", \"alert\": ".to_string(),
                    2 => "[1, 2, 3]".to_string(),
                    3 => "{\"at\": \"yesterday\", \"resolve\": \"X\"}".to_string(),
                    _ => "{\"at\": \"2026-07-01T00:00:00Z\", \"page\": \"X\"}".to_string(),
                });
                bad_lines.push(i + 1);
            } else {
                let at = fmt_instant(t0 + i as i64 * 60);
                lines.push(format!(r#"{{"at":"{at}","alert":"A{i}","service":"s"}}"#));
            }
        }
        let text = lines.join("\n") + "\n";
        let (_, ev, rej) = read(&text, Format::JsonLines, 3600);
        assert_eq!(ev.len(), 990);
        assert_eq!(rej.iter().map(|r| r.line).collect::<Vec<_>>(), bad_lines);
        assert!(rej[4].reason.contains("unknown event kind (`page`)"), "{}", rej[4].reason);
        assert!(rej[3].reason.contains("not a time"), "{}", rej[3].reason);
        assert!(rej[2].reason.contains("must be a map"), "{}", rej[2].reason);
        // events keep their own line numbers
        assert_eq!(ev[37].line, 39);
        // blank lines are skipped, not rejected
        let (_, ev, rej) = read("\n\n   \n", Format::JsonLines, 3600);
        assert!(ev.is_empty() && rej.is_empty());
    }

    #[test]
    fn truncated_last_line() {
        let text = format!("{}\n{}", r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s"}"#, r#"{"at":"2026-07-01T10:05:00Z","ack":"A","b"#);
        let (_, ev, rej) = read(&text, Format::JsonLines, 3600);
        assert_eq!(ev.len(), 1);
        assert_eq!(rej.len(), 1);
        assert_eq!(rej[0].line, 2);
        assert!(rej[0].reason.contains("truncated"), "{}", rej[0].reason);
        // a complete last line without its newline is fine
        let text = r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s"}"#;
        let (_, ev, rej) = read(text, Format::JsonLines, 3600);
        assert_eq!((ev.len(), rej.len()), (1, 0));
        // CR LF, a BOM
        let text = "\u{feff}{\"at\":\"2026-07-01T10:00:00Z\",\"resolve\":\"A\"}\r\n{\"at\":\"2026-07-01T10:00:00Z\",\"resolve\":\"B\"}\r\n";
        let (_, ev, rej) = read(text, Format::JsonLines, 3600);
        assert_eq!((ev.len(), rej.len()), (2, 0), "{rej:?}");
    }

    #[test]
    fn wrong_types_and_missing_fields() {
        let cases = [
            (r#"{"at":1782871200,"alert":"A","service":"s"}"#, "`at` must be"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":["A"],"service":"s"}"#, "`alert` must be an id"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":true,"service":"s"}"#, "`alert` must be an id"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"","service":"s"}"#, "is empty"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A"}"#, "has no `service`"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":null}"#, "has no `service`"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":""}"#, "empty `service`"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":{"a":1}}"#, "`service` must be text"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","summary":["x"]}"#, "`summary` must be text"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","labels":"x"}"#, "`labels` must be a map"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","labels":{"a":null}}"#, "label `a` is null"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","labels":{"a":{"b":1}}}"#, "nested"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","labels":{"a":[1]}}"#, "nested"),
            (r#"{"at":"2026-07-01T10:00:00Z","ack":"A","by":["x"]}"#, "`by` must be text"),
            (r#"{"alert":"A","service":"s"}"#, "missing `at`"),
            (r#"{"at":"2026-07-01T10:00:00Z","alert":"A","ack":"A","service":"s"}"#, "exactly one"),
            (r#"{"at":"2026-07-01T10:00:00Z"}"#, "none of"),
            (r#""just a string""#, "must be a map"),
            (r#"{"at":"2026-07-01T25:00:00Z","resolve":"A"}"#, "not a time"),
            (r#"{"at":"2026-07-01T10:00:00+25:00","resolve":"A"}"#, "not a time"),
        ];
        for (line, want) in cases {
            let (_, ev, rej) = read(line, Format::JsonLines, 3600);
            assert!(ev.is_empty(), "{line} was accepted");
            assert_eq!(rej.len(), 1, "{line}");
            assert!(rej[0].reason.contains(want), "{line}: {} (wanted {want})", rej[0].reason);
        }
        // integer ids are kept as text; null optional fields are absent
        let (_, ev, rej) = read(r#"{"at":"2026-07-01T10:00:00Z","alert":1234,"service":"s","summary":null,"labels":null}"#, Format::JsonLines, 0);
        assert!(rej.is_empty(), "{rej:?}");
        match &ev[0].kind {
            EventKind::Alert(a) => {
                assert_eq!(a.id, "1234");
                assert_eq!(a.summary, None);
                assert!(a.labels.is_empty());
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn times_without_zone_read_in_org_tz_with_one_notice() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let text = [
            r#"{"at":"2026-07-01T10:00:00","alert":"A","service":"s"}"#,
            r#"{"at":"2026-07-01 10:05","ack":"A"}"#,
            r#"{"at":"2026-07-01T10:06:00.999+02:00","resolve":"A"}"#,
            r#"{"at":"2026-07-01t08:07z","resolve":"B"}"#,
        ]
        .join("\n");
        let mut tl = Timeline::from_reader(Cursor::new(text.into_bytes()), Format::JsonLines, berlin, 3600, "t").unwrap();
        let ev: Vec<Event> = tl.by_ref().map(|r| r.unwrap()).collect();
        assert_eq!(ev[0].at, ts("2026-07-01T08:00:00Z"));
        assert_eq!(ev[1].at, ts("2026-07-01T08:05:00Z"));
        assert_eq!(ev[2].at, ts("2026-07-01T08:06:00Z")); // fraction truncated
        assert_eq!(ev[3].at, ts("2026-07-01T08:07:00Z"));
        let zone: Vec<&String> = tl.notices.iter().filter(|n| n.contains("without a UTC offset")).collect();
        assert_eq!(zone.len(), 1, "{:?}", tl.notices);
        assert!(zone[0].contains("Europe/Berlin") && zone[0].contains("line 1"));
        // spring-forward gap and autumn overlap follow the SPEC's rules
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(parse_at("2026-03-08T02:30:00", ny).unwrap(), (ts("2026-03-08T07:00:00Z"), false));
        assert_eq!(parse_at("2026-11-01 01:30", ny).unwrap(), (ts("2026-11-01T05:30:00Z"), false));
        // fractions truncate toward the earlier second, before 1970 too
        assert_eq!(parse_at("1969-12-31T23:59:59.5Z", utc()).unwrap().0, -1);
    }

    #[test]
    fn duplicate_keys_reject_the_event() {
        let (_, ev, rej) = read(r#"{"at":"2026-07-01T10:00:00Z","alert":"A","alert":"B","service":"s"}"#, Format::JsonLines, 0);
        assert!(ev.is_empty());
        assert!(rej[0].reason.contains("key `alert` is given twice"), "{}", rej[0].reason);
        let (_, ev, rej) = read(r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","labels":{"a":"1","a":"2"}}"#, Format::JsonLines, 0);
        assert!(ev.is_empty());
        assert!(rej[0].reason.contains("label `a` is given twice"), "{}", rej[0].reason);
        // YAML too
        let yaml = "events:\n  - at: 2026-07-01T10:00:00Z\n    resolve: A\n    resolve: B\n  - {at: 2026-07-01T10:00:00Z, resolve: C}\n";
        let (_, ev, rej) = read(yaml, Format::Yaml, 0);
        assert_eq!(ev.len(), 1);
        assert_eq!(rej[0].line, 2);
        assert!(rej[0].reason.contains("given twice"));
        // a duplicate top-level key cannot be opened
        let r = Timeline::from_reader(Cursor::new(b"{\"events\": [], \"events\": []}".to_vec()), Format::Json, utc(), 0, "t");
        assert!(matches!(r, Err(OpenError::Invalid { .. })), "{r:?}");
    }

    #[test]
    fn unknown_keys_one_notice_per_name() {
        let text = [
            r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","team":"x","prio":1}"#,
            r#"{"at":"2026-07-01T10:01:00Z","alert":"B","service":"s","team":"y"}"#,
            r#"{"at":"2026-07-01T10:02:00Z","resolve":"A","by":"bob"}"#,
            r#"{"at":"2026-07-01T10:03:00Z","resolve":"B","by":"bob"}"#,
        ]
        .join("\n");
        let (tl, ev, rej) = read(&text, Format::JsonLines, 0);
        assert_eq!((ev.len(), rej.len()), (4, 0));
        assert_eq!(tl.notices.len(), 3, "{:?}", tl.notices);
        assert!(tl.notices[0].contains("unknown key `team`") && tl.notices[0].contains("line 1"));
        assert!(tl.notices[1].contains("unknown key `prio`"));
        assert!(tl.notices[2].contains("`by` does not apply to `resolve`"));
        // top-level keys of a document
        let (tl, _, _) = read("version: 2\nevents: []\n", Format::Yaml, 0);
        assert!(tl.notices.iter().any(|n| n.contains("unknown top-level key `version`")));
    }

    #[test]
    fn number_and_bool_labels_as_text() {
        let json = r#"{"at":"2026-07-01T10:00:00Z","alert":"A","service":"s","severity":2,"labels":{"code":500,"canary":true,"ratio":0.5,"name":"x"}}"#;
        let yaml = "events:\n  - at: 2026-07-01T10:00:00Z\n    alert: A\n    service: s\n    severity: 2\n    labels: {code: 500, canary: true, ratio: 0.5, name: x}\n";
        let (_, j, rj) = read(json, Format::JsonLines, 0);
        let (_, y, ry) = read(yaml, Format::Yaml, 0);
        assert!(rj.is_empty() && ry.is_empty(), "{rj:?} {ry:?}");
        assert_eq!(strip(&j), strip(&y));
        let EventKind::Alert(a) = &j[0].kind else { panic!() };
        assert_eq!(&a.labels["code"], "500");
        assert_eq!(&a.labels["canary"], "true");
        assert_eq!(&a.labels["ratio"], "0.5");
        assert_eq!(a.severity.as_deref(), Some("2"));
    }

    #[test]
    fn document_errors() {
        let open_err = |text: &str, f: Format| Timeline::from_reader(Cursor::new(text.as_bytes().to_vec()), f, utc(), 0, "t").err();
        assert!(matches!(open_err("events: [", Format::Yaml), Some(OpenError::Syntax { .. })));
        assert!(matches!(open_err("{\"events\": [\n{\"at\": }]}", Format::Json), Some(OpenError::Syntax { line: 2, .. })));
        assert!(matches!(open_err("- a\n- b\n", Format::Yaml), Some(OpenError::Invalid { .. })));
        assert!(matches!(open_err("events: 5\n", Format::Yaml), Some(OpenError::Invalid { .. })));
        assert!(matches!(open_err("responders: {bob: {ack-after: soon}}\n", Format::Yaml), Some(OpenError::Invalid { .. })));
        assert!(matches!(open_err("a: !custom 5\n", Format::Yaml), Some(OpenError::Syntax { .. })));
        // an empty file is an empty timeline
        let (tl, ev, rej) = read("", Format::Yaml, 0);
        assert!(ev.is_empty() && rej.is_empty() && tl.notices.len() == 1);
        // events that are not maps are rejected with their line
        let (_, ev, rej) = read("events:\n- 5\n- {at: 2026-07-01T10:00:00Z, resolve: A}\n", Format::Yaml, 0);
        assert_eq!(ev.len(), 1);
        assert_eq!(rej[0].line, 2);
    }

    #[test]
    fn event_lines_in_every_yaml_layout() {
        // a flow list: both events on line 1
        let yaml = "events: [{at: 2026-07-01T10:00:00Z, resolve: A},\n  {at: 2026-07-01T10:00:00Z, resolve: B}]\n";
        let (_, ev, _) = read(yaml, Format::Yaml, 0);
        assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), vec![1, 2]);
        // compact sequences and block scalars
        let yaml = "responders: {}\nevents:\n- at: 2026-07-01T10:00:00Z\n  alert: A\n  service: s\n  summary: |\n    line one\n    - not an item\n# comment\n- {at: 2026-07-01T10:01:00Z, resolve: A}\nother: 1\n";
        let (_, ev, rej) = read(yaml, Format::Yaml, 0);
        assert!(rej.is_empty());
        assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), vec![3, 10]);
        // JSON with strings that look like structure
        let json = "{\"x\": \"[{,\", \"events\": [\n {\"at\": \"2026-07-01T10:00:00Z\", \"resolve\": \"a]\\\"\"},\n\n {\"at\": \"2026-07-01T10:00:00Z\", \"resolve\": \"b\"}]}";
        let (_, ev, _) = read(json, Format::Json, 0);
        assert_eq!(ev.iter().map(|e| e.line).collect::<Vec<_>>(), vec![2, 4]);
    }

    fn yaml(s: &str) -> serde_yaml::Value {
        serde_yaml::from_str(s).unwrap()
    }

    #[test]
    fn responders_parsing() {
        let r = parse_responders(&yaml("default: {ack-after: 30s}\nann: {miss: 1}\nbo: {ack-after: 0s, miss: 0}\n")).unwrap();
        assert_eq!(r["default"].ack_after, AckAfter::Fixed(30));
        assert_eq!(r["ann"], ResponderSpec { ack_after: AckAfter::Never, miss: 1.0 });
        assert_eq!(r["bo"].ack_after, AckAfter::Fixed(0));
        assert!(parse_responders(&yaml("null")).unwrap().is_empty());
        let errors = [
            ("bob: {ack-after: lognormal 10m 3m}", "0 < M < P"),
            ("bob: {ack-after: lognormal 0s 3m}", "0 < M < P"),
            ("bob: {ack-after: lognormal 3m 3m}", "0 < M < P"),
            ("bob: {ack-after: lognormal 3m}", "lognormal MEDIAN P90"),
            ("bob: {ack-after: 5min}", "write `m`"),
            ("bob: {ack-after: 300}", "needs a unit"),
            ("bob: {ack-after: soon}", "ack-after"),
            ("bob: {ack-after: 4m, miss: 1.5}", "between 0 and 1"),
            ("bob: {ack-after: 4m, miss: -0.1}", "between 0 and 1"),
            ("bob: {ack-after: 4m, miss: \"20%\"}", "between 0 and 1"),
            ("bob: {ack-after: 4m, miss: .nan}", "between 0 and 1"),
            ("bob: {ack_after: 4m}", "write `ack-after`"),
            ("bob: 4m", "expected"),
            ("[bob]", "must be a map"),
        ];
        for (text, want) in errors {
            let e = parse_responders(&yaml(text)).unwrap_err();
            assert!(e.contains(want), "{text}: {e} (wanted {want})");
        }
    }

    #[test]
    fn responders_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("r.yaml");
        std::fs::write(&p, "events: [whatever]\nresponders:\n  dave: {ack-after: 4m}\n").unwrap();
        let r = read_responders_file(&p).unwrap();
        assert_eq!(r["dave"].ack_after, AckAfter::Fixed(240));
        std::fs::write(&p, "other: 1\n").unwrap();
        assert!(matches!(read_responders_file(&p), Err(OpenError::Invalid { .. })));
        std::fs::write(&p, "responders:\n  dave: {ack-after: 4m}\n  dave: {ack-after: 5m}\n").unwrap();
        let e = read_responders_file(&p).unwrap_err().to_string();
        assert!(e.contains("given twice"), "{e}");
    }

    #[test]
    fn overlong_line_is_rejected_without_buffering() {
        let long = format!("{{\"at\":\"2026-07-01T10:00:00Z\",\"resolve\":\"{}\"}}", "x".repeat(MAX_LINE_BYTES + 10));
        let text = format!("{long}\n{{\"at\":\"2026-07-01T10:00:00Z\",\"resolve\":\"B\"}}\n");
        let (_, ev, rej) = read(&text, Format::JsonLines, 0);
        assert_eq!(ev.len(), 1);
        assert_eq!(rej[0].line, 1);
        assert!(rej[0].reason.contains("longer than"));
        let (_, ev, rej) = read("\u{0}\u{1}\n\u{7f}", Format::JsonLines, 0);
        assert_eq!((ev.len(), rej.len()), (0, 2));
        let mut bad = b"{\"at\":\"2026-07-01T10:00:00Z\",\"resolve\":\"".to_vec();
        bad.extend_from_slice(&[0xff, 0xfe, b'"', b'}', b'\n']);
        let mut tl = Timeline::from_reader(Cursor::new(bad), Format::JsonLines, utc(), 0, "t").unwrap();
        assert_eq!(tl.next().unwrap().unwrap_err().reason, "not UTF-8 text");
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn line_strategy() -> impl Strategy<Value = String> {
            prop_oneof![
                "[ -~]{0,80}",
                "\\{\"at\":\"20[0-9]{2}-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:[0-5][0-9](:[0-9]{2})?(Z|[+-][0-9]{2}:[0-9]{2})?\",\"(alert|ack|resolve|x)\":\"[a-z]{0,3}\"(,\"service\":\"s\")?(,\"labels\":\\{\"k\":(1|null|true|\\[\\]|\"v\")\\})?\\}",
                "[\\{\\}\\[\\]\":,0-9a-z \\\\]{0,40}",
                any::<String>(),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn random_lines_never_panic(lines in proptest::collection::vec(line_strategy(), 0..40), window in 0i64..7200) {
                let text = lines.join("\n");
                let physical = text.split('\n').count();
                let mut tl = Timeline::from_reader(Cursor::new(text.into_bytes()), Format::JsonLines, chrono_tz::UTC, window, "p").unwrap();
                let mut last = (i64::MIN, 0u64);
                let mut count = 0;
                for item in tl.by_ref() {
                    count += 1;
                    if let Ok(e) = item {
                        prop_assert!((e.at, e.seq) >= last, "out of order");
                        last = (e.at, e.seq);
                    }
                }
                prop_assert!(count <= physical);
            }

            #[test]
            fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
                let tl = Timeline::from_reader(Cursor::new(bytes.clone()), Format::JsonLines, chrono_tz::UTC, 60, "p").unwrap();
                for _ in tl {}
                let _ = Timeline::from_reader(Cursor::new(bytes.clone()), Format::Yaml, chrono_tz::UTC, 60, "p").map(|t| t.count());
                let _ = Timeline::from_reader(Cursor::new(bytes), Format::Json, chrono_tz::UTC, 60, "p").map(|t| t.count());
            }
        }
    }
}
