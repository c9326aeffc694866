//! Bench sizes. By default the sizes of the scale issue: 1,000, 10,000 and
//! 50,000 services, 100,000 and 1,000,000 alerts. `ESCALADE_BENCH_SERVICES`
//! and `ESCALADE_BENCH_ALERTS` (comma-separated numbers) choose others;
//! `ESCALADE_BENCH_SMOKE=1` makes everything tiny, for CI, where the
//! benches run once each (`cargo test --benches`) to show they still work.

#![allow(dead_code)]

pub fn smoke() -> bool {
    std::env::var_os("ESCALADE_BENCH_SMOKE").is_some_and(|v| !v.is_empty() && v != "0")
}

fn list(var: &str, default: &[u64], smoke: &[u64]) -> Vec<u64> {
    if self::smoke() {
        return smoke.to_vec();
    }
    match std::env::var(var) {
        Ok(v) => {
            let parsed: Result<Vec<u64>, _> = v.split(',').map(|s| s.trim().replace('_', "").parse::<u64>()).collect();
            match parsed {
                Ok(p) if !p.is_empty() && p.iter().all(|n| *n > 0) => p,
                _ => panic!("{var}={v}: expected comma-separated positive numbers"),
            }
        }
        Err(_) => default.to_vec(),
    }
}

/// Organisation sizes, in services.
pub fn services() -> Vec<usize> {
    list("ESCALADE_BENCH_SERVICES", &[1_000, 10_000, 50_000], &[40]).into_iter().map(|n| n as usize).collect()
}

/// Timeline lengths, in alerts.
pub fn alerts() -> Vec<u64> {
    list("ESCALADE_BENCH_ALERTS", &[100_000, 1_000_000], &[2_000])
}

/// The instant time-based checks, `oncall` and exports start from: the
/// generated timeline's first day.
pub const FROM: i64 = 1_769_990_400;
