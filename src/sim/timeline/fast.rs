//! The fast path of the JSON Lines reader: an ordinary event line (string
//! values only, known keys each once, the keys its kind takes) is read
//! straight into an [`Event`], without the generic value tree the general
//! reader builds to explain what is wrong with a line.
//!
//! It only ever answers for lines the general reader accepts, and then with
//! the same event: whatever it does not recognise as ordinary — a number
//! or a `null`, an unknown or repeated key, an escaped key, an empty id, a
//! missing `service`, a key of another kind — makes it answer `None`, and
//! the line goes through the general reader, which accepts it (with its
//! notices) or rejects it with its reason. A property test
//! (`fast_path_agrees_with_the_general_reader`) holds the two together.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};

use super::super::event::{AlertEvent, Event, EventKind};
use super::{parse_at, Ctx};

/// A string value: borrowed from the line when it has no escapes.
struct Text<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Text<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// A key, only when it is borrowed (no escapes): an escaped key goes the
/// general way.
struct KeyRef<'de>(&'de str);

impl<'de> de::Deserialize<'de> for KeyRef<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = KeyRef<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a plain key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyRef<'de>, E> {
                Ok(KeyRef(v))
            }
        }
        d.deserialize_str(V)
    }
}

/// `labels`: a map of plain keys to string values, no key twice.
struct Labels(BTreeMap<String, String>);

impl<'de> de::Deserialize<'de> for Labels {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Labels;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of strings")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Labels, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(k) = map.next_key::<KeyRef<'de>>()? {
                    let v = map.next_value::<Text<'de>>()?;
                    if out.insert(k.0.to_owned(), v.0.into_owned()).is_some() {
                        return Err(de::Error::custom("label given twice"));
                    }
                }
                Ok(Labels(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Default)]
struct Line<'de> {
    at: Option<Text<'de>>,
    alert: Option<Text<'de>>,
    ack: Option<Text<'de>>,
    resolve: Option<Text<'de>>,
    service: Option<Text<'de>>,
    severity: Option<Text<'de>>,
    summary: Option<Text<'de>>,
    source: Option<Text<'de>>,
    fingerprint: Option<Text<'de>>,
    by: Option<Text<'de>>,
    labels: Option<Labels>,
}

impl<'de> de::Deserialize<'de> for Line<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Line<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an event")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Line<'de>, A::Error> {
                let mut l = Line::default();
                while let Some(k) = map.next_key::<KeyRef<'de>>()? {
                    let slot = match k.0 {
                        "at" => &mut l.at,
                        "alert" => &mut l.alert,
                        "ack" => &mut l.ack,
                        "resolve" => &mut l.resolve,
                        "service" => &mut l.service,
                        "severity" => &mut l.severity,
                        "summary" => &mut l.summary,
                        "source" => &mut l.source,
                        "fingerprint" => &mut l.fingerprint,
                        "by" => &mut l.by,
                        "labels" => {
                            if l.labels.is_some() {
                                return Err(de::Error::custom("key twice"));
                            }
                            l.labels = Some(map.next_value()?);
                            continue;
                        }
                        _ => return Err(de::Error::custom("unknown key")),
                    };
                    if slot.is_some() {
                        return Err(de::Error::custom("key twice"));
                    }
                    *slot = Some(map.next_value()?);
                }
                Ok(l)
            }
        }
        d.deserialize_map(V)
    }
}

fn owned(t: Option<Text<'_>>) -> Option<String> {
    t.map(|t| t.0.into_owned())
}

/// The event of an ordinary line, or `None` for the general reader to
/// decide (see the module doc).
pub(super) fn event(text: &str, line: usize, seq: u64, ctx: &mut Ctx, notices: &mut Vec<String>) -> Option<Event> {
    let l: Line<'_> = serde_json::from_str(text).ok()?;
    let alert_keys = l.service.is_some() || l.severity.is_some() || l.summary.is_some() || l.source.is_some() || l.fingerprint.is_some() || l.labels.is_some();
    let (id, kind) = match (l.alert, l.ack, l.resolve) {
        (Some(id), None, None) if l.by.is_none() => (id, 0),
        (None, Some(id), None) if !alert_keys => (id, 1),
        (None, None, Some(id)) if !alert_keys && l.by.is_none() => (id, 2),
        _ => return None,
    };
    if id.0.trim().is_empty() {
        return None;
    }
    let (at, had_offset) = parse_at(&l.at?.0, ctx.tz).ok()?;
    let id = id.0.into_owned();
    let kind = match kind {
        0 => {
            let service = l.service?.0;
            if service.trim().is_empty() {
                return None;
            }
            EventKind::Alert(Box::new(AlertEvent {
                id,
                service: service.into_owned(),
                severity: owned(l.severity),
                summary: owned(l.summary),
                source: owned(l.source),
                labels: l.labels.map(|x| x.0).unwrap_or_default(),
                fingerprint: owned(l.fingerprint),
            }))
        }
        1 => EventKind::Ack { id, by: owned(l.by) },
        _ => EventKind::Resolve { id },
    };
    if !had_offset {
        ctx.zoneless(line, notices);
    }
    Some(Event { at, kind, line, seq })
}

