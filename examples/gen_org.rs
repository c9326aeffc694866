//! Writes a generated organisation (benches/support/gen_org.rs) as a
//! workspace directory, with a JSON Lines timeline of alerts for it:
//!
//! ```text
//! cargo run --release --example gen-org -- --services 10000 --alerts 1000000 -o /tmp/org10k
//! escalade check /tmp/org10k
//! escalade simulate /tmp/org10k --timeline /tmp/org10k/timeline.jsonl
//! ```
//!
//! DIR must be absent or empty. The timeline is streamed to the file, so
//! any number of alerts takes constant memory. Same arguments, same bytes.

use clap::Parser;
use std::io::Write;
use std::path::PathBuf;

#[path = "../benches/support/gen_org.rs"]
mod gen_org;

#[derive(Parser)]
#[command(name = "gen-org", about = "Write a generated organisation and a JSON Lines timeline for it")]
struct Args {
    /// Number of services
    #[arg(long)]
    services: usize,
    /// Number of alerts in DIR/timeline.jsonl (0: no timeline)
    #[arg(long, default_value_t = 0)]
    alerts: u64,
    /// Output directory (absent or empty)
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    out: PathBuf,
    /// Seed of the generator
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

fn fail(msg: String) -> ! {
    eprintln!("error: {msg}");
    std::process::exit(2);
}

fn main() {
    let a = Args::parse();
    if a.services == 0 {
        fail("--services must be at least 1".into());
    }
    match std::fs::read_dir(&a.out) {
        Ok(mut d) => {
            if d.next().is_some() {
                fail(format!("{} is not empty", a.out.display()));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => fail(format!("{}: {e}", a.out.display())),
    }
    if let Err(e) = std::fs::create_dir_all(&a.out) {
        fail(format!("{}: {e}", a.out.display()));
    }
    let org = gen_org::org(a.services, a.seed);
    if let Err(e) = org.write_to(&a.out) {
        fail(format!("{}: {e}", a.out.display()));
    }
    eprintln!(
        "{}: {} services, {} teams, {} people, {} files, {} bytes of .esc",
        a.out.display(),
        org.services.len(),
        org.teams.len(),
        org.people,
        org.files.len(),
        org.bytes()
    );
    if a.alerts > 0 {
        let path = a.out.join("timeline.jsonl");
        let written = std::fs::File::create(&path).and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let n = gen_org::Timeline::new(&org, a.alerts, a.seed).write_to(&mut w)?;
            w.flush()?;
            Ok(n)
        });
        match written {
            Ok(n) => eprintln!("{}: {} alerts, {n} lines", path.display(), a.alerts),
            Err(e) => fail(format!("{}: {e}", path.display())),
        }
    }
}
