-- Co-occurring entity pairs counted per day as articles are written (issue 6: v_cooccurrence filtered to one week in
-- under a second on a million articles). Pairing every article's entities at query time reads ~1.6 million pair
-- occurrences for a week of such an archive and took 4-12 s; summing the stored per-day counts takes 0.7 s.
--
-- entity_pair_days: per day and ordered pair of named entities (PER, ORG, LOC, MISC), the number of that day's
--   articles that mention both. Both orders of a pair are stored, so that one entity's partners of a day sit together
--   and v_cooccurrence needs no UNION (which SQLite cannot push a GROUP BY through). Keyed by day first: it answers
--   questions about a range of days; one entity's partners over all time are quicker from article_entities:
--     SELECT b.entity_id, count(*) AS articles FROM article_entities a
--     JOIN article_entities b ON b.article_id = a.article_id AND b.entity_id <> a.entity_id AND b.capped = 0
--     JOIN entities e ON e.id = b.entity_id AND e.type IN ('PER', 'ORG', 'LOC', 'MISC')
--     WHERE a.entity_id = :id AND a.capped = 0 GROUP BY b.entity_id ORDER BY articles DESC; The entities' types
--   are copied in so that type filters read no other table. It costs about 36 bytes per stored pair and day: on an
--   archive with 20 mentions per article, about 5.5 GB per million articles.
-- article_entities.capped: 1 for a named entity beyond its article's 50 most mentioned ones. Its pairs are not
--   counted, so that a page listing hundreds of names (results, lists of victims) adds at most 50 x 49 pairs
--   instead of hundreds of thousands, all of them noise. Gazette's writer sets it when it stores or re-extracts an
--   article; a mention inserted from plain SQL that brings a new entity into an article comes uncapped.
--
-- Gazette's writer books an article's pairs in one statement (crates/store/src/counting.rs). The triggers below keep
-- the counts right for every other write: a mention inserted or deleted from plain SQL, an article deleted from
-- sqlite3 or Datasette. Each pair is counted when its second entity arrives in the article and uncounted when its
-- first entity leaves. Only rows of the same day pair up: an article's mentions all carry its day, and a hand-written
-- mention with another day must not leave a pair behind that its deletion would look for under another day.
--
-- The backfill below is one transaction: the write-ahead log grows by about as much as the file (free disk for
-- twice the growth), and other Gazette processes wait for it or give up after their 30 s busy timeout.
ALTER TABLE article_entities ADD COLUMN capped INTEGER NOT NULL DEFAULT 0;

CREATE TABLE entity_pair_days (
    day          TEXT NOT NULL,
    entity1_id   INTEGER NOT NULL,
    entity2_id   INTEGER NOT NULL,
    entity1_type TEXT NOT NULL,
    entity2_type TEXT NOT NULL,
    articles     INTEGER NOT NULL,
    PRIMARY KEY (day, entity1_id, entity2_id)
) WITHOUT ROWID;

-- Existing archives. First, mentions of articles deleted with foreign keys off before 0006: they belong to no article
-- and would keep being counted (the counting triggers take their totals along).
DELETE FROM mentions WHERE article_id NOT IN (SELECT id FROM articles);
DELETE FROM quotes WHERE article_id NOT IN (SELECT id FROM articles);

-- Cap the articles that name more than 50 entities. Spelt so that the plan cannot depend on statistics: each article
-- counts its own rows (no sort of the whole table), then only the crowded ones are ranked.
WITH crowded AS MATERIALIZED (
    SELECT a.id FROM articles a INDEXED BY articles_published
    WHERE (SELECT count(*) FROM article_entities x JOIN entities xe ON xe.id = x.entity_id
           WHERE x.article_id = a.id AND xe.type IN ('PER', 'ORG', 'LOC', 'MISC')) > 50),
ranked AS (
    SELECT ae.article_id, ae.entity_id,
           row_number() OVER (PARTITION BY ae.article_id ORDER BY ae.mentions DESC, ae.entity_id) AS rank
    FROM crowded c
    CROSS JOIN article_entities ae ON ae.article_id = c.id
    CROSS JOIN entities e ON e.id = ae.entity_id
    WHERE e.type IN ('PER', 'ORG', 'LOC', 'MISC'))
UPDATE article_entities SET capped = 1
WHERE (article_id, entity_id) IN (SELECT article_id, entity_id FROM ranked WHERE rank > 50);

-- Article by article in publication order, so that each day's rows are built together and the memory stays flat (a
-- GROUP BY would sort every pair occurrence of the archive in memory: gigabytes). Measured: 5.5-6.5 minutes for a
-- million articles of 20 mentions on a 2-core machine, and the file grew from 4.2 to 9.7 GB.
INSERT INTO entity_pair_days (day, entity1_id, entity2_id, entity1_type, entity2_type, articles)
SELECT a1.day, a1.entity_id, a2.entity_id, e1.type, e2.type, 1
FROM articles a INDEXED BY articles_published
CROSS JOIN article_entities a1 ON a1.article_id = a.id
CROSS JOIN entities e1 ON e1.id = a1.entity_id
CROSS JOIN article_entities a2 ON a2.article_id = a.id AND a2.entity_id <> a1.entity_id AND a2.day = a1.day
CROSS JOIN entities e2 ON e2.id = a2.entity_id
WHERE a1.capped = 0 AND a2.capped = 0
  AND e1.type IN ('PER', 'ORG', 'LOC', 'MISC') AND e2.type IN ('PER', 'ORG', 'LOC', 'MISC')
ON CONFLICT (day, entity1_id, entity2_id) DO UPDATE SET articles = articles + 1;

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

-- The pairs counted for an article depend on these columns: changing them in place would leave the counts behind.
CREATE TRIGGER article_entities_fixed BEFORE UPDATE OF article_id, entity_id, day, capped ON article_entities
BEGIN
    SELECT RAISE(ABORT, 'article_entities is derived from mentions: insert or delete mentions instead');
END;

-- Pairs now come from the per-day counts; the columns are those of 0002's view.
DROP VIEW v_cooccurrence;
-- Named entities mentioned in the same article, per publication day, with the number of such articles. Both orders
-- of each pair are listed, so `WHERE entity1 = 'Joe Biden'` finds every partner; add `AND entity1_id < entity2_id`
-- to list each pair once. Sum `articles` over days for a range, and always filter on `day` (see above). Pairs among
-- an article's 50 most mentioned named entities count (see article_entities.capped). Names are looked up by scalar
-- subqueries, not joined: measured on a week of a million-article archive, its top 100 pairs take 0.6 s this way
-- and 1.5 s with joins.
CREATE VIEW v_cooccurrence AS
SELECT p.day,
       p.entity1_id, p.entity1_type, (SELECT name FROM entities WHERE id = p.entity1_id) AS entity1,
       p.entity2_id, p.entity2_type, (SELECT name FROM entities WHERE id = p.entity2_id) AS entity2,
       p.articles
FROM entity_pair_days p;
