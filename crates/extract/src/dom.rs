//! A flat, preorder copy of the parsed page that the scorer and the emitter walk.
//!
//! One iterative walk over html5ever's tree builds it: scripts, styles, forms controls, hidden elements and the like
//! are left out, each element gets a small tag class and boilerplate flags (from its tag, role, class and id), and each
//! text node is charged to its nearest block ancestor (its "unit"). Metadata sources met on the way (`<meta>`, `<link>`,
//! JSON-LD, `<time>`, `<html lang>`) are collected into [`Harvest`] so the page is walked once. Subtrees are index
//! ranges (`start..end`), so ancestry tests and skipping need no recursion, and no deep page can overflow the stack.

use scraper::{Html, Node};

/// What kind of element a node is, as far as extraction cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// Text-level element (`a`, `span`, `em`...): its text belongs to the enclosing block.
    Inline,
    Link,
    Br,
    Img,
    P,
    Heading(u8),
    ListItem,
    List,
    Quote,
    Pre,
    Cell,
    Row,
    Table,
    Figure,
    Caption,
    /// Any other block or unknown element: a container.
    Block,
}

impl Tag {
    pub fn is_block(self) -> bool {
        !matches!(self, Tag::Inline | Tag::Link | Tag::Br | Tag::Img)
    }
}

/// Flags on an element.
pub mod flag {
    /// Boilerplate by tag, role or class: left out of the body.
    pub const DROP: u16 = 1;
    /// A caption or credit: left out of the body, a candidate for `image_caption`.
    pub const CAPTION: u16 = 2;
    /// Inside a link.
    pub const IN_LINK: u16 = 4;
    /// Class or id says "content".
    pub const POSITIVE: u16 = 8;
    /// DROP came from class/id words alone (may be overruled when it would remove most of the page).
    pub const SOFT: u16 = 16;
    /// Byline, author or date chrome.
    pub const BYLINE: u16 = 32;
    /// A class word that marks small boxes only (tags, dates, author bios): dropped when it holds little prose.
    pub const WEAK: u16 = 128;
    /// A reader-comment class word: kept as a drop even when class words are otherwise distrusted.
    pub const COMMENT: u16 = 256;
}

#[derive(Debug, Clone, Copy)]
pub enum Kind<'a> {
    Element { tag: Tag, el: &'a scraper::node::Element },
    Text(&'a str),
}

/// One node of the flat tree.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    pub kind: Kind<'a>,
    pub parent: u32,
    /// One past the last descendant.
    pub end: u32,
    pub flags: u16,
    /// Non-space characters of text directly charged to this block, and how many of them are inside links.
    pub own_text: u32,
    pub own_link: u32,
    /// Subtree totals, filled by the scorer.
    pub text: u32,
    pub link: u32,
    pub good: f32,
    pub bad: f32,
    /// Multiplier on this block's own prose: nearness to the headline (set by the scorer).
    pub weight: f32,
}

impl Item<'_> {
    pub fn tag(&self) -> Option<Tag> {
        match self.kind {
            Kind::Element { tag, .. } => Some(tag),
            Kind::Text(_) => None,
        }
    }

    pub fn has(&self, f: u16) -> bool {
        self.flags & f != 0
    }
}

/// Metadata sources met during the walk, in document order.
#[derive(Debug, Default)]
pub struct Harvest<'a> {
    pub lang: Option<&'a str>,
    pub title: Option<String>,
    /// (key: lowercased `property`/`name`/`itemprop`, content)
    pub metas: Vec<(String, &'a str)>,
    /// (rel, href)
    pub links: Vec<(&'a str, &'a str)>,
    pub json_ld: Vec<String>,
    /// `datetime` attributes of `<time>` elements.
    pub times: Vec<&'a str>,
    /// Image sources (`src`), with the image's item index.
    pub images: Vec<(&'a str, Option<u32>)>,
}

pub struct Dom<'a> {
    pub items: Vec<Item<'a>>,
    pub harvest: Harvest<'a>,
}

