//! Grammar-shaped workspaces: every kind of declaration of SPEC §3, with
//! names that resolve, statements in random order and random whitespace
//! and comments between tokens, then (usually) a few token- or byte-level
//! mutations. Unmutated, a workspace must load without a syntax or model
//! error; mutated, whatever it yields must be located.

use super::cond::{self, quote, Vocab, STRINGS};
use proptest::prelude::*;
use proptest::sample::{select, Index};

pub type Toks = Vec<String>;

/// How many of each kind a workspace declares; names are `p0`, `t0`, …
#[derive(Debug, Clone)]
pub struct Names {
    org: bool,
    sevs: Vec<String>,
    persons: usize,
    teams: usize,
    calendars: usize,
    hours: usize,
    schedules: usize,
    policies: usize,
    services: usize,
    routes: Option<usize>,
    drills: usize,
}

const CUSTOM_SEVERITIES: [&str; 5] = ["critical", "high", "medium", "low", "info"];
const ZONES: &[&str] = &["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Etc/GMT-2", "Australia/Lord_Howe"];
const DURATIONS: &[&str] = &["30s", "5m", "10m", "1h", "1h30m", "2d", "1w", "1w2d3h4m5s"];
const HORIZONS: &[&str] = &["1w", "4w", "8w", "30d", "52w"];
const DATES: &[&str] = &["2026-01-05", "2026-11-26", "2026-12-25", "2027-02-28", "2028-02-29", "2026-03-29"];
/// increasing instants, far enough apart that any zone keeps their order
const DATETIMES: &[&str] = &[
    "2025-12-29 00:00",
    "2026-01-05 09:00",
    "2026-01-07T09:00:00Z",
    "2026-03-29 02:30",
    "2026-06-01T12:00+02:00",
    "2026-11-01 01:30",
    "2027-01-05t09:00:00.5z",
    "2027-03-01\t08:15",
];
const ADDRESSES: &[&str] = &["a@example.com", "+15550100", "@alice", "", "ü@例え.jp"];
const CHANNELS: &[&str] = &["email", "sms", "phone", "chat", "push"];
const CONTACTS: &[&str] = &["email", "sms", "phone", "chat"];

/// Separators between tokens inside a declaration.
const SEPS: &[&str] = &[" ", " ", " ", "  ", "\n", "\n  ", "\t", " # note {\n", "\r\n", "\n\n    "];

/// 0 mostly, sometimes 1, rarely 2: the kinds that other declarations
/// may do without.
fn few() -> impl Strategy<Value = usize> {
    prop_oneof![6 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)]
}

fn names() -> impl Strategy<Value = Names> {
    (
        (any::<bool>(), 2usize..6, any::<bool>()),
        (1usize..3, 1usize..2, few(), few(), few()),
        (1usize..3, 1usize..3, proptest::option::weighted(0.5, 0usize..3), few()),
    )
        .prop_map(|((org, nsev, custom), (persons, teams, calendars, hours, schedules), (policies, services, routes, drills))| {
            let sevs = if !org {
                (1..=5).map(|i| format!("sev{i}")).collect()
            } else if custom {
                CUSTOM_SEVERITIES[..nsev].iter().map(|s| s.to_string()).collect()
            } else {
                (1..=nsev).map(|i| format!("sev{i}")).collect()
            };
            Names { org, sevs, persons, teams, calendars, hours, schedules, policies, services, routes, drills }
        })
}

/// A vector strategy with a seed drawn beside it, mapped to a permutation.
type Permuted<S, T> = proptest::strategy::Map<(S, proptest::num::u64::Any), fn((Vec<T>, u64)) -> Vec<T>>;

/// `.prop_perm()`: the vector in an order chosen by a seed.
trait Perm<T: std::fmt::Debug>: Strategy<Value = Vec<T>> + Sized {
    fn prop_perm(self) -> Permuted<Self, T> {
        (self, any::<u64>()).prop_map(|(v, seed)| permute(v, seed | 1))
    }
}

impl<T: std::fmt::Debug, S: Strategy<Value = Vec<T>>> Perm<T> for S {}

fn toks(words: &[&str]) -> Toks {
    words.iter().map(|w| w.to_string()).collect()
}

