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
mod headline;
mod knowledge;
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
pub use knowledge::{Knowledge, KnowledgeError};
pub use model::LABELS;
pub use tagger::NerModel;
pub use train::{corpus_size, learn_clusters, text_sentences, train, TrainConfig};

/// Recorded with every mention, so `gazette reprocess` knows what is stale. Bump when the model or rules change.
pub const TAGGER_VERSION: &str = "0.3.0";

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
    /// Languages (ISO 639-1) of the text left untagged for names (PER, ORG, LOC, MISC) because the tagger was not
    /// trained for them; empty when all the text was tagged. Dates and numbers are tagged in any language.
    pub untagged_languages: Vec<String>,
    /// Whether names were tagged in all, part or none of the article (for the store: an article whose names were
    /// not tagged is not an article without names).
    pub names: NameCoverage,
}

/// How much of an article the name tagger covered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NameCoverage {
    #[default]
    All,
    Partial,
    None,
}

/// An article's texts, as given to [`Tagger::annotate_text`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ArticleText<'a> {
    pub title: &'a str,
    /// The body (paragraphs separated by newlines).
    pub text: &'a str,
    /// The lead image's caption.
    pub caption: &'a str,
    /// The article's language (a BCP 47 tag such as `en` or `pt-BR`), when known; otherwise it is detected.
    pub language: Option<&'a str>,
}

/// The languages the name tagger was trained for.
const NAME_LANGUAGES: &[&str] = &["en"];

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

    /// Tags an article's title and body text (language detected).
    pub fn annotate(&self, title: &str, text: &str) -> Annotations {
        self.annotate_text(&ArticleText {
            title,
            text,
            ..ArticleText::default()
        })
    }

    /// Tags an article's title, body text and lead image caption (language detected).
    pub fn annotate_article(&self, title: &str, text: &str, caption: &str) -> Annotations {
        self.annotate_text(&ArticleText {
            title,
            text,
            caption,
            language: None,
        })
    }

    /// Tags an article's title, body text and lead image caption as one document (a name in full in the caption
    /// resolves a surname in the body). Names are tagged only in English text: the article's language decides, and
    /// a body paragraph whose language detection is sure of another language follows that. Quotes come from the
    /// body only. Names in the headline, and in any title-case or all-caps line, are kept only where the rest of the
    /// article names them (or, in a sentence-case headline, when they are well-known names), since capitals there
    /// say little.
    pub fn annotate_text(&self, article: &ArticleText) -> Annotations {
        let fields = [
            (Field::Title, article.title),
            (Field::Text, article.text),
            (Field::Caption, article.caption),
        ];
        let doc_lang = match article.language.map(crate::lang::primary).filter(|l| !l.is_empty()) {
            Some(l) => l,
            None => crate::lang::paragraph_language(article.text)
                .unwrap_or("en")
                .to_string(),
        };
        let mut untagged: Vec<String> = Vec::new();
        let mut wordy_tagged = false;
        let field_toks: Vec<Vec<tokenize::Token>> = fields.iter().map(|(_, s)| tokenize::tokenize(s)).collect();
        // (field, tokens, whether names are tagged, how the sentence is cased)
        let mut all_sents: Vec<(usize, &[tokenize::Token], bool)> = Vec::new();
        let mut chars: Vec<Vec<char>> = Vec::new();
        for (fi, (field, s)) in fields.iter().enumerate() {
            let toks = &field_toks[fi];
            let cs: Vec<char> = s.chars().collect();
            let langs = line_languages(&cs, &doc_lang, *field == Field::Text);
            for r in tokenize::sentences(s, toks) {
                let sent = &toks[r];
                let lang = sent
                    .first()
                    .and_then(|t| langs.iter().find(|(a, b, _)| *a <= t.start && t.start < *b))
                    .map_or(doc_lang.as_str(), |(_, _, l)| l.as_str());
                let names = NAME_LANGUAGES.contains(&lang);
                if sent.iter().any(|t| t.text.chars().any(char::is_alphabetic)) {
                    if names {
                        wordy_tagged = true;
                    } else {
                        untagged.push(lang.to_string());
                    }
                }
                all_sents.push((fi, sent, names));
            }
            chars.push(cs);
        }
        untagged.sort();
        untagged.dedup();
        let tagged: Vec<usize> = (0..all_sents.len()).filter(|&i| all_sents[i].2).collect();
        let normal: Vec<Vec<std::borrow::Cow<str>>> = tagged
            .iter()
            .map(|&i| normalize::model_tokens(all_sents[i].1))
            .collect();
        let mut doc: Vec<Vec<&str>> = normal.iter().map(|s| s.iter().map(|w| w.as_ref()).collect()).collect();
        let headline: Vec<bool> = tagged
            .iter()
            .map(|&i| fields[all_sents[i].0].0 == Field::Title)
            .collect();
        let casing: Vec<normalize::Casing> = doc
            .iter()
            .zip(&headline)
            .map(|(s, &h)| normalize::casing(s, h))
            .collect();
        let recased = normalize::recase_headlines(&doc, &headline);
        for (sent, rec) in doc.iter_mut().zip(&recased) {
            if let Some(rec) = rec {
                *sent = rec.iter().map(String::as_str).collect();
            }
        }
        let model_labels = match &self.model {
            Some(m) => m.tag_doc(&doc),
            None => doc.iter().map(|s| vec![0; s.len()]).collect(),
        };
        let mut labels: Vec<Option<&Vec<usize>>> = vec![None; all_sents.len()];
        let mut cased = vec![normalize::Casing::Sentence; all_sents.len()];
        for ((&i, l), c) in tagged.iter().zip(&model_labels).zip(casing) {
            labels[i] = Some(l);
            cased[i] = c;
        }
        let mut mentions = Vec::new();
        // Sentences whose capitals say little: title-case and all-caps ones, and every sentence of the headline.
        let mut shouted: Vec<headline::Shouted> = Vec::new();
        for (si, (fi, toks, _)) in all_sents.iter().enumerate() {
            let field = fields[*fi].0;
            if cased[si] != normalize::Casing::Sentence || field == Field::Title {
                if let (Some(a), Some(b)) = (toks.first(), toks.last()) {
                    shouted.push(headline::Shouted {
                        field: *fi,
                        start: a.start,
                        end: b.end,
                        caps: cased[si] == normalize::Casing::Caps,
                        sentence_case: cased[si] == normalize::Casing::Sentence,
                    });
                }
            }
            let mut spans = match labels[si] {
                Some(l) => join_of_names(toks, rules::model_spans(toks, l)),
                None => Vec::new(),
            };
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
        let index = |f: Field| fields.iter().position(|(g, _)| *g == f).expect("every field is tagged");
        let known = |m: &Mention| {
            self.model
                .as_ref()
                .is_some_and(|model| model.is_known_name(&m.surface, m.kind))
        };
        let mentions = headline::keep_supported(mentions, &shouted, |f| &chars[index(f)], index, known);
        let mut mentions = refine(mentions);
        mentions.sort_by_key(|m| (m.field.reading_order(), m.start));
        resolve::resolve(&mut mentions);
        resolve::acronyms_from_text(&mut mentions, |f| &chars[index(f)]);
        resolve::appositions(&mut mentions, |f| &chars[index(f)]);
        let quotes = quotes::find_quotes(article.text, &mentions);
        let names = match (untagged.is_empty(), wordy_tagged) {
            (true, _) => NameCoverage::All,
            (false, true) => NameCoverage::Partial,
            (false, false) => NameCoverage::None,
        };
        Annotations {
            mentions,
            quotes,
            untagged_languages: untagged,
            names,
        }
    }
}

