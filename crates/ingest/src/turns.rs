//! The fetcher's turns at hosts (see `gazette_fetch::turns`) for an archive: on PostgreSQL, where several daemons
//! share the feeds and so the hosts, they are claimed from the database ([`SharedTurns`]), so that a host's
//! concurrency, gap and Retry-After pause hold across all of them; on SQLite (one writing process) the fetcher keeps
//! them itself.
//!
//! A shared claim first takes a turn of this process's own (the in-process rule with no gap: the process's requests
//! to a host queue here, and at most the host's concurrency of them ask the database at once), then asks the
//! database, and while every slot of the host is out (held by any worker) asks again after a short wait, growing to
//! [`MAX_POLL`]. A granted turn is leased for [`turn_lease`]; the turns out are renewed every third of it (a long
//! body keeps its turn), and ended when their request is over. When the database cannot be asked (an error, or no
//! answer within [`CLAIM_TIME_LIMIT`]), the request goes ahead under the in-process rule alone, the host's gap kept
//! by this process (logged): politeness across workers is then only as good as each one's.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use gazette_fetch::turns::{HostPaused, HostTurns, TurnFuture, TurnId, TurnRule};
use gazette_fetch::{FetchConfig, Fetcher, LocalTurns};
use gazette_store::{HostTurnAnswer, HostTurnClaim, Store};

use crate::Config;

/// The longest a turn holds without renewal: a killed daemon's turns block their hosts no longer than this.
pub const MAX_TURN_LEASE: Duration = Duration::from_secs(30);
/// How long a claim waits for the database's answer before its request goes ahead under this process's own rule.
const CLAIM_TIME_LIMIT: Duration = Duration::from_secs(5);
/// The first wait before asking again for a turn at a host whose slots are all out.
const FIRST_POLL: Duration = Duration::from_millis(10);
/// The longest wait between two asks for a turn at a busy host.
const MAX_POLL: Duration = Duration::from_millis(200);

/// How long a shared turn holds without renewal: the feed lease, at most [`MAX_TURN_LEASE`].
pub fn turn_lease(feed_lease: Duration) -> Duration {
    feed_lease.clamp(Duration::from_secs(1), MAX_TURN_LEASE)
}

/// The fetcher for `config` over `store`'s turns: shared through the database on PostgreSQL, in this process on
/// SQLite. On PostgreSQL, call it inside a tokio runtime (the turns' renewal runs as a task).
pub fn fetcher(config: &Config, store: &Store) -> Result<Fetcher, gazette_fetch::FetchError> {
    let fetch: FetchConfig = config.fetch_config();
    if store.shares_feeds() {
        let turns = SharedTurns::start(store.as_worker(config.feed_lease), turn_lease(config.feed_lease));
        Fetcher::with_turns(fetch, turns)
    } else {
        Fetcher::new(fetch)
    }
}

/// Turns at hosts claimed from the archive's database (see the module's doc).
pub struct SharedTurns {
    store: Store,
    local: LocalTurns,
    lease: Duration,
    /// Turns out, by their database id (renewed until ended).
    out: Arc<Mutex<HashSet<i64>>>,
}

impl SharedTurns {
    /// Shared turns over `store` (its own connections: claims should not wait behind the batches being written),
    /// with their renewal task.
    pub fn start(store: Store, lease: Duration) -> Arc<SharedTurns> {
        let turns = Arc::new(SharedTurns {
            store,
            local: LocalTurns::new(),
            lease,
            out: Arc::default(),
        });
        tokio::spawn(renew_while_alive(Arc::downgrade(&turns)));
        turns
    }
}

/// What a claim holds while it is being made: ended when dropped before the claim returns it.
struct Claiming<'a> {
    turns: &'a SharedTurns,
    host: &'a str,
    /// The database's turn, once granted (`-1`: only this process's).
    turn: TurnId,
    done: bool,
}

impl Drop for Claiming<'_> {
    fn drop(&mut self) {
        if !self.done {
            self.turns.end(self.host, self.turn);
        }
    }
}

