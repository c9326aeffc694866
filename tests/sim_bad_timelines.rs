//! Bad timelines through the binary (SPEC §5 "Timeline", "Rejected events",
//! "Order and memory", "Metrics"; §4 "Exit status"): truncated files, wrong
//! types, unknown services, acks before alerts, duplicate ids, times without
//! a zone, events out of order, and 1 % garbage among good events. Every
//! rejected event is reported as `FILE:LINE: rejected: REASON` and counted in
//! `rejected_events`; the good events give the metrics they give alone;
//! nothing panics.
//!
//! The workspace is fixtures/sim/bad/workspace (fixed people, two policies,
//! services `api` and `web`, org tz Europe/Berlin). Timelines are written by
//! each test into a temporary directory, which is also the working
//! directory of the run, so the binary names the timeline by its file name.

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const WS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/sim/bad/workspace");

// ---------------------------------------------------------------------------
// running the binary

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Run `escalade ARGS` in `cwd`, with `stdin` piped in when given. Never a
/// panic (exit 101), never a signal.
fn escalade(cwd: &Path, args: &[&str], stdin: Option<Vec<u8>>) -> Out {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_escalade"));
    cmd.current_dir(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let mut child = cmd.spawn().expect("the binary runs");
    let writer = stdin.map(|bytes| {
        let mut w = child.stdin.take().expect("stdin");
        std::thread::spawn(move || {
            let _ = w.write_all(&bytes);
        })
    });
    let out = child.wait_with_output().expect("the binary ends");
    if let Some(w) = writer {
        w.join().expect("stdin writer");
    }
    let o = Out {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(o.code.is_some(), "killed by a signal: {args:?}\n{}", o.stderr);
    assert_ne!(o.code, Some(101), "panic (exit 101): {args:?}\n{}", o.stderr);
    assert!(!o.stderr.contains("panicked"), "panic: {args:?}\n{}", o.stderr);
    o
}

/// `simulate WS --timeline NAME --format json EXTRA…` in `dir`.
fn sim(dir: &Path, name: &str, extra: &[&str]) -> Out {
    let mut args = vec!["simulate", WS, "--timeline", name, "--format", "json"];
    args.extend_from_slice(extra);
    escalade(dir, &args, None)
}

/// The JSON report of a run that must succeed (exit 0, valid JSON on stdout).
fn report(o: &Out) -> Value {
    assert_eq!(o.code, Some(0), "stderr:\n{}", o.stderr);
    serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", o.stdout))
}

/// Write a timeline into a fresh temporary directory.
fn timeline(name: &str, bytes: impl AsRef<[u8]>) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join(name), bytes).expect("write timeline");
    d
}

/// `FILE:LINE: rejected[ (side)]: REASON` lines of stderr naming `file`:
/// (line, side, reason), in stderr order.
fn rejections(stderr: &str, file: &str) -> Vec<(usize, Option<String>, String)> {
    let mut out = Vec::new();
    for l in stderr.lines() {
        let Some(rest) = l.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else { continue };
        let Some((line, rest)) = rest.split_once(": rejected") else { continue };
        let line: usize = line.parse().unwrap_or_else(|_| panic!("no line number in {l:?}"));
        let (side, reason) = if let Some(r) = rest.strip_prefix(": ") {
            (None, r)
        } else {
            let r = rest.strip_prefix(" (").unwrap_or_else(|| panic!("malformed: {l:?}"));
            let (side, reason) = r.split_once("): ").unwrap_or_else(|| panic!("malformed: {l:?}"));
            (Some(side.to_string()), reason)
        };
        out.push((line, side, reason.to_string()));
    }
    // nothing else on stderr looks like a rejection
    let all = stderr.lines().filter(|l| l.contains(": rejected")).count();
    assert_eq!(all, out.len(), "rejections of another file?\n{stderr}");
    out
}

/// Just the reader's rejections as (line, reason).
fn rejected(stderr: &str, file: &str) -> Vec<(usize, String)> {
    rejections(stderr, file)
        .into_iter()
        .map(|(line, side, reason)| {
            assert_eq!(side, None, "a single workspace names no side");
            (line, reason)
        })
        .collect()
}

fn notes(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("note: ")).collect()
}

/// The report without `rejected_events` (which appears only in the totals).
fn without_rejected(r: &Value) -> Value {
    let mut r = r.clone();
    r["metrics"].as_object_mut().expect("metrics").remove("rejected_events");
    r
}

/// A metric of a report (it must be there).
fn m<'a>(r: &'a Value, key: &str) -> &'a Value {
    r["metrics"].get(key).unwrap_or_else(|| panic!("no metric {key}"))
}

/// Assert that the rejections are exactly `expected` (line, reason
/// fragment), in line order, and that `rejected_events` counts them.
fn assert_rejected(o: &Out, file: &str, expected: &[(usize, &str)]) -> Value {
    let r = report(o);
    let got = rejected(&o.stderr, file);
    let lines: Vec<usize> = got.iter().map(|(l, _)| *l).collect();
    let want: Vec<usize> = expected.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, want, "rejected lines\n{}", o.stderr);
    for ((line, reason), (_, frag)) in got.iter().zip(expected) {
        assert!(reason.contains(frag), "line {line}: reason {reason:?} should name {frag:?}");
    }
    assert_eq!(m(&r, "rejected_events"), &Value::from(expected.len()), "{}", o.stderr);
    r
}

// ---------------------------------------------------------------------------
// the workspace

#[test]
fn the_workspace_passes_check() {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    let o = escalade(here, &["check", WS, "--from", "2026-07-01T00:00:00Z", "--format", "json"], None);
    assert_eq!(o.code, Some(0), "{}{}", o.stdout, o.stderr);
    let r: Value = serde_json::from_str(&o.stdout).expect("json");
    assert_eq!(r["errors"], 0, "{}", o.stdout);
}

// ---------------------------------------------------------------------------
// truncated files

const GOOD3: &str = concat!(
    r#"{"at":"2026-07-01T10:00:00Z","alert":"A1","service":"api","severity":"sev1"}"#,
    "\n",
    r#"{"at":"2026-07-01T10:02:00Z","ack":"A1","by":"ann"}"#,
    "\n",
    r#"{"at":"2026-07-01T10:30:00Z","resolve":"A1"}"#,
    "\n",
);

/// The metrics of GOOD3: one incident, acked by ann after 2m, resolved
/// after 30m.
fn assert_good3(r: &Value) {
    assert_eq!(m(r, "alerts"), 1);
    assert_eq!(m(r, "incidents"), 1);
    assert_eq!(m(r, "acknowledged"), 1);
    assert_eq!(m(r, "mtta_s"), 120.0);
    assert_eq!(m(r, "mttr_s"), 1800.0);
    assert_eq!(m(r, "pages"), 1);
    assert_eq!(m(r, "stale_events"), 0);
}

#[test]
fn truncated_json_lines_reject_the_cut_line_and_keep_the_rest() {
    let cut = r#"{"at":"2026-07-01T11:00:00Z","alert":"A2","service":"api","sev"#;
    let d = timeline("t.jsonl", format!("{GOOD3}{cut}"));
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &[(4, "truncated")]);
    assert_good3(&r);

    // cut inside a multi-byte character: still line 4, still counted
    let cut = "{\"at\":\"2026-07-01T11:00:00Z\",\"alert\":\"A2\",\"service\":\"api\",\"summary\":\"caf\u{e9}\"}";
    let bytes = [GOOD3.as_bytes(), &cut.as_bytes()[..cut.len() - 3]].concat();
    let d = timeline("t.jsonl", bytes);
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &[(4, "")]);
    assert_good3(&r);

    // every cut of the last line is that line, rejected; the rest counted
    let last = r#"{"at":"2026-07-01T11:00:00Z","alert":"A2","service":"api","severity":"sev1"}"#;
    for n in 1..last.len() {
        let d = timeline("t.jsonl", format!("{GOOD3}{}", &last[..n]));
        let o = sim(d.path(), "t.jsonl", &[]);
        let r = assert_rejected(&o, "t.jsonl", &[(4, "")]);
        assert_good3(&r);
    }
}

/// `error: FILE:LINE: …` of a timeline that cannot be opened.
fn open_error_line(o: &Out, file: &str) -> usize {
    open_error(o, file).unwrap_or_else(|| panic!("no line number in\n{}", o.stderr))
}

