//! `export --target grafana-oncall`: a `main.tf` that parses back as HCL
//! and uses only what the `grafana` Terraform provider documents, a
//! golden file for the showcase workspace, and W0900 for what Grafana
//! OnCall cannot express.
//!
//! `ESCALADE_BLESS=1 cargo test --test export_grafana_oncall` rewrites the
//! golden file.

use assert_cmd::Command;
use hcl::expr::{Expression, TemplateExpr};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const GOLDEN: &str = "fixtures/export/grafana-oncall/policies/main.tf";
const LIMITS: &str = "fixtures/export/grafana-oncall/limits";

fn export(workspace: &str, dir: &Path) -> std::process::Output {
    Command::cargo_bin("escalade")
        .expect("binary")
        .args(["export", workspace, "--target", "grafana-oncall", "--from", "2026-10-20T00:00:00Z", "-o"])
        .arg(dir)
        .output()
        .expect("runs")
}

fn main_tf(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("main.tf")).expect("main.tf written")
}

/// What the provider documents for one block: its required and optional
/// arguments and its nested blocks (by path, e.g.
/// `resource.grafana_oncall_integration.default_route`).
struct Schema {
    path: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    required_blocks: &'static [&'static str],
    blocks: &'static [&'static str],
}

// The arguments the `grafana` Terraform provider documents, from its
// registry pages (generated from the provider's schema):
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/data-sources/oncall_user
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/data-sources/oncall_team
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_on_call_shift
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_schedule
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_escalation_chain
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_escalation
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_integration
//   https://registry.terraform.io/providers/grafana/grafana/latest/docs/resources/oncall_route
// Read-only attributes (`id`, a user's `email` and `role`, an
// integration's `link`) are left out: setting them is an error.
const SCHEMAS: &[Schema] = &[
    Schema { path: "data.grafana_oncall_user", required: &["username"], optional: &[], required_blocks: &[], blocks: &[] },
    Schema { path: "data.grafana_oncall_team", required: &["name"], optional: &[], required_blocks: &[], blocks: &[] },
    Schema {
        path: "resource.grafana_oncall_on_call_shift",
        required: &["duration", "name", "start", "type"],
        optional: &[
            "by_day",
            "by_month",
            "by_monthday",
            "frequency",
            "interval",
            "level",
            "rolling_users",
            "start_rotation_from_user_index",
            "team_id",
            "time_zone",
            "users",
            "week_start",
        ],
        required_blocks: &[],
        blocks: &[],
    },
    Schema {
        path: "resource.grafana_oncall_schedule",
        required: &["name", "type"],
        optional: &["enable_web_overrides", "ical_url_overrides", "ical_url_primary", "shifts", "team_id", "time_zone"],
        required_blocks: &[],
        blocks: &["slack"],
    },
    Schema { path: "resource.grafana_oncall_schedule.slack", required: &[], optional: &["channel_id", "user_group_id"], required_blocks: &[], blocks: &[] },
    Schema { path: "resource.grafana_oncall_escalation_chain", required: &["name"], optional: &["team_id"], required_blocks: &[], blocks: &[] },
    Schema {
        path: "resource.grafana_oncall_escalation",
        required: &["escalation_chain_id", "position", "type"],
        optional: &[
            "action_to_trigger",
            "duration",
            "group_to_notify",
            "important",
            "notify_if_time_from",
            "notify_if_time_to",
            "notify_on_call_from_schedule",
            "notify_to_team_members",
            "num_alerts_in_window",
            "num_minutes_in_window",
            "persons_to_notify",
            "persons_to_notify_next_each_time",
            "severity",
        ],
        required_blocks: &[],
        blocks: &[],
    },
    Schema {
        path: "resource.grafana_oncall_integration",
        required: &["name", "type"],
        optional: &["team_id"],
        required_blocks: &["default_route"],
        blocks: &["templates"],
    },
    Schema {
        path: "resource.grafana_oncall_integration.default_route",
        required: &[],
        optional: &["escalation_chain_id"],
        required_blocks: &[],
        blocks: &["msteams", "slack", "telegram"],
    },
    Schema {
        path: "resource.grafana_oncall_integration.templates",
        required: &[],
        optional: &["grouping_key", "resolve_signal"],
        required_blocks: &[],
        blocks: &["slack"],
    },
    Schema {
        path: "resource.grafana_oncall_route",
        required: &["escalation_chain_id", "integration_id", "position", "routing_regex"],
        optional: &["routing_type"],
        required_blocks: &[],
        blocks: &["msteams", "slack", "telegram"],
    },
];

