//! One module per subcommand.

pub mod eval_extract;
pub mod eval_ner;
pub mod extract;
pub mod feeds;
pub mod ingest;
pub mod query;
pub mod train_ner;
