//! Finding the article body: score, choose, emit.
//!
//! The algorithm, in one idea: the body is the subtree with the most *good* text net of *bad* text.
//!
//! * Every block's own text (the text nodes whose nearest block ancestor it is) is split into good, bad and neutral
//!   characters. Link text and the text of link-dominated blocks is bad (menus, related boxes, tag lists), as is all
//!   the text under elements marked as boilerplate by tag, ARIA role or class words (share bars, comments,
//!   newsletters...). Non-link text in blocks long enough to be prose is good; short non-link text (labels, datelines,
//!   list items of a recipe) is neutral; captions are neutral.
//! * Sums go up the tree in one reverse pass, and the container maximising `good - bad` is the body. Parents win when
//!   they add more prose than boilerplate, so articles split over sibling `<div>`s come out whole, and a page's sidebar
//!   or comment thread costs more than the little prose it adds. Siblings of the winner that are mostly prose are
//!   merged back in, as Readability does.
//! * The headline (the heading sharing most of the title, never one linking home) anchors the choice: prose in its
//!   neighbourhood weighs double, a class-marked box beside it is never rescued for its prose, and a winner that
//!   holds the neighbourhood plus other posts' teasers is narrowed to the neighbourhood.
//! * Emission walks the chosen subtrees in document order, skipping boilerplate, captions, the repeated headline and
//!   nested containers that are more bad than good, and turns every block boundary into a new [`Block`].
//!
//! Class words are only a hint: a class-marked element that holds most of the page's prose is kept.

use crate::article::{Block, BlockKind};
use crate::dom::{flag, Dom, Item, Kind, Tag};

/// Blocks shorter than this (non-space chars) are not prose on their own.
const PROSE_MIN: u32 = 40;
/// Elements with a WEAK class word are dropped only below this much prose (chars).
const WEAK_MAX_GOOD: f32 = 300.0;
/// Prose (chars) after the headline that counts as the article's opening.
const OPENING: u32 = 1000;
/// Weight of the opening prose.
const OPENING_WEIGHT: f32 = 2.0;
/// Weight of prose before the headline.
const BEFORE_TITLE: f32 = 0.75;
/// Share of the chosen container's worth that the headline's neighbourhood must hold to be chosen instead.
const NARROW_SHARE: f32 = 0.5;
/// ... and the boilerplate the rest of it must carry, relative to its prose.
const NARROW_REST_BAD: f32 = 0.1;
/// Effective drop, computed from DROP after overruling.
const GONE: u16 = 64;

fn unit_quality(tag: Tag, own_text: u32, own_link: u32) -> (f32, f32) {
    if own_text == 0 {
        return (0.0, 0.0);
    }
    let (l, k) = (own_text as f32, own_link as f32);
    if k * 2.0 >= l {
        return (0.0, l);
    }
    let weight = match tag {
        Tag::Heading(_) => 0.3,
        _ if own_text >= PROSE_MIN => 1.0,
        _ => 0.2,
    };
    ((l - k) * weight, k)
}

/// Fills subtree totals. With `drops`, text under effectively dropped elements is all bad and captions are neutral.
fn accumulate(items: &mut [Item], drops: bool) {
    for it in items.iter_mut() {
        it.text = 0;
        it.link = 0;
        it.good = 0.0;
        it.bad = 0.0;
    }
    for i in (0..items.len()).rev() {
        let it = &mut items[i];
        match it.kind {
            Kind::Text(_) => {
                it.text += it.own_text;
                it.link += it.own_link;
            }
            Kind::Element { tag, .. } if tag.is_block() => {
                let (g, b) = unit_quality(tag, it.own_text, it.own_link);
                if drops && it.has(GONE) {
                    it.bad += it.own_text as f32;
                } else if !(drops && it.has(flag::CAPTION)) {
                    it.good += g * it.weight;
                    it.bad += b;
                }
            }
            _ => {}
        }
        if drops && it.has(GONE) {
            // Everything below was charged as bad already; captions too.
            it.bad += it.good;
            it.good = 0.0;
        } else if drops && it.has(flag::CAPTION) {
            it.good = 0.0;
            it.bad = 0.0;
        }
        let (p, t, l, g, b) = (it.parent, it.text, it.link, it.good, it.bad);
        if let Some(parent) = items.get_mut(p as usize) {
            parent.text += t;
            parent.link += l;
            parent.good += g;
            parent.bad += b;
        }
    }
}

