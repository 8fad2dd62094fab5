//! What identifies an article's story: its [`Fingerprint`] (stored) and band keys (the lookup keys), computed from
//! the extracted body, or from the title and lead when the body is short.

use crate::config::Scheme;
use crate::minhash::{band_keys, minima, Signature};
use crate::text::{shingles, word_hashes};

/// What a fingerprint was made from. Fingerprints of different kinds never compare, and their band keys differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// The body: at least [`Scheme::min_body_words`] words.
    Body,
    /// A short article's title and lead.
    Lead,
}

/// What an article's story is told by, as a set of hashed shingles. A body of at least `min_body_words` words is
/// its own `body_shingle_words`-word shingles. A shorter one (a brief, a photo caption, a video page) falls back to
/// its title followed by its lead: the first paragraph of at least `lead_paragraph_words` words (a short kicker or
/// label before it, and a syndication note or a repeated caption after it, are not the lead), else the description.
/// When title and lead make fewer than `min_lead_words` words: `None`.
pub fn shingle_set(
    title: Option<&str>,
    description: Option<&str>,
    body: &str,
    scheme: &Scheme,
) -> Option<(Kind, Vec<u64>)> {
    let body_words = word_hashes(body);
    if body_words.len() >= scheme.min_body_words {
        return Some((Kind::Body, shingles(&body_words, scheme.body_shingle_words)));
    }
    let lead = body
        .split("\n\n")
        .map(word_hashes)
        .find(|w| w.len() >= scheme.lead_paragraph_words)
        .unwrap_or_else(|| word_hashes(description.unwrap_or("")));
    let mut words = word_hashes(title.unwrap_or(""));
    words.extend(lead);
    if words.len() < scheme.min_lead_words {
        return None;
    }
    Some((Kind::Lead, shingles(&words, scheme.lead_shingle_words)))
}

/// The stored part: kind, the size of the shingle set (for containment), and the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    pub kind: Kind,
    pub shingles: u32,
    pub signature: Signature,
}

/// A fingerprint with its band keys: what the writer needs for one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Computed {
    pub fingerprint: Fingerprint,
    pub band_keys: Vec<i64>,
}

/// A stored fingerprint that cannot be read back.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("story fingerprint of {0} bytes is too short")]
    TooShort(usize),
    #[error("story fingerprint format {0} is not known to this build")]
    Format(u8),
    #[error("story fingerprint kind {0} is not known")]
    Kind(u8),
    #[error("story fingerprint signature has an odd number of bytes")]
    Odd,
}

/// Version byte of [`Fingerprint::to_bytes`].
const FORMAT: u8 = 1;
const HEADER: usize = 6;

impl Fingerprint {
    /// The fingerprint of an article from its title, description and body text (blocks joined by blank lines, as
    /// `articles.text` stores them): the MinHash signature of [`shingle_set`] and its band keys, or `None` when
    /// there is nothing to tell the story by (the article is then a story of its own).
    pub fn compute(title: Option<&str>, description: Option<&str>, body: &str, scheme: &Scheme) -> Option<Computed> {
        let (kind, set) = shingle_set(title, description, body, scheme)?;
        let mins = minima(&set, scheme.hashes);
        Some(Computed {
            band_keys: band_keys(&mins, kind, scheme.bands, scheme.rows),
            fingerprint: Fingerprint {
                kind,
                shingles: set.len().min(u32::MAX as usize) as u32,
                signature: Signature::from_minima(&mins),
            },
        })
    }

    /// The fingerprint of an extracted article.
    pub fn of_article(article: &gazette_extract::Article, scheme: &Scheme) -> Option<Computed> {
        Fingerprint::compute(
            article.title.as_deref(),
            article.description.as_deref(),
            &article.text(),
            scheme,
        )
    }

