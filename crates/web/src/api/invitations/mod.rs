//! Invitations: `/api/v1/accounts/{id}/invitations…` and `/api/v1/invitations/accept`.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod handlers;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(handlers::list, handlers::create))
        .routes(routes!(handlers::bulk))
        .routes(routes!(handlers::resend))
        .routes(routes!(handlers::revoke))
        .routes(routes!(handlers::accept))
}
