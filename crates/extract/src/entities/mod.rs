//! Entity tagging: news tokenisation and sentence splitting ([`tokenize`]), the statistical tagger for PER, ORG,
//! LOC and MISC (an averaged perceptron with rich hashed features, gazetteers and document-level history, decoded
//! with BIO-constrained Viterbi; [`NerModel`], trained by [`train()`]), rule-based dates and numbers ([`rules`]),
//! resolution inside an article ([`resolve`]) and quotes ([`quotes`]).

use std::sync::OnceLock;

use serde::Serialize;

pub mod clusters;
mod conll;
mod features;
mod gazetteer;
mod hash;
mod model;
mod normalize;
mod packed;
mod quotes;
mod resolve;
mod rules;
mod tagger;
pub mod tokenize;
mod train;

pub use clusters::Clusters;
pub use conll::{evaluate, prediction_file, read_conll, score, Doc, Prf, Score, Sentence};
pub use model::LABELS;
pub use tagger::NerModel;
pub use train::{corpus_size, learn_clusters, text_sentences, train, TrainConfig};

/// Recorded with every mention, so `gazette reprocess` knows what is stale. Bump when the model or rules change.
pub const TAGGER_VERSION: &str = "0.2.0";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum EntityKind {
    #[serde(rename = "PER")]
    Person,
    #[serde(rename = "ORG")]
    Organisation,
    #[serde(rename = "LOC")]
    Location,
    #[serde(rename = "MISC")]
    Misc,
    #[serde(rename = "DATE")]
    Date,
    #[serde(rename = "TIME")]
    Time,
    #[serde(rename = "MONEY")]
    Money,
    #[serde(rename = "PERCENT")]
    Percent,
    #[serde(rename = "CARDINAL")]
    Cardinal,
    #[serde(rename = "ORDINAL")]
    Ordinal,
}

impl EntityKind {
    /// The label stored in `entities.type`.
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Person => "PER",
            EntityKind::Organisation => "ORG",
            EntityKind::Location => "LOC",
            EntityKind::Misc => "MISC",
            EntityKind::Date => "DATE",
            EntityKind::Time => "TIME",
            EntityKind::Money => "MONEY",
            EntityKind::Percent => "PERCENT",
            EntityKind::Cardinal => "CARDINAL",
            EntityKind::Ordinal => "ORDINAL",
        }
    }
}

/// Which stored field a mention's offsets point into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    Title,
    Text,
    /// The lead image's caption (`articles.image_caption`).
    Caption,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
            Field::Caption => "caption",
        }
    }

    /// Reading order on the page: headline, lead image caption, body. Resolution reads mentions in this order.
    fn reading_order(self) -> u8 {
        match self {
            Field::Title => 0,
            Field::Caption => 1,
            Field::Text => 2,
        }
    }
}

/// A mention: `start..end` are character (Unicode scalar) offsets into the field, end exclusive, so that SQLite's
/// `substr(text, start + 1, end - start)` returns `surface`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mention {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub kind: EntityKind,
    /// The name this mention resolves to inside the article ("Austin" -> "Lloyd Austin", "U.S." -> "United States").
    pub canonical: String,
}

/// A direct quotation in the body text, with its speaker when the text says who.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quote {
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// The speaker's entity (kind, canonical name), when attributed.
    pub speaker: Option<(EntityKind, String)>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Annotations {
    pub mentions: Vec<Mention>,
    pub quotes: Vec<Quote>,
}

/// The trained model, compressed (see [`NerModel::to_bytes`]).
static MODEL_BYTES: &[u8] = include_bytes!("../../models/ner.model.deflate");

/// The tagger with the model embedded in the binary.
pub struct Tagger {
    model: Option<NerModel>,
}

