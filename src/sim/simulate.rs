//! `escalade simulate` (SPEC §5): one read of the timeline drives every
//! engine of the run — the candidate, the `--against` baseline, and each
//! of their `--runs` — side by side.
//!
//! Events are read in batches ([`BATCH`]); each batch is fed to every
//! engine, the engines in parallel (rayon), and, unless one thread is
//! asked for, while the next batch is read. Each engine owns its state,
//! its responder draws are keyed by (seed, incident, person) and batches
//! are fed in file order, so results do not depend on the thread count.
//! Memory: the batch, plus per engine what its open incidents need.

use crate::model::Model;
use crate::sim::engine::{Compiled, Counters, Engine, EngineKind, Fed, Options, SeededResponders, Sink, TraceRecord};
use crate::sim::event::{Event, EventKind, Instant, Responders};
use crate::sim::metrics::{aggregate, Collector, Report};
use crate::sim::route_eval::{RouteOutcome, Scratch};
use crate::sim::trace::TraceWriter;
use rayon::prelude::*;
use std::io::Write;

/// Events read before the engines are run on them.
pub const BATCH: usize = 4096;

const DAY: i64 = 86_400;

/// A notice when this many incidents are open at once (§5).
pub const OPEN_NOTICE: usize = 100_000;

/// Options of a simulation.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub engine: EngineKind,
    pub seed: u64,
    /// `--runs` (at least 1)
    pub runs: u32,
    pub until: Option<Instant>,
    /// collect the HTML report's chart data
    pub charts: bool,
    /// `--strict`: the first rejected event stops the simulation
    pub strict: bool,
    /// worker threads (None: one per core)
    pub threads: Option<usize>,
}

/// What the caller hears about while the simulation runs.
pub trait Observer {
    /// a rejected event (`line` 0: not known); `side` is `None` for the
    /// reader, or the workspace whose engine rejected it
    fn rejected(&mut self, side: Option<&str>, line: usize, reason: &str);
    fn notice(&mut self, text: &str);
    /// events read so far
    fn progress(&mut self, _events: u64) {}
    /// A batch has been read: the reader's notices so far belong to it,
    /// and are shown at its `progress` (the next batch may be read while
    /// this one runs).
    fn batch_read(&mut self) {}
}

/// A workspace to simulate.
pub struct Side<'m> {
    /// how messages name it (`candidate`, `baseline`)
    pub name: String,
    pub model: &'m Model,
}

/// Why a simulation stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{}{line}: {reason} (--strict)", .side.as_ref().map(|s| format!("{s}: ")).unwrap_or_default())]
    Strict { side: Option<String>, line: usize, reason: String },
    #[error("cannot write the trace: {0}")]
    Trace(std::io::Error),
    #[error("{0}")]
    Threads(String),
}

/// The result: one report per side (aggregated over the runs), and what the
/// report header says.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub reports: Vec<Report>,
    /// timeline events processed by the first side's first run
    pub events: u64,
    pub first_event: Option<Instant>,
    pub last_event: Option<Instant>,
    /// the first side's end instant
    pub end: Option<Instant>,
}

struct RunSink<'m> {
    metrics: Collector<'m>,
    trace: Option<TraceWriter<'m>>,
}

impl Sink for RunSink<'_> {
    fn record(&mut self, r: &TraceRecord) {
        self.metrics.record(r);
        if let Some(t) = self.trace.as_mut() {
            t.record(r);
        }
    }
}

struct Run<'m> {
    side: usize,
    index: u32,
    engine: Engine<'m, SeededResponders, RunSink<'m>>,
    processed: u64,
    skipped: u64,
    /// engine rejections of the current batch: (line, reason)
    rejected: Vec<(usize, String)>,
}

