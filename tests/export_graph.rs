//! `export --target json|dot|mermaid` and `escalade graph`: golden files
//! for `policies/`, determinism, `graph` printing exactly the export's
//! file, the DOT rendered by Graphviz when it is installed, structural
//! checks of both graph syntaxes without it, and `model.json` validated
//! against `docs/schemas/model.schema.json`.

mod export_common;

use assert_cmd::Command;
use escalade::check;
use escalade::export::graph;
use escalade::model::Model;
use escalade::workspace::{self, Workspace};
use export_common::{compare_golden, export_workspace, read_dir_tree};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

const SCHEMA: &str = "docs/schemas/model.schema.json";

fn bin() -> Command {
    Command::cargo_bin("escalade").expect("binary")
}

fn sorted_entries(dir: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    v.sort();
    v
}

/// Every workspace of the repository without model errors: `policies/`,
/// the SPEC example (when the shared copy is present) and every fixture
/// workspace (directories and single files). `graph` and the json target
/// accept all of them; `export` refuses E0200/E0201 on top, which changes
/// nothing in what these targets write.
fn sound_workspaces() -> Vec<(String, Workspace)> {
    let mut paths = vec![PathBuf::from("policies"), PathBuf::from("fixtures/time"), PathBuf::from("fixtures/explain")];
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/examples/spec-example");
    if spec.is_dir() {
        paths.push(spec);
    }
    for dir in ["fixtures/checks", "fixtures/drills", "fixtures/sim", "fixtures/time"] {
        paths.extend(sorted_entries(dir).into_iter().filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "esc")));
    }
    for target in sorted_entries("fixtures/export") {
        paths.extend(sorted_entries(&target.to_string_lossy()).into_iter().filter(|p| p.extension().is_some_and(|x| x == "esc") || p.join("main.esc").is_file() || has_esc(p)));
    }
    let mut out = Vec::new();
    for p in paths {
        let Ok(ws) = workspace::load(std::slice::from_ref(&p)) else { continue };
        if !check::has_model_errors(&ws) {
            out.push((p.display().to_string(), ws));
        }
    }
    assert!(out.len() > 50, "too few workspaces found: {}", out.len());
    out
}

/// A directory holding `.esc` files directly (fixture workspaces, not the
/// golden trees).
fn has_esc(p: &Path) -> bool {
    p.is_dir() && sorted_entries(&p.to_string_lossy()).iter().any(|f| f.extension().is_some_and(|x| x == "esc"))
}

fn load(path: &str) -> Workspace {
    let ws = workspace::load(&[PathBuf::from(path)]).expect("loads");
    assert!(!check::has_model_errors(&ws), "{path} has model errors");
    ws
}

fn file_of(ws: &Workspace, target: &str, file: &str) -> String {
    let e = export_workspace(ws, target);
    assert!(e.findings.is_empty(), "{target} reported findings: {:?}", e.findings.iter().map(|f| &f.message).collect::<Vec<_>>());
    assert_eq!(e.tree.keys().collect::<Vec<_>>(), [file]);
    String::from_utf8(e.tree[file].clone()).expect("UTF-8")
}

// ---------------------------------------------------------------------------
// golden files, determinism, `graph` = the export's file

#[test]
fn policies_export_matches_the_golden_files() {
    let ws = load("policies");
    for target in ["json", "dot", "mermaid"] {
        let e = export_workspace(&ws, target);
        assert!(e.findings.is_empty(), "{target}: no W0900 expected");
        compare_golden(&e.tree, &Path::new("fixtures/export").join(target).join("policies"));
    }
}

fn export_cli(ws: &str, target: &str, dir: &Path) -> std::process::Output {
    bin().args(["export", ws, "--target", target, "--from", "2026-11-09T00:00:00Z", "-o"]).arg(dir).output().expect("runs")
}

