//! The time report and its CSV (R-TIME-1): stopped time by member × project × ISO week (UTC).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use roster_service::{TimeReport, TimeReportParams};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth};

/// Totals within `from`..`to` (days, UTC, both included) grouped by `group` (any of `member`,
/// `project`, `week`), over the entries the caller sees, with every week's total.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/time-report", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), TimeReportParams),
    responses(
        (status = 200, body = TimeReport),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn report(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<TimeReportParams>,
) -> ApiResult<Json<TimeReport>> {
    Ok(Json(state.service.time_report(&p, path_id(&account_id)?, &q).await?))
}

/// The report as CSV (the grouped columns, hours, entries, then a total line); cells a
/// spreadsheet would run as a formula begin with `'`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/time-report.csv", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), TimeReportParams),
    responses(
        (status = 200, description = "CSV: member_id, member, project_id, project, week (as grouped), hours, entries", content_type = "text/csv"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn csv(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<TimeReportParams>,
) -> ApiResult<Response> {
    let body = state.service.time_report_csv(&p, path_id(&account_id)?, &q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"time-report.csv\""),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
