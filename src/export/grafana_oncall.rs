//! `export --target grafana-oncall`: one Terraform file, `main.tf`, with
//! the Grafana OnCall resources of the `grafana` provider.
//!
//! - People become `grafana_oncall_user` data sources looked up by
//!   username, which is the person's first `email` (W0900 without one);
//!   teams named by `team X` targets become `grafana_oncall_team` data
//!   sources of the same name.
//! - Each schedule becomes a `calendar` schedule whose shifts are the
//!   layers (`rolling_users`, level = layer index, so later layers win) and
//!   the overrides (`single_event` in UTC, above every layer). `only`
//!   windows become shifts restricted by day and time (one per distinct
//!   time range); where Grafana's per-day or per-week rotation cannot
//!   assign every window to the same person as the layer's turns, W0900.
//! - Each policy becomes an escalation chain: per tier, one notify step per
//!   schedule and team and one `notify_persons` step for its people, then a
//!   `wait` of `escalate after` (60 s … 86,400 s). `repeat N` is written
//!   out as N more rounds for N < 5 and as one `repeat_escalation` step
//!   (exactly 5 more rounds) otherwise; a handoff copies the target
//!   policy's steps into the chain.
//! - Routes become `grafana_oncall_route`s of one webhook integration with
//!   Jinja2 templates (see [`RouteTemplate`]); the services' default
//!   policies follow the user routes, and the default route pages nobody.
//!
//! Whatever Grafana OnCall cannot express exactly is a W0900 finding with
//! the approximation that was exported. Output is deterministic: every
//! declaration is exported in name order, routes and tiers in their
//! written order.

use super::{common, Exported, FileTree};
use crate::diag::Finding;
use crate::model::Model;
use crate::source::Span;
use crate::syntax::ast::{
    Channel, CmpOp, Cond, DateTimeLit, Field, Layer, Policy, Route, RotationKind, Schedule, SetAction, TargetKind, Tier, Window,
    WindowsOrHours,
};
use crate::time::{self, Instant};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use std::collections::{BTreeMap, BTreeSet, HashSet};

/// Grafana OnCall waits at least this long in a `wait` step (seconds).
pub const WAIT_MIN: i64 = 60;
/// … and at most this long.
pub const WAIT_MAX: i64 = 86_400;
/// A `repeat_escalation` step restarts the chain this many times.
pub const REPEAT_MAX: u32 = 5;
/// Grafana OnCall renders no template longer than this (characters).
pub const TEMPLATE_MAX: usize = 50_000;
/// Where a layer that covers without a start of its own begins (a Monday).
const ALWAYS_FROM: &str = "2020-01-06T00:00:00";

const ICAL_DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

/// Export the model as `main.tf`.
pub fn export(m: &Model) -> Exported {
    let mut cx = Ctx::new(m);
    let mut out = String::new();
    out.push_str(HEADER);

    let mut schedules: Vec<&Schedule> = m.schedules.iter().collect();
    schedules.sort_by(|a, b| a.name.name.cmp(&b.name.name));
    let mut sched_blocks = Vec::new();
    for s in schedules {
        sched_blocks.extend(cx.schedule(s));
    }

    for p in &m.policies {
        cx.policy_findings(p);
    }
    let mut order: Vec<usize> = (0..m.policies.len()).collect();
    order.sort_by(|&a, &b| m.policies[a].name.name.cmp(&m.policies[b].name.name));
    let mut chain_blocks = Vec::new();
    for pi in order {
        chain_blocks.extend(cx.chain(pi));
    }
    let routing = cx.routing();
    chain_blocks.extend(cx.special_chains());
    cx.org_findings();

    let mut people = Vec::new();
    for (person, res) in &cx.users.clone() {
        if cx.used_users.contains(person) {
            people.push(cx.user_block(person, res));
        }
    }
    let mut teams = Vec::new();
    for (team, res) in &cx.teams {
        if cx.used_teams.contains(team) {
            teams.push(Block::new(format!("data \"grafana_oncall_team\" \"{res}\"")).attr("name", Val::Str(team.clone())));
        }
    }

    for (title, blocks) in [
        ("people (looked up by username = email)", people),
        ("teams", teams),
        ("schedules: one shift per layer (level = layer index) and per override", sched_blocks),
        ("escalation chains: one per policy", chain_blocks),
        ("routing: one webhook integration, routes in escalade's order", routing),
    ] {
        if blocks.is_empty() {
            continue;
        }
        out.push_str(&format!("\n# --- {title} ---\n"));
        for b in blocks {
            out.push('\n');
            b.render(0, &mut out);
        }
    }

    let mut findings = cx.findings;
    let mut seen = HashSet::new();
    findings.retain(|f| seen.insert((f.span, f.message.clone())));
    let mut tree = FileTree::new();
    tree.insert("main.tf".into(), out.into_bytes());
    Exported { tree, findings }
}

const HEADER: &str = "\
# Grafana OnCall configuration for the `grafana` Terraform provider, written
# by `escalade export --target grafana-oncall`. Re-export instead of editing.
#
# Alerts are posted to the integration's webhook as JSON objects:
#   {\"service\": \"…\", \"severity\": \"…\", \"summary\": \"…\", \"source\": \"…\",
#    \"fingerprint\": \"…\", \"labels\": {\"key\": \"value\", …}}
# The routes read these fields with Jinja2 (severity names and aliases in
# any case; labels fall back to the service's labels).
";

// ---------------------------------------------------------------------------
// Names

/// An HCL-safe Terraform name for one of ours: lower-case ASCII letters,
/// digits and `_` (everything else becomes `_`), starting with a letter or
/// `_`.
pub fn sanitize(raw: &str) -> String {
    let mut s: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert_str(0, "r_");
    }
    s
}

/// Allocates sanitized names that are unique within one namespace: a name
/// already taken gets `_2`, `_3`, … in allocation order.
#[derive(Debug, Default)]
pub struct Names {
    used: HashSet<String>,
}

