//! `gazette eval ner FILE.conll [--predict OUT]`: conlleval entity P/R/F1 of the tagger on a CoNLL file.

use std::path::PathBuf;

use anyhow::Context;
use gazette_extract::entities::{evaluate, prediction_file, read_conll, NerModel, Tagger};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A CoNLL-2003 file (token POS chunk tag per line, blank lines between sentences).
    pub file: PathBuf,
    /// Write `token predicted-tag` lines here (blank lines between sentences).
    #[arg(long)]
    pub predict: Option<PathBuf>,
    /// Evaluate this model file instead of the embedded one.
    #[arg(long)]
    pub model: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let docs = read_conll(&text);
    let loaded;
    let model = match &args.model {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            loaded = NerModel::from_bytes(&bytes).map_err(anyhow::Error::msg)?;
            &loaded
        }
        None => Tagger::embedded().model().context("the embedded model did not load")?,
    };
    let (score, preds) = evaluate(model, &docs);
    print!("{}", score.report());
    if let Some(out) = &args.predict {
        std::fs::write(out, prediction_file(&docs, &preds)).with_context(|| format!("writing {}", out.display()))?;
    }
    Ok(())
}
