//! `escalade check` (non-time checks) on a generated 10,000-service
//! workspace: parse + model + checks, and the checks alone.

use criterion::{criterion_group, criterion_main, Criterion};
use std::path::PathBuf;

#[path = "support/gen_org.rs"]
mod gen_org;

fn bench_check(c: &mut Criterion) {
    let smoke = std::env::var_os("ESCALADE_BENCH_SMOKE").is_some();
    let n = if smoke { 500 } else { 10_000 };
    let files = gen_org::generate(n);
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    eprintln!("generated workspace: {n} services, {} files, {bytes} bytes", files.len());
    let ws = escalade::workspace::load_texts(PathBuf::from("."), files.clone());
    assert!(ws.findings.is_empty(), "generated workspace has model findings: {:?}", &ws.findings[..ws.findings.len().min(3)]);
    let findings = escalade::check::check(&ws, &Default::default());
    assert!(findings.is_empty(), "generated workspace has findings: {:?}", &findings[..findings.len().min(3)]);

    let mut g = c.benchmark_group("check");
    g.sample_size(10);
    g.bench_function(format!("full-{n}-services"), |b| {
        b.iter(|| {
            let ws = escalade::workspace::load_texts(PathBuf::from("."), files.clone());
            escalade::check::check(&ws, &Default::default())
        })
    });
    g.bench_function(format!("parse-and-model-{n}-services"), |b| {
        b.iter(|| escalade::workspace::load_texts(PathBuf::from("."), files.clone()))
    });
    g.bench_function(format!("checks-only-{n}-services"), |b| b.iter(|| escalade::checks::run(&ws.model)));
    g.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
