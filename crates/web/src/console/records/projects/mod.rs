//! The console's projects pages (R-PRJ-1): the list (search, member, tag and status filters,
//! sort, count, pages), a project's page (members, tags, client, its to-dos) with the edit form,
//! and the new-project form.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

mod list;
mod page;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/projects", get(list::list).post(page::create))
        .route("/accounts/{account_id}/projects/new", get(page::new_form))
        .route("/accounts/{account_id}/projects/{project_id}", get(page::show).post(page::update))
        .route("/accounts/{account_id}/projects/{project_id}/delete", post(page::delete))
}

/// The form's tag field: names separated by commas.
pub(crate) fn tag_names(raw: &str) -> Vec<String> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}
