//! Importers (SPEC §5 "Timeline", §7 `escalade import`): recorded
//! histories from engines and ticketing tools → escalade timeline events.
//!
//! Every importer returns [`Imported`]: the events sorted by time (ties:
//! the order in which they were derived, so an incident's alert comes
//! before its ack and resolve at one instant), `seq` renumbered in that
//! order; `notices` (summaries of what was approximated); `skipped` (input
//! records that could not be used, with their line or position). Names of
//! people and services are made escalade identifiers by [`sanitize_name`]:
//! lower case, every run of other characters becomes `-`, an e-mail address
//! keeps its local part (`Jane.Doe@x.com` → `jane-doe`), and a name that
//! does not start with a letter gets a `x-` prefix. [`write_jsonl`] writes
//! the result as a JSON Lines timeline.
//!
//! # `servicenow` — ServiceNow incident event log (CSV, or a ZIP holding one)
//!
//! The layout of the UCI "Incident management process enriched event log":
//! one row per update of an incident, 36 columns, `?` = missing, dates
//! `d/m/yyyy HH:MM` (also `yyyy-mm-dd HH:MM[:SS]`) in local time, read in
//! the org time zone (a notice says so). The CSV is streamed; only a small
//! state per incident is kept. Rows of one incident are read in file order.
//! - **one alert per `number`** at `opened_at`, id = the number
//!   (`INC0000045`), `fingerprint` = the number (so dedup never folds two
//!   tickets), `source` = `servicenow`.
//! - `service` = the incident's `category` as an identifier (`Category 55`
//!   → `category-55`), `servicenow` when it is always missing. The category
//!   says *what* broke; `assignment_group` says *who* handled it, which is
//!   what the simulated policy decides, so it is a label, not the service.
//! - `severity` = `priority` `1 - Critical` … `4 - Low` → `P1` … `P4` (the
//!   leading digit; the first row's value).
//! - `summary` = `INC… (category, subcategory, symptom)`.
//! - `labels`: `assignment_group`, `category`, `subcategory`, `symptom`
//!   (`u_symptom`), `impact`, `urgency`, `contact_type`, `location`, each
//!   the column's first non-missing value in the incident's rows, as
//!   written.
//! - **ack**: the first row whose `assigned_to` is set → `ack` by that
//!   person (`Resolver 89` → `resolver-89`) at the row's `sys_updated_at`
//!   (never before the opening). Later reassignments are not acks; they are
//!   counted in a notice.
//! - **resolve**: the first row in state `Resolved`, `Closed` or `Canceled`
//!   → `resolve` at its `sys_updated_at`; for the incident's last resolution
//!   the `resolved_at` column wins when it is set (it holds the final
//!   resolution time). An incident never resolved gets no `resolve`.
//! - **reopened incidents**: a row in a live state (`New`, `Active`,
//!   `Awaiting …`, …) after a resolution opens a new alert
//!   `INC…-reopen-K` (K = 1, 2, …) at that row's time, with the same
//!   fields, the row's priority and the label `reopened: K`; it is acked by
//!   the row's assignee (usually at once: a reopened ticket keeps its
//!   assignee) and resolved like the original.
//! - Rows with an unknown state (`-100`) change nothing; a row whose
//!   `sys_updated_at` is unreadable is skipped; an incident whose
//!   `opened_at` is missing or unreadable is skipped (listed in `skipped`).
//!
//! # `pagerduty` — PagerDuty REST log entries (JSON)
//!
//! `{"log_entries": [...]}` (the `GET /log_entries` or
//! `/incidents/{id}/log_entries` response), a bare array of entries, or
//! several such documents one after another (pages, JSON Lines). Entries
//! are sorted by `created_at` (the API lists newest first).
//! - `trigger_log_entry` → alert: id = `incident.id`, service =
//!   `service.summary` (or `incident.service.summary`) as an identifier,
//!   `pagerduty` when absent; severity = `incident.priority.summary`, else
//!   `incident.urgency`; summary = `incident.summary`/`incident.title`/
//!   `channel.summary`; fingerprint = `incident.incident_key`/
//!   `channel.incident_key`; source = `channel.type`; labels
//!   `pagerduty_service` (the service's name as written) and `urgency`.
//!   Later triggers of the same incident are ignored.
//! - `acknowledge_log_entry` → ack (the first per incident), `by` = the
//!   agent when it is a user (`agent.email` local part, else
//!   `agent.summary`, as an identifier); agents that are services or
//!   integrations give an ack without `by`.
//! - `resolve_log_entry` → resolve (the first per incident).
//! - Other entry types are ignored; acks and resolves of incidents whose
//!   trigger is not in the input are skipped (counted in a notice).
//!
//! # `alertmanager` — Alertmanager webhook payloads (version 4), JSON Lines
//!
//! One payload `{"version":"4","status":…,"alerts":[…]}` per line (a JSON
//! array of payloads, or pretty-printed payloads, are read too). Each alert
//! of a payload counts on its own (`alerts[].status`, else the payload's).
//! - id = `fingerprint-YYYYMMDDTHHMMSSZ` of `startsAt`: one firing episode
//!   of one label set. A missing fingerprint is replaced by a stable hash
//!   of the labels.
//! - firing → alert at `startsAt` (once per id; repeated notifications are
//!   ignored): service = label `service`, else `job`, as an identifier,
//!   `alertmanager` when neither is set; severity = label `severity`;
//!   summary = annotation `summary`, else `description`, else label
//!   `alertname`; labels = all labels; fingerprint = the fingerprint;
//!   source = `alertmanager`.
//! - resolved → resolve at `endsAt` (never before `startsAt`); a resolved
//!   alert never seen firing gets its alert at `startsAt` first.
//! - A line that is not a JSON payload is listed in `skipped`.
//!
//! # `opsgenie` — Opsgenie alerts (JSON)
//!
//! A JSON array of alerts, `{"data": [...]}` (the List Alerts response), or
//! alerts/pages one after another (JSON Lines); each alert as in the Alert
//! API (`id`, `tinyId`, `alias`, `message`, `status`, `acknowledged`,
//! `tags`, `createdAt`, `updatedAt`, `source`, `owner`, `priority`,
//! `details`, `report{ackTime, closeTime, acknowledgedBy, closedBy}`).
//! - alert at `createdAt` (RFC 3339, or epoch milliseconds): id = `id`, else
//!   `tinyId`, else `alias`; severity = `priority` (`P1` … `P5`); summary =
//!   `message`; source = `source`; fingerprint = `alias`; service =
//!   `details.service`, else a tag `service:X`/`service=X`, else `entity`,
//!   as an identifier, `opsgenie` when none; labels = `details` (text),
//!   tags `k:v`/`k=v` → `k` = `v`, other tags → `tag` = `true` (details
//!   win over tags).
//! - ack at `createdAt + ackTime` ms (`report.ackTime`, or `ackTime` on the
//!   alert), or at `acknowledgedAt`; by = `report.acknowledgedBy`, else
//!   `owner` (e-mail local part, as an identifier). An alert marked
//!   `acknowledged` without any ack time gets no ack (counted in a notice).
//! - resolve at `closedAt`, else `createdAt + closeTime` ms, else (status
//!   `closed` without a time) `updatedAt`, counted in a notice.
//! - an ack later than the resolve is dropped.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Seek, Write};
use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde_json::Value;

use super::event::{AlertEvent, Event, EventKind, Instant, Rejected};
use crate::cli::time_arg::resolve_local;

// ---------------------------------------------------------------------------
// kinds, results, errors

/// An importer (`--import KIND`, `escalade import KIND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImportKind {
    ServiceNow,
    PagerDuty,
    Opsgenie,
    Alertmanager,
}

impl ImportKind {
    pub const ALL: [ImportKind; 4] = [ImportKind::ServiceNow, ImportKind::PagerDuty, ImportKind::Opsgenie, ImportKind::Alertmanager];

    pub fn name(self) -> &'static str {
        match self {
            ImportKind::ServiceNow => "servicenow",
            ImportKind::PagerDuty => "pagerduty",
            ImportKind::Opsgenie => "opsgenie",
            ImportKind::Alertmanager => "alertmanager",
        }
    }
}

impl fmt::Display for ImportKind {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        ImportKind::ALL
            .into_iter()
            .find(|k| k.name() == s)
            .ok_or_else(|| format!("unknown importer `{s}`; use servicenow, pagerduty, opsgenie or alertmanager"))
    }
}

/// What an importer made of its input.
#[derive(Debug, Default, Clone)]
pub struct Imported {
    /// events sorted by (at, seq)
    pub events: Vec<Event>,
    /// what was approximated or counted (for stderr)
    pub notices: Vec<String>,
    /// input records that could not be used
    pub skipped: Vec<Rejected>,
}

