//! Housekeeping claims (`maintenance`): a task that should run about once a day whoever runs Gazette.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::time;
use crate::{FeedId, Result, Task};

/// Claims `task` for a run now, unless it last ran after `not_since`. One statement, so that a daemon and a cron
/// `ingest` on the same database do not both run it. Returns the feeds to run it over when claimed.
pub(crate) fn claim(conn: &Connection, task: Task, not_since: DateTime<Utc>) -> Result<Option<Vec<FeedId>>> {
    if !claim_only(conn, task, not_since)? {
        return Ok(None);
    }
    let mut stmt = conn.prepare_cached("SELECT id FROM feeds ORDER BY id")?;
    let ids = stmt.query_map([], |r| r.get(0).map(FeedId))?;
    Ok(Some(ids.collect::<rusqlite::Result<_>>()?))
}

/// The claim itself: true when the caller should run the task.
pub(crate) fn claim_only(conn: &Connection, task: Task, not_since: DateTime<Utc>) -> Result<bool> {
    let n = conn.execute(
        "INSERT INTO maintenance (task, last_run_at) VALUES (?1, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
         ON CONFLICT (task) DO UPDATE SET last_run_at = excluded.last_run_at WHERE last_run_at <= ?2",
        params![task.name(), time(not_since)],
    )?;
    Ok(n > 0)
}
