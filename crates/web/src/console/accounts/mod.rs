//! Accounts: the list, a new account, its home, settings, audit log and ownership transfer.
use axum::Router;
use axum::routing::get;

use crate::AppState;

pub(crate) mod audit;
pub(crate) mod home;
pub(crate) mod list;
pub(crate) mod settings;
pub(crate) mod transfer;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/accounts/{account_id}/settings", get(settings::show).post(settings::save))
        .route("/accounts", get(list::accounts))
        .route("/accounts/new", get(list::new_account_form).post(list::new_account_submit))
        .route("/accounts/{account_id}", get(home::page))
        .route("/accounts/{account_id}/audit", get(audit::page))
        .route("/accounts/{account_id}/transfer", get(transfer::form).post(transfer::submit))
}
