//! What a place is: one GeoNames entry as the resolver hands it out.

use serde::Serialize;

/// The GeoNames feature codes the compiled tables hold. The sources give cities no finer code, so every city is
/// `Ppl` except a country's capital (`Pplc`, matched by the capital's name in the country record).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum FeatureCode {
    /// A continent (class L).
    #[serde(rename = "CONT")]
    Cont,
    /// An independent political entity: a country (class A).
    #[serde(rename = "PCLI")]
    Pcli,
    /// A first-order administrative division: state, province, region (class A).
    #[serde(rename = "ADM1")]
    Adm1,
    /// A second-order administrative division: county, district, municipality (class A).
    #[serde(rename = "ADM2")]
    Adm2,
    /// A country's capital (class P).
    #[serde(rename = "PPLC")]
    Pplc,
    /// A populated place of 500 or more inhabitants (class P).
    #[serde(rename = "PPL")]
    Ppl,
}

impl FeatureCode {
    pub fn as_str(self) -> &'static str {
        match self {
            FeatureCode::Cont => "CONT",
            FeatureCode::Pcli => "PCLI",
            FeatureCode::Adm1 => "ADM1",
            FeatureCode::Adm2 => "ADM2",
            FeatureCode::Pplc => "PPLC",
            FeatureCode::Ppl => "PPL",
        }
    }

    pub fn parse(s: &str) -> Option<FeatureCode> {
        Some(match s {
            "CONT" => FeatureCode::Cont,
            "PCLI" => FeatureCode::Pcli,
            "ADM1" => FeatureCode::Adm1,
            "ADM2" => FeatureCode::Adm2,
            "PPLC" => FeatureCode::Pplc,
            "PPL" => FeatureCode::Ppl,
            _ => return None,
        })
    }

    /// GeoNames' feature class: `A` (country, division), `P` (populated place), `L` (continent).
    pub fn class(self) -> char {
        match self {
            FeatureCode::Cont => 'L',
            FeatureCode::Pcli | FeatureCode::Adm1 | FeatureCode::Adm2 => 'A',
            FeatureCode::Pplc | FeatureCode::Ppl => 'P',
        }
    }

    /// A city, town or village (class P).
    pub fn is_populated_place(self) -> bool {
        self.class() == 'P'
    }
}

/// One GeoNames entry. `country_code` and `admin1` are empty for a continent; `admin1` is GeoNames' code of the
/// first-level division ("TX", "ENG", "08"), empty for a country. Coordinates are GeoNames' own for cities and
/// continents; for countries and divisions (which the sources give without coordinates) the median of their cities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Place {
    pub geonameid: u32,
    pub name: &'static str,
    pub feature_code: FeatureCode,
    pub country_code: &'static str,
    pub admin1: &'static str,
    pub lat: f64,
    pub lon: f64,
    pub population: u64,
}

impl Place {
    pub fn feature_class(&self) -> char {
        self.feature_code.class()
    }
}

/// Great-circle distance in kilometres (haversine, mean Earth radius 6371 km).
pub fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().min(1.0).asin()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_pairs() {
        // Paris to London is about 344 km; a point to itself is 0; antipodes are half the circumference.
        let d = distance_km((48.8534, 2.3488), (51.5085, -0.1257));
        assert!((d - 344.0).abs() < 3.0, "{d}");
        assert_eq!(distance_km((10.0, 20.0), (10.0, 20.0)), 0.0);
        let half = distance_km((0.0, 0.0), (0.0, 180.0));
        assert!((half - std::f64::consts::PI * 6371.0).abs() < 1.0, "{half}");
    }

    #[test]
    fn feature_codes_round_trip() {
        for code in [
            FeatureCode::Cont,
            FeatureCode::Pcli,
            FeatureCode::Adm1,
            FeatureCode::Adm2,
            FeatureCode::Pplc,
            FeatureCode::Ppl,
        ] {
            assert_eq!(FeatureCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(FeatureCode::parse("PPLX"), None);
        assert_eq!(FeatureCode::Pplc.class(), 'P');
        assert_eq!(FeatureCode::Adm1.class(), 'A');
    }
}
