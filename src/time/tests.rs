use super::*;
use crate::workspace::load_texts;
use proptest::prelude::*;
use std::path::PathBuf;

fn model(src: &str) -> Model {
    let ws = load_texts(PathBuf::from("."), vec![("t.esc".into(), src.as_bytes().to_vec())]);
    assert!(ws.findings.is_empty(), "{:#?}", ws.findings);
    ws.model
}

fn ts(s: &str) -> Instant {
    chrono::DateTime::parse_from_rfc3339(s).expect("rfc3339").timestamp()
}

/// Check the interval algorithm against the oracle at every segment
/// boundary, one minute either side, every minute of `extra` ranges and
/// `samples` spread evenly.
fn agree(m: &Model, s: &Schedule, a: Instant, b: Instant, extra: &[(Instant, Instant)], samples: i64) -> Result<(), String> {
    let segs = schedule_segments(m, s, a, b);
    // contiguous, covering, merged
    if segs.first().map(|x| x.start) != Some(a) || segs.last().map(|x| x.end) != Some(b) {
        return Err("segments do not cover the window".into());
    }
    for w in segs.windows(2) {
        if w[0].end != w[1].start || w[0].who == w[1].who {
            return Err(format!("bad join {:?} {:?}", w[0], w[1]));
        }
    }
    let who = |t: Instant| {
        let i = segs.partition_point(|x| x.start <= t);
        segs[i - 1].who
    };
    let mut points: Vec<Instant> = Vec::new();
    for x in &segs {
        for d in [-60, 0, 60] {
            points.push(x.start + d);
        }
    }
    for &(x, y) in extra {
        let mut t = x;
        while t < y {
            points.push(t);
            t += 60;
        }
    }
    let step = ((b - a) / samples.max(1)).max(60);
    let mut t = a;
    while t < b {
        points.push(t);
        t += step;
    }
    for t in points {
        if t < a || t >= b {
            continue;
        }
        let o = on_call_at(m, s, t);
        if who(t) != o {
            return Err(format!("at {t}: intervals say {:?}, oracle says {:?}", who(t), o));
        }
    }
    Ok(())
}

