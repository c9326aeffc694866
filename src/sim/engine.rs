//! The discrete-event engine (SPEC §3.1, §3.6, §3.8, §5).
//!
//! The engine is fed timeline events one at a time, in time order
//! ([`Engine::feed`]), and keeps only what open incidents need: memory is
//! bounded by the open incidents and their pending timers (plus suppressed
//! alert ids for the auto-resolve span, §5 "Recorded acknowledgements").
//! Everything that happens is reported as [`TraceRecord`]s to a [`Sink`];
//! drills and metrics are computed from that stream.
//!
//! # Processing order (§5 "Processing")
//! Timers live in one priority queue keyed by `(instant, phase, order,
//! seq)`. At one instant:
//! 1. timeline events, in file order — fed from outside: [`Engine::feed`]
//!    first runs every timer strictly before the event's instant;
//! 2. acknowledgements (responder model, recorded acks and acks derived
//!    from them), in the order they were scheduled (`order` = scheduling
//!    sequence; the first one wins);
//! 3. auto-resolve;
//! 4. escalation timeouts, then 5. `unresolved` jumps, then 6.
//!    renotifications, each in order of incident opening (`order` = the
//!    incident's opening sequence).
//!
//! What a step causes at the same instant (a skip, a handoff, an
//! acknowledgement after a zero delay) is either done inline (skips,
//! handoffs) or queued at that instant with its own phase, so it runs
//! before any later phase of the instant. Timeouts and renotifications
//! carry the incident's *epoch*: any change of tier, an acknowledgement or
//! exhaustion bumps it, so stale timers are ignored when they pop — this is
//! how "an incident acknowledged or resolved at t is neither escalated nor
//! renotified at t" holds.
//!
//! # Pages
//! Records are buffered per instant. A notification of a person already
//! paged for the same incident at the same instant merges into that page
//! (§3.6 "Pages"): its channels are added and its causes appended, and it
//! counts once. The buffer is flushed to the sink when the clock advances.

use crate::model::Model;
use crate::sim::event::{AckAfter, AlertEvent, Event, EventKind, Instant, ResponderSpec, Responders};
use crate::sim::route_eval::{RouteOutcome, RouteTable, Scratch};
use crate::syntax::ast::{Channel, Notify, TargetKind};
use crate::time::{schedule_segments, Segment, Who};
use std::cmp::Reverse;
use std::fmt;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};
use smallvec::SmallVec;

use crate::fxhash::FxMap;

// ---------------------------------------------------------------------------
// Engines (SPEC §5 "Engines", ENGINES.md §10)

/// Whose runtime semantics the simulation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum EngineKind {
    /// the semantics of the SPEC
    #[default]
    Default,
    PagerDuty,
    GoAlert,
    Opsgenie,
    GrafanaOnCall,
    SplunkOnCall,
}

impl EngineKind {
    pub const ALL: [EngineKind; 6] = [
        EngineKind::Default,
        EngineKind::PagerDuty,
        EngineKind::GoAlert,
        EngineKind::Opsgenie,
        EngineKind::GrafanaOnCall,
        EngineKind::SplunkOnCall,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Default => "default",
            EngineKind::PagerDuty => "pagerduty",
            EngineKind::GoAlert => "goalert",
            EngineKind::Opsgenie => "opsgenie",
            EngineKind::GrafanaOnCall => "grafana-oncall",
            EngineKind::SplunkOnCall => "splunk-oncall",
        }
    }

    pub fn parse(s: &str) -> Option<EngineKind> {
        EngineKind::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// The escalation delay (`escalate after`) the engine really uses.
    /// PagerDuty, GoAlert and Opsgenie count whole minutes (rounded up, at
    /// least 1m); Grafana OnCall waits 60 s … 86,400 s.
    pub fn adjust_delay(self, d: i64) -> i64 {
        match self {
            EngineKind::PagerDuty | EngineKind::GoAlert | EngineKind::Opsgenie => {
                let m = (d.max(0) + 59) / 60;
                m.max(1) * 60
            }
            EngineKind::GrafanaOnCall => d.clamp(60, 86_400),
            EngineKind::Default | EngineKind::SplunkOnCall => d,
        }
    }

    /// The largest `repeat` the engine supports.
    pub fn repeat_cap(self) -> Option<u32> {
        match self {
            EngineKind::PagerDuty => Some(9),
            EngineKind::GoAlert | EngineKind::GrafanaOnCall => Some(5),
            _ => None,
        }
    }

    /// GoAlert waits out an empty step's delay instead of skipping it.
    pub fn waits_out_empty_tiers(self) -> bool {
        self == EngineKind::GoAlert
    }

    /// `--explain-engine` (§5 "Engines"): the rules this engine changes,
    /// then those that follow the SPEC.
    pub fn explain(self) -> String {
        let changed: &[&str] = match self {
            EngineKind::Default => &[],
            EngineKind::PagerDuty => &[
                "`escalate after` delays are rounded up to whole minutes (at least 1m)",
                "`repeat` is clamped to 9 (PagerDuty `num_loops`)",
                "an empty tier is skipped at once (as in the SPEC)",
                "acknowledgements are final: PagerDuty's acknowledgement timeout is not modelled",
            ],
            EngineKind::GoAlert => &[
                "`escalate after` delays are rounded up to whole minutes (at least 1m)",
                "`repeat` is clamped to 5",
                "an empty tier waits out its `escalate after` delay instead of being skipped (target/goalert#4548)",
            ],
            EngineKind::Opsgenie => &["`escalate after` delays are rounded up to whole minutes (at least 1m)"],
            EngineKind::GrafanaOnCall => &[
                "`escalate after` delays are clamped to 60 s … 86,400 s",
                "`repeat` is clamped to 5 (`repeat_escalation`)",
            ],
            EngineKind::SplunkOnCall => &[],
        };
        let mut out = format!("engine {}\n", self.as_str());
        if changed.is_empty() {
            out.push_str("changes no rule: every behaviour follows SPEC §5\n");
        } else {
            out.push_str("changes these rules:\n");
            for c in changed {
                out.push_str(&format!("  - {c}\n"));
            }
        }
        out.push_str("follows SPEC §5 for everything else:\n");
        let same: &[&str] = &[
            "routes, `set`, `continue`, `also`, `suppress` and dedup",
            "the processing order at one instant, acknowledgements and resolves",
            "`renotify`, `handoff`, `unresolved after`, checkpoints and channels",
            "the responder model and recorded acknowledgements",
            "`auto-resolve` (the org's, not the engine's own settings)",
            "behaviours ENGINES.md marks inferred or unknown for this engine",
        ];
        for s in same {
            out.push_str(&format!("  - {s}\n"));
        }
        if !changed.is_empty() {
            out.push_str("each clamp or rounding is a trace record (`engine-adjusted`)\n");
        }
        out
    }
}

// ---------------------------------------------------------------------------
// Trace

/// Trace steps, exactly SPEC §5 "--trace".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    Opened,
    Folded,
    Suppressed,
    Routed,
    Unrouted,
    TierEntered,
    TierSkipped,
    Paged,
    Renotified,
    Escalated,
    Repeat,
    Handoff,
    HandoffCycle,
    UnresolvedJump,
    Checkpoint,
    ChannelOpened,
    Acknowledged,
    LostResponder,
    Exhausted,
    AutoResolved,
    Resolved,
    OpenAtEnd,
    EngineAdjusted,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Opened => "opened",
            Step::Folded => "folded",
            Step::Suppressed => "suppressed",
            Step::Routed => "routed",
            Step::Unrouted => "unrouted",
            Step::TierEntered => "tier-entered",
            Step::TierSkipped => "tier-skipped",
            Step::Paged => "paged",
            Step::Renotified => "renotified",
            Step::Escalated => "escalated",
            Step::Repeat => "repeat",
            Step::Handoff => "handoff",
            Step::HandoffCycle => "handoff-cycle",
            Step::UnresolvedJump => "unresolved-jump",
            Step::Checkpoint => "checkpoint",
            Step::ChannelOpened => "channel-opened",
            Step::Acknowledged => "acknowledged",
            Step::LostResponder => "lost-responder",
            Step::Exhausted => "exhausted",
            Step::AutoResolved => "auto-resolved",
            Step::Resolved => "resolved",
            Step::OpenAtEnd => "open-at-end",
            Step::EngineAdjusted => "engine-adjusted",
        }
    }
}

/// Why a person was notified (§5 trace `cause`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CauseKind {
    Tier,
    Renotify,
    Also,
    Unresolved,
}

impl CauseKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CauseKind::Tier => "tier",
            CauseKind::Renotify => "renotify",
            CauseKind::Also => "also",
            CauseKind::Unresolved => "unresolved",
        }
    }
}

/// A target as written: its kind and the index of the named person, team
/// or schedule in the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TargetRef {
    pub kind: TargetKind,
    pub index: u32,
}

impl TargetRef {
    pub fn name<'m>(&self, m: &'m Model) -> &'m str {
        let i = self.index as usize;
        let n = match self.kind {
            TargetKind::Person => m.persons.get(i).map(|p| &p.name.name),
            TargetKind::Team | TargetKind::Lead => m.teams.get(i).map(|t| &t.name.name),
            TargetKind::Schedule => m.schedules.get(i).map(|s| &s.name.name),
        };
        n.map(String::as_str).unwrap_or("?")
    }
    /// `schedule payments-primary`
    pub fn describe(&self, m: &Model) -> String {
        format!("{} {}", self.kind.as_str(), self.name(m))
    }
}

/// One reason a person was notified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageCause {
    pub kind: CauseKind,
    /// the policy of the tier that paged (None for `also`)
    pub policy: Option<u32>,
    pub tier: Option<u32>,
    /// the route of an `also`
    pub route: Option<u32>,
    /// the first target that led to the person
    pub target: TargetRef,
    /// an escalation page (§5 "Escalation"): a tier other than the routed
    /// policy's first, any tier of a policy entered by handoff, or an
    /// `unresolved` jump
    pub escalation: bool,
}

/// Channels as a bit set (bit i = `Channel::ALL[i]`).
pub type ChannelMask = u8;

pub const ALL_CHANNELS: ChannelMask = 0b1_1111;

pub fn channel_bit(c: Channel) -> ChannelMask {
    1 << (c as u8)
}

pub fn channels_of(mask: ChannelMask) -> impl Iterator<Item = Channel> {
    Channel::ALL.into_iter().filter(move |c| mask & channel_bit(*c) != 0)
}

/// An alert id, incident id or service name in the engine and its trace:
/// up to 23 bytes held inline, so copying one (some ten times per alert:
/// into the incident, its records, the dedup and alert indices) is a copy
/// of 24 bytes; a longer one is shared and reference counted. Reference
/// counts are atomic, and on these paths they cost more than the rest of
/// the copy: with every name reference counted, the engine ran 15 % slower.
pub type Name = smol_str::SmolStr;

/// One step of the audit trail. Indices refer to the model (`routes`,
/// `policies`, tiers of `policy`, `persons`).
#[derive(Debug, Clone, PartialEq)]
pub struct TraceRecord {
    pub t: Instant,
    /// id of the incident's opening alert (of the alert itself when it was
    /// suppressed)
    pub incident: Name,
    /// the incident's opening sequence, from 1; 0 for a suppressed alert
    pub seq: u64,
    /// where the engine keeps the incident: below the largest number of
    /// incidents open at once, and reused once it has ended, so a sink can
    /// keep per-incident state in a vector indexed by it (checked against
    /// `seq`); `u32::MAX` for a suppressed alert. Not part of the trace.
    pub slot: u32,
    pub step: Step,
    pub alert: Option<Name>,
    /// `opened`, `folded`, `suppressed`: the alert's service string
    pub service: Option<Name>,
    /// with `service`, when the model declares it: its index in the
    /// model's services, so a sink can keep per-service state in a vector
    /// instead of hashing the name. Not part of the trace.
    pub service_index: Option<u32>,
    /// `opened`: the final (post-`set`) severity; `folded`, `suppressed`:
    /// the severity as read
    pub severity: Option<u32>,
    /// `routed`: the deciding route; `suppressed`: the suppressing route
    pub route: Option<u32>,
    /// `opened`, `suppressed`: every route that matched, in order
    pub matched: SmallVec<[u32; 4]>,
    pub policy: Option<u32>,
    pub tier: Option<u32>,
    pub round: Option<u32>,
    pub person: Option<u32>,
    /// a `by` naming no person (`lost-responder`, reason `unknown-person`)
    pub person_name: Option<Name>,
    /// `paged`: the channels notified
    pub channels: ChannelMask,
    /// `paged`: the causes, in order (several for a merged page)
    pub causes: SmallVec<[PageCause; 1]>,
    /// `paged`: some cause is an escalation
    pub escalation: bool,
    /// `checkpoint`, `channel-opened`: index in the tier's list
    pub item: Option<u32>,
    /// `opened`, `folded`, `suppressed`: the alert was read with no known
    /// severity (`unknown_severity`, §5 "Metrics")
    pub no_severity: bool,
    pub reason: Option<Reason>,
}

/// The text of a record's `reason`: fixed, shared with the compiled model
/// (no allocation per record), or made for this record.
#[derive(Clone, PartialEq, Eq)]
pub enum Reason {
    Static(&'static str),
    Shared(Name),
    Owned(String),
}

impl std::ops::Deref for Reason {
    type Target = str;
    fn deref(&self) -> &str {
        match self {
            Reason::Static(s) => s,
            Reason::Shared(s) => s,
            Reason::Owned(s) => s,
        }
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl From<&'static str> for Reason {
    fn from(s: &'static str) -> Reason {
        Reason::Static(s)
    }
}

impl From<String> for Reason {
    fn from(s: String) -> Reason {
        Reason::Owned(s)
    }
}

impl TraceRecord {
    pub fn new(t: Instant, incident: Name, seq: u64, step: Step) -> TraceRecord {
        TraceRecord {
            t,
            incident,
            seq,
            slot: u32::MAX,
            step,
            alert: None,
            service: None,
            service_index: None,
            severity: None,
            route: None,
            matched: SmallVec::new(),
            policy: None,
            tier: None,
            round: None,
            person: None,
            person_name: None,
            channels: 0,
            causes: SmallVec::new(),
            escalation: false,
            item: None,
            no_severity: false,
            reason: None,
        }
    }

    /// Back to the state of [`TraceRecord::new`], in place (the incident
    /// name is kept when it is the same).
    #[inline]
    fn reset(&mut self, t: Instant, incident: &Name, seq: u64, step: Step) {
        self.t = t;
        // a short name is copied; a long one (shared, reference counted)
        // only when it changes
        if !incident.is_heap_allocated() || self.incident != *incident {
            self.incident = incident.clone();
        }
        self.seq = seq;
        self.slot = u32::MAX;
        self.step = step;
        self.alert = None;
        self.service = None;
        self.service_index = None;
        self.severity = None;
        self.route = None;
        // most records have no routes and no causes: skip the lists' clear
        if !self.matched.is_empty() {
            self.matched.clear();
        }
        self.policy = None;
        self.tier = None;
        self.round = None;
        self.person = None;
        self.person_name = None;
        self.channels = 0;
        if !self.causes.is_empty() {
            self.causes.clear();
        }
        self.escalation = false;
        self.item = None;
        self.no_severity = false;
        self.reason = None;
    }

