//! Full-text search: PostgreSQL's text search over the GIN index on gazette_search_vector (title words weigh four
//! times body words, as on SQLite), `websearch_to_tsquery` syntax (quoted phrases, `or`, `-word`), with snippets.
//! `rank` is negated, as SQLite's bm25: lower is better.

use tokio_postgres::types::ToSql;

use super::cells::row_cells;
use super::{at, Reader};
use crate::{Result, RowSink, Search, StoreError};

const SQL: &str = "
    SELECT a.id, a.published_at, f.title AS feed, a.title,
           replace(ts_headline('simple'::regconfig, a.text, q,
                               'StartSel=[, StopSel=], MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=…'),
                   E'\\n', ' ') AS snippet,
           round((-ts_rank('{0, 0, 0.25, 1}', gazette_search_vector(a.title, a.text), q))::numeric, 3) AS rank,
           COALESCE(a.canonical_url, a.url) AS url
    FROM articles a
    JOIN feeds f ON f.id = a.feed_id
    CROSS JOIN websearch_to_tsquery('simple'::regconfig, $1) q
    WHERE gazette_search_vector(a.title, a.text) @@ q
      AND ($2::timestamptz IS NULL OR a.published_at >= $2)
      AND ($3::bigint IS NULL OR a.feed_id = $3)
    ORDER BY rank, a.id
    LIMIT $4";

pub(crate) fn run(db: &Reader, s: &Search, sink: &mut dyn RowSink) -> Result<u64> {
    let mut client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt.block_on(async {
        let tx = client.build_transaction().read_only(true).start().await?;
        let limit = Some(s.limit).filter(|n| *n >= 0);
        let params: [&(dyn ToSql + Sync); 4] = [&s.query, &s.since.map(at), &s.feed.map(|f| f.0), &limit];
        let stmt = tx.prepare(SQL).await?;
        let columns: Vec<String> = stmt.columns().iter().map(|c| c.name().to_string()).collect();
        let rows = tx.query(&stmt, &params).await?;
        tx.rollback().await?;
        sink.header(&columns).map_err(StoreError::Output)?;
        let mut cells = Vec::with_capacity(columns.len());
        for row in &rows {
            row_cells(row, &mut cells)?;
            sink.row(&cells).map_err(StoreError::Output)?;
        }
        Ok(rows.len() as u64)
    })
}
