//! Concrete route evaluation for one alert (SPEC §3.8).
//!
//! [`RouteTable::new`] compiles every route of the model once: conditions
//! become a small tree with the severity comparisons turned into masks over
//! the declared severities, regexes looked up, `within`/`outside` hours
//! numbered. [`RouteTable::evaluate`] then runs the route list over one
//! alert, writing into a caller-owned [`RouteOutcome`] that is reused from
//! alert to alert, so the common path allocates nothing.
//!
//! Semantics implemented (SPEC §3.8 "Evaluation", "Fallback", "Missing
//! values", "Fine points"):
//! - routes are tried in order; a matching route applies its `set`s (later
//!   conditions see them) and records its `also`s;
//! - `suppress` ends evaluation and drops the alert, cancelling every
//!   recorded `also` — unless a policy is already decided, in which case it
//!   only ends evaluation;
//! - `to policy P` decides P unless a policy is already decided;
//! - evaluation stops after a matching route unless it has `continue`,
//!   also for a route with neither `to` nor `suppress`;
//! - no decision: the service's `policy`; none (or unknown service):
//!   unrouted.
//! - A missing value (absent label, `team` of an unknown service or of a
//!   service without owner, `severity` of an alert without one, absent
//!   `summary`/`source`) makes `==`, `in`, `matches` and the order
//!   comparisons false and `!=` true.
//! - `>`/`<`/`>=`/`<=` on a non-severity field (the SPEC only defines them
//!   for severities) compare the strings byte by byte.
//! - `within H` / `outside H` are evaluated at the alert's instant; inline
//!   windows are in the org zone.

use crate::fxhash::FxMap;
use crate::model::Model;
use crate::sim::event::{AlertEvent, Instant};
use crate::syntax::ast::{CmpOp, Cond, Field, Notify, SetAction, WindowsOrHours};
use crate::time::{when_intervals, IntervalSet};
use chrono_tz::Tz;
use std::collections::HashMap;

/// A field read by a condition (severity has its own node).
#[derive(Debug, Clone)]
enum FieldRef {
    Service,
    Summary,
    Source,
    Team,
    Label(Box<str>),
}

#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    /// true iff the alert has a severity whose rank is in the mask
    Sev(Box<[bool]>),
    Eq(FieldRef, Box<str>),
    In(FieldRef, Box<[Box<str>]>),
    /// string order comparison on a non-severity field
    Ord(FieldRef, CmpOp, Box<str>),
    /// boxed: a matcher with its DFA is some 800 bytes, every other node
    /// under 50
    Match(FieldRef, Option<Box<Matcher>>),
    /// index into `RouteTable::times`
    Within(usize),
    Not(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
}

#[derive(Debug, Clone)]
enum CompiledSet {
    Severity(Option<usize>),
    Label(Box<str>, Box<str>),
}

#[derive(Debug, Clone)]
struct CompiledRoute {
    when: Node,
    to: Option<usize>,
    suppress: bool,
    cont: bool,
    sets: Box<[CompiledSet]>,
    n_also: u32,
}

/// Per-service data the conditions read.
#[derive(Debug, Clone)]
struct ServiceInfo {
    owner: Option<Box<str>>,
    policy: Option<usize>,
    /// the service's labels (later duplicates win)
    labels: Vec<(Box<str>, Box<str>)>,
}

/// `within`/`outside` hours, in their zone.
#[derive(Debug, Clone)]
struct TimeSpec {
    tz: Tz,
    when: WindowsOrHours,
}

/// A `matches` pattern. Values of up to [`SHORT`] bytes are searched by a
/// fully built DFA when the pattern's fits in [`DFA_LIMIT`] bytes (a table
/// lookup per byte, no setup), else by the same regex engine without its
/// literal prefilter: on a few dozen bytes the prefilter falls back to a
/// slow path that costs more than the search it would skip. None of this
/// changes whether a pattern matches, only how fast. A DFA gives up on a
/// Unicode word boundary next to a non-ASCII byte; the regex then decides.
#[derive(Debug, Clone)]
pub struct Matcher {
    re: regex::Regex,
    short: Option<regex_automata::meta::Regex>,
    dfa: Option<regex_automata::dfa::dense::DFA<Vec<u32>>>,
}

/// Values up to this many bytes are searched without the prefilter.
const SHORT: usize = 64;

/// The largest DFA built for a pattern, and the memory its construction
/// may use.
const DFA_LIMIT: usize = 256 * 1024;

impl Matcher {
    fn new(re: &regex::Regex) -> Matcher {
        use regex_automata::dfa::{dense, StartKind};
        let short = regex_automata::meta::Regex::builder().configure(regex_automata::meta::Config::new().auto_prefilter(false)).build(re.as_str()).ok();
        let config = dense::Config::new().start_kind(StartKind::Unanchored).unicode_word_boundary(true).dfa_size_limit(Some(DFA_LIMIT)).determinize_size_limit(Some(DFA_LIMIT));
        let dfa = dense::Builder::new().configure(config).build(re.as_str()).ok();
        Matcher { re: re.clone(), short, dfa }
    }