    /// The stored form: format byte, kind byte, shingle count (u32 LE), then the signature (u16 LE each).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(HEADER + 2 * self.signature.0.len());
        out.push(FORMAT);
        out.push(match self.kind {
            Kind::Body => 0,
            Kind::Lead => 1,
        });
        out.extend_from_slice(&self.shingles.to_le_bytes());
        for v in &self.signature.0 {
            out.extend_from_slice(&v.to_le_bytes());
        }
        out
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Fingerprint, DecodeError> {
        if bytes.len() < HEADER {
            return Err(DecodeError::TooShort(bytes.len()));
        }
        if bytes[0] != FORMAT {
            return Err(DecodeError::Format(bytes[0]));
        }
        let kind = match bytes[1] {
            0 => Kind::Body,
            1 => Kind::Lead,
            k => return Err(DecodeError::Kind(k)),
        };
        let shingles = u32::from_le_bytes([bytes[2], bytes[3], bytes[4], bytes[5]]);
        let rest = &bytes[HEADER..];
        if !rest.len().is_multiple_of(2) {
            return Err(DecodeError::Odd);
        }
        let signature = Signature(rest.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect());
        Ok(Fingerprint {
            kind,
            shingles,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "The city closed the Meridian Bridge on Tuesday after inspectors found cracks in two of its \
        steel supports, sending thousands of commuters onto ferries and a single detour road. Mayor Dana Whitcombe \
        said the bridge would stay shut until engineers could say it was safe, which could take weeks. The bridge \
        carries about 40,000 vehicles a day between the harbour district and the northern suburbs. Inspectors from \
        the state transport department found the cracks during a routine check on Monday night and ordered the \
        closure within hours, the mayor said at a news conference at city hall.";

    #[test]
    fn long_body_is_fingerprinted_by_itself() {
        let s = Scheme::default();
        let a = Fingerprint::compute(Some("Bridge shut"), None, BODY, &s).unwrap();
        let b = Fingerprint::compute(Some("A different headline"), Some("x"), BODY, &s).unwrap();
        assert_eq!(a.fingerprint.kind, Kind::Body);
        assert_eq!(a, b, "the title does not matter for a long body");
        assert_eq!(a.band_keys.len(), s.bands);
        assert_eq!(a.fingerprint.signature.0.len(), s.hashes);
    }

    #[test]
    fn short_body_falls_back_to_title_and_lead() {
        let s = Scheme::default();
        let body = "Residents wade through floodwater in Millbrook on Tuesday after the river burst its banks.";
        let a = Fingerprint::compute(Some("Millbrook under water"), None, body, &s).unwrap();
        assert_eq!(a.fingerprint.kind, Kind::Lead);
        let b = Fingerprint::compute(Some("Floods hit Millbrook"), None, body, &s).unwrap();
        assert_ne!(a.fingerprint, b.fingerprint, "the title counts for a short body");
        // No body: the description stands in.
        let c = Fingerprint::compute(Some("Millbrook under water"), Some(body), "", &s).unwrap();
        assert_eq!(a.fingerprint, c.fingerprint);
        // Too few words for anything.
        assert_eq!(Fingerprint::compute(Some("Photos"), None, "Gallery", &s), None);
    }

    #[test]
    fn the_lead_is_the_first_real_paragraph() {
        let s = Scheme::default();
        let caption = "A firefighter watches flames climb a ridge above Cedar Hollow on Sunday.";
        let plain = Fingerprint::compute(Some("Fire above Cedar Hollow"), None, caption, &s).unwrap();
        let framed =
            format!("Pictures\n\n{caption}\n\n{caption}\n\nThis article is syndicated and is published as received.");
        let other = Fingerprint::compute(Some("Fire above Cedar Hollow"), None, &framed, &s).unwrap();
        assert_eq!(
            plain, other,
            "a label before and a repeat and a note after are not the lead"
        );
    }

    #[test]
    fn bytes_round_trip_and_bad_bytes_are_errors() {
        let c = Fingerprint::compute(None, None, BODY, &Scheme::default()).unwrap();
        let bytes = c.fingerprint.to_bytes();
        assert_eq!(bytes.len(), 6 + 2 * 128);
        assert_eq!(Fingerprint::from_bytes(&bytes).unwrap(), c.fingerprint);
        assert_eq!(Fingerprint::from_bytes(&bytes[..3]), Err(DecodeError::TooShort(3)));
        assert_eq!(Fingerprint::from_bytes(&bytes[..7]), Err(DecodeError::Odd));
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert_eq!(Fingerprint::from_bytes(&bad), Err(DecodeError::Format(9)));
        bad[0] = FORMAT;
        bad[1] = 7;
        assert_eq!(Fingerprint::from_bytes(&bad), Err(DecodeError::Kind(7)));
    }
}
