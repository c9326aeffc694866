//! Metrics (SPEC §5 "Metrics") computed from the engine's trace stream.
//!
//! [`Collector`] is a [`Sink`]: it reads every [`TraceRecord`] as the
//! engine emits it and keeps per open incident only what the metrics need,
//! so memory follows the open incidents (plus, per person, the pages of the
//! last 12 hours for the 12-hour maxima, and a count per whole second of
//! acknowledgement delay for exact percentiles). Everything is accumulated
//! three ways at once: totals, by service, by policy.
//!
//! [`Collector::report`] turns the accumulators into a [`Report`], a tree
//! of typed values ([`Val`]) with the SPEC's rounding already applied;
//! [`aggregate`] (`--runs`) and [`delta`] (`--against`) work on that tree,
//! and every output format renders it.

use crate::fxhash::FxMap;
use crate::model::Model;
use crate::sim::engine::{Counters, Name, Sink, Step, TraceRecord};
use crate::sim::event::Instant;
use crate::time::IntervalSet;
use chrono::{Datelike, TimeZone, Timelike};
use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

const HALF_DAY: i64 = 12 * 3600;
const WEEK: i64 = 7 * 86_400;

// ---------------------------------------------------------------------------
// values

/// One metric value, already rounded as SPEC §5 "Rules" says.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// a count
    Count(i64),
    /// a mean, rate, percentile or maximum over a set that may be empty
    /// (`None` → `null`), with `dp` decimals (0: printed as an integer)
    Stat(Option<f64>, u8),
    /// a map with sorted keys (`pages_by_person`, …)
    Map(BTreeMap<String, Val>),
    /// `--runs`: the mean and the 5th/95th percentiles over the runs
    /// (boxed: a report over thousands of services holds hundreds of
    /// thousands of values, and the box keeps each at 24 bytes, not 64)
    Agg(Box<Agg>),
}

/// A scalar metric over `--runs` runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Agg {
    pub mean: Option<f64>,
    pub p5: Option<f64>,
    pub p95: Option<f64>,
    /// decimals of `mean`
    pub mean_dp: u8,
    /// decimals of `p5`/`p95` (those of the metric)
    pub dp: u8,
    /// the metric is a count (a missing value counts as 0, not null)
    pub count: bool,
}

/// A set of metrics: metric name → value, sorted by name.
pub type Section = BTreeMap<String, Val>;

/// The result of one simulation (or of several runs, or a delta).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Report {
    pub metrics: Section,
    pub by_service: Breakdown,
    pub by_policy: Breakdown,
    /// what the HTML report draws (first run only)
    pub charts: Option<Box<Charts>>,
}

impl Report {
    /// The same report with every breakdown section made.
    pub fn into_built(self) -> Report {
        Report { by_service: self.by_service.into_built(), by_policy: self.by_policy.into_built(), ..self }
    }
}

/// Data for the HTML report's charts (totals of the first run).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Charts {
    /// person → ISO week (`2026-W27`, in the org tz) → pages
    pub weekly_pages: BTreeMap<String, BTreeMap<String, u64>>,
    /// acknowledgement delay in seconds → incidents
    pub mtta: Vec<(i64, u64)>,
    /// `funnel[k]`: routed incidents that entered at least k + 1 tiers
    /// (`funnel[0]` counts routed incidents that entered any tier)
    pub funnel: Vec<u64>,
    /// routed incidents (the funnel's top)
    pub routed: u64,
    /// weekday (Monday = 0) × hour, in the org tz: pages outside the
    /// paged person's `works`
    pub off_hours: [[u64; 24]; 7],
    /// weekday × hour, in the org tz: every page
    pub all_pages: [[u64; 24]; 7],
}

/// What a metric is, for ordering and rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Count,
    /// seconds: a mean (3 decimals)
    MeanSecs,
    /// seconds: a percentile or maximum (integer)
    Secs,
    /// a rate (4 decimals)
    Rate,
    /// person → count
    PersonMap,
}

/// Every metric in SPEC order, with its kind. `totals_only` metrics are
/// absent from `by_service` and `by_policy`.
pub const METRICS: &[(&str, Kind, bool)] = &[
    ("alerts", Kind::Count, false),
    ("incidents", Kind::Count, false),
    ("suppressed", Kind::Count, false),
    ("deduplicated", Kind::Count, false),
    ("unrouted", Kind::Count, false),
    ("reached_nobody", Kind::Count, false),
    ("acknowledged", Kind::Count, false),
    ("exhausted", Kind::Count, false),
    ("auto_resolved", Kind::Count, false),
    ("open_at_end", Kind::Count, false),
    ("lost_responders", Kind::Count, false),
    ("suppressed_but_acked", Kind::Count, false),
    ("unknown_severity", Kind::Count, false),
    ("rejected_events", Kind::Count, true),
    ("stale_events", Kind::Count, true),
    ("mtta_s", Kind::MeanSecs, false),
    ("mtta_p50_s", Kind::Secs, false),
    ("mtta_p90_s", Kind::Secs, false),
    ("mtta_max_s", Kind::Secs, false),
    ("mttr_s", Kind::MeanSecs, false),
    ("escalated", Kind::Count, false),
    ("escalation_rate", Kind::Rate, false),
    ("time_to_escalation_s", Kind::MeanSecs, false),
    ("pages", Kind::Count, false),
    ("pages_by_person", Kind::PersonMap, false),
    ("off_hours_pages_by_person", Kind::PersonMap, false),
    ("paged_without_works", Kind::Count, false),
    ("pages_per_person_week", Kind::Rate, false),
    ("max_pages_in_12h", Kind::Count, false),
    ("max_incidents_in_12h", Kind::Count, false),
    ("sla_breaches", Kind::Count, false),
];

/// `num / den` rounded half away from zero (`den` > 0).
pub fn round_div(num: i128, den: i128) -> i128 {
    let q = num / den;
    let r = num % den;
    if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    }
}

fn pow10(dp: u8) -> i128 {
    10i128.pow(dp as u32)
}

/// `num / den` rounded to `dp` decimals; `None` when `den` is 0.
pub fn ratio(num: i128, den: i128, dp: u8) -> Option<f64> {
    if den == 0 {
        return None;
    }
    Some(round_div(num * pow10(dp), den) as f64 / pow10(dp) as f64)
}

/// A rounded value as a scaled integer (exact for values of `dp` decimals).
fn scaled(v: f64, dp: u8) -> i128 {
    (v * pow10(dp) as f64).round() as i128
}

/// Nearest rank: the value at 1-based rank ⌈p·n/100⌉ of an ascending list.
pub fn nearest_rank(n: u64, p: u64) -> u64 {
    (p * n).div_ceil(100).max(1)
}

// ---------------------------------------------------------------------------
// accumulators

/// Delays counted per whole second: exact mean and percentiles (§5).
///
/// Memory is one entry per distinct second, and there is one histogram per
/// service and policy: over a long timeline they are most of what grows
/// (10,000 services, 5M alerts: a few million entries, most of them seen
/// once or twice). So a delay under 65,536 s (18 h) seen once or twice is
/// in the set `once` or `twice` ([`Seen`]: 2 bytes a value, or a bit where
/// the values are dense); seen 3 to 65,535 times, a `(u16, u16)` pair in
/// the sorted `small` (4 bytes); anything else goes to `big` (a
/// `BTreeMap<i64, u64>` takes about 25 bytes an entry). A value lives in
/// exactly one of the four.
#[derive(Debug, Clone, Default)]
struct Hist {
    once: Seen,
    twice: Seen,
    small: Vec<(u16, u16)>,
    big: BTreeMap<i64, u64>,
    sum: i128,
    n: u64,
}

impl Hist {
    fn add(&mut self, v: i64) {
        self.sum += v as i128;
        self.n += 1;
        let Ok(s) = u16::try_from(v) else {
            *self.big.entry(v).or_default() += 1;
            return;
        };
        match self.small.binary_search_by_key(&s, |e| e.0) {
            Ok(i) => match self.small[i].1.checked_add(1) {
                Some(c) => self.small[i].1 = c,
                None => {
                    let (_, c) = self.small.remove(i);
                    self.big.insert(v, u64::from(c) + 1);
                }
            },
            Err(i) => {
                if self.once.remove(s) {
                    self.twice.insert(s);
                } else if self.twice.remove(s) {
                    self.small.insert(i, (s, 3));
                } else if let Some(c) = self.big.get_mut(&v) {
                    *c += 1;
                } else {
                    self.once.insert(s);
                }
            }
        }
    }

    /// (second, count), ascending.
    fn iter(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        let once = self.once.iter().map(|v| (i64::from(v), 1));
        let twice = self.twice.iter().map(|v| (i64::from(v), 2));
        let small = self.small.iter().map(|&(v, c)| (i64::from(v), u64::from(c)));
        let big = self.big.iter().map(|(&v, &c)| (v, c));
        merge_counts(merge_counts(once, twice), merge_counts(small, big))
    }

    fn percentile(&self, p: u64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = nearest_rank(self.n, p);
        let mut seen = 0;
        for (v, c) in self.iter() {
            seen += c;
            if seen >= rank {
                return Some(v as f64);
            }
        }
        None
    }

    fn max(&self) -> Option<f64> {
        let once = self.once.last().map(i64::from);
        let twice = self.twice.last().map(i64::from);
        let small = self.small.last().map(|&(v, _)| i64::from(v));
        let big = self.big.keys().next_back().copied();
        once.max(twice).max(small).max(big).map(|v| v as f64)
    }
}

/// Two ascending streams of (value, count) with no value in both, as one.
fn merge_counts<'a>(a: impl Iterator<Item = (i64, u64)> + 'a, b: impl Iterator<Item = (i64, u64)> + 'a) -> impl Iterator<Item = (i64, u64)> + 'a {
    let (mut a, mut b) = (a.peekable(), b.peekable());
    std::iter::from_fn(move || match (a.peek(), b.peek()) {
        (Some(x), Some(y)) if y.0 < x.0 => b.next(),
        (Some(_), _) => a.next(),
        (None, _) => b.next(),
    })
}