    fn is_match(&self, x: &str) -> bool {
        if x.len() <= SHORT {
            if let Some(m) = self.dfa.as_ref().and_then(|d| dfa_is_match(d, x.as_bytes())) {
                return m;
            }
            if let Some(s) = &self.short {
                return s.is_match(x);
            }
        }
        self.re.is_match(x)
    }
}

/// Whether `dfa` matches somewhere in `hay`, walking its transition table
/// a byte at a time and stopping at the first match state; `None` when the
/// DFA gives up (a quit byte: a Unicode word boundary next to a non-ASCII
/// byte) and the regex must decide. The search routine of the crate checks
/// for prefilters, acceleration and match offsets on the way, which costs
/// more than the walk itself on a summary of a few dozen bytes.
fn dfa_is_match(dfa: &regex_automata::dfa::dense::DFA<Vec<u32>>, hay: &[u8]) -> Option<bool> {
    use regex_automata::dfa::Automaton;
    let mut s = dfa.start_state_forward(&regex_automata::Input::new(hay)).ok()?;
    for &b in hay {
        s = dfa.next_state(s, b);
        if dfa.is_special_state(s) {
            // matches are reported one byte late: a match state here means
            // a match ended before `b`
            if dfa.is_match_state(s) {
                return Some(true);
            }
            if dfa.is_dead_state(s) {
                return Some(false);
            }
            if dfa.is_quit_state(s) {
                return None;
            }
            // a start or an accelerated state: go on
        }
    }
    let s = dfa.next_eoi_state(s);
    if dfa.is_quit_state(s) {
        return None;
    }
    Some(dfa.is_match_state(s))
}

/// The compiled route list of a model.
///
/// Most routes can only match alerts of a few services (`service ==`,
/// `team ==` in a conjunction): such a route is *guarded* and listed under
/// each of those services, so an alert only tries the unguarded routes and
/// its own service's, merged back into route order. A guard is a necessary
/// condition, never a sufficient one: the full condition still decides.
#[derive(Debug, Clone)]
pub struct RouteTable {
    routes: Vec<CompiledRoute>,
    services: FxMap<Box<str>, usize>,
    service_info: Vec<ServiceInfo>,
    times: Vec<TimeSpec>,
    /// routes without a guard, in order
    unguarded: Vec<u32>,
    /// per service index: the guarded routes that may match it, in order
    by_service: Vec<Vec<u32>>,
    /// the routes that may match an alert of an undeclared service, in order
    unknown: Vec<u32>,
}

/// The services a route can match at most: declared service indices
/// (sorted, without duplicates) and whether an undeclared service name can
/// match.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Guard {
    services: Vec<usize>,
    unknown: bool,
}

impl Guard {
    fn union(mut self, o: Guard) -> Guard {
        self.services.extend(o.services);
        self.services.sort_unstable();
        self.services.dedup();
        Guard { services: self.services, unknown: self.unknown || o.unknown }
    }

    fn intersect(self, o: &Guard) -> Guard {
        let services = self.services.into_iter().filter(|s| o.services.binary_search(s).is_ok()).collect();
        Guard { services, unknown: self.unknown && o.unknown }
    }
}

/// Reusable caches for [`RouteTable::evaluate`]: where each `within` hours
/// hold, one week at a time.
#[derive(Debug, Default, Clone)]
pub struct Scratch {
    chunks: Vec<Option<(Instant, IntervalSet)>>,
}

const CHUNK: i64 = 7 * 86_400;

/// What the routes decided for one alert. Reused between alerts; every
/// field is overwritten by [`RouteTable::evaluate`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RouteOutcome {
    /// matching routes, in order (model route indices)
    pub matched: Vec<u32>,
    /// the route whose `to policy` decided
    pub decided_by: Option<u32>,
    /// the decided policy: by a route, or the service's default
    pub policy: Option<usize>,
    /// the policy is the service's default (no route decided)
    pub fallback: bool,
    /// the route that suppressed the alert
    pub suppressed_by: Option<u32>,
    /// final severity rank (after `set severity`)
    pub severity: Option<usize>,
    /// `set labels.KEY` applied, in order: (route, index among its sets)
    pub label_sets: Vec<(u32, u32)>,
    /// recorded `also` statements: (route, index among its `also`s);
    /// empty when suppressed
    pub also: Vec<(u32, u32)>,
    /// the alert's service index, when declared
    pub service: Option<usize>,
}

impl RouteOutcome {
    pub fn suppressed(&self) -> bool {
        self.suppressed_by.is_some()
    }
    pub fn unrouted(&self) -> bool {
        !self.suppressed() && self.policy.is_none()
    }
}

