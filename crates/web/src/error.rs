//! The web view's errors: setting it up ([`Error`]) and answering a request ([`WebError`], each with its status).

use std::net::SocketAddr;

use axum::http::StatusCode;
use gazette_store::StoreError;

/// Why the web view could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(
        "{0} is reachable from other machines: the web view needs a token there (--token, or web_token in the \
         configuration)"
    )]
    TokenRequired(SocketAddr),
    #[error("the token is too short to be a secret: at least {0} characters")]
    TokenTooShort(usize),
}

/// Why a request failed.
#[derive(Debug)]
pub(crate) enum WebError {
    /// A parameter that cannot be read: the message says which and why.
    BadRequest(String),
    NotFound(String),
    Store(StoreError),
    /// A blocking read panicked or was cancelled.
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> Self {
        WebError::Store(e)
    }
}

impl WebError {
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Store(StoreError::TimeLimit(_)) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::Store(_) | WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the page says. Internal details go to the log, not to the visitor.
    pub fn message(&self) -> String {
        match self {
            WebError::BadRequest(m) | WebError::NotFound(m) => m.clone(),
            WebError::Store(e @ StoreError::TimeLimit(_)) => format!("{e}; try a narrower question"),
            WebError::Store(e) => {
                tracing::error!(error = %e, "reading the archive");
                "the archive could not be read (see the server's log)".to_string()
            }
            WebError::Internal(e) => {
                tracing::error!(error = %e, "answering a request");
                "something went wrong (see the server's log)".to_string()
            }
        }
    }
}
