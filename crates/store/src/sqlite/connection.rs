//! Opening connections with the settings every Gazette connection needs.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};

use super::schema;
use crate::Result;

const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// Bytes of write-ahead log kept on disk after a checkpoint.
const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// Opens (creating if needed) a read-write connection and brings the schema up to date.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    configure(&conn)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    // WAL + NORMAL: a crash can lose the last transactions' durability only on power loss, never consistency.
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Savepoints (a batch redone article by article after a failure) and temporary b-trees keep their undo copies
    // and sorts in memory instead of temporary files: those write calls once took a third of the writer's time.
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // A page cache big enough for a batch's working set (indexes of articles, mentions, counters), so that dirty
    // pages are not spilled to the WAL mid-transaction and reread. 32 MiB, fixed.
    conn.pragma_update(None, "cache_size", -32768)?;
    // A long read (a Datasette query, a backup) holds checkpoints back and the WAL grows; once it is copied back,
    // the file is cut down to this size instead of keeping its peak size on disk for good.
    conn.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
    // Stable query plans: each statement is planned once, not again for each new value bound to it. With the
    // statistics `PRAGMA optimize` gathers (STAT4 samples of the band index), SQLite otherwise re-prepares a statement
    // whenever a value bound to an indexed column changes, which the story decision's band lookups do on every run:
    // that re-preparing was half the decision's cost. The writer's statements are point lookups and inserts whose
    // best plan does not depend on the values.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    schema::migrate_to(&mut conn, schema::LATEST)?;
    Ok(conn)
}

/// Opens a connection that cannot write: opened read-only, and `query_only` on top, so even a `PRAGMA` or an
/// `ATTACH` trick cannot change the file.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_URI | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    let found = schema::current_version_read_only(&conn)?;
    if found > schema::LATEST {
        return Err(crate::StoreError::SchemaTooNew {
            found,
            supported: schema::LATEST,
        });
    }
    if found == 0 {
        return Err(crate::StoreError::NotGazette);
    }
    if found < schema::LATEST {
        return Err(crate::StoreError::SchemaTooOld {
            found,
            latest: schema::LATEST,
        });
    }
    Ok(conn)
}

fn configure(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // The write path alone uses about twenty cached statements; rusqlite's default cache holds 16.
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "foreign_keys", true)?;
    // So that `INSERT OR REPLACE` fires the delete triggers for the row it replaces (full-text index, counters,
    // tombstones) instead of silently skipping them.
    conn.pragma_update(None, "recursive_triggers", true)?;
    Ok(())
}
