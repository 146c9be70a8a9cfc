//! One member: read it, change its rights and preferences.
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{DeletedMember, MemberPatch, MemberView, ServiceError};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

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

/// Changes a member's details: `first_name`, `last_name`, `phone`, `company`, `username`
/// (`users.manage`, or the member; 409 `shared_login` for a login that also belongs to another
/// account or is an operator, R-AUTH-6), role or permission list (`users.manage`; never one's
/// own rights or the owner's; only rights the caller holds, R-PERM-1) and preferences (the
/// member, or `users.manage`).
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

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeleteQuery {
    /// Who receives what the person owned in the account (default: the caller).
    pub transfer_to: Option<String>,
}

/// Permanent delete, for users made in error (R-DEL-1; `users.manage`). The membership goes;
/// a person left in no account has their personal data erased; the audit log keeps the id.
/// Never the owner (409 `R-OWN-4`), never oneself, never someone with rights the caller lacks.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/users/{user_id}", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id"), DeleteQuery),
    responses(
        (status = 200, body = DeletedMember),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<DeleteQuery>,
) -> ApiResult<Json<DeletedMember>> {
    let transfer_to = match q.transfer_to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(raw) => Some(uuid::Uuid::parse_str(raw).map_err(|_| {
            ServiceError::invalid("transfer_to", "Give the user id of the member who receives the records.")
        })?),
        None => None,
    };
    let done = state.service.delete_member(&p, path_id(&account_id)?, path_id(&user_id)?, transfer_to, &meta).await?;
    Ok(Json(done))
}
