//! The one writer thread of the SQLite backend.
//!
//! SQLite serialises writers anyway; funnelling every write through one thread and one connection makes that explicit,
//! avoids SQLITE_BUSY between our own tasks, and keeps blocking calls off the async runtime. The store's operations
//! send a job over a bounded channel (so a slow disk slows producers instead of growing a queue) and await its result.
//! Jobs are the store's own: nothing outside this crate gets the connection.

use std::path::Path;
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::{Result, StoreError};

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The writer thread's name, as tools (top -H, /proc/PID/task/*/comm, the write bench) show it: Linux keeps 15
/// bytes of a thread's name, so it is no longer than that.
pub const WRITER_THREAD_NAME: &str = "gazette-writer";

/// Handle to the writer thread, inside [`Store::Sqlite`](crate::Store::Sqlite). Cloning shares the thread; it exits
/// when the last handle is dropped or [`close`]d, after finishing the jobs already queued.
///
/// [`close`]: Writer::close
#[derive(Clone)]
pub struct Writer {
    jobs: mpsc::Sender<Job>,
    thread: std::sync::Arc<std::sync::Mutex<Option<JoinHandle<()>>>>,
}

/// Copies the WAL back into the database file every [`CHECKPOINT_EVERY`], from its own connection and thread.
///
/// SQLite's automatic checkpoint runs inside whichever commit crosses 1,000 WAL pages, on the writer thread: about a
/// sixth of the writer's time under ingest. A PASSIVE checkpoint from another connection does the same work beside
/// the writer without blocking it or any reader. Dropping the handle stops the thread.
struct Checkpointer {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// How long the writer's last statistics update and checkpoint wait for other connections.
const FINAL_BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

impl Checkpointer {
    /// Starts the checkpoint thread, or says why it could not (then SQLite's own checkpoints stay on).
    fn spawn(path: &Path) -> Option<Checkpointer> {
        let conn = match Connection::open(path) {
            Ok(conn) => conn,
            Err(e) => {
                tracing::warn!(error = %e, "no checkpoint thread (cannot open the database); the writer checkpoints");
                return None;
            }
        };
        let _ = conn.busy_timeout(std::time::Duration::from_secs(5));
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("gazette-db-checkpoint".into())
            .spawn(move || {
                while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(CHECKPOINT_EVERY) {
                    if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                        tracing::warn!(error = %e, "WAL checkpoint failed");
                    }
                }
            });
        match thread {
            Ok(thread) => Some(Checkpointer {
                stop: Some(stop),
                thread: Some(thread),
            }),
            Err(e) => {
                tracing::warn!(error = %e, "no checkpoint thread; the writer checkpoints");
                None
            }
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Writer {
    /// Opens the database (migrating it) on a new thread. Fails if the database cannot be opened.
    pub(crate) fn spawn(path: &Path) -> Result<Writer> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (jobs, mut rx) = mpsc::channel::<Job>(64);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name(WRITER_THREAD_NAME.into())
            .spawn(move || {
                let mut conn = match super::connection::open(&path) {
                    Ok(conn) => {
                        let _ = ready_tx.send(Ok(()));
                        conn
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let checkpointer = Checkpointer::spawn(&path);
                if checkpointer.is_some() {
                    // Checkpoints run on their own thread, not inside the writer's commits.
                    let _ = conn.pragma_update(None, "wal_autocheckpoint", 0);
                }
                while let Some(job) = rx.blocking_recv() {
                    job(&mut conn);
                }
                drop(checkpointer);
                // Keep the query planner's statistics fresh, and fold the WAL back into the main file so a plain
                // copy of gazette.db is complete. A reader (sqlite3, Datasette) may hold the WAL: wait for it only
                // briefly, so that stopping stays bounded (the next start checkpoints what is left).
                let _ = conn.busy_timeout(FINAL_BUSY_TIMEOUT);
                let _ = conn.execute_batch("PRAGMA optimize");
                let _ = conn.pragma_update(None, "wal_checkpoint", "TRUNCATE");
            })
            .map_err(|_| StoreError::WriterGone)?;
        ready_rx.recv().map_err(|_| StoreError::WriterGone)??;
        Ok(Writer {
            jobs,
            thread: std::sync::Arc::new(std::sync::Mutex::new(Some(thread))),
        })
    }

    /// Runs `f` on the writer's connection and returns its result.
    pub(crate) async fn run<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.jobs.send(job).await.map_err(|_| StoreError::WriterGone)?;
        rx.await.map_err(|_| StoreError::WriterGone)?
    }

    /// Stops accepting work, waits for queued jobs to finish and the thread to exit (blocking; call from a
    /// blocking context or at the end of `main`).
    pub(crate) fn close(self) {
        let thread = self.thread.lock().ok().and_then(|mut t| t.take());
        drop(self.jobs);
        if let Some(thread) = thread {
            let _ = thread.join();
        }
    }
}
