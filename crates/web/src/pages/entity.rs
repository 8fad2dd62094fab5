//! `/entities/{id}?from=&to=`: an entity's mentions per day over a range (90 days to its archive's last day by
//! default), the entities most often in the same articles, its quotes, and the latest articles that name it.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use gazette_store::{EntityDetail, EntityId, EntityPlaces, EntityView, PlaceCount};
use maud::{html, Markup};
use serde::Serialize;

use super::countries::{dots, place_name};
use super::range;
use crate::charts::bars;
use crate::error::WebError;
use crate::layout::{article_item, day, entity_link, page, title_of, type_class, type_name, when, Nav};
use crate::map::{has_outline, locator};
use crate::params::{id, Params};
use crate::App;

/// The default range, in days (cut to the entity's first day with mentions, down to [`MIN_DAYS`]).
const DEFAULT_DAYS: i64 = 90;
const MIN_DAYS: usize = 14;
const LIST: i64 = 20;
/// Places drawn for a place name (the sample's most mentioned).
const PLACES: i64 = 10;

/// An entity's page: its days, partners, quotes and latest articles, and for a place name the places its mentions
/// were resolved to.
#[derive(Serialize)]
pub(crate) struct EntityPage {
    #[serde(flatten)]
    detail: EntityDetail,
    places: Vec<PlaceCount>,
}

async fn read(app: App, raw_id: String, query: Option<String>) -> Result<EntityPage, WebError> {
    let id = EntityId(id("an entity", &raw_id)?);
    let params = Params::parse(query.as_deref());
    let (from, to) = (params.day("from")?, params.day("to")?);
    let from_given = from;
    app.pool
        .read(move |archive| {
            let (from, to) = range(archive, from, to, DEFAULT_DAYS)?;
            let view = EntityView {
                id,
                from,
                to,
                limit: LIST,
            };
            let mut found = archive
                .entity(&view)?
                .ok_or_else(|| WebError::NotFound(format!("there is no entity {id}")))?;
            if from_given.is_none() {
                // A chart of empty weeks before a name first appeared says nothing: start nearer its first day.
                let first = found.daily.iter().position(|d| d.mentions > 0).unwrap_or(0);
                let start = first.min(found.daily.len().saturating_sub(MIN_DAYS));
                found.daily.drain(..start);
                if let Some(d) = found.daily.first() {
                    found.from = d.day;
                }
            }
            // Only place mentions are resolved to places: other names need not ask.
            let places = if found.entity.entity_type == "LOC" {
                archive.entity_places(&EntityPlaces {
                    id,
                    from,
                    to,
                    limit: PLACES,
                })?
            } else {
                Vec::new()
            };
            Ok(EntityPage { detail: found, places })
        })
        .await
}

pub(crate) async fn html(State(app): State<App>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    super::html(read(app, id, q).await, render)
}

pub(crate) async fn json(State(app): State<App>, Path(id): Path<String>, RawQuery(q): RawQuery) -> Response {
    super::json(read(app, id, q).await)
}

fn render(page_data: EntityPage) -> Markup {
    let EntityPage { detail: e, places } = page_data;
    let name = &e.entity.name;
    let in_range: i64 = e.daily.iter().map(|d| d.mentions).sum();
    let body = html! {
        header.entity {
            h1 { span class={"ent " (type_class(&e.entity.entity_type))} { (name) } }
            p.meta {
                (type_name(&e.entity.entity_type)) " · " (e.mentions) " mentions in " (e.articles) " articles in all"
            }
        }
        @if !places.is_empty() {
            (on_the_map(name, &places))
        }
        section aria-labelledby="days-h" {
            h2 #days-h { "Mentions per day" }
            form.range action={"/entities/" (e.entity.id)} method="get" {
                div.field { label for="from" { "From" } input #from type="date" name="from" value=(day(e.from)); }
                div.field { label for="to" { "To" } input #to type="date" name="to" value=(day(e.to)); }
                div.actions { button type="submit" { "Show" } }
            }
            p.meta { (in_range) " mentions from " (day(e.from)) " to " (day(e.to)) "." }
            (bars(&e.daily, name))
        }
        div.columns {
            section aria-labelledby="partners-h" {
                h2 #partners-h { "Most often in the same articles" }
                @if e.partners.is_empty() { p.muted { "No other names in its articles in this range." } }
                ol.partners {
                    @for p in &e.partners {
                        li { (entity_link(&p.entity)) " " span.count { (p.articles) } }
                    }
                }
            }
            section aria-labelledby="latest-h" {
                h2 #latest-h { "Latest articles naming it" }
                ol.articles {
                    @for a in &e.latest { li { (article_item(a)) } }
                }
            }
        }
        @if !e.quotes.is_empty() {
            section aria-labelledby="quotes-h" {
                h2 #quotes-h { "What " (name) " said" }
                @for q in &e.quotes {
                    figure.quote {
                        blockquote { p { (q.text) } }
                        figcaption {
                            "In " a href={"/articles/" (q.article.id)} { (title_of(q.article.title.as_deref())) }
                            ", " (when(q.article.published_at))
                        }
                    }
                }
            }
        }
    };
    page(name, Nav::None, body)
}

/// Where a place name's mentions were placed: a map framed on them, and the list with each country's page linked.
fn on_the_map(name: &str, places: &[PlaceCount]) -> Markup {
    // Framed on the most mentioned place's country when all are in it, so that a city is seen in its country.
    let first = &places[0].place.country_code;
    let country = places
        .iter()
        .all(|p| &p.place.country_code == first && !first.is_empty())
        .then_some(first.as_str());
    // The framed country is shown by its fill: a dot at its middle would say nothing more.
    let filled = country.filter(|c| has_outline(c));
    let dotted: Vec<PlaceCount> = places
        .iter()
        .filter(|p| !(p.place.feature_code == "PCLI" && Some(p.place.country_code.as_str()) == filled))
        .cloned()
        .collect();
    let label = format!("Map of the places {name} was resolved to");
    html! {
        section aria-labelledby="map-h" {
            h2 #map-h { "On the map" }
            (locator(country, &dots(&dotted), &label))
            ul.places {
                @for p in places {
                    li {
                        span {
                            (place_name(p))
                            @if !p.place.country_code.is_empty() {
                                " · " a href={"/countries/" (p.place.country_code)} { "country page" }
                            }
                        }
                        span.count { (p.mentions) }
                    }
                }
            }
            p.muted { "From its latest " (gazette_store::geo::ENTITY_PLACES_SAMPLE) " articles in this range." }
        }
    }
}
