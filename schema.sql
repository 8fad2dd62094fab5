-- Gazette's SQLite schema at version 11, generated from migrations/ (do not edit: add a migration).
-- Regenerate with: GAZETTE_UPDATE_SCHEMA=1 cargo test -p gazette-store schema_sql

-- table article_countries
CREATE TABLE article_countries (
    article_id       INTEGER NOT NULL,
    country_code     TEXT NOT NULL,
    day              TEXT NOT NULL,
    place_mentions   INTEGER NOT NULL,
    demonym_mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, country_code)
) WITHOUT ROWID;

-- table article_entities
CREATE TABLE article_entities (
    article_id INTEGER NOT NULL,
    entity_id  INTEGER NOT NULL,
    day        TEXT NOT NULL,
    mentions   INTEGER NOT NULL, capped INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (article_id, entity_id)
) WITHOUT ROWID;

-- table article_places
CREATE TABLE article_places (
    article_id INTEGER NOT NULL,
    place_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, place_id)
) WITHOUT ROWID;

-- table articles
CREATE TABLE articles (
    id                INTEGER PRIMARY KEY,
    feed_id           INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    item_key          TEXT NOT NULL,            -- dedup key: GUID, else normalised URL, else title + date
    guid              TEXT,
    url               TEXT,                     -- normalised
    canonical_url     TEXT,
    title             TEXT,
    authors           TEXT NOT NULL DEFAULT '[]', -- JSON array of names
    published_at      TEXT,
    language          TEXT,
    site_name         TEXT,
    image_url         TEXT,
    image_caption     TEXT,
    description       TEXT,
    text              TEXT NOT NULL DEFAULT '', -- body paragraphs joined by blank lines
    html              BLOB,                     -- raw page, gzip-compressed
    content_hash      TEXT,
    page_error        TEXT,                     -- why the page could not be fetched or extracted
    extractor_version TEXT,
    tagger_version    TEXT,
    fetched_at        TEXT NOT NULL, published_source TEXT, updated_at TEXT, agencies TEXT NOT NULL DEFAULT '[]', image_credit TEXT, names_tagged TEXT CHECK (names_tagged IN ('all', 'partial', 'none')), untagged_languages TEXT, story_id INTEGER, site_host TEXT GENERATED ALWAYS AS (
    CASE WHEN COALESCE(url, canonical_url) IS NULL THEN 'feed:' || feed_id
    ELSE lower(substr(
        substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3),
        1,
        CASE WHEN instr(substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3), '/') > 0
             THEN instr(substr(COALESCE(url, canonical_url), instr(COALESCE(url, canonical_url), '://') + 3), '/') - 1
             ELSE length(COALESCE(url, canonical_url)) END))
    END) VIRTUAL, resolver_version TEXT,
    UNIQUE (feed_id, item_key)
);

-- table articles_fts
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text,
    content="articles", content_rowid="id",  -- spelt so that Datasette links the index to its table
    tokenize = 'unicode61 remove_diacritics 2'
);

-- table demonym_mentions
CREATE TABLE demonym_mentions (
    article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    field        TEXT NOT NULL CHECK (field IN ('title', 'text', 'caption')),
    start        INTEGER NOT NULL,
    "end"        INTEGER NOT NULL,
    surface      TEXT NOT NULL,
    country_code TEXT NOT NULL,
    day          TEXT NOT NULL,
    PRIMARY KEY (article_id, field, start)
) WITHOUT ROWID;

-- table entities
CREATE TABLE entities (
    id       INTEGER PRIMARY KEY,
    type     TEXT NOT NULL,                     -- PER ORG LOC MISC DATE TIME MONEY PERCENT CARDINAL ORDINAL
    name     TEXT NOT NULL,
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0, stories INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, name)
);

-- table entity_days
CREATE TABLE entity_days (
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    day       TEXT NOT NULL,
    mentions  INTEGER NOT NULL,
    articles  INTEGER NOT NULL, stories INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, day)
) WITHOUT ROWID;

