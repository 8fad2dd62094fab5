//! Typed fetch errors with messages a user can act on.

use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    #[error("{0:?} is not a URL, a file path or a file:// URL")]
    InvalidSource(String),
    #[error("unsupported URL scheme {0:?} (only http, https and file)")]
    UnsupportedScheme(String),
    #[error("cannot read {path}: {message}")]
    File { path: String, message: String },
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    #[error("connection failed: {0}")]
    Connect(String),
    #[error("TLS failed (certificate or handshake): {0}")]
    Tls(String),
    #[error("request timed out after {}", secs(*after))]
    Timeout { after: Duration },
    #[error("server stalled for {} in the middle of the body", secs(*after))]
    Stalled { after: Duration },
    #[error("body exceeds the {} cap", size(*cap))]
    TooLarge { cap: usize },
    #[error("{}", http_message(*status, *retry_after))]
    Http {
        status: u16,
        /// From `Retry-After` on 429 and 503.
        retry_after: Option<Duration>,
    },
    #[error("HTTP {status}: the site served a bot-challenge page instead of the content")]
    BotChallenge { status: u16 },
    #[error("host {host} asked to be left alone for {} more (Retry-After)", secs(*wait))]
    HostPaused { host: String, wait: Duration },
    #[error("too many redirects (more than {max})")]
    TooManyRedirects { max: usize },
    #[error("redirect loop: {url} was already visited")]
    RedirectLoop { url: String },
    #[error("HTTP {status} redirect without a usable Location header")]
    BadRedirect { status: u16 },
    #[error("{}", not_a_feed(feeds))]
    NotAFeed {
        /// Feeds the page links with `<link rel="alternate">`.
        feeds: Vec<String>,
    },
    #[error("not a valid feed: {0}")]
    Parse(String),
    #[error("expected an HTML page, got {content_type}")]
    NotHtml { content_type: String },
    #[error("robots.txt of the site disallows {url}")]
    RobotsDisallowed { url: String },
    #[error("robots.txt of {host} answers with a server error, so its pages are left alone for now")]
    RobotsUnavailable { host: String },
    #[error("network error: {0}")]
    Network(String),
    #[error("could not decode the response body: {0}")]
    Decode(String),
}

impl FetchError {
    /// Worth retrying later: connection failures, timeouts, stalls, 408, 429 and 5xx, a host that asked for a pause,
    /// and a robots.txt that answered with a server error (RFC 9309 treats that as temporary).
    pub fn is_transient(&self) -> bool {
        match self {
            FetchError::Connect(_)
            | FetchError::Timeout { .. }
            | FetchError::Stalled { .. }
            | FetchError::Network(_)
            | FetchError::HostPaused { .. }
            | FetchError::RobotsUnavailable { .. } => true,
            FetchError::Http { status, .. } => matches!(*status, 408 | 429 | 500..=599),
            _ => false,
        }
    }

