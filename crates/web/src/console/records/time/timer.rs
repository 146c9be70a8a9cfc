//! Start and stop from any page (header, project, contact, the time page). A start while a
//! timer runs shows the time page with the 409's sentence and a "Switch" button: nothing stops
//! silently.
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::ProblemCode;
use roster_service::{ServiceError, StartTimer};
use serde::Deserialize;
use uuid::Uuid;

use super::back_to;
use super::entries::{EntryForm, page_with};
use crate::AppState;
use crate::console::common::{PageResult, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::extract::ClientMeta;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct StartForm {
    pub(super) csrf: String,
    pub(super) project_id: String,
    pub(super) contact_id: String,
    pub(super) note: String,
    /// Set: stop the running timer and start this one.
    pub(super) switch: Option<String>,
    /// The page to return to.
    pub(super) back: String,
}

fn id_of(raw: &str) -> Option<Uuid> {
    Uuid::parse_str(raw.trim()).ok()
}

/// `POST /accounts/{id}/time/start`
pub async fn start(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<StartForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    let input = StartTimer {
        project_id: id_of(&form.project_id),
        contact_id: id_of(&form.contact_id),
        note: Some(form.note.clone()),
        switch: form.switch.is_some(),
    };
    match state.service.start_timer(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(Redirect::to(&back_to(account_id, &form.back)).into_response()),
        Err(ServiceError::Conflict { code: ProblemCode::TimerRunning, message }) => {
            let mut page = page_with(&state, &user, account_id, EntryForm::default()).await?;
            page.alert = Some(message);
            page.switch = Some(form);
            Ok((axum::http::StatusCode::CONFLICT, page).into_response())
        }
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page_with(&state, &user, account_id, EntryForm::default()).await?;
            page.start_errors = errors;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StopForm {
    csrf: String,
    back: String,
}

/// `POST /accounts/{id}/time/stop`: with no timer running, the time page says so.
pub async fn stop(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<StopForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    match state.service.stop_timer(&user.0, account_id, &meta).await {
        Ok(_) => Ok(Redirect::to(&back_to(account_id, &form.back)).into_response()),
        Err(ServiceError::NotFound) => {
            let mut page = page_with(&state, &user, account_id, EntryForm::default()).await?;
            page.alert = Some("No timer of yours is running.".to_owned());
            Ok((axum::http::StatusCode::NOT_FOUND, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
