//! The team page's member actions (disable, enable, archive, restore: R-DIS-1, R-ARC-1/2) and
//! the "Transfer ownership" page (R-OWN-3).
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::{Lifecycle, ServiceError};

use crate::AppState;
use crate::console::PageError;
use crate::console::common::{CsrfForm, PageResult, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

/// `POST /accounts/{account_id}/team/{user_id}/{action}`; back to the team page.
pub async fn member_action(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, user_id, action)): Path<(String, String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let change = match action.as_str() {
        "disable" => Lifecycle::Disable,
        "enable" => Lifecycle::Enable,
        "archive" => Lifecycle::Archive,
        "restore" => Lifecycle::Restore,
        _ => return Err(PageError::from(ServiceError::NotFound)),
    };
    let account_id = path_id(&account_id)?;
    let user_id = path_id(&user_id)?;
    state.service.change_member_status(&user.0, account_id, user_id, change, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/team")).into_response())
}