/// Renews the turns out every third of a lease, until the turns are dropped.
async fn renew_while_alive(turns: Weak<SharedTurns>) {
    let every = match turns.upgrade() {
        Some(t) => t.lease / 3,
        None => return,
    };
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(t) = turns.upgrade() else {
            return;
        };
        let out: Vec<i64> = t.out.lock().expect("turns lock").iter().copied().collect();
        if out.is_empty() {
            continue;
        }
        if let Err(e) = t.store.renew_host_turns(out, t.lease).await {
            tracing::warn!(error = %e, "could not renew the turns at hosts in hand");
        }
    }
}

impl HostTurns for SharedTurns {
    fn claim<'a>(&'a self, host: &'a str, rule: TurnRule) -> TurnFuture<'a, Result<TurnId, HostPaused>> {
        Box::pin(async move {
            // The gap is the database's to keep; here only the process's own share of the concurrency.
            self.local
                .claim(
                    host,
                    TurnRule {
                        gap: Duration::ZERO,
                        ..rule
                    },
                )
                .await?;
            // A claim given up half way (its fetch dropped) gives back what it holds.
            let mut held = Claiming {
                turns: self,
                host,
                turn: TurnId(-1),
                done: false,
            };
            let claim = HostTurnClaim {
                host: host.to_string(),
                concurrency: rule.concurrency,
                gap: rule.gap,
                lease: self.lease,
                max_wait: rule.max_wait,
            };
            let mut poll = FIRST_POLL;
            loop {
                let answer =
                    match tokio::time::timeout(CLAIM_TIME_LIMIT, self.store.claim_host_turn(claim.clone())).await {
                        Ok(answer) => answer.map_err(|e| e.to_string()),
                        Err(_) => Err(format!("no answer within {} s", CLAIM_TIME_LIMIT.as_secs())),
                    };
                match answer {
                    Ok(HostTurnAnswer::Granted { turn, wait }) => {
                        self.out.lock().expect("turns lock").insert(turn);
                        held.turn = TurnId(turn);
                        // Counted from the answer's arrival: the turn never starts before its time.
                        tokio::time::sleep(wait).await;
                        held.done = true;
                        return Ok(held.turn);
                    }
                    Ok(HostTurnAnswer::Busy { wait }) => {
                        tokio::time::sleep(wait.max(poll)).await;
                        poll = (poll * 2).min(MAX_POLL);
                    }
                    Ok(HostTurnAnswer::Paused { wait }) => return Err(HostPaused { wait }),
                    Err(e) => {
                        tracing::warn!(host, error = %e, "could not claim a turn at the host from the database; \
                                       going ahead under this process's own rule");
                        // This process's requests to the host queue behind its own turns above: waiting the gap
                        // here keeps them a gap apart.
                        tokio::time::sleep(rule.gap).await;
                        held.done = true;
                        return Ok(TurnId(-1));
                    }
                }
            }
        })
    }