impl Run<'_> {
    /// `routes`: the outcome of each alert's routes for this run's side,
    /// by index in the batch.
    fn feed(&mut self, batch: &[Event], routes: &[RouteOutcome]) {
        self.rejected.clear();
        for (i, ev) in batch.iter().enumerate() {
            let pre = match ev.kind {
                EventKind::Alert(_) => routes.get(i),
                _ => None,
            };
            match self.engine.feed_routed(ev, pre) {
                Fed::Processed => {
                    self.processed += 1;
                    self.engine.sink_mut().metrics.note_event(ev.at);
                }
                Fed::Skipped => self.skipped += 1,
                Fed::Rejected(reason) => self.rejected.push((ev.line, reason)),
            }
        }
    }
}

/// What the reader has handed out so far.
#[derive(Debug, Default)]
struct ReadState {
    /// events read
    read: u64,
    /// lines the reader rejected
    rejected: u64,
    /// the latest event time read
    last: Option<Instant>,
}

/// One batch of events, with the rejections read among them.
#[derive(Debug, Default)]
struct Batch {
    events: Vec<Event>,
    /// per side, by index in `events`: the outcome of an alert's routes,
    /// evaluated once for all of the side's runs, and by the reading
    /// thread while the engines run the previous batch (entries of other
    /// events are stale; the lists keep their capacity)
    routes: Vec<Vec<RouteOutcome>>,
    /// (line, side (None: the reader), reason), reported in line order
    rejections: Vec<(usize, Option<usize>, String)>,
    /// events read up to the end of this batch
    read: u64,
}

impl Batch {
    /// Read up to [`BATCH`] events (the batch is emptied first); whether
    /// the input has ended.
    fn fill<I: Iterator<Item = Result<Event, crate::sim::event::Rejected>>>(&mut self, events: &mut I, st: &mut ReadState) -> bool {
        // the spent events' allocations go to the next events read
        for ev in self.events.drain(..) {
            crate::sim::event::spare::recycle(ev);
        }
        self.rejections.clear();
        self.events.reserve(BATCH);
        let mut eof = false;
        while self.events.len() < BATCH {
            match events.next() {
                None => {
                    eof = true;
                    break;
                }
                Some(Err(rej)) => {
                    st.rejected += 1;
                    self.rejections.push((rej.line, None, rej.reason));
                }
                Some(Ok(ev)) => {
                    st.read += 1;
                    st.last = Some(st.last.map_or(ev.at, |l| l.max(ev.at)));
                    self.events.push(ev);
                }
            }
        }
        self.read = st.read;
        eof
    }

