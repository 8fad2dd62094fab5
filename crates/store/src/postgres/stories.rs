//! Stories (migrations/postgres/0005) on PostgreSQL: the write-time decision, an article's fingerprint and band keys,
//! and the reads behind `gazette stories` (see the SQLite backend's `stories`).
//!
//! The decision is the stories crate's [`find_match`], as on SQLite, over the candidates of the new article's band
//! keys fetched with one query (per key, the few most recent earlier articles filed under it, with their
//! fingerprints) and kept in memory ([`Fetched`]): one round trip instead of one per key and candidate. The story it
//! joins is locked (so that a delete emptying it cannot remove it under the new article); the story rows and the
//! entities' story counts are then kept by the triggers of 0005.
//!
//! Writers deciding at the same time do not see each other's uncommitted articles: two copies of one story stored
//! by two workers in the same instant may start two stories. Articles of one batch see each other, as on SQLite.

use std::collections::HashMap;

use gazette_stories::{find_match, Archive as StoryArchive, Config, Fingerprint};
use tokio_postgres::types::ToSql;
use tokio_postgres::Transaction;

use super::reports::stream;
use super::{at, Reader};
use crate::{ArticleId, Result, RowSink, StoryId, StoryList, StoryPrint};

/// The candidates of one article's band keys and their fingerprints, as read in one query.
struct Fetched {
    by_key: HashMap<i64, Vec<i64>>,
    /// Per candidate with a fingerprint of the scheme: its story and its fingerprint (`None`: unreadable).
    prints: HashMap<i64, (i64, Option<Fingerprint>)>,
}

impl StoryArchive for Fetched {
    type Id = i64;
    type Error = std::convert::Infallible;

    fn candidates(&mut self, key: i64, limit: usize, out: &mut Vec<i64>) -> std::result::Result<(), Self::Error> {
        if let Some(ids) = self.by_key.get(&key) {
            out.extend(ids.iter().take(limit));
        }
        Ok(())
    }

    fn fingerprint(&mut self, id: i64) -> std::result::Result<Option<Fingerprint>, Self::Error> {
        Ok(self.prints.get(&id).and_then(|(_, f)| f.clone()))
    }
}

/// The id of a scheme's name, recorded on first use (no identity value spent when it is there).
async fn scheme_id(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    loop {
        if let Some(r) = tx
            .query_opt("SELECT id FROM story_schemes WHERE name = $1", &[&name])
            .await?
        {
            return Ok(r.get(0));
        }
        if let Some(r) = tx
            .query_opt(
                "INSERT INTO story_schemes (name) VALUES ($1) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&name],
            )
            .await?
        {
            return Ok(r.get(0));
        }
        // Another writer recorded it meanwhile: read it again.
    }
}

/// The story of the earlier article `print` matches best, if any (earlier: stored before `before`, or any when
/// `None`), not locked.
async fn best_match(
    tx: &Transaction<'_>,
    print: &StoryPrint,
    before: Option<ArticleId>,
    config: &Config,
) -> Result<Option<i64>> {
    let scheme = scheme_id(tx, &print.scheme).await?;
    let below_slot = before.map_or(i64::MAX, |a| a.0.saturating_mul(64));
    let per_key = i64::try_from(config.candidates.per_key).unwrap_or(i64::MAX);
    let keys = &print.computed.band_keys;
    let rows = tx
        .query(
            "SELECT k.key, c.article_id, f.story_id, f.fingerprint
             FROM (SELECT DISTINCT key FROM unnest($1::bigint[]) AS u(key)) k
             CROSS JOIN LATERAL (SELECT slot >> 6 AS article_id, slot FROM story_bands
                                 WHERE band_key = k.key AND slot < $2 ORDER BY slot DESC LIMIT $3) c
             LEFT JOIN story_fingerprints f ON f.article_id = c.article_id AND f.scheme_id = $4
             ORDER BY k.key, c.slot DESC",
            &[keys, &below_slot, &per_key, &scheme],
        )
        .await?;
    let mut fetched = Fetched {
        by_key: HashMap::new(),
        prints: HashMap::new(),
    };
    for r in &rows {
        let (key, article): (i64, i64) = (r.get(0), r.get(1));
        fetched.by_key.entry(key).or_default().push(article);
        if let Some(story) = r.get::<_, Option<i64>>(2) {
            // A fingerprint this build cannot read compares with nothing, as one of another scheme.
            let print = r
                .get::<_, Option<&[u8]>>(3)
                .and_then(|b| Fingerprint::from_bytes(b).ok());
            fetched.prints.insert(article, (story, print));
        }
    }
    let Ok(found) = find_match(&mut fetched, &print.computed, config);
    Ok(found.and_then(|m| fetched.prints.get(&m.article).map(|(s, _)| *s)))
}

