//! `/timers/current`, `/timers/start`, `/timers/stop`, `/time-entries`,
//! `/time-entries/{entry_id}`, `/time-report` and `/time-report.csv` under
//! `/api/v1/accounts/{account_id}` (R-TIME-1).
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

mod entries;
mod report;
mod timer;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(timer::current))
        .routes(routes!(timer::start))
        .routes(routes!(timer::stop))
        .routes(routes!(entries::list, entries::create))
        .routes(routes!(entries::get, entries::update, entries::delete))
        .routes(routes!(report::report))
        .routes(routes!(report::csv))
}
