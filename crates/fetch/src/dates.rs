//! Feed dates: RFC 3339 and RFC 822/2822 with the deviations real feeds have (missing seconds, `Z` or named zones in
//! 822 dates, day and month names in other languages, two-digit years, ISO dates with a space or without a zone).

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc};

/// Parses a feed date; `None` when nothing sensible can be read.
pub fn parse_date(input: &str) -> Option<DateTime<Utc>> {
    let s = input.trim();
    if s.is_empty() || s.len() > 100 {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.with_timezone(&Utc));
    }
    if s.as_bytes().first().is_some_and(|b| b.is_ascii_digit()) {
        if let Some(d) = parse_iso_like(s) {
            return Some(d);
        }
    }
    parse_822_like(s)
}

/// ISO 8601 variants: space instead of `T`, missing seconds, `+0000` offsets, no zone (taken as UTC), date only.
fn parse_iso_like(s: &str) -> Option<DateTime<Utc>> {
    for fmt in ["%d.%m.%Y %H:%M:%S", "%d.%m.%Y %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%d.%m.%Y") {
        return Some(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
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
    ] {
        if let Ok(d) = DateTime::parse_from_str(&t, fmt) {
            return Some(d.with_timezone(&Utc));
        }
    }
    for fmt in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y/%m/%dT%H:%M:%S"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(&t, fmt) {
            return Some(Utc.from_utc_datetime(&d));
        }
    }
    for fmt in ["%Y-%m-%d", "%Y/%m/%d", "%Y%m%d"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return Some(Utc.from_utc_datetime(&d.and_time(NaiveTime::MIN)));
        }
    }
    None
}

/// RFC 822-ish: `[Day,] DD Mon YYYY HH:MM[:SS] [zone]`, also `Mon DD YYYY ...` and `DD-Mon-YYYY`.
fn parse_822_like(s: &str) -> Option<DateTime<Utc>> {
    // A leading day name (any language) ends at the first comma, or is a lone alphabetic token.
    let mut s = s;
    if let Some((head, tail)) = s.split_once(',') {
        if !head.chars().any(|c| c.is_ascii_digit()) {
            s = tail;
        }
    }
    let mut tokens: Vec<String> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .flat_map(|t| {
            // "03-Dec-2021" → three tokens; keep "-0500" offsets and "2021-12-03" alone.
            let parts: Vec<&str> = t.split('-').collect();
            if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) && month(parts[1]).is_some() {
                parts.into_iter().map(String::from).collect()
            } else {
                vec![t.to_string()]
            }
        })
        .collect();
    if tokens
        .first()
        .is_some_and(|t| t.chars().all(char::is_alphabetic) && month(t).is_none())
    {
        tokens.remove(0);
    }
    let (day, mon, rest) = match tokens.as_slice() {
        [a, b, rest @ ..] if month(b).is_some() => (a.parse::<u32>().ok()?, month(b)?, rest),
        [a, b, rest @ ..] if month(a).is_some() => (
            b.trim_end_matches(|c: char| !c.is_ascii_digit()).parse().ok()?,
            month(a)?,
            rest,
        ),
        _ => return None,
    };
    let (year_tok, rest) = rest.split_first()?;
    let mut year: i32 = year_tok.parse().ok()?;
    if year_tok.len() <= 2 {
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut rest = rest.iter();
    let mut time = NaiveTime::MIN;
    let mut zone_tok: Option<&String> = None;
    if let Some(tok) = rest.next() {
        if tok.contains(':') {
            time = parse_time(tok)?;
            zone_tok = rest.next();
            // "9:15 PM"
            if let Some(meridiem) = zone_tok.map(|z| z.to_ascii_lowercase()) {
                let pm = match meridiem.trim_end_matches('.').replace('.', "").as_str() {
                    "am" => Some(false),
                    "pm" => Some(true),
                    _ => None,
                };
                if let Some(pm) = pm {
                    let h = time.hour() % 12 + if pm { 12 } else { 0 };
                    time = time.with_hour(h)?;
                    zone_tok = rest.next();
                }
            }
        } else {
            zone_tok = Some(tok);
        }
    }
    let offset = match zone_tok {
        Some(z) => zone_offset(z).unwrap_or(0),
        None => 0,
    };
    let date = NaiveDate::from_ymd_opt(year, mon, day)?;
    let naive = date.and_time(time);
    let tz = FixedOffset::east_opt(offset)?;
    tz.from_local_datetime(&naive).single().map(|d| d.with_timezone(&Utc))
}

