use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use roster_service::{MeView, SessionKind};

use super::{TokenRequest, TokenResponse};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// Exchanges a login and password for a bearer token (R-AUTH-1, R-AUTH-7).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "sign-in", request_body = TokenRequest, responses(
    (status = 200, body = TokenResponse),
    (status = 401, description = "invalid_credentials, the same for an unknown login", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn token(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let s = state.service.sign_in(&req.login, &req.password, req.account_id, SessionKind::Api, &meta).await?;
    Ok(Json(TokenResponse {
        access_token: s.token,
        token_type: "Bearer",
        expires_in: s.expires_in,
        account_id: s.account_id,
        accounts: s.accounts,
    }))
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

/// The caller, their memberships and the current account.
#[utoipa::path(get, path = "/api/v1/me", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 200, body = MeView),
    (status = 401, body = Problem, content_type = "application/problem+json"),
))]
pub async fn me(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<MeView>> {
    Ok(Json(state.service.me(&p).await?))
}