/// The value of a field for the alert being evaluated.
struct View<'a> {
    alert: &'a AlertEvent,
    service: Option<&'a ServiceInfo>,
}

impl RouteTable {
    pub fn new(m: &Model) -> RouteTable {
        let mut services = FxMap::default();
        let mut service_info = Vec::with_capacity(m.services.len());
        for (i, s) in m.services.iter().enumerate() {
            services.insert(s.name.name.clone().into_boxed_str(), i);
            let mut labels: Vec<(Box<str>, Box<str>)> = Vec::new();
            for l in &s.labels {
                let k: Box<str> = l.key.value.as_str().into();
                labels.retain(|(x, _)| *x != k);
                labels.push((k, l.value.value.as_str().into()));
            }
            service_info.push(ServiceInfo {
                owner: s.owner.as_ref().map(|o| o.name.as_str().into()),
                policy: s.policy.as_ref().and_then(|p| m.ns_policy.get(&p.name)),
                labels,
            });
        }
        let mut c = Compiler { m, times: Vec::new() };
        let routes = m
            .routes
            .iter()
            .map(|r| CompiledRoute {
                when: r.when.as_ref().map(|w| c.compile(&w.value)).unwrap_or(Node::Const(true)),
                to: r.to.as_ref().and_then(|p| m.ns_policy.get(&p.name)),
                suppress: r.suppress.is_some(),
                cont: r.cont.is_some(),
                sets: r
                    .sets
                    .iter()
                    .map(|s| match &s.value {
                        SetAction::Severity(id) => CompiledSet::Severity(m.severity_rank(&id.name)),
                        SetAction::Label { key, value } => CompiledSet::Label(key.value.as_str().into(), value.value.as_str().into()),
                    })
                    .collect(),
                n_also: r.also.len() as u32,
            })
            .collect();
        let mut t = RouteTable { routes, services, service_info, times: c.times, unguarded: vec![], by_service: vec![], unknown: vec![] };
        t.index();
        t
    }

    /// Fill `unguarded`, `by_service` and `unknown` from the conditions.
    fn index(&mut self) {
        let mut by_team: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in self.service_info.iter().enumerate() {
            if let Some(o) = &s.owner {
                by_team.entry(&**o).or_default().push(i);
            }
        }
        let mut by_service = vec![Vec::new(); self.service_info.len()];
        let mut unguarded = Vec::new();
        let mut unknown = Vec::new();
        for (ri, r) in self.routes.iter().enumerate() {
            let ri = ri as u32;
            match self.guard(&r.when, &by_team) {
                None => {
                    unguarded.push(ri);
                    unknown.push(ri);
                }
                Some(g) => {
                    for s in g.services {
                        by_service[s].push(ri);
                    }
                    if g.unknown {
                        unknown.push(ri);
                    }
                }
            }
        }
        self.by_service = by_service;
        self.unguarded = unguarded;
        self.unknown = unknown;
    }

    /// The guard of a condition, `None` when it can match any service.
    fn guard(&self, n: &Node, by_team: &HashMap<&str, Vec<usize>>) -> Option<Guard> {
        let of_service = |v: &str| match self.services.get(v) {
            Some(&i) => Guard { services: vec![i], unknown: false },
            None => Guard { services: vec![], unknown: true },
        };
        // the team of an undeclared service is missing: `==`/`in` are false
        let of_team = |v: &str| Guard { services: by_team.get(v).cloned().unwrap_or_default(), unknown: false };
        let empty = Guard { services: vec![], unknown: false };
        match n {
            Node::Const(false) => Some(empty),
            Node::Eq(FieldRef::Service, v) => Some(of_service(v)),
            Node::In(FieldRef::Service, vs) => Some(vs.iter().fold(empty, |g, v| g.union(of_service(v)))),
            Node::Eq(FieldRef::Team, v) => Some(of_team(v)),
            Node::In(FieldRef::Team, vs) => Some(vs.iter().fold(empty, |g, v| g.union(of_team(v)))),
            Node::And(xs) => xs.iter().filter_map(|x| self.guard(x, by_team)).reduce(|a, b| a.intersect(&b)),
            Node::Or(xs) => xs.iter().map(|x| self.guard(x, by_team)).try_fold(empty, |a, g| g.map(|g| a.union(g))),
            _ => None,
        }
    }

    pub fn scratch(&self) -> Scratch {
        Scratch { chunks: vec![None; self.times.len()] }
    }

    /// The model's service index for an alert's service string.
    pub fn service_index(&self, name: &str) -> Option<usize> {
        self.services.get(name).copied()
    }

