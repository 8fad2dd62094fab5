//! Resolution time per article against extraction plus tagging of the same article, and the tables' memory.
//!
//! Pages: the labelled set's 96 articles rendered as HTML (always there) and, when `../shared` exists, the 130 captured
//! pages of the Readability corpus (set `GAZETTE_READABILITY` to point elsewhere). For each page: `extract` plus
//! `Tagger::annotate_article` (the pipeline's work today), then `Resolver::resolve` over the tagger's LOC mentions with
//! the article's language and the country of its URL's domain. Each side is timed over all pages, best of 7 rounds,
//! the two interleaved round by round so that both see the same machine. The tables are loaded before timing; their
//! load time, heap bytes and the process's resident-memory growth are reported apart.

use std::hint::black_box;
use std::time::Instant;

use gazette_extract::entities::{EntityKind, Field, Tagger};
use gazette_places::labelled;
use gazette_places::{Article, Gazetteer, LocMention, Resolver};

const ROUNDS: usize = 7;

fn main() {
    let mut pages: Vec<(String, Option<String>)> = Vec::new();
    let set = include_str!("../eval/labelled.txt");
    for a in labelled::parse(set).expect("the labelled set parses") {
        let body: String = a.text.split('\n').map(|p| format!("<p>{}</p>", escape(p))).collect();
        pages.push((
            format!(
                "<html><head><title>{t}</title></head><body><article><h1>{t}</h1>{body}</article></body></html>",
                t = escape(&a.title)
            ),
            None,
        ));
    }
    let labelled_pages = pages.len();
    let dir = std::env::var("GAZETTE_READABILITY")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus/readability").to_string());
    if let Ok(entries) = std::fs::read_dir(&dir) {
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path().join("source.html")).collect();
        paths.sort();
        for p in paths {
            if let Ok(html) = std::fs::read_to_string(&p) {
                pages.push((html, None));
            }
        }
    }
    println!(
        "resolve bench: {} pages ({labelled_pages} from the labelled set, {} from {dir})",
        pages.len(),
        pages.len() - labelled_pages
    );

    // The tables: load time and memory, before anything is timed per article.
    let rss0 = rss_kib();
    let t = Instant::now();
    let g = Gazetteer::embedded();
    let load = t.elapsed();
    let rss1 = rss_kib();
    println!(
        "tables: {} entries loaded in {:.0} ms; heap {:.1} MiB (counted); resident memory +{:.1} MiB",
        g.len(),
        load.as_secs_f64() * 1e3,
        g.heap_bytes() as f64 / (1 << 20) as f64,
        (rss1.unwrap_or(0) as f64 - rss0.unwrap_or(0) as f64) / 1024.0
    );

    let tagger = Tagger::embedded();
    let resolver = Resolver::new(g);
    // Warm up both and keep what resolution needs.
    struct Prepared {
        title: String,
        text: String,
        caption: String,
        language: Option<String>,
        site: Option<String>,
        mentions: Vec<(Field, usize, usize, String)>,
    }
    let mut prepared = Vec::new();
    for (html, url) in &pages {
        let Ok(article) = gazette_extract::extract(html, url.as_deref()) else {
            continue;
        };
        let title = article.title.clone().unwrap_or_default();
        let text = article.text();
        let caption = article.image_caption.clone().unwrap_or_default();
        let ann = tagger.annotate_article(&title, &text, &caption);
        let mentions = ann
            .mentions
            .iter()
            .filter(|m| m.kind == EntityKind::Location)
            .map(|m| (m.field, m.start, m.end, m.surface.clone()))
            .collect();
        let host = article
            .canonical_url
            .as_deref()
            .and_then(|u| url::Url::parse(u).ok())
            .and_then(|u| u.host_str().map(str::to_string));
        let site = host
            .and_then(|h| g.country_for_host(&h))
            .map(|p| g.place(p).country_code.to_string());
        let language = article
            .language
            .as_deref()
            .map(|l| l.chars().take(2).collect::<String>().to_lowercase());
        prepared.push(Prepared {
            title,
            text,
            caption,
            language,
            site,
            mentions,
        });
    }
    let n = prepared.len();
    let locs: usize = prepared.iter().map(|p| p.mentions.len()).sum();

    let (mut best_pipeline, mut best_resolve) = (f64::MAX, f64::MAX);
    let mut resolved = 0;
    for _ in 0..ROUNDS {
        let t = Instant::now();
        for (html, url) in &pages {
            if let Ok(article) = gazette_extract::extract(html, url.as_deref()) {
                let title = article.title.clone().unwrap_or_default();
                let caption = article.image_caption.clone().unwrap_or_default();
                black_box(tagger.annotate_article(&title, &article.text(), &caption));
            }
        }
        best_pipeline = best_pipeline.min(t.elapsed().as_secs_f64());

        let t = Instant::now();
        resolved = 0;
        for p in &prepared {
            let mentions: Vec<LocMention> = p
                .mentions
                .iter()
                .map(|(field, start, end, surface)| LocMention {
                    field: *field,
                    start: *start,
                    end: *end,
                    surface,
                })
                .collect();
            let article = Article {
                title: &p.title,
                text: &p.text,
                caption: &p.caption,
                language: p.language.as_deref(),
                site_country: p.site.as_deref(),
            };
            let out = black_box(resolver.resolve(&article, &mentions));
            resolved += out.mentions.iter().filter(|r| r.place.is_some()).count();
        }
        best_resolve = best_resolve.min(t.elapsed().as_secs_f64());
    }
    println!("{n} articles, {locs} LOC mentions ({resolved} resolved); best of {ROUNDS} rounds:");
    println!(
        "  extract + tag: {:.3} ms/article; resolve: {:.3} ms/article; resolution adds {:.1}%",
        best_pipeline * 1e3 / n as f64,
        best_resolve * 1e3 / n as f64,
        100.0 * best_resolve / best_pipeline
    );
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Resident set size of this process (Linux `/proc`), in KiB.
fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
