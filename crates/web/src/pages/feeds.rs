//! `/feeds`: every feed's health (last status, error streak, next check, items per day); `/feeds/{id}`: one feed's
//! health, its latest articles and its fetch history.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use gazette_store::{ArticleList, ArticleSummary, FeedHealth, FeedId, FeedList, FetchRecord};
use maud::{html, Markup};
use serde::Serialize;

use crate::error::WebError;
use crate::layout::{article_item, original_link, page, pager, when, Nav};
use crate::params::{id, link, Params};
use crate::App;

const PER_PAGE: i64 = 100;
const HISTORY: i64 = 100;
const ARTICLES: i64 = 10;

#[derive(Serialize)]
pub(crate) struct Feeds {
    page: i64,
    more: bool,
    feeds: Vec<FeedHealth>,
}

#[derive(Serialize)]
pub(crate) struct OneFeed {
    feed: FeedHealth,
    fetches: Vec<FetchRecord>,
    latest: Vec<ArticleSummary>,
}

async fn read_list(app: App, query: Option<String>) -> Result<Feeds, WebError> {
    let (page, offset) = Params::parse(query.as_deref()).page(PER_PAGE)?;
    app.pool
        .read(move |archive| {
            let mut feeds = archive.feed_health(&FeedList {
                failing_only: false,
                limit: PER_PAGE + 1,
                offset,
            })?;
            let more = feeds.len() as i64 > PER_PAGE;
            feeds.truncate(PER_PAGE as usize);
            Ok(Feeds { page, more, feeds })
        })
        .await
}

async fn read_one(app: App, raw_id: String) -> Result<OneFeed, WebError> {
    let id = FeedId(id("a feed", &raw_id)?);
    app.pool
        .read(move |archive| {
            let (feed, fetches) = archive
                .feed_history(id, HISTORY)?
                .ok_or_else(|| WebError::NotFound(format!("there is no feed {id}")))?;
            let latest = archive.latest_articles(&ArticleList {
                feed: Some(id),
                limit: ARTICLES,
                ..ArticleList::default()
            })?;
            Ok(OneFeed { feed, fetches, latest })
        })
        .await
}

pub(crate) async fn list_html(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::html(read_list(app, q).await, render_list)
}

pub(crate) async fn list_json(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::json(read_list(app, q).await)
}

pub(crate) async fn one_html(State(app): State<App>, Path(id): Path<String>) -> Response {
    super::html(read_one(app, id).await, render_one)
}

pub(crate) async fn one_json(State(app): State<App>, Path(id): Path<String>) -> Response {
    super::json(read_one(app, id).await)
}

/// A feed's state in a word or two.
fn state(f: &FeedHealth) -> Markup {
    html! {
        @if f.disabled { span.bad { "disabled" } }
        @else if f.error_streak > 0 { span.bad { "failing" } }
        @else if f.last_fetch_at.is_none() { span.muted { "never fetched" } }
        @else { span.ok { "ok" } }
    }
}

fn status(s: Option<i64>) -> Markup {
    html! { @match s { Some(s) => (s), None => span.muted { "none" } } }
}

fn feed_name(f: &FeedHealth) -> &str {
    f.title.as_deref().filter(|t| !t.trim().is_empty()).unwrap_or(&f.url)
}

fn render_list(l: Feeds) -> Markup {
    let body = html! {
        h1 { "Feeds" }
        @if l.feeds.is_empty() { p.muted { "No feeds yet: add some with " code { "gazette feeds add" } "." } }
        @else {
            div.scroll {
                table.feeds {
                    caption.visually-hidden { "Feed health" }
                    thead {
                        tr {
                            th scope="col" { "Feed" } th scope="col" { "State" } th scope="col" { "Last status" }
                            th scope="col" { "Failed in a row" } th scope="col" { "Last fetch" }
                            th scope="col" { "Next check" } th scope="col" { "Items/day" } th scope="col" { "Articles" }
                        }
                    }
                    tbody {
                        @for f in &l.feeds {
                            tr {
                                th scope="row" { a href={"/feeds/" (f.id)} { (feed_name(f)) } }
                                td { (state(f)) }
                                td.num { (status(f.last_status)) }
                                td.num { (f.error_streak) }
                                td { (when(f.last_fetch_at)) }
                                td { (when(f.next_check_at)) }
                                td.num { (f.items_per_day) }
                                td.num { (f.articles) }
                            }
                        }
                    }
                }
            }
        }
        (pager(l.page, l.more, |p| link("/feeds", &[("page", Some(p.to_string()))])))
    };
    page("Feeds", Nav::Feeds, body)
}

fn render_one(o: OneFeed) -> Markup {
    let f = &o.feed;
    let body = html! {
        h1 { (feed_name(f)) }
        dl.facts {
            dt { "Address" } dd { (original_link(&f.url)) " " code.url { (f.url) } }
            dt { "State" } dd { (state(f)) }
            dt { "Last status" } dd { (status(f.last_status)) }
            dt { "Failed in a row" } dd { (f.error_streak) }
            @if let Some(e) = &f.last_error { dt { "Last error" } dd { (e) } }
            dt { "Last fetch" } dd { (when(f.last_fetch_at)) }
            dt { "Next check" } dd { (when(f.next_check_at)) }
            dt { "Items per day" } dd { (f.items_per_day) " (last week)" }
            dt { "Articles" } dd { (f.articles) }
        }
        section aria-labelledby="latest-h" {
            h2 #latest-h { "Latest articles" }
            @if o.latest.is_empty() { p.muted { "None stored." } }
            ol.articles { @for a in &o.latest { li { (article_item(a)) } } }
        }
        section aria-labelledby="history-h" {
            h2 #history-h { "Fetch history" }
            @if o.fetches.is_empty() { p.muted { "Never fetched (or its history was pruned)." } }
            @else {
                div.scroll {
                    table.fetches {
                        caption.visually-hidden { "Fetches, newest first" }
                        thead {
                            tr {
                                th scope="col" { "Started" } th scope="col" { "Status" } th scope="col" { "Bytes" }
                                th scope="col" { "ms" } th scope="col" { "New" } th scope="col" { "Seen" }
                                th scope="col" { "Error" }
                            }
                        }
                        tbody {
                            @for x in &o.fetches {
                                tr {
                                    td { (when(x.started_at)) }
                                    td.num { (status(x.status)) }
                                    td.num { (x.bytes) }
                                    td.num { (x.duration_ms) }
                                    td.num { (x.new_items) }
                                    td.num { (x.duplicate_items) }
                                    td { (x.error.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(feed_name(f), Nav::Feeds, body)
}
