//! The synthetic archive both backends are loaded with: the same rows, in the same order, from one seeded generator,
//! so that a query answers with the same rows on SQLite and on PostgreSQL.

/// The generated year's length (its last day is given to [`Synthetic::new`]).
pub const DAYS: i64 = 365;
pub const FEEDS: i64 = 200;
pub const ENTITIES: i64 = 200_000;
pub const TYPES: [&str; 6] = ["PER", "ORG", "LOC", "MISC", "DATE", "CARDINAL"];
/// GeoNames entries the LOC entities resolve to, in COUNTRIES countries (whose own entries are added too).
pub const PLACES: i64 = 20_000;
pub const COUNTRIES: i64 = 200;
/// Each feed's fetch history: this many fetches on the last day.
pub const FETCHES_PER_FEED: i64 = 10;
const WORDS: [&str; 8] = [
    "ministry", "talks", "security", "election", "market", "storm", "court", "deal",
];

/// A popularity skew: a few entities are everywhere, most are rare.
fn skewed(rng: &mut fastrand::Rng, n: i64) -> i64 {
    let u = rng.f64();
    1 + ((u * u * u) * n as f64) as i64 % n
}

pub fn entity_type(entity: i64) -> &'static str {
    TYPES[(entity % 6) as usize]
}

pub struct Place {
    pub geonameid: i64,
    pub name: String,
    pub feature_class: &'static str,
    pub feature_code: &'static str,
    pub country_code: String,
    pub admin1: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub population: i64,
}

pub struct Article {
    pub id: i64,
    pub feed_id: i64,
    pub item_key: String,
    pub url: String,
    pub title: String,
    /// RFC 3339, UTC; also the fetch time.
    pub published_at: String,
    pub text: String,
}

pub struct Mention {
    pub article_id: i64,
    pub entity_id: i64,
    pub start: i64,
    pub end: i64,
    pub surface: String,
    pub day: String,
    pub place_id: Option<i64>,
}

/// A demonym in the article's text ("People", of `country_code`), at offsets 1000..1006.
pub struct Demonym {
    pub article_id: i64,
    pub country_code: String,
    pub day: String,
}

pub struct Quote {
    pub article_id: i64,
    pub speaker_entity_id: i64,
    pub text: &'static str,
}

/// One day's rows.
#[derive(Default)]
pub struct Day {
    pub articles: Vec<Article>,
    pub mentions: Vec<Mention>,
    pub demonyms: Vec<Demonym>,
    pub quotes: Vec<Quote>,
}

/// The generator: [`Synthetic::places`] first, then [`Synthetic::next_day`] until it returns `None`.
pub struct Synthetic {
    rng: fastrand::Rng,
    last_day: chrono::NaiveDate,
    articles: i64,
    per_article: i64,
    /// The articles of day `d` are `bounds[d]..bounds[d + 1]` (article `a` is published on day `a * DAYS / articles`).
    bounds: Vec<i64>,
    next: usize,
}

impl Synthetic {
    /// `articles` articles over the DAYS days that end with `last_day` (so that "last 7 days" queries see data when
    /// it is today), `per_article` mentions each.
    pub fn new(articles: i64, per_article: i64, last_day: chrono::NaiveDate) -> Synthetic {
        Synthetic {
            rng: fastrand::Rng::with_seed(7),
            last_day,
            articles,
            per_article,
            bounds: (0..=DAYS + 1)
                .map(|d| ((d * articles + DAYS - 1) / DAYS).clamp(1, articles + 1))
                .collect(),
            next: 0,
        }
    }

    /// Day `offset` of the generated year (DAYS - 1: its last day).
    pub fn day(&self, offset: i64) -> String {
        (self.last_day - chrono::Duration::days(DAYS - 1 - offset))
            .format("%Y-%m-%d")
            .to_string()
    }

    /// The entities' names: "Entity {id}".
    pub fn entity_name(entity: i64) -> String {
        format!("Entity {entity}")
    }

    /// COUNTRIES countries (codes C0, C1, ...), each with its own entry, then PLACES towns spread over them.
    pub fn places(&mut self) -> Vec<Place> {
        let mut places: Vec<Place> = (0..COUNTRIES)
            .map(|c| Place {
                geonameid: 1_000_000 + c,
                name: format!("Country {c}"),
                feature_class: "A",
                feature_code: "PCLI",
                country_code: format!("C{c}"),
                admin1: "",
                lat: 0.0,
                lon: 0.0,
                population: 1_000_000,
            })
            .collect();
        for p in 1..=PLACES {
            let (lat, lon) = (self.rng.f64() * 140.0 - 70.0, self.rng.f64() * 360.0 - 180.0);
            places.push(Place {
                geonameid: p,
                name: format!("Town {p}"),
                feature_class: "P",
                feature_code: "PPL",
                country_code: format!("C{}", p % COUNTRIES),
                admin1: "01",
                lat,
                lon,
                population: 10_000,
            });
        }
        places
    }

    /// The last article id of each day that has articles, in order (a day is loaded whole or not at all, so a
    /// loader resumes after the last day whose last article is there).
    pub fn day_ends(&self) -> Vec<i64> {
        self.bounds
            .windows(2)
            .filter(|w| w[0] < w[1])
            .map(|w| w[1] - 1)
            .collect()
    }

    /// The next day's rows (days without articles are skipped); `None` after the last.
    pub fn next_day(&mut self) -> Option<Day> {
        loop {
            let (first, end) = (*self.bounds.get(self.next)?, *self.bounds.get(self.next + 1)?);
            self.next += 1;
            if first < end {
                return Some(self.day_rows(first, end));
            }
        }
    }

    fn day_rows(&mut self, first: i64, end: i64) -> Day {
        let mut day = Day::default();
        for a in first..end {
            let date = self.day(a * DAYS / self.articles);
            let rng = &mut self.rng;
            let published = format!("{date}T{:02}:{:02}:00Z", rng.i64(0..24), rng.i64(0..60));
            let w = WORDS[rng.usize(0..WORDS.len())];
            // A LOC entity resolves to a place (the popular ones to distinct places); every other article names a
            // demonym, every other one has a quote.
            for m in 0..self.per_article {
                let e = skewed(rng, ENTITIES);
                day.mentions.push(Mention {
                    article_id: a,
                    entity_id: e,
                    start: m * 10,
                    end: m * 10 + 8,
                    surface: Synthetic::entity_name(e),
                    day: published[..10].to_string(),
                    place_id: (entity_type(e) == "LOC").then_some(1 + (e / 6) % PLACES),
                });
            }
            if a % 2 == 1 {
                day.demonyms.push(Demonym {
                    article_id: a,
                    country_code: format!("C{}", skewed(rng, COUNTRIES) - 1),
                    day: published[..10].to_string(),
                });
            }
            if a % 2 == 0 {
                day.quotes.push(Quote {
                    article_id: a,
                    speaker_entity_id: skewed(rng, ENTITIES),
                    text: "We will keep talking.",
                });
            }
            day.articles.push(Article {
                id: a,
                feed_id: 1 + a % FEEDS,
                item_key: format!("k{a}"),
                url: format!("https://news.example/a/{a}"),
                title: format!("Story {a} on {w}"),
                text: format!(
                    "Article {a} about the {w}. It mentions several people and places.\n\nA second paragraph."
                ),
                published_at: published,
            });
        }
        day
    }
}
