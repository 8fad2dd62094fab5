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

/// `EVAL_CORPUS=dir EVAL_OUT=pred_dir cargo test --release -p gazette-extract --test extract_explain -- --nocapture`:
/// the same scoring as `gazette eval extract`, without building the binary (a quick loop while tuning).
#[test]
fn eval_corpus_from_env() {
    let (Ok(dir), Ok(out)) = (std::env::var("EVAL_CORPUS"), std::env::var("EVAL_OUT")) else {
        return;
    };
    std::fs::create_dir_all(&out).unwrap();
    let mut pages: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.path()).collect();
    pages.sort();
    let mut rows = Vec::new();
    for page in pages {
        let Ok(gold) = std::fs::read(page.join("expected.txt")) else {
            continue;
        };
        let html = std::fs::read(page.join("source.html")).unwrap_or_default();
        let a = gazette_extract::extract(&String::from_utf8_lossy(&html), None).unwrap_or_default();
        let predicted = a.blocks.iter().map(|b| b.text.as_str()).collect::<Vec<_>>().join("\n");
        let id = page.file_name().unwrap().to_string_lossy().into_owned();
        std::fs::write(format!("{out}/{id}.txt"), &predicted).unwrap();
        rows.push((
            id,
            gazette_extract::eval::score_page(&predicted, &String::from_utf8_lossy(&gold)),
        ));
    }
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
    std::fs::write(format!("{out}/pages.tsv"), tsv).unwrap();
    let s = gazette_extract::eval::summarize(&rows.iter().map(|r| r.1).collect::<Vec<_>>());
    println!(
        "{dir}: pages {} precision {:.3} recall {:.3} f1 {:.3}",
        s.pages, s.precision, s.recall, s.f1
    );
}