/// `a , b , c`
fn list(items: impl IntoIterator<Item = String>) -> Toks {
    let mut out = Vec::new();
    for (i, x) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(",".into());
        }
        out.push(x);
    }
    out
}

fn block(head: Toks, stmts: Vec<Toks>) -> Toks {
    let mut out = head;
    out.push("{".into());
    out.extend(stmts.into_iter().flatten());
    out.push("}".into());
    out
}

/// A permutation by a seed (Fisher–Yates over xorshift): cheaper than a
/// shuffling strategy, and the order needs no shrinking.
fn permute<T>(mut v: Vec<T>, mut seed: u64) -> Vec<T> {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
    v
}

/// Statements of a block in random order.
fn shuffled(s: impl Strategy<Value = Vec<Option<Toks>>>) -> impl Strategy<Value = Vec<Toks>> {
    (s, any::<u64>()).prop_map(|(v, seed)| permute(v.into_iter().flatten().collect(), seed | 1))
}

fn opt<T: std::fmt::Debug + 'static>(s: impl Strategy<Value = T> + 'static) -> BoxedStrategy<Option<T>> {
    proptest::option::of(s).boxed()
}

fn string() -> BoxedStrategy<String> {
    select(STRINGS).prop_map(quote).boxed()
}

fn tz() -> impl Strategy<Value = Toks> {
    select(ZONES).prop_map(|z| vec!["tz".into(), quote(z)])
}

fn windows() -> impl Strategy<Value = Toks> {
    cond::windows().prop_map(|ws| {
        let mut t = Vec::new();
        cond::window_tokens(&ws, &mut t);
        t
    })
}

/// Distinct indices, in their first order.
fn distinct(n: usize, len: std::ops::Range<usize>) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..n, len).prop_map(|v| {
        let mut out: Vec<usize> = Vec::new();
        for x in v {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        out
    })
}

fn names_of(prefix: &'static str, idx: Vec<usize>) -> impl Iterator<Item = String> {
    idx.into_iter().map(move |i| format!("{prefix}{i}"))
}

/// Two increasing datetimes.
fn span_pair() -> impl Strategy<Value = (&'static str, &'static str)> {
    (0..DATETIMES.len() - 1, 1..DATETIMES.len()).prop_map(|(a, b)| {
        let b = if b <= a { a + 1 } else { b };
        (DATETIMES[a], DATETIMES[b])
    })
}

/// `WINDOWS [except CAL, …]` or an `hours` name.
fn hours_or_windows(n: &Names, allow_except: bool) -> BoxedStrategy<Toks> {
    let cals = n.calendars;
    let w = (windows(), distinct(cals.max(1), 0..if allow_except && cals > 0 { 3 } else { 1 })).prop_map(|(mut w, ex)| {
        if !ex.is_empty() {
            w.push("except".into());
            w.extend(list(names_of("c", ex)));
        }
        w
    });
    if n.hours > 0 {
        prop_oneof![w, (0..n.hours).prop_map(|i| vec![format!("h{i}")])].boxed()
    } else {
        w.boxed()
    }
}

fn org(n: &Names) -> BoxedStrategy<Toks> {
    let sevs = n.sevs.clone();
    let sev_stmt = proptest::collection::vec(0usize..3, sevs.len()).prop_map(move |aliases| {
        let mut t = vec!["severities".to_string()];
        t.extend(list(sevs.iter().zip(aliases).map(|(s, k)| {
            let mut item = s.clone();
            for j in 0..k {
                item.push(' ');
                item.push_str(&quote(&format!("{} alias {j}", s.to_uppercase())));
            }
            item
        })));
        t
    });
    shuffled((
        opt(tz()),
        sev_stmt.prop_map(Some),
        opt(prop_oneof![Just("0s"), select(DURATIONS)].prop_map(|d| toks(&["dedup", "within", d]))),
        opt(select(DURATIONS).prop_map(|d| toks(&["auto-resolve", d]))),
        opt(select(HORIZONS).prop_map(|d| toks(&["horizon", d]))),
    )
        .prop_map(|(a, b, c, d, e)| vec![a, b, c, d, e]))
    .prop_map(|stmts| block(toks(&["org", "acme"]), stmts))
    .boxed()
}

