//! What the model sees of raw text: curly quotes and apostrophes as the straight ones of its newswire training data,
//! and title-case and all-caps headlines re-cased from the article's own usage, since the training data has no
//! title-case headlines.

use std::borrow::Cow;

use super::hash::HashMap;

use super::features::doc_flags;
use super::hash::hash_str_lower;
use super::tokenize::Token;

/// Token texts with typographic quotes straightened.
pub fn model_tokens(toks: &[Token]) -> Vec<Cow<'_, str>> {
    toks.iter()
        .map(|t| {
            if t.text.contains(['’', '‘', '“', '”', '„']) {
                Cow::Owned(t.text.replace(['’', '‘'], "'").replace(['“', '”', '„'], "\""))
            } else {
                Cow::Borrowed(t.text.as_str())
            }
        })
        .collect()
}

/// How a sentence is cased: capitals carry information only in sentence case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Casing {
    Sentence,
    Title,
    Caps,
}

/// The casing of a tokenised sentence. A headline is title case when three in four of its words of four letters or
/// more are capitalised (`Rewriting Rules of Engagement with Video in 2020`); a sentence of the body needs more, since
/// a sentence full of names looks the same.
pub fn casing(sent: &[&str], headline: bool) -> Casing {
    if super::features::is_caps_sentence(sent) {
        Casing::Caps
    } else if is_title_case(sent) || (headline && is_headline_title_case(sent)) {
        Casing::Title
    } else {
        Casing::Sentence
    }
}

fn is_headline_title_case(sent: &[&str]) -> bool {
    let long: Vec<&&str> = sent
        .iter()
        .filter(|w| w.chars().count() >= 4 && w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let caps = long.iter().filter(|w| w.starts_with(char::is_uppercase)).count();
    long.len() >= 3 && caps * 4 >= long.len() * 3
}

fn is_title_case(sent: &[&str]) -> bool {
    let words: Vec<&&str> = sent
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    let caps = words.iter().filter(|w| w.starts_with(char::is_uppercase)).count();
    let lower_long = words
        .iter()
        .filter(|w| w.starts_with(char::is_lowercase) && w.chars().count() > 5)
        .count();
    words.len() >= 3 && caps * 4 >= words.len() * 3 && lower_long == 0
}

/// For each title-case or all-caps sentence (`headline`: whether each sentence is a headline's), its re-cased tokens: a word the article uses in lower case (and never
/// capitalised mid-sentence) goes to lower case; in an all-caps sentence, a word the article capitalises takes the
/// article's form (`RABUKA` -> `Rabuka`, `NATO` stays) and any other word goes to lower case.
pub fn recase_headlines(doc: &[Vec<&str>], headline: &[bool]) -> Vec<Option<Vec<String>>> {
    let casing: Vec<Casing> = doc.iter().zip(headline).map(|(s, &h)| casing(s, h)).collect();
    if casing.iter().all(|c| *c == Casing::Sentence) {
        return vec![None; doc.len()];
    }
    let plain: Vec<Vec<&str>> = doc
        .iter()
        .zip(&casing)
        .filter(|(_, c)| **c == Casing::Sentence)
        .map(|(s, _)| s.clone())
        .collect();
    let flags: HashMap<u64, u8> = doc_flags(&plain);
    let mut forms: HashMap<u64, &str> = HashMap::default();
    for sent in &plain {
        for w in sent.iter().skip(1) {
            if w.starts_with(char::is_uppercase) {
                forms.entry(hash_str_lower(w)).or_insert(w);
            }
        }
    }
    doc.iter()
        .zip(&casing)
        .map(|(sent, &c)| {
            if c == Casing::Sentence {
                return None;
            }
            Some(
                sent.iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let h = hash_str_lower(w);
                        let f = flags.get(&h).copied().unwrap_or(0);
                        if c == Casing::Caps {
                            return match forms.get(&h) {
                                Some(form) => form.to_string(),
                                None => w.to_lowercase(),
                            };
                        }
                        if (i > 0 || c == Casing::Caps) && f == 2 {
                            w.to_lowercase()
                        } else {
                            w.to_string()
                        }
                    })
                    .collect(),
            )
        })
        .collect()
}
