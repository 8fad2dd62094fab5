//! Tagging throughput on one thread over the CoNLL-2003 dev set, tokenisation and features included: each dev
//! document is rebuilt as raw text (tokens joined by spaces, sentences by newlines) and run through
//! `Tagger::annotate`. Skips when the dev file is absent (set `GAZETTE_NER_DEV` to point elsewhere).

use std::time::Instant;

use gazette_extract::entities::{read_conll, tokenize::tokenize, Tagger};

fn main() {
    let path = std::env::var("GAZETTE_NER_DEV")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/ner/conll2003/dev.txt").to_string());
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("entities_throughput: skipped ({path} not found)");
        return;
    };
    let docs: Vec<String> = read_conll(&text)
        .iter()
        .map(|d| {
            d.sentences
                .iter()
                .map(|s| s.tokens.join(" "))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let tokens: usize = docs.iter().map(|d| tokenize(d).len()).sum();
    let tagger = Tagger::embedded();
    let mut best = f64::MAX;
    let mut mentions = 0;
    let cpu0 = cpu_seconds();
    for _ in 0..10 {
        let t = Instant::now();
        mentions = 0;
        for d in &docs {
            mentions += std::hint::black_box(tagger.annotate("", d)).mentions.len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    println!(
        "entities_throughput: {} docs, {tokens} tokens, {mentions} mentions; best of 10: {:.3}s = {:.0} tokens/s",
        docs.len(),
        best,
        tokens as f64 / best
    );
    // On a shared machine wall time includes waiting for the core; CPU time does not.
    if let (Some(a), Some(b)) = (cpu0, cpu_seconds()) {
        println!(
            "entities_throughput: {:.0} tokens per CPU-second (10 runs)",
            10.0 * tokens as f64 / (b - a)
        );
    }
}

/// User + system CPU time of this process (Linux `/proc`), in seconds.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
