//! An account's home page, and where the console lands in an account.
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use roster_service::{AccountView, MembershipSummary, ServiceError};
use uuid::Uuid;

use crate::AppState;
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};

/// The console page to open in an account: the team for members who may see it, else the
/// account's home (a `customer` must not land on a "not allowed" page).
pub fn landing_path(account_id: Uuid, memberships: &[MembershipSummary]) -> String {
    match memberships.iter().find(|m| m.account_id == account_id).map(|m| m.landing) {
        Some("team") => format!("/accounts/{account_id}/team"),
        _ => format!("/accounts/{account_id}"),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "accounts/home.html")]
pub struct HomePage {
    nav: Nav,
    account: AccountView,
}

pub async fn page(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError::from(ServiceError::NotFound))?;
    let account = state.service.get_account(&user.0, id).await?;
    let nav = crate::console::common::account_nav(&state, &user, account.id).await?;
    Ok(HomePage { nav, account }.into_response())
}
