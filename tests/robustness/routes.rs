//! The route evaluator (`RouteTable::evaluate`) against a direct reading of
//! SPEC §3.8: random route lists with random conditions, evaluated for
//! random alerts at random instants, one table and one scratch per case so
//! the per-week caches of `within` are reused across alerts. The people,
//! policies and services every case shares are parsed once; each case
//! parses only its own `hours` and `routes`.

use super::cond::{self, Alert, SvcInfo, Vocab, Window, World, C, LABEL_KEYS, STRINGS};
use escalade::sim::event::AlertEvent;
use escalade::sim::route_eval::{RouteOutcome, RouteTable};
use escalade::checks::registry::is_model_error;
use escalade::diag::Finding;
use escalade::model::{Model, ParsedFile};
use escalade::syntax::ast::FileAst;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeMap;

const SEVERITIES: [&str; 4] = ["crit", "major", "minor", "info"];
/// the offset of the org zone (`Etc/GMT-3` in the prelude): UTC+3 all year
const ORG_OFFSET: i64 = 3 * 3600;
/// the zones of `hours h0` and `hours h1`, both without DST
const HOURS_TZ: [(&str, i64); 2] = [("UTC", 0), ("Asia/Kolkata", 19_800)];
const SERVICES: [&str; 4] = ["api", "web", "db", "ghost"];
const POLICIES: [&str; 3] = ["p0", "p1", "p2"];
/// what a timeline may say as a severity: names in any case, aliases,
/// nothing known
const SEVERITY_TEXTS: &[&str] = &["crit", "CRIT", "Major", "minor", "info", "P1", "critical", "p2", "bogus", ""];

#[derive(Debug, Clone)]
enum Set {
    Severity(usize),
    Label(&'static str, &'static str),
}

#[derive(Debug, Clone)]
enum Action {
    To(usize),
    Suppress,
    Nothing,
}

#[derive(Debug, Clone)]
struct Route {
    when: Option<C>,
    sets: Vec<Set>,
    action: Action,
    cont: bool,
}

#[derive(Debug, Clone)]
struct TextAlert {
    alert: Alert,
    severity_text: Option<&'static str>,
}

fn vocab() -> Vocab {
    Vocab {
        severities: SEVERITIES.iter().map(|s| s.to_string()).collect(),
        hours: 2,
        services: SERVICES.to_vec(),
        teams: vec!["t0", "t1", "nobody"],
    }
}

fn route() -> impl Strategy<Value = Route> {
    let set = prop_oneof![(0..SEVERITIES.len()).prop_map(Set::Severity), (select(LABEL_KEYS), select(STRINGS)).prop_map(|(k, v)| Set::Label(k, v))];
    (
        proptest::option::weighted(0.85, cond::cond(&vocab(), 4, 16)),
        proptest::collection::vec(set, 0..3),
        prop_oneof![3 => (0..POLICIES.len()).prop_map(Action::To), 1 => Just(Action::Suppress), 2 => Just(Action::Nothing)],
        any::<bool>(),
    )
        .prop_map(|(when, sets, action, cont)| {
            // `suppress` with `continue` is E0001
            let cont = cont && !matches!(action, Action::Suppress);
            Route { when, sets, action, cont }
        })
}

fn alert() -> impl Strategy<Value = TextAlert> {
    (
        select(&SERVICES[..]),
        proptest::option::weighted(0.8, select(SEVERITY_TEXTS)),
        proptest::option::of(select(STRINGS)),
        proptest::option::of(select(STRINGS)),
        proptest::collection::btree_map(select(LABEL_KEYS).prop_map(String::from), select(STRINGS).prop_map(String::from), 0..3),
        // 2026, to the second
        1_767_225_600i64..1_798_761_600,
    )
        .prop_map(|(service, severity_text, summary, source, labels, at)| TextAlert {
            alert: Alert { service, summary, source, labels, at },
            severity_text,
        })
}

fn services() -> BTreeMap<&'static str, SvcInfo> {
    let mut m = BTreeMap::new();
    m.insert("api", SvcInfo { owner: Some("t0"), labels: vec![("region", "eu"), ("env", "prod"), ("region", "us")] });
    m.insert("web", SvcInfo { owner: Some("t1"), labels: vec![("app.kubernetes.io/name", "web")] });
    m.insert("db", SvcInfo { owner: Some("t0"), labels: vec![] });
    m
}

