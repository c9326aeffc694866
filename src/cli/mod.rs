//! The command line: the only layer that does IO, rendering and exit
//! codes.

use crate::check::{self, CheckOptions};
use crate::checks::registry;
use crate::suppress::Config;
use crate::workspace::{self, Workspace};
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

pub mod explain;
pub mod simulate;
pub mod time_arg;

#[derive(Debug, Parser)]
#[command(name = "escalade", version, about = "Policy-as-code compiler and simulator for incident escalation")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Prove a policy workspace has no dead ends, unowned services,
    /// unreachable tiers or shadowed routes.
    Check(CheckArgs),
    /// Who is on call at an instant, per schedule.
    Oncall(OncallArgs),
    /// Compile the workspace into files an engine or tool imports.
    Export(ExportArgs),
    /// Convert a recorded history (servicenow, pagerduty, opsgenie,
    /// alertmanager) into a JSON Lines timeline.
    Import(ImportArgs),
    /// Run the workspace's drills: scripted incidents with expectations.
    Drill(DrillArgs),
    /// For one alert: the routes that match, the policy, and who is paged
    /// at each tier and when.
    Explain(explain::ExplainArgs),
    /// Replay a timeline against a workspace (and a baseline): MTTA,
    /// escalations, alert fatigue.
    Simulate(simulate::SimulateArgs),
    /// The escalation graph (routes, policies, tiers, targets, depends-on)
    /// as Graphviz DOT or Mermaid, on stdout.
    Graph(GraphArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// Output format: the text of the `dot` or `mermaid` export target
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// servicenow | pagerduty | opsgenie | alertmanager
    pub kind: String,
    /// The recorded history (`-` for stdin)
    pub file: PathBuf,
    /// The JSON Lines timeline to write
    #[arg(short = 'o', long = "output", value_name = "OUT.jsonl")]
    pub output: PathBuf,
    /// Time zone for source times without an offset (ServiceNow's
    /// `d/m/yyyy HH:MM`); default UTC
    #[arg(long, value_name = "ZONE", default_value = "UTC")]
    pub tz: String,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// Export target (SPEC §6)
    #[arg(long, value_name = "E")]
    pub target: String,
    /// Alertmanager: give every receiver but `suppress` a webhook at this URL (`{receiver}` is replaced by its name)
    #[arg(long, value_name = "URL")]
    pub receiver_url_template: Option<String>,
    /// Output directory: absent, empty, or a previous escalade export
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: PathBuf,
    /// Start of time-dependent output (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz); default: now
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Write nothing; list the files that would change and exit 1 if any
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TableFormat {
    Human,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct OncallArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// The instant (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz); default: now
    #[arg(long, value_name = "T")]
    pub at: Option<String>,
    /// Only this schedule
    #[arg(long, value_name = "S")]
    pub schedule: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: TableFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Human,
    Json,
    Sarif,
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DenyWhat {
    Warnings,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Directories (every *.esc below them) or .esc files; default: the current directory
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: CheckFormat,
    /// Instant time-based checks start from (RFC 3339, or `YYYY-MM-DD HH:MM` in the org tz)
    #[arg(long, value_name = "T")]
    pub from: Option<String>,
    /// Also check the limits of a target engine (W0900)
    #[arg(long, value_name = "E")]
    pub target: Option<String>,
    /// Treat warnings as errors for the exit status
    #[arg(long, value_enum, value_name = "warnings")]
    pub deny: Option<DenyWhat>,
    /// Print the documentation of a check code and exit
    #[arg(long, value_name = "CODE")]
    pub explain: Option<String>,
}

/// Run the CLI; returns the process exit status.
pub fn main_with(args: Vec<String>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let text = e.render().to_string();
            if e.use_stderr() {
                let _ = write!(err, "{text}");
            } else {
                let _ = write!(out, "{text}");
            }
            return code;
        }
    };
    match cli.command {
        Command::Check(a) => run_check(a, out, err),
        Command::Oncall(a) => run_oncall(a, out, err),
        Command::Export(a) => run_export(a, out, err),
        Command::Import(a) => run_import(a, err),
        Command::Drill(a) => run_drill(a, out, err),
        Command::Explain(a) => explain::run_explain(a, out, err),
        Command::Simulate(a) => simulate::run_simulate(a, out, err),
        Command::Graph(a) => run_graph(a, out, err),
    }
}

