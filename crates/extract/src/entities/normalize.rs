//! What the model sees of raw text: curly quotes and apostrophes as the straight ones of its newswire training data,
//! and title-case headlines re-cased (a word goes to lower case when the article uses it in lower case and never
//! capitalised mid-sentence), since the training data has no title-case headlines.

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

/// For each title-case sentence, its re-cased tokens.
pub fn recase_title_case(doc: &[Vec<&str>]) -> Vec<Option<Vec<String>>> {
    let title: Vec<bool> = doc.iter().map(|s| is_title_case(s)).collect();
    if !title.contains(&true) {
        return vec![None; doc.len()];
    }
    let plain: Vec<Vec<&str>> = doc
        .iter()
        .zip(&title)
        .filter(|(_, t)| !**t)
        .map(|(s, _)| s.clone())
        .collect();
    let flags: HashMap<u64, u8> = doc_flags(&plain);
    doc.iter()
        .zip(&title)
        .map(|(sent, &t)| {
            if !t {
                return None;
            }
            Some(
                sent.iter()
                    .enumerate()
                    .map(|(i, w)| {
                        let f = flags.get(&hash_str_lower(w)).copied().unwrap_or(0);
                        if i > 0 && f == 2 {
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
