//! Maps drawn on the server as SVG, from a world outline compiled into the binary: Natural Earth's 1:110m countries
//! (public domain; `data/world.tsv`, derived by `tools/world-map/derive.py`) in the Equal Earth projection, which
//! keeps areas true, so that no country looks bigger in the news than it is.
//!
//! - [`WORLD_SVG`]: every country in one grey path, served once as `/static/world.svg` and cached by the browser.
//! - [`locator`]: that outline as the background of a view framed on a country or a set of places, the country
//!   filled, the places as dots (an entity's places, a country's page).
//! - [`choropleth`]: every country inline, shaded by its mentions, each a link to its page (the countries page).
//!
//! Only numbers, country codes and escaped names go into the SVG; colours come from the stylesheet (classes).

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

use maud::{html, Markup};

/// The world outline: `CODE<TAB>RING;RING...`, a ring `lon,lat lon,lat ...` in tenths of a degree.
const WORLD_TSV: &str = include_str!("../data/world.tsv");

/// The map's width in its own units; the height follows from the projection and [`NORTH`], [`SOUTH`].
const WIDTH: f64 = 1000.0;
/// The latitudes the map spans (Antarctica is not drawn; the Arctic coast of Greenland is at 83.6°N).
const NORTH: f64 = 84.0;
const SOUTH: f64 = -57.0;

/// Equal Earth (Šavrič, Patterson and Jenny, 2018): longitude and latitude in degrees to the projection's plane,
/// x east and y north, in units of the earth's radius.
fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    const A1: f64 = 1.340264;
    const A2: f64 = -0.081106;
    const A3: f64 = 0.000893;
    const A4: f64 = 0.003796;
    let m = 3f64.sqrt() / 2.0;
    let theta = (m * lat.to_radians().sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lon.to_radians() * theta.cos() / (m * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// The projection's half width (at the equator, longitude 180°), in units of the earth's radius.
static HALF_WIDTH: LazyLock<f64> = LazyLock::new(|| equal_earth(180.0, 0.0).0);
static TOP: LazyLock<f64> = LazyLock::new(|| equal_earth(0.0, NORTH).1);
/// The map's height in its own units.
static HEIGHT: LazyLock<f64> = LazyLock::new(|| (*TOP - equal_earth(0.0, SOUTH).1) * scale());

fn scale() -> f64 {
    WIDTH / (2.0 * *HALF_WIDTH)
}

/// A point on the map (x right, y down, in the map's units), from degrees.
pub(crate) fn project(lon: f64, lat: f64) -> (f64, f64) {
    let (x, y) = equal_earth(lon.clamp(-180.0, 180.0), lat.clamp(-90.0, 90.0));
    ((x + *HALF_WIDTH) * scale(), (*TOP - y) * scale())
}

/// A country of the outline: its SVG path (map units) and its bounding box.
struct Country {
    path: String,
    bounds: Bounds,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Bounds {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Bounds {
    fn of(x: f64, y: f64) -> Bounds {
        Bounds {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        }
    }

    fn add(self, o: Bounds) -> Bounds {
        Bounds {
            x0: self.x0.min(o.x0),
            y0: self.y0.min(o.y0),
            x1: self.x1.max(o.x1),
            y1: self.y1.max(o.y1),
        }
    }
}

static COUNTRIES: LazyLock<HashMap<&'static str, Country>> = LazyLock::new(|| {
    WORLD_TSV
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|line| {
            let (code, rings) = line.split_once('\t')?;
            let rings: Vec<Vec<(f64, f64)>> = rings
                .split(';')
                .map(|ring| {
                    ring.split(' ')
                        .map(|point| {
                            let (lon, lat) = point.split_once(',')?;
                            Some((lon.parse::<f64>().ok()? / 10.0, lat.parse::<f64>().ok()? / 10.0))
                        })
                        .collect::<Option<Vec<_>>>()
                })
                .collect::<Option<_>>()?;
            // Russia and Fiji reach across the antimeridian: their pieces west of it (Chukotka's tip, an islet) are
            // drawn at the map's far left, and a frame around both sides would be the whole world's width.
            let reaches_east = rings.iter().flatten().any(|p| p.0 > 160.0);
            let framed = |ring: &&Vec<(f64, f64)>| !(reaches_east && ring.iter().all(|p| p.0 < -160.0));
            let mut bounds: Option<Bounds> = None;
            for (x, y) in rings.iter().filter(framed).flatten().map(|p| project(p.0, p.1)) {
                bounds = Some(bounds.map_or(Bounds::of(x, y), |b| b.add(Bounds::of(x, y))));
            }
            let mut path = String::new();
            for ring in &rings {
                // Rounded to a tenth of a map unit, written as moves relative to the previous point: a third of
                // the bytes of absolute coordinates.
                let mut last: Option<(i64, i64)> = None;
                for &(lon, lat) in ring {
                    let (x, y) = project(lon, lat);
                    let p = ((x * 10.0).round() as i64, (y * 10.0).round() as i64);
                    match last {
                        None => {
                            let _ = write!(path, "M{} {}l", tenths(p.0), tenths(p.1));
                        }
                        Some(l) if l != p => {
                            let _ = write!(path, "{} {} ", tenths(p.0 - l.0), tenths(p.1 - l.1));
                        }
                        Some(_) => continue,
                    }
                    last = Some(p);
                }
                path = path.trim_end().to_string();
                path.push('z');
            }
            Some((code, Country { path, bounds: bounds? }))
        })
        .collect()
});

/// A number of tenths as a decimal: `123` -> `12.3`, `-5` -> `-0.5`, `40` -> `4`.
fn tenths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.abs();
    if v % 10 == 0 {
        format!("{sign}{}", v / 10)
    } else {
        format!("{sign}{}.{}", v / 10, v % 10)
    }
}

