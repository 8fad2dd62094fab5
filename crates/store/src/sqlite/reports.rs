//! The reports (see [`crate::reports`]) as SQLite statements with bound filters.
//!
//! Each report is one statement with the named parameters `:since`, `:until` (an exclusive bound), `:feed`, `:type`
//! and `:limit`, any of which may be NULL (no filter). Rows are handed to a callback one at a time, so an export of
//! any size runs in flat memory.

use rusqlite::named_params;

use super::counting::NAMED;
use super::{cell, time, Reader};
use crate::{CountBy, Filters, Report, Result, RowSink, StoreError};

/// How many of a range's most frequent entities seed the bound of the top-pairs search (see the cooccurrence SQL).
const LEADERS: usize = 200;

/// The cooccurrence report's rows from a `pairs` (entity1_id, entity1_type, entity2_id, entity2_type, articles) CTE.
const NAMED_PAIRS: &str = "SELECT p.entity1_id, p.entity1_type, e1.name AS entity1,
                                  p.entity2_id, p.entity2_type, e2.name AS entity2, p.articles
                           FROM pairs p
                           JOIN entities e1 ON e1.id = p.entity1_id
                           JOIN entities e2 ON e2.id = p.entity2_id
                           ORDER BY p.articles DESC, entity1, entity2, p.entity1_id, p.entity2_id";

