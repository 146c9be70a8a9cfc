//! Adding a user to an account (R-ADD-1, R-ADD-2).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_service::{AddOutcome, AddedMember, InvitationSent, NewMember};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddMemberRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    pub username: Option<String>,
    pub company: Option<String>,
    /// A built-in role key (not `owner`); `customer` when neither this nor `permissions` is given.
    pub role: Option<String>,
    /// Explicit permission ids instead of a role.
    pub permissions: Option<Vec<String>>,
    /// Optional; without it (and without a welcome email) the person cannot sign in yet.
    pub password: Option<String>,
    /// Default true: email a welcome with a link to set a password (valid 7 days).
    pub send_welcome: Option<bool>,
    /// Replaces the welcome email's subject: one line, at most 200 characters.
    pub welcome_subject: Option<String>,
    /// BCC the welcome email to the caller.
    #[serde(default)]
    pub bcc_me: bool,
    /// R-JOIN-1: projects of the account the new member joins at once (at most 100).
    #[serde(default)]
    pub project_ids: Vec<uuid::Uuid>,
    /// The member's preferences in this account; absent fields take the defaults.
    pub preferences: Option<roster_service::PreferencesPatch>,
}

/// The answer when the address already has a login (R-ADD-3): an invitation was sent.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct InvitedAnswer {
    pub invitation: InvitationSent,
}

/// Adds a user (needs `users.manage`): 201 with the new member for a new address. An address
/// that already has a login is never joined: 202 `{invitation}` (R-ADD-3), with nothing of that
/// login; that needs the right to invite (R-PERM-2). A member already answers 409
/// `already_member`, a pending invitation 409 `invitation_pending`; granting a permission the
/// caller lacks answers 403.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/users", tag = "members", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = AddMemberRequest,
    responses(
        (status = 201, body = AddedMember),
        (status = 202, description = "The address has a login: it was sent an invitation (R-ADD-3)", body = InvitedAnswer),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn add(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<AddMemberRequest>,
) -> ApiResult<Response> {
    let input = NewMember {
        email: req.email,
        first_name: req.first_name,
        last_name: req.last_name,
        phone: req.phone,
        username: req.username,
        company: req.company,
        role: req.role,
        permissions: req.permissions,
        password: req.password,
        send_welcome: req.send_welcome.unwrap_or(true),
        welcome_subject: req.welcome_subject,
        bcc_me: req.bcc_me,
        project_ids: req.project_ids,
        preferences: req.preferences,
    };
    Ok(match state.service.add_member(&p, path_id(&account_id)?, &input, &meta).await? {
        AddOutcome::Added(added) => (CREATED, Json(added)).into_response(),
        AddOutcome::Invited(invitation) => (StatusCode::ACCEPTED, Json(InvitedAnswer { invitation })).into_response(),
    })
}
