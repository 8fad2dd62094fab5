//! Quotes.

use super::{Mention, Quote};

pub fn find_quotes(_text: &str, _mentions: &[Mention]) -> Vec<Quote> {
    Vec::new()
}
