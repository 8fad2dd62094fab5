//! Resolution inside an article: an acronym introduced in apposition names the same thing as the name before it, and
//! `X of Y` names stay one span.

use gazette_extract::entities::{EntityKind, Tagger};

fn mentions(text: &str) -> Vec<(String, EntityKind, String)> {
    Tagger::embedded()
        .annotate("", text)
        .mentions
        .into_iter()
        .map(|m| (m.surface, m.kind, m.canonical))
        .collect()
}

#[test]
fn acronym_in_apposition_resolves_to_the_name() {
    let text = "The Ghana Ports and Harbours Authority, known as GPHA, said on Monday that traffic rose. \
                GPHA expects more ships next year, and GPHA officials plan new berths in Tema.";
    let found = mentions(text);
    let gpha: Vec<_> = found.iter().filter(|m| m.0 == "GPHA").collect();
    assert_eq!(gpha.len(), 3, "{found:?}");
    for m in gpha {
        assert_eq!(m.2, "Ghana Ports and Harbours Authority", "{found:?}");
        assert_eq!(m.1, EntityKind::Organisation, "{found:?}");
    }
}

#[test]
fn acronym_in_parentheses_resolves_without_matching_initials() {
    let text = "Fighters of Hayat Tahrir al-Sham (HTS) entered the city. HTS said it would hold it.";
    let found = mentions(text);
    let hts: Vec<_> = found.iter().filter(|m| m.0 == "HTS").collect();
    assert!(!hts.is_empty(), "{found:?}");
    assert!(hts.iter().all(|m| m.2 == "Hayat Tahrir al-Sham"), "{found:?}");
}

#[test]
fn x_of_y_names_stay_one_span() {
    let text = "Tankers waited in the Gulf of Guinea while storms crossed the Bay of Bengal. \
                Economists at the University of Nairobi expect the Bank of Japan to hold rates.";
    let found = mentions(text);
    let has = |s: &str, k: EntityKind| found.iter().any(|m| m.0 == s && m.1 == k);
    assert!(has("Gulf of Guinea", EntityKind::Location), "{found:?}");
    assert!(has("Bay of Bengal", EntityKind::Location), "{found:?}");
    assert!(has("University of Nairobi", EntityKind::Organisation), "{found:?}");
    assert!(has("Bank of Japan", EntityKind::Organisation), "{found:?}");
    assert!(
        !found
            .iter()
            .any(|m| m.0 == "Guinea" || m.0 == "Bengal" || m.0 == "Japan"),
        "{found:?}"
    );
}
