//! `gazette export REPORT`: a report as RFC 4180 CSV, streamed row by row, with cells a spreadsheet would run as
//! formulas neutralised unless `--raw` (see [`crate::render`]).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use gazette_store::{CountBy, FeedId, Filters, Report};

use crate::render::Renderer;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// articles, mentions, entities, cooccurrence, timeline, quotes, feeds, places or countries (place data:
    /// GeoNames, CC BY 4.0).
    #[arg(value_parser = |s: &str| s.parse::<Report>())]
    pub report: Report,
    /// From this day (YYYY-MM-DD) or time (RFC 3339), inclusive.
    #[arg(long)]
    pub since: Option<String>,
    /// Up to this day (included whole) or time, inclusive.
    #[arg(long)]
    pub until: Option<String>,
    /// Only this feed.
    #[arg(long)]
    pub feed: Option<i64>,
    /// Only this entity type (PER, ORG, LOC, MISC, DATE, ...).
    #[arg(long = "type")]
    pub entity_type: Option<String>,
    #[arg(long)]
    pub limit: Option<i64>,
    /// What the entities and timeline reports count: article, or story (copies of one article across sites
    /// counted once per day).
    #[arg(long, default_value = "article", value_parser = |s: &str| s.parse::<CountBy>())]
    pub by: CountBy,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not neutralise cells that a spreadsheet would run as formulas.
    #[arg(long)]
    pub raw: bool,
}

pub fn run(db: &gazette_store::Location, args: Args) -> Result<()> {
    let archive = super::open_archive(db)?;
    let filters = Filters {
        since: args.since.as_deref().map(crate::cmd::dates::since).transpose()?,
        until: args.until.as_deref().map(crate::cmd::dates::until).transpose()?,
        feed: args.feed.map(FeedId),
        entity_type: args.entity_type.map(|t| t.to_uppercase()),
        limit: args.limit,
        by: args.by,
    };
    if let Some(why) = args.report.check(&filters) {
        anyhow::bail!(why);
    }
    // A file is written beside its destination and renamed at the end, so a failed export leaves no half file.
    let partial = args.out.as_ref().map(|p| p.with_extension("csv.partial"));
    let sink: Box<dyn Write> = match &partial {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
        )),
        None => super::stdout(),
    };
    let mut sink = Renderer::spreadsheet_csv(sink, args.raw);
    let written = archive
        .report(args.report, &filters, &mut sink)
        .with_context(|| format!("exporting {}", args.report.name()))
        .and_then(|rows| sink.finish().map(|_| rows).context("writing the CSV"));
    let rows = match written {
        Ok(rows) => rows,
        Err(e) => {
            if let Some(partial) = &partial {
                let _ = std::fs::remove_file(partial);
            }
            return Err(e);
        }
    };
    if let (Some(partial), Some(path)) = (&partial, &args.out) {
        std::fs::rename(partial, path).with_context(|| format!("moving the export to {}", path.display()))?;
        eprintln!("wrote {rows} rows to {}", path.display());
    }
    Ok(())
}
