//! The fast path of the JSON Lines reader: an ordinary event line (string
//! values only, known keys each once, the keys its kind takes) is read
//! straight into an [`Event`] by a small scanner of its own, without the
//! generic value tree the general reader builds to explain what is wrong
//! with a line.
//!
//! It only ever answers for lines the general reader accepts, and then with
//! the same event: whatever it does not recognise as ordinary — a number
//! or a `null`, an unknown or repeated key, an escaped key, an empty id, a
//! missing `service`, a key of another kind — makes it answer `None`, and
//! the line goes through the general reader, which accepts it (with its
//! notices) or rejects it with its reason. A property test
//! (`fast_path_agrees_with_the_general_reader`) holds the two together.

use std::borrow::Cow;

use super::super::event::{spare, Event, EventKind};
use smallvec::SmallVec;
use super::Ctx;

/// The index of the first `"`, `\` or control character in `b` at or
/// after `i` (`b.len()` if none): eight bytes at a time. Each test flags
/// its first matching byte exactly (a borrow can only flag bytes after a
/// true match), so the lowest flagged byte of the three is the answer.
#[inline]
fn special(b: &[u8], mut i: usize) -> usize {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(bytes) = <[u8; 8]>::try_from(chunk) else { break };
        let w = u64::from_le_bytes(bytes);
        let (q, e) = (w ^ (LO * u64::from(b'"')), w ^ (LO * u64::from(b'\\')));
        let m = (q.wrapping_sub(LO) & !q | e.wrapping_sub(LO) & !e | w.wrapping_sub(LO * 0x20) & !w) & HI;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&c) = b.get(i) {
        if c == b'"' || c == b'\\' || c < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// A cursor over one line. Every method answers `None` for anything that
/// is not ordinary, and the line then goes the general way.
struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Scan<'a> {
        Scan { s, b: s.as_bytes(), i: 0 }
    }

    /// Skip JSON whitespace.
    #[inline]
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.b.get(self.i) {
            self.i += 1;
        }
    }

    /// The next byte after whitespace, not consumed.
    #[inline]
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.b.get(self.i).copied()
    }

    /// Consume `c` after whitespace.
    #[inline]
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// A string value: borrowed from the line when it has no escapes.
    /// JSON's rules: no raw control characters, the eight short escapes
    /// and `\uXXXX`, surrogates only in pairs.
    #[inline]
    fn string(&mut self) -> Option<Cow<'a, str>> {
        self.eat(b'"')?;
        let start = self.i;
        self.i = special(self.b, start);
        match *self.b.get(self.i)? {
            b'"' => {
                let v = self.s.get(start..self.i)?;
                self.i += 1;
                Some(Cow::Borrowed(v))
            }
            b'\\' => self.escaped(start).map(Cow::Owned),
            _ => None,
        }
    }

    /// The rest of a string from `start` whose first escape is at the
    /// cursor (out of line: most strings have none).
    #[cold]
    #[inline(never)]
    fn escaped(&mut self, start: usize) -> Option<String> {
        let mut out = String::from(self.s.get(start..self.i)?);
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    let e = *self.b.get(self.i + 1)?;
                    self.i += 2;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode()?,
                        _ => return None,
                    });
                }
                0..=0x1f => return None,
                _ => {
                    let run = self.i;
                    self.i = special(self.b, run);
                    out.push_str(self.s.get(run..self.i)?);
                }
            }
        }
    }

    /// The character of a `\u` escape whose `\u` is consumed: a pair of
    /// escapes for a surrogate pair.
    fn unicode(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        match hi {
            0xD800..=0xDBFF => {
                if self.b.get(self.i..self.i + 2)? != b"\\u" {
                    return None;
                }
                self.i += 2;
                let lo = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&lo) {
                    return None;
                }
                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
            }
            _ => char::from_u32(hi),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        h.iter().try_fold(0u32, |acc, &c| Some(acc * 16 + (c as char).to_digit(16)?))
    }

    /// A key: plain (no escapes), followed by `:`.
    fn key(&mut self) -> Option<&'a str> {
        let Cow::Borrowed(k) = self.string()? else { return None };
        self.eat(b':')?;
        Some(k)
    }

    /// A key of an event object, by its index in [`EVENT_KEYS`], followed
    /// by `:`. Only those names, written plainly, are ordinary: an unknown
    /// or escaped key answers `None`, as [`Scan::key`] and the match on
    /// its result would.
    #[inline]
    fn event_key(&mut self) -> Option<usize> {
        self.eat(b'"')?;
        let rest = self.b.get(self.i..)?;
        let candidates: &[usize] = match rest.first()? {
            b'a' => &[0, 1, 2],
            b'r' => &[3],
            b's' => &[4, 5, 6, 7],
            b'f' => &[8],
            b'b' => &[9],
            b'l' => &[10],
            _ => return None,
        };
        // the next 16 bytes (zeros past the end) against each name and
        // its closing quote
        let w = match rest.get(..16).and_then(|x| <[u8; 16]>::try_from(x).ok()) {
            Some(next) => u128::from_le_bytes(next),
            None => {
                let mut next = [0u8; 16];
                next[..rest.len()].copy_from_slice(rest);
                u128::from_le_bytes(next)
            }
        };
        let k = candidates.iter().copied().find(|&k| w & KEY_PATTERNS[k].1 == KEY_PATTERNS[k].0)?;
        self.i += EVENT_KEYS[k].len() + 1;
        self.eat(b':')?;
        Some(k)
    }

    /// The members of an object whose `{` is consumed, each key read by
    /// `key` and its value by `f`; the closing `}` is consumed.
    fn members<K>(&mut self, key: impl Fn(&mut Self) -> Option<K>, mut f: impl FnMut(&mut Self, K) -> Option<()>) -> Option<()> {
        if self.peek()? == b'}' {
            self.i += 1;
            return Some(());
        }
        loop {
            let k = key(self)?;
            f(self, k)?;
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `labels`: an object of plain keys to string values, no key twice,
    /// at most [`MAX_LABELS`] of them (more go the general way: the check
    /// for a repeated key is a scan of those before).
    fn labels(&mut self, out: &mut LineLabels<'a>) -> Option<()> {
        self.eat(b'{')?;
        self.members(Scan::key, |sc, k| {
            let v = sc.string()?;
            if out.len() >= MAX_LABELS || out.iter().any(|(x, _)| *x == k) {
                return None;
            }
            out.push((k, v));
            Some(())
        })
    }
}

/// The keys an event line may have ([`Scan::event_key`]).
const EVENT_KEYS: [&str; 11] = ["at", "alert", "ack", "resolve", "service", "severity", "summary", "source", "fingerprint", "by", "labels"];

/// Each of [`EVENT_KEYS`] followed by `"`, as (bytes, mask) of a
/// little-endian 16-byte word (every name is at most 15 bytes).
const KEY_PATTERNS: [(u128, u128); 11] = {
    let mut out = [(0u128, 0u128); 11];
    let mut k = 0;
    while k < EVENT_KEYS.len() {
        let name = EVENT_KEYS[k].as_bytes();
        let mut i = 0;
        while i <= name.len() {
            let b = if i < name.len() { name[i] } else { b'"' };
            out[k].0 |= (b as u128) << (8 * i);
            out[k].1 |= 0xff << (8 * i);
            i += 1;
        }
        k += 1;
    }
    out
};

/// The labels of a line as read, borrowed where they have no escapes.
type LineLabels<'a> = SmallVec<[(&'a str, Cow<'a, str>); 4]>;

/// The most labels the fast path reads on one line.
const MAX_LABELS: usize = 32;

#[derive(Default)]
struct Line<'a> {
    at: Option<Cow<'a, str>>,
    alert: Option<Cow<'a, str>>,
    ack: Option<Cow<'a, str>>,
    resolve: Option<Cow<'a, str>>,
    service: Option<Cow<'a, str>>,
    severity: Option<Cow<'a, str>>,
    summary: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    fingerprint: Option<Cow<'a, str>>,
    by: Option<Cow<'a, str>>,
    labels: Option<LineLabels<'a>>,
}

