//! Signing in: tokens, sign-out, registration, email confirmation, password reset and switching account.
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use roster_service::SessionKind;

use crate::AppState;
use crate::api::{TokenRequest, TokenResponse};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Exchanges a login and password for a bearer token (R-AUTH-1, R-AUTH-7).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "sign-in", request_body = TokenRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "invalid_credentials, the same for an unknown login", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "access_disabled: the password is right but the person's access is disabled (R-DIS-1; said only after the right password); no_membership: the login belongs to no account any more", body = Problem, content_type = "application/problem+json"),
    (status = 429, description = "too_many_attempts: the login or the address is blocked for a while (R-AUTH-7); nothing was checked", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the block ends, rounded up"))),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn token(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<impl axum::response::IntoResponse> {
    let s = state.service.sign_in(&req.login, &req.password, req.account_id, SessionKind::Api, &meta).await?;
    // R-AUTH-7: a client that keeps cookies is a known device for this login from now on.
    let device = s.known_device.as_deref().map(|d| crate::console::device_cookie(&state.config, d));
    let body = Json(TokenResponse {
        access_token: s.token,
        token_type: "Bearer",
        expires_in: s.expires_in,
        account_id: s.account_id,
        accounts: s.accounts,
    });
    Ok((axum::response::AppendHeaders(device.map(|d| (axum::http::header::SET_COOKIE, d))), body))
}

/// Ends the calling session or token at once.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 204, description = "Signed out"),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn logout(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
) -> ApiResult<StatusCode> {
    state.service.sign_out(&p, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Emails a single-use reset link valid one hour (R-AUTH-5). Always 202: the answer never says
/// whether the address belongs to someone.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "sign-in", request_body = PasswordResetRequest, responses(
    (status = 202, description = "If the address belongs to someone, a link is on its way"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<PasswordResetRequest>,
) -> ApiResult<StatusCode> {
    state.service.request_password_reset(&req.email, &meta).await?;
    Ok(StatusCode::ACCEPTED)
}

/// Sets a new password from the emailed link; every session of the user ends and a "password
/// changed" email is sent. 410 when the link was used or has expired.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "sign-in", request_body = PasswordResetConfirm, responses(
    (status = 204, description = "Password changed"),
    (status = 410, body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn password_reset_confirm(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<PasswordResetConfirm>,
) -> ApiResult<StatusCode> {
    state.service.confirm_password_reset(&req.token, &req.password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    pub email: String,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// From the emailed link.
    pub token: String,
    pub password: String,
}

/// Registers a login and a new account it owns (R-AUTH-3), when `ROSTER_OPEN_REGISTRATION` is
/// on; 403 `registration_closed` otherwise. The answer is 202 for a new and a taken address
/// alike: a new address is emailed a confirmation link, and the login and account exist once it
/// is used (`POST /auth/confirm-email`, R-AUTH-8); a taken one is emailed that someone tried.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "sign-in", request_body = RegisterRequest, responses(
    (status = 202, description = "Check your email (the same for a new and a taken address)", body = RegisterAccepted),
    (status = 403, description = "registration_closed", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn register(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<(StatusCode, Json<RegisterAccepted>)> {
    let person = roster_service::NewPerson {
        first_name: req.first_name,
        last_name: req.last_name,
        email: req.email,
        password: req.password,
    };
    state.service.register(&person, &req.account_name, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(RegisterAccepted { status: "check_email", message: CHECK_EMAIL })))
}

const CHECK_EMAIL: &str = "Check your email: we have sent a link to the address. Your login and account are \
                           created when it is used; it works for 24 hours.";

/// The answer to a registration: the same whatever the address.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RegisterAccepted {
    /// `check_email`.
    pub status: &'static str,
    pub message: &'static str,
}

/// Uses an emailed confirmation link (R-AUTH-8): the login (its address proved), the account it
/// owns and the owner membership are made, and the caller is signed in (a bearer token, as
/// `POST /auth/token` answers). The password chosen when registering goes with the token
/// (422 on `password` when it is another). 410 `link_gone` for a used, expired or unknown link; 410
/// `address_has_login` when the address got a login meanwhile (sign in instead).
#[utoipa::path(post, path = "/api/v1/auth/confirm-email", tag = "sign-in", request_body = ConfirmEmailRequest, responses(
    (status = 200, body = ConfirmEmailResponse),
    (status = 403, description = "registration_closed", body = Problem, content_type = "application/problem+json"),
    (status = 410, description = "link_gone or address_has_login", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn confirm_email(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<ConfirmEmailRequest>,
) -> ApiResult<Json<ConfirmEmailResponse>> {
    let r = match state.service.confirm_email(&req.token, &req.password, Some(SessionKind::Api), &meta).await {
        Ok(r) => r,
        Err(e) => return Err(e.into()),
    };
    let s =
        r.signed_in.ok_or_else(|| roster_service::ServiceError::Internal("confirmation without a session".into()))?;
    Ok(Json(ConfirmEmailResponse {
        user: r.user,
        account: r.account,
        access_token: s.token,
        token_type: "Bearer",
        expires_in: s.expires_in,
    }))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    /// From the emailed link.
    pub token: String,
    /// The password chosen when registering (422 on `password` otherwise): a link clicked by
    /// someone who did not register makes nothing.
    #[serde(default)]
    pub password: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ConfirmEmailResponse {
    pub user: roster_service::UserView,
    pub account: roster_service::AccountView,
    /// A bearer token for the new login, acting in the new account.
    pub access_token: String,
    /// `Bearer`.
    pub token_type: &'static str,
    pub expires_in: u64,
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
    pub account_name: String,
}

/// Moves the calling session or token to another account where the caller is an active member
/// (R-AUTH-2); remembered as the last used account. Another account's id answers 404.
#[utoipa::path(post, path = "/api/v1/auth/switch", tag = "sign-in", request_body = SwitchRequest, security(("bearer" = [])), responses(
    (status = 200, body = roster_service::MembershipSummary),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn switch(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    ApiJson(req): ApiJson<SwitchRequest>,
) -> ApiResult<Json<roster_service::MembershipSummary>> {
    Ok(Json(state.service.switch_account(&p, req.account_id, &meta).await?))
}

#[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchRequest {
    pub account_id: uuid::Uuid,
}
