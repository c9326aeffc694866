//! Time: the one module that answers "who is on call at t", "is t inside
//! hours H" and "where does schedule S yield nobody between a and b".
//!
//! Instants are Unix seconds (UTC). Every interval is half-open `[a, b)`.
//! Local wall times are read by the SPEC §2 rules: a time inside a
//! spring-forward gap means the first instant after the gap; a time that
//! occurs twice (autumn overlap) means its first occurrence.
//!
//! The interval algorithm never steps minute by minute: windows are
//! expanded per local day, rotations per shift, and the layers and
//! overrides of a schedule are combined over their boundaries only. The
//! property tests compare it with a pointwise oracle (`on_call_at`).

use crate::model::Model;
use crate::syntax::ast::{DateTimeLit, Layer, RotationKind, Schedule, Window, WindowsOrHours};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike};
use chrono_tz::Tz;

pub type Instant = i64;

/// A sorted list of disjoint, non-adjacent half-open intervals.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntervalSet(pub Vec<(Instant, Instant)>);

impl IntervalSet {
    pub fn from_unsorted(mut v: Vec<(Instant, Instant)>) -> IntervalSet {
        v.retain(|(a, b)| b > a);
        v.sort_unstable();
        let mut out: Vec<(Instant, Instant)> = Vec::with_capacity(v.len());
        for (a, b) in v {
            match out.last_mut() {
                Some(last) if a <= last.1 => last.1 = last.1.max(b),
                _ => out.push((a, b)),
            }
        }
        IntervalSet(out)
    }
    pub fn full(a: Instant, b: Instant) -> IntervalSet {
        IntervalSet::from_unsorted(vec![(a, b)])
    }
    pub fn contains(&self, t: Instant) -> bool {
        self.run_at(t).0
    }
    /// Whether `t` is in the set, and the span `[from, until)` around `t`
    /// over which that stays so (unbounded ends as `Instant::MIN`/`MAX`).
    pub fn run_at(&self, t: Instant) -> (bool, Instant, Instant) {
        let i = self.0.partition_point(|&(a, _)| a <= t);
        match i.checked_sub(1).map(|j| self.0[j]) {
            Some((a, b)) if t < b => (true, a, b),
            prev => (false, prev.map_or(Instant::MIN, |(_, b)| b), self.0.get(i).map_or(Instant::MAX, |&(a, _)| a)),
        }
    }
    pub fn union(&self, o: &IntervalSet) -> IntervalSet {
        let mut v = self.0.clone();
        v.extend_from_slice(&o.0);
        IntervalSet::from_unsorted(v)
    }
    pub fn intersect(&self, o: &IntervalSet) -> IntervalSet {
        let (mut i, mut j) = (0, 0);
        let mut out = Vec::new();
        while i < self.0.len() && j < o.0.len() {
            let (a1, b1) = self.0[i];
            let (a2, b2) = o.0[j];
            let a = a1.max(a2);
            let b = b1.min(b2);
            if a < b {
                out.push((a, b));
            }
            if b1 < b2 {
                i += 1;
            } else {
                j += 1;
            }
        }
        IntervalSet(out)
    }
    /// `[a, b)` minus this set.
    pub fn complement_within(&self, a: Instant, b: Instant) -> IntervalSet {
        let mut out = Vec::new();
        let mut cur = a;
        for &(x, y) in &self.0 {
            if y <= cur {
                continue;
            }
            if x >= b {
                break;
            }
            if x > cur {
                out.push((cur, x.min(b)));
            }
            cur = cur.max(y);
        }
        if cur < b {
            out.push((cur, b));
        }
        IntervalSet(out)
    }
    pub fn total(&self) -> i64 {
        self.0.iter().map(|(a, b)| b - a).sum()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A local wall time in `tz` as an instant, by the SPEC's rules: inside a
/// spring-forward gap, the first instant after the gap; in an autumn
/// overlap, the first occurrence. Uses a per-thread table of the zone's
/// offset changes per year, so it costs a hash lookup and a scan of a few
/// entries; `resolve_local_exact` is the direct (slow) reading it is
/// tested against.
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> Instant {
    let l = local.and_utc().timestamp();
    zones::with_table(tz, local.year(), |periods| {
        // periods: (utc start, offset) sorted; each runs to the next start
        let mut best: Option<Instant> = None;
        for (i, &(start, off)) in periods.iter().enumerate() {
            let end = periods.get(i + 1).map(|p| p.0).unwrap_or(Instant::MAX);
            let u = l - i64::from(off);
            if start <= u && u < end {
                best = Some(best.map_or(u, |b: Instant| b.min(u)));
            }
        }
        if let Some(u) = best {
            return Some(u);
        }
        // in a gap: the transition that skipped over this wall time
        for w in periods.windows(2) {
            let (prev_off, (start, off)) = (w[0].1, w[1]);
            if start + i64::from(prev_off) <= l && l < start + i64::from(off) {
                return Some(start);
            }
        }
        None
    })
    .unwrap_or_else(|| resolve_local_exact(tz, local))
}

/// The SPEC's local-time rules read directly through chrono-tz.
pub fn resolve_local_exact(tz: Tz, local: NaiveDateTime) -> Instant {
    match tz.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.timestamp(),
        chrono::LocalResult::Ambiguous(a, b) => a.timestamp().min(b.timestamp()),
        chrono::LocalResult::None => {
            // Inside a gap: the first valid instant after it. Gaps in the tz
            // database are whole minutes long and shorter than a day.
            let start = local.with_second(0).unwrap_or(local);
            let mut probe = start;
            for _ in 0..(26 * 60) {
                probe += Duration::minutes(1);
                if let Some(t) = tz.from_local_datetime(&probe).earliest() {
                    return t.timestamp();
                }
            }
            tz.from_utc_datetime(&local).timestamp()
        }
    }
}

mod zones {
    //! Per-thread tables of a zone's UTC offsets, one per (zone, year).
    use super::Instant;
    use chrono::{Offset, TimeZone};
    use chrono_tz::Tz;
    use std::cell::RefCell;
    use std::collections::HashMap;

