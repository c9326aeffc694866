//! The bad-input corpus (fixtures/bad/) and the resource limits.
//!
//! Every entry of fixtures/bad/esc (a file or a directory: one workspace)
//! and fixtures/bad/timeline (one timeline) has exactly one `[[case]]` in
//! fixtures/bad/EXPECTED.toml, and every case has its entry, except the
//! cases with a `generate` recipe: those files (10 MB lines, 100,000 nested
//! brackets) are written at test time into a temporary directory and must
//! not be committed. fixtures/bad/workspace is the workspace the timelines
//! are simulated against; it is a case too and must check clean.
//!
//! A workspace case runs `check --format json` through the library entry
//! point of the command line and must give exactly its `expect` list (code
//! and span of every finding, as `CODE LINE:COL-LINE:COL`, end exclusive,
//! columns in Unicode scalar values), the exit status it implies (or its
//! `exit`), and every `says` fragment somewhere in the messages and helps
//! (in stderr for exit 2). The other output formats must render too. A
//! timeline case is read by the timeline reader and must give exactly its
//! `rejected` lines (`LINE: reason fragment`) and `events` count, or its
//! `open_error` (`LINE: fragment`, `-` for no line). Cases marked `binary`
//! also run through the binary, which checks the process exit status (SPEC
//! §4) and that nothing panics or overflows the 8 MiB main-thread stack;
//! the in-process runs use the 2 MiB stack of a test thread.

use escalade::sim::timeline::{self, OpenError};
use serde::Deserialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::Command;

const BAD: &str = "fixtures/bad";
const FROM: &str = "2026-11-09T00:00:00Z";

/// The categories of the corpus; each must have a workspace case and a
/// timeline case.
const CATEGORIES: &[&str] =
    &["truncated", "mis-nested", "wrong-type", "huge-number", "invalid-tz", "zero-negative", "confusable", "crlf", "bom", "huge-line", "deep-nesting"];
/// Categories of some cases only.
const OTHER_CATEGORIES: &[&str] = &["encoding", "workspace", "format", "size"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// path under fixtures/bad/
    file: String,
    what: String,
    /// workspace cases: every finding, `CODE [FILE:]LINE:COL-LINE:COL`
    expect: Option<Vec<String>>,
    #[serde(default)]
    says: Vec<String>,
    exit: Option<i32>,
    #[serde(default)]
    binary: bool,
    generate: Option<Vec<Part>>,
    /// timeline cases
    events: Option<usize>,
    rejected: Option<Vec<String>>,
    open_error: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Part {
    text: String,
    #[serde(default = "one")]
    times: usize,
}

fn one() -> usize {
    1
}

fn manifest() -> Manifest {
    let text = std::fs::read_to_string(format!("{BAD}/EXPECTED.toml")).expect("fixtures/bad/EXPECTED.toml");
    toml::from_str(&text).unwrap_or_else(|e| panic!("EXPECTED.toml: {e}"))
}

fn is_timeline(c: &Case) -> bool {
    c.file.starts_with("timeline/")
}

/// A case's path: the committed file, or the generated one in `tmp`.
fn materialize(c: &Case, tmp: &Path) -> PathBuf {
    match &c.generate {
        None => PathBuf::from(BAD).join(&c.file),
        Some(parts) => {
            let p = tmp.join(&c.file);
            std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
            let mut bytes = Vec::new();
            for part in parts {
                for _ in 0..part.times {
                    bytes.extend_from_slice(part.text.as_bytes());
                }
            }
            std::fs::write(&p, bytes).expect("write generated case");
            p
        }
    }
}

// ---------------------------------------------------------------------------
// the corpus and its manifest

#[test]
fn every_corpus_entry_has_one_expectation_and_every_expectation_its_entry() {
    let m = manifest();
    let mut on_disk = BTreeSet::new();
    for dir in ["esc", "timeline"] {
        for e in std::fs::read_dir(format!("{BAD}/{dir}")).expect("corpus dir") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            on_disk.insert(format!("{dir}/{name}"));
        }
    }
    for e in std::fs::read_dir(BAD).expect("fixtures/bad") {
        let name = e.expect("entry").file_name().to_string_lossy().into_owned();
        assert!(["esc", "timeline", "workspace", "EXPECTED.toml"].contains(&name.as_str()), "fixtures/bad/{name} is not part of the corpus layout");
    }
    on_disk.insert("workspace".into());
    let mut listed = BTreeMap::new();
    for c in &m.case {
        assert!(listed.insert(c.file.clone(), c).is_none(), "{} has two cases", c.file);
        assert!(CATEGORIES.contains(&c.what.as_str()) || OTHER_CATEGORIES.contains(&c.what.as_str()), "{}: unknown category {}", c.file, c.what);
        if is_timeline(c) {
            assert!(c.expect.is_none(), "{}: a timeline has `rejected`/`events` or `open_error`, not `expect`", c.file);
            assert!(c.open_error.is_some() != (c.events.is_some() && c.rejected.is_some()), "{}: give `events` and `rejected`, or `open_error`", c.file);
        } else {
            assert!(c.expect.is_some(), "{}: a workspace case needs `expect`", c.file);
            assert!(c.events.is_none() && c.rejected.is_none() && c.open_error.is_none(), "{}: timeline keys on a workspace case", c.file);
        }
    }
    let missing: Vec<&String> = on_disk.iter().filter(|f| !listed.contains_key(*f)).collect();
    assert!(missing.is_empty(), "corpus entries without an expectation in EXPECTED.toml: {missing:?}");
    for (f, c) in &listed {
        let committed = on_disk.contains(f);
        match c.generate {
            None => assert!(committed, "{f}: expected, but no such file (and no `generate` recipe)"),
            Some(_) => assert!(!committed, "{f}: generated at test time; do not commit it"),
        }
    }
    // every category on both sides
    for cat in CATEGORIES {
        for timeline in [false, true] {
            let n = m.case.iter().filter(|c| c.what == *cat && is_timeline(c) == timeline).count();
            assert!(n > 0, "no {} case of category {cat}", if timeline { "timeline" } else { "workspace" });
        }
    }
    assert!(m.case.len() >= 100, "only {} cases", m.case.len());
}

