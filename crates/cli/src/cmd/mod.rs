//! One module per subcommand.

pub mod config;
pub mod daemon;
pub mod dates;
pub mod eval_extract;
pub mod eval_ner;
pub mod export;
pub mod extract;
pub mod feeds;
pub mod ingest;
pub mod query;
pub mod reprocess;
pub mod search;
pub mod stats;
pub mod train_ner;
