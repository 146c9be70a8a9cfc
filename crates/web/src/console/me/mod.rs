//! A person's own profile, password, sessions and API tokens.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod profile;
pub(crate) mod tokens;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/me", get(profile::profile_page).post(profile::profile_submit))
        .route("/me/password", axum::routing::post(profile::password_submit))
        .route("/me/sessions", get(profile::sessions_page))
        .route("/me/sessions/end-others", axum::routing::post(profile::end_others))
        .route("/me/sessions/{session_id}/end", axum::routing::post(profile::end_session))
        .route("/tokens", get(tokens::list).post(tokens::create))
        .route("/tokens/{token_id}/revoke", post(tokens::revoke))
}