/// A set of delays in whole seconds (`u16`): a sorted list (2 bytes a
/// value) and, once it saves memory, a bitmap over the stretch where the
/// values are densest (8 bytes a 64-second word), the values outside it
/// staying in the list. Recorded acknowledgement delays of a service
/// cluster within minutes, so after a few hundred incidents its set is
/// mostly a bitmap of a few hundred bytes that no longer grows.
#[derive(Debug, Clone, Default)]
struct Seen {
    /// the values outside the bitmap's range, ascending
    list: Vec<u16>,
    /// bit `v % 64` of word `v / 64 − base` is `v`
    bits: Box<[u64]>,
    /// the word of the bitmap's first value
    base: u16,
    /// the list length at which the layout is worked out again (doubles,
    /// so the rework costs O(1) a value, amortised)
    next: u32,
}

/// The list is first reconsidered at this length.
const SEEN_REWORK: u32 = 64;

impl Seen {
    /// (word, bit) of `v` when the bitmap covers it.
    fn slot(&self, v: u16) -> Option<(usize, u64)> {
        let w = usize::from(v / 64).checked_sub(usize::from(self.base))?;
        (w < self.bits.len()).then(|| (w, 1u64 << (v % 64)))
    }

    /// Add `v`, which is not in the set.
    fn insert(&mut self, v: u16) {
        if let Some((w, b)) = self.slot(v) {
            self.bits[w] |= b;
            return;
        }
        let i = self.list.binary_search(&v).unwrap_or_else(|i| i);
        self.list.insert(i, v);
        if self.list.len() as u64 >= u64::from(self.next.max(SEEN_REWORK)) {
            self.rework();
        }
    }

