//! The syntax tree: what a file says, with a span on every item and names
//! still unresolved. Values are already typed (durations in seconds, times
//! in minutes); invalid values are reported by the lowering and replaced by
//! a harmless default so that later layers see a complete tree.

use crate::source::Span;

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

/// Seconds.
pub type Secs = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    Email,
    Sms,
    Phone,
    Chat,
    Push,
}

impl Channel {
    pub const ALL: [Channel; 5] = [Channel::Email, Channel::Sms, Channel::Phone, Channel::Chat, Channel::Push];
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
            Channel::Phone => "phone",
            Channel::Chat => "chat",
            Channel::Push => "push",
        }
    }
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// Weekday 0 = Monday … 6 = Sunday.
pub type Weekday = u8;

/// `DAYS HH:MM-HH:MM`: the set of start days and a time range in minutes
/// since midnight. `end <= start` wraps past midnight (belongs to its start
/// day); `end == 1440` is `24:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    pub days: [bool; 7],
    pub start_min: u16,
    pub end_min: u16,
    pub span: Span,
}

/// `works`, `only`, `within`, `outside`: inline windows or an hours name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowsOrHours {
    Windows(Vec<Window>),
    Hours(Ident),
}

/// A datetime as written: local (read in the enclosing zone) or absolute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateTimeLit {
    Local(chrono::NaiveDateTime),
    Fixed(chrono::DateTime<chrono::FixedOffset>),
}

impl DateTimeLit {
    /// What a datetime that does not parse lowers to (its E0102 is
    /// reported where it is written).
    pub fn invalid() -> DateTimeLit {
        DateTimeLit::Local(chrono::NaiveDateTime::default())
    }

