//! The `gazette` binary: the only part of Gazette that prints. Libraries return typed errors; here they get context.

mod cmd;
mod flags;
mod opml;
mod render;
mod shutdown;

use std::path::PathBuf;

use clap::{Parser, Subcommand};
use gazette_ingest::config::{CommandLine, Config, LogFormat};

#[derive(Parser, Debug)]
#[command(
    name = "gazette",
    version,
    long_version = concat!(
        env!("CARGO_PKG_VERSION"),
        "\nPlace data: GeoNames (https://www.geonames.org), CC BY 4.0",
        "\nMap outline: Natural Earth (https://www.naturalearthdata.com), public domain"
    ),
    about = "News ingestion: feeds -> articles -> entities -> SQLite or PostgreSQL"
)]
struct Cli {
    /// The archive: a SQLite file, or a PostgreSQL URL (postgres://user@host/dbname) [env: GAZETTE_DB] [default:
    /// gazette.db].
    #[arg(long, global = true)]
    db: Option<String>,
    /// A TOML configuration file (see `gazette config`) [env: GAZETTE_CONFIG].
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Log format: text or json [env: GAZETTE_LOG_FORMAT].
    #[arg(long, global = true)]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Fetch feeds once: new articles are downloaded, extracted, tagged and stored.
    Ingest(cmd::ingest::Args),
    /// Run unattended: fetch each feed when it is due, until stopped.
    Daemon(cmd::daemon::Args),
    /// Manage subscriptions.
    #[command(subcommand)]
    Feeds(cmd::feeds::Command),
    /// Print the effective configuration and where each value came from.
    Config(cmd::config::Args),
    /// Copy a SQLite archive into a PostgreSQL database (safe to run again after an interruption).
    Copy(cmd::copy::Args),
    /// Re-run extraction and tagging over stored pages, without fetching.
    Reprocess(cmd::reprocess::Args),
    /// Run one page through the extractor and tagger and print the result.
    Extract(cmd::extract::Args),
    /// Run read-only SQL against the database.
    Query(cmd::query::Args),
    /// Full-text search over stored articles.
    Search(cmd::search::Args),
    /// Export a report as CSV.
    Export(cmd::export::Args),
    /// Rows per table, size, time span, top entities of the last day.
    Stats(cmd::stats::Args),
    /// Stories (the same article across sites): the day's, most sites first, or the sites that ran one.
    Stories(cmd::stories::Args),
    /// Serve a read-only web view of the archive (127.0.0.1:8080 unless told otherwise).
    Serve(cmd::serve::Args),
    /// Measure quality against gold data.
    #[command(subcommand)]
    Eval(EvalCommand),
    /// Train the entity tagger from CoNLL files.
    TrainNer(cmd::train_ner::Args),
}

#[derive(Subcommand, Debug)]
enum EvalCommand {
    /// Extraction shingle F1 over a corpus.
    Extract(cmd::eval_extract::Args),
    /// Entity F1 over a CoNLL file.
    Ner(cmd::eval_ner::Args),
    /// Share of headline names that the article body never contains, over corpora of pages.
    Titles(cmd::eval_titles::Args),
    /// Publication-day precision, recall and accuracy over a dates corpus.
    Dates(cmd::eval_dates::Args),
    /// Story detection (pairwise and B-cubed scores) over a labelled set of pages.
    Stories(cmd::eval_stories::Args),
    /// Place resolution (161 km and exact accuracy) over a labelled set.
    Places(cmd::eval_places::Args),
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let flags = match &cli.command {
        Command::Ingest(a) => a.config.clone(),
        Command::Daemon(a) => a.config.clone(),
        Command::Config(a) => a.config.clone(),
        _ => flags::ConfigFlags::default(),
    };
    let command_line = CommandLine {
        config: cli.config.clone(),
        db: cli.db.clone(),
        log_format: cli.log_format.clone(),
        flags: flags.0,
    };
    let config = match Config::load(&command_line) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: configuration: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    // The HTML parser warns about every malformed page it repairs (the web is malformed): not news to a user.
    let default_filter = match cli.command {
        // The daemon runs unattended: its lifecycle and cycle summaries are the point of its log.
        Command::Daemon(_) | Command::Serve(_) => "warn,gazette=info,html5ever=error",
        _ => "warn,html5ever=error",
    };
    init_logging(config.log_format, default_filter);
    let db = &config.db;
    let result = match cli.command {
        Command::Ingest(args) => cmd::ingest::run(&config, args),
        Command::Daemon(args) => cmd::daemon::run(&config, args),
        Command::Feeds(command) => cmd::feeds::run(&config, command),
        Command::Config(args) => cmd::config::run(&config, args),
        Command::Copy(args) => cmd::copy::run(args),
        Command::Reprocess(args) => cmd::reprocess::run(&config, args),
        Command::Extract(args) => cmd::extract::run(&config, args),
        Command::Query(args) => cmd::query::run(db, args),
        Command::Search(args) => cmd::search::run(db, args),
        Command::Export(args) => cmd::export::run(db, args),
        Command::Stats(args) => cmd::stats::run(db, args),
        Command::Stories(args) => cmd::stories::run(db, args),
        Command::Serve(args) => cmd::serve::run(&config, args),
        Command::Eval(EvalCommand::Extract(args)) => cmd::eval_extract::run(args),
        Command::Eval(EvalCommand::Ner(args)) => cmd::eval_ner::run(args),
        Command::Eval(EvalCommand::Titles(args)) => cmd::eval_titles::run(args),
        Command::Eval(EvalCommand::Dates(args)) => cmd::eval_dates::run(args),
        Command::Eval(EvalCommand::Stories(args)) => cmd::eval_stories::run(args),
        Command::Eval(EvalCommand::Places(args)) => cmd::eval_places::run(args),
        Command::TrainNer(args) => cmd::train_ner::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // Like ripgrep: a reader that stopped reading (`| head`) ends the command quietly.
        Err(e) if cmd::is_broken_pipe(&e) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr: readable text (colours only on a terminal) or one JSON object per line. `RUST_LOG` overrides
/// the default filter.
fn init_logging(format: LogFormat, default_filter: &str) {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_filter));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_current_span(false).init(),
    }
}
