//! The console's workflow templates (R-WF-1): the list, a template's page with its steps, the
//! create and edit form (steps as repeated fieldsets; "Add a step" is a submit button that
//! re-renders the form with one more empty step, so it works without JavaScript), and delete
//! after a confirmation page.
use axum::Router;
use axum::routing::get;

use crate::AppState;

mod form;
mod pages;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/workflows", get(pages::list))
        .route("/accounts/{account_id}/workflows/new", get(form::new).post(form::create))
        .route("/accounts/{account_id}/workflows/{template_id}", get(pages::show))
        .route("/accounts/{account_id}/workflows/{template_id}/edit", get(form::edit).post(form::update))
        .route("/accounts/{account_id}/workflows/{template_id}/delete", get(pages::confirm).post(pages::delete))
}