fn view_box(b: Bounds) -> String {
    format!("{:.1} {:.1} {:.1} {:.1}", b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0)
}

fn whole_world() -> Bounds {
    Bounds {
        x0: 0.0,
        y0: 0.0,
        x1: WIDTH,
        y1: *HEIGHT,
    }
}

/// The world outline as a standalone SVG file (`/static/world.svg`).
pub(crate) static WORLD_SVG: LazyLock<String> = LazyLock::new(|| {
    let mut codes: Vec<&&str> = COUNTRIES.keys().collect();
    codes.sort();
    let mut d = String::new();
    for code in codes {
        d.push_str(&COUNTRIES[*code].path);
    }
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{}\"><title>World (Natural Earth)</title>\
         <path fill=\"#8a8f98\" fill-opacity=\"0.35\" stroke=\"#8a8f98\" stroke-opacity=\"0.8\" stroke-width=\"0.4\" \
         stroke-linejoin=\"round\" fill-rule=\"evenodd\" d=\"{d}\"/></svg>",
        view_box(whole_world())
    )
});

/// A place to mark: where, its label (text from the archive: escaped when drawn), and its weight in `0..=1`.
pub(crate) struct Dot {
    pub lon: f64,
    pub lat: f64,
    pub label: String,
    pub weight: f64,
}

/// The smallest part of the world a locator shows (a city alone would otherwise fill the frame), as a share of
/// the map's width; and the frame's width to height.
const MIN_SPAN: f64 = 0.12;
const ASPECT: f64 = 2.0;

