//! An account's own outgoing server: read, save, delete and test (R-MAIL-2).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::mail::{SmtpSettingsInput, SmtpSettingsView, SmtpTestView};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta};

/// The account's own outgoing server (never its password); `null` when it uses the
/// installation's.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/smtp", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = Option<SmtpSettingsView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn smtp(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Option<SmtpSettingsView>>> {
    Ok(Json(state.service.smtp_settings(&p, path_id(&account_id)?).await?))
}

/// Sets the account's own outgoing server (seed 000). The password is stored encrypted and never
/// shown back; leave it out to keep the stored one, send `""` to remove it.
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/smtp", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = SmtpBody,
    responses(
        (status = 200, body = SmtpSettingsView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_fields; or smtp_host_refused (R-MAIL-7): the host resolves to an address that is not public (loopback, private, link-local, CGNAT, multicast, unspecified…) or the port is not 25, 465, 587 or 2525, unless the operator set ROSTER_SMTP_ALLOW_PRIVATE=true", body = Problem, content_type = "application/problem+json"),
))]
pub async fn put_smtp(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(body): ApiJson<SmtpBody>,
) -> ApiResult<Json<SmtpSettingsView>> {
    let input = body.into();
    Ok(Json(state.service.put_smtp_settings(&p, path_id(&account_id)?, &input, &meta).await?))
}

/// Removes the account's own server: its mail goes through the installation's again.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/smtp", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete_smtp(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<StatusCode> {
    state.service.delete_smtp_settings(&p, path_id(&account_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// "Send test email": talks to the account's server now and reports what happened as a
/// category (R-MAIL-7): "connected, server said: <SMTP reply>", or "connection refused",
/// "timed out", "not an SMTP server", never other bytes of the peer; at most 10 s. With `to`
/// (only the caller's own proved address), a short test message is sent there.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/smtp/test", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = SmtpTestBody,
    responses(
        (status = 200, body = SmtpTestView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "owner_unverified (R-AUTH-8): the account's owner has not proved their address, so it sends no email", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "invalid_fields: `to` is not the caller's own proved address", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "mail_quota (R-MAIL-7): the account's emails for this hour are used up; Retry-After says when the hour turns", body = Problem, content_type = "application/problem+json"),
))]
pub async fn test_smtp(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(body): ApiJson<SmtpTestBody>,
) -> ApiResult<Json<SmtpTestView>> {
    Ok(Json(state.service.test_smtp(&p, path_id(&account_id)?, body.to.as_deref()).await?))
}

/// An account's outgoing server.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpBody {
    pub host: String,
    /// Default 587 (465 with `tls`).
    pub port: Option<u16>,
    /// `starttls` (default), `tls`, `opportunistic` or `none`.
    pub security: Option<String>,
    pub username: Option<String>,
    /// Left out: keep the stored one. `""`: remove it.
    pub password: Option<String>,
    pub from_address: String,
}

impl From<SmtpBody> for SmtpSettingsInput {
    fn from(b: SmtpBody) -> Self {
        SmtpSettingsInput {
            host: b.host,
            port: b.port,
            security: b.security,
            username: b.username,
            password: b.password,
            from_address: b.from_address,
        }
    }
}

/// Where to send a test message: only the caller's own proved address (R-MAIL-7); leave out to
/// only check the server accepts a session.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SmtpTestBody {
    pub to: Option<String>,
}
