//! Workflow templates: every active member reads them; `workflows.edit` changes them.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{
    NewWorkflowTemplate, WorkflowTemplatePage, WorkflowTemplateParams, WorkflowTemplatePatch, WorkflowTemplateView,
};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The account's workflow templates, by name.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/workflow-templates", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), WorkflowTemplateParams),
    responses(
        (status = 200, body = WorkflowTemplatePage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<WorkflowTemplateParams>,
) -> ApiResult<Json<WorkflowTemplatePage>> {
    Ok(Json(state.service.list_workflow_templates(&p, path_id(&account_id)?, &q).await?))
}

/// Makes a template (`workflows.edit`); a wrong step is 422 naming it, e.g. `steps[1].assignee`.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/workflow-templates", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewWorkflowTemplate,
    responses(
        (status = 201, body = WorkflowTemplateView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewWorkflowTemplate>,
) -> ApiResult<(StatusCode, Json<WorkflowTemplateView>)> {
    Ok((CREATED, Json(state.service.create_workflow_template(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One template with its steps.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("template_id" = String, Path, description = "The template's id")),
    responses(
        (status = 200, body = WorkflowTemplateView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, template_id)): Path<(String, String)>,
) -> ApiResult<Json<WorkflowTemplateView>> {
    Ok(Json(state.service.workflow_template(&p, path_id(&account_id)?, path_id(&template_id)?).await?))
}

/// Renames a template or replaces its steps (`workflows.edit`); its version goes up by one.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("template_id" = String, Path, description = "The template's id")),
    request_body = WorkflowTemplatePatch,
    responses(
        (status = 200, body = WorkflowTemplateView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, template_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<WorkflowTemplatePatch>,
) -> ApiResult<Json<WorkflowTemplateView>> {
    Ok(Json(
        state.service.update_workflow_template(&p, path_id(&account_id)?, path_id(&template_id)?, &req, &meta).await?,
    ))
}

/// Deletes a template (`workflows.edit`).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/workflow-templates/{template_id}", tag = "workflows", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("template_id" = String, Path, description = "The template's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, template_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_workflow_template(&p, path_id(&account_id)?, path_id(&template_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
