//! A deterministic generator of realistic organisations and of JSON Lines
//! timelines for them, shared by the benches and `examples/gen_org.rs`.
//!
//! The organisation ([`org`]): teams of 4–8 people spread over nine regions
//! and thirty-odd IANA zones, some of them follow-the-sun across two
//! regions; per team a primary schedule of 2–3 layers (a weekly base layer
//! under daily business-hours, weekend or regional-daytime layers, the odd
//! holiday override) and, for most teams, a two-layer secondary schedule; a
//! 3-tier `critical` and a 3-tier `standard` policy per team (renotify,
//! repeat, `unresolved after`, checkpoints and channels, some handing off to
//! a shared incident-command policy); 6–14 services per team with labels,
//! ack SLAs, risk and `depends-on`; one route per service in the team's
//! routes file, and global routes before (staging noise, security keywords,
//! a VIP severity upgrade) and after them (synthetic checks). Holiday
//! calendars and business hours exist for the regions in use. The result
//! passes `escalade check` without findings.
//!
//! The timeline ([`Timeline`]): alerts about every 30 s on a skewed choice
//! of services (a few noisy ones), mostly production, some staging (which
//! the routes suppress), bursts of duplicates that dedup folds, recorded
//! acknowledgements (some `by` a member of the owning team) and
//! resolutions, a few alerts left to `auto-resolve`. It is an iterator of
//! lines in time order that keeps only the pending acks and resolves, so
//! millions of alerts stream in constant memory.

#![allow(dead_code)]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fmt::Write as _;

/// SplitMix64: small, fast and the same on every platform.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    /// True with probability `pct` percent.
    pub fn pct(&mut self, pct: u64) -> bool {
        self.next_u64() % 100 < pct
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

struct Region {
    key: &'static str,
    zones: &'static [&'static str],
    clouds: &'static [&'static str],
    holidays: &'static [&'static str],
    business: &'static str,
}

const REGIONS: &[Region] = &[
    Region {
        key: "us",
        zones: &["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles", "America/Toronto", "America/Phoenix"],
        clouds: &["us-east-1", "us-east-2", "us-west-2"],
        holidays: &["2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-07-03", "2026-09-07", "2026-11-26", "2026-12-25", "2027-01-01", "2027-01-18"],
        business: "mon-fri 09:00-17:00",
    },
    Region {
        key: "latam",
        zones: &["America/Sao_Paulo", "America/Mexico_City", "America/Bogota", "America/Argentina/Buenos_Aires", "America/Santiago"],
        clouds: &["sa-east-1"],
        holidays: &["2026-01-01", "2026-02-16", "2026-02-17", "2026-04-03", "2026-04-21", "2026-05-01", "2026-09-07", "2026-10-12", "2026-11-02", "2026-12-25"],
        business: "mon-fri 09:00-18:00",
    },
    Region {
        key: "uk",
        zones: &["Europe/London", "Europe/Dublin", "Europe/Lisbon"],
        clouds: &["eu-west-2", "eu-west-1"],
        holidays: &["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31", "2026-12-25", "2026-12-28", "2027-01-01"],
        business: "mon-fri 09:00-17:30",
    },
    Region {
        key: "eu",
        zones: &["Europe/Berlin", "Europe/Paris", "Europe/Madrid", "Europe/Amsterdam", "Europe/Warsaw", "Europe/Stockholm", "Europe/Zurich", "Europe/Helsinki"],
        clouds: &["eu-central-1", "eu-west-3", "eu-north-1"],
        holidays: &["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-01", "2026-05-14", "2026-05-25", "2026-10-03", "2026-12-24", "2026-12-25", "2026-12-26"],
        business: "mon-fri 09:00-17:00",
    },
    Region {
        key: "mea",
        zones: &["Asia/Dubai", "Africa/Johannesburg", "Africa/Nairobi", "Africa/Lagos", "Africa/Cairo"],
        clouds: &["me-central-1", "af-south-1"],
        holidays: &["2026-01-01", "2026-03-20", "2026-04-27", "2026-05-27", "2026-06-16", "2026-12-02", "2026-12-25"],
        business: "mon-fri 08:00-17:00",
    },
    Region {
        key: "in",
        zones: &["Asia/Kolkata"],
        clouds: &["ap-south-1", "ap-south-2"],
        holidays: &["2026-01-26", "2026-03-04", "2026-04-03", "2026-08-15", "2026-10-02", "2026-10-20", "2026-11-08", "2026-12-25"],
        business: "mon-fri 09:30-18:30",
    },
    Region {
        key: "sea",
        zones: &["Asia/Singapore", "Asia/Jakarta", "Asia/Manila", "Asia/Bangkok", "Asia/Kuala_Lumpur"],
        clouds: &["ap-southeast-1", "ap-southeast-3"],
        holidays: &["2026-01-01", "2026-02-17", "2026-02-18", "2026-04-03", "2026-05-01", "2026-05-31", "2026-08-10", "2026-12-25"],
        business: "mon-fri 09:00-18:00",
    },
    Region {
        key: "jp",
        zones: &["Asia/Tokyo", "Asia/Seoul", "Asia/Taipei"],
        clouds: &["ap-northeast-1", "ap-northeast-2"],
        holidays: &["2026-01-01", "2026-01-12", "2026-02-11", "2026-04-29", "2026-05-04", "2026-05-05", "2026-05-06", "2026-11-03", "2026-11-23"],
        business: "mon-fri 09:30-18:00",
    },
    Region {
        key: "anz",
        zones: &["Australia/Sydney", "Australia/Melbourne", "Australia/Brisbane", "Australia/Perth", "Pacific/Auckland"],
        clouds: &["ap-southeast-2", "ap-southeast-4"],
        holidays: &["2026-01-01", "2026-01-26", "2026-04-03", "2026-04-06", "2026-04-27", "2026-06-08", "2026-12-25", "2026-12-28"],
        business: "mon-fri 08:30-17:00",
    },
];

