//! Email: an account's outbox, its templates and its own outgoing server (R-MAIL-1..4).
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::mail::{
    EmailDetail, EmailPage, EmailView, PreviewView, SmtpSettingsInput, SmtpSettingsView, SmtpTestView, TemplateInput,
    TemplateView,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{PageQuery, path_id};
use crate::AppState;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta, parse_json};

/// The account's outbox, newest first (`to, subject, status, attempts, last_error`). Needs
/// `account.settings`; the operator sees every account's. Links that carry a secret read
/// "[link hidden]" (R-MAIL-6).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/emails", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), PageQuery),
    responses(
        (status = 200, body = EmailPage),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn emails(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<EmailPage>> {
    let account_id = path_id(&account_id)?;
    Ok(Json(state.service.account_emails(&p, account_id, q.cursor.as_deref(), q.limit).await?))
}

/// One email of the account's outbox, with its headers and both bodies; a link that carries a
/// secret (reset, set-password, invitation, portal) reads "[link hidden]" (R-MAIL-6).
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/emails/{email_id}", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("email_id" = String, Path, description = "The email's id")),
    responses(
        (status = 200, body = EmailDetail),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn email(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, email_id)): Path<(String, String)>,
) -> ApiResult<Json<EmailDetail>> {
    Ok(Json(state.service.email(&p, Some(path_id(&account_id)?), path_id(&email_id)?).await?))
}

/// "Retry now": puts a failed email back in the queue, due at once. 409 when it has not failed.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/emails/{email_id}/retry", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("email_id" = String, Path, description = "The email's id")),
    responses(
        (status = 202, body = EmailView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn retry(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, email_id)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<EmailView>)> {
    let view = state.service.retry_email(&p, Some(path_id(&account_id)?), path_id(&email_id)?, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}

/// Every account's outbox and the installation's own mail, newest first: the operator's view.
#[utoipa::path(get, path = "/api/v1/emails", tag = "email", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, body = EmailPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn all_emails(
    State(state): State<AppState>,
    Auth(p): Auth,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<EmailPage>> {
    Ok(Json(state.service.all_emails(&p, q.cursor.as_deref(), q.limit).await?))
}

/// The account's templates: its overrides and the built-in ones. Needs `account.settings`.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/email-templates", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    responses(
        (status = 200, body = Vec<TemplateView>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn templates(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
) -> ApiResult<Json<Vec<TemplateView>>> {
    Ok(Json(state.service.email_templates(&p, path_id(&account_id)?).await?))
}

/// One template as the account uses it, with the tokens it may use.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/email-templates/{name}", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("name" = String, Path, description = "welcome, invitation, password_reset, password_changed, impersonation_notice, portal_link or invitation_request")),
    responses(
        (status = 200, body = TemplateView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn template(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, name)): Path<(String, String)>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.service.email_template(&p, path_id(&account_id)?, &name).await?))
}

/// Saves the account's version of a template. A broken one is refused (422) with the part,
/// line and column, and nothing is saved.
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/email-templates/{name}", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("name" = String, Path, description = "The template's id")),
    request_body = TemplateBody,
    responses(
        (status = 200, body = TemplateView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn put_template(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, name)): Path<(String, String)>,
    ApiJson(body): ApiJson<TemplateBody>,
) -> ApiResult<Json<TemplateView>> {
    let input = body.into();
    Ok(Json(state.service.put_email_template(&p, path_id(&account_id)?, &name, &input, &meta).await?))
}

/// Drops the account's version: the built-in template is used again.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/email-templates/{name}", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("name" = String, Path, description = "The template's id")),
    responses(
        (status = 200, body = TemplateView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn reset_template(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, name)): Path<(String, String)>,
) -> ApiResult<Json<TemplateView>> {
    Ok(Json(state.service.reset_email_template(&p, path_id(&account_id)?, &name, &meta).await?))
}

/// Renders a draft (the body) or, with an empty body, the template in use, with sample data.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/email-templates/{name}/preview", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("name" = String, Path, description = "The template's id")),
    request_body(content = Option<TemplateBody>, description = "A draft to render; leave out to render the template in use"),
    responses(
        (status = 200, body = PreviewView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn preview(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, name)): Path<(String, String)>,
    body: Bytes,
) -> ApiResult<Json<PreviewView>> {
    let draft: Option<TemplateInput> =
        if body.iter().all(u8::is_ascii_whitespace) { None } else { Some(parse_json::<TemplateBody>(&body)?.into()) };
    Ok(Json(state.service.preview_email_template(&p, path_id(&account_id)?, &name, draft.as_ref()).await?))
}

/// Sends the template in use, with sample data, to the caller through the outbox.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/email-templates/{name}/test", tag = "email", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("name" = String, Path, description = "The template's id")),
    responses(
        (status = 202, body = EmailView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "owner_unverified (R-AUTH-8): the account's owner has not proved their address, so it sends no email", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "mail_quota (R-MAIL-7): the account's emails for this hour are used up; Retry-After says when the hour turns", body = Problem, content_type = "application/problem+json"),
))]
pub async fn test_template(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, name)): Path<(String, String)>,
) -> ApiResult<(StatusCode, Json<EmailView>)> {
    let view = state.service.send_test_of_template(&p, path_id(&account_id)?, &name, &meta).await?;
    Ok((StatusCode::ACCEPTED, Json(view)))
}

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

/// A template's three parts.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    pub subject: String,
    pub text: String,
    pub html: String,
}

impl From<TemplateBody> for TemplateInput {
    fn from(b: TemplateBody) -> Self {
        TemplateInput { subject: b.subject, text: b.text, html: b.html }
    }
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
