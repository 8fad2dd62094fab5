//! World knowledge derived from third-party resources by `tools/ner-data/derive.py`: word classes (k-means over
//! GloVe vectors at several granularities, plus a frequency band) and typed name lists (GeoNames places, Wikidata
//! names, football clubs, companies, nationalities, popular Wikipedia titles). Read from the derived folder when
//! training (`gazette train-ner --resources DIR`) and stored inside the model, hashed, so nothing else is needed to
//! tag.

use std::path::Path;

use super::gazetteer::phrase_hash;
use super::hash::hash_str;
use super::model::Table;

/// The derived name lists, in category order (gazetteer category [`super::gazetteer::DERIVED_BASE`] + index).
pub const LISTS: [&str; 13] = [
    "per_given",
    "per_family",
    "per_name",
    "org_club",
    "loc_stadium",
    "org_company",
    "misc_nationality",
    "wiki_title",
    "loc_city",
    "loc_town",
    "loc_country",
    "loc_admin",
    "loc_alt",
];

/// Class ids per word: one per k-means granularity, then the frequency band.
pub const CLASS_LEVELS: usize = 5;

/// Lower-cased word -> class ids, through an open-addressing table of 32-bit word keys.
#[derive(Debug, Clone, Default)]
pub struct WordClasses {
    table: Table,
    rows: Vec<[u16; CLASS_LEVELS]>,
}

/// Key of a lower-cased word hash (as the features compute it) in the class table.
#[inline]
pub fn class_key(lower_hash: u64) -> u32 {
    ((lower_hash >> 32) as u32).max(1)
}

impl WordClasses {
    /// The classes of a word, given the hash of its lower-cased form.
    #[inline]
    pub fn get(&self, lower_hash: u64) -> Option<&[u16; CLASS_LEVELS]> {
        self.table.get(class_key(lower_hash)).map(|r| &self.rows[r as usize])
    }

    fn insert(&mut self, key: u32, ids: [u16; CLASS_LEVELS]) {
        if self.table.get(key).is_none() {
            let row = self.table.get_or_insert(key);
            debug_assert_eq!(row as usize, self.rows.len());
            self.rows.push(ids);
        }
    }

    /// (key, ids) sorted by key.
    fn entries(&self) -> Vec<(u32, [u16; CLASS_LEVELS])> {
        let mut v: Vec<(u32, [u16; CLASS_LEVELS])> =
            self.table.entries().map(|(k, r)| (k, self.rows[r as usize])).collect();
        v.sort_unstable_by_key(|e| e.0);
        v
    }
}

/// Word classes and the derived gazetteer (phrase hash -> bit per entry of [`LISTS`]).
#[derive(Debug, Clone, Default)]
pub struct Knowledge {
    pub(crate) classes: WordClasses,
    pub(crate) phrases: Vec<(u64, u32)>,
}

/// Why a derived folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    #[error("reading {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} line {line}: {what}")]
    Format { path: String, line: usize, what: String },
}

impl Knowledge {
    /// Reads a folder written by `tools/ner-data/derive.py` (`classes.tsv`, `gazetteer/NAME.txt` for every name of
    /// [`LISTS`]).
    pub fn load(dir: &Path) -> Result<Knowledge, KnowledgeError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| KnowledgeError::Io {
                path: p.display().to_string(),
                source,
            })
        };
        let mut k = Knowledge::default();
        let path = dir.join("classes.tsv");
        let text = read(&path)?;
        k.classes.table = Table::with_capacity(text.lines().count());
        for (n, line) in text.lines().enumerate() {
            let mut cols = line.split('\t');
            let word = cols.next().unwrap_or("");
            let ids: Vec<u16> =
                cols.map(|c| c.parse::<u16>())
                    .collect::<Result<_, _>>()
                    .map_err(|e| KnowledgeError::Format {
                        path: path.display().to_string(),
                        line: n + 1,
                        what: e.to_string(),
                    })?;
            if ids.len() != CLASS_LEVELS {
                return Err(KnowledgeError::Format {
                    path: path.display().to_string(),
                    line: n + 1,
                    what: format!("{} class ids, expected {CLASS_LEVELS}", ids.len()),
                });
            }
            let ids: [u16; CLASS_LEVELS] = std::array::from_fn(|i| ids[i]);
            k.classes.insert(class_key(hash_str(word)), ids);
        }
        let mut phrases: super::hash::HashMap<u64, u32> = Default::default();
        for (bit, name) in LISTS.iter().enumerate() {
            let path = dir.join("gazetteer").join(format!("{name}.txt"));
            for line in read(&path)?.lines() {
                let toks = super::tokenize::tokenize(line);
                if toks.is_empty() || toks.len() > super::gazetteer::MAX_LEN {
                    continue;
                }
                *phrases
                    .entry(phrase_hash(toks.iter().map(|t| t.text.as_str())))
                    .or_insert(0) |= 1 << bit;
            }
        }
        k.phrases = phrases.into_iter().collect();
        k.phrases.sort_unstable();
        Ok(k)
    }

    /// Appends the knowledge to a model being serialised.
    pub(crate) fn write(&self, raw: &mut Vec<u8>) {
        raw.extend_from_slice(&(self.phrases.len() as u32).to_le_bytes());
        let mut prev = 0u64;
        for (h, _) in &self.phrases {
            put_varint(raw, h - prev);
            prev = *h;
        }
        for (_, bits) in &self.phrases {
            put_varint(raw, *bits as u64);
        }
        let words = self.classes.entries();
        raw.extend_from_slice(&(words.len() as u32).to_le_bytes());
        let mut prev = 0u32;
        for (k, _) in &words {
            put_varint(raw, (k - prev) as u64);
            prev = *k;
        }
        for l in 0..CLASS_LEVELS {
            for (_, ids) in &words {
                put_varint(raw, ids[l] as u64);
            }
        }
    }

    /// Reads what [`Knowledge::write`] wrote.
    pub(crate) fn read(r: &mut super::tagger::Reader) -> Result<Knowledge, String> {
        let n = r.u32()? as usize;
        let mut phrases = Vec::with_capacity(n);
        let mut h = 0u64;
        for _ in 0..n {
            h = h.wrapping_add(r.varint()?);
            phrases.push((h, 0));
        }
        for p in phrases.iter_mut() {
            p.1 = r.varint()? as u32;
        }
        let nw = r.u32()? as usize;
        let mut keys = Vec::with_capacity(nw);
        let mut key = 0u32;
        for _ in 0..nw {
            key = key.wrapping_add(r.varint()? as u32);
            keys.push(key);
        }
        let mut rows = vec![[0u16; CLASS_LEVELS]; nw];
        for l in 0..CLASS_LEVELS {
            for row in rows.iter_mut() {
                row[l] = r.varint()? as u16;
            }
        }
        let mut classes = WordClasses {
            table: Table::with_capacity(nw),
            rows: Vec::with_capacity(nw),
        };
        for (k, row) in keys.into_iter().zip(rows) {
            classes.insert(k, row);
        }
        Ok(Knowledge { classes, phrases })
    }
}

pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}
