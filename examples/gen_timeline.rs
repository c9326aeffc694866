//! Writes a synthetic JSON Lines timeline of N alerts over the services of
//! a workspace to stdout (for memory measurements of `escalade simulate`):
//!
//! ```text
//! cargo run --release --example gen_timeline -- policies 1000000 > t.jsonl
//! cargo run --release --example gen_timeline -- policies 5000000 | \
//!     /usr/bin/time -v target/release/escalade simulate policies --timeline - --format json
//! ```

use std::io::Write;
use std::path::PathBuf;

#[path = "../benches/support/gen_timeline.rs"]
mod gen_timeline;

fn main() {
    let mut args = std::env::args().skip(1);
    let ws = PathBuf::from(args.next().unwrap_or_else(|| "policies".into()));
    let n: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1_000_000);
    let ws = match escalade::workspace::load(&[ws]) {
        Ok(ws) => ws,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let services: Vec<String> = ws.model.services.iter().map(|s| s.name.name.clone()).collect();
    if services.is_empty() {
        eprintln!("error: the workspace has no services");
        std::process::exit(2);
    }
    let out = std::io::stdout();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, out.lock());
    for l in gen_timeline::events(&services, n, 1_782_864_000) {
        if writeln!(w, "{}", l.text).is_err() {
            std::process::exit(0);
        }
    }
    let _ = w.flush();
}
