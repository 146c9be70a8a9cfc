//! The work records under `/api/v1/accounts/{account_id}/…`, one folder per kind.
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

mod calendars;
mod contacts;
mod projects;
mod tickets;
mod time;
mod todos;
mod workflows;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(contacts::routes())
        .merge(projects::routes())
        .merge(todos::routes())
        .merge(calendars::routes())
        .merge(tickets::routes())
        .merge(time::routes())
        .merge(workflows::routes())
}
