//! Saved contact filters (R-CON-2): the caller's own; writes need `filters.save`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::contacts::{FilterInput, SavedFilterView};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The caller's saved filters.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/filters", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = Vec<SavedFilterView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Vec<SavedFilterView>>> {
    Ok(Json(state.service.saved_filters(&p, path_id(&account_id)?).await?))
}

/// Saves a filter: `name` and `query` (`type, stage, tag, assigned_to, q, hidden`).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/filters", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = FilterInput,
    responses(
        (status = 201, body = SavedFilterView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(input): ApiJson<FilterInput>,
) -> ApiResult<(StatusCode, Json<SavedFilterView>)> {
    let f = state.service.create_saved_filter(&p, path_id(&account_id)?, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// One of the caller's saved filters.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/filters/{filter_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("filter_id" = String, Path, description = "The filter's id")),
    responses(
        (status = 200, body = SavedFilterView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, filter_id)): Path<(String, String)>,
) -> ApiResult<Json<SavedFilterView>> {
    Ok(Json(state.service.saved_filter(&p, path_id(&account_id)?, path_id(&filter_id)?).await?))
}

/// Renames a saved filter or changes its query.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/filters/{filter_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("filter_id" = String, Path, description = "The filter's id")),
    request_body = FilterInput,
    responses(
        (status = 200, body = SavedFilterView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, filter_id)): Path<(String, String)>,
    ApiJson(input): ApiJson<FilterInput>,
) -> ApiResult<Json<SavedFilterView>> {
    Ok(Json(state.service.update_saved_filter(&p, path_id(&account_id)?, path_id(&filter_id)?, &input, &meta).await?))
}

/// Deletes one of the caller's saved filters.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/filters/{filter_id}", tag = "contacts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("filter_id" = String, Path, description = "The filter's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, filter_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_saved_filter(&p, path_id(&account_id)?, path_id(&filter_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
