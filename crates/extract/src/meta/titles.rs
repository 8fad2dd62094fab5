//! The headline, without the site's name glued to it ("Headline | Site", "Headline - Site.ca").

use crate::content::normalize;
use crate::dom::{flag, Dom, Tag};

/// The normalised text of the page's top-level headings (`<h1>` to `<h3>`), in document order.
pub fn headings(dom: &Dom) -> Vec<String> {
    dom.items
        .iter()
        .enumerate()
        .filter(|(_, it)| matches!(it.tag(), Some(Tag::Heading(1..=3))) && !it.has(flag::DROP))
        .map(|(i, _)| normalize(&dom.subtree_text(i)))
        .filter(|t| !t.is_empty())
        .take(50)
        .collect()
}

const SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " :: ", " · ", " » "];

fn parts(title: &str) -> Vec<&str> {
    let mut parts: Vec<&str> = vec![title];
    for sep in SEPARATORS {
        parts = parts.iter().flat_map(|p| p.split(sep)).map(str::trim).collect();
    }
    parts
}

/// Whether `part` names the site: its name, or its host ("Site.ca", "www.site.ca", "site").
fn names_site(part: &str, site: Option<&str>, host: Option<&str>) -> bool {
    let p = normalize(part);
    if p.is_empty() {
        return false;
    }
    if site.is_some_and(|s| normalize(s) == p) {
        return true;
    }
    let Some(host) = host else { return false };
    let host = host.trim_start_matches("www.").to_ascii_lowercase();
    let label = normalize(host.split('.').next().unwrap_or(""));
    // "Site.ca", "site.ca", "SITE": the host, or its first label, with punctuation ignored.
    p == normalize(&host) || (p.len() >= 3 && p == label)
}

/// Drops a leading or trailing part that names the site from a structured title (`og:title`, JSON-LD); the rest
/// stays as it is (a dash inside a headline is not a separator to cut at).
pub fn drop_site_name(title: &str, site: Option<&str>, host: Option<&str>) -> String {
    for sep in SEPARATORS {
        if let Some((head, tail)) = title.rsplit_once(sep) {
            if names_site(tail, site, host) && !head.trim().is_empty() {
                return head.trim().to_string();
            }
        }
        if let Some((head, tail)) = title.split_once(sep) {
            if names_site(head, site, host) && !tail.trim().is_empty() {
                return tail.trim().to_string();
            }
        }
    }
    title.to_string()
}

/// "Headline | Site" -> "Headline" for a `<title>`: drop the parts that name the site, or keep the longest part that
/// is also a heading (a blog's `<h1>` is often its name, and the post's heading an `<h2>`).
pub fn strip_site(title: &str, site: Option<&str>, host: Option<&str>, headings: &[String]) -> String {
    let parts = parts(title);
    if parts.len() < 2 {
        return title.to_string();
    }
    let as_heading = parts
        .iter()
        .filter(|p| headings.contains(&normalize(p)))
        .max_by_key(|p| p.chars().count());
    if let Some(p) = as_heading {
        return p.to_string();
    }
    let kept: Vec<&str> = parts.iter().copied().filter(|p| !names_site(p, site, host)).collect();
    if site.is_some() || (kept.len() < parts.len() && !kept.is_empty()) {
        return if kept.is_empty() {
            title.to_string()
        } else {
            kept.join(" - ")
        };
    }
    let longest = kept.iter().copied().max_by_key(|p| p.chars().count()).unwrap_or(title);
    if longest.chars().count() < 15 {
        return title.to_string();
    }
    longest.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_names_are_dropped() {
        assert_eq!(
            drop_site_name("Big News | The Site", Some("The Site"), None),
            "Big News"
        );
        assert_eq!(
            drop_site_name("Big News - Site.ca", None, Some("www.site.ca")),
            "Big News"
        );
        assert_eq!(
            drop_site_name("SITE: Big - News", Some("Site"), None),
            "SITE: Big - News"
        );
        assert_eq!(
            drop_site_name("Spider-Man - a review", Some("Site"), Some("x.com")),
            "Spider-Man - a review"
        );
        assert_eq!(drop_site_name("Site | Big News", Some("Site"), None), "Big News");
        assert_eq!(
            strip_site("A long enough headline here | Example", None, Some("example.com"), &[]),
            "A long enough headline here"
        );
    }
}
