//! `/calendars`, `/events` under `/api/v1/accounts/{account_id}` (R-CAL-1): calendars in
//! `calendars.rs`, events in `events.rs`.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod calendar;
mod events;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(calendar::list, calendar::create))
        .routes(routes!(calendar::get, calendar::update, calendar::delete))
        .routes(routes!(events::list, events::create))
        .routes(routes!(events::get, events::update, events::delete))
}
