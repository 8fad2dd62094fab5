//! `/articles/{id}`: an article with every mention marked by type and linked to its entity, its quotes with their
//! speakers, where it came from, and which extractor and tagger read it.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::response::Response;
use gazette_store::{ArticleDetail, ArticleId, EntityRef};
use maud::{html, Markup};

use crate::error::WebError;
use crate::layout::{entity_link, original_link, page, title_of, type_name, when, Nav};
use crate::marks::{line, paragraphs};
use crate::params::id;
use crate::App;

async fn read(app: App, raw_id: String) -> Result<ArticleDetail, WebError> {
    let id = ArticleId(id("an article", &raw_id)?);
    app.pool
        .read(move |archive| {
            archive
                .article(id)?
                .ok_or_else(|| WebError::NotFound(format!("there is no article {id}")))
        })
        .await
}

pub(crate) async fn html(State(app): State<App>, Path(id): Path<String>) -> Response {
    super::html(read(app, id).await, render)
}

pub(crate) async fn json(State(app): State<App>, Path(id): Path<String>) -> Response {
    super::json(read(app, id).await)
}

const GROUPS: [&str; 5] = ["People", "Organisations", "Places", "Other names", "Dates and numbers"];

/// The group of [`GROUPS`] an entity type is listed under.
fn group(entity_type: &str) -> usize {
    match entity_type {
        "PER" => 0,
        "ORG" => 1,
        "LOC" => 2,
        "MISC" => 3,
        _ => 4,
    }
}

fn render(a: ArticleDetail) -> Markup {
    let s = &a.summary;
    let title = title_of(s.title.as_deref()).to_string();
    // Each entity once, with its mentions in this article, grouped: people, organisations, places, other names,
    // then dates and numbers.
    let mut named: BTreeMap<(usize, &str, i64), (&EntityRef, usize)> = BTreeMap::new();
    for m in &a.mentions {
        let key = (group(&m.entity.entity_type), m.entity.name.as_str(), m.entity.id.0);
        named.entry(key).or_insert((&m.entity, 0)).1 += 1;
    }
    let groups: Vec<(&str, Vec<(&EntityRef, usize)>)> = GROUPS
        .iter()
        .enumerate()
        .map(|(g, title)| {
            (
                *title,
                named.iter().filter(|((k, _, _), _)| *k == g).map(|(_, v)| *v).collect(),
            )
        })
        .filter(|(_, list): &(&str, Vec<_>)| !list.is_empty())
        .collect();
    let body = html! {
      div.article-page {
       div.main {
        article.article {
            header {
                h1 {
                    @match &s.title {
                        Some(t) if !t.trim().is_empty() => (line(t, "title", &a.mentions)),
                        _ => "(untitled)",
                    }
                }
                p.byline {
                    @if !a.authors.is_empty() { "By " (a.authors.join(", ")) " · " }
                    @if let Some(site) = &s.site { a href={"/feeds/" (s.feed_id)} { (site) } " · " }
                    (when(s.published_at))
                }
            }
            @if let Some(caption) = a.image_caption.as_deref().filter(|c| !c.trim().is_empty()) {
                figure.caption {
                    figcaption { span.label { "Image: " } (line(caption, "caption", &a.mentions)) }
                }
            }
            @if a.text.trim().is_empty() {
                p.muted { "No text was extracted from this page." }
            } @else {
                div.text { (paragraphs(&a.text, &a.mentions)) }
            }
            p.legend aria-label="Marks" {
                span.ent.per { "person" } " " span.ent.org { "organisation" } " "
                span.ent.loc { "place" } " " span.ent.misc { "other name" } " " span.ent.other { "date, number" }
            }
        }
        @if !a.quotes.is_empty() {
            section aria-labelledby="quotes-h" {
                h2 #quotes-h { "Quotes" }
                @for q in &a.quotes {
                    figure.quote {
                        blockquote { p { (q.text) } }
                        figcaption {
                            @match &q.speaker {
                                Some(sp) => { "— " (entity_link(sp)) }
                                None => span.muted { "— speaker unknown" },
                            }
                        }
                    }
                }
            }
        }
       }
       aside {
        @if !groups.is_empty() {
            section aria-labelledby="named-h" {
                h2 #named-h { "Named in it" }
                @for (title, list) in &groups {
                    h3 { (title) }
                    ul.named {
                        @for (e, n) in list {
                            li {
                                (entity_link(e))
                                " " span.meta { @if *n > 1 { (n) "×" } }
                                @if group(&e.entity_type) == 4 { " " span.meta { (type_name(&e.entity_type)) } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="source-h" {
            h2 #source-h { "Source" }
            dl.facts {
                dt { "Original" }
                dd { @match &s.url { Some(u) => (original_link(u)), None => span.muted { "no address" } } }
                dt { "Feed" }
                dd { a href={"/feeds/" (s.feed_id)} { (s.feed_title.as_deref().unwrap_or("feed")) } }
                @if let Some(l) = &a.language { dt { "Language" } dd { (l) } }
                dt { "Fetched" } dd { (when(a.fetched_at)) }
                dt { "Extractor" } dd { (a.extractor_version.as_deref().unwrap_or("not extracted")) }
                dt { "Tagger" } dd { (a.tagger_version.as_deref().unwrap_or("not tagged")) }
                @if let Some(e) = &a.page_error { dt { "Page error" } dd { (e) } }
            }
        }
       }
      }
    };
    page(&title, Nav::None, body)
}
