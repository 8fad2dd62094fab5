//! The compiled GeoNames tables (see `tools/places-data/README.md`): parsed once, on first use, into compact columns
//! and a name index.
//!
//! Memory: one 40-byte record per entry, the primary names in one string, and the name index as two parallel arrays
//! (a 64-bit hash of each name key and the entry it names), sorted by hash; alternate names are indexed but not kept
//! as text. [`Gazetteer::heap_bytes`] reports the total.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use crate::normalize::key;
use crate::place::{FeatureCode, Place};

const PLACES_GZ: &[u8] = include_bytes!("../data/places.tsv.gz");
const COUNTRIES_TSV: &str = include_str!("../data/countries.tsv");
const DEMONYMS_TSV: &str = include_str!("../data/demonyms.tsv");

/// The compiled tables could not be read (only with tables other than the embedded ones, or a broken build).
#[derive(Debug, thiserror::Error)]
pub enum DataError {
    #[error("places table: {0}")]
    Io(#[from] std::io::Error),
    #[error("{table} line {line}: {what}")]
    Malformed {
        table: &'static str,
        line: usize,
        what: String,
    },
}

/// Index of an entry in [`Gazetteer`]'s tables: cheap to copy and compare; [`Gazetteer::place`] turns it into a
/// [`Place`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PlaceIdx(pub(crate) u32);

#[derive(Debug, Clone, Copy)]
struct Record {
    geonameid: u32,
    name_start: u32,
    /// Geonameid of the second-level division a city lies in (0: none known), or of the division itself.
    admin2: u32,
    lat: f32,
    lon: f32,
    population: u64,
    name_len: u16,
    /// Index into `admin1_codes` (0: none).
    admin1: u16,
    /// Index into `countries` (0: none, a continent).
    country: u8,
    code: FeatureCode,
}

/// What the country table says beyond the entry itself.
#[derive(Debug, Clone)]
pub struct CountryInfo {
    pub code: Box<str>,
    /// The country's entry, when it has one (a country with no inhabited place in the data has none).
    pub place: Option<PlaceIdx>,
    /// Top-level domain without the dot ("uk").
    pub tld: Box<str>,
    /// Language tags in GeoNames' order, the first being the main one ("en-GB").
    pub languages: Box<[Box<str>]>,
}

/// A name-index hit: the entry, and whether the name matched is one of its alternates rather than its own name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub place: PlaceIdx,
    pub alternate: bool,
}

const ALTERNATE: u32 = 1 << 31;

pub struct Gazetteer {
    records: Vec<Record>,
    names: String,
    admin1_codes: Vec<Box<str>>,
    admin1_lookup: HashMap<(u8, Box<str>), u16>,
    countries: Vec<CountryInfo>,
    country_lookup: HashMap<Box<str>, u8>,
    /// Name index: `key_hashes[i]` names `key_places[i]` (its high bit set for an alternate name).
    key_hashes: Vec<u64>,
    key_places: Vec<u32>,
    /// First-level divisions by (country, admin1 code).
    adm1: HashMap<(u8, u16), PlaceIdx>,
    /// Demonym keys ("kenyan") to country index.
    demonyms: HashMap<Box<str>, u8>,
}