    /// Evaluate the routes of the batch's alerts for every side
    /// ([`Compiled::route`]), each side with its own caches.
    fn route(&mut self, compiled: &[Compiled<'_>], scratch: &mut [Scratch]) {
        self.routes.resize_with(compiled.len(), Vec::new);
        for ((c, sc), out) in compiled.iter().zip(scratch.iter_mut()).zip(self.routes.iter_mut()) {
            if out.len() < self.events.len() {
                out.resize_with(self.events.len(), RouteOutcome::default);
            }
            for (ev, o) in self.events.iter().zip(out.iter_mut()) {
                if let EventKind::Alert(a) = &ev.kind {
                    c.route(a, ev.at, sc, o);
                }
            }
        }
    }
}

/// Feed a batch to every run, the runs in parallel when there are several;
/// the engine rejections of each side's first run join the batch's. The
/// first run's open incidents after it.
fn feed_batch(pool: Option<&rayon::ThreadPool>, runs: &mut [Run<'_>], b: &mut Batch) -> usize {
    let batch = &b.events[..];
    let routes = &b.routes;
    let side_routes = |side: usize| routes.get(side).map_or(&[][..], |v| &v[..]);
    let work = |runs: &mut [Run<'_>]| runs.par_iter_mut().for_each(|r| r.feed(batch, side_routes(r.side)));
    match (pool, &mut *runs) {
        // one engine: no hand-over to the pool per batch
        (_, [only]) => only.feed(batch, side_routes(only.side)),
        (Some(p), runs) => p.install(|| work(runs)),
        (None, runs) => work(runs),
    }
    for r in runs.iter().filter(|r| r.index == 0) {
        b.rejections.extend(r.rejected.iter().map(|(line, reason)| (*line, Some(r.side), reason.clone())));
    }
    runs.first().map_or(0, |r| r.engine.open_incidents())
}

/// Run the simulation of `sides` (the candidate first) over `events`.
/// `trace`: where the candidate's first run writes its audit trail.
pub fn simulate<'m, I>(
    sides: &[Side<'m>],
    events: I,
    responders: &Responders,
    cfg: &Config,
    trace: Option<Box<dyn Write + Send + 'm>>,
    obs: &mut dyn Observer,
) -> Result<Outcome, SimError>
where
    I: Iterator<Item = Result<Event, crate::sim::event::Rejected>>,
{
    let pool = match cfg.threads {
        Some(n) => Some(rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(|e| SimError::Threads(e.to_string()))?),
        None => None,
    };
    let compiled: Vec<Compiled<'m>> = sides.iter().map(|s| Compiled::new(s.model, cfg.engine)).collect();
    let runs_n = cfg.runs.max(1);
    let mut trace = trace;
    let mut runs: Vec<Run<'_>> = Vec::new();
    for (si, (side, c)) in sides.iter().zip(&compiled).enumerate() {
        for i in 0..runs_n {
            let (model, unknown) = SeededResponders::new(side.model, responders, cfg.seed.wrapping_add(i as u64));
            if i == 0 {
                for k in unknown {
                    obs.notice(&format!("responders: `{k}` names no person of the {} workspace; ignored", side.name));
                }
            }
            let sink = RunSink {
                metrics: Collector::new(side.model, cfg.charts && i == 0),
                trace: if si == 0 && i == 0 { trace.take().map(|w| TraceWriter::new(side.model, w)) } else { None },
            };
            let engine = Engine::new(c, Options { until: cfg.until }, model, sink);
            runs.push(Run { side: si, index: i, engine, processed: 0, skipped: 0, rejected: Vec::new() });
        }
    }

    let mut events = events;
    // Reading and the engines overlap when more than one thread may run:
    // the engines take batch k on a second thread while this one reads
    // batch k + 1. Engines see the same batches in the same order either
    // way, and messages come out per batch in the same order; under
    // `--strict` nothing is read ahead of a batch's rejections.
    let pipelined = cfg.threads != Some(1) && !cfg.strict;
    let mut st = ReadState::default();
    let mut scratch: Vec<Scratch> = compiled.iter().map(|c| c.routes.scratch()).collect();
    let compiled = &compiled[..];
    // a batch is read and its routes evaluated on this thread
    let mut read = |b: &mut Batch| {
        let eof = b.fill(&mut events, &mut st);
        b.route(compiled, &mut scratch);
        eof
    };
    let mut cur = Batch::default();
    let mut eof = read(&mut cur);
    obs.batch_read();
    let mut open_noticed = false;
    // the messages of a batch the engines have run (`open`: the first
    // engine's open incidents; None: the batch held no event)
    let mut after = |b: &mut Batch, open: Option<usize>, obs: &mut dyn Observer| -> Result<(), SimError> {
        if let Some(open) = open {
            if !open_noticed && open > OPEN_NOTICE {
                open_noticed = true;
                obs.notice(&format!(
                    "more than {OPEN_NOTICE} incidents are open at once: the timeline has few resolves and the org no `auto-resolve`, so memory grows with its length"
                ));
            }
            obs.progress(b.read);
        }
        b.rejections.sort_by_key(|(line, side, _)| (*line, *side));
        for (line, side, reason) in b.rejections.drain(..) {
            let side = side.filter(|_| sides.len() > 1).map(|i| sides[i].name.as_str());
            obs.rejected(side, line, &reason);
            if cfg.strict {
                return Err(SimError::Strict { side: side.map(str::to_string), line, reason });
            }
        }
        Ok(())
    };
    if !pipelined {
        loop {
            let open = (!cur.events.is_empty()).then(|| feed_batch(pool.as_ref(), &mut runs, &mut cur));
            after(&mut cur, open, obs)?;
            if eof {
                break;
            }
            eof = read(&mut cur);
            obs.batch_read();
        }
    } else {
        // the engines run on a worker thread, batch by batch; this thread
        // reads the next batch meanwhile, and reports each batch when the
        // worker hands it back
        let (pool, runs) = (pool.as_ref(), &mut runs);
        std::thread::scope(|s| -> Result<(), SimError> {
            let (to_engines, batches) = std::sync::mpsc::sync_channel::<Batch>(1);
            let (done, from_engines) = std::sync::mpsc::sync_channel::<(Batch, usize)>(1);
            s.spawn(move || {
                for mut b in batches {
                    let open = feed_batch(pool, runs, &mut b);
                    if done.send((b, open)).is_err() {
                        break;
                    }
                }
            });
            let mut spare = Batch::default();
            loop {
                if cur.events.is_empty() {
                    // the input has ended: the reader's last rejections
                    return after(&mut cur, None, obs);
                }
                // a failed hand-over means the worker panicked: the scope
                // passes its panic on
                if to_engines.send(std::mem::take(&mut cur)).is_err() {
                    return Ok(());
                }
                let next_eof = eof || {
                    let e = read(&mut spare);
                    obs.batch_read();
                    e
                };
                let Ok((mut fed, open)) = from_engines.recv() else { return Ok(()) };
                after(&mut fed, Some(open), obs)?;
                if eof {
                    return Ok(());
                }
                cur = std::mem::replace(&mut spare, fed);
                eof = next_eof;
            }
        })?;
    }
    let (reader_rejected, last_read) = (st.rejected, st.last);

    // §5 "End": --until, or the last event plus the org auto-resolve (24h)
    let ends: Vec<Option<Instant>> =
        sides.iter().map(|side| cfg.until.or_else(|| last_read.map(|l| l.saturating_add(side.model.org.auto_resolve.unwrap_or(DAY))))).collect();
    let finish = |r: &mut Run<'_>| {
        if let Some(end) = ends[r.side] {
            r.engine.finish(end);
        }
    };
    match (&pool, runs.as_mut_slice()) {
        (_, [only]) => finish(only),
        (Some(p), _) => p.install(|| runs.par_iter_mut().for_each(finish)),
        (None, _) => runs.par_iter_mut().for_each(finish),
    }
    if let Some(r) = runs.first() {
        if r.skipped > 0 {
            obs.notice(&format!("{} events after --until were skipped", r.skipped));
        }
    }

    let mut outcome = Outcome { reports: Vec::new(), events: 0, first_event: None, last_event: None, end: ends.first().copied().flatten() };
    let mut per_side: Vec<Vec<Report>> = vec![Vec::new(); sides.len()];
    for (k, r) in runs.into_iter().enumerate() {
        let (side, processed) = (r.side, r.processed);
        let (_, sink, counters): (_, RunSink<'_>, Counters) = r.engine.into_parts();
        if k == 0 {
            outcome.events = processed;
            outcome.first_event = sink.metrics.first_event();
            outcome.last_event = sink.metrics.last_event();
        }
        if let Some(t) = sink.trace {
            t.finish().map_err(SimError::Trace)?;
        }
        per_side[side].push(sink.metrics.report(&counters, reader_rejected));
    }
    outcome.reports = per_side.into_iter().map(|v| if v.len() == 1 { v.into_iter().next().unwrap_or_default() } else { aggregate(&v) }).collect();
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::event::{AckAfter, AlertEvent, EventKind, ResponderSpec};
    use crate::sim::metrics::ReportJson;
    use proptest::prelude::*;
    use std::path::PathBuf;

    struct Quiet;
    impl Observer for Quiet {
        fn rejected(&mut self, _: Option<&str>, _: usize, _: &str) {}
        fn notice(&mut self, _: &str) {}
    }

    fn workspace() -> crate::workspace::Workspace {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
        crate::workspace::load(&[root]).expect("policies/ loads")
    }

    /// Refilling a batch hands its spent events to the reader's pool
    /// (`event::spare`) on this thread: alerts and ids alike.
    #[test]
    fn a_refilled_batch_recycles_its_events() {
        let alert = |i: u64| Event { at: i as i64, kind: EventKind::Alert(Box::default()), line: i as usize, seq: i };
        let ack = |i: u64| Event { at: i as i64, kind: EventKind::Ack { id: "A".into(), by: None }, line: i as usize, seq: i };
        let mut b = Batch::default();
        let mut st = ReadState::default();
        let mut first = vec![Ok(alert(1)), Ok(ack(2)), Ok(alert(3)), Ok(Event { at: 4, kind: EventKind::Resolve { id: "A".into() }, line: 4, seq: 4 })].into_iter();
        assert!(b.fill(&mut first, &mut st));
        let before = crate::sim::event::spare::pooled();
        assert!(b.fill(&mut std::iter::empty(), &mut st));
        assert!(b.events.is_empty());
        let after = crate::sim::event::spare::pooled();
        assert_eq!((after.0 - before.0, after.1 - before.1), (2, 2));
    }

    /// A random timeline over the model's services and people: alerts,
    /// recorded acks (with and without `by`) and resolves.
    fn timeline(m: &Model, picks: &[(u8, u16, u16, u8)], start: Instant) -> Vec<Event> {
        let services: Vec<&str> = m.services.iter().map(|s| s.name.name.as_str()).collect();
        let people: Vec<&str> = m.persons.iter().map(|p| p.name.name.as_str()).collect();
        let mut t = start;
        let mut out = Vec::new();
        for (i, &(kind, a, b, c)) in picks.iter().enumerate() {
            t += (a as i64 % 900) + 1;
            let id = format!("A{}", b % 40);
            let kind = match kind % 6 {
                0..=2 => EventKind::Alert(Box::new(AlertEvent {
                    id,
                    service: services[c as usize % services.len()].to_string(),
                    severity: Some(format!("sev{}", 1 + c % 4)),
                    fingerprint: Some(format!("f{}", a % 5)),
                    ..AlertEvent::default()
                })),
                3 | 4 => EventKind::Ack { id, by: (c % 3 != 0).then(|| people[c as usize % people.len()].to_string()) },
                _ => EventKind::Resolve { id },
            };
            out.push(Event { at: t, kind, line: i + 1, seq: i as u64 });
        }
        out
    }

    fn responders() -> Responders {
        let mut r = Responders::new();
        r.insert("default".into(), ResponderSpec { ack_after: AckAfter::LogNormal { median: 120.0, p90: 900.0 }, miss: 0.3 });
        r
    }

    fn run(ws: &crate::workspace::Workspace, events: &[Event], runs: u32, seed: u64, threads: usize, against: bool) -> Vec<String> {
        let mut sides = vec![Side { name: "candidate".into(), model: &ws.model }];
        if against {
            sides.push(Side { name: "baseline".into(), model: &ws.model });
        }
        let cfg = Config { runs, seed, threads: Some(threads), ..Config::default() };
        let out = simulate(&sides, events.iter().cloned().map(Ok), &responders(), &cfg, None, &mut Quiet).expect("runs");
        out.reports.iter().map(|r| serde_json::to_string(&ReportJson { report: r, version: false }).unwrap_or_default()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
        /// Routes evaluated ahead of the engine, with caches of their own
        /// (as the reading thread does), leave the trace as it is when the
        /// engine evaluates them: the timeline crosses office hours, week
        /// boundaries and dedup windows.
        #[test]
        fn routes_evaluated_ahead_change_nothing(
            picks in prop::collection::vec((any::<u8>(), any::<u16>(), any::<u16>(), any::<u8>()), 1..300),
            start in 1_783_000_000i64..1_790_000_000,
        ) {
            use crate::sim::engine::NoAcks;
            let ws = workspace();
            let events = timeline(&ws.model, &picks, start);
            let c = Compiled::new(&ws.model, EngineKind::Default);
            let mut inside = Engine::new(&c, Options::default(), NoAcks, Vec::new());
            let mut ahead = Engine::new(&c, Options::default(), NoAcks, Vec::new());
            let mut scratch = c.routes.scratch();
            let mut out = RouteOutcome::default();
            for ev in &events {
                let a = inside.feed(ev);
                let pre = match &ev.kind {
                    EventKind::Alert(x) => {
                        c.route(x, ev.at, &mut scratch, &mut out);
                        Some(&out)
                    }
                    _ => None,
                };
                let b = ahead.feed_routed(ev, pre);
                prop_assert_eq!(format!("{a:?}"), format!("{b:?}"));
            }
            let end = events.last().map_or(0, |e| e.at) + 86_400;
            inside.finish(end);
            ahead.finish(end);
            prop_assert_eq!(inside.sink(), ahead.sink());
        }

        /// SPEC §5: `--runs` results do not depend on the thread count.
        #[test]
        fn runs_do_not_depend_on_the_thread_count(
            picks in prop::collection::vec((any::<u8>(), any::<u16>(), any::<u16>(), any::<u8>()), 1..300),
            runs in 1u32..6,
            seed in any::<u64>(),
        ) {
            let ws = workspace();
            let events = timeline(&ws.model, &picks, 1_783_000_000);
            let one = run(&ws, &events, runs, seed, 1, runs % 2 == 0);
            let three = run(&ws, &events, runs, seed, 3, runs % 2 == 0);
            prop_assert_eq!(one, three);
        }
    }

    /// The draws differ between seeds (the model is not ignored), and a
    /// baseline identical to the candidate gives identical reports.
    #[test]
    fn seeds_matter_and_identical_sides_agree() {
        let ws = workspace();
        let picks: Vec<(u8, u16, u16, u8)> = (0..400u32).map(|i| ((i % 3) as u8, (i * 37 % 900) as u16, (i * 7) as u16, (i * 13 % 251) as u8)).collect();
        let events = timeline(&ws.model, &picks, 1_783_000_000);
        let a = run(&ws, &events, 1, 0, 2, true);
        assert_eq!(a[0], a[1], "same workspace on both sides");
        let b = run(&ws, &events, 1, 1, 2, false);
        assert_ne!(a[0], b[0], "another seed draws other responders");
    }

    /// A single run's breakdowns are made section by section as they are
    /// read; made all at once they are the same, in the same order, and
    /// look-ups by name agree with the iteration.
    #[test]
    fn pending_breakdowns_read_like_built_ones() {
        let ws = workspace();
        let picks: Vec<(u8, u16, u16, u8)> = (0..600u32).map(|i| ((i % 6) as u8, (i * 37 % 900) as u16, (i * 7) as u16, (i * 13 % 251) as u8)).collect();
        let events = timeline(&ws.model, &picks, 1_783_000_000);
        let sides = [Side { name: "candidate".into(), model: &ws.model }];
        let cfg = Config { runs: 1, seed: 7, threads: Some(1), ..Config::default() };
        let out = simulate(&sides, events.iter().cloned().map(Ok), &responders(), &cfg, None, &mut Quiet).expect("runs");
        let pending = &out.reports[0];
        let built = pending.clone().into_built();
        assert!(pending.by_service.len() > 3 && pending.by_policy.len() > 1, "a breakdown worth reading");
        assert_eq!(pending, &built);
        let names: Vec<&str> = pending.by_service.iter().map(|(k, _)| k).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted, "name order, each once");
        let built_map = built.by_service.to_map();
        for (k, sec) in pending.by_service.iter() {
            assert_eq!(Some(&*sec), built_map.get(k));
            assert_eq!(pending.by_service.get(k).as_deref(), Some(&*sec));
            assert!(sec.contains_key("pages_by_person"));
        }
        assert!(pending.by_service.get("no-such-service").is_none());
        let json = |r: &Report| serde_json::to_string(&ReportJson { report: r, version: true }).unwrap_or_default();
        assert_eq!(json(pending), json(&built));
    }
}
