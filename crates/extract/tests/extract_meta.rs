//! The date finder's general rules, one small hand-written page each: which day a page is dated by, and from what.

use chrono::{DateTime, NaiveDate, Utc};
use gazette_extract::{extract_at, Article, Source};

const PROSE: &str =
    "This sentence is long enough to read as real article prose, with a clause or two, and a full stop.";

fn fetched() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2024-06-01T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn article(lang: &str, body: &str, url: &str) -> Article {
    let html =
        format!("<html lang=\"{lang}\"><head><title>Ein Titel für Tests</title></head><body>{body}</body></html>");
    extract_at(&html, Some(url), fetched()).unwrap()
}

fn day(a: &Article) -> Option<NaiveDate> {
    a.published_evidence.map(|p| p.day)
}

fn ymd(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap())
}

#[test]
fn a_day_first_date_in_the_url_dates_the_page() {
    let body = format!("<article><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p></article>");
    let a = article(
        "de",
        &body,
        "https://verband.example.de/meldungen/~02-01-2022-land-zahlt-praemie",
    );
    assert_eq!(day(&a), ymd("2022-01-02"));
    assert_eq!(a.sources["published"], Source::Url);
    let a = article("de", &body, "https://verband.example.de/meldungen/29-10-2021");
    assert_eq!(day(&a), ymd("2021-10-29"));
}

#[test]
fn a_labelled_date_line_in_the_post_footer_names_the_day() {
    // Nothing else on the page has a date; the line under the text says when it appeared and when it was edited.
    let body = format!(
        "<div class=rezension><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p></div>\
         <div class=rez_footer><p>Letzte Änderung: 31.10.2023 - 14:49<br>Erschienen am: 01.11.2023<br>Lesungen: 61</p></div>"
    );
    let a = article("de", &body, "https://rezensionen.example.de/rezension.php?id=300");
    assert_eq!(day(&a), ymd("2023-11-01"));
    assert_eq!(a.sources["published"], Source::Text);
}

#[test]
fn a_labelled_line_outranks_a_generic_meta_date() {
    // `<meta name=date>` is often the last edit; the page says "Erstellt am" under the article.
    let html = format!(
        "<html lang=de><head><title>Ein Titel für Tests</title><meta name=date content=\"2023-01-11 12:43:42\"></head>\
         <body><div class=story><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p><p>Erstellt am: 01.11.2023</p></div></body></html>"
    );
    let a = extract_at(
        &html,
        Some("https://zeitung.example.ch/lokal/wasser-43157.html"),
        fetched(),
    )
    .unwrap();
    assert_eq!(day(&a), ymd("2023-11-01"));
}

#[test]
fn a_sentence_citing_another_publication_is_no_date_line() {
    let body = format!(
        "<article><h1>Ein Titel für Tests</h1><p>{PROSE} The agency's report, published on 3 March 2020 after a \
         long delay and much debate among its authors, found the opposite of what the minister had claimed.</p>\
         <p>{PROSE}</p></article>"
    );
    let a = article("en-GB", &body, "https://news.example.co.uk/story");
    // Only running text dates it (the weakest evidence), never as a labelled line.
    assert!(a
        .published_evidence
        .is_none_or(|p| p.reliability == gazette_extract::dates::Reliability::Weak));
}

#[test]
fn a_drupal_submitted_line_is_the_publication() {
    let body = format!(
        "<div class=node><h1>Ein Titel für Tests</h1><div class=content><p>{PROSE}</p><p>{PROSE}</p></div>\
         <div class=submitted>Gespeichert von <span class=username>jo</span> am 24. Juli 2017 - 18:55</div></div>\
         <div class=block><p>Nächster Termin: 26. August 2017</p></div>"
    );
    let a = article("de", &body, "https://verein.example.at/hackathon");
    assert_eq!(day(&a), ymd("2017-07-24"));
}

#[test]
fn an_update_line_by_the_headline_beats_a_date_in_running_text() {
    // The only date line says when the page was last updated; the text talks about an older day.
    let body = format!(
        "<div class=page><h1>Ein Titel für Tests</h1><div class=meta>Zuletzt aktualisiert: 30.12.2016</div>\
         <p>{PROSE}</p><p>Am 4. August 2014 trat das Gesetz in Kraft. {PROSE}</p><p>{PROSE}</p></div>"
    );
    let a = article(
        "de",
        &body,
        "https://verein.example.de/informationen/kinder-und-arbeit/",
    );
    assert_eq!(day(&a), ymd("2016-12-30"));
    assert_eq!(a.updated.map(|u| u.date_naive()), ymd("2016-12-30"));
}

#[test]
fn a_lone_date_in_the_share_bar_dates_the_page() {
    // No markup, no date line by the headline: the share bar under the text holds the post's day alone, the body
    // none; the sidebar's longer line names another day.
    let body = format!(
        "<div class=article><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p>\
         <div class=social-share><h5>23.01.2019</h5><div>Von Urs Beispiel</div><a href=/share>Teilen</a></div></div>\
         <footer><p>Nächste Ausgabe erscheint am 30.01.2019 im Handel.</p></footer>"
    );
    let a = article(
        "de",
        &body,
        "https://wochenblatt.example.ch/ausgaben/artikel/forbes.html",
    );
    assert_eq!(day(&a), ymd("2019-01-23"));
}