impl Names {
    pub fn alloc(&mut self, raw: &str) -> String {
        let base = sanitize(raw);
        if self.used.insert(base.clone()) {
            return base;
        }
        let mut i = 2;
        loop {
            let c = format!("{base}_{i}");
            if self.used.insert(c.clone()) {
                return c;
            }
            i += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// Durations

/// The `wait` step for `escalate after d`: Grafana OnCall waits 60 s to
/// 86,400 s, so shorter and longer delays are clamped.
pub fn wait_secs(d: i64) -> i64 {
    d.clamp(WAIT_MIN, WAIT_MAX)
}

pub use crate::checks::routes::fmt_secs;

fn hhmm(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

fn fmt_local(t: NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

// ---------------------------------------------------------------------------
// HCL

/// An attribute value.
#[derive(Debug, Clone)]
enum Val {
    /// a quoted string
    Str(String),
    /// an expression written as is (numbers, booleans, references, lists)
    Expr(String),
    /// a heredoc (`<<-EOT`), one entry per line
    Heredoc(Vec<String>),
}

#[derive(Debug, Clone)]
enum Item {
    Attr(&'static str, Val),
    Block(Block),
}

/// One HCL block, rendered like `terraform fmt` (two-space indent, the
/// `=` of consecutive attributes aligned).
#[derive(Debug, Clone)]
struct Block {
    head: String,
    comments: Vec<String>,
    items: Vec<Item>,
    /// comment lines after the closing brace
    after: Vec<String>,
}

impl Block {
    fn new(head: String) -> Block {
        Block { head, comments: Vec::new(), items: Vec::new(), after: Vec::new() }
    }
    fn attr(mut self, key: &'static str, v: Val) -> Block {
        self.items.push(Item::Attr(key, v));
        self
    }
    fn push(&mut self, key: &'static str, v: Val) {
        self.items.push(Item::Attr(key, v));
    }
    fn render(&self, indent: usize, out: &mut String) {
        let pad = " ".repeat(indent);
        for c in &self.comments {
            out.push_str(&format!("{pad}# {}\n", comment_text(c)));
        }
        out.push_str(&format!("{pad}{} {{\n", self.head));
        let mut i = 0;
        while i < self.items.len() {
            match &self.items[i] {
                Item::Block(b) => {
                    b.render(indent + 2, out);
                    i += 1;
                }
                Item::Attr(..) => {
                    let mut j = i;
                    let mut width = 0;
                    while let Some(Item::Attr(k, _)) = self.items.get(j) {
                        width = width.max(k.len());
                        j += 1;
                    }
                    for item in &self.items[i..j] {
                        if let Item::Attr(k, v) = item {
                            out.push_str(&format!("{pad}  {k:width$} = "));
                            match v {
                                Val::Str(s) => out.push_str(&hcl_string(s)),
                                Val::Expr(e) => out.push_str(e),
                                Val::Heredoc(lines) => {
                                    out.push_str("<<-EOT\n");
                                    for l in lines {
                                        out.push_str(&format!("{pad}    {}\n", hcl_template_escape(l)));
                                    }
                                    out.push_str(&format!("{pad}  EOT"));
                                }
                            }
                            out.push('\n');
                        }
                    }
                    i = j;
                }
            }
        }
        out.push_str(&format!("{pad}}}\n"));
        for c in &self.after {
            out.push_str(&format!("{pad}# {}\n", comment_text(c)));
        }
    }
}

/// A comment line never breaks out of its `#`.
fn comment_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// `${` and `%{` start template sequences in HCL strings and heredocs.
fn hcl_template_escape(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// A quoted HCL string (the same quoting as the PagerDuty Terraform).
pub fn hcl_string(s: &str) -> String {
    super::pagerduty::terraform::quote(s)
}

fn list(items: &[String]) -> Val {
    Val::Expr(format!("[{}]", items.join(", ")))
}

// ---------------------------------------------------------------------------
// Jinja2

/// A Jinja2 string literal: `"` and `\` escaped, control characters as
/// escapes (Jinja reads string literals with Python's escape rules).
pub fn jinja_string(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn jinja_list<S: AsRef<str>>(items: &[S]) -> String {
    let v: Vec<String> = items.iter().map(|s| jinja_string(s.as_ref())).collect();
    format!("[{}]", v.join(", "))
}

/// A value a route template reads, in the order the prelude defines them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Var {
    Service,
    Summary,
    Source,
    Severity,
    Label(String),
    Now(String),
}

/// Builds the Jinja2 template of one Grafana OnCall route.
///
/// The mapping of conditions (every leaf is exact):
/// - a prelude `{%- set … -%}` reads each field once: `service`,
///   `summary`, `source` from the payload; `sev` is the severity name the
///   payload's severity (any case, or an alias) stands for, `""` when none;
///   `label_K` is `payload.labels[K]`, else the label of the payload's
///   service;
/// - `==`, `!=`, `in` compare those values (a missing one is `none`, which
///   equals nothing); severity comparisons become `sev in [names]`;
/// - `matches "R"` becomes `value | regex_search("R")` (false when missing);
/// - `team == "T"` becomes `service in [services T owns]` (`team matches`
///   is decided here, against the declared owners);
/// - `within H` compares the current time in H's zone (`time() |
///   datetimeformat_as_timezone(…)`): weekday, `HH:MM` and, for `except`
///   calendars, the date; `outside H` is its negation;
/// - `set` of an earlier `continue` route becomes `{% if COND %}{% set … %}
///   {% endif %}`, so later routes read the changed value;
/// - the template renders `true` or `false`.
pub struct RouteTemplate<'m> {
    m: &'m Model,
    /// owner name → the services it owns, for `team` conditions
    owned: BTreeMap<&'m str, Vec<&'m str>>,
    /// label key → `"service": "value", …` of the services declaring it
    /// (a service's last duplicate wins), sorted by service; made once,
    /// since every route's template asks (a scan of the services per
    /// route made the export quadratic in the size of the org)
    fallbacks: BTreeMap<&'m str, String>,
}

impl<'m> RouteTemplate<'m> {
    pub fn new(m: &'m Model) -> RouteTemplate<'m> {
        let fallbacks = common::services_by_label(m)
            .into_iter()
            .map(|(k, mut v)| {
                v.sort();
                (k, v.into_iter().map(|(s, l)| format!("{}: {}", jinja_string(s), jinja_string(l))).collect::<Vec<_>>().join(", "))
            })
            .collect();
        RouteTemplate { m, owned: common::owned_services(m), fallbacks }
    }

    fn label_has_service_fallback(&self, key: &str) -> bool {
        self.fallbacks.contains_key(key)
    }

    fn reads(&self, c: &Cond, out: &mut BTreeSet<Var>) {
        let field = |f: &Field, out: &mut BTreeSet<Var>| match f {
            Field::Severity => {
                out.insert(Var::Severity);
            }
            Field::Service | Field::Team => {
                out.insert(Var::Service);
            }
            Field::Summary => {
                out.insert(Var::Summary);
            }
            Field::Source => {
                out.insert(Var::Source);
            }
            Field::Label(k) => {
                out.insert(Var::Label(k.clone()));
                if self.label_has_service_fallback(k) {
                    out.insert(Var::Service);
                }
            }
        };
        match c {
            Cond::Cmp { field: f, .. } | Cond::In { field: f, .. } | Cond::Matches { field: f, .. } => field(&f.value, out),
            Cond::Within { hours, .. } | Cond::Outside { hours, .. } => {
                out.insert(Var::Now(self.hours_zone(hours).name().to_string()));
            }
            Cond::Not(x) => self.reads(x, out),
            Cond::And(xs) | Cond::Or(xs) => {
                for x in xs {
                    self.reads(x, out);
                }
            }
        }
    }

    fn hours_zone(&self, h: &WindowsOrHours) -> Tz {
        match h {
            WindowsOrHours::Windows(_) => self.m.org.tz,
            WindowsOrHours::Hours(id) => self.m.hours_named(&id.name).map(|h| self.m.zone(&h.tz)).unwrap_or(self.m.org.tz),
        }
    }

    /// The template for a route with condition `cond` (none: every alert),
    /// optionally restricted to `services`, after the `set` routes
    /// `sets` (earlier `continue` routes, in order).
    pub fn render(&self, cond: Option<&Cond>, services: Option<&[String]>, sets: &[&Route]) -> String {
        let mut need = BTreeSet::new();
        if let Some(c) = cond {
            self.reads(c, &mut need);
        }
        if services.is_some() {
            need.insert(Var::Service);
        }
        let mut included = vec![false; sets.len()];
        for (i, r) in sets.iter().enumerate().rev() {
            let wanted = r.sets.iter().any(|s| match &s.value {
                SetAction::Severity(_) => need.contains(&Var::Severity),
                SetAction::Label { key, .. } => need.contains(&Var::Label(key.value.clone())),
            });
            if wanted {
                included[i] = true;
                if let Some(w) = &r.when {
                    self.reads(&w.value, &mut need);
                }
            }
        }
        let mut names = Names::default();
        for fixed in ["service", "summary", "source", "sev", "labels", "payload", "time"] {
            names.alloc(fixed);
        }
        let mut vars = Vars::default();
        let mut lines = Vec::new();
        if need.iter().any(|v| matches!(v, Var::Label(_))) {
            lines.push("{%- set labels = payload.get(\"labels\") or {} -%}".to_string());
        }
        for v in &need {
            match v {
                Var::Service => lines.push("{%- set service = payload.get(\"service\") -%}".into()),
                Var::Summary => lines.push("{%- set summary = payload.get(\"summary\") -%}".into()),
                Var::Source => lines.push("{%- set source = payload.get(\"source\") -%}".into()),
                Var::Severity => lines.push(format!(
                    "{{%- set sev = {}.get((payload.get(\"severity\") or \"\") | string | lower, \"\") -%}}",
                    self.severity_map()
                )),
                Var::Label(k) => {
                    let name = names.alloc(&format!("label_{k}"));
                    vars.labels.insert(k.clone(), name.clone());
                    match self.fallbacks.get(k.as_str()) {
                        None => lines.push(format!("{{%- set {name} = labels.get({}) -%}}", jinja_string(k))),
                        Some(dict) => lines.push(format!("{{%- set {name} = labels.get({}, {{{dict}}}.get(service)) -%}}", jinja_string(k))),
                    }
                }
                Var::Now(zone) => {
                    let name = names.alloc(&format!("now_{zone}"));
                    vars.now.insert(zone.clone(), name.clone());
                    lines.push(format!(
                        "{{%- set {name} = time() | datetimeformat_as_timezone(\"%w %H:%M %Y-%m-%d\", {}) -%}}",
                        jinja_string(zone)
                    ));
                }
            }
        }
        for (i, r) in sets.iter().enumerate() {
            if !included[i] {
                continue;
            }
            let mut assigns: Vec<(String, String)> = Vec::new();
            for s in &r.sets {
                match &s.value {
                    SetAction::Severity(id) if need.contains(&Var::Severity) => assigns.push(("sev".into(), jinja_string(&id.name))),
                    SetAction::Label { key, value } => {
                        if let Some(name) = vars.labels.get(&key.value) {
                            assigns.push((name.clone(), jinja_string(&value.value)));
                        }
                    }
                    _ => {}
                }
            }
            lines.push(format!("{{#- set by route {} (continue) -#}}", r.name.name));
            match &r.when {
                Some(w) => {
                    let body: String = assigns.iter().map(|(n, v)| format!("{{% set {n} = {v} %}}")).collect();
                    lines.push(format!("{{%- if {} %}}{body}{{% endif -%}}", self.expr(&w.value, &vars)));
                }
                None => {
                    for (n, v) in assigns {
                        lines.push(format!("{{%- set {n} = {v} -%}}"));
                    }
                }
            }
        }
        let mut parts = Vec::new();
        if let Some(c) = cond {
            parts.push(self.expr(c, &vars));
        }
        if let Some(svcs) = services {
            parts.push(format!("service in {}", jinja_list(svcs)));
        }
        let e = match parts.len() {
            0 => "true".to_string(),
            1 => parts.remove(0),
            _ => format!("({})", parts.join(" and ")),
        };
        lines.push(format!("{{{{ \"true\" if {e} else \"false\" }}}}"));
        lines.join("\n")
    }

    /// `{"sev1": "sev1", "p1": "sev1", …}`: lower-cased names first, then
    /// aliases, each text mapped to the first severity it names.
    fn severity_map(&self) -> String {
        let mut seen = HashSet::new();
        let mut pairs = Vec::new();
        for s in &self.m.org.severities {
            let k = s.name.to_lowercase();
            if seen.insert(k.clone()) {
                pairs.push(format!("{}: {}", jinja_string(&k), jinja_string(&s.name)));
            }
        }
        for s in &self.m.org.severities {
            for a in &s.aliases {
                let k = a.to_lowercase();
                if seen.insert(k.clone()) {
                    pairs.push(format!("{}: {}", jinja_string(&k), jinja_string(&s.name)));
                }
            }
        }
        format!("{{{}}}", pairs.join(", "))
    }

    fn owned(&self, pred: impl Fn(&str) -> bool) -> Vec<String> {
        let mut v: Vec<String> = self.owned.iter().filter(|(o, _)| pred(o)).flat_map(|(_, ss)| ss.iter().map(|s| s.to_string())).collect();
        v.sort();
        v
    }

    fn var(&self, f: &Field, vars: &Vars) -> String {
        match f {
            Field::Service | Field::Team => "service".into(),
            Field::Summary => "summary".into(),
            Field::Source => "source".into(),
            Field::Severity => "sev".into(),
            Field::Label(k) => vars.labels.get(k).cloned().unwrap_or_else(|| "none".into()),
        }
    }

    fn severities_where(&self, pred: impl Fn(usize) -> bool) -> String {
        let v: Vec<&str> = self.m.org.severities.iter().enumerate().filter(|(i, _)| pred(*i)).map(|(_, s)| s.name.as_str()).collect();
        jinja_list(&v)
    }

    fn expr(&self, c: &Cond, vars: &Vars) -> String {
        match c {
            Cond::Cmp { field, op, value } => match &field.value {
                Field::Severity => {
                    let r = self.m.severity_rank(&value.text).unwrap_or(usize::MAX);
                    match op {
                        CmpOp::Eq => format!("sev == {}", jinja_string(&value.text)),
                        CmpOp::Ne => format!("sev != {}", jinja_string(&value.text)),
                        CmpOp::Ge => format!("sev in {}", self.severities_where(|i| i <= r)),
                        CmpOp::Gt => format!("sev in {}", self.severities_where(|i| i < r)),
                        CmpOp::Le => format!("sev in {}", self.severities_where(|i| i >= r && r != usize::MAX)),
                        CmpOp::Lt => format!("sev in {}", self.severities_where(|i| i > r && r != usize::MAX)),
                    }
                }
                Field::Team => {
                    let owned = jinja_list(&self.owned(|o| o == value.text));
                    match op {
                        CmpOp::Ne => format!("service not in {owned}"),
                        _ => format!("service in {owned}"),
                    }
                }
                f => {
                    let v = self.var(f, vars);
                    match op {
                        CmpOp::Ne => format!("{v} != {}", jinja_string(&value.text)),
                        _ => format!("{v} == {}", jinja_string(&value.text)),
                    }
                }
            },
            Cond::In { field, values } => {
                let texts: Vec<&str> = values.iter().map(|v| v.text.as_str()).collect();
                match &field.value {
                    Field::Severity => format!("sev in {}", jinja_list(&texts)),
                    Field::Team => format!("service in {}", jinja_list(&self.owned(|o| texts.contains(&o)))),
                    f => format!("{} in {}", self.var(f, vars), jinja_list(&texts)),
                }
            }
            Cond::Matches { field, pattern } => match &field.value {
                Field::Team => {
                    let re = self.m.regex(&pattern.value);
                    format!("service in {}", jinja_list(&self.owned(|o| re.is_some_and(|r| r.is_match(o)))))
                }
                f => format!("({} | regex_search({}))", self.var(f, vars), jinja_string(&pattern.value)),
            },
            Cond::Within { hours, .. } => self.within(hours, vars),
            Cond::Outside { hours, .. } => format!("not {}", self.within(hours, vars)),
            Cond::Not(x) => format!("not ({})", self.expr(x, vars)),
            Cond::And(xs) => format!("({})", xs.iter().map(|x| self.expr(x, vars)).collect::<Vec<_>>().join(" and ")),
            Cond::Or(xs) => format!("({})", xs.iter().map(|x| self.expr(x, vars)).collect::<Vec<_>>().join(" or ")),
        }
    }

    /// Is the current time inside the windows or hours? `now` holds
    /// "%w %H:%M %Y-%m-%d" in their zone (weekday 0 = Sunday).
    fn within(&self, h: &WindowsOrHours, vars: &Vars) -> String {
        let zone = self.hours_zone(h);
        let now = vars.now.get(zone.name()).cloned().unwrap_or_else(|| "none".into());
        let (windows, excepts): (&[Window], Vec<String>) = match h {
            WindowsOrHours::Windows(ws) => (ws.as_slice(), Vec::new()),
            WindowsOrHours::Hours(id) => match self.m.hours_named(&id.name) {
                Some(h) => {
                    let mut dates = BTreeSet::new();
                    for c in &h.except {
                        if let Some(cal) = self.m.calendar(&c.name) {
                            dates.extend(cal.dates.iter().map(|d| d.value.format("%Y-%m-%d").to_string()));
                        }
                    }
                    (h.windows.as_slice(), dates.into_iter().collect())
                }
                None => (&[], Vec::new()),
            },
        };
        let mut alts = Vec::new();
        for w in windows {
            alts.extend(window_tests(w, &now));
        }
        let any = if alts.is_empty() { "false".to_string() } else { alts.join(" or ") };
        if excepts.is_empty() {
            format!("({any})")
        } else {
            format!("(({any}) and {now}[8:] not in {})", jinja_list(&excepts))
        }
    }
}

/// The `%w` digits (0 = Sunday) of the days set in `days` (0 = Monday).
fn weekday_digits(days: &[bool; 7], shift: usize) -> String {
    (0..7).filter(|&d| days[d]).map(|d| char::from(b'0' + ((d + 1 + shift) % 7) as u8)).collect()
}

/// The tests for one window against `now` ("%w %H:%M …"): one for a
/// window within its day, two for one that wraps past midnight.
fn window_tests(w: &Window, now: &str) -> Vec<String> {
    let t = format!("{now}[2:7]");
    let mut out = Vec::new();
    let today = weekday_digits(&w.days, 0);
    if w.end_min > w.start_min {
        let mut parts = vec![format!("{now}[0] in {}", jinja_string(&today))];
        if w.start_min > 0 {
            parts.push(format!("{t} >= {}", jinja_string(&hhmm(w.start_min))));
        }
        if w.end_min < 1440 {
            parts.push(format!("{t} < {}", jinja_string(&hhmm(w.end_min))));
        }
        out.push(format!("({})", parts.join(" and ")));
    } else {
        out.push(format!("({now}[0] in {} and {t} >= {})", jinja_string(&today), jinja_string(&hhmm(w.start_min))));
        if w.end_min > 0 {
            out.push(format!("({now}[0] in {} and {t} < {})", jinja_string(&weekday_digits(&w.days, 1)), jinja_string(&hhmm(w.end_min))));
        }
    }
    out
}

#[derive(Default)]
struct Vars {
    labels: BTreeMap<String, String>,
    now: BTreeMap<String, String>,
}

// ---------------------------------------------------------------------------
// Schedules

/// How a rotation's turns map to a shift's `frequency` and `interval`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Turn {
    Hourly(i64),
    Daily(i64),
    Weekly(i64),
}

impl Turn {
    fn frequency(self) -> &'static str {
        match self {
            Turn::Hourly(_) => "hourly",
            Turn::Daily(_) => "daily",
            Turn::Weekly(_) => "weekly",
        }
    }
    fn interval(self) -> i64 {
        match self {
            Turn::Hourly(i) | Turn::Daily(i) | Turn::Weekly(i) => i,
        }
    }
    fn secs(self) -> i64 {
        match self {
            Turn::Hourly(i) => i * 3600,
            Turn::Daily(i) => i * 86_400,
            Turn::Weekly(i) => i * 604_800,
        }
    }
}

/// `rotation every D`: whole weeks and days map to weekly and daily turns
/// (wall-clock in Grafana OnCall, elapsed time in escalade); anything else
/// to hourly turns, rounded to the nearest hour. The flag says whether the
/// mapping is inexact for a zone without DST.
pub fn every_turn(d: i64) -> (Turn, bool) {
    if d % 604_800 == 0 {
        (Turn::Weekly(d / 604_800), false)
    } else if d % 86_400 == 0 {
        (Turn::Daily(d / 86_400), false)
    } else {
        (Turn::Hourly(((d + 1800) / 3600).max(1)), true)
    }
}

/// One `grafana_oncall_on_call_shift`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shift {
    pub name: String,
    pub kind: &'static str,
    pub start: String,
    pub duration: i64,
    pub turn: Option<Turn>,
    pub by_day: Vec<&'static str>,
    pub week_start: Option<&'static str>,
    pub users: Vec<String>,
    pub rolling: Vec<String>,
    pub start_index: Option<i64>,
    pub level: i64,
    pub time_zone: String,
}

/// A shift restricted to one time range of `only` windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowShift {
    /// local start of the first occurrence in the first turn
    pub start: NaiveDateTime,
    pub duration_min: i64,
    pub by_day: Vec<&'static str>,
    pub week_start: Option<&'static str>,
    /// which member holds that first occurrence
    pub start_index: i64,
    /// whether Grafana's per-day / per-week rotation gives every window
    /// occurrence to the member escalade gives it
    pub exact: bool,
}

/// Map the windows `days × [start, end)` of a layer whose turns (`weekly`
/// or daily) hand over at local `handoff` onto a Grafana rolling shift of
/// `n` members, in the same zone.
///
/// Grafana OnCall gives the first user the first occurrence at or after
/// `start`, and each next user the first occurrence on the next day
/// (daily) or in the next week starting on `week_start` (weekly); each
/// user then recurs every `n` days or weeks. escalade gives an occurrence
/// to the member of the turn it starts in. The two agree when no
/// occurrence straddles a handoff and, daily, the first `n` days from the
/// start all have an occurrence, or, weekly, some `week_start` groups the
/// occurrences into weeks the way the turns do.
pub fn window_shift(weekly: bool, handoff: NaiveDateTime, days: &[bool; 7], start_min: u16, end_min: u16, n: usize) -> Option<WindowShift> {
    if !days.iter().any(|d| *d) || n == 0 {
        return None;
    }
    let n = n as i64;
    let monday = handoff.date() - Duration::days(i64::from(handoff.weekday().num_days_from_monday()));
    let monday0 = monday.and_hms_opt(0, 0, 0)?;
    let h_abs = (handoff - monday0).num_minutes();
    let turn = if weekly { 10_080 } else { 1440 };
    let (s, e) = (i64::from(start_min), i64::from(end_min));
    let len = if e > s { e - s } else { e + 1440 - s };
    let occ: Vec<i64> = (-14..35).filter(|dd: &i64| days[dd.rem_euclid(7) as usize]).map(|dd| dd * 1440 + s).collect();
    let k = |x: i64| (x - h_abs).div_euclid(turn);
    let mut exact = occ.iter().all(|&x| k(x) == k(x + len - 1));
    let first = *occ.iter().find(|&&x| x >= h_abs)?;
    let mut week_start = None;
    if weekly {
        let hd = h_abs.div_euclid(1440).rem_euclid(7);
        let fits = |w: i64| {
            let g = |x: i64| (x - w * 1440).div_euclid(10_080);
            let c = g(occ[0]) - k(occ[0]);
            occ.iter().all(|&x| g(x) - k(x) == c)
        };
        let w = (0..7).map(|i| (hd + i) % 7).find(|&w| fits(w));
        if w.is_none() {
            exact = false;
        }
        week_start = Some(ICAL_DAYS[w.unwrap_or(hd) as usize]);
    } else {
        let d0 = first.div_euclid(1440);
        if (0..n.min(7)).any(|i| !days[(d0 + i).rem_euclid(7) as usize]) {
            exact = false;
        }
    }
    let by_day = (0..7).filter(|&d| days[d]).map(|d| ICAL_DAYS[d]).collect();
    Some(WindowShift { start: monday0 + Duration::minutes(first), duration_min: len, by_day, week_start, start_index: k(first).rem_euclid(n), exact })
}

/// Does the zone keep one UTC offset over the year from `t`?
fn fixed_offset(tz: Tz, t: Instant) -> bool {
    let o = time::utc_offset(tz, t);
    (1..=26).all(|k| time::utc_offset(tz, t + k * 14 * 86_400) == o)
}

/// The local wall time of a datetime literal in `tz`.
fn local_of(tz: Tz, d: &DateTimeLit) -> NaiveDateTime {
    match d {
        DateTimeLit::Local(l) => *l,
        DateTimeLit::Fixed(f) => f.with_timezone(&tz).naive_local(),
    }
}

fn utc_local(t: Instant) -> String {
    time::to_local(Tz::UTC, t).map(fmt_local).unwrap_or_else(|| ALWAYS_FROM.to_string())
}

fn always_from() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2020, 1, 6).and_then(|d| d.and_hms_opt(0, 0, 0)).unwrap_or_default()
}

// ---------------------------------------------------------------------------
// Escalation chains

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Persons(Vec<String>, bool),
    Schedule(String, bool),
    Team(String, bool),
    Wait(i64),
    Repeat,
    Note(String),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum TargetKey {
    Person(String),
    Schedule(String),
    Team(String),
}

// ---------------------------------------------------------------------------
// The export

struct Ctx<'m> {
    m: &'m Model,
    findings: Vec<Finding>,
    users: BTreeMap<String, String>,
    used_users: BTreeSet<String>,
    teams: BTreeMap<String, String>,
    used_teams: BTreeSet<String>,
    schedules: BTreeMap<String, String>,
    chains: BTreeMap<String, String>,
    shift_names: Names,
    step_names: Names,
    route_names: Names,
    suppressed: String,
    unrouted: String,
    suppressed_used: bool,
}