/// The story of the earlier article `print` matches best, if any (see [`best_match`]), locked; `None` also when that
/// story is gone.
async fn matching_story(
    tx: &Transaction<'_>,
    print: &StoryPrint,
    before: Option<ArticleId>,
    config: &Config,
) -> Result<Option<i64>> {
    let Some(story) = best_match(tx, print, before, config).await? else {
        return Ok(None);
    };
    let locked = tx
        .query_opt("SELECT id FROM stories WHERE id = $1 FOR NO KEY UPDATE", &[&story])
        .await?;
    Ok(locked.map(|r| r.get(0)))
}

/// Locks, in id order, the stories that new articles with these prints would join as the archive stands (before a
/// batch's articles are stored one after another, each locking the story it joins: without this, two batches could
/// take the same stories in opposite orders and deadlock). A decision that changes meanwhile (an article of the
/// batch, or one committed since, matching better) locks its story when it is made, as before.
pub(crate) async fn lock_for_new<'a>(
    tx: &Transaction<'_>,
    prints: impl Iterator<Item = &'a StoryPrint>,
    config: &Config,
) -> Result<()> {
    let mut stories = Vec::new();
    for print in prints {
        stories.extend(best_match(tx, print, None, config).await?);
    }
    if stories.len() > 1 {
        stories.sort_unstable();
        stories.dedup();
        tx.execute("SELECT gazette_lock_stories($1)", &[&stories]).await?;
    }
    Ok(())
}

/// Starts an empty story (the triggers count the article that joins it).
async fn new_story(tx: &Transaction<'_>) -> Result<i64> {
    Ok(tx
        .query_one("INSERT INTO stories (articles, sites) VALUES (0, 0) RETURNING id", &[])
        .await?
        .get(0))
}

/// The story a new article goes into: that of the earlier article it matches, else a new one (`true`: new).
pub(crate) async fn story_for_new(
    tx: &Transaction<'_>,
    print: Option<&StoryPrint>,
    config: &Config,
) -> Result<(i64, bool)> {
    if let Some(print) = print {
        if let Some(story) = matching_story(tx, print, None, config).await? {
            return Ok((story, false));
        }
    }
    Ok((new_story(tx).await?, true))
}

/// Forgets a story started for an article that turned out to be stored already (by another worker).
pub(crate) async fn drop_unused(tx: &Transaction<'_>, story: i64) -> Result<()> {
    tx.execute("DELETE FROM stories WHERE id = $1 AND articles = 0", &[&story])
        .await?;
    Ok(())
}

/// The story a re-extracted article belongs to: that of the earlier article it matches now; else it keeps its story
/// when it is that story's first article (by arrival), and starts one otherwise (see the SQLite backend).
pub(crate) async fn story_for_replaced(
    tx: &Transaction<'_>,
    article: ArticleId,
    current: Option<i64>,
    print: Option<&StoryPrint>,
    config: &Config,
) -> Result<i64> {
    if let Some(print) = print {
        if let Some(story) = matching_story(tx, print, Some(article), config).await? {
            return Ok(story);
        }
    }
    if let Some(story) = current {
        let first: Option<i64> = tx
            .query_one("SELECT min(id) FROM articles WHERE story_id = $1", &[&story])
            .await?
            .get(0);
        if first == Some(article.0) {
            return Ok(story);
        }
    }
    new_story(tx).await
}