    /// Take `v` out; false if it was not in the set.
    fn remove(&mut self, v: u16) -> bool {
        if let Some((w, b)) = self.slot(v) {
            let had = self.bits[w] & b != 0;
            self.bits[w] &= !b;
            return had;
        }
        match self.list.binary_search(&v) {
            Ok(i) => {
                self.list.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    /// Ascending.
    fn iter(&self) -> impl Iterator<Item = u16> + '_ {
        // with no bitmap `base` is 0, so the whole list comes after it
        let from = usize::from(self.base) * 64;
        let cut = self.list.partition_point(|&v| usize::from(v) < from);
        let bits = self.bits.iter().enumerate().flat_map(move |(w, &word)| {
            let mut word = word;
            std::iter::from_fn(move || {
                (word != 0).then(|| {
                    let b = word.trailing_zeros();
                    word &= word - 1;
                    // within u16: the word covers values below 65,536
                    (from + w * 64 + b as usize) as u16
                })
            })
        });
        self.list[..cut].iter().copied().chain(bits).chain(self.list[cut..].iter().copied())
    }

    fn last(&self) -> Option<u16> {
        let from = usize::from(self.base) * 64;
        let in_bits = self.bits.iter().rposition(|&w| w != 0).map(|w| (from + w * 64 + 63 - self.bits[w].leading_zeros() as usize) as u16);
        self.list.last().copied().max(in_bits)
    }

    /// Lay the set out again: the bitmap over the run of 64-second words
    /// that saves the most (a word saves 2 bytes a value it holds, less its
    /// own 8), the rest in the list.
    fn rework(&mut self) {
        let all: Vec<u16> = self.iter().collect();
        // Kadane over the words that hold values (empty words between
        // them cost 8 bytes each)
        let (mut best, mut best_run) = (0i64, None);
        let (mut cur, mut cur_start, mut prev) = (0i64, 0u16, None::<u16>);
        let mut i = 0;
        while i < all.len() {
            let w = all[i] / 64;
            let n = all[i..].iter().take_while(|&&v| v / 64 == w).count();
            i += n;
            let gap = prev.map_or(0, |p| i64::from(w - p - 1));
            if prev.is_none() || cur - 8 * gap <= 0 {
                cur = 0;
                cur_start = w;
            } else {
                cur -= 8 * gap;
            }
            cur += 2 * n as i64 - 8;
            prev = Some(w);
            if cur > best {
                best = cur;
                best_run = Some((cur_start, w));
            }
        }
        self.bits = Box::default();
        self.base = 0;
        self.list = all;
        if let Some((lo, hi)) = best_run {
            self.base = lo;
            self.bits = vec![0; usize::from(hi - lo) + 1].into_boxed_slice();
            let mut rest = Vec::new();
            for &v in &self.list {
                match self.slot(v) {
                    Some((w, b)) => self.bits[w] |= b,
                    None => rest.push(v),
                }
            }
            self.list = rest;
        }
        self.list.shrink_to_fit();
        self.next = u32::try_from(self.list.len() * 2).unwrap_or(u32::MAX);
    }
}

/// One person's pages in the last 12 hours (for one accumulator).
///
/// Each page is an entry with a *position*: the positions of a window's
/// entries are consecutive, so the entry at position `x` is found by
/// subtraction, not by a search. An entry is *live* while it is the latest
/// page of its incident to this person. An incident has a page in the
/// window exactly when its latest page is there, so the live entries count
/// the distinct incidents — no per-incident map, just the previous entry's
/// position, which the incident keeps ([`Inc::last`]).
///
/// A (service, person) pair is paged a few times and then rarely, so most
/// windows are empty most of the time: the pages live in a box that exists
/// only while the window holds any, and an idle window is 8 bytes.
#[derive(Debug, Clone, Default)]
struct Window {
    held: Option<Box<Held>>,
}

/// Emptied window boxes. Boxes, not bare [`Held`]s: a window holds its
/// pages as `Option<Box<Held>>` (8 bytes while idle), and a spare moves
/// in and out of a window as a pointer.
#[allow(clippy::vec_box)]
type Spares = Vec<Box<Held>>;

/// A freed window's box is kept for reuse if its pages fit in this many
/// entries (most hold one to a few): a box is made and freed each time a
/// (service, person) pair is paged after a quiet 12 hours, and reusing them
/// keeps these medium-lived allocations from scattering over the heap.
const SPARE_PAGES: usize = 8;
/// An ended incident's [`Inc::last`] is kept for the next incident if it
/// holds at most this many entries (like the window boxes: allocations that
/// live as long as an incident, made and freed for every one).
const SPARE_LAST: usize = 16;

#[derive(Debug, Clone, Default)]
struct Held {
    /// the pages, oldest first, each as its instant times two plus one if
    /// it is live ([`entry`]): 8 bytes, not 16 (instants are within
    /// chrono's ±262,000 years, far from overflowing)
    pages: VecDeque<i64>,
    /// the position of `pages[0]`
    base: u64,
    live: u64,
}

/// A window entry: a page at `t`, live or not.
fn entry(t: Instant, live: bool) -> i64 {
    (t << 1) | i64::from(live)
}

/// The instant of a window entry.
fn entry_at(e: i64) -> Instant {
    e >> 1
}

/// 1 if a window entry is live, else 0.
fn entry_live(e: i64) -> u64 {
    (e & 1) as u64
}

impl Window {
    /// Add a page at `t`. `fresh` is above every position any window has
    /// handed out (the collector's count of pages added to windows): a box
    /// taken for this window numbers its entries from there, so a
    /// position kept from before the window was emptied matches nothing.
    /// `prev`: the position of the incident's previous page to this person.
    /// Returns (pages, distinct incidents) in the 12-hour window ending at
    /// `t`, and the new page's position (at most `fresh`).
    /// `spare`: boxes of freed windows, reused before a new one is made.
    fn add(&mut self, t: Instant, fresh: u64, prev: Option<u64>, spare: &mut Spares) -> (u64, u64, u64) {
        let edge = t.saturating_sub(HALF_DAY);
        let h = self.held.get_or_insert_with(|| {
            let mut h = spare.pop().unwrap_or_default();
            h.base = fresh;
            h
        });
        while let Some(&e) = h.pages.front() {
            if entry_at(e) > edge {
                break;
            }
            h.pages.pop_front();
            h.base += 1;
            h.live -= entry_live(e);
        }
        if let Some(e) = prev.and_then(|x| x.checked_sub(h.base)).and_then(|i| h.pages.get_mut(usize::try_from(i).ok()?)) {
            h.live -= entry_live(*e);
            *e = entry(entry_at(*e), false);
        }
        let pos = h.base + h.pages.len() as u64;
        h.pages.push_back(entry(t, true));
        h.live += 1;
        (h.pages.len() as u64, h.live, pos)
    }

    /// The latest page held, if any.
    fn latest(&self) -> Option<Instant> {
        self.held.as_ref()?.pages.back().map(|&e| entry_at(e))
    }

    /// Drop every page (all older than 12 hours). The emptied box goes to
    /// `spare` unless it grew large.
    fn clear(&mut self, spare: &mut Spares) {
        if let Some(mut h) = self.held.take() {
            if h.pages.capacity() <= SPARE_PAGES {
                h.pages.clear();
                h.live = 0;
                spare.push(h);
            }
        }
    }
}

/// One paged person in one accumulator: 16 bytes (24 with its key), and
/// there are as many as (service, person) pairs paged. The counts are
/// 32-bit; a count that passes 2^32 − 1 carries into [`Acc::carry`].
#[derive(Debug, Clone, Default)]
struct PersonAcc {
    pages: u32,
    /// off-hours pages (meaningful for a person with `works` only)
    off_hours: u32,
    window: Window,
}

#[derive(Debug, Clone, Default)]
struct Acc {
    alerts: u64,
    incidents: u64,
    suppressed: u64,
    deduplicated: u64,
    unrouted: u64,
    reached_nobody: u64,
    acknowledged: u64,
    exhausted: u64,
    auto_resolved: u64,
    open_at_end: u64,
    lost_responders: u64,
    unknown_severity: u64,
    mtta: Hist,
    mttr_sum: i128,
    mttr_n: u64,
    escalated: u64,
    tte_sum: i128,
    sla_breaches: u64,
    pages: u64,
    /// per paged person: one map lookup per page
    people: FxMap<u32, PersonAcc>,
    /// per person, what their 32-bit counts carried: (pages, off-hours)
    carry: FxMap<u32, (u64, u64)>,
    max_pages_12h: u64,
    max_incidents_12h: u64,
}

impl Acc {
    /// A page to `person` at `t` (`fresh`, `prev`: see [`Window::add`]).
    /// Returns whether the person is new to this accumulator (a window
    /// was made), and the page's position in the person's window.
    fn page(&mut self, person: u32, t: Instant, fresh: u64, prev: Option<u64>, off_hours: Option<bool>, spare: &mut Spares) -> (bool, u64) {
        self.pages += 1;
        let before = self.people.len();
        let who = self.people.entry(person).or_default();
        let (pages, off) = (who.pages.checked_add(1), who.off_hours.checked_add(u32::from(off_hours == Some(true))));
        who.pages = pages.unwrap_or(0);
        who.off_hours = off.unwrap_or(0);
        let (p, i, pos) = who.window.add(t, fresh, prev, spare);
        if pages.is_none() || off.is_none() {
            let c = self.carry.entry(person).or_default();
            c.0 += if pages.is_none() { 1 << 32 } else { 0 };
            c.1 += if off.is_none() { 1 << 32 } else { 0 };
        }
        self.max_pages_12h = self.max_pages_12h.max(p);
        self.max_incidents_12h = self.max_incidents_12h.max(i);
        (self.people.len() > before, pos)
    }

    /// A person's (pages, off-hours pages).
    fn person_counts(&self, person: u32, x: &PersonAcc) -> (u64, u64) {
        let (p, o) = self.carry.get(&person).copied().unwrap_or_default();
        (p + u64::from(x.pages), o + u64::from(x.off_hours))
    }
}

/// The accumulator of policy `p`, made on first use.
fn policy_acc(v: &mut Vec<Option<Acc>>, p: u32) -> &mut Acc {
    let i = p as usize;
    if i >= v.len() {
        v.resize_with(i + 1, || None);
    }
    v[i].get_or_insert_with(Acc::default)
}

fn count_alert(a: &mut Acc, no_severity: bool, what: fn(&mut Acc) -> &mut u64) {
    a.alerts += 1;
    *what(a) += 1;
    if no_severity {
        a.unknown_severity += 1;
    }
}

/// What the metrics keep of one open incident.
#[derive(Debug, Clone)]
struct Inc {
    opened: Instant,
    /// index of the service's accumulator
    svc: u32,
    /// the final (post-`set`) severity
    severity: Option<u32>,
    /// the decided policy (None: unrouted)
    policy: Option<u32>,
    pages: u64,
    ack: Option<Instant>,
    escalated: Option<Instant>,
    tiers_entered: u32,
    /// the opening alert was read with no severity
    no_severity: bool,
    /// per (accumulator, person): the position of the incident's latest page in
    /// that accumulator's 12-hour window (accumulator 0: totals, 1: its
    /// service, 2 + p: policy p)
    last: Vec<(u32, u32, u64)>,
}

/// A person's `works` hours around the current page instant.
#[derive(Debug, Clone, Default)]
struct WorksCache {
    span: Option<(Instant, Instant)>,
    set: IntervalSet,
    /// the last answer, off hours or not, and the span `[from, until)`
    /// within `span` where it holds: the next page is usually in it
    run: (bool, Instant, Instant),
}

/// Reads the trace and accumulates the metrics (SPEC §5).
pub struct Collector<'m> {
    m: &'m Model,
    /// open incidents by the engine's slot ([`TraceRecord::slot`]), with
    /// their `seq`: no hashing per record, and as many entries as
    /// incidents were ever open at once
    open: Vec<Option<(u64, Inc)>>,
    /// incidents ended at `ended_at`: lost responders are settled right
    /// after the end record, at the same instant
    ended: Vec<(u64, u32, Option<u32>)>,
    ended_at: Instant,
    total: Acc,
    /// service name → index in `services`
    svc_index: FxMap<Name, u32>,
    /// model service index → index in `services` (`u32::MAX`: none yet),
    /// for records that carry one ([`TraceRecord::service_index`])
    by_model: Vec<u32>,
    services: Vec<(Arc<str>, Acc)>,
    /// per service accumulator: its `ack-sla` by severity index, read once
    svc_sla: Vec<Box<[Option<i64>]>>,
    /// by policy index, made on first use
    by_policy: Vec<Option<Acc>>,
    works: Vec<WorksCache>,
    has_works: Vec<bool>,
    first_event: Option<Instant>,
    last_event: Option<Instant>,
    /// Idle windows (latest page 12 hours old or more) are freed by a
    /// sweep over every window, when 12 hours have passed since the last
    /// sweep and at least as many pages were counted since as there are
    /// windows: O(1) a page amortised, and the pages held stay within the
    /// windows' own number plus the pages of the last day, not every page
    /// ever made to a (service, person) pair that went quiet.
    sweep: Sweep,
    /// emptied window boxes for reuse (see [`SPARE_PAGES`])
    spare: Spares,
    /// pages added to 12-hour windows so far: above every position a
    /// window has handed out (`fresh` of [`Window::add`])
    window_pages: u64,
    /// ended incidents' emptied [`Inc::last`] lists, for reuse
    spare_last: Vec<Vec<(u32, u32, u64)>>,
    charts: Option<ChartAcc>,
}

/// When idle windows were last freed ([`Collector::sweep`]).
#[derive(Debug, Clone, Default)]
struct Sweep {
    /// the instant of the last sweep (of the first page, before any)
    at: Option<Instant>,
    /// pages counted in some window since, once per accumulator
    pages: u64,
    /// windows in all accumulators: one per (accumulator, person) paged
    windows: u64,
}

#[derive(Debug, Clone, Default)]
struct ChartAcc {
    weekly: BTreeMap<(u32, String), u64>,
    funnel: Vec<u64>,
    routed: u64,
    off_hours: [[u64; 24]; 7],
    all_pages: [[u64; 24]; 7],
}

impl<'m> Collector<'m> {
    /// `charts`: also collect what the HTML report draws.
    pub fn new(m: &'m Model, charts: bool) -> Collector<'m> {
        Collector {
            m,
            open: Vec::new(),
            ended: Vec::new(),
            ended_at: i64::MIN,
            total: Acc::default(),
            svc_index: FxMap::default(),
            by_model: vec![u32::MAX; m.services.len()],
            services: Vec::new(),
            svc_sla: Vec::new(),
            by_policy: Vec::new(),
            works: vec![WorksCache::default(); m.persons.len()],
            has_works: m.persons.iter().map(|p| !p.works.is_empty()).collect(),
            first_event: None,
            last_event: None,
            sweep: Sweep::default(),
            spare: Vec::new(),
            window_pages: 0,
            spare_last: Vec::new(),
            charts: charts.then(ChartAcc::default),
        }
    }

    /// A timeline event at `t` was processed (for `pages_per_person_week`).
    pub fn note_event(&mut self, t: Instant) {
        if self.first_event.is_none_or(|f| t < f) {
            self.first_event = Some(t);
        }
        if self.last_event.is_none_or(|l| t > l) {
            self.last_event = Some(t);
        }
    }

    pub fn first_event(&self) -> Option<Instant> {
        self.first_event
    }

    pub fn last_event(&self) -> Option<Instant> {
        self.last_event
    }

    /// The open incident a record is about.
    fn open_ref(&self, r: &TraceRecord) -> Option<&Inc> {
        match self.open.get(r.slot as usize) {
            Some(Some((seq, inc))) if *seq == r.seq => Some(inc),
            _ => None,
        }
    }

    fn open_mut(&mut self, r: &TraceRecord) -> Option<&mut Inc> {
        match self.open.get_mut(r.slot as usize) {
            Some(Some((seq, inc))) if *seq == r.seq => Some(inc),
            _ => None,
        }
    }

    /// Only the engine opens incidents, and its slots are small: a record
    /// without one (`u32::MAX`) is a caller's bug, caught in tests.
    fn open_insert(&mut self, r: &TraceRecord, inc: Inc) {
        debug_assert!(r.slot != u32::MAX, "an opened record without an engine slot");
        if r.slot == u32::MAX {
            return;
        }
        let i = r.slot as usize;
        if i >= self.open.len() {
            self.open.resize_with(i + 1, || None);
        }
        self.open[i] = Some((r.seq, inc));
    }

    fn take_open(&mut self, slot: u32, seq: u64) -> Option<Inc> {
        let e = self.open.get_mut(slot as usize)?;
        match e {
            Some((s, _)) if *s == seq => e.take().map(|(_, inc)| inc),
            _ => None,
        }
    }

    /// The index of a service's accumulator (made on first use).
    fn service_idx(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.svc_index.get(s) {
            return i;
        }
        let i = self.services.len() as u32;
        let mut sla = vec![None; self.m.org.severities.len()];
        for a in self.m.service(s).map_or(&[][..], |x| &x.ack_sla[..]) {
            if let Some(slot) = self.m.read_severity(&a.severity.name).and_then(|r| sla.get_mut(r)) {
                slot.get_or_insert(a.after.value);
            }
        }
        self.svc_sla.push(sla.into_boxed_slice());
        self.services.push((Arc::from(s), Acc::default()));
        self.svc_index.insert(Name::new(s), i);
        i
    }

    /// The index of the accumulator of a record's service: by the model's
    /// index when the record has one, else by name.
    fn record_service(&mut self, r: &TraceRecord) -> u32 {
        let name = r.service.as_deref().unwrap_or("");
        let Some(mi) = r.service_index.map(|i| i as usize).filter(|&i| i < self.by_model.len()) else {
            return self.service_idx(name);
        };
        debug_assert_eq!(self.m.services[mi].name.name, name, "a record's service index names another service");
        match self.by_model[mi] {
            u32::MAX => {
                let i = self.service_idx(name);
                self.by_model[mi] = i;
                i
            }
            i => i,
        }
    }

    fn service_acc(&mut self, i: u32) -> &mut Acc {
        &mut self.services[i as usize].1
    }

    /// Is `person` outside their `works` hours at `t`? None: no `works`.
    fn off_hours(&mut self, person: u32, t: Instant) -> Option<bool> {
        let p = person as usize;
        if !*self.has_works.get(p)? {
            return None;
        }
        let cache = &mut self.works[p];
        let (off, from, until) = cache.run;
        if from <= t && t < until {
            return Some(off);
        }
        let (a, b) = match cache.span {
            Some((a, b)) if a <= t && t < b => (a, b),
            _ => {
                let (a, b) = (t - t.rem_euclid(86_400), t - t.rem_euclid(86_400) + WEEK);
                cache.set = crate::time::works_intervals(self.m, &self.m.persons[p], a, b).unwrap_or_default();
                cache.span = Some((a, b));
                (a, b)
            }
        };
        let (works, from, until) = cache.set.run_at(t);
        cache.run = (!works, from.max(a), until.min(b));
        Some(!works)
    }

    fn each_acc(&mut self, svc: u32, policy: Option<u32>, f: impl Fn(&mut Acc)) {
        f(&mut self.total);
        f(self.service_acc(svc));
        if let Some(p) = policy {
            f(policy_acc(&mut self.by_policy, p));
        }
    }

    /// An alert read: `alerts`, what became of it, `unknown_severity`.
    fn count_alert(&mut self, svc: u32, policy: Option<u32>, no_severity: bool, what: fn(&mut Acc) -> &mut u64) {
        self.each_acc(svc, policy, |a| count_alert(a, no_severity, what));
    }

    /// The incident has ended at `t` (resolved, auto-resolved or still open
    /// at the end): settle its per-incident metrics.
    fn end(&mut self, slot: u32, seq: u64, t: Instant, step: Step) {
        let Some(mut inc) = self.take_open(slot, seq) else { return };
        let mut last = std::mem::take(&mut inc.last);
        if last.capacity() <= SPARE_LAST {
            last.clear();
            self.spare_last.push(last);
        }
        if self.ended_at != t {
            self.ended.clear();
            self.ended_at = t;
        }
        self.ended.push((seq, inc.svc, inc.policy));
        let sla = self.sla(&inc);
        let routed = inc.policy.is_some();
        self.each_acc(inc.svc, inc.policy, |a| {
            match step {
                Step::AutoResolved => a.auto_resolved += 1,
                Step::OpenAtEnd => a.open_at_end += 1,
                Step::Resolved => {
                    a.mttr_sum += (t - inc.opened) as i128;
                    a.mttr_n += 1;
                }
                _ => {}
            }
            if routed && inc.pages == 0 {
                a.reached_nobody += 1;
            }
            if let Some(ack) = inc.ack {
                a.acknowledged += 1;
                a.mtta.add(ack - inc.opened);
            }
            if let Some(e) = inc.escalated {
                a.escalated += 1;
                a.tte_sum += (e - inc.opened) as i128;
            }
            // §5 SLA: open + SLA not after the end (the incident's end is
            // at or before the simulation's), not acked by the deadline and
            // not resolved before it
            if let Some(d) = sla {
                let deadline = inc.opened + d;
                if deadline <= t && inc.ack.is_none_or(|a| a > deadline) {
                    a.sla_breaches += 1;
                }
            }
        });
        if let Some(c) = self.charts.as_mut() {
            if routed {
                c.routed += 1;
                let k = inc.tiers_entered as usize;
                if c.funnel.len() < k {
                    c.funnel.resize(k, 0);
                }
                for x in c.funnel.iter_mut().take(k) {
                    *x += 1;
                }
            }
        }
    }

    /// The service's `ack-sla` for the incident's final severity.
    fn sla(&self, inc: &Inc) -> Option<i64> {
        *self.svc_sla.get(inc.svc as usize)?.get(inc.severity? as usize)?
    }

    fn on_page(&mut self, r: &TraceRecord) {
        let Some(person) = r.person else { return };
        let t = r.t;
        let (service, decided, mut last) = match self.open_mut(r) {
            Some(inc) => {
                inc.pages += 1;
                if r.escalation && inc.escalated.is_none() {
                    inc.escalated = Some(t);
                }
                (inc.svc, inc.policy, std::mem::take(&mut inc.last))
            }
            None => return,
        };
        let off = self.off_hours(person, t);
        // §5: pages under the policy whose tier caused them, `also` pages
        // under the decided policy
        let policy = r.policy.or(decided);
        let mut spare = std::mem::take(&mut self.spare);
        let mut next_id = self.window_pages;
        let mut made = 0u64;
        // every page steps accumulator 0 first, so a person with entries in
        // `last` has one for 0, followed by 1 and usually the policy's: one
        // search for the person, a look at the expected place, and a search
        // only when another policy's entry is there
        let first = last.iter().position(|&(k, p, _)| k == 0 && p == person);
        let mut step = |acc: u32, a: &mut Acc| {
            let is = |i: &usize| last.get(*i).is_some_and(|&(k, p, _)| k == acc && p == person);
            let slot = first.and_then(|i| Some(i + acc.min(2) as usize).filter(is).or_else(|| (i..last.len()).find(is)));
            let (new, pos) = a.page(person, t, next_id, slot.map(|i| last[i].2), off, &mut spare);
            next_id += 1;
            made += u64::from(new);
            match slot {
                Some(i) => last[i].2 = pos,
                None => last.push((acc, person, pos)),
            }
        };
        step(0, &mut self.total);
        step(1, self.service_acc(service));
        if let Some(p) = policy {
            step(2 + p, policy_acc(&mut self.by_policy, p));
        }
        self.spare = spare;
        self.sweep.pages += next_id - self.window_pages;
        self.sweep.windows += made;
        self.window_pages = next_id;
        if let Some(inc) = self.open_mut(r) {
            inc.last = last;
        }
        if let Some(c) = self.charts.as_mut() {
            let local = self.m.org.tz.timestamp_opt(t, 0).single();
            if let Some(l) = local {
                let (d, h) = (l.weekday().num_days_from_monday() as usize, l.hour() as usize);
                c.all_pages[d][h] += 1;
                if off == Some(true) {
                    c.off_hours[d][h] += 1;
                }
                let w = l.iso_week();
                *c.weekly.entry((person, format!("{}-W{:02}", w.year(), w.week()))).or_default() += 1;
            }
        }
        let since = self.sweep.at.get_or_insert(t);
        if t - *since >= HALF_DAY && self.sweep.pages >= self.sweep.windows {
            self.free_idle_windows(t);
        }
    }

    /// Free the windows whose latest page is 12 hours old or more: the
    /// next page drops all they hold anyway.
    fn free_idle_windows(&mut self, now: Instant) {
        let edge = now.saturating_sub(HALF_DAY);
        let spare = &mut self.spare;
        let accs = std::iter::once(&mut self.total).chain(self.services.iter_mut().map(|x| &mut x.1)).chain(self.by_policy.iter_mut().flatten());
        for a in accs {
            for x in a.people.values_mut() {
                if x.window.latest().is_some_and(|l| l <= edge) {
                    x.window.clear(spare);
                }
            }
        }
        self.sweep.at = Some(now);
        self.sweep.pages = 0;
    }

    /// The report, with the counts the trace does not carry.
    ///
    /// Consumes the collector. The breakdowns keep the accumulators and make
    /// each section only when it is read ([`Breakdown`]): with thousands of
    /// services the sections, made all at once, took as much memory as the
    /// whole simulation before them.
    pub fn report(mut self, counters: &Counters, reader_rejected: u64) -> Report {
        let span = match (self.first_event, self.last_event) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        // free what only the events needed before the sections are made
        self.open = Vec::new();
        self.ended = Vec::new();
        self.works = Vec::new();
        let m = self.m;
        let ctx = Arc::new(SectionCtx { names: m.persons.iter().map(|p| p.name.name.clone()).collect(), has_works: self.has_works, span });
        let mut metrics = ctx.section(&self.total, counters.suppressed_but_acked);
        metrics.insert("rejected_events".into(), Val::Count((counters.rejected_events + reader_rejected) as i64));
        metrics.insert("stale_events".into(), Val::Count(counters.stale_events as i64));
        // sorted in place: a copy of every accumulator would be the peak
        let sba = &counters.suppressed_but_acked_by_service;
        let mut services = self.services;
        // a service whose only alerts were suppressed and then acknowledged
        services.extend(sba.keys().filter(|s| !self.svc_index.contains_key(s.as_str())).map(|s| (Arc::from(s.as_str()), Acc::default())));
        let policies: Vec<(Arc<str>, Acc)> =
            self.by_policy.into_iter().enumerate().filter_map(|(p, a)| Some((m.policies.get(p).map_or_else(|| Arc::from(""), |x| Arc::from(x.name.name.as_str())), a?))).collect();
        let charts = self.charts.as_ref().map(|c| {
            let mut weekly: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
            for ((p, w), n) in &c.weekly {
                weekly.entry(ctx.person_name(*p)).or_default().insert(w.clone(), *n);
            }
            Box::new(Charts {
                weekly_pages: weekly,
                mtta: self.total.mtta.iter().collect(),
                funnel: c.funnel.clone(),
                routed: c.routed,
                off_hours: c.off_hours,
                all_pages: c.all_pages,
            })
        });
        let by_service = Breakdown::pending(ctx.clone(), services, sba.clone());
        Report { metrics, by_service, by_policy: Breakdown::pending(ctx, policies, BTreeMap::new()), charts }
    }
}

/// What a section needs besides its accumulator.
#[derive(Debug)]
struct SectionCtx {
    /// person index → name
    names: Vec<String>,
    has_works: Vec<bool>,
    /// first to last event (for `pages_per_person_week`)
    span: i64,
}

impl SectionCtx {
    fn person_name(&self, p: u32) -> String {
        self.names.get(p as usize).cloned().unwrap_or_else(|| format!("#{p}"))
    }

