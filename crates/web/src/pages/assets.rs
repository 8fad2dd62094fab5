//! The stylesheet, the icon and the world outline, compiled into the binary.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::error::WebError;

const CSS: &str = include_str!("../../static/gazette.css");
const ICON: &str = include_str!("../../static/favicon.svg");

pub(crate) async fn file(Path(file): Path<String>) -> Response {
    match file.as_str() {
        "gazette.css" => asset("text/css; charset=utf-8", CSS),
        "favicon.svg" => asset("image/svg+xml", ICON),
        "world.svg" => asset("image/svg+xml", crate::map::WORLD_SVG.as_str()),
        _ => super::error_page(&WebError::NotFound("no such file".into())),
    }
}

pub(crate) async fn favicon() -> Response {
    asset("image/svg+xml", ICON)
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    res
}
