//! The account's tags (shared by contacts and projects).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTag, TagView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Every tag of the account, by name (any active member).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/tags", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = Vec<TagView>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Vec<TagView>>> {
    Ok(Json(state.service.tags(&p, path_id(&account_id)?).await?))
}

/// Adds a tag (`projects.manage` or `contacts.edit`); a name taken in any case answers 409
/// `tag_name_taken`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/tags", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewTag,
    responses(
        (status = 201, body = TagView),
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
    ApiJson(req): ApiJson<NewTag>,
) -> ApiResult<(StatusCode, Json<TagView>)> {
    Ok((CREATED, Json(state.service.create_tag(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// Deletes a tag: it leaves every contact and project.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/tags/{tag_id}", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("tag_id" = String, Path, description = "The tag's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, tag_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_tag(&p, path_id(&account_id)?, path_id(&tag_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
