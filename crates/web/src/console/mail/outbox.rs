//! Console pages for email (R-MAIL-1): an account's outbox, the operator's view of every outbox,
//! one email with its headers and bodies, "Retry now", and the list of templates. The template
//! editor and the account's own server are in `forms`. Shared helpers for both live here.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::mail::{EmailDetail, EmailView, TemplateView};
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

use crate::console::common::{CsrfForm, CursorQuery, PageResult, account_nav, fail, path_id, when, with_preview_csp};

/// One row of an outbox table.
pub struct EmailLine {
    id: Uuid,
    /// The account's id, or "installation".
    account: String,
    /// The account by name (its id when it is gone); `None` for installation mail.
    account_name: Option<String>,
    to: String,
    subject: String,
    status: String,
    attempts: i32,
    last_error: Option<String>,
    created: String,
}

impl EmailLine {
    fn new(e: EmailView, zone: &str) -> Self {
        Self {
            id: e.id,
            account: e.account_id.map_or_else(|| "installation".to_owned(), |a| a.to_string()),
            account_name: e.account_name.or_else(|| e.account_id.map(|a| a.to_string())),
            to: e.to,
            subject: e.subject,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created: when(e.created_at, zone),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/outbox.html")]
pub struct OutboxPage {
    nav: Nav,
    /// The outbox's address: `/accounts/{id}/emails` or `/emails`.
    base: String,
    /// The operator's view of every outbox shows whose each email is.
    every_account: bool,
    emails: Vec<EmailLine>,
    next_cursor: Option<String>,
}

/// `GET /accounts/{account_id}/emails`
pub async fn outbox(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<CursorQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let page =
        state.service.account_emails(&user.0, account_id, q.cursor.as_deref(), None).await.map_err(fail(&user))?;
    Ok(OutboxPage {
        nav: account_nav(&state, &user, account_id).await?,
        base: format!("/accounts/{account_id}/emails"),
        every_account: false,
        emails: page.items.into_iter().map(|e| EmailLine::new(e, user.zone())).collect(),
        next_cursor: page.next_cursor,
    }
    .into_response())
}

/// `GET /emails`: the operator's view of every outbox.
pub async fn all_outboxes(
    State(state): State<AppState>,
    user: ConsoleUser,
    Query(q): Query<CursorQuery>,
) -> PageResult {
    let page = state.service.all_emails(&user.0, q.cursor.as_deref(), None).await.map_err(fail(&user))?;
    Ok(OutboxPage {
        nav: user.nav(),
        base: "/emails".to_owned(),
        every_account: true,
        emails: page.items.into_iter().map(|e| EmailLine::new(e, user.zone())).collect(),
        next_cursor: page.next_cursor,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/email.html")]
pub struct EmailPage {
    nav: Nav,
    /// The outbox this email is shown from.
    base: String,
    every_account: bool,
    line: EmailLine,
    d: EmailDetail,
    sent: Option<String>,
    next_attempt: String,
}

impl EmailPage {
    fn new(nav: Nav, base: String, every_account: bool, d: EmailDetail, zone: &str) -> Self {
        let sent = d.email.sent_at.map(|s| when(s, zone));
        let next_attempt = when(d.email.next_attempt_at, zone);
        Self { nav, base, every_account, line: EmailLine::new(d.email.clone(), zone), d, sent, next_attempt }
    }
}

/// `GET /accounts/{account_id}/emails/{email_id}`
pub async fn email(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, email_id)): Path<(String, String)>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let d = state.service.email(&user.0, Some(account_id), path_id(&email_id)?).await.map_err(fail(&user))?;
    let nav = account_nav(&state, &user, account_id).await?;
    Ok(with_preview_csp(
        EmailPage::new(nav, format!("/accounts/{account_id}/emails"), false, d, user.zone()).into_response(),
    ))
}

/// `GET /emails/{email_id}`: any email, for the operator.
pub async fn any_email(State(state): State<AppState>, user: ConsoleUser, Path(email_id): Path<String>) -> PageResult {
    let d = state.service.email(&user.0, None, path_id(&email_id)?).await.map_err(fail(&user))?;
    Ok(with_preview_csp(EmailPage::new(user.nav(), "/emails".to_owned(), true, d, user.zone()).into_response()))
}

/// `POST /accounts/{account_id}/emails/{email_id}/retry`: "Retry now", back to the email.
pub async fn retry(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, email_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let (account_id, email_id) = (path_id(&account_id)?, path_id(&email_id)?);
    state.service.retry_email(&user.0, Some(account_id), email_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/emails/{email_id}")).into_response())
}

/// `POST /emails/{email_id}/retry`: the operator's "Retry now".
pub async fn retry_any(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(email_id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let email_id = path_id(&email_id)?;
    state.service.retry_email(&user.0, None, email_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/emails/{email_id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "mail/templates.html")]
pub struct TemplatesPage {
    nav: Nav,
    account_id: Uuid,
    templates: Vec<TemplateView>,
}

/// `GET /accounts/{account_id}/email-templates`
pub async fn templates(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    let account_id = path_id(&account_id)?;
    let templates = state.service.email_templates(&user.0, account_id).await.map_err(fail(&user))?;
    let nav = account_nav(&state, &user, account_id).await?;
    Ok(TemplatesPage { nav, account_id, templates }.into_response())
}
