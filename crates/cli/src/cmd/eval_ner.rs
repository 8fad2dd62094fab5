//! `gazette eval ner FILE.conll [--predict OUT]`: conlleval entity P/R/F1 of the tagger on a CoNLL file.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A CoNLL-2003 file (token POS chunk tag per line, blank lines between sentences).
    pub file: PathBuf,
    /// Write `token predicted-tag` lines here (blank lines between sentences).
    #[arg(long)]
    pub predict: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("eval ner is not written yet ({})", args.file.display())
}
