//! Write-cost benchmark: what the writer thread spends per article, as the daemon's store stage uses it.
//!
//! Realistic articles (~5 KB of text, ~80 mentions over ~25 distinct entities of a Zipfian vocabulary, a few quotes,
//! a compressed page) go through `Store::store_articles` in batches of 32 into a real SQLite file that already holds
//! articles. Reports wall and CPU milliseconds per article.
//!
//! `cargo bench -p gazette-store --bench write` (GAZETTE_BENCH_PREFILL, GAZETTE_BENCH_WRITES, GAZETTE_BENCH_DB to
//! keep the file elsewhere, GAZETTE_BENCH_BATCH, GAZETTE_BENCH_MENTIONS and GAZETTE_BENCH_DISTINCT per article,
//! GAZETTE_BENCH_SQL to run SQL on the file before the store opens it, e.g. a dropped index).
//! The writer thread's CPU time is read from /proc by its name (`gazette_store::sqlite::WRITER_THREAD_NAME`).

use std::time::Instant;

use gazette_store::{EntityType, Extraction, FeedId, Field, NewArticle, NewMention, NewQuote, Store};

const VOCABULARY: usize = 20_000;
const FEEDS: i64 = 50;
const DAYS: i64 = 7;

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo test --benches` runs this without --bench; only do the work under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let prefill = env_num("GAZETTE_BENCH_PREFILL", 5_000);
    let writes = env_num("GAZETTE_BENCH_WRITES", 3_000);
    let mentions = env_num("GAZETTE_BENCH_MENTIONS", 80);
    // The daemon's store stage hands the writer up to 32 articles at a time.
    let batch_size = env_num("GAZETTE_BENCH_BATCH", 32);
    let distinct = env_num("GAZETTE_BENCH_DISTINCT", 25).min(mentions);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var("GAZETTE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("write.db"));
    let _ = std::fs::remove_file(&path);
    // For experiments: SQL run on the file before the store opens it (a DROP INDEX).
    if let Ok(sql) = std::env::var("GAZETTE_BENCH_SQL") {
        gazette_store::sqlite::migrate_file_to(&path, gazette_store::sqlite::schema::LATEST).expect("migrate");
        rusqlite::Connection::open(&path).unwrap().execute_batch(&sql).unwrap();
    }
    // Through the store's writer thread, as the daemon's store stage calls it.
    let db = Store::open_sqlite(&path).expect("open");
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let urls = (1..=FEEDS).map(|f| format!("https://news{f}.example/feed")).collect();
    rt.block_on(db.add_feeds(urls)).unwrap();
    let writer_thread = writer_thread().expect("the writer thread goes by WRITER_THREAD_NAME");
    // Stores a batch; returns the writer thread's CPU seconds for it.
    let store = |batch: Vec<NewArticle>| {
        let cpu = thread_cpu_seconds(&writer_thread);
        for r in rt.block_on(db.store_articles(batch)).unwrap().results {
            assert!(matches!(r.unwrap(), gazette_store::StoredArticle::Inserted(_)));
        }
        thread_cpu_seconds(&writer_thread) - cpu
    };
    let mut gen = Generator::new(7, mentions, distinct);

    let t = Instant::now();
    let mut n = 0;
    while n < prefill {
        store((0..batch_size).map(|_| gen.article()).collect());
        n += batch_size;
    }
    println!("prefilled {n} articles in {:.1} s", t.elapsed().as_secs_f64());

    // Articles are built (and their pages compressed) before the clock starts: that is the callers' work.
    let batches: Vec<Vec<NewArticle>> = (0..writes.div_ceil(batch_size))
        .map(|_| (0..batch_size).map(|_| gen.article()).collect())
        .collect();
    let articles: usize = batches.iter().map(Vec::len).sum();
    let mentions: usize = batches.iter().flatten().map(|a| a.extraction.mentions.len()).sum();
    let distinct: f64 = batches
        .iter()
        .flatten()
        .map(|a| distinct_entities(a, |_| true))
        .sum::<usize>() as f64
        / articles as f64;
    let pairs: f64 = batches
        .iter()
        .flatten()
        .map(|a| {
            let n = distinct_entities(a, |t| matches!(t, "PER" | "ORG" | "LOC" | "MISC"));
            n * n.saturating_sub(1) / 2
        })
        .sum::<usize>() as f64
        / articles as f64;
    let size_before = file_size(&path);
    let cpu = cpu_seconds();
    let t = Instant::now();
    let mut writer_cpu = 0.0;
    for batch in batches {
        writer_cpu += store(batch);
    }
    let wall = t.elapsed().as_secs_f64();
    let (user, sys) = cpu_seconds();
    let (user, sys) = (user - cpu.0, sys - cpu.1);
    let cpu = user + sys;
    db.close();
    let size_after = file_size(&path);
    println!(
        "{articles} articles in batches of {batch_size} onto {n} stored: {:.1} mentions/article over {distinct:.1} \
         distinct entities ({pairs:.0} named pairs)",
        mentions as f64 / articles as f64
    );
    println!(
        "writer thread: {:.3} ms/article CPU; all threads: {:.3} ms/article CPU ({:.3} user + {:.3} system), \
         {:.3} ms/article wall, {:.0} articles/s; database grew {:.1} KiB/article",
        writer_cpu * 1e3 / articles as f64,
        cpu * 1e3 / articles as f64,
        user * 1e3 / articles as f64,
        sys * 1e3 / articles as f64,
        wall * 1e3 / articles as f64,
        articles as f64 / wall,
        (size_after - size_before) as f64 / 1024.0 / articles as f64
    );
}

fn distinct_entities(a: &NewArticle, keep: impl Fn(&str) -> bool) -> usize {
    let mut names: Vec<(&str, &str)> = a
        .extraction
        .mentions
        .iter()
        .filter(|m| keep(m.entity_type.label()))
        .map(|m| (m.entity_type.label(), m.entity_name.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    names.len()
}

fn file_size(path: &std::path::Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The /proc path of this process's database writer thread, found by its name.
fn writer_thread() -> Option<String> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let dir = task.path().display().to_string();
        if std::fs::read_to_string(format!("{dir}/comm"))
            .is_ok_and(|n| n.trim() == gazette_store::sqlite::WRITER_THREAD_NAME)
        {
            return Some(dir);
        }
    }
    None
}

/// A thread's CPU time (user + system), from its /proc directory (0 elsewhere).
fn thread_cpu_seconds(thread: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("{thread}/stat")) else {
        return 0.0;
    };
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    (f[11].parse::<f64>().unwrap_or(0.0) + f[12].parse::<f64>().unwrap_or(0.0)) / 100.0
}

/// This process's user and system CPU time, from /proc (0 elsewhere).
fn cpu_seconds() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return (0.0, 0.0);
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th of them, in clock ticks.
    let rest = &stat[stat.rfind(')').map_or(0, |i| i + 2)..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f[i].parse::<f64>().unwrap_or(0.0) / 100.0;
    (ticks(11), ticks(12))
}

const WORDS: [&str; 24] = [
    "the",
    "minister",
    "said",
    "on",
    "talks",
    "security",
    "election",
    "market",
    "storm",
    "court",
    "deal",
    "of",
    "and",
    "government",
    "police",
    "report",
    "city",
    "council",
    "a",
    "budget",
    "week",
    "officials",
    "to",
    "new",
];
const TYPES: [&str; 10] = [
    "PER", "PER", "PER", "ORG", "ORG", "LOC", "LOC", "MISC", "DATE", "CARDINAL",
];

/// Articles with a Zipfian entity vocabulary: a few entities are in many articles, most are rare.
struct Generator {
    rng: fastrand::Rng,
    mentions: usize,
    distinct: usize,
    /// Cumulative Zipf weights (s = 1) over the vocabulary.
    cumulative: Vec<f64>,
    next: u64,
}

impl Generator {
    fn new(seed: u64, mentions: usize, distinct: usize) -> Generator {
        let mut total = 0.0;
        let cumulative = (1..=VOCABULARY)
            .map(|k| {
                total += 1.0 / k as f64;
                total
            })
            .collect();
        Generator {
            rng: fastrand::Rng::with_seed(seed),
            mentions,
            distinct,
            cumulative,
            next: 0,
        }
    }

    fn zipf(&mut self) -> usize {
        let x = self.rng.f64() * self.cumulative[VOCABULARY - 1];
        self.cumulative.partition_point(|&c| c < x)
    }

    fn article(&mut self) -> NewArticle {
        self.next += 1;
        let id = self.next;
        let mut text = String::with_capacity(5200);
        while text.len() < 5000 {
            if !text.is_empty() {
                text.push_str(if self.rng.u8(0..12) == 0 { ".\n\n" } else { " " });
            }
            text.push_str(WORDS[self.rng.usize(0..WORDS.len())]);
        }
        let mut chosen: Vec<usize> = Vec::with_capacity(self.distinct);
        while chosen.len() < self.distinct {
            let e = self.zipf();
            if !chosen.contains(&e) {
                chosen.push(e);
            }
        }
        // Every chosen entity once, the rest skewed towards the article's main entities.
        let picks = (0..self.mentions).map(|i| {
            if i < chosen.len() {
                chosen[i]
            } else {
                let r = self.rng.f64();
                chosen[(r * r * chosen.len() as f64) as usize]
            }
        });
        let mentions: Vec<NewMention> = picks
            .collect::<Vec<_>>()
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let name = format!("Entity {e}");
                NewMention {
                    field: if i == 0 { Field::Title } else { Field::Text },
                    start: i as i64 * 60,
                    end: i as i64 * 60 + name.len() as i64,
                    surface: name.clone(),
                    entity_type: EntityType::from_label(TYPES[e % TYPES.len()]).expect("a known type"),
                    entity_name: name,
                }
            })
            .collect();
        let quotes = (0..3)
            .map(|q| NewQuote {
                start: q * 400,
                end: q * 400 + 80,
                text: "We will keep talking until there is a deal that works for everyone here.".into(),
                speaker: chosen
                    .get(q as usize * 3)
                    .filter(|_| q < 2)
                    .map(|e| (EntityType::Person, format!("Entity {e}"))),
            })
            .collect();
        let day = self.rng.i64(0..DAYS);
        let published = format!(
            "2026-11-{:02}T{:02}:{:02}:00Z",
            20 + day,
            self.rng.u8(0..24),
            self.rng.u8(0..60)
        );
        let html =
            format!("<html><head><title>Story {id}</title></head><body><article><p>{text}</p></article></body></html>");
        NewArticle {
            feed_id: FeedId(1 + (id as i64 % FEEDS)),
            item_key: format!("https://news.example/a/{id}"),
            guid: Some(format!("https://news.example/a/{id}")),
            url: Some(format!("https://news.example/a/{id}")),
            html: Some(gazette_store::compress_html(&html)),
            fetched_at: chrono::DateTime::parse_from_rfc3339(&published).unwrap().to_utc(),
            page_error: None,
            extraction: Extraction {
                title: Some(format!("Story {id}: the minister and the council")),
                authors: vec!["A. Reporter".into()],
                published_at: Some(chrono::DateTime::parse_from_rfc3339(&published).unwrap().to_utc()),
                language: Some("en".into()),
                site_name: Some("News".into()),
                description: Some("What happened at the council this week.".into()),
                text,
                extractor_version: Some("bench".into()),
                tagger_version: Some("bench".into()),
                mentions,
                quotes,
                ..Default::default()
            },
        }
    }
}
