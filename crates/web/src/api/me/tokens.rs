//! Personal API tokens of the current account: list, create (the secret is shown once), revoke.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use roster_service::{ApiTokenView, NewApiToken};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The caller's personal API tokens in the current account, newest first; never the secrets.
/// Expired tokens are listed until revoked.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "sign-in", security(("bearer" = [])), responses(
    (status = 200, body = TokenList),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "impersonating: refused during \"log in as\" (R-IMP-1)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "account_not_chosen: choose an account first", body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(State(state): State<AppState>, Auth(p): Auth) -> ApiResult<Json<TokenList>> {
    Ok(Json(TokenList { items: state.service.my_api_tokens(&p).await?, next_cursor: None }))
}

/// The caller's tokens in the current account, in the list shape of every list.
#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<ApiTokenView>,
    /// Always `null`: a person's tokens in one account come in one page.
    pub next_cursor: Option<String>,
}

/// Creates a personal API token acting as the caller in the current account. The answer holds
/// the secret (`roster_pat_…`): it is shown this once. The token stops working when revoked,
/// when it expires, or when the caller's membership is no longer active.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "sign-in", request_body = CreateTokenRequest, security(("bearer" = [])), responses(
    (status = 201, body = NewApiToken),
    (status = 401, body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "token_cannot_create_tokens: sent with a personal token; impersonating: during \"log in as\" (R-IMP-1)", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "account_not_chosen: choose an account first", body = Problem, content_type = "application/problem+json"),
    (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> ApiResult<Response> {
    let created = state.service.create_api_token(&p, &req.name, req.expires_at, &meta).await?;
    let mut res = (CREATED, Json(created)).into_response();
    // The secret must not linger in a cache.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}

/// Revokes one of the caller's tokens in the current account; it stops working at once.
/// Another person's or another account's token answers 404.
#[utoipa::path(delete, path = "/api/v1/tokens/{token_id}", tag = "sign-in", security(("bearer" = [])),
    params(("token_id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn revoke(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(token_id): Path<String>,
) -> ApiResult<StatusCode> {
    state.service.revoke_api_token(&p, path_id(&token_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// 1 to 100 characters, e.g. the script or machine that uses it.
    pub name: String,
    /// RFC 3339; must be in the future. Absent or `null`: the token does not expire.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
}
