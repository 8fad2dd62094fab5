//! Places: each place mention of an article resolved to one GeoNames entry (id, name, feature code, country,
//! first-level division, coordinates, population), or to none.
//!
//! * [`Gazetteer`]: the GeoNames tables compiled into the binary (cities of 500+ inhabitants, first- and second-level
//!   divisions, countries, continents; derived by `tools/places-data/derive.py`), parsed once on first use.
//! * [`Resolver`]: chooses among an article's candidates by population and feature code, then the article's own
//!   evidence (qualifiers, other places, demonyms, the site's country, the language); see [`resolve`](mod@resolve).
//! * [`labelled`]: the hand-labelled set's format and its scoring (accuracy within 161 km, exact-id accuracy).
//!
//! Data: GeoNames, CC BY 4.0 (<https://www.geonames.org>).

mod demonyms;
mod gazetteer;
pub mod labelled;
mod normalize;
mod place;
pub mod resolve;

pub use gazetteer::{CountryInfo, DataError, Gazetteer, Hit, PlaceIdx};
pub use normalize::key;
pub use place::{distance_km, FeatureCode, Place};
pub use resolve::{Article, ArticlePlaces, DemonymMention, LocMention, Resolution, Resolver, Strategy};

/// Recorded with every resolution, so that `gazette reprocess` knows what is stale. Bump when the tables, the weights
/// or the rules change.
pub const RESOLVER_VERSION: &str = "1.0.0";