/// `escalade graph` (SPEC §7): the file the `dot` or `mermaid` export
/// target writes, on stdout. Refuses (exit 1) only on model errors.
fn run_graph(a: GraphArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let ws = match load_sound(&a.workspace, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let g = crate::export::graph::build(&ws.model);
    let text = match a.format {
        GraphFormat::Dot => crate::export::graph::dot(&g),
        GraphFormat::Mermaid => crate::export::graph::mermaid(&g),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    0
}

pub(crate) fn usage_error(err: &mut dyn Write, msg: &str) -> i32 {
    let _ = writeln!(err, "error: {msg}");
    2
}

pub(crate) fn report_load_error(err: &mut dyn Write, e: workspace::LoadError) -> i32 {
    let report = miette::Report::new(e);
    let _ = writeln!(err, "{report:?}");
    2
}

/// The workspace config (`escalade.toml` at the root), if any.
/// Like a `.esc` file, it is refused past 16 MiB without being read whole.
fn load_config(ws: &Workspace) -> Result<Config, String> {
    let p = ws.root.join("escalade.toml");
    let shown = workspace::display_path(&p);
    let bytes = match workspace::read_source(&p) {
        Ok(workspace::SourceBytes::Bytes(b)) => b,
        Ok(workspace::SourceBytes::TooLarge(_)) => return Err(format!("{shown}: larger than 16 MiB, the limit")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => return Err(format!("cannot read {shown}: {e}")),
    };
    let text = String::from_utf8(bytes).map_err(|e| format!("{shown}: invalid UTF-8 at byte {}", e.utf8_error().valid_up_to()))?;
    Config::parse(&text).map_err(|e| format!("{shown}: {e}"))
}

fn use_color() -> bool {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    if std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0") {
        return true;
    }
    std::io::stdout().is_terminal()
}

fn run_check(a: CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if let Some(code) = &a.explain {
        return match registry::lookup(code) {
            Some(info) => {
                let _ = write!(out, "{}", info.docs);
                if !info.docs.ends_with('\n') {
                    let _ = writeln!(out);
                }
                0
            }
            None => usage_error(err, &format!("unknown check code `{code}`; codes are listed in `escalade check --help` and the README")),
        };
    }
    if let Some(t) = &a.target {
        if !crate::export::TARGETS.contains(&t.as_str()) {
            return usage_error(err, &format!("unknown target `{t}`; targets are: {}", crate::export::TARGETS.join(", ")));
        }
    }
    let ws = match workspace::load(&a.paths) {
        Ok(ws) => ws,
        Err(e) => return report_load_error(err, e),
    };
    let config = match load_config(&ws) {
        Ok(c) => c,
        Err(e) => return usage_error(err, &e),
    };
    let from: DateTime<Utc> = match &a.from {
        Some(s) => match time_arg::parse_instant(s, ws.model.org.tz) {
            Ok(t) => t,
            Err(e) => return usage_error(err, &format!("--from: {e}")),
        },
        None => time_arg::now_minute(),
    };
    let opts = CheckOptions { config, deny_warnings: a.deny.is_some(), from: Some(from.timestamp()), target: a.target.clone() };
    let findings = check::check(&ws, &opts);
    let text = match a.format {
        CheckFormat::Human => {
            let o = crate::render::HumanOptions { color: use_color(), width: 100 };
            crate::render::human(&findings, &ws.sources, Some(from), &o)
        }
        CheckFormat::Json => crate::render::json(&findings, &ws.sources, from),
        CheckFormat::Sarif => crate::render::sarif(&findings, &ws.sources),
        CheckFormat::Github => crate::render::github(&findings, &ws.sources),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    check::exit_status(&findings, opts.deny_warnings)
}

/// Load a workspace for a command that refuses only on model errors:
/// Err(exit status) after printing what went wrong.
pub(crate) fn load_sound(path: &std::path::Path, err: &mut dyn Write) -> Result<Workspace, i32> {
    let ws = match workspace::load(std::slice::from_ref(&path.to_path_buf())) {
        Ok(ws) => ws,
        Err(e) => return Err(report_load_error(err, e)),
    };
    if check::has_model_errors(&ws) {
        let mut findings: Vec<_> = ws.findings.iter().filter(|f| registry::is_model_error(f.code)).cloned().collect();
        crate::render::sort_findings(&mut findings, &ws.sources);
        let o = crate::render::HumanOptions { color: false, width: 100 };
        let _ = write!(err, "{}", crate::render::human(&findings, &ws.sources, None, &o));
        return Err(1);
    }
    Ok(ws)
}

pub(crate) fn instant_arg(s: &Option<String>, ws: &Workspace, flag: &str) -> Result<DateTime<Utc>, String> {
    match s {
        Some(s) => time_arg::parse_instant(s, ws.model.org.tz).map_err(|e| format!("{flag}: {e}")),
        None => Ok(time_arg::now_minute()),
    }
}

fn run_oncall(a: OncallArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let ws = match load_sound(&a.workspace, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    let at = match instant_arg(&a.at, &ws, "--at") {
        Ok(t) => t,
        Err(e) => return usage_error(err, &e),
    };
    if let Some(s) = &a.schedule {
        if ws.model.schedule(s).is_none() {
            let names = ws.model.schedules.iter().map(|x| x.name.name.as_str());
            let hint = crate::diag::did_you_mean(s, names).map(|n| format!("; did you mean `{n}`?")).unwrap_or_default();
            return usage_error(err, &format!("unknown schedule `{s}`{hint}"));
        }
    }
    let answers = crate::oncall::on_call(&ws.model, at.timestamp(), a.schedule.as_deref());
    let text = match a.format {
        TableFormat::Json => crate::oncall::json(&answers, at),
        TableFormat::Human => crate::oncall::table(&ws.model, &answers, at),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    0
}

fn run_export(a: ExportArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if !crate::export::TARGETS.contains(&a.target.as_str()) {
        return usage_error(err, &format!("unknown target `{}`; this version exports: {}", a.target, crate::export::TARGETS.join(", ")));
    }
    let ws = match load_sound(&a.workspace, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    // export also refuses on dead ends (E0200, E0201)
    let blocking: Vec<_> = check::check(&ws, &CheckOptions::default())
        .into_iter()
        .filter(|f| !f.suppressed && (f.code == "E0200" || f.code == "E0201"))
        .collect();
    if !blocking.is_empty() {
        let o = crate::render::HumanOptions { color: false, width: 100 };
        let _ = write!(err, "{}", crate::render::human(&blocking, &ws.sources, None, &o));
        return 1;
    }
    if a.from.is_none() {
        let _ = writeln!(err, "note: no --from given; time-dependent output starts now ({})", time_arg::now_minute().format("%Y-%m-%dT%H:%M:%SZ"));
    }
    let from = match instant_arg(&a.from, &ws, "--from") {
        Ok(t) => t,
        Err(e) => return usage_error(err, &e),
    };
    let opts = crate::export::ExportOptions { from: from.timestamp(), receiver_url_template: a.receiver_url_template.clone() };
    let Some(exported) = crate::export::export(&ws.model, &a.target, &opts) else {
        return usage_error(err, &format!("unknown target `{}`", a.target));
    };
    // every W0900 is printed; the construct is exported in its documented
    // approximation (§6)
    let mut notes = exported.findings;
    if !notes.is_empty() {
        let config = match load_config(&ws) {
            Ok(c) => c,
            Err(e) => return usage_error(err, &e),
        };
        crate::suppress::apply(&mut notes, &ws.allows, &ws.model, &ws.sources, &config);
        notes.retain(|f| !f.suppressed);
        crate::render::sort_findings(&mut notes, &ws.sources);
        let o = crate::render::HumanOptions { color: false, width: 100 };
        let _ = write!(err, "{}", crate::render::human(&notes, &ws.sources, None, &o));
    }
    let tree = exported.tree;
    if a.check {
        return export_check(&a.output, &tree, out);
    }
    match crate::export::write_tree(&a.output, &tree) {
        Ok(()) => {
            let _ = writeln!(err, "wrote {} files to {}", tree.len(), workspace::display_path(&a.output));
            0
        }
        Err(e) => usage_error(err, &e.to_string()),
    }
}

/// `export --check`: list the files that differ from what export would
/// write; exit 1 when any does.
fn export_check(dir: &std::path::Path, tree: &crate::export::FileTree, out: &mut dyn Write) -> i32 {
    let mut changed = Vec::new();
    for (rel, bytes) in tree {
        if std::fs::read(dir.join(rel)).ok().as_deref() != Some(bytes.as_slice()) {
            changed.push(rel.clone());
        }
    }
    if let Ok(rd) = std::fs::read_dir(dir) {
        let mut extra: Vec<String> = rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != crate::export::MARKER && !tree.contains_key(n) && std::path::Path::new(n).extension().is_some())
            .collect();
        extra.sort();
        changed.extend(extra);
    }
    for c in &changed {
        let _ = writeln!(out, "{}", c);
    }
    i32::from(!changed.is_empty())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DrillFormat {
    Human,
    Json,
    Junit,
}

#[derive(Debug, clap::Args)]
pub struct DrillArgs {
    /// The workspace: a directory of .esc files or one file
    pub workspace: PathBuf,
    /// Output format
    #[arg(long, value_enum, default_value = "human")]
    pub format: DrillFormat,
    /// Run only the drills whose name contains TEXT (case-sensitive)
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Runtime semantics: default, pagerduty, goalert, opsgenie, grafana-oncall, splunk-oncall
    #[arg(long, value_name = "E")]
    pub engine: Option<String>,
}

/// `escalade drill` (SPEC §3.9): exit 1 when a drill fails.
/// `--engine E`: an engine name, or exit 2 (SPEC §4 "Exit status").
pub(crate) fn engine_arg(e: Option<&str>) -> Result<crate::sim::engine::EngineKind, String> {
    use crate::sim::engine::EngineKind;
    match e {
        None => Ok(EngineKind::Default),
        Some(e) => EngineKind::parse(e).ok_or_else(|| {
            let names: Vec<&str> = EngineKind::ALL.iter().map(|k| k.as_str()).collect();
            format!("unknown engine `{e}`; engines: {}", names.join(", "))
        }),
    }
}

/// The stderr summary of what `--engine` changes in a workspace (§5).
pub(crate) fn engine_notes(model: &crate::model::Model, engine: crate::sim::engine::EngineKind, err: &mut dyn Write) {
    if engine == crate::sim::engine::EngineKind::Default {
        return;
    }
    let c = crate::sim::engine::Compiled::new(model, engine);
    let adj = c.adjustments();
    if adj.is_empty() {
        return;
    }
    let _ = writeln!(err, "note: --engine {} changes {} rule{} of this workspace:", engine.as_str(), adj.len(), if adj.len() == 1 { "" } else { "s" });
    for (p, t, what) in &adj {
        let pol = &model.policies[*p as usize];
        let place = match t {
            Some(t) => format!("{}.{}", pol.name.name, pol.tiers[*t as usize].name.name),
            None => pol.name.name.clone(),
        };
        let _ = writeln!(err, "  {place}: {what}");
    }
}

fn run_drill(a: DrillArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let engine = match engine_arg(a.engine.as_deref()) {
        Ok(k) => k,
        Err(e) => return usage_error(err, &e),
    };
    let ws = match load_sound(&a.workspace, err) {
        Ok(ws) => ws,
        Err(code) => return code,
    };
    engine_notes(&ws.model, engine, err);
    let results = crate::sim::drill::run_all(&ws, engine, a.filter.as_deref());
    let text = match a.format {
        DrillFormat::Human => crate::sim::drill::human(&results),
        DrillFormat::Json => crate::sim::drill::json(&results),
        DrillFormat::Junit => crate::sim::drill::junit(&results),
    };
    if out.write_all(text.as_bytes()).is_err() {
        return 2;
    }
    i32::from(results.iter().any(|r| !r.passed))
}

fn run_import(a: ImportArgs, err: &mut dyn Write) -> i32 {
    use crate::sim::import;
    let kind: import::ImportKind = match a.kind.parse() {
        Ok(k) => k,
        Err(e) => return usage_error(err, &e),
    };
    let tz: chrono_tz::Tz = match a.tz.parse() {
        Ok(z) => z,
        Err(_) => return usage_error(err, &format!("--tz: unknown time zone \"{}\"", a.tz)),
    };
    let imported = match import::import_path(kind, &a.file, tz) {
        Ok(i) => i,
        Err(e) => return usage_error(err, &e.to_string()),
    };
    let shown = workspace::display_path(&a.file);
    for n in &imported.notices {
        let _ = writeln!(err, "note: {n}");
    }
    for r in &imported.skipped {
        let _ = writeln!(err, "{shown}:{}: {}", r.line, r.reason);
    }
    // write next to the target, then rename: no half-written timeline
    let tmp = a.output.with_extension("jsonl.escalade-tmp");
    let written = std::fs::File::create(&tmp)
        .and_then(|f| import::write_jsonl(&imported.events, f))
        .and_then(|()| std::fs::rename(&tmp, &a.output));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return usage_error(err, &format!("cannot write {}: {e}", workspace::display_path(&a.output)));
    }
    let _ = writeln!(err, "wrote {} events to {} ({} records skipped)", imported.events.len(), workspace::display_path(&a.output), imported.skipped.len());
    0
}
