//! The daemon's loop (`gazette daemon`): fetch each feed when it is due, until stopped.
//!
//! The daemon looks at the schedule when the next feed is due, at least every minute (so feeds added meanwhile are
//! noticed) and at most every tenth of `min_interval` (30 s by default: feeds due within that window share a cycle,
//! and the log gets at most one summary line per look). Each look that finds due feeds starts a cycle: those feeds go
//! through the pipeline, and when the last of them is done the cycle's summary line is logged. Cycles overlap, so a
//! slow or failing feed holds up no other. A feed just done is not taken again for `min_interval`, whatever the
//! database says, so that a schedule that could not be saved (a full disk) cannot turn into a fetch loop.
//! On PostgreSQL several daemons share the feeds: each look takes (leases) at most `feed_concurrency` due feeds that no
//! other daemon holds, and looks again once it has started them (see `gazette_store::postgres::due`).
//! About once a day, fetch history older than `history_days` is pruned, feed by feed, beside the loop. SIGINT or SIGTERM drains the pipeline and exits 0
//! within `shutdown_timeout`; a second signal exits at once.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use crate::config::{format_duration, Config};
use crate::metrics::{Metrics, Queue};
use crate::pipeline::{FeedReport, Pipeline, Settings, Summary};
use crate::{sleep_until_opt, Error};
use gazette_store::{DueFeed, FeedId, Store, StoreError};

/// Runs the daemon until `stop` turns true (then drains within `shutdown_timeout`), or the store's writer stops.
/// `web`: more routes for the metrics listener (the web view), when it listens.
pub async fn run(
    config: &Config,
    store: Store,
    mut stop: tokio::sync::watch::Receiver<bool>,
    web: Option<axum::Router>,
) -> Result<(), Error> {
    let metrics = Arc::new(Metrics::default());
    let _listener = match config.metrics_listen {
        Some(addr) => Some(
            crate::metrics::serve(addr, metrics.clone(), web)
                .await
                .map_err(|e| Error::Listen(addr, e))?,
        ),
        None => None,
    };
    let fetcher = crate::turns::fetcher(config, &store)?;
    let pipeline = Pipeline::new(fetcher, store.clone(), Settings::from_config(config), metrics.clone());
    let mut running = pipeline.start();
    tracing::info!(
        db = %config.db,
        feed_concurrency = config.feed_concurrency,
        page_concurrency = config.page_concurrency,
        extract_threads = config.extract_threads,
        "daemon started"
    );

    let shared = store.shares_feeds();
    let look_limit = if shared {
        config.feed_concurrency
    } else {
        MAX_CYCLE_FEEDS
    };
    let mut scheduler = Scheduler::new(config.min_interval);
    let mut pending: VecDeque<DueFeed> = VecDeque::new();
    let look_gap = (config.min_interval / 10).clamp(MIN_LOOK_GAP, MAX_IDLE);
    let mut next_look = tokio::time::Instant::now();
    let mut next_prune = tokio::time::Instant::now() + FIRST_PRUNE;
    let mut pruning: Option<tokio::task::JoinHandle<()>> = None;
    let mut deadline: Option<tokio::time::Instant> = None;
    // A worker sharing the feeds renews its leases every third of a lease, while it runs.
    let mut renew = tokio::time::interval((config.feed_lease / 3).max(MIN_LOOK_GAP));
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if deadline.is_some() && scheduler.in_flight() == 0 {
            break;
        }
        tokio::select! {
            biased;
            _ = crate::stopped(&mut stop), if deadline.is_none() => {
                pipeline.drain();
                // Feeds not yet handed over stay due for the next start (or for another worker at once).
                let mut unstarted = Vec::new();
                for f in pending.drain(..) {
                    metrics.dequeued(Queue::Due);
                    scheduler.forget(f.id);
                    unstarted.push(f.id);
                }
                if let Err(e) = store.release_feeds(unstarted).await {
                    tracing::warn!(error = %e, "could not give back the feeds not started");
                }
                deadline = Some(tokio::time::Instant::now() + config.shutdown_timeout);
            }
            _ = sleep_until_opt(deadline), if deadline.is_some() => {
                tracing::warn!(
                    grace = %format_duration(config.shutdown_timeout),
                    in_flight = scheduler.in_flight(),
                    "in-flight work did not finish in time and was dropped; its feeds stay due"
                );
                break;
            }
            _ = renew.tick(), if shared => {
                if let Err(e) = store.renew_leases().await {
                    tracing::warn!(error = %e, "could not renew the leases on the feeds in hand");
                }
            }
            report = running.reports.recv() => match report {
                Some(r) => scheduler.done(&r, &metrics),
                None => break,
            },
            permit = running.feeds.reserve(), if !pending.is_empty() => match permit {
                Ok(permit) => {
                    permit.send(pending.pop_front().expect("guarded by !is_empty"));
                    metrics.dequeued(Queue::Due);
                    metrics.queued(Queue::Feeds);
                }
                Err(_) => break,
            },
            // A daemon sharing the feeds with others takes only what it can start soon, when it has started what it
            // took (other workers get the rest); alone, it takes everything due.
            _ = tokio::time::sleep_until(next_look), if deadline.is_none() && (!shared || pending.is_empty()) => {
                let look = store.look_at_schedule(Utc::now(), look_limit).await;
                let (due, counts, next_due) = match look {
                    Ok(r) => (r.due, r.counts, r.next_due),
                    Err(StoreError::WriterGone) => return Err(Error::Store(StoreError::WriterGone)),
                    Err(e) => {
                        // E.g. another process held the write lock past the busy timeout: try again later.
                        tracing::error!(error = %e, "could not read the schedule");
                        next_look = tokio::time::Instant::now() + RETRY_LOOK;
                        continue;
                    }
                };
                metrics.schedule_read();
                metrics.set_feed_counts(counts);
                let due_len = due.len();
                let taken: Vec<FeedId> = due.iter().map(|f| f.id).collect();
                let fresh = scheduler.start_cycle(due);
                if shared && fresh.len() < taken.len() {
                    // Taken but in flight or resting here: give them back rather than hold them for a whole lease.
                    let skipped = taken.into_iter().filter(|id| !fresh.iter().any(|f| f.id == *id)).collect();
                    if let Err(e) = store.release_feeds(skipped).await {
                        tracing::warn!(error = %e, "could not give back feeds not taken");
                    }
                }
                for _ in &fresh {
                    metrics.queued(Queue::Due);
                }
                let full = shared && due_len >= look_limit;
                pending.extend(fresh);
                // Sleep until the next feed is due; feeds in flight look due until they finish, so look again soon.
                let wait = match next_due {
                    None => MAX_IDLE,
                    // A time in the past (or a feed never checked) gives the shortest gap.
                    Some(t) => (t - Utc::now()).to_std().unwrap_or(look_gap),
                }
                .clamp(look_gap, MAX_IDLE);
                // More is due than this worker took: look again as soon as it has started these.
                // Feeds due but held by other workers come free when they finish or their lease runs out.
                let held_elsewhere = shared && next_due.is_some_and(|t| t <= Utc::now());
                let wait = if full {
                    MIN_LOOK_GAP
                } else if held_elsewhere {
                    wait.min((config.feed_lease / 4).max(MIN_LOOK_GAP))
                } else {
                    wait
                };
                next_look = tokio::time::Instant::now() + wait;
                let idle = pruning.as_ref().is_none_or(|p| p.is_finished());
                if config.history_days > 0 && idle && tokio::time::Instant::now() >= next_prune {
                    // Beside the loop: it takes the writer one feed at a time and must not hold up the schedule.
                    next_prune = tokio::time::Instant::now() + PRUNE_EVERY;
                    pruning = Some(tokio::spawn(crate::history::prune(store.clone(), config.history_days)));
                }
            }
        }
    }
    pipeline.drain();
    Ok(())
}

