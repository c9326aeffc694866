//! `export --target dot|mermaid` and `escalade graph`: the escalation
//! graph. One builder ([`build`]) makes the graph — routes in evaluation
//! order, the `suppress` sink, services, policies with their tiers, and
//! the people, teams, leads and schedules the tiers and `also`s notify —
//! and two writers print it: Graphviz DOT ([`dot`], `escalation.dot`) and
//! a Mermaid `flowchart LR` ([`mermaid`], `escalation.mmd`).
//!
//! Edges: route → policy (`decides`), route → `suppress`, route → target
//! (`also`), service → policy (`default policy`), policy → each tier (in
//! tier order), tier → next tier (`after D`), last tier → first tier
//! (`repeat N`), policy → tier (`unresolved after D`, dashed), tier →
//! target (`notify`, or its `via`), handoff tier → policy (`handoff`),
//! service → service (`depends on`, dashed).
//!
//! Node ids are `KIND_NAME` with every character other than an ASCII
//! letter, digit or `_` replaced by `_` (tiers: `tier_POLICY__TIER`); an
//! id already taken gets `_2`, `_3`, … in node order. Nodes are declared in
//! a fixed order (routes as written, then everything else by name), so the
//! output is deterministic.

use super::FileTree;
use crate::model::Model;
use crate::syntax::ast::*;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt::Write as _;

/// The file the `dot` target writes.
pub const DOT_FILE: &str = "escalation.dot";
/// The file the `mermaid` target writes.
pub const MERMAID_FILE: &str = "escalation.mmd";

/// What a node stands for; decides its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Route,
    Suppress,
    Service,
    Policy,
    Tier,
    Schedule,
    Team,
    Lead,
    Person,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub kind: Kind,
    /// sanitised, unique in the graph
    pub id: String,
    /// label lines, unescaped
    pub lines: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub label: Option<String>,
    pub dashed: bool,
}

/// The escalation graph; node and edge indices follow insertion order,
/// which the writers keep.
#[derive(Debug, Default)]
pub struct EscalationGraph {
    pub g: DiGraph<Node, Edge>,
}

/// The longest label line; longer ones (conditions, checkpoint texts) are
/// cut with `…`.
const MAX_LINE: usize = 80;

pub fn export_dot(m: &Model) -> FileTree {
    let mut tree = FileTree::new();
    tree.insert(DOT_FILE.to_string(), dot(&build(m)).into_bytes());
    tree
}

pub fn export_mermaid(m: &Model) -> FileTree {
    let mut tree = FileTree::new();
    tree.insert(MERMAID_FILE.to_string(), mermaid(&build(m)).into_bytes());
    tree
}

/// Every id character that is not `[A-Za-z0-9_]` becomes `_`.
fn sanitise(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect()
}

/// A label line: control characters become spaces, long lines are cut.
fn line(s: &str) -> String {
    let clean: String = s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() > MAX_LINE {
        let mut cut: String = clean.chars().take(MAX_LINE - 1).collect();
        cut.push('…');
        cut
    } else {
        clean
    }
}

/// `escalate after` and friends in the language's notation: `1h30m`.
pub fn duration(secs: Secs) -> String {
    if secs <= 0 {
        return "0s".into();
    }
    let mut rest = secs;
    let mut out = String::new();
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3600), ("m", 60), ("s", 1)] {
        if rest >= n {
            let _ = write!(out, "{}{unit}", rest / n);
            rest %= n;
        }
    }
    out
}

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

fn days_text(days: &[bool; 7]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        if !days[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < 7 && days[i + 1] {
            i += 1;
        }
        match i - start {
            0 => parts.push(DAYS[start].to_string()),
            1 => parts.extend([DAYS[start].to_string(), DAYS[i].to_string()]),
            _ => parts.push(format!("{}-{}", DAYS[start], DAYS[i])),
        }
        i += 1;
    }
    parts.join(", ")
}

fn when_text(w: &WindowsOrHours) -> String {
    match w {
        WindowsOrHours::Hours(h) => h.name.clone(),
        WindowsOrHours::Windows(ws) => ws
            .iter()
            .map(|w| format!("{} {:02}:{:02}-{:02}:{:02}", days_text(&w.days), w.start_min / 60, w.start_min % 60, w.end_min / 60, w.end_min % 60))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn value_text(v: &Value) -> String {
    if v.quoted {
        quoted(&v.text)
    } else {
        v.text.clone()
    }
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\\\""))
}

