//! `--trace FILE`: the audit trail as JSON Lines (SPEC §5), schema
//! version 1 (docs/trace.md).
//!
//! One record per step, keys in this order, absent keys omitted:
//! `t` (RFC 3339 UTC, seconds), `incident` (id of the opening alert),
//! `step`, `alert`, `service`, `severity`, `route`, `matched`, `policy`,
//! `tier`, `round`, `person`, `channels`, `cause`, `item`, `reason`.

use crate::model::Model;
use crate::sim::engine::{channels_of, Sink, Step, TraceRecord};
use serde_json::{Map, Value};
use std::io::{self, Write};

/// The trace schema's version (docs/trace.md).
pub const TRACE_VERSION: u32 = 1;

/// `2026-07-01T02:14:00Z`
pub fn rfc3339(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_else(|| t.to_string())
}

/// One trace record as a JSON object.
pub fn record_json(m: &Model, r: &TraceRecord) -> Value {
    let mut o = Map::new();
    o.insert("t".into(), rfc3339(r.t).into());
    o.insert("incident".into(), Value::from(&*r.incident));
    o.insert("step".into(), r.step.as_str().into());
    if let Some(a) = &r.alert {
        o.insert("alert".into(), Value::from(&**a));
    }
    if let Some(s) = &r.service {
        o.insert("service".into(), Value::from(&**s));
    }
    if matches!(r.step, Step::Opened | Step::Folded | Step::Suppressed) {
        let sev = r.severity.and_then(|s| m.org.severities.get(s as usize)).map(|s| Value::from(s.name.as_str()));
        o.insert("severity".into(), sev.unwrap_or(Value::Null));
    }
    if let Some(rt) = r.route.and_then(|i| m.routes.get(i as usize)) {
        o.insert("route".into(), rt.name.name.as_str().into());
    }
    if !r.matched.is_empty() {
        let names: Vec<Value> = r.matched.iter().filter_map(|&i| m.routes.get(i as usize)).map(|rt| Value::from(rt.name.name.as_str())).collect();
        o.insert("matched".into(), Value::Array(names));
    }
    if let Some(p) = r.policy.and_then(|p| m.policies.get(p as usize)) {
        o.insert("policy".into(), p.name.name.as_str().into());
        if let Some(t) = r.tier.and_then(|t| p.tiers.get(t as usize)) {
            o.insert("tier".into(), t.name.name.as_str().into());
        }
    }
    if let Some(round) = r.round {
        o.insert("round".into(), round.into());
    }
    if let Some(p) = r.person.and_then(|p| m.persons.get(p as usize)) {
        o.insert("person".into(), p.name.name.as_str().into());
    } else if let Some(n) = &r.person_name {
        o.insert("person".into(), Value::from(&**n));
    }
    if r.channels != 0 {
        o.insert("channels".into(), Value::Array(channels_of(r.channels).map(|c| Value::from(c.as_str())).collect()));
    }
    if !r.causes.is_empty() {
        o.insert("cause".into(), Value::Array(r.causes.iter().map(|c| Value::from(c.kind.as_str())).collect()));
    }
    if let Some(x) = r.item_text(m) {
        o.insert("item".into(), x.into());
    }
    if let Some(x) = &r.reason {
        o.insert("reason".into(), Value::from(&**x));
    }
    Value::Object(o)
}

/// Writes records as JSON Lines; keeps the first write error.
pub struct TraceWriter<'m> {
    m: &'m Model,
    out: Box<dyn Write + Send + 'm>,
    /// the first write error; later records are not written
    error: Option<io::Error>,
}

impl<'m> TraceWriter<'m> {
    pub fn new(m: &'m Model, out: Box<dyn Write + Send + 'm>) -> TraceWriter<'m> {
        TraceWriter { m, out, error: None }
    }

    /// Flush; the first error of the whole trace, if any.
    pub fn finish(mut self) -> io::Result<()> {
        if let Some(e) = self.error.take() {
            return Err(e);
        }
        self.out.flush()
    }
}

impl Sink for TraceWriter<'_> {
    fn record(&mut self, r: &TraceRecord) {
        if self.error.is_some() {
            return;
        }
        let v = record_json(self.m, r);
        let res = serde_json::to_writer(&mut self.out, &v).map_err(io::Error::other).and_then(|()| self.out.write_all(b"\n"));
        if let Err(e) = res {
            self.error = Some(e);
        }
    }
}
