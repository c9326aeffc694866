//! W0901 unused-definition (warning).
//!
//! # What it finds
//! A person, team, schedule, calendar, hours or policy that nothing uses.
//! A definition is used when it can be reached from a service or a route
//! through owners, policies (`policy`, `to policy`, `handoff policy`),
//! tiers and their targets (route `also` targets too), team members and
//! leads, schedule layers and overrides, `works`, `only`,
//! `within`/`outside` and `except`. References from drills do not count,
//! and neither do references from definitions that are themselves unused.
//! Reported at the definition's name.
//!
//! # Why it matters
//! Unused definitions are usually leftovers: a person who left, a policy
//! that was replaced but not deleted, a schedule nobody pages. They make the
//! workspace harder to read and can hide mistakes.
//!
//! # Example
//! ```text
//! person old-timer { email "ot@example.com" }
//! policy legacy { tier first { notify person old-timer } }
//! ```
//! With no service or route using `legacy`, both are unused.
//!
//! # Fix
//! Delete what is no longer needed, or refer to it where it was meant to be
//! used.

use super::Ctx;
use crate::diag::Finding;
use crate::model::Model;
use crate::syntax::ast::{Cond, Ident, Notify, TargetKind, WindowsOrHours};

#[derive(Default)]
struct Used {
    persons: Vec<bool>,
    teams: Vec<bool>,
    calendars: Vec<bool>,
    hours: Vec<bool>,
    schedules: Vec<bool>,
    policies: Vec<bool>,
}

#[derive(Clone, Copy)]
enum Item {
    Person(usize),
    Team(usize),
    Calendar(usize),
    Hours(usize),
    Schedule(usize),
    Policy(usize),
}

struct Walk<'a> {
    m: &'a Model,
    used: Used,
    todo: Vec<Item>,
}

impl<'a> Walk<'a> {
    fn mark(&mut self, item: Item) {
        let slot = match item {
            Item::Person(i) => &mut self.used.persons[i],
            Item::Team(i) => &mut self.used.teams[i],
            Item::Calendar(i) => &mut self.used.calendars[i],
            Item::Hours(i) => &mut self.used.hours[i],
            Item::Schedule(i) => &mut self.used.schedules[i],
            Item::Policy(i) => &mut self.used.policies[i],
        };
        if !*slot {
            *slot = true;
            self.todo.push(item);
        }
    }
    fn person(&mut self, id: &Ident) {
        if let Some(i) = self.m.ns_person.get(&id.name) {
            self.mark(Item::Person(i));
        }
    }
    fn team(&mut self, id: &Ident) {
        if let Some(i) = self.m.ns_team.get(&id.name) {
            self.mark(Item::Team(i));
        }
    }
    fn calendar(&mut self, id: &Ident) {
        if let Some(i) = self.m.ns_calendar.get(&id.name) {
            self.mark(Item::Calendar(i));
        }
    }
    fn schedule(&mut self, id: &Ident) {
        if let Some(i) = self.m.ns_schedule.get(&id.name) {
            self.mark(Item::Schedule(i));
        }
    }
    fn policy(&mut self, id: &Ident) {
        if let Some(i) = self.m.ns_policy.get(&id.name) {
            self.mark(Item::Policy(i));
        }
    }
    fn windows(&mut self, w: &WindowsOrHours) {
        if let WindowsOrHours::Hours(id) = w {
            if let Some(i) = self.m.ns_hours.get(&id.name) {
                self.mark(Item::Hours(i));
            }
        }
    }
    fn notify(&mut self, n: &Notify) {
        for t in &n.targets {
            match t.kind {
                TargetKind::Person => self.person(&t.name),
                // `lead X` refers to team X, which then refers to its
                // members and lead.
                TargetKind::Team | TargetKind::Lead => self.team(&t.name),
                TargetKind::Schedule => self.schedule(&t.name),
            }
        }
    }
    fn cond(&mut self, c: &Cond) {
        match c {
            Cond::Within { hours, .. } | Cond::Outside { hours, .. } => self.windows(hours),
            Cond::Not(x) => self.cond(x),
            Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| self.cond(x)),
            Cond::Cmp { .. } | Cond::In { .. } | Cond::Matches { .. } => {}
        }
    }

    fn run(&mut self) {
        let m = self.m;
        // roots: services and routes
        for s in &m.services {
            if let Some(o) = &s.owner {
                self.team(o);
            }
            if let Some(p) = &s.policy {
                self.policy(p);
            }
        }
        for r in &m.routes {
            if let Some(w) = &r.when {
                self.cond(&w.value);
            }
            if let Some(p) = &r.to {
                self.policy(p);
            }
            for a in &r.also {
                self.notify(a);
            }
        }
        while let Some(item) = self.todo.pop() {
            match item {
                Item::Person(i) => {
                    for w in &m.persons[i].works {
                        self.windows(&w.when);
                        for c in &w.except {
                            self.calendar(c);
                        }
                    }
                }
                Item::Team(i) => {
                    let t = &m.teams[i];
                    for x in &t.members {
                        self.person(x);
                    }
                    if let Some(l) = &t.lead {
                        self.person(l);
                    }
                }
                Item::Calendar(_) => {}
                Item::Hours(i) => {
                    for c in &m.hours[i].except {
                        self.calendar(c);
                    }
                }
                Item::Schedule(i) => {
                    let s = &m.schedules[i];
                    for l in &s.layers {
                        for x in &l.members {
                            self.person(x);
                        }
                        for o in &l.only {
                            self.windows(o);
                        }
                    }
                    for o in &s.overrides {
                        if !o.is_nobody() {
                            self.person(&o.person);
                        }
                    }
                }
                Item::Policy(i) => {
                    for t in &m.policies[i].tiers {
                        for n in &t.notify {
                            self.notify(n);
                        }
                        if let Some(h) = &t.handoff {
                            self.policy(h);
                        }
                    }
                }
            }
        }
    }
}

