//! The web view's questions about places (issue 19): where an entity's mentions were placed, the countries in the
//! news over a range, and one country's page. Like the questions in [`crate::read`], each is a request type here and
//! a method of [`Archive`](crate::Archive), answered by each backend with these values (they serialise as the web
//! view's JSON), lists capped at [`MAX_ROWS`](crate::read::MAX_ROWS).

use chrono::NaiveDate;
use serde::Serialize;

use crate::read::{ArticleSummary, DayCount, EntityId};

/// How many of an entity's latest articles in the range are read for [`Archive::entity_places`]: where a name was
/// placed is a sample of its latest use, so that the cost does not grow with a name mentioned in every article.
///
/// [`Archive::entity_places`]: crate::Archive::entity_places
pub const ENTITY_PLACES_SAMPLE: i64 = 500;

/// A GeoNames entry as stored in `places` (GeoNames, CC BY 4.0).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    pub geonameid: i64,
    pub name: String,
    /// `PCLI` country, `ADM1`/`ADM2` division, `PPLC` capital, `PPL` city or town, `CONT` continent.
    pub feature_code: String,
    /// ISO 3166-1 alpha-2; empty for a continent.
    pub country_code: String,
    /// GeoNames' code of the first-level division; empty for a country.
    pub admin1: String,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
}

/// A place with how often it was mentioned (in the range, or in the sample the question says).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlaceCount {
    pub place: Place,
    pub mentions: i64,
}

/// The places an entity's mentions were resolved to, in its latest [`ENTITY_PLACES_SAMPLE`] articles of days
/// `from..=to`, most mentioned first.
#[derive(Debug, Clone)]
pub struct EntityPlaces {
    pub id: EntityId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub limit: i64,
}

/// Countries named in articles of days `from..=to` (by their places or demonyms), most mentioned first.
#[derive(Debug, Clone)]
pub struct CountryList {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub limit: i64,
}

/// A country's counts over a range: mentions of its places and demonyms of it, and the articles with either.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryCount {
    pub code: String,
    /// Its name in `places` (absent when only a demonym named it and no place of it is stored).
    pub name: Option<String>,
    pub mentions: i64,
    pub articles: i64,
}

/// One country's page over days `from..=to`.
#[derive(Debug, Clone)]
pub struct CountryView {
    /// ISO 3166-1 alpha-2, upper case.
    pub code: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub limit: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CountryDetail {
    pub code: String,
    /// The country's own entry, when stored.
    pub country: Option<Place>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Every day of the range, zeros included: mentions of its places and demonyms, and articles with either.
    pub daily: Vec<DayCount>,
    /// Its places mentioned in the range, most mentioned first (the country itself included).
    pub places: Vec<PlaceCount>,
    /// The latest articles that name it or one of its places.
    pub latest: Vec<ArticleSummary>,
}