#[test]
fn exports_are_deterministic_and_graph_prints_the_exported_file() {
    let t = tempfile::tempdir().expect("tempdir");
    for (target, file, format) in [("dot", "escalation.dot", Some("dot")), ("mermaid", "escalation.mmd", Some("mermaid")), ("json", "model.json", None)] {
        let (a, b) = (t.path().join(format!("{target}-a")), t.path().join(format!("{target}-b")));
        for d in [&a, &b] {
            let out = export_cli("policies", target, d);
            assert_eq!(out.status.code(), Some(0), "{target}: {}", String::from_utf8_lossy(&out.stderr));
            assert!(!String::from_utf8_lossy(&out.stderr).contains("W0900"), "{target}: no W0900 expected");
        }
        let tree = read_dir_tree(&a);
        assert_eq!(tree.keys().collect::<Vec<_>>(), [file]);
        assert_eq!(tree, read_dir_tree(&b), "{target}: two exports differ");
        // exporting again into the previous export changes nothing
        assert_eq!(bin().args(["export", "policies", "--target", target, "--check", "-o"]).arg(&a).output().expect("runs").status.code(), Some(0));
        if let Some(format) = format {
            let out = bin().args(["graph", "policies", "--format", format]).output().expect("runs");
            assert_eq!(out.status.code(), Some(0));
            assert!(out.stderr.is_empty(), "{}", String::from_utf8_lossy(&out.stderr));
            assert!(out.stdout == tree[file], "graph --format {format} differs from the {target} export");
        }
    }
    // dot is the default format
    let default = bin().args(["graph", "policies"]).output().expect("runs");
    assert_eq!(default.stdout, read_dir_tree(&t.path().join("dot-a"))["escalation.dot"]);
}

#[test]
fn graph_refuses_model_errors_and_reports_usage_errors() {
    let out = bin().args(["graph", "fixtures/checks/E0100-fail.esc"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0100"), "{}", String::from_utf8_lossy(&out.stderr));
    bin().args(["graph", "policies", "--format", "svg"]).assert().code(2);
    bin().args(["graph", "fixtures/does-not-exist"]).assert().code(2);
    bin().args(["graph"]).assert().code(2);
    // dead ends block export, not graph (SPEC §4)
    let dead = bin().args(["graph", "fixtures/checks/E0200-fail.esc", "--format", "mermaid"]).output().expect("runs");
    assert_eq!(dead.status.code(), Some(0), "{}", String::from_utf8_lossy(&dead.stderr));
    assert!(String::from_utf8_lossy(&dead.stdout).starts_with("%% escalade"));
}

#[test]
fn check_target_reports_nothing_for_these_targets() {
    for target in ["json", "dot", "mermaid"] {
        let out = bin().args(["check", "policies", "--format", "json", "--from", "2026-11-09T00:00:00Z", "--target", target]).output().expect("runs");
        let v: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let codes: Vec<&str> = v["findings"].as_array().expect("findings").iter().filter_map(|f| f["code"].as_str()).collect();
        assert!(!codes.contains(&"W0900"), "{target}: {codes:?}");
    }
}

// ---------------------------------------------------------------------------
// DOT

/// A DOT file as this exporter writes it: `"id" [label="…", …];` node
/// lines and `"a" -> "b" […];` edge lines. Panics on any other line.
struct DotFile {
    /// id → label (escapes undone), in order
    nodes: Vec<(String, String)>,
    /// (from, to, label)
    edges: Vec<(String, String, Option<String>)>,
}

/// A DOT quoted string starting right after its opening quote: the
/// unescaped text and the rest after the closing quote.
fn dot_string(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => out.push('\n'),
                e @ ('"' | '\\') => out.push(e),
                other => panic!("unexpected escape \\{other} in {s:?}"),
            },
            c => out.push(c),
        }
    }
    None
}

