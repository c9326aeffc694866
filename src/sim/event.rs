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
