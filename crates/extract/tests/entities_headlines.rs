//! Headlines: names in title-case and all-caps headlines are kept only where the body names them, so ordinary
//! headline words never become entities; a sentence-case headline is tagged like any sentence.

use gazette_extract::entities::{EntityKind, Field, Mention, Tagger};

const BODY: &str = "SUVA, Fiji — Leaders of 18 Pacific Island nations signed a regional fisheries pact in Suva on \
                    Tuesday, despite worries over shrinking budgets.\n\n\
                    Fiji's Prime Minister Sitiveni Rabuka said the agreement would protect tuna stocks for a \
                    generation. The Pacific Islands Forum will meet again in Honiara next year.";

fn named_in_title(title: &str) -> Vec<Mention> {
    Tagger::embedded()
        .annotate(title, BODY)
        .mentions
        .into_iter()
        .filter(|m| m.field == Field::Title)
        .filter(|m| {
            matches!(
                m.kind,
                EntityKind::Person | EntityKind::Organisation | EntityKind::Location | EntityKind::Misc
            )
        })
        .collect()
}

#[test]
fn title_case_headline_invents_no_names() {
    let title = "Pacific Leaders Sign Fisheries Pact Amid Budget Worries";
    let found = named_in_title(title);
    for m in &found {
        assert!(BODY.contains(&m.surface), "{m:?} is not named in the body");
        for word in ["Amid", "Budget", "Worries", "Leaders", "Sign", "Fisheries", "Pact"] {
            assert!(!m.surface.contains(word), "{m:?}");
        }
    }
}

#[test]
fn all_caps_headline_keeps_the_bodys_names_in_the_bodys_case() {
    let title = "FIJI'S RABUKA HAILS FISHERIES PACT AMID BUDGET WORRIES";
    let found = named_in_title(title);
    let surfaces: Vec<&str> = found.iter().map(|m| m.surface.as_str()).collect();
    for m in &found {
        assert!(
            BODY.to_lowercase().contains(&m.surface.to_lowercase()),
            "{m:?} is not named in the body"
        );
        assert!(
            !m.surface.contains("BUDGET") && !m.surface.contains("PACT"),
            "{surfaces:?}"
        );
    }
    let rabuka = found.iter().find(|m| m.surface == "RABUKA");
    let rabuka = rabuka.unwrap_or_else(|| panic!("RABUKA kept: {found:?}"));
    assert_eq!(rabuka.canonical, "Sitiveni Rabuka", "{found:?}");
}

#[test]
fn sentence_case_headline_is_tagged_like_a_sentence() {
    let found = named_in_title("Rabuka hails Pacific fisheries pact signed in Suva");
    let surfaces: Vec<(&str, &str)> = found.iter().map(|m| (m.surface.as_str(), m.kind.as_str())).collect();
    assert!(surfaces.contains(&("Suva", "LOC")), "{surfaces:?}");
    assert!(surfaces.contains(&("Rabuka", "PER")), "{surfaces:?}");
}
