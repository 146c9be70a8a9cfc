//! The console's to-do pages (R-TODO-1): the lists the viewer reaches (their own; with
//! `todos.view_all` every member's, grouped by owner) and a list's page with its tasks (add,
//! tick done, delete), rename and delete.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod lists;
mod tasks;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/todos", get(lists::lists).post(lists::create))
        .route("/accounts/{account_id}/todos/{list_id}", get(tasks::show).post(tasks::add))
        .route("/accounts/{account_id}/todos/{list_id}/rename", post(tasks::rename))
        .route("/accounts/{account_id}/todos/{list_id}/delete", post(tasks::delete_list))
        .route("/accounts/{account_id}/todos/{list_id}/tasks/{todo_id}/toggle", post(tasks::toggle))
        .route("/accounts/{account_id}/todos/{list_id}/tasks/{todo_id}/delete", post(tasks::delete_task))
}