impl<'a> Line<'a> {
    /// One JSON object of known keys, each once, with string values (an
    /// object of strings for `labels`), and nothing after it but
    /// whitespace, read into `l` (a fresh `Line`). Filled in place: a
    /// `Line` is some 270 bytes, and returning one cost a copy per line.
    fn read(text: &'a str, l: &mut Line<'a>) -> Option<()> {
        let mut sc = Scan::new(text);
        sc.eat(b'{')?;
        sc.members(Scan::event_key, |sc, k| {
            let slot = match k {
                0 => &mut l.at,
                1 => &mut l.alert,
                2 => &mut l.ack,
                3 => &mut l.resolve,
                4 => &mut l.service,
                5 => &mut l.severity,
                6 => &mut l.summary,
                7 => &mut l.source,
                8 => &mut l.fingerprint,
                9 => &mut l.by,
                10 => {
                    if l.labels.is_some() {
                        return None;
                    }
                    sc.labels(l.labels.insert(LineLabels::new()))?;
                    return Some(());
                }
                _ => return None,
            };
            if slot.is_some() {
                return None;
            }
            *slot = Some(sc.string()?);
            Some(())
        })?;
        sc.ws();
        (sc.i == sc.b.len()).then_some(())
    }
}

/// Whether `s` is empty once trimmed: at once when it starts with a
/// visible ASCII character (most ids and names).
#[inline]
fn blank(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(&b) if b > b' ' && b < 0x7f => false,
        _ => s.trim().is_empty(),
    }
}

