//! An account's email templates: read, override, reset, preview and test (R-MAIL-4).
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::mail::{EmailView, PreviewView, TemplateInput, TemplateView};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, Auth, ClientMeta, parse_json};

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
