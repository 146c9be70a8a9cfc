//! The installation's operator: every login (`/users`). Anyone else finds nothing here (404).
use axum::Router;
use axum::routing::get;

use crate::AppState;

pub(crate) mod users;

pub fn routes() -> Router<AppState> {
    Router::new().route("/users", get(users::page))
}