fn person(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let works = hours_or_windows(n, true).prop_map(|w| {
        let mut t = vec!["works".to_string()];
        t.extend(w);
        t
    });
    (
        opt(string().prop_map(|s| vec!["name".into(), s])),
        opt(tz()),
        proptest::collection::vec((select(CONTACTS), select(ADDRESSES)).prop_map(|(k, a)| vec![k.to_string(), quote(a)]), 0..3),
        any::<bool>(),
        proptest::collection::vec(works, 0..2),
    )
        .prop_map(|(name, tz, contacts, push, works)| {
            let mut v = vec![name, tz];
            v.extend(contacts.into_iter().map(Some));
            v.push(push.then(|| toks(&["push"])));
            v.extend(works.into_iter().map(Some));
            v
        })
        .prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_perm()
        .prop_map(move |stmts| block(vec!["person".into(), format!("p{i}")], stmts))
        .boxed()
}

fn team(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let np = n.persons;
    shuffled((distinct(np, 1..4), opt(0..np)).prop_map(|(members, lead)| {
        let mut m = vec!["members".to_string()];
        m.extend(list(names_of("p", members)));
        vec![Some(m), lead.map(|l| vec!["lead".into(), format!("p{l}")])]
    }))
    .prop_map(move |stmts| block(vec!["team".into(), format!("t{i}")], stmts))
    .boxed()
}

fn calendar(i: usize) -> BoxedStrategy<Toks> {
    (proptest::collection::vec((select(DATES), any::<bool>()), 0..4), any::<bool>())
        .prop_map(move |(dates, trailing)| {
            let mut body = Vec::new();
            let last = dates.len();
            for (k, (d, comma)) in dates.into_iter().enumerate() {
                body.push(d.to_string());
                // commas or line breaks separate dates; a trailing comma
                // may come right before `}`
                if (k + 1 < last && comma) || (k + 1 == last && trailing) {
                    body.push(",".into());
                }
            }
            block(vec!["calendar".into(), format!("c{i}")], vec![body])
        })
        .boxed()
}

fn hours(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let cals = n.calendars;
    shuffled(
        (opt(tz()), proptest::collection::vec(windows(), 1..3), opt(distinct(cals.max(1), 1..3)).prop_map(move |e| e.filter(|_| cals > 0))).prop_map(
            |(tz, ws, except)| {
                let mut v = vec![tz];
                v.extend(ws.into_iter().map(Some));
                v.push(except.map(|e| {
                    let mut t = vec!["except".to_string()];
                    t.extend(list(names_of("c", e)));
                    t
                }));
                v
            },
        ),
    )
    .prop_map(move |stmts| block(vec!["hours".into(), format!("h{i}")], stmts))
    .boxed()
}

/// The statements of a layer.
fn layer(n: &Names) -> BoxedStrategy<Vec<Toks>> {
    let rotation = (
        prop_oneof![Just(toks(&["daily"])), Just(toks(&["weekly"])), select(&["1m", "12h", "1d", "1w", "90m"][..]).prop_map(|d| toks(&["every", d]))],
        span_pair(),
        any::<bool>(),
    )
        .prop_map(|(kind, (from, until), has_until)| {
            let mut t = vec!["rotation".to_string()];
            t.extend(kind);
            t.extend(toks(&["from", from]));
            if has_until {
                t.extend(toks(&["until", until]));
            }
            t
        });
    let only = hours_or_windows(n, false).prop_map(|w| {
        let mut t = vec!["only".to_string()];
        t.extend(w);
        t
    });
    (distinct(n.persons, 1..4), rotation, 0..3usize, span_pair(), proptest::collection::vec(only, 0..2))
        .prop_map(|(members, rotation, shape, (from, until), only)| {
            let mut m = vec!["members".to_string()];
            let one = members.len() == 1;
            m.extend(list(names_of("p", members)));
            let mut v = vec![Some(m)];
            // several members need a rotation; one may have a span or nothing
            v.push(match (one, shape) {
                (true, 1) => Some(toks(&["from", from, "until", until])),
                (true, 2) => None,
                _ => Some(rotation),
            });
            v.extend(only.into_iter().map(Some));
            v
        })
        .prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_perm()
        .boxed()
}

