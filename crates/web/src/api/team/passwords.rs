//! An admin's actions on a member's password: send a reset link or set one (R-AUTH-6).
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Emails the member a single-use reset link (R-AUTH-5); needs `users.manage`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/password-reset", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    responses(
        (status = 202, description = "A reset link is on its way"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn member_reset(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.send_member_reset(&p, path_id(&account_id)?, path_id(&user_id)?, &meta).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets the member's password (R-AUTH-6); their sessions end. Needs `users.manage`; refused
/// (409 `shared_login`) when the person also belongs to another account.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/password", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    request_body = SetPassword,
    responses(
        (status = 204, description = "Set; the member's sessions ended"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn member_password(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<SetPassword>,
) -> ApiResult<StatusCode> {
    state.service.set_member_password(&p, path_id(&account_id)?, path_id(&user_id)?, &req.password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}
