//! `escalade oncall`: who is on call at an instant (SPEC §7).

use crate::model::Model;
use crate::time::{schedule_segments, Instant, Who};
use chrono::{DateTime, TimeZone, Utc};
use std::collections::BTreeMap;

/// Schedule name → the person on call (None: a gap), sorted by name.
pub fn on_call(m: &Model, at: Instant, only: Option<&str>) -> BTreeMap<String, Option<String>> {
    let mut out = BTreeMap::new();
    for s in &m.schedules {
        if only.is_some_and(|o| o != s.name.name) {
            continue;
        }
        let who = schedule_segments(m, s, at, at + 1).first().map(|x| x.who).unwrap_or(Who::Nobody);
        let name = match who {
            Who::Person(p) => Some(m.persons[p].name.name.clone()),
            _ => None,
        };
        out.insert(s.name.name.clone(), name);
    }
    out
}

pub fn json(answers: &BTreeMap<String, Option<String>>, at: DateTime<Utc>) -> String {
    let v = serde_json::json!({
        "version": 1,
        "at": at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "schedules": answers,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

pub fn table(m: &Model, answers: &BTreeMap<String, Option<String>>, at: DateTime<Utc>) -> String {
    let local = m.org.tz.timestamp_opt(at.timestamp(), 0).single().map(|t| t.format("%Y-%m-%d %H:%M %Z").to_string()).unwrap_or_default();
    let mut s = format!("on call at {} ({local})\n", at.format("%Y-%m-%dT%H:%M:%SZ"));
    let w = answers.keys().map(|k| k.chars().count()).max().unwrap_or(8).max(8);
    s.push_str(&format!("{:<w$}  {}\n", "SCHEDULE", "ON CALL"));
    for (k, v) in answers {
        s.push_str(&format!("{:<w$}  {}\n", k, v.as_deref().unwrap_or("nobody (gap)")));
    }
    s
}
