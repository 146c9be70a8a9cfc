//! The team page's member actions (disable, enable, archive, restore: R-DIS-1, R-ARC-1/2), which
//! go back to the list where it was and say what happened.
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_service::{Lifecycle, ServiceError};
use serde::Deserialize;

use crate::AppState;
use crate::console::PageError;
use crate::console::common::{PageResult, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::team::filters::{Done, TeamQuery};
use crate::extract::ClientMeta;

/// A row action's form: the CSRF token and the list's place (`back`, its query string).
#[derive(Debug, Deserialize)]
pub struct ActionForm {
    csrf: String,
    #[serde(default)]
    back: String,
}

/// `POST /accounts/{account_id}/team/{user_id}/{action}`; back to the team page with the same
/// search, filters, sort and page, and a notice naming the member and what happened.
pub async fn member_action(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, user_id, action)): Path<(String, String, String)>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    user.check_csrf(&f.csrf)?;
    let (change, done) = match action.as_str() {
        "disable" => (Lifecycle::Disable, Done::Disabled),
        "enable" => (Lifecycle::Enable, Done::Enabled),
        "archive" => (Lifecycle::Archive, Done::Archived),
        "restore" => (Lifecycle::Restore, Done::Restored),
        _ => return Err(PageError::from(ServiceError::NotFound)),
    };
    let account_id = path_id(&account_id)?;
    let user_id = path_id(&user_id)?;
    state.service.change_member_status(&user.0, account_id, user_id, change, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&TeamQuery::return_href(account_id, &f.back, done, user_id)).into_response())
}