/// The statement for these filters. Only the filters in use become conditions: a `(:x IS NULL OR ...)` pattern
/// would hide the indexes from SQLite's planner. Values are always bound, never pasted.
fn sql(report: Report, f: &Filters) -> String {
    let named = &*NAMED;
    // Day-granular data (mentions.day, entity_days.day) compares days; articles compare exact times.
    let cond = |day: Option<&str>, time: Option<&str>, feed: Option<&str>, kind: Option<&str>| {
        let mut w = vec!["1".to_string()];
        if f.since.is_some() {
            w.extend(day.map(|d| format!("{d} >= substr(:since, 1, 10)")));
            w.extend(time.map(|t| format!("{t} >= :since")));
        }
        if f.until.is_some() {
            w.extend(day.map(|d| format!("{d} <= :until_day")));
            w.extend(time.map(|t| format!("{t} < :until")));
        }
        if f.feed.is_some() {
            w.extend(feed.map(|c| c.to_string()));
        }
        if f.entity_type.is_some() {
            w.extend(kind.map(|k| format!("{k} = :type")));
        }
        w.join(" AND ")
    };
    let in_feed = "ae.article_id IN (SELECT id FROM articles WHERE feed_id = :feed)";
    let body = match report {
        Report::Articles => format!(
            "SELECT a.id, a.feed_id, f.title AS feed, a.published_at, a.title, a.authors, a.language,
                    a.site_name, COALESCE(a.canonical_url, a.url) AS url, a.description,
                    length(a.text) AS text_chars, a.fetched_at
             FROM articles a JOIN feeds f ON f.id = a.feed_id
             WHERE {}
             ORDER BY a.published_at, a.id",
            cond(None, Some("a.published_at"), Some("a.feed_id = :feed"), None)
        ),
        // Driven from the articles in range (CROSS JOIN fixes the order): a mention's rows sit together with
        // its article's, so this reads the table in order instead of hopping around it.
        Report::Mentions => format!(
            "SELECT m.article_id, a.published_at, a.feed_id, e.id AS entity_id, e.type, e.name, m.surface,
                    m.field, m.start, m.\"end\"
             FROM articles a
             CROSS JOIN mentions m ON m.article_id = a.id
             JOIN entities e ON e.id = m.entity_id
             WHERE {}
             ORDER BY a.published_at, m.article_id, m.field DESC, m.start",
            cond(None, Some("a.published_at"), Some("a.feed_id = :feed"), Some("e.type"))
        ),
        // Stories: the per-day distinct stories (see `CountBy`), over all feeds (`Report::check`).
        Report::Entities if f.by == CountBy::Stories => format!(
            "SELECT e.id AS entity_id, e.type, e.name, sum(d.mentions) AS mentions, sum(d.stories) AS stories,
                    min(d.day) AS first_day, max(d.day) AS last_day
             FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE {}
             GROUP BY e.id
             ORDER BY stories DESC, mentions DESC, e.name, e.id",
            cond(Some("d.day"), None, None, Some("e.type"))
        ),
        // Without a feed filter, the per-day counts answer; an article has one day, so summing its per-day
        // distinct-article counts over days counts each article once.
        Report::Entities if f.feed.is_none() => format!(
            "SELECT e.id AS entity_id, e.type, e.name, sum(d.mentions) AS mentions, sum(d.articles) AS articles,
                    min(d.day) AS first_day, max(d.day) AS last_day
             FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE {}
             GROUP BY e.id
             ORDER BY mentions DESC, e.name, e.id",
            cond(Some("d.day"), None, None, Some("e.type"))
        ),
        Report::Entities => format!(
            "SELECT e.id AS entity_id, e.type, e.name, sum(ae.mentions) AS mentions, count(*) AS articles,
                    min(ae.day) AS first_day, max(ae.day) AS last_day
             FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
             WHERE {}
             GROUP BY e.id
             ORDER BY mentions DESC, e.name, e.id",
            cond(Some("ae.day"), None, Some(in_feed), Some("e.type"))
        ),
        // The top N pairs from the per-day pair counts, exactly, without grouping every pair of the range (a
        // week of a million-article archive holds 1.6 million pairs; grouping them all takes a second). A pair
        // is in at most as many articles as each of its entities, so: group the pairs among the range's
        // LEADERS most frequent entities; the N-th best of those counts, `t`, is reached by at least N pairs, so
        // every pair of the true top N has both entities in at least `t` articles of the range (`frequent`).
        // Group the pairs among those, keep the ones with at least `t`: ties at the bottom are all there, and
        // ordered by name as in the whole ranking. Each pair once (both orders are stored).
        // (A negative limit means no limit and 0 no rows, as in SQLite: both take the whole ranking, below.)
        Report::Cooccurrence if f.feed.is_none() && f.limit.is_some_and(|n| n > 0) => format!(
            "WITH counts AS MATERIALIZED (
                 SELECT d.entity_id, sum(d.articles) AS n FROM entity_days d
                 WHERE {days} AND d.entity_id IN (SELECT id FROM entities e WHERE e.type IN {named} AND {kind})
                 GROUP BY d.entity_id),
             leaders AS (SELECT entity_id FROM counts ORDER BY n DESC LIMIT {LEADERS}),
             bound AS MATERIALIZED (
                 SELECT coalesce((
                     SELECT sum(p.articles) AS c FROM entity_pair_days p
                     WHERE {pair_days} AND p.entity1_id < p.entity2_id
                       AND p.entity1_id IN leaders AND p.entity2_id IN leaders
                     GROUP BY p.entity1_id, p.entity2_id
                     ORDER BY c DESC LIMIT 1 OFFSET :limit - 1), 1) AS t),
             frequent AS (SELECT entity_id FROM counts WHERE n >= (SELECT t FROM bound)),
             pairs AS (
                 SELECT p.entity1_id, p.entity1_type, p.entity2_id, p.entity2_type, sum(p.articles) AS articles
                 FROM entity_pair_days p
                 WHERE {pair_days} AND p.entity1_id < p.entity2_id
                   AND p.entity1_id IN frequent AND p.entity2_id IN frequent
                 GROUP BY p.entity1_id, p.entity2_id
                 HAVING sum(p.articles) >= (SELECT t FROM bound))
             {NAMED_PAIRS}",
            days = cond(Some("d.day"), None, None, None),
            kind = cond(None, None, None, Some("e.type")),
            pair_days = cond(Some("p.day"), None, None, None),
        ),
        // Every pair of the range, from the per-day pair counts, each pair once.
        Report::Cooccurrence if f.feed.is_none() => format!(
            "WITH pairs AS (
                 SELECT p.entity1_id, p.entity1_type, p.entity2_id, p.entity2_type, sum(p.articles) AS articles
                 FROM entity_pair_days p
                 WHERE {} AND p.entity1_id < p.entity2_id AND {} AND {}
                 GROUP BY p.entity1_id, p.entity2_id)
             {NAMED_PAIRS}",
            cond(Some("p.day"), None, None, None),
            cond(None, None, None, Some("p.entity1_type")),
            cond(None, None, None, Some("p.entity2_type")),
        ),
        // One feed's pairs: the per-day counts have no feed, so pair the feed's articles' entities here, driven
        // from the range's article_entities rows (CROSS JOIN fixes the order), named and uncapped entities kept
        // before pairing, pairs grouped by ids and named afterwards.
        Report::Cooccurrence => format!(
            "WITH pairs AS (
                 SELECT a1.entity_id AS entity1_id, x1.type AS entity1_type,
                        a2.entity_id AS entity2_id, x2.type AS entity2_type, count(*) AS articles
                 FROM article_entities a1
                 CROSS JOIN entities x1 ON x1.id = a1.entity_id
                 CROSS JOIN article_entities a2 ON a2.article_id = a1.article_id AND a2.entity_id > a1.entity_id
                                            AND a2.day = a1.day
                 CROSS JOIN entities x2 ON x2.id = a2.entity_id
                 WHERE {} AND a1.capped = 0 AND a2.capped = 0
                   AND x1.type IN {named} AND x2.type IN {named} AND {} AND {}
                 GROUP BY a1.entity_id, a2.entity_id)
             {NAMED_PAIRS}",
            cond(Some("a1.day"), None, Some(&in_feed.replace("ae.", "a1.")), None),
            cond(None, None, None, Some("x1.type")),
            cond(None, None, None, Some("x2.type")),
        ),
        Report::Timeline if f.by == CountBy::Stories => format!(
            "SELECT d.day, e.id AS entity_id, e.type, e.name, d.mentions, d.stories
             FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE {}
             ORDER BY d.day, d.stories DESC, d.mentions DESC, e.name, e.id",
            cond(Some("d.day"), None, None, Some("e.type"))
        ),
        Report::Timeline if f.feed.is_none() => format!(
            "SELECT d.day, e.id AS entity_id, e.type, e.name, d.mentions, d.articles
             FROM entity_days d JOIN entities e ON e.id = d.entity_id
             WHERE {}
             ORDER BY d.day, d.mentions DESC, e.name, e.id",
            cond(Some("d.day"), None, None, Some("e.type"))
        ),
        Report::Timeline => format!(
            "SELECT ae.day, e.id AS entity_id, e.type, e.name, sum(ae.mentions) AS mentions, count(*) AS articles
             FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
             WHERE {}
             GROUP BY ae.day, e.id
             ORDER BY ae.day, mentions DESC, e.name, e.id",
            cond(Some("ae.day"), None, Some(in_feed), Some("e.type"))
        ),
        Report::Quotes => format!(
            "SELECT q.id AS quote_id, a.published_at, q.article_id, a.title AS article_title,
                    e.name AS speaker, e.type AS speaker_type, q.text AS quote,
                    COALESCE(a.canonical_url, a.url) AS url
             FROM quotes q
             JOIN articles a ON a.id = q.article_id
             LEFT JOIN entities e ON e.id = q.speaker_entity_id
             WHERE {}
             ORDER BY a.published_at, q.article_id, q.start, q.id",
            cond(None, Some("a.published_at"), Some("a.feed_id = :feed"), Some("e.type"))
        ),
        Report::Places => super::places::places_report(f, &cond),
        Report::Countries => super::places::countries_report(&cond),
        Report::Feeds => format!(
            "SELECT id, url, title, disabled, error_streak, last_error, last_fetch_at, last_status,
                    items_per_day, articles, next_check_at
             FROM v_feed_health
             WHERE {}
             ORDER BY id",
            cond(None, None, Some("id = :feed"), None)
        ),
    };
    format!("{body}\n LIMIT :limit")
}

