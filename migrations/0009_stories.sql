-- Stories (issue 18): the same article across feeds and sites, counted once. Every article belongs to a story: a
-- near-duplicate of an earlier article (its body compared by word shingles: MinHash signatures, LSH bands; see
-- crates/stories) joins that article's story, any other article starts one. Gazette's writer decides it in the
-- transaction that stores the article.
--
-- stories: per story, its first article (the earliest published, then the lowest id), when it was first seen (fetched)
--   and first published, its articles, its distinct sites, and its last update (the latest update, else publication,
--   else fetch time of its articles). Kept equal to a fresh count by the triggers below, whatever writes articles.
-- articles.site_host: what "a site" is: the host of the article's URL as fetched (a syndicated copy's canonical URL
--   may point at the wire's page), else of its canonical URL, else its feed. Computed, not stored.
-- story_sites: per story and site, its articles (for the exact count of distinct sites).
-- story_fingerprints: each fingerprinted article's MinHash signature (format byte, kind, shingle count, 128 x 16 bits:
--   262 bytes), the scheme that made it (story_schemes: a fingerprint compares only with those of its own scheme;
--   `gazette reprocess` recomputes them with the build's scheme), and a copy of its story id (so that the write-time
--   lookup never reads the article's row, whose page and text come first). Articles without text get none and stay
--   alone.
-- story_bands: the LSH band keys, one row per article and band: slot = article_id * 64 + band (one integer key, so
--   that an article's bands go by a range delete). The lookup reads the few most recent slots under each key.
-- story_entity_days: per story, entity and day, the story's articles of that day naming the entity: what makes
--   entity_days.stories (the day's distinct stories naming the entity) and entities.stories (all time) exact. A story
--   running over two days counts on each day, as an entity's articles count on their own days.

CREATE TABLE stories (
    id                 INTEGER PRIMARY KEY,
    first_article_id   INTEGER,
    first_seen_at      TEXT,
    first_published_at TEXT,
    articles           INTEGER NOT NULL DEFAULT 0,
    sites              INTEGER NOT NULL DEFAULT 0,
    last_update        TEXT
);

ALTER TABLE articles ADD COLUMN story_id INTEGER;
ALTER TABLE articles ADD COLUMN site_host TEXT GENERATED ALWAYS AS (
    CASE WHEN COALESCE(url, canonical_url) IS NULL THEN 'feed:' || feed_id
    ELSE lower(substr(
        substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3),
        1,
        CASE WHEN instr(substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3), '/') > 0
             THEN instr(substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3), '/') - 1
             ELSE length(COALESCE(url, canonical_url)) END))
    END) VIRTUAL;

CREATE TABLE story_sites (
    story_id INTEGER NOT NULL,
    site     TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (story_id, site)
) WITHOUT ROWID;

CREATE TABLE story_schemes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

CREATE TABLE story_fingerprints (
    article_id  INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL,
    scheme_id   INTEGER NOT NULL,
    fingerprint BLOB NOT NULL
);

CREATE TABLE story_bands (
    slot     INTEGER PRIMARY KEY,
    band_key INTEGER NOT NULL
);
CREATE INDEX story_bands_key ON story_bands(band_key);

CREATE TABLE story_entity_days (
    story_id  INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    day       TEXT NOT NULL,
    articles  INTEGER NOT NULL,
    PRIMARY KEY (story_id, entity_id, day)
) WITHOUT ROWID;

ALTER TABLE entity_days ADD COLUMN stories INTEGER NOT NULL DEFAULT 0;
ALTER TABLE entities ADD COLUMN stories INTEGER NOT NULL DEFAULT 0;

-- Existing archives: every article a story of its own (numbered by its article), until `gazette reprocess` computes
-- the fingerprints and joins the copies. One story per article, so its distinct stories are its articles.
INSERT INTO stories (id, first_article_id, first_seen_at, first_published_at, articles, sites, last_update)
SELECT id, id, fetched_at, published_at, 1, 1, COALESCE(updated_at, published_at, fetched_at) FROM articles;
UPDATE articles SET story_id = id;
INSERT INTO story_sites (story_id, site, articles) SELECT id, site_host, 1 FROM articles;
INSERT INTO story_entity_days (story_id, entity_id, day, articles)
SELECT article_id, entity_id, day, 1 FROM article_entities WHERE true
ON CONFLICT DO NOTHING;
UPDATE entity_days SET stories = articles;
UPDATE entities SET stories = articles;

