//! `export --target alertmanager`: every exported workspace passes the
//! real `amtool check-config`, routes the same way as escalade's own router
//! under `amtool config routes test` (SPEC §6 parity), matches its golden
//! file, and reports its W0900 findings in `check` and `export` alike.
//!
//! The amtool tests need Alertmanager's `amtool` on PATH (`.ci/run`
//! installs Debian's `prometheus-alertmanager`); without it they print
//! why they are skipped and pass.

use assert_cmd::Command;
use escalade::model::Model;
use escalade::sim::event::AlertEvent;
use escalade::sim::route_eval::{RouteOutcome, RouteTable};
use escalade::source::Span;
use escalade::syntax::ast::{Cond, Field, Route, Spanned};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const FROM: &str = "2026-11-01T00:00:00Z";
const URL: &str = "https://hooks.example.com/alertmanager/{receiver}";

fn amtool() -> bool {
    let ok = std::process::Command::new("amtool").arg("--version").output().is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED: `amtool` is not on PATH; install Debian's prometheus-alertmanager (`.ci/run` does) to run this test");
    }
    ok
}

fn escalade() -> Command {
    Command::cargo_bin("escalade").expect("binary")
}

fn export_to(ws: &Path, dir: &Path, url: bool) -> std::process::Output {
    let mut c = escalade();
    c.args(["export"]).arg(ws).args(["--target", "alertmanager", "--from", FROM, "-o"]).arg(dir);
    if url {
        c.args(["--receiver-url-template", URL]);
    }
    c.output().expect("runs")
}

/// Workspaces under `fixtures/` (and the SPEC example) that pass `check`.
fn passing_workspaces() -> Vec<PathBuf> {
    let mut cands: Vec<PathBuf> = ["policies", "fixtures/drills", "fixtures/explain", "fixtures/time/dst", "../shared/examples/spec-example"]
        .iter()
        .map(PathBuf::from)
        .collect();
    for base in ["fixtures/sim", "fixtures/export/alertmanager"] {
        let mut dirs: Vec<PathBuf> = walk_dirs(Path::new(base));
        dirs.sort();
        cands.extend(dirs.into_iter().filter(|d| has_esc(d)));
    }
    let mut checks: Vec<PathBuf> = std::fs::read_dir("fixtures/checks").expect("fixtures/checks").filter_map(|e| e.ok()).map(|e| e.path()).collect();
    checks.sort();
    cands.extend(checks.into_iter().filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "esc")));
    cands
        .into_iter()
        .filter(|p| p.exists())
        .filter(|p| escalade().arg("check").arg(p).args(["--from", FROM]).output().is_ok_and(|o| o.status.code() == Some(0)))
        .collect()
}

fn walk_dirs(p: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            let q = e.path();
            if q.is_dir() {
                v.push(q.clone());
                v.extend(walk_dirs(&q));
            }
        }
    }
    v
}

fn has_esc(d: &Path) -> bool {
    std::fs::read_dir(d).map(|rd| rd.flatten().any(|e| e.path().extension().is_some_and(|x| x == "esc"))).unwrap_or(false)
}

#[test]
fn every_passing_fixture_exports_a_config_amtool_accepts() {
    if !amtool() {
        return;
    }
    let ws = passing_workspaces();
    assert!(ws.len() >= 20, "too few workspaces pass check: {ws:?}");
    for p in ["policies", "fixtures/export/alertmanager/parity", "fixtures/export/alertmanager/w0900", "../shared/examples/spec-example"] {
        assert!(ws.iter().any(|w| w == Path::new(p)) || !Path::new(p).exists(), "{p} should pass check");
    }
    let t = tempfile::tempdir().expect("tempdir");
    for (i, w) in ws.iter().enumerate() {
        for url in [false, true] {
            let dir = t.path().join(format!("{i}-{url}"));
            let out = export_to(w, &dir, url);
            assert_eq!(out.status.code(), Some(0), "export {}: {}", w.display(), String::from_utf8_lossy(&out.stderr));
            let file = dir.join("alertmanager.yml");
            let am = std::process::Command::new("amtool").arg("check-config").arg(&file).output().expect("amtool runs");
            assert!(
                am.status.success(),
                "amtool check-config rejects the export of {} (url: {url}):\n{}{}\n{}",
                w.display(),
                String::from_utf8_lossy(&am.stdout),
                String::from_utf8_lossy(&am.stderr),
                std::fs::read_to_string(&file).unwrap_or_default()
            );
        }
    }
    eprintln!("amtool check-config accepted the exports of {} workspaces", ws.len());
}

