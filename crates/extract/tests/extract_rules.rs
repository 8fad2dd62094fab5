//! Small synthetic pages, one general rule each: what the body keeps and what it leaves out.

use gazette_extract::{extract, BlockKind, Source};

const PROSE: &str =
    "This sentence is long enough to read as real article prose, with a clause or two, and a full stop.";

fn page(body: &str) -> String {
    format!("<html lang=\"en\"><head><title>A Headline For Tests | Site</title></head><body>{body}</body></html>")
}

fn texts(html: &str) -> Vec<String> {
    extract(html, Some("https://example.com/2024/05/06/story.html"))
        .unwrap()
        .blocks
        .into_iter()
        .map(|b| b.text)
        .collect()
}

#[test]
fn article_beats_navigation_and_sidebar() {
    let nav: String = (0..30)
        .map(|i| format!("<li><a href=/s{i}>Section number {i}</a></li>"))
        .collect();
    let html = page(&format!(
        "<ul class=menu>{nav}</ul><div id=main><h1>A Headline For Tests</h1><p>{PROSE}</p><p>{PROSE}</p></div>\
         <aside><p>{PROSE} Sidebar.</p></aside><footer><p>Copyright footer text of the site.</p></footer>"
    ));
    assert_eq!(texts(&html), vec![PROSE, PROSE]);
}

#[test]
fn comments_heading_ends_the_body_and_bylines_go() {
    let html = page(&format!(
        "<div><h1>A Headline For Tests</h1><p>By Jane Doe</p><p>{PROSE}</p><p>{PROSE}</p>\
         <h2>3 Comments</h2><p>{PROSE} A reader.</p><p>{PROSE} Another reader.</p></div>"
    ));
    assert_eq!(texts(&html), vec![PROSE, PROSE]);
}

#[test]
fn related_box_and_share_bar_are_left_out() {
    let html = page(&format!(
        "<article><p>{PROSE}</p><div class=share-tools><a href=#>Facebook</a> <a href=#>Twitter</a></div>\
         <h3>Related stories</h3><ul><li><a href=/a>Another story</a></li><li><a href=/b>And one more</a></li></ul>\
         <p>{PROSE}</p></article>"
    ));
    assert_eq!(texts(&html), vec![PROSE, PROSE]);
}

#[test]
fn block_kinds_and_table_rows() {
    let html = page(&format!(
        "<article><p>{PROSE}</p><h2>A section</h2><ul><li>first item</li><li>second item</li></ul>\
         <blockquote><p>{PROSE}</p></blockquote><table><tr><td><a href=/x>Name</a></td><td>1947</td><td>A short description of the row</td></tr></table></article>"
    ));
    let a = extract(&html, None).unwrap();
    let kinds: Vec<BlockKind> = a.blocks.iter().map(|b| b.kind).collect();
    assert_eq!(
        kinds,
        vec![
            BlockKind::Paragraph,
            BlockKind::Heading,
            BlockKind::ListItem,
            BlockKind::ListItem,
            BlockKind::Quote,
            BlockKind::TableRow
        ]
    );
    assert_eq!(
        a.blocks.last().unwrap().text,
        "Name 1947 A short description of the row"
    );
}

#[test]
fn metadata_fallbacks_record_their_source() {
    let html = page(&format!(
        "<article><h1>A Headline For Tests</h1><p>{PROSE}</p><p>{PROSE}</p></article>"
    ));
    let a = extract(&html, Some("https://example.com/2024/05/06/story.html")).unwrap();
    assert_eq!(a.title.as_deref(), Some("A Headline For Tests"));
    assert_eq!(a.sources["title"], Source::Html);
    assert_eq!(a.published.unwrap().to_rfc3339(), "2024-05-06T00:00:00+00:00");
    assert_eq!(a.sources["published"], Source::Url);
    assert_eq!(
        a.canonical_url.as_deref(),
        Some("https://example.com/2024/05/06/story.html")
    );
    assert_eq!(a.language.as_deref(), Some("en"));
}

#[test]
fn language_from_text_overrides_a_wrong_declaration() {
    let es = "El gobierno anunció este martes una serie de medidas económicas para contener la inflación, \
              que según los analistas seguirá afectando a los hogares durante los próximos meses del año.";
    let html = page(&format!("<article><p>{es}</p><p>{es}</p></article>"));
    let a = extract(&html, None).unwrap();
    assert_eq!(a.language.as_deref(), Some("es"));
    assert_eq!(a.sources["language"], Source::Text);
}

fn numbered(n: usize) -> String {
    format!("{PROSE} Paragraph number {n}.")
}

#[test]
fn comments_heading_in_a_dropped_wrapper_ends_the_body() {
    let html = page(&format!(
        "<div id=center><h2>A Headline For Tests</h2><p>{PROSE}</p><p>{PROSE}</p>\
         <div class=commentform><h2 id=comments>Comments</h2></div>\
         <div id=c1><p>{PROSE} A reader.</p></div><p>Posted by: Reader at 7:12 AM</p>\
         <div id=c2><p>{PROSE} Another reader.</p></div><p>Posted by: Other at 8:12 AM</p></div>"
    ));
    assert_eq!(texts(&html), vec![PROSE, PROSE]);
}

#[test]
fn sidebar_beside_a_short_post_stays_out() {
    let short =
        "Just a short post today, under a picture that says it all, taken on a walk by the river early this morning. \
                 More pictures of the same walk will follow later in the week, once they are sorted and named.";
    let html = page(&format!(
        "<div id=content><div class=post><h2>A Headline For Tests</h2><p>{short}</p></div></div>\
         <div id=sidebar><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div>",
        numbered(1),
        numbered(2),
        numbered(3),
        numbered(4)
    ));
    assert_eq!(texts(&html), vec![short]);
}

#[test]
fn teasers_of_other_posts_are_not_the_article() {
    let teaser = |n: usize| {
        format!(
            "<div><h4><a href=/p{n}>Another post number {n}</a></h4><p>{}</p><a href=/p{n}>Continue reading</a></div>",
            numbered(10 + n)
        )
    };
    let html = page(&format!(
        "<div id=blog><div><h1>A Headline For Tests</h1><p>{}</p><p>{}</p><p>{}</p><p>{}</p></div>\
         <div><h3>Earlier</h3>{}{}</div></div>",
        numbered(1),
        numbered(2),
        numbered(3),
        numbered(4),
        teaser(1),
        teaser(2)
    ));
    assert_eq!(texts(&html), vec![numbered(1), numbered(2), numbered(3), numbered(4)]);
}

#[test]
fn a_second_copy_of_the_article_is_emitted_once() {
    let body = format!("<p>{}</p><p>{}</p><p>{}</p>", numbered(1), numbered(2), numbered(3));
    let html = page(&format!(
        "<div><h1>A Headline For Tests</h1><div>{body}</div><div>{body}</div></div>"
    ));
    assert_eq!(texts(&html), vec![numbered(1), numbered(2), numbered(3)]);
}

#[test]
fn comment_form_is_left_out() {
    let html = page(&format!(
        "<div><h1>A Headline For Tests</h1><p>{PROSE}</p><p>{PROSE}</p>\
         <form action=/post><label>Name (required)</label><input name=n><label>Mail (will not be published)</label>\
         <textarea></textarea></form></div>"
    ));
    assert_eq!(texts(&html), vec![PROSE, PROSE]);
}