/// A condition in the language's notation, parenthesised where the
/// precedence (`not` over `and` over `or`) needs it.
pub fn cond_text(c: &Cond) -> String {
    fn go(c: &Cond, parent: u8, out: &mut String) {
        let own = match c {
            Cond::Or(_) => 1,
            Cond::And(_) => 2,
            Cond::Not(_) => 3,
            _ => 4,
        };
        let paren = own < parent;
        if paren {
            out.push('(');
        }
        match c {
            Cond::Cmp { field, op, value } => {
                let _ = write!(out, "{} {} {}", field.value.describe(), op.as_str(), value_text(value));
            }
            Cond::In { field, values } => {
                let vs: Vec<String> = values.iter().map(value_text).collect();
                let _ = write!(out, "{} in [{}]", field.value.describe(), vs.join(", "));
            }
            Cond::Matches { field, pattern } => {
                let _ = write!(out, "{} matches {}", field.value.describe(), quoted(&pattern.value));
            }
            Cond::Within { hours, .. } => {
                let _ = write!(out, "within {}", when_text(hours));
            }
            Cond::Outside { hours, .. } => {
                let _ = write!(out, "outside {}", when_text(hours));
            }
            Cond::Not(x) => {
                out.push_str("not ");
                go(x, 3, out);
            }
            Cond::And(xs) | Cond::Or(xs) => {
                let sep = if own == 2 { " and " } else { " or " };
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(sep);
                    }
                    // left-associative: a right operand of the same level
                    // keeps its parentheses
                    go(x, if i == 0 { own } else { own + 1 }, out);
                }
            }
        }
        if paren {
            out.push(')');
        }
    }
    let mut out = String::new();
    go(c, 0, &mut out);
    out
}

fn target_kind(k: TargetKind) -> Kind {
    match k {
        TargetKind::Person => Kind::Person,
        TargetKind::Team => Kind::Team,
        TargetKind::Lead => Kind::Lead,
        TargetKind::Schedule => Kind::Schedule,
    }
}

fn target_label(kind: Kind, name: &str) -> String {
    match kind {
        Kind::Lead => format!("lead of {name}"),
        Kind::Schedule => format!("schedule {name}"),
        Kind::Team => format!("team {name}"),
        _ => format!("person {name}"),
    }
}

fn target_prefix(kind: Kind) -> &'static str {
    match kind {
        Kind::Lead => "lead",
        Kind::Schedule => "schedule",
        Kind::Team => "team",
        _ => "person",
    }
}

fn via_text(prefix: &str, via: &[Spanned<Channel>]) -> String {
    if via.is_empty() {
        prefix.to_string()
    } else {
        let v: Vec<&str> = via.iter().map(|c| c.value.as_str()).collect();
        format!("{prefix} via {}", v.join(", "))
    }
}

/// (index, name) pairs sorted by name.
fn by_name(mut v: Vec<(usize, &str)>) -> Vec<(usize, &str)> {
    v.sort_by(|x, y| x.1.cmp(y.1));
    v
}

struct Builder {
    g: DiGraph<Node, Edge>,
    taken: HashSet<String>,
    edges: HashSet<(NodeIndex, NodeIndex, Option<String>, bool)>,
}

impl Builder {
    fn node(&mut self, kind: Kind, base: &str, lines: Vec<String>) -> NodeIndex {
        let base = sanitise(base);
        let mut id = base.clone();
        let mut n = 2;
        while self.taken.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.taken.insert(id.clone());
        self.g.add_node(Node { kind, id, lines: lines.iter().map(|l| line(l)).collect() })
    }

    /// An edge, once per (from, to, label, style).
    fn edge(&mut self, a: NodeIndex, b: NodeIndex, label: Option<String>, dashed: bool) {
        if self.edges.insert((a, b, label.clone(), dashed)) {
            self.g.add_edge(a, b, Edge { label, dashed });
        }
    }
}

