//! The console's contacts pages (R-CON-1, R-CON-2): the list (search, filters, saved filters,
//! sort, count, pages, hidden toggle), the pipeline, a contact's page with tabs, the form, delete.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod form;
pub(crate) mod import;
pub(crate) mod list;
pub(crate) mod show;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/contacts", get(list::list).post(form::create))
        .route("/accounts/{account_id}/contacts/pipeline", get(list::pipeline))
        .route("/accounts/{account_id}/contacts/filters", post(list::save_filter))
        .route("/accounts/{account_id}/contacts/new", get(form::new))
        .route("/accounts/{account_id}/contacts/import", get(import::form).post(import::submit))
        .route("/accounts/{account_id}/contacts/{contact_id}", get(show::show).post(form::save))
        .route("/accounts/{account_id}/contacts/{contact_id}/edit", get(form::edit))
        .route("/accounts/{account_id}/contacts/{contact_id}/delete", post(show::delete))
}