    /// Evaluate the route list for one alert at instant `t`. `severity` is
    /// the alert's severity rank as read (§3.1), `None` for no severity.
    pub fn evaluate(&self, m: &Model, alert: &AlertEvent, severity: Option<usize>, t: Instant, scratch: &mut Scratch, out: &mut RouteOutcome) {
        out.matched.clear();
        out.label_sets.clear();
        out.also.clear();
        out.decided_by = None;
        out.policy = None;
        out.fallback = false;
        out.suppressed_by = None;
        out.severity = severity;
        out.service = self.service_index(&alert.service);
        if scratch.chunks.len() != self.times.len() {
            scratch.chunks = vec![None; self.times.len()];
        }
        let view = View { alert, service: out.service.map(|i| &self.service_info[i]) };
        let (mut a, mut b): (&[u32], &[u32]) = match out.service {
            Some(s) => (&self.unguarded, self.by_service.get(s).map_or(&[][..], |v| &v[..])),
            None => (&self.unknown, &[]),
        };
        // the two lists merged back into route order
        while let Some(ri) = match (a.first(), b.first()) {
            (Some(&x), Some(&y)) if x < y => {
                a = &a[1..];
                Some(x)
            }
            (_, Some(&y)) => {
                b = &b[1..];
                Some(y)
            }
            (Some(&x), None) => {
                a = &a[1..];
                Some(x)
            }
            (None, None) => None,
        } {
            let Some(r) = self.routes.get(ri as usize) else { continue };
            if !self.eval(m, &r.when, &view, t, scratch, out) {
                continue;
            }
            out.matched.push(ri);
            for (si, s) in r.sets.iter().enumerate() {
                match s {
                    CompiledSet::Severity(rank) => out.severity = *rank,
                    CompiledSet::Label(..) => out.label_sets.push((ri, si as u32)),
                }
            }
            for ai in 0..r.n_also {
                out.also.push((ri, ai));
            }
            if r.suppress {
                // §3.8: once a policy is decided a matching `suppress`
                // only ends evaluation
                if out.decided_by.is_none() {
                    out.suppressed_by = Some(ri);
                    out.also.clear();
                }
                break;
            }
            if let (Some(p), None) = (r.to, out.decided_by) {
                out.decided_by = Some(ri);
                out.policy = Some(p);
            }
            // §5 fine points: a matching route without `continue` ends
            // evaluation, even with neither `to` nor `suppress`
            if !r.cont {
                break;
            }
        }
        if out.suppressed_by.is_none() && out.decided_by.is_none() {
            out.policy = view.service.and_then(|s| s.policy);
            out.fallback = out.policy.is_some();
        }
    }

    /// A label as the routes leave it: the last `set`, else the alert's
    /// label, else the service's.
    pub fn final_label<'a>(&'a self, out: &RouteOutcome, alert: &'a AlertEvent, key: &str) -> Option<&'a str> {
        let view = View { alert, service: out.service.map(|i| &self.service_info[i]) };
        self.label(&view, out, key)
    }

    /// The `also` notify statement of a route.
    pub fn also<'m>(&self, m: &'m Model, route: u32, index: u32) -> Option<&'m Notify> {
        m.routes.get(route as usize).and_then(|r| r.also.get(index as usize))
    }

    fn label<'a>(&'a self, v: &View<'a>, out: &RouteOutcome, key: &str) -> Option<&'a str> {
        for &(r, s) in out.label_sets.iter().rev() {
            if let Some(CompiledSet::Label(k, val)) = self.routes.get(r as usize).and_then(|x| x.sets.get(s as usize)) {
                if &**k == key {
                    return Some(val);
                }
            }
        }
        if let Some(x) = v.alert.labels.get(key) {
            return Some(x);
        }
        v.service.and_then(|s| s.labels.iter().rev().find(|(k, _)| &**k == key).map(|(_, x)| &**x))
    }

    fn field<'a>(&'a self, f: &FieldRef, v: &View<'a>, out: &RouteOutcome) -> Option<&'a str> {
        match f {
            FieldRef::Service => Some(v.alert.service.as_str()),
            FieldRef::Summary => v.alert.summary.as_deref(),
            FieldRef::Source => v.alert.source.as_deref(),
            FieldRef::Team => v.service.and_then(|s| s.owner.as_deref()),
            FieldRef::Label(k) => self.label(v, out, k),
        }
    }

    fn eval(&self, m: &Model, n: &Node, v: &View<'_>, t: Instant, scratch: &mut Scratch, out: &RouteOutcome) -> bool {
        match n {
            Node::Const(b) => *b,
            Node::Sev(mask) => out.severity.is_some_and(|r| mask.get(r).copied().unwrap_or(false)),
            Node::Eq(f, val) => self.field(f, v, out).is_some_and(|x| x == &**val),
            Node::In(f, vals) => self.field(f, v, out).is_some_and(|x| vals.iter().any(|y| x == &**y)),
            Node::Ord(f, op, val) => self.field(f, v, out).is_some_and(|x| {
                let o = x.as_bytes().cmp(val.as_bytes());
                match op {
                    CmpOp::Ge => o.is_ge(),
                    CmpOp::Gt => o.is_gt(),
                    CmpOp::Le => o.is_le(),
                    CmpOp::Lt => o.is_lt(),
                    CmpOp::Eq => o.is_eq(),
                    CmpOp::Ne => o.is_ne(),
                }
            }),
            Node::Match(f, re) => match (self.field(f, v, out), re) {
                (Some(x), Some(re)) => re.is_match(x),
                _ => false,
            },
            Node::Within(i) => self.within(m, *i, t, scratch),
            Node::Not(x) => !self.eval(m, x, v, t, scratch, out),
            Node::And(xs) => xs.iter().all(|x| self.eval(m, x, v, t, scratch, out)),
            Node::Or(xs) => xs.iter().any(|x| self.eval(m, x, v, t, scratch, out)),
        }
    }

    fn within(&self, m: &Model, i: usize, t: Instant, scratch: &mut Scratch) -> bool {
        let Some(spec) = self.times.get(i) else { return false };
        let start = t.div_euclid(CHUNK) * CHUNK;
        let Some(slot) = scratch.chunks.get_mut(i) else { return false };
        match slot {
            Some((s, set)) if *s == start => set.contains(t),
            _ => {
                let set = when_intervals(m, spec.tz, &spec.when, start, start + CHUNK);
                let hit = set.contains(t);
                *slot = Some((start, set));
                hit
            }
        }
    }
}

