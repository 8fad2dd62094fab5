//! The compiled tables: they load, hold what the sources hold, and look names up as news writes them.

use gazette_places::{FeatureCode, Gazetteer};

fn ids(name: &str) -> Vec<u32> {
    let g = Gazetteer::embedded();
    g.lookup(name).iter().map(|h| g.place(h.place).geonameid).collect()
}

#[test]
fn tables_hold_cities_divisions_countries_and_continents() {
    let g = Gazetteer::embedded();
    assert!(g.len() > 280_000, "{} entries", g.len());
    let paris = g.place(g.by_geonameid(2988507).expect("Paris"));
    assert_eq!((paris.name, paris.country_code, paris.admin1), ("Paris", "FR", "11"));
    assert_eq!(paris.feature_code, FeatureCode::Pplc);
    assert_eq!(paris.feature_class(), 'P');
    assert!((paris.lat - 48.853).abs() < 0.01 && (paris.lon - 2.349).abs() < 0.01);
    let texas = g.place(g.by_geonameid(4736286).expect("Texas"));
    assert_eq!(
        (texas.feature_code, texas.country_code, texas.admin1),
        (FeatureCode::Adm1, "US", "TX")
    );
    let kenya = g.place(g.country("ke").expect("Kenya"));
    assert_eq!(
        (kenya.geonameid, kenya.feature_code, kenya.feature_class()),
        (192950, FeatureCode::Pcli, 'A')
    );
    assert!(ids("Europe").contains(&6255148));
    assert_eq!(g.by_geonameid(1), None);
}

#[test]
fn names_meet_across_spelling_accents_and_aliases() {
    assert!(ids("Paris").contains(&4717560), "Paris, Texas is a candidate for Paris");
    assert_eq!(ids("zurich"), ids("Zürich"));
    assert!(ids("St. Louis").contains(&4407066));
    assert!(
        ids("Netherlands").contains(&2750405),
        "'The Netherlands' found without its article"
    );
    assert!(ids("Calif.").contains(&5332921), "AP abbreviation of California");
    assert!(ids("U.K.").contains(&2635167));
    assert!(ids("Ivory Coast").contains(&2287781));
    assert!(ids("Xqzzyville").is_empty());
    assert!(ids("").is_empty());
}

#[test]
fn demonyms_and_domains_name_countries() {
    let g = Gazetteer::embedded();
    let cc = |p| g.place(p).country_code;
    assert_eq!(g.demonym("Kenyan").map(cc), Some("KE"));
    assert_eq!(g.demonym("Kenyans").map(cc), Some("KE"));
    assert_eq!(g.demonym("South African").map(cc), Some("ZA"));
    assert_eq!(g.demonym("The French"), None);
    assert_eq!(g.demonym("Paris"), None);
    assert_eq!(g.country_for_host("www.bbc.co.uk").map(cc), Some("GB"));
    assert_eq!(g.country_for_host("lemonde.fr.").map(cc), Some("FR"));
    assert_eq!(g.country_for_host("nytimes.com"), None);
}

#[test]
fn malformed_tables_are_typed_errors() {
    use std::io::Write;
    let gz = |text: &str| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(text.as_bytes()).unwrap();
        e.finish().unwrap()
    };
    let countries = "FR\t3017382\t.fr\tfr-FR\tBE\n";
    let ok = gz("2988507\tPPLC\tFR\t11\t\t48.85341\t2.34880\t2138551\tParis\tLutece\n");
    let g = Gazetteer::from_tables(&ok, countries, "French\tFR\n").expect("a valid table");
    assert_eq!(g.len(), 1);
    assert_eq!(g.lookup("Lutèce").len(), 1);
    let bad_code = gz("1\tXXXX\tFR\t11\t\t0\t0\t0\tX\t\n");
    let err = Gazetteer::from_tables(&bad_code, countries, "")
        .err()
        .expect("unknown code refused");
    assert!(err.to_string().contains("line 1"), "{err}");
    let short = gz("1\tPPL\tFR\n");
    assert!(Gazetteer::from_tables(&short, countries, "").is_err());
    let unsorted = gz("2\tPPL\tFR\t\t\t0\t0\t0\tB\t\n1\tPPL\tFR\t\t\t0\t0\t0\tA\t\n");
    assert!(Gazetteer::from_tables(&unsorted, countries, "").is_err());
    assert!(Gazetteer::from_tables(b"not gzip", countries, "").is_err());
    assert!(
        Gazetteer::from_tables(&ok, countries, "French\tZZ\n").is_err(),
        "demonym of an unknown country"
    );
}

#[test]
fn memory_of_the_tables_is_bounded() {
    let bytes = Gazetteer::embedded().heap_bytes();
    assert!(bytes > 5 << 20 && bytes < 64 << 20, "{bytes} bytes");
}
