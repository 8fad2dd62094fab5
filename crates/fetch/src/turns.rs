//! Turns at a host: what the fetcher's politeness asks for before each request.
//!
//! Every request to a host (feeds, pages, robots.txt, each hop of a redirect chain) first claims a turn at the host
//! (`host:port`) and ends it when its response is read. A host grants turns by one rule: at most `concurrency`
//! turns at once, and turns start at least `gap` apart (the configured gap, or a longer robots.txt Crawl-delay,
//! which the fetcher also records with the turns whenever it reads the host's robots.txt, so that it holds for
//! claims made without it); a Retry-After answer pauses the host. Where that rule is kept is the [`HostTurns`]
//! implementation's business: [`LocalTurns`] (the default) keeps it in this process; several processes sharing
//! hosts keep it in one place that they all ask (Gazette's ingest builds one over the PostgreSQL archive), so that
//! the rule holds across them.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::client::Forgetful;

/// A boxed future, as the methods of [`HostTurns`] return (the trait is used as `dyn`).
pub type TurnFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The rule a turn is claimed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TurnRule {
    /// Turns at the host at once.
    pub concurrency: usize,
    /// Least time between the starts of two turns.
    pub gap: Duration,
    /// A pause (Retry-After) longer than this is not waited out: the claim fails with [`HostPaused`].
    pub max_wait: Duration,
}

/// A granted turn, as its [`HostTurns`] knows it (handed back to [`HostTurns::end`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TurnId(pub i64);

/// The host is paused for longer than the claim would wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPaused {
    pub wait: Duration,
}

/// Hands out turns at hosts (see the module's doc).
pub trait HostTurns: Send + Sync {
    /// Waits for a turn at `host` under `rule` and returns when the turn starts (the request may be sent at once).
    fn claim<'a>(&'a self, host: &'a str, rule: TurnRule) -> TurnFuture<'a, Result<TurnId, HostPaused>>;

    /// The turn's request is over: the host may start another. Returns at once (an implementation that has to tell
    /// others does it in the background).
    fn end(&self, host: &str, turn: TurnId);

    /// Starts no turn at `host` for `wait` (the host answered with Retry-After).
    fn pause<'a>(&'a self, host: &'a str, wait: Duration) -> TurnFuture<'a, ()>;

    /// The host's robots.txt asks for `delay` between requests (zero: it names none): turns at the host start at
    /// least that far apart, whatever gap their claims give, the next one at least `delay` from now (the robots.txt
    /// request itself was just made).
    fn set_crawl_delay<'a>(&'a self, host: &'a str, delay: Duration) -> TurnFuture<'a, ()>;
}

/// Turns kept in this process: a semaphore and a schedule per host.
#[derive(Default)]
pub struct LocalTurns {
    hosts: Mutex<Forgetful<Arc<Host>>>,
}

/// One host's turns in this process.
struct Host {
    /// Turns not out (the first claim's rule sets how many there are).
    free: Semaphore,
    concurrency: usize,
    schedule: tokio::sync::Mutex<Schedule>,
}

struct Schedule {
    next_start: Instant,
    paused_until: Option<Instant>,
    crawl_delay: Duration,
}

impl LocalTurns {
    pub fn new() -> LocalTurns {
        LocalTurns::default()
    }

    fn host(&self, host: &str, concurrency: usize) -> Arc<Host> {
        let mut hosts = self.hosts.lock().expect("hosts lock");
        let now = Instant::now();
        // Forgotten: hosts nobody is fetching from, with no gap or pause still to honour.
        hosts.get_or_insert(
            host.to_string(),
            || {
                Arc::new(Host {
                    free: Semaphore::new(concurrency),
                    concurrency,
                    schedule: tokio::sync::Mutex::new(Schedule {
                        next_start: now,
                        paused_until: None,
                        crawl_delay: Duration::ZERO,
                    }),
                })
            },
            |h| {
                Arc::strong_count(h) > 1
                    || h.free.available_permits() < h.concurrency
                    || h.schedule.try_lock().map_or(true, |s| {
                        s.next_start > now || s.paused_until.is_some_and(|p| p > now) || !s.crawl_delay.is_zero()
                    })
            },
        )
    }
}

impl HostTurns for LocalTurns {
    fn claim<'a>(&'a self, host: &'a str, rule: TurnRule) -> TurnFuture<'a, Result<TurnId, HostPaused>> {
        Box::pin(async move {
            let h = self.host(host, rule.concurrency.max(1));
            let permit = h.free.acquire().await.expect("the semaphore is never closed");
            loop {
                let mut s = h.schedule.lock().await;
                let now = Instant::now();
                if let Some(until) = s.paused_until {
                    if until > now && until - now > rule.max_wait {
                        return Err(HostPaused { wait: until - now });
                    }
                }
                let ready = s.paused_until.map_or(s.next_start, |p| p.max(s.next_start));
                if ready <= now {
                    s.next_start = now + rule.gap.max(s.crawl_delay);
                    // Given back by `end`.
                    permit.forget();
                    return Ok(TurnId(0));
                }
                drop(s);
                tokio::time::sleep_until(ready).await;
            }
        })
    }

