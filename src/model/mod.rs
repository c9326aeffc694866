//! The model: every declaration of a workspace, names resolved and values
//! validated. Building it reports E0100 (undefined names), E0101 (duplicate
//! definitions) and E0102 (invalid values in context: time zones, regexes,
//! severities). Later layers may assume that a model built without model
//! errors has every reference resolvable.

pub mod graph;


use crate::diag::{did_you_mean, Finding};
use crate::source::Span;
use crate::syntax::ast::*;
use chrono_tz::Tz;
use std::collections::{BTreeMap, HashMap, HashSet};

/// A namespace of one kind: name → index into the kind's vector.
#[derive(Debug, Default, Clone)]
pub struct Namespace {
    map: HashMap<String, usize>,
    broken: HashSet<String>,
}

impl Namespace {
    pub fn get(&self, name: &str) -> Option<usize> {
        self.map.get(name).copied()
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.map.keys().map(String::as_str)
    }
    pub fn declared(&self, name: &str) -> bool {
        self.map.contains_key(name) || self.broken.contains(name)
    }
}

#[derive(Debug, Clone)]
pub struct Severity {
    pub name: String,
    pub aliases: Vec<String>,
    pub span: Option<Span>,
}

/// The org settings with defaults applied.
#[derive(Debug, Clone)]
pub struct OrgSettings {
    pub name: Option<Ident>,
    pub tz: Tz,
    pub severities: Vec<Severity>,
    pub dedup: Option<Secs>,
    pub auto_resolve: Option<Secs>,
    pub horizon: Secs,
    pub span: Option<Span>,
}

