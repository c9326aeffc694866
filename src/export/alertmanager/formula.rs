//! Route conditions as boolean formulas over Alertmanager matchers, and
//! their expansion into the conjunctions an Alertmanager route can hold
//! (one route per conjunction).

/// `=`, `!=`, `=~`, `!~`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Op {
    Eq,
    Ne,
    Re,
    NotRe,
}

impl Op {
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::NotRe => "!~",
        }
    }
    fn negate(self) -> Op {
        match self {
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::Re => Op::NotRe,
            Op::NotRe => Op::Re,
        }
    }
}

/// One Alertmanager matcher: `label op "value"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Matcher {
    pub label: String,
    pub op: Op,
    pub value: String,
}

impl Matcher {
    pub fn new(label: &str, op: Op, value: impl Into<String>) -> Matcher {
        Matcher { label: label.to_string(), op, value: value.into() }
    }

    /// The matcher as Alertmanager's `matchers` syntax reads it: the
    /// value double-quoted, with `\`, `"` and line feeds escaped.
    pub fn render(&self) -> String {
        let mut v = String::with_capacity(self.value.len() + 2);
        for c in self.value.chars() {
            match c {
                '\\' => v.push_str("\\\\"),
                '"' => v.push_str("\\\""),
                '\n' => v.push_str("\\n"),
                c => v.push(c),
            }
        }
        format!("{}{}\"{v}\"", self.label, self.op.as_str())
    }
}

/// A literal of a conjunction: a matcher, or a time condition (exported
/// as a time interval on the route).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lit {
    M(Matcher),
    /// `within` (active) or `outside` (not active) the named interval
    Time { interval: String, active: bool },
}

