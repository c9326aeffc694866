//! Gap analysis (W0203 + E0202) of 1,000 two-layer schedules over a
//! one-year horizon, and one `oncall` answer for all of them.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;

#[path = "support/gen_org.rs"]
mod gen_org;

fn bench_time(c: &mut Criterion) {
    let smoke = std::env::var_os("ESCALADE_BENCH_SMOKE").is_some();
    let services = if smoke { 500 } else { 10_000 };
    let ws = escalade::workspace::load_texts(PathBuf::from("."), gen_org::generate(services));
    assert!(ws.findings.is_empty());
    let mut model = ws.model.clone();
    model.org.horizon = 365 * 86_400;
    let from = chrono::DateTime::parse_from_rfc3339("2026-11-09T00:00:00Z").map(|t| t.timestamp()).unwrap_or(0);
    let n = model.schedules.len();
    let mut g = c.benchmark_group("time");
    g.sample_size(10);
    g.bench_function(format!("gap-analysis-{n}-schedules-1y"), |b| b.iter(|| escalade::checks::run_time(&model, from)));
    g.bench_function(format!("oncall-{n}-schedules"), |b| b.iter(|| escalade::oncall::on_call(&model, from, None)));
    let tz: chrono_tz::Tz = "America/New_York".parse().unwrap_or(chrono_tz::UTC);
    let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).and_then(|d| d.and_hms_opt(8, 0, 0)).unwrap_or_default();
    let locals: Vec<chrono::NaiveDateTime> = (0..10_000).map(|i| start + chrono::Duration::minutes(i * 53)).collect();
    g.bench_function("resolve-local-10k-fast", |b| b.iter(|| locals.iter().map(|l| escalade::time::resolve_local(tz, *l)).sum::<i64>()));
    g.bench_function("resolve-local-10k-exact", |b| b.iter(|| locals.iter().map(|l| escalade::time::resolve_local_exact(tz, *l)).sum::<i64>()));
    g.finish();
}

criterion_group!(benches, bench_time);
criterion_main!(benches);