/// Longest sleep between two looks at the schedule.
const MAX_IDLE: Duration = Duration::from_secs(60);
/// Shortest, whatever `min_interval` is.
const MIN_LOOK_GAP: Duration = Duration::from_millis(100);
/// When the daemon first looks whether old fetch history is due for pruning (after the start-up rush), and how often
/// after that (it is pruned when the last pruning is a day old).
const FIRST_PRUNE: Duration = Duration::from_secs(60);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// After a failed look at the schedule.
const RETRY_LOOK: Duration = Duration::from_secs(10);
/// Most feeds taken in one look.
const MAX_CYCLE_FEEDS: usize = 10_000;

/// Which feeds are in flight, and the cycles they belong to. A cycle is one look at the schedule that found due
/// feeds; its summary line is logged when the last of them is done. Cycles overlap, so one slow feed holds up no
/// other.
struct Scheduler {
    cycles: u64,
    /// Feed id -> its cycle.
    in_flight: HashMap<FeedId, u64>,
    /// Cycle -> (feeds still out, due count, summary, start).
    open: BTreeMap<u64, (usize, usize, Summary, Instant)>,
    /// Feeds just done, and until when they rest. Every saved next check is at least `min_interval` away, so a feed
    /// found due again meanwhile means saving it failed: it rests. One without a next check (`gazette feeds enable`
    /// clears it: due at once) does not.
    resting: HashMap<FeedId, Instant>,
    rest: Duration,
}

impl Scheduler {
    fn new(min_interval: Duration) -> Scheduler {
        Scheduler {
            cycles: 0,
            in_flight: HashMap::new(),
            open: BTreeMap::new(),
            resting: HashMap::new(),
            rest: min_interval,
        }
    }

    fn in_flight(&self) -> usize {
        self.in_flight.len()
    }

    /// Opens a cycle with the due feeds neither in flight nor resting; returns them.
    fn start_cycle(&mut self, due: Vec<DueFeed>) -> Vec<DueFeed> {
        let now = Instant::now();
        self.resting.retain(|_, until| *until > now);
        let resting = |f: &DueFeed| f.next_check_at.is_some() && self.resting.contains_key(&f.id);
        let fresh: Vec<DueFeed> = due
            .into_iter()
            .filter(|f| !self.in_flight.contains_key(&f.id) && !resting(f))
            .collect();
        if fresh.is_empty() {
            return fresh;
        }
        self.cycles += 1;
        for f in &fresh {
            self.in_flight.insert(f.id, self.cycles);
        }
        self.open.insert(
            self.cycles,
            (fresh.len(), fresh.len(), Summary::default(), Instant::now()),
        );
        fresh
    }