    /// A datetime that did not parse: spans that involve it are not
    /// compared, so that one bad datetime makes one finding.
    pub fn is_invalid(&self) -> bool {
        *self == DateTimeLit::invalid()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub name: Ident,
    pub tz: Option<Spanned<String>>,
    pub severities: Option<Vec<SeverityDecl>>,
    pub severities_span: Option<Span>,
    pub dedup: Option<Spanned<Secs>>,
    pub auto_resolve: Option<Spanned<Secs>>,
    pub horizon: Option<Spanned<Secs>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeverityDecl {
    pub name: Ident,
    pub aliases: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contact {
    pub channel: Channel,
    /// `None` for `push`
    pub address: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Works {
    pub when: WindowsOrHours,
    pub except: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub name: Ident,
    pub display_name: Option<Spanned<String>>,
    pub tz: Option<Spanned<String>>,
    pub contacts: Vec<Contact>,
    pub works: Vec<Works>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub name: Ident,
    pub members: Vec<Ident>,
    pub lead: Option<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    pub name: Ident,
    pub dates: Vec<Spanned<chrono::NaiveDate>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hours {
    pub name: Ident,
    pub tz: Option<Spanned<String>>,
    pub windows: Vec<Window>,
    pub except: Vec<Ident>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RotationKind {
    Daily,
    Weekly,
    Every(Secs),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    pub kind: RotationKind,
    pub from: Spanned<DateTimeLit>,
    pub until: Option<Spanned<DateTimeLit>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub name: Ident,
    pub rotation: Option<Rotation>,
    /// `from … [until …]` of a one-member layer without rotation
    pub from: Option<Spanned<DateTimeLit>>,
    pub until: Option<Spanned<DateTimeLit>>,
    pub members: Vec<Ident>,
    pub only: Vec<WindowsOrHours>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Override {
    /// `nobody` makes a deliberate gap
    pub person: Ident,
    pub from: Spanned<DateTimeLit>,
    pub to: Spanned<DateTimeLit>,
    pub span: Span,
}

impl Override {
    pub fn is_nobody(&self) -> bool {
        self.person.name == "nobody"
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub name: Ident,
    pub tz: Option<Spanned<String>>,
    pub layers: Vec<Layer>,
    pub overrides: Vec<Override>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TargetKind {
    Person,
    Team,
    Lead,
    Schedule,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Person => "person",
            TargetKind::Team => "team",
            TargetKind::Lead => "lead",
            TargetKind::Schedule => "schedule",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: TargetKind,
    pub name: Ident,
    pub span: Span,
}

/// `notify …` or `also …`: targets plus an optional `via` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub targets: Vec<Target>,
    pub via: Vec<Spanned<Channel>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub name: Ident,
    pub notify: Vec<Notify>,
    pub handoff: Option<Ident>,
    pub renotify: Option<Spanned<Secs>>,
    pub escalate_after: Option<Spanned<Secs>>,
    pub channels: Vec<Spanned<String>>,
    pub checkpoints: Vec<Spanned<String>>,
    pub span: Span,
}

impl Tier {
    pub fn is_handoff(&self) -> bool {
        self.handoff.is_some()
    }
    /// A notify tier without `escalate after`.
    pub fn is_terminal(&self) -> bool {
        self.handoff.is_none() && self.escalate_after.is_none()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub after: Spanned<Secs>,
    pub tier: Ident,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: Ident,
    pub tiers: Vec<Tier>,
    pub repeat: Option<Spanned<u32>>,
    pub unresolved: Option<Unresolved>,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Risk {
    #[default]
    Low,
    Medium,
    High,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckSla {
    pub severity: Ident,
    pub after: Spanned<Secs>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub key: Spanned<String>,
    pub value: Spanned<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub name: Ident,
    pub owner: Option<Ident>,
    pub policy: Option<Ident>,
    pub ack_sla: Vec<AckSla>,
    pub depends_on: Vec<Ident>,
    pub labels: Vec<Label>,
    pub risk: Option<Spanned<Risk>>,
    pub span: Span,
}

impl Service {
    pub fn risk(&self) -> Risk {
        self.risk.as_ref().map(|r| r.value).unwrap_or_default()
    }
}

/// A field of an alert in a condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Severity,
    Service,
    Summary,
    Source,
    Team,
    Label(String),
}

impl Field {
    pub fn describe(&self) -> String {
        match self {
            Field::Severity => "severity".into(),
            Field::Service => "service".into(),
            Field::Summary => "summary".into(),
            Field::Source => "source".into(),
            Field::Team => "team".into(),
            Field::Label(k) => crate::syntax::format_label_key(k),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    /// at least as severe as
    Ge,
    Gt,
    Le,
    Lt,
}

impl CmpOp {
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Ge => ">=",
            CmpOp::Gt => ">",
            CmpOp::Le => "<=",
            CmpOp::Lt => "<",
        }
    }
}

/// A value in a comparison: a string, or a bare name (severity names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub quoted: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Cmp { field: Spanned<Field>, op: CmpOp, value: Value },
    In { field: Spanned<Field>, values: Vec<Value> },
    Matches { field: Spanned<Field>, pattern: Spanned<String> },
    Within { hours: WindowsOrHours, span: Span },
    Outside { hours: WindowsOrHours, span: Span },
    Not(Box<Cond>),
    And(Vec<Cond>),
    Or(Vec<Cond>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetAction {
    Severity(Ident),
    Label { key: Spanned<String>, value: Spanned<String> },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub name: Ident,
    pub when: Option<Spanned<Cond>>,
    pub to: Option<Ident>,
    pub suppress: Option<Span>,
    pub cont: Option<Span>,
    pub sets: Vec<Spanned<SetAction>>,
    pub also: Vec<Notify>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routes {
    pub routes: Vec<Route>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillAlert {
    pub service: Option<Spanned<String>>,
    pub severity: Option<Spanned<String>>,
    pub summary: Option<Spanned<String>>,
    pub source: Option<Spanned<String>>,
    pub fingerprint: Option<Spanned<String>>,
    pub labels: Vec<Label>,
    pub after: Option<Spanned<Secs>>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponderBehaviour {
    Never,
    AcksAfter(Secs),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillResponder {
    pub person: Ident,
    pub behaviour: ResponderBehaviour,
    pub span: Span,
}

/// `tier T` or `tier P.T`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TierRef {
    pub policy: Option<Ident>,
    pub tier: Ident,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Route(Ident),
    Policy(Ident),
    Tier { tier: TierRef, within: Option<Secs> },
    Skipped(TierRef),
    Paged { person: Ident, via: Option<Channel>, within: Option<Secs> },
    NotPaged(Ident),
    Pages { person: Ident, count: u64 },
    Acked { by: Option<Ident>, within: Option<Secs> },
    NotAcked,
    Escalated { within: Option<Secs> },
    Exhausted,
    Suppressed,
    Unrouted,
    Deduplicated(u64),
    Checkpoint(String),
    Channel(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drill {
    pub name: Spanned<String>,
    pub at: Option<Spanned<DateTimeLit>>,
    pub alerts: Vec<DrillAlert>,
    pub resolve_after: Option<Spanned<Secs>>,
    pub responders: Vec<DrillResponder>,
    pub expects: Vec<Spanned<Expect>>,
    pub span: Span,
}

/// One top-level declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decl {
    Org(Org),
    Person(Person),
    Team(Team),
    Calendar(Calendar),
    Hours(Hours),
    Schedule(Schedule),
    Policy(Policy),
    Service(Service),
    Routes(Routes),
    Drill(Drill),
}

/// A declaration that failed to parse: its kind and name still count as
/// declared, so that no follow-on E0100 is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenDecl {
    pub kind: &'static str,
    pub name: Option<Ident>,
}

/// What parsing one file produced.
#[derive(Debug, Clone, Default)]
pub struct FileAst {
    pub decls: Vec<Decl>,
    pub broken: Vec<BrokenDecl>,
    /// `# escalade: allow CODE[, CODE…]` comments: (line, codes, span)
    pub allows: Vec<AllowComment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowComment {
    pub line: usize,
    pub codes: Vec<String>,
    pub span: Span,
}
