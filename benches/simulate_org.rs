//! `escalade simulate` on generated organisations (1,000, 10,000 and
//! 50,000 services) and their generated timelines (100,000 and 1,000,000
//! alerts, with acknowledgements, resolutions, duplicates and staging
//! noise; benches/support/gen_org.rs), as the command line does it: the
//! JSON Lines file streamed from disk into the engine and the metrics, one
//! report. Sizes: benches/support/sizes.rs. Throughput in alerts.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use escalade::sim::simulate::{simulate, Config, Observer, Side};
use escalade::sim::timeline;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

#[path = "support/alloc.rs"]
mod alloc;

#[path = "support/gen_org.rs"]
mod gen_org;
#[path = "support/sizes.rs"]
mod sizes;

struct Count(u64);
impl Observer for Count {
    fn rejected(&mut self, _: Option<&str>, _: usize, _: &str) {
        self.0 += 1;
    }
    fn notice(&mut self, _: &str) {}
}

fn bench_simulate(c: &mut Criterion) {
    let mut g = c.benchmark_group("simulate-org");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    let dir = tempfile::tempdir().expect("a temporary directory");
    for n in sizes::services() {
        let org = gen_org::org(n, 1);
        let ws = escalade::workspace::load_texts(PathBuf::from("."), org.files.clone());
        assert!(ws.findings.is_empty());
        let m = &ws.model;
        for alerts in sizes::alerts() {
            let path = dir.path().join(format!("t-{n}-{alerts}.jsonl"));
            let lines = {
                let f = std::fs::File::create(&path).expect("the timeline file");
                let mut w = std::io::BufWriter::new(f);
                let lines = gen_org::Timeline::new(&org, alerts, 1).write_to(&mut w).expect("written");
                w.flush().expect("written");
                lines
            };
            let sides = [Side { name: "candidate".into(), model: m }];
            let cfg = Config { runs: 1, ..Config::default() };
            let run = || {
                let mut tl = timeline::open(&path, m.org.tz, 3600).expect("opens");
                let responders = tl.responders.take().unwrap_or_default();
                let mut obs = Count(0);
                let r = simulate(&sides, tl, &responders, &cfg, None, &mut obs).expect("runs");
                (r, obs.0)
            };
            let (_, rejected) = run();
            assert_eq!(rejected, 0, "the generated timeline has rejected lines");
            eprintln!("{n} services, {alerts} alerts: {lines} lines");
            g.throughput(Throughput::Elements(alerts));
            g.bench_function(BenchmarkId::new(format!("{n}-services"), alerts), |b| b.iter(run));
            let _ = std::fs::remove_file(&path);
        }
    }
    g.finish();
}

criterion_group!(benches, bench_simulate);
criterion_main!(benches);