#[test]
fn golden_policies_export_is_byte_identical_and_deterministic() {
    let t = tempfile::tempdir().expect("tempdir");
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    for d in [&a, &b] {
        let out = export_to(Path::new("policies"), d, true);
        assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let got = std::fs::read(a.join("alertmanager.yml")).expect("exported");
    assert_eq!(got, std::fs::read(b.join("alertmanager.yml")).expect("exported"), "two exports differ");
    let names: BTreeSet<String> = std::fs::read_dir(&a).expect("dir").flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, [".escalade-export", "alertmanager.yml"].iter().map(|s| s.to_string()).collect());
    let golden_path = "fixtures/export/alertmanager/policies/alertmanager.yml";
    if std::env::var_os("ESCALADE_BLESS").is_some() {
        std::fs::create_dir_all("fixtures/export/alertmanager/policies").expect("mkdir");
        std::fs::write(golden_path, &got).expect("write golden");
    }
    let golden = std::fs::read(golden_path).expect("golden file (regenerate with ESCALADE_BLESS=1)");
    assert!(got == golden, "the export of policies/ differs from {golden_path} (regenerate with ESCALADE_BLESS=1 after checking the diff)");
}

const W0900_MESSAGES: &[(u32, &str)] = &[
    (24, "`set severity sev1` changes a value that route `urgent` reads later; Alertmanager routes on the alert's own labels"),
    (28, "`within office` cannot choose a route in Alertmanager: exported as `active_time_intervals`, which mutes instead of re-routing"),
    (
        32,
        "`outside mon-fri 08:00-20:00, sat 22:00-02:00` cannot choose a route in Alertmanager: exported as `mute_time_intervals`, which mutes instead of re-routing",
    ),
    (37, "the pattern \"\\bdown\\b\" cannot be exported exactly: `\\b` and `\\B` are Unicode word boundaries in escalade and ASCII ones in RE2"),
    (37, "`labels.severity` has the name of the alert field `severity`: in Alertmanager both are the one label `severity`"),
];

#[test]
fn check_and_export_report_the_same_w0900_findings() {
    let ws = "fixtures/export/alertmanager/w0900";
    let out = escalade().args(["check", ws, "--target", "alertmanager", "--from", FROM, "--format", "json"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(0), "warnings only");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let got: Vec<(u32, String)> = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "W0900")
        .map(|f| (f["line"].as_u64().unwrap_or(0) as u32, f["message"].as_str().unwrap_or("").to_string()))
        .collect();
    let want: Vec<(u32, String)> = W0900_MESSAGES.iter().map(|(l, m)| (*l, m.to_string())).collect();
    assert_eq!(got, want);
    assert!(v["findings"].as_array().expect("findings").iter().all(|f| f["help"].as_str().is_some_and(|h| !h.is_empty())));

    // without --target: no W0900
    let plain = escalade().args(["check", ws, "--from", FROM, "--format", "json"]).output().expect("runs");
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("W0900"));

    // export prints every finding and still writes
    let t = tempfile::tempdir().expect("tempdir");
    let dir = t.path().join("out");
    let out = export_to(Path::new(ws), &dir, false);
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr).replace('\n', " ");
    let squeezed: String = stderr.split_whitespace().filter(|w| !w.starts_with('│')).collect::<Vec<_>>().join(" ");
    for (_, m) in W0900_MESSAGES {
        let head: String = m.split_whitespace().take(6).collect::<Vec<_>>().join(" ");
        assert!(squeezed.contains(&head), "export's stderr lacks `{head}`:\n{stderr}");
    }
    let yml = std::fs::read_to_string(dir.join("alertmanager.yml")).expect("written");
    assert!(yml.contains("active_time_intervals:\n        - office"), "{yml}");
    assert!(yml.contains("mute_time_intervals:\n        - route/late/1"), "{yml}");
}

// ---- routing parity --------------------------------------------------------

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, pct: u64) -> bool {
        self.next() % 100 < pct
    }
    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[self.below(v.len())]
    }
}