    /// How long the server asked us to wait (Retry-After), if it did.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Http { retry_after, .. } => *retry_after,
            FetchError::HostPaused { wait, .. } => Some(*wait),
            _ => None,
        }
    }

    /// A short stable name for the kind of failure, for status columns and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::InvalidSource(_) => "invalid_source",
            FetchError::UnsupportedScheme(_) => "unsupported_scheme",
            FetchError::File { .. } => "file",
            FetchError::Client(_) => "client",
            FetchError::Connect(_) => "connect",
            FetchError::Tls(_) => "tls",
            FetchError::Timeout { .. } => "timeout",
            FetchError::Stalled { .. } => "stalled",
            FetchError::TooLarge { .. } => "too_large",
            FetchError::Http { status: 429, .. } => "rate_limited",
            FetchError::Http { status: 404 | 410, .. } => "gone",
            FetchError::Http { status: 401 | 403, .. } => "forbidden",
            FetchError::Http { status: 500..=599, .. } => "server_error",
            FetchError::Http { .. } => "http",
            FetchError::BotChallenge { .. } => "bot_challenge",
            FetchError::HostPaused { .. } => "host_paused",
            FetchError::TooManyRedirects { .. } => "too_many_redirects",
            FetchError::RedirectLoop { .. } => "redirect_loop",
            FetchError::BadRedirect { .. } => "bad_redirect",
            FetchError::NotAFeed { .. } => "not_a_feed",
            FetchError::Parse(_) => "parse",
            FetchError::NotHtml { .. } => "not_html",
            FetchError::RobotsDisallowed { .. } | FetchError::RobotsUnavailable { .. } => "robots",
            FetchError::Network(_) => "network",
            FetchError::Decode(_) => "decode",
        }
    }

    /// The HTTP status behind the error, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            FetchError::Http { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub(crate) fn from_reqwest(e: &reqwest::Error) -> FetchError {
        let mut message = e.to_string();
        // The causes alone (the message names the URL, which may well contain "certificate").
        let mut causes = String::new();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            let text = s.to_string();
            if !message.contains(&text) {
                message.push_str(": ");
                message.push_str(&text);
            }
            causes.push_str(&text);
            causes.push('\n');
            source = s.source();
        }
        if e.is_connect() && is_tls_failure(&causes) {
            // A bad certificate or a server that does not speak TLS: retrying at once changes nothing.
            FetchError::Tls(message)
        } else if e.is_connect() {
            FetchError::Connect(message)
        } else if e.is_decode() {
            // A body that claims gzip/brotli/deflate but is not: retrying changes nothing.
            FetchError::Decode(message)
        } else {
            FetchError::Network(message)
        }
    }
}

/// rustls' errors, as they read in reqwest's error chain (rustls is not a direct dependency, so its types are not
/// matched on).
fn is_tls_failure(message: &str) -> bool {
    const SIGNS: [&str; 5] = [
        "certificate",
        "received fatal alert",
        "received corrupt message",
        "peer is incompatible",
        "peer misbehaved",
    ];
    SIGNS.iter().any(|s| message.contains(s))
}

fn secs(d: Duration) -> String {
    if d.as_millis() < 1000 || d.subsec_millis() != 0 && d.as_secs() < 10 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} s", d.as_secs())
    }
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 && bytes.is_multiple_of(1 << 10) {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}

fn http_message(status: u16, retry_after: Option<Duration>) -> String {
    let reason = match status {
        400 => " Bad Request",
        401 => " Unauthorized (the resource needs a login)",
        403 => " Forbidden (the server refuses to serve us)",
        404 => " Not Found",
        408 => " Request Timeout",
        410 => " Gone (the resource was removed for good)",
        429 => " Too Many Requests",
        500 => " Internal Server Error",
        502 => " Bad Gateway",
        503 => " Service Unavailable",
        504 => " Gateway Timeout",
        _ => "",
    };
    match retry_after {
        Some(d) => format!("HTTP {status}{reason} (retry after {})", secs(d)),
        None => format!("HTTP {status}{reason}"),
    }
}

fn not_a_feed(feeds: &[String]) -> String {
    if feeds.is_empty() {
        "got an HTML page, not a feed (the page links no feed)".to_string()
    } else {
        format!(
            "got an HTML page, not a feed; it links these feeds: {}",
            feeds.join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        assert_eq!(
            FetchError::Http {
                status: 410,
                retry_after: None
            }
            .code(),
            "gone"
        );
        assert_eq!(
            FetchError::Http {
                status: 429,
                retry_after: None
            }
            .code(),
            "rate_limited"
        );
        assert_eq!(FetchError::NotAFeed { feeds: vec![] }.code(), "not_a_feed");
    }

    #[test]
    fn messages() {
        assert_eq!(
            FetchError::TooLarge { cap: 20 << 20 }.to_string(),
            "body exceeds the 20 MiB cap"
        );
        assert_eq!(
            FetchError::Stalled {
                after: Duration::from_secs(15)
            }
            .to_string(),
            "server stalled for 15 s in the middle of the body"
        );
        assert_eq!(
            FetchError::Http {
                status: 404,
                retry_after: None
            }
            .to_string(),
            "HTTP 404 Not Found"
        );
        assert_eq!(
            FetchError::NotAFeed {
                feeds: vec!["https://a/rss".into()]
            }
            .to_string(),
            "got an HTML page, not a feed; it links these feeds: https://a/rss"
        );
    }
}
