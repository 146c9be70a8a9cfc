//! Invitations: the account's list, inviting one or many, and accepting.
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod pages;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/invitations", get(pages::page).post(pages::invite))
        .route("/accounts/{account_id}/invitations/bulk", post(pages::bulk))
        .route("/accounts/{account_id}/invitations/{invitation_id}/{action}", post(pages::act))
        .route("/invitations/accept", get(pages::accept_page).post(pages::accept_submit))
        .route("/invitations/accept/sign-in", post(pages::accept_sign_in))
        .route("/invitations/accept/sign-out", post(pages::accept_sign_out))
        .route("/invitations/accept/ask", post(pages::ask_again))
}
