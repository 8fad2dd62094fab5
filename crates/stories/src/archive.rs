//! The write-time lookup, written once for any store: an [`Archive`] answers "which articles are indexed under this
//! band key (most recent first)" and "what is this article's fingerprint"; [`find_match`] asks it for one new
//! article and returns the best earlier article of the same story, if any. The new article then joins that article's
//! story or starts one; that bookkeeping is the store's.
//!
//! [`MemoryArchive`] is the in-memory archive the evaluation and tests use, with the same per-key bound as the SQL
//! query the crate docs propose, so the evaluation clusters exactly as the writer will.

use std::collections::HashMap;

use crate::config::Config;
use crate::decide::Similarity;
use crate::fingerprint::{Computed, Fingerprint};

/// Where earlier articles' band keys and fingerprints are kept.
pub trait Archive {
    type Id: Copy + Eq + std::hash::Hash;
    type Error;

    /// Appends to `out` up to `limit` articles indexed under `key`, most recent first.
    fn candidates(&mut self, key: i64, limit: usize, out: &mut Vec<Self::Id>) -> Result<(), Self::Error>;

    /// The stored fingerprint of an article, `None` if it has none (or is gone).
    fn fingerprint(&mut self, id: Self::Id) -> Result<Option<Fingerprint>, Self::Error>;
}

/// An earlier article of the same story and how alike the two are.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match<Id> {
    pub article: Id,
    pub similarity: Similarity,
}

/// The earlier article most like `new` among those sharing a band key with it, if the rule calls them the same
/// story. Each distinct candidate is compared once; ties go to the one found first (the most recent under the first
/// band).
pub fn find_match<A: Archive>(
    archive: &mut A,
    new: &Computed,
    config: &Config,
) -> Result<Option<Match<A::Id>>, A::Error> {
    let mut found = Vec::new();
    for &key in &new.band_keys {
        archive.candidates(key, config.candidates.per_key, &mut found)?;
    }
    let mut seen = std::collections::HashSet::with_capacity(found.len());
    let mut best: Option<Match<A::Id>> = None;
    for id in found {
        if !seen.insert(id) {
            continue;
        }
        let Some(old) = archive.fingerprint(id)? else { continue };
        let Some(similarity) = Similarity::between(&new.fingerprint, &old) else {
            continue;
        };
        if !config.rule.same_story(new.fingerprint.kind, &similarity) {
            continue;
        }
        if best.is_none_or(|b| similarity.better_than(&b.similarity)) {
            best = Some(Match {
                article: id,
                similarity,
            });
        }
    }
    Ok(best)
}

/// Band keys and fingerprints in memory, articles numbered in arrival order.
#[derive(Debug, Default)]
pub struct MemoryArchive {
    by_key: HashMap<i64, Vec<usize>>,
    fingerprints: Vec<Option<Fingerprint>>,
}

impl MemoryArchive {
    pub fn new() -> MemoryArchive {
        MemoryArchive::default()
    }

    /// Stores the next article (its id is the number of articles before it); `None` for one without a fingerprint.
    pub fn insert(&mut self, computed: Option<&Computed>) -> usize {
        let id = self.fingerprints.len();
        if let Some(c) = computed {
            for &key in &c.band_keys {
                self.by_key.entry(key).or_default().push(id);
            }
        }
        self.fingerprints.push(computed.map(|c| c.fingerprint.clone()));
        id
    }

    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty()
    }
}

impl Archive for MemoryArchive {
    type Id = usize;
    type Error = std::convert::Infallible;

    fn candidates(&mut self, key: i64, limit: usize, out: &mut Vec<usize>) -> Result<(), Self::Error> {
        if let Some(ids) = self.by_key.get(&key) {
            out.extend(ids.iter().rev().take(limit));
        }
        Ok(())
    }

    fn fingerprint(&mut self, id: usize) -> Result<Option<Fingerprint>, Self::Error> {
        Ok(self.fingerprints.get(id).cloned().flatten())
    }
}

/// Assigns stories to articles arriving one at a time, as the writer will: each joins the story of its best earlier
/// match through the band index, or starts a story. Returns each article's story, numbered by its first article.
pub fn assign_stories(arrivals: &[Option<Computed>], config: &Config) -> Vec<usize> {
    let mut archive = MemoryArchive::new();
    let mut story = Vec::with_capacity(arrivals.len());
    for computed in arrivals {
        let joined = match computed {
            Some(c) => match find_match(&mut archive, c, config) {
                Ok(m) => m.map(|m| story[m.article]),
                Err(never) => match never {},
            },
            None => None,
        };
        let id = archive.insert(computed.as_ref());
        story.push(joined.unwrap_or(id));
    }
    story
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Scheme;

    /// `n` sentences of pseudo-random words drawn from a small vocabulary, different for each `seed`.
    fn paragraph(seed: u64, n: usize) -> String {
        const WORDS: [&str; 16] = [
            "harbour", "council", "bridge", "minister", "said", "week", "river", "police", "vote", "school", "market",
            "closed", "after", "report", "city", "north",
        ];
        let mut state = seed;
        (0..n * 10)
            .map(|_| {
                state = crate::text::mix(state.wrapping_add(1));
                WORDS[(state % 16) as usize]
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn copies_join_and_strangers_stay_apart() {
        let config = Config::default();
        let s = &config.scheme;
        let a = paragraph(1, 20);
        let b = format!(
            "{} An editor's note was added at the end of this copy.",
            paragraph(1, 16)
        );
        let c = paragraph(2, 20);
        let arrivals = vec![
            Fingerprint::compute(None, None, &a, s),
            Fingerprint::compute(None, None, &c, s),
            Fingerprint::compute(None, None, &b, s),
            Fingerprint::compute(Some("Photos"), None, "A gallery", s),
        ];
        assert_eq!(assign_stories(&arrivals, &config), vec![0, 1, 0, 3]);
    }

    #[test]
    fn per_key_limit_bounds_candidates() {
        let scheme = Scheme::default();
        let c = Fingerprint::compute(None, None, &paragraph(1, 20), &scheme).unwrap();
        let mut archive = MemoryArchive::new();
        for _ in 0..20 {
            archive.insert(Some(&c));
        }
        let mut out = Vec::new();
        archive.candidates(c.band_keys[0], 3, &mut out).unwrap();
        assert_eq!(out, vec![19, 18, 17]);
        let config = Config::default();
        let m = find_match(&mut archive, &c, &config).unwrap().unwrap();
        assert_eq!(m.article, 19, "ties go to the most recent");
        assert_eq!(m.similarity.jaccard, 1.0);
    }
}