-- table entity_pair_days
CREATE TABLE entity_pair_days (
    day          TEXT NOT NULL,
    entity1_id   INTEGER NOT NULL,
    entity2_id   INTEGER NOT NULL,
    entity1_type TEXT NOT NULL,
    entity2_type TEXT NOT NULL,
    articles     INTEGER NOT NULL,
    PRIMARY KEY (day, entity1_id, entity2_id)
) WITHOUT ROWID;

-- table feeds
CREATE TABLE feeds (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL UNIQUE,
    title         TEXT,
    site_url      TEXT,
    etag          TEXT,
    last_modified TEXT,
    next_check_at TEXT,
    error_count   INTEGER NOT NULL DEFAULT 0,   -- consecutive failed fetches
    last_error    TEXT,
    disabled      INTEGER NOT NULL DEFAULT 0,
    obey_robots   INTEGER NOT NULL DEFAULT 1,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
, enabled_at TEXT, hinted_interval_secs INTEGER);

-- table fetches
CREATE TABLE fetches (
    id              INTEGER PRIMARY KEY,
    feed_id         INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    started_at      TEXT NOT NULL,
    status          INTEGER,                    -- HTTP status; NULL when no response arrived
    bytes           INTEGER NOT NULL DEFAULT 0,
    duration_ms     INTEGER NOT NULL DEFAULT 0,
    new_items       INTEGER NOT NULL DEFAULT 0,
    duplicate_items INTEGER NOT NULL DEFAULT 0,
    error           TEXT
);

-- table maintenance
CREATE TABLE maintenance (
    task        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
) WITHOUT ROWID;

-- table mentions
CREATE TABLE mentions (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id      INTEGER NOT NULL REFERENCES entities(id),
    field          TEXT NOT NULL DEFAULT 'text' CHECK (field IN ('title', 'text', 'caption')),
    start          INTEGER NOT NULL,
    "end"          INTEGER NOT NULL,
    surface        TEXT NOT NULL,
    tagger_version TEXT NOT NULL,
    day            TEXT NOT NULL
, place_id INTEGER REFERENCES places(geonameid), place_confidence REAL);

-- table mentions_uncounted
CREATE TABLE mentions_uncounted (
    article_id INTEGER PRIMARY KEY
);

-- table page_retries
CREATE TABLE page_retries (
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    item_key      TEXT NOT NULL,
    tries         INTEGER NOT NULL,
    last_error    TEXT,
    last_tried_at TEXT NOT NULL,
    item          TEXT,
    PRIMARY KEY (feed_id, item_key)
) WITHOUT ROWID;

-- table places
CREATE TABLE places (
    geonameid     INTEGER PRIMARY KEY,
    name          TEXT NOT NULL,
    feature_class TEXT NOT NULL,
    feature_code  TEXT NOT NULL,
    country_code  TEXT NOT NULL,
    admin1        TEXT NOT NULL,
    lat           REAL NOT NULL,
    lon           REAL NOT NULL,
    population    INTEGER NOT NULL,
    mentions      INTEGER NOT NULL DEFAULT 0,
    articles      INTEGER NOT NULL DEFAULT 0
);

-- table quotes
CREATE TABLE quotes (
    id                INTEGER PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    speaker_entity_id INTEGER REFERENCES entities(id),
    text              TEXT NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL
);

-- table stories
CREATE TABLE stories (
    id                 INTEGER PRIMARY KEY,
    first_article_id   INTEGER,
    first_seen_at      TEXT,
    first_published_at TEXT,
    articles           INTEGER NOT NULL DEFAULT 0,
    sites              INTEGER NOT NULL DEFAULT 0,
    last_update        TEXT
);

-- table story_bands
CREATE TABLE story_bands (
    slot     INTEGER PRIMARY KEY,
    band_key INTEGER NOT NULL
);

-- table story_entity_days
CREATE TABLE story_entity_days (
    story_id  INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    day       TEXT NOT NULL,
    articles  INTEGER NOT NULL,
    PRIMARY KEY (story_id, entity_id, day)
) WITHOUT ROWID;

-- table story_fingerprints
CREATE TABLE story_fingerprints (
    article_id  INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL,
    scheme_id   INTEGER NOT NULL,
    fingerprint BLOB NOT NULL
);

-- table story_schemes
CREATE TABLE story_schemes (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
);

