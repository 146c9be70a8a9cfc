//! `/workflow-templates` and `/workflow-templates/{template_id}` under
//! `/api/v1/accounts/{account_id}` (R-WF-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod templates;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(templates::list, templates::create)).routes(routes!(
        templates::get,
        templates::update,
        templates::delete
    ))
}