impl<'m> Ctx<'m> {
    fn new(m: &'m Model) -> Ctx<'m> {
        fn alloc<'a>(names: impl Iterator<Item = &'a str>) -> (BTreeMap<String, String>, Names) {
            let mut sorted: Vec<&str> = names.collect();
            sorted.sort_unstable();
            let mut ns = Names::default();
            (sorted.into_iter().map(|n| (n.to_string(), ns.alloc(n))).collect(), ns)
        }
        let (users, _) = alloc(m.persons.iter().map(|p| p.name.name.as_str()));
        let (teams, _) = alloc(m.teams.iter().map(|t| t.name.name.as_str()));
        let (schedules, _) = alloc(m.schedules.iter().map(|s| s.name.name.as_str()));
        let (chains, mut chain_ns) = alloc(m.policies.iter().map(|p| p.name.name.as_str()));
        let suppressed = chain_ns.alloc("suppressed");
        let unrouted = chain_ns.alloc("unrouted");
        Ctx {
            m,
            findings: Vec::new(),
            users,
            used_users: BTreeSet::new(),
            teams,
            used_teams: BTreeSet::new(),
            schedules,
            chains,
            shift_names: Names::default(),
            step_names: Names::default(),
            route_names: Names::default(),
            suppressed,
            unrouted,
            suppressed_used: false,
        }
    }

