//! A small pool of read-only archive connections, used on tokio's blocking threads: the archive's calls block, and
//! must never hold up the async workers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use gazette_store::{Archive, Location, StoreError};
use tokio::sync::Semaphore;

use crate::error::WebError;

pub(crate) struct Pool {
    db: Location,
    time_limit: Duration,
    idle: Mutex<Vec<Archive>>,
    /// One permit per connection that may be open.
    permits: Arc<Semaphore>,
}

impl Pool {
    /// Opens the first connection now, so that a missing or foreign database fails at start.
    pub fn open(db: &Location, readers: usize, time_limit: Duration) -> Result<Pool, StoreError> {
        let pool = Pool {
            db: db.clone(),
            time_limit,
            idle: Mutex::new(Vec::new()),
            permits: Arc::new(Semaphore::new(readers.max(1))),
        };
        let first = pool.connect()?;
        pool.idle.lock().expect("pool lock").push(first);
        Ok(pool)
    }

    fn connect(&self) -> Result<Archive, StoreError> {
        let mut archive = Archive::open(&self.db)?;
        archive.set_time_limit(Some(self.time_limit));
        Ok(archive)
    }

    /// Runs `read` with a connection on a blocking thread, waiting for a free one.
    pub async fn read<T, F>(self: &Arc<Self>, read: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Archive) -> Result<T, WebError> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| WebError::Internal(e.to_string()))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = pool.idle.lock().expect("pool lock").pop();
            let mut archive = match idle {
                Some(a) => a,
                None => pool.connect()?,
            };
            let out = read(&mut archive);
            pool.idle.lock().expect("pool lock").push(archive);
            out
        })
        .await
        .map_err(|e| WebError::Internal(e.to_string()))?
    }
}
