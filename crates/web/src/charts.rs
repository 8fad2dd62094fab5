//! Charts drawn on the server as SVG: a sparkline for lists, bars for an entity's days. Only numbers and dates go
//! into the SVG; colours come from the stylesheet (classes), so the charts follow light and dark themes.

use gazette_store::DayCount;
use maud::{html, Markup};

use crate::layout::day;

/// A small line of mentions per day, for a list entry.
pub(crate) fn sparkline(daily: &[DayCount], name: &str) -> Markup {
    const W: f64 = 100.0;
    const H: f64 = 24.0;
    let peak = daily.iter().map(|d| d.mentions).max().unwrap_or(0).max(1) as f64;
    let step = if daily.len() > 1 {
        W / (daily.len() - 1) as f64
    } else {
        W
    };
    let points: Vec<String> = daily
        .iter()
        .enumerate()
        .map(|(i, d)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step,
                H - 1.0 - (H - 2.0) * d.mentions as f64 / peak
            )
        })
        .collect();
    let label = match (daily.first(), daily.last()) {
        (Some(a), Some(b)) => format!(
            "{name}: mentions per day from {} to {}, most {} on one day",
            day(a.day),
            day(b.day),
            peak as i64
        ),
        _ => format!("{name}: no days"),
    };
    html! {
        svg.spark viewBox={"0 0 " (W) " " (H)} width="100" height="24" role="img" aria-label=(label) {
            title { (label) }
            polyline points=(points.join(" ")) fill="none" stroke="currentColor" stroke-width="1.5"
                vector-effect="non-scaling-stroke";
        }
    }
}

/// Bars of mentions per day over a range, with the range and the peak written below it and the numbers in a table
/// for those who cannot see the chart.
pub(crate) fn bars(daily: &[DayCount], name: &str) -> Markup {
    const H: f64 = 120.0;
    let n = daily.len().max(1);
    let peak = daily.iter().map(|d| d.mentions).max().unwrap_or(0);
    let scale = H / peak.max(1) as f64;
    let label = format!("{name}: mentions per day, {} days, most {peak} on one day", daily.len());
    html! {
        figure.chart {
            svg.bars viewBox={"0 0 " (n) " " (H)} preserveAspectRatio="none" role="img" aria-label=(label) {
                title { (label) }
                @for (i, d) in daily.iter().enumerate() {
                    @if d.mentions > 0 {
                        rect x=(i) y=(format!("{:.2}", H - d.mentions as f64 * scale)) width="0.9"
                            height=(format!("{:.2}", d.mentions as f64 * scale)) {
                            title { (day(d.day)) ": " (d.mentions) " mentions in " (d.articles) " articles" }
                        }
                    }
                }
            }
            figcaption.axis {
                span { (daily.first().map(|d| day(d.day)).unwrap_or_default()) }
                span { "peak " (peak) " mentions/day" }
                span { (daily.last().map(|d| day(d.day)).unwrap_or_default()) }
            }
        }
        details.data {
            summary { "The numbers" }
            table {
                thead { tr { th scope="col" { "Day" } th scope="col" { "Mentions" } th scope="col" { "Articles" } } }
                tbody {
                    @for d in daily.iter().filter(|d| d.mentions > 0) {
                        tr { td { (day(d.day)) } td.num { (d.mentions) } td.num { (d.articles) } }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn days(counts: &[i64]) -> Vec<DayCount> {
        let first = NaiveDate::from_ymd_opt(2021, 12, 1).unwrap();
        counts
            .iter()
            .zip(first.iter_days())
            .map(|(&mentions, day)| DayCount {
                day,
                mentions,
                articles: mentions.min(1),
            })
            .collect()
    }

    #[test]
    fn sparkline_spans_the_box() {
        let svg = sparkline(&days(&[0, 4, 2]), "A <b>").into_string();
        assert!(svg.contains("points=\"0.0,23.0 50.0,1.0 100.0,12.0\""), "{svg}");
        assert!(
            svg.contains("A &lt;b&gt;: mentions per day from 2021-12-01 to 2021-12-03, most 4"),
            "{svg}"
        );
    }

    #[test]
    fn bars_only_for_days_with_mentions() {
        let svg = bars(&days(&[0, 3, 0, 6]), "X").into_string();
        assert_eq!(svg.matches("<rect").count(), 2, "{svg}");
        assert!(
            svg.contains("x=\"3\" y=\"0.00\" width=\"0.9\" height=\"120.00\""),
            "{svg}"
        );
        assert!(svg.contains("peak 6 mentions/day"));
    }
}
