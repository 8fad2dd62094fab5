-- Several daemons share hosts' politeness (issue 16): a host's concurrency, the gap between the starts of two
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
