//! `/api/v1`: JSON handlers. Each one authenticates, calls one use case, and answers.
use axum::http::StatusCode;
use roster_service::MembershipSummary;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::error::ApiError;

mod account_admin;
mod accounts;
mod audit;
mod auth;
mod impersonate;
mod invitations;
mod lifecycle;
mod mail;
mod me;
mod member;
mod member_list;
mod members;
mod roles;
mod tokens;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me, me::update))
        .routes(routes!(me::password))
        .routes(routes!(me::sessions))
        .routes(routes!(me::end_session))
        .routes(routes!(me::end_others))
        .routes(routes!(auth::register))
        .routes(routes!(auth::confirm_email))
        .routes(routes!(auth::switch))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
        .routes(routes!(auth::password_reset))
        .routes(routes!(auth::password_reset_confirm))
        .routes(routes!(accounts::list, accounts::create))
        .routes(routes!(accounts::get, account_admin::update))
        .routes(routes!(account_admin::signup))
        .routes(routes!(audit::list))
        .routes(routes!(member::get, member::update, member::delete))
        .routes(routes!(account_admin::member_reset))
        .routes(routes!(account_admin::member_password))
        .routes(routes!(lifecycle::disable))
        .routes(routes!(lifecycle::enable))
        .routes(routes!(lifecycle::archive))
        .routes(routes!(lifecycle::restore))
        .routes(routes!(lifecycle::transfer))
        .routes(routes!(impersonate::impersonate))
        .routes(routes!(invitations::list, invitations::create))
        .routes(routes!(invitations::bulk))
        .routes(routes!(invitations::resend))
        .routes(routes!(invitations::revoke))
        .routes(routes!(invitations::accept))
        .routes(routes!(accounts::users, members::add))
        .routes(routes!(member_list::export))
        .routes(routes!(member_list::import))
        .routes(routes!(accounts::permissions))
        .routes(routes!(roles::list, roles::create))
        .routes(routes!(roles::update, roles::delete))
        .routes(routes!(mail::emails))
        .routes(routes!(mail::email))
        .routes(routes!(mail::retry))
        .routes(routes!(mail::all_emails))
        .routes(routes!(mail::templates))
        .routes(routes!(mail::template, mail::put_template, mail::reset_template))
        .routes(routes!(mail::preview))
        .routes(routes!(mail::test_template))
        .routes(routes!(mail::smtp, mail::put_smtp, mail::delete_smtp))
        .routes(routes!(mail::test_smtp))
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

/// JSON written into a buffer sized up front: a 50-member page is ~30 KiB, and growing a
/// 128-byte buffer to that copies it nine times.
pub(crate) struct SizedJson<T>(pub T, pub usize);

impl<T: Serialize> axum::response::IntoResponse for SizedJson<T> {
    fn into_response(self) -> axum::response::Response {
        let mut body = Vec::with_capacity(self.1);
        match serde_json::to_writer(&mut body, &self.0) {
            Ok(()) => ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response(),
            Err(e) => ApiError::from(roster_service::ServiceError::Internal(e.to_string())).into_response(),
        }
    }
}
