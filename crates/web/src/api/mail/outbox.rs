//! An account's outbox, the operator's view of every outbox, one email and "Retry now" (R-MAIL-1).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::mail::{EmailDetail, EmailPage, EmailView};

use crate::AppState;
use crate::api::{PageQuery, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiQuery, Auth, ClientMeta};

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
