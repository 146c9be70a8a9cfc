//! Email: outboxes, one email, templates and the account's own server.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod forms;
pub(crate) mod outbox;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/emails", get(outbox::outbox))
        .route("/accounts/{account_id}/emails/{email_id}", get(outbox::email))
        .route("/accounts/{account_id}/emails/{email_id}/retry", post(outbox::retry))
        .route("/emails", get(outbox::all_outboxes))
        .route("/emails/{email_id}", get(outbox::any_email))
        .route("/emails/{email_id}/retry", post(outbox::retry_any))
        .route("/accounts/{account_id}/email-templates", get(outbox::templates))
        .route("/accounts/{account_id}/email-templates/{name}", get(forms::editor).post(forms::save_template))
        .route("/accounts/{account_id}/email-templates/{name}/preview", post(forms::preview_template))
        .route("/accounts/{account_id}/email-templates/{name}/reset", post(forms::reset_template))
        .route("/accounts/{account_id}/email-templates/{name}/test", post(forms::test_template))
        .route("/accounts/{account_id}/settings/email", get(forms::smtp_form).post(forms::smtp_save))
        .route("/accounts/{account_id}/settings/email/delete", post(forms::smtp_delete))
        .route("/accounts/{account_id}/settings/email/test", post(forms::smtp_test))
}