/// 64-bit FNV-1a: enough to tell ~700,000 name keys apart (a collision is ~1 in 10^8) without keeping the keys.
fn hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Gazetteer {
    /// The tables compiled into the binary, parsed on first use (a few hundred milliseconds) and kept for the process.
    pub fn embedded() -> &'static Gazetteer {
        static TABLES: OnceLock<Gazetteer> = OnceLock::new();
        TABLES.get_or_init(|| {
            Gazetteer::parse(PLACES_GZ, COUNTRIES_TSV, DEMONYMS_TSV)
                .expect("the place tables compiled into this binary are readable")
        })
    }

    /// Parses tables in the format `tools/places-data/derive.py` writes. They are kept for the rest of the process
    /// (leaked), like the embedded ones, so that a [`Place`] can lend out their strings.
    pub fn from_tables(
        places_gz: &[u8],
        countries_tsv: &str,
        demonyms_tsv: &str,
    ) -> Result<&'static Gazetteer, DataError> {
        Ok(Box::leak(Box::new(Gazetteer::parse(
            places_gz,
            countries_tsv,
            demonyms_tsv,
        )?)))
    }

    fn parse(places_gz: &[u8], countries_tsv: &str, demonyms_tsv: &str) -> Result<Gazetteer, DataError> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(places_gz).read_to_string(&mut text)?;

        let mut g = Gazetteer {
            records: Vec::with_capacity(text.len() / 60),
            names: String::with_capacity(text.len() / 6),
            admin1_codes: vec!["".into()],
            admin1_lookup: HashMap::new(),
            countries: vec![CountryInfo {
                code: "".into(),
                place: None,
                tld: "".into(),
                languages: Box::new([]),
            }],
            country_lookup: HashMap::new(),
            key_hashes: Vec::new(),
            key_places: Vec::new(),
            adm1: HashMap::new(),
            demonyms: HashMap::new(),
        };
        for (n, line) in countries_tsv.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 5 || f[0].len() != 2 {
                return Err(malformed(
                    "countries",
                    n,
                    "expected 5 fields starting with a 2-letter code",
                ));
            }
            if g.countries.len() > u8::MAX as usize {
                return Err(malformed("countries", n, "more than 255 countries"));
            }
            g.country_lookup.insert(f[0].into(), g.countries.len() as u8);
            g.countries.push(CountryInfo {
                code: f[0].into(),
                place: None,
                tld: f[2].trim_start_matches('.').to_ascii_lowercase().into(),
                languages: f[3].split(',').filter(|s| !s.is_empty()).map(Into::into).collect(),
            });
        }

        let mut index: Vec<(u64, u32)> = Vec::with_capacity(text.len() / 25);
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 10 {
                return Err(malformed("places", n, "expected 10 fields"));
            }
            let num = |i: usize| -> Result<f64, DataError> {
                f[i].parse::<f64>()
                    .map_err(|_| malformed("places", n, &format!("field {} not a number", i + 1)))
            };
            let code = FeatureCode::parse(f[1]).ok_or_else(|| malformed("places", n, "unknown feature code"))?;
            let country = match f[2] {
                "" => 0,
                cc => *g
                    .country_lookup
                    .get(cc)
                    .ok_or_else(|| malformed("places", n, "unknown country"))?,
            };
            let admin1 = g.intern_admin1(country, f[3]);
            let idx = g.records.len() as u32;
            let record = Record {
                geonameid: num(0)? as u32,
                name_start: g.names.len() as u32,
                admin2: if f[4].is_empty() { 0 } else { num(4)? as u32 },
                lat: num(5)? as f32,
                lon: num(6)? as f32,
                population: num(7)? as u64,
                name_len: f[8].len().min(u16::MAX as usize) as u16,
                admin1,
                country,
                code,
            };
            g.names.push_str(&f[8][..record.name_len as usize]);
            g.records.push(record);
            if code == FeatureCode::Pcli {
                g.countries[country as usize].place = Some(PlaceIdx(idx));
            }
            if code == FeatureCode::Adm1 {
                g.adm1.insert((country, admin1), PlaceIdx(idx));
            }
            let own = key(f[8]);
            index.push((hash(&own), idx));
            for alt in f[9].split('|').filter(|a| !a.is_empty()) {
                let k = key(alt);
                if k != own {
                    index.push((hash(&k), idx | ALTERNATE));
                }
            }
        }
        if g.records.windows(2).any(|w| w[0].geonameid >= w[1].geonameid) {
            return Err(malformed("places", 0, "rows not sorted by geonameid"));
        }
        index.sort_unstable();
        index.dedup_by(|a, b| a.0 == b.0 && (a.1 & !ALTERNATE) == (b.1 & !ALTERNATE));
        g.key_hashes = index.iter().map(|e| e.0).collect();
        g.key_places = index.iter().map(|e| e.1).collect();

        for (n, line) in demonyms_tsv.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (word, cc) = line
                .split_once('\t')
                .ok_or_else(|| malformed("demonyms", n, "expected 2 fields"))?;
            let country = *g
                .country_lookup
                .get(cc.trim())
                .ok_or_else(|| malformed("demonyms", n, "unknown country"))?;
            g.demonyms.insert(key(word).into(), country);
        }
        g.records.shrink_to_fit();
        g.names.shrink_to_fit();
        Ok(g)
    }

    fn intern_admin1(&mut self, country: u8, code: &str) -> u16 {
        if code.is_empty() {
            return 0;
        }
        if let Some(&i) = self.admin1_lookup.get(&(country, code.into())) {
            return i;
        }
        let i = self.admin1_codes.len() as u16;
        self.admin1_codes.push(code.into());
        self.admin1_lookup.insert((country, code.into()), i);
        i
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Entries whose own or alternate name has the same key as `name`, in table order (by geonameid).
    pub fn lookup(&self, name: &str) -> Vec<Hit> {
        self.lookup_key(&key(name))
    }

    /// As [`Gazetteer::lookup`], for a name already turned into its key.
    pub fn lookup_key(&self, name_key: &str) -> Vec<Hit> {
        if name_key.is_empty() {
            return Vec::new();
        }
        let h = hash(name_key);
        let from = self.key_hashes.partition_point(|&x| x < h);
        let to = from + self.key_hashes[from..].partition_point(|&x| x == h);
        self.key_places[from..to]
            .iter()
            .map(|&p| Hit {
                place: PlaceIdx(p & !ALTERNATE),
                alternate: p & ALTERNATE != 0,
            })
            .collect()
    }

    /// The entry with this GeoNames id.
    pub fn by_geonameid(&self, geonameid: u32) -> Option<PlaceIdx> {
        self.records
            .binary_search_by_key(&geonameid, |r| r.geonameid)
            .ok()
            .map(|i| PlaceIdx(i as u32))
    }

    /// The country with this ISO 3166-1 alpha-2 code ("KE"), if it has an entry.
    pub fn country(&self, code: &str) -> Option<PlaceIdx> {
        self.countries[*self.country_lookup.get(code.to_ascii_uppercase().as_str())? as usize].place
    }

    /// The country whose top-level domain ends `host` ("www.bbc.co.uk" -> GB); none for generic domains (.com).
    pub fn country_for_host(&self, host: &str) -> Option<PlaceIdx> {
        let tld = host.trim_end_matches('.').rsplit('.').next()?.to_ascii_lowercase();
        self.countries
            .iter()
            .find(|c| !c.tld.is_empty() && *c.tld == *tld)
            .and_then(|c| c.place)
    }

    /// The country a demonym or country adjective stands for ("Kenyan", "Kenyans", "South African").
    pub fn demonym(&self, word: &str) -> Option<PlaceIdx> {
        if word
            .split_whitespace()
            .next()
            .is_some_and(|w| w.eq_ignore_ascii_case("the"))
        {
            return None; // "The French" is "French" to `key`, but the scanner wants the adjective alone
        }
        let k = key(word);
        let country = self.demonyms.get(k.as_str()).or_else(|| {
            let singular = k
                .strip_suffix("es")
                .filter(|s| self.demonyms.contains_key(*s))
                .or(k.strip_suffix('s'))?;
            self.demonyms.get(singular)
        })?;
        self.countries[*country as usize].place
    }

    /// Countries whose main language (the first GeoNames lists) is `language` (ISO 639-1, "fr").
    pub(crate) fn countries_speaking(&self, language: &str) -> Vec<u8> {
        (1..self.countries.len())
            .filter(|&i| {
                self.countries[i]
                    .languages
                    .first()
                    .is_some_and(|l| l.split('-').next() == Some(language))
            })
            .map(|i| i as u8)
            .collect()
    }

    pub(crate) fn code(&self, idx: PlaceIdx) -> FeatureCode {
        self.records[idx.0 as usize].code
    }

    /// Country index (0: none), first-level division index (0: none) and second-level division id (0: none).
    pub(crate) fn within(&self, idx: PlaceIdx) -> (u8, u16, u32) {
        let r = &self.records[idx.0 as usize];
        (r.country, r.admin1, r.admin2)
    }

    pub(crate) fn country_index(&self, code: &str) -> Option<u8> {
        self.country_lookup.get(code.to_ascii_uppercase().as_str()).copied()
    }

    pub(crate) fn population(&self, idx: PlaceIdx) -> u64 {
        self.records[idx.0 as usize].population
    }

    pub(crate) fn point(&self, idx: PlaceIdx) -> (f64, f64) {
        let r = &self.records[idx.0 as usize];
        (r.lat as f64, r.lon as f64)
    }

    pub(crate) fn geonameid(&self, idx: PlaceIdx) -> u32 {
        self.records[idx.0 as usize].geonameid
    }

    /// Bytes the tables hold on the heap (capacity, not length; hash maps estimated from their capacity).
    pub fn heap_bytes(&self) -> usize {
        use std::mem::size_of;
        let boxed = |s: &str| s.len() + size_of::<Box<str>>();
        let map_entry = |k: usize, v: usize| k + v + 8; // key, value and the control byte, rounded
        self.records.capacity() * size_of::<Record>()
            + self.names.capacity()
            + self.key_hashes.capacity() * 8
            + self.key_places.capacity() * 4
            + self.admin1_codes.iter().map(|s| boxed(s)).sum::<usize>()
            + self.admin1_lookup.capacity() * map_entry(size_of::<(u8, Box<str>)>() + 4, 2)
            + self
                .countries
                .iter()
                .map(|c| boxed(&c.code) + boxed(&c.tld) + c.languages.iter().map(|l| boxed(l)).sum::<usize>())
                .sum::<usize>()
            + self.countries.capacity() * size_of::<CountryInfo>()
            + self.country_lookup.capacity() * map_entry(size_of::<Box<str>>() + 2, 1)
            + self.adm1.capacity() * map_entry(size_of::<(u8, u16)>(), size_of::<PlaceIdx>())
            + self.demonyms.keys().map(|k| k.len()).sum::<usize>()
            + self.demonyms.capacity() * map_entry(size_of::<Box<str>>(), 1)
    }

    /// The entry at `idx` as a [`Place`] (its strings borrowed from the tables, which live for the process).
    pub fn place(&'static self, idx: PlaceIdx) -> Place {
        let r = &self.records[idx.0 as usize];
        Place {
            geonameid: r.geonameid,
            name: &self.names[r.name_start as usize..(r.name_start + r.name_len as u32) as usize],
            feature_code: r.code,
            country_code: &self.countries[r.country as usize].code,
            admin1: &self.admin1_codes[r.admin1 as usize],
            lat: r.lat as f64,
            lon: r.lon as f64,
            population: r.population,
        }
    }
}

fn malformed(table: &'static str, line: usize, what: &str) -> DataError {
    DataError::Malformed {
        table,
        line: line + 1,
        what: what.to_string(),
    }
}