/// Languages of the lines of a field: `(start, end, language)` char ranges for the lines whose language detection
/// is sure of a language other than the article's (body only; titles and captions are too short to tell).
fn line_languages(chars: &[char], doc_lang: &str, detect: bool) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    if !detect {
        return out;
    }
    let mut start = 0;
    for end in (0..=chars.len()).filter(|&i| i == chars.len() || chars[i] == '\n') {
        if end > start + 60 {
            let line: String = chars[start..end].iter().collect();
            if let Some(l) = crate::lang::paragraph_language(&line) {
                if l != doc_lang {
                    out.push((start, end, l.to_string()));
                }
            }
        }
        start = end + 1;
    }
    out
}

/// Heads that make `X of Y` one name: `Bay of Bengal`, `University of Nairobi`, `Bank of Japan`.
fn of_head(word: &str) -> Option<EntityKind> {
    const PLACES: &[&str] = &[
        "Gulf",
        "Bay",
        "Sea",
        "Strait",
        "Straits",
        "Cape",
        "Isle",
        "Isles",
        "Island",
        "Islands",
        "Lake",
        "Mount",
        "Republic",
        "Kingdom",
        "Commonwealth",
        "Principality",
        "Province",
        "Emirate",
        "Sultanate",
        "Duchy",
        "Sea",
        "Gulf",
        "Horn",
        "Bight",
        "Port",
        "Valley",
        "Canal",
        "Coast",
    ];
    const BODIES: &[&str] = &[
        "Bank",
        "University",
        "Ministry",
        "Department",
        "Institute",
        "College",
        "Church",
        "Council",
        "Museum",
        "Court",
        "Academy",
        "School",
        "Office",
        "Board",
        "Commission",
        "Committee",
        "League",
        "Union",
        "Association",
        "Society",
        "Chamber",
        "Corporation",
        "Government",
        "Congress",
        "Assembly",
        "Parliament",
        "Agency",
        "Bureau",
        "Organization",
        "Organisation",
        "Federation",
        "Fund",
        "Foundation",
        "Embassy",
        "Army",
        "Navy",
        "Party",
        "Senate",
        "Cabinet",
        "Conference",
        "Confederation",
        "Authority",
        "Order",
    ];
    if PLACES.contains(&word) {
        Some(EntityKind::Location)
    } else if BODIES.contains(&word) {
        Some(EntityKind::Organisation)
    } else {
        None
    }
}

/// Joins `X of Y` into one span when X ends with a head such as `Gulf` or `University` (tagged or not) and Y is a
/// place or organisation: `Gulf of Guinea` is one place, not two.
fn join_of_names(toks: &[tokenize::Token], spans: Vec<(usize, usize, EntityKind)>) -> Vec<(usize, usize, EntityKind)> {
    let mut out: Vec<(usize, usize, EntityKind)> = Vec::with_capacity(spans.len());
    for (a, b, kind) in spans {
        let named_y = matches!(kind, EntityKind::Location | EntityKind::Organisation);
        if named_y && a >= 2 && toks[a - 1].text == "of" {
            let head_at = a - 2;
            let head = of_head(&toks[head_at].text);
            match out.last() {
                Some(&(pa, pb, _)) if pb == a - 1 => {
                    if let Some(k) = head {
                        out.pop();
                        out.push((pa, b, k));
                        continue;
                    }
                }
                _ => {
                    if let Some(k) = head {
                        out.push((head_at, b, k));
                        continue;
                    }
                }
            }
        }
        out.push((a, b, kind));
    }
    out
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
