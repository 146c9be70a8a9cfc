//! `/projects`, `/projects/{project_id}`, `/projects/{project_id}/members` and `/tags` under
//! `/api/v1/accounts/{account_id}` (R-PRJ-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod project;
mod tags;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(project::list, project::create))
        .routes(routes!(project::get, project::update, project::delete))
        .routes(routes!(project::members, project::set_members))
        .routes(routes!(tags::list, tags::create))
        .routes(routes!(tags::delete))
}
