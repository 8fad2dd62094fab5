//! The resolver: each place mention of an article to one GeoNames entry, or none.
//!
//! Candidates are the entries whose own or alternate name has the mention's key. Each is scored in log-population
//! units, so that a difference of 2.3 is "ten times likelier":
//!
//! 1. the prior: log population, plus a bonus by feature code (a country or continent above a city of its name, a
//!    capital above a town) and a penalty when only an alternate name matched;
//! 2. a qualifier right after the mention ("Paris, Texas", "Cambridge, Mass.", "Victoria (Australia)"): candidates
//!    inside the named division or country win, and the qualifier resolves to the division that holds them;
//! 3. the rest of the article: other mentions' current choices (a country or division that holds the candidate, places
//!    in the same division or near it), demonyms ("Kenyan"), the site's country and the article's language. This is
//!    iterated a few times, each mention seeing the others' latest choices weighted by their confidence.
//!
//! Mentions with the same key share one resolution (one sense per article). Demonyms resolve to their country and are
//! reported apart, since they count for the country without being place mentions. A mention whose best candidate is a
//! small place with no support from the article resolves to none: small places share names with rivers, regions and
//! landmarks the tables do not hold. Confidence is the winner's share of the candidates' softmax.

use gazette_extract::entities::Field;

use crate::demonyms;
use crate::gazetteer::{Gazetteer, PlaceIdx};
use crate::normalize::key;
use crate::place::{distance_km, FeatureCode, Place};

/// What the resolver knows of the article besides its place mentions.
#[derive(Debug, Clone, Copy, Default)]
pub struct Article<'a> {
    pub title: &'a str,
    pub text: &'a str,
    /// The lead image's caption (may be empty).
    pub caption: &'a str,
    /// ISO 639-1 code of the article's language, when known ("en").
    pub language: Option<&'a str>,
    /// ISO 3166-1 alpha-2 code of the site's country, when known ("GB"); see [`Gazetteer::country_for_host`].
    pub site_country: Option<&'a str>,
}

impl<'a> Article<'a> {
    fn field(&self, field: Field) -> &'a str {
        match field {
            Field::Title => self.title,
            Field::Text => self.text,
            Field::Caption => self.caption,
        }
    }
}

/// A place mention as the tagger gives it: character offsets into a field, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LocMention<'a> {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub surface: &'a str,
}

/// The outcome for one mention.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolution {
    /// The entry chosen; `None` when nothing in the tables fits (or the mention is a demonym).
    pub place: Option<Place>,
    /// How sure the choice is, 0..=1: the winner's share among the candidates (1 when it had no rival or the text
    /// settled it). For an unresolved mention, how sure it is that none fits.
    pub confidence: f32,
    /// Set when the mention is a demonym or country adjective tagged as a place ("Kenyan"): its country, counted for
    /// the country but not as a place mention (`place` is `None`).
    pub demonym_of: Option<Place>,
}

/// A demonym or country adjective in the article, tagged or not.
#[derive(Debug, Clone, PartialEq)]
pub struct DemonymMention {
    pub field: Field,
    pub start: usize,
    pub end: usize,
    pub country: Place,
}

/// The resolver's output for an article: one resolution per input mention, in input order, and the demonyms.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticlePlaces {
    pub mentions: Vec<Resolution>,
    pub demonyms: Vec<DemonymMention>,
}

/// How to choose among candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Population and feature code, then the article's evidence (the resolver proper).
    Evidence,
    /// The most populous candidate, nothing else: the field's usual baseline.
    PopulationOnly,
}

