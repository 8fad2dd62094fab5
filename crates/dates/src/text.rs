//! Dates written in running text: "3. Dezember 2021", "3 de diciembre de 2021", "December 3rd, 2021 at 4:15 pm",
//! "03.12.2021 14:05", "2021-12-03", "12/03/2021", "vor 2 Stunden", "2 hours ago", "yesterday".
//!
//! The text is cut into tokens (digit runs, letter runs, single punctuation marks, each knowing whether space came
//! before it) and each token is tried as the start of one of the written forms. Years outside 1900-2100 are not
//! read as years, so version numbers and prices rarely pass for dates.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use crate::names::{month, past_after, past_before, unit_seconds, zone_offset};
use crate::{full_year, parse_time, valid_day, with_meridiem, Precision, Stamp};

/// A date found in text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found {
    pub stamp: Stamp,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Resolved against `now` ("2 hours ago", "yesterday").
    pub relative: bool,
}

#[derive(Debug, Clone, Copy)]
enum Tok<'a> {
    /// Value (saturated) and number of digits.
    Num(u32, usize),
    Word(&'a str),
    Mark(char),
}

#[derive(Debug, Clone, Copy)]
struct Token<'a> {
    tok: Tok<'a>,
    start: usize,
    end: usize,
    /// Whitespace between this token and the previous one.
    spaced: bool,
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let mut it = text.char_indices().peekable();
    let mut spaced = true;
    while let Some((i, c)) = it.next() {
        if c.is_whitespace() {
            spaced = true;
            continue;
        }
        let (tok, end) = if c.is_ascii_digit() {
            let (mut v, mut n, mut end) = (c as u32 - '0' as u32, 1usize, i + 1);
            while let Some(&(j, d)) = it.peek() {
                if !d.is_ascii_digit() {
                    break;
                }
                v = v.saturating_mul(10).saturating_add(d as u32 - '0' as u32);
                n += 1;
                end = j + 1;
                it.next();
            }
            (Tok::Num(v, n), end)
        } else if c.is_alphabetic() {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if !d.is_alphabetic() {
                    break;
                }
                end = j + d.len_utf8();
                it.next();
            }
            (Tok::Word(&text[i..end]), end)
        } else {
            (Tok::Mark(c), i + c.len_utf8())
        };
        out.push(Token {
            tok,
            start: i,
            end,
            spaced,
        });
        spaced = false;
    }
    out
}

/// Finds the dates in `text` (day-first where `03/04/2021` is ambiguous); relative ones are resolved against `now`.
pub fn find(text: &str, now: DateTime<Utc>) -> Vec<Found> {
    find_with(text, now, false)
}

/// [`find`], reading ambiguous `03/04/2021` month-first when `month_first` (US English pages).
pub fn find_with(text: &str, now: DateTime<Utc>, month_first: bool) -> Vec<Found> {
    let toks = tokenize(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some((mut found, next)) = date_at(&toks, i, now, month_first) {
            let next = match (found.relative || !found.stamp.has_day(), time_at(&toks, next)) {
                (false, Some((time, offset, after))) => {
                    found.stamp.local = found.stamp.local.date().and_time(time);
                    found.stamp.precision = Precision::Time;
                    found.stamp.offset = offset;
                    after
                }
                _ => next,
            };
            found.start = toks[i].start;
            found.end = toks[next - 1].end;
            out.push(found);
            i = next;
        } else {
            i += 1;
        }
    }
    out
}

fn year_ok(y: i32) -> bool {
    (1900..=2100).contains(&y)
}

fn word_is(t: Option<&Token>, words: &[&str]) -> bool {
    matches!(t, Some(Token { tok: Tok::Word(w), .. }) if words.iter().any(|x| x.eq_ignore_ascii_case(w)))
}

fn mark_is(t: Option<&Token>, marks: &[char]) -> bool {
    matches!(t, Some(Token { tok: Tok::Mark(m), .. }) if marks.contains(m))
}

/// A four-digit year at `j` ("2021", or "2021" as part of "2021," ).
fn year4(toks: &[Token], j: usize) -> Option<i32> {
    match toks.get(j)?.tok {
        Tok::Num(y, 4) if year_ok(y as i32) => Some(y as i32),
        _ => None,
    }
}

fn day_num(toks: &[Token], j: usize) -> Option<u32> {
    match toks.get(j)?.tok {
        Tok::Num(d, 1 | 2) if (1..=31).contains(&d) => Some(d),
        _ => None,
    }
}

fn month_word(toks: &[Token], j: usize) -> Option<u32> {
    match toks.get(j)?.tok {
        Tok::Word(w) => month(w),
        _ => None,
    }
}