fn parse_time(tok: &str) -> Option<NaiveTime> {
    // Some feeds glue the zone to the time ("21:15:00Z", "21:15:00+0100"); the zone is then ignored here.
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

fn month(tok: &str) -> Option<u32> {
    let t = tok.trim_end_matches('.').to_lowercase();
    if t.len() < 3 {
        return None;
    }
    const MONTHS: &[(&[&str], u32)] = &[
        (
            &[
                "jan", "janv", "january", "janvier", "januar", "enero", "ene", "gennaio", "gen", "janeiro", "januari",
            ],
            1,
        ),
        (
            &[
                "feb",
                "febr",
                "february",
                "févr",
                "fev",
                "février",
                "fevrier",
                "februar",
                "febrero",
                "febbraio",
                "fevereiro",
                "februari",
            ],
            2,
        ),
        (
            &[
                "mar", "march", "mars", "märz", "maerz", "mär", "marzo", "março", "marco", "maart", "mrt",
            ],
            3,
        ),
        (&["apr", "april", "avr", "avril", "abril", "abr", "aprile"], 4),
        (&["may", "mai", "mayo", "maggio", "mag", "maio", "mei"], 5),
        (&["jun", "june", "juin", "juni", "junio", "giugno", "giu", "junho"], 6),
        (
            &[
                "jul", "july", "juil", "juillet", "juli", "julio", "luglio", "lug", "julho",
            ],
            7,
        ),
        (&["aug", "august", "août", "aout", "agosto", "ago", "augustus"], 8),
        (
            &[
                "sep",
                "sept",
                "september",
                "septembre",
                "septiembre",
                "settembre",
                "set",
                "setembro",
            ],
            9,
        ),
        (
            &[
                "oct", "october", "octobre", "okt", "oktober", "octubre", "ottobre", "ott", "outubro", "out",
            ],
            10,
        ),
        (&["nov", "november", "novembre", "noviembre", "novembro"], 11),
        (
            &[
                "dec",
                "december",
                "déc",
                "décembre",
                "decembre",
                "dez",
                "dezember",
                "dic",
                "diciembre",
                "dicembre",
                "dezembro",
            ],
            12,
        ),
    ];
    MONTHS
        .iter()
        .find(|(names, _)| names.contains(&t.as_str()))
        .map(|(_, m)| *m)
}

/// Offset in seconds east of UTC for a numeric or named zone.
fn zone_offset(z: &str) -> Option<i32> {
    let z = z.trim_matches(|c| c == '(' || c == ')');
    let upper = z.to_ascii_uppercase();
    let numeric = upper.trim_start_matches("GMT").trim_start_matches("UTC");
    if let Some(sign) = numeric.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = numeric[1..].chars().filter(|c| c.is_ascii_digit()).collect();
        let (h, m) = match digits.len() {
            1 | 2 => (digits.parse::<i32>().ok()?, 0),
            3 => (digits[..1].parse::<i32>().ok()?, digits[1..].parse::<i32>().ok()?),
            4 => (digits[..2].parse::<i32>().ok()?, digits[2..].parse::<i32>().ok()?),
            _ => return None,
        };
        if h > 14 || m > 59 {
            return None;
        }
        let secs = h * 3600 + m * 60;
        return Some(if sign == '-' { -secs } else { secs });
    }
    let hours: f32 = match upper.as_str() {
        "GMT" | "UT" | "UTC" | "Z" | "WET" | "Z0" => 0.0,
        "EST" => -5.0,
        "EDT" => -4.0,
        "CST" => -6.0,
        "CDT" => -5.0,
        "MST" => -7.0,
        "MDT" => -6.0,
        "PST" => -8.0,
        "PDT" => -7.0,
        "AKST" => -9.0,
        "AKDT" => -8.0,
        "HST" => -10.0,
        "AST" => -4.0,
        "ADT" => -3.0,
        "NST" => -3.5,
        "NDT" => -2.5,
        "BST" | "CET" | "MET" | "WEST" => 1.0,
        "CEST" | "MEST" | "EET" | "SAST" => 2.0,
        "EEST" | "MSK" => 3.0,
        "IST" => 5.5,
        "SGT" | "HKT" | "AWST" | "CST8" => 8.0,
        "JST" | "KST" => 9.0,
        "ACST" => 9.5,
        "AEST" => 10.0,
        "ACDT" => 10.5,
        "AEDT" => 11.0,
        "NZST" => 12.0,
        "NZDT" => 13.0,
        _ => return None,
    };
    Some((hours * 3600.0) as i32)
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
