//! Quote attribution patterns beyond the seed article.

use gazette_extract::entities::Tagger;

fn speakers(text: &str) -> Vec<(String, Option<String>)> {
    Tagger::embedded()
        .annotate("", text)
        .quotes
        .into_iter()
        .map(|q| (q.text, q.speaker.map(|s| s.1)))
        .collect()
}

#[test]
fn speaker_after_before_and_by_pronoun() {
    let text = "German Chancellor Angela Merkel arrived in Paris on Monday.\n\n\
                \"We have a great deal of work ahead of us,\" said Merkel.\n\n\
                French President Emmanuel Macron told reporters: \"Europe must act together on energy.\"\n\n\
                “The talks were long but useful,” he said.\n\n\
                Critics called it “a missed chance for real reform” in a joint letter.";
    let q = speakers(text);
    let find = |start: &str| {
        q.iter()
            .find(|(t, _)| t.starts_with(start))
            .unwrap_or_else(|| panic!("{q:?}"))
            .1
            .clone()
    };
    assert_eq!(find("We have a great deal").as_deref(), Some("Angela Merkel"));
    assert_eq!(find("Europe must act").as_deref(), Some("Emmanuel Macron"));
    assert_eq!(find("The talks were long").as_deref(), Some("Emmanuel Macron"));
    assert_eq!(find("a missed chance"), None);
}
