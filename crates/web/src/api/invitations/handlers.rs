//! Invitations (R-INV-1, R-PERM-2): invite, the pending list, resend, revoke, bulk, accept.
use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use roster_service::{
    Acceptance, BulkInvitee, BulkOutcome, InvitationPage, InvitationView, MemberView, NewInvitation, Principal,
    ServiceError, SessionKind, parse_invitation_list,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::AppState;
use crate::api::{CREATED, PageQuery, path_id};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta, cookie, parse_json};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    pub email: String,
    /// A built-in role key (not `owner`) or a custom role's id or name; `customer` when neither
    /// this nor `permissions` is given.
    pub role: Option<String>,
    /// Explicit permission ids instead of a role.
    pub permissions: Option<Vec<String>>,
    /// R-JOIN-1: projects of the account the invitee joins on acceptance (at most 100).
    #[serde(default)]
    pub project_ids: Vec<Uuid>,
}

/// Invites an address (R-INV-1). Who may is the account's invite policy (R-PERM-2): `owner_only`
/// (403 `owner_only` for anyone else) or holders of `users.invite`. Granting a permission the
/// caller lacks answers 403 (R-PERM-1). A member already → 409 `already_member`; an address with a
/// pending invitation → 409 `invitation_pending`, naming it: resend that one instead.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = InviteRequest,
    responses(
        (status = 201, body = InvitationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InvitationView>)> {
    let input =
        NewInvitation { email: req.email, role: req.role, permissions: req.permissions, project_ids: req.project_ids };
    Ok((CREATED, Json(state.service.invite(&p, path_id(&account_id)?, &input, &meta).await?)))
}

/// The account's pending invitations, newest first, with who sent each and when it expires
/// (`status: expired` once past it). Needs `users.invite`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), PageQuery),
    responses(
        (status = 200, body = InvitationPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<InvitationPage>> {
    let page = state.service.invitations(&p, path_id(&account_id)?, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(page))
}

/// Sends a pending (or expired) invitation again: a new link and a new expiry (the account's
/// invitation lifetime); the old link stops working at once.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/invitations/{invitation_id}/resend", tag = "invitations",
    security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"),
        ("invitation_id" = String, Path, description = "The invitation's id")),
    responses(
        (status = 200, body = InvitationView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invitation_not_pending: accepted or revoked already; already_member", body = Problem, content_type = "application/problem+json"),
))]
pub async fn resend(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, invitation_id)): Path<(String, String)>,
) -> ApiResult<Json<InvitationView>> {
    let view = state.service.resend_invitation(&p, path_id(&account_id)?, path_id(&invitation_id)?, &meta).await?;
    Ok(Json(view))
}

/// Revokes a pending invitation: its link stops working at once.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/invitations/{invitation_id}", tag = "invitations",
    security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"),
        ("invitation_id" = String, Path, description = "The invitation's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "invitation_not_pending", body = Problem, content_type = "application/problem+json"),
))]
pub async fn revoke(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, invitation_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.revoke_invitation(&p, path_id(&account_id)?, path_id(&invitation_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invites many addresses: a CSV body (`Content-Type: text/csv`, `email,role`, header optional)
/// or a JSON list `[{email, role}]`. Answers per row (`line, email, status: sent|skipped|error,
/// message`): valid rows are sent, invalid ones explained, addresses with a pending invitation
/// (`already invited`) or a membership (`already a member`) skipped, so sending the same list
/// again sends nothing twice. At most 200 rows (more: 429 `bulk_limit`, R-MAIL-7).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/invitations/bulk", tag = "invitations", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body(content((String = "text/csv"), (Vec<BulkInvitee> = "application/json"))),
    responses(
        (status = 200, body = BulkOutcome),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "bulk_limit: more than 200 rows; or mail_quota: the account's emails for this hour are used up (R-MAIL-7)", body = Problem, content_type = "application/problem+json"),
))]
pub async fn bulk(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<BulkOutcome>> {
    let account_id = path_id(&account_id)?;
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let rows = match kind.as_str() {
        "application/json" => {
            let mut rows: Vec<BulkInvitee> = parse_json(&body)?;
            for (n, r) in rows.iter_mut().enumerate() {
                r.line = n + 1;
            }
            rows
        }
        "text/csv" | "text/plain" => {
            let text = std::str::from_utf8(&body).map_err(|_| {
                ApiError::from(ServiceError::invalid("body", "The CSV is not valid UTF-8: save it as UTF-8."))
            })?;
            parse_invitation_list(text)?
        }
        _ => {
            return Err(ApiError::new(
                roster_core::ProblemCode::UnsupportedMediaType,
                "Send CSV (Content-Type: text/csv) or a JSON list (Content-Type: application/json).",
            ));
        }
    };
    Ok(Json(state.service.invite_bulk(&p, account_id, &rows, &meta).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptRequest {
    /// The `token` of the emailed link.
    pub token: String,
    /// For a new login (the address has none yet): the password, 8 to 128 characters.
    pub password: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// The new member, with the account it joined.
#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedMember {
    pub account_id: Uuid,
    #[serde(flatten)]
    pub member: MemberView,
}

/// The caller when the request carries a bearer token or the console's cookie; `None` otherwise.
pub struct MaybeAuth(pub Option<Principal>);

impl FromRequestParts<AppState> for MaybeAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let sent =
            parts.headers.contains_key(header::AUTHORIZATION) || cookie(parts, state.config.session_cookie()).is_some();
        if !sent {
            return Ok(MaybeAuth(None));
        }
        Ok(MaybeAuth(Some(Auth::from_request_parts(parts, state).await?.0)))
    }
}

/// Accepts an invitation (R-INV-1). Signed in (bearer or console session) with the invited email:
/// joins with that login. Not signed in, for an address without a login: send `password,
/// first_name, last_name` and the login is made. An address that has a login must sign in first
/// (401 `sign_in_required`); signed in with another email → 403 `invitation_other_email`.
/// Expired, revoked, used or unknown links → 410 `invitation_gone`.
#[utoipa::path(post, path = "/api/v1/invitations/accept", tag = "invitations", request_body = AcceptRequest,
    security((), ("bearer" = [])),
    responses(
        (status = 200, body = AcceptedMember),
        (status = 401, description = "sign_in_required: the address has a login", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "invitation_other_email", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "already_member", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "invitation_gone", body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn accept(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    MaybeAuth(p): MaybeAuth,
    ApiJson(req): ApiJson<AcceptRequest>,
) -> ApiResult<Json<AcceptedMember>> {
    let how = match &p {
        Some(p) => Acceptance::SignedIn(p),
        None => Acceptance::NewLogin {
            first_name: req.first_name.as_deref().unwrap_or_default(),
            last_name: req.last_name.as_deref().unwrap_or_default(),
            password: req.password.as_deref().unwrap_or_default(),
        },
    };
    match state.service.accept_invitation(&req.token, how, None::<SessionKind>, &meta).await {
        Ok(a) => Ok(Json(AcceptedMember { account_id: a.account_id, member: a.member })),
        Err(e) => Err(e.into()),
    }
}