fn owned(t: Option<Cow<'_, str>>) -> Option<String> {
    t.map(Cow::into_owned)
}

/// The event of an ordinary line, or `None` for the general reader to
/// decide (see the module doc).
pub(super) fn event(text: &str, line: usize, seq: u64, ctx: &mut Ctx, notices: &mut Vec<String>) -> Option<Event> {
    let mut l = Line::default();
    Line::read(text, &mut l)?;
    let alert_keys = l.service.is_some() || l.severity.is_some() || l.summary.is_some() || l.source.is_some() || l.fingerprint.is_some() || l.labels.is_some();
    let (id, kind) = match (l.alert, l.ack, l.resolve) {
        (Some(id), None, None) if l.by.is_none() => (id, 0),
        (None, Some(id), None) if !alert_keys => (id, 1),
        (None, None, Some(id)) if !alert_keys && l.by.is_none() => (id, 2),
        _ => return None,
    };
    if blank(&id) {
        return None;
    }
    let (at, had_offset) = ctx.at(&l.at?).ok()?;
    // filled into spent events' allocations where there are some
    // (`event::spare`)
    let kind = match kind {
        0 => {
            let service = l.service?;
            if blank(&service) {
                return None;
            }
            let mut a = spare::alert();
            spare::set(&mut a.id, &id);
            spare::set(&mut a.service, &service);
            spare::set_opt(&mut a.severity, l.severity.as_deref());
            spare::set_opt(&mut a.summary, l.summary.as_deref());
            spare::set_opt(&mut a.source, l.source.as_deref());
            spare::set_opt(&mut a.fingerprint, l.fingerprint.as_deref());
            // names of up to 23 bytes are held inline: no allocation
            a.labels.clear();
            a.labels.extend(l.labels.iter().flatten().map(|(k, v)| (k, v)));
            EventKind::Alert(a)
        }
        1 => EventKind::Ack { id: spare::id(&id), by: owned(l.by) },
        _ => EventKind::Resolve { id: spare::id(&id) },
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
        fast_recycled(text, false)
    }

    /// An alert and an id that a spent event left behind, every field
    /// set, among the label keys the generated lines use (`k`).
    fn spent() -> [super::Event; 2] {
        let alert = super::super::super::event::AlertEvent {
            id: "OLD-ALERT-ID-LONGER-THAN-ANY".into(),
            service: "old-service".into(),
            severity: Some("sev9".into()),
            summary: Some("an old summary".into()),
            source: Some("old-source".into()),
            labels: [("k", "old"), ("zz", "stale"), ("a", "x")].iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            fingerprint: Some("old-fp".into()),
        };
        [
            super::Event { at: 1, kind: super::EventKind::Alert(Box::new(alert)), line: 1, seq: 1 },
            super::Event { at: 1, kind: super::EventKind::Ack { id: "old-ack-id-of-some-length".into(), by: None }, line: 2, seq: 2 },
        ]
    }

    /// [`fast`], after handing it spent events to fill when `recycled`.
    fn fast_recycled(text: &str, recycled: bool) -> (Option<super::Event>, Vec<String>) {
        if recycled {
            spent().into_iter().for_each(super::spare::recycle);
        }
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
            r#" { "at" : "2026-07-01T02:14:00Z" ,	"alert" : "A\u00e92", "service":"s\ud83d\ude00" , "summary":"line\nbreak \/ \\ \"q\"", "labels" : { "k" : "\u2713" } } "#,
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

    /// A spent event's allocations are filled in place, and nothing of
    /// its old values survives: fields the line lacks are gone, labels
    /// not on the line are dropped, a label on both gets the new value.
    #[test]
    fn spent_events_are_filled_without_leftovers() {
        for line in [
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","labels":{"k":"new","b":"y"}}"#,
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","labels":{"zz":"z2","k":"new","b":"y"}}"#,
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","labels":{"zz":"z2","k":"new","a":"y"}}"#,
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","severity":"sev2","summary":"s","source":"m","fingerprint":"f","labels":{}}"#,
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","ack":"A1"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","resolve":"A1"}"#,
        ] {
            let (s, _) = slow(line);
            let (f, _) = fast_recycled(line, true);
            assert_eq!(f.as_ref(), s.as_ref().ok(), "{line}");
        }
        // and the spent alert was used: its old id's allocation, at least
        // as long as the longest id it held
        let line = r#"{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api"}"#;
        let (f, _) = fast_recycled(line, true);
        match f.map(|e| e.kind) {
            Some(super::EventKind::Alert(a)) => assert!(a.id.capacity() >= "OLD-ALERT-ID-LONGER-THAN-ANY".len()),
            other => panic!("not an alert: {other:?}"),
        }
    }

    /// More labels than the fast path reads go the general way, which
    /// accepts them all.
    #[test]
    fn many_labels_go_the_general_way() {
        let labels: Vec<String> = (0..super::MAX_LABELS + 1).map(|i| format!("\"k{i}\":\"v{i}\"")).collect();
        let line = format!(r#"{{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","labels":{{{}}}}}"#, labels.join(","));
        assert_eq!(fast(&line).0, None);
        match slow(&line).0.map(|e| e.kind) {
            Ok(super::EventKind::Alert(a)) => assert_eq!(a.labels.len(), super::MAX_LABELS + 1),
            other => panic!("not an alert: {other:?}"),
        }
        let fewer = format!(r#"{{"at":"2026-07-01T02:14:00Z","alert":"A1","service":"api","labels":{{{}}}}}"#, labels[1..].join(","));
        assert!(fast(&fewer).0.is_some());
    }

    /// Lines the fast path must leave to the general reader, among them
    /// keys that only begin with a known name, one so written that a
    /// scanner matching the name's bytes without its closing quote would
    /// read an event out of text that is not JSON.
    #[test]
    fn near_misses_go_the_general_way() {
        for line in [
            r#"{"atx:"2026-07-01T02:14:00Z","resolve":"A1"}"#,
            r#"{"atx":"2026-07-01T02:14:00Z","resolve":"A1"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","resolves":"A1"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","resolve":"\u00a0"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","resolve":"A1"} x"#,
            r#"{"at":"2026-07-01T02:14:00Z" "resolve":"A1"}"#,
        ] {
            assert_eq!(fast(line).0, None, "{line}");
        }
    }

    const KEYS: [&str; 21] = [
        "at", "alert", "ack", "resolve", "service", "severity", "summary", "source", "fingerprint", "by", "labels", "extra", "al\\u0065rt", "at", "atx", "alerts", "label", "s", "",
        "fingerprin", "sev",
    ];
    const VALUES: [&str; 42] = [
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
        r#""a\u00e9b""#,
        r#""\ud83d\ude00!""#,
        r#""\ud83d""#,
        r#""\ud83dx\ude00""#,
        r#""\ude00x""#,
        r#""\u12""#,
        r#""\u00G1""#,
        r#""tab\tnew\nline\/\b\f\r\\""#,
        r#""bad\x""#,
        "\"raw\u{1}ctl\"",
        r#""\u0000 é ü ✓""#,
        r#"{"k":"v\"w","j":"\u00e9"}"#,
        r#"{"\u006b":"v"}"#,
        r#"{ "k" : "v" ,	"j":"w" }"#,
        r#"{"k":"v",}"#,
        r#""unterminated"#,
        r#""\u00a0""#,
        "\"\u{a0}\u{2003}\"",
        "\"\u{a0}x\"",
        r#""\t x""#,
    ];
    /// between entries, and after the closing brace
    const SEPS: [&str; 4] = [",", " , ", ",\t\r\n ", ",,"];
    const TAILS: [&str; 5] = ["", " ", "\t\r", "x", "}"];

    proptest! {
        /// The word-wise search finds what a byte-by-byte one does, from
        /// any start, among quotes, backslashes, control characters,
        /// bytes with the high bit set and their near neighbours.
        #[test]
        fn special_finds_the_first_special_byte(
            bytes in proptest::collection::vec(prop_oneof![
                4 => 0x21u8..0x7f,
                1 => Just(b'"'), 1 => Just(b'\\'), 1 => 0u8..0x20, 1 => 0x80u8..=0xff,
                1 => Just(0x20u8), 1 => Just(0x23u8), 1 => Just(0x5bu8), 1 => Just(0x5du8), 1 => Just(0xa2u8), 1 => Just(0xdcu8),
            ], 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            let naive = (from..bytes.len()).find(|&i| matches!(bytes[i], b'"' | b'\\' | 0..=0x1f)).unwrap_or(bytes.len());
            prop_assert_eq!(super::special(&bytes, from), naive);
        }
    }

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
            sep in prop_oneof![3 => Just(0usize), 1 => 0..SEPS.len()],
            tail in prop_oneof![3 => Just(0usize), 1 => 0..TAILS.len()],
            lead in proptest::bool::ANY,
            recycled in proptest::bool::ANY,
        ) {
            // mostly near-ordinary lines (an `at`, a kind, maybe a service)
            // with a few random entries, so both answers are common
            let mut body = vec![format!("\"at\":{}", VALUES[at]), format!("\"{}\":{}", KEYS[kind], VALUES[id])];
            if let Some(v) = service {
                body.push(format!("\"service\":{}", VALUES[v]));
            }
            body.extend(entries.iter().map(|&(k, v)| format!("\"{}\":{}", KEYS[k], VALUES[v])));
            let text = format!("{}{{{}}}{}", if lead { " " } else { "" }, body.join(SEPS[sep]), TAILS[tail]);
            let (f, fn_) = fast_recycled(&text, recycled);
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