    fn warn(&mut self, span: Span, message: String, help: String) {
        self.findings.push(Finding::new("W0900", span, message).with_help(help));
    }

    fn user(&mut self, person: &str) -> String {
        self.used_users.insert(person.to_string());
        format!("data.grafana_oncall_user.{}.id", self.users.get(person).cloned().unwrap_or_else(|| sanitize(person)))
    }

    fn team(&mut self, team: &str) -> String {
        self.used_teams.insert(team.to_string());
        format!("data.grafana_oncall_team.{}.id", self.teams.get(team).cloned().unwrap_or_else(|| sanitize(team)))
    }

    fn chain_ref(&self, policy: &str) -> String {
        format!("grafana_oncall_escalation_chain.{}.id", self.chains.get(policy).cloned().unwrap_or_else(|| sanitize(policy)))
    }

    fn user_block(&mut self, person: &str, res: &str) -> Block {
        let m = self.m;
        let Some(p) = m.person(person) else {
            return Block::new(format!("data \"grafana_oncall_user\" \"{res}\"")).attr("username", Val::Str(person.to_string()));
        };
        let email = p.contacts.iter().find(|c| c.channel == Channel::Email).and_then(|c| c.address.clone());
        let username = match email {
            Some(e) => e,
            None => {
                self.warn(
                    p.name.span,
                    format!("person `{person}` has no `email`: Grafana OnCall users are looked up by username, which this export takes from the email"),
                    format!("exported with the username \"{person}\"; add `email \"…\"` with the person's Grafana login"),
                );
                person.to_string()
            }
        };
        let mut b = Block::new(format!("data \"grafana_oncall_user\" \"{res}\"")).attr("username", Val::Str(username));
        if let Some(d) = &p.display_name {
            b.comments.push(d.value.clone());
        }
        b
    }

    // --- schedules ---

    fn schedule(&mut self, s: &Schedule) -> Vec<Block> {
        let m = self.m;
        let tz = m.zone(&s.tz);
        let mut shifts = Vec::new();
        for (li, l) in s.layers.iter().enumerate() {
            shifts.extend(self.layer(s, tz, l, li as i64));
        }
        for (oi, o) in s.overrides.iter().enumerate() {
            if o.is_nobody() {
                self.warn(
                    o.span,
                    format!("schedule `{}`: Grafana OnCall shifts cannot blank out the layers below them, so `override nobody` has no equivalent", s.name.name),
                    "not exported: the layers cover that time in Grafana OnCall".into(),
                );
                continue;
            }
            let a = time::datetime_instant(tz, &o.from.value);
            let b = time::datetime_instant(tz, &o.to.value);
            let user = self.user(&o.person.name);
            shifts.push(Shift {
                name: format!("{}/override {}", s.name.name, oi + 1),
                kind: "single_event",
                start: utc_local(a),
                duration: (b - a).max(0),
                turn: None,
                by_day: vec![],
                week_start: None,
                users: vec![user],
                rolling: vec![],
                start_index: None,
                level: (s.layers.len() + oi) as i64,
                time_zone: "UTC".into(),
            });
        }
        let mut blocks = Vec::new();
        let mut refs = Vec::new();
        for sh in shifts {
            let res = self.shift_names.alloc(&sh.name);
            refs.push(format!("grafana_oncall_on_call_shift.{res}.id"));
            blocks.push(shift_block(&sh, &res));
        }
        let res = self.schedules.get(&s.name.name).cloned().unwrap_or_else(|| sanitize(&s.name.name));
        blocks.push(
            Block::new(format!("resource \"grafana_oncall_schedule\" \"{res}\""))
                .attr("name", Val::Str(s.name.name.clone()))
                .attr("type", Val::Str("calendar".into()))
                .attr("time_zone", Val::Str(tz.name().into()))
                .attr("shifts", list(&refs)),
        );
        blocks
    }

    fn layer(&mut self, s: &Schedule, tz: Tz, l: &Layer, level: i64) -> Vec<Shift> {
        let m = self.m;
        let members: Vec<String> = l.members.iter().map(|p| p.name.clone()).collect();
        let refs: Vec<String> = members.iter().map(|p| self.user(p)).collect();
        let base = format!("{}/{}", s.name.name, l.name.name);
        let what = format!("layer `{}` of `{}`", l.name.name, s.name.name);
        let (turn, from_local, from_i) = match &l.rotation {
            Some(rot) => {
                if let Some(u) = &rot.until {
                    self.warn(
                        u.span,
                        format!("{what}: the Terraform provider's on-call shifts have no end (`until`)"),
                        "exported without an end: the rotation goes on after `until`".into(),
                    );
                }
                let from_i = time::datetime_instant(tz, &rot.from.value);
                let turn = match rot.kind {
                    RotationKind::Daily => Turn::Daily(1),
                    RotationKind::Weekly => Turn::Weekly(1),
                    RotationKind::Every(d) => {
                        let (t, inexact) = every_turn(d);
                        if inexact {
                            self.warn(
                                rot.span,
                                format!("{what}: `every {}` turns; Grafana OnCall rotates users by whole days or weeks", fmt_secs(d)),
                                format!("exported as hourly turns every {}h, which Grafana OnCall does not rotate dependably", t.interval()),
                            );
                        } else if !fixed_offset(tz, from_i) {
                            self.warn(
                                rot.span,
                                format!("{what}: `every {}` turns are elapsed time; Grafana OnCall's {} turns keep the wall-clock time in {}", fmt_secs(d), t.frequency(), tz.name()),
                                "exported as wall-clock turns: around DST changes the handoff moves by an hour".into(),
                            );
                        }
                        t
                    }
                };
                (turn, local_of(tz, &rot.from.value), from_i)
            }
            None if l.only.is_empty() => return self.fixed_layer(tz, l, &base, refs, level),
            None => {
                if let Some(u) = &l.until {
                    self.warn(
                        u.span,
                        format!("{what}: the Terraform provider's on-call shifts have no end (`until`)"),
                        "exported without an end: the layer goes on after `until`".into(),
                    );
                }
                match &l.from {
                    Some(f) => (Turn::Weekly(1), local_of(tz, &f.value), time::datetime_instant(tz, &f.value)),
                    None => (Turn::Weekly(1), always_from(), time::resolve_local(tz, always_from())),
                }
            }
        };
        let plain = |start: String| Shift {
            name: base.clone(),
            kind: "rolling_users",
            start,
            duration: turn.secs(),
            turn: Some(turn),
            by_day: vec![],
            week_start: None,
            users: vec![],
            rolling: refs.clone(),
            start_index: None,
            level,
            time_zone: tz.name().into(),
        };
        if l.only.is_empty() {
            return vec![plain(fmt_local(from_local))];
        }
        let weekly = match turn {
            Turn::Weekly(1) => true,
            Turn::Daily(1) => false,
            _ => {
                self.warn(
                    only_span(&l.only[0]).unwrap_or(l.name.span),
                    format!("{what}: Grafana OnCall restricts only daily and weekly rotations by day and time"),
                    "exported without the `only` restriction: the layer covers around the clock".into(),
                );
                return vec![plain(fmt_local(from_local))];
            }
        };
        // the windows, grouped by zone and then by time range
        let mut groups: BTreeMap<String, (Tz, Span, Ranges)> = BTreeMap::new();
        for o in &l.only {
            let span = only_span(o).unwrap_or(l.name.span);
            let (zone, windows): (Tz, &[Window]) = match o {
                WindowsOrHours::Windows(ws) => (tz, ws.as_slice()),
                WindowsOrHours::Hours(id) => match m.hours_named(&id.name) {
                    Some(h) => {
                        if !h.except.is_empty() {
                            let cals: Vec<String> = h.except.iter().map(|c| format!("`{}`", c.name)).collect();
                            self.warn(
                                id.span,
                                format!("{what}: `only {}` leaves out the days of {}; Grafana OnCall shifts have no exception dates", id.name, cals.join(", ")),
                                "exported without the exceptions: the layer covers its windows on those days too".into(),
                            );
                        }
                        (m.zone(&h.tz), h.windows.as_slice())
                    }
                    None => continue,
                },
            };
            let g = groups.entry(zone.name().to_string()).or_insert_with(|| (zone, span, BTreeMap::new()));
            for w in windows {
                let days = g.2.entry((w.start_min, w.end_min)).or_insert([false; 7]);
                for (d, on) in w.days.iter().enumerate() {
                    days[d] |= *on;
                }
            }
        }
        let ranges: usize = groups.values().map(|g| g.2.len()).sum();
        let several_zones = groups.len() > 1;
        let mut inexact = false;
        let mut out = Vec::new();
        for (zone_name, (zone, span, ranges_of)) in &groups {
            let c = i64::from(time::utc_offset(*zone, from_i)) - i64::from(time::utc_offset(tz, from_i));
            if *zone != tz {
                let same = (0..=26).all(|k| {
                    let t = from_i + k * 14 * 86_400;
                    i64::from(time::utc_offset(*zone, t)) - i64::from(time::utc_offset(tz, t)) == c
                });
                if !same {
                    self.warn(
                        *span,
                        format!("{what} turns in {} but its `only` windows are in {zone_name}; a Grafana OnCall shift reads both in one zone", tz.name()),
                        format!("exported in {zone_name} with the handoff converted at the rotation's start: around DST changes it moves by an hour"),
                    );
                }
            }
            let handoff = from_local + Duration::seconds(c);
            for ((a, b), days) in ranges_of {
                let Some(ws) = window_shift(weekly, handoff, days, *a, *b, members.len()) else { continue };
                if !ws.exact && members.len() > 1 {
                    inexact = true;
                }
                let mut name = base.clone();
                if ranges > 1 {
                    name = format!("{name} {}-{}", hhmm(*a), hhmm(*b));
                    if several_zones {
                        name = format!("{name} {zone_name}");
                    }
                }
                out.push(Shift {
                    name,
                    kind: "rolling_users",
                    start: fmt_local(ws.start),
                    duration: ws.duration_min * 60,
                    turn: Some(turn),
                    by_day: ws.by_day,
                    week_start: ws.week_start,
                    users: vec![],
                    rolling: refs.clone(),
                    start_index: Some(ws.start_index),
                    level,
                    time_zone: zone_name.clone(),
                });
            }
        }
        if inexact {
            let how = if weekly { "week" } else { "day" };
            self.warn(
                only_span(&l.only[0]).unwrap_or(l.name.span),
                format!("{what}: Grafana OnCall hands a restricted shift to the next user per calendar {how}, and the `only` windows do not fall into the layer's turns that way"),
                "exported with the windows' days and times: near a handoff Grafana OnCall may put another member on call".into(),
            );
        }
        out
    }

