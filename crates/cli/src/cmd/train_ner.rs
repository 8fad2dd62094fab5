//! `gazette train-ner --train FILE --dev FILE --out MODEL`: trains the entity tagger.

use std::path::PathBuf;

use anyhow::Context;
use gazette_extract::entities::{corpus_size, read_conll, train, TrainConfig};

#[derive(clap::Args, Debug)]
pub struct Args {
    #[arg(long)]
    pub train: PathBuf,
    #[arg(long)]
    pub dev: PathBuf,
    #[arg(long)]
    pub out: PathBuf,
    /// Passes over the training data.
    #[arg(long, default_value_t = TrainConfig::default().epochs)]
    pub epochs: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let read = |p: &PathBuf| -> anyhow::Result<_> {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        Ok(read_conll(&text))
    };
    let train_docs = read(&args.train)?;
    let dev_docs = read(&args.dev)?;
    let (d, s, t) = corpus_size(&train_docs);
    eprintln!("train: {d} documents, {s} sentences, {t} tokens");
    let cfg = TrainConfig {
        epochs: args.epochs,
        ..TrainConfig::default()
    };
    let started = std::time::Instant::now();
    let model = train(&train_docs, Some(&dev_docs), &cfg, |epoch, score| {
        if let Some(s) = score {
            let o = &s.overall;
            eprintln!(
                "epoch {epoch:>2}: dev P {:.2} R {:.2} F1 {:.2} ({:.0}s)",
                o.precision,
                o.recall,
                o.f1,
                started.elapsed().as_secs_f64()
            );
        }
    });
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote {} ({} bytes, {} features)",
        args.out.display(),
        bytes.len(),
        model.features()
    );
    Ok(())
}
