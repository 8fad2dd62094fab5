//! The scheduling policy: when to check a feed next. Pure functions: the pipeline feeds them what a fetch and the
//! store said.
//!
//! - A feed that answered is checked again after its publishing interval: the median gap between its latest items
//!   (lengthened when the newest item is old, so a feed that went quiet is not polled at its old pace), clamped to
//!   `[min_interval, max_interval]`, never sooner than the feed asks (TTL, sy:updatePeriod, Cache-Control, Expires).
//! - A feed that failed waits `min_interval * 2^(errors-1)` up to `error_backoff_cap`, never less than Retry-After.
//! - A feed failing for `disable_after` in a row is disabled.
//! - Every interval gets up to 10 % of jitter (later, or earlier when that would pass the upper bound), so feeds that
//!   share an interval spread out instead of arriving in bursts.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The scheduling knobs, from the configuration.
#[derive(Debug, Clone)]
pub struct Policy {
    pub min_interval: Duration,
    pub max_interval: Duration,
    pub error_backoff_cap: Duration,
    /// `None`: never disable.
    pub disable_after: Option<Duration>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            min_interval: Duration::from_secs(300),
            max_interval: Duration::from_secs(86_400),
            error_backoff_cap: Duration::from_secs(12 * 3600),
            disable_after: Some(Duration::from_secs(14 * 86_400)),
        }
    }
}

/// The interval used while a feed has no dated items to learn from.
const UNKNOWN_RATE: Duration = Duration::from_secs(3600);
/// How many recent items the publishing rate is learnt from.
pub const RATE_WINDOW: usize = 20;

/// The median gap between distinct item times (newest first after sorting), lengthened to a quarter of the newest
/// item's age. `None` with fewer than two distinct times.
pub fn publishing_interval(times: &[DateTime<Utc>], now: DateTime<Utc>) -> Option<Duration> {
    let mut times: Vec<DateTime<Utc>> = times.iter().copied().filter(|t| *t <= now).collect();
    times.sort_unstable_by(|a, b| b.cmp(a));
    times.dedup();
    times.truncate(RATE_WINDOW);
    if times.len() < 2 {
        return None;
    }
    let mut gaps: Vec<i64> = times.windows(2).map(|w| (w[0] - w[1]).num_seconds().max(0)).collect();
    gaps.sort_unstable();
    // The middle gap, or the mean of the two middle ones.
    let median = (gaps[(gaps.len() - 1) / 2] + gaps[gaps.len() / 2]) / 2;
    let quiet = (now - times[0]).num_seconds().max(0) / 4;
    Some(Duration::from_secs(median.max(quiet) as u64))
}

/// The wait after a successful fetch (new content or 304). `random` is uniform in [0, 1).
pub fn after_success(policy: &Policy, rate: Option<Duration>, feed_hint: Option<Duration>, random: f64) -> Duration {
    let base = rate
        .unwrap_or(UNKNOWN_RATE)
        .clamp(policy.min_interval, policy.max_interval);
    let wait = spread(base, policy.min_interval, policy.max_interval, random);
    wait.max(feed_hint.unwrap_or_default())
}

/// The wait after the `errors`-th failed fetch in a row (1 for the first).
pub fn after_failure(policy: &Policy, errors: u32, retry_after: Option<Duration>, random: f64) -> Duration {
    let cap = policy.error_backoff_cap.max(policy.min_interval);
    let doublings = errors.saturating_sub(1).min(30);
    let base = policy
        .min_interval
        .checked_mul(1u32 << doublings)
        .unwrap_or(cap)
        .min(cap);
    let wait = spread(base, policy.min_interval, cap, random);
    wait.max(retry_after.unwrap_or_default())
}

/// Whether a feed failing since `since` has failed long enough to be disabled.
pub fn should_disable(policy: &Policy, since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    match policy.disable_after {
        Some(after) => (now - since).to_std().map(|d| d >= after).unwrap_or(false),
        None => false,
    }
}

/// The store's form of [`should_disable`]: a feed whose error streak began at or before this time is disabled.
pub fn disable_if_failing_since(policy: &Policy, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let after = chrono::Duration::from_std(policy.disable_after?).ok()?;
    now.checked_sub_signed(after)
}

/// `base` plus up to 10 % (or minus, when plus would pass `hi`), never below `lo`.
fn spread(base: Duration, lo: Duration, hi: Duration, random: f64) -> Duration {
    let jitter = base.mul_f64(0.1 * random.clamp(0.0, 1.0));
    if base + jitter <= hi {
        base + jitter
    } else {
        base.saturating_sub(jitter).max(lo)
    }
}

/// `now + wait`, to the second (as the store keeps times).
pub fn at(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    let wait = chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(365));
    to_second(now + wait)
}

