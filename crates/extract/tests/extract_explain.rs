//! Debugging aid, not a check: `EXPLAIN=path/to/page.html cargo test -p gazette-extract --test extract_explain --
//! --nocapture` prints how the extractor scored the page and what it kept.

#[test]
fn explain_page_from_env() {
    let Ok(path) = std::env::var("EXPLAIN") else { return };
    let html = String::from_utf8_lossy(&std::fs::read(&path).expect("EXPLAIN names a readable file")).into_owned();
    println!(
        "{}",
        gazette_extract::explain(&html, std::env::var("EXPLAIN_NO_CLASSES").is_err())
    );
    let a = gazette_extract::extract(&html, None).expect("extracts");
    for b in &a.blocks {
        println!("[{:?}] {}", b.kind, b.text.chars().take(160).collect::<String>());
    }
}

/// `META_CORPUS=shared/corpus/readability cargo test --release -p gazette-extract --test extract_explain --
/// --nocapture`: how often title, byline and language agree with Readability's expected metadata.
#[test]
fn metadata_agreement_from_env() {
    let Ok(dir) = std::env::var("META_CORPUS") else { return };
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    let (mut n, mut title, mut lang_n, mut lang, mut by_n, mut by) = (0, 0, 0, 0, 0, 0);
    let mut entries: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
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
