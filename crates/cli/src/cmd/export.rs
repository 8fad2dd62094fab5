//! `gazette export REPORT`: a report as RFC 4180 CSV, streamed row by row.
//!
//! Spreadsheets execute cells that start with `=`, `+`, `-`, `@`, tab or carriage return as formulas, and article
//! text is written by strangers. Following OWASP's advice on CSV injection, such text cells are prefixed with a single
//! quote (`'`), which spreadsheets show as text; numbers are left alone. `--raw` turns this off for programs that
//! read the CSV.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gazette_store::reports::{run_report, Cell, Filters, Report, ReportSink};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// articles, mentions, entities, cooccurrence, timeline, quotes or feeds.
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
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Do not neutralise cells that a spreadsheet would run as formulas.
    #[arg(long)]
    pub raw: bool,
}

pub fn run(db: &Path, args: Args) -> Result<()> {
    let conn = crate::cmd::query::open_existing(db)?;
    let filters = Filters {
        since: args.since.as_deref().map(crate::cmd::dates::since).transpose()?,
        until: args.until.as_deref().map(crate::cmd::dates::until).transpose()?,
        feed: args.feed,
        entity_type: args.entity_type.map(|t| t.to_uppercase()),
        limit: args.limit,
    };
    if let Some(why) = args.report.check(&filters) {
        anyhow::bail!(why);
    }
    // A file is written beside its destination and renamed at the end, so a failed export leaves no half file.
    let partial = args.out.as_ref().map(|p| p.with_extension("csv.partial"));
    let sink: Box<dyn Write> = match &partial {
        Some(path) => Box::new(std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut sink = CsvSink {
        csv: csv::Writer::from_writer(std::io::BufWriter::new(sink)),
        record: Vec::new(),
        raw: args.raw,
    };
    let written = run_report(&conn, args.report, &filters, &mut sink)
        .with_context(|| format!("exporting {}", args.report.name()))
        .and_then(|rows| sink.csv.flush().map(|_| rows).context("writing the CSV"));
    drop(sink);
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

struct CsvSink<W: Write> {
    csv: csv::Writer<W>,
    record: Vec<String>,
    raw: bool,
}

impl<W: Write> ReportSink for CsvSink<W> {
    fn header(&mut self, columns: &[String]) -> gazette_store::Result<()> {
        self.csv.write_record(columns).map_err(csv_error)
    }

    fn row(&mut self, cells: &[Cell]) -> gazette_store::Result<()> {
        self.record.clear();
        self.record.extend(cells.iter().map(|c| export_cell(c, self.raw)));
        self.csv.write_record(&self.record).map_err(csv_error)
    }
}

fn csv_error(e: csv::Error) -> gazette_store::StoreError {
    gazette_store::StoreError::Io(std::io::Error::other(e))
}

/// A cell as written to the CSV: text that a spreadsheet would run as a formula gets a leading `'`.
pub fn export_cell(cell: &Cell, raw: bool) -> String {
    match cell {
        Cell::Text(s) if !raw && s.starts_with(['=', '+', '-', '@', '\t', '\r']) => format!("'{s}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_unless_raw() {
        for bad in ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            let cell = Cell::Text(bad.into());
            assert_eq!(export_cell(&cell, false), format!("'{bad}"));
            assert_eq!(export_cell(&cell, true), bad);
        }
        assert_eq!(export_cell(&Cell::Text("Joe Biden".into()), false), "Joe Biden");
        assert_eq!(export_cell(&Cell::Integer(-3), false), "-3");
        assert_eq!(export_cell(&Cell::Null, false), "");
    }
}
