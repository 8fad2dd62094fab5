//! The `gazette` binary: the only part of Gazette that prints. Libraries return typed errors; here they get context.

mod cmd;
mod opml;
mod pipeline;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "gazette",
    version,
    about = "News ingestion: feeds -> articles -> entities -> SQLite"
)]
struct Cli {
    /// The SQLite database.
    #[arg(long, global = true, env = "GAZETTE_DB", default_value = "gazette.db")]
    db: PathBuf,
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
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    init_logging();
    let result = match cli.command {
        Command::Ingest(args) => cmd::ingest::run(&cli.db, args),
        Command::Daemon(args) => cmd::daemon::run(&cli.db, args),
        Command::Feeds(command) => cmd::feeds::run(&cli.db, command),
        Command::Config(args) => cmd::config::run(&cli.db, args),
        Command::Reprocess(args) => cmd::reprocess::run(&cli.db, args),
        Command::Extract(args) => cmd::extract::run(args),
        Command::Query(args) => cmd::query::run(&cli.db, args),
        Command::Search(args) => cmd::search::run(&cli.db, args),
        Command::Export(args) => cmd::export::run(&cli.db, args),
        Command::Stats(args) => cmd::stats::run(&cli.db, args),
        Command::Eval(EvalCommand::Extract(args)) => cmd::eval_extract::run(args),
        Command::Eval(EvalCommand::Ner(args)) => cmd::eval_ner::run(args),
        Command::TrainNer(args) => cmd::train_ner::run(args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr; `RUST_LOG` overrides the default (warnings, and Gazette's own info lines).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
