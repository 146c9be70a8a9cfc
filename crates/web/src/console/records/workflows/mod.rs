//! The console's workflow templates (R-WF-1): the list, a template's page with its steps, the
//! create and edit form (steps as repeated fieldsets; "Add a step" is a submit button that
//! re-renders the form with one more empty step, so it works without JavaScript), and delete
//! after a confirmation page. Runs (`runs.rs`: the list, a run's steps, start, pause, resume,
//! cancel) and the approval queue (`approvals.rs`).
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod approvals;
mod form;
mod pages;
mod runs;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/workflows", get(pages::list))
        .route("/accounts/{account_id}/workflows/new", get(form::new).post(form::create))
        .route("/accounts/{account_id}/workflows/{template_id}", get(pages::show))
        .route("/accounts/{account_id}/workflows/{template_id}/edit", get(form::edit).post(form::update))
        .route("/accounts/{account_id}/workflows/{template_id}/delete", get(pages::confirm).post(pages::delete))
        .route("/accounts/{account_id}/workflow-runs", get(runs::list).post(runs::start))
        .route("/accounts/{account_id}/workflow-runs/{run_id}", get(runs::show))
        .route("/accounts/{account_id}/workflow-runs/{run_id}/pause", post(runs::pause))
        .route("/accounts/{account_id}/workflow-runs/{run_id}/resume", post(runs::resume))
        .route("/accounts/{account_id}/workflow-runs/{run_id}/cancel", post(runs::cancel))
        .route("/accounts/{account_id}/approvals", get(approvals::list))
        .route("/accounts/{account_id}/approvals/{step_id}/approve", post(approvals::approve))
        .route("/accounts/{account_id}/approvals/{step_id}/skip", post(approvals::skip))
}

/// A contact's or project's workflow runs (newest 20) and the templates that may be started on
/// it, for its page's "Workflows" card.
pub(crate) async fn of_record(
    state: &AppState,
    user: &crate::console::session::ConsoleUser,
    account_id: uuid::Uuid,
    contact_id: Option<uuid::Uuid>,
    project_id: Option<uuid::Uuid>,
) -> Result<(Vec<roster_service::WorkflowRunView>, Vec<roster_service::WorkflowTemplateView>), crate::console::PageError>
{
    use crate::console::common::fail;
    let params = roster_service::WorkflowRunParams { contact_id, project_id, limit: Some(20), ..Default::default() };
    let runs = state.service.list_workflow_runs(&user.0, account_id, &params).await.map_err(fail(user))?.items;
    let params = roster_service::WorkflowTemplateParams { limit: Some(200), ..Default::default() };
    let templates =
        state.service.list_workflow_templates(&user.0, account_id, &params).await.map_err(fail(user))?.items;
    Ok((runs, templates))
}