-- table story_sites
CREATE TABLE story_sites (
    story_id INTEGER NOT NULL,
    site     TEXT NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (story_id, site)
) WITHOUT ROWID;

-- table tombstones
CREATE TABLE tombstones (
    feed_id       INTEGER NOT NULL,
    item_key      TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    deleted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (feed_id, item_key)
);

-- index article_countries_country
CREATE INDEX article_countries_country ON article_countries(country_code, day);

-- index article_countries_day
CREATE INDEX article_countries_day ON article_countries(day, country_code);

-- index article_entities_day
CREATE INDEX article_entities_day ON article_entities(day, entity_id);

-- index article_entities_entity
CREATE INDEX article_entities_entity ON article_entities(entity_id, day);

-- index article_places_day
CREATE INDEX article_places_day ON article_places(day, place_id);

-- index article_places_place
CREATE INDEX article_places_place ON article_places(place_id, day);

-- index articles_canonical_url
CREATE INDEX articles_canonical_url ON articles(feed_id, canonical_url);

-- index articles_feed_published
CREATE INDEX articles_feed_published ON articles(feed_id, published_at);

-- index articles_published
CREATE INDEX articles_published ON articles(published_at);

-- index articles_story
CREATE INDEX articles_story ON articles(story_id, published_at, fetched_at, updated_at);

-- index articles_url
CREATE INDEX articles_url ON articles(feed_id, url);

-- index entities_name
CREATE INDEX entities_name ON entities(name);

-- index entity_days_day
CREATE INDEX entity_days_day ON entity_days(day, entity_id);

-- index entity_days_day_mentions
CREATE INDEX entity_days_day_mentions ON entity_days(day, mentions);

-- index fetches_feed_started
CREATE INDEX fetches_feed_started ON fetches(feed_id, started_at);

-- index mentions_article
CREATE INDEX mentions_article ON mentions(article_id, entity_id);

-- index places_country
CREATE INDEX places_country ON places(country_code, feature_code);

-- index quotes_article
CREATE INDEX quotes_article ON quotes(article_id);

-- index quotes_speaker
CREATE INDEX quotes_speaker ON quotes(speaker_entity_id);

-- index stories_first_published
CREATE INDEX stories_first_published ON stories(first_published_at);

-- index story_bands_key
CREATE INDEX story_bands_key ON story_bands(band_key);

-- index tombstones_canonical_url
CREATE INDEX tombstones_canonical_url ON tombstones(feed_id, canonical_url);

-- index tombstones_url
CREATE INDEX tombstones_url ON tombstones(feed_id, url);

-- trigger article_entities_fixed
CREATE TRIGGER article_entities_fixed BEFORE UPDATE OF article_id, entity_id, day, capped ON article_entities
BEGIN
    SELECT RAISE(ABORT, 'article_entities is derived from mentions: insert or delete mentions instead');
END;

-- trigger article_entities_pairs_delete
CREATE TRIGGER article_entities_pairs_delete AFTER DELETE ON article_entities
WHEN old.capped = 0
 AND NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = old.article_id)
 AND (SELECT type FROM entities WHERE id = old.entity_id) IN ('PER', 'ORG', 'LOC', 'MISC')
BEGIN
    UPDATE entity_pair_days SET articles = articles - 1
    WHERE day = old.day AND entity1_id = old.entity_id AND entity2_id IN (
        SELECT ae.entity_id FROM article_entities ae JOIN entities o ON o.id = ae.entity_id
        WHERE ae.article_id = old.article_id AND ae.day = old.day AND ae.capped = 0
          AND o.type IN ('PER', 'ORG', 'LOC', 'MISC'));
    UPDATE entity_pair_days SET articles = articles - 1
    WHERE day = old.day AND entity2_id = old.entity_id AND entity1_id IN (
        SELECT ae.entity_id FROM article_entities ae JOIN entities o ON o.id = ae.entity_id
        WHERE ae.article_id = old.article_id AND ae.day = old.day AND ae.capped = 0
          AND o.type IN ('PER', 'ORG', 'LOC', 'MISC'));
    DELETE FROM entity_pair_days
    WHERE day = old.day AND entity1_id = old.entity_id AND articles <= 0 AND entity2_id IN (
        SELECT ae.entity_id FROM article_entities ae JOIN entities o ON o.id = ae.entity_id
        WHERE ae.article_id = old.article_id AND ae.day = old.day AND ae.capped = 0
          AND o.type IN ('PER', 'ORG', 'LOC', 'MISC'));
    DELETE FROM entity_pair_days
    WHERE day = old.day AND entity2_id = old.entity_id AND articles <= 0 AND entity1_id IN (
        SELECT ae.entity_id FROM article_entities ae JOIN entities o ON o.id = ae.entity_id
        WHERE ae.article_id = old.article_id AND ae.day = old.day AND ae.capped = 0
          AND o.type IN ('PER', 'ORG', 'LOC', 'MISC'));
