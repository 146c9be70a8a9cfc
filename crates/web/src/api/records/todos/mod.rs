//! `/todo-lists`, `/todo-lists/{list_id}`, `/todo-lists/{list_id}/todos` and `/todos/{todo_id}`
//! under `/api/v1/accounts/{account_id}` (R-TODO-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod lists;
mod tasks;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(lists::list, lists::create))
        .routes(routes!(lists::get, lists::update, lists::delete))
        .routes(routes!(tasks::list, tasks::create))
        .routes(routes!(tasks::get, tasks::update, tasks::delete))
}
