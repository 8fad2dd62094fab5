//! Publication dates as evidence: what the page says (with how far it can be trusted), and the choice between the
//! page, the feed item and the fetch time.
//!
//! The page's finder (`meta::dates`) yields a [`PageDate`]. Whoever has the feed item too (the ingest pipeline) calls
//! [`reconcile`], which compares the two: when they agree, the more precise one is kept; when they disagree by more
//! than a day and a half, the more reliable one wins (a page's structured publication date over a feed, a feed over
//! a date read from page text, and between evidence of one standing, the earlier: a later stamp is an update);
//! when neither says anything, the fetch time stands in and says so ([`Source::FetchTime`]).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

pub use gazette_dates::Precision;

use crate::Source;

/// How far a date source can be trusted to be the first publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reliability {
    /// Read from running text far from the headline, or a relative date ("2 hours ago").
    Weak,
    /// A `<time>` element or a date line next to the headline, or a generic `<meta name="date">`.
    Fair,
    /// The publisher's own statement: JSON-LD `datePublished`, `article:published_time`, a date path in the URL.
    Strong,
}

/// The publication date a page gives, with its evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PageDate {
    pub at: DateTime<Utc>,
    /// The calendar day as the page wrote it (before any zone conversion).
    pub day: NaiveDate,
    pub precision: Precision,
    pub source: Source,
    pub reliability: Reliability,
}

/// The date chosen for an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub at: DateTime<Utc>,
    /// Where it came from: a page source, [`Source::Feed`], or [`Source::FetchTime`] (an estimate: no date anywhere).
    pub source: Source,
    /// The feed and the page disagreed by more than [`AGREE_WITHIN`]: both, for the record.
    pub conflict: Option<Conflict>,
}

impl Resolved {
    /// No date was found anywhere: `at` is the fetch time.
    pub fn is_estimate(&self) -> bool {
        self.source == Source::FetchTime
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Conflict {
    pub feed: DateTime<Utc>,
    pub page: DateTime<Utc>,
    pub page_source: Source,
}

/// Dates this close are the same publication told with different precision or zone handling.
pub const AGREE_WITHIN: Duration = Duration::hours(36);

/// Clock skew allowed between a publisher's clock (or a zone mistaken for UTC) and the fetch time.
pub const SKEW: Duration = Duration::hours(26);

/// Chooses the article's publication date from the feed item's date, the page's and the fetch time.
pub fn reconcile(feed: Option<DateTime<Utc>>, page: Option<&PageDate>, fetched_at: DateTime<Utc>) -> Resolved {
    let feed = feed.filter(|d| gazette_dates::plausible(*d, fetched_at, SKEW));
    let page = page.filter(|p| gazette_dates::plausible(p.at, fetched_at, SKEW));
    let only = |at, source| Resolved {
        at,
        source,
        conflict: None,
    };
    match (feed, page) {
        (None, None) => only(fetched_at, Source::FetchTime),
        (Some(f), None) => only(f, Source::Feed),
        (None, Some(p)) => only(p.at, p.source),
        (Some(f), Some(p)) => {
            let apart = (f - p.at).abs();
            if apart <= AGREE_WITHIN || f.date_naive() == p.day {
                // The same publication: the page's time of day when it gave one, else the feed's.
                return if p.precision == Precision::Time || p.day != f.date_naive() {
                    only(p.at, p.source)
                } else {
                    only(f, Source::Feed)
                };
            }
            let conflict = Some(Conflict {
                feed: f,
                page: p.at,
                page_source: p.source,
            });
            let page_wins = match p.reliability {
                Reliability::Strong => true,
                Reliability::Weak => false,
                Reliability::Fair => p.at < f,
            };
            let (at, source) = if page_wins { (p.at, p.source) } else { (f, Source::Feed) };
            Resolved { at, source, conflict }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn page(s: &str, precision: Precision, source: Source, reliability: Reliability) -> PageDate {
        let at = t(s);
        PageDate {
            at,
            day: at.date_naive(),
            precision,
            source,
            reliability,
        }
    }

    #[test]
    fn nothing_anywhere_is_an_estimate() {
        let now = t("2021-12-05T12:00:00Z");
        let r = reconcile(None, None, now);
        assert_eq!((r.at, r.source, r.is_estimate()), (now, Source::FetchTime, true));
    }

    #[test]
    fn agreeing_dates_keep_the_more_precise() {
        let now = t("2021-12-05T12:00:00Z");
        let day = page("2021-12-03T00:00:00Z", Precision::Day, Source::Url, Reliability::Strong);
        let r = reconcile(Some(t("2021-12-03T21:15:00Z")), Some(&day), now);
        assert_eq!(
            (r.at, r.source, r.conflict),
            (t("2021-12-03T21:15:00Z"), Source::Feed, None)
        );
        let timed = page(
            "2021-12-03T21:10:00Z",
            Precision::Time,
            Source::JsonLd,
            Reliability::Strong,
        );
        let r = reconcile(Some(t("2021-12-03T21:15:00Z")), Some(&timed), now);
        assert_eq!((r.at, r.source), (t("2021-12-03T21:10:00Z"), Source::JsonLd));
    }

    #[test]
    fn disagreement_is_resolved_by_reliability_and_recorded() {
        let now = t("2021-12-20T12:00:00Z");
        // A feed that restamps its items on every edit, against the page's JSON-LD.
        let ld = page(
            "2021-12-03T21:15:00Z",
            Precision::Time,
            Source::JsonLd,
            Reliability::Strong,
        );
        let r = reconcile(Some(t("2021-12-15T08:00:00Z")), Some(&ld), now);
        assert_eq!((r.at, r.source), (ld.at, Source::JsonLd));
        let c = r.conflict.expect("recorded");
        assert_eq!(
            (c.feed, c.page, c.page_source),
            (t("2021-12-15T08:00:00Z"), ld.at, Source::JsonLd)
        );
        // A date read from page text loses to the feed, whichever is earlier.
        let weak = page("2019-01-01T00:00:00Z", Precision::Day, Source::Text, Reliability::Weak);
        let r = reconcile(Some(t("2021-12-15T08:00:00Z")), Some(&weak), now);
        assert_eq!((r.at, r.source), (t("2021-12-15T08:00:00Z"), Source::Feed));
        assert!(r.conflict.is_some());
        // Fair evidence against the feed: the earlier is the publication, the later an update.
        let fair = page("2021-12-10T09:00:00Z", Precision::Time, Source::Time, Reliability::Fair);
        let r = reconcile(Some(t("2021-12-01T08:00:00Z")), Some(&fair), now);
        assert_eq!(r.source, Source::Feed);
        let r = reconcile(Some(t("2021-12-15T08:00:00Z")), Some(&fair), now);
        assert_eq!(r.source, Source::Time);
    }

    #[test]
    fn implausible_dates_are_ignored() {
        let now = t("2021-12-05T12:00:00Z");
        let future = page(
            "2030-01-01T00:00:00Z",
            Precision::Day,
            Source::JsonLd,
            Reliability::Strong,
        );
        let r = reconcile(
            Some(Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap()),
            Some(&future),
            now,
        );
        assert!(r.is_estimate());
        let r = reconcile(Some(t("2021-12-04T00:00:00Z")), Some(&future), now);
        assert_eq!(r.source, Source::Feed);
    }
}
