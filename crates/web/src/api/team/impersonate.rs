//! "Log in as" (R-IMP-1): `POST /accounts/{account_id}/users/{user_id}/impersonate`.
use axum::Json;
use axum::extract::{Path, State};
use roster_service::SessionKind;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImpersonateRequest {
    /// Why (1 to 500 characters); kept on the session and in the audit log.
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImpersonateResponse {
    /// A bearer token acting as the member in this account only.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until it ends by itself (3600); it never slides.
    pub expires_in: u64,
    pub account_id: Uuid,
    /// The member acted as.
    pub user_id: Uuid,
}

/// Acts as another member of the account (R-IMP-1) for at most 60 minutes: a bearer token of
/// theirs, confined to this account, whose every audit row also names the caller. Needs
/// `users.impersonate`; the member is emailed. Never the owner (409 `R-OWN-4`), oneself (409
/// `self`), a member who is not active (409 `status`), or someone holding a permission the
/// caller lacks (403); not from inside an impersonation (409 `already_impersonating`); not where
/// the account forbids it (403 `impersonation_forbidden`). `POST /auth/logout` with the token ends it.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users/{user_id}/impersonate", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("user_id" = String, Path, description = "The member's user id")),
    request_body = ImpersonateRequest,
    responses(
        (status = 200, body = ImpersonateResponse),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn impersonate(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, user_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<ImpersonateRequest>,
) -> ApiResult<Json<ImpersonateResponse>> {
    let (account_id, user_id) = (path_id(&account_id)?, path_id(&user_id)?);
    let started = state.service.impersonate(&p, account_id, user_id, &req.reason, SessionKind::Api, &meta).await?;
    Ok(Json(ImpersonateResponse {
        access_token: started.token,
        token_type: "Bearer",
        expires_in: started.expires_in,
        account_id: started.account_id,
        user_id: started.user.id,
    }))
}
