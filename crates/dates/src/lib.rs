//! The one date parser of Gazette: feed dates, `<meta>` and JSON-LD values, and date lines in page text.
//!
//! - [`parse`] reads a whole value: RFC 3339 / ISO 8601 and its deviations (space for `T`, no seconds, `+0000`, no
//!   zone), RFC 822/2822 and its deviations (missing seconds, named zones, day and month names in other languages,
//!   two-digit years), numeric days (`03.12.2021`, `2021/12/03`, `20211203`) and written ones ("3. Dezember 2021",
//!   "December 3, 2021 4:15 PM EST").
//! - [`find`] finds the dates written in running text ("Posted on 3 December 2021 at 14:05", "vor 2 Stunden").
//!
//! A [`Stamp`] keeps the day as the publisher wrote it (so a day is never shifted by a zone conversion), how precise
//! the value was, and its zone when one was given; [`Stamp::utc`] is the instant the program stores. A time without a
//! zone is taken as UTC. Plausibility (not after the fetch, not before the web) is the caller's: [`plausible`].

mod names;
mod text;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

pub use names::month;
pub use text::{find, find_with, Found};

/// How much of a date a value gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Precision {
    Year,
    Month,
    Day,
    /// A day and a time of day.
    Time,
}

/// A parsed date: the local date and time as written, its zone if one was given, and its precision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub local: NaiveDateTime,
    /// Seconds east of UTC, when the value named a zone.
    pub offset: Option<i32>,
    pub precision: Precision,
}

impl Stamp {
    fn new(local: NaiveDateTime, offset: Option<i32>, precision: Precision) -> Stamp {
        Stamp {
            local,
            offset,
            precision,
        }
    }

    fn day(d: NaiveDate) -> Stamp {
        Stamp::new(d.and_time(NaiveTime::MIN), None, Precision::Day)
    }

    /// The instant (a time without a zone is read as UTC).
    pub fn utc(&self) -> DateTime<Utc> {
        let offset = FixedOffset::east_opt(self.offset.unwrap_or(0)).unwrap_or(FixedOffset::east_opt(0).unwrap());
        match offset.from_local_datetime(&self.local).single() {
            Some(d) => d.with_timezone(&Utc),
            None => self.local.and_utc(),
        }
    }

    /// The calendar day as the publisher wrote it.
    pub fn date(&self) -> NaiveDate {
        self.local.date()
    }

    /// Whether the value names a day (a day alone or a day and a time).
    pub fn has_day(&self) -> bool {
        self.precision >= Precision::Day
    }
}

/// The earliest plausible date of a web page (the first web site went up in 1991).
pub fn web_epoch() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(1991, 1, 1, 0, 0, 0).unwrap()
}

/// Whether a date can be a web page's: not before the web, not after `now` plus `skew` (clocks and zones differ). A
/// CMS's zero date (`0001-01-01`, `1970-01-01T00:00:00Z`) fails this.
pub fn plausible(d: DateTime<Utc>, now: DateTime<Utc>, skew: chrono::Duration) -> bool {
    d >= web_epoch() && d <= now + skew
}

/// Parses a date value; `None` when nothing sensible can be read. Values naming less than a day (`2021`,
/// `2021-12`) are returned with that [`Precision`].
pub fn parse(input: &str) -> Option<Stamp> {
    let s = input.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(Stamp::new(
            d.naive_local(),
            Some(d.offset().local_minus_utc()),
            Precision::Time,
        ));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(Stamp::new(
            d.naive_local(),
            Some(d.offset().local_minus_utc()),
            Precision::Time,
        ));
    }
    if s.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        if let Some(d) = parse_numeric(s) {
            return Some(d);
        }
    }
    if let Some(d) = parse_822_like(s) {
        return Some(d);
    }
    // Anything else that is one written date, perhaps with words around it ("Stand: 3. Dezember 2021, 14:05 Uhr").
    let now = Utc::now();
    let found = find(s, now);
    match found.as_slice() {
        [one] if !one.relative => Some(one.stamp),
        _ => None,
    }
}

/// Parses a date value to an instant; `None` unless it names at least a day. This is what feeds use.
pub fn parse_date(input: &str) -> Option<DateTime<Utc>> {
    parse(input).filter(Stamp::has_day).map(|s| s.utc())
}

