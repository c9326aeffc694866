//! Symbolic route reasoning, shared by E0401, W0500, W0600 and W0800.
//!
//! The route list (SPEC §3.8) is executed over *abstract* alerts: a state
//! describes a set of alerts, and whenever a condition cannot be decided
//! for the whole set, the state is split into the alerts for which one of
//! its atoms is true and those for which it is false. Every end state is an
//! [`Outcome`]: a policy (decided by a route, or the service's fallback), or
//! none, or suppressed, with the final severities.
//!
//! # State
//! - `severity`: a bitset over the declared severities plus one bit for
//!   "no severity" (missing). `set severity X` makes it `{X}`.
//! - `service`, `team`, `summary`, `source`, `labels.KEY`: each is known
//!   (a value, or absent) or unknown with a set of excluded values and a
//!   flag "may be absent". `team` is derived from a known service (its
//!   owner's name, absent without owner) and kept consistent with it.
//!   For a known service S, an untouched `labels.KEY` is "any value, never
//!   absent" when S declares KEY (the alert may override the service's
//!   value), else "any value or absent".
//! - assumptions: atoms no value decides — `matches` on an unknown value,
//!   keyed by (field, pattern); `within H` / `outside H`, keyed by H
//!   (`outside H` is `not within H`); `>`/`<` on a non-severity field. Each
//!   is a free boolean, so identical atoms stay consistent along a path.
//!   When an unknown field later becomes known, assumed `matches` results
//!   are checked against the value with the real regex.
//!
//! # Evaluation
//! Conditions are compiled once per route ([`Analyzer::new`]) into a small
//! IR with interned strings and precomputed severity bitsets, and are
//! evaluated three-valued; the common determined path allocates nothing.
//! Missing values make `==`, `in`, `matches` and the severity comparisons
//! false and `!=` true (`!=` is `not ==`).
//!
//! # Index
//! Every route gets a *service restriction*: the set of services its `when`
//! can match, derived from `service ==`, `service in`, `team ==`/`in` (the
//! owner's services) under conjunctions, disjunctions (all branches
//! restricted) and negations (by polarity); unrestricted otherwise.
//! Exploring a service only visits unrestricted routes and the routes
//! restricted to it. W0500 uses the same extraction for every field with
//! `==`/`in` atoms to compare a route only with earlier routes that can
//! cover it.
//!
//! Exclusion sets are persistent (a shared base plus a small overlay), so
//! a long chain of `labels.app == "…"` routes does not make every split
//! copy thousands of values.
//!
//! # API
//! [`Analyzer::new`] compiles the routes once; [`Analyzer::explore`] gives
//! every [`Outcome`] of a service (with [`Analyzer::describe`] for an
//! example alert), [`Analyzer::reachable_policies`] only the policies and
//! severities, [`Analyzer::shadows`] the W0500 pairs. [`explore_service`]
//! and [`implies`] are one-shot conveniences.
//!
//! # Limits
//! - An exploration stops after [`STATE_CAP`] splits; its
//!   [`Exploration::complete`] is then `false` and E0401 stays silent for
//!   that service (W0600 and W0800 still report what was found).
//! - One [`Analyzer`] spends at most [`WORK_BUDGET`] units over all its
//!   explorations and comparisons (a route visit costs 1, a split 5). Only
//!   pathological route sets reach it (e.g. 10,000 routes that no service
//!   restriction excludes, for 10,000 services: the analysis then stops
//!   after about 0.2 s per check); later explorations are incomplete and
//!   later W0500 comparisons are not made.
//! - Unknown values with exclusions are assumed to have some other value;
//!   whether a regex can match a value outside the exclusions, or whether
//!   two different regexes overlap, is not decided (both count as possible).
//! - Time conditions are free booleans: satisfiable and refutable, related
//!   only to the same hours (`within business` and `outside business`).
//! - Orgs with more than 127 severities are not analysed (exploration
//!   incomplete, nothing implied).

use crate::model::Model;
use crate::syntax::ast::*;
use std::cell::Cell;
use std::sync::Arc;

use crate::fxhash::FxMap;

/// Splits after which an exploration (or an implication proof) gives up.
pub const STATE_CAP: usize = 20_000;

/// Work budget of one [`Analyzer`] over all its explorations and
/// comparisons (a route visit costs 1, a split [`SPLIT_WORK`]). It only
/// binds on pathological route sets (thousands of routes no index can
/// exclude, for thousands of services); explorations past it are
/// incomplete, comparisons past it are not made.
pub const WORK_BUDGET: u64 = 8_000_000;
const SPLIT_WORK: u64 = 5;

const SLOT_SERVICE: u32 = 0;
const SLOT_TEAM: u32 = 1;
const SLOT_SUMMARY: u32 = 2;
const SLOT_SOURCE: u32 = 3;
const LABEL_BASE: u32 = 4;
/// Marks a renamed ("havoc") copy of a label slot: the value a later route
/// sees after intervening `set`s, unrelated to the original.
const HAVOC: u32 = 1 << 31;

const KIND_MATCH: u32 = 0;
const KIND_TIME: u32 = 1;
const KIND_OPAQUE: u32 = 2;

/// (kind, slot or id, pattern or id)
type AtomKey = (u32, u32, u32);

/// A compiled condition.
#[derive(Debug, Clone)]
enum Node {
    Const(bool),
    /// severity ∈ pred; `alt` reads the havoc copy
    Sev { pred: u128, alt: bool },
    Eq { slot: u32, val: u32 },
    /// values sorted, deduplicated
    In { slot: u32, vals: Box<[u32]> },
    Match { slot: u32, pat: u32 },
    /// a free boolean (time, or an ordering on a string field); false on a
    /// missing field when `slot` is given
    Free { key: AtomKey, slot: Option<u32> },
    Not(Box<Node>),
    And(Box<[Node]>),
    Or(Box<[Node]>),
}

/// A persistent sorted set of excluded values: a shared base plus a small
/// sorted overlay, so that cloning a state stays cheap however many values
/// a field excludes (a long chain of `labels.app == "…"` routes).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Excl {
    base: Option<Arc<Vec<u32>>>,
    add: Vec<u32>,
}

impl Excl {
    fn contains(&self, x: u32) -> bool {
        self.add.binary_search(&x).is_ok() || self.base.as_ref().is_some_and(|b| b.binary_search(&x).is_ok())
    }
    fn insert(&mut self, x: u32) {
        if self.contains(x) {
            return;
        }
        let i = self.add.partition_point(|&y| y < x);
        self.add.insert(i, x);
        if self.add.len() >= 32 {
            let base = self.base.take();
            let b: &[u32] = base.as_deref().map_or(&[], |v| v.as_slice());
            self.base = Some(Arc::new(union(b, &self.add)));
            self.add.clear();
        }
    }
    fn is_empty(&self) -> bool {
        self.add.is_empty() && self.base.as_ref().is_none_or(|b| b.is_empty())
    }
    fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.base.iter().flat_map(|b| b.iter().copied()).chain(self.add.iter().copied())
    }
}

static NO_EXCL: Excl = Excl { base: None, add: Vec::new() };

#[derive(Debug, Clone, PartialEq, Eq)]
enum FState {
    Known(Option<u32>),
    Unknown { excl: Excl, mba: bool },
}

impl Default for FState {
    fn default() -> Self {
        FState::Known(None)
    }
}

#[derive(Clone, Copy)]
enum FView<'s> {
    Known(Option<u32>),
    Unknown(&'s Excl, bool),
}

impl FState {
    fn view(&self) -> FView<'_> {
        match self {
            FState::Known(v) => FView::Known(*v),
            FState::Unknown { excl, mba } => FView::Unknown(excl, *mba),
        }
    }
}

/// A set of alerts at a point of route evaluation.
#[derive(Debug, Clone)]
struct State {
    sev: u128,
    sev_h: u128,
    service: FState,
    team: FState,
    /// the other field states by slot, sorted
    strs: Vec<(u32, FState)>,
    /// sorted by key
    assume: Vec<(AtomKey, bool)>,
    /// position in the service's route list
    pc: u32,
    /// route that decided the policy
    decided: Option<u32>,
    matched: Vec<usize>,
    /// the alert's own severity / fields before the first `set` touched them
    stash_sev: Option<u128>,
    stash: Vec<(u32, FState)>,
}

impl State {
    fn stored(&self, slot: u32) -> Option<&FState> {
        match slot {
            SLOT_SERVICE => Some(&self.service),
            SLOT_TEAM => Some(&self.team),
            _ => self.strs.binary_search_by_key(&slot, |e| e.0).ok().map(|i| &self.strs[i].1),
        }
    }
    fn put(&mut self, slot: u32, f: FState) {
        match slot {
            SLOT_SERVICE => return self.service = f,
            SLOT_TEAM => return self.team = f,
            _ => {}
        }
        match self.strs.binary_search_by_key(&slot, |e| e.0) {
            Ok(i) => self.strs[i].1 = f,
            Err(i) => self.strs.insert(i, (slot, f)),
        }
    }
    fn assumption(&self, key: AtomKey) -> Option<bool> {
        self.assume.binary_search_by_key(&key, |e| e.0).ok().map(|i| self.assume[i].1)
    }
    fn assume(&mut self, key: AtomKey, b: bool) {
        match self.assume.binary_search_by_key(&key, |e| e.0) {
            Ok(i) => self.assume[i].1 = b,
            Err(i) => self.assume.insert(i, (key, b)),
        }
    }
}

