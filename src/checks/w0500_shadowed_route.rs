//! W0500 shadowed-route (warning).
//!
//! # What it finds
//! A route that cannot take effect as written because of an earlier route
//! that matches every alert it matches:
//! - the earlier route has no `continue`: evaluation always stops before
//!   this route, which is dead; or
//! - the earlier route has `to policy` and `continue`, and this route has
//!   `to`: a policy is always decided first, so this route's `to` never
//!   decides (its `set`s and `also`s still apply).
//!
//! The finding is on the later route's name; the related span is the
//! earlier route's name. A route without `when` matches every alert. When
//! several earlier routes cover it, the first one without `continue` is
//! named (else the first `to` + `continue` one).
//!
//! # Why it matters
//! Routes are tried in order: a specific route after a general one is dead
//! code, and its alerts go to the general route's policy.
//!
//! # Example
//! ```esc
//! routes {
//!   route payments { when service in ["payments-api", "payments-db"]  to policy standard }
//!   route payments-api-sev1 { when service == "payments-api" and severity == sev1  to policy critical }
//! }
//! ```
//!
//! # Fix
//! Put the specific route first, or narrow the earlier one.
//!
//! # What the analysis cannot decide
//! "Covers" must be proved by symbolic evaluation
//! ([`super::routes::Analyzer::shadows`]); everything else counts as "may
//! match" and is not reported, so the absence of W0500 proves nothing.
//! - Regex containment: two `matches` are related only when field and
//!   pattern are identical. `summary matches "disk"` does not cover a later
//!   `summary matches "disk full"`.
//! - Time: `within`/`outside` are free booleans, satisfiable and
//!   refutable, so no time condition ever covers all alerts or other
//!   hours. Only the very same hours are related: `within business` covers
//!   a later `within business and severity == sev1` (both are read at the
//!   same instant), but not `within mon-fri 09:00-17:00`.
//! - `set`s *before* the earlier route are taken into account when the
//!   later route is restricted to at most 16 declared services (by
//!   `service ==`/`in` or `team ==`/`in`): the earlier route's condition
//!   is then judged on the alerts of those services that actually reach it
//!   (after every earlier route and `set`). For an unrestricted later
//!   route, both conditions are compared on the same arbitrary alert,
//!   which is sound (a `set` before both routes changes what both see) but
//!   misses covers that only a `set` creates.
//! - `set`s *between* the two routes are not executed. Instead, a field
//!   the later route reads that some route in between (or the earlier
//!   route itself, for `to` + `continue`) may `set` is a fresh, unknown
//!   value for the later route. This never reports a route that a `set`
//!   lets through, but can miss one that a `set` makes dead (a `set
//!   severity sev1` between two `severity == sev1` routes).
//! - Only earlier routes whose `==`/`in` constraints contain the later
//!   route's are compared (an index that keeps the check fast); a cover
//!   expressed otherwise (e.g. through a regex on `service`) is missed.
//! - A route that matches no alert at all (`service == "a" and service ==
//!   "b"`) is not reported as shadowed.

use super::routes::Analyzer;
use super::Ctx;
use crate::diag::Finding;

