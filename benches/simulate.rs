//! Simulation throughput (SPEC §5) on one core: a synthetic timeline of
//! alerts over the example org in `policies/` (see
//! benches/support/gen_timeline.rs), measured three ways — the engine
//! alone, the engine with the metrics, and the whole pipeline from JSON
//! Lines text, on one thread and with the engine on a second thread while
//! the next batch is read. Throughput is reported in alerts per second.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use escalade::sim::engine::{Compiled, Engine, EngineKind, NoAcks, NullSink, Options};
use escalade::sim::event::{Event, Rejected};
use escalade::sim::metrics::Collector;
use escalade::sim::simulate::{simulate, Config, Observer, Side};
use escalade::sim::timeline::{Format, Timeline};
use std::path::PathBuf;

#[path = "support/alloc.rs"]
mod alloc;

#[path = "support/gen_timeline.rs"]
mod gen_timeline;

struct Quiet;
impl Observer for Quiet {
    fn rejected(&mut self, _: Option<&str>, _: usize, _: &str) {}
    fn notice(&mut self, _: &str) {}
}

fn bench_simulate(c: &mut Criterion) {
    let smoke = std::env::var_os("ESCALADE_BENCH_SMOKE").is_some();
    let n: u64 = if smoke { 5_000 } else { 200_000 };
    let ws = escalade::workspace::load(&[PathBuf::from("policies")]).expect("policies/ loads");
    let m = &ws.model;
    let services: Vec<String> = m.services.iter().map(|s| s.name.name.clone()).collect();
    let text = gen_timeline::jsonl(&services, n);
    let read = |text: &str| -> Vec<Result<Event, Rejected>> {
        Timeline::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), Format::JsonLines, m.org.tz, 3600, "bench").expect("opens").collect()
    };
    let events: Vec<Event> = read(&text).into_iter().filter_map(Result::ok).collect();
    let compiled = Compiled::new(m, EngineKind::Default);
    let end = events.last().map_or(0, |e| e.at) + 86_400;

    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function(format!("engine-{n}-alerts"), |b| {
        b.iter(|| {
            let mut e = Engine::new(&compiled, Options::default(), NoAcks, NullSink);
            for ev in &events {
                let _ = e.feed(ev);
            }
            e.finish(end);
        })
    });
    g.bench_function(format!("engine-and-metrics-{n}-alerts"), |b| {
        b.iter(|| {
            let mut e = Engine::new(&compiled, Options::default(), NoAcks, Collector::new(m, false));
            for ev in &events {
                let _ = e.feed(ev);
            }
            e.finish(end);
            let (_, sink, counters) = e.into_parts();
            sink.report(&counters, 0)
        })
    });
    let cfg = Config { threads: Some(1), runs: 1, ..Config::default() };
    let sides = [Side { name: "candidate".into(), model: m }];
    let responders = Default::default();
    g.bench_function(format!("jsonl-to-report-{n}-alerts"), |b| {
        b.iter(|| {
            let tl = Timeline::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), Format::JsonLines, m.org.tz, 3600, "bench").expect("opens");
            simulate(&sides, tl, &responders, &cfg, None, &mut Quiet).expect("runs")
        })
    });
    // the same with the engine on a second thread while the next batch is
    // read (the default of `escalade simulate`): two cores, not one
    let two = Config { threads: None, runs: 1, ..Config::default() };
    g.bench_function(format!("jsonl-to-report-two-threads-{n}-alerts"), |b| {
        b.iter(|| {
            let tl = Timeline::from_reader(std::io::Cursor::new(text.as_bytes().to_vec()), Format::JsonLines, m.org.tz, 3600, "bench").expect("opens");
            simulate(&sides, tl, &responders, &two, None, &mut Quiet).expect("runs")
        })
    });
    g.bench_function(format!("jsonl-read-{n}-alerts"), |b| b.iter(|| read(&text).len()));
    g.finish();
}

criterion_group!(benches, bench_simulate);
criterion_main!(benches);
