-- Several daemons (workers, on one machine or many) share the feeds (issue 16).
--
-- A worker takes the due feeds it will fetch with `SELECT ... FOR UPDATE SKIP LOCKED` (two workers looking at once
-- get disjoint feeds, neither waits) and marks them leased to it until `leased_until`; other workers skip a leased
-- feed. Recording the feed's fetch outcome (its next check) ends the lease. A worker that dies leaves its lease to
-- run out: the feed is then due and leased again by whoever looks next.
ALTER TABLE feeds ADD COLUMN leased_by text;
ALTER TABLE feeds ADD COLUMN leased_until timestamptz;
