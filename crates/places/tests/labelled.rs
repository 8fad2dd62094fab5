//! The labelled set's format and scoring, and the shipped set itself.

use gazette_extract::entities::Field;
use gazette_places::labelled::{parse, score, Gold};
use gazette_places::{Gazetteer, Resolver, Strategy};

const SHIPPED: &str = include_str!("../eval/labelled.txt");

#[test]
fn parses_marks_into_offsets_of_the_plain_text() {
    let src = "# a comment\n=== 7 dev site=US lang=en\nStorm hits [[Paris|4717560]]\n\nFirst line.\nIn [[Paris|4717560]], [[Texas|4736286]]; [[Kenyan|=KE]] aid and the [[Zqx|none]].\n";
    let a = &parse(src).unwrap()[0];
    assert_eq!((a.id.as_str(), a.split.as_str()), ("7", "dev"));
    assert_eq!(
        (a.site_country.as_deref(), a.language.as_deref()),
        (Some("US"), Some("en"))
    );
    assert_eq!(a.title, "Storm hits Paris");
    assert_eq!(a.text, "First line.\nIn Paris, Texas; Kenyan aid and the Zqx.");
    let golds: Vec<&Gold> = a.mentions.iter().map(|m| &m.gold).collect();
    assert_eq!(
        golds,
        vec![
            &Gold::Place(4717560),
            &Gold::Place(4717560),
            &Gold::Place(4736286),
            &Gold::Demonym("KE".into()),
            &Gold::Absent
        ]
    );
    for m in &a.mentions {
        let field = if m.field == Field::Title { &a.title } else { &a.text };
        let got: String = field.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(got, m.surface);
    }
    assert_eq!(
        a.place_mentions().len(),
        4,
        "demonyms are not handed over as place mentions"
    );
}

#[test]
fn bad_input_names_its_line() {
    for (src, line) in [
        ("text before\n=== 1 dev\nT\n", 1),
        ("=== 1 dev\nT [[Paris|12x]]\n", 2),
        ("=== 1 dev\nT\nbody [[Paris 4717560]]\n", 3),
        ("=== 1 dev\nT\nbody [[Paris|1\n", 3),
        ("=== 1 train\nT\n", 1),
        ("=== 1 dev colour=red\nT\n", 1),
    ] {
        let err = parse(src).expect_err(src);
        assert_eq!(err.line, line, "{src:?}: {err}");
    }
}

#[test]
fn scoring_counts_distance_exactness_and_absent_places() {
    // Paris gold is Paris, Texas: the baseline's Paris, France is neither exact nor within 161 km; the resolver's is
    // both. "Zqx" is absent: both leave it unresolved. Dallas is 150 km from Paris, Texas: a gold of Dallas for a
    // Paris that resolves to Paris, Texas is right within 161 km but not exactly.
    let src = "=== 1 test\nT\n[[Paris|4717560]], [[Texas|4736286]], and [[Zqx|none]].\n=== 2 test\nT\n[[Paris|4684888]], [[Texas|4736286]].\n";
    let articles = parse(src).unwrap();
    let (ours, outcomes) = score(&Resolver::embedded(), &articles).unwrap();
    assert_eq!(
        (
            ours.mentions,
            ours.resolvable,
            ours.within_161,
            ours.exact,
            ours.absent_right
        ),
        (5, 4, 5, 4, 1)
    );
    let near = outcomes
        .iter()
        .find(|o| o.article == "2" && o.surface == "Paris")
        .unwrap();
    assert!(near.within_161 && !near.exact && near.error_km.unwrap() > 100.0);
    let (base, _) = score(&Resolver::embedded().with_strategy(Strategy::PopulationOnly), &articles).unwrap();
    assert_eq!((base.within_161, base.exact), (3, 3));
    let unknown = parse("=== 1 test\nT\n[[Paris|1]]\n").unwrap();
    assert!(
        score(&Resolver::embedded(), &unknown).is_err(),
        "a gold id outside the tables is an error"
    );
}

#[test]
fn the_shipped_set_is_well_formed_and_large_enough() {
    let articles = parse(SHIPPED).expect("the shipped labelled set parses");
    let g = Gazetteer::embedded();
    let mut places = 0;
    for a in &articles {
        for m in &a.mentions {
            let field = if m.field == Field::Title { &a.title } else { &a.text };
            let got: String = field.chars().skip(m.start).take(m.end - m.start).collect();
            assert_eq!(got, m.surface, "article {}", a.id);
            match &m.gold {
                Gold::Place(id) => {
                    assert!(
                        g.by_geonameid(*id).is_some(),
                        "article {}: {id} not in the tables",
                        a.id
                    );
                    places += 1;
                }
                Gold::Absent => places += 1,
                Gold::Demonym(cc) => assert!(g.country(cc).is_some(), "article {}: {cc}", a.id),
            }
        }
    }
    assert!(places >= 300, "{places} place mentions");
    assert!(articles.iter().any(|a| a.split == "dev") && articles.iter().any(|a| a.split == "test"));
}

#[test]
fn the_resolver_beats_the_baseline_on_the_shipped_set() {
    // A floor, not the figure: the figures are reported by `gazette eval places`.
    let articles = parse(SHIPPED).unwrap();
    let (ours, _) = score(&Resolver::embedded(), &articles).unwrap();
    let (base, _) = score(&Resolver::embedded().with_strategy(Strategy::PopulationOnly), &articles).unwrap();
    assert!(ours.within_161_pct() >= 85.0, "{:.1}", ours.within_161_pct());
    assert!(ours.within_161 > base.within_161 && ours.exact > base.exact);
}