    /// One line for humans and tests: `+5m A1 paged person=erin
    /// channels=sms cause=renotify policy=p tier=primary round=1`, the
    /// instant as an offset from `origin`.
    pub fn describe(&self, m: &Model, origin: Instant) -> String {
        let mut s = format!("+{} {} {}", fmt_dur(self.t - origin), self.incident, self.step.as_str());
        if let Some(a) = &self.alert {
            s.push_str(&format!(" alert={a}"));
        }
        if let Some(r) = self.route.and_then(|r| m.routes.get(r as usize)) {
            s.push_str(&format!(" route={}", r.name.name));
        }
        if let Some(p) = self.person.and_then(|p| m.persons.get(p as usize)) {
            s.push_str(&format!(" person={}", p.name.name));
        }
        if let Some(n) = &self.person_name {
            s.push_str(&format!(" person={n}"));
        }
        if self.channels != 0 {
            let ch: Vec<&str> = channels_of(self.channels).map(Channel::as_str).collect();
            s.push_str(&format!(" channels={}", ch.join(",")));
        }
        if !self.causes.is_empty() {
            let c: Vec<&str> = self.causes.iter().map(|c| c.kind.as_str()).collect();
            s.push_str(&format!(" cause={}", c.join("+")));
        }
        if let Some(p) = self.policy {
            s.push_str(&format!(" policy={}", policy_name(m, p)));
            if let Some(t) = self.tier {
                s.push_str(&format!(" tier={}", tier_name(m, p, t)));
            }
        }
        if let Some(r) = self.round {
            s.push_str(&format!(" round={r}"));
        }
        if let Some(x) = self.item_text(m) {
            s.push_str(&format!(" text={x:?}"));
        }
        if self.escalation {
            s.push_str(" escalation");
        }
        if let Some(r) = &self.reason {
            s.push_str(&format!(" reason={r:?}"));
        }
        s
    }

    /// The text of a `checkpoint` or the name of a `channel-opened`.
    pub fn item_text<'m>(&self, m: &'m Model) -> Option<&'m str> {
        let tier = m.policies.get(self.policy? as usize)?.tiers.get(self.tier? as usize)?;
        let i = self.item? as usize;
        match self.step {
            Step::Checkpoint => tier.checkpoints.get(i).map(|s| s.value.as_str()),
            Step::ChannelOpened => tier.channels.get(i).map(|s| s.value.as_str()),
            _ => None,
        }
    }
}

/// Where trace records go.
pub trait Sink {
    fn record(&mut self, r: &TraceRecord);
}

impl Sink for Vec<TraceRecord> {
    fn record(&mut self, r: &TraceRecord) {
        self.push(r.clone());
    }
}

/// A sink from a closure.
pub struct FnSink<F: FnMut(&TraceRecord)>(pub F);

impl<F: FnMut(&TraceRecord)> Sink for FnSink<F> {
    fn record(&mut self, r: &TraceRecord) {
        (self.0)(r)
    }
}

impl<S: Sink + ?Sized> Sink for &mut S {
    fn record(&mut self, r: &TraceRecord) {
        (**self).record(r)
    }
}

/// Discards everything.
pub struct NullSink;

impl Sink for NullSink {
    fn record(&mut self, _: &TraceRecord) {}
}

// ---------------------------------------------------------------------------
// Responders

/// How paged people behave: one draw per (incident, person), made at the
/// person's first page in the incident (§5 "Responder model").
pub trait ResponderModel {
    /// Seconds after the first page at which `person` acknowledges the
    /// incident opened by alert `incident`; `None`: never.
    fn draw(&mut self, m: &Model, incident: &str, person: usize) -> Option<i64>;
}

/// Any closure `(model, opening alert id, person index) → delay`.
impl<F: FnMut(&Model, &str, usize) -> Option<i64>> ResponderModel for F {
    fn draw(&mut self, m: &Model, incident: &str, person: usize) -> Option<i64> {
        self(m, incident, person)
    }
}

/// Nobody ever acknowledges (`explain`).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAcks;

impl ResponderModel for NoAcks {
    fn draw(&mut self, _: &Model, _: &str, _: usize) -> Option<i64> {
        None
    }
}

/// Drills (§3.9): `responder X never` / `responder X acks after D`;
/// people not named never acknowledge.
#[derive(Debug, Clone, Default)]
pub struct FixedResponders {
    pub by_person: HashMap<usize, Option<i64>>,
}

impl ResponderModel for FixedResponders {
    fn draw(&mut self, _: &Model, _: &str, person: usize) -> Option<i64> {
        self.by_person.get(&person).copied().flatten()
    }
}

/// The `responders` model of a timeline (§5), with a counter-based
/// generator keyed by (seed, opening alert id, person name): the draws do
/// not depend on the order in which they are made, so `--against` and the
/// runs of `--runs` compare the same responders whatever the thread count.
#[derive(Debug, Clone)]
pub struct SeededResponders {
    pub seed: u64,
    /// per person index: the person's entry, if listed
    by_person: Vec<Option<ResponderSpec>>,
    default: Option<ResponderSpec>,
}

impl SeededResponders {
    /// Keys naming no person (nor `default`) are returned so that the
    /// caller can report them (§5: reported on stderr and ignored).
    pub fn new(m: &Model, responders: &Responders, seed: u64) -> (SeededResponders, Vec<String>) {
        let mut by_person = vec![None; m.persons.len()];
        let mut unknown = Vec::new();
        let mut default = None;
        for (name, spec) in responders {
            if name == "default" {
                default = Some(*spec);
            } else if let Some(i) = m.ns_person.get(name) {
                by_person[i] = Some(*spec);
            } else {
                unknown.push(name.clone());
            }
        }
        (SeededResponders { seed, by_person, default }, unknown)
    }
}

/// SplitMix64 finaliser.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// FNV-1a over the bytes of both strings, separated.
fn key_hash(seed: u64, a: &str, b: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in a.bytes().chain(std::iter::once(0xff)).chain(b.bytes()) {
        h ^= u64::from(byte);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    mix64(h ^ mix64(seed))
}

/// The i-th uniform of a key, in [0, 1).
fn uniform(key: u64, i: u64) -> f64 {
    (mix64(key.wrapping_add(i.wrapping_mul(0xD1B5_4A32_D192_ED03))) >> 11) as f64 / (1u64 << 53) as f64
}

/// One draw of a responder spec (§5): `miss` first, then the delay.
pub fn draw_spec(spec: &ResponderSpec, key: u64) -> Option<i64> {
    if spec.miss > 0.0 && uniform(key, 0) < spec.miss {
        return None;
    }
    match spec.ack_after {
        AckAfter::Never => None,
        AckAfter::Fixed(d) => Some(d.max(0)),
        AckAfter::LogNormal { median, p90 } => {
            if !(median > 0.0 && p90 > median) {
                return Some(median.max(0.0).round() as i64);
            }
            let sigma = (p90.ln() - median.ln()) / 1.281_551_6;
            // Box–Muller; 1 - u keeps the logarithm finite
            let u1 = 1.0 - uniform(key, 1);
            let u2 = uniform(key, 2);
            let z = (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
            let x = (median.ln() + sigma * z).exp();
            // rounded half away from zero to whole seconds
            let x = x.round();
            Some(if x.is_finite() { x.clamp(0.0, 1e12) as i64 } else { 0 })
        }
    }
}

impl ResponderModel for SeededResponders {
    fn draw(&mut self, m: &Model, incident: &str, person: usize) -> Option<i64> {
        let spec = self.by_person.get(person).copied().flatten().or(self.default)?;
        let name = m.persons.get(person).map(|p| p.name.name.as_str()).unwrap_or("");
        draw_spec(&spec, key_hash(self.seed, incident, name))
    }
}

// ---------------------------------------------------------------------------
// Compiled model

#[derive(Debug, Clone)]
enum CTarget {
    /// person, team, lead: the people, in order
    Static { target: TargetRef, people: Box<[u32]> },
    Schedule { target: TargetRef, schedule: u32 },
}

#[derive(Debug, Clone)]
struct CNotify {
    via: ChannelMask,
    targets: Box<[CTarget]>,
}

#[derive(Debug, Clone)]
struct CTier {
    notify: Box<[CNotify]>,
    handoff: Option<u32>,
    renotify: Option<i64>,
    /// `escalate after`, as the engine uses it
    escalate: Option<i64>,
    /// the reason of an `escalated` record from this tier
    escalate_reason: Name,
    /// the written delay when the engine changed it
    escalate_written: Option<i64>,
    terminal: bool,
    n_channels: u32,
    n_checkpoints: u32,
}

#[derive(Debug, Clone)]
struct CPolicy {
    tiers: Box<[CTier]>,
    /// `repeat`, as the engine uses it
    repeat: u32,
    repeat_written: u32,
    /// (after, tier index)
    unresolved: Option<(i64, u32)>,
}

/// The model compiled for simulation under one engine's semantics. Build
/// it once and share it between runs.
#[derive(Debug, Clone)]
pub struct Compiled<'m> {
    pub m: &'m Model,
    pub engine: EngineKind,
    pub routes: RouteTable,
    policies: Vec<CPolicy>,
    /// per route, its `also` statements
    also: Vec<Box<[CNotify]>>,
    person_channels: Vec<ChannelMask>,
    /// declared service names, shared by the records
    service_names: Vec<Name>,
    /// severity names and aliases exactly as declared → rank: the common
    /// case of [`Model::read_severity`] without its case-folding scans
    severity_exact: FxMap<Box<str>, usize>,
    /// more tier entries than one `enter_tier` call can make (a guard)
    entry_bound: usize,
}

impl<'m> Compiled<'m> {
    pub fn new(m: &'m Model, engine: EngineKind) -> Compiled<'m> {
        let person_channels = m.persons.iter().map(|p| p.contacts.iter().fold(0, |acc, c| acc | channel_bit(c.channel))).collect();
        let policies: Vec<CPolicy> = m
            .policies
            .iter()
            .map(|p| {
                let tiers: Box<[CTier]> = p
                    .tiers
                    .iter()
                    .map(|t| {
                        let written = t.escalate_after.as_ref().map(|d| d.value);
                        let escalate = written.map(|d| engine.adjust_delay(d));
                        CTier {
                            notify: t.notify.iter().map(|n| compile_notify(m, n)).collect(),
                            handoff: t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)).map(|x| x as u32),
                            renotify: t.renotify.as_ref().map(|r| r.value).filter(|r| *r > 0),
                            escalate_reason: Name::new(format!("not acknowledged within {}", fmt_dur(escalate.unwrap_or(0)))),
                            escalate,
                            escalate_written: if escalate != written { written } else { None },
                            terminal: t.is_terminal(),
                            n_channels: t.channels.len() as u32,
                            n_checkpoints: t.checkpoints.len() as u32,
                        }
                    })
                    .collect();
                let written = p.repeat.as_ref().map(|r| r.value).unwrap_or(0);
                let repeat = engine.repeat_cap().map_or(written, |cap| written.min(cap));
                let unresolved = p.unresolved.as_ref().and_then(|u| {
                    p.tiers.iter().position(|t| t.name.name == u.tier.name).map(|i| (u.after.value, i as u32))
                });
                CPolicy { tiers, repeat, repeat_written: written, unresolved }
            })
            .collect();
        let also = m.routes.iter().map(|r| r.also.iter().map(|n| compile_notify(m, n)).collect()).collect();
        let service_names = m.services.iter().map(|s| Name::new(s.name.name.as_str())).collect();
        // every iteration enters a tier; skips exhaust after a round
        // without pages and handoffs stop at the first cycle
        let entry_bound = 4 + policies.iter().map(|p: &CPolicy| p.tiers.len() * (p.repeat as usize + 1)).sum::<usize>();
        let mut severity_exact = FxMap::default();
        for (rank, sv) in m.org.severities.iter().enumerate().rev() {
            // an alias spelled like some name (in another case) reads as
            // that name: left to read_severity
            for a in sv.aliases.iter().filter(|a| !m.org.severities.iter().any(|n| n.name.eq_ignore_ascii_case(a))) {
                severity_exact.insert(Box::from(a.as_str()), rank);
            }
        }
        // names win over aliases (read_severity tries names first)
        for (rank, sv) in m.org.severities.iter().enumerate().rev() {
            severity_exact.insert(Box::from(sv.name.as_str()), rank);
        }
        Compiled { m, engine, routes: RouteTable::new(m), policies, also, person_channels, service_names, severity_exact, entry_bound }
    }

    /// Evaluate the routes for alert `a` at `t` (§3.8) into `out`. It
    /// depends on the alert, its instant and the model only, so a caller
    /// may do it ahead of the engine (on another thread) and hand the
    /// outcome to [`Engine::feed_routed`].
    pub fn route(&self, a: &AlertEvent, t: Instant, scratch: &mut Scratch, out: &mut RouteOutcome) {
        let read = a.severity.as_deref().and_then(|s| self.read_severity(s));
        self.routes.evaluate(self.m, a, read, t, scratch, out);
    }

    /// The severity rank of a timeline's severity text (§3.1).
    pub fn read_severity(&self, text: &str) -> Option<usize> {
        match self.severity_exact.get(text) {
            Some(&r) => Some(r),
            None => self.m.read_severity(text),
        }
    }

    /// Every rule the engine changes in this model: (policy, tier or None,
    /// description), for the stderr summary.
    pub fn adjustments(&self) -> Vec<(u32, Option<u32>, String)> {
        let mut out = Vec::new();
        for (pi, p) in self.policies.iter().enumerate() {
            if p.repeat != p.repeat_written {
                out.push((pi as u32, None, self.repeat_reason(p)));
            }
            for (ti, t) in p.tiers.iter().enumerate() {
                if let (Some(w), Some(e)) = (t.escalate_written, t.escalate) {
                    out.push((pi as u32, Some(ti as u32), self.delay_reason(w, e)));
                }
            }
        }
        out
    }

    fn repeat_reason(&self, p: &CPolicy) -> String {
        format!("repeat {} clamped to {} ({})", p.repeat_written, p.repeat, self.engine.as_str())
    }

    fn delay_reason(&self, written: i64, used: i64) -> String {
        let how = if self.engine == EngineKind::GrafanaOnCall { "clamped to" } else { "rounded up to" };
        format!("escalate after {} {how} {} ({})", fmt_dur(written), fmt_dur(used), self.engine.as_str())
    }
}

fn compile_notify(m: &Model, n: &Notify) -> CNotify {
    let via = if n.via.is_empty() { ALL_CHANNELS } else { n.via.iter().fold(0, |acc, c| acc | channel_bit(c.value)) };
    let targets = n
        .targets
        .iter()
        .filter_map(|t| {
            let index = match t.kind {
                TargetKind::Person => m.ns_person.get(&t.name.name),
                TargetKind::Team | TargetKind::Lead => m.ns_team.get(&t.name.name),
                TargetKind::Schedule => m.ns_schedule.get(&t.name.name),
            }? as u32;
            let target = TargetRef { kind: t.kind, index };
            Some(match t.kind {
                TargetKind::Schedule => CTarget::Schedule { target, schedule: index },
                _ => CTarget::Static {
                    target,
                    people: m.target_people(t).iter().filter_map(|p| m.ns_person.get(&p.name.name)).map(|i| i as u32).collect(),
                },
            })
        })
        .collect();
    CNotify { via, targets }
}

/// `1h30m`, `0s`
pub fn fmt_dur(s: i64) -> String {
    crate::checks::routes::fmt_secs(s)
}

// ---------------------------------------------------------------------------
// Engine state

/// Options of one run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// events after this instant are skipped (§5 "End")
    pub until: Option<Instant>,
}

/// What [`Engine::feed`] did with an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fed {
    Processed,
    /// after `until`: skipped (§5 "End")
    Skipped,
    /// not accepted (§5 "Rejected events")
    Rejected(String),
}

/// Counts the trace does not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counters {
    pub alerts: u64,
    pub unknown_severity: u64,
    pub stale_events: u64,
    pub rejected_events: u64,
    pub lost_responders: u64,
    pub suppressed_but_acked: u64,
    /// `suppressed_but_acked` by the suppressed alert's service
    pub suppressed_but_acked_by_service: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TimerKind {
    /// an acknowledgement (responder model, or derived from a recorded ack)
    Ack { person: Option<u32> },
    /// a recorded `ack` event, processed in phase 2 of its instant
    RecordedAck { person: Option<u32> },
    AutoResolve,
    Timeout { epoch: u32 },
    Unresolved,
    Renotify { epoch: u32 },
}

