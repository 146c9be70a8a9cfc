//! Time entries: the list, manual entries, one entry (R-TIME-1).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTimeEntry, TimeEntryPage, TimeEntryParams, TimeEntryPatch, TimeEntryView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The entries the caller sees (their own; with `projects.view_all` those on projects; an
/// admin's: all), newest first; filters `member`, `project`, `from`, `to` (days, UTC).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/time-entries", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), TimeEntryParams),
    responses(
        (status = 200, body = TimeEntryPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<TimeEntryParams>,
) -> ApiResult<Json<TimeEntryPage>> {
    Ok(Json(state.service.list_time_entries(&p, path_id(&account_id)?, &q).await?))
}

/// A manual entry of the caller's own time (`time.track`): a start and an end or minutes,
/// at most 24 hours.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/time-entries", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewTimeEntry,
    responses(
        (status = 201, body = TimeEntryView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewTimeEntry>,
) -> ApiResult<(StatusCode, Json<TimeEntryView>)> {
    Ok((CREATED, Json(state.service.create_time_entry(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One entry the caller sees.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/time-entries/{entry_id}", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("entry_id" = String, Path, description = "The entry's id")),
    responses(
        (status = 200, body = TimeEntryView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, entry_id)): Path<(String, String)>,
) -> ApiResult<Json<TimeEntryView>> {
    Ok(Json(state.service.time_entry(&p, path_id(&account_id)?, path_id(&entry_id)?).await?))
}

/// Changes an entry (its author, or an admin).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/time-entries/{entry_id}", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("entry_id" = String, Path, description = "The entry's id")),
    request_body = TimeEntryPatch,
    responses(
        (status = 200, body = TimeEntryView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, entry_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<TimeEntryPatch>,
) -> ApiResult<Json<TimeEntryView>> {
    Ok(Json(state.service.update_time_entry(&p, path_id(&account_id)?, path_id(&entry_id)?, &req, &meta).await?))
}

/// Deletes an entry (its author, or an admin).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/time-entries/{entry_id}", tag = "time", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("entry_id" = String, Path, description = "The entry's id")),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, entry_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_time_entry(&p, path_id(&account_id)?, path_id(&entry_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