/// Documented values of enumerated arguments.
const ENUMS: &[(&str, &[&str])] = &[
    ("resource.grafana_oncall_on_call_shift.type", &["rolling_users", "recurrent_event", "single_event"]),
    // `hourly` is documented by the OnCall shifts API and accepted by
    // current provider versions
    ("resource.grafana_oncall_on_call_shift.frequency", &["hourly", "daily", "weekly", "monthly"]),
    ("resource.grafana_oncall_on_call_shift.week_start", &["MO", "TU", "WE", "TH", "FR", "SA", "SU"]),
    ("resource.grafana_oncall_schedule.type", &["ical", "calendar", "web"]),
    (
        "resource.grafana_oncall_escalation.type",
        &[
            "wait",
            "notify_persons",
            "notify_person_next_each_time",
            "notify_on_call_from_schedule",
            "trigger_webhook",
            "notify_user_group",
            "resolve",
            "notify_whole_channel",
            "notify_if_time_from_to",
            "notify_if_num_alerts_in_window",
            "repeat_escalation",
            "notify_team_members",
            "declare_incident",
        ],
    ),
    ("resource.grafana_oncall_route.routing_type", &["jinja2", "regex"]),
    ("resource.grafana_oncall_integration.type", &["grafana", "grafana_alerting", "webhook", "alertmanager", "formatted_webhook"]),
];

fn schema(path: &str) -> Option<&'static Schema> {
    SCHEMAS.iter().find(|s| s.path == path)
}

/// Every problem of one body against the table, as readable lines.
fn check_body(path: &str, body: &hcl::Body, problems: &mut Vec<String>, values: &mut BTreeMap<String, Vec<Expression>>) {
    let Some(s) = schema(path) else {
        problems.push(format!("{path}: not in the table of documented blocks"));
        return;
    };
    let mut seen = BTreeSet::new();
    for a in body.attributes() {
        let k = a.key();
        if !s.required.contains(&k) && !s.optional.contains(&k) {
            problems.push(format!("{path}: undocumented argument `{k}`"));
        }
        seen.insert(k.to_string());
        values.entry(format!("{path}.{k}")).or_default().push(a.expr().clone());
    }
    for r in s.required {
        if !seen.contains(*r) {
            problems.push(format!("{path}: required argument `{r}` missing"));
        }
    }
    let mut blocks = BTreeSet::new();
    for b in body.blocks() {
        let id = b.identifier();
        if !s.blocks.contains(&id) && !s.required_blocks.contains(&id) {
            problems.push(format!("{path}: undocumented block `{id}`"));
        }
        blocks.insert(id.to_string());
        check_body(&format!("{path}.{id}"), b.body(), problems, values);
    }
    for r in s.required_blocks {
        if !blocks.contains(*r) {
            problems.push(format!("{path}: required block `{r}` missing"));
        }
    }
}

/// Parse `main.tf` and check it against the table; returns the values of
/// every argument by path.
fn check_against_table(text: &str) -> BTreeMap<String, Vec<Expression>> {
    let body = hcl::parse(text).expect("main.tf parses as HCL");
    assert_eq!(body.attributes().count(), 0, "no top-level arguments");
    let mut problems = Vec::new();
    let mut values = BTreeMap::new();
    let mut names = BTreeSet::new();
    for b in body.blocks() {
        let labels: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
        assert_eq!(labels.len(), 2, "`{}` has a type and a name", b.identifier());
        assert!(names.insert((b.identifier().to_string(), labels[0].to_string(), labels[1].to_string())), "duplicate {labels:?}");
        let name_ok = labels[1].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && labels[1].chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        assert!(name_ok, "name `{}` is not a plain identifier", labels[1]);
        check_body(&format!("{}.{}", b.identifier(), labels[0]), b.body(), &mut problems, &mut values);
    }
    assert!(problems.is_empty(), "main.tf against the provider's documentation:\n{}", problems.join("\n"));
    values
}