impl Default for OrgSettings {
    fn default() -> Self {
        OrgSettings {
            name: None,
            tz: Tz::UTC,
            severities: (1..=5).map(|i| Severity { name: format!("sev{i}"), aliases: vec![], span: None }).collect(),
            dedup: None,
            auto_resolve: None,
            horizon: 28 * 86_400,
            span: None,
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct Model {
    pub org: OrgSettings,
    pub persons: Vec<Person>,
    pub teams: Vec<Team>,
    pub calendars: Vec<Calendar>,
    pub hours: Vec<Hours>,
    pub schedules: Vec<Schedule>,
    pub policies: Vec<Policy>,
    pub services: Vec<Service>,
    /// every route of the workspace, in file order
    pub routes: Vec<Route>,
    pub drills: Vec<Drill>,
    pub ns_person: Namespace,
    pub ns_team: Namespace,
    pub ns_calendar: Namespace,
    pub ns_hours: Namespace,
    pub ns_schedule: Namespace,
    pub ns_policy: Namespace,
    pub ns_service: Namespace,
    pub ns_route: Namespace,
    /// parsed time zones by their string
    pub zones: HashMap<String, Tz>,
    /// compiled `matches` patterns by their text
    pub regexes: HashMap<String, regex::Regex>,
}

impl Model {
    pub fn person(&self, name: &str) -> Option<&Person> {
        self.ns_person.get(name).map(|i| &self.persons[i])
    }
    pub fn team(&self, name: &str) -> Option<&Team> {
        self.ns_team.get(name).map(|i| &self.teams[i])
    }
    pub fn calendar(&self, name: &str) -> Option<&Calendar> {
        self.ns_calendar.get(name).map(|i| &self.calendars[i])
    }
    pub fn hours_named(&self, name: &str) -> Option<&Hours> {
        self.ns_hours.get(name).map(|i| &self.hours[i])
    }
    pub fn schedule(&self, name: &str) -> Option<&Schedule> {
        self.ns_schedule.get(name).map(|i| &self.schedules[i])
    }
    pub fn policy(&self, name: &str) -> Option<&Policy> {
        self.ns_policy.get(name).map(|i| &self.policies[i])
    }
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.ns_service.get(name).map(|i| &self.services[i])
    }

    /// The zone of a `tz` string, or the org zone when absent or invalid.
    pub fn zone(&self, tz: &Option<Spanned<String>>) -> Tz {
        tz.as_ref().and_then(|t| self.zones.get(&t.value).copied()).unwrap_or(self.org.tz)
    }

    /// 0 for the most severe.
    pub fn severity_rank(&self, name: &str) -> Option<usize> {
        self.org.severities.iter().position(|s| s.name == name)
    }

    /// A timeline severity: names case-insensitively, then aliases.
    pub fn read_severity(&self, text: &str) -> Option<usize> {
        self.org
            .severities
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(text))
            .or_else(|| self.org.severities.iter().position(|s| s.aliases.iter().any(|a| a.eq_ignore_ascii_case(text))))
    }

    pub fn regex(&self, pattern: &str) -> Option<&regex::Regex> {
        self.regexes.get(pattern)
    }

    /// Does the person have at least one of `via` (any contact when empty)?
    pub fn reachable(&self, person: &Person, via: &[Spanned<Channel>]) -> bool {
        if via.is_empty() {
            !person.contacts.is_empty()
        } else {
            via.iter().any(|v| person.contacts.iter().any(|c| c.channel == v.value))
        }
    }

    /// Every person a target could ever page (schedule: every member of
    /// every layer and every override), in a fixed order.
    pub fn target_people(&self, t: &Target) -> Vec<&Person> {
        let mut names: Vec<&str> = Vec::new();
        match t.kind {
            TargetKind::Person => names.push(&t.name.name),
            TargetKind::Team => {
                if let Some(team) = self.team(&t.name.name) {
                    names.extend(team.members.iter().map(|m| m.name.as_str()));
                }
            }
            TargetKind::Lead => {
                if let Some(l) = self.team(&t.name.name).and_then(|team| team.lead.as_ref()) {
                    names.push(&l.name);
                }
            }
            TargetKind::Schedule => {
                if let Some(s) = self.schedule(&t.name.name) {
                    for l in &s.layers {
                        names.extend(l.members.iter().map(|m| m.name.as_str()));
                    }
                    for o in &s.overrides {
                        if !o.is_nobody() {
                            names.push(&o.person.name);
                        }
                    }
                }
            }
        }
        let mut seen = HashSet::new();
        names.into_iter().filter(|n| seen.insert(*n)).filter_map(|n| self.person(n)).collect()
    }

    /// Tier of a policy by name.
    pub fn tier<'a>(&self, policy: &'a Policy, name: &str) -> Option<(usize, &'a Tier)> {
        policy.tiers.iter().enumerate().find(|(_, t)| t.name.name == name)
    }
}

/// What one file contributed, for building the model.
pub struct ParsedFile {
    pub file: crate::source::FileId,
    pub ast: FileAst,
}

/// Build the model from parsed files (in workspace order).
pub fn build(files: &[ParsedFile]) -> (Model, Vec<Finding>) {
    let mut b = Builder { m: Model::default(), findings: Vec::new(), org_span: None };
    b.collect(files);
    b.resolve();
    (b.m, b.findings)
}

struct Builder {
    m: Model,
    findings: Vec<Finding>,
    org_span: Option<Span>,
}

fn declare(ns: &mut Namespace, kind: &str, id: &Ident, index: usize, prev_spans: &HashMap<String, Span>, findings: &mut Vec<Finding>) -> bool {
    if let Some(&first) = prev_spans.get(&id.name) {
        findings.push(
            Finding::new("E0101", id.span, format!("{kind} `{}` is defined twice", id.name))
                .with_label("defined again here")
                .with_related(first, "first defined here")
                .with_help(format!("rename one of them or merge them; {kind} names are unique in the workspace")),
        );
        return false;
    }
    ns.map.insert(id.name.clone(), index);
    true
}