fn schedule(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let np = n.persons;
    let over = (opt(0..np), span_pair()).prop_map(|(p, (a, b))| {
        let who = p.map_or("nobody".to_string(), |p| format!("p{p}"));
        vec!["override".into(), who, "from".into(), a.into(), "to".into(), b.into()]
    });
    (opt(tz()), proptest::collection::vec(layer(n), 1..3), proptest::collection::vec(over, 0..2))
        .prop_map(move |(tz, layers, overs)| {
            let mut v: Vec<Toks> = tz.into_iter().collect();
            v.extend(layers.into_iter().enumerate().map(|(j, l)| block(vec!["layer".into(), format!("l{j}")], l)));
            v.extend(overs);
            block(vec!["schedule".into(), format!("s{i}")], v)
        })
        .boxed()
}

fn target(n: &Names) -> BoxedStrategy<Toks> {
    let (np, nt, ns) = (n.persons, n.teams, n.schedules);
    let mut kinds: Vec<BoxedStrategy<Toks>> = vec![
        (0..np).prop_map(|i| vec!["person".into(), format!("p{i}")]).boxed(),
        (0..nt).prop_map(|i| vec!["team".into(), format!("t{i}")]).boxed(),
        (0..nt).prop_map(|i| vec!["lead".into(), format!("t{i}")]).boxed(),
    ];
    if ns > 0 {
        kinds.push((0..ns).prop_map(|i| vec!["schedule".into(), format!("s{i}")]).boxed());
    }
    proptest::strategy::Union::new(kinds).boxed()
}

/// `KEYWORD TARGET, … [via CHANNEL, …]`
fn notify(kw: &'static str, n: &Names) -> BoxedStrategy<Toks> {
    (proptest::collection::vec(target(n), 1..3), opt(distinct(CHANNELS.len(), 1..3)))
        .prop_map(move |(targets, via)| {
            let mut t = vec![kw.to_string()];
            for (k, x) in targets.into_iter().enumerate() {
                if k > 0 {
                    t.push(",".into());
                }
                t.extend(x);
            }
            if let Some(v) = via {
                t.push("via".into());
                t.extend(list(v.into_iter().map(|c| CHANNELS[c].to_string())));
            }
            t
        })
        .boxed()
}

/// The statements of a tier: a notify tier or a handoff tier.
fn tier(n: &Names) -> BoxedStrategy<Vec<Toks>> {
    let effects = (opt(string().prop_map(|s| vec!["open".into(), "channel".into(), s])), opt(string().prop_map(|s| vec!["checkpoint".into(), s])));
    let notify_tier = (
        proptest::collection::vec(notify("notify", n), 0..3),
        opt(select(DURATIONS).prop_map(|d| toks(&["renotify", "every", d]))),
        opt(select(DURATIONS).prop_map(|d| toks(&["escalate", "after", d]))),
        effects.clone(),
    )
        .prop_map(|(notifies, ren, esc, (ch, cp))| {
            let mut v: Vec<Option<Toks>> = notifies.into_iter().map(Some).collect();
            v.extend([ren, esc, ch, cp]);
            v
        });
    let handoff_tier = ((0..n.policies).prop_map(|p| vec!["handoff".into(), "policy".into(), format!("pol{p}")]), effects)
        .prop_map(|(h, (ch, cp))| vec![Some(h), ch, cp]);
    shuffled(prop_oneof![4 => notify_tier, 1 => handoff_tier]).boxed()
}

fn policy(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    (proptest::collection::vec(tier(n), 1..3), opt(0u32..=100), opt((select(DURATIONS), any::<Index>())))
        .prop_map(|(tiers, repeat, unresolved)| {
            let nt = tiers.len();
            let mut v: Vec<Option<Toks>> = tiers.into_iter().enumerate().map(|(j, t)| Some(block(vec!["tier".into(), format!("tier{j}")], t))).collect();
            v.push(repeat.map(|r| vec!["repeat".into(), r.to_string()]));
            v.push(unresolved.map(|(d, t)| {
                vec!["unresolved".into(), "after".into(), d.into(), "escalate".into(), "to".into(), format!("tier{}", t.index(nt))]
            }));
            v
        })
        .prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_perm()
        .prop_map(move |stmts| block(vec!["policy".into(), format!("pol{i}")], stmts))
        .boxed()
}