    fn end(&self, host: &str, turn: TurnId) {
        self.local.end(host, turn);
        if turn.0 < 0 || !self.out.lock().expect("turns lock").remove(&turn.0) {
            return;
        }
        let store = self.store.clone();
        // Outside a runtime (never in Gazette) the turn's lease ends it.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                if let Err(e) = store.end_host_turns(vec![turn.0]).await {
                    tracing::debug!(error = %e, "could not end a turn at a host; its lease will");
                }
            });
        }
    }

    fn pause<'a>(&'a self, host: &'a str, wait: Duration) -> TurnFuture<'a, ()> {
        Box::pin(async move {
            self.local.pause(host, wait).await;
            if let Err(e) = self.store.pause_host(host.to_string(), wait).await {
                tracing::warn!(host, error = %e, "could not pause the host for the other workers");
            }
        })
    }

    fn set_crawl_delay<'a>(&'a self, host: &'a str, delay: Duration) -> TurnFuture<'a, ()> {
        Box::pin(async move {
            // The gap is the database's to keep (the local turns space nothing). The robots.txt being read waits
            // for this: not for longer than a claim would.
            match tokio::time::timeout(
                CLAIM_TIME_LIMIT,
                self.store.set_host_crawl_delay(host.to_string(), delay),
            )
            .await
            {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(host, error = %e, "could not record the host's Crawl-delay for the other workers")
                }
                Err(_) => tracing::warn!(
                    host,
                    "could not record the host's Crawl-delay for the other workers in time"
                ),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use gazette_store::Location;
    use gazette_testkit::TestDb;

    use super::*;

    const RULE: TurnRule = TurnRule {
        concurrency: 2,
        gap: Duration::from_millis(100),
        max_wait: Duration::from_secs(5),
    };

    /// Two workers (two stores, as two daemons would have) share a host's turns: the gap holds between them, the
    /// third turn waits for one of the two out to end, a pause reaches the other worker, and the turns of a worker
    /// that went away without ending them come free when their lease runs out.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn workers_share_a_hosts_turns_through_postgres() {
        let Some(db) = TestDb::postgres("workers_share_a_hosts_turns_through_postgres") else {
            return;
        };
        let location = Location::parse(&db.location).unwrap();
        let store = tokio::task::spawn_blocking(move || Store::open(&location).unwrap())
            .await
            .unwrap();
        let lease = Duration::from_secs(1);
        let a = SharedTurns::start(store.as_worker(lease), lease);
        let b = SharedTurns::start(store.as_worker(lease), lease);

        let t0 = Instant::now();
        let first = a.claim("h:80", RULE).await.unwrap();
        let second = b.claim("h:80", RULE).await.unwrap();
        assert!(t0.elapsed() >= RULE.gap, "the other worker's turn starts a gap later");
        // Both slots out: a third waits until one ends.
        let third = {
            let third = a.claim("h:80", RULE);
            tokio::pin!(third);
            assert!(tokio::time::timeout(Duration::from_millis(300), &mut third)
                .await
                .is_err());
            b.end("h:80", second);
            tokio::time::timeout(Duration::from_secs(2), &mut third)
                .await
                .unwrap()
                .unwrap()
        };

        // A worker gone without ending its turns (`a`'s two): they block the host until their lease runs out.
        drop(a);
        let t1 = Instant::now();
        let fourth = b.claim("h:80", RULE).await.unwrap();
        assert!(
            t1.elapsed() >= Duration::from_millis(500),
            "a dead worker's turns hold until their lease ends"
        );
        let _ = (first, third);

        // A Retry-After pause from one worker holds for the other.
        b.end("h:80", fourth);
        let c = SharedTurns::start(store.as_worker(lease), lease);
        b.pause("h:80", Duration::from_secs(30)).await;
        let refused = c.claim("h:80", RULE).await.unwrap_err();
        assert!(refused.wait > Duration::from_secs(25));
    }

    /// A Crawl-delay recorded by one worker (it read the host's robots.txt) spaces the turns the other worker claims
    /// with a shorter gap, until a later read records none.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_crawl_delay_read_by_one_worker_holds_for_another() {
        let Some(db) = TestDb::postgres("a_crawl_delay_read_by_one_worker_holds_for_another") else {
            return;
        };
        let location = Location::parse(&db.location).unwrap();
        let store = tokio::task::spawn_blocking(move || Store::open(&location).unwrap())
            .await
            .unwrap();
        let lease = Duration::from_secs(5);
        let a = SharedTurns::start(store.as_worker(lease), lease);
        let b = SharedTurns::start(store.as_worker(lease), lease);
        let no_gap = TurnRule {
            gap: Duration::ZERO,
            ..RULE
        };
        a.set_crawl_delay("d:80", Duration::from_millis(400)).await;
        let first = b.claim("d:80", no_gap).await.unwrap();
        let t0 = Instant::now();
        let second = b.claim("d:80", no_gap).await.unwrap();
        assert!(
            t0.elapsed() >= Duration::from_millis(380),
            "the other worker's delay holds: {:?}",
            t0.elapsed()
        );
        b.end("d:80", first);
        b.end("d:80", second);
        // The host's robots.txt names no delay any more.
        a.set_crawl_delay("d:80", Duration::ZERO).await;
        tokio::time::sleep(Duration::from_millis(450)).await;
        let third = b.claim("d:80", no_gap).await.unwrap();
        let t1 = Instant::now();
        let fourth = b.claim("d:80", no_gap).await.unwrap();
        assert!(t1.elapsed() < Duration::from_millis(300), "{:?}", t1.elapsed());
        b.end("d:80", third);
        b.end("d:80", fourth);
    }
}
