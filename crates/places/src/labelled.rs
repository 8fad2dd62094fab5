//! The hand-labelled set (`crates/places/eval/labelled.txt`) and its scoring.
//!
//! Format: articles separated by header lines; in each, the first line is the title and the rest the body. Each
//! place mention is marked `[[surface|gold]]`, where `gold` is a GeoNames id, `none` (a place the tables do not
//! hold: the resolver should leave it unresolved) or `=CC` (a demonym, gold: its country's ISO code). `#` starts a
//! comment line.
//!
//! ```text
//! === 12 dev site=US lang=en
//! Flooding closes roads near [[Paris|4717560]]
//! Residents of [[Paris|4717560]], [[Texas|4736286]], were told ...
//! ```
//!
//! Scoring follows the field: a mention is right within 161 km (100 miles) when the chosen entry lies within 161 km
//! of the gold one, and exactly right when it is the gold entry; a mention whose gold is `none` is right (both ways)
//! only when left unresolved, and a mention left unresolved whose gold is a place is wrong.

use gazette_extract::entities::Field;

use crate::gazetteer::Gazetteer;
use crate::place::distance_km;
use crate::resolve::{Article, LocMention, Resolver};

/// The field's tolerance: 100 miles.
pub const TOLERANCE_KM: f64 = 161.0;

#[derive(Debug, thiserror::Error)]
#[error("labelled set line {line}: {what}")]
pub struct LabelledError {
    pub line: usize,
    pub what: String,
}

/// What a marked mention should resolve to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gold {
    /// A GeoNames id.
    Place(u32),
    /// A place the tables do not hold.
    Absent,
    /// A demonym, with its country's ISO code.
    Demonym(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldMention {
    pub field: Field,
    /// Character offsets into the field, end exclusive.
    pub start: usize,
    pub end: usize,
    pub surface: String,
    pub gold: Gold,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledArticle {
    pub id: String,
    /// `dev` (weights were tuned looking at these) or `test` (not looked at while tuning).
    pub split: String,
    pub site_country: Option<String>,
    pub language: Option<String>,
    pub title: String,
    pub text: String,
    pub mentions: Vec<GoldMention>,
}

impl LabelledArticle {
    pub fn article(&self) -> Article<'_> {
        Article {
            title: &self.title,
            text: &self.text,
            caption: "",
            language: self.language.as_deref(),
            site_country: self.site_country.as_deref(),
        }
    }

    /// The place mentions (demonyms excluded), as a tagger would hand them over.
    pub fn place_mentions(&self) -> Vec<LocMention<'_>> {
        self.mentions
            .iter()
            .filter(|m| !matches!(m.gold, Gold::Demonym(_)))
            .map(|m| LocMention {
                field: m.field,
                start: m.start,
                end: m.end,
                surface: &m.surface,
            })
            .collect()
    }
}

/// Parses the labelled set.
pub fn parse(source: &str) -> Result<Vec<LabelledArticle>, LabelledError> {
    let mut articles: Vec<LabelledArticle> = Vec::new();
    let mut body: Vec<(usize, &str)> = Vec::new();
    let mut header: Option<(usize, &str)> = None;
    let flush = |header: Option<(usize, &str)>, body: &mut Vec<(usize, &str)>, out: &mut Vec<LabelledArticle>| {
        if let Some((line, h)) = header {
            out.push(article(line, h, body)?);
        } else if let Some((line, _)) = body.iter().find(|(_, l)| !l.trim().is_empty()) {
            return Err(LabelledError {
                line: *line,
                what: "text before the first `===` header".into(),
            });
        }
        body.clear();
        Ok(())
    };
    for (n, line) in source.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        if let Some(h) = line.strip_prefix("===") {
            flush(header, &mut body, &mut articles)?;
            header = Some((n + 1, h));
        } else {
            body.push((n + 1, line));
        }
    }
    flush(header, &mut body, &mut articles)?;
    Ok(articles)
}

