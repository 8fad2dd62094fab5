-- One index fewer on `mentions`, the table that takes ~80 rows per article (issue 7: the writer's cost per article).
-- Mentions are reached by article (mentions_article, also used by the cascade when an article is deleted); the
-- mentions of one entity are reached through article_entities (indexed by entity and day), then by article:
--   SELECT m.* FROM article_entities ae
--   JOIN mentions m ON m.article_id = ae.article_id AND m.entity_id = ae.entity_id
--   WHERE ae.entity_id = :id;
-- mentions_entity cost one scattered index insert per mention and no query of Gazette's used it. (Deleting an
-- entity, which Gazette never does, now scans mentions for its foreign-key check.)
DROP INDEX mentions_entity;
