//! The approval queue: email steps waiting for approval, for their assignee and for
//! `workflows.edit` holders (R-WF-1).
use axum::Json;
use axum::extract::{Path, State};
use roster_service::{ApprovalPage, ApprovalParams, ApproveStep, Decision, RunStepView};

use crate::AppState;
use crate::api::path_id;
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJsonOrEmpty, ApiQuery, Auth, ClientMeta};

/// The emails waiting for the caller's approval, oldest due first; each has its rendered
/// subject and body.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/approvals", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ApprovalParams),
    responses(
        (status = 200, body = ApprovalPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ApprovalParams>,
) -> ApiResult<Json<ApprovalPage>> {
    Ok(Json(state.service.approvals(&p, path_id(&account_id)?, &q).await?))
}

/// Approves a waiting email, as rendered or with an edited `subject` and `body` (plain text):
/// it goes to the outbox now. The body may be left out.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/approvals/{step_id}/approve", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("step_id" = String, Path, description = "The step's id")),
    request_body(content = ApproveStep, description = "Optional edits"),
    responses(
        (status = 200, body = RunStepView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn approve(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, step_id)): Path<(String, String)>,
    ApiJsonOrEmpty(req): ApiJsonOrEmpty<ApproveStep>,
) -> ApiResult<Json<RunStepView>> {
    let d = Decision::Approve(req);
    Ok(Json(state.service.decide_approval(&p, path_id(&account_id)?, path_id(&step_id)?, &d, &meta).await?))
}

/// Skips a waiting email: it is never sent.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/approvals/{step_id}/skip", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("step_id" = String, Path, description = "The step's id")),
    responses(
        (status = 200, body = RunStepView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn skip(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, step_id)): Path<(String, String)>,
) -> ApiResult<Json<RunStepView>> {
    let d = Decision::Skip;
    Ok(Json(state.service.decide_approval(&p, path_id(&account_id)?, path_id(&step_id)?, &d, &meta).await?))
}