END;

-- trigger article_entities_pairs_insert
CREATE TRIGGER article_entities_pairs_insert AFTER INSERT ON article_entities
WHEN new.capped = 0
 AND NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = new.article_id)
 AND (SELECT type FROM entities WHERE id = new.entity_id) IN ('PER', 'ORG', 'LOC', 'MISC')
BEGIN
    INSERT INTO entity_pair_days (day, entity1_id, entity2_id, entity1_type, entity2_type, articles)
    SELECT new.day, n.id, o.id, n.type, o.type, 1
    FROM entities n, article_entities ae JOIN entities o ON o.id = ae.entity_id
    WHERE n.id = new.entity_id AND ae.article_id = new.article_id AND ae.entity_id <> new.entity_id
      AND ae.day = new.day AND ae.capped = 0 AND o.type IN ('PER', 'ORG', 'LOC', 'MISC')
    ON CONFLICT (day, entity1_id, entity2_id) DO UPDATE SET articles = articles + 1;
    INSERT INTO entity_pair_days (day, entity1_id, entity2_id, entity1_type, entity2_type, articles)
    SELECT new.day, o.id, n.id, o.type, n.type, 1
    FROM entities n, article_entities ae JOIN entities o ON o.id = ae.entity_id
    WHERE n.id = new.entity_id AND ae.article_id = new.article_id AND ae.entity_id <> new.entity_id
      AND ae.day = new.day AND ae.capped = 0 AND o.type IN ('PER', 'ORG', 'LOC', 'MISC')
    ON CONFLICT (day, entity1_id, entity2_id) DO UPDATE SET articles = articles + 1;
END;

-- trigger article_entities_stories_delete
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

-- trigger article_entities_stories_insert
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

-- trigger articles_day_fixed
CREATE TRIGGER articles_day_fixed BEFORE UPDATE OF published_at, fetched_at ON articles
WHEN substr(COALESCE(new.published_at, new.fetched_at), 1, 10) <> substr(COALESCE(old.published_at, old.fetched_at), 1, 10)
 AND (EXISTS (SELECT 1 FROM mentions WHERE article_id = old.id)
      OR EXISTS (SELECT 1 FROM demonym_mentions WHERE article_id = old.id))
BEGIN
    SELECT RAISE(ABORT, 'the article has mentions: delete them before changing its day (gazette reprocess does)');
END;

-- trigger articles_delete_annotations
CREATE TRIGGER articles_delete_annotations AFTER DELETE ON articles BEGIN
    DELETE FROM mentions WHERE article_id = old.id;
    DELETE FROM quotes WHERE article_id = old.id;
END;

-- trigger articles_delete_demonyms
CREATE TRIGGER articles_delete_demonyms AFTER DELETE ON articles BEGIN
    DELETE FROM demonym_mentions WHERE article_id = old.id;
END;

-- trigger articles_fts_delete
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;

-- trigger articles_fts_insert
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

-- trigger articles_fts_update
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

-- trigger articles_story_delete
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

-- trigger articles_story_entities_delete
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

-- trigger articles_story_insert
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

-- trigger articles_story_start
CREATE TRIGGER articles_story_start AFTER INSERT ON articles
WHEN new.story_id IS NULL
BEGIN
    INSERT INTO stories (articles, sites) VALUES (0, 0);
    UPDATE articles SET story_id = (SELECT max(id) FROM stories) WHERE id = new.id;
END;

-- trigger articles_story_update
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

