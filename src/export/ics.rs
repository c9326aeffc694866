//! `export --target ics`: one iCalendar file (RFC 5545) per schedule with
//! every shift from `--from` over the org horizon. DTSTART/DTEND in UTC;
//! UIDs derive from schedule, shift start and person, so they are stable
//! across runs; DTSTAMP is the `--from` instant, so the output is
//! byte-identical for the same input.

use super::FileTree;
use crate::model::Model;
use crate::time::{schedule_segments, Instant, Who};
use chrono::DateTime;

fn stamp(t: Instant) -> String {
    DateTime::from_timestamp(t, 0).map(|d| d.format("%Y%m%dT%H%M%SZ").to_string()).unwrap_or_default()
}

/// TEXT escaping (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            ';' => o.push_str("\\;"),
            ',' => o.push_str("\\,"),
            '\n' => o.push_str("\\n"),
            '\r' => {}
            c => o.push(c),
        }
    }
    o
}

/// Content line with folding at 75 octets and CRLF (RFC 5545 §3.1).
fn line(out: &mut String, l: &str) {
    let mut count = 0;
    for c in l.chars() {
        let n = c.len_utf8();
        if count + n > 75 {
            out.push_str("\r\n ");
            count = 1;
        }
        out.push(c);
        count += n;
    }
    out.push_str("\r\n");
}

pub fn export(m: &Model, from: Instant) -> FileTree {
    let until = from + m.org.horizon;
    let mut tree = FileTree::new();
    for s in &m.schedules {
        let mut out = String::new();
        line(&mut out, "BEGIN:VCALENDAR");
        line(&mut out, "VERSION:2.0");
        line(&mut out, &format!("PRODID:-//escalade//escalade {}//EN", env!("CARGO_PKG_VERSION")));
        line(&mut out, "CALSCALE:GREGORIAN");
        line(&mut out, "METHOD:PUBLISH");
        line(&mut out, &format!("X-WR-CALNAME:{}", text(&format!("on call: {}", s.name.name))));
        for seg in schedule_segments(m, s, from, until) {
            let Who::Person(p) = seg.who else { continue };
            let person = &m.persons[p];
            let shown = person.display_name.as_ref().map(|d| d.value.as_str()).unwrap_or(&person.name.name);
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{}-{}-{}@escalade", s.name.name, stamp(seg.start), person.name.name));
            line(&mut out, &format!("DTSTAMP:{}", stamp(from)));
            line(&mut out, &format!("DTSTART:{}", stamp(seg.start)));
            line(&mut out, &format!("DTEND:{}", stamp(seg.end)));
            line(&mut out, &format!("SUMMARY:{}", text(&format!("{shown} on call ({})", s.name.name))));
            if let Some(e) = person.contacts.iter().find(|c| c.channel == crate::syntax::ast::Channel::Email).and_then(|c| c.address.as_ref()) {
                line(&mut out, &format!("ATTENDEE;CN={}:mailto:{}", text(shown).replace(':', ""), e));
            }
            line(&mut out, "TRANSP:TRANSPARENT");
            line(&mut out, "END:VEVENT");
        }
        line(&mut out, "END:VCALENDAR");
        tree.insert(format!("{}.ics", s.name.name), out.into_bytes());
    }
    tree
}
