//! `gazette extract URL|FILE`: one page through the extractor and the tagger, printed.

use std::io::Write;

use anyhow::{Context, Result};
use gazette_ingest::article::{not_a_web_page, process_page};
use gazette_ingest::Config;

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

pub fn run(config: &Config, args: Args) -> Result<()> {
    let (html, url) = if args.page.starts_with("http://") || args.page.starts_with("https://") {
        let fetcher = gazette_fetch::Fetcher::new(config.fetch_config())?;
        let page = super::block_on(fetcher.fetch_page(&args.page, true))?
            .with_context(|| format!("fetching {}", args.page))?;
        if let Some(why) = not_a_web_page(page.html.as_bytes()) {
            anyhow::bail!("{} is not a web page: {why}", args.page);
        }
        (page.html, Some(page.final_url))
    } else {
        let bytes = std::fs::read(&args.page).with_context(|| format!("reading {}", args.page))?;
        if let Some(why) = not_a_web_page(&bytes) {
            anyhow::bail!("{} is not a web page: {why}", args.page);
        }
        (gazette_fetch::charset::decode(&bytes, None), None)
    };
    let p = process_page(html, url.unwrap_or_default(), chrono::Utc::now());
    if let Some(error) = p.error {
        anyhow::bail!("extraction failed: {error}");
    }
    let mut out = super::stdout();
    match args.format {
        Format::Text => {
            if let Some(title) = &p.article.title {
                writeln!(out, "{title}\n")?;
            }
            writeln!(out, "{}", p.article.text())?;
        }
        Format::Json => {
            let json = serde_json::json!({
                "article": p.article,
                "text": p.article.text(),
                "entities": p.annotations.mentions,
                "quotes": p.annotations.quotes,
                "names_tagged": p.annotations.names,
                "untagged_languages": p.annotations.untagged_languages,
            });
            serde_json::to_writer_pretty(&mut out, &json)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}