/// The escalation graph of `m`.
pub fn build(m: &Model) -> EscalationGraph {
    let mut b = Builder { g: DiGraph::new(), taken: HashSet::new(), edges: HashSet::new() };

    // routes, in evaluation order
    let mut routes = Vec::new();
    for (i, r) in m.routes.iter().enumerate() {
        let mut lines = vec![format!("route {}: {}", i + 1, r.name.name)];
        if let Some(w) = &r.when {
            lines.push(format!("when {}", cond_text(&w.value)));
        }
        for s in &r.sets {
            lines.push(match &s.value {
                SetAction::Severity(id) => format!("set severity {}", id.name),
                SetAction::Label { key, value } => format!("set {} {}", crate::syntax::format_label_key(&key.value), quoted(&value.value)),
            });
        }
        if r.cont.is_some() {
            lines.push("continue".into());
        }
        routes.push(b.node(Kind::Route, &format!("route_{}", r.name.name), lines));
    }
    let suppress = m.routes.iter().any(|r| r.suppress.is_some()).then(|| b.node(Kind::Suppress, "suppress", vec!["suppress".into(), "dropped, nobody paged".into()]));

    // services by name
    let mut services: HashMap<usize, NodeIndex> = HashMap::new();
    let service_order = by_name(m.services.iter().enumerate().map(|(i, s)| (i, s.name.name.as_str())).collect());
    for &(si, name) in &service_order {
        let s = &m.services[si];
        let mut lines = vec![format!("service {name}")];
        if let Some(o) = &s.owner {
            lines.push(format!("owner {}", o.name));
        }
        services.insert(si, b.node(Kind::Service, &format!("service_{name}"), lines));
    }

    // policies by name, each followed by its tiers
    let mut policies: HashMap<usize, NodeIndex> = HashMap::new();
    let mut tiers: HashMap<(usize, usize), NodeIndex> = HashMap::new();
    let policy_order = by_name(m.policies.iter().enumerate().map(|(i, p)| (i, p.name.name.as_str())).collect());
    for &(pi, name) in &policy_order {
        let p = &m.policies[pi];
        let mut lines = vec![format!("policy {name}")];
        if let Some(r) = &p.repeat {
            lines.push(format!("repeat {}", r.value));
        }
        policies.insert(pi, b.node(Kind::Policy, &format!("policy_{name}"), lines));
        for (ti, t) in p.tiers.iter().enumerate() {
            let mut lines = vec![format!("tier {}: {}", ti + 1, t.name.name)];
            if let Some(r) = &t.renotify {
                lines.push(format!("renotify every {}", duration(r.value)));
            }
            if t.is_terminal() {
                lines.push("waits for an ack".into());
            }
            for c in &t.channels {
                lines.push(format!("open channel {}", quoted(&c.value)));
            }
            for c in &t.checkpoints {
                lines.push(format!("checkpoint {}", quoted(&c.value)));
            }
            tiers.insert((pi, ti), b.node(Kind::Tier, &format!("tier_{name}__{}", t.name.name), lines));
        }
    }

    // targets, by kind then name
    let mut wanted: BTreeSet<(Kind, &str)> = BTreeSet::new();
    let notifies = m.policies.iter().flat_map(|p| p.tiers.iter().flat_map(|t| t.notify.iter())).chain(m.routes.iter().flat_map(|r| r.also.iter()));
    for n in notifies {
        for t in &n.targets {
            wanted.insert((target_kind(t.kind), t.name.name.as_str()));
        }
    }
    let mut targets: HashMap<(Kind, String), NodeIndex> = HashMap::new();
    for (kind, name) in wanted {
        let n = b.node(kind, &format!("{}_{name}", target_prefix(kind)), vec![target_label(kind, name)]);
        targets.insert((kind, name.to_string()), n);
    }
    let target = |t: &Target| targets.get(&(target_kind(t.kind), t.name.name.clone())).copied();
    let policy_node = |name: &str| m.ns_policy.get(name).and_then(|p| policies.get(&p).copied());

    // edges: routes
    for (r, &rn) in m.routes.iter().zip(&routes) {
        if let Some(pn) = r.to.as_ref().and_then(|p| policy_node(&p.name)) {
            b.edge(rn, pn, Some("decides".into()), false);
        }
        if let Some(sn) = suppress.filter(|_| r.suppress.is_some()) {
            b.edge(rn, sn, Some("suppress".into()), false);
        }
        for a in &r.also {
            for t in &a.targets {
                if let Some(tn) = target(t) {
                    b.edge(rn, tn, Some(via_text("also", &a.via)), false);
                }
            }
        }
    }
    // services: default policy, then depends-on
    for &(si, _) in &service_order {
        let s = &m.services[si];
        let Some(&sn) = services.get(&si) else { continue };
        if let Some(pn) = s.policy.as_ref().and_then(|p| policy_node(&p.name)) {
            b.edge(sn, pn, Some("default policy".into()), false);
        }
        for d in &s.depends_on {
            if let Some(dn) = m.ns_service.get(&d.name).and_then(|di| services.get(&di).copied()) {
                b.edge(sn, dn, Some("depends on".into()), true);
            }
        }
    }
    // policies: tiers, escalation, repeat, unresolved, targets, handoffs
    for &(pi, _) in &policy_order {
        let p = &m.policies[pi];
        let Some(&pn) = policies.get(&pi) else { continue };
        let tier_nodes: Vec<NodeIndex> = (0..p.tiers.len()).filter_map(|ti| tiers.get(&(pi, ti)).copied()).collect();
        for &tn in &tier_nodes {
            b.edge(pn, tn, None, false);
        }
        for (ti, t) in p.tiers.iter().enumerate() {
            let Some(&tn) = tier_nodes.get(ti) else { continue };
            if let Some(after) = &t.escalate_after {
                let after = duration(after.value);
                match tier_nodes.get(ti + 1) {
                    Some(&next) => b.edge(tn, next, Some(format!("after {after}")), false),
                    None => {
                        if let (Some(r), Some(&first)) = (p.repeat.as_ref().filter(|r| r.value > 0), tier_nodes.first()) {
                            b.edge(tn, first, Some(format!("after {after}, repeat {}", r.value)), false);
                        }
                    }
                }
            }
            for n in &t.notify {
                for x in &n.targets {
                    if let Some(xn) = target(x) {
                        b.edge(tn, xn, Some(via_text("notify", &n.via)), false);
                    }
                }
            }
            if let Some(hn) = t.handoff.as_ref().and_then(|h| policy_node(&h.name)) {
                b.edge(tn, hn, Some("handoff".into()), false);
            }
        }
        if let Some(u) = &p.unresolved {
            if let Some(&tn) = p.tiers.iter().position(|t| t.name.name == u.tier.name).and_then(|ti| tier_nodes.get(ti)) {
                b.edge(pn, tn, Some(format!("unresolved after {}", duration(u.after.value))), true);
            }
        }
    }
    EscalationGraph { g: b.g }
}