-- trigger articles_tombstone
CREATE TRIGGER articles_tombstone AFTER DELETE ON articles
WHEN EXISTS (SELECT 1 FROM feeds WHERE id = old.feed_id)
BEGIN
    INSERT OR IGNORE INTO tombstones (feed_id, item_key, url, canonical_url)
    VALUES (old.feed_id, old.item_key, old.url, old.canonical_url);
END;

-- trigger demonym_mentions_delete
CREATE TRIGGER demonym_mentions_delete AFTER DELETE ON demonym_mentions
BEGIN
    UPDATE article_countries SET demonym_mentions = demonym_mentions - 1
    WHERE article_id = old.article_id AND country_code = old.country_code;
    DELETE FROM article_countries
    WHERE article_id = old.article_id AND country_code = old.country_code
      AND place_mentions <= 0 AND demonym_mentions <= 0;
END;

-- trigger demonym_mentions_fixed
CREATE TRIGGER demonym_mentions_fixed BEFORE UPDATE OF article_id, country_code, day ON demonym_mentions
BEGIN
    SELECT RAISE(ABORT, 'demonym_mentions cannot be moved: delete the row and insert a new one');
END;

-- trigger demonym_mentions_insert
CREATE TRIGGER demonym_mentions_insert AFTER INSERT ON demonym_mentions
BEGIN
    INSERT INTO article_countries (article_id, country_code, day, place_mentions, demonym_mentions)
    VALUES (new.article_id, new.country_code, new.day, 0, 1)
    ON CONFLICT (article_id, country_code) DO UPDATE SET demonym_mentions = demonym_mentions + 1;
END;

-- trigger feeds_delete_history
CREATE TRIGGER feeds_delete_history AFTER DELETE ON feeds BEGIN
    DELETE FROM articles WHERE feed_id = old.id;
    DELETE FROM fetches WHERE feed_id = old.id;
    DELETE FROM page_retries WHERE feed_id = old.id;
END;

-- trigger feeds_forget_tombstones
CREATE TRIGGER feeds_forget_tombstones AFTER DELETE ON feeds
BEGIN
    DELETE FROM tombstones WHERE feed_id = old.id;
END;

-- trigger mentions_count_delete
CREATE TRIGGER mentions_count_delete AFTER DELETE ON mentions
WHEN NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = old.article_id)
BEGIN
    UPDATE article_entities SET mentions = mentions - 1
    WHERE article_id = old.article_id AND entity_id = old.entity_id;
    -- last = 1 when this was the entity's last mention in the article.
    UPDATE entity_days SET
        mentions = mentions - 1,
        articles = articles - coalesce((SELECT ae.mentions <= 0 FROM article_entities ae
                                        WHERE ae.article_id = old.article_id AND ae.entity_id = old.entity_id), 0)
    WHERE entity_id = old.entity_id AND day = old.day;
    UPDATE entities SET
        mentions = mentions - 1,
        articles = articles - coalesce((SELECT ae.mentions <= 0 FROM article_entities ae
                                        WHERE ae.article_id = old.article_id AND ae.entity_id = old.entity_id), 0)
    WHERE id = old.entity_id;
    DELETE FROM article_entities WHERE article_id = old.article_id AND entity_id = old.entity_id AND mentions <= 0;
    DELETE FROM entity_days WHERE entity_id = old.entity_id AND day = old.day AND mentions <= 0;
END;

-- trigger mentions_count_insert
CREATE TRIGGER mentions_count_insert AFTER INSERT ON mentions
WHEN NOT EXISTS (SELECT 1 FROM mentions_uncounted WHERE article_id = new.article_id)
BEGIN
    INSERT INTO article_entities (article_id, entity_id, day, mentions)
    VALUES (new.article_id, new.entity_id, new.day, 1)
    ON CONFLICT (article_id, entity_id) DO UPDATE SET mentions = mentions + 1;
    -- first = 1 when this is the entity's first mention in the article.
    INSERT INTO entity_days (entity_id, day, mentions, articles)
    SELECT new.entity_id, new.day, 1, ae.mentions = 1
    FROM article_entities ae WHERE ae.article_id = new.article_id AND ae.entity_id = new.entity_id
    ON CONFLICT (entity_id, day) DO UPDATE SET
        mentions = mentions + 1,
        articles = articles + excluded.articles;
    UPDATE entities SET
        mentions = mentions + 1,
        articles = articles + (SELECT ae.mentions = 1 FROM article_entities ae
                               WHERE ae.article_id = new.article_id AND ae.entity_id = new.entity_id)
    WHERE id = new.entity_id;
