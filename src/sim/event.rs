//! Timeline events as the engine consumes them (SPEC §5 "Timeline").
//! Readers (`sim::timeline`) and importers (`sim::import`) produce them;
//! the engine (`sim::engine`) and drills consume them.

use std::collections::BTreeMap;

/// Unix seconds (UTC), fractions truncated.
pub type Instant = i64;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AlertEvent {
    /// the alert id (`alert: ID`)
    pub id: String,
    pub service: String,
    /// the severity text as read (names and aliases are resolved by the
    /// engine against the workspace's severities, case-insensitively)
    pub severity: Option<String>,
    pub summary: Option<String>,
    pub source: Option<String>,
    /// label values as text (numbers and booleans as their JSON/YAML text)
    pub labels: BTreeMap<String, String>,
    pub fingerprint: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// boxed: an alert is several times the size of an ack or a resolve,
    /// and events are moved from reader to reorder window to engine
    Alert(Box<AlertEvent>),
    Ack { id: String, by: Option<String> },
    Resolve { id: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: Instant,
    pub kind: EventKind,
    /// 1-based line of the event in its file (JSON Lines: the line; YAML
    /// and JSON documents: the line where the event starts, or 0)
    pub line: usize,
    /// position in file order, for ties at one instant
    pub seq: u64,
}

/// A timeline event that was not accepted (SPEC §5 "Rejected events").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub line: usize,
    pub reason: String,
}

/// How long after a person's first page they acknowledge.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AckAfter {
    Never,
    Fixed(i64),
    /// median and 90th percentile, seconds; 0 < median < p90
    LogNormal { median: f64, p90: f64 },
}

/// One entry of the `responders` section.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ResponderSpec {
    pub ack_after: AckAfter,
    /// probability of never answering, in [0, 1]
    pub miss: f64,
}

impl Default for ResponderSpec {
    fn default() -> Self {
        ResponderSpec { ack_after: AckAfter::Never, miss: 0.0 }
    }
}

/// The `responders` section: person name (or `default`) → behaviour.
pub type Responders = BTreeMap<String, ResponderSpec>;

/// Spent events' allocations, kept per thread for the next events read on
/// it (`sim::simulate` hands a batch's events back before reading the
/// next batch into it, on the reading thread, and the JSON Lines fast path
/// fills them in place): an alert line otherwise makes and frees a box, its
/// strings and a label map, some ten allocations, and an acknowledgement
/// or a resolve one. Bounded: [`SPARE_EVENTS`] entries of each kind, none
/// whose strings grew past [`SPARE_BYTES`].
pub mod spare {
    use super::{AlertEvent, Event, EventKind};
    use std::cell::RefCell;

    /// Entries kept of each kind: two batches' worth.
    pub const SPARE_EVENTS: usize = 8192;
    /// An alert whose strings hold more than this many bytes in all is
    /// freed rather than kept.
    pub const SPARE_BYTES: usize = 1024;

    #[derive(Default)]
    struct Pool {
        /// boxes, not bare alerts: an event holds its alert boxed, and a
        /// spare moves in and out as a pointer
        #[allow(clippy::vec_box)]
        alerts: Vec<Box<AlertEvent>>,
        ids: Vec<String>,
    }

    thread_local! {
        static POOL: RefCell<Pool> = RefCell::new(Pool::default());
    }

    fn bytes(a: &AlertEvent) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::capacity);
        a.id.capacity()
            + a.service.capacity()
            + opt(&a.severity)
            + opt(&a.summary)
            + opt(&a.source)
            + opt(&a.fingerprint)
            + a.labels.iter().map(|(k, v)| k.capacity() + v.capacity()).sum::<usize>()
    }

    /// Keep an event's allocations for reuse on this thread.
    pub fn recycle(ev: Event) {
        // an event dropped while the pool is borrowed is simply freed
        let _ = POOL.try_with(|p| {
            let Ok(mut p) = p.try_borrow_mut() else { return };
            match ev.kind {
                EventKind::Alert(a) => {
                    if p.alerts.len() < SPARE_EVENTS && bytes(&a) <= SPARE_BYTES {
                        p.alerts.push(a);
                    }
                }
                EventKind::Ack { id, .. } | EventKind::Resolve { id } => {
                    if p.ids.len() < SPARE_EVENTS && id.capacity() <= SPARE_BYTES {
                        p.ids.push(id);
                    }
                }
            }
        });
    }

    /// A spent alert to fill in place (every field holds old values), or
    /// a new one.
    pub fn alert() -> Box<AlertEvent> {
        POOL.try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.alerts.pop())).ok().flatten().unwrap_or_default()
    }

    /// `s` in a spent id's allocation when there is one.
    pub fn id(s: &str) -> String {
        let mut out = POOL.try_with(|p| p.try_borrow_mut().ok().and_then(|mut p| p.ids.pop())).ok().flatten().unwrap_or_default();
        set(&mut out, s);
        out
    }

    /// Set `dst` to `src`, in its allocation.
    #[inline]
    pub fn set(dst: &mut String, src: &str) {
        dst.clear();
        dst.push_str(src);
    }

    /// Set `dst` to `src`, in its allocation when both are present.
    #[inline]
    pub fn set_opt(dst: &mut Option<String>, src: Option<&str>) {
        match (dst.as_mut(), src) {
            (Some(d), Some(s)) => set(d, s),
            (_, s) => *dst = s.map(str::to_owned),
        }
    }

    #[cfg(test)]
    pub fn pooled() -> (usize, usize) {
        POOL.with(|p| {
            let p = p.borrow();
            (p.alerts.len(), p.ids.len())
        })
    }
}
