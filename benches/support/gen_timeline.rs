//! A deterministic synthetic timeline for benchmarks and memory
//! measurements: `n` alerts on the services of a workspace, one every 30 s,
//! 70 % acknowledged 3 minutes later (recorded, without `by`), every one
//! resolved 20 minutes after it opened. Events come out in time order, so
//! open incidents stay bounded (about 40) whatever `n` is.

#![allow(dead_code)]

use std::collections::VecDeque;

/// One JSON Lines event.
pub struct Line {
    pub at: i64,
    pub text: String,
}

/// The events of `n` alerts over `services`, in time order.
pub fn events(services: &[String], n: u64, start: i64) -> impl Iterator<Item = Line> + '_ {
    let mut acks: VecDeque<Line> = VecDeque::new();
    let mut resolves: VecDeque<Line> = VecDeque::new();
    let mut i = 0u64;
    std::iter::from_fn(move || {
        let next_alert = (i < n).then(|| start + i as i64 * 30);
        // the earliest of the three sorted streams; ties: alert, ack, resolve
        let pick = [next_alert, acks.front().map(|l| l.at), resolves.front().map(|l| l.at)]
            .iter()
            .enumerate()
            .filter_map(|(k, t)| t.map(|t| (t, k)))
            .min()?;
        match pick.1 {
            0 => {
                let at = start + i as i64 * 30;
                let id = format!("G{i}");
                let service = &services[(i as usize * 7) % services.len()];
                let text = format!(
                    r#"{{"at":"{}","alert":"{id}","service":"{service}","severity":"sev{}","summary":"synthetic {i}","fingerprint":"fp{}","labels":{{"region":"{}"}}}}"#,
                    stamp(at),
                    1 + i % 4,
                    i % 997,
                    ["us-east", "eu-west", "ap-south"][i as usize % 3]
                );
                if i % 10 < 7 {
                    acks.push_back(Line { at: at + 180, text: format!(r#"{{"at":"{}","ack":"{id}"}}"#, stamp(at + 180)) });
                }
                resolves.push_back(Line { at: at + 1200, text: format!(r#"{{"at":"{}","resolve":"{id}"}}"#, stamp(at + 1200)) });
                i += 1;
                Some(Line { at, text })
            }
            1 => acks.pop_front(),
            _ => resolves.pop_front(),
        }
    })
}

fn stamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}

/// The benches' timeline as JSON Lines text: `n` alerts over `services`
/// from 2026-07-01 00:00 UTC.
pub fn jsonl(services: &[String], n: u64) -> String {
    let mut text = String::new();
    for l in events(services, n, 1_782_864_000) {
        text.push_str(&l.text);
        text.push('\n');
    }
    text
}
