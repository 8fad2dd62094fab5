//! A fresh archive for each test, on each backend: a SQLite file in a temporary folder, and, when
//! `GAZETTE_TEST_POSTGRES` names a PostgreSQL server where databases may be created (a URL such as
//! `postgresql://gazette@127.0.0.1:5432/postgres`), a database of its own with a random name, dropped at the end.
//! Without it the PostgreSQL cases say that they were skipped. (.ci/run always gives one; README says how to start
//! a throwaway server locally.)

use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable naming the PostgreSQL server for tests.
pub const POSTGRES_ENV: &str = "GAZETTE_TEST_POSTGRES";

/// Which backend a test archive is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// An archive for one test: its location as `--db` takes it. Dropping it deletes it.
pub struct TestDb {
    pub backend: Backend,
    /// A file path or a `postgresql://` URL.
    pub location: String,
    _dir: Option<tempfile::TempDir>,
    /// (admin URL, database name) to drop.
    postgres: Option<(String, String)>,
}

impl TestDb {
    /// A SQLite file in a new temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let location = dir.path().join("gazette.db").display().to_string();
        TestDb {
            backend: Backend::Sqlite,
            location,
            _dir: Some(dir),
            postgres: None,
        }
    }

    /// A new, empty PostgreSQL database; `None` (after saying so on stderr) without `GAZETTE_TEST_POSTGRES`.
    pub fn postgres(test: &str) -> Option<TestDb> {
        let Some(admin) = std::env::var(POSTGRES_ENV).ok().filter(|s| !s.is_empty()) else {
            eprintln!("{test}: PostgreSQL case skipped ({POSTGRES_ENV} is not set)");
            return None;
        };
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "gazette_test_{}_{}_{:06x}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            fastrand::u32(..0xff_ffff)
        );
        admin_sql(
            &admin,
            &format!("CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'"),
        );
        let mut url = url::Url::parse(&admin).expect("GAZETTE_TEST_POSTGRES is a URL");
        url.set_path(&format!("/{name}"));
        Some(TestDb {
            backend: Backend::Postgres,
            location: url.to_string(),
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// One archive per backend: SQLite, and PostgreSQL when a server is given.
    pub fn each(test: &str) -> Vec<TestDb> {
        let mut all = vec![TestDb::sqlite()];
        all.extend(TestDb::postgres(test));
        all
    }

    pub fn is_postgres(&self) -> bool {
        self.backend == Backend::Postgres
    }

    /// Runs write statements as a user's plain SQL would (`;`-separated): sqlite3 with its default of foreign keys
    /// off, or psql. Panics on an error.
    pub fn execute(&self, sql: &str) {
        match &self.postgres {
            Some(_) => admin_sql(&self.location, sql),
            None => rusqlite::Connection::open(&self.location)
                .and_then(|c| c.execute_batch(sql))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.postgres {
            admin_sql(admin, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

/// Runs one statement on the admin database (its own little runtime, so it works from any test).
fn admin_sql(admin: &str, sql: &str) {
    let (admin, sql) = (admin.to_string(), sql.to_string());
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
                .await
                .unwrap_or_else(|e| panic!("connecting to {POSTGRES_ENV}: {e}"));
            tokio::spawn(conn);
            client
                .batch_execute(&sql)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
        })
    })
    .join()
    .expect("admin statement");
}