impl Builder {
    fn collect(&mut self, files: &[ParsedFile]) {
        let mut spans: HashMap<&'static str, HashMap<String, Span>> = HashMap::new();
        let mut drill_names: HashMap<String, Span> = HashMap::new();
        for pf in files {
            let mut routes_span: Option<Span> = None;
            for b in &pf.ast.broken {
                if let Some(n) = &b.name {
                    let ns = match b.kind {
                        "person" => &mut self.m.ns_person,
                        "team" => &mut self.m.ns_team,
                        "calendar" => &mut self.m.ns_calendar,
                        "hours" => &mut self.m.ns_hours,
                        "schedule" => &mut self.m.ns_schedule,
                        "policy" => &mut self.m.ns_policy,
                        "service" => &mut self.m.ns_service,
                        _ => continue,
                    };
                    ns.broken.insert(n.name.clone());
                }
            }
            for d in &pf.ast.decls {
                macro_rules! add {
                    ($vec:ident, $ns:ident, $kind:literal, $x:expr) => {{
                        let x = $x.clone();
                        let prev = spans.entry($kind).or_default();
                        if declare(&mut self.m.$ns, $kind, &x.name, self.m.$vec.len(), prev, &mut self.findings) {
                            prev.insert(x.name.name.clone(), x.name.span);
                            self.m.$vec.push(x);
                        }
                    }};
                }
                match d {
                    Decl::Org(o) => {
                        if let Some(first) = self.org_span {
                            self.findings.push(
                                Finding::new("E0101", o.name.span, "a second `org` declaration")
                                    .with_related(first, "the first `org` is here")
                                    .with_help("a workspace has at most one `org`; merge them"),
                            );
                        } else {
                            self.org_span = Some(o.name.span);
                            self.org(o);
                        }
                    }
                    Decl::Person(x) => add!(persons, ns_person, "person", x),
                    Decl::Team(x) => add!(teams, ns_team, "team", x),
                    Decl::Calendar(x) => add!(calendars, ns_calendar, "calendar", x),
                    Decl::Hours(x) => add!(hours, ns_hours, "hours", x),
                    Decl::Schedule(x) => add!(schedules, ns_schedule, "schedule", x),
                    Decl::Policy(x) => add!(policies, ns_policy, "policy", x),
                    Decl::Service(x) => add!(services, ns_service, "service", x),
                    Decl::Routes(r) => {
                        if let Some(first) = routes_span {
                            self.findings.push(
                                Finding::new("E0101", Span { end: r.span.start + 6, ..r.span }, "a second `routes` block in this file")
                                    .with_related(first, "the first `routes` block is here")
                                    .with_help("a file holds at most one `routes` block; move these routes into it"),
                            );
                            continue;
                        }
                        routes_span = Some(Span { end: r.span.start + 6, ..r.span });
                        for route in &r.routes {
                            let prev = spans.entry("route").or_default();
                            if declare(&mut self.m.ns_route, "route", &route.name, self.m.routes.len(), prev, &mut self.findings) {
                                prev.insert(route.name.name.clone(), route.name.span);
                                self.m.routes.push(route.clone());
                            }
                        }
                    }
                    Decl::Drill(dr) => {
                        if let Some(first) = drill_names.get(&dr.name.value) {
                            self.findings.push(
                                Finding::new("E0101", dr.name.span, format!("drill \"{}\" is defined twice", dr.name.value))
                                    .with_related(*first, "first defined here"),
                            );
                            continue;
                        }
                        drill_names.insert(dr.name.value.clone(), dr.name.span);
                        self.m.drills.push(dr.clone());
                    }
                }
            }
        }
    }

