//! `gazette eval extract CORPUS_DIR [--out PRED_DIR]`: shingle F1 of the extractor over a corpus.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Corpus directory laid out as <id>/source.html + <id>/expected.txt.
    pub corpus: PathBuf,
    /// Write each prediction as PRED_DIR/<id>.txt.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("eval extract is not written yet ({})", args.corpus.display())
}
