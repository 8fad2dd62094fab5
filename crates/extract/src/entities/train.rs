//! Training: a structured averaged perceptron over whole documents in order (so the prediction-history features see
//! the model's own earlier predictions, as at tagging time), with training names held out of their own document.

use super::clusters::{learn, Clusters};
use super::conll::{chunks, evaluate, Doc, Score};
use super::features::{
    docwide_features, history_features, record_history, sentence_features, DocContext, History, SentenceFeatures,
};
use super::gazetteer::{phrase_hash, Gazetteer, TrainNames};
use super::knowledge::Knowledge;
use super::model::{emissions, label_type, parse_tag, viterbi, Table, L};
use super::tagger::{NerModel, Weights};

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub epochs: usize,
    pub seed: u64,
    /// Jack-knife folds for the second stage (below 2: no second stage).
    pub folds: usize,
    /// Perceptrons averaged per stage (each on its own shuffle).
    pub models: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            epochs: 12,
            seed: 7,
            folds: 4,
            models: 1,
        }
    }
}

/// Entity names of one document: phrase hash -> counts per type.
fn doc_names(doc: &Doc) -> TrainNames {
    let mut m = TrainNames::default();
    for s in &doc.sentences {
        let tags: Vec<&str> = s.tags.iter().map(String::as_str).collect();
        for (a, b, t) in chunks(&tags) {
            let k = match t.as_str() {
                "PER" => 0,
                "ORG" => 1,
                "LOC" => 2,
                "MISC" => 3,
                _ => continue,
            };
            let h = phrase_hash(s.tokens[a..b].iter().map(String::as_str));
            m.entry(h).or_insert([0; 4])[k] += 1;
        }
    }
    m
}

struct Averaged {
    w: Vec<[f32; L]>,
    acc: Vec<[f64; L]>,
    trans: [[f32; L]; L],
    trans_acc: [[f64; L]; L],
    start: [f32; L],
    start_acc: [f64; L],
    c: f64,
}

impl Averaged {
    fn ensure(&mut self, n: usize) {
        if self.w.len() < n {
            self.w.resize(n, [0.0; L]);
            self.acc.resize(n, [0.0; L]);
        }
    }

    fn add(&mut self, row: u32, l: usize, d: f32) {
        self.w[row as usize][l] += d;
        self.acc[row as usize][l] += self.c * d as f64;
    }

    fn averaged(&self) -> (Vec<[f32; L]>, [[f32; L]; L], [f32; L]) {
        let c = self.c.max(1.0);
        let rows = self
            .w
            .iter()
            .zip(&self.acc)
            .map(|(w, a)| std::array::from_fn(|k| (w[k] as f64 - a[k] / c) as f32))
            .collect();
        let trans = std::array::from_fn(|p| {
            std::array::from_fn(|k| (self.trans[p][k] as f64 - self.trans_acc[p][k] / c) as f32)
        });
        let start = std::array::from_fn(|k| (self.start[k] as f64 - self.start_acc[k] / c) as f32);
        (rows, trans, start)
    }
}

/// Training data of one document: static features (hashed ids) and gold labels per sentence.
type DocData = Vec<(SentenceFeatures, Vec<usize>)>;

