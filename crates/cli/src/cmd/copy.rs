//! `gazette copy --from gazette.db --to postgres://...`: an existing SQLite archive into PostgreSQL, ids kept; safe to
//! run again after an interruption (see `gazette_store::postgres::copy`).

use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use gazette_store::Location;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The SQLite archive to copy.
    #[arg(long)]
    pub from: PathBuf,
    /// The PostgreSQL database to copy into (postgres://user@host/dbname; it must exist).
    #[arg(long)]
    pub to: String,
}

pub fn run(args: Args) -> Result<()> {
    if !args.from.exists() {
        bail!("no database at {}", args.from.display());
    }
    let Location::Postgres(to) = Location::parse(&args.to)? else {
        bail!("--to takes a PostgreSQL URL (postgres://user@host/dbname)");
    };
    let report = gazette_store::postgres::copy::copy_sqlite(&args.from, &to)
        .with_context(|| format!("copying {} to {to}", args.from.display()))?;
    for (table, read, new) in report.tables {
        eprintln!("{table:>13}: {read} rows read, {new} new");
    }
    Ok(())
}
