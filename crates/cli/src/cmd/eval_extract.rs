//! `gazette eval extract CORPUS_DIR [--out PRED_DIR]`: shingle F1 of the extractor over a corpus.
//!
//! Prints the worst pages, then mean precision, recall and F1 (the metric of `gazette_extract::eval`, which matches
//! the shared Python scorer) as the last line, and writes the full per-page table, worst first, to `--table`
//! (default `PRED_DIR/pages.tsv` with `--out`), so work goes where the losses are.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use gazette_extract::eval::{score_page, summarize, PageScore};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Corpus directory laid out as <id>/source.html + <id>/expected.txt.
    pub corpus: PathBuf,
    /// Write each prediction as PRED_DIR/<id>.txt.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the per-page table (id, precision, recall, f1, exact; worst first) here. Default: PRED_DIR/pages.tsv
    /// with --out.
    #[arg(long)]
    pub table: Option<PathBuf>,
    /// How many of the worst pages to print.
    #[arg(long, default_value_t = 25)]
    pub worst: usize,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&args.corpus)
        .with_context(|| format!("reading corpus {}", args.corpus.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected.txt").is_file())
        .collect();
    dirs.sort();
    anyhow::ensure!(
        !dirs.is_empty(),
        "no <id>/expected.txt pages in {}",
        args.corpus.display()
    );
    if let Some(out) = &args.out {
        std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    }
    let mut rows: Vec<(String, PageScore)> = Vec::with_capacity(dirs.len());
    let mut errors = 0usize;
    let started = Instant::now();
    for dir in &dirs {
        let id = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let gold = String::from_utf8_lossy(&std::fs::read(dir.join("expected.txt"))?).into_owned();
        let html = match std::fs::read(dir.join("source.html")) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(_) => String::new(),
        };
        let predicted = match gazette_extract::extract(&html, None) {
            Ok(a) => a.blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n"),
            Err(_) => {
                errors += 1;
                String::new()
            }
        };
        if let Some(out) = &args.out {
            std::fs::write(out.join(format!("{id}.txt")), &predicted)?;
        }
        rows.push((id, score_page(&predicted, &gold)));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let scores: Vec<PageScore> = rows.iter().map(|r| r.1).collect();
    let s = summarize(&scores);
    rows.sort_by(|a, b| a.1.f1().total_cmp(&b.1.f1()).then_with(|| a.0.cmp(&b.0)));
    println!("worst pages (precision recall f1):");
    for (id, p) in rows.iter().take(args.worst) {
        println!("  {id:<40} {:.3} {:.3} {:.3}", p.precision(), p.recall(), p.f1());
    }
    let table = args
        .table
        .clone()
        .or_else(|| args.out.as_ref().map(|o| o.join("pages.tsv")));
    if let Some(path) = &table {
        let mut tsv = String::from("id\tprecision\trecall\tf1\texact\n");
        for (id, p) in &rows {
            tsv.push_str(&format!(
                "{id}\t{:.4}\t{:.4}\t{:.4}\t{}\n",
                p.precision(),
                p.recall(),
                p.f1(),
                u8::from(p.exact)
            ));
        }
        std::fs::write(path, tsv).with_context(|| format!("writing {}", path.display()))?;
        println!("per-page table: {}", path.display());
    }
    println!(
        "{}: pages {}  precision {:.3}  recall {:.3}  f1 {:.3}  exact {:.3}  empty {}  errors {}  ({:.1} pages/s)",
        args.corpus.display(),
        s.pages,
        s.precision,
        s.recall,
        s.f1,
        s.exact,
        s.empty,
        errors,
        s.pages as f64 / elapsed
    );
    Ok(())
}
