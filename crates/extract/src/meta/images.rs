//! The lead image and its caption.
//!
//! The image is the publisher's choice (`og:image`, JSON-LD `image`, `twitter:image`), else the lead figure's. The
//! caption is the one next to that image, else the caption of the lead figure: the first `<figure>` between the
//! headline and the start of the body (or opening the body), even outside the body's container. A caption keeps
//! no screen-reader prefix ("Image caption,", "Photo:") and no credit ("Image source, Getty Images", "(Reuters)",
//! "Foto: dpa"), which is kept apart.

use url::Url;

use super::text::resolve;
use crate::dom::{flag, Dom, Kind, Tag};

/// A caption and its credit.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Caption {
    pub text: Option<String>,
    pub credit: Option<String>,
}

fn file_of(u: &str) -> String {
    u.rsplit('/')
        .next()
        .unwrap_or(u)
        .split('?')
        .next()
        .unwrap_or("")
        .to_string()
}

/// The first caption (or credit) element inside the subtree at `root`: (caption, credit).
fn caption_in(dom: &Dom, root: usize) -> Caption {
    let items = &dom.items;
    let end = items[root].end as usize;
    let mut out = Caption::default();
    let mut j = root;
    while j < end {
        let it = &items[j];
        if let Kind::Element { el, .. } = it.kind {
            if it.has(flag::CAPTION) && it.tag() != Some(Tag::Figure) {
                let class =
                    format!("{} {}", el.attr("class").unwrap_or(""), el.attr("id").unwrap_or("")).to_ascii_lowercase();
                let is_credit = class.contains("credit") || class.contains("copyright") || class.contains("source");
                // A caption element holding a credit element: read them apart.
                let text = own_text_without_credits(dom, j);
                if is_credit {
                    if out.credit.is_none() {
                        out.credit = Some(text).filter(|t| !t.is_empty());
                    }
                    j = it.end as usize;
                    continue;
                }
                if out.text.is_none() && text.chars().count() > 3 {
                    out.text = Some(text);
                }
            }
        }
        j += 1;
    }
    split_caption(out)
}

/// The text of `i`'s subtree, leaving out nested credit elements.
fn own_text_without_credits(dom: &Dom, i: usize) -> String {
    let items = &dom.items;
    let end = items[i].end as usize;
    let mut out = String::new();
    let mut j = i;
    while j < end {
        let it = &items[j];
        match it.kind {
            Kind::Element { el, tag } => {
                if j > i {
                    let class = el.attr("class").unwrap_or("").to_ascii_lowercase();
                    if class.contains("credit") || class.contains("copyright") {
                        j = it.end as usize;
                        continue;
                    }
                }
                if tag.is_block() || tag == Tag::Br {
                    out.push(' ');
                }
            }
            Kind::Text(t) => out.push_str(t),
        }
        j += 1;
    }
    let mut collapsed = String::new();
    crate::dom::push_collapsed(&mut collapsed, &out);
    collapsed.trim().to_string()
}

const PREFIXES: &[&str] = &[
    "image caption,",
    "image caption:",
    "image caption",
    "media caption,",
    "media caption",
    "caption:",
    "photo:",
    "photograph:",
    "picture:",
    "image:",
    "bild:",
    "foto:",
    "bildunterschrift:",
    "légende :",
    "légende:",
];

const CREDIT_MARKS: &[&str] = &[
    "image source,",
    "image source:",
    "photo:",
    "photo by",
    "foto:",
    "bild:",
    "credit:",
    "credits:",
    "photograph:",
    "picture:",
    "©",
    "(c)",
    "copyright",
    "quelle:",
    "source:",
];

