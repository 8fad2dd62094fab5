//! `/exports`: every report of `gazette export`, downloadable as the same CSV (the store's [`ExportCsv`], so the
//! bytes are the same), with the same filters: `/exports/{report}.csv?since=&until=&feed=&type=&limit=&by=`.

use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use gazette_store::reports::{since_bound, until_bound};
use gazette_store::{ExportCsv, FeedId, Filters, Report};
use maud::html;

use crate::body::channel;
use crate::error::WebError;
use crate::layout::{page, Nav};
use crate::params::Params;
use crate::App;

pub(crate) async fn html() -> Response {
    let body = html! {
        h1 { "Exports" }
        p { "Each report of " code { "gazette export" } ", as the same CSV. Cells a spreadsheet would run as formulas start with a quote." }
        ul.reports {
            @for r in Report::ALL {
                li { a href={"/exports/" (r.name()) ".csv"} download { (r.name()) ".csv" } " " span.meta { (r.description()) } }
            }
        }
        h2 { "With filters" }
        form.export action="/exports/csv" method="get" {
            div.field {
                label for="report" { "Report" }
                select #report name="report" {
                    @for r in Report::ALL { option value=(r.name()) { (r.name()) } }
                }
            }
            div.field { label for="since" { "From" } input #since type="date" name="since"; }
            div.field { label for="until" { "Until" } input #until type="date" name="until"; }
            div.field { label for="feed" { "Feed id" } input #feed type="number" min="1" name="feed"; }
            div.field {
                label for="type" { "Entity type" }
                select #type name="type" {
                    option value="" { "any" }
                    @for t in gazette_store::EntityType::ALL { option value=(t.label()) { (t.label()) } }
                }
            }
            div.field {
                label for="by" { "Count" }
                select #by name="by" {
                    option value="article" { "articles" }
                    option value="story" { "stories (entities, timeline)" }
                }
            }
            div.field { label for="limit" { "Rows at most" } input #limit type="number" min="1" name="limit"; }
            div.actions { button type="submit" { "Download CSV" } }
        }
    };
    super::html(Ok(()), |_| page("Exports", Nav::Exports, body))
}

/// The report and filters of a download, checked as `gazette export` checks them.
fn filters(file: &str, query: Option<&str>) -> Result<(Report, Filters), WebError> {
    let params = Params::parse(query);
    let name = match file.strip_suffix(".csv") {
        Some(name) => name,
        None if file == "csv" => params
            .text("report")
            .ok_or_else(|| WebError::BadRequest("report: which report?".into()))?,
        None => return Err(WebError::NotFound(format!("no export {file:?}: the files end in .csv"))),
    };
    let report: Report = name.parse().map_err(|e: String| WebError::NotFound(e))?;
    let bad = |name: &'static str| move |e: String| WebError::BadRequest(format!("{name}: {e}"));
    let filters = Filters {
        since: params
            .text("since")
            .map(since_bound)
            .transpose()
            .map_err(bad("since"))?,
        until: params
            .text("until")
            .map(until_bound)
            .transpose()
            .map_err(bad("until"))?,
        feed: params.number("feed", 1)?.map(FeedId),
        entity_type: params.text("type").map(str::to_uppercase),
        limit: params.number("limit", 0)?,
        by: params
            .text("by")
            .map(str::parse)
            .transpose()
            .map_err(bad("by"))?
            .unwrap_or_default(),
    };
    if let Some(why) = report.check(&filters) {
        return Err(WebError::BadRequest(why));
    }
    Ok((report, filters))
}

pub(crate) async fn csv(State(app): State<App>, Path(file): Path<String>, RawQuery(q): RawQuery) -> Response {
    let (report, filters) = match filters(&file, q.as_deref()) {
        Ok(f) => f,
        Err(e) => return super::error_page(&e),
    };
    let (writer, body) = channel();
    let pool = app.pool.clone();
    tokio::spawn(async move {
        let done = pool
            .read(move |archive| {
                let mut sink = ExportCsv::new(writer, false);
                match archive.report(report, &filters, &mut sink) {
                    Ok(_) => {
                        let _ = sink.finish().and_then(|mut w| std::io::Write::flush(&mut w));
                    }
                    Err(e) => {
                        tracing::warn!(report = report.name(), error = %e, "export stopped");
                        if let Ok(w) = sink.finish() {
                            w.fail(std::io::Error::other(e.to_string()));
                        }
                    }
                }
                Ok(())
            })
            .await;
        if let Err(e) = done {
            tracing::warn!(error = e.message(), "export could not start");
        }
    });
    let mut res = Body::new(body).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}.csv\"", report.name())) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}
