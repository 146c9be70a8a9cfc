//! A member's status (R-DIS-1, R-ARC-1, R-ARC-2) and the account's ownership (R-OWN-3).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{AccountView, Lifecycle, MemberView};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::path_id;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

async fn change(
    state: &AppState,
    p: &roster_service::Principal,
    meta: &roster_service::Meta,
    (account_id, user_id): (String, String),
    change: Lifecycle,
) -> ApiResult<Json<MemberView>> {
    let view = state.service.change_member_status(p, path_id(&account_id)?, path_id(&user_id)?, change, meta).await?;
    Ok(Json(view))
}

/// Disables the member (R-DIS-1): their sessions in this account end at once and their personal
/// tokens are revoked; nothing is lost. Needs `users.manage`; the owner answers 409 `R-OWN-4`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/disable", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn disable(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<MemberView>> {
    change(&state, &p, &meta, ids, Lifecycle::Disable).await
}

/// Enables a disabled member again (R-DIS-1). Needs `users.manage`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/enable", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn enable(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<MemberView>> {
    change(&state, &p, &meta, ids, Lifecycle::Enable).await
}

/// Archives the member ("delete", R-ARC-1): sessions here end, tokens are revoked, and the
/// password is removed when they have no other active membership. Needs `users.manage`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/archive", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn archive(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<MemberView>> {
    change(&state, &p, &meta, ids, Lifecycle::Archive).await
}

/// Restores an archived member (R-ARC-2); if their password was removed, a link to set a new
/// one is emailed. Needs `users.manage`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/restore", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn restore(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<MemberView>> {
    change(&state, &p, &meta, ids, Lifecycle::Restore).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The new owner: an active member of the account.
    pub user_id: Uuid,
    /// The current owner's password, asked again.
    pub password: String,
}

/// Hands the account to another active member (R-OWN-3); the caller, who must be the owner and
/// confirms with their password, becomes an admin. 403 `not_owner` for anyone else; 409
/// `R-OWN-3` when the target is not active or ownership moved meanwhile.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/transfer-ownership", tag = "accounts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = TransferRequest,
    responses(
        (status = 200, body = AccountView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts: too many wrong current passwords (R-AUTH-7)", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until the block ends, rounded up"))),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn transfer(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<Json<AccountView>> {
    let view = state.service.transfer_ownership(&p, path_id(&account_id)?, req.user_id, &req.password, &meta).await?;
    Ok(Json(view))
}