fn article(line: usize, header: &str, body: &[(usize, &str)]) -> Result<LabelledArticle, LabelledError> {
    let err = |line: usize, what: &str| LabelledError {
        line,
        what: what.to_string(),
    };
    let mut words = header.split_whitespace();
    let id = words
        .next()
        .ok_or_else(|| err(line, "header without an id"))?
        .to_string();
    let split = words
        .next()
        .ok_or_else(|| err(line, "header without a split (dev or test)"))?
        .to_string();
    if split != "dev" && split != "test" {
        return Err(err(line, "the split must be dev or test"));
    }
    let (mut site_country, mut language) = (None, None);
    for w in words {
        match w.split_once('=') {
            Some(("site", v)) => site_country = Some(v.to_string()),
            Some(("lang", v)) => language = Some(v.to_string()),
            _ => return Err(err(line, &format!("unknown header field {w:?}"))),
        }
    }
    let lines: Vec<(usize, &str)> = body.iter().copied().skip_while(|(_, l)| l.trim().is_empty()).collect();
    let Some(&(title_line, title_src)) = lines.first() else {
        return Err(err(line, "article without a title"));
    };
    let mut mentions = Vec::new();
    let title = unmark(title_src, Field::Title, title_line, &mut mentions)?;
    let mut text = String::new();
    let mut chars = 0;
    for &(n, l) in lines[1..].iter() {
        if !text.is_empty() || !l.trim().is_empty() {
            if !text.is_empty() {
                text.push('\n');
                chars += 1;
            }
            let mut these = Vec::new();
            let plain = unmark(l, Field::Text, n, &mut these)?;
            for mut m in these {
                m.start += chars;
                m.end += chars;
                mentions.push(m);
            }
            chars += plain.chars().count();
            text.push_str(&plain);
        }
    }
    let text = text.trim_end().to_string();
    Ok(LabelledArticle {
        id,
        split,
        site_country,
        language,
        title,
        text,
        mentions,
    })
}

/// Removes the `[[surface|gold]]` marks of one line, recording the mentions with char offsets into the line.
fn unmark(src: &str, field: Field, line: usize, out: &mut Vec<GoldMention>) -> Result<String, LabelledError> {
    let err = |what: String| LabelledError { line, what };
    let mut plain = String::with_capacity(src.len());
    let mut chars = 0;
    let mut rest = src;
    while let Some(open) = rest.find("[[") {
        let before = &rest[..open];
        plain.push_str(before);
        chars += before.chars().count();
        let inner_end = rest[open..].find("]]").ok_or_else(|| err("`[[` without `]]`".into()))? + open;
        let inner = &rest[open + 2..inner_end];
        let (surface, gold) = inner
            .split_once('|')
            .ok_or_else(|| err(format!("no `|gold` in [[{inner}]]")))?;
        if surface.is_empty() || surface.contains("[[") {
            return Err(err(format!("bad surface in [[{inner}]]")));
        }
        let gold = match gold {
            "none" => Gold::Absent,
            g if g.starts_with('=') && g.len() == 3 => Gold::Demonym(g[1..].to_string()),
            g => Gold::Place(
                g.parse()
                    .map_err(|_| err(format!("gold {g:?} is not an id, none or =CC")))?,
            ),
        };
        let n = surface.chars().count();
        out.push(GoldMention {
            field,
            start: chars,
            end: chars + n,
            surface: surface.to_string(),
            gold,
        });
        plain.push_str(surface);
        chars += n;
        rest = &rest[inner_end + 2..];
    }
    if rest.contains("]]") {
        return Err(err("`]]` without `[[`".into()));
    }
    plain.push_str(rest);
    Ok(plain)
}

/// Counts over a set of articles.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Score {
    pub articles: usize,
    /// Place mentions (gold a place or `none`).
    pub mentions: usize,
    /// Of which the gold is a place the tables hold.
    pub resolvable: usize,
    /// Right within 161 km, over all place mentions (a `none` gold right when left unresolved).
    pub within_161: usize,
    /// Exactly right, over all place mentions.
    pub exact: usize,
    /// Right within 161 km among the resolvable.
    pub resolvable_within_161: usize,
    /// Exactly right among the resolvable.
    pub resolvable_exact: usize,
    /// Mentions whose gold is `none` left unresolved.
    pub absent_right: usize,
    /// Demonyms marked, and found with their right country.
    pub demonyms: usize,
    pub demonyms_found: usize,
}

