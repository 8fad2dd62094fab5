//! Places (issue 19): an article's place mentions resolved to GeoNames entries (GeoNames, CC BY 4.0) with
//! `gazette_places`, and its demonyms, as the store keeps them. CPU work: runs where extraction and tagging run,
//! never on the writer. The tables are loaded once per process, on first use (about 280 ms), and shared.

use gazette_extract::entities::Field as TaggedField;
use gazette_places::{Article, Gazetteer, LocMention, Place, Resolver, RESOLVER_VERSION};
use gazette_store::{Field, MentionPlace, NewDemonym, PlaceRecord, ResolvedPlaces};

/// What the resolver reads of an article besides its place mentions.
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticleText<'a> {
    pub title: &'a str,
    pub text: &'a str,
    pub caption: &'a str,
    /// The article's language ("en", "en-GB"), when known.
    pub language: Option<&'a str>,
    /// The page's URL: its domain hints at the site's country (".co.uk").
    pub url: Option<&'a str>,
}

/// A place mention to resolve: field, character offsets (end exclusive), surface.
pub type PlaceMention<'a> = (Field, usize, usize, &'a str);

/// Resolves an article's place mentions, and finds its demonyms.
pub fn resolve(article: &ArticleText, mentions: &[PlaceMention]) -> ResolvedPlaces {
    let resolver = Resolver::embedded();
    let g = resolver.gazetteer();
    let language: Option<String> = article
        .language
        .map(|l| l.chars().take(2).collect::<String>().to_ascii_lowercase());
    let site_country = article
        .url
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().and_then(|h| g.country_for_host(h)))
        .map(|c| g.place(c).country_code);
    let context = Article {
        title: article.title,
        text: article.text,
        caption: article.caption,
        language: language.as_deref(),
        site_country,
    };
    let locs: Vec<LocMention> = mentions
        .iter()
        .map(|&(field, start, end, surface)| LocMention {
            field: tagged(field),
            start,
            end,
            surface,
        })
        .collect();
    let out = resolver.resolve(&context, &locs);

    let mut places = Places::default();
    let resolved = mentions
        .iter()
        .zip(&out.mentions)
        .map(|(&(field, start, end, _), r)| {
            if let Some(p) = r.place {
                places.add(g, p);
            }
            MentionPlace {
                field,
                start: start as i64,
                end: end as i64,
                geonameid: r.place.map(|p| p.geonameid as i64),
                // Four decimals: the resolver computes in f32, and more digits would be noise.
                confidence: (f64::from(r.confidence) * 1e4).round() / 1e4,
            }
        })
        .collect();
    let demonyms = out
        .demonyms
        .iter()
        .map(|d| {
            places.add(g, d.country);
            let text = match d.field {
                TaggedField::Title => article.title,
                TaggedField::Caption => article.caption,
                TaggedField::Text => article.text,
            };
            NewDemonym {
                field: crate::article::field(d.field),
                start: d.start as i64,
                end: d.end as i64,
                surface: text.chars().skip(d.start).take(d.end - d.start).collect(),
                country_code: d.country.country_code.to_string(),
            }
        })
        .collect();
    ResolvedPlaces {
        resolver_version: RESOLVER_VERSION.to_string(),
        places: places.0,
        mentions: resolved,
        demonyms,
    }
}

/// Loads the place tables now (once per process; later calls return at once), so that the first article does not
/// wait for them: the extraction threads call it as they start.
pub fn load_tables() {
    Resolver::embedded();
}

/// Whether places resolved by `stored` (a version, or none) should be resolved again by this build: never resolved,
/// or by an older resolver (versions compare by their numbers: 1.10.0 is newer than 1.9.0).
pub fn is_stale(stored: Option<&str>) -> bool {
    let numbers = |v: &str| -> Option<Vec<u64>> { v.split('.').map(|n| n.parse().ok()).collect() };
    match (stored.and_then(numbers), numbers(RESOLVER_VERSION)) {
        (Some(old), Some(current)) => old < current,
        _ => stored != Some(RESOLVER_VERSION),
    }
}

/// The entries an article's resolutions refer to, each once, with the country of each.
#[derive(Default)]
struct Places(Vec<PlaceRecord>);

impl Places {
    fn add(&mut self, g: &'static Gazetteer, p: Place) {
        self.push(p);
        if let Some(country) = g.country(p.country_code) {
            self.push(g.place(country));
        }
    }

    fn push(&mut self, p: Place) {
        if self.0.iter().any(|r| r.geonameid == p.geonameid as i64) {
            return;
        }
        self.0.push(PlaceRecord {
            geonameid: p.geonameid as i64,
            name: p.name.to_string(),
            feature_class: p.feature_class().to_string(),
            feature_code: p.feature_code.as_str().to_string(),
            country_code: p.country_code.to_string(),
            admin1: p.admin1.to_string(),
            lat: p.lat,
            lon: p.lon,
            population: p.population as i64,
        });
    }
}

/// The tagger's field for a stored field.
fn tagged(f: Field) -> TaggedField {
    match f {
        Field::Title => TaggedField::Title,
        Field::Text => TaggedField::Text,
        Field::Caption => TaggedField::Caption,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_by_their_numbers() {
        assert!(is_stale(None));
        assert!(is_stale(Some("0.9.0")));
        assert!(!is_stale(Some(RESOLVER_VERSION)));
        assert!(!is_stale(Some("999.0.0")), "a newer build's places stay");
        assert!(is_stale(Some("garbled")));
    }
}