/// Marks effective drops: DROP on self or an ancestor, unless a class-word drop would take most of the prose (or
/// class words are not trusted at all on this page).
fn resolve_drops(items: &mut [Item], total_good: f32, trust_classes: bool, headline: Option<usize>) {
    for i in 0..items.len() {
        items[i].flags &= !GONE;
        let it = &items[i];
        // Kept: class words that would remove most of the page's prose, and mostly prose at that (a layout wrapper
        // named "content-sidebar-wrap"), or all class words on the retry. Never reader comments: a thread is not
        // the article, however long. Nor a box beside the headline (a sidebar holding more prose than a short post).
        let mostly_prose = it.good > 2.0 * it.bad;
        let holds_headline = headline.is_none_or(|h| i < h && h < it.end as usize);
        let soft_kept = it.has(flag::SOFT)
            && !it.has(flag::COMMENT)
            && (!trust_classes || (it.good > 0.5 * total_good && mostly_prose && holds_headline));
        let small = it.good < WEAK_MAX_GOOD;
        let mut gone = (it.has(flag::DROP) && !soft_kept) || (trust_classes && it.has(flag::WEAK) && small);
        if let Some(p) = items.get(it.parent as usize) {
            gone |= p.has(GONE);
        }
        if gone {
            items[i].flags |= GONE;
        }
    }
}

/// Prose right after the headline is the article's opening: it weighs double (so a short article beats a longer
/// sidebar blurb), and prose before the headline weighs less (top teasers, left rails).
fn weigh_by_title(dom: &mut Dom, title: Option<&str>) -> Option<(usize, usize)> {
    let title = title.map(normalize).filter(|t| t.len() >= 8)?;
    // The heading that shares most of the title: a blog's name heading is in "Blog name: Post title" too, but the
    // post's own heading shares more of it.
    let mut heading: Option<(usize, usize)> = None;
    for i in 0..dom.items.len() {
        if !matches!(dom.items[i].tag(), Some(Tag::Heading(1..=3)))
            || dom.items[i].has(flag::DROP)
            || names_site(dom, i)
        {
            continue;
        }
        // Cheap length check first: most headings on a page are far shorter or longer than the title.
        let chars: u32 = dom.items[i..dom.items[i].end as usize]
            .iter()
            .filter(|it| matches!(it.kind, Kind::Text(_)))
            .map(|it| it.own_text)
            .sum();
        // (Characters here, bytes below: three CJK characters are nine bytes.)
        if chars < 3 || chars as usize > 3 * title.len() + 100 {
            continue;
        }
        let h = normalize(&dom.subtree_text(i));
        let shared = if h.len() < 8 {
            0
        } else if h.contains(&title) {
            title.len()
        } else if title.contains(&h) {
            h.len()
        } else {
            0
        };
        if shared > heading.map_or(0, |(_, s)| s) {
            heading = Some((i, shared));
        }
    }
    let (h, _) = heading?;
    let scope = title_scope(&dom.items, h);
    let mut after = 0u32;
    for (i, it) in dom.items.iter_mut().enumerate() {
        if !it.tag().is_some_and(Tag::is_block) || it.own_text == 0 {
            continue;
        }
        if i < h {
            it.weight = BEFORE_TITLE;
        } else if i < scope.1 && after < OPENING {
            it.weight = OPENING_WEIGHT;
            if it.own_text >= PROSE_MIN && !it.has(flag::DROP) {
                after += it.own_text;
            }
        }
    }
    Some((h, scope.0))
}

