//! Publication-day scoring, as htmldate's comparison does it (and `shared/corpus/README.md`, `dates/`, defines it).
//!
//! A page's answer is a day or none. Precision = right days / days given; recall = right days / (right days +
//! none); accuracy = right days / all pages. A wrong day costs precision and accuracy, no day costs recall and
//! accuracy.

use std::collections::BTreeMap;

use chrono::NaiveDate;

/// One gold page: the page's URL, its file (relative to the corpus' `pages/`) and its publication day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldPage {
    pub url: String,
    pub file: String,
    pub day: NaiveDate,
}

#[derive(Debug, thiserror::Error)]
pub enum GoldError {
    #[error("gold file is not JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("gold entry {url:?}: {why}")]
    Entry { url: String, why: String },
}

/// Reads `gold.json` (`{URL: {"file": ..., "date": "YYYY-MM-DD"}}`), in URL order.
pub fn read_gold(json: &str) -> Result<Vec<GoldPage>, GoldError> {
    let map: BTreeMap<String, serde_json::Value> = serde_json::from_str(json)?;
    map.into_iter()
        .map(|(url, v)| {
            let bad = |why: &str| GoldError::Entry {
                url: url.clone(),
                why: why.to_string(),
            };
            let file = v["file"].as_str().ok_or_else(|| bad("no \"file\""))?.to_string();
            let day = v["date"]
                .as_str()
                .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
                .ok_or_else(|| bad("no \"date\" of the form YYYY-MM-DD"))?;
            Ok(GoldPage { url, file, day })
        })
        .collect()
}

/// How a page's answer compares with its gold day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Wrong,
    None,
    Right,
}

impl Verdict {
    pub fn of(gold: NaiveDate, answer: Option<NaiveDate>) -> Verdict {
        match answer {
            None => Verdict::None,
            Some(d) if d == gold => Verdict::Right,
            Some(_) => Verdict::Wrong,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Wrong => "wrong",
            Verdict::None => "none",
            Verdict::Right => "right",
        }
    }
}

/// Counts and the three figures.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DateSummary {
    pub pages: usize,
    pub right: usize,
    pub wrong: usize,
    pub none: usize,
}

impl DateSummary {
    pub fn of(verdicts: impl IntoIterator<Item = Verdict>) -> DateSummary {
        let mut s = DateSummary::default();
        for v in verdicts {
            s.pages += 1;
            match v {
                Verdict::Right => s.right += 1,
                Verdict::Wrong => s.wrong += 1,
                Verdict::None => s.none += 1,
            }
        }
        s
    }

    fn ratio(a: usize, b: usize) -> f64 {
        if b == 0 {
            0.0
        } else {
            a as f64 / b as f64
        }
    }

    pub fn precision(&self) -> f64 {
        Self::ratio(self.right, self.right + self.wrong)
    }

    pub fn recall(&self) -> f64 {
        Self::ratio(self.right, self.right + self.none)
    }

    pub fn accuracy(&self) -> f64 {
        Self::ratio(self.right, self.pages)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_follow_the_definition() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let gold = d("2021-12-03");
        let v = [
            Verdict::of(gold, Some(d("2021-12-03"))),
            Verdict::of(gold, Some(d("2021-12-03"))),
            Verdict::of(gold, Some(d("2021-12-04"))),
            Verdict::of(gold, None),
        ];
        let s = DateSummary::of(v);
        assert_eq!((s.right, s.wrong, s.none, s.pages), (2, 1, 1, 4));
        assert!((s.precision() - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.recall() - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.accuracy() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn gold_is_read_and_checked() {
        let g = read_gold(r#"{"https://b/": {"file": "b.html", "date": "2020-01-02"}, "https://a/": {"file": "a.html", "date": "2019-05-06"}}"#).unwrap();
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].url, "https://a/");
        assert_eq!(g[0].day.to_string(), "2019-05-06");
        assert!(read_gold(r#"{"https://a/": {"file": "a.html", "date": "May 6"}}"#).is_err());
    }
}