impl Lit {
    pub fn negate(&self) -> Lit {
        match self {
            Lit::M(m) => Lit::M(Matcher { label: m.label.clone(), op: m.op.negate(), value: m.value.clone() }),
            Lit::Time { interval, active } => Lit::Time { interval: interval.clone(), active: !active },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum F {
    True,
    False,
    Lit(Lit),
    Not(Box<F>),
    And(Vec<F>),
    Or(Vec<F>),
}

impl F {
    pub fn m(label: &str, op: Op, value: impl Into<String>) -> F {
        F::Lit(Lit::M(Matcher::new(label, op, value)))
    }

    /// Conjunction with constants folded.
    pub fn and(xs: Vec<F>) -> F {
        let mut v = Vec::with_capacity(xs.len());
        for x in xs {
            match x {
                F::True => {}
                F::False => return F::False,
                F::And(ys) => v.extend(ys),
                x => v.push(x),
            }
        }
        match v.len() {
            0 => F::True,
            1 => v.pop().unwrap_or(F::True),
            _ => F::And(v),
        }
    }

    /// Disjunction with constants folded.
    pub fn or(xs: Vec<F>) -> F {
        let mut v = Vec::with_capacity(xs.len());
        for x in xs {
            match x {
                F::False => {}
                F::True => return F::True,
                F::Or(ys) => v.extend(ys),
                x => v.push(x),
            }
        }
        match v.len() {
            0 => F::False,
            1 => v.pop().unwrap_or(F::False),
            _ => F::Or(v),
        }
    }

    #[allow(clippy::should_implement_trait)]
    pub fn not(x: F) -> F {
        match x {
            F::True => F::False,
            F::False => F::True,
            F::Not(y) => *y,
            x => F::Not(Box::new(x)),
        }
    }
}

/// A conjunction of literals: the matchers (and time intervals) of one
/// Alertmanager route.
pub type Term = Vec<Lit>;

/// A disjunction of conjunctions; `truncated` when the expansion was cut
/// at the cap.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dnf {
    pub terms: Vec<Term>,
    pub truncated: bool,
}

/// Add `l` to a conjunction: `None` when it contradicts a literal there.
fn push_lit(t: &mut Term, l: &Lit) -> Option<()> {
    if t.contains(l) {
        return Some(());
    }
    if t.contains(&l.negate()) {
        return None;
    }
    t.push(l.clone());
    Some(())
}

fn merge(a: &Term, b: &Term) -> Option<Term> {
    let mut t = a.clone();
    for l in b {
        push_lit(&mut t, l)?;
    }
    Some(t)
}

/// The disjunctive normal form of `f`, at most `cap` conjunctions
/// (contradictory conjunctions dropped, duplicates merged).
pub fn dnf(f: &F, cap: usize) -> Dnf {
    let mut truncated = false;
    let mut terms: Vec<Term> = Vec::new();
    for t in go(f, false, cap, &mut truncated) {
        if let Some(t) = simplify(t) {
            if !terms.contains(&t) {
                terms.push(t);
            }
        }
    }
    Dnf { terms, truncated }
}

/// Where a conjunction fixes a label with `L="v"`, decide its other
/// matchers on `L` by that value: true ones are dropped, a false one drops
/// the conjunction (`None`).
fn simplify(t: Term) -> Option<Term> {
    let fixed: Vec<(String, String)> = t
        .iter()
        .filter_map(|l| match l {
            Lit::M(m) if m.op == Op::Eq => Some((m.label.clone(), m.value.clone())),
            _ => None,
        })
        .collect();
    let mut out = Vec::with_capacity(t.len());
    let mut kept: Vec<&str> = Vec::new();
    for l in &t {
        if let Lit::M(m) = l {
            if let Some((_, v)) = fixed.iter().find(|(k, _)| *k == m.label) {
                if m.op == Op::Eq && !kept.contains(&m.label.as_str()) {
                    if m.value != *v {
                        return None;
                    }
                    kept.push(&m.label);
                    out.push(l.clone());
                    continue;
                }
                let holds = match m.op {
                    Op::Eq => Some(m.value == *v),
                    Op::Ne => Some(m.value != *v),
                    Op::Re | Op::NotRe => regex::Regex::new(&format!("^(?:{})$", m.value)).ok().map(|re| re.is_match(v) == (m.op == Op::Re)),
                };
                match holds {
                    Some(true) => continue,
                    Some(false) => return None,
                    None => {}
                }
            }
        }
        out.push(l.clone());
    }
    Some(out)
}

fn go(f: &F, neg: bool, cap: usize, truncated: &mut bool) -> Vec<Term> {
    match (f, neg) {
        (F::True, false) | (F::False, true) => vec![Vec::new()],
        (F::True, true) | (F::False, false) => Vec::new(),
        (F::Lit(l), false) => vec![vec![l.clone()]],
        (F::Lit(l), true) => vec![vec![l.negate()]],
        (F::Not(x), _) => go(x, !neg, cap, truncated),
        (F::Or(xs), false) | (F::And(xs), true) => {
            let mut out: Vec<Term> = Vec::new();
            for x in xs {
                for t in go(x, neg, cap, truncated) {
                    if !out.contains(&t) {
                        if out.len() >= cap {
                            *truncated = true;
                            return out;
                        }
                        out.push(t);
                    }
                }
            }
            out
        }
        (F::And(xs), false) | (F::Or(xs), true) => {
            let mut acc: Vec<Term> = vec![Vec::new()];
            for x in xs {
                let part = go(x, neg, cap, truncated);
                let mut next = Vec::new();
                'outer: for a in &acc {
                    for b in &part {
                        if let Some(t) = merge(a, b) {
                            if !next.contains(&t) {
                                if next.len() >= cap {
                                    *truncated = true;
                                    break 'outer;
                                }
                                next.push(t);
                            }
                        }
                    }
                }
                acc = next;
                if acc.is_empty() {
                    break;
                }
            }
            acc
        }
    }
}

/// The same disjunction as pairwise disjoint conjunctions, so that routes
/// with `continue: true` never match one alert twice.
pub fn disjoint(d: Dnf, cap: usize) -> Dnf {
    let mut out: Vec<Term> = Vec::new();
    let mut truncated = d.truncated;
    for (i, t) in d.terms.iter().enumerate() {
        let mut pieces = vec![t.clone()];
        for r in &d.terms[..i] {
            let mut next = Vec::new();
            for p in &pieces {
                next.extend(minus(p, r));
            }
            pieces = next;
        }
        for p in pieces {
            if out.len() >= cap {
                truncated = true;
                return Dnf { terms: out, truncated };
            }
            out.push(p);
        }
    }
    Dnf { terms: out, truncated }
}

/// `p ∧ ¬r` as disjoint conjunctions.
fn minus(p: &Term, r: &Term) -> Vec<Term> {
    if r.iter().any(|l| p.contains(&l.negate())) {
        return vec![p.clone()];
    }
    let missing: Vec<&Lit> = r.iter().filter(|l| !p.contains(l)).collect();
    let mut out = Vec::new();
    let mut prefix = p.clone();
    for l in missing {
        let mut t = prefix.clone();
        if push_lit(&mut t, &l.negate()).is_some() {
            out.push(t);
        }
        if push_lit(&mut prefix, l).is_none() {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(l: &str, v: &str) -> F {
        F::m(l, Op::Eq, v)
    }

    fn eval(t: &Term, env: &[(&str, &str)]) -> bool {
        t.iter().all(|l| match l {
            Lit::M(x) => {
                let v = env.iter().find(|(k, _)| *k == x.label).map(|(_, v)| *v).unwrap_or("");
                match x.op {
                    Op::Eq => v == x.value,
                    Op::Ne => v != x.value,
                    _ => unreachable!(),
                }
            }
            Lit::Time { .. } => true,
        })
    }

    #[test]
    fn not_or_expands_into_conjunctions() {
        // not (a = 1 or b = 2) and (c = 3 or d = 4)
        let f = F::and(vec![F::not(F::or(vec![m("a", "1"), m("b", "2")])), F::or(vec![m("c", "3"), m("d", "4")])]);
        let d = dnf(&f, 64);
        assert_eq!(d.terms.len(), 2);
        assert!(!d.truncated);
        assert_eq!(d.terms[0], vec![Lit::M(Matcher::new("a", Op::Ne, "1")), Lit::M(Matcher::new("b", Op::Ne, "2")), Lit::M(Matcher::new("c", Op::Eq, "3"))]);
    }

    #[test]
    fn contradictions_drop_and_cap_truncates() {
        let f = F::and(vec![m("a", "1"), F::not(m("a", "1"))]);
        assert!(dnf(&f, 64).terms.is_empty());
        // (a1 or b1) and (a2 or b2) and ... 7 times: 128 conjunctions
        let f = F::and((0..7).map(|i| F::or(vec![m(&format!("a{i}"), "1"), m(&format!("b{i}"), "1")])).collect());
        let d = dnf(&f, 64);
        assert!(d.truncated);
        assert_eq!(d.terms.len(), 64);
    }

    #[test]
    fn disjoint_terms_cover_the_same_alerts_once() {
        let f = F::or(vec![m("a", "1"), F::and(vec![m("b", "1"), m("c", "1")]), m("a", "2")]);
        let d = disjoint(dnf(&f, 64), 64);
        let vals = ["", "1", "2"];
        for a in vals {
            for b in vals {
                for c in vals {
                    let env = [("a", a), ("b", b), ("c", c)];
                    let want = a == "1" || (b == "1" && c == "1") || a == "2";
                    let hits = d.terms.iter().filter(|t| eval(t, &env)).count();
                    assert_eq!(hits, usize::from(want), "{env:?}");
                }
            }
        }
    }

    #[test]
    fn a_fixed_label_decides_its_other_matchers() {
        let f = F::and(vec![F::m("s", Op::Eq, "api"), F::m("s", Op::Re, "api|web"), F::m("s", Op::Ne, "web"), m("x", "1")]);
        assert_eq!(dnf(&f, 64).terms, vec![vec![Lit::M(Matcher::new("s", Op::Eq, "api")), Lit::M(Matcher::new("x", Op::Eq, "1"))]]);
        let f = F::and(vec![F::m("s", Op::Eq, "api"), F::m("s", Op::NotRe, "api|web")]);
        assert!(dnf(&f, 64).terms.is_empty());
        let f = F::and(vec![F::m("s", Op::Eq, ""), F::m("s", Op::Re, ".+")]);
        assert!(dnf(&f, 64).terms.is_empty());
    }

    #[test]
    fn matchers_render_with_escapes() {
        assert_eq!(Matcher::new("summary", Op::Re, ".*(?:a\\d\"b).*").render(), r#"summary=~".*(?:a\\d\"b).*""#);
    }
}