fn finding(kind: &str, name: &Ident, why: &str) -> Finding {
    Finding::new("W0901", name.span, format!("{kind} `{}` is never used{why}", name.name))
        .with_label("unused")
        .with_help(format!("delete {kind} `{}`, or refer to it from something a service or route uses", name.name))
}

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    let used = Used {
        persons: vec![false; m.persons.len()],
        teams: vec![false; m.teams.len()],
        calendars: vec![false; m.calendars.len()],
        hours: vec![false; m.hours.len()],
        schedules: vec![false; m.schedules.len()],
        policies: vec![false; m.policies.len()],
    };
    let mut w = Walk { m, used, todo: Vec::new() };
    w.run();
    let u = w.used;
    let mut out = Vec::new();
    for (i, x) in m.persons.iter().enumerate() {
        if !u.persons[i] {
            out.push(finding("person", &x.name, ": no used team, schedule, policy or route names them"));
        }
    }
    for (i, x) in m.teams.iter().enumerate() {
        if !u.teams[i] {
            out.push(finding("team", &x.name, ": it owns no service and no used policy or route notifies it"));
        }
    }
    for (i, x) in m.calendars.iter().enumerate() {
        if !u.calendars[i] {
            out.push(finding("calendar", &x.name, ": no used `hours` or `works` names it in `except`"));
        }
    }
    for (i, x) in m.hours.iter().enumerate() {
        if !u.hours[i] {
            out.push(finding("hours", &x.name, ": no route condition, used `works` or used `only` names them"));
        }
    }
    for (i, x) in m.schedules.iter().enumerate() {
        if !u.schedules[i] {
            out.push(finding("schedule", &x.name, ": no used policy or route notifies it"));
        }
    }
    for (i, x) in m.policies.iter().enumerate() {
        if !u.policies[i] {
            out.push(finding("policy", &x.name, ": no service, route or used handoff leads to it"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(src: &str) -> (crate::workspace::Workspace, Vec<Finding>) {
        crate::checks::testing::findings(check, src)
    }

    /// (code, line) of every finding of this check on one file.
    fn run(src: &str) -> Vec<(&'static str, usize)> {
        crate::checks::testing::lines(check, src)
    }

    /// Names of the unused definitions.
    fn unused(src: &str) -> Vec<String> {
        let (ws, fs) = findings(src);
        fs.iter().map(|f| ws.sources.slice(f.span).to_string()).collect()
    }

    #[test]
    fn docs_example() {
        let src = "\
person ann { email \"ann@example.com\" }
person bob { email \"bob@example.com\" }
person old-timer { email \"ot@example.com\" }
team ops { members ann, bob }
policy main { tier first { notify team ops } }
policy legacy { tier first { notify person old-timer } }
service api { owner ops  policy main }
";
        assert_eq!(run(src), vec![("W0901", 3), ("W0901", 6)]);
    }

    #[test]
    fn cases() {
        let base = "person ann { email \"a@x\" }\nteam ops { members ann }\nservice api { owner ops }\n";
        let cases: &[(&str, &[&str])] = &[
            // nothing but the base: everything used
            ("", &[]),
            // handoffs carry use; unused chains are unused all the way
            (
                "policy p { tier h { handoff policy q } }\npolicy q { tier a { notify person x } }\nperson x { email \"x\" }\nroutes { route r { to policy p } }\n",
                &[],
            ),
            (
                "policy p { tier h { handoff policy q } }\npolicy q { tier a { notify person x } }\nperson x { email \"x\" }\n",
                &["x", "p", "q"],
            ),
            // schedules: layer members, overrides, `only` hours
            (
                "person x { email \"x\" }\nperson y { email \"y\" }\nhours nights { mon-sun 20:00-08:00 }\nschedule s {\n  layer l { members x  only nights }\n  override y from 2026-01-01 00:00 to 2026-01-02 00:00\n}\npolicy p { tier a { notify schedule s } }\nservice web { owner ops  policy p }\n",
                &[],
            ),
            // a lead target uses the team, and the team its members and lead
            (
                "person x { email \"x\" }\nperson boss { email \"b\" }\nteam t { members x  lead boss }\nroutes { route r { also lead t } }\n",
                &[],
            ),
            // works → hours → calendar; a person's works counts only when the person is used
            (
                "calendar hol { 2026-12-25 }\nhours biz { mon-fri 09:00-17:00  except hol }\ncalendar other { 2026-01-01 }\nperson x { email \"x\"  works biz }\nperson y { email \"y\"  works mon-fri 09:00-17:00 except other }\npolicy p { tier a { notify person x } }\nservice web { owner ops  policy p }\n",
                &["y", "other"],
            ),
            // route conditions: within / outside, nested in not/and/or
            (
                "hours biz { mon-fri 09:00-17:00 }\nhours night { mon-sun 22:00-06:00 }\nhours spare { sat 10:00-11:00 }\nroutes { route r { when severity == sev1 and not (within biz or outside night) suppress } }\n",
                &["spare"],
            ),
            // drills do not count
            (
                "person x { email \"x\" }\npolicy p { tier a { notify person x } }\ndrill \"d\" {\n  at 2026-07-04 03:00\n  alert service api severity sev1\n  expect policy p\n  expect paged x\n}\n",
                &["x", "p"],
            ),
            // a team that owns nothing and nobody notifies
            ("person x { email \"x\" }\nteam spare { members x }\n", &["x", "spare"]),
        ];
        for (src, want) in cases {
            let src = format!("{base}{src}");
            assert_eq!(unused(&src), *want, "{src}");
        }
    }

    #[test]
    fn messages_name_the_kind() {
        let (_, fs) = findings("calendar c { 2026-01-01 }\nhours h { mon 09:00-10:00 }\nschedule s { layer l { members x } }\nperson x { email \"x\" }\n");
        let msgs: Vec<&str> = fs.iter().map(|f| f.message.split(':').next().unwrap_or("")).collect();
        assert_eq!(msgs, vec!["person `x` is never used", "calendar `c` is never used", "hours `h` is never used", "schedule `s` is never used"]);
        assert!(fs.iter().all(|f| f.help.is_some()));
    }
}
