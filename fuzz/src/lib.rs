//! The entry points the fuzz targets drive, one per target, with the
//! invariants a run must keep: a broken invariant panics, which the fuzzer
//! reports as a crash. `tests/robustness.rs` includes this file and replays
//! every committed crash input (`fixtures/fuzz-regressions/TARGET/*`)
//! through the same functions, on the stable toolchain.

use escalade::check::has_model_errors;
use escalade::sim::event::{AlertEvent, EventKind};
use escalade::sim::route_eval::{RouteOutcome, RouteTable};
use escalade::sim::timeline::{Format, OpenError, Timeline};
use escalade::workspace::{load_texts, Workspace};
use std::io::Cursor;
use std::path::PathBuf;

/// A fuzz target: its name and its entry point.
pub type Target = (&'static str, fn(&[u8]));

/// The targets, by name, as `cargo fuzz` and the regression folders call them.
pub const TARGETS: [Target; 5] = [
    ("parse", parse),
    ("timeline_jsonl", timeline_jsonl),
    ("timeline_json", timeline_json),
    ("timeline_yaml", timeline_yaml),
    ("condition", condition),
];

/// Every finding has a known code, a message and spans that lie inside
/// their file, on character boundaries.
pub fn assert_located(ws: &Workspace) {
    for f in &ws.findings {
        assert!(escalade::checks::registry::lookup(f.code).is_some(), "unknown code {}", f.code);
        assert!(!f.message.is_empty(), "{} without a message", f.code);
        for span in std::iter::once(f.span).chain(f.related.iter().map(|r| r.span)) {
            let Some(file) = ws.sources.files.get(span.file as usize) else {
                panic!("{} points at file {} of {}", f.code, span.file, ws.sources.files.len())
            };
            let text = &file.text;
            let (start, end) = (span.start as usize, span.end as usize);
            assert!(start <= end && end <= text.len(), "{} span {start}..{end} outside {} bytes: {}", f.code, text.len(), f.message);
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "{} span {start}..{end} splits a character: {}", f.code, f.message);
        }
    }
}

/// Parser and model: one file.
pub fn parse(data: &[u8]) {
    let ws = load_texts(PathBuf::from("."), vec![("fuzz.esc".into(), data.to_vec())]);
    assert_located(&ws);
}

/// Lines of a text (a final line without a newline counts): JSON counts
/// LF, YAML also CR (CR LF is one break).
fn physical_lines(data: &[u8], format: Format) -> usize {
    match format {
        Format::Yaml => 1 + data.iter().enumerate().filter(|&(i, &b)| b == b'\n' || (b == b'\r' && data.get(i + 1) != Some(&b'\n'))).count(),
        _ => 1 + data.iter().filter(|&&b| b == b'\n').count(),
    }
}

fn timeline(data: &[u8], format: Format) {
    let lines = physical_lines(data, format);
    let tl = match Timeline::from_reader(Cursor::new(data.to_vec()), format, chrono_tz::UTC, 60, "fuzz") {
        Ok(tl) => tl,
        Err(OpenError::Syntax { line, .. }) => {
            assert!(line <= lines + 1, "syntax error at line {line} of {lines}");
            return;
        }
        Err(_) => return,
    };
    let mut items = 0;
    let mut last_event = None;
    let mut last_rejected = 0;
    let mut any_event = false;
    for item in tl {
        items += 1;
        match item {
            Ok(e) => {
                assert!(e.line <= lines, "event at line {} of {lines}", e.line);
                if let Some(l) = last_event {
                    assert!((e.at, e.seq) >= l, "events out of order");
                }
                last_event = Some((e.at, e.seq));
                any_event = true;
                if let EventKind::Alert(a) = &e.kind {
                    assert!(!a.service.trim().is_empty(), "an alert without a service was accepted");
                }
            }
            Err(r) => {
                assert!(r.line <= lines, "rejection at line {} of {lines}", r.line);
                assert!(!r.reason.is_empty());
                assert!(r.line >= last_rejected, "rejections out of line order");
                last_rejected = r.line;
                // documents hand out their rejections before any event
                if format != Format::JsonLines {
                    assert!(!any_event, "a rejection after the events of a document");
                }
            }
        }
    }
    if format == Format::JsonLines {
        assert!(items <= lines, "{items} items from {lines} lines");
    }
}

