//! `/tickets`, `/tickets/{ticket_id}` and `/tickets/{ticket_id}/messages` under
//! `/api/v1/accounts/{account_id}` (R-TKT-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod items;
mod messages;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(items::list, items::create))
        .routes(routes!(items::get, items::update, items::delete))
        .routes(routes!(messages::list, messages::create))
}