const PHASE_ACK: u8 = 2;
const PHASE_AUTO_RESOLVE: u8 = 3;
const PHASE_TIMEOUT: u8 = 4;
const PHASE_UNRESOLVED: u8 = 5;
const PHASE_RENOTIFY: u8 = 6;

/// A pending timer. Timers are processed by instant, then phase, then
/// order (the incident's opening sequence, or for acknowledgements the
/// scheduling sequence), then scheduling sequence `seq`, which is unique.
#[derive(Debug, Clone, Copy)]
struct Timer {
    at: Instant,
    /// the phase in the top 8 bits, the order below: one comparison for
    /// both (a sequence never reaches 2^56)
    key: u64,
    seq: u64,
    slot: u32,
    gen: u32,
    kind: TimerKind,
}

impl Timer {
    #[inline]
    fn new(at: Instant, phase: u8, order: u64, seq: u64, slot: u32, gen: u32, kind: TimerKind) -> Timer {
        debug_assert!(order < 1 << 56);
        Timer { at, key: (u64::from(phase) << 56) | order, seq, slot, gen, kind }
    }
}

impl Ord for Timer {
    #[inline]
    fn cmp(&self, o: &Timer) -> std::cmp::Ordering {
        (self.at, self.key, self.seq).cmp(&(o.at, o.key, o.seq))
    }
}

impl PartialOrd for Timer {
    #[inline]
    fn partial_cmp(&self, o: &Timer) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl PartialEq for Timer {
    fn eq(&self, o: &Timer) -> bool {
        self.cmp(o).is_eq()
    }
}

impl Eq for Timer {}

/// Timers in processing order.
///
/// The engine's clock only moves forward and no timer is set before it, so
/// a *timing wheel* does: a timer due within [`WHEEL`] seconds of `pos`,
/// the instant last brought forward, waits in the wheel's slot for its
/// instant (one instant per slot), a later one in the `far` heap. Setting a
/// timer costs a push; taking the next one, a scan of a bitmap for the next
/// occupied slot. Most timers are taken stale (their incident was
/// acknowledged or resolved first), and a binary heap of every pending
/// timer cost a sift for each. `cur` holds the timers at or before `pos`,
/// a small heap in full processing order (instant, phase, order, seq). A
/// FIFO takes the timers that arrive already sorted (recorded
/// acknowledgements, due at the instant they are read, in scheduling
/// order).
#[derive(Debug)]
struct Queue {
    cur: BinaryHeap<Reverse<Timer>>,
    /// slot `at mod WHEEL`: timers due at `at`, `pos < at < pos + WHEEL`
    wheel: Box<[Vec<Reverse<Timer>>]>,
    /// bit `i % 64` of `words[i / 64]`: slot i is occupied
    words: [u64; WHEEL_WORDS],
    /// bit w: `words[w]` is not zero
    summary: u64,
    /// timers due at `pos + WHEEL` or later
    far: BinaryHeap<Reverse<Timer>>,
    pos: Instant,
    in_order: VecDeque<Timer>,
    seq: u64,
}

/// Seconds the wheel covers: more than the usual acknowledgement and
/// escalation timeouts, so `far` stays small.
const WHEEL: usize = 4096;
const WHEEL_WORDS: usize = WHEEL / 64;

impl Default for Queue {
    fn default() -> Queue {
        Queue {
            cur: BinaryHeap::new(),
            wheel: (0..WHEEL).map(|_| Vec::new()).collect(),
            words: [0; WHEEL_WORDS],
            summary: 0,
            far: BinaryHeap::new(),
            pos: Instant::MIN,
            in_order: VecDeque::new(),
            seq: 0,
        }
    }
}

impl Queue {
    /// `order`: None = in scheduling order (acknowledgements).
    fn push(&mut self, at: Instant, phase: u8, order: Option<u64>, slot: u32, gen: u32, kind: TimerKind) {
        self.seq += 1;
        let order = order.unwrap_or(self.seq);
        self.put(Timer::new(at, phase, order, self.seq, slot, gen, kind));
    }

    #[inline]
    fn put(&mut self, t: Timer) {
        if t.at <= self.pos {
            self.cur.push(Reverse(t));
        } else if self.in_wheel(t.at) {
            let i = (t.at as u64 as usize) % WHEEL;
            self.wheel[i].push(Reverse(t));
            self.words[i / 64] |= 1 << (i % 64);
            self.summary |= 1 << (i / 64);
        } else {
            self.far.push(Reverse(t));
        }
    }

    /// Whether a timer due at `at`, after `pos`, has its slot in the wheel.
    #[inline]
    fn in_wheel(&self, at: Instant) -> bool {
        at.abs_diff(self.pos) < WHEEL as u64
    }

    /// The first occupied slot at or after `start`.
    #[inline]
    fn occupied_from(&self, start: usize) -> Option<usize> {
        let w = start / 64;
        let bits = self.words[w] & (!0u64 << (start % 64));
        if bits != 0 {
            return Some(w * 64 + bits.trailing_zeros() as usize);
        }
        let later = self.summary & (!0u64).checked_shl(w as u32 + 1).unwrap_or(0);
        if later == 0 {
            return None;
        }
        let w = later.trailing_zeros() as usize;
        Some(w * 64 + self.words[w].trailing_zeros() as usize)
    }

    /// Bring the next instant forward into `cur` if it is empty.
    #[inline]
    fn refill(&mut self) {
        if !self.cur.is_empty() {
            return;
        }
        let next = if self.summary != 0 {
            // slots hold the instants after `pos` in circular order
            let here = (self.pos as u64 as usize) % WHEEL;
            let Some(i) = self.occupied_from((here + 1) % WHEEL).or_else(|| self.occupied_from(0)) else { return };
            self.pos + ((i + WHEEL - here) % WHEEL) as Instant
        } else {
            match self.far.peek() {
                Some(Reverse(t)) => t.at,
                None => return,
            }
        };
        self.advance(next);
    }

    /// Move `pos` to `next`, the earliest instant of a pending timer, while
    /// `cur` is empty: its slot empties into `cur`, and the wheel takes in
    /// the far timers it now covers (the slots of the instants passed over
    /// are empty).
    fn advance(&mut self, next: Instant) {
        self.pos = next;
        let i = (next as u64 as usize) % WHEEL;
        if self.words[i / 64] & (1 << (i % 64)) != 0 {
            self.words[i / 64] &= !(1 << (i % 64));
            if self.words[i / 64] == 0 {
                self.summary &= !(1 << (i / 64));
            }
            // `cur` is empty: the slot's list becomes the heap, and the
            // heap's emptied list the slot's (no copy, no allocation)
            let slot = std::mem::take(&mut self.wheel[i]);
            self.wheel[i] = std::mem::replace(&mut self.cur, BinaryHeap::from(slot)).into_vec();
        }
        while self.far.peek().is_some_and(|Reverse(t)| t.at <= self.pos || self.in_wheel(t.at)) {
            if let Some(Reverse(t)) = self.far.pop() {
                self.put(t);
            }
        }
    }

    /// A timer in scheduling order at `at`, which is no earlier than any
    /// timer pushed this way before it: it keeps the FIFO sorted.
    fn push_in_order(&mut self, at: Instant, phase: u8, slot: u32, gen: u32, kind: TimerKind) {
        self.seq += 1;
        self.in_order.push_back(Timer::new(at, phase, self.seq, self.seq, slot, gen, kind));
    }

    /// The first timer, and whether it is the FIFO's.
    #[inline]
    fn peek(&mut self) -> Option<(Timer, bool)> {
        self.refill();
        match (self.cur.peek(), self.in_order.front()) {
            (Some(Reverse(h)), Some(f)) => Some(if f < h { (*f, true) } else { (*h, false) }),
            (Some(Reverse(h)), None) => Some((*h, false)),
            (None, f) => f.map(|f| (*f, true)),
        }
    }

    /// Drop the timer [`Queue::peek`] returned.
    #[inline]
    fn pop_first(&mut self, fifo: bool) {
        if fifo {
            self.in_order.pop_front();
        } else {
            self.cur.pop();
        }
    }

    #[cfg(test)]
    fn pop(&mut self) -> Option<Timer> {
        let (t, fifo) = self.peek()?;
        self.pop_first(fifo);
        Some(t)
    }
}

/// Where the next timer comes from.
#[derive(Clone, Copy)]
enum Source {
    Auto,
    /// the queue: its FIFO or not
    Queue(bool),
}

#[derive(Debug)]
struct Incident {
    gen: u32,
    id: Name,
    seq: u64,
    /// its index in `Engine::incidents`
    slot: u32,
    opened: Instant,
    service: Name,
    /// the service's index in the model, when declared
    service_index: Option<u32>,
    /// the hash of the dedup key (service, fingerprint), when the org
    /// dedups
    dedup: Option<u64>,
    /// the dedup fingerprint (its capacity is kept for reuse)
    fingerprint: String,
    last_alert: Instant,
    alerts: Vec<Name>,
    routed: Option<u32>,
    /// the current policy
    policy: Option<u32>,
    entered: Vec<u32>,
    tier: u32,
    /// from 1
    round: u32,
    /// some tier of the current round paged someone (or waited, goalert)
    round_paged: bool,
    epoch: u32,
    tier_timeout: Option<Instant>,
    /// who the current tier paged when entered: (person, channels, target)
    tier_people: Vec<(u32, ChannelMask, TargetRef)>,
    acked: bool,
    exhausted: bool,
    unresolved_done: bool,
    /// people paged, in first-page order
    paged: Vec<u32>,
    /// this instant's pages: (person, index in the record buffer), valid
    /// while the buffer's `flushes` is `pages_flush`
    pages_now: Vec<(u32, u32)>,
    pages_flush: u64,
    /// recorded acks processed before their person was paged: (person or
    /// None for an ack without `by`, offset from open)
    pending: Vec<(Option<u32>, i64)>,
    /// recorded acks read but not yet processed (phase 2 of their instant):
    /// a `resolve` at the same instant ends the incident first (§5)
    queued: Vec<Option<u32>>,
}

impl Incident {
    fn empty() -> Incident {
        let none: Name = Name::new("");
        Incident {
            gen: 0,
            id: none.clone(),
            seq: 0,
            slot: 0,
            opened: 0,
            service: none,
            service_index: None,
            dedup: None,
            fingerprint: String::new(),
            last_alert: 0,
            alerts: Vec::new(),
            routed: None,
            policy: None,
            entered: Vec::new(),
            tier: 0,
            round: 1,
            round_paged: false,
            epoch: 0,
            tier_timeout: None,
            tier_people: Vec::new(),
            acked: false,
            exhausted: false,
            unresolved_done: false,
            paged: Vec::new(),
            pages_now: Vec::new(),
            pages_flush: u64::MAX,
            pending: Vec::new(),
            queued: Vec::new(),
        }
    }

    /// Back to the state of [`Incident::empty`], keeping the lists'
    /// capacity (the names are overwritten when it is used again).
    fn reset(&mut self) {
        self.dedup = None;
        self.fingerprint.clear();
        self.alerts.clear();
        self.routed = None;
        self.policy = None;
        self.entered.clear();
        self.tier = 0;
        self.round = 1;
        self.round_paged = false;
        self.epoch = 0;
        self.tier_timeout = None;
        self.tier_people.clear();
        self.acked = false;
        self.exhausted = false;
        self.unresolved_done = false;
        self.paged.clear();
        self.pages_now.clear();
        self.pages_flush = u64::MAX;
        self.pending.clear();
        self.queued.clear();
    }
}

/// The simulation engine. `R` decides when paged people acknowledge; `S`
/// receives the trace.
pub struct Engine<'a, R: ResponderModel, S: Sink> {
    c: &'a Compiled<'a>,
    opts: Options,
    responders: R,
    sink: S,
    now: Instant,
    started: bool,
    q: Queue,
    /// auto-resolve timers: (at, incident seq, slot, gen). Incidents open
    /// in time order and D is constant, so this is already sorted: a FIFO
    /// instead of the heap.
    auto_q: VecDeque<(Instant, u64, u32, u32)>,
    open_seq: u64,
    /// boxed: an incident moves in and out of `spare` as a pointer
    incidents: Vec<Option<Box<Incident>>>,
    gens: Vec<u32>,
    free: Vec<u32>,
    /// ended incidents, reset, for reuse
    // boxed on purpose: a spare moves into `incidents` as a pointer
    #[allow(clippy::vec_box)]
    spare: Vec<Box<Incident>>,
    by_alert: FxMap<Name, u32>,
    /// open incidents by the hash of their dedup key (service,
    /// fingerprint): the latest incident of each key, one slot per key
    /// (a list only when distinct keys share a hash)
    by_key: DedupIndex,
    /// suppressed alert ids → (forget at, service)
    suppressed_ids: FxMap<Name, (Instant, Name)>,
    suppressed_queue: VecDeque<(Instant, Name)>,
    buf: Records,
    oncall: Vec<Option<(Instant, Vec<Segment>)>>,
    scratch: Scratch,
    /// reused from alert to alert; boxed, so taking it out and putting it
    /// back moves a pointer
    route_out: Option<Box<RouteOutcome>>,
    people: Vec<(u32, ChannelMask, TargetRef)>,
    counters: Counters,
}

const ONCALL_CHUNK: i64 = 7 * 86_400;
const DAY: i64 = 86_400;

impl<'a, R: ResponderModel, S: Sink> Engine<'a, R, S> {
    pub fn new(c: &'a Compiled<'a>, opts: Options, responders: R, sink: S) -> Self {
        Engine {
            c,
            opts,
            responders,
            sink,
            now: i64::MIN,
            started: false,
            q: Queue::default(),
            auto_q: VecDeque::new(),
            open_seq: 0,
            incidents: Vec::new(),
            gens: Vec::new(),
            free: Vec::new(),
            spare: Vec::new(),
            by_alert: FxMap::default(),
            by_key: DedupIndex::default(),
            suppressed_ids: FxMap::default(),
            suppressed_queue: VecDeque::new(),
            buf: Records::default(),
            oncall: vec![None; c.m.schedules.len()],
            scratch: c.routes.scratch(),
            route_out: Some(Box::default()),
            people: Vec::new(),
            counters: Counters::default(),
        }
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    pub fn open_incidents(&self) -> usize {
        self.incidents.len() - self.free.len()
    }

    pub fn sink(&self) -> &S {
        &self.sink
    }

    pub fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }

    pub fn into_parts(self) -> (R, S, Counters) {
        (self.responders, self.sink, self.counters)
    }

    /// Process one timeline event. Events must come in time order (ties in
    /// file order).
    pub fn feed(&mut self, ev: &Event) -> Fed {
        self.feed_routed(ev, None)
    }

    /// [`Engine::feed`] with, for an alert, the outcome of its routes when
    /// it was evaluated ahead ([`Compiled::route`] of this engine's model
    /// at the event's instant); None: the engine evaluates them.
    pub fn feed_routed(&mut self, ev: &Event, routes: Option<&RouteOutcome>) -> Fed {
        if self.opts.until.is_some_and(|u| ev.at > u) {
            return Fed::Skipped;
        }
        if self.started && ev.at < self.now {
            self.counters.rejected_events += 1;
            return Fed::Rejected("event earlier than an event already processed".into());
        }
        self.advance_to(ev.at);
        match &ev.kind {
            EventKind::Alert(a) => self.on_alert(ev.at, a, routes),
            EventKind::Ack { id, by } => {
                self.on_ack(ev.at, id, by.as_deref());
                Fed::Processed
            }
            EventKind::Resolve { id } => {
                self.on_resolve(ev.at, id);
                Fed::Processed
            }
        }
    }

    /// Resolve every open incident at `t`, as a timeline event (phase 1) —
    /// a drill's `resolve after D` (§3.9).
    pub fn resolve_all(&mut self, t: Instant) {
        if self.opts.until.is_some_and(|u| t > u) || (self.started && t < self.now) {
            return;
        }
        self.advance_to(t);
        for slot in self.live_slots_in_open_order() {
            let Some(inc) = self.incidents[slot as usize].as_ref() else { continue };
            let r = self.buf.push_for(t, inc, Step::Resolved);
            r.reason = Some("drill resolve".into());
            self.end_incident(slot, t);
        }
    }

