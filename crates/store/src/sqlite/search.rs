//! Full-text search (FTS5 over titles and bodies, bm25 ranking, title matches weigh more), with snippets.

use rusqlite::named_params;

use super::{cell, time, Reader};
use crate::{Result, RowSink, Search, StoreError};

const SQL: &str = "
    SELECT a.id, a.published_at, f.title AS feed, a.title,
           replace(snippet(articles_fts, -1, '[', ']', '…', 16), char(10), ' ') AS snippet,
           round(bm25(articles_fts, 4.0, 1.0), 3) AS rank,
           COALESCE(a.canonical_url, a.url) AS url
    FROM articles_fts
    JOIN articles a ON a.id = articles_fts.rowid
    JOIN feeds f ON f.id = a.feed_id
    WHERE articles_fts MATCH :query
      AND (:since IS NULL OR a.published_at >= :since)
      AND (:feed IS NULL OR a.feed_id = :feed)
    ORDER BY bm25(articles_fts, 4.0, 1.0)
    LIMIT :limit";

/// Runs the search; a query that is not valid FTS5 syntax (a stray quote, a hyphenated word) is retried as plain
/// words. Rows are read before any reaches the sink, so a retry never repeats output.
pub(crate) fn run(db: &Reader, s: &Search, sink: &mut dyn RowSink) -> Result<u64> {
    let search = |query: &str| -> rusqlite::Result<(Vec<String>, Vec<Vec<crate::Cell>>)> {
        let mut stmt = db.conn.prepare(SQL)?;
        let columns: Vec<String> = stmt.column_names().map(String::from).collect();
        let n = columns.len();
        let rows = stmt
            .query_map(
                named_params! {":query": query, ":since": s.since.map(time), ":feed": s.feed.map(|f| f.0),
                ":limit": s.limit},
                |r| (0..n).map(|i| r.get_ref(i).map(cell)).collect(),
            )?
            .collect::<rusqlite::Result<Vec<Vec<crate::Cell>>>>()?;
        Ok((columns, rows))
    };
    let (columns, rows) = match search(&s.query) {
        Ok(found) => found,
        Err(first) => search(&as_plain_words(&s.query)).map_err(|_| first)?,
    };
    sink.header(&columns).map_err(StoreError::Output)?;
    for r in &rows {
        sink.row(r).map_err(StoreError::Output)?;
    }
    Ok(rows.len() as u64)
}

/// Each word as a quoted FTS5 string, so punctuation means nothing.
pub(crate) fn as_plain_words(query: &str) -> String {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_words_survive_fts_syntax() {
        assert_eq!(
            super::as_plain_words("Japan-U.S. \"alliance"),
            "\"Japan\" \"U\" \"S\" \"alliance\""
        );
    }
}