// Weights, in log-population units.
const COUNTRY_BONUS: f64 = 4.0;
const CONTINENT_BONUS: f64 = 4.0;
const ADM1_BONUS: f64 = 0.0;
const ADM2_PENALTY: f64 = 1.0;
/// A national capital also names its government ("Washington said"), so it is named more than its size suggests.
const CAPITAL_BONUS: f64 = 2.5;
const ALTERNATE_PENALTY: f64 = 1.5;
const QUALIFIER: f64 = 8.0;
/// Support from another mention's choice: a country or a first-level division holding the candidate (or held by it).
const IN_COUNTRY: f64 = 4.0;
const IN_DIVISION: f64 = 3.5;
const SAME_COUNTRY: f64 = 0.8;
const SAME_DIVISION: f64 = 1.5;
const NEARNESS_CAP: f64 = 3.0;
const DEMONYM: f64 = 1.0;
const SITE_COUNTRY: f64 = 1.5;
const LANGUAGE: f64 = 0.5;
/// Candidates kept per mention, by prior (a common name has hundreds of villages).
const MAX_CANDIDATES: usize = 40;
/// A best candidate that is a town under this population with less support than `MIN_SUPPORT` resolves to none.
const SMALL_PLACE: u64 = 5_000;
const MIN_SUPPORT: f64 = 1.0;
const ROUNDS: usize = 3;

/// The resolver over a set of tables.
#[derive(Clone, Copy)]
pub struct Resolver {
    g: &'static Gazetteer,
    strategy: Strategy,
}

struct Candidate {
    place: PlaceIdx,
    prior: f64,
    /// Evidence that does not depend on the other mentions' choices (qualifier, demonyms, site, language).
    fixed: f64,
    point: (f64, f64),
    within: (u8, u16, u32),
    code: FeatureCode,
    /// Matched by its own name, not an alternate.
    own_name: bool,
}

/// Mentions sharing one key, resolved together.
struct Group {
    key: String,
    members: Vec<usize>,
    /// Some mention of the group names a division with its designator ("Punjab province", "Washington state").
    designated: bool,
    candidates: Vec<Candidate>,
    /// Index into `candidates` of the current choice.
    pick: Option<usize>,
    confidence: f64,
    context: Vec<f64>,
}

impl Resolver {
    /// The resolver over the compiled tables.
    pub fn embedded() -> Resolver {
        Resolver::new(Gazetteer::embedded())
    }

    pub fn new(g: &'static Gazetteer) -> Resolver {
        Resolver {
            g,
            strategy: Strategy::Evidence,
        }
    }

    pub fn with_strategy(self, strategy: Strategy) -> Resolver {
        Resolver { strategy, ..self }
    }