fn label_pairs() -> impl Strategy<Value = Toks> {
    proptest::collection::vec((select(cond::LABEL_KEYS), select(STRINGS)), 1..4).prop_map(|pairs| {
        let mut t = Vec::new();
        for (k, (key, v)) in pairs.into_iter().enumerate() {
            if k > 0 {
                t.push(",".into());
            }
            let bare = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            t.push(if bare { key.to_string() } else { quote(key) });
            t.push(quote(v));
        }
        t
    })
}

fn service(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let sevs = n.sevs.clone();
    let ack_sla = (distinct(sevs.len(), 1..3), select(DURATIONS)).prop_map(move |(s, d)| {
        let mut t = vec!["ack-sla".to_string()];
        t.extend(list(s.into_iter().map(|k| format!("{} {d}", sevs[k]))));
        t
    });
    shuffled(
        (
            proptest::option::weighted(0.9, 0..n.teams),
            opt(0..n.policies),
            opt(ack_sla),
            opt(distinct(n.services, 1..3)),
            opt(label_pairs()),
            opt(select(&["low", "medium", "high"][..])),
        )
            .prop_map(|(owner, policy, sla, deps, labels, risk)| {
                vec![
                    owner.map(|t| vec!["owner".into(), format!("t{t}")]),
                    policy.map(|p| vec!["policy".into(), format!("pol{p}")]),
                    sla,
                    deps.map(|d| {
                        let mut t = vec!["depends-on".to_string()];
                        t.extend(list(names_of("sv", d)));
                        t
                    }),
                    labels.map(|l| {
                        let mut t = vec!["labels".to_string()];
                        t.extend(l);
                        t
                    }),
                    risk.map(|r| toks(&["risk", r])),
                ]
            }),
    )
    .prop_map(move |stmts| block(vec!["service".into(), format!("sv{i}")], stmts))
    .boxed()
}

fn vocab(n: &Names) -> Vocab {
    // service and team strings of conditions: declared ones and one that
    // is not (W0103, a warning)
    let services: Vec<&'static str> = ["sv0", "sv1", "sv2", "ghost"][..n.services.min(3)].iter().copied().chain(["ghost"]).collect();
    let teams: Vec<&'static str> = ["t0", "t1"][..n.teams.min(2)].to_vec();
    Vocab { severities: n.sevs.clone(), hours: n.hours, services, teams }
}

fn route(j: usize, n: &Names) -> BoxedStrategy<Toks> {
    let sevs = n.sevs.clone();
    let sevs2 = n.sevs.clone();
    let set = prop_oneof![
        (0..sevs.len()).prop_map(move |s| vec!["set".into(), "severity".into(), sevs[s].clone()]),
        (select(cond::LABEL_KEYS), select(STRINGS)).prop_map(move |(k, v)| {
            let mut c = Vec::new();
            cond::tokens(&cond::C::Cmp(cond::Field::Label(k.into()), cond::Op::Eq, cond::Val::Str(v)), &sevs2, &mut c);
            vec!["set".into(), c[0].clone(), c[2].clone()]
        }),
    ];
    let sevs = n.sevs.clone();
    let when = cond::cond(&vocab(n), 3, 8).prop_map(move |c| {
        let mut t = vec!["when".to_string()];
        cond::tokens(&c, &sevs, &mut t);
        t
    });
    (
        opt(when),
        proptest::collection::vec(set, 0..3),
        proptest::collection::vec(notify("also", n), 0..2),
        prop_oneof![(0..n.policies).prop_map(|p| Some(vec!["to".into(), "policy".into(), format!("pol{p}")])), Just(Some(toks(&["suppress"]))), Just(None)],
        any::<bool>(),
    )
        .prop_map(|(when, sets, also, action, cont)| {
            let suppress = action.as_ref().is_some_and(|a| a[0] == "suppress");
            let mut v = vec![when, action, (cont && !suppress).then(|| toks(&["continue"]))];
            v.extend(sets.into_iter().map(Some));
            v.extend(also.into_iter().map(Some));
            v
        })
        .prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_perm()
        .prop_map(move |stmts| block(vec!["route".into(), format!("r{j}")], stmts))
        .boxed()
}

