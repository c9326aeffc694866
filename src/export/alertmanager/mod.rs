//! `export --target alertmanager`: one `alertmanager.yml` with the routing
//! tree and receivers (SPEC §6).
//!
//! Layout of the tree under the root route (receiver `unrouted`), in
//! escalade's route order:
//! - each `also` target of a route: routes with `continue: true` placed
//!   before the route, receiver `<kind>-<name>`. When a later `suppress`
//!   could still cancel the `also` (the route neither decides nor stops),
//!   their matchers also say that no later route suppresses;
//! - the route itself: `suppress` → receiver `suppress`; `to policy P` →
//!   receiver P; a route that stops without deciding → receiver
//!   `unrouted` with the service default routes as children;
//! - a deciding route with `continue` becomes a route to P whose children
//!   are the `also` routes of the routes after it (as escalade evaluates
//!   them once P is decided: nothing changes P any more, a stopping route
//!   only ends evaluation), ending with a matcher-less child to P;
//! - after every route: one `service="S"` route per service with a
//!   default policy, then a matcher-less route to `unrouted`.
//!
//! Alertmanager stops at the first matching route without `continue`, so
//! "no earlier route has decided or stopped" needs no matcher. Conditions
//! become matchers through [`formula`]: `or` and `not` expand into sibling
//! routes (pairwise disjoint where `continue: true` would otherwise match
//! one alert twice).

pub mod formula;
pub mod re2;
pub mod yaml;

use super::{common, ExportOptions, Exported, FileTree};
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::{CmpOp, Cond, Field, Route, SetAction, Spanned, Value, Window, WindowsOrHours};
use formula::{dnf, disjoint, Lit, Op, Term, F};
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// The most Alertmanager routes one condition may expand into.
pub const MAX_ROUTES: usize = 64;

const UNROUTED: &str = "unrouted";
const SUPPRESS: &str = "suppress";
/// Alert fields that are labels of their own in Alertmanager.
const FIELD_LABELS: &[&str] = &["service", "severity", "summary", "source"];

pub fn export(m: &Model, opts: &ExportOptions) -> Exported {
    let mut x = Exporter::new(m);
    let routes = x.tree();
    let text = x.render(&routes, opts);
    let mut tree = FileTree::new();
    tree.insert("alertmanager.yml".into(), text.into_bytes());
    Exported { tree, findings: x.findings }
}

/// The receiver of an `also` target: `<kind>-<name>`.
pub fn target_receiver(t: &crate::syntax::ast::Target) -> String {
    format!("{}-{}", t.kind.as_str(), t.name.name)
}

/// A Prometheus label name for an escalade label key: characters outside
/// `[A-Za-z0-9_]` become `_`, and a leading digit gets a `_` before it.
pub fn label_name(key: &str) -> String {
    let mut o: String = key.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    if o.is_empty() || o.starts_with(|c: char| c.is_ascii_digit()) {
        o.insert(0, '_');
    }
    o
}

/// One Alertmanager route of the generated tree.
#[derive(Debug, Clone)]
struct AmRoute {
    comment: Option<String>,
    receiver: String,
    term: Term,
    cont: bool,
    routes: Vec<AmRoute>,
}

/// One escalade route, its condition as a formula over matchers.
struct Compiled {
    name: String,
    span: Span,
    cond: F,
    to: Option<String>,
    suppress: bool,
    cont: bool,
    also: Vec<String>,
}

/// A time interval: pieces of (weekdays Mon..Sun, start, end minutes).
struct Interval {
    location: String,
    pieces: Vec<([bool; 7], u16, u16)>,
}

struct Exporter<'m> {
    m: &'m Model,
    findings: Vec<Finding>,
    /// (span, message) of every finding, to report each once
    seen: HashSet<(Span, String)>,
    policy_receivers: Vec<String>,
    intervals: BTreeMap<String, Interval>,
    routes: Vec<Compiled>,
    truncated: HashSet<usize>,
    /// owner name → its services, in model order: a `team` condition
    /// looks at each team once instead of at every service
    owned: BTreeMap<&'m str, Vec<&'m str>>,
    /// label key → the services' values of it (a service's last
    /// duplicate wins) → those services, in model order
    service_labels: BTreeMap<&'m str, BTreeMap<&'m str, Vec<&'m str>>>,
}

