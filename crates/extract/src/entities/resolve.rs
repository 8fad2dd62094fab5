//! Resolution inside an article.

use super::Mention;

pub fn resolve(_mentions: &mut [Mention]) {}