/// A time without its fraction of a second.
pub fn to_second(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// Conditional-GET validators are sent only while the feed's last full answer is less than a day old: some servers
/// send stale validators, and a day-old full answer is worth the bytes.
pub fn validators_fresh(last_full_fetch_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    last_full_fetch_at.is_some_and(|t| now - t < chrono::Duration::days(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(minutes_ago: i64, now: DateTime<Utc>) -> DateTime<Utc> {
        now - chrono::Duration::minutes(minutes_ago)
    }

    #[test]
    fn the_interval_follows_the_median_gap() {
        let now = Utc::now();
        // Items every 30 minutes, with one long gap: the median ignores the outlier.
        let times: Vec<_> = [0, 30, 60, 90, 600, 630].iter().map(|m| t(*m, now)).collect();
        assert_eq!(publishing_interval(&times, now), Some(Duration::from_secs(1800)));
        // Too little to learn from.
        assert_eq!(publishing_interval(&[t(5, now)], now), None);
        assert_eq!(publishing_interval(&[t(5, now), t(5, now)], now), None);
        // A feed that went quiet 8 hours ago is polled every 2 hours, not every 10 minutes.
        let quiet: Vec<_> = [480, 490, 500, 510].iter().map(|m| t(*m, now)).collect();
        assert_eq!(publishing_interval(&quiet, now), Some(Duration::from_secs(2 * 3600)));
    }

    #[test]
    fn success_intervals_are_clamped_jittered_and_respect_the_feed() {
        let p = Policy::default();
        let fast = after_success(&p, Some(Duration::from_secs(10)), None, 0.0);
        assert_eq!(fast, p.min_interval);
        let slow = after_success(&p, Some(Duration::from_secs(10 * 86_400)), None, 0.0);
        assert_eq!(slow, p.max_interval);
        // Jitter stays within bounds at both ends and spreads values.
        for r in [0.0, 0.3, 0.99] {
            let w = after_success(&p, Some(Duration::from_secs(10)), None, r);
            assert!(w >= p.min_interval && w <= p.min_interval.mul_f64(1.1));
            let w = after_success(&p, Some(Duration::from_secs(10 * 86_400)), None, r);
            assert!(w <= p.max_interval && w >= p.max_interval.mul_f64(0.9));
        }
        assert_ne!(
            after_success(&p, Some(Duration::from_secs(3600)), None, 0.1),
            after_success(&p, Some(Duration::from_secs(3600)), None, 0.9)
        );
        // A TTL of 2 hours wins over a 10-minute publishing rate.
        let w = after_success(&p, Some(Duration::from_secs(600)), Some(Duration::from_secs(7200)), 0.5);
        assert_eq!(w, Duration::from_secs(7200));
        // No dated items: an hour.
        let w = after_success(&p, None, None, 0.0);
        assert_eq!(w, Duration::from_secs(3600));
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap() {
        let p = Policy::default();
        let waits: Vec<Duration> = (1..=12).map(|n| after_failure(&p, n, None, 0.0)).collect();
        assert_eq!(waits[0], Duration::from_secs(300));
        assert_eq!(waits[1], Duration::from_secs(600));
        assert_eq!(waits[2], Duration::from_secs(1200));
        assert!(waits.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(*waits.last().unwrap(), p.error_backoff_cap);
        assert!(after_failure(&p, 500, None, 0.99) <= p.error_backoff_cap);
        // Retry-After is a lower bound.
        let w = after_failure(&p, 1, Some(Duration::from_secs(3 * 3600)), 0.5);
        assert_eq!(w, Duration::from_secs(3 * 3600));
    }

    #[test]
    fn validators_are_stale_after_a_day() {
        let now = Utc::now();
        assert!(validators_fresh(Some(now - chrono::Duration::hours(23)), now));
        assert!(!validators_fresh(Some(now - chrono::Duration::hours(24)), now));
        assert!(!validators_fresh(None, now));
    }

    #[test]
    fn a_feed_failing_for_two_weeks_is_disabled() {
        let p = Policy::default();
        let now = Utc::now();
        assert!(!should_disable(&p, now - chrono::Duration::days(13), now));
        assert!(should_disable(&p, now - chrono::Duration::days(14), now));
        let never = Policy {
            disable_after: None,
            ..Policy::default()
        };
        assert!(!should_disable(&never, now - chrono::Duration::days(400), now));
        // The store's cutoff says the same.
        let cutoff = disable_if_failing_since(&p, now).unwrap();
        assert_eq!(cutoff, now - chrono::Duration::days(14));
        assert!(should_disable(&p, cutoff, now));
        assert_eq!(disable_if_failing_since(&never, now), None);
    }
}
