//! The work records' console pages under `/accounts/{account_id}/…`, one folder per kind.
use axum::Router;

use crate::AppState;

mod calendars;
mod contacts;
mod pickers;
mod projects;
mod tickets;
mod time;
mod todos;
mod workflows;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(contacts::routes())
        .merge(projects::routes())
        .merge(todos::routes())
        .merge(calendars::routes())
        .merge(tickets::routes())
        .merge(time::routes())
        .merge(workflows::routes())
}
