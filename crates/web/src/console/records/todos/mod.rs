//! The console's todos pages.
use axum::Router;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
}