/// Locks a story's row (taken before an article's mentions change, so that the triggers find the lock held and the
/// writer takes stories before entities).
pub(crate) async fn lock(tx: &Transaction<'_>, story: i64) -> Result<()> {
    tx.execute("SELECT 1 FROM stories WHERE id = $1 FOR NO KEY UPDATE", &[&story])
        .await?;
    Ok(())
}

/// Stores (or replaces) an article's fingerprint and band keys, or removes them when it has none.
pub(crate) async fn store_print(
    tx: &Transaction<'_>,
    article: ArticleId,
    story: i64,
    print: Option<&StoryPrint>,
) -> Result<()> {
    tx.execute(
        "DELETE FROM story_bands WHERE slot BETWEEN $1::bigint * 64 AND $1::bigint * 64 + 63",
        &[&article.0],
    )
    .await?;
    let Some(print) = print else {
        tx.execute("DELETE FROM story_fingerprints WHERE article_id = $1", &[&article.0])
            .await?;
        return Ok(());
    };
    let scheme = scheme_id(tx, &print.scheme).await?;
    tx.execute(
        "INSERT INTO story_fingerprints (article_id, story_id, scheme_id, fingerprint) VALUES ($1, $2, $3, $4)
         ON CONFLICT (article_id) DO UPDATE SET
             story_id = excluded.story_id, scheme_id = excluded.scheme_id, fingerprint = excluded.fingerprint",
        &[&article.0, &story, &scheme, &print.computed.fingerprint.to_bytes()],
    )
    .await?;
    // Slots hold 64 bands per article: more would spill into the next article's.
    let keys = &print.computed.band_keys[..print.computed.band_keys.len().min(64)];
    tx.execute(
        "INSERT INTO story_bands (slot, band_key)
         SELECT $1::bigint * 64 + i - 1, key FROM unnest($2::bigint[]) WITH ORDINALITY AS u(key, i)",
        &[&article.0, &keys],
    )
    .await?;
    Ok(())
}

/// Stories first published in a range, most sites first (`gazette stories`).
pub(crate) fn list(db: &Reader, list: &StoryList, sink: &mut dyn RowSink) -> Result<u64> {
    let sql = "SELECT s.id AS story, s.first_published_at AS first_published, s.sites, s.articles, s.last_update,
                      a.title AS headline
               FROM stories s LEFT JOIN articles a ON a.id = s.first_article_id
               WHERE s.first_published_at >= $1 AND ($2::timestamptz IS NULL OR s.first_published_at < $2)
               ORDER BY s.sites DESC, s.articles DESC, s.first_published_at, s.id
               LIMIT $3";
    let limit = Some(list.limit).filter(|n| *n >= 0);
    let values: Vec<Box<dyn ToSql + Sync + Send>> =
        vec![Box::new(at(list.since)), Box::new(list.until.map(at)), Box::new(limit)];
    stream(db, sql, &values, sink)
}

/// The articles of one story (its sites) in order of publication.
pub(crate) fn articles(db: &Reader, story: StoryId, sink: &mut dyn RowSink) -> Result<u64> {
    let sql = "SELECT a.published_at, a.site_host AS site, f.title AS feed, a.title,
                      COALESCE(a.url, a.canonical_url) AS url, a.id AS article
               FROM articles a JOIN feeds f ON f.id = a.feed_id
               WHERE a.story_id = $1
               ORDER BY COALESCE(a.published_at, a.fetched_at), a.id";
    let values: Vec<Box<dyn ToSql + Sync + Send>> = vec![Box::new(story.0)];
    stream(db, sql, &values, sink)
}
