//! The store's errors, for every backend.

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error(
        "the database is at schema version {found}, newer than this Gazette understands ({supported}); \
         upgrade Gazette or use another database"
    )]
    SchemaTooNew { found: u32, supported: u32 },
    #[error(
        "the database is at schema version {found}, older than this Gazette's ({latest}), and read-only commands do \
         not upgrade it: run `gazette feeds list` (or any command that writes) once"
    )]
    SchemaTooOld { found: u32, latest: u32 },
    #[error("this database has no Gazette schema: is it a Gazette database?")]
    NotGazette,
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: u32,
        name: &'static str,
        source: rusqlite::Error,
    },
    #[error("database error: {}", crate::postgres::describe(.0))]
    Postgres(#[from] tokio_postgres::Error),
    #[error("migration {version} ({name}) failed: {why}")]
    PostgresMigration {
        version: u32,
        name: &'static str,
        why: String,
    },
    /// A PostgreSQL URL that cannot be read (`url` has its password hidden).
    #[error("bad PostgreSQL URL {url}: {why}")]
    BadUrl { url: String, why: String },
    /// The server could not be reached or refused us (`url` has its password hidden).
    #[error("cannot connect to {url}: {why}")]
    Connect { url: String, why: String },
    #[error("copying {table}: {why}")]
    Copy { table: String, why: String },
    #[error("TLS: {0}")]
    Tls(String),
    /// An operation the PostgreSQL backend does not have yet (SQLite has it).
    #[error("{0} is not available on PostgreSQL yet (it is on SQLite); nothing was changed")]
    NotOnPostgres(&'static str),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The sink that rows were handed to failed (a closed pipe, a full disk).
    #[error("{0}")]
    Output(std::io::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("no feed with id or URL {0}")]
    NoSuchFeed(String),
    /// An ad-hoc query that would write (refused before it ran).
    #[error("the query would write; `gazette query` is read-only and nothing was changed")]
    QueryWouldWrite,
    /// An ad-hoc query that tried to write while running (and was stopped by the read-only connection).
    #[error("the query tried to write; `gazette query` is read-only and nothing was changed ({0})")]
    QueryTriedToWrite(String),
    #[error("the query ran past its time limit and was stopped (raise it with --timeout)")]
    QueryTimedOut,
    /// A read of the web view's questions ran past the archive's time limit.
    #[error("the read ran past its time limit ({} ms) and was stopped", .0.as_millis())]
    TimeLimit(std::time::Duration),
    #[error("query failed: {message}\n  in: {sql}")]
    QueryFailed { message: String, sql: String },
    #[error("the SQL has no parameter {0}")]
    NoSuchParam(String),
    #[error("the SQL uses {0} but no --param {trimmed}=VALUE was given", trimmed = .0.trim_start_matches([':', '@', '$']))]
    MissingParam(String),
    #[error("the SQL has a numbered parameter (? or ?N); name it (:name) and pass --param name=VALUE")]
    NumberedParam,
}

impl StoreError {
    /// The I/O error underneath, if this is one (a closed pipe ends a command quietly).
    pub fn io_kind(&self) -> Option<std::io::ErrorKind> {
        match self {
            StoreError::Io(e) | StoreError::Output(e) => Some(e.kind()),
            _ => None,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
