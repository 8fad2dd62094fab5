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

#[test]
fn continued_quote_keeps_its_speaker() {
    let text = "Port director Kwame Mensah said traffic had doubled since 2019.\n\n\
                \"We are running out of berths,\" Mensah told reporters. \"The port will need a new terminal \
                before 2030.\"\n\n\
                \"Ships now wait for days outside Tema,\" he added.\n\n\
                Analysts were less sure. \"Demand may not last,\" said Ama Owusu of the Accra Institute.\n\n\
                The ministry did not comment. \"It is too early to say what the government will fund.\"";
    let q = speakers(text);
    let find = |start: &str| {
        q.iter()
            .find(|(t, _)| t.starts_with(start))
            .unwrap_or_else(|| panic!("{q:?}"))
            .1
            .clone()
    };
    assert_eq!(find("We are running").as_deref(), Some("Kwame Mensah"));
    assert_eq!(find("The port will need").as_deref(), Some("Kwame Mensah"), "{q:?}");
    assert_eq!(find("Demand may not").as_deref(), Some("Ama Owusu"));
    // Someone else (the Accra Institute) is named between the last attributed quote and this one: no continuation.
    assert_ne!(find("It is too early").as_deref(), Some("Ama Owusu"), "{q:?}");
}
