//! HTML to article, article to entities.
//!
//! Two jobs, one crate, because both turn a downloaded page into structured data and neither touches the network or
//! the database:
//!
//! * [`extract`]: the page's HTML becomes an [`Article`]: metadata (title, authors, dates, language, canonical URL,
//!   site name, lead image and caption, description), each field with the [`Source`] it came from, and the body as
//!   ordered [`Block`]s with the boilerplate (menus, share bars, related boxes, newsletters, comments, footers) left out.
//! * [`entities`]: the article's title and text become entity mentions (people, organisations, places, misc, dates and
//!   numbers), resolved within the article, and attributed quotes.
//!
//! [`dates`] holds the publication-date evidence a page gives and [`dates::reconcile`], which weighs it against a feed
//! item's date and the fetch time. [`eval`] scores extraction against gold text with the word-4-gram shingle metric,
//! and publication days against gold days.

mod article;
mod content;
pub mod dates;
mod dom;
pub mod entities;
pub mod eval;
pub mod guard;
mod lang;
mod meta;

pub use article::{
    explain, explain_dates, extract, extract_at, Article, Block, BlockKind, ExtractError, Source, EXTRACTOR_VERSION,
};