/// Values YAML 1.1 would misread, and other awkward ones.
const AWKWARD: &[&str] = &["yes", "on", "off", "y", "n", "no", "true", "null", "~", "1e3", "0755", "0x1F", "12:30", "2026-01-01", "a\"b", "back\\slash", "x, y", "ünï"];
const SUMMARIES: &[&str] = &[
    "Breach detected on db-1",
    "data exfiltration attempt",
    "EXFILTRATED",
    "credential stuffing wave",
    "ransomware note found",
    "unauthorized access to vault",
    "disk full",
    "checkout 500s",
    "0",
    "yes",
    "db is down",
    "breakdown",
];

#[derive(Default)]
struct Vocab {
    services: Vec<String>,
    severities: Vec<String>,
    keys: BTreeMap<String, Vec<String>>,
    summaries: Vec<String>,
    sources: Vec<String>,
}

fn field_values(c: &Cond, v: &mut Vocab) {
    let mut add = |f: &Field, vals: Vec<String>| match f {
        Field::Label(k) => v.keys.entry(k.clone()).or_default().extend(vals),
        Field::Source => v.sources.extend(vals),
        Field::Summary => v.summaries.extend(vals),
        _ => {}
    };
    match c {
        Cond::Cmp { field, value, .. } => add(&field.value, vec![value.text.clone()]),
        Cond::In { field, values } => add(&field.value, values.iter().map(|x| x.text.clone()).collect()),
        Cond::Matches { field, .. } => add(&field.value, Vec::new()),
        Cond::Not(x) => field_values(x, v),
        Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| field_values(x, v)),
        _ => {}
    }
}

fn vocab(m: &Model) -> Vocab {
    let mut v = Vocab { services: m.services.iter().map(|s| s.name.name.clone()).collect(), ..Default::default() };
    v.services.push("unknown-service".into());
    for s in &m.org.severities {
        v.severities.push(s.name.clone());
        v.severities.push(s.name.to_uppercase());
        v.severities.extend(s.aliases.iter().cloned());
    }
    v.severities.extend(["bogus".to_string(), "".to_string()]);
    for r in &m.routes {
        if let Some(w) = &r.when {
            field_values(&w.value, &mut v);
        }
    }
    for s in &m.services {
        for l in &s.labels {
            v.keys.entry(l.key.value.clone()).or_default().push(l.value.value.clone());
        }
    }
    for d in &m.drills {
        for a in &d.alerts {
            if let Some(s) = &a.summary {
                v.summaries.push(s.value.clone());
            }
        }
    }
    // label sets carry valid Alertmanager label names only
    v.keys.retain(|k, _| escalade::export::alertmanager::label_name(k) == *k && !["service", "severity", "summary", "source"].contains(&k.as_str()));
    v.keys.entry("extra".into()).or_default().push("x".into());
    for vals in v.keys.values_mut() {
        let mut more: Vec<String> = vals.iter().map(|x| format!("{x}-2")).collect();
        more.extend(AWKWARD.iter().map(|s| s.to_string()));
        more.push(String::new());
        vals.extend(more);
        vals.sort();
        vals.dedup();
    }
    v.summaries.extend(SUMMARIES.iter().map(|s| s.to_string()));
    v.summaries.extend(AWKWARD.iter().map(|s| s.to_string()));
    v.summaries.push(String::new());
    v.sources.extend(["prometheus".to_string(), "y".to_string(), String::new()]);
    v.sources.extend(AWKWARD.iter().take(6).map(|s| s.to_string()));
    v
}

/// One Alertmanager label set (label → value; "" is kept: Alertmanager
/// reads it as a missing label).
fn label_sets(m: &Model, n: usize, seed: u64) -> Vec<BTreeMap<String, String>> {
    let v = vocab(m);
    let mut rng = Rng(seed | 1);
    let keys: Vec<(&String, &Vec<String>)> = v.keys.iter().collect();
    (0..n)
        .map(|_| {
            let mut ls = BTreeMap::new();
            ls.insert("service".to_string(), rng.pick(&v.services).to_string());
            if rng.chance(85) {
                ls.insert("severity".into(), rng.pick(&v.severities).to_string());
            }
            for (k, vals) in &keys {
                if rng.chance(40) {
                    ls.insert(k.to_string(), rng.pick(vals).to_string());
                }
            }
            if rng.chance(60) {
                ls.insert("summary".into(), rng.pick(&v.summaries).to_string());
            }
            if rng.chance(35) {
                ls.insert("source".into(), rng.pick(&v.sources).to_string());
            }
            ls
        })
        .collect()
}

