//! Accounts: `/api/v1/accounts`, one account, its settings, sign-up link, audit log and ownership; `/api/v1/permissions`.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod audit;
pub(crate) mod list;
pub(crate) mod ownership;
pub(crate) mod settings;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list::list, list::create))
        .routes(routes!(list::get, settings::update))
        .routes(routes!(settings::signup))
        .routes(routes!(audit::list))
        .routes(routes!(ownership::transfer))
        .routes(routes!(list::permissions))
}
