//! The escalation graph (petgraph): routes → policies → tiers → targets,
//! plus handoff and `depends-on` edges. Node order follows the model's
//! declaration order, so every walk is deterministic.

use super::Model;
use crate::syntax::ast::TargetKind;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Node {
    Route(usize),
    Service(usize),
    Policy(usize),
    /// (policy, tier)
    Tier(usize, usize),
    Person(usize),
    Team(usize),
    Lead(usize),
    Schedule(usize),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// route `to` / service `policy`
    Decides,
    /// route `also`
    Also,
    /// policy → its tier
    HasTier,
    /// tier → next tier
    Next,
    /// tier → notify target
    Notifies,
    /// handoff tier → policy
    Handoff,
    /// service → service
    DependsOn,
}

#[derive(Debug, Default)]
pub struct Graph {
    pub g: DiGraph<Node, Edge>,
    pub index: HashMap<Node, NodeIndex>,
}

impl Graph {
    fn node(&mut self, n: Node) -> NodeIndex {
        if let Some(i) = self.index.get(&n) {
            return *i;
        }
        let i = self.g.add_node(n.clone());
        self.index.insert(n, i);
        i
    }

    pub fn build(m: &Model) -> Graph {
        let mut gr = Graph::default();
        for (pi, p) in m.policies.iter().enumerate() {
            let pn = gr.node(Node::Policy(pi));
            let mut prev = None;
            for (ti, t) in p.tiers.iter().enumerate() {
                let tn = gr.node(Node::Tier(pi, ti));
                gr.g.add_edge(pn, tn, Edge::HasTier);
                if let Some(pr) = prev {
                    gr.g.add_edge(pr, tn, Edge::Next);
                }
                prev = Some(tn);
                for n in &t.notify {
                    for tg in &n.targets {
                        if let Some(x) = target_node(m, tg.kind, &tg.name.name) {
                            let xn = gr.node(x);
                            gr.g.add_edge(tn, xn, Edge::Notifies);
                        }
                    }
                }
                if let Some(h) = &t.handoff {
                    if let Some(hp) = m.ns_policy.get(&h.name) {
                        let hn = gr.node(Node::Policy(hp));
                        gr.g.add_edge(tn, hn, Edge::Handoff);
                    }
                }
            }
        }
        for (si, s) in m.services.iter().enumerate() {
            let sn = gr.node(Node::Service(si));
            if let Some(p) = s.policy.as_ref().and_then(|p| m.ns_policy.get(&p.name)) {
                let pn = gr.node(Node::Policy(p));
                gr.g.add_edge(sn, pn, Edge::Decides);
            }
            for d in &s.depends_on {
                if let Some(di) = m.ns_service.get(&d.name) {
                    let dn = gr.node(Node::Service(di));
                    gr.g.add_edge(sn, dn, Edge::DependsOn);
                }
            }
        }
        for (ri, r) in m.routes.iter().enumerate() {
            let rn = gr.node(Node::Route(ri));
            if let Some(p) = r.to.as_ref().and_then(|p| m.ns_policy.get(&p.name)) {
                let pn = gr.node(Node::Policy(p));
                gr.g.add_edge(rn, pn, Edge::Decides);
            }
            for a in &r.also {
                for tg in &a.targets {
                    if let Some(x) = target_node(m, tg.kind, &tg.name.name) {
                        let xn = gr.node(x);
                        gr.g.add_edge(rn, xn, Edge::Also);
                    }
                }
            }
        }
        gr
    }

    /// Policies reachable from `policy` through handoffs (itself included),
    /// in discovery order.
    pub fn handoff_closure(m: &Model, policy: usize) -> Vec<usize> {
        let mut out = vec![policy];
        let mut i = 0;
        while i < out.len() {
            let p = &m.policies[out[i]];
            for t in &p.tiers {
                if let Some(h) = t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)) {
                    if !out.contains(&h) {
                        out.push(h);
                    }
                }
            }
            i += 1;
        }
        out
    }

    /// Strongly connected components over handoff edges with a cycle.
    pub fn handoff_cycles(m: &Model) -> Vec<Vec<usize>> {
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..m.policies.len()).map(|i| g.add_node(i)).collect();
        for (pi, p) in m.policies.iter().enumerate() {
            for t in &p.tiers {
                if let Some(h) = t.handoff.as_ref().and_then(|h| m.ns_policy.get(&h.name)) {
                    g.add_edge(nodes[pi], nodes[h], ());
                }
            }
        }
        cycles(&g)
    }

    /// Cycles among services' `depends-on`.
    pub fn dependency_cycles(m: &Model) -> Vec<Vec<usize>> {
        let mut g: DiGraph<usize, ()> = DiGraph::new();
        let nodes: Vec<NodeIndex> = (0..m.services.len()).map(|i| g.add_node(i)).collect();
        for (si, s) in m.services.iter().enumerate() {
            for d in &s.depends_on {
                if let Some(di) = m.ns_service.get(&d.name) {
                    g.add_edge(nodes[si], nodes[di], ());
                }
            }
        }
        cycles(&g)
    }
}

fn cycles(g: &DiGraph<usize, ()>) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for scc in petgraph::algo::tarjan_scc(g) {
        let is_cycle = scc.len() > 1 || scc.iter().any(|&n| g.contains_edge(n, n));
        if is_cycle {
            let mut v: Vec<usize> = scc.iter().map(|&n| g[n]).collect();
            v.sort_unstable();
            out.push(v);
        }
    }
    out.sort();
    out
}

fn target_node(m: &Model, kind: TargetKind, name: &str) -> Option<Node> {
    Some(match kind {
        TargetKind::Person => Node::Person(m.ns_person.get(name)?),
        TargetKind::Team => Node::Team(m.ns_team.get(name)?),
        TargetKind::Lead => Node::Lead(m.ns_team.get(name)?),
        TargetKind::Schedule => Node::Schedule(m.ns_schedule.get(name)?),
    })
}