/// The alert escalade reads from a label set: an empty label is missing,
/// as in Alertmanager.
fn alert(ls: &BTreeMap<String, String>) -> AlertEvent {
    let get = |k: &str| ls.get(k).filter(|x| !x.is_empty()).cloned();
    AlertEvent {
        id: "A".into(),
        service: ls.get("service").cloned().unwrap_or_default(),
        severity: get("severity"),
        summary: get("summary"),
        source: get("source"),
        labels: ls
            .iter()
            .filter(|(k, x)| !["service", "severity", "summary", "source"].contains(&k.as_str()) && !x.is_empty())
            .map(|(k, x)| (k.clone(), x.clone()))
            .collect(),
        fingerprint: None,
    }
}

/// Receivers by SPEC §6's parity rule.
fn receivers(m: &Model, out: &RouteOutcome) -> BTreeSet<String> {
    let mut r = BTreeSet::new();
    if out.suppressed() {
        r.insert("suppress".to_string());
        return r;
    }
    r.insert(out.policy.map(|p| m.policies[p].name.name.clone()).unwrap_or_else(|| "unrouted".into()));
    for &(ri, ai) in &out.also {
        if let Some(n) = m.routes.get(ri as usize).and_then(|x| x.also.get(ai as usize)) {
            for t in &n.targets {
                r.insert(escalade::export::alertmanager::target_receiver(t));
            }
        }
    }
    r
}

