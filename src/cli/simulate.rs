//! `escalade simulate` (SPEC §5, §8).

use super::{engine_arg, engine_notes, instant_arg, load_sound, usage_error};
use crate::sim::event::{Event, Rejected, Responders};
use crate::sim::import::{self, ImportKind};
use crate::sim::metrics::delta;
use crate::sim::report::{self, Meta, Shown};
use crate::sim::simulate::{simulate, Config, Observer, SimError, Side};
use crate::sim::timeline;
use crate::workspace::{self, Workspace};
use clap::ValueEnum;
use std::io::{IsTerminal, Write};
use std::collections::VecDeque;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SimFormat {
    Table,
    Json,
    Markdown,
    Html,
}

#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The workspace to simulate: a directory of .esc files or one file
    pub candidate: Option<PathBuf>,
    /// The timeline: .yaml/.yml/.json (one document), .jsonl/.ndjson, or `-` (JSON Lines on stdin)
    #[arg(long, value_name = "FILE")]
    pub timeline: Option<PathBuf>,
    /// Read the timeline as a recorded history: servicenow | pagerduty | opsgenie | alertmanager
    #[arg(long, value_name = "KIND")]
    pub import: Option<String>,
    /// A second workspace run on the same timeline and draws: side by side, with deltas
    #[arg(long, value_name = "BASELINE")]
    pub against: Option<PathBuf>,
    /// Simulate with an engine's runtime semantics: pagerduty | opsgenie | grafana-oncall | splunk-oncall | goalert
    #[arg(long, value_name = "E")]
    pub engine: Option<String>,
    /// Print what --engine changes and exit (no timeline needed)
    #[arg(long)]
    pub explain_engine: bool,
    /// A YAML file whose `responders:` section replaces the timeline's
    #[arg(long, value_name = "FILE")]
    pub responders: Option<PathBuf>,
    /// Repeat the stochastic responder model N times (mean, p5, p95 per metric)
    #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub runs: u32,
    /// Seed of the responder model; run i uses seed S + i
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// End of the simulation (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz); default: the last event plus the org auto-resolve (24h when unset)
    #[arg(long, value_name = "T")]
    pub until: Option<String>,
    /// How far back out-of-order JSON Lines events are re-sorted (a duration, e.g. 1h)
    #[arg(long, value_name = "D", default_value = "1h")]
    pub reorder_window: String,
    /// Write the candidate's audit trail as JSON Lines
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    /// Exit 2 at the first rejected event
    #[arg(long)]
    pub strict: bool,
    /// Report format
    #[arg(long, value_enum, default_value = "table")]
    pub format: SimFormat,
    /// Write the report to FILE instead of stdout
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Worker threads for --runs/--against (default: one per core; 1: read and simulate on one thread); results do not depend on it
    #[arg(long, value_name = "N", hide = true)]
    pub threads: Option<usize>,
}

/// Messages on stderr; a progress bar when stderr is a terminal.
struct StderrObserver<'e> {
    err: &'e mut dyn Write,
    timeline: String,
    bar: Option<indicatif::ProgressBar>,
    /// notices of the streaming reader not yet assigned to a batch
    pending: Rc<RefCell<Vec<String>>>,
    /// notices by the batch that read them, oldest first: each is printed
    /// at its own batch's progress, though the next batch may have been
    /// read by then
    batches: VecDeque<Vec<String>>,
}

impl Observer for StderrObserver<'_> {
    fn rejected(&mut self, side: Option<&str>, line: usize, reason: &str) {
        let who = side.map(|s| format!(" ({s})")).unwrap_or_default();
        let msg = format!("{}:{line}: rejected{who}: {reason}", self.timeline);
        self.say(&msg);
    }

    fn notice(&mut self, text: &str) {
        let msg = format!("note: {text}");
        self.say(&msg);
    }

    fn batch_read(&mut self) {
        let notices = std::mem::take(&mut *self.pending.borrow_mut());
        self.batches.push_back(notices);
    }

    fn progress(&mut self, events: u64) {
        for n in self.batches.pop_front().unwrap_or_default() {
            self.notice(&n);
        }
        if let Some(b) = &self.bar {
            b.set_position(events);
        }
    }
}