/// `error: FILE:LINE: …` (Some(LINE)) or `error: FILE: …` (None, a problem
/// of the whole document) of a timeline that cannot be opened: exit 2, no
/// report.
fn open_error(o: &Out, file: &str) -> Option<usize> {
    assert_eq!(o.code, Some(2), "a timeline that cannot be read is exit 2\n{}{}", o.stdout, o.stderr);
    assert!(o.stdout.is_empty(), "no report: {}", o.stdout);
    let prefix = format!("error: {file}:");
    let l = o.stderr.lines().find(|l| l.starts_with(&prefix)).unwrap_or_else(|| panic!("no `{prefix}` in\n{}", o.stderr));
    let rest = &l[prefix.len()..];
    if rest.starts_with(' ') {
        return None;
    }
    let (n, _) = rest.split_once(':').unwrap_or_else(|| panic!("no line in {l:?}"));
    Some(n.parse().unwrap_or_else(|_| panic!("no line number in {l:?}")))
}

/// The line where the input ends: a position in the file (the line after
/// the last newline counts, as an editor shows it).
fn eof_line(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count() + 1
}

const JSON_DOC: &str = r#"{"events": [
  {"at": "2026-07-01T10:00:00Z", "alert": "A1", "service": "api", "severity": "sev1"},
  {"at": "2026-07-01T10:02:00Z", "ack": "A1", "by": "ann"},
  {"at": "2026-07-01T10:30:00Z", "resolve": "A1"},
  {"at": "2026-07-01T11:00:00Z", "alert": "A2", "service": "api", "severity": "sev1"}
]}
"#;

const YAML_DOC: &str = r#"# four events
events:
  - { at: 2026-07-01T10:00:00Z, alert: A1, service: api, severity: sev1 }
  - { at: 2026-07-01T10:02:00Z, ack: A1, by: ann }
  - at: 2026-07-01T10:30:00Z
    resolve: A1
  - { at: 2026-07-01T11:00:00Z, alert: A2, service: api, severity: sev1, summary: "checkout 500s" }
"#;

#[test]
fn complete_documents_read_fine() {
    for (name, text) in [("t.json", JSON_DOC), ("t.yaml", YAML_DOC)] {
        let d = timeline(name, text);
        let r = report(&sim(d.path(), name, &[]));
        assert_eq!(m(&r, "alerts"), 2, "{name}");
        assert_eq!(m(&r, "rejected_events"), 0, "{name}");
        assert_eq!(m(&r, "mtta_s"), 120.0, "{name}");
    }
}

/// An empty file — or one of blanks only — is an empty timeline in every
/// format: a notice, exit 0, and zero metrics; from stdin too.
#[test]
fn an_empty_timeline_is_a_notice_in_every_format() {
    for (name, text) in [("t.json", ""), ("t.json", " \n\n"), ("t.yaml", ""), ("t.yaml", "\n"), ("t.jsonl", ""), ("t.jsonl", "\n  \n")] {
        let d = timeline(name, text);
        let o = sim(d.path(), name, &[]);
        let r = report(&o);
        assert_eq!(notes(&o.stderr), vec![format!("note: {name}: the timeline is empty").as_str()], "{name} {text:?}");
        assert_eq!((m(&r, "alerts"), m(&r, "rejected_events")), (&Value::from(0), &Value::from(0)), "{name} {text:?}");
    }
    let d = tempfile::tempdir().expect("tempdir");
    let o = escalade(d.path(), &["simulate", WS, "--timeline", "-", "--format", "json"], Some(Vec::new()));
    report(&o);
    assert_eq!(notes(&o.stderr), vec!["note: -: the timeline is empty"]);
    // a line that is rejected is not an empty timeline
    let d = timeline("t.jsonl", "{\"bad\": 1}\n");
    let o = sim(d.path(), "t.jsonl", &[]);
    assert_eq!(m(&report(&o), "rejected_events"), 1);
    assert!(notes(&o.stderr).is_empty(), "{}", o.stderr);
}