    /// A feed that will not be reported (never handed over).
    fn forget(&mut self, feed_id: FeedId) {
        if let Some(cycle) = self.in_flight.remove(&feed_id) {
            self.close_one(cycle, None);
        }
    }

    fn done(&mut self, r: &FeedReport, metrics: &Metrics) {
        tracing::debug!(
            feed_id = r.feed_id.0,
            feed = %r.url,
            outcome = ?r.outcome,
            new_articles = r.new_articles,
            complete = r.complete,
            "feed done"
        );
        // Only feeds it took: a stray second report of a feed must not close a newer cycle early.
        if let Some(cycle) = self.in_flight.remove(&r.feed_id) {
            self.resting.insert(r.feed_id, Instant::now() + self.rest);
            if self.close_one(cycle, Some(r)) {
                metrics.cycles.inc();
            }
        }
    }

    /// Counts one feed of `cycle` as done; logs the cycle's summary line when it was the last. True then.
    fn close_one(&mut self, cycle: u64, report: Option<&FeedReport>) -> bool {
        let Some((left, due, summary, started)) = self.open.get_mut(&cycle) else {
            return false;
        };
        if let Some(r) = report {
            summary.add(r);
        }
        *left -= 1;
        if *left > 0 {
            return false;
        }
        let (_, due, summary, started) = (*left, *due, summary.clone(), *started);
        self.open.remove(&cycle);
        let elapsed = started.elapsed();
        tracing::info!(
            cycle,
            due,
            feeds = summary.feeds,
            failed = summary.feeds_failed,
            unchanged = summary.feeds_unchanged,
            disabled = summary.feeds_disabled,
            new_articles = summary.new_articles,
            duplicates = summary.duplicates,
            page_errors = summary.page_errors,
            seconds = (elapsed.as_secs_f64() * 10.0).round() / 10.0,
            "cycle {cycle}: {summary} in {:.1} s",
            elapsed.as_secs_f64()
        );
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::FeedOutcomeKind;

    fn feed(id: i64) -> DueFeed {
        DueFeed {
            id: FeedId(id),
            url: format!("http://example.com/{id}.xml"),
            etag: None,
            last_modified: None,
            obey_robots: true,
            error_count: 0,
            last_full_fetch_at: None,
            hinted_interval: None,
            next_check_at: Some(
                chrono::DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
                    .unwrap()
                    .to_utc(),
            ),
        }
    }

    fn report(id: i64, new_articles: u64) -> FeedReport {
        FeedReport {
            feed_id: FeedId(id),
            url: String::new(),
            outcome: FeedOutcomeKind::Fetched,
            new_articles,
            duplicates: 0,
            page_errors: 0,
            complete: true,
        }
    }

    #[test]
    fn cycles_overlap_without_taking_a_feed_twice() {
        let metrics = Metrics::default();
        let mut s = Scheduler::new(Duration::ZERO);
        assert_eq!(s.start_cycle(vec![feed(1), feed(2)]).len(), 2);
        // Feed 2 is still in flight (it looks due until it finishes): the next look only takes feed 3.
        let fresh = s.start_cycle(vec![feed(2), feed(3)]);
        assert_eq!(fresh.iter().map(|f| f.id.0).collect::<Vec<_>>(), vec![3]);
        assert!(s.start_cycle(vec![feed(1), feed(3)]).is_empty());
        assert_eq!(s.in_flight(), 3);
        s.done(&report(3, 5), &metrics);
        // Cycle 2 (feed 3 only) is complete; cycle 1 waits for feed 2.
        assert_eq!(metrics.cycles.get(), 1);
        s.done(&report(1, 1), &metrics);
        assert_eq!(metrics.cycles.get(), 1);
        s.forget(FeedId(2));
        assert_eq!(s.in_flight(), 0);
        assert!(s.open.is_empty());
        // Finished feeds can be taken again.
        assert_eq!(s.start_cycle(vec![feed(1), feed(2)]).len(), 2);
    }

    #[test]
    fn a_feed_just_done_rests_even_if_the_database_still_says_it_is_due() {
        let metrics = Metrics::default();
        let mut s = Scheduler::new(Duration::from_secs(300));
        assert_eq!(s.start_cycle(vec![feed(1)]).len(), 1);
        s.done(&report(1, 0), &metrics);
        // Its next check could not be saved: the next look still finds it due, and leaves it alone.
        assert!(s.start_cycle(vec![feed(1)]).is_empty());
        assert_eq!(s.start_cycle(vec![feed(1), feed(2)]).len(), 1);
        // Enabled again by hand meanwhile (its next check cleared): taken at once.
        let enabled = DueFeed {
            next_check_at: None,
            ..feed(1)
        };
        assert_eq!(s.start_cycle(vec![enabled]).len(), 1);
    }
}
