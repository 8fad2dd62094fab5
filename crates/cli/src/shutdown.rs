//! SIGINT / SIGTERM: the first asks for a clean stop (`gazette_ingest::stopped` waits for it), a second one exits at
//! once.
//!
//! Exiting at once is safe: every write is a SQLite transaction (committed or not at all), and a feed's progress
//! point is saved only after its articles, so the next start picks up what was cut off.

use tokio::sync::watch;

/// Starts listening for signals; the receiver turns true on the first one. Call before the main runtime starts (it
/// waits, briefly, for the handlers to be in place).
///
/// The listener runs on a thread of its own with its own small runtime: it must outlive the main runtime, which is
/// shut down before the database writer's last commit and checkpoint, so that a second signal still exits at once
/// then.
pub fn listen() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    let (ready_tx, ready) = std::sync::mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("gazette-signals".into())
        .spawn(
            move || match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(handle(tx, ready_tx)),
                Err(e) => tracing::warn!(error = %e, "cannot listen for signals"),
            },
        );
    match spawned {
        // Returns once the handlers are in place, so that no signal in between kills the process the default way.
        Ok(_) => {
            let _ = ready.recv_timeout(std::time::Duration::from_secs(5));
        }
        Err(e) => tracing::warn!(error = %e, "cannot listen for signals"),
    }
    rx
}

/// The first signal asks for a stop; the second exits.
async fn handle(tx: watch::Sender<bool>, ready: std::sync::mpsc::Sender<()>) {
    let mut signals = Signals::new();
    let _ = ready.send(());
    {
        let mut count = 0u32;
        loop {
            let name = signals.next().await;
            count += 1;
            if count == 1 {
                tracing::info!(
                    signal = name,
                    "stopping: finishing in-flight work (send the signal again to exit at once)"
                );
                let _ = tx.send(true);
            } else {
                tracing::warn!(signal = name, "second signal: exiting at once");
                eprintln!("gazette: second {name}, exiting at once");
                std::process::exit(130);
            }
        }
    }
}

/// SIGTERM and SIGINT, registered once (so a signal between two waits is not missed).
struct Signals {
    #[cfg(unix)]
    term: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    int: Option<tokio::signal::unix::Signal>,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> Signals {
        use tokio::signal::unix::{signal, SignalKind};
        Signals {
            term: signal(SignalKind::terminate()).ok(),
            int: signal(SignalKind::interrupt()).ok(),
        }
    }

    #[cfg(unix)]
    async fn next(&mut self) -> &'static str {
        async fn recv(s: &mut Option<tokio::signal::unix::Signal>) {
            match s {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        tokio::select! {
            _ = recv(&mut self.term) => "SIGTERM",
            _ = recv(&mut self.int) => "SIGINT",
        }
    }

    #[cfg(not(unix))]
    fn new() -> Signals {
        Signals {}
    }

    #[cfg(not(unix))]
    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
