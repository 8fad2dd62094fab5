//! Rule-based OntoNotes types (DATE, TIME, MONEY, PERCENT, CARDINAL, ORDINAL) over tokens, and model labels to spans.

use super::model::{is_inside, label_type};
use super::tokenize::Token;
use super::EntityKind;

/// Token spans `(start, end, kind)` of the model's BIO labels.
pub fn model_spans(toks: &[Token], labels: &[usize]) -> Vec<(usize, usize, EntityKind)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let l = labels[i];
        if l == 0 {
            i += 1;
            continue;
        }
        let t = label_type(l);
        let mut j = i + 1;
        while j < toks.len() && is_inside(labels[j]) && label_type(labels[j]) == t {
            j += 1;
        }
        let kind = match t {
            1 => EntityKind::Person,
            2 => EntityKind::Organisation,
            3 => EntityKind::Location,
            _ => EntityKind::Misc,
        };
        out.push((i, j, kind));
        i = j;
    }
    out
}

const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan.",
    "feb.",
    "mar.",
    "apr.",
    "jun.",
    "jul.",
    "aug.",
    "sep.",
    "sept.",
    "oct.",
    "nov.",
    "dec.",
];
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "weekend",
];
const RELATIVE_DAYS: &[&str] = &["today", "yesterday", "tomorrow"];
const PERIODS: &[&str] = &[
    "week", "month", "year", "decade", "century", "quarter", "weekend", "spring", "summer", "fall", "autumn", "winter",
];
const TIMES_OF_DAY: &[&str] = &["morning", "afternoon", "evening", "night"];
const ORDINALS: &[&str] = &[
    "first",
    "second",
    "third",
    "fourth",
    "fifth",
    "sixth",
    "seventh",
    "eighth",
    "ninth",
    "tenth",
    "eleventh",
    "twelfth",
    "twentieth",
    "hundredth",
];
const NUMBER_WORDS: &[&str] = &[
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
    "forty",
    "fifty",
    "sixty",
    "seventy",
    "eighty",
    "ninety",
    "hundred",
    "thousand",
    "dozen",
    "dozens",
    "hundreds",
    "thousands",
];
const SCALES: &[&str] = &["hundred", "thousand", "million", "billion", "trillion", "mln", "bln"];
const CURRENCY_SYMBOLS: &[&str] = &["$", "US$", "€", "£", "¥", "C$", "A$", "HK$", "₩", "₹"];
const CURRENCY_WORDS: &[&str] = &[
    "dollar", "dollars", "euro", "euros", "pound", "pounds", "yen", "yuan", "won", "rupees", "rupee", "francs",
    "marks", "pesos", "roubles", "rubles", "cents",
];

fn is_number(t: &str) -> bool {
    let t = t.trim_start_matches(['+', '-']);
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, ',' | '.' | ':'))
}

fn is_numeric_word(t: &str) -> bool {
    is_number(t) || NUMBER_WORDS.contains(&t) || SCALES.contains(&t) || is_hyphen_number(t)
}

/// `twenty-five`
fn is_hyphen_number(t: &str) -> bool {
    t.contains('-') && t.split('-').all(|p| NUMBER_WORDS.contains(&p))
}

fn is_year(t: &str) -> bool {
    t.len() == 4 && t.chars().all(|c| c.is_ascii_digit()) && (t.starts_with("1") || t.starts_with("20"))
}

fn is_ordinal(t: &str) -> bool {
    if ORDINALS.contains(&t) {
        return true;
    }
    let digits = t.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &t[digits.len()..];
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && matches!(suffix, "st" | "nd" | "rd" | "th")
}

