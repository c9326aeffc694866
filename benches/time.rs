//! Time-based work on generated organisations (1,000, 10,000 and 50,000
//! services; benches/support/sizes.rs): the time checks (E0202, W0203,
//! W0701 over the org horizon, four weeks) and `oncall` for every
//! schedule; plus local-time resolution, fast and exact.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use std::path::PathBuf;
use std::time::Duration;

#[path = "support/alloc.rs"]
mod alloc;

#[path = "support/gen_org.rs"]
mod gen_org;
#[path = "support/sizes.rs"]
mod sizes;

fn bench_time(c: &mut Criterion) {
    let mut g = c.benchmark_group("time");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    for n in sizes::services() {
        let ws = escalade::workspace::load_texts(PathBuf::from("."), gen_org::org(n, 1).files);
        assert!(ws.findings.is_empty());
        let model = &ws.model;
        assert!(escalade::checks::run_time(model, sizes::FROM).is_empty());
        eprintln!("{n} services: {} schedules", model.schedules.len());
        g.bench_function(BenchmarkId::new("time-checks", n), |b| b.iter(|| escalade::checks::run_time(model, sizes::FROM)));
        g.bench_function(BenchmarkId::new("oncall", n), |b| b.iter(|| escalade::oncall::on_call(model, sizes::FROM, None)));
    }
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap_or_default();
    let locals: Vec<chrono::NaiveDateTime> = (0..10_000).map(|i| start + chrono::Duration::minutes(i * 53)).collect();
    g.bench_function("resolve-local-10k-fast", |b| b.iter(|| locals.iter().map(|l| escalade::time::resolve_local(tz, *l)).sum::<i64>()));
    g.bench_function("resolve-local-10k-exact", |b| b.iter(|| locals.iter().map(|l| escalade::time::resolve_local_exact(tz, *l)).sum::<i64>()));
    g.finish();
}

criterion_group!(benches, bench_time);
criterion_main!(benches);