    /// A one-member layer without rotation and without `only`.
    fn fixed_layer(&mut self, tz: Tz, l: &Layer, base: &str, refs: Vec<String>, level: i64) -> Vec<Shift> {
        let start = l.from.as_ref().map(|f| time::datetime_instant(tz, &f.value)).unwrap_or_else(|| always_from().and_utc().timestamp());
        let mut sh = Shift {
            name: base.to_string(),
            kind: "recurrent_event",
            start: utc_local(start),
            duration: 604_800,
            turn: Some(Turn::Weekly(1)),
            by_day: vec![],
            week_start: None,
            users: refs,
            rolling: vec![],
            start_index: None,
            level,
            time_zone: "UTC".into(),
        };
        if let Some(u) = &l.until {
            let end = time::datetime_instant(tz, &u.value);
            if end <= start {
                return vec![];
            }
            sh.kind = "single_event";
            sh.duration = end - start;
            sh.turn = None;
        }
        vec![sh]
    }

    // --- escalation chains ---

    fn policy_findings(&mut self, p: &Policy) {
        let name = &p.name.name;
        if let Some(r) = &p.repeat {
            if r.value > REPEAT_MAX {
                self.warn(
                    r.span,
                    format!("policy `{name}` repeats {} times; Grafana OnCall's `repeat_escalation` repeats a chain at most {REPEAT_MAX} times", r.value),
                    format!("exported with one `repeat_escalation` step: {REPEAT_MAX} more rounds; write `repeat {REPEAT_MAX}` or fewer"),
                );
            }
        }
        if let Some(u) = &p.unresolved {
            self.warn(
                u.span,
                format!("policy `{name}`: Grafana OnCall has no resolution timeout; escalation stops at the acknowledgement"),
                format!("not exported (a comment on the chain): nobody is paged when an incident stays unresolved for {}", fmt_secs(u.after.value)),
            );
        }
        for t in &p.tiers {
            self.tier_findings(name, t);
        }
    }

    fn tier_findings(&mut self, policy: &str, t: &Tier) {
        let what = format!("tier `{}` of `{policy}`", t.name.name);
        if let Some(e) = &t.escalate_after {
            let w = wait_secs(e.value);
            if w != e.value {
                self.warn(
                    e.span,
                    format!("{what}: `escalate after {}`; a Grafana OnCall wait step lasts {WAIT_MIN} s to {WAIT_MAX} s (1m to 24h)", fmt_secs(e.value)),
                    format!("exported as a wait of {} ({w} s)", fmt_secs(w)),
                );
            }
        }
        if let Some(r) = &t.renotify {
            self.warn(
                r.span,
                format!("{what}: `renotify every {}`; a Grafana OnCall escalation step notifies once", fmt_secs(r.value)),
                "not exported: the tier's people are notified when it starts, then as their own notification rules say".into(),
            );
        }
        for c in &t.checkpoints {
            self.warn(
                c.span,
                format!("{what}: Grafana OnCall has no manual confirmation step (`checkpoint`)"),
                "exported as a comment above the tier's steps only".into(),
            );
        }
        for c in &t.channels {
            self.warn(
                c.span,
                format!("{what}: a Grafana OnCall escalation step cannot open a chat channel (`open channel \"{}\"`)", c.value),
                "exported as a comment only; set the route's Slack or Teams channel by hand".into(),
            );
        }
        if let Some(h) = &t.handoff {
            self.warn(
                h.span,
                format!("{what}: Grafana OnCall has no step that continues in another escalation chain (`handoff policy {}`)", h.name),
                format!("exported by copying the steps of `{}` into this chain; its `unresolved after` is not exported", h.name),
            );
        }
        for n in &t.notify {
            if n.via.is_empty() {
                continue;
            }
            let via: Vec<&str> = n.via.iter().map(|c| c.value.as_str()).collect();
            let urgent = n.via.iter().any(|c| matches!(c.value, Channel::Phone | Channel::Sms));
            self.warn(
                n.span,
                format!("{what}: `via {}`; Grafana OnCall notifies each user by their own notification rules, a step cannot choose channels", via.join(", ")),
                if urgent {
                    "exported as an `important` step (the users' important notification rules, usually phone calls)".into()
                } else {
                    "exported as a default step (the users' default notification rules)".into()
                },
            );
        }
    }

    /// The steps of one tier's `notify` statements: persons merged into one
    /// step per importance, one step per schedule and team; a target is
    /// `important` when every statement naming it has a `via` with phone or
    /// sms.
    fn notify_steps(&mut self, t: &Tier) -> Vec<Step> {
        let m = self.m;
        let mut order: Vec<TargetKey> = Vec::new();
        let mut info: BTreeMap<TargetKey, (bool, bool)> = BTreeMap::new();
        for n in &t.notify {
            let urgent = !n.via.is_empty() && n.via.iter().any(|c| matches!(c.value, Channel::Phone | Channel::Sms));
            for target in &n.targets {
                let key = match target.kind {
                    TargetKind::Person => TargetKey::Person(target.name.name.clone()),
                    TargetKind::Lead => match m.team(&target.name.name).and_then(|tm| tm.lead.as_ref()) {
                        Some(l) => TargetKey::Person(l.name.clone()),
                        None => continue,
                    },
                    TargetKind::Team => TargetKey::Team(target.name.name.clone()),
                    TargetKind::Schedule => TargetKey::Schedule(target.name.name.clone()),
                };
                let e = info.entry(key.clone()).or_insert_with(|| {
                    order.push(key.clone());
                    (true, false)
                });
                e.0 &= !n.via.is_empty();
                e.1 |= urgent;
            }
        }
        let important = |k: &TargetKey| info.get(k).is_some_and(|(all_via, urgent)| *all_via && *urgent);
        let mut steps = Vec::new();
        let mut persons_done = [false, false];
        for k in &order {
            let imp = important(k);
            match k {
                TargetKey::Person(_) => {
                    if persons_done[usize::from(imp)] {
                        continue;
                    }
                    persons_done[usize::from(imp)] = true;
                    let names: Vec<String> = order
                        .iter()
                        .filter(|x| important(x) == imp)
                        .filter_map(|x| match x {
                            TargetKey::Person(p) => Some(p.clone()),
                            _ => None,
                        })
                        .collect();
                    let refs = names.iter().map(|p| self.user(p)).collect();
                    steps.push(Step::Persons(refs, imp));
                }
                TargetKey::Schedule(s) => {
                    let res = self.schedules.get(s).cloned().unwrap_or_else(|| sanitize(s));
                    steps.push(Step::Schedule(format!("grafana_oncall_schedule.{res}.id"), imp));
                }
                TargetKey::Team(tm) => {
                    let r = self.team(tm);
                    steps.push(Step::Team(r, imp));
                }
            }
        }
        steps
    }

    /// One pass through a policy's reachable tiers; true when it ended at a
    /// terminal or handoff tier (no further rounds).
    fn round(&mut self, pi: usize, label: &str, stack: &mut Vec<usize>, out: &mut Vec<Step>) -> bool {
        let m = self.m;
        let p: &'m Policy = &m.policies[pi];
        for t in crate::time::reach::reachable_tiers(p) {
            out.push(Step::Note(format!("{label}tier `{}`", t.name.name)));
            for c in &t.channels {
                out.push(Step::Note(format!("open channel {:?} (not exported)", c.value)));
            }
            for c in &t.checkpoints {
                out.push(Step::Note(format!("checkpoint {:?} (not exported)", c.value)));
            }
            if let Some(h) = &t.handoff {
                let Some(target) = m.ns_policy.get(&h.name) else { return true };
                if stack.contains(&target) {
                    out.push(Step::Note(format!("handoff to `{}`, which this incident already went through: escalation ends here", h.name)));
                    return true;
                }
                out.push(Step::Note(format!("handoff to `{}`: its steps follow", h.name)));
                self.policy_steps(target, true, stack, out);
                return true;
            }
            if t.notify.is_empty() {
                // reaches nobody: skipped at once, no wait
                if t.is_terminal() {
                    return true;
                }
                continue;
            }
            if let Some(r) = &t.renotify {
                out.push(Step::Note(format!("renotify every {} (not exported)", fmt_secs(r.value))));
            }
            let steps = self.notify_steps(t);
            out.extend(steps);
            match &t.escalate_after {
                Some(e) => out.push(Step::Wait(wait_secs(e.value))),
                None => return true,
            }
        }
        false
    }

