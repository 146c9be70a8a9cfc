//! Signing in and out, the first operator, registration, sign-up links, resets and the account chooser.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod chooser;
pub(crate) mod register;
pub(crate) mod reset;
pub(crate) mod setup;
pub(crate) mod sign_in;
pub(crate) mod signup;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/setup", get(setup::setup_form).post(setup::setup_submit))
        .route("/sign-in", get(sign_in::sign_in_form).post(sign_in::sign_in_submit))
        .route("/choose-account", get(chooser::page).post(chooser::choose))
        .route("/signup/{slug}", get(signup::form).post(signup::submit))
        .route("/register", get(register::form).post(register::submit))
        .route("/confirm-email", get(register::confirm_form).post(register::confirm_submit))
        .route("/forgot-password", get(reset::forgot_form).post(reset::forgot_submit))
        .route("/password-reset", get(reset::reset_form).post(reset::reset_submit))
        .route("/sign-out", post(sign_in::sign_out))
}
