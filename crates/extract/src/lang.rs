//! Language of the article: detected from the body text with whatlang, cross-checked with what the page declares.
//!
//! Declarations are often template defaults (`<html lang="en">` on a Spanish article), and detection is unreliable on
//! short texts, so the declared language wins unless detection is confident and disagrees.

use whatlang::Lang;

use crate::article::Source;

/// ISO 639-1 code for whatlang's ISO 639-3 languages (639-3 code where there is no two-letter one).
pub fn iso639_1(lang: Lang) -> &'static str {
    use Lang::*;
    match lang {
        Eng => "en",
        Fra => "fr",
        Spa => "es",
        Deu => "de",
        Ita => "it",
        Por => "pt",
        Rus => "ru",
        Jpn => "ja",
        Cmn => "zh",
        Ara => "ar",
        Heb => "he",
        Nld => "nl",
        Pol => "pl",
        Tur => "tr",
        Ukr => "uk",
        Kor => "ko",
        Hin => "hi",
        Swe => "sv",
        Dan => "da",
        Nob => "nb",
        Fin => "fi",
        Ces => "cs",
        Ell => "el",
        Hun => "hu",
        Ron => "ro",
        Vie => "vi",
        Tha => "th",
        Ind => "id",
        Pes => "fa",
        Ben => "bn",
        Bul => "bg",
        Hrv => "hr",
        Srp => "sr",
        Slk => "sk",
        Slv => "sl",
        Cat => "ca",
        Lit => "lt",
        Lav => "lv",
        Est => "et",
        Urd => "ur",
        Bel => "be",
        Mkd => "mk",
        Aze => "az",
        Kat => "ka",
        Hye => "hy",
        Tam => "ta",
        Tel => "te",
        Mar => "mr",
        Guj => "gu",
        Kan => "kn",
        Mal => "ml",
        Pan => "pa",
        Nep => "ne",
        Sin => "si",
        Khm => "km",
        Epo => "eo",
        Lat => "la",
        Afr => "af",
        Zul => "zu",
        Yid => "yi",
        Tgl => "tl",
        Uzb => "uz",
        Amh => "am",
        Jav => "jv",
        Ori => "or",
        Mya => "my",
        Aka => "ak",
        Sna => "sn",
        Tuk => "tk",
        other => other.code(),
    }
}

/// Chooses the language from the declared one and the body text.
pub fn decide(declared: Option<(String, Source)>, text: &str) -> Option<(String, Source)> {
    // A bounded sample keeps detection cheap on long pages.
    let mut end = text.len().min(1500);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let detected = whatlang::detect(&text[..end]).map(|i| (iso639_1(i.lang()), i.is_reliable(), i.confidence()));
    let same = |a: &str, b: &str| a == b || matches!((a, b), ("no" | "nb" | "nn", "nb") | ("iw", "he") | ("in", "id"));
    match (declared, detected) {
        (Some((d, src)), Some((l, reliable, conf))) => {
            if same(&d, l) || !reliable || conf < 0.5 {
                Some((d, src))
            } else {
                Some((l.to_string(), Source::Text))
            }
        }
        (Some(d), None) => Some(d),
        (None, Some((l, reliable, _))) if reliable || text.len() > 200 => Some((l.to_string(), Source::Text)),
        _ => None,
    }
}

/// English function words that are not also common words of other Latin-script languages (no `in`, `is`, `was`,
/// `a`, `as`, `die`).
const ENGLISH_WORDS: &[&str] = &[
    "the", "of", "and", "to", "that", "for", "with", "said", "were", "has", "have", "from", "by", "this", "are",
    "which", "would", "will", "their", "it", "its", "he", "she", "they", "been", "who", "after", "not", "but",
];

/// Whether a text is plainly English: at least one word in eight is an English function word. Much cheaper than
/// detection, so most English paragraphs never need it.
fn plainly_english(text: &str) -> bool {
    let (mut words, mut english) = (0usize, 0usize);
    for w in text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .take(200)
    {
        words += 1;
        if w.len() <= 5 && ENGLISH_WORDS.iter().any(|e| e.eq_ignore_ascii_case(w)) {
            english += 1;
        }
    }
    words >= 8 && english * 8 >= words
}

/// The language of a paragraph when detection is sure of it (long enough and reliable), else `None`: for the tagger,
/// which tags names only in languages it was trained for and checks paragraph by paragraph on mixed pages.
pub fn paragraph_language(text: &str) -> Option<&'static str> {
    if text.chars().filter(|c| c.is_alphabetic()).count() < 60 {
        return None;
    }
    if plainly_english(text) {
        return Some("en");
    }
    let mut end = text.len().min(1000);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    (info.is_reliable() && info.confidence() >= 0.5).then(|| iso639_1(info.lang()))
}

/// The primary subtag of a language tag, lower-cased: `en-GB` -> `en`.
pub fn primary(tag: &str) -> String {
    tag.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase()
}
