//! The time page: the viewer's running timer (stop) or the start form, the manual entry form
//! (errors next to fields), the viewer's entries (edit, delete); and an entry's edit page.
//! Times are typed and shown on the viewer's wall clock.
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect};
use roster_core::FieldErrors;
use roster_service::{NewTimeEntry, ServiceError, TimeEntryParams, TimeEntryPatch, TimeEntryView, hours};
use serde::Deserialize;
use uuid::Uuid;

use super::timer::StartForm;
use crate::AppState;
use crate::console::common::{CsrfForm, PageResult, account_nav, fail, path_id};
use crate::console::records::calendars::{local_hm, local_instant};
use crate::console::records::pickers::{self, Choice};
use crate::console::session::ConsoleUser;
use crate::console::{Nav, PageError};
use crate::extract::ClientMeta;

/// One entry as the table shows it.
pub struct Row {
    pub id: Uuid,
    pub when: String,
    pub hours: String,
    pub project: String,
    pub note: String,
    pub source: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/time/page.html")]
pub struct TimePage {
    pub(super) nav: Nav,
    pub(super) account_id: Uuid,
    pub(super) running: Option<Row>,
    pub(super) rows: Vec<Row>,
    pub(super) form: EntryForm,
    pub(super) errors: FieldErrors,
    pub(super) start_errors: FieldErrors,
    pub(super) alert: Option<String>,
    /// After a 409: the start that was refused, offered again as a switch.
    pub(super) switch: Option<StartForm>,
    pub(super) projects: Vec<Choice>,
    pub(super) back: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "records/time/edit.html")]
pub struct EditPage {
    nav: Nav,
    account_id: Uuid,
    entry_id: Uuid,
    running: bool,
    form: EntryForm,
    errors: FieldErrors,
    projects: Vec<Choice>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EntryForm {
    pub(super) csrf: String,
    /// `YYYY-MM-DD` on the viewer's wall clock.
    pub(super) day: String,
    /// `HH:MM`.
    pub(super) start: String,
    /// `HH:MM` the same day; or `minutes`.
    pub(super) end: String,
    pub(super) minutes: String,
    pub(super) project_id: String,
    pub(super) note: String,
}

/// `(started_at, ended_at, minutes, project)` as the service reads them.
type Parts = (String, Option<String>, Option<i64>, Option<Uuid>);

impl EntryForm {
    /// `(started_at, ended_at, minutes, project)` for the service; a value that is not a number
    /// or an id is a field error.
    fn parts(&self, zone: &str) -> Result<Parts, FieldErrors> {
        let mut errs = FieldErrors::new();
        let started = local_instant(&self.day, &self.start, zone);
        let ended = Some(self.end.trim()).filter(|e| !e.is_empty()).map(|e| local_instant(&self.day, e, zone));
        let minutes = match self.minutes.trim() {
            "" => None,
            m => match m.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errs.add("minutes", "Use a whole number of minutes.");
                    None
                }
            },
        };
        let project = match self.project_id.trim() {
            "" => None,
            p => match Uuid::parse_str(p) {
                Ok(id) => Some(id),
                Err(_) => {
                    errs.add("project_id", "Choose one of your projects.");
                    None
                }
            },
        };
        if errs.is_empty() { Ok((started, ended, minutes, project)) } else { Err(errs) }
    }
}

fn row_of(e: &TimeEntryView, projects: &[Choice], nav: &Nav) -> Row {
    let project = match e.project_id {
        Some(p) => projects.iter().find(|(id, _)| *id == p).map_or_else(|| "a project".to_owned(), |(_, n)| n.clone()),
        None => String::new(),
    };
    Row {
        id: e.id,
        when: nav.when(&e.started_at),
        hours: e.seconds.map(hours).unwrap_or_else(|| "running".to_owned()),
        project,
        note: e.note.clone(),
        source: e.source.as_str(),
    }
}

/// The time page, with the manual entry form as typed.
pub(super) async fn page_with(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    form: EntryForm,
) -> Result<TimePage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let me = user.0.user().id;
    let params = TimeEntryParams { member: Some(me), limit: Some(100), ..TimeEntryParams::default() };
    let entries = state.service.list_time_entries(&user.0, account_id, &params).await.map_err(fail(user))?.items;
    let projects = pickers::projects(state, user, account_id, None).await.map_err(fail(user))?;
    let running = entries.iter().find(|e| e.running).map(|e| row_of(e, &projects, &nav));
    let rows = entries.iter().map(|e| row_of(e, &projects, &nav)).collect();
    Ok(TimePage {
        back: format!("/accounts/{account_id}/time"),
        nav,
        account_id,
        running,
        rows,
        form,
        errors: FieldErrors::new(),
        start_errors: FieldErrors::new(),
        alert: None,
        switch: None,
        projects,
    })
}

