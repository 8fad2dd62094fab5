//! `gazette config`: the effective configuration and where each value came from.

use std::io::Write;

use anyhow::Result;
use gazette_ingest::Config;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// `toml` prints a configuration file (each value commented with its source); `json` one object per key.
    #[arg(long, value_enum, default_value_t = Format::Toml)]
    pub format: Format,
    #[command(flatten)]
    pub config: crate::flags::ConfigFlags,
}

#[derive(clap::ValueEnum, Debug, Clone, Copy)]
pub enum Format {
    Toml,
    Json,
}

pub fn run(config: &Config, args: Args) -> Result<()> {
    let mut out = super::stdout();
    match args.format {
        Format::Toml => write!(out, "{}", config.to_annotated_toml())?,
        Format::Json => {
            let rows: Vec<serde_json::Value> = config
                .values
                .iter()
                .map(|(key, value, origin)| serde_json::json!({"key": key, "value": value, "source": origin.to_string()}))
                .collect();
            writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        }
    }
    out.flush()?;
    Ok(())
}
