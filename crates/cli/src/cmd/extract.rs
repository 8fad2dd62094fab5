//! `gazette extract URL|FILE`: one page through the extractor, the tagger and the place resolver, printed. In JSON,
//! each place mention (LOC) has a `place` (its GeoNames entry, or null when nothing fits) and a `place_confidence`,
//! and `demonyms` lists the demonyms with their country. Place data: GeoNames, CC BY 4.0.

use std::io::Write;

use anyhow::{Context, Result};
use gazette_ingest::article::{not_a_web_page, process_page};
use gazette_ingest::Config;
use gazette_store::{PlaceRecord, ResolvedPlaces};

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
                "entities": entities_with_places(&p.annotations.mentions, p.places.as_ref())?,
                "demonyms": p.places.as_ref().map(demonyms).unwrap_or_default(),
                "resolver_version": p.places.as_ref().map(|r| r.resolver_version.as_str()),
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

/// The tagger's mentions as JSON, each place mention with its place: `{geonameid, name, feature_code, country_code,
/// admin1, lat, lon, population}` or null, and the resolver's confidence.
fn entities_with_places(
    mentions: &[gazette_extract::entities::Mention],
    places: Option<&ResolvedPlaces>,
) -> Result<Vec<serde_json::Value>> {
    let mut out = Vec::with_capacity(mentions.len());
    for m in mentions {
        let mut json = serde_json::to_value(m)?;
        let field = gazette_ingest::article::field(m.field);
        let resolved = places.and_then(|r| {
            r.mentions
                .iter()
                .find(|p| p.field == field && p.start == m.start as i64 && p.end == m.end as i64)
                .map(|p| (r, p))
        });
        if let (Some((r, p)), Some(object)) = (resolved, json.as_object_mut()) {
            let place = p
                .geonameid
                .and_then(|id| r.places.iter().find(|e| e.geonameid == id))
                .map(place_json);
            object.insert("place".into(), place.unwrap_or(serde_json::Value::Null));
            object.insert("place_confidence".into(), serde_json::json!(p.confidence));
        }
        out.push(json);
    }
    Ok(out)
}

fn place_json(p: &PlaceRecord) -> serde_json::Value {
    serde_json::json!({
        "geonameid": p.geonameid,
        "name": p.name,
        "feature_code": p.feature_code,
        "country_code": p.country_code,
        "admin1": p.admin1,
        "lat": p.lat,
        "lon": p.lon,
        "population": p.population,
    })
}

fn demonyms(r: &ResolvedPlaces) -> Vec<serde_json::Value> {
    r.demonyms
        .iter()
        .map(|d| {
            serde_json::json!({
                "field": d.field.label(),
                "start": d.start,
                "end": d.end,
                "surface": d.surface,
                "country_code": d.country_code,
            })
        })
        .collect()
}
