//! What the pipeline tells its caller: one report per feed, summed into a run's summary.

/// What happened to one feed.
#[derive(Debug, Clone)]
pub struct FeedReport {
    pub feed_id: gazette_store::FeedId,
    pub url: String,
    pub outcome: FeedOutcomeKind,
    pub new_articles: u64,
    pub duplicates: u64,
    pub page_errors: u64,
    /// Every new item was committed (false when the run stopped part-way, or storing failed).
    pub complete: bool,
}

impl FeedReport {
    /// A feed that sent nothing down the pipeline: no articles, no page errors.
    pub fn without_items(
        feed_id: gazette_store::FeedId,
        url: &str,
        outcome: FeedOutcomeKind,
        duplicates: u64,
        complete: bool,
    ) -> Self {
        FeedReport {
            feed_id,
            url: url.to_string(),
            outcome,
            new_articles: 0,
            duplicates,
            page_errors: 0,
            complete,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedOutcomeKind {
    Fetched,
    Unchanged,
    Failed {
        error: String,
        disabled: bool,
    },
    /// Dropped before it was fetched (shutdown).
    Skipped,
}

/// What a run (or a daemon cycle) did.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub feeds: u64,
    pub feeds_failed: u64,
    pub feeds_unchanged: u64,
    pub feeds_disabled: u64,
    pub new_articles: u64,
    pub duplicates: u64,
    pub page_errors: u64,
}

impl Summary {
    pub fn add(&mut self, r: &FeedReport) {
        if r.outcome == FeedOutcomeKind::Skipped {
            return;
        }
        self.feeds += 1;
        match &r.outcome {
            FeedOutcomeKind::Failed { disabled, .. } => {
                self.feeds_failed += 1;
                self.feeds_disabled += u64::from(*disabled);
            }
            FeedOutcomeKind::Unchanged => self.feeds_unchanged += 1,
            _ => {}
        }
        self.new_articles += r.new_articles;
        self.duplicates += r.duplicates;
        self.page_errors += r.page_errors;
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} feeds ({} failed, {} unchanged), {} new articles, {} duplicates, {} page errors",
            self.feeds, self.feeds_failed, self.feeds_unchanged, self.new_articles, self.duplicates, self.page_errors
        )
    }
}
