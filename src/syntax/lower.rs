//! pest pairs → syntax tree. Reports what the grammar accepts loosely but
//! the language forbids (E0001), singletons given twice (E0101) and values
//! that are invalid on their own (E0102).

use super::ast::*;
use super::parser::{Rule, RESERVED};
use crate::diag::Finding;
use crate::source::{FileId, Span};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use pest::iterators::Pair;

/// Ten years, the longest duration the language accepts.
pub const MAX_DURATION: Secs = 10 * 365 * 86_400 + 2 * 86_400;

pub struct Lowerer<'f> {
    file: FileId,
    base: usize,
    findings: &'f mut Vec<Finding>,
}

type P<'i> = Pair<'i, Rule>;

impl<'f> Lowerer<'f> {
    pub fn new(file: FileId, base: usize, findings: &'f mut Vec<Finding>) -> Self {
        Lowerer { file, base, findings }
    }

    fn span(&self, p: &P) -> Span {
        let s = p.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    fn err(&mut self, code: &'static str, span: Span, msg: impl Into<String>, help: Option<String>) {
        let mut f = Finding::new(code, span, msg);
        if let Some(h) = help {
            f = f.with_help(h);
        }
        self.findings.push(f);
    }

    fn ident(&mut self, p: P) -> Ident {
        Ident { name: p.as_str().to_string(), span: self.span(&p) }
    }

    /// A declared name: reserved words and day ranges are not names.
    fn decl_name(&mut self, p: P) -> Ident {
        let id = self.ident(p);
        check_name(&id, self.findings);
        id
    }

    fn string(&mut self, p: P) -> Spanned<String> {
        let span = self.span(&p);
        let inner = p.into_inner().next().map(|i| i.as_str()).unwrap_or("");
        Spanned { value: unescape(inner), span }
    }

    fn duration(&mut self, p: P) -> Spanned<Secs> {
        let span = self.span(&p);
        match parse_duration(p.as_str()) {
            Ok(v) => {
                if v > MAX_DURATION {
                    self.err("E0102", span, format!("duration `{}` is over 10 years", p.as_str()), None);
                }
                Spanned { value: v, span }
            }
            // well formed, but past any integer: over 10 years (SPEC §4: an
            // integer overflow is E0102)
            Err(help) if help == DURATION_OVERFLOW => {
                self.err("E0102", span, format!("duration `{}` is over 10 years", p.as_str()), None);
                Spanned { value: MAX_DURATION + 1, span }
            }
            Err(help) => {
                self.err("E0001", span, format!("`{}` is not a duration", p.as_str()), Some(help));
                Spanned { value: 0, span }
            }
        }
    }

    fn nonzero(&mut self, d: &Spanned<Secs>, what: &str) {
        if d.value == 0 && !self.findings.iter().any(|f| f.span == d.span) {
            self.err("E0102", d.span, format!("`{what}` must not be zero"), Some("give a positive duration like `5m`".into()));
        }
    }

    fn int(&mut self, p: P, max: u64, what: &str) -> Spanned<u64> {
        let span = self.span(&p);
        match p.as_str().parse::<u64>() {
            Ok(v) if v <= max => Spanned { value: v, span },
            Ok(v) => {
                self.err("E0102", span, format!("{what} {v} is over the limit of {max}"), None);
                Spanned { value: max, span }
            }
            Err(_) => {
                self.err("E0102", span, format!("`{}` is too large a number", p.as_str()), None);
                Spanned { value: max, span }
            }
        }
    }

    fn datetime(&mut self, p: P) -> Spanned<DateTimeLit> {
        let span = self.span(&p);
        let inner = p.into_inner().next();
        let text = inner.as_ref().map(|i| i.as_str()).unwrap_or("");
        let value = match inner.as_ref().map(|i| i.as_rule()) {
            Some(Rule::rfc3339) => {
                let mut t = text.replace('t', "T").replace('z', "Z");
                // seconds are optional (SPEC §2); chrono's RFC 3339 reader
                // wants them. The grammar made the text ASCII, with the
                // minutes ending at byte 16.
                if t.len() > 16 && t.as_bytes()[16] != b':' {
                    t.insert_str(16, ":00");
                }
                chrono::DateTime::parse_from_rfc3339(&t).map(DateTimeLit::Fixed).map_err(|e| e.to_string())
            }
            _ => {
                let mut parts = text.split_whitespace();
                let d = parts.next().unwrap_or("");
                let t = parts.next().unwrap_or("");
                match (NaiveDate::parse_from_str(d, "%Y-%m-%d"), parse_clock(t)) {
                    (Ok(d), Some(m)) if m < 1440 => Ok(DateTimeLit::Local(NaiveDateTime::new(
                        d,
                        NaiveTime::from_hms_opt(u32::from(m / 60), u32::from(m % 60), 0).unwrap_or_default(),
                    ))),
                    (Err(e), _) => Err(e.to_string()),
                    _ => Err("time out of range".into()),
                }
            }
        };
        match value {
            Ok(v) => Spanned { value: v, span },
            Err(e) => {
                self.err("E0102", span, format!("`{text}` is not a valid datetime ({e})"), None);
                Spanned { value: DateTimeLit::invalid(), span }
            }
        }
    }

    fn date(&mut self, p: P) -> Spanned<NaiveDate> {
        let span = self.span(&p);
        match NaiveDate::parse_from_str(p.as_str(), "%Y-%m-%d") {
            Ok(d) => Spanned { value: d, span },
            Err(_) => {
                self.err("E0102", span, format!("`{}` is not a valid date", p.as_str()), None);
                Spanned { value: NaiveDate::default(), span }
            }
        }
    }

    fn singleton<T>(&mut self, slot: &Option<T>, span: Span, what: &str, first: Option<Span>) -> bool {
        if slot.is_some() {
            let mut f = Finding::new("E0101", span, format!("`{what}` is given twice"))
                .with_help(format!("a block holds at most one `{what}`; remove one"));
            if let Some(fs) = first {
                f = f.with_related(fs, "first given here");
            }
            self.findings.push(f);
            return false;
        }
        true
    }

    fn tz(&mut self, slot: &mut Option<Spanned<String>>, p: P) {
        let span = self.span(&p);
        let s = p.into_inner().nth(1).map(|x| self.string(x));
        if let Some(s) = s {
            if self.singleton(slot, span, "tz", slot.as_ref().map(|x| x.span)) {
                *slot = Some(s);
            }
        }
    }

    fn ref_list(&mut self, p: P) -> Vec<Ident> {
        p.into_inner().filter(|x| x.as_rule() == Rule::ref_name).map(|x| self.ident(x)).collect()
    }

    fn window(&mut self, p: P) -> Window {
        let span = self.span(&p);
        let mut days = [false; 7];
        let mut start_min = 0;
        let mut end_min = 0;
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::day_spec => {
                    let t = x.as_str();
                    let (a, b) = t.split_once('-').unwrap_or((t, t));
                    let (a, b) = (day_index(a), day_index(b));
                    let mut d = a;
                    loop {
                        days[d as usize] = true;
                        if d == b {
                            break;
                        }
                        d = (d + 1) % 7;
                    }
                }
                Rule::time_range => {
                    let xs = self.span(&x);
                    let (a, b) = x.as_str().split_once('-').unwrap_or(("", ""));
                    match (parse_clock(a), parse_clock(b)) {
                        (Some(a), Some(b)) if a < 1440 && b <= 1440 && a != b => {
                            start_min = a;
                            end_min = b;
                        }
                        (Some(a), Some(b)) if a == b && a <= 1440 => {
                            self.err("E0102", xs, format!("time range `{}` is empty", x.as_str()), Some("write `00:00-24:00` for a whole day".into()));
                            start_min = 0;
                            end_min = 1440;
                        }
                        _ => {
                            self.err(
                                "E0102",
                                xs,
                                format!("`{}` is not a valid time range", x.as_str()),
                                Some("times are HH:MM from 00:00 to 23:59; 24:00 only ends a range".into()),
                            );
                            start_min = 0;
                            end_min = 1440;
                        }
                    }
                }
                _ => {}
            }
        }
        Window { days, start_min, end_min, span }
    }

    fn windows(&mut self, p: P) -> Vec<Window> {
        p.into_inner().filter(|x| x.as_rule() == Rule::window).map(|x| self.window(x)).collect()
    }

    /// `windows | ref_name`, the first pair of a `hours_or_windows` position.
    fn windows_or_hours(&mut self, p: P) -> WindowsOrHours {
        match p.as_rule() {
            Rule::windows => WindowsOrHours::Windows(self.windows(p)),
            _ => WindowsOrHours::Hours(self.ident(p)),
        }
    }

    fn label_key(&mut self, p: P) -> Spanned<String> {
        let span = self.span(&p);
        match p.into_inner().next() {
            Some(x) if x.as_rule() == Rule::string => self.string(x),
            Some(x) => Spanned { value: x.as_str().to_string(), span },
            None => Spanned { value: String::new(), span },
        }
    }

    fn label_pair(&mut self, p: P) -> Label {
        let mut it = p.into_inner();
        let key = it.next().map(|k| self.label_key(k)).unwrap_or(Spanned { value: String::new(), span: Span::default() });
        let value = it.next().map(|v| self.string(v)).unwrap_or(Spanned { value: String::new(), span: key.span });
        Label { key, value }
    }

    fn channel(&mut self, p: P) -> Spanned<Channel> {
        let span = self.span(&p);
        let value = Channel::parse(p.as_str()).unwrap_or(Channel::Email);
        Spanned { value, span }
    }

    fn target(&mut self, p: P) -> Target {
        let span = self.span(&p);
        let mut it = p.into_inner();
        let kind = match it.next().map(|k| k.as_rule()) {
            Some(Rule::k_person) => TargetKind::Person,
            Some(Rule::k_team) => TargetKind::Team,
            Some(Rule::k_lead) => TargetKind::Lead,
            _ => TargetKind::Schedule,
        };
        let name = it.next().map(|n| self.ident(n)).unwrap_or(Ident { name: String::new(), span });
        Target { kind, name, span }
    }

    fn notify(&mut self, p: P) -> Notify {
        let span = self.span(&p);
        let mut targets = Vec::new();
        let mut via = Vec::new();
        for x in p.into_inner() {
            match x.as_rule() {
                Rule::target => targets.push(self.target(x)),
                Rule::via => {
                    for c in x.into_inner().filter(|c| c.as_rule() == Rule::channel) {
                        via.push(self.channel(c));
                    }
                }
                _ => {}
            }
        }
        Notify { targets, via, span }
    }

    // ------------------------------------------------------------ decls

    pub fn decl(&mut self, p: P) -> Option<Decl> {
        Some(match p.as_rule() {
            Rule::org_decl => Decl::Org(self.org(p)),
            Rule::person_decl => Decl::Person(self.person(p)),
            Rule::team_decl => Decl::Team(self.team(p)),
            Rule::calendar_decl => Decl::Calendar(self.calendar(p)),
            Rule::hours_decl => Decl::Hours(self.hours(p)),
            Rule::schedule_decl => Decl::Schedule(self.schedule(p)),
            Rule::policy_decl => Decl::Policy(self.policy(p)),
            Rule::service_decl => Decl::Service(self.service(p)),
            Rule::routes_decl => {
                let span = self.span(&p);
                let routes = p.into_inner().filter(|x| x.as_rule() == Rule::route).filter_map(|r| self.route(r)).collect();
                Decl::Routes(Routes { routes, span })
            }
            Rule::drill_decl => Decl::Drill(self.drill(p)),
            _ => return None,
        })
    }

    fn org(&mut self, p: P) -> Org {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut o = Org { name, tz: None, severities: None, severities_span: None, dedup: None, auto_resolve: None, horizon: None, span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::tz_stmt => self.tz(&mut o.tz, s),
                Rule::severities_stmt => {
                    let mut sevs = Vec::new();
                    for d in s.into_inner().filter(|d| d.as_rule() == Rule::sev_decl) {
                        let mut di = d.into_inner();
                        let Some(n) = di.next() else { continue };
                        let name = self.decl_name(n);
                        let aliases = di.map(|a| self.string(a)).collect();
                        sevs.push(SeverityDecl { name, aliases });
                    }
                    if self.singleton(&o.severities, ss, "severities", o.severities_span) {
                        o.severities = Some(sevs);
                        o.severities_span = Some(ss);
                    }
                }
                Rule::dedup_stmt => {
                    if let Some(d) = s.into_inner().nth(2) {
                        let d = self.duration(d);
                        if self.singleton(&o.dedup, ss, "dedup", o.dedup.as_ref().map(|x| x.span)) {
                            o.dedup = Some(d);
                        }
                    }
                }
                Rule::autoresolve_stmt => {
                    if let Some(d) = s.into_inner().nth(1) {
                        let d = self.duration(d);
                        self.nonzero(&d, "auto-resolve");
                        if self.singleton(&o.auto_resolve, ss, "auto-resolve", o.auto_resolve.as_ref().map(|x| x.span)) {
                            o.auto_resolve = Some(d);
                        }
                    }
                }
                Rule::horizon_stmt => {
                    if let Some(d) = s.into_inner().nth(1) {
                        let d = self.duration(d);
                        self.nonzero(&d, "horizon");
                        if d.value > 366 * 86_400 && d.value <= MAX_DURATION {
                            self.err("E0102", d.span, "`horizon` is over one year", Some("time-based checks look at most one year ahead".into()));
                        }
                        if self.singleton(&o.horizon, ss, "horizon", o.horizon.as_ref().map(|x| x.span)) {
                            o.horizon = Some(d);
                        }
                    }
                }
                _ => {}
            }
        }
        o
    }

    fn person(&mut self, p: P) -> Person {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        if name.name == "default" {
            self.err("E0102", name.span, "`default` is not a valid person name", Some("`default` is the fallback key of the responder model; choose another name".into()));
        }
        let mut person = Person { name, display_name: None, tz: None, contacts: vec![], works: vec![], span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::tz_stmt => self.tz(&mut person.tz, s),
                Rule::display_stmt => {
                    if let Some(v) = s.into_inner().nth(1) {
                        let v = self.string(v);
                        if self.singleton(&person.display_name, ss, "name", person.display_name.as_ref().map(|x| x.span)) {
                            person.display_name = Some(v);
                        }
                    }
                }
                Rule::contact_stmt => {
                    let mut si = s.into_inner();
                    let ch = si.next().and_then(|c| Channel::parse(c.as_str())).unwrap_or(Channel::Email);
                    let addr = si.next().map(|a| self.string(a).value);
                    person.contacts.push(Contact { channel: ch, address: addr, span: ss });
                }
                Rule::push_stmt => person.contacts.push(Contact { channel: Channel::Push, address: None, span: ss }),
                Rule::works_stmt => {
                    let mut when = WindowsOrHours::Windows(vec![]);
                    let mut except = vec![];
                    for x in s.into_inner() {
                        match x.as_rule() {
                            Rule::windows | Rule::ref_name => when = self.windows_or_hours(x),
                            Rule::except_clause => {
                                if let Some(l) = x.into_inner().nth(1) {
                                    except = self.ref_list(l);
                                }
                            }
                            _ => {}
                        }
                    }
                    person.works.push(Works { when, except, span: ss });
                }
                _ => {}
            }
        }
        person
    }

    fn team(&mut self, p: P) -> Team {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut team = Team { name, members: vec![], lead: None, span };
        let mut members_span: Option<Span> = None;
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::members_stmt => {
                    if let Some(l) = s.into_inner().nth(1) {
                        let m = self.ref_list(l);
                        if members_span.is_some() {
                            self.singleton(&members_span, ss, "members", members_span);
                        } else {
                            members_span = Some(ss);
                            team.members = m;
                        }
                    }
                }
                Rule::lead_stmt => {
                    if let Some(l) = s.into_inner().nth(1) {
                        let l = self.ident(l);
                        if self.singleton(&team.lead, ss, "lead", team.lead.as_ref().map(|x| x.span)) {
                            team.lead = Some(l);
                        }
                    }
                }
                _ => {}
            }
        }
        team
    }

    fn calendar(&mut self, p: P) -> Calendar {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let dates = it.filter(|x| x.as_rule() == Rule::date).map(|d| self.date(d)).collect();
        Calendar { name, dates, span }
    }

    fn hours(&mut self, p: P) -> Hours {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut h = Hours { name, tz: None, windows: vec![], except: vec![], span };
        for s in it {
            match s.as_rule() {
                Rule::tz_stmt => self.tz(&mut h.tz, s),
                Rule::windows_stmt => {
                    if let Some(w) = s.into_inner().next() {
                        let ws = self.windows(w);
                        h.windows.extend(ws);
                    }
                }
                Rule::except_stmt => {
                    if let Some(l) = s.into_inner().nth(1) {
                        let l = self.ref_list(l);
                        h.except.extend(l);
                    }
                }
                _ => {}
            }
        }
        h
    }

    fn schedule(&mut self, p: P) -> Schedule {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut sch = Schedule { name, tz: None, layers: vec![], overrides: vec![], span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::tz_stmt => self.tz(&mut sch.tz, s),
                Rule::layer => {
                    let l = self.layer(s);
                    if let Some(prev) = sch.layers.iter().find(|x| x.name.name == l.name.name) {
                        let f = Finding::new("E0101", l.name.span, format!("layer `{}` is defined twice in schedule `{}`", l.name.name, sch.name.name))
                            .with_related(prev.name.span, "first defined here")
                            .with_help("give each layer of a schedule its own name");
                        self.findings.push(f);
                    }
                    sch.layers.push(l);
                }
                Rule::override_stmt => {
                    let mut si = s.into_inner();
                    si.next();
                    let person = si.next().map(|x| self.ident(x)).unwrap_or(Ident { name: String::new(), span: ss });
                    si.next();
                    let from = si.next().map(|x| self.datetime(x));
                    si.next();
                    let to = si.next().map(|x| self.datetime(x));
                    if let (Some(from), Some(to)) = (from, to) {
                        // two of the same form compare here; a local time
                        // against one with an offset needs the schedule's
                        // zone, and the model compares those
                        let ends_first = match (from.value, to.value) {
                            _ if from.value.is_invalid() || to.value.is_invalid() => false,
                            (DateTimeLit::Local(a), DateTimeLit::Local(b)) => b <= a,
                            (DateTimeLit::Fixed(a), DateTimeLit::Fixed(b)) => b <= a,
                            _ => false,
                        };
                        if ends_first {
                            self.err("E0102", to.span, "override ends at or before its start", Some("the `to` datetime must come after `from`".into()));
                        }
                        sch.overrides.push(Override { person, from, to, span: ss });
                    }
                }
                _ => {}
            }
        }
        sch
    }

    fn layer(&mut self, p: P) -> Layer {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut l = Layer { name, rotation: None, from: None, until: None, members: vec![], only: vec![], span };
        let mut members_span: Option<Span> = None;
        let mut span_stmt: Option<Span> = None;
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::rotation_stmt => {
                    let mut kind = RotationKind::Daily;
                    let mut from = None;
                    let mut until = None;
                    let mut seen_from = false;
                    for x in s.into_inner() {
                        match x.as_rule() {
                            Rule::rot_kind => {
                                let mut ki = x.into_inner();
                                kind = match ki.next().map(|k| k.as_rule()) {
                                    Some(Rule::k_weekly) => RotationKind::Weekly,
                                    Some(Rule::k_every) => {
                                        let d = ki.next().map(|d| self.duration(d));
                                        let v = d.as_ref().map(|d| d.value).unwrap_or(0);
                                        if let Some(d) = &d {
                                            if d.value < 60 && !self.findings.iter().any(|f| f.span == d.span) {
                                                self.err("E0102", d.span, "`rotation every` must be at least 1m", None);
                                            }
                                        }
                                        RotationKind::Every(v.max(60))
                                    }
                                    _ => RotationKind::Daily,
                                };
                            }
                            Rule::k_from => seen_from = true,
                            Rule::datetime if seen_from && from.is_none() => from = Some(self.datetime(x)),
                            Rule::datetime => until = Some(self.datetime(x)),
                            _ => {}
                        }
                    }
                    let Some(from) = from else { continue };
                    self.check_until(&from, &until);
                    let rot = Rotation { kind, from, until, span: ss };
                    if self.singleton(&l.rotation, ss, "rotation", l.rotation.as_ref().map(|r| r.span)) {
                        l.rotation = Some(rot);
                    }
                }
                Rule::span_stmt => {
                    let mut dts = s.into_inner().filter(|x| x.as_rule() == Rule::datetime);
                    let from = dts.next().map(|x| self.datetime(x));
                    let until = dts.next().map(|x| self.datetime(x));
                    if let Some(f) = &from {
                        self.check_until(f, &until);
                    }
                    if self.singleton(&span_stmt, ss, "from", span_stmt) {
                        span_stmt = Some(ss);
                        l.from = from;
                        l.until = until;
                    }
                }
                Rule::members_stmt => {
                    if let Some(list) = s.into_inner().nth(1) {
                        let m = self.ref_list(list);
                        if self.singleton(&members_span, ss, "members", members_span) {
                            members_span = Some(ss);
                            l.members = m;
                        }
                    }
                }
                Rule::only_stmt => {
                    if let Some(x) = s.into_inner().nth(1) {
                        let w = self.windows_or_hours(x);
                        l.only.push(w);
                    }
                }
                _ => {}
            }
        }
        if l.rotation.is_none() && l.members.len() > 1 {
            self.err(
                "E0102",
                l.name.span,
                format!("layer `{}` has {} members but no `rotation`", l.name.name, l.members.len()),
                Some("add `rotation weekly from 2026-01-05 09:00` (or daily / every D)".into()),
            );
        }
        if l.rotation.is_some() && span_stmt.is_some() {
            if let Some(s) = span_stmt {
                self.err("E0001", s, "a layer with `rotation` takes its `from` in the rotation", Some("write `rotation weekly from … until …`".into()));
            }
        }
        l
    }

    fn check_until(&mut self, from: &Spanned<DateTimeLit>, until: &Option<Spanned<DateTimeLit>>) {
        if from.value.is_invalid() || until.as_ref().is_some_and(|u| u.value.is_invalid()) {
            return;
        }
        if let (DateTimeLit::Local(a), Some(Spanned { value: DateTimeLit::Local(b), span })) = (from.value, until) {
            if *b <= a {
                self.err("E0102", *span, "`until` is at or before `from`", Some("`until` must come after `from`".into()));
            }
        }
        if let (DateTimeLit::Fixed(a), Some(Spanned { value: DateTimeLit::Fixed(b), span })) = (from.value, until) {
            if *b <= a {
                self.err("E0102", *span, "`until` is at or before `from`", Some("`until` must come after `from`".into()));
            }
        }
    }

    fn policy(&mut self, p: P) -> Policy {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut pol = Policy { name, tiers: vec![], repeat: None, unresolved: None, span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::tier => {
                    let t = self.tier(s);
                    if let Some(prev) = pol.tiers.iter().find(|x| x.name.name == t.name.name) {
                        let f = Finding::new("E0101", t.name.span, format!("tier `{}` is defined twice in policy `{}`", t.name.name, pol.name.name))
                            .with_related(prev.name.span, "first defined here")
                            .with_help("give each tier of a policy its own name");
                        self.findings.push(f);
                    }
                    pol.tiers.push(t);
                }
                Rule::repeat_stmt => {
                    if let Some(n) = s.into_inner().nth(1) {
                        let n = self.int(n, 100, "`repeat`");
                        let n = Spanned { value: n.value as u32, span: n.span };
                        if self.singleton(&pol.repeat, ss, "repeat", pol.repeat.as_ref().map(|x| x.span)) {
                            pol.repeat = Some(n);
                        }
                    }
                }
                Rule::unresolved_stmt => {
                    let mut after = None;
                    let mut tier = None;
                    for x in s.into_inner() {
                        match x.as_rule() {
                            Rule::duration => after = Some(self.duration(x)),
                            Rule::ref_name => tier = Some(self.ident(x)),
                            _ => {}
                        }
                    }
                    if let (Some(after), Some(tier)) = (after, tier) {
                        self.nonzero(&after, "unresolved after");
                        if self.singleton(&pol.unresolved, ss, "unresolved", pol.unresolved.as_ref().map(|x| x.span)) {
                            pol.unresolved = Some(Unresolved { after, tier, span: ss });
                        }
                    }
                }
                _ => {}
            }
        }
        pol
    }

    fn tier(&mut self, p: P) -> Tier {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut t = Tier { name, notify: vec![], handoff: None, renotify: None, escalate_after: None, channels: vec![], checkpoints: vec![], span };
        let mut handoff_span = None;
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::notify_stmt => {
                    let n = self.notify(s);
                    t.notify.push(n);
                }
                Rule::handoff_stmt => {
                    if let Some(r) = s.into_inner().nth(2) {
                        let r = self.ident(r);
                        if self.singleton(&t.handoff, ss, "handoff", handoff_span) {
                            t.handoff = Some(r);
                            handoff_span = Some(ss);
                        }
                    }
                }
                Rule::renotify_stmt => {
                    if let Some(d) = s.into_inner().nth(2) {
                        let d = self.duration(d);
                        self.nonzero(&d, "renotify every");
                        if self.singleton(&t.renotify, ss, "renotify", t.renotify.as_ref().map(|x| x.span)) {
                            t.renotify = Some(d);
                        }
                    }
                }
                Rule::escalate_stmt => {
                    if let Some(d) = s.into_inner().nth(2) {
                        let d = self.duration(d);
                        self.nonzero(&d, "escalate after");
                        if self.singleton(&t.escalate_after, ss, "escalate after", t.escalate_after.as_ref().map(|x| x.span)) {
                            t.escalate_after = Some(d);
                        }
                    }
                }
                Rule::channel_stmt => {
                    if let Some(v) = s.into_inner().nth(2) {
                        let v = self.string(v);
                        t.channels.push(v);
                    }
                }
                Rule::checkpoint_stmt => {
                    if let Some(v) = s.into_inner().nth(1) {
                        let v = self.string(v);
                        t.checkpoints.push(v);
                    }
                }
                _ => {}
            }
        }
        if let Some(hs) = handoff_span {
            if let Some(n) = t.notify.first() {
                self.err("E0001", n.span, format!("tier `{}` has both `notify` and `handoff`", t.name.name), Some("a tier either notifies or hands off; split it into two tiers".into()));
            }
            if let Some(e) = &t.escalate_after {
                self.err("E0001", e.span, "a handoff tier takes no `escalate after`", Some("the incident continues in the other policy at once; remove `escalate after`".into()));
            }
            if let Some(r) = &t.renotify {
                self.err("E0001", r.span, "a handoff tier takes no `renotify`", Some("remove `renotify`".into()));
            }
            let _ = hs;
        }
        t
    }

    fn service(&mut self, p: P) -> Service {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n)).unwrap_or(Ident { name: String::new(), span });
        let mut svc = Service { name, owner: None, policy: None, ack_sla: vec![], depends_on: vec![], labels: vec![], risk: None, span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::owner_stmt => {
                    if let Some(r) = s.into_inner().nth(1) {
                        let r = self.ident(r);
                        if self.singleton(&svc.owner, ss, "owner", svc.owner.as_ref().map(|x| x.span)) {
                            svc.owner = Some(r);
                        }
                    }
                }
                Rule::svc_policy_stmt => {
                    if let Some(r) = s.into_inner().nth(1) {
                        let r = self.ident(r);
                        if self.singleton(&svc.policy, ss, "policy", svc.policy.as_ref().map(|x| x.span)) {
                            svc.policy = Some(r);
                        }
                    }
                }
                Rule::ack_sla_stmt => {
                    for pair in s.into_inner().filter(|x| x.as_rule() == Rule::sla_pair) {
                        let mut pi = pair.into_inner();
                        let (Some(sev), Some(d)) = (pi.next(), pi.next()) else { continue };
                        let severity = self.ident(sev);
                        let after = self.duration(d);
                        self.nonzero(&after, "ack-sla");
                        svc.ack_sla.push(AckSla { severity, after });
                    }
                }
                Rule::depends_stmt => {
                    if let Some(l) = s.into_inner().nth(1) {
                        let l = self.ref_list(l);
                        svc.depends_on.extend(l);
                    }
                }
                Rule::labels_stmt => {
                    for pair in s.into_inner().filter(|x| x.as_rule() == Rule::label_pair) {
                        let l = self.label_pair(pair);
                        svc.labels.push(l);
                    }
                }
                Rule::risk_stmt => {
                    let r = match s.clone().into_inner().nth(1).map(|x| x.as_rule()) {
                        Some(Rule::k_high) => Risk::High,
                        Some(Rule::k_medium) => Risk::Medium,
                        _ => Risk::Low,
                    };
                    if self.singleton(&svc.risk, ss, "risk", svc.risk.as_ref().map(|x| x.span)) {
                        svc.risk = Some(Spanned { value: r, span: ss });
                    }
                }
                _ => {}
            }
        }
        svc
    }

    pub fn route(&mut self, p: P) -> Option<Route> {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.decl_name(n))?;
        let mut r = Route { name, when: None, to: None, suppress: None, cont: None, sets: vec![], also: vec![], span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::when_stmt => {
                    if let Some(e) = s.into_inner().nth(1) {
                        let es = self.span(&e);
                        let c = self.expr(e);
                        if self.singleton(&r.when, ss, "when", r.when.as_ref().map(|w| w.span)) {
                            r.when = Some(Spanned { value: c, span: es });
                        }
                    }
                }
                Rule::to_stmt => {
                    if let Some(x) = s.into_inner().nth(2) {
                        let x = self.ident(x);
                        if self.singleton(&r.to, ss, "to policy", r.to.as_ref().map(|x| x.span)) {
                            r.to = Some(x);
                        }
                    }
                }
                Rule::suppress_stmt
                    if self.singleton(&r.suppress, ss, "suppress", r.suppress) => {
                        r.suppress = Some(ss);
                    }
                Rule::continue_stmt
                    if self.singleton(&r.cont, ss, "continue", r.cont) => {
                        r.cont = Some(ss);
                    }
                Rule::set_stmt => {
                    if let Some(x) = s.into_inner().nth(1) {
                        let action = match x.as_rule() {
                            Rule::set_severity => {
                                let Some(n) = x.into_inner().nth(1) else { continue };
                                SetAction::Severity(self.ident(n))
                            }
                            _ => {
                                let mut xi = x.into_inner();
                                let (Some(k), Some(v)) = (xi.next(), xi.next()) else { continue };
                                let kspan = self.span(&k);
                                let key = k.into_inner().next().map(|lk| self.label_key(lk)).unwrap_or(Spanned { value: String::new(), span: kspan });
                                let value = self.string(v);
                                SetAction::Label { key, value }
                            }
                        };
                        r.sets.push(Spanned { value: action, span: ss });
                    }
                }
                Rule::also_stmt => {
                    let n = self.notify(s);
                    r.also.push(n);
                }
                _ => {}
            }
        }
        if let (Some(_), Some(to)) = (r.suppress, &r.to) {
            self.err("E0001", to.span, format!("route `{}` has both `suppress` and `to policy`", r.name.name), Some("a route either drops an alert or sends it to a policy".into()));
        }
        if let (Some(_), Some(c)) = (r.suppress, r.cont) {
            self.err("E0001", c, format!("route `{}` has both `suppress` and `continue`", r.name.name), Some("a suppressed alert is dropped; nothing can continue after it".into()));
        }
        Some(r)
    }

    fn field(&mut self, p: P) -> Spanned<Field> {
        let span = self.span(&p);
        let value = match p.into_inner().next() {
            Some(x) => match x.as_rule() {
                Rule::k_severity => Field::Severity,
                Rule::k_service => Field::Service,
                Rule::k_summary => Field::Summary,
                Rule::k_source => Field::Source,
                Rule::k_team => Field::Team,
                _ => {
                    let k = x.into_inner().next().map(|lk| self.label_key(lk).value).unwrap_or_default();
                    Field::Label(k)
                }
            },
            None => Field::Summary,
        };
        Spanned { value, span }
    }

    fn value(&mut self, p: P) -> Value {
        let span = self.span(&p);
        match p.into_inner().next() {
            Some(x) if x.as_rule() == Rule::string => {
                let s = self.string(x);
                Value { text: s.value, quoted: true, span }
            }
            Some(x) => Value { text: x.as_str().to_string(), quoted: false, span },
            None => Value { text: String::new(), quoted: true, span },
        }
    }

    fn expr(&mut self, p: P) -> Cond {
        match p.as_rule() {
            Rule::expr => {
                let mut parts: Vec<Cond> = p.into_inner().filter(|x| x.as_rule() == Rule::and_expr).map(|x| self.expr(x)).collect();
                if parts.len() == 1 {
                    parts.pop().unwrap_or(Cond::And(vec![]))
                } else {
                    Cond::Or(parts)
                }
            }
            Rule::and_expr => {
                let mut parts: Vec<Cond> = p.into_inner().filter(|x| x.as_rule() == Rule::unary).map(|x| self.expr(x)).collect();
                if parts.len() == 1 {
                    parts.pop().unwrap_or(Cond::And(vec![]))
                } else {
                    Cond::And(parts)
                }
            }
            Rule::unary => {
                let mut nots = 0;
                let mut inner = Cond::And(vec![]);
                for x in p.into_inner() {
                    if x.as_rule() == Rule::k_not {
                        nots += 1;
                    } else {
                        inner = self.expr(x);
                    }
                }
                // `not not x` is `x`: fold the chain so that no deep tree is built
                if nots % 2 == 1 {
                    inner = Cond::Not(Box::new(inner));
                }
                inner
            }
            Rule::paren => p.into_inner().find(|x| x.as_rule() == Rule::expr).map(|x| self.expr(x)).unwrap_or(Cond::And(vec![])),
            Rule::time_cond => {
                let span = self.span(&p);
                let mut it = p.into_inner();
                let within = it.next().map(|k| k.as_rule() == Rule::k_within).unwrap_or(true);
                let hours = it.next().map(|x| self.windows_or_hours(x)).unwrap_or(WindowsOrHours::Windows(vec![]));
                if within {
                    Cond::Within { hours, span }
                } else {
                    Cond::Outside { hours, span }
                }
            }
            Rule::comparison => {
                let mut it = p.into_inner();
                let Some(f) = it.next() else { return Cond::And(vec![]) };
                let field = self.field(f);
                let Some(op) = it.next() else { return Cond::And(vec![]) };
                match op.as_rule() {
                    Rule::in_list => {
                        let values = op.into_inner().filter(|x| x.as_rule() == Rule::value).map(|x| self.value(x)).collect();
                        Cond::In { field, values }
                    }
                    Rule::matches_op => {
                        let pattern = op.into_inner().nth(1).map(|s| self.string(s)).unwrap_or(Spanned { value: String::new(), span: field.span });
                        Cond::Matches { field, pattern }
                    }
                    _ => {
                        let cmp = match op.as_str() {
                            "==" => CmpOp::Eq,
                            "!=" => CmpOp::Ne,
                            ">=" => CmpOp::Ge,
                            ">" => CmpOp::Gt,
                            "<=" => CmpOp::Le,
                            _ => CmpOp::Lt,
                        };
                        let value = it.next().map(|v| self.value(v)).unwrap_or(Value { text: String::new(), quoted: true, span: field.span });
                        Cond::Cmp { field, op: cmp, value }
                    }
                }
            }
            _ => Cond::And(vec![]),
        }
    }

    fn drill(&mut self, p: P) -> Drill {
        let span = self.span(&p);
        let mut it = p.into_inner();
        it.next();
        let name = it.next().map(|n| self.string(n)).unwrap_or(Spanned { value: String::new(), span });
        let mut d = Drill { name, at: None, alerts: vec![], resolve_after: None, responders: vec![], expects: vec![], span };
        for s in it {
            let ss = self.span(&s);
            match s.as_rule() {
                Rule::at_stmt => {
                    if let Some(x) = s.into_inner().nth(1) {
                        let x = self.datetime(x);
                        if self.singleton(&d.at, ss, "at", d.at.as_ref().map(|a| a.span)) {
                            d.at = Some(x);
                        }
                    }
                }
                Rule::alert_stmt => {
                    let mut a = DrillAlert { span: ss, ..Default::default() };
                    for x in s.into_inner() {
                        match x.as_rule() {
                            Rule::alert_field => {
                                let fs = self.span(&x);
                                let mut fi = x.into_inner();
                                let Some(k) = fi.next() else { continue };
                                let kr = k.as_rule();
                                if kr == Rule::k_labels {
                                    if !a.labels.is_empty() {
                                        self.err("E0101", fs, "`labels` is given twice in one alert", None);
                                    }
                                    for lp in fi.filter(|y| y.as_rule() == Rule::label_pair) {
                                        let l = self.label_pair(lp);
                                        a.labels.push(l);
                                    }
                                    continue;
                                }
                                let Some(v) = fi.next() else { continue };
                                let v = if v.as_rule() == Rule::string {
                                    self.string(v)
                                } else {
                                    Spanned { value: v.as_str().to_string(), span: self.span(&v) }
                                };
                                let (slot, what) = match kr {
                                    Rule::k_service => (&mut a.service, "service"),
                                    Rule::k_severity => (&mut a.severity, "severity"),
                                    Rule::k_summary => (&mut a.summary, "summary"),
                                    Rule::k_source => (&mut a.source, "source"),
                                    _ => (&mut a.fingerprint, "fingerprint"),
                                };
                                if slot.is_some() {
                                    self.findings.push(Finding::new("E0101", fs, format!("`{what}` is given twice in one alert")));
                                } else {
                                    *slot = Some(v);
                                }
                            }
                            Rule::duration => a.after = Some(self.duration(x)),
                            _ => {}
                        }
                    }
                    d.alerts.push(a);
                }
                Rule::resolve_stmt => {
                    if let Some(x) = s.into_inner().nth(2) {
                        let x = self.duration(x);
                        if self.singleton(&d.resolve_after, ss, "resolve after", d.resolve_after.as_ref().map(|r| r.span)) {
                            d.resolve_after = Some(x);
                        }
                    }
                }
                Rule::responder_stmt => {
                    let mut si = s.into_inner();
                    si.next();
                    let Some(person) = si.next().map(|x| self.ident(x)) else { continue };
                    let behaviour = match si.next().map(|x| x.as_rule()) {
                        Some(Rule::k_acks) => {
                            let dur = si.nth(1).map(|x| self.duration(x).value).unwrap_or(0);
                            ResponderBehaviour::AcksAfter(dur)
                        }
                        _ => ResponderBehaviour::Never,
                    };
                    d.responders.push(DrillResponder { person, behaviour, span: ss });
                }
                Rule::expect_stmt => {
                    if let Some(e) = s.into_inner().nth(1).and_then(|e| e.into_inner().next()) {
                        if let Some(x) = self.expectation(e) {
                            d.expects.push(Spanned { value: x, span: ss });
                        }
                    }
                }
                _ => {}
            }
        }
        d
    }

    fn within(&mut self, p: Option<P>) -> Option<Secs> {
        p.and_then(|w| w.into_inner().nth(1)).map(|x| self.duration(x).value)
    }

    fn tier_ref(&mut self, p: P) -> TierRef {
        let span = self.span(&p);
        let text = p.as_str();
        match text.split_once('.') {
            Some((a, b)) => TierRef {
                policy: Some(Ident { name: a.into(), span: Span::new(span.file, span.start as usize, span.start as usize + a.len()) }),
                tier: Ident { name: b.into(), span: Span::new(span.file, span.start as usize + a.len() + 1, span.end as usize) },
            },
            None => TierRef { policy: None, tier: Ident { name: text.into(), span } },
        }
    }

    fn expectation(&mut self, p: P) -> Option<Expect> {
        let rule = p.as_rule();
        let parts: Vec<P> = p.into_inner().collect();
        let find = |r: Rule| parts.iter().find(|x| x.as_rule() == r).cloned();
        Some(match rule {
            Rule::exp_route => Expect::Route(self.ident(find(Rule::ref_name)?)),
            Rule::exp_policy => Expect::Policy(self.ident(find(Rule::ref_name)?)),
            Rule::exp_tier => {
                let tier = self.tier_ref(find(Rule::tier_ref)?);
                Expect::Tier { tier, within: self.within(find(Rule::within_clause)) }
            }
            Rule::exp_skipped => Expect::Skipped(self.tier_ref(find(Rule::tier_ref)?)),
            Rule::exp_paged => {
                let person = self.ident(find(Rule::ref_name)?);
                let via = find(Rule::channel).map(|c| self.channel(c).value);
                Expect::Paged { person, via, within: self.within(find(Rule::within_clause)) }
            }
            Rule::exp_not_paged => Expect::NotPaged(self.ident(find(Rule::ref_name)?)),
            Rule::exp_not_acked => Expect::NotAcked,
            Rule::exp_pages => {
                let person = self.ident(find(Rule::ref_name)?);
                let count = self.int(find(Rule::int)?, u64::from(u32::MAX), "a page count").value;
                Expect::Pages { person, count }
            }
            Rule::exp_acked => {
                let by = find(Rule::ref_name).map(|x| self.ident(x));
                Expect::Acked { by, within: self.within(find(Rule::within_clause)) }
            }
            Rule::exp_escalated => Expect::Escalated { within: self.within(find(Rule::within_clause)) },
            Rule::exp_exhausted => Expect::Exhausted,
            Rule::exp_suppressed => Expect::Suppressed,
            Rule::exp_unrouted => Expect::Unrouted,
            Rule::exp_dedup => Expect::Deduplicated(self.int(find(Rule::int)?, u64::from(u32::MAX), "a count").value),
            Rule::exp_checkpoint => Expect::Checkpoint(self.string(find(Rule::string)?).value),
            Rule::exp_channel => Expect::Channel(self.string(find(Rule::string)?).value),
            _ => return None,
        })
    }
}

