//! Entity tagging: tokenisation, the statistical tagger (PER, ORG, LOC, MISC), rule-based dates and numbers,
//! resolution inside an article, and quotes. (First cut: to be replaced by the real tagger.)

use serde::Serialize;

/// Recorded with every mention, so `gazette reprocess` knows what is stale. Bump when the model or rules change.
pub const TAGGER_VERSION: &str = "0.1.0";

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
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Text => "text",
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

/// The tagger with the model embedded in the binary.
pub struct Tagger {
    _private: (),
}

impl Tagger {
    /// The embedded model, loaded once.
    pub fn embedded() -> &'static Tagger {
        static TAGGER: Tagger = Tagger { _private: () };
        &TAGGER
    }

    /// Tags an article's title and body text.
    pub fn annotate(&self, title: &str, text: &str) -> Annotations {
        let _ = (title, text);
        Annotations::default()
    }
}
