//! `/countries?from=&to=`: the countries in the news over a range (the last week by default) on a shaded world map
//! and in a table; `/countries/{code}?from=&to=`: one country's mentions per day, its places on a map and in a list,
//! and the latest articles that name it. A country is counted by its places and its demonyms ("Kenyan").

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::NaiveDate;
use gazette_store::{CountryCount, CountryDetail, CountryList, CountryView, PlaceCount};
use maud::{html, Markup};
use serde::Serialize;

use super::range;
use crate::charts::bars;
use crate::error::WebError;
use crate::layout::{article_item, day, page, Nav};
use crate::map::{choropleth, has_outline, locator, Dot};
use crate::params::Params;
use crate::App;

/// Default ranges, in days, ending on the archive's latest day.
const LIST_DAYS: i64 = 7;
const COUNTRY_DAYS: i64 = 30;
const LIST: i64 = 200;
const PLACES: i64 = 25;
const LATEST: i64 = 20;

#[derive(Serialize)]
pub(crate) struct Countries {
    from: NaiveDate,
    to: NaiveDate,
    countries: Vec<CountryCount>,
}

async fn read_list(app: App, query: Option<String>) -> Result<Countries, WebError> {
    let params = Params::parse(query.as_deref());
    let (from, to) = (params.day("from")?, params.day("to")?);
    app.pool
        .read(move |archive| {
            let (from, to) = range(archive, from, to, LIST_DAYS)?;
            let countries = archive.countries(&CountryList { from, to, limit: LIST })?;
            Ok(Countries { from, to, countries })
        })
        .await
}

/// A country code from a path: two letters, any case.
fn code(v: &str) -> Result<String, WebError> {
    if v.len() == 2 && v.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(v.to_ascii_uppercase())
    } else {
        Err(WebError::BadRequest(format!(
            "{v:?} is not a country code (two letters, ISO 3166-1)"
        )))
    }
}

async fn read_one(app: App, raw: String, query: Option<String>) -> Result<CountryDetail, WebError> {
    let code = code(&raw)?;
    let params = Params::parse(query.as_deref());
    let (from, to) = (params.day("from")?, params.day("to")?);
    app.pool
        .read(move |archive| {
            let (from, to) = range(archive, from, to, COUNTRY_DAYS)?;
            let view = CountryView {
                code: code.clone(),
                from,
                to,
                limit: PLACES.max(LATEST),
            };
            let mut found = archive
                .country(&view)?
                .ok_or_else(|| WebError::NotFound(format!("the archive never named a country {code}")))?;
            found.places.truncate(PLACES as usize);
            found.latest.truncate(LATEST as usize);
            Ok(found)
        })
        .await
}

pub(crate) async fn list_html(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::html(read_list(app, q).await, render_list)
}

pub(crate) async fn list_json(State(app): State<App>, RawQuery(q): RawQuery) -> Response {
    super::json(read_list(app, q).await)
}

pub(crate) async fn one_html(State(app): State<App>, Path(code): Path<String>, RawQuery(q): RawQuery) -> Response {
    super::html(read_one(app, code, q).await, render_one)
}

pub(crate) async fn one_json(State(app): State<App>, Path(code): Path<String>, RawQuery(q): RawQuery) -> Response {
    super::json(read_one(app, code, q).await)
}

fn name_of(c: &CountryCount) -> &str {
    c.name.as_deref().unwrap_or(&c.code)
}