fn parse_dot(text: &str) -> DotFile {
    let mut lines = text.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("// ")), "comment header");
    assert_eq!(lines.next(), Some("digraph escalation {"));
    let mut f = DotFile { nodes: Vec::new(), edges: Vec::new() };
    let mut closed = false;
    for l in lines {
        assert!(!closed, "text after the closing brace: {l:?}");
        if l.is_empty() || l.starts_with("  rankdir=") || l.starts_with("  node [") || l.starts_with("  edge [") {
            continue;
        }
        if l == "}" {
            closed = true;
            continue;
        }
        let rest = l.strip_prefix("  \"").unwrap_or_else(|| panic!("unexpected line {l:?}"));
        let (id, rest) = dot_string(rest).unwrap_or_else(|| panic!("unterminated id in {l:?}"));
        if let Some(rest) = rest.strip_prefix(" -> \"") {
            let (to, rest) = dot_string(rest).unwrap_or_else(|| panic!("unterminated id in {l:?}"));
            let label = rest.strip_prefix(" [label=\"").map(|r| dot_string(r).unwrap_or_else(|| panic!("unterminated label in {l:?}")));
            if let Some((_, after)) = &label {
                assert!(after.ends_with("];"), "{l:?}");
            } else {
                assert!(rest == ";" || rest == " [style=dashed];", "{l:?}");
            }
            f.edges.push((id, to, label.map(|x| x.0)));
        } else {
            let rest = rest.strip_prefix(" [label=\"").unwrap_or_else(|| panic!("node without label: {l:?}"));
            let (label, after) = dot_string(rest).unwrap_or_else(|| panic!("unterminated label in {l:?}"));
            assert!(after.starts_with(", shape=") && after.ends_with("];"), "{l:?}");
            f.nodes.push((id, label));
        }
    }
    assert!(closed, "no closing brace");
    f
}

/// The first label line of a target's node.
fn target_label(t: &escalade::syntax::ast::Target) -> String {
    use escalade::syntax::ast::TargetKind;
    match t.kind {
        TargetKind::Person => format!("person {}", t.name.name),
        TargetKind::Team => format!("team {}", t.name.name),
        TargetKind::Lead => format!("lead of {}", t.name.name),
        TargetKind::Schedule => format!("schedule {}", t.name.name),
    }
}

/// `notify` / `also`, with ` via a, b` when the statement has `via`.
fn with_via(what: &str, n: &escalade::syntax::ast::Notify) -> String {
    if n.via.is_empty() {
        what.to_string()
    } else {
        format!("{what} via {}", n.via.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join(", "))
    }
}

/// What every graph must show of its model, checked on (id → first label
/// line) and the edges, whatever the syntax.
fn check_graph_shows_the_model(name: &str, m: &Model, nodes: &[(String, String)], edges: &[(String, String, Option<String>)]) {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for (id, _) in nodes {
        assert!(ids.insert(id), "{name}: node {id} declared twice");
    }
    for (a, b, _) in edges {
        assert!(ids.contains(a.as_str()) && ids.contains(b.as_str()), "{name}: edge {a} -> {b} has an undeclared end");
    }
    let by_first_line: HashMap<&str, &str> = nodes.iter().map(|(id, l)| (l.lines().next().unwrap_or(""), id.as_str())).collect();
    let position: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
    let has_edge = |a: &str, b: &str, label: Option<&str>| edges.iter().any(|(x, y, l)| x == a && y == b && label.is_none_or(|want| l.as_deref() == Some(want)));
    let node = |first: String| *by_first_line.get(first.as_str()).unwrap_or_else(|| panic!("{name}: no node `{first}`"));
    let mut last_route = None;
    for (i, r) in m.routes.iter().enumerate() {
        let rn = node(format!("route {}: {}", i + 1, r.name.name));
        assert!(last_route < Some(position[rn]), "{name}: routes out of order");
        last_route = Some(position[rn]);
        if let Some(p) = &r.to {
            assert!(has_edge(rn, node(format!("policy {}", p.name)), Some("decides")), "{name}: route {} decides {}", r.name.name, p.name);
        }
        if r.suppress.is_some() {
            assert!(has_edge(rn, node("suppress".into()), Some("suppress")));
        }
        for a in &r.also {
            for x in &a.targets {
                assert!(has_edge(rn, node(target_label(x)), Some(&with_via("also", a))), "{name}: route {} also pages {}", r.name.name, x.name.name);
            }
        }
    }
    for p in &m.policies {
        let pn = node(format!("policy {}", p.name.name));
        let mut prev: Option<&str> = None;
        for (i, t) in p.tiers.iter().enumerate() {
            let tn = edges
                .iter()
                .filter(|(a, _, l)| a == pn && l.is_none())
                .map(|(_, b, _)| b.as_str())
                .find(|b| nodes[position[b]].1.lines().next() == Some(&format!("tier {}: {}", i + 1, t.name.name)))
                .unwrap_or_else(|| panic!("{name}: policy {} has no edge to tier {}", p.name.name, t.name.name));
            if let (Some(pr), Some(prev_tier)) = (prev, i.checked_sub(1).map(|j| &p.tiers[j])) {
                if let Some(after) = &prev_tier.escalate_after {
                    assert!(has_edge(pr, tn, Some(&format!("after {}", graph::duration(after.value)))), "{name}: {}.{} escalates", p.name.name, prev_tier.name.name);
                }
            }
            if let Some(h) = &t.handoff {
                assert!(has_edge(tn, node(format!("policy {}", h.name)), Some("handoff")));
            }
            for n in &t.notify {
                for x in &n.targets {
                    let xn = node(target_label(x));
                    assert!(has_edge(tn, xn, Some(&with_via("notify", n))), "{name}: {} notifies {}", t.name.name, x.name.name);
                }
            }
            prev = Some(tn);
        }
    }
    for s in &m.services {
        let sn = node(format!("service {}", s.name.name));
        if let Some(p) = &s.policy {
            assert!(has_edge(sn, node(format!("policy {}", p.name)), Some("default policy")));
        }
        for d in &s.depends_on {
            assert!(has_edge(sn, node(format!("service {}", d.name)), Some("depends on")), "{name}: {} depends on {}", s.name.name, d.name);
        }
    }
}

