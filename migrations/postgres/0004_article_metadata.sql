-- SQLite's 0008 (what an article's metadata rests on; see that file): the date's source and the page's update date,
-- agencies and image credit apart from byline and caption, and how much of it the name tagger covered.
ALTER TABLE articles ADD COLUMN published_source text;
ALTER TABLE articles ADD COLUMN updated_at timestamptz;
ALTER TABLE articles ADD COLUMN agencies jsonb NOT NULL DEFAULT '[]';   -- array ("Reuters", "AP")
ALTER TABLE articles ADD COLUMN image_credit text;
-- 'all', 'partial' or 'none'; NULL when the page was not extracted.
ALTER TABLE articles ADD COLUMN names_tagged text CHECK (names_tagged IN ('all', 'partial', 'none'));
-- Array of the languages (ISO 639-1) left untagged for names; NULL when none.
ALTER TABLE articles ADD COLUMN untagged_languages jsonb;

DROP VIEW v_articles;
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
       a.fetched_at,
       a.published_source,
       a.updated_at,
       a.agencies,
       a.names_tagged
FROM articles a
JOIN feeds f ON f.id = a.feed_id;