fn routes(count: usize, n: &Names) -> BoxedStrategy<Toks> {
    let rs: Vec<BoxedStrategy<Toks>> = (0..count).map(|j| route(j, n)).collect();
    rs.prop_map(|rs| block(toks(&["routes"]), rs)).boxed()
}

fn alert_fields(n: &Names) -> BoxedStrategy<Toks> {
    let sevs = n.sevs.clone();
    let ns = n.services;
    (
        prop_oneof![(0..ns).prop_map(|s| format!("sv{s}")), Just(quote("ghost")), (0..ns).prop_map(|s| quote(&format!("sv{s}")))],
        opt(0..sevs.len()),
        opt(string()),
        opt(string()),
        opt(label_pairs()),
        opt(string()),
    )
        .prop_map(move |(svc, sev, summary, source, labels, fp)| {
            let mut v = vec![Some(vec!["service".into(), svc])];
            v.push(sev.map(|s| vec!["severity".into(), sevs[s].clone()]));
            v.push(summary.map(|s| vec!["summary".into(), s]));
            v.push(source.map(|s| vec!["source".into(), s]));
            v.push(labels.map(|l| {
                let mut t = vec!["labels".to_string()];
                t.extend(l);
                t
            }));
            v.push(fp.map(|s| vec!["fingerprint".into(), s]));
            v
        })
        .prop_map(|v| v.into_iter().flatten().collect::<Vec<_>>())
        .prop_perm()
        .prop_map(|fields| {
            let mut t = vec!["alert".to_string()];
            t.extend(fields.into_iter().flatten());
            t
        })
        .boxed()
}

fn expectation(n: &Names) -> BoxedStrategy<Toks> {
    let np = n.persons;
    let within = opt(select(DURATIONS)).prop_map(|d| d.map(|d| toks(&["within", d])).unwrap_or_default()).boxed();
    let person = (0..np).prop_map(|p| format!("p{p}"));
    let mut kinds: Vec<BoxedStrategy<Toks>> = vec![
        (0..n.policies).prop_map(|p| vec!["policy".into(), format!("pol{p}")]).boxed(),
        within.clone().prop_map(|w| [toks(&["tier", "tier0"]), w].concat()).boxed(),
        (0..n.policies).prop_map(|p| vec!["skipped".into(), format!("pol{p}.tier0")]).boxed(),
        (person.clone(), opt(select(CHANNELS)), within.clone())
            .prop_map(|(p, ch, w)| {
                let mut t = vec!["paged".to_string(), p];
                if let Some(c) = ch {
                    t.extend(toks(&["via", c]));
                }
                t.extend(w);
                t
            })
            .boxed(),
        person.clone().prop_map(|p| vec!["not".into(), "paged".into(), p]).boxed(),
        (person.clone(), 0u32..5).prop_map(|(p, k)| vec!["pages".into(), p, k.to_string()]).boxed(),
        (opt(person), within.clone())
            .prop_map(|(by, w)| {
                let mut t = vec!["acked".to_string()];
                if let Some(p) = by {
                    t.extend(["by".to_string(), p]);
                }
                t.extend(w);
                t
            })
            .boxed(),
        Just(toks(&["not", "acked"])).boxed(),
        within.prop_map(|w| [toks(&["escalated"]), w].concat()).boxed(),
        select(&["exhausted", "suppressed", "unrouted"][..]).prop_map(|k| toks(&[k])).boxed(),
        (0u32..4).prop_map(|k| vec!["deduplicated".into(), k.to_string()]).boxed(),
        (select(&["checkpoint", "channel"][..]), string()).prop_map(|(k, s)| vec![k.to_string(), s]).boxed(),
    ];
    if let Some(r) = n.routes.filter(|r| *r > 0) {
        kinds.push((0..r).prop_map(|r| vec!["route".into(), format!("r{r}")]).boxed());
    }
    proptest::strategy::Union::new(kinds)
        .prop_map(|e| {
            let mut t = vec!["expect".to_string()];
            t.extend(e);
            t
        })
        .boxed()
}