/// Skips an ordinal suffix glued to a day number ("3rd", "1st", "2nd", "4th", "1er", "3º").
fn skip_ordinal(toks: &[Token], j: usize) -> usize {
    match toks.get(j) {
        Some(Token {
            tok: Tok::Word(w),
            spaced: false,
            ..
        }) if ["st", "nd", "rd", "th", "er", "º", "o"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(w)) =>
        {
            j + 1
        }
        _ => j,
    }
}

fn stamp_day(d: NaiveDate) -> Stamp {
    Stamp {
        local: d.and_time(NaiveTime::MIN),
        offset: None,
        precision: Precision::Day,
    }
}

fn found(stamp: Stamp) -> Found {
    Found {
        stamp,
        start: 0,
        end: 0,
        relative: false,
    }
}

/// A date starting at token `i`, and the index after it.
fn date_at(toks: &[Token], i: usize, now: DateTime<Utc>, month_first: bool) -> Option<(Found, usize)> {
    let t = toks[i];
    match t.tok {
        Tok::Num(y, 4) if year_ok(y as i32) => {
            // 2021-12-03, 2021/12/03, 2021.12.03 (no spaces inside).
            let sep = match toks.get(i + 1)?.tok {
                Tok::Mark(c @ ('-' | '/' | '.')) => c,
                _ => return None,
            };
            let tight = |j: usize| toks.get(j).is_some_and(|t| !t.spaced);
            if !(tight(i + 1) && tight(i + 2) && tight(i + 3) && tight(i + 4) && mark_is(toks.get(i + 3), &[sep])) {
                return None;
            }
            let (Tok::Num(m, 1 | 2), Tok::Num(d, 1 | 2)) = (toks[i + 2].tok, toks[i + 4].tok) else {
                return None;
            };
            let date = valid_day(y as i32, m, d)?;
            Some((found(stamp_day(date)), i + 5))
        }
        Tok::Num(a, 1 | 2) => {
            // 03.12.2021, 3.12.21, 12/03/2021, 03-12-2021
            if let Some(Tok::Mark(sep @ ('.' | '/' | '-'))) = toks.get(i + 1).map(|t| t.tok) {
                let tight = |j: usize| toks.get(j).is_some_and(|t| !t.spaced);
                if tight(i + 1) && tight(i + 2) && tight(i + 3) && tight(i + 4) && mark_is(toks.get(i + 3), &[sep]) {
                    if let (Tok::Num(b, 1 | 2), Tok::Num(y, yd @ (2 | 4))) = (toks[i + 2].tok, toks[i + 4].tok) {
                        // A two-digit year only in the dotted day-first form with two-digit day and month.
                        let two_digit_ok = yd == 4
                            || (sep == '.'
                                && matches!(t.tok, Tok::Num(_, 2))
                                && matches!(toks[i + 2].tok, Tok::Num(_, 2)));
                        let year = full_year(y as i32, yd);
                        // A following digit or dot-digit means a version number or an IP address.
                        let more = mark_is(toks.get(i + 5), &['.', '/', '-'])
                            && toks
                                .get(i + 6)
                                .is_some_and(|t| matches!(t.tok, Tok::Num(..)) && !t.spaced);
                        if two_digit_ok && year_ok(year) && !more {
                            let (d, m) = if sep == '.' || a > 12 {
                                (a, b)
                            } else if b > 12 || month_first {
                                (b, a)
                            } else {
                                (a, b)
                            };
                            let date = valid_day(year, m, d)?;
                            return Some((found(stamp_day(date)), i + 5));
                        }
                    }
                }
            }
            // 3. Dezember 2021, 3 December 2021, 3rd of December, 2021, 3 de diciembre de 2021
            written_day_first(toks, i).or_else(|| relative_after_number(toks, i, a, now))
        }
        Tok::Num(n, _) => relative_after_number(toks, i, n, now),
        Tok::Word(w) => {
            if let Some(m) = month(w) {
                // December 3, 2021 / Dec. 3rd 2021 / December 2021
                let mut j = i + 1;
                if mark_is(toks.get(j), &['.']) {
                    j += 1;
                }
                if let Some(d) = day_num(toks, j) {
                    let mut k = skip_ordinal(toks, j + 1);
                    if mark_is(toks.get(k), &[',']) {
                        k += 1;
                    }
                    if let Some(y) = year4(toks, k) {
                        let date = valid_day(y, m, d)?;
                        return Some((found(stamp_day(date)), k + 1));
                    }
                    return None;
                }
                if mark_is(toks.get(j), &[',']) {
                    j += 1;
                }
                let y = year4(toks, j)?;
                let first = valid_day(y, m, 1)?;
                let stamp = Stamp {
                    precision: Precision::Month,
                    ..stamp_day(first)
                };
                return Some((found(stamp), j + 1));
            }
            relative_word(toks, i, w, now)
        }
        Tok::Mark(_) => None,
    }
}