    fn has_works(&self, p: u32) -> bool {
        self.has_works.get(p as usize).copied().unwrap_or(false)
    }

    fn section(&self, a: &Acc, suppressed_but_acked: u64) -> Section {
        let mut s = Section::new();
        let mut count = |k: &str, v: u64| {
            s.insert(k.to_string(), Val::Count(v as i64));
        };
        count("alerts", a.alerts);
        count("incidents", a.incidents);
        count("suppressed", a.suppressed);
        count("deduplicated", a.deduplicated);
        count("unrouted", a.unrouted);
        count("reached_nobody", a.reached_nobody);
        count("acknowledged", a.acknowledged);
        count("exhausted", a.exhausted);
        count("auto_resolved", a.auto_resolved);
        count("open_at_end", a.open_at_end);
        count("lost_responders", a.lost_responders);
        count("suppressed_but_acked", suppressed_but_acked);
        count("unknown_severity", a.unknown_severity);
        count("escalated", a.escalated);
        count("pages", a.pages);
        count("max_pages_in_12h", a.max_pages_12h);
        count("max_incidents_in_12h", a.max_incidents_12h);
        count("sla_breaches", a.sla_breaches);
        let without_works = a.people.keys().filter(|&&p| !self.has_works(p)).count();
        count("paged_without_works", without_works as u64);
        s.insert("mtta_s".into(), Val::Stat(ratio(a.mtta.sum, a.mtta.n as i128, 3), 3));
        s.insert("mtta_p50_s".into(), Val::Stat(a.mtta.percentile(50), 0));
        s.insert("mtta_p90_s".into(), Val::Stat(a.mtta.percentile(90), 0));
        s.insert("mtta_max_s".into(), Val::Stat(a.mtta.max(), 0));
        s.insert("mttr_s".into(), Val::Stat(ratio(a.mttr_sum, a.mttr_n as i128, 3), 3));
        let routed = a.incidents.saturating_sub(a.unrouted);
        s.insert("escalation_rate".into(), Val::Stat(ratio(a.escalated as i128, routed as i128, 4), 4));
        s.insert("time_to_escalation_s".into(), Val::Stat(ratio(a.tte_sum, a.escalated as i128, 3), 3));
        let people = a.people.len() as i128;
        let ppw = ratio(a.pages as i128 * WEEK as i128, people * self.span.max(WEEK) as i128, 4);
        s.insert("pages_per_person_week".into(), Val::Stat(ppw, 4));
        let map = |works_only: bool, f: fn((u64, u64)) -> u64| {
            let people = a.people.iter().filter(|&(&p, _)| !works_only || self.has_works(p));
            Val::Map(people.map(|(&p, x)| (self.person_name(p), Val::Count(f(a.person_counts(p, x)) as i64))).collect())
        };
        s.insert("pages_by_person".into(), map(false, |c| c.0));
        s.insert("off_hours_pages_by_person".into(), map(true, |c| c.1));
        s
    }
}

/// A breakdown (`by_service`, `by_policy`): name → section, in name order.
///
/// A single run's breakdowns are *pending*: they hold the accumulators, and
/// a section is made when it is read and dropped by the reader — so writing
/// a report over 10,000 services needs one section's memory, not 10,000.
/// Those of `--runs` aggregates, deltas and tests are *built* maps.
#[derive(Debug, Clone)]
pub struct Breakdown(Parts);

#[derive(Debug, Clone)]
enum Parts {
    Built(BTreeMap<String, Section>),
    Pending(Arc<Pending>),
}

#[derive(Debug)]
struct Pending {
    ctx: Arc<SectionCtx>,
    /// (name, accumulator), sorted by name, names distinct
    entries: Vec<(Arc<str>, Acc)>,
    /// name → `suppressed_but_acked` (kept by the engine, not the trace)
    suppressed_but_acked: BTreeMap<String, u64>,
}

impl Pending {
    fn section(&self, name: &str, a: &Acc) -> Section {
        self.ctx.section(a, self.suppressed_but_acked.get(name).copied().unwrap_or(0))
    }
}

impl Breakdown {
    /// Entries may repeat a name: one of them is kept.
    fn pending(ctx: Arc<SectionCtx>, mut entries: Vec<(Arc<str>, Acc)>, suppressed_but_acked: BTreeMap<String, u64>) -> Breakdown {
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        entries.dedup_by(|later, first| later.0 == first.0);
        Breakdown(Parts::Pending(Arc::new(Pending { ctx, entries, suppressed_but_acked })))
    }

