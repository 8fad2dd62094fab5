//! `gazette eval places FILE [--split dev|test] [--errors]`: accuracy within 161 km and exact-id accuracy of the place
//! resolver over a labelled set (gold spans, so resolution is measured apart from the tagger), beside the
//! population-only baseline.

use std::path::PathBuf;

use anyhow::Context;
use gazette_places::labelled::{self, Gold, Score};
use gazette_places::{Resolver, Strategy, RESOLVER_VERSION};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// A labelled set in the format of `crates/places/eval/labelled.txt`.
    pub file: PathBuf,
    /// Only the articles of this split (`dev` or `test`); both by default.
    #[arg(long)]
    pub split: Option<String>,
    /// Also list the resolver's wrong mentions.
    #[arg(long)]
    pub errors: bool,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let mut articles = labelled::parse(&text).with_context(|| format!("parsing {}", args.file.display()))?;
    if let Some(split) = &args.split {
        articles.retain(|a| &a.split == split);
        anyhow::ensure!(!articles.is_empty(), "no article in split {split:?}");
    }
    let resolver = Resolver::embedded();
    let (ours, outcomes) = labelled::score(&resolver, &articles).map_err(anyhow::Error::msg)?;
    let (baseline, _) =
        labelled::score(&resolver.with_strategy(Strategy::PopulationOnly), &articles).map_err(anyhow::Error::msg)?;

    println!(
        "{} articles, {} place mentions ({} in the tables, {} absent), {} demonyms; resolver {RESOLVER_VERSION}",
        ours.articles,
        ours.mentions,
        ours.resolvable,
        ours.mentions - ours.resolvable,
        ours.demonyms
    );
    println!(
        "{:<18} {:>9} {:>7} {:>16} {:>14} {:>8} {:>9}",
        "", "A@161km", "exact", "A@161 in tables", "exact in tables", "absent", "demonyms"
    );
    for (name, s) in [("resolver", &ours), ("population only", &baseline)] {
        row(name, s);
    }
    if args.errors {
        println!();
        for o in outcomes.iter().filter(|o| !o.within_161 || !o.exact) {
            let gold = match &o.gold {
                Gold::Place(id) => id.to_string(),
                Gold::Absent => "none".to_string(),
                Gold::Demonym(cc) => format!("demonym {cc}"),
            };
            let chosen = o.chosen.map_or("none".to_string(), |id| id.to_string());
            let km = o.error_km.map_or(String::new(), |d| format!(" ({d:.0} km)"));
            let kind = if o.within_161 { "near" } else { "WRONG" };
            println!(
                "{kind:<5} article {:<4} {:<28} gold {gold:<12} chosen {chosen}{km}",
                o.article, o.surface
            );
        }
    }
    Ok(())
}

fn row(name: &str, s: &Score) {
    println!(
        "{name:<18} {:>8.1}% {:>6.1}% {:>15.1}% {:>14.1}% {:>7.1}% {:>8.1}%",
        s.within_161_pct(),
        s.exact_pct(),
        s.resolvable_within_161_pct(),
        s.resolvable_exact_pct(),
        s.absent_pct(),
        s.demonyms_pct()
    );
}
