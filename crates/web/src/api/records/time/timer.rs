//! The caller's one running timer (`time.track`).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{CurrentTimer, StartTimer, TimeEntryView, TimerStarted};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The caller's running timer, or `null`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/timers/current", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = CurrentTimer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn current(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<CurrentTimer>> {
    Ok(Json(state.service.current_timer(&p, path_id(&account_id)?).await?))
}

/// Starts the caller's timer now. While one runs: 409 `timer_running` naming it, unless
/// `switch` is true (the running one stops and the new one starts in one transaction).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/timers/start", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = StartTimer,
    responses(
        (status = 200, body = TimerStarted),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn start(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<StartTimer>,
) -> ApiResult<Json<TimerStarted>> {
    Ok(Json(state.service.start_timer(&p, path_id(&account_id)?, &req, &meta).await?))
}

/// Stops the caller's running timer now: the finished entry (404 when none runs).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/timers/stop", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = TimeEntryView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn stop(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<TimeEntryView>> {
    Ok(Json(state.service.stop_timer(&p, path_id(&account_id)?, &meta).await?))
}