/// The services' default policies.
fn service_policy(s: &str) -> Option<usize> {
    match s {
        "api" => Some(2),
        "db" => Some(1),
        _ => None,
    }
}

/// The declarations every case shares, parsed once.
const PRELUDE: &str = concat!(
    "org o { tz \"Etc/GMT-3\" severities crit \"P1\" \"critical\", major \"P2\", minor, info }\n",
    "person a { email \"a@example.com\" }\n",
    "team t0 { members a }\nteam t1 { members a }\n",
    "policy p0 { tier one { notify person a } }\n",
    "policy p1 { tier one { notify person a } }\n",
    "policy p2 { tier one { notify person a } }\n",
    "service api { owner t0 policy p2 labels region \"eu\", env \"prod\", region \"us\" }\n",
    "service web { owner t1 labels \"app.kubernetes.io/name\" \"web\" }\n",
    "service db { owner t0 policy p1 }\n",
);

fn prelude() -> &'static FileAst {
    static AST: std::sync::OnceLock<FileAst> = std::sync::OnceLock::new();
    AST.get_or_init(|| {
        let (ast, findings) = escalade::syntax::parse_file(0, PRELUDE);
        assert!(findings.is_empty(), "{findings:#?}");
        ast
    })
}

/// The case's own file: its `hours` (zones fixed, windows random) and
/// its routes.
fn case_text(hours: &[Vec<Window>], routes: &[Route]) -> String {
    let sevs: Vec<String> = SEVERITIES.iter().map(|s| s.to_string()).collect();
    let mut s = String::new();
    for (i, ws) in hours.iter().enumerate() {
        let mut toks = Vec::new();
        cond::window_tokens(ws, &mut toks);
        s.push_str(&format!("hours h{i} {{ tz \"{}\" {} }}\n", HOURS_TZ[i].0, toks.join(" ")));
    }
    s.push_str("routes {\n");
    for (i, r) in routes.iter().enumerate() {
        let mut toks = vec![format!("route r{i} {{")];
        if let Some(c) = &r.when {
            toks.push("when".into());
            cond::tokens(c, &sevs, &mut toks);
        }
        for set in &r.sets {
            match set {
                Set::Severity(x) => toks.push(format!("set severity {}", SEVERITIES[*x])),
                Set::Label(k, v) => {
                    let mut c = Vec::new();
                    // the condition renderer knows how to write a label key
                    cond::tokens(&C::Cmp(cond::Field::Label(k.to_string()), cond::Op::Eq, cond::Val::Str(v)), &sevs, &mut c);
                    toks.push(format!("set {} {}", c[0], c[2]));
                }
            }
        }
        match r.action {
            Action::To(p) => toks.push(format!("to policy {}", POLICIES[p])),
            Action::Suppress => toks.push("suppress".into()),
            Action::Nothing => {}
        }
        if r.cont {
            toks.push("continue".into());
        }
        toks.push("}".into());
        s.push_str(&toks.join(" "));
        s.push('\n');
    }
    s.push_str("}\n");
    s
}

/// The model of the prelude and the case's file, with the syntax and model
/// findings.
fn model(text: &str) -> (Model, Vec<Finding>) {
    let (ast, mut findings) = escalade::syntax::parse_file(1, text);
    let files = [ParsedFile { file: 0, ast: prelude().clone() }, ParsedFile { file: 1, ast }];
    let (m, more) = escalade::model::build(&files);
    findings.extend(more);
    (m, findings)
}

/// SPEC §3.1: names case-insensitively, then aliases.
fn read_severity(text: &str) -> Option<usize> {
    let aliases: [&[&str]; 4] = [&["P1", "critical"], &["P2"], &[], &[]];
    SEVERITIES
        .iter()
        .position(|s| s.eq_ignore_ascii_case(text))
        .or_else(|| aliases.iter().position(|a| a.iter().any(|x| x.eq_ignore_ascii_case(text))))
}

