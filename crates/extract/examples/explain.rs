//! Debugging aids for the extractor (not checks; the tests and `gazette eval extract` are those):
//!
//! ```sh
//! cargo run --release -p gazette-extract --example explain -- page PATH.html [--no-classes]
//! cargo run --release -p gazette-extract --example explain -- metadata CORPUS_DIR
//! ```
//!
//! `page` prints how the extractor scored each candidate and what it kept; `metadata` counts how often title, byline
//! and language agree with a corpus's `expected-metadata.json` (Readability's test pages have them).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("page") if args.len() >= 2 => explain_page(&args[1], !args.iter().any(|a| a == "--no-classes")),
        Some("metadata") if args.len() == 2 => metadata_agreement(&args[1]),
        _ => {
            eprintln!("usage: explain page PATH.html [--no-classes] | explain metadata CORPUS_DIR");
            std::process::exit(2);
        }
    }
}

fn explain_page(path: &str, trust_classes: bool) {
    let html = String::from_utf8_lossy(&std::fs::read(path).expect("a readable file")).into_owned();
    println!("{}", gazette_extract::explain(&html, trust_classes));
    let a = gazette_extract::extract(&html, None).expect("extracts");
    for b in &a.blocks {
        println!("[{:?}] {}", b.kind, b.text.chars().take(160).collect::<String>());
    }
}

fn metadata_agreement(dir: &str) {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let (mut n, mut title, mut lang_n, mut lang, mut by_n, mut by) = (0, 0, 0, 0, 0, 0);
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().map(|e| e.path()).collect();
    entries.sort();
    for page in entries {
        let (Ok(html), Ok(meta)) = (
            std::fs::read(page.join("source.html")),
            std::fs::read_to_string(page.join("expected-metadata.json")),
        ) else {
            continue;
        };
        let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
        let a = gazette_extract::extract(&String::from_utf8_lossy(&html), None).unwrap_or_default();
        n += 1;
        if let Some(t) = meta["title"].as_str() {
            if a.title.as_deref().map(norm) == Some(norm(t)) {
                title += 1;
            } else {
                println!("title {:?}: {:?} vs {:?}", page.file_name().unwrap(), a.title, t);
            }
        }
        if let Some(l) = meta["lang"].as_str() {
            lang_n += 1;
            let want = l.split(['-', '_']).next().unwrap().to_lowercase();
            lang += usize::from(a.language.as_deref() == Some(want.as_str()));
        }
        if let Some(b) = meta["byline"].as_str() {
            by_n += 1;
            by += usize::from(a.authors.iter().any(|x| norm(b).contains(&norm(x))));
        }
    }
    println!("pages {n}: title exact {title}, language {lang}/{lang_n}, author in byline {by}/{by_n}");
}