// ---------------------------------------------------------------------------
// workspaces

/// Run the command line in-process: (exit status, stdout, stderr), or the
/// panic message.
fn cli(args: &[&str]) -> Result<(i32, String, String), String> {
    let mut argv = vec!["escalade".to_string()];
    argv.extend(args.iter().map(|a| a.to_string()));
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = catch_unwind(AssertUnwindSafe(|| escalade::cli::main_with(argv, &mut out, &mut err))).map_err(|p| {
        p.downcast_ref::<String>().cloned().or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_else(|| "panic".into())
    })?;
    Ok((code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned()))
}

/// `CODE [FILE:]LINE:COL-LINE:COL` of a JSON finding; FILE (relative to the
/// case directory) only for a directory case.
fn located(f: &Value, case_dir: Option<&Path>) -> String {
    let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("finding without {k}: {f}"));
    let file = match case_dir {
        None => String::new(),
        Some(d) => {
            let file = f["file"].as_str().unwrap_or_default();
            let d = d.to_string_lossy().replace('\\', "/");
            format!("{}:", file.strip_prefix(&format!("{d}/")).unwrap_or(file))
        }
    };
    format!("{} {file}{}:{}-{}:{}", f["code"].as_str().unwrap_or("?"), n("line"), n("column"), n("end_line"), n("end_column"))
}