/// An input that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io { path: String, source: io::Error },
    #[error("{path}: {message}")]
    Format { path: String, message: String },
    #[error("{path}:{line}: {message}")]
    Syntax { path: String, line: usize, message: String },
}

impl ImportError {
    fn with_path(self, p: &str) -> ImportError {
        match self {
            ImportError::Io { source, .. } => ImportError::Io { path: p.into(), source },
            ImportError::Format { message, .. } => ImportError::Format { path: p.into(), message },
            ImportError::Syntax { line, message, .. } => ImportError::Syntax { path: p.into(), line, message },
        }
    }
}

fn io_err(source: io::Error) -> ImportError {
    ImportError::Io { path: String::new(), source }
}

fn fmt_err(message: impl Into<String>) -> ImportError {
    ImportError::Format { path: String::new(), message: message.into() }
}

/// Import a file (`-` = stdin) with the given importer. `tz` is the org
/// time zone, for times written without an offset.
pub fn import_path(kind: ImportKind, path: &Path, tz: Tz) -> Result<Imported, ImportError> {
    let name = path.display().to_string();
    if path.as_os_str() == "-" {
        return import_reader(kind, io::stdin().lock(), tz).map_err(|e| e.with_path("-"));
    }
    let file = std::fs::File::open(path).map_err(|source| ImportError::Io { path: name.clone(), source })?;
    let result = if kind == ImportKind::ServiceNow {
        servicenow_seekable(file, tz)
    } else {
        import_reader(kind, file, tz)
    };
    result.map_err(|e| e.with_path(&name))
}

/// Import from any reader. A ServiceNow ZIP is read into memory first (a
/// ZIP needs seeking); use [`import_path`] to stream it from a file.
pub fn import_reader<R: Read>(kind: ImportKind, reader: R, tz: Tz) -> Result<Imported, ImportError> {
    match kind {
        ImportKind::ServiceNow => {
            let mut r = BufReader::new(reader);
            let head = r.fill_buf().map_err(io_err)?;
            if head.starts_with(b"PK\x03\x04") {
                let mut bytes = Vec::new();
                r.read_to_end(&mut bytes).map_err(io_err)?;
                servicenow_seekable(io::Cursor::new(bytes), tz)
            } else {
                servicenow(r, tz)
            }
        }
        ImportKind::PagerDuty => pagerduty(reader),
        ImportKind::Opsgenie => opsgenie(reader),
        ImportKind::Alertmanager => alertmanager(BufReader::new(reader)),
    }
}

// ---------------------------------------------------------------------------
// shared helpers

/// Make an escalade identifier (`[a-z][a-z0-9_-]*`) from a name: lower
/// case, runs of other characters become `-`, an e-mail address keeps its
/// local part, a leading non-letter gets `x-`. `None` for a name with no
/// letter or digit.
pub fn sanitize_name(s: &str) -> Option<String> {
    let s = s.trim();
    let s = match s.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !local.contains(' ') => local,
        _ => s,
    };
    let mut out = String::with_capacity(s.len());
    let mut dash = false;
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        return None;
    }
    if !out.starts_with(|c: char| c.is_ascii_lowercase()) {
        out.insert_str(0, "x-");
    }
    Some(out)
}

/// Sort derived events by (at, derivation order) and number them.
fn finish(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by_key(|e| (e.at, e.seq));
    for (i, e) in events.iter_mut().enumerate() {
        e.seq = i as u64;
    }
    events
}

/// Collects events in derivation order.
#[derive(Default)]
struct Out {
    events: Vec<Event>,
}

impl Out {
    fn push(&mut self, at: Instant, kind: EventKind, line: usize) {
        let seq = self.events.len() as u64;
        self.events.push(Event { at, kind, line, seq });
    }
}

fn rfc3339(s: &str) -> Option<Instant> {
    DateTime::parse_from_rfc3339(s.trim()).ok().map(|t| t.timestamp())
}

/// An RFC 3339 string or epoch milliseconds.
fn time_value(v: Option<&Value>) -> Option<Instant> {
    match v? {
        Value::String(s) => rfc3339(s),
        Value::Number(n) => n.as_i64().map(|ms| ms.div_euclid(1000)).or_else(|| n.as_f64().map(|ms| (ms / 1000.0).floor() as i64)),
        _ => None,
    }
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn path<'a>(v: &'a Value, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().try_fold(v, |v, k| v.get(k)).filter(|v| !v.is_null())
}

