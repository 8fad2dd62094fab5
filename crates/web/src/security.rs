//! Who may read, and what a browser may do with the pages.
//!
//! - The token rule: on a loopback address the view is open to this machine's users (as the database file is);
//!   anywhere else a token is required ([`check_exposure`]), and when one is set every request must carry it: an
//!   `Authorization: Bearer TOKEN` header, or the `gazette_token` cookie, which a visit with `?token=TOKEN` sets
//!   (HttpOnly, SameSite=Strict) before redirecting to the same address without it. Compared in constant time.
//! - Every response says `Content-Security-Policy` (no script at all, styles, images and forms from this server
//!   only, no framing), `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (article links must not
//!   tell other sites what was read here) and `X-Frame-Options: DENY` for older browsers.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use subtle::ConstantTimeEq;

use crate::Error;

/// The shortest token accepted: shorter ones can be guessed.
pub const MIN_TOKEN: usize = 16;

const COOKIE: &str = "gazette_token";

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// Refuses to serve on an address other machines can reach without a token, and tokens too short to be secret.
pub fn check_exposure(addr: &SocketAddr, token: Option<&str>) -> Result<(), Error> {
    match token {
        Some(t) if t.chars().count() < MIN_TOKEN => Err(Error::TokenTooShort(MIN_TOKEN)),
        None if !addr.ip().is_loopback() => Err(Error::TokenRequired(*addr)),
        _ => Ok(()),
    }
}

/// Wraps routes with the token check (when there is a token) and the security headers.
pub fn protect(routes: Router, token: Option<String>) -> Router {
    let token: Option<Arc<str>> = token.map(Arc::from);
    routes
        .layer(axum::middleware::from_fn_with_state(token, guard))
        .layer(axum::middleware::from_fn(headers))
}

async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    res
}

async fn guard(State(token): State<Option<Arc<str>>>, req: Request, next: Next) -> Response {
    let Some(token) = token else {
        return next.run(req).await;
    };
    if presented(req.headers()).is_some_and(|t| same(t, &token)) {
        return next.run(req).await;
    }
    // A link with ?token=...: set the cookie and go to the same address without the token (so that it does not
    // stay in the address bar, the history or a bookmark).
    let query = req.uri().query().unwrap_or("");
    let given = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == "token");
    if let Some((_, t)) = given {
        if same(&t, &token) {
            let rest: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != "token"))
                .finish();
            // A path that starts with `//` would send the browser to another host.
            let path = match req.uri().path() {
                p if p.starts_with("//") => "/",
                p => p,
            };
            let to = if rest.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{rest}")
            };
            let cookie = format!("{COOKIE}={t}; Path=/; HttpOnly; SameSite=Strict");
            let mut res = (StatusCode::SEE_OTHER, "").into_response();
            if let (Ok(location), Ok(cookie)) = (HeaderValue::from_str(&to), HeaderValue::from_str(&cookie)) {
                res.headers_mut().insert(header::LOCATION, location);
                res.headers_mut().insert(header::SET_COOKIE, cookie);
                return res;
            }
        }
    }
    let mut res = (
        StatusCode::UNAUTHORIZED,
        "this Gazette needs its token: send Authorization: Bearer TOKEN, or open a page once with ?token=TOKEN\n",
    )
        .into_response();
    res.headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    res
}

/// The token a request carries, in its Authorization header or its cookie.
fn presented(h: &HeaderMap) -> Option<&str> {
    let bearer = h
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    bearer.or_else(|| {
        h.get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
    })
}

/// Constant-time equality (the time taken does not tell how much of a guess was right).
fn same(given: &str, token: &str) -> bool {
    given.as_bytes().ct_eq(token.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_required_off_loopback_and_must_be_long() {
        let lo: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        let lo6: SocketAddr = "[::1]:8080".parse().unwrap();
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert!(check_exposure(&lo, None).is_ok());
        assert!(check_exposure(&lo6, None).is_ok());
        assert!(matches!(check_exposure(&any, None), Err(Error::TokenRequired(_))));
        assert!(matches!(
            check_exposure(&any, Some("short")),
            Err(Error::TokenTooShort(_))
        ));
        assert!(check_exposure(&any, Some("a-long-enough-secret")).is_ok());
    }

    #[test]
    fn tokens_come_from_the_header_or_the_cookie() {
        let mut h = HeaderMap::new();
        assert_eq!(presented(&h), None);
        h.insert(header::COOKIE, HeaderValue::from_static("a=b; gazette_token=xyz; c=d"));
        assert_eq!(presented(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer abc"));
        assert_eq!(presented(&h), Some("abc"));
        assert!(same("abc", "abc") && !same("abd", "abc") && !same("ab", "abc"));
    }
}