    pub fn gazetteer(&self) -> &'static Gazetteer {
        self.g
    }

    /// Resolves `mentions` (the article's place mentions) in the context of `article`.
    pub fn resolve(&self, article: &Article, mentions: &[LocMention]) -> ArticlePlaces {
        let g = self.g;
        let mut out: Vec<Resolution> = vec![
            Resolution {
                place: None,
                confidence: 1.0,
                demonym_of: None
            };
            mentions.len()
        ];

        // Demonyms: tagged as places, or anywhere in the text.
        let mut demonyms = Vec::new();
        let mut place_mentions = Vec::new();
        for (i, m) in mentions.iter().enumerate() {
            match g.demonym(m.surface).filter(|_| g.lookup(m.surface).is_empty()) {
                Some(country) => {
                    out[i].demonym_of = Some(g.place(country));
                    demonyms.push(DemonymMention {
                        field: m.field,
                        start: m.start,
                        end: m.end,
                        country: g.place(country),
                    });
                }
                None => place_mentions.push(i),
            }
        }
        for field in [Field::Title, Field::Caption, Field::Text] {
            let taken: Vec<(usize, usize)> = mentions
                .iter()
                .filter(|m| m.field == field)
                .map(|m| (m.start, m.end))
                .collect();
            for d in demonyms::scan(g, field, article.field(field), &taken) {
                demonyms.push(DemonymMention {
                    field,
                    start: d.start,
                    end: d.end,
                    country: g.place(d.country),
                });
            }
        }
        demonyms.sort_by_key(|d| (d.field as u8, d.start));

        let after = texts_after(article, mentions);
        let mut groups = self.groups(&after, mentions, &place_mentions);
        if self.strategy == Strategy::Evidence {
            self.add_fixed_evidence(article, mentions, &after, &demonyms, &mut groups);
        }
        for gr in &mut groups {
            gr.context = vec![0.0; gr.candidates.len()];
            choose(gr);
        }
        if self.strategy == Strategy::Evidence {
            for _ in 0..ROUNDS {
                let picks: Vec<Option<(usize, f64)>> =
                    groups.iter().map(|gr| gr.pick.map(|p| (p, gr.confidence))).collect();
                for h in 0..groups.len() {
                    let mut context = vec![0.0; groups[h].candidates.len()];
                    for (ci, c) in groups[h].candidates.iter().enumerate() {
                        let mut support = Support::default();
                        for (o, pick) in picks.iter().enumerate() {
                            if let (true, Some((p, conf))) = (o != h, pick) {
                                support.add(c, &groups[o].candidates[*p], conf.max(0.3));
                            }
                        }
                        context[ci] = support.total();
                    }
                    groups[h].context = context;
                }
                for gr in &mut groups {
                    choose(gr);
                }
            }
        }

        for gr in &groups {
            let (place, confidence) = match gr.pick {
                Some(p) => {
                    let c = &gr.candidates[p];
                    let support = c.fixed + gr.context[p];
                    let small = c.code == FeatureCode::Ppl && g.population(c.place) < SMALL_PLACE;
                    if self.strategy == Strategy::Evidence && small && support < MIN_SUPPORT {
                        (None, (1.0 - gr.confidence).max(0.5))
                    } else {
                        (Some(g.place(c.place)), gr.confidence)
                    }
                }
                None => (None, 1.0),
            };
            for &i in &gr.members {
                out[i].place = place;
                out[i].confidence = confidence as f32;
            }
        }
        ArticlePlaces {
            mentions: out,
            demonyms,
        }
    }

    /// Groups the place mentions by key and gathers each group's candidates with their priors.
    fn groups(&self, after: &[&str], mentions: &[LocMention], which: &[usize]) -> Vec<Group> {
        let g = self.g;
        let mut groups: Vec<Group> = Vec::new();
        for &i in which {
            let m = &mentions[i];
            let (key, hits, designated) = candidates_for(g, m.surface);
            let designated = designated || designator_after(after[i]);
            if let Some(gr) = groups.iter_mut().find(|gr| gr.key == key) {
                gr.members.push(i);
                gr.designated |= designated;
                continue;
            }
            let candidates: Vec<Candidate> = hits
                .into_iter()
                .map(|h| {
                    let code = g.code(h.place);
                    Candidate {
                        place: h.place,
                        prior: self.prior(h.place, code, h.alternate),
                        fixed: 0.0,
                        point: g.point(h.place),
                        within: g.within(h.place),
                        code,
                        own_name: !h.alternate,
                    }
                })
                .collect();
            groups.push(Group {
                key,
                members: vec![i],
                designated,
                candidates,
                pick: None,
                confidence: 0.0,
                context: Vec::new(),
            });
        }
        for gr in &mut groups {
            let division = |c: &Candidate| matches!(c.code, FeatureCode::Adm1 | FeatureCode::Adm2);
            if self.strategy == Strategy::PopulationOnly {
                // The baseline takes the most populous of everything the name matches.
            } else if gr.designated && gr.candidates.iter().any(division) {
                // "Lagos State", "Washington state": the division, whatever else bears the name.
                gr.candidates.retain(division);
            } else {
                // A division named like a town inside it (Lagos, Cork, Istanbul, Khartoum) is, unqualified, the town.
                let towns: Vec<(u8, u16)> = gr
                    .candidates
                    .iter()
                    .filter(|c| c.code.is_populated_place() && c.own_name)
                    .map(|c| (c.within.0, c.within.1))
                    .collect();
                gr.candidates
                    .retain(|c| !division(c) || !towns.contains(&(c.within.0, c.within.1)));
            }
            gr.candidates
                .sort_by(|a, b| b.prior.total_cmp(&a.prior).then(a.place.cmp(&b.place)));
            gr.candidates.truncate(MAX_CANDIDATES);
        }
        groups
    }

    fn prior(&self, place: PlaceIdx, code: FeatureCode, alternate: bool) -> f64 {
        let pop = (self.g.population(place) as f64 + 1.0).ln();
        if self.strategy == Strategy::PopulationOnly {
            return pop;
        }
        let bonus = match code {
            FeatureCode::Cont => CONTINENT_BONUS,
            FeatureCode::Pcli => COUNTRY_BONUS,
            FeatureCode::Adm1 => ADM1_BONUS,
            FeatureCode::Adm2 => -ADM2_PENALTY,
            FeatureCode::Pplc => CAPITAL_BONUS,
            FeatureCode::Ppl => 0.0,
        };
        pop + bonus - if alternate { ALTERNATE_PENALTY } else { 0.0 }
    }

    /// Qualifiers, demonyms, the site's country and the language: evidence fixed for the whole article.
    fn add_fixed_evidence(
        &self,
        article: &Article,
        mentions: &[LocMention],
        after: &[&str],
        demonyms: &[DemonymMention],
        groups: &mut [Group],
    ) {
        let g = self.g;
        let site = article.site_country.and_then(|c| g.country_index(c));
        let speaking = article.language.map(|l| g.countries_speaking(l)).unwrap_or_default();
        let mut demonym_countries: Vec<u8> = Vec::new();
        for d in demonyms {
            if let Some(c) = g.country_index(d.country.country_code) {
                if !demonym_countries.contains(&c) {
                    demonym_countries.push(c);
                }
            }
        }
        // Qualifiers: a head's candidates inside a division or country named right after it win; so does the
        // qualifier's own candidate that holds one of the head's (when the qualifier was tagged as a mention too).
        let group_of = |i: usize, groups: &[Group]| groups.iter().position(|gr| gr.members.contains(&i));
        for h in 0..groups.len() {
            let head_is_region = groups[h]
                .candidates
                .first()
                .is_some_and(|c| matches!(c.code, FeatureCode::Pcli | FeatureCode::Adm1 | FeatureCode::Cont));
            if head_is_region {
                continue; // "Kenya, Uganda": a list of countries, not a qualified name
            }
            for mi in groups[h].members.clone() {
                let Some((q_start, containers)) = qualifier_after(g, after[mi], &mentions[mi]) else {
                    continue;
                };
                for c in &mut groups[h].candidates {
                    if containers.iter().any(|&k| contains(g, k, c)) {
                        c.fixed += QUALIFIER;
                    }
                }
                let q_mention = mentions
                    .iter()
                    .position(|m| m.field == mentions[mi].field && m.start == q_start);
                if let Some(q) = q_mention.and_then(|q| group_of(q, groups)).filter(|&q| q != h) {
                    let heads: Vec<PlaceIdx> = groups[h].candidates.iter().map(|c| c.place).collect();
                    let head_cands: Vec<&Candidate> = heads
                        .iter()
                        .filter_map(|p| groups[h].candidates.iter().find(|c| c.place == *p))
                        .collect();
                    let bonus: Vec<bool> = groups[q]
                        .candidates
                        .iter()
                        .map(|qc| head_cands.iter().any(|hc| contains(g, qc.place, hc)))
                        .collect();
                    for (qc, b) in groups[q].candidates.iter_mut().zip(bonus) {
                        if b {
                            qc.fixed += QUALIFIER;
                        }
                    }
                }
            }
        }
        for gr in groups.iter_mut() {
            for c in &mut gr.candidates {
                let cc = c.within.0;
                if cc == 0 {
                    continue;
                }
                if site == Some(cc) {
                    c.fixed += SITE_COUNTRY;
                }
                if speaking.contains(&cc) {
                    c.fixed += LANGUAGE;
                }
                if demonym_countries.contains(&cc) {
                    c.fixed += DEMONYM;
                }
            }
        }
    }
}