END;

-- trigger mentions_immutable
CREATE TRIGGER mentions_immutable BEFORE UPDATE OF article_id, entity_id, day ON mentions BEGIN
    SELECT RAISE(ABORT, 'mentions cannot be moved: delete the mention and insert a new one');
END;

-- trigger mentions_place_delete
CREATE TRIGGER mentions_place_delete AFTER DELETE ON mentions WHEN old.place_id IS NOT NULL
BEGIN
    UPDATE article_places SET mentions = mentions - 1
    WHERE article_id = old.article_id AND place_id = old.place_id;
    UPDATE places SET
        mentions = mentions - 1,
        articles = articles - coalesce((SELECT ap.mentions <= 0 FROM article_places ap
                                        WHERE ap.article_id = old.article_id AND ap.place_id = old.place_id), 0)
    WHERE geonameid = old.place_id;
    DELETE FROM article_places WHERE article_id = old.article_id AND place_id = old.place_id AND mentions <= 0;
    UPDATE article_countries SET place_mentions = place_mentions - 1
    WHERE article_id = old.article_id
      AND country_code = (SELECT country_code FROM places WHERE geonameid = old.place_id);
    DELETE FROM article_countries
    WHERE article_id = old.article_id AND place_mentions <= 0 AND demonym_mentions <= 0
      AND country_code = (SELECT country_code FROM places WHERE geonameid = old.place_id);
END;

-- trigger mentions_place_insert
CREATE TRIGGER mentions_place_insert AFTER INSERT ON mentions WHEN new.place_id IS NOT NULL
BEGIN
    INSERT INTO article_places (article_id, place_id, day, mentions)
    VALUES (new.article_id, new.place_id, new.day, 1)
    ON CONFLICT (article_id, place_id) DO UPDATE SET mentions = mentions + 1;
    UPDATE places SET
        mentions = mentions + 1,
        articles = articles + (SELECT ap.mentions = 1 FROM article_places ap
                               WHERE ap.article_id = new.article_id AND ap.place_id = new.place_id)
    WHERE geonameid = new.place_id;
    INSERT INTO article_countries (article_id, country_code, day, place_mentions, demonym_mentions)
    SELECT new.article_id, p.country_code, new.day, 1, 0 FROM places p
    WHERE p.geonameid = new.place_id AND p.country_code <> ''
    ON CONFLICT (article_id, country_code) DO UPDATE SET place_mentions = place_mentions + 1;
END;

-- trigger mentions_place_update
CREATE TRIGGER mentions_place_update AFTER UPDATE OF place_id ON mentions
WHEN old.place_id IS NOT new.place_id
BEGIN
    UPDATE article_places SET mentions = mentions - 1
    WHERE old.place_id IS NOT NULL AND article_id = old.article_id AND place_id = old.place_id;
    UPDATE places SET
        mentions = mentions - 1,
        articles = articles - coalesce((SELECT ap.mentions <= 0 FROM article_places ap
                                        WHERE ap.article_id = old.article_id AND ap.place_id = old.place_id), 0)
    WHERE old.place_id IS NOT NULL AND geonameid = old.place_id;
    DELETE FROM article_places
    WHERE old.place_id IS NOT NULL AND article_id = old.article_id AND place_id = old.place_id AND mentions <= 0;
    UPDATE article_countries SET place_mentions = place_mentions - 1
    WHERE old.place_id IS NOT NULL AND article_id = old.article_id
      AND country_code = (SELECT country_code FROM places WHERE geonameid = old.place_id);
    DELETE FROM article_countries
    WHERE old.place_id IS NOT NULL AND article_id = old.article_id AND place_mentions <= 0
      AND demonym_mentions <= 0 AND country_code = (SELECT country_code FROM places WHERE geonameid = old.place_id);

    INSERT INTO article_places (article_id, place_id, day, mentions)
    SELECT new.article_id, new.place_id, new.day, 1 WHERE new.place_id IS NOT NULL
    ON CONFLICT (article_id, place_id) DO UPDATE SET mentions = mentions + 1;
    UPDATE places SET
        mentions = mentions + 1,
        articles = articles + (SELECT ap.mentions = 1 FROM article_places ap
                               WHERE ap.article_id = new.article_id AND ap.place_id = new.place_id)
    WHERE new.place_id IS NOT NULL AND geonameid = new.place_id;
    INSERT INTO article_countries (article_id, country_code, day, place_mentions, demonym_mentions)
    SELECT new.article_id, p.country_code, new.day, 1, 0 FROM places p
    WHERE new.place_id IS NOT NULL AND p.geonameid = new.place_id AND p.country_code <> ''
    ON CONFLICT (article_id, country_code) DO UPDATE SET place_mentions = place_mentions + 1;