    /// Run every timer up to `end` inclusive (§5 "End"), then report the
    /// incidents still open (`open-at-end`) and flush the trace.
    pub fn finish(&mut self, end: Instant) {
        self.run_timers(end, true);
        if !self.started || end > self.now {
            self.set_now(end);
        }
        for slot in self.live_slots_in_open_order() {
            let Some(inc) = self.incidents[slot as usize].as_ref() else { continue };
            self.buf.push_for(end, inc, Step::OpenAtEnd);
            self.settle_lost(slot, end);
        }
        self.flush();
    }

    // -- time -------------------------------------------------------------

    fn set_now(&mut self, t: Instant) {
        if !self.started || t > self.now {
            self.flush();
            self.now = t;
            self.started = true;
            self.forget_suppressed(t);
        }
    }

    /// Run the timers strictly before `t`, then move the clock to `t`.
    fn advance_to(&mut self, t: Instant) {
        self.run_timers(t, false);
        self.set_now(t);
    }

    fn run_timers(&mut self, limit: Instant, inclusive: bool) {
        loop {
            // auto-resolve timers of incidents already ended are dropped
            // here, without a turn of the loop each
            while let Some(&(_, _, slot, gen)) = self.auto_q.front() {
                if self.is_live(slot, gen) {
                    break;
                }
                self.auto_q.pop_front();
            }
            let queued = self.q.peek();
            let auto = self.auto_q.front().map(|&(at, seq, slot, gen)| Timer::new(at, PHASE_AUTO_RESOLVE, seq, 0, slot, gen, TimerKind::AutoResolve));
            let (top, from) = match (queued, auto) {
                (None, None) => break,
                (Some((q, fifo)), None) => (q, Source::Queue(fifo)),
                (None, Some(a)) => (a, Source::Auto),
                (Some((q, fifo)), Some(a)) => {
                    if a < q {
                        (a, Source::Auto)
                    } else {
                        (q, Source::Queue(fifo))
                    }
                }
            };
            if top.at > limit || (!inclusive && top.at == limit) {
                break;
            }
            match from {
                Source::Auto => {
                    self.auto_q.pop_front();
                }
                Source::Queue(fifo) => self.q.pop_first(fifo),
            }
            self.set_now(top.at);
            self.on_timer(top);
        }
    }

    fn flush(&mut self) {
        for r in self.buf.records() {
            self.sink.record(r);
        }
        self.buf.clear();
    }

    fn forget_suppressed(&mut self, t: Instant) {
        while let Some((at, _)) = self.suppressed_queue.front() {
            if *at > t {
                break;
            }
            if let Some((at, id)) = self.suppressed_queue.pop_front() {
                if self.suppressed_ids.get(&id).is_some_and(|(x, _)| *x == at) {
                    self.suppressed_ids.remove(&id);
                }
            }
        }
    }

    fn live_slots_in_open_order(&self) -> Vec<u32> {
        let mut v: Vec<(u64, u32)> = self.incidents.iter().enumerate().filter_map(|(i, x)| x.as_ref().map(|x| (x.seq, i as u32))).collect();
        v.sort_unstable();
        v.into_iter().map(|(_, s)| s).collect()
    }

    fn is_live(&self, slot: u32, gen: u32) -> bool {
        self.incidents.get(slot as usize).and_then(Option::as_deref).is_some_and(|i| i.gen == gen)
    }

    fn live(&mut self, slot: u32, gen: u32) -> Option<&mut Incident> {
        self.incidents.get_mut(slot as usize)?.as_deref_mut().filter(|i| i.gen == gen)
    }

    // -- timeline events ---------------------------------------------------

    fn on_alert(&mut self, t: Instant, a: &AlertEvent, pre: Option<&RouteOutcome>) -> Fed {
        if let Some(&slot) = self.by_alert.get(a.id.as_str()) {
            let inc = self.incidents[slot as usize].as_ref().map(|i| i.id.to_string()).unwrap_or_default();
            self.counters.rejected_events += 1;
            return Fed::Rejected(format!("alert id `{}` repeats an alert of open incident `{inc}`", a.id));
        }
        let c = self.c;
        let m = c.m;
        self.counters.alerts += 1;
        let read = a.severity.as_deref().and_then(|s| c.read_severity(s));
        if read.is_none() {
            self.counters.unknown_severity += 1;
        }
        let id: Name = Name::new(a.id.as_str());
        let fingerprint = a.fingerprint.as_deref().or(a.summary.as_deref()).unwrap_or("");

        // §3.1 dedup runs before routes
        let key_hash = m.org.dedup.map(|_| dedup_hash(&a.service, fingerprint));
        if let (Some(window), Some(h)) = (m.org.dedup, key_hash) {
            let incidents = &self.incidents;
            let hit = self.by_key.find(h, |s| has_key(incidents, *s, &a.service, fingerprint));
            if let Some(slot) = hit {
                if let Some(inc) = self.incidents[slot as usize].as_mut() {
                    if t - inc.last_alert <= window {
                        inc.last_alert = t;
                        inc.alerts.push(id.clone());
                        let r = self.buf.push_for(t, inc, Step::Folded);
                        r.alert = Some(id.clone());
                        r.service = Some(inc.service.clone());
                        r.service_index = inc.service_index;
                        r.severity = read.map(|x| x as u32);
                        r.no_severity = read.is_none();
                        self.by_alert.insert(id, slot);
                        return Fed::Processed;
                    }
                }
            }
        }

        // §3.8 routes: evaluated ahead, or here into the engine's own
        // outcome (given back before returning)
        let mut own: Option<Box<RouteOutcome>> = None;
        let out: &RouteOutcome = match pre {
            Some(o) => o,
            None => {
                let mut o = self.route_out.take().unwrap_or_default();
                c.routes.evaluate(m, a, read, t, &mut self.scratch, &mut o);
                own.insert(o)
            }
        };
        let service_index = out.service.map(|i| i as u32);
        let service: Name = match out.service.and_then(|i| c.service_names.get(i)) {
            Some(x) => x.clone(),
            None => Name::new(a.service.as_str()),
        };
        let matched: SmallVec<[u32; 4]> = SmallVec::from_slice(&out.matched);
        if let Some(route) = out.suppressed_by {
            let r = self.buf.push(t, &id, 0, u32::MAX, Step::Suppressed);
            r.alert = Some(id.clone());
            r.service = Some(service.clone());
            r.service_index = service_index;
            r.severity = read.map(|x| x as u32);
            r.no_severity = read.is_none();
            r.route = Some(route);
            r.matched = matched;
            let forget = t + m.org.auto_resolve.unwrap_or(DAY);
            self.suppressed_ids.insert(id.clone(), (forget, service));
            self.suppressed_queue.push_back((forget, id));
            if own.is_some() {
                self.route_out = own;
            }
            return Fed::Processed;
        }

        // open the incident
        self.open_seq += 1;
        let seq = self.open_seq;
        let slot = match self.free.pop() {
            Some(s) => s,
            None => {
                self.incidents.push(None);
                self.gens.push(0);
                (self.incidents.len() - 1) as u32
            }
        };
        let gen = self.gens[slot as usize].wrapping_add(1);
        self.gens[slot as usize] = gen;
        let routed = out.policy.map(|p| p as u32);
        // a spare incident keeps its lists' capacity: no allocation per
        // incident once the engine is warm
        let mut inc = self.spare.pop().unwrap_or_else(|| Box::new(Incident::empty()));
        inc.gen = gen;
        inc.id = id.clone();
        inc.seq = seq;
        inc.slot = slot;
        inc.opened = t;
        inc.service = service.clone();
        inc.service_index = service_index;
        inc.dedup = key_hash;
        if key_hash.is_some() {
            inc.fingerprint.push_str(fingerprint);
        }
        inc.last_alert = t;
        inc.alerts.push(id.clone());
        inc.routed = routed;
        self.incidents[slot as usize] = Some(inc);
        self.by_alert.insert(id.clone(), slot);
        if let Some(h) = key_hash {
            // a newer incident of a key replaces the older one
            let incidents = &self.incidents;
            self.by_key.insert(h, slot, |s| has_key(incidents, *s, &a.service, fingerprint));
        }
        let r = self.buf.push(t, &id, seq, slot, Step::Opened);
        r.alert = Some(id.clone());
        r.service = Some(service);
        r.service_index = service_index;
        r.severity = out.severity.map(|x| x as u32);
        r.no_severity = read.is_none();
        r.matched = matched;
        match routed {
            Some(p) => {
                let r = self.buf.push(t, &id, seq, slot, Step::Routed);
                r.policy = Some(p);
                r.route = out.decided_by;
                if out.fallback {
                    r.reason = Some("service default policy".into());
                }
            }
            None => {
                let r = self.buf.push(t, &id, seq, slot, Step::Unrouted);
                r.reason = Some(if out.service.is_none() { "unknown service".into() } else { "no route decided and the service has no policy".into() });
            }
        }
        if let Some(d) = m.org.auto_resolve {
            self.auto_q.push_back((t + d, seq, slot, gen));
        }

        // §3.8 `also`: paged once at open, before the first tier's pages
        let mut people = std::mem::take(&mut self.people);
        for &(route, index) in &out.also {
            let Some(n) = c.also.get(route as usize).and_then(|x| x.get(index as usize)) else { continue };
            people.clear();
            self.resolve(std::slice::from_ref(n), t, &mut people);
            for &(p, ch, target) in &people {
                let cause = PageCause { kind: CauseKind::Also, policy: None, tier: None, route: Some(route), target, escalation: false };
                self.page(slot, p, ch, cause, None, t);
            }
        }
        self.people = people;
        if own.is_some() {
            self.route_out = own;
        }

        if let Some(p) = routed {
            if self.enter_policy(slot, p, t) {
                self.enter_tier(slot, t);
            }
        }
        Fed::Processed
    }

    fn on_ack(&mut self, t: Instant, id: &str, by: Option<&str>) {
        let Some(&slot) = self.by_alert.get(id) else {
            if let Some((_, service)) = self.suppressed_ids.get(id) {
                self.counters.suppressed_but_acked += 1;
                *self.counters.suppressed_but_acked_by_service.entry(service.to_string()).or_default() += 1;
            } else {
                self.counters.stale_events += 1;
            }
            return;
        };
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        let gen = inc.gen;
        let person = match by {
            None => None,
            Some(name) => match self.c.m.ns_person.get(name) {
                Some(p) => Some(p as u32),
                None => {
                    // §5: a `by` naming no person is dropped (lost)
                    self.counters.lost_responders += 1;
                    let r = self.buf.push_for(t, inc, Step::LostResponder);
                    r.alert = Some(Name::new(id));
                    r.person_name = Some(Name::new(name));
                    r.reason = Some("unknown-person".into());
                    return;
                }
            },
        };
        // §5 fine points: a recorded ack takes effect in phase 2
        if let Some(inc) = self.incidents[slot as usize].as_mut() {
            inc.queued.push(person);
        }
        // at the clock's instant, which only moves forward
        self.q.push_in_order(t, PHASE_ACK, slot, gen, TimerKind::RecordedAck { person });
    }

    fn on_resolve(&mut self, t: Instant, id: &str) {
        // the index's own copy of the id names the alert (no allocation)
        let Some((alert, &slot)) = self.by_alert.get_key_value(id) else {
            self.counters.stale_events += 1;
            return;
        };
        let alert = alert.clone();
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        let r = self.buf.push_for(t, inc, Step::Resolved);
        r.alert = Some(alert);
        self.end_incident(slot, t);
    }

    // -- timers -------------------------------------------------------------

    fn on_timer(&mut self, tm: Timer) {
        let t = tm.at;
        let Some(inc) = self.live(tm.slot, tm.gen) else { return };
        match tm.kind {
            TimerKind::Ack { person } => self.apply_ack(tm.slot, person, t),
            TimerKind::RecordedAck { person } => {
                if let Some(i) = inc.queued.iter().position(|q| *q == person) {
                    inc.queued.remove(i);
                }
                let offset = t - inc.opened;
                match person {
                    // P was paged before the ack is processed: P acks at t
                    Some(p) if inc.paged.contains(&p) => self.apply_ack(tm.slot, person, t),
                    None if !inc.paged.is_empty() => self.apply_ack(tm.slot, None, t),
                    // otherwise at P's (anyone's) first page + (t − open)
                    _ => inc.pending.push((person, offset)),
                }
            }
            TimerKind::AutoResolve => {
                let (id, seq) = (inc.id.clone(), inc.seq);
                self.buf.push(t, &id, seq, tm.slot, Step::AutoResolved);
                self.end_incident(tm.slot, t);
            }
            TimerKind::Timeout { epoch } => {
                if inc.epoch != epoch || inc.acked || inc.exhausted {
                    return;
                }
                self.on_timeout(tm.slot, t);
            }
            TimerKind::Unresolved => {
                if !inc.acked || inc.unresolved_done {
                    return;
                }
                inc.unresolved_done = true;
                self.unresolved_jump(tm.slot, t);
            }
            TimerKind::Renotify { epoch } => {
                if inc.epoch != epoch || inc.acked || inc.exhausted {
                    return;
                }
                self.renotify(tm.slot, t);
            }
        }
    }