impl Score {
    fn pct(n: usize, d: usize) -> f64 {
        if d == 0 {
            0.0
        } else {
            100.0 * n as f64 / d as f64
        }
    }

    pub fn within_161_pct(&self) -> f64 {
        Self::pct(self.within_161, self.mentions)
    }

    pub fn exact_pct(&self) -> f64 {
        Self::pct(self.exact, self.mentions)
    }

    pub fn resolvable_within_161_pct(&self) -> f64 {
        Self::pct(self.resolvable_within_161, self.resolvable)
    }

    pub fn resolvable_exact_pct(&self) -> f64 {
        Self::pct(self.resolvable_exact, self.resolvable)
    }

    pub fn absent_pct(&self) -> f64 {
        Self::pct(self.absent_right, self.mentions - self.resolvable)
    }

    pub fn demonyms_pct(&self) -> f64 {
        Self::pct(self.demonyms_found, self.demonyms)
    }
}

/// One mention's outcome, for listing errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub article: String,
    pub surface: String,
    pub gold: Gold,
    /// The chosen entry's id, if any.
    pub chosen: Option<u32>,
    /// Distance between the chosen and the gold entry, when both exist.
    pub error_km: Option<f64>,
    pub within_161: bool,
    pub exact: bool,
}

/// Resolves every article with `resolver` and scores it against the gold; also returns each mention's outcome.
/// Fails when a gold id is not in the resolver's tables (the set and the tables disagree).
pub fn score(resolver: &Resolver, articles: &[LabelledArticle]) -> Result<(Score, Vec<Outcome>), String> {
    let g: &'static Gazetteer = resolver.gazetteer();
    let mut s = Score::default();
    let mut outcomes = Vec::new();
    for a in articles {
        s.articles += 1;
        let mentions = a.place_mentions();
        let resolved = resolver.resolve(&a.article(), &mentions);
        let mut places = resolved.mentions.iter();
        for m in &a.mentions {
            match &m.gold {
                Gold::Demonym(cc) => {
                    s.demonyms += 1;
                    let found = resolved.demonyms.iter().any(|d| {
                        d.field == m.field && d.start == m.start && d.end == m.end && d.country.country_code == cc
                    });
                    s.demonyms_found += found as usize;
                    outcomes.push(Outcome {
                        article: a.id.clone(),
                        surface: m.surface.clone(),
                        gold: m.gold.clone(),
                        chosen: None,
                        error_km: None,
                        within_161: found,
                        exact: found,
                    });
                }
                gold => {
                    let r = places.next().expect("one resolution per place mention");
                    let chosen = r.place;
                    s.mentions += 1;
                    let (within, exact, error_km) = match gold {
                        Gold::Place(id) => {
                            s.resolvable += 1;
                            let gold_place = g
                                .by_geonameid(*id)
                                .map(|p| g.place(p))
                                .ok_or_else(|| format!("article {}: gold id {id} is not in the tables", a.id))?;
                            match chosen {
                                Some(c) => {
                                    let d = distance_km((c.lat, c.lon), (gold_place.lat, gold_place.lon));
                                    (d <= TOLERANCE_KM, c.geonameid == *id, Some(d))
                                }
                                None => (false, false, None),
                            }
                        }
                        _ => {
                            let right = chosen.is_none();
                            s.absent_right += right as usize;
                            (right, right, None)
                        }
                    };
                    s.within_161 += within as usize;
                    s.exact += exact as usize;
                    if matches!(gold, Gold::Place(_)) {
                        s.resolvable_within_161 += within as usize;
                        s.resolvable_exact += exact as usize;
                    }
                    outcomes.push(Outcome {
                        article: a.id.clone(),
                        surface: m.surface.clone(),
                        gold: gold.clone(),
                        chosen: chosen.map(|c| c.geonameid),
                        error_km,
                        within_161: within,
                        exact,
                    });
                }
            }
        }
    }
    Ok((s, outcomes))
}
