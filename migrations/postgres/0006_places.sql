-- SQLite's 0010 (places on the map, issue 19; see that file for what each table holds): the same tables, columns
-- and views, in PostgreSQL's types. Place data: GeoNames (https://www.geonames.org), CC BY 4.0.
--
-- As for the entities' counts (0001), article_places, article_countries and the totals in `places` are kept by
-- statement-level triggers on `mentions` and `demonym_mentions` (transition tables), with `INSERT ... ON CONFLICT DO
-- UPDATE` increments on rows taken in key order: exact under concurrent writers, the same code for Gazette, plain SQL
-- and cascades. Whether an article gains or loses a place is read from the row an upsert or update returns (its
-- latest committed value, locked), never from a snapshot.

CREATE TABLE places (
    geonameid     bigint PRIMARY KEY,
    name          text COLLATE "C" NOT NULL,
    feature_class text COLLATE "C" NOT NULL,
    feature_code  text COLLATE "C" NOT NULL,
    country_code  text COLLATE "C" NOT NULL,
    admin1        text COLLATE "C" NOT NULL,
    lat           double precision NOT NULL,
    lon           double precision NOT NULL,
    population    bigint NOT NULL,
    mentions      bigint NOT NULL DEFAULT 0,
    articles      bigint NOT NULL DEFAULT 0
);
CREATE INDEX places_country ON places(country_code, feature_code);

ALTER TABLE mentions ADD COLUMN place_id bigint REFERENCES places(geonameid);
ALTER TABLE mentions ADD COLUMN place_confidence double precision;
ALTER TABLE articles ADD COLUMN resolver_version text;

CREATE TABLE demonym_mentions (
    article_id   bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    field        text COLLATE "C" NOT NULL CHECK (field IN ('title', 'text', 'caption')),
    start        integer NOT NULL,
    "end"        integer NOT NULL,
    surface      text NOT NULL,
    country_code text COLLATE "C" NOT NULL,
    day          date NOT NULL,
    PRIMARY KEY (article_id, field, start)
);

CREATE TABLE article_places (
    article_id bigint NOT NULL,
    place_id   bigint NOT NULL,
    day        date NOT NULL,
    mentions   integer NOT NULL,
    PRIMARY KEY (article_id, place_id)
);
CREATE INDEX article_places_day ON article_places(day, place_id);
CREATE INDEX article_places_place ON article_places(place_id, day);

CREATE TABLE article_countries (
    article_id       bigint NOT NULL,
    country_code     text COLLATE "C" NOT NULL,
    day              date NOT NULL,
    place_mentions   integer NOT NULL,
    demonym_mentions integer NOT NULL,
    PRIMARY KEY (article_id, country_code)
);
CREATE INDEX article_countries_day ON article_countries(day, country_code);
CREATE INDEX article_countries_country ON article_countries(country_code, day);

