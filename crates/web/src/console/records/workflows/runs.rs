//! Runs in the console (R-WF-1): the list of runs the viewer sees, one run with each step's
//! state, starting a run (from a contact's, a project's or a template's page), and pausing,
//! resuming or cancelling it.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::{NewWorkflowRun, RunChange, WorkflowRunParams, WorkflowRunView};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/runs.html")]
pub struct RunsPage {
    nav: Nav,
    account_id: Uuid,
    runs: Vec<WorkflowRunView>,
    state: String,
    next_cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/workflows/run.html")]
pub struct RunPage {
    nav: Nav,
    account_id: Uuid,
    run: WorkflowRunView,
    /// Each step with its assignee as people read it, in order.
    steps: Vec<(roster_service::RunStepView, String)>,
    notice: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RunsQuery {
    state: String,
    cursor: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RunQuery {
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StartForm {
    csrf: String,
    template_id: String,
    contact_id: String,
    project_id: String,
}

/// `GET /accounts/{id}/workflow-runs`: the runs the viewer sees, newest first.
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<RunsQuery>,
) -> PageResult {
    let account_id = path_id(&account_id)?;
    let nav = account_nav(&state, &user, account_id).await?;
    let params = WorkflowRunParams {
        state: Some(q.state.clone()).filter(|s| !s.is_empty()),
        cursor: Some(q.cursor.clone()).filter(|s| !s.is_empty()),
        limit: Some(50),
        ..WorkflowRunParams::default()
    };
    let page = state.service.list_workflow_runs(&user.0, account_id, &params).await.map_err(fail(&user))?;
    Ok(RunsPage { nav, account_id, runs: page.items, state: q.state, next_cursor: page.next_cursor }.into_response())
}

/// `GET /accounts/{id}/workflow-runs/{run_id}`.
pub async fn show(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, run_id)): Path<(String, String)>,
    Query(q): Query<RunQuery>,
) -> PageResult {
    let (account_id, run_id) = (path_id(&account_id)?, path_id(&run_id)?);
    let nav = account_nav(&state, &user, account_id).await?;
    let run = state.service.workflow_run(&user.0, account_id, run_id).await.map_err(fail(&user))?;
    let mut steps = Vec::with_capacity(run.steps.len());
    for s in &run.steps {
        let name = match s.assignee_id {
            None => "Nobody".to_owned(),
            Some(a) => match state.service.member(&user.0, account_id, a).await {
                Ok(m) => format!("{} {}", m.first_name, m.last_name).trim().to_owned(),
                Err(_) => a.to_string(),
            },
        };
        steps.push((s.clone(), name));
    }
    let notice = match q.done.as_str() {
        "started" => Some("The run started: its steps run when they are due."),
        "paused" => Some("The run is paused: no step runs until you resume it."),
        "resumed" => Some("The run goes on."),
        "cancelled" => Some("The run is cancelled."),
        _ => None,
    };
    Ok(RunPage { nav, account_id, run, steps, notice }.into_response())
}

/// `POST /accounts/{id}/workflow-runs`: starts a template on a contact or a project.
pub async fn start(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(f): Form<StartForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let id = |s: &str| Uuid::parse_str(s.trim()).ok();
    let input = NewWorkflowRun {
        template_id: id(&f.template_id).unwrap_or_default(),
        contact_id: id(&f.contact_id),
        project_id: id(&f.project_id),
    };
    let run = state.service.start_workflow_run(&user.0, account_id, &input, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/workflow-runs/{}?done=started", run.id)).into_response())
}

async fn change(
    state: AppState,
    user: ConsoleUser,
    meta: roster_service::Meta,
    (account_id, run_id): (String, String),
    form: CsrfForm,
    change: RunChange,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, run_id) = (path_id(&account_id)?, path_id(&run_id)?);
    state.service.change_workflow_run(&user.0, account_id, run_id, change, &meta).await.map_err(fail(&user))?;
    let done = match change {
        RunChange::Pause => "paused",
        RunChange::Resume => "resumed",
        RunChange::Cancel => "cancelled",
    };
    Ok(Redirect::to(&format!("/accounts/{account_id}/workflow-runs/{run_id}?done={done}")).into_response())
}

pub async fn pause(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(ids): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    change(state, user, meta, ids, f, RunChange::Pause).await
}

pub async fn resume(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(ids): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    change(state, user, meta, ids, f, RunChange::Resume).await
}

pub async fn cancel(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(ids): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    change(state, user, meta, ids, f, RunChange::Cancel).await
}