/// UTC instants where the zone's offset changes within [a, b).
fn transitions(tz: Tz, a: Instant, b: Instant) -> Vec<Instant> {
    use chrono::Offset;
    let off = |t: Instant| tz.offset_from_utc_datetime(&chrono::DateTime::from_timestamp(t, 0).unwrap_or_default().naive_utc()).fix().local_minus_utc();
    let mut out = Vec::new();
    let mut t = a;
    let mut prev = off(a);
    while t < b {
        let n = (t + 3600).min(b);
        let o = off(n);
        if o != prev {
            // bisect to the second
            let (mut lo, mut hi) = (t, n);
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                if off(mid) == prev {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
            prev = o;
        }
        t = n;
    }
    out
}

const HISTORIC: &[&str] = &["America/Sao_Paulo", "Europe/Moscow", "Asia/Tehran", "America/Havana", "Africa/Casablanca"];

const ZONES: &[&str] = &[
    "UTC", "America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata",
    "Europe/London", "America/Los_Angeles", "America/Chicago", "Pacific/Auckland", "Asia/Tokyo", "Asia/Kathmandu",
    "Australia/Lord_Howe", "America/St_Johns", "Europe/Dublin", "Africa/Casablanca", "America/Santiago",
    "Asia/Tehran", "Pacific/Chatham", "America/Havana", "Europe/Moscow", "Asia/Singapore",
];

fn window_text(d1: u8, d2: u8, s: u16, e: u16) -> String {
    const D: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let e = if e == s { (s + 60) % 1440 } else { e };
    let end = if e == 0 { "24:00".to_string() } else { format!("{:02}:{:02}", e / 60, e % 60) };
    format!("{}-{} {:02}:{:02}-{}", D[d1 as usize], D[d2 as usize], s / 60, s % 60, end)
}

prop_compose! {
    fn layer_src(i: usize, year: i32)(
        n in 1usize..4,
        kind in 0u8..3,
        every_h in 1u16..40,
        day in 1u32..28,
        hm in 0u16..1440,
        only in proptest::option::of((0u8..7, 0u8..7, 0u16..96, 0u16..96)),
        only2 in proptest::option::of((0u8..7, 0u8..7, 0u16..96, 0u16..96)),
        until in proptest::option::of(30u32..600),
    ) -> String {
        let members: Vec<String> = (0..n).map(|k| format!("p{}", (i + k) % 6)).collect();
        let rot = match kind { 0 => "daily".to_string(), 1 => "weekly".to_string(), _ => format!("every {}h{}m", every_h, hm % 60) };
        let from = format!("{year}-{:02}-{:02} {:02}:{:02}", 1 + day % 3, day, hm / 60, hm % 60);
        let mut s = format!("  layer l{i} {{\n    rotation {rot} from {from}");
        if let Some(u) = until {
            let d = chrono::NaiveDate::from_ymd_opt(year, 4, 1).unwrap_or_default() + Duration::days(i64::from(u));
            s.push_str(&format!(" until {} 12:00", d));
        }
        s.push_str(&format!("\n    members {}\n", members.join(", ")));
        for o in [only, only2].into_iter().flatten() {
            s.push_str(&format!("    only {}\n", window_text(o.0, o.1, o.2 * 15, o.3 * 15)));
        }
        s.push_str("  }\n");
        s
    }
}

fn schedule_src(year: i32, zones: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(zones),
        proptest::collection::vec(0usize..1000, 1..5),
        proptest::collection::vec((0usize..7, 0u32..700, 1u32..96), 0..3),
    )
        .prop_flat_map(move |(zone, layers, overrides)| {
            let strategies: Vec<_> = layers.iter().enumerate().map(|(i, _)| layer_src(i, year)).collect();
            (Just(zone), strategies, Just(overrides))
        })
        .prop_map(move |(zone, layers, overrides)| {
            let mut s = String::new();
            for p in 0..6 {
                s.push_str(&format!("person p{p} {{ email \"p{p}@x\" }}\n"));
            }
            s.push_str(&format!("schedule s {{\n  tz \"{zone}\"\n"));
            for l in layers {
                s.push_str(&l);
            }
            for (who, day, hours) in overrides {
                let d = chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default() + Duration::days(i64::from(day));
                let e = chrono::NaiveDateTime::new(d, NaiveTime::from_hms_opt(1, 30, 0).unwrap_or_default()) + Duration::hours(i64::from(hours));
                let name = if who == 6 { "nobody".to_string() } else { format!("p{who}") };
                s.push_str(&format!("  override {name} from {d} 01:30 to {}\n", e.format("%Y-%m-%d %H:%M")));
            }
            s.push_str("}\n");
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, .. ProptestConfig::default() })]

    /// SPEC acceptance: the interval algorithm agrees with the pointwise
    /// oracle over a two-year window, at every boundary, around every DST
    /// change minute by minute, and at evenly spread instants.
    #[test]
    fn intervals_agree_with_the_oracle(src in schedule_src(2026, ZONES)) {
        let m = model(&src);
        let s = &m.schedules[0];
        let (a, b) = (ts("2025-12-01T00:00:00Z"), ts("2027-12-01T00:00:00Z"));
        let tz = m.zone(&s.tz);
        let extra: Vec<(Instant, Instant)> = transitions(tz, a, b).into_iter().map(|t| (t - 3 * 3600, t + 3 * 3600)).collect();
        if let Err(e) = agree(&m, s, a, b, &extra, 5000) {
            return Err(TestCaseError::fail(format!("{e}\n{src}")));
        }
    }

    /// The same over 2017–2019, when America/Sao_Paulo still changed its
    /// clocks (at midnight: its spring gap swallows 00:00–01:00).
    #[test]
    fn intervals_agree_with_the_oracle_under_historic_rules(src in schedule_src(2017, HISTORIC)) {
        let m = model(&src);
        let s = &m.schedules[0];
        let (a, b) = (ts("2016-12-01T00:00:00Z"), ts("2018-12-01T00:00:00Z"));
        let tz = m.zone(&s.tz);
        let extra: Vec<(Instant, Instant)> = transitions(tz, a, b).into_iter().map(|t| (t - 3 * 3600, t + 3 * 3600)).collect();
        if let Err(e) = agree(&m, s, a, b, &extra, 5000) {
            return Err(TestCaseError::fail(format!("{e}\n{src}")));
        }
    }
}

