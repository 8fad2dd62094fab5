-- What the daemon's schedule needs to remember between fetches (issue 7).
--
-- enabled_at: when `gazette feeds enable` last resumed the feed. Its failure streak, which disables a feed that
--   fails for `disable_after_days`, counts from then, so a resumed feed gets a fresh window instead of being disabled
--   again at its first failure.
-- hinted_interval_secs: the feed's own lower bound on how often it is checked (RSS <ttl>, sy:updatePeriod,
--   Cache-Control max-age, Expires) from its last full answer. A 304 carries no document, so without this the
--   feed's TTL would be honoured only after a 200.
ALTER TABLE feeds ADD COLUMN enabled_at TEXT;
ALTER TABLE feeds ADD COLUMN hinted_interval_secs INTEGER;

-- Items whose page failed transiently (a timeout, a 5xx, an unreachable robots.txt): they are not stored yet, and
-- their feed is checked again so that they come back. After a number of tries, or when the item leaves its feed
-- before its page could be fetched, the item is stored without its page (from `item`, the feed item as JSON), so that
-- one dead link neither keeps its feed on a short leash forever nor is lost. A row goes when its article is stored.
CREATE TABLE page_retries (
    feed_id       INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    item_key      TEXT NOT NULL,
    tries         INTEGER NOT NULL,
    last_error    TEXT,
    last_tried_at TEXT NOT NULL,
    item          TEXT,
    PRIMARY KEY (feed_id, item_key)
) WITHOUT ROWID;

-- When periodic housekeeping last ran (`prune_history`), so that the daemon and cron runs of `gazette ingest` do it
-- about daily, whichever runs.
CREATE TABLE maintenance (
    task        TEXT PRIMARY KEY,
    last_run_at TEXT NOT NULL
) WITHOUT ROWID;