struct Compiler<'m> {
    m: &'m Model,
    times: Vec<TimeSpec>,
}

impl Compiler<'_> {
    fn field(f: &Field) -> Option<FieldRef> {
        Some(match f {
            Field::Severity => return None,
            Field::Service => FieldRef::Service,
            Field::Summary => FieldRef::Summary,
            Field::Source => FieldRef::Source,
            Field::Team => FieldRef::Team,
            Field::Label(k) => FieldRef::Label(k.as_str().into()),
        })
    }

    fn sev_mask(&self, pred: impl Fn(usize) -> bool) -> Box<[bool]> {
        (0..self.m.org.severities.len()).map(pred).collect()
    }

    fn compile(&mut self, c: &Cond) -> Node {
        match c {
            Cond::Cmp { field, op, value } => match Self::field(&field.value) {
                None => {
                    // severity: rank 0 is the most severe; `>=` means "at
                    // least as severe as" (§3.8)
                    let Some(rank) = self.m.severity_rank(&value.text) else {
                        // an unknown severity is E0102; never reached in a
                        // sound model
                        return Node::Const(*op == CmpOp::Ne);
                    };
                    let op = *op;
                    let mask = self.sev_mask(|r| match op {
                        CmpOp::Eq | CmpOp::Ne => r == rank,
                        CmpOp::Ge => r <= rank,
                        CmpOp::Gt => r < rank,
                        CmpOp::Le => r >= rank,
                        CmpOp::Lt => r > rank,
                    });
                    if op == CmpOp::Ne {
                        Node::Not(Box::new(Node::Sev(mask)))
                    } else {
                        Node::Sev(mask)
                    }
                }
                Some(f) => {
                    let val: Box<str> = value.text.as_str().into();
                    match op {
                        CmpOp::Eq => Node::Eq(f, val),
                        CmpOp::Ne => Node::Not(Box::new(Node::Eq(f, val))),
                        _ => Node::Ord(f, *op, val),
                    }
                }
            },
            Cond::In { field, values } => match Self::field(&field.value) {
                None => {
                    let ranks: Vec<usize> = values.iter().filter_map(|v| self.m.severity_rank(&v.text)).collect();
                    Node::Sev(self.sev_mask(|r| ranks.contains(&r)))
                }
                Some(f) => Node::In(f, values.iter().map(|v| v.text.as_str().into()).collect()),
            },
            Cond::Matches { field, pattern } => match Self::field(&field.value) {
                // `severity matches` is E0102
                None => Node::Const(false),
                Some(f) => Node::Match(f, self.m.regex(&pattern.value).map(|re| Box::new(Matcher::new(re)))),
            },
            Cond::Within { hours, .. } => Node::Within(self.time(hours)),
            Cond::Outside { hours, .. } => Node::Not(Box::new(Node::Within(self.time(hours)))),
            Cond::Not(x) => Node::Not(Box::new(self.compile(x))),
            Cond::And(xs) => Node::And(xs.iter().map(|x| self.compile(x)).collect()),
            Cond::Or(xs) => Node::Or(xs.iter().map(|x| self.compile(x)).collect()),
        }
    }

    fn time(&mut self, w: &WindowsOrHours) -> usize {
        // inline windows in route conditions are in the org zone (§2); an
        // hours name brings its own zone (`when_intervals` reads it)
        self.times.push(TimeSpec { tz: self.m.org.tz, when: w.clone() });
        self.times.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workspace::load_texts;
    use std::path::PathBuf;

    fn model(src: &str) -> Model {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "model errors: {:#?}", ws.findings);
        ws.model
    }

    fn alert(service: &str, summary: Option<&str>, labels: &[(&str, &str)]) -> AlertEvent {
        AlertEvent {
            id: "A1".into(),
            service: service.into(),
            severity: None,
            summary: summary.map(String::from),
            source: None,
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect::<crate::sim::event::Labels>(),
            fingerprint: None,
        }
    }

    const BASE: &str = r#"
