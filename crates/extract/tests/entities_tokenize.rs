//! Tokeniser and offsets through the public API: exact char offsets in any script, and mentions and quotes whose
//! offsets select their surface text in the field they point into.

use gazette_extract::entities::tokenize::{sentences, tokenize};
use gazette_extract::entities::{Field, NerModel, Tagger};

fn substr(s: &str, a: usize, b: usize) -> String {
    s.chars().skip(a).take(b - a).collect()
}

#[test]
fn offsets_are_exact_in_many_scripts() {
    let texts = [
        "문재인 대통령은 서울에서 “평화가 중요하다”고 말했다.",
        "Владимир Путин встретился с Си Цзиньпином в Пекине 5 мая.",
        "قال الرئيس المصري عبد الفتاح السيسي إن القاهرة مستعدة.",
        "習近平主席は北京で会談した。東京も参加。",
        "नरेंद्र मोदी ने दिल्ली में कहा — “हम तैयार हैं।”",
        "Ελλάδα και Κύπρος 🇬🇷 naïve café — “Zoë’s” 1,000 €",
    ];
    for t in texts {
        let toks = tokenize(t);
        assert!(!toks.is_empty());
        for tok in &toks {
            assert_eq!(substr(t, tok.start, tok.end), tok.text, "in {t}");
        }
        for r in sentences(t, &toks) {
            assert!(r.start < r.end);
        }
    }
}

#[test]
fn annotations_point_at_their_text_in_any_script() {
    let title = "Путин и Си Цзиньпин: “Мы друзья”";
    let text = "서울 — 문재인 대통령은 “평화가 중요하다”고 말했다.\n\nPresident Moon Jae-in met Xi Jinping in Beijing on Friday, \
                and said: “We agree on 3.5% growth and $4.2 billion in trade.”";
    let ann = Tagger::embedded().annotate(title, text);
    for m in &ann.mentions {
        let field = if m.field == Field::Title { title } else { text };
        assert_eq!(substr(field, m.start, m.end), m.surface);
    }
    for q in &ann.quotes {
        assert_eq!(substr(text, q.start, q.end), q.text);
    }
    let kinds: Vec<(&str, &str)> = ann
        .mentions
        .iter()
        .map(|m| (m.surface.as_str(), m.kind.as_str()))
        .collect();
    assert!(kinds.contains(&("Beijing", "LOC")), "{kinds:?}");
    assert!(kinds.contains(&("3.5%", "PERCENT")), "{kinds:?}");
    assert!(kinds.contains(&("$4.2 billion", "MONEY")), "{kinds:?}");
    assert!(kinds.contains(&("Friday", "DATE")), "{kinds:?}");
}

#[test]
fn embedded_model_round_trips() {
    let model = Tagger::embedded().model().expect("the embedded model loads");
    let again = NerModel::from_bytes(&model.to_bytes()).expect("re-read");
    let doc = vec![vec!["Lloyd", "Austin", "met", "Nobuo", "Kishi", "in", "Tokyo", "."]];
    assert_eq!(model.tag_doc(&doc), again.tag_doc(&doc));
    assert_eq!(model.features(), again.features());
}
