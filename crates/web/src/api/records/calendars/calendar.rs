//! Calendars: the caller's reach (every member's with `calendars.view_all`), changes to their own.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{CalendarList, CalendarPatch, CalendarView, NewCalendar};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CalendarListQuery {
    /// Only this member's calendars.
    pub owner_id: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// The calendars the caller reaches, by owner.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/calendars", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), CalendarListQuery),
    responses(
        (status = 200, body = CalendarList),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<CalendarListQuery>,
) -> ApiResult<Json<CalendarList>> {
    let owner = match q.owner_id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            uuid::Uuid::parse_str(s)
                .map_err(|_| roster_service::ServiceError::invalid("owner_id", "Use a member's user id."))?,
        ),
    };
    let list = state.service.calendars(&p, path_id(&account_id)?, owner, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(list))
}

/// A new calendar of the caller's own (their first is their default).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/calendars", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewCalendar,
    responses(
        (status = 201, body = CalendarView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<NewCalendar>,
) -> ApiResult<(StatusCode, Json<CalendarView>)> {
    let view = state.service.create_calendar(&p, path_id(&account_id)?, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/calendars/{calendar_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("calendar_id" = String, Path, description = "The calendar's id")),
    responses(
        (status = 200, body = CalendarView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, calendar_id)): Path<(String, String)>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(state.service.calendar(&p, path_id(&account_id)?, &calendar_id).await?))
}

/// Renames one of the caller's calendars (403 for another member's the caller only sees).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/calendars/{calendar_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("calendar_id" = String, Path, description = "The calendar's id")),
    request_body = CalendarPatch,
    responses(
        (status = 200, body = CalendarView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, calendar_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<CalendarPatch>,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(state.service.rename_calendar(&p, path_id(&account_id)?, &calendar_id, &patch, &meta).await?))
}

/// Deletes one of the caller's calendars with its events; a default calendar answers 409
/// `default_record`.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/calendars/{calendar_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("calendar_id" = String, Path, description = "The calendar's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, calendar_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_calendar(&p, path_id(&account_id)?, &calendar_id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
