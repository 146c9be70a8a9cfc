//! Transferring the account's ownership to another active member (R-OWN-3), picked from a
//! server-side search over every active member (`console::team::picker`).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::ServiceError;
use serde::Deserialize;

use crate::AppState;
use crate::console::Nav;
use crate::console::common::{PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::picker::{Picker, query_string};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "accounts/transfer.html")]
pub struct TransferPage {
    nav: Nav,
    account_id: uuid::Uuid,
    /// Active members other than the owner matching the search: who may receive the account.
    candidates: Picker,
    error: Option<String>,
}

/// The picker's search and page (`GET /accounts/{id}/transfer?q=&cursor=`).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct PickQuery {
    q: String,
    cursor: String,
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: uuid::Uuid,
    pick: &PickQuery,
    error: Option<String>,
) -> PageResult {
    let nav = account_nav(state, user, account_id).await?;
    let account = state.service.get_account(&user.0, account_id).await.map_err(fail(user))?;
    if account.owner_id != user.0.user().id {
        return Err(fail(user)(ServiceError::Closed {
            code: roster_core::ProblemCode::NotOwner,
            message: "Only the account's owner can transfer ownership.".to_owned(),
        }));
    }
    let more =
        |c: &str| format!("/accounts/{account_id}/transfer?{}", query_string(&[("q", pick.q.trim()), ("cursor", c)]));
    let candidates =
        Picker::active_members(state, user, account_id, &pick.q, Some(&pick.cursor), &[account.owner_id], more)
            .await
            .map_err(fail(user))?;
    Ok(TransferPage { nav, account_id, candidates, error }.into_response())
}

/// `GET /accounts/{account_id}/transfer`, optionally narrowed by `q`.
pub async fn form(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(pick): Query<PickQuery>,
) -> PageResult {
    page(&state, &user, path_id(&account_id)?, &pick, None).await
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    csrf: String,
    user_id: String,
    password: String,
    /// The search the list was narrowed by, kept when the page comes back with an error.
    #[serde(default)]
    q: String,
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
    let pick = PickQuery { q: f.q.clone(), cursor: String::new() };
    let Ok(target) = uuid::Uuid::parse_str(&f.user_id) else {
        let error = Some("Choose the member who will own the account.".to_owned());
        return page(&state, &user, account_id, &pick, error).await;
    };
    match state.service.transfer_ownership(&user.0, account_id, target, &f.password, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/team")).into_response()),
        Err(ServiceError::Invalid(_)) => {
            page(&state, &user, account_id, &pick, Some("This is not your password. Nothing changed.".to_owned())).await
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