impl Tagger {
    /// The embedded model, loaded once. (An unreadable model leaves only the rule-based types.)
    pub fn embedded() -> &'static Tagger {
        static TAGGER: OnceLock<Tagger> = OnceLock::new();
        TAGGER.get_or_init(|| Tagger {
            model: NerModel::from_bytes(MODEL_BYTES).ok(),
        })
    }

    /// A tagger with the given model (for evaluation and tests of freshly trained models).
    pub fn with_model(model: NerModel) -> Tagger {
        Tagger { model: Some(model) }
    }

    /// The statistical model, if one loaded.
    pub fn model(&self) -> Option<&NerModel> {
        self.model.as_ref()
    }

    /// Tags an article's title and body text.
    pub fn annotate(&self, title: &str, text: &str) -> Annotations {
        self.annotate_article(title, text, "")
    }

    /// Tags an article's title, body text and lead image caption as one document (a name in full in the caption
    /// resolves a surname in the body). Quotes come from the body only.
    pub fn annotate_article(&self, title: &str, text: &str, caption: &str) -> Annotations {
        let fields = [(Field::Title, title), (Field::Text, text), (Field::Caption, caption)];
        let field_toks: Vec<Vec<tokenize::Token>> = fields.iter().map(|(_, s)| tokenize::tokenize(s)).collect();
        let mut all_sents: Vec<(usize, &[tokenize::Token])> = Vec::new();
        let mut chars: Vec<Vec<char>> = Vec::new();
        for (fi, (_, s)) in fields.iter().enumerate() {
            let toks = &field_toks[fi];
            for r in tokenize::sentences(s, toks) {
                all_sents.push((fi, &toks[r]));
            }
            chars.push(s.chars().collect());
        }
        let normal: Vec<Vec<std::borrow::Cow<str>>> =
            all_sents.iter().map(|(_, t)| normalize::model_tokens(t)).collect();
        let mut doc: Vec<Vec<&str>> = normal.iter().map(|s| s.iter().map(|w| w.as_ref()).collect()).collect();
        let recased = normalize::recase_title_case(&doc);
        for (sent, rec) in doc.iter_mut().zip(&recased) {
            if let Some(rec) = rec {
                *sent = rec.iter().map(String::as_str).collect();
            }
        }
        let labels = match &self.model {
            Some(m) => m.tag_doc(&doc),
            None => doc.iter().map(|s| vec![0; s.len()]).collect(),
        };
        let mut mentions = Vec::new();
        for ((fi, toks), labs) in all_sents.iter().zip(&labels) {
            let field = fields[*fi].0;
            let mut spans = rules::model_spans(toks, labs);
            let numeric = rules::numeric_spans(toks);
            for n in numeric {
                if !spans.iter().any(|s| s.0 < n.1 && n.0 < s.1) {
                    spans.push(n);
                }
            }
            for (a, mut b, kind) in spans {
                while b > a + 1 && matches!(toks[b - 1].text.as_str(), "'s" | "’s" | "'" | "’") {
                    b -= 1;
                }
                let (start, end) = (toks[a].start, toks[b - 1].end);
                let surface: String = chars[*fi][start..end].iter().collect();
                mentions.push(Mention {
                    field,
                    start,
                    end,
                    canonical: surface.clone(),
                    surface,
                    kind,
                });
            }
        }
        let mut mentions = refine(mentions);
        mentions.sort_by_key(|m| (m.field.reading_order(), m.start));
        resolve::resolve(&mut mentions);
        let index = |f: Field| fields.iter().position(|(g, _)| *g == f).expect("every field is tagged");
        resolve::acronyms_from_text(&mut mentions, |f| &chars[index(f)]);
        let quotes = quotes::find_quotes(text, &mentions);
        Annotations { mentions, quotes }
    }
}

fn mention(field: Field, start: usize, surface: &str, kind: EntityKind) -> Mention {
    let end = start + surface.chars().count();
    Mention {
        field,
        start,
        end,
        surface: surface.to_string(),
        kind,
        canonical: surface.to_string(),
    }
}

/// Splits `Japan-U.S.` into its places, and `U.S. Defense Department` into the place and the body (whose canonical
/// name keeps the place, as does that of a body right after a place abbreviation).
fn refine(mentions: Vec<Mention>) -> Vec<Mention> {
    let mut out: Vec<Mention> = Vec::with_capacity(mentions.len());
    for m in mentions {
        let parts: Vec<&str> = m.surface.split('-').collect();
        let named = matches!(
            m.kind,
            EntityKind::Location | EntityKind::Misc | EntityKind::Organisation
        );
        if named && parts.len() > 1 && !m.surface.contains(' ') && parts.iter().all(|p| gazetteer::is_place(p)) {
            let mut at = m.start;
            for p in parts {
                out.push(mention(m.field, at, p, EntityKind::Location));
                at += p.chars().count() + 1;
            }
            continue;
        }
        // A curated region name (`Indo-Pacific`) is a place even where the model reads the hyphen as an adjective.
        if m.kind == EntityKind::Misc && gazetteer::is_region(&m.surface) {
            out.push(Mention {
                kind: EntityKind::Location,
                ..m
            });
            continue;
        }
        if m.kind == EntityKind::Organisation {
            if let Some((head, rest)) = m.surface.split_once(' ') {
                if is_place_abbreviation(head) && is_government_body(rest) {
                    out.push(mention(m.field, m.start, head, EntityKind::Location));
                    let mut body = mention(m.field, m.start + head.chars().count() + 1, rest, m.kind);
                    body.canonical = m.surface.clone();
                    out.push(body);
                    continue;
                }
            }
            let prev = out
                .last()
                .filter(|p| p.field == m.field && p.end + 1 == m.start && p.kind == EntityKind::Location);
            if let Some(p) = prev.filter(|p| is_place_abbreviation(&p.surface) && is_government_body(&m.surface)) {
                let canonical = format!("{} {}", p.surface, m.surface);
                out.push(Mention { canonical, ..m });
                continue;
            }
        }
        out.push(m);
    }
    out
}

fn is_place_abbreviation(s: &str) -> bool {
    s.len() <= 5 && s.chars().all(|c| c.is_uppercase() || c == '.') && resolve::alias(s).is_some()
}

fn is_government_body(s: &str) -> bool {
    let last = s.rsplit(' ').next().unwrap_or("");
    s.split(' ').count() <= 4
        && matches!(
            last,
            "Department" | "Ministry" | "Agency" | "Army" | "Navy" | "Embassy" | "Command" | "Office"
        )
}