/// Words that, after a name, say it is a division ("Lagos State", "Punjab province").
const DESIGNATORS: &[&str] = &[
    "state",
    "province",
    "region",
    "county",
    "district",
    "prefecture",
    "governorate",
    "oblast",
    "department",
];

/// The mention's key, its candidates, and whether it ends in a designator: the surface as written, else without a
/// possessive, a designator ("Lagos State"), or a "City of" / "city" around it ("Gaza City" is GeoNames' "Gaza").
fn candidates_for(g: &Gazetteer, surface: &str) -> (String, Vec<crate::gazetteer::Hit>, bool) {
    let trimmed = surface.trim_end_matches("'s").trim_end_matches("’s");
    let k = key(trimmed);
    let hits = g.lookup_key(&k);
    if !hits.is_empty() {
        return (k, hits, false);
    }
    if let Some((head, last)) = k.rsplit_once(' ') {
        if DESIGNATORS.contains(&last) {
            let hits = g.lookup_key(head);
            if !hits.is_empty() {
                return (head.to_string(), hits, true);
            }
        }
    }
    for fallback in [k.strip_suffix(" city"), k.strip_prefix("city of ")]
        .into_iter()
        .flatten()
    {
        let hits = g.lookup_key(fallback);
        if !hits.is_empty() {
            return (k.clone(), hits, false);
        }
    }
    (k, Vec::new(), false)
}

