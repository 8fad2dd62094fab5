//! Date arguments (`--since`, `--until`) as users type them.

use anyhow::{bail, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};

/// `--since`: a day (`2021-12-03`, from its first second, UTC) or an RFC 3339 time. Returns an inclusive bound.
pub fn since(arg: &str) -> Result<DateTime<Utc>> {
    Ok(parse(arg)?.0)
}

/// `--until`: a day (that whole day included) or an RFC 3339 time (that second included). Returns an exclusive
/// bound.
pub fn until(arg: &str) -> Result<DateTime<Utc>> {
    let (t, whole_day) = parse(arg)?;
    let step = if whole_day {
        Duration::days(1)
    } else {
        Duration::seconds(1)
    };
    Ok(t + step)
}

fn parse(arg: &str) -> Result<(DateTime<Utc>, bool)> {
    let arg = arg.trim();
    if let Ok(day) = NaiveDate::parse_from_str(arg, "%Y-%m-%d") {
        return Ok((day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(), true));
    }
    match DateTime::parse_from_rfc3339(arg) {
        Ok(t) => Ok((t.with_timezone(&Utc), false)),
        Err(_) => bail!("{arg:?} is not a date (YYYY-MM-DD) or an RFC 3339 time (2021-12-03T21:15:00Z)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn since(arg: &str) -> Result<String> {
        super::since(arg).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    fn until(arg: &str) -> Result<String> {
        super::until(arg).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    }

    #[test]
    fn days_and_times() {
        assert_eq!(since("2021-12-03").unwrap(), "2021-12-03T00:00:00Z");
        assert_eq!(until("2021-12-03").unwrap(), "2021-12-04T00:00:00Z");
        assert_eq!(until("2021-12-31").unwrap(), "2022-01-01T00:00:00Z");
        assert_eq!(since("2021-12-03T22:15:00+01:00").unwrap(), "2021-12-03T21:15:00Z");
        assert_eq!(until("2021-12-03T21:15:00Z").unwrap(), "2021-12-03T21:15:01Z");
        assert!(since("yesterday").is_err());
    }
}