/// Trains a model on `train`: the first stage on everything; the second stage on first-stage predictions made by
/// models that did not see the document (`cfg.folds`-fold jack-knifing). After each second-stage epoch `progress`
/// gets the epoch number and the dev score (when `dev` is given).
pub fn train(
    train: &[Doc],
    dev: Option<&[Doc]>,
    cfg: &TrainConfig,
    clusters: &Clusters,
    knowledge: &Knowledge,
    mut progress: impl FnMut(usize, Option<&Score>),
) -> NerModel {
    let per_doc: Vec<TrainNames> = train.iter().map(doc_names).collect();
    let mut names = TrainNames::default();
    for m in &per_doc {
        for (h, c) in m {
            let e = names.entry(*h).or_insert([0; 4]);
            for k in 0..4 {
                e[k] += c[k];
            }
        }
    }
    let gaz = Gazetteer::builtin().with_derived(&knowledge.phrases);
    let data: Vec<DocData> = train
        .iter()
        .zip(&per_doc)
        .map(|(doc, own)| {
            let refs = doc.token_refs();
            let ctx = DocContext::new(&refs);
            refs.iter()
                .zip(&doc.sentences)
                .enumerate()
                .map(|(si, (r, s))| {
                    let f = sentence_features(r, &gaz, Some((&names, own)), &ctx, si, clusters, &knowledge.classes);
                    (f, s.tags.iter().map(|t| parse_tag(t)).collect())
                })
                .collect()
        })
        .collect();
    let all: Vec<usize> = (0..data.len()).collect();
    let first = fit_avg(&data, &all, None, cfg);
    if cfg.folds < 2 {
        let model = NerModel::new(first, None, names, clusters.clone(), knowledge.clone());
        let score = dev.map(|d| evaluate(&model, d).0);
        progress(cfg.epochs, score.as_ref());
        return model;
    }
    // First-stage labels of every training document from a model trained without it.
    let mut first_labels: Vec<Vec<Vec<usize>>> = vec![Vec::new(); data.len()];
    for fold in 0..cfg.folds {
        let keep: Vec<usize> = all.iter().copied().filter(|d| d % cfg.folds != fold).collect();
        let w = fit_avg(&data, &keep, None, cfg);
        for d in all.iter().copied().filter(|d| d % cfg.folds == fold) {
            let feats: Vec<SentenceFeatures> = data[d].iter().map(|(f, _)| f.clone()).collect();
            first_labels[d] = w.decode_doc(&feats, None);
        }
    }
    let extras: Vec<Vec<Vec<Vec<u32>>>> = data
        .iter()
        .zip(&first_labels)
        .map(|(doc, labels)| {
            let feats: Vec<SentenceFeatures> = doc.iter().map(|(f, _)| f.clone()).collect();
            docwide_features(&feats, labels)
        })
        .collect();
    let second = if cfg.models > 1 {
        fit_avg(&data, &all, Some(&extras), cfg)
    } else {
        fit(&data, &all, Some(&extras), cfg, |epoch, w| {
            let score = dev.map(|d| {
                let model = NerModel::new(
                    first.clone(),
                    Some(w.clone()),
                    names.clone(),
                    clusters.clone(),
                    knowledge.clone(),
                );
                evaluate(&model, d).0
            });
            progress(epoch, score.as_ref());
        })
    };
    let model = NerModel::new(first, Some(second), names, clusters.clone(), knowledge.clone());
    if cfg.models > 1 {
        let score = dev.map(|d| evaluate(&model, d).0);
        progress(cfg.epochs, score.as_ref());
    }
    model
}

/// The average of `cfg.models` perceptrons trained on differently shuffled data (less variance than one).
fn fit_avg(data: &[DocData], docs: &[usize], extras: Option<&[Vec<Vec<Vec<u32>>>]>, cfg: &TrainConfig) -> Weights {
    if cfg.models <= 1 {
        return fit(data, docs, extras, cfg, |_, _| {});
    }
    let mut out = Weights {
        table: Table::with_capacity(1 << 20),
        ..Weights::default()
    };
    let share = 1.0 / cfg.models as f32;
    for m in 0..cfg.models {
        let c = TrainConfig {
            seed: cfg.seed.wrapping_add(m as u64 * 0x9E37_79B9),
            ..cfg.clone()
        };
        let w = fit(data, docs, extras, &c, |_, _| {});
        for (k, r) in w.table.entries() {
            let row = out.table.get_or_insert(k) as usize;
            if row >= out.rows.len() {
                out.rows.resize(row + 1, [0.0; L]);
            }
            for l in 0..L {
                out.rows[row][l] += w.rows[r as usize][l] * share;
            }
        }
        for p in 0..L {
            for l in 0..L {
                out.trans[p][l] += w.trans[p][l] * share;
            }
            out.start[p] += w.start[p] * share;
        }
    }
    out
}

