//! `escalade explain` (SPEC §7).

use std::io::Write;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// The alert's instant (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz); default: now
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// KEY=VALUE: service, severity, summary, source, labels.KEY
    #[arg(value_name = "KEY=VALUE")]
    pub pairs: Vec<String>,
}

pub fn run_explain(a: ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let _ = (a, out);
    let _ = writeln!(err, "error: explain is not implemented yet");
    2
}