    fn org(&mut self, o: &Org) {
        let org = &mut self.m.org;
        org.name = Some(o.name.clone());
        org.span = Some(o.span);
        if let Some(sevs) = &o.severities {
            let mut seen: HashMap<&str, Span> = HashMap::new();
            let mut list = Vec::new();
            for s in sevs {
                if let Some(first) = seen.get(s.name.name.as_str()) {
                    self.findings.push(
                        Finding::new("E0101", s.name.span, format!("severity `{}` is declared twice", s.name.name))
                            .with_related(*first, "first declared here"),
                    );
                    continue;
                }
                seen.insert(&s.name.name, s.name.span);
                list.push(Severity {
                    name: s.name.name.clone(),
                    aliases: s.aliases.iter().map(|a| a.value.clone()).collect(),
                    span: Some(s.name.span),
                });
            }
            if !list.is_empty() {
                org.severities = list;
            }
        }
        org.dedup = o.dedup.as_ref().map(|d| d.value);
        org.auto_resolve = o.auto_resolve.as_ref().map(|d| d.value);
        if let Some(h) = &o.horizon {
            org.horizon = h.value.clamp(60, 366 * 86_400);
        }
        if let Some(tz) = &o.tz {
            if let Some(z) = self.parse_zone(tz) {
                self.m.org.tz = z;
            }
        }
    }

