//! Re-extraction (`gazette reprocess`): extraction and tagging re-run over the stored pages, without fetching. Each
//! article's text, metadata, versions, mentions and quotes are replaced in one transaction, so an interrupted run
//! leaves every article either as it was or fully reprocessed.

use std::sync::Arc;

use chrono::Utc;
use gazette_store::{ArticleId, ReprocessFilter, Store, StoreError};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::article::{process_page, to_extraction, Processed};

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub reprocessed: u64,
    pub failed: u64,
}

/// Re-extracts the articles the filter selects, `threads` at a time. `started` gets the number of articles before
/// the first, `progress` is called after each.
pub async fn run(
    store: &Store,
    filter: ReprocessFilter,
    threads: usize,
    started: impl FnOnce(u64),
    mut progress: impl FnMut(),
) -> Result<Counts, StoreError> {
    let ids = store.articles_with_pages(filter).await?;
    started(ids.len() as u64);
    // At most one page per thread is being extracted; reads and writes go through the store.
    let slots = Arc::new(Semaphore::new(threads.max(1)));
    let mut tasks = JoinSet::new();
    let mut counts = Counts::default();
    let mut record = |done: Result<Result<bool, StoreError>, tokio::task::JoinError>, counts: &mut Counts| {
        match done {
            Ok(Ok(true)) => counts.reprocessed += 1,
            Ok(Ok(false)) => counts.failed += 1,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "reprocessing failed");
                counts.failed += 1;
            }
            Err(e) => {
                tracing::error!(error = %e, "reprocessing task failed");
                counts.failed += 1;
            }
        }
        progress();
    };
    for id in ids {
        let permit = slots.clone().acquire_owned().await.expect("never closed");
        let store = store.clone();
        tasks.spawn(async move {
            let _permit = permit;
            reprocess_one(&store, id).await
        });
        while let Some(done) = tasks.try_join_next() {
            record(done, &mut counts);
        }
    }
    while let Some(done) = tasks.join_next().await {
        record(done, &mut counts);
    }
    Ok(counts)
}

/// Re-extracts one article. Ok(false) when its page could not be read or extracted (recorded in `page_error`).
async fn reprocess_one(store: &Store, id: ArticleId) -> Result<bool, StoreError> {
    let Some(page) = store.stored_page(id).await? else {
        return Ok(false);
    };
    let processed = tokio::task::spawn_blocking(move || match page.html() {
        // Relative dates ("2 hours ago") are read against the original fetch, not today.
        Ok(html) => process_page(
            html,
            page.url.unwrap_or_default(),
            page.fetched_at.unwrap_or_else(Utc::now),
        ),
        Err(e) => Processed::failed(format!("stored page is unreadable: {e}")),
    })
    .await
    .unwrap_or_else(|e| Processed::failed(format!("extraction crashed: {e}")));
    match processed.error {
        // Only the error is recorded; the stored extraction stays.
        Some(error) => {
            store.record_page_error(id, &error).await?;
            Ok(false)
        }
        None => {
            let new = to_extraction(processed.article, &processed.annotations, true);
            store.replace_extraction(id, new).await
        }
    }
}
