//! `gazette train-ner --train FILE --dev FILE --out MODEL`: trains the entity tagger.

use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    pub train: PathBuf,
    #[arg(long)]
    pub dev: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    anyhow::bail!("train-ner is not written yet ({})", args.train.display())
}