END;

-- trigger places_country_fixed
CREATE TRIGGER places_country_fixed BEFORE UPDATE OF country_code ON places
WHEN old.country_code IS NOT new.country_code
 AND EXISTS (SELECT 1 FROM article_places WHERE place_id = old.geonameid)
BEGIN
    SELECT RAISE(ABORT, 'the place is mentioned: its country cannot change under its counts');
END;

-- view v_articles
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

-- view v_cooccurrence
CREATE VIEW v_cooccurrence AS
SELECT p.day,
       p.entity1_id, p.entity1_type, (SELECT name FROM entities WHERE id = p.entity1_id) AS entity1,
       p.entity2_id, p.entity2_type, (SELECT name FROM entities WHERE id = p.entity2_id) AS entity2,
       p.articles
FROM entity_pair_days p;

-- view v_country_daily
CREATE VIEW v_country_daily AS
SELECT c.day, c.country_code,
       (SELECT name FROM places WHERE country_code = c.country_code AND feature_code = 'PCLI') AS country,
       c.place_mentions, c.demonym_mentions, c.place_mentions + c.demonym_mentions AS mentions, c.articles
FROM (SELECT day, country_code, sum(place_mentions) AS place_mentions, sum(demonym_mentions) AS demonym_mentions,
             count(*) AS articles
      FROM article_countries GROUP BY day, country_code) c;

-- view v_entity_counts
CREATE VIEW v_entity_counts AS
SELECT id AS entity_id, type, name, mentions, articles, stories
FROM entities
WHERE mentions > 0;

-- view v_entity_daily
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

-- view v_feed_health
CREATE VIEW v_feed_health AS
SELECT f.id,
       f.url,
       f.title,
       f.disabled,
       f.error_count                   AS error_streak,
       f.last_error,
       f.next_check_at,
       (SELECT max(started_at) FROM fetches WHERE feed_id = f.id) AS last_fetch_at,
       (SELECT status FROM fetches WHERE feed_id = f.id ORDER BY started_at DESC, id DESC LIMIT 1) AS last_status,
       (SELECT round(count(*) / 7.0, 2) FROM articles
         WHERE feed_id = f.id
           AND published_at >= strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-7 days')) AS items_per_day,
       (SELECT count(*) FROM articles WHERE feed_id = f.id) AS articles
FROM feeds f;

-- view v_place_counts
CREATE VIEW v_place_counts AS
SELECT geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population, mentions, articles
FROM places
WHERE mentions > 0;

-- view v_place_daily
CREATE VIEW v_place_daily AS
SELECT d.day, d.place_id AS geonameid, p.name, p.feature_code, p.country_code, p.admin1, p.lat, p.lon,
       d.mentions, d.articles
FROM (SELECT day, place_id, sum(mentions) AS mentions, count(*) AS articles
      FROM article_places GROUP BY day, place_id) d
JOIN places p ON p.geonameid = d.place_id;

-- view v_quotes
CREATE VIEW v_quotes AS
SELECT q.id,
       q.text                          AS quote,
       e.name                          AS speaker,
       e.type                          AS speaker_type,
       a.id                            AS article_id,
       a.title                         AS article_title,
       COALESCE(a.canonical_url, a.url) AS url,
       a.published_at
FROM quotes q
JOIN articles a ON a.id = q.article_id
LEFT JOIN entities e ON e.id = q.speaker_entity_id;

-- view v_stories
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