org o { tz "UTC" }
person a { email "a@x" }
team t { members a }
team u { members a }
policy p1 { tier one { notify person a } }
policy p2 { tier one { notify person a } }
policy p3 { tier one { notify person a } }
hours office { tz "UTC" mon-fri 09:00-17:00 }
service api { owner t policy p3 labels region "eu" }
service web { owner u }
"#;

    fn run(routes: &str, a: &AlertEvent, sev: Option<&str>, t: Instant) -> (Model, RouteOutcome) {
        let m = model(&format!("{BASE}\nroutes {{\n{routes}\n}}\n"));
        let table = RouteTable::new(&m);
        let mut s = table.scratch();
        let mut out = RouteOutcome::default();
        let rank = sev.and_then(|x| m.read_severity(x));
        table.evaluate(&m, a, rank, t, &mut s, &mut out);
        (m, out)
    }

    fn names(m: &Model, out: &RouteOutcome) -> Vec<String> {
        out.matched.iter().map(|&i| m.routes[i as usize].name.name.clone()).collect()
    }

    #[test]
    fn first_decision_wins_and_continue_keeps_going() {
        let routes = r#"
route r1 { when service == "api" set severity sev1 set labels.x "y" continue }
route r2 { when severity == sev1 and labels.x == "y" to policy p1 continue }
route r3 { when labels.region == "eu" to policy p2 also person a }
route r4 { to policy p1 }
"#;
        let a = alert("api", None, &[]);
        let (m, out) = run(routes, &a, Some("sev3"), 0);
        assert_eq!(names(&m, &out), ["r1", "r2", "r3"]);
        assert_eq!(out.policy, m.ns_policy.get("p1"));
        assert_eq!(out.decided_by, Some(1));
        assert_eq!(out.severity, Some(0));
        assert_eq!(out.also, vec![(2, 0)]);
        assert!(!out.fallback);
    }

    #[test]
    fn suppress_cancels_also_unless_decided() {
        let routes = r#"
route r1 { when service == "api" also person a continue }
route r2 { when summary matches "(?i)noise" suppress }
"#;
        let a = alert("api", Some("NOISE here"), &[]);
        let (_, out) = run(routes, &a, None, 0);
        assert!(out.suppressed());
        assert!(out.also.is_empty());
        assert_eq!(out.policy, None);

        let routes = r#"
route r1 { when service == "api" to policy p1 also person a continue }
route r2 { when summary matches "(?i)noise" suppress }
route r3 { also person a }
"#;
        let (m, out) = run(routes, &a, None, 0);
        assert!(!out.suppressed());
        assert_eq!(out.policy, m.ns_policy.get("p1"));
        assert_eq!(names(&m, &out), ["r1", "r2"]);
        assert_eq!(out.also, vec![(0, 0)]);
    }

    #[test]
    fn matching_route_without_to_ends_evaluation_and_falls_back() {
        let routes = r#"
route r1 { when service == "api" set labels.k "v" }
route r2 { to policy p1 }
"#;
        let a = alert("api", None, &[]);
        let (m, out) = run(routes, &a, None, 0);
        assert_eq!(names(&m, &out), ["r1"]);
        assert_eq!(out.policy, m.ns_policy.get("p3"));
        assert!(out.fallback);
        let table = RouteTable::new(&m);
        assert_eq!(table.final_label(&out, &a, "k"), Some("v"));
        assert_eq!(table.final_label(&out, &a, "region"), Some("eu"));
    }

    #[test]
    fn unknown_service_is_unrouted_and_team_is_missing() {
        let routes = r#"
route r1 { when team == "t" to policy p1 }
route r2 { when team != "t" and labels.region != "eu" also person a continue }
"#;
        let a = alert("nope", None, &[]);
        let (m, out) = run(routes, &a, None, 0);
        assert_eq!(names(&m, &out), ["r2"]);
        assert!(out.unrouted());
        assert_eq!(out.also.len(), 1);
    }

    #[test]
    fn missing_values() {
        // no severity: comparisons false, != true
        let routes = r#"
route r1 { when severity >= sev5 to policy p1 }
route r2 { when severity in [sev1, sev2] to policy p1 }
route r3 { when labels.nope matches ".*" to policy p1 }
route r4 { when summary == "" to policy p1 }
route r5 { when severity != sev1 and not (source == "x") to policy p2 }
"#;
        let a = alert("web", None, &[]);
        let (m, out) = run(routes, &a, None, 0);
        assert_eq!(names(&m, &out), ["r5"]);
        assert_eq!(out.policy, m.ns_policy.get("p2"));
    }

    #[test]
    fn severity_order() {
        let routes = r#"
route r1 { when severity > sev2 to policy p1 }
route r2 { when severity <= sev4 to policy p2 }
"#;
        let a = alert("web", None, &[]);
        let (m, out) = run(routes, &a, Some("SEV1"), 0);
        assert_eq!(out.policy, m.ns_policy.get("p1"));
        let (m, out) = run(routes, &a, Some("sev2"), 0);
        assert!(out.unrouted(), "{:?}", names(&m, &out));
        let (m, out) = run(routes, &a, Some("sev5"), 0);
        assert_eq!(out.policy, m.ns_policy.get("p2"));
    }

    #[test]
    fn alert_labels_shadow_service_labels() {
        let routes = r#"route r1 { when labels.region == "eu" to policy p1 }"#;
        let (m, out) = run(routes, &alert("api", None, &[]), None, 0);
        assert_eq!(out.policy, m.ns_policy.get("p1"));
        let (m, out) = run(routes, &alert("api", None, &[("region", "us")]), None, 0);
        assert_eq!(out.policy, m.ns_policy.get("p3"));
    }

    #[test]
    fn within_and_outside_at_the_alert_instant() {
        let routes = r#"
route r1 { when within office to policy p1 }
route r2 { when outside mon 00:00-01:00 to policy p2 }
"#;
        let a = alert("web", None, &[]);
        // 2026-07-06 is a Monday
        let mon_10 = chrono::DateTime::parse_from_rfc3339("2026-07-06T10:00:00Z").unwrap().timestamp();
        let (m, out) = run(routes, &a, None, mon_10);
        assert_eq!(out.policy, m.ns_policy.get("p1"));
        // 17:00 is outside (half-open)
        let (m, out) = run(routes, &a, None, mon_10 + 7 * 3600);
        assert_eq!(out.policy, m.ns_policy.get("p2"));
        // Monday 00:30: inside the inline window, so `outside` is false
        let (_, out) = run(routes, &a, None, mon_10 - 9 * 3600 - 1800);
        assert!(out.unrouted());
    }

    #[test]
    fn scratch_is_reused_across_weeks() {
        let m = model(&format!("{BASE}\nroutes {{ route r1 {{ when within office to policy p1 }} }}\n"));
        let table = RouteTable::new(&m);
        let mut s = table.scratch();
        let mut out = RouteOutcome::default();
        let a = alert("web", None, &[]);
        let mon_10 = chrono::DateTime::parse_from_rfc3339("2026-07-06T10:00:00Z").unwrap().timestamp();
        for week in 0..4 {
            for (dt, hit) in [(0, true), (5 * 86_400, false), (-86_400 + 3600, false)] {
                table.evaluate(&m, &a, None, mon_10 + week * CHUNK + dt, &mut s, &mut out);
                assert_eq!(out.policy.is_some(), hit, "week {week} dt {dt}");
            }
        }
    }
}

