//! The approval queue in the console (R-WF-1): each waiting email with its subject and body in
//! a form to edit, approve (it goes to the outbox) or skip. A refused edit shows the page again
//! with the reason beside that email.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_service::{ApprovalParams, ApproveStep, Decision, RunStepView, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/approvals.html")]
pub struct ApprovalsPage {
    nav: Nav,
    account_id: Uuid,
    items: Vec<RunStepView>,
    next_cursor: Option<String>,
    notice: Option<&'static str>,
    /// A refused approval: the step, what was sent, and why.
    error: Option<(Uuid, String, String, String)>,
}

impl ApprovalsPage {
    /// The refused approval of this step, if that is what the page shows again.
    fn refused(&self, step: &Uuid) -> Option<&(Uuid, String, String, String)> {
        self.error.as_ref().filter(|e| e.0 == *step)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApprovalsQuery {
    cursor: String,
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ApproveForm {
    csrf: String,
    subject: String,
    body: String,
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    cursor: &str,
    notice: Option<&'static str>,
    error: Option<(Uuid, String, String, String)>,
) -> Result<ApprovalsPage, crate::console::PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let params = ApprovalParams { cursor: Some(cursor.to_owned()).filter(|c| !c.is_empty()), limit: Some(20) };
    let page = state.service.approvals(&user.0, account_id, &params).await.map_err(fail(user))?;
    Ok(ApprovalsPage { nav, account_id, items: page.items, next_cursor: page.next_cursor, notice, error })
}

/// `GET /accounts/{id}/approvals`.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<ApprovalsQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let notice = match q.done.as_str() {
        "approved" => Some("Approved: the email is on its way."),
        "skipped" => Some("Skipped: that email will not be sent."),
        "failed" => Some("Approved, but the email could not go out: the run's page says why."),
        _ => None,
    };
    Ok(page(&state, &user, account_id, &q.cursor, notice, None).await?.into_response())
}

/// `POST /accounts/{id}/approvals/{step_id}/approve`, with the (maybe edited) subject and body.
pub async fn approve(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, step_id)): Path<(String, String)>,
    Form(f): Form<ApproveForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let (account_id, step_id) = (path_id(&account_id)?, path_id(&step_id)?);
    let d = Decision::Approve(ApproveStep { subject: Some(f.subject.clone()), body: Some(f.body.clone()) });
    match state.service.decide_approval(&user.0, account_id, step_id, &d, &meta).await {
        Ok(step) => {
            let done = if step.state == roster_core::RunStepState::Done { "approved" } else { "failed" };
            Ok(Redirect::to(&format!("/accounts/{account_id}/approvals?done={done}")).into_response())
        }
        Err(ServiceError::Invalid(errs)) => {
            let why = errs.0.iter().map(|e| e.message.clone()).collect::<Vec<_>>().join(" ");
            let p = page(&state, &user, account_id, "", None, Some((step_id, f.subject, f.body, why))).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{id}/approvals/{step_id}/skip`.
pub async fn skip(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, step_id)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let (account_id, step_id) = (path_id(&account_id)?, path_id(&step_id)?);
    state.service.decide_approval(&user.0, account_id, step_id, &Decision::Skip, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/approvals?done=skipped")).into_response())
}
