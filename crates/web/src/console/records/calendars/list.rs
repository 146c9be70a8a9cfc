//! `GET|POST /accounts/{id}/calendars`: the calendars in the viewer's scope (R-CAL-1), each
//! renameable (`POST …/{calendar_id}/rename`) and deletable (`POST …/{calendar_id}/delete`, not a
//! default one) by its owner only; a new calendar of one's own. Another member's calendar seen
//! through `calendars.view_all` has no form, and a POST for it is refused by the service (403,
//! R-CAL-1) through the one problem→page mapping.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{CalendarPatch, CalendarView, NewCalendar, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

#[derive(Template, WebTemplate)]
#[template(path = "records/calendars/list.html")]
pub struct CalendarsPage {
    nav: Nav,
    account_id: Uuid,
    me: Uuid,
    calendars: Vec<CalendarView>,
    next: Option<String>,
    /// The new-calendar form's name and errors.
    new_name: String,
    new_errors: FieldErrors,
    /// The calendar whose rename was refused, what was typed and why.
    renaming: Option<(Uuid, String, FieldErrors)>,
    alert: Option<String>,
    notice: Option<&'static str>,
}

impl CalendarsPage {
    /// The rename error of `id`, if its rename was refused.
    fn rename_error(&self, id: &Uuid) -> Option<&str> {
        self.renaming.as_ref().filter(|(r, _, _)| r == id).and_then(|(_, _, e)| e.get("name"))
    }

    /// The name shown in `id`'s rename box: what was typed when refused, else its name.
    fn rename_value<'a>(&'a self, c: &'a CalendarView) -> &'a str {
        self.renaming.as_ref().filter(|(r, _, _)| *r == c.id).map_or(c.name.as_str(), |(_, n, _)| n.as_str())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CalendarsQuery {
    cursor: String,
    done: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameForm {
    csrf: String,
    name: String,
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    cursor: &str,
) -> Result<CalendarsPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let cursor = Some(cursor.trim()).filter(|c| !c.is_empty());
    let list = state.service.calendars(&user.0, account_id, None, cursor, Some(100)).await.map_err(fail(user))?;
    Ok(CalendarsPage {
        nav,
        account_id,
        me: user.0.user().id,
        calendars: list.items,
        next: list.next_cursor.map(|c| format!("/accounts/{account_id}/calendars?cursor={c}")),
        new_name: String::new(),
        new_errors: FieldErrors::new(),
        renaming: None,
        alert: None,
        notice: None,
    })
}

fn back(account_id: Uuid, done: &str) -> axum::response::Response {
    Redirect::to(&format!("/accounts/{account_id}/calendars?done={done}")).into_response()
}

/// `GET /accounts/{id}/calendars`
pub async fn list(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path(account_id): Path<String>,
    Query(q): Query<CalendarsQuery>,
) -> PageResult {
    let mut page = page(&state, &user, path_id(&account_id)?, &q.cursor).await?;
    page.notice = match q.done.as_str() {
        "created" => Some("Calendar added."),
        "renamed" => Some("Calendar renamed."),
        "deleted" => Some("Calendar deleted with its events."),
        _ => None,
    };
    Ok(page.into_response())
}

/// `POST /accounts/{id}/calendars`: a new calendar of the viewer's own.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<NameForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    let input = NewCalendar { name: form.name.clone() };
    match state.service.create_calendar(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(back(account_id, "created")),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &user, account_id, "").await?;
            (page.new_name, page.new_errors) = (form.name, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{id}/calendars/{calendar_id}/rename`: the owner's only (R-CAL-1).
pub async fn rename(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, calendar_id)): Path<(String, String)>,
    Form(form): Form<NameForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, id) = (path_id(&account_id)?, path_id(&calendar_id)?);
    let patch = CalendarPatch { name: Some(form.name.clone()) };
    match state.service.rename_calendar(&user.0, account_id, &id.to_string(), &patch, &meta).await {
        Ok(_) => Ok(back(account_id, "renamed")),
        Err(ServiceError::Invalid(errors)) => {
            let mut page = page(&state, &user, account_id, "").await?;
            page.renaming = Some((id, form.name, errors));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST /accounts/{id}/calendars/{calendar_id}/delete`: the owner's, never a default one (the
/// page says why, 409).
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, calendar_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, id) = (path_id(&account_id)?, path_id(&calendar_id)?);
    match state.service.delete_calendar(&user.0, account_id, &id.to_string(), &meta).await {
        Ok(()) => Ok(back(account_id, "deleted")),
        Err(ServiceError::Conflict { message, .. }) => {
            let mut page = page(&state, &user, account_id, "").await?;
            page.alert = Some(message);
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(e) => Err(fail(&user)(e)),
    }
}
