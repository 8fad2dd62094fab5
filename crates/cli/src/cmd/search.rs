//! `gazette search "QUERY"`: full-text search over titles and bodies, best matches first (bm25), with snippets.

use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::cmd::query::Format;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// FTS5 query: words, "exact phrases", AND / OR / NOT, prefix*, title:word. Plain text also works.
    pub query: String,
    /// Only articles published from this day (YYYY-MM-DD) or time (RFC 3339).
    #[arg(long)]
    pub since: Option<String>,
    /// Only this feed.
    #[arg(long)]
    pub feed: Option<i64>,
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// Title matches weigh more than body matches.
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

pub fn run(db: &Path, args: Args) -> Result<()> {
    let conn = crate::cmd::query::open_existing(db)?;
    let since = args.since.as_deref().map(crate::cmd::dates::since).transpose()?;
    let search =
        |query: &str| -> rusqlite::Result<(Vec<String>, Vec<Vec<Value>>)> {
            let mut stmt = conn.prepare(SQL)?;
            let columns: Vec<String> = stmt.column_names().map(String::from).collect();
            let rows = stmt
            .query_map(
                rusqlite::named_params! {":query": query, ":since": since, ":feed": args.feed, ":limit": args.limit},
                |r| (0..columns.len()).map(|i| r.get::<_, rusqlite::types::Value>(i).map(to_json)).collect(),
            )?
            .collect::<rusqlite::Result<Vec<Vec<Value>>>>()?;
            Ok((columns, rows))
        };
    // A query that is not valid FTS5 syntax (a stray quote, a hyphenated word) is retried as plain words.
    let (columns, rows) = match search(&args.query) {
        Ok(found) => found,
        Err(first) => search(&as_plain_words(&args.query))
            .map_err(|_| first)
            .with_context(|| format!("searching for {:?}", args.query))?,
    };
    crate::cmd::query::print_rows(&columns, &rows, args.format, &mut std::io::stdout().lock())
}

/// Each word as a quoted FTS5 string, so punctuation means nothing.
fn as_plain_words(query: &str) -> String {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn to_json(v: rusqlite::types::Value) -> Value {
    use rusqlite::types::Value as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => i.into(),
        V::Real(f) => f.into(),
        V::Text(t) => t.into(),
        V::Blob(b) => format!("<{} bytes>", b.len()).into(),
    }
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
