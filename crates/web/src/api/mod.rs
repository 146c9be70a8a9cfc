//! `/api/v1`: JSON handlers. Each one authenticates, calls one use case, and answers.
use axum::http::StatusCode;
use roster_service::MembershipSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

mod accounts;
mod invitations;
mod mail;
mod me;
mod records;
mod signin;
mod team;

/// Every API route, one line per capability; each capability's `routes` lists its own.
pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(signin::routes())
        .merge(me::routes())
        .merge(accounts::routes())
        .merge(team::routes())
        .merge(invitations::routes())
        .merge(mail::routes())
        .merge(records::routes())
}

/// An id from the path; anything that is not an id is simply not found.
pub(crate) fn path_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::not_found())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    /// Email or username.
    pub login: String,
    pub password: String,
    /// The account to act in; defaults to the only active membership.
    pub account_id: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: u64,
    pub account_id: Option<Uuid>,
    pub accounts: Vec<MembershipSummary>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAccountRequest {
    pub name: String,
}

pub(crate) const CREATED: StatusCode = StatusCode::CREATED;
