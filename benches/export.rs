//! `escalade export` to every target of `escalade::export::TARGETS` on
//! generated organisations of 1,000, 10,000 and 50,000 services
//! (benches/support/sizes.rs): the model → file tree step, without
//! writing to disk.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode};
use escalade::export::{ExportOptions, TARGETS};
use std::path::PathBuf;
use std::time::Duration;

#[path = "support/alloc.rs"]
mod alloc;

#[path = "support/gen_org.rs"]
mod gen_org;
#[path = "support/sizes.rs"]
mod sizes;

fn bench_export(c: &mut Criterion) {
    let mut g = c.benchmark_group("export");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    let opts = ExportOptions { from: sizes::FROM, receiver_url_template: None };
    for n in sizes::services() {
        let ws = escalade::workspace::load_texts(PathBuf::from("."), gen_org::org(n, 1).files);
        assert!(ws.findings.is_empty());
        let model = &ws.model;
        for target in TARGETS {
            let out = escalade::export::export(model, target, &opts).expect("a known target");
            let bytes: usize = out.tree.values().map(Vec::len).sum();
            eprintln!("{n} services, {target}: {} files, {bytes} bytes, {} findings", out.tree.len(), out.findings.len());
            g.bench_function(BenchmarkId::new(*target, n), |b| b.iter(|| escalade::export::export(model, target, &opts)));
        }
    }
    g.finish();
}

criterion_group!(benches, bench_export);
criterion_main!(benches);
