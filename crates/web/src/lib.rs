//! Gazette's read-only web view (`gazette serve`, and `gazette daemon --serve`): server-rendered HTML pages over the
//! archive, SVG charts drawn on the server, every `gazette export` report as the same CSV, and each page's data as
//! JSON under `/api/...`; places on maps drawn as SVG from a world outline compiled in ([`map`]). No JavaScript,
//! nothing from elsewhere: the binary serves every byte a page needs.
//!
//! - Reads go through the store's [`Archive`](gazette_store::Archive) (read-only, `query_only`), from a small pool of
//!   read connections on blocking threads ([`pool`]), each question under a time limit, every list capped.
//! - Everything from an article is text written by strangers: the templates (maud) escape every value they splice,
//!   match marks and mention links are made from offsets and private-use markers after escaping, never from HTML in
//!   stored text, and links to originals are made only for http(s) URLs ([`marks`], [`layout`]).
//! - [`security`]: a Content-Security-Policy that allows no script and nothing from elsewhere, `nosniff`, and the
//!   token rule (a non-loopback address needs a token, checked on every request in constant time).
//!
//! Why maud: its templates are Rust expressions compiled into the binary and checked by the compiler (a misspelt
//! field does not build), every `(value)` is escaped unless explicitly marked pre-escaped, and it adds no template
//! files or runtime to ship.

mod body;
mod charts;
mod error;
mod layout;
mod map;
mod marks;
mod pages;
mod params;
mod pool;
pub mod security;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;

pub use error::Error;
pub use security::check_exposure;

/// How the web view reads and whom it serves.
#[derive(Debug, Clone)]
pub struct Options {
    /// Read connections open at most (requests beyond wait their turn).
    pub readers: usize,
    /// Longest one question to the archive may run.
    pub time_limit: Duration,
    /// When set, every request must carry it (see [`security`]).
    pub token: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            readers: 4,
            time_limit: Duration::from_secs(5),
            token: None,
        }
    }
}

/// The shared state of the handlers.
#[derive(Clone)]
pub(crate) struct App {
    pub pool: Arc<pool::Pool>,
}

/// The web view's routes over the archive at `db` (opened read-only now, so that a missing or foreign archive fails
/// here and not at the first request).
pub fn router(db: &gazette_store::Location, options: &Options) -> Result<Router, Error> {
    let pool = pool::Pool::open(db, options.readers, options.time_limit)?;
    let app = App { pool: Arc::new(pool) };
    let routes = Router::new()
        .route("/", get(pages::home::html))
        .route("/api/home", get(pages::home::json))
        .route("/search", get(pages::search::html))
        .route("/api/search", get(pages::search::json))
        .route("/articles/{id}", get(pages::article::html))
        .route("/api/articles/{id}", get(pages::article::json))
        .route("/entities/{id}", get(pages::entity::html))
        .route("/api/entities/{id}", get(pages::entity::json))
        .route("/countries", get(pages::countries::list_html))
        .route("/api/countries", get(pages::countries::list_json))
        .route("/countries/{code}", get(pages::countries::one_html))
        .route("/api/countries/{code}", get(pages::countries::one_json))
        .route("/feeds", get(pages::feeds::list_html))
        .route("/api/feeds", get(pages::feeds::list_json))
        .route("/feeds/{id}", get(pages::feeds::one_html))
        .route("/api/feeds/{id}", get(pages::feeds::one_json))
        .route("/exports", get(pages::exports::html))
        .route("/exports/{file}", get(pages::exports::csv))
        .route("/static/{file}", get(pages::assets::file))
        .route("/favicon.ico", get(pages::assets::favicon))
        .fallback(pages::not_found)
        .with_state(app);
    Ok(security::protect(routes, options.token.clone()))
}

/// Serves `router` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router).with_graceful_shutdown(shutdown).await
}

/// What to say at startup about who can reach `addr`.
pub fn exposure_note(addr: SocketAddr, token: bool) -> String {
    match (addr.ip().is_loopback(), token) {
        (true, false) => "reachable from this machine only".to_string(),
        (true, true) => "reachable from this machine only; every request needs the token".to_string(),
        (false, _) => format!(
            "{} is reachable from other machines: every request needs the token (Authorization: Bearer TOKEN, \
             or open any page once with ?token=TOKEN to get a cookie)",
            addr.ip()
        ),
    }
}