enum Tri<'n> {
    T,
    F,
    U(&'n Node),
}

fn tri<'n>(b: bool) -> Tri<'n> {
    if b {
        Tri::T
    } else {
        Tri::F
    }
}

#[derive(Debug, Clone)]
enum SetOp {
    Sev(u128),
    Label(u32, u32),
}

/// (slot, sorted values): every alert matching the condition has the
/// field's value in the set. `team` constraints are stored as `service`
/// constraints (the team's services).
type Constraints = Vec<(u32, Vec<u32>)>;

#[derive(Debug, Clone)]
struct CRoute {
    when: Option<Node>,
    /// policy index of `to`, when it resolves
    policy: Option<usize>,
    has_to: bool,
    suppress: bool,
    cont: bool,
    sets: Vec<SetOp>,
    /// the services the route can match (`None`: unrestricted)
    restriction: Option<Vec<u32>>,
}

/// How an alert's evaluation ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// the route whose `to` decided the policy
    pub decided_by: Option<usize>,
    /// the policy the incident uses: decided, or the service's fallback
    pub policy: Option<usize>,
    /// no route decided and the service has a `policy`
    pub fallback: bool,
    /// dropped by a `suppress` route (before any policy was decided)
    pub suppressed: bool,
    /// routes that matched, in order
    pub matched: Vec<usize>,
    /// an example alert of this outcome, as sent ("an alert of `api` with
    /// severity sev3 and labels.env other than \"staging\""); filled by
    /// [`explore_service`], else see [`Analyzer::describe`]
    pub example: Option<String>,
    severities: u128,
    nsev: u32,
    service: usize,
    state: State,
}

impl Outcome {
    /// No policy, not suppressed: the incident is unrouted.
    pub fn unrouted(&self) -> bool {
        !self.suppressed && self.decided_by.is_none() && !self.fallback
    }
    /// Can the final severity (after every `set`) be this rank?
    pub fn may_have_severity(&self, rank: usize) -> bool {
        rank < self.nsev as usize && self.severities >> rank & 1 == 1
    }
    /// Can the alert end with no severity?
    pub fn may_have_no_severity(&self) -> bool {
        self.severities >> self.nsev & 1 == 1
    }
    /// Final severities (ranks) this outcome can have.
    pub fn severity_ranks(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.nsev as usize).filter(|r| self.may_have_severity(*r))
    }
}

/// A policy some alerts of a service reach, with their final severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyReach {
    pub policy: usize,
    severities: u128,
    nsev: u32,
}

impl PolicyReach {
    /// Can an alert reach the policy with this final severity (rank)?
    pub fn may_have_severity(&self, rank: usize) -> bool {
        rank < self.nsev as usize && self.severities >> rank & 1 == 1
    }
}

/// Every end state of the routes for one service.
#[derive(Debug, Clone)]
pub struct Exploration {
    pub service: usize,
    pub outcomes: Vec<Outcome>,
    /// false when [`STATE_CAP`] was hit: `outcomes` is then a subset
    pub complete: bool,
}

/// A route shadowed by an earlier one (W0500).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shadow {
    /// the later route
    pub route: usize,
    /// the earlier route that matches every alert `route` matches
    pub by: usize,
    /// true: `by` has `to` + `continue`, so `route`'s `to` never decides;
    /// false: `by` has no `continue`, so `route` is never reached
    pub decides_first: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Implied {
    Yes,
    No,
    /// the premise matches no alert
    Vacuous,
}

/// The precomputed route index and condition IR of one model.
pub struct Analyzer<'m> {
    m: &'m Model,
    strs: Vec<&'m str>,
    ids: FxMap<&'m str, u32>,
    time_ids: FxMap<String, u32>,
    time_desc: Vec<String>,
    opaque_desc: Vec<String>,
    nsev: u32,
    full_sev: u128,
    sev_ok: bool,
    routes: Vec<CRoute>,
    unrestricted: Vec<u32>,
    /// routes restricted to service i: svc_routes[svc_routes_off[i]..svc_routes_off[i + 1]]
    svc_routes_off: Vec<u32>,
    svc_routes: Vec<u32>,
    /// name id of each service: its index
    svc_name: Vec<u32>,
    /// ids below this are service indexes; general strings come after
    nsvc: u32,
    svc_owner: Vec<Option<u32>>,
    /// service index by name
    svc_ids: FxMap<&'m str, u32>,
    svc_policy: Vec<Option<usize>>,
    team_services: FxMap<u32, Vec<u32>>,
    regexes: FxMap<u32, &'m regex::Regex>,
    /// work left for every exploration and comparison of this analyzer
    work: Cell<u64>,
}

/// Explore one service (convenience: builds a fresh [`Analyzer`], and
/// fills every outcome's `example`; use [`Analyzer::explore`] for many
/// services).
pub fn explore_service(m: &Model, service_index: usize) -> Exploration {
    let an = Analyzer::new(m);
    let mut ex = an.explore(service_index);
    for o in &mut ex.outcomes {
        o.example = Some(an.describe(o));
    }
    ex
}

/// Provably, every alert matching `a` matches `b` (in the same state of
/// evaluation, i.e. without `set`s in between). Undecidable atoms of `b`
/// not fixed by `a` give `false`. Vacuously true when `a` matches nothing.
pub fn implies<'a>(m: &'a Model, a: &'a Cond, b: &'a Cond) -> bool {
    let mut an = Analyzer::bare(m);
    let a = an.compile(a);
    let b = an.compile(b);
    matches!(an.implies_ir(&a, &b), Implied::Yes | Implied::Vacuous)
}

