//! The signed-in person: `/api/v1/me…` and `/api/v1/tokens…`.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod current;
pub(crate) mod profile;
pub(crate) mod tokens;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(current::me, profile::update))
        .routes(routes!(profile::password))
        .routes(routes!(profile::sessions))
        .routes(routes!(profile::end_session))
        .routes(routes!(profile::end_others))
        .routes(routes!(tokens::list, tokens::create))
        .routes(routes!(tokens::revoke))
}
