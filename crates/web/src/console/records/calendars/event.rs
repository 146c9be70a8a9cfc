//! `GET|POST /accounts/{id}/events/{event_id}/edit`: one event. Its calendar's owner edits it
//! (title, start and end or all day, contact, project, calendar; days and times on the
//! viewer's wall clock, like the week's form; errors next to their fields, an end before the start next to the end) and deletes it
//! after confirming (`POST …/delete`); anyone else who sees it (`calendars.view_all`) reads it.
//! The contact select lists at most 200 contacts matching the "find a contact" box: its button
//! posts the form back unsaved with the choices narrowed (decision 0093).
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{EventInput, EventView, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

use super::monday_of;
use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::records::contacts::show::event_when;
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// The form as typed: days and times apart (the viewer's wall clock), links as ids (blank: none).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    csrf: String,
    title: String,
    start_day: String,
    start: String,
    end_day: String,
    end: String,
    all_day: Option<String>,
    calendar_id: String,
    contact_id: String,
    project_id: String,
    /// The "find a contact" box, and its button (set: re-show, do not save).
    contact_q: String,
    find: Option<String>,
}

impl EventForm {
    /// The event as the form shows it: timed events on the viewer's wall clock (`zone`),
    /// all-day ones by their dates.
    fn of(e: &EventView, zone: &str) -> Self {
        let day = |t: time::OffsetDateTime| {
            if e.all_day { t.date() } else { roster_core::zone::in_zone(t, zone).0.date() }.to_string()
        };
        EventForm {
            title: e.title.clone(),
            start_day: day(e.starts),
            start: if e.all_day { String::new() } else { super::local_hm(e.starts, zone) },
            end_day: day(e.ends),
            end: if e.all_day { String::new() } else { super::local_hm(e.ends, zone) },
            all_day: e.all_day.then(|| "on".to_owned()),
            calendar_id: e.calendar_id.to_string(),
            contact_id: e.contact_id.map(|c| c.to_string()).unwrap_or_default(),
            project_id: e.project_id.map(|p| p.to_string()).unwrap_or_default(),
            ..EventForm::default()
        }
    }

    fn input(&self, zone: &str) -> EventInput {
        let all_day = self.all_day.is_some();
        let at = |day: &str, t: &str| if all_day { day.trim().to_owned() } else { super::local_instant(day, t, zone) };
        let link = |s: &str| Some(Some(s.trim().to_owned()).filter(|s| !s.is_empty()));
        EventInput {
            calendar_id: Some(self.calendar_id.trim().to_owned()).filter(|s| !s.is_empty()),
            title: Some(self.title.clone()),
            starts_at: Some(at(&self.start_day, &self.start)),
            ends_at: Some(at(&self.end_day, &self.end)),
            all_day: Some(all_day),
            contact_id: link(&self.contact_id),
            project_id: link(&self.project_id),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "records/calendars/event.html")]
pub struct EventPage {
    nav: Nav,
    account_id: Uuid,
    event: EventView,
    when: String,
    /// The week the event starts in (the way back).
    week: String,
    /// The viewer owns the event's calendar: the form and the delete button.
    editable: bool,
    form: EventForm,
    calendars: Vec<Choice>,
    contacts: Vec<Choice>,
    projects: Vec<Choice>,
    errors: FieldErrors,
    alert: Option<String>,
}

fn id_of(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

async fn page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    event_id: Uuid,
    form: Option<EventForm>,
) -> Result<EventPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let event = state.service.event(&user.0, account_id, &event_id.to_string()).await.map_err(fail(user))?;
    let me = user.0.user().id;
    let mine = state.service.calendars(&user.0, account_id, Some(me), None, Some(100)).await.map_err(fail(user))?;
    let editable = mine.items.iter().any(|c| c.id == event.calendar_id);
    let form = form.unwrap_or_else(|| EventForm::of(&event, user.zone()));
    let (mut contacts, mut projects) = (Vec::new(), Vec::new());
    if editable {
        contacts = pickers::contacts(state, user, account_id, &form.contact_q, id_of(&form.contact_id))
            .await
            .map_err(fail(user))?;
        projects = pickers::projects(state, user, account_id, id_of(&form.project_id)).await.map_err(fail(user))?;
    }
    Ok(EventPage {
        when: event_when(&nav, &event),
        week: monday_of(&event.starts.date().to_string()).to_string(),
        nav,
        account_id,
        editable,
        form,
        calendars: mine.items.into_iter().map(|c| (c.id, c.name)).collect(),
        contacts,
        projects,
        errors: FieldErrors::new(),
        alert: None,
        event,
    })
}

/// `GET /accounts/{id}/events/{event_id}/edit`
pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, event_id)): Path<(String, String)>,
) -> PageResult {
    Ok(page(&state, &user, path_id(&account_id)?, path_id(&event_id)?, None).await?.into_response())
}

/// `POST /accounts/{id}/events/{event_id}/edit`: saves, or with `find` narrows the contacts.
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, event_id)): Path<(String, String)>,
    Form(form): Form<EventForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, event_id) = (path_id(&account_id)?, path_id(&event_id)?);
    if form.find.is_some() {
        return Ok(page(&state, &user, account_id, event_id, Some(form)).await?.into_response());
    }
    match state.service.update_event(&user.0, account_id, &event_id.to_string(), &form.input(user.zone()), &meta).await
    {
        Ok(e) => {
            let week = monday_of(&e.starts.date().to_string());
            Ok(Redirect::to(&format!("/accounts/{account_id}/calendar?week={week}&done=saved")).into_response())
        }
        Err(e) => {
            let (errors, alert) = match e {
                ServiceError::Invalid(errors) => (errors, None),
                ServiceError::Conflict { message, .. } => (FieldErrors::new(), Some(message)),
                other => return Err(fail(&user)(other)),
            };
            let mut page = page(&state, &user, account_id, event_id, Some(form)).await?;
            (page.errors, page.alert) = (errors, alert);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

/// `POST /accounts/{id}/events/{event_id}/delete` (the page asks to confirm first).
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, event_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, event_id) = (path_id(&account_id)?, path_id(&event_id)?);
    let event = state.service.event(&user.0, account_id, &event_id.to_string()).await.map_err(fail(&user))?;
    state.service.delete_event(&user.0, account_id, &event_id.to_string(), &meta).await.map_err(fail(&user))?;
    let week = monday_of(&event.starts.date().to_string());
    Ok(Redirect::to(&format!("/accounts/{account_id}/calendar?week={week}&done=deleted")).into_response())
}
