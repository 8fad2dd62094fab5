//! `gazette export` (being written).

use std::path::Path;

#[derive(clap::Args, Debug)]
pub struct Args {}

pub fn run(db: &Path, args: Args) -> anyhow::Result<()> {
    let _ = (db, args);
    anyhow::bail!("gazette export is not written yet")
}
