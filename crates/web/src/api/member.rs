//! One member: read it, change its rights and preferences.
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{MemberPatch, MemberView};

use super::path_id;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// One member; needs `users.view`, or being that member.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/users/{user_id}", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
) -> ApiResult<Json<MemberView>> {
    Ok(Json(state.service.member(&p, path_id(&account_id)?, path_id(&user_id)?).await?))
}

/// Changes a member's role or permission list (`users.manage`; never one's own rights or the
/// owner's; only rights the caller holds, R-PERM-1) and preferences (the member, or
/// `users.manage`).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/users/{user_id}", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    request_body = MemberPatch,
    responses(
        (status = 200, body = MemberView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
    ApiJson(patch): ApiJson<MemberPatch>,
) -> ApiResult<Json<MemberView>> {
    Ok(Json(state.service.update_member(&p, path_id(&account_id)?, path_id(&user_id)?, &patch, &meta).await?))
}
