//! Transferring the account's ownership to another active member (R-OWN-2).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::{MemberView, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/transfer.html")]
pub struct TransferPage {
    nav: Nav,
    account_id: uuid::Uuid,
    /// Active members other than the owner: who may receive the account.
    candidates: Vec<MemberView>,
    error: Option<String>,
}

async fn page(state: &AppState, user: &ConsoleUser, account_id: uuid::Uuid, error: Option<String>) -> PageResult {
    let nav = account_nav(state, user, account_id).await?;
    let account = state.service.get_account(&user.0, account_id).await.map_err(fail(user))?;
    if account.owner_id != user.0.user().id {
        return Err(fail(user)(ServiceError::Closed {
            code: roster_core::ProblemCode::NotOwner,
            message: "Only the account's owner can transfer ownership.".to_owned(),
        }));
    }
    let members = state.service.list_members(&user.0, account_id, None, Some(500)).await.map_err(fail(user))?;
    let candidates = members
        .items
        .into_iter()
        .filter(|m| m.status == roster_core::MembershipStatus::Active && !m.is_owner)
        .collect();
    Ok(TransferPage { nav, account_id, candidates, error }.into_response())
}

/// `GET /accounts/{account_id}/transfer`.
pub async fn form(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    page(&state, &user, path_id(&account_id)?, None).await
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    csrf: String,
    user_id: String,
    password: String,
}

/// `POST /accounts/{account_id}/transfer`: the owner hands the account over; back to the team.
pub async fn submit(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(f): Form<TransferForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let account_id = path_id(&account_id)?;
    let Ok(target) = uuid::Uuid::parse_str(&f.user_id) else {
        return page(&state, &user, account_id, Some("Choose the member who will own the account.".to_owned())).await;
    };
    match state.service.transfer_ownership(&user.0, account_id, target, &f.password, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/team")).into_response()),
        Err(ServiceError::Invalid(_)) => {
            page(&state, &user, account_id, Some("This is not your password. Nothing changed.".to_owned())).await
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