impl StderrObserver<'_> {
    fn drain(&mut self) {
        self.batch_read();
        while let Some(notices) = self.batches.pop_front() {
            for n in notices {
                self.notice(&n);
            }
        }
    }

    fn say(&mut self, msg: &str) {
        match &self.bar {
            Some(b) => b.suspend(|| {
                let _ = writeln!(self.err, "{msg}");
            }),
            None => {
                let _ = writeln!(self.err, "{msg}");
            }
        }
    }
}

fn progress_bar() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new_spinner();
    bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {pos} events read ({per_sec}, {elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    Some(bar)
}

/// Timeline events in time order, and rejected ones.
type Events = Box<dyn Iterator<Item = Result<Event, Rejected>>>;

pub fn run_simulate(a: SimulateArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let engine = match engine_arg(a.engine.as_deref()) {
        Ok(k) => k,
        Err(e) => return usage_error(err, &e),
    };
    if a.explain_engine {
        return match out.write_all(engine.explain().as_bytes()) {
            Ok(()) => 0,
            Err(_) => 2,
        };
    }
    let Some(candidate_path) = &a.candidate else {
        return usage_error(err, "simulate needs a CANDIDATE workspace");
    };
    let Some(timeline_path) = &a.timeline else {
        return usage_error(err, "simulate needs --timeline FILE (`-` reads JSON Lines from stdin)");
    };
    let import_kind: Option<ImportKind> = match a.import.as_deref().map(str::parse) {
        None => None,
        Some(Ok(k)) => Some(k),
        Some(Err(e)) => return usage_error(err, &e),
    };
    let window = match crate::syntax::lower::parse_duration(&a.reorder_window) {
        Ok(d) => d,
        Err(e) => return usage_error(err, &format!("--reorder-window: {e}")),
    };
    let candidate = match load_sound(candidate_path, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let baseline: Option<Workspace> = match &a.against {
        None => None,
        Some(p) => match load_sound(p, err) {
            Ok(ws) => Some(ws),
            Err(code) => return code,
        },
    };
    let until = match &a.until {
        None => None,
        Some(_) => match instant_arg(&a.until, &candidate, "--until") {
            Ok(t) => Some(t.timestamp()),
            Err(e) => return usage_error(err, &e),
        },
    };
    engine_notes(&candidate.model, engine, err);

    let tz = candidate.model.org.tz;
    let pending: Rc<RefCell<Vec<String>>> = Rc::default();
    let shown_timeline = if timeline_path.as_os_str() == "-" { "-".to_string() } else { workspace::display_path(timeline_path) };
    // the events: a timeline file, or an importer's output
    let (events, own_responders, notices): (Events, Option<Responders>, Vec<String>) = match import_kind {
        Some(kind) => {
            let imported = match import::import_path(kind, timeline_path, tz) {
                Ok(i) => i,
                Err(e) => return usage_error(err, &e.to_string()),
            };
            let skipped: Vec<Result<Event, Rejected>> = imported.skipped.into_iter().map(Err).collect();
            let tl = timeline::Timeline::from_events(imported.events, Vec::new());
            (Box::new(skipped.into_iter().chain(tl)), None, imported.notices)
        }
        None => {
            let mut tl = match timeline::open(timeline_path, tz, window) {
                Ok(t) => t,
                Err(e) => return usage_error(err, &e.to_string()),
            };
            let notices = tl.take_notices();
            let responders = tl.responders.take();
            (Box::new(NoticeRelay { inner: tl, out: pending.clone() }), responders, notices)
        }
    };
    for n in &notices {
        let _ = writeln!(err, "note: {n}");
    }
    let responders = match &a.responders {
        Some(p) => match timeline::read_responders_file(p) {
            Ok(r) => {
                if own_responders.is_some() {
                    let _ = writeln!(err, "note: --responders {} replaces the timeline's own `responders` section", workspace::display_path(p));
                }
                r
            }
            Err(e) => return usage_error(err, &e.to_string()),
        },
        None => own_responders.unwrap_or_default(),
    };

    let mut sides = vec![Side { name: "candidate".into(), model: &candidate.model }];
    if let Some(b) = &baseline {
        sides.push(Side { name: "baseline".into(), model: &b.model });
    }
    let trace: Option<Box<dyn Write + Send>> = match &a.trace {
        None => None,
        Some(p) => match std::fs::File::create(p) {
            Ok(f) => Some(Box::new(std::io::BufWriter::with_capacity(256 * 1024, f))),
            Err(e) => return usage_error(err, &format!("cannot write {}: {e}", workspace::display_path(p))),
        },
    };
    let cfg = Config { engine, seed: a.seed, runs: a.runs, until, charts: a.format == SimFormat::Html, strict: a.strict, threads: a.threads };
    let mut obs = StderrObserver { err, timeline: shown_timeline.clone(), bar: progress_bar(), pending, batches: VecDeque::new() };
    let result = simulate(&sides, events, &responders, &cfg, trace, &mut obs);
    obs.drain();
    if let Some(b) = obs.bar.take() {
        b.finish_and_clear();
    }
    let err = obs.err;
    let outcome = match result {
        Ok(o) => o,
        Err(e @ SimError::Strict { .. }) => {
            let _ = writeln!(err, "error: {shown_timeline}:{e}");
            return 2;
        }
        Err(e) => return usage_error(err, &e.to_string()),
    };

    let meta = Meta {
        candidate: workspace::display_path(candidate_path),
        baseline: a.against.as_ref().map(|p| workspace::display_path(p)),
        timeline: shown_timeline,
        engine: engine.as_str().to_string(),
        runs: a.runs,
        seed: a.seed,
        first_event: outcome.first_event,
        last_event: outcome.last_event,
        end: outcome.end,
        events: outcome.events,
    };
    let mut reports = outcome.reports.into_iter();
    let cand = reports.next().unwrap_or_default();
    let shown = match reports.next() {
        Some(base) => {
            // the renderers look each side's sections up by name, row by row
            let (base, cand) = (base.into_built(), cand.into_built());
            let d = delta(&base, &cand);
            Shown::Against { baseline: base, candidate: cand, delta: d }
        }
        None => Shown::One(cand),
    };
    let write = |w: &mut dyn Write| -> std::io::Result<()> {
        let text = match a.format {
            // written as it is made: with thousands of services the text
            // is tens of megabytes
            SimFormat::Json => return report::write_json(&shown, w),
            SimFormat::Table => report::table(&shown, &meta),
            SimFormat::Markdown => report::markdown(&shown, &meta),
            SimFormat::Html => crate::sim::html::html(&shown, &meta),
        };
        w.write_all(text.as_bytes())
    };
    match &a.output {
        None => {
            if write(out).is_err() {
                return 2;
            }
        }
        Some(p) => {
            if let Err(e) = write_atomic(p, write) {
                return usage_error(err, &format!("cannot write {}: {e}", workspace::display_path(p)));
            }
        }
    }
    0
}

/// Write next to the target, then rename: no half-written report.
fn write_atomic(p: &std::path::Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> std::io::Result<()> {
    let mut tmp = p.as_os_str().to_owned();
    tmp.push(".escalade-tmp");
    let tmp = PathBuf::from(tmp);
    // `write` buffers what it writes piece by piece (the JSON report)
    let res = std::fs::File::create(&tmp).and_then(|mut f| write(&mut f)).and_then(|()| std::fs::rename(&tmp, p));
    if res.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    res
}

/// A streaming timeline whose notices (zone-less times, unknown keys) are
/// handed to the observer as they come.
struct NoticeRelay {
    inner: timeline::Timeline,
    out: Rc<RefCell<Vec<String>>>,
}

impl Iterator for NoticeRelay {
    type Item = Result<Event, Rejected>;

    fn next(&mut self) -> Option<Self::Item> {
        let item = self.inner.next();
        if !self.inner.notices.is_empty() {
            self.out.borrow_mut().extend(self.inner.take_notices());
        }
        item
    }
}