/// E0001 for a reserved word or a day range used as a name.
pub fn check_name(id: &Ident, findings: &mut Vec<Finding>) {
    let n = id.name.as_str();
    if RESERVED.contains(&n) {
        let what = if RESERVED[7..].contains(&n) { "a day name" } else { "a reserved word" };
        findings.push(Finding::new("E0001", id.span, format!("`{n}` is {what}, not a name")).with_help("choose another name"));
    } else if let Some((a, b)) = n.split_once('-') {
        if RESERVED[7..].contains(&a) && RESERVED[7..].contains(&b) {
            findings.push(Finding::new("E0001", id.span, format!("`{n}` is a day range, not a name")).with_help("choose another name"));
        }
    }
}

fn day_index(d: &str) -> u8 {
    match d {
        "mon" => 0,
        "tue" => 1,
        "wed" => 2,
        "thu" => 3,
        "fri" => 4,
        "sat" => 5,
        _ => 6,
    }
}

/// `HH:MM` → minutes since midnight (24:00 → 1440); None when malformed.
pub fn parse_clock(s: &str) -> Option<u16> {
    let (h, m) = s.split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// The error of [`parse_duration`] for a well-formed duration too large for
/// any integer.
pub const DURATION_OVERFLOW: &str = "the duration is too large";

/// `1h30m` → seconds. Err(help) when the token is not a duration, or
/// [`DURATION_OVERFLOW`].
pub fn parse_duration(s: &str) -> Result<Secs, String> {
    const UNITS: [(char, i64); 5] = [('w', 604_800), ('d', 86_400), ('h', 3_600), ('m', 60), ('s', 1)];
    let mut total: i64 = 0;
    let mut last_unit = -1i32;
    let mut num = String::new();
    let mut chars = s.chars().peekable();
    if s.is_empty() {
        return Err("a duration is `<number><unit>` parts like `1h30m`".into());
    }
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let mut unit = String::from(c);
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphabetic() {
                unit.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let Some(idx) = UNITS.iter().position(|(u, _)| unit.len() == 1 && unit.starts_with(*u)) else {
            let hint = match unit.as_str() {
                "min" | "mins" | "minute" | "minutes" => "write `m` for minutes: `5m`",
                "sec" | "secs" | "second" | "seconds" => "write `s` for seconds: `30s`",
                "hr" | "hrs" | "hour" | "hours" => "write `h` for hours: `2h`",
                "day" | "days" => "write `d` for days: `2d`",
                "wk" | "week" | "weeks" => "write `w` for weeks: `1w`",
                _ => "units are `w`, `d`, `h`, `m` and `s`, as in `1h30m`",
            };
            return Err(hint.into());
        };
        if num.is_empty() {
            return Err("every unit needs a number before it, as in `1h30m`".into());
        }
        if idx as i32 <= last_unit {
            return Err("write units once each, largest first: `1h30m`, not `30m1h`".into());
        }
        last_unit = idx as i32;
        let n: i64 = num.parse().map_err(|_| DURATION_OVERFLOW.to_string())?;
        total = n.checked_mul(UNITS[idx].1).and_then(|v| total.checked_add(v)).ok_or_else(|| DURATION_OVERFLOW.to_string())?;
        num.clear();
    }
    if !num.is_empty() {
        return Err(format!("`{num}` needs a unit: `{num}m`, `{num}s`, …"));
    }
    Ok(total)
}

/// Apply the string escapes `\"`, `\\`, `\n`, `\t`, `\u{XXXX}`; any other
/// backslash sequence is kept as written.
pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.peek().copied() {
            Some('"') => {
                out.push('"');
                it.next();
            }
            Some('\\') => {
                out.push('\\');
                it.next();
            }
            Some('n') => {
                out.push('\n');
                it.next();
            }
            Some('t') => {
                out.push('\t');
                it.next();
            }
            Some('u') => {
                let rest: String = it.clone().collect();
                if let Some(body) = rest.strip_prefix("u{") {
                    if let Some(end) = body.find('}') {
                        if let Some(ch) = u32::from_str_radix(&body[..end], 16).ok().and_then(char::from_u32) {
                            out.push(ch);
                            for _ in 0..end + 3 {
                                it.next();
                            }
                            continue;
                        }
                    }
                }
                out.push('\\');
            }
            _ => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("1w2d"), Ok(9 * 86400));
        assert!(parse_duration("30m1h").unwrap_err().contains("largest first"));
        assert!(parse_duration("5min").unwrap_err().contains("`m`"));
        assert!(parse_duration("5").is_err());
        assert!(parse_duration("99999999999999999999m").is_err());
    }

    #[test]
    fn escapes() {
        assert_eq!(unescape(r#"a\"b\\c\nd\te\u{41}"#), "a\"b\\c\nd\teA");
        assert_eq!(unescape(r"^\d+"), r"^\d+");
    }

    #[test]
    fn rfc3339_seconds_are_optional() {
        let ws = crate::workspace::load_texts(
            std::path::PathBuf::from("."),
            vec![(
                "t.esc".into(),
                b"person a { email \"a@x\" }\nschedule s { layer l { members a from 2026-06-01T12:00+02:00 until 2026-06-02t12:00z } }\n".to_vec(),
            )],
        );
        assert!(ws.findings.is_empty(), "{:#?}", ws.findings);
    }

    #[test]
    fn spans_end_after_they_start_in_any_form() {
        let codes = |body: &str| {
            let text = format!("person a {{ email \"a@x\" }}\nschedule s {{ tz \"Europe/Berlin\" {body} }}\n");
            let ws = crate::workspace::load_texts(std::path::PathBuf::from("."), vec![("t.esc".into(), text.into_bytes())]);
            ws.findings.iter().map(|f| (f.code, f.message.clone())).collect::<Vec<_>>()
        };
        let late = |body: &str, what: &str| {
            let c = codes(body);
            assert!(matches!(c.as_slice(), [("E0102", m)] if m.contains(what)), "{body}: {c:?}");
        };
        // 13:00+01:00 is 12:00Z: an override that ends at its start, with
        // offsets on both sides
        late("override a from 2026-06-01T12:00:00Z to 2026-06-01T13:00+01:00", "override ends");
        // a local time against one with an offset, in the schedule's zone
        // (Berlin is UTC+2 in June)
        late("override a from 2026-06-01 14:00 to 2026-06-01T12:00Z", "override ends");
        late("override a from 2026-06-01T12:00Z to 2026-06-01 13:59", "override ends");
        late("layer l { members a rotation daily from 2026-06-01 14:00 until 2026-06-01T11:59:59Z }", "`until`");
        late("layer l { members a from 2026-06-01T12:00Z until 2026-06-01 14:00 }", "`until`");
        assert!(codes("override a from 2026-06-01T12:00Z to 2026-06-01 14:01").is_empty());
        // a datetime that does not parse is one finding, not a second one
        // about the order
        for body in [
            "override a from 2026-06-01T12:00Z to 2026-02-30 14:01",
            "override a from 2026-06-01 12:00 to 2026-02-30 14:01",
            "layer l { members a from 2026-06-01T12:00Z until 2026-02-30T12:00Z }",
        ] {
            let c = codes(body);
            assert!(matches!(c.as_slice(), [("E0102", m)] if m.contains("not a valid datetime")), "{body}: {c:?}");
        }
        assert!(codes("layer l { members a from 2026-06-01 14:00 until 2026-06-01T12:00:01Z }").is_empty());
    }

    #[test]
    fn clocks() {
        assert_eq!(parse_clock("09:30"), Some(570));
        assert_eq!(parse_clock("24:00"), Some(1440));
        assert_eq!(parse_clock("24:01"), None);
        assert_eq!(parse_clock("12:60"), None);
    }
}