    fn parse_zone(&mut self, tz: &Spanned<String>) -> Option<Tz> {
        if let Some(z) = self.m.zones.get(&tz.value) {
            return Some(*z);
        }
        match tz.value.parse::<Tz>() {
            Ok(z) => {
                self.m.zones.insert(tz.value.clone(), z);
                Some(z)
            }
            Err(_) => {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name());
                let mut f = Finding::new("E0102", tz.span, format!("unknown time zone \"{}\"", tz.value));
                f = match did_you_mean(&tz.value, names) {
                    Some(s) => f.with_help(format!("did you mean \"{s}\"?{} Time zones are IANA names", lookalike_note(&tz.value, &s))),
                    None => f.with_help("time zones are IANA names like \"Europe/Berlin\" or \"UTC\""),
                };
                self.findings.push(f);
                None
            }
        }
    }

    fn undefined(&mut self, kind: &str, id: &Ident) {
        let candidates: Vec<String> = match kind {
            "person" => self.m.ns_person.names().map(String::from).collect(),
            "team" => self.m.ns_team.names().map(String::from).collect(),
            "calendar" => self.m.ns_calendar.names().map(String::from).collect(),
            "hours" => self.m.ns_hours.names().map(String::from).collect(),
            "schedule" => self.m.ns_schedule.names().map(String::from).collect(),
            "policy" => self.m.ns_policy.names().map(String::from).collect(),
            "service" => self.m.ns_service.names().map(String::from).collect(),
            "route" => self.m.ns_route.names().map(String::from).collect(),
            _ => vec![],
        };
        let mut f = Finding::new("E0100", id.span, format!("undefined {kind} `{}`", id.name)).with_label(format!("no {kind} has this name"));
        f = match did_you_mean(&id.name, candidates.iter().map(String::as_str)) {
            Some(s) => f.with_help(format!("did you mean `{s}`?{}", lookalike_note(&id.name, &s))),
            None => f.with_help(format!("declare `{kind} {} {{ … }}` or fix the name", id.name)),
        };
        self.findings.push(f);
    }

    fn need(&mut self, kind: &str, id: &Ident) {
        let ns = match kind {
            "person" => &self.m.ns_person,
            "team" => &self.m.ns_team,
            "calendar" => &self.m.ns_calendar,
            "hours" => &self.m.ns_hours,
            "schedule" => &self.m.ns_schedule,
            "policy" => &self.m.ns_policy,
            "service" => &self.m.ns_service,
            "route" => &self.m.ns_route,
            _ => return,
        };
        if !ns.declared(&id.name) {
            self.undefined(kind, id);
        }
    }

    fn need_severity(&mut self, name: &str, span: Span) {
        if self.m.severity_rank(name).is_none() {
            let names: Vec<&str> = self.m.org.severities.iter().map(|s| s.name.as_str()).collect();
            let mut f = Finding::new("E0102", span, format!("unknown severity `{name}`"));
            f = match did_you_mean(name, names.iter().copied()) {
                Some(s) => f.with_help(format!("did you mean `{s}`? declared severities: {}", names.join(", "))),
                None => f.with_help(format!("declared severities (org `severities`): {}", names.join(", "))),
            };
            self.findings.push(f);
        }
    }

    fn windows_or_hours(&mut self, w: &WindowsOrHours) {
        if let WindowsOrHours::Hours(h) = w {
            self.need("hours", h);
        }
    }

    fn targets(&mut self, n: &Notify) {
        for t in &n.targets {
            let kind = match t.kind {
                TargetKind::Person => "person",
                TargetKind::Team | TargetKind::Lead => "team",
                TargetKind::Schedule => "schedule",
            };
            self.need(kind, &t.name);
        }
    }

    fn resolve(&mut self) {
        let m = std::mem::take(&mut self.m.persons);
        for p in &m {
            if let Some(tz) = &p.tz {
                self.parse_zone(tz);
            }
            for w in &p.works {
                self.windows_or_hours(&w.when);
                for c in &w.except {
                    self.need("calendar", c);
                }
            }
        }
        self.m.persons = m;

        let teams = std::mem::take(&mut self.m.teams);
        for t in &teams {
            for x in &t.members {
                self.need("person", x);
            }
            if let Some(l) = &t.lead {
                self.need("person", l);
            }
        }
        self.m.teams = teams;

        let hours = std::mem::take(&mut self.m.hours);
        for h in &hours {
            if let Some(tz) = &h.tz {
                self.parse_zone(tz);
            }
            for c in &h.except {
                self.need("calendar", c);
            }
        }
        self.m.hours = hours;

        let schedules = std::mem::take(&mut self.m.schedules);
        for s in &schedules {
            if let Some(tz) = &s.tz {
                self.parse_zone(tz);
            }
            for l in &s.layers {
                for x in &l.members {
                    self.need("person", x);
                }
                for o in &l.only {
                    self.windows_or_hours(o);
                }
            }
            for o in &s.overrides {
                if !o.is_nobody() {
                    self.need("person", &o.person);
                }
            }
            self.schedule_spans(s);
        }
        self.m.schedules = schedules;

        let policies = std::mem::take(&mut self.m.policies);
        for p in &policies {
            for t in &p.tiers {
                for n in &t.notify {
                    self.targets(n);
                }
                if let Some(h) = &t.handoff {
                    self.need("policy", h);
                }
            }
        }
        self.m.policies = policies;

        let services = std::mem::take(&mut self.m.services);
        for s in &services {
            if let Some(o) = &s.owner {
                self.need("team", o);
            }
            if let Some(p) = &s.policy {
                self.need("policy", p);
            }
            for d in &s.depends_on {
                self.need("service", d);
            }
            for a in &s.ack_sla {
                self.need_severity(&a.severity.name, a.severity.span);
            }
            let mut seen: HashMap<&str, Span> = HashMap::new();
            for a in &s.ack_sla {
                if let Some(first) = seen.insert(&a.severity.name, a.severity.span) {
                    self.findings.push(
                        Finding::new("E0101", a.severity.span, format!("`ack-sla` for `{}` is given twice", a.severity.name))
                            .with_related(first, "first given here"),
                    );
                }
            }
        }
        self.m.services = services;

        let routes = std::mem::take(&mut self.m.routes);
        for r in &routes {
            if let Some(w) = &r.when {
                self.cond(&w.value);
            }
            if let Some(p) = &r.to {
                self.need("policy", p);
            }
            for s in &r.sets {
                if let SetAction::Severity(id) = &s.value {
                    self.need_severity(&id.name, id.span);
                }
            }
            for a in &r.also {
                self.targets(a);
            }
        }
        self.m.routes = routes;

        let drills = std::mem::take(&mut self.m.drills);
        for d in &drills {
            if d.at.is_none() {
                self.findings.push(
                    Finding::new("E0102", d.name.span, format!("drill \"{}\" has no `at`", d.name.value))
                        .with_help("add `at 2026-07-04 03:00` (org tz) or an RFC 3339 instant"),
                );
            }
            if d.alerts.is_empty() {
                self.findings.push(
                    Finding::new("E0102", d.name.span, format!("drill \"{}\" has no `alert`", d.name.value))
                        .with_help("add `alert service S severity SEV …`"),
                );
            }
            for a in &d.alerts {
                if let Some(s) = &a.severity {
                    self.need_severity(&s.value, s.span);
                }
            }
            for r in &d.responders {
                self.need("person", &r.person);
            }
            for e in &d.expects {
                match &e.value {
                    Expect::Route(r) => self.need("route", r),
                    Expect::Policy(p) => self.need("policy", p),
                    Expect::Tier { tier, .. } | Expect::Skipped(tier) => self.drill_tier(d, tier),
                    Expect::Paged { person, .. } | Expect::NotPaged(person) | Expect::Pages { person, .. } => self.need("person", person),
                    Expect::Acked { by: Some(p), .. } => self.need("person", p),
                    _ => {}
                }
            }
        }
        self.m.drills = drills;
    }

    /// `tier T` names a tier of the drill's routed policy, which only the
    /// simulation knows; statically it must be a tier of some policy.
    fn drill_tier(&mut self, _d: &Drill, t: &TierRef) {
        match &t.policy {
            Some(p) => {
                self.need("policy", p);
                if let Some(pol) = self.m.policy(&p.name) {
                    if pol.tiers.iter().all(|x| x.name.name != t.tier.name) {
                        let names: Vec<&str> = pol.tiers.iter().map(|x| x.name.name.as_str()).collect();
                        let mut f = Finding::new("E0100", t.tier.span, format!("policy `{}` has no tier `{}`", p.name, t.tier.name));
                        if let Some(s) = did_you_mean(&t.tier.name, names.iter().copied()) {
                            f = f.with_help(format!("did you mean `{s}`?"));
                        }
                        self.findings.push(f);
                    }
                }
            }
            None => {
                let any = self.m.policies.iter().any(|p| p.tiers.iter().any(|x| x.name.name == t.tier.name));
                if !any {
                    let names: Vec<&str> = self.m.policies.iter().flat_map(|p| p.tiers.iter().map(|x| x.name.name.as_str())).collect();
                    let mut f = Finding::new("E0100", t.tier.span, format!("undefined tier `{}`", t.tier.name));
                    if let Some(s) = did_you_mean(&t.tier.name, names.iter().copied()) {
                        f = f.with_help(format!("did you mean `{s}`?"));
                    }
                    self.findings.push(f);
                }
            }
        }
    }

    /// `until` after `from`, an override's `to` after its `from` (E0102),
    /// when one is a local time and the other has an offset: the lowering
    /// compares two of the same form, these need the schedule's zone.
    fn schedule_spans(&mut self, s: &Schedule) {
        let tz = self.m.zone(&s.tz);
        let mixed = |a: &DateTimeLit, b: &DateTimeLit| {
            !a.is_invalid() && !b.is_invalid() && matches!((a, b), (DateTimeLit::Local(_), DateTimeLit::Fixed(_)) | (DateTimeLit::Fixed(_), DateTimeLit::Local(_)))
        };
        let ends_first = |a: &DateTimeLit, b: &DateTimeLit| mixed(a, b) && crate::time::datetime_instant(tz, b) <= crate::time::datetime_instant(tz, a);
        for l in &s.layers {
            let span = match &l.rotation {
                Some(r) => r.until.as_ref().map(|u| (&r.from, u)),
                None => l.from.as_ref().zip(l.until.as_ref()),
            };
            if let Some((from, until)) = span {
                if ends_first(&from.value, &until.value) {
                    self.findings.push(
                        Finding::new("E0102", until.span, "`until` is at or before `from`").with_help("`until` must come after `from`"),
                    );
                }
            }
        }
        for o in &s.overrides {
            if ends_first(&o.from.value, &o.to.value) {
                self.findings.push(
                    Finding::new("E0102", o.to.span, "override ends at or before its start").with_help("the `to` datetime must come after `from`"),
                );
            }
        }
    }

    fn cond(&mut self, c: &Cond) {
        match c {
            Cond::Cmp { field, value, op } => {
                if field.value != Field::Severity && !matches!(op, CmpOp::Eq | CmpOp::Ne) {
                    self.findings.push(
                        Finding::new("E0102", value.span, format!("`{}` compares severities only; `{}` is not a severity", op.as_str(), field.value.describe()))
                            .with_help("compare strings with `==`, `!=`, `in [...]` or `matches`"),
                    );
                }
                self.cond_value(&field.value, value)
            }
            Cond::In { field, values } => {
                for v in values {
                    self.cond_value(&field.value, v);
                }
            }
            Cond::Matches { field, pattern } => {
                if field.value == Field::Severity {
                    self.findings.push(
                        Finding::new("E0102", pattern.span, "`severity` cannot be matched against a regex")
                            .with_help("compare severities with `==`, `in [...]` or `>=`"),
                    );
                }
                if !self.m.regexes.contains_key(&pattern.value) {
                    match regex::Regex::new(&pattern.value) {
                        Ok(r) => {
                            self.m.regexes.insert(pattern.value.clone(), r);
                        }
                        Err(e) => {
                            let msg = e.to_string();
                            let last = msg.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("").trim().to_string();
                            self.findings.push(
                                Finding::new("E0102", pattern.span, format!("regex does not compile: {last}"))
                                    .with_help("`matches` takes Rust `regex` syntax"),
                            );
                        }
                    }
                }
            }
            Cond::Within { hours, .. } | Cond::Outside { hours, .. } => self.windows_or_hours(hours),
            Cond::Not(x) => self.cond(x),
            Cond::And(xs) | Cond::Or(xs) => {
                for x in xs {
                    self.cond(x);
                }
            }
        }
    }

    fn cond_value(&mut self, field: &Field, v: &Value) {
        match field {
            Field::Severity => {
                if v.quoted {
                    self.findings.push(
                        Finding::new("E0001", v.span, format!("a severity is a name, not a string: write `{}`", v.text))
                            .with_help("remove the quotes"),
                    );
                } else {
                    self.need_severity(&v.text, v.span);
                }
            }
            _ => {
                if !v.quoted {
                    self.findings.push(
                        Finding::new("E0001", v.span, format!("expected a string, found `{}`", v.text))
                            .with_help(format!("write \"{}\"", v.text)),
                    );
                    return;
                }
                let (kind, ns) = match field {
                    Field::Service => ("service", &self.m.ns_service),
                    Field::Team => ("team", &self.m.ns_team),
                    _ => return,
                };
                if !ns.declared(&v.text) {
                    let mut f = Finding::new("W0103", v.span, format!("no {kind} is named \"{}\"", v.text));
                    let names: Vec<String> = ns.names().map(String::from).collect();
                    f = match did_you_mean(&v.text, names.iter().map(String::as_str)) {
                        Some(s) => f.with_help(format!("did you mean \"{s}\"?{}", lookalike_note(&v.text, &s))),
                        None => f.with_help(format!("this condition can never match a declared {kind}")),
                    };
                    self.findings.push(f);
                }
            }
        }
    }
}

/// " They differ only in ….", to follow a "did you mean" when the
/// suggestion looks the same as what was written; empty otherwise.
fn lookalike_note(written: &str, meant: &str) -> String {
    crate::confusable::only_lookalikes(written, meant).map(|n| format!(" T{}.", &n[1..])).unwrap_or_default()
}

/// Labels of a service as a map (later duplicates win).
pub fn service_labels(s: &Service) -> BTreeMap<&str, &str> {
    s.labels.iter().map(|l| (l.key.value.as_str(), l.value.value.as_str())).collect()
}
