//! `/contacts`, `/contacts.csv`, `/contacts/pipeline`, `/filters` under
//! `/api/v1/accounts/{account_id}` (R-CON-1, R-CON-2): thin handlers over the service.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod contact;
pub(crate) mod filters;
pub(crate) mod list;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list, contact::create))
        .routes(routes!(list::export))
        .routes(routes!(list::pipeline))
        .routes(routes!(list::import))
        .routes(routes!(contact::get, contact::update, contact::delete))
        .routes(routes!(filters::list, filters::create))
        .routes(routes!(filters::get, filters::update, filters::delete))
}
