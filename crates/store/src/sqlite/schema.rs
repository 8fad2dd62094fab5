//! Migrations of the SQLite schema: the `.sql` files in the workspace's `migrations/` folder, compiled in, applied in
//! order.
//!
//! Each applied migration is a row in `schema_migrations`. Opening an older database applies the missing ones (each in
//! its own IMMEDIATE transaction); opening a database with a version newer than [`LATEST`] is refused, because this
//! build cannot know what that schema means.

use rusqlite::Connection;

use crate::{Result, StoreError};

/// A migration: version, name, SQL.
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. A test checks this list against the folder, so a new file cannot be forgotten.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../../../../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_views",
        sql: include_str!("../../../../migrations/0002_views.sql"),
    },
    Migration {
        version: 3,
        name: "0003_counting_per_article",
        sql: include_str!("../../../../migrations/0003_counting_per_article.sql"),
    },
    Migration {
        version: 4,
        name: "0004_mentions_by_article",
        sql: include_str!("../../../../migrations/0004_mentions_by_article.sql"),
    },
    Migration {
        version: 5,
        name: "0005_feed_schedule",
        sql: include_str!("../../../../migrations/0005_feed_schedule.sql"),
    },
    Migration {
        version: 6,
        name: "0006_plain_sql_deletes",
        sql: include_str!("../../../../migrations/0006_plain_sql_deletes.sql"),
    },
    Migration {
        version: 7,
        name: "0007_pairs_per_day",
        sql: include_str!("../../../../migrations/0007_pairs_per_day.sql"),
    },
    Migration {
        version: 8,
        name: "0008_article_provenance",
        sql: include_str!("../../../../migrations/0008_article_provenance.sql"),
    },
    Migration {
        version: 9,
        name: "0009_stories",
        sql: include_str!("../../../../migrations/0009_stories.sql"),
    },
    Migration {
        version: 10,
        name: "0010_places",
        sql: include_str!("../../../../migrations/0010_places.sql"),
    },
    Migration {
        version: 11,
        name: "0011_entity_days_by_mentions",
        sql: include_str!("../../../../migrations/0011_entity_days_by_mentions.sql"),
    },
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The highest applied migration, 0 for a fresh database.
pub(crate) fn current_version(conn: &Connection) -> Result<u32> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let v: Option<u32> = conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))?;
    Ok(v.unwrap_or(0))
}

/// The highest applied migration, without creating the tracking table (for read-only connections).
pub(crate) fn current_version_read_only(conn: &Connection) -> Result<u32> {
    let exists: bool = conn.query_row(
        "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
        [],
        |r| r.get(0),
    )?;
    if !exists {
        return Ok(0);
    }
    let v: Option<u32> = conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))?;
    Ok(v.unwrap_or(0))
}

/// Brings the database up to `target` (normally [`LATEST`]). Returns the versions applied.
pub(crate) fn migrate_to(conn: &mut Connection, target: u32) -> Result<Vec<u32>> {
    let found = current_version(conn)?;
    if found > LATEST {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    // Some migrations rework existing data (0007 counts every pair of entities so far), so say what is happening
    // before a long silence.
    if found > 0 && found < target.min(LATEST) {
        tracing::info!(
            from = found,
            to = target.min(LATEST),
            "upgrading the database schema (minutes on a large archive)"
        );
    }
    let mut applied = Vec::new();
    for m in MIGRATIONS.iter().filter(|m| m.version > found && m.version <= target) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Another process may have migrated while we waited for the write lock.
        let now: Option<u32> = tx.query_row("SELECT max(version) FROM schema_migrations", [], |r| r.get(0))?;
        if now.unwrap_or(0) >= m.version {
            continue;
        }
        tx.execute_batch(m.sql).map_err(|source| StoreError::Migration {
            version: m.version,
            name: m.name,
            source,
        })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![m.version, m.name, super::now()],
        )?;
        tx.commit()?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

/// The current schema as one readable file: every table, index, trigger and view after all migrations, as SQLite
/// keeps their definitions (tables with the columns later migrations added), tables first. The repository's
/// `schema.sql` is this text; a test keeps it so (`GAZETTE_UPDATE_SCHEMA=1 cargo test -p gazette-store schema_sql`
/// rewrites it after a new migration).
pub fn snapshot() -> Result<String> {
    let mut conn = Connection::open_in_memory()?;
    migrate_to(&mut conn, LATEST)?;
    let mut stmt = conn.prepare(
        "SELECT type, name, sql FROM sqlite_master
         WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'
           AND name NOT IN (SELECT name || suffix FROM sqlite_master, (SELECT '_data' AS suffix UNION ALL
                                SELECT '_idx' UNION ALL SELECT '_docsize' UNION ALL SELECT '_config'
                                UNION ALL SELECT '_content') WHERE sql LIKE 'CREATE VIRTUAL TABLE%')
         ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name",
    )?;
    let mut out = format!(
        "-- Gazette's SQLite schema at version {LATEST}, generated from migrations/ (do not edit: add a migration).\n\
         -- Regenerate with: GAZETTE_UPDATE_SCHEMA=1 cargo test -p gazette-store schema_sql\n"
    );
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?))
    })?;
    for row in rows {
        let (kind, name, sql) = row?;
        out.push_str(&format!("\n-- {kind} {name}\n{};\n", sql.trim()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_sql_is_the_schema_the_migrations_make() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.sql");
        let now = snapshot().unwrap();
        if std::env::var_os("GAZETTE_UPDATE_SCHEMA").is_some() {
            std::fs::write(path, &now).unwrap();
        }
        let kept = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            kept == now,
            "schema.sql is not the schema migrations/ make: regenerate it with \
             GAZETTE_UPDATE_SCHEMA=1 cargo test -p gazette-store schema_sql"
        );
    }

    #[test]
    fn every_migration_file_is_registered_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let registered: Vec<String> = MIGRATIONS.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(files, registered);
        // Numbered 1, 2, 3, ... with no gap (an archive at version N has run exactly the first N), each named by its
        // number.
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "{}", m.name);
            assert!(m.name.starts_with(&format!("{:04}_", m.version)));
        }
    }
}