#[cfg(test)]
mod tests {
    use super::super::{parse_event, Ctx, Raw};
    use proptest::prelude::*;

    fn slow(text: &str) -> (Result<super::Event, super::super::Rejected>, Vec<String>) {
        let mut notices = Vec::new();
        let mut ctx = Ctx::new(chrono_tz::Europe::Berlin);
        let r = match serde_json::from_str::<Raw>(text) {
            Ok(mut raw) => parse_event(&mut raw, 7, 3, &mut ctx, &mut notices),
            Err(e) => Err(super::super::reject(7, e.to_string())),
        };
        (r, notices)
    }

    fn fast(text: &str) -> (Option<super::Event>, Vec<String>) {
        let mut notices = Vec::new();
        let mut ctx = Ctx::new(chrono_tz::Europe::Berlin);
        (super::event(text, 7, 3, &mut ctx, &mut notices), notices)
    }

    #[test]
    fn ordinary_lines_take_the_fast_path() {
        for line in [
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"payments-api","severity":"sev1","summary":"x \"quoted\"","labels":{"region":"eu","env":"prod"}}"#,
            r#"{"at":"2026-07-01T02:14:00+02:00","ack":"A1","by":"alice"}"#,
            r#"{"at":"2026-07-01 02:14","resolve":"A1"}"#,
            r#"{"resolve":"A1","at":"2026-07-01T02:14:00.5Z"}"#,
        ] {
            let (f, fn_) = fast(line);
            let (s, sn) = slow(line);
            assert_eq!(f.as_ref(), s.as_ref().ok(), "{line}");
            assert!(f.is_some(), "{line}");
            assert_eq!(fn_, sn, "{line}");
        }
        // the zone-less time gives the same notice both ways
        assert_eq!(fast(r#"{"at":"2026-07-01 02:14","resolve":"A1"}"#).1.len(), 1);
    }

    const KEYS: [&str; 14] = ["at", "alert", "ack", "resolve", "service", "severity", "summary", "source", "fingerprint", "by", "labels", "extra", "al\\u0065rt", "at"];
    const VALUES: [&str; 22] = [
        r#""2026-07-01T02:14:00Z""#,
        r#""2026-07-01T02:14:00""#,
        r#""2026-03-29 02:30""#,
        r#""2026-07-01T02:14:60Z""#,
        r#""2026-02-30T02:14:00Z""#,
        r#"" 2026-07-01T02:14:00Z""#,
        r#""""#,
        r#"" ""#,
        r#""x""#,
        r#""a\"b""#,
        r#""sev1""#,
        "12",
        "-3",
        "1.5",
        "null",
        "true",
        "[]",
        "{}",
        r#"{"k":"v"}"#,
        r#"{"k":1}"#,
        r#"{"k":"v","k":"w"}"#,
        r#"{"k":null}"#,
    ];

    static FAST: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]
        /// Whenever the fast path answers, the general reader accepts the
        /// line with the same event and the same notices.
        #[test]
        fn fast_path_agrees_with_the_general_reader(
            at in prop_oneof![3 => 0..3usize, 1 => 0..VALUES.len()],
            kind in 1usize..4,
            id in prop_oneof![3 => Just(8usize), 1 => 0..VALUES.len()],
            service in proptest::option::of(prop_oneof![3 => Just(10usize), 1 => 0..VALUES.len()]),
            entries in proptest::collection::vec((0..KEYS.len(), 0..VALUES.len()), 0..3),
        ) {
            // mostly near-ordinary lines (an `at`, a kind, maybe a service)
            // with a few random entries, so both answers are common
            let mut body = vec![format!("\"at\":{}", VALUES[at]), format!("\"{}\":{}", KEYS[kind], VALUES[id])];
            if let Some(v) = service {
                body.push(format!("\"service\":{}", VALUES[v]));
            }
            body.extend(entries.iter().map(|&(k, v)| format!("\"{}\":{}", KEYS[k], VALUES[v])));
            let text = format!("{{{}}}", body.join(","));
            let (f, fn_) = fast(&text);
            if let Some(ev) = f {
                FAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (s, sn) = slow(&text);
                prop_assert_eq!(Some(&ev), s.as_ref().ok(), "{}", text);
                prop_assert_eq!(fn_, sn, "{}", text);
            }
        }
    }

    #[test]
    fn the_agreement_property_exercises_the_fast_path() {
        fast_path_agrees_with_the_general_reader();
        let n = FAST.load(std::sync::atomic::Ordering::Relaxed);
        assert!(n >= 200, "the fast path answered only {n} of the generated lines");
    }
}
