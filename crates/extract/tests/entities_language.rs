//! Languages: names are tagged only in English text. A German article gets dates and numbers but no names, and says
//! so; on a page that mixes languages, only the English paragraphs get names.

use gazette_extract::entities::{ArticleText, EntityKind, NameCoverage, Tagger};

const GERMAN: &str = "Die Bundesregierung hat am Mittwoch in Berlin ein neues Klimaschutzgesetz beschlossen. \
                      Bundeskanzler Olaf Scholz sagte, die Wirtschaft brauche Planungssicherheit für die kommenden \
                      Jahrzehnte. Die Opposition kritisierte den Entwurf als unzureichend und kündigte Widerstand im \
                      Bundestag an.";

const ENGLISH: &str = "Chancellor Olaf Scholz told reporters in Berlin that the climate law would give companies \
                       certainty for decades, while opposition leaders promised to fight it in parliament.";

fn is_name(k: EntityKind) -> bool {
    matches!(
        k,
        EntityKind::Person | EntityKind::Organisation | EntityKind::Location | EntityKind::Misc
    )
}

#[test]
fn german_text_gets_no_names() {
    for language in [Some("de"), None] {
        let ann = Tagger::embedded().annotate_text(&ArticleText {
            title: "Kabinett beschließt Klimaschutzgesetz",
            text: GERMAN,
            caption: "",
            language,
        });
        let names: Vec<_> = ann.mentions.iter().filter(|m| is_name(m.kind)).collect();
        assert!(names.is_empty(), "{names:?}");
        assert_eq!(ann.untagged_languages, ["de"]);
        assert_eq!(ann.names, NameCoverage::None);
    }
}

#[test]
fn english_paragraph_of_a_german_page_is_tagged() {
    let text = format!("{GERMAN}\n\n{ENGLISH}");
    let ann = Tagger::embedded().annotate_text(&ArticleText {
        title: "",
        text: &text,
        caption: "",
        language: Some("de"),
    });
    let english_from = GERMAN.chars().count() + 2;
    for m in ann.mentions.iter().filter(|m| is_name(m.kind)) {
        assert!(m.start >= english_from, "a name in the German paragraph: {m:?}");
    }
    assert!(
        ann.mentions
            .iter()
            .any(|m| m.surface == "Olaf Scholz" && m.kind == EntityKind::Person),
        "{:?}",
        ann.mentions
    );
    assert_eq!(ann.names, NameCoverage::Partial);
}

#[test]
fn english_text_is_all_tagged() {
    let ann = Tagger::embedded().annotate("Scholz defends climate law", ENGLISH);
    assert!(ann.untagged_languages.is_empty());
    assert_eq!(ann.names, NameCoverage::All);
}