pub async fn show(State(state): State<AppState>, user: ConsoleUser, Path(account_id): Path<String>) -> PageResult {
    Ok(page_with(&state, &user, path_id(&account_id)?, EntryForm::default()).await?.into_response())
}

/// `POST /accounts/{id}/time`: a manual entry.
pub async fn create(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path(account_id): Path<String>,
    Form(form): Form<EntryForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let account_id = path_id(&account_id)?;
    let refused = |errors: FieldErrors, form: EntryForm| {
        let state = state.clone();
        let user = &user;
        async move {
            let mut page = page_with(&state, user, account_id, form).await?;
            page.errors = errors;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let (started_at, ended_at, minutes, project_id) = match form.parts(user.zone()) {
        Ok(p) => p,
        Err(errors) => return refused(errors, form).await,
    };
    let input =
        NewTimeEntry { project_id, contact_id: None, note: Some(form.note.clone()), started_at, ended_at, minutes };
    match state.service.create_time_entry(&user.0, account_id, &input, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/time")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(errors, form).await,
        Err(e) => Err(fail(&user)(e)),
    }
}

async fn edit_page(
    state: &AppState,
    user: &ConsoleUser,
    account_id: Uuid,
    entry_id: Uuid,
    form: Option<EntryForm>,
) -> Result<EditPage, PageError> {
    let nav = account_nav(state, user, account_id).await?;
    let e = state.service.time_entry(&user.0, account_id, entry_id).await.map_err(fail(user))?;
    if !state.service.may_edit_time_entry(&user.0, account_id, entry_id).await.map_err(fail(user))? {
        return Err(fail(user)(ServiceError::NotFound));
    }
    let projects = pickers::projects(state, user, account_id, e.project_id).await.map_err(fail(user))?;
    let zone = user.zone();
    let form = form.unwrap_or_else(|| {
        let (local, _) = roster_core::zone::in_zone(e.started_at, zone);
        EntryForm {
            csrf: String::new(),
            day: local.date().to_string(),
            start: local_hm(e.started_at, zone),
            end: e.ended_at.map(|t| local_hm(t, zone)).unwrap_or_default(),
            minutes: String::new(),
            project_id: e.project_id.map(|p| p.to_string()).unwrap_or_default(),
            note: e.note.clone(),
        }
    });
    Ok(EditPage { nav, account_id, entry_id, running: e.running, form, errors: FieldErrors::new(), projects })
}

pub async fn edit(
    State(state): State<AppState>,
    user: ConsoleUser,
    Path((account_id, entry_id)): Path<(String, String)>,
) -> PageResult {
    Ok(edit_page(&state, &user, path_id(&account_id)?, path_id(&entry_id)?, None).await?.into_response())
}

/// `POST …/time/{entry_id}/edit`
pub async fn save(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, entry_id)): Path<(String, String)>,
    Form(form): Form<EntryForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, entry_id) = (path_id(&account_id)?, path_id(&entry_id)?);
    let refused = |errors: FieldErrors, form: EntryForm| {
        let state = state.clone();
        let user = &user;
        async move {
            let mut page = edit_page(&state, user, account_id, entry_id, Some(form)).await?;
            page.errors = errors;
            Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let (started_at, ended_at, minutes, project_id) = match form.parts(user.zone()) {
        Ok(p) => p,
        Err(errors) => return refused(errors, form).await,
    };
    let patch = TimeEntryPatch {
        project_id,
        contact_id: None,
        note: Some(form.note.clone()),
        started_at: Some(started_at),
        ended_at,
        minutes,
        clear: if project_id.is_none() { vec!["project_id".to_owned()] } else { Vec::new() },
    };
    match state.service.update_time_entry(&user.0, account_id, entry_id, &patch, &meta).await {
        Ok(_) => Ok(Redirect::to(&format!("/accounts/{account_id}/time")).into_response()),
        Err(ServiceError::Invalid(errors)) => refused(errors, form).await,
        Err(e) => Err(fail(&user)(e)),
    }
}

/// `POST …/time/{entry_id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    user: ConsoleUser,
    ClientMeta(meta): ClientMeta,
    Path((account_id, entry_id)): Path<(String, String)>,
    Form(form): Form<CsrfForm>,
) -> PageResult {
    user.check_csrf(&form.csrf)?;
    let (account_id, entry_id) = (path_id(&account_id)?, path_id(&entry_id)?);
    state.service.delete_time_entry(&user.0, account_id, entry_id, &meta).await.map_err(fail(&user))?;
    Ok(Redirect::to(&format!("/accounts/{account_id}/time")).into_response())
}