    /// The steps of a whole policy: its rounds written out, or one round
    /// and a `repeat_escalation` step (only at the top of a chain: inside a
    /// handoff it would restart the outer chain).
    fn policy_steps(&mut self, pi: usize, inline: bool, stack: &mut Vec<usize>, out: &mut Vec<Step>) {
        stack.push(pi);
        let m = self.m;
        let p: &'m Policy = &m.policies[pi];
        let repeat = p.repeat.as_ref().map(|r| r.value).unwrap_or(0);
        let prefix = if inline { format!("`{}`, ", p.name.name) } else { String::new() };
        let mut first = Vec::new();
        let ended = self.round(pi, &prefix, stack, &mut first);
        if ended || repeat == 0 {
            out.extend(first);
        } else if !inline && repeat >= REPEAT_MAX {
            out.extend(first);
            out.push(Step::Note(format!("repeat {repeat}: {REPEAT_MAX} more rounds")));
            out.push(Step::Repeat);
        } else {
            let rounds = repeat.min(REPEAT_MAX) + 1;
            for r in 0..rounds {
                let label = format!("{prefix}round {} of {rounds}, ", r + 1);
                if r == 0 {
                    for s in &first {
                        out.push(match s {
                            Step::Note(n) if n.starts_with(&format!("{prefix}tier")) => Step::Note(n.replacen(&prefix, &label, 1)),
                            s => s.clone(),
                        });
                    }
                } else {
                    self.round(pi, &label, stack, out);
                }
            }
        }
        stack.pop();
    }