#[test]
fn a_teaser_classed_metadata_box_under_the_headline_is_the_articles() {
    // The CMS renders the article's own byline and date with its teaser template; the teasers of other articles
    // further down carry other days, and nothing else on the page is dated.
    let body = format!(
        "<div class=article-header><h1 itemprop=headline>Ein Titel für Tests</h1>\
         <div class=\"teaser-small__metadata\"><p class=byline__author>VON <a href=/autoren/jo>JO BEISPIEL</a> am \
         21. April 2020</p></div><p class=lead>{PROSE}</p></div>\
         <div class=field-body><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div>\
         <div class=teaser-list><div class=teaser><h3><a href=/anderer-artikel>Ein anderer Artikel</a></h3>\
         <div class=\"teaser-small__metadata\">am 18. April 2020</div></div></div>"
    );
    let a = article(
        "de",
        &body,
        "https://magazin.example.de/innenpolitik/ein-titel-fuer-tests",
    );
    assert_eq!(day(&a), ymd("2020-04-21"));
}

#[test]
fn a_teaser_by_the_headline_with_its_own_title_is_another_articles() {
    // A slider of teasers stands right above the headline: each box has another article's title and day. The
    // article's own day is nowhere, so the page has none (rather than a neighbour's).
    let teaser = |title: &str, day: &str| {
        format!(
            "<div class=slide><article class=default-teaser><h2><a href=/{title}>{title}</a></h2>\
             <footer class=default-teaser__footer><span class=default-teaser__date>{day}</span></footer>\
             </article></div>"
        )
    };
    let body = format!(
        "<div class=slider>{}{}</div><header><h1>Ein Titel für Tests</h1></header>\
         <div class=text><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div>",
        teaser("nachbar", "19. März 2020"),
        teaser("zweiter-nachbar", "20. März 2020"),
    );
    let a = article("de", &body, "https://zeitung.example.at/gesellschaft/ein-titel-2497954");
    assert_eq!(day(&a), None);
}

#[test]
fn a_url_day_before_the_markup_date_is_the_first_publication() {
    // The blog moved to another CMS, which stamped every post with the day of the move; the post's address still
    // says when it first appeared. A slug starting with a number after the month is no day.
    let html = format!(
        "<html lang=de><head><title>Ein Titel für Tests</title><script type=\"application/ld+json\">\
         {{\"@context\":\"https://schema.org\",\"@type\":\"BlogPosting\",\"headline\":\"Ein Titel für Tests\",\
         \"datePublished\":\"2019-06-17T12:00:00+02:00\"}}</script></head>\
         <body><article><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p></article></body></html>"
    );
    let a = extract_at(
        &html,
        Some("https://blog.example.de/home/2017/7/12/unter-uns"),
        fetched(),
    )
    .unwrap();
    assert_eq!(day(&a), ymd("2017-07-12"));
    assert_eq!(a.sources["published"], Source::Url);
    let a = extract_at(
        &html,
        Some("https://blog.example.de/2017/10/3-fragen-an-jo/"),
        fetched(),
    )
    .unwrap();
    assert_eq!(day(&a), ymd("2019-06-17"));
    assert_eq!(a.sources["published"], Source::JsonLd);
}

#[test]
fn a_url_day_corrects_a_utc_stamp_but_not_a_stamp_in_the_publishers_zone() {
    let page = |published: &str| {
        format!(
            "<html lang=es><head><title>Ein Titel für Tests</title><script type=\"application/ld+json\">\
             {{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":\"Ein Titel für Tests\",\
             \"datePublished\":\"{published}\"}}</script></head>\
             <body><article><h1>Ein Titel für Tests</h1><p>{PROSE}</p><p>{PROSE}</p></article></body></html>"
        )
    };
    // A US evening stamped in UTC: the URL's day is the publisher's.
    let a = extract_at(
        &page("2023-11-09T01:09:55Z"),
        Some("https://www.example.com/2023/11/08/mayor-wins/"),
        fetched(),
    )
    .unwrap();
    assert_eq!(day(&a), ymd("2023-11-08"));
    // The stamp names the publisher's zone: its day stands (the URL was made the day before, with the draft).
    let a = extract_at(
        &page("2020-02-19T18:37:32+01:00"),
        Some("https://elsol.example.es/2020/02/18/ciencia/1582045946_459487.html"),
        fetched(),
    )
    .unwrap();
    assert_eq!(day(&a), ymd("2020-02-19"));
}

#[test]
fn a_labelled_update_line_in_the_footer_beats_a_day_in_running_text() {
    // A wiki page: the text announces the next meeting; the footer says when the page was last edited.
    let body = format!(
        "<div id=content><h1>Ein Titel für Tests</h1><div id=bodyContent><p>Der nächste Stammtisch findet am \
         Mi. 5. Februar 2020 ab 19 Uhr im Café statt. {PROSE}</p><p>{PROSE}</p></div></div>\
         <div id=footer><ul id=footer-info><li id=footer-info-lastmod>Diese Seite wurde zuletzt am 29. Januar 2020 \
         um 13:22 Uhr geändert.</li><li id=footer-info-viewcount>Diese Seite wurde bisher 512 mal abgerufen.</li>\
         </ul></div>"
    );
    let a = article("de", &body, "https://wiki.example.de/Kassel/Stammtisch");
    assert_eq!(day(&a), ymd("2020-01-29"));
    assert_eq!(a.updated.map(|u| u.date_naive()), ymd("2020-01-29"));
}
