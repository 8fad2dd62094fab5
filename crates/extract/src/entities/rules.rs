//! Rule-based OntoNotes types (DATE, TIME, MONEY, PERCENT, CARDINAL, ORDINAL) over tokens, and model labels to spans.

use super::model::{is_inside, label_type};
use super::tokenize::Token;
use super::EntityKind;

/// Token spans `(start, end, kind)` of the model's BIO labels.
pub fn model_spans(toks: &[Token], labels: &[usize]) -> Vec<(usize, usize, EntityKind)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let l = labels[i];
        if l == 0 {
            i += 1;
            continue;
        }
        let t = label_type(l);
        let mut j = i + 1;
        while j < toks.len() && is_inside(labels[j]) && label_type(labels[j]) == t {
            j += 1;
        }
        let kind = match t {
            1 => EntityKind::Person,
            2 => EntityKind::Organisation,
            3 => EntityKind::Location,
            _ => EntityKind::Misc,
        };
        out.push((i, j, kind));
        i = j;
    }
    out
}

pub fn numeric_spans(_toks: &[Token]) -> Vec<(usize, usize, EntityKind)> {
    Vec::new()
}
