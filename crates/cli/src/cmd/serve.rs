//! `gazette serve`: the read-only web view of the archive (the server is `gazette_web`).

use std::net::SocketAddr;

use anyhow::{anyhow, Context, Result};
use gazette_ingest::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on: IP:PORT, or a bare port for 127.0.0.1. Another address than loopback needs a token.
    #[arg(long, default_value = "127.0.0.1:8080", value_parser = listen_address)]
    pub listen: SocketAddr,
    /// The token every request must carry (Authorization: Bearer TOKEN, or open a page once with ?token=TOKEN)
    /// [config: web_token].
    #[arg(long)]
    pub token: Option<String>,
    /// Read connections open at most.
    #[arg(long, default_value_t = 4)]
    pub readers: usize,
}

/// An address as `--listen` takes it.
pub fn listen_address(v: &str) -> Result<SocketAddr, String> {
    gazette_ingest::config::parse_listen(v)?.ok_or_else(|| "expected an address to listen on".to_string())
}

/// The web view's options from the configuration and a `--token`, checked against the address.
pub fn web_options(config: &Config, token: Option<String>, addr: SocketAddr) -> Result<gazette_web::Options> {
    let token = token.or_else(|| config.web_token.clone());
    gazette_web::check_exposure(&addr, token.as_deref())?;
    Ok(gazette_web::Options {
        token,
        ..gazette_web::Options::default()
    })
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let options = gazette_web::Options {
        readers: args.readers,
        ..web_options(config, args.token, args.listen)?
    };
    super::open_archive(&config.db)?;
    let router =
        gazette_web::router(&config.db, &options).with_context(|| format!("opening {} read-only", config.db))?;
    let mut stop = crate::shutdown::listen();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("gazette-web")
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("listening on {}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "serving {} at http://{addr}/ ({})",
            config.db,
            gazette_web::exposure_note(addr, options.token.is_some())
        );
        gazette_web::serve(
            listener,
            router,
            async move { gazette_ingest::stopped(&mut stop).await },
        )
        .await
        .map_err(|e| anyhow!(e).context("serving the web view"))
    })
}
