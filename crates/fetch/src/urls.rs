//! URL normalisation and resolution.

use url::Url;

/// Query parameters that only track the reader, never select content.
const TRACKING_EXACT: &[&str] = &[
    "fbclid",
    "gclid",
    "gclsrc",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "yclid",
    "ysclid",
    "igshid",
    "_hsenc",
    "_hsmi",
    "__hssc",
    "__hstc",
    "__hsfp",
    "hsctatracking",
    "mkt_tok",
    "twclid",
    "ttclid",
    "li_fat_id",
    "oly_anon_id",
    "oly_enc_id",
    "rb_clickid",
    "s_cid",
    "vero_conv",
    "vero_id",
    "wickedid",
    "_openstat",
    "ncid",
    "sr_share",
    "cmpid",
    "_ga",
    "_gl",
    "mc_tc",
    "srsltid",
    "_bhlid",
    "_branch_match_id",
    "_kx",
    "ref_src",
    "guccounter",
    "guce_referrer",
    "guce_referrer_sig",
    "__s",
    "zanpid",
    "irclickid",
    "epik",
    "gad_source",
];

/// Prefixes of tracking parameters (`utm_source`, `utm_medium`, ...).
const TRACKING_PREFIXES: &[&str] = &[
    "utm_",
    "mtm_",
    "pk_",
    "piwik_",
    "matomo_",
    "hmb_",
    "itm_",
    "at_medium",
    "at_campaign",
];

/// Whether a query parameter name only tracks the reader.
pub fn is_tracking_param(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    TRACKING_EXACT.contains(&lower.as_str()) || TRACKING_PREFIXES.iter().any(|p| lower.starts_with(p))
}

/// Lowercases scheme and host, drops default ports, fragments and tracking parameters; other query parameters keep
/// their order. `None` for anything that is not an absolute URL.
pub fn normalize_url(input: &str) -> Option<String> {
    let url = Url::parse(input.trim()).ok()?;
    Some(normalize_parsed(url).into())
}

/// [`normalize_url`] on a parsed URL. The `url` crate already lowercases scheme and host and drops default ports.
pub(crate) fn normalize_parsed(mut url: Url) -> Url {
    url.set_fragment(None);
    if let Some(query) = url.query() {
        // Filter the raw pairs, so the encodings the site chose survive.
        let parts: Vec<&str> = query.split('&').filter(|s| !s.is_empty()).collect();
        let kept: Vec<&str> = parts
            .iter()
            .copied()
            .filter(|part| {
                let name = part.split('=').next().unwrap_or("");
                let decoded = url::form_urlencoded::parse(name.as_bytes())
                    .map(|(k, _)| k.into_owned())
                    .next()
                    .unwrap_or_default();
                !is_tracking_param(&decoded)
            })
            .collect();
        if kept.is_empty() {
            url.set_query(None);
        } else if kept.len() != parts.len() {
            let q = kept.join("&");
            url.set_query(Some(&q));
        }
    }
    url
}

/// Resolves `href` against `base` (the final URL of a document) and normalises it. Only http(s) results are kept.
pub fn resolve(base: Option<&Url>, href: &str) -> Option<String> {
    let href = href.trim();
    if href.is_empty() {
        return None;
    }
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    Some(normalize_parsed(url).into())
}

/// A key for a URL that ignores the scheme, so `http://` and `https://` spellings of one address collide.
pub(crate) fn scheme_insensitive_key(normalized: &str) -> String {
    match normalized.split_once("://") {
        Some((scheme, rest)) if scheme == "http" || scheme == "https" => format!("https://{rest}"),
        _ => normalized.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises() {
        assert_eq!(
            normalize_url("HTTP://Example.COM:80/a/b.html?utm_source=rss&utm_medium=feed#top").as_deref(),
            Some("http://example.com/a/b.html")
        );
        assert_eq!(
            normalize_url("https://example.com:443/x?id=3&fbclid=abc&page=2&gclid=1&mc_cid=1&mc_eid=2").as_deref(),
            Some("https://example.com/x?id=3&page=2")
        );
        assert_eq!(
            normalize_url("https://example.com:8443/x?q=a%20b").as_deref(),
            Some("https://example.com:8443/x?q=a%20b")
        );
        assert_eq!(normalize_url("not a url"), None);
    }

    #[test]
    fn resolves_relative() {
        let base = Url::parse("https://example.com/news/feed.xml").unwrap();
        assert_eq!(
            resolve(Some(&base), "/a/1.html").as_deref(),
            Some("https://example.com/a/1.html")
        );
        assert_eq!(
            resolve(Some(&base), "2.html").as_deref(),
            Some("https://example.com/news/2.html")
        );
        assert_eq!(resolve(Some(&base), "javascript:alert(1)"), None);
        assert_eq!(resolve(None, "/x"), None);
    }

    #[test]
    fn scheme_key() {
        assert_eq!(scheme_insensitive_key("http://a.com/x"), "https://a.com/x");
        assert_eq!(scheme_insensitive_key("https://a.com/x"), "https://a.com/x");
        assert_eq!(scheme_insensitive_key("urn:x"), "urn:x");
    }
}