#[cfg(test)]
mod guard_tests {
    //! The service index must never change an outcome: every alert routes
    //! the same with it as with every route tried in order.
    use super::*;
    use crate::workspace::load_texts;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    const SRC: &str = r#"
org o { tz "UTC" }
person a { email "a@x" }
team t { members a }
team u { members a }
team v { members a }
policy p1 { tier one { notify person a } }
policy p2 { tier one { notify person a } }
policy p3 { tier one { notify person a } }
service api { owner t policy p3 labels region "eu" }
service web { owner u }
service db { owner t }
service lone { policy p1 }
routes {
  route a1 { when service == "api" and severity >= sev2 to policy p1 }
  route a2 { when team == "u" or service == "ghost" to policy p2 continue }
  route a3 { when team in ["t", "v"] and labels.region == "eu" set labels.x "1" continue }
  route a4 { when not (service == "db") and labels.x == "1" to policy p2 }
  route a5 { when service in ["ghost", "web"] and summary matches "(?i)boom" suppress }
  route a6 { when labels.env == "staging" suppress }
  route a7 { when (team == "t" and severity == sev1) or (service == "lone" and team == "t") to policy p1 }
  route a8 { when team == "nobody" to policy p3 }
  route a9 { when service == "db" or labels.region == "us" to policy p3 }
}
"#;

    fn unindexed(t: &RouteTable) -> RouteTable {
        let mut u = t.clone();
        let all: Vec<u32> = (0..u.routes.len() as u32).collect();
        u.unguarded = all.clone();
        u.unknown = all;
        u.by_service = vec![Vec::new(); u.service_info.len()];
        u
    }