pub fn check(ctx: &Ctx) -> Vec<Finding> {
    let m = ctx.model;
    if m.routes.len() < 2 {
        return Vec::new();
    }
    let an = Analyzer::new(m);
    let mut out = Vec::new();
    for s in an.shadows() {
        let r = &m.routes[s.route];
        let by = &m.routes[s.by];
        let f = if s.decides_first {
            Finding::new(
                "W0500",
                r.name.span,
                format!("route `{}` never decides its policy: route `{}` decides one first for every alert it matches", r.name.name, by.name.name),
            )
            .with_label("this `to` never decides")
            .with_help(format!(
                "move `{}` before `{}`, or narrow `{}`; its `set` and `also` still apply",
                r.name.name, by.name.name, by.name.name
            ))
        } else {
            Finding::new(
                "W0500",
                r.name.span,
                format!("route `{}` is shadowed: route `{}` matches every alert it matches and stops evaluation", r.name.name, by.name.name),
            )
            .with_label("never reached")
            .with_help(format!("move `{}` before `{}`, or narrow `{}`", r.name.name, by.name.name, by.name.name))
        };
        out.push(f.with_related(by.name.span, "matches every alert first"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::routes::test_support::check as chk;
    use super::check;

    const BASE: &str = "team ops { members a }\nteam dev { members a }\nperson a { email \"a@x\" }\npolicy p { tier one { notify person a  escalate after 5m } }\npolicy q { tier one { notify person a } }\nservice api { owner ops  policy p }\nservice db { owner ops  policy p }\nservice web { owner dev  policy p }\nhours business { mon-fri 09:00-17:00 }\n";
    // BASE has 9 lines; `routes {` is line 10, the first route line 11.

    fn c(routes: &str, expected: &[(&str, usize)]) -> Vec<String> {
        chk(check, &format!("{BASE}routes {{\n{routes}}}\n"), expected)
    }

    #[test]
    fn severity_range_shadows_equality() {
        let msgs = c(
            " route wide { when severity >= sev2  to policy p }\n route narrow { when severity == sev1  to policy q }\n route other { when severity == sev3  to policy q }\n route narrow2 { when severity in [sev2, sev1]  to policy q }\n",
            &[("W0500", 12), ("W0500", 14)],
        );
        assert_eq!(msgs[0], "route `narrow` is shadowed: route `wide` matches every alert it matches and stops evaluation");
        c(" route narrow { when severity == sev1  to policy q }\n route wide { when severity >= sev2  to policy p }\n", &[]);
    }

    #[test]
    fn in_sets_and_teams() {
        c(
            " route both { when service in [\"api\", \"db\"]  to policy p }\n route api1 { when service == \"api\" and severity == sev1  to policy q }\n route web { when service == \"web\"  to policy q }\n",
            &[("W0500", 12)],
        );
        c(" route ops { when team == \"ops\"  to policy p }\n route api { when service == \"api\"  to policy q }\n route web { when service == \"web\"  to policy q }\n", &[("W0500", 12)]);
        c(" route some { when service in [\"api\", \"web\"]  to policy p }\n route ops { when team == \"ops\"  to policy q }\n", &[]);
    }

    #[test]
    fn and_or_not() {
        c(
            " route a { when severity == sev1 or labels.env == \"prod\"  to policy p }\n route b { when labels.env == \"prod\" and service == \"api\"  to policy q }\n route c { when not (severity != sev1)  to policy q }\n route d { when severity == sev2  to policy q }\n",
            &[("W0500", 12), ("W0500", 13)],
        );
    }

    #[test]
    fn missing_labels() {
        // an absent label makes `!=` true: `env != "prod"` covers `env == "dev"`
        c(" route a { when labels.env != \"prod\"  to policy p }\n route b { when labels.env == \"dev\"  to policy q }\n", &[("W0500", 12)]);
        // ... but `env == "dev"` does not cover `env != "prod"` (absent, or other values)
        c(" route a { when labels.env == \"dev\"  to policy p }\n route b { when labels.env != \"prod\"  to policy q }\n", &[]);
    }

    #[test]
    fn route_without_when() {
        c(" route all { to policy p }\n route any { when severity == sev1  to policy q }\n route rest { to policy q }\n", &[("W0500", 12), ("W0500", 13)]);
        c(" route one { when severity == sev1  to policy p }\n route rest { to policy q }\n", &[]);
    }

    #[test]
    fn continue_routes() {
        // `set` + `continue` without `to` never shadows
        c(" route tag { set labels.x \"y\"  continue }\n route a { when severity == sev1  to policy q }\n", &[]);
        // `to` + `continue`: later `to` never decides
        let msgs = c(
            " route all { when service == \"api\"  to policy p  continue }\n route a { when service == \"api\" and severity == sev1  to policy q }\n route b { when service == \"api\"  set labels.x \"y\" }\n",
            &[("W0500", 12)],
        );
        assert_eq!(msgs, vec!["route `a` never decides its policy: route `all` decides one first for every alert it matches"]);
    }

    #[test]
    fn sets_in_between_are_respected() {
        // the upgrade in between lets sev3 alerts reach `crit` as sev1
        c(
            " route sev1 { when severity == sev1  to policy p }\n route up { when labels.vip == \"y\"  set severity sev1  continue }\n route crit { when severity == sev1  to policy q }\n",
            &[],
        );
        // a `set` on another field does not matter
        c(
            " route sev1 { when severity == sev1  to policy p }\n route up { when labels.vip == \"y\"  set labels.x \"z\"  continue }\n route crit { when severity == sev1  to policy q }\n",
            &[("W0500", 13)],
        );
        // a `set` restricted to another service does not matter
        c(
            " route sev1 { when severity == sev1  to policy p }\n route up { when service == \"web\"  set severity sev1  continue }\n route crit { when service == \"api\" and severity == sev1  to policy q }\n",
            &[("W0500", 13)],
        );
    }

    #[test]
    fn sets_before_the_covering_route() {
        // every `api` alert gets env "prod" first, so `prod` covers `api1`
        let msgs = c(
            " route mark { when service == \"api\"  set labels.env \"prod\"  continue }\n route prod { when labels.env == \"prod\"  to policy p }\n route api1 { when service == \"api\" and severity == sev1  to policy q }\n route web1 { when service == \"web\" and severity == sev1  to policy q }\n",
            &[("W0500", 13)],
        );
        assert_eq!(msgs, vec!["route `api1` is shadowed: route `prod` matches every alert it matches and stops evaluation"]);
        // only vip alerts are upgraded: `crit` does not cover `api2`
        c(
            " route up { when labels.vip == \"y\"  set severity sev1  continue }\n route crit { when severity == sev1  to policy p }\n route api2 { when service == \"api\" and severity == sev2  to policy q }\n",
            &[],
        );
        // every `ops` alert is upgraded: `crit` covers `api2` (team restriction)
        c(
            " route up { when team == \"ops\"  set severity sev1  continue }\n route crit { when severity == sev1  to policy p }\n route api2 { when service in [\"api\", \"db\"] and labels.x == \"y\"  to policy q }\n",
            &[("W0500", 13)],
        );
        // ... but not a route that can also match `web` (owned by dev)
        c(
            " route up { when team == \"ops\"  set severity sev1  continue }\n route crit { when severity == sev1  to policy p }\n route any { when service in [\"api\", \"web\"]  to policy q }\n",
            &[],
        );
    }

    #[test]
    fn regexes_identical_or_not() {
        c(
            " route a { when summary matches \"disk\"  to policy p }\n route b { when summary matches \"disk full\"  to policy q }\n route c { when summary matches \"disk\" and severity == sev1  to policy q }\n",
            &[("W0500", 13)],
        );
        c(" route a { when summary matches \"disk\"  to policy p }\n route b { when labels.x matches \"disk\"  to policy q }\n", &[]);
        // a regex on a known value is evaluated
        c(" route a { when service matches \"^ap\"  to policy p }\n route b { when service == \"api\"  to policy q }\n", &[("W0500", 12)]);
    }

    #[test]
    fn time_conditions() {
        c(" route a { when within business  to policy p }\n route b { when severity == sev1  to policy q }\n", &[]);
        c(" route a { when severity == sev1  to policy p }\n route b { when severity == sev1 and outside business  to policy q }\n", &[("W0500", 12)]);
        c(" route a { when within business  to policy p }\n route b { when within mon-fri 09:00-17:00  to policy q }\n", &[]);
        c(" route a { when within business  to policy p }\n route b { when within business and severity == sev2  to policy q }\n", &[("W0500", 12)]);
    }

    #[test]
    fn unsatisfiable_route_is_not_shadowed() {
        c(" route a { when severity == sev1  to policy p }\n route b { when service == \"api\" and service == \"db\"  to policy q }\n", &[]);
    }
}
