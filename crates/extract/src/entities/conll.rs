//! CoNLL-2003 files and conlleval scoring: reading documents (`-DOCSTART-`) and sentences (blank lines), exact-match
//! entity precision, recall and F1 overall and per type (the chunk rules of conlleval), and evaluating a model.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::model::LABELS;
use super::tagger::NerModel;

#[derive(Debug, Clone, Default)]
pub struct Sentence {
    pub tokens: Vec<String>,
    /// The NER tag (last column).
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct Doc {
    pub sentences: Vec<Sentence>,
}

impl Doc {
    pub fn token_refs(&self) -> Vec<Vec<&str>> {
        self.sentences
            .iter()
            .map(|s| s.tokens.iter().map(String::as_str).collect())
            .collect()
    }
}

/// Reads a CoNLL file: token first, NER tag last. A file without `-DOCSTART-` is one document.
pub fn read_conll(text: &str) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut doc = Doc::default();
    let mut sent = Sentence::default();
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() || cols[0] == "-DOCSTART-" {
            if !sent.tokens.is_empty() {
                doc.sentences.push(std::mem::take(&mut sent));
            }
            if cols.first() == Some(&"-DOCSTART-") && !doc.sentences.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        sent.tokens.push(cols[0].to_string());
        sent.tags.push(if cols.len() > 1 {
            cols[cols.len() - 1].to_string()
        } else {
            "O".to_string()
        });
    }
    if !sent.tokens.is_empty() {
        doc.sentences.push(sent);
    }
    if !doc.sentences.is_empty() {
        docs.push(doc);
    }
    docs
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub correct: usize,
    pub predicted: usize,
    pub gold: usize,
}