-- A story's articles, with what its row is computed from (so that recounting a story reads only the index).
CREATE INDEX articles_story ON articles(story_id, published_at, fetched_at, updated_at);
-- `gazette stories --since`: a day's stories.
CREATE INDEX stories_first_published ON stories(first_published_at);

-- An article joins its story: counted at once (the writer creates the story row first, empty).
CREATE TRIGGER articles_story_insert AFTER INSERT ON articles
WHEN new.story_id IS NOT NULL
BEGIN
    INSERT INTO story_sites (story_id, site, articles) VALUES (new.story_id, new.site_host, 1)
    ON CONFLICT (story_id, site) DO UPDATE SET articles = articles + 1;
    UPDATE stories SET
        articles = articles + 1,
        sites = sites + (SELECT articles = 1 FROM story_sites WHERE story_id = new.story_id AND site = new.site_host),
        first_article_id = CASE
            WHEN first_article_id IS NULL
              OR (COALESCE(new.published_at, new.fetched_at), new.id)
                 < (SELECT COALESCE(published_at, fetched_at), id FROM articles WHERE id = stories.first_article_id)
            THEN new.id ELSE first_article_id END,
        first_seen_at = min(COALESCE(first_seen_at, new.fetched_at), new.fetched_at),
        first_published_at = CASE WHEN new.published_at IS NULL THEN first_published_at
                                  ELSE min(COALESCE(first_published_at, new.published_at), new.published_at) END,
        last_update = max(COALESCE(last_update, ''), COALESCE(new.updated_at, new.published_at, new.fetched_at))
    WHERE id = new.story_id;
END;

-- An article inserted without a story (plain SQL) starts one; the update below counts it.
CREATE TRIGGER articles_story_start AFTER INSERT ON articles
WHEN new.story_id IS NULL
BEGIN
    INSERT INTO stories (articles, sites) VALUES (0, 0);
    UPDATE articles SET story_id = (SELECT max(id) FROM stories) WHERE id = new.id;
END;

-- An article moved to another story, or changed in what its story's row is computed from: both stories recounted
-- (an emptied one goes), and its entities move along. Gazette's writer moves an article only while its mentions are
-- being rewritten (it has none), so the entity statements find nothing then.
CREATE TRIGGER articles_story_update
AFTER UPDATE OF story_id, url, canonical_url, feed_id, published_at, fetched_at, updated_at ON articles
WHEN old.story_id IS NOT new.story_id OR old.site_host IS NOT new.site_host
  OR old.published_at IS NOT new.published_at OR old.fetched_at IS NOT new.fetched_at
  OR old.updated_at IS NOT new.updated_at
