//! The audit log page (R-AUD-1): filters kept in the URL, so a view can be bookmarked.
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roster_core::FieldErrors;
use roster_service::{AuditEventView, AuditQuery, ServiceError};

use crate::AppState;
use crate::api::path_id;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};

#[derive(Template, WebTemplate)]
#[template(path = "accounts/audit.html")]
pub struct AuditPageView {
    nav: Nav,
    account_id: String,
    actor: String,
    action: String,
    from: String,
    to: String,
    events: Vec<AuditLine>,
    next_cursor: Option<String>,
    older_href: String,
    errors: FieldErrors,
}

/// One event as the page shows it: people by name and email (R-AUD-1), the time in the
/// viewer's zone.
pub struct AuditLine {
    when: String,
    actor: String,
    impersonator: Option<String>,
    action: String,
    target: String,
    ip: Option<String>,
}

impl AuditLine {
    fn new(e: AuditEventView, zone: &str) -> Self {
        Self {
            when: crate::console::common::when(e.at, zone),
            actor: e.actor_label(),
            impersonator: e.impersonator_label(),
            target: e.target_label(),
            action: e.action.to_string(),
            ip: e.ip,
        }
    }
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
    Query(q): Query<AuditQuery>,
) -> Result<Response, PageError> {
    let account_id = path_id(&id).map_err(|_| PageError::from(ServiceError::NotFound))?;
    let account = state.service.get_account(&user.0, account_id).await?;
    let nav = crate::console::common::account_nav(&state, &user, account.id).await?;
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    let (actor, action, from, to) = (field(&q.actor), field(&q.action), field(&q.from), field(&q.to));
    let older_href = format!(
        "/accounts/{account_id}/audit?actor={}&action={}&from={}&to={}&cursor=",
        enc(&actor),
        enc(&action),
        enc(&from),
        enc(&to)
    );
    let (status, events, next_cursor, errors) = match state.service.audit_log(&user.0, account_id, &q).await {
        Ok(p) => (
            StatusCode::OK,
            p.items.into_iter().map(|e| AuditLine::new(e, user.zone())).collect(),
            p.next_cursor,
            FieldErrors::new(),
        ),
        Err(ServiceError::Invalid(errors)) => (StatusCode::UNPROCESSABLE_ENTITY, Vec::new(), None, errors),
        Err(e) => return Err(e.into()),
    };
    let view = AuditPageView {
        nav,
        account_id: account_id.to_string(),
        actor,
        action,
        from,
        to,
        events,
        next_cursor,
        older_href,
        errors,
    };
    Ok((status, view).into_response())
}
