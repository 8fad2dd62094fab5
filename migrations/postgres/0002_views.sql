-- Views for plain-SQL users (psql, Metabase, notebooks): the views of the SQLite schema (its 0002 and 0007), with
-- the same names and columns.

-- Articles with their feed.
CREATE VIEW v_articles AS
SELECT a.id,
       a.feed_id,
       f.title                          AS feed_title,
       COALESCE(a.site_name, f.title)   AS site,
       a.title,
       a.authors,
       a.published_at,
       (a.published_at AT TIME ZONE 'UTC')::date AS published_date,
       a.language,
       COALESCE(a.canonical_url, a.url) AS url,
       a.image_url,
       a.description,
       length(a.text)                   AS text_chars,
       a.fetched_at
FROM articles a
JOIN feeds f ON f.id = a.feed_id;

-- Mentions and distinct articles per entity, all time (running totals; per-day counts are in v_entity_daily).
CREATE VIEW v_entity_counts AS
SELECT id AS entity_id, type, name, mentions, articles
FROM entities
WHERE mentions > 0;

-- Mentions and articles per entity per day (the article's publication day). Filter on `day` for a range.
CREATE VIEW v_entity_daily AS
SELECT d.day,
       e.id        AS entity_id,
       e.type,
       e.name,
       d.mentions,
       d.articles
FROM entity_days d
JOIN entities e ON e.id = d.entity_id;

-- Named entities mentioned in the same article, per publication day, with the number of such articles. Both orders
-- of each pair are listed, so `WHERE entity1 = 'Joe Biden'` finds every partner; add `AND entity1_id < entity2_id`
-- to list each pair once. Sum `articles` over days for a range, and always filter on `day`. Pairs among an
-- article's 50 most mentioned named entities count (see article_entities.capped).
CREATE VIEW v_cooccurrence AS
SELECT p.day,
       p.entity1_id, p.entity1_type, e1.name AS entity1,
       p.entity2_id, p.entity2_type, e2.name AS entity2,
       p.articles
FROM entity_pair_days p
JOIN entities e1 ON e1.id = p.entity1_id
JOIN entities e2 ON e2.id = p.entity2_id;

-- Quotes with speaker and article.
CREATE VIEW v_quotes AS
SELECT q.id,
       q.text                           AS quote,
       e.name                           AS speaker,
       e.type                           AS speaker_type,
       a.id                             AS article_id,
       a.title                          AS article_title,
       COALESCE(a.canonical_url, a.url) AS url,
       a.published_at
FROM quotes q
JOIN articles a ON a.id = q.article_id
LEFT JOIN entities e ON e.id = q.speaker_entity_id;

-- Per feed: last fetch, its status, the error streak, articles published per day over the last week, next check.
CREATE VIEW v_feed_health AS
SELECT f.id,
       f.url,
       f.title,
       f.disabled,
       f.error_count                    AS error_streak,
       f.last_error,
       f.next_check_at,
       (SELECT max(started_at) FROM fetches WHERE feed_id = f.id) AS last_fetch_at,
       (SELECT status FROM fetches WHERE feed_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1) AS last_status,
       (SELECT round(count(*) / 7.0, 2) FROM articles
         WHERE feed_id = f.id
           AND published_at >= date_trunc('second', now()) - interval '7 days') AS items_per_day,
       (SELECT count(*) FROM articles WHERE feed_id = f.id) AS articles
FROM feeds f;
