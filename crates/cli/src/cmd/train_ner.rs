//! `gazette train-ner --train FILE --dev FILE --resources DIR --out MODEL`: trains the entity tagger.

use std::path::PathBuf;

use anyhow::Context;
use gazette_extract::entities::{
    corpus_size, learn_clusters, read_conll, text_sentences, train, Knowledge, NerModel, TrainConfig,
};

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
    /// Seed of the shuffles.
    #[arg(long, default_value_t = TrainConfig::default().seed)]
    pub seed: u64,
    /// Jack-knife folds for the second stage (below 2: one stage only).
    #[arg(long, default_value_t = TrainConfig::default().folds)]
    pub folds: usize,
    /// Perceptrons averaged per stage, each on its own shuffle of the data.
    #[arg(long, default_value_t = TrainConfig::default().models)]
    pub models: usize,
    /// Unlabelled text for the word clusters: files, or directories searched for `*.txt` (repeatable).
    #[arg(long)]
    pub unlabeled: Vec<PathBuf>,
    /// World knowledge derived from `../shared/ner/resources` and GeoNames by `tools/ner-data/derive.py` (word
    /// classes and name lists; see crates/extract/data/README.md). Without it, the knowledge of `--clusters-from`.
    #[arg(long)]
    pub resources: Option<PathBuf>,
    /// Reuse the word clusters (and, without --resources, the knowledge) of this model file instead of learning them
    /// (faster experiments).
    #[arg(long)]
    pub clusters_from: Option<PathBuf>,
}

fn text_files(p: &PathBuf, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if p.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(p)?
            .map(|e| e.map(|e| e.path()))
            .collect::<Result<_, _>>()?;
        entries.sort();
        for e in entries {
            if e.is_dir() || e.extension().is_some_and(|x| x == "txt") {
                text_files(&e, out)?;
            }
        }
    } else {
        out.push(p.clone());
    }
    Ok(())
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
    let mut files = Vec::new();
    for p in &args.unlabeled {
        text_files(p, &mut files)?;
    }
    let mut unlabeled = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?;
        unlabeled.extend(text_sentences(&text));
    }
    let words: usize = unlabeled.iter().map(Vec::len).sum();
    eprintln!(
        "unlabelled: {} files, {} sentences, {words} tokens",
        files.len(),
        unlabeled.len()
    );
    let started = std::time::Instant::now();
    let reused = match &args.clusters_from {
        Some(p) => {
            let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
            Some(NerModel::from_bytes(&bytes).map_err(anyhow::Error::msg)?)
        }
        None => None,
    };
    let clusters = match &reused {
        Some(m) => m.clusters().clone(),
        None => learn_clusters(&train_docs, unlabeled),
    };
    eprintln!("clusters: {:.0}s", started.elapsed().as_secs_f64());
    let knowledge = match (&args.resources, &reused) {
        (Some(dir), _) => Knowledge::load(dir)?,
        (None, Some(m)) => m.knowledge().clone(),
        (None, None) => anyhow::bail!(
            "--resources DIR is needed (derive it with tools/ner-data/derive.py), or --clusters-from MODEL to reuse a \
             model's knowledge"
        ),
    };
    let cfg = TrainConfig {
        epochs: args.epochs,
        seed: args.seed,
        folds: args.folds,
        models: args.models,
    };
    let started = std::time::Instant::now();
    let model = train(
        &train_docs,
        Some(&dev_docs),
        &cfg,
        &clusters,
        &knowledge,
        |epoch, score| {
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
        },
    );
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