/// What the routes decide, by SPEC §3.8 "Evaluation" and "Fallback".
#[derive(Debug, PartialEq)]
struct Expected {
    matched: Vec<u32>,
    decided_by: Option<u32>,
    policy: Option<usize>,
    fallback: bool,
    suppressed_by: Option<u32>,
    severity: Option<usize>,
    labels: Vec<(String, Option<String>)>,
}

fn reference(routes: &[Route], a: &Alert, sev: Option<usize>, w: &World) -> Expected {
    let mut e = Expected { matched: vec![], decided_by: None, policy: None, fallback: false, suppressed_by: None, severity: sev, labels: vec![] };
    let mut sets: Vec<(String, String)> = Vec::new();
    for (i, r) in routes.iter().enumerate() {
        let i = i as u32;
        if let Some(c) = &r.when {
            if !cond::eval(c, a, e.severity, w, &sets) {
                continue;
            }
        }
        e.matched.push(i);
        for s in &r.sets {
            match s {
                Set::Severity(x) => e.severity = Some(*x),
                Set::Label(k, v) => sets.push((k.to_string(), v.to_string())),
            }
        }
        match r.action {
            Action::Suppress => {
                if e.decided_by.is_none() {
                    e.suppressed_by = Some(i);
                }
                break;
            }
            Action::To(p) if e.decided_by.is_none() => {
                e.decided_by = Some(i);
                e.policy = Some(p);
            }
            _ => {}
        }
        if !r.cont {
            break;
        }
    }
    if e.suppressed_by.is_none() && e.decided_by.is_none() {
        e.policy = service_policy(a.service);
        e.fallback = e.policy.is_some();
    }
    let svcs = w.services;
    for k in LABEL_KEYS {
        let v = sets
            .iter()
            .rev()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .or_else(|| a.labels.get(*k).cloned())
            .or_else(|| svcs.get(a.service).and_then(|s| s.labels.iter().rev().find(|(x, _)| x == k)).map(|(_, v)| v.to_string()));
        e.labels.push((k.to_string(), v));
    }
    e
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10_000, ..ProptestConfig::default() })]

    /// The compiled evaluator and the direct reading agree on every field
    /// of the outcome, for every alert of the case.
    #[test]
    fn route_evaluation_agrees_with_a_direct_reading(
        hours in proptest::collection::vec(cond::windows(), 2..=2),
        routes in proptest::collection::vec(route(), 1..5),
        alerts in proptest::collection::vec(alert(), 1..12),
    ) {
        let text = case_text(&hours, &routes);
        let (m, findings) = model(&text);
        prop_assert!(!findings.iter().any(|f| is_model_error(f.code)), "{}\n{:#?}", text, findings);
        let m = &m;
        let table = RouteTable::new(m);
        let mut scratch = table.scratch();
        let mut out = RouteOutcome::default();
        let svcs = services();
        let hours_at: Vec<(i64, Vec<Window>)> = hours.iter().enumerate().map(|(i, w)| (HOURS_TZ[i].1, w.clone())).collect();
        let world = World { services: &svcs, hours: &hours_at, org_offset: ORG_OFFSET };
        for ta in &alerts {
            let rank = ta.severity_text.and_then(|t| m.read_severity(t));
            prop_assert_eq!(rank, ta.severity_text.and_then(read_severity), "severity {:?}", ta.severity_text);
            let a = &ta.alert;
            let ev = AlertEvent {
                id: "A1".into(),
                service: a.service.into(),
                severity: ta.severity_text.map(String::from),
                summary: a.summary.map(String::from),
                source: a.source.map(String::from),
                labels: a.labels.clone().into(),
                fingerprint: None,
            };
            table.evaluate(m, &ev, rank, a.at, &mut scratch, &mut out);
            let want = reference(&routes, a, rank, &world);
            let got = Expected {
                matched: out.matched.clone(),
                decided_by: out.decided_by,
                policy: out.policy.map(|p| POLICIES.iter().position(|x| *x == m.policies[p].name.name).unwrap_or(usize::MAX)),
                fallback: out.fallback,
                suppressed_by: out.suppressed_by,
                severity: out.severity,
                labels: LABEL_KEYS.iter().map(|k| (k.to_string(), table.final_label(&out, &ev, k).map(String::from))).collect(),
            };
            prop_assert_eq!(got, want, "alert {:?} at {}\n{}", ta, a.at, text);
        }
    }
}
