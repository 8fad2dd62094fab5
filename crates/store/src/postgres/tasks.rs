//! Housekeeping claims (`maintenance`): a task that should run about once a day whoever runs Gazette.

use chrono::{DateTime, Utc};

use super::{at, now, Pool};
use crate::{FeedId, Result, Task};

/// Claims `task` for a run now, unless it last ran after `not_since`: one statement, so that of several daemons
/// and cron runs on the same database one runs it. Returns the feeds to run it over when claimed.
pub(crate) async fn claim(pool: &Pool, task: Task, not_since: DateTime<Utc>) -> Result<Option<Vec<FeedId>>> {
    let conn = pool.conn().await?;
    let n = conn
        .execute(
            "INSERT INTO maintenance AS m (task, last_run_at) VALUES ($1, $2)
             ON CONFLICT (task) DO UPDATE SET last_run_at = excluded.last_run_at WHERE m.last_run_at <= $3",
            &[&task.name(), &now(), &at(not_since)],
        )
        .await?;
    if n == 0 {
        return Ok(None);
    }
    let rows = conn.query("SELECT id FROM feeds ORDER BY id", &[]).await?;
    Ok(Some(rows.iter().map(|r| FeedId(r.get(0))).collect()))
}