/// Whether a heading is the site's name: it links to the home page (`rel="home"`, or a URL with no path).
fn names_site(dom: &Dom, h: usize) -> bool {
    dom.items[h..dom.items[h].end as usize].iter().any(|it| match it.kind {
        Kind::Element { tag: Tag::Link, el } => {
            el.attr("rel")
                .is_some_and(|r| r.split_whitespace().any(|w| w.eq_ignore_ascii_case("home")))
                || el.attr("href").is_some_and(|href| {
                    let rest = href
                        .split_once("//")
                        .map_or(href, |(_, r)| r.split_once('/').map_or("", |(_, p)| p));
                    let rest = rest.trim_start_matches('/');
                    href.starts_with("http") && rest.is_empty() || href == "/"
                })
        }
        _ => false,
    })
}

/// The headline's neighbourhood: the smallest ancestor of the heading that also holds the first prose block after
/// it. The opening weight stays inside it, so a short post's title does not lend weight to a sidebar further down.
fn title_scope(items: &[Item], h: usize) -> (usize, usize) {
    let is_prose = |it: &Item| {
        it.tag().is_some_and(Tag::is_block)
            && it.own_text >= PROSE_MIN
            && it.own_link * 2 < it.own_text
            && !it.has(flag::DROP)
    };
    let whole = (0, items.len());
    let Some(first) = (items[h].end as usize..items.len()).find(|&i| is_prose(&items[i])) else {
        return whole;
    };
    let mut a = items[h].parent as usize;
    while a < items.len() {
        if items[a].end as usize > first {
            return (a, items[a].end as usize);
        }
        a = items[a].parent as usize;
    }
    whole
}

/// The body: the chosen container and merged siblings, as index ranges in document order.
pub struct Selection {
    pub regions: Vec<(usize, usize)>,
    /// Regions kept only for lying between kept ones: their link-heavy parts (a list of deals, a data table) are
    /// kept too, since boilerplate does not sit between paragraphs of one article.
    pub between: Vec<bool>,
    /// The headline's item (the heading sharing most of the title), when there is one.
    pub headline: Option<usize>,
}

/// Chooses the body. With `trust_classes` off, class-word drops are ignored (the retry for pages where they
/// removed the article itself).
pub fn select(dom: &mut Dom, trust_classes: bool, title: Option<&str>) -> Selection {
    let headline = weigh_by_title(dom, title);
    let items = &mut dom.items;
    accumulate(items, false);
    let total = items.first().map_or(0.0, |i| i.good);
    resolve_drops(items, total, trust_classes, headline.map(|h| h.0));
    accumulate(items, true);
    let net = |it: &Item| it.good - it.bad;
    let mut best: Option<usize> = None;
    for (i, it) in items.iter().enumerate() {
        let Some(tag) = it.tag() else { continue };
        if !tag.is_block() || it.has(GONE) || it.good <= 0.0 {
            continue;
        }
        if best.is_none_or(|b| net(it) > net(&items[b])) {
            best = Some(i);
        }
    }
    // A container holding the headline's neighbourhood and more (teasers of other posts, a blog's archive) is
    // narrowed to the neighbourhood when that holds most of its worth and the rest is not clean prose.
    if let (Some(b), Some((_, scope))) = (best, headline) {
        let (outside_good, outside_bad) = (items[b].good - items[scope].good, items[b].bad - items[scope].bad);
        if b < scope
            && scope < items[b].end as usize
            && !items[scope].has(GONE)
            && net(&items[scope]) >= NARROW_SHARE * net(&items[b])
            && outside_bad >= NARROW_REST_BAD * outside_good
        {
            best = Some(scope);
        }
    }
    let Some(top) = best else {
        return Selection {
            regions: Vec::new(),
            between: Vec::new(),
            headline: headline.map(|h| h.0),
        };
    };

    let mut regions = Vec::new();
    let mut between = Vec::new();
    let parent = items[top].parent as usize;
    if parent < items.len() && items[top].tag() != Some(Tag::Cell) {
        let threshold = (0.2 * net(&items[top])).max(10.0);
        let mut i = parent + 1;
        // Siblings that are neither kept nor dropped, waiting for a kept sibling after them.
        let mut pending: Vec<(usize, usize)> = Vec::new();
        while i < items[parent].end as usize {
            let it = &items[i];
            let keep = i == top
                || (!it.has(GONE)
                    && !it.has(flag::CAPTION)
                    && it.tag().is_some_and(Tag::is_block)
                    && (net(it) >= threshold
                        || (it.tag() == Some(Tag::P) && it.text > 60 && it.link * 4 < it.text && it.good > 0.0)));
            if keep {
                if !regions.is_empty() {
                    between.extend(pending.iter().map(|_| true));
                    regions.append(&mut pending);
                }
                pending.clear();
                regions.push((i, it.end as usize));
                between.push(false);
            } else if !it.has(GONE) && !it.has(flag::CAPTION) && it.tag().is_some_and(Tag::is_block) && it.text > 0 {
                pending.push((i, it.end as usize));
            } else if it.text > 0 {
                pending.clear();
            }
            i = it.end as usize;
        }
    } else {
        regions.push((top, items[top].end as usize));
        between.push(false);
    }
    Selection {
        regions,
        between,
        headline: headline.map(|h| h.0),
    }
}

