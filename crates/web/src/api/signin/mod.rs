//! Signing in: `/api/v1/auth/…`.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod auth;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::token))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::register))
        .routes(routes!(auth::confirm_email))
        .routes(routes!(auth::switch))
        .routes(routes!(auth::password_reset))
        .routes(routes!(auth::password_reset_confirm))
}