const DOMAINS: &[&str] = &[
    "payments", "checkout", "search", "identity", "billing", "catalog", "shipping", "inventory", "messaging", "analytics", "storage",
    "network", "mobile", "ads", "fraud", "ledger", "pricing", "recommend", "media", "maps", "support", "onboarding", "loyalty", "reviews",
];
const COMPONENTS: &[&str] =
    &["api", "worker", "db", "cache", "gateway", "scheduler", "ingest", "web", "stream", "index", "queue", "cron", "proxy", "store"];
const FIRST: &[&str] = &[
    "ana", "ben", "carla", "dev", "elif", "farah", "goran", "hana", "ivan", "jun", "kofi", "lena", "mateo", "nadia", "omar", "priya",
    "quinn", "rosa", "sven", "tariq", "uma", "victor", "wen", "ximena", "yusuf", "zoe", "aiko", "bruno", "chidi", "dara", "emeka", "ines",
];
const LAST: &[&str] = &[
    "silva", "berg", "okafor", "tanaka", "novak", "schmidt", "rossi", "kim", "nguyen", "patel", "garcia", "kowalski", "haddad", "larsen",
    "mensah", "ito", "costa", "meyer", "oliveira", "chen", "dubois", "sato", "ali", "murphy",
];
const CHECKS: &[&str] = &[
    "latency p99 above 2s",
    "error rate above 5%",
    "disk 90% full",
    "pod crash looping",
    "replication lag above 30s",
    "queue depth above 10k",
    "certificate expires in 7 days",
    "health check failing",
    "memory above 95%",
    "5xx spike on load balancer",
    "consumer group stalled",
    "connection pool exhausted",
];
const SOURCES: &[&str] = &["prometheus", "datadog", "cloudwatch", "sentry", "synthetics"];

/// One generated service, as the timeline needs it.
pub struct Service {
    pub name: String,
    pub team: usize,
    pub cloud: &'static str,
}

/// One generated team: its name and its members (the people who
/// acknowledge its alerts in the timeline).
pub struct Team {
    pub name: String,
    pub members: Vec<String>,
}

/// A generated organisation: its `.esc` files (relative path, text) in
/// workspace order, and what the timeline generator needs to know.
pub struct Org {
    pub files: Vec<(String, Vec<u8>)>,
    pub services: Vec<Service>,
    pub teams: Vec<Team>,
    pub people: usize,
}