fn sorted_insert(v: &mut Vec<u32>, x: u32) {
    if let Err(i) = v.binary_search(&x) {
        v.insert(i, x);
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    a.iter().copied().filter(|x| b.binary_search(x).is_ok()).collect()
}

fn union(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut v: Vec<u32> = a.iter().chain(b).copied().collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn is_subset(a: &[u32], b: &[u32]) -> bool {
    a.len() <= b.len() && a.iter().all(|x| b.binary_search(x).is_ok())
}

/// `1h30m`
pub fn fmt_secs(s: Secs) -> String {
    if s <= 0 {
        return "0s".into();
    }
    let mut out = String::new();
    let mut r = s;
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if r >= n {
            out.push_str(&format!("{}{unit}", r / n));
            r %= n;
        }
    }
    out
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

pub(crate) fn fmt_window(w: &Window) -> String {
    let mut parts = Vec::new();
    let mut d = 0;
    while d < 7 {
        if w.days[d] {
            let mut e = d;
            while e + 1 < 7 && w.days[e + 1] {
                e += 1;
            }
            parts.push(if e == d { DAYS[d].to_string() } else { format!("{}-{}", DAYS[d], DAYS[e]) });
            d = e + 1;
        } else {
            d += 1;
        }
    }
    format!("{} {:02}:{:02}-{:02}:{:02}", parts.join(", "), w.start_min / 60, w.start_min % 60, w.end_min / 60, w.end_min % 60)
}

/// "severity sev3, severity sev4 or no severity"
pub fn severities_text(m: &Model, ranks: &[usize], none: bool) -> String {
    let mut parts: Vec<String> = ranks.iter().filter_map(|r| m.org.severities.get(*r)).map(|s| format!("severity {}", s.name)).collect();
    if none {
        parts.push("no severity".into());
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        n => format!("{} or {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

fn join_and(parts: &[String]) -> String {
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

impl<'m> Analyzer<'m> {
    /// Service and team tables only, no routes.
    fn bare(m: &'m Model) -> Analyzer<'m> {
        let nsev = m.org.severities.len() as u32;
        let sev_ok = nsev <= 127;
        let full_sev = if sev_ok { (1u128 << (nsev + 1)) - 1 } else { 1 };
        let mut an = Analyzer {
            m,
            strs: Vec::new(),
            ids: FxMap::default(),
            time_ids: FxMap::default(),
            time_desc: Vec::new(),
            opaque_desc: Vec::new(),
            nsev,
            full_sev,
            sev_ok,
            routes: Vec::new(),
            unrestricted: Vec::new(),
            svc_routes_off: Vec::new(),
            svc_routes: Vec::new(),
            svc_name: Vec::with_capacity(m.services.len()),
            nsvc: m.services.len() as u32,
            svc_owner: Vec::with_capacity(m.services.len()),
            svc_ids: FxMap::with_capacity_and_hasher(m.services.len(), Default::default()),
            svc_policy: Vec::with_capacity(m.services.len()),
            team_services: FxMap::default(),
            regexes: FxMap::default(),
            work: Cell::new(WORK_BUDGET),
        };
        for (si, sv) in m.services.iter().enumerate() {
            // duplicate names are model errors (checks do not run then)
            let id = si;
            an.svc_name.push(id as u32);
            an.svc_ids.entry(&sv.name.name).or_insert(id as u32);
            let owner = sv.owner.as_ref().map(|o| an.intern(&o.name));
            an.svc_owner.push(owner);
            if let Some(o) = owner {
                let list = an.team_services.entry(o).or_default();
                sorted_insert(list, id as u32);
            }
            an.svc_policy.push(sv.policy.as_ref().and_then(|p| m.ns_policy.get(&p.name)));
        }
        an
    }

    /// Spend analysis work; false once the budget is exhausted.
    fn spend(&self, n: u64) -> bool {
        let w = self.work.get();
        if w < n {
            self.work.set(0);
            false
        } else {
            self.work.set(w - n);
            true
        }
    }

    /// The service index of a name id.
    fn svc_of(&self, id: u32) -> Option<usize> {
        (id < self.nsvc).then_some(id as usize)
    }

    /// The text of a value id.
    fn text(&self, id: u32) -> &'m str {
        if id < self.nsvc {
            &self.m.services[id as usize].name.name
        } else {
            self.strs[(id - self.nsvc) as usize]
        }
    }

    /// The id of a `service` value: the service's index when declared.
    fn service_id(&mut self, s: &'m str) -> u32 {
        match self.svc_ids.get(s) {
            Some(&i) => i,
            None => self.intern(s),
        }
    }

    /// Compile every route and build the service index.
    pub fn new(m: &'m Model) -> Analyzer<'m> {
        let mut an = Analyzer::bare(m);
        let mut routes = Vec::with_capacity(m.routes.len());
        for r in &m.routes {
            let when = r.when.as_ref().map(|w| an.compile(&w.value));
            let sets = r
                .sets
                .iter()
                .filter_map(|s| match &s.value {
                    SetAction::Severity(id) => m.severity_rank(&id.name).filter(|_| an.sev_ok).map(|r| SetOp::Sev(1u128 << r)),
                    SetAction::Label { key, value } => {
                        let slot = LABEL_BASE + an.intern(&key.value);
                        Some(SetOp::Label(slot, an.intern(&value.value)))
                    }
                })
                .collect();
            let restriction = when.as_ref().and_then(|n| an.slot_constraint(n, true, SLOT_SERVICE));
            routes.push(CRoute {
                when,
                policy: r.to.as_ref().and_then(|p| m.ns_policy.get(&p.name)),
                has_to: r.to.is_some(),
                suppress: r.suppress.is_some(),
                cont: r.cont.is_some(),
                sets,
                restriction,
            });
        }
        // (service, route) pairs in route order, then a stable counting sort
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (i, r) in routes.iter().enumerate() {
            match &r.restriction {
                None => an.unrestricted.push(i as u32),
                Some(svcs) => pairs.extend(svcs.iter().filter_map(|&s| an.svc_of(s)).map(|si| (si as u32, i as u32))),
            }
        }
        let n = m.services.len();
        let mut off = vec![0u32; n + 1];
        for &(si, _) in &pairs {
            off[si as usize + 1] += 1;
        }
        for i in 0..n {
            off[i + 1] += off[i];
        }
        let mut fill = off.clone();
        let mut list = vec![0u32; pairs.len()];
        for &(si, ri) in &pairs {
            list[fill[si as usize] as usize] = ri;
            fill[si as usize] += 1;
        }
        an.svc_routes_off = off;
        an.svc_routes = list;
        an.routes = routes;
        an
    }

    pub fn model(&self) -> &'m Model {
        self.m
    }

    /// The id of a general string (ids start at `nsvc`).
    fn intern(&mut self, s: &'m str) -> u32 {
        if let Some(&i) = self.ids.get(s) {
            return self.nsvc + i;
        }
        let i = self.strs.len() as u32;
        self.strs.push(s);
        self.ids.insert(s, i);
        self.nsvc + i
    }

    fn slot_of(&mut self, f: &'m Field) -> Option<u32> {
        Some(match f {
            Field::Severity => return None,
            Field::Service => SLOT_SERVICE,
            Field::Team => SLOT_TEAM,
            Field::Summary => SLOT_SUMMARY,
            Field::Source => SLOT_SOURCE,
            Field::Label(k) => LABEL_BASE + self.intern(k),
        })
    }

    fn opaque(&mut self, slot: Option<u32>, desc: String) -> Node {
        let id = self.opaque_desc.len() as u32;
        self.opaque_desc.push(desc);
        Node::Free { key: (KIND_OPAQUE, slot.unwrap_or(u32::MAX), id), slot }
    }

    fn sev_pred(&self, op: CmpOp, rank: usize) -> u128 {
        let n = self.nsev as usize;
        let mut p = 0u128;
        for r in 0..n {
            let hit = match op {
                CmpOp::Eq | CmpOp::Ne => r == rank,
                CmpOp::Ge => r <= rank,
                CmpOp::Gt => r < rank,
                CmpOp::Le => r >= rank,
                CmpOp::Lt => r > rank,
            };
            if hit {
                p |= 1 << r;
            }
        }
        p
    }

    fn compile(&mut self, c: &'m Cond) -> Node {
        match c {
            Cond::Cmp { field, op, value } => match self.slot_of(&field.value) {
                None => match self.m.severity_rank(&value.text).filter(|_| self.sev_ok) {
                    Some(r) => {
                        let n = Node::Sev { pred: self.sev_pred(*op, r), alt: false };
                        if *op == CmpOp::Ne {
                            Node::Not(Box::new(n))
                        } else {
                            n
                        }
                    }
                    None => self.opaque(None, format!("severity {} {}", op.as_str(), value.text)),
                },
                Some(slot) => {
                    let val = if slot == SLOT_SERVICE { self.service_id(&value.text) } else { self.intern(&value.text) };
                    match op {
                        CmpOp::Eq => Node::Eq { slot, val },
                        CmpOp::Ne => Node::Not(Box::new(Node::Eq { slot, val })),
                        _ => self.opaque(Some(slot), format!("{} {} \"{}\"", field.value.describe(), op.as_str(), value.text)),
                    }
                }
            },
            Cond::In { field, values } => match self.slot_of(&field.value) {
                None => {
                    let mut pred = 0u128;
                    for v in values {
                        match self.m.severity_rank(&v.text).filter(|_| self.sev_ok) {
                            Some(r) => pred |= 1 << r,
                            None => return self.opaque(None, format!("severity in [… {} …]", v.text)),
                        }
                    }
                    Node::Sev { pred, alt: false }
                }
                Some(slot) => {
                    let mut vals: Vec<u32> = values.iter().map(|v| if slot == SLOT_SERVICE { self.service_id(&v.text) } else { self.intern(&v.text) }).collect();
                    vals.sort_unstable();
                    vals.dedup();
                    Node::In { slot, vals: vals.into_boxed_slice() }
                }
            },
            Cond::Matches { field, pattern } => match self.slot_of(&field.value) {
                None => self.opaque(None, format!("severity matching \"{}\"", pattern.value)),
                Some(slot) => {
                    let pat = self.intern(&pattern.value);
                    if let Some(re) = self.m.regex(&pattern.value) {
                        self.regexes.insert(pat, re);
                    }
                    Node::Match { slot, pat }
                }
            },
            Cond::Within { hours, .. } => self.time(hours),
            Cond::Outside { hours, .. } => Node::Not(Box::new(self.time(hours))),
            Cond::Not(x) => Node::Not(Box::new(self.compile(x))),
            Cond::And(xs) => {
                if xs.is_empty() {
                    return Node::Const(true);
                }
                Node::And(xs.iter().map(|x| self.compile(x)).collect())
            }
            Cond::Or(xs) => {
                if xs.is_empty() {
                    return Node::Const(false);
                }
                Node::Or(xs.iter().map(|x| self.compile(x)).collect())
            }
        }
    }

    fn time(&mut self, h: &WindowsOrHours) -> Node {
        let (key, desc) = match h {
            WindowsOrHours::Hours(id) => (format!("h:{}", id.name), format!("`{}`", id.name)),
            WindowsOrHours::Windows(ws) => {
                let k: Vec<String> = ws.iter().map(|w| format!("{:?}/{}/{}", w.days, w.start_min, w.end_min)).collect();
                let d: Vec<String> = ws.iter().map(fmt_window).collect();
                (format!("w:{}", k.join(";")), d.join(", "))
            }
        };
        let next = self.time_desc.len() as u32;
        let id = *self.time_ids.entry(key).or_insert(next);
        if id == next {
            self.time_desc.push(desc);
        }
        Node::Free { key: (KIND_TIME, id, 0), slot: None }
    }

    // ----- constraints (index) -------------------------------------------

    /// The values one field can have in every alert matching `n` (when
    /// `pos`; not matching it otherwise); `None`: unconstrained. `team`
    /// atoms constrain `service` (to the team's services).
    fn slot_constraint(&self, n: &Node, pos: bool, slot: u32) -> Option<Vec<u32>> {
        match n {
            Node::Eq { slot: s, val } if pos => self.atom_constraint(*s, std::slice::from_ref(val)).filter(|c| c.0 == slot).map(|c| c.1),
            Node::In { slot: s, vals } if pos => self.atom_constraint(*s, vals).filter(|c| c.0 == slot).map(|c| c.1),
            Node::Not(x) => self.slot_constraint(x, !pos, slot),
            Node::And(xs) | Node::Or(xs) => {
                if matches!(n, Node::And(_)) == pos {
                    let mut out: Option<Vec<u32>> = None;
                    for x in xs.iter() {
                        if let Some(v) = self.slot_constraint(x, pos, slot) {
                            out = Some(match out {
                                Some(o) => intersect(&o, &v),
                                None => v,
                            });
                        }
                    }
                    out
                } else {
                    let mut out: Vec<u32> = Vec::new();
                    for x in xs.iter() {
                        out = union(&out, &self.slot_constraint(x, pos, slot)?);
                    }
                    Some(out)
                }
            }
            Node::Const(b) if *b != pos => Some(Vec::new()),
            _ => None,
        }
    }

    fn atom_constraint(&self, slot: u32, vals: &[u32]) -> Option<(u32, Vec<u32>)> {
        if slot & HAVOC != 0 {
            return None;
        }
        if slot == SLOT_TEAM {
            let mut svcs = Vec::new();
            for t in vals {
                if let Some(l) = self.team_services.get(t) {
                    svcs = union(&svcs, l);
                }
            }
            Some((SLOT_SERVICE, svcs))
        } else {
            let mut v = vals.to_vec();
            v.sort_unstable();
            Some((slot, v))
        }
    }

    fn constraints(&self, n: &Node, pos: bool) -> Constraints {
        match n {
            Node::Eq { slot, val } if pos => self.atom_constraint(*slot, std::slice::from_ref(val)).into_iter().collect(),
            Node::In { slot, vals } if pos => self.atom_constraint(*slot, vals).into_iter().collect(),
            Node::Not(x) => self.constraints(x, !pos),
            Node::And(xs) | Node::Or(xs) => {
                let conj = matches!(n, Node::And(_)) == pos;
                if conj {
                    let mut out: Constraints = Vec::new();
                    for x in xs.iter() {
                        for (slot, vals) in self.constraints(x, pos) {
                            match out.iter_mut().find(|c| c.0 == slot) {
                                Some(c) => c.1 = intersect(&c.1, &vals),
                                None => out.push((slot, vals)),
                            }
                        }
                    }
                    out.sort_by_key(|c| c.0);
                    out
                } else {
                    let mut it = xs.iter();
                    let Some(first) = it.next() else { return Vec::new() };
                    let mut out = self.constraints(first, pos);
                    for x in it {
                        if out.is_empty() {
                            break;
                        }
                        let p = self.constraints(x, pos);
                        out = out
                            .into_iter()
                            .filter_map(|(slot, vals)| p.iter().find(|c| c.0 == slot).map(|c| (slot, union(&vals, &c.1))))
                            .collect();
                    }
                    out
                }
            }
            Node::Const(false) if pos => vec![(SLOT_SERVICE, Vec::new())],
            Node::Const(true) if !pos => vec![(SLOT_SERVICE, Vec::new())],
            _ => Vec::new(),
        }
    }

    // ----- states ---------------------------------------------------------

    fn unknown_state(&self) -> State {
        State {
            sev: self.full_sev,
            sev_h: self.full_sev,
            service: FState::Unknown { excl: Excl::default(), mba: true },
            team: FState::Unknown { excl: Excl::default(), mba: true },
            strs: Vec::new(),
            assume: Vec::new(),
            pc: 0,
            decided: None,
            matched: Vec::new(),
            stash_sev: None,
            stash: Vec::new(),
        }
    }

    fn service_state(&self, si: usize) -> State {
        let mut st = self.unknown_state();
        st.service = FState::Known(Some(self.svc_name[si]));
        st.team = FState::Known(self.svc_owner[si]);
        st
    }

    fn initial_mba(&self, st: &State, slot: u32) -> bool {
        if slot >= LABEL_BASE && slot & HAVOC == 0 {
            if let FState::Known(Some(s)) = st.service {
                if let Some(si) = self.svc_of(s) {
                    let key = self.text(slot - LABEL_BASE);
                    return !self.m.services[si].labels.iter().any(|l| l.key.value == key);
                }
            }
        }
        true
    }

    fn view<'s>(&self, st: &'s State, slot: u32) -> FView<'s> {
        match st.stored(slot) {
            Some(f) => f.view(),
            None => FView::Unknown(&NO_EXCL, self.initial_mba(st, slot)),
        }
    }

    fn owned(&self, st: &State, slot: u32) -> FState {
        match st.stored(slot) {
            Some(f) => f.clone(),
            None => FState::Unknown { excl: Excl::default(), mba: self.initial_mba(st, slot) },
        }
    }

    // ----- evaluation -----------------------------------------------------

    fn eval<'n>(&self, n: &'n Node, st: &State) -> Tri<'n> {
        match n {
            Node::Const(b) => tri(*b),
            Node::Sev { pred, alt } => {
                let s = if *alt { st.sev_h } else { st.sev };
                let i = s & pred;
                if i == s {
                    Tri::T
                } else if i == 0 {
                    Tri::F
                } else {
                    Tri::U(n)
                }
            }
            Node::Eq { slot, val } => match self.view(st, *slot) {
                FView::Known(v) => tri(v == Some(*val)),
                FView::Unknown(excl, _) => {
                    if excl.contains(*val) {
                        Tri::F
                    } else {
                        Tri::U(n)
                    }
                }
            },
            Node::In { slot, vals } => match self.view(st, *slot) {
                FView::Known(v) => tri(v.is_some_and(|v| vals.binary_search(&v).is_ok())),
                FView::Unknown(excl, _) => {
                    if vals.iter().all(|v| excl.contains(*v)) {
                        Tri::F
                    } else {
                        Tri::U(n)
                    }
                }
            },
            Node::Match { slot, pat } => match self.view(st, *slot) {
                FView::Known(None) => Tri::F,
                FView::Known(Some(v)) if self.regexes.contains_key(pat) => tri(self.regexes[pat].is_match(self.text(v))),
                _ => match st.assumption((KIND_MATCH, *slot, *pat)) {
                    Some(b) => tri(b),
                    None => Tri::U(n),
                },
            },
            Node::Free { key, slot } => {
                if let Some(s) = slot {
                    if let FView::Known(None) = self.view(st, *s) {
                        return Tri::F;
                    }
                }
                match st.assumption(*key) {
                    Some(b) => tri(b),
                    None => Tri::U(n),
                }
            }
            Node::Not(x) => match self.eval(x, st) {
                Tri::T => Tri::F,
                Tri::F => Tri::T,
                u => u,
            },
            Node::And(xs) => {
                let mut first = None;
                for x in xs.iter() {
                    match self.eval(x, st) {
                        Tri::F => return Tri::F,
                        Tri::T => {}
                        Tri::U(a) => {
                            if first.is_none() {
                                first = Some(a);
                            }
                        }
                    }
                }
                first.map_or(Tri::T, Tri::U)
            }
            Node::Or(xs) => {
                let mut first = None;
                for x in xs.iter() {
                    match self.eval(x, st) {
                        Tri::T => return Tri::T,
                        Tri::F => {}
                        Tri::U(a) => {
                            if first.is_none() {
                                first = Some(a);
                            }
                        }
                    }
                }
                first.map_or(Tri::F, Tri::U)
            }
        }
    }

    /// Split a state on an undetermined atom: (atom true, atom false);
    /// `None` for an infeasible side.
    fn split(&self, atom: &Node, st: State) -> (Option<State>, Option<State>) {
        match atom {
            Node::Sev { pred, alt } => {
                let mut t = st.clone();
                let mut f = st;
                if *alt {
                    t.sev_h &= pred;
                    f.sev_h &= !pred;
                } else {
                    t.sev &= pred;
                    f.sev &= !pred;
                }
                (Some(t), Some(f))
            }
            Node::Eq { slot, val } => self.split_eq(st, *slot, *val),
            Node::In { slot, vals } => {
                let first = match self.view(&st, *slot) {
                    FView::Unknown(excl, _) => vals.iter().copied().find(|v| !excl.contains(*v)),
                    FView::Known(_) => None,
                };
                match first {
                    Some(v) => self.split_eq(st, *slot, v),
                    None => (None, Some(st)),
                }
            }
            Node::Match { slot, pat } => {
                let key = (KIND_MATCH, *slot, *pat);
                let mut t = st.clone();
                t.assume(key, true);
                let mut f = st;
                f.assume(key, false);
                (Some(t), Some(f))
            }
            Node::Free { key, .. } => {
                let mut t = st.clone();
                t.assume(*key, true);
                let mut f = st;
                f.assume(*key, false);
                (Some(t), Some(f))
            }
            // compound nodes are never returned as atoms
            _ => (Some(st), None),
        }
    }

    fn split_eq(&self, st: State, slot: u32, val: u32) -> (Option<State>, Option<State>) {
        let mut f = st.clone();
        let mut fs = self.owned(&f, slot);
        if let FState::Unknown { excl, .. } = &mut fs {
            excl.insert(val);
        }
        f.put(slot, fs);
        (self.refine(st, slot, Some(val)), Some(f))
    }

    /// Does value `v` of `slot` agree with the state's assumptions about it?
    fn consistent(&self, st: &State, slot: u32, v: Option<u32>) -> bool {
        for &((kind, s, pat), b) in st.assume.iter() {
            if s != slot || kind == KIND_TIME {
                continue;
            }
            match v {
                None => {
                    if b {
                        return false;
                    }
                }
                Some(x) => {
                    if kind == KIND_MATCH {
                        if let Some(re) = self.regexes.get(&pat) {
                            if re.is_match(self.text(x)) != b {
                                return false;
                            }
                        }
                    }
                }
            }
        }
        true
    }

    /// The field becomes known; `None` when that contradicts the state.
    fn refine(&self, mut st: State, slot: u32, v: Option<u32>) -> Option<State> {
        match self.view(&st, slot) {
            FView::Known(k) => return (k == v).then_some(st),
            FView::Unknown(excl, mba) => {
                match v {
                    Some(x) if excl.contains(x) => return None,
                    None if !mba => return None,
                    _ => {}
                }
            }
        }
        if !self.consistent(&st, slot, v) {
            return None;
        }
        if slot == SLOT_TEAM {
            if let (Some(t), FView::Unknown(excl, _)) = (v, self.view(&st, SLOT_SERVICE)) {
                let svcs = self.team_services.get(&t)?;
                let ok = svcs.iter().any(|s| !excl.contains(*s) && self.consistent(&st, SLOT_SERVICE, Some(*s)));
                if !ok {
                    return None;
                }
                let excl = excl.clone();
                st.put(SLOT_SERVICE, FState::Unknown { excl, mba: false });
            }
        }
        st.put(slot, FState::Known(v));
        if slot == SLOT_SERVICE {
            let owner = v.and_then(|s| self.svc_of(s)).and_then(|si| self.svc_owner[si]);
            return self.refine(st, SLOT_TEAM, owner);
        }
        Some(st)
    }

    // ----- exploration ----------------------------------------------------

    /// Every end state of the routes for the service (by index).
    pub fn explore(&self, si: usize) -> Exploration {
        let mut outcomes = Vec::with_capacity(8);
        let complete = self.walk(si, None, &mut |st, suppressed| outcomes.push(self.outcome(si, st, suppressed)), &mut Vec::new());
        Exploration { service: si, outcomes, complete }
    }

    /// The policies the service's alerts can reach (decided, or the
    /// fallback; suppressed alerts reach none), each with the final
    /// severities of the alerts reaching it, by policy index; and whether
    /// the exploration was complete. Cheaper than [`Analyzer::explore`].
    pub fn reachable_policies(&self, si: usize) -> (Vec<PolicyReach>, bool) {
        let mut out: Vec<PolicyReach> = Vec::new();
        let complete = self.walk(
            si,
            None,
            &mut |st, suppressed| {
                if suppressed {
                    return;
                }
                let policy = match st.decided {
                    Some(r) => self.routes[r as usize].policy,
                    None => self.svc_policy[si],
                };
                if let Some(p) = policy {
                    match out.iter_mut().find(|x| x.policy == p) {
                        Some(x) => x.severities |= st.sev,
                        None => out.push(PolicyReach { policy: p, severities: st.sev, nsev: self.nsev }),
                    }
                }
            },
            &mut Vec::new(),
        );
        out.sort_by_key(|x| x.policy);
        (out, complete)
    }

    /// Run the routes of a service symbolically. With `stop`, the states
    /// that reach that route (before its condition) go to `reached` and no
    /// outcome is recorded; otherwise every end state goes to `outcomes`.
    /// False when a budget ran out.
    fn walk(&self, si: usize, stop: Option<u32>, sink: &mut dyn FnMut(State, bool), reached: &mut Vec<State>) -> bool {
        if !self.sev_ok || si >= self.svc_name.len() {
            return false;
        }
        let own = &self.svc_routes[self.svc_routes_off[si] as usize..self.svc_routes_off[si + 1] as usize];
        let mut list: Vec<u32> = Vec::with_capacity(self.unrestricted.len() + own.len());
        let (mut i, mut j) = (0, 0);
        while i < self.unrestricted.len() || j < own.len() {
            if j >= own.len() || (i < self.unrestricted.len() && self.unrestricted[i] < own[j]) {
                list.push(self.unrestricted[i]);
                i += 1;
            } else {
                list.push(own[j]);
                j += 1;
            }
        }
        let mut budget = STATE_CAP;
        let mut stack = Vec::with_capacity(8);
        stack.push(self.service_state(si));
        let mut done = |st: State, suppressed: bool| {
            if stop.is_none() {
                sink(st, suppressed);
            }
        };
        'states: while let Some(mut st) = stack.pop() {
            loop {
                let Some(&ri) = list.get(st.pc as usize) else {
                    done(st, false);
                    continue 'states;
                };
                if stop == Some(ri) {
                    reached.push(st);
                    continue 'states;
                }
                if !self.spend(1) {
                    return false;
                }
                let r = &self.routes[ri as usize];
                let res = match &r.when {
                    None => Tri::T,
                    Some(c) => self.eval(c, &st),
                };
                match res {
                    Tri::F => st.pc += 1,
                    Tri::U(atom) => {
                        if budget == 0 || !self.spend(SPLIT_WORK) {
                            return false;
                        }
                        budget -= 1;
                        match self.split(atom, st) {
                            (Some(t), Some(f)) => {
                                stack.push(f);
                                st = t;
                            }
                            (Some(t), None) => st = t,
                            (None, Some(f)) => st = f,
                            (None, None) => continue 'states,
                        }
                    }
                    Tri::T => {
                        st.matched.push(ri as usize);
                        for s in &r.sets {
                            match *s {
                                SetOp::Sev(bit) => {
                                    if st.stash_sev.is_none() {
                                        st.stash_sev = Some(st.sev);
                                    }
                                    st.sev = bit;
                                }
                                SetOp::Label(slot, val) => {
                                    if st.stash.binary_search_by_key(&slot, |e| e.0).is_err() {
                                        let old = self.owned(&st, slot);
                                        let i = st.stash.binary_search_by_key(&slot, |e| e.0).unwrap_err();
                                        st.stash.insert(i, (slot, old));
                                    }
                                    st.put(slot, FState::Known(Some(val)));
                                }
                            }
                        }
                        if r.suppress {
                            let suppressed = st.decided.is_none();
                            done(st, suppressed);
                            continue 'states;
                        }
                        if r.has_to && st.decided.is_none() {
                            st.decided = Some(ri);
                        }
                        if !r.cont {
                            done(st, false);
                            continue 'states;
                        }
                        st.pc += 1;
                    }
                }
            }
        }
        true
    }

    fn outcome(&self, si: usize, mut st: State, suppressed: bool) -> Outcome {
        let decided_by = if suppressed { None } else { st.decided.map(|r| r as usize) };
        let has_fallback = self.m.services[si].policy.is_some();
        let fallback = !suppressed && decided_by.is_none() && has_fallback;
        let policy = match decided_by {
            Some(r) => self.routes[r].policy,
            None if fallback => self.svc_policy[si],
            None => None,
        };
        Outcome {
            decided_by,
            policy,
            fallback,
            suppressed,
            matched: std::mem::take(&mut st.matched),
            example: None,
            severities: st.sev,
            nsev: self.nsev,
            service: si,
            state: st,
        }
    }

    fn field_name(&self, slot: u32) -> String {
        match slot {
            SLOT_SERVICE => "service".into(),
            SLOT_TEAM => "team".into(),
            SLOT_SUMMARY => "summary".into(),
            SLOT_SOURCE => "source".into(),
            s => crate::syntax::format_label_key(self.text((s & !HAVOC) - LABEL_BASE)),
        }
    }

    /// The alert's own severities (before any `set`): declared ranks and
    /// whether "no severity" is possible.
    pub fn input_severities(&self, o: &Outcome) -> (Vec<usize>, bool) {
        let s = o.state.stash_sev.unwrap_or(o.state.sev);
        ((0..self.nsev as usize).filter(|r| s >> r & 1 == 1).collect(), s >> self.nsev & 1 == 1)
    }

    /// An example alert of the outcome, as the alert was sent (before any
    /// `set`): "an alert of `api` with severity sev3 and labels.env other
    /// than \"staging\"".
    pub fn describe(&self, o: &Outcome) -> String {
        let st = &o.state;
        let svc = &self.m.services[o.service];
        let mut parts = Vec::new();
        let sev = st.stash_sev.unwrap_or(st.sev);
        match (0..self.nsev as usize).find(|r| sev >> r & 1 == 1) {
            Some(r) => parts.push(format!("severity {}", self.m.org.severities[r].name)),
            None => parts.push("no severity".into()),
        }
        for (slot, cur) in st.strs.iter() {
            if *slot < SLOT_SUMMARY {
                continue;
            }
            let input = st.stash.binary_search_by_key(slot, |e| e.0).ok().map(|i| &st.stash[i].1).unwrap_or(cur);
            let name = self.field_name(*slot);
            match input {
                FState::Known(Some(v)) => parts.push(format!("{name} \"{}\"", self.text(*v))),
                FState::Known(None) => parts.push(format!("no {name}")),
                FState::Unknown { excl, .. } if !excl.is_empty() => {
                    let mut vs: Vec<&str> = excl.iter().map(|v| self.text(v)).collect();
                    vs.sort_unstable();
                    let vs: Vec<String> = vs.into_iter().map(|v| format!("\"{v}\"")).collect();
                    parts.push(format!("{name} other than {}", vs.join(", ")));
                }
                _ => {}
            }
        }
        for &((kind, a, b), val) in st.assume.iter() {
            match kind {
                KIND_MATCH => {
                    let not = if val { "" } else { "not " };
                    parts.push(format!("{} {not}matching \"{}\"", self.field_name(a), self.text(b)));
                }
                KIND_TIME => {
                    let w = if val { "within" } else { "outside" };
                    parts.push(format!("a time {w} {}", self.time_desc[a as usize]));
                }
                _ => {
                    let not = if val { "" } else { "not " };
                    parts.push(format!("{not}{}", self.opaque_desc[b as usize]));
                }
            }
        }
        format!("an alert of `{}` with {}", svc.name.name, join_and(&parts))
    }

    // ----- implication ----------------------------------------------------

    fn implies_ir(&self, a: &Node, b: &Node) -> Implied {
        self.implies_with(a, b, self.unknown_state(), &mut Vec::new())
    }

    /// Split until `a` is decided; keep its true states and split them
    /// until `b` is decided. `stack` is scratch space.
    fn implies_with(&self, a: &Node, b: &Node, start: State, stack: &mut Vec<State>) -> Implied {
        if !self.sev_ok || !self.spend(1) {
            return Implied::No;
        }
        stack.clear();
        stack.push(start);
        let mut budget = STATE_CAP;
        let mut any = false;
        while let Some(st) = stack.pop() {
            let (atom, in_b) = match self.eval(a, &st) {
                Tri::F => continue,
                Tri::U(x) => (x, false),
                Tri::T => {
                    any = true;
                    match self.eval(b, &st) {
                        Tri::T => continue,
                        Tri::F => return Implied::No,
                        Tri::U(x) => (x, true),
                    }
                }
            };
            if budget == 0 || !self.spend(SPLIT_WORK) {
                return Implied::No;
            }
            budget -= 1;
            let (t, f) = self.split(atom, st);
            // premise atoms: true side first; conclusion atoms: false side
            // first, to find a counterexample early
            if in_b {
                stack.extend(t);
                stack.extend(f);
            } else {
                stack.extend(f);
                stack.extend(t);
            }
        }
        if any {
            Implied::Yes
        } else {
            Implied::Vacuous
        }
    }

    /// B ⇒ A over the states of each service in `services` that reach
    /// route `a` (after every earlier route and `set`).
    fn implies_at(&self, a: u32, bnode: &Node, anode: &Node, services: &[u32], stack: &mut Vec<State>) -> Implied {
        let mut any = false;
        let mut reached = Vec::new();
        for &s in services {
            let Some(si) = self.svc_of(s) else { return Implied::No };
            reached.clear();
            if !self.walk(si, Some(a), &mut |_, _| {}, &mut reached) {
                return Implied::No;
            }
            for st in reached.drain(..) {
                match self.implies_with(bnode, anode, st, stack) {
                    Implied::Yes => any = true,
                    Implied::Vacuous => {}
                    Implied::No => return Implied::No,
                }
            }
        }
        // B matching no alert that reaches A is not A's doing
        if any {
            Implied::Yes
        } else {
            Implied::No
        }
    }

    /// Collect the refinements of `from` in which `n` is true; false when
    /// over budget.
    fn true_states(&self, n: &Node, from: State, out: &mut Vec<State>, stack: &mut Vec<State>) -> bool {
        stack.clear();
        stack.push(from);
        let mut budget = STATE_CAP;
        while let Some(st) = stack.pop() {
            match self.eval(n, &st) {
                Tri::T => out.push(st),
                Tri::F => {}
                Tri::U(x) => {
                    if budget == 0 || !self.spend(SPLIT_WORK) {
                        return false;
                    }
                    budget -= 1;
                    let (t, f) = self.split(x, st);
                    stack.extend(f);
                    stack.extend(t);
                }
            }
        }
        true
    }

    /// Is `a` true in every refinement of every state? `None` when over
    /// budget. A greedy descent (atoms false first) looks for a
    /// counterexample before the full case split.
    fn holds_in_all(&self, states: &[State], a: &Node, stack: &mut Vec<State>) -> Option<bool> {
        let mut undecided = false;
        for st in states {
            match self.eval(a, st) {
                Tri::T => continue,
                Tri::F => return Some(false),
                Tri::U(_) => undecided = true,
            }
            let mut cur = st.clone();
            loop {
                match self.eval(a, &cur) {
                    Tri::T => break,
                    Tri::F => return Some(false),
                    Tri::U(x) => {
                        if !self.spend(SPLIT_WORK) {
                            return None;
                        }
                        cur = match self.split(x, cur) {
                            (_, Some(f)) => f,
                            (Some(t), None) => t,
                            (None, None) => break,
                        };
                    }
                }
            }
        }
        if !undecided {
            return Some(true);
        }
        stack.clear();
        stack.extend(states.iter().cloned());
        let mut budget = STATE_CAP;
        while let Some(st) = stack.pop() {
            match self.eval(a, &st) {
                Tri::T => {}
                Tri::F => return Some(false),
                Tri::U(x) => {
                    if budget == 0 || !self.spend(SPLIT_WORK) {
                        return None;
                    }
                    budget -= 1;
                    let (t, f) = self.split(x, st);
                    stack.extend(t);
                    stack.extend(f);
                }
            }
        }
        Some(true)
    }

    fn reads(n: &Node, sev: &mut bool, slots: &mut Vec<u32>) {
        match n {
            Node::Sev { .. } => *sev = true,
            Node::Eq { slot, .. } | Node::In { slot, .. } | Node::Match { slot, .. } => sorted_insert(slots, *slot),
            Node::Free { slot: Some(s), .. } => sorted_insert(slots, *s),
            Node::Not(x) => Self::reads(x, sev, slots),
            Node::And(xs) | Node::Or(xs) => xs.iter().for_each(|x| Self::reads(x, sev, slots)),
            _ => {}
        }
    }

    /// The same condition, reading renamed copies of the havoc fields.
    fn rename(n: &Node, sev: bool, slots: &[u32]) -> Node {
        let r = |s: u32| if slots.binary_search(&s).is_ok() { s | HAVOC } else { s };
        match n {
            Node::Sev { pred, alt } => Node::Sev { pred: *pred, alt: *alt || sev },
            Node::Eq { slot, val } => Node::Eq { slot: r(*slot), val: *val },
            Node::In { slot, vals } => Node::In { slot: r(*slot), vals: vals.clone() },
            Node::Match { slot, pat } => Node::Match { slot: r(*slot), pat: *pat },
            Node::Free { key, slot: Some(s) } => Node::Free { key: (key.0, r(*s), key.2), slot: Some(r(*s)) },
            Node::Not(x) => Node::Not(Box::new(Self::rename(x, sev, slots))),
            Node::And(xs) => Node::And(xs.iter().map(|x| Self::rename(x, sev, slots)).collect()),
            Node::Or(xs) => Node::Or(xs.iter().map(|x| Self::rename(x, sev, slots)).collect()),
            other => other.clone(),
        }
    }

    /// W0500: for each route, the earliest earlier route that matches every
    /// alert it matches (preferring a non-`continue` one).
    ///
    /// A pair is compared only when the earlier route's `==`/`in`
    /// constraints contain the later one's. When an earlier route `set`s a
    /// field the earlier route reads and the later route is restricted to
    /// a few declared services, the comparison is also made on the states
    /// of those services that reach the earlier route. When a route between them
    /// (or the earlier route itself, for `to` + `continue`) has a `set` on
    /// a field the later route reads, and could match the same service,
    /// the later route reads that field as a fresh unknown value.
    pub fn shadows(&self) -> Vec<Shadow> {
        let mut out = Vec::new();
        let mut global: Vec<u32> = Vec::new();
        // (slot, value, route), sorted: routes whose chosen constraint allows value
        let mut index: Vec<(u32, u32, u32)> = Vec::new();
        // writers of each field: u32::MAX for severity
        let mut writers: FxMap<u32, Vec<u32>> = FxMap::default();
        // first route setting a field, per service (u32::MAX: unrestricted)
        let mut first_writer: FxMap<(u32, u32), u32> = FxMap::default();
        let cons: Vec<Constraints> = self.routes.iter().map(|r| r.when.as_ref().map(|n| self.constraints(n, true)).unwrap_or_default()).collect();
        for (i, r) in self.routes.iter().enumerate() {
            let rc = &cons[i];
            let i = i as u32;
            for s in &r.sets {
                let k = match s {
                    SetOp::Sev(_) => u32::MAX,
                    SetOp::Label(slot, _) => *slot,
                };
                let w = writers.entry(k).or_default();
                if w.last() != Some(&i) {
                    w.push(i);
                }
                match &r.restriction {
                    None => {
                        first_writer.entry((k, u32::MAX)).or_insert(i);
                    }
                    Some(svcs) => {
                        for &sv in svcs {
                            first_writer.entry((k, sv)).or_insert(i);
                        }
                    }
                }
            }
            if rc.is_empty() {
                global.push(i);
            } else {
                let key = rc.iter().min_by_key(|c| (c.0 != SLOT_SERVICE, c.1.len())).map(|c| c.0).unwrap_or(SLOT_SERVICE);
                if let Some((_, vals)) = rc.iter().find(|c| c.0 == key) {
                    index.extend(vals.iter().map(|v| (key, *v, i)));
                }
            }
        }
        index.sort_unstable();
        let always = Node::Const(true);
        let mut cands: Vec<u32> = Vec::new();
        let mut stack: Vec<State> = Vec::new();
        for (bi, rb) in self.routes.iter().enumerate() {
            let b = bi as u32;
            let bc = &cons[bi];
            if bc.iter().any(|c| c.1.is_empty()) {
                continue; // matches nothing
            }
            cands.clear();
            cands.extend(global.iter().copied().take_while(|&a| a < b));
            for (slot, vals) in bc {
                let start = index.partition_point(|e| (e.0, e.1) < (*slot, vals[0]));
                cands.extend(index[start..].iter().take_while(|e| (e.0, e.1) == (*slot, vals[0]) && e.2 < b).map(|e| e.2));
            }
            // Routes an earlier `set` may make cover B: for B restricted to a
            // few declared services, the earlier routes that apply to them
            // and read a field set for them before.
            let mut set_fields: Vec<(u32, u32)> = Vec::new(); // (field, first writer)
            if let Some(rs) = rb.restriction.as_ref().filter(|rs| !rs.is_empty() && rs.len() <= 16 && rs.iter().all(|&x| self.svc_of(x).is_some())) {
                for &k in writers.keys() {
                    let w = rs.iter().filter_map(|&sv| first_writer.get(&(k, sv))).chain(first_writer.get(&(k, u32::MAX))).copied().min();
                    if let Some(w) = w.filter(|&w| w < b) {
                        set_fields.push((k, w));
                    }
                }
                if !set_fields.is_empty() {
                    let lo = set_fields.iter().map(|f| f.1).min().unwrap_or(b);
                    let fresh = cands.len();
                    cands.extend(self.unrestricted.iter().copied().filter(|&a| a > lo && a < b));
                    for &sv in rs {
                        let si = sv as usize;
                        let own = &self.svc_routes[self.svc_routes_off[si] as usize..self.svc_routes_off[si + 1] as usize];
                        cands.extend(own.iter().copied().filter(|&a| a > lo && a < b));
                    }
                    // keep only those reading a field set before them
                    let mut keep = fresh;
                    for k in fresh..cands.len() {
                        let a = cands[k];
                        let (mut sev, mut slots) = (false, Vec::new());
                        if let Some(n) = &self.routes[a as usize].when {
                            Self::reads(n, &mut sev, &mut slots);
                        }
                        let reads_set = set_fields.iter().any(|&(f, w)| w < a && if f == u32::MAX { sev } else { slots.binary_search(&f).is_ok() });
                        if reads_set {
                            cands[keep] = a;
                            keep += 1;
                        }
                    }
                    cands.truncate(keep);
                }
            }
            cands.sort_unstable();
            cands.dedup();
            if cands.is_empty() {
                continue;
            }
            let bnode = rb.when.as_ref().unwrap_or(&always);
            let (mut rsev, mut rslots) = (false, Vec::new());
            Self::reads(bnode, &mut rsev, &mut rslots);
            let mut second: Option<u32> = None;
            let mut first: Option<u32> = None;
            // the states in which B (without renaming) is true, computed once
            let mut bstates: Option<Vec<State>> = None;
            for &a in &cands {
                let ra = &self.routes[a as usize];
                let decides_first = if !ra.cont {
                    false
                } else if ra.has_to && rb.has_to && second.is_none() {
                    true
                } else {
                    continue;
                };
                let covered = cons[a as usize].iter().all(|(slot, va)| bc.iter().any(|(s, vb)| s == slot && is_subset(vb, va)));
                let (mut asev, mut aslots) = (false, Vec::new());
                let set_before = !set_fields.is_empty() && {
                    if let Some(n) = &ra.when {
                        Self::reads(n, &mut asev, &mut aslots);
                    }
                    set_fields.iter().any(|&(f, w)| w < a && if f == u32::MAX { asev } else { aslots.binary_search(&f).is_ok() })
                };
                if !covered && !set_before {
                    continue;
                }
                let lo = if decides_first { a } else { a + 1 };
                let written = |k: u32| {
                    writers.get(&k).is_some_and(|w| {
                        let start = w.partition_point(|&x| x < lo);
                        w[start..].iter().take_while(|&&x| x < b).any(|&x| match (&self.routes[x as usize].restriction, &rb.restriction) {
                            (Some(x), Some(y)) => x.iter().any(|s| y.binary_search(s).is_ok()),
                            _ => true,
                        })
                    })
                };
                let hsev = rsev && written(u32::MAX);
                let hslots: Vec<u32> = rslots.iter().copied().filter(|&s| s >= LABEL_BASE && written(s)).collect();
                let anode = ra.when.as_ref().unwrap_or(&always);
                if self.work.get() == 0 {
                    return out; // budget exhausted: report what was proved
                }
                let verdict = if !covered {
                    Implied::No
                } else if hsev || !hslots.is_empty() {
                    let renamed = Self::rename(bnode, hsev, &hslots);
                    self.implies_with(&renamed, anode, self.unknown_state(), &mut stack)
                } else {
                    if bstates.is_none() {
                        let mut v = Vec::new();
                        if !self.true_states(bnode, self.unknown_state(), &mut v, &mut stack) {
                            break; // over budget: B is not judged
                        }
                        bstates = Some(v);
                    }
                    let states = bstates.as_deref().unwrap_or(&[]);
                    if states.is_empty() {
                        Implied::Vacuous
                    } else {
                        match self.holds_in_all(states, anode, &mut stack) {
                            Some(true) => Implied::Yes,
                            _ => Implied::No,
                        }
                    }
                };
                // Earlier `set`s (or earlier routes) may make every alert of
                // B's services that reaches A match A: judge B against the
                // states that actually reach A, service by service.
                let verdict = match verdict {
                    Implied::No if set_before => {
                        let renamed;
                        let bn = if hsev || !hslots.is_empty() {
                            renamed = Self::rename(bnode, hsev, &hslots);
                            &renamed
                        } else {
                            bnode
                        };
                        self.implies_at(a, bn, anode, rb.restriction.as_deref().unwrap_or(&[]), &mut stack)
                    }
                    v => v,
                };
                match verdict {
                    Implied::Yes => {
                        if decides_first {
                            second = Some(a);
                        } else {
                            first = Some(a);
                            break;
                        }
                    }
                    Implied::Vacuous => break,
                    Implied::No => {}
                }
            }
            if let Some(a) = first {
                out.push(Shadow { route: bi, by: a as usize, decides_first: false });
            } else if let Some(a) = second {
                out.push(Shadow { route: bi, by: a as usize, decides_first: true });
            }
        }
        out
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use crate::checks::Ctx;
    use crate::diag::Finding;
    use crate::model::graph::Graph;
    use crate::workspace::{load_texts, Workspace};
    use std::path::PathBuf;

    /// A workspace from one source text, asserting it has no model findings.
    pub fn ws(src: &str) -> Workspace {
        let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
        assert!(ws.findings.is_empty(), "model findings: {:#?}", ws.findings);
        ws
    }

    /// Run one check and return (code, line, message) of its findings.
    pub fn run(check: fn(&Ctx) -> Vec<Finding>, src: &str) -> Vec<(String, usize, String)> {
        let w = ws(src);
        let graph = Graph::build(&w.model);
        let ctx = Ctx { model: &w.model, graph: &graph };
        let mut out: Vec<(String, usize, String)> = check(&ctx)
            .into_iter()
            .map(|f| (f.code.to_string(), w.sources.get(f.span.file).line_col(f.span.start as usize).line, f.message))
            .collect();
        out.sort();
        out
    }

    /// Assert the check yields exactly these (code, line) pairs.
    pub fn check(check_fn: fn(&Ctx) -> Vec<Finding>, src: &str, expected: &[(&str, usize)]) -> Vec<String> {
        let got = run(check_fn, src);
        let pairs: Vec<(String, usize)> = got.iter().map(|g| (g.0.clone(), g.1)).collect();
        let mut want: Vec<(String, usize)> = expected.iter().map(|(c, l)| (c.to_string(), *l)).collect();
        want.sort();
        assert_eq!(pairs, want, "findings: {got:#?}");
        got.into_iter().map(|g| g.2).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::ws;
    use super::*;

    const BASE: &str = "team ops { members a }\nperson a { email \"a@x\" }\npolicy p { tier one { notify person a  escalate after 5m } }\npolicy q { tier one { notify person a } }\n";

    fn explore(src: &str, svc: &str) -> (Model, Exploration) {
        let w = ws(&format!("{BASE}{src}"));
        let si = w.model.ns_service.get(svc).expect("service");
        let ex = explore_service(&w.model, si);
        (w.model, ex)
    }

    fn cond(m: &Model, route: &str) -> Cond {
        let r = &m.routes[m.ns_route.get(route).expect("route")];
        r.when.as_ref().map(|w| w.value.clone()).unwrap_or(Cond::And(vec![]))
    }

    fn imp(src: &str, a: &str, b: &str) -> bool {
        let w = ws(&format!("{BASE}{src}"));
        let ca = cond(&w.model, a);
        let cb = cond(&w.model, b);
        implies(&w.model, &ca, &cb)
    }

    #[test]
    fn exclusions_spill_into_a_shared_base() {
        let mut e = Excl::default();
        for x in (0..100).rev() {
            e.insert(x * 2);
        }
        assert!(e.contains(0) && e.contains(198) && !e.contains(3));
        assert_eq!(e.iter().count(), 100);
        assert!(e.base.is_some() && e.add.len() < 32);
        let mut f = e.clone();
        f.insert(3);
        assert!(f.contains(3) && !e.contains(3));
    }

    #[test]
    fn severity_range_splits() {
        let (m, ex) = explore(
            "service api { owner ops }\nroutes {\n route major { when service == \"api\" and severity >= sev2  to policy p }\n route noise { when severity == sev5  suppress }\n}\n",
            "api",
        );
        assert!(ex.complete);
        let an = Analyzer::new(&m);
        let unrouted: Vec<&Outcome> = ex.outcomes.iter().filter(|o| o.unrouted()).collect();
        assert_eq!(unrouted.len(), 1);
        assert_eq!(an.input_severities(unrouted[0]), (vec![2, 3], true));
        assert_eq!(severities_text(&m, &[2, 3], true), "severity sev3, severity sev4 or no severity");
        assert_eq!(an.describe(unrouted[0]), "an alert of `api` with severity sev3");
        let decided: Vec<&Outcome> = ex.outcomes.iter().filter(|o| o.decided_by.is_some()).collect();
        assert_eq!(decided.len(), 1);
        assert_eq!(decided[0].severity_ranks().collect::<Vec<_>>(), vec![0, 1]);
        assert!(ex.outcomes.iter().any(|o| o.suppressed && o.may_have_severity(4) && !o.may_have_severity(3)));
    }

    #[test]
    fn set_and_continue_upgrade() {
        let (_, ex) = explore(
            "service api { owner ops  policy q }\nroutes {\n route vip { when labels.customer == \"vip\"  set severity sev1  continue }\n route crit { when severity == sev1  to policy p }\n}\n",
            "api",
        );
        // vip alerts of any severity reach p with severity sev1
        let p = ex.outcomes.iter().filter(|o| o.decided_by == Some(1)).collect::<Vec<_>>();
        assert_eq!(p.len(), 2, "{:#?}", ex.outcomes);
        assert!(p.iter().all(|o| o.severity_ranks().collect::<Vec<_>>() == vec![0] && !o.may_have_no_severity()));
        assert!(p.iter().any(|o| o.matched == vec![0, 1]));
        // non-vip alerts without sev1 fall back to q, never with sev1
        assert!(ex.outcomes.iter().filter(|o| o.fallback).all(|o| !o.may_have_severity(0)));
    }

    #[test]
    fn service_labels_are_defaults() {
        let src = "service api { owner ops  labels region \"eu\" }\nroutes {\n route eu { when labels.region == \"eu\"  to policy p }\n route rest { when labels.region != \"eu\" and labels.region != \"us\"  to policy q }\n}\n";
        let (m, ex) = explore(src, "api");
        let an = Analyzer::new(&m);
        let un: Vec<&Outcome> = ex.outcomes.iter().filter(|o| o.unrouted()).collect();
        assert_eq!(un.len(), 1);
        // the label is never absent (the service's value is the default)
        assert_eq!(an.describe(un[0]), "an alert of `api` with severity sev1 and labels.region \"us\"");
        assert_eq!(un[0].example.as_deref(), Some("an alert of `api` with severity sev1 and labels.region \"us\""));
    }

    #[test]
    fn missing_labels_make_ne_true() {
        let src = "service api { owner ops }\nroutes {\n route a { when labels.env != \"prod\"  to policy p }\n route b { when labels.env == \"prod\"  to policy q }\n}\n";
        let (_, ex) = explore(src, "api");
        assert!(ex.outcomes.iter().all(|o| !o.unrouted()));
        let src = "service api { owner ops }\nroutes {\n route a { when labels.env in [\"prod\", \"dev\"]  to policy p }\n route b { when not labels.env matches \"^(prod|dev)$\"  to policy q }\n}\n";
        let (m, ex) = explore(src, "api");
        let an = Analyzer::new(&m);
        // labels.env "x" matching the regex is impossible except prod/dev, but
        // regex reasoning over exclusions is not decided: one may-state remains
        let un: Vec<String> = ex.outcomes.iter().filter(|o| o.unrouted()).map(|o| an.describe(o)).collect();
        assert_eq!(un, vec!["an alert of `api` with severity sev1, labels.env other than \"dev\", \"prod\" and labels.env matching \"^(prod|dev)$\""]);
    }

    #[test]
    fn suppress_after_decided_only_ends() {
        let src = "service api { owner ops }\nroutes {\n route all { when service == \"api\"  to policy p  continue }\n route drop { when severity == sev5  suppress }\n}\n";
        let (_, ex) = explore(src, "api");
        assert!(ex.outcomes.iter().all(|o| !o.suppressed && o.decided_by == Some(0)));
        assert_eq!(ex.outcomes.len(), 2);
    }

    #[test]
    fn route_without_to_ends_evaluation() {
        let src = "service api { owner ops }\nroutes {\n route tag { when severity == sev1  set labels.x \"y\" }\n route all { to policy p }\n}\n";
        let (m, ex) = explore(src, "api");
        let an = Analyzer::new(&m);
        let un: Vec<&Outcome> = ex.outcomes.iter().filter(|o| o.unrouted()).collect();
        assert_eq!(un.len(), 1);
        assert_eq!(un[0].matched, vec![0]);
        assert_eq!(an.describe(un[0]), "an alert of `api` with severity sev1");
    }

    #[test]
    fn time_atoms_are_consistent() {
        let src = "hours business { mon-fri 09:00-17:00 }\nservice api { owner ops }\nroutes {\n route day { when within business  to policy p }\n route night { when outside business  to policy q }\n}\n";
        let (_, ex) = explore(src, "api");
        assert!(ex.outcomes.iter().all(|o| !o.unrouted()));
        assert_eq!(ex.outcomes.len(), 2);
        let src = "hours business { mon-fri 09:00-17:00 }\nservice api { owner ops }\nroutes {\n route day { when within business  to policy p }\n route night { when outside mon-fri 09:00-17:00  to policy q }\n}\n";
        let (m, ex) = explore(src, "api");
        let an = Analyzer::new(&m);
        let un: Vec<String> = ex.outcomes.iter().filter(|o| o.unrouted()).map(|o| an.describe(o)).collect();
        assert_eq!(un, vec!["an alert of `api` with severity sev1, a time outside `business` and a time within mon-fri 09:00-17:00"]);
    }

    #[test]
    fn regex_on_known_values_and_assumptions() {
        let src = "service api { owner ops }\nroutes {\n route a { when service matches \"^ap\"  to policy p }\n}\n";
        let (_, ex) = explore(src, "api");
        assert_eq!(ex.outcomes.len(), 1);
        assert_eq!(ex.outcomes[0].decided_by, Some(0));
        // an assumed regex result is checked when the value becomes known
        let src = "service api { owner ops }\nroutes {\n route a { when summary matches \"disk\"  to policy p }\n route b { when summary == \"disk full\"  to policy q }\n}\n";
        let (_, ex) = explore(src, "api");
        assert!(ex.outcomes.iter().all(|o| o.decided_by != Some(1)), "{:#?}", ex.outcomes);
    }

    #[test]
    fn state_cap_marks_incomplete() {
        let mut src = String::from("service api { owner ops }\nroutes {\n");
        for i in 0..20 {
            src.push_str(&format!(" route r{i} {{ when labels.k{i} == \"v\"  set labels.x{i} \"y\"  continue }}\n"));
        }
        src.push_str("}\n");
        let (_, ex) = explore(&src, "api");
        assert!(!ex.complete);
    }

    #[test]
    fn implication_basics() {
        let src = "service api { owner ops }\nservice db { owner ops }\nteam dev { members a }\nservice web { owner dev }\nhours business { mon-fri 09:00-17:00 }\nroutes {\n\
            route ge2 { when severity >= sev2  to policy p }\n\
            route eq1 { when severity == sev1  to policy p }\n\
            route in2 { when service in [\"api\", \"db\"]  to policy p }\n\
            route api1 { when service == \"api\" and severity == sev1  to policy p }\n\
            route ops { when team == \"ops\"  to policy p }\n\
            route or2 { when service == \"api\" or service == \"db\"  to policy p }\n\
            route notdb { when not (service != \"db\")  to policy p }\n\
            route re1 { when summary matches \"disk\"  to policy p }\n\
            route re2 { when summary matches \"disk full\"  to policy p }\n\
            route re1b { when summary matches \"disk\" and severity == sev3  to policy p }\n\
            route bus { when within business  to policy p }\n\
            route bus2 { when within business and severity == sev2  to policy p }\n\
            route outs { when outside business or within business  to policy p }\n\
            route all { to policy p }\n\
            route nlab { when labels.env != \"prod\"  to policy p }\n\
            route lab { when labels.env == \"dev\"  to policy p }\n\
            }\n";
        assert!(imp(src, "eq1", "ge2"));
        assert!(!imp(src, "ge2", "eq1"));
        assert!(imp(src, "api1", "in2"));
        assert!(imp(src, "api1", "ops"));
        assert!(imp(src, "in2", "ops"));
        assert!(!imp(src, "ops", "in2"));
        assert!(imp(src, "in2", "or2") && imp(src, "or2", "in2"));
        assert!(imp(src, "notdb", "ops"));
        assert!(!imp(src, "re1", "re2"));
        assert!(!imp(src, "re2", "re1"));
        assert!(imp(src, "re1b", "re1"));
        assert!(imp(src, "bus2", "bus"));
        assert!(!imp(src, "bus", "bus2"));
        assert!(imp(src, "all", "outs"));
        assert!(!imp(src, "all", "bus"));
        assert!(imp(src, "lab", "nlab"));
        assert!(!imp(src, "nlab", "lab"));
    }
}
