-- What several daemons writing at once need (issue 16): hosts' politeness shared through the database, and story
-- counts that do not hold every writer on a big story.
--
-- Hosts' politeness: a host's concurrency, the gap between the starts of two
-- requests to it and its Retry-After pause are kept here, for every worker, instead of in each process.
--
-- Every request to a host first claims a turn (`claim_host_turn`, one statement, its own transaction) and ends it
-- when its response is read (`DELETE FROM host_turns`). A claim locks the host's row in host_slots, so claims at one
-- host are decided one after another, each with the time at which it was decided (clock_timestamp(), read after the
-- lock is held: now() would be the time the transaction started, possibly before it waited for the lock, and a turn
-- recorded as starting then would let the next one start less than a gap after it really began). A granted turn is
-- a reservation: it starts at `starts_at` (the claimant sleeps `wait`, counted from the answer's arrival, so never
-- before) and holds one of the host's slots from then on; the next turn starts no sooner than a gap later. Turns are
-- leased: a worker renews the turns it holds, and the turns of a worker that died run out with their lease (claims
-- clear them), so a killed daemon blocks no host for longer than the lease.
--
-- UNLOGGED: turns are worth nothing after a crash of the server (the tables come back empty, which is right), and
-- their churn (a row per request) writes no WAL.

CREATE UNLOGGED TABLE host_slots (
    host         text COLLATE "C" PRIMARY KEY,
    -- The earliest start of the host's next turn.
    next_start   timestamptz NOT NULL,
    -- Retry-After: no turn starts before this.
    paused_until timestamptz
);

CREATE UNLOGGED TABLE host_turns (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    host        text COLLATE "C" NOT NULL,
    holder      text NOT NULL,
    starts_at   timestamptz NOT NULL,
    lease_until timestamptz NOT NULL
);
CREATE INDEX host_turns_host ON host_turns (host, lease_until);

-- Claims a turn at p_host: granted (turn, and the wait before it starts) when fewer than p_concurrency live turns
-- are out, starting at the later of the host's next start, the end of its pause and now; else no turn, and `wait`
-- says how long at least before asking again. A pause ending more than p_max_wait from now answers `paused`.
CREATE FUNCTION claim_host_turn(p_host text, p_holder text, p_concurrency integer, p_gap interval,
                                p_lease interval, p_max_wait interval,
                                OUT turn bigint, OUT wait interval, OUT paused boolean)
LANGUAGE plpgsql AS $$
DECLARE
    slot host_slots;
    t timestamptz;
    live integer;
    starts timestamptz;
BEGIN
    INSERT INTO host_slots (host, next_start) VALUES (p_host, '-infinity') ON CONFLICT (host) DO NOTHING;
    SELECT * INTO slot FROM host_slots WHERE host = p_host FOR UPDATE;
    t := clock_timestamp();
    paused := coalesce(slot.paused_until > t + p_max_wait, false);
    IF paused THEN
        wait := slot.paused_until - t;
        RETURN;
    END IF;
    DELETE FROM host_turns WHERE host = p_host AND lease_until <= t;
    SELECT count(*) INTO live FROM host_turns WHERE host = p_host;
    starts := greatest(slot.next_start, slot.paused_until, t);
    wait := starts - t;
    IF live >= p_concurrency THEN
        RETURN;
    END IF;
    UPDATE host_slots SET next_start = starts + p_gap WHERE host = p_host;
    INSERT INTO host_turns (host, holder, starts_at, lease_until)
    VALUES (p_host, p_holder, starts, starts + p_lease)
    RETURNING id INTO turn;
END $$;

-- Articles stored into stories (0005's trigger, changed): a story's row is counted up by the batch's articles
-- instead of being recounted from all of its articles. The recount read every article of the story (and sorted them
-- for the first one) in each batch that added one, while holding the story's lock: with one big story, every writer
-- waited that long for the story, and the wait grew with the story. The increments are exact for the same reason the
-- recount was: the story's row is locked first, so the row and its story_sites are as the last writer left them. A
-- story_sites row the batch creates (xmax = 0: inserted, not updated) is a new site. Moves and deletes still
-- recount (rare, and a story may lose its first article then).
CREATE OR REPLACE FUNCTION articles_story_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    a record;
    started bigint;
    ids bigint[];
BEGIN
    SELECT array_agg(DISTINCT story_id ORDER BY story_id) INTO ids FROM new_articles WHERE story_id IS NOT NULL;
    IF ids IS NOT NULL THEN
        PERFORM gazette_lock_stories(ids);
        WITH added_sites AS (
                 INSERT INTO story_sites AS ss (story_id, site, articles)
                 SELECT story_id, site_host, count(*) FROM new_articles WHERE story_id IS NOT NULL
                 GROUP BY 1, 2 ORDER BY 1, 2
                 ON CONFLICT (story_id, site) DO UPDATE SET articles = ss.articles + excluded.articles
                 RETURNING story_id, xmax = 0 AS fresh),
             new_sites AS (SELECT story_id, count(*) FILTER (WHERE fresh) AS n FROM added_sites GROUP BY 1),
             added AS (
                 SELECT story_id, count(*) AS n, min(fetched_at) AS first_seen, min(published_at) AS first_published,
                        max(COALESCE(updated_at, published_at, fetched_at)) AS last_update
                 FROM new_articles WHERE story_id IS NOT NULL GROUP BY 1),
             new_first AS (
                 SELECT DISTINCT ON (story_id) story_id, id, COALESCE(published_at, fetched_at) AS k
                 FROM new_articles WHERE story_id IS NOT NULL
                 ORDER BY story_id, COALESCE(published_at, fetched_at), id),
             old_first AS (
                 SELECT s.id AS story_id, f.id, COALESCE(f.published_at, f.fetched_at) AS k
                 FROM stories s JOIN articles f ON f.id = s.first_article_id
                 WHERE s.id = ANY (ids))
        UPDATE stories s SET
            articles = s.articles + x.n,
            sites = s.sites + coalesce(ns.n, 0),
            first_article_id = CASE WHEN o.id IS NULL OR (nf.k, nf.id) < (o.k, o.id) THEN nf.id
                                    ELSE s.first_article_id END,
            first_seen_at = least(s.first_seen_at, x.first_seen),
            first_published_at = least(s.first_published_at, x.first_published),
            last_update = greatest(s.last_update, x.last_update)
        FROM added x
        JOIN new_first nf ON nf.story_id = x.story_id
        LEFT JOIN new_sites ns ON ns.story_id = x.story_id
        LEFT JOIN old_first o ON o.story_id = x.story_id
        WHERE s.id = x.story_id;
    END IF;
    FOR a IN SELECT id FROM new_articles WHERE story_id IS NULL ORDER BY id LOOP
        INSERT INTO stories (articles, sites) VALUES (0, 0) RETURNING id INTO started;
        UPDATE articles SET story_id = started WHERE id = a.id;
    END LOOP;
    RETURN NULL;
END $$;
