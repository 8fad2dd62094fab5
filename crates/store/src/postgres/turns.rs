//! Turns at hosts shared by every worker (migrations/postgres/0007_many_daemons.sql, and 0009 for the hosts'
//! Crawl-delay): the fetchers of all daemons
//! ask here before each request, so that a host's concurrency, gap and pause hold across processes and machines.
//! Each call is one statement in its own transaction, on the database's clock.

use std::time::Duration;

use super::Pool;
use crate::{HostTurnAnswer, HostTurnClaim, Result};

/// A duration as seconds, for `make_interval`.
fn interval_secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

fn from_secs(s: f64) -> Duration {
    Duration::from_secs_f64(s.max(0.0))
}

/// Claims a turn at a host for this pool's worker.
pub(crate) async fn claim(pool: &Pool, ask: &HostTurnClaim) -> Result<HostTurnAnswer> {
    let conn = pool.conn().await?;
    let row = conn
        .query_one(
            "SELECT turn, extract(epoch FROM wait)::float8, paused
             FROM claim_host_turn($1, $2, $3, make_interval(secs => $4), make_interval(secs => $5),
                                  make_interval(secs => $6))",
            &[
                &ask.host,
                &pool.worker(),
                &i32::try_from(ask.concurrency).unwrap_or(i32::MAX),
                &interval_secs(ask.gap),
                &interval_secs(ask.lease),
                &interval_secs(ask.max_wait),
            ],
        )
        .await?;
    let (turn, wait, paused): (Option<i64>, f64, bool) = (row.get(0), row.get(1), row.get(2));
    let wait = from_secs(wait);
    Ok(match turn {
        Some(turn) => HostTurnAnswer::Granted { turn, wait },
        None if paused => HostTurnAnswer::Paused { wait },
        None => HostTurnAnswer::Busy { wait },
    })
}

/// Ends turns (their requests are over).
pub(crate) async fn end(pool: &Pool, turns: &[i64]) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute("DELETE FROM host_turns WHERE id = ANY($1)", &[&turns])
        .await?;
    Ok(())
}

/// Extends the leases of turns still out to `lease` from now.
pub(crate) async fn renew(pool: &Pool, turns: &[i64], lease: Duration) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "UPDATE host_turns SET lease_until = greatest(lease_until, clock_timestamp() + make_interval(secs => $2))
         WHERE id = ANY($1)",
        &[&turns, &interval_secs(lease)],
    )
    .await?;
    Ok(())
}

/// Starts no turn at the host for `wait` from now (its Retry-After).
pub(crate) async fn pause(pool: &Pool, host: &str, wait: Duration) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "INSERT INTO host_slots AS s (host, next_start, paused_until)
         VALUES ($1, '-infinity', clock_timestamp() + make_interval(secs => $2))
         ON CONFLICT (host) DO UPDATE SET paused_until = greatest(s.paused_until, excluded.paused_until)",
        &[&host, &interval_secs(wait)],
    )
    .await?;
    Ok(())
}

/// Records the host's robots.txt Crawl-delay for every worker's claims (zero: none); the host's next turn starts at
/// least the delay from now (its robots.txt was just read).
pub(crate) async fn set_crawl_delay(pool: &Pool, host: &str, delay: Duration) -> Result<()> {
    let conn = pool.conn().await?;
    conn.execute(
        "INSERT INTO host_slots AS s (host, next_start, crawl_delay)
         VALUES ($1, clock_timestamp() + make_interval(secs => $2), make_interval(secs => $2))
         ON CONFLICT (host) DO UPDATE SET crawl_delay = excluded.crawl_delay,
                                          next_start = greatest(s.next_start, excluded.next_start)",
        &[&host, &interval_secs(delay)],
    )
    .await?;
    Ok(())
}
