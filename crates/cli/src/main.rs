//! The `gazette` binary.

mod cmd;

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "gazette", version, about = "News ingestion: feeds -> articles -> entities -> SQLite")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
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

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Eval(EvalCommand::Extract(args)) => cmd::eval_extract::run(args),
        Command::Eval(EvalCommand::Ner(args)) => cmd::eval_ner::run(args),
        Command::TrainNer(args) => cmd::train_ner::run(args),
    }
}
