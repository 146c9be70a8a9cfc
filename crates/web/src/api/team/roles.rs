//! Roles of an account: the built-in ones and the account's custom roles (R-ROLE-1).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewRole, RoleList, RolePatch, RoleView};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The built-in roles (read-only) and the account's custom roles with how many members hold
/// each; needs `users.view` or `roles.manage`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/roles", tag = "roles", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = RoleList),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<RoleList>> {
    Ok(Json(state.service.roles(&p, path_id(&account_id)?).await?))
}

/// Creates a custom role (`roles.manage`); its permissions must all be the caller's own (R-PERM-1).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/roles", tag = "roles", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewRole,
    responses(
        (status = 201, body = RoleView),
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
    ApiJson(input): ApiJson<NewRole>,
) -> ApiResult<(StatusCode, Json<RoleView>)> {
    let role = state.service.create_role(&p, path_id(&account_id)?, &input, &meta).await?;
    Ok((StatusCode::CREATED, Json(role)))
}

/// Renames or re-lists a custom role; every member holding it follows at once. Never a role the
/// caller holds, never more than the caller holds; built-in roles answer 409.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/roles/{role_id}", tag = "roles", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("role_id" = String, Path, description = "The custom role's id")),
    request_body = RolePatch,
    responses(
        (status = 200, body = RoleView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, role_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<RolePatch>,
) -> ApiResult<Json<RoleView>> {
    Ok(Json(state.service.update_role(&p, path_id(&account_id)?, &role_id, &patch, &meta).await?))
}

/// Deletes a custom role nobody holds (409 `role_in_use` otherwise).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/roles/{role_id}", tag = "roles", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("role_id" = String, Path, description = "The custom role's id")),
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
    Path((account_id, role_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_role(&p, path_id(&account_id)?, &role_id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