/// Whether a designator follows the mention ("Washington state", "Punjab province"), given the text after it.
fn designator_after(rest: &str) -> bool {
    let Some(rest) = rest.strip_prefix(' ') else {
        return false;
    };
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphabetic())
        .collect::<String>()
        .to_lowercase();
    DESIGNATORS.contains(&word.as_str())
}

/// The text after each mention in its field (empty when its offsets fall outside the field), found in one pass over
/// each field rather than one per mention.
fn texts_after<'a>(article: &Article<'a>, mentions: &[LocMention]) -> Vec<&'a str> {
    let mut out = vec![""; mentions.len()];
    for field in [Field::Title, Field::Caption, Field::Text] {
        let text = article.field(field);
        let mut ends: Vec<(usize, usize)> = mentions
            .iter()
            .enumerate()
            .filter(|(_, m)| m.field == field)
            .map(|(i, m)| (m.end, i))
            .collect();
        if ends.is_empty() {
            continue;
        }
        ends.sort_unstable();
        let mut next = 0;
        for (ci, (bi, _)) in text
            .char_indices()
            .chain(std::iter::once((text.len(), ' ')))
            .enumerate()
        {
            while next < ends.len() && ends[next].0 == ci {
                out[ends[next].1] = &text[bi..];
                next += 1;
            }
            if next == ends.len() {
                break;
            }
        }
    }
    out
}

/// The divisions or countries named right after a mention, as in "Paris, Texas" or "Victoria (Australia)": the char
/// offset where the qualifier starts, and the entries its longest matching phrase (up to four capitalised words) names.
fn qualifier_after(g: &Gazetteer, rest: &str, m: &LocMention) -> Option<(usize, Vec<PlaceIdx>)> {
    let gap = if let Some(r) = rest.strip_prefix(',') {
        1 + r.len() - r.trim_start_matches(' ').len()
    } else if let Some(r) = rest.strip_prefix(" (").or_else(|| rest.strip_prefix('(')) {
        rest.len() - r.len()
    } else {
        return None;
    };
    let rest = &rest[gap..];
    if gap > 3 || !rest.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    // Up to four words, each capitalised; the phrase ends at punctuation other than an abbreviation's dots.
    let mut ends = Vec::new();
    let mut pos = 0;
    for word in rest.split(' ').take(4) {
        if !word.chars().next().is_some_and(char::is_uppercase) {
            break;
        }
        let clean = word.trim_end_matches([',', ')', ';', ':', '"', '”']);
        ends.push(pos + clean.len());
        pos += word.len() + 1;
        if clean.len() != word.len() {
            break;
        }
    }
    for &end in ends.iter().rev() {
        let phrase = &rest[..end];
        let containers: Vec<PlaceIdx> = g
            .lookup(phrase)
            .into_iter()
            .map(|h| h.place)
            .filter(|&p| matches!(g.code(p), FeatureCode::Pcli | FeatureCode::Adm1 | FeatureCode::Adm2))
            .collect();
        if !containers.is_empty() {
            return Some((m.end + gap, containers)); // the gap is ASCII: as many chars as bytes
        }
    }
    None
}

