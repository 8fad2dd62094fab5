//! `gazette daemon`: fetch each feed when it is due, until stopped (the loop is `gazette_ingest::daemon`).

use anyhow::Result;
use gazette_ingest::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: crate::flags::ConfigFlags,
}

pub fn run(config: &Config, _args: Args) -> Result<()> {
    let stop = crate::shutdown::listen();
    let result = super::with_runtime_and_store(config, |store| async move {
        Ok(gazette_ingest::daemon::run(config, store, stop).await?)
    });
    if result.is_ok() {
        tracing::info!("stopped");
    }
    result
}
