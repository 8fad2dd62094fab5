//! `gazette query "SQL"`: read-only SQL with bound parameters, a time limit, and several output formats (the
//! guarantees are the store's: `Archive::query`).

use std::time::Duration;

use anyhow::{bail, Context, Result};
use gazette_store::SqlQuery;

use crate::render::{Format, Renderer};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// One SQL statement. The database is opened read-only: writes fail and change nothing.
    pub sql: String,
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Bind a parameter: `--param name=value` for `:name` in the SQL (values are never pasted into the SQL). A value
    /// spelt as a plain number (`42`, `-7`, `0.5`) binds as a number, anything else as text; write
    /// `CAST(:name AS TEXT)` to compare a number-like value as text.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Stop the query after this many seconds (also the longest wait for a lock).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
}

pub fn run(db: &gazette_store::Location, args: Args) -> Result<()> {
    let mut archive = super::open_archive(db)?;
    if args.timeout.is_nan() || args.timeout < 0.0 {
        bail!("--timeout {}: expected a number of seconds", args.timeout);
    }
    let mut params = Vec::new();
    for p in &args.params {
        let (name, value) = p
            .split_once('=')
            .with_context(|| format!("--param {p:?}: expected NAME=VALUE"))?;
        params.push((name.to_string(), value.to_string()));
    }
    let query = SqlQuery {
        sql: args.sql,
        params,
        // A limit too large to represent is no limit.
        timeout: Duration::try_from_secs_f64(args.timeout).ok(),
    };
    let mut out = Renderer::new(args.format, super::stdout());
    archive.query(&query, &mut out).map_err(|e| match e {
        gazette_store::StoreError::NoSuchParam(key) => {
            let name = key.trim_start_matches(':');
            anyhow::anyhow!("--param {name}: the SQL has no parameter {key}")
        }
        e => e.into(),
    })?;
    out.finish()?;
    Ok(())
}
