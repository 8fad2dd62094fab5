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
