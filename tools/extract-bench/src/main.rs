//! Runs Gazette's extractor, rs-trafilatura, dom_smoothie and html5ever parsing alone over the same pages on one
//! thread and prints, for each, shingle F1 and pages per second, and Gazette's speed ratio to each.
//!
//! Usage: `extract-bench CORPUS_DIR [ROUNDS]` with CORPUS_DIR laid out as `<id>/source.html` + `<id>/expected.txt`.
//! All pages are read into memory first, so only extraction is timed.
//!
//! Each system runs in its own child process (this binary again, with `--system NAME`), so its peak memory (the
//! child's `VmHWM`, all pages held in memory included) is its own; a child that only loads the pages gives the floor.

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
    rs_trafilatura::extract(html)
        .map(|r| r.content_text)
        .unwrap_or_default()
}

fn smoothie(html: &str) -> String {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
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

const SYSTEMS: [System; 5] = [
    ("gazette", gazette),
    ("rs-trafilatura 0.2.2", trafilatura),
    ("dom_smoothie 0.19", smoothie),
    ("html5ever parse only", parse_only),
    ("pages loaded only", load_only),
];

fn load_only(_: &str) -> String {
    String::new()
}

/// Peak resident set size of this process so far, in MiB (Linux `/proc/self/status`).
fn peak_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn load(dir: &PathBuf) -> Vec<Page> {
    let mut ids: Vec<_> = std::fs::read_dir(dir)
        .expect("corpus dir")
        .flatten()
        .map(|e| e.path())
        .collect();
    ids.sort();
    ids.iter()
        .filter_map(|p| {
            let html = std::fs::read(p.join("source.html")).ok()?;
            let gold = std::fs::read_to_string(p.join("expected.txt")).ok()?;
            Some(Page {
                html: String::from_utf8_lossy(&html).into_owned(),
                gold,
            })
        })
        .collect()
}

/// Child: runs one system and prints `RESULT\tP\tR\tF1\tpages/s (wall)\tpeak MiB\tpages/s (CPU)` (P/R/F1 `-` when
/// not scored).
/// CPU time this (single-threaded) process has run so far, in seconds (Linux `/proc/self/schedstat`, nanoseconds).
/// On a shared machine it varies far less than wall time, which counts the time other processes hold the cores.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse::<f64>().ok()))
        .map_or(f64::NAN, |ns| ns / 1e9)
}

fn run_one(dir: &PathBuf, rounds: usize, name: &str) {
    let (_, run) = SYSTEMS.iter().find(|s| s.0 == name).expect("known system");
    let pages = load(dir);
    let mut elapsed = Duration::ZERO;
    let mut texts = Vec::with_capacity(pages.len());
    let cpu_start = cpu_seconds();
    for round in 0..rounds {
        for page in &pages {
            let t = Instant::now();
            let text = run(&page.html);
            elapsed += t.elapsed();
            if round == 0 {
                texts.push(text);
            }
        }
    }
    let cpu = cpu_seconds() - cpu_start;
    let scores: Vec<_> = texts.iter().zip(&pages).map(|(t, p)| score_page(t, &p.gold)).collect();
    let pps = (pages.len() * rounds) as f64 / elapsed.as_secs_f64();
    let cpu_pps = (pages.len() * rounds) as f64 / cpu;
    let scored = !name.ends_with(" only");
    let s: Option<Summary> = scored.then(|| summarize(&scores));
    let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.3}"));
    println!(
        "RESULT\t{}\t{}\t{}\t{pps:.1}\t{:.1}\t{cpu_pps:.1}",
        f(s.map(|s| s.precision)),
        f(s.map(|s| s.recall)),
        f(s.map(|s| s.f1)),
        peak_mib()
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: extract-bench CORPUS_DIR [ROUNDS]"));
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(1);
    if let (Some(flag), Some(name)) = (args.next(), args.next()) {
        assert_eq!(flag, "--system", "usage: extract-bench CORPUS_DIR ROUNDS --system NAME");
        return run_one(&dir, rounds, &name);
    }
    let pages = load(&dir);
    let bytes: usize = pages.iter().map(|p| p.html.len()).sum();
    println!(
        "{} pages, {:.1} MB, {} round(s), one thread, one child process per system",
        pages.len(),
        bytes as f64 / 1e6,
        rounds
    );
    drop(pages);

    let exe = std::env::current_exe().expect("own path");
    let mut rows: Vec<(&str, Vec<String>)> = Vec::new();
    for (name, _) in SYSTEMS {
        let out = std::process::Command::new(&exe)
            .arg(&dir)
            .arg(rounds.to_string())
            .args(["--system", name])
            .output()
            .expect("child runs");
        let text = String::from_utf8_lossy(&out.stdout);
        let fields = text
            .lines()
            .find_map(|l| l.strip_prefix("RESULT\t"))
            .map(|l| l.split('\t').map(str::to_string).collect())
            .unwrap_or_else(|| vec!["failed".to_string(); 5]);
        rows.push((name, fields));
    }
    // Ratios from CPU time: each system runs at a different moment, and on a shared machine wall time mostly
    // measures what else was running.
    let num = |r: &Vec<String>, i: usize| r.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
    let gazette_cpu = num(&rows[0].1, 5);
    println!(
        "{:<22} {:>6} {:>6} {:>6} {:>14} {:>15} {:>16} {:>9}",
        "system", "P", "R", "F1", "pages/s (CPU)", "pages/s (wall)", "gazette speed x", "peak MiB"
    );
    for (name, r) in &rows {
        let timed = !name.starts_with("pages loaded");
        let get = |i: usize| r.get(i).map_or("?", String::as_str);
        let dash = |v: &str| if timed { v.to_string() } else { "-".to_string() };
        println!(
            "{name:<22} {:>6} {:>6} {:>6} {:>14} {:>15} {:>16} {:>9}",
            get(0),
            get(1),
            get(2),
            dash(get(5)),
            dash(get(3)),
            dash(&format!("{:.2}", gazette_cpu / num(r, 5))),
            get(4)
        );
    }
}
