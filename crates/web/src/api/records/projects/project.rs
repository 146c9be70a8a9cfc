//! Projects: list (filters `member`, `tag`, `status`, `contact_id`, `q`), one, its members.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewProject, ProjectListParams, ProjectPage, ProjectPatch, ProjectView};
use uuid::Uuid;

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The projects the caller reaches: every project with `projects.view_all`, else those they are
/// a member of. `member` lists "all projects of this person", `tag` (id or name) those tagged.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/projects", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ProjectListParams),
    responses(
        (status = 200, body = ProjectPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<ProjectListParams>,
) -> ApiResult<Json<ProjectPage>> {
    Ok(Json(state.service.list_projects(&p, path_id(&account_id)?, &q).await?))
}

/// Makes a project (`projects.manage`): the chosen members, every active owner and admin and
/// the caller join it.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/projects", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewProject,
    responses(
        (status = 201, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewProject>,
) -> ApiResult<(StatusCode, Json<ProjectView>)> {
    Ok((CREATED, Json(state.service.create_project(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One project in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/projects/{project_id}", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("project_id" = String, Path, description = "The project's id")),
    responses(
        (status = 200, body = ProjectView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, project_id)): Path<(String, String)>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(state.service.project(&p, path_id(&account_id)?, path_id(&project_id)?).await?))
}

/// Changes a project (`projects.manage`, in the caller's scope).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/projects/{project_id}", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("project_id" = String, Path, description = "The project's id")),
    request_body = ProjectPatch,
    responses(
        (status = 200, body = ProjectView),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, project_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<ProjectPatch>,
) -> ApiResult<Json<ProjectView>> {
    Ok(Json(state.service.update_project(&p, path_id(&account_id)?, path_id(&project_id)?, &req, &meta).await?))
}

/// Deletes a project (`projects.manage`, in the caller's scope).
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/projects/{project_id}", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("project_id" = String, Path, description = "The project's id")),
    responses(
        (status = 204),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, project_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_project(&p, path_id(&account_id)?, path_id(&project_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The members' user ids.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/projects/{project_id}/members", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("project_id" = String, Path, description = "The project's id")),
    responses(
        (status = 200, body = Vec<Uuid>),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn members(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, project_id)): Path<(String, String)>,
) -> ApiResult<Json<Vec<Uuid>>> {
    Ok(Json(state.service.project_members(&p, path_id(&account_id)?, path_id(&project_id)?).await?))
}

/// Replaces the members (active members of the account; `projects.manage`).
#[utoipa::path(put, path = "/api/v1/accounts/{account_id}/projects/{project_id}/members", tag = "projects", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("project_id" = String, Path, description = "The project's id")),
    request_body = Vec<Uuid>,
    responses(
        (status = 200, body = Vec<Uuid>),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn set_members(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, project_id)): Path<(String, String)>,
    ApiJson(ids): ApiJson<Vec<Uuid>>,
) -> ApiResult<Json<Vec<Uuid>>> {
    Ok(Json(state.service.set_project_members(&p, path_id(&account_id)?, path_id(&project_id)?, &ids, &meta).await?))
}
