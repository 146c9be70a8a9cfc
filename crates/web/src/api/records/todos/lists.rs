//! To-do lists: the caller's own, or every member's with `todos.view_all`.
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use roster_service::{NewTodoList, TodoListPage, TodoListParams, TodoListPatch, TodoListView};

use crate::AppState;
use crate::api::{CREATED, path_id};
use crate::error::{ApiResult, Problem};
use crate::extract::{ApiJson, ApiQuery, Auth, ClientMeta};

/// The lists the caller reaches, by owner.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/todo-lists", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), TodoListParams),
    responses(
        (status = 200, body = TodoListPage),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn list(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiQuery(q): ApiQuery<TodoListParams>,
) -> ApiResult<Json<TodoListPage>> {
    Ok(Json(state.service.list_todo_lists(&p, path_id(&account_id)?, &q).await?))
}

/// Makes a list (for another member with `todos.view_all` only).
#[utoipa::path(post, path = "/api/v1/accounts/{account_id}/todo-lists", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id")),
    request_body = NewTodoList,
    responses(
        (status = 201, body = TodoListView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn create(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path(account_id): Path<String>,
    ApiJson(req): ApiJson<NewTodoList>,
) -> ApiResult<(StatusCode, Json<TodoListView>)> {
    Ok((CREATED, Json(state.service.create_todo_list(&p, path_id(&account_id)?, &req, &meta).await?)))
}

/// One list in the caller's scope.
#[utoipa::path(get, path = "/api/v1/accounts/{account_id}/todo-lists/{list_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("list_id" = String, Path, description = "The list's id")),
    responses(
        (status = 200, body = TodoListView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
))]
pub async fn get(
    State(state): State<AppState>,
    Auth(p): Auth,
    Path((account_id, list_id)): Path<(String, String)>,
) -> ApiResult<Json<TodoListView>> {
    Ok(Json(state.service.todo_list(&p, path_id(&account_id)?, path_id(&list_id)?).await?))
}

/// Renames a list.
#[utoipa::path(patch, path = "/api/v1/accounts/{account_id}/todo-lists/{list_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("list_id" = String, Path, description = "The list's id")),
    request_body = TodoListPatch,
    responses(
        (status = 200, body = TodoListView),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
))]
pub async fn update(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, list_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<TodoListPatch>,
) -> ApiResult<Json<TodoListView>> {
    Ok(Json(state.service.update_todo_list(&p, path_id(&account_id)?, path_id(&list_id)?, &req, &meta).await?))
}

/// Deletes a list and its tasks; a member's default list answers 409 `default_record`.
#[utoipa::path(delete, path = "/api/v1/accounts/{account_id}/todo-lists/{list_id}", tag = "todos", security(("bearer" = [])),
    params(("account_id" = String, Path, description = "The account's id"), ("list_id" = String, Path, description = "The list's id")),
    responses(
        (status = 204),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 409, body = Problem, content_type = "application/problem+json"),
))]
pub async fn delete(
    State(state): State<AppState>,
    ClientMeta(meta): ClientMeta,
    Auth(p): Auth,
    Path((account_id, list_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    state.service.delete_todo_list(&p, path_id(&account_id)?, path_id(&list_id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
