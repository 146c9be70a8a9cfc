//! `/tickets`, `/tickets/{ticket_id}` and `/tickets/{ticket_id}/messages` under
//! `/api/v1/accounts/{account_id}` (R-TKT-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod messages;
mod tickets;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(tickets::list, tickets::create))
        .routes(routes!(tickets::get, tickets::update, tickets::delete))
        .routes(routes!(messages::list, messages::create))
}