fn kind_of(tag: Tag) -> Option<BlockKind> {
    Some(match tag {
        Tag::Heading(_) => BlockKind::Heading,
        Tag::ListItem => BlockKind::ListItem,
        Tag::Quote => BlockKind::Quote,
        Tag::Pre => BlockKind::Preformatted,
        Tag::Row => BlockKind::TableRow,
        _ => return None,
    })
}

struct Emitter {
    blocks: Vec<Block>,
    buf: String,
    buf_link: usize,
    buf_chars: usize,
}

impl Emitter {
    fn flush(&mut self, kind: BlockKind) {
        let text = self.buf.trim();
        // A block that is nothing but a link inside prose is navigation ("Read more", "Next page").
        let link_only = self.buf_link * 10 >= self.buf_chars * 9 && self.buf_chars < 120;
        if !text.is_empty() && !link_only {
            self.blocks.push(Block {
                kind,
                text: text.to_string(),
            });
        }
        self.buf.clear();
        self.buf_link = 0;
        self.buf_chars = 0;
    }
}

/// Walks the regions in order and returns the body blocks. `title` is the article title, left out when repeated.
pub fn emit(dom: &Dom, sel: &Selection, title: Option<&str>) -> Vec<Block> {
    let items = &dom.items;
    let mut e = Emitter {
        blocks: Vec::new(),
        buf: String::new(),
        buf_link: 0,
        buf_chars: 0,
    };
    let title_key = title.map(normalize);
    for (&(start, end), &lenient) in sel.regions.iter().zip(&sel.between) {
        // Open elements: (end, block kind context)
        let mut open: Vec<(usize, BlockKind, bool)> = Vec::new();
        let mut kind = BlockKind::Paragraph;
        let mut i = start;
        while i < end {
            while let Some(&(close_at, _, is_block)) = open.last() {
                if close_at > i {
                    break;
                }
                open.pop();
                if is_block {
                    e.flush(kind);
                }
                kind = open.last().map_or(BlockKind::Paragraph, |o| o.1);
            }
            let it = &items[i];
            match it.kind {
                Kind::Text(t) => {
                    let before = e.buf.len();
                    crate::dom::push_collapsed(&mut e.buf, t);
                    let n = e.buf[before..].chars().filter(|c| !c.is_whitespace()).count();
                    e.buf_chars += n;
                    if it.has(flag::IN_LINK) {
                        e.buf_link += n;
                    }
                    i += 1;
                }
                Kind::Element { tag, .. } => {
                    // A heading named or worded as the comments' ("Comments", id="comments") starts the thread,
                    // even when it is itself dropped or sits in a small dropped wrapper (a comment form's).
                    if !e.blocks.is_empty() && announces_comments(dom, i) {
                        // The rest is the comment thread.
                        e.flush(kind);
                        return e.blocks;
                    }
                    if matches!(tag, Tag::Heading(_)) && related_heading(&dom.subtree_text(i)) {
                        // Skip the heading and the list or box that follows it.
                        e.flush(kind);
                        let mut next = it.end as usize;
                        if let Some(n) = items.get(next) {
                            let boxy = matches!(n.tag(), Some(Tag::List | Tag::Block | Tag::Table));
                            if boxy && n.parent == it.parent && (n.end as usize) <= end {
                                next = n.end as usize;
                            }
                        }
                        i = next;
                        continue;
                    }
                    if i != start && skip(dom, i, title_key.as_deref(), lenient) {
                        if tag.is_block() {
                            e.flush(kind);
                        }
                        i = it.end as usize;
                        continue;
                    }
                    match tag {
                        Tag::Br => e.flush(kind),
                        Tag::Cell => {
                            if !e.buf.is_empty() && !e.buf.ends_with(' ') {
                                e.buf.push(' ');
                            }
                        }
                        Tag::Img | Tag::Inline | Tag::Link => {}
                        _ => e.flush(kind),
                    }
                    if (it.end as usize) > i + 1 {
                        let is_block = tag.is_block() && tag != Tag::Cell;
                        let inner = kind_of(tag).unwrap_or(match kind {
                            // A paragraph inside a list item or quote keeps the outer kind.
                            BlockKind::ListItem | BlockKind::Quote | BlockKind::TableRow | BlockKind::Preformatted => {
                                kind
                            }
                            _ => BlockKind::Paragraph,
                        });
                        let inner = if tag.is_block() { inner } else { kind };
                        open.push((it.end as usize, inner, is_block));
                        kind = inner;
                    }
                    i += 1;
                }
            }
        }
        e.flush(kind);
    }
    e.blocks
}