    #[test]
    fn guards_name_the_services_a_route_can_match() {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), SRC.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "{:#?}", ws.findings);
        let t = RouteTable::new(&ws.model);
        // services: api 0, web 1, db 2, lone 3; routes a1..a9 are 0..8
        assert_eq!(t.unguarded, vec![3, 5, 8]);
        assert_eq!(t.by_service, vec![vec![0, 2, 6], vec![1, 4], vec![2, 6], vec![]]);
        assert_eq!(t.unknown, vec![1, 3, 4, 5, 8]);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, .. ProptestConfig::default() })]
        #[test]
        fn the_index_never_changes_an_outcome(
            service in prop::sample::select(vec!["api", "web", "db", "lone", "ghost", "other"]),
            sev in prop::option::of(prop::sample::select(vec!["sev1", "sev2", "sev3"])),
            region in prop::option::of(prop::sample::select(vec!["eu", "us"])),
            env in prop::option::of(prop::sample::select(vec!["staging", "prod"])),
            summary in prop::option::of(prop::sample::select(vec!["BOOM here", "quiet"])),
        ) {
            let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), SRC.as_bytes().to_vec())]);
            let m = &ws.model;
            let t = RouteTable::new(m);
            let u = unindexed(&t);
            let mut labels = BTreeMap::new();
            if let Some(r) = region { labels.insert("region".to_string(), r.to_string()); }
            if let Some(e) = env { labels.insert("env".to_string(), e.to_string()); }
            let a = AlertEvent {
                id: "A".into(),
                service: service.into(),
                severity: sev.map(String::from),
                summary: summary.map(String::from),
                source: None,
                labels: labels.into(),
                fingerprint: None,
            };
            let rank = sev.and_then(|s| m.read_severity(s));
            let (mut x, mut y) = (RouteOutcome::default(), RouteOutcome::default());
            t.evaluate(m, &a, rank, 0, &mut t.scratch(), &mut x);
            u.evaluate(m, &a, rank, 0, &mut u.scratch(), &mut y);
            prop_assert_eq!(x, y);
        }
    }
}

#[cfg(test)]
mod matcher_tests {
    //! Searching short values without the prefilter must answer as the
    //! regex itself does, on both sides of the length switch.
    use super::*;
    use proptest::prelude::*;

    const PATTERNS: &[&str] = &[
        "(?i)breach|exfiltrat|credential[- ]stuffing|unauthori[sz]ed access",
        "^disk (full|almost full)$",
        r"\bcpu\b.*\d{2,}%",
        "Straße|ΣΊΣΥΦΟΣ",
        "(?i)σίσυφος",
        "",
        "x*",
    ];

    #[test]
    fn every_pattern_gets_a_search_without_prefilter() {
        for p in PATTERNS {
            let re = regex::Regex::new(p).expect("compiles");
            let m = Matcher::new(&re);
            assert!(m.short.is_some(), "{p}");
            assert!(m.dfa.is_some(), "{p}");
        }
        // a pattern whose DFA would be too large gets none, and still
        // matches through the regex
        let big = regex::Regex::new(r"\w{40}z").expect("compiles");
        let m = Matcher::new(&big);
        assert!(m.dfa.is_none());
        assert!(m.is_match(&format!("{}z", "é".repeat(40))));
        assert!(!m.is_match(&"é".repeat(30)));
    }

    /// A Unicode word boundary next to a non-ASCII letter makes the DFA
    /// give up; the regex answers instead.
    #[test]
    fn a_dfa_that_gives_up_hands_over_to_the_regex() {
        let re = regex::Regex::new(r"\bcpu\b").expect("compiles");
        let m = Matcher::new(&re);
        assert!(m.dfa.is_some());
        assert!(!m.is_match("écpu"));
        assert!(m.is_match("é cpu"));
        assert!(m.is_match("cpu"));
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, .. ProptestConfig::default() })]
        #[test]
        fn agrees_with_the_regex(
            p in prop::sample::select(PATTERNS.to_vec()),
            parts in prop::collection::vec(prop::sample::select(vec![
                "breach", "BREACH", "Exfiltrated", "credential stuffing", "unauthorised access", "disk full",
                "disk almost full", "cpu", "CPU", " at 97%", "5%", "straße", "STRASSE", "ΣΊΣΥΦΟΣ", "σίσυφος",
                " ", "-", "synthetic 12345", "x", "é", "\n",
            ]), 0..12),
        ) {
            let text: String = parts.concat();
            let re = regex::Regex::new(p).expect("compiles");
            let m = Matcher::new(&re);
            prop_assert_eq!(m.is_match(&text), re.is_match(&text), "{:?} on {:?} ({} bytes)", p, text, text.len());
        }
    }
}
