//! `/search?q=`: full-text search (the same query and ranking as `gazette search`), filtered by feed, days and
//! entity, a page at a time.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use gazette_store::{EntityId, EntityRef, EntityView, FeedId, SearchHit, SearchPage};
use maud::{html, Markup};
use serde::Serialize;

use crate::error::WebError;
use crate::layout::{entity_link, page, pager, title_of, when, Nav};
use crate::marks::snippet;
use crate::params::{link, Params};
use crate::App;

const PER_PAGE: i64 = 20;

#[derive(Serialize, Default)]
pub(crate) struct Found {
    q: Option<String>,
    feed: Option<FeedId>,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    entity: Option<EntityRef>,
    page: i64,
    hits: Vec<SearchHit>,
    more: bool,
}

async fn read(app: App, query: Option<String>) -> Result<Found, WebError> {
    let params = Params::parse(query.as_deref());
    let (page, offset) = params.page(PER_PAGE)?;
    let feed = params.number("feed", 1)?.map(FeedId);
    let entity = params.number("entity", 1)?.map(EntityId);
    let since = params.day("since")?;
    let until = params.day("until")?;
    if let (Some(s), Some(u)) = (since, until) {
        if s > u {
            return Err(WebError::BadRequest(
                "since: the first day comes after until, the last".into(),
            ));
        }
    }
    let q = params.text("q").map(str::to_string);
    if q.as_deref().is_some_and(|q| q.chars().count() > 500) {
        return Err(WebError::BadRequest("q: at most 500 characters".into()));
    }
    app.pool
        .read(move |archive| {
            // The entity filter shows the entity's name; an unknown one is a bad parameter.
            let entity = match entity {
                Some(id) => {
                    let today = chrono::Utc::now().date_naive();
                    let view = EntityView {
                        id,
                        from: today,
                        to: today,
                        limit: 1,
                    };
                    match archive.entity(&view)? {
                        Some(e) => Some(e.entity),
                        None => return Err(WebError::BadRequest(format!("entity: there is no entity {id}"))),
                    }
                }
                None => None,
            };
            let mut found = Found {
                q: q.clone(),
                feed,
                since,
                until,
                entity,
                page,
                ..Found::default()
            };
            if let Some(q) = q {
                let results = archive.search_page(&SearchPage {
                    query: q,
                    since: since.map(|d| d.and_hms_opt(0, 0, 0).expect("midnight").and_utc()),
                    until: until.map(|d| {
                        (d + chrono::Duration::days(1))
                            .and_hms_opt(0, 0, 0)
                            .expect("midnight")
                            .and_utc()
                    }),
                    feed,
                    entity: found.entity.as_ref().map(|e| e.id),
                    limit: PER_PAGE,
                    offset,
                })?;
                found.hits = results.hits;
                found.more = results.more;
            }
            Ok(found)
        })
        .await
}

pub(crate) async fn html(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::html(read(app, q).await, render)
}

pub(crate) async fn json(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::json(read(app, q).await)
}

fn render(f: Found) -> Markup {
    let day = |d: Option<NaiveDate>| d.map(crate::layout::day);
    let href = |page: i64| {
        link(
            "/search",
            &[
                ("q", f.q.clone()),
                ("feed", f.feed.map(|x| x.to_string())),
                ("since", day(f.since)),
                ("until", day(f.until)),
                ("entity", f.entity.as_ref().map(|e| e.id.to_string())),
                ("page", Some(page.to_string())),
            ],
        )
    };
    let title = match &f.q {
        Some(q) => format!("Search: {q}"),
        None => "Search".to_string(),
    };
    let body = html! {
        h1 { "Search" }
        form.search role="search" action="/search" method="get" {
            div.field.wide {
                label for="q" { "Words" }
                // Focus goes to the field only on an empty search page (a phone would open its keyboard over
                // the results otherwise).
                input #q type="search" name="q" value=[f.q.as_deref()] required
                    aria-describedby="q-help" autofocus[f.q.is_none()];
                p #q-help .help { "Words, \"exact phrases\", AND / OR / NOT, prefix*, title:word." }
            }
            div.field {
                label for="since" { "From" }
                input #since type="date" name="since" value=[day(f.since)];
            }
            div.field {
                label for="until" { "Until" }
                input #until type="date" name="until" value=[day(f.until)];
            }
            div.field {
                label for="feed" { "Feed id" }
                input #feed type="number" name="feed" min="1" inputmode="numeric" value=[f.feed.map(|x| x.to_string())];
            }
            @if let Some(e) = &f.entity {
                div.field {
                    label for="entity" { "Naming" }
                    select #entity name="entity" {
                        option value=(e.id) selected { (e.name) }
                        option value="" { "anyone" }
                    }
                }
            }
            div.actions { button type="submit" { "Search" } }
        }
        @if let Some(e) = &f.entity {
            p.muted { "Only articles that name " (entity_link(e)) "." }
        }
        @if f.q.is_some() {
            section aria-labelledby="results-h" {
                h2 #results-h .visually-hidden { "Results" }
                @if f.hits.is_empty() {
                    p { "No article matches." }
                } @else {
                    ol.hits start=((f.page - 1) * PER_PAGE + 1) {
                        @for h in &f.hits {
                            li {
                                a.title href={"/articles/" (h.article.id)} { (title_of(h.article.title.as_deref())) }
                                p.snippet { (snippet(&h.snippet)) }
                                span.meta {
                                    @if let Some(site) = &h.article.site { (site) " · " }
                                    (when(h.article.published_at))
                                }
                            }
                        }
                    }
                }
                (pager(f.page, f.more, href))
            }
        }
    };
    page(&title, Nav::Search, body)
}