/// A DOT double-quoted string's contents: `\` and `"` escaped (labels are
/// never record or HTML labels, so `<`, `>`, `|` and `{` are plain).
pub fn dot_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '"' => o.push_str("\\\""),
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn dot_shape(k: Kind) -> &'static str {
    match k {
        Kind::Route => "cds",
        Kind::Suppress => "octagon",
        Kind::Service => "component",
        Kind::Policy => "box3d",
        Kind::Tier => "box",
        Kind::Schedule => "cylinder",
        Kind::Team => "hexagon",
        Kind::Lead | Kind::Person => "ellipse",
    }
}

/// The graph as Graphviz DOT.
pub fn dot(gr: &EscalationGraph) -> String {
    let g = &gr.g;
    let mut out = String::new();
    out.push_str("// escalade escalation graph: routes -> policies -> tiers -> targets, plus depends-on edges\n");
    out.push_str("digraph escalation {\n");
    out.push_str("  rankdir=LR;\n");
    out.push_str("  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n");
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    let mut last_kind = None;
    for n in g.node_weights() {
        // a blank line between groups of nodes; a policy and its tiers are
        // one group
        let same_group = last_kind == Some(n.kind) || (last_kind == Some(Kind::Policy) && n.kind == Kind::Tier);
        if !same_group {
            out.push('\n');
        }
        last_kind = Some(n.kind);
        let label: Vec<String> = n.lines.iter().map(|l| dot_escape(l)).collect();
        let style = match n.kind {
            Kind::Tier => ", style=rounded",
            Kind::Lead => ", style=dashed",
            _ => "",
        };
        let _ = writeln!(out, "  \"{}\" [label=\"{}\", shape={}{style}];", dot_escape(&n.id), label.join("\\n"), dot_shape(n.kind));
    }
    if g.edge_count() > 0 {
        out.push('\n');
    }
    for e in g.edge_indices() {
        let (Some((a, b)), Some(w)) = (g.edge_endpoints(e), g.edge_weight(e)) else { continue };
        let mut attrs = Vec::new();
        if let Some(l) = &w.label {
            attrs.push(format!("label=\"{}\"", dot_escape(l)));
        }
        if w.dashed {
            attrs.push("style=dashed".to_string());
        }
        let attrs = if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
        let _ = writeln!(out, "  \"{}\" -> \"{}\"{attrs};", dot_escape(&g[a].id), dot_escape(&g[b].id));
    }
    out.push_str("}\n");
    out
}

