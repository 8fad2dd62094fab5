//! Property tests: repair, charset sniffing, URL normalisation and the other parsers never panic, and repair never
//! breaks a feed that was already valid.

use gazette_fetch::{charset, discover, normalize_url, parse, repair, robots};
use proptest::prelude::*;

const BOM: char = '\u{feff}';

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text XML allows, without leading/trailing whitespace (feed-rs trims).
fn xml_text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 &<>\"'éü€—中🙂;#!?.,:/-]{1,30}")
        .unwrap()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("non-empty", |s| !s.is_empty())
}

/// Text as a character reference for every non-alphanumeric character, decimal or hex.
fn numeric_refs(s: &str, hex: bool) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_string()
            } else if hex {
                format!("&#x{:X};", c as u32)
            } else {
                format!("&#{};", c as u32)
            }
        })
        .collect()
}

/// A valid RSS 2.0 or Atom feed; titles escaped, in CDATA or as character references.
fn valid_feed() -> impl Strategy<Value = (String, Vec<String>)> {
    (
        proptest::collection::vec((xml_text(), 0u8..4), 1..6),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(titles, with_decl, with_comment, atom)| {
            let mut s = String::new();
            if with_decl {
                s.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
            }
            if atom {
                s.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\"><title type=\"text\">Feed</title>");
            } else {
                s.push_str("<rss version=\"2.0\"><channel><title>Feed</title>");
            }
            if with_comment {
                s.push_str("<!-- a comment with & and &nbsp; -->");
            }
            for (i, (t, mode)) in titles.iter().enumerate() {
                let title = match mode {
                    0 if !t.contains("]]>") => format!("<![CDATA[{t}]]>"),
                    1 => numeric_refs(t, false),
                    2 => numeric_refs(t, true),
                    _ => xml_escape(t),
                };
                if atom {
                    s.push_str(&format!(
                        "<entry><id>g{i}</id><title>{title}</title><link href=\"https://example.com/a/{i}?x=1&amp;y=2\"/></entry>"
                    ));
                } else {
                    s.push_str(&format!(
                        "<item><title>{title}</title><link>https://example.com/a/{i}?x=1&amp;y=2</link><guid>g{i}</guid></item>"
                    ));
                }
            }
            s.push_str(if atom { "</feed>" } else { "</channel></rss>" });
            (s, titles.into_iter().map(|(t, _)| t).collect())
        })
}

