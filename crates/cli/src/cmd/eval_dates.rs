//! `gazette eval dates DIR`: the publication day the extractor finds, against a gold day per page.
//!
//! DIR is laid out as `shared/corpus/dates`: `gold.json` (page URL -> `{"file", "date"}`) and `pages/<file>`. Each
//! page is read as `gazette extract` reads a file and extracted with its URL, as if fetched now. Prints the pages
//! missed (or every page with `--all`), then precision, recall and accuracy as htmldate's comparison defines them
//! (`gazette_extract::eval::dates`) as the last line; `--table` writes the whole per-page table as TSV.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;
use gazette_extract::eval::dates::{read_gold, DateSummary, Verdict};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Corpus directory: gold.json and pages/.
    pub corpus: PathBuf,
    /// Print every page, not only the ones missed.
    #[arg(long)]
    pub all: bool,
    /// Write the per-page table (verdict, gold, found, source, file, url) as TSV here.
    #[arg(long)]
    pub table: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let gold_path = args.corpus.join("gold.json");
    let gold = std::fs::read_to_string(&gold_path).with_context(|| format!("reading {}", gold_path.display()))?;
    let gold = read_gold(&gold).with_context(|| format!("reading {}", gold_path.display()))?;
    anyhow::ensure!(!gold.is_empty(), "no pages in {}", gold_path.display());
    let started = Instant::now();
    let mut rows = Vec::with_capacity(gold.len());
    for page in &gold {
        let path = args.corpus.join("pages").join(&page.file);
        let bytes = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        let html = gazette_fetch::charset::decode(&bytes, None);
        let (day, source) = match gazette_extract::extract(&html, Some(&page.url)) {
            // The day as the page wrote it (a UTC conversion could move it).
            Ok(a) => (
                a.published_evidence
                    .map(|p| p.day)
                    .or(a.published.map(|d| d.date_naive())),
                a.sources.get("published").map(|s| format!("{s:?}")).unwrap_or_default(),
            ),
            Err(e) => (None, format!("error: {e}")),
        };
        rows.push((Verdict::of(page.day, day), page, day, source));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let summary = DateSummary::of(rows.iter().map(|r| r.0));
    let line = |r: &(
        Verdict,
        &gazette_extract::eval::dates::GoldPage,
        Option<chrono::NaiveDate>,
        String,
    )| {
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}",
            r.0.as_str(),
            r.1.day,
            r.2.map(|d| d.to_string()).unwrap_or_else(|| "-".into()),
            if r.3.is_empty() { "-" } else { &r.3 },
            r.1.file,
            r.1.url
        )
    };
    println!("verdict\tgold\tfound\tsource\tfile\turl");
    for r in rows.iter().filter(|r| args.all || r.0 != Verdict::Right) {
        println!("{}", line(r));
    }
    if let Some(path) = &args.table {
        let mut tsv = String::from("verdict\tgold\tfound\tsource\tfile\turl\n");
        for r in &rows {
            tsv.push_str(&line(r));
            tsv.push('\n');
        }
        std::fs::write(path, tsv).with_context(|| format!("writing {}", path.display()))?;
        println!("per-page table: {}", path.display());
    }
    println!(
        "{}: pages {}  right {}  wrong {}  none {}  precision {:.3}  recall {:.3}  accuracy {:.3}  ({:.1} pages/s)",
        args.corpus.display(),
        summary.pages,
        summary.right,
        summary.wrong,
        summary.none,
        summary.precision(),
        summary.recall(),
        summary.accuracy(),
        summary.pages as f64 / elapsed
    );
    Ok(())
}