    fn end(&self, host: &str, _turn: TurnId) {
        // A host with a turn out is never forgotten, so this is the host the turn was claimed at.
        let found = self.hosts.lock().expect("hosts lock").get(host);
        if let Some(h) = found {
            h.free.add_permits(1);
        }
    }

    fn pause<'a>(&'a self, host: &'a str, wait: Duration) -> TurnFuture<'a, ()> {
        Box::pin(async move {
            let found = self.hosts.lock().expect("hosts lock").get(host);
            let Some(h) = found else {
                return;
            };
            let mut s = h.schedule.lock().await;
            let until = Instant::now() + wait;
            s.paused_until = Some(s.paused_until.map_or(until, |p| p.max(until)));
            tracing::debug!(host, ?wait, "host paused by Retry-After");
        })
    }

    fn set_crawl_delay<'a>(&'a self, host: &'a str, delay: Duration) -> TurnFuture<'a, ()> {
        Box::pin(async move {
            // A host not known here has no turn to space; its next claim's rule carries the delay. A known one is
            // kept while it has a delay, and its next turn starts a delay after now (robots.txt was just read).
            let found = self.hosts.lock().expect("hosts lock").get(host);
            if let Some(h) = found {
                let mut s = h.schedule.lock().await;
                s.crawl_delay = delay;
                s.next_start = s.next_start.max(Instant::now() + delay);
            }
        })
    }
}

/// A turn held by a request; ended when dropped (also when the request is cancelled).
pub(crate) struct HeldTurn {
    pub(crate) turns: Arc<dyn HostTurns>,
    pub(crate) host: String,
    pub(crate) id: TurnId,
}

impl Drop for HeldTurn {
    fn drop(&mut self) {
        self.turns.end(&self.host, self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(concurrency: usize, gap_ms: u64) -> TurnRule {
        TurnRule {
            concurrency,
            gap: Duration::from_millis(gap_ms),
            max_wait: Duration::from_secs(5),
        }
    }

    #[tokio::test]
    async fn local_turns_keep_the_gap_and_the_concurrency() {
        let turns = LocalTurns::new();
        let t0 = Instant::now();
        let a = turns.claim("h:80", rule(2, 100)).await.unwrap();
        let _b = turns.claim("h:80", rule(2, 100)).await.unwrap();
        assert!(
            t0.elapsed() >= Duration::from_millis(100),
            "the second starts a gap after the first"
        );
        // Both turns are out: the third waits for one to end.
        let third = turns.claim("h:80", rule(2, 100));
        tokio::pin!(third);
        assert!(tokio::time::timeout(Duration::from_millis(300), &mut third)
            .await
            .is_err());
        turns.end("h:80", a);
        assert!(tokio::time::timeout(Duration::from_millis(50), &mut third)
            .await
            .is_ok());
        // Another host is not held up.
        let t1 = Instant::now();
        turns.claim("other:80", rule(2, 100)).await.unwrap();
        assert!(t1.elapsed() < Duration::from_millis(50));
    }

    #[tokio::test]
    async fn a_recorded_crawl_delay_spaces_turns_claimed_with_a_shorter_gap() {
        let turns = LocalTurns::new();
        let a = turns.claim("h:80", rule(2, 0)).await.unwrap();
        turns.set_crawl_delay("h:80", Duration::from_millis(200)).await;
        turns.end("h:80", a);
        // The next start was set by the first claim (no gap); the one after keeps the delay.
        let b = turns.claim("h:80", rule(2, 0)).await.unwrap();
        let t0 = Instant::now();
        let c = turns.claim("h:80", rule(2, 0)).await.unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(190), "{:?}", t0.elapsed());
        // robots.txt dropped its delay: the claims' own gap again.
        turns.set_crawl_delay("h:80", Duration::ZERO).await;
        turns.end("h:80", b);
        turns.end("h:80", c);
        turns.claim("h:80", rule(2, 0)).await.unwrap();
        let t1 = Instant::now();
        turns.claim("h:80", rule(2, 0)).await.unwrap();
        assert!(t1.elapsed() < Duration::from_millis(190), "{:?}", t1.elapsed());
    }

    #[tokio::test]
    async fn a_long_pause_fails_the_claim_and_a_short_one_is_waited_out() {
        let turns = LocalTurns::new();
        let a = turns.claim("h:80", rule(1, 0)).await.unwrap();
        turns.pause("h:80", Duration::from_secs(60)).await;
        turns.end("h:80", a);
        let refused = turns.claim("h:80", rule(1, 0)).await.unwrap_err();
        assert!(refused.wait > Duration::from_secs(59));
        let b = turns.claim("other:80", rule(1, 0)).await.unwrap();
        turns.pause("other:80", Duration::from_millis(200)).await;
        turns.end("other:80", b);
        let t0 = Instant::now();
        turns.claim("other:80", rule(1, 0)).await.unwrap();
        assert!(t0.elapsed() >= Duration::from_millis(190));
    }
}
