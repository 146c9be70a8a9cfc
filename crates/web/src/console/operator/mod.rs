//! The installation's operator: every login (`/users`), the job runner (`/jobs`). Anyone else
//! finds nothing here (404).
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod jobs;
pub(crate) mod users;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(users::page))
        .route("/jobs", get(jobs::page))
        .route("/jobs/{job_id}/retry", post(jobs::retry))
}
