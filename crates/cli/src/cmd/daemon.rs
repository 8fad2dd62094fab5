//! `gazette daemon`: fetch each feed when it is due, until stopped (the loop is `gazette_ingest::daemon`). With
//! `--serve`, its listener (`--listen`) serves the web view beside /metrics and /healthz.

use anyhow::{bail, Context, Result};
use gazette_ingest::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub config: crate::flags::ConfigFlags,
    /// Serve the read-only web view (`gazette serve`) on the metrics listener (--listen) as well.
    #[arg(long)]
    pub serve: bool,
    /// The token the web view requires (needed when the listener is not a loopback address) [config: web_token].
    #[arg(long, requires = "serve")]
    pub token: Option<String>,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let web = if args.serve {
        let Some(addr) = config.metrics_listen else {
            bail!("--serve needs an address to listen on: --listen ADDR (or metrics_listen in the configuration)");
        };
        let options = super::serve::web_options(config, args.token, addr)?;
        // The daemon creates the database; the web view opens it read-only once its schema is in place.
        super::open_store(&config.db)?.close();
        let router =
            gazette_web::router(&config.db, &options).with_context(|| format!("opening {} read-only", config.db))?;
        tracing::info!(
            address = %addr,
            "serving the web view: {}",
            gazette_web::exposure_note(addr, options.token.is_some())
        );
        Some(router)
    } else {
        None
    };
    let stop = crate::shutdown::listen();
    let result = super::with_runtime_and_store(config, |store| async move {
        Ok(gazette_ingest::daemon::run(config, store, stop, web).await?)
    });
    if result.is_ok() {
        tracing::info!("stopped");
    }
    result
}