/// Whether the element at `i` is, or is a small wrapper opening with, a heading that announces the comments.
fn announces_comments(dom: &Dom, i: usize) -> bool {
    let items = &dom.items;
    if !matches!(items[i].tag(), Some(Tag::Heading(_))) && items[i].text >= 40 {
        return false;
    }
    let end = (items[i].end as usize).min(i + 6);
    (i..end).any(|j| {
        matches!(items[j].tag(), Some(Tag::Heading(_)))
            && (items[j].has(flag::COMMENT) || comments_heading(&dom.subtree_text(j)))
    })
}

/// Whether a heading announces the reader comments ("Comments", "12 Responses", "Leave a Reply"): what follows it
/// is not the article.
fn comments_heading(text: &str) -> bool {
    let t: String = text
        .chars()
        .filter(|c| !c.is_ascii_digit() && *c != '(' && *c != ')')
        .collect();
    let t = t.trim().trim_end_matches(':').trim().to_lowercase();
    let first = t.split_whitespace().next().unwrap_or("");
    t.len() < 40
        && (matches!(
            t.as_str(),
            "comments"
                | "comment"
                | "responses"
                | "replies"
                | "leave a reply"
                | "leave a comment"
                | "post a comment"
                | "reader comments"
                | "discussion"
                | "join the discussion"
                | "commentaires"
                | "comentarios"
                | "kommentare"
                | "commenti"
                | "reacties"
                | "trackbacks"
                | "pingbacks"
        ) || (t.split_whitespace().count() <= 3 && matches!(first, "comments" | "responses"))
            || t.ends_with(" comments")
            || t.ends_with(" responses")
            || t.starts_with("thoughts on "))
}

