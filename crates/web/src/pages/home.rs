//! `/`: the latest articles, the most mentioned people, organisations and places of the last day and week (each
//! with its mentions per day over two weeks), and the feeds that are failing.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use chrono::{Duration, NaiveDate, Utc};
use gazette_store::{ArticleList, ArticleSummary, EntityType, FeedHealth, FeedList, RankedEntity, TopEntities};
use maud::{html, Markup};
use serde::Serialize;

use crate::charts::sparkline;
use crate::error::WebError;
use crate::layout::{article_item, day, page, pager, when, Nav};
use crate::params::{link, Params};
use crate::App;

const LATEST: i64 = 25;
const TOP: i64 = 5;
/// Days each sparkline covers.
const CHART_DAYS: i64 = 14;

#[derive(Serialize)]
pub(crate) struct Home {
    /// The day "the last day" is: the latest day with mentions (up to today).
    as_of: Option<NaiveDate>,
    latest: Vec<ArticleSummary>,
    page: i64,
    more: bool,
    top: Vec<TopList>,
    failing: Vec<FeedHealth>,
}

#[derive(Serialize)]
struct TopList {
    entity_type: &'static str,
    /// `day` or `week`.
    range: &'static str,
    from: NaiveDate,
    to: NaiveDate,
    entities: Vec<RankedEntity>,
}

async fn read(app: App, query: Option<String>) -> Result<Home, WebError> {
    let params = Params::parse(query.as_deref());
    let (page, offset) = params.page(LATEST)?;
    app.pool
        .read(move |archive| {
            let as_of = archive.latest_day()?;
            let mut latest = archive.latest_articles(&ArticleList {
                limit: LATEST + 1,
                offset,
                ..ArticleList::default()
            })?;
            let more = latest.len() as i64 > LATEST;
            latest.truncate(LATEST as usize);
            let mut top = Vec::new();
            let to = as_of.unwrap_or_else(|| Utc::now().date_naive());
            for entity_type in [EntityType::Person, EntityType::Organisation, EntityType::Location] {
                for (range, days) in [("day", 1), ("week", 7)] {
                    let from = to - Duration::days(days - 1);
                    let entities = archive.top_entities(&TopEntities {
                        entity_type,
                        from,
                        to,
                        chart_from: to - Duration::days(CHART_DAYS - 1),
                        limit: TOP,
                    })?;
                    top.push(TopList {
                        entity_type: entity_type.label(),
                        range,
                        from,
                        to,
                        entities,
                    });
                }
            }
            let failing = archive.feed_health(&FeedList {
                failing_only: true,
                limit: 20,
                offset: 0,
            })?;
            Ok(Home {
                as_of,
                latest,
                page,
                more,
                top,
                failing,
            })
        })
        .await
}

pub(crate) async fn html(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::html(read(app, q).await, render)
}

pub(crate) async fn json(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::json(read(app, q).await)
}

fn heading(entity_type: &str) -> &'static str {
    match entity_type {
        "PER" => "People",
        "ORG" => "Organisations",
        _ => "Places",
    }
}

fn render(h: Home) -> Markup {
    let body = html! {
        div.home {
            section.latest aria-labelledby="latest-h" {
                h1 #latest-h { "Latest articles" }
                @if h.latest.is_empty() {
                    p.muted { "Nothing stored yet: run " code { "gazette ingest" } "." }
                }
                ol.articles {
                    @for a in &h.latest { li { (article_item(a)) } }
                }
                (pager(h.page, h.more, |p| link("/", &[("page", Some(p.to_string()))])))
            }
            aside.side {
                section aria-labelledby="top-h" {
                    h2 #top-h { "In the news" }
                    p.muted {
                        @match h.as_of {
                            Some(d) => { "The last day with mentions: " (day(d)) ". Lines: mentions per day over two weeks." }
                            None => { "No mentions yet." }
                        }
                    }
                    @for pair in h.top.chunks(2) {
                        section.top {
                            h3 { (heading(pair[0].entity_type)) }
                            div.ranges {
                                @for list in pair { (top_list(list)) }
                            }
                        }
                    }
                }
                section aria-labelledby="failing-h" {
                    h2 #failing-h { "Failing feeds" }
                    @if h.failing.is_empty() {
                        p.ok { "Every feed's last fetch worked." }
                    } @else {
                        ul.failing {
                            @for f in &h.failing {
                                li {
                                    a href={"/feeds/" (f.id)} { (f.title.as_deref().unwrap_or(&f.url)) }
                                    span.meta {
                                        @if f.disabled { "disabled · " }
                                        (f.error_streak) " failed in a row · last " (when(f.last_fetch_at))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page("Latest", Nav::Latest, body)
}

fn top_list(list: &TopList) -> Markup {
    let title = if list.range == "day" { "Last day" } else { "Last week" };
    html! {
        div.range {
            h4 { (title) }
            @if list.entities.is_empty() {
                p.muted { "none" }
            }
            ol.top {
                @for e in &list.entities {
                    li {
                        a class={"ent " (crate::layout::type_class(&e.entity_type))} href={"/entities/" (e.id)} { (e.name) }
                        span.count { (e.mentions) }
                        (sparkline(&e.daily, &e.name))
                    }
                }
            }
        }
    }
}