#[test]
fn truncated_json_document_exits_2_naming_file_and_line() {
    // cut in the middle of the last event: that line
    let cut = &JSON_DOC[..JSON_DOC.find(r#""alert": "A2""#).expect("A2")];
    let d = timeline("t.json", cut);
    assert_eq!(open_error_line(&sim(d.path(), "t.json", &[]), "t.json"), 5);
    // every cut before the closing brace: exit 2, a line of the file
    let end = JSON_DOC.rfind('}').expect("closing brace");
    for n in 1..=end {
        let text = &JSON_DOC[..n];
        let d = timeline("t.json", text);
        let line = open_error_line(&sim(d.path(), "t.json", &[]), "t.json");
        assert!((1..=eof_line(text)).contains(&line), "cut at byte {n}: line {line} is not in the file:\n{text}");
    }
}

#[test]
fn truncated_yaml_document_exits_2_or_reads_what_is_there_never_panics() {
    // a cut YAML document either does not parse (exit 2, FILE:LINE) or is a
    // shorter valid document (exit 0, a JSON report)
    for n in 1..YAML_DOC.len() {
        let text = &YAML_DOC[..n];
        let d = timeline("t.yaml", text);
        let o = sim(d.path(), "t.yaml", &[]);
        match o.code {
            Some(2) => {
                if let Some(line) = open_error(&o, "t.yaml") {
                    assert!(line >= 1, "cut at byte {n}: {}", o.stderr);
                }
            }
            Some(0) => {
                let r = report(&o);
                assert!(m(&r, "alerts").as_u64().expect("count") <= 2);
            }
            other => panic!("cut at byte {n}: exit {other:?}\n{}", o.stderr),
        }
    }
}

#[test]
fn truncated_yaml_document_names_a_line_of_the_file() {
    // cut in the middle of the last event, no final newline: line 7
    let cut = &YAML_DOC[..YAML_DOC.find("alert: A2").expect("A2")];
    assert_eq!(eof_line(cut), 7);
    let d = timeline("t.yaml", cut);
    assert_eq!(open_error_line(&sim(d.path(), "t.yaml", &[]), "t.yaml"), 7, "the cut line");
    // every cut that does not parse names a line of the file
    for n in 1..YAML_DOC.len() {
        let text = &YAML_DOC[..n];
        let d = timeline("t.yaml", text);
        let o = sim(d.path(), "t.yaml", &[]);
        if o.code == Some(2) {
            if let Some(line) = open_error(&o, "t.yaml") {
                assert!((1..=eof_line(text)).contains(&line), "cut at byte {n}: line {line} is past the end of\n{text}");
            }
        }
    }
}

// ---------------------------------------------------------------------------
// wrong types

/// Good events around the bad ones: G1 (api, sev1) acked by ann after 2m and
/// resolved after 30m; G2 (web, sev3, number and boolean labels) open.
fn assert_good_pair(r: &Value) {
    assert_eq!(m(r, "alerts"), 2);
    assert_eq!(m(r, "incidents"), 2);
    assert_eq!(m(r, "acknowledged"), 1);
    assert_eq!(m(r, "mtta_s"), 120.0);
    assert_eq!(m(r, "mttr_s"), 1800.0);
    assert_eq!(m(r, "open_at_end"), 1);
    assert_eq!(m(r, "stale_events"), 0);
    let services: Vec<&String> = r["by_service"].as_object().expect("by_service").keys().collect();
    assert_eq!(services, ["api", "web"]);
}

/// Bad JSON Lines events: (line, what the reason must say).
const BAD_JSONL: &[(&str, &str)] = &[
    (r#"{"at":1782900000,"alert":"B1","service":"api"}"#, "`at` must be an RFC 3339 time string, not a number"),
    (r#"{"at":true,"alert":"B1b","service":"api"}"#, "`at` must be an RFC 3339 time string, not a boolean"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B2","service":["api","web"]}"#, "`service` must be text, not a list"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B2b","service":{"name":"api"}}"#, "`service` must be text, not a map"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B3","service":"api","labels":{"region":{"name":"eu"}}}"#, "label `region` has a nested value"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B3b","service":"api","labels":{"k":[1,2]}}"#, "label `k` has a nested value"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B4","service":"api","labels":{"region":null}}"#, "label `region` is null"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B5","ack":"B5","service":"api"}"#, "`alert` and `ack`"),
    (r#"{"at":"2026-07-01T10:01:00Z","ack":"G1","resolve":"G1"}"#, "`ack` and `resolve`"),
    (r#"{"at":"2026-07-01T10:01:00Z","service":"api","severity":"sev1"}"#, "none of `alert`, `ack`, `resolve`"),
    (r#"{"at":"2026-07-01T10:01:00Z","page":"B7"}"#, "unknown event kind (`page`)"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B8","service":"api","service":"web"}"#, "key `service` is given twice"),
    (r#"{"at":"2026-07-01T10:01:00Z","at":"2026-07-01T10:02:00Z","resolve":"G1"}"#, "key `at` is given twice"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B9","service":"api","labels":{"a":"1","a":"2"}}"#, "label `a` is given twice"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B10","service":"api","labels":["a","b"]}"#, "`labels` must be a map, not a list"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B11","service":"api","labels":"region=eu"}"#, "`labels` must be a map, not a string"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B12","service":"api","summary":{"x":1}}"#, "`summary` must be text, not a map"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B13","service":"api","severity":["sev1"]}"#, "`severity` must be text, not a list"),
    (r#"{"at":"2026-07-01T10:01:00Z","ack":"G1","by":["ann"]}"#, "`by` must be text, not a list"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":["B14"],"service":"api"}"#, "`alert` must be an id"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":true,"service":"api"}"#, "`alert` must be an id"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":1.5,"service":"api"}"#, "`alert` must be an id"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"","service":"api"}"#, "`alert` id is empty"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B15"}"#, "alert `B15` has no `service`"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B16","service":null}"#, "alert `B16` has no `service`"),
    (r#"{"at":"2026-07-01T10:01:00Z","alert":"B17","service":""}"#, "alert `B17` has an empty `service`"),
    (r#"{"alert":"B18","service":"api"}"#, "missing `at`"),
    (r#"{"at":null,"alert":"B19","service":"api"}"#, "missing `at`"),
    (r#"{"at":"yesterday","alert":"B20","service":"api"}"#, "`yesterday` is not a time"),
    (r#"{"at":"2026-07-01","alert":"B21","service":"api"}"#, "`2026-07-01` is not a time"),
    (r#"{"at":"2026-07-01T10:01:00+25:00","alert":"B22","service":"api"}"#, "is not a time"),
    (r#"{"at":"2026-02-30T10:01:00Z","alert":"B23","service":"api"}"#, "is not a time"),
];

#[test]
fn wrong_types_in_json_lines_are_each_rejected_with_their_line() {
    let good = [
        r#"{"at":"2026-07-01T10:00:00Z","alert":"G1","service":"api","severity":"sev1"}"#,
        r#"{"at":"2026-07-01T10:02:00Z","ack":"G1","by":"ann"}"#,
        r#"{"at":"2026-07-01T10:05:00Z","alert":"G2","service":"web","severity":"sev3","labels":{"n":500,"b":true}}"#,
        r#"{"at":"2026-07-01T10:30:00Z","resolve":"G1"}"#,
    ];
    // good, bad, bad, good, bad, … so that every bad line sits among good ones
    let mut lines: Vec<&str> = Vec::new();
    let mut expected: Vec<(usize, &str)> = Vec::new();
    let mut good_it = good.iter();
    for (i, (bad, why)) in BAD_JSONL.iter().enumerate() {
        if i % 8 == 0 {
            if let Some(g) = good_it.next() {
                lines.push(g);
            }
        }
        lines.push(bad);
        expected.push((lines.len(), why));
    }
    lines.extend(good_it);
    let d = timeline("t.jsonl", lines.join("\n") + "\n");
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &expected);
    assert_good_pair(&r);
    assert!(notes(&o.stderr).is_empty(), "rejected events give no notices: {}", o.stderr);
}

/// One event of a document: its text (one or more lines, without the list
/// marker) and, for a bad one, what the reason must say.
type DocEvent = (&'static str, Option<&'static str>);

/// The same good and bad events for YAML and JSON documents; multi-line
/// events are reported at their first line.
const DOC_EVENTS_YAML: &[DocEvent] = &[
    ("{ at: 2026-07-01T10:00:00Z, alert: G1, service: api, severity: sev1 }", None),
    ("{ at: 1782900000, alert: B1, service: api }", Some("`at` must be an RFC 3339 time string, not a number")),
    ("{ at: 2026-07-01T10:01:00Z, alert: B2, service: [api, web] }", Some("`service` must be text, not a list")),
    ("at: 2026-07-01T10:01:00Z\n    alert: B3\n    service: api\n    labels:\n      region: { name: eu }", Some("label `region` has a nested value")),
    ("{ at: 2026-07-01T10:02:00Z, ack: G1, by: ann }", None),
    ("{ at: 2026-07-01T10:01:00Z, alert: B4, service: api, labels: { region: null } }", Some("label `region` is null")),
    ("{ at: 2026-07-01T10:01:00Z, alert: B4b, service: api, labels: { region: ~ } }", Some("label `region` is null")),
    ("{ at: 2026-07-01T10:01:00Z, alert: B5, ack: B5, service: api }", Some("`alert` and `ack`")),
    ("{ at: 2026-07-01T10:01:00Z, service: api, severity: sev1 }", Some("none of `alert`, `ack`, `resolve`")),
    ("at: 2026-07-01T10:01:00Z\n    alert: B8\n    service: api\n    service: web", Some("key `service` is given twice")),
    ("{ at: 2026-07-01T10:05:00Z, alert: G2, service: web, severity: sev3, labels: { n: 500, b: true } }", None),
    ("null", Some("an event must be a map, not null")),
    ("[G9]", Some("an event must be a map, not a list")),
    ("{ at: 2026-07-01T10:01:00Z, alert: B9, service: api, summary: [a, b] }", Some("`summary` must be text, not a list")),
    ("{ at: 2026-07-01T10:30:00Z, resolve: G1 }", None),
];

const DOC_EVENTS_JSON: &[DocEvent] = &[
    (r#"{"at": "2026-07-01T10:00:00Z", "alert": "G1", "service": "api", "severity": "sev1"}"#, None),
    (r#"{"at": 1782900000, "alert": "B1", "service": "api"}"#, Some("`at` must be an RFC 3339 time string, not a number")),
    (r#"{"at": "2026-07-01T10:01:00Z", "alert": "B2", "service": ["api", "web"]}"#, Some("`service` must be text, not a list")),
    ("{\n    \"at\": \"2026-07-01T10:01:00Z\",\n    \"alert\": \"B3\",\n    \"service\": \"api\",\n    \"labels\": {\"region\": {\"name\": \"eu\"}}\n  }", Some("label `region` has a nested value")),
    (r#"{"at": "2026-07-01T10:02:00Z", "ack": "G1", "by": "ann"}"#, None),
    (r#"{"at": "2026-07-01T10:01:00Z", "alert": "B4", "service": "api", "labels": {"region": null}}"#, Some("label `region` is null")),
    (r#"{"at": "2026-07-01T10:01:00Z", "alert": "B5", "ack": "B5", "service": "api"}"#, Some("`alert` and `ack`")),
    (r#"{"at": "2026-07-01T10:01:00Z", "service": "api", "severity": "sev1"}"#, Some("none of `alert`, `ack`, `resolve`")),
    ("{\"at\": \"2026-07-01T10:01:00Z\", \"alert\": \"B8\",\n   \"service\": \"api\", \"service\": \"web\"}", Some("key `service` is given twice")),
    (r#"{"at": "2026-07-01T10:05:00Z", "alert": "G2", "service": "web", "severity": "sev3", "labels": {"n": 500, "b": true}}"#, None),
    ("null", Some("an event must be a map, not null")),
    (r#"["G9"]"#, Some("an event must be a map, not a list")),
    (r#""G10""#, Some("an event must be a map, not a string")),
    (r#"{"at": "2026-07-01T10:01:00Z", "alert": "B9", "service": "api", "summary": ["a", "b"]}"#, Some("`summary` must be text, not a list")),
    (r#"{"at": "2026-07-01T10:30:00Z", "resolve": "G1"}"#, None),
];

/// A YAML document `events:` with one item per event; returns the text and
/// the expected (line, reason) of the bad ones.
fn yaml_doc(events: &[DocEvent]) -> (String, Vec<(usize, &'static str)>) {
    let mut text = String::from("# a timeline with bad events\nevents:\n");
    let mut expected = Vec::new();
    for (i, (ev, bad)) in events.iter().enumerate() {
        if i % 5 == 3 {
            text.push_str("  # a comment\n\n");
        }
        let line = text.lines().count() + 1;
        if let Some(why) = bad {
            expected.push((line, *why));
        }
        text.push_str(&format!("  - {ev}\n"));
    }
    (text, expected)
}

fn json_doc(events: &[DocEvent]) -> (String, Vec<(usize, &'static str)>) {
    let mut text = String::from("{\n \"events\": [\n");
    let mut expected = Vec::new();
    for (i, (ev, bad)) in events.iter().enumerate() {
        if i > 0 {
            text.push_str(",\n");
        }
        if i % 5 == 3 {
            text.push('\n');
        }
        let line = text.lines().count() + 1 - usize::from(!text.ends_with('\n'));
        if let Some(why) = bad {
            expected.push((line, *why));
        }
        text.push_str("  ");
        text.push_str(ev);
    }
    text.push_str("\n ]\n}\n");
    (text, expected)
}

#[test]
fn wrong_types_in_a_yaml_document_are_each_rejected_with_their_line() {
    let (text, expected) = yaml_doc(DOC_EVENTS_YAML);
    let d = timeline("t.yaml", &text);
    let o = sim(d.path(), "t.yaml", &[]);
    let r = assert_rejected(&o, "t.yaml", &expected);
    assert_good_pair(&r);
}

#[test]
fn wrong_types_in_a_json_document_are_each_rejected_with_their_line() {
    let (text, expected) = json_doc(DOC_EVENTS_JSON);
    let d = timeline("t.json", &text);
    let o = sim(d.path(), "t.json", &[]);
    let r = assert_rejected(&o, "t.json", &expected);
    assert_good_pair(&r);
}

#[test]
fn yaml_documents_in_other_layouts_still_give_line_numbers() {
    let cases: [(&str, usize); 4] = [
        // a flow sequence
        ("events: [\n  {at: 2026-07-01T10:00:00Z, alert: G1, service: api},\n  {at: 1, alert: B1, service: api}\n]\n", 3),
        // a JSON document saved as .yaml (JSON is YAML)
        ("{\"events\": [\n  {\"at\": \"2026-07-01T10:00:00Z\", \"alert\": \"G1\", \"service\": \"api\"},\n  {\"at\": 1, \"alert\": \"B1\", \"service\": \"api\"}\n]}\n", 3),
        // a quoted string over two lines whose second line looks like an item
        ("events:\n  - {at: 2026-07-01T10:00:00Z, alert: G1, service: api, summary: \"a\n  - b\"}\n  - {at: 1, alert: B1, service: api}\n", 4),
        // `events` nested under a document start and indented items
        ("---\nevents:\n    -   at: 2026-07-01T10:00:00Z\n        alert: G1\n        service: api\n    -   {at: 1, alert: B1, service: api}\n", 6),
    ];
    let mut failures = Vec::new();
    for (text, line) in cases {
        let d = timeline("t.yaml", text);
        let o = sim(d.path(), "t.yaml", &[]);
        let r = report(&o);
        assert_eq!(m(&r, "alerts"), 1, "{text}");
        let got = rejected(&o.stderr, "t.yaml");
        if got.iter().map(|(l, _)| *l).collect::<Vec<_>>() != [line] {
            failures.push(format!("{text:?}: expected line {line}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------
// unknown services, acks before alerts, duplicate ids

#[test]
fn unknown_services_are_unrouted_incidents_not_rejections() {
    let jsonl = concat!(
        r#"{"at":"2026-07-01T10:00:00Z","alert":"U1","service":"no-such-service","severity":"sev1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:01:00Z","alert":"U2","service":"Api","severity":"sev2"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:02:00Z","alert":"A1","service":"api","severity":"sev2"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:03:00Z","resolve":"U1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:04:00Z","alert":"U3","service":"no-such-service","severity":"sev5"}"#,
        "\n",
    );
    let yaml = "events:\n\
        \x20 - { at: 2026-07-01T10:00:00Z, alert: U1, service: no-such-service, severity: sev1 }\n\
        \x20 - { at: 2026-07-01T10:01:00Z, alert: U2, service: Api, severity: sev2 }\n\
        \x20 - { at: 2026-07-01T10:02:00Z, alert: A1, service: api, severity: sev2 }\n\
        \x20 - { at: 2026-07-01T10:03:00Z, resolve: U1 }\n\
        \x20 - { at: 2026-07-01T10:04:00Z, alert: U3, service: no-such-service, severity: sev5 }\n";
    let mut reports = Vec::new();
    for (name, text) in [("t.jsonl", jsonl), ("t.yaml", yaml)] {
        let d = timeline(name, text);
        let o = sim(d.path(), name, &[]);
        let r = assert_rejected(&o, name, &[]);
        assert_eq!(m(&r, "alerts"), 4, "{name}");
        // U3 is sev5: suppressed by the routes, even for an unknown service
        assert_eq!(m(&r, "suppressed"), 1, "{name}");
        assert_eq!(m(&r, "incidents"), 3, "{name}");
        assert_eq!(m(&r, "unrouted"), 2, "{name}: U1 and U2 (service names are case-sensitive)");
        assert_eq!(m(&r, "mttr_s"), 180.0, "{name}: U1 resolved after 3m");
        let bs = &r["by_service"];
        let services: Vec<&String> = bs.as_object().expect("by_service").keys().collect();
        assert_eq!(services, ["Api", "api", "no-such-service"], "{name}");
        assert_eq!(bs["no-such-service"]["alerts"], 2, "{name}");
        assert_eq!(bs["no-such-service"]["unrouted"], 1, "{name}");
        assert_eq!(bs["no-such-service"]["suppressed"], 1, "{name}");
        assert_eq!(bs["Api"]["unrouted"], 1, "{name}");
        assert_eq!(bs["api"]["unrouted"], 0, "{name}");
        // unrouted incidents appear only in by_service
        let policies: Vec<&String> = r["by_policy"].as_object().expect("by_policy").keys().collect();
        assert_eq!(policies, ["ops-critical"], "{name}");
        reports.push(r);
    }
    assert_eq!(reports[0], reports[1], "JSON Lines and YAML agree");
}

#[test]
fn acks_and_resolves_before_their_alert_are_stale_not_rejected() {
    // earlier in time: stale. Earlier in the file but later in time (within
    // the reorder window): re-sorted, so they apply.
    let jsonl = concat!(
        r#"{"at":"2026-07-01T09:59:00Z","ack":"A1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01T09:59:30Z","resolve":"A1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:03:00Z","ack":"A1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:00:00Z","ack":"A1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:00:00Z","alert":"A1","service":"api","severity":"sev1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:20:00Z","resolve":"A1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:21:00Z","ack":"A1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:22:00Z","resolve":"NEVER-SEEN"}"#,
        "\n",
    );
    let d = timeline("t.jsonl", jsonl);
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &[]);
    // stale: the ack at 09:59, the resolve at 09:59:30, the ack at 10:00
    // (same instant as the alert but earlier in the file), the ack after
    // the resolve, the resolve of an id never seen
    assert_eq!(m(&r, "stale_events"), 5, "{}", o.stderr);
    assert_eq!(m(&r, "alerts"), 1);
    assert_eq!(m(&r, "acknowledged"), 1, "the ack at 10:03, written before the alert, applies");
    assert_eq!(m(&r, "mtta_s"), 180.0);
    assert_eq!(m(&r, "mttr_s"), 1200.0);
    assert_eq!(m(&r, "lost_responders"), 0);

    // a document is read whole and sorted: the same outcome
    let yaml = "events:\n\
        \x20 - { at: 2026-07-01T09:59:00Z, ack: A1, by: ann }\n\
        \x20 - { at: 2026-07-01T09:59:30Z, resolve: A1 }\n\
        \x20 - { at: 2026-07-01T10:03:00Z, ack: A1, by: ann }\n\
        \x20 - { at: 2026-07-01T10:00:00Z, ack: A1, by: ann }\n\
        \x20 - { at: 2026-07-01T10:00:00Z, alert: A1, service: api, severity: sev1 }\n\
        \x20 - { at: 2026-07-01T10:20:00Z, resolve: A1 }\n\
        \x20 - { at: 2026-07-01T10:21:00Z, ack: A1, by: ann }\n\
        \x20 - { at: 2026-07-01T10:22:00Z, resolve: NEVER-SEEN }\n";
    let d = timeline("t.yaml", yaml);
    let o = sim(d.path(), "t.yaml", &[]);
    let y = assert_rejected(&o, "t.yaml", &[]);
    assert_eq!(y, r, "YAML and JSON Lines agree");
}

#[test]
fn a_repeated_alert_id_of_an_open_incident_is_rejected_and_reusable_after_resolve() {
    let events: [(&str, &str); 10] = [
        (r#"{"at":"2026-07-01T10:00:00Z","alert":"A1","service":"api","severity":"sev1"}"#, "{ at: 2026-07-01T10:00:00Z, alert: A1, service: api, severity: sev1 }"),
        // the same id while A1 is open (unacknowledged): rejected
        (r#"{"at":"2026-07-01T10:02:00Z","alert":"A1","service":"api","severity":"sev1"}"#, "{ at: 2026-07-01T10:02:00Z, alert: A1, service: api, severity: sev1 }"),
        (r#"{"at":"2026-07-01T10:03:00Z","ack":"A1","by":"ann"}"#, "{ at: 2026-07-01T10:03:00Z, ack: A1, by: ann }"),
        // still open (acknowledged, not resolved), another service: rejected
        (r#"{"at":"2026-07-01T10:04:00Z","alert":"A1","service":"web","severity":"sev3"}"#, "{ at: 2026-07-01T10:04:00Z, alert: A1, service: web, severity: sev3 }"),
        (r#"{"at":"2026-07-01T10:10:00Z","resolve":"A1"}"#, "{ at: 2026-07-01T10:10:00Z, resolve: A1 }"),
        // resolved: the id opens a new incident
        (r#"{"at":"2026-07-01T10:20:00Z","alert":"A1","service":"api","severity":"sev2"}"#, "{ at: 2026-07-01T10:20:00Z, alert: A1, service: api, severity: sev2 }"),
        (r#"{"at":"2026-07-01T10:21:00Z","ack":"A1","by":"ann"}"#, "{ at: 2026-07-01T10:21:00Z, ack: A1, by: ann }"),
        // an integer id is kept as its text: `7` and `"7"` are the same id
        (r#"{"at":"2026-07-01T10:22:00Z","alert":7,"service":"web","severity":"sev3"}"#, "{ at: 2026-07-01T10:22:00Z, alert: 7, service: web, severity: sev3 }"),
        (r#"{"at":"2026-07-01T10:23:00Z","alert":"7","service":"web","severity":"sev3"}"#, "{ at: 2026-07-01T10:23:00Z, alert: \"7\", service: web, severity: sev3 }"),
        (r#"{"at":"2026-07-01T10:40:00Z","resolve":"A1"}"#, "{ at: 2026-07-01T10:40:00Z, resolve: A1 }"),
    ];
    let rejected_lines = [2, 4, 9];
    let check = |r: &Value, what: &str| {
        assert_eq!(m(r, "alerts"), 3, "{what}");
        assert_eq!(m(r, "incidents"), 3, "{what}");
        assert_eq!(m(r, "acknowledged"), 2, "{what}");
        assert_eq!(m(r, "mtta_s"), 120.0, "{what}: 3m and 1m");
        assert_eq!(m(r, "mttr_s"), 900.0, "{what}: 10m and 20m");
        assert_eq!(m(r, "open_at_end"), 1, "{what}: alert 7");
        assert_eq!(m(r, "stale_events"), 0, "{what}");
    };
    let why = "repeats an alert of open incident";

    let jsonl: String = events.iter().map(|(j, _)| format!("{j}\n")).collect();
    let d = timeline("t.jsonl", &jsonl);
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &rejected_lines.map(|l| (l, why)));
    check(&r, "jsonl");

    let yaml: String = "events:\n".to_string() + &events.iter().map(|(_, y)| format!("  - {y}\n")).collect::<String>();
    let d = timeline("t.yaml", &yaml);
    let o = sim(d.path(), "t.yaml", &[]);
    let y = assert_rejected(&o, "t.yaml", &rejected_lines.map(|l| (l + 1, why)));
    assert_eq!(y, r, "yaml");

    let json = "{\"events\": [\n".to_string() + &events.iter().map(|(j, _)| *j).collect::<Vec<_>>().join(",\n") + "\n]}\n";
    let d = timeline("t.json", &json);
    let o = sim(d.path(), "t.json", &[]);
    let j = assert_rejected(&o, "t.json", &rejected_lines.map(|l| (l + 1, why)));
    assert_eq!(j, r, "json");

    // a what-if names the side of each engine-side rejection; both count it
    let d = timeline("t.jsonl", format!("{jsonl}null\n"));
    let o = escalade(d.path(), &["simulate", WS, "--against", WS, "--timeline", "t.jsonl", "--format", "json"], None);
    assert_eq!(o.code, Some(0), "{}", o.stderr);
    let w: Value = serde_json::from_str(&o.stdout).expect("json");
    let got = rejections(&o.stderr, "t.jsonl");
    let mut want: Vec<(usize, Option<String>)> = Vec::new();
    for l in rejected_lines {
        want.push((l, Some("candidate".into())));
        want.push((l, Some("baseline".into())));
    }
    want.push((11, None));
    assert_eq!(got.iter().map(|(l, s, _)| (*l, s.clone())).collect::<Vec<_>>(), want, "{}", o.stderr);
    assert_eq!(w["candidate"]["metrics"]["rejected_events"], 4);
    assert_eq!(w["baseline"]["metrics"]["rejected_events"], 4);
    assert_eq!(w["delta"]["metrics"]["rejected_events"], 0);
}

// ---------------------------------------------------------------------------
// times without a zone

#[test]
fn times_without_a_zone_are_read_in_the_org_tz_with_one_notice() {
    // Europe/Berlin is UTC+2 in July: 12:00 local is 10:00Z
    let jsonl = concat!(
        r#"{"at":"2026-07-01T12:00:00","alert":"Z1","service":"api","severity":"sev1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:02:00Z","ack":"Z1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01 12:30","resolve":"Z1"}"#,
        "\n",
        r#"{"at":"2026-07-01t13:00:00.75","alert":"Z2","service":"web","severity":"sev3"}"#,
        "\n",
        r#"{"at":"2026-07-01T11:05:00+00:00","ack":"Z2"}"#,
        "\n",
    );
    let yaml = "events:\n\
        \x20 - { at: 2026-07-01T12:00:00, alert: Z1, service: api, severity: sev1 }\n\
        \x20 - { at: 2026-07-01T10:02:00Z, ack: Z1, by: ann }\n\
        \x20 - { at: 2026-07-01 12:30, resolve: Z1 }\n\
        \x20 - { at: 2026-07-01t13:00:00.75, alert: Z2, service: web, severity: sev3 }\n\
        \x20 - { at: \"2026-07-01T11:05:00+00:00\", ack: Z2 }\n";
    let mut reports = Vec::new();
    for (name, text) in [("t.jsonl", jsonl), ("t.yaml", yaml)] {
        let d = timeline(name, text);
        let o = sim(d.path(), name, &["--trace", "trace.jsonl"]);
        let r = assert_rejected(&o, name, &[]);
        let zone_notes: Vec<&str> = notes(&o.stderr).into_iter().filter(|n| n.contains("org time zone")).collect();
        assert_eq!(zone_notes.len(), 1, "{name}: one notice\n{}", o.stderr);
        assert!(zone_notes[0].contains("Europe/Berlin"), "{}", zone_notes[0]);
        assert!(zone_notes[0].contains("line 1") || zone_notes[0].contains("line 2"), "{}", zone_notes[0]);
        assert_eq!(m(&r, "alerts"), 2, "{name}");
        assert_eq!(m(&r, "acknowledged"), 2, "{name}");
        // Z1: 10:00Z → 10:02Z; Z2: 11:00Z (fraction truncated) → 11:05Z
        assert_eq!(m(&r, "mtta_s"), 210.0, "{name}");
        assert_eq!(m(&r, "mtta_max_s"), 300, "{name}");
        assert_eq!(m(&r, "mttr_s"), 1800.0, "{name}: 12:30 local is 10:30Z");
        let trace = std::fs::read_to_string(d.path().join("trace.jsonl")).expect("trace");
        let opened: Vec<(String, String)> = trace
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).expect("trace record"))
            .filter(|v| v["step"] == "opened")
            .map(|v| (v["incident"].as_str().unwrap_or("").to_string(), v["t"].as_str().unwrap_or("").to_string()))
            .collect();
        assert_eq!(
            opened,
            [("Z1".to_string(), "2026-07-01T10:00:00Z".to_string()), ("Z2".to_string(), "2026-07-01T11:00:00Z".to_string())],
            "{name}"
        );
        reports.push(r);
    }
    assert_eq!(reports[0], reports[1], "JSON Lines and YAML agree");

    // the local-time rules of §2: a spring-forward gap means the first
    // instant after it; an autumn overlap its first occurrence
    let jsonl = concat!(
        r#"{"at":"2026-03-29T02:30:00","alert":"D1","service":"api","severity":"sev1"}"#,
        "\n",
        r#"{"at":"2026-03-29T03:30:00","resolve":"D1"}"#,
        "\n",
        r#"{"at":"2026-10-25T02:30:00","alert":"D2","service":"api","severity":"sev1"}"#,
        "\n",
    );
    let d = timeline("t.jsonl", jsonl);
    let o = sim(d.path(), "t.jsonl", &["--trace", "trace.jsonl"]);
    let r = assert_rejected(&o, "t.jsonl", &[]);
    assert_eq!(notes(&o.stderr).iter().filter(|n| n.contains("org time zone")).count(), 1, "{}", o.stderr);
    assert_eq!(m(&r, "mttr_s"), 1800.0, "02:30 in the gap is 03:00 CEST (01:00Z); 03:30 CEST is 01:30Z");
    let trace = std::fs::read_to_string(d.path().join("trace.jsonl")).expect("trace");
    let opened: Vec<String> = trace
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("trace record"))
        .filter(|v| v["step"] == "opened")
        .map(|v| v["t"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(opened, ["2026-03-29T01:00:00Z", "2026-10-25T00:30:00Z"]);
}

// ---------------------------------------------------------------------------
// order

#[test]
fn out_of_order_json_lines_within_the_window_are_resorted_beyond_it_rejected() {
    let sorted = [
        r#"{"at":"2026-07-01T10:00:00Z","alert":"R1","service":"api","severity":"sev1"}"#,
        r#"{"at":"2026-07-01T10:02:00Z","ack":"R2","by":"ann"}"#,
        r#"{"at":"2026-07-01T10:30:00Z","ack":"R1","by":"bob"}"#,
        r#"{"at":"2026-07-01T11:00:00Z","alert":"R2","service":"api","severity":"sev1"}"#,
        r#"{"at":"2026-07-01T11:10:00Z","resolve":"R2"}"#,
        r#"{"at":"2026-07-01T11:20:00Z","resolve":"R1"}"#,
    ];
    let d = timeline("sorted.jsonl", sorted.join("\n") + "\n");
    let base = report(&sim(d.path(), "sorted.jsonl", &[]));
    assert_eq!(m(&base, "rejected_events"), 0);
    // the ack of R2 at 10:02 comes before R2: stale
    assert_eq!(m(&base, "stale_events"), 1);

    // shuffled by at most 30m: re-sorted, the same report
    let shuffled = [sorted[0], sorted[3], sorted[2], sorted[1], sorted[5], sorted[4]];
    // (10:02 after 11:00 is 58m late: within the default 1h)
    let d = timeline("t.jsonl", shuffled.join("\n") + "\n");
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = assert_rejected(&o, "t.jsonl", &[]);
    assert_eq!(r, base, "re-sorted within the window");

    // a 20m window: the ack at 10:30 (line 3) and the one at 10:02 (line 4)
    // are too late; the rest is processed
    let o = sim(d.path(), "t.jsonl", &["--reorder-window", "20m"]);
    let r = assert_rejected(&o, "t.jsonl", &[(3, "too late for the reorder window"), (4, "too late for the reorder window")]);
    assert_eq!(m(&r, "alerts"), 2);
    assert_eq!(m(&r, "stale_events"), 0);
    assert_eq!(m(&r, "acknowledged"), 0, "both acks were rejected");
    assert_eq!(m(&r, "mttr_s"), 2700.0, "R1 80m, R2 10m");

    // the window is inclusive: exactly 30m late is re-sorted, 30m1s is not
    let edge = concat!(
        r#"{"at":"2026-07-01T10:00:00Z","alert":"E1","service":"api","severity":"sev1"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:40:00Z","alert":"E2","service":"web","severity":"sev3"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:10:00Z","ack":"E1","by":"ann"}"#,
        "\n",
        r#"{"at":"2026-07-01T10:09:59Z","resolve":"E1"}"#,
        "\n",
    );
    let d = timeline("t.jsonl", edge);
    let o = sim(d.path(), "t.jsonl", &["--reorder-window", "30m"]);
    let r = assert_rejected(&o, "t.jsonl", &[(4, "too late for the reorder window")]);
    assert_eq!(m(&r, "acknowledged"), 1);
    assert_eq!(m(&r, "mtta_s"), 600.0);
    // --reorder-window 0: any step back is too late
    let o = sim(d.path(), "t.jsonl", &["--reorder-window", "0s"]);
    assert_rejected(&o, "t.jsonl", &[(3, "too late"), (4, "too late")]);
}

#[test]
fn documents_are_read_whole_and_sorted() {
    let (text, _) = yaml_doc(DOC_EVENTS_YAML);
    let d = timeline("t.yaml", &text);
    let sorted = report(&sim(d.path(), "t.yaml", &[]));
    // the same events in reverse order: the same report (rejected lines move)
    let mut rev = DOC_EVENTS_YAML.to_vec();
    rev.reverse();
    let (text, expected) = yaml_doc(&rev);
    let d = timeline("t.yaml", &text);
    let o = sim(d.path(), "t.yaml", &[]);
    let r = assert_rejected(&o, "t.yaml", &expected);
    assert_eq!(r, sorted);
    // far out of order is no problem for a document, whatever the window
    let o = sim(d.path(), "t.yaml", &["--reorder-window", "0s"]);
    assert_eq!(report(&o), sorted);
}

// ---------------------------------------------------------------------------
// 1 % garbage among ~2,000 good events

/// splitmix64: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn rfc3339(t: i64, local: bool) -> String {
    let utc = chrono::DateTime::from_timestamp(t, 0).expect("instant");
    if local {
        utc.with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).expect("offset")).to_rfc3339()
    } else {
        utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }
}

/// One generated event line.
struct Gen {
    at: i64,
    json: String,
    /// an alert that opens an incident (api/web, not sev5): its exact copy
    /// right after it is a repeated id of an open incident
    opens: bool,
}

/// A clean JSON Lines timeline of about 2,000 events over ~9 days: alerts
/// of `api`, `web` and an unknown service with every kind of severity (sev5
/// is suppressed, `bogus` is no severity), recorded acks (by people, by
/// nobody, by an unknown person), resolves (some never), acks of ids never
/// seen, and an unknown key. Slightly out of order (adjacent events up to
/// 30m apart swapped), and with blank lines.
fn clean_events() -> Vec<Gen> {
    let mut rng = Rng(2026);
    let start = chrono::DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z").expect("start").timestamp();
    let sevs = [Some("sev1"), Some("sev2"), Some("sev3"), Some("P1"), Some("critical"), Some("sev4"), Some("sev5"), Some("bogus"), None];
    let people = [Some("ann"), Some("bob"), Some("cat"), None, Some("zed")];
    let mut evs: Vec<(i64, usize, String, bool)> = Vec::new();
    let mut t = start;
    for i in 0..800 {
        t += 60 + rng.below(1740) as i64;
        let id = format!("I{i}");
        let service = match rng.below(10) {
            0..=4 | 9 => "api",
            5..=7 => "web",
            _ => "legacy-batch",
        };
        let sev = sevs[rng.below(sevs.len() as u64) as usize];
        let mut obj = serde_json::Map::new();
        obj.insert("at".into(), rfc3339(t, rng.below(3) == 0).into());
        obj.insert("alert".into(), id.clone().into());
        obj.insert("service".into(), service.into());
        if let Some(s) = sev {
            obj.insert("severity".into(), s.into());
        }
        obj.insert("summary".into(), format!("symptom {}", rng.below(7)).into());
        if rng.below(4) == 0 {
            obj.insert("labels".into(), serde_json::json!({"region": "eu", "code": 500, "canary": true}));
        }
        if rng.below(25) == 0 {
            obj.insert("host".into(), "h1".into());
        }
        let opens = service != "legacy-batch" && sev != Some("sev5");
        evs.push((t, evs.len(), Value::Object(obj).to_string(), opens));
        if rng.below(10) < 6 {
            let at = t + rng.below(1500) as i64;
            let mut obj = serde_json::Map::new();
            obj.insert("at".into(), rfc3339(at, false).into());
            obj.insert("ack".into(), id.clone().into());
            if let Some(p) = people[rng.below(people.len() as u64) as usize] {
                obj.insert("by".into(), p.into());
            }
            evs.push((at, evs.len(), Value::Object(obj).to_string(), false));
        }
        if rng.below(20) < 17 {
            let at = t + 300 + rng.below(7200) as i64;
            evs.push((at, evs.len(), serde_json::json!({"at": rfc3339(at, false), "resolve": id}).to_string(), false));
        }
        if rng.below(100) == 0 {
            let at = t + 10;
            evs.push((at, evs.len(), serde_json::json!({"at": rfc3339(at, false), "ack": format!("GHOST-{i}")}).to_string(), false));
        }
    }
    evs.sort_by_key(|(at, seq, _, _)| (*at, *seq));
    // slight disorder: swap some adjacent events (distinct times, < 30m apart)
    let mut i = 0;
    while i + 1 < evs.len() {
        let (a, b) = (evs[i].0, evs[i + 1].0);
        if a < b && b - a < 1800 && rng.below(20) == 0 {
            evs.swap(i, i + 1);
            i += 2;
        } else {
            i += 1;
        }
    }
    evs.into_iter().map(|(at, _, json, opens)| Gen { at, json, opens }).collect()
}

/// The clean file's lines: the events, with a blank line after every 97th.
fn clean_lines(evs: &[Gen]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for (i, e) in evs.iter().enumerate() {
        out.push(e.json.clone().into_bytes());
        if i % 97 == 96 {
            out.push(Vec::new());
        }
    }
    out
}

fn join_lines(lines: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for l in lines {
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    out
}

/// Garbage kinds: (what the reason must say).
#[derive(Clone, Copy)]
enum Junk {
    Binary,
    Binary2,
    OpenBrace,
    CloseBrace,
    EmptyList,
    Null,
    Number,
    Text,
    EmptyMap,
    NoKind,
    WrongType,
    UnknownKind,
    Half,
    Huge,
    /// an exact copy of an alert line that opened an incident
    Duplicate,
}

impl Junk {
    fn why(self) -> &'static str {
        match self {
            Junk::Binary | Junk::Binary2 => "not UTF-8",
            Junk::OpenBrace | Junk::CloseBrace | Junk::Half => "not a JSON event",
            Junk::EmptyList => "must be a map, not a list",
            Junk::Null => "must be a map, not null",
            Junk::Number => "must be a map, not a number",
            Junk::Text => "must be a map, not a string",
            Junk::EmptyMap | Junk::NoKind => "none of `alert`, `ack`, `resolve`",
            Junk::WrongType => "`service` must be text, not a list",
            Junk::UnknownKind => "unknown event kind",
            Junk::Huge => "longer than",
            Junk::Duplicate => "repeats an alert of open incident",
        }
    }
}

struct Dirty {
    bytes: Vec<u8>,
    /// (line, what the reason must say), in line order
    garbage: Vec<(usize, &'static str)>,
}

/// The clean file with ~1 % garbage: some blank lines replaced, most
/// garbage inserted between good lines, and the last line cut (no final
/// newline).
fn dirty(evs: &[Gen]) -> Dirty {
    let clean = clean_lines(evs);
    let mut rng = Rng(7);
    let plan = [
        Junk::Binary,
        Junk::OpenBrace,
        Junk::EmptyList,
        Junk::Null,
        Junk::Half,
        Junk::Duplicate,
        Junk::Huge,
        Junk::Number,
        Junk::Binary2,
        Junk::EmptyMap,
        Junk::Text,
        Junk::NoKind,
        Junk::WrongType,
        Junk::Half,
        Junk::Duplicate,
        Junk::CloseBrace,
        Junk::UnknownKind,
        Junk::Null,
        Junk::EmptyList,
        Junk::Duplicate,
    ];
    // where each garbage line goes: before clean line p (spread evenly);
    // every fourth one on the next blank line, which it replaces
    let blanks: Vec<usize> = clean.iter().enumerate().filter(|(_, l)| l.is_empty()).map(|(i, _)| i).collect();
    let spots: Vec<(usize, bool)> = (0..plan.len())
        .map(|k| {
            let p = (k + 1) * clean.len() / (plan.len() + 1);
            match blanks.iter().find(|&&b| b >= p) {
                Some(&b) if k % 4 == 0 && !matches!(plan[k], Junk::Duplicate) => (b, true),
                _ => (p, false),
            }
        })
        .collect();
    let mut out: Vec<(Vec<u8>, Option<&'static str>)> = Vec::new();
    let mut k = 0;
    let mut dup_pending = false;
    for (i, line) in clean.iter().enumerate() {
        let mut replaced = false;
        while k < plan.len() && spots[k].0 <= i {
            let junk = plan[k];
            replaced |= spots[k].1 && spots[k].0 == i;
            k += 1;
            let bytes: Vec<u8> = match junk {
                Junk::Binary => {
                    let mut b = vec![0xff, 0xfe, 0x00];
                    b.extend((0..40).map(|_| (rng.below(256) as u8).max(0x0b)));
                    b
                }
                Junk::Binary2 => vec![0x7b, 0x22, 0x61, 0x74, 0x22, 0x3a, 0x80, 0xc3, 0x28, 0x00, 0x7d],
                Junk::OpenBrace => b"{".to_vec(),
                Junk::CloseBrace => b"}".to_vec(),
                Junk::EmptyList => b"[]".to_vec(),
                Junk::Null => b"null".to_vec(),
                Junk::Number => b"42".to_vec(),
                Junk::Text => b"\"just a string\"".to_vec(),
                Junk::EmptyMap => b"{}".to_vec(),
                Junk::NoKind => br#"{"at":"2026-07-02T00:00:00Z"}"#.to_vec(),
                Junk::WrongType => br#"{"at":"2026-07-02T00:00:00Z","alert":"JUNK","service":["api"]}"#.to_vec(),
                Junk::UnknownKind => br#"{"at":"2026-07-02T00:00:00Z","page":"JUNK2"}"#.to_vec(),
                Junk::Half => {
                    let l = if line.is_empty() { &clean[i - 1] } else { line };
                    l[..l.len() / 2].to_vec()
                }
                Junk::Huge => {
                    let mut b = br#"{"at":"2026-07-02T00:00:00Z","alert":"HUGE","service":"api","summary":""#.to_vec();
                    b.resize(3 << 20, b'x');
                    b
                }
                Junk::Duplicate => {
                    dup_pending = true;
                    continue;
                }
            };
            out.push((bytes, Some(junk.why())));
        }
        if replaced {
            assert!(line.is_empty());
            continue;
        }
        out.push((line.clone(), None));
        if dup_pending && evs.iter().any(|e| e.opens && e.json.as_bytes() == line.as_slice()) {
            out.push((line.clone(), Some(Junk::Duplicate.why())));
            dup_pending = false;
        }
    }
    assert!(!dup_pending, "a duplicate was placed");
    assert_eq!(k, plan.len());
    // the last line: half of a good line, no final newline
    let mut bytes = join_lines(&out.iter().map(|(b, _)| b.clone()).collect::<Vec<_>>());
    let half = &clean[1][..clean[1].len() / 2];
    bytes.extend_from_slice(half);
    let mut garbage: Vec<(usize, &'static str)> = out.iter().enumerate().filter_map(|(i, (_, g))| g.map(|w| (i + 1, w))).collect();
    garbage.push((out.len() + 1, "truncated"));
    Dirty { bytes, garbage }
}

#[test]
fn one_percent_garbage_is_counted_line_by_line_and_changes_no_other_metric() {
    let evs = clean_events();
    let clean = join_lines(&clean_lines(&evs));
    let dirty = dirty(&evs);
    let n_lines = dirty.bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    assert!((1900..2300).contains(&n_lines), "~2,000 lines: {n_lines}");
    assert!((18..=25).contains(&dirty.garbage.len()), "~1 %: {}", dirty.garbage.len());
    // some garbage replaced blank lines: fewer lines than clean + garbage
    let clean_n = clean.iter().filter(|&&b| b == b'\n').count();
    assert!(n_lines < clean_n + dirty.garbage.len(), "blank lines were replaced");

    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("clean.jsonl"), &clean).expect("write");
    std::fs::write(d.path().join("dirty.jsonl"), &dirty.bytes).expect("write");

    let c = sim(d.path(), "clean.jsonl", &[]);
    let clean_r = assert_rejected(&c, "clean.jsonl", &[]);
    // the clean timeline exercises the metrics
    for (key, at_least) in [
        ("alerts", 700),
        ("incidents", 500),
        ("suppressed", 20),
        ("unrouted", 20),
        ("acknowledged", 100),
        ("lost_responders", 10),
        ("stale_events", 20),
        ("unknown_severity", 20),
        ("escalated", 50),
        ("sla_breaches", 10),
    ] {
        let v = m(&clean_r, key).as_u64().unwrap_or(0);
        assert!(v >= at_least, "{key} = {v}, expected at least {at_least}");
    }
    assert!(clean_r["by_service"].get("legacy-batch").is_some());
    let unknown_key = |stderr: &str| notes(stderr).iter().filter(|n| n.contains("unknown key `host`")).count();
    assert_eq!(unknown_key(&c.stderr), 1, "one notice per unknown key name\n{}", c.stderr);

    let o = sim(d.path(), "dirty.jsonl", &[]);
    let dirty_r = assert_rejected(&o, "dirty.jsonl", &dirty.garbage);
    assert_eq!(without_rejected(&dirty_r), without_rejected(&clean_r), "the garbage changes no other metric");
    assert_eq!(notes(&o.stderr), notes(&c.stderr), "the same notices");
    assert!(o.stderr.len() < 64 * 1024, "the 3 MiB line is not echoed: {} bytes of stderr", o.stderr.len());

    // the same bytes on stdin: the same report and the same lines
    let s = escalade(d.path(), &["simulate", WS, "--timeline", "-", "--format", "json"], Some(dirty.bytes.clone()));
    let stdin_r = assert_rejected(&s, "-", &dirty.garbage);
    assert_eq!(stdin_r, dirty_r, "stdin and file agree");

    // a fully sorted clean file gives the same report: the disorder is
    // within the reorder window
    let mut sorted: Vec<&Gen> = evs.iter().collect();
    sorted.sort_by_key(|e| e.at);
    let sorted_bytes: Vec<u8> = sorted.iter().flat_map(|e| format!("{}\n", e.json).into_bytes()).collect();
    assert_ne!(sorted_bytes, clean, "the clean file is slightly out of order");
    std::fs::write(d.path().join("sorted.jsonl"), &sorted_bytes).expect("write");
    let s = sim(d.path(), "sorted.jsonl", &[]);
    assert_eq!(assert_rejected(&s, "sorted.jsonl", &[]), clean_r, "re-sorting within the window");
}

#[test]
fn strict_stops_at_the_first_garbage_line_and_passes_the_clean_file() {
    let evs = clean_events();
    let dirty = dirty(&evs);
    let d = tempfile::tempdir().expect("tempdir");
    std::fs::write(d.path().join("clean.jsonl"), join_lines(&clean_lines(&evs))).expect("write");
    std::fs::write(d.path().join("dirty.jsonl"), &dirty.bytes).expect("write");

    let o = sim(d.path(), "dirty.jsonl", &["--strict"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stdout.is_empty(), "no report after a strict stop: {}", o.stdout);
    let (first, why) = dirty.garbage[0];
    let prefix = format!("error: dirty.jsonl:{first}: ");
    let err: Vec<&str> = o.stderr.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(err.len(), 1, "{}", o.stderr);
    assert!(err[0].starts_with(&prefix) && err[0].ends_with(" (--strict)") && err[0].contains(why), "{}", o.stderr);
    // nothing after the first rejected line is reported as rejected
    assert!(rejected(&o.stderr, "dirty.jsonl").iter().all(|(l, _)| *l <= first), "{}", o.stderr);

    let o = sim(d.path(), "clean.jsonl", &["--strict"]);
    let r = report(&o);
    assert_eq!(m(&r, "rejected_events"), 0);

    // each kind of bad file, under --strict: exit 2 at its first bad line
    let bad_jsonl: String = BAD_JSONL.iter().map(|(l, _)| format!("{l}\n")).collect();
    let (yaml, yaml_bad) = yaml_doc(DOC_EVENTS_YAML);
    let (json, json_bad) = json_doc(DOC_EVENTS_JSON);
    for (name, text, first) in [("t.jsonl", bad_jsonl, 1), ("t.yaml", yaml, yaml_bad[0].0), ("t.json", json, json_bad[0].0)] {
        let d = timeline(name, &text);
        let o = sim(d.path(), name, &["--strict"]);
        assert_eq!(o.code, Some(2), "{name}: {}", o.stderr);
        assert!(o.stderr.contains(&format!("error: {name}:{first}: ")), "{name}: {}", o.stderr);
        assert!(o.stderr.trim_end().ends_with("(--strict)"), "{name}: {}", o.stderr);
    }
}

#[test]
fn strict_names_the_first_rejected_line_across_batches() {
    // 5,000 alerts one second apart, then a repeated id of an open incident
    // (line 5001, rejected by the engine) and a garbage line (5002, rejected
    // by the reader). While line 5001 waits in the 1h reorder window, the
    // reader has already reported line 5002.
    let start = chrono::DateTime::parse_from_rfc3339("2026-07-01T00:00:00Z").expect("start").timestamp();
    let alert = |t: i64, id: &str| format!(r#"{{"at":"{}","alert":"{id}","service":"api","severity":"sev3"}}"#, rfc3339(t, false));
    let mut text = String::new();
    for i in 0..5000 {
        text += &alert(start + i, &format!("I{i}"));
        text.push('\n');
    }
    text += &alert(start + 5000, "I4999");
    text += "\nnull\n";
    for i in 5001..5010 {
        text += &alert(start + i, &format!("J{i}"));
        text.push('\n');
    }
    let d = timeline("t.jsonl", &text);
    let o = sim(d.path(), "t.jsonl", &[]);
    let r = report(&o);
    assert_eq!(m(&r, "rejected_events"), 2);
    let mut lines: Vec<usize> = rejected(&o.stderr, "t.jsonl").iter().map(|(l, _)| *l).collect();
    lines.sort_unstable();
    assert_eq!(lines, [5001, 5002], "{}", o.stderr);
    // SPEC §5: "Under --strict the first one exits 2"
    let o = sim(d.path(), "t.jsonl", &["--strict"]);
    assert_eq!(o.code, Some(2));
    assert!(o.stderr.contains("error: t.jsonl:5001: alert id `I4999` repeats"), "{}", o.stderr);
}

/// The clean events as a document with ~1 % garbage items: (text, the
/// expected rejections).
fn garbage_document(evs: &[Gen], yaml: bool) -> (String, Vec<(usize, &'static str)>) {
    let junk: [(&str, &str, &'static str); 12] = [
        ("null", "null", "must be a map, not null"),
        ("[]", "[]", "must be a map, not a list"),
        ("42", "42", "must be a map, not a number"),
        ("\"junk\"", "\"junk\"", "must be a map, not a string"),
        ("{}", "{}", "none of `alert`, `ack`, `resolve`"),
        ("{at: 2026-07-02T00:00:00Z}", r#"{"at": "2026-07-02T00:00:00Z"}"#, "none of `alert`, `ack`, `resolve`"),
        ("{at: 5, alert: X1, service: api}", r#"{"at": 5, "alert": "X1", "service": "api"}"#, "`at` must be an RFC 3339 time string"),
        ("{at: 2026-07-02T00:00:00Z, alert: X2, service: [api]}", r#"{"at": "2026-07-02T00:00:00Z", "alert": "X2", "service": ["api"]}"#, "`service` must be text"),
        ("{at: 2026-07-02T00:00:00Z, alert: X3, service: api, labels: {a: null}}", r#"{"at": "2026-07-02T00:00:00Z", "alert": "X3", "service": "api", "labels": {"a": null}}"#, "label `a` is null"),
        ("at: 2026-07-02T00:00:00Z\n    alert: X4\n    ack: X4", "{\"at\": \"2026-07-02T00:00:00Z\",\n   \"alert\": \"X4\",\n   \"ack\": \"X4\"}", "`alert` and `ack`"),
        ("{at: 2026-07-02T00:00:00Z, alert: X5, service: api, service: web}", r#"{"at": "2026-07-02T00:00:00Z", "alert": "X5", "service": "api", "service": "web"}"#, "key `service` is given twice"),
        ("DUP", "DUP", "repeats an alert of open incident"),
    ];
    let per = evs.len() / (junk.len() * 2 + 1);
    let mut items: Vec<(String, Option<&'static str>)> = Vec::new();
    let mut j = 0;
    let mut dup_pending = false;
    for (i, e) in evs.iter().enumerate() {
        if i > 0 && i % per == 0 && j < junk.len() * 2 {
            let (y, js, why) = junk[j % junk.len()];
            j += 1;
            if y == "DUP" {
                dup_pending = true;
            } else {
                items.push((if yaml { y.to_string() } else { js.to_string() }, Some(why)));
            }
        }
        items.push((e.json.clone(), None));
        if dup_pending && e.opens {
            items.push((e.json.clone(), Some("repeats an alert of open incident")));
            dup_pending = false;
        }
    }
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut line = 1;
    if yaml {
        text.push_str("# garbage among good events\nevents:\n");
        line += 2;
        for (i, (item, bad)) in items.iter().enumerate() {
            if i % 300 == 299 {
                text.push_str("  # a comment\n");
                line += 1;
            }
            if let Some(why) = bad {
                expected.push((line, *why));
            }
            text.push_str(&format!("  - {item}\n"));
            line += 1 + item.matches('\n').count();
        }
    } else {
        text.push_str("{\"events\": [\n");
        line += 1;
        for (i, (item, bad)) in items.iter().enumerate() {
            if let Some(why) = bad {
                expected.push((line, *why));
            }
            text.push_str(item);
            line += item.matches('\n').count();
            if i + 1 < items.len() {
                text.push_str(",\n");
                line += 1;
            }
        }
        text.push_str("\n]}\n");
    }
    (text, expected)
}

#[test]
fn one_percent_garbage_items_in_documents_are_counted_and_change_no_other_metric() {
    let evs = clean_events();
    let d = timeline("clean.jsonl", join_lines(&clean_lines(&evs)));
    let clean_r = report(&sim(d.path(), "clean.jsonl", &[]));
    for (name, yaml) in [("t.yaml", true), ("t.json", false)] {
        let (text, expected) = garbage_document(&evs, yaml);
        assert!((18..=30).contains(&expected.len()), "{name}: ~1 % ({})", expected.len());
        let d = timeline(name, &text);
        let o = sim(d.path(), name, &[]);
        let r = assert_rejected(&o, name, &expected);
        assert_eq!(without_rejected(&r), without_rejected(&clean_r), "{name}: the garbage changes no other metric");
        let o = sim(d.path(), name, &["--strict"]);
        assert_eq!(o.code, Some(2), "{name}");
        assert!(o.stderr.contains(&format!("error: {name}:{}: ", expected[0].0)), "{name}: {}", o.stderr);
    }
}