impl Org {
    /// Total size of the `.esc` texts in bytes.
    pub fn bytes(&self) -> usize {
        self.files.iter().map(|f| f.1.len()).sum()
    }
    /// Write the files under `dir` (which must exist).
    pub fn write_to(&self, dir: &std::path::Path) -> std::io::Result<()> {
        for (path, text) in &self.files {
            let p = dir.join(path);
            if let Some(parent) = p.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&p, text)?;
        }
        Ok(())
    }
}

/// The files of an organisation with `services` services (for callers that
/// only need the texts).
pub fn generate(services: usize) -> Vec<(String, Vec<u8>)> {
    org(services, 1).files
}

struct Person {
    name: String,
    region: usize,
}

/// A person in `region`; `anchor` people (leads, shared teams, the first
/// member of a region in a team) have sms and work the region's business
/// hours, so every region's hours are in use.
fn person_text(s: &mut String, rng: &mut Rng, id: &str, first: &str, last: &str, region: usize, anchor: bool) {
    let r = &REGIONS[region];
    let zone = r.zones[rng.below(r.zones.len())];
    let mail = id.replace('-', ".");
    let cap = |w: &str| -> String { w[..1].to_uppercase() + &w[1..] };
    let _ = writeln!(s, "person {id} {{\n  name \"{} {}\"\n  tz \"{zone}\"\n  email \"{mail}@example.com\"", cap(first), cap(last));
    let digits = 1_000_000 + (rng.next_u64() % 8_999_999);
    let _ = writeln!(s, "  phone \"+1 555 {digits}\"");
    if anchor || rng.pct(80) {
        let _ = writeln!(s, "  sms \"+1 555 {digits}\"");
    }
    if rng.pct(60) {
        let _ = writeln!(s, "  chat \"@{mail}\"");
    }
    if rng.pct(40) {
        s.push_str("  push\n");
    }
    match if anchor { 0 } else { rng.below(4) } {
        0 | 1 => {
            let _ = writeln!(s, "  works {}-business", r.key);
        }
        2 => {
            let _ = writeln!(s, "  works {} except {}-holidays", r.business, r.key);
        }
        _ => s.push_str(if rng.pct(50) { "  works mon-thu 08:00-16:00\n" } else { "  works mon-fri 10:00-19:00\n" }),
    }
    s.push_str("}\n");
}

