-- What an article's metadata rests on: where its publication date came from (and the page's update date), the
-- news agencies and image credit kept apart from the byline and caption, and how much of it the name tagger covered
-- (an article whose names were not tagged, because its language is not one the tagger knows, is not an article
-- without names: reports can leave it out or say so).
--
-- published_source: json_ld, open_graph, meta, time, url, byline, html, text (the page), feed (the feed item), or
-- fetch_time (no date anywhere: published_at is when Gazette first saw it, an estimate). NULL for articles written
-- before this migration.
ALTER TABLE articles ADD COLUMN published_source TEXT;
ALTER TABLE articles ADD COLUMN updated_at TEXT;
ALTER TABLE articles ADD COLUMN agencies TEXT NOT NULL DEFAULT '[]'; -- JSON array ("Reuters", "AP")
ALTER TABLE articles ADD COLUMN image_credit TEXT;
-- 'all', 'partial' or 'none'; NULL when the page was not extracted (or before this migration).
ALTER TABLE articles ADD COLUMN names_tagged TEXT CHECK (names_tagged IN ('all', 'partial', 'none'));
-- JSON array of the languages (ISO 639-1) left untagged for names; NULL when none.
ALTER TABLE articles ADD COLUMN untagged_languages TEXT;

DROP VIEW v_articles;
CREATE VIEW v_articles AS
SELECT a.id,
       a.feed_id,
       f.title                         AS feed_title,
       COALESCE(a.site_name, f.title)  AS site,
       a.title,
       a.authors,
       a.published_at,
       substr(a.published_at, 1, 10)   AS published_date,
       a.language,
       COALESCE(a.canonical_url, a.url) AS url,
       a.image_url,
       a.description,
       length(a.text)                  AS text_chars,
       a.fetched_at,
       a.published_source,
       a.updated_at,
       a.agencies,
       a.names_tagged
FROM articles a
JOIN feeds f ON f.id = a.feed_id;