fn classify(name: &str) -> Option<Tag> {
    Some(match name {
        "script" | "style" | "noscript" | "template" | "svg" | "math" | "iframe" | "object" | "embed" | "canvas"
        | "select" | "option" | "button" | "input" | "textarea" | "head" | "meta" | "link" | "title" | "video"
        | "audio" | "map" | "dialog" | "frameset" | "frame" | "applet" | "datalist" | "output" | "progress" => {
            return None
        }
        "a" => Tag::Link,
        "br" => Tag::Br,
        "img" | "picture" => Tag::Img,
        "span" | "b" | "i" | "em" | "strong" | "font" | "small" | "big" | "sup" | "sub" | "code" | "abbr"
        | "acronym" | "cite" | "q" | "time" | "label" | "mark" | "u" | "s" | "strike" | "del" | "ins" | "tt"
        | "var" | "kbd" | "samp" | "dfn" | "bdi" | "bdo" | "data" | "nobr" | "wbr" | "ruby" | "rt" | "rp" | "rb"
        | "blink" | "o:p" => Tag::Inline,
        "p" => Tag::P,
        "h1" => Tag::Heading(1),
        "h2" => Tag::Heading(2),
        "h3" => Tag::Heading(3),
        "h4" => Tag::Heading(4),
        "h5" => Tag::Heading(5),
        "h6" => Tag::Heading(6),
        "li" | "dt" | "dd" => Tag::ListItem,
        "ul" | "ol" | "dl" | "menu" => Tag::List,
        "blockquote" => Tag::Quote,
        "pre" => Tag::Pre,
        "td" | "th" => Tag::Cell,
        "tr" => Tag::Row,
        "table" => Tag::Table,
        "figure" => Tag::Figure,
        "figcaption" => Tag::Caption,
        _ => Tag::Block,
    })
}

/// Class/id words that mark boilerplate whatever else the element says.
#[cfg(test)]
const STRONG: &[&str] = &[
    "comment",
    "comments",
    "commentlist",
    "disqus",
    "respond",
    "replies",
    "share",
    "sharing",
    "sharebar",
    "shares",
    "social",
    "socials",
    "related",
    "relatedposts",
    "newsletter",
    "newsletters",
    "subscribe",
    "subscription",
    "signup",
    "cookie",
    "cookies",
    "consent",
    "gdpr",
    "promo",
    "promotion",
    "advert",
    "advertisement",
    "advertising",
    "ad",
    "ads",
    "adsense",
    "sponsor",
    "sponsored",
    "outbrain",
    "taboola",
    "breadcrumb",
    "breadcrumbs",
    "pagination",
    "pager",
    "popular",
    "mostpopular",
    "trending",
    "recommended",
    "recommendations",
    "login",
    "modal",
    "popup",
    "skip",
    "toolbar",
    "nav",
    "navbar",
    "navigation",
    "menu",
    "sidebar",
    "footer",
    "masthead",
    "rail",
    "byline",
    "dateline",
    "timestamp",
    "readmore",
    "morestories",
    "shoutbox",
    "crumbs",
    "pullquote",
    "screenreader",
    "visuallyhidden",
    "outstream",
    "dfp",
    "caption",
    "copyright",
];

/// Class/id words that mark boilerplate unless the same element also says "content" (WordPress puts `tag-*` and
/// `category-*` on the post itself).
#[cfg(test)]
const WEAK: &[&str] = &[
    "tag",
    "tags",
    "tagcloud",
    "taglist",
    "category",
    "categories",
    "meta",
    "postmeta",
    "date",
    "author",
    "authors",
    "bio",
    "more",
    "also",
    "next",
    "prev",
    "previous",
    "print",
    "email",
    "hidden",
    "hide",
    "invisible",
    "offscreen",
    "toc",
    "teaser",
    "teasers",
    "tools",
    "utility",
    "utilities",
    "banner",
    "jump",
    "follow",
    "rss",
    "alert",
    "ticker",
    "credit",
    "credits",
    "sr",
    "partner",
    "partners",
    "gpt",
    "facebook",
    "twitter",
    "linkedin",
    "pinterest",
    "whatsapp",
    "widget",
    "widgets",
];

