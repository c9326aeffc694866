//! The floor for `escalade simulate`'s reading: reads a JSON Lines
//! timeline line by line and deserialises each line into a struct of the
//! event fields (SPEC §5) with serde, nothing else — no time parsing, no
//! ordering, no engine. benches/compare.sh compares `escalade simulate`
//! on the same file against this.
//!
//! ```text
//! cargo run --release --example deserialise_only -- timeline.jsonl
//! ```

use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::BufRead;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Event {
    at: String,
    alert: Option<String>,
    ack: Option<String>,
    resolve: Option<String>,
    by: Option<String>,
    service: Option<String>,
    severity: Option<String>,
    summary: Option<String>,
    source: Option<String>,
    fingerprint: Option<String>,
    labels: Option<BTreeMap<String, String>>,
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: deserialise_only FILE.jsonl");
        std::process::exit(2);
    };
    let file = match std::fs::File::open(&path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {path}: {e}");
            std::process::exit(2);
        }
    };
    let mut r = std::io::BufReader::with_capacity(1 << 20, file);
    let mut line = String::new();
    let (mut events, mut alerts, mut bad) = (0u64, 0u64, 0u64);
    loop {
        line.clear();
        match r.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: {path}: {e}");
                std::process::exit(2);
            }
        }
        let text = line.trim_end();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Event>(text) {
            Ok(ev) => {
                events += 1;
                alerts += u64::from(ev.alert.is_some());
            }
            Err(_) => bad += 1,
        }
    }
    println!("{events} events ({alerts} alerts), {bad} not read");
}
