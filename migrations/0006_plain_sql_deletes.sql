-- Deleting from plain SQL (sqlite3, Datasette) must not leave counts behind (issue 6). Those tools open the database
-- with foreign keys off, so `DELETE FROM articles ...` would not cascade: the article's mentions, counters and quotes
-- would stay and keep being counted. These triggers do the cascade's work themselves; with foreign keys on (every
-- Gazette connection), the cascade has already done it and they find nothing to delete.
CREATE TRIGGER articles_delete_annotations AFTER DELETE ON articles BEGIN
    DELETE FROM mentions WHERE article_id = old.id;
    DELETE FROM quotes WHERE article_id = old.id;
END;

-- The same for a feed: its articles (which takes their annotations along), fetches and page retries.
CREATE TRIGGER feeds_delete_history AFTER DELETE ON feeds BEGIN
    DELETE FROM articles WHERE feed_id = old.id;
    DELETE FROM fetches WHERE feed_id = old.id;
    DELETE FROM page_retries WHERE feed_id = old.id;
END;
