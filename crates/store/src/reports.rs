//! Reports: the fixed questions behind `gazette export`, with their filters and what each accepts. Every backend
//! answers the same reports with the same columns (the SQLite statements are in `sqlite/reports.rs`).

use chrono::{DateTime, NaiveDate, Timelike, Utc};

use crate::EntityType;

/// The reports `gazette export` knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    /// One row per article.
    Articles,
    /// One row per mention, with its entity.
    Mentions,
    /// Per entity: mentions and articles in the range.
    Entities,
    /// Pairs of named entities in the same articles, with the number of articles.
    Cooccurrence,
    /// Per day and entity: mentions and articles.
    Timeline,
    /// Quotes with speaker and article.
    Quotes,
    /// Feed health.
    Feeds,
    /// Per GeoNames place: mentions and articles in the range.
    Places,
    /// Per country: mentions of its places, demonyms of it, and articles in the range.
    Countries,
}

impl Report {
    pub const ALL: [Report; 9] = [
        Report::Articles,
        Report::Mentions,
        Report::Entities,
        Report::Cooccurrence,
        Report::Timeline,
        Report::Quotes,
        Report::Feeds,
        Report::Places,
        Report::Countries,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Report::Articles => "articles",
            Report::Mentions => "mentions",
            Report::Entities => "entities",
            Report::Cooccurrence => "cooccurrence",
            Report::Timeline => "timeline",
            Report::Quotes => "quotes",
            Report::Feeds => "feeds",
            Report::Places => "places",
            Report::Countries => "countries",
        }
    }

    /// One line on what the report holds (for lists of reports).
    pub fn description(self) -> &'static str {
        match self {
            Report::Articles => "One row per article.",
            Report::Mentions => "One row per mention, with its entity.",
            Report::Entities => "Per entity: mentions and articles (or stories) in the range.",
            Report::Cooccurrence => "Pairs of named entities in the same articles, with the number of articles.",
            Report::Timeline => "Per day and entity: mentions and articles (or stories).",
            Report::Quotes => "Quotes with speaker and article.",
            Report::Feeds => "Feed health.",
            Report::Places => "Per GeoNames place: mentions and articles in the range.",
            Report::Countries => "Per country: mentions of its places, demonyms of it, and articles in the range.",
        }
    }

    /// Why these filters do not fit this report, if they do not: a filter it cannot apply (it would be silently
    /// ignored), or a time of day for a report that counts by publication day (it would be widened to the day).
    pub fn check(self, f: &Filters) -> Option<String> {
        let dated = !matches!(self, Report::Feeds);
        let typed = !matches!(
            self,
            Report::Articles | Report::Feeds | Report::Places | Report::Countries
        );
        let unused = if !dated && f.since.is_some() {
            Some("--since")
        } else if !dated && f.until.is_some() {
            Some("--until")
        } else if !typed && f.entity_type.is_some() {
            Some("--type")
        } else {
            None
        };
        if let Some(flag) = unused {
            return Some(format!("the {} report has no {flag} filter", self.name()));
        }
        if f.by == CountBy::Stories {
            if !matches!(self, Report::Entities | Report::Timeline) {
                return Some(format!(
                    "the {} report counts articles only (no --by story)",
                    self.name()
                ));
            }
            if f.feed.is_some() {
                return Some("stories are counted over all feeds: --by story takes no --feed".into());
            }
        }
        let by_day = matches!(
            self,
            Report::Entities | Report::Cooccurrence | Report::Timeline | Report::Places | Report::Countries
        );
        let midnight = |t: &Option<DateTime<Utc>>| t.is_none_or(|t| t.num_seconds_from_midnight() == 0);
        if by_day && !(midnight(&f.since) && midnight(&f.until)) {
            return Some(format!(
                "the {} report counts by publication day (UTC): give --since and --until as days (YYYY-MM-DD)",
                self.name()
            ));
        }
        None
    }
}

impl std::str::FromStr for Report {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        Report::ALL.into_iter().find(|r| r.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Report::ALL.iter().map(|r| r.name()).collect();
            format!("unknown report {s:?}; one of: {}", names.join(", "))
        })
    }
}

