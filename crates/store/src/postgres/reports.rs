//! The reports (see [`crate::reports`]) as PostgreSQL statements: the SQLite backend's statements in PostgreSQL's
//! words, with the same columns and the same order (NULL times first, as SQLite sorts them; names in byte order,
//! see the `COLLATE "C"` columns), so that an export is the same CSV on both backends.

use chrono::NaiveDate;
use tokio_postgres::types::ToSql;

use super::cells::row_cells;
use super::query::{positional, FETCH_ROWS};
use super::{at, Reader};
use crate::{CountBy, EntityType, Filters, Report, Result, RowSink, StoreError};

/// How many of a range's most frequent entities seed the bound of the top-pairs search (see the SQLite backend).
const LEADERS: usize = 200;

const NAMED_PAIRS: &str = "SELECT p.entity1_id, p.entity1_type, e1.name AS entity1,
                                  p.entity2_id, p.entity2_type, e2.name AS entity2, p.articles
                           FROM pairs p
                           JOIN entities e1 ON e1.id = p.entity1_id
                           JOIN entities e2 ON e2.id = p.entity2_id
                           ORDER BY p.articles DESC, entity1, entity2, p.entity1_id, p.entity2_id";

/// The statement for these filters, with named parameters (`:since`, `:since_day`, `:until`, `:until_day`, `:feed`,
/// `:type`, `:limit`); only the filters in use become conditions.
fn sql(report: Report, f: &Filters) -> Result<String> {
    let named = EntityType::named_sql_list();
    let cond = |day: Option<&str>, time: Option<&str>, feed: Option<&str>, kind: Option<&str>| {
        let mut w = vec!["true".to_string()];
        if f.since.is_some() {
            w.extend(day.map(|d| format!("{d} >= :since_day")));
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
             ORDER BY a.published_at NULLS FIRST, a.id",
            cond(None, Some("a.published_at"), Some("a.feed_id = :feed"), None)
        ),
        Report::Mentions => format!(
            "SELECT m.article_id, a.published_at, a.feed_id, e.id AS entity_id, e.type, e.name, m.surface,
                    m.field, m.start, m.\"end\"
             FROM articles a
             JOIN mentions m ON m.article_id = a.id
             JOIN entities e ON e.id = m.entity_id
             WHERE {}
             ORDER BY a.published_at NULLS FIRST, m.article_id, m.field DESC, m.start",
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
        // The top N pairs exactly, without grouping every pair of the range (see the SQLite backend).
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
                       AND p.entity1_id IN (SELECT entity_id FROM leaders)
                       AND p.entity2_id IN (SELECT entity_id FROM leaders)
                     GROUP BY p.entity1_id, p.entity2_id
                     ORDER BY c DESC LIMIT 1 OFFSET :limit::bigint - 1), 1) AS t),
             frequent AS (SELECT entity_id FROM counts WHERE n >= (SELECT t FROM bound)),
             pairs AS (
                 SELECT p.entity1_id, min(p.entity1_type) AS entity1_type, p.entity2_id,
                        min(p.entity2_type) AS entity2_type, sum(p.articles) AS articles
                 FROM entity_pair_days p
                 WHERE {pair_days} AND p.entity1_id < p.entity2_id
                   AND p.entity1_id IN (SELECT entity_id FROM frequent)
                   AND p.entity2_id IN (SELECT entity_id FROM frequent)
                 GROUP BY p.entity1_id, p.entity2_id
                 HAVING sum(p.articles) >= (SELECT t FROM bound))
             {NAMED_PAIRS}",
            days = cond(Some("d.day"), None, None, None),
            kind = cond(None, None, None, Some("e.type")),
            pair_days = cond(Some("p.day"), None, None, None),
        ),
        Report::Cooccurrence if f.feed.is_none() => format!(
            "WITH pairs AS (
                 SELECT p.entity1_id, min(p.entity1_type) AS entity1_type, p.entity2_id,
                        min(p.entity2_type) AS entity2_type, sum(p.articles) AS articles
                 FROM entity_pair_days p
                 WHERE {} AND p.entity1_id < p.entity2_id AND {} AND {}
                 GROUP BY p.entity1_id, p.entity2_id)
             {NAMED_PAIRS}",
            cond(Some("p.day"), None, None, None),
            cond(None, None, None, Some("p.entity1_type")),
            cond(None, None, None, Some("p.entity2_type")),
        ),
        Report::Cooccurrence => format!(
            "WITH pairs AS (
                 SELECT a1.entity_id AS entity1_id, min(x1.type) AS entity1_type,
                        a2.entity_id AS entity2_id, min(x2.type) AS entity2_type, count(*) AS articles
                 FROM article_entities a1
                 JOIN entities x1 ON x1.id = a1.entity_id
                 JOIN article_entities a2 ON a2.article_id = a1.article_id AND a2.entity_id > a1.entity_id
                                         AND a2.day = a1.day
                 JOIN entities x2 ON x2.id = a2.entity_id
                 WHERE {} AND NOT a1.capped AND NOT a2.capped
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
             ORDER BY a.published_at NULLS FIRST, q.article_id, q.start, q.id",
            cond(None, Some("a.published_at"), Some("a.feed_id = :feed"), Some("e.type"))
        ),
        Report::Feeds => format!(
            "SELECT id, url, title, disabled, error_streak, last_error, last_fetch_at, last_status,
                    items_per_day, articles, next_check_at
             FROM v_feed_health
             WHERE {}
             ORDER BY id",
            cond(None, None, Some("id = :feed"), None)
        ),
        Report::Places => super::places::places_report(f, &cond),
        Report::Countries => super::places::countries_report(&cond),
    };
    Ok(format!("{body}\n LIMIT :limit"))
}