/// ISO 8601 variants (space instead of `T`, missing seconds, `+0000` offsets, no zone, date only, year-month, year),
/// compact `20211203`, and day-first `03.12.2021 [21:15[:00]]`.
fn parse_numeric(s: &str) -> Option<Stamp> {
    for fmt in ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%d.%m.%Y, %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Stamp::new(d, None, Precision::Time));
        }
    }
    for fmt in ["%d.%m.%Y", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(Stamp::day(d));
        }
    }
    let mut t = s.to_string();
    for suffix in [" GMT", " UTC", " UT", " Z"] {
        if let Some(stripped) = t.strip_suffix(suffix) {
            t = format!("{stripped}Z");
        }
    }
    let mut t = t.replacen(' ', "T", 1);
    if t.ends_with('Z') || t.ends_with('z') {
        t.pop();
        t.push_str("+00:00");
    }
    let t = t.replace("T+", "+").replace(" +", "+").replace(" -", "-");
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f%:z",
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%:z",
        "%Y-%m-%dT%H:%M%z",
        "%Y-%m-%dT%H%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(&t, fmt) {
            return Some(Stamp::new(
                d.naive_local(),
                Some(d.offset().local_minus_utc()),
                Precision::Time,
            ));
        }
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%dT%H:%M:%S",
        "%Y/%m/%dT%H:%M",
        "%Y%m%dT%H%M%S",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Some(Stamp::new(d, None, Precision::Time));
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(Stamp::day(d));
        }
    }
    let b = s.as_bytes();
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return NaiveDate::parse_from_str(s, "%Y%m%d").ok().map(Stamp::day);
    }
    // "2021-12" and "2021": less than a day.
    if b.len() == 7 && b[4] == b'-' {
        let y: i32 = s[..4].parse().ok()?;
        let m: u32 = s[5..].parse().ok()?;
        return NaiveDate::from_ymd_opt(y, m, 1)
            .map(|d| Stamp::new(d.and_time(NaiveTime::MIN), None, Precision::Month));
    }
    if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        let y: i32 = s.parse().ok()?;
        return NaiveDate::from_ymd_opt(y, 1, 1).map(|d| Stamp::new(d.and_time(NaiveTime::MIN), None, Precision::Year));
    }
    None
}

/// RFC 822-ish: `[Day,] DD Mon YYYY HH:MM[:SS] [AM|PM] [zone]`, also `Mon DD[,] YYYY ...` and `DD-Mon-YYYY`.
fn parse_822_like(s: &str) -> Option<Stamp> {
    // A leading day name (any language) ends at the first comma, or is a lone alphabetic token.
    let mut s = s;
    if let Some((head, tail)) = s.split_once(',') {
        if !head.chars().any(|c| c.is_ascii_digit()) {
            s = tail;
        }
    }
    let mut tokens: Vec<&str> = Vec::with_capacity(8);
    for t in s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        // "03-Dec-2021" -> three tokens; keep "-0500" offsets and "2021-12-03" alone.
        let parts: Vec<&str> = t.split('-').collect();
        if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) && month(parts[1]).is_some() {
            tokens.extend(parts);
        } else {
            tokens.push(t);
        }
    }
    if tokens
        .first()
        .is_some_and(|t| t.chars().all(char::is_alphabetic) && month(t).is_none())
    {
        tokens.remove(0);
    }
    let day_of = |t: &str| -> Option<u32> { t.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok() };
    let (day, mon, rest) = match tokens.as_slice() {
        [a, b, rest @ ..] if month(b).is_some() => (day_of(a)?, month(b)?, rest),
        [a, b, rest @ ..] if month(a).is_some() => (day_of(b)?, month(a)?, rest),
        _ => return None,
    };
    let (year_tok, rest) = rest.split_first()?;
    if !(year_tok.len() == 2 || year_tok.len() == 4) {
        return None;
    }
    let mut year: i32 = year_tok.parse().ok()?;
    if year_tok.len() == 2 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut rest = rest.iter();
    let mut time = NaiveTime::MIN;
    let mut precision = Precision::Day;
    let mut zone_tok: Option<&&str> = None;
    if let Some(tok) = rest.next() {
        if tok.contains(':') {
            time = parse_time(tok)?;
            precision = Precision::Time;
            zone_tok = rest.next();
            // "9:15 PM"
            if let Some(meridiem) = zone_tok.map(|z| z.to_ascii_lowercase()) {
                let pm = match meridiem.trim_end_matches('.').replace('.', "").as_str() {
                    "am" => Some(false),
                    "pm" => Some(true),
                    _ => None,
                };
                if let Some(pm) = pm {
                    time = with_meridiem(time, pm)?;
                    zone_tok = rest.next();
                }
            }
        } else {
            zone_tok = Some(tok);
        }
    }
    let offset = zone_tok.and_then(|z| names::zone_offset(z));
    let date = NaiveDate::from_ymd_opt(year, mon, day)?;
    Some(Stamp::new(date.and_time(time), offset.or(Some(0)), precision))
}

/// `21:15`, `21:15:00`, `9.15` is not a time; a zone glued to the time (`21:15:00Z`) is ignored here.
pub(crate) fn parse_time(tok: &str) -> Option<NaiveTime> {
    let tok = tok.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let mut parts = tok.split(':');
    let h: u32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.get(..2)?.parse().ok()?;
    let sec: u32 = match parts.next() {
        Some(s) => s.get(..2).unwrap_or(s).parse().ok()?,
        None => 0,
    };
    // A leap second (":60") is read as :59.
    NaiveTime::from_hms_opt(h, m, sec.min(59))
}