/// Whether a heading introduces links to other articles ("Related", "More from...", "Most popular"): the heading
/// and the box after it are not the article.
fn related_heading(text: &str) -> bool {
    let t = text.trim().trim_end_matches(':').trim().to_lowercase();
    t.len() < 50
        && (t.starts_with("related")
            || t.starts_with("more from")
            || t.starts_with("more on")
            || t.starts_with("more stories")
            || t.starts_with("also on")
            || t.starts_with("read more")
            || t.starts_with("see also")
            || t.starts_with("most popular")
            || t.starts_with("most read")
            || t.starts_with("recommended")
            || t.starts_with("trending")
            || t.starts_with("you may also")
            || t.starts_with("you might also")
            || t.starts_with("popular posts")
            || t.starts_with("recent posts")
            || t.starts_with("share this"))
}

fn skip(dom: &Dom, i: usize, title: Option<&str>, lenient: bool) -> bool {
    let it = &dom.items[i];
    if it.has(GONE) || it.has(flag::CAPTION) {
        return true;
    }
    let Some(tag) = it.tag() else { return false };
    match tag {
        Tag::Heading(level) if level <= 2 => title.is_some_and(|t| {
            let h = normalize(&dom.subtree_text(i));
            !h.is_empty() && (h == t || (h.len() > 20 && t.contains(&h)) || (t.len() > 20 && h.contains(t)))
        }),
        // Cells go with their row: a cell that is just a link is the row's label.
        Tag::Inline | Tag::Link | Tag::Br | Tag::Img | Tag::Cell => false,
        // Nested containers that carry more boilerplate than prose.
        _ => !lenient && it.text > 0 && it.bad > it.good.max(0.0) * 1.0 && it.bad >= 1.0,
    }
}

/// Lower-cased word characters only, for comparing headings with the title.
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A description of the scoring for debugging: the best candidates and the chosen regions.
pub fn explain(dom: &mut Dom, trust_classes: bool, title: Option<&str>) -> String {
    let sel = select(dom, trust_classes, title);
    let items = &dom.items;
    let describe = |i: usize| {
        let it = &items[i];
        let (name, class, id) = match it.kind {
            Kind::Element { el, .. } => (el.name(), el.attr("class").unwrap_or(""), el.attr("id").unwrap_or("")),
            Kind::Text(_) => ("#text", "", ""),
        };
        format!(
            "#{i} <{name} class={class:?} id={id:?}> good={:.0} bad={:.0} text={} link={} flags={:b}",
            it.good, it.bad, it.text, it.link, it.flags
        )
    };
    let mut order: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].tag().is_some_and(Tag::is_block))
        .collect();
    order.sort_by(|&a, &b| (items[b].good - items[b].bad).total_cmp(&(items[a].good - items[a].bad)));
    let mut out = String::from("top candidates:\n");
    for &i in order.iter().take(25) {
        out.push_str(&format!("  {}\n", describe(i)));
    }
    out.push_str("largest dropped or bad subtrees:\n");
    let mut bad: Vec<usize> = (0..items.len())
        .filter(|&i| items[i].tag().is_some_and(Tag::is_block))
        .filter(|&i| items[i].has(GONE) && items[i].has(flag::DROP | flag::WEAK))
        .collect();
    bad.sort_by(|&a, &b| items[b].bad.total_cmp(&items[a].bad));
    for &i in bad.iter().take(8) {
        out.push_str(&format!("  {}\n", describe(i)));
    }
    out.push_str("regions:\n");
    for &(s, _) in &sel.regions {
        out.push_str(&format!("  {}\n", describe(s)));
        let mut p = items[s].parent as usize;
        while p < items.len() {
            out.push_str(&format!("    in {}\n", describe(p)));
            p = items[p].parent as usize;
        }
    }
    out
}