/// Label text for Mermaid: every character the flowchart syntax or its
/// HTML labels could read becomes an entity code (`#quot;`, `#lt;`,
/// `#124;`, …).
pub fn mermaid_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => o.push_str("#quot;"),
            '&' => o.push_str("#amp;"),
            '<' => o.push_str("#lt;"),
            '>' => o.push_str("#gt;"),
            '#' | '|' | '{' | '}' | '[' | ']' | '(' | ')' | '`' | ';' | '\\' => {
                let _ = write!(o, "#{};", u32::from(c));
            }
            c if c.is_control() => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

fn mermaid_shape(k: Kind) -> (&'static str, &'static str) {
    match k {
        Kind::Route => (">", "]"),
        Kind::Suppress => ("((", "))"),
        Kind::Service => ("[/", "/]"),
        Kind::Policy => ("[[", "]]"),
        Kind::Tier => ("(", ")"),
        Kind::Schedule => ("[(", ")]"),
        Kind::Team => ("{{", "}}"),
        Kind::Lead | Kind::Person => ("([", "])"),
    }
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(gr: &EscalationGraph) -> String {
    let g = &gr.g;
    let mut out = String::new();
    out.push_str("%% escalade escalation graph: routes -> policies -> tiers -> targets, plus depends-on edges\n");
    out.push_str("flowchart LR\n");
    for n in g.node_weights() {
        let (open, close) = mermaid_shape(n.kind);
        let label: Vec<String> = n.lines.iter().map(|l| mermaid_escape(l)).collect();
        let _ = writeln!(out, "  {}{open}\"{}\"{close}", n.id, label.join("<br>"));
    }
    for e in g.edge_indices() {
        let (Some((a, b)), Some(w)) = (g.edge_endpoints(e), g.edge_weight(e)) else { continue };
        let arrow = if w.dashed { "-.->" } else { "-->" };
        match &w.label {
            Some(l) => {
                let _ = writeln!(out, "  {} {arrow}|\"{}\"| {}", g[a].id, mermaid_escape(l), g[b].id);
            }
            None => {
                let _ = writeln!(out, "  {} {arrow} {}", g[a].id, g[b].id);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(src: &str) -> Model {
        let ws = crate::workspace::load_texts(".".into(), vec![("w.esc".into(), src.as_bytes().to_vec())]);
        assert!(!crate::check::has_model_errors(&ws), "{:?}", ws.findings);
        ws.model
    }

    #[test]
    fn ids_are_sanitised_and_collisions_get_a_suffix() {
        let m = model(
            r#"
person a-b { email "x@y.z" }
person a_b { email "y@y.z" }
policy p-1 { tier t { notify person a-b, person a_b } }
policy p_1 { tier t { notify person a_b } }
"#,
        );
        let g = build(&m);
        let ids: Vec<&str> = g.g.node_weights().map(|n| n.id.as_str()).collect();
        assert_eq!(ids, ["policy_p_1", "tier_p_1__t", "policy_p_1_2", "tier_p_1__t_2", "person_a_b", "person_a_b_2"]);
    }

    #[test]
    fn labels_are_escaped_for_each_syntax() {
        assert_eq!(dot_escape(r#"a "b" \d <x> | {y}"#), r#"a \"b\" \\d <x> | {y}"#);
        assert_eq!(mermaid_escape(r#"a "b" <x> | {y} #1;"#), "a #quot;b#quot; #lt;x#gt; #124; #123;y#125; #35;1#59;");
        assert_eq!(line("a\nb"), "a b");
        assert_eq!(line(&"x".repeat(100)).chars().count(), MAX_LINE);
    }

    #[test]
    fn conditions_read_back_with_the_needed_parentheses() {
        let m = model(
            r#"
policy p { tier t { } }
routes {
  route r {
    when not (severity >= sev2 or labels."a.b" in ["x", "y"]) and (summary matches "q\"" or within mon-wed, fri 09:00-24:00)
    to policy p
  }
}
"#,
        );
        let w = m.routes[0].when.as_ref().map(|w| cond_text(&w.value)).unwrap_or_default();
        assert_eq!(w, r#"not (severity >= sev2 or labels."a.b" in ["x", "y"]) and (summary matches "q\"" or within mon-wed, fri 09:00-24:00)"#);
        assert_eq!(duration(5400), "1h30m");
        assert_eq!(duration(30), "30s");
    }
}