/// What a string condition accepts.
enum Pred<'a> {
    Eq(&'a str),
    In(Vec<&'a str>),
    Re(&'a Spanned<String>),
}

impl<'m> Exporter<'m> {
    fn new(m: &'m Model) -> Exporter<'m> {
        let mut x = Exporter {
            m,
            findings: Vec::new(),
            seen: HashSet::new(),
            policy_receivers: Vec::new(),
            intervals: BTreeMap::new(),
            routes: Vec::new(),
            truncated: HashSet::new(),
            owned: common::owned_services(m),
            service_labels: BTreeMap::new(),
        };
        for (k, pairs) in common::services_by_label(m) {
            let by_value = x.service_labels.entry(k).or_default();
            for (service, v) in pairs {
                by_value.entry(v).or_default().push(service);
            }
        }
        x.name_receivers();
        x.compile_routes();
        x.set_findings();
        x
    }

    fn finding(&mut self, span: Span, message: String, help: &str) {
        if self.seen.insert((span, message.clone())) {
            self.findings.push(Finding::new("W0900", span, message).with_help(help.to_string()));
        }
    }

    /// Policies are receivers named after them, unless the name is taken
    /// by `unrouted`, `suppress` or an `also` receiver.
    fn name_receivers(&mut self) {
        let mut taken: HashSet<String> = [UNROUTED, SUPPRESS].iter().map(|s| s.to_string()).collect();
        for r in &self.m.routes {
            for a in &r.also {
                taken.extend(a.targets.iter().map(target_receiver));
            }
        }
        let m = self.m;
        for p in &m.policies {
            let name = &p.name.name;
            if taken.contains(name) {
                let renamed = format!("policy-{name}");
                self.finding(
                    p.name.span,
                    format!("policy `{name}` has the name of another Alertmanager receiver; it is exported as `{renamed}`"),
                    "`unrouted`, `suppress` and `<kind>-<name>` (for `also` targets) name receivers of their own; rename the policy",
                );
                self.policy_receivers.push(renamed);
            } else {
                self.policy_receivers.push(name.clone());
            }
        }
    }

    fn policy_receiver(&self, name: &str) -> Option<String> {
        self.m.ns_policy.get(name).and_then(|i| self.policy_receivers.get(i).cloned())
    }

    fn compile_routes(&mut self) {
        let m = self.m;
        for r in &m.routes {
            let mut k = 0;
            let cond = match &r.when {
                Some(w) => self.cond(&w.value, r, &mut k),
                None => F::True,
            };
            let mut also: Vec<String> = Vec::new();
            for a in &r.also {
                for t in &a.targets {
                    let n = target_receiver(t);
                    if !also.contains(&n) {
                        also.push(n);
                    }
                }
            }
            let to = r.to.as_ref().and_then(|p| self.policy_receiver(&p.name));
            self.routes.push(Compiled {
                name: r.name.name.clone(),
                span: r.name.span,
                cond,
                to,
                suppress: r.suppress.is_some(),
                cont: r.cont.is_some(),
                also,
            });
        }
    }

    /// A `set` that a later condition reads: Alertmanager cannot change
    /// labels while routing.
    fn set_findings(&mut self) {
        let m = self.m;
        for (i, r) in m.routes.iter().enumerate() {
            if r.cont.is_none() {
                // a matching route without `continue` ends evaluation:
                // nothing after it sees its `set`s
                continue;
            }
            for s in &r.sets {
                let reader = m.routes[i + 1..].iter().find(|later| later.when.as_ref().is_some_and(|w| reads(&w.value, &s.value)));
                if let Some(later) = reader {
                    let what = match &s.value {
                        SetAction::Severity(id) => format!("set severity {}", id.name),
                        SetAction::Label { key, value } => format!("set {} \"{}\"", Field::Label(key.value.clone()).describe(), value.value),
                    };
                    self.finding(
                        s.span,
                        format!("`{what}` changes a value that route `{}` reads later; Alertmanager routes on the alert's own labels", later.name.name),
                        "in the export, later routes read the alert's original value; put the condition into this route, or drop the `set`",
                    );
                }
            }
        }
    }

    // ---- conditions -------------------------------------------------

    fn cond(&mut self, c: &Cond, r: &Route, k: &mut usize) -> F {
        match c {
            Cond::Cmp { field, op, value } => {
                if field.value == Field::Severity {
                    let Some(rank) = self.m.severity_rank(&value.text) else { return F::False };
                    let n = self.m.org.severities.len();
                    let mask: Vec<bool> = (0..n)
                        .map(|x| match op {
                            CmpOp::Eq | CmpOp::Ne => x == rank,
                            CmpOp::Ge => x <= rank,
                            CmpOp::Gt => x < rank,
                            CmpOp::Le => x >= rank,
                            CmpOp::Lt => x > rank,
                        })
                        .collect();
                    let f = self.severity(&mask);
                    return if *op == CmpOp::Ne { F::not(f) } else { f };
                }
                match op {
                    CmpOp::Eq => self.atom(field, Pred::Eq(&value.text)),
                    CmpOp::Ne => F::not(self.atom(field, Pred::Eq(&value.text))),
                    // order comparisons of strings are E0102
                    _ => F::False,
                }
            }
            Cond::In { field, values } => {
                if field.value == Field::Severity {
                    let ranks: Vec<usize> = values.iter().filter_map(|v: &Value| self.m.severity_rank(&v.text)).collect();
                    let mask: Vec<bool> = (0..self.m.org.severities.len()).map(|x| ranks.contains(&x)).collect();
                    return self.severity(&mask);
                }
                self.atom(field, Pred::In(values.iter().map(|v| v.text.as_str()).collect()))
            }
            Cond::Matches { field, pattern } => {
                if field.value == Field::Severity {
                    return F::False;
                }
                self.atom(field, Pred::Re(pattern))
            }
            Cond::Within { hours, span } => self.time(hours, *span, r, k, true),
            Cond::Outside { hours, span } => self.time(hours, *span, r, k, false),
            Cond::Not(x) => F::not(self.cond(x, r, k)),
            Cond::And(xs) => {
                let v = xs.iter().map(|x| self.cond(x, r, k)).collect();
                F::and(v)
            }
            Cond::Or(xs) => {
                let v = xs.iter().map(|x| self.cond(x, r, k)).collect();
                F::or(v)
            }
        }
    }

    /// The severity label holds one of the names or aliases that read as
    /// a severity of the mask (§3.1: names first, then aliases, ignoring
    /// case).
    fn severity(&self, mask: &[bool]) -> F {
        let mut alts: Vec<String> = Vec::new();
        for s in &self.m.org.severities {
            for text in std::iter::once(&s.name).chain(s.aliases.iter()) {
                if text.is_empty() || alts.iter().any(|a| a.eq_ignore_ascii_case(text)) {
                    continue;
                }
                if self.m.read_severity(text).is_some_and(|r| mask.get(r).copied().unwrap_or(false)) {
                    alts.push(text.clone());
                }
            }
        }
        if alts.is_empty() {
            return F::False;
        }
        let body: Vec<String> = alts.iter().map(|a| re2::escape(a)).collect();
        F::m("severity", Op::Re, format!("(?i:{})", body.join("|")))
    }

    fn accepts(&self, p: &Pred, s: &str) -> bool {
        match p {
            Pred::Eq(v) => *v == s,
            Pred::In(vs) => vs.contains(&s),
            Pred::Re(pat) => self.m.regex(&pat.value).is_some_and(|re| re.is_match(s)),
        }
    }

    /// The services under the keys of `by` that `p` accepts.
    fn selected(&self, by: &BTreeMap<&'m str, Vec<&'m str>>, p: &Pred) -> Vec<&'m str> {
        match p {
            Pred::Eq(v) => by.get(v).cloned().unwrap_or_default(),
            _ => by.iter().filter(|(k, _)| self.accepts(p, k)).flat_map(|(_, ss)| ss.iter().copied()).collect(),
        }
    }

    /// `service` is one of `names` (none: never).
    fn services(names: Vec<&str>) -> F {
        let mut names = names;
        names.sort_unstable();
        names.dedup();
        match names.as_slice() {
            [] => F::False,
            [one] => F::m("service", Op::Eq, *one),
            many => F::m("service", Op::Re, many.iter().map(|n| re2::escape(n)).collect::<Vec<_>>().join("|")),
        }
    }

    fn atom(&mut self, field: &Spanned<Field>, p: Pred) -> F {
        match &field.value {
            Field::Severity => F::False,
            Field::Team => {
                // the owner's services; `team` of an unknown service or of
                // one without owner is missing (false)
                Self::services(self.selected(&self.owned, &p))
            }
            Field::Service => self.alert_label("service", &p),
            Field::Summary => self.alert_label("summary", &p),
            Field::Source => self.alert_label("source", &p),
            Field::Label(key) => {
                let label = self.label(key, field.span);
                let own = self.alert_label(&label, &p);
                // the alert's label, else the service's (later duplicates
                // win): services whose label the condition accepts match
                // when the alert has none
                let fallback: Vec<&str> = self.service_labels.get(key.as_str()).map_or_else(Vec::new, |by_value| self.selected(by_value, &p));
                if fallback.is_empty() {
                    own
                } else {
                    F::or(vec![own, F::and(vec![F::m(&label, Op::Eq, ""), Self::services(fallback)])])
                }
            }
        }
    }

    /// The Alertmanager label for `labels.KEY`.
    fn label(&mut self, key: &str, span: Span) -> String {
        let shown = Field::Label(key.to_string()).describe();
        if FIELD_LABELS.contains(&key) {
            self.finding(
                span,
                format!("`{shown}` has the name of the alert field `{key}`: in Alertmanager both are the one label `{key}`"),
                &format!("the export matches the alert's `{key}` label; rename the label to keep them apart"),
            );
            return key.to_string();
        }
        let name = label_name(key);
        if name != key {
            self.finding(
                span,
                format!("`{shown}` is not an Alertmanager label name; it is exported as `{name}`"),
                "label names are [a-zA-Z_][a-zA-Z0-9_]*; Prometheus renames other keys the same way",
            );
        }
        name
    }

    /// A matcher on the alert's own label. Alertmanager reads a missing
    /// label as "", so a matcher that accepts "" also requires `.+`.
    fn alert_label(&mut self, label: &str, p: &Pred) -> F {
        let f = match p {
            Pred::Eq(v) => F::m(label, Op::Eq, *v),
            Pred::In(vs) => {
                let mut vs: Vec<&str> = vs.clone();
                vs.dedup();
                match vs.as_slice() {
                    [] => return F::False,
                    [one] => F::m(label, Op::Eq, *one),
                    many => F::m(label, Op::Re, many.iter().map(|v| re2::escape(v)).collect::<Vec<_>>().join("|")),
                }
            }
            Pred::Re(pat) => match re2::translate(&pat.value) {
                Ok(t) => {
                    for issue in &t.issues {
                        self.finding(
                            pat.span,
                            format!("the pattern \"{}\" cannot be exported exactly: {issue}", pat.value),
                            "Alertmanager compiles matchers with RE2 (Go `regexp`); write the pattern in syntax both engines read alike",
                        );
                    }
                    F::m(label, Op::Re, format!(".*(?:{}).*", t.pattern))
                }
                Err(e) => {
                    self.finding(pat.span, format!("RE2 cannot read the pattern \"{}\": {e}", pat.value), "this condition is exported as never matching");
                    return F::False;
                }
            },
        };
        if self.accepts(p, "") {
            F::and(vec![f, F::m(label, Op::Re, ".+")])
        } else {
            f
        }
    }

    fn time(&mut self, w: &WindowsOrHours, span: Span, r: &Route, k: &mut usize, within: bool) -> F {
        let m = self.m;
        let (name, shown, holidays) = match w {
            WindowsOrHours::Hours(h) => {
                let Some(hours) = m.hours_named(&h.name) else { return F::False };
                let tz = hours.tz.as_ref().map(|t| t.value.clone()).unwrap_or_else(|| m.org.tz.name().to_string());
                self.intervals.entry(h.name.clone()).or_insert_with(|| Interval { location: tz, pieces: pieces(&hours.windows) });
                (h.name.clone(), h.name.clone(), !hours.except.is_empty())
            }
            WindowsOrHours::Windows(ws) => {
                *k += 1;
                let name = format!("route/{}/{}", r.name.name, k);
                self.intervals.insert(name.clone(), Interval { location: m.org.tz.name().to_string(), pieces: pieces(ws) });
                (name.clone(), windows_text(ws), false)
            }
        };
        let (kw, field) = if within { ("within", "active_time_intervals") } else { ("outside", "mute_time_intervals") };
        let mut help = format!(
            "Alertmanager takes this route at any time and holds its notifications back {} `{name}`, so alerts never fall through to later routes",
            if within { "outside" } else { "inside" }
        );
        if holidays {
            help.push_str("; the hours' `except` days are not exported");
        }
        self.finding(span, format!("`{kw} {shown}` cannot choose a route in Alertmanager: exported as `{field}`, which mutes instead of re-routing"), &help);
        F::Lit(Lit::Time { interval: name, active: within })
    }

    // ---- the tree ---------------------------------------------------

    fn terms(&mut self, f: &F, dis: bool, route: usize) -> Vec<Term> {
        let mut d = dnf(f, MAX_ROUTES);
        if dis {
            d = disjoint(d, MAX_ROUTES);
        }
        if d.truncated && self.truncated.insert(route) {
            if let Some(r) = self.routes.get(route) {
                let (span, name) = (r.span, r.name.clone());
                self.finding(
                    span,
                    format!("route `{name}` needs more than {MAX_ROUTES} Alertmanager routes (its `or`/`not` conditions expand too far); only the first {MAX_ROUTES} are exported"),
                    "split the route or simplify its condition; alerts that only the rest would match take later routes",
                );
            }
        }
        d.terms
    }

    /// "A route after `from` suppresses": escalade, undecided, would end
    /// evaluating in a matching `suppress` route.
    fn suppress_after(&self, from: usize) -> F {
        let mut f = F::False;
        for r in self.routes[from.min(self.routes.len())..].iter().rev() {
            f = if r.suppress {
                F::or(vec![r.cond.clone(), f])
            } else if r.cont && r.to.is_none() {
                f
            } else {
                F::and(vec![F::not(r.cond.clone()), f])
            };
        }
        f
    }

    fn also_routes(&mut self, i: usize, f: &F, out: &mut Vec<AmRoute>, context: &str) {
        let targets = self.routes[i].also.clone();
        if targets.is_empty() {
            return;
        }
        let ts = self.terms(f, true, i);
        let name = self.routes[i].name.clone();
        for target in &targets {
            for (n, t) in ts.iter().enumerate() {
                out.push(AmRoute {
                    comment: (n == 0).then(|| format!("route {name}{context}: also {target}")),
                    receiver: target.clone(),
                    term: t.clone(),
                    cont: true,
                    routes: Vec::new(),
                });
            }
        }
    }

    fn main_routes(&mut self, i: usize, receiver: &str, children: Vec<AmRoute>, out: &mut Vec<AmRoute>, context: &str) {
        let f = self.routes[i].cond.clone();
        let ts = self.terms(&f, false, i);
        let name = self.routes[i].name.clone();
        for (n, t) in ts.into_iter().enumerate() {
            out.push(AmRoute {
                comment: (n == 0).then(|| format!("route {name}{context}")),
                receiver: receiver.to_string(),
                term: t,
                cont: false,
                routes: children.clone(),
            });
        }
    }

    fn tree(&mut self) -> Vec<AmRoute> {
        let mut out = Vec::new();
        for i in 0..self.routes.len() {
            let (suppress, cont, to) = (self.routes[i].suppress, self.routes[i].cont, self.routes[i].to.clone());
            if !suppress {
                // a later `suppress` cancels recorded `also`s unless a
                // policy is decided; this route's `also`s are safe when
                // it decides or stops evaluation
                let guard = if to.is_some() || !cont { F::True } else { F::not(self.suppress_after(i + 1)) };
                let f = F::and(vec![self.routes[i].cond.clone(), guard]);
                self.also_routes(i, &f, &mut out, "");
            }
            if suppress {
                self.main_routes(i, SUPPRESS, Vec::new(), &mut out, "");
            } else if let Some(p) = to {
                let children = if cont { self.decided(i + 1, &p) } else { Vec::new() };
                self.main_routes(i, &p, children, &mut out, "");
            } else if !cont {
                let children = self.defaults();
                self.main_routes(i, UNROUTED, children, &mut out, " (decides nothing: the service's policy applies)");
            }
        }
        out.extend(self.defaults());
        out.push(AmRoute { comment: Some("nothing decided".into()), receiver: UNROUTED.into(), term: Vec::new(), cont: false, routes: Vec::new() });
        out
    }

    /// Children of a route that decided `p` and continues: the `also`s
    /// of the routes after it, as escalade evaluates them with `p` decided.
    fn decided(&mut self, from: usize, p: &str) -> Vec<AmRoute> {
        let Some(last) = (from..self.routes.len()).rev().find(|&j| !self.routes[j].also.is_empty()) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let context = format!(" (after {p} is decided)");
        for j in from..=last {
            let f = self.routes[j].cond.clone();
            self.also_routes(j, &f, &mut out, &context);
            let stops = self.routes[j].suppress || !self.routes[j].cont;
            if stops && j < last {
                self.main_routes(j, p, Vec::new(), &mut out, &format!("{context}: ends evaluation"));
            }
        }
        out.push(AmRoute { comment: None, receiver: p.to_string(), term: Vec::new(), cont: false, routes: Vec::new() });
        out
    }

    /// One `service="S"` route per service with a default policy, by name.
    fn defaults(&self) -> Vec<AmRoute> {
        let mut v: Vec<(&str, String)> = self
            .m
            .services
            .iter()
            .filter_map(|s| s.policy.as_ref().and_then(|p| self.policy_receiver(&p.name)).map(|r| (s.name.name.as_str(), r)))
            .collect();
        v.sort();
        v.into_iter()
            .enumerate()
            .map(|(n, (s, r))| AmRoute {
                comment: (n == 0).then(|| "service default policies".to_string()),
                receiver: r,
                term: vec![Lit::M(formula::Matcher::new("service", Op::Eq, s))],
                cont: false,
                routes: Vec::new(),
            })
            .collect()
    }

    // ---- YAML -------------------------------------------------------

    fn render(&self, routes: &[AmRoute], opts: &ExportOptions) -> String {
        let mut o = yaml::Out::default();
        o.comment(0, "Alertmanager routing generated by `escalade export --target alertmanager`.");
        o.comment(0, "Routes follow the workspace's route order; every receiver is named after a policy, an `also`");
        o.comment(0, "target (`<kind>-<name>`), `suppress` or `unrouted`. Regenerate instead of editing.");
        o.line(0, "route:");
        o.kv(2, "receiver", UNROUTED);
        o.list(2, "group_by", &["...".to_string()]);
        if !routes.is_empty() {
            o.line(2, "routes:");
            for r in routes {
                emit_route(&mut o, 4, r);
            }
        }
        let mut names: BTreeSet<String> = self.policy_receivers.iter().cloned().collect();
        names.insert(UNROUTED.into());
        names.insert(SUPPRESS.into());
        for r in &self.routes {
            names.extend(r.also.iter().cloned());
        }
        o.line(0, "receivers:");
        for n in &names {
            o.line(2, &format!("- name: {}", yaml::scalar(n)));
            if let (Some(t), false) = (&opts.receiver_url_template, n == SUPPRESS) {
                o.line(4, "webhook_configs:");
                o.line(6, &format!("- url: {}", yaml::scalar(&t.replace("{receiver}", n))));
            }
        }
        if !self.intervals.is_empty() {
            o.line(0, "time_intervals:");
            for (name, iv) in &self.intervals {
                o.line(2, &format!("- name: {}", yaml::scalar(name)));
                o.line(4, "time_intervals:");
                for (days, a, b) in &iv.pieces {
                    o.line(6, "- weekdays:");
                    for d in weekdays(days) {
                        o.line(10, &format!("- {}", yaml::scalar(&d)));
                    }
                    o.line(8, "times:");
                    o.line(10, &format!("- start_time: {}", yaml::scalar(&clock(*a))));
                    o.kv(12, "end_time", &clock(*b));
                    o.kv(8, "location", &iv.location);
                }
            }
        }
        o.text
    }
}

fn emit_route(o: &mut yaml::Out, indent: usize, r: &AmRoute) {
    if let Some(c) = &r.comment {
        o.comment(indent, c);
    }
    o.line(indent, &format!("- receiver: {}", yaml::scalar(&r.receiver)));
    let inner = indent + 2;
    let mut matchers = Vec::new();
    let (mut active, mut mute) = (Vec::new(), Vec::new());
    for l in &r.term {
        match l {
            Lit::M(m) => matchers.push(m.render()),
            Lit::Time { interval, active: true } => active.push(interval.clone()),
            Lit::Time { interval, active: false } => mute.push(interval.clone()),
        }
    }
    if !matchers.is_empty() {
        o.list(inner, "matchers", &matchers);
    }
    if !active.is_empty() {
        o.list(inner, "active_time_intervals", &active);
    }
    if !mute.is_empty() {
        o.list(inner, "mute_time_intervals", &mute);
    }
    if r.cont {
        o.line(inner, "continue: true");
    }
    if !r.routes.is_empty() {
        o.line(inner, "routes:");
        for c in &r.routes {
            emit_route(o, inner + 2, c);
        }
    }
}

/// Does condition `c` read the value `s` sets?
fn reads(c: &Cond, s: &SetAction) -> bool {
    let hit = |f: &Field| match s {
        SetAction::Severity(_) => *f == Field::Severity,
        SetAction::Label { key, .. } => *f == Field::Label(key.value.clone()),
    };
    match c {
        Cond::Cmp { field, .. } | Cond::In { field, .. } | Cond::Matches { field, .. } => hit(&field.value),
        Cond::Within { .. } | Cond::Outside { .. } => false,
        Cond::Not(x) => reads(x, s),
        Cond::And(xs) | Cond::Or(xs) => xs.iter().any(|x| reads(x, s)),
    }
}

/// Windows as interval pieces; one wrapping past midnight belongs to its
/// start day and is split at 24:00.
fn pieces(ws: &[Window]) -> Vec<([bool; 7], u16, u16)> {
    let mut v = Vec::new();
    for w in ws {
        if w.end_min > w.start_min {
            v.push((w.days, w.start_min, w.end_min));
        } else {
            v.push((w.days, w.start_min, 1440));
            if w.end_min > 0 {
                let mut next = [false; 7];
                for (d, on) in w.days.iter().enumerate() {
                    if *on {
                        next[(d + 1) % 7] = true;
                    }
                }
                v.push((next, 0, w.end_min));
            }
        }
    }
    v
}

/// Windows as written: `mon-fri 09:00-17:00, sat 22:00-02:00`.
fn windows_text(ws: &[Window]) -> String {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let parts: Vec<String> = ws
        .iter()
        .map(|w| {
            let mut days = Vec::new();
            let mut d = 0;
            while d < 7 {
                if !w.days[d] {
                    d += 1;
                    continue;
                }
                let start = d;
                while d + 1 < 7 && w.days[d + 1] {
                    d += 1;
                }
                days.push(if start == d { DAYS[d].to_string() } else { format!("{}-{}", DAYS[start], DAYS[d]) });
                d += 1;
            }
            format!("{} {}-{}", days.join(", "), clock(w.start_min), clock(w.end_min))
        })
        .collect();
    parts.join(", ")
}

fn clock(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// Weekday ranges as Alertmanager writes them (`monday:friday`).
fn weekdays(days: &[bool; 7]) -> Vec<String> {
    const NAMES: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    let mut v = Vec::new();
    let mut d = 0;
    while d < 7 {
        if !days[d] {
            d += 1;
            continue;
        }
        let start = d;
        while d + 1 < 7 && days[d + 1] {
            d += 1;
        }
        v.push(if start == d { NAMES[d].to_string() } else { format!("{}:{}", NAMES[start], NAMES[d]) });
        d += 1;
    }
    v
}

#[cfg(test)]
mod tests;