fn drill(i: usize, n: &Names) -> BoxedStrategy<Toks> {
    let np = n.persons;
    let responder = (0..np, opt(select(DURATIONS))).prop_map(|(p, d)| {
        let mut t = vec!["responder".to_string(), format!("p{p}")];
        match d {
            None => t.push("never".into()),
            Some(d) => t.extend(toks(&["acks", "after", d])),
        }
        t
    });
    (
        string(),
        select(DATETIMES),
        alert_fields(n),
        proptest::collection::vec((alert_fields(n), select(DURATIONS)), 0..2),
        opt(select(DURATIONS)),
        proptest::collection::vec(responder, 0..2),
        proptest::collection::vec(expectation(n), 0..3),
    )
        .prop_map(|(_, at, first, more, resolve, responders, expects)| {
            let mut v = vec![toks(&["at", at]), first];
            v.extend(more.into_iter().map(|(mut a, d)| {
                a.extend(toks(&["after", d]));
                a
            }));
            v.extend(resolve.map(|d| toks(&["resolve", "after", d])));
            v.extend(responders);
            v.extend(expects);
            v
        })
        .prop_perm()
        .prop_map(move |stmts| block(vec!["drill".into(), quote(&format!("drill {i}: {}", STRINGS[i % STRINGS.len()]))], stmts))
        .boxed()
}

/// Every declaration of a workspace, in random order.
fn declarations(n: &Names) -> BoxedStrategy<Vec<Toks>> {
    let mut ds: Vec<BoxedStrategy<Toks>> = Vec::new();
    if n.org {
        ds.push(org(n));
    }
    ds.extend((0..n.persons).map(|i| person(i, n)));
    ds.extend((0..n.teams).map(|i| team(i, n)));
    ds.extend((0..n.calendars).map(calendar));
    ds.extend((0..n.hours).map(|i| hours(i, n)));
    ds.extend((0..n.schedules).map(|i| schedule(i, n)));
    ds.extend((0..n.policies).map(|i| policy(i, n)));
    ds.extend((0..n.services).map(|i| service(i, n)));
    if let Some(r) = n.routes {
        ds.push(routes(r, n));
    }
    ds.extend((0..n.drills).map(|i| drill(i, n)));
    ds.prop_perm().boxed()
}

// ------------------------------------------------------------ mutations

