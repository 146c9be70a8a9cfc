//! The accounts a person may open, and a new account.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use roster_core::FieldErrors;
use roster_service::{AccountView, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

type PageResult = Result<Response, PageError>;

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CursorQuery {
    cursor: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/list.html")]
pub struct AccountsPage {
    nav: Nav,
    accounts: Vec<AccountView>,
    next_cursor: Option<String>,
    /// The installation's operator sees every account, with a link to each one's outbox.
    is_operator: bool,
}

pub async fn accounts(State(state): State<AppState>, user: ConsoleUser, Query(q): Query<CursorQuery>) -> PageResult {
    let page = state.service.list_accounts(&user.0, q.cursor.as_deref(), None).await?;
    let is_operator = user.0.user().is_operator && !user.0.is_confined();
    Ok(AccountsPage { nav: user.nav(), accounts: page.items, next_cursor: page.next_cursor, is_operator }
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/new.html")]
pub struct NewAccountPage {
    nav: Nav,
    name: String,
    errors: FieldErrors,
}

pub async fn new_account_form(user: ConsoleUser) -> impl IntoResponse {
    NewAccountPage { nav: user.nav(), name: String::new(), errors: FieldErrors::new() }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewAccountForm {
    csrf: String,
    name: String,
}

pub async fn new_account_submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Form(f): Form<NewAccountForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    match state.service.create_account(&user.0, &f.name, &meta).await {
        Ok(a) => Ok(Redirect::to(&format!("/accounts/{}/team", a.id)).into_response()),
        Err(ServiceError::Invalid(errors)) => {
            Ok((StatusCode::UNPROCESSABLE_ENTITY, NewAccountPage { nav: user.nav(), name: f.name, errors })
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}
