//! The report page: the table by the chosen groups, totals, and a bar chart of hours per week
//! drawn on the server as SVG (no JavaScript; each bar has its hours as text and a title).
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::IntoResponse;
use roster_core::FieldErrors;
use roster_service::{ServiceError, TimeReport, TimeReportParams, hours, report_csv};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;

/// One bar of the chart, in SVG units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub height: i64,
    pub label: String,
    pub hours: String,
}

pub const CHART_HEIGHT: i64 = 160;
const BAR_STEP: i64 = 56;

#[derive(Template, WebTemplate)]
#[template(path = "records/time/report.html")]
pub struct ReportPage {
    nav: Nav,
    account_id: Uuid,
    query: ReportQuery,
    report: Option<TimeReport>,
    total: String,
    bars: Vec<Bar>,
    chart_width: i64,
    errors: FieldErrors,
    /// The query string of the CSV link.
    csv_query: String,
}

impl ReportPage {
    fn by(&self, g: &str) -> bool {
        self.report.as_ref().is_some_and(|r| r.group.iter().any(|x| x == g))
    }
    pub fn by_member(&self) -> bool {
        self.by("member")
    }
    pub fn by_project(&self) -> bool {
        self.by("project")
    }
    pub fn by_week(&self) -> bool {
        self.by("week")
    }
    pub fn hours_of(&self, seconds: &i64) -> String {
        hours(*seconds)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ReportQuery {
    from: String,
    to: String,
    /// `member,project,week` or any part of it.
    group: String,
}

impl ReportQuery {
    fn params(&self) -> TimeReportParams {
        let some = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        TimeReportParams {
            from: some(&self.from),
            to: some(&self.to),
            group: some(&self.group),
            member: None,
            project: None,
        }
    }
}

/// The bars for each week's total (the tallest is [`CHART_HEIGHT`] high).
pub fn bars(report: &TimeReport) -> (Vec<Bar>, i64) {
    let max = report.weeks.iter().map(|w| w.seconds).max().unwrap_or(0).max(1);
    let bars: Vec<Bar> = report
        .weeks
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let height = w.seconds * CHART_HEIGHT / max;
            Bar {
                x: 8 + i64::try_from(i).unwrap_or(0) * BAR_STEP,
                y: 20 + CHART_HEIGHT - height,
                height,
                label: w.week.get(5..).unwrap_or(&w.week).to_owned(),
                hours: hours(w.seconds),
            }
        })
        .collect();
    let width = 16 + i64::try_from(bars.len()).unwrap_or(0) * BAR_STEP;
    (bars, width)
}

pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let csv_query = serde_urlencoded::to_string([
        ("from", query.from.as_str()),
        ("to", query.to.as_str()),
        ("group", query.group.as_str()),
    ])
    .unwrap_or_default();
    let (report, errors, status) = match state.service.time_report(&user.0, account_id, &query.params()).await {
        Ok(r) => (Some(r), FieldErrors::new(), axum::http::StatusCode::OK),
        Err(ServiceError::Invalid(errors)) => (None, errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY),
        Err(e) => return Err(fail(&user)(e)),
    };
    let (bars, chart_width) = report.as_ref().map(bars).unwrap_or_default();
    let total = report.as_ref().map(|r| hours(r.total_seconds)).unwrap_or_default();
    let page = ReportPage { nav, account_id, query, report, total, bars, chart_width, errors, csv_query };
    Ok((status, page).into_response())
}

/// `GET …/time/report.csv`: the same report as CSV, cells formula-neutralised.
pub async fn csv(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(query): Query<ReportQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let report = state.service.time_report(&user.0, account_id, &query.params()).await.map_err(fail(&user))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"time-report.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        report_csv(&report),
    )
        .into_response())
}
