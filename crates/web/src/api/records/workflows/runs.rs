//! Workflow runs: started on a contact or project the caller sees; read, paused, resumed and
//! cancelled by whoever sees it (R-WF-1).
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewWorkflowRun, RunChange, WorkflowRunPage, WorkflowRunParams, WorkflowRunView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The runs of the contacts and projects the caller sees, newest first.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/workflow-runs", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), WorkflowRunParams),
    responses(
        (status = 200, body = WorkflowRunPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<WorkflowRunParams>,
) -> ApiResult<Json<WorkflowRunPage>> {
    Ok(Json(state.service.list_workflow_runs(&p, path_id(&account_id)?, &q).await?))
}

/// Starts a template on a contact or a project (exactly one): its steps are copied, their
/// assignees resolved and due times fixed; the first is scheduled.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/workflow-runs", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewWorkflowRun,
    responses(
        (status = 201, body = WorkflowRunView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn start(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewWorkflowRun>,
) -> ApiResult<(StatusCode, Json<WorkflowRunView>)> {
    Ok((CREATED, Json(state.service.start_workflow_run(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One run with each step's state.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/workflow-runs/{run_id}", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("run_id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, body = WorkflowRunView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, run_id)): Path<(String, String)>,
) -> ApiResult<Json<WorkflowRunView>> {
    Ok(Json(state.service.workflow_run(&p, path_id(&account_id)?, path_id(&run_id)?).await?))
}

async fn change(
    state: AppState,
    meta: roster_service::Meta,
    p: roster_service::Principal,
    (account_id, run_id): (String, String),
    change: RunChange,
) -> ApiResult<Json<WorkflowRunView>> {
    Ok(Json(state.service.change_workflow_run(&p, path_id(&account_id)?, path_id(&run_id)?, change, &meta).await?))
}

/// Pauses an active run: no step runs until it is resumed (409 `run_state` otherwise).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/pause", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("run_id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, body = WorkflowRunView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn pause(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<WorkflowRunView>> {
    change(state, meta, p, ids, RunChange::Pause).await
}

/// Resumes a paused run: its next scheduled step runs at its time, or at once if that passed.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/resume", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("run_id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, body = WorkflowRunView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn resume(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<WorkflowRunView>> {
    change(state, meta, p, ids, RunChange::Resume).await
}

/// Cancels an active or paused run: its scheduled and waiting steps are cancelled.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/workflow-runs/{run_id}/cancel", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("run_id" = String, Path, description = "The run's id")),
    responses(
        (status = 200, body = WorkflowRunView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn cancel(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(ids): Path<(String, String)>,
) -> ApiResult<Json<WorkflowRunView>> {
    change(state, meta, p, ids, RunChange::Cancel).await
}
