//! E0401 unrouted-service (error).
//!
//! # What it finds
//! A service without a default `policy` for which some alert that is not
//! suppressed reaches no policy: no route decides one. The alert is found
//! by symbolic route evaluation ([`super::routes`]) over every alert the
//! service could send — any severity or none, any labels (the alert's own
//! override the service's), summary, source and time — and the message
//! gives one, e.g. "an alert of `checkout` with severity sev3 reaches no
//! policy"; the help lists the severities concerned. Services with a
//! `policy` never get E0401 (the fallback catches every undecided alert).
//! Undeclared services named by routes or drills are not checked.
//!
//! # Why it matters
//! An unrouted incident pages nobody but its `also` targets; in production
//! the alert is lost, and simulations count it as `unrouted`.
//!
//! # Example
//! ```esc
//! service api { owner ops }
//! routes {
//!   route api-major { when service == "api" and severity >= sev2  to policy critical }
//!   route api-noise { when service == "api" and severity == sev5  suppress }
//! }
//! ```
//! Alerts of `api` with severity sev3, sev4 or none reach no policy.
//!
//! # Fix
//! Give the service a default `policy`, or add a final catch-all route
//! (`route rest { when service == "api"  to policy standard }`).
//!
//! # What the analysis cannot decide
//! - Time conditions and regexes on unknown values are free booleans: an
//!   alert "outside `business`" or "with a summary not matching X" is
//!   assumed possible. Different hours, or different patterns, are never
//!   related, so `within business` + `outside mon-fri 09:00-17:00` can be
//!   reported even when the two describe the same hours.
//! - A value with exclusions (`labels.env` other than "a", "b") is assumed
//!   to exist even if every such value matches a regex a route requires
//!   not to match.
//! - When the exploration of a service exceeds its budget
//!   ([`super::routes::STATE_CAP`] splits for one service, or the shared
//!   [`super::routes::WORK_BUDGET`] on pathological route sets), the
//!   service is not reported: E0401 only reports a proved unrouted alert.

