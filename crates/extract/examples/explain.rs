//! Debugging aids for the extractor (not checks; the tests and `gazette eval extract` are those):
//!
//! ```sh
//! cargo run --release -p gazette-extract --example explain -- page PATH.html [--no-classes]
//! cargo run --release -p gazette-extract --example explain -- metadata CORPUS_DIR
//! cargo run --release -p gazette-extract --example explain -- dates PATH.html [URL]
//! cargo run --release -p gazette-extract --example explain -- dates-corpus CORPUS_DIR [--explain]
//! ```
//!
//! `page` prints how the extractor scored each candidate and what it kept; `dates` prints every date the date
//! finder read (source, tier, role), the dates it left out as another article's, and its choice; `dates-corpus`
//! prints each page's day against a dates corpus' gold day, with `--explain` its `dates` view too (pages are read
//! as UTF-8, so a page in another charset may differ from `gazette eval dates`, which is the measure); `metadata`
//! counts how often title, byline and language agree with a corpus's `expected-metadata.json` (Readability's test
//! pages have them).

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("page") if args.len() >= 2 => explain_page(&args[1], !args.iter().any(|a| a == "--no-classes")),
        Some("metadata") if args.len() == 2 => metadata_agreement(&args[1]),
        Some("dates") if args.len() == 2 || args.len() == 3 => explain_dates(&args[1], args.get(2).map(String::as_str)),
        Some("dates-corpus") if args.len() == 2 || args.len() == 3 => {
            dates_corpus(&args[1], args.get(2).is_some_and(|a| a == "--explain"))
        }
        _ => {
            eprintln!(
                "usage: explain page PATH.html [--no-classes] | explain metadata CORPUS_DIR | explain dates PATH.html [URL] | explain dates-corpus DIR [--explain]"
            );
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

fn explain_dates(path: &str, url: Option<&str>) {
    let html = String::from_utf8_lossy(&std::fs::read(path).expect("a readable file")).into_owned();
    print!("{}", gazette_extract::explain_dates(&html, url, chrono::Utc::now()));
}

fn dates_corpus(dir: &str, explain: bool) {
    use gazette_extract::eval::dates::{read_gold, DateSummary, Verdict};
    let dir = std::path::Path::new(dir);
    let gold = read_gold(&std::fs::read_to_string(dir.join("gold.json")).expect("gold.json")).expect("gold");
    let mut verdicts = Vec::new();
    for page in &gold {
        let html =
            String::from_utf8_lossy(&std::fs::read(dir.join("pages").join(&page.file)).expect("page")).into_owned();
        let a = gazette_extract::extract(&html, Some(&page.url)).unwrap_or_default();
        let day = a.published_evidence.map(|p| p.day);
        let v = Verdict::of(page.day, day);
        verdicts.push(v);
        let source = a
            .sources
            .get("published")
            .map_or_else(|| "-".to_string(), |s| format!("{s:?}"));
        let found = day.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        println!(
            "{}\t{}\t{found}\t{source}\t{}\t{}",
            v.as_str(),
            page.day,
            page.file,
            page.url
        );
        if explain {
            print!(
                "{}",
                gazette_extract::explain_dates(&html, Some(&page.url), chrono::Utc::now())
            );
        }
    }
    let s = DateSummary::of(verdicts);
    println!(
        "right {} wrong {} none {} precision {:.3} recall {:.3} accuracy {:.3}",
        s.right,
        s.wrong,
        s.none,
        s.precision(),
        s.recall(),
        s.accuracy()
    );
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
