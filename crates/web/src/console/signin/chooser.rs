//! The account chooser (R-AUTH-2): after signing in with several memberships, and from the
//! header at any time.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use roster_service::MembershipSummary;
use serde::Deserialize;

use crate::AppState;
use crate::api::path_id;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "signin/choose_account.html")]
pub struct ChooserPage {
    nav: Nav,
    accounts: Vec<MembershipSummary>,
}

pub async fn page(State(state): State<AppState>, user: ConsoleUser) -> Result<Response, PageError> {
    let accounts = state.service.choosable_accounts(&user.0).await?;
    Ok(ChooserPage { nav: user.nav(), accounts }.into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ChooseForm {
    csrf: String,
    account_id: String,
}

/// Moves the session to the chosen account and lands on its landing page ([`crate::console::accounts::home::landing_path`]).
pub async fn choose(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<ChooseForm>,
) -> Result<Response, PageError> {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&f.account_id).map_err(|_| PageError::from(roster_service::ServiceError::NotFound))?;
    let chosen = state.service.switch_account(&user.0, account_id, &meta).await?;
    Ok(Redirect::to(&crate::console::accounts::home::landing_path(account_id, &[chosen])).into_response())
}