/// A map framed on `country` (filled) and `dots`, over the world outline.
pub(crate) fn locator(country: Option<&str>, dots: &[Dot], label: &str) -> Markup {
    let shape = country.and_then(|c| COUNTRIES.get(c));
    let points: Vec<(f64, f64, &Dot)> = dots
        .iter()
        .map(|d| {
            let (x, y) = project(d.lon, d.lat);
            (x, y, d)
        })
        .collect();
    let frame = frame(shape.map(|s| s.bounds), &points);
    let r = (frame.x1 - frame.x0) * 0.012;
    html! {
        figure.map {
            svg.map viewBox=(view_box(frame)) role="img" aria-label=(label) {
                title { (label) }
                image href="/static/world.svg" x="0" y="0" width=(WIDTH) height=(format!("{:.1}", *HEIGHT)) {}
                @if let Some(s) = shape {
                    path.country fill-rule="evenodd" d=(s.path) {}
                }
                @for (x, y, d) in &points {
                    circle.dot cx=(format!("{x:.1}")) cy=(format!("{y:.1}"))
                        r=(format!("{:.2}", r * (0.6 + 0.8 * d.weight.clamp(0.0, 1.0).sqrt()))) {
                        title { (d.label) }
                    }
                }
            }
            figcaption.credit { "Map: Natural Earth. Place data: GeoNames, CC BY 4.0." }
        }
    }
}

/// The frame around a country and points: padded, at least [`MIN_SPAN`] of the world wide, [`ASPECT`] wide to
/// high, inside the map.
fn frame(country: Option<Bounds>, points: &[(f64, f64, &Dot)]) -> Bounds {
    let all = points
        .iter()
        .map(|(x, y, _)| Bounds::of(*x, *y))
        .chain(country)
        .reduce(Bounds::add);
    let Some(b) = all else {
        return whole_world();
    };
    let (cx, cy) = ((b.x0 + b.x1) / 2.0, (b.y0 + b.y1) / 2.0);
    let mut w = ((b.x1 - b.x0) * 1.25).max(WIDTH * MIN_SPAN);
    let mut h = (b.y1 - b.y0) * 1.25;
    if w / h < ASPECT {
        w = h * ASPECT;
    } else {
        h = w / ASPECT;
    }
    let (w, h) = (w.min(WIDTH), h.min(*HEIGHT));
    let x0 = (cx - w / 2.0).clamp(0.0, WIDTH - w);
    let y0 = (cy - h / 2.0).clamp(0.0, *HEIGHT - h);
    Bounds {
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + h,
    }
}

/// Shades in a choropleth, besides "none".
const SHADES: usize = 5;

/// The world with each country shaded by its count (`counts`: code, name for people, count), each country a link
/// to `href(code)`. Shades step by powers of the largest count's fifth root, so that a country named once and one
/// named a thousand times both read.
pub(crate) fn choropleth(counts: &[(String, String, i64)], href: impl Fn(&str) -> String, label: &str) -> Markup {
    let peak = counts.iter().map(|c| c.2).max().unwrap_or(0).max(1) as f64;
    let shade = |n: i64| -> usize {
        if n <= 0 {
            0
        } else {
            (((n as f64).ln() / peak.ln().max(f64::EPSILON) * SHADES as f64).ceil() as usize).clamp(1, SHADES)
        }
    };
    let by_code: HashMap<&str, &(String, String, i64)> = counts.iter().map(|c| (c.0.as_str(), c)).collect();
    let mut codes: Vec<&&str> = COUNTRIES.keys().collect();
    codes.sort();
    html! {
        figure.map {
            svg.map.world viewBox=(view_box(whole_world())) role="img" aria-label=(label) {
                title { (label) }
                @for code in codes {
                    @let shape = &COUNTRIES[*code];
                    @match by_code.get(*code) {
                        Some((code, name, n)) => {
                            a href=(href(code)) {
                                path class={"c" (shade(*n))} fill-rule="evenodd" d=(shape.path) {
                                    title { (name) ": " (n) " mentions" }
                                }
                            }
                        }
                        None => { path.c0 fill-rule="evenodd" d=(shape.path) {} }
                    }
                }
            }
            figcaption.credit {
                "Darker: more mentions, in steps on a log scale. Map: Natural Earth. Place data: GeoNames, CC BY 4.0."
            }
        }
    }
}