    fn apply_ack(&mut self, slot: u32, person: Option<u32>, t: Instant) {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return };
        if inc.acked {
            return;
        }
        inc.acked = true;
        inc.epoch = inc.epoch.wrapping_add(1);
        let r = self.buf.push_for(t, inc, Step::Acknowledged);
        r.person = person;
        r.policy = inc.policy;
        // §3.6 resolution timeout: at open + D, or at the acknowledgement
        // if later; the rule of the policy current at the acknowledgement
        if let Some((d, _)) = inc.policy.and_then(|p| c.policies.get(p as usize)).and_then(|p| p.unresolved) {
            let at = (inc.opened + d).max(t);
            let (seq, gen) = (inc.seq, inc.gen);
            self.q.push(at, PHASE_UNRESOLVED, Some(seq), slot, gen, TimerKind::Unresolved);
        }
    }

    fn on_timeout(&mut self, slot: u32, t: Instant) {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        let Some(p) = inc.policy else { return };
        let Some(pol) = c.policies.get(p as usize) else { return };
        let has_next = (inc.tier as usize + 1) < pol.tiers.len() || (inc.round_paged && inc.round <= pol.repeat);
        if has_next {
            let r = self.buf.push_for(t, inc, Step::Escalated);
            r.policy = Some(p);
            r.tier = Some(inc.tier);
            r.round = Some(inc.round);
            let d = pol.tiers.get(inc.tier as usize).map(|x| x.escalate_reason.clone());
            r.reason = Some(d.map_or(Reason::Static("not acknowledged"), Reason::Shared));
        }
        if self.next_tier(slot, t) {
            self.enter_tier(slot, t);
        }
    }

    fn renotify(&mut self, slot: u32, t: Instant) {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return };
        let Some(p) = inc.policy else { return };
        let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(inc.tier as usize)) else { return };
        let r = self.buf.push_for(t, inc, Step::Renotified);
        r.policy = Some(p);
        r.tier = Some(inc.tier);
        r.round = Some(inc.round);
        let escalation = inc.routed != Some(p) || inc.tier != 0;
        let (ti, round, epoch, gen, seq, timeout) = (inc.tier, inc.round, inc.epoch, inc.gen, inc.seq, inc.tier_timeout);
        let people = std::mem::take(&mut inc.tier_people);
        for &(person, ch, target) in &people {
            let cause = PageCause { kind: CauseKind::Renotify, policy: Some(p), tier: Some(ti), route: None, target, escalation };
            self.page(slot, person, ch, cause, Some(round), t);
        }
        if let Some(inc) = self.incidents[slot as usize].as_mut() {
            inc.tier_people = people;
        }
        // §3.6: while entry + k·D is before the timeout; never at it
        if let Some(d) = tier.renotify {
            let next = t + d;
            if timeout.is_none_or(|to| next < to) {
                self.q.push(next, PHASE_RENOTIFY, Some(seq), slot, gen, TimerKind::Renotify { epoch });
            }
        }
    }

    fn unresolved_jump(&mut self, slot: u32, t: Instant) {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        let Some(p) = inc.policy else { return };
        let Some((_, ti)) = c.policies.get(p as usize).and_then(|x| x.unresolved) else { return };
        let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(ti as usize)) else { return };
        let r = self.buf.push_for(t, inc, Step::UnresolvedJump);
        r.policy = Some(p);
        r.tier = Some(ti);
        self.side_effects(slot, p, ti, t);
        if tier.handoff.is_some() {
            return;
        }
        let mut people = std::mem::take(&mut self.people);
        people.clear();
        self.resolve(&tier.notify, t, &mut people);
        for &(person, ch, target) in &people {
            let cause = PageCause { kind: CauseKind::Unresolved, policy: Some(p), tier: Some(ti), route: None, target, escalation: true };
            self.page(slot, person, ch, cause, None, t);
        }
        self.people = people;
    }

    // -- policies and tiers -------------------------------------------------

    /// Enter policy `p` at its first tier (at open or by handoff). False
    /// when the incident is exhausted at once (a policy without tiers).
    fn enter_policy(&mut self, slot: u32, p: u32, t: Instant) -> bool {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return false };
        let Some(pol) = c.policies.get(p as usize) else { return false };
        inc.policy = Some(p);
        inc.entered.push(p);
        inc.tier = 0;
        inc.round = 1;
        inc.round_paged = false;
        inc.epoch = inc.epoch.wrapping_add(1);
        inc.tier_people.clear();
        inc.tier_timeout = None;
        if pol.repeat != pol.repeat_written {
            let r = self.buf.push_for(t, inc, Step::EngineAdjusted);
            r.policy = Some(p);
            r.reason = Some(c.repeat_reason(pol).into());
        }
        if pol.tiers.is_empty() {
            self.exhaust(slot, t, "the policy has no tiers");
            return false;
        }
        true
    }

    /// After a timeout (or a skip, which counts as one): the next tier, a
    /// new round, or exhaustion. True when a tier is to be entered.
    fn next_tier(&mut self, slot: u32, t: Instant) -> bool {
        let c = self.c;
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return false };
        let Some(p) = inc.policy else { return false };
        let Some(pol) = c.policies.get(p as usize) else { return false };
        inc.epoch = inc.epoch.wrapping_add(1);
        inc.tier_people.clear();
        inc.tier_timeout = None;
        if (inc.tier as usize + 1) < pol.tiers.len() {
            inc.tier += 1;
            return true;
        }
        // §3.6: if every tier of a round was skipped, exhausted at once
        if !inc.round_paged {
            self.exhaust(slot, t, "every tier of the round reached nobody");
            return false;
        }
        if inc.round <= pol.repeat {
            inc.round += 1;
            inc.tier = 0;
            inc.round_paged = false;
            let r = self.buf.push_for(t, inc, Step::Repeat);
            r.policy = Some(p);
            r.round = Some(inc.round);
            return true;
        }
        self.exhaust(slot, t, if pol.repeat > 0 { "the last round timed out" } else { "the last tier timed out" });
        false
    }

    fn exhaust(&mut self, slot: u32, t: Instant, reason: &'static str) {
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return };
        if inc.exhausted {
            return;
        }
        inc.exhausted = true;
        inc.epoch = inc.epoch.wrapping_add(1);
        let r = self.buf.push_for(t, inc, Step::Exhausted);
        r.policy = inc.policy;
        r.reason = Some(reason.into());
    }

    /// Enter the incident's current tier at `t`, following skips and
    /// handoffs at the same instant (§3.6).
    fn enter_tier(&mut self, slot: u32, t: Instant) {
        let c = self.c;
        // every iteration enters a tier; skips exhaust after a round without
        // pages and handoffs stop at the first cycle, so this terminates;
        // the bound is a guard only
        let bound = c.entry_bound;
        for _ in 0..bound {
            let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
            let Some(p) = inc.policy else { return };
            let (ti, round) = (inc.tier, inc.round);
            let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(ti as usize)) else { return };
            let (id, seq) = (inc.id.clone(), inc.seq);
            let escalation = inc.routed != Some(p) || ti != 0;
            fn rec<'b>(buf: &'b mut Records, (t, id, seq, slot): (Instant, &Name, u64, u32), step: Step, p: u32, ti: u32, round: u32) -> &'b mut TraceRecord {
                let r = buf.push(t, id, seq, slot, step);
                r.policy = Some(p);
                r.tier = Some(ti);
                r.round = Some(round);
                r
            }
            let at = (t, &id, seq, slot);

            // handoff tier: entered, side effects, then P's first tier
            if let Some(h) = tier.handoff {
                rec(&mut self.buf, at, Step::TierEntered, p, ti, round);
                self.side_effects(slot, p, ti, t);
                let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
                if inc.entered.contains(&h) {
                    let r = rec(&mut self.buf, at, Step::HandoffCycle, p, ti, round);
                    r.policy = Some(h);
                    r.tier = None;
                    r.round = None;
                    r.reason = Some(format!("from `{}`.`{}` into a policy already entered", policy_name(c.m, p), tier_name(c.m, p, ti)).into());
                    self.exhaust(slot, t, "handoff cycle");
                    return;
                }
                // the record names the policy entered; the handoff tier is
                // in the reason
                let r = rec(&mut self.buf, at, Step::Handoff, p, ti, round);
                r.policy = Some(h);
                r.tier = None;
                r.round = None;
                r.reason = Some(format!("from `{}`.`{}`", policy_name(c.m, p), tier_name(c.m, p, ti)).into());
                if !self.enter_policy(slot, h, t) {
                    return;
                }
                continue;
            }

            let mut people = std::mem::take(&mut self.people);
            people.clear();
            self.resolve(&tier.notify, t, &mut people);
            if people.is_empty() {
                self.people = people;
                if c.engine.waits_out_empty_tiers() && tier.escalate.is_some() {
                    // goalert: the empty step waits out its delay
                    let r = rec(&mut self.buf, at, Step::TierEntered, p, ti, round);
                    r.reason = Some("reaches nobody; goalert waits out its delay".into());
                    self.adjusted_delay_record(slot, p, ti, t);
                    self.side_effects(slot, p, ti, t);
                    let people = std::mem::take(&mut self.people);
                    self.people = self.start_tier(slot, p, ti, t, people);
                    return;
                }
                // §3.6 empty tiers: skipped, side effects recorded, the next
                // tier entered at the same instant
                let r = rec(&mut self.buf, at, Step::TierSkipped, p, ti, round);
                r.reason = Some("reaches nobody".into());
                self.side_effects(slot, p, ti, t);
                if tier.terminal {
                    self.exhaust(slot, t, "the terminal tier reaches nobody");
                    return;
                }
                if !self.next_tier(slot, t) {
                    return;
                }
                continue;
            }

            rec(&mut self.buf, at, Step::TierEntered, p, ti, round);
            self.adjusted_delay_record(slot, p, ti, t);
            self.side_effects(slot, p, ti, t);
            for &(person, ch, target) in &people {
                let cause = PageCause { kind: CauseKind::Tier, policy: Some(p), tier: Some(ti), route: None, target, escalation };
                self.page(slot, person, ch, cause, Some(round), t);
            }
            self.people = self.start_tier(slot, p, ti, t, people);
            return;
        }
    }

    /// Timers of a tier just entered: its timeout and first renotification.
    /// `people` (whom it paged) becomes the tier's; the tier's previous
    /// list comes back, emptied, for reuse as scratch.
    fn start_tier(&mut self, slot: u32, p: u32, ti: u32, t: Instant, people: Vec<(u32, ChannelMask, TargetRef)>) -> Vec<(u32, ChannelMask, TargetRef)> {
        let c = self.c;
        let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(ti as usize)) else { return people };
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return people };
        inc.round_paged = true;
        let timeout = tier.escalate.map(|d| t + d);
        inc.tier_timeout = timeout;
        let (seq, gen, epoch) = (inc.seq, inc.gen, inc.epoch);
        let has_people = !people.is_empty();
        let mut old = std::mem::replace(&mut inc.tier_people, people);
        old.clear();
        if let Some(at) = timeout {
            self.q.push(at, PHASE_TIMEOUT, Some(seq), slot, gen, TimerKind::Timeout { epoch });
        }
        if let (Some(d), true) = (tier.renotify, has_people) {
            let next = t + d;
            if timeout.is_none_or(|to| next < to) {
                self.q.push(next, PHASE_RENOTIFY, Some(seq), slot, gen, TimerKind::Renotify { epoch });
            }
        }
        old
    }

    fn adjusted_delay_record(&mut self, slot: u32, p: u32, ti: u32, t: Instant) {
        let c = self.c;
        let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(ti as usize)) else { return };
        let (Some(w), Some(e)) = (tier.escalate_written, tier.escalate) else { return };
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        let r = self.buf.push_for(t, inc, Step::EngineAdjusted);
        r.policy = Some(p);
        r.tier = Some(ti);
        r.reason = Some(c.delay_reason(w, e).into());
    }

    /// `open channel` and `checkpoint` of a tier (§3.6 "Side effects").
    fn side_effects(&mut self, slot: u32, p: u32, ti: u32, t: Instant) {
        let c = self.c;
        let Some(tier) = c.policies.get(p as usize).and_then(|x| x.tiers.get(ti as usize)) else { return };
        let Some(inc) = self.incidents[slot as usize].as_ref() else { return };
        for (step, n) in [(Step::ChannelOpened, tier.n_channels), (Step::Checkpoint, tier.n_checkpoints)] {
            for i in 0..n {
                let r = self.buf.push_for(t, inc, step);
                r.policy = Some(p);
                r.tier = Some(ti);
                r.item = Some(i);
            }
        }
    }

    // -- people -------------------------------------------------------------

    /// Who `notifies` reach at `t`: reachable people in target order, each
    /// once, with the union of their channels and the first target.
    fn resolve(&mut self, notifies: &[CNotify], t: Instant, out: &mut Vec<(u32, ChannelMask, TargetRef)>) {
        let c = self.c;
        for n in notifies {
            for tg in n.targets.iter() {
                match tg {
                    CTarget::Static { target, people } => {
                        for &p in people.iter() {
                            add_person(c, out, p, n.via, *target);
                        }
                    }
                    CTarget::Schedule { target, schedule } => {
                        if let Some(p) = self.on_call(*schedule, t) {
                            add_person(c, out, p, n.via, *target);
                        }
                    }
                }
            }
        }
    }

    /// Who holds schedule `s` at `t`, from segments computed a week at a
    /// time (the engine's clock only moves forward).
    fn on_call(&mut self, s: u32, t: Instant) -> Option<u32> {
        let m = self.c.m;
        let slot = self.oncall.get_mut(s as usize)?;
        let start = t.div_euclid(ONCALL_CHUNK) * ONCALL_CHUNK;
        if !matches!(slot, Some((x, _)) if *x == start) {
            let sched = m.schedules.get(s as usize)?;
            *slot = Some((start, schedule_segments(m, sched, start, start + ONCALL_CHUNK)));
        }
        let segs = &slot.as_ref()?.1;
        let i = segs.partition_point(|x| x.start <= t);
        let seg = segs.get(i.checked_sub(1)?)?;
        match seg.who {
            Who::Person(p) if t < seg.end => Some(p as u32),
            _ => None,
        }
    }

    /// Page a person (§3.6 "Pages"): merged into this instant's page of the
    /// same person for the same incident when there is one. The first page
    /// of a person in an incident makes their responder draw (§5), unless
    /// their recorded ack was already processed.
    fn page(&mut self, slot: u32, person: u32, channels: ChannelMask, cause: PageCause, round: Option<u32>, t: Instant) {
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return };
        if inc.pages_flush != self.buf.flushes {
            inc.pages_flush = self.buf.flushes;
            inc.pages_now.clear();
        }
        if let Some(&(_, i)) = inc.pages_now.iter().find(|(p, _)| *p == person) {
            if let Some(r) = self.buf.get_mut(i as usize) {
                r.channels |= channels;
                r.escalation |= cause.escalation;
                if r.tier.is_none() && cause.tier.is_some() {
                    r.policy = cause.policy;
                    r.tier = cause.tier;
                    r.round = round;
                }
                r.causes.push(cause);
                return;
            }
        }
        inc.pages_now.push((person, self.buf.len() as u32));
        let r = self.buf.push_for(t, inc, Step::Paged);
        r.person = Some(person);
        r.channels = channels;
        r.policy = cause.policy;
        r.tier = cause.tier;
        r.round = round.filter(|_| cause.tier.is_some());
        r.route = cause.route;
        r.escalation = cause.escalation;
        r.causes.push(cause);

        if inc.paged.contains(&person) {
            return;
        }
        let first_in_incident = inc.paged.is_empty();
        inc.paged.push(person);
        let gen = inc.gen;
        // §5 recorded acks processed before anyone / this person was paged
        let mut recorded: Option<i64> = None;
        let mut anonymous: Vec<i64> = Vec::new();
        inc.pending.retain(|&(who, off)| match who {
            Some(p) if p == person => {
                recorded = Some(recorded.map_or(off, |x: i64| x.min(off)));
                false
            }
            None if first_in_incident => {
                anonymous.push(off);
                false
            }
            _ => true,
        });
        for off in anonymous {
            self.q.push(t + off, PHASE_ACK, None, slot, gen, TimerKind::Ack { person: None });
        }
        let delay = match recorded {
            Some(off) => Some(off),
            None => self.responders.draw(self.c.m, &inc.id, person as usize),
        };
        if let Some(d) = delay {
            self.q.push(t + d.max(0), PHASE_ACK, None, slot, gen, TimerKind::Ack { person: Some(person) });
        }
    }

    // -- ending -------------------------------------------------------------

    fn end_incident(&mut self, slot: u32, t: Instant) {
        self.settle_lost(slot, t);
        let Some(mut inc) = self.incidents.get_mut(slot as usize).and_then(Option::take) else { return };
        for a in &inc.alerts {
            // an id maps to one open incident (a repeated id is rejected)
            if let Some(other) = self.by_alert.remove(a) {
                if other != slot {
                    self.by_alert.insert(a.clone(), other);
                }
            }
        }
        if let Some(h) = inc.dedup {
            self.by_key.remove(h, slot);
        }
        self.free.push(slot);
        inc.reset();
        self.spare.push(inc);
    }

    /// §5: recorded acks whose person was never paged are lost when the
    /// incident ends, even when it was acknowledged by someone else.
    fn settle_lost(&mut self, slot: u32, t: Instant) {
        let Some(inc) = self.incidents[slot as usize].as_mut() else { return };
        // recorded acks of this instant not yet processed when a `resolve`
        // ended the incident: the resolve wins (§5 fine points); an ack by
        // someone never paged (or, without `by`, when nobody was) is lost.
        // The lists are emptied in place: they keep their capacity for the
        // incident's reuse.
        for i in 0..inc.queued.len() {
            let who = inc.queued[i];
            let never_paged = match who {
                Some(p) => !inc.paged.contains(&p),
                None => inc.paged.is_empty(),
            };
            if never_paged {
                inc.pending.push((who, 0));
            }
        }
        inc.queued.clear();
        for i in 0..inc.pending.len() {
            let who = inc.pending[i].0;
            self.counters.lost_responders += 1;
            let r = self.buf.push_for(t, inc, Step::LostResponder);
            r.person = who;
            r.reason = Some(if who.is_some() { "never-paged".into() } else { "nobody-paged".into() });
        }
        inc.pending.clear();
    }
}

