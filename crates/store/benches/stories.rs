//! Story decision benchmark: the writer's CPU per article for deciding its story, on an archive of earlier
//! fingerprinted articles.
//!
//! `cargo bench -p gazette-store --bench stories` (GAZETTE_BENCH_ARTICLES: the archive, default 100,000;
//! GAZETTE_BENCH_WRITES: new articles per variant, default 4,000, 0 to only build the archive; GAZETTE_BENCH_DB keeps
//! the file and reuses it: an archive smaller than asked for is grown to the size asked for, so one file serves 100k
//! and then 1M).
//!
//! The archive's fingerprints and band rows are written as the writer writes them: article after article, in
//! transactions of 10,000, into the band index as it stands (so its pages are as full and as scattered as a real
//! archive's, not packed by a bulk build). Fingerprints are random minima (unrelated articles, as almost all are), and
//! their band keys are the scheme's keys of those minima. Then the same new articles go through
//! `Store::store_articles` in batches of 32, alternating two variants: with their story fingerprints, and without
//! (each then starts a story of its own with no lookup). The difference of the writer thread's CPU per article (from
//! `/proc/self/task/<tid>/schedstat`, in nanoseconds) is what the decision costs: the band index lookups, the
//! candidates' signatures read and compared, the fingerprint and its band rows written. Half the new articles are
//! copies of an earlier one (they join its story), half are new.

use std::time::Instant;

use gazette_store::{Extraction, FeedId, NewArticle, Store, StoryPrint};
use gazette_stories::minhash::{band_keys, Signature};
use gazette_stories::{Fingerprint, Kind, Scheme};
use rusqlite::{params, Connection};