-- Place mentions entering articles (one element per mention): their article's places and countries, and the
-- places' totals (an article counts for a place when its article_places row is new).
CREATE FUNCTION gazette_places_enter(p_article bigint[], p_place bigint[], p_day date[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    WITH g AS (SELECT a AS article_id, p AS place_id, min(d) AS day, count(*) AS n
               FROM unnest(p_article, p_place, p_day) AS x(a, p, d) WHERE p IS NOT NULL GROUP BY 1, 2),
         ap AS (
             INSERT INTO article_places AS ap (article_id, place_id, day, mentions)
             SELECT article_id, place_id, day, n FROM g ORDER BY 1, 2
             ON CONFLICT (article_id, place_id) DO UPDATE SET mentions = ap.mentions + excluded.mentions
             RETURNING ap.article_id, ap.place_id, ap.mentions),
         totals AS (
             SELECT g.place_id, sum(g.n) AS n, count(*) FILTER (WHERE ap.mentions = g.n) AS a
             FROM g JOIN ap ON ap.article_id = g.article_id AND ap.place_id = g.place_id
             GROUP BY g.place_id)
    INSERT INTO places AS p (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon,
                             population, mentions, articles)
    SELECT q.geonameid, q.name, q.feature_class, q.feature_code, q.country_code, q.admin1, q.lat, q.lon,
           q.population, t.n, t.a
    FROM totals t JOIN places q ON q.geonameid = t.place_id
    ORDER BY q.geonameid
    ON CONFLICT (geonameid) DO UPDATE SET mentions = p.mentions + excluded.mentions,
                                          articles = p.articles + excluded.articles;

    INSERT INTO article_countries AS ac (article_id, country_code, day, place_mentions, demonym_mentions)
    SELECT x.a, q.country_code, min(x.d), count(*), 0
    FROM unnest(p_article, p_place, p_day) AS x(a, p, d)
    JOIN places q ON q.geonameid = x.p
    WHERE q.country_code <> ''
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (article_id, country_code) DO UPDATE SET place_mentions = ac.place_mentions + excluded.place_mentions;
END $$;

-- The same backwards.
CREATE FUNCTION gazette_places_leave(p_article bigint[], p_place bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH g AS (SELECT a AS article_id, p AS place_id, count(*) AS n
               FROM unnest(p_article, p_place) AS x(a, p) WHERE p IS NOT NULL GROUP BY 1, 2),
         ap AS (
             UPDATE article_places ap SET mentions = ap.mentions - g.n
             FROM g WHERE ap.article_id = g.article_id AND ap.place_id = g.place_id
             RETURNING ap.place_id, g.n, ap.mentions <= 0 AS gone),
         totals AS (SELECT place_id, sum(n) AS n, count(*) FILTER (WHERE gone) AS a FROM ap GROUP BY 1)
    INSERT INTO places AS p (geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon,
                             population, mentions, articles)
    SELECT q.geonameid, q.name, q.feature_class, q.feature_code, q.country_code, q.admin1, q.lat, q.lon,
           q.population, -t.n, -t.a
    FROM totals t JOIN places q ON q.geonameid = t.place_id
    ORDER BY q.geonameid
    ON CONFLICT (geonameid) DO UPDATE SET mentions = p.mentions + excluded.mentions,
                                          articles = p.articles + excluded.articles;
    DELETE FROM article_places ap USING unnest(p_article, p_place) AS x(a, p)
    WHERE ap.article_id = x.a AND ap.place_id = x.p AND ap.mentions <= 0;

    UPDATE article_countries ac SET place_mentions = ac.place_mentions - x.n
    FROM (SELECT u.a, q.country_code, count(*) AS n
          FROM unnest(p_article, p_place) AS u(a, p) JOIN places q ON q.geonameid = u.p
          GROUP BY 1, 2) x
    WHERE ac.article_id = x.a AND ac.country_code = x.country_code;
    DELETE FROM article_countries ac USING unnest(p_article, p_place) AS u(a, p), places q
    WHERE q.geonameid = u.p AND ac.article_id = u.a AND ac.country_code = q.country_code
      AND ac.place_mentions <= 0 AND ac.demonym_mentions <= 0;
END $$;

CREATE FUNCTION mentions_place_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM new_mentions WHERE place_id IS NOT NULL) THEN
        PERFORM gazette_places_enter(array_agg(article_id ORDER BY article_id, place_id),
                                     array_agg(place_id ORDER BY article_id, place_id),
                                     array_agg(day ORDER BY article_id, place_id))
        FROM new_mentions WHERE place_id IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER mentions_place_insert AFTER INSERT ON mentions
REFERENCING NEW TABLE AS new_mentions FOR EACH STATEMENT EXECUTE FUNCTION mentions_place_insert();

CREATE FUNCTION mentions_place_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM old_mentions WHERE place_id IS NOT NULL) THEN
        PERFORM gazette_places_leave(array_agg(article_id), array_agg(place_id))
        FROM old_mentions WHERE place_id IS NOT NULL;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER mentions_place_delete AFTER DELETE ON mentions
REFERENCING OLD TABLE AS old_mentions FOR EACH STATEMENT EXECUTE FUNCTION mentions_place_delete();

-- Resolving a stored mention again (`gazette reprocess --places`) updates place_id in place: the old places' share
-- goes, the new ones' comes. (A trigger with transition tables takes no column list: it looks at every update of
-- mentions, and only rows whose place changed count.)
CREATE FUNCTION mentions_place_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM gazette_places_leave(array_agg(o.article_id), array_agg(o.place_id))
    FROM old_mentions o JOIN new_mentions n ON n.id = o.id
    WHERE o.place_id IS DISTINCT FROM n.place_id AND o.place_id IS NOT NULL;
    PERFORM gazette_places_enter(array_agg(n.article_id ORDER BY n.article_id, n.place_id),
                                 array_agg(n.place_id ORDER BY n.article_id, n.place_id),
                                 array_agg(n.day ORDER BY n.article_id, n.place_id))
    FROM old_mentions o JOIN new_mentions n ON n.id = o.id
    WHERE o.place_id IS DISTINCT FROM n.place_id AND n.place_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER mentions_place_update AFTER UPDATE ON mentions