/// "3. Dezember 2021", "3 December 2021", "3rd of December, 2021", "3 de diciembre de 2021" at `i`.
fn written_day_first(toks: &[Token], i: usize) -> Option<(Found, usize)> {
    let d = day_num(toks, i)?;
    let mut j = skip_ordinal(toks, i + 1);
    if mark_is(toks.get(j), &['.']) {
        j += 1;
    }
    if word_is(toks.get(j), &["de", "of", "di"]) {
        j += 1;
    }
    let m = month_word(toks, j)?;
    j += 1;
    if mark_is(toks.get(j), &['.']) {
        j += 1;
    }
    if mark_is(toks.get(j), &[',']) {
        j += 1;
    }
    if word_is(toks.get(j), &["de", "del"]) {
        j += 1;
    }
    let y = year4(toks, j)?;
    let date = valid_day(y, m, d)?;
    Some((found(stamp_day(date)), j + 1))
}

/// "2 hours ago", "2 Stunden"; the number is at `i`.
fn relative_after_number(toks: &[Token], i: usize, n: u32, now: DateTime<Utc>) -> Option<(Found, usize)> {
    let unit = match toks.get(i + 1)?.tok {
        Tok::Word(u) => unit_seconds(u)?,
        _ => return None,
    };
    let past = word_is(toks.get(i + 2), &["ago", "fa", "geleden", "sedan", "siden"])
        || matches!(toks.get(i + 2).map(|t| t.tok), Some(Tok::Word(w)) if past_after(w));
    if !past {
        return None;
    }
    Some((relative(now, n, unit), i + 3))
}

/// "vor 2 Stunden", "il y a 2 heures", "hace 2 horas", "yesterday", "heute".
fn relative_word(toks: &[Token], i: usize, w: &str, now: DateTime<Utc>) -> Option<(Found, usize)> {
    let lower = w.to_lowercase();
    let day_back = match lower.as_str() {
        "today" | "heute" | "hoy" | "oggi" | "vandaag" | "hoje" => Some(0),
        "yesterday" | "gestern" | "hier" | "ayer" | "ieri" | "gisteren" | "ontem" => Some(1),
        _ => None,
    };
    if let Some(back) = day_back {
        let date = (now - Duration::days(back)).date_naive();
        let mut f = found(stamp_day(date));
        f.relative = true;
        return Some((f, i + 1));
    }
    let mut j = i + 1;
    let before =
        past_before(w) || (lower == "il" && word_is(toks.get(i + 1), &["y"]) && word_is(toks.get(i + 2), &["a"]));
    if !before {
        return None;
    }
    if lower == "il" {
        j = i + 3;
    }
    let Tok::Num(n, _) = toks.get(j)?.tok else { return None };
    let Tok::Word(u) = toks.get(j + 1)?.tok else {
        return None;
    };
    let unit = unit_seconds(u)?;
    Some((relative(now, n, unit), j + 2))
}

fn relative(now: DateTime<Utc>, n: u32, unit: i64) -> Found {
    let secs = (n as i64).saturating_mul(unit).min(3650 * 86_400);
    let at = now - Duration::seconds(secs);
    Found {
        stamp: Stamp {
            local: at.naive_utc(),
            offset: Some(0),
            precision: if unit >= 86_400 {
                Precision::Day
            } else {
                Precision::Time
            },
        },
        start: 0,
        end: 0,
        relative: true,
    }
}