/// Generate an organisation of `services` services (at least one);
/// deterministic for (`services`, `seed`).
pub fn org(services: usize, seed: u64) -> Org {
    let services = services.max(1);
    let mut rng = Rng::new(seed);
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut out_services: Vec<Service> = Vec::with_capacity(services);
    let mut teams: Vec<Team> = Vec::new();
    let mut used_regions = vec![false; REGIONS.len()];
    let mut day_hours = vec![false; REGIONS.len()];
    let mut person_no = 0usize;
    let mut new_person = |rng: &mut Rng| -> (String, &'static str, &'static str) {
        let first = *rng.pick(FIRST);
        let last = *rng.pick(LAST);
        person_no += 1;
        (format!("{first}-{last}-{person_no}"), first, last)
    };

    // Shared teams: security, operations, incident command.
    let mut shared = String::from("# Teams every product team relies on.\n\n");
    let mut shared_people = |rng: &mut Rng, s: &mut String, team: &str, regions: &[usize], n: usize, used: &mut [bool]| -> Vec<String> {
        let mut names = Vec::new();
        for k in 0..n {
            let region = regions[k % regions.len()];
            used[region] = true;
            let (id, first, last) = new_person(rng);
            person_text(s, rng, &id, first, last, region, true);
            names.push(id);
        }
        let _ = writeln!(s, "team {team} {{\n  members {}\n}}\n", names.join(", "));
        names
    };
    let sec = shared_people(&mut rng, &mut shared, "security", &[3, 0, 6], 6, &mut used_regions);
    let _ = writeln!(
        shared,
        "schedule security-oncall {{\n  tz \"UTC\"\n  layer base {{\n    rotation weekly from 2026-01-05 00:00\n    members {}\n  }}\n  layer weekdays {{\n    rotation daily from 2026-01-05 06:00\n    members {}\n    only mon-fri 06:00-22:00\n  }}\n}}\n",
        sec.join(", "),
        sec[..3].join(", ")
    );
    let ops = shared_people(&mut rng, &mut shared, "platform-ops", &[0, 3, 5, 8], 8, &mut used_regions);
    let _ = writeln!(
        shared,
        "schedule platform-ops-primary {{\n  tz \"UTC\"\n  layer base {{\n    rotation weekly from 2026-01-05 00:00\n    members {}\n  }}\n  layer nights {{\n    rotation weekly from 2026-01-05 22:00\n    members {}\n    only mon-sun 22:00-06:00\n  }}\n}}\n",
        ops.join(", "),
        ops[4..].join(", ")
    );
    let ic = shared_people(&mut rng, &mut shared, "incident-command", &[0, 3], 5, &mut used_regions);
    let _ = writeln!(
        shared,
        "schedule incident-commanders {{\n  tz \"UTC\"\n  layer base {{\n    rotation weekly from 2026-01-05 00:00\n    members {}\n  }}\n  layer weekends {{\n    rotation every 12h from 2026-01-03 00:00\n    members {}\n    only sat-sun 00:00-24:00\n  }}\n}}\n",
        ic.join(", "),
        ic[1..4].join(", ")
    );
    shared.push_str(
        "policy security-incident {\n  tier primary {\n    notify schedule security-oncall\n    renotify every 2m\n    escalate after 5m\n  }\n  tier team {\n    notify team security via phone, sms\n    open channel \"#sec-incident\"\n    checkpoint \"decide whether customer data is affected\"\n    escalate after 10m\n  }\n  tier command {\n    handoff policy incident-command\n  }\n}\n\n",
    );
    shared.push_str(
        "policy incident-command {\n  tier commander {\n    notify schedule incident-commanders\n    open channel \"#major-incident\"\n    checkpoint \"assign an incident commander and a scribe\"\n    escalate after 5m\n  }\n  tier all-commanders {\n    notify team incident-command via phone\n    escalate after 10m\n  }\n  tier ops {\n    notify schedule platform-ops-primary, team incident-command\n    escalate after 15m\n  }\n  repeat 3\n}\n\n",
    );
    shared.push_str(
        "policy ops-triage {\n  tier primary {\n    notify schedule platform-ops-primary\n    escalate after 15m\n  }\n  tier team {\n    notify team platform-ops\n    escalate after 30m\n  }\n  tier commander {\n    notify schedule incident-commanders via phone\n    checkpoint \"confirm which customers the failing check stands for\"\n    escalate after 30m\n  }\n  repeat 1\n}\n",
    );
    teams.push(Team { name: "security".into(), members: sec });
    teams.push(Team { name: "platform-ops".into(), members: ops });
    teams.push(Team { name: "incident-command".into(), members: ic });

    let mut t = 0usize;
    while out_services.len() < services {
        let tn = format!("{}-{t}", DOMAINS[t % DOMAINS.len()]);
        let size = 4 + rng.below(5);
        let home = rng.below(REGIONS.len());
        // a third of the larger teams follow the sun across two regions
        let away = (size >= 6 && rng.pct(35)).then(|| (home + 3 + rng.below(REGIONS.len() - 5)) % REGIONS.len());
        used_regions[home] = true;
        let mut people: Vec<Person> = Vec::with_capacity(size);
        let mut s = format!("# Team {tn}: people, schedules and policies.\n\n");
        for k in 0..size {
            let region = match away {
                Some(a) if k % 2 == 1 => a,
                _ => home,
            };
            used_regions[region] = true;
            let (id, first, last) = new_person(&mut rng);
            person_text(&mut s, &mut rng, &id, first, last, region, away.is_some() && k == 1);
            people.push(Person { name: id, region });
        }
        let (lead, lf, ll) = new_person(&mut rng);
        person_text(&mut s, &mut rng, &lead, lf, ll, home, true);
        let members: Vec<String> = people.iter().map(|p| p.name.clone()).collect();
        let _ = writeln!(s, "\nteam {tn} {{\n  members {}\n  lead {lead}\n}}\n", members.join(", "));

        // Primary schedule: a weekly base layer under 1–2 narrower layers.
        let home_zone = REGIONS[home].zones[0];
        let rot = |from: usize| -> String {
            let mut v: Vec<&str> = Vec::new();
            for k in 0..members.len() {
                v.push(&members[(from + k) % members.len()]);
            }
            v.join(", ")
        };
        let start = rng.below(size);
        match away {
            Some(a) => {
                day_hours[home] = true;
                day_hours[a] = true;
                let home_m: Vec<&str> = people.iter().filter(|p| p.region == home).map(|p| p.name.as_str()).collect();
                let away_m: Vec<&str> = people.iter().filter(|p| p.region == a).map(|p| p.name.as_str()).collect();
                let _ = writeln!(
                    s,
                    "schedule {tn}-primary {{\n  tz \"UTC\"\n  layer base {{\n    rotation weekly from 2026-01-05 00:00\n    members {}\n  }}\n  layer {hk}-day {{\n    rotation daily from 2026-01-05 08:00\n    members {}\n    only {hk}-daytime\n  }}\n  layer {ak}-day {{\n    rotation daily from 2026-01-05 08:00\n    members {}\n    only {ak}-daytime\n  }}\n}}\n",
                    rot(start),
                    home_m.join(", "),
                    away_m.join(", "),
                    hk = REGIONS[home].key,
                    ak = REGIONS[a].key,
                );
            }
            None => {
                let day: Vec<&str> = (0..size.div_ceil(2)).map(|k| members[(start + 1 + k) % size].as_str()).collect();
                let _ = write!(
                    s,
                    "schedule {tn}-primary {{\n  tz \"{home_zone}\"\n  layer base {{\n    rotation weekly from 2026-01-05 09:00\n    members {}\n  }}\n  layer business-hours {{\n    rotation daily from 2026-01-05 09:00\n    members {}\n    only mon-fri 09:00-18:00\n  }}\n",
                    rot(start),
                    day.join(", ")
                );
                if rng.pct(50) {
                    let wk: Vec<&str> = (0..2).map(|k| members[(start + 2 + 2 * k) % size].as_str()).collect();
                    let _ = write!(
                        s,
                        "  layer weekend {{\n    rotation every 12h from 2026-01-03 08:00\n    members {}\n    only sat-sun 08:00-20:00\n  }}\n",
                        wk.join(", ")
                    );
                }
                if rng.pct(20) {
                    let _ = writeln!(s, "  override {} from 2026-12-24 00:00 to 2026-12-27 00:00", members[rng.below(size)]);
                }
                s.push_str("}\n\n");
            }
        }
        let secondary = size >= 5 || rng.pct(50);
        if secondary {
            let back = rot(start + size / 2);
            let nights: Vec<&str> = (0..2).map(|k| members[(start + 3 * k + 1) % size].as_str()).collect();
            let _ = writeln!(
                s,
                "schedule {tn}-secondary {{\n  tz \"{home_zone}\"\n  layer base {{\n    rotation weekly from 2026-01-12 09:00\n    members {back}\n  }}\n  layer nights {{\n    rotation weekly from 2026-01-05 20:00\n    members {}\n    only mon-sun 20:00-08:00\n  }}\n}}\n",
                nights.join(", ")
            );
        }

        // Policies: critical (paging, renotify, repeat) and standard.
        let handoff = rng.pct(12);
        let _ = write!(s, "policy {tn}-critical {{\n  tier primary {{\n    notify schedule {tn}-primary\n");
        if rng.pct(60) {
            s.push_str("    renotify every 5m\n");
        }
        let _ = write!(s, "    escalate after {}\n  }}\n", if rng.pct(50) { "5m" } else { "10m" });
        if secondary {
            let _ = write!(s, "  tier secondary {{\n    notify schedule {tn}-secondary\n    escalate after 15m\n  }}\n");
        } else {
            let _ = write!(s, "  tier team {{\n    notify team {tn} via phone\n    escalate after 15m\n  }}\n");
        }
        if handoff {
            s.push_str("  tier command {\n    checkpoint \"confirm customer communication\"\n    handoff policy incident-command\n  }\n}\n\n");
        } else {
            let _ = write!(
                s,
                "  tier lead {{\n    notify lead {tn} via phone, sms\n    open channel \"#inc-{tn}\"\n    checkpoint \"confirm customer communication\"\n    escalate after 30m\n  }}\n  repeat {}\n  unresolved after {} escalate to lead\n}}\n\n",
                1 + rng.below(2),
                if rng.pct(50) { "2h" } else { "4h" }
            );
        }
        let _ = writeln!(
            s,
            "policy {tn}-standard {{\n  tier primary {{\n    notify schedule {tn}-primary\n    escalate after 15m\n  }}\n  tier team {{\n    notify team {tn} via email\n    escalate after 1h\n  }}\n  tier lead {{\n    notify lead {tn} via email\n    escalate after 4h\n  }}\n}}"
        );
        files.push((format!("teams/{tn}.esc"), s.into_bytes()));

        // Services and their routes.
        let ti = teams.len();
        let k = (6 + rng.below(9)).min(services - out_services.len());
        let first = out_services.len();
        let mut sv = format!("# Services owned by {tn}.\n\n");
        let mut standard_used = false;
        let mut rt = format!("# Routes of {tn}'s services.\n\nroutes {{\n");
        for j in 0..k {
            let i = first + j;
            let name = format!("{}-{}-{i}", DOMAINS[t % DOMAINS.len()], COMPONENTS[(i * 5 + t) % COMPONENTS.len()]);
            let region = match away {
                Some(a) if j % 2 == 1 => a,
                _ => home,
            };
            let cloud = *rng.pick(REGIONS[region].clouds);
            let mut risk = match rng.below(10) {
                0 => "high",
                1 | 2 => "medium",
                _ => "low",
            };
            let mut policy = if risk == "high" || rng.pct(25) { "critical" } else { "standard" };
            // the team's last service keeps its standard policy in use
            if j + 1 == k && !standard_used {
                risk = if risk == "high" { "medium" } else { risk };
                policy = "standard";
            }
            standard_used |= policy == "standard";
            let _ = write!(sv, "service {name} {{\n  owner {tn}\n  policy {tn}-{policy}\n");
            let _ = writeln!(sv, "  ack-sla sev1 {}, sev2 30m, sev3 4h", if rng.pct(50) { "15m" } else { "20m" });
            if j > 0 && rng.pct(60) {
                let d1 = &out_services[first + rng.below(j)].name;
                if j > 2 && rng.pct(30) {
                    let d2 = &out_services[first + rng.below(j)].name;
                    if d2 != d1 {
                        let _ = writeln!(sv, "  depends-on {d1}, {d2}");
                    } else {
                        let _ = writeln!(sv, "  depends-on {d1}");
                    }
                } else {
                    let _ = writeln!(sv, "  depends-on {d1}");
                }
            }
            let _ = writeln!(
                sv,
                "  labels region \"{cloud}\", component \"{}\", tier \"{}\"",
                COMPONENTS[(i * 5 + t) % COMPONENTS.len()],
                ["frontend", "backend", "data"][i % 3]
            );
            if risk != "low" {
                let _ = writeln!(sv, "  risk {risk}");
            }
            sv.push_str("}\n");
            match rng.below(20) {
                0..=11 => {
                    let _ = writeln!(rt, "  route {name}-urgent {{\n    when service == \"{name}\" and severity >= sev2\n    to policy {tn}-critical\n  }}");
                }
                12..=14 => {
                    let _ = writeln!(
                        rt,
                        "  route {name}-urgent {{\n    when service == \"{name}\" and (severity >= sev2 or labels.customer == \"enterprise\")\n    to policy {tn}-critical\n  }}"
                    );
                }
                15..=17 => {
                    // `cluster` is a label of the alerts only: a label the
                    // services also declare (`region`) would make the
                    // Alertmanager export quadratic (see README, Performance)
                    let _ = writeln!(
                        rt,
                        "  route {name}-urgent {{\n    when service == \"{name}\" and severity >= sev3 and labels.cluster in [\"{cloud}-prod-1\", \"{cloud}-prod-2\"]\n    to policy {tn}-critical\n    also lead {tn} via email\n  }}"
                    );
                }
                _ => {
                    let _ = writeln!(
                        rt,
                        "  route {name}-quiet-hours {{\n    when service == \"{name}\" and severity <= sev4 and outside {}-business\n    suppress\n  }}",
                        REGIONS[home].key
                    );
                }
            }
            out_services.push(Service { name, team: ti, cloud });
        }
        rt.push_str("}\n");
        files.push((format!("services/{tn}.esc"), sv.into_bytes()));
        files.push((format!("routes/teams/{tn}.esc"), rt.into_bytes()));
        teams.push(Team { name: tn, members });
        t += 1;
    }

    // Calendars and hours of the regions in use (the shared teams use
    // regions 0, 3, 5, 6 and 8, so those always exist).
    let mut cal = String::from("# Public holidays and office hours, per region.\n\n");
    for (r, reg) in REGIONS.iter().enumerate() {
        if !used_regions[r] {
            continue;
        }
        let _ = writeln!(cal, "calendar {}-holidays {{\n  {}\n}}\n", reg.key, reg.holidays.join(", "));
        let _ = writeln!(cal, "hours {}-business {{\n  tz \"{}\"\n  {}\n  except {}-holidays\n}}\n", reg.key, reg.zones[0], reg.business, reg.key);
        if day_hours[r] {
            let _ = writeln!(cal, "hours {}-daytime {{\n  tz \"{}\"\n  mon-sun 07:00-19:00\n}}\n", reg.key, reg.zones[0]);
        }
    }
    let org_text = "# The organisation's defaults.\n\norg acme {\n  tz \"UTC\"\n  severities sev1 \"P1\" \"critical\", sev2 \"P2\" \"error\", sev3 \"P3\" \"warning\", sev4 \"P4\" \"info\", sev5 \"P5\"\n  dedup within 10m\n  auto-resolve 24h\n  horizon 4w\n}\n";
    let global_first = String::from(
        "# Routes every alert meets first.\n\nroutes {\n  route staging-noise {\n    when labels.env == \"staging\" or severity == sev5\n    suppress\n  }\n  route security-keywords {\n    when summary matches \"(?i)breach|exfiltrat|credential leak\"\n    to policy security-incident\n    also team security\n  }\n  route vip-upgrade {\n    when labels.customer == \"vip\" and severity >= sev3\n    set severity sev1\n    set labels.escalated \"vip\"\n    continue\n  }\n}\n"
    );
    let global_last = "# Routes for alerts no team route took.\n\nroutes {\n  route synthetic-checks {\n    when source == \"synthetics\" and severity >= sev3\n    to policy ops-triage\n  }\n}\n";
    let mut all = vec![
        ("calendars.esc".to_string(), cal.into_bytes()),
        ("org.esc".to_string(), org_text.as_bytes().to_vec()),
        ("routes/00-global.esc".to_string(), global_first.into_bytes()),
        ("routes/zz-synthetics.esc".to_string(), global_last.as_bytes().to_vec()),
        ("shared/teams.esc".to_string(), shared.into_bytes()),
    ];
    all.append(&mut files);
    // workspace order: paths compared byte by byte (SPEC §2)
    all.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Org { files: all, services: out_services, teams, people: person_no }
}

