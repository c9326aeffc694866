//! A profiling harness for the simulation engine: the bench timeline of
//! `benches/simulate.rs` (N alerts over `policies/`), run REPS times
//! through the engine alone (`engine`), the engine and the metrics
//! (`metrics`), the route evaluation alone (`routes`), the engine with
//! every alert's routes evaluated ahead (`pre`: `engine` minus `pre` is
//! what routing costs inside the engine, where its data is colder than in
//! `routes`' tight loop), or once with a count of trace records per alert
//! by step (`count`). It prints the throughput of the fastest repetition.
//! The hot loops are the functions `hot_*`, so an instruction count can
//! leave out the setup:
//!
//! ```text
//! cargo build --release --example prof_engine
//! valgrind --tool=callgrind --toggle-collect='prof_engine::hot_*' \
//!     target/release/examples/prof_engine 20000 engine 3
//! ```
//!
//! The total callgrind reports, divided by N × REPS, is the engine's
//! instructions per alert: repeatable, unlike wall time on a shared
//! machine. Run from the repository root.

use escalade::sim::engine::{Compiled, Engine, EngineKind, FnSink, NoAcks, NullSink, Options, TraceRecord};
use escalade::sim::event::Event;
use escalade::sim::metrics::Collector;
use escalade::sim::timeline::{Format, Timeline};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "../benches/support/alloc.rs"]
mod alloc;

#[path = "../benches/support/gen_timeline.rs"]
mod gen_timeline;

#[inline(never)]
fn hot_routes(compiled: &Compiled, events: &[Event]) -> usize {
    let mut o = Default::default();
    let mut sc = Default::default();
    let mut n = 0;
    for ev in events {
        if let escalade::sim::event::EventKind::Alert(a) = &ev.kind {
            compiled.route(a, ev.at, &mut sc, &mut o);
            n += o.matched.len();
        }
    }
    n
}

#[inline(never)]
fn hot_pre(compiled: &Compiled, events: &[Event], pre: &[Option<escalade::sim::route_eval::RouteOutcome>], end: i64) -> u64 {
    let mut e = Engine::new(compiled, Options::default(), NoAcks, NullSink);
    for (ev, o) in events.iter().zip(pre) {
        let _ = e.feed_routed(ev, o.as_ref());
    }
    e.finish(end);
    e.counters().alerts
}

#[inline(never)]
fn hot_engine(compiled: &Compiled, events: &[Event], end: i64) -> u64 {
    let mut e = Engine::new(compiled, Options::default(), NoAcks, NullSink);
    for ev in events {
        let _ = e.feed(ev);
    }
    e.finish(end);
    e.counters().alerts
}

#[inline(never)]
fn hot_metrics(compiled: &Compiled, m: &escalade::model::Model, events: &[Event], end: i64) -> usize {
    let mut e = Engine::new(compiled, Options::default(), NoAcks, Collector::new(m, false));
    for ev in events {
        let _ = e.feed(ev);
    }
    e.finish(end);
    let (_, sink, counters) = e.into_parts();
    let r = sink.report(&counters, 0);
    r.metrics.len()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(20_000);
    let which = args.next().unwrap_or_else(|| "engine".into());
    let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1);
    if !["engine", "metrics", "count", "pre", "routes"].contains(&which.as_str()) {
        eprintln!("usage: prof_engine [ALERTS] [engine|metrics|routes|pre|count] [REPS]");
        std::process::exit(2);
    }
    let ws = match escalade::workspace::load(&[PathBuf::from("policies")]) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {e} (run from the repository root)");
            std::process::exit(2);
        }
    };
    let m = &ws.model;
    let services: Vec<String> = m.services.iter().map(|s| s.name.name.clone()).collect();
    let text = gen_timeline::jsonl(&services, n);
    let events: Vec<Event> = match Timeline::from_reader(std::io::Cursor::new(text.into_bytes()), Format::JsonLines, m.org.tz, 3600, "bench") {
        Ok(t) => t.filter_map(Result::ok).collect(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let compiled = Compiled::new(m, EngineKind::Default);
    let end = events.last().map_or(0, |e| e.at) + 86_400;
    if which == "count" {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
        let mut e = Engine::new(&compiled, Options::default(), NoAcks, FnSink(|r: &TraceRecord| *counts.entry(r.step.as_str()).or_default() += 1));
        for ev in &events {
            let _ = e.feed(ev);
        }
        e.finish(end);
        drop(e);
        for (step, c) in counts {
            println!("{step}: {:.2} per alert", c as f64 / n.max(1) as f64);
        }
        return;
    }
    let pre: Vec<_> = events.iter().map(|ev| match &ev.kind {
        escalade::sim::event::EventKind::Alert(a) => {
            let mut o = Default::default();
            let mut sc = Default::default();
            compiled.route(a, ev.at, &mut sc, &mut o);
            Some(o)
        }
        _ => None,
    }).collect();
    // the fastest repetition: the least disturbed by the rest of the machine
    let mut best = f64::INFINITY;
    for _ in 0..reps {
        let t0 = std::time::Instant::now();
        if which == "routes" {
            std::hint::black_box(hot_routes(&compiled, &events));
        } else if which == "pre" {
            std::hint::black_box(hot_pre(&compiled, &events, &pre, end));
        } else if which == "engine" {
            std::hint::black_box(hot_engine(&compiled, &events, end));
        } else {
            std::hint::black_box(hot_metrics(&compiled, m, &events, end));
        }
        best = best.min(t0.elapsed().as_secs_f64());
    }
    println!("{which}: {:.0} alerts/s (fastest of {reps})", n as f64 / best);
}