fn titles_of(feed: &feed_rs::model::Feed) -> Vec<String> {
    feed.entries
        .iter()
        .map(|e| e.title.as_ref().map(|t| t.content.clone()).unwrap_or_default())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn repair_never_panics_and_is_idempotent(s in any::<String>()) {
        let once = repair::repair(&s);
        prop_assert_eq!(repair::repair(&once), once.clone());
        prop_assert!(once.chars().all(|c| !matches!(c as u32, 0..=8 | 0xB | 0xC | 0xE..=0x1F | 0xFFFE | 0xFFFF)));
    }

    #[test]
    fn repair_handles_feedish_garbage(s in "[<>&;#a-z!\\[\\]CDAT?x0-9 \u{1}\u{feff}-]{0,200}") {
        let once = repair::repair(&s);
        prop_assert_eq!(repair::repair(&once), once);
        let _ = parse::parse_feed(&s, None);
    }

    #[test]
    fn repair_keeps_valid_feeds((feed, titles) in valid_feed()) {
        let repaired = repair::repair(&feed);
        prop_assert_eq!(&repaired, &feed, "a valid feed is left unchanged");
        let parsed = feed_rs::parser::parse(repaired.as_bytes()).expect("still parses");
        prop_assert_eq!(titles_of(&parsed), titles.clone());
        // And the whole pipeline reads the same titles.
        let ours = parse::parse_feed(&feed, None).expect("parses");
        let got: Vec<String> = ours.feed.items.iter().map(|i| i.title.clone().unwrap_or_default()).collect();
        prop_assert!(ours.feed.items.iter().all(|i| i.url.as_deref().is_some_and(|u| u.ends_with("?x=1&y=2"))));
        let shown: Vec<String> = titles.iter().map(|t| gazette_fetch::plain_text(t)).collect();
        prop_assert_eq!(got, shown);
    }

    #[test]
    fn repair_fixes_bare_ampersands_and_entities(t in xml_text(), ent in prop::sample::select(vec!["&nbsp;", "&eacute;", "&mdash;", "&copy;", "&hellip;", "& ", "&bogus;"])) {
        // Unescaped text (bare & and < would be fatal; < is escaped, & left raw) plus an HTML entity.
        let raw = format!("{}{}", t.replace('<', "&lt;").replace('>', "&gt;"), ent);
        let feed = format!("<rss version=\"2.0\"><channel><title>x</title><item><title>{raw} end</title><guid>1</guid></item></channel></rss>");
        let parsed = parse::parse_feed(&feed, None).expect("repaired feed parses");
        prop_assert_eq!(parsed.feed.items.len(), 1);
        prop_assert!(parsed.feed.items[0].title.as_deref().unwrap_or("").ends_with("end"));
    }

    #[test]
    fn charset_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512), ct in proptest::option::of("[a-z/+-]{0,12}(; ?charset=[a-zA-Z0-9_-]{0,12})?")) {
        let _ = charset::detect(&bytes, ct.as_deref());
        let text = charset::decode(&bytes, ct.as_deref());
        prop_assert!(!text.starts_with(BOM));
    }

    #[test]
    fn utf8_text_decodes_to_itself(s in any::<String>(), declared in prop::sample::select(vec![None, Some("text/html; charset=iso-8859-1"), Some("text/xml; charset=utf-8"), Some("text/html")])) {
        // Valid UTF-8 survives whatever legacy charset is claimed.
        let expected = s.trim_start_matches('\u{feff}');
        prop_assume!(!expected.is_ascii() || declared.is_some() || !expected.contains("charset"));
        // Characters real text lacks mark valid-looking UTF-8 as legacy bytes when a legacy charset is declared.
        prop_assume!(!expected.chars().any(|c| matches!(c as u32, 0x80..=0x9F | 0x250..=0x2FF)));
        prop_assert_eq!(charset::decode(s.as_bytes(), declared), expected);
    }

    #[test]
    fn legacy_text_round_trips(s in "[a-zA-Z éèàüöñçÉ€—]{1,80}") {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&s);
        // Legacy bytes that happen to be valid UTF-8 are read as UTF-8 (the price of handling mislabelled UTF-8).
        prop_assume!(std::str::from_utf8(&bytes).is_err());
        prop_assert_eq!(charset::decode(&bytes, Some("text/html; charset=windows-1252")), s.clone());
        let mut doc = b"<html><head><meta charset=\"windows-1252\"></head><body>".to_vec();
        doc.extend_from_slice(&bytes);
        let decoded = charset::decode(&doc, None);
        prop_assert!(decoded.ends_with(&s));
    }

    #[test]
    fn normalize_never_panics_and_is_idempotent(s in any::<String>()) {
        if let Some(n) = normalize_url(&s) {
            prop_assert_eq!(normalize_url(&n), Some(n.clone()));
        }
    }

    #[test]
    fn normalize_urlish(
        scheme in prop::sample::select(vec!["http", "HTTP", "https", "HtTpS"]),
        host in "[a-zA-Z][a-zA-Z0-9-]{0,10}(\\.[a-zA-Z]{2,5}){1,2}",
        default_port in any::<bool>(),
        path in "(/[a-zA-Z0-9._~%-]{0,8}){0,4}",
        params in proptest::collection::vec(("[a-z]{1,6}", "[a-zA-Z0-9%]{0,6}"), 0..4),
        trackers in proptest::collection::vec((prop::sample::select(vec!["utm_source", "utm_medium", "UTM_Campaign", "fbclid", "gclid", "mc_cid", "mc_eid"]), "[a-z0-9]{0,5}"), 0..4),
        fragment in proptest::option::of("[a-z0-9]{0,6}"),
    ) {
        let port = if default_port { if scheme.eq_ignore_ascii_case("https") { ":443" } else { ":80" } } else { "" };
        let params: Vec<(String, String)> = params.into_iter().filter(|(k, _)| !k.starts_with("utm_") && !k.starts_with("pk_") && !k.starts_with("mtm_")).collect();
        let clean_query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut all = clean_query.clone();
        for (i, (k, v)) in trackers.iter().enumerate() {
            all.insert((i * 2).min(all.len()), format!("{k}={v}"));
        }
        let frag = fragment.map(|f| format!("#{f}")).unwrap_or_default();
        let q = |parts: &[String]| if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) };
        let dirty = format!("{scheme}://{host}{port}{path}{}{frag}", q(&all));
        let clean = format!("{}://{}{path}{}", scheme.to_ascii_lowercase(), host.to_ascii_lowercase(), q(&clean_query));
        let n = normalize_url(&dirty).expect("valid URL");
        prop_assert_eq!(n.clone(), normalize_url(&clean).unwrap());
        prop_assert!(!n.contains('#'));
        prop_assert!(!n.to_ascii_lowercase().contains("utm_"));
        prop_assert!(!n.contains(":80/") && !n.contains(":443/"));
    }

    #[test]
    fn other_parsers_never_panic(s in any::<String>()) {
        let _ = gazette_dates::parse_date(&s);
        let plain = gazette_fetch::plain_text(&s);
        prop_assert_eq!(plain.trim(), plain.as_str());
        let _ = discover::feed_links(&s, None);
        let rules = robots::RobotsRules::parse(&s, "gazette");
        let _ = rules.allows(&s);
        let _ = parse::parse_feed(&s, None);
    }

    #[test]
    fn dates_never_panic_on_dateish(s in "[A-Za-z]{0,9},? ?[0-9]{1,2}[ -][A-Za-z]{3,9}[ -][0-9]{2,4} [0-9]{1,2}:[0-9]{1,2}(:[0-9]{1,2})? ?[A-Z+0-9:-]{0,6}") {
        let _ = gazette_dates::parse_date(&s);
    }
}
