//! One module per page; each answers as HTML and, under `/api/...`, with the same data as JSON.

pub(crate) mod article;
pub(crate) mod assets;
pub(crate) mod countries;
pub(crate) mod entity;
pub(crate) mod exports;
pub(crate) mod feeds;
pub(crate) mod home;
pub(crate) mod search;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup};
use serde::Serialize;

use crate::error::WebError;
use crate::layout::{page, Nav};

/// A page's data as HTML, or its error as an HTML page with its status.
pub(crate) fn html<T>(result: Result<T, WebError>, render: impl FnOnce(T) -> Markup) -> Response {
    match result {
        Ok(data) => Html(render(data).into_string()).into_response(),
        Err(e) => error_page(&e),
    }
}

/// A page's data as JSON, or `{"error": ...}` with the status.
pub(crate) fn json<T: Serialize>(result: Result<T, WebError>) -> Response {
    let (status, body) = match result {
        Ok(data) => (StatusCode::OK, serde_json::to_vec(&data)),
        Err(e) => (
            e.status(),
            serde_json::to_vec(&serde_json::json!({ "error": e.message() })),
        ),
    };
    match body {
        Ok(body) => {
            let mut res = (status, body).into_response();
            res.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            res
        }
        Err(e) => error_page(&WebError::Internal(e.to_string())),
    }
}

pub(crate) fn error_page(e: &WebError) -> Response {
    let status = e.status();
    let title = status.canonical_reason().unwrap_or("Error");
    let body = page(
        title,
        Nav::None,
        html! {
            h1 { (title) }
            p.error { (e.message()) }
            p { a href="/" { "Back to the latest articles" } }
        },
    );
    (status, Html(body.into_string())).into_response()
}

pub(crate) async fn not_found() -> Response {
    error_page(&WebError::NotFound("there is no page at this address".into()))
}
