//! Grammar rule names renamed to phrases for error messages.

use super::parser::Rule;

pub fn phrase(rule: Rule) -> String {
    let name = format!("{rule:?}");
    if let Some(kw) = name.strip_prefix("k_") {
        return format!("`{}`", kw.replace('_', "-"));
    }
    let p = match rule {
        Rule::lb => "`{`",
        Rule::rb => "`}`",
        Rule::lsq => "`[`",
        Rule::rsq => "`]`",
        Rule::lpar => "`(`",
        Rule::rpar => "`)`",
        Rule::comma => "`,`",
        Rule::name => "a name like `payments-api`",
        Rule::ref_name | Rule::word => "a name",
        Rule::string | Rule::str_inner => "a string in double quotes",
        Rule::duration => "a duration like `5m`",
        Rule::int => "a whole number",
        Rule::date => "a date like `2026-12-24`",
        Rule::clock => "a time like `09:00`",
        Rule::datetime | Rule::rfc3339 | Rule::local_dt => {
            "a datetime like `2026-01-05 09:00` or `2026-01-05T09:00:00Z`"
        }
        Rule::day_spec => "days like `mon-fri`",
        Rule::time_range => "a time range like `09:00-17:00`",
        Rule::window | Rule::windows => "a window like `mon-fri 09:00-17:00`",
        Rule::label_key | Rule::label_key_bare => "a label key",
        Rule::label_pair => "a label like `region \"us-east\"`",
        Rule::label_ref => "a label like `labels.region`",
        Rule::ref_list => "a list of names",
        Rule::decl | Rule::decl_at | Rule::file => "a declaration (`org`, `person`, `team`, `calendar`, `hours`, `schedule`, `policy`, `service`, `routes` or `drill`)",
        Rule::org_decl => "`org`",
        Rule::person_decl => "`person`",
        Rule::team_decl => "`team`",
        Rule::calendar_decl => "`calendar`",
        Rule::hours_decl => "`hours`",
        Rule::schedule_decl => "`schedule`",
        Rule::policy_decl => "`policy`",
        Rule::service_decl => "`service`",
        Rule::routes_decl | Rule::routes_open => "`routes`",
        Rule::drill_decl => "`drill`",
        Rule::route | Rule::route_at => "`route`",
        Rule::rb_at => "`}`",
        Rule::tier => "`tier`",
        Rule::layer => "`layer`",
        Rule::target => "a target (`person X`, `team X`, `lead X` or `schedule X`)",
        Rule::channel => "a channel (`email`, `sms`, `phone`, `chat` or `push`)",
        Rule::via => "`via`",
        Rule::expr | Rule::and_expr | Rule::unary | Rule::paren | Rule::comparison => "a condition",
        Rule::field => "a field (`severity`, `service`, `summary`, `source`, `team` or `labels.KEY`)",
        Rule::cmp_op => "an operator (`==`, `!=`, `>=`, `>`, `<=`, `<`)",
        Rule::in_list => "`in [...]`",
        Rule::matches_op => "`matches \"REGEX\"`",
        Rule::value => "a value",
        Rule::time_cond => "`within` or `outside`",
        Rule::rot_kind => "`daily`, `weekly` or `every DURATION`",
        Rule::expectation => "an expectation (`route`, `policy`, `tier`, `skipped`, `paged`, `not paged`, `pages`, `acked`, `not acked`, `escalated`, `exhausted`, `suppressed`, `unrouted`, `deduplicated`, `checkpoint` or `channel`)",
        Rule::tier_ref => "a tier name (`T` or `POLICY.T`)",
        Rule::within_clause => "`within DURATION`",
        Rule::alert_field => "an alert field (`service`, `severity`, `summary`, `source`, `labels` or `fingerprint`)",
        Rule::sev_decl => "a severity name",
        Rule::sla_pair => "a severity and a duration like `sev1 5m`",
        _ => return name.replace('_', " "),
    };
    p.to_string()
}

/// "a, b or c"
pub fn join_alternatives(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {}", init.join(", "), last),
    }
}
