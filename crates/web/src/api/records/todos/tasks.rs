//! Tasks: a list's tasks and one task, always through the list's scope.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTodo, TodoPage, TodoParams, TodoPatch, TodoView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// A list's tasks, open ones first.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/todo-lists/{list_id}/todos", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("list_id" = String, Path, description = "The list's id"), TodoParams),
    responses(
        (status = 200, body = TodoPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, list_id)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<TodoParams>,
) -> ApiResult<Json<TodoPage>> {
    Ok(Json(state.service.list_todos(&p, path_id(&account_id)?, path_id(&list_id)?, &q).await?))
}

/// Adds a task to a list the caller reaches.
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/todo-lists/{list_id}/todos", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("list_id" = String, Path, description = "The list's id")),
    request_body = NewTodo,
    responses(
        (status = 201, body = TodoView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, list_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<NewTodo>,
) -> ApiResult<(StatusCode, Json<TodoView>)> {
    Ok((CREATED, Json(state.service.create_todo(&p, path_id(&account_id)?, path_id(&list_id)?, &req, &meta).await?)))
}

/// One task.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/todos/{todo_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("todo_id" = String, Path, description = "The task's id")),
    responses(
        (status = 200, body = TodoView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, todo_id)): Path<(String, String)>,
) -> ApiResult<Json<TodoView>> {
    Ok(Json(state.service.todo(&p, path_id(&account_id)?, path_id(&todo_id)?).await?))
}

/// Changes a task (title, due date, done, links, assignee).
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/todos/{todo_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("todo_id" = String, Path, description = "The task's id")),
    request_body = TodoPatch,
    responses(
        (status = 200, body = TodoView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, todo_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<TodoPatch>,
) -> ApiResult<Json<TodoView>> {
    Ok(Json(state.service.update_todo(&p, path_id(&account_id)?, path_id(&todo_id)?, &req, &meta).await?))
}

/// Deletes a task.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/todos/{todo_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("todo_id" = String, Path, description = "The task's id")),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, todo_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_todo(&p, path_id(&account_id)?, path_id(&todo_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
