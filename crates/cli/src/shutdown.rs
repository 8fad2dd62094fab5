//! SIGINT / SIGTERM: the first asks for a clean stop, a second one exits at once.
//!
//! Exiting at once is safe: every write is a SQLite transaction (committed or not at all), and a feed's progress
//! point is saved only after its articles, so the next start picks up what was cut off.

use tokio::sync::watch;

/// Starts listening for signals; the receiver turns true on the first one. Call inside the runtime.
pub fn listen() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    let mut signals = Signals::new();
    tokio::spawn(async move {
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
    });
    rx
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

/// Resolves once a stop was asked for (at once if it already was). Never resolves if the sender is gone without one.
pub async fn stopped(rx: &mut watch::Receiver<bool>) {
    loop {
        if *rx.borrow_and_update() {
            return;
        }
        if rx.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
