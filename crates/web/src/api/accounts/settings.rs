//! An account's settings and its public sign-up link.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{AccountPatch, AccountView, NewPerson, SignupTarget, UserView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::api::path_id;
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
