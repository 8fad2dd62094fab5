//! `gazette extract URL|FILE`: one page through the extractor and the tagger, printed.

use anyhow::{Context, Result};

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// An http(s) URL or a local HTML file.
    pub page: String,
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
}

pub fn run(args: Args) -> Result<()> {
    let (html, url) = if args.page.starts_with("http://") || args.page.starts_with("https://") {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("starting the async runtime")?;
        let fetcher = gazette_fetch::Fetcher::new(gazette_fetch::FetchConfig::default())?;
        let page = runtime
            .block_on(fetcher.fetch_page(&args.page, true))
            .with_context(|| format!("fetching {}", args.page))?;
        (page.html, Some(page.final_url))
    } else {
        let bytes = std::fs::read(&args.page).with_context(|| format!("reading {}", args.page))?;
        (gazette_fetch::charset::decode(&bytes, None), None)
    };
    let p = crate::pipeline::process_page(html, url.unwrap_or_default());
    if let Some(error) = p.error {
        anyhow::bail!("extraction failed: {error}");
    }
    match args.format {
        Format::Text => {
            if let Some(title) = &p.article.title {
                println!("{title}\n");
            }
            println!("{}", p.article.text());
        }
        Format::Json => {
            let out = serde_json::json!({
                "article": p.article,
                "text": p.article.text(),
                "entities": p.annotations.mentions,
                "quotes": p.annotations.quotes,
            });
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
    }
    Ok(())
}
