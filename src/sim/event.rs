//! Timeline events as the engine consumes them (SPEC §5 "Timeline").
//! Readers (`sim::timeline`) and importers (`sim::import`) produce them;
//! the engine (`sim::engine`) and drills consume them.

use smallvec::SmallVec;
use smol_str::SmolStr;
use std::collections::BTreeMap;
use std::fmt;

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
    pub labels: Labels,
    pub fingerprint: Option<String>,
}

/// An alert's labels: a map of text to text, iterated in key order.
///
/// Held as one sorted list of pairs, the first two in the event itself
/// and names of up to 23 bytes inline: looking a label up reads the
/// event's own memory. (A `BTreeMap<String, String>` put each alert's
/// labels in a node of some 550 bytes and every key in an allocation of
/// its own, and the routes' one label lookup per alert, two cache misses
/// deep, cost the engine a quarter of its time.)
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Labels(SmallVec<[(SmolStr, SmolStr); 2]>);

impl Labels {
    pub fn new() -> Labels {
        Labels::default()
    }

    fn find(&self, key: &str) -> Result<usize, usize> {
        self.0.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&str> {
        // most alerts carry a few labels: a scan of the inline pairs
        if self.0.len() <= 4 {
            return self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
        }
        self.find(key).ok().map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Set `key` to `value`, replacing its value if it has one.
    pub fn insert(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) {
        let (key, value) = (key.as_ref(), SmolStr::new(value.as_ref()));
        match self.find(key) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (SmolStr::new(key), value)),
        }
    }

    /// (key, value) in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> + '_ {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// Bytes held outside the event (spilled pairs, long names).
    pub fn heap_bytes(&self) -> usize {
        let name = |s: &SmolStr| if s.is_heap_allocated() { s.len() } else { 0 };
        let pairs = if self.0.spilled() { self.0.capacity() * std::mem::size_of::<(SmolStr, SmolStr)>() } else { 0 };
        pairs + self.0.iter().map(|(k, v)| name(k) + name(v)).sum::<usize>()
    }
}

impl fmt::Debug for Labels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl std::ops::Index<&str> for Labels {
    type Output = str;
    /// Panics when `key` has no value (tests).
    fn index(&self, key: &str) -> &str {
        match self.get(key) {
            Some(v) => v,
            None => panic!("no label `{key}`"),
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> Extend<(K, V)> for Labels {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, it: I) {
        for (k, v) in it {
            self.insert(k, v);
        }
    }
}

impl<K: AsRef<str>, V: AsRef<str>> FromIterator<(K, V)> for Labels {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(it: I) -> Labels {
        let mut l = Labels::new();
        l.extend(it);
        l
    }
}

impl From<BTreeMap<String, String>> for Labels {
    fn from(m: BTreeMap<String, String>) -> Labels {
        // already in key order, keys once
        Labels(m.into_iter().map(|(k, v)| (SmolStr::from(k), SmolStr::from(v))).collect())
    }
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
/// fills them in place): an alert line otherwise makes and frees a box and
/// its strings, and an acknowledgement
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
            + a.labels.heap_bytes()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Labels behave as a `BTreeMap<String, String>`: the last value of
        /// a key wins, lookups find every key and no other, iteration is in
        /// key order — below and above the inline and scanned sizes.
        #[test]
        fn labels_are_a_map(pairs in proptest::collection::vec(("[a-e]{0,3}|[a-z_]{20,30}", "[a-z0-9]{0,3}|x{24,40}"), 0..12), probe in "[a-e]{0,3}") {
            let mut want = BTreeMap::new();
            let mut l = Labels::new();
            for (k, v) in &pairs {
                want.insert(k.clone(), v.clone());
                l.insert(k, v);
            }
            prop_assert_eq!(l.len(), want.len());
            prop_assert_eq!(l.is_empty(), want.is_empty());
            prop_assert!(l.iter().eq(want.iter().map(|(k, v)| (k.as_str(), v.as_str()))));
            for k in want.keys() {
                prop_assert_eq!(l.get(k), want.get(k).map(String::as_str));
            }
            prop_assert_eq!(l.get(&probe), want.get(&probe).map(String::as_str));
            prop_assert_eq!(l.contains_key(&probe), want.contains_key(&probe));
            prop_assert_eq!(&Labels::from(want.clone()), &l);
            prop_assert_eq!(&pairs.iter().cloned().collect::<Labels>(), &l);
            prop_assert_eq!(format!("{l:?}"), format!("{want:?}"));
        }
    }

    #[test]
    fn labels_count_only_what_they_hold_outside_the_event() {
        let mut l = Labels::new();
        l.insert("region", "us-east");
        l.insert("env", "prod");
        assert_eq!(l.heap_bytes(), 0, "two short labels are held inline");
        l.insert("a-key-longer-than-23-bytes", "v");
        assert!(l.heap_bytes() >= 26 + 3 * std::mem::size_of::<(SmolStr, SmolStr)>(), "a third pair spills; the long key is on the heap");
        assert_eq!(&l["env"], "prod");
        l.clear();
        assert!(l.is_empty() && l.get("env").is_none());
    }
}