fn range_form(action: &str, from: NaiveDate, to: NaiveDate) -> Markup {
    html! {
        form.range action=(action) method="get" {
            div.field { label for="from" { "From" } input #from type="date" name="from" value=(day(from)); }
            div.field { label for="to" { "To" } input #to type="date" name="to" value=(day(to)); }
            div.actions { button type="submit" { "Show" } }
        }
    }
}

fn render_list(c: Countries) -> Markup {
    let shaded: Vec<(String, String, i64)> = c
        .countries
        .iter()
        .map(|x| (x.code.clone(), name_of(x).to_string(), x.mentions))
        .collect();
    let label = format!(
        "Countries by mentions from {} to {}: {} countries named",
        day(c.from),
        day(c.to),
        c.countries.len()
    );
    let body = html! {
        h1 { "Countries in the news" }
        p.meta {
            "Mentions of a country's places and of its people (\"Kenyan\"), from " (day(c.from)) " to " (day(c.to)) "."
        }
        (range_form("/countries", c.from, c.to))
        (choropleth(&shaded, |code| format!("/countries/{code}"), &label))
        @if c.countries.is_empty() {
            p.muted { "No country was named in this range." }
        } @else {
            div.scroll {
                table {
                    thead { tr {
                        th scope="col" { "Country" } th scope="col" { "Code" }
                        th scope="col" { "Mentions" } th scope="col" { "Articles" }
                    } }
                    tbody {
                        @for x in &c.countries {
                            tr {
                                th scope="row" { a href={"/countries/" (x.code)} { (name_of(x)) } }
                                td { (x.code) }
                                td.num { (x.mentions) }
                                td.num { (x.articles) }
                            }
                        }
                    }
                }
            }
        }
    };
    page("Countries", Nav::Countries, body)
}

/// Dots for places, sized by their share of the most mentioned one's mentions.
pub(crate) fn dots(places: &[PlaceCount]) -> Vec<Dot> {
    let peak = places.iter().map(|p| p.mentions).max().unwrap_or(1).max(1) as f64;
    places
        .iter()
        .map(|p| Dot {
            lon: p.place.lon,
            lat: p.place.lat,
            label: format!("{}: {} mentions", place_name(p), p.mentions),
            weight: p.mentions as f64 / peak,
        })
        .collect()
}

/// A place as people tell it apart: its name, and its division and country code when it is not a country.
pub(crate) fn place_name(p: &PlaceCount) -> String {
    let pl = &p.place;
    match (pl.feature_code.as_str(), pl.admin1.is_empty()) {
        ("PCLI" | "CONT", _) => pl.name.clone(),
        (_, true) => format!("{}, {}", pl.name, pl.country_code),
        (_, false) => format!("{} ({}, {})", pl.name, pl.admin1, pl.country_code),
    }
}

fn render_one(c: CountryDetail) -> Markup {
    let name = c
        .country
        .as_ref()
        .map(|p| p.name.clone())
        .unwrap_or_else(|| c.code.clone());
    let in_range: i64 = c.daily.iter().map(|d| d.mentions).sum();
    // The country's own entry is its whole area: a dot at its middle would say nothing the fill does not.
    let cities: Vec<PlaceCount> = c
        .places
        .iter()
        .filter(|p| p.place.feature_code != "PCLI")
        .cloned()
        .collect();
    let label = format!("Map of {name} with its {} most mentioned places", cities.len());
    let body = html! {
        header.entity {
            h1 { span.ent.loc { (name) } }
            p.meta { "Country " (c.code) " · " (in_range) " mentions from " (day(c.from)) " to " (day(c.to)) "." }
        }
        @if has_outline(&c.code) || !cities.is_empty() {
            (locator(Some(&c.code), &dots(&cities), &label))
        }
        section aria-labelledby="days-h" {
            h2 #days-h { "Mentions per day" }
            (range_form(&format!("/countries/{}", c.code), c.from, c.to))
            (bars(&c.daily, &name))
        }
        div.columns {
            section aria-labelledby="places-h" {
                h2 #places-h { "Its places in the news" }
                @if c.places.is_empty() { p.muted { "None of its places was named in this range." } }
                ul.places {
                    @for p in &c.places {
                        li { span { (place_name(p)) } span.count { (p.mentions) } }
                    }
                }
            }
            section aria-labelledby="latest-h" {
                h2 #latest-h { "Latest articles naming it" }
                @if c.latest.is_empty() { p.muted { "None up to " (day(c.to)) "." } }
                ol.articles {
                    @for a in &c.latest { li { (article_item(a)) } }
                }
            }
        }
        p { a href="/countries" { "All countries" } }
    };
    page(&name, Nav::Countries, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_codes_are_two_letters() {
        assert_eq!(code("ke").unwrap(), "KE");
        for bad in ["K", "KEN", "1A", "<s", ""] {
            assert!(code(bad).is_err(), "{bad}");
        }
    }
}