/// The JSON Lines timeline of `alerts` alerts over an organisation, as an
/// iterator of lines (without line breaks) in time order.
pub struct Timeline<'a> {
    org: &'a Org,
    rng: Rng,
    alerts: u64,
    done: u64,
    next_at: i64,
    seq: u64,
    pending: BinaryHeap<Reverse<(i64, u64, String)>>,
    /// recent alerts (service, check, severity, at) that a burst may repeat
    recent: VecDeque<(usize, usize, u8, i64)>,
    /// the alert a burst repeats, and how many repeats remain
    burst: Option<((usize, usize, u8, i64), u32)>,
}

/// Monday 2026-02-02 00:00 UTC.
pub const TIMELINE_START: i64 = 1_769_990_400;

impl<'a> Timeline<'a> {
    pub fn new(org: &'a Org, alerts: u64, seed: u64) -> Timeline<'a> {
        Timeline {
            org,
            rng: Rng::new(seed.wrapping_mul(0x2545_F491_4F6C_DD1D) ^ 0xA5A5),
            alerts,
            done: 0,
            next_at: TIMELINE_START,
            seq: 0,
            pending: BinaryHeap::new(),
            recent: VecDeque::with_capacity(64),
            burst: None,
        }
    }

    fn later(&mut self, at: i64, line: String) {
        self.seq += 1;
        self.pending.push(Reverse((at, self.seq, line)));
    }

    fn alert(&mut self) -> String {
        let at = self.next_at;
        let i = self.done;
        self.done += 1;
        let n = self.org.services.len();
        // a burst repeats a recent alert (dedup folds it); otherwise a
        // skewed choice of service: a few services are noisy
        let repeat = match &mut self.burst {
            Some((of, left)) => {
                let of = *of;
                *left -= 1;
                if *left == 0 {
                    self.burst = None;
                }
                Some(of)
            }
            None if !self.recent.is_empty() && self.rng.pct(3) => {
                let of = self.recent[self.rng.below(self.recent.len())];
                self.burst = Some((of, 1 + self.rng.below(8) as u32));
                Some(of)
            }
            None => None,
        };
        let fresh = repeat.is_none();
        let (svc, check, sev) = match repeat {
            Some((s, c, v, _)) => (s, c, v),
            None => {
                let u = self.rng.unit();
                let k = ((u * u * u) * n as f64) as usize;
                let s = (k.wrapping_mul(7919).wrapping_add(13)) % n;
                let sev = match self.rng.below(100) {
                    0..=2 => 1,
                    3..=14 => 2,
                    15..=49 => 3,
                    50..=84 => 4,
                    _ => 5,
                };
                (s, self.rng.below(CHECKS.len()), sev)
            }
        };
        if fresh {
            if self.recent.len() == 64 {
                self.recent.pop_front();
            }
            self.recent.push_back((svc, check, sev, at));
        }
        let s = &self.org.services[svc];
        let env = if self.rng.pct(8) { "staging" } else { "prod" };
        let source = if self.rng.pct(5) { "synthetics" } else { SOURCES[(svc + check) % 4] };
        let severity = if self.rng.pct(10) { format!("P{sev}") } else { format!("sev{sev}") };
        let summary = if self.rng.below(2000) == 0 {
            format!("possible data exfiltration from {}", s.name)
        } else {
            format!("{}: {}", s.name, CHECKS[check])
        };
        let mut line = String::with_capacity(256);
        let _ = write!(
            line,
            r#"{{"at":"{}","alert":"a{i}","service":"{}","severity":"{severity}","summary":"{summary}","source":"{source}","fingerprint":"{}/{check}","labels":{{"region":"{}","cluster":"{}-prod-{}","env":"{env}""#,
            stamp(at),
            s.name,
            s.name,
            s.cloud,
            s.cloud,
            1 + (svc + check) % 3
        );
        match self.rng.below(100) {
            0 => line.push_str(r#","customer":"vip""#),
            1..=3 => line.push_str(r#","customer":"enterprise""#),
            _ => {}
        }
        line.push_str("}}");
        // acknowledgement and resolution (a burst's repeats are resolved
        // with the incident they fold into)
        if fresh {
            let acked = self.rng.pct(75);
            let mut t = at;
            if acked {
                let u = self.rng.unit();
                t = at + 30 + (u * u * 1200.0) as i64;
                let by = if self.rng.pct(40) {
                    let members = &self.org.teams[s.team].members;
                    format!(r#","by":"{}""#, members[self.rng.below(members.len())])
                } else {
                    String::new()
                };
                let l = format!(r#"{{"at":"{}","ack":"a{i}"{by}}}"#, stamp(t));
                self.later(t, l);
            }
            if !self.rng.pct(2) {
                let u = self.rng.unit();
                let r = t + 120 + (u * u * 3.0 * 3600.0) as i64;
                let l = format!(r#"{{"at":"{}","resolve":"a{i}"}}"#, stamp(r));
                self.later(r, l);
            }
        }
        self.next_at += if self.burst.is_some() { self.rng.below(20) as i64 } else { self.rng.below(61) as i64 };
        line
    }
}

impl Iterator for Timeline<'_> {
    type Item = String;
    fn next(&mut self) -> Option<String> {
        let alert_due = self.done < self.alerts;
        match self.pending.peek() {
            Some(Reverse((at, _, _))) if !alert_due || *at < self.next_at => self.pending.pop().map(|Reverse((_, _, l))| l),
            _ if alert_due => Some(self.alert()),
            _ => None,
        }
    }
}

impl Timeline<'_> {
    /// Write every line to `w`, one per line; returns the number of lines.
    pub fn write_to<W: std::io::Write>(self, w: &mut W) -> std::io::Result<u64> {
        let mut lines = 0u64;
        for l in self {
            w.write_all(l.as_bytes())?;
            w.write_all(b"\n")?;
            lines += 1;
        }
        Ok(lines)
    }
}

fn stamp(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0).map(|d| d.format("%Y-%m-%dT%H:%M:%SZ").to_string()).unwrap_or_default()
}