/// The statement with `$n` parameters and its values.
fn statement(report: Report, f: &Filters) -> Result<(String, Vec<Box<dyn ToSql + Sync + Send>>)> {
    let (sql, names) = positional(&sql(report, f)?, |_| true);
    let sql = sql.expect("the reports' SQL names only known parameters");
    let day = |d: NaiveDate| -> Box<dyn ToSql + Sync + Send> { Box::new(d) };
    let values = names
        .iter()
        .map(|name| -> Box<dyn ToSql + Sync + Send> {
            match name.as_str() {
                "since" => Box::new(f.since.map(at)),
                "since_day" => Box::new(f.since.map(|t| t.date_naive())),
                "until" => Box::new(f.until.map(at)),
                "until_day" => f.last_day().map_or_else(|| Box::new(None::<NaiveDate>) as _, day),
                "feed" => Box::new(f.feed.map(|x| x.0)),
                "type" => Box::new(f.entity_type.clone()),
                // A negative limit means no limit, as on SQLite.
                "limit" => Box::new(f.limit.filter(|n| *n >= 0)),
                other => unreachable!("unknown report parameter {other}"),
            }
        })
        .collect();
    Ok((sql, values))
}

/// Runs a report into a sink, one row at a time (fetched a thousand at a time). Returns the row count.
pub(crate) fn run(db: &Reader, report: Report, filters: &Filters, sink: &mut dyn RowSink) -> Result<u64> {
    let (sql, values) = statement(report, filters)?;
    stream(db, &sql, &values, sink)
}

/// Runs a statement with `$n` parameters in a READ ONLY transaction, its rows into a sink as they come (fetched a
/// thousand at a time). Returns the row count.
pub(crate) fn stream(
    db: &Reader,
    sql: &str,
    values: &[Box<dyn ToSql + Sync + Send>],
    sink: &mut dyn RowSink,
) -> Result<u64> {
    let mut client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt.block_on(async {
        let tx = client.build_transaction().read_only(true).start().await?;
        let stmt = tx.prepare(sql).await?;
        let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().to_string()).collect();
        sink.header(&columns).map_err(StoreError::Output)?;
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
        let portal = tx.bind(&stmt, &refs).await?;
        let mut n = 0;
        let mut cells = Vec::with_capacity(columns.len());
        loop {
            let rows = tx.query_portal(&portal, FETCH_ROWS).await?;
            for row in &rows {
                row_cells(row, &mut cells)?;
                sink.row(&cells).map_err(StoreError::Output)?;
                n += 1;
            }
            if rows.len() < FETCH_ROWS as usize {
                break;
            }
        }
        tx.rollback().await?;
        Ok(n)
    })
}

/// PostgreSQL's plan for a report (EXPLAIN), one line per step.
pub(crate) fn plan(db: &Reader, report: Report, filters: &Filters) -> Result<Vec<String>> {
    let (sql, values) = statement(report, filters)?;
    let client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt.block_on(async {
        let refs: Vec<&(dyn ToSql + Sync)> = values.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
        let rows = client.query(&format!("EXPLAIN {sql}"), &refs).await?;
        Ok(rows.iter().map(|r| r.get::<_, String>(0)).collect())
    })
}
