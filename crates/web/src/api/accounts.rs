use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{AccountPage, AccountView, MemberPage, PermissionView};

use super::{CREATED, CreateAccountRequest, PageQuery, SizedJson, path_id};
use crate::AppState;
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

/// The account's members (R-LIST-1): search, role and status filters, five sorts, keyset pages
/// (`next_cursor` belongs to the sort it came from). Needs `users.view`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/users", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), super::member_list::MemberListQuery),
    responses(
        (status = 200, body = MemberPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn users(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<super::member_list::MemberListQuery>,
) -> ApiResult<SizedJson<MemberPage>> {
    let account_id = path_id(&account_id)?;
    let page = state.service.search_members(&p, account_id, &q.into()).await?;
    let size = 256 + page.items.len() * 768;
    Ok(SizedJson(page, size))
}

/// The permission catalogue (PRODUCT.md §3).
#[utoipa::path(get, path = "/api/v1/permissions", tag = "accounts", security(("bearer" = [])), responses(
    (status = 200, body = Vec<PermissionView>),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn permissions(State(state): State<AppState>, Auth(_p): Auth) -> Json<Vec<PermissionView>> {
    Json(state.service.permissions())
}