impl Prf {
    fn new(correct: usize, predicted: usize, gold: usize) -> Prf {
        let p = if predicted > 0 {
            100.0 * correct as f64 / predicted as f64
        } else {
            0.0
        };
        let r = if gold > 0 {
            100.0 * correct as f64 / gold as f64
        } else {
            0.0
        };
        let f1 = if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
        Prf {
            precision: p,
            recall: r,
            f1,
            correct,
            predicted,
            gold,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Score {
    pub tokens: usize,
    pub sentences: usize,
    pub token_accuracy: f64,
    pub overall: Prf,
    pub per_type: BTreeMap<String, Prf>,
}

impl Score {
    /// conlleval.py's text report.
    pub fn report(&self) -> String {
        let o = &self.overall;
        let mut s = String::new();
        let _ = writeln!(
            s,
            "processed {} tokens in {} sentences; found: {} phrases; correct: {}; gold: {}",
            self.tokens, self.sentences, o.predicted, o.correct, o.gold
        );
        let _ = writeln!(
            s,
            "accuracy: {:6.2}%; precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}",
            self.token_accuracy, o.precision, o.recall, o.f1
        );
        for (t, p) in &self.per_type {
            let _ = writeln!(
                s,
                "{t:>17}: precision: {:6.2}%; recall: {:6.2}%; FB1: {:6.2}  {} (gold {})",
                p.precision, p.recall, p.f1, p.predicted, p.gold
            );
        }
        s
    }
}

fn split_tag(tag: &str) -> (char, &str) {
    if tag == "O" || tag.is_empty() {
        return ('O', "");
    }
    let b = tag.as_bytes();
    if tag.len() > 2 && (b[1] == b'-' || b[1] == b'_') {
        let p = match b[0].to_ascii_uppercase() {
            b'L' => 'E',
            b'U' => 'S',
            c => c as char,
        };
        return (p, &tag[2..]);
    }
    ('I', tag)
}

/// Chunks `(start, end, type)` of one sentence, by conlleval's rules.
pub fn chunks(tags: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let (mut prev_tag, mut prev_type, mut start) = ('O', String::new(), 0);
    for i in 0..=tags.len() {
        let (tag, typ) = if i < tags.len() { split_tag(tags[i]) } else { ('O', "") };
        let end =
            prev_tag != 'O' && (matches!(prev_tag, 'E' | 'S') || matches!(tag, 'B' | 'S' | 'O') || prev_type != typ);
        if end {
            out.push((start, i, prev_type.clone()));
        }
        let begins =
            tag != 'O' && (matches!(tag, 'B' | 'S') || matches!(prev_tag, 'E' | 'S' | 'O') || prev_type != typ);
        if begins {
            start = i;
        }
        prev_tag = tag;
        prev_type = typ.to_string();
    }
    out
}

/// Scores predicted tags against gold, sentence by sentence.
pub fn score(pairs: &[(Vec<&str>, Vec<&str>)]) -> Score {
    let mut gold: BTreeMap<String, usize> = BTreeMap::new();
    let mut pred: BTreeMap<String, usize> = BTreeMap::new();
    let mut ok: BTreeMap<String, usize> = BTreeMap::new();
    let (mut tok_ok, mut tok_all) = (0, 0);
    for (g, p) in pairs {
        let gc = chunks(g);
        let pc = chunks(p);
        for c in &gc {
            *gold.entry(c.2.clone()).or_default() += 1;
        }
        for c in &pc {
            *pred.entry(c.2.clone()).or_default() += 1;
            if gc.contains(c) {
                *ok.entry(c.2.clone()).or_default() += 1;
            }
        }
        tok_all += g.len();
        tok_ok += g.iter().zip(p).filter(|(a, b)| a == b).count();
    }
    let types: std::collections::BTreeSet<&String> = gold.keys().chain(pred.keys()).collect();
    let get = |m: &BTreeMap<String, usize>, t: &String| m.get(t).copied().unwrap_or(0);
    Score {
        tokens: tok_all,
        sentences: pairs.len(),
        token_accuracy: if tok_all > 0 {
            100.0 * tok_ok as f64 / tok_all as f64
        } else {
            0.0
        },
        overall: Prf::new(ok.values().sum(), pred.values().sum(), gold.values().sum()),
        per_type: types
            .into_iter()
            .map(|t| (t.clone(), Prf::new(get(&ok, t), get(&pred, t), get(&gold, t))))
            .collect(),
    }
}

/// Tags every document and returns the score with the predicted tags (per document, per sentence).
pub fn evaluate(model: &NerModel, docs: &[Doc]) -> (Score, Vec<Vec<Vec<&'static str>>>) {
    let preds: Vec<Vec<Vec<&'static str>>> = docs
        .iter()
        .map(|d| {
            model
                .tag_doc(&d.token_refs())
                .into_iter()
                .map(|s| s.into_iter().map(|l| LABELS[l]).collect())
                .collect()
        })
        .collect();
    let mut pairs = Vec::new();
    for (d, p) in docs.iter().zip(&preds) {
        for (s, ps) in d.sentences.iter().zip(p) {
            pairs.push((s.tags.iter().map(String::as_str).collect(), ps.clone()));
        }
    }
    (score(&pairs), preds)
}

/// The `token predicted-tag` file conlleval.py reads: one token per line, a blank line after each sentence.
pub fn prediction_file(docs: &[Doc], preds: &[Vec<Vec<&str>>]) -> String {
    let mut out = String::new();
    for (d, p) in docs.iter().zip(preds) {
        for (s, ps) in d.sentences.iter().zip(p) {
            for (t, l) in s.tokens.iter().zip(ps) {
                out.push_str(t);
                out.push(' ');
                out.push_str(l);
                out.push('\n');
            }
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunk_rules_match_conlleval() {
        assert_eq!(
            chunks(&["B-PER", "I-PER", "O", "I-LOC", "B-LOC"]),
            vec![
                (0, 2, "PER".to_string()),
                (3, 4, "LOC".to_string()),
                (4, 5, "LOC".to_string())
            ]
        );
        let s = score(&[(vec!["B-PER", "I-PER", "O"], vec!["B-PER", "O", "O"])]);
        assert_eq!(s.overall.correct, 0);
        assert_eq!(s.overall.predicted, 1);
    }

    #[test]
    fn reads_docs_and_sentences() {
        let docs = read_conll("-DOCSTART- -X- -X- O\n\nEU NNP B-NP B-ORG\nrejects VBZ B-VP O\n\nPeter NNP B-NP B-PER\n\n-DOCSTART- -X- -X- O\n\nX NN O O\n");
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].sentences.len(), 2);
        assert_eq!(docs[0].sentences[0].tags, ["B-ORG", "O"]);
    }
}
