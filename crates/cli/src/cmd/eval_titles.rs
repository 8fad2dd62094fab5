//! `gazette eval titles DIR...`: how often the tagger invents names in headlines. Every page (`<id>/source.html` or
//! `*.html` under each DIR) is extracted and tagged as the pipeline does; a title mention (PER, ORG, LOC, MISC) whose
//! string the body never contains is counted as unsupported. Prints the share, and the worst examples with `--list`.

use std::path::{Path, PathBuf};

use anyhow::Context;
use gazette_extract::entities::{ArticleText, EntityKind, Field, Tagger};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Corpus directories: `<id>/source.html` pages or `*.html` files.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Print this many unsupported title mentions (page, surface, type, title).
    #[arg(long, default_value_t = 0)]
    pub list: usize,
}

fn pages(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let p = e?.path();
        if p.join("source.html").is_file() {
            out.push(p.join("source.html"));
        } else if p.extension().is_some_and(|x| x == "html") {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

pub fn run(args: Args) -> anyhow::Result<()> {
    let tagger = Tagger::embedded();
    let (mut pages_n, mut titled, mut untagged) = (0usize, 0usize, 0usize);
    let (mut mentions, mut unsupported) = (0usize, 0usize);
    let mut examples: Vec<String> = Vec::new();
    for dir in &args.dirs {
        for path in pages(dir)? {
            pages_n += 1;
            let html = String::from_utf8_lossy(&std::fs::read(&path)?).into_owned();
            let Ok(article) = gazette_extract::extract(&html, None) else {
                continue;
            };
            let title = article.title.clone().unwrap_or_default();
            if title.trim().is_empty() {
                continue;
            }
            titled += 1;
            let text = article.text();
            let caption = article.image_caption.clone().unwrap_or_default();
            let ann = tagger.annotate_text(&ArticleText {
                title: &title,
                text: &text,
                caption: &caption,
                language: article.language.as_deref(),
            });
            if !ann.untagged_languages.is_empty() {
                untagged += 1;
            }
            for m in ann.mentions.iter().filter(|m| m.field == Field::Title) {
                if !matches!(
                    m.kind,
                    EntityKind::Person | EntityKind::Organisation | EntityKind::Location | EntityKind::Misc
                ) {
                    continue;
                }
                mentions += 1;
                if !text.contains(&m.surface) {
                    unsupported += 1;
                    if examples.len() < args.list {
                        examples.push(format!(
                            "{}\t{}\t{}\t{}",
                            path.display(),
                            m.surface,
                            m.kind.as_str(),
                            title.replace(['\t', '\n'], " ")
                        ));
                    }
                }
            }
        }
    }
    for e in &examples {
        println!("{e}");
    }
    println!(
        "{pages_n} pages, {titled} with a title ({untagged} with text not tagged for names: not English); \
         {mentions} named title mentions, {unsupported} not in the body: {:.1}%",
        if mentions > 0 {
            100.0 * unsupported as f64 / mentions as f64
        } else {
            0.0
        }
    );
    Ok(())
}
