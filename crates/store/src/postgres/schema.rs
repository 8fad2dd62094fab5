//! Migrations of the PostgreSQL schema: the `.sql` files in `migrations/postgres/`, compiled in, applied in order,
//! each in its own transaction, tracked in `schema_migrations` as on SQLite. Several processes starting at once
//! take turns through an advisory lock, so a migration runs once.

use tokio_postgres::Client;

use crate::sqlite::schema::Migration;
use crate::{Result, StoreError};

/// Every migration, in order. A test checks this list against the folder.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../../../../migrations/postgres/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_views",
        sql: include_str!("../../../../migrations/postgres/0002_views.sql"),
    },
    Migration {
        version: 3,
        name: "0003_workers",
        sql: include_str!("../../../../migrations/postgres/0003_workers.sql"),
    },
    Migration {
        version: 4,
        name: "0004_article_metadata",
        sql: include_str!("../../../../migrations/postgres/0004_article_metadata.sql"),
    },
    Migration {
        version: 5,
        name: "0005_stories",
        sql: include_str!("../../../../migrations/postgres/0005_stories.sql"),
    },
    Migration {
        version: 6,
        name: "0006_places",
        sql: include_str!("../../../../migrations/postgres/0006_places.sql"),
    },
    Migration {
        version: 7,
        name: "0007_many_daemons",
        sql: include_str!("../../../../migrations/postgres/0007_many_daemons.sql"),
    },
    Migration {
        version: 8,
        name: "0008_entity_days_by_mentions",
        sql: include_str!("../../../../migrations/postgres/0008_entity_days_by_mentions.sql"),
    },
    Migration {
        version: 9,
        name: "0009_host_crawl_delay",
        sql: include_str!("../../../../migrations/postgres/0009_host_crawl_delay.sql"),
    },
];

/// The schema version this build writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].version;

/// The advisory lock key taken while migrating ("gazette" in ASCII).
const MIGRATION_LOCK: i64 = 0x67_617a_6574_7465;

/// The highest applied migration, 0 for a database without Gazette's schema. Does not create anything.
pub(crate) async fn current_version(client: &Client) -> Result<u32> {
    let exists: bool = client
        .query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[])
        .await?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i32> = client
        .query_one("SELECT max(version) FROM schema_migrations", &[])
        .await?
        .get(0);
    Ok(v.unwrap_or(0) as u32)
}

/// Brings the database up to date. Returns the versions applied.
pub(crate) async fn migrate(client: &mut Client) -> Result<Vec<u32>> {
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version    integer PRIMARY KEY,
                 name       text NOT NULL,
                 applied_at timestamptz NOT NULL DEFAULT now()
             )",
        )
        .await
        .or_else(|e| {
            // Two processes creating it at once: one of them loses the race for the catalog row, harmlessly.
            if e.code() == Some(&tokio_postgres::error::SqlState::UNIQUE_VIOLATION) {
                Ok(())
            } else {
                Err(e)
            }
        })?;
    let found = current_version(client).await?;
    if found > LATEST {
        return Err(StoreError::SchemaTooNew {
            found,
            supported: LATEST,
        });
    }
    let mut applied = Vec::new();
    if found == LATEST {
        return Ok(applied);
    }
    for m in MIGRATIONS.iter().filter(|m| m.version > found) {
        let tx = client.transaction().await?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await?;
        // Another process may have migrated while we waited for the lock.
        let now: Option<i32> = tx
            .query_one("SELECT max(version) FROM schema_migrations", &[])
            .await?
            .get(0);
        if now.unwrap_or(0) as u32 >= m.version {
            continue;
        }
        tx.batch_execute(m.sql)
            .await
            .map_err(|e| StoreError::PostgresMigration {
                version: m.version,
                name: m.name,
                why: super::describe(&e),
            })?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
            &[&(m.version as i32), &m.name],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        applied.push(m.version);
    }
    Ok(applied)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_migration_file_is_registered_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../migrations/postgres");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let registered: Vec<String> = MIGRATIONS.iter().map(|m| format!("{}.sql", m.name)).collect();
        assert_eq!(files, registered);
        // Each file's number is its version, numbered without gaps.
        for (i, (m, file)) in MIGRATIONS.iter().zip(&files).enumerate() {
            assert_eq!(m.version as usize, i + 1);
            assert_eq!(format!("{:04}", m.version), file[..4]);
        }
    }
}
