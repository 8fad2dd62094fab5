-- Counting an article's mentions once per distinct entity instead of once per mention (issue 7: the per-mention
-- triggers cost the writer ~80 upserts per article).
--
-- While an article's id is in `mentions_uncounted`, the per-mention triggers skip that article's mentions, and
-- Gazette's writer books them in one set-based pass (article_entities, entity_days, entities) before its transaction
-- ends and removes the id. Readers never see an id in this table: it is added and removed within one transaction.
-- Every other insert or delete of a mention (plain SQL, cascades from a deleted article) is still counted per row,
-- so the totals stay equal to the truth whatever writes them.
CREATE TABLE mentions_uncounted (
    article_id INTEGER PRIMARY KEY
);

DROP TRIGGER mentions_count_insert;
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

DROP TRIGGER mentions_count_delete;
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