pub(crate) fn with_meridiem(time: NaiveTime, pm: bool) -> Option<NaiveTime> {
    if time.hour() > 12 {
        return Some(time);
    }
    time.with_hour(time.hour() % 12 + if pm { 12 } else { 0 })
}

/// A two-digit year as written in day-first dates ("03.12.21").
pub(crate) fn full_year(y: i32, digits: usize) -> i32 {
    if digits == 2 {
        y + if y < 70 { 2000 } else { 1900 }
    } else {
        y
    }
}

/// Days in a month (for a day-first/month-first guess).
pub(crate) fn valid_day(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).filter(|d| d.year() > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> String {
        parse_date(s).map(|d| d.to_rfc3339()).unwrap_or_else(|| "none".into())
    }

    #[test]
    fn standard() {
        assert_eq!(p("Fri, 03 Dec 2021 21:15:00 GMT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03T21:15:00Z"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03T23:15:00.123+02:00"), "2021-12-03T21:15:00.123+00:00");
    }

    #[test]
    fn deviations() {
        assert_eq!(p("Fri, 03 Dec 2021 21:15 GMT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Fri, 3 Dec 2021 16:15:00 EST"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Fri, 03 Dec 2021 14:15:00 PDT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Fri, 03 Dec 2021 21:15:00 Z"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Vendredi, 03 Dec 2021 21:15:00 +0000"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Fr, 03 Dez 2021 22:15:00 +0100"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("vie, 03 dic 2021 21:15:00 GMT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Friday, 03-Dec-21 21:15:00 UTC"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("03 Dec 2021"), "2021-12-03T00:00:00+00:00");
        assert_eq!(p("Dec 3, 2021 21:15:00 GMT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03 21:15:00"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03T21:15Z"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03T22:15:00+0100"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03"), "2021-12-03T00:00:00+00:00");
        assert_eq!(p("Fri, 03 Dec 2021 21:15:00 GMT+00:00"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("Wed, 02 Oct 2002 15:00:00 +0200 (CEST)"), "2002-10-02T13:00:00+00:00");
        assert_eq!(p("Friday, December 3, 2021 4:15 PM EST"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("December 3, 2021 12:05 a.m."), "2021-12-03T00:05:00+00:00");
        assert_eq!(p("December 3, 2021"), "2021-12-03T00:00:00+00:00");
        assert_eq!(p("2021-12-03T21:15:00 GMT"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03 21:15:00 UTC"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("03.12.2021 21:15"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("03.12.2021"), "2021-12-03T00:00:00+00:00");
    }

    #[test]
    fn metadata_forms() {
        // Forms met in <meta> and JSON-LD values (formerly parsed by a second parser in the extractor).
        assert_eq!(p("2021/12/03"), "2021-12-03T00:00:00+00:00");
        assert_eq!(p("20211203"), "2021-12-03T00:00:00+00:00");
        assert_eq!(p("2021-12-03T21:15:00.000000"), "2021-12-03T21:15:00+00:00");
        assert_eq!(p("2021-12-03T21:15:00.5+0000"), "2021-12-03T21:15:00.500+00:00");
        assert_eq!(p("3. Dezember 2021, 22:15 Uhr"), "2021-12-03T22:15:00+00:00");
        assert_eq!(p("Stand: 03.12.2021"), "2021-12-03T00:00:00+00:00");
        assert_eq!(parse("2021-12").map(|s| s.precision), Some(Precision::Month));
        assert_eq!(parse("2021").map(|s| s.precision), Some(Precision::Year));
        assert_eq!(p("2021"), "none");
    }

    #[test]
    fn the_written_day_is_kept_beside_the_instant() {
        let s = parse("2021-12-04T00:30:00+01:00").unwrap();
        assert_eq!(s.date(), NaiveDate::from_ymd_opt(2021, 12, 4).unwrap());
        assert_eq!(s.utc().date_naive(), NaiveDate::from_ymd_opt(2021, 12, 3).unwrap());
        assert_eq!(s.precision, Precision::Time);
    }

    #[test]
    fn zero_dates_are_implausible() {
        let now = Utc.with_ymd_and_hms(2024, 1, 1, 0, 0, 0).unwrap();
        let skew = chrono::Duration::hours(26);
        for zero in ["0001-01-01T00:00:00Z", "0001-01-01", "1970-01-01T00:00:00Z"] {
            let d = parse_date(zero);
            assert!(d.is_none_or(|d| !plausible(d, now, skew)), "{zero}");
        }
        assert!(!plausible(parse_date("2024-02-01").unwrap(), now, skew));
        assert!(plausible(parse_date("2023-12-31T23:00:00Z").unwrap(), now, skew));
    }

    #[test]
    fn garbage() {
        for s in [
            "",
            "yesterday",
            "Fri, 32 Dec 2021 21:15:00 GMT",
            "31:99",
            "2021-13-45",
            "Dec",
            "1 Dec",
        ] {
            assert_eq!(parse_date(s), None, "{s}");
        }
    }
}
