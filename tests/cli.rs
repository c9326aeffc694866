//! The release binary's behaviour: exit codes, formats, bad flags and paths.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn escalade() -> Command {
    let mut c = Command::cargo_bin("escalade").expect("binary builds");
    c.env_remove("CLICOLOR_FORCE").env("NO_COLOR", "1");
    c
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(p, text).expect("write");
}

const CLEAN: &str = "person alice { email \"alice@example.com\" }\nperson bob { email \"bob@example.com\" }\nteam ops { members alice, bob }\npolicy ops-default {\n  tier primary { notify team ops escalate after 10m }\n  tier again { notify person bob }\n}\nservice api { owner ops policy ops-default }\n";

#[test]
fn the_example_org_passes_with_no_findings() {
    escalade()
        .args(["check", "policies/", "--from", "2026-11-09T00:00:00Z"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings"));
    escalade()
        .args(["check", "policies/", "--format", "json", "--from", "2026-11-09T00:00:00Z"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"findings\": []"));
}

#[test]
fn clean_workspace_exits_zero_and_json_states_from() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "org.esc", CLEAN);
    let out = escalade()
        .args(["check", "--format", "json", "--from", "2026-07-04 03:00"])
        .arg(d.path())
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["from"], "2026-07-04T03:00:00Z");
    assert_eq!(v["errors"], 0);
    assert_eq!(v["warnings"], 0);
}

#[test]
fn errors_exit_one_and_warnings_only_with_deny() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a.esc", &format!("{CLEAN}person carol {{ email \"c@example.com\" }}\n"));
    // W0901 unused person: exit 0, but 1 with --deny warnings
    escalade().arg("check").arg(d.path()).assert().code(0).stdout(predicate::str::contains("W0901"));
    escalade().arg("check").arg(d.path()).args(["--deny", "warnings"]).assert().code(1);
    write(d.path(), "b.esc", "service broken { owner nobody-here policy ops-default }\n");
    escalade().arg("check").arg(d.path()).assert().code(1).stdout(predicate::str::contains("E0100"));
}

#[test]
fn usage_errors_exit_two() {
    escalade().args(["check", "--no-such-flag"]).assert().code(2);
    escalade().args(["check", "/definitely/not/here"]).assert().code(2).stderr(predicate::str::contains("does not exist"));
    let d = tempfile::tempdir().expect("tempdir");
    escalade().arg("check").arg(d.path()).assert().code(2).stderr(predicate::str::contains("no .esc file"));
    write(d.path(), "a.esc", CLEAN);
    escalade().arg("check").arg(d.path()).args(["--from", "yesterday"]).assert().code(2);
    escalade().arg("check").arg(d.path()).args(["--format", "xml"]).assert().code(2);
    escalade().args(["check", "--explain", "E9999"]).assert().code(2);
    write(d.path(), "escalade.toml", "[checks]\nallow = [\"E0100\"]\n");
    escalade().arg("check").arg(d.path()).assert().code(2).stderr(predicate::str::contains("cannot be allowed"));
}

/// A file that exists but cannot be read (also as root, who ignores
/// permission bits): /proc/self/mem fails every plain read.
#[cfg(target_os = "linux")]
#[test]
fn unreadable_file_exits_two() {
    escalade()
        .args(["check", "/proc/self/mem"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot read `/proc/self/mem`"));
}

#[test]
fn explain_prints_docs_for_every_code() {
    for c in escalade::checks::registry::CODES {
        escalade()
            .args(["check", "--explain", c.code])
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with(format!("# {} {}", c.code, c.name)));
    }
}

#[test]
fn suppression_by_comment_and_config() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a.esc", &format!("{CLEAN}# escalade: allow W0901 kept for the next rotation\nperson carol {{ email \"c@example.com\" }}\n"));
    let out = escalade().arg("check").arg(d.path()).args(["--format", "json", "--deny", "warnings"]).assert().code(0).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json");
    assert_eq!(v["warnings"], 0);
    assert_eq!(v["findings"][0]["code"], "W0901");
    assert_eq!(v["findings"][0]["suppressed"], true);
    // an allow that suppresses nothing is W0902
    write(d.path(), "b.esc", "# escalade: allow W0500\nperson dan { email \"d@example.com\" }\n");
    escalade().arg("check").arg(d.path()).assert().stdout(predicate::str::contains("W0902"));
    // escalade.toml allow everywhere
    write(d.path(), "escalade.toml", "[checks]\nallow = [\"W0901\", \"W0902\"]\n");
    escalade().arg("check").arg(d.path()).args(["--deny", "warnings"]).assert().code(0);
    // deny raises to error
    write(d.path(), "escalade.toml", "[checks]\ndeny = [\"W0901\"]\nallow = [\"W0902\"]\n");
    escalade().arg("check").arg(d.path()).assert().code(1);
}

#[test]
fn github_format_escapes_messages() {
    let d = tempfile::tempdir().expect("tempdir");
    write(d.path(), "a.esc", "service s { owner t policy p }\n");
    let out = escalade().arg("check").arg(d.path()).args(["--format", "github"]).assert().code(1).get_output().stdout.clone();
    let text = String::from_utf8(out).expect("utf8");
    for line in text.lines() {
        assert!(line.starts_with("::error ") || line.starts_with("::warning "), "{line}");
        assert!(line.contains(",title=E0100::"), "{line}");
    }
}

#[test]
fn output_is_byte_identical_across_runs() {
    let run = |fmt: &str| {
        escalade().args(["check", "fixtures/checks", "--from", "2026-11-09T00:00:00Z", "--format", fmt]).output().expect("runs").stdout
    };
    for fmt in ["human", "json", "sarif", "github"] {
        assert_eq!(run(fmt), run(fmt), "{fmt}");
    }
}