/// Drops screen-reader prefixes and splits a trailing credit off a caption.
fn split_caption(mut c: Caption) -> Caption {
    let Some(text) = c.text.take() else { return c };
    let mut t = text.trim().to_string();
    loop {
        let lower = t.to_lowercase();
        let Some(p) = PREFIXES.iter().find(|p| lower.starts_with(*p)) else {
            break;
        };
        t = t[p.len()..].trim().to_string();
    }
    // "Image source, Getty Images Image caption, The text" (BBC): the credit comes first.
    let lower = t.to_lowercase();
    if let Some(at) = lower.find("image caption,") {
        let (credit, rest) = t.split_at(at);
        let credit = credit.trim();
        let credit = credit
            .strip_prefix("Image source,")
            .or_else(|| credit.strip_prefix("Image source"))
            .unwrap_or(credit)
            .trim();
        if c.credit.is_none() && !credit.is_empty() {
            c.credit = Some(credit.to_string());
        }
        t = rest["image caption,".len()..].trim().to_string();
    }
    // A trailing credit: "... in Seoul. Photo: Jane Doe/Reuters", "... (Reuters)", "... © dpa".
    let lower = t.to_lowercase();
    let cut = CREDIT_MARKS
        .iter()
        .filter_map(|m| lower.rfind(m).map(|at| (at, m)))
        .filter(|(at, _)| *at > 0)
        .max_by_key(|(at, _)| *at);
    if let Some((at, mark)) = cut {
        let credit = t[at + mark.len()..].trim().trim_end_matches(')').trim();
        if !credit.is_empty() && credit.chars().count() <= 80 && t[..at].trim().chars().count() > 3 {
            if c.credit.is_none() {
                c.credit = Some(credit.to_string());
            }
            t = t[..at].trim().trim_end_matches(['(', '|', '-', '–']).trim().to_string();
        }
    } else if let Some(open) = t.rfind('(') {
        let inner = t[open + 1..].trim_end_matches(')').trim();
        if t.ends_with(')') && super::bylines::is_agency(inner) {
            if c.credit.is_none() {
                c.credit = Some(inner.to_string());
            }
            t = t[..open].trim().to_string();
        }
    }
    c.text = Some(t).filter(|t| t.chars().count() > 3);
    c
}

/// The lead figure: the first `<figure>` (or image container with a caption) after the headline and before the
/// body's first prose, or opening the body. Its item index.
fn lead_figure(dom: &Dom, headline: Option<usize>, body: &[(usize, usize)]) -> Option<usize> {
    let items = &dom.items;
    let start = headline.or_else(|| body.first().map(|r| r.0))?;
    // Up to the body's opening: its first region's start plus a little, so a figure opening the body counts.
    let body_start = body.first().map_or(start, |r| r.0);
    let limit = (body_start.max(start) + 80).min(items.len());
    (start..limit).find(|&i| {
        items[i].tag() == Some(Tag::Figure)
            && !items[i].has(flag::DROP)
            && items[i..items[i].end as usize]
                .iter()
                .any(|it| it.tag() == Some(Tag::Img))
    })
}

/// The image the figure at `f` shows.
fn figure_image(dom: &Dom, f: usize, base: Option<&Url>) -> Option<String> {
    let end = dom.items[f].end as usize;
    dom.harvest
        .images
        .iter()
        .find(|(_, at)| at.is_some_and(|a| (f..end).contains(&(a as usize))))
        .and_then(|(src, _)| resolve(base, src))
}

/// The caption of the lead image `image` (an absolute URL), else of the lead figure; and the lead figure's image.
pub fn caption(
    dom: &Dom,
    image: Option<&str>,
    base: Option<&Url>,
    headline: Option<usize>,
    body: &[(usize, usize)],
) -> (Caption, Option<String>) {
    let items = &dom.items;
    if let Some(img) = image {
        let want = file_of(img);
        for &(src, at) in &dom.harvest.images {
            let Some(at) = at else { continue };
            let resolved = resolve(base, src).unwrap_or_else(|| src.to_string());
            if resolved == img || (!want.is_empty() && file_of(&resolved) == want) {
                // Look in the image's figure or in up to three enclosing containers.
                let mut cur = at as usize;
                for _ in 0..3 {
                    let p = items[cur].parent as usize;
                    if p >= items.len() {
                        break;
                    }
                    cur = p;
                    let c = caption_in(dom, cur);
                    if c.text.is_some() {
                        return (c, None);
                    }
                }
            }
        }
    }
    match lead_figure(dom, headline, body) {
        Some(f) => (caption_in(dom, f), figure_image(dom, f, base)),
        None => (Caption::default(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &str) -> (Option<String>, Option<String>) {
        let c = split_caption(Caption {
            text: Some(s.to_string()),
            credit: None,
        });
        (c.text, c.credit)
    }

    #[test]
    fn prefixes_go_and_credits_are_kept_apart() {
        assert_eq!(
            split("Image source, Getty Images Image caption, Crowds in the square"),
            (Some("Crowds in the square".into()), Some("Getty Images".into()))
        );
        assert_eq!(
            split("Photo: Crowds in the square. Photo: Jane Doe/Reuters"),
            (Some("Crowds in the square.".into()), Some("Jane Doe/Reuters".into()))
        );
        assert_eq!(
            split("Crowds in the square (Reuters)"),
            (Some("Crowds in the square".into()), Some("Reuters".into()))
        );
        assert_eq!(
            split("Menschen auf dem Platz. Foto: dpa"),
            (Some("Menschen auf dem Platz.".into()), Some("dpa".into()))
        );
        assert_eq!(split("A plain caption"), (Some("A plain caption".into()), None));
    }
}