fn millis(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Read every JSON value of the input (one document, several one after
/// another, or JSON Lines).
fn json_values<R: Read>(reader: R) -> Result<Vec<Value>, ImportError> {
    let mut out = Vec::new();
    let stream = serde_json::Deserializer::from_reader(BufReader::new(reader)).into_iter::<Value>();
    for v in stream {
        match v {
            Ok(v) => out.push(v),
            Err(e) if e.is_io() => return Err(io_err(io::Error::other(e.to_string()))),
            Err(e) => return Err(ImportError::Syntax { path: String::new(), line: e.line(), message: e.to_string() }),
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// servicenow

const SN_COLUMNS: [&str; 6] = ["number", "incident_state", "opened_at", "sys_updated_at", "assigned_to", "priority"];
const SN_LABELS: [(&str, &str); 8] = [
    ("assignment_group", "assignment_group"),
    ("category", "category"),
    ("subcategory", "subcategory"),
    ("u_symptom", "symptom"),
    ("impact", "impact"),
    ("urgency", "urgency"),
    ("contact_type", "contact_type"),
    ("location", "location"),
];

/// A ServiceNow date: `d/m/yyyy HH:MM[:SS]` or `yyyy-mm-dd HH:MM[:SS]`.
fn sn_date(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    let (date, time) = s.split_once(' ')?;
    let nums = |s: &str, sep: char| -> Option<Vec<u32>> { s.split(sep).map(|p| p.trim().parse::<u32>().ok()).collect() };
    let d = if date.contains('/') {
        let v = nums(date, '/')?;
        let [d, m, y] = v.as_slice() else { return None };
        NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d)?
    } else {
        let v = nums(date, '-')?;
        let [y, m, d] = v.as_slice() else { return None };
        NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d)?
    };
    let t = nums(time.trim(), ':')?;
    let t = match t.as_slice() {
        [h, m] => NaiveTime::from_hms_opt(*h, *m, 0)?,
        [h, m, s] => NaiveTime::from_hms_opt(*h, *m, *s)?,
        _ => return None,
    };
    Some(d.and_time(t))
}

fn sn_missing(s: &str) -> bool {
    let s = s.trim();
    s.is_empty() || s == "?"
}

fn sn_severity(priority: &str) -> Option<String> {
    let d = priority.trim().chars().next()?;
    d.is_ascii_digit().then(|| format!("P{d}"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SnState {
    Live,
    Done,
    Unknown,
}

fn sn_state(s: &str) -> SnState {
    let s = s.trim().to_ascii_lowercase();
    match s.as_str() {
        "resolved" | "closed" | "canceled" | "cancelled" => SnState::Done,
        "new" | "active" | "in progress" | "on hold" | "open" | "assigned" => SnState::Live,
        _ if s.starts_with("awaiting") => SnState::Live,
        _ => SnState::Unknown,
    }
}

struct SnCycle {
    open: Instant,
    line: usize,
    severity: Option<String>,
    ack: Option<(Instant, Option<String>, usize)>,
    resolve: Option<(Instant, usize)>,
}

struct SnIncident {
    number: String,
    line: usize,
    category: Option<String>,
    labels: BTreeMap<String, String>,
    cycles: Vec<SnCycle>,
    last_assignee: Option<String>,
    reassigned: bool,
    resolved_at: Option<Instant>,
}

struct SnColumns {
    idx: HashMap<&'static str, usize>,
}

impl SnColumns {
    fn get<'r>(&self, rec: &'r csv::StringRecord, col: &str) -> &'r str {
        self.idx.get(col).and_then(|&i| rec.get(i)).unwrap_or("?")
    }
}

/// ServiceNow from CSV text (see the module docs).
pub fn servicenow<R: Read>(reader: R, tz: Tz) -> Result<Imported, ImportError> {
    let mut rdr = csv::ReaderBuilder::new().flexible(true).from_reader(reader);
    let headers = rdr.headers().map_err(|e| fmt_err(format!("not a CSV file: {e}")))?.clone();
    let mut idx = HashMap::new();
    for col in SN_COLUMNS.iter().chain(["resolved_at", "category", "reopen_count"].iter()).chain(SN_LABELS.iter().map(|(c, _)| c)) {
        if let Some(i) = headers.iter().position(|h| h.trim().trim_start_matches('\u{feff}') == *col) {
            idx.insert(*col, i);
        }
    }
    let missing: Vec<&str> = SN_COLUMNS.iter().copied().filter(|c| !idx.contains_key(c)).collect();
    if !missing.is_empty() {
        return Err(fmt_err(format!(
            "not a ServiceNow incident event log: column{} {} missing",
            if missing.len() > 1 { "s" } else { "" },
            missing.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        )));
    }
    let cols = SnColumns { idx };
    let mut incidents: Vec<SnIncident> = Vec::new();
    let mut by_number: HashMap<String, usize> = HashMap::new();
    let mut bad_numbers: HashMap<String, ()> = HashMap::new();
    let mut skipped = Vec::new();
    let (mut rows, mut bad_rows) = (0usize, 0usize);
    let mut rec = csv::StringRecord::new();
    loop {
        let line = rdr.position().line() as usize;
        match rdr.read_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => {
                if e.is_io_error() {
                    return Err(io_err(io::Error::other(e.to_string())));
                }
                let line = e.position().map_or(line, |p| p.line() as usize);
                skipped.push(Rejected { line, reason: format!("unreadable CSV row: {e}") });
                bad_rows += 1;
                continue;
            }
        }
        let line = rec.position().map_or(line, |p| p.line() as usize);
        rows += 1;
        let number = cols.get(&rec, "number").trim();
        if sn_missing(number) {
            skipped.push(Rejected { line, reason: "row without an incident `number`".into() });
            bad_rows += 1;
            continue;
        }
        if bad_numbers.contains_key(number) {
            continue;
        }
        let i = match by_number.get(number) {
            Some(&i) => i,
            None => {
                let opened = sn_date(cols.get(&rec, "opened_at")).map(|t| resolve_local(tz, t).timestamp());
                let Some(opened) = opened else {
                    skipped.push(Rejected {
                        line,
                        reason: format!("incident {number}: `opened_at` is missing or not `d/m/yyyy HH:MM`; the incident is skipped"),
                    });
                    bad_numbers.insert(number.to_string(), ());
                    continue;
                };
                let priority = cols.get(&rec, "priority");
                incidents.push(SnIncident {
                    number: number.to_string(),
                    line,
                    category: None,
                    labels: BTreeMap::new(),
                    cycles: vec![SnCycle { open: opened, line, severity: sn_severity(priority), ack: None, resolve: None }],
                    last_assignee: None,
                    reassigned: false,
                    resolved_at: None,
                });
                by_number.insert(number.to_string(), incidents.len() - 1);
                incidents.len() - 1
            }
        };
        let inc = &mut incidents[i];
        // fields: the first non-missing value of each column
        let category = cols.get(&rec, "category");
        if inc.category.is_none() && !sn_missing(category) {
            inc.category = Some(category.trim().to_string());
        }
        for (col, label) in SN_LABELS {
            let v = cols.get(&rec, col);
            if !sn_missing(v) && !inc.labels.contains_key(label) {
                inc.labels.insert(label.to_string(), v.trim().to_string());
            }
        }
        if let Some(c) = inc.cycles.first_mut() {
            if c.severity.is_none() {
                c.severity = sn_severity(cols.get(&rec, "priority"));
            }
        }
        let resolved_at = cols.get(&rec, "resolved_at");
        if !sn_missing(resolved_at) {
            if let Some(t) = sn_date(resolved_at) {
                inc.resolved_at = Some(resolve_local(tz, t).timestamp());
            }
        }
        // the row's update
        let Some(updated) = sn_date(cols.get(&rec, "sys_updated_at")).map(|t| resolve_local(tz, t).timestamp()) else {
            skipped.push(Rejected { line, reason: format!("incident {}: `sys_updated_at` is missing or unreadable; row skipped", inc.number) });
            bad_rows += 1;
            continue;
        };
        let assignee_raw = cols.get(&rec, "assigned_to");
        let assignee = (!sn_missing(assignee_raw)).then(|| assignee_raw.trim().to_string());
        if let Some(a) = &assignee {
            if inc.last_assignee.as_ref().is_some_and(|l| l != a) {
                inc.reassigned = true;
            }
            inc.last_assignee = Some(a.clone());
        }
        let state = sn_state(cols.get(&rec, "incident_state"));
        let Some(cur) = inc.cycles.last_mut() else { continue };
        let t = updated.max(cur.open);
        if cur.resolve.is_none() {
            if cur.ack.is_none() {
                if let Some(a) = &assignee {
                    cur.ack = Some((t, sanitize_name(a), line));
                }
            }
            if state == SnState::Done {
                cur.resolve = Some((t, line));
            }
        } else if state == SnState::Live {
            let ack = assignee.as_ref().map(|a| (t, sanitize_name(a), line));
            inc.cycles.push(SnCycle { open: t, line, severity: sn_severity(cols.get(&rec, "priority")), ack, resolve: None });
        }
    }

    // events, incident by incident
    let mut out = Out::default();
    let (mut reopened, mut reassigned, mut never_assigned, mut never_resolved) = (0usize, 0usize, 0usize, 0usize);
    for inc in &mut incidents {
        // the last resolution: `resolved_at` wins when it fits
        if let (Some(ra), Some(last)) = (inc.resolved_at, inc.cycles.last_mut()) {
            if ra >= last.open {
                last.resolve = Some((ra, last.resolve.map_or(inc.line, |(_, l)| l)));
            }
        }
        if inc.cycles.iter().all(|c| c.ack.is_none()) {
            never_assigned += 1;
        }
        if inc.cycles.last().is_some_and(|c| c.resolve.is_none()) {
            never_resolved += 1;
        }
        reopened += inc.cycles.len().saturating_sub(1);
        reassigned += usize::from(inc.reassigned);
        let service = inc.category.as_deref().and_then(sanitize_name).unwrap_or_else(|| "servicenow".into());
        let parts: Vec<&str> = ["category", "subcategory", "symptom"].iter().filter_map(|k| inc.labels.get(*k).map(String::as_str)).collect();
        let summary = if parts.is_empty() { inc.number.clone() } else { format!("{} ({})", inc.number, parts.join(", ")) };
        for (k, cycle) in inc.cycles.iter().enumerate() {
            let id = if k == 0 { inc.number.clone() } else { format!("{}-reopen-{k}", inc.number) };
            let mut labels = inc.labels.clone();
            if k > 0 {
                labels.insert("reopened".into(), k.to_string());
            }
            out.push(
                cycle.open,
                EventKind::Alert(Box::new(AlertEvent {
                    id: id.clone(),
                    service: service.clone(),
                    severity: cycle.severity.clone(),
                    summary: Some(summary.clone()),
                    source: Some("servicenow".into()),
                    labels: labels.into(),
                    fingerprint: Some(inc.number.clone()),
                })),
                cycle.line,
            );
            if let Some((t, by, line)) = &cycle.ack {
                if cycle.resolve.is_none_or(|(r, _)| *t <= r) {
                    out.push(*t, EventKind::Ack { id: id.clone(), by: by.clone() }, *line);
                }
            }
            if let Some((t, line)) = cycle.resolve {
                out.push(t, EventKind::Resolve { id }, line);
            }
        }
    }
    let mut notices = vec![format!(
        "servicenow: {rows} rows, {} incidents; times have no offset and were read in the org time zone ({})",
        incidents.len(),
        tz.name()
    )];
    if reopened > 0 {
        notices.push(format!("servicenow: {reopened} reopenings became alerts `INC…-reopen-K`"));
    }
    if reassigned > 0 {
        notices.push(format!("servicenow: {reassigned} incidents were reassigned after their first assignment; only the first assignment is an ack"));
    }
    if never_assigned > 0 {
        notices.push(format!("servicenow: {never_assigned} incidents were never assigned (no ack)"));
    }
    if never_resolved > 0 {
        notices.push(format!("servicenow: {never_resolved} incidents were never resolved (no resolve)"));
    }
    if bad_rows > 0 || !bad_numbers.is_empty() {
        notices.push(format!("servicenow: {bad_rows} rows and {} incidents skipped", bad_numbers.len()));
    }
    Ok(Imported { events: finish(out.events), notices, skipped })
}

/// ServiceNow from a seekable source: a ZIP (its first `.csv` entry,
/// macOS resource forks skipped) or plain CSV.
fn servicenow_seekable<R: Read + Seek>(mut reader: R, tz: Tz) -> Result<Imported, ImportError> {
    let mut magic = [0u8; 4];
    let n = read_up_to(&mut reader, &mut magic).map_err(io_err)?;
    reader.seek(io::SeekFrom::Start(0)).map_err(io_err)?;
    if n < 4 || &magic != b"PK\x03\x04" {
        return servicenow(reader, tz);
    }
    let mut archive = zip::ZipArchive::new(reader).map_err(|e| fmt_err(format!("not a readable ZIP file: {e}")))?;
    let entry = archive.file_names_raw().position(|raw| {
        let name = String::from_utf8_lossy(raw).to_ascii_lowercase();
        let base = name.rsplit('/').next().unwrap_or("");
        name.ends_with(".csv") && !name.starts_with("__macosx/") && !base.starts_with("._")
    });
    let Some(i) = entry else {
        return Err(fmt_err("the ZIP file holds no `.csv` file"));
    };
    let file = archive.by_index(i).map_err(|e| fmt_err(format!("cannot read the CSV in the ZIP file: {e}")))?;
    servicenow(file, tz)
}

fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

// ---------------------------------------------------------------------------
// pagerduty

/// PagerDuty log entries (see the module docs).
pub fn pagerduty<R: Read>(reader: R) -> Result<Imported, ImportError> {
    let mut entries: Vec<(usize, Value)> = Vec::new();
    for doc in json_values(reader)? {
        let list = match doc {
            Value::Array(items) => items,
            Value::Object(mut m) => match m.remove("log_entries") {
                Some(Value::Array(items)) => items,
                Some(_) => return Err(fmt_err("`log_entries` must be a list")),
                None if m.contains_key("type") => vec![Value::Object(m)],
                None => return Err(fmt_err("expected PagerDuty log entries: `{\"log_entries\": [...]}` or a list of entries")),
            },
            _ => return Err(fmt_err("expected PagerDuty log entries: `{\"log_entries\": [...]}` or a list of entries")),
        };
        for e in list {
            entries.push((entries.len() + 1, e));
        }
    }
    let mut skipped = Vec::new();
    let mut parsed: Vec<(Instant, u8, usize, Value)> = Vec::new();
    for (n, e) in entries {
        let rank = match e.get("type").and_then(Value::as_str) {
            Some("trigger_log_entry") => 0,
            Some("acknowledge_log_entry") => 1,
            Some("resolve_log_entry") => 2,
            _ => continue,
        };
        let Some(at) = time_value(e.get("created_at")) else {
            skipped.push(Rejected { line: 0, reason: format!("log entry #{n}: `created_at` is missing or not RFC 3339") });
            continue;
        };
        parsed.push((at, rank, n, e));
    }
    parsed.sort_by_key(|(at, rank, n, _)| (*at, *rank, *n));

    #[derive(Default)]
    struct State {
        acked: bool,
        resolved: bool,
    }
    let mut incidents: HashMap<String, State> = HashMap::new();
    let mut out = Out::default();
    let mut orphans = 0usize;
    for (at, rank, n, e) in parsed {
        let incident = e.get("incident").unwrap_or(&Value::Null);
        let Some(id) = text(incident.get("id")).or_else(|| text(e.get("incident_id"))) else {
            skipped.push(Rejected { line: 0, reason: format!("log entry #{n}: no `incident.id`") });
            continue;
        };
        match rank {
            0 => {
                if incidents.contains_key(&id) {
                    continue;
                }
                incidents.insert(id.clone(), State::default());
                let service_name = text(path(&e, &["service", "summary"]))
                    .or_else(|| text(path(incident, &["service", "summary"])))
                    .or_else(|| text(path(&e, &["service", "name"])));
                let service = service_name.as_deref().and_then(sanitize_name).unwrap_or_else(|| "pagerduty".into());
                let mut labels = BTreeMap::new();
                if let Some(s) = &service_name {
                    labels.insert("pagerduty_service".to_string(), s.clone());
                }
                if let Some(u) = text(incident.get("urgency")) {
                    labels.insert("urgency".to_string(), u);
                }
                let severity = text(path(incident, &["priority", "summary"])).or_else(|| text(incident.get("urgency")));
                let summary = text(incident.get("summary"))
                    .or_else(|| text(incident.get("title")))
                    .or_else(|| text(path(&e, &["channel", "summary"])))
                    .or_else(|| text(e.get("summary")));
                let fingerprint = text(incident.get("incident_key")).or_else(|| text(path(&e, &["channel", "incident_key"])));
                out.push(
                    at,
                    EventKind::Alert(Box::new(AlertEvent {
                        id,
                        service,
                        severity,
                        summary,
                        source: text(path(&e, &["channel", "type"])),
                        labels: labels.into(),
                        fingerprint,
                    })),
                    0,
                );
            }
            1 => {
                let Some(st) = incidents.get_mut(&id) else {
                    orphans += 1;
                    continue;
                };
                if st.acked || st.resolved {
                    continue;
                }
                st.acked = true;
                let agent = e.get("agent").unwrap_or(&Value::Null);
                let is_user = matches!(agent.get("type").and_then(Value::as_str), Some("user_reference" | "user"));
                let by = if is_user {
                    text(agent.get("email")).or_else(|| text(agent.get("summary"))).or_else(|| text(agent.get("name"))).and_then(|s| sanitize_name(&s))
                } else {
                    None
                };
                out.push(at, EventKind::Ack { id, by }, 0);
            }
            _ => {
                let Some(st) = incidents.get_mut(&id) else {
                    orphans += 1;
                    continue;
                };
                if st.resolved {
                    continue;
                }
                st.resolved = true;
                out.push(at, EventKind::Resolve { id }, 0);
            }
        }
    }
    let mut notices = vec![format!("pagerduty: {} incidents", incidents.len())];
    if orphans > 0 {
        notices.push(format!("pagerduty: {orphans} acknowledgements or resolutions of incidents whose trigger is not in the input were skipped"));
    }
    Ok(Imported { events: finish(out.events), notices, skipped })
}

// ---------------------------------------------------------------------------
// alertmanager

/// FNV-1a 64 of the sorted labels, for alerts without a fingerprint.
fn labels_hash(labels: &BTreeMap<String, String>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (k, v) in labels {
        for b in k.bytes().chain([0xff]).chain(v.bytes()).chain([0xfe]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn string_map(v: Option<&Value>) -> BTreeMap<String, String> {
    match v {
        Some(Value::Object(m)) => m.iter().filter_map(|(k, v)| text(Some(v)).map(|t| (k.clone(), t))).collect(),
        _ => BTreeMap::new(),
    }
}

#[derive(Default)]
struct AmState {
    seen: HashMap<String, bool>, // id → resolved
    out: Out,
    skipped: Vec<Rejected>,
    no_service: usize,
}

impl AmState {
    fn payload(&mut self, p: &Value, line: usize) {
        let Some(alerts) = p.get("alerts").and_then(Value::as_array) else {
            self.skipped.push(Rejected { line, reason: "not an Alertmanager webhook payload (no `alerts` list)".into() });
            return;
        };
        let group_status = p.get("status").and_then(Value::as_str).unwrap_or("firing");
        for (i, a) in alerts.iter().enumerate() {
            let status = a.get("status").and_then(Value::as_str).unwrap_or(group_status);
            let Some(starts) = time_value(a.get("startsAt")) else {
                self.skipped.push(Rejected { line, reason: format!("alert #{}: `startsAt` is missing or not RFC 3339", i + 1) });
                continue;
            };
            let labels = string_map(a.get("labels"));
            let fp = text(a.get("fingerprint")).unwrap_or_else(|| labels_hash(&labels));
            let stamp = Utc.timestamp_opt(starts, 0).single().map_or_else(|| starts.to_string(), |t| t.format("%Y%m%dT%H%M%SZ").to_string());
            let id = format!("{fp}-{stamp}");
            let resolved = status == "resolved";
            match self.seen.get(&id) {
                Some(true) => continue,
                Some(false) if !resolved => continue,
                Some(false) => {}
                None => {
                    let annotations = string_map(a.get("annotations"));
                    let service = labels.get("service").or_else(|| labels.get("job")).and_then(|s| sanitize_name(s));
                    if service.is_none() {
                        self.no_service += 1;
                    }
                    let summary = annotations.get("summary").or_else(|| annotations.get("description")).or_else(|| labels.get("alertname")).cloned();
                    self.out.push(
                        starts,
                        EventKind::Alert(Box::new(AlertEvent {
                            id: id.clone(),
                            service: service.unwrap_or_else(|| "alertmanager".into()),
                            severity: labels.get("severity").cloned(),
                            summary,
                            source: Some("alertmanager".into()),
                            labels: labels.into(),
                            fingerprint: Some(fp),
                        })),
                        line,
                    );
                }
            }
            if resolved {
                let ends = time_value(a.get("endsAt")).filter(|t| *t >= starts).unwrap_or(starts);
                self.out.push(ends, EventKind::Resolve { id: id.clone() }, line);
            }
            self.seen.insert(id, resolved);
        }
    }
}

/// Alertmanager webhook payloads, one per line (see the module docs).
pub fn alertmanager<R: BufRead>(mut reader: R) -> Result<Imported, ImportError> {
    let mut st = AmState::default();
    // a JSON array or a pretty-printed payload: read as JSON documents
    let first = loop {
        let buf = reader.fill_buf().map_err(io_err)?;
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                let b = buf[i];
                let line_rest: Vec<u8> = buf[i..].iter().take_while(|&&c| c != b'\n').copied().collect();
                break Some((b, String::from_utf8_lossy(&line_rest).trim().to_string()));
            }
            None if buf.is_empty() => break None,
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    };
    if let Some((b, first_line)) = first {
        if b == b'[' || first_line == "{" {
            for doc in json_values(reader)? {
                match doc {
                    Value::Array(items) => items.iter().for_each(|p| st.payload(p, 0)),
                    p => st.payload(&p, 0),
                }
            }
            return Ok(am_finish(st));
        }
    }
    let mut line_no = 0usize;
    let mut buf = Vec::new();
    loop {
        buf.clear();
        let n = reader.read_until(b'\n', &mut buf).map_err(io_err)?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = String::from_utf8_lossy(&buf);
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        match serde_json::from_str::<Value>(text) {
            Ok(p) => st.payload(&p, line_no),
            Err(e) => st.skipped.push(Rejected { line: line_no, reason: format!("not a JSON payload: {e}") }),
        }
    }
    Ok(am_finish(st))
}

fn am_finish(st: AmState) -> Imported {
    let mut notices = vec![format!("alertmanager: {} alerts", st.seen.len())];
    if st.no_service > 0 {
        notices.push(format!("alertmanager: {} alerts have neither a `service` nor a `job` label; their service is `alertmanager`", st.no_service));
    }
    Imported { events: finish(st.out.events), notices, skipped: st.skipped }
}

// ---------------------------------------------------------------------------
// opsgenie

/// Opsgenie alerts (see the module docs).
pub fn opsgenie<R: Read>(reader: R) -> Result<Imported, ImportError> {
    let mut alerts = Vec::new();
    for doc in json_values(reader)? {
        match doc {
            Value::Array(items) => alerts.extend(items),
            Value::Object(mut m) => match m.remove("data") {
                Some(Value::Array(items)) => alerts.extend(items),
                Some(Value::Object(one)) => alerts.push(Value::Object(one)),
                Some(_) => return Err(fmt_err("`data` must be a list of alerts")),
                None => alerts.push(Value::Object(m)),
            },
            _ => return Err(fmt_err("expected Opsgenie alerts: a list, `{\"data\": [...]}` or one alert per line")),
        }
    }
    let mut out = Out::default();
    let mut skipped = Vec::new();
    let (mut ack_without_time, mut close_from_update, mut count) = (0usize, 0usize, 0usize);
    for (n, a) in alerts.iter().enumerate() {
        let n = n + 1;
        let Some(id) = text(a.get("id")).or_else(|| text(a.get("tinyId"))).or_else(|| text(a.get("alias"))) else {
            skipped.push(Rejected { line: 0, reason: format!("alert #{n}: no `id`, `tinyId` or `alias`") });
            continue;
        };
        let Some(created) = time_value(a.get("createdAt")) else {
            skipped.push(Rejected { line: 0, reason: format!("alert #{n} ({id}): `createdAt` is missing or unreadable") });
            continue;
        };
        let created_ms = match a.get("createdAt") {
            Some(Value::Number(v)) => v.as_i64().unwrap_or(created.saturating_mul(1000)),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s.trim()).map_or(created.saturating_mul(1000), |t| t.timestamp_millis()),
            _ => created.saturating_mul(1000),
        };
        count += 1;
        // labels: tags first, details win
        let mut labels = BTreeMap::new();
        let mut tag_service = None;
        if let Some(tags) = a.get("tags").and_then(Value::as_array) {
            for t in tags.iter().filter_map(Value::as_str) {
                let t = t.trim();
                match t.split_once(':').or_else(|| t.split_once('=')) {
                    Some((k, v)) if !k.trim().is_empty() => {
                        let (k, v) = (k.trim(), v.trim());
                        if k == "service" && tag_service.is_none() {
                            tag_service = Some(v.to_string());
                        }
                        labels.insert(k.to_string(), v.to_string());
                    }
                    _ if !t.is_empty() => {
                        labels.insert(t.to_string(), "true".to_string());
                    }
                    _ => {}
                }
            }
        }
        let details = string_map(a.get("details"));
        let service = details
            .get("service")
            .cloned()
            .or(tag_service)
            .or_else(|| text(a.get("entity")))
            .and_then(|s| sanitize_name(&s))
            .unwrap_or_else(|| "opsgenie".into());
        labels.extend(details);
        let report = a.get("report").unwrap_or(&Value::Null);
        let at_ms = |ms: i64| created_ms.saturating_add(ms).div_euclid(1000);
        let close = time_value(a.get("closedAt"))
            .or_else(|| millis(report.get("closeTime")).or_else(|| millis(a.get("closeTime"))).map(at_ms))
            .or_else(|| {
                let closed = a.get("status").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("closed"));
                let t = if closed { time_value(a.get("updatedAt")) } else { None };
                if t.is_some() {
                    close_from_update += 1;
                }
                t
            })
            .map(|t| t.max(created));
        let ack_at = millis(report.get("ackTime"))
            .or_else(|| millis(a.get("ackTime")))
            .map(at_ms)
            .or_else(|| time_value(a.get("acknowledgedAt")))
            .map(|t| t.max(created));
        let acknowledged = a.get("acknowledged").and_then(Value::as_bool).unwrap_or(false);
        if acknowledged && ack_at.is_none() {
            ack_without_time += 1;
        }
        out.push(
            created,
            EventKind::Alert(Box::new(AlertEvent {
                id: id.clone(),
                service,
                severity: text(a.get("priority")),
                summary: text(a.get("message")),
                source: text(a.get("source")),
                labels: labels.into(),
                fingerprint: text(a.get("alias")),
            })),
            0,
        );
        if let Some(t) = ack_at {
            if close.is_none_or(|c| t <= c) {
                let by = text(report.get("acknowledgedBy")).or_else(|| text(a.get("owner"))).and_then(|s| sanitize_name(&s));
                out.push(t, EventKind::Ack { id: id.clone(), by }, 0);
            }
        }
        if let Some(t) = close {
            out.push(t, EventKind::Resolve { id }, 0);
        }
    }
    let mut notices = vec![format!("opsgenie: {count} alerts")];
    if ack_without_time > 0 {
        notices.push(format!("opsgenie: {ack_without_time} acknowledged alerts have no ack time (`report.ackTime`); no ack was recorded for them"));
    }
    if close_from_update > 0 {
        notices.push(format!("opsgenie: {close_from_update} closed alerts have no close time; `updatedAt` was used"));
    }
    Ok(Imported { events: finish(out.events), notices, skipped })
}

// ---------------------------------------------------------------------------
// writing a JSON Lines timeline

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

fn fmt_at(at: Instant) -> io::Result<String> {
    Utc.timestamp_opt(at, 0)
        .single()
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, format!("instant {at} is out of range")))
}

/// One event as a JSON Lines timeline line (without the newline). Keys in
/// a fixed order: `at`, the kind, then `service`, `severity`, `summary`,
/// `source`, `labels` (sorted), `fingerprint`, or `by`; absent fields are
/// left out.
pub fn event_json_line(e: &Event) -> io::Result<String> {
    let mut s = format!("{{\"at\":\"{}\"", fmt_at(e.at)?);
    match &e.kind {
        EventKind::Alert(a) => {
            s.push_str(&format!(",\"alert\":{},\"service\":{}", json_str(&a.id), json_str(&a.service)));
            for (k, v) in [("severity", &a.severity), ("summary", &a.summary), ("source", &a.source)] {
                if let Some(v) = v {
                    s.push_str(&format!(",\"{k}\":{}", json_str(v)));
                }
            }
            if !a.labels.is_empty() {
                let parts: Vec<String> = a.labels.iter().map(|(k, v)| format!("{}:{}", json_str(k), json_str(v))).collect();
                s.push_str(&format!(",\"labels\":{{{}}}", parts.join(",")));
            }
            if let Some(f) = &a.fingerprint {
                s.push_str(&format!(",\"fingerprint\":{}", json_str(f)));
            }
        }
        EventKind::Ack { id, by } => {
            s.push_str(&format!(",\"ack\":{}", json_str(id)));
            if let Some(b) = by {
                s.push_str(&format!(",\"by\":{}", json_str(b)));
            }
        }
        EventKind::Resolve { id } => s.push_str(&format!(",\"resolve\":{}", json_str(id))),
    }
    s.push('}');
    Ok(s)
}

/// Write events as a JSON Lines timeline (`escalade import … -o OUT.jsonl`),
/// in the order given.
pub fn write_jsonl<'a, W: Write>(events: impl IntoIterator<Item = &'a Event>, writer: W) -> io::Result<()> {
    let mut w = io::BufWriter::new(writer);
    for e in events {
        w.write_all(event_json_line(e)?.as_bytes())?;
        w.write_all(b"\n")?;
    }
    w.flush()
}

