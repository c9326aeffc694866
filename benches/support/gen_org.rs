//! Generates a realistic organisation as `.esc` texts: teams of 5 with a
//! two-layer follow-the-sun schedule, a three-tier policy per team, ten
//! services per team, a route per service and a few global routes.
//! Used by the benches (and usable from tests) — deterministic.

#[allow(dead_code)]
pub fn generate(services: usize) -> Vec<(String, Vec<u8>)> {
    const ZONES: [&str; 6] = ["Europe/Berlin", "America/New_York", "Asia/Singapore", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata"];
    let teams = services.div_ceil(10).max(1);
    let mut files = Vec::new();
    files.push((
        "org.esc".to_string(),
        "org gen {\n  tz \"UTC\"\n  severities sev1 \"P1\", sev2 \"P2\", sev3 \"P3\", sev4 \"P4\", sev5 \"P5\"\n  dedup within 10m\n  auto-resolve 24h\n}\n\ncalendar holidays { 2026-12-25, 2027-01-01 }\nhours business {\n  mon-fri 09:00-17:00\n  except holidays\n}\n".to_string().into_bytes(),
    ));
    for t in 0..teams {
        let mut s = String::new();
        let zone = ZONES[t % ZONES.len()];
        for p in 0..5 {
            s.push_str(&format!(
                "person t{t}-p{p} {{\n  tz \"{zone}\"\n  email \"t{t}.p{p}@example.com\"\n  sms \"+1555{t:05}{p}\"\n  phone \"+1555{t:05}{p}\"\n  works mon-fri 09:00-18:00\n}}\n"
            ));
        }
        s.push_str(&format!("person t{t}-lead {{ email \"t{t}.lead@example.com\" phone \"+1666{t:05}\" works business }}\n"));
        s.push_str(&format!("team team-{t} {{\n  members t{t}-p0, t{t}-p1, t{t}-p2, t{t}-p3, t{t}-p4\n  lead t{t}-lead\n}}\n"));
        s.push_str(&format!(
            "schedule team-{t}-primary {{\n  tz \"{zone}\"\n  layer base {{\n    rotation weekly from 2026-01-05 09:00\n    members t{t}-p0, t{t}-p1, t{t}-p2\n  }}\n  layer days {{\n    rotation daily from 2026-01-05 08:00\n    members t{t}-p3, t{t}-p4\n    only mon-fri 08:00-20:00\n  }}\n}}\n"
        ));
        s.push_str(&format!(
            "policy team-{t}-critical {{\n  tier primary {{\n    notify schedule team-{t}-primary\n    renotify every 5m\n    escalate after 10m\n  }}\n  tier team {{\n    notify team team-{t}\n    escalate after 15m\n  }}\n  tier lead {{\n    notify lead team-{t} via phone\n    checkpoint \"confirm customer communication\"\n    escalate after 30m\n  }}\n  repeat 2\n  unresolved after 2h escalate to lead\n}}\n"
        ));
        for k in 0..10 {
            let i = t * 10 + k;
            if i >= services {
                break;
            }
            let risk = if k == 0 { "high" } else { "low" };
            s.push_str(&format!(
                "service svc-{i} {{\n  owner team-{t}\n  policy team-{t}-critical\n  ack-sla sev1 15m, sev2 30m\n  labels region \"region-{}\", tier \"t{}\"\n  risk {risk}\n}}\n",
                i % 4,
                k % 3
            ));
        }
        files.push((format!("teams/team-{t:05}.esc"), s.into_bytes()));
    }
    let mut r = String::from("routes {\n  route staging-noise {\n    when labels.env == \"staging\" or severity == sev5\n    suppress\n  }\n  route security {\n    when summary matches \"(?i)breach|exfiltrat\"\n    to policy team-0-critical\n    also team team-0\n  }\n");
    for i in 0..services {
        let t = i / 10;
        r.push_str(&format!(
            "  route svc-{i}-urgent {{\n    when service == \"svc-{i}\" and severity >= sev2\n    to policy team-{t}-critical\n  }}\n"
        ));
    }
    r.push_str("}\n");
    files.push(("routes.esc".to_string(), r.into_bytes()));
    files
}
