//! The console's contacts pages.
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
