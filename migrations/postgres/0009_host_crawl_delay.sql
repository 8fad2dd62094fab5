-- A host's robots.txt Crawl-delay is kept with its turns (issue 16), so that every worker keeps it: before, only a
-- worker that had read the robots.txt itself passed the delay as its claim's gap, and a worker that had not (or was
-- re-reading it) claimed with the configured gap alone, starting its request too soon after another worker's.
--
-- Whoever reads a host's robots.txt records its delay here (zero when it names none: a delay that was dropped is
-- dropped for everyone; a read that failed changes nothing), and the host's next turn then starts at least the delay
-- later; every claim spaces the host's turns by the larger of its own gap and this. The table is UNLOGGED, as in 0007:
-- after a crash of the server the delay is recorded again when a worker next reads the host's robots.txt; until
-- then, workers that have its rules cached still pass the delay as their claims' gap.

ALTER TABLE host_slots ADD COLUMN crawl_delay interval NOT NULL DEFAULT '0';

-- 0007's claim_host_turn, with the host's recorded Crawl-delay as the least gap.
CREATE OR REPLACE FUNCTION claim_host_turn(p_host text, p_holder text, p_concurrency integer, p_gap interval,
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
    UPDATE host_slots SET next_start = starts + greatest(p_gap, slot.crawl_delay) WHERE host = p_host;
    INSERT INTO host_turns (host, holder, starts_at, lease_until)
    VALUES (p_host, p_holder, starts, starts + p_lease)
    RETURNING id INTO turn;
END $$;