/// Class/id words that mark content.
#[cfg(test)]
const POSITIVE: &[&str] = &[
    "article",
    "articlebody",
    "content",
    "body",
    "entry",
    "main",
    "post",
    "story",
    "text",
    "hentry",
    "prose",
    "blog",
    "storybody",
    "postbody",
    "entrycontent",
    "column",
];

/// Flags that one lower-cased class/id word implies (the word lists above, merged into one `match`).
fn word_flags(w: &[u8]) -> u16 {
    match w {
        b"comment" | b"comments" | b"commentlist" | b"disqus" | b"respond" | b"replies" => {
            flag::DROP | flag::SOFT | flag::COMMENT
        }
        b"share" | b"sharing" | b"sharebar" | b"shares" | b"social" | b"socials" | b"related" | b"relatedposts"
        | b"newsletter" | b"newsletters" | b"subscribe" | b"subscription" | b"signup" | b"cookie" | b"cookies"
        | b"consent" | b"gdpr" | b"promo" | b"promotion" | b"advert" | b"advertisement" | b"advertising" | b"ad"
        | b"ads" | b"adsense" | b"sponsor" | b"sponsored" | b"outbrain" | b"taboola" | b"breadcrumb"
        | b"breadcrumbs" | b"pagination" | b"pager" | b"popular" | b"mostpopular" | b"trending" | b"recommended"
        | b"recommendations" | b"login" | b"modal" | b"popup" | b"skip" | b"toolbar" | b"nav" | b"navbar"
        | b"navigation" | b"menu" | b"sidebar" | b"footer" | b"masthead" | b"rail" | b"readmore" | b"morestories"
        | b"shoutbox" | b"crumbs" | b"pullquote" | b"screenreader" | b"visuallyhidden" | b"outstream" | b"dfp"
        | b"copyright" => flag::DROP | flag::SOFT,
        b"byline" | b"dateline" | b"timestamp" => flag::DROP | flag::SOFT | flag::BYLINE,
        b"caption" => flag::DROP | flag::SOFT | flag::CAPTION,
        b"tag" | b"tags" | b"tagcloud" | b"taglist" | b"category" | b"categories" | b"meta" | b"postmeta" | b"bio"
        | b"more" | b"also" | b"next" | b"prev" | b"previous" | b"print" | b"email" | b"hidden" | b"hide"
        | b"invisible" | b"offscreen" | b"toc" | b"teaser" | b"teasers" | b"tools" | b"utility" | b"utilities"
        | b"banner" | b"jump" | b"follow" | b"rss" | b"alert" | b"ticker" | b"sr" | b"partner" | b"partners"
        | b"gpt" | b"facebook" | b"twitter" | b"linkedin" | b"pinterest" | b"whatsapp" | b"widget" | b"widgets" => {
            flag::WEAK
        }
        b"date" | b"author" | b"authors" => flag::WEAK | flag::BYLINE,
        b"credit" | b"credits" => flag::WEAK | flag::CAPTION,
        b"article" | b"articlebody" | b"content" | b"body" | b"entry" | b"main" | b"post" | b"story" | b"text"
        | b"hentry" | b"prose" | b"blog" | b"storybody" | b"postbody" | b"entrycontent" | b"column" => flag::POSITIVE,
        _ => 0,
    }
}

/// Prefixes of class names that name a taxonomy term, not a role: WordPress marks a post about promotions
/// `tag-promotion` and one filed under comments `category-comments`. Only the prefix word counts.
const TERM_PREFIXES: &[&[u8]] = &[
    b"tag-",
    b"tag_",
    b"category-",
    b"category_",
    b"cat-",
    b"topic-",
    b"tags-",
];