    /// (name, section) in name order.
    pub fn iter(&self) -> Box<dyn Iterator<Item = (&str, Cow<'_, Section>)> + '_> {
        match &self.0 {
            Parts::Built(m) => Box::new(m.iter().map(|(k, v)| (k.as_str(), Cow::Borrowed(v)))),
            Parts::Pending(p) => Box::new(p.entries.iter().map(|(k, a)| (&**k, Cow::Owned(p.section(k, a))))),
        }
    }

    pub fn get(&self, name: &str) -> Option<Cow<'_, Section>> {
        match &self.0 {
            Parts::Built(m) => m.get(name).map(Cow::Borrowed),
            Parts::Pending(p) => {
                let i = p.entries.binary_search_by(|e| (*e.0).cmp(name)).ok()?;
                let (k, a) = &p.entries[i];
                Some(Cow::Owned(p.section(k, a)))
            }
        }
    }

    /// Every section at once (borrowed when built).
    pub fn to_map(&self) -> Cow<'_, BTreeMap<String, Section>> {
        match &self.0 {
            Parts::Built(m) => Cow::Borrowed(m),
            Parts::Pending(_) => Cow::Owned(self.iter().map(|(k, v)| (k.to_string(), v.into_owned())).collect()),
        }
    }

    /// The same breakdown with every section made (for a reader that looks
    /// sections up by name many times).
    pub fn into_built(self) -> Breakdown {
        match self.0 {
            Parts::Built(_) => self,
            Parts::Pending(_) => Breakdown(Parts::Built(self.to_map().into_owned())),
        }
    }

