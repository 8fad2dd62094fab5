//! `gazette eval stories DIR [--sweep] [--margins N] [thresholds]`: how well story detection groups a labelled set.
//!
//! DIR holds `manifest.tsv` and the pages it lists (see `gazette_stories::labelled`; the repository's set is
//! `tests/fixtures/stories`). Pages go through the real extractor, arrive one at a time in publication order and join
//! the story of an earlier near-duplicate or start one, exactly as the writer decides. Prints the wrongly merged and
//! the missed pairs, the pairs closest to the rule from either side (exact similarities, not estimates), optionally a
//! one-parameter-at-a-time sweep, and last the pairwise precision and recall of "same story" and the B-cubed scores.

use std::path::PathBuf;

use anyhow::Context;
use gazette_stories::labelled::{evaluate, exact_pairs, load, sweep, ExtractedPage};
use gazette_stories::score::Scores;
use gazette_stories::{Config, Kind};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// The labelled set: a directory with manifest.tsv and the pages it lists.
    pub dir: PathBuf,
    /// Also vary each parameter alone around the defaults (or the values given) and print the scores of each.
    #[arg(long)]
    pub sweep: bool,
    /// How many of the closest pairs on each side of the rule to print.
    #[arg(long, default_value_t = 5)]
    pub margins: usize,
    /// Same story when the bodies' estimated Jaccard similarity is at least this.
    #[arg(long)]
    pub body_jaccard: Option<f64>,
    /// ... or when this share of the smaller body is in the larger ...
    #[arg(long)]
    pub body_containment: Option<f64>,
    /// ... and their Jaccard similarity is at least this.
    #[arg(long)]
    pub containment_min_jaccard: Option<f64>,
    /// Short articles: same story when their title-and-lead Jaccard similarity is at least this.
    #[arg(long)]
    pub lead_jaccard: Option<f64>,
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let mut config = Config::default();
    let rule = &mut config.rule;
    for (given, field) in [
        (args.body_jaccard, &mut rule.body_jaccard),
        (args.body_containment, &mut rule.body_containment),
        (args.containment_min_jaccard, &mut rule.containment_min_jaccard),
        (args.lead_jaccard, &mut rule.lead_jaccard),
    ] {
        if let Some(v) = given {
            anyhow::ensure!((0.0..=1.0).contains(&v), "thresholds are between 0 and 1, not {v}");
            *field = v;
        }
    }
    let pages = load(&args.dir).with_context(|| format!("loading the labelled set {}", args.dir.display()))?;
    let evaluation = evaluate(&pages, &config);
    let name = |i: usize| pages[i].label.page.as_str();
    let pairs = exact_pairs(&pages, &config.scheme);
    let exact = |i: usize, j: usize| {
        pairs
            .iter()
            .find(|p| p.first == i && p.second == j)
            .map(|p| format!("J {:.3} C {:.3}", p.jaccard, p.containment))
            .unwrap_or_else(|| "not comparable".into())
    };
    println!("scheme: {}", config.scheme.id());
    println!("rule: {:?}", config.rule);
    for (title, list) in [
        ("wrongly merged", &evaluation.wrong_merges),
        ("missed (same story, kept apart)", &evaluation.missed),
    ] {
        println!("{title}: {}", list.len());
        for &(i, j) in list.iter().take(20) {
            println!("  {} | {}  ({})", name(i), name(j), exact(i, j));
        }
    }
    for kind in [Kind::Body, Kind::Lead] {
        let mut positives: Vec<_> = pairs.iter().filter(|p| p.kind == kind && p.same_story).collect();
        let mut negatives: Vec<_> = pairs.iter().filter(|p| p.kind == kind && !p.same_story).collect();
        positives.sort_by(|a, b| a.jaccard.total_cmp(&b.jaccard));
        negatives.sort_by(|a, b| b.jaccard.total_cmp(&a.jaccard));
        println!(
            "{kind:?} pairs: {} same story, {} different; closest to the rule (exact Jaccard, containment):",
            positives.len(),
            negatives.len()
        );
        for p in positives.iter().take(args.margins) {
            println!(
                "  same  J {:.3} C {:.3}  {} | {}",
                p.jaccard,
                p.containment,
                name(p.first),
                name(p.second)
            );
        }
        for p in negatives.iter().take(args.margins) {
            println!(
                "  diff  J {:.3} C {:.3}  {} | {}",
                p.jaccard,
                p.containment,
                name(p.first),
                name(p.second)
            );
        }
    }
    if args.sweep {
        println!("\nsweep: one parameter at a time (* = the configuration above). Clustered: as the writer decides");
        println!("(band lookups, arrival order). Rule: every pair compared, no lookup. Closest: the highest exact");
        println!("Jaccard of two different stories' bodies under the row's scheme.");
        println!(
            "  {:<24} {:>6}  {:>6} {:>6} {:>6}  {:>6} {:>6}  {:>7}",
            "parameter", "value", "pair P", "pair R", "B3 F1", "rule P", "rule R", "closest"
        );
        for row in sweep(&pages, &config) {
            let s = &row.scores;
            println!(
                "{} {:<24} {:>6.2}  {:>6.3} {:>6.3} {:>6.3}  {:>6.3} {:>6.3}  {:>7.3}",
                if row.is_base { "*" } else { " " },
                row.parameter,
                row.value,
                s.pairwise.precision,
                s.pairwise.recall,
                s.bcubed.f1(),
                row.decisions.precision,
                row.decisions.recall,
                row.closest_different
            );
        }
    }
    print_summary(&args.dir, &pages, &evaluation.stories, &evaluation.scores);
    Ok(())
}

fn print_summary(dir: &std::path::Path, pages: &[ExtractedPage], stories: &[usize], s: &Scores) {
    let gold: std::collections::HashSet<&str> = pages.iter().map(|p| p.label.story.as_str()).collect();
    let predicted: std::collections::HashSet<usize> = stories.iter().copied().collect();
    println!(
        "{}: pages {}  stories {} (predicted {})  pairwise precision {:.3} recall {:.3} ({} of {} pairs, {} claimed)  \
         B-cubed precision {:.3} recall {:.3} F1 {:.3}",
        dir.display(),
        pages.len(),
        gold.len(),
        predicted.len(),
        s.pairwise.precision,
        s.pairwise.recall,
        s.true_pairs,
        s.gold_pairs,
        s.predicted_pairs,
        s.bcubed.precision,
        s.bcubed.recall,
        s.bcubed.f1()
    );
}