/// Flags from the words of a class or id attribute: tokens split on non-alphanumerics, each token's camelCase
/// parts and the whole token, lower-cased (no allocation: words longer than any keyword are skipped).
fn words_flags(attr: &str) -> u16 {
    let mut flags = 0;
    for class in attr.as_bytes().split(|c| c.is_ascii_whitespace()) {
        let term = TERM_PREFIXES
            .iter()
            .find(|p| class.len() > p.len() && class[..p.len()].eq_ignore_ascii_case(p));
        flags |= match term {
            Some(p) => class_words_flags(&class[..p.len() - 1]),
            None => class_words_flags(class),
        };
    }
    flags
}

/// Flags of one class name. In a compound name the last word says what the element is and the first ones whose it
/// is: `post-author` is an author box, `author-content` is content; so a content word and a small-box word in the
/// same name resolve to the later one.
fn class_words_flags(class: &[u8]) -> u16 {
    const MAX: usize = 24;
    const ROLE: u16 = flag::POSITIVE | flag::WEAK;
    let (mut flags, mut last_role) = (0u16, 0u16);
    let mut add = |f: u16| {
        flags |= f;
        if f & ROLE != 0 {
            last_role = f & ROLE;
        }
    };
    for token in class.split(|c| !c.is_ascii_alphanumeric()) {
        if token.is_empty() || token.len() > 3 * MAX {
            continue;
        }
        let mut part = [0u8; MAX];
        let (mut n, mut prev_lower, mut camel) = (0usize, false, false);
        for &c in token {
            if c.is_ascii_uppercase() && prev_lower {
                if n <= MAX {
                    add(word_flags(&part[..n]));
                }
                n = 0;
                camel = true;
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            if n < MAX {
                part[n] = c.to_ascii_lowercase();
            }
            n += 1;
        }
        if n <= MAX {
            add(word_flags(&part[..n]));
        }
        if camel && token.len() <= MAX {
            let mut whole = [0u8; MAX];
            for (d, s) in whole.iter_mut().zip(token) {
                *d = s.to_ascii_lowercase();
            }
            add(word_flags(&whole[..token.len()]));
        }
    }
    if flags & ROLE == ROLE {
        flags &= !ROLE | last_role;
    }
    flags
}

fn class_flags(el: &scraper::node::Element) -> u16 {
    let mut flags = 0;
    // An id of four or more words is a slug made from a heading ("sharing-with-a-single-developer"), not a name.
    let slug = |id: &str| id.split(['-', '_']).filter(|w| !w.is_empty()).count() >= 4;
    let id = el.attr("id").filter(|id| !slug(id));
    for attr in [el.attr("class"), id].into_iter().flatten() {
        if attr.len() <= 200 {
            flags |= words_flags(attr);
        }
    }
    if flags & flag::POSITIVE != 0 {
        flags &= !flag::WEAK;
    }
    flags
}

fn hidden(el: &scraper::node::Element) -> bool {
    if el.attr("hidden").is_some() || el.attr("aria-hidden") == Some("true") {
        return true;
    }
    match el.attr("style") {
        // Cheap pre-check: most styles say neither "none" nor "hidden".
        Some(s) if s.len() < 500 && (s.contains("none") || s.contains("hidden")) => {
            let s: String = s
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect::<String>()
                .to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        }
        _ => false,
    }
}

fn tag_flags(name: &str, el: &scraper::node::Element) -> u16 {
    let by_tag = matches!(name, "nav" | "aside" | "footer");
    let by_role = matches!(
        el.attr("role"),
        Some(
            "navigation"
                | "banner"
                | "contentinfo"
                | "complementary"
                | "search"
                | "menu"
                | "menubar"
                | "dialog"
                | "alertdialog"
                | "toolbar"
                | "alert"
                | "tablist"
        )
    );
    if by_tag || by_role || hidden(el) {
        flag::DROP
    } else if name == "form" {
        // A form is a comment box, a search or a sign-up, unless it wraps the whole page (ASP.NET): overrulable.
        flag::DROP | flag::SOFT
    } else {
        0
    }
}

impl<'a> Dom<'a> {
    /// Builds the flat tree from the parsed page in one preorder walk.
    pub fn build(html: &'a Html) -> Dom<'a> {
        let mut items: Vec<Item<'a>> = Vec::with_capacity(1024);
        let mut harvest = Harvest::default();
        // Open elements: (item index, flags inherited by children, nearest unit)
        let mut open: Vec<(u32, u16, u32)> = Vec::with_capacity(64);
        let root = html.tree.root();
        let mut next = root.first_child();
        let mut in_head = false;
        while let Some(node) = next {
            let mut descend = false;
            let (parent, inherited, unit) = open.last().copied().unwrap_or((u32::MAX, 0, u32::MAX));
            match node.value() {
                Node::Element(el) => {
                    let name = el.name();
                    if name == "html" {
                        harvest.lang = el.attr("lang").or_else(|| el.attr("xml:lang"));
                    }
                    match name {
                        "head" => in_head = true,
                        "body" => in_head = false,
                        "meta" => {
                            let key = el
                                .attr("property")
                                .or_else(|| el.attr("name"))
                                .or_else(|| el.attr("itemprop"));
                            if let (Some(k), Some(c)) = (key, el.attr("content")) {
                                harvest.metas.push((k.to_ascii_lowercase(), c));
                            } else if let (Some(k), Some(c)) = (el.attr("http-equiv"), el.attr("content")) {
                                harvest.metas.push((k.to_ascii_lowercase(), c));
                            }
                        }
                        "link" => {
                            if let (Some(r), Some(h)) = (el.attr("rel"), el.attr("href")) {
                                harvest.links.push((r, h));
                            }
                        }
                        "title" if harvest.title.is_none() => {
                            harvest.title = Some(
                                node.children()
                                    .filter_map(|c| c.value().as_text())
                                    .map(|t| &**t)
                                    .collect(),
                            );
                        }
                        "script" => {
                            let text = || -> String {
                                node.children()
                                    .filter_map(|c| c.value().as_text())
                                    .map(|t| &**t)
                                    .collect()
                            };
                            let ty = el.attr("type");
                            if ty.is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) {
                                harvest.json_ld.push(text());
                            } else if ty.is_none()
                                && node
                                    .first_child()
                                    .and_then(|c| c.value().as_text())
                                    .is_some_and(|t| starts_schema_org(t))
                            {
                                // Schema.org data in an untyped script: JSON-LD that forgot its type.
                                harvest.json_ld.push(text());
                            }
                        }
                        "time" => {
                            if let Some(d) = el.attr("datetime") {
                                harvest.times.push(d);
                            }
                        }
                        "img" => {
                            if let Some(src) = el.attr("src").or_else(|| el.attr("data-src")) {
                                harvest.images.push((src, (!in_head).then_some(items.len() as u32)));
                            }
                        }
                        _ => {}
                    }
                    if let (false, Some(tag)) = (in_head, classify(name)) {
                        let idx = items.len() as u32;
                        let mut flags = tag_flags(name, el) | (inherited & flag::IN_LINK);
                        if name != "body" && name != "html" && name != "main" && name != "article" {
                            let class = class_flags(el);
                            // A drop by tag, role or visibility is never overruled; one by class words alone may be.
                            flags |= if flags & flag::DROP != 0 {
                                class & !flag::SOFT
                            } else {
                                class
                            };
                        }
                        if tag == Tag::Caption {
                            flags |= flag::CAPTION;
                        }
                        if tag == Tag::Link {
                            flags |= flag::IN_LINK;
                        }
                        let my_unit = if tag.is_block() { idx } else { unit };
                        items.push(Item {
                            kind: Kind::Element { tag, el },
                            parent,
                            end: idx + 1,
                            flags,
                            own_text: 0,
                            own_link: 0,
                            text: 0,
                            link: 0,
                            good: 0.0,
                            bad: 0.0,
                            weight: 1.0,
                        });
                        if node.has_children() {
                            open.push((idx, flags & flag::IN_LINK, my_unit));
                            descend = true;
                        }
                    } else if name == "head" || name == "html" {
                        descend = true;
                        open.push(open.last().copied().unwrap_or((u32::MAX, 0, u32::MAX)));
                    }
                }
                Node::Text(t) if !in_head && unit != u32::MAX => {
                    let n = t.chars().filter(|c| !c.is_whitespace()).count() as u32;
                    let idx = items.len() as u32;
                    items.push(Item {
                        kind: Kind::Text(t),
                        parent,
                        end: idx + 1,
                        flags: inherited,
                        own_text: n,
                        own_link: if inherited & flag::IN_LINK != 0 { n } else { 0 },
                        text: 0,
                        link: 0,
                        good: 0.0,
                        bad: 0.0,
                        weight: 1.0,
                    });
                    let u = &mut items[unit as usize];
                    u.own_text += n;
                    if inherited & flag::IN_LINK != 0 {
                        u.own_link += n;
                    }
                }
                _ => {}
            }
            if descend {
                next = node.first_child();
                if next.is_some() {
                    continue;
                }
                // An element with no children after all: close it right away.
                close(&mut open, &mut items, &mut in_head, node.value());
            }
            // Climb until a next sibling exists, closing elements on the way.
            let mut cur = node;
            loop {
                if let Some(s) = cur.next_sibling() {
                    next = Some(s);
                    break;
                }
                match cur.parent() {
                    Some(p) if p.id() != root.id() => {
                        close(&mut open, &mut items, &mut in_head, p.value());
                        cur = p;
                    }
                    _ => {
                        next = None;
                        break;
                    }
                }
            }
        }
        Dom { items, harvest }
    }

    /// The collapsed text of the subtree at `i`, with spaces between blocks.
    pub fn subtree_text(&self, i: usize) -> String {
        let mut out = String::new();
        let end = self.items[i].end as usize;
        for item in &self.items[i..end] {
            match item.kind {
                Kind::Text(t) => push_collapsed(&mut out, t),
                Kind::Element { tag, .. } if tag.is_block() || tag == Tag::Br => push_space(&mut out),
                _ => {}
            }
        }
        out.trim_end().to_string()
    }
}

/// Whether an untyped script's text is a JSON object naming schema.org (checked on its first bytes only).
fn starts_schema_org(text: &str) -> bool {
    let t = text.trim_start();
    let head = &t.as_bytes()[..t.len().min(120)];
    matches!(head.first(), Some(b'{' | b'[')) && memchr::memmem::find(head, b"schema.org").is_some()
}

fn close<'a>(open: &mut Vec<(u32, u16, u32)>, items: &mut [Item<'a>], in_head: &mut bool, v: &Node) {
    if let Node::Element(el) = v {
        if el.name() == "head" {
            *in_head = false;
        }
    }
    if let Some((idx, ..)) = open.pop() {
        let len = items.len() as u32;
        if let Some(item) = items.get_mut(idx as usize) {
            if matches!(v, Node::Element(_)) {
                item.end = len;
            }
        }
    }
}

/// Appends `text` with runs of whitespace collapsed to one space.
pub fn push_collapsed(out: &mut String, text: &str) {
    for c in text.chars() {
        if c.is_whitespace() {
            push_space(out);
        } else {
            out.push(c);
        }
    }
}

fn push_space(out: &mut String) {
    if !out.is_empty() && !out.ends_with(' ') {
        out.push(' ');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_match_agrees_with_the_lists() {
        for w in STRONG {
            assert_ne!(word_flags(w.as_bytes()) & flag::DROP, 0, "{w}");
        }
        for w in WEAK {
            assert_ne!(word_flags(w.as_bytes()) & flag::WEAK, 0, "{w}");
        }
        for w in POSITIVE {
            assert_ne!(word_flags(w.as_bytes()) & flag::POSITIVE, 0, "{w}");
        }
        assert_eq!(words_flags("post hentry category-news"), flag::POSITIVE | flag::WEAK);
        assert_eq!(words_flags("shareBar") & flag::DROP, flag::DROP);
        assert_eq!(words_flags("commentary"), 0);
        assert_eq!(
            words_flags("post tag-promotion category-comments"),
            flag::POSITIVE | flag::WEAK
        );
    }
}
