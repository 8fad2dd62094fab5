//! Query parameters as people and scripts type them, each read with a message that says what was wrong (a 400).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};

use crate::error::WebError;

/// The query string's parameters (the last of a repeated name wins; empty values count as absent).
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: Option<&str>) -> Params {
        Params(
            form_urlencoded::parse(query.unwrap_or("").as_bytes())
                .filter(|(_, v)| !v.trim().is_empty())
                .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
                .collect(),
        )
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A whole number at least `min`.
    pub fn number(&self, name: &str, min: i64) -> Result<Option<i64>, WebError> {
        let Some(v) = self.text(name) else {
            return Ok(None);
        };
        match v.parse::<i64>() {
            Ok(n) if n >= min => Ok(Some(n)),
            _ => Err(WebError::BadRequest(format!(
                "{name}: {v:?} is not a whole number of at least {min}"
            ))),
        }
    }

    /// A day, `YYYY-MM-DD`.
    pub fn day(&self, name: &str) -> Result<Option<NaiveDate>, WebError> {
        self.text(name).map(|v| day(name, v)).transpose()
    }

    /// The page number (from 1) and the offset of its first row.
    pub fn page(&self, per_page: i64) -> Result<(i64, i64), WebError> {
        let page = self.number("page", 1)?.unwrap_or(1);
        if page > 10_000 {
            return Err(WebError::BadRequest("page: at most 10000".into()));
        }
        Ok((page, (page - 1) * per_page))
    }
}

/// A day as `YYYY-MM-DD`, in years 1 to 9999 (chrono would take signed years of six digits, whose ranges overflow).
pub(crate) fn day(name: &str, v: &str) -> Result<NaiveDate, WebError> {
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .ok()
        .filter(|d| (1..=9999).contains(&d.year()))
        .ok_or_else(|| WebError::BadRequest(format!("{name}: {v:?} is not a day (YYYY-MM-DD)")))
}

/// An id in a path: a positive whole number.
pub(crate) fn id(what: &str, v: &str) -> Result<i64, WebError> {
    match v.parse::<i64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(WebError::BadRequest(format!(
            "{v:?} is not {what} id (a positive whole number)"
        ))),
    }
}

/// A link to `path` with these parameters, percent-encoded (absent ones left out).
pub(crate) fn link(path: &str, pairs: &[(&str, Option<String>)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        if let Some(v) = v {
            query.append_pair(k, v);
        }
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_say_what_is_wrong() {
        let p = Params::parse(Some("n=12&bad=x&d=2021-12-03&e=2021-13-01&page=0&empty="));
        assert_eq!(p.number("n", 1).unwrap(), Some(12));
        assert!(p.number("bad", 1).is_err_and(|e| e.message().contains("bad: \"x\"")));
        assert_eq!(p.day("d").unwrap(), NaiveDate::from_ymd_opt(2021, 12, 3));
        assert!(p.day("e").is_err());
        assert!(p.page(20).is_err());
        assert_eq!(p.text("empty"), None);
        assert!(id("an article", "-1").is_err() && id("an article", "7").is_ok());
        assert_eq!(
            link("/search", &[("q", Some("a&b <c>".into())), ("feed", None)]),
            "/search?q=a%26b+%3Cc%3E"
        );
    }
}