/// Filters shared by all reports. `since` is inclusive, `until` exclusive.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub feed: Option<crate::FeedId>,
    /// An entity type label (PER, ORG, ...): any text is accepted and matches what is stored.
    pub entity_type: Option<String>,
    /// A negative limit means no limit, as in SQL.
    pub limit: Option<i64>,
    /// What the entities and timeline reports count besides mentions.
    pub by: CountBy,
}

/// What the entities and timeline reports count: the articles naming an entity, or the stories (copies of one
/// article across sites counted once). Stories are counted per day, as articles are: a story whose copies ran on
/// two days counts on each.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CountBy {
    #[default]
    Articles,
    Stories,
}

impl std::str::FromStr for CountBy {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match s {
            "article" | "articles" => Ok(CountBy::Articles),
            "story" | "stories" => Ok(CountBy::Stories),
            _ => Err(format!("unknown count {s:?}; one of: article, story")),
        }
    }
}

impl Filters {
    /// The last day (wholly or partly) before the exclusive `until`: day-granular reports compare days.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.until.map(last_day_before)
    }

    /// The entity type filter, when it names a known type.
    pub fn known_type(&self) -> Option<EntityType> {
        self.entity_type.as_deref().and_then(EntityType::from_label)
    }
}

/// A `since` filter as people type it: a day (`2021-12-03`, from its first second, UTC) or an RFC 3339 time.
/// Returns the inclusive bound. (`gazette export --since` and the web view's `since` alike.)
pub fn since_bound(arg: &str) -> Result<DateTime<Utc>, String> {
    Ok(typed_time(arg)?.0)
}

/// An `until` filter as people type it: a day (that whole day included) or an RFC 3339 time (that second included).
/// Returns the exclusive bound.
pub fn until_bound(arg: &str) -> Result<DateTime<Utc>, String> {
    let (t, whole_day) = typed_time(arg)?;
    Ok(t + if whole_day {
        chrono::Duration::days(1)
    } else {
        chrono::Duration::seconds(1)
    })
}

fn typed_time(arg: &str) -> Result<(DateTime<Utc>, bool), String> {
    let arg = arg.trim();
    if let Ok(day) = NaiveDate::parse_from_str(arg, "%Y-%m-%d") {
        return Ok((day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc(), true));
    }
    match DateTime::parse_from_rfc3339(arg) {
        Ok(t) => Ok((t.with_timezone(&Utc), false)),
        Err(_) => Err(format!(
            "{arg:?} is not a date (YYYY-MM-DD) or an RFC 3339 time (2021-12-03T21:15:00Z)"
        )),
    }
}

/// The last day wholly or partly before an exclusive bound.
fn last_day_before(until: DateTime<Utc>) -> NaiveDate {
    let day = until.date_naive();
    if until.num_seconds_from_midnight() == 0 && until.nanosecond() == 0 {
        day.pred_opt().unwrap_or(day)
    } else {
        day
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn typed_days_and_times() {
        let since = |a: &str| since_bound(a).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        let until = |a: &str| until_bound(a).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        assert_eq!(since("2021-12-03").unwrap(), "2021-12-03T00:00:00Z");
        assert_eq!(until("2021-12-03").unwrap(), "2021-12-04T00:00:00Z");
        assert_eq!(until("2021-12-31").unwrap(), "2022-01-01T00:00:00Z");
        assert_eq!(since("2021-12-03T22:15:00+01:00").unwrap(), "2021-12-03T21:15:00Z");
        assert_eq!(until("2021-12-03T21:15:00Z").unwrap(), "2021-12-03T21:15:01Z");
        assert!(since("yesterday").is_err());
    }

    #[test]
    fn last_day_before_an_exclusive_bound() {
        let day = |s: &str| last_day_before(t(s)).format("%Y-%m-%d").to_string();
        assert_eq!(day("2021-12-04T00:00:00Z"), "2021-12-03");
        assert_eq!(day("2021-12-04T12:30:00Z"), "2021-12-04");
        assert_eq!(day("2021-03-01T00:00:00Z"), "2021-02-28");
    }

    #[test]
    fn report_names_parse() {
        for r in Report::ALL {
            assert_eq!(r.name().parse::<Report>().unwrap(), r);
        }
        assert!("nope".parse::<Report>().unwrap_err().contains("one of: articles"));
    }
}