/// Open incidents by the hash of their dedup key: for each key, the
/// latest incident opened with it. Keys are compared by the caller (`same`
/// tells whether a listed slot has the key looked for), so the index holds
/// no strings; distinct keys with one hash share a list.
#[derive(Debug, Default)]
struct DedupIndex(FxMap<u64, SmallVec<[u32; 1]>>);

impl DedupIndex {
    fn find(&self, hash: u64, same: impl Fn(&u32) -> bool) -> Option<u32> {
        self.0.get(&hash).and_then(|slots| slots.iter().find(|s| same(s)).copied())
    }

    /// `slot` becomes the incident of its key, replacing an older one.
    fn insert(&mut self, hash: u64, slot: u32, same: impl Fn(&u32) -> bool) {
        let slots = self.0.entry(hash).or_default();
        slots.retain(|s| !same(s));
        slots.push(slot);
    }

    /// Forget `slot` (nothing when a newer incident replaced it).
    fn remove(&mut self, hash: u64, slot: u32) {
        if let std::collections::hash_map::Entry::Occupied(mut e) = self.0.entry(hash) {
            e.get_mut().retain(|s| *s != slot);
            if e.get().is_empty() {
                e.remove();
            }
        }
    }
}

/// Does the incident in `slot` have the dedup key (service, fingerprint)?
fn has_key(incidents: &[Option<Box<Incident>>], slot: u32, service: &str, fingerprint: &str) -> bool {
    incidents.get(slot as usize).and_then(Option::as_ref).is_some_and(|i| *i.service == *service && i.fingerprint == fingerprint)
}

/// The hash of a dedup key (service, fingerprint).
fn dedup_hash(service: &str, fingerprint: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fxhash::Fx::default();
    (service, fingerprint).hash(&mut h);
    h.finish()
}

/// This instant's trace records, kept until the clock moves (a page can
/// still merge into them). Records are large: an emptied buffer keeps its
/// records and overwrites them field by field, so a record is neither
/// moved nor dropped per use.
#[derive(Debug, Default)]
struct Records {
    v: Vec<TraceRecord>,
    /// records in use: `v[..n]`
    n: usize,
    /// times the buffer was emptied: record indices are valid while this
    /// does not change
    flushes: u64,
}

/// Records an emptied buffer keeps for reuse (after a burst, the rest are
/// dropped so their names are freed).
const KEEP_RECORDS: usize = 1024;

impl Records {
    /// Append a record and hand it back for its fields to be filled in.
    #[inline]
    fn push(&mut self, t: Instant, incident: &Name, seq: u64, slot: u32, step: Step) -> &mut TraceRecord {
        let i = self.n;
        self.n += 1;
        if i < self.v.len() {
            self.v[i].reset(t, incident, seq, step);
        } else {
            self.v.push(TraceRecord::new(t, incident.clone(), seq, step));
        }
        let r = &mut self.v[i];
        r.slot = slot;
        r
    }

    /// [`Records::push`] for an open incident.
    #[inline]
    fn push_for(&mut self, t: Instant, inc: &Incident, step: Step) -> &mut TraceRecord {
        self.push(t, &inc.id, inc.seq, inc.slot, step)
    }

    fn records(&self) -> &[TraceRecord] {
        &self.v[..self.n]
    }

    fn len(&self) -> usize {
        self.n
    }

    fn get_mut(&mut self, i: usize) -> Option<&mut TraceRecord> {
        self.v[..self.n].get_mut(i)
    }

    fn clear(&mut self) {
        self.n = 0;
        self.flushes += 1;
        self.v.truncate(KEEP_RECORDS);
    }
}

fn add_person(c: &Compiled<'_>, out: &mut Vec<(u32, ChannelMask, TargetRef)>, p: u32, via: ChannelMask, target: TargetRef) {
    let ch = c.person_channels.get(p as usize).copied().unwrap_or(0) & via;
    if ch == 0 {
        return;
    }
    match out.iter_mut().find(|e| e.0 == p) {
        Some(e) => e.1 |= ch,
        None => out.push((p, ch, target)),
    }
}

fn policy_name(m: &Model, p: u32) -> &str {
    m.policies.get(p as usize).map(|x| x.name.name.as_str()).unwrap_or("?")
}

fn tier_name(m: &Model, p: u32, t: u32) -> &str {
    m.policies.get(p as usize).and_then(|x| x.tiers.get(t as usize)).map(|x| x.name.name.as_str()).unwrap_or("?")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::event::AlertEvent;
    use crate::workspace::load_texts;
    use std::path::PathBuf;

    /// Monday 2026-07-06 00:00 UTC
    const T0: Instant = 1_783_296_000;

    fn model(src: &str) -> Model {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "model errors: {:#?}", ws.findings);
        ws.model
    }

    fn alert(id: &str, service: &str) -> EventKind {
        EventKind::Alert(Box::new(AlertEvent { id: id.into(), service: service.into(), severity: Some("sev1".into()), ..Default::default() }))
    }

    fn alert_fp(id: &str, service: &str, fp: &str) -> EventKind {
        EventKind::Alert(Box::new(AlertEvent { id: id.into(), service: service.into(), fingerprint: Some(fp.into()), ..Default::default() }))
    }

    fn ack(id: &str, by: Option<&str>) -> EventKind {
        EventKind::Ack { id: id.into(), by: by.map(String::from) }
    }

    fn resolve(id: &str) -> EventKind {
        EventKind::Resolve { id: id.into() }
    }

    struct Run {
        lines: Vec<String>,
        counters: Counters,
        fed: Vec<Fed>,
        open_after: usize,
    }

    fn run_with(src: &str, engine: EngineKind, responders: &[(&str, i64)], events: Vec<(i64, EventKind)>, end: i64) -> Run {
        let m = model(src);
        let c = Compiled::new(&m, engine);
        let mut r = FixedResponders::default();
        for (name, d) in responders {
            r.by_person.insert(m.ns_person.get(name).expect("person"), Some(*d));
        }
        let mut e = Engine::new(&c, Options { until: Some(T0 + end) }, r, Vec::<TraceRecord>::new());
        let mut fed = Vec::new();
        let origin = T0 + events.iter().map(|e| e.0).min().unwrap_or(0).min(0);
        for (i, (at, kind)) in events.into_iter().enumerate() {
            fed.push(e.feed(&Event { at: T0 + at, kind, line: i + 1, seq: i as u64 }));
        }
        e.finish(T0 + end);
        let open_after = e.open_incidents();
        let (_, recs, counters) = e.into_parts();
        Run { lines: recs.iter().map(|x| x.describe(&m, origin)).collect(), counters, fed, open_after }
    }

    fn run(src: &str, responders: &[(&str, i64)], events: Vec<(i64, EventKind)>, end: i64) -> Vec<String> {
        run_with(src, EngineKind::Default, responders, events, end).lines
    }

    fn show(lines: &[String]) -> String {
        lines.join("\n")
    }

    /// Lines containing every one of `needles`.
    fn grep<'a>(lines: &'a [String], needles: &[&str]) -> Vec<&'a str> {
        lines.iter().filter(|l| needles.iter().all(|n| l.contains(n))).map(String::as_str).collect()
    }

    const PEOPLE: &str = r#"
person ann { email "ann@x" sms "+1" }
person bob { phone "+2" }
person cat { chat "@cat" }
person dan { email "dan@x" }
person nobody-reachable { }
team ops { members ann, bob }
team leads { members cat lead dan }
team ghosts { members nobody-reachable }
"#;

    #[test]
    fn exact_severity_lookup_agrees_with_the_model() {
        // `SEV2` is an alias of sev1 spelled like the name sev2: the name wins
        let m = model(
            "org o { tz \"UTC\" severities sev1 \"P1\" \"SEV2\", sev2 \"P2\" \"crit\", sev3 \"crit\" }\nperson a { email \"a@x\" }\n",
        );
        let c = Compiled::new(&m, EngineKind::Default);
        for text in ["sev1", "SEV1", "P1", "p1", "SEV2", "sev2", "P2", "crit", "CRIT", "sev3", "sev4", "", "P3"] {
            assert_eq!(c.read_severity(text), m.read_severity(text), "{text}");
        }
        assert_eq!(c.read_severity("SEV2"), Some(1));
        assert_eq!(c.read_severity("crit"), Some(1));
    }

    #[test]
    fn spec_narrative() {
        let src = std::fs::read_to_string("/work/shared/examples/spec-example/org.esc");
        let Ok(org) = src else { return };
        let mut all = org;
        for f in ["policies.esc", "routes.esc", "schedules.esc", "services.esc"] {
            all.push_str(&std::fs::read_to_string(format!("/work/shared/examples/spec-example/{f}")).unwrap_or_default());
        }
        // 2026-07-04 03:00 UTC
        let at = 1_783_134_000 - T0;
        let lines = run(&all, &[("frank", 4 * 60)], vec![(at, EventKind::Alert(Box::new(AlertEvent {
            id: "A1".into(),
            service: "payments-api".into(),
            severity: Some("sev1".into()),
            summary: Some("checkout 500s".into()),
            labels: [("region".to_string(), "us-east".to_string())].into_iter().collect(),
            ..Default::default()
        })))], at + 86_400);
        let text = show(&lines);
        if std::env::var_os("SHOW_TRACE").is_some() {
            eprintln!("{text}");
        }
        let pages: Vec<&str> = grep(&lines, &[" paged "]);
        assert_eq!(pages.len(), 8, "{text}");
        assert_eq!(grep(&lines, &["paged person=erin"]).len(), 2, "{text}");
        assert!(grep(&lines, &["renotified"]).len() == 1, "{text}");
        assert_eq!(grep(&lines, &["acknowledged person=frank"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["unresolved-jump", "tier=leadership"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["paged person=henry", "cause=unresolved", "escalation"]).len(), 1, "{text}");
    }

    fn with(policies: &str) -> String {
        format!("{PEOPLE}\n{policies}\n")
    }

    const M: i64 = 60;

    #[test]
    fn ack_at_the_timeout_instant_wins() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } tier two { notify person bob } }