/// One averaged perceptron over the documents `docs` of `data`, with optional extra per-token features; `on_epoch`
/// sees the averaged weights after each epoch.
fn fit(
    data: &[DocData],
    docs: &[usize],
    extras: Option<&[Vec<Vec<Vec<u32>>>]>,
    cfg: &TrainConfig,
    mut on_epoch: impl FnMut(usize, &Weights),
) -> Weights {
    let mut table = Table::with_capacity(1 << 20);
    // Features as row indexes.
    let rows: Vec<Vec<(SentenceFeatures, Vec<Vec<u32>>)>> = docs
        .iter()
        .map(|&d| {
            data[d]
                .iter()
                .enumerate()
                .map(|(si, (f, _))| {
                    let mut f = f.clone();
                    for id in &mut f.ids {
                        *id = table.get_or_insert(*id);
                    }
                    let ex: Vec<Vec<u32>> = (0..f.len())
                        .map(|i| match extras {
                            Some(e) => e[d][si][i].iter().map(|&id| table.get_or_insert(id)).collect(),
                            None => Vec::new(),
                        })
                        .collect();
                    (f, ex)
                })
                .collect()
        })
        .collect();
    let mut m = Averaged {
        w: Vec::new(),
        acc: Vec::new(),
        trans: [[0.0; L]; L],
        trans_acc: [[0.0; L]; L],
        start: [0.0; L],
        start_acc: [0.0; L],
        c: 1.0,
    };
    m.ensure(table.len());
    let mut order: Vec<usize> = (0..docs.len()).collect();
    let mut rng = cfg.seed.max(1);
    for epoch in 1..=cfg.epochs {
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &k in &order {
            let mut hist = History::default();
            for ((f, ex), (_, gold)) in rows[k].iter().zip(&data[docs[k]]) {
                let extra: Vec<Vec<u32>> = (0..f.len())
                    .map(|i| {
                        let mut v = Vec::new();
                        history_features(&hist, f.lower[i], f.cap[i], &mut v);
                        v.iter_mut().for_each(|id| *id = table.get_or_insert(*id));
                        v.extend_from_slice(&ex[i]);
                        v
                    })
                    .collect();
                m.ensure(table.len());
                let em = emissions(f, &extra, &m.w, Some);
                let pred = viterbi(&em, &m.trans, &m.start);
                if pred != *gold {
                    update(&mut m, f, &extra, gold, &pred);
                }
                m.c += 1.0;
                let types: Vec<usize> = pred.iter().map(|&l| label_type(l)).collect();
                record_history(&mut hist, f, &types);
            }
        }
        let (rows, trans, start) = m.averaged();
        on_epoch(
            epoch,
            &Weights {
                table: table.clone(),
                rows,
                trans,
                start,
            },
        );
    }
    let (rows, trans, start) = m.averaged();
    Weights {
        table,
        rows,
        trans,
        start,
    }
}

fn update(m: &mut Averaged, f: &SentenceFeatures, extra: &[Vec<u32>], gold: &[usize], pred: &[usize]) {
    for i in 0..gold.len() {
        let (g, p) = (gold[i], pred[i]);
        if g != p {
            for &r in f.token(i).iter().chain(&extra[i]) {
                m.add(r, g, 1.0);
                m.add(r, p, -1.0);
            }
        }
        let c = m.c;
        if i == 0 {
            if g != p {
                m.start[g] += 1.0;
                m.start_acc[g] += c;
                m.start[p] -= 1.0;
                m.start_acc[p] -= c;
            }
        } else if (gold[i - 1], g) != (pred[i - 1], p) {
            m.trans[gold[i - 1]][g] += 1.0;
            m.trans_acc[gold[i - 1]][g] += c;
            m.trans[pred[i - 1]][p] -= 1.0;
            m.trans_acc[pred[i - 1]][p] -= c;
        }
    }
}

/// Counts of documents, sentences and tokens (for progress messages).
pub fn corpus_size(docs: &[Doc]) -> (usize, usize, usize) {
    let s: usize = docs.iter().map(|d| d.sentences.len()).sum();
    let t: usize = docs.iter().flat_map(|d| &d.sentences).map(|s| s.tokens.len()).sum();
    (docs.len(), s, t)
}

/// Word clusters from the training tokens plus unlabelled sentences (tokenised raw text).
pub fn learn_clusters(train: &[Doc], unlabelled: Vec<Vec<String>>) -> Clusters {
    let mut sents = unlabelled;
    for d in train {
        for s in &d.sentences {
            sents.push(s.tokens.clone());
        }
    }
    learn(&sents, &[64, 256, 1024], 3, 8)
}

/// Tokenised sentences of raw text (for clustering).
pub fn text_sentences(text: &str) -> Vec<Vec<String>> {
    let toks = super::tokenize::tokenize(text);
    super::tokenize::sentences(text, &toks)
        .into_iter()
        .map(|r| toks[r].iter().map(|t| t.text.clone()).collect())
        .collect()
}
