-- Gazette schema, version 1: feeds, fetches, articles (+ full-text index), entities, mentions, quotes.
-- Times are RFC 3339 UTC text ('2021-12-03T21:15:00Z'), so they sort and compare as strings and read well in SQL.

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
);

-- One row per HTTP attempt at a feed (retries included).
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
CREATE INDEX fetches_feed_started ON fetches(feed_id, started_at);

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
    fetched_at        TEXT NOT NULL,
    UNIQUE (feed_id, item_key)
);
CREATE INDEX articles_published ON articles(published_at);
CREATE INDEX articles_feed_published ON articles(feed_id, published_at);
CREATE INDEX articles_url ON articles(feed_id, url);
CREATE INDEX articles_canonical_url ON articles(feed_id, canonical_url);

-- Articles a user deleted: never stored again, even while the feed still lists them.
CREATE TABLE tombstones (
    feed_id       INTEGER NOT NULL,
    item_key      TEXT NOT NULL,
    url           TEXT,
    canonical_url TEXT,
    deleted_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    PRIMARY KEY (feed_id, item_key)
);
CREATE INDEX tombstones_url ON tombstones(feed_id, url);
CREATE INDEX tombstones_canonical_url ON tombstones(feed_id, canonical_url);
CREATE TRIGGER articles_tombstone AFTER DELETE ON articles
WHEN EXISTS (SELECT 1 FROM feeds WHERE id = old.feed_id)
BEGIN
    INSERT OR IGNORE INTO tombstones (feed_id, item_key, url, canonical_url)
    VALUES (old.feed_id, old.item_key, old.url, old.canonical_url);
END;
CREATE TRIGGER feeds_forget_tombstones AFTER DELETE ON feeds
BEGIN
    DELETE FROM tombstones WHERE feed_id = old.id;
END;

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, text,
    content="articles", content_rowid="id",  -- spelt so that Datasette links the index to its table
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text);
    INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
END;

-- Named entities and values, shared by all articles: one row per (type, canonical name). `mentions` and `articles`
-- are running totals kept by the triggers on `mentions`.
CREATE TABLE entities (
    id       INTEGER PRIMARY KEY,
    type     TEXT NOT NULL,                     -- PER ORG LOC MISC DATE TIME MONEY PERCENT CARDINAL ORDINAL
    name     TEXT NOT NULL,
    mentions INTEGER NOT NULL DEFAULT 0,
    articles INTEGER NOT NULL DEFAULT 0,
    UNIQUE (type, name)
);
CREATE INDEX entities_name ON entities(name);

-- start/end are character offsets into articles.text (or the title or image caption, as `field` says), end
-- exclusive: substr(text, start + 1, end - start) = surface. `day` is the article's publication day (YYYY-MM-DD),
-- copied here so that per-day questions never have to join millions of mentions to their articles.
-- A mention is written once: to correct one, delete it and insert another (the counters below depend on it).
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
);
CREATE INDEX mentions_article ON mentions(article_id, entity_id);
CREATE INDEX mentions_entity ON mentions(entity_id, article_id);

-- Derived from `mentions` by the triggers below, so that counts and pairs over any range of days read thousands of
-- rows instead of millions of mentions:
--   article_entities: each article's distinct entities, with how often each is mentioned in it;
--   entity_days:      per entity and day, mentions and distinct articles;
--   entities.mentions / entities.articles: running totals.
-- article_entities has no foreign key on purpose: its rows go when their last mention goes, also when an article
-- is deleted and its mentions cascade.
CREATE TABLE article_entities (
    article_id INTEGER NOT NULL,
    entity_id  INTEGER NOT NULL,
    day        TEXT NOT NULL,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, entity_id)
) WITHOUT ROWID;
CREATE INDEX article_entities_day ON article_entities(day, entity_id);
CREATE INDEX article_entities_entity ON article_entities(entity_id, day);

CREATE TABLE entity_days (
    entity_id INTEGER NOT NULL REFERENCES entities(id),
    day       TEXT NOT NULL,
    mentions  INTEGER NOT NULL,
    articles  INTEGER NOT NULL,
    PRIMARY KEY (entity_id, day)
) WITHOUT ROWID;
CREATE INDEX entity_days_day ON entity_days(day, entity_id);

CREATE TRIGGER mentions_count_insert AFTER INSERT ON mentions BEGIN
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
CREATE TRIGGER mentions_count_delete AFTER DELETE ON mentions BEGIN
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
CREATE TRIGGER mentions_immutable BEFORE UPDATE OF article_id, entity_id, day ON mentions BEGIN
    SELECT RAISE(ABORT, 'mentions cannot be moved: delete the mention and insert a new one');
END;
-- Mentions carry their article's day: changing the day of an article that has mentions would orphan the counts.
CREATE TRIGGER articles_day_fixed BEFORE UPDATE OF published_at, fetched_at ON articles
WHEN substr(COALESCE(new.published_at, new.fetched_at), 1, 10) <> substr(COALESCE(old.published_at, old.fetched_at), 1, 10)
 AND EXISTS (SELECT 1 FROM mentions WHERE article_id = old.id)
BEGIN
    SELECT RAISE(ABORT, 'the article has mentions: delete them before changing its day (gazette reprocess does)');
END;

CREATE TABLE quotes (
    id                INTEGER PRIMARY KEY,
    article_id        INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    speaker_entity_id INTEGER REFERENCES entities(id),
    text              TEXT NOT NULL,
    start             INTEGER NOT NULL,
    "end"             INTEGER NOT NULL
);
CREATE INDEX quotes_article ON quotes(article_id);
CREATE INDEX quotes_speaker ON quotes(speaker_entity_id);