fn as_str(e: &Expression) -> Option<&str> {
    match e {
        Expression::String(s) => Some(s),
        _ => None,
    }
}

#[test]
fn main_tf_parses_back_and_uses_only_documented_arguments() {
    let t = tempfile::tempdir().expect("tempdir");
    let out = export("policies", t.path());
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let text = main_tf(t.path());
    let values = check_against_table(&text);

    for (path, allowed) in ENUMS {
        for v in values.get(*path).into_iter().flatten() {
            let s = as_str(v).unwrap_or_else(|| panic!("{path} is a plain string, not {v:?}"));
            assert!(allowed.contains(&s), "{path} = {s:?} is not a documented value");
        }
    }
    for v in values.get("resource.grafana_oncall_on_call_shift.by_day").into_iter().flatten() {
        let Expression::Array(days) = v else { panic!("by_day is a list") };
        for d in days {
            assert!(["MO", "TU", "WE", "TH", "FR", "SA", "SU"].contains(&as_str(d).unwrap_or("")), "by_day {d:?}");
        }
    }
    // wait steps: 60 … 86,400 seconds
    let waits = values.get("resource.grafana_oncall_escalation.duration").expect("wait steps");
    for w in waits {
        let Expression::Number(n) = w else { panic!("duration is a number") };
        let n = n.as_i64().expect("integer");
        assert!((60..=86_400).contains(&n), "wait of {n} s");
    }
    // routes: Jinja2 templates that HCL reads as plain text (no `${`/`%{`
    // interpolation left unescaped)
    let templates = values.get("resource.grafana_oncall_route.routing_regex").expect("routes");
    assert!(templates.len() > 10);
    for e in templates {
        let Expression::TemplateExpr(te) = e else { panic!("routing_regex is a heredoc") };
        let TemplateExpr::Heredoc(h) = &**te else { panic!("routing_regex is a heredoc") };
        let tpl = hcl::Template::from_expr(te).expect("HCL template");
        assert!(tpl.elements().iter().all(|el| matches!(el, hcl::template::Element::Literal(_))), "interpolation in {te:?}");
        let raw = &h.template;
        assert!(raw.trim_end().ends_with("else \"false\" }}"), "{raw}");
    }
    for t in values.get("resource.grafana_oncall_route.routing_type").expect("routing types") {
        assert_eq!(as_str(t), Some("jinja2"));
    }
    // every reference points at a declared resource or data source
    let declared: BTreeSet<String> = hcl::parse(&text)
        .expect("parses")
        .blocks()
        .map(|b| {
            let l: Vec<&str> = b.labels().iter().map(|l| l.as_str()).collect();
            if b.identifier() == "data" {
                format!("data.{}.{}", l[0], l[1])
            } else {
                format!("{}.{}", l[0], l[1])
            }
        })
        .collect();
    let re = regex::Regex::new(r"\b((?:data\.)?grafana_oncall_[a-z_]+\.[a-z0-9_]+)\.id\b").expect("regex");
    let mut refs = 0;
    for c in re.captures_iter(&text) {
        refs += 1;
        assert!(declared.contains(&c[1]), "reference to undeclared {}", &c[1]);
    }
    assert!(refs > 100, "{refs} references");
    // the table's size, for the record
    let size: usize = SCHEMAS.iter().map(|s| s.required.len() + s.optional.len() + s.required_blocks.len() + s.blocks.len()).sum();
    assert_eq!(size, 67);
}