/// Whether the division or country `container` holds the candidate `c`.
fn contains(g: &Gazetteer, container: PlaceIdx, c: &Candidate) -> bool {
    if container == c.place {
        return false;
    }
    let (cc, a1, _) = g.within(container);
    match g.code(container) {
        FeatureCode::Pcli => c.within.0 == cc && c.code != FeatureCode::Pcli,
        FeatureCode::Adm1 => {
            c.within.0 == cc && c.within.1 == a1 && !matches!(c.code, FeatureCode::Pcli | FeatureCode::Adm1)
        }
        FeatureCode::Adm2 => c.within.2 == g.geonameid(container) && c.code.is_populated_place(),
        _ => false,
    }
}

/// What another mention's choice says about a candidate, by kind, so that each kind counts once however many
/// mentions show it (twenty American towns in an article say "United States" once, not twenty times).
#[derive(Debug, Default, Clone, Copy)]
struct Support {
    /// A country holding the candidate (or held by it), else another place in the same country.
    country: f64,
    /// A first-level division holding the candidate (or held by it), else another place in the same division.
    division: f64,
    /// Places near the candidate, summed over mentions (capped).
    nearness: f64,
}

impl Support {
    fn add(&mut self, c: &Candidate, p: &Candidate, weight: f64) {
        if c.place == p.place || c.within.0 == 0 || p.within.0 == 0 {
            return;
        }
        let local = |x: &Candidate| x.code.is_populated_place() || x.code == FeatureCode::Adm2;
        // 4 degrees of latitude is 445 km: farther apart than any nearness counts, without the trigonometry.
        if local(c) && local(p) && (c.point.0 - p.point.0).abs() < 4.0 {
            self.nearness += weight
                * match distance_km(c.point, p.point) {
                    d if d < 50.0 => 1.5,
                    d if d < 150.0 => 1.0,
                    d if d < 400.0 => 0.5,
                    _ => 0.0,
                };
        }
        if c.within.0 != p.within.0 {
            return; // across a border only nearness counts
        }
        let holds_country = c.code == FeatureCode::Pcli || p.code == FeatureCode::Pcli;
        self.country = self
            .country
            .max(weight * if holds_country { IN_COUNTRY } else { SAME_COUNTRY });
        if !holds_country && c.within.1 != 0 && c.within.1 == p.within.1 {
            let holds_division = c.code == FeatureCode::Adm1 || p.code == FeatureCode::Adm1;
            self.division = self
                .division
                .max(weight * if holds_division { IN_DIVISION } else { SAME_DIVISION });
        }
    }

    fn total(&self) -> f64 {
        self.country + self.division + self.nearness.min(NEARNESS_CAP)
    }
}

/// Picks the group's best candidate and its softmax share.
fn choose(gr: &mut Group) {
    let scores: Vec<f64> = gr
        .candidates
        .iter()
        .zip(&gr.context)
        .map(|(c, ctx)| c.prior + c.fixed + ctx)
        .collect();
    let Some((best, &top)) = scores
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
    else {
        gr.pick = None;
        return;
    };
    let total: f64 = scores.iter().map(|s| (s - top).exp()).sum();
    gr.pick = Some(best);
    gr.confidence = 1.0 / total;
}