service s { owner ops policy p }"#);
        let lines = run(&src, &[("ann", 5 * M)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+5m A1 acknowledged person=ann"]).len(), 1, "{text}");
        assert!(grep(&lines, &["escalated"]).is_empty(), "{text}");
        assert!(grep(&lines, &["person=bob"]).is_empty(), "{text}");
    }

    #[test]
    fn renotify_is_not_sent_at_the_timeout_instant_and_is_unbounded_on_a_terminal_tier() {
        let src = with(r#"
policy p {
  tier one { notify person ann renotify every 5m escalate after 10m }
  tier two { notify person bob renotify every 1h }
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 10 * M + 3 * 3600);
        let text = show(&lines);
        let ann: Vec<&str> = grep(&lines, &["paged person=ann"]);
        assert_eq!(ann.len(), 2, "{text}");
        assert!(ann[1].starts_with("+5m "), "{text}");
        // terminal: +10m, then every hour until the end, which is inclusive
        let bob: Vec<String> = grep(&lines, &["paged person=bob"]).iter().map(|l| l.split(' ').next().unwrap_or("").to_string()).collect();
        assert_eq!(bob, ["+10m", "+1h10m", "+2h10m", "+3h10m"], "{text}");
        assert!(grep(&lines, &["exhausted"]).is_empty(), "{text}");
        assert_eq!(grep(&lines, &["open-at-end"]).len(), 1, "{text}");
    }

    #[test]
    fn empty_tier_is_skipped_at_the_same_instant_with_its_side_effects() {
        let src = with(r#"
policy p {
  tier one { notify team ghosts checkpoint "c1" open channel "x-room" escalate after 5m }
  tier two { notify person bob escalate after 5m }
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        let at0: Vec<&str> = lines.iter().filter(|l| l.starts_with("+0s ")).map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
        assert_eq!(at0, ["opened", "routed", "tier-skipped", "channel-opened", "checkpoint", "tier-entered", "paged"], "{text}");
        // a skipped tier 1 followed by a page from tier 2: escalation at 0 s
        assert_eq!(grep(&lines, &["+0s A1 paged person=bob", "escalation"]).len(), 1, "{text}");
        // the last tier times out at +5m: no rounds left
        assert_eq!(grep(&lines, &["+5m A1 exhausted"]).len(), 1, "{text}");
    }

    #[test]
    fn every_tier_skipped_exhausts_at_once_without_further_rounds() {
        let src = with(r#"
policy p {
  tier one { notify team ghosts escalate after 5m }
  tier two { notify person nobody-reachable escalate after 5m }
  repeat 3
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["tier-skipped"]).len(), 2, "{text}");
        assert!(grep(&lines, &["repeat"]).is_empty(), "{text}");
        assert_eq!(grep(&lines, &["+0s A1 exhausted", "every tier of the round"]).len(), 1, "{text}");
    }

    #[test]
    fn skipping_a_terminal_tier_exhausts() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } tier two { notify team ghosts } }
service s { owner ops policy p }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+5m A1 tier-skipped", "tier=two"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+5m A1 exhausted", "terminal"]).len(), 1, "{text}");
    }

    #[test]
    fn repeat_rounds_then_exhausted_and_a_late_ack_still_counts() {
        let src = with(r#"
policy p {
  tier one { notify person ann escalate after 5m }
  tier two { notify person bob escalate after 5m }
  repeat 1
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[("bob", 16 * M)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        let pages: Vec<&str> = grep(&lines, &[" paged "]);
        assert_eq!(pages.len(), 4, "{text}");
        assert_eq!(grep(&lines, &["+10m A1 repeat", "round=2"]).len(), 1, "{text}");
        // round 2, tier 1 of the routed policy: not an escalation page
        assert_eq!(grep(&lines, &["+10m A1 paged person=ann"]).len(), 1, "{text}");
        assert!(grep(&lines, &["+10m A1 paged person=ann", "escalation"]).is_empty(), "{text}");
        assert_eq!(grep(&lines, &["+20m A1 exhausted"]).len(), 1, "{text}");
        // bob was first paged at +5m: acks at +21m, after exhaustion
        assert_eq!(grep(&lines, &["+21m A1 acknowledged person=bob"]).len(), 1, "{text}");

        // an ack due at the last timeout instant (phase 2) comes first
        let lines = run(&src, &[("bob", 15 * M)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+20m A1 acknowledged person=bob"]).len(), 1, "{text}");
        assert!(grep(&lines, &["exhausted"]).is_empty(), "{text}");
    }

    #[test]
    fn ack_of_an_exhausted_incident() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } }
service s { owner ops policy p }"#);
        let lines = run(&src, &[("ann", 7 * M)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+5m A1 exhausted"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+7m A1 acknowledged person=ann"]).len(), 1, "{text}");
    }

    #[test]
    fn handoff_and_handoff_cycle() {
        let src = with(r#"
policy a { tier first { notify person ann escalate after 5m } tier away { handoff policy b checkpoint "handing off" } }
policy b { tier x { notify person cat escalate after 5m } tier back { handoff policy a } }
service s { owner ops policy a }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        let at5: Vec<&str> = lines.iter().filter(|l| l.starts_with("+5m ")).map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
        assert_eq!(at5, ["escalated", "tier-entered", "checkpoint", "handoff", "tier-entered", "paged"], "{text}");
        assert_eq!(grep(&lines, &["+5m A1 paged person=cat", "policy=b tier=x", "escalation"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+10m A1 handoff-cycle", "policy=a"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+10m A1 exhausted"]).len(), 1, "{text}");
    }

    #[test]
    fn handoff_at_the_alert_instant() {
        let src = with(r#"
policy a { tier away { handoff policy b } }
policy b { tier x { notify person cat } }
service s { owner ops policy a }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+0s A1 handoff", "policy=b"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+0s A1 paged person=cat", "escalation"]).len(), 1, "{text}");
    }

    #[test]
    fn unresolved_jump_at_open_plus_d_or_at_a_later_ack_once() {
        let src = with(r#"
policy p {
  tier one { notify person ann escalate after 1h }
  tier boss { notify lead leads open channel "major-room" }
  unresolved after 30m escalate to boss
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[("ann", 10 * M)], vec![(0, alert("A1", "s"))], 3 * 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+30m A1 unresolved-jump", "tier=boss"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+30m A1 channel-opened"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+30m A1 paged person=dan", "cause=unresolved", "escalation"]).len(), 1, "{text}");
        assert!(grep(&lines, &["tier-entered", "tier=boss"]).is_empty(), "{text}");

        // a late acknowledgement: the jump happens at the ack
        let lines = run(&src, &[("ann", 45 * M)], vec![(0, alert("A1", "s"))], 3 * 3600);
        let text = show(&lines);
        let at45: Vec<&str> = lines.iter().filter(|l| l.starts_with("+45m ")).map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
        assert_eq!(at45, ["acknowledged", "unresolved-jump", "channel-opened", "paged"], "{text}");

        // never acknowledged: no jump
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3 * 3600);
        assert!(grep(&lines, &["unresolved-jump"]).is_empty(), "{}", show(&lines));

        // resolved before the jump: none
        let lines = run(&src, &[("ann", 10 * M)], vec![(0, alert("A1", "s")), (20 * M, resolve("A1"))], 3 * 3600);
        assert!(grep(&lines, &["unresolved-jump"]).is_empty(), "{}", show(&lines));
    }

    #[test]
    fn unresolved_jump_to_an_empty_tier_records_side_effects_only() {
        let src = with(r#"
policy p {
  tier one { notify person ann }
  tier boss { notify team ghosts checkpoint "tell the ceo" }
  unresolved after 30m escalate to boss
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[("ann", 0)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+0s A1 acknowledged person=ann"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+30m A1 checkpoint"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &[" paged "]).len(), 1, "{text}");
    }

    #[test]
    fn zero_delay_ack_after_a_timeout_stops_the_renotification_at_that_instant() {
        let src = with(r#"
policy p {
  tier one { notify person ann renotify every 5m escalate after 15m }
  tier two { notify person bob renotify every 5m escalate after 15m }
}
service s { owner ops policy p }"#);
        let lines = run(&src, &[("bob", 0)], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+15m A1 acknowledged person=bob"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["renotified"]).len(), 2, "{text}");
        assert!(grep(&lines, &["+15m A1 renotified"]).is_empty(), "{text}");
    }

    #[test]
    fn a_reset_record_is_a_new_record() {
        let (a, b): (Name, Name) = (Name::new("A1"), Name::new("B2"));
        let mut r = TraceRecord::new(5, a.clone(), 1, Step::Paged);
        r.slot = 11;
        r.alert = Some(a.clone());
        r.service = Some(b.clone());
        r.service_index = Some(3);
        r.severity = Some(1);
        r.route = Some(2);
        r.matched.push(3);
        r.policy = Some(4);
        r.tier = Some(5);
        r.round = Some(6);
        r.person = Some(7);
        r.person_name = Some(b.clone());
        r.channels = 3;
        r.causes.push(PageCause { kind: CauseKind::Tier, policy: None, tier: None, route: None, target: TargetRef { kind: TargetKind::Person, index: 0 }, escalation: true });
        r.escalation = true;
        r.item = Some(8);
        r.no_severity = true;
        r.reason = Some("x".into());
        r.reset(9, &b, 2, Step::Opened);
        assert_eq!(r, TraceRecord::new(9, b.clone(), 2, Step::Opened));
        r.reset(10, &b, 3, Step::Resolved);
        assert_eq!(r, TraceRecord::new(10, b, 3, Step::Resolved));
    }

    /// Names past the inline size are shared: a record reset for another
    /// incident takes the other's name whichever way each is held.
    #[test]
    fn a_reset_record_takes_long_and_short_names() {
        let long = |s: &str| Name::new(format!("{s}-0123456789abcdef0123456789"));
        let (a, b, c) = (long("a"), long("b"), Name::new("C3"));
        assert!(a.is_heap_allocated() && b.is_heap_allocated() && !c.is_heap_allocated());
        let mut r = TraceRecord::new(1, a.clone(), 1, Step::Paged);
        for (i, n) in [&b, &b, &c, &a, &c, &c, &b].into_iter().enumerate() {
            r.reset(i as i64, n, 1, Step::Paged);
            assert_eq!(&*r.incident, &**n, "step {i}");
        }
    }

    #[test]
    fn dedup_index_keeps_distinct_keys_apart_when_their_hashes_collide() {
        // slots 1, 2 have key "a"; slot 3 has key "b"; all share hash 7
        let key = |s: &u32| if *s == 3 { "b" } else { "a" };
        let mut ix = DedupIndex::default();
        ix.insert(7, 1, |s| key(s) == "a");
        ix.insert(7, 3, |s| key(s) == "b");
        assert_eq!(ix.find(7, |s| key(s) == "a"), Some(1));
        assert_eq!(ix.find(7, |s| key(s) == "b"), Some(3));
        assert_eq!(ix.find(8, |s| key(s) == "a"), None);
        // a newer incident of key "a" replaces slot 1, not slot 3
        ix.insert(7, 2, |s| key(s) == "a");
        assert_eq!(ix.find(7, |s| key(s) == "a"), Some(2));
        assert_eq!(ix.find(7, |s| key(s) == "b"), Some(3));
        // the replaced incident ending changes nothing
        ix.remove(7, 1);
        assert_eq!(ix.find(7, |s| key(s) == "a"), Some(2));
        ix.remove(7, 2);
        assert_eq!(ix.find(7, |s| key(s) == "a"), None);
        assert_eq!(ix.find(7, |s| key(s) == "b"), Some(3));
        ix.remove(7, 3);
        assert!(ix.0.is_empty());
    }

    #[test]
    fn dedup_folds_extend_the_window_and_stop_at_resolution() {
        let src = with(r#"
org o { dedup within 10m }
policy p { tier one { notify person ann } }
service s { owner ops policy p }"#);
        let events = vec![
            (0, alert_fp("A1", "s", "k")),
            (8 * M, alert_fp("A2", "s", "k")),
            (17 * M, alert_fp("A3", "s", "k")),
            (17 * M, alert_fp("B1", "s", "other")),
            (28 * M, alert_fp("A4", "s", "k")),
            (30 * M, resolve("A2")),
            (31 * M, alert_fp("A5", "s", "k")),
            (32 * M, ack("A3", None)),
        ];
        let r = run_with(&src, EngineKind::Default, &[], events, 3600);
        let text = show(&r.lines);
        assert_eq!(grep(&r.lines, &["folded"]).len(), 3, "{text}");
        assert_eq!(grep(&r.lines, &["+8m A1 folded alert=A2"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+17m A1 folded alert=A3"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+17m B1 opened"]).len(), 1, "{text}");
        // 11m after the latest alert of A1: a new incident
        assert_eq!(grep(&r.lines, &["+28m A4 opened"]).len(), 1, "{text}");
        // resolving A2 resolves A1; A4 is still open and absorbs A5
        assert_eq!(grep(&r.lines, &["+30m A1 resolved alert=A2"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+31m A4 folded alert=A5"]).len(), 1, "{text}");
        // an ack naming an alert of a resolved incident is stale
        assert_eq!(r.counters.stale_events, 1);
        assert_eq!(grep(&r.lines, &[" paged "]).len(), 3, "{text}");
    }

    #[test]
    fn dedup_zero_folds_only_the_same_instant_and_ignores_folded_fields() {
        let src = with(r#"
org o { dedup within 0s }
policy p { tier one { notify person ann } }
service s { owner ops policy p }
routes { route quiet { when labels.env == "staging" suppress } }"#);
        let staging = EventKind::Alert(Box::new(AlertEvent {
            id: "A2".into(),
            service: "s".into(),
            fingerprint: Some("k".into()),
            labels: [("env".to_string(), "staging".to_string())].into_iter().collect(),
            ..Default::default()
        }));
        let events = vec![(0, alert_fp("A1", "s", "k")), (0, staging), (1, alert_fp("A3", "s", "k"))];
        let lines = run(&src, &[], events, 3600);
        let text = show(&lines);
        // dedup runs before routes: the staging duplicate folds
        assert_eq!(grep(&lines, &["+0s A1 folded alert=A2"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+1s A3 opened"]).len(), 1, "{text}");
    }

    #[test]
    fn auto_resolve_comes_before_timeouts_and_frees_the_key() {
        let src = with(r#"
org o { dedup within 2h auto-resolve 1h }
policy p { tier one { notify person ann escalate after 1h } tier two { notify person bob } }
service s { owner ops policy p }"#);
        // a recorded ack at the auto-resolve instant is phase 2: it comes
        // first; one a second later is stale
        let events = vec![(0, alert_fp("A1", "s", "k")), (3601, ack("A1", Some("ann"))), (3601, alert_fp("A2", "s", "k"))];
        let r = run_with(&src, EngineKind::Default, &[], events, 2 * 3600);
        let text = show(&r.lines);
        assert_eq!(grep(&r.lines, &["+1h A1 auto-resolved"]).len(), 1, "{text}");
        assert!(grep(&r.lines, &["person=bob"]).is_empty(), "{text}");
        assert!(grep(&r.lines, &["acknowledged"]).is_empty(), "{text}");
        assert_eq!(r.counters.stale_events, 1);
        let events = vec![(0, alert_fp("A1", "s", "k")), (3600, ack("A1", Some("ann")))];
        let lines = run(&src, &[], events, 2 * 3600);
        let at1h: Vec<&str> = lines.iter().filter(|l| l.starts_with("+1h ")).map(|l| l.split(' ').nth(2).unwrap_or("")).collect();
        assert_eq!(at1h, ["acknowledged", "auto-resolved"], "{}", show(&lines));
        assert_eq!(grep(&r.lines, &["+1h1s A2 opened"]).len(), 1, "{text}");
    }

    #[test]
    fn also_pages_come_first_and_merge_with_tier_pages() {
        let src = with(r#"
policy p { tier one { notify person ann via sms notify team ops via email } }
service s { owner ops policy p }
routes { route r { when service == "s" to policy p also person ann, person cat } }"#);
        let lines = run(&src, &[], vec![(0, alert("A1", "s"))], 3600);
        let text = show(&lines);
        let pages = grep(&lines, &[" paged "]);
        assert_eq!(pages.len(), 2, "{text}");
        // one page, recorded where the first notification (the also) was
        assert!(pages[0].contains("person=ann channels=email,sms cause=also+tier policy=p tier=one"), "{text}");
        let entered = lines.iter().position(|l| l.contains("tier-entered")).unwrap_or(0);
        assert_eq!(lines.iter().filter(|l| l.contains(" paged ")).count(), 2);
        assert!(lines.iter().position(|l| l.contains("person=cat")).unwrap_or(99) < entered, "{text}");
        assert!(pages[1].contains("person=cat channels=chat cause=also"), "{text}");
        // bob has no email: unreachable through `via email`
        assert!(grep(&lines, &["person=bob"]).is_empty(), "{text}");
    }

    #[test]
    fn unrouted_incident_still_gets_its_also_pages() {
        let src = with(r#"
routes { route r { when service == "nope" also person cat continue } }"#);
        let lines = run(&src, &[("cat", 60)], vec![(0, alert("A1", "nope"))], 3600);
        let text = show(&lines);
        assert_eq!(grep(&lines, &["+0s A1 unrouted", "unknown service"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+0s A1 paged route=r person=cat", "cause=also"]).len(), 1, "{text}");
        assert_eq!(grep(&lines, &["+1m A1 acknowledged person=cat"]).len(), 1, "{text}");
    }

    #[test]
    fn recorded_acks() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } tier two { notify person bob } }
service s { owner ops policy p }
routes { route quiet { when labels.env == "staging" suppress } }"#);
        // paged before the ack: acks at t
        let lines = run(&src, &[], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("ann")))], 3600);
        assert_eq!(grep(&lines, &["+3m A1 acknowledged person=ann"]).len(), 1, "{}", show(&lines));
        // first paged after the ack: at first page + (t − open)
        let lines = run(&src, &[], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("bob")))], 3600);
        assert_eq!(grep(&lines, &["+8m A1 acknowledged person=bob"]).len(), 1, "{}", show(&lines));
        // never paged: lost, even though ann acknowledged
        let r = run_with(&src, EngineKind::Default, &[("ann", 60)], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("cat")))], 3600);
        assert_eq!(grep(&r.lines, &["lost-responder", "person=cat", "never-paged"]).len(), 1, "{}", show(&r.lines));
        assert_eq!(r.counters.lost_responders, 1);
        // without `by`
        let lines = run(&src, &[], vec![(0, alert("A1", "s")), (2 * M, ack("A1", None))], 3600);
        assert_eq!(grep(&lines, &["+2m A1 acknowledged policy=p"]).len(), 1, "{}", show(&lines));
        // unknown person
        let r = run_with(&src, EngineKind::Default, &[], vec![(0, alert("A1", "s")), (2 * M, ack("A1", Some("zed")))], 3600);
        assert_eq!(grep(&r.lines, &["+2m A1 lost-responder", "person=zed", "unknown-person"]).len(), 1, "{}", show(&r.lines));
        // a resolve at the same instant wins, whatever the file order
        let lines = run(&src, &[], vec![(0, alert("A1", "s")), (2 * M, ack("A1", Some("ann"))), (2 * M, resolve("A1"))], 3600);
        assert!(grep(&lines, &["acknowledged"]).is_empty(), "{}", show(&lines));
        // … and an ack of that instant by someone never paged is lost, not
        // silently dropped (ann was paged: her ack just has no effect)
        let r = run_with(&src, EngineKind::Default, &[], vec![(0, alert("A1", "s")), (2 * M, ack("A1", Some("bob"))), (2 * M, ack("A1", Some("ann"))), (2 * M, resolve("A1"))], 3600);
        assert!(grep(&r.lines, &["acknowledged"]).is_empty(), "{}", show(&r.lines));
        assert_eq!(grep(&r.lines, &["+2m A1 lost-responder", "person=bob", "never-paged"]).len(), 1, "{}", show(&r.lines));
        assert_eq!(r.counters.lost_responders, 1);
        // suppressed alert: suppressed_but_acked; unknown id: stale
        let quiet = EventKind::Alert(Box::new(AlertEvent {
            id: "Q1".into(),
            service: "s".into(),
            labels: [("env".to_string(), "staging".to_string())].into_iter().collect(),
            ..Default::default()
        }));
        let r = run_with(&src, EngineKind::Default, &[], vec![(0, quiet), (M, ack("Q1", Some("ann"))), (M, ack("X9", None)), (M, resolve("Q1"))], 3600);
        assert_eq!(r.counters.suppressed_but_acked, 1);
        assert_eq!(r.counters.stale_events, 2);
        // the earliest of recorded and modelled wins
        let lines = run(&src, &[("ann", 60)], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("ann")))], 3600);
        assert_eq!(grep(&lines, &["acknowledged"]), vec!["+1m A1 acknowledged person=ann policy=p"], "{}", show(&lines));
    }

    #[test]
    fn acknowledgements_at_one_instant_follow_their_scheduling_order() {
        let src = with(r#"
policy p { tier one { notify person ann, person bob escalate after 10m } }
service s { owner ops policy p }"#);
        // ann's modelled ack was scheduled at her page (0), bob's recorded
        // ack when it was read (3m): both in phase 2 of 3m, ann's first
        let lines = run(&src, &[("ann", 3 * M)], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("bob")))], 3600);
        assert_eq!(grep(&lines, &["acknowledged"]), vec!["+3m A1 acknowledged person=ann policy=p"], "{}", show(&lines));
        // one minute later, the recorded ack is alone at its instant
        let lines = run(&src, &[("ann", 4 * M)], vec![(0, alert("A1", "s")), (3 * M, ack("A1", Some("bob")))], 3600);
        assert_eq!(grep(&lines, &["acknowledged"]), vec!["+3m A1 acknowledged person=bob policy=p"], "{}", show(&lines));
    }

    #[test]
    fn timeouts_at_one_instant_follow_the_opening_order() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } tier two { notify person bob } }