REFERENCING OLD TABLE AS old_mentions NEW TABLE AS new_mentions
FOR EACH STATEMENT EXECUTE FUNCTION mentions_place_update();

CREATE FUNCTION demonym_mentions_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO article_countries AS ac (article_id, country_code, day, place_mentions, demonym_mentions)
    SELECT article_id, country_code, min(day), 0, count(*) FROM new_demonyms
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (article_id, country_code) DO UPDATE SET
        demonym_mentions = ac.demonym_mentions + excluded.demonym_mentions;
    RETURN NULL;
END $$;
CREATE TRIGGER demonym_mentions_insert AFTER INSERT ON demonym_mentions
REFERENCING NEW TABLE AS new_demonyms FOR EACH STATEMENT EXECUTE FUNCTION demonym_mentions_insert();

CREATE FUNCTION demonym_mentions_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE article_countries ac SET demonym_mentions = ac.demonym_mentions - x.n
    FROM (SELECT article_id, country_code, count(*) AS n FROM old_demonyms GROUP BY 1, 2) x
    WHERE ac.article_id = x.article_id AND ac.country_code = x.country_code;
    DELETE FROM article_countries ac USING old_demonyms o
    WHERE ac.article_id = o.article_id AND ac.country_code = o.country_code
      AND ac.place_mentions <= 0 AND ac.demonym_mentions <= 0;
    RETURN NULL;
END $$;
CREATE TRIGGER demonym_mentions_delete AFTER DELETE ON demonym_mentions
REFERENCING OLD TABLE AS old_demonyms FOR EACH STATEMENT EXECUTE FUNCTION demonym_mentions_delete();

CREATE TRIGGER demonym_mentions_fixed BEFORE UPDATE OF article_id, country_code, day ON demonym_mentions
FOR EACH ROW EXECUTE FUNCTION gazette_refuse('demonym_mentions cannot be moved: delete the row and insert a new one');

-- The country rows of article_countries depend on a place's country: a place in use keeps it.
CREATE FUNCTION places_country_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM article_places WHERE place_id = OLD.geonameid) THEN
        RAISE EXCEPTION 'the place is mentioned: its country cannot change under its counts';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER places_country_fixed BEFORE UPDATE OF country_code ON places
FOR EACH ROW WHEN (OLD.country_code IS DISTINCT FROM NEW.country_code) EXECUTE FUNCTION places_country_fixed();

-- Demonyms carry their article's day too.
CREATE OR REPLACE FUNCTION articles_day_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM mentions WHERE article_id = OLD.id)
       OR EXISTS (SELECT 1 FROM demonym_mentions WHERE article_id = OLD.id) THEN
        RAISE EXCEPTION 'the article has mentions: delete them before changing its day (gazette reprocess does)';
    END IF;
    RETURN NEW;
END $$;

CREATE VIEW v_place_counts AS
SELECT geonameid, name, feature_class, feature_code, country_code, admin1, lat, lon, population, mentions, articles
FROM places
WHERE mentions > 0;

CREATE VIEW v_place_daily AS
SELECT d.day, d.place_id AS geonameid, p.name, p.feature_code, p.country_code, p.admin1, p.lat, p.lon,
       d.mentions, d.articles
FROM (SELECT day, place_id, sum(mentions) AS mentions, count(*) AS articles
      FROM article_places GROUP BY day, place_id) d
JOIN places p ON p.geonameid = d.place_id;

-- (A country's name: its PCLI entry, the lowest id if there were several.)
CREATE VIEW v_country_daily AS
SELECT c.day, c.country_code,
       (SELECT name FROM places WHERE country_code = c.country_code AND feature_code = 'PCLI'
        ORDER BY geonameid LIMIT 1) AS country,
       c.place_mentions, c.demonym_mentions, c.place_mentions + c.demonym_mentions AS mentions, c.articles
FROM (SELECT day, country_code, sum(place_mentions) AS place_mentions, sum(demonym_mentions) AS demonym_mentions,
             count(*) AS articles
      FROM article_countries GROUP BY day, country_code) c;