/// Runs a report into a sink, one row at a time. Returns the row count.
pub(crate) fn run(db: &Reader, report: Report, filters: &Filters, sink: &mut dyn RowSink) -> Result<u64> {
    let mut stmt = db.conn.prepare(&sql(report, filters))?;
    let columns: Vec<String> = stmt.column_names().map(String::from).collect();
    sink.header(&columns).map_err(StoreError::Output)?;
    bind(&mut stmt, filters)?;
    let mut rows = stmt.raw_query();
    let mut n = 0;
    let mut cells = Vec::with_capacity(columns.len());
    while let Some(row) = rows.next()? {
        cells.clear();
        for i in 0..columns.len() {
            cells.push(cell(row.get_ref(i)?));
        }
        sink.row(&cells).map_err(StoreError::Output)?;
        n += 1;
    }
    Ok(n)
}

/// SQLite's plan for a report (EXPLAIN QUERY PLAN), one line per step, indented: for benchmarks and debugging.
pub(crate) fn plan(db: &Reader, report: Report, filters: &Filters) -> Result<Vec<String>> {
    let mut stmt = db
        .conn
        .prepare(&format!("EXPLAIN QUERY PLAN {}", sql(report, filters)))?;
    bind(&mut stmt, filters)?;
    let mut rows = stmt.raw_query();
    let mut depth: Vec<(i64, usize)> = Vec::new();
    let mut lines = Vec::new();
    while let Some(row) = rows.next()? {
        let (id, parent, detail): (i64, i64, String) = (row.get(0)?, row.get(1)?, row.get(3)?);
        while depth.last().is_some_and(|&(p, _)| p != parent) {
            depth.pop();
        }
        let level = depth.last().map_or(0, |&(_, l)| l + 1);
        depth.push((id, level));
        lines.push(format!("{}{detail}", "  ".repeat(level)));
    }
    Ok(lines)
}

