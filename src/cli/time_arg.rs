//! Instants on the command line: RFC 3339, or `YYYY-MM-DD HH:MM` in the
//! org time zone (nonexistent local times move forward past the gap,
//! ambiguous ones take the earlier instant).

use chrono::{DateTime, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

pub fn now_minute() -> DateTime<Utc> {
    let now = Utc::now();
    now.with_second(0).and_then(|t| t.with_nanosecond(0)).unwrap_or(now)
}

/// Resolve a local wall time in `tz` by the SPEC's local-time rules (see
/// `crate::time::resolve_local`).
pub fn resolve_local(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    let t = crate::time::resolve_local(tz, local);
    DateTime::from_timestamp(t, 0).unwrap_or_default()
}

pub fn parse_instant(s: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc).with_nanosecond(0).unwrap_or(t.with_timezone(&Utc)));
    }
    // RFC 3339 without seconds (SPEC §2 allows them out): `…T03:00Z`,
    // `…T03:00+02:00`
    let mut offset = match s.strip_suffix(['Z', 'z']) {
        Some(head) => format!("{head}+00:00"),
        None => s.to_string(),
    };
    if offset.get(10..11) == Some("t") {
        offset.replace_range(10..11, "T");
    }
    if let Ok(t) = DateTime::parse_from_str(&offset, "%Y-%m-%dT%H:%M%:z") {
        return Ok(t.with_timezone(&Utc));
    }
    let compact: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match NaiveDateTime::parse_from_str(&compact, "%Y-%m-%d %H:%M") {
        Ok(local) => Ok(resolve_local(tz, local)),
        Err(_) => Err(format!("`{s}` is not an instant; write RFC 3339 (`2026-07-04T03:00:00Z`) or `YYYY-MM-DD HH:MM` in the org time zone")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_time_rules() {
        let ny: Tz = "America/New_York".parse().unwrap();
        // spring forward 2026-03-08 02:30 does not exist → 03:00 EDT = 07:00Z
        assert_eq!(parse_instant("2026-03-08 02:30", ny).unwrap().to_rfc3339(), "2026-03-08T07:00:00+00:00");
        // fall back 2026-11-01 01:30 happens twice → first (EDT) = 05:30Z
        assert_eq!(parse_instant("2026-11-01 01:30", ny).unwrap().to_rfc3339(), "2026-11-01T05:30:00+00:00");
        assert_eq!(parse_instant("2026-07-04T03:00:00Z", ny).unwrap().to_rfc3339(), "2026-07-04T03:00:00+00:00");
        assert!(parse_instant("yesterday", ny).is_err());
        // without seconds, with `Z` or an offset
        assert_eq!(parse_instant("2026-07-04T03:00Z", ny).unwrap().to_rfc3339(), "2026-07-04T03:00:00+00:00");
        assert_eq!(parse_instant("2026-07-04T03:00z", ny).unwrap().to_rfc3339(), "2026-07-04T03:00:00+00:00");
        assert_eq!(parse_instant("2026-07-04T05:00+02:00", ny).unwrap().to_rfc3339(), "2026-07-04T03:00:00+00:00");
        assert_eq!(parse_instant("2026-07-04t03:00Z", ny).unwrap().to_rfc3339(), "2026-07-04T03:00:00+00:00");
        assert!(parse_instant("2026-07-04T03Z", ny).is_err());
        assert!(parse_instant("2026-07-04T03:00ZZ", ny).is_err());
    }
}
