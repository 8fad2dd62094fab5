-- Places on the map (issue 19): each place mention (LOC) resolved to one GeoNames entry, demonyms ("Kenyan") counted
-- for their country, and per-article place and country rows so that a week's counts read thousands of rows.
-- Place data: GeoNames (https://www.geonames.org), CC BY 4.0.
--
-- places: the GeoNames entries that occur in the archive (a mention's place, a demonym's country, and the country
--   holding each place, so that every country code has its name here). `feature_class` A (country, division),
--   P (city, town), L (continent); `feature_code` PCLI, ADM1, ADM2, PPLC, PPL, CONT; `country_code` ISO 3166-1
--   alpha-2, '' for a continent; `admin1` GeoNames' code of the first-level division ("TX", "ENG"), '' for a country.
--   Coordinates of countries and divisions are the median of their cities (the sources give none). `mentions` and
--   `articles` are running totals, kept by the triggers below.
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
CREATE INDEX places_country ON places(country_code, feature_code);

-- A place mention's entry; NULL when nothing in the tables fits (or the mention is not a place, or not resolved yet).
-- place_confidence: how sure the resolver is of its choice, 0..1 (for an unresolved place mention, how sure it is
-- that none fits); NULL when not resolved.
ALTER TABLE mentions ADD COLUMN place_id INTEGER REFERENCES places(geonameid);
ALTER TABLE mentions ADD COLUMN place_confidence REAL;
-- The resolver that filled the article's places (NULL: not resolved; `gazette reprocess --places` fills those).
ALTER TABLE articles ADD COLUMN resolver_version TEXT;

-- Demonyms and country adjectives ("Kenyan", "South Africans"), tagged as places or not: they count for their
-- country in v_country_daily, not as place mentions. Offsets as in `mentions`; `day` is the article's.
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

-- Derived from mentions.place_id and demonym_mentions by the triggers below (whatever writes them: Gazette, plain
-- SQL, cascades), like article_entities from mentions:
--   article_places:    each article's distinct places, with how often each is mentioned in it;
--   article_countries: each article's countries, with its place mentions inside the country (the country itself
--                      included) and its demonyms of it.
-- No foreign keys on purpose: the rows go when their last mention goes.
CREATE TABLE article_places (
    article_id INTEGER NOT NULL,
    place_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,
    mentions   INTEGER NOT NULL,
    PRIMARY KEY (article_id, place_id)
) WITHOUT ROWID;
CREATE INDEX article_places_day ON article_places(day, place_id);
CREATE INDEX article_places_place ON article_places(place_id, day);

CREATE TABLE article_countries (
    article_id       INTEGER NOT NULL,
    country_code     TEXT NOT NULL,
    day              TEXT NOT NULL,
    place_mentions   INTEGER NOT NULL,
    demonym_mentions INTEGER NOT NULL,
    PRIMARY KEY (article_id, country_code)
) WITHOUT ROWID;
CREATE INDEX article_countries_day ON article_countries(day, country_code);
CREATE INDEX article_countries_country ON article_countries(country_code, day);

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

-- Resolving a stored mention again (`gazette reprocess --places`) updates place_id in place: the old place's share
-- goes, the new one's comes (the two triggers above, in one).
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

CREATE TRIGGER demonym_mentions_insert AFTER INSERT ON demonym_mentions
BEGIN
    INSERT INTO article_countries (article_id, country_code, day, place_mentions, demonym_mentions)
    VALUES (new.article_id, new.country_code, new.day, 0, 1)
    ON CONFLICT (article_id, country_code) DO UPDATE SET demonym_mentions = demonym_mentions + 1;
END;

CREATE TRIGGER demonym_mentions_delete AFTER DELETE ON demonym_mentions
BEGIN
    UPDATE article_countries SET demonym_mentions = demonym_mentions - 1
    WHERE article_id = old.article_id AND country_code = old.country_code;
    DELETE FROM article_countries
    WHERE article_id = old.article_id AND country_code = old.country_code
      AND place_mentions <= 0 AND demonym_mentions <= 0;
END;

CREATE TRIGGER demonym_mentions_fixed BEFORE UPDATE OF article_id, country_code, day ON demonym_mentions
BEGIN
    SELECT RAISE(ABORT, 'demonym_mentions cannot be moved: delete the row and insert a new one');
END;

-- The country rows of article_countries depend on a place's country: a place in use keeps it.
CREATE TRIGGER places_country_fixed BEFORE UPDATE OF country_code ON places
WHEN old.country_code IS NOT new.country_code
 AND EXISTS (SELECT 1 FROM article_places WHERE place_id = old.geonameid)
BEGIN
    SELECT RAISE(ABORT, 'the place is mentioned: its country cannot change under its counts');
END;

-- Deleting an article from plain SQL with foreign keys off (sqlite3's default) takes its demonyms along, as 0006 does
-- for its mentions and quotes.
CREATE TRIGGER articles_delete_demonyms AFTER DELETE ON articles BEGIN
    DELETE FROM demonym_mentions WHERE article_id = old.id;
END;

-- Demonyms carry their article's day too.
DROP TRIGGER articles_day_fixed;
CREATE TRIGGER articles_day_fixed BEFORE UPDATE OF published_at, fetched_at ON articles
WHEN substr(COALESCE(new.published_at, new.fetched_at), 1, 10) <> substr(COALESCE(old.published_at, old.fetched_at), 1, 10)
 AND (EXISTS (SELECT 1 FROM mentions WHERE article_id = old.id)
      OR EXISTS (SELECT 1 FROM demonym_mentions WHERE article_id = old.id))
BEGIN
    SELECT RAISE(ABORT, 'the article has mentions: delete them before changing its day (gazette reprocess does)');
END;

-- Mentions and articles per place, all time (running totals). GeoNames, CC BY 4.0.
CREATE VIEW v_place_counts AS
SELECT geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population, mentions, articles
FROM places
WHERE mentions > 0;

-- Mentions and articles per place per day (the article's publication day). Filter on `day` for a range, or on
-- `geonameid` for one place's timeline; both are indexed.
CREATE VIEW v_place_daily AS
SELECT d.day, d.place_id AS geonameid, p.name, p.feature_code, p.country_code, p.admin1, p.lat, p.lon,
       d.mentions, d.articles
FROM (SELECT day, place_id, sum(mentions) AS mentions, count(*) AS articles
      FROM article_places GROUP BY day, place_id) d
JOIN places p ON p.geonameid = d.place_id;

-- Per country per day: mentions of places in the country (the country itself included), demonyms of it, both, and
-- the articles with either. Filter on `day` or `country_code`; both are indexed.
CREATE VIEW v_country_daily AS
SELECT c.day, c.country_code,
       (SELECT name FROM places WHERE country_code = c.country_code AND feature_code = 'PCLI') AS country,
       c.place_mentions, c.demonym_mentions, c.place_mentions + c.demonym_mentions AS mentions, c.articles
FROM (SELECT day, country_code, sum(place_mentions) AS place_mentions, sum(demonym_mentions) AS demonym_mentions,
             count(*) AS articles
      FROM article_countries GROUP BY day, country_code) c;
