//! Events: a range of the reachable calendars; changes in the caller's own calendars.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{EventInput, EventList, EventListParams, EventView};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventListQuery {
    /// Start of the range: a date (`YYYY-MM-DD`, UTC) or an RFC 3339 time; default today.
    pub from: Option<String>,
    /// End of the range (excluded); default 31 days after `from`.
    pub to: Option<String>,
    /// Only this calendar's events.
    pub calendar_id: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

/// The events overlapping `[from, to)` in the calendars the caller reaches, by start.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/events", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), EventListQuery),
    responses(
        (status = 200, body = EventList),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<EventListQuery>,
) -> ApiResult<Json<EventList>> {
    let params =
        EventListParams { from: q.from, to: q.to, calendar_id: q.calendar_id, cursor: q.cursor, limit: q.limit };
    Ok(Json(state.service.events(&p, path_id(&account_id)?, &params).await?))
}

/// A new event in one of the caller's calendars (their default one when `calendar_id` is absent).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/events", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = EventInput,
    responses(
        (status = 201, body = EventView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<(StatusCode, Json<EventView>)> {
    let view = state.service.create_event(&p, path_id(&account_id)?, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/events/{event_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("event_id" = String, Path, description = "The event's id")),
    responses(
        (status = 200, body = EventView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, event_id)): Path<(String, String)>,
) -> ApiResult<Json<EventView>> {
    Ok(Json(state.service.event(&p, path_id(&account_id)?, &event_id).await?))
}

/// Changes an event of the caller's own calendars; absent fields stay, `null` clears a link.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/events/{event_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("event_id" = String, Path, description = "The event's id")),
    request_body = EventInput,
    responses(
        (status = 200, body = EventView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, event_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<EventInput>,
) -> ApiResult<Json<EventView>> {
    Ok(Json(state.service.update_event(&p, path_id(&account_id)?, &event_id, &input, &meta).await?))
}

#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/events/{event_id}", tag = "calendars", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("event_id" = String, Path, description = "The event's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, event_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_event(&p, path_id(&account_id)?, &event_id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