    fn chain(&mut self, pi: usize) -> Vec<Block> {
        let m = self.m;
        let p: &'m Policy = &m.policies[pi];
        let res = self.chains.get(&p.name.name).cloned().unwrap_or_else(|| sanitize(&p.name.name));
        let mut chain = Block::new(format!("resource \"grafana_oncall_escalation_chain\" \"{res}\"")).attr("name", Val::Str(p.name.name.clone()));
        if let Some(u) = &p.unresolved {
            chain.comments.push(format!("unresolved after {} escalate to {} (not exported)", fmt_secs(u.after.value), u.tier.name));
        }
        let mut steps = Vec::new();
        self.policy_steps(pi, false, &mut Vec::new(), &mut steps);
        let mut blocks = vec![chain];
        let mut notes = Vec::new();
        let mut position = 0;
        let chain_id = format!("grafana_oncall_escalation_chain.{res}.id");
        for s in steps {
            let (kind, extra, important): (&str, Option<(&'static str, Val)>, bool) = match s {
                Step::Note(n) => {
                    notes.push(n);
                    continue;
                }
                Step::Persons(refs, imp) => ("notify_persons", Some(("persons_to_notify", list(&refs))), imp),
                Step::Schedule(r, imp) => ("notify_on_call_from_schedule", Some(("notify_on_call_from_schedule", Val::Expr(r))), imp),
                Step::Team(r, imp) => ("notify_team_members", Some(("notify_to_team_members", Val::Expr(r))), imp),
                Step::Wait(d) => ("wait", Some(("duration", Val::Expr(d.to_string()))), false),
                Step::Repeat => ("repeat_escalation", None, false),
            };
            let name = self.step_names.alloc(&format!("{res}_{position}"));
            let mut b = Block::new(format!("resource \"grafana_oncall_escalation\" \"{name}\""))
                .attr("escalation_chain_id", Val::Expr(chain_id.clone()))
                .attr("position", Val::Expr(position.to_string()))
                .attr("type", Val::Str(kind.into()));
            if let Some((k, v)) = extra {
                b.push(k, v);
            }
            if important {
                b.push("important", Val::Expr("true".into()));
            }
            b.comments = std::mem::take(&mut notes);
            blocks.push(b);
            position += 1;
        }
        if !notes.is_empty() {
            if let Some(last) = blocks.last_mut() {
                // trailing notes (a tier that pages nobody) go after the chain's steps
                last.after.extend(notes);
            }
        }
        blocks
    }

    fn special_chains(&mut self) -> Vec<Block> {
        let mut out = Vec::new();
        if self.suppressed_used {
            let mut b = Block::new(format!("resource \"grafana_oncall_escalation_chain\" \"{}\"", self.suppressed)).attr("name", Val::Str("escalade: suppressed".into()));
            b.comments.push("alerts of `suppress` routes: a chain without steps pages nobody".into());
            out.push(b);
        }
        let mut b = Block::new(format!("resource \"grafana_oncall_escalation_chain\" \"{}\"", self.unrouted)).attr("name", Val::Str("escalade: unrouted".into()));
        b.comments.push("unrouted alerts (no route decides, no default policy): a chain without steps pages nobody".into());
        out.push(b);
        out
    }

    // --- routing ---

    fn routing(&mut self) -> Vec<Block> {
        let m = self.m;
        let tpl = RouteTemplate::new(m);
        // services' default policies: policy → services
        let mut defaults: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for s in &m.services {
            if let Some(p) = &s.policy {
                defaults.entry(p.name.clone()).or_default().push(s.name.name.clone());
            }
        }
        for v in defaults.values_mut() {
            v.sort();
        }
        struct GRoute {
            hint: String,
            comment: String,
            template: String,
            chain: String,
            span: Span,
        }
        let mut routes: Vec<GRoute> = Vec::new();
        let mut sets: Vec<&Route> = Vec::new();
        for r in &m.routes {
            for a in &r.also {
                self.warn(
                    a.span,
                    format!("route `{}`: `also` pages in parallel with the policy; a Grafana OnCall route pages through its escalation chain only", r.name.name),
                    "not exported: the `also` targets are not paged".into(),
                );
            }
            if let Some(w) = &r.when {
                self.regex_findings(&w.value);
            }
            let cond = r.when.as_ref().map(|w| &w.value);
            if let Some(p) = &r.to {
                routes.push(GRoute {
                    hint: r.name.name.clone(),
                    comment: format!("route `{}` → policy `{}`", r.name.name, p.name),
                    template: tpl.render(cond, None, &sets),
                    chain: self.chain_ref(&p.name),
                    span: r.name.span,
                });
            } else if r.suppress.is_some() {
                self.suppressed_used = true;
                routes.push(GRoute {
                    hint: r.name.name.clone(),
                    comment: format!("route `{}` → suppressed", r.name.name),
                    template: tpl.render(cond, None, &sets),
                    chain: format!("grafana_oncall_escalation_chain.{}.id", self.suppressed),
                    span: r.name.span,
                });
            } else if r.cont.is_none() {
                // ends evaluation without deciding: the service's default policy
                for (p, svcs) in &defaults {
                    routes.push(GRoute {
                        hint: format!("{}-{p}", r.name.name),
                        comment: format!("route `{}` (no policy) → default policy `{p}` of its services", r.name.name),
                        template: tpl.render(cond, Some(svcs), &sets),
                        chain: self.chain_ref(p),
                        span: r.name.span,
                    });
                }
                routes.push(GRoute {
                    hint: format!("{}-unrouted", r.name.name),
                    comment: format!("route `{}` (no policy), a service without a default policy → unrouted", r.name.name),
                    template: tpl.render(cond, None, &sets),
                    chain: format!("grafana_oncall_escalation_chain.{}.id", self.unrouted),
                    span: r.name.span,
                });
            } else if !r.sets.is_empty() {
                sets.push(r);
            }
        }
        for (p, svcs) in &defaults {
            let span = m.policy(p).map(|x| x.name.span).unwrap_or_default();
            routes.push(GRoute {
                hint: format!("default-{p}"),
                comment: format!("no route decided: services whose default policy is `{p}`"),
                template: tpl.render(None, Some(svcs), &[]),
                chain: self.chain_ref(p),
                span,
            });
        }
        let integration = "escalade";
        let name = m.org.name.as_ref().map(|n| n.name.clone()).unwrap_or_else(|| "escalade".into());
        let mut int = Block::new(format!("resource \"grafana_oncall_integration\" \"{integration}\""))
            .attr("name", Val::Str(name))
            .attr("type", Val::Str("webhook".into()));
        int.items.push(Item::Block(Block::new("default_route".into()).attr(
            "escalation_chain_id",
            Val::Expr(format!("grafana_oncall_escalation_chain.{}.id", self.unrouted)),
        )));
        if m.org.dedup.is_some() {
            int.items.push(Item::Block(Block::new("templates".into()).attr(
                "grouping_key",
                Val::Str("{{ payload.get(\"service\", \"\") }}/{{ payload.get(\"fingerprint\") or payload.get(\"summary\") or \"\" }}".into()),
            )));
        }
        let mut blocks = vec![int];
        for (position, r) in routes.into_iter().enumerate() {
            if r.template.len() > TEMPLATE_MAX {
                self.warn(
                    r.span,
                    format!("the Jinja2 template of route `{}` has {} characters; Grafana OnCall renders templates of at most {TEMPLATE_MAX}", r.hint, r.template.len()),
                    "exported as is: Grafana OnCall will not match it".into(),
                );
            }
            let res = self.route_names.alloc(&r.hint);
            let mut b = Block::new(format!("resource \"grafana_oncall_route\" \"{res}\""))
                .attr("integration_id", Val::Expr(format!("grafana_oncall_integration.{integration}.id")))
                .attr("escalation_chain_id", Val::Expr(r.chain))
                .attr("position", Val::Expr(position.to_string()))
                .attr("routing_type", Val::Str("jinja2".into()))
                .attr("routing_regex", Val::Heredoc(r.template.lines().map(String::from).collect()));
            b.comments.push(r.comment);
            blocks.push(b);
        }
        blocks
    }

    fn regex_findings(&mut self, c: &Cond) {
        match c {
            Cond::Matches { field, pattern } if field.value != Field::Team => {
                for (needle, why) in [("\\z", "`\\z`"), ("(?U", "the `U` flag"), ("\\<", "`\\<`"), ("\\>", "`\\>`"), ("\\b{", "`\\b{…}`")] {
                    if pattern.value.contains(needle) {
                        self.warn(
                            pattern.span,
                            format!("`matches {:?}`: Grafana OnCall searches with Python's `regex` module, which reads {why} differently", pattern.value),
                            "exported unchanged; rewrite the pattern without it".into(),
                        );
                        break;
                    }
                }
            }
            Cond::Not(x) => self.regex_findings(x),
            Cond::And(xs) | Cond::Or(xs) => {
                for x in xs {
                    self.regex_findings(x);
                }
            }
            _ => {}
        }
    }

    fn org_findings(&mut self) {
        let m = self.m;
        let Some(span) = m.org.span else { return };
        if let Some(d) = m.org.dedup {
            self.warn(
                span,
                format!("`dedup within {}`: Grafana OnCall groups alerts with the same grouping key as long as their alert group is open, with no time window", fmt_secs(d)),
                "exported as the integration's grouping key (service and fingerprint, else summary)".into(),
            );
        }
        if let Some(d) = m.org.auto_resolve {
            self.warn(
                span,
                format!("`auto-resolve {}`: Grafana OnCall has no resolution after a fixed time", fmt_secs(d)),
                "not exported: incidents stay open until resolved".into(),
            );
        }
    }
}

/// The days of each `(start, end)` time range of a layer's windows.
type Ranges = BTreeMap<(u16, u16), [bool; 7]>;

fn only_span(o: &WindowsOrHours) -> Option<Span> {
    match o {
        WindowsOrHours::Windows(ws) => ws.first().map(|w| w.span),
        WindowsOrHours::Hours(id) => Some(id.span),
    }
}

fn shift_block(sh: &Shift, res: &str) -> Block {
    let mut b = Block::new(format!("resource \"grafana_oncall_on_call_shift\" \"{res}\""))
        .attr("name", Val::Str(sh.name.clone()))
        .attr("type", Val::Str(sh.kind.into()))
        .attr("start", Val::Str(sh.start.clone()))
        .attr("duration", Val::Expr(sh.duration.to_string()));
    if let (Some(t), false) = (sh.turn, sh.kind == "single_event") {
        b.push("frequency", Val::Str(t.frequency().into()));
        b.push("interval", Val::Expr(t.interval().to_string()));
    }
    if !sh.by_day.is_empty() {
        let days: Vec<String> = sh.by_day.iter().map(|d| format!("\"{d}\"")).collect();
        b.push("by_day", list(&days));
    }
    if let Some(w) = sh.week_start {
        b.push("week_start", Val::Str(w.into()));
    }
    if sh.kind == "rolling_users" {
        let groups: Vec<String> = sh.rolling.iter().map(|u| format!("[{u}]")).collect();
        b.push("rolling_users", list(&groups));
        if let Some(i) = sh.start_index {
            b.push("start_rotation_from_user_index", Val::Expr(i.to_string()));
        }
    } else {
        b.push("users", list(&sh.users));
    }
    b.push("level", Val::Expr(sh.level.to_string()));
    b.push("time_zone", Val::Str(sh.time_zone.clone()));
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::testing::load;

    fn main_tf(src: &str) -> (String, Vec<String>) {
        let ws = load(src);
        let e = export(&ws.model);
        let text = String::from_utf8(e.tree.get("main.tf").cloned().unwrap_or_default()).unwrap_or_default();
        (text, e.findings.iter().map(|f| f.message.clone()).collect())
    }

    fn at(date: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(date, "%Y-%m-%d %H:%M").expect("datetime")
    }

    const WEEKDAYS: [bool; 7] = [true, true, true, true, true, false, false];

    #[test]
    fn names_are_sanitized_and_collisions_numbered() {
        assert_eq!(sanitize("payments-critical"), "payments_critical");
        assert_eq!(sanitize("sre-primary/apac 08:00-16:00"), "sre_primary_apac_08_00_16_00");
        assert_eq!(sanitize("9lives"), "r_9lives");
        assert_eq!(sanitize("Ünïcode"), "_n_code");
        assert_eq!(sanitize(""), "r_");
        let mut n = Names::default();
        assert_eq!(n.alloc("a-b"), "a_b");
        assert_eq!(n.alloc("a_b"), "a_b_2");
        assert_eq!(n.alloc("a.b"), "a_b_3");
        assert_eq!(n.alloc("a_b_2"), "a_b_2_2");
        assert_eq!(n.alloc("c"), "c");
    }

    #[test]
    fn waits_are_clamped_to_grafanas_range() {
        let cases = [(1, 60), (30, 60), (60, 60), (61, 61), (600, 600), (86_400, 86_400), (86_401, 86_400), (172_800, 86_400)];
        for (d, w) in cases {
            assert_eq!(wait_secs(d), w, "{d}");
        }
        assert_eq!(fmt_secs(90), "1m30s");
        assert_eq!(fmt_secs(3600), "1h");
        assert_eq!(fmt_secs(172_800), "2d");
        assert_eq!(fmt_secs(0), "0s");
    }

    #[test]
    fn every_rotations_map_to_whole_days_weeks_or_hours() {
        assert_eq!(every_turn(604_800), (Turn::Weekly(1), false));
        assert_eq!(every_turn(2 * 604_800), (Turn::Weekly(2), false));
        assert_eq!(every_turn(3 * 86_400), (Turn::Daily(3), false));
        assert_eq!(every_turn(12 * 3600), (Turn::Hourly(12), true));
        assert_eq!(every_turn(90 * 60), (Turn::Hourly(2), true));
        assert_eq!(every_turn(60), (Turn::Hourly(1), true));
    }

    #[test]
    fn plain_rotations_become_rolling_shifts() {
        let (tf, findings) = main_tf(
            "person a { email \"a@x\" }\nperson b { email \"b@x\" }\n\
             schedule s { tz \"America/New_York\"\n layer rota { rotation weekly from 2026-01-05 09:00  members a, b }\n\
             layer day { rotation daily from 2026-01-05 21:00  members b }\n override a from 2026-03-01 00:00 to 2026-03-02 00:00 }\n\
             policy p { tier t { notify schedule s } }\n",
        );
        assert!(findings.is_empty(), "{findings:?}");
        assert!(tf.contains(
            "resource \"grafana_oncall_on_call_shift\" \"s_rota\" {\n  name          = \"s/rota\"\n  type          = \"rolling_users\"\n  \
             start         = \"2026-01-05T09:00:00\"\n  duration      = 604800\n  frequency     = \"weekly\"\n  interval      = 1\n  \
             rolling_users = [[data.grafana_oncall_user.a.id], [data.grafana_oncall_user.b.id]]\n  level         = 0\n  \
             time_zone     = \"America/New_York\"\n}\n"
        ), "{tf}");
        assert!(tf.contains("name          = \"s/day\"") && tf.contains("frequency     = \"daily\"") && tf.contains("level         = 1"), "{tf}");
        // the override: one UTC event above both layers (midnight EST = 05:00 UTC)
        assert!(tf.contains("type      = \"single_event\"\n  start     = \"2026-03-01T05:00:00\"\n  duration  = 86400\n"), "{tf}");
        assert!(tf.contains("level     = 2\n  time_zone = \"UTC\""), "{tf}");
        assert!(tf.contains("shifts    = [grafana_oncall_on_call_shift.s_rota.id, grafana_oncall_on_call_shift.s_day.id, grafana_oncall_on_call_shift.s_override_1.id]"), "{tf}");
    }

    #[test]
    fn only_windows_become_restricted_shifts() {
        // weekly turns on Monday 09:00, windows Monday to Friday 09:00-17:00
        let w = window_shift(true, at("2026-01-05 09:00"), &WEEKDAYS, 540, 1020, 4).expect("shift");
        assert_eq!((fmt_local(w.start).as_str(), w.duration_min, w.week_start, w.start_index, w.exact), ("2026-01-05T09:00:00", 480, Some("MO"), 0, true));
        assert_eq!(w.by_day, vec!["MO", "TU", "WE", "TH", "FR"]);
        // handoff Monday 16:00, daily windows 08:00-16:00: Monday's window
        // still belongs to the previous turn, so Grafana's weeks start on Tuesday
        let w = window_shift(true, at("2026-01-05 16:00"), &[true; 7], 480, 960, 2).expect("shift");
        assert_eq!((fmt_local(w.start).as_str(), w.week_start, w.start_index, w.exact), ("2026-01-06T08:00:00", Some("TU"), 0, true));
        // a window across the handoff cannot be split between two people
        let w = window_shift(true, at("2026-01-05 09:00"), &[true; 7], 480, 600, 2).expect("shift");
        assert!(!w.exact);
        // a night window wrapping midnight stays inside the daily turn from 20:00
        let w = window_shift(false, at("2026-01-05 20:00"), &[true; 7], 1320, 360, 3).expect("shift");
        assert_eq!((fmt_local(w.start).as_str(), w.duration_min, w.week_start, w.start_index, w.exact), ("2026-01-05T22:00:00", 480, None, 0, true));
        // daily turns from Saturday, weekday windows: Monday is turn 2
        let w = window_shift(false, at("2026-01-03 09:00"), &WEEKDAYS, 540, 1020, 3).expect("shift");
        assert_eq!((fmt_local(w.start).as_str(), w.start_index, w.exact), ("2026-01-05T09:00:00", 2, true));
        // … but six members cannot rotate over five weekdays day by day in Grafana
        let w = window_shift(false, at("2026-01-03 09:00"), &WEEKDAYS, 540, 1020, 6).expect("shift");
        assert!(!w.exact);
        assert!(window_shift(true, at("2026-01-05 09:00"), &[false; 7], 540, 1020, 2).is_none());
    }

    #[test]
    fn layers_with_windows_in_another_zone_or_with_holidays_are_w0900() {
        let src = "person a { email \"a@x\" }\nperson b { email \"b@x\" }\ncalendar hol { 2026-12-25 }\n\
                   hours berlin { tz \"Europe/Berlin\"  mon-fri 09:00-17:00 }\n\
                   hours office { tz \"UTC\"  mon-fri 09:00-17:00  except hol }\n\
                   schedule s { tz \"UTC\"\n layer base { rotation weekly from 2026-01-05 08:00  members a, b }\n\
                   layer emea { rotation weekly from 2026-01-05 08:00  members a, b  only berlin }\n\
                   layer office { rotation weekly from 2026-01-05 09:00  members b, a  only office }\n\
                   layer inline { rotation weekly from 2026-01-05 09:00  members a, b  only mon-fri 09:00-12:00, sat-sun 10:00-12:00 } }\n\
                   policy p { tier t { notify schedule s } }\n";
        let (tf, findings) = main_tf(src);
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert!(findings[0].contains("turns in UTC but its `only` windows are in Europe/Berlin"), "{findings:?}");
        assert!(findings[1].contains("leaves out the days of `hol`"), "{findings:?}");
        assert!(tf.contains("name                           = \"s/emea\""), "{tf}");
        assert!(tf.contains("time_zone                      = \"Europe/Berlin\""), "{tf}");
        // two time ranges: two shifts
        assert!(tf.contains("\"s/inline 09:00-12:00\"") && tf.contains("\"s/inline 10:00-12:00\""), "{tf}");
        assert!(tf.contains("by_day                         = [\"SA\", \"SU\"]"), "{tf}");
    }

    #[test]
    fn rounds_are_written_out_below_five_and_repeat_escalation_from_five() {
        let people = "person a { email \"a@x\" }\n";
        let (tf, findings) = main_tf(&format!("{people}policy p {{ tier t {{ notify person a  escalate after 5m }}\n repeat 2 }}\n"));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(tf.matches("type                = \"notify_persons\"").count(), 3, "{tf}");
        assert_eq!(tf.matches("duration            = 300").count(), 3, "{tf}");
        assert!(tf.contains("# round 3 of 3, tier `t`") && !tf.contains("repeat_escalation"), "{tf}");

        let (tf, findings) = main_tf(&format!("{people}policy p {{ tier t {{ notify person a  escalate after 5m }}\n repeat 5 }}\n"));
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(tf.matches("type                = \"notify_persons\"").count(), 1, "{tf}");
        assert!(tf.contains("position            = 2\n  type                = \"repeat_escalation\"\n}"), "{tf}");

        let (tf, findings) = main_tf(&format!("{people}policy p {{ tier t {{ notify person a  escalate after 5m }}\n repeat 7 }}\n"));
        assert_eq!(findings, vec!["policy `p` repeats 7 times; Grafana OnCall's `repeat_escalation` repeats a chain at most 5 times"]);
        assert!(tf.contains("\"repeat_escalation\""), "{tf}");
    }

    #[test]
    fn tiers_map_to_notify_and_wait_steps() {
        let src = "person a { email \"a@x\" }\nperson b { email \"b@x\"  phone \"1\" }\nperson c { sms \"2\" }\n\
                   team t { members a, b  lead c }\n\
                   schedule s { layer l { members a } }\n\
                   policy q { tier x { notify person b } }\n\
                   policy p { tier one { notify schedule s, person a\n notify lead t via phone, sms\n notify team t\n escalate after 10s }\n\
                   tier two { checkpoint \"call legal\"  handoff policy q } }\n";
        let (tf, findings) = main_tf(src);
        assert!(findings.iter().any(|f| f.starts_with("person `c` has no `email`")), "{findings:?}");
        assert!(findings.iter().any(|f| f.contains("`escalate after 10s`; a Grafana OnCall wait step lasts 60 s to 86400 s")), "{findings:?}");
        assert!(findings.iter().any(|f| f.contains("`via phone, sms`")), "{findings:?}");
        assert!(findings.iter().any(|f| f.contains("no manual confirmation step")), "{findings:?}");
        assert!(findings.iter().any(|f| f.contains("`handoff policy q`")), "{findings:?}");
        let chain_p = &tf[tf.find("resource \"grafana_oncall_escalation_chain\" \"p\"").expect("chain p")..];
        let steps: Vec<&str> = chain_p.lines().filter(|l| l.starts_with("  type ")).map(|l| l.rsplit('"').nth(1).unwrap_or("")).collect();
        assert_eq!(steps[..6], ["notify_on_call_from_schedule", "notify_persons", "notify_persons", "notify_team_members", "wait", "notify_persons"]);
        assert!(chain_p.contains("important                    = true") || chain_p.contains("important           = true"), "{chain_p}");
        assert!(tf.contains("data \"grafana_oncall_team\" \"t\" {\n  name = \"t\"\n}"), "{tf}");
        assert!(tf.contains("username = \"c\""), "{tf}");
        assert!(tf.contains("# checkpoint \"call legal\" (not exported)"), "{tf}");
        assert!(tf.contains("# handoff to `q`: its steps follow"), "{tf}");
        // a one-member layer without rotation covers for ever: a weekly UTC event
        assert!(tf.contains("type      = \"recurrent_event\"\n  start     = \"2020-01-06T00:00:00\"\n  duration  = 604800"), "{tf}");
    }

    #[test]
    fn jinja_and_hcl_strings_escape_quotes_and_template_sequences() {
        assert_eq!(jinja_string(r#"say "hi" \d"#), r#""say \"hi\" \\d""#);
        assert_eq!(jinja_string("a\nb\u{1}"), r#""a\nb\u0001""#);
        assert_eq!(jinja_string("é"), "\"é\"");
        assert_eq!(hcl_string(r#"{{ payload.get("x") }}"#), r#""{{ payload.get(\"x\") }}""#);
        assert_eq!(hcl_string("${var} %{if} \\"), r#""$${var} %%{if} \\""#);
        assert_eq!(hcl_template_escape("{%- if x %}{% endif -%}"), "{%- if x %}{% endif -%}");
    }

    fn template(src: &str, route: usize) -> String {
        let ws = load(src);
        let m = &ws.model;
        let sets: Vec<&Route> = m.routes[..route].iter().filter(|r| r.cont.is_some() && r.to.is_none() && !r.sets.is_empty()).collect();
        RouteTemplate::new(m).render(m.routes[route].when.as_ref().map(|w| &w.value), None, &sets)
    }

    const ROUTING: &str = "org o { severities sev1 \"P1\" \"critical\", sev2, sev3 }\nperson a { email \"a@x\" }\nteam t { members a }\n\
                           policy p { tier x { notify person a } }\nservice api { owner t  policy p  labels region \"eu\" }\n\
                           service web { owner t }\nhours biz { tz \"America/New_York\"  mon-fri 09:00-17:00 }\n";

    #[test]
    fn conditions_become_jinja_expressions() {
        let t = template(&format!("{ROUTING}routes {{ route r {{ when summary == \"say \\\"hi\\\"\" and severity >= sev2  to policy p }} }}\n"), 0);
        assert!(t.contains(r#"summary == "say \"hi\"""#), "{t}");
        assert!(t.contains(r#"sev in ["sev1", "sev2"]"#), "{t}");
        assert!(t.contains(r#"{%- set sev = {"sev1": "sev1", "sev2": "sev2", "sev3": "sev3", "p1": "sev1", "critical": "sev1"}.get((payload.get("severity") or "") | string | lower, "") -%}"#), "{t}");
        assert!(t.ends_with(r#"{{ "true" if (summary == "say \"hi\"" and sev in ["sev1", "sev2"]) else "false" }}"#), "{t}");

        let t = template(&format!("{ROUTING}routes {{ route r {{ when team == \"t\" and labels.region != \"us\" or source matches \"^k8s\"  to policy p }} }}\n"), 0);
        assert!(t.contains(r#"{%- set label_region = labels.get("region", {"api": "eu"}.get(service)) -%}"#), "{t}");
        assert!(t.contains(r#"((service in ["api", "web"] and label_region != "us") or (source | regex_search("^k8s")))"#), "{t}");

        let t = template(&format!("{ROUTING}routes {{ route r {{ when within biz or outside fri 22:00-06:00  to policy p }} }}\n"), 0);
        assert!(t.contains(r#"{%- set now_america_new_york = time() | datetimeformat_as_timezone("%w %H:%M %Y-%m-%d", "America/New_York") -%}"#), "{t}");
        assert!(t.contains(r#"(now_america_new_york[0] in "12345" and now_america_new_york[2:7] >= "09:00" and now_america_new_york[2:7] < "17:00")"#), "{t}");
        assert!(t.contains(r#"not ((now_utc[0] in "5" and now_utc[2:7] >= "22:00") or (now_utc[0] in "6" and now_utc[2:7] < "06:00"))"#), "{t}");
    }

    #[test]
    fn sets_of_earlier_continue_routes_are_replayed() {
        let src = format!(
            "{ROUTING}routes {{\n route up {{ when labels.vip == \"yes\"  set severity sev1  set labels.seg \"vip\"  continue }}\n\
             route other {{ when source == \"x\"  set labels.unrelated \"1\"  continue }}\n\
             route major {{ when severity == sev1 and labels.seg == \"vip\"  to policy p }}\n}}\n"
        );
        let t = template(&src, 2);
        assert!(t.contains("{#- set by route up (continue) -#}"), "{t}");
        assert!(t.contains(r#"{%- if label_vip == "yes" %}{% set sev = "sev1" %}{% set label_seg = "vip" %}{% endif -%}"#), "{t}");
        assert!(!t.contains("other"), "a set nobody reads is left out: {t}");
        assert!(t.ends_with(r#"{{ "true" if (sev == "sev1" and label_seg == "vip") else "false" }}"#), "{t}");
    }

    #[test]
    fn routes_keep_their_order_and_fall_back_to_default_policies() {
        let src = format!(
            "{ROUTING}routes {{\n route noise {{ when labels.env == \"staging\"  suppress }}\n\
             route stop {{ when source == \"cron\"  also person a }}\n route all {{ to policy p }}\n}}\n"
        );
        let (tf, findings) = main_tf(&src);
        assert_eq!(findings, vec!["route `stop`: `also` pages in parallel with the policy; a Grafana OnCall route pages through its escalation chain only"]);
        let order: Vec<&str> = tf.lines().filter_map(|l| l.strip_prefix("resource \"grafana_oncall_route\" \"")).map(|l| l.trim_end_matches("\" {")).collect();
        assert_eq!(order, ["noise", "stop_p", "stop_unrouted", "all", "default_p"]);
        assert!(tf.contains("escalation_chain_id = grafana_oncall_escalation_chain.suppressed.id"), "{tf}");
        assert!(tf.contains(r#"{{ "true" if (source == "cron" and service in ["api"]) else "false" }}"#), "{tf}");
        assert!(tf.contains("default_route {\n    escalation_chain_id = grafana_oncall_escalation_chain.unrouted.id\n  }"), "{tf}");
    }
}
