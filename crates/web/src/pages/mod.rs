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
use chrono::{Duration, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Serialize;

use crate::error::WebError;
use crate::layout::{day, page, Nav};

/// The longest range a page shows, in days (a chart of ten years).
pub(crate) const MAX_DAYS: i64 = 3660;

/// The days `from..=to` a page asked for; a missing `to` is the archive's latest day with mentions, a missing `from`
/// is `default_days` before it. Checked: in order, at most [`MAX_DAYS`].
pub(crate) fn range(
    archive: &mut gazette_store::Archive,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    default_days: i64,
) -> Result<(NaiveDate, NaiveDate), WebError> {
    let to = match to {
        Some(t) => t,
        None => archive.latest_day()?.unwrap_or_else(|| Utc::now().date_naive()),
    };
    let from = match from {
        Some(f) => f,
        None => to
            .checked_sub_signed(Duration::days(default_days - 1))
            .ok_or_else(|| WebError::BadRequest(format!("to: {} is too early", day(to))))?,
    };
    if from > to {
        return Err(WebError::BadRequest(format!(
            "from: {} comes after to, {}",
            day(from),
            day(to)
        )));
    }
    if (to - from).num_days() >= MAX_DAYS {
        return Err(WebError::BadRequest(format!("from, to: at most {MAX_DAYS} days")));
    }
    Ok((from, to))
}

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
