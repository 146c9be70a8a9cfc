//! The console's ticket pages (R-TKT-1): the list (search, filters, sort, counts per status,
//! pages), the new-ticket form, and a ticket's page with its thread, the reply form and the
//! status, priority and assignee changes.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod list;
mod show;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/tickets", get(list::list).post(list::create))
        .route("/accounts/{account_id}/tickets/new", get(list::new_form))
        .route("/accounts/{account_id}/tickets/{ticket_id}", get(show::show))
        .route("/accounts/{account_id}/tickets/{ticket_id}/reply", post(show::reply))
        .route("/accounts/{account_id}/tickets/{ticket_id}/edit", post(show::edit))
        .route("/accounts/{account_id}/tickets/{ticket_id}/delete", post(show::delete))
}
