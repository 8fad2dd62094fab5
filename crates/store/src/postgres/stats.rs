//! What an archive holds (`gazette stats`): rows per table, size, time span, the top entities of its last day.

use chrono::{DateTime, NaiveDate, Utc};

use super::cells::time_text;
use super::Reader;
use crate::{EntityType, Result, Stats, StoreError, TopEntity};

const TABLES: [&str; 7] = [
    "feeds",
    "fetches",
    "articles",
    "entities",
    "mentions",
    "quotes",
    "tombstones",
];

pub(crate) fn read(db: &Reader, top: i64) -> Result<Stats> {
    let mut client = db.client.lock().map_err(|_| StoreError::WriterGone)?;
    db.rt.block_on(async {
        let tx = client.build_transaction().read_only(true).start().await?;
        let size: i64 = tx
            .query_one("SELECT pg_database_size(current_database())", &[])
            .await?
            .get(0);
        let mut tables = Vec::new();
        for table in TABLES {
            let n: i64 = tx
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await?
                .get(0);
            tables.push((table, n));
        }
        let r = tx
            .query_one("SELECT min(published_at), max(published_at) FROM articles", &[])
            .await?;
        let (first, last): (Option<DateTime<Utc>>, Option<DateTime<Utc>>) = (r.get(0), r.get(1));
        let day: Option<NaiveDate> = tx
            .query_one(
                "SELECT max(day) FROM entity_days WHERE day <= (now() AT TIME ZONE 'UTC')::date",
                &[],
            )
            .await?
            .get(0);
        let rows = tx
            .query(
                &format!(
                    "SELECT e.type, e.name, sum(d.mentions)::bigint AS mentions, sum(d.articles)::bigint AS articles
                     FROM entity_days d JOIN entities e ON e.id = d.entity_id
                     WHERE d.day = $2 AND e.type IN {}
                     GROUP BY e.id ORDER BY mentions DESC, e.name LIMIT $1",
                    EntityType::named_sql_list()
                ),
                &[&Some(top).filter(|n| *n >= 0), &day],
            )
            .await?;
        tx.rollback().await?;
        Ok(Stats {
            location: db.url.to_string(),
            size_bytes: size.max(0) as u64,
            wal_bytes: 0,
            tables,
            published: first.map(time_text).zip(last.map(time_text)),
            top_day: day,
            top: rows
                .iter()
                .map(|r| TopEntity {
                    entity_type: r.get(0),
                    name: r.get(1),
                    mentions: r.get(2),
                    articles: r.get(3),
                })
                .collect(),
        })
    })
}
