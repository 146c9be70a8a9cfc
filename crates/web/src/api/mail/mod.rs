//! Email: outboxes, templates and the account's own server.
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

pub(crate) mod outbox;
pub(crate) mod smtp;
pub(crate) mod templates;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(outbox::emails))
        .routes(routes!(outbox::email))
        .routes(routes!(outbox::retry))
        .routes(routes!(outbox::all_emails))
        .routes(routes!(templates::templates))
        .routes(routes!(templates::template, templates::put_template, templates::reset_template))
        .routes(routes!(templates::preview))
        .routes(routes!(templates::test_template))
        .routes(routes!(smtp::smtp, smtp::put_smtp, smtp::delete_smtp))
        .routes(routes!(smtp::test_smtp))
}