/// Token spans of DATE, TIME, MONEY, PERCENT, CARDINAL and ORDINAL expressions (OntoNotes style).
pub fn numeric_spans(toks: &[Token]) -> Vec<(usize, usize, EntityKind)> {
    let low: Vec<std::borrow::Cow<str>> = toks
        .iter()
        .map(|t| {
            if t.text.chars().any(char::is_uppercase) {
                std::borrow::Cow::Owned(t.text.to_lowercase())
            } else {
                std::borrow::Cow::Borrowed(t.text.as_str())
            }
        })
        .collect();
    let w = |i: usize| -> &str { low.get(i).map(|c| c.as_ref()).unwrap_or("") };
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if let Some((end, kind)) = match_at(&w, i, toks) {
            out.push((i, end, kind));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

fn numeric_run<'a>(w: &impl Fn(usize) -> &'a str, mut j: usize) -> usize {
    while is_numeric_word(w(j)) || (w(j) == "and" && is_numeric_word(w(j + 1)) && is_numeric_word(w(j.wrapping_sub(1))))
    {
        j += 1;
    }
    j
}

fn match_at<'a>(w: &impl Fn(usize) -> &'a str, i: usize, toks: &[Token]) -> Option<(usize, EntityKind)> {
    let t = w(i);
    let orig = toks[i].text.as_str();
    // MONEY: $4.2 billion, US$ 5, 30 million dollars
    if CURRENCY_SYMBOLS.contains(&orig) && is_number(w(i + 1)) {
        return Some((numeric_run(w, i + 1), EntityKind::Money));
    }
    if is_numeric_word(t) && (t != "one" || is_numeric_word(w(i + 1))) {
        let end = numeric_run(w, i);
        if matches!(w(end), "%" | "percent" | "pct") {
            return Some((end + 1, EntityKind::Percent));
        }
        if w(end) == "per" && w(end + 1) == "cent" {
            return Some((end + 2, EntityKind::Percent));
        }
        if w(end) == "percentage" && w(end + 1) == "points" {
            return Some((end + 2, EntityKind::Percent));
        }
        if CURRENCY_WORDS.contains(&w(end)) {
            return Some((end + 1, EntityKind::Money));
        }
        // TIME: 10:30 a.m., 3 p.m.
        if matches!(w(end), "a.m." | "p.m." | "am" | "pm" | "gmt" | "utc" | "edt" | "est") {
            return Some((end + 1, EntityKind::Time));
        }
        if t.contains(':') && end == i + 1 {
            return Some((end, EntityKind::Time));
        }
        // DATE: 17 March 2021, 2030, 1996-08-22
        if end == i + 1 && MONTHS.contains(&w(end)) {
            let mut e = end + 1;
            if is_year(w(e)) {
                e += 1;
            }
            return Some((e, EntityKind::Date));
        }
        if end == i + 1 && is_year(t) {
            return Some((end, EntityKind::Date));
        }
        if end == i + 1 && matches!(w(end), "years" | "days" | "months" | "weeks" | "decades") && w(end + 1) == "ago" {
            return Some((end + 2, EntityKind::Date));
        }
        return Some((end, EntityKind::Cardinal));
    }
    if is_iso_date(t) {
        return Some((i + 1, EntityKind::Date));
    }
    if is_ordinal(t) {
        return Some((i + 1, EntityKind::Ordinal));
    }
    // DATE: March 17, 2021 / January / March 2021
    if MONTHS.contains(&t) && (orig.starts_with(char::is_uppercase)) {
        if t == "may" && !(is_number(w(i + 1)) || is_year(w(i + 1))) {
            return None; // the modal verb
        }
        let mut e = i + 1;
        if is_number(w(e)) && w(e).len() <= 2 {
            e += 1;
            if w(e) == "," && is_year(w(e + 1)) {
                e += 2;
            } else if is_year(w(e)) {
                e += 1;
            }
        } else if is_year(w(e)) {
            e += 1;
        }
        return Some((e, EntityKind::Date));
    }
    if WEEKDAYS.contains(&t) && orig.starts_with(char::is_uppercase) || RELATIVE_DAYS.contains(&t) {
        if TIMES_OF_DAY.contains(&w(i + 1)) {
            return Some((i + 2, EntityKind::Time));
        }
        return Some((i + 1, EntityKind::Date));
    }
    if t == "tonight" {
        return Some((i + 1, EntityKind::Time));
    }
    // this week, last month, earlier this year, next year
    if matches!(t, "this" | "last" | "next" | "past") && PERIODS.contains(&w(i + 1)) {
        return Some((i + 2, EntityKind::Date));
    }
    if t == "this" && TIMES_OF_DAY.contains(&w(i + 1)) {
        return Some((i + 2, EntityKind::Time));
    }
    None
}

fn is_iso_date(t: &str) -> bool {
    let p: Vec<&str> = t.split('-').collect();
    p.len() == 3 && p[0].len() == 4 && p.iter().all(|x| !x.is_empty() && x.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::tokenize::tokenize;

    fn spans(s: &str) -> Vec<(String, EntityKind)> {
        let toks = tokenize(s);
        numeric_spans(&toks)
            .into_iter()
            .map(|(a, b, k)| {
                (
                    toks[a..b].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" "),
                    k,
                )
            })
            .collect()
    }

    #[test]
    fn numbers_and_dates() {
        use EntityKind::*;
        assert_eq!(
            spans("On March 17, 2021, the 53rd meeting"),
            [("March 17 , 2021".to_string(), Date), ("53rd".to_string(), Ordinal)]
        );
        assert_eq!(
            spans("at least 1,000 warheads by 2030."),
            [("1,000".to_string(), Cardinal), ("2030".to_string(), Date)]
        );
        assert_eq!(
            spans("$4.2 billion or 3.5% on Friday at 10:30 a.m."),
            [
                ("$ 4.2 billion".to_string(), Money),
                ("3.5 %".to_string(), Percent),
                ("Friday".to_string(), Date),
                ("10:30 a.m.".to_string(), Time)
            ]
        );
        assert_eq!(
            spans("It may rain. Earlier this week two men"),
            [("this week".to_string(), Date), ("two".to_string(), Cardinal)]
        );
    }
}