service s { owner ops policy p }
service t { owner ops policy p }"#);
        let lines = run(&src, &[], vec![(0, alert("B", "t")), (0, alert("A", "s"))], 3600);
        let esc: Vec<&str> = grep(&lines, &["escalated"]);
        assert!(esc[0].contains(" B ") && esc[1].contains(" A "), "{}", show(&lines));
    }

    #[test]
    fn rejected_and_skipped_events_and_bounded_memory() {
        let src = with(r#"
policy p { tier one { notify person ann escalate after 5m } }
service s { owner ops policy p }"#);
        let events = vec![(0, alert("A1", "s")), (M, alert("A1", "s")), (2 * M, resolve("A1")), (3 * M, alert("A1", "s")), (4 * M, resolve("A1")), (2 * 3600, alert("Z", "s"))];
        let r = run_with(&src, EngineKind::Default, &[], events, 3600);
        assert!(matches!(r.fed[1], Fed::Rejected(_)), "{:?}", r.fed);
        assert_eq!(r.fed[3], Fed::Processed);
        assert_eq!(r.fed[5], Fed::Skipped);
        assert_eq!(r.counters.rejected_events, 1);
        assert_eq!(r.open_after, 0);
        assert_eq!(grep(&r.lines, &["opened"]).len(), 2, "{}", show(&r.lines));
    }

    #[test]
    fn engine_adjustments() {
        let src = with(r#"
policy p {
  tier one { notify person ann escalate after 90s }
  tier empty { notify team ghosts escalate after 10m }
  tier two { notify person bob escalate after 30s }
  repeat 12
}
service s { owner ops policy p }"#);
        let r = run_with(&src, EngineKind::PagerDuty, &[], vec![(0, alert("A1", "s"))], 20 * M);
        let text = show(&r.lines);
        assert_eq!(grep(&r.lines, &["+0s A1 engine-adjusted", "repeat 12 clamped to 9 (pagerduty)"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+0s A1 engine-adjusted", "escalate after 1m30s rounded up to 2m (pagerduty)"]).len(), 1, "{text}");
        // the empty tier is skipped at +2m, tier two entered then
        assert_eq!(grep(&r.lines, &["+2m A1 tier-skipped"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+2m A1 paged person=bob"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+3m A1 repeat", "round=2"]).len(), 1, "{text}");

        // goalert waits out the empty tier
        let r = run_with(&src, EngineKind::GoAlert, &[], vec![(0, alert("A1", "s"))], 20 * M);
        let text = show(&r.lines);
        assert_eq!(grep(&r.lines, &["+2m A1 tier-entered", "tier=empty", "waits"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+12m A1 paged person=bob"]).len(), 1, "{text}");

        // grafana clamps to at least 60 s
        let r = run_with(&src, EngineKind::GrafanaOnCall, &[], vec![(0, alert("A1", "s"))], 20 * M);
        let text = show(&r.lines);
        assert_eq!(grep(&r.lines, &["+1m30s A1 paged person=bob"]).len(), 1, "{text}");
        assert_eq!(grep(&r.lines, &["+2m30s A1 repeat"]).len(), 1, "{text}");

        // splunk: unchanged
        let r = run_with(&src, EngineKind::SplunkOnCall, &[], vec![(0, alert("A1", "s"))], 20 * M);
        assert!(grep(&r.lines, &["engine-adjusted"]).is_empty());
        assert_eq!(EngineKind::parse("grafana-oncall"), Some(EngineKind::GrafanaOnCall));
        assert_eq!(EngineKind::parse("nope"), None);
        assert_eq!(EngineKind::Opsgenie.adjust_delay(61), 120);
        assert_eq!(EngineKind::Opsgenie.adjust_delay(1), 60);
    }

    #[test]
    fn seeded_responders_are_keyed_draws() {
        let lognormal = ResponderSpec { ack_after: AckAfter::LogNormal { median: 180.0, p90: 600.0 }, miss: 0.0 };
        let mut draws: Vec<i64> = (0..4000).filter_map(|i| draw_spec(&lognormal, key_hash(7, &format!("A{i}"), "ann"))).collect();
        assert_eq!(draws.len(), 4000);
        draws.sort_unstable();
        let median = draws[2000] as f64;
        let p90 = draws[3600] as f64;
        assert!((median - 180.0).abs() < 18.0, "median {median}");
        assert!((p90 - 600.0).abs() < 60.0, "p90 {p90}");
        // same key, same draw; another seed, another stream
        assert_eq!(draw_spec(&lognormal, key_hash(7, "A1", "ann")), draw_spec(&lognormal, key_hash(7, "A1", "ann")));
        let a: Vec<Option<i64>> = (0..50).map(|i| draw_spec(&lognormal, key_hash(7, &format!("A{i}"), "ann"))).collect();
        let b: Vec<Option<i64>> = (0..50).map(|i| draw_spec(&lognormal, key_hash(8, &format!("A{i}"), "ann"))).collect();
        assert_ne!(a, b);
        let miss = ResponderSpec { ack_after: AckAfter::Fixed(60), miss: 0.2 };
        let missed = (0..5000).filter(|i| draw_spec(&miss, key_hash(0, &format!("A{i}"), "bob")).is_none()).count();
        assert!((800..1200).contains(&missed), "{missed}");

        let m = model(PEOPLE);
        let mut responders = Responders::new();
        responders.insert("default".into(), ResponderSpec { ack_after: AckAfter::Fixed(30), miss: 0.0 });
        responders.insert("ann".into(), ResponderSpec { ack_after: AckAfter::Never, miss: 0.0 });
        responders.insert("zed".into(), ResponderSpec::default());
        let (mut s, unknown) = SeededResponders::new(&m, &responders, 0);
        assert_eq!(unknown, ["zed"]);
        assert_eq!(s.draw(&m, "A1", m.ns_person.get("ann").unwrap_or(0)), None);
        assert_eq!(s.draw(&m, "A1", m.ns_person.get("bob").unwrap_or(0)), Some(30));
    }
}

#[cfg(test)]
mod invariants {
    use super::*;
    use crate::sim::event::AlertEvent;
    use proptest::prelude::*;
    use std::collections::HashSet;

    const WORLD: &str = r#"
org o { dedup within 3m auto-resolve 2h severities sev1, sev2, sev3 }
person ann { email "a@x" sms "+1" }
person bob { phone "+2" }
person cat { chat "@c" }
person ida { }
team web { members ann, bob lead cat }
team ghosts { members ida }
schedule sched { layer l { rotation every 7m from 2026-07-06 00:00 members ann, bob only mon-sun 00:00-00:20 } }
policy a {
  tier one { notify schedule sched renotify every 1m escalate after 3m }
  tier two { notify team ghosts checkpoint "c" escalate after 2m }
  tier three { notify lead web via phone, chat open channel "room" escalate after 4m }
  repeat 2
  unresolved after 10m escalate to three
}
policy b { tier x { notify person bob escalate after 2m } tier y { handoff policy c } }
policy c { tier z { notify team web renotify every 3m escalate after 5m } tier w { handoff policy b } unresolved after 5m escalate to w }
policy d { tier only { notify team ghosts } }
service s1 { owner web policy a }
service s2 { owner web policy b }
service s3 { owner web policy d }
service s4 { owner web }
routes {
  route r1 { when summary matches "x" also person cat continue }
  route r2 { when severity == sev3 suppress }
  route r3 { when service == "s4" and severity == sev1 to policy c }
}
"#;

    #[derive(Debug, Clone)]
    enum Ev {
        Alert { id: u8, service: u8, sev: u8, fp: u8 },
        Ack { id: u8, by: u8 },
        Resolve { id: u8 },
    }

    fn ev() -> impl Strategy<Value = (u16, Ev)> {
        let kind = prop_oneof![
            5 => (0u8..12, 0u8..6, 0u8..4, 0u8..3).prop_map(|(id, service, sev, fp)| Ev::Alert { id, service, sev, fp }),
            2 => (0u8..12, 0u8..5).prop_map(|(id, by)| Ev::Ack { id, by }),
            1 => (0u8..12).prop_map(|id| Ev::Resolve { id }),
        ];
        (0u16..400, kind)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        #[test]
        fn trace_invariants(events in proptest::collection::vec(ev(), 0..40), acks in proptest::collection::vec(proptest::option::of(0i64..900), 4), engine in 0usize..6) {
            let ws = crate::workspace::load_texts(std::path::PathBuf::from("."), vec![("w.esc".into(), WORLD.as_bytes().to_vec())]);
            prop_assert!(!crate::check::has_model_errors(&ws));
            let m = &ws.model;
            let c = Compiled::new(m, EngineKind::ALL[engine]);
            let mut r = FixedResponders::default();
            for (i, name) in ["ann", "bob", "cat", "ida"].iter().enumerate() {
                if let Some(p) = m.ns_person.get(name) {
                    r.by_person.insert(p, acks[i]);
                }
            }
            let t0 = 1_783_296_000i64;
            let end = t0 + 3 * 3600;
            let mut e = Engine::new(&c, Options { until: Some(end) }, r, Vec::<TraceRecord>::new());
            let mut t = t0;
            let services = ["s1", "s2", "s3", "s4", "nope", "s1"];
            let sevs = ["sev1", "SEV2", "sev3", "P9"];
            for (i, (gap, ev)) in events.into_iter().enumerate() {
                t += i64::from(gap);
                let kind = match ev {
                    Ev::Alert { id, service, sev, fp } => EventKind::Alert(Box::new(AlertEvent {
                        id: format!("A{id}"),
                        service: services[service as usize].into(),
                        severity: Some(sevs[sev as usize].into()),
                        summary: Some(if fp == 0 { "x".into() } else { format!("y{fp}") }),
                        ..Default::default()
                    })),
                    Ev::Ack { id, by } => EventKind::Ack { id: format!("A{id}"), by: ["ann", "bob", "cat", "zed"].get(by as usize).map(|x| x.to_string()) },
                    Ev::Resolve { id } => EventKind::Resolve { id: format!("A{id}") },
                };
                e.feed(&Event { at: t, kind, line: i + 1, seq: i as u64 });
            }
            e.finish(end);
            let (_, recs, _) = e.into_parts();
            let mut last = i64::MIN;
            let mut opened = HashSet::new();
            let mut acked = HashSet::new();
            let mut ended = HashSet::new();
            let mut exhausted = HashSet::new();
            let mut pages = HashSet::new();
            for rec in &recs {
                prop_assert!(rec.t >= last, "time goes back: {}", rec.describe(m, t0));
                prop_assert!(rec.t <= end);
                last = rec.t;
                if rec.seq == 0 {
                    prop_assert_eq!(rec.step, Step::Suppressed);
                    continue;
                }
                prop_assert!(!ended.contains(&rec.seq) || rec.step == Step::LostResponder, "after the end: {}", rec.describe(m, t0));
                match rec.step {
                    Step::Opened => prop_assert!(opened.insert(rec.seq)),
                    Step::Acknowledged => prop_assert!(acked.insert(rec.seq)),
                    Step::Exhausted => prop_assert!(exhausted.insert(rec.seq)),
                    Step::Resolved | Step::AutoResolved | Step::OpenAtEnd => prop_assert!(ended.insert(rec.seq)),
                    Step::Paged => {
                        prop_assert!(pages.insert((rec.seq, rec.person, rec.t)), "page not merged: {}", rec.describe(m, t0));
                        prop_assert!(rec.channels != 0);
                        let late = acked.contains(&rec.seq) || exhausted.contains(&rec.seq);
                        prop_assert!(!late || rec.causes.iter().all(|c| c.kind == CauseKind::Unresolved), "page after ack: {}", rec.describe(m, t0));
                    }
                    Step::TierEntered | Step::TierSkipped | Step::Renotified | Step::Escalated => {
                        prop_assert!(!acked.contains(&rec.seq) && !exhausted.contains(&rec.seq), "{}", rec.describe(m, t0));
                    }
                    _ => {}
                }
                prop_assert!(opened.contains(&rec.seq));
            }
            for s in &opened {
                prop_assert!(ended.contains(s), "incident {} never ended", s);
            }
        }
    }
}


#[cfg(test)]
mod queue {
    use super::*;
    use proptest::prelude::*;

    /// One step of a run: set a timer `delta` seconds after the clock
    /// (op 0: in scheduling order; 1: in an incident's order; 2: a recorded
    /// acknowledgement at the clock, through the FIFO), or move the clock
    /// `delta` seconds and take every timer due before it (op 3).
    fn step() -> impl Strategy<Value = (u8, i64, u8, u64)> {
        // the wheel's edges are where slots could collide: exact multiples
        // of its span, and one either side
        let w = WHEEL as i64;
        let delta = prop_oneof![0i64..3, 0i64..600, 0i64..(3 * w), prop::sample::select(vec![0, 1, w - 1, w, w + 1, 2 * w])];
        (0u8..4, delta, prop::sample::select(vec![PHASE_ACK, PHASE_TIMEOUT, PHASE_UNRESOLVED, PHASE_RENOTIFY]), 0u64..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The wheel hands out timers in exactly the order of one binary
        /// heap of every timer, whatever the mix of near, far and same-instant
        /// timers, and wherever the clock stops in between.
        #[test]
        fn wheel_agrees_with_one_heap(start in -5_000_000_000i64..5_000_000_000, steps in prop::collection::vec(step(), 1..120)) {
            let mut q = Queue::default();
            let mut model: BinaryHeap<Reverse<Timer>> = BinaryHeap::new();
            let mut fifo: VecDeque<Timer> = VecDeque::new();
            let mut seq = 0u64;
            let mut now = start;
            let mut took = Vec::new();
            let mut want = Vec::new();
            let take = |q: &mut Queue, model: &mut BinaryHeap<Reverse<Timer>>, fifo: &mut VecDeque<Timer>, limit: Option<Instant>, took: &mut Vec<Timer>, want: &mut Vec<Timer>| {
                while let Some((t, _)) = q.peek() {
                    if limit.is_some_and(|l| t.at >= l) {
                        break;
                    }
                    took.extend(q.pop());
                }
                loop {
                    let first = match (model.peek(), fifo.front()) {
                        (Some(Reverse(h)), Some(f)) => if f < h { fifo.front().copied() } else { model.peek().map(|r| r.0) },
                        (Some(Reverse(h)), None) => Some(*h),
                        (None, f) => f.copied(),
                    };
                    let Some(t) = first.filter(|t| limit.is_none_or(|l| t.at < l)) else { break };
                    if fifo.front() == Some(&t) { fifo.pop_front(); } else { model.pop(); }
                    want.push(t);
                }
            };
            for (op, delta, phase, order) in steps {
                match op {
                    0 | 1 => {
                        seq += 1;
                        let o = if op == 1 { Some(order) } else { None };
                        q.push(now + delta, phase, o, 0, 0, TimerKind::Unresolved);
                        model.push(Reverse(Timer::new(now + delta, phase, o.unwrap_or(seq), seq, 0, 0, TimerKind::Unresolved)));
                    }
                    2 => {
                        seq += 1;
                        q.push_in_order(now, PHASE_ACK, 0, 0, TimerKind::Unresolved);
                        fifo.push_back(Timer::new(now, PHASE_ACK, seq, seq, 0, 0, TimerKind::Unresolved));
                    }
                    _ => {
                        now += delta;
                        take(&mut q, &mut model, &mut fifo, Some(now), &mut took, &mut want);
                    }
                }
            }
            take(&mut q, &mut model, &mut fifo, None, &mut took, &mut want);
            let key = |t: &Timer| (t.at, t.key, t.seq);
            prop_assert_eq!(took.iter().map(key).collect::<Vec<_>>(), want.iter().map(key).collect::<Vec<_>>());
        }
    }
}