BEGIN
    -- The entities leave the old story ...
    UPDATE entity_days SET stories = stories - 1
    WHERE old.story_id IS NOT new.story_id
      AND (entity_id, day) IN (
        SELECT ae.entity_id, ae.day FROM article_entities ae
        JOIN story_entity_days s ON s.story_id = old.story_id AND s.entity_id = ae.entity_id AND s.day = ae.day
        WHERE ae.article_id = old.id AND s.articles = 1);
    UPDATE entities SET stories = stories - 1
    WHERE old.story_id IS NOT new.story_id
      AND id IN (
        SELECT ae.entity_id FROM article_entities ae
        WHERE ae.article_id = old.id
          AND (SELECT sum(s.articles) FROM story_entity_days s
               WHERE s.story_id = old.story_id AND s.entity_id = ae.entity_id) = 1);
    UPDATE story_entity_days SET articles = articles - 1
    WHERE old.story_id IS NOT new.story_id AND story_id = old.story_id
      AND (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = old.id);
    DELETE FROM story_entity_days WHERE story_id = old.story_id AND articles <= 0;
    -- ... and join the new one.
    INSERT INTO story_entity_days (story_id, entity_id, day, articles)
    SELECT new.story_id, entity_id, day, 1 FROM article_entities
    WHERE article_id = new.id AND new.story_id IS NOT NULL AND old.story_id IS NOT new.story_id
    ON CONFLICT (story_id, entity_id, day) DO UPDATE SET articles = articles + 1;
    UPDATE entity_days SET stories = stories + 1
    WHERE old.story_id IS NOT new.story_id
      AND (entity_id, day) IN (
        SELECT ae.entity_id, ae.day FROM article_entities ae
        JOIN story_entity_days s ON s.story_id = new.story_id AND s.entity_id = ae.entity_id AND s.day = ae.day
        WHERE ae.article_id = new.id AND s.articles = 1);
    UPDATE entities SET stories = stories + 1
    WHERE old.story_id IS NOT new.story_id
      AND id IN (
        SELECT ae.entity_id FROM article_entities ae
        WHERE ae.article_id = new.id
          AND (SELECT sum(s.articles) FROM story_entity_days s
               WHERE s.story_id = new.story_id AND s.entity_id = ae.entity_id) = 1);
    UPDATE story_fingerprints SET story_id = new.story_id WHERE article_id = new.id AND new.story_id IS NOT NULL;
    -- Sites and the stories' rows.
    UPDATE story_sites SET articles = articles - 1 WHERE story_id = old.story_id AND site = old.site_host;
    DELETE FROM story_sites WHERE story_id = old.story_id AND site = old.site_host AND articles <= 0;
    INSERT INTO story_sites (story_id, site, articles)
    SELECT new.story_id, new.site_host, 1 WHERE new.story_id IS NOT NULL
    ON CONFLICT (story_id, site) DO UPDATE SET articles = articles + 1;
    UPDATE stories SET
        articles = (SELECT count(*) FROM articles WHERE story_id = stories.id),
        sites = (SELECT count(*) FROM story_sites WHERE story_id = stories.id),
        first_article_id = (SELECT id FROM articles WHERE story_id = stories.id
                            ORDER BY COALESCE(published_at, fetched_at), id LIMIT 1),
        first_seen_at = (SELECT min(fetched_at) FROM articles WHERE story_id = stories.id),
        first_published_at = (SELECT min(published_at) FROM articles WHERE story_id = stories.id),
        last_update = (SELECT max(COALESCE(updated_at, published_at, fetched_at)) FROM articles
                       WHERE story_id = stories.id)
    WHERE id IN (old.story_id, new.story_id);
    DELETE FROM stories WHERE id = old.story_id AND articles = 0;
END;

-- A deleted article: its entities leave its story while its article_entities rows are still there (the cascade, or
-- the trigger of 0006, removes them after the row is gone) ...
CREATE TRIGGER articles_story_entities_delete BEFORE DELETE ON articles
WHEN old.story_id IS NOT NULL
 AND NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = old.id)
BEGIN
    UPDATE entity_days SET stories = stories - 1
    WHERE (entity_id, day) IN (
        SELECT ae.entity_id, ae.day FROM article_entities ae
        JOIN story_entity_days s ON s.story_id = old.story_id AND s.entity_id = ae.entity_id AND s.day = ae.day
        WHERE ae.article_id = old.id AND s.articles = 1);
    UPDATE entities SET stories = stories - 1
    WHERE id IN (
        SELECT ae.entity_id FROM article_entities ae
        WHERE ae.article_id = old.id
          AND (SELECT sum(s.articles) FROM story_entity_days s
               WHERE s.story_id = old.story_id AND s.entity_id = ae.entity_id) = 1);
    UPDATE story_entity_days SET articles = articles - 1
    WHERE story_id = old.story_id
      AND (entity_id, day) IN (SELECT entity_id, day FROM article_entities WHERE article_id = old.id);
    DELETE FROM story_entity_days WHERE story_id = old.story_id AND articles <= 0;
END;

-- ... then its story is recounted (and goes when empty), and its fingerprint and bands go.
CREATE TRIGGER articles_story_delete AFTER DELETE ON articles
BEGIN
    UPDATE story_sites SET articles = articles - 1 WHERE story_id = old.story_id AND site = old.site_host;
    DELETE FROM story_sites WHERE story_id = old.story_id AND site = old.site_host AND articles <= 0;
    UPDATE stories SET
        articles = (SELECT count(*) FROM articles WHERE story_id = stories.id),
        sites = (SELECT count(*) FROM story_sites WHERE story_id = stories.id),
        first_article_id = (SELECT id FROM articles WHERE story_id = stories.id
                            ORDER BY COALESCE(published_at, fetched_at), id LIMIT 1),
        first_seen_at = (SELECT min(fetched_at) FROM articles WHERE story_id = stories.id),
        first_published_at = (SELECT min(published_at) FROM articles WHERE story_id = stories.id),
        last_update = (SELECT max(COALESCE(updated_at, published_at, fetched_at)) FROM articles
                       WHERE story_id = stories.id)
    WHERE id = old.story_id;
    DELETE FROM stories WHERE id = old.story_id AND articles = 0;
    DELETE FROM story_fingerprints WHERE article_id = old.id;
    DELETE FROM story_bands WHERE slot BETWEEN old.id * 64 AND old.id * 64 + 63;