/// A time of day after a date: skips a short joiner (",", "-", "|", "um", "at", "à", "a las", "klo") and reads
/// `14:05[:00] [am|pm] [Uhr|h] [zone]`.
fn time_at(toks: &[Token], i: usize) -> Option<(NaiveTime, Option<i32>, usize)> {
    let mut j = i;
    for _ in 0..3 {
        let joiner = mark_is(toks.get(j), &[',', '-', '|', '–', '/', '·', '•', '@'])
            || word_is(
                toks.get(j),
                &["um", "at", "à", "a", "las", "klo", "kl", "alle", "ore", "o", "às"],
            );
        if !joiner {
            break;
        }
        j += 1;
    }
    let h = match toks.get(j)?.tok {
        Tok::Num(h, 1 | 2) if h < 24 => h,
        _ => return None,
    };
    if !mark_is(toks.get(j + 1), &[':', '.']) || toks.get(j + 1)?.spaced || toks.get(j + 2)?.spaced {
        return None;
    }
    let Tok::Num(m, 2) = toks.get(j + 2)?.tok else {
        return None;
    };
    let mut k = j + 3;
    let mut s = 0;
    if mark_is(toks.get(k), &[':']) {
        if let Some(Tok::Num(sec, 2)) = toks.get(k + 1).map(|t| t.tok) {
            s = sec;
            k += 2;
        }
    }
    let mut time = parse_time(&format!("{h}:{m:02}:{s:02}"))?;
    // am / pm / a.m. / p.m.
    if let Some(Tok::Word(w)) = toks.get(k).map(|t| t.tok) {
        let lw = w.to_ascii_lowercase();
        let pm = match lw.as_str() {
            "am" | "a" => Some(false),
            "pm" | "p" => Some(true),
            _ => None,
        };
        if let Some(pm) = pm {
            time = with_meridiem(time, pm)?;
            k += 1;
            // "a.m." -> a . m .
            if lw.len() == 1 && mark_is(toks.get(k), &['.']) && word_is(toks.get(k + 1), &["m"]) {
                k += 2;
                if mark_is(toks.get(k), &['.']) {
                    k += 1;
                }
            }
        }
    }
    if word_is(toks.get(k), &["uhr", "h", "hrs", "horas"]) {
        k += 1;
    }
    let mut offset = None;
    if let Some(Tok::Word(z)) = toks.get(k).map(|t| t.tok) {
        if z.len() >= 2 && z.chars().all(|c| c.is_ascii_uppercase()) {
            if let Some(o) = zone_offset(z) {
                offset = Some(o);
                k += 1;
            }
        }
    }
    Some((time, offset, k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2021, 12, 5, 12, 0, 0).unwrap()
    }

    fn days(text: &str) -> Vec<String> {
        find(text, now())
            .iter()
            .map(|f| f.stamp.local.format("%Y-%m-%d").to_string())
            .collect()
    }

    #[test]
    fn written_days_in_many_languages() {
        assert_eq!(days("Veröffentlicht am 3. Dezember 2021"), ["2021-12-03"]);
        assert_eq!(days("3 de diciembre de 2021"), ["2021-12-03"]);
        assert_eq!(days("le 3 décembre 2021 à 14h"), ["2021-12-03"]);
        assert_eq!(days("Posted on December 3rd, 2021 by Jane"), ["2021-12-03"]);
        assert_eq!(days("Dec. 3, 2021"), ["2021-12-03"]);
        assert_eq!(days("3 grudnia 2021"), ["2021-12-03"]);
        assert_eq!(days("3 декабря 2021 г."), ["2021-12-03"]);
        assert_eq!(days("Stand: 03.12.2021, 14:05 Uhr"), ["2021-12-03"]);
        assert_eq!(days("03.12.21"), ["2021-12-03"]);
        assert_eq!(days("2021-12-03 and 2021/12/04"), ["2021-12-03", "2021-12-04"]);
    }

    #[test]
    fn times_after_days() {
        let f = find("December 3, 2021 at 4:15 p.m. EST", now());
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].stamp.precision, Precision::Time);
        assert_eq!(f[0].stamp.utc().to_rfc3339(), "2021-12-03T21:15:00+00:00");
        let f = find("03.12.2021 um 14:05 Uhr", now());
        assert_eq!(f[0].stamp.local.format("%H:%M").to_string(), "14:05");
    }

    #[test]
    fn month_first_and_day_first() {
        assert_eq!(days("12/03/2021"), ["2021-03-12"]);
        assert_eq!(
            find_with("12/03/2021", now(), true)[0].stamp.local.date().to_string(),
            "2021-12-03"
        );
        assert_eq!(days("25/12/2021"), ["2021-12-25"]);
        assert_eq!(days("12/25/2021"), ["2021-12-25"]);
    }

    #[test]
    fn relative_dates_resolve_against_now() {
        let f = find("vor 2 Stunden", now());
        assert!(f[0].relative);
        assert_eq!(f[0].stamp.utc().to_rfc3339(), "2021-12-05T10:00:00+00:00");
        assert_eq!(days("3 days ago"), ["2021-12-02"]);
        assert_eq!(days("il y a 2 jours"), ["2021-12-03"]);
        assert_eq!(days("gestern"), ["2021-12-04"]);
    }

    #[test]
    fn months_alone_and_non_dates() {
        let f = find("Archive: December 2021", now());
        assert_eq!(f[0].stamp.precision, Precision::Month);
        assert!(days("version 1.2.2021.4, 10.0.0.1, price 3.50, May I?").is_empty());
        assert!(days("32.12.2021 0001-01-01 2021-13-45").is_empty());
    }
}
