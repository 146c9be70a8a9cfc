//! Accounts a person may open, a new account, one account, and the permission catalogue.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{AccountPage, AccountView, PermissionView};

use crate::AppState;
use crate::api::{CREATED, CreateAccountRequest, PageQuery, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The caller's accounts (every account, for an operator).
#[utoipa::path(get, path = "/api/v1/accounts", tag = "accounts", params(PageQuery), security(("bearer" = [])), responses(
    (status = 200, body = AccountPage),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<AccountPage>> {
    Ok(Json(state.service.list_accounts(&p, q.cursor.as_deref(), q.limit).await?))
}

/// Creates an account; the caller becomes its owner (R-AUTH-3, R-OWN-1).
#[utoipa::path(post, path = "/api/v1/accounts", tag = "accounts", request_body = CreateAccountRequest, security(("bearer" = [])), responses(
    (status = 201, body = AccountView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    ApiJson(req): ApiJson<CreateAccountRequest>,
) -> ApiResult<(StatusCode, Json<AccountView>)> {
    Ok((CREATED, Json(state.service.create_account(&p, &req.name, &meta).await?)))
}

/// One account's settings; another account's id answers 404 (R-PERM-3).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}", tag = "accounts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = AccountView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<AccountView>> {
    Ok(Json(state.service.get_account(&p, path_id(&account_id)?).await?))
}

/// The permission catalogue (PRODUCT.md §3).
#[utoipa::path(get, path = "/api/v1/permissions", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Vec<PermissionView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn permissions(State(state): State<AppState>, Auth(_p): Auth) -> Json<Vec<PermissionView>> {
    Json(state.service.permissions())
}
