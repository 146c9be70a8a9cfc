//! Disable, enable, archive and restore a member (R-DIS-1, R-ARC-1, R-ARC-2).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{Lifecycle, MemberView};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ClientMeta};

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