    pub fn len(&self) -> usize {
        match &self.0 {
            Parts::Built(m) => m.len(),
            Parts::Pending(p) => p.entries.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Default for Breakdown {
    fn default() -> Self {
        Breakdown(Parts::Built(BTreeMap::new()))
    }
}

impl From<BTreeMap<String, Section>> for Breakdown {
    fn from(m: BTreeMap<String, Section>) -> Self {
        Breakdown(Parts::Built(m))
    }
}

impl FromIterator<(String, Section)> for Breakdown {
    fn from_iter<I: IntoIterator<Item = (String, Section)>>(it: I) -> Self {
        Breakdown(Parts::Built(it.into_iter().collect()))
    }
}

impl PartialEq for Breakdown {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().zip(other.iter()).all(|(a, b)| a == b)
    }
}

impl Sink for Collector<'_> {
    fn record(&mut self, r: &TraceRecord) {
        match r.step {
            Step::Opened => {
                let svc = self.record_service(r);
                let no_sev = r.no_severity;
                self.count_alert(svc, None, no_sev, |a| &mut a.incidents);
                let last = self.spare_last.pop().unwrap_or_default();
                self.open_insert(
                    r,
                    Inc { opened: r.t, svc, severity: r.severity, policy: None, pages: 0, ack: None, escalated: None, tiers_entered: 0, no_severity: no_sev, last },
                );
            }
            Step::Routed => {
                let Some(inc) = self.open_mut(r) else { return };
                inc.policy = r.policy;
                let no_severity = inc.no_severity;
                if let Some(p) = r.policy {
                    // the opening alert counts under the decided policy,
                    // known only now
                    count_alert(policy_acc(&mut self.by_policy, p), no_severity, |a| &mut a.incidents);
                }
            }
            Step::Unrouted => {
                let Some(inc) = self.open_ref(r) else { return };
                let svc = inc.svc;
                self.total.unrouted += 1;
                self.service_acc(svc).unrouted += 1;
            }
            Step::Folded => {
                let Some(inc) = self.open_ref(r) else { return };
                let (svc, policy) = (inc.svc, inc.policy);
                self.count_alert(svc, policy, r.no_severity, |a| &mut a.deduplicated);
            }
            Step::Suppressed => {
                let svc = self.record_service(r);
                self.count_alert(svc, None, r.no_severity, |a| &mut a.suppressed);
            }
            Step::TierEntered => {
                if let Some(inc) = self.open_mut(r) {
                    inc.tiers_entered += 1;
                }
            }
            Step::Paged => self.on_page(r),
            Step::Acknowledged => {
                if let Some(inc) = self.open_mut(r) {
                    inc.ack.get_or_insert(r.t);
                }
            }
            Step::Exhausted => {
                let Some(inc) = self.open_ref(r) else { return };
                let (svc, policy) = (inc.svc, inc.policy);
                self.each_acc(svc, policy, |a| a.exhausted += 1);
            }
            Step::LostResponder => {
                let found = match self.open_ref(r) {
                    Some(inc) => Some((inc.svc, inc.policy)),
                    None => self.ended.iter().find(|(s, _, _)| *s == r.seq).map(|&(_, s, p)| (s, p)),
                };
                let Some((svc, policy)) = found else { return };
                self.each_acc(svc, policy, |a| a.lost_responders += 1);
            }
            Step::Resolved | Step::AutoResolved | Step::OpenAtEnd => self.end(r.slot, r.seq, r.t, r.step),
            _ => {}
        }
    }
}

// ---------------------------------------------------------------------------
// --runs

/// `--runs`: each scalar becomes mean / p5 / p95 over the runs (runs where
/// it is null are left out), each map the mean per key (§5).
pub fn aggregate(runs: &[Report]) -> Report {
    let sections: Vec<&Section> = runs.iter().map(|r| &r.metrics).collect();
    let metrics = aggregate_sections(&sections);
    let by = |f: fn(&Report) -> &Breakdown| -> Breakdown {
        let maps: Vec<Cow<BTreeMap<String, Section>>> = runs.iter().map(|r| f(r).to_map()).collect();
        let mut keys: Vec<&String> = maps.iter().flat_map(|m| m.keys()).collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|k| {
                let empty = zero_section(maps.iter().find_map(|m| m.get(k)).expect("key comes from some run"));
                let secs: Vec<&Section> = maps.iter().map(|m| m.get(k).unwrap_or(&empty)).collect();
                // `empty` is borrowed by `secs`; aggregate before it drops
                let out = aggregate_sections(&secs);
                (k.clone(), out)
            })
            .collect()
    };
    Report {
        metrics,
        by_service: by(|r| &r.by_service),
        by_policy: by(|r| &r.by_policy),
        charts: runs.first().and_then(|r| r.charts.clone()),
    }
}

fn zero_section(s: &Section) -> Section {
    s.iter().map(|(k, v)| (k.clone(), zero_like(v))).collect()
}

fn aggregate_sections(secs: &[&Section]) -> Section {
    let Some(first) = secs.first() else { return Section::new() };
    first.keys().map(|k| (k.clone(), aggregate_vals(&secs.iter().filter_map(|s| s.get(k)).collect::<Vec<_>>()))).collect()
}

fn aggregate_vals(vals: &[&Val]) -> Val {
    match vals.first() {
        Some(Val::Map(_)) => {
            let mut keys: Vec<&String> = vals.iter().filter_map(|v| if let Val::Map(m) = v { Some(m.keys()) } else { None }).flatten().collect();
            keys.sort();
            keys.dedup();
            let n = vals.len() as i128;
            Val::Map(
                keys.into_iter()
                    .map(|k| {
                        let sum: i128 = vals.iter().map(|v| if let Val::Map(m) = v { m.get(k).map_or(0, |x| scaled_of(x, 0)) } else { 0 }).sum();
                        (k.clone(), Val::Stat(ratio(sum, n, 3), 3))
                    })
                    .collect(),
            )
        }
        Some(Val::Count(_)) => {
            let xs: Vec<i128> = vals.iter().map(|v| scaled_of(v, 0)).collect();
            agg_of(xs, 0, true)
        }
        Some(Val::Stat(_, dp)) => {
            let dp = *dp;
            let xs: Vec<i128> = vals.iter().filter_map(|v| if let Val::Stat(Some(x), _) = v { Some(scaled(*x, dp)) } else { None }).collect();
            agg_of(xs, dp, false)
        }
        Some(v @ Val::Agg(_)) => (*v).clone(),
        None => Val::Count(0),
    }
}

fn scaled_of(v: &Val, dp: u8) -> i128 {
    match v {
        Val::Count(n) => *n as i128 * pow10(dp),
        Val::Stat(Some(x), _) => scaled(*x, dp),
        _ => 0,
    }
}

/// Mean and nearest-rank p5/p95 of values scaled by 10^dp.
fn agg_of(mut xs: Vec<i128>, dp: u8, count: bool) -> Val {
    let mean_dp = dp.max(3);
    xs.sort_unstable();
    let n = xs.len() as u64;
    let pick = |p: u64| -> Option<f64> {
        if n == 0 {
            return None;
        }
        let v = xs[(nearest_rank(n, p) - 1) as usize];
        Some(v as f64 / pow10(dp) as f64)
    };
    let sum: i128 = xs.iter().sum();
    let mean = if n == 0 { None } else { Some(round_div(sum * pow10(mean_dp), n as i128 * pow10(dp)) as f64 / pow10(mean_dp) as f64) };
    Val::Agg(Box::new(Agg { mean, p5: pick(5), p95: pick(95), mean_dp, dp, count }))
}

// ---------------------------------------------------------------------------
// --against

/// What a value counts as when its key is present on one side only: 0 for
/// counts, null for means, percentiles and rates (§5).
pub fn zero_like(v: &Val) -> Val {
    match v {
        Val::Count(_) => Val::Count(0),
        Val::Stat(_, dp) => Val::Stat(None, *dp),
        Val::Map(_) => Val::Map(BTreeMap::new()),
        Val::Agg(a) => {
            let z = a.count.then_some(0.0);
            Val::Agg(Box::new(Agg { mean: z, p5: z, p95: z, ..(**a).clone() }))
        }
    }
}

fn sub(c: Option<f64>, b: Option<f64>, dp: u8) -> Option<f64> {
    Some((scaled(c?, dp) - scaled(b?, dp)) as f64 / pow10(dp) as f64)
}

/// candidate − baseline for every numeric value (§5).
pub fn delta_val(b: &Val, c: &Val) -> Val {
    match (b, c) {
        (Val::Count(x), Val::Count(y)) => Val::Count(y - x),
        (Val::Stat(x, dp), Val::Stat(y, _)) => Val::Stat(sub(*y, *x, *dp), *dp),
        (Val::Map(x), Val::Map(y)) => Val::Map(merge(x, y, zero_like, delta_val)),
        (Val::Agg(x), Val::Agg(y)) => Val::Agg(Box::new(Agg {
            mean: sub(y.mean, x.mean, x.mean_dp),
            p5: sub(y.p5, x.p5, x.dp),
            p95: sub(y.p95, x.p95, x.dp),
            ..(**x).clone()
        })),
        // shapes differ only if the reports do; keep the candidate's
        (_, c) => c.clone(),
    }
}

/// Combine two maps key by key; a key on one side only meets the other
/// side's `zero` of it (§5: 0 for counts, null for means and rates).
fn merge<V>(b: &BTreeMap<String, V>, c: &BTreeMap<String, V>, zero: impl Fn(&V) -> V, f: impl Fn(&V, &V) -> V) -> BTreeMap<String, V> {
    let mut keys: Vec<&String> = b.keys().chain(c.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let v = match (b.get(k), c.get(k)) {
                (Some(x), Some(y)) => f(x, y),
                (Some(x), None) => f(x, &zero(x)),
                (None, Some(y)) => f(&zero(y), y),
                (None, None) => return None,
            };
            Some((k.clone(), v))
        })
        .collect()
}

fn delta_section(b: &Section, c: &Section) -> Section {
    merge(b, c, zero_like, delta_val)
}

fn delta_by(b: &Breakdown, c: &Breakdown) -> Breakdown {
    merge(&b.to_map(), &c.to_map(), zero_section, delta_section).into()
}

/// The what-if: candidate − baseline.
pub fn delta(baseline: &Report, candidate: &Report) -> Report {
    Report {
        metrics: delta_section(&baseline.metrics, &candidate.metrics),
        by_service: delta_by(&baseline.by_service, &candidate.by_service),
        by_policy: delta_by(&baseline.by_policy, &candidate.by_policy),
        charts: None,
    }
}

// ---------------------------------------------------------------------------
// JSON

/// A value as JSON — counts and integer stats as integers, means and rates
/// as numbers with decimals, `--runs` values as `{"mean", "p5", "p95"}` —
/// written straight to the serializer: a report over
/// thousands of services is never copied into a `serde_json::Value` tree
/// (that copy was most of `simulate`'s peak memory).
struct ValJson<'a>(&'a Val);

/// A number with `dp` decimals: whole numbers as integers, null for none.
struct Num(Option<f64>, u8);

impl serde::Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            None => s.serialize_none(),
            Some(x) if self.1 == 0 => s.serialize_i64(x.round() as i64),
            Some(x) if x.is_finite() => s.serialize_f64(x),
            Some(_) => s.serialize_none(),
        }
    }
}

impl serde::Serialize for ValJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self.0 {
            Val::Count(n) => s.serialize_i64(*n),
            Val::Stat(x, dp) => Num(*x, *dp).serialize(s),
            Val::Map(m) => s.collect_map(m.iter().map(|(k, v)| (k, ValJson(v)))),
            Val::Agg(a) => {
                let mut o = s.serialize_map(Some(3))?;
                o.serialize_entry("mean", &Num(a.mean, a.mean_dp.max(1)))?;
                o.serialize_entry("p5", &Num(a.p5, a.dp))?;
                o.serialize_entry("p95", &Num(a.p95, a.dp))?;
                o.end()
            }
        }
    }
}

struct SectionJson<'a>(Cow<'a, Section>);

impl serde::Serialize for SectionJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, ValJson(v))))
    }
}

/// Section by section: a pending breakdown's sections are made one at a
/// time and dropped once written.
struct ByJson<'a>(&'a Breakdown);

impl serde::Serialize for ByJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, SectionJson(v))))
    }
}

/// `{"metrics": …, "by_service": …, "by_policy": …}`; `version`: with a
/// leading `"version": 1` (a whole `--format json` document).
pub struct ReportJson<'a> {
    pub report: &'a Report,
    pub version: bool,
}

