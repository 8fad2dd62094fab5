//! Re-extraction (`gazette reprocess`): extraction, tagging and place resolution re-run over the stored pages,
//! without fetching. Each article's text, metadata, versions, mentions, places and quotes are replaced in one
//! transaction, so an interrupted run leaves every article either as it was or fully reprocessed.
//!
//! [`resolve_places`] (`gazette reprocess --places`) only resolves the stored place mentions again, for the articles
//! whose places an older resolver (or none) resolved: no page is read again, and nothing else changes.

use std::future::Future;
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
    progress: impl FnMut(),
) -> Result<Counts, StoreError> {
    let ids = store.articles_with_pages(filter).await?;
    started(ids.len() as u64);
    Ok(for_each(store, ids, threads, progress, reprocess_one).await)
}

/// Resolves again the places of the articles the filter selects whose places were resolved by an older resolver (or
/// never), `threads` at a time. `started` gets the number of articles before the first, `progress` is called after
/// each.
pub async fn resolve_places(
    store: &Store,
    filter: ReprocessFilter,
    threads: usize,
    started: impl FnOnce(u64),
    progress: impl FnMut(),
) -> Result<Counts, StoreError> {
    let ids: Vec<ArticleId> = store
        .articles_to_resolve(filter, gazette_places::RESOLVER_VERSION)
        .await?
        .into_iter()
        .filter(|(_, version)| crate::places::is_stale(version.as_deref()))
        .map(|(id, _)| id)
        .collect();
    started(ids.len() as u64);
    Ok(for_each(store, ids, threads, progress, resolve_one).await)
}

/// Runs `job` over the articles, `threads` at a time (the CPU work of each runs on the blocking pool; reads and
/// writes go through the store), counting what succeeded and what failed.
async fn for_each<F, Fut>(
    store: &Store,
    ids: Vec<ArticleId>,
    threads: usize,
    mut progress: impl FnMut(),
    job: F,
) -> Counts
where
    F: Fn(Store, ArticleId) -> Fut,
    Fut: Future<Output = Result<bool, StoreError>> + Send + 'static,
{
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
        let work = job(store.clone(), id);
        tasks.spawn(async move {
            let _permit = permit;
            work.await
        });
        while let Some(done) = tasks.try_join_next() {
            record(done, &mut counts);
        }
    }
    while let Some(done) = tasks.join_next().await {
        record(done, &mut counts);
    }
    counts
}

/// Resolves one article's stored place mentions again. Ok(false) when it is gone.
async fn resolve_one(store: Store, id: ArticleId) -> Result<bool, StoreError> {
    let Some(stored) = store.place_mentions(id).await? else {
        return Ok(false);
    };
    let resolved = tokio::task::spawn_blocking(move || {
        let mentions: Vec<crate::places::PlaceMention> = stored
            .mentions
            .iter()
            .map(|(field, start, end, surface)| (*field, *start as usize, *end as usize, surface.as_str()))
            .collect();
        let article = crate::places::ArticleText {
            title: &stored.title,
            text: &stored.text,
            caption: &stored.caption,
            language: stored.language.as_deref(),
            url: stored.url.as_deref(),
        };
        crate::places::resolve(&article, &mentions)
    })
    .await;
    match resolved {
        Ok(resolved) => store.replace_places(id, resolved).await,
        Err(e) => {
            tracing::error!(article = id.0, error = %e, "resolving places crashed");
            Ok(false)
        }
    }
}

/// Re-extracts one article. Ok(false) when its page could not be read or extracted (recorded in `page_error`).
async fn reprocess_one(store: Store, id: ArticleId) -> Result<bool, StoreError> {
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
            let mut new = to_extraction(processed.article, &processed.annotations, true);
            new.places = processed.places;
            store.replace_extraction(id, new).await
        }
    }
}