use super::routes::{severities_text, Analyzer};
use super::Ctx;
use crate::diag::Finding;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    if !m.services.iter().any(|s| s.policy.is_none()) {
        return Vec::new();
    }
    let an = Analyzer::new(m);
    let mut out = Vec::new();
    for (si, s) in m.services.iter().enumerate() {
        if s.policy.is_some() {
            continue;
        }
        let ex = an.explore(si);
        if !ex.complete {
            continue;
        }
        let mut unrouted = ex.outcomes.iter().filter(|o| o.unrouted());
        let Some(first) = unrouted.next() else { continue };
        // union of the alert's own severities over every unrouted outcome
        let (mut ranks, mut none) = an.input_severities(first);
        for o in unrouted {
            let (r, n) = an.input_severities(o);
            ranks.extend(r);
            none |= n;
        }
        ranks.sort_unstable();
        ranks.dedup();
        let sev_text = severities_text(m, &ranks, none);
        out.push(
            Finding::new("E0401", s.name.span, format!("{} reaches no policy", an.describe(first)))
                .with_label("some alerts of this service are unrouted")
                .with_help(format!(
                    "alerts with {sev_text} can end unrouted; give `{}` a default `policy`, or add a route that sends them to a policy",
                    s.name.name
                )),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::routes::test_support::{check as chk, run};
    use super::check;

    const BASE: &str = "team ops { members a }\nperson a { email \"a@x\" }\npolicy p { tier one { notify person a  escalate after 5m } }\npolicy q { tier one { notify person a } }\n";

    fn c(src: &str, expected: &[(&str, usize)]) -> Vec<String> {
        chk(check, &format!("{BASE}{src}"), expected)
    }

    #[test]
    fn docs_example() {
        let msgs = c(
            "service api { owner ops }\nroutes {\n  route api-major { when service == \"api\" and severity >= sev2  to policy p }\n  route api-noise { when service == \"api\" and severity == sev5  suppress }\n}\n",
            &[("E0401", 5)],
        );
        assert_eq!(msgs, vec!["an alert of `api` with severity sev3 reaches no policy"]);
        let f = run(check, &format!("{BASE}service api {{ owner ops }}\n"));
        assert_eq!(f[0].2, "an alert of `api` with severity sev1 reaches no policy");
    }

    #[test]
    fn service_policy_never_reported() {
        c("service api { owner ops  policy p }\nroutes {\n  route drop { when severity == sev5  suppress }\n}\n", &[]);
    }

    #[test]
    fn complete_routes_are_fine() {
        c(
            "service api { owner ops }\nroutes {\n  route hi { when service == \"api\" and severity >= sev3  to policy p }\n  route lo { when service == \"api\" and (severity < sev3 or severity != sev1)  to policy q }\n}\n",
            &[],
        );
        // `in` sets and a catch-all by team
        c(
            "service api { owner ops }\nroutes {\n  route a { when severity in [sev1, sev2]  to policy p }\n  route b { when team == \"ops\"  to policy q }\n}\n",
            &[],
        );
    }

    #[test]
    fn no_severity_is_an_alert_too() {
        let msgs = c(
            "service api { owner ops }\nroutes {\n  route any { when severity <= sev1  to policy p }\n}\n",
            &[("E0401", 5)],
        );
        assert_eq!(msgs, vec!["an alert of `api` with no severity reaches no policy"]);
        let f = run(check, &format!("{BASE}service api {{ owner ops }}\nroutes {{\n  route any {{ when severity <= sev1  to policy p }}\n}}\n"));
        assert_eq!(f.len(), 1);
    }

    #[test]
    fn labels_and_summary_in_message() {
        let msgs = c(
            "service api { owner ops }\nroutes {\n  route prod { when service == \"api\" and labels.env == \"prod\"  to policy p }\n  route rest { when service == \"api\" and labels.env != \"prod\" and not summary matches \"test\"  to policy q }\n}\n",
            &[("E0401", 5)],
        );
        assert_eq!(msgs, vec!["an alert of `api` with severity sev1, labels.env other than \"prod\" and summary matching \"test\" reaches no policy"]);
    }

    #[test]
    fn suppressed_alerts_are_not_unrouted() {
        c(
            "service api { owner ops }\nroutes {\n  route drop { when labels.env == \"staging\" or severity == sev5  suppress }\n  route rest { when labels.env != \"staging\"  to policy p }\n}\n",
            &[],
        );
    }

    #[test]
    fn set_continue_flows() {
        // everything is upgraded to sev1 first, and sev1 is routed
        c(
            "service api { owner ops }\nroutes {\n  route up { when service == \"api\"  set severity sev1  continue }\n  route crit { when severity == sev1  to policy p }\n}\n",
            &[],
        );
        // the label is set, so the later route always matches
        c(
            "service api { owner ops }\nroutes {\n  route tag { when service == \"api\"  set labels.x \"y\"  continue }\n  route x { when labels.x == \"y\"  to policy p }\n}\n",
            &[],
        );
        // only vip alerts are upgraded
        let msgs = c(
            "service api { owner ops }\nroutes {\n  route up { when labels.customer == \"vip\"  set severity sev1  continue }\n  route crit { when severity == sev1  to policy p }\n}\n",
            &[("E0401", 5)],
        );
        assert_eq!(msgs, vec!["an alert of `api` with severity sev2 and labels.customer other than \"vip\" reaches no policy"]);
    }

    #[test]
    fn decided_then_suppressed_is_routed() {
        c(
            "service api { owner ops }\nroutes {\n  route all { to policy p  continue }\n  route drop { when severity == sev5  suppress }\n}\n",
            &[],
        );
    }

    #[test]
    fn time_conditions() {
        c(
            "hours business { mon-fri 09:00-17:00 }\nservice api { owner ops }\nroutes {\n  route day { when within business  to policy p }\n  route night { when outside business  to policy q }\n}\n",
            &[],
        );
        let msgs = c(
            "hours business { mon-fri 09:00-17:00 }\nservice api { owner ops }\nroutes {\n  route day { when within business  to policy p }\n}\n",
            &[("E0401", 6)],
        );
        assert_eq!(msgs, vec!["an alert of `api` with severity sev1 and a time outside `business` reaches no policy"]);
    }

    #[test]
    fn other_services_routes_do_not_count() {
        c(
            "service api { owner ops }\nservice db { owner ops  policy p }\nroutes {\n  route db { when service == \"db\"  to policy p }\n  route api { when service == \"api\"  to policy q }\n}\n",
            &[],
        );
        c(
            "service api { owner ops }\nservice db { owner ops  policy p }\nroutes {\n  route db { when service == \"db\"  to policy p }\n}\n",
            &[("E0401", 5)],
        );
    }
}