fn golden_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(GOLDEN)
}

#[test]
fn policies_export_matches_the_golden_file_and_is_deterministic() {
    let t = tempfile::tempdir().expect("tempdir");
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    assert_eq!(export("policies", &a).status.code(), Some(0));
    assert_eq!(export("policies", &b).status.code(), Some(0));
    let text = main_tf(&a);
    assert_eq!(text, main_tf(&b), "two exports differ");
    let names: Vec<String> = std::fs::read_dir(&a).expect("dir").map(|e| e.expect("entry").file_name().to_string_lossy().into_owned()).collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, vec![".escalade-export", "main.tf"]);
    if std::env::var_os("ESCALADE_BLESS").is_some() {
        std::fs::create_dir_all(golden_path().parent().expect("parent")).expect("mkdir");
        std::fs::write(golden_path(), &text).expect("bless");
    }
    let golden = std::fs::read_to_string(golden_path()).expect("golden file (ESCALADE_BLESS=1 writes it)");
    assert!(golden == text, "main.tf differs from {GOLDEN}; rerun with ESCALADE_BLESS=1 and review the diff");
}

/// A human report as one line: wrapped lines joined, frame characters
/// and repeated spaces removed.
fn flat(text: &str) -> String {
    text.replace(['│', '⚠'], " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn repeat_and_wait_beyond_grafana_limits_are_w0900_in_check_and_export() {
    // the fixture is clean without a target
    let plain = Command::cargo_bin("escalade").expect("binary").args(["check", LIMITS, "--from", "2026-10-20T00:00:00Z"]).output().expect("runs");
    assert_eq!(plain.status.code(), Some(0), "{}", String::from_utf8_lossy(&plain.stdout));
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("warning"), "{}", String::from_utf8_lossy(&plain.stdout));

    let check = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["check", LIMITS, "--target", "grafana-oncall", "--from", "2026-10-20T00:00:00Z"])
        .output()
        .expect("runs");
    let report = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(check.status.code(), Some(0), "warnings only: {report}");
    assert_eq!(report.matches("W0900 (warning)").count(), 3, "{report}");

    let json = Command::cargo_bin("escalade")
        .expect("binary")
        .args(["check", LIMITS, "--target", "grafana-oncall", "--from", "2026-10-20T00:00:00Z", "--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let findings = v["findings"].as_array().expect("findings");
    let got: Vec<(&str, u64, &str)> =
        findings.iter().map(|f| (f["code"].as_str().unwrap_or(""), f["line"].as_u64().unwrap_or(0), f["message"].as_str().unwrap_or(""))).collect();
    assert_eq!(
        got,
        vec![
            ("W0900", 13, "tier `first` of `main`: `escalate after 30s`; a Grafana OnCall wait step lasts 60 s to 86400 s (1m to 24h)"),
            ("W0900", 17, "tier `second` of `main`: `escalate after 2d`; a Grafana OnCall wait step lasts 60 s to 86400 s (1m to 24h)"),
            ("W0900", 19, "policy `main` repeats 7 times; Grafana OnCall's `repeat_escalation` repeats a chain at most 5 times"),
        ],
        "{v:#}"
    );

    let t = tempfile::tempdir().expect("tempdir");
    let out = export(LIMITS, &t.path().join("out"));
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(stderr.matches("W0900 (warning)").count(), 3, "{stderr}");
    for f in findings {
        for key in ["message", "help"] {
            let text = f[key].as_str().unwrap_or("");
            assert!(flat(&stderr).contains(&flat(text)), "export does not print {text:?}: {stderr}");
            assert!(flat(&report).contains(&flat(text)), "check does not print {text:?}: {report}");
        }
    }
    let text = main_tf(&t.path().join("out"));
    check_against_table(&text);
    assert!(text.contains("type                = \"repeat_escalation\""), "{text}");
    assert!(text.contains("duration            = 60\n"), "30s is clamped to 60 s");
    assert!(text.contains("duration            = 86400\n"), "2d is clamped to 24 h");
}