    type Periods = Vec<(Instant, i32)>;

    type Table = std::rc::Rc<Periods>;

    thread_local! {
        static TABLES: RefCell<HashMap<(Tz, i32), Table>> = RefCell::new(HashMap::new());
        /// the table used last: consecutive calls nearly always want it again
        static LAST: RefCell<Option<((Tz, i32), Table)>> = const { RefCell::new(None) };
    }

    pub(super) fn offset(tz: Tz, t: Instant) -> i32 {
        match chrono::DateTime::from_timestamp(t, 0) {
            Some(d) => tz.offset_from_utc_datetime(&d.naive_utc()).fix().local_minus_utc(),
            None => 0,
        }
    }

    /// Offset changes from two days before the year to two days after it.
    fn build(tz: Tz, year: i32) -> Option<Periods> {
        let a = chrono::NaiveDate::from_ymd_opt(year, 1, 1)?.and_hms_opt(0, 0, 0)?.and_utc().timestamp() - 2 * 86_400;
        let b = chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)?.and_hms_opt(0, 0, 0)?.and_utc().timestamp() + 2 * 86_400;
        let mut periods = vec![(Instant::MIN, offset(tz, a))];
        let mut t = a;
        // offsets change at most a few times a year and never twice within
        // six hours: step by 6 h and bisect each change to the second
        while t < b {
            let n = t + 6 * 3600;
            let (o1, o2) = (offset(tz, t), offset(tz, n));
            if o1 != o2 {
                let (mut lo, mut hi) = (t, n);
                while hi - lo > 1 {
                    let mid = lo + (hi - lo) / 2;
                    if offset(tz, mid) == o1 {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                periods.push((hi, o2));
            }
            t = n;
        }
        Some(periods)
    }

    pub fn with_table<R>(tz: Tz, year: i32, f: impl FnOnce(&[(Instant, i32)]) -> Option<R>) -> Option<R> {
        let last = LAST.with(|l| l.borrow().as_ref().filter(|(k, _)| *k == (tz, year)).map(|(_, t)| t.clone()));
        if let Some(t) = last {
            return f(&t);
        }
        let table = TABLES.with(|t| {
            let mut map = t.borrow_mut();
            if let Some(p) = map.get(&(tz, year)) {
                return Some(p.clone());
            }
            if map.len() > 4096 {
                map.clear();
            }
            let p = std::rc::Rc::new(build(tz, year)?);
            map.insert((tz, year), p.clone());
            Some(p)
        })?;
        LAST.with(|l| *l.borrow_mut() = Some(((tz, year), table.clone())));
        f(&table)
    }
}

/// The UTC offset of `tz` at `t`, in seconds (local minus UTC).
pub fn utc_offset(tz: Tz, t: Instant) -> i32 {
    zones::offset(tz, t)
}

/// The wall time of `t` in `tz`.
pub fn to_local(tz: Tz, t: Instant) -> Option<NaiveDateTime> {
    tz.timestamp_opt(t, 0).single().map(|x| x.naive_local())
}

pub fn datetime_instant(tz: Tz, d: &DateTimeLit) -> Instant {
    match d {
        DateTimeLit::Local(l) => resolve_local(tz, *l),
        DateTimeLit::Fixed(f) => f.timestamp(),
    }
}

fn local_date(tz: Tz, t: Instant) -> NaiveDate {
    tz.timestamp_opt(t, 0).single().map(|x| x.date_naive()).unwrap_or_default()
}

fn at_minutes(d: NaiveDate, min: u16) -> NaiveDateTime {
    let days = i64::from(min / 1440);
    let m = u32::from(min % 1440);
    let t = NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or_default();
    NaiveDateTime::new(d, t) + Duration::days(days)
}

/// The instants of one window occurrence starting on local date `d`.
fn occurrence(tz: Tz, w: &Window, d: NaiveDate) -> (Instant, Instant) {
    let s = resolve_local(tz, at_minutes(d, w.start_min));
    let end = if w.end_min > w.start_min { at_minutes(d, w.end_min) } else { at_minutes(d, w.end_min + 1440) };
    (s, resolve_local(tz, end))
}

/// Where weekly windows (in `tz`) hold within `[a, b)`.
pub fn windows_intervals(tz: Tz, windows: &[Window], a: Instant, b: Instant) -> IntervalSet {
    if a >= b || windows.is_empty() {
        return IntervalSet::default();
    }
    let first = local_date(tz, a) - Duration::days(1);
    let last = local_date(tz, b);
    let mut v = Vec::new();
    let mut d = first;
    while d <= last {
        let wd = d.weekday().num_days_from_monday() as usize;
        for w in windows {
            if w.days[wd] {
                let (s, e) = occurrence(tz, w, d);
                let (s, e) = (s.max(a), e.min(b));
                if e > s {
                    v.push((s, e));
                }
            }
        }
        d += Duration::days(1);
    }
    IntervalSet::from_unsorted(v)
}

/// Pointwise: is `t` inside one of the windows?
pub fn windows_contain(tz: Tz, windows: &[Window], t: Instant) -> bool {
    let d0 = local_date(tz, t);
    for back in 0..=1 {
        let d = d0 - Duration::days(back);
        let wd = d.weekday().num_days_from_monday() as usize;
        for w in windows {
            if w.days[wd] {
                let (s, e) = occurrence(tz, w, d);
                if s <= t && t < e {
                    return true;
                }
            }
        }
    }
    false
}

/// The local days of calendars, as instants in `tz`, within `[a, b)`.
fn calendar_days(model: &Model, tz: Tz, cals: &[crate::syntax::ast::Ident], a: Instant, b: Instant) -> IntervalSet {
    let mut v = Vec::new();
    for c in cals {
        if let Some(cal) = model.calendar(&c.name) {
            for d in &cal.dates {
                let s = resolve_local(tz, at_minutes(d.value, 0));
                let e = resolve_local(tz, at_minutes(d.value, 1440));
                if e > a && s < b {
                    v.push((s.max(a), e.min(b)));
                }
            }
        }
    }
    IntervalSet::from_unsorted(v)
}

/// `works`, `only`, `within`/`outside`: windows in `tz` or an hours name.
pub fn when_intervals(model: &Model, tz: Tz, w: &WindowsOrHours, a: Instant, b: Instant) -> IntervalSet {
    match w {
        WindowsOrHours::Windows(ws) => windows_intervals(tz, ws, a, b),
        WindowsOrHours::Hours(h) => match model.hours_named(&h.name) {
            Some(h) => hours_intervals(model, h, a, b),
            None => IntervalSet::default(),
        },
    }
}

/// Where hours H hold within `[a, b)`, holidays removed.
pub fn hours_intervals(model: &Model, h: &crate::syntax::ast::Hours, a: Instant, b: Instant) -> IntervalSet {
    let tz = model.zone(&h.tz);
    let base = windows_intervals(tz, &h.windows, a, b);
    if h.except.is_empty() {
        return base;
    }
    let holes = calendar_days(model, tz, &h.except, a, b);
    base.intersect(&holes.complement_within(a, b))
}

/// A person's working hours within `[a, b)` (None: no `works`).
pub fn works_intervals(model: &Model, p: &crate::syntax::ast::Person, a: Instant, b: Instant) -> Option<IntervalSet> {
    if p.works.is_empty() {
        return None;
    }
    let tz = model.zone(&p.tz);
    let mut all = IntervalSet::default();
    for w in &p.works {
        let mut s = when_intervals(model, tz, &w.when, a, b);
        if !w.except.is_empty() {
            let holes = calendar_days(model, tz, &w.except, a, b);
            s = s.intersect(&holes.complement_within(a, b));
        }
        all = all.union(&s);
    }
    Some(all)
}

/// Who a segment of a schedule belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// index into the model's persons
    Person(usize),
    /// a gap in the layers
    Nobody,
    /// a deliberate gap (`override nobody`)
    NobodyOverride,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub start: Instant,
    pub end: Instant,
    pub who: Who,
}

/// Shift k of a rotating layer: its start instant.
fn shift_start(tz: Tz, kind: &RotationKind, from: &DateTimeLit, k: i64) -> Instant {
    match kind {
        RotationKind::Every(d) => datetime_instant(tz, from) + k * d,
        RotationKind::Daily | RotationKind::Weekly => {
            let step = if matches!(kind, RotationKind::Daily) { 1 } else { 7 };
            let local = match from {
                DateTimeLit::Local(l) => *l,
                DateTimeLit::Fixed(f) => {
                    if k == 0 {
                        return f.timestamp();
                    }
                    f.with_timezone(&tz).naive_local()
                }
            };
            resolve_local(tz, local + Duration::days(k * step))
        }
    }
}

fn rotation_step_secs(kind: &RotationKind) -> i64 {
    match kind {
        RotationKind::Every(d) => (*d).max(1),
        RotationKind::Daily => 86_400,
        RotationKind::Weekly => 7 * 86_400,
    }
}

/// The member segments of one layer within `[a, b)`, before `only`.
fn layer_raw_segments(model: &Model, tz: Tz, l: &Layer, a: Instant, b: Instant) -> Vec<(Instant, Instant, usize)> {
    let members: Vec<Option<usize>> = l.members.iter().map(|m| model.ns_person.get(&m.name)).collect();
    if members.is_empty() {
        return vec![];
    }
    let mut out = Vec::new();
    match &l.rotation {
        None => {
            let s = l.from.as_ref().map(|f| datetime_instant(tz, &f.value)).unwrap_or(i64::MIN);
            let e = l.until.as_ref().map(|u| datetime_instant(tz, &u.value)).unwrap_or(i64::MAX);
            let (s, e) = (s.max(a), e.min(b));
            if let (true, Some(p)) = (e > s, members[0]) {
                out.push((s, e, p));
            }
        }
        Some(rot) => {
            let from = datetime_instant(tz, &rot.from.value);
            let until = rot.until.as_ref().map(|u| datetime_instant(tz, &u.value)).unwrap_or(i64::MAX);
            let lo = a.max(from);
            let hi = b.min(until);
            if lo >= hi {
                return out;
            }
            let step = rotation_step_secs(&rot.kind);
            // a safe first shift: wall-clock shifts drift by at most a few hours
            let mut k = ((lo - from) / step - 1).max(0);
            while k > 0 && shift_start(tz, &rot.kind, &rot.from.value, k) > lo {
                k -= 1;
            }
            let n = members.len() as i64;
            let mut s = shift_start(tz, &rot.kind, &rot.from.value, k);
            loop {
                if s >= hi {
                    break;
                }
                let e = shift_start(tz, &rot.kind, &rot.from.value, k + 1);
                let (cs, ce) = (s.max(lo), e.min(hi));
                if ce > cs {
                    if let Some(p) = members[(k % n) as usize] {
                        out.push((cs, ce, p));
                    }
                }
                k += 1;
                s = e;
            }
        }
    }
    out
}

/// The segments of one layer within `[a, b)`, `only` applied.
pub fn layer_segments(model: &Model, tz: Tz, l: &Layer, a: Instant, b: Instant) -> Vec<(Instant, Instant, usize)> {
    let raw = layer_raw_segments(model, tz, l, a, b);
    if l.only.is_empty() || raw.is_empty() {
        return raw;
    }
    let mut allowed = IntervalSet::default();
    for o in &l.only {
        allowed = allowed.union(&when_intervals(model, tz, o, a, b));
    }
    // both lists are sorted and disjoint: one merge pass
    let mut out = Vec::new();
    let mut j = 0;
    for (s, e, p) in raw {
        while j < allowed.0.len() && allowed.0[j].1 <= s {
            j += 1;
        }
        let mut k = j;
        while k < allowed.0.len() && allowed.0[k].0 < e {
            let (x, y) = (allowed.0[k].0.max(s), allowed.0[k].1.min(e));
            if y > x {
                out.push((x, y, p));
            }
            k += 1;
        }
    }
    out
}

/// Who holds schedule `s` over `[a, b)`: contiguous segments covering the
/// whole window, gaps included, adjacent equal segments merged.
pub fn schedule_segments(model: &Model, s: &Schedule, a: Instant, b: Instant) -> Vec<Segment> {
    if a >= b {
        return vec![];
    }
    let tz = model.zone(&s.tz);
    // one list per level: layers in order, then overrides in order
    let mut levels: Vec<Vec<(Instant, Instant, Who)>> = Vec::new();
    for l in &s.layers {
        levels.push(layer_segments(model, tz, l, a, b).into_iter().map(|(x, y, p)| (x, y, Who::Person(p))).collect());
    }
    for o in &s.overrides {
        let x = datetime_instant(tz, &o.from.value).max(a);
        let y = datetime_instant(tz, &o.to.value).min(b);
        let who = if o.is_nobody() {
            Who::NobodyOverride
        } else {
            match model.ns_person.get(&o.person.name) {
                Some(p) => Who::Person(p),
                None => continue,
            }
        };
        if y > x {
            levels.push(vec![(x, y, who)]);
        }
    }
    let mut bounds: Vec<Instant> = vec![a, b];
    for lv in &levels {
        for &(x, y, _) in lv {
            bounds.push(x);
            bounds.push(y);
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    let mut out: Vec<Segment> = Vec::new();
    for w in bounds.windows(2) {
        let (x, y) = (w[0], w[1]);
        let mut who = Who::Nobody;
        for lv in levels.iter().rev() {
            let i = lv.partition_point(|&(s, _, _)| s <= x);
            if i > 0 && x < lv[i - 1].1 {
                who = lv[i - 1].2;
                break;
            }
        }
        match out.last_mut() {
            Some(last) if last.who == who && last.end == x => last.end = y,
            _ => out.push(Segment { start: x, end: y, who }),
        }
    }
    out
}

/// Pointwise oracle: who is on call at `t` (SPEC §3.5, read literally).
pub fn on_call_at(model: &Model, s: &Schedule, t: Instant) -> Who {
    let tz = model.zone(&s.tz);
    for o in s.overrides.iter().rev() {
        let x = datetime_instant(tz, &o.from.value);
        let y = datetime_instant(tz, &o.to.value);
        if x <= t && t < y {
            if o.is_nobody() {
                return Who::NobodyOverride;
            }
            if let Some(p) = model.ns_person.get(&o.person.name) {
                return Who::Person(p);
            }
        }
    }
    for l in s.layers.iter().rev() {
        if l.members.is_empty() {
            continue;
        }
        let in_only = l.only.is_empty()
            || l.only.iter().any(|o| match o {
                WindowsOrHours::Windows(ws) => windows_contain(tz, ws, t),
                WindowsOrHours::Hours(_) => when_intervals(model, tz, o, t, t + 1).contains(t),
            });
        if !in_only {
            continue;
        }
        let member = match &l.rotation {
            None => {
                let s0 = l.from.as_ref().map(|f| datetime_instant(tz, &f.value)).unwrap_or(i64::MIN);
                let e0 = l.until.as_ref().map(|u| datetime_instant(tz, &u.value)).unwrap_or(i64::MAX);
                (s0 <= t && t < e0).then_some(0)
            }
            Some(rot) => {
                let from = datetime_instant(tz, &rot.from.value);
                let until = rot.until.as_ref().map(|u| datetime_instant(tz, &u.value)).unwrap_or(i64::MAX);
                if t < from || t >= until {
                    None
                } else {
                    // the largest k whose shift starts at or before t
                    let step = rotation_step_secs(&rot.kind);
                    let mut k = (t - from) / step + 2;
                    while k > 0 && shift_start(tz, &rot.kind, &rot.from.value, k) > t {
                        k -= 1;
                    }
                    Some((k % l.members.len() as i64) as usize)
                }
            }
        };
        if let Some(i) = member {
            if let Some(p) = model.ns_person.get(&l.members[i].name) {
                return Who::Person(p);
            }
        }
    }
    Who::Nobody
}

pub mod reach;

#[cfg(test)]
mod tests;
