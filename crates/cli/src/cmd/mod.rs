//! One module per subcommand.

pub mod eval_extract;
pub mod eval_ner;
pub mod train_ner;