fn within(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

fn cond_span(c: &Cond) -> Option<Span> {
    let join = |a: Span, b: Span| Span { file: a.file, start: a.start.min(b.start), end: a.end.max(b.end) };
    match c {
        Cond::Cmp { field, value, .. } => Some(join(field.span, value.span)),
        Cond::In { field, values } => Some(values.iter().fold(field.span, |s, v| join(s, v.span))),
        Cond::Matches { field, pattern } => Some(join(field.span, pattern.span)),
        Cond::Within { span, .. } | Cond::Outside { span, .. } => Some(*span),
        _ => None,
    }
}

fn constant(value: bool, span: Span) -> Cond {
    let never = Cond::In { field: Spanned { value: Field::Service, span }, values: Vec::new() };
    if value {
        Cond::Not(Box::new(never))
    } else {
        never
    }
}

/// Replace the atoms a W0900 finding points into by constants, one bit of
/// `bits` each, in walk order; `n` counts them.
fn rewrite(c: &Cond, flagged: &[Span], bits: u64, n: &mut u32) -> Cond {
    if let Some(s) = cond_span(c) {
        if flagged.iter().any(|f| within(s, *f)) {
            let v = bits >> *n & 1 == 1;
            *n += 1;
            return constant(v, s);
        }
        return c.clone();
    }
    match c {
        Cond::Not(x) => Cond::Not(Box::new(rewrite(x, flagged, bits, n))),
        Cond::And(xs) => Cond::And(xs.iter().map(|x| rewrite(x, flagged, bits, n)).collect()),
        Cond::Or(xs) => Cond::Or(xs.iter().map(|x| rewrite(x, flagged, bits, n)).collect()),
        c => c.clone(),
    }
}

/// The model with flagged atoms and `set`s fixed by `bits` (a flagged
/// `set` is kept when its bit is 1); also returns how many bits it used.
fn variant(m: &Model, flagged: &[Span], bits: u64) -> (Model, u32) {
    let mut v = m.clone();
    let mut n = 0;
    for r in v.routes.iter_mut() {
        rewrite_route(r, flagged, bits, &mut n);
    }
    (v, n)
}

fn rewrite_route(r: &mut Route, flagged: &[Span], bits: u64, n: &mut u32) {
    if let Some(w) = &r.when {
        let value = if flagged.contains(&r.name.span) {
            let v = bits >> *n & 1 == 1;
            *n += 1;
            constant(v, w.span)
        } else {
            rewrite(&w.value, flagged, bits, n)
        };
        r.when = Some(Spanned { value, span: w.span });
    }
    let mut keep = Vec::new();
    for s in &r.sets {
        if flagged.contains(&s.span) {
            let on = bits >> *n & 1 == 1;
            *n += 1;
            if on {
                keep.push(s.clone());
            }
        } else {
            keep.push(s.clone());
        }
    }
    r.sets = keep;
}

struct Parity {
    total: usize,
    compared: usize,
    excluded: usize,
}

fn amtool_routes(config: &Path, sets: &[BTreeMap<String, String>]) -> Vec<BTreeSet<String>> {
    let run = |ls: &BTreeMap<String, String>| -> BTreeSet<String> {
        let mut c = std::process::Command::new("amtool");
        c.args(["config", "routes", "test"]).arg(format!("--config.file={}", config.display()));
        for (k, v) in ls {
            c.arg(format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")));
        }
        let out = c.output().expect("amtool runs");
        assert!(out.status.success(), "amtool config routes test failed for {ls:?}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        text.lines().last().unwrap_or("").split(',').filter(|s| !s.is_empty()).map(String::from).collect()
    };
    let half = sets.len().div_ceil(2);
    std::thread::scope(|s| {
        let hs: Vec<_> = sets.chunks(half.max(1)).map(|chunk| s.spawn(move || chunk.iter().map(run).collect::<Vec<_>>())).collect();
        hs.into_iter().flat_map(|h| h.join().expect("thread")).collect()
    })
}

fn parity(ws: &str, n: usize, seed: u64) -> Parity {
    let loaded = escalade::workspace::load(&[PathBuf::from(ws)]).expect("loads");
    let m = &loaded.model;
    let exported = escalade::export::export(m, "alertmanager", &escalade::export::ExportOptions::default()).expect("a target");
    let flagged: Vec<Span> = exported.findings.iter().filter(|f| f.code == "W0900").map(|f| f.span).collect();
    let t = tempfile::tempdir().expect("tempdir");
    let config = t.path().join("alertmanager.yml");
    std::fs::write(&config, exported.tree.get("alertmanager.yml").expect("the file")).expect("write");

    // escalade's router over the model, and over every way the W0900
    // constructs could evaluate in Alertmanager
    let (_, k) = variant(m, &flagged, 0);
    assert!(k <= 10, "{ws}: too many W0900 constructs ({k}) to enumerate");
    let models: Vec<Model> = (0..1u64 << k).map(|bits| variant(m, &flagged, bits).0).collect();
    let tables: Vec<RouteTable> = models.iter().map(RouteTable::new).collect();
    let table = RouteTable::new(m);
    let at = chrono::DateTime::parse_from_rfc3339("2026-11-04T10:00:00Z").map(|d| d.timestamp()).unwrap_or(0);

    let sets = label_sets(m, n, seed);
    let am = amtool_routes(&config, &sets);
    let mut p = Parity { total: sets.len(), compared: 0, excluded: 0 };
    let mut mismatches = Vec::new();
    for (ls, got) in sets.iter().zip(&am) {
        let a = alert(ls);
        let eval = |mm: &Model, tb: &RouteTable| {
            let mut out = RouteOutcome::default();
            let mut scratch = tb.scratch();
            tb.evaluate(mm, &a, a.severity.as_deref().and_then(|s| mm.read_severity(s)), at, &mut scratch, &mut out);
            receivers(mm, &out)
        };
        let want = eval(m, &table);
        if models.iter().zip(&tables).any(|(mm, tb)| eval(mm, tb) != want) {
            p.excluded += 1;
            continue;
        }
        p.compared += 1;
        if *got != want {
            mismatches.push(format!("{ls:?}: amtool {got:?}, escalade {want:?}"));
        }
    }
    assert!(mismatches.is_empty(), "{ws}: {} of {} label sets route differently:\n{}", mismatches.len(), p.compared, mismatches.join("\n"));
    eprintln!("{ws}: {} label sets, {} compared, {} excluded (outcome depends on a W0900 construct)", p.total, p.compared, p.excluded);
    p
}

#[test]
fn amtool_routes_every_label_set_as_escalade_does() {
    if !amtool() {
        return;
    }
    let started = std::time::Instant::now();
    let mut all = Parity { total: 0, compared: 0, excluded: 0 };
    for (ws, n, seed) in [
        ("fixtures/export/alertmanager/parity", 700, 11),
        ("policies", 400, 22),
        ("fixtures/export/alertmanager/w0900", 120, 33),
        ("../shared/examples/spec-example", 120, 44),
        ("fixtures/explain", 120, 55),
    ] {
        if !Path::new(ws).exists() {
            continue;
        }
        let p = parity(ws, n, seed);
        all.total += p.total;
        all.compared += p.compared;
        all.excluded += p.excluded;
    }
    eprintln!(
        "parity: {} label sets, {} compared, {} excluded, in {:.1} s",
        all.total,
        all.compared,
        all.excluded,
        started.elapsed().as_secs_f64()
    );
    assert!(all.compared >= 1000, "only {} label sets compared", all.compared);
}