fn env_num(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    // `cargo test --benches` runs this without --bench; only do the work under `cargo bench`.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let archive = env_num("GAZETTE_BENCH_ARTICLES", 100_000) as i64;
    let writes = env_num("GAZETTE_BENCH_WRITES", 4_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = std::env::var("GAZETTE_BENCH_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| dir.path().join("stories.db"));
    gazette_store::sqlite::migrate_file_to(&path, gazette_store::sqlite::schema::LATEST).expect("migrate");
    let mut conn = Connection::open(&path).expect("open");
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -32768")
        .unwrap();
    let have: i64 = conn
        .query_row("SELECT count(*) FROM story_fingerprints", [], |r| r.get(0))
        .unwrap();
    if have < archive {
        let t = Instant::now();
        grow(&mut conn, archive - have);
        println!(
            "grew the archive from {have} to {archive} fingerprints in {:.1} s",
            t.elapsed().as_secs_f64()
        );
    }
    let size: i64 = conn
        .query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )
        .unwrap();
    println!("database {} ({:.0} MiB)", path.display(), size as f64 / 1048576.0);
    drop(conn);
    if writes == 0 {
        return;
    }

    let db = Store::open_sqlite(&path).expect("open");
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let feed = rt
        .block_on(db.add_feeds(vec!["https://bench.example/feed".into()]))
        .unwrap()[0];
    let writer = writer_thread().expect("the writer thread goes by WRITER_THREAD_NAME");
    let store = |batch: Vec<NewArticle>| {
        let cpu = thread_cpu_seconds(&writer);
        let t = Instant::now();
        for r in rt.block_on(db.store_articles(batch)).unwrap().results {
            assert!(matches!(r.unwrap(), gazette_store::StoredArticle::Inserted(_)));
        }
        (thread_cpu_seconds(&writer) - cpu, t.elapsed().as_secs_f64())
    };
    // Built before the clock starts: fingerprints are computed off the writer, by the extraction threads.
    let run = std::process::id();
    let with: Vec<NewArticle> = articles(feed, &format!("with-{run}"), writes, true);
    let without: Vec<NewArticle> = articles(feed, &format!("without-{run}"), writes, false);
    let (mut cpu_with, mut cpu_without, mut wall_with, mut wall_without) = (0.0, 0.0, 0.0, 0.0);
    let mut with = with.chunks(32);
    let mut without = without.chunks(32);
    while let (Some(a), Some(b)) = (with.next(), without.next()) {
        let (c, w) = store(a.to_vec());
        cpu_with += c;
        wall_with += w;
        let (c, w) = store(b.to_vec());
        cpu_without += c;
        wall_without += w;
    }
    db.close();
    let per = |s: f64| s * 1e3 / writes as f64;
    println!(
        "archive of {archive} fingerprinted articles, {writes} new articles per variant (half of them copies):\n\
         writer CPU with fingerprints {:.3} ms/article, without {:.3} ms/article: the decision {:.3} ms/article\n\
         writer wall with {:.3} ms/article, without {:.3} ms/article",
        per(cpu_with),
        per(cpu_without),
        per(cpu_with - cpu_without),
        per(wall_with),
        per(wall_without)
    );
}

/// Adds `n` fingerprinted articles after the last one, as the writer adds them (fingerprint and band rows, with the
/// band index in place), and an articles row for the last, so that new articles are numbered after them. Only the
/// ids: the decision reads nothing else of an article.
fn grow(conn: &mut Connection, n: i64) {
    let scheme = Scheme::default();
    let mut rng = fastrand::Rng::with_seed(18 ^ n as u64);
    conn.execute("INSERT OR IGNORE INTO story_schemes (name) VALUES (?1)", [scheme.id()])
        .unwrap();
    let scheme_id: i64 = conn
        .query_row("SELECT id FROM story_schemes WHERE name = ?1", [scheme.id()], |r| {
            r.get(0)
        })
        .unwrap();
    conn.execute(
        "INSERT OR IGNORE INTO feeds (id, url) VALUES (1, 'https://bulk.example/feed')",
        [],
    )
    .unwrap();
    let last: i64 = conn
        .query_row("SELECT COALESCE(max(id), 0) FROM articles", [], |r| r.get(0))
        .unwrap();
    let (first, end) = (last + 1, last + n);
    for from in (first..=end).step_by(10_000) {
        let tx = conn.transaction().unwrap();
        {
            let mut story = tx
                .prepare_cached("INSERT INTO stories (id, first_article_id, articles, sites) VALUES (?1, ?1, 1, 1)")
                .unwrap();
            let mut print = tx
                .prepare_cached(
                    "INSERT INTO story_fingerprints (article_id, story_id, scheme_id, fingerprint)
                     VALUES (?1, ?1, ?2, ?3)",
                )
                .unwrap();
            let mut band = tx
                .prepare_cached("INSERT INTO story_bands (slot, band_key) VALUES (?1, ?2)")
                .unwrap();
            for id in from..(from + 10_000).min(end + 1) {
                let minima: Vec<u32> = (0..scheme.hashes).map(|_| rng.u32(..)).collect();
                let fingerprint = Fingerprint {
                    kind: Kind::Body,
                    shingles: rng.u32(100..1500),
                    signature: Signature::from_minima(&minima),
                };
                story.execute([id]).unwrap();
                print.execute(params![id, scheme_id, fingerprint.to_bytes()]).unwrap();
                for (b, key) in band_keys(&minima, Kind::Body, scheme.bands, scheme.rows)
                    .into_iter()
                    .enumerate()
                {
                    band.execute(params![id * 64 + b as i64, key]).unwrap();
                }
            }
        }
        tx.commit().unwrap();
    }
    conn.execute(
        "INSERT INTO articles (id, feed_id, item_key, fetched_at, story_id)
         VALUES (?1, 1, 'bulk-' || ?1, '2026-01-01T00:00:00Z', ?1)",
        [end],
    )
    .unwrap();
    conn.execute_batch("ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
}

/// `n` new articles: every odd one a copy of the one before it (a paragraph cut, an editor's note added).
fn articles(feed: FeedId, tag: &str, n: usize, fingerprinted: bool) -> Vec<NewArticle> {
    let scheme = Scheme::default();
    let mut rng = fastrand::Rng::with_seed(7);
    let mut previous = String::new();
    (0..n)
        .map(|i| {
            let text = if i % 2 == 1 {
                let cut = previous.rsplit_once(". ").map_or(previous.as_str(), |(head, _)| head);
                format!("{cut}. Editor's note: this copy was shortened.")
            } else {
                (0..12)
                    .map(|_| {
                        let words: Vec<String> = (0..14).map(|_| format!("w{}", rng.u32(..5000))).collect();
                        words.join(" ")
                    })
                    .collect::<Vec<_>>()
                    .join(". ")
            };
            previous = text.clone();
            let url = format!("https://bench.example/{tag}/{i}");
            let fetched_at = chrono::DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
                .unwrap()
                .to_utc();
            NewArticle {
                feed_id: feed,
                item_key: url.clone(),
                guid: None,
                url: Some(url),
                html: None,
                page_error: None,
                fetched_at,
                extraction: Extraction {
                    title: Some(format!("Story {i}")),
                    published_at: Some(fetched_at),
                    story: if fingerprinted {
                        StoryPrint::compute(None, None, &text, &scheme)
                    } else {
                        None
                    },
                    text,
                    ..Default::default()
                },
            }
        })
        .collect()
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

/// A thread's CPU time, from its /proc directory's schedstat (nanoseconds on a CPU; 0 elsewhere).
fn thread_cpu_seconds(thread: &str) -> f64 {
    std::fs::read_to_string(format!("{thread}/schedstat"))
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
