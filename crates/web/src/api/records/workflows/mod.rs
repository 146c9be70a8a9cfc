//! `/workflow-templates`, `/workflow-runs` and `/approvals` under `/api/v1/accounts/{account_id}`
//! (R-WF-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod approvals;
mod runs;
mod templates;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(templates::list, templates::create))
        .routes(routes!(templates::get, templates::update, templates::delete))
        .routes(routes!(runs::list, runs::start))
        .routes(routes!(runs::get))
        .routes(routes!(runs::pause))
        .routes(routes!(runs::resume))
        .routes(routes!(runs::cancel))
        .routes(routes!(approvals::list))
        .routes(routes!(approvals::approve))
        .routes(routes!(approvals::skip))
}