END;

-- An entity's stories for any other write of mentions (plain SQL): when an entity enters or leaves an article (its
-- article_entities row), the article's story gains or loses it. Gazette's writer books whole articles itself
-- (crates/store/src/sqlite/stories.rs) while the article is in mentions_uncounted. The entity_days row is created
-- here when it is new: the counting trigger of 0003 adds the mentions and articles to it right after.
CREATE TRIGGER article_entities_stories_insert AFTER INSERT ON article_entities
WHEN NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = new.article_id)
 AND (SELECT story_id FROM articles WHERE id = new.article_id) IS NOT NULL
BEGIN
    INSERT INTO story_entity_days (story_id, entity_id, day, articles)
    VALUES ((SELECT story_id FROM articles WHERE id = new.article_id), new.entity_id, new.day, 1)
    ON CONFLICT (story_id, entity_id, day) DO UPDATE SET articles = articles + 1;
    INSERT INTO entity_days (entity_id, day, mentions, articles, stories)
    SELECT new.entity_id, new.day, 0, 0, 1 FROM story_entity_days s
    WHERE s.story_id = (SELECT story_id FROM articles WHERE id = new.article_id)
      AND s.entity_id = new.entity_id AND s.day = new.day AND s.articles = 1
    ON CONFLICT (entity_id, day) DO UPDATE SET stories = stories + 1;
    UPDATE entities SET stories = stories + 1
    WHERE id = new.entity_id
      AND (SELECT sum(s.articles) FROM story_entity_days s
           WHERE s.story_id = (SELECT story_id FROM articles WHERE id = new.article_id)
             AND s.entity_id = new.entity_id) = 1;
END;

-- (An article being deleted is gone by the time its article_entities rows go: its BEFORE DELETE trigger did this.)
CREATE TRIGGER article_entities_stories_delete AFTER DELETE ON article_entities
WHEN NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = old.article_id)
 AND (SELECT story_id FROM articles WHERE id = old.article_id) IS NOT NULL
BEGIN
    UPDATE entity_days SET stories = stories - 1
    WHERE entity_id = old.entity_id AND day = old.day
      AND (SELECT s.articles FROM story_entity_days s
           WHERE s.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
             AND s.entity_id = old.entity_id AND s.day = old.day) = 1;
    UPDATE entities SET stories = stories - 1
    WHERE id = old.entity_id
      AND (SELECT sum(s.articles) FROM story_entity_days s
           WHERE s.story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
             AND s.entity_id = old.entity_id) = 1;
    UPDATE story_entity_days SET articles = articles - 1
    WHERE story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
      AND entity_id = old.entity_id AND day = old.day;
    DELETE FROM story_entity_days
    WHERE story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
      AND entity_id = old.entity_id AND day = old.day AND articles <= 0;
END;

-- Stories with the headline of their first article, most sites first within a range of first publication.
CREATE VIEW v_stories AS
SELECT s.id                  AS story_id,
       a.title               AS headline,
       s.first_article_id,
       s.first_published_at,
       s.first_seen_at,
       s.sites,
       s.articles,
       s.last_update
FROM stories s
LEFT JOIN articles a ON a.id = s.first_article_id;

-- The columns of 0002's views, and the stories naming the entity (all time; per day in v_entity_daily).
DROP VIEW v_entity_counts;
CREATE VIEW v_entity_counts AS
SELECT id AS entity_id, type, name, mentions, articles, stories
FROM entities
WHERE mentions > 0;

DROP VIEW v_entity_daily;
CREATE VIEW v_entity_daily AS
SELECT d.day,
       e.id        AS entity_id,
       e.type,
       e.name,
       d.mentions,
       d.articles,
       d.stories
FROM entity_days d
JOIN entities e ON e.id = d.entity_id;
