//! Runs Gazette's extractor, rs-trafilatura, dom_smoothie and html5ever parsing alone over the same pages on one
//! thread and prints, for each, shingle F1 and pages per second, and Gazette's speed ratio to each.
//!
//! Usage: `extract-bench CORPUS_DIR [ROUNDS]` with CORPUS_DIR laid out as `<id>/source.html` + `<id>/expected.txt`.
//! All pages are read into memory first, so only extraction is timed.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use gazette_extract::eval::{score_page, summarize, Summary};

struct Page {
    html: String,
    gold: String,
}

type System = (&'static str, fn(&str) -> String);

fn gazette(html: &str) -> String {
    match gazette_extract::extract(html, None) {
        Ok(a) => a.blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n"),
        Err(_) => String::new(),
    }
}

fn trafilatura(html: &str) -> String {
    rs_trafilatura::extract(html).map(|r| r.content_text).unwrap_or_default()
}

fn smoothie(html: &str) -> String {
    let cfg = dom_smoothie::Config { text_mode: dom_smoothie::TextMode::Formatted, ..Default::default() };
    match dom_smoothie::Readability::new(html, None, Some(cfg)) {
        Ok(mut r) => r.parse().map(|a| a.text_content.to_string()).unwrap_or_default(),
        Err(_) => String::new(),
    }
}

fn parse_only(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    std::hint::black_box(&doc);
    String::new()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: extract-bench CORPUS_DIR [ROUNDS]"));
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    let mut ids: Vec<_> = std::fs::read_dir(&dir).expect("corpus dir").flatten().map(|e| e.path()).collect();
    ids.sort();
    let pages: Vec<Page> = ids
        .iter()
        .filter_map(|p| {
            let html = std::fs::read(p.join("source.html")).ok()?;
            let gold = std::fs::read_to_string(p.join("expected.txt")).ok()?;
            Some(Page { html: String::from_utf8_lossy(&html).into_owned(), gold })
        })
        .collect();
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    println!("{} pages, {:.1} MB, {} round(s), one thread", pages.len(), bytes as f64 / 1e6, rounds);

    let systems: [System; 4] = [
        ("gazette", gazette),
        ("rs-trafilatura 0.2.2", trafilatura),
        ("dom_smoothie 0.19", smoothie),
        ("html5ever parse only", parse_only),
    ];
    let mut results: Vec<(&str, Option<Summary>, f64)> = Vec::new();
    for (name, run) in systems {
        let mut elapsed = Duration::ZERO;
        let mut scores = Vec::with_capacity(pages.len());
        for round in 0..rounds {
            for page in &pages {
                let t = Instant::now();
                let text = run(&page.html);
                elapsed += t.elapsed();
                if round == 0 {
                    scores.push(score_page(&text, &page.gold));
                }
            }
        }
        let pps = (pages.len() * rounds) as f64 / elapsed.as_secs_f64();
        let summary = (name != "html5ever parse only").then(|| summarize(&scores));
        results.push((name, summary, pps));
    }
    let gazette_pps = results[0].2;
    println!("{:<22} {:>6} {:>6} {:>6} {:>10} {:>14}", "system", "P", "R", "F1", "pages/s", "gazette speed x");
    for (name, summary, pps) in &results {
        let (p, r, f) = summary.map_or(("-".into(), "-".into(), "-".into()), |s| {
            (format!("{:.3}", s.precision), format!("{:.3}", s.recall), format!("{:.3}", s.f1))
        });
        println!("{name:<22} {p:>6} {r:>6} {f:>6} {pps:>10.1} {:>14.2}", gazette_pps / pps);
    }
}
