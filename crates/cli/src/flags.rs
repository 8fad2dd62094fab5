//! The configuration flags of the commands that fetch (`ingest`, `daemon`) and of `config`: one `--key-with-dashes`
//! flag for each key of the configuration table that has one (`gazette_ingest::config::KEYS`), built from that table
//! so that a key is declared in one place.

use clap::{ArgMatches, Args, Command, FromArgMatches};
use gazette_ingest::config::KEYS;

/// The flags given: (key name, value as typed).
#[derive(Debug, Default, Clone)]
pub struct ConfigFlags(pub Vec<(&'static str, String)>);

fn flag_keys() -> impl Iterator<Item = (&'static str, &'static str, &'static str)> {
    KEYS.iter().filter_map(|k| k.flag.map(|value| (k.name, value, k.doc)))
}

impl FromArgMatches for ConfigFlags {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut flags = ConfigFlags::default();
        flags.update_from_arg_matches(matches)?;
        Ok(flags)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for (name, _, _) in flag_keys() {
            if let Some(v) = matches.get_one::<String>(name) {
                self.0.retain(|(n, _)| *n != name);
                self.0.push((name, v.clone()));
            }
        }
        Ok(())
    }
}

impl Args for ConfigFlags {
    fn augment_args(mut cmd: Command) -> Command {
        for (name, value, doc) in flag_keys() {
            let mut help = doc.to_string();
            if let Some(first) = help.get(..1) {
                help.replace_range(..1, &first.to_uppercase());
            }
            let mut arg = clap::Arg::new(name)
                .long(name.replace('_', "-"))
                .value_name(value)
                .help(help)
                .action(clap::ArgAction::Set);
            // `--listen`: the daemon's one listener serves metrics, health and (with --serve) the web view.
            if name == "metrics_listen" {
                arg = arg.visible_alias("listen");
            }
            cmd = cmd.arg(arg);
        }
        cmd
    }

    fn augment_args_for_update(cmd: Command) -> Command {
        Self::augment_args(cmd)
    }
}