/// JSON Lines timeline reader (fast path and general reader).
pub fn timeline_jsonl(data: &[u8]) {
    timeline(data, Format::JsonLines)
}

/// JSON document timeline reader.
pub fn timeline_json(data: &[u8]) {
    timeline(data, Format::Json)
}

/// YAML document timeline reader.
pub fn timeline_yaml(data: &[u8]) {
    timeline(data, Format::Yaml)
}

const PRELUDE: &str = r#"org o { tz "Etc/GMT-3" severities crit "P1" "critical", major "P2", minor, info }
person a { email "a@example.com" }
team t0 { members a }
team t1 { members a }
policy p0 { tier one { notify person a } }
policy p1 { tier one { notify person a } }
policy p2 { tier one { notify person a } }
hours h0 { tz "UTC" mon-fri 09:00-17:00, sat 22:00-02:00 }
hours h1 { tz "Asia/Kolkata" sun-tue 23:30-24:00 }
service api { owner t0 policy p2 labels region "eu", env "prod", region "us" }
service web { owner t1 labels "app.kubernetes.io/name" "web" }
service db { owner t0 policy p1 }
"#;

/// Route conditions: the first line of the input is a condition `C`, the
/// other lines are JSON Lines alerts. Routes `yes { when C to policy p0
/// continue }` and `no { when not (C) to policy p1 }` must split every
/// alert: exactly one matches.
pub fn condition(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (cond, rest) = text.split_once('\n').unwrap_or((&text, ""));
    let src = format!("{PRELUDE}routes {{\nroute yes {{ when {cond}\n to policy p0 continue }}\nroute no {{ when not ({cond}\n) to policy p1 }}\n}}\n");
    let ws = load_texts(PathBuf::from("."), vec![("fuzz.esc".into(), src.into_bytes())]);
    assert_located(&ws);
    let m = &ws.model;
    // the condition may have broken out of its route: then it is not one
    if has_model_errors(&ws) || m.routes.len() != 2 || m.routes[0].name.name != "yes" || m.routes[1].name.name != "no" {
        return;
    }
    let table = RouteTable::new(m);
    let mut scratch = table.scratch();
    let mut out = RouteOutcome::default();
    let mut alerts: Vec<(AlertEvent, i64)> = Vec::new();
    if let Ok(tl) = Timeline::from_reader(Cursor::new(rest.as_bytes().to_vec()), Format::JsonLines, chrono_tz::UTC, i64::MAX / 4, "fuzz") {
        for e in tl.flatten().take(64) {
            if let EventKind::Alert(a) = e.kind {
                alerts.push((*a, e.at));
            }
        }
    }
    if alerts.is_empty() {
        // a few of every kind: known and unknown services, with and
        // without severity and labels, at instants across a week
        for (i, service) in ["api", "web", "db", "ghost"].into_iter().enumerate() {
            let mut a = AlertEvent { id: format!("A{i}"), service: service.into(), ..Default::default() };
            if i % 2 == 0 {
                a.severity = Some(["crit", "P2", "minor", "bogus"][i].into());
                a.summary = Some("disk full on eu-1".into());
                a.labels.insert("region", "us");
            }
            alerts.push((a, 1_782_864_000 + i as i64 * 97_200));
        }
    }
    let p0 = m.ns_policy.get("p0");
    let p1 = m.ns_policy.get("p1");
    for (a, at) in &alerts {
        let rank = a.severity.as_deref().and_then(|s| m.read_severity(s));
        table.evaluate(m, a, rank, *at, &mut scratch, &mut out);
        let yes = out.matched == [0] && out.policy == p0 && out.decided_by == Some(0);
        let no = out.matched == [1] && out.policy == p1 && out.decided_by == Some(1);
        assert!(yes ^ no, "`{cond}` and `not ({cond})` for {a:?} at {at}: {out:?}");
    }
}
