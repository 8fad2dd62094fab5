//! Date arguments (`--since`, `--until`) as users type them: the store's parsing (the web view reads the same).

use anyhow::{anyhow, Result};
use chrono::{DateTime, Utc};

/// `--since`: a day (`2021-12-03`, from its first second, UTC) or an RFC 3339 time. Returns an inclusive bound.
pub fn since(arg: &str) -> Result<DateTime<Utc>> {
    gazette_store::reports::since_bound(arg).map_err(|e| anyhow!(e))
}

/// `--until`: a day (that whole day included) or an RFC 3339 time (that second included). Returns an exclusive
/// bound.
pub fn until(arg: &str) -> Result<DateTime<Utc>> {
    gazette_store::reports::until_bound(arg).map_err(|e| anyhow!(e))
}
