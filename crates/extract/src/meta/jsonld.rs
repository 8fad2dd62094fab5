//! JSON-LD: the fields of the page's article object (`NewsArticle`, `BlogPosting`, ... also inside `@graph` and
//! `mainEntity`), and the dates of the other objects (a `WebPage`'s) as weaker evidence.

use serde_json::Value;

use super::text::decode_refs;

/// A person or an organisation named as an author.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    pub name: String,
    /// `@type` says Organization (or NewsMediaOrganization, Corporation...).
    pub organisation: bool,
}

/// The fields found in JSON-LD article objects (first non-empty value wins).
#[derive(Default, Debug)]
pub struct JsonLd {
    pub headline: Option<String>,
    /// `datePublished`, else `dateCreated`, of an article object.
    pub published: Option<String>,
    pub modified: Option<String>,
    /// `datePublished` / `uploadDate` of a non-article object (a `WebPage`, a `VideoObject`).
    pub other_published: Option<String>,
    pub authors: Vec<Named>,
    pub publisher: Option<String>,
    pub image: Option<String>,
    pub language: Option<String>,
    pub description: Option<String>,
    pub body: Option<String>,
    /// Some script held an article object.
    pub has_article: bool,
}

fn type_matches(v: &Value, check: impl Fn(&str) -> bool) -> bool {
    match v.get("@type") {
        Some(Value::String(s)) => check(s),
        Some(Value::Array(a)) => a.iter().any(|t| t.as_str().is_some_and(&check)),
        _ => false,
    }
}

fn is_article_type(v: &Value) -> bool {
    type_matches(v, |s| {
        s.ends_with("Article") || s == "BlogPosting" || s == "Report" || s == "LiveBlogPosting" || s == "Posting"
    })
}

fn is_organisation(v: &Value) -> bool {
    type_matches(v, |s| {
        s.ends_with("Organization") || s == "Corporation" || s == "NewsMediaOrganization"
    })
}

fn string_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(decode_refs(s.trim()).into_owned()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("url"))
            .or_else(|| o.get("@id"))
            .and_then(string_of),
        Value::Array(a) => a.iter().find_map(string_of),
        _ => None,
    }
}

/// A date value: a string, or the first of an array (`"datePublished": ["2021-12-03"]`).
fn date_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Array(a) => a.iter().find_map(date_of),
        Value::Object(o) => o.get("@value").and_then(date_of),
        _ => None,
    }
}

fn names_of(v: &Value, out: &mut Vec<Named>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| names_of(x, out)),
        Value::Object(o) => {
            if let Some(n) = o.get("name").and_then(string_of) {
                out.push(Named {
                    name: n,
                    organisation: is_organisation(v),
                });
            }
        }
        Value::String(s) if !s.trim().is_empty() && !s.contains("://") => out.push(Named {
            name: decode_refs(s.trim()).into_owned(),
            organisation: false,
        }),
        _ => {}
    }
}

fn image_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Object(o) => o.get("url").or_else(|| o.get("contentUrl")).and_then(image_of),
        Value::Array(a) => a.iter().find_map(image_of),
        _ => None,
    }
}

fn collect_objects<'v>(v: &'v Value, out: &mut Vec<&'v Value>, depth: usize) {
    if depth > 6 {
        return;
    }
    match v {
        Value::Array(a) => a.iter().for_each(|x| collect_objects(x, out, depth + 1)),
        Value::Object(o) => {
            out.push(v);
            for key in ["@graph", "mainEntity", "mainEntityOfPage", "itemListElement"] {
                if let Some(g) = o.get(key) {
                    collect_objects(g, out, depth + 1);
                }
            }
        }
        _ => {}
    }
}

/// Parses a script's JSON; on failure, once more with control characters (raw line breaks and tabs inside strings,
/// which hand-written templates leave) turned into spaces.
fn parse_lenient(script: &str) -> Option<Value> {
    let t = script.trim();
    match serde_json::from_str::<Value>(t) {
        Ok(v) => Some(v),
        Err(_) if t.bytes().any(|b| b < 0x20) => {
            let spaced: String = t.chars().map(|c| if c < ' ' { ' ' } else { c }).collect();
            serde_json::from_str(&spaced).ok()
        }
        Err(_) => None,
    }
}

/// Reads every JSON-LD script of the page.
pub fn json_ld(scripts: &[String]) -> JsonLd {
    let mut out = JsonLd::default();
    for script in scripts {
        let Some(v) = parse_lenient(script) else {
            continue;
        };
        let mut objects = Vec::new();
        collect_objects(&v, &mut objects, 0);
        for o in objects {
            if !is_article_type(o) {
                if out.other_published.is_none() && !type_matches(o, |s| s.ends_with("Organization") || s == "Person") {
                    out.other_published = ["datePublished", "uploadDate", "dateCreated"]
                        .iter()
                        .find_map(|k| o.get(*k).and_then(date_of));
                }
                continue;
            }
            out.has_article = true;
            let set = |slot: &mut Option<String>, key: &str| {
                if slot.is_none() {
                    *slot = o.get(key).and_then(string_of);
                }
            };
            set(&mut out.headline, "headline");
            set(&mut out.headline, "name");
            set(&mut out.language, "inLanguage");
            set(&mut out.description, "description");
            set(&mut out.body, "articleBody");
            if out.published.is_none() {
                out.published = o
                    .get("datePublished")
                    .and_then(date_of)
                    .or_else(|| o.get("dateCreated").and_then(date_of));
            }
            if out.modified.is_none() {
                out.modified = o.get("dateModified").and_then(date_of);
            }
            if out.publisher.is_none() {
                out.publisher = o.get("publisher").and_then(|p| p.get("name")).and_then(string_of);
            }
            if out.image.is_none() {
                out.image = o
                    .get("image")
                    .and_then(image_of)
                    .or_else(|| o.get("thumbnailUrl").and_then(image_of));
            }
            if out.authors.is_empty() {
                if let Some(a) = o.get("author").or_else(|| o.get("creator")) {
                    names_of(a, &mut out.authors);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_article_dates_and_authors() {
        let ld = json_ld(&[r#"{"@context":"https://schema.org","@graph":[
            {"@type":"WebPage","datePublished":"2020-01-01T00:00:00Z"},
            {"@type":["NewsArticle"],"headline":"Caf&eacute; &#8216;news&#8217;","dateCreated":"2021-12-03T21:15:00Z",
             "dateModified":"2021-12-04T08:00:00Z",
             "author":[{"@type":"Person","name":"Jane Doe"},{"@type":"Organization","name":"Reuters"}]}]}"#
            .to_string()]);
        assert_eq!(ld.headline.as_deref(), Some("Café \u{2018}news\u{2019}"));
        assert_eq!(ld.published.as_deref(), Some("2021-12-03T21:15:00Z"));
        assert_eq!(ld.modified.as_deref(), Some("2021-12-04T08:00:00Z"));
        assert_eq!(ld.other_published.as_deref(), Some("2020-01-01T00:00:00Z"));
        assert_eq!(ld.authors.len(), 2);
        assert!(!ld.authors[0].organisation && ld.authors[1].organisation);
    }
}
