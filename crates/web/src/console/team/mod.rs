//! The team of an account: the member list, a member's page, adding, lifecycle actions, roles and "log in as".
use axum::Router;
use axum::routing::{get, post};

use crate::AppState;

pub(crate) mod add;
pub(crate) mod filters;
pub(crate) mod impersonate;
pub(crate) mod lifecycle;
pub(crate) mod member;
pub(crate) mod page;
pub(crate) mod picker;
pub(crate) mod rights_form;
pub(crate) mod roles;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/team", get(page::team))
        .route("/accounts/{account_id}/roles", get(roles::list).post(roles::create))
        .route("/accounts/{account_id}/roles/{role_id}", get(roles::edit).post(roles::save))
        .route("/accounts/{account_id}/team/{user_id}", get(member::show).post(member::save))
        .route("/accounts/{account_id}/team/{user_id}/{action}", post(lifecycle::member_action))
        .route("/accounts/{account_id}/log-in-as/{user_id}", get(impersonate::form).post(impersonate::submit))
        .route("/impersonation/end", post(impersonate::end))
        .route("/impersonation/ended", get(impersonate::ended))
        .route("/accounts/{account_id}/team/new", get(add::form).post(add::submit))
}