fn bind(stmt: &mut rusqlite::Statement, filters: &Filters) -> Result<()> {
    // Day-granular reports compare days, and `until` is exclusive: the last day included is the one before it,
    // unless `until` falls inside a day.
    let until_day = filters.last_day().map(|d| d.format("%Y-%m-%d").to_string());
    let params = named_params! {
        ":since": filters.since.map(time),
        ":until": filters.until.map(time),
        ":until_day": until_day,
        ":feed": filters.feed.map(|f| f.0),
        ":type": filters.entity_type,
        ":limit": filters.limit.unwrap_or(-1),
    };
    // Not every report uses every parameter; bind the ones it has.
    for (name, value) in params {
        if let Some(i) = stmt.parameter_index(name)? {
            stmt.raw_bind_parameter(i, value)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_report_prepares_on_a_fresh_database() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        drop(super::super::connection::open(&path).unwrap());
        let db = Reader::open(&path).unwrap();
        let t = |s: &str| super::super::parse_time(s);
        let all = Filters {
            since: t("2021-12-03T00:00:00Z"),
            until: t("2021-12-04T00:00:00Z"),
            feed: Some(crate::FeedId(1)),
            entity_type: Some("PER".into()),
            limit: Some(10),
            ..Default::default()
        };
        let by_story = Filters {
            feed: None,
            by: CountBy::Stories,
            ..all.clone()
        };
        for r in Report::ALL {
            for filters in [&Filters::default(), &all, &by_story] {
                let n = run(&db, r, filters, &mut crate::Rows::default()).unwrap();
                assert_eq!(n, 0, "{}", r.name());
            }
        }
    }
}