#[test]
fn every_minute_of_two_years_for_a_dst_day_night_rotation() {
    for zone in ["America/New_York", "Europe/Berlin", "Australia/Sydney"] {
        let src = format!(
            "person a {{ email \"a@x\" }}\nperson b {{ email \"b@x\" }}\nperson c {{ email \"c@x\" }}\nschedule s {{\n  tz \"{zone}\"\n  layer day {{\n    rotation weekly from 2026-01-05 08:00\n    members a, b\n    only mon-sun 08:00-20:00\n  }}\n  layer night {{\n    rotation daily from 2026-01-05 20:00\n    members c, a\n    only mon-sun 20:00-08:00\n  }}\n  override b from 2026-03-29 01:00 to 2026-03-29 04:00\n}}\n"
        );
        let m = model(&src);
        let s = &m.schedules[0];
        let (a, b) = (ts("2026-01-01T00:00:00Z"), ts("2028-01-01T00:00:00Z"));
        let segs = schedule_segments(&m, s, a, b);
        let mut i = 0;
        let mut t = a;
        while t < b {
            while segs[i].end <= t {
                i += 1;
            }
            assert_eq!(segs[i].who, on_call_at(&m, s, t), "{zone} at {t}");
            t += 60;
        }
    }
}

#[test]
fn spec_example_nights_shift_179_is_erin() {
    let src = "person alice { email \"a@x\" }\nperson bob { email \"b@x\" }\nperson carol { email \"c@x\" }\nperson dave { phone \"d\" }\nperson erin { sms \"e\" }\nschedule payments-primary {\n  tz \"America/New_York\"\n  layer weekdays {\n    rotation weekly from 2026-01-05 09:00\n    members alice, bob, carol\n    only mon-fri 08:00-20:00\n  }\n  layer nights {\n    rotation daily from 2026-01-05 20:00\n    members dave, erin\n    only mon-sun 20:00-08:00\n  }\n  override carol from 2026-12-24 00:00 to 2026-12-27 00:00\n}\n";
    let m = model(src);
    let s = &m.schedules[0];
    let name = |w: Who| match w {
        Who::Person(p) => m.persons[p].name.name.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(name(on_call_at(&m, s, ts("2026-07-04T03:00:00Z"))), "erin");
    // Monday 2026-07-06 10:00 New York = 14:00Z: weekly shift 26 → 26 mod 3 = 2 → carol
    assert_eq!(name(on_call_at(&m, s, ts("2026-07-06T14:00:00Z"))), "carol");
    // Christmas override
    assert_eq!(name(on_call_at(&m, s, ts("2026-12-25T12:00:00Z"))), "carol");
    // before the rotations start: nobody
    assert_eq!(on_call_at(&m, s, ts("2026-01-01T12:00:00Z")), Who::Nobody);
}

/// Day/night layers restricted to 08:00–20:00 / 20:00–08:00 local across
/// the US and EU spring-forward and fall-back nights: no gap, no overlap
/// (segments are contiguous by construction) and the handoffs stay at
/// local 08:00 and 20:00.
#[test]
fn day_night_layers_across_dst_nights_have_no_gap_and_keep_local_handoffs() {
    for (zone, days) in [
        ("America/New_York", ["2026-03-08", "2026-11-01"]),
        ("Europe/Berlin", ["2026-03-29", "2026-10-25"]),
    ] {
        let src = format!(
            "person a {{ email \"a@x\" }}\nperson b {{ email \"b@x\" }}\nperson c {{ email \"c@x\" }}\nperson d {{ email \"d@x\" }}\nschedule s {{\n  tz \"{zone}\"\n  layer day {{\n    rotation daily from 2026-01-05 08:00\n    members a, b\n    only mon-sun 08:00-20:00\n  }}\n  layer night {{\n    rotation daily from 2026-01-05 20:00\n    members c, d\n    only mon-sun 20:00-08:00\n  }}\n}}\n"
        );
        let m = model(&src);
        let s = &m.schedules[0];
        let tz: Tz = zone.parse().expect("zone");
        for day in days {
            let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("date");
            let a = resolve_local(tz, at_minutes(d - Duration::days(1), 12 * 60));
            let b = resolve_local(tz, at_minutes(d + Duration::days(1), 12 * 60));
            let segs = schedule_segments(&m, s, a, b);
            assert!(segs.iter().all(|x| x.who != Who::Nobody), "{zone} {day}: gap in {segs:?}");
            for x in &segs[1..] {
                let local = tz.timestamp_opt(x.start, 0).single().expect("instant").naive_local();
                let hm = (local.hour(), local.minute());
                assert!(hm == (8, 0) || hm == (20, 0), "{zone} {day}: handoff at local {local}");
            }
            // the night shift spanning the change is 11 h or 13 h long
            let night = segs.iter().find(|x| {
                let l = tz.timestamp_opt(x.start, 0).single().expect("instant").naive_local();
                l.date() == d - Duration::days(1) && l.hour() == 20
            });
            let len = night.map(|x| x.end - x.start).unwrap_or(0);
            assert!(len == 11 * 3600 || len == 13 * 3600, "{zone} {day}: night lasts {len}s");
        }
    }
}

/// The table-driven `resolve_local` equals the direct chrono-tz reading
/// around every offset change, 2016–2028,
/// in every zone of the property tests, plus a spread of ordinary minutes.
#[test]
fn fast_local_resolution_matches_the_direct_reading() {
    let mut checked = 0;
    for zone in ZONES.iter().chain(HISTORIC) {
        let tz: Tz = zone.parse().expect("zone");
        let (a, b) = (ts("2016-01-01T00:00:00Z"), ts("2028-01-01T00:00:00Z"));
        let mut locals: Vec<NaiveDateTime> = Vec::new();
        for t in transitions(tz, a, b) {
            // wall times around the change, as written by users: every
            // fifth minute of the day and a half around it (offsets reach
            // ±14 h; gaps and overlaps last at least 30 minutes)
            let around = chrono::DateTime::from_timestamp(t, 0).expect("instant").naive_utc();
            let mut l = around - Duration::hours(18);
            while l < around + Duration::hours(18) {
                locals.push(l);
                l += Duration::minutes(5);
            }
        }
        let mut l = chrono::DateTime::from_timestamp(a, 0).expect("instant").naive_utc();
        while l.and_utc().timestamp() < b {
            locals.push(l);
            l += Duration::minutes(7919);
        }
        for l in locals {
            assert_eq!(resolve_local(tz, l), resolve_local_exact(tz, l), "{zone} {l}");
            checked += 1;
        }
    }
    assert!(checked > 50_000, "{checked}");
}

proptest! {
    /// `run_at` answers like `contains`, and its span holds that answer
    /// throughout and ends where it changes.
    #[test]
    fn run_at_is_contains_over_its_span(raw in proptest::collection::vec((0i64..500, 1i64..40), 0..8), t in -20i64..600) {
        let set = IntervalSet::from_unsorted(raw.into_iter().map(|(a, len)| (a, a + len)).collect());
        let (inside, from, until) = set.run_at(t);
        prop_assert_eq!(inside, set.contains(t));
        prop_assert!(from <= t && t < until);
        for x in from.max(-50)..until.min(650) {
            prop_assert_eq!(set.contains(x), inside, "at {} in [{}, {})", x, from, until);
        }
        if from > -50 {
            prop_assert_ne!(set.contains(from - 1), inside);
        }
        if until < 650 {
            prop_assert_ne!(set.contains(until), inside);
        }
    }
}