// ---------------------------------------------------------------------------
// tests

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::timeline::{Format, Timeline};
    use std::io::Cursor;

    fn ts(s: &str) -> Instant {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp()
    }

    fn lines(events: &[Event]) -> Vec<String> {
        events.iter().map(|e| event_json_line(e).unwrap()).collect()
    }

    /// the events read back through the JSON Lines timeline reader equal
    /// the imported ones
    fn round_trip(events: &[Event]) {
        let mut buf = Vec::new();
        write_jsonl(events, &mut buf).unwrap();
        let tl = Timeline::from_reader(Cursor::new(buf), Format::JsonLines, chrono_tz::UTC, 0, "rt").unwrap();
        let back: Vec<Event> = tl.map(|r| r.unwrap()).collect();
        let strip = |v: &[Event]| v.iter().map(|e| (e.at, e.kind.clone())).collect::<Vec<_>>();
        assert_eq!(strip(&back), strip(events));
    }

    #[test]
    fn kinds_by_name() {
        for k in ImportKind::ALL {
            assert_eq!(k.name().parse::<ImportKind>().unwrap(), k);
        }
        assert!("splunk".parse::<ImportKind>().is_err());
    }

    #[test]
    fn sanitize() {
        assert_eq!(sanitize_name("Resolver 89").as_deref(), Some("resolver-89"));
        assert_eq!(sanitize_name("Jane.Doe@example.com").as_deref(), Some("jane-doe"));
        assert_eq!(sanitize_name("  Payments API (prod) ").as_deref(), Some("payments-api-prod"));
        assert_eq!(sanitize_name("42 ops").as_deref(), Some("x-42-ops"));
        assert_eq!(sanitize_name("snake_case").as_deref(), Some("snake_case"));
        assert_eq!(sanitize_name("Zoë").as_deref(), Some("zo"));
        assert_eq!(sanitize_name("--").as_deref(), None);
    }

    const SN_HEADER: &str = "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,caused_by,closed_code,resolved_by,resolved_at,closed_at";

    #[allow(clippy::too_many_arguments)]
    fn sn_row(number: &str, state: &str, reopen: u32, opened: &str, updated: &str, category: &str, priority: &str, group: &str, assigned: &str, resolved_at: &str) -> String {
        format!("{number},{state},true,0,{reopen},0,true,Caller 1,Opened by 1,{opened},Created by 1,?,Updated by 1,{updated},Phone,Location 1,{category},Subcategory 2,Symptom 3,?,2 - Medium,2 - Medium,{priority},{group},{assigned},true,false,Do Not Notify,?,?,?,?,code 5,Resolved by 1,{resolved_at},?")
    }

    #[test]
    fn servicenow_mapping_and_quirks() {
        let rows = [
            // INC1: unassigned first, assigned later, resolved, closed; resolved_at wins
            sn_row("INC1", "New", 0, "29/2/2016 01:16", "29/2/2016 01:23", "Category 55", "1 - Critical", "?", "?", "29/2/2016 11:29"),
            sn_row("INC1", "Active", 0, "29/2/2016 01:16", "29/2/2016 02:00", "Category 55", "1 - Critical", "Group 56", "Resolver 7", "29/2/2016 11:29"),
            sn_row("INC1", "Resolved", 0, "29/2/2016 01:16", "29/2/2016 08:53", "Category 55", "1 - Critical", "Group 56", "Resolver 8", "29/2/2016 11:29"),
            sn_row("INC1", "Closed", 0, "29/2/2016 01:16", "5/3/2016 12:00", "Category 55", "1 - Critical", "Group 56", "Resolver 8", "29/2/2016 11:29"),
            // INC2: a row before opening (clamped), reopened twice, never assigned at first
            sn_row("INC2", "New", 0, "1/3/2016 13:03", "1/3/2016 12:00", "?", "3 - Moderate", "?", "?", "10/3/2016 15:36"),
            sn_row("INC2", "Resolved", 0, "1/3/2016 13:03", "3/3/2016 08:36", "?", "3 - Moderate", "?", "?", "10/3/2016 15:36"),
            sn_row("INC2", "Active", 1, "1/3/2016 13:03", "4/3/2016 12:42", "?", "2 - High", "?", "Resolver 198", "10/3/2016 15:36"),
            sn_row("INC2", "Resolved", 1, "1/3/2016 13:03", "10/3/2016 12:16", "?", "2 - High", "?", "Resolver 198", "10/3/2016 15:36"),
            sn_row("INC2", "-100", 1, "1/3/2016 13:03", "10/3/2016 12:20", "?", "2 - High", "?", "Resolver 198", "10/3/2016 15:36"),
            sn_row("INC2", "Awaiting User Info", 2, "1/3/2016 13:03", "10/3/2016 12:47", "?", "2 - High", "?", "?", "10/3/2016 15:36"),
            sn_row("INC2", "Resolved", 2, "1/3/2016 13:03", "10/3/2016 15:30", "?", "2 - High", "?", "?", "10/3/2016 15:36"),
            // INC3: no opened_at → skipped
            sn_row("INC3", "New", 0, "?", "1/3/2016 12:00", "Category 1", "4 - Low", "?", "?", "?"),
            // INC4: never resolved, bad update row
            sn_row("INC4", "Active", 0, "2/3/2016 09:00", "2/3/2016 09:05", "Category 1", "4 - Low", "?", "Resolver 1", "?"),
            sn_row("INC4", "Active", 0, "2/3/2016 09:00", "32/3/2016 09:05", "Category 1", "4 - Low", "?", "Resolver 2", "?"),
            "INC5,broken".to_string(),
        ];
        let csv = format!("{SN_HEADER}\n{}\n", rows.join("\n"));
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let imp = servicenow(csv.as_bytes(), chrono_tz::UTC).unwrap();
        let got = lines(&imp.events);
        let want = [
            r#"{"at":"2016-02-29T01:16:00Z","alert":"INC1","service":"category-55","severity":"P1","summary":"INC1 (Category 55, Subcategory 2, Symptom 3)","source":"servicenow","labels":{"assignment_group":"Group 56","category":"Category 55","contact_type":"Phone","impact":"2 - Medium","location":"Location 1","subcategory":"Subcategory 2","symptom":"Symptom 3","urgency":"2 - Medium"},"fingerprint":"INC1"}"#,
            r#"{"at":"2016-02-29T02:00:00Z","ack":"INC1","by":"resolver-7"}"#,
            r#"{"at":"2016-02-29T11:29:00Z","resolve":"INC1"}"#,
            r#"{"at":"2016-03-01T13:03:00Z","alert":"INC2","service":"servicenow","severity":"P3","summary":"INC2 (Subcategory 2, Symptom 3)","source":"servicenow","labels":{"contact_type":"Phone","impact":"2 - Medium","location":"Location 1","subcategory":"Subcategory 2","symptom":"Symptom 3","urgency":"2 - Medium"},"fingerprint":"INC2"}"#,
            r#"{"at":"2016-03-02T09:00:00Z","alert":"INC4","service":"category-1","severity":"P4","summary":"INC4 (Category 1, Subcategory 2, Symptom 3)","source":"servicenow","labels":{"category":"Category 1","contact_type":"Phone","impact":"2 - Medium","location":"Location 1","subcategory":"Subcategory 2","symptom":"Symptom 3","urgency":"2 - Medium"},"fingerprint":"INC4"}"#,
            r#"{"at":"2016-03-02T09:05:00Z","ack":"INC4","by":"resolver-1"}"#,
            r#"{"at":"2016-03-03T08:36:00Z","resolve":"INC2"}"#,
            r#"{"at":"2016-03-04T12:42:00Z","alert":"INC2-reopen-1","service":"servicenow","severity":"P2","summary":"INC2 (Subcategory 2, Symptom 3)","source":"servicenow","labels":{"contact_type":"Phone","impact":"2 - Medium","location":"Location 1","reopened":"1","subcategory":"Subcategory 2","symptom":"Symptom 3","urgency":"2 - Medium"},"fingerprint":"INC2"}"#,
            r#"{"at":"2016-03-04T12:42:00Z","ack":"INC2-reopen-1","by":"resolver-198"}"#,
            r#"{"at":"2016-03-10T12:16:00Z","resolve":"INC2-reopen-1"}"#,
            r#"{"at":"2016-03-10T12:47:00Z","alert":"INC2-reopen-2","service":"servicenow","severity":"P2","summary":"INC2 (Subcategory 2, Symptom 3)","source":"servicenow","labels":{"contact_type":"Phone","impact":"2 - Medium","location":"Location 1","reopened":"2","subcategory":"Subcategory 2","symptom":"Symptom 3","urgency":"2 - Medium"},"fingerprint":"INC2"}"#,
            r#"{"at":"2016-03-10T15:36:00Z","resolve":"INC2-reopen-2"}"#,
        ];
        assert_eq!(got, want, "\n{}", got.join("\n"));
        let reasons: Vec<&str> = imp.skipped.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(imp.skipped.iter().map(|r| r.line).collect::<Vec<_>>(), vec![13, 15, 16], "{reasons:?}");
        assert!(reasons[0].contains("INC3") && reasons[0].contains("opened_at"));
        assert!(reasons[1].contains("sys_updated_at"));
        assert!(reasons[2].contains("INC5")); // a short row: its `opened_at` is missing
        assert!(imp.notices.iter().any(|n| n.contains("2 reopenings")), "{:?}", imp.notices);
        assert!(imp.notices.iter().any(|n| n.contains("1 incidents were reassigned")), "{:?}", imp.notices);
        assert!(imp.notices.iter().any(|n| n.contains("1 incidents were never resolved")), "{:?}", imp.notices);
        round_trip(&imp.events);
        // the org tz applies to the zone-less dates
        let imp_b = servicenow(csv.as_bytes(), berlin).unwrap();
        assert_eq!(imp_b.events[0].at, ts("2016-02-29T00:16:00Z"));
        // not a ServiceNow log
        assert!(matches!(servicenow("a,b\n1,2\n".as_bytes(), chrono_tz::UTC), Err(ImportError::Format { .. })));
    }

    #[test]
    fn servicenow_dates() {
        let d = |s| sn_date(s).map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string());
        assert_eq!(d("29/2/2016 01:16").as_deref(), Some("2016-02-29 01:16:00"));
        assert_eq!(d("5/3/2016 9:05").as_deref(), Some("2016-03-05 09:05:00"));
        assert_eq!(d("2016-03-05 09:05:07").as_deref(), Some("2016-03-05 09:05:07"));
        assert_eq!(d("29/2/2017 01:16"), None);
        assert_eq!(d("?"), None);
        assert_eq!(d("1/2/3/4 1:1"), None);
        assert_eq!(d("1/2/2016 25:00"), None);
    }

    #[test]
    fn servicenow_zip_from_reader_and_file() {
        let csv = format!("{SN_HEADER}\n{}\n", sn_row("INC9", "Resolved", 0, "1/3/2016 10:00", "1/3/2016 10:30", "Category 1", "2 - High", "?", "Resolver 1", "?"));
        let mut zbytes = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut zbytes));
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            w.start_file("__MACOSX/._log.csv", opts).unwrap();
            w.write_all(b"\0\x05junk").unwrap();
            w.start_file("log.csv", opts).unwrap();
            w.write_all(csv.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        let from_reader = import_reader(ImportKind::ServiceNow, Cursor::new(zbytes.clone()), chrono_tz::UTC).unwrap();
        assert_eq!(lines(&from_reader.events).len(), 3);
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv.zip");
        std::fs::write(&p, &zbytes).unwrap();
        let from_file = import_path(ImportKind::ServiceNow, &p, chrono_tz::UTC).unwrap();
        assert_eq!(lines(&from_file.events), lines(&from_reader.events));
        let p2 = dir.path().join("x.csv");
        std::fs::write(&p2, &csv).unwrap();
        let plain = import_path(ImportKind::ServiceNow, &p2, chrono_tz::UTC).unwrap();
        assert_eq!(lines(&plain.events), lines(&from_reader.events));
        // a ZIP without a CSV
        let mut empty = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut empty));
            w.start_file("readme.txt", zip::write::SimpleFileOptions::default()).unwrap();
            w.finish().unwrap();
        }
        assert!(matches!(import_reader(ImportKind::ServiceNow, Cursor::new(empty), chrono_tz::UTC), Err(ImportError::Format { .. })));
        let e = import_path(ImportKind::ServiceNow, &dir.path().join("missing.zip"), chrono_tz::UTC).unwrap_err();
        assert!(e.to_string().contains("missing.zip"));
    }

    /// The real UCI event log, when ../shared/data is there.
    #[test]
    fn servicenow_uci_data_set() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/servicenow-uci/incident_event_log.csv.zip");
        if !p.exists() {
            eprintln!("skipped: {} is absent", p.display());
            return;
        }
        let start = std::time::Instant::now();
        let imp = import_path(ImportKind::ServiceNow, &p, chrono_tz::UTC).unwrap();
        let took = start.elapsed();
        let mut alerts = 0;
        let mut originals = 0;
        let (mut acks, mut resolves) = (0, 0);
        for e in &imp.events {
            match &e.kind {
                EventKind::Alert(a) => {
                    alerts += 1;
                    originals += usize::from(!a.id.contains("-reopen-"));
                }
                EventKind::Ack { .. } => acks += 1,
                EventKind::Resolve { .. } => resolves += 1,
            }
        }
        eprintln!(
            "UCI ServiceNow log: {} events ({alerts} alerts, {originals} incidents, {acks} acks, {resolves} resolves), {} skipped, in {took:.2?}",
            imp.events.len(),
            imp.skipped.len()
        );
        for n in &imp.notices {
            eprintln!("  notice: {n}");
        }
        assert_eq!(originals, 24_918);
        assert!(alerts > originals && alerts < originals + 1_000, "{alerts} alerts");
        assert!(acks > 23_000 && resolves > 24_000, "{acks} acks, {resolves} resolves");
        assert!(imp.events.windows(2).all(|w| (w[0].at, w[0].seq) < (w[1].at, w[1].seq)));
        // the output reads back as a timeline
        round_trip(&imp.events);
    }

    #[test]
    fn pagerduty_log_entries() {
        // newest first, as the API lists them
        let doc = r#"{"log_entries": [
          {"id":"R5","type":"resolve_log_entry","created_at":"2026-07-01T03:00:00Z","incident":{"id":"PINC1","type":"incident_reference"},"agent":{"type":"user_reference","summary":"Bob Jones"}},
          {"id":"R4","type":"notify_log_entry","created_at":"2026-07-01T02:20:00Z","incident":{"id":"PINC1"}},
          {"id":"R3","type":"acknowledge_log_entry","created_at":"2026-07-01T02:19:30.5Z","incident":{"id":"PINC1"},"agent":{"type":"user_reference","summary":"Bob Jones","email":"bob@example.com"}},
          {"id":"R3b","type":"acknowledge_log_entry","created_at":"2026-07-01T02:25:00Z","incident":{"id":"PINC1"},"agent":{"type":"user_reference","summary":"Carol"}},
          {"id":"R2","type":"trigger_log_entry","created_at":"2026-07-01T02:14:00Z","incident":{"id":"PINC1","summary":"[#12] checkout 500s","urgency":"high","priority":{"summary":"P1"},"incident_key":"pay-500"},"service":{"id":"PS1","summary":"Payments API"},"channel":{"type":"api"}},
          {"id":"R6","type":"trigger_log_entry","created_at":"2026-07-01T04:00:00Z","incident":{"id":"PINC2","summary":"disk"},"service":{"summary":"Storage"}},
          {"id":"R7","type":"acknowledge_log_entry","created_at":"2026-07-01T04:01:00Z","incident":{"id":"PINC2"},"agent":{"type":"integration_reference","summary":"Datadog"}},
          {"id":"R8","type":"acknowledge_log_entry","created_at":"2026-07-01T05:00:00Z","incident":{"id":"PGONE"},"agent":{"type":"user_reference","summary":"X"}},
          {"id":"R9","type":"trigger_log_entry","created_at":"yesterday","incident":{"id":"PINC3"}}
        ]}"#;
        let imp = pagerduty(doc.as_bytes()).unwrap();
        let got = lines(&imp.events);
        let want = [
            r#"{"at":"2026-07-01T02:14:00Z","alert":"PINC1","service":"payments-api","severity":"P1","summary":"[#12] checkout 500s","source":"api","labels":{"pagerduty_service":"Payments API","urgency":"high"},"fingerprint":"pay-500"}"#,
            r#"{"at":"2026-07-01T02:19:30Z","ack":"PINC1","by":"bob"}"#,
            r#"{"at":"2026-07-01T03:00:00Z","resolve":"PINC1"}"#,
            r#"{"at":"2026-07-01T04:00:00Z","alert":"PINC2","service":"storage","summary":"disk","labels":{"pagerduty_service":"Storage"}}"#,
            r#"{"at":"2026-07-01T04:01:00Z","ack":"PINC2"}"#,
        ];
        assert_eq!(got, want, "\n{}", got.join("\n"));
        assert_eq!(imp.skipped.len(), 1);
        assert!(imp.notices.iter().any(|n| n.contains("1 acknowledgements or resolutions")));
        round_trip(&imp.events);
        // pages one after another, and a bare list
        let pages = "{\"log_entries\":[{\"type\":\"trigger_log_entry\",\"created_at\":\"2026-07-01T02:14:00Z\",\"incident\":{\"id\":\"A\"}}]}\n[{\"type\":\"resolve_log_entry\",\"created_at\":\"2026-07-01T02:15:00Z\",\"incident\":{\"id\":\"A\"}}]\n";
        let imp = pagerduty(pages.as_bytes()).unwrap();
        assert_eq!(imp.events.len(), 2);
        assert!(matches!(pagerduty("{\"log_entries\": [".as_bytes()), Err(ImportError::Syntax { .. })));
        assert!(matches!(pagerduty("{\"other\": 1}".as_bytes()), Err(ImportError::Format { .. })));
    }

    #[test]
    fn alertmanager_webhooks() {
        let payloads = [
            r#"{"version":"4","status":"firing","receiver":"r","alerts":[{"status":"firing","labels":{"alertname":"HighErrors","service":"payments-api","severity":"critical","region":"eu"},"annotations":{"summary":"checkout 500s"},"startsAt":"2026-07-01T02:14:00.123456789Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc123"}]}"#,
            r#"{"version":"4","status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrors","service":"payments-api","severity":"critical","region":"eu"},"annotations":{"summary":"checkout 500s"},"startsAt":"2026-07-01T02:14:00.123456789Z","endsAt":"0001-01-01T00:00:00Z","fingerprint":"abc123"},{"status":"firing","labels":{"alertname":"Disk","job":"Node Exporter"},"annotations":{"description":"disk full"},"startsAt":"2026-07-01T02:20:00Z","fingerprint":"def456"}]}"#,
            "garbage",
            r#"{"version":"4","status":"resolved","alerts":[{"status":"resolved","labels":{"alertname":"HighErrors","service":"payments-api","severity":"critical","region":"eu"},"startsAt":"2026-07-01T02:14:00.123456789Z","endsAt":"2026-07-01T03:00:00Z","fingerprint":"abc123"}]}"#,
            r#"{"version":"4","status":"resolved","alerts":[{"labels":{"alertname":"Lonely"},"startsAt":"2026-07-01T01:00:00Z","endsAt":"2026-07-01T01:30:00Z"}]}"#,
            "",
        ];
        let imp = alertmanager(payloads.join("\n").as_bytes()).unwrap();
        let got = lines(&imp.events);
        let lonely_fp = labels_hash(&[("alertname".to_string(), "Lonely".to_string())].into_iter().collect());
        let want = [
            format!(r#"{{"at":"2026-07-01T01:00:00Z","alert":"{lonely_fp}-20260701T010000Z","service":"alertmanager","summary":"Lonely","source":"alertmanager","labels":{{"alertname":"Lonely"}},"fingerprint":"{lonely_fp}"}}"#),
            format!(r#"{{"at":"2026-07-01T01:30:00Z","resolve":"{lonely_fp}-20260701T010000Z"}}"#),
            r#"{"at":"2026-07-01T02:14:00Z","alert":"abc123-20260701T021400Z","service":"payments-api","severity":"critical","summary":"checkout 500s","source":"alertmanager","labels":{"alertname":"HighErrors","region":"eu","service":"payments-api","severity":"critical"},"fingerprint":"abc123"}"#.to_string(),
            r#"{"at":"2026-07-01T02:20:00Z","alert":"def456-20260701T022000Z","service":"node-exporter","summary":"disk full","source":"alertmanager","labels":{"alertname":"Disk","job":"Node Exporter"},"fingerprint":"def456"}"#.to_string(),
            r#"{"at":"2026-07-01T03:00:00Z","resolve":"abc123-20260701T021400Z"}"#.to_string(),
        ];
        assert_eq!(got, want, "\n{}", got.join("\n"));
        assert_eq!(imp.skipped.iter().map(|r| r.line).collect::<Vec<_>>(), vec![3]);
        round_trip(&imp.events);
        // a JSON array of payloads, and a pretty-printed payload
        let arr = format!("[{}, {}]", payloads[0], payloads[3]);
        assert_eq!(alertmanager(arr.as_bytes()).unwrap().events.len(), 2);
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(payloads[0]).unwrap()).unwrap();
        assert_eq!(alertmanager(pretty.as_bytes()).unwrap().events.len(), 1);
        assert!(alertmanager("".as_bytes()).unwrap().events.is_empty());
    }

    #[test]
    fn opsgenie_alerts() {
        let doc = r#"[
          {"id":"a-1","tinyId":"7","alias":"pay-500","message":"checkout 500s","status":"closed","acknowledged":true,
           "tags":["service:payments-api","region=eu","critical"],"createdAt":"2026-07-01T02:14:00.250Z","updatedAt":"2026-07-01T03:10:00Z",
           "source":"Datadog","owner":"carol@example.com","priority":"P1","details":{"region":"us-east","code":500},
           "report":{"ackTime":300000,"closeTime":2760000,"acknowledgedBy":"Bob.Smith@example.com","closedBy":"bob@example.com"}},
          {"tinyId":"8","message":"disk","status":"closed","acknowledged":true,"createdAt":1782871200000,"updatedAt":"2026-07-01T02:30:00Z","priority":"P3","entity":"db-01"},
          {"id":"a-3","message":"late ack","status":"closed","createdAt":"2026-07-01T05:00:00Z","ackTime":7200000,"closedAt":"2026-07-01T05:30:00Z"},
          {"message":"no id","createdAt":"2026-07-01T05:00:00Z"}
        ]"#;
        let imp = opsgenie(doc.as_bytes()).unwrap();
        let got = lines(&imp.events);
        let want = [
            r#"{"at":"2026-07-01T02:00:00Z","alert":"8","service":"db-01","severity":"P3","summary":"disk"}"#,
            r#"{"at":"2026-07-01T02:14:00Z","alert":"a-1","service":"payments-api","severity":"P1","summary":"checkout 500s","source":"Datadog","labels":{"code":"500","critical":"true","region":"us-east","service":"payments-api"},"fingerprint":"pay-500"}"#,
            r#"{"at":"2026-07-01T02:19:00Z","ack":"a-1","by":"bob-smith"}"#,
            r#"{"at":"2026-07-01T02:30:00Z","resolve":"8"}"#,
            r#"{"at":"2026-07-01T03:00:00Z","resolve":"a-1"}"#,
            r#"{"at":"2026-07-01T05:00:00Z","alert":"a-3","service":"opsgenie","summary":"late ack"}"#,
            r#"{"at":"2026-07-01T05:30:00Z","resolve":"a-3"}"#,
        ];
        assert_eq!(got, want, "\n{}", got.join("\n"));
        assert_eq!(imp.skipped.len(), 1);
        assert!(imp.notices.iter().any(|n| n.contains("1 acknowledged alerts have no ack time")), "{:?}", imp.notices);
        assert!(imp.notices.iter().any(|n| n.contains("`updatedAt` was used")), "{:?}", imp.notices);
        round_trip(&imp.events);
        // the List Alerts response shape and JSON Lines
        let data = r#"{"data":[{"id":"x","createdAt":"2026-07-01T02:14:00Z"}],"took":0.1}
{"id":"y","createdAt":"2026-07-01T02:15:00Z"}"#;
        assert_eq!(opsgenie(data.as_bytes()).unwrap().events.len(), 2);
        assert!(matches!(opsgenie("5".as_bytes()), Err(ImportError::Format { .. })));
    }

    #[test]
    fn jsonl_writer_escapes_and_orders_keys() {
        let e = Event {
            at: ts("2026-07-01T02:14:00Z"),
            kind: EventKind::Alert(Box::new(AlertEvent {
                id: "A\"1".into(),
                service: "s".into(),
                severity: None,
                summary: Some("line\nbreak ✓".into()),
                source: None,
                labels: [("b".to_string(), "2".to_string()), ("a".to_string(), "1".to_string())].into_iter().collect(),
                fingerprint: Some("f".into()),
            })),
            line: 0,
            seq: 0,
        };
        assert_eq!(
            event_json_line(&e).unwrap(),
            r#"{"at":"2026-07-01T02:14:00Z","alert":"A\"1","service":"s","summary":"line\nbreak ✓","labels":{"a":"1","b":"2"},"fingerprint":"f"}"#
        );
        round_trip(&[e]);
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(200))]
            #[test]
            fn importers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300), text in "[ -~\n]{0,200}") {
                for k in ImportKind::ALL {
                    let _ = import_reader(k, Cursor::new(bytes.clone()), chrono_tz::UTC);
                    let _ = import_reader(k, Cursor::new(text.clone().into_bytes()), chrono_tz::UTC);
                }
                let csv = format!("{SN_HEADER}\n{text}");
                let _ = servicenow(csv.as_bytes(), chrono_tz::UTC);
            }
        }
    }
}