/// Whether the outline has this country (small islands and city states are not drawn at 1:110m).
pub(crate) fn has_outline(code: &str) -> bool {
    COUNTRIES.contains_key(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn projection_is_equal_earth() {
        // Reference values of the projection (d3-geo's geoEqualEarth, unit scale): the corner of the map and a point.
        let (x, y) = equal_earth(180.0, 0.0);
        assert!((x - 2.7066).abs() < 1e-4 && y.abs() < 1e-12, "{x} {y}");
        let (_, top) = equal_earth(0.0, 90.0);
        assert!((top - 1.3173).abs() < 1e-4, "{top}");
        let (x, y) = project(0.0, 0.0);
        assert!((x - WIDTH / 2.0).abs() < 1e-9 && (y - (*TOP) * scale()).abs() < 1e-9);
    }

    #[test]
    fn the_outline_has_the_countries_of_the_news() {
        for code in [
            "US", "GB", "FR", "DE", "RU", "CN", "IN", "BR", "UA", "KE", "NG", "AU", "XK",
        ] {
            assert!(has_outline(code), "{code}");
        }
        assert!(!has_outline("AQ"), "Antarctica is left out");
        // France's frame holds Paris (2.35 E, 48.86 N) and not New York.
        let fr = COUNTRIES["FR"].bounds;
        let (px, py) = project(2.35, 48.86);
        assert!(fr.x0 < px && px < fr.x1 && fr.y0 < py && py < fr.y1);
        let (nx, _) = project(-74.0, 40.7);
        assert!(nx < fr.x0);
        assert!(
            WORLD_SVG.starts_with("<svg") && WORLD_SVG.len() < 200_000,
            "{}",
            WORLD_SVG.len()
        );
    }

    #[test]
    fn a_country_across_the_antimeridian_is_framed_on_its_main_side() {
        for code in ["RU", "FJ"] {
            let b = COUNTRIES[code].bounds;
            assert!(b.x1 - b.x0 < WIDTH / 2.0 && b.x0 > WIDTH / 2.0, "{code}: {b:?}");
        }
    }

    #[test]
    fn paths_are_relative_moves() {
        assert_eq!(tenths(123), "12.3");
        assert_eq!(tenths(-5), "-0.5");
        assert_eq!(tenths(40), "4");
        let path = &COUNTRIES["FR"].path;
        assert!(
            path.starts_with('M') && path.ends_with('z') && path.contains('l'),
            "{path}"
        );
    }

    #[test]
    fn a_locator_frames_its_country_and_escapes_labels() {
        let dots = [Dot {
            lon: 2.35,
            lat: 48.86,
            label: "Paris <script>".into(),
            weight: 1.0,
        }];
        let svg = locator(Some("FR"), &dots, "France & Paris").into_string();
        assert!(
            svg.contains("Paris &lt;script&gt;") && !svg.contains("<script>"),
            "{svg}"
        );
        assert!(svg.contains("class=\"country\""), "{svg}");
        let vb = svg.split("viewBox=\"").nth(1).unwrap().split('"').next().unwrap();
        let w: f64 = vb.split(' ').nth(2).unwrap().parse().unwrap();
        assert!(w < WIDTH / 2.0, "framed on France, not the world: {vb}");
        // Nothing to frame: the whole world.
        let svg = locator(None, &[], "nowhere").into_string();
        assert!(
            svg.contains(&format!("viewBox=\"{}\"", view_box(whole_world()))),
            "{svg}"
        );
    }

    #[test]
    fn choropleth_shades_by_log_of_mentions_and_links_countries() {
        let counts = vec![
            ("US".to_string(), "United States".to_string(), 1000),
            ("KE".to_string(), "Kenya <b>".to_string(), 1),
        ];
        let svg = choropleth(&counts, |c| format!("/countries/{c}"), "World").into_string();
        assert!(svg.contains("href=\"/countries/US\""));
        assert!(svg.contains("class=\"c5\""), "the peak is darkest");
        assert!(svg.contains("class=\"c1\""), "one mention is the lightest shade");
        assert!(svg.contains("Kenya &lt;b&gt;: 1 mentions"));
        assert!(
            svg.matches("class=\"c0\"").count() > 150,
            "unnamed countries are drawn unshaded"
        );
    }
}