#[derive(Debug, Clone)]
pub enum Mutation {
    /// (declaration, token)
    Delete(Index, Index),
    Duplicate(Index, Index),
    Swap(Index, Index),
    Replace(Index, Index, &'static str),
    Insert(Index, Index, &'static str),
    /// drop one `}` of a declaration: always a syntax error
    DropCloseBrace(Index, Index),
    /// add a `{` between two tokens: always a syntax error
    InsertOpenBrace(Index, Index),
    /// raw bytes into the rendered text of a file
    Bytes(Index, Vec<u8>),
    Truncate(Index),
}

impl Mutation {
    /// Mutations after which the workspace cannot be free of E0001.
    fn always_breaks(&self) -> bool {
        matches!(self, Mutation::DropCloseBrace(..) | Mutation::InsertOpenBrace(..))
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let soup = select(crate::TOKENS);
    prop_oneof![
        2 => (any::<Index>(), any::<Index>()).prop_map(|(d, t)| Mutation::Delete(d, t)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(d, t)| Mutation::Duplicate(d, t)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(d, t)| Mutation::Swap(d, t)),
        2 => (any::<Index>(), any::<Index>(), soup.clone()).prop_map(|(d, t, s)| Mutation::Replace(d, t, s)),
        2 => (any::<Index>(), any::<Index>(), soup).prop_map(|(d, t, s)| Mutation::Insert(d, t, s)),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(d, t)| Mutation::DropCloseBrace(d, t)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(d, t)| Mutation::InsertOpenBrace(d, t)),
        1 => (any::<Index>(), proptest::collection::vec(prop_oneof![any::<u8>(), select(b"\"#{}()[],\n\\".as_slice())], 1..4)).prop_map(|(p, b)| Mutation::Bytes(p, b)),
        1 => any::<Index>().prop_map(Mutation::Truncate),
    ]
}

/// A generated workspace: declarations as tokens, how they are split into
/// files and laid out, and the mutations to apply.
#[derive(Debug, Clone)]
pub struct Case {
    decls: Vec<Toks>,
    /// declarations before this index go to the first file, the rest to
    /// the second
    split: Index,
    two_files: bool,
    seps: Vec<usize>,
    pub mutations: Vec<Mutation>,
}

pub fn case() -> impl Strategy<Value = Case> {
    names().prop_flat_map(|n| {
        (
            declarations(&n),
            any::<Index>(),
            any::<bool>(),
            // mostly one space: layout costs parse time, not coverage
            proptest::collection::vec(prop_oneof![6 => Just(0usize), 1 => 0..SEPS.len()], 1..12),
            prop_oneof![2 => Just(vec![]), 3 => proptest::collection::vec(mutation(), 1..3)],
        )
            .prop_map(|(decls, split, two_files, seps, mutations)| Case { decls, split, two_files, seps, mutations })
    })
}

impl Case {
    /// A mutation that breaks the syntax for sure, alone.
    pub fn must_fail(&self) -> bool {
        matches!(self.mutations.as_slice(), [m] if m.always_breaks())
    }

    /// The files (path, bytes) of the case, mutations applied.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut decls = self.decls.clone();
        let mut byte_muts = Vec::new();
        for m in &self.mutations {
            if decls.is_empty() {
                break;
            }
            let pick = |d: &Index, decls: &Vec<Toks>| d.index(decls.len());
            match m {
                Mutation::Delete(d, t) => {
                    let d = pick(d, &decls);
                    if !decls[d].is_empty() {
                        let t = t.index(decls[d].len());
                        decls[d].remove(t);
                    }
                }
                Mutation::Duplicate(d, t) => {
                    let d = pick(d, &decls);
                    if !decls[d].is_empty() {
                        let t = t.index(decls[d].len());
                        let x = decls[d][t].clone();
                        decls[d].insert(t, x);
                    }
                }
                Mutation::Swap(d, t) => {
                    let d = pick(d, &decls);
                    if decls[d].len() > 1 {
                        let t = t.index(decls[d].len() - 1);
                        decls[d].swap(t, t + 1);
                    }
                }
                Mutation::Replace(d, t, s) => {
                    let d = pick(d, &decls);
                    if !decls[d].is_empty() {
                        let t = t.index(decls[d].len());
                        decls[d][t] = s.to_string();
                    }
                }
                Mutation::Insert(d, t, s) => {
                    let d = pick(d, &decls);
                    let t = t.index(decls[d].len() + 1);
                    decls[d].insert(t, s.to_string());
                }
                Mutation::DropCloseBrace(d, t) => {
                    let d = pick(d, &decls);
                    let closes: Vec<usize> = (0..decls[d].len()).filter(|&i| decls[d][i] == "}").collect();
                    if !closes.is_empty() {
                        decls[d].remove(closes[t.index(closes.len())]);
                    }
                }
                Mutation::InsertOpenBrace(d, t) => {
                    let d = pick(d, &decls);
                    // after the declaration's first token, so the `{` is
                    // never the first thing in the file
                    let len = decls[d].len();
                    let t = (1 + t.index(len.max(1))).min(len);
                    decls[d].insert(t, "{".into());
                }
                Mutation::Bytes(..) | Mutation::Truncate(..) => byte_muts.push(m.clone()),
            }
        }
        let k = if self.two_files { self.split.index(decls.len() + 1) } else { decls.len() };
        let mut files: Vec<Vec<u8>> = vec![self.render(&decls[..k])];
        if self.two_files {
            files.push(self.render(&decls[k..]));
        }
        for m in byte_muts {
            let f = files.last_mut().expect("one file at least");
            match m {
                Mutation::Bytes(p, b) => {
                    let at = p.index(f.len() + 1);
                    f.splice(at..at, b);
                }
                Mutation::Truncate(p) => {
                    let at = p.index(f.len() + 1);
                    f.truncate(at);
                }
                _ => {}
            }
        }
        files.into_iter().enumerate().map(|(i, b)| (format!("f{i}.esc"), b)).collect()
    }

    fn render(&self, decls: &[Toks]) -> Vec<u8> {
        let mut out = String::new();
        let mut k = 0;
        for d in decls {
            for (i, t) in d.iter().enumerate() {
                if i > 0 {
                    out.push_str(SEPS[self.seps[k % self.seps.len()]]);
                    k += 1;
                }
                out.push_str(t);
            }
            out.push('\n');
        }
        out.into_bytes()
    }
}
