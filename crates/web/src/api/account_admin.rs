//! Account settings, public sign-up, and an admin's actions on a member's password.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{AccountPatch, AccountView, NewPerson, SignupTarget, UserView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::path_id;
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Changes the account's settings (`name, invite_policy, invitation_ttl_days, public_signup`);
/// needs `account.settings`. The outgoing server is `PUT /accounts/{id}/smtp`.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}", tag = "accounts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = AccountPatch,
    responses(
        (status = 200, body = AccountView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(patch): ApiJson<AccountPatch>,
) -> ApiResult<Json<AccountView>> {
    Ok(Json(state.service.update_account(&p, path_id(&account_id)?, &patch, &meta).await?))
}

/// Signs up into an account that allows it (R-AUTH-4): the newcomer joins as `customer`. 403
/// `signup_closed` otherwise (also for an account that does not exist).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/signup", tag = "sign-in",
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = SignupRequest,
    responses(
        (status = 201, body = SignupResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn signup(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<SignupRequest>,
) -> ApiResult<(StatusCode, Json<SignupResponse>)> {
    let Ok(id) = uuid::Uuid::parse_str(&account_id) else {
        return Err(roster_service::ServiceError::Closed {
            code: roster_core::ProblemCode::SignupClosed,
            message: "This account does not take sign-ups. Ask it for an invitation.".to_owned(),
        }
        .into());
    };
    let person =
        NewPerson { first_name: req.first_name, last_name: req.last_name, email: req.email, password: req.password };
    let s = state.service.sign_up(SignupTarget::Id(id), &person, None, &meta).await?;
    Ok((StatusCode::CREATED, Json(SignupResponse { user: s.user, account: s.account })))
}

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
pub struct SignupRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SignupResponse {
    pub user: UserView,
    pub account: AccountView,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPassword {
    pub password: String,
}