fn run_workspace_case(c: &Case, path: &Path) -> Result<(), String> {
    let p = path.to_string_lossy().into_owned();
    let (code, out, err) = cli(&["check", &p, "--format", "json", "--from", FROM]).map_err(|e| format!("panicked: {e}"))?;
    let want = c.expect.clone().unwrap_or_default();
    let mut problems = Vec::new();
    let text;
    if code == 2 {
        if !out.is_empty() {
            problems.push(format!("exit 2 but stdout: {out}"));
        }
        text = err.clone();
        if !want.is_empty() {
            problems.push(format!("exit 2 (stderr: {err}), but findings were expected"));
        }
    } else {
        let v: Value = serde_json::from_str(&out).map_err(|e| format!("stdout is not JSON ({e}): {out}\nstderr: {err}"))?;
        let findings = v["findings"].as_array().cloned().unwrap_or_default();
        let dir = path.is_dir().then_some(path);
        let got: Vec<String> = findings.iter().map(|f| located(f, dir)).collect();
        let mut g = got.clone();
        let mut w = want.clone();
        g.sort();
        w.sort();
        if g != w {
            let msgs: Vec<String> = findings
                .iter()
                .map(|f| format!("    {} {}  [{}]", located(f, dir), f["message"].as_str().unwrap_or(""), f["help"].as_str().unwrap_or("")))
                .collect();
            problems.push(format!("findings differ\n  expected {w:?}\n  got      {g:?}\n{}", msgs.join("\n")));
        }
        text = findings.iter().map(|f| format!("{} {}", f["message"].as_str().unwrap_or(""), f["help"].as_str().unwrap_or(""))).collect::<Vec<_>>().join("\n");
    }
    let want_exit = c.exit.unwrap_or(if want.iter().any(|w| w.starts_with('E')) { 1 } else { 0 });
    if code != want_exit {
        problems.push(format!("exit {code}, expected {want_exit}; stderr: {err}"));
    }
    for s in &c.says {
        if !text.contains(s.as_str()) {
            problems.push(format!("nothing says {s:?} in:\n{text}"));
        }
    }
    // the other renderers take the same input without panicking (sarif
    // and github for the committed files only: the generated ones are
    // large and plain); human output never floods a terminal with a long
    // line
    let formats: &[&str] = if c.generate.is_none() { &["human", "sarif", "github"] } else { &["human"] };
    for format in formats {
        match cli(&["check", &p, "--format", format, "--from", FROM]) {
            Ok((c2, out, _)) if c2 == code => {
                if *format == "human" && out.len() > 64 * 1024 {
                    problems.push(format!("--format human printed {} bytes", out.len()));
                }
            }
            Ok((c2, _, _)) => problems.push(format!("--format {format}: exit {c2}, json gave {code}")),
            Err(e) => problems.push(format!("--format {format} panicked: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_workspace_case_gives_exactly_its_findings() {
    let m = manifest();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut n = 0;
    for c in m.case.iter().filter(|c| !is_timeline(c)) {
        let path = materialize(c, tmp.path());
        n += 1;
        if let Err(e) = run_workspace_case(c, &path) {
            failures.push(format!("{}:\n{e}", c.file));
        }
    }
    assert!(n >= 60, "only {n} workspace cases");
    assert!(failures.is_empty(), "{} of {n} workspace case(s) fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// timelines

/// (line, reason) of every rejection and the number of events, or the
/// error that kept the timeline from opening; and the notices.
type Read = (Result<(Vec<(usize, String)>, usize), OpenError>, Vec<String>);

fn read_timeline(path: &Path) -> Read {
    let mut tl = match timeline::open(path, chrono_tz::UTC, timeline::DEFAULT_REORDER_WINDOW) {
        Ok(t) => t,
        Err(e) => return (Err(e), Vec::new()),
    };
    let (mut rejected, mut events) = (Vec::new(), 0);
    for item in tl.by_ref() {
        match item {
            Ok(_) => events += 1,
            Err(r) => rejected.push((r.line, r.reason)),
        }
    }
    (Ok((rejected, events)), tl.take_notices())
}

/// `LINE: fragment`, LINE `-` for none.
fn split_expectation(s: &str) -> (Option<usize>, &str) {
    let (line, frag) = s.split_once(": ").unwrap_or_else(|| panic!("`{s}` is not `LINE: fragment`"));
    (if line == "-" { None } else { Some(line.parse().unwrap_or_else(|_| panic!("`{s}`: bad line"))) }, frag)
}

fn run_timeline_case(c: &Case, path: &Path) -> Result<(), String> {
    let (res, notices) = catch_unwind(AssertUnwindSafe(|| read_timeline(path))).map_err(|_| "panicked".to_string())?;
    let mut problems = Vec::new();
    match (res, &c.open_error) {
        (Err(e), Some(want)) => {
            let (line, frag) = split_expectation(want);
            let (got_line, message) = match &e {
                OpenError::Syntax { line, message, .. } => (Some(*line), message.clone()),
                other => (None, other.to_string()),
            };
            if got_line != line || !message.contains(frag) {
                problems.push(format!("open error {got_line:?}: {message}\n  expected {want}"));
            }
        }
        (Err(e), None) => problems.push(format!("cannot open: {e}")),
        (Ok((rejected, events)), Some(want)) => {
            problems.push(format!("opened ({events} events, rejected {rejected:?}), expected the error {want}"))
        }
        (Ok((rejected, events)), None) => {
            let want = c.rejected.clone().unwrap_or_default();
            let got_lines: Vec<usize> = rejected.iter().map(|r| r.0).collect();
            let want_lines: Vec<usize> = want.iter().map(|w| split_expectation(w).0.unwrap_or(0)).collect();
            let text: Vec<String> = rejected.iter().map(|(l, r)| format!("{l}: {r}")).collect();
            if got_lines != want_lines {
                problems.push(format!("rejected lines {got_lines:?}, expected {want_lines:?}\n  {}", text.join("\n  ")));
            } else {
                for ((l, reason), w) in rejected.iter().zip(&want) {
                    let (_, frag) = split_expectation(w);
                    if !reason.contains(frag) {
                        problems.push(format!("line {l}: {reason:?} does not say {frag:?}"));
                    }
                }
            }
            if Some(events) != c.events {
                problems.push(format!("{events} events read, expected {:?}", c.events));
            }
        }
    }
    let all = notices.join("\n");
    for s in &c.says {
        if !all.contains(s.as_str()) {
            problems.push(format!("no notice says {s:?}: {notices:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

#[test]
fn every_timeline_case_gives_exactly_its_rejections() {
    let m = manifest();
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut failures = Vec::new();
    let mut n = 0;
    for c in m.case.iter().filter(|c| is_timeline(c)) {
        let path = materialize(c, tmp.path());
        n += 1;
        if let Err(e) = run_timeline_case(c, &path) {
            failures.push(format!("{}:\n{e}", c.file));
        }
    }
    assert!(n >= 40, "only {n} timeline cases");
    assert!(failures.is_empty(), "{} of {n} timeline case(s) fail:\n\n{}", failures.len(), failures.join("\n\n"));
}

// ---------------------------------------------------------------------------
// through the binary

struct Proc {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn escalade(args: &[&str]) -> Proc {
    let out = Command::new(env!("CARGO_BIN_EXE_escalade")).args(args).env("NO_COLOR", "1").output().expect("the binary runs");
    let p = Proc {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // a stack overflow is a signal (no exit code); a panic is exit 101
    assert!(p.code.is_some(), "killed by a signal (stack overflow?): {args:?}\n{}", p.stderr);
    assert_ne!(p.code, Some(101), "panic: {args:?}\n{}", p.stderr);
    assert!(!p.stderr.contains("panicked"), "panic: {args:?}\n{}", p.stderr);
    p
}

#[test]
fn marked_cases_through_the_binary_exit_as_spec_says() {
    let m = manifest();
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = format!("{BAD}/workspace");
    let mut n = 0;
    for c in m.case.iter().filter(|c| c.binary) {
        n += 1;
        let path = materialize(c, tmp.path());
        let p = path.to_string_lossy().into_owned();
        if is_timeline(c) {
            let o = escalade(&["simulate", &ws, "--timeline", &p, "--format", "json"]);
            if let Some(err) = &c.open_error {
                // a timeline that cannot be read is exit 2 (SPEC §4), named on stderr
                assert_eq!(o.code, Some(2), "{}: {}", c.file, o.stderr);
                let (_, frag) = split_expectation(err);
                assert!(o.stderr.contains(frag), "{}: stderr does not say {frag:?}: {}", c.file, o.stderr);
                continue;
            }
            // rejected events are reported and counted, and the run succeeds
            assert_eq!(o.code, Some(0), "{}: {}", c.file, o.stderr);
            let v: Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{}: {e}", c.file));
            let want = c.rejected.as_ref().map_or(0, Vec::len);
            assert_eq!(v["metrics"]["rejected_events"], Value::from(want), "{}: {}", c.file, o.stderr);
            assert_eq!(o.stderr.lines().filter(|l| l.contains(": rejected: ")).count(), want, "{}: {}", c.file, o.stderr);
            // under --strict the first rejection is exit 2
            let s = escalade(&["simulate", &ws, "--timeline", &p, "--format", "json", "--strict"]);
            assert_eq!(s.code, Some(if want > 0 { 2 } else { 0 }), "{} --strict: {}", c.file, s.stderr);
        } else {
            let o = escalade(&["check", &p, "--format", "json", "--from", FROM]);
            let want = c.exit.unwrap_or(if c.expect.as_ref().is_some_and(|e| e.iter().any(|w| w.starts_with('E'))) { 1 } else { 0 });
            assert_eq!(o.code, Some(want), "{}: {}", c.file, o.stderr);
            if want != 2 {
                let v: Value = serde_json::from_str(&o.stdout).unwrap_or_else(|e| panic!("{}: {e}", c.file));
                let got = v["findings"].as_array().map_or(0, Vec::len);
                assert_eq!(got, c.expect.as_ref().map_or(0, Vec::len), "{}: {}", c.file, o.stdout);
            }
        }
    }
    assert!(n >= 8, "only {n} cases run through the binary");
}

// ---------------------------------------------------------------------------
// limits of the workspace walk and of timeline documents

fn write(p: &Path, text: &str) {
    std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

#[test]
fn directories_nest_at_most_32_levels_below_a_workspace() {
    use escalade::workspace::{self, LoadError, MAX_DIR_DEPTH};
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().join("ws");
    let mut deepest = root.clone();
    for _ in 0..MAX_DIR_DEPTH {
        deepest = deepest.join("d");
    }
    write(&deepest.join("a.esc"), "person ann { email \"ann@example.com\" }\n");
    let ws = workspace::load(std::slice::from_ref(&root)).expect("32 levels are allowed");
    assert_eq!(ws.sources.files.len(), 1);
    assert!(ws.findings.is_empty(), "{:?}", ws.findings);

    std::fs::create_dir(deepest.join("d")).expect("mkdir level 33");
    match workspace::load(std::slice::from_ref(&root)) {
        Err(LoadError::TooDeep { path, .. }) => assert!(path.ends_with(&"/d".repeat(MAX_DIR_DEPTH + 1)), "{path}"),
        other => panic!("expected TooDeep, got {other:?}"),
    }
    let (code, out, err) = cli(&["check", &root.to_string_lossy()]).expect("no panic");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nested more than 32 directories deep"), "{err}");
}

/// A workspace `ws` in `tmp` with one good file (person `ann`).
fn workspace_with_ann(tmp: &Path) -> PathBuf {
    let root = tmp.join("ws");
    write(&root.join("a.esc"), "person ann { email \"ann@example.com\" }\n");
    root
}

/// A sparse 64 GiB file at `path` (no disk is used).
fn sparse_64_gib(path: &Path) {
    std::fs::File::create(path).expect("create").set_len(64 << 30).expect("sparse");
}

/// A `.esc` file over 16 MiB is refused after reading one byte past the
/// limit: a sparse 64 GiB file (far more than this machine's memory) gets
/// E0001 with its real size, the other files are still checked.
#[test]
fn a_huge_esc_file_is_refused_without_being_read_whole() {
    use escalade::workspace;
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = workspace_with_ann(tmp.path());
    sparse_64_gib(&root.join("huge.esc"));
    let ws = workspace::load(std::slice::from_ref(&root)).expect("loads");
    let msgs: Vec<String> = ws.findings.iter().map(|f| format!("{} {}", f.code, f.message)).collect();
    assert_eq!(msgs, vec![format!("E0001 file is {} bytes; the limit is 16 MiB", 64u64 << 30)]);
    assert!(ws.model.persons.iter().any(|p| p.name.name == "ann"), "the other file is read");
    let (code, out, err) = cli(&["check", &root.to_string_lossy()]).expect("no panic");
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("huge.esc:1:1") && out.contains("the limit is 16 MiB"), "{out}");
}

/// `escalade.toml` has the same 16 MiB limit, checked the same way, and
/// a file that is not UTF-8 is named with the byte where it breaks.
#[test]
fn a_huge_or_non_utf8_escalade_toml_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = workspace_with_ann(tmp.path());
    let toml = root.join("escalade.toml");
    sparse_64_gib(&toml);
    let (code, out, err) = cli(&["check", &root.to_string_lossy()]).expect("no panic");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("escalade.toml: larger than 16 MiB, the limit"), "{err}");
    std::fs::write(&toml, b"[check]\n# caf\xe9\n").expect("write");
    let (code, out, err) = cli(&["check", &root.to_string_lossy()]).expect("no panic");
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("escalade.toml: invalid UTF-8 at byte 13"), "{err}");
}

#[test]
fn a_workspace_holds_at_most_max_files_files() {
    use escalade::workspace::{self, LoadError, MAX_FILES};
    // the walk is the same for any limit; 10,001 files would take seconds
    // to write on a slow disk, so the limit here is 40
    const LIMIT: usize = 40;
    let tmp = tempfile::tempdir().expect("tempdir");
    let many = tmp.path().join("many");
    for i in 0..LIMIT {
        write(&many.join(format!("d{}/f{i:02}.esc", i % 3)), "");
    }
    let (_, files) = workspace::files_of_at_most(std::slice::from_ref(&many), LIMIT).expect("40 files are allowed");
    assert_eq!(files.len(), LIMIT);

    // one more through a second PATH: the limit is for the workspace
    let extra = tmp.path().join("extra.esc");
    write(&extra, "");
    match workspace::files_of_at_most(&[many.clone(), extra.clone()], LIMIT) {
        Err(e @ LoadError::TooManyFiles { .. }) => assert!(e.to_string().contains("more than 40 .esc files"), "{e}"),
        other => panic!("{other:?}"),
    }
    // the same file twice is one file
    let (_, files) = workspace::files_of_at_most(&[many.clone(), many.join("d0/f00.esc")], LIMIT).expect("a file named twice is read once");
    assert_eq!(files.len(), LIMIT);

    // one more in the directory: the walk stops
    write(&many.join("d2/g.esc"), "");
    assert!(matches!(workspace::files_of_at_most(std::slice::from_ref(&many), LIMIT), Err(LoadError::TooManyFiles { limit: LIMIT, .. })));
    // the command line uses MAX_FILES
    assert!(workspace::files_of(std::slice::from_ref(&many)).is_ok());
    let e = LoadError::TooManyFiles { path: "policies".into(), limit: MAX_FILES };
    assert_eq!(e.to_string(), "policies: more than 100000 .esc files; a workspace holds at most 100000");
}

#[cfg(unix)]
#[test]
fn symlink_loops_in_a_workspace_are_not_followed() {
    use std::os::unix::fs::symlink;
    let tmp = tempfile::tempdir().expect("tempdir");
    let ws = tmp.path().join("ws");
    write(&ws.join("a.esc"), "person ann { email \"ann@example.com\" }\nteam ops { members ann }\n");
    write(&ws.join("sub/b.esc"), "policy main { tier first { notify team ops } }\nservice api { owner ops  policy main }\n");
    symlink("..", ws.join("sub/up")).expect("symlink");
    symlink(&ws, ws.join("sub/again")).expect("symlink");
    symlink("self.esc", ws.join("self.esc")).expect("symlink");
    symlink("b-loop", ws.join("a-loop")).expect("symlink");
    symlink("a-loop", ws.join("b-loop")).expect("symlink");

    let w = escalade::workspace::load(std::slice::from_ref(&ws)).expect("loads");
    let names: Vec<&str> = w.sources.files.iter().map(|f| f.path.rsplit('/').next().unwrap_or("")).collect();
    assert_eq!(names, ["a.esc", "b.esc"], "links are skipped, every file read once");
    let (code, out, err) = cli(&["check", &ws.to_string_lossy(), "--format", "json", "--from", FROM]).expect("no panic");
    assert_eq!(code, 0, "{out}{err}");

    // a PATH that is itself a link loop cannot be read: exit 2, not a hang
    let (code, _, err) = cli(&["check", &ws.join("self.esc").to_string_lossy()]).expect("no panic");
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot read"), "{err}");
}

#[test]
fn timeline_documents_over_256_mib_are_refused_before_they_are_read() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for name in ["big.json", "big.yaml"] {
        let p = tmp.path().join(name);
        // sparse: nothing is written, and nothing must be read
        let f = std::fs::File::create(&p).expect("create");
        f.set_len(timeline::MAX_DOCUMENT_BYTES + 1).expect("set_len");
        match timeline::open(&p, chrono_tz::UTC, 3600) {
            Err(OpenError::Invalid { message, .. }) => assert!(message.contains("over 256 MiB") && message.contains("JSON Lines"), "{message}"),
            Err(e) => panic!("{name}: {e}"),
            Ok(_) => panic!("{name}: opened"),
        }
    }
    let p = tmp.path().join("big.yaml");
    match timeline::read_responders_file(&p) {
        Err(OpenError::Invalid { message, .. }) => assert!(message.contains("over 256 MiB"), "{message}"),
        other => panic!("--responders: {other:?}"),
    }
    let o = escalade(&["simulate", &format!("{BAD}/workspace"), "--timeline", &tmp.path().join("big.json").to_string_lossy()]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(o.stderr.contains("over 256 MiB"), "{}", o.stderr);
    assert!(o.stdout.is_empty());
}