fn dot_available() -> bool {
    std::process::Command::new("dot").arg("-V").output().is_ok_and(|o| o.status.success())
}

#[test]
fn dot_output_is_well_formed_and_shows_the_whole_model() {
    let render = dot_available();
    if !render {
        eprintln!("skipped rendering: Graphviz `dot` is not installed (structural checks still run)");
    }
    for (name, ws) in sound_workspaces() {
        let text = graph::dot(&graph::build(&ws.model));
        let f = parse_dot(&text);
        check_graph_shows_the_model(&name, &ws.model, &f.nodes, &f.edges);
        if render {
            use std::io::Write;
            let mut child = std::process::Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("dot starts");
            child.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("write to dot");
            let out = child.wait_with_output().expect("dot runs");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success() && stderr.trim().is_empty(), "{name}: dot -Tsvg failed: {stderr}");
            assert!(String::from_utf8_lossy(&out.stdout).contains("<svg"), "{name}: no SVG");
        }
    }
}

#[test]
fn dot_labels_and_ids_survive_awkward_text() {
    let ws = load("fixtures/export/dot/labels.esc");
    let f = parse_dot(&graph::dot(&graph::build(&ws.model)));
    let labels: BTreeMap<&str, &str> = f.nodes.iter().map(|(id, l)| (id.as_str(), l.as_str())).collect();
    // names that collide once sanitised keep distinct ids
    for id in ["person_a_b", "person_a_b_2", "policy_p_1", "policy_p_1_2", "service_svc_a", "service_svc_a_2", "route_r_1", "route_r_1_2"] {
        assert!(labels.contains_key(id), "{id} missing: {:?}", labels.keys());
    }
    let tier = labels.values().find(|l| l.starts_with("tier 1: t-1\n")).expect("tier t-1");
    assert!(tier.contains(r#"checkpoint "say \"hi\" <b>bold</b> | {x} [y] (z) #1; C:\temp""#), "{tier}");
    assert!(tier.contains("renotify every 1m30s"));
    let route = labels["route_r_1"];
    assert!(route.contains(r#"when summary matches "^(a|b)\s<[x]>\"q\"$" and not labels."k|v" in ["{1}", "2"]"#), "{route}");
    assert!(route.contains(r#"set labels.note "a \"quoted\" <note>""#), "{route}");
    assert!(f.edges.contains(&("tier_p_1__t_1".into(), "tier_p_1__t_1_2".into(), Some("after 1h30m".into()))), "{:?}", f.edges);
    assert!(f.edges.contains(&("tier_p_1__t_1_2".into(), "tier_p_1__t_1".into(), Some("after 10m, repeat 3".into()))));
    assert!(f.edges.contains(&("policy_p_1".into(), "tier_p_1__t_1_2".into(), Some("unresolved after 2h".into()))));
    assert!(f.edges.contains(&("tier_p_1__t_1_2".into(), "lead_on_call".into(), Some("notify via phone".into()))));
    assert!(f.edges.contains(&("route_r_1".into(), "person_a_b_2".into(), Some("also via sms".into()))));
}

// ---------------------------------------------------------------------------
// Mermaid

/// Characters that must never appear raw in a Mermaid label.
const MERMAID_RAW: &[char] = &['"', '<', '>', '|', '{', '}', '[', ']', '(', ')', '`', ';', '\\'];

/// A Mermaid entity code: `#quot;`, `#124;`, …
static ENTITY: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| regex::Regex::new(r"#(quot|amp|lt|gt|[0-9]+);").expect("regex"));

fn mermaid_unescape(s: &str) -> String {
    ENTITY
        .replace_all(s, |c: &regex::Captures| match &c[1] {
            "quot" => "\"".to_string(),
            "amp" => "&".to_string(),
            "lt" => "<".to_string(),
            "gt" => ">".to_string(),
            n => char::from_u32(n.parse().expect("code")).expect("char").to_string(),
        })
        .into_owned()
}

/// Checks a label's escaping and returns its text (lines joined by `\n`).
fn mermaid_label(raw: &str, line: &str) -> String {
    for part in raw.split("<br>") {
        let without_entities = ENTITY.replace_all(part, "");
        assert!(!without_entities.contains(MERMAID_RAW), "raw special character in label {part:?} of {line:?}");
        assert!(!without_entities.contains('#'), "`#` outside an entity in {line:?}");
    }
    raw.split("<br>").map(mermaid_unescape).collect::<Vec<_>>().join("\n")
}

type Parsed = (Vec<(String, String)>, Vec<(String, String, Option<String>)>);

fn parse_mermaid(text: &str) -> Parsed {
    let node = regex::Regex::new(r#"^  ([A-Za-z0-9_]+)(>|\(\(|\[/|\[\[|\(|\[\(|\{\{|\(\[)"(.*)"(\]|\)\)|/\]|\]\]|\)|\)\]|\}\}|\]\))$"#).expect("regex");
    let edge = regex::Regex::new(r#"^  ([A-Za-z0-9_]+) (-->|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z0-9_]+)$"#).expect("regex");
    let mut lines = text.lines();
    assert!(lines.next().is_some_and(|l| l.starts_with("%% ")), "comment header");
    assert_eq!(lines.next(), Some("flowchart LR"));
    let (mut nodes, mut edges) = (Vec::new(), Vec::new());
    for l in lines {
        if let Some(c) = node.captures(l) {
            assert!(edges.is_empty(), "node {l:?} declared after the edges");
            let pair = (&c[2], &c[4]);
            let shapes = [(">", "]"), ("((", "))"), ("[/", "/]"), ("[[", "]]"), ("(", ")"), ("[(", ")]"), ("{{", "}}"), ("([", "])")];
            assert!(shapes.contains(&pair), "mismatched shape brackets in {l:?}");
            // reserved words Mermaid would not read as node ids
            assert!(!["end", "graph", "subgraph", "flowchart", "style", "class", "classDef", "click", "linkStyle"].contains(&&c[1]), "{l:?}");
            nodes.push((c[1].to_string(), mermaid_label(&c[3], l)));
        } else if let Some(c) = edge.captures(l) {
            let label = c.get(3).map(|m| mermaid_label(m.as_str(), l));
            edges.push((c[1].to_string(), c[4].to_string(), label));
        } else {
            panic!("unexpected Mermaid line {l:?}");
        }
    }
    (nodes, edges)
}

#[test]
fn mermaid_output_is_well_formed_and_shows_the_whole_model() {
    for (name, ws) in sound_workspaces() {
        let text = graph::mermaid(&graph::build(&ws.model));
        let (nodes, edges) = parse_mermaid(&text);
        check_graph_shows_the_model(&name, &ws.model, &nodes, &edges);
        // the same graph as the DOT writer's
        let dot = parse_dot(&graph::dot(&graph::build(&ws.model)));
        assert_eq!(nodes, dot.nodes, "{name}: Mermaid and DOT nodes differ");
        assert_eq!(edges, dot.edges, "{name}: Mermaid and DOT edges differ");
    }
}

#[test]
fn mermaid_labels_are_escaped() {
    let ws = load("fixtures/export/dot/labels.esc");
    let text = graph::mermaid(&graph::build(&ws.model));
    assert!(text.contains("checkpoint #quot;say #92;#quot;hi#92;#quot; #lt;b#gt;bold#lt;/b#gt; #124; #123;x#125; #91;y#93; #40;z#41; #35;1#59; C:#92;temp#quot;"), "{text}");
    let (nodes, _) = parse_mermaid(&text);
    let tier = nodes.iter().find(|(_, l)| l.starts_with("tier 1: t-1\n")).expect("tier t-1");
    assert!(tier.1.contains(r#"checkpoint "say \"hi\" <b>bold</b> | {x} [y] (z) #1; C:\temp""#), "{}", tier.1);
    let channel = nodes.iter().find(|(_, l)| l.starts_with("tier 2: t_1\n")).expect("tier t_1");
    assert!(channel.1.contains(r##"open channel "#inc|{room}""##), "{}", channel.1);
}

// ---------------------------------------------------------------------------
// JSON and its schema

fn validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(SCHEMA).expect("schema file")).expect("schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&schema).expect("the schema compiles")
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path)).collect()
}

#[test]
fn model_json_of_every_sound_workspace_validates_against_the_schema() {
    let v = validator();
    let mut checked = 0;
    for (name, ws) in sound_workspaces() {
        let text = file_of(&ws, "json", "model.json");
        assert!(text.ends_with("}\n"));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not JSON: {e}"));
        let errs = errors(&v, &doc);
        assert!(errs.is_empty(), "{name}: model.json does not validate:\n{}", errs.join("\n"));
        assert_eq!(doc["routes"].as_array().map(Vec::len), Some(ws.model.routes.len()), "{name}");
        assert_eq!(doc["policies"].as_array().map(Vec::len), Some(ws.model.policies.len()), "{name}");
        checked += 1;
    }
    assert!(checked > 50);
}

#[test]
fn the_schema_rejects_broken_documents() {
    let v = validator();
    let ws = load("policies");
    let good: Value = serde_json::from_str(&file_of(&ws, "json", "model.json")).expect("JSON");
    assert!(v.is_valid(&good));
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 10] = [
        ("no version", |d| {
            d.as_object_mut().map(|o| o.remove("version"));
        }),
        ("version 2", |d| d["version"] = 2.into()),
        ("an unknown top-level key", |d| d["extra"] = true.into()),
        ("a duration as a string", |d| d["policies"][0]["tiers"][0]["escalate_after_s"] = "5m".into()),
        ("a local datetime", |d| d["schedules"][0]["layers"][0]["from"] = "2026-01-05 09:00".into()),
        ("an unknown channel", |d| d["persons"][0]["contacts"][0]["channel"] = "pager".into()),
        ("a target without kind", |d| {
            d["policies"][0]["tiers"][0]["notify"][0]["targets"][0].as_object_mut().map(|o| o.remove("kind"));
        }),
        ("an unknown condition operator", |d| d["routes"][0]["when"]["op"] = "like".into()),
        ("suppress with continue", |d| {
            d["routes"][1]["suppress"] = true.into();
            d["routes"][1]["continue"] = true.into();
        }),
        ("a handoff tier that notifies", |d| {
            d["policies"][0]["tiers"][0]["kind"] = "handoff".into();
        }),
    ];
    for (what, breaks) in breakages {
        let mut doc = good.clone();
        breaks(&mut doc);
        assert!(!v.is_valid(&doc), "the schema accepts a document with {what}");
    }
}
