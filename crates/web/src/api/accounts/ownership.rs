//! Transferring the account's ownership (R-OWN-2).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::AccountView;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferRequest {
    /// The new owner: an active member of the account.
    pub user_id: Uuid,
    /// The current owner's password, asked again.
    pub password: String,
}

/// Hands the account to another active member (R-OWN-3); the caller, who must be the owner and
/// confirms with their password, becomes an admin. 403 `not_owner` for anyone else; 409
/// `R-OWN-3` when the target is not active or ownership moved meanwhile.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/transfer-ownership", tag = "accounts", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = TransferRequest,
    responses(
        (status = 200, body = AccountView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "too_many_attempts: too many wrong current passwords (R-AUTH-7)", body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds until the block ends, rounded up"))),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn transfer(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<TransferRequest>,
) -> ApiResult<Json<AccountView>> {
    let view = state.service.transfer_ownership(&p, path_id(&account_id)?, req.user_id, &req.password, &meta).await?;
    Ok(Json(view))
}
