//! `escalade check` on generated organisations (benches/support/gen_org.rs)
//! of 1,000, 10,000 and 50,000 services (see benches/support/sizes.rs):
//! parsing alone, parsing and building the model, the non-time checks
//! alone, and the whole `check` of the command line (load, every check
//! including the time-based ones from a fixed instant). The time-based
//! checks alone are in benches/time.rs.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput};
use escalade::check::CheckOptions;
use escalade::source::{SourceFile, SourceMap};
use std::path::PathBuf;
use std::time::Duration;

#[path = "support/alloc.rs"]
mod alloc;

#[path = "support/gen_org.rs"]
mod gen_org;
#[path = "support/sizes.rs"]
mod sizes;

fn bench_check(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    g.sample_size(10).sampling_mode(SamplingMode::Flat).warm_up_time(Duration::from_secs(1));
    for n in sizes::services() {
        let org = gen_org::org(n, 1);
        let files = org.files.clone();
        eprintln!("{n} services: {} files, {} bytes", files.len(), org.bytes());
        let ws = escalade::workspace::load_texts(PathBuf::from("."), files.clone());
        let opts = CheckOptions { from: Some(sizes::FROM), ..Default::default() };
        let findings = escalade::check::check(&ws, &opts);
        assert!(findings.is_empty(), "the generated organisation has findings: {:?}", &findings[..findings.len().min(3)]);

        g.throughput(Throughput::Bytes(org.bytes() as u64));
        let mut sources = SourceMap::default();
        let texts: Vec<_> = files
            .iter()
            .map(|(path, bytes)| {
                let text = String::from_utf8_lossy(bytes).into_owned();
                (sources.add(SourceFile::new(path.clone(), text.clone())), text)
            })
            .collect();
        g.bench_function(BenchmarkId::new("parse", n), |b| {
            b.iter(|| texts.iter().map(|(id, t)| escalade::syntax::parse_file(*id, t).0.decls.len()).sum::<usize>())
        });
        g.bench_function(BenchmarkId::new("parse-and-model", n), |b| {
            b.iter(|| escalade::workspace::load_texts(PathBuf::from("."), files.clone()))
        });
        g.bench_function(BenchmarkId::new("non-time-checks", n), |b| b.iter(|| escalade::checks::run(&ws.model)));
        g.bench_function(BenchmarkId::new("whole-check", n), |b| {
            b.iter(|| {
                let ws = escalade::workspace::load_texts(PathBuf::from("."), files.clone());
                escalade::check::check(&ws, &opts)
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench_check);
criterion_main!(benches);