impl serde::Serialize for ReportJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let r = self.report;
        let mut o = s.serialize_map(Some(3 + usize::from(self.version)))?;
        if self.version {
            o.serialize_entry("version", &1)?;
        }
        o.serialize_entry("metrics", &SectionJson(Cow::Borrowed(&r.metrics)))?;
        o.serialize_entry("by_service", &ByJson(&r.by_service))?;
        o.serialize_entry("by_policy", &ByJson(&r.by_policy))?;
        o.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(round_div(5, 2), 3);
        assert_eq!(round_div(-5, 2), -3);
        assert_eq!(round_div(4, 3), 1);
        assert_eq!(round_div(-4, 3), -1);
        assert_eq!(ratio(1, 3, 4), Some(0.3333));
        assert_eq!(ratio(2, 3, 3), Some(0.667));
        assert_eq!(ratio(1, 8, 2), Some(0.13), "0.125 rounds away from zero");
        assert_eq!(ratio(1, 0, 3), None, "empty set → null");
    }

    #[test]
    fn nearest_rank_percentiles() {
        // ranks ⌈p·n/100⌉
        assert_eq!(nearest_rank(10, 50), 5);
        assert_eq!(nearest_rank(10, 90), 9);
        assert_eq!(nearest_rank(11, 90), 10);
        assert_eq!(nearest_rank(1, 5), 1);
        assert_eq!(nearest_rank(20, 5), 1);
        assert_eq!(nearest_rank(21, 5), 2);
        let mut h = Hist::default();
        for v in [300, 60, 120, 60, 900] {
            h.add(v);
        }
        // sorted: 60 60 120 300 900
        assert_eq!(h.percentile(50), Some(120.0));
        assert_eq!(h.percentile(90), Some(900.0));
        assert_eq!(h.max(), Some(900.0));
        assert_eq!(Hist::default().percentile(50), None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// The compact histogram counts like a plain map of every value,
        /// negative and huge ones included.
        #[test]
        fn compact_histogram_counts_like_a_map(vs in proptest::collection::vec(proptest::prop_oneof![0i64..50, -5i64..5, proptest::prelude::any::<i64>(), proptest::strategy::Just(i64::from(u16::MAX)), proptest::strategy::Just(i64::from(u16::MAX) + 1), 65_000i64..66_000, 30i64..1300, 30i64..1300, 30i64..1300], 0..1500)) {
            let mut h = Hist::default();
            let mut want: BTreeMap<i64, u64> = BTreeMap::new();
            for &v in &vs {
                h.add(v);
                *want.entry(v).or_default() += 1;
            }
            proptest::prop_assert_eq!(h.iter().collect::<Vec<_>>(), want.iter().map(|(&v, &c)| (v, c)).collect::<Vec<_>>());
            proptest::prop_assert_eq!(h.max(), want.keys().next_back().map(|&v| v as f64));
            proptest::prop_assert_eq!(h.n, vs.len() as u64);
            for p in [5, 50, 90, 100] {
                let mut sorted = vs.clone();
                sorted.sort_unstable();
                let want_p = (!sorted.is_empty()).then(|| sorted[nearest_rank(sorted.len() as u64, p) as usize - 1] as f64);
                proptest::prop_assert_eq!(h.percentile(p), want_p);
            }
        }
    }

    #[test]
    fn a_count_past_u16_moves_to_the_wide_map() {
        let mut h = Hist { small: vec![(7, u16::MAX)], n: u64::from(u16::MAX), sum: 7 * i128::from(u16::MAX), ..Hist::default() };
        h.add(7);
        h.add(7);
        h.add(3);
        assert_eq!(h.iter().collect::<Vec<_>>(), vec![(3, 1), (7, u64::from(u16::MAX) + 2)]);
        assert!(h.small.iter().all(|e| e.0 != 7));
        // a value seen once is in `once`; seen again in `twice`; then a pair
        h.add(9);
        assert_eq!((h.once.iter().collect::<Vec<_>>(), h.twice.iter().count(), h.small.len()), (vec![3, 9], 0, 0));
        h.add(9);
        assert_eq!((h.once.iter().collect::<Vec<_>>(), h.twice.iter().collect::<Vec<_>>(), h.small.len()), (vec![3], vec![9], 0));
        h.add(9);
        assert_eq!((h.twice.iter().count(), h.small.clone()), (0, vec![(9, 3)]));
    }

    /// Dense values end up in a bitmap (8 bytes a 64-second word), sparse
    /// ones stay in the list; the set answers the same either way.
    #[test]
    fn seen_sets_turn_dense_stretches_into_bitmaps() {
        let mut s = Seen::default();
        let mut want = std::collections::BTreeSet::new();
        // 600 distinct delays between 30 s and 1,229 s, and three far ones
        for i in 0..600u32 {
            let v = (30 + (i * 7919) % 1200) as u16;
            if want.insert(v) {
                s.insert(v);
            }
        }
        for v in [5, 40_000, 65_535] {
            want.insert(v);
            s.insert(v);
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), want.iter().copied().collect::<Vec<_>>());
        assert_eq!(s.last(), Some(65_535));
        assert!(s.bits.len() <= 20, "the dense stretch is one bitmap of {} words", s.bits.len());
        assert!(s.list.len() < 64, "{} values left in the list", s.list.len());
        for v in [5, 40_000, 65_535, 30, 1229, 600] {
            assert_eq!(s.remove(v), want.remove(&v), "{v}");
            assert!(!s.remove(v), "{v} is gone");
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), want.iter().copied().collect::<Vec<_>>());
        assert_eq!(s.last(), want.iter().next_back().copied());
        // sparse values never pay for a bitmap
        let mut sparse = Seen::default();
        for v in (0..200u16).map(|i| i * 300) {
            sparse.insert(v);
        }
        assert!(sparse.bits.is_empty());
        assert_eq!(sparse.iter().count(), 200);
    }

    #[test]
    fn twelve_hour_windows_are_half_open() {
        let mut w = Window::default();
        let mut spare = Vec::new();
        // `fresh` 0, 1, … as the collector hands it out; a fresh box
        // numbers its entries from the first
        let mut add = |w: &mut Window, t: Instant, fresh: u64, prev: Option<u64>| w.add(t, fresh, prev, &mut spare);
        assert_eq!(add(&mut w, 0, 0, None), (1, 1, 0)); // incident 1
        assert_eq!(add(&mut w, 100, 1, Some(0)), (2, 1, 1));
        assert_eq!(add(&mut w, 100, 2, Some(1)), (3, 1, 2), "incident 1 again");
        assert_eq!(add(&mut w, HALF_DAY - 1, 3, None), (4, 2, 3), "[0, 12h) holds them all"); // incident 2
        assert_eq!(add(&mut w, HALF_DAY, 4, Some(3)), (4, 2, 4), "the page at 0 is out of (0, 12h]; those at 100 are in");
        assert_eq!(add(&mut w, HALF_DAY + 100, 5, None), (3, 2, 5), "incident 1's pages at 100 have left"); // incident 3
        // a position that has left the window, or that the window has not
        // handed out, changes nothing
        assert_eq!(add(&mut w, HALF_DAY + 101, 9, Some(2)), (4, 3, 6));
        assert_eq!(add(&mut w, HALF_DAY + 102, 10, Some(40)), (5, 4, 7));
        // the live entry of incident 3 (position 5) stops being live
        assert_eq!(add(&mut w, HALF_DAY + 103, 11, Some(5)), (6, 4, 8));
        w.clear(&mut spare);
        assert!(w.held.is_none(), "an idle window holds no box");
        assert_eq!(spare.len(), 1, "its emptied box is kept for reuse");
        assert!(spare[0].pages.is_empty() && spare[0].live == 0);
        // the reused box numbers from `fresh` (12): positions kept from
        // before the clear, 8 and below, are gone
        assert_eq!(w.add(3 * HALF_DAY, 12, Some(8), &mut spare), (1, 1, 12), "the reused box starts empty");
        assert!(spare.is_empty(), "and was taken from the spares");
        assert_eq!(w.add(3 * HALF_DAY + 1, 13, Some(12), &mut spare), (2, 1, 13), "and finds its own entries");
    }

    /// Entries pack the instant and the live flag in one word: instants
    /// before 1970 and far in the future read back whole.
    #[test]
    fn window_entries_keep_their_instant_and_flag() {
        for t in [-62_135_596_800, -HALF_DAY - 1, -1, 0, 1, 253_402_300_799] {
            for live in [false, true] {
                assert_eq!((entry_at(entry(t, live)), entry_live(entry(t, live)) == 1), (t, live));
            }
        }
        let mut w = Window::default();
        let mut spare = Vec::new();
        assert_eq!(w.add(-HALF_DAY - 1, 0, None, &mut spare), (1, 1, 0));
        assert_eq!(w.add(-1, 1, Some(0), &mut spare), (1, 1, 1), "the page 12 h before has left (-12h-1 is out of (-12h-1, -1])");
        assert_eq!(w.add(0, 2, None, &mut spare), (2, 2, 2));
        assert_eq!(w.latest(), Some(0));
    }

    /// Counts past 2^32 − 1 carry instead of wrapping.
    #[test]
    fn person_counts_carry_past_32_bits() {
        let mut a = Acc::default();
        let mut spare = Vec::new();
        a.page(4, 0, 0, None, Some(true), &mut spare);
        if let Some(x) = a.people.get_mut(&4) {
            (x.pages, x.off_hours) = (u32::MAX, u32::MAX - 1);
        }
        a.page(4, 1, 1, None, Some(true), &mut spare);
        a.page(4, 2, 2, None, Some(false), &mut spare);
        let x = a.people[&4].clone();
        assert_eq!(a.person_counts(4, &x), (u64::from(u32::MAX) + 2, u64::from(u32::MAX)));
        a.page(4, 3, 3, None, Some(true), &mut spare);
        let x = a.people[&4].clone();
        assert_eq!(a.person_counts(4, &x), (u64::from(u32::MAX) + 3, u64::from(u32::MAX) + 1));
        assert_eq!(std::mem::size_of::<PersonAcc>(), 16);
    }

    /// A box that grew past [`SPARE_PAGES`] entries is freed, not kept.
    #[test]
    fn only_small_window_boxes_are_kept_for_reuse() {
        let mut spare = Vec::new();
        let mut w = Window::default();
        for t in 0..=SPARE_PAGES as u64 {
            w.add(t as i64, t, None, &mut spare);
        }
        w.clear(&mut spare);
        assert!(spare.is_empty() && w.held.is_none());
        w.add(0, 100, None, &mut spare);
        w.clear(&mut spare);
        assert_eq!(spare.len(), 1);
    }

    fn policies() -> crate::workspace::Workspace {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
        crate::workspace::load(&[root]).expect("policies/ loads")
    }

    /// Off hours are read from a cached span: every answer is the one the
    /// person's `works` hours give at that instant, across a week's edge
    /// and backwards jumps (another collector's clock).
    #[test]
    fn off_hours_from_the_cache_agree_with_the_works_hours() {
        let ws = policies();
        let m = &ws.model;
        let people: Vec<usize> = (0..m.persons.len()).filter(|&p| !m.persons[p].works.is_empty()).collect();
        assert!(!people.is_empty(), "policies/ has people with `works`");
        let mut c = Collector::new(m, false);
        let start = 1_782_864_000;
        let mut times: Vec<Instant> = (0..(16 * 24 * 4)).map(|k| start + k * 900 + k % 7).collect();
        times.extend([start + 3 * 86_400, start - 1, start + 20 * 86_400, start + 2 * 86_400 + 1]);
        let mut flips = 0;
        for &p in &people {
            let mut prev = None;
            for &t in &times {
                let a = t - t.rem_euclid(86_400);
                let want = !crate::time::works_intervals(m, &m.persons[p], a, a + WEEK).unwrap_or_default().contains(t);
                assert_eq!(c.off_hours(p as u32, t), Some(want), "person {p} at {t}");
                flips += u32::from(prev.is_some_and(|x| x != want));
                prev = Some(want);
            }
        }
        assert!(flips > 20, "the instants cross many edges of the works hours ({flips})");
    }

    /// A record of incident `seq` (named `I{seq}`) of service `svc`, kept
    /// by the engine at `slot`.
    fn record(svc: &Name, t: Instant, seq: u64, slot: u32, step: Step) -> TraceRecord {
        let mut r = TraceRecord::new(t, Name::new(format!("I{seq}")), seq, step);
        r.slot = slot;
        r.service = Some(svc.clone());
        r
    }

    /// Open incidents are kept by the engine's slot, which a later incident
    /// reuses: a record of the ended incident must not reach the new one.
    #[test]
    fn a_record_of_an_ended_incident_does_not_reach_the_next_one_in_its_slot() {
        let ws = policies();
        let svc: Name = Name::new(ws.model.services[0].name.name.as_str());
        let mut c = Collector::new(&ws.model, false);
        let rec = |t: Instant, seq: u64, step: Step| record(&svc, t, seq, 0, step);
        c.record(&rec(0, 1, Step::Opened));
        c.record(&rec(10, 1, Step::Resolved));
        c.record(&rec(20, 2, Step::Opened));
        c.record(&rec(30, 1, Step::Acknowledged));
        c.record(&rec(40, 2, Step::Resolved));
        assert_eq!((c.total.incidents, c.total.acknowledged, c.total.mttr_n, c.total.mttr_sum), (2, 0, 2, 30));
    }

    /// A record's service is found by the model's index when it carries
    /// one and by name otherwise: the same accumulator either way, and
    /// another service's index reaches another service's.
    #[test]
    fn a_service_counts_the_same_by_index_and_by_name() {
        let ws = policies();
        let names: Vec<Name> = ws.model.services.iter().take(2).map(|s| Name::new(s.name.name.as_str())).collect();
        let mut c = Collector::new(&ws.model, false);
        let opened = |svc: usize, seq: u64, indexed: bool| {
            let mut r = record(&names[svc], seq as i64, seq, seq as u32, Step::Opened);
            r.service_index = indexed.then_some(svc as u32);
            r
        };
        for (svc, seq, indexed) in [(1, 1, true), (0, 2, false), (0, 3, true), (1, 4, false), (1, 5, true), (0, 6, true), (1, 7, true)] {
            c.record(&opened(svc, seq, indexed));
        }
        let counts: Vec<(String, u64)> = c.services.iter().map(|(n, a)| (n.to_string(), a.incidents)).collect();
        // accumulators in order of first use: service 1's first
        assert_eq!(counts, vec![(names[1].to_string(), 4), (names[0].to_string(), 3)]);
    }

    /// An incident counts once in a person's 12-hour window however often
    /// it pages them, also when its pages alternate between policies (a
    /// handoff): each accumulator follows the incident's latest page in
    /// its own window, and another policy's entry is never taken for it.
    #[test]
    fn an_incident_counts_once_per_window_across_policies() {
        let ws = policies();
        let svc: Name = Name::new(ws.model.services[0].name.name.as_str());
        let mut c = Collector::new(&ws.model, false);
        let page = |t: Instant, person: u32, policy: u32| {
            let mut r = record(&svc, t, 1, 0, Step::Paged);
            r.person = Some(person);
            r.policy = Some(policy);
            r
        };
        c.record(&record(&svc, 0, 1, 0, Step::Opened));
        c.record(&page(0, 0, 0));
        c.record(&page(10, 1, 0));
        c.record(&page(20, 0, 1));
        c.record(&page(30, 0, 0));
        c.record(&page(40, 0, 1));
        c.record(&page(50, 1, 1));
        let acc = |p: usize| c.by_policy.get(p).and_then(Option::as_ref).map(|a| (a.pages, a.max_pages_12h, a.max_incidents_12h));
        assert_eq!((c.total.pages, c.total.max_pages_12h, c.total.max_incidents_12h), (6, 4, 1));
        assert_eq!(acc(0), Some((3, 2, 1)));
        assert_eq!(acc(1), Some((3, 2, 1)));
    }

    /// A window is freed once its latest page is 12 hours old, by the
    /// next sweep: 12 hours after the last one, once as many pages were
    /// counted since as there are windows. Not kept for the rest of the run.
    #[test]
    fn idle_windows_are_freed_once_their_latest_page_is_12_hours_old() {
        let ws = policies();
        let svc: Name = Name::new(ws.model.services[0].name.name.as_str());
        let mut c = Collector::new(&ws.model, false);
        let rec = |t: Instant, seq: u64, step: Step, person: Option<u32>| {
            let mut r = record(&svc, t, seq, seq as u32, step);
            r.person = person;
            r
        };
        c.record(&rec(0, 1, Step::Opened, None));
        c.record(&rec(0, 1, Step::Paged, Some(0)));
        c.record(&rec(10, 1, Step::Paged, Some(1)));
        let held = |c: &Collector, p: u32| c.total.people.get(&p).map(|x| x.window.held.is_some());
        assert_eq!((held(&c, 0), held(&c, 1)), (Some(true), Some(true)));
        assert_eq!((c.sweep.at, c.sweep.pages, c.sweep.windows), (Some(0), 4, 4), "total and service, two people");
        // 12 hours after the first page, 6 pages for 6 windows: a sweep,
        // whose edge is HALF_DAY + 5 − 12 h = 5: the page at 0 is out, the
        // one at 10 in
        c.record(&rec(HALF_DAY + 5, 2, Step::Opened, None));
        c.record(&rec(HALF_DAY + 5, 2, Step::Paged, Some(2)));
        assert_eq!((held(&c, 0), held(&c, 1), held(&c, 2)), (Some(false), Some(true), Some(true)));
        assert_eq!(c.services[0].1.people.get(&0).map(|x| x.window.held.is_some()), Some(false), "the service's window too");
        assert_eq!(c.spare.len(), 2, "both freed boxes are kept for reuse");
        assert_eq!(c.total.people[&0].pages, 1, "the counts stay");
        assert_eq!((c.sweep.at, c.sweep.pages), (Some(HALF_DAY + 5), 0));
        // person 1's page is 12 hours old now, but the next sweep is not due
        c.record(&rec(HALF_DAY + 10, 2, Step::Paged, Some(2)));
        assert_eq!(held(&c, 1), Some(true));
        // 12 hours after the sweep, but 4 pages for 6 windows: not yet
        c.record(&rec(2 * HALF_DAY + 5, 2, Step::Paged, Some(2)));
        assert_eq!(held(&c, 1), Some(true));
        c.record(&rec(2 * HALF_DAY + 6, 2, Step::Paged, Some(2)));
        assert_eq!((held(&c, 1), held(&c, 2)), (Some(false), Some(true)));
        assert_eq!((c.sweep.at, c.sweep.pages, c.sweep.windows), (Some(2 * HALF_DAY + 6), 0, 6));
    }

    #[test]
    fn deltas_follow_the_missing_key_rules() {
        let mut b = Section::new();
        b.insert("pages".into(), Val::Count(4));
        b.insert("mtta_s".into(), Val::Stat(Some(240.0), 3));
        b.insert("pages_by_person".into(), Val::Map([("erin".to_string(), Val::Count(3))].into_iter().collect()));
        let mut c = Section::new();
        c.insert("pages".into(), Val::Count(1));
        c.insert("mtta_s".into(), Val::Stat(None, 3));
        c.insert("pages_by_person".into(), Val::Map([("bob".to_string(), Val::Count(1))].into_iter().collect()));
        let d = delta_section(&b, &c);
        assert_eq!(d["pages"], Val::Count(-3));
        assert_eq!(d["mtta_s"], Val::Stat(None, 3), "null on one side → null");
        let Val::Map(m) = &d["pages_by_person"] else { panic!("map") };
        assert_eq!(m["erin"], Val::Count(-3), "missing on one side counts as 0");
        assert_eq!(m["bob"], Val::Count(1));
        // a by_service entry on one side only: counts against 0, means null
        let base = Report { metrics: b.clone(), by_service: [("s".to_string(), b.clone())].into_iter().collect(), ..Report::default() };
        let cand = Report { metrics: b.clone(), ..Report::default() };
        let d = delta(&base, &cand);
        let s = d.by_service.get("s").expect("a one-sided service is kept");
        assert_eq!(s["pages"], Val::Count(-4));
        assert_eq!(s["mtta_s"], Val::Stat(None, 3));
        // floating differences are exact at the metric's decimals
        assert_eq!(delta_val(&Val::Stat(Some(0.1), 4), &Val::Stat(Some(0.3), 4)), Val::Stat(Some(0.2), 4));
    }

    #[test]
    fn runs_aggregate_mean_and_nearest_rank_bounds() {
        let reports: Vec<Report> = (1..=20)
            .map(|i| {
                let mut s = Section::new();
                s.insert("pages".into(), Val::Count(i));
                s.insert("mtta_s".into(), Val::Stat(if i % 2 == 0 { Some(i as f64 * 10.0) } else { None }, 3));
                s.insert("pages_by_person".into(), Val::Map([("erin".to_string(), Val::Count(i))].into_iter().collect()));
                Report { metrics: s, ..Report::default() }
            })
            .collect();
        let a = aggregate(&reports);
        let Val::Agg(p) = &a.metrics["pages"] else { panic!("agg") };
        assert_eq!((p.mean, p.p5, p.p95), (Some(10.5), Some(1.0), Some(19.0)));
        // nulls are left out: 20, 40, …, 200 (10 values)
        let Val::Agg(m) = &a.metrics["mtta_s"] else { panic!("agg") };
        assert_eq!((m.mean, m.p5, m.p95), (Some(110.0), Some(20.0), Some(200.0)));
        let Val::Map(pp) = &a.metrics["pages_by_person"] else { panic!("map") };
        assert_eq!(pp["erin"], Val::Stat(Some(10.5), 3));
        let j = serde_json::to_string(&ValJson(&a.metrics["pages"])).expect("serialises");
        assert_eq!(j, r#"{"mean":10.5,"p5":1,"p95":19}"#);
    }
}
